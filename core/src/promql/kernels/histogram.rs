//! Classic histograms: `histogram_quantile` and `histogram_fraction` over
//! `_bucket` series, as Prometheus 3.5 computes them.
//!
//! A classic histogram is the set of samples that differ only in their
//! `le` label ([`classic_histograms`] groups a vector into them). Its
//! buckets are sorted by upper bound, buckets with the same bound (`le="1"`
//! and `le="1.0"`) are merged, counts that differ by a relative 1e-12 are
//! made equal, and counts that go down are raised to the previous bucket's
//! (with an info). A histogram without a `+Inf` bucket has no quantile.
//!
//! The functions that read native histograms (`histogram_count`,
//! `histogram_sum`, `histogram_avg`, `histogram_stddev`,
//! `histogram_stdvar`) have no classic counterpart here: the lab stores no
//! native histograms ([`NativeHistogramFunction`]).
//!
//! ```
//! use promlab_core::promql::kernels::histogram::{bucket_quantile, Bucket};
//! let mut buckets = [
//!     Bucket { upper_bound: f64::INFINITY, count: 3.0 },
//!     Bucket { upper_bound: 2.0, count: 1.0 },
//!     Bucket { upper_bound: 4.0, count: 2.0 },
//!     Bucket { upper_bound: 6.0, count: 3.0 },
//! ];
//! // The median falls in the middle of the (2, 4] bucket.
//! assert_eq!(bucket_quantile(0.5, &mut buckets).value, 3.0);
//! ```

use super::float::almost_equal;
use super::{Annotation, KernelError};
use crate::labels::{Labels, METRIC_NAME};

/// The relative difference between neighbouring bucket counts below which
/// they are taken to be equal: floating-point noise from summing rates,
/// not observations.
pub const SMALL_DELTA_TOLERANCE: f64 = 1e-12;

/// The label that holds a bucket's upper bound.
pub const BUCKET_LABEL: &str = "le";

/// One bucket of a classic histogram: observations at most `upper_bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub upper_bound: f64,
    pub count: f64,
}

/// A quantile of a classic histogram, and what had to be repaired.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketQuantile {
    pub value: f64,
    /// A bucket count was lower than the one before it and was raised.
    pub forced_monotonicity: bool,
    /// Counts that differed only by floating-point noise were made equal.
    pub fixed_precision: bool,
}

impl BucketQuantile {
    fn plain(value: f64) -> Self {
        BucketQuantile {
            value,
            forced_monotonicity: false,
            fixed_precision: false,
        }
    }
}

/// The φ-quantile `q` of the buckets (Prometheus's `BucketQuantile`),
/// sorting and repairing them in place. Within a bucket the observations
/// are taken to be spread evenly; the lowest bucket starts at 0 when its
/// bound is positive (and a quantile in it is its bound otherwise); a
/// quantile in the `+Inf` bucket is the highest finite bound.
///
/// NaN for a NaN `q`, no `+Inf` bucket, fewer than two buckets, or no
/// observations; -Inf for `q < 0`, +Inf for `q > 1`.
pub fn bucket_quantile(q: f64, buckets: &mut [Bucket]) -> BucketQuantile {
    if q.is_nan() {
        return BucketQuantile::plain(f64::NAN);
    }
    if q < 0.0 {
        return BucketQuantile::plain(f64::NEG_INFINITY);
    }
    if q > 1.0 {
        return BucketQuantile::plain(f64::INFINITY);
    }
    sort_by_bound(buckets);
    if !ends_at_infinity(buckets) {
        return BucketQuantile::plain(f64::NAN);
    }
    let buckets = coalesce(buckets);
    let (forced_monotonicity, fixed_precision) =
        ensure_monotonic_ignoring_small_deltas(buckets, SMALL_DELTA_TOLERANCE);
    let repaired = |value| BucketQuantile {
        value,
        forced_monotonicity,
        fixed_precision,
    };
    let n = buckets.len();
    if n < 2 {
        return BucketQuantile::plain(f64::NAN);
    }
    let count = |i: usize| buckets.get(i).map_or(f64::NAN, |b| b.count);
    let bound = |i: usize| buckets.get(i).map_or(f64::NAN, |b| b.upper_bound);
    let observations = count(n - 1);
    if observations == 0.0 {
        return BucketQuantile::plain(f64::NAN);
    }
    let mut rank = q * observations;
    let b = go_search(n - 1, |i| count(i) >= rank);
    if b == n - 1 {
        return repaired(bound(n - 2));
    }
    if b == 0 && bound(0) <= 0.0 {
        return repaired(bound(0));
    }
    let mut bucket_start = 0.0;
    let bucket_end = bound(b);
    let mut in_bucket = count(b);
    if b > 0 {
        bucket_start = bound(b - 1);
        in_bucket -= count(b - 1);
        rank -= count(b - 1);
    }
    repaired(bucket_start + (bucket_end - bucket_start) * (rank / in_bucket))
}

