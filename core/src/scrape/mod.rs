//! The scrape model: scrape configs, the targets they produce, when each
//! target is due, and what a scrape writes into the TSDB.
//!
//! The manager does no I/O. The lab asks it which target is due next
//! ([`ScrapeManager::next_due`]), fetches the page however that target is
//! reached (a simulated exporter in process; later an HTTP URL), and hands
//! the outcome back with [`ScrapeManager::ingest`]. That keeps scraping
//! deterministic on the virtual clock and the same natively and in the
//! browser.
//!
//! A scrape writes, as Prometheus does: every sample of the page with the
//! target's labels attached (a clashing label from the page becomes
//! `exported_<name>`), the synthetic series `up`, `scrape_duration_seconds`,
//! `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and
//! `scrape_series_added`, and stale markers for series that the previous
//! scrape had and this one does not (all of them when the scrape fails).

use crate::clock::{Millis, Timestamp};
use crate::exposition;
use crate::labels::{Labels, METRIC_NAME};
use crate::tsdb::{Head, SeriesRef, STALE_NAN};
use std::collections::HashSet;

/// The part of a Prometheus `scrape_configs` entry this version reads.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeConfig {
    pub job_name: String,
    pub scrape_interval: Millis,
    pub scrape_timeout: Millis,
    pub metrics_path: String,
    pub scheme: String,
    pub honor_labels: bool,
    pub honor_timestamps: bool,
    /// `static_configs`: addresses and the labels to attach to them.
    pub targets: Vec<(String, Labels)>,
}

impl ScrapeConfig {
    /// A config with Prometheus's defaults: every 1m, 10s timeout,
    /// `/metrics` over http.
    pub fn new(job_name: impl Into<String>) -> Self {
        ScrapeConfig {
            job_name: job_name.into(),
            scrape_interval: 60_000,
            scrape_timeout: 10_000,
            metrics_path: "/metrics".into(),
            scheme: "http".into(),
            honor_labels: false,
            honor_timestamps: true,
            targets: Vec::new(),
        }
    }
}

/// A target's health, as the Targets page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Unknown,
    Up,
    Down,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Down => "down",
        }
    }
}

/// One scrape target and its scrape state.
#[derive(Debug, Clone)]
pub struct Target {
    /// The job (scrape pool) the target belongs to.
    pub scrape_pool: String,
    /// Labels before relabelling: `__address__`, `__metrics_path__`,
    /// `__scheme__`, `job` and the static labels.
    pub discovered_labels: Labels,
    /// Labels attached to every series of the target: `job`, `instance`
    /// and the static labels.
    pub labels: Labels,
    pub address: String,
    pub metrics_path: String,
    pub scheme: String,
    pub interval: Millis,
    pub timeout: Millis,
    honor_labels: bool,
    honor_timestamps: bool,
    pub health: Health,
    pub last_error: String,
    pub last_scrape: Option<Timestamp>,
    /// Seconds the last scrape took.
    pub last_scrape_duration: f64,
    /// When the next scrape is due.
    pub next_scrape: Timestamp,
    /// Series the last scrape wrote, for staleness.
    last_series: HashSet<SeriesRef>,
}

impl Target {
    pub fn scrape_url(&self) -> String {
        format!("{}://{}{}", self.scheme, self.address, self.metrics_path)
    }
}

/// What fetching a page gave.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeOutcome {
    /// The page, or the error that stopped the fetch.
    pub body: Result<String, String>,
    /// Seconds the fetch took.
    pub duration: f64,
}

/// All targets of all scrape configs, and their schedule.
#[derive(Debug, Clone, Default)]
pub struct ScrapeManager {
    targets: Vec<Target>,
}

