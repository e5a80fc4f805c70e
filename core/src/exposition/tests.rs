use super::*;
use wasm_bindgen_test::wasm_bindgen_test;

const PAGE: &str = r#"# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000

# A normal comment.
msdos_file_access_time_seconds{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf 3982045
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
nan_value NaN
"#;

/// Samples as one line each: labels, value, timestamp, exemplar.
fn lines(page: &Page) -> Vec<String> {
    page.samples
        .iter()
        .map(|s| {
            let mut line = format!("{} {}", s.labels, format_float(s.value));
            if let Some(t) = s.timestamp {
                line.push_str(&format!(" @{t}"));
            }
            if let Some(e) = &s.exemplar {
                line.push_str(&format!(" # {} {}", e.labels, format_float(e.value)));
                if let Some(t) = e.timestamp {
                    line.push_str(&format!(" @{t}s"));
                }
            }
            line
        })
        .collect()
}

fn first_line(err: &ExpositionError, page: &str) -> String {
    err.render(page).lines().next().unwrap_or("").to_string()
}

#[wasm_bindgen_test(unsupported = test)]
fn parses_the_format_documentation_example() {
    let page = parse(PAGE).unwrap();
    expect_test::expect![[r#"
        [
            "http_requests_total{code=\"200\", method=\"post\"} 1027 @1395066363000",
            "http_requests_total{code=\"400\", method=\"post\"} 3 @1395066363000",
            "msdos_file_access_time_seconds{error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\", path=\"C:\\\\DIR\\\\FILE.TXT\"} 1458255915",
            "metric_without_timestamp_and_labels 12.47",
            "something_weird{problem=\"division by zero\"} +Inf @3982045",
            "rpc_duration_seconds{quantile=\"0.5\"} 4773",
            "rpc_duration_seconds_sum 17560473",
            "rpc_duration_seconds_count 2693",
            "nan_value NaN",
        ]
    "#]]
    .assert_debug_eq(&lines(&page));
    assert_eq!(page.metadata.len(), 2);
    assert_eq!(
        page.metadata[0].help.as_deref(),
        Some("The total number of HTTP requests.")
    );
    assert_eq!(page.metadata[0].metric_type, Some(MetricType::Counter));
    assert_eq!(page.metadata[1].metric_type, Some(MetricType::Summary));
    // The path label value holds single backslashes after unescaping.
    assert_eq!(page.samples[2].labels.get("path"), r"C:\DIR\FILE.TXT");
    assert_eq!(page.lints, vec![]);
}

/// Each broken text-format page, and where and what the error says. Every
/// page here also fails a scrape by Prometheus 3.5.
#[wasm_bindgen_test(unsupported = test)]
fn text_errors_name_line_column_and_what_was_expected() {
    let cases = [
        ("up 1\nup{job=\"a\" 1\n", "2:12: expected ',' or '}' after the label value, found '1'"),
        ("up{job=\"a} 1\n", "1:8: expected '\"' to close the label value, found end of input"),
        ("up 1x\n", "1:4: invalid sample value \"1x\": expected a float, NaN, +Inf or -Inf"),
        ("up 1 12.5\n", "1:6: invalid timestamp \"12.5\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("up 1 -5\n", "1:6: invalid timestamp \"-5\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("up 1 99999999999999999999\n", "1:6: invalid timestamp \"99999999999999999999\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("up{a=\"x\\\ny\"} 1\n", "1:8: a backslash before a line break: expected an escaped character inside the quotes"),
        ("up{a=\"1\",a=\"2\"} 1\n", "1:10: label \"a\" appears twice on this line"),
        ("up{__name__=\"x\"} 1\n", "1:4: label \"__name__\" appears twice on this line"),
        ("# TYPE up gauges\n", "1:11: unknown metric type \"gauges\": expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE up unknown\n", "1:11: unknown metric type \"unknown\": expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE up counter \n", "1:11: unknown metric type \"counter \": expected counter, gauge, histogram, summary or untyped"),
        ("# TYPE up\n", "1:10: expected a metric type, found end of line"),
        ("# HELP \n", "1:8: expected a metric name after HELP, found end of line"),
        ("up\n", "1:3: expected a sample value, found end of line"),
        ("1up 1\n", "1:1: expected a metric name or '#', found '1'"),
        ("ü 1\n", "1:1: expected a metric name or '#', found 'ü'"),
        ("up{é=\"1\"} 1\n", "1:4: expected a label name or '}', found 'é'"),
        ("up{b:c=\"1\"} 1\n", "1:5: expected '=' after the label name, found ':'"),
        ("up 1 2 3\n", "1:8: expected end of line after the timestamp, found '3'"),
        ("up 1\r\n", "1:4: invalid sample value \"1\\r\": expected a float, NaN, +Inf or -Inf"),
        ("up 1e400\n", "1:4: invalid sample value \"1e400\": expected a float, NaN, +Inf or -Inf"),
        ("up +nan\n", "1:4: invalid sample value \"+nan\": expected a float, NaN, +Inf or -Inf"),
        ("up 0x10\n", "1:4: invalid sample value \"0x10\": expected a float, NaN, +Inf or -Inf"),
        ("{} 1\n", "1:1: missing metric name: expected a name before '{' or a quoted name inside it"),
        ("{a=\"1\"} 1\n", "1:1: missing metric name: expected a name before '{' or a quoted name inside it"),
        ("{\"\"} 1\n", "1:2: missing metric name: expected a name before '{' or a quoted name inside it"),
        ("up{\"x\"} 1\n", "1:4: metric name given twice: expected either a name before '{' or a quoted name inside it"),
        ("{\"up\", \"\"=\"x\"} 1\n", "1:8: empty label name: expected a non-empty name"),
        ("up 1{\n", "1:5: invalid timestamp \"{\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("up{a=\"1\"} {\n", "1:11: expected a sample value, found '{'"),
    ];
    for (page, want) in cases {
        let err = parse(page).expect_err(page);
        assert_eq!(first_line(&err, page), want, "page {page:?}");
    }
}

/// The same for OpenMetrics pages.
#[wasm_bindgen_test(unsupported = test)]
fn openmetrics_errors_name_line_column_and_what_was_expected() {
    let cases = [
        ("a 1\n", "2:1: data does not end with # EOF: expected '# EOF' as the last line"),
        ("a 1", "1:4: data does not end with # EOF: expected '# EOF' as the last line"),
        ("a 1\n# EOF\nb 1\n", "3:1: unexpected data after # EOF: expected the end of the page"),
        ("# EOF\n# EOF\n", "2:1: unexpected data after # EOF: expected the end of the page"),
        ("a 1\n# EOF \n", "2:6: unexpected data after # EOF: expected the end of the page"),
        ("a 1\n\n# EOF\n", "2:1: expected a metric name, '{' or '# ', found end of line"),
        (" a 1\n# EOF\n", "1:1: expected a metric name, '{' or '# ', found ' '"),
        ("# hello\na 1\n# EOF\n", "1:3: expected HELP, TYPE, UNIT or EOF after '# ', found 'h'"),
        ("#  TYPE a gauge\n# EOF\n", "1:3: expected HELP, TYPE, UNIT or EOF after '# ', found ' '"),
        ("#TYPE a gauge\n# EOF\n", "1:2: expected ' ' after '#' (OpenMetrics has no other comments), found 'T'"),
        ("# eof\n", "1:3: expected HELP, TYPE, UNIT or EOF after '# ', found 'e'"),
        ("# TYPE a untyped\n# EOF\n", "1:10: unknown metric type \"untyped\": expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"),
        ("# TYPE a gauge\r\n# EOF\n", "1:10: unknown metric type \"gauge\\r\": expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"),
        ("# HELP a\na 1\n# EOF\n", "1:9: expected ' ' and the help text after the metric name, found end of line"),
        ("a 1\n# TYPE a gauge", "2:15: expected a line break after the metadata, found end of input"),
        ("# TYPE foo gauge\n# UNIT foo seconds\n# EOF\n", "2:12: unit \"seconds\" is not a suffix of metric \"foo\": expected the name to end in _seconds"),
        ("# UNIT foo_xseconds seconds\n# EOF\n", "1:21: unit \"seconds\" is not a suffix of metric \"foo_xseconds\": expected the name to end in _seconds"),
        ("a  1\n# EOF\n", "1:3: expected a sample value, found ' '"),
        ("a\t1\n# EOF\n", "1:2: expected ' ' and the sample value, found '\\t'"),
        ("a {x=\"1\"} 1\n# EOF\n", "1:3: invalid sample value \"{x=\\\"1\\\"}\": expected a float, NaN, +Inf or -Inf"),
        ("a{x=\"1\", y=\"2\"} 1\n# EOF\n", "1:9: expected a label name or '}', found ' '"),
        ("a{x=\"1\" } 1\n# EOF\n", "1:8: expected ',' or '}' after the label value, found ' '"),
        ("a{x=\"1\"}1\n# EOF\n", "1:9: expected ' ' and the sample value, found '1'"),
        ("a{x=\"a\nb\"} 1\n# EOF\n", "1:7: expected '\"' to close the label value, found end of line"),
        ("a 1 \n# EOF\n", "1:5: expected a timestamp or '# {' after the value, found end of line"),
        ("a 1  2\n# EOF\n", "1:5: expected a timestamp or '# {' after the value, found ' '"),
        ("a 1 NaN\n# EOF\n", "1:5: invalid timestamp \"NaN\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("a 1 c\n# EOF\n", "1:5: invalid timestamp \"c\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("a 1 1_0\n# EOF\n", "1:5: invalid timestamp \"1_0\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("a 1 2 3\n# EOF\n", "1:6: expected end of line or ' # {' after the timestamp, found ' '"),
        ("a 0x1\n# EOF\n", "1:3: invalid sample value \"0x1\": expected a float, NaN, +Inf or -Inf"),
        ("a_total 1 # {t=\"1\"}\n# EOF\n", "1:20: expected ' ' and the exemplar value, found end of line"),
        ("a_total 1 # {t=\"1\"} x\n# EOF\n", "1:21: invalid sample value \"x\": expected a float, NaN, +Inf or -Inf"),
        ("a_total 1 # {t=\"1\"} 2 NaN\n# EOF\n", "1:23: invalid timestamp \"NaN\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("a_total 1 # {t=\"1\"} 2 \n# EOF\n", "1:23: expected an exemplar timestamp, found end of line"),
        ("a_total 1 # {\"t\"} 2\n# EOF\n", "1:17: expected '=' after the label name, found '}'"),
        ("a_total 1 # {t=\"1\", u=\"2\"} 1\n# EOF\n", "1:20: expected a label name or '}', found ' '"),
        ("a_total 1 # {t=\"1\"} 1 # {u=\"2\"} 1\n# EOF\n", "1:23: invalid timestamp \"#\": expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"),
        ("a_total 1 # {t=\"1\",t=\"2\"} 1\n# EOF\n", "1:20: label \"t\" appears twice on this line"),
        ("{\"a.b\", \"c\"=\"x\"} 1\n# EOF\n", "1:8: expected a label name or '}', found ' '"),
        ("a 1 # {t=\"1\"} 1", "1:16: data does not end with # EOF: expected '# EOF' as the last line"),
    ];
    for (page, want) in cases {
        let err = parse_with(page, Format::OpenMetrics1).expect_err(page);
        assert_eq!(first_line(&err, page), want, "page {page:?}");
        assert!(err.span.end <= page.len(), "{page:?}: {err:?}");
    }
}

/// Pages Prometheus 3.5 accepts although they look odd, and what they hold.
#[wasm_bindgen_test(unsupported = test)]
fn odd_pages_prometheus_accepts() {
    let text_cases = [
        // Blanks anywhere between tokens, commas optional, trailing comma.
        ("up{ a = \"1\" , b=\"2\" , } 1\n", "up{a=\"1\", b=\"2\"} 1"),
        ("up{a=\"1\" b=\"2\"} 1\n", "up{a=\"1\", b=\"2\"} 1"),
        ("up {a=\"1\"} 1\n", "up{a=\"1\"} 1"),
        ("up{a=\"1\"}1\n", "up{a=\"1\"} 1"),
        ("  up\t1\t2\t\n", "up 1 @2"),
        ("up 1", "up 1"),
        // Unknown escapes stay as written; a raw line break in a value is kept.
        ("up{a=\"x\\ty\"} 1\n", "up{a=\"x\\\\ty\"} 1"),
        ("up{a=\"x\ny\"} 1\n", "up{a=\"x\\ny\"} 1"),
        // Empty values drop the label.
        ("up{a=\"\"} 1\n", "up 1"),
        // Quoted UTF-8 names.
        (
            "{\"my.metric\", \"a.b\"=\"x\"} 1\n",
            "my.metric{a.b=\"x\"} 1",
        ),
        ("{\"a\\\"b\"} 1\n", "a\"b 1"),
        ("{ \"up\" , job=\"x\" } 1\n", "up{job=\"x\"} 1"),
        // Go's float spellings.
        ("up infinity\n", "up +Inf"),
        ("up +inf\n", "up +Inf"),
        ("up nan\n", "up NaN"),
        ("up .5\n", "up 0.5"),
        ("up-1 2\n", "up -1 @2"),
        // A comment that looks like metadata, and metadata after samples.
        (
            "#HELP up x\n# HELPER up\n#\nup 1\n# TYPE up gauge\n",
            "up 1",
        ),
    ];
    for (page, want) in text_cases {
        let parsed = parse(page).unwrap_or_else(|e| panic!("{page:?}: {}", e.render(page)));
        assert_eq!(lines(&parsed), vec![want.to_string()], "page {page:?}");
    }
    let om_cases = [
        ("a 1\n# EOF", "a 1"),
        ("a{x=\"1\",} 1\n# EOF\n", "a{x=\"1\"} 1"),
        ("a{} 1\n# EOF\n", "a 1"),
        ("a +1\n# EOF\n", "a 1"),
        ("a inf\n# EOF\n", "a +Inf"),
        ("a 1 -5\n# EOF\n", "a 1 @-5000"),
        ("a 1 1.7e9\n# EOF\n", "a 1 @1700000000000"),
        ("a{x=\"a\\nb\"} 1\n# EOF\n", "a{x=\"a\\nb\"} 1"),
        ("{\"a.b\",\"c.d\"=\"x\"} 1\n# EOF\n", "a.b{c.d=\"x\"} 1"),
        ("a_total 1 # {} 2\n# EOF\n", "a_total 1 # {} 2"),
    ];
    for (page, want) in om_cases {
        let parsed = parse_with(page, Format::OpenMetrics1)
            .unwrap_or_else(|e| panic!("{page:?}: {}", e.render(page)));
        assert_eq!(lines(&parsed), vec![want.to_string()], "page {page:?}");
    }
    // An empty body is an empty scrape in both formats.
    assert_eq!(parse("").unwrap(), Page::default());
    assert_eq!(
        parse_with("", Format::OpenMetrics1).unwrap(),
        Page::default()
    );
    assert_eq!(
        parse_with("# EOF\n", Format::OpenMetrics1).unwrap(),
        Page::default()
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn metadata_lines_as_prometheus_reads_them() {
    // Text: the text after one separating character; HELP unescapes \\ and
    // \n only; quoted names; a second TYPE wins and is linted.
    let page = parse(concat!(
        "# HELP up  two blanks \\\"kept\\\" and \\\\ \\n\n",
        "# TYPE up gauge\n",
        "# TYPE up counter\n",
        "# HELP \"my.metric\" dotted\n",
        "# TYPE up-counter\n",
        "# HELP empty\n",
    ))
    .unwrap();
    expect_test::expect![[r#"
        [
            Metadata {
                name: "up",
                help: Some(
                    " two blanks \\\"kept\\\" and \\ \n",
                ),
                metric_type: Some(
                    Counter,
                ),
                unit: None,
            },
            Metadata {
                name: "my.metric",
                help: Some(
                    "dotted",
                ),
                metric_type: None,
                unit: None,
            },
            Metadata {
                name: "empty",
                help: Some(
                    "",
                ),
                metric_type: None,
                unit: None,
            },
        ]
    "#]]
    .assert_debug_eq(&page.metadata);
    assert_eq!(
        page.lints.iter().map(|l| &l.kind).collect::<Vec<_>>(),
        vec![
            &LintKind::DuplicateMetadata {
                what: "TYPE",
                name: "up".into()
            },
            &LintKind::DuplicateMetadata {
                what: "TYPE",
                name: "up".into()
            },
        ]
    );

    // OpenMetrics: HELP also unescapes \"; UNIT; an empty UNIT is allowed.
    let page = parse_with(
        concat!(
            "# HELP req_seconds Time \\\"spent\\\".\n",
            "# TYPE req_seconds histogram\n",
            "# UNIT req_seconds seconds\n",
            "# TYPE \"a.b_bytes\" gauge\n",
            "# UNIT \"a.b_bytes\" bytes\n",
            "# UNIT c \n",
            "# EOF\n",
        ),
        Format::OpenMetrics1,
    )
    .unwrap();
    let got: Vec<_> = page
        .metadata
        .iter()
        .map(|m| {
            (
                m.name.as_str(),
                m.help.as_deref(),
                m.metric_type,
                m.unit.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "req_seconds",
                Some("Time \"spent\"."),
                Some(MetricType::Histogram),
                Some("seconds")
            ),
            ("a.b_bytes", None, Some(MetricType::Gauge), Some("bytes")),
            ("c", None, None, Some("")),
        ]
    );
}

/// The OpenMetrics specification's kinds of family in one page.
const OPENMETRICS_PAGE: &str = r#"# HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
# TYPE acme_http_router_request_seconds summary
# UNIT acme_http_router_request_seconds seconds
acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
# TYPE go_goroutines gauge
go_goroutines 69
# TYPE process_cpu_seconds counter
# UNIT process_cpu_seconds seconds
process_cpu_seconds_total 4.20072246e+06 1605281325.5
process_cpu_seconds_created 1605281325.0
# TYPE foo histogram
foo_bucket{le="0.01"} 0
foo_bucket{le="0.1"} 8 # {trace_id="KOO5S4vxi0o"} 0.67
foo_bucket{le="1"} 11 # {trace_id="oHg5SJYRHA0"} 9.8 1520879607.789
foo_bucket{le="+Inf"} 17
foo_count 17
foo_sum 324789.3
foo_created 1520430000.123
# TYPE queue gaugehistogram
queue_bucket{le="0.5"} 3
queue_bucket{le="+Inf"} 5
queue_gcount 5
queue_gsum 2.5
# TYPE build info
build_info{version="1.2"} 1
# TYPE feature stateset
feature{feature="a"} 1
feature{feature="b"} 0
# TYPE rpc summary
rpc{quantile="0.5"} 1.5
rpc{quantile="1"} 3
rpc_sum 4.5
rpc_count 2
# TYPE thing unknown
thing NaN
# EOF
"#;

#[wasm_bindgen_test(unsupported = test)]
fn parses_every_openmetrics_family_type() {
    let page = parse_with(OPENMETRICS_PAGE, Format::OpenMetrics1).unwrap();
    expect_test::expect![[r#"
        [
            "acme_http_router_request_seconds_sum{method=\"GET\", path=\"/api/v1\"} 9036.32",
            "acme_http_router_request_seconds_count{method=\"GET\", path=\"/api/v1\"} 807283",
            "acme_http_router_request_seconds_created{method=\"GET\", path=\"/api/v1\"} 1605281325",
            "go_goroutines 69",
            "process_cpu_seconds_total 4200722.46 @1605281325500",
            "process_cpu_seconds_created 1605281325",
            "foo_bucket{le=\"0.01\"} 0",
            "foo_bucket{le=\"0.1\"} 8 # {trace_id=\"KOO5S4vxi0o\"} 0.67",
            "foo_bucket{le=\"1.0\"} 11 # {trace_id=\"oHg5SJYRHA0\"} 9.8 @1520879607.789s",
            "foo_bucket{le=\"+Inf\"} 17",
            "foo_count 17",
            "foo_sum 324789.3",
            "foo_created 1520430000.123",
            "queue_bucket{le=\"0.5\"} 3",
            "queue_bucket{le=\"+Inf\"} 5",
            "queue_gcount 5",
            "queue_gsum 2.5",
            "build_info{version=\"1.2\"} 1",
            "feature{feature=\"a\"} 1",
            "feature{feature=\"b\"} 0",
            "rpc{quantile=\"0.5\"} 1.5",
            "rpc{quantile=\"1.0\"} 3",
            "rpc_sum 4.5",
            "rpc_count 2",
            "thing NaN",
        ]
    "#]]
    .assert_debug_eq(&lines(&page));
    let types: Vec<_> = page
        .metadata
        .iter()
        .map(|m| (m.name.as_str(), m.metric_type.map(MetricType::as_str)))
        .collect();
    expect_test::expect![[r#"
        [
            (
                "acme_http_router_request_seconds",
                Some(
                    "summary",
                ),
            ),
            (
                "go_goroutines",
                Some(
                    "gauge",
                ),
            ),
            (
                "process_cpu_seconds",
                Some(
                    "counter",
                ),
            ),
            (
                "foo",
                Some(
                    "histogram",
                ),
            ),
            (
                "queue",
                Some(
                    "gaugehistogram",
                ),
            ),
            (
                "build",
                Some(
                    "info",
                ),
            ),
            (
                "feature",
                Some(
                    "stateset",
                ),
            ),
            (
                "rpc",
                Some(
                    "summary",
                ),
            ),
            (
                "thing",
                Some(
                    "unknown",
                ),
            ),
        ]
    "#]]
    .assert_debug_eq(&types);
    assert_eq!(page.lints, vec![], "a well-formed page has no lints");
}

/// What Prometheus accepts but the specifications do not want, as lints.
#[wasm_bindgen_test(unsupported = test)]
fn lints_for_what_prometheus_lets_through() {
    let cases: &[(Format, &str, &[&str])] = &[
        (
            Format::Text004,
            "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"1\"} 2\n",
            &["5:1: samples of \"a\" after another family: a family's lines should be together"],
        ),
        (
            Format::Text004,
            "up 1\n# TYPE up gauge\n",
            &["2:8: metadata for \"up\" after its samples"],
        ),
        (
            Format::Text004,
            "# HELP up a\n# HELP up b\n",
            &["2:8: second HELP line for metric family \"up\""],
        ),
        (
            Format::Text004,
            "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",
            &["2:1: histogram \"h\" has no bucket with le=\"+Inf\""],
        ),
        (
            Format::Text004,
            "# TYPE h histogram\nh_bucket{le=\"abc\"} 1\nh_bucket{le=\"+Inf\"} 1\n",
            &["2:10: le=\"abc\" is not a float"],
        ),
        (
            Format::Text004,
            "# TYPE s summary\ns{quantile=\"high\"} 1\n",
            &["2:3: quantile=\"high\" is not a float"],
        ),
        (
            Format::OpenMetrics1,
            "# TYPE foo counter\nfoo 1\n# EOF\n",
            &["2:1: counter sample \"foo\" should end in _total"],
        ),
        (
            Format::OpenMetrics1,
            "# TYPE a gauge\na 1 # {t=\"1\"} 2\n# EOF\n",
            &["2:1: exemplar on \"a\": exemplars belong on counter _total and histogram _bucket samples"],
        ),
        (
            Format::OpenMetrics1,
            "# TYPE g gaugehistogram\ng_bucket{le=\"1\"} 1\ng_gcount 1\n# EOF\n",
            &["2:1: histogram \"g\" has no bucket with le=\"+Inf\""],
        ),
    ];
    for (format, page, want) in cases {
        let parsed = parse_with(page, *format).unwrap_or_else(|e| panic!("{}", e.render(page)));
        let got: Vec<String> = parsed
            .lints
            .iter()
            .map(|l| {
                l.to_diagnostic()
                    .render(page)
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .collect();
        assert_eq!(&got, want, "page {page:?}");
    }
    let long = format!(
        "# TYPE a counter\na_total 1 # {{t=\"{}\"}} 2\n# EOF\n",
        "x".repeat(200)
    );
    let parsed = parse_with(&long, Format::OpenMetrics1).unwrap();
    assert_eq!(
        parsed.lints.iter().map(|l| &l.kind).collect::<Vec<_>>(),
        vec![&LintKind::ExemplarTooLong { chars: 201 }]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn le_and_quantile_are_rewritten_as_prometheus_3_does() {
    let page = parse(concat!(
        "# TYPE h histogram\n",
        "h_bucket{le=\"1\"} 1\n",
        "h_bucket{le=\"1000000\"} 1\n",
        "h_bucket{le=\"0.00001\"} 1\n",
        "h_bucket{le=\"+inf\"} 1\n",
        "# TYPE s summary\n",
        "s{quantile=\"0\"} 1\n",
        "# TYPE g gauge\n",
        "g{le=\"1\"} 1\n",
    ))
    .unwrap();
    let values: Vec<&str> = page
        .samples
        .iter()
        .map(|s| {
            let le = s.labels.get("le");
            if le.is_empty() {
                s.labels.get("quantile")
            } else {
                le
            }
        })
        .collect();
    // A gauge's `le` is an ordinary label.
    assert_eq!(values, ["1.0", "1e+06", "1e-05", "+Inf", "0.0", "1"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn error_spans_cover_the_bad_token() {
    let page = "ok 1\nbad 12abc\n";
    let err = parse(page).unwrap_err();
    assert_eq!(err.span.slice(page), "12abc");
    assert!(matches!(err.kind, ErrorKind::InvalidValue(_)));
    let page = "a 1 # {t=\"1\"} 2 1e400x\n# EOF\n";
    let err = parse_with(page, Format::OpenMetrics1).unwrap_err();
    assert_eq!(err.span.slice(page), "1e400x");
    assert!(matches!(err.kind, ErrorKind::InvalidTimestamp(_)));
}

#[wasm_bindgen_test(unsupported = test)]
fn sample_spans_cover_the_line_without_blanks() {
    let page = "  up{a=\"1\"} 1 2  \nx 3";
    let parsed = parse(page).unwrap();
    let spans: Vec<&str> = parsed.samples.iter().map(|s| s.span.slice(page)).collect();
    assert_eq!(spans, ["up{a=\"1\"} 1 2", "x 3"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn content_types_pick_the_parser() {
    let cases = [
        (
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format::OpenMetrics1,
        ),
        (
            "application/openmetrics-text;version=0.0.1",
            Format::OpenMetrics1,
        ),
        ("Application/OpenMetrics-Text", Format::OpenMetrics1),
        ("text/plain; version=0.0.4; charset=utf-8", Format::Text004),
        ("text/plain", Format::Text004),
        ("", Format::Text004),
        ("application/json", Format::Text004),
    ];
    for (content_type, want) in cases {
        assert_eq!(
            Format::from_content_type(content_type),
            want,
            "{content_type:?}"
        );
    }
    for format in [Format::Text004, Format::OpenMetrics1] {
        assert_eq!(Format::from_content_type(format.content_type()), format);
    }
    assert!(Format::accept_header().starts_with("application/openmetrics-text;version=1.0.0"));
}

fn family(
    name: &str,
    metric_type: MetricType,
    unit: &str,
    samples: Vec<FamilySample>,
) -> MetricFamily {
    MetricFamily {
        name: name.into(),
        help: format!("Help for {name}."),
        unit: unit.into(),
        metric_type,
        samples,
    }
}

fn sample(pairs: &[(&str, &str)], value: f64) -> FamilySample {
    FamilySample::new(Labels::from_pairs(pairs.iter().copied()), value)
}

#[wasm_bindgen_test(unsupported = test)]
fn writes_the_text_format() {
    let families = vec![
        family(
            "ping_request_count",
            MetricType::Counter,
            "",
            vec![sample(&[("__name__", "ping_request_count")], 6.0)],
        ),
        MetricFamily {
            help: "back\\slash and\nnewline \"quoted\"".into(),
            ..family(
                "weird",
                MetricType::Gauge,
                "",
                vec![
                    sample(
                        &[("__name__", "weird"), ("v", "a\"b\\c\nd")],
                        f64::NEG_INFINITY,
                    ),
                    FamilySample {
                        timestamp: Some(1_500),
                        ..sample(&[("__name__", "weird"), ("v", "x"), ("w", "y")], 0.1)
                    },
                ],
            )
        },
        family(
            "my.metric",
            MetricType::Unknown,
            "",
            vec![sample(&[("__name__", "my.metric"), ("a.b", "x")], 1.0)],
        ),
        family(
            "queue",
            MetricType::GaugeHistogram,
            "",
            vec![sample(&[("__name__", "queue_gcount")], 1.0)],
        ),
    ];
    expect_test::expect![[r#"
        # HELP ping_request_count Help for ping_request_count.
        # TYPE ping_request_count counter
        ping_request_count 6
        # HELP weird back\\slash and\nnewline "quoted"
        # TYPE weird gauge
        weird{v="a\"b\\c\nd"} -Inf
        weird{v="x",w="y"} 0.1 1500
        # HELP "my.metric" Help for my.metric.
        # TYPE "my.metric" untyped
        {"my.metric","a.b"="x"} 1
        # HELP queue Help for queue.
        # TYPE queue histogram
        queue_gcount 1
    "#]]
    .assert_eq(&write(&families));
}

#[wasm_bindgen_test(unsupported = test)]
fn writes_openmetrics() {
    let exemplar = Exemplar {
        labels: Labels::from_pairs([("trace_id", "abc")]),
        value: 0.5,
        timestamp: Some(1520879607.789),
    };
    let families = vec![
        family(
            "ping_request_count",
            MetricType::Counter,
            "",
            vec![
                FamilySample {
                    exemplar: Some(exemplar.clone()),
                    ..sample(&[("__name__", "ping_request_count")], 6.0)
                },
                sample(&[("__name__", "ping_request_count_created")], 1.7e9),
            ],
        ),
        family(
            "req_seconds",
            MetricType::Histogram,
            "seconds",
            vec![
                FamilySample {
                    timestamp: Some(-1),
                    exemplar: Some(Exemplar {
                        timestamp: None,
                        ..exemplar
                    }),
                    ..sample(&[("__name__", "req_seconds_bucket"), ("le", "+Inf")], 1.0)
                },
                sample(&[("__name__", "req_seconds_count")], 1.0),
            ],
        ),
        family(
            "build",
            MetricType::Info,
            "bytes",
            vec![sample(&[("__name__", "build"), ("v", "1")], 1.0)],
        ),
        MetricFamily {
            help: String::new(),
            ..family(
                "a.b",
                MetricType::Untyped,
                "",
                vec![sample(&[("__name__", "a.b"), ("c d", "\"")], f64::NAN)],
            )
        },
    ];
    let text = write_openmetrics(&families);
    expect_test::expect![[r#"
        # HELP ping_request_count Help for ping_request_count.
        # TYPE ping_request_count counter
        ping_request_count_total 6 # {trace_id="abc"} 0.5 1520879607.789
        ping_request_count_created 1700000000
        # HELP req_seconds Help for req_seconds.
        # TYPE req_seconds histogram
        # UNIT req_seconds seconds
        req_seconds_bucket{le="+Inf"} 1 -0.001 # {trace_id="abc"} 0.5
        req_seconds_count 1
        # HELP build Help for build.
        # TYPE build info
        build_info{v="1"} 1
        # TYPE "a.b" unknown
        {"a.b","c d"="\""} NaN
        # EOF
    "#]]
    .assert_eq(&text);
    let page = parse_with(&text, Format::OpenMetrics1).unwrap();
    assert_eq!(page.samples.len(), 6);
    assert_eq!(page.lints, vec![]);
}
