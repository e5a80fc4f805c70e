//! The scrape manager: every target of every scrape config, when each is
//! due, and what a scrape writes into the TSDB.
//!
//! A scrape writes, as Prometheus 3.5 does:
//! - every sample of the page with the target's labels attached: a label
//!   the page also has becomes `exported_<name>` (`honor_labels: false`)
//!   or keeps the page's value (`honor_labels: true`);
//! - after `metric_relabel_configs`, which may rename or drop samples;
//! - at the page's own timestamp when it has one and `honor_timestamps` is
//!   on, else at the scrape time;
//! - nothing at all when the page does not parse, a sample has no metric
//!   name, a label limit is exceeded or more samples than `sample_limit`
//!   remain: the scrape fails with Prometheus's message and `up` is 0;
//! - the synthetic series `up`, `scrape_duration_seconds`,
//!   `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling` and
//!   `scrape_series_added`, with the target's labels only;
//! - stale markers for the series the previous scrape wrote and this one
//!   did not (all of them when the scrape fails). Series with their own
//!   timestamps are not tracked, as in Prometheus.

use super::config::{PrometheusConfig, ScrapeConfig};
use super::relabel::{self, Builder};
use super::target::{
    self, discovered_labels, offset_seed, populate_labels, CachedSeries, DroppedTarget, Target,
    TargetError, HOSTNAME,
};
use super::Health;
use crate::clock::Timestamp;
use crate::exposition;
use crate::labels::{Labels, METRIC_NAME};
use crate::tsdb::{AppendError, Head, Metadata, STALE_NAN};
use std::collections::{HashMap, HashSet};

/// What fetching a page gave.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeOutcome {
    /// The page, or the error that stopped the fetch.
    pub body: Result<String, String>,
    /// The response's Content-Type, which picks the parser as in
    /// Prometheus (the text format when absent or unknown).
    pub content_type: Option<String>,
    /// Seconds the fetch took.
    pub duration: f64,
}

impl ScrapeOutcome {
    /// A page in the text format.
    pub fn text(body: impl Into<String>, duration: f64) -> Self {
        ScrapeOutcome {
            body: Ok(body.into()),
            content_type: None,
            duration,
        }
    }

    /// A fetch that failed with `error`.
    pub fn failed(error: impl Into<String>, duration: f64) -> Self {
        ScrapeOutcome {
            body: Err(error.into()),
            content_type: None,
            duration,
        }
    }
}

/// A static target that could not be made into a target (Prometheus logs
/// these and scrapes the rest).
#[derive(Debug, Clone, PartialEq)]
pub struct TargetBuildError {
    pub scrape_pool: String,
    pub discovered_labels: Labels,
    pub error: TargetError,
}

/// All targets of all scrape configs, and their schedule.
#[derive(Debug, Clone, Default)]
pub struct ScrapeManager {
    /// Seeds the scrape offsets (Prometheus hashes its hostname and
    /// external labels into it).
    seed: u64,
    configs: Vec<ScrapeConfig>,
    targets: Vec<Target>,
    dropped: Vec<DroppedTarget>,
    errors: Vec<TargetBuildError>,
}

impl ScrapeManager {
    /// Builds the targets of `configs` with no external labels; each
    /// target's first scrape is at its offset within the interval after
    /// `start` (see [`target::first_scrape`]).
    pub fn new(configs: &[ScrapeConfig], start: Timestamp) -> Self {
        Self::with_seed(configs, start, offset_seed(HOSTNAME, &Labels::new()))
    }

    /// Builds the targets of a whole configuration; its external labels
    /// seed the scrape offsets.
    pub fn from_config(config: &PrometheusConfig, start: Timestamp) -> Self {
        Self::with_seed(
            &config.scrape_configs,
            start,
            offset_seed(HOSTNAME, &config.global.external_labels),
        )
    }

    fn with_seed(configs: &[ScrapeConfig], start: Timestamp, seed: u64) -> Self {
        let mut m = ScrapeManager {
            seed,
            ..ScrapeManager::default()
        };
        for cfg in configs {
            m.add_config(cfg.clone(), start);
        }
        m
    }

