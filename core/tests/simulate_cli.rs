//! `promlab simulate DIR` on the training material's directory as
//! written: the timeline, one JSON object a line, is the snapshot in
//! `operator/simulate-training.jsonl` (scrapes every 15 s, the alert
//! pending then firing, the notification after group_wait, the app's
//! restart resolving the alert and the resolved notification after
//! group_interval); the typo's warning goes to stderr.
#![cfg(not(target_arch = "wasm32"))]

use expect_test::{expect, expect_file};
use std::path::Path;
use std::process::Command;

fn promlab(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_training_example_simulated_prints_its_timeline() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/operator/training");
    let (code, out, err) = promlab(&[
        "simulate",
        dir.to_str().unwrap(),
        "--pings",
        "6",
        "--duration",
        "10m",
        "--restart-app-at",
        "5m",
    ]);
    assert_eq!(code, Some(0), "{err}");
    expect_file!["operator/simulate-training.jsonl"].assert_eq(&out);
    expect![[r#"
        alertmanagerconfig.yaml:18:11: warning: spec.receivers[0].webhookConfigs[0].send_resolved: unknown field "send_resolved": did you mean "sendResolved"?
                    send_resolved: false
                    ^^^^^^^^^^^^^
        hint: the API server drops "send_resolved", so "sendResolved" stays unset: Alertmanager's default for webhooks, send_resolved: true, applies, so resolved alerts are sent too
    "#]]
    .assert_eq(&err);
    // Every line is one JSON object with a time, a kind and a reason.
    for line in out.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["time"].is_i64() && v["kind"].is_string() && v["why"].is_string());
    }
}

#[test]
fn strict_validation_refuses_the_typo_and_no_notification_is_sent() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/operator/training");
    let (code, out, err) = promlab(&[
        "simulate",
        dir.to_str().unwrap(),
        "--pings",
        "6",
        "--duration",
        "2m",
        "--validate",
        "strict",
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains(
        "error: alertmanagerconfig.monitoring.coreos.com/config-example in alertmanagerconfig.yaml: 1 error(s) not applied"
    ), "{err}");
    assert!(out.contains(r#""kind":"alert_state""#));
    assert!(!out.contains(r#""kind":"notification""#));
}

#[test]
fn a_missing_directory_is_exit_status_2() {
    let (code, _, err) = promlab(&["simulate", "/nonexistent/promlab-simulate"]);
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: cannot read /nonexistent/promlab-simulate"),
        "{err}"
    );
}
