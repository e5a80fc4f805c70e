//! Building the metric families a simulated exporter serves: a family with
//! its HELP and TYPE, then its samples, rendered with
//! [`crate::exposition::write`].

use crate::exposition::{self, FamilySample, MetricFamily, MetricType};
use crate::labels::{Labels, METRIC_NAME};

/// One family under construction.
pub(crate) struct Family(MetricFamily);

impl Family {
    pub fn new(name: &str, metric_type: MetricType, help: &str) -> Family {
        Family(MetricFamily {
            name: name.to_string(),
            help: help.to_string(),
            unit: String::new(),
            metric_type,
            samples: Vec::new(),
        })
    }

    pub fn gauge(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Gauge, help)
    }

    pub fn counter(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Counter, help)
    }

    pub fn untyped(name: &str, help: &str) -> Family {
        Family::new(name, MetricType::Untyped, help)
    }

    /// Adds a sample named after the family.
    pub fn add(&mut self, labels: &[(&str, &str)], value: f64) {
        let name = self.0.name.clone();
        self.add_named(&name, labels, value);
    }

    /// Adds a sample with its own name (`_bucket`, `_sum`, `_count`).
    pub fn add_named(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        let mut set = Labels::from_pairs(labels.iter().copied());
        set.set(METRIC_NAME, name);
        self.0.samples.push(FamilySample::new(set, value));
    }

    /// The family with one unlabelled sample.
    pub fn with(mut self, value: f64) -> Family {
        self.add(&[], value);
        self
    }

    pub fn build(self) -> MetricFamily {
        self.0
    }
}

/// Renders families the way the Go client library does: families sorted by
/// name, samples within a family sorted by their labels.
pub(crate) fn render_sorted(mut families: Vec<MetricFamily>) -> String {
    families.sort_by(|a, b| a.name.cmp(&b.name));
    for f in &mut families {
        // Histogram and summary samples keep their order (buckets by `le`,
        // then `_sum` and `_count`), as the client library writes them.
        if matches!(
            f.metric_type,
            MetricType::Counter | MetricType::Gauge | MetricType::Untyped
        ) {
            f.samples.sort_by(|a, b| a.labels.cmp(&b.labels));
        }
    }
    exposition::write(&families)
}
