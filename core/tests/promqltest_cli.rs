//! `promlab promqltest`, run as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

fn promlab(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Writes `text` to a fresh file under the test's temporary directory.
fn script(name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("promqltest_cli");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn our_scripts_all_pass() {
    let (ok, out, err) = promlab(&[
        "promqltest",
        "tests/promql/lookback.test",
        "tests/promql/selectors.test",
        "tests/promql/staleness.test",
    ]);
    assert!(ok, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    assert!(
        lines[0].starts_with("tests/promql/lookback.test: "),
        "{out}"
    );
    assert!(lines[0].ends_with(" passed, 0 failed, 0 skipped"), "{out}");
    // The last line sums the files.
    let sum: usize = lines[..3]
        .iter()
        .map(|l| {
            let counts = l.rsplit(": ").next().unwrap();
            counts.split(' ').next().unwrap().parse::<usize>().unwrap()
        })
        .sum();
    assert_eq!(lines[3], format!("{sum} passed, 0 failed, 0 skipped"));
}

#[test]
fn failures_are_listed_with_file_line_query_and_reason() {
    let path = script(
        "mixed.test",
        "load 1m\n  m{i=\"a\"} 1 2 3\n\neval instant at 1m m\n  m{i=\"a\"} 2\n\n\
         eval instant at 1m m\n  m{i=\"a\"} 5\n\neval instant at 1m m{i=\"b\"}\n  m{i=\"b\"} 2\n\n\
         eval_info instant at 0 m\n  m{i=\"a\"} 1\n",
    );
    let name = path.display().to_string();
    let (ok, out, _) = promlab(&["promqltest", &name]);
    assert!(!ok);
    let out = out.replace(&name, "mixed.test");
    expect_test::expect![[r#"
        mixed.test:7: FAIL m
            value mismatch at m{i="a"}: expected 5, got 2
        mixed.test:10: FAIL m{i="b"}
            expected 1 series, got 0: missing m{i="b"}
        mixed.test:13: FAIL m
            annotations: expected info annotations, got none
        mixed.test: 1 passed, 3 failed, 0 skipped
        1 passed, 3 failed, 0 skipped
    "#]]
    .assert_eq(&out);

    let (ok, out, _) = promlab(&["promqltest", "--verbose", &name]);
    assert!(!ok);
    assert!(
        out.starts_with(&format!("{name}:4: ok m\n{name}:7: FAIL m\n")),
        "{out}"
    );
}

#[test]
fn a_script_that_does_not_parse_counts_as_one_failure() {
    let bad = script("bad.test", "load 1m\n  m 1 2x\n");
    let not_utf8 = script("not_utf8.test", b"load 1m\n  m{a=\"\xff\"} 1\n");
    let good = script(
        "good.test",
        "load 1m\n  m 1\n\neval instant at 0 m\n  m 1\n",
    );
    let names: Vec<String> = [&bad, &not_utf8, &good]
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let (ok, out, err) = promlab(&[
        "promqltest",
        &names[0],
        &names[1],
        &names[2],
        "missing.test",
    ]);
    assert!(!ok);
    let dir = format!("{}/", bad.parent().unwrap().display());
    expect_test::expect![[r#"
        bad.test: 0 passed, 1 failed, 0 skipped
        not_utf8.test: 0 passed, 1 failed, 0 skipped
        good.test: 1 passed, 0 failed, 0 skipped
        missing.test: 0 passed, 1 failed, 0 skipped
        1 passed, 3 failed, 0 skipped
    "#]]
    .assert_eq(&out.replace(&dir, ""));
    let err = err.replace(&dir, "");
    assert!(
        err.starts_with(
            "bad.test:2:9: unexpected end of line, expected a repetition count\n    m 1 2x\n          ^\n\
             not_utf8.test:2:8: the script is not UTF-8 text\n\
             missing.test: cannot read: "
        ),
        "{err}"
    );
}
