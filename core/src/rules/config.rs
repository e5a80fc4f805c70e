//! Rule files as Prometheus 3.5 reads them (`model/rulefmt`): `groups`
//! with `name`, `interval`, `query_offset`, `limit`, `labels` and `rules`,
//! each rule `record` or `alert` with `expr`, `for`, `keep_firing_for`,
//! `labels` and `annotations`; checked as Prometheus and
//! `promtool check rules` check them, with every error in Prometheus's
//! words and the YAML position it is about.
//!
//! ```
//! use promlab_core::rules::config::parse_rule_file;
//! let yaml = "
//! groups:
//!   - name: example
//!     rules:
//!       - alert: CountGreaterThan5
//!         expr: ping_request_count > 5
//!         for: 10s
//! ";
//! let file = parse_rule_file(yaml).unwrap();
//! assert_eq!(file.groups[0].rules[0].hold, 10_000);
//!
//! let bad = "groups:\n  - name: g\n    rules:\n      - record: job:up\n        expr: sum(up\n";
//! let errs = parse_rule_file(bad).unwrap_err();
//! assert_eq!(
//!     errs[0].render(bad).lines().next().unwrap(),
//!     "5:15: group \"g\", rule 1, \"job:up\": could not parse expression: 1:7: parse error: unclosed left parenthesis"
//! );
//! ```
//!
//! YAML is read as Go's YAML reader reads it into Prometheus's types: any
//! scalar is a string (`expr: 1` is the query `1`), null entries of lists
//! are dropped, a null label value is the empty string, and a `limit`
//! written as a float is truncated. Only the first document of a
//! multi-document file is read. Validation collects every error, in the
//! order Prometheus reports them (group by group, rule by rule; labels and
//! annotations in file order, where Go's order is random).

use super::template::{Template, TemplateErrorKind};
use crate::clock::Millis;
use crate::diagnostic::{Diagnostic, Span};
use crate::promql::{self, Expr, ParseOptions};
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// A rule file: its groups in file order.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFile {
    pub groups: Vec<GroupConfig>,
}

impl RuleFile {
    /// How many rules the file holds, as `promtool check rules` counts.
    pub fn rule_count(&self) -> usize {
        self.groups.iter().map(|g| g.rules.len()).sum()
    }
}

/// A rule group.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupConfig {
    pub name: String,
    /// `None`: the global `evaluation_interval`.
    pub interval: Option<Millis>,
    /// `None`: the global `rule_query_offset`.
    pub query_offset: Option<Millis>,
    /// Most alerts or series a rule may produce; 0 or less: no limit.
    pub limit: i64,
    /// Labels added to every rule's output (the rule's own win).
    pub labels: BTreeMap<String, String>,
    pub rules: Vec<RuleConfig>,
    /// The group's entry in the YAML.
    pub span: Span,
}

/// Whether a rule records series or raises alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Recording,
    Alerting,
}

/// One rule.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleConfig {
    pub kind: RuleKind,
    /// `record` or `alert`.
    pub name: String,
    pub expr: Expr,
    /// The query as written.
    pub expr_text: String,
    /// `for` (alerting rules).
    pub hold: Millis,
    pub keep_firing_for: Millis,
    /// The rule's own labels (templates for alerting rules); an empty
    /// value removes the label from the output, as in Prometheus.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// The rule's entry in the YAML.
    pub span: Span,
    pub expr_span: Span,
}

/// What is wrong with a rule file.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleErrorKind {
    /// Text that is not YAML.
    Syntax,
    /// A field rule files do not have.
    UnknownField,
    /// A value of the wrong type (a list for a string, text for `limit`).
    InvalidType,
    DuplicateKey,
    InvalidDuration,
    EmptyGroupName,
    DuplicateGroupName,
    InvalidLabelName,
    InvalidAnnotationName,
    RecordAndAlert,
    NoRecordOrAlert,
    MissingExpr,
    /// The query does not parse; the parser's kind.
    InvalidExpr(promql::ParseErrorKind),
    AnnotationsInRecordingRule,
    ForInRecordingRule,
    KeepFiringForInRecordingRule,
    BracesInRecordName,
    /// A label or annotation template that does not parse.
    Template,
}

