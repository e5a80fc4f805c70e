//! Templating as Grafana does it for a Prometheus data source: variables
//! resolved in order (each may use those before it), their queries
//! (`label_values`, `label_names`, `metrics`, `query_result`) answered
//! through [`ApiRequest`]s, the `regex` filter and capture, `sort`; then
//! `$var`, `${var}`, `[[var]]`, `${var:format}` and the built-ins
//! (`$__interval`, `$__interval_ms`, `$__rate_interval`, `$__range`,
//! `$__range_s`, `$__range_ms`) replaced in queries, titles and legends.
//!
//! In a query, a variable that is `multi` or `includeAll` is written as
//! Grafana's Prometheus data source writes it: its values regex-escaped
//! for a PromQL string and joined as `(a|b)`, so `=~"$var"` matches them.
//!
//! ```
//! use promlab_core::dashboard::template::{Scope, Resolved, Context};
//! let mut scope = Scope::default();
//! scope.insert(Resolved::multi("node", &["a.1", "b"]));
//! assert_eq!(scope.interpolate(r#"up{n=~"$node"}"#, Context::Query), r#"up{n=~"(a\\.1|b)"}"#);
//! assert_eq!(scope.interpolate("${node:pipe}", Context::Query), "a.1|b");
//! ```

use super::model::{Dashboard, Target, Variable, VariableKind};
use crate::api::{ApiData, ApiRequest, ApiResponse, QueryResult};
use crate::clock::{Millis, Timestamp};
use crate::duration::parse_duration;
use crate::exposition::format_float;
use regex::Regex;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

/// What Grafana puts for "All" in a variable's `current.value`.
pub const ALL: &str = "$__all";

/// Where text is interpolated: a query (the data source's escaping) or
/// text shown to the reader (titles, legends: values joined by ` + `).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Query,
    Text,
}

/// A `${var:format}` format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Regex-escaped, `(a|b)`.
    Regex,
    /// `a|b`, unescaped.
    Pipe,
    /// `a,b`
    Csv,
    /// `{a,b}`; also the fallback for an unknown format, as in Grafana.
    Glob,
    /// `["a","b"]`
    Json,
    /// As written, joined by commas.
    Raw,
    /// `"a","b"`
    DoubleQuote,
    /// `'a','b'`
    SingleQuote,
    /// The options' texts, joined by ` + `.
    Text,
}

impl Format {
    pub fn from_name(name: &str) -> Format {
        match name {
            "regex" => Format::Regex,
            "pipe" => Format::Pipe,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "raw" => Format::Raw,
            "doublequote" => Format::DoubleQuote,
            "singlequote" => Format::SingleQuote,
            "text" => Format::Text,
            _ => Format::Glob,
        }
    }
}

/// One option of a variable: what the dropdown shows and what is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarOption {
    pub text: String,
    pub value: String,
}

impl VarOption {
    fn same(s: &str) -> VarOption {
        VarOption {
            text: s.to_string(),
            value: s.to_string(),
        }
    }
}

/// A variable with its options and selection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Resolved {
    pub name: String,
    pub options: Vec<VarOption>,
    /// The selected values (not `$__all`: see `all_selected`).
    pub current: Vec<String>,
    pub all_selected: bool,
    pub multi: bool,
    pub include_all: bool,
    pub all_value: Option<String>,
}

impl Resolved {
    /// A single-valued variable (as a constant or textbox is).
    pub fn single(name: &str, value: &str) -> Resolved {
        Resolved {
            name: name.to_string(),
            options: vec![VarOption::same(value)],
            current: vec![value.to_string()],
            ..Resolved::default()
        }
    }

    /// A multi-value variable with these values selected.
    pub fn multi(name: &str, values: &[&str]) -> Resolved {
        Resolved {
            name: name.to_string(),
            options: values.iter().map(|v| VarOption::same(v)).collect(),
            current: values.iter().map(|v| v.to_string()).collect(),
            multi: true,
            ..Resolved::default()
        }
    }

    /// The values the variable stands for: the selection, or every
    /// option when All is selected.
    pub fn values(&self) -> Vec<&str> {
        if self.all_selected {
            self.options.iter().map(|o| o.value.as_str()).collect()
        } else {
            self.current.iter().map(String::as_str).collect()
        }
    }

