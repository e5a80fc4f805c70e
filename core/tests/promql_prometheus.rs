//! The engine against the real Prometheus 3.5, query by query: an hour of
//! the simulated cluster is exported as OpenMetrics, backfilled with
//! `promtool tsdb create-blocks-from openmetrics`, and served by a real
//! `prometheus` on a free loopback port; some 135 dashboard-style
//! queries (rates, aggregations, histogram quantiles, joins over
//! kube-state-metrics' info series, subqueries, `offset` and `@`, set
//! operators, sorting…) then run as instant and as range queries through
//! its HTTP API and through the lab's, and the answers must agree: the
//! same label sets, values within 1e-6 (relative), NaN where it has NaN,
//! the same order where Prometheus sorts (range results; `sort`), the same
//! warnings and infos. A few answers at a time with milliseconds must be
//! the same JSON byte for byte. Every difference is printed before the
//! test fails.
//!
//! The binaries come from `$PROMLAB_REFERENCE_BIN` (default
//! `~/.cache/promlab-reference/bin`, installed by `cargo xtask reference`);
//! when neither has them the test says so and passes without comparing.
#![cfg(not(target_arch = "wasm32"))]

use promlab_core::api::{ApiRequest, ApiResponse, Point, QueryResult};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::labels::{Labels, MatchOp, Matcher};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The data ends at 2026-01-01T00:00:00Z and spans the hour before.
const END: i64 = 1_767_225_600_000;
const HOUR: i64 = 3_600_000;
/// Instant queries run at these times: inside the data, off the scrape
/// grid; and just inside the lookback after the last scrapes, where some
/// targets' last samples are in the window and others are not.
const INSTANT_AT: [i64; 2] = [END - 7 * 60_000 - 13_000, END + 290_000];
/// Range queries: 35 minutes at a 1-minute step, ending 5 minutes before
/// the data does (so 30-minute subqueries still mostly see data).
const RANGE: (i64, i64, i64) = (END - 40 * 60_000, END - 5 * 60_000, 60_000);

