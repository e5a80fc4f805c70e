//! The training material's example application: a Go HTTP server whose
//! `/ping` handler increments the counter `ping_request_count` ("No of
//! request handled by Ping handler") and whose `/metrics` page serves it,
//! deployed as `prom-example` in the `qks-monitoring` namespace on port 8090.
//!
//! Like any program using the Go client library's default registry, the
//! page also carries the `go_*`, `process_*` and `promhttp_*` metrics. The
//! lab's version of the app is instrumented a little further so that every
//! metric type has a live example: the handlers are wrapped with a latency
//! histogram, `http_request_duration_seconds` (by `code`, `handler` and
//! `method`, moving with every scrape and every ping), and `/ping` also
//! records its latency in a summary, `ping_request_duration_seconds`, with
//! the 0.5, 0.9 and 0.99 quantiles over the last ten minutes, as the client
//! library computes them.
//!
//! Pings carry no time of their own: they are recorded at the last time the
//! app was told about ([`PingApp::handle`], or the cluster observing time).

use super::dynamics::{exp, Key, MINUTE};
use super::go_runtime::{GoProcess, GoProfile};
use super::page::{render_sorted, Family};
use super::SimTarget;
use crate::clock::{Millis, Timestamp};
use crate::exposition::{format_float, MetricFamily, MetricType};
use crate::labels::Labels;
use std::collections::VecDeque;

/// The pod's address; the ServiceMonitor scrapes the pod IP and the
/// container port named `metrics`.
pub const ADDRESS: &str = "10.244.1.17:8090";

/// The buckets of `http_request_duration_seconds`, in seconds.
pub const BUCKETS: [f64; 11] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
];

/// The quantiles of `ping_request_duration_seconds`.
pub const QUANTILES: [f64; 3] = [0.5, 0.9, 0.99];

/// How long the summary remembers an observation (the client library's
/// default `MaxAge`).
const SUMMARY_MAX_AGE: Millis = 10 * MINUTE;

/// The most observations the summary keeps for its quantiles; the client
/// library bounds its memory too.
const SUMMARY_CAPACITY: usize = 4096;

/// The bytes of a `/ping` request and of its `pong` response on the wire.
const PING_REQUEST_BYTES: f64 = 112.0;
const PING_RESPONSE_BYTES: f64 = 121.0;
/// The bytes of a scrape request on the wire.
const SCRAPE_REQUEST_BYTES: f64 = 226.0;

/// A cumulative histogram: counts per upper bound, sum and count.
#[derive(Debug, Clone, PartialEq, Default)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, v: f64) {
        for (bound, n) in BUCKETS.iter().zip(self.buckets.iter_mut()) {
            if v <= *bound {
                *n = n.saturating_add(1);
            }
        }
        self.sum += v;
        self.count = self.count.saturating_add(1);
    }

    fn write(&self, family: &mut Family, labels: &[(&str, &str)]) {
        let name = "http_request_duration_seconds";
        for (bound, n) in BUCKETS.iter().zip(self.buckets.iter()) {
            let le = format_float(*bound);
            let mut l = labels.to_vec();
            l.push(("le", &le));
            family.add_named(&format!("{name}_bucket"), &l, *n as f64);
        }
        let mut l = labels.to_vec();
        l.push(("le", "+Inf"));
        family.add_named(&format!("{name}_bucket"), &l, self.count as f64);
        family.add_named(&format!("{name}_sum"), labels, self.sum);
        family.add_named(&format!("{name}_count"), labels, self.count as f64);
    }
}

/// A summary: quantiles over a sliding window, sum and count over all time.
#[derive(Debug, Clone, PartialEq, Default)]
struct Summary {
    window: VecDeque<(Timestamp, f64)>,
    sum: f64,
    count: u64,
}

impl Summary {
    fn observe(&mut self, t: Timestamp, v: f64) {
        if self.window.len() == SUMMARY_CAPACITY {
            self.window.pop_front();
        }
        self.window.push_back((t, v));
        self.sum += v;
        self.count = self.count.saturating_add(1);
    }