/// A stable 64-bit FNV-1a hash, so scrape offsets are the same on every
/// platform and every run.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl ScrapeManager {
    /// Builds the targets of `configs`; each target's first scrape is at the
    /// first time at or after `start` that falls on its offset within the
    /// interval. The offset comes from a hash of the target's labels, which
    /// spreads targets across the interval as Prometheus does.
    pub fn new(configs: &[ScrapeConfig], start: Timestamp) -> Self {
        let mut targets = Vec::new();
        for cfg in configs {
            for (address, static_labels) in &cfg.targets {
                let mut discovered = static_labels.clone();
                discovered.set("__address__", address.clone());
                discovered.set("__metrics_path__", cfg.metrics_path.clone());
                discovered.set("__scheme__", cfg.scheme.clone());
                discovered.set("job", cfg.job_name.clone());
                let mut labels = static_labels.clone();
                labels.set("job", cfg.job_name.clone());
                if !labels.contains("instance") {
                    labels.set("instance", address.clone());
                }
                let interval = cfg.scrape_interval.max(1);
                let offset = (fnv1a(labels.to_string().as_bytes()) % interval as u64) as Millis;
                let next_scrape =
                    start + (offset - start.rem_euclid(interval)).rem_euclid(interval);
                targets.push(Target {
                    scrape_pool: cfg.job_name.clone(),
                    discovered_labels: discovered,
                    labels,
                    address: address.clone(),
                    metrics_path: cfg.metrics_path.clone(),
                    scheme: cfg.scheme.clone(),
                    interval,
                    timeout: cfg.scrape_timeout,
                    honor_labels: cfg.honor_labels,
                    honor_timestamps: cfg.honor_timestamps,
                    health: Health::Unknown,
                    last_error: String::new(),
                    last_scrape: None,
                    last_scrape_duration: 0.0,
                    next_scrape,
                    last_series: HashSet::new(),
                });
            }
        }
        ScrapeManager { targets }
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The target due first and when, ties broken by target order.
    pub fn next_due(&self) -> Option<(usize, Timestamp)> {
        self.targets
            .iter()
            .enumerate()
            .min_by_key(|(i, t)| (t.next_scrape, *i))
            .map(|(i, t)| (i, t.next_scrape))
    }

    /// Records the scrape of target `index` at time `t` and writes its
    /// samples into `head`. The target's next scrape moves one interval on.
    pub fn ingest(&mut self, index: usize, t: Timestamp, outcome: ScrapeOutcome, head: &mut Head) {
        let Some(target) = self.targets.get_mut(index) else {
            return;
        };
        target.next_scrape = t + target.interval;
        target.last_scrape = Some(t);
        target.last_scrape_duration = outcome.duration;

        let parsed = outcome.body.and_then(|body| {
            exposition::parse(&body)
                .map_err(|e| format!("{}: {e}", e.to_diagnostic().position(&body)))
        });
        let mut seen = HashSet::new();
        let mut scraped = 0usize;
        let mut added = 0usize;
        let mut write_error = None;
        match parsed {
            Ok(page) => {
                scraped = page.samples.len();
                for sample in page.samples {
                    let labels = target_labels(&sample.labels, &target.labels, target.honor_labels);
                    let ts = match sample.timestamp {
                        Some(ts) if target.honor_timestamps => ts,
                        _ => t,
                    };
                    let series_before = head.num_series();
                    match head.append(&labels, ts, sample.value) {
                        Ok(r) => {
                            if head.num_series() > series_before {
                                added += 1;
                            }
                            seen.insert(r);
                        }
                        Err(e) => {
                            // Prometheus keeps the rest of the page and counts
                            // these; the first one is shown on the target.
                            write_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                }
                target.health = Health::Up;
                target.last_error = write_error.unwrap_or_default();
            }
            Err(err) => {
                target.health = Health::Down;
                target.last_error = err;
            }
        }
        // Series that the previous scrape had and this one lacks go stale.
        for &r in target.last_series.difference(&seen) {
            if head.last_sample(r).is_some_and(|s| s.t < t) {
                let _ = head.append_ref(r, t, STALE_NAN);
            }
        }
        target.last_series = seen;

        let up = if target.health == Health::Up {
            1.0
        } else {
            0.0
        };
        let synthetic = [
            ("up", up),
            ("scrape_duration_seconds", outcome.duration),
            ("scrape_samples_scraped", scraped as f64),
            ("scrape_samples_post_metric_relabeling", scraped as f64),
            ("scrape_series_added", added as f64),
        ];
        for (name, value) in synthetic {
            let mut labels = target.labels.clone();
            labels.set(METRIC_NAME, name);
            // Synthetic series are written at the scrape time, which only
            // moves forward, so the append cannot be refused.
            let _ = head.append(&labels, t, value);
        }
    }
}

/// The labels a scraped sample is stored under: the page's labels plus the
/// target's. With `honor_labels: false` a page label that clashes with a
/// target label is kept as `exported_<name>`.
fn target_labels(sample: &Labels, target: &Labels, honor_labels: bool) -> Labels {
    let mut out = sample.clone();
    for l in target.iter() {
        let existing = sample.get(&l.name);
        if existing.is_empty() {
            out.set(l.name.clone(), l.value.clone());
        } else if !honor_labels {
            out.set(format!("exported_{}", l.name), existing.to_string());
            out.set(l.name.clone(), l.value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Matcher;
    use crate::tsdb::{is_stale_marker, Querier};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn manager() -> ScrapeManager {
        let mut cfg = ScrapeConfig::new("app");
        cfg.scrape_interval = 15_000;
        cfg.targets = vec![("10.0.0.1:8090".into(), Labels::from_pairs([("team", "a")]))];
        ScrapeManager::new(&[cfg], 1_000_000)
    }

    fn ok(body: &str) -> ScrapeOutcome {
        ScrapeOutcome {
            body: Ok(body.into()),
            duration: 0.004,
        }
    }

    fn values(head: &Head, name: &str) -> Vec<(Timestamp, f64)> {
        head.select(&[Matcher::equal("__name__", name)], 0, i64::MAX)
            .into_iter()
            .flat_map(|s| s.samples)
            .map(|s| (s.t, s.v))
            .collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn first_scrape_is_within_one_interval_and_stable() {
        let m = manager();
        let (i, t) = m.next_due().unwrap();
        assert_eq!(i, 0);
        assert!((1_000_000..1_015_000).contains(&t), "{t}");
        assert_eq!(manager().next_due(), Some((0, t)));
        let target = &m.targets()[0];
        assert_eq!(
            target.labels.to_string(),
            r#"{instance="10.0.0.1:8090", job="app", team="a"}"#
        );
        assert_eq!(target.scrape_url(), "http://10.0.0.1:8090/metrics");
        assert_eq!(target.health, Health::Unknown);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_scrape_writes_samples_with_target_labels_and_synthetic_series() {
        let mut m = manager();
        let mut head = Head::new();
        m.ingest(0, 1_000, ok("a{job=\"inner\"} 1\nb 2 500\n"), &mut head);
        let a = head.select(&[Matcher::equal("__name__", "a")], 0, i64::MAX);
        assert_eq!(
            a[0].labels.to_string(),
            r#"a{exported_job="inner", instance="10.0.0.1:8090", job="app", team="a"}"#
        );
        // The page's own timestamp is honoured.
        assert_eq!(values(&head, "b"), vec![(500, 2.0)]);
        assert_eq!(values(&head, "up"), vec![(1_000, 1.0)]);
        assert_eq!(values(&head, "scrape_samples_scraped"), vec![(1_000, 2.0)]);
        assert_eq!(values(&head, "scrape_series_added"), vec![(1_000, 2.0)]);
        assert_eq!(
            values(&head, "scrape_duration_seconds"),
            vec![(1_000, 0.004)]
        );
        assert_eq!(m.targets()[0].health, Health::Up);
        assert_eq!(m.targets()[0].next_scrape, 16_000);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_bad_page_fails_the_scrape_and_marks_series_stale() {
        let mut m = manager();
        let mut head = Head::new();
        m.ingest(0, 1_000, ok("a 1\n"), &mut head);
        m.ingest(0, 16_000, ok("a 1\nthis is not a sample\n"), &mut head);
        let target = &m.targets()[0];
        assert_eq!(target.health, Health::Down);
        assert!(
            target
                .last_error
                .starts_with("2:6: invalid sample value \"is\""),
            "{}",
            target.last_error
        );
        assert_eq!(values(&head, "up"), vec![(1_000, 1.0), (16_000, 0.0)]);
        let a = values(&head, "a");
        assert_eq!(a[0], (1_000, 1.0));
        assert_eq!(a[1].0, 16_000);
        assert!(is_stale_marker(a[1].1));
        // Recovery: the series comes back, nothing already stored is lost.
        m.ingest(0, 31_000, ok("a 3\n"), &mut head);
        assert_eq!(values(&head, "a").len(), 3);
        assert_eq!(m.targets()[0].health, Health::Up);
        assert_eq!(m.targets()[0].last_error, "");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_series_missing_from_the_next_page_goes_stale() {
        let mut m = manager();
        let mut head = Head::new();
        m.ingest(0, 1_000, ok("a 1\nb 1\n"), &mut head);
        m.ingest(0, 16_000, ok("a 2\n"), &mut head);
        let b = values(&head, "b");
        assert_eq!(b.len(), 2);
        assert!(is_stale_marker(b[1].1));
        assert_eq!(values(&head, "a"), vec![(1_000, 1.0), (16_000, 2.0)]);
    }
}
