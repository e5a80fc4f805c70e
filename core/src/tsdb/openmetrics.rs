//! Moving series in and out of the lab as OpenMetrics text with
//! timestamps: the form `promtool tsdb create-blocks-from openmetrics`
//! turns into Prometheus blocks.
//!
//! [`export_openmetrics`] writes each metric family once — `# HELP`,
//! `# TYPE` and `# UNIT` from the metadata, the family named as OpenMetrics
//! names it (a counter without its `_total`) — then every sample of each of
//! its series, one line each, with the timestamp in seconds, and `# EOF`.
//! Stale markers are not written: they mark the end of a series, they are
//! not samples.
//!
//! [`Head::import_openmetrics`] reads that form back. Its reader,
//! [`read_openmetrics`], is deliberately minimal (no exemplars, no
//! `_created` handling, no checks of a histogram's buckets) and is the one
//! function to swap for a full OpenMetrics parser.
//!
//! ```
//! use promlab_core::labels::Labels;
//! use promlab_core::tsdb::{export_openmetrics, Head};
//! let mut head = Head::new();
//! head.append(&Labels::from_pairs([("__name__", "up"), ("job", "node")]), 1_500, 1.0).unwrap();
//! let text = export_openmetrics(&head, &[], i64::MIN, i64::MAX);
//! assert_eq!(text, "up{job=\"node\"} 1 1.500\n# EOF\n");
//! let mut copy = Head::new();
//! copy.import_openmetrics(&text).unwrap();
//! assert_eq!(export_openmetrics(&copy, &[], i64::MIN, i64::MAX), text);
//! ```

use super::{is_stale_marker, Head, Metadata, Querier, RejectedSamples};
use crate::clock::Timestamp;
use crate::diagnostic::{Diagnostic, Span};
use crate::exposition::MetricType;
use crate::labels::{Labels, Matcher, METRIC_NAME};
use std::collections::BTreeMap;
use std::fmt::{self, Write};

/// The OpenMetrics text of every series matching `matchers`, with their
/// samples in `[mint, maxt]`.
pub fn export_openmetrics(
    querier: &dyn Querier,
    matchers: &[Matcher],
    mint: Timestamp,
    maxt: Timestamp,
) -> String {
    let metadata: BTreeMap<String, Metadata> = querier.metadata(None).into_iter().collect();
    let series = querier.select_series(matchers, mint, maxt);
    // Families in name order, each with its series in label order. A
    // series without a metric name has no family and cannot be written.
    let mut families: BTreeMap<String, (Header<'_>, Vec<usize>)> = BTreeMap::new();
    for (i, s) in series.iter().enumerate() {
        let name = s.labels.metric_name();
        if name.is_empty() {
            continue;
        }
        let (family, header) = family_of(name, &metadata);
        families
            .entry(family)
            .or_insert_with(|| (header, Vec::new()))
            .1
            .push(i);
    }
    let mut series: Vec<Option<_>> = series.into_iter().map(Some).collect();
    let mut out = String::new();
    let mut body = String::new();
    for (family, (header, members)) in &families {
        body.clear();
        for &i in members {
            let Some(s) = series.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let prefix = series_prefix(s.labels);
            for sample in s.samples {
                if is_stale_marker(sample.v) {
                    continue;
                }
                let _ = writeln!(
                    body,
                    "{prefix} {} {}",
                    format_value(sample.v),
                    format_timestamp(sample.t)
                );
            }
        }
        // A family whose samples in range are all stale markers is left
        // out, header and all.
        if !body.is_empty() {
            write_header(&mut out, family, header);
            out.push_str(&body);
        }
    }
    out.push_str("# EOF\n");
    out
}

/// How a family is introduced.
struct Header<'m> {
    /// The OpenMetrics type word, `None` to write no `# TYPE` line.
    type_word: Option<&'static str>,
    metadata: Option<&'m Metadata>,
}

