//! The head: every series in memory, its samples in XOR chunks, the
//! postings index, metadata per metric name, and the rules for appending.
//!
//! Appends follow Prometheus's head appender for one series: a sample older
//! than the last one is *out of order*, a second value for the last
//! timestamp is a *duplicate*, and a sample older than what retention
//! dropped is *out of bounds*; each is refused and counted by reason. The
//! same value again for the last timestamp is accepted and dropped.
//!
//! Chunks are cut as Prometheus cuts them, so a chunk here holds the same
//! samples, and the same bytes, as Prometheus's for the same data: a new
//! chunk starts at each multiple of the chunk range (2 hours); within a
//! range, once a chunk has a quarter of its 120 samples, its end is
//! predicted so that the range splits into chunks of about 120 samples; and
//! no chunk takes more than 240.

use super::chunkenc::{XorAppender, XorChunk, XorIterator};
use super::index::MemPostings;
use super::stats::RejectedSamples;
use super::{Sample, SeriesRef};
use crate::clock::Timestamp;
use crate::exposition::MetricType;
use crate::labels::Labels;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The time range chunks never cross: Prometheus's head chunk range, the
/// smallest block (2 hours).
pub const DEFAULT_CHUNK_RANGE: Timestamp = 2 * 60 * 60 * 1000;

/// How many samples a chunk is meant to hold (Prometheus's default).
pub const SAMPLES_PER_CHUNK: usize = 120;

/// Why an append was refused, as Prometheus words it.
#[derive(Debug, Clone, PartialEq)]
pub enum AppendError {
    /// Older than the series' last sample.
    OutOfOrder {
        series: String,
        t: Timestamp,
        last: Timestamp,
    },
    /// Another value for the timestamp of the series' last sample.
    Duplicate { series: String, t: Timestamp },
    /// Older than the data retention has already dropped.
    OutOfBounds {
        series: String,
        t: Timestamp,
        min_valid: Timestamp,
    },
    /// A series needs at least one label.
    EmptyLabels,
    /// No series has this reference (never created, or removed by
    /// retention).
    UnknownSeries(SeriesRef),
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
            AppendError::OutOfBounds {
                series,
                t,
                min_valid,
            } => write!(
                f,
                "out of bounds sample for {series}: {t} is before {min_valid}, the oldest time the head keeps"
            ),
            AppendError::EmptyLabels => f.write_str("a series needs at least one label"),
            AppendError::UnknownSeries(r) => write!(f, "no series with reference {r}"),
        }
    }
}

impl std::error::Error for AppendError {}

/// What a metric family is, as its exporter declared it: the `# TYPE`,
/// `# HELP` and `# UNIT` lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    #[serde(rename = "type")]
    pub metric_type: MetricType,
    pub help: String,
    pub unit: String,
}

/// A chunk that takes no more samples.
#[derive(Debug)]
pub(crate) struct SealedChunk {
    pub(crate) min_t: Timestamp,
    pub(crate) max_t: Timestamp,
    pub(crate) chunk: XorChunk,
}

/// The chunk a series appends to.
#[derive(Debug)]
pub(crate) struct OpenChunk {
    pub(crate) min_t: Timestamp,
    pub(crate) max_t: Timestamp,
    pub(crate) app: XorAppender,
}

/// A chunk of either kind, for reading.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChunkView<'a> {
    pub(crate) min_t: Timestamp,
    pub(crate) max_t: Timestamp,
    pub(crate) bytes: &'a [u8],
}

/// A chunk as the head holds it, for inspection: its time range, sample
/// count and encoded bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkMeta<'a> {
    pub min_time: Timestamp,
    pub max_time: Timestamp,
    pub num_samples: usize,
    /// The XOR chunk, header included: the bytes Prometheus stores.
    pub bytes: &'a [u8],
    /// Whether samples are still appended to it.
    pub open: bool,
}

/// One series: its labels and its chunks, oldest first.
#[derive(Debug)]
pub(crate) struct MemSeries {
    pub(crate) labels: Labels,
    pub(crate) sealed: Vec<SealedChunk>,
    pub(crate) open: Option<OpenChunk>,
    /// When the open chunk is to be cut.
    next_at: Timestamp,
}

