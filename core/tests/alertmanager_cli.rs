//! `promlab check alertmanager FILE` and `promlab alertmanager routes`,
//! run as a user runs them: each command of the table with what it prints
//! and its exit status, as one snapshot.

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

const GOOD: &str = r#"route:
  receiver: team
  group_by: [alertname]
  routes:
    - matchers: [severity="critical"]
      receiver: pager
      continue: true
    - matchers: [team="db"]
      receiver: db
receivers:
  - name: team
    webhook_configs: [{url: "http://127.0.0.1:5001/"}]
  - name: pager
    pagerduty_configs: [{routing_key: abc}]
  - name: db
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
"#;

const BAD: &str = "route:\n  receiver: team\n  group_wait: 10 minutes\nreceivers: [{name: team}]\n";

/// The configs in the temp directory, removed when dropped.
struct Files(Vec<PathBuf>);

impl Drop for Files {
    fn drop(&mut self) {
        for f in &self.0 {
            let _ = std::fs::remove_file(f);
        }
    }
}

#[test]
fn commands_print_what_amtool_prints() {
    let dir = std::env::temp_dir();
    let files = Files(
        [("good", GOOD), ("bad", BAD)]
            .iter()
            .map(|(name, yaml)| {
                let p = dir.join(format!("promlab-am-cli-{}-{name}.yml", std::process::id()));
                std::fs::write(&p, yaml).unwrap();
                p
            })
            .collect(),
    );
    let (good, bad) = (
        files.0[0].display().to_string(),
        files.0[1].display().to_string(),
    );
    let cases: Vec<Vec<&str>> = vec![
        vec!["check", "alertmanager", "GOOD"],
        vec!["check", "alertmanager", "BAD"],
        vec!["check", "alertmanager", "MISSING"],
        vec!["alertmanager", "routes", "--config.file", "GOOD"],
        vec![
            "alertmanager",
            "routes",
            "test",
            "GOOD",
            "severity=critical",
            "team=db",
        ],
        vec![
            "alertmanager",
            "routes",
            "test",
            "--tree",
            "GOOD",
            "team=db",
        ],
        vec![
            "alertmanager",
            "routes",
            "test",
            "GOOD",
            "--verify.receivers=pager,db",
            "severity=critical",
            "team=db",
        ],
        vec![
            "alertmanager",
            "routes",
            "test",
            "GOOD",
            "--verify.receivers=team",
            "team=db",
        ],
        vec!["alertmanager", "routes", "test", "GOOD", "team!=db"],
        vec!["alertmanager", "routes", "test", "BAD", "team=db"],
    ];
    let mut report = String::new();
    for case in cases {
        let args: Vec<String> = case
            .iter()
            .map(|a| match *a {
                "GOOD" => good.clone(),
                "BAD" => bad.clone(),
                "MISSING" => "no-such-file.yml".to_string(),
                a => a.to_string(),
            })
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
            .args(&args)
            .output()
            .unwrap();
        let clean = |b: &[u8]| {
            String::from_utf8_lossy(b)
                .replace(&good, "GOOD")
                .replace(&bad, "BAD")
        };
        report.push_str(&format!(
            "$ promlab {}  (exit {})\n{}{}\n",
            case.join(" "),
            out.status.code().unwrap_or(-1),
            clean(&out.stdout),
            clean(&out.stderr)
                .lines()
                .map(|l| format!("stderr| {l}\n"))
                .collect::<String>()
                .replace("(os error 2)", ""),
        ));
    }
    expect_test::expect_file!["alertmanager/cli.txt"].assert_eq(&report);
}
