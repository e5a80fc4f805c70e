//! Relabelling against the table in `testdata/relabel.yml`: every action,
//! the examples of Prometheus's documentation, and where Go's regexes and
//! Rust's differ.

use promlab_core::labels::Labels;
use promlab_core::scrape::config::parse_relabel_configs;
use promlab_core::scrape::relabel::{process, Action};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("testdata/relabel.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    input: BTreeMap<String, String>,
    rules: String,
    #[serde(default)]
    output: Option<BTreeMap<String, String>>,
    #[serde(default)]
    dropped: bool,
}

fn labels(map: &BTreeMap<String, String>) -> Labels {
    Labels::from_pairs(map.iter().map(|(k, v)| (k.as_str(), v.as_str())))
}

#[wasm_bindgen_test(unsupported = test)]
fn relabel_table() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    let mut actions = HashSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        let rules = parse_relabel_configs(&case.rules)
            .unwrap_or_else(|e| panic!("{}: {}", case.name, e.render(&case.rules)));
        actions.extend(rules.iter().map(|r| r.action));
        let got = process(&labels(&case.input), &rules);
        let want = match (&case.output, case.dropped) {
            (Some(out), false) => Some(labels(out)),
            (None, true) => None,
            _ => panic!("{}: give exactly one of output and dropped", case.name),
        };
        if got != want {
            failures.push(format!("{}:\n  got  {got:?}\n  want {want:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for a in Action::ALL {
        assert!(actions.contains(&a), "no case for {a}");
    }
    assert!(cases.len() >= 30);
}
