//! The real Alertmanager agrees: `amtool check-config` (0.33.1) accepts the
//! configs of `alertmanager/configs.yml` that the lab accepts and refuses
//! those it refuses, with the same message for the checks Alertmanager
//! makes itself; it accepts every config the lab writes back and every
//! field the lab knows; `amtool config routes` draws the lab's trees and
//! `amtool config routes test` routes the alerts of
//! `alertmanager/routes.yml` to the same receivers.
//!
//! The reference binaries are found in `$PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::alertmanager::config::{
    global_fields, AlertmanagerConfig, ConfigErrorKind, IntegrationKind,
};
use promlab_core::alertmanager::route::RouteTree;
use promlab_core::labels::Labels;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const CONFIGS: &str = include_str!("alertmanager/configs.yml");
const ROUTES: &str = include_str!("alertmanager/routes.yml");

#[derive(Deserialize)]
struct ConfigCase {
    name: String,
    config: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, rename = "error")]
    _error: Option<String>,
}

#[derive(Deserialize)]
struct RouteCase {
    name: String,
    config: String,
    alerts: Vec<AlertCase>,
}

#[derive(Deserialize)]
struct AlertCase {
    labels: BTreeMap<String, String>,
    #[serde(rename = "receivers")]
    _receivers: Vec<String>,
}

fn amtool() -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })
        .expect("set PROMLAB_REFERENCE_BIN or HOME");
    let bin = dir.join("amtool");
    assert!(
        bin.exists(),
        "amtool not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

/// A config file in the temp directory, removed when dropped.
struct TempConfig(PathBuf);

impl TempConfig {
    fn new(name: &str, yaml: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "promlab-am-{}-{}.yml",
            std::process::id(),
            name.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        ));
        std::fs::write(&path, yaml).unwrap();
        TempConfig(path)
    }
}

impl Drop for TempConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Whether `amtool check-config` accepts `yaml`, and its message when not.
fn check_config(name: &str, yaml: &str) -> (bool, String) {
    let file = TempConfig::new(name, yaml);
    let out = Command::new(amtool())
        .arg("check-config")
        .arg(&file.0)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    let message = text
        .lines()
        .find_map(|l| l.split_once("FAILED: ").map(|(_, m)| m.to_string()))
        .unwrap_or_default();
    (out.status.success(), message)
}

/// The checks whose messages are Alertmanager's; the YAML reader's
/// messages are the lab's own.
fn message_is_alertmanagers(kind: &ConfigErrorKind) -> bool {
    !matches!(
        kind,
        ConfigErrorKind::Syntax
            | ConfigErrorKind::UnknownField
            | ConfigErrorKind::InvalidType
            | ConfigErrorKind::DuplicateKey
            | ConfigErrorKind::InvalidDuration
    )
}

#[test]
fn amtool_accepts_what_the_lab_accepts() {
    let cases: Vec<ConfigCase> = serde_saphyr::from_str(CONFIGS).unwrap();
    let mut failures = Vec::new();
    let mut same_message = 0;
    for case in &cases {
        let ours = AlertmanagerConfig::parse(&case.config);
        assert_eq!(ours.is_ok(), case.kind.is_none(), "{}", case.name);
        let (accepted, said) = check_config(&case.name, &case.config);
        if accepted != ours.is_ok() {
            failures.push(format!(
                "{}: amtool {}, the lab {}: {said}",
                case.name,
                if accepted { "accepts" } else { "refuses" },
                if ours.is_ok() { "accepts" } else { "refuses" },
            ));
        }
        match &ours {
            Err(e) if message_is_alertmanagers(&e.kind) => {
                if e.message == said {
                    same_message += 1;
                } else {
                    failures.push(format!(
                        "{}: amtool says {said:?}, the lab {:?}",
                        case.name, e.message
                    ));
                }
            }
            Err(_) => {}
            Ok(cfg) => {
                let written = cfg.to_yaml();
                let (accepted, said) = check_config(&format!("{}-written", case.name), &written);
                if !accepted {
                    failures.push(format!(
                        "{}: amtool refuses the written config: {said}\n{written}",
                        case.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!(
        "{} configs: amtool agrees on all; same message for {same_message} refusals",
        cases.len()
    );
    assert!(same_message >= 30, "{same_message}");
}

/// Every field the lab knows for an integration (or `global`), set to a
/// string: amtool may refuse the value, but must know the field.
#[test]
fn amtool_knows_every_field_the_lab_knows() {
    let mut failures = Vec::new();
    for kind in IntegrationKind::all() {
        let mut entry = String::new();
        for field in kind.fields() {
            entry.push_str(&format!("        {field}: x\n"));
        }
        let yaml = format!(
            "route: {{receiver: r}}\nreceivers:\n  - name: r\n    {}:\n      -\n{entry}",
            kind.key()
        );
        let (_, said) = check_config(kind.as_str(), &yaml);
        if said.contains("not found in type") {
            failures.push(format!("{}: {said}", kind.key()));
        }
    }
    let mut global = String::from("global:\n");
    for field in global_fields() {
        global.push_str(&format!("  {field}: x\n"));
    }
    global.push_str("route: {receiver: r}\nreceivers: [{name: r}]\n");
    let (_, said) = check_config("global", &global);
    if said.contains("not found in type") {
        failures.push(format!("global: {said}"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn amtool_routes(args: &[&str], yaml: &str, name: &str) -> String {
    let file = TempConfig::new(name, yaml);
    let out = Command::new(amtool())
        .args(["config", "routes"])
        .args(args)
        .arg(format!("--config.file={}", file.0.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// A label as amtool's command line takes it.
fn label_arg(name: &str, value: &str) -> String {
    let classic = name
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()));
    let quoted = format!("{value:?}");
    if classic {
        format!("{name}={quoted}")
    } else {
        format!("{name:?}={quoted}")
    }
}

#[test]
fn amtool_routes_alerts_as_the_lab_does() {
    let cases: Vec<RouteCase> = serde_saphyr::from_str(ROUTES).unwrap();
    let mut compared = 0;
    for case in &cases {
        let cfg = AlertmanagerConfig::parse(&case.config).unwrap();
        let tree = RouteTree::new(&cfg.route);
        assert_eq!(
            amtool_routes(&["show"], &case.config, &case.name),
            tree.render_amtool(),
            "{}",
            case.name
        );
        for (i, alert) in case.alerts.iter().enumerate() {
            let labels = Labels::from_pairs(alert.labels.clone());
            let mut args = vec!["test".to_string(), "--tree".to_string()];
            args.extend(alert.labels.iter().map(|(n, v)| label_arg(n, v)));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let theirs = amtool_routes(&args, &case.config, &format!("{}-{i}", case.name));
            assert_eq!(
                theirs,
                tree.render_amtool_test(&labels, true),
                "{}: {labels}",
                case.name
            );
            compared += 1;
        }
    }
    eprintln!("{compared} alerts routed and drawn as amtool does");
    assert!(compared >= 20);
}