/// The family a series named `name` belongs to, and its header. The
/// metadata may be keyed by the family's name (as OpenMetrics scrapes
/// record it) or by the sample's name (as the text format does for
/// counters ending in `_total`).
fn family_of<'m>(name: &str, metadata: &'m BTreeMap<String, Metadata>) -> (String, Header<'m>) {
    if let Some(md) = metadata.get(name) {
        let typed = |word| {
            (
                name.to_string(),
                Header {
                    type_word: Some(word),
                    metadata: Some(md),
                },
            )
        };
        return match md.metric_type {
            MetricType::Counter => match name.strip_suffix("_total") {
                Some(family) => (
                    family.to_string(),
                    Header {
                        type_word: Some("counter"),
                        metadata: Some(md),
                    },
                ),
                // OpenMetrics counters' samples end in `_total`; one that
                // does not can only be written untyped.
                None => typed("unknown"),
            },
            MetricType::Gauge => typed("gauge"),
            MetricType::Summary => typed("summary"),
            // A histogram's own name carries no samples in OpenMetrics;
            // the other types are written sample by sample, untyped.
            MetricType::Histogram
            | MetricType::Untyped
            | MetricType::Unknown
            | MetricType::GaugeHistogram
            | MetricType::Info
            | MetricType::StateSet => typed("unknown"),
        };
    }
    const SUFFIXES: &[(&str, &[MetricType])] = &[
        ("_total", &[MetricType::Counter]),
        ("_bucket", &[MetricType::Histogram]),
        ("_count", &[MetricType::Histogram, MetricType::Summary]),
        ("_sum", &[MetricType::Histogram, MetricType::Summary]),
        (
            "_created",
            &[
                MetricType::Counter,
                MetricType::Histogram,
                MetricType::Summary,
            ],
        ),
    ];
    for (suffix, types) in SUFFIXES {
        let Some(family) = name.strip_suffix(suffix) else {
            continue;
        };
        if let Some(md) = metadata.get(family) {
            if types.contains(&md.metric_type) {
                return (
                    family.to_string(),
                    Header {
                        type_word: Some(md.metric_type.as_str()),
                        metadata: Some(md),
                    },
                );
            }
        }
    }
    (
        name.to_string(),
        Header {
            type_word: None,
            metadata: None,
        },
    )
}

fn write_header(out: &mut String, family: &str, header: &Header<'_>) {
    let name = quoted_if_needed(family, is_legacy_metric_name);
    if let Some(md) = header.metadata {
        if !md.help.is_empty() {
            let _ = writeln!(out, "# HELP {name} {}", escape(&md.help));
        }
    }
    if let Some(word) = header.type_word {
        let _ = writeln!(out, "# TYPE {name} {word}");
    }
    if let Some(md) = header.metadata {
        // OpenMetrics requires the unit to end the family name; Prometheus
        // refuses the file otherwise, so a unit that does not is left out.
        let fits = family
            .strip_suffix(&md.unit)
            .is_some_and(|rest| rest.ends_with('_'));
        if !md.unit.is_empty() && fits {
            let _ = writeln!(out, "# UNIT {name} {}", md.unit);
        }
    }
}

/// `name{a="1",b="2"}`, or `{"na.me",a="1"}` when the name needs quotes.
fn series_prefix(labels: &Labels) -> String {
    let name = labels.metric_name();
    let rest: Vec<_> = labels.iter().filter(|l| l.name != METRIC_NAME).collect();
    let mut out = String::new();
    let quoted = !is_legacy_metric_name(name);
    if !quoted {
        out.push_str(name);
    }
    if quoted || !rest.is_empty() {
        out.push('{');
        if quoted {
            let _ = write!(out, "\"{}\"", escape(name));
        }
        for (i, l) in rest.iter().enumerate() {
            if i > 0 || quoted {
                out.push(',');
            }
            let _ = write!(
                out,
                "{}=\"{}\"",
                quoted_if_needed(&l.name, is_legacy_label_name),
                escape(&l.value)
            );
        }
        out.push('}');
    }
    out
}

fn quoted_if_needed(name: &str, legacy: fn(&str) -> bool) -> String {
    if legacy(name) {
        name.to_string()
    } else {
        format!("\"{}\"", escape(name))
    }
}

/// `[a-zA-Z_:][a-zA-Z0-9_:]*`
fn is_legacy_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// `[a-zA-Z_][a-zA-Z0-9_]*`
fn is_legacy_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Escapes `\`, `"` and newlines, as OpenMetrics wants them escaped in
/// label values, quoted names and help text alike.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// The shortest text that reads back as the same float: plain decimals for
/// everyday magnitudes, an exponent for the very large and very small.
fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else if v == 0.0 || (1e-4..1e15).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// Milliseconds as seconds with three decimals, exactly.
fn format_timestamp(t: Timestamp) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let abs = t.unsigned_abs();
    format!("{sign}{}.{:03}", abs / 1000, abs % 1000)
}

