use super::*;
use wasm_bindgen_test::wasm_bindgen_test;

const PAGE: &str = r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# A normal comment.
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf -3982045
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
nan_value NaN
"#;

#[wasm_bindgen_test(unsupported = test)]
fn parses_the_format_documentation_example() {
    let page = parse(PAGE).unwrap();
    let lines: Vec<String> = page
        .samples
        .iter()
        .map(|s| format!("{} {} {:?}", s.labels, format_float(s.value), s.timestamp))
        .collect();
    expect_test::expect![[r#"
        [
            "http_requests_total{code=\"200\", method=\"post\"} 1027 Some(1395066363000)",
            "http_requests_total{code=\"400\", method=\"post\"} 3 Some(1395066363000)",
            "msdos_file_access_time_seconds{error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\", path=\"C:\\\\DIR\\\\FILE.TXT\"} 1458255915 None",
            "metric_without_timestamp_and_labels 12.47 None",
            "something_weird{problem=\"division by zero\"} +Inf Some(-3982045)",
            "rpc_duration_seconds{quantile=\"0.5\"} 4773 None",
            "rpc_duration_seconds_sum 17560473 None",
            "rpc_duration_seconds_count 2693 None",
            "nan_value NaN None",
        ]
    "#]]
    .assert_debug_eq(&lines);
    assert_eq!(page.metadata.len(), 2);
    assert_eq!(
        page.metadata[0].help.as_deref(),
        Some("The total number of HTTP requests.")
    );
    assert_eq!(page.metadata[0].metric_type, Some(MetricType::Counter));
    assert_eq!(page.metadata[1].metric_type, Some(MetricType::Summary));
    // The path label value holds single backslashes after unescaping.
    assert_eq!(page.samples[2].labels.get("path"), r"C:\DIR\FILE.TXT");
}

/// Each broken page, and where and what the error says.
#[wasm_bindgen_test(unsupported = test)]
fn errors_name_line_column_and_what_was_expected() {
    let cases = [
        ("up 1\nup{job=\"a\" 1\n", "2:12: expected ',' or '}' after the label value, found '1'"),
        ("up{job=\"a} 1\n", "1:13: expected '\"' to close the label value, found end of line"),
        ("up 1x\n", "1:4: invalid sample value \"1x\": expected a float, NaN, +Inf or -Inf"),
        ("up 1 12.5\n", "1:6: invalid timestamp \"12.5\": expected an integer number of milliseconds"),
        ("up{a=\"\\t\"} 1\n", "1:7: invalid escape \\t in label value: expected \\\\, \\\" or \\n"),
        ("up{a=\"1\",a=\"2\"} 1\n", "1:10: label \"a\" appears twice on this line"),
        ("# TYPE up gauges\n", "1:11: unknown metric type \"gauges\": expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE up gauge\n# TYPE up gauge\n", "2:8: second TYPE line for metric family \"up\""),
        ("up\n", "1:3: expected a sample value, found end of line"),
        ("1up 1\n", "1:1: expected a metric name or '#', found '1'"),
        ("up{é=\"1\"} 1\n", "1:4: expected a label name or '}', found 'é'"),
        ("up 1 2 3\n", "1:8: expected end of line after the timestamp, found '3'"),
    ];
    for (page, want) in cases {
        let err = parse(page).expect_err(page);
        let rendered = err.render(page);
        let first = rendered.lines().next().unwrap();
        assert_eq!(first, want, "page {page:?}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn error_spans_cover_the_bad_token() {
    let page = "ok 1\nbad 12abc\n";
    let err = parse(page).unwrap_err();
    assert_eq!(err.span.slice(page), "12abc");
    assert!(matches!(err.kind, ErrorKind::InvalidValue(_)));
}

#[wasm_bindgen_test(unsupported = test)]
fn crlf_line_ends_and_blank_lines_are_accepted() {
    let page = parse("a 1\r\n\r\n  \nb{x=\"y\"} 2\r\n").unwrap();
    assert_eq!(page.samples.len(), 2);
    assert_eq!(page.samples[1].labels.get("x"), "y");
}

#[wasm_bindgen_test(unsupported = test)]
fn written_pages_parse_back_to_the_same_samples() {
    let families = vec![
        MetricFamily {
            name: "ping_request_count".into(),
            help: "No of request handled by Ping handler".into(),
            unit: String::new(),
            metric_type: MetricType::Counter,
            samples: vec![FamilySample::new(
                Labels::from_pairs([("__name__", "ping_request_count")]),
                6.0,
            )],
        },
        MetricFamily {
            name: "weird".into(),
            help: "back\\slash and\nnewline".into(),
            unit: String::new(),
            metric_type: MetricType::Gauge,
            samples: vec![
                FamilySample::new(
                    Labels::from_pairs([("__name__", "weird"), ("v", "a\"b\\c\nd")]),
                    f64::NEG_INFINITY,
                ),
                FamilySample::new(Labels::from_pairs([("__name__", "weird"), ("v", "x")]), 0.1),
            ],
        },
    ];
    let text = write(&families);
    expect_test::expect![[r#"
        # HELP ping_request_count No of request handled by Ping handler
        # TYPE ping_request_count counter
        ping_request_count 6
        # HELP weird back\\slash and\nnewline
        # TYPE weird gauge
        weird{v="a\"b\\c\nd"} -Inf
        weird{v="x"} 0.1
    "#]]
    .assert_eq(&text);
    let page = parse(&text).unwrap();
    let got: Vec<(Labels, f64)> = page
        .samples
        .into_iter()
        .map(|s| (s.labels, s.value))
        .collect();
    let want: Vec<(Labels, f64)> = families
        .iter()
        .flat_map(|f| f.samples.iter().map(|s| (s.labels.clone(), s.value)))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        page.metadata[1].help.as_deref(),
        Some("back\\slash and\nnewline")
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn arbitrary_bytes_never_panic() {
    // A cheap sweep over truncations of a valid page: every prefix either
    // parses or fails with a span inside the page.
    for end in 0..=PAGE.len() {
        if !PAGE.is_char_boundary(end) {
            continue;
        }
        let prefix = &PAGE[..end];
        if let Err(e) = parse(prefix) {
            assert!(e.span.end <= prefix.len(), "{prefix:?}: {e:?}");
        }
    }
}
