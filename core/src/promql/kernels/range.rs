//! Functions of a range vector: what `rate(x[5m])`, `deriv`,
//! `avg_over_time` and the others compute from one series' samples in the
//! left-open window `(t - range, t]`.
//!
//! Every kernel takes the samples of the window, oldest first, without
//! stale markers ([`window`] cuts them from a longer slice) and returns
//! `None` when Prometheus returns no sample for the series: too few samples
//! (one for most, two for the rates and `deriv`), or none at all.
//! [`RangeFunction`] names each kernel so an evaluator can look them up by
//! the function's name.
//!
//! ```
//! use promlab_core::promql::kernels::range::{avg_over_time, changes, resets};
//! let samples = [(0, 3.0), (10_000, 1.0), (20_000, 1.0), (30_000, 2.0)];
//! assert_eq!(resets(&samples), Some(1.0));
//! assert_eq!(changes(&samples), Some(2.0));
//! assert_eq!(avg_over_time(&samples), Some(1.75));
//! assert_eq!(avg_over_time(&[]), None);
//! ```

use super::aggregate::quantile;
use super::float::{duration_seconds, kahan_sum_inc};
use super::KernelError;
use crate::clock::Timestamp;

/// One sample: milliseconds since the epoch and the value.
pub type Point = (Timestamp, f64);

/// The samples of `samples` (sorted by time) in the left-open window
/// `(range_start, range_end]`, the window a range selector `x[r]` covers at
/// `t = range_end`.
pub fn window(samples: &[Point], range_start: Timestamp, range_end: Timestamp) -> &[Point] {
    let from = samples.partition_point(|(t, _)| *t <= range_start);
    let to = samples.partition_point(|(t, _)| *t <= range_end);
    samples.get(from..to.max(from)).unwrap_or(&[])
}

/// `rate`, `increase` and `delta`: the change over the window, corrected
/// for counter resets when `is_counter` and extrapolated toward the window's
/// ends, per second when `is_rate` (Prometheus's `extrapolatedRate`).
///
/// The change is extrapolated to a boundary when the first or last sample
/// lies within 110% of the average sample interval of it, and otherwise by
/// half an average interval (the series is taken to start or end inside the
/// window). A counter is never extrapolated below zero: if the line through
/// the samples reaches zero before the start boundary, the extrapolation
/// stops there. `range_start` and `range_end` are the window's bounds
/// (with any offset applied); the rate divides by their difference.
///
/// `None` with fewer than two samples.
pub fn extrapolated_rate(
    samples: &[Point],
    range_start: Timestamp,
    range_end: Timestamp,
    is_counter: bool,
    is_rate: bool,
) -> Option<f64> {
    let (&(first_t, first_v), &(last_t, last_v)) = (samples.first()?, samples.last()?);
    if samples.len() < 2 {
        return None;
    }
    let mut result = last_v - first_v;
    if is_counter {
        // A drop is a reset to zero: the value before it was all increase.
        for pair in samples.windows(2) {
            if pair[1].1 < pair[0].1 {
                result += pair[0].1;
            }
        }
    }

    let mut duration_to_start = first_t.saturating_sub(range_start) as f64 / 1000.0;
    let mut duration_to_end = range_end.saturating_sub(last_t) as f64 / 1000.0;
    let sampled_interval = last_t.saturating_sub(first_t) as f64 / 1000.0;
    let average_interval = sampled_interval / (samples.len() - 1) as f64;

    // "Close enough" to a boundary is up to 10% more than the average
    // interval; a sample farther away means the series starts (or ends)
    // inside the window, half an interval before (after) that sample.
    let threshold = average_interval * 1.1;
    if duration_to_start >= threshold {
        duration_to_start = average_interval / 2.0;
    }
    if is_counter && result > 0.0 && first_v >= 0.0 {
        // Where the counter would have been zero, if it rose steadily.
        let duration_to_zero = sampled_interval * (first_v / result);
        if duration_to_zero < duration_to_start {
            duration_to_start = duration_to_zero;
        }
    }
    if duration_to_end >= threshold {
        duration_to_end = average_interval / 2.0;
    }
    let extrapolated_interval = sampled_interval + duration_to_start + duration_to_end;

    let mut factor = extrapolated_interval / sampled_interval;
    if is_rate {
        factor /= duration_seconds(range_end.saturating_sub(range_start));
    }
    Some(result * factor)
}