/// An error in a rule file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFileError {
    pub kind: RuleErrorKind,
    pub span: Span,
    /// Prometheus's message, with the group and rule it is about
    /// (`group "g", rule 1, "job:up": …`) but without Go's positions.
    pub message: String,
}

impl RuleFileError {
    fn new(kind: RuleErrorKind, span: Span, message: impl Into<String>) -> Self {
        RuleFileError {
            kind,
            span,
            message: message.into(),
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.message.clone())
    }

    /// `line:col: message` and the line with a caret.
    pub fn render(&self, yaml: &str) -> String {
        self.to_diagnostic().render(yaml)
    }
}

impl fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RuleFileError {}

/// Reads and checks a rule file with the PromQL features Prometheus enables
/// by default (none of the experimental ones), as `promtool check rules`.
pub fn parse_rule_file(yaml: &str) -> Result<RuleFile, Vec<RuleFileError>> {
    parse_rule_file_with(yaml, &ParseOptions::default())
}

/// Reads and checks a rule file, parsing queries with `options`.
pub fn parse_rule_file_with(
    yaml: &str,
    options: &ParseOptions,
) -> Result<RuleFile, Vec<RuleFileError>> {
    let raw = read_yaml(yaml).map_err(|e| vec![e])?;
    Reader { src: yaml, options }.file(raw)
}

fn read_yaml(yaml: &str) -> Result<RawFile, RuleFileError> {
    match serde_saphyr::from_str::<Option<RawFile>>(yaml) {
        Ok(raw) => Ok(raw.unwrap_or_default()),
        Err(e) if e.to_string().contains("multiple YAML documents") => {
            // Go's decoder reads the first document only.
            let docs: Vec<Option<RawFile>> =
                serde_saphyr::from_str_multiple(yaml).map_err(|e| yaml_error(yaml, &e))?;
            Ok(docs.into_iter().next().flatten().unwrap_or_default())
        }
        Err(e) => Err(yaml_error(yaml, &e)),
    }
}

// ---------------------------------------------------------------------------
// Durations.

/// Prometheus's `model.ParseDuration`: `0`, or `(\d+(y|w|d|h|m|s|ms))+`
/// with units from largest to smallest, at most about 292 years (Go's
/// nanosecond duration); errors worded as Prometheus words them.
///
/// ```
/// use promlab_core::rules::config::parse_model_duration;
/// assert_eq!(parse_model_duration("1h30m"), Ok(5_400_000));
/// assert_eq!(parse_model_duration("1.5h").unwrap_err(), "unknown unit \".\" in duration \"1.5h\"");
/// assert_eq!(parse_model_duration("293y").unwrap_err(), "duration out of range");
/// ```
pub fn parse_model_duration(s: &str) -> Result<Millis, String> {
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 24 * 3_600_000_000_000),
        ("w", 7 * 24 * 3_600_000_000_000),
        ("d", 24 * 3_600_000_000_000),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ];
    match s {
        "0" => return Ok(0),
        "" => return Err("empty duration string".into()),
        _ => {}
    }
    let invalid = || format!("not a valid duration string: {}", super::gofmt::quote(s));
    let mut rest = s;
    let mut total: u64 = 0;
    let mut last_unit = None::<usize>;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(invalid());
        }
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let v: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(invalid());
        }
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let Some(pos) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!(
                "unknown unit {} in duration {}",
                super::gofmt::quote(unit),
                super::gofmt::quote(s)
            ));
        };
        if last_unit.is_some_and(|l| pos <= l) {
            return Err(invalid());
        }
        last_unit = Some(pos);
        let mult = UNITS[pos].1;
        if v > (1u64 << 63) / mult {
            return Err("duration out of range".into());
        }
        total = total.saturating_add(v * mult);
        if total > i64::MAX as u64 {
            return Err("duration out of range".into());
        }
    }
    Ok((total / 1_000_000) as Millis)
}

