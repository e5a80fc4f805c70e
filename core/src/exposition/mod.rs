//! The Prometheus text exposition format (version 0.0.4): parsing what an
//! exporter serves and writing what the simulated exporters serve.
//!
//! A page is a sequence of lines: `# HELP name text`, `# TYPE name type`,
//! other `#` comments, and samples `name{label="value",...} value [timestamp]`.
//! [`parse`] turns a page into [`Sample`]s plus per-family metadata, or fails
//! with an [`ExpositionError`] whose span points at the offending byte; as in
//! Prometheus, a page that does not parse fails the whole scrape. [`write`]
//! prints [`MetricFamily`]s back in the same format.
//!
//! ```
//! use promlab_core::exposition;
//! let page = exposition::parse("# TYPE hits counter\nhits{path=\"/\"} 3\n").unwrap();
//! assert_eq!(page.samples[0].labels.to_string(), "hits{path=\"/\"}");
//! assert_eq!(page.samples[0].value, 3.0);
//! ```

use crate::clock::Timestamp;
use crate::diagnostic::{Diagnostic, Span};
use crate::labels::{escape_label_value, Labels, METRIC_NAME};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The content type a scraper asks for and a simulated exporter answers with.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The type a `# TYPE` line declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    Summary,
    Untyped,
}

impl MetricType {
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

    pub fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::Summary => "summary",
            MetricType::Untyped => "untyped",
        }
    }
}

/// One parsed sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The metric name as `__name__` and the line's labels.
    pub labels: Labels,
    pub value: f64,
    /// The optional explicit timestamp, in milliseconds.
    pub timestamp: Option<Timestamp>,
    /// Where the line is in the page.
    pub span: Span,
}

/// HELP and TYPE of one metric family, as declared by the page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Metadata {
    pub name: String,
    pub help: Option<String>,
    pub metric_type: Option<MetricType>,
}

/// A parsed page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Page {
    pub samples: Vec<Sample>,
    pub metadata: Vec<Metadata>,
}

/// What went wrong, for tests to assert on.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    /// Something else stood where the grammar expected `expected`.
    Unexpected {
        expected: &'static str,
        found: String,
    },
    /// A sample value that is not a float.
    InvalidValue(String),
    /// A timestamp that is not a 64-bit integer of milliseconds.
    InvalidTimestamp(String),
    /// A label value escape other than `\\`, `\"` and `\n`.
    InvalidEscape(char),
    /// The same label twice on one line.
    DuplicateLabel(String),
    /// A `# TYPE` with a type that does not exist.
    UnknownType(String),
    /// A second `# TYPE` or `# HELP` for a family, or one after its samples.
    DuplicateMetadata { what: &'static str, name: String },
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
                    "invalid timestamp {v:?}: expected an integer number of milliseconds"
                )
            }
            ErrorKind::InvalidEscape(c) => {
                write!(
                    f,
                    "invalid escape \\{c} in label value: expected \\\\, \\\" or \\n"
                )
            }
            ErrorKind::DuplicateLabel(n) => write!(f, "label {n:?} appears twice on this line"),
            ErrorKind::UnknownType(t) => write!(
                f,
                "unknown metric type {t:?}: expected counter, gauge, histogram, summary or untyped"
            ),
            ErrorKind::DuplicateMetadata { what, name } => {
                write!(f, "second {what} line for metric family {name:?}")
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

/// Parses a text-format page.
pub fn parse(page: &str) -> Result<Page, ExpositionError> {
    let mut out = Page::default();
    let mut offset = 0;
    for line in page.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut cur = Cursor {
            text: line,
            pos: 0,
            base: start,
        };
        cur.skip_blank();
        if cur.at_end() {
            continue;
        }
        if cur.peek() == Some('#') {
            parse_comment(&mut cur, &mut out)?;
        } else {
            let sample = parse_sample(&mut cur)?;
            out.samples.push(sample);
        }
    }
    Ok(out)
}