impl MemSeries {
    fn new(labels: Labels) -> Self {
        MemSeries {
            labels,
            sealed: Vec::new(),
            open: None,
            next_at: Timestamp::MIN,
        }
    }

    pub(crate) fn last(&self) -> Option<Sample> {
        self.open.as_ref().and_then(|c| c.app.last())
    }

    pub(crate) fn num_chunks(&self) -> usize {
        self.sealed.len() + usize::from(self.open.is_some())
    }

    /// The chunks, oldest first, the open one last.
    pub(crate) fn chunk(&self, i: usize) -> Option<ChunkView<'_>> {
        match self.sealed.get(i) {
            Some(c) => Some(ChunkView {
                min_t: c.min_t,
                max_t: c.max_t,
                bytes: c.chunk.bytes(),
            }),
            None if i == self.sealed.len() => self.open.as_ref().map(|c| ChunkView {
                min_t: c.min_t,
                max_t: c.max_t,
                bytes: c.app.bytes(),
            }),
            None => None,
        }
    }

    pub(crate) fn chunks(&self) -> impl Iterator<Item = ChunkView<'_>> {
        (0..self.num_chunks()).filter_map(|i| self.chunk(i))
    }

    pub(crate) fn min_time(&self) -> Option<Timestamp> {
        self.chunk(0).map(|c| c.min_t)
    }

    /// Appends a sample the caller has checked to be newer than the last,
    /// cutting a new chunk when it is time to.
    fn append(&mut self, t: Timestamp, v: f64, chunk_range: Timestamp) {
        let cut = match &self.open {
            None => true,
            Some(c) => {
                let n = c.app.num_samples();
                if n == SAMPLES_PER_CHUNK / 4 {
                    self.next_at = chunk_end_time(c.min_t, c.max_t, self.next_at, 4);
                }
                // Twice the target: the rate went up since the prediction.
                t >= self.next_at || n >= 2 * SAMPLES_PER_CHUNK
            }
        };
        if cut {
            if let Some(c) = self.open.take() {
                self.sealed.push(SealedChunk {
                    min_t: c.min_t,
                    max_t: c.max_t,
                    chunk: c.app.finish(),
                });
            }
            self.next_at = range_end(t, chunk_range);
            self.open = Some(OpenChunk {
                min_t: t,
                max_t: t,
                app: XorAppender::new(),
            });
        }
        if let Some(c) = &mut self.open {
            // Cannot fail: chunks are cut at 240 samples, far below the
            // 65535 a chunk can count.
            if c.app.append(t, v).is_ok() {
                c.max_t = t;
            }
        }
    }
}

/// The end of the chunk range holding `t`: the next multiple of `width`
/// (as Go's truncating division computes it).
fn range_end(t: Timestamp, width: Timestamp) -> Timestamp {
    (t / width).saturating_mul(width).saturating_add(width)
}

/// Prometheus's `computeChunkEndTime`: given a chunk from `start` whose last
/// sample is at `cur`, `1/ratio` of the way to full, the end time that
/// splits what is left of the range up to `max` into chunks of equal length.
fn chunk_end_time(start: Timestamp, cur: Timestamp, max: Timestamp, ratio: i64) -> Timestamp {
    let span = max.saturating_sub(start) as f64;
    let filled = (cur.saturating_sub(start).saturating_add(1) as f64) * ratio as f64;
    let n = span / filled;
    if n <= 1.0 {
        return max;
    }
    start.saturating_add((span / n.floor()) as i64)
}

/// What [`Head::truncate_before`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TruncateResult {
    pub chunks: usize,
    pub samples: usize,
    pub series: usize,
}

/// The in-memory block that takes all appends.
pub struct Head {
    /// By reference; `None` once retention removed the series.
    pub(crate) series: Vec<Option<Box<MemSeries>>>,
    /// Series by labels, with a fast hash: every scraped sample looks its
    /// series up here.
    by_labels: FxHashMap<Labels, SeriesRef>,
    pub(crate) postings: MemPostings,
    pub(crate) metadata: BTreeMap<String, Metadata>,
    pub(crate) live_series: usize,
    pub(crate) samples: usize,
    pub(crate) appended: u64,
    pub(crate) rejected: RejectedSamples,
    /// Samples before this are out of bounds (raised by retention).
    min_valid_time: Timestamp,
    chunk_range: Timestamp,
}

