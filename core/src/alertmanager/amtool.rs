//! The `amtool` commands the lab answers, as text: `check-config` (the
//! verdict and summary amtool prints, plus where an error is, which
//! amtool does not say), `config routes` (the tree) and `config routes
//! test` (the receivers of a label set). The command line prints them;
//! they are here so the browser can show the same.
//!
//! ```
//! use promlab_core::alertmanager::amtool::{check_config, routes_test};
//! let yaml = "route: {receiver: team}\nreceivers: [{name: team}]\n";
//! let out = check_config("am.yml", yaml);
//! assert!(out.success);
//! assert!(out.stdout.starts_with("Checking 'am.yml'  SUCCESS\n"));
//! let out = routes_test("am.yml", yaml, &["severity=critical".to_string()], false, None);
//! assert_eq!(out.stdout, "team\n");
//! ```

use super::config::{AlertmanagerConfig, NoteKind};
use super::matchers::parse_matcher;
use super::route::RouteTree;
use crate::labels::{Labels, MatchOp};

/// What a command prints and whether it succeeded (exit status 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolOutput {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
}

impl ToolOutput {
    fn failure(stderr: String) -> Self {
        ToolOutput {
            stdout: String::new(),
            stderr,
            success: false,
        }
    }
}

/// `amtool check-config FILE` for one file named `name` with contents
/// `yaml`. On stdout, amtool's report; on stderr, an error's line, column
/// and caret, and the lab's notes (what it reads but does not simulate,
/// what Alertmanager warns about).
pub fn check_config(name: &str, yaml: &str) -> ToolOutput {
    match AlertmanagerConfig::parse(yaml) {
        Err(e) => ToolOutput {
            stdout: format!("Checking '{name}'  FAILED: {}\n\n", e.message),
            stderr: format!(
                "{}amtool: error: failed to validate 1 file(s)\n",
                located(name, "error", &e.render(yaml))
            ),
            success: false,
        },
        Ok(cfg) => {
            let mut stdout = format!(
                "Checking '{name}'  SUCCESS\nFound:\n - global config\n - route\n - {} inhibit rules\n - {} receivers\n - {} templates\n",
                cfg.inhibit_rules.len(),
                cfg.receivers.len(),
                cfg.templates.len()
            );
            if !cfg.templates.is_empty() {
                // amtool reads the template files here; the lab does not
                // (a note says so).
                stdout.push_str("  SUCCESS\n");
            }
            stdout.push('\n');
            let mut stderr = String::new();
            for note in &cfg.notes {
                let label = match note.kind {
                    NoteKind::ClassicMatcherSyntax | NoteKind::Deprecated => "warning",
                    NoteKind::IntegrationNotSent
                    | NoteKind::TimeIntervalsNotSimulated
                    | NoteKind::TemplatesNotRendered => "note",
                };
                let d = crate::diagnostic::Diagnostic::warning(note.span, note.message.clone());
                stderr.push_str(&located(name, label, &d.render(yaml)));
            }
            ToolOutput {
                stdout,
                stderr,
                success: true,
            }
        }
    }
}

/// A rendered diagnostic (`line:col: message`, the line, the caret) as
/// `name:line:col: label: message`.
fn located(name: &str, label: &str, rendered: &str) -> String {
    match rendered.split_once(": ") {
        Some((pos, rest)) => format!("{name}:{pos}: {label}: {rest}"),
        None => format!("{name}: {label}: {rendered}"),
    }
}

fn parse_config(name: &str, yaml: &str) -> Result<AlertmanagerConfig, ToolOutput> {
    AlertmanagerConfig::parse(yaml).map_err(|e| {
        ToolOutput::failure(format!(
            "{}amtool: error: failed to load config: {}\n",
            located(name, "error", &e.render(yaml)),
            e.message
        ))
    })
}

/// `amtool config routes`: the routing tree of the config `name` holding
/// `yaml`.
pub fn routes_show(name: &str, yaml: &str) -> ToolOutput {
    match parse_config(name, yaml) {
        Err(out) => out,
        Ok(cfg) => ToolOutput {
            stdout: RouteTree::new(&cfg.route).render_amtool(),
            stderr: String::new(),
            success: true,
        },
    }
}

/// Reads `amtool config routes test`'s label arguments (`name=value`, in
/// Alertmanager's matcher syntax, equality only).
pub fn parse_label_args(args: &[String]) -> Result<Labels, String> {
    let mut labels = Labels::new();
    for arg in args {
        let m = parse_matcher(arg).map_err(|e| format!("Failed to parse labels: {e}"))?;
        if m.op != MatchOp::Equal {
            return Err("Labels must be specified as key=value pairs".into());
        }
        labels.set(m.name, m.value);
    }
    Ok(labels)
}