/// `rate(x[r])`: [`extrapolated_rate`] of a counter, per second.
pub fn rate(samples: &[Point], range_start: Timestamp, range_end: Timestamp) -> Option<f64> {
    extrapolated_rate(samples, range_start, range_end, true, true)
}

/// `increase(x[r])`: [`extrapolated_rate`] of a counter over the window.
pub fn increase(samples: &[Point], range_start: Timestamp, range_end: Timestamp) -> Option<f64> {
    extrapolated_rate(samples, range_start, range_end, true, false)
}

/// `delta(x[r])`: [`extrapolated_rate`] of a gauge over the window.
pub fn delta(samples: &[Point], range_start: Timestamp, range_end: Timestamp) -> Option<f64> {
    extrapolated_rate(samples, range_start, range_end, false, false)
}

/// `irate` (`is_rate`) and `idelta`: from the last two samples only
/// (Prometheus's `instantValue`). For `irate` a drop is a counter reset,
/// and the rate is the last value over the interval. `None` with fewer than
/// two samples, or two at the same time.
pub fn instant_value(samples: &[Point], is_rate: bool) -> Option<f64> {
    let [(prev_t, prev_v), (last_t, last_v)] = *samples.get(samples.len().checked_sub(2)?..)?
    else {
        return None;
    };
    let interval = last_t.saturating_sub(prev_t);
    if interval == 0 {
        return None;
    }
    // Only a drop is a reset: with a NaN the difference is taken (NaN).
    let reset = last_v.partial_cmp(&prev_v) == Some(std::cmp::Ordering::Less);
    let result = if !is_rate || !reset {
        last_v - prev_v
    } else {
        last_v
    };
    Some(if is_rate {
        result / (interval as f64 / 1000.0)
    } else {
        result
    })
}

/// `irate(x[r])`: the per-second rate between the last two samples.
pub fn irate(samples: &[Point]) -> Option<f64> {
    instant_value(samples, true)
}

/// `idelta(x[r])`: the difference between the last two samples.
pub fn idelta(samples: &[Point]) -> Option<f64> {
    instant_value(samples, false)
}

/// The least-squares line through the samples, with time in seconds
/// relative to `intercept_time`: `(slope per second, value at
/// intercept_time)`, Prometheus's `linearRegression` with its compensated
/// sums. A constant series has slope 0 (and NaN both if it is infinite).
pub fn linear_regression(samples: &[Point], intercept_time: Timestamp) -> (f64, f64) {
    let Some(&(_, init_y)) = samples.first() else {
        return (f64::NAN, f64::NAN);
    };
    let mut n = 0.0;
    let (mut sum_x, mut c_x) = (0.0, 0.0);
    let (mut sum_y, mut c_y) = (0.0, 0.0);
    let (mut sum_xy, mut c_xy) = (0.0, 0.0);
    let (mut sum_x2, mut c_x2) = (0.0, 0.0);
    let mut const_y = true;
    for (i, &(t, y)) in samples.iter().enumerate() {
        // `!=` so that a NaN after the first sample makes the series
        // non-constant, as in Go.
        if const_y && i > 0 && y != init_y {
            const_y = false;
        }
        n += 1.0;
        let x = t.saturating_sub(intercept_time) as f64 / 1e3;
        (sum_x, c_x) = kahan_sum_inc(x, sum_x, c_x);
        (sum_y, c_y) = kahan_sum_inc(y, sum_y, c_y);
        (sum_xy, c_xy) = kahan_sum_inc(x * y, sum_xy, c_xy);
        (sum_x2, c_x2) = kahan_sum_inc(x * x, sum_x2, c_x2);
    }
    if const_y {
        if init_y.is_infinite() {
            return (f64::NAN, f64::NAN);
        }
        return (0.0, init_y);
    }
    let (sum_x, sum_y, sum_xy, sum_x2) = (sum_x + c_x, sum_y + c_y, sum_xy + c_xy, sum_x2 + c_x2);
    let cov_xy = sum_xy - sum_x * sum_y / n;
    let var_x = sum_x2 - sum_x * sum_x / n;
    let slope = cov_xy / var_x;
    let intercept = sum_y / n - slope * sum_x / n;
    (slope, intercept)
}

