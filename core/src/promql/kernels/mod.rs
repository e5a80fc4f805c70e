//! The arithmetic of every PromQL function and aggregation, as pure
//! functions over plain values, computed the way Prometheus 3.5 computes it:
//! the same extrapolation rules, the same compensated sums, the same order
//! of floating-point operations where it changes the last bits, the same
//! NaN and infinity cases, and Prometheus's annotation and error texts.
//!
//! The module knows nothing of the evaluator: no syntax tree, no storage,
//! no steps. Samples come in as `&[(Timestamp, f64)]`, oldest first, with
//! stale markers already removed and already cut to the window the caller
//! selected (see [`range::window`]); labels as [`Labels`](crate::labels::Labels).
//! The evaluator decides which series a function sees and what happens to
//! their labels; a kernel says what the value is, or that there is none
//! (`None`: Prometheus drops the sample).
//!
//! | file | family |
//! |---|---|
//! | [`range`] | functions of a range vector: `rate`, `irate`, `deriv`, `*_over_time`, … |
//! | [`math`] | functions of one value: `abs`, `round`, trigonometry, `clamp`, dates |
//! | [`histogram`] | classic histograms: `histogram_quantile`, `histogram_fraction` |
//! | [`aggregate`] | aggregation operators, `quantile`, `topk`, `sort`, `sort_by_label` |
//! | [`labels`] | `label_replace`, `label_join`, the labels of `absent` |
//! | [`float`] | what they share: Kahan summation, `almost.Equal`, Go's conversions and spellings |
//!
//! [`range::RangeFunction`], [`math::MathFunction`], [`math::DatePart`] and
//! [`histogram::NativeHistogramFunction`] name the kernels by the
//! functions' names, for an implementation table keyed like the parser's.
//! Warnings and infos come back as [`Annotation`]s next to the values;
//! refused arguments as [`KernelError`]s; both display as Prometheus's text.
//!
//! ```
//! use promlab_core::promql::kernels::range::{extrapolated_rate, window};
//! // A counter scraped every 15 s that reset once, at 45 s.
//! let samples = [(0, 10.0), (15_000, 20.0), (30_000, 30.0), (45_000, 5.0), (60_000, 15.0)];
//! // rate(c[1m]) at t = 60 s: the window (0 s, 60 s] holds the last four,
//! // which rose by 25 (10 before the reset, 15 after) over 45 s; the rate
//! // extrapolates that to the whole minute: 25 × 60/45 per 60 s.
//! let w = window(&samples, 0, 60_000);
//! let rate = extrapolated_rate(w, 0, 60_000, true, true).unwrap();
//! assert!((rate - 25.0 / 45.0).abs() < 1e-12);
//! ```

pub mod aggregate;
pub mod float;
pub mod histogram;
pub mod labels;
pub mod math;
pub mod range;

use float::format_go_g;
use std::fmt;

/// How serious an annotation is, as Prometheus sorts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// Something is probably wrong with the query or the data.
    Warning,
    /// The result may surprise; nothing is necessarily wrong.
    Info,
}

/// A warning or an info a kernel raises alongside its result, worded as
/// Prometheus words it. The evaluator adds the position in the query.
#[derive(Debug, Clone, PartialEq)]
pub enum Annotation {
    /// A quantile argument outside `[0, 1]`, or NaN (`histogram_quantile`,
    /// `quantile_over_time`, `quantile`).
    InvalidQuantile { q: f64 },
    /// A `limit_ratio` argument outside `[-1, 1]`; it is capped.
    InvalidRatio { ratio: f64, capped_to: f64 },
    /// A classic-histogram sample whose `le` label is missing or is not a
    /// number; the sample is left out.
    BadBucketLabel { metric_name: String, le: String },
    /// The bucket counts of a classic histogram went down from one bound to
    /// the next and were raised to keep them monotonic.
    HistogramQuantileForcedMonotonicity { metric_name: String },
    /// `rate` or `increase` over a metric whose name does not end in
    /// `_total`, `_sum`, `_count` or `_bucket`.
    PossibleNonCounter { metric_name: String },
}

impl Annotation {
    pub fn severity(&self) -> Severity {
        match self {
            Annotation::InvalidQuantile { .. }
            | Annotation::InvalidRatio { .. }
            | Annotation::BadBucketLabel { .. } => Severity::Warning,
            Annotation::HistogramQuantileForcedMonotonicity { .. }
            | Annotation::PossibleNonCounter { .. } => Severity::Info,
        }
    }

