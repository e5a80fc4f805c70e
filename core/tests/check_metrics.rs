//! `exposition::lint` on a table of small pages (in `check_metrics_cases`):
//! every page gives exactly its findings, in promtool's order; findings
//! carry their kind and point at their lines. `check_metrics_promtool.rs`
//! holds the same table against the real promtool.

mod check_metrics_cases;

use check_metrics_cases::CASES;
use promlab_core::exposition::lint::{self, Finding};
use promlab_core::exposition::{self, Format, LintKind};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test(unsupported = test)]
fn every_page_gives_its_findings() {
    let mut failures = Vec::new();
    for case in CASES {
        let found: Vec<String> = match exposition::parse_with(case.page, case.format) {
            Ok(page) => lint::lint_with(&page, case.format)
                .iter()
                .map(|f| f.to_string())
                .collect(),
            Err(e) => vec![format!("parse error: {}", e.render(case.page))],
        };
        if found != case.findings {
            failures.push(format!(
                "{}: found {found:#?}, want {:#?}",
                case.name, case.findings
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_text_is_the_kinds_text() {
    for case in CASES {
        let page = exposition::parse_with(case.page, case.format).unwrap();
        for f in lint::lint_with(&page, case.format) {
            assert_eq!(f.text, f.kind.to_string(), "{}", case.name);
            assert!(f.span.is_some(), "{}: {f} has no span", case.name);
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn findings_carry_what_they_found() {
    let src = "# HELP wait_ms x\n\
               # TYPE wait_ms histogram\n\
               wait_ms_bucket{le=\"1\",podName=\"a\"} 1\n\
               wait_ms_count{podName=\"a\"} 1\n\
               # HELP copy_kilobytes x\n\
               # TYPE copy_kilobytes gauge\n\
               copy_kilobytes 1\n";
    let page = exposition::parse(src).unwrap();
    let kinds: Vec<Finding> = lint::lint(&page).into_iter().map(|f| f.kind).collect();
    assert_eq!(
        kinds,
        [
            Finding::NonBaseUnit {
                unit: "kilobytes".into(),
                base: "bytes"
            },
            Finding::CamelCaseLabel {
                label: "podName".into()
            },
            Finding::AbbreviatedUnit("ms"),
            Finding::Exposition(LintKind::MissingInfBucket {
                name: "wait_ms".into()
            }),
        ]
    );
    assert!(kinds.iter().take(3).all(Finding::is_promlint));
    assert!(!kinds[3].is_promlint());
}

#[wasm_bindgen_test(unsupported = test)]
fn findings_point_at_their_lines() {
    let src = "# HELP jobs Jobs.\n\
               # TYPE jobs counter\n\
               jobs{q=\"a\"} 1\n\
               jobs{q=\"b\",workerId=\"7\"} 1\n\
               jobs{q=\"a\"} 2\n\
               # HELP jobs Again.\n";
    let page = exposition::parse(src).unwrap();
    let rendered: String = lint::lint(&page)
        .iter()
        .filter_map(|f| f.to_diagnostic())
        .map(|d| d.render(src))
        .collect();
    expect_test::expect![[r#"
        3:1: jobs: counter metrics should have "_total" suffix
          jobs{q="a"} 1
          ^^^^^^^^^^^^^
        4:1: jobs: label names should be written in 'snake_case' not 'camelCase'
          jobs{q="b",workerId="7"} 1
          ^^^^^^^^^^^^^^^^^^^^^^^^^^
        5:1: jobs: metric not unique
          jobs{q="a"} 2
          ^^^^^^^^^^^^^
        6:8: metadata for "jobs" after its samples
          # HELP jobs Again.
                 ^^^^
        6:8: second HELP line for metric family "jobs"
          # HELP jobs Again.
                 ^^^^
    "#]]
    .assert_eq(&rendered);
}

#[wasm_bindgen_test(unsupported = test)]
fn a_page_without_samples_has_no_findings() {
    for (src, format) in [
        ("", Format::Text004),
        ("# HELP a x\n# TYPE a counter\n", Format::Text004),
        ("# TYPE a counter\n# EOF\n", Format::OpenMetrics1),
    ] {
        let page = exposition::parse_with(src, format).unwrap();
        assert_eq!(lint::lint_with(&page, format), [], "{src:?}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn every_prefix_of_every_page_lints_without_panicking() {
    let mut linted = 0;
    for case in CASES {
        for (cut, _) in case.page.char_indices() {
            let src = &case.page[..cut];
            for format in [Format::Text004, Format::OpenMetrics1] {
                if let Ok(page) = exposition::parse_with(src, format) {
                    let found = lint::lint_with(&page, format);
                    linted += 1;
                    // Every finding names a family or a sample of the page.
                    for f in found {
                        assert!(
                            f.metric.is_empty()
                                || src.contains(f.metric.trim_end_matches("_total")),
                            "{}: {f}",
                            case.name
                        );
                    }
                }
            }
        }
    }
    assert!(linted > 100, "only {linted} prefixes parsed");
}
