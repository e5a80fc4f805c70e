//! The arithmetic of the aggregation operators and of the functions that
//! order a vector: per-group accumulation for `sum`, `avg`, `count`,
//! `group`, `min`, `max`, `stddev`, `stdvar` and `quantile`
//! ([`GroupedAggregation`]), the φ-quantile ([`quantile`]), the selection
//! and order of `topk` and `bottomk`, `limit_ratio`'s sampling,
//! `count_values`' label, `scalar`, and the orders of `sort`, `sort_desc`,
//! `sort_by_label` and `sort_by_label_desc`.
//!
//! ```
//! use promlab_core::promql::kernels::aggregate::{aggregate, ValueAggregation};
//! let values = [1e100, 1.0, -1e100, 2.0];
//! // The compensated sum keeps the small values that a plain sum loses.
//! assert_eq!(aggregate(ValueAggregation::Sum, &values), Some(3.0));
//! assert_eq!(aggregate(ValueAggregation::Quantile(0.5), &[0.0, 1.0, 4.0]), Some(1.0));
//! ```
//!
//! Where Prometheus sorts with Go's unstable sort, the orders here are
//! stable: values Prometheus considers equal keep their input order, which
//! is also the order Go's sort leaves them in for up to 12 elements.

use super::float::go_int64;
pub use super::float::kahan_sum_inc;
use super::KernelError;
use crate::labels::Labels;
use crate::promql::ast::AggregateOp;
use std::cmp::Ordering;

/// The aggregations that reduce a group to one value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueAggregation {
    Sum,
    Avg,
    Count,
    Group,
    Min,
    Max,
    Stddev,
    Stdvar,
    /// `quantile(φ, …)`.
    Quantile(f64),
}

impl ValueAggregation {
    /// The aggregation for `op`; `param` is the operator's scalar (φ for
    /// `quantile`). `None` for the operators that select series instead
    /// (`topk`, `bottomk`, `limitk`, `limit_ratio`, `count_values`).
    pub fn from_op(op: AggregateOp, param: f64) -> Option<ValueAggregation> {
        Some(match op {
            AggregateOp::Sum => ValueAggregation::Sum,
            AggregateOp::Avg => ValueAggregation::Avg,
            AggregateOp::Count => ValueAggregation::Count,
            AggregateOp::Group => ValueAggregation::Group,
            AggregateOp::Min => ValueAggregation::Min,
            AggregateOp::Max => ValueAggregation::Max,
            AggregateOp::Stddev => ValueAggregation::Stddev,
            AggregateOp::Stdvar => ValueAggregation::Stdvar,
            AggregateOp::Quantile => ValueAggregation::Quantile(param),
            AggregateOp::Topk
            | AggregateOp::Bottomk
            | AggregateOp::CountValues
            | AggregateOp::Limitk
            | AggregateOp::LimitRatio => return None,
        })
    }
}

/// One group's running aggregate, fed one value at a time in the order of
/// the input series, as Prometheus's `groupedAggregation` is.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupedAggregation {
    kind: ValueAggregation,
    /// The sum, the extreme, or Welford's sum of squared deviations.
    value: f64,
    /// The mean once `avg` gave up summing, or Welford's running mean.
    mean: f64,
    /// The Kahan compensation of `value` (or of `mean`).
    kahan_c: f64,
    count: f64,
    /// `avg` switched to an incremental mean because the sum would overflow.
    incremental_mean: bool,
    /// `quantile`'s values.
    values: Vec<f64>,
}

impl GroupedAggregation {
    /// A group whose first value is `first`.
    pub fn new(kind: ValueAggregation, first: f64) -> GroupedAggregation {
        let value = match kind {
            ValueAggregation::Group => 1.0,
            // Welford's sum of squares starts at zero, or NaN for a first
            // value that has no finite deviation.
            ValueAggregation::Stddev | ValueAggregation::Stdvar if first.is_finite() => 0.0,
            ValueAggregation::Stddev | ValueAggregation::Stdvar => f64::NAN,
            _ => first,
        };
        GroupedAggregation {
            kind,
            value,
            mean: first,
            kahan_c: 0.0,
            count: 1.0,
            incremental_mean: false,
            values: match kind {
                ValueAggregation::Quantile(_) => vec![first],
                _ => Vec::new(),
            },
        }
    }