/// The fraction of observations between `lower` and `upper` (Prometheus's
/// `BucketFraction`), interpolating linearly inside the buckets that hold
/// the bounds; the lowest bucket reaches down to -Inf. NaN for no `+Inf`
/// bucket, no observations or a NaN bound; 0 when `lower >= upper`.
pub fn bucket_fraction(lower: f64, upper: f64, buckets: &mut [Bucket]) -> f64 {
    sort_by_bound(buckets);
    if !ends_at_infinity(buckets) {
        return f64::NAN;
    }
    let buckets = coalesce(buckets);
    let count = buckets.last().map_or(0.0, |b| b.count);
    if count == 0.0 || lower.is_nan() || upper.is_nan() {
        return f64::NAN;
    }
    if lower >= upper {
        return 0.0;
    }
    let (mut rank, mut lower_rank, mut upper_rank) = (0.0, 0.0, 0.0);
    let (mut lower_set, mut upper_set) = (false, false);
    let mut lower_bound = f64::NEG_INFINITY;
    for b in buckets.iter() {
        let upper_bound = b.upper_bound;
        let interpolate =
            |v: f64| rank + (b.count - rank) * (v - lower_bound) / (upper_bound - lower_bound);
        if !lower_set && lower_bound >= lower {
            lower_rank = rank;
            lower_set = true;
        }
        if !upper_set && lower_bound >= upper {
            upper_rank = rank;
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        if !lower_set && lower_bound < lower && upper_bound > lower {
            lower_rank = interpolate(lower);
            lower_set = true;
        }
        if !upper_set && lower_bound < upper && upper_bound > upper {
            upper_rank = interpolate(upper);
            upper_set = true;
        }
        if lower_set && upper_set {
            break;
        }
        rank = b.count;
        lower_bound = upper_bound;
    }
    if !lower_set || lower_rank > count {
        lower_rank = count;
    }
    if !upper_set || upper_rank > count {
        upper_rank = count;
    }
    (upper_rank - lower_rank) / count
}

/// Sorts by upper bound. Go's comparison treats a NaN bound as equal to
/// everything, which leaves its place to the sort algorithm; here NaN
/// bounds sort last, so a histogram with one has no `+Inf` bucket at the
/// end and no quantile.
fn sort_by_bound(buckets: &mut [Bucket]) {
    buckets.sort_by(|a, b| a.upper_bound.total_cmp(&b.upper_bound));
}

fn ends_at_infinity(buckets: &[Bucket]) -> bool {
    buckets
        .last()
        .is_some_and(|b| b.upper_bound == f64::INFINITY)
}

/// Merges neighbouring buckets with the same bound, adding their counts;
/// returns the merged prefix.
fn coalesce(buckets: &mut [Bucket]) -> &mut [Bucket] {
    let Some(&first) = buckets.first() else {
        return buckets;
    };
    let mut last = first;
    let mut kept = 0;
    for i in 1..buckets.len() {
        let b = buckets[i];
        if b.upper_bound == last.upper_bound {
            last.count += b.count;
        } else {
            buckets[kept] = last;
            last = b;
            kept += 1;
        }
    }
    buckets[kept] = last;
    &mut buckets[..=kept]
}

/// Prometheus's `ensureMonotonicAndIgnoreSmallDeltas`: a count within
/// `tolerance` (relative) of the previous one is set to it, whichever way
/// it differs; a count below it is raised to it. Returns whether a count
/// was raised and whether a small difference was ignored.
fn ensure_monotonic_ignoring_small_deltas(buckets: &mut [Bucket], tolerance: f64) -> (bool, bool) {
    let (mut forced, mut fixed) = (false, false);
    let Some(mut prev) = buckets.first().map(|b| b.count) else {
        return (forced, fixed);
    };
    for b in buckets.iter_mut().skip(1) {
        let curr = b.count;
        if curr == prev {
            continue;
        }
        if almost_equal(prev, curr, tolerance) {
            // The previous count stays the reference: the difference is
            // noise, not observations.
            b.count = prev;
            fixed = true;
            continue;
        }
        if curr < prev {
            b.count = prev;
            forced = true;
            continue;
        }
        prev = curr;
    }
    (forced, fixed)
}

/// Go's `sort.Search`: the smallest `i` in `0..n` for which `f(i)` holds,
/// assuming it holds for all larger `i`, or `n`. The same probes as Go's,
/// so a predicate that is not monotonic (NaN counts) gives Go's answer.
fn go_search(n: usize, f: impl Fn(usize) -> bool) -> usize {
    let (mut i, mut j) = (0, n);
    while i < j {
        let h = i + (j - i) / 2;
        if !f(h) {
            i = h + 1;
        } else {
            j = h;
        }
    }
    i
}

/// An `le` label value as Prometheus reads it (Go's `ParseFloat`): a
/// decimal or hexadecimal float, `Inf`, `+Inf`, `-Inf`, `Infinity`, `NaN`
/// in any case, with `_` allowed between digits. `None` for anything
/// else, and for finite numbers too large for a float.
pub fn parse_bucket_bound(s: &str) -> Option<f64> {
    if s.contains('_') {
        if !underscores_ok(s) {
            return None;
        }
        return parse_bucket_bound(&s.replace('_', ""));
    }
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.len() > 2
        && unsigned
            .get(..2)
            .is_some_and(|p| p.eq_ignore_ascii_case("0x"))
    {
        // Go refuses a finite literal too large for a float (a range error).
        let v = parse_hex_float(unsigned.get(2..)?).filter(|v| v.is_finite())?;
        return Some(if s.starts_with('-') { -v } else { v });
    }
    crate::exposition::parse_float(s)
}

/// Go's rule for `_` in numbers: only between digits, or between a base
/// prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s).as_bytes();
    let hex = body.len() >= 2 && body[0] == b'0' && matches!(body[1], b'x' | b'X');
    // The last class seen: b'^' start, b'0' digit (or base prefix), b'_', b'!'.
    let (mut saw, rest) =
        if body.len() >= 2 && body[0] == b'0' && matches!(body[1] | 0x20, b'b' | b'o' | b'x') {
            (b'0', &body[2..])
        } else {
            (b'^', body)
        };
    for &c in rest {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

/// The digits of a hexadecimal float after `0x`: a mantissa with an
/// optional point and a mandatory binary exponent (`1.8p1` is 3).
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exp) = s.split_once(['p', 'P'])?;
    let exp: i64 = {
        let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
        if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        // Beyond this the value is 0 or infinite anyway.
        let magnitude = digits.parse::<i64>().unwrap_or(100_000).min(100_000);
        if exp.starts_with('-') {
            -magnitude
        } else {
            magnitude
        }
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    // Up to 16 significant hex digits fit a u64 exactly; later ones only
    // decide rounding, which a sticky bit in the lowest place keeps (the
    // u64 then has at least 61 bits, far more than a float's 53).
    let mut bits: u64 = 0;
    let mut sticky = false;
    let mut scale: i64 = 0;
    let mut significant = 0;
    for (i, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let d = u64::from(c.to_digit(16)?);
        let in_fraction = i >= int_part.len();
        if significant < 16 {
            if bits != 0 || d != 0 {
                significant += 1;
            }
            bits = bits * 16 + d;
            if in_fraction {
                scale -= 4;
            }
        } else {
            sticky |= d != 0;
            if !in_fraction {
                scale += 4;
            }
        }
    }
    if sticky {
        bits |= 1;
    }
    // Converting rounds once; scaling by a power of two is exact unless
    // the result leaves the normal range.
    let scale = (scale + exp).clamp(-4000, 4000) as i32;
    Some(libm::scalbn(bits as f64, scale))
}

/// The buckets of one classic histogram, gathered from the samples that
/// share every label but `le`.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassicHistogram {
    /// The shared labels, without `le` (the metric name included).
    pub labels: Labels,
    pub buckets: Vec<Bucket>,
}