/// What an import added.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Samples appended (a sample identical to one stored is not counted).
    pub samples: usize,
    /// Series created.
    pub series: usize,
    /// Metric families whose metadata was set.
    pub families: usize,
    /// Samples the head refused, by reason.
    pub rejected: RejectedSamples,
}

/// What an OpenMetrics text held: metadata by family and samples in the
/// order read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OpenMetricsData {
    pub metadata: BTreeMap<String, Metadata>,
    pub samples: Vec<TimedSample>,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct TimedSample {
    pub labels: Labels,
    pub t: Timestamp,
    pub v: f64,
}

/// What is wrong in the text, for tests to assert on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportErrorKind {
    /// Something else was found where this was expected.
    Expected(&'static str),
    /// A `#` line other than HELP, TYPE, UNIT and EOF.
    UnknownComment,
    /// A `# TYPE` this reader does not handle.
    UnsupportedType(String),
    InvalidValue,
    InvalidTimestamp,
    /// A sample without a timestamp: the import needs to know when.
    MissingTimestamp,
    DuplicateLabel(String),
    InvalidEscape,
    /// The text does not end with `# EOF`.
    MissingEof,
    /// Lines after `# EOF`.
    TextAfterEof,
}

/// An import failure with the byte span it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub kind: ImportErrorKind,
    pub span: Span,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ImportErrorKind::Expected(what) => write!(f, "expected {what}"),
            ImportErrorKind::UnknownComment => {
                f.write_str("unknown comment: expected # HELP, # TYPE, # UNIT or # EOF")
            }
            ImportErrorKind::UnsupportedType(t) => write!(
                f,
                "unsupported metric type {t:?}: expected counter, gauge, histogram, summary or unknown"
            ),
            ImportErrorKind::InvalidValue => f.write_str("invalid sample value"),
            ImportErrorKind::InvalidTimestamp => f.write_str("invalid timestamp"),
            ImportErrorKind::MissingTimestamp => f.write_str("sample without a timestamp"),
            ImportErrorKind::DuplicateLabel(name) => write!(f, "label {name:?} appears twice"),
            ImportErrorKind::InvalidEscape => {
                f.write_str("invalid escape: expected \\\\, \\\" or \\n")
            }
            ImportErrorKind::MissingEof => f.write_str("the text does not end with # EOF"),
            ImportErrorKind::TextAfterEof => f.write_str("text after # EOF"),
        }
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    fn new(kind: ImportErrorKind, span: Span) -> Self {
        ImportError { kind, span }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.to_string())
    }

    /// The error with `line:col` and the line, for the command line.
    pub fn render(&self, text: &str) -> String {
        self.to_diagnostic().render(text)
    }
}

impl Head {
    /// Appends the samples of an OpenMetrics text with timestamps (as
    /// [`export_openmetrics`] writes it) and sets the metadata of its
    /// families. A text that does not read is refused whole; samples the
    /// head refuses (out of order, duplicate) are counted and skipped.
    pub fn import_openmetrics(&mut self, text: &str) -> Result<ImportSummary, ImportError> {
        let data = read_openmetrics(text)?;
        let mut summary = ImportSummary {
            families: data.metadata.len(),
            ..ImportSummary::default()
        };
        for (name, md) in data.metadata {
            self.set_metadata(name, md);
        }
        let series_before = self.num_series();
        let rejected_before = self.rejected;
        let appended_before = self.appended;
        for s in &data.samples {
            // Refusals are counted by the head, read back below.
            let _ = self.append(&s.labels, s.t, s.v);
        }
        // Appended, not merely accepted: a sample already stored is not new.
        summary.samples = usize::try_from(self.appended - appended_before).unwrap_or(usize::MAX);
        summary.series = self.num_series().saturating_sub(series_before);
        summary.rejected = RejectedSamples {
            out_of_order: self.rejected.out_of_order - rejected_before.out_of_order,
            duplicate: self.rejected.duplicate - rejected_before.duplicate,
            out_of_bounds: self.rejected.out_of_bounds - rejected_before.out_of_bounds,
        };
        Ok(summary)
    }
}