/// `deriv(x[r])`: the slope per second of the least-squares line. Time is
/// measured from the first sample, which keeps the sums small.
pub fn deriv(samples: &[Point]) -> Option<f64> {
    let &(first_t, _) = samples.first()?;
    (samples.len() >= 2).then(|| linear_regression(samples, first_t).0)
}

/// `predict_linear(x[r], duration)`: the value the least-squares line
/// predicts `duration` seconds after the evaluation time `t` (not after the
/// last sample).
pub fn predict_linear(samples: &[Point], t: Timestamp, duration: f64) -> Option<f64> {
    if samples.len() < 2 {
        return None;
    }
    let (slope, intercept) = linear_regression(samples, t);
    Some(slope * duration + intercept)
}

/// `resets(x[r])`: how many times the value dropped.
pub fn resets(samples: &[Point]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let n = samples.windows(2).filter(|p| p[1].1 < p[0].1).count();
    Some(n as f64)
}

/// `changes(x[r])`: how many times the value changed; NaN to NaN is no
/// change.
pub fn changes(samples: &[Point]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let n = samples
        .windows(2)
        .filter(|p| p[1].1 != p[0].1 && !(p[1].1.is_nan() && p[0].1.is_nan()))
        .count();
    Some(n as f64)
}

/// `avg_over_time(x[r])`: the mean with a compensated sum, switching to an
/// incremental mean only if the sum would overflow, as Prometheus 3.5 does
/// (so `avg_over_time` of two samples of 1e308 is 1e308, not +Inf).
pub fn avg_over_time(samples: &[Point]) -> Option<f64> {
    let (&(_, first), rest) = samples.split_first()?;
    Some(average(first, rest.iter().map(|(_, v)| *v)))
}

/// The mean of `first` and `rest` as `avg_over_time` and `avg` compute it.
pub(crate) fn average(first: f64, rest: impl Iterator<Item = f64>) -> f64 {
    let mut avg =
        super::aggregate::GroupedAggregation::new(super::aggregate::ValueAggregation::Avg, first);
    for v in rest {
        avg.add(v);
    }
    avg.finish()
}

/// `sum_over_time(x[r])`: the compensated sum.
pub fn sum_over_time(samples: &[Point]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let (mut sum, mut c) = (0.0, 0.0);
    for &(_, v) in samples {
        (sum, c) = kahan_sum_inc(v, sum, c);
    }
    Some(if sum.is_infinite() { sum } else { sum + c })
}

/// `count_over_time(x[r])`.
pub fn count_over_time(samples: &[Point]) -> Option<f64> {
    (!samples.is_empty()).then_some(samples.len() as f64)
}

/// `last_over_time(x[r])`: the newest value.
pub fn last_over_time(samples: &[Point]) -> Option<f64> {
    samples.last().map(|(_, v)| *v)
}

/// `present_over_time(x[r])`: 1 for a series with any sample.
pub fn present_over_time(samples: &[Point]) -> Option<f64> {
    (!samples.is_empty()).then_some(1.0)
}

