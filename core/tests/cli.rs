//! The `promlab` command line, run as a user runs it.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

fn promlab(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn query_prints_a_table_after_a_scenario() {
    let (ok, out, _) = promlab(&[
        "query",
        "--pings",
        "6",
        "--advance",
        "15s",
        "ping_request_count",
    ]);
    assert!(ok);
    assert!(
        out.contains("ping_request_count{container=\"mymetric\""),
        "{out}"
    );
    assert!(out.lines().next().unwrap().ends_with("  6"), "{out}");
    assert!(out.ends_with("1 series\n"), "{out}");
}

#[test]
fn a_bad_query_prints_the_caret_and_fails() {
    let (ok, out, err) = promlab(&["query", "up{job="]);
    assert!(!ok);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "1:8: parse error: unexpected end of input inside braces\n  up{job=\n         ^\n"
    );
}

#[test]
fn api_answers_prometheus_urls_with_json() {
    let (ok, out, _) = promlab(&["api", "/api/v1/label/job/values"]);
    assert!(ok);
    assert_eq!(
        out,
        "{\"status\":\"success\",\"data\":[\"kube-state-metrics\",\"node-exporter\",\"nvidia-dcgm-exporter\",\"prom-example\"]}\n"
    );
    let (ok, out, _) = promlab(&["api", "/api/v1/query?query=up&time=nope"]);
    assert!(!ok);
    assert!(out.contains("\"errorType\":\"bad_data\""), "{out}");
}

#[test]
fn metrics_prints_the_example_apps_page() {
    let (ok, out, _) = promlab(&["--pings", "2", "metrics"]);
    assert!(ok);
    // The app's own counter, as Server.go declares it, among the client
    // library's default metrics; the page parses.
    assert!(
        out.contains("# HELP ping_request_count No of request handled by Ping handler\n# TYPE ping_request_count counter\nping_request_count 2\n"),
        "{out}"
    );
    assert!(
        out.contains("\n# TYPE process_start_time_seconds gauge\n"),
        "{out}"
    );
    let page = promlab_core::exposition::parse(&out).unwrap();
    assert!(page.samples.len() > 50);
}

#[test]
fn a_closed_output_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args([
            "export",
            "--duration",
            "1h",
            "--end",
            "2026-01-01T00:00:00Z",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: the next write hits a closed pipe.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
