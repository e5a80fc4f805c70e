//! `promlab check config` against `promtool check config` on the files of
//! `check_config/`: the same exit status and the same report on stdout for
//! every file (stderr carries the errors, worded by each in its own way
//! but at the same place). A file named `ok-*` must pass and `bad-*` must
//! fail, so the verdicts are checked even where promtool is absent.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/check_config")
}

fn files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    names.sort();
    names
}

/// Runs `bin check config NAME` in the files' directory, as a user would.
fn check(bin: &Path, name: &str) -> Output {
    Command::new(bin)
        .current_dir(dir())
        .args(["check", "config", name])
        .output()
        .unwrap()
}

fn promtool() -> Option<PathBuf> {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })?;
    let bin = dir.join("promtool");
    bin.exists().then_some(bin)
}

#[test]
fn verdicts_follow_the_file_names() {
    let ours = Path::new(env!("CARGO_BIN_EXE_promlab"));
    let names = files();
    assert!(names.len() >= 10, "{names:?}");
    for name in names {
        let out = check(ours, &name);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.success(),
            name.starts_with("ok-"),
            "{name}: {stderr}"
        );
        // A refusal says where: the file, or a line and column.
        if !out.status.success() {
            assert!(stderr.contains("FAILED"), "{name}: {stderr}");
        }
    }
}

#[test]
fn reports_match_promtool() {
    let Some(promtool) = promtool() else {
        println!("promtool not found: run `cargo xtask reference` to compare");
        return;
    };
    let ours = Path::new(env!("CARGO_BIN_EXE_promlab"));
    let mut differ = Vec::new();
    for name in files() {
        let (a, b) = (check(ours, &name), check(&promtool, &name));
        if a.status.code() != b.status.code() || a.stdout != b.stdout {
            differ.push(format!(
                "{name}: exit {:?} vs promtool {:?}\n--- ours\n{}--- promtool\n{}{}",
                a.status.code(),
                b.status.code(),
                String::from_utf8_lossy(&a.stdout),
                String::from_utf8_lossy(&b.stdout),
                String::from_utf8_lossy(&b.stderr),
            ));
        }
    }
    assert!(differ.is_empty(), "{}", differ.join("\n"));
}

#[test]
fn syntax_only_skips_the_rule_files() {
    let ours = Path::new(env!("CARGO_BIN_EXE_promlab"));
    let out = Command::new(ours)
        .current_dir(dir())
        .args([
            "check",
            "config",
            "--syntax-only",
            "bad-rule-file-does-not-parse.yml",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Checking bad-rule-file-does-not-parse.yml\n SUCCESS: bad-rule-file-does-not-parse.yml is valid prometheus config file syntax\n\n"
    );
}