/// `absent_over_time(x[r])`: 1 when none of the selected series has a
/// sample in the window, else nothing. The result's labels are
/// [`absent_labels`](super::labels::absent_labels) of the selector.
pub fn absent_over_time<'a>(series: impl IntoIterator<Item = &'a [Point]>) -> Option<f64> {
    let any = series.into_iter().any(|s| !s.is_empty());
    (!any).then_some(1.0)
}

/// The first sample, then every later one for which `replace(value, best)`
/// holds, as Prometheus's `compareOverTime` walks them: `(value, time)`.
fn compare_over_time(
    samples: &[Point],
    replace: impl Fn(f64, f64) -> bool,
) -> Option<(f64, Timestamp)> {
    let &(first_t, first_v) = samples.first()?;
    let mut best = (first_v, first_t);
    for &(t, v) in samples {
        if replace(v, best.0) {
            best = (v, t);
        }
    }
    Some(best)
}

/// `max_over_time(x[r])`: NaN only when every value is NaN.
pub fn max_over_time(samples: &[Point]) -> Option<f64> {
    compare_over_time(samples, |v, max| v > max || max.is_nan()).map(|(v, _)| v)
}

/// `min_over_time(x[r])`: NaN only when every value is NaN.
pub fn min_over_time(samples: &[Point]) -> Option<f64> {
    compare_over_time(samples, |v, min| v < min || min.is_nan()).map(|(v, _)| v)
}

/// `ts_of_max_over_time(x[r])`: the time, in seconds, of the last sample
/// holding the maximum.
pub fn ts_of_max_over_time(samples: &[Point]) -> Option<f64> {
    compare_over_time(samples, |v, max| v >= max || max.is_nan()).map(|(_, t)| seconds(t))
}

/// `ts_of_min_over_time(x[r])`: the time, in seconds, of the last sample
/// holding the minimum.
pub fn ts_of_min_over_time(samples: &[Point]) -> Option<f64> {
    compare_over_time(samples, |v, min| v <= min || min.is_nan()).map(|(_, t)| seconds(t))
}

/// `ts_of_last_over_time(x[r])`: the time, in seconds, of the newest sample.
pub fn ts_of_last_over_time(samples: &[Point]) -> Option<f64> {
    samples.last().map(|(t, _)| seconds(*t))
}

fn seconds(t: Timestamp) -> f64 {
    t as f64 / 1000.0
}

/// The population variance with compensated sums (Welford's method, as
/// Prometheus's `varianceOverTime` runs it).
fn variance_over_time(samples: &[Point]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut count = 0.0;
    let (mut mean, mut c_mean) = (0.0, 0.0);
    let (mut aux, mut c_aux) = (0.0, 0.0);
    for &(_, v) in samples {
        count += 1.0;
        let delta = v - (mean + c_mean);
        (mean, c_mean) = kahan_sum_inc(delta / count, mean, c_mean);
        (aux, c_aux) = kahan_sum_inc(delta * (v - (mean + c_mean)), aux, c_aux);
    }
    Some((aux + c_aux) / count)
}

/// `stdvar_over_time(x[r])`: the population variance.
pub fn stdvar_over_time(samples: &[Point]) -> Option<f64> {
    variance_over_time(samples)
}

/// `stddev_over_time(x[r])`: the population standard deviation.
pub fn stddev_over_time(samples: &[Point]) -> Option<f64> {
    variance_over_time(samples).map(f64::sqrt)
}

/// `quantile_over_time(q, x[r])`: the φ-quantile of the values, with
/// linear interpolation ([`quantile`]). An invalid `q` gives ±Inf or NaN
/// and the warning of
/// [`Annotation::for_quantile`](super::Annotation::for_quantile).
pub fn quantile_over_time(q: f64, samples: &[Point]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut values: Vec<f64> = samples.iter().map(|(_, v)| *v).collect();
    Some(quantile(q, &mut values))
}