/// Reads OpenMetrics text with timestamps: `# HELP`, `# TYPE`, `# UNIT`,
/// sample lines `name{labels} value timestamp`, and a final `# EOF`.
pub fn read_openmetrics(text: &str) -> Result<OpenMetricsData, ImportError> {
    let mut data = OpenMetricsData::default();
    let mut offset = 0;
    let mut seen_eof = false;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.strip_suffix('\n').unwrap_or(line);
        if seen_eof {
            return Err(ImportError::new(
                ImportErrorKind::TextAfterEof,
                Span::new(start, start + body.len()),
            ));
        }
        let mut cur = Cursor {
            text: body,
            pos: 0,
            base: start,
        };
        if body.starts_with('#') {
            if body == "# EOF" {
                seen_eof = true;
                continue;
            }
            read_comment(&mut cur, &mut data.metadata)?;
        } else {
            data.samples.push(read_sample(&mut cur)?);
        }
    }
    if !seen_eof {
        return Err(ImportError::new(
            ImportErrorKind::MissingEof,
            Span::at(text.len()),
        ));
    }
    Ok(data)
}

/// A position in one line; spans are reported in the whole text.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    base: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn error(&self, kind: ImportErrorKind, from: usize) -> ImportError {
        ImportError::new(
            kind,
            Span::new(self.base + from, self.base + self.pos.max(from)),
        )
    }

    fn expected(&self, what: &'static str) -> ImportError {
        let len = self.peek().map_or(0, char::len_utf8);
        ImportError::new(
            ImportErrorKind::Expected(what),
            Span::new(self.base + self.pos, self.base + self.pos + len),
        )
    }

    fn expect(&mut self, c: char, what: &'static str) -> Result<(), ImportError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// A run of characters up to the next space (or the end).
    fn word(&mut self) -> (&'a str, usize) {
        let from = self.pos;
        let len = self.rest().find(' ').unwrap_or(self.rest().len());
        self.pos += len;
        (self.text.get(from..self.pos).unwrap_or(""), from)
    }

    /// A name: a legacy name, or a quoted string when `quoted` allows.
    fn name(
        &mut self,
        legacy: fn(&str) -> bool,
        what: &'static str,
    ) -> Result<String, ImportError> {
        if self.peek() == Some('"') {
            return self.string();
        }
        let from = self.pos;
        let len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(self.rest().len());
        let name = self.rest().get(..len).unwrap_or("");
        if name.is_empty() || !legacy(name) {
            self.pos = from;
            return Err(self.expected(what));
        }
        self.pos += len;
        Ok(name.to_string())
    }

    /// A double-quoted string with OpenMetrics escapes.
    fn string(&mut self) -> Result<String, ImportError> {
        self.expect('"', "'\"'")?;
        let mut out = String::new();
        loop {
            let from = self.pos;
            match self.peek() {
                None => return Err(self.expected("a closing '\"'")),
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some('\\') => out.push('\\'),
                        Some('"') => out.push('"'),
                        Some('n') => out.push('\n'),
                        _ => {
                            self.pos += self.peek().map_or(0, char::len_utf8);
                            return Err(self.error(ImportErrorKind::InvalidEscape, from));
                        }
                    }
                    self.pos += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
    }
}

fn read_comment(
    cur: &mut Cursor<'_>,
    metadata: &mut BTreeMap<String, Metadata>,
) -> Result<(), ImportError> {
    let keyword = ["# HELP ", "# TYPE ", "# UNIT "]
        .into_iter()
        .find(|k| cur.rest().starts_with(k));
    let Some(keyword) = keyword else {
        let end = cur.text.len();
        return Err(ImportError::new(
            ImportErrorKind::UnknownComment,
            Span::new(cur.base, cur.base + end),
        ));
    };
    cur.pos += keyword.len();
    let family = cur.name(is_legacy_metric_name, "a metric family name")?;
    cur.expect(' ', "a space after the family name")?;
    let md = metadata.entry(family).or_insert_with(|| Metadata {
        metric_type: MetricType::Untyped,
        help: String::new(),
        unit: String::new(),
    });
    let rest_from = cur.pos;
    let rest = cur.rest();
    cur.pos = cur.text.len();
    match keyword {
        "# HELP " => {
            md.help = unescape_help(rest).map_err(|at| {
                ImportError::new(
                    ImportErrorKind::InvalidEscape,
                    Span::new(cur.base + rest_from + at, cur.base + rest_from + at + 2),
                )
            })?;
        }
        "# TYPE " => {
            md.metric_type = match rest {
                "counter" => MetricType::Counter,
                "gauge" => MetricType::Gauge,
                "histogram" => MetricType::Histogram,
                "summary" => MetricType::Summary,
                "unknown" => MetricType::Untyped,
                other => {
                    return Err(cur.error(
                        ImportErrorKind::UnsupportedType(other.to_string()),
                        rest_from,
                    ))
                }
            };
        }
        _ => md.unit = rest.to_string(),
    }
    Ok(())
}

/// HELP text escapes; `Err` holds the byte offset of a bad escape.
fn unescape_help(s: &str) -> Result<String, usize> {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, '\\')) => out.push('\\'),
            Some((_, '"')) => out.push('"'),
            Some((_, 'n')) => out.push('\n'),
            _ => return Err(i),
        }
    }
    Ok(out)
}

