//! The in-memory time-series database: series identified by their labels,
//! each with its samples in time order, and an inverted index from label
//! pairs to series for selection.
//!
//! Writers go through [`Head::append`], which enforces Prometheus's rules for
//! one series (no sample older than the last one, no second value for the
//! same timestamp). Readers go through the [`Querier`] trait, which is all
//! the PromQL engine knows of storage, so the store can change (chunks,
//! compression, retention) without the engine noticing.
//!
//! Stale markers are stored like samples, with the special NaN
//! [`STALE_NAN`] that Prometheus writes when a series disappears.

use crate::clock::Timestamp;
use crate::labels::{Labels, Matcher};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// The bit pattern Prometheus uses for stale markers. It is a NaN that no
/// arithmetic produces, so it can be told apart from an ordinary NaN value.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A stale marker as a float.
pub const STALE_NAN: f64 = f64::from_bits(STALE_NAN_BITS);

/// Whether `v` is a stale marker (and not just any NaN).
pub fn is_stale_marker(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// One stored sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t: Timestamp,
    pub v: f64,
}

/// A series handle, stable for the life of the head.
pub type SeriesRef = usize;

/// Why an append was refused, as Prometheus words it.
#[derive(Debug, Clone, PartialEq)]
pub enum AppendError {
    OutOfOrder {
        series: String,
        t: Timestamp,
        last: Timestamp,
    },
    Duplicate {
        series: String,
        t: Timestamp,
    },
    EmptyLabels,
}

impl fmt::Display for AppendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppendError::OutOfOrder { series, t, last } => {
                write!(
                    f,
                    "out of order sample for {series}: {t} is before the last sample at {last}"
                )
            }
            AppendError::Duplicate { series, t } => {
                write!(
                    f,
                    "duplicate sample for timestamp {t} with a different value for {series}"
                )
            }
            AppendError::EmptyLabels => f.write_str("a series needs at least one label"),
        }
    }
}

impl std::error::Error for AppendError {}

struct MemSeries {
    labels: Labels,
    samples: Vec<Sample>,
}

/// Counts for the TSDB status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeadStats {
    pub series: usize,
    pub samples: usize,
    pub min_time: Option<Timestamp>,
    pub max_time: Option<Timestamp>,
}

/// The in-memory block that takes all appends.
#[derive(Default)]
pub struct Head {
    series: Vec<MemSeries>,
    by_labels: HashMap<Labels, SeriesRef>,
    /// label name → label value → series, each list ascending.
    postings: BTreeMap<String, BTreeMap<String, Vec<SeriesRef>>>,
    samples: usize,
}

impl Head {
    pub fn new() -> Self {
        Self::default()
    }

    /// The series for `labels`, created on first use.
    pub fn get_or_create(&mut self, labels: &Labels) -> Result<SeriesRef, AppendError> {
        if labels.is_empty() {
            return Err(AppendError::EmptyLabels);
        }
        if let Some(&r) = self.by_labels.get(labels) {
            return Ok(r);
        }
        let r = self.series.len();
        for l in labels.iter() {
            self.postings
                .entry(l.name.clone())
                .or_default()
                .entry(l.value.clone())
                .or_default()
                .push(r);
        }
        self.series.push(MemSeries {
            labels: labels.clone(),
            samples: Vec::new(),
        });
        self.by_labels.insert(labels.clone(), r);
        Ok(r)
    }

    /// Appends one sample to the series `labels`.
    pub fn append(
        &mut self,
        labels: &Labels,
        t: Timestamp,
        v: f64,
    ) -> Result<SeriesRef, AppendError> {
        let r = self.get_or_create(labels)?;
        self.append_ref(r, t, v)?;
        Ok(r)
    }

    /// Appends to a series already known by reference.
    pub fn append_ref(&mut self, r: SeriesRef, t: Timestamp, v: f64) -> Result<(), AppendError> {
        let Some(series) = self.series.get_mut(r) else {
            return Err(AppendError::EmptyLabels);
        };
        if let Some(last) = series.samples.last() {
            if t < last.t {
                return Err(AppendError::OutOfOrder {
                    series: series.labels.to_string(),
                    t,
                    last: last.t,
                });
            }
            if t == last.t {
                // The same value again is accepted and dropped, as Prometheus does.
                if last.v.to_bits() == v.to_bits() {
                    return Ok(());
                }
                return Err(AppendError::Duplicate {
                    series: series.labels.to_string(),
                    t,
                });
            }
        }
        series.samples.push(Sample { t, v });
        self.samples += 1;
        Ok(())
    }

    /// The last sample of a series, stale markers included.
    pub fn last_sample(&self, r: SeriesRef) -> Option<Sample> {
        self.series.get(r)?.samples.last().copied()
    }

    pub fn num_series(&self) -> usize {
        self.series.len()
    }

    pub fn num_samples(&self) -> usize {
        self.samples
    }

    pub fn stats(&self) -> HeadStats {
        let mut min_time = None;
        let mut max_time = None;
        for s in &self.series {
            if let (Some(first), Some(last)) = (s.samples.first(), s.samples.last()) {
                min_time = Some(min_time.map_or(first.t, |m: Timestamp| m.min(first.t)));
                max_time = Some(max_time.map_or(last.t, |m: Timestamp| m.max(last.t)));
            }
        }
        HeadStats {
            series: self.series.len(),
            samples: self.samples,
            min_time,
            max_time,
        }
    }