/// A vector of `_bucket` samples grouped into classic histograms, in the
/// order each first appears, and the warnings for the samples left out
/// (an `le` that is missing or not a number).
pub fn classic_histograms<'a>(
    samples: impl IntoIterator<Item = (&'a Labels, f64)>,
) -> (Vec<ClassicHistogram>, Vec<Annotation>) {
    let mut histograms: Vec<ClassicHistogram> = Vec::new();
    let mut index: std::collections::HashMap<Labels, usize> = std::collections::HashMap::new();
    let mut annotations = Vec::new();
    for (labels, count) in samples {
        let le = labels.get(BUCKET_LABEL);
        let Some(upper_bound) = parse_bucket_bound(le) else {
            annotations.push(Annotation::BadBucketLabel {
                metric_name: labels.metric_name().to_string(),
                le: le.to_string(),
            });
            continue;
        };
        let mut key = labels.clone();
        key.remove(BUCKET_LABEL);
        let bucket = Bucket { upper_bound, count };
        match index.get(&key) {
            Some(&i) => {
                if let Some(h) = histograms.get_mut(i) {
                    h.buckets.push(bucket);
                }
            }
            None => {
                index.insert(key.clone(), histograms.len());
                histograms.push(ClassicHistogram {
                    labels: key,
                    buckets: vec![bucket],
                });
            }
        }
    }
    (histograms, annotations)
}

