//! Read access to stored series: the [`Querier`] trait, all the PromQL
//! engine and the API know of storage, and its implementation over the
//! [`Head`].
//!
//! [`Querier::select_series`] is the lazy form: each series comes with a
//! [`SampleIterator`] that decodes its chunks only as it is read and skips
//! whole chunks when it seeks. [`Querier::select`] collects the samples.

use super::head::{ChunkView, MemSeries};
use super::{Head, Metadata, Sample};
use crate::clock::Timestamp;
use crate::labels::{Labels, Matcher};
use crate::tsdb::chunkenc::XorIterator;
use std::collections::BTreeSet;

/// The samples of one series in a time range, oldest first.
pub trait SampleIterator: Iterator<Item = Sample> {
    /// Moves to the first sample at or after `t` and returns it. When the
    /// sample last returned is already at or after `t`, returns it again
    /// (as Prometheus's `Seek` does), so seeking to increasing step times
    /// never loses a sample.
    fn seek(&mut self, t: Timestamp) -> Option<Sample>;

    /// The sample last returned by `next` or `seek`.
    fn at(&self) -> Option<Sample>;
}

/// One selected series: its labels and an iterator over its samples in the
/// selected range. The iterator may yield nothing when the series' chunks
/// overlap the range but no sample falls in it.
pub struct Series<'a> {
    pub labels: &'a Labels,
    pub samples: Box<dyn SampleIterator + 'a>,
}

/// One series handed out by [`Querier::select`]: its labels and its
/// samples in `[mint, maxt]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesData {
    pub labels: Labels,
    pub samples: Vec<Sample>,
}

/// Read access to stored series.
pub trait Querier {
    /// Series matching all `matchers` (every series when there are none)
    /// that have chunks overlapping `[mint, maxt]`, sorted by labels, each
    /// with a lazy iterator over its samples in that range (both ends
    /// inclusive).
    fn select_series<'a>(
        &'a self,
        matchers: &[Matcher],
        mint: Timestamp,
        maxt: Timestamp,
    ) -> Vec<Series<'a>>;

    /// Series matching all `matchers`, with their samples in `[mint, maxt]`
    /// (both inclusive), sorted by labels. Series without samples in the
    /// range are left out.
    fn select(&self, matchers: &[Matcher], mint: Timestamp, maxt: Timestamp) -> Vec<SeriesData> {
        self.select_series(matchers, mint, maxt)
            .into_iter()
            .filter_map(|s| {
                let samples: Vec<Sample> = s.samples.collect();
                (!samples.is_empty()).then(|| SeriesData {
                    labels: s.labels.clone(),
                    samples,
                })
            })
            .collect()
    }

    /// Label names of the series matching `matchers` (all series when
    /// empty), sorted.
    fn label_names(&self, matchers: &[Matcher]) -> Vec<String>;

    /// Values of label `name` among the series matching `matchers`, sorted.
    fn label_values(&self, name: &str, matchers: &[Matcher]) -> Vec<String>;

    /// Metadata of the metric family `metric_name`, or of every family when
    /// `None`, sorted by name.
    fn metadata(&self, metric_name: Option<&str>) -> Vec<(String, Metadata)> {
        let _ = metric_name;
        Vec::new()
    }
}

impl Head {
    /// The live series matching `matchers`, in reference order.
    fn matching(&self, matchers: &[Matcher]) -> impl Iterator<Item = &MemSeries> {
        self.postings
            .select(matchers)
            .into_iter()
            .filter_map(|r| self.get(r))
    }
}

