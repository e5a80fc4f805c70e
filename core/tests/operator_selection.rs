//! Selection as the operator does it, case by case
//! (`operator/selection.yaml`): nil and empty selectors, matchExpressions,
//! namespace selectors, and the reasons given for each decision, with the
//! notes about what a selected object generates.

use promlab_core::diagnostic::Severity;
use promlab_core::operator::load::LoadOptions;
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

fn decisions(out: &mut Vec<String>, owner: &str, list: &[Decision]) {
    for d in list {
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

fn notes(out: &mut Vec<String>, list: &[Note]) {
    for n in list {
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
        decisions(&mut out, &owner, &p.selection.service_monitors);
        decisions(&mut out, &owner, &p.selection.pod_monitors);
        decisions(&mut out, &owner, &p.selection.rules);
        for j in &p.jobs {
            out.push(format!(
                "{owner}: job {} with {} target(s)",
                j.config.job_name,
                j.config.targets.len()
            ));
        }
        notes(&mut out, &p.notes);
    }
    for a in &report.alertmanager {
        let owner = a.alertmanager.name.to_string();
        decisions(&mut out, &owner, &a.selection);
        notes(&mut out, &a.notes);
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