/// The queries; `sort` marks those whose instant result Prometheus orders.
const QUERIES: &[&str] = &[
    // Rates and friends.
    r#"rate(node_cpu_seconds_total{mode="user"}[5m])"#,
    r#"sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))"#,
    "irate(node_network_receive_bytes_total[5m])",
    "increase(node_network_transmit_bytes_total[10m])",
    r#"sum without (cpu, mode) (rate(node_cpu_seconds_total[5m]))"#,
    "rate(go_gc_duration_seconds_sum[5m]) / rate(go_gc_duration_seconds_count[5m])",
    "resets(node_network_receive_packets_total[30m])",
    "changes(kube_pod_container_status_restarts_total[30m])",
    // Aggregations.
    "avg by (instance) (node_load1)",
    "min(node_memory_MemAvailable_bytes)",
    "max by (job) (up)",
    "count by (job) (up)",
    "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes",
    "topk(3, rate(node_network_receive_bytes_total[5m]))",
    "bottomk(2, node_filesystem_avail_bytes)",
    "quantile(0.9, rate(node_cpu_seconds_total[5m]))",
    "quantile by (instance) (0.5, node_load1)",
    "stddev by (instance) (rate(node_cpu_seconds_total[5m]))",
    r#"count_values("cpus", count by (instance) (node_cpu_seconds_total{mode="idle"}))"#,
    "count_values(\"load\", round(node_load1, 0.1))",
    // Histograms and summaries.
    "histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))",
    "histogram_quantile(0.99, sum by (le, handler) (rate(http_request_duration_seconds_bucket[10m])))",
    r#"go_gc_duration_seconds{quantile="0.5"}"#,
    // Joins over kube-state-metrics' info series.
    r#"node_load1 * on (instance) group_left (node) label_replace(kube_node_info, "instance", "$1:9100", "internal_ip", "(.*)")"#,
    r#"sum by (node) (kube_pod_container_resource_requests{resource="cpu"}) / on (node) group_left () sum by (node) (kube_node_status_allocatable{resource="cpu"})"#,
    "kube_pod_info * on (namespace, pod) group_left (phase) (kube_pod_status_phase == 1)",
    r#"DCGM_FI_DEV_GPU_UTIL * on (Hostname) group_left (node) label_replace(kube_node_info, "Hostname", "$1", "node", "(.*)")"#,
    // Labels.
    r#"label_replace(up, "host", "$1", "instance", "([^:]+):.*")"#,
    r#"label_join(up, "id", "/", "job", "instance")"#,
    // Subqueries, offset, @.
    "max_over_time(rate(node_network_receive_bytes_total[1m])[30m:1m])",
    "avg_over_time(node_load1[10m:30s])",
    "node_load1 offset 10m",
    "rate(node_cpu_seconds_total{mode=\"system\"}[5m] offset 15m)",
    "node_load1 @ 1767223800",
    "sum(rate(node_cpu_seconds_total[5m] @ end()))",
    // Absence, prediction, *_over_time.
    "absent(nonexistent_metric)",
    r#"absent(up{job="prom-example"})"#,
    "absent_over_time(nonexistent_metric[5m])",
    "predict_linear(node_filesystem_avail_bytes[30m], 3600)",
    "deriv(node_memory_MemAvailable_bytes[10m])",
    "max_over_time(DCGM_FI_DEV_GPU_TEMP[10m])",
    "stddev_over_time(node_load1[15m])",
    "quantile_over_time(0.9, node_load1[15m])",
    "count_over_time(up[10m])",
    "delta(DCGM_FI_DEV_GPU_TEMP[10m])",
    // Comparisons and set operators.
    "node_load1 > bool 1",
    "DCGM_FI_DEV_GPU_UTIL > 20",
    r#"up{job="node-exporter"} and on (instance) node_load1 > 0.5"#,
    "node_load1 > 1 or node_load5",
    r#"up unless on (job) up{job="prom-example"}"#,
    // Sorting, scalars, time.
    "sort(node_load1)",
    "sort_desc(sum by (instance) (rate(node_network_receive_bytes_total[5m])))",
    "time() - node_boot_time_seconds",
    "scalar(sum(up))",
    "clamp_max(node_load1, 1) + vector(1)",
    "hour(timestamp(up{job=\"prom-example\"}))",
    // Corners: default subquery steps, name dropping, one-to-many from the
    // right, arithmetic between vectors and scalars.
    "sum_over_time(node_load1[10m:])",
    r#"rate({__name__=~"node_network_(receive|transmit)_bytes_total"}[5m])"#,
    "kube_node_info * on (node) group_right (internal_ip) (kube_pod_info * 0)",
    "topk by (instance) (1, rate(node_cpu_seconds_total[5m]))",
    "scalar(node_load1)",
    "-node_load1 ^ 2 % 3",
    "sqrt(abs(deriv(node_load15[5m]))) + ln(node_memory_MemTotal_bytes)",
    "absent(sum(nonexistent_metric))",
    "present_over_time(up[2m])",
    "last_over_time(node_load1[1m]) - ignoring (job) node_load5",
    "idelta(node_context_switches_total[2m])",
    "rate(node_load1[5m] @ start())",
    // Experimental functions (Prometheus runs with them switched on).
    "mad_over_time(node_load1[10m])",
    "sort_by_label(up, \"instance\")",
    "limitk(2, node_load1)",
    "double_exponential_smoothing(node_memory_MemAvailable_bytes[10m], 0.5, 0.5)",
    // More corners: errors both must give (many-to-many matching; names
    // Prometheus 3.5 does not know), infinities, renaming `__name__`,
    // negative offsets, regex escapes, short windows.
    "rate(node_cpu_seconds_total[1m:15s])",
    "sum by (instance) (increase(node_cpu_seconds_total[2m]))",
    "histogram_quantile(0.5, rate(http_request_duration_seconds_bucket[5m]))",
    "quantile_over_time(0.5, rate(node_context_switches_total[1m])[10m:])",
    "avg without (mode) (rate(node_cpu_seconds_total[5m])) * 100",
    "group by (node) (kube_pod_info)",
    "count(count by (node) (kube_pod_info))",
    "sum(kube_pod_status_phase) by (phase)",
    "max_over_time(up[1h])",
    "min_over_time(timestamp(up)[10m:1m])",
    "label_replace(node_load1, \"__name__\", \"x\", \"\", \"\")",
    "{__name__=~\"node_load.+\"} offset 1m",
    "node_load1 + on (job) node_load5",
    "sum by (job) (node_load1) > bool on (job) sum by (job) (node_load5)",
    "sgn(deriv(node_load1[5m]))",
    "floor(node_load1 * 10) / 10",
    "exp(-node_load1)",
    "node_load1 atan2 node_load5",
    "year(timestamp(up))",
    "days_in_month(timestamp(up))",
    "irate(node_context_switches_total[30s])",
    "rate(node_context_switches_total[15s])",
    "increase(kube_pod_container_status_restarts_total[1h])",
    "stdvar_over_time(node_load1[20m])",
    "sum_over_time(up[1h]) / count_over_time(up[1h])",
    "predict_linear(node_load1[10m:1m], 600)",
    "topk(2, sum by (instance) (rate(node_disk_read_bytes_total[5m])))",
    "count_values without (instance) (\"v\", up)",
    "absent_over_time(up{job=\"nope\"}[5m])",
    "absent(up{job=\"nope\", instance=~\"x\"})",
    "vector(1) unless on () (up == 0)",
    "scalar(up{job=\"prom-example\"}) * node_load1",
    "sort_desc(topk(3, node_filesystem_avail_bytes))",
    "bottomk by (instance) (1, node_load1)",
    "timestamp(node_load1 offset 1m)",
    "ln(0 * node_load1)",
    "node_load1 / 0",
    "1 / (node_load1 - node_load1)",
    "changes(DCGM_FI_DEV_GPU_UTIL[30m])",
    "last_over_time(kube_pod_info[1h]) unless kube_pod_info",
    "max by (le) (http_request_duration_seconds_bucket)",
    "sum(rate(go_gc_duration_seconds_count[5m])) by (job)",
    "histogram_quantile(0.75, sum by (le) (increase(http_request_duration_seconds_bucket[30m])))",
    "quantile(0.25, node_load1 * on (instance) group_left () (up == 1))",
    "kube_node_status_condition{status=\"true\"} == 1",
    "count by (condition) (kube_node_status_condition{status=\"true\"} == 1)",
    "rate(node_network_receive_bytes_total[5m] offset -2m)",
    "sum(node_memory_MemTotal_bytes) - sum(node_memory_MemAvailable_bytes)",
    "avg(avg_over_time(DCGM_FI_DEV_POWER_USAGE[10m])) by (Hostname)",
    "label_replace(rate(node_cpu_seconds_total[5m]), \"c\", \"cpu$1\", \"cpu\", \"(\\\\d+)\")",
    "resets(node_load1[30m])",
    "deriv(kube_pod_info[10m])",
    "holt_winters(node_load1[10m], 0.3, 0.3)",
    "ts_of_max_over_time(node_load1[10m])",
    "first_over_time(node_load1[10m])",
    // info(): the cluster has no target_info; node_exporter's and the Go
    // client's info metrics chosen by __name__; kube-state-metrics' info
    // series share one instance and job, so they are duplicates.
    "info(node_load1)",
    r#"info(node_load1, {__name__="node_uname_info"})"#,
    r#"info(rate(node_network_receive_bytes_total[5m]), {__name__="node_uname_info", nodename=~".+"})"#,
    r#"info(node_memory_MemAvailable_bytes, {__name__=~"node_(uname|os)_info"})"#,
    r#"info(up, {__name__="go_info", version!=""})"#,
    r#"info(kube_pod_status_ready, {__name__="kube_node_info"})"#,
    r#"info(sum by (instance, job) (node_load1 offset 10m), {__name__="node_uname_info", release=~".+"})"#,
    r#"info({__name__=~"node_uname_info|node_load1"}, {__name__="node_uname_info"})"#,
];

