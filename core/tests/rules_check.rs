//! Reading rule files: the table in `rules/check_rules.yml`, read by the
//! lab, with every verdict and error (position, kind, message) pinned in
//! `rules/check_rules.expected` (`UPDATE_EXPECT=1` rewrites it).

use promlab_core::rules::config::{duplicate_rules, parse_rule_file};
use serde::Deserialize;
use wasm_bindgen_test::wasm_bindgen_test;

const CASES: &str = include_str!("rules/check_rules.yml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    file: String,
}

fn render_all() -> String {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    assert!(cases.len() >= 40, "{}", cases.len());
    let mut out = String::new();
    for case in &cases {
        out.push_str(&format!("== {}\n", case.name));
        match parse_rule_file(&case.file) {
            Ok(file) => {
                out.push_str(&format!("ok: {} rules\n", file.rule_count()));
                let dups = duplicate_rules(&file);
                if !dups.is_empty() {
                    out.push_str(&format!("lint: {} duplicate rule(s)\n", dups.len()));
                }
            }
            Err(errors) => {
                for e in errors {
                    let kind = format!("{:?}", e.kind);
                    let kind = kind.split('(').next().unwrap_or_default();
                    let first = e.render(&case.file);
                    let first = first.lines().next().unwrap_or_default();
                    out.push_str(&format!("{kind}: {first}\n"));
                }
            }
        }
    }
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn check_rules_table() {
    let got = render_all();
    #[cfg(not(target_arch = "wasm32"))]
    expect_test::expect_file!["rules/check_rules.expected"].assert_eq(&got);
    #[cfg(target_arch = "wasm32")]
    assert_eq!(got, include_str!("rules/check_rules.expected"));
}

#[wasm_bindgen_test(unsupported = test)]
fn every_prefix_of_every_case_reads_without_panicking() {
    let cases: Vec<Case> = serde_saphyr::from_str(CASES).unwrap();
    for case in &cases {
        let text = &case.file;
        for end in (0..=text.len()).filter(|i| text.is_char_boundary(*i)) {
            let _ = parse_rule_file(&text[..end]);
        }
    }
}
