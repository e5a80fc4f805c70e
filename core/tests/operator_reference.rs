//! The real tools accept what the lab's operator generates: `promtool check
//! config` takes each `prometheus.yml` together with its rule files (and
//! `promtool check rules` each rule file), `amtool check-config` each
//! `alertmanager.yml`, for the training material's manifests (strict and
//! lenient) and for a richer set under `operator/rich/` (a team namespace,
//! two-port Service, ServiceMonitor with expressions and relabelling,
//! PodMonitor, recording and alerting rules, routes with matchers, inhibit
//! rules, webhook and email receivers, its own Prometheus and
//! Alertmanager).
//!
//! The reference binaries are found in `$PROMLAB_REFERENCE_BIN`, by default
//! `$HOME/.cache/promlab-reference/bin`.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::operator::load::{FieldValidation, LoadOptions};
use promlab_core::operator::render::RenderOptions;
use promlab_core::operator::{run, ManifestFile, Report};
use std::path::{Path, PathBuf};
use std::process::Command;

fn reference_bin(name: &str) -> PathBuf {
    let dir = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/promlab-reference/bin"))
        })
        .expect("set PROMLAB_REFERENCE_BIN or HOME");
    let bin = dir.join(name);
    assert!(
        bin.exists(),
        "{name} not found at {}: run `cargo xtask reference`",
        bin.display()
    );
    bin
}

fn manifests(dir: &str) -> Vec<ManifestFile> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/operator")
        .join(dir);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            ManifestFile::new(
                p.file_name().unwrap().to_string_lossy(),
                std::fs::read_to_string(p).unwrap(),
            )
        })
        .collect()
}

fn check(tool: &str, args: &[&str], dir: &Path) -> (bool, String) {
    let out = Command::new(reference_bin(tool))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// Writes each generated file into a fresh directory and runs the tools.
fn assert_tools_accept(name: &str, report: &Report) {
    assert!(!report.prometheus.is_empty() && !report.alertmanager.is_empty());
    let dir = std::env::temp_dir().join(format!("promlab-operator-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    for p in &report.prometheus {
        std::fs::write(dir.join("prometheus.yml"), &p.yaml).unwrap();
        for r in &p.rule_files {
            std::fs::write(dir.join("rules").join(&r.name), &r.yaml).unwrap();
            let (ok, said) = check(
                "promtool",
                &["check", "rules", &format!("rules/{}", r.name)],
                &dir,
            );
            assert!(
                ok,
                "{name}: promtool check rules {}:\n{said}\n{}",
                r.name, r.yaml
            );
        }
        let (ok, said) = check("promtool", &["check", "config", "prometheus.yml"], &dir);
        assert!(ok, "{name}: promtool check config:\n{said}\n{}", p.yaml);
        // promtool names the rule files its glob found (none: no line).
        let rules = p.rule_files.len();
        assert!(
            rules == 0 || said.contains(&format!("SUCCESS: {rules} rule files found")),
            "{name}: {said}"
        );
    }
    for a in &report.alertmanager {
        std::fs::write(dir.join("alertmanager.yml"), &a.yaml).unwrap();
        let (ok, said) = check("amtool", &["check-config", "alertmanager.yml"], &dir);
        assert!(ok, "{name}: amtool check-config:\n{said}\n{}", a.yaml);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn render(dir: &str, validation: FieldValidation) -> Report {
    let options = LoadOptions {
        validation,
        ..LoadOptions::default()
    };
    let render = RenderOptions {
        rule_files_dir: Some("rules".into()),
    };
    run(manifests(dir), &options, &render)
}

#[test]
fn the_tools_accept_what_the_training_manifests_generate() {
    let strict = render("training", FieldValidation::Strict);
    assert!(strict.has_errors());
    assert_tools_accept("training-strict", &strict);
    let lenient = render("training", FieldValidation::Warn);
    assert!(!lenient.has_errors());
    assert!(lenient.alertmanager[0]
        .yaml
        .contains("qks-monitoring/config-example/webhook"));
    assert_tools_accept("training-warn", &lenient);
}

#[test]
fn the_tools_accept_what_the_rich_manifests_generate() {
    let report = render("rich", FieldValidation::Strict);
    assert!(!report.has_errors(), "{}", report.render_issues());
    assert_eq!(report.prometheus[0].jobs.len(), 4);
    assert!(report.prometheus[0]
        .jobs
        .iter()
        .all(|j| j.config.targets.len() == 2));
    assert_tools_accept("rich", &report);
}

#[test]
fn the_tools_accept_an_empty_set_of_manifests() {
    assert_tools_accept("empty", &render("empty", FieldValidation::Strict));
}
