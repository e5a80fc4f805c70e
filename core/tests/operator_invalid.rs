//! A table of manifests with mistakes (`operator/invalid.yaml`) and what
//! the lab says about each: the severity, the YAML path, the line and
//! column in the manifest, the message with its suggestion, and the hint.
//! A manifest with an error is never applied.

use promlab_core::diagnostic::Severity;
use promlab_core::operator::load::{load, LoadOptions};
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("operator/invalid.yaml");

#[derive(Deserialize)]
struct Case {
    name: String,
    manifest: String,
    #[serde(default)]
    issues: Option<Vec<String>>,
}

/// Each issue as one line, and its hint as a line after it.
fn describe(manifest: &str) -> Vec<String> {
    let out = load(manifest, &LoadOptions::default());
    let mut lines = Vec::new();
    for i in &out.issues {
        let severity = match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        lines.push(format!(
            "{severity} {} {}: {}",
            if i.path.is_empty() { "-" } else { &i.path },
            i.position(manifest),
            i.message
        ));
        if let Some(h) = &i.hint {
            lines.push(format!("hint: {h}"));
        }
    }
    if out.has_errors() {
        assert!(out.objects.is_empty(), "an object with errors was loaded");
        assert!(!out.refused.is_empty());
    }
    lines
}

#[wasm_bindgen_test(unsupported = test)]
fn every_mistake_is_reported_where_it_is() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    assert!(cases.len() >= 25);
    let mut failures = Vec::new();
    for case in &cases {
        let got = describe(&case.manifest);
        let want = case.issues.clone().unwrap_or_default();
        if got != want {
            failures.push(format!(
                "- name: {}\n  issues:\n{}",
                case.name,
                got.iter()
                    .map(|l| format!("    - {l:?}\n"))
                    .collect::<String>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join(""));
}

#[wasm_bindgen_test(unsupported = test)]
fn every_case_has_an_issue_and_every_span_renders() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    for case in &cases {
        let out = load(&case.manifest, &LoadOptions::default());
        assert!(!out.issues.is_empty(), "{}", case.name);
        for i in &out.issues {
            assert!(i.span.end <= case.manifest.len(), "{}", case.name);
            assert!(case.manifest.is_char_boundary(i.span.start));
            let rendered = i.render(&case.manifest, "m.yaml");
            assert!(rendered.starts_with("m.yaml:"), "{rendered}");
        }
    }
}
