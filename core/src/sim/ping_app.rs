//! The training material's example application: a Go HTTP server whose
//! `/ping` handler increments the counter `ping_request_count` ("No of
//! request handled by Ping handler") and whose `/metrics` page serves it,
//! deployed as `prom-example` in the `qks-monitoring` namespace on port 8090.

use super::SimTarget;
use crate::clock::Timestamp;
use crate::exposition::{self, FamilySample, MetricFamily, MetricType};
use crate::labels::Labels;

/// The pod's address; the ServiceMonitor scrapes the pod IP and the
/// container port named `metrics`.
const ADDRESS: &str = "10.244.1.17:8090";

#[derive(Debug, Clone, PartialEq)]
pub struct PingApp {
    count: u64,
}

impl Default for PingApp {
    fn default() -> Self {
        Self::new()
    }
}

impl PingApp {
    pub fn new() -> Self {
        PingApp { count: 0 }
    }

    /// Handles a request to `/ping`.
    pub fn ping(&mut self) {
        self.count += 1;
    }

    /// The counter's current value.
    pub fn count(&self) -> u64 {
        self.count
    }

    pub fn address(&self) -> &'static str {
        ADDRESS
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
        }
    }

    /// The response body for `path`, or `None` for a 404.
    pub fn serve(&self, path: &str, _t: Timestamp) -> Option<String> {
        match path {
            "/metrics" => Some(self.metrics()),
            "/ping" => Some("pong".into()),
            _ => None,
        }
    }

    /// The `/metrics` page.
    pub fn metrics(&self) -> String {
        exposition::write(&[MetricFamily {
            name: "ping_request_count".into(),
            help: "No of request handled by Ping handler".into(),
            unit: String::new(),
            metric_type: MetricType::Counter,
            samples: vec![FamilySample::new(
                Labels::from_pairs([("__name__", "ping_request_count")]),
                self.count as f64,
            )],
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn pings_show_on_the_metrics_page() {
        let mut app = PingApp::new();
        for _ in 0..3 {
            app.ping();
        }
        let page = exposition::parse(&app.serve("/metrics", 0).unwrap()).unwrap();
        assert_eq!(page.samples.len(), 1);
        assert_eq!(page.samples[0].labels.metric_name(), "ping_request_count");
        assert_eq!(page.samples[0].value, 3.0);
        assert_eq!(page.metadata[0].metric_type, Some(MetricType::Counter));
        assert_eq!(app.serve("/nope", 0), None);
    }
}
