//! One pass over a page's bytes for both formats. The grammar and what is
//! rejected follow Prometheus 3.5's `promlex.l`/`promparse.go` (text) and
//! `openmetricslex.l`/`openmetricsparse.go` (OpenMetrics), plus the checks
//! its scrape loop makes before appending (a metric name, no empty or
//! repeated label names). Where the two formats differ:
//!
//! | | text 0.0.4 | OpenMetrics 1.0 |
//! |---|---|---|
//! | blanks | any run of spaces and tabs between tokens | exactly one space, none inside braces |
//! | blank lines, `# comments` | allowed | rejected |
//! | label pairs | the comma is optional | `,` or `}` after each value |
//! | raw line break in a label value | allowed | rejected |
//! | timestamp | unsigned integer, milliseconds | float seconds |
//! | end | anywhere | `# EOF`, then nothing |
//!
//! Allocation: label names and values are borrowed from the page unless
//! they hold escapes; a sample allocates only its [`Labels`]. Family
//! bookkeeping for the lints touches a hash set only when the family
//! changes.

use super::number::{parse_float, parse_openmetrics_timestamp, parse_text_timestamp};
use super::{
    format_openmetrics_float, ErrorKind, Exemplar, ExpositionError, Format, Lint, LintKind,
    Metadata, MetricType, Page, Sample,
};
use crate::diagnostic::Span;
use crate::labels::{Labels, METRIC_NAME};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Exemplar label sets longer than this many characters are dropped by
/// Prometheus (`exemplar.ExemplarMaxLabelSetLength`).
const EXEMPLAR_MAX_CHARS: usize = 128;

type Result<T> = std::result::Result<T, ExpositionError>;

pub(super) fn parse_page(src: &str, format: Format) -> Result<Page> {
    let mut parser = Parser {
        src,
        b: src.as_bytes(),
        pos: 0,
        om: format == Format::OpenMetrics1,
        page: Page::default(),
        meta_index: HashMap::new(),
        family: Family::none(),
        sampled: HashSet::new(),
        pairs: Vec::new(),
        exemplar_pairs: Vec::new(),
    };
    parser.run()?;
    parser.close_family();
    Ok(parser.page)
}

/// A `# HELP`, `# TYPE` or `# UNIT` line.
#[derive(Clone, Copy, PartialEq)]
enum Keyword {
    Help,
    Type,
    Unit,
}

impl Keyword {
    fn as_str(self) -> &'static str {
        match self {
            Keyword::Help => "HELP",
            Keyword::Type => "TYPE",
            Keyword::Unit => "UNIT",
        }
    }
}

/// The family the last lines belong to, for the lints and for reading `le`
/// and `quantile` as Prometheus does.
struct Family<'a> {
    name: Cow<'a, str>,
    metric_type: Option<MetricType>,
    has_samples: bool,
    has_buckets: bool,
    has_inf_bucket: bool,
    last_bucket: Span,
}

impl Family<'_> {
    fn none() -> Self {
        Family {
            name: Cow::Borrowed(""),
            metric_type: None,
            has_samples: false,
            has_buckets: false,
            has_inf_bucket: false,
            last_bucket: Span::default(),
        }
    }
}

/// A label pair as read: name, value, and the name's span for errors.
type Pair<'a> = (Cow<'a, str>, Cow<'a, str>, Span);

struct Parser<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    om: bool,
    page: Page,
    /// Family name → index into `page.metadata`.
    meta_index: HashMap<Cow<'a, str>, usize>,
    family: Family<'a>,
    /// Families that have had samples, to notice a family coming back.
    sampled: HashSet<Cow<'a, str>>,
    /// Scratch buffers reused by every line.
    pairs: Vec<Pair<'a>>,
    exemplar_pairs: Vec<Pair<'a>>,
}

impl<'a> Parser<'a> {
    fn run(&mut self) -> Result<()> {
        // Prometheus's scrape loop takes an empty body as an empty scrape in
        // either format, before the OpenMetrics parser could miss its EOF.
        if self.om && self.b.is_empty() {
            return Ok(());
        }
        loop {
            if self.pos >= self.b.len() {
                return if self.om {
                    Err(self.error_at(Span::at(self.pos), ErrorKind::MissingEof))
                } else {
                    Ok(())
                };
            }
            if self.om {
                if self.line_openmetrics()? {
                    return Ok(());
                }
            } else {
                self.line_text()?;
            }
        }
    }

