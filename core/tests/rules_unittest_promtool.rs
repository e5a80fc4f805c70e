//! The real promtool agrees: `promtool test rules` and `promlab test rules`
//! give every file of `rules/unittest/` the same verdict (exit status),
//! and the same report, word for word, except where the message is the
//! YAML or series parser's own wording (listed in [`WORDED_OTHERWISE`]).
//! Without the reference binaries, the lab's verdicts are checked against
//! the files' names alone.
//!
//! The reference binaries are found in `$PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`.

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Files whose failure promtool words differently (Go's YAML decoder and
/// series parser); their verdicts still agree.
const WORDED_OTHERWISE: &[&str] = &["bad_series_fail.test.yml", "unknown_field_fail.test.yml"];

fn promtool() -> Option<PathBuf> {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })?;
    let bin = dir.join("promtool");
    bin.exists().then_some(bin)
}

/// Exit status and the output with stderr and stdout interleaved as
/// written (both go to one pipe).
fn run(bin: &Path, args: &[&str], dir: &Path) -> (i32, String) {
    let script = format!(
        "exec \"$0\" {} 2>&1",
        args.iter()
            .map(|a| format!("'{a}'"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin)
        .current_dir(dir)
        .output()
        .expect("run");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn promtool_and_promlab_agree_on_rule_unit_tests() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/unittest");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".test.yml"))
        .collect();
    names.sort();
    assert!(names.len() >= 20, "{names:?}");
    let ours = Path::new(env!("CARGO_BIN_EXE_promlab"));
    let reference = promtool();
    if reference.is_none() {
        eprintln!("promtool not found: checking the lab's verdicts alone");
    }
    let mut disagreements = Vec::new();
    for name in &names {
        let (code, out) = run(ours, &["test", "rules", name], &dir);
        let want = if name.ends_with("_pass.test.yml") {
            0
        } else {
            1
        };
        if code != want {
            disagreements.push(format!(
                "{name}: promlab exits {code}, the name says {want}\n{out}"
            ));
        }
        let Some(promtool) = &reference else { continue };
        let (ref_code, ref_out) = run(promtool, &["test", "rules", name], &dir);
        if ref_code != code {
            disagreements.push(format!(
                "{name}: promtool exits {ref_code}, promlab {code}\n--- promtool\n{ref_out}--- promlab\n{out}"
            ));
        } else if !WORDED_OTHERWISE.contains(&name.as_str()) && ref_out != out {
            disagreements.push(format!(
                "{name}: reports differ\n--- promtool\n{ref_out}--- promlab\n{out}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

#[test]
fn promlab_test_rules_with_several_files_fails_when_one_fails() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/unittest");
    let ours = Path::new(env!("CARGO_BIN_EXE_promlab"));
    let (code, out) = run(
        ours,
        &[
            "test",
            "rules",
            "training_pass.test.yml",
            "training_fail.test.yml",
        ],
        &dir,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.starts_with("  SUCCESS\n\n  FAILED:\n"), "{out}");
    let (code, out) = run(ours, &["test", "rules", "no_such.test.yml"], &dir);
    assert_eq!(code, 1, "{out}");
    if let Some(promtool) = promtool() {
        let (ref_code, _) = run(&promtool, &["test", "rules", "no_such.test.yml"], &dir);
        assert_eq!(ref_code, code);
    }
}

#[test]
fn run_selects_test_groups_by_name_as_promtool_does() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/unittest");
    let ours = Path::new(env!("CARGO_BIN_EXE_promlab"));
    // (--run, exit status): "first" passes, "second" fails.
    let cases = [("--run=first", 0), ("--run=sec", 1), ("--run=^none$", 0)];
    for (run, want) in cases {
        let args = ["test", "rules", run, "multi_test_fail.test.yml"];
        let (code, out) = run_cmd(ours, &args, &dir);
        assert_eq!(code, want, "{run}: {out}");
        if let Some(promtool) = promtool() {
            let (ref_code, ref_out) = run_cmd(&promtool, &args, &dir);
            assert_eq!((ref_code, ref_out), (code, out), "{run}");
        }
    }
}

fn run_cmd(bin: &Path, args: &[&str], dir: &Path) -> (i32, String) {
    run(bin, args, dir)
}