impl Querier for Head {
    fn select_series<'a>(
        &'a self,
        matchers: &[Matcher],
        mint: Timestamp,
        maxt: Timestamp,
    ) -> Vec<Series<'a>> {
        if mint > maxt {
            return Vec::new();
        }
        let mut series: Vec<&MemSeries> = self
            .matching(matchers)
            .filter(|s| {
                s.min_time().is_some_and(|min| min <= maxt)
                    && s.last().is_some_and(|last| last.t >= mint)
            })
            .collect();
        // Sorting is most of a large selection's cost, so only what is kept
        // is sorted.
        series.sort_unstable_by(|a, b| a.labels.cmp(&b.labels));
        series
            .into_iter()
            .map(|s| Series {
                labels: &s.labels,
                samples: Box::new(HeadSeriesIterator::new(s, mint, maxt)),
            })
            .collect()
    }

    fn label_names(&self, matchers: &[Matcher]) -> Vec<String> {
        if matchers.is_empty() {
            return self.postings.names().map(str::to_string).collect();
        }
        let mut names = BTreeSet::new();
        for s in self.matching(matchers) {
            names.extend(s.labels.iter().map(|l| l.name.as_str()));
        }
        names.into_iter().map(str::to_string).collect()
    }

    fn label_values(&self, name: &str, matchers: &[Matcher]) -> Vec<String> {
        if matchers.is_empty() {
            return self
                .postings
                .values(name)
                .map(|(v, _)| v.to_string())
                .collect();
        }
        let mut values = BTreeSet::new();
        for s in self.matching(matchers) {
            let v = s.labels.get(name);
            if !v.is_empty() {
                values.insert(v);
            }
        }
        values.into_iter().map(str::to_string).collect()
    }

    fn metadata(&self, metric_name: Option<&str>) -> Vec<(String, Metadata)> {
        match metric_name {
            Some(name) => Head::metadata(self, name)
                .map(|m| vec![(name.to_string(), m.clone())])
                .unwrap_or_default(),
            None => self
                .all_metadata()
                .map(|(n, m)| (n.to_string(), m.clone()))
                .collect(),
        }
    }
}

/// Walks one head series' chunks in `[mint, maxt]`, decoding a chunk only
/// when it is reached.
struct HeadSeriesIterator<'a> {
    series: &'a MemSeries,
    mint: Timestamp,
    maxt: Timestamp,
    /// The next chunk to open.
    next_chunk: usize,
    /// The open chunk's iterator and its last timestamp.
    cur: Option<(XorIterator<'a>, Timestamp)>,
    at: Option<Sample>,
    done: bool,
}

impl<'a> HeadSeriesIterator<'a> {
    fn new(series: &'a MemSeries, mint: Timestamp, maxt: Timestamp) -> Self {
        HeadSeriesIterator {
            series,
            mint,
            maxt,
            next_chunk: 0,
            cur: None,
            at: None,
            done: false,
        }
    }

    /// Opens the next chunk that has samples at or after `from`; false at
    /// the end of the range.
    fn open_next(&mut self, from: Timestamp) -> bool {
        while let Some(ChunkView {
            min_t,
            max_t,
            bytes,
        }) = self.series.chunk(self.next_chunk)
        {
            self.next_chunk += 1;
            if max_t < from {
                continue;
            }
            if min_t > self.maxt {
                break;
            }
            self.cur = Some((XorIterator::new(bytes), max_t));
            return true;
        }
        self.done = true;
        false
    }
}

impl Iterator for HeadSeriesIterator<'_> {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        while !self.done {
            if let Some((it, _)) = &mut self.cur {
                for s in it.by_ref() {
                    if s.t < self.mint {
                        continue;
                    }
                    if s.t > self.maxt {
                        self.done = true;
                        return None;
                    }
                    self.at = Some(s);
                    return Some(s);
                }
                self.cur = None;
            }
            let from = self.at.map_or(self.mint, |s| s.t.saturating_add(1));
            if !self.open_next(from) {
                return None;
            }
        }
        None
    }
}