fn read_sample(cur: &mut Cursor<'_>) -> Result<TimedSample, ImportError> {
    let mut labels = Labels::new();
    let mut seen = Vec::new();
    let mut name = None;
    if cur.peek() != Some('{') {
        name = Some(cur.name(is_legacy_metric_name, "a metric name or '{'")?);
    }
    if cur.eat('{') {
        let mut first = true;
        while !cur.eat('}') {
            if !first {
                cur.expect(',', "',' or '}'")?;
            }
            let from = cur.pos;
            // A quoted name without '=' is the metric name.
            let label = cur.name(is_legacy_label_name, "a label name")?;
            if first && name.is_none() && cur.peek() != Some('=') {
                name = Some(label);
                first = false;
                continue;
            }
            first = false;
            cur.expect('=', "'='")?;
            let value = cur.string()?;
            if seen.contains(&label) || label == METRIC_NAME {
                return Err(cur.error(ImportErrorKind::DuplicateLabel(label), from));
            }
            seen.push(label.clone());
            labels.set(label, value);
        }
    }
    let Some(name) = name else {
        return Err(cur.expected("a metric name"));
    };
    labels.set(METRIC_NAME, name);
    cur.expect(' ', "a space before the value")?;
    let (value, from) = cur.word();
    let v = parse_value(value).ok_or_else(|| cur.error(ImportErrorKind::InvalidValue, from))?;
    if !cur.eat(' ') {
        return Err(if cur.rest().is_empty() {
            cur.error(ImportErrorKind::MissingTimestamp, cur.pos)
        } else {
            cur.expected("a space before the timestamp")
        });
    }
    let (ts, from) = cur.word();
    let t =
        parse_timestamp(ts).ok_or_else(|| cur.error(ImportErrorKind::InvalidTimestamp, from))?;
    if !cur.rest().is_empty() {
        return Err(cur.expected("the end of the line (exemplars are not read)"));
    }
    Ok(TimedSample { labels, t, v })
}

fn parse_value(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ if s.contains(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E') => None,
        _ => s.parse().ok(),
    }
}