    fn texts(&self) -> Vec<&str> {
        if self.all_selected {
            return vec!["All"];
        }
        self.current
            .iter()
            .map(|v| {
                self.options
                    .iter()
                    .find(|o| &o.value == v)
                    .map_or(v.as_str(), |o| o.text.as_str())
            })
            .collect()
    }

    fn format(&self, format: Option<Format>, context: Context) -> String {
        if self.all_selected && format != Some(Format::Text) {
            // A custom all value is used as written, never escaped.
            if let Some(all) = &self.all_value {
                return all.clone();
            }
        }
        let values = self.values();
        match (format, context) {
            (None, Context::Text) | (Some(Format::Text), _) => self.texts().join(" + "),
            (None, Context::Query) => {
                if !self.multi && !self.include_all {
                    return values.iter().map(|v| prometheus_escape(v)).collect();
                }
                let escaped: Vec<String> =
                    values.iter().map(|v| prometheus_regex_escape(v)).collect();
                join_alternatives(escaped)
            }
            (Some(Format::Regex), _) => {
                join_alternatives(values.iter().map(|v| regex_escape(v)).collect())
            }
            (Some(Format::Pipe), _) => values.join("|"),
            (Some(Format::Csv | Format::Raw), _) => values.join(","),
            (Some(Format::Glob), _) => {
                if values.len() > 1 {
                    format!("{{{}}}", values.join(","))
                } else {
                    values.concat()
                }
            }
            (Some(Format::Json), _) => serde_json::to_string(&values).unwrap_or_default(),
            (Some(Format::DoubleQuote), _) => values
                .iter()
                .map(|v| format!("\"{}\"", v.replace('"', "\\\"")))
                .collect::<Vec<_>>()
                .join(","),
            (Some(Format::SingleQuote), _) => values
                .iter()
                .map(|v| format!("'{}'", v.replace('\'', "\\'")))
                .collect::<Vec<_>>()
                .join(","),
        }
    }
}

/// `(a|b)`, or the one value alone.
fn join_alternatives(values: Vec<String>) -> String {
    if values.len() == 1 {
        values.concat()
    } else {
        format!("({})", values.join("|"))
    }
}

/// A single value in a PromQL string: backslashes and quotes escaped.
fn prometheus_escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\'', "\\\\'")
}

