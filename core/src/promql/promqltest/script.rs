//! The script syntax: `load`, `clear` and `eval` commands, each a header
//! line and the lines under it up to the next empty line, read as
//! Prometheus's runner reads them (including the deprecated `eval_fail`,
//! `eval_warn`, `eval_info`, `eval_ordered`, `expected_fail_message` and
//! `expected_fail_regexp` forms its scripts still use, and the newer
//! `expect string`).
//!
//! Queries are kept as text: whether the engine parses them is part of
//! what a run finds out, not a script error.

use super::series::{
    parse_go_number, parse_series_desc, SequenceValue, SeriesDesc, SeriesErrorKind,
};
use crate::clock::{Millis, Timestamp};
use crate::diagnostic::{line_col, Diagnostic, Span};
use crate::duration::parse_duration;
use crate::labels::Labels;
use regex::Regex;
use std::fmt;
use std::sync::OnceLock;

/// The most values all series of one script may expand to. Prometheus's
/// largest script expands to about 33 000; the bound keeps a short script
/// with huge repetition counts from exhausting the memory.
pub const MAX_VALUES_PER_SCRIPT: usize = 10_000_000;

/// A parsed script: its commands in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub commands: Vec<Command>,
}

/// One command. `line` is the 1-based line of its header.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Load(Load),
    Clear { line: usize },
    Eval(Eval),
}

/// `load <interval>` (or `load_with_nhcb`) and its series.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    pub line: usize,
    pub interval: Millis,
    /// `load_with_nhcb`: Prometheus also converts classic histograms to
    /// native histograms with custom buckets.
    pub with_nhcb: bool,
    pub series: Vec<LoadSeries>,
}

/// One series of a `load`: its samples start at time 0, one per interval.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadSeries {
    pub line: usize,
    pub labels: Labels,
    pub values: Vec<SequenceValue>,
}

/// An `eval` command: a query, when to evaluate it, and what to expect.
#[derive(Debug, Clone, PartialEq)]
pub struct Eval {
    pub line: usize,
    pub query: String,
    pub kind: EvalKind,
    pub expect: Expectations,
}

/// Instant or range evaluation; times are milliseconds from time 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalKind {
    Instant {
        at: Timestamp,
    },
    Range {
        start: Timestamp,
        end: Timestamp,
        step: Millis,
    },
}

/// Everything an `eval` asserts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Expectations {
    /// The query must fail, with an error matching every entry.
    pub fail: Option<Vec<TextMatch>>,
    /// The series must come in the order given (`expect ordered`).
    pub ordered: bool,
    pub annotations: Vec<AnnotationExpectation>,
    pub result: ExpectedResult,
}

/// The expected value of a successful query.
#[derive(Debug, Clone, PartialEq)]
pub enum ExpectedResult {
    /// Series lines (none: an empty result).
    Series(Vec<ExpectedSeries>),
    /// A lone number line.
    Scalar(f64),
    /// `expect string "…"`.
    String(String),
}

impl Default for ExpectedResult {
    fn default() -> Self {
        ExpectedResult::Series(Vec::new())
    }
}

impl ExpectedResult {
    pub fn has_histograms(&self) -> bool {
        match self {
            ExpectedResult::Series(series) => series
                .iter()
                .any(|s| s.values.contains(&SequenceValue::Histogram)),
            ExpectedResult::Scalar(_) | ExpectedResult::String(_) => false,
        }
    }
}

/// One expected series. `position` is its 1-based place among the series
/// lines, checked when the result must be ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedSeries {
    pub line: usize,
    pub position: usize,
    pub labels: Labels,
    pub values: Vec<SequenceValue>,
}

/// How an error or annotation message must read.
#[derive(Debug, Clone, PartialEq)]
pub enum TextMatch {
    Any,
    /// `msg:` — the whole message.
    Exact(String),
    /// `regex:` — somewhere in the message.
    Regex(Pattern),
}

impl TextMatch {
    pub fn matches(&self, text: &str) -> bool {
        match self {
            TextMatch::Any => true,
            TextMatch::Exact(m) => m == text,
            TextMatch::Regex(p) => p.0.is_match(text),
        }
    }
}

