//! `promlab query` and `promlab format` as a user runs them: queries over
//! an OpenMetrics file or the simulated cluster, answered in the Prometheus
//! HTTP API's JSON (or a table), the formatter, and every kind of bad input
//! refused with its position and a non-zero exit.
#![cfg(not(target_arch = "wasm32"))]

use expect_test::{expect, Expect};
use std::path::PathBuf;
use std::process::Command;

/// A small data file: a counter over two instances and a gauge, samples
/// every 15 s from 2026-01-01T00:00:00Z (Unix 1767225600).
const DATA: &str = "\
# HELP requests Requests served.
# TYPE requests counter
requests_total{instance=\"a\",job=\"app\"} 0 1767225600
requests_total{instance=\"a\",job=\"app\"} 15 1767225615
requests_total{instance=\"a\",job=\"app\"} 30 1767225630
requests_total{instance=\"a\",job=\"app\"} 60 1767225645
requests_total{instance=\"b\",job=\"app\"} 10 1767225600
requests_total{instance=\"b\",job=\"app\"} 10 1767225615
requests_total{instance=\"b\",job=\"app\"} 25 1767225630
requests_total{instance=\"b\",job=\"app\"} 40 1767225645
# TYPE temperature gauge
temperature{room=\"x\"} 20.5 1767225600
temperature{room=\"x\"} 21 1767225645
# EOF
";

/// A data file under the temporary directory, removed on drop.
struct DataFile(PathBuf);

impl DataFile {
    fn new(name: &str, text: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "promlab-cli-query-{name}-{}.om",
            std::process::id()
        ));
        std::fs::write(&path, text).unwrap();
        DataFile(path)
    }

    fn arg(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for DataFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Exit code, stdout, stderr.
fn promlab(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_promlab"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `promlab` and checks the exit code with stdout and stderr.
fn check(args: &[&str], want: Expect) {
    let (code, out, err) = promlab(args);
    let stderr = if err.is_empty() {
        String::new()
    } else {
        format!("stderr:\n{err}")
    };
    want.assert_eq(&format!("exit {code}\n{out}{stderr}"));
}

#[test]
fn instant_queries_over_a_data_file_print_the_apis_json() {
    let data = DataFile::new("instant", DATA);
    let d = data.arg();
    check(
        &[
            "query",
            "--data",
            d,
            "--time",
            "1767225645",
            "sum by (job) (rate(requests_total[1m]))",
        ],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"app"},"value":[1767225645,"1.6666666666666665"]}]}}
        "#]],
    );
    // RFC 3339 times; a time between samples sees the latest before it.
    check(
        &[
            "query",
            "--data",
            d,
            "--time",
            "2026-01-01T00:00:20Z",
            "requests_total",
        ],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"requests_total","instance":"a","job":"app"},"value":[1767225620,"15"]},{"metric":{"__name__":"requests_total","instance":"b","job":"app"},"value":[1767225620,"10"]}]}}
        "#]],
    );
    // Without --time: the file's newest sample is "now".
    check(
        &["query", "--data", d, "temperature"],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"temperature","room":"x"},"value":[1767225645,"21"]}]}}
        "#]],
    );
    // Negative Unix seconds are times too (before any sample here).
    check(
        &["query", "--data", d, "--time", "-1.5", "temperature"],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"vector","result":[]}}
        "#]],
    );
    // Scalars and strings in the API's shapes; the engine's annotations
    // come along as the API's infos.
    check(
        &["query", "--data", d, "scalar(sum(requests_total))"],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"scalar","result":[1767225645,"100"]}}
        "#]],
    );
    check(
        &["query", "--data", d, "--time", "1767225645.5", "\"hi\""],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"string","result":[1767225645.5,"hi"]}}
        "#]],
    );
    check(
        &["query", "--data", d, "rate(temperature[1m])"],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"vector","result":[{"metric":{"room":"x"},"value":[1767225645,"0.01111111111111111"]}]},"infos":["PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"temperature\" (1:6)"]}
        "#]],
    );
}