    /// Adds the group's next value.
    pub fn add(&mut self, v: f64) {
        match self.kind {
            ValueAggregation::Sum => {
                (self.value, self.kahan_c) = kahan_sum_inc(v, self.value, self.kahan_c);
            }
            ValueAggregation::Avg => self.add_to_mean(v),
            ValueAggregation::Count => self.count += 1.0,
            ValueAggregation::Group => {}
            ValueAggregation::Max => {
                if self.value < v || self.value.is_nan() {
                    self.value = v;
                }
            }
            ValueAggregation::Min => {
                if self.value > v || self.value.is_nan() {
                    self.value = v;
                }
            }
            ValueAggregation::Stddev | ValueAggregation::Stdvar => {
                self.count += 1.0;
                let delta = v - self.mean;
                self.mean += delta / self.count;
                self.value += delta * (v - self.mean);
            }
            ValueAggregation::Quantile(_) => self.values.push(v),
        }
    }

    /// The mean as Prometheus 3.5 keeps it: a compensated sum divided at the
    /// end, which is the more accurate, until the sum would overflow; from
    /// then on an incremental mean.
    fn add_to_mean(&mut self, v: f64) {
        self.count += 1.0;
        if !self.incremental_mean {
            let (sum, c) = kahan_sum_inc(v, self.value, self.kahan_c);
            if !sum.is_infinite() {
                (self.value, self.kahan_c) = (sum, c);
                return;
            }
            self.incremental_mean = true;
            self.mean = self.value / (self.count - 1.0);
            self.kahan_c /= self.count - 1.0;
        }
        let q = (self.count - 1.0) / self.count;
        (self.mean, self.kahan_c) = kahan_sum_inc(v / self.count, q * self.mean, q * self.kahan_c);
    }

    /// The group's result.
    pub fn finish(mut self) -> f64 {
        match self.kind {
            ValueAggregation::Sum => self.value + self.kahan_c,
            ValueAggregation::Avg if self.incremental_mean => self.mean + self.kahan_c,
            ValueAggregation::Avg => self.value / self.count + self.kahan_c / self.count,
            ValueAggregation::Count => self.count,
            ValueAggregation::Group | ValueAggregation::Min | ValueAggregation::Max => self.value,
            ValueAggregation::Stdvar => self.value / self.count,
            ValueAggregation::Stddev => (self.value / self.count).sqrt(),
            ValueAggregation::Quantile(q) => quantile(q, &mut self.values),
        }
    }
}

/// The aggregate of `values` in order; `None` for no values.
pub fn aggregate(kind: ValueAggregation, values: &[f64]) -> Option<f64> {
    let (&first, rest) = values.split_first()?;
    let mut group = GroupedAggregation::new(kind, first);
    for &v in rest {
        group.add(v);
    }
    Some(group.finish())
}

/// The φ-quantile of `values` (sorted in place), Prometheus's `quantile`:
/// linear interpolation between the two nearest ranks, rank `φ·(n−1)`.
/// NaN for no values or a NaN `q`; −Inf for `q < 0`, +Inf for `q > 1`.
/// NaN values sort below all others.
pub fn quantile(q: f64, values: &mut [f64]) -> f64 {
    if values.is_empty() || q.is_nan() {
        return f64::NAN;
    }
    if q < 0.0 {
        return f64::NEG_INFINITY;
    }
    if q > 1.0 {
        return f64::INFINITY;
    }
    values.sort_by(|a, b| nan_first(*a, *b));
    let n = values.len() as f64;
    let rank = q * (n - 1.0);
    let lower = rank.floor().max(0.0);
    let upper = (lower + 1.0).min(n - 1.0);
    let weight = rank - rank.floor();
    let at = |i: f64| values.get(i as usize).copied().unwrap_or(f64::NAN);
    at(lower) * (1.0 - weight) + at(upper) * weight
}

/// Ascending, NaN before everything (the order of Prometheus's
/// `vectorByValueHeap`), made total: NaNs are equal to each other.
fn nan_first(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// `sort`'s order: ascending, NaN last.
pub fn sort_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
    }
}

/// `sort_desc`'s order: descending, NaN last.
pub fn sort_desc_cmp(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        _ => sort_cmp(a, b),
    }
}

/// The natural order `sort_by_label` compares label values in (that of
/// the `natsort` package Prometheus uses): byte by byte, except that runs
/// of digits compare as numbers, leading zeros ignored, so `cpu2 < cpu10`.
///
/// The package's comparison treats some distinct strings as neither less
/// nor greater (`"01"` and `"1"`); those are `Equal` here, which makes the
/// order total.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut ta, mut tb) = (NatTokens::new(a.as_bytes()), NatTokens::new(b.as_bytes()));
    loop {
        match (ta.next(), tb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => match x.cmp(&y) {
                Ordering::Equal => continue,
                other => return other,
            },
        }
    }
}