/// A position in one line; spans are reported relative to the whole page.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    base: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_blank(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    fn span_from(&self, start: usize) -> Span {
        Span::new(self.base + start, self.base + self.pos)
    }

    fn here(&self) -> Span {
        let len = self.peek().map_or(0, char::len_utf8);
        Span::new(self.base + self.pos, self.base + self.pos + len)
    }

    fn unexpected(&self, expected: &'static str) -> ExpositionError {
        let found = match self.peek() {
            Some(c) => format!("{c:?}"),
            None => "end of line".to_string(),
        };
        ExpositionError {
            kind: ErrorKind::Unexpected { expected, found },
            span: self.here(),
        }
    }

    /// A metric or label name: `[a-zA-Z_:][a-zA-Z0-9_:]*` (colons only in
    /// metric names).
    fn name(&mut self, colons: bool, expected: &'static str) -> Result<&str, ExpositionError> {
        let start = self.pos;
        let first = |c: char| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':');
        match self.peek() {
            Some(c) if first(c) => {}
            _ => return Err(self.unexpected(expected)),
        }
        while matches!(self.peek(), Some(c) if first(c) || c.is_ascii_digit()) {
            self.pos += 1;
        }
        Ok(&self.text[start..self.pos])
    }

    /// The rest of the line's non-blank token.
    fn token(&mut self) -> (&str, Span) {
        let start = self.pos;
        while matches!(self.peek(), Some(c) if c != ' ' && c != '\t') {
            self.bump();
        }
        (&self.text[start..self.pos], self.span_from(start))
    }
}

fn parse_comment(cur: &mut Cursor, out: &mut Page) -> Result<(), ExpositionError> {
    cur.bump(); // '#'
    cur.skip_blank();
    let (keyword, _) = cur.token();
    let is_help = keyword == "HELP";
    if !is_help && keyword != "TYPE" {
        return Ok(()); // an ordinary comment
    }
    cur.skip_blank();
    let name_start = cur.pos;
    let name = cur.name(true, "a metric name")?.to_string();
    let name_span = cur.span_from(name_start);
    let rest = cur.text[cur.pos..].trim_start_matches([' ', '\t']);
    let family = match out.metadata.iter().position(|m| m.name == name) {
        Some(i) => i,
        None => {
            out.metadata.push(Metadata {
                name: name.clone(),
                ..Default::default()
            });
            out.metadata.len() - 1
        }
    };
    let meta = &mut out.metadata[family];
    if is_help {
        if meta.help.is_some() {
            return Err(ExpositionError {
                kind: ErrorKind::DuplicateMetadata { what: "HELP", name },
                span: name_span,
            });
        }
        meta.help = Some(unescape_help(rest));
    } else {
        if meta.metric_type.is_some() {
            return Err(ExpositionError {
                kind: ErrorKind::DuplicateMetadata { what: "TYPE", name },
                span: name_span,
            });
        }
        cur.skip_blank();
        let (word, span) = cur.token();
        let metric_type = MetricType::from_name(word).ok_or_else(|| ExpositionError {
            kind: if word.is_empty() {
                ErrorKind::Unexpected {
                    expected: "a metric type",
                    found: "end of line".into(),
                }
            } else {
                ErrorKind::UnknownType(word.to_string())
            },
            span,
        })?;
        if out
            .samples
            .iter()
            .any(|s| family_of(s.labels.metric_name(), metric_type) == name)
        {
            return Err(ExpositionError {
                kind: ErrorKind::DuplicateMetadata { what: "TYPE", name },
                span: name_span,
            });
        }
        meta.metric_type = Some(metric_type);
        cur.skip_blank();
        if !cur.at_end() {
            return Err(cur.unexpected("end of line after the metric type"));
        }
    }
    Ok(())
}

/// The family a sample name belongs to, given the family's type: histogram
/// and summary samples carry suffixes.
fn family_of(sample_name: &str, t: MetricType) -> &str {
    let suffixes: &[&str] = match t {
        MetricType::Histogram => &["_bucket", "_sum", "_count"],
        MetricType::Summary => &["_sum", "_count"],
        _ => &[],
    };
    suffixes
        .iter()
        .find_map(|s| sample_name.strip_suffix(s))
        .unwrap_or(sample_name)
}

