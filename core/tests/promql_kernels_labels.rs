//! The label kernels against the `label_replace`, `label_join`, `absent`
//! and `absent_over_time` cases of Prometheus's `functions.test`, plus Go's
//! expansion rules and Prometheus's error texts (as promtool 3.5 printed
//! them).

use promlab_core::labels::Labels;
use promlab_core::promql::kernels::labels::{
    absent_labels, label_join, label_replace, LabelJoin, LabelReplace,
};
use promlab_core::promql::{parse, Expr};
use wasm_bindgen_test::wasm_bindgen_test;

fn testmetric(src: &str) -> Labels {
    Labels::from_pairs([
        ("__name__", "testmetric"),
        ("src", src),
        ("dst", "original-destination-value"),
    ])
}

fn show(l: &Labels) -> String {
    l.to_string()
}

#[wasm_bindgen_test(unsupported = test)]
fn label_replace_as_functions_test() {
    let cases: &[(&str, &str, &str, &str, [&str; 2])] = &[
        // A full-string match and replace.
        (
            "dst",
            "destination-value-$1",
            "src",
            "source-value-(.*)",
            ["destination-value-10", "destination-value-20"],
        ),
        // No substring match.
        (
            "dst",
            "destination-value-$1",
            "src",
            "value-(.*)",
            ["original-destination-value"; 2],
        ),
        // Several groups.
        (
            "dst",
            "$1-value-$2",
            "src",
            "(.*)-value-(.*)",
            ["source-value-10", "source-value-20"],
        ),
        // A missing source label does not match "source-value-(.*)"...
        (
            "dst",
            "value-$1",
            "nonexistent-src",
            "source-value-(.*)",
            ["original-destination-value"; 2],
        ),
        // ...but is the empty string, which "(.*)" matches.
        ("dst", "value-$1", "nonexistent-src", "(.*)", ["value-"; 2]),
        (
            "dst",
            "value-$1",
            "src",
            "non-matching-regex",
            ["original-destination-value"; 2],
        ),
        // An empty result removes the label.
        ("dst", "", "dst", ".*", [""; 2]),
    ];
    for (dst, replacement, src, regex, wants) in cases {
        for (input, want) in ["source-value-10", "source-value-20"]
            .into_iter()
            .zip(wants)
        {
            let out = label_replace(&testmetric(input), dst, replacement, src, regex).unwrap();
            assert_eq!(
                out.get("dst"),
                *want,
                "label_replace(…, {dst:?}, {replacement:?}, {src:?}, {regex:?}) of {input}"
            );
            assert_eq!(out.get("src"), input);
            assert_eq!(out.metric_name(), "testmetric");
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn label_replace_expands_as_go() {
    let l = Labels::from_pairs([("a", "1")]);
    // As promtool answered: `$1w` names the group "1w" (empty), `$$` is a
    // dollar, and any non-empty name is a valid label name in Prometheus 3.
    let out = label_replace(&l, "a-b.c", "v$1w", "a", "(.*)").unwrap();
    assert_eq!(out.get("a-b.c"), "v");
    assert_eq!(out.len(), 2);
    let out = label_replace(&l, "d", "${1}x$1x$$", "a", "(.*)").unwrap();
    assert_eq!(out.get("d"), "1x$");
    let out = label_replace(&l, "d", "${name}", "a", "(?P<name>\\d)").unwrap();
    assert_eq!(out.get("d"), "1");
    // Go's \d is ASCII only.
    let arabic = Labels::from_pairs([("a", "٣")]);
    assert_eq!(
        label_replace(&arabic, "d", "x", "a", "\\d").unwrap(),
        arabic
    );
    // Setting __name__ keeps the new name through name-dropping functions.
    let r = LabelReplace::new("__name__", "renamed", "a", ".*").unwrap();
    assert!(r.sets_metric_name());
    assert_eq!(r.apply(&l).metric_name(), "renamed");
}

#[wasm_bindgen_test(unsupported = test)]
fn label_function_errors_are_prometheus_texts() {
    let l = testmetric("x");
    let errors = [
        label_replace(&l, "dst", "value-$1", "src", "(.*").unwrap_err(),
        label_replace(&l, "", "v", "a", "(.*)").unwrap_err(),
        // The regex is checked before the destination.
        label_replace(&l, "", "v", "a", "(").unwrap_err(),
        label_join(&l, "d", "-", &[""]).unwrap_err(),
        label_join(&l, "", "-", &["a"]).unwrap_err(),
        // The sources are checked before the destination.
        label_join(&l, "", "-", &["a", ""]).unwrap_err(),
    ];
    let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "invalid regular expression in label_replace(): (.*",
            "invalid destination label name in label_replace(): ",
            "invalid regular expression in label_replace(): (",
            "invalid source label name in label_join(): ",
            "invalid destination label name in label_join(): ",
            "invalid source label name in label_join(): ",
        ]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn label_join_as_functions_test() {
    let metric = |a: &str, b: &str, c: &str| {
        Labels::from_pairs([
            ("__name__", "testmetric"),
            ("src", a),
            ("src1", b),
            ("src2", c),
            ("dst", "original-destination-value"),
        ])
    };
    let inputs = [metric("a", "b", "c"), metric("d", "e", "f")];
    let cases: &[(&str, &[&str], [&str; 2])] = &[
        ("-", &["src", "src1", "src2"], ["a-b-c", "d-e-f"]),
        // Missing sources are empty strings.
        ("-", &["src", "src3", "src1"], ["a--b", "d--e"]),
        // An empty result removes the destination.
        ("", &["emptysrc", "emptysrc1", "emptysrc2"], ["", ""]),
        (", ", &[], ["", ""]),
    ];
    for (sep, srcs, wants) in cases {
        for (input, want) in inputs.iter().zip(wants) {
            let out = label_join(input, "dst", sep, srcs).unwrap();
            assert_eq!(
                out.get("dst"),
                *want,
                "label_join(…, \"dst\", {sep:?}, {srcs:?})"
            );
            assert_eq!(out.get("src"), input.get("src"));
        }
    }
    // A destination that was not there is created.
    let l = Labels::from_pairs([("src", "foo"), ("src1", "bar"), ("src2", "foobar")]);
    let join = LabelJoin::new("dst", ", ", &["src", "src1", "src2"]).unwrap();
    assert_eq!(join.apply(&l).get("dst"), "foo, bar, foobar");
    assert!(!join.sets_metric_name());
}

/// The matchers of a selector as the parser builds them.
fn matchers(selector: &str) -> Vec<promlab_core::labels::Matcher> {
    match parse(selector).unwrap() {
        Expr::VectorSelector(vs) => vs.matchers,
        Expr::MatrixSelector(ms) => ms.selector.matchers,
        other => panic!("not a selector: {other:?}"),
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn absent_labels_as_functions_test() {
    let cases = [
        ("nonexistent", "{}"),
        (
            r#"nonexistent{job="testjob", instance="testinstance", method=~".x"}"#,
            r#"{instance="testinstance", job="testjob"}"#,
        ),
        (
            r#"nonexistent{job="testjob",job="testjob2",foo="bar"}"#,
            r#"{foo="bar"}"#,
        ),
        (
            r#"nonexistent{job="testjob",job="testjob2",job="three",foo="bar"}"#,
            r#"{foo="bar"}"#,
        ),
        (
            r#"nonexistent{job="testjob",job=~"testjob2",foo="bar"}"#,
            r#"{foo="bar"}"#,
        ),
        (r#"http_requests_total[5m]"#, "{}"),
        (
            r#"http_requests_total{handler="/foo"}[5m]"#,
            r#"{handler="/foo"}"#,
        ),
        (r#"http_requests_total{handler!="/foo"}[5m]"#, "{}"),
        (
            r#"http_requests_total{handler="/foo", handler="/bar", handler="/foobar"}[5m]"#,
            "{}",
        ),
        (
            r#"http_requests_total{handler="/foo", handler="/bar", instance="127.0.0.1"}[5m]"#,
            r#"{instance="127.0.0.1"}"#,
        ),
        (r#"{instance="127.0.0.1"}[5m]"#, r#"{instance="127.0.0.1"}"#),
        (r#"{job="grok"}[20m]"#, r#"{job="grok"}"#),
        // A regex matcher before the equality does not remove it.
        (r#"x{job=~"a", job="b"}"#, r#"{job="b"}"#),
    ];
    for (selector, want) in cases {
        assert_eq!(
            show(&absent_labels(&matchers(selector))),
            want,
            "absent({selector})"
        );
    }
}