impl fmt::Display for TextMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextMatch::Any => f.write_str("any message"),
            TextMatch::Exact(m) => write!(f, "{m:?}"),
            TextMatch::Regex(p) => write!(f, "the pattern {:?}", p.0.as_str()),
        }
    }
}

/// A compiled regular expression, compared by its text.
#[derive(Debug, Clone)]
pub struct Pattern(pub Regex);

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

/// An `expect warn|info|no_warn|no_info` line (or `eval_warn`/`eval_info`).
#[derive(Debug, Clone, PartialEq)]
pub enum AnnotationExpectation {
    Warn(TextMatch),
    Info(TextMatch),
    NoWarn,
    NoInfo,
}

/// Why a script does not parse.
#[derive(Debug, Clone, PartialEq)]
pub enum ScriptErrorKind {
    /// A line that starts no command.
    InvalidCommand(String),
    /// `load` without a valid form.
    InvalidLoad,
    /// `eval` that is neither the instant nor the range form.
    InvalidEval,
    InvalidDuration {
        what: &'static str,
        text: String,
        message: String,
    },
    EndBeforeStart,
    /// An `expect` line that does not read `expect <type> [msg|regex: …]`.
    InvalidExpect,
    /// Expectations that cannot hold together (`warn` and `no_warn`, …).
    ConflictingExpect(&'static str),
    InvalidRegex {
        pattern: String,
        message: String,
    },
    InvalidExpectString,
    /// An instant eval that expects more than one value for a series.
    MultipleValuesInInstant,
    Series(SeriesErrorKind),
    /// The series of the whole script expand to more than
    /// [`MAX_VALUES_PER_SCRIPT`] values.
    TooManyValues,
    /// The script is not UTF-8 text (for callers that read bytes).
    NotUtf8,
}

impl fmt::Display for ScriptErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScriptErrorKind::InvalidCommand(l) => write!(
                f,
                "invalid command {l:?}: expected load, load_with_nhcb, clear or eval"
            ),
            ScriptErrorKind::InvalidLoad => {
                f.write_str("invalid load command, expected load[_with_nhcb] <interval>")
            }
            ScriptErrorKind::InvalidEval => f.write_str(
                "invalid eval command, expected eval[_fail|_warn|_info|_ordered] instant at <time> <query> \
                 or eval[_fail|_warn|_info] range from <start> to <end> step <step> <query>",
            ),
            ScriptErrorKind::InvalidDuration {
                what,
                text,
                message,
            } => write!(f, "invalid {what} {text:?}: {message}"),
            ScriptErrorKind::EndBeforeStart => {
                f.write_str("the end of the range is before its start")
            }
            ScriptErrorKind::InvalidExpect => f.write_str(
                "invalid expect line, expected expect <fail|warn|info|no_warn|no_info|ordered> \
                 [msg|regex: <text>] or expect string \"<text>\"",
            ),
            ScriptErrorKind::ConflictingExpect(m) => f.write_str(m),
            ScriptErrorKind::InvalidRegex { pattern, message } => {
                write!(f, "invalid regular expression {pattern:?}: {message}")
            }
            ScriptErrorKind::InvalidExpectString => {
                f.write_str("expect string needs a quoted string literal")
            }
            ScriptErrorKind::MultipleValuesInInstant => {
                f.write_str("an instant eval expects one value per series")
            }
            ScriptErrorKind::Series(k) => k.fmt(f),
            ScriptErrorKind::TooManyValues => write!(
                f,
                "the script's series expand to more than {MAX_VALUES_PER_SCRIPT} values"
            ),
            ScriptErrorKind::NotUtf8 => f.write_str("the script is not UTF-8 text"),
        }
    }
}

/// A script error: what, and where (a byte span into the script and the
/// 1-based line and column of its start).
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptError {
    pub span: Span,
    pub line: usize,
    pub column: usize,
    pub kind: ScriptErrorKind,
}

impl ScriptError {
    fn new(source: &str, span: Span, kind: ScriptErrorKind) -> Self {
        let at = line_col(source, span.start);
        ScriptError {
            span,
            line: at.line,
            column: at.col,
            kind,
        }
    }