/// A value inside a regex inside a PromQL string: the regex escape's
/// backslash itself escaped for the string (`a.b` → `a\\.b`).
fn prometheus_regex_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => out.push_str("\\\\\\\\"),
            '$' | '^' | '*' | '{' | '}' | '[' | ']' | '\'' | '+' | '?' | '.' | '(' | ')' | '|' => {
                out.push_str("\\\\");
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// Grafana's `regexEscape` for the `regex` format.
fn regex_escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars() {
        if "\\^$*+?.()|[]{}/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The time range and resolution a dashboard is drawn at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeContext {
    pub from: Timestamp,
    pub to: Timestamp,
    /// `$__interval`: the range divided by the points a panel can draw,
    /// rounded as Grafana rounds it.
    pub interval: Millis,
    /// The data source's scrape interval (Grafana's default: 15s), for
    /// `$__rate_interval`.
    pub scrape_interval: Millis,
}

impl TimeContext {
    /// The context for a panel `max_data_points` wide (Grafana uses the
    /// panel's width in pixels).
    pub fn new(from: Timestamp, to: Timestamp, max_data_points: u32) -> TimeContext {
        let range = to.saturating_sub(from).max(0);
        let points = i64::from(max_data_points.max(1));
        TimeContext {
            from,
            to,
            interval: round_interval(range / points).max(1000),
            scrape_interval: 15_000,
        }
    }

    pub fn range(&self) -> Millis {
        self.to.saturating_sub(self.from).max(0)
    }

    /// The step of a target's range query, as Grafana's Prometheus data
    /// source adjusts it: at least the target's `interval` (Min step), the
    /// interval times `intervalFactor`, and what keeps the query under
    /// Prometheus's 11,000 points; in whole seconds.
    pub fn step_for(&self, target: &Target, scope: &Scope) -> Millis {
        let min = target
            .min_interval()
            .map(|i| scope.interpolate(i, Context::Query))
            .and_then(|i| parse_duration(&i).ok())
            .unwrap_or(self.interval);
        let factor = target.interval_factor();
        let scaled = (self.interval as f64 * factor) as Millis;
        let safe = (self.range() as f64 / 11_000.0 / 1000.0).ceil() as Millis * 1000;
        scaled.max(min).max(safe).max(1000) / 1000 * 1000
    }

    /// The built-in variables for a query whose step is `step`.
    fn builtins(&self, step: Millis) -> [(&'static str, String); 6] {
        let secs = step / 1000;
        let scrape = self.scrape_interval / 1000;
        let rate = (secs + scrape).max(4 * scrape);
        let range_s = (self.range() + 500) / 1000;
        [
            ("__interval", format!("{secs}s")),
            ("__interval_ms", step.to_string()),
            ("__rate_interval", format!("{rate}s")),
            ("__range", format!("{range_s}s")),
            ("__range_s", range_s.to_string()),
            ("__range_ms", self.range().to_string()),
        ]
    }
}

/// Grafana's `roundInterval`: an interval rounded to one a person would
/// choose.
fn round_interval(ms: Millis) -> Millis {
    const STEPS: [(Millis, Millis); 27] = [
        (15, 10),
        (35, 20),
        (75, 50),
        (150, 100),
        (350, 200),
        (750, 500),
        (1_500, 1_000),
        (3_500, 2_000),
        (7_500, 5_000),
        (12_500, 10_000),
        (17_500, 15_000),
        (25_000, 20_000),
        (45_000, 30_000),
        (90_000, 60_000),
        (210_000, 120_000),
        (450_000, 300_000),
        (780_000, 600_000),
        (1_200_000, 900_000),
        (2_700_000, 1_200_000),
        (5_400_000, 3_600_000),
        (9_000_000, 7_200_000),
        (16_200_000, 10_800_000),
        (32_400_000, 21_600_000),
        (86_400_000, 43_200_000),
        (604_800_000, 86_400_000),
        (1_814_400_000, 604_800_000),
        (3_628_800_000, 2_592_000_000),
    ];
    STEPS
        .iter()
        .find(|(below, _)| ms < *below)
        .map_or(31_536_000_000, |(_, to)| *to)
}

/// The resolved variables and the built-ins of one query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scope {
    vars: BTreeMap<String, Resolved>,
    builtins: BTreeMap<&'static str, String>,
}

fn reference() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Grafana's variable pattern; a literal, so it compiles.
    #[allow(clippy::unwrap_used)]
    RE.get_or_init(|| {
        Regex::new(
            r"\$([A-Za-z0-9_]+)|\[\[([A-Za-z0-9_]+?)(?::([A-Za-z0-9_]+))?\]\]|\$\{([A-Za-z0-9_]+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}",
        )
        .unwrap()
    })
}

impl Scope {
    pub fn insert(&mut self, var: Resolved) {
        self.vars.insert(var.name.clone(), var);
    }

    pub fn get(&self, name: &str) -> Option<&Resolved> {
        self.vars.get(name)
    }

    /// This scope with the built-ins of a query at `step` in `time`.
    pub fn with_builtins(&self, time: &TimeContext, step: Millis) -> Scope {
        let mut scope = self.clone();
        scope.builtins = time.builtins(step).into_iter().collect();
        scope
    }

    /// `text` with every known variable replaced; unknown ones are left
    /// as written, as Grafana leaves them.
    pub fn interpolate(&self, text: &str, context: Context) -> String {
        reference()
            .replace_all(text, |caps: &regex::Captures| {
                let whole = caps.get(0).map_or("", |m| m.as_str());
                let name = caps
                    .get(1)
                    .or_else(|| caps.get(2))
                    .or_else(|| caps.get(4))
                    .map_or("", |m| m.as_str());
                let format = caps
                    .get(3)
                    .or_else(|| caps.get(6))
                    .map(|m| Format::from_name(m.as_str()));
                if let Some(value) = self.builtins.get(name) {
                    return value.clone();
                }
                match self.vars.get(name) {
                    Some(var) => var.format(format, context),
                    None => whole.to_string(),
                }
            })
            .into_owned()
    }
}

