//! `promlab --rules FILE`: the lab's other commands with rules loaded and
//! evaluated as virtual time passes.

#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

fn promlab(args: &[&str]) -> (i32, String, String) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/unittest");
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run promlab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn rules_given_on_the_command_line_fire_after_pings() {
    let cases = [
        // (pings, advance, state expected in /api/v1/alerts)
        ("0", "2m", None),
        ("6", "5s", None),
        ("6", "2m", Some("firing")),
    ];
    for (pings, advance, want) in cases {
        let args = [
            "--rules",
            "training.rules.yml",
            "--pings",
            pings,
            "--advance",
            advance,
            "api",
            "/api/v1/alerts",
        ];
        let (code, out, err) = promlab(&args);
        assert_eq!(code, 0, "{args:?}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let alerts = v["data"]["alerts"].as_array().unwrap();
        let got = alerts.first().map(|a| a["state"].as_str().unwrap());
        assert_eq!(got, want, "{args:?}: {out}");
    }
    let (code, out, _) = promlab(&["--rules", "training.rules.yml", "api", "/api/v1/rules"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let group = &v["data"]["groups"][0];
    assert_eq!(group["name"], "Count greater than 5");
    assert_eq!(group["file"], "training.rules.yml");
    assert_eq!(group["rules"][0]["type"], "alerting");
    assert_eq!(group["rules"][0]["duration"], 10.0);
}

#[test]
fn a_bad_rule_file_stops_the_command_with_where_and_what() {
    let (code, out, err) = promlab(&["--rules", "bad_rule_file.rules.yml", "query", "up"]);
    assert_eq!(code, 2, "{out}");
    assert!(
        err.starts_with(
            "error: bad_rule_file.rules.yml:5:15: group \"bad\", rule 1, \"x\": could not parse expression"
        ),
        "{err}"
    );
    let (code, _, err) = promlab(&["--rules", "no_such_file.yml", "query", "up"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: cannot read no_such_file.yml"),
        "{err}"
    );
}