    /// Adds a scrape config and its targets; their first scrapes fall in
    /// the interval after `start`. The config's job must not be one the
    /// manager already has (the caller checks, as Prometheus's config
    /// check does).
    pub fn add_config(&mut self, cfg: ScrapeConfig, start: Timestamp) {
        let ci = self.configs.len();
        // Targets with the same labels and URL are one target in
        // Prometheus's scrape pool.
        let mut seen = HashSet::new();
        for (address, group_labels) in &cfg.targets {
            let discovered = discovered_labels(&cfg, address, group_labels);
            match populate_labels(&discovered, &cfg) {
                Ok(Some(all)) => {
                    let t = Target::new(&cfg, ci, discovered, all, start, self.seed);
                    if seen.insert(t.hash()) {
                        self.targets.push(t);
                    }
                }
                Ok(None) => self.dropped.push(DroppedTarget {
                    scrape_pool: cfg.job_name.clone(),
                    discovered_labels: discovered,
                }),
                Err(error) => self.errors.push(TargetBuildError {
                    scrape_pool: cfg.job_name.clone(),
                    discovered_labels: discovered,
                    error,
                }),
            }
        }
        self.configs.push(cfg);
    }

    /// Records that the scrape of target `index` due at `t` has started
    /// and will be ingested later (an HTTP fetch in flight): the target is
    /// not due again before `t` plus its interval.
    pub fn begin_scrape(&mut self, index: usize, t: Timestamp) {
        if let Some(target) = self.targets.get_mut(index) {
            target.next_scrape = target.next_scrape.max(t.saturating_add(target.interval));
        }
    }

    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// Targets that relabelling dropped, with their discovered labels.
    pub fn dropped_targets(&self) -> &[DroppedTarget] {
        &self.dropped
    }

    /// Static targets that relabelling left unusable.
    pub fn target_errors(&self) -> &[TargetBuildError] {
        &self.errors
    }