fn unescape_help(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('\\') => out.push('\\'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_sample(cur: &mut Cursor) -> Result<Sample, ExpositionError> {
    let line_start = cur.pos;
    let name = cur.name(true, "a metric name or '#'")?.to_string();
    let mut labels = Labels::new();
    labels.set(METRIC_NAME, name);
    cur.skip_blank();
    if cur.peek() == Some('{') {
        cur.bump();
        parse_label_set(cur, &mut labels)?;
    }
    cur.skip_blank();
    let (value_text, value_span) = cur.token();
    if value_text.is_empty() {
        return Err(cur.unexpected("a sample value"));
    }
    let value = parse_float(value_text).ok_or_else(|| ExpositionError {
        kind: ErrorKind::InvalidValue(value_text.to_string()),
        span: value_span,
    })?;
    cur.skip_blank();
    let mut timestamp = None;
    if !cur.at_end() {
        let (ts_text, ts_span) = cur.token();
        timestamp = Some(ts_text.parse::<i64>().map_err(|_| ExpositionError {
            kind: ErrorKind::InvalidTimestamp(ts_text.to_string()),
            span: ts_span,
        })?);
        cur.skip_blank();
        if !cur.at_end() {
            return Err(cur.unexpected("end of line after the timestamp"));
        }
    }
    Ok(Sample {
        labels,
        value,
        timestamp,
        span: cur.span_from(line_start),
    })
}

fn parse_label_set(cur: &mut Cursor, labels: &mut Labels) -> Result<(), ExpositionError> {
    let mut seen: Vec<String> = Vec::new();
    loop {
        cur.skip_blank();
        if cur.peek() == Some('}') {
            cur.bump();
            return Ok(());
        }
        let name_start = cur.pos;
        let name = cur.name(false, "a label name or '}'")?.to_string();
        let name_span = cur.span_from(name_start);
        cur.skip_blank();
        if cur.peek() != Some('=') {
            return Err(cur.unexpected("'=' after the label name"));
        }
        cur.bump();
        cur.skip_blank();
        if cur.peek() != Some('"') {
            return Err(cur.unexpected("'\"' to open the label value"));
        }
        cur.bump();
        let value = parse_label_value(cur)?;
        if seen.contains(&name) || name == METRIC_NAME {
            return Err(ExpositionError {
                kind: ErrorKind::DuplicateLabel(name),
                span: name_span,
            });
        }
        labels.set(name.clone(), value);
        seen.push(name);
        cur.skip_blank();
        match cur.peek() {
            Some(',') => {
                cur.bump();
            }
            Some('}') => {
                cur.bump();
                return Ok(());
            }
            _ => return Err(cur.unexpected("',' or '}' after the label value")),
        }
    }
}

fn parse_label_value(cur: &mut Cursor) -> Result<String, ExpositionError> {
    let mut value = String::new();
    loop {
        match cur.bump() {
            None => return Err(cur.unexpected("'\"' to close the label value")),
            Some('"') => return Ok(value),
            Some('\\') => {
                let esc_start = cur.pos - 1;
                match cur.bump() {
                    Some('\\') => value.push('\\'),
                    Some('"') => value.push('"'),
                    Some('n') => value.push('\n'),
                    Some(c) => {
                        return Err(ExpositionError {
                            kind: ErrorKind::InvalidEscape(c),
                            span: cur.span_from(esc_start),
                        })
                    }
                    None => return Err(cur.unexpected("an escaped character after '\\'")),
                }
            }
            Some(c) => value.push(c),
        }
    }
}

/// A float as Go's `strconv.ParseFloat` reads it for the text format:
/// decimal and exponent forms, `NaN`, and `Inf` with an optional sign, in any
/// case.
pub fn parse_float(s: &str) -> Option<f64> {
    // Rust accepts "inf", "infinity" and "nan" in any case with a sign, as Go
    // does; it rejects Go's hex floats and underscores, which exporters do
    // not write.
    s.parse::<f64>().ok()
}

/// Formats a value as the text format and the Prometheus API print it:
/// shortest round-trip decimal, `NaN`, `+Inf`, `-Inf`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        // `{}` on f64 prints the shortest representation that reads back
        // to the same value, without an exponent, like Go's 'f', -1.
        format!("{v}")
    }
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

/// Writes families in the text format, HELP and TYPE first.
pub fn write(families: &[MetricFamily]) -> String {
    let mut out = String::new();
    for family in families {
        out.push_str("# HELP ");
        out.push_str(&family.name);
        out.push(' ');
        out.push_str(&family.help.replace('\\', "\\\\").replace('\n', "\\n"));
        out.push_str("\n# TYPE ");
        out.push_str(&family.name);
        out.push(' ');
        out.push_str(family.metric_type.as_str());
        out.push('\n');
        for sample in &family.samples {
            let labels = &sample.labels;
            out.push_str(labels.metric_name());
            let rest: Vec<_> = labels.iter().filter(|l| l.name != METRIC_NAME).collect();
            if !rest.is_empty() {
                out.push('{');
                for (i, l) in rest.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&l.name);
                    out.push_str("=\"");
                    out.push_str(&escape_label_value(&l.value));
                    out.push('"');
                }
                out.push('}');
            }
            out.push(' ');
            out.push_str(&format_float(sample.value));
            if let Some(t) = sample.timestamp {
                out.push(' ');
                out.push_str(&t.to_string());
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests;