impl Default for Head {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Head")
            .field("series", &self.live_series)
            .field("samples", &self.samples)
            .finish_non_exhaustive()
    }
}

impl Head {
    pub fn new() -> Self {
        Head {
            series: Vec::new(),
            by_labels: FxHashMap::default(),
            postings: MemPostings::default(),
            metadata: BTreeMap::new(),
            live_series: 0,
            samples: 0,
            appended: 0,
            rejected: RejectedSamples::default(),
            min_valid_time: Timestamp::MIN,
            chunk_range: DEFAULT_CHUNK_RANGE,
        }
    }

    /// A head whose chunks never cross multiples of `chunk_range`
    /// milliseconds (at least 1).
    pub fn with_chunk_range(chunk_range: Timestamp) -> Self {
        Head {
            chunk_range: chunk_range.max(1),
            ..Self::new()
        }
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
        self.series
            .push(Some(Box::new(MemSeries::new(labels.clone()))));
        self.postings.add(r, labels);
        self.by_labels.insert(labels.clone(), r);
        self.live_series += 1;
        Ok(r)
    }

    /// The reference of the series `labels`, if it exists.
    pub fn series_ref(&self, labels: &Labels) -> Option<SeriesRef> {
        self.by_labels.get(labels).copied()
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
        let Some(series) = self.series.get_mut(r).and_then(|s| s.as_deref_mut()) else {
            return Err(AppendError::UnknownSeries(r));
        };
        if t < self.min_valid_time {
            self.rejected.out_of_bounds += 1;
            return Err(AppendError::OutOfBounds {
                series: series.labels.to_string(),
                t,
                min_valid: self.min_valid_time,
            });
        }
        if let Some(last) = series.last() {
            if t < last.t {
                self.rejected.out_of_order += 1;
                return Err(AppendError::OutOfOrder {
                    series: series.labels.to_string(),
                    t,
                    last: last.t,
                });
            }
            if t == last.t {
                // The same value again is accepted and dropped, as
                // Prometheus does; bits, so a stale marker is not any NaN.
                if last.v.to_bits() == v.to_bits() {
                    return Ok(());
                }
                self.rejected.duplicate += 1;
                return Err(AppendError::Duplicate {
                    series: series.labels.to_string(),
                    t,
                });
            }
        }
        series.append(t, v, self.chunk_range);
        self.samples += 1;
        self.appended += 1;
        Ok(())
    }

    /// The last sample of a series, stale markers included.
    pub fn last_sample(&self, r: SeriesRef) -> Option<Sample> {
        self.get(r)?.last()
    }

    /// The labels of a live series.
    pub fn labels(&self, r: SeriesRef) -> Option<&Labels> {
        self.get(r).map(|s| &s.labels)
    }