fn reference_bin() -> Option<PathBuf> {
    let dir = match std::env::var_os("PROMLAB_REFERENCE_BIN") {
        Some(dir) => PathBuf::from(dir),
        None => {
            let dir = PathBuf::from(std::env::var_os("HOME")?).join(".cache/promlab-reference/bin");
            if !dir.join("prometheus").is_file() {
                return None;
            }
            dir
        }
    };
    for bin in ["prometheus", "promtool"] {
        assert!(
            dir.join(bin).is_file(),
            "{bin} not found in {}: run `cargo xtask reference`",
            dir.display()
        );
    }
    Some(dir)
}

/// A fresh directory under the system's temporary directory, removed on
/// drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("promlab-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The running server; killed when dropped, even when the test fails.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// The lab holding the hour of data, and the same data as OpenMetrics.
/// Asked at a time with milliseconds, and their JSON compared byte for
/// byte.
const BYTE_QUERIES: &[&str] = &[
    "node_load1",
    "node_load1 * 1e-9",
    "node_load1 * 1e25",
    "scalar(sum(node_load1))",
    "1e-7",
    "\"text\"",
];

fn cluster() -> (Lab, String) {
    let lab = Lab::new(LabOptions {
        start: END,
        history: HOUR,
        scrape_interval: Some(15_000),
        retention: 2 * HOUR,
        ..LabOptions::default()
    });
    let all: Vec<Matcher> = Matcher::new("__name__", MatchOp::Regex, ".+")
        .into_iter()
        .collect();
    let text = promlab_core::tsdb::export_openmetrics(lab.querier(), &all, END - HOUR, END);
    (lab, text)
}