    // ---- lines ----------------------------------------------------------

    fn line_text(&mut self) -> Result<()> {
        self.skip_blanks();
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'#') => self.comment_text(),
            Some(_) => self.sample(),
        }
    }

    /// One OpenMetrics line; `true` after `# EOF`.
    fn line_openmetrics(&mut self) -> Result<bool> {
        if self.peek() == Some(b'#') {
            self.comment_openmetrics()
        } else {
            self.sample()?;
            Ok(false)
        }
    }

    /// A text-format `#` line: HELP, TYPE or a comment. As in Prometheus,
    /// the keyword needs a blank after `#` and after itself, or the line is
    /// an ordinary comment.
    fn comment_text(&mut self) -> Result<()> {
        self.pos += 1; // '#'
        if !matches!(self.peek(), Some(b' ' | b'\t')) {
            self.skip_line();
            return Ok(());
        }
        self.skip_blanks();
        let keyword = if self.rest().starts_with("HELP") {
            Keyword::Help
        } else if self.rest().starts_with("TYPE") {
            Keyword::Type
        } else {
            self.skip_line();
            return Ok(());
        };
        if !matches!(self.b.get(self.pos + 4), Some(b' ' | b'\t')) {
            self.skip_line();
            return Ok(());
        }
        self.pos += 4;
        self.skip_blanks();
        let (name, name_span) = self.metadata_name(keyword)?;
        // Prometheus takes the rest of the line after one separating
        // character (normally the blank) as the text.
        let line_end = self.line_end();
        let text_start = match self.slice(self.pos, line_end).chars().next() {
            Some(c) => self.pos + c.len_utf8(),
            None => line_end,
        };
        let text = self.slice(text_start, line_end);
        self.pos = line_end;
        self.eat(b'\n');
        self.metadata(
            keyword,
            name,
            name_span,
            text,
            Span::new(text_start, line_end),
        )
    }

    /// An OpenMetrics `#` line: `# HELP`, `# TYPE`, `# UNIT` or `# EOF`,
    /// each with single spaces; there are no other comments.
    fn comment_openmetrics(&mut self) -> Result<bool> {
        self.pos += 1;
        if !self.eat(b' ') {
            return Err(self.unexpected("' ' after '#' (OpenMetrics has no other comments)"));
        }
        if self.rest().starts_with("EOF") {
            self.pos += 3;
            self.eat(b'\n');
            if self.pos < self.b.len() {
                let end = self.line_end().max(self.pos + 1).min(self.b.len());
                let span = Span::new(self.pos, end);
                return Err(self.error_at(span, ErrorKind::DataAfterEof));
            }
            return Ok(true);
        }
        let keyword = if self.rest().starts_with("HELP ") {
            Keyword::Help
        } else if self.rest().starts_with("TYPE ") {
            Keyword::Type
        } else if self.rest().starts_with("UNIT ") {
            Keyword::Unit
        } else {
            return Err(self.unexpected("HELP, TYPE, UNIT or EOF after '# '"));
        };
        self.pos += 5;
        let (name, name_span) = self.metadata_name(keyword)?;
        if !self.eat(b' ') {
            return Err(self.unexpected(match keyword {
                Keyword::Help => "' ' and the help text after the metric name",
                Keyword::Type => "' ' and the type after the metric name",
                Keyword::Unit => "' ' and the unit after the metric name",
            }));
        }
        let text_start = self.pos;
        let Some(line_end) = self.find_newline() else {
            self.pos = self.b.len();
            return Err(self.unexpected("a line break after the metadata"));
        };
        let text = self.slice(text_start, line_end);
        self.pos = line_end + 1;
        self.metadata(
            keyword,
            name,
            name_span,
            text,
            Span::new(text_start, line_end),
        )?;
        Ok(false)
    }

    /// The metric name of a metadata line, plain or quoted.
    fn metadata_name(&mut self, keyword: Keyword) -> Result<(Cow<'a, str>, Span)> {
        match self.peek() {
            Some(b'"') => self.quoted(true, "'\"' to close the metric name"),
            Some(c) if is_metric_name_start(c) => Ok(self.plain_name(true)),
            _ => Err(self.unexpected(match keyword {
                Keyword::Help => "a metric name after HELP",
                Keyword::Type => "a metric name after TYPE",
                Keyword::Unit => "a metric name after UNIT",
            })),
        }
    }

    fn metadata(
        &mut self,
        keyword: Keyword,
        name: Cow<'a, str>,
        name_span: Span,
        text: &'a str,
        text_span: Span,
    ) -> Result<()> {
        let mut metric_type = None;
        match keyword {
            Keyword::Type => {
                let parsed = if self.om {
                    MetricType::from_openmetrics_name(text)
                } else {
                    MetricType::from_name(text)
                };
                metric_type = Some(parsed.ok_or_else(|| {
                    let kind = if text.is_empty() {
                        ErrorKind::Unexpected {
                            expected: "a metric type",
                            found: "end of line".into(),
                        }
                    } else if self.om {
                        ErrorKind::UnknownOpenMetricsType(text.to_string())
                    } else {
                        ErrorKind::UnknownType(text.to_string())
                    };
                    self.error_at(text_span, kind)
                })?);
            }
            Keyword::Unit => {
                let suffix_ok = name
                    .strip_suffix(text)
                    .is_some_and(|rest| rest.ends_with('_'));
                if !text.is_empty() && !suffix_ok {
                    return Err(self.error_at(
                        text_span,
                        ErrorKind::UnitNotSuffix {
                            unit: text.to_string(),
                            name: name.to_string(),
                        },
                    ));
                }
            }
            Keyword::Help => {}
        }

        if self.family.name != name {
            self.close_family();
            let known_type = self
                .meta_index
                .get(&name)
                .and_then(|&i| self.page.metadata.get(i))
                .and_then(|m| m.metric_type);
            self.family = Family {
                name: name.clone(),
                metric_type: known_type,
                ..Family::none()
            };
        }
        if self.sampled.contains(&name) {
            self.lint(
                name_span,
                LintKind::MetadataAfterSamples {
                    name: name.to_string(),
                },
            );
        }
        let index = match self.meta_index.get(&name) {
            Some(&i) => i,
            None => {
                self.page.metadata.push(Metadata {
                    name: name.to_string(),
                    ..Metadata::default()
                });
                let i = self.page.metadata.len() - 1;
                self.meta_index.insert(name.clone(), i);
                i
            }
        };
        let Some(meta) = self.page.metadata.get_mut(index) else {
            return Ok(());
        };
        let duplicate = match keyword {
            Keyword::Help => meta
                .help
                .replace(unescape_help(text, self.om).into_owned())
                .is_some(),
            Keyword::Type => {
                self.family.metric_type = metric_type;
                std::mem::replace(&mut meta.metric_type, metric_type).is_some()
            }
            Keyword::Unit => meta.unit.replace(text.to_string()).is_some(),
        };
        if duplicate {
            self.lint(
                name_span,
                LintKind::DuplicateMetadata {
                    what: keyword.as_str(),
                    name: name.into_owned(),
                },
            );
        }
        Ok(())
    }

    // ---- samples --------------------------------------------------------

    fn sample(&mut self) -> Result<()> {
        let start = self.pos;
        let mut name = match self.peek() {
            Some(c) if is_metric_name_start(c) => Some(self.plain_name(true)),
            Some(b'{') => None,
            _ => {
                return Err(self.unexpected(if self.om {
                    "a metric name, '{' or '# '"
                } else {
                    "a metric name or '#'"
                }))
            }
        };
        if !self.om {
            self.skip_blanks();
        }
        let mut pairs = std::mem::take(&mut self.pairs);
        pairs.clear();
        if self.eat(b'{') {
            self.label_pairs(&mut pairs, Some(&mut name))?;
        }
        let Some((name, name_span)) = name else {
            self.pairs = pairs;
            return Err(self.error_at(Span::new(start, self.pos), ErrorKind::MissingMetricName));
        };
        if name.is_empty() {
            self.pairs = pairs;
            return Err(self.error_at(name_span, ErrorKind::MissingMetricName));
        }

        let value = self.value("a sample value")?;
        let mut timestamp = None;
        let mut exemplar = None;
        if self.om {
            self.openmetrics_line_end(&mut timestamp, &mut exemplar)?;
        } else {
            timestamp = self.text_line_end()?;
        }
        let span = Span::new(start, self.line_content_end());
        self.eat(b'\n');

        let metric_type = self.enter_family(name.clone(), span);
        let labels = self.sample_labels(&name, &mut pairs, metric_type, span);
        self.pairs = pairs;
        let labels = labels?;
        if let Some(e) = &exemplar {
            self.check_exemplar(&name, metric_type, e, span);
        }
        self.page.samples.push(Sample {
            labels,
            value,
            timestamp,
            exemplar,
            span,
        });
        Ok(())
    }

    /// The value token: up to a blank (text) or after exactly one space
    /// (OpenMetrics).
    fn value(&mut self, what: &'static str) -> Result<f64> {
        if self.om {
            if !self.eat(b' ') {
                return Err(self.unexpected(if what == "a sample value" {
                    "' ' and the sample value"
                } else {
                    "' ' and the exemplar value"
                }));
            }
        } else {
            self.skip_blanks();
        }
        let (text, span) = self.token(true);
        if text.is_empty() {
            return Err(self.unexpected(what));
        }
        parse_float(text).ok_or_else(|| self.error_at(span, ErrorKind::InvalidValue(text.into())))
    }

    /// After a text-format value: blanks, an optional timestamp, blanks, the
    /// end of the line.
    fn text_line_end(&mut self) -> Result<Option<i64>> {
        self.skip_blanks();
        if matches!(self.peek(), None | Some(b'\n')) {
            return Ok(None);
        }
        let (text, span) = self.token(false);
        let ts = parse_text_timestamp(text)
            .ok_or_else(|| self.error_at(span, ErrorKind::InvalidTimestamp(text.into())))?;
        self.skip_blanks();
        if !matches!(self.peek(), None | Some(b'\n')) {
            return Err(self.unexpected("end of line after the timestamp"));
        }
        Ok(Some(ts))
    }

    /// After an OpenMetrics value: ` timestamp`, ` # {exemplar}` or both,
    /// then a line break.
    fn openmetrics_line_end(
        &mut self,
        timestamp: &mut Option<i64>,
        exemplar: &mut Option<Exemplar>,
    ) -> Result<()> {
        if self.peek() == Some(b' ') && !self.rest().starts_with(" # {") {
            self.pos += 1;
            let (text, span) = self.token(false);
            if text.is_empty() {
                return Err(self.unexpected("a timestamp or '# {' after the value"));
            }
            *timestamp =
                Some(parse_openmetrics_timestamp(text).ok_or_else(|| {
                    self.error_at(span, ErrorKind::InvalidTimestamp(text.into()))
                })?);
        }
        if self.rest().starts_with(" # {") {
            self.pos += 4;
            *exemplar = Some(self.exemplar()?);
        }
        self.expect_openmetrics_newline(if exemplar.is_some() {
            "end of line after the exemplar"
        } else if timestamp.is_some() {
            "end of line or ' # {' after the timestamp"
        } else {
            "end of line, a timestamp or ' # {' after the value"
        })
    }

    /// `{labels} value [timestamp]` after ` # `.
    fn exemplar(&mut self) -> Result<Exemplar> {
        let mut pairs = std::mem::take(&mut self.exemplar_pairs);
        pairs.clear();
        let read = self.label_pairs(&mut pairs, None);
        let mut labels = Labels::new();
        let mut seen_error = read.err();
        for (i, (name, value, span)) in pairs.iter().enumerate() {
            if seen_error.is_some() {
                break;
            }
            if name.is_empty() {
                seen_error = Some(self.error_at(*span, ErrorKind::EmptyLabelName));
            } else if pairs.iter().take(i).any(|(n, _, _)| n == name) {
                seen_error =
                    Some(self.error_at(*span, ErrorKind::DuplicateLabel(name.to_string())));
            } else {
                labels.set(name.as_ref(), value.as_ref());
            }
        }
        let chars: usize = pairs
            .iter()
            .map(|(n, v, _)| n.chars().count() + v.chars().count())
            .sum();
        self.exemplar_pairs = pairs;
        if let Some(e) = seen_error {
            return Err(e);
        }
        let value = self.value("an exemplar value")?;
        let mut timestamp = None;
        if self.eat(b' ') {
            let (text, span) = self.token(false);
            let ts = parse_float(text).filter(|t| t.is_finite());
            if ts.is_none() {
                return Err(if text.is_empty() {
                    self.unexpected("an exemplar timestamp")
                } else {
                    self.error_at(span, ErrorKind::InvalidTimestamp(text.into()))
                });
            }
            timestamp = ts;
        }
        if chars > EXEMPLAR_MAX_CHARS {
            self.lint(
                Span::new(self.pos, self.pos),
                LintKind::ExemplarTooLong { chars },
            );
        }
        Ok(Exemplar {
            labels,
            value,
            timestamp,
        })
    }

    fn expect_openmetrics_newline(&mut self, expected: &'static str) -> Result<()> {
        match self.peek() {
            Some(b'\n') => Ok(()),
            None => Err(self.error_at(Span::at(self.pos), ErrorKind::MissingEof)),
            Some(_) => Err(self.unexpected(expected)),
        }
    }

    /// The pairs inside `{...}`, after the `{`. With `name`, a quoted string
    /// standing alone is the metric name; without (an exemplar), it is an
    /// error.
    fn label_pairs(
        &mut self,
        pairs: &mut Vec<Pair<'a>>,
        mut name: Option<&mut Option<(Cow<'a, str>, Span)>>,
    ) -> Result<()> {
        loop {
            if !self.om {
                self.skip_blanks();
            }
            let (label, label_span) = match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'"') => {
                    let (text, span) = self.quoted(true, "'\"' to close the quoted name")?;
                    if !self.om {
                        self.skip_blanks();
                    }
                    if let (Some(name), Some(b',' | b'}')) = (name.as_deref_mut(), self.peek()) {
                        if name.is_some() {
                            return Err(self.error_at(span, ErrorKind::MetricNameTwice));
                        }
                        *name = Some((text, span));
                        self.eat(b',');
                        continue;
                    }
                    (text, span)
                }
                Some(c) if is_label_name_start(c) => {
                    let named = self.plain_name(false);
                    if !self.om {
                        self.skip_blanks();
                    }
                    named
                }
                _ => return Err(self.unexpected("a label name or '}'")),
            };
            if !self.eat(b'=') {
                return Err(self.unexpected("'=' after the label name"));
            }
            if !self.om {
                self.skip_blanks();
            }
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("'\"' to open the label value"));
            }
            let (value, _) = self.quoted(!self.om, "'\"' to close the label value")?;
            pairs.push((label, value, label_span));
            if !self.om {
                self.skip_blanks();
            }
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                // The text format lets pairs follow without a comma.
                Some(c) if !self.om && (c == b'"' || is_label_name_start(c)) => {}
                _ => return Err(self.unexpected("',' or '}' after the label value")),
            }
        }
    }

    /// Builds the sample's label set, with the checks Prometheus makes
    /// before appending and its reading of `le` and `quantile`.
    fn sample_labels(
        &mut self,
        name: &str,
        pairs: &mut [Pair<'a>],
        metric_type: Option<MetricType>,
        span: Span,
    ) -> Result<Labels> {
        let mut labels = Labels::new();
        labels.set(METRIC_NAME, name);
        let bucket = matches!(
            metric_type,
            Some(MetricType::Histogram | MetricType::GaugeHistogram)
        ) && name.ends_with("_bucket");
        let mut has_le = false;
        for i in 0..pairs.len() {
            let Some((label, value, label_span)) = pairs.get(i) else {
                break;
            };
            if label.is_empty() {
                return Err(self.error_at(*label_span, ErrorKind::EmptyLabelName));
            }
            if label == METRIC_NAME || pairs.iter().take(i).any(|(n, _, _)| n == label) {
                return Err(
                    self.error_at(*label_span, ErrorKind::DuplicateLabel(label.to_string()))
                );
            }
            let float_label = match (metric_type, label.as_ref()) {
                (Some(MetricType::Histogram | MetricType::GaugeHistogram), "le") => Some("le"),
                (Some(MetricType::Summary), "quantile") => Some("quantile"),
                _ => None,
            };
            match float_label.map(|l| (l, parse_float(value))) {
                Some((_, Some(v))) => {
                    if label == "le" {
                        has_le = true;
                        self.family.has_inf_bucket |= v == f64::INFINITY;
                    }
                    // Prometheus 3 rewrites classic histograms' and
                    // summaries' float labels in one spelling.
                    if metric_type != Some(MetricType::GaugeHistogram) {
                        labels.set(label.as_ref(), format_openmetrics_float(v));
                        continue;
                    }
                }
                Some((label, None)) => {
                    self.lint(
                        *label_span,
                        LintKind::NotAFloat {
                            label,
                            value: value.to_string(),
                        },
                    );
                    has_le |= label == "le";
                }
                None => {}
            }
            labels.set(label.as_ref(), value.as_ref());
        }
        if bucket {
            self.family.has_buckets = true;
            self.family.last_bucket = span;
            if !has_le {
                self.lint(
                    span,
                    LintKind::NotAFloat {
                        label: "le",
                        value: String::new(),
                    },
                );
            }
        }
        Ok(labels)
    }

    // ---- families -------------------------------------------------------

    /// Notes that a sample named `name` is next: in the current family, or
    /// the start of another. Returns the family's type.
    fn enter_family(&mut self, name: Cow<'a, str>, span: Span) -> Option<MetricType> {
        if !belongs_to(&name, &self.family.name, self.family.metric_type) {
            self.close_family();
            let (family_name, metric_type) = self.family_of(&name);
            if self.sampled.contains(&family_name) {
                self.lint(
                    span,
                    LintKind::InterleavedFamily {
                        name: family_name.to_string(),
                    },
                );
            }
            self.family = Family {
                name: family_name,
                metric_type,
                ..Family::none()
            };
        }
        if !self.family.has_samples {
            self.family.has_samples = true;
            self.sampled.insert(self.family.name.clone());
        }
        if self.om
            && self.family.metric_type == Some(MetricType::Counter)
            && !name.ends_with("_total")
            && !name.ends_with("_created")
        {
            self.lint(
                span,
                LintKind::CounterWithoutTotal {
                    name: name.to_string(),
                },
            );
        }
        self.family.metric_type
    }

    /// The family a sample starts when it does not continue the current
    /// one: a family with metadata whose type allows the name's suffix, else
    /// the sample's own name, untyped.
    fn family_of(&self, name: &Cow<'a, str>) -> (Cow<'a, str>, Option<MetricType>) {
        const SUFFIXES: [&str; 8] = [
            "_bucket", "_sum", "_count", "_total", "_created", "_gcount", "_gsum", "_info",
        ];
        let typed = |family: &str| {
            self.meta_index
                .get(family)
                .and_then(|&i| self.page.metadata.get(i))
                .and_then(|m| m.metric_type)
        };
        for suffix in SUFFIXES {
            if let Some(base) = name.strip_suffix(suffix) {
                if let Some(t) = typed(base) {
                    if t.sample_suffixes().contains(&suffix) {
                        let base = match name {
                            Cow::Borrowed(s) => Cow::Borrowed(s.get(..base.len()).unwrap_or(s)),
                            Cow::Owned(_) => Cow::Owned(base.to_string()),
                        };
                        return (base, Some(t));
                    }
                }
            }
        }
        (name.clone(), typed(name))
    }

    /// Ends the current family, with the lints that need all its lines.
    fn close_family(&mut self) {
        if self.family.has_buckets && !self.family.has_inf_bucket {
            let span = self.family.last_bucket;
            let name = self.family.name.to_string();
            self.lint(span, LintKind::MissingInfBucket { name });
        }
        self.family = Family::none();
    }

    fn check_exemplar(
        &mut self,
        name: &str,
        metric_type: Option<MetricType>,
        _exemplar: &Exemplar,
        span: Span,
    ) {
        let allowed = match metric_type {
            Some(MetricType::Counter) => name.ends_with("_total"),
            Some(MetricType::Histogram | MetricType::GaugeHistogram) => name.ends_with("_bucket"),
            _ => false,
        };
        if !allowed {
            self.lint(
                span,
                LintKind::ExemplarNotAllowed {
                    name: name.to_string(),
                },
            );
        }
    }

    // ---- tokens ---------------------------------------------------------

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` (metric names) or without colons (label
    /// names); the caller has checked the first byte.
    fn plain_name(&mut self, colons: bool) -> (Cow<'a, str>, Span) {
        let start = self.pos;
        while let Some(&c) = self.b.get(self.pos) {
            if c.is_ascii_alphanumeric() || c == b'_' || (colons && c == b':') {
                self.pos += 1;
            } else {
                break;
            }
        }
        (
            Cow::Borrowed(self.slice(start, self.pos)),
            Span::new(start, self.pos),
        )
    }

    /// A double-quoted string at `pos`, unescaped: `\\`, `\"` and `\n` are
    /// read, other escapes kept as written (as Prometheus does). Returns the
    /// text and the span with the quotes.
    fn quoted(&mut self, line_breaks: bool, close: &'static str) -> Result<(Cow<'a, str>, Span)> {
        let open = self.pos;
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            match self.b.get(self.pos) {
                // The string may span lines, so the place to show is where
                // it opened.
                None => {
                    let line_end = self.src.get(open..).and_then(|r| r.find('\n'));
                    let end = line_end.map_or(self.b.len(), |i| open + i);
                    return Err(self.error_at(
                        Span::new(open, end),
                        ErrorKind::Unexpected {
                            expected: close,
                            found: "end of input".into(),
                        },
                    ));
                }
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    match self.b.get(self.pos + 1) {
                        None => {
                            self.pos += 1;
                            return Err(self.unexpected("an escaped character after '\\'"));
                        }
                        Some(b'\n') => {
                            return Err(self.error_at(
                                Span::new(self.pos, self.pos + 1),
                                ErrorKind::InvalidEscape('\n'),
                            ))
                        }
                        // A multi-byte character's other bytes never look
                        // like '"', '\\' or '\n', so stepping two bytes is
                        // safe.
                        Some(_) => self.pos += 2,
                    }
                }
                Some(b'\n') if !line_breaks => return Err(self.unexpected(close)),
                Some(_) => self.pos += 1,
            }
        }
        let raw = self.slice(start, self.pos);
        self.pos += 1;
        let text = if escaped {
            Cow::Owned(unescape(raw))
        } else {
            Cow::Borrowed(raw)
        };
        Ok((text, Span::new(open, self.pos)))
    }

    /// The run of bytes up to a blank or a line break, and for a text-format
    /// value (`brace`) up to a `{` as well.
    fn token(&mut self, brace: bool) -> (&'a str, Span) {
        let start = self.pos;
        let om = self.om;
        while let Some(&c) = self.b.get(self.pos) {
            let stop = c == b' ' || c == b'\n' || (!om && (c == b'\t' || (brace && c == b'{')));
            if stop {
                break;
            }
            self.pos += 1;
        }
        (self.slice(start, self.pos), Span::new(start, self.pos))
    }

    // ---- cursor ---------------------------------------------------------

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.src.get(start..end).unwrap_or("")
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn find_newline(&self) -> Option<usize> {
        self.b
            .get(self.pos..)?
            .iter()
            .position(|&c| c == b'\n')
            .map(|i| self.pos + i)
    }

    /// The index of the next line break, or the end of the page.
    fn line_end(&self) -> usize {
        self.find_newline().unwrap_or(self.b.len())
    }

    fn skip_line(&mut self) {
        self.pos = self.line_end();
        self.eat(b'\n');
    }

    /// Where the sample's text ends: before trailing blanks (the caller is
    /// at the line break or the end of the page).
    fn line_content_end(&self) -> usize {
        let mut end = self.pos;
        while end > 0 && matches!(self.b.get(end - 1), Some(b' ' | b'\t')) {
            end -= 1;
        }
        end
    }

    // ---- errors ---------------------------------------------------------

    fn error_at(&self, span: Span, kind: ErrorKind) -> ExpositionError {
        ExpositionError { kind, span }
    }

    /// "expected X, found Y" at the current position.
    fn unexpected(&self, expected: &'static str) -> ExpositionError {
        let next = self.rest().chars().next();
        let found = match next {
            None if self.om => "end of input".to_string(),
            None | Some('\n') => "end of line".to_string(),
            Some(c) => format!("{c:?}"),
        };
        let len = next.map_or(0, char::len_utf8);
        self.error_at(
            Span::new(self.pos, self.pos + len),
            ErrorKind::Unexpected { expected, found },
        )
    }

    fn lint(&mut self, span: Span, kind: LintKind) {
        self.page.lints.push(Lint { kind, span });
    }
}

/// Whether sample `name` continues family `family` of type `metric_type`.
fn belongs_to(name: &str, family: &str, metric_type: Option<MetricType>) -> bool {
    if family.is_empty() {
        return false;
    }
    match name.strip_prefix(family) {
        Some("") => true,
        Some(suffix) => metric_type.is_some_and(|t| t.sample_suffixes().contains(&suffix)),
        None => false,
    }
}

fn is_metric_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b':'
}

fn is_label_name_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

/// Label values and quoted names: `\\`, `\"`, `\n`; any other escape stays
/// as written.
fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// HELP text: the text format reads `\\` and `\n`; OpenMetrics also `\"`.
fn unescape_help(text: &str, om: bool) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some('"') if om => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}