/// One unit of the natural order. The derived order is the comparison's:
/// a byte below the digits, then a number, then a byte above the digits;
/// numbers by length, then byte by byte.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NatToken<'a> {
    ByteBelowDigits(u8),
    Number { len: usize, digits: &'a [u8] },
    ByteAboveDigits(u8),
}

struct NatTokens<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> NatTokens<'a> {
    fn new(s: &'a [u8]) -> Self {
        NatTokens { s, pos: 0 }
    }
}

impl<'a> Iterator for NatTokens<'a> {
    type Item = NatToken<'a>;

    fn next(&mut self) -> Option<NatToken<'a>> {
        let &c = self.s.get(self.pos)?;
        if !c.is_ascii_digit() {
            self.pos += 1;
            return Some(if c < b'0' {
                NatToken::ByteBelowDigits(c)
            } else {
                NatToken::ByteAboveDigits(c)
            });
        }
        // A number. Leading zeros are skipped while another byte follows,
        // whatever that byte is (so "0a" reads as the number "a", as in the
        // package); then the digits that follow belong to the number.
        let mut start = self.pos;
        while self.s.get(start) == Some(&b'0') && start + 1 < self.s.len() {
            start += 1;
        }
        let mut end = start + 1;
        while self.s.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        let end = end.min(self.s.len());
        self.pos = end;
        let digits = self.s.get(start..end).unwrap_or(&[]);
        Some(NatToken::Number {
            len: digits.len(),
            digits,
        })
    }
}

/// `sort_by_label(v, names…)`'s order of two label sets: by the values of
/// `names` in [`natural_cmp`] order, then by the whole label sets.
pub fn sort_by_label_cmp<S: AsRef<str>>(a: &Labels, b: &Labels, names: &[S]) -> Ordering {
    for name in names {
        let (va, vb) = (a.get(name.as_ref()), b.get(name.as_ref()));
        if va == vb {
            continue;
        }
        match natural_cmp(va, vb) {
            Ordering::Equal => continue,
            other => return other,
        }
    }
    a.cmp(b)
}

/// `sort_by_label_desc(v, names…)`'s order: [`sort_by_label_cmp`] reversed.
pub fn sort_by_label_desc_cmp<S: AsRef<str>>(a: &Labels, b: &Labels, names: &[S]) -> Ordering {
    sort_by_label_cmp(b, a, names)
}

/// `k` of `topk`, `bottomk` and `limitk` as Prometheus reads it: truncated
/// to an integer and capped at the number of input series; `Ok(0)` (no
/// result) below 1, an error when it does not fit an int64.
pub fn k_param(k: f64, input_series: usize) -> Result<usize, KernelError> {
    // Prometheus's bounds: the largest float below 2^63, and -2^63.
    const MAX: f64 = 9_223_372_036_854_774_784.0;
    const MIN: f64 = -9_223_372_036_854_775_808.0;
    if !(MIN..=MAX).contains(&k) {
        return Err(KernelError::ParameterOverflowsInt64(k));
    }
    let k = go_int64(k);
    if k < 1 {
        return Ok(0);
    }
    Ok(usize::try_from(k).unwrap_or(usize::MAX).min(input_series))
}

/// `topk(k, …)` over one group's values, in input order: the indices of
/// the values kept, in the order Prometheus returns them (largest first,
/// NaN last). The selection among equal values is Prometheus's: the same
/// heap, fed in the same order.
pub fn topk(k: usize, values: &[f64]) -> Vec<usize> {
    select_k(k, values, |a, b| a < b)
}

/// `bottomk(k, …)` over one group's values: the indices of the values kept,
/// smallest first, NaN last.
pub fn bottomk(k: usize, values: &[f64]) -> Vec<usize> {
    select_k(k, values, |a, b| a > b)
}