// ---------------------------------------------------------------------------
// Reading.

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    groups: Option<Vec<Option<Spanned<RawGroup>>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    #[serde(default)]
    name: Option<Spanned<String>>,
    #[serde(default)]
    interval: Option<Spanned<String>>,
    #[serde(default)]
    query_offset: Option<Spanned<String>>,
    #[serde(default)]
    limit: Option<Spanned<Limit>>,
    #[serde(default)]
    rules: Option<Vec<Option<Spanned<RawRule>>>>,
    #[serde(default)]
    labels: Option<Spanned<Pairs>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    #[serde(default)]
    record: Option<Spanned<String>>,
    #[serde(default)]
    alert: Option<Spanned<String>>,
    #[serde(default)]
    expr: Option<Spanned<String>>,
    #[serde(default, rename = "for")]
    for_: Option<Spanned<String>>,
    #[serde(default)]
    keep_firing_for: Option<Spanned<String>>,
    #[serde(default)]
    labels: Option<Spanned<Pairs>>,
    #[serde(default)]
    annotations: Option<Spanned<Pairs>>,
}

/// A `map[string]string` in file order, with where each key and value
/// is; a null value is the empty string (and has no position).
#[derive(Debug, Default)]
struct Pairs(Vec<(Spanned<String>, Option<Spanned<String>>)>);

