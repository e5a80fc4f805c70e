//! Series descriptions, the lines under `load` and under `eval`:
//! `metric{label="value"} 1+2x3 _ stale`, read as Prometheus's test parser
//! reads them, and expanded into one [`SequenceValue`] per step.
//!
//! | item | expands to |
//! |---|---|
//! | `5` | `5` |
//! | `1+2x3` | `1 3 5 7` (the start, then three increments) |
//! | `1-1x3` | `1 0 -1 -2` |
//! | `7x2` | `7 7 7` |
//! | `_` | one step without a sample |
//! | `_x3` | three steps without a sample |
//! | `stale` | a stale marker |
//! | `Inf`, `-Inf`, `NaN` | the special floats (any case) |
//! | `{{schema:0 sum:1}}`, `{{…}}x2`, `{{…}}+{{…}}x2` | native histograms |
//!
//! The lab has no native histograms yet: a histogram item is kept as
//! [`SequenceValue::Histogram`] (one per step it covers, so the float items
//! after it keep their times) and its contents are not read.

use crate::labels::{Labels, METRIC_NAME};
use crate::tsdb::STALE_NAN;
use std::fmt;

/// The most values one series description may expand to. Prometheus's own
/// scripts stay far below (their longest series has 10 001 values); the
/// bound keeps a mistyped repetition count from filling the memory.
pub const MAX_VALUES_PER_SERIES: usize = 1_000_000;

/// One step of an expanded series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SequenceValue {
    /// A float sample (stale markers are the float [`STALE_NAN`]).
    Float(f64),
    /// No sample at this step (`_`).
    Omitted,
    /// A native histogram sample, not read further.
    Histogram,
}

/// A parsed series description.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesDesc {
    pub labels: Labels,
    pub values: Vec<SequenceValue>,
}

impl SeriesDesc {
    pub fn has_histograms(&self) -> bool {
        self.values.contains(&SequenceValue::Histogram)
    }
}

/// What is wrong with a series description.
#[derive(Debug, Clone, PartialEq)]
pub enum SeriesErrorKind {
    /// Something other than what the grammar allows here.
    Unexpected {
        found: String,
        expected: &'static str,
    },
    UnterminatedString,
    InvalidEscape(String),
    /// A `\x` or octal escape that does not make UTF-8 text.
    InvalidUtf8,
    /// The metric name given both before the braces and inside them.
    MetricNameTwice,
    BadNumber(String),
    InvalidRepetition(String),
    UnterminatedHistogram,
    TooManyValues,
}

impl fmt::Display for SeriesErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SeriesErrorKind::Unexpected { found, expected } => {
                write!(f, "unexpected {found}, expected {expected}")
            }
            SeriesErrorKind::UnterminatedString => f.write_str("unterminated quoted string"),
            SeriesErrorKind::InvalidEscape(e) => write!(f, "invalid escape sequence {e:?}"),
            SeriesErrorKind::InvalidUtf8 => f.write_str("the escapes do not make UTF-8 text"),
            SeriesErrorKind::MetricNameTwice => {
                f.write_str("the metric name is given twice (before and inside the braces)")
            }
            SeriesErrorKind::BadNumber(n) => write!(f, "bad number syntax: {n:?}"),
            SeriesErrorKind::InvalidRepetition(n) => {
                write!(
                    f,
                    "invalid repetition in series values: {n:?} (expected a whole number)"
                )
            }
            SeriesErrorKind::UnterminatedHistogram => {
                f.write_str("native histogram without its closing \"}}\"")
            }
            SeriesErrorKind::TooManyValues => write!(
                f,
                "the series expands to more than {MAX_VALUES_PER_SERIES} values"
            ),
        }
    }
}

/// A series description that does not parse: what, and where (a byte
/// offset into the description).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesError {
    pub offset: usize,
    pub kind: SeriesErrorKind,
}

/// Parses `metric{labels} values…`.
pub fn parse_series_desc(text: &str) -> Result<SeriesDesc, SeriesError> {
    let mut c = Cursor { src: text, pos: 0 };
    c.skip_spaces();
    let labels = c.metric()?;
    let mut values = Vec::new();
    loop {
        let had_space = c.skip_spaces();
        if c.at_end() {
            break;
        }
        if !had_space {
            return Err(c.unexpected("a space before the next value"));
        }
        c.item(&mut values)?;
    }
    Ok(SeriesDesc { labels, values })
}

struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

fn is_alpha(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_alphanumeric(c: char) -> bool {
    is_alpha(c) || c.is_ascii_digit()
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn at_end(&self) -> bool {
        self.rest().is_empty()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Skips spaces; whether there were any.
    fn skip_spaces(&mut self) -> bool {
        let start = self.pos;
        while self.peek().is_some_and(is_space) {
            self.bump();
        }
        self.pos > start
    }

    fn take_while(&mut self, f: impl Fn(char) -> bool) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(&f) {
            self.bump();
        }
        self.src.get(start..self.pos).unwrap_or("")
    }

    fn error(&self, offset: usize, kind: SeriesErrorKind) -> SeriesError {
        SeriesError { offset, kind }
    }

    fn unexpected(&self, expected: &'static str) -> SeriesError {
        let found = match self.peek() {
            None => "end of line".to_string(),
            Some(c) => format!("{c:?}"),
        };
        self.error(self.pos, SeriesErrorKind::Unexpected { found, expected })
    }

    /// `name`, `name{labels}` or `{labels}`.
    fn metric(&mut self) -> Result<Labels, SeriesError> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut name = None;
        if self.peek().is_some_and(is_alpha) || self.peek() == Some(':') {
            name = Some(
                self.take_while(|c| is_alphanumeric(c) || c == ':')
                    .to_string(),
            );
        }
        if self.peek() == Some('{') {
            self.label_set(&mut pairs, &mut name)?;
        } else if name.is_none() {
            return Err(self.unexpected("a metric name or \"{\""));
        }
        let mut labels = Labels::from_pairs(pairs);
        if let Some(name) = name {
            labels.set(METRIC_NAME, name);
        }
        Ok(labels)
    }

    /// `{a="1", "quoted name"="2", "metric.name"}`.
    fn label_set(
        &mut self,
        pairs: &mut Vec<(String, String)>,
        name: &mut Option<String>,
    ) -> Result<(), SeriesError> {
        self.bump(); // '{'
        loop {
            self.skip_spaces();
            if self.peek() == Some('}') {
                self.bump();
                return Ok(());
            }
            let item_start = self.pos;
            let (label, quoted) = match self.peek() {
                Some(c) if is_alpha(c) => (self.take_while(is_alphanumeric).to_string(), false),
                Some('"' | '\'' | '`') => (self.string()?, true),
                _ => return Err(self.unexpected("a label name or \"}\"")),
            };
            self.skip_spaces();
            if self.peek() == Some('=') {
                self.bump();
                self.skip_spaces();
                if !matches!(self.peek(), Some('"' | '\'' | '`')) {
                    return Err(self.unexpected("a quoted label value"));
                }
                let value = self.string()?;
                pairs.push((label, value));
            } else if quoted {
                // A lone quoted string in the braces is the metric name.
                if name.is_some() {
                    return Err(self.error(item_start, SeriesErrorKind::MetricNameTwice));
                }
                *name = Some(label);
            } else {
                return Err(self.unexpected("\"=\""));
            }
            self.skip_spaces();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {}
                _ => return Err(self.unexpected("\",\" or \"}\"")),
            }
        }
    }

    /// A quoted string as PromQL reads it: double or single quotes with Go
    /// escapes, or backquotes taken as they are.
    fn string(&mut self) -> Result<String, SeriesError> {
        let start = self.pos;
        let Some(quote) = self.bump() else {
            return Err(self.unexpected("a quoted string"));
        };
        let mut bytes = Vec::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(self.error(start, SeriesErrorKind::UnterminatedString));
            };
            if c == quote {
                break;
            }
            if c == '\n' {
                return Err(self.error(start, SeriesErrorKind::UnterminatedString));
            }
            if c == '\\' && quote != '`' {
                self.escape(quote, &mut bytes)?;
            } else {
                let mut buf = [0u8; 4];
                bytes.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
        String::from_utf8(bytes).map_err(|_| self.error(start, SeriesErrorKind::InvalidUtf8))
    }

    /// One escape after a backslash, as Go's `strconv.UnquoteChar` reads it.
    fn escape(&mut self, quote: char, out: &mut Vec<u8>) -> Result<(), SeriesError> {
        let start = self.pos.saturating_sub(1);
        let bad = |c: &Self| {
            let text = c.src.get(start..c.pos).unwrap_or("\\").to_string();
            c.error(start, SeriesErrorKind::InvalidEscape(text))
        };
        let Some(c) = self.bump() else {
            return Err(bad(self));
        };
        let simple = match c {
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '\\' => Some(b'\\'),
            '"' | '\'' if c == quote => Some(c as u8),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            return Ok(());
        }
        match c {
            'x' => {
                let digits = self.fixed_digits(2, 16).ok_or_else(|| bad(self))?;
                out.push(digits as u8);
            }
            '0'..='7' => {
                let rest = self.fixed_digits(2, 8).ok_or_else(|| bad(self))?;
                let v = (c as u32 - '0' as u32) * 64 + rest;
                let b = u8::try_from(v).map_err(|_| bad(self))?;
                out.push(b);
            }
            'u' | 'U' => {
                let n = if c == 'u' { 4 } else { 8 };
                let v = self.fixed_digits(n, 16).ok_or_else(|| bad(self))?;
                let ch = char::from_u32(v).ok_or_else(|| bad(self))?;
                let mut buf = [0u8; 4];
                out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
            }
            _ => return Err(bad(self)),
        }
        Ok(())
    }

    /// Exactly `n` digits in `radix`.
    fn fixed_digits(&mut self, n: usize, radix: u32) -> Option<u32> {
        let mut v: u32 = 0;
        for _ in 0..n {
            let d = self.peek()?.to_digit(radix)?;
            self.bump();
            v = v.checked_mul(radix)?.checked_add(d)?;
        }
        Some(v)
    }

    /// One item of the value sequence, appended to `out`.
    fn item(&mut self, out: &mut Vec<SequenceValue>) -> Result<(), SeriesError> {
        let start = self.pos;
        match self.peek() {
            Some('_') => {
                self.bump();
                if self.peek() == Some('x') {
                    self.bump();
                    let n = self.repetition()?;
                    push_n(out, SequenceValue::Omitted, n, start)?;
                } else {
                    push_n(out, SequenceValue::Omitted, 1, start)?;
                }
            }
            Some('{') if self.peek2() == Some('{') => {
                self.histogram()?;
                let n = match self.peek() {
                    Some('x') => {
                        self.bump();
                        self.repetition()?.saturating_add(1)
                    }
                    Some('+' | '-') => {
                        self.bump();
                        if !(self.peek() == Some('{') && self.peek2() == Some('{')) {
                            return Err(self.unexpected("a histogram increment \"{{…}}\""));
                        }
                        self.histogram()?;
                        self.expect_times()?;
                        self.repetition()?.saturating_add(1)
                    }
                    _ => 1,
                };
                push_n(out, SequenceValue::Histogram, n, start)?;
            }
            _ => {
                let first = self.value()?;
                match self.peek() {
                    Some('x') => {
                        self.bump();
                        let n = self.repetition()?.saturating_add(1);
                        push_n(out, SequenceValue::Float(first), n, start)?;
                    }
                    Some(sign @ ('+' | '-')) => {
                        self.bump();
                        let mut step = self.number()?;
                        if sign == '-' {
                            step = -step;
                        }
                        self.expect_times()?;
                        let n = self.repetition()?.saturating_add(1);
                        check_room(out, n, start)?;
                        // Added step by step, as Prometheus does, so the
                        // rounding is the same.
                        let mut v = first;
                        for _ in 0..n {
                            out.push(SequenceValue::Float(v));
                            v += step;
                        }
                    }
                    _ => push_n(out, SequenceValue::Float(first), 1, start)?,
                }
            }
        }
        match self.peek() {
            None => Ok(()),
            Some(c) if is_space(c) => Ok(()),
            Some(_) => Err(self.unexpected("a space before the next value")),
        }
    }

    fn expect_times(&mut self) -> Result<(), SeriesError> {
        if self.peek() == Some('x') {
            self.bump();
            Ok(())
        } else {
            Err(self.unexpected("\"x\" and a repetition count"))
        }
    }

    /// Skips a `{{…}}` histogram.
    fn histogram(&mut self) -> Result<(), SeriesError> {
        let start = self.pos;
        match self.rest().get(2..).and_then(|r| r.find("}}")) {
            Some(end) => {
                self.pos += 2 + end + 2;
                Ok(())
            }
            None => Err(self.error(start, SeriesErrorKind::UnterminatedHistogram)),
        }
    }

    /// A value: a number with an optional sign, `Inf`/`NaN`, or `stale`.
    fn value(&mut self) -> Result<f64, SeriesError> {
        let sign = match self.peek() {
            Some('+') => {
                self.bump();
                Some(1.0)
            }
            Some('-') => {
                self.bump();
                Some(-1.0)
            }
            _ => None,
        };
        if sign.is_none() && self.rest().starts_with("stale") {
            let start = self.pos;
            let word = self.take_while(|c| is_alphanumeric(c) || c == ':');
            if word == "stale" {
                return Ok(STALE_NAN);
            }
            self.pos = start;
        }
        let v = self.number()?;
        Ok(v * sign.unwrap_or(1.0))
    }

    /// An unsigned number, `Inf` or `NaN`.
    fn number(&mut self) -> Result<f64, SeriesError> {
        let start = self.pos;
        match self.peek() {
            Some(c) if c.is_ascii_digit() || c == '.' => {
                let token = self.number_token()?;
                parse_go_number(token)
                    .ok_or_else(|| self.error(start, SeriesErrorKind::BadNumber(token.into())))
            }
            Some(c) if is_alpha(c) => {
                let word = self.take_while(|c| is_alphanumeric(c) || c == ':');
                match word.to_ascii_lowercase().as_str() {
                    "inf" => Ok(f64::INFINITY),
                    "nan" => Ok(f64::NAN),
                    _ => {
                        self.pos = start;
                        Err(self.error(
                            start,
                            SeriesErrorKind::Unexpected {
                                found: format!("{word:?}"),
                                expected: "a number or \"stale\"",
                            },
                        ))
                    }
                }
            }
            _ => Err(self.unexpected("a number, \"stale\", \"_\" or a histogram")),
        }
    }

    /// The characters of a number as Prometheus's lexer takes them in a
    /// series description: digits, `.`, `_` and an exponent, ending before
    /// anything else; a letter right after it other than `x` is an error.
    fn number_token(&mut self) -> Result<&'a str, SeriesError> {
        let start = self.pos;
        let mut prev = ' ';
        while let Some(c) = self.peek() {
            let exponent_sign = (c == '+' || c == '-') && (prev == 'e' || prev == 'E');
            if !(c.is_ascii_digit() || matches!(c, '.' | '_' | 'e' | 'E') || exponent_sign) {
                break;
            }
            prev = c;
            self.bump();
        }
        if self.peek().is_some_and(|c| is_alphanumeric(c) && c != 'x') {
            self.take_while(is_alphanumeric);
            let token = self.src.get(start..self.pos).unwrap_or("").to_string();
            return Err(self.error(start, SeriesErrorKind::BadNumber(token)));
        }
        Ok(self.src.get(start..self.pos).unwrap_or(""))
    }

    /// The count after `x`: a whole number.
    fn repetition(&mut self) -> Result<usize, SeriesError> {
        let start = self.pos;
        let token = self.number_token()?;
        if token.is_empty() || !token.bytes().all(|b| b.is_ascii_digit()) {
            if token.is_empty() {
                return Err(self.unexpected("a repetition count"));
            }
            return Err(self.error(start, SeriesErrorKind::InvalidRepetition(token.into())));
        }
        // Counts beyond the limit are refused when the values are added.
        Ok(token.parse::<usize>().unwrap_or(usize::MAX))
    }
}

