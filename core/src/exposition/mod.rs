//! The exposition formats: the Prometheus text format 0.0.4 and OpenMetrics
//! 1.0 text, parsed as Prometheus 3.5 parses a scrape and written for the
//! simulated exporters.
//!
//! A page is a sequence of lines: metadata (`# HELP`, `# TYPE`, and in
//! OpenMetrics `# UNIT`), comments (text format only) and samples
//! `name{label="value",...} value [timestamp]`, where OpenMetrics adds an
//! exemplar (`# {trace_id="..."} value [timestamp]`) and ends the page with
//! `# EOF`. Prometheus 3's quoted UTF-8 names are read in both
//! (`{"my.metric", "a.b"="x"} 1`).
//!
//! [`parse_with`] turns a page into [`Sample`]s, per-family [`Metadata`] and
//! [`Lint`]s, or fails with an [`ExpositionError`] whose span points at the
//! offending bytes. It fails exactly where Prometheus's own parsers fail a
//! scrape (checked against Prometheus 3.5); what Prometheus lets through but
//! the formats' specifications frown on (interleaved families, a histogram
//! without a `+Inf` bucket, a non-float `le`) is kept as a lint, not an
//! error. [`Format::from_content_type`] picks the parser as a scraper does.
//! [`write`] and [`write_openmetrics`] print [`MetricFamily`]s back.
//!
//! ```
//! use promlab_core::exposition::{self, Format};
//! let page = exposition::parse("# TYPE hits counter\nhits{path=\"/\"} 3\n").unwrap();
//! assert_eq!(page.samples[0].labels.to_string(), "hits{path=\"/\"}");
//! assert_eq!(page.samples[0].value, 3.0);
//!
//! let om = "# TYPE hits counter\nhits_total 3 1700000000.5 # {trace_id=\"ab\"} 1\n# EOF\n";
//! let page = exposition::parse_with(om, Format::OpenMetrics1).unwrap();
//! assert_eq!(page.samples[0].timestamp, Some(1_700_000_000_500));
//! assert_eq!(page.samples[0].exemplar.as_ref().unwrap().labels.get("trace_id"), "ab");
//! ```

pub mod lint;
mod number;
mod parse;
mod write;

pub use number::{format_float, format_openmetrics_float, parse_float};
pub use write::{write, write_openmetrics};