/// Backfills `om` into `dir/data` with promtool and starts Prometheus on
/// it.
fn start_prometheus(bin: &Path, dir: &Path, om: &str) -> (Server, String) {
    let file = dir.join("data.om");
    std::fs::write(&file, om).unwrap();
    let data = dir.join("data");
    let out = Command::new(bin.join("promtool"))
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&file)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_file(&file);
    let config = dir.join("prometheus.yml");
    std::fs::write(&config, "global:\n  scrape_interval: 15s\n").unwrap();
    let port = free_port();
    let child = Command::new(bin.join("prometheus"))
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        // Retention counts back from the newest block, not the wall
        // clock; keep everything regardless.
        .arg("--storage.tsdb.retention.time=100y")
        // The lab's engine has them on.
        .arg("--enable-feature=promql-experimental-functions")
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start prometheus");
    (Server(child), format!("http://127.0.0.1:{port}"))
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

fn wait_ready(server: &mut Server, base: &str) {
    let agent = agent();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("prometheus exited with {status} before it was ready");
        }
        if let Ok(resp) = agent.get(format!("{base}/-/ready")).call() {
            if resp.status() == 200 {
                return;
            }
        }
        assert!(
            Instant::now() < deadline,
            "prometheus was not ready within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Prometheus's answer as it wrote it.
fn prometheus_body(agent: &ureq::Agent, base: &str, request: &ApiRequest) -> String {
    let url = format!("{base}{}", request.to_url());
    agent
        .get(&url)
        .call()
        .and_then(|mut r| r.body_mut().read_to_string())
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

fn ask_prometheus(agent: &ureq::Agent, base: &str, request: &ApiRequest) -> ApiResponse {
    let url = format!("{base}{}", request.to_url());
    let body = prometheus_body(agent, base, request);
    request
        .decode_response(&body)
        .unwrap_or_else(|e| panic!("GET {url}: {e}\n{body}"))
}

fn same_value(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return a.is_nan() && b.is_nan();
    }
    if a == b {
        return true;
    }
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
}

fn same_points(a: &[Point], b: &[Point]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.t == y.t && same_value(x.v, y.v))
}

fn show_points(points: &[Point]) -> String {
    let shown: Vec<String> = points
        .iter()
        .map(|p| format!("{}@{}", p.v, p.t / 1000))
        .collect();
    shown.join(" ")
}

/// Series (label set and points) in the order the result has them.
fn series(result: &QueryResult) -> Vec<(Labels, Vec<Point>)> {
    match result {
        QueryResult::Vector(v) => v
            .iter()
            .map(|s| (s.metric.clone(), vec![s.value]))
            .collect(),
        QueryResult::Matrix(m) => m
            .iter()
            .map(|s| (s.metric.clone(), s.values.clone()))
            .collect(),
        QueryResult::Scalar(p) => vec![(Labels::default(), vec![*p])],
        QueryResult::String(s) => vec![(Labels::default(), vec![Point { t: s.t, v: 0.0 }])],
    }
}