#[test]
fn range_queries_take_start_end_and_step_in_either_form() {
    let data = DataFile::new("range", DATA);
    let d = data.arg();
    let q = "sum by (instance) (requests_total)";
    check(
        &[
            "query",
            "--data",
            d,
            "--start",
            "1767225615",
            "--end",
            "1767225645",
            "--step",
            "15s",
            q,
        ],
        expect![[r#"
            exit 0
            {"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a"},"values":[[1767225615,"15"],[1767225630,"30"],[1767225645,"60"]]},{"metric":{"instance":"b"},"values":[[1767225615,"10"],[1767225630,"25"],[1767225645,"40"]]}]}}
        "#]],
    );
    // RFC 3339 with any offset, and steps in seconds, answer the same.
    let unix = promlab(&[
        "query",
        "--data",
        d,
        "--start",
        "1767225615",
        "--end",
        "1767225645",
        "--step",
        "15s",
        q,
    ]);
    let rfc = promlab(&[
        "query",
        "--data",
        d,
        "--start",
        "2026-01-01T00:00:15Z",
        "--end",
        "2026-01-01T09:00:45+09:00",
        "--step",
        "15",
        q,
    ]);
    assert_eq!(unix, rfc);
    check(
        &[
            "query",
            "--data",
            d,
            "--output",
            "table",
            "--start",
            "1767225615",
            "--end",
            "1767225645",
            "--step",
            "15000ms",
            q,
        ],
        expect![[r#"
            exit 0
            {instance="a"}  15 30 60
            {instance="b"}  10 25 40
            2 series
        "#]],
    );
}

#[test]
fn queries_of_the_simulated_cluster_equal_the_api_urls_answers() {
    // Each run simulates the cluster's hour of history: a few are enough.
    let (code, out, err) = promlab(&[
        "query",
        "--start",
        "1767224700",
        "--end",
        "2026-01-01T00:00:00Z",
        "--step",
        "5m",
        "sum by (job) (rate(scrape_samples_scraped[5m]))",
    ]);
    assert_eq!(code, 0, "{err}");
    let url = "/api/v1/query_range?query=sum+by+(job)+(rate(scrape_samples_scraped[5m]))&start=1767224700&end=1767225600&step=300";
    let (code, api, _) = promlab(&["api", url]);
    assert_eq!(code, 0, "{url}");
    assert_eq!(out, api);
    assert!(out.contains("\"resultType\":\"matrix\""), "{out}");
    // The default time is the lab's now, after the scenario.
    let (_, out, _) = promlab(&[
        "query",
        "--pings",
        "3",
        "--advance",
        "15s",
        "ping_request_count",
    ]);
    assert!(out.contains("\"value\":[1767225615,\"3\"]"), "{out}");
}

#[test]
fn format_prints_as_promtool_does() {
    check(
        &["format", "SUM(rate(x[300s])) BY (job) > bool 1"],
        expect![[r#"
            exit 0
            sum by (job) (rate(x[5m])) > bool 1
        "#]],
    );
    check(
        &[
            "format",
            r#"histogram_quantile(0.9, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="prom-example"}[5m])))"#,
        ],
        expect![[r#"
            exit 0
            histogram_quantile(
              0.9,
              sum by (le, job) (rate(http_request_duration_seconds_bucket{job="prom-example"}[5m]))
            )
        "#]],
    );
    check(
        &["format", "sum(rate(x[5m]) by (job)"],
        expect![[r#"
            exit 1
            stderr:
            1:17: parse error: unexpected <by> in aggregation
              sum(rate(x[5m]) by (job)
                              ^^
        "#]],
    );
}

#[test]
fn bad_input_is_refused_with_its_position() {
    let data = DataFile::new("bad", DATA);
    let d = data.arg();
    let broken = DataFile::new(
        "broken",
        "# TYPE x counter\nx_total 1 10\nx_total oops 20\n# EOF\n",
    );
    let cases: Vec<(Vec<&str>, Expect)> = vec![
        (
            vec![
                "query",
                "--data",
                d,
                "sum(rate(requests_total[5m]) by (job)",
            ],
            expect![[r#"
                exit 1
                {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:30: parse error: unexpected <by> in aggregation","span":{"start":29,"end":31}}
                stderr:
                1:30: parse error: unexpected <by> in aggregation
                  sum(rate(requests_total[5m]) by (job)
                                               ^^
            "#]],
        ),
        (
            vec!["query", "--output", "table", "up{job="],
            expect![[r#"
                exit 1
                stderr:
                1:8: parse error: unexpected end of input inside braces
                  up{job=
                         ^
            "#]],
        ),
        (
            vec!["query", "--data", d, "--time", "tomorrow", "up"],
            expect![[r#"
                exit 2
                stderr:
                error: invalid value 'tomorrow' for '--time <T>': cannot parse "tomorrow" to a valid timestamp: expected RFC 3339 (2026-01-01T00:00:00Z) or Unix seconds

                For more information, try '--help'.
            "#]],
        ),
        (
            vec![
                "query",
                "--start",
                "1",
                "--end",
                "2",
                "--step",
                "5 minutes",
                "up",
            ],
            expect![[r#"
                exit 2
                stderr:
                error: invalid value '5 minutes' for '--step <D>': cannot parse "5 minutes" to a valid duration: expected a duration (15s, 1m30s) or seconds

                For more information, try '--help'.
            "#]],
        ),
        (
            vec!["query", "--start", "1", "up"],
            expect![[r#"
                exit 2
                stderr:
                error: the following required arguments were not provided:
                  --step <D>
                  --end <E>

                Usage: promlab query --start <S> --step <D> --end <E> <EXPR>

                For more information, try '--help'.
            "#]],
        ),
        (
            vec![
                "query", "--time", "1", "--start", "1", "--end", "2", "--step", "1", "up",
            ],
            expect![[r#"
                exit 2
                stderr:
                error: the argument '--time <T>' cannot be used with:
                  --start <S>
                  --end <E>
                  --step <D>

                Usage: promlab query --time <T> <EXPR>

                For more information, try '--help'.
            "#]],
        ),
        (
            vec![
                "query", "--data", d, "--start", "20", "--end", "10", "--step", "1", "up",
            ],
            expect![[r#"
                exit 1
                {"status":"error","errorType":"bad_data","error":"end timestamp must not be before start time"}
                stderr:
                error: end timestamp must not be before start time
            "#]],
        ),
        (
            vec![
                "query", "--data", d, "--start", "0", "--end", "100000", "--step", "1", "up",
            ],
            expect![[r#"
                exit 1
                {"status":"error","errorType":"bad_data","error":"exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"}
                stderr:
                error: exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)
            "#]],
        ),
        (
            vec![
                "query", "--data", d, "--start", "0", "--end", "10", "--step", "0", "up",
            ],
            expect![[r#"
                exit 1
                {"status":"error","errorType":"bad_data","error":"zero or negative query resolution step widths are not accepted. Try a positive integer"}
                stderr:
                error: zero or negative query resolution step widths are not accepted. Try a positive integer
            "#]],
        ),
        (
            vec![
                "query", "--data", d, "--start", "0", "--end", "10", "--step", "1", "{}",
            ],
            expect![[r#"
                exit 1
                {"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:1: parse error: vector selector must contain at least one non-empty matcher","span":{"start":0,"end":2}}
                stderr:
                1:1: parse error: vector selector must contain at least one non-empty matcher
                  {}
                  ^^
            "#]],
        ),
        (
            vec!["query", "--data", broken.arg(), "x_total"],
            expect![[r#"
                exit 2
                stderr:
                error: BROKEN:3:9: invalid sample value
                  x_total oops 20
                          ^^^^
            "#]],
        ),
        (
            vec!["query", "--data", d, "--pings", "2", "up"],
            expect![[r#"
                exit 2
                stderr:
                error: --pings sets up the simulated cluster; --data queries a file instead
            "#]],
        ),
    ];
    for (args, want) in cases {
        let (code, out, err) = promlab(&args);
        let err = err.replace(broken.arg(), "BROKEN");
        let stderr = if err.is_empty() {
            String::new()
        } else {
            format!("stderr:\n{err}")
        };
        want.assert_eq(&format!("exit {code}\n{out}{stderr}"));
    }
    let (code, _, err) = promlab(&["query", "--data", "/nonexistent/data.om", "up"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: cannot read /nonexistent/data.om: "),
        "{err}"
    );
}