/// A variable query of Grafana's Prometheus data source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableQuery {
    /// `label_values(label)` or `label_values(selector, label)`.
    LabelValues {
        selector: Option<String>,
        label: String,
    },
    /// `label_names()` or `label_names(selector)`.
    LabelNames { selector: Option<String> },
    /// `metrics(regex)`: metric names the regex finds (unanchored).
    Metrics { regex: String },
    /// `query_result(expr)`: each sample of an instant query as
    /// `name{labels} value timestamp_ms`.
    QueryResult { expr: String },
}

/// Why a variable has no options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableErrorKind {
    /// Not one of the query forms of [`VariableQuery`].
    UnknownQuery,
    /// The `regex` field does not compile.
    BadRegex,
    /// The data source answered with an error.
    Api,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableError {
    pub variable: String,
    pub kind: VariableErrorKind,
    pub message: String,
}

impl fmt::Display for VariableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "variable {:?}: {}", self.variable, self.message)
    }
}

impl std::error::Error for VariableError {}

impl VariableQuery {
    /// Reads a variable query; anything else is `UnknownQuery` with what
    /// was expected.
    pub fn parse(text: &str) -> Result<VariableQuery, String> {
        let text = text.trim();
        let call = |name: &str| -> Option<&str> {
            text.strip_prefix(name)?
                .trim_start()
                .strip_prefix('(')?
                .strip_suffix(')')
                .map(str::trim)
        };
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_string());
        if let Some(args) = call("label_values") {
            // The label is after the last comma outside braces and quotes.
            return match split_last_arg(args) {
                (Some(selector), label) if is_label_name(label) => {
                    Ok(VariableQuery::LabelValues {
                        selector: optional(selector),
                        label: label.to_string(),
                    })
                }
                (None, label) if is_label_name(label) => Ok(VariableQuery::LabelValues {
                    selector: None,
                    label: label.to_string(),
                }),
                _ => Err(format!(
                    "label_values({args}): expected label_values(label) or label_values(selector, label)"
                )),
            };
        }
        if let Some(args) = call("label_names") {
            return Ok(VariableQuery::LabelNames {
                selector: optional(args),
            });
        }
        if let Some(args) = call("metrics") {
            return Ok(VariableQuery::Metrics {
                regex: args.to_string(),
            });
        }
        if let Some(args) = call("query_result") {
            return Ok(VariableQuery::QueryResult {
                expr: args.to_string(),
            });
        }
        Err(format!(
            "{text:?}: expected label_values(...), label_names(), metrics(regex) or query_result(expr)"
        ))
    }

    /// The API request that answers this query over `time`.
    pub fn request(&self, time: &TimeContext) -> ApiRequest {
        let (start, end) = (Some(time.from), Some(time.to));
        match self {
            VariableQuery::LabelValues { selector, label } => ApiRequest::LabelValues {
                name: label.clone(),
                matchers: selector.iter().cloned().collect(),
                start,
                end,
            },
            VariableQuery::LabelNames { selector } => ApiRequest::Labels {
                matchers: selector.iter().cloned().collect(),
                start,
                end,
            },
            VariableQuery::Metrics { .. } => ApiRequest::LabelValues {
                name: "__name__".to_string(),
                matchers: Vec::new(),
                start,
                end,
            },
            VariableQuery::QueryResult { expr } => ApiRequest::Query {
                query: expr.clone(),
                time: Some(time.to),
            },
        }
    }

    /// The option texts in an answer to [`VariableQuery::request`].
    pub fn texts(&self, response: ApiResponse) -> Result<Vec<String>, String> {
        let data = match response {
            ApiResponse::Success { data, .. } => data,
            ApiResponse::Error(e) => return Err(e.error),
        };
        match (self, data) {
            (VariableQuery::Metrics { regex }, ApiData::Strings(names)) => {
                let re = Regex::new(regex).map_err(|e| e.to_string())?;
                Ok(names.into_iter().filter(|n| re.is_match(n)).collect())
            }
            (_, ApiData::Strings(values)) => Ok(values),
            (_, ApiData::Query(QueryResult::Vector(samples))) => Ok(samples
                .into_iter()
                .map(|s| {
                    let name = s.metric.get("__name__").to_string();
                    let labels: Vec<String> = s
                        .metric
                        .iter()
                        .filter(|l| l.name != "__name__")
                        .map(|l| format!("{}=\"{}\"", l.name, l.value))
                        .collect();
                    format!(
                        "{name}{{{}}} {} {}",
                        labels.join(","),
                        format_float(s.value.v),
                        s.value.t
                    )
                })
                .collect()),
            (_, ApiData::Query(QueryResult::Scalar(p))) => Ok(vec![format_float(p.v)]),
            (_, ApiData::Query(QueryResult::String(s))) => Ok(vec![s.v]),
            _ => Err("the answer is not a list of values".to_string()),
        }
    }
}