    /// The series whose labels satisfy every matcher, in label order.
    fn matching(&self, matchers: &[Matcher]) -> Vec<SeriesRef> {
        // Start from the smallest posting list of an equality matcher that
        // cannot match an absent label, then filter by every matcher.
        let candidates: Option<Vec<SeriesRef>> = matchers
            .iter()
            .filter(|m| m.op == crate::labels::MatchOp::Equal && !m.matches_empty())
            .map(|m| {
                self.postings
                    .get(&m.name)
                    .and_then(|values| values.get(&m.value))
                    .cloned()
                    .unwrap_or_default()
            })
            .min_by_key(Vec::len);
        let candidates = candidates.unwrap_or_else(|| (0..self.series.len()).collect());
        let mut refs: Vec<SeriesRef> = candidates
            .into_iter()
            .filter(|&r| {
                let labels = &self.series[r].labels;
                matchers.iter().all(|m| m.matches(labels.get(&m.name)))
            })
            .collect();
        refs.sort_by(|&a, &b| self.series[a].labels.cmp(&self.series[b].labels));
        refs
    }
}

/// One series handed out by a querier: its labels and its samples in
/// `[mint, maxt]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesData {
    pub labels: Labels,
    pub samples: Vec<Sample>,
}

/// Read access to stored series: all the PromQL engine and the API need.
pub trait Querier {
    /// Series matching all `matchers`, with their samples in `[mint, maxt]`
    /// (both inclusive), sorted by labels. Series without samples in the
    /// range are left out.
    fn select(&self, matchers: &[Matcher], mint: Timestamp, maxt: Timestamp) -> Vec<SeriesData>;

    /// Label names of the series matching `matchers` (all series when
    /// empty), sorted.
    fn label_names(&self, matchers: &[Matcher]) -> Vec<String>;

    /// Values of label `name` among the series matching `matchers`, sorted.
    fn label_values(&self, name: &str, matchers: &[Matcher]) -> Vec<String>;
}

impl Querier for Head {
    fn select(&self, matchers: &[Matcher], mint: Timestamp, maxt: Timestamp) -> Vec<SeriesData> {
        self.matching(matchers)
            .into_iter()
            .filter_map(|r| {
                let s = &self.series[r];
                let lo = s.samples.partition_point(|x| x.t < mint);
                let hi = s.samples.partition_point(|x| x.t <= maxt);
                (lo < hi).then(|| SeriesData {
                    labels: s.labels.clone(),
                    samples: s.samples[lo..hi].to_vec(),
                })
            })
            .collect()
    }

    fn label_names(&self, matchers: &[Matcher]) -> Vec<String> {
        if matchers.is_empty() {
            return self.postings.keys().cloned().collect();
        }
        let mut names = BTreeSet::new();
        for r in self.matching(matchers) {
            names.extend(self.series[r].labels.iter().map(|l| l.name.clone()));
        }
        names.into_iter().collect()
    }

    fn label_values(&self, name: &str, matchers: &[Matcher]) -> Vec<String> {
        if matchers.is_empty() {
            return self
                .postings
                .get(name)
                .map(|values| values.keys().cloned().collect())
                .unwrap_or_default();
        }
        let mut values = BTreeSet::new();
        for r in self.matching(matchers) {
            let v = self.series[r].labels.get(name);
            if !v.is_empty() {
                values.insert(v.to_string());
            }
        }
        values.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::MatchOp;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    fn head() -> Head {
        let mut h = Head::new();
        for (i, inst) in ["a:1", "b:1", "c:1"].iter().enumerate() {
            let labels = l(&[("__name__", "up"), ("job", "node"), ("instance", inst)]);
            for t in 0..10 {
                h.append(&labels, t * 1000, (i + t as usize) as f64)
                    .unwrap();
            }
        }
        h.append(&l(&[("__name__", "other"), ("job", "app")]), 500, 1.0)
            .unwrap();
        h
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn select_filters_by_matchers_and_time() {
        let h = head();
        let got = h.select(
            &[
                Matcher::equal("__name__", "up"),
                Matcher::new("instance", MatchOp::Regex, "[ab]:1").unwrap(),
            ],
            2000,
            4000,
        );
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].labels.get("instance"), "a:1");
        assert_eq!(
            got[0].samples.iter().map(|s| s.t).collect::<Vec<_>>(),
            vec![2000, 3000, 4000]
        );
        assert_eq!(got[1].samples[0].v, 3.0);
        // No samples in range: left out.
        assert!(h
            .select(&[Matcher::equal("job", "app")], 600, 900)
            .is_empty());
        // A matcher on an absent label with an empty value matches.
        let got = h.select(&[Matcher::equal("instance", "")], 0, 1000);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].labels.metric_name(), "other");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn labels_and_values_are_sorted() {
        let h = head();
        assert_eq!(h.label_names(&[]), vec!["__name__", "instance", "job"]);
        assert_eq!(
            h.label_names(&[Matcher::equal("job", "app")]),
            vec!["__name__", "job"]
        );
        assert_eq!(h.label_values("instance", &[]), vec!["a:1", "b:1", "c:1"]);
        assert_eq!(
            h.label_values("__name__", &[Matcher::equal("job", "app")]),
            vec!["other"]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn out_of_order_and_duplicate_samples_are_refused() {
        let mut h = Head::new();
        let s = l(&[("__name__", "x")]);
        h.append(&s, 10, 1.0).unwrap();
        assert!(matches!(
            h.append(&s, 5, 1.0),
            Err(AppendError::OutOfOrder { .. })
        ));
        assert!(matches!(
            h.append(&s, 10, 2.0),
            Err(AppendError::Duplicate { .. })
        ));
        h.append(&s, 10, 1.0).unwrap();
        assert_eq!(h.stats().samples, 1);
        assert_eq!(
            h.append(&Labels::new(), 1, 1.0),
            Err(AppendError::EmptyLabels)
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn stale_markers_are_told_apart_from_nan() {
        assert!(is_stale_marker(STALE_NAN));
        assert!(STALE_NAN.is_nan());
        assert!(!is_stale_marker(f64::NAN));
    }
}