impl Pairs {
    fn value(v: &Option<Spanned<String>>) -> String {
        v.as_ref().map_or(String::new(), |v| v.value.clone())
    }
}

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of names to strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) =
                    map.next_entry::<Spanned<String>, Option<Spanned<String>>>()?
                {
                    out.push((k, v));
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `limit`, as Go reads an int: a float is truncated, text is refused.
#[derive(Debug, Default, Clone, Copy)]
struct Limit(i64);

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Limit;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Limit, E> {
                Ok(Limit(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Limit, E> {
                i64::try_from(v)
                    .map(Limit)
                    .map_err(|_| E::custom(format!("cannot unmarshal !!int `{v}` into int")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Limit, E> {
                if v.is_finite() && v.abs() < 9.2e18 {
                    Ok(Limit(v as i64))
                } else {
                    Err(E::custom(format!(
                        "cannot unmarshal !!float `{v}` into int"
                    )))
                }
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Limit, E> {
                Err(E::custom(format!(
                    "invalid type: cannot unmarshal !!bool `{v}` into int"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Limit, E> {
                Err(E::custom(format!(
                    "invalid type: cannot unmarshal !!str `{v}` into int"
                )))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Limit, E> {
                Ok(Limit(0))
            }
        }
        d.deserialize_any(V)
    }
}

/// Turns a YAML reader error into a [`RuleFileError`].
fn yaml_error(src: &str, e: &serde_saphyr::Error) -> RuleFileError {
    use serde_saphyr::MessageFormatter;
    let inner = e.without_snippet();
    let message = serde_saphyr::DefaultMessageFormatter
        .format_message(inner)
        .into_owned();
    let span = e.location().map_or(Span::at(0), |l| span_of(src, &l));
    // The reader's messages are serde's; their first words tell the kind.
    let kind = if message.starts_with("unknown field") {
        RuleErrorKind::UnknownField
    } else if message.starts_with("duplicate mapping key") {
        RuleErrorKind::DuplicateKey
    } else if message.starts_with("invalid")
        || message.starts_with("expected")
        || message.contains("invalid type")
        || message.contains("cannot unmarshal")
    {
        RuleErrorKind::InvalidType
    } else {
        RuleErrorKind::Syntax
    };
    let message = message
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(&message)
        .to_string();
    RuleFileError::new(kind, span, message)
}

/// The byte span of a location of the YAML reader.
fn span_of(src: &str, loc: &Location) -> Span {
    let s = loc.span();
    if let (Some(start), Some(len)) = (s.byte_offset(), s.byte_len()) {
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(src.len());
        let len = usize::try_from(len).unwrap_or(0);
        return Span::new(start, start.saturating_add(len).min(src.len()));
    }
    Span::at(offset_of(src, loc.line(), loc.column()))
}

/// The byte offset of a 1-based line and character column.
fn offset_of(src: &str, line: u64, col: u64) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let col = usize::try_from(col.saturating_sub(1)).unwrap_or(usize::MAX);
            return offset
                + l.char_indices()
                    .nth(col)
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    src.len()
}

/// Where byte `offset` of a scalar's value is in the YAML: found by
/// looking for the value's lines in the scalar's source text (plain,
/// quoted and block scalars keep each line's text); the scalar's start
/// when the value was rewritten by escapes or folding.
pub(crate) fn locate_in_scalar(src: &str, scalar: Span, value: &str, offset: usize) -> Span {
    let start = scalar.start.min(src.len());
    // Block scalars' spans may cover only their indicator; search the rest
    // of the file from the scalar on.
    let text = src.get(start..).unwrap_or("");
    let before = value.get(..offset.min(value.len())).unwrap_or("");
    let line_no = before.matches('\n').count();
    let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1);
    let mut search_from = 0;
    for (i, line) in value.split('\n').enumerate() {
        if line.is_empty() && i != line_no {
            continue;
        }
        let Some(found) = text.get(search_from..).and_then(|t| t.find(line)) else {
            return Span::at(start);
        };
        let at = search_from + found;
        if i == line_no {
            let pos = start + at + col;
            return Span::new(pos, (pos + 1).min(src.len()).max(pos));
        }
        search_from = at + line.len();
    }
    Span::at(start)
}

struct Reader<'a> {
    src: &'a str,
    options: &'a ParseOptions,
}

impl Reader<'_> {
    fn span<T>(&self, s: &Spanned<T>) -> Span {
        span_of(self.src, &s.referenced)
    }

    fn duration(&self, f: &Option<Spanned<String>>) -> Result<Option<Millis>, RuleFileError> {
        match f {
            None => Ok(None),
            Some(s) => parse_model_duration(&s.value)
                .map(Some)
                .map_err(|e| RuleFileError::new(RuleErrorKind::InvalidDuration, self.span(s), e)),
        }
    }

    fn file(&self, raw: RawFile) -> Result<RuleFile, Vec<RuleFileError>> {
        let groups: Vec<Spanned<RawGroup>> = raw
            .groups
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect();
        // Decoding errors (durations) come first and alone, as Go's decoder
        // fails before validation runs.
        let mut decoded = Vec::new();
        let mut errors = Vec::new();
        for g in &groups {
            let interval = self.duration(&g.value.interval);
            let offset = self.duration(&g.value.query_offset);
            let mut rules = Vec::new();
            for r in g.value.rules.iter().flatten().flatten() {
                let hold = self.duration(&r.value.for_);
                let keep = self.duration(&r.value.keep_firing_for);
                match (hold, keep) {
                    (Ok(h), Ok(k)) => rules.push((h.unwrap_or(0), k.unwrap_or(0))),
                    (Err(e), _) | (_, Err(e)) => errors.push(e),
                }
            }
            match (interval, offset) {
                (Ok(i), Ok(o)) => decoded.push((i, o, rules)),
                (Err(e), _) | (_, Err(e)) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }

        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for (g, (interval, query_offset, durations)) in groups.into_iter().zip(decoded) {
            let span = self.span(&g);
            let raw = g.value;
            let name = raw.name.as_ref().map_or(String::new(), |n| n.value.clone());
            let name_span = raw.name.as_ref().map_or(span, |n| self.span(n));
            if name.is_empty() {
                errors.push(RuleFileError::new(
                    RuleErrorKind::EmptyGroupName,
                    span,
                    "Groupname must not be empty",
                ));
            }
            if !seen.insert(name.clone()) {
                errors.push(RuleFileError::new(
                    RuleErrorKind::DuplicateGroupName,
                    name_span,
                    format!("groupname: \"{name}\" is repeated in the same file"),
                ));
            }
            let mut labels = BTreeMap::new();
            if let Some(l) = &raw.labels {
                for (k, v) in &l.value.0 {
                    if k.value.is_empty() || k.value == crate::labels::METRIC_NAME {
                        errors.push(RuleFileError::new(
                            RuleErrorKind::InvalidLabelName,
                            self.span(k),
                            format!("invalid label name: {}", k.value),
                        ));
                    }
                    labels.insert(k.value.clone(), Pairs::value(v));
                }
            }
            let mut rules = Vec::new();
            let raw_rules = raw.rules.unwrap_or_default().into_iter().flatten();
            for (i, (r, (hold, keep_firing_for))) in raw_rules.zip(durations).enumerate() {
                let rule_span = self.span(&r);
                match self.rule(&name, i + 1, r.value, rule_span, hold, keep_firing_for) {
                    Ok(rule) => rules.push(rule),
                    Err(mut e) => errors.append(&mut e),
                }
            }
            out.push(GroupConfig {
                name,
                interval,
                query_offset,
                limit: raw.limit.map_or(0, |l| l.value.0),
                labels,
                rules,
                span,
            });
        }
        if errors.is_empty() {
            Ok(RuleFile { groups: out })
        } else {
            Err(errors)
        }
    }

    fn rule(
        &self,
        group: &str,
        index: usize,
        raw: RawRule,
        span: Span,
        hold: Millis,
        keep_firing_for: Millis,
    ) -> Result<RuleConfig, Vec<RuleFileError>> {
        let text =
            |f: &Option<Spanned<String>>| f.as_ref().map_or(String::new(), |s| s.value.clone());
        let record = text(&raw.record);
        let alert = text(&raw.alert);
        let expr_text = text(&raw.expr);
        let record_span = raw.record.as_ref().map_or(span, |s| self.span(s));
        let alert_span = raw.alert.as_ref().map_or(span, |s| self.span(s));
        let expr_span = raw.expr.as_ref().map_or(span, |s| self.span(s));
        let rule_name = if alert.is_empty() { &record } else { &alert };
        let quote = super::gofmt::quote;
        let prefix = format!(
            "group {}, rule {index}, {}: ",
            quote(group),
            quote(rule_name)
        );
        let mut errors = Vec::new();
        let mut err = |kind: RuleErrorKind, span: Span, message: String| {
            errors.push(RuleFileError::new(kind, span, format!("{prefix}{message}")));
        };

        if !record.is_empty() && !alert.is_empty() {
            err(
                RuleErrorKind::RecordAndAlert,
                record_span.to(alert_span),
                "only one of 'record' and 'alert' must be set".into(),
            );
        }
        if record.is_empty() && alert.is_empty() {
            err(
                RuleErrorKind::NoRecordOrAlert,
                span,
                "one of 'record' or 'alert' must be set".into(),
            );
        }
        let mut expr = None;
        if expr_text.is_empty() {
            err(
                RuleErrorKind::MissingExpr,
                span,
                "field 'expr' must be set in rule".into(),
            );
        } else {
            match promql::parse_with(&expr_text, self.options) {
                Ok(e) => expr = Some(e),
                Err(e) => err(
                    RuleErrorKind::InvalidExpr(e.kind.clone()),
                    // Prometheus names the position of the `expr` value;
                    // the message gives the position within the query.
                    Span::at(expr_span.start),
                    format!(
                        "could not parse expression: {}: {e}",
                        e.position(&expr_text)
                    ),
                ),
            }
        }
        let labels = raw.labels.map(|l| l.value.0).unwrap_or_default();
        let annotations = raw.annotations.map(|l| l.value.0).unwrap_or_default();
        if !record.is_empty() {
            if !annotations.is_empty() {
                err(
                    RuleErrorKind::AnnotationsInRecordingRule,
                    record_span,
                    "invalid field 'annotations' in recording rule".into(),
                );
            }
            if hold != 0 {
                err(
                    RuleErrorKind::ForInRecordingRule,
                    record_span,
                    "invalid field 'for' in recording rule".into(),
                );
            }
            if keep_firing_for != 0 {
                err(
                    RuleErrorKind::KeepFiringForInRecordingRule,
                    record_span,
                    "invalid field 'keep_firing_for' in recording rule".into(),
                );
            }
            if record.contains(['{', '}']) {
                err(
                    RuleErrorKind::BracesInRecordName,
                    record_span,
                    format!(
                        "braces present in the recording rule name; should it be in expr?: {record}"
                    ),
                );
            }
        }
        for (k, _) in &labels {
            if k.value.is_empty() || k.value == crate::labels::METRIC_NAME {
                err(
                    RuleErrorKind::InvalidLabelName,
                    self.span(k),
                    format!("invalid label name: {}", k.value),
                );
            }
        }
        for (k, _) in &annotations {
            if k.value.is_empty() {
                err(
                    RuleErrorKind::InvalidAnnotationName,
                    self.span(k),
                    format!("invalid annotation name: {}", k.value),
                );
            }
        }
        if !alert.is_empty() {
            for (what, pairs) in [("label", &labels), ("annotation", &annotations)] {
                for (k, v) in pairs {
                    let text = Pairs::value(v);
                    if let Err(e) = Template::parse_alert(&alert, &text) {
                        debug_assert_eq!(e.kind, TemplateErrorKind::Parse);
                        let span = v.as_ref().map_or(self.span(k), |v| {
                            locate_in_scalar(self.src, self.span(v), &text, e.pos)
                        });
                        err(
                            RuleErrorKind::Template,
                            span,
                            format!("{what} {}: {}", quote(&k.value), e.message),
                        );
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let Some(expr) = expr else {
            return Err(errors);
        };
        let to_map = |pairs: Vec<(Spanned<String>, Option<Spanned<String>>)>| {
            pairs
                .into_iter()
                .map(|(k, v)| (k.value, Pairs::value(&v)))
                .collect::<BTreeMap<String, String>>()
        };
        Ok(RuleConfig {
            kind: if alert.is_empty() {
                RuleKind::Recording
            } else {
                RuleKind::Alerting
            },
            name: if alert.is_empty() { record } else { alert },
            expr,
            expr_text,
            hold,
            keep_firing_for,
            labels: to_map(labels),
            annotations: to_map(annotations),
            span,
            expr_span,
        })
    }
}

// ---------------------------------------------------------------------------
// `promtool check rules`' duplicate-rule lint.

/// A rule name and label set that more than one rule of a file has.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DuplicateRule {
    pub name: String,
    /// The group's labels with the rule's over them.
    pub labels: BTreeMap<String, String>,
}

/// The rules that share a name and labels with another rule of the file,
/// as `promtool check rules --lint=duplicate-rules` finds them (sorted by
/// name, then labels; each listed once).
pub fn duplicate_rules(file: &RuleFile) -> Vec<DuplicateRule> {
    let mut all: Vec<DuplicateRule> = file
        .groups
        .iter()
        .flat_map(|g| {
            g.rules.iter().map(move |r| {
                let mut labels = g.labels.clone();
                labels.extend(r.labels.clone());
                DuplicateRule {
                    name: r.name.clone(),
                    labels,
                }
            })
        })
        .collect();
    all.sort();
    let mut out: Vec<DuplicateRule> = Vec::new();
    for pair in all.windows(2) {
        if pair[0] == pair[1] && out.last() != Some(&pair[1]) {
            out.push(pair[1].clone());
        }
    }
    out
}

/// promtool's message for duplicate rules.
pub fn duplicate_rules_message(dups: &[DuplicateRule]) -> String {
    let mut msg = format!("lint error {} duplicate rule(s) found.\n", dups.len());
    for d in dups {
        msg.push_str(&format!("Metric: {}\nLabel(s):\n", d.name));
        for (k, v) in &d.labels {
            msg.push_str(&format!("\t{k}: {v}\n"));
        }
    }
    msg.push_str("Might cause inconsistency while recording expressions");
    msg
}

#[cfg(test)]
mod tests;