/// A vector a histogram function returns, and its annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramOutput {
    /// One sample per histogram, labelled as Prometheus labels it: without
    /// `le` and without the metric name (and `__type__`, `__unit__`).
    pub samples: Vec<(Labels, f64)>,
    pub annotations: Vec<Annotation>,
}

/// The labels of a histogram function's result.
fn output_labels(mut labels: Labels) -> Labels {
    for name in [METRIC_NAME, "__type__", "__unit__"] {
        labels.remove(name);
    }
    labels
}

/// `histogram_quantile(q, v)` over a vector of `_bucket` samples: one
/// quantile per classic histogram, with the warnings for an invalid `q` and
/// bad `le` labels, and an info for each histogram whose counts had to be
/// made monotonic.
pub fn histogram_quantile<'a>(
    q: f64,
    samples: impl IntoIterator<Item = (&'a Labels, f64)>,
) -> HistogramOutput {
    let mut annotations: Vec<Annotation> = Annotation::for_quantile(q).into_iter().collect();
    let (histograms, bad) = classic_histograms(samples);
    annotations.extend(bad);
    let mut out = Vec::with_capacity(histograms.len());
    for mut h in histograms {
        let result = bucket_quantile(q, &mut h.buckets);
        if result.forced_monotonicity {
            annotations.push(Annotation::HistogramQuantileForcedMonotonicity {
                metric_name: h.labels.metric_name().to_string(),
            });
        }
        out.push((output_labels(h.labels), result.value));
    }
    HistogramOutput {
        samples: out,
        annotations,
    }
}

/// `histogram_fraction(lower, upper, v)` over a vector of `_bucket`
/// samples: one fraction per classic histogram.
pub fn histogram_fraction<'a>(
    lower: f64,
    upper: f64,
    samples: impl IntoIterator<Item = (&'a Labels, f64)>,
) -> HistogramOutput {
    let (histograms, annotations) = classic_histograms(samples);
    let samples = histograms
        .into_iter()
        .map(|mut h| {
            let fraction = bucket_fraction(lower, upper, &mut h.buckets);
            (output_labels(h.labels), fraction)
        })
        .collect();
    HistogramOutput {
        samples,
        annotations,
    }
}

/// The functions that read only native histograms; over float samples
/// Prometheus returns nothing for them, and the lab has nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NativeHistogramFunction {
    Count,
    Sum,
    Avg,
    Stddev,
    Stdvar,
}

impl NativeHistogramFunction {
    pub const ALL: [NativeHistogramFunction; 5] = [
        NativeHistogramFunction::Count,
        NativeHistogramFunction::Sum,
        NativeHistogramFunction::Avg,
        NativeHistogramFunction::Stddev,
        NativeHistogramFunction::Stdvar,
    ];

    pub fn name(self) -> &'static str {
        match self {
            NativeHistogramFunction::Count => "histogram_count",
            NativeHistogramFunction::Sum => "histogram_sum",
            NativeHistogramFunction::Avg => "histogram_avg",
            NativeHistogramFunction::Stddev => "histogram_stddev",
            NativeHistogramFunction::Stdvar => "histogram_stdvar",
        }
    }

    pub fn from_name(name: &str) -> Option<NativeHistogramFunction> {
        NativeHistogramFunction::ALL
            .into_iter()
            .find(|f| f.name() == name)
    }

    /// The error for a call: the lab stores no native histograms.
    pub fn unsupported(self) -> KernelError {
        KernelError::NativeHistogramsUnsupported { function: self }
    }

    /// What to write instead with a classic histogram.
    pub fn classic_hint(self) -> &'static str {
        match self {
            NativeHistogramFunction::Count => {
                "with a classic histogram, read its _count series (e.g. rate(x_count[5m]))"
            }
            NativeHistogramFunction::Sum => {
                "with a classic histogram, read its _sum series (e.g. rate(x_sum[5m]))"
            }
            NativeHistogramFunction::Avg => {
                "with a classic histogram, divide its _sum by its _count (e.g. rate(x_sum[5m]) / rate(x_count[5m]))"
            }
            NativeHistogramFunction::Stddev | NativeHistogramFunction::Stdvar => {
                "a classic histogram has no equivalent"
            }
        }
    }
}
