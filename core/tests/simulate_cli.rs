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

/// A loopback webhook receiver: answers `200 OK` to each POST and hands
/// back the bodies, for at most `max` requests or until `deadline`.
fn receiver(
    max: usize,
    deadline: std::time::Duration,
) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    listener.set_nonblocking(true).unwrap();
    let handle = std::thread::spawn(move || {
        let until = std::time::Instant::now() + deadline;
        let mut bodies = Vec::new();
        while bodies.len() < max && std::time::Instant::now() < until {
            let Ok((mut conn, _)) = listener.accept() else {
                std::thread::sleep(std::time::Duration::from_millis(20));
                continue;
            };
            conn.set_nonblocking(false).unwrap();
            conn.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 8192];
            let body = loop {
                let n = conn.read(&mut buf).unwrap_or(0);
                got.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&got).into_owned();
                if let Some(end) = text.find("\r\n\r\n") {
                    let len = text[..end]
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .and_then(|v| v.trim().parse::<usize>().ok())
                        })
                        .unwrap_or(0);
                    if got.len() >= end + 4 + len {
                        break text[end + 4..].to_string();
                    }
                }
                if n == 0 {
                    break String::new();
                }
            };
            let _ = conn
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            bodies.push(body);
        }
        bodies
    });
    (url, handle)
}

#[test]
fn send_webhooks_posts_each_notification_to_the_receiver() {
    let (url, server) = receiver(2, std::time::Duration::from_secs(60));
    // The training directory with the webhook's URL on loopback.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/operator/training");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("simulate-send-webhooks");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            let text = std::fs::read_to_string(&path).unwrap().replace(
                "https://webhook.site/6016d666-7cc1-4f81-bb8f-442ef2a9a400",
                &url,
            );
            std::fs::write(dir.join(path.file_name().unwrap()), text).unwrap();
        }
    }
    let (code, out, err) = promlab(&[
        "simulate",
        dir.to_str().unwrap(),
        "--pings",
        "6",
        "--duration",
        "10m",
        "--restart-app-at",
        "5m",
        "--send-webhooks",
    ]);
    assert_eq!(code, Some(0), "{err}");
    let bodies = server.join().unwrap();
    // What was POSTed is each notification's payload in the timeline,
    // firing then resolved.
    let payloads: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "notification")
        .map(|v| v["payload"].clone())
        .collect();
    let posted: Vec<serde_json::Value> = bodies
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(posted.len(), 2, "{err}");
    assert_eq!(posted, payloads);
    assert_eq!(posted[0]["status"], "firing");
    assert_eq!(posted[1]["status"], "resolved");
    assert_eq!(
        err.lines().filter(|l| l.starts_with("webhook ")).count(),
        2,
        "{err}"
    );
    assert!(
        err.contains("webhook qks-monitoring/config-example/webhook of 2026-")
            && err.contains(&format!("POST {url}: HTTP 200")),
        "{err}"
    );
}