impl SampleIterator for HeadSeriesIterator<'_> {
    fn seek(&mut self, t: Timestamp) -> Option<Sample> {
        let t = t.max(self.mint);
        if let Some(s) = self.at.filter(|s| s.t >= t) {
            return Some(s);
        }
        if self.done {
            return None;
        }
        // Whole chunks that end before `t` are skipped undecoded.
        if self.cur.as_ref().is_some_and(|&(_, max_t)| max_t < t) {
            self.cur = None;
        }
        if self.cur.is_none() && !self.open_next(t) {
            return None;
        }
        self.find(|s| s.t >= t)
    }

    fn at(&self) -> Option<Sample> {
        self.at
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::MatchOp;
    use crate::tsdb::{AppendError, STALE_NAN};
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
    fn series_come_sorted_by_labels_whatever_their_creation_order() {
        let mut h = Head::new();
        for inst in ["z", "a", "m", "b"] {
            h.append(&l(&[("__name__", "up"), ("instance", inst)]), 1, 1.0)
                .unwrap();
        }
        h.append(&l(&[("__name__", "aaa"), ("instance", "z")]), 1, 1.0)
            .unwrap();
        let order: Vec<String> = h
            .select(
                &[Matcher::new("instance", MatchOp::Regex, ".+").unwrap()],
                0,
                1,
            )
            .iter()
            .map(|s| s.labels.to_string())
            .collect();
        assert_eq!(
            order,
            vec![
                r#"aaa{instance="z"}"#,
                r#"up{instance="a"}"#,
                r#"up{instance="b"}"#,
                r#"up{instance="m"}"#,
                r#"up{instance="z"}"#
            ]
        );
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
        assert!(crate::tsdb::is_stale_marker(STALE_NAN));
        assert!(STALE_NAN.is_nan());
        assert!(!crate::tsdb::is_stale_marker(f64::NAN));
        let mut h = Head::new();
        let s = l(&[("__name__", "x")]);
        h.append(&s, 1, f64::NAN).unwrap();
        h.append(&s, 2, STALE_NAN).unwrap();
        let got = h.select(&[], 0, 10);
        let bits: Vec<u64> = got[0].samples.iter().map(|s| s.v.to_bits()).collect();
        assert_eq!(bits, vec![f64::NAN.to_bits(), STALE_NAN.to_bits()]);
    }

    /// A head with one series over several chunks: a sample every 10 ms
    /// from 0 to 9990, chunks cut every second.
    fn long_series() -> Head {
        let mut h = Head::with_chunk_range(1000);
        let s = l(&[("__name__", "x")]);
        for t in (0..10_000).step_by(10) {
            h.append(&s, t, t as f64).unwrap();
        }
        h
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn ranges_cross_chunk_boundaries() {
        let h = long_series();
        for (mint, maxt) in [
            (0, 9990),
            (995, 1005),
            (1000, 1000),
            (999, 999),
            (-50, 5),
            (9985, 20_000),
            (3001, 3009),
        ] {
            let got: Vec<Timestamp> = h
                .select(&[], mint, maxt)
                .first()
                .map(|s| s.samples.iter().map(|x| x.t).collect())
                .unwrap_or_default();
            let want: Vec<Timestamp> = (0..10_000)
                .step_by(10)
                .filter(|t| (mint..=maxt).contains(t))
                .collect();
            assert_eq!(got, want, "[{mint}, {maxt}]");
        }
        assert!(h.select(&[], 20, 10).is_empty());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn seek_moves_forward_and_repeats_the_current_sample() {
        let h = long_series();
        let mut series = h.select_series(&[], 100, 8000);
        assert_eq!(series.len(), 1);
        let it = &mut series[0].samples;
        let ts = |s: Option<Sample>| s.map(|s| s.t);
        assert_eq!(ts(it.seek(0)), Some(100));
        assert_eq!(ts(it.seek(95)), Some(100));
        assert_eq!(ts(it.next()), Some(110));
        assert_eq!(ts(it.seek(4321)), Some(4330));
        assert_eq!(ts(it.at()), Some(4330));
        assert_eq!(ts(it.seek(4330)), Some(4330));
        assert_eq!(ts(it.seek(5000)), Some(5000));
        assert_eq!(ts(it.next()), Some(5010));
        assert_eq!(ts(it.seek(7999)), Some(8000));
        assert_eq!(ts(it.seek(8001)), None);
        assert_eq!(ts(it.next()), None);
    }
}