/// `mad_over_time(x[r])`: the median of the absolute deviations from the
/// median.
pub fn mad_over_time(samples: &[Point]) -> Option<f64> {
    if samples.is_empty() {
        return None;
    }
    let mut values: Vec<f64> = samples.iter().map(|(_, v)| *v).collect();
    let median = quantile(0.5, &mut values);
    let mut deviations: Vec<f64> = samples.iter().map(|(_, v)| (v - median).abs()).collect();
    Some(quantile(0.5, &mut deviations))
}

/// `double_exponential_smoothing(x[r], sf, tf)` (Holt's linear method):
/// the smoothed value at the last sample. `sf` weighs new values against
/// the smoothed history, `tf` new trends against the old trend; both must
/// lie strictly between 0 and 1. `None` with fewer than two samples.
pub fn double_exponential_smoothing(
    samples: &[Point],
    sf: f64,
    tf: f64,
) -> Result<Option<f64>, KernelError> {
    // Written so that NaN fails too.
    if !(sf > 0.0 && sf < 1.0) {
        return Err(KernelError::InvalidSmoothingFactor(sf));
    }
    if !(tf > 0.0 && tf < 1.0) {
        return Err(KernelError::InvalidTrendFactor(tf));
    }
    let [(_, first), (_, second), ..] = *samples else {
        return Ok(None);
    };
    // s0: the previous smoothed value, s1: the current one, b: the trend.
    let (mut s0, mut s1) = (0.0, first);
    let mut b = second - first;
    for (i, &(_, v)) in samples.iter().enumerate().skip(1) {
        let x = sf * v;
        // The first step keeps the initial trend.
        if i > 1 {
            b = tf * (s1 - s0) + (1.0 - tf) * b;
        }
        let y = (1.0 - sf) * (s1 + b);
        (s0, s1) = (s1, x + y);
    }
    Ok(Some(s1))
}

/// The functions of a range vector, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeFunction {
    Rate,
    Increase,
    Delta,
    Irate,
    Idelta,
    Deriv,
    PredictLinear,
    Resets,
    Changes,
    AvgOverTime,
    SumOverTime,
    CountOverTime,
    MinOverTime,
    MaxOverTime,
    LastOverTime,
    PresentOverTime,
    StddevOverTime,
    StdvarOverTime,
    QuantileOverTime,
    MadOverTime,
    TsOfMinOverTime,
    TsOfMaxOverTime,
    TsOfLastOverTime,
    DoubleExponentialSmoothing,
}

/// Where a range function is evaluated and its scalar arguments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RangeArgs {
    /// The window `(range_start, range_end]`, offset applied.
    pub range_start: Timestamp,
    pub range_end: Timestamp,
    /// The evaluation time (`predict_linear` predicts from it).
    pub t: Timestamp,
    /// The scalar arguments in call order: `quantile_over_time`'s φ,
    /// `predict_linear`'s seconds, `double_exponential_smoothing`'s sf and
    /// tf. Missing ones read as NaN.
    pub scalars: [f64; 2],
}

