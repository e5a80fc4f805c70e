//! Rule evaluation, scenario by scenario: the cases of
//! `rules/eval_cases.yml` run through the [`RuleManager`] over a TSDB,
//! every evaluation printed (each alert's state, activeAt, firedAt,
//! resolvedAt; what is sent to the Alertmanager; the samples written) and
//! pinned in `rules/eval.expected` (`UPDATE_EXPECT=1` rewrites it). Times
//! are seconds from the start.

use promlab_core::labels::Matcher;
use promlab_core::promql::promqltest::series::{parse_series_desc, SequenceValue};
use promlab_core::promql::Engine;
use promlab_core::rules::config::parse_rule_file;
use promlab_core::rules::group::Rule;
use promlab_core::rules::manager::{ManagerOptions, RuleManager};
use promlab_core::tsdb::{is_stale_marker, Head, Querier};
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("rules/eval_cases.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    interval: String,
    until: String,
    series: Vec<String>,
    rules: String,
}

fn secs(t: i64) -> String {
    if t % 1000 == 0 {
        format!("{}s", t / 1000)
    } else {
        format!("{:.3}s", t as f64 / 1000.0)
    }
}

fn opt(t: Option<i64>) -> String {
    t.map_or("-".to_string(), secs)
}

fn run(case: &Case) -> String {
    let interval = promlab_core::duration::parse_duration(&case.interval).unwrap();
    let until = promlab_core::duration::parse_duration(&case.until).unwrap();
    let mut head = Head::new();
    for s in &case.series {
        let desc = parse_series_desc(s).unwrap();
        for (i, v) in desc.values.iter().enumerate() {
            if let SequenceValue::Float(v) = v {
                head.append(&desc.labels, i as i64 * interval, *v).unwrap();
            }
        }
    }
    let file = parse_rule_file(&case.rules).unwrap();
    let mut manager = RuleManager::new(ManagerOptions {
        restore_for_state: false,
        ..ManagerOptions::default()
    });
    manager.load(&[("rules.yml".to_string(), file)], 0);
    let mut engine = Engine::default();
    let mut out = String::new();
    while let Some(t) = manager.next_evaluation().filter(|t| *t <= until) {
        let batches = manager.evaluate_due(t, &mut engine, &mut head);
        for g in manager.groups() {
            if g.last_evaluation != Some(t) {
                continue;
            }
            out.push_str(&format!(
                "{} {} ({} samples)\n",
                secs(t),
                g.name,
                g.last_samples
            ));
            for r in &g.rules {
                if let Some(e) = r.last_error() {
                    out.push_str(&format!("  {} error: {e}\n", r.name()));
                }
                match r {
                    Rule::Alerting(a) => {
                        for alert in a.active.values() {
                            out.push_str(&format!(
                                "  {} {:?} value={} active={} fired={} resolved={} {:?}\n",
                                alert.labels,
                                alert.state,
                                alert.value,
                                secs(alert.active_at),
                                opt(alert.fired_at),
                                opt(alert.resolved_at),
                                alert.annotations,
                            ));
                        }
                    }
                    Rule::Recording(rr) => {
                        let m = [Matcher::equal("__name__", rr.name.clone())];
                        for s in head.select(&m, t, t) {
                            for sample in &s.samples {
                                let v = if is_stale_marker(sample.v) {
                                    "stale".to_string()
                                } else {
                                    sample.v.to_string()
                                };
                                out.push_str(&format!("  {} {v}\n", s.labels));
                            }
                        }
                    }
                }
            }
        }
        for b in batches {
            for a in b.alerts {
                out.push_str(&format!(
                    "  send {} startsAt={} endsAt={}\n",
                    a.labels,
                    secs(a.starts_at),
                    secs(a.ends_at)
                ));
            }
        }
    }
    out
}

fn render_all() -> String {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    assert!(cases.len() >= 7);
    cases
        .iter()
        .map(|c| format!("== {}\n{}", c.name, run(c)))
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn rule_evaluation_scenarios() {
    let got = render_all();
    #[cfg(not(target_arch = "wasm32"))]
    expect_test::expect_file!["rules/eval.expected"].assert_eq(&got);
    #[cfg(target_arch = "wasm32")]
    assert_eq!(got, include_str!("rules/eval.expected"));
}