/// `(selector, label)` split at the last top-level comma.
fn split_last_arg(args: &str) -> (Option<&str>, &str) {
    let (mut depth, mut quote) = (0i32, None::<char>);
    let mut last = None;
    let mut escaped = false;
    for (i, c) in args.char_indices() {
        match (quote, c) {
            (Some(_), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'' | '`') => quote = Some(c),
            (None, '{' | '(' | '[') => depth += 1,
            (None, '}' | ')' | ']') => depth -= 1,
            (None, ',') if depth == 0 => last = Some(i),
            _ => {}
        }
        escaped = false;
    }
    match last {
        Some(i) => (Some(args[..i].trim()), args[i + 1..].trim()),
        None => (None, args.trim()),
    }
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A variable's `regex` (`/pattern/flags` or a bare pattern) applied to
/// the option texts: those that do not match are dropped; the first
/// capture group (or the groups named `value` and `text`) becomes the
/// option. Duplicates are dropped.
pub fn apply_regex(texts: Vec<String>, regex: Option<&str>) -> Result<Vec<VarOption>, String> {
    let mut out: Vec<VarOption> = Vec::new();
    let re = match regex {
        None => None,
        Some(r) => Some(compile_js_regex(r)?),
    };
    for text in texts {
        let option = match &re {
            None => VarOption::same(&text),
            Some(re) => {
                let Some(caps) = re.captures(&text) else {
                    continue;
                };
                let named = |n: &str| caps.name(n).map(|m| m.as_str().to_string());
                match (named("value"), named("text")) {
                    (Some(value), text) => VarOption {
                        text: text.unwrap_or_else(|| value.clone()),
                        value,
                    },
                    (None, Some(text)) => VarOption::same(&text),
                    (None, None) => match caps.get(1) {
                        Some(m) => VarOption::same(m.as_str()),
                        None => VarOption::same(&text),
                    },
                }
            }
        };
        if !out.iter().any(|o| o.value == option.value) {
            out.push(option);
        }
    }
    Ok(out)
}

/// `/pattern/flags` as JavaScript writes it (flag `i` kept), or a bare
/// pattern.
fn compile_js_regex(text: &str) -> Result<Regex, String> {
    let (pattern, flags) = match text.strip_prefix('/').and_then(|r| r.rsplit_once('/')) {
        Some((pattern, flags)) => (pattern, flags),
        None => (text, ""),
    };
    let prefix = if flags.contains('i') { "(?i)" } else { "" };
    // JavaScript's named groups are `(?<name>...)`, which `regex` reads too.
    Regex::new(&format!("{prefix}{pattern}")).map_err(|e| format!("regex {text:?}: {e}"))
}

/// Sorts options by a variable's `sort` code: 1/2 alphabetical, 3/4
/// numerical (the first number in the text), 5/6 alphabetical ignoring
/// case, 7/8 natural; odd ascending, even descending; 0 leaves the order.
pub fn sort_options(options: &mut [VarOption], code: u8) {
    let by: fn(&VarOption, &VarOption) -> Ordering = match code {
        1 | 2 => |a, b| a.text.cmp(&b.text),
        3 | 4 => |a, b| first_number(&a.text).cmp(&first_number(&b.text)),
        5 | 6 => |a, b| a.text.to_lowercase().cmp(&b.text.to_lowercase()),
        7 | 8 => |a, b| natural(&a.text, &b.text),
        _ => return,
    };
    options.sort_by(by);
    if code.is_multiple_of(2) {
        options.reverse();
    }
}

/// The first run of digits, as Grafana's numerical sort reads it; -1 when
/// there is none.
fn first_number(s: &str) -> i64 {
    let digits: String = s
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().unwrap_or(-1)
}

/// Natural order: runs of digits compare as numbers.
fn natural(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let na = a.len() - a.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let nb = b.len() - b.trim_start_matches(|c: char| c.is_ascii_digit()).len();
                let (da, db) = (
                    a[..na].trim_start_matches('0'),
                    b[..nb].trim_start_matches('0'),
                );
                let order = da.len().cmp(&db.len()).then_with(|| da.cmp(db));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (&a[na..], &b[nb..]);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

/// A custom variable's options: `a, b, c`, `\,` for a comma in a value,
/// `text : value` for a different text.
fn custom_options(query: &str) -> Vec<VarOption> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = query.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&',') => {
                current.push(',');
                chars.next();
            }
            ',' => items.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    items.push(current);
    items
        .into_iter()
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once(" : ") {
            Some((text, value)) => VarOption {
                text: text.trim().to_string(),
                value: value.trim().to_string(),
            },
            None => VarOption::same(&item),
        })
        .collect()
}