    /// The references of the live series, ascending.
    pub fn series_refs(&self) -> impl Iterator<Item = SeriesRef> + '_ {
        self.series
            .iter()
            .enumerate()
            .filter_map(|(r, s)| s.as_ref().map(|_| r))
    }

    /// The chunks of a series, oldest first (none for an unknown series).
    pub fn chunks(&self, r: SeriesRef) -> impl Iterator<Item = ChunkMeta<'_>> {
        let series = self.get(r);
        let open_index = series.map_or(0, |s| s.sealed.len());
        series
            .into_iter()
            .flat_map(|s| s.chunks())
            .enumerate()
            .map(move |(i, c)| ChunkMeta {
                min_time: c.min_t,
                max_time: c.max_t,
                num_samples: XorIterator::new(c.bytes).total(),
                bytes: c.bytes,
                open: i == open_index,
            })
    }

    pub(crate) fn get(&self, r: SeriesRef) -> Option<&MemSeries> {
        self.series.get(r)?.as_deref()
    }

    /// Live series.
    pub fn num_series(&self) -> usize {
        self.live_series
    }

    /// Stored samples (appended and not yet dropped by retention).
    pub fn num_samples(&self) -> usize {
        self.samples
    }

    /// Drops every chunk whose samples are all older than `t`, and every
    /// series left without chunks (from the index too). Appends older than
    /// `t` are refused from then on, as out of bounds.
    pub fn truncate_before(&mut self, t: Timestamp) -> TruncateResult {
        self.min_valid_time = self.min_valid_time.max(t);
        let mut result = TruncateResult::default();
        let mut emptied = Vec::new();
        for (r, slot) in self.series.iter_mut().enumerate() {
            let Some(series) = slot else {
                continue;
            };
            let old = series.sealed.partition_point(|c| c.max_t < t);
            for c in series.sealed.drain(..old) {
                result.chunks += 1;
                result.samples += c.chunk.num_samples();
            }
            if series.open.as_ref().is_some_and(|c| c.max_t < t) {
                if let Some(c) = series.open.take() {
                    result.chunks += 1;
                    result.samples += c.app.num_samples();
                }
            }
            if series.sealed.is_empty() && series.open.is_none() {
                emptied.push(r);
            }
        }
        let mut removed = Vec::with_capacity(emptied.len());
        for r in emptied {
            if let Some(series) = self.series.get_mut(r).and_then(Option::take) {
                self.by_labels.remove(&series.labels);
                removed.push((r, series));
            }
        }
        let index_entries: Vec<(SeriesRef, &Labels)> =
            removed.iter().map(|(r, s)| (*r, &s.labels)).collect();
        self.postings.delete(&index_entries);
        result.series = removed.len();
        self.live_series -= removed.len();
        self.samples -= result.samples;
        result
    }

    /// Sets the type, help and unit of the metric family `metric_name`.
    pub fn set_metadata(&mut self, metric_name: impl Into<String>, metadata: Metadata) {
        self.metadata.insert(metric_name.into(), metadata);
    }

    /// The metadata of one metric family.
    pub fn metadata(&self, metric_name: &str) -> Option<&Metadata> {
        self.metadata.get(metric_name)
    }

    /// Every family's metadata, sorted by name.
    pub fn all_metadata(&self) -> impl Iterator<Item = (&str, &Metadata)> {
        self.metadata.iter().map(|(n, m)| (n.as_str(), m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Matcher;
    use crate::tsdb::{Querier, STALE_NAN};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    fn chunk_sizes(head: &Head, r: SeriesRef) -> Vec<(usize, Timestamp, Timestamp)> {
        head.chunks(r)
            .map(|c| (c.num_samples, c.min_time, c.max_time))
            .collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn chunks_hold_120_samples_at_15s_and_break_at_2h() {
        let mut h = Head::new();
        let s = l(&[("__name__", "x")]);
        // 6 hours at 15 s from a 2-hour boundary: 4 chunks of 120 a range.
        for i in 0..1440 {
            h.append(&s, i * 15_000, i as f64).unwrap();
        }
        let sizes = chunk_sizes(&h, 0);
        assert_eq!(sizes.len(), 12);
        let open: Vec<bool> = h.chunks(0).map(|c| c.open).collect();
        assert_eq!(open.iter().filter(|&&o| o).count(), 1);
        assert_eq!(open.last(), Some(&true));
        assert_eq!(h.chunks(99).count(), 0);
        assert!(sizes.iter().all(|&(n, _, _)| n == 120), "{sizes:?}");
        for (n, min_t, max_t) in sizes {
            assert_eq!(min_t / DEFAULT_CHUNK_RANGE, max_t / DEFAULT_CHUNK_RANGE);
            assert_eq!(max_t - min_t, (n as i64 - 1) * 15_000);
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn chunk_cutting_follows_prometheus_for_odd_starts_and_rates() {
        // Starting 70 min into a range at 10 s: 300 samples left in the
        // range, predicted at the 30th sample as two chunks of 150; then 720
        // a range, six chunks of 120.
        let mut h = Head::new();
        let s = l(&[("__name__", "x")]);
        let start = DEFAULT_CHUNK_RANGE * 100 + 70 * 60 * 1000;
        for i in 0..(300 + 720) {
            h.append(&s, start + i * 10_000, 0.0).unwrap();
        }
        let counts: Vec<usize> = chunk_sizes(&h, 0).iter().map(|c| c.0).collect();
        assert_eq!(counts, vec![150, 150, 120, 120, 120, 120, 120, 120]);
        // A rate that jumps after the prediction is capped at 240.
        let mut h = Head::new();
        for i in 0..30 {
            h.append(&s, i * 60_000, 0.0).unwrap();
        }
        for i in 0..500 {
            h.append(&s, 30 * 60_000 + i, 0.0).unwrap();
        }
        let counts: Vec<usize> = chunk_sizes(&h, 0).iter().map(|c| c.0).collect();
        assert_eq!(counts, vec![240, 120, 120, 50]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn rejections_are_counted_by_reason() {
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
        // NaN is not the stale marker, bit for bit.
        h.append(&s, 11, STALE_NAN).unwrap();
        assert!(matches!(
            h.append(&s, 11, f64::NAN),
            Err(AppendError::Duplicate { .. })
        ));
        h.append(&s, 11, STALE_NAN).unwrap();
        assert_eq!(
            h.append_ref(99, 12, 0.0),
            Err(AppendError::UnknownSeries(99))
        );
        let stats = h.stats();
        assert_eq!(
            stats.rejected,
            RejectedSamples {
                out_of_order: 1,
                duplicate: 2,
                out_of_bounds: 0
            }
        );
        assert_eq!(stats.appended, 2);
        assert_eq!(stats.samples, 2);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn truncation_drops_old_chunks_and_empty_series() {
        let mut h = Head::with_chunk_range(1000);
        let old = l(&[("__name__", "old"), ("job", "a")]);
        let new = l(&[("__name__", "new"), ("job", "a")]);
        for t in (0..3000).step_by(100) {
            h.append(&new, t, 1.0).unwrap();
        }
        for t in (0..1000).step_by(100) {
            h.append(&old, t, 1.0).unwrap();
        }
        let old_ref = h.series_ref(&old).unwrap();
        assert_eq!(h.num_samples(), 40);
        let r = h.truncate_before(1500);
        // `new` loses its first chunk ([0, 900]); `old` loses everything.
        assert_eq!(
            r,
            TruncateResult {
                chunks: 2,
                samples: 20,
                series: 1
            }
        );
        assert_eq!(h.num_series(), 1);
        assert_eq!(h.num_samples(), 20);
        assert_eq!(h.last_sample(old_ref), None);
        assert_eq!(h.label_values("__name__", &[]), vec!["new"]);
        assert!(h
            .select(&[Matcher::equal("__name__", "old")], 0, 5000)
            .is_empty());
        let got = h.select(&[Matcher::equal("job", "a")], 0, 5000);
        assert_eq!(got[0].samples.first().map(|s| s.t), Some(1000));
        // Too old now; and the removed series comes back under a new ref.
        assert!(matches!(
            h.append(&old, 1400, 1.0),
            Err(AppendError::OutOfBounds { .. })
        ));
        assert_eq!(
            h.append_ref(old_ref, 5000, 1.0),
            Err(AppendError::UnknownSeries(old_ref))
        );
        let again = h.append(&old, 5000, 1.0).unwrap();
        assert_ne!(again, old_ref);
        assert_eq!(h.stats().rejected.out_of_bounds, 1);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn metadata_is_kept_per_metric_name() {
        let mut h = Head::new();
        let md = Metadata {
            metric_type: MetricType::Counter,
            help: "Requests.".into(),
            unit: String::new(),
        };
        h.set_metadata("http_requests", md.clone());
        assert_eq!(h.metadata("http_requests"), Some(&md));
        assert_eq!(h.metadata("other"), None);
        assert_eq!(
            h.all_metadata().map(|(n, _)| n).collect::<Vec<_>>(),
            vec!["http_requests"]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn chunk_end_time_matches_prometheus_arithmetic() {
        // A quarter full after 450 s: 4 chunks of 1800 s fill the range.
        assert_eq!(chunk_end_time(0, 449_999, 7_200_000, 4), 1_800_000);
        // After 720 s: 2.5 chunks fit, rounded down to 2.
        assert_eq!(chunk_end_time(0, 719_999, 7_200_000, 4), 3_600_000);
        // Already late: the range end.
        assert_eq!(chunk_end_time(0, 7_000_000, 7_200_000, 4), 7_200_000);
        assert_eq!(range_end(7_199_999, 7_200_000), 7_200_000);
        assert_eq!(range_end(7_200_000, 7_200_000), 14_400_000);
        assert_eq!(range_end(-1, 7_200_000), 7_200_000);
        assert_eq!(range_end(i64::MAX, 7_200_000), i64::MAX);
    }
}
