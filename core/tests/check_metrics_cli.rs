//! `promlab check metrics` run as a user runs it: a page on stdin, parse
//! errors with line, column and caret (exit 1), lint findings as warnings
//! on stderr (exit 0), the format picked by `# EOF` or `--format`.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Stdio};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn check_metrics(args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(["check", "metrics"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn a_clean_page_prints_nothing_and_succeeds() {
    let run = check_metrics(
        &[],
        b"# HELP up Whether the target is up.\n# TYPE up gauge\nup 1\n",
    );
    assert_eq!(run.code, Some(0));
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "");
}

#[test]
fn findings_are_warnings_and_the_check_still_succeeds() {
    let page = "# TYPE requests counter\n\
                requests{podName=\"a\"} 1\n\
                # HELP latency_ms Latency.\n\
                # TYPE latency_ms gauge\n\
                latency_ms 1\n\
                # HELP requests Requests, said twice.\n";
    let run = check_metrics(&[], page.as_bytes());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    expect_test::expect![[r#"
        latency_ms: metric names should not contain abbreviated units
        requests: counter metrics should have "_total" suffix
        requests: label names should be written in 'snake_case' not 'camelCase'
        6:8: warning: metadata for "requests" after its samples
          # HELP requests Requests, said twice.
                 ^^^^^^^^
    "#]]
    .assert_eq(&run.stderr);
}

#[test]
fn a_parse_error_shows_where_and_fails() {
    let run = check_metrics(&[], b"# HELP up Up.\nup{job=\"a} 1\n");
    assert_eq!(run.code, Some(1));
    assert_eq!(run.stdout, "");
    expect_test::expect![[r#"
        2:8: expected '"' to close the label value, found end of input
          up{job="a} 1
                 ^^^^^
    "#]]
    .assert_eq(&run.stderr);

    let run = check_metrics(&[], b"up 1 yesterday\n");
    assert_eq!(run.code, Some(1));
    expect_test::expect![[r#"
        1:6: invalid timestamp "yesterday": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)
          up 1 yesterday
               ^^^^^^^^^
    "#]]
    .assert_eq(&run.stderr);
}

#[test]
fn a_page_that_is_not_utf8_fails_at_the_first_bad_byte() {
    let run = check_metrics(&[], b"# HELP up Up.\nup{a=\"\xff\"} 1\n");
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.starts_with("2:7: invalid UTF-8"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_page_ending_in_eof_is_read_as_openmetrics() {
    // A float timestamp in seconds is OpenMetrics; the text format wants
    // integer milliseconds.
    let page = "# TYPE up gauge\n# HELP up Up.\nup 1 1700000000.5\n# EOF\n";
    let run = check_metrics(&[], page.as_bytes());
    assert_eq!((run.code, run.stderr.as_str()), (Some(0), ""));

    let run = check_metrics(&["--format", "text"], page.as_bytes());
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.starts_with("3:6: invalid timestamp"),
        "{}",
        run.stderr
    );

    // An OpenMetrics counter is linted under its text-format name.
    let page = "# TYPE hits counter\nhits_total 1\n# EOF\n";
    let run = check_metrics(&[], page.as_bytes());
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (Some(0), "hits_total: no help text\n")
    );
}

#[test]
fn format_openmetrics_wants_the_eof() {
    let run = check_metrics(&["--format", "openmetrics"], b"up 1\n");
    assert_eq!(run.code, Some(1));
    expect_test::expect![[r#"
        2:1: data does not end with # EOF: expected '# EOF' as the last line
          
          ^
    "#]]
    .assert_eq(&run.stderr);
}

#[test]
fn help_says_findings_do_not_change_the_exit_status() {
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(["check", "metrics", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(help.contains("promtool, which exits 3"), "{help}");
    assert!(help.contains("never change the exit status"), "{help}");
    assert!(help.contains("--format <FORMAT>"), "{help}");
}
