//! `promlab operator render DIR`, run as a user runs it: the training
//! material's directory as written, a directory with a resource the
//! default Prometheus does not select, lenient validation, the files
//! written with `--out`, and the exit status of each.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
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

fn training() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/operator/training")
}

/// A fresh directory of its own for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promlab-operator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_training_directory_renders_and_the_typo_fails_a_strict_apply() {
    let dir = training();
    let (code, out, _) = promlab(&["operator", "render", dir.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    // What the command prints is the report the snapshot holds, with the
    // files named by their paths.
    let want = std::fs::read_to_string(dir.join("render-strict.txt")).unwrap();
    let prefix = format!("{}/", dir.display());
    assert_eq!(out.replace(&prefix, ""), want);
    assert!(out.contains("did you mean \"sendResolved\"?"));
    assert!(out.contains("alertmanagerconfig.yaml not applied: 1 error"));
}

#[test]
fn lenient_validation_applies_everything_and_writes_the_files() {
    let out_dir = scratch("out");
    let (code, out, _) = promlab(&[
        "operator",
        "render",
        training().to_str().unwrap(),
        "--validate",
        "warn",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("AlertmanagerConfig qks-monitoring/config-example: selected"));
    let prometheus = std::fs::read_to_string(out_dir.join("prometheus.yml")).unwrap();
    assert!(prometheus.contains("- job_name: serviceMonitor/qks-monitoring/prom-example/0"));
    assert!(
        prometheus.contains("rule_files:\n- rules/*.yaml"),
        "{prometheus}"
    );
    let rules: Vec<_> = std::fs::read_dir(out_dir.join("rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(rules.len(), 1);
    assert!(rules[0].starts_with("qks-monitoring-prometheus-example-rules-"));
    let am = std::fs::read_to_string(out_dir.join("alertmanager.yml")).unwrap();
    assert!(am.contains("qks-monitoring/config-example/webhook"));
    let _ = std::fs::remove_dir_all(&out_dir);
}

#[test]
fn a_resource_not_selected_is_shown_with_the_reason() {
    let dir = scratch("unselected");
    std::fs::write(
        dir.join("sm.yaml"),
        "apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: forgotten
  labels: {app: prom-example}
spec:
  selector: {matchLabels: {app: prom-example}}
  endpoints: [{port: metrics}]
",
    )
    .unwrap();
    std::fs::write(
        dir.join("rule.yaml"),
        "apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: other
  labels: {prometheus: other}
spec:
  groups: [{name: g, rules: [{record: r, expr: up}]}]
",
    )
    .unwrap();
    let (code, out, _) = promlab(&["operator", "render", dir.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}");
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("not selected")).collect();
    assert_eq!(
        lines,
        [
            "ServiceMonitor qks-monitoring/forgotten: not selected: serviceMonitorSelector \
             release=qks-monitoring does not match its labels: needs release=qks-monitoring, \
             but there is no label release",
            "PrometheusRule qks-monitoring/other: not selected: ruleSelector \
             prometheus=example,role=alert-rules does not match its labels: needs \
             prometheus=example, but prometheus=other",
        ]
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_directory_that_cannot_be_read_exits_2() {
    let (code, _, err) = promlab(&["operator", "render", "/nonexistent/promlab-operator"]);
    assert_eq!(code, Some(2));
    assert!(err.starts_with("error: cannot read "), "{err}");
}