use crate::clock::Timestamp;
use crate::diagnostic::{Diagnostic, Span};
use crate::labels::Labels;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The content type a scraper asks for and a simulated exporter answers with
/// (the text format).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The content type of an OpenMetrics 1.0 page.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The `Accept` header Prometheus 3.5 sends with a scrape under its default
/// `scrape_protocols`: OpenMetrics preferred, the text format accepted.
pub const ACCEPT: &str = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,\
application/openmetrics-text;version=0.0.1;q=0.5,\
text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,\
text/plain;version=0.0.4;q=0.3,*/*;q=0.2";

/// The two text exposition formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    /// The Prometheus text format, version 0.0.4.
    Text004,
    /// OpenMetrics 1.0 text.
    OpenMetrics1,
}

impl Format {
    /// The parser a scraper uses for a response with this `Content-Type`:
    /// OpenMetrics for `application/openmetrics-text`, the text format for
    /// anything else (Prometheus's fallback protocol), including no header.
    pub fn from_content_type(content_type: &str) -> Format {
        let media_type = content_type.split(';').next().unwrap_or("").trim();
        if media_type.eq_ignore_ascii_case("application/openmetrics-text") {
            Format::OpenMetrics1
        } else {
            Format::Text004
        }
    }

    /// The `Content-Type` an exporter answers with in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Text004 => CONTENT_TYPE,
            Format::OpenMetrics1 => OPENMETRICS_CONTENT_TYPE,
        }
    }

    /// The `Accept` header a scraper sends: both formats, OpenMetrics first.
    pub fn accept_header() -> &'static str {
        ACCEPT
    }
}

/// The type a `# TYPE` line declares. The text format knows the first five;
/// OpenMetrics has all but `untyped`, which it calls `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    Summary,
    /// The text format's name for a family of no particular type.
    Untyped,
    /// OpenMetrics: a histogram of a current distribution (`_gcount`,
    /// `_gsum`), which may go down.
    GaugeHistogram,
    /// OpenMetrics: constant labels about the target (`name_info 1`).
    Info,
    /// OpenMetrics: a set of boolean states, one label per state.
    StateSet,
    /// OpenMetrics's name for a family of no particular type.
    Unknown,
}

impl MetricType {
    /// A type of the text format (`counter`, `gauge`, `histogram`,
    /// `summary`, `untyped`).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "summary" => MetricType::Summary,
            "untyped" => MetricType::Untyped,
            _ => return None,
        })
    }

    /// A type of OpenMetrics.
    pub fn from_openmetrics_name(name: &str) -> Option<Self> {
        Some(match name {
            "counter" => MetricType::Counter,
            "gauge" => MetricType::Gauge,
            "histogram" => MetricType::Histogram,
            "gaugehistogram" => MetricType::GaugeHistogram,
            "summary" => MetricType::Summary,
            "info" => MetricType::Info,
            "stateset" => MetricType::StateSet,
            "unknown" => MetricType::Unknown,
            _ => return None,
        })
    }

    /// The type's own name.
    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Untyped => "untyped",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        }
    }

    /// The name to write in a text-format `# TYPE` line. The OpenMetrics-only
    /// types map as the Python client maps them: a gauge histogram is
    /// written as a histogram, info and stateset as gauges.
    pub fn text_name(self) -> &'static str {
        match self {
            MetricType::Unknown | MetricType::Untyped => "untyped",
            MetricType::GaugeHistogram => "histogram",
            MetricType::Info | MetricType::StateSet => "gauge",
            other => other.as_str(),
        }
    }

    /// The name to write in an OpenMetrics `# TYPE` line.
    pub fn openmetrics_name(self) -> &'static str {
        match self {
            MetricType::Untyped => "unknown",
            other => other.as_str(),
        }
    }

    /// The suffixes a sample name may add to its family's name.
    fn sample_suffixes(self) -> &'static [&'static str] {
        match self {
            MetricType::Counter => &["_total", "_created"],
            MetricType::Histogram => &["_bucket", "_sum", "_count", "_created"],
            MetricType::GaugeHistogram => &["_bucket", "_gcount", "_gsum"],
            MetricType::Summary => &["_sum", "_count", "_created"],
            MetricType::Info => &["_info"],
            MetricType::Gauge
            | MetricType::StateSet
            | MetricType::Untyped
            | MetricType::Unknown => &[],
        }
    }
}

/// One parsed sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric name as `__name__` and the line's labels.
    pub labels: Labels,
    pub value: f64,
    /// The optional explicit timestamp, in milliseconds (OpenMetrics writes
    /// seconds; they are converted).
    pub timestamp: Option<Timestamp>,
    /// The OpenMetrics exemplar after the value, if any.
    pub exemplar: Option<Exemplar>,
    /// Where the line is in the page.
    pub span: Span,
}

/// HELP, TYPE and UNIT of one metric family, as declared by the page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    pub name: String,
    pub help: Option<String>,
    pub metric_type: Option<MetricType>,
    /// The OpenMetrics unit (`seconds`), when a `# UNIT` line gave one.
    pub unit: Option<String>,
}

/// A parsed page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub samples: Vec<Sample>,
    /// One entry per family with metadata, in order of first appearance.
    pub metadata: Vec<Metadata>,
    /// What the format's specification forbids but Prometheus accepts.
    pub lints: Vec<Lint>,
}

/// Something Prometheus accepts but a careful exporter would not write.
#[derive(Debug, Clone, PartialEq)]
pub struct Lint {
    pub kind: LintKind,
    pub span: Span,
}

/// The kinds of [`Lint`].
#[derive(Debug, Clone, PartialEq)]
pub enum LintKind {
    /// A second `# HELP`, `# TYPE` or `# UNIT` line for a family; the last
    /// one wins, as in Prometheus's metadata.
    DuplicateMetadata { what: &'static str, name: String },
    /// Metadata for a family after samples of that family.
    MetadataAfterSamples { name: String },
    /// Samples of a family after another family's lines began.
    InterleavedFamily { name: String },
    /// A histogram family whose buckets have no `le="+Inf"`.
    MissingInfBucket { name: String },
    /// An `le` or `quantile` label whose value is not a float.
    NotAFloat { label: &'static str, value: String },
    /// An OpenMetrics counter sample without the `_total` suffix.
    CounterWithoutTotal { name: String },
    /// An exemplar on a sample other than a counter's `_total` or a
    /// histogram's `_bucket`.
    ExemplarNotAllowed { name: String },
    /// Exemplar labels longer than the 128 characters Prometheus keeps.
    ExemplarTooLong { chars: usize },
}

impl fmt::Display for LintKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LintKind::DuplicateMetadata { what, name } => {
                write!(f, "second {what} line for metric family {name:?}")
            }
            LintKind::MetadataAfterSamples { name } => {
                write!(f, "metadata for {name:?} after its samples")
            }
            LintKind::InterleavedFamily { name } => write!(
                f,
                "samples of {name:?} after another family: a family's lines should be together"
            ),
            LintKind::MissingInfBucket { name } => {
                write!(f, "histogram {name:?} has no bucket with le=\"+Inf\"")
            }
            LintKind::NotAFloat { label, value } => {
                write!(f, "{label}={value:?} is not a float")
            }
            LintKind::CounterWithoutTotal { name } => {
                write!(f, "counter sample {name:?} should end in _total")
            }
            LintKind::ExemplarNotAllowed { name } => write!(
                f,
                "exemplar on {name:?}: exemplars belong on counter _total and histogram _bucket samples"
            ),
            LintKind::ExemplarTooLong { chars } => write!(
                f,
                "exemplar labels are {chars} characters long: Prometheus drops exemplars over 128"
            ),
        }
    }
}

impl Lint {
    /// The common diagnostic form, as a warning.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::warning(self.span, self.kind.to_string())
    }
}

/// What went wrong, for tests to assert on.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// Something else stood where the grammar expected `expected`.
    Unexpected {
        expected: &'static str,
        found: String,
    },
    /// A sample or exemplar value that is not a float.
    InvalidValue(String),
    /// A timestamp that is not an unsigned integer of milliseconds (text) or
    /// a finite float of seconds (OpenMetrics).
    InvalidTimestamp(String),
    /// A backslash before a line break in a quoted string (any other escape
    /// is kept as written, as Prometheus keeps it).
    InvalidEscape(char),
    /// The same label twice on one line (including `__name__`).
    DuplicateLabel(String),
    /// A text-format `# TYPE` with a type that does not exist.
    UnknownType(String),
    /// An OpenMetrics `# TYPE` with a type that does not exist.
    UnknownOpenMetricsType(String),
    /// A sample without a metric name (`{a="1"} 1`, `{""} 1`).
    MissingMetricName,
    /// A name before the braces and a quoted name inside them.
    MetricNameTwice,
    /// A quoted label name that is empty.
    EmptyLabelName,
    /// An OpenMetrics `# UNIT` that is not the end of the family's name.
    UnitNotSuffix { unit: String, name: String },
    /// An OpenMetrics page that does not end with `# EOF`.
    MissingEof,
    /// Anything after an OpenMetrics `# EOF`.
    DataAfterEof,
}

/// A page that does not parse: the kind and where.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpositionError {
    pub kind: ErrorKind,
    pub span: Span,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Unexpected { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            ErrorKind::InvalidValue(v) => write!(
                f,
                "invalid sample value {v:?}: expected a float, NaN, +Inf or -Inf"
            ),
            ErrorKind::InvalidTimestamp(v) => {
                write!(
                    f,
                    "invalid timestamp {v:?}: expected an integer number of milliseconds (text format) or finite seconds (OpenMetrics)"
                )
            }
            ErrorKind::InvalidEscape('\n') => f.write_str(
                "a backslash before a line break: expected an escaped character inside the quotes",
            ),
            ErrorKind::InvalidEscape(c) => {
                write!(f, "invalid escape \\{c} in a quoted string")
            }
            ErrorKind::DuplicateLabel(n) => write!(f, "label {n:?} appears twice on this line"),
            ErrorKind::UnknownType(t) => write!(
                f,
                "unknown metric type {t:?}: expected counter, gauge, histogram, summary or untyped"
            ),
            ErrorKind::UnknownOpenMetricsType(t) => write!(
                f,
                "unknown metric type {t:?}: expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown"
            ),
            ErrorKind::MissingMetricName => f.write_str(
                "missing metric name: expected a name before '{' or a quoted name inside it",
            ),
            ErrorKind::MetricNameTwice => f.write_str(
                "metric name given twice: expected either a name before '{' or a quoted name inside it",
            ),
            ErrorKind::EmptyLabelName => f.write_str("empty label name: expected a non-empty name"),
            ErrorKind::UnitNotSuffix { unit, name } => write!(
                f,
                "unit {unit:?} is not a suffix of metric {name:?}: expected the name to end in _{unit}"
            ),
            ErrorKind::MissingEof => {
                f.write_str("data does not end with # EOF: expected '# EOF' as the last line")
            }
            ErrorKind::DataAfterEof => {
                f.write_str("unexpected data after # EOF: expected the end of the page")
            }
        }
    }
}

impl ExpositionError {
    /// The common diagnostic form, with the span kept.
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.kind.to_string())
    }

    /// `line:col: message` with the line and a caret, for logs and the CLI.
    pub fn render(&self, page: &str) -> String {
        self.to_diagnostic().render(page)
    }
}

impl fmt::Display for ExpositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.kind.fmt(f)
    }
}

impl std::error::Error for ExpositionError {}

/// Parses a text-format (0.0.4) page.
pub fn parse(page: &str) -> Result<Page, ExpositionError> {
    parse_with(page, Format::Text004)
}

/// Parses a page in the given format.
pub fn parse_with(page: &str, format: Format) -> Result<Page, ExpositionError> {
    parse::parse_page(page, format)
}

/// An exemplar attached to a sample (OpenMetrics): a trace's labels, the
/// observed value and, optionally, when it was observed (seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub labels: Labels,
    pub value: f64,
    pub timestamp: Option<f64>,
}

/// One sample of a family to write: its full name (with any `_bucket`,
/// `_sum`, `_count`, `_total`, `_created` suffix) in `__name__`, its labels
/// and value, and optionally a timestamp and an exemplar.
#[derive(Debug, Clone, PartialEq)]
pub struct FamilySample {
    pub labels: Labels,
    pub value: f64,
    pub timestamp: Option<Timestamp>,
    pub exemplar: Option<Exemplar>,
}

impl FamilySample {
    /// A sample without timestamp or exemplar.
    pub fn new(labels: Labels, value: f64) -> Self {
        FamilySample {
            labels,
            value,
            timestamp: None,
            exemplar: None,
        }
    }
}

/// One family to write: its metadata and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricFamily {
    pub name: String,
    pub help: String,
    /// The OpenMetrics unit (`seconds`, `bytes`), empty for none.
    pub unit: String,
    pub metric_type: MetricType,
    pub samples: Vec<FamilySample>,
}

#[cfg(test)]
mod tests;