    /// An error at byte `offset` of a script that is not UTF-8.
    pub fn not_utf8(bytes: &[u8], offset: usize) -> Self {
        let before = bytes.get(..offset).unwrap_or(bytes);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        ScriptError {
            span: Span::at(offset),
            line,
            column: offset.saturating_sub(line_start) + 1,
            kind: ScriptErrorKind::NotUtf8,
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.kind.to_string())
    }

    /// `line:col: message`, the line and a caret.
    pub fn render(&self, source: &str) -> String {
        self.to_diagnostic().render(source)
    }
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.kind)
    }
}

impl std::error::Error for ScriptError {}

/// A line with comments blanked and spaces trimmed, as the runner sees it.
struct Line<'a> {
    /// 1-based.
    number: usize,
    /// Byte offset of `text` in the script.
    start: usize,
    text: &'a str,
}

fn lines(source: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, raw) in source.split('\n').enumerate() {
        let trimmed_start = raw.trim_start();
        let start = offset + (raw.len() - trimmed_start.len());
        let mut text = trimmed_start.trim_end();
        if text.starts_with('#') {
            text = "";
        }
        out.push(Line {
            number: i + 1,
            start,
            text,
        });
        offset += raw.len() + 1;
    }
    out
}

// Whitespace as Go's regexp `\s` has it (ASCII only).
const LOAD_PATTERN: &str = r"^load(?:_(with_nhcb))?[\t\n\f\r ]+(.+?)$";
const EVAL_INSTANT_PATTERN: &str = r"^eval(?:_(fail|warn|ordered|info))?[\t\n\f\r ]+instant[\t\n\f\r ]+(?:at[\t\n\f\r ]+(.+?))?[\t\n\f\r ]+(.+)$";
const EVAL_RANGE_PATTERN: &str = r"^eval(?:_(fail|warn|info))?[\t\n\f\r ]+range[\t\n\f\r ]+from[\t\n\f\r ]+(.+)[\t\n\f\r ]+to[\t\n\f\r ]+(.+)[\t\n\f\r ]+step[\t\n\f\r ]+(.+?)[\t\n\f\r ]+(.+)$";
const EXPECT_PATTERN: &str = r"^expect[\t\n\f\r ]+(ordered|fail|warn|no_warn|info|no_info)(?:[\t\n\f\r ]+(regex|msg):(.+))?$";

/// The header patterns, compiled once. They are constants (a unit test
/// compiles them); were one ever to fail, it would match nothing rather
/// than panic.
struct Patterns {
    load: Option<Regex>,
    instant: Option<Regex>,
    range: Option<Regex>,
    expect: Option<Regex>,
}

fn patterns() -> &'static Patterns {
    static PATTERNS: OnceLock<Patterns> = OnceLock::new();
    PATTERNS.get_or_init(|| Patterns {
        load: Regex::new(LOAD_PATTERN).ok(),
        instant: Regex::new(EVAL_INSTANT_PATTERN).ok(),
        range: Regex::new(EVAL_RANGE_PATTERN).ok(),
        expect: Regex::new(EXPECT_PATTERN).ok(),
    })
}

fn captures<'t>(re: &Option<Regex>, text: &'t str) -> Option<regex::Captures<'t>> {
    re.as_ref()?.captures(text)
}

/// Parses a script.
pub fn parse_script(source: &str) -> Result<Script, ScriptError> {
    let lines = lines(source);
    let mut p = ScriptParser {
        source,
        lines: &lines,
        commands: Vec::new(),
        values: 0,
    };
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if line.text.is_empty() {
            i += 1;
            continue;
        }
        let first = line
            .text
            .split([' ', '\t'])
            .next()
            .unwrap_or("")
            .to_lowercase();
        i = if first == "clear" {
            p.commands.push(Command::Clear { line: line.number });
            i + 1
        } else if first.starts_with("load") {
            p.load(i)?
        } else if first.starts_with("eval") {
            p.eval(i)?
        } else {
            return Err(p.error_at(
                line,
                0,
                line.text.len(),
                ScriptErrorKind::InvalidCommand(line.text.to_string()),
            ));
        };
    }
    Ok(Script {
        commands: p.commands,
    })
}