    /// The `q` quantile of the observations younger than the window at
    /// `t`, by nearest rank; NaN when there are none, as the client library
    /// reports an empty summary.
    fn quantile(&self, t: Timestamp, q: f64) -> f64 {
        let since = t.saturating_sub(SUMMARY_MAX_AGE);
        let mut values: Vec<f64> = self
            .window
            .iter()
            .filter(|(at, _)| *at > since && *at <= t)
            .map(|(_, v)| *v)
            .collect();
        if values.is_empty() {
            return f64::NAN;
        }
        values.sort_by(f64::total_cmp);
        let rank = (q * values.len() as f64).ceil() as usize;
        values[rank.clamp(1, values.len()) - 1]
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PingApp {
    count: u64,
    key: Key,
    process: GoProcess,
    /// The latest time the app has seen; pings happen then.
    now: Timestamp,
    /// Pings handled over every run of the process, to draw latencies from.
    handled: u64,
    ping_latency: Histogram,
    metrics_latency: Histogram,
    summary: Summary,
    received: f64,
    sent: f64,
}

impl Default for PingApp {
    fn default() -> Self {
        Self::new()
    }
}

/// The app is a small Go 1.22 program (the training material's
/// Dockerfile builds it with `golang:1.22.1-alpine`).
fn profile(gomaxprocs: u32) -> GoProfile {
    GoProfile {
        go_version: "go1.22.1",
        goroutines: 7.0,
        threads: 8.0,
        live_heap: 1.4e6,
        alloc_rate: 4_200.0,
        cpu_rate: 0.0006,
        resident_extra: 7.1e6,
        virtual_bytes: 1.24e9,
        open_fds: 9.0,
        max_fds: 1_048_576.0,
        gomaxprocs,
        handler_errors: false,
    }
}

impl PingApp {
    /// The app with seed 0, started at time 0.
    pub fn new() -> Self {
        Self::with_seed(0, 0, 8)
    }

    /// The app with its random streams drawn from `seed`, its process
    /// started at `started`, on a node with `cpus` CPUs.
    pub fn with_seed(seed: u64, started: Timestamp, cpus: u32) -> Self {
        let key = Key::new(seed, "prom-example");
        PingApp {
            count: 0,
            key,
            process: GoProcess::new(key.child("process"), profile(cpus), started),
            now: started,
            handled: 0,
            ping_latency: Histogram::default(),
            metrics_latency: Histogram::default(),
            summary: Summary::default(),
            received: 0.0,
            sent: 0.0,
        }
    }

    /// Handles a request to `/ping` at the latest time the app has seen.
    pub fn ping(&mut self) {
        self.count = self.count.saturating_add(1);
        self.handled = self.handled.saturating_add(1);
        let latency = self.ping_latency_of(self.handled);
        self.ping_latency.observe(latency);
        self.summary.observe(self.now, latency);
        self.received += PING_REQUEST_BYTES;
        self.sent += PING_RESPONSE_BYTES;
    }

    /// The counter's current value.
    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn address(&self) -> &'static str {
        ADDRESS
    }

    /// When the running process started.
    pub fn started(&self) -> Timestamp {
        self.process.started()
    }

    /// The target as the ServiceMonitor `prom-example` discovers it: job
    /// from the Service's name, and the namespace, service, pod, container
    /// and endpoint labels the Prometheus Operator adds.
    pub fn target(&self) -> SimTarget {
        SimTarget {
            job: "prom-example".into(),
            address: ADDRESS.into(),
            metrics_path: "/metrics".into(),
            labels: Labels::from_pairs([
                ("container", "mymetric"),
                ("endpoint", "metrics"),
                ("namespace", "qks-monitoring"),
                ("pod", "prom-example-5d8c7b9f4-x2x7q"),
                ("service", "prom-example"),
            ]),
            honor_labels: false,
            // The ServiceMonitor's `interval: 15s`.
            scrape_interval: 15_000,
        }
    }

    /// The response body for `path` at `t`, or `None` for a 404. Serving
    /// changes nothing; [`PingApp::handle`] is the request with its effects.
    pub fn serve(&self, path: &str, t: Timestamp) -> Option<String> {
        match path {
            "/metrics" => Some(render_sorted(self.families(t))),
            "/ping" => Some("pong".into()),
            _ => None,
        }
    }

    /// Handles a request: `/ping` counts, `/metrics` is counted by the
    /// handler's own metrics once answered.
    pub fn handle(&mut self, path: &str, t: Timestamp) -> Option<String> {
        self.observe(t);
        match path {
            "/ping" => {
                self.ping();
                Some("pong".into())
            }
            "/metrics" => {
                let body = render_sorted(self.families(self.now));
                let latency = 0.0012 + body.len() as f64 * 9e-8;
                let jitter = self
                    .key
                    .child("scrape")
                    .range(self.process_scrapes(), 0.85, 1.6);
                self.metrics_latency.observe(latency * jitter);
                self.process.scraped();
                self.received += SCRAPE_REQUEST_BYTES;
                self.sent += body.len() as f64 + 160.0;
                Some(body)
            }
            _ => None,
        }
    }

    /// The `/metrics` page at the latest time the app has seen.
    pub fn metrics(&self) -> String {
        render_sorted(self.families(self.now))
    }

    /// Moves the app's notion of now forward to `t` (never back).
    pub fn observe(&mut self, t: Timestamp) {
        self.now = self.now.max(t);
    }

    /// Sets when the running process started, without a restart's effects
    /// (the cluster places the start before the first thing it observes).
    pub(crate) fn set_started(&mut self, t: Timestamp) {
        self.process = GoProcess::new(self.key.child("process"), self.process.profile(), t);
        self.now = self.now.max(t);
    }

    /// The process is restarted at `t`: the counter is 0 again, the
    /// histogram and summary are empty, and the process start time moves.
    pub fn restart(&mut self, t: Timestamp) {
        self.observe(t);
        self.count = 0;
        self.ping_latency = Histogram::default();
        self.metrics_latency = Histogram::default();
        self.summary = Summary::default();
        self.received = 0.0;
        self.sent = 0.0;
        self.process.restart(self.now);
    }

    fn process_scrapes(&self) -> i64 {
        (self.metrics_latency.count.min(i64::MAX as u64)) as i64
    }

    /// The latency of the `n`-th ping: about 1.8 ms, with a long tail (a
    /// garbage collection or a slow network now and then).
    fn ping_latency_of(&self, n: u64) -> f64 {
        let key = self.key.child("ping");
        let i = n.min(i64::MAX as u64) as i64;
        let base = 0.0018 * exp(0.55 * key.normal(i));
        if key.child("slow").unit(i) < 0.03 {
            base + key.child("tail").range(i, 0.02, 0.3)
        } else {
            base
        }
    }

    fn families(&self, t: Timestamp) -> Vec<MetricFamily> {
        let t = t.max(self.process.started());
        let mut out = self.process.families(t, (self.received, self.sent));
        out.push(
            Family::counter(
                "ping_request_count",
                "No of request handled by Ping handler",
            )
            .with(self.count as f64)
            .build(),
        );
        let mut histogram = Family::new(
            "http_request_duration_seconds",
            MetricType::Histogram,
            "Duration of HTTP requests in seconds, by handler.",
        );
        let labels = |handler| [("code", "200"), ("handler", handler), ("method", "get")];
        self.metrics_latency
            .write(&mut histogram, &labels("/metrics"));
        self.ping_latency.write(&mut histogram, &labels("/ping"));
        out.push(histogram.build());
        let mut summary = Family::new(
            "ping_request_duration_seconds",
            MetricType::Summary,
            "Latency of the /ping handler in seconds.",
        );
        for q in QUANTILES {
            let v = self.summary.quantile(t, q);
            summary.add(&[("quantile", &format_float(q))], v);
        }
        summary.add_named("ping_request_duration_seconds_sum", &[], self.summary.sum);
        summary.add_named(
            "ping_request_duration_seconds_count",
            &[],
            self.summary.count as f64,
        );
        out.push(summary.build());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exposition;
    use wasm_bindgen_test::wasm_bindgen_test;

    const T0: Timestamp = 1_767_225_600_000;

    fn value(page: &str, series: &str) -> f64 {
        let page = exposition::parse(page).unwrap();
        page.samples
            .iter()
            .find(|s| s.labels.to_string() == series)
            .map(|s| s.value)
            .unwrap_or_else(|| panic!("no {series}"))
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn pings_show_on_the_metrics_page() {
        let mut app = PingApp::with_seed(1, T0, 8);
        for _ in 0..3 {
            app.ping();
        }
        let page = app.serve("/metrics", T0 + 1_000).unwrap();
        assert_eq!(value(&page, "ping_request_count"), 3.0);
        assert_eq!(
            value(
                &page,
                "http_request_duration_seconds_count{code=\"200\", handler=\"/ping\", method=\"get\"}"
            ),
            3.0
        );
        assert_eq!(value(&page, "ping_request_duration_seconds_count"), 3.0);
        let parsed = exposition::parse(&page).unwrap();
        let meta = parsed
            .metadata
            .iter()
            .find(|m| m.name == "ping_request_count")
            .unwrap();
        assert_eq!(meta.metric_type, Some(MetricType::Counter));
        assert_eq!(app.serve("/nope", T0), None);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn scrapes_are_counted_after_they_are_answered() {
        let mut app = PingApp::with_seed(1, T0, 8);
        let first = app.handle("/metrics", T0 + 15_000).unwrap();
        let second = app.handle("/metrics", T0 + 30_000).unwrap();
        let served = "promhttp_metric_handler_requests_total{code=\"200\"}";
        assert_eq!(value(&first, served), 0.0);
        assert_eq!(value(&second, served), 1.0);
        let metrics_count =
            "http_request_duration_seconds_count{code=\"200\", handler=\"/metrics\", method=\"get\"}";
        assert_eq!(value(&second, metrics_count), 1.0);
        assert_eq!(app.handle("/ping", T0 + 31_000).as_deref(), Some("pong"));
        assert_eq!(app.count(), 1);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_summary_forgets_after_ten_minutes() {
        let mut app = PingApp::with_seed(3, T0, 8);
        app.observe(T0 + MINUTE);
        for _ in 0..200 {
            app.ping();
        }
        let page = app.serve("/metrics", T0 + 2 * MINUTE).unwrap();
        let p50 = value(&page, "ping_request_duration_seconds{quantile=\"0.5\"}");
        let p99 = value(&page, "ping_request_duration_seconds{quantile=\"0.99\"}");
        assert!((0.0008..0.004).contains(&p50), "{p50}");
        assert!(p99 > p50);
        let later = app.serve("/metrics", T0 + 12 * MINUTE).unwrap();
        assert!(value(&later, "ping_request_duration_seconds{quantile=\"0.5\"}").is_nan());
        assert_eq!(value(&later, "ping_request_duration_seconds_count"), 200.0);
        // The histogram agrees with the summary's median.
        let le = |b: &str| {
            value(
                &later,
                &format!(
                    "http_request_duration_seconds_bucket{{code=\"200\", handler=\"/ping\", le=\"{b}\", method=\"get\"}}"
                ),
            )
        };
        assert!(le("0.001") < 100.0 && le("0.005") > 100.0);
        assert_eq!(le("+Inf"), 200.0);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_restart_resets_the_counter_and_moves_the_start_time() {
        let mut app = PingApp::with_seed(1, T0, 8);
        app.observe(T0 + 10_000);
        app.ping();
        app.restart(T0 + 20_000);
        let page = app.serve("/metrics", T0 + 30_000).unwrap();
        assert_eq!(value(&page, "ping_request_count"), 0.0);
        assert_eq!(value(&page, "process_start_time_seconds"), 1_767_225_620.0);
        assert_eq!(app.started(), T0 + 20_000);
    }
}