/// Seconds as milliseconds: exact for decimals, truncated toward zero past
/// the millisecond as Prometheus does; `None` out of range.
fn parse_timestamp(s: &str) -> Option<Timestamp> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !int.is_empty() && all_digits(int) && all_digits(frac) {
        let secs: i64 = int.parse().ok()?;
        let millis = frac
            .bytes()
            .chain(std::iter::repeat(b'0'))
            .take(3)
            .fold(0i64, |acc, b| acc * 10 + i64::from(b - b'0'));
        let t = secs.checked_mul(1000)?.checked_add(millis)?;
        return Some(if negative { -t } else { t });
    }
    // Exponent forms, as other writers may use them.
    let f: f64 = s.parse().ok()?;
    let ms = f * 1000.0;
    (ms.is_finite() && ms.abs() < 9.2e18).then_some(ms as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsdb::STALE_NAN;
    use expect_test::expect;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    fn md(metric_type: MetricType, help: &str, unit: &str) -> Metadata {
        Metadata {
            metric_type,
            help: help.into(),
            unit: unit.into(),
        }
    }

    fn sample_head() -> Head {
        let mut h = Head::new();
        h.set_metadata("http_requests", md(MetricType::Counter, "Requests.", ""));
        h.set_metadata(
            "node_cpu_seconds_total",
            md(MetricType::Counter, "CPU time.", "seconds"),
        );
        h.set_metadata(
            "ping_request_count",
            md(MetricType::Counter, "Pings \\ \"here\"\nok.", ""),
        );
        h.set_metadata("temp_celsius", md(MetricType::Gauge, "", "celsius"));
        h.set_metadata(
            "lat_seconds",
            md(MetricType::Histogram, "Latency.", "seconds"),
        );
        h.set_metadata("wrong_unit", md(MetricType::Gauge, "", "bytes"));
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [(Timestamp, f64)]);
        let series: &[Case] = &[
            (
                &[("__name__", "http_requests_total"), ("code", "200")],
                &[(1_000, 1.0), (16_000, 3.0)],
            ),
            (
                &[("__name__", "node_cpu_seconds_total"), ("cpu", "0")],
                &[(-1_500, 0.25), (2_005, 1e-7)],
            ),
            (
                &[("__name__", "ping_request_count")],
                &[(0, 4.0), (15_000, STALE_NAN)],
            ),
            (
                &[("__name__", "temp_celsius"), ("room", "a\"b\\c\nd")],
                &[(5, f64::NAN), (6, -0.0)],
            ),
            (
                &[("__name__", "lat_seconds_bucket"), ("le", "+Inf")],
                &[(7, 2.0)],
            ),
            (
                &[("__name__", "lat_seconds_bucket"), ("le", "0.5")],
                &[(7, 1.0)],
            ),
            (&[("__name__", "lat_seconds_sum")], &[(7, 0.75)]),
            (&[("__name__", "lat_seconds_count")], &[(7, 2.0)]),
            (&[("__name__", "wrong_unit")], &[(9, 1e300)]),
            (
                &[("__name__", "odd.name"), ("a.b", "x")],
                &[(10, f64::INFINITY)],
            ),
            (&[("__name__", "no_metadata")], &[(11, 12345.678)]),
            (&[("job", "nameless")], &[(12, 1.0)]),
        ];
        for (labels, samples) in series {
            for &(t, v) in *samples {
                h.append(&l(labels), t, v).unwrap();
            }
        }
        h
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn export_writes_families_with_metadata_and_timestamps() {
        let text = export_openmetrics(&sample_head(), &[], i64::MIN, i64::MAX);
        expect![[r##"
            # HELP http_requests Requests.
            # TYPE http_requests counter
            http_requests_total{code="200"} 1 1.000
            http_requests_total{code="200"} 3 16.000
            # HELP lat_seconds Latency.
            # TYPE lat_seconds histogram
            # UNIT lat_seconds seconds
            lat_seconds_bucket{le="+Inf"} 2 0.007
            lat_seconds_bucket{le="0.5"} 1 0.007
            lat_seconds_count 2 0.007
            lat_seconds_sum 0.75 0.007
            no_metadata 12345.678 0.011
            # HELP node_cpu_seconds CPU time.
            # TYPE node_cpu_seconds counter
            # UNIT node_cpu_seconds seconds
            node_cpu_seconds_total{cpu="0"} 0.25 -1.500
            node_cpu_seconds_total{cpu="0"} 1e-7 2.005
            {"odd.name","a.b"="x"} +Inf 0.010
            # HELP ping_request_count Pings \\ \"here\"\nok.
            # TYPE ping_request_count unknown
            ping_request_count 4 0.000
            # TYPE temp_celsius gauge
            # UNIT temp_celsius celsius
            temp_celsius{room="a\"b\\c\nd"} NaN 0.005
            temp_celsius{room="a\"b\\c\nd"} -0 0.006
            # TYPE wrong_unit gauge
            wrong_unit 1e300 0.009
            # EOF
        "##]]
        .assert_eq(&text);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn import_reads_back_what_export_wrote() {
        let original = sample_head();
        let text = export_openmetrics(&original, &[], i64::MIN, i64::MAX);
        let mut copy = Head::new();
        let summary = copy.import_openmetrics(&text).unwrap();
        // All but the stale marker and the series without a name.
        assert_eq!(summary.samples, 14);
        assert_eq!(summary.series, 11);
        assert_eq!(summary.rejected.total(), 0);
        assert_eq!(export_openmetrics(&copy, &[], i64::MIN, i64::MAX), text);
        // Values keep their bits (but NaN payloads and stale markers,
        // which are not written).
        let got = copy.select(
            &[Matcher::equal("__name__", "node_cpu_seconds_total")],
            i64::MIN,
            i64::MAX,
        );
        assert_eq!(got[0].samples[1].v.to_bits(), 1e-7f64.to_bits());
        assert_eq!(got[0].samples[0].t, -1_500);
        assert_eq!(
            copy.metadata("node_cpu_seconds").map(|m| m.unit.as_str()),
            Some("seconds")
        );
        // Importing twice: each series' last sample is the same sample
        // again, accepted; the earlier ones (3 series have two) are now out
        // of order.
        let again = copy.import_openmetrics(&text).unwrap();
        assert_eq!(
            again.rejected,
            RejectedSamples {
                out_of_order: 3,
                duplicate: 0,
                out_of_bounds: 0
            }
        );
        assert_eq!(again.samples, 0);
        assert_eq!(copy.num_samples(), 14);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn export_honours_matchers_and_range() {
        let h = sample_head();
        let text = export_openmetrics(
            &h,
            &[Matcher::equal("__name__", "http_requests_total")],
            10_000,
            20_000,
        );
        assert_eq!(
            text,
            "# HELP http_requests Requests.\n# TYPE http_requests counter\nhttp_requests_total{code=\"200\"} 3 16.000\n# EOF\n"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn import_errors_point_at_the_problem() {
        let cases: &[(&str, &str)] = &[
            ("up 1 1\n", "2:1: the text does not end with # EOF"),
            ("up 1 1\n# EOF\nup 2 2\n", "3:1: text after # EOF"),
            ("up 1\n# EOF\n", "1:5: sample without a timestamp"),
            ("up x 1\n# EOF\n", "1:4: invalid sample value"),
            ("up 1 1e\n# EOF\n", "1:6: invalid timestamp"),
            ("up 1 99999999999999999999\n# EOF\n", "1:6: invalid timestamp"),
            ("up{a=\"1\",a=\"2\"} 1 1\n# EOF\n", "1:10: label \"a\" appears twice"),
            ("up{a=\"\\x\"} 1 1\n# EOF\n", "1:7: invalid escape: expected \\\\, \\\" or \\n"),
            ("up{a=\"1\" 1 1\n# EOF\n", "1:9: expected ',' or '}'"),
            ("up{a=\"1} 1 1\n# EOF\n", "1:13: expected a closing '\"'"),
            ("up{1a=\"1\"} 1 1\n# EOF\n", "1:4: expected a label name"),
            ("# TYPE up gaugehistogram\n# EOF\n", "1:11: unsupported metric type \"gaugehistogram\": expected counter, gauge, histogram, summary or unknown"),
            ("# HELP up a\\tb\n# EOF\n", "1:12: invalid escape: expected \\\\, \\\" or \\n"),
            ("# hello\n# EOF\n", "1:1: unknown comment: expected # HELP, # TYPE, # UNIT or # EOF"),
            ("up 1 1 # {a=\"b\"} 1\n# EOF\n", "1:7: expected the end of the line (exemplars are not read)"),
            ("{job=\"x\"} 1 1\n# EOF\n", "1:10: expected a metric name"),
            ("é 1 1\n# EOF\n", "1:1: expected a metric name or '{'"),
        ];
        for (text, want) in cases {
            let err = read_openmetrics(text).unwrap_err();
            let rendered = err.render(text);
            let first = rendered.lines().next().unwrap_or("");
            assert_eq!(first, *want, "for {text:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn timestamps_and_values_parse_exactly() {
        assert_eq!(parse_timestamp("1700000000.015"), Some(1_700_000_000_015));
        assert_eq!(parse_timestamp("-1.5"), Some(-1_500));
        assert_eq!(parse_timestamp("2"), Some(2_000));
        assert_eq!(parse_timestamp("0.0019"), Some(1));
        assert_eq!(parse_timestamp("1.7e9"), Some(1_700_000_000_000));
        assert_eq!(parse_timestamp("NaN"), None);
        assert_eq!(parse_timestamp("1e300"), None);
        assert_eq!(parse_timestamp(""), None);
        assert_eq!(format_timestamp(i64::MIN), "-9223372036854775.808");
        assert_eq!(parse_timestamp(&format_timestamp(i64::MAX)), Some(i64::MAX));
        assert_eq!(parse_value("-Inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_value("inf"), None);
        for v in [
            0.1,
            1e15,
            1e-4,
            9.99e-5,
            123.0,
            -2.5e-300,
            f64::MAX,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(parse_value(&format_value(v)), Some(v), "{v}");
        }
    }
}
