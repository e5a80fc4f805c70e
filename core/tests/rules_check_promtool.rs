//! The real Prometheus agrees: `promtool check rules` accepts the rule
//! files of `rules/check_rules.yml` that the lab accepts, refuses those it
//! refuses, says the same thing about what Prometheus itself words (every
//! validation error, every duration error), complains about the same YAML
//! line when the YAML does not fit, and finds the same duplicate rules.
//!
//! The reference binaries are found in `$PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::diagnostic::line_col;
use promlab_core::rules::config::{duplicate_rules, parse_rule_file, RuleErrorKind};
use serde::Deserialize;
use std::path::PathBuf;
use std::process::Command;

const CASES: &str = include_str!("rules/check_rules.yml");

#[derive(Deserialize)]
struct Case {
    name: String,
    file: String,
}

fn promtool() -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })
        .expect("set PROMLAB_REFERENCE_BIN or HOME");
    let bin = dir.join("promtool");
    assert!(
        bin.exists(),
        "promtool not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

/// promtool's exit status and its error lines, each without the file name
/// and the `line:col: ` positions Prometheus puts in front.
fn promtool_check(dir: &std::path::Path, i: usize, yaml: &str) -> (bool, Vec<String>, String) {
    let path = dir.join(format!("case{i}.yml"));
    std::fs::write(&path, yaml).unwrap();
    let out = Command::new(promtool())
        .args(["check", "rules"])
        .arg(&path)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let prefix = format!("{}: ", path.display());
    let position = regex::Regex::new(r"^(\d+:\d+: )+").unwrap();
    let messages = stderr
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(|l| position.replace(l, "").to_string())
        .collect();
    (out.status.success(), messages, stderr)
}

/// Whether Prometheus words this error itself (rather than its YAML
/// reader, whose words differ from the lab's reader's).
fn worded_by_prometheus(kind: &RuleErrorKind) -> bool {
    !matches!(
        kind,
        RuleErrorKind::Syntax
            | RuleErrorKind::UnknownField
            | RuleErrorKind::InvalidType
            | RuleErrorKind::DuplicateKey
    )
}

#[test]
fn promtool_agrees_with_the_lab_on_every_rule_file() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    let dir = std::env::temp_dir().join(format!("promlab-check-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let ours = parse_rule_file(&case.file);
        let (accepted, theirs, said) = promtool_check(&dir, i, &case.file);
        if accepted != ours.is_ok() {
            failures.push(format!(
                "{}: promtool {}, the lab {}\n{said}",
                case.name,
                if accepted { "accepts" } else { "refuses" },
                if ours.is_ok() { "accepts" } else { "refuses" },
            ));
            continue;
        }
        match ours {
            Ok(file) => {
                let dups = duplicate_rules(&file);
                let promtool_dups = said
                    .split("lint error ")
                    .nth(1)
                    .and_then(|s| s.split(' ').next())
                    .map_or(0, |n| n.parse::<usize>().unwrap_or(0));
                if dups.len() != promtool_dups {
                    failures.push(format!(
                        "{}: {} duplicates, promtool {promtool_dups}\n{said}",
                        case.name,
                        dups.len()
                    ));
                }
            }
            Err(errors) if errors.iter().all(|e| worded_by_prometheus(&e.kind)) => {
                let mut ours: Vec<String> = errors.iter().map(|e| e.message.clone()).collect();
                // Prometheus reports a decoding error twice (it decodes the
                // file twice); once is enough to compare.
                let mut theirs = theirs.clone();
                theirs.dedup();
                ours.sort();
                theirs.sort();
                if ours != theirs {
                    failures.push(format!(
                        "{}:\n  lab:      {ours:?}\n  promtool: {theirs:?}",
                        case.name
                    ));
                }
            }
            Err(errors) => {
                let line = line_col(&case.file, errors[0].span.start).line;
                if !said.contains(&format!("line {line}")) {
                    failures.push(format!(
                        "{}: the lab points at line {line}, promtool said\n{said}",
                        case.name
                    ));
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