struct ScriptParser<'s, 'l> {
    source: &'s str,
    lines: &'l [Line<'s>],
    commands: Vec<Command>,
    /// Values expanded so far, against `MAX_VALUES_PER_SCRIPT`.
    values: usize,
}

impl<'s> ScriptParser<'s, '_> {
    fn error_at(
        &self,
        line: &Line<'_>,
        from: usize,
        to: usize,
        kind: ScriptErrorKind,
    ) -> ScriptError {
        ScriptError::new(
            self.source,
            Span::new(line.start + from, line.start + to),
            kind,
        )
    }

    /// The series description on `line`, counted against the script's
    /// bound.
    fn series(&mut self, line: &Line<'_>) -> Result<SeriesDesc, ScriptError> {
        let desc = parse_series_desc(line.text).map_err(|e| {
            self.error_at(line, e.offset, e.offset, ScriptErrorKind::Series(e.kind))
        })?;
        self.values = self.values.saturating_add(desc.values.len());
        if self.values > MAX_VALUES_PER_SCRIPT {
            return Err(self.error_at(line, 0, line.text.len(), ScriptErrorKind::TooManyValues));
        }
        Ok(desc)
    }

    /// A duration captured from `line` (`what` names it in errors).
    fn duration(
        &self,
        line: &Line<'_>,
        caps: &regex::Captures<'_>,
        group: usize,
        what: &'static str,
    ) -> Result<Millis, ScriptError> {
        let (text, from, to) = match caps.get(group) {
            Some(m) => (m.as_str(), m.start(), m.end()),
            None => ("", line.text.len(), line.text.len()),
        };
        parse_duration(text).map_err(|message| {
            self.error_at(
                line,
                from,
                to,
                ScriptErrorKind::InvalidDuration {
                    what,
                    text: text.to_string(),
                    message,
                },
            )
        })
    }

    /// The command starting at `lines[i]`; returns the index after it.
    fn load(&mut self, i: usize) -> Result<usize, ScriptError> {
        let Some(header) = self.lines.get(i) else {
            return Ok(i + 1);
        };
        let Some(caps) = captures(&patterns().load, header.text) else {
            return Err(self.error_at(header, 0, header.text.len(), ScriptErrorKind::InvalidLoad));
        };
        let interval = self.duration(header, &caps, 2, "load interval")?;
        let mut load = Load {
            line: header.number,
            interval,
            with_nhcb: caps.get(1).is_some(),
            series: Vec::new(),
        };
        let mut i = i + 1;
        while let Some(line) = self.lines.get(i).filter(|l| !l.text.is_empty()) {
            let desc = self.series(line)?;
            // A series given twice in one load: the last line wins.
            load.series.retain(|s| s.labels != desc.labels);
            load.series.push(LoadSeries {
                line: line.number,
                labels: desc.labels,
                values: desc.values,
            });
            i += 1;
        }
        self.commands.push(Command::Load(load));
        Ok(i)
    }

    fn eval(&mut self, i: usize) -> Result<usize, ScriptError> {
        let Some(header) = self.lines.get(i) else {
            return Ok(i + 1);
        };
        let pats = patterns();
        let (modifier, query, kind) = if let Some(c) = captures(&pats.instant, header.text) {
            let at = self.duration(header, &c, 2, "evaluation time")?;
            (
                c.get(1).map(|m| m.as_str()),
                c.get(3),
                EvalKind::Instant { at },
            )
        } else if let Some(c) = captures(&pats.range, header.text) {
            let start = self.duration(header, &c, 2, "range start")?;
            let end = self.duration(header, &c, 3, "range end")?;
            if end < start {
                return Err(self.error_at(
                    header,
                    0,
                    header.text.len(),
                    ScriptErrorKind::EndBeforeStart,
                ));
            }
            let step = self.duration(header, &c, 4, "range step")?;
            (
                c.get(1).map(|m| m.as_str()),
                c.get(5),
                EvalKind::Range { start, end, step },
            )
        } else {
            return Err(self.error_at(header, 0, header.text.len(), ScriptErrorKind::InvalidEval));
        };
        let query = query.map_or("", |m| m.as_str()).to_string();
        let mut expect = Expectations::default();
        let deprecated_fail = modifier == Some("fail");
        match modifier {
            Some("fail") => expect.fail = Some(Vec::new()),
            Some("warn") => expect
                .annotations
                .push(AnnotationExpectation::Warn(TextMatch::Any)),
            Some("info") => expect
                .annotations
                .push(AnnotationExpectation::Info(TextMatch::Any)),
            Some("ordered") => expect.ordered = true,
            _ => {}
        }
        let mut series: Vec<ExpectedSeries> = Vec::new();
        let mut scalar = None;
        let mut string = None;
        let mut i = i + 1;
        while let Some(line) = self.lines.get(i).filter(|l| !l.text.is_empty()) {
            i += 1;
            let text = line.text;
            if deprecated_fail {
                if let Some(m) = text.strip_prefix("expected_fail_message") {
                    push_fail(&mut expect, TextMatch::Exact(m.trim().to_string()));
                    break;
                }
                if let Some(p) = text.strip_prefix("expected_fail_regexp") {
                    let p = self.regex(line, p.trim())?;
                    push_fail(&mut expect, TextMatch::Regex(p));
                    break;
                }
            }
            if let Some(rest) = text.strip_prefix("expect string") {
                string = Some(rest.strip_prefix(' ').and_then(go_unquote).ok_or_else(|| {
                    self.error_at(line, 0, text.len(), ScriptErrorKind::InvalidExpectString)
                })?);
                continue;
            }
            if text.split(' ').next() == Some("expect") {
                self.expect_line(line, &mut expect)?;
                continue;
            }
            if let Some(v) = parse_go_number(text) {
                scalar = Some(v);
                break;
            }
            let desc = self.series(line)?;
            if matches!(kind, EvalKind::Instant { .. }) && desc.values.len() > 1 {
                return Err(self.error_at(
                    line,
                    0,
                    text.len(),
                    ScriptErrorKind::MultipleValuesInInstant,
                ));
            }
            // The same series twice: the last line wins, at its position.
            series.retain(|s| s.labels != desc.labels);
            let position = series.iter().map(|s| s.position).max().unwrap_or(0) + 1;
            series.push(ExpectedSeries {
                line: line.number,
                position,
                labels: desc.labels,
                values: desc.values,
            });
        }
        expect.result = match (scalar, string) {
            (Some(v), _) => ExpectedResult::Scalar(v),
            (None, Some(s)) => ExpectedResult::String(s),
            (None, None) => ExpectedResult::Series(series),
        };
        self.commands.push(Command::Eval(Eval {
            line: header.number,
            query,
            kind,
            expect,
        }));
        Ok(i)
    }

    fn regex(&self, line: &Line<'_>, pattern: &str) -> Result<Pattern, ScriptError> {
        Regex::new(pattern).map(Pattern).map_err(|e| {
            self.error_at(
                line,
                0,
                line.text.len(),
                ScriptErrorKind::InvalidRegex {
                    pattern: pattern.to_string(),
                    message: e.to_string(),
                },
            )
        })
    }

    fn expect_line(&self, line: &Line<'_>, expect: &mut Expectations) -> Result<(), ScriptError> {
        let whole = |kind| self.error_at(line, 0, line.text.len(), kind);
        let Some(c) = captures(&patterns().expect, line.text) else {
            return Err(whole(ScriptErrorKind::InvalidExpect));
        };
        let mode = c.get(1).map_or("", |m| m.as_str());
        let text_match = match (c.get(2).map(|m| m.as_str()), c.get(3)) {
            (Some("msg"), Some(m)) => TextMatch::Exact(m.as_str().trim().to_string()),
            (Some("regex"), Some(m)) => TextMatch::Regex(self.regex(line, m.as_str().trim())?),
            _ => TextMatch::Any,
        };
        match mode {
            "fail" => {
                if expect.fail.as_ref().is_some_and(|f| !f.is_empty()) {
                    return Err(whole(ScriptErrorKind::ConflictingExpect(
                        "only one expect fail line is allowed",
                    )));
                }
                push_fail(expect, text_match);
            }
            "ordered" => expect.ordered = true,
            "warn" => expect
                .annotations
                .push(AnnotationExpectation::Warn(text_match)),
            "info" => expect
                .annotations
                .push(AnnotationExpectation::Info(text_match)),
            "no_warn" => expect.annotations.push(AnnotationExpectation::NoWarn),
            "no_info" => expect.annotations.push(AnnotationExpectation::NoInfo),
            _ => return Err(whole(ScriptErrorKind::InvalidExpect)),
        }
        let has = |f: fn(&AnnotationExpectation) -> bool| expect.annotations.iter().any(f);
        if has(|a| matches!(a, AnnotationExpectation::Warn(_)))
            && has(|a| matches!(a, AnnotationExpectation::NoWarn))
        {
            return Err(whole(ScriptErrorKind::ConflictingExpect(
                "warn and no_warn cannot be used together",
            )));
        }
        if has(|a| matches!(a, AnnotationExpectation::Info(_)))
            && has(|a| matches!(a, AnnotationExpectation::NoInfo))
        {
            return Err(whole(ScriptErrorKind::ConflictingExpect(
                "info and no_info cannot be used together",
            )));
        }
        Ok(())
    }
}