/// Resolves a dashboard's variables in order, each query interpolated
/// with the variables before it and answered by `api`. `selected` sets a
/// variable's selection by name (`$__all` for All); otherwise the
/// dashboard's `current` is kept when it is still an option, else the
/// first option. Errors are per variable; the others still resolve.
pub fn resolve(
    dashboard: &Dashboard,
    selected: &BTreeMap<String, Vec<String>>,
    time: &TimeContext,
    api: &mut dyn FnMut(&ApiRequest) -> ApiResponse,
) -> (Scope, Vec<VariableError>) {
    let mut scope = Scope::default().with_builtins(time, time.interval);
    let mut errors = Vec::new();
    for var in dashboard.variables() {
        let options = match options_of(var, &scope, time, api) {
            Ok(options) => options,
            Err((kind, message)) => {
                errors.push(VariableError {
                    variable: var.name.clone(),
                    kind,
                    message,
                });
                Vec::new()
            }
        };
        let wanted = selected
            .get(&var.name)
            .cloned()
            .unwrap_or_else(|| var.current_values());
        scope.insert(select(var, options, wanted));
    }
    (scope, errors)
}

type OptionsResult = Result<Vec<VarOption>, (VariableErrorKind, String)>;

fn options_of(
    var: &Variable,
    scope: &Scope,
    time: &TimeContext,
    api: &mut dyn FnMut(&ApiRequest) -> ApiResponse,
) -> OptionsResult {
    let query = scope.interpolate(var.query_text(), Context::Query);
    let texts = match var.kind() {
        VariableKind::Query => {
            let parsed =
                VariableQuery::parse(&query).map_err(|e| (VariableErrorKind::UnknownQuery, e))?;
            parsed
                .texts(api(&parsed.request(time)))
                .map_err(|e| (VariableErrorKind::Api, e))?
        }
        VariableKind::Custom | VariableKind::Interval => {
            return Ok(custom_options(&query));
        }
        VariableKind::Constant | VariableKind::Textbox => vec![query],
        VariableKind::Datasource => vec!["PromLab".to_string()],
        VariableKind::Other => Vec::new(),
    };
    let mut options =
        apply_regex(texts, var.regex()).map_err(|e| (VariableErrorKind::BadRegex, e))?;
    sort_options(&mut options, var.sort_code());
    Ok(options)
}