fn result_type(result: &QueryResult) -> &'static str {
    match result {
        QueryResult::Vector(_) => "vector",
        QueryResult::Matrix(_) => "matrix",
        QueryResult::Scalar(_) => "scalar",
        QueryResult::String(_) => "string",
    }
}

/// The differences between our answer and Prometheus's, as lines.
fn differences(ours: &ApiResponse, theirs: &ApiResponse, ordered: bool) -> Vec<String> {
    let (
        ApiResponse::Success {
            data: promlab_core::api::ApiData::Query(a),
            warnings: aw,
            infos: ai,
        },
        ApiResponse::Success {
            data: promlab_core::api::ApiData::Query(b),
            warnings: bw,
            infos: bi,
        },
    ) = (ours, theirs)
    else {
        return match (ours, theirs) {
            (ApiResponse::Error(a), ApiResponse::Error(b)) if a.error_type == b.error_type => {
                Vec::new()
            }
            _ => vec![format!(
                "ours: {}\n      theirs: {}",
                ours.to_json(),
                theirs.to_json()
            )],
        };
    };
    let mut out = Vec::new();
    if result_type(a) != result_type(b) {
        out.push(format!(
            "result type: ours {}, theirs {}",
            result_type(a),
            result_type(b)
        ));
        return out;
    }
    if aw != bw {
        out.push(format!("warnings: ours {aw:?}, theirs {bw:?}"));
    }
    if ai != bi {
        out.push(format!("infos: ours {ai:?}, theirs {bi:?}"));
    }
    let (sa, sb) = (series(a), series(b));
    let by_labels = |s: &[(Labels, Vec<Point>)]| -> BTreeMap<String, Vec<Point>> {
        s.iter().map(|(l, p)| (l.to_string(), p.clone())).collect()
    };
    let (ma, mb) = (by_labels(&sa), by_labels(&sb));
    for (labels, theirs) in &mb {
        match ma.get(labels) {
            None => out.push(format!("missing {labels} {}", show_points(theirs))),
            Some(ours) if !same_points(ours, theirs) => out.push(format!(
                "{labels}\n        ours:   {}\n        theirs: {}",
                show_points(ours),
                show_points(theirs)
            )),
            Some(_) => {}
        }
    }
    for (labels, ours) in &ma {
        if !mb.contains_key(labels) {
            out.push(format!("extra {labels} {}", show_points(ours)));
        }
    }
    if ordered && out.is_empty() {
        let order = |s: &[(Labels, Vec<Point>)]| -> Vec<String> {
            s.iter().map(|(l, _)| l.to_string()).collect()
        };
        if order(&sa) != order(&sb) {
            out.push(format!(
                "order: ours {:?}\n       theirs {:?}",
                order(&sa),
                order(&sb)
            ));
        }
    }
    out
}