fn push_fail(expect: &mut Expectations, m: TextMatch) {
    expect.fail.get_or_insert_with(Vec::new).push(m);
}

/// A Go string literal (`"…"` with escapes, or `` `…` ``), as
/// `strconv.Unquote` reads it.
fn go_unquote(text: &str) -> Option<String> {
    if text.len() >= 2 && text.starts_with('`') && text.ends_with('`') {
        let inner = &text[1..text.len() - 1];
        return (!inner.contains('`')).then(|| inner.to_string());
    }
    if !text.starts_with('"') {
        return None;
    }
    // The series parser reads label values with the same rules.
    let desc = parse_series_desc(&format!("{{x={text}}}")).ok()?;
    desc.values
        .is_empty()
        .then(|| desc.labels.get("x").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn the_patterns_compile() {
        for p in [
            LOAD_PATTERN,
            EVAL_INSTANT_PATTERN,
            EVAL_RANGE_PATTERN,
            EXPECT_PATTERN,
        ] {
            assert!(Regex::new(p).is_ok(), "{p}");
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn commands_load_clear_and_eval() {
        let src = "\
# a comment
load 1m
    metric{a=\"1\"} 1+1x2
\t{__name__=\"other\"} _ 5

eval instant at 2m metric
    metric{a=\"1\"} 3

clear
eval range from 0 to 2m step 1m metric
  metric{a=\"1\"} 1 _ 3
";
        let script = parse_script(src).unwrap();
        assert_eq!(
            script.commands,
            vec![
                Command::Load(Load {
                    line: 2,
                    interval: 60_000,
                    with_nhcb: false,
                    series: vec![
                        LoadSeries {
                            line: 3,
                            labels: labels(&[("__name__", "metric"), ("a", "1")]),
                            values: vec![
                                SequenceValue::Float(1.0),
                                SequenceValue::Float(2.0),
                                SequenceValue::Float(3.0)
                            ],
                        },
                        LoadSeries {
                            line: 4,
                            labels: labels(&[("__name__", "other")]),
                            values: vec![SequenceValue::Omitted, SequenceValue::Float(5.0)],
                        },
                    ],
                }),
                Command::Eval(Eval {
                    line: 6,
                    query: "metric".into(),
                    kind: EvalKind::Instant { at: 120_000 },
                    expect: Expectations {
                        result: ExpectedResult::Series(vec![ExpectedSeries {
                            line: 7,
                            position: 1,
                            labels: labels(&[("__name__", "metric"), ("a", "1")]),
                            values: vec![SequenceValue::Float(3.0)],
                        }]),
                        ..Expectations::default()
                    },
                }),
                Command::Clear { line: 9 },
                Command::Eval(Eval {
                    line: 10,
                    query: "metric".into(),
                    kind: EvalKind::Range {
                        start: 0,
                        end: 120_000,
                        step: 60_000
                    },
                    expect: Expectations {
                        result: ExpectedResult::Series(vec![ExpectedSeries {
                            line: 11,
                            position: 1,
                            labels: labels(&[("__name__", "metric"), ("a", "1")]),
                            values: vec![
                                SequenceValue::Float(1.0),
                                SequenceValue::Omitted,
                                SequenceValue::Float(3.0)
                            ],
                        }]),
                        ..Expectations::default()
                    },
                }),
            ]
        );
    }

    fn only_eval(src: &str) -> Eval {
        match parse_script(src).unwrap().commands.pop() {
            Some(Command::Eval(e)) => e,
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn expectations_new_and_deprecated() {
        let e = only_eval(
            "eval instant at 1m sum(x)\n  expect warn msg: PromQL warning: oops\n  expect no_info\n  expect ordered\n  {a=\"2\"} 1\n  {a=\"1\"} 2\n",
        );
        assert_eq!(
            e.expect.annotations,
            vec![
                AnnotationExpectation::Warn(TextMatch::Exact("PromQL warning: oops".into())),
                AnnotationExpectation::NoInfo
            ]
        );
        assert!(e.expect.ordered);
        let ExpectedResult::Series(s) = &e.expect.result else {
            panic!()
        };
        assert_eq!(
            s.iter()
                .map(|s| (s.position, s.labels.get("a")))
                .collect::<Vec<_>>(),
            vec![(1, "2"), (2, "1")]
        );

        let e = only_eval("eval_fail instant at 0 f(x)\n  expected_fail_message bad thing \"q\"\n");
        assert_eq!(
            e.expect.fail,
            Some(vec![TextMatch::Exact("bad thing \"q\"".into())])
        );
        let e =
            only_eval("eval_fail instant at 0 f(x)\n  expected_fail_regexp bad (thing|stuff)\n");
        assert!(matches!(&e.expect.fail, Some(v) if v.len() == 1 && v[0].matches("a bad stuff!")));
        let e = only_eval("eval instant at 0 f(x)\n  expect fail regex: ^x$\n");
        assert!(matches!(&e.expect.fail, Some(v) if v[0].matches("x") && !v[0].matches("xx")));
        let e = only_eval("eval_fail instant at 0 f(x)\n");
        assert_eq!(e.expect.fail, Some(vec![]));
        let e = only_eval("eval_warn range from 0 to 1m step 30s f(x)\n");
        assert_eq!(
            e.expect.annotations,
            vec![AnnotationExpectation::Warn(TextMatch::Any)]
        );
        let e = only_eval("eval_info instant at 0 f(x)\n");
        assert_eq!(
            e.expect.annotations,
            vec![AnnotationExpectation::Info(TextMatch::Any)]
        );
        let e = only_eval("eval_ordered instant at 0 f(x)\n");
        assert!(e.expect.ordered);
        let e = only_eval("eval instant at 0 scalar(x)\n  -1.5\n");
        assert_eq!(e.expect.result, ExpectedResult::Scalar(-1.5));
        let e = only_eval("eval instant at 0 \"a\"\n  expect string \"a\\nb\"\n");
        assert_eq!(e.expect.result, ExpectedResult::String("a\nb".into()));
        let e = only_eval("eval instant at 0 `a`\n  expect string `a\\n`\n");
        assert_eq!(e.expect.result, ExpectedResult::String("a\\n".into()));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn eval_headers() {
        let e = only_eval("eval instant at 1h30m rate(x[5m])  >  1\n");
        assert_eq!(e.query, "rate(x[5m])  >  1");
        assert_eq!(e.kind, EvalKind::Instant { at: 5_400_000 });
        let e = only_eval("eval range from 1m to 3m step 15s up\n");
        assert_eq!(
            e.kind,
            EvalKind::Range {
                start: 60_000,
                end: 180_000,
                step: 15_000
            }
        );
        assert_eq!(e.query, "up");
    }

    fn error(src: &str) -> String {
        parse_script(src).unwrap_err().to_string()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn errors_say_the_line_and_what_is_wrong() {
        let cases = [
            ("foo bar\n", "1:1: invalid command \"foo bar\": expected load, load_with_nhcb, clear or eval"),
            ("\n\nload\n", "3:1: invalid load command, expected load[_with_nhcb] <interval>"),
            ("load 5x\n", "1:6: invalid load interval \"5x\": not a valid duration string: \"5x\": expected a unit (ms, s, m, h, d, w, y)"),
            ("load 1m\n  m 1 2\n  m{ 3\n", "3:6: unexpected '3', expected a label name or \"}\""),
            ("eval foo\n", "1:1: invalid eval command, expected eval[_fail|_warn|_info|_ordered] instant at <time> <query> or eval[_fail|_warn|_info] range from <start> to <end> step <step> <query>"),
            ("eval instant  up\n", "1:17: invalid evaluation time \"\": empty duration string"),
            ("eval instant at -1m up\n", "1:17: invalid evaluation time \"-1m\": not a valid duration string: \"-1m\""),
            ("eval range from 2m to 1m step 1m up\n", "1:1: the end of the range is before its start"),
            ("eval_ordered range from 0 to 1m step 1m up\n", "1:1: invalid eval command, expected eval[_fail|_warn|_info|_ordered] instant at <time> <query> or eval[_fail|_warn|_info] range from <start> to <end> step <step> <query>"),
            ("eval instant at 0 up\n  up 1 2\n", "2:3: an instant eval expects one value per series"),
            ("eval instant at 0 up\n  expect sometimes\n", "2:3: invalid expect line, expected expect <fail|warn|info|no_warn|no_info|ordered> [msg|regex: <text>] or expect string \"<text>\""),
            ("eval instant at 0 up\n  expect warn\n  expect no_warn\n", "3:3: warn and no_warn cannot be used together"),
            ("eval instant at 0 up\n  expect no_info\n  expect info\n", "3:3: info and no_info cannot be used together"),
            ("eval instant at 0 up\n  expect fail msg: a\n  expect fail msg: b\n", "3:3: only one expect fail line is allowed"),
            ("eval instant at 0 up\n  expect fail regex: (\n", "2:3: invalid regular expression \"(\": regex parse error:\n    (\n    ^\nerror: unclosed group"),
            ("eval instant at 0 up\n  expect string abc\n", "2:3: expect string needs a quoted string literal"),
            ("eval instant at 0 up\n  up 1x\n", "2:8: unexpected end of line, expected a repetition count"),
            // Prometheus's runner reads these lines as series, not commands.
            ("load 1m\n  a 0x999999\n  b 0x999999\n  c _x999999\n  d 0x999999\n  e 0x999999\n  f 0x999999\n  g 0x999999\n  h 0x999999\n  i 0x999999\n  j 0x999999\n  k 0x999999\n", "12:3: the script's series expand to more than 10000000 values"),
            ("load 1m\n  m 1\neval instant at 0 m\n", "3:6: unexpected \"instant\", expected a number or \"stale\""),
            // Only eval_fail knows the deprecated failure lines.
            ("eval instant at 0 up\n  expected_fail_message x\n", "2:25: unexpected \"x\", expected a number or \"stale\""),
        ];
        for (src, want) in cases {
            assert_eq!(error(src), want, "{src}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn render_points_at_the_column() {
        let src = "load 1m\n    m{a=\"1\"} 1 2 x\n";
        let e = parse_script(src).unwrap_err();
        expect_test::expect![[r#"
            2:18: unexpected "x", expected a number or "stale"
                  m{a="1"} 1 2 x
                               ^
        "#]]
        .assert_eq(&e.render(src));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn not_utf8_errors_point_at_the_byte() {
        let bytes = b"load 1m\n  m{a=\"\xff\"} 1\n";
        // The offset Utf8Error::valid_up_to gives: the 0xff byte.
        let e = ScriptError::not_utf8(bytes, 15);
        assert_eq!(e.to_string(), "2:8: the script is not UTF-8 text");
        assert_eq!(e.span, Span::at(15));
    }
}
