//! Rule unit tests in promtool's format: every test file in
//! `rules/unittest/` run by the lab, its report (stdout and stderr as
//! promtool prints them) pinned in `rules/unittest.expected`
//! (`UPDATE_EXPECT=1` rewrites it). A file's name says its verdict:
//! `_pass.test.yml` passes, `_fail.test.yml` fails. The same files give
//! the same verdicts under the real promtool (`rules_unittest_promtool.rs`).

use promlab_core::rules::unittest::{run_test_file, Stream};
use wasm_bindgen_test::wasm_bindgen_test;

/// The directory's files, so the test also runs where there are no files.
const FILES: &[(&str, &str)] = &[
    (
        "alerts_series_pass.test.yml",
        include_str!("rules/unittest/alerts_series_pass.test.yml"),
    ),
    (
        "bad_rule_file.rules.yml",
        include_str!("rules/unittest/bad_rule_file.rules.yml"),
    ),
    (
        "bad_rule_file_fail.test.yml",
        include_str!("rules/unittest/bad_rule_file_fail.test.yml"),
    ),
    (
        "bad_series_fail.test.yml",
        include_str!("rules/unittest/bad_series_fail.test.yml"),
    ),
    (
        "eval_between_pass.test.yml",
        include_str!("rules/unittest/eval_between_pass.test.yml"),
    ),
    (
        "eval_error.rules.yml",
        include_str!("rules/unittest/eval_error.rules.yml"),
    ),
    (
        "eval_error_fail.test.yml",
        include_str!("rules/unittest/eval_error_fail.test.yml"),
    ),
    (
        "expr_error_fail.test.yml",
        include_str!("rules/unittest/expr_error_fail.test.yml"),
    ),
    (
        "external.rules.yml",
        include_str!("rules/unittest/external.rules.yml"),
    ),
    (
        "external_pass.test.yml",
        include_str!("rules/unittest/external_pass.test.yml"),
    ),
    (
        "group_order_fail.test.yml",
        include_str!("rules/unittest/group_order_fail.test.yml"),
    ),
    (
        "group_order_pass.test.yml",
        include_str!("rules/unittest/group_order_pass.test.yml"),
    ),
    (
        "keep_firing.rules.yml",
        include_str!("rules/unittest/keep_firing.rules.yml"),
    ),
    (
        "keep_firing_fail.test.yml",
        include_str!("rules/unittest/keep_firing_fail.test.yml"),
    ),
    (
        "keep_firing_pass.test.yml",
        include_str!("rules/unittest/keep_firing_pass.test.yml"),
    ),
    (
        "limit.rules.yml",
        include_str!("rules/unittest/limit.rules.yml"),
    ),
    (
        "limit_fail.test.yml",
        include_str!("rules/unittest/limit_fail.test.yml"),
    ),
    (
        "missing_rule_file_pass.test.yml",
        include_str!("rules/unittest/missing_rule_file_pass.test.yml"),
    ),
    (
        "multi_test_fail.test.yml",
        include_str!("rules/unittest/multi_test_fail.test.yml"),
    ),
    (
        "multi_test_pass.test.yml",
        include_str!("rules/unittest/multi_test_pass.test.yml"),
    ),
    (
        "nan_and_fuzzy_pass.test.yml",
        include_str!("rules/unittest/nan_and_fuzzy_pass.test.yml"),
    ),
    (
        "nan_fail.test.yml",
        include_str!("rules/unittest/nan_fail.test.yml"),
    ),
    (
        "order.rules.yml",
        include_str!("rules/unittest/order.rules.yml"),
    ),
    (
        "recording.rules.yml",
        include_str!("rules/unittest/recording.rules.yml"),
    ),
    (
        "recording_fail.test.yml",
        include_str!("rules/unittest/recording_fail.test.yml"),
    ),
    (
        "recording_pass.test.yml",
        include_str!("rules/unittest/recording_pass.test.yml"),
    ),
    (
        "scalar_and_stale_pass.test.yml",
        include_str!("rules/unittest/scalar_and_stale_pass.test.yml"),
    ),
    (
        "templates.rules.yml",
        include_str!("rules/unittest/templates.rules.yml"),
    ),
    (
        "templates_fail.test.yml",
        include_str!("rules/unittest/templates_fail.test.yml"),
    ),
    (
        "templates_pass.test.yml",
        include_str!("rules/unittest/templates_pass.test.yml"),
    ),
    (
        "training.rules.yml",
        include_str!("rules/unittest/training.rules.yml"),
    ),
    (
        "training_fail.test.yml",
        include_str!("rules/unittest/training_fail.test.yml"),
    ),
    (
        "training_pass.test.yml",
        include_str!("rules/unittest/training_pass.test.yml"),
    ),
    (
        "unknown_field_fail.test.yml",
        include_str!("rules/unittest/unknown_field_fail.test.yml"),
    ),
];

/// Serves the rule files from [`FILES`]; a missing one matches nothing.
fn load(path: &str) -> Result<Vec<(String, String)>, String> {
    Ok(FILES
        .iter()
        .filter(|(name, _)| *name == path)
        .map(|(name, text)| (name.to_string(), text.to_string()))
        .collect())
}

fn render_all() -> String {
    let mut out = String::new();
    let mut tests = 0;
    for (name, text) in FILES.iter().filter(|(n, _)| n.ends_with(".test.yml")) {
        tests += 1;
        let report = run_test_file(name, text, &mut load);
        let want_pass = name.ends_with("_pass.test.yml");
        assert_eq!(report.passed(), want_pass, "{name}: {:?}", report.errors);
        out.push_str(&format!("== {name}\n"));
        for (stream, text) in report.render() {
            let tag = match stream {
                Stream::Stdout => "out",
                Stream::Stderr => "err",
            };
            for line in text.lines() {
                out.push_str(&format!("{tag}| {line}\n"));
            }
        }
    }
    assert!(tests >= 20, "{tests}");
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn unit_test_files_give_promtools_reports() {
    let got = render_all();
    #[cfg(not(target_arch = "wasm32"))]
    expect_test::expect_file!["rules/unittest.expected"].assert_eq(&got);
    #[cfg(target_arch = "wasm32")]
    assert_eq!(got, include_str!("rules/unittest.expected"));
}

#[wasm_bindgen_test(unsupported = test)]
fn every_prefix_of_every_test_file_runs_without_panicking() {
    for (name, text) in FILES.iter().filter(|(n, _)| n.ends_with(".test.yml")) {
        // Cut at line ends: a test file cut mid-line is mostly a YAML error.
        for (end, _) in text.match_indices('\n') {
            let _ = run_test_file(name, &text[..end], &mut load);
        }
    }
}
