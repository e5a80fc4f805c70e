//! Selection as the operator does it, case by case
//! (`operator/selection.yaml`): nil and empty selectors, matchExpressions,
//! namespace selectors, and the reasons given for each decision, with the
//! notes about what a selected object generates. The decisions on the
//! simulated cluster's own ServiceMonitors are left out of the cases.

use promlab_core::diagnostic::Severity;
use promlab_core::operator::cluster::ClusterObjects;
use promlab_core::operator::load::LoadOptions;
use promlab_core::operator::objects::{Kind, ObjectKey};
use promlab_core::operator::render::{Note, RenderOptions};
use promlab_core::operator::select::Decision;
use promlab_core::operator::{run, ManifestFile};
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("operator/selection.yaml");

#[derive(Deserialize)]
struct Case {
    name: String,
    manifests: String,
    #[serde(default)]
    decisions: Option<Vec<String>>,
}

/// Whether `key` is one of the cluster's own ServiceMonitors that the
/// case's manifests do not apply again: every case's Prometheus decides on
/// them too, and the cases list only their own objects.
fn builtin(key: &ObjectKey, manifests: &str) -> bool {
    key.kind == Kind::ServiceMonitor
        && ClusterObjects::simulated().is_builtin(key)
        && !manifests.contains(&format!("name: {}\n", key.name))
}

fn decisions(out: &mut Vec<String>, owner: &str, list: &[Decision], m: &str) {
    for d in list.iter().filter(|d| !builtin(&d.object, m)) {
        let verdict = if d.selected() {
            "selected"
        } else {
            "not selected"
        };
        out.push(format!(
            "{owner}: {}: {verdict}: {}",
            d.object,
            d.reasons.join("; and ")
        ));
    }
}

fn notes(out: &mut Vec<String>, list: &[Note], m: &str) {
    for n in list.iter().filter(|n| !builtin(&n.object, m)) {
        let s = if n.severity == Severity::Error {
            "error"
        } else {
            "note"
        };
        out.push(format!("{s}: {}: {}", n.object, n.message));
    }
}

fn describe(manifests: &str) -> Vec<String> {
    let report = run(
        vec![ManifestFile::new("m.yaml", manifests)],
        &LoadOptions::default(),
        &RenderOptions::default(),
    );
    assert!(!report.has_errors(), "{}", report.render_issues());
    let mut out = Vec::new();
    for p in &report.prometheus {
        let owner = p.prometheus.name.to_string();
        decisions(&mut out, &owner, &p.selection.service_monitors, manifests);
        decisions(&mut out, &owner, &p.selection.pod_monitors, manifests);
        decisions(&mut out, &owner, &p.selection.rules, manifests);
        for j in p.jobs.iter().filter(|j| !builtin(&j.source, manifests)) {
            out.push(format!(
                "{owner}: job {} with {} target(s)",
                j.config.job_name,
                j.config.targets.len()
            ));
        }
        notes(&mut out, &p.notes, manifests);
    }
    for a in &report.alertmanager {
        let owner = a.alertmanager.name.to_string();
        decisions(&mut out, &owner, &a.selection, manifests);
        notes(&mut out, &a.notes, manifests);
        for line in a.yaml.lines().filter(|l| l.contains("namespace=\"")) {
            out.push(format!("{owner}: alertmanager.yml: {}", line.trim()));
        }
    }
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn every_decision_is_explained() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    assert!(cases.len() >= 6);
    let mut failures = Vec::new();
    for case in &cases {
        let got = describe(&case.manifests);
        if Some(&got) != case.decisions.as_ref() {
            failures.push(format!(
                "- name: {}\n  decisions:\n{}",
                case.name,
                got.iter()
                    .map(|l| format!("    - {l:?}\n"))
                    .collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join(""));
}