fn check_room(out: &[SequenceValue], n: usize, offset: usize) -> Result<(), SeriesError> {
    match out.len().checked_add(n) {
        Some(total) if total <= MAX_VALUES_PER_SERIES => Ok(()),
        _ => Err(SeriesError {
            offset,
            kind: SeriesErrorKind::TooManyValues,
        }),
    }
}

fn push_n(
    out: &mut Vec<SequenceValue>,
    v: SequenceValue,
    n: usize,
    offset: usize,
) -> Result<(), SeriesError> {
    check_room(out, n, offset)?;
    out.extend(std::iter::repeat_n(v, n));
    Ok(())
}

/// Reads a number as Go's `strconv.ParseInt(s, 0, 64)` and, failing that,
/// `strconv.ParseFloat(s, 64)` do, which is how Prometheus reads numbers in
/// test scripts: so `010` is 8 (octal), `0x10` is 16, `1_000` is 1000, and
/// `Inf`, `+Inf`, `-inf` and `NaN` are the special floats.
pub fn parse_go_number(s: &str) -> Option<f64> {
    parse_go_int(s)
        .map(|i| i as f64)
        .or_else(|| parse_go_float(s))
}

fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    let digits = strip_underscores(digits, prefixed)?;
    if digits.is_empty() {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits, radix).ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn parse_go_float(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['+', '-']);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse().ok();
    }
    // Only digits, '.', an exponent and underscores between digits.
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '_' | '+' | '-'))
    {
        return None;
    }
    let cleaned = strip_underscores(s, false)?;
    // Go refuses a finite literal too large for a float (range error).
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `s` without its underscores, when each stands between two digits (or,
/// after a base prefix, at the start): Go's rule for number literals.
fn strip_underscores(s: &str, after_prefix: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let before_ok = if i == 0 {
                after_prefix
            } else {
                bytes[i - 1].is_ascii_alphanumeric()
            };
            let after_ok = bytes.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
            if !(before_ok && after_ok) {
                return None;
            }
        } else {
            out.push(b as char);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsdb::is_stale_marker;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The expansion written as Prometheus's docs write it: numbers, `_`,
    /// `stale` and `H` for a histogram.
    fn expand(values: &str) -> Result<String, String> {
        let desc = parse_series_desc(&format!("m {values}"))
            .map_err(|e| format!("col {}: {}", e.offset + 1, e.kind))?;
        Ok(desc
            .values
            .iter()
            .map(|v| match v {
                SequenceValue::Float(f) if is_stale_marker(*f) => "stale".to_string(),
                SequenceValue::Float(f) => format!("{f}"),
                SequenceValue::Omitted => "_".to_string(),
                SequenceValue::Histogram => "H".to_string(),
            })
            .collect::<Vec<_>>()
            .join(" "))
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn values_expand_as_prometheus_expands_them() {
        let cases = [
            ("1+2x3", "1 3 5 7"),
            ("1-1x3", "1 0 -1 -2"),
            ("-1-1x2", "-1 -2 -3"),
            ("+5", "5"),
            ("7x2", "7 7 7"),
            ("1x0", "1"),
            ("_x3", "_ _ _"),
            ("_", "_"),
            ("stale", "stale"),
            ("1x2 _ 3", "1 1 1 _ 3"),
            ("0 1 stale 2", "0 1 stale 2"),
            ("Inf", "inf"),
            ("-Inf", "-inf"),
            ("+inf", "inf"),
            ("NaN", "NaN"),
            ("nan", "NaN"),
            ("1e3", "1000"),
            ("1.5e-1x1", "0.15 0.15"),
            ("1e+1+1x1", "10 11"),
            (".5", "0.5"),
            ("010", "8"),
            ("08", "8"),
            ("1_000", "1000"),
            ("0x3", "0 0 0 0"),
            ("0.1+0.1x2", "0.1 0.2 0.30000000000000004"),
            ("Inf+1x1", "inf inf"),
            ("{{schema:0 sum:1 count:2 buckets:[1 2]}}", "H"),
            ("{{sum:1}}x2 5", "H H H 5"),
            (
                "{{sum:1}}+{{sum:2}}x1 {{count:1}}-{{count:1}}x1 _",
                "H H H H _",
            ),
            ("   1\t2  ", "1 2"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(expand(input), Ok(want.to_string()), "{input}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn bad_values_say_where_and_what() {
        let cases = [
            (
                "1+2",
                "col 6: unexpected end of line, expected \"x\" and a repetition count",
            ),
            (
                "1 + 2",
                "col 6: unexpected ' ', expected a number, \"stale\", \"_\" or a histogram",
            ),
            (
                "1x",
                "col 5: unexpected end of line, expected a repetition count",
            ),
            ("1x-1", "col 5: unexpected '-', expected a repetition count"),
            (
                "1x1.5",
                "col 5: invalid repetition in series values: \"1.5\" (expected a whole number)",
            ),
            ("5m", "col 3: bad number syntax: \"5m\""),
            ("1e", "col 3: bad number syntax: \"1e\""),
            (
                "foo",
                "col 3: unexpected \"foo\", expected a number or \"stale\"",
            ),
            (
                "-stale",
                "col 4: unexpected \"stale\", expected a number or \"stale\"",
            ),
            (
                "Stale",
                "col 3: unexpected \"Stale\", expected a number or \"stale\"",
            ),
            (
                "_5",
                "col 4: unexpected '5', expected a space before the next value",
            ),
            (
                "1,2",
                "col 4: unexpected ',', expected a space before the next value",
            ),
            (
                "{{sum:1",
                "col 3: native histogram without its closing \"}}\"",
            ),
            (
                "{{sum:1}}+5x1",
                "col 13: unexpected '5', expected a histogram increment \"{{…}}\"",
            ),
            (
                "1x99999999999999999999999",
                "col 3: the series expands to more than 1000000 values",
            ),
            (
                "_x1000001",
                "col 3: the series expands to more than 1000000 values",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(expand(input), Err(want.to_string()), "{input}");
        }
    }

    fn labels(text: &str) -> Result<String, String> {
        parse_series_desc(text)
            .map(|d| {
                format!(
                    "{:?}",
                    d.labels
                        .iter()
                        .map(|l| (l.name.as_str(), l.value.as_str()))
                        .collect::<Vec<_>>()
                )
            })
            .map_err(|e| format!("col {}: {}", e.offset + 1, e.kind))
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn metrics_and_label_sets() {
        let cases = [
            ("up 1", Ok(r#"[("__name__", "up")]"#)),
            ("job:rate5m 1", Ok(r#"[("__name__", "job:rate5m")]"#)),
            (
                r#"http_requests{job="api", instance='0'} 1"#,
                Ok(r#"[("__name__", "http_requests"), ("instance", "0"), ("job", "api")]"#),
            ),
            (r#"{job="a",} 1"#, Ok(r#"[("job", "a")]"#)),
            ("{} 3", Ok("[]")),
            (
                r#"{"my.metric", "a b"="c"} 1"#,
                Ok(r#"[("__name__", "my.metric"), ("a b", "c")]"#),
            ),
            (
                r#"m{a="\"\n\t\\\x41\101\u00e9"} 1"#,
                Ok(r#"[("__name__", "m"), ("a", "\"\n\t\\AAé")]"#),
            ),
            (r"m{a=`\n`} 1", Ok(r#"[("__name__", "m"), ("a", "\\n")]"#)),
            (
                r#"m{job="{count:20, [-2,-1):2}"} 2"#,
                Ok(r#"[("__name__", "m"), ("job", "{count:20, [-2,-1):2}")]"#),
            ),
            (
                "m{a=} 1",
                Err("col 5: unexpected '}', expected a quoted label value"),
            ),
            (
                r#"m{a="1" b="2"} 1"#,
                Err("col 9: unexpected 'b', expected \",\" or \"}\""),
            ),
            (
                r#"m{a!="1"} 1"#,
                Err("col 4: unexpected '!', expected \"=\""),
            ),
            (r#"m{a="1} 1"#, Err("col 5: unterminated quoted string")),
            (
                r#"m{a="\q"} 1"#,
                Err("col 6: invalid escape sequence \"\\\\q\""),
            ),
            (
                r#"m{a='\"'} 1"#,
                Err("col 6: invalid escape sequence \"\\\\\\\"\""),
            ),
            (
                r#"m{a="\xff"} 1"#,
                Err("col 5: the escapes do not make UTF-8 text"),
            ),
            (
                r#"m{"n"} 1"#,
                Err("col 3: the metric name is given twice (before and inside the braces)"),
            ),
            (
                r#"m {a="1"} 1"#,
                Err("col 3: unexpected '{', expected a number, \"stale\", \"_\" or a histogram"),
            ),
            (
                "1 2",
                Err("col 1: unexpected '1', expected a metric name or \"{\""),
            ),
            ("m1", Ok(r#"[("__name__", "m1")]"#)),
        ];
        for (input, want) in cases {
            assert_eq!(
                labels(input),
                want.map(str::to_string).map_err(str::to_string),
                "{input}"
            );
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn go_numbers() {
        let cases = [
            ("3", Some(3.0)),
            ("-1", Some(-1.0)),
            ("+Inf", Some(f64::INFINITY)),
            ("-inf", Some(f64::NEG_INFINITY)),
            ("0x1F", Some(31.0)),
            ("017", Some(15.0)),
            ("019", Some(19.0)),
            ("1_0", Some(10.0)),
            ("1__0", None),
            ("_1", None),
            ("1e400", None),
            ("99999999999999999999", Some(1e20)),
            ("1.", Some(1.0)),
            ("", None),
            ("-", None),
            ("abc", None),
            ("{} 1", None),
        ];
        for (input, want) in cases {
            assert_eq!(parse_go_number(input), want, "{input}");
        }
        assert!(parse_go_number("NaN").is_some_and(f64::is_nan));
    }
}