#[test]
fn queries_agree_with_prometheus() {
    let Some(bin) = reference_bin() else {
        eprintln!(
            "SKIPPED: PROMLAB_REFERENCE_BIN is not set and no reference binaries were found; \
             run `cargo xtask reference` to compare with the real Prometheus"
        );
        return;
    };
    let dir = TempDir::new("promql-prometheus");
    let (mut lab, om) = cluster();
    let (mut server, base) = start_prometheus(&bin, &dir.0, &om);
    drop(om);

    let mut requests = Vec::new();
    for q in QUERIES {
        for t in INSTANT_AT {
            requests.push(ApiRequest::Query {
                query: q.to_string(),
                time: Some(t),
            });
        }
        let (start, end, step) = RANGE;
        requests.push(ApiRequest::QueryRange {
            query: q.to_string(),
            start,
            end,
            step,
        });
    }
    // Ours while Prometheus starts.
    let ours: Vec<ApiResponse> = requests.iter().map(|r| lab.api(r)).collect();
    wait_ready(&mut server, &base);
    let agent = agent();
    let mut report = Vec::new();
    let mut non_empty = 0;
    for (request, ours) in requests.iter().zip(&ours) {
        let theirs = ask_prometheus(&agent, &base, request);
        let (query, kind, ordered) = match request {
            ApiRequest::Query { query, time } => (
                query,
                if *time == Some(INSTANT_AT[0]) {
                    "instant"
                } else {
                    "instant (lookback edge)"
                },
                query.starts_with("sort"),
            ),
            ApiRequest::QueryRange { query, .. } => (query, "range", true),
            _ => continue,
        };
        if let ApiResponse::Success {
            data: promlab_core::api::ApiData::Query(r),
            ..
        } = &theirs
        {
            non_empty += usize::from(!series(r).is_empty());
        }
        let diffs = differences(ours, &theirs, ordered);
        if !diffs.is_empty() {
            report.push(format!("{kind} {query}\n    {}", diffs.join("\n    ")));
        }
    }
    // The JSON itself, byte for byte: times with and without milliseconds,
    // values written with an exponent, scalars and strings.
    let at_ms = INSTANT_AT[0] + 120;
    let mut byte_requests = Vec::new();
    for q in BYTE_QUERIES {
        byte_requests.push(ApiRequest::Query {
            query: q.to_string(),
            time: Some(at_ms),
        });
    }
    byte_requests.push(ApiRequest::QueryRange {
        query: BYTE_QUERIES[0].to_string(),
        start: at_ms,
        end: at_ms + 4 * 60_000 + 5_005,
        step: 60_000 + 1_001,
    });
    for request in &byte_requests {
        let ours = lab.api(request).to_json();
        let theirs = prometheus_body(&agent, &base, request);
        if ours != theirs {
            report.push(format!(
                "bytes of {request:?}\n    ours:   {ours}\n    theirs: {theirs}"
            ));
        }
    }
    drop(server);
    // The comparison means something only if the data was there.
    assert!(
        non_empty > requests.len() * 2 / 3,
        "only {non_empty} of {} answers of Prometheus hold data",
        requests.len()
    );
    assert!(
        report.is_empty(),
        "{} of {} queries differ from Prometheus:\n{}",
        report.len(),
        requests.len(),
        report.join("\n")
    );
    println!(
        "{} queries agree with Prometheus ({non_empty} with data)",
        requests.len()
    );
}

/// The comparison itself: what it must catch and what it must let pass.
#[test]
fn the_comparison_reports_what_differs() {
    let answer = |json: &str| {
        ApiRequest::Query {
            query: "x".into(),
            time: None,
        }
        .decode_response(json)
        .unwrap()
    };
    let vector = |a: &str, b: &str| {
        answer(&format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{"i":"a"}},"value":[1,"{a}"]}},{{"metric":{{"i":"b"}},"value":[1,"{b}"]}}]}}}}"#
        ))
    };
    let reordered = answer(
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"i":"b"},"value":[1,"2"]},{"metric":{"i":"a"},"value":[1,"1"]}]}}"#,
    );
    let one = answer(
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"i":"a"},"value":[1,"1"]}]},"infos":["an info"]}"#,
    );
    let error = answer(r#"{"status":"error","errorType":"bad_data","error":"no"}"#);
    let (same, close, nan, far) = (
        vector("1", "2"),
        vector("1.0000000001", "2"),
        vector("NaN", "2"),
        vector("1.001", "2"),
    );
    let cases: [(&ApiResponse, &ApiResponse, bool, usize); 10] = [
        (&same, &same, true, 0),
        (&same, &close, true, 0),
        (&nan, &nan, true, 0),
        (&nan, &same, false, 1),
        (&far, &same, false, 1),
        (&same, &reordered, false, 0),
        (&same, &reordered, true, 1),
        // A missing series and an info we do not give.
        (&same, &one, false, 2),
        (&error, &error, false, 0),
        (&error, &same, false, 1),
    ];
    for (i, (ours, theirs, ordered, want)) in cases.into_iter().enumerate() {
        let diffs = differences(ours, theirs, ordered);
        assert_eq!(diffs.len(), want, "case {i}: {diffs:?}");
    }
}