/// `amtool config routes test [--tree] [--verify.receivers=…] LABEL=VALUE…`:
/// the receivers an alert with these labels goes to, with the path through
/// the tree when `tree` is set. `name` names the config in errors. With `verify`, fails (with amtool's
/// warning) unless the receivers are exactly those.
pub fn routes_test(
    name: &str,
    yaml: &str,
    label_args: &[String],
    tree: bool,
    verify: Option<&[String]>,
) -> ToolOutput {
    let cfg = match parse_config(name, yaml) {
        Ok(cfg) => cfg,
        Err(out) => return out,
    };
    let labels = match parse_label_args(label_args) {
        Ok(l) => l,
        Err(message) => return ToolOutput::failure(format!("amtool: error: {message}\n\n")),
    };
    let routes = RouteTree::new(&cfg.route);
    let mut out = ToolOutput {
        stdout: routes.render_amtool_test(&labels, tree),
        stderr: String::new(),
        success: true,
    };
    if let Some(expected) = verify {
        if routes.receivers(&labels) != expected {
            out.stdout
                .push_str("WARNING: Expected receivers did not match resolved receivers.\n");
            out.success = false;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const CONFIG: &str = r#"route:
  receiver: team
  group_by: [alertname]
  routes:
    - matchers: [severity="critical"]
      receiver: pager
receivers:
  - name: team
    webhook_configs: [{url: "http://127.0.0.1:5001/"}]
  - name: pager
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
templates: []
"#;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn check_config_prints_amtools_report() {
        // amtool check-config 0.33.1 printed these for the same files.
        let ok = check_config("am1.yml", CONFIG);
        assert_eq!(
            (ok.stdout.as_str(), ok.success),
            (
                "Checking 'am1.yml'  SUCCESS\nFound:\n - global config\n - route\n - 1 inhibit rules\n - 2 receivers\n - 0 templates\n\n",
                true
            )
        );
        let bad = "route:\n  receiver: nobody\nreceivers: [{name: team}]\n";
        let out = check_config("am2.yml", bad);
        assert_eq!(
            out.stdout,
            "Checking 'am2.yml'  FAILED: undefined receiver \"nobody\" used in route\n\n"
        );
        assert!(!out.success);
        expect_test::expect![[r#"
            am2.yml:2:13: error: undefined receiver "nobody" used in route
                receiver: nobody
                          ^^^^^^
            amtool: error: failed to validate 1 file(s)
        "#]]
        .assert_eq(&out.stderr);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn notes_are_not_errors() {
        let yaml = "route: {receiver: r}\nreceivers: [{name: r, slack_configs: [{channel: x, api_url: 'http://s'}]}]\n";
        let out = check_config("am.yml", yaml);
        assert!(out.success);
        assert!(out.stderr.contains(": note: "), "{}", out.stderr);
        assert!(!out.stderr.contains("error"), "{}", out.stderr);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn routes_test_answers_as_amtool() {
        // (labels, --tree, --verify.receivers, stdout, success) as amtool
        // 0.33.1 answered for CONFIG.
        type Case<'a> = (&'a [&'a str], bool, Option<&'a [&'a str]>, &'a str, bool);
        let cases: &[Case] = &[
            (&["severity=critical", "foo=bar"], false, None, "pager\n", true),
            (&[], false, None, "team\n", true),
            (
                &["severity=critical"],
                true,
                None,
                "Matching routes:\n.\n└── default-route\n    └── {severity=\"critical\"}  receiver: pager\n\n\npager\n",
                true,
            ),
            (
                &["severity=critical"],
                false,
                Some(&["team"]),
                "pager\nWARNING: Expected receivers did not match resolved receivers.\n",
                false,
            ),
            (&["severity=critical"], false, Some(&["pager"]), "pager\n", true),
            (&["x=y z"], false, None, "team\n", true),
        ];
        for (labels, tree, verify, want, ok) in cases {
            let verify: Option<Vec<String>> = verify.map(args);
            let out = routes_test("am1.yml", CONFIG, &args(labels), *tree, verify.as_deref());
            assert_eq!(
                (out.stdout.as_str(), out.success),
                (*want, *ok),
                "{labels:?}"
            );
        }
        for (arg, message) in [
            (
                "severity=~crit",
                "amtool: error: Labels must be specified as key=value pairs\n\n",
            ),
            (
                "bad",
                "amtool: error: Failed to parse labels: bad matcher format: bad\n\n",
            ),
        ] {
            let out = routes_test("am1.yml", CONFIG, &args(&[arg]), false, None);
            assert_eq!((out.stderr.as_str(), out.success), (message, false));
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn routes_show_draws_the_tree() {
        let out = routes_show("am1.yml", CONFIG);
        assert_eq!(
            out.stdout,
            "Routing tree:\n.\n└── default-route  receiver: team\n    └── {severity=\"critical\"}  receiver: pager\n\n"
        );
        let out = routes_show("am.yml", "route: [");
        assert!(!out.success);
        assert!(out.stderr.starts_with("am.yml:1:"), "{}", out.stderr);
    }
}
