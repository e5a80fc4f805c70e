//! Helpers shared by the simulated cluster's tests: fetching every target,
//! and reading values out of a parsed page.

#![allow(dead_code)]

use promlab_core::exposition::{self, MetricType, Page};
use promlab_core::sim::{Cluster, FetchError, SimTarget};

/// 2026-01-01T00:00:00Z.
pub const T0: i64 = 1_767_225_600_000;
pub const SECOND: i64 = 1_000;
pub const MINUTE: i64 = 60_000;
pub const HOUR: i64 = 3_600_000;

/// Fetches a target's page and parses it, failing with the parser's
/// rendered error.
pub fn scrape(cluster: &mut Cluster, target: &SimTarget, t: i64) -> Result<Page, FetchError> {
    let body = cluster.fetch(&target.address, &target.metrics_path, t)?;
    match exposition::parse(&body) {
        Ok(page) => Ok(page),
        Err(e) => panic!("{} at {t}: {}", target.address, e.render(&body)),
    }
}

/// The target of `job` whose `pod` label starts with `pod_prefix`, or the
/// first of the job.
pub fn target(cluster: &Cluster, job: &str, nth: usize) -> SimTarget {
    cluster
        .targets()
        .into_iter()
        .filter(|t| t.job == job)
        .nth(nth)
        .unwrap_or_else(|| panic!("no target {nth} of job {job}"))
}

/// The value of the sample printed as `series` (`name{a="1", b="2"}`).
pub fn value(page: &Page, series: &str) -> f64 {
    find(page, series).unwrap_or_else(|| panic!("no sample {series}"))
}

pub fn find(page: &Page, series: &str) -> Option<f64> {
    page.samples
        .iter()
        .find(|s| s.labels.to_string() == series)
        .map(|s| s.value)
}

/// The samples of metric `name`, as (labels without the name, value).
pub fn samples<'a>(page: &'a Page, name: &'a str) -> impl Iterator<Item = (String, f64)> + 'a {
    page.samples
        .iter()
        .filter(move |s| s.labels.metric_name() == name)
        .map(|s| (s.labels.without_metric_name().to_string(), s.value))
}

/// The sum of metric `name`'s samples whose labels contain `matching`.
pub fn sum(page: &Page, name: &str, matching: &str) -> f64 {
    samples(page, name)
        .filter(|(l, _)| l.contains(matching))
        .map(|(_, v)| v)
        .sum()
}

/// Whether a sample of a family of type `t` only ever grows between
/// resets: counters, and the `_bucket`, `_sum` and `_count` series of
/// histograms and summaries. node_exporter serves `/proc/net/netstat` and
/// `/proc/vmstat` as untyped, but all of those it serves are counters
/// except `Tcp_CurrEstab`.
pub fn is_cumulative(page: &Page, name: &str) -> bool {
    let typed = |family: &str| {
        page.metadata
            .iter()
            .find(|m| m.name == family)
            .and_then(|m| m.metric_type)
    };
    if let Some(t) = typed(name) {
        return match t {
            MetricType::Counter => true,
            MetricType::Untyped => {
                (name.starts_with("node_netstat_") && name != "node_netstat_Tcp_CurrEstab")
                    || name.starts_with("node_vmstat_")
            }
            _ => false,
        };
    }
    for suffix in ["_bucket", "_sum", "_count"] {
        if let Some(family) = name.strip_suffix(suffix) {
            if matches!(
                typed(family),
                Some(MetricType::Histogram | MetricType::Summary)
            ) {
                return true;
            }
        }
    }
    false
}