/// Keeps the `k` values that are last in the order `before` with a heap of
/// at most `k` whose top is the first to go (NaN counts as before
/// everything), as Prometheus's `aggregationK` does; returns them sorted
/// with the top last.
fn select_k(k: usize, values: &[f64], before: impl Fn(f64, f64) -> bool) -> Vec<usize> {
    if k == 0 {
        return Vec::new();
    }
    let value = |i: usize| values.get(i).copied().unwrap_or(f64::NAN);
    let less = |i: usize, j: usize| value(i).is_nan() || before(value(i), value(j));
    let mut heap: Vec<usize> = Vec::with_capacity(k.min(values.len()));
    for (i, &v) in values.iter().enumerate() {
        if heap.len() < k {
            heap.push(i);
            let last = heap.len() - 1;
            sift_up(&mut heap, last, &less);
        } else if let Some(&top) = heap.first() {
            let t = value(top);
            if before(t, v) || (t.is_nan() && !v.is_nan()) {
                heap[0] = i;
                if k > 1 {
                    sift_down(&mut heap, 0, &less);
                }
            }
        }
    }
    // Go sorts the heap with the top last; for up to 12 elements its
    // insertion sort is stable for numbers and lets every NaN pass the
    // NaNs before it, which leaves the NaNs last, in reverse.
    let (mut numbers, mut nans): (Vec<usize>, Vec<usize>) =
        heap.into_iter().partition(|&i| !value(i).is_nan());
    numbers.sort_by(|&a, &b| {
        if before(value(b), value(a)) {
            Ordering::Less
        } else if before(value(a), value(b)) {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    });
    nans.reverse();
    numbers.extend(nans);
    numbers
}

/// Go's `container/heap` `up`: moves element `j` toward the root while it
/// is less than its parent.
fn sift_up(heap: &mut [usize], mut j: usize, less: &impl Fn(usize, usize) -> bool) {
    while j > 0 {
        let parent = (j - 1) / 2;
        if !less(heap[j], heap[parent]) {
            break;
        }
        heap.swap(parent, j);
        j = parent;
    }
}

/// Go's `container/heap` `down` from `i`.
fn sift_down(heap: &mut [usize], mut i: usize, less: &impl Fn(usize, usize) -> bool) {
    let n = heap.len();
    loop {
        let left = 2 * i + 1;
        if left >= n {
            break;
        }
        let mut j = left;
        if left + 1 < n && less(heap[left + 1], heap[left]) {
            j = left + 1;
        }
        if !less(heap[j], heap[i]) {
            break;
        }
        heap.swap(i, j);
        i = j;
    }
}

/// `limit_ratio`'s ratio: NaN is an error, values beyond ±1 are capped
/// (with the warning [`Annotation::InvalidRatio`](super::Annotation::InvalidRatio)).
pub fn ratio_param(r: f64) -> Result<f64, KernelError> {
    if r.is_nan() {
        return Err(KernelError::RatioIsNaN);
    }
    Ok(r.clamp(-1.0, 1.0))
}

/// Where a series falls in `[0, 1]` for `limit_ratio`: the hash Prometheus
/// computes of its label set (xxHash64 of the labels' internal encoding)
/// over the largest 64-bit number. The same series always gets the same
/// offset, so `limit_ratio` keeps the same series at every step.
pub fn ratio_sample_offset(labels: &Labels) -> f64 {
    labels_hash(labels) as f64 / u64::MAX as f64
}

/// Whether `limit_ratio(r, …)` keeps the series: an offset below `r` for
/// `r >= 0`; at or above `1 + r` for negative `r`, so that `limit_ratio(r)`
/// and `limit_ratio(r - 1)` split the series between them.
pub fn limit_ratio_keeps(r: f64, labels: &Labels) -> bool {
    let offset = ratio_sample_offset(labels);
    (r >= 0.0 && offset < r) || (r < 0.0 && offset >= 1.0 + r)
}

/// Prometheus's `Labels.Hash()`: xxHash64 of the names and values, each
/// preceded by its length (one byte below 255, else 255 and three bytes,
/// little-endian), in name order.
pub fn labels_hash(labels: &Labels) -> u64 {
    let mut data = Vec::new();
    for label in labels.iter() {
        for s in [&label.name, &label.value] {
            let len = s.len();
            if len < 255 {
                data.push(len as u8);
            } else {
                data.push(255);
                data.extend_from_slice(&(len as u32).to_le_bytes()[..3]);
            }
            data.extend_from_slice(s.as_bytes());
        }
    }
    xxhash_rust::xxh64::xxh64(&data, 0)
}

/// The label value `count_values` gives a sample value: Go's shortest
/// decimal without an exponent (`FormatFloat(v, 'f', -1, 64)`).
pub fn count_values_label(v: f64) -> String {
    crate::exposition::format_float(v)
}

/// `scalar(v)`: the value of the only sample, NaN for none or several.
pub fn scalar(values: &[f64]) -> f64 {
    match values {
        [v] => *v,
        _ => f64::NAN,
    }
}