    /// The annotation `quantile_over_time` and `histogram_quantile` raise
    /// for `q`, if any.
    pub fn for_quantile(q: f64) -> Option<Annotation> {
        (q.is_nan() || !(0.0..=1.0).contains(&q)).then_some(Annotation::InvalidQuantile { q })
    }

    /// The info `rate` and `increase` raise for a metric name that does not
    /// look like a counter's; `None` for names that do, and for no name.
    pub fn for_counter_name(metric_name: &str) -> Option<Annotation> {
        let looks_like_counter = ["_total", "_sum", "_count", "_bucket"]
            .iter()
            .any(|suffix| metric_name.ends_with(suffix));
        (!metric_name.is_empty() && !looks_like_counter).then(|| Annotation::PossibleNonCounter {
            metric_name: metric_name.to_string(),
        })
    }
}

impl fmt::Display for Annotation {
    /// Prometheus's text, without the position it appends.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let q = go_quote;
        match self {
            Annotation::InvalidQuantile { q: v } => write!(
                f,
                "PromQL warning: quantile value should be between 0 and 1, got {}",
                format_go_g(*v)
            ),
            Annotation::InvalidRatio { ratio, capped_to } => write!(
                f,
                "PromQL warning: ratio value should be between -1 and 1, got {}, capping to {}",
                format_go_g(*ratio),
                format_go_g(*capped_to)
            ),
            Annotation::BadBucketLabel { metric_name, le } => write!(
                f,
                "PromQL warning: bucket label \"le\" is missing or has a malformed value of {} for metric name {}",
                q(le),
                q(metric_name)
            ),
            Annotation::HistogramQuantileForcedMonotonicity { metric_name } => write!(
                f,
                "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name {}",
                q(metric_name)
            ),
            Annotation::PossibleNonCounter { metric_name } => write!(
                f,
                "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: {}",
                q(metric_name)
            ),
        }
    }
}

/// Go's `%q` of a string, as Prometheus quotes names in its messages.
fn go_quote(s: &str) -> String {
    crate::promql::lexer::go_quote(s)
}

/// The function a [`KernelError::InvalidRegex`] or a label-name error
/// comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LabelFunction {
    LabelReplace,
    LabelJoin,
}

impl LabelFunction {
    pub fn name(self) -> &'static str {
        match self {
            LabelFunction::LabelReplace => "label_replace",
            LabelFunction::LabelJoin => "label_join",
        }
    }
}

/// Why a kernel refuses its arguments; each displays as Prometheus's error.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelError {
    /// `label_replace`'s regex does not compile.
    InvalidRegex { regex: String },
    /// The destination label name is not a valid label name.
    InvalidDestinationLabel {
        function: LabelFunction,
        name: String,
    },
    /// A source label name of `label_join` is not a valid label name.
    InvalidSourceLabel { name: String },
    /// `double_exponential_smoothing`'s smoothing factor is not in `(0, 1)`.
    InvalidSmoothingFactor(f64),
    /// `double_exponential_smoothing`'s trend factor is not in `(0, 1)`.
    InvalidTrendFactor(f64),
    /// `topk`, `bottomk` or `limitk` with a `k` that does not fit an int64.
    ParameterOverflowsInt64(f64),
    /// `limit_ratio` with a NaN ratio.
    RatioIsNaN,
    /// A function that reads native histograms, which the lab does not
    /// store.
    NativeHistogramsUnsupported {
        function: histogram::NativeHistogramFunction,
    },
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KernelError::InvalidRegex { regex } => {
                write!(f, "invalid regular expression in label_replace(): {regex}")
            }
            KernelError::InvalidDestinationLabel { function, name } => write!(
                f,
                "invalid destination label name in {}(): {name}",
                function.name()
            ),
            KernelError::InvalidSourceLabel { name } => {
                write!(f, "invalid source label name in label_join(): {name}")
            }
            KernelError::InvalidSmoothingFactor(sf) => write!(
                f,
                "invalid smoothing factor. Expected: 0 < sf < 1, got: {}",
                float::format_go_f6(*sf)
            ),
            KernelError::InvalidTrendFactor(tf) => write!(
                f,
                "invalid trend factor. Expected: 0 < tf < 1, got: {}",
                float::format_go_f6(*tf)
            ),
            KernelError::ParameterOverflowsInt64(v) => {
                write!(f, "Scalar value {} overflows int64", format_go_g(*v))
            }
            KernelError::RatioIsNaN => f.write_str("Ratio value NaN is NaN"),
            KernelError::NativeHistogramsUnsupported { function } => {
                let name = function.name();
                write!(
                    f,
                    "{name}() reads native histograms, which the lab does not support; {}",
                    function.classic_hint()
                )
            }
        }
    }
}

impl std::error::Error for KernelError {}