    /// The scrape configs the targets came from.
    pub fn configs(&self) -> &[ScrapeConfig] {
        &self.configs
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
        let Some(cfg) = self.configs.get(target.config) else {
            return;
        };
        // A result that arrives late (an HTTP fetch) never moves the
        // schedule back.
        target.next_scrape = target.next_scrape.max(t.saturating_add(target.interval));
        target.last_scrape = Some(t);

        // A fetch slower than the timeout is cut off at the timeout.
        let timeout_secs = target.timeout as f64 / 1000.0;
        let (body, duration) = if outcome.duration > timeout_secs && outcome.body.is_ok() {
            (
                Err(format!(
                    "Get \"{}\": context deadline exceeded",
                    target.scrape_url()
                )),
                timeout_secs,
            )
        } else {
            (outcome.body, outcome.duration)
        };
        target.last_scrape_duration = duration;

        let format = outcome.content_type.as_deref().map_or(
            exposition::Format::Text004,
            exposition::Format::from_content_type,
        );
        // Parse; on a parse error Prometheus has already taken the samples
        // before the bad line, which count in the report.
        let (samples, parse_error) = match &body {
            Ok(text) => match exposition::parse_with(text, format) {
                Ok(page) => {
                    record_metadata(head, &page.metadata);
                    (page.samples, None)
                }
                Err(e) => {
                    let pos = e.to_diagnostic().position(text);
                    let line_start = text
                        .get(..e.span.start)
                        .and_then(|b| b.rfind('\n'))
                        .map_or(0, |i| i + 1);
                    let before = text
                        .get(..line_start)
                        .and_then(|b| exposition::parse_with(b, format).ok())
                        .map_or_else(Vec::new, |p| p.samples);
                    (before, Some(format!("{pos}: {e}")))
                }
            },
            Err(e) => (Vec::new(), Some(e.clone())),
        };

        let prepared = prepare(cfg, &target.labels, &target.cache, samples, t);
        let error = prepared.error.clone().or(parse_error);
        let kept = prepared.samples.len();
        let limit_exceeded = cfg.sample_limit > 0 && kept as u64 > cfg.sample_limit;
        let error = error.or_else(|| limit_exceeded.then(|| "sample limit exceeded".to_string()));

        // Series new to the target's cache among the samples that were
        // appended (up to the limit), as Prometheus counts them.
        let appended = if limit_exceeded {
            usize::try_from(cfg.sample_limit).unwrap_or(usize::MAX)
        } else {
            kept
        };
        let series_added = prepared
            .samples
            .iter()
            .take(appended)
            .filter(|s| s.stored.is_some())
            .map(|s| &s.scraped)
            .collect::<HashSet<_>>()
            .len();

        let mut seen = HashSet::new();
        match &error {
            None => {
                let mut write_error = None;
                let mut old = std::mem::take(&mut target.cache);
                let mut cache = HashMap::with_capacity(old.len());
                for s in prepared.samples {
                    // A hit moves the old entry over; a miss (or a second
                    // line for the same series) brings its labels.
                    let mut entry = match s.stored {
                        Some(labels) => CachedSeries {
                            labels: Some(labels),
                            series: None,
                        },
                        None => match old.remove(&s.scraped) {
                            Some(e) => e,
                            None => match cache.get(&s.scraped) {
                                Some(e) => CachedSeries::clone(e),
                                None => continue,
                            },
                        },
                    };
                    let Some(labels) = &entry.labels else {
                        cache.insert(s.scraped, entry);
                        continue;
                    };
                    let result = match entry.series {
                        Some(r) => match head.append_ref(r, s.t, s.v) {
                            // Retention removed the series: make it again.
                            Err(AppendError::UnknownSeries(_)) => head.append(labels, s.t, s.v),
                            other => other.map(|()| r),
                        },
                        None => head.append(labels, s.t, s.v),
                    };
                    match result {
                        Ok(r) => {
                            entry.series = Some(r);
                            if !s.own_timestamp {
                                seen.insert(r);
                            }
                        }
                        Err(e) => {
                            // Prometheus keeps the rest of the page and counts
                            // these; the first one is shown on the target.
                            write_error.get_or_insert_with(|| e.to_string());
                        }
                    }
                    cache.insert(s.scraped, entry);
                }
                // Series metric relabelling dropped stay known, so they are
                // not relabelled again next time.
                for (k, e) in old.into_iter().filter(|(_, e)| e.labels.is_none()) {
                    cache.entry(k).or_insert(e);
                }
                target.cache = cache;
                target.health = Health::Up;
                target.last_error = write_error.unwrap_or_default();
            }
            Some(err) => {
                target.health = Health::Down;
                target.last_error = err.clone();
            }
        }
        // Series that the previous scrape had and this one lacks go stale.
        for &r in target.last_series.difference(&seen) {
            if head.last_sample(r).is_some_and(|s| s.t < t) {
                let _ = head.append_ref(r, t, STALE_NAN);
            }
        }
        target.last_series = seen;

        let up = if error.is_none() { 1.0 } else { 0.0 };
        let synthetic = [
            ("up", up),
            ("scrape_duration_seconds", duration),
            ("scrape_samples_scraped", prepared.total as f64),
            ("scrape_samples_post_metric_relabeling", kept as f64),
            ("scrape_series_added", series_added as f64),
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

/// Keeps each family's TYPE, HELP and UNIT in the head, as Prometheus
/// keeps the metadata of what it scrapes (for `/api/v1/metadata`, the
/// UI and export). Unchanged metadata is not written again.
fn record_metadata(head: &mut Head, families: &[exposition::Metadata]) {
    for md in families {
        if md.metric_type.is_none() && md.help.is_none() && md.unit.is_none() {
            continue;
        }
        let new = Metadata {
            metric_type: md.metric_type.unwrap_or(exposition::MetricType::Unknown),
            help: md.help.clone().unwrap_or_default(),
            unit: md.unit.clone().unwrap_or_default(),
        };
        if head.metadata(&md.name) != Some(&new) {
            head.set_metadata(md.name.clone(), new);
        }
    }
}

/// A sample ready to append.
struct Prepared {
    /// The labels as the page wrote them: the scrape cache's key.
    scraped: Labels,
    /// The labels to store it under, when the cache did not know them yet
    /// (a miss); `None` for a hit, whose entry has them.
    stored: Option<Labels>,
    t: Timestamp,
    v: f64,
    /// Whether the page gave the timestamp (such series are not tracked for
    /// staleness).
    own_timestamp: bool,
}

/// The samples of a page after target labels and metric relabelling.
struct PreparedPage {
    /// Samples read from the page.
    total: usize,
    /// Samples left after metric relabelling, in page order.
    samples: Vec<Prepared>,
    /// The first error that fails the scrape.
    error: Option<String>,
}

fn prepare(
    cfg: &ScrapeConfig,
    target_labels: &Labels,
    cache: &HashMap<Labels, CachedSeries>,
    samples: Vec<exposition::Sample>,
    t: Timestamp,
) -> PreparedPage {
    let mut page = PreparedPage {
        total: 0,
        samples: Vec::with_capacity(samples.len()),
        error: None,
    };
    for sample in samples {
        page.total += 1;
        let stored = match cache.get(&sample.labels) {
            // Known and dropped by metric relabelling.
            Some(CachedSeries { labels: None, .. }) => continue,
            // Known: its labels passed every check when it was first seen.
            Some(_) => None,
            None => {
                let Some(labels) = sample_labels(
                    &sample.labels,
                    target_labels,
                    cfg.honor_labels,
                    &cfg.metric_relabel_configs,
                ) else {
                    continue;
                };
                if !labels.contains(METRIC_NAME) {
                    page.error = Some("missing metric name (__name__ label)".into());
                    break;
                }
                if let Err(e) = verify_label_limits(&labels, cfg) {
                    page.error = Some(e);
                    break;
                }
                Some(labels)
            }
        };
        let (ts, own) = match sample.timestamp {
            Some(ts) if cfg.honor_timestamps => (ts, true),
            _ => (t, false),
        };
        page.samples.push(Prepared {
            scraped: sample.labels,
            stored,
            t: ts,
            v: sample.value,
            own_timestamp: own,
        });
    }
    page
}

/// The labels a scraped sample is stored under, or `None` when metric
/// relabelling drops it (Prometheus's `mutateSampleLabels`).
pub fn sample_labels(
    sample: &Labels,
    target: &Labels,
    honor_labels: bool,
    metric_relabel_configs: &[relabel::RelabelConfig],
) -> Option<Labels> {
    let mut b = Builder::new(sample.clone());
    if honor_labels {
        for l in target.iter() {
            if !sample.contains(&l.name) {
                b.set(&l.name, &l.value);
            }
        }
    } else {
        let mut conflicts = Vec::new();
        for l in target.iter() {
            let existing = sample.get(&l.name);
            if !existing.is_empty() {
                conflicts.push((l.name.clone(), existing.to_string()));
            }
            b.set(&l.name, &l.value);
        }
        // Shortest names first; `exported_` is added again until the name
        // is free, so `job` and `exported_job` on a page both survive.
        conflicts.sort_by_key(|(name, _)| name.len());
        for (name, value) in conflicts {
            let mut new_name = name;
            loop {
                new_name = format!("exported_{new_name}");
                if b.get(&new_name).is_empty() {
                    b.set(&new_name, &value);
                    break;
                }
            }
        }
    }
    if !relabel::process_builder(&mut b, metric_relabel_configs) {
        return None;
    }
    let labels = b.labels();
    (!labels.is_empty()).then_some(labels)
}

/// Prometheus's `verifyLabelLimits`, with its messages.
fn verify_label_limits(labels: &Labels, cfg: &ScrapeConfig) -> Result<(), String> {
    let met = truncate(labels.metric_name(), 50);
    let n = labels.len() as u64;
    if cfg.label_limit > 0 && n > cfg.label_limit {
        return Err(format!(
            "label_limit exceeded (metric: {met}, number of labels: {n}, limit: {})",
            cfg.label_limit
        ));
    }
    for l in labels.iter() {
        let name_len = l.name.len() as u64;
        if cfg.label_name_length_limit > 0 && name_len > cfg.label_name_length_limit {
            return Err(format!(
                "label_name_length_limit exceeded (metric: {met}, label name: {}, length: {name_len}, limit: {})",
                truncate(&l.name, 50),
                cfg.label_name_length_limit
            ));
        }
        let value_len = l.value.len() as u64;
        if cfg.label_value_length_limit > 0 && value_len > cfg.label_value_length_limit {
            return Err(format!(
                "label_value_length_limit exceeded (metric: {met}, label name: {}, value: {}, length: {value_len}, limit: {})",
                truncate(&l.name, 50),
                target::go_quote(truncate(&l.value, 50)),
                cfg.label_value_length_limit
            ));
        }
    }
    Ok(())
}

/// The first `n` characters, as Go's `%.50s` prints a string.
fn truncate(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Matcher;
    use crate::scrape::{Health, ScrapeConfig};
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
            content_type: None,
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
        let (_, first_due) = m.next_due().unwrap();
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
        // A result for an earlier time never moves the schedule back; one
        // at the due time moves it one interval on.
        assert_eq!(m.targets()[0].next_scrape, first_due);
        m.ingest(0, first_due, ok("a 2\n"), &mut head);
        assert_eq!(m.targets()[0].next_scrape, first_due + 15_000);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_begun_scrape_is_not_due_again_until_an_interval_later() {
        let mut m = manager();
        let (i, due) = m.next_due().unwrap();
        m.begin_scrape(i, due);
        assert_eq!(m.next_due(), Some((i, due + 15_000)));
        // The late result keeps the schedule.
        let mut head = Head::new();
        m.ingest(i, due, ok("a 1\n"), &mut head);
        assert_eq!(m.next_due(), Some((i, due + 15_000)));
        assert_eq!(values(&head, "up"), vec![(due, 1.0)]);
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