fn select(var: &Variable, options: Vec<VarOption>, wanted: Vec<String>) -> Resolved {
    let include_all = var.include_all();
    let kept: Vec<String> = wanted
        .iter()
        .filter(|w| options.iter().any(|o| &o.value == *w))
        .cloned()
        .collect();
    let textbox = var.kind() == VariableKind::Textbox && !wanted.is_empty();
    let all_selected = include_all && wanted.iter().any(|w| w == ALL);
    let current = if textbox {
        wanted
    } else if all_selected || !kept.is_empty() {
        kept
    } else {
        options
            .first()
            .map(|o| vec![o.value.clone()])
            .unwrap_or_default()
    };
    // With no option to pick, All (when offered) is what Grafana shows.
    let all_selected = all_selected || (include_all && current.is_empty() && !options.is_empty());
    Resolved {
        name: var.name.clone(),
        options,
        current,
        all_selected,
        multi: var.is_multi(),
        include_all,
        all_value: var.all_value().map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn scope() -> Scope {
        let mut scope = Scope::default();
        scope.insert(Resolved::single("job", "node-exporter"));
        scope.insert(Resolved::single("path", r"C:\x'y"));
        scope.insert(Resolved::multi("node", &["10.0.0.1:9100", "b"]));
        scope.insert(Resolved::multi("one", &["a.b"]));
        scope.insert(Resolved {
            include_all: true,
            all_selected: true,
            ..Resolved::multi("all", &["x", "y+"])
        });
        scope.insert(Resolved {
            include_all: true,
            all_selected: true,
            all_value: Some(".*".into()),
            ..Resolved::multi("star", &["x", "y"])
        });
        let time = TimeContext::new(0, 3_600_000, 240);
        scope.with_builtins(&time, 30_000)
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn references_are_replaced_as_grafana_replaces_them() {
        // (text, context, expected)
        let cases = [
            (
                r#"up{job="$job"}"#,
                Context::Query,
                r#"up{job="node-exporter"}"#,
            ),
            (
                r#"up{job="${job}"}"#,
                Context::Query,
                r#"up{job="node-exporter"}"#,
            ),
            (
                r#"up{job="[[job]]"}"#,
                Context::Query,
                r#"up{job="node-exporter"}"#,
            ),
            ("$jobs $job_x", Context::Query, "$jobs $job_x"),
            (r#"x{p="$path"}"#, Context::Query, r#"x{p="C:\\x\\'y"}"#),
            (
                r#"up{i=~"$node"}"#,
                Context::Query,
                r#"up{i=~"(10\\.0\\.0\\.1:9100|b)"}"#,
            ),
            (r#"up{i=~"$one"}"#, Context::Query, r#"up{i=~"a\\.b"}"#),
            (r#"up{i=~"$all"}"#, Context::Query, r#"up{i=~"(x|y\\+)"}"#),
            (r#"up{i=~"$star"}"#, Context::Query, r#"up{i=~".*"}"#),
            ("${node:regex}", Context::Query, r"(10\.0\.0\.1:9100|b)"),
            ("${node:pipe}", Context::Query, "10.0.0.1:9100|b"),
            ("[[node:csv]]", Context::Query, "10.0.0.1:9100,b"),
            ("${node:glob}", Context::Query, "{10.0.0.1:9100,b}"),
            ("${node:json}", Context::Query, r#"["10.0.0.1:9100","b"]"#),
            ("${node:nonsense}", Context::Query, "{10.0.0.1:9100,b}"),
            ("${one:regex}", Context::Query, r"a\.b"),
            ("Node $node", Context::Text, "Node 10.0.0.1:9100 + b"),
            ("$all", Context::Text, "All"),
            ("rate(x[$__rate_interval])", Context::Query, "rate(x[60s])"),
            ("rate(x[$__interval])", Context::Query, "rate(x[30s])"),
            ("${__interval_ms}", Context::Query, "30000"),
            (
                "[$__range] $__range_s $__range_ms",
                Context::Query,
                "[3600s] 3600 3600000",
            ),
            (
                "$undefined ${undefined:regex}",
                Context::Query,
                "$undefined ${undefined:regex}",
            ),
        ];
        let scope = scope();
        for (text, context, want) in cases {
            assert_eq!(scope.interpolate(text, context), want, "{text}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn intervals_and_steps_follow_grafana() {
        let hour = TimeContext::new(0, 3_600_000, 1000);
        assert_eq!(hour.interval, 5_000);
        let day = TimeContext::new(0, 86_400_000, 1000);
        assert_eq!(day.interval, 60_000);
        let scope = Scope::default();
        // (interval, intervalFactor, expected step)
        let cases = [
            (None, None, 5_000),
            (Some("1m"), None, 60_000),
            (Some("1s"), None, 5_000),
            (None, Some(3), 15_000),
            (Some("bogus"), None, 5_000),
        ];
        for (interval, factor, want) in cases {
            let target = Target {
                interval: interval.map(|i: &str| Some(i.to_string())),
                interval_factor: factor.map(|f: u32| Some(f.into())),
                ..Target::default()
            };
            assert_eq!(
                hour.step_for(&target, &scope),
                want,
                "{interval:?} {factor:?}"
            );
        }
        // A year in 1000 points would pass 11,000 points per series at
        // a 1s step; the safe interval keeps it under.
        let year = TimeContext::new(0, 365 * 86_400_000, 100_000);
        let step = year.step_for(&Target::default(), &scope);
        assert!(year.range() / step <= 11_000, "{step}");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn variable_queries_are_read() {
        let cases = [
            (
                "label_values(instance)",
                Ok(VariableQuery::LabelValues {
                    selector: None,
                    label: "instance".into(),
                }),
            ),
            (
                r#" label_values(node_uname_info{job="a,b", x=~"(1|2)"}, nodename) "#,
                Ok(VariableQuery::LabelValues {
                    selector: Some(r#"node_uname_info{job="a,b", x=~"(1|2)"}"#.into()),
                    label: "nodename".into(),
                }),
            ),
            (
                "label_names()",
                Ok(VariableQuery::LabelNames { selector: None }),
            ),
            (
                "metrics(node_.*)",
                Ok(VariableQuery::Metrics {
                    regex: "node_.*".into(),
                }),
            ),
            (
                "query_result(topk(3, up))",
                Ok(VariableQuery::QueryResult {
                    expr: "topk(3, up)".into(),
                }),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(VariableQuery::parse(text), want, "{text}");
        }
        for bad in ["up", "label_values(up, 1abc)", "label_values(", ""] {
            assert!(VariableQuery::parse(bad).is_err(), "{bad}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn regex_filters_captures_and_sorts() {
        let texts = || {
            ["10.0.0.12:9100", "10.0.0.2:9100", "10.0.0.11:9100", "other"]
                .map(String::from)
                .to_vec()
        };
        let values = |options: &[VarOption]| -> Vec<String> {
            options.iter().map(|o| o.value.clone()).collect()
        };
        // (regex, sort, expected values)
        let cases: [(Option<&str>, u8, &[&str]); 7] = [
            (
                None,
                0,
                &["10.0.0.12:9100", "10.0.0.2:9100", "10.0.0.11:9100", "other"],
            ),
            (
                Some("/(.*):9100/"),
                1,
                &["10.0.0.11", "10.0.0.12", "10.0.0.2"],
            ),
            (
                Some("/(.*):9100/"),
                2,
                &["10.0.0.2", "10.0.0.12", "10.0.0.11"],
            ),
            (
                Some("/(.*):9100/"),
                7,
                &["10.0.0.2", "10.0.0.11", "10.0.0.12"],
            ),
            (Some("/OTHER/i"), 0, &["other"]),
            // Sorted by text, all "9100": the order stays.
            (
                Some("/(?<value>[^:]*):(?<text>.*)/"),
                1,
                &["10.0.0.12", "10.0.0.2", "10.0.0.11"],
            ),
            (
                Some(".*:9100"),
                3,
                &["10.0.0.12:9100", "10.0.0.2:9100", "10.0.0.11:9100"],
            ),
        ];
        for (regex, sort, want) in cases {
            let mut options = apply_regex(texts(), regex).unwrap();
            sort_options(&mut options, sort);
            assert_eq!(values(&options), want, "{regex:?} {sort}");
        }
        let named = apply_regex(texts(), Some("/(?<value>[^:]*):(?<text>.*)/")).unwrap();
        assert_eq!(named[0].text, "9100");
        assert!(apply_regex(texts(), Some("/(/")).is_err());
        // Numerical sort: the first number; none sorts first.
        let mut options: Vec<VarOption> = ["b10", "a9", "z"].map(VarOption::same).to_vec();
        sort_options(&mut options, 3);
        assert_eq!(values(&options), ["z", "a9", "b10"]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn custom_values_split_on_commas() {
        let got = custom_options(r"a, b\,c ,Big : big,, ");
        let want = [("a", "a"), ("b,c", "b,c"), ("Big", "big")];
        assert_eq!(
            got.iter()
                .map(|o| (o.text.as_str(), o.value.as_str()))
                .collect::<Vec<_>>(),
            want
        );
    }
}