impl RangeFunction {
    pub const ALL: [RangeFunction; 24] = [
        RangeFunction::Rate,
        RangeFunction::Increase,
        RangeFunction::Delta,
        RangeFunction::Irate,
        RangeFunction::Idelta,
        RangeFunction::Deriv,
        RangeFunction::PredictLinear,
        RangeFunction::Resets,
        RangeFunction::Changes,
        RangeFunction::AvgOverTime,
        RangeFunction::SumOverTime,
        RangeFunction::CountOverTime,
        RangeFunction::MinOverTime,
        RangeFunction::MaxOverTime,
        RangeFunction::LastOverTime,
        RangeFunction::PresentOverTime,
        RangeFunction::StddevOverTime,
        RangeFunction::StdvarOverTime,
        RangeFunction::QuantileOverTime,
        RangeFunction::MadOverTime,
        RangeFunction::TsOfMinOverTime,
        RangeFunction::TsOfMaxOverTime,
        RangeFunction::TsOfLastOverTime,
        RangeFunction::DoubleExponentialSmoothing,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RangeFunction::Rate => "rate",
            RangeFunction::Increase => "increase",
            RangeFunction::Delta => "delta",
            RangeFunction::Irate => "irate",
            RangeFunction::Idelta => "idelta",
            RangeFunction::Deriv => "deriv",
            RangeFunction::PredictLinear => "predict_linear",
            RangeFunction::Resets => "resets",
            RangeFunction::Changes => "changes",
            RangeFunction::AvgOverTime => "avg_over_time",
            RangeFunction::SumOverTime => "sum_over_time",
            RangeFunction::CountOverTime => "count_over_time",
            RangeFunction::MinOverTime => "min_over_time",
            RangeFunction::MaxOverTime => "max_over_time",
            RangeFunction::LastOverTime => "last_over_time",
            RangeFunction::PresentOverTime => "present_over_time",
            RangeFunction::StddevOverTime => "stddev_over_time",
            RangeFunction::StdvarOverTime => "stdvar_over_time",
            RangeFunction::QuantileOverTime => "quantile_over_time",
            RangeFunction::MadOverTime => "mad_over_time",
            RangeFunction::TsOfMinOverTime => "ts_of_min_over_time",
            RangeFunction::TsOfMaxOverTime => "ts_of_max_over_time",
            RangeFunction::TsOfLastOverTime => "ts_of_last_over_time",
            RangeFunction::DoubleExponentialSmoothing => "double_exponential_smoothing",
        }
    }

    pub fn from_name(name: &str) -> Option<RangeFunction> {
        RangeFunction::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the result keeps the series' metric name: only
    /// `last_over_time` does (its value is a sample of the series); every
    /// other range function drops it.
    pub fn keeps_metric_name(self) -> bool {
        self == RangeFunction::LastOverTime
    }

    /// Evaluates the function over one series' samples in the window.
    pub fn eval(self, samples: &[Point], args: &RangeArgs) -> Result<Option<f64>, KernelError> {
        let (start, end) = (args.range_start, args.range_end);
        let [p0, p1] = args.scalars;
        Ok(match self {
            RangeFunction::Rate => rate(samples, start, end),
            RangeFunction::Increase => increase(samples, start, end),
            RangeFunction::Delta => delta(samples, start, end),
            RangeFunction::Irate => irate(samples),
            RangeFunction::Idelta => idelta(samples),
            RangeFunction::Deriv => deriv(samples),
            RangeFunction::PredictLinear => predict_linear(samples, args.t, p0),
            RangeFunction::Resets => resets(samples),
            RangeFunction::Changes => changes(samples),
            RangeFunction::AvgOverTime => avg_over_time(samples),
            RangeFunction::SumOverTime => sum_over_time(samples),
            RangeFunction::CountOverTime => count_over_time(samples),
            RangeFunction::MinOverTime => min_over_time(samples),
            RangeFunction::MaxOverTime => max_over_time(samples),
            RangeFunction::LastOverTime => last_over_time(samples),
            RangeFunction::PresentOverTime => present_over_time(samples),
            RangeFunction::StddevOverTime => stddev_over_time(samples),
            RangeFunction::StdvarOverTime => stdvar_over_time(samples),
            RangeFunction::QuantileOverTime => quantile_over_time(p0, samples),
            RangeFunction::MadOverTime => mad_over_time(samples),
            RangeFunction::TsOfMinOverTime => ts_of_min_over_time(samples),
            RangeFunction::TsOfMaxOverTime => ts_of_max_over_time(samples),
            RangeFunction::TsOfLastOverTime => ts_of_last_over_time(samples),
            RangeFunction::DoubleExponentialSmoothing => {
                return double_exponential_smoothing(samples, p0, p1)
            }
        })
    }
}
