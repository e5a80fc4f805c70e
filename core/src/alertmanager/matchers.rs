//! Alertmanager's label matchers as text: `alertname = "Foo"`,
//! `severity=~"warn|crit"`, `{team="db", env!=dev}`, read as Alertmanager
//! 0.27+ reads them by default, and printed as it prints them.
//!
//! Alertmanager has two parsers and, by default, runs both ("fallback"
//! mode): the UTF-8 parser (any label name in double quotes, values quoted
//! or not, positions in errors) and the classic parser (a PromQL-like label
//! name, a lenient value). When the classic parser accepts the input its
//! result wins; when only the UTF-8 parser accepts it, that result is used;
//! when neither does, the classic parser's error is reported. Input that
//! only the classic parser accepts gets a warning, as Alertmanager logs one.
//!
//! Regular expressions are Go's, anchored as Alertmanager anchors them,
//! `^(?:…)$`: unlike Prometheus's selectors, `.` does not match a newline.
//!
//! ```
//! use promlab_core::alertmanager::matchers::{parse_matchers, matchers_string};
//! let parsed = parse_matchers(r#"{alertname = Foo, severity=~"warn|crit"}"#).unwrap();
//! assert_eq!(matchers_string(&parsed.matchers), r#"{alertname="Foo",severity=~"warn|crit"}"#);
//! ```

use crate::diagnostic::Span;
use crate::labels::{Labels, MatchOp, Matcher};
use crate::promql::lexer::go_quote;
use crate::regexp::Regexp;
use std::fmt;

/// What went wrong in a matcher's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatcherErrorKind {
    /// The classic parser's "bad matcher format": no label name, operator
    /// and value.
    BadFormat,
    /// A `"` inside a value that is not escaped (classic parser).
    UnescapedQuote,
    /// A token where another was expected (UTF-8 parser).
    UnexpectedToken,
    /// The input ended where more was expected.
    UnexpectedEnd,
    /// A character no token starts with, or a quoted string Go cannot
    /// unquote.
    InvalidInput,
    /// A `"` without its closing quote.
    UnterminatedQuote,
    /// A `{` without `}`, or a `}` without `{`.
    UnbalancedBrace,
    /// A regex operator's pattern that Go's regexp refuses.
    InvalidRegex,
    /// Not exactly one matcher where one is expected.
    NotOneMatcher,
    /// A `{` or `}` around a single matcher.
    Brace,
}

/// A matcher text that does not parse: what, where (a byte span of the
/// input), and Alertmanager's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatcherError {
    pub kind: MatcherErrorKind,
    pub span: Span,
    pub message: String,
}

impl MatcherError {
    fn new(kind: MatcherErrorKind, span: Span, message: impl Into<String>) -> Self {
        MatcherError {
            kind,
            span,
            message: message.into(),
        }
    }
}

impl fmt::Display for MatcherError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MatcherError {}

/// Matchers read from text, and whether Alertmanager would warn about the
/// text.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedMatchers {
    pub matchers: Vec<Matcher>,
    /// Set when only the classic parser accepts the input: the UTF-8
    /// parser's error, which Alertmanager logs with the advice to quote
    /// values and regular expressions.
    pub fallback_warning: Option<MatcherError>,
}

/// Reads a comma-separated list of matchers, optionally in braces, as
/// Alertmanager's default (fallback) mode does: the `matchers` of routes
/// and inhibition rules, `amtool` filters.
pub fn parse_matchers(input: &str) -> Result<ParsedMatchers, MatcherError> {
    let utf8 = utf8_matchers(input);
    match classic_matchers(input) {
        Ok(matchers) => Ok(ParsedMatchers {
            matchers,
            fallback_warning: utf8.err(),
        }),
        Err(classic_error) => match utf8 {
            Ok(matchers) => Ok(ParsedMatchers {
                matchers,
                fallback_warning: None,
            }),
            Err(_) => Err(classic_error),
        },
    }
}

/// Reads exactly one matcher (a silence's or `amtool`'s `name=value`), as
/// Alertmanager's fallback mode does.
pub fn parse_matcher(input: &str) -> Result<Matcher, MatcherError> {
    if input.starts_with('{') || input.ends_with('}') {
        return Err(MatcherError::new(
            MatcherErrorKind::Brace,
            Span::new(0, input.len()),
            format!("unexpected open or close brace: {input}"),
        ));
    }
    let utf8 = utf8_matchers(input).and_then(|ms| exactly_one(input, ms));
    match classic_matcher(input, 0) {
        Ok(m) => Ok(m),
        Err(classic_error) => utf8.map_err(|_| classic_error),
    }
}

fn exactly_one(input: &str, mut ms: Vec<Matcher>) -> Result<Matcher, MatcherError> {
    match ms.len() {
        1 => Ok(ms.remove(0)),
        n => Err(MatcherError::new(
            MatcherErrorKind::NotOneMatcher,
            Span::new(0, input.len()),
            if n == 0 {
                "no matchers".to_string()
            } else {
                format!("expected 1 matcher, found {n}")
            },
        )),
    }
}

/// A matcher as Alertmanager compiles it: a regex operator's pattern is
/// anchored as `^(?:…)$`, without Prometheus's `(?s)`.
pub fn new_matcher(name: &str, op: MatchOp, value: &str) -> Result<Matcher, String> {
    match op {
        MatchOp::Equal | MatchOp::NotEqual => Ok(Matcher::new(name, op, value)?),
        MatchOp::Regex | MatchOp::NotRegex => {
            // Check the pattern as Go compiles it, so an error quotes what
            // Alertmanager's does.
            Regexp::new(&format!("^(?:{value})$"))
                .map_err(|e| format!("error parsing regexp: {}", e.reason))?;
            // `(?-s:…)` undoes the lab's `(?s)` anchoring; the shown value
            // stays the pattern as written.
            let mut m = Matcher::new(name, op, format!("(?-s:{value})"))?;
            m.value = value.to_string();
            Ok(m)
        }
    }
}

/// Whether every matcher accepts `labels` (an absent label reads as `""`).
pub fn matches_all(matchers: &[Matcher], labels: &Labels) -> bool {
    matchers.iter().all(|m| m.matches(labels.get(&m.name)))
}

/// Sorts as Alertmanager sorts matchers: by name, then value, then
/// operator (`=`, `!=`, `=~`, `!~`).
pub fn sort_matchers(matchers: &mut [Matcher]) {
    matchers.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.value.cmp(&b.value))
            .then_with(|| op_rank(a.op).cmp(&op_rank(b.op)))
    });
}

fn op_rank(op: MatchOp) -> u8 {
    match op {
        MatchOp::Equal => 0,
        MatchOp::NotEqual => 1,
        MatchOp::Regex => 2,
        MatchOp::NotRegex => 3,
    }
}

/// One matcher as Alertmanager prints it: `name="value"`, or with the name
/// quoted too when it holds a character the UTF-8 parser reserves.
pub fn matcher_string(m: &Matcher) -> String {
    if m.name.chars().any(is_reserved) {
        format!(
            "{}{}{}",
            go_quote(&m.name),
            m.op.as_str(),
            go_quote(&m.value)
        )
    } else {
        format!(
            "{}{}\"{}\"",
            m.name,
            m.op.as_str(),
            open_metrics_escape(&m.value)
        )
    }
}

/// A list as Alertmanager prints it: `{a="1",b=~"2"}`.
pub fn matchers_string(ms: &[Matcher]) -> String {
    let parts: Vec<String> = ms.iter().map(matcher_string).collect();
    format!("{{{}}}", parts.join(","))
}

/// Escapes `\`, newline and `"` only, as OpenMetrics does.
fn open_metrics_escape(s: &str) -> String {
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

/// Characters the UTF-8 parser does not allow in an unquoted token.
fn is_reserved(c: char) -> bool {
    is_go_space(c) || "{}!=~,\\\"'`".contains(c)
}

/// Go's `unicode.IsSpace`.
fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

// ---------------------------------------------------------------------------
// The classic parser.

/// Go's `\s` in the classic parser's regex: ASCII whitespace.
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Splits on commas outside double quotes, after trimming one `{` and one
/// `}`, and reads each part.
fn classic_matchers(input: &str) -> Result<Vec<Matcher>, MatcherError> {
    let mut offset = 0;
    let mut s = input;
    if let Some(rest) = s.strip_prefix('{') {
        s = rest;
        offset = 1;
    }
    s = s.strip_suffix('}').unwrap_or(s);
    let mut tokens: Vec<(usize, &str)> = Vec::new();
    let (mut inside_quotes, mut escaped) = (false, false);
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            ',' if !inside_quotes => {
                tokens.push((offset + start, &s[start..i]));
                start = i + 1;
                continue;
            }
            '"' => {
                if escaped {
                    escaped = false;
                } else {
                    inside_quotes = !inside_quotes;
                }
            }
            '\\' => escaped = !escaped,
            _ => escaped = false,
        }
    }
    // Only the last part is trimmed, and dropped when empty, so that a
    // trailing comma is allowed.
    let last = &s[start..];
    let trimmed = last.trim();
    if !trimmed.is_empty() {
        let lead = last.len() - last.trim_start().len();
        tokens.push((offset + start + lead, trimmed));
    }
    tokens
        .into_iter()
        .map(|(at, token)| classic_matcher(token, at))
        .collect()
}

/// One `name op value`, `at` being where `s` starts in the whole input.
fn classic_matcher(s: &str, at: usize) -> Result<Matcher, MatcherError> {
    let span = Span::new(at, at + s.len());
    let bad = || {
        MatcherError::new(
            MatcherErrorKind::BadFormat,
            span,
            format!("bad matcher format: {s}"),
        )
    };
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && is_ascii_space(b[i]) {
        i += 1;
    }
    let name_start = i;
    match b.get(i) {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b':' => i += 1,
        _ => return Err(bad()),
    }
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b':') {
        i += 1;
    }
    let name = &s[name_start..i];
    while i < b.len() && is_ascii_space(b[i]) {
        i += 1;
    }
    let rest = &s[i..];
    let (op, len) = if rest.starts_with("=~") {
        (MatchOp::Regex, 2)
    } else if rest.starts_with('=') {
        (MatchOp::Equal, 1)
    } else if rest.starts_with("!=") {
        (MatchOp::NotEqual, 2)
    } else if rest.starts_with("!~") {
        (MatchOp::NotRegex, 2)
    } else {
        return Err(bad());
    };
    i += len;
    while i < b.len() && is_ascii_space(b[i]) {
        i += 1;
    }
    let mut end = b.len();
    while end > i && is_ascii_space(b[end - 1]) {
        end -= 1;
    }
    let raw_value = &s[i..end];
    let value = classic_unescape(raw_value).ok_or_else(|| {
        MatcherError::new(
            MatcherErrorKind::UnescapedQuote,
            Span::new(at + i, at + end),
            format!("matcher value contains unescaped double quote: {raw_value}"),
        )
    })?;
    new_matcher(name, op, &value)
        .map_err(|e| MatcherError::new(MatcherErrorKind::InvalidRegex, span, e))
}

/// The classic parser's value: an optional leading `"` that must then end
/// the value, OpenMetrics escapes, and any other backslash kept as it is.
fn classic_unescape(raw: &str) -> Option<String> {
    let (body, mut expect_quote) = match raw.strip_prefix('"') {
        Some(rest) => (rest, true),
        None => (raw, false),
    };
    let mut out = String::with_capacity(body.len());
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
            match c {
                'n' => out.push('\n'),
                '"' | '\\' => out.push(c),
                c => {
                    out.push('\\');
                    out.push(c);
                }
            }
            continue;
        }
        match c {
            '\\' if i + 1 < body.len() => escaped = true,
            '\\' => out.push('\\'),
            '"' => {
                if !expect_quote || i + 1 < body.len() {
                    return None;
                }
                expect_quote = false;
            }
            c => out.push(c),
        }
    }
    if expect_quote {
        return None;
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// The UTF-8 parser.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Comma,
    Eq,
    Ne,
    Re,
    Nre,
    Quoted,
    Unquoted,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Tok,
    /// Byte range in the input.
    start: usize,
    end: usize,
    /// Character columns, counted from 0, as Alertmanager reports them.
    col_start: usize,
    col_end: usize,
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    col: usize,
}

impl<'a> Lexer<'a> {
    fn error(
        &self,
        kind: MatcherErrorKind,
        start: (usize, usize),
        end: (usize, usize),
        what: &str,
    ) -> MatcherError {
        MatcherError::new(
            kind,
            Span::new(start.0, end.0),
            format!("{}:{}: {what}", start.1, end.1),
        )
    }

    /// The next token, `None` at the end of the input.
    fn next(&mut self) -> Result<Option<Token>, MatcherError> {
        loop {
            let Some(c) = self.input[self.pos..].chars().next() else {
                return Ok(None);
            };
            let start = (self.pos, self.col);
            let single = |kind| Token {
                kind,
                start: start.0,
                end: start.0 + c.len_utf8(),
                col_start: start.1,
                col_end: start.1 + 1,
            };
            match c {
                '{' | '}' | ',' => {
                    let kind = match c {
                        '{' => Tok::Open,
                        '}' => Tok::Close,
                        _ => Tok::Comma,
                    };
                    self.pos += 1;
                    self.col += 1;
                    return Ok(Some(single(kind)));
                }
                '=' | '!' => return self.operator(start).map(Some),
                '"' => return self.quoted(start).map(Some),
                c if !is_reserved(c) => {
                    for (i, c) in self.input[self.pos..].char_indices() {
                        if is_reserved(c) {
                            self.pos += i;
                            return Ok(Some(self.token(Tok::Unquoted, start)));
                        }
                        self.col += 1;
                    }
                    self.pos = self.input.len();
                    return Ok(Some(self.token(Tok::Unquoted, start)));
                }
                c if is_go_space(c) => {
                    self.pos += c.len_utf8();
                    self.col += 1;
                }
                c => {
                    let end = (start.0 + c.len_utf8(), start.1 + 1);
                    let text = &self.input[start.0..end.0];
                    return Err(self.error(
                        MatcherErrorKind::InvalidInput,
                        start,
                        end,
                        &format!("{text}: invalid input"),
                    ));
                }
            }
        }
    }

    fn token(&self, kind: Tok, start: (usize, usize)) -> Token {
        Token {
            kind,
            start: start.0,
            end: self.pos,
            col_start: start.1,
            col_end: self.col,
        }
    }

    fn operator(&mut self, start: (usize, usize)) -> Result<Token, MatcherError> {
        let rest = &self.input[self.pos..];
        let (kind, len) = if rest.starts_with("!=") {
            (Tok::Ne, 2)
        } else if rest.starts_with("!~") {
            (Tok::Nre, 2)
        } else if rest.starts_with("=~") {
            (Tok::Re, 2)
        } else if rest.starts_with('=') {
            (Tok::Eq, 1)
        } else {
            // A lone `!`: Alertmanager says what may follow it.
            self.pos += 1;
            self.col += 1;
            let end = (self.pos, self.col);
            let what = if self.pos >= self.input.len() {
                "unexpected end of input, expected one of '=~'".to_string()
            } else {
                format!("{}: expected one of '=~'", &self.input[start.0..end.0])
            };
            return Err(self.error(MatcherErrorKind::UnexpectedToken, start, end, &what));
        };
        self.pos += len;
        self.col += len;
        Ok(self.token(kind, start))
    }

    fn quoted(&mut self, start: (usize, usize)) -> Result<Token, MatcherError> {
        self.pos += 1;
        self.col += 1;
        let mut escaped = false;
        for (i, c) in self.input[self.pos..].char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                self.pos += i + 1;
                self.col += 1;
                return Ok(self.token(Tok::Quoted, start));
            }
            self.col += 1;
        }
        self.pos = self.input.len();
        let end = (self.pos, self.col);
        Err(self.error(
            MatcherErrorKind::UnterminatedQuote,
            start,
            end,
            &format!("{}: missing end \"", &self.input[start.0..end.0]),
        ))
    }
}

/// The UTF-8 parser: optional braces, `name op value` separated by
/// commas, a trailing comma allowed.
fn utf8_matchers(input: &str) -> Result<Vec<Matcher>, MatcherError> {
    let mut tokens = Vec::new();
    let mut lexer = Lexer {
        input,
        pos: 0,
        col: 0,
    };
    // Alertmanager's lexer stops at the first bad character; a parse error
    // before it wins, so keep the lexer's error for when it is reached.
    let lex_error = loop {
        match lexer.next() {
            Ok(Some(t)) => tokens.push(t),
            Ok(None) => break None,
            Err(e) => break Some(e),
        }
    };
    let mut p = Parser {
        input,
        tokens,
        next: 0,
        lex_error,
        end_col: lexer.col,
    };
    p.parse()
}

struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token>,
    next: usize,
    lex_error: Option<MatcherError>,
    end_col: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Result<Option<Token>, MatcherError> {
        match self.tokens.get(self.next) {
            Some(t) => Ok(Some(*t)),
            None => match &self.lex_error {
                Some(e) => Err(e.clone()),
                None => Ok(None),
            },
        }
    }

    fn text(&self, t: &Token) -> &str {
        &self.input[t.start..t.end]
    }

    fn unexpected(&self, t: &Token, expected: &str) -> MatcherError {
        MatcherError::new(
            MatcherErrorKind::UnexpectedToken,
            Span::new(t.start, t.end),
            format!(
                "{}:{}: unexpected {}: {expected}",
                t.col_start,
                t.col_end,
                self.text(t)
            ),
        )
    }

    fn end_of_input(&self, expected: &str) -> MatcherError {
        MatcherError::new(
            MatcherErrorKind::UnexpectedEnd,
            Span::at(self.input.len()),
            format!("end of input: {expected}"),
        )
    }

    /// The next token, which must be one of `kinds`.
    fn expect(&mut self, kinds: &[Tok], expected: &str) -> Result<Token, MatcherError> {
        match self.peek()? {
            None => Err(self.end_of_input(expected)),
            Some(t) if kinds.contains(&t.kind) => {
                self.next += 1;
                Ok(t)
            }
            Some(t) => Err(self.unexpected(&t, expected)),
        }
    }

    fn parse(&mut self) -> Result<Vec<Matcher>, MatcherError> {
        let mut matchers = Vec::new();
        let open = match self.peek()? {
            None => return Ok(matchers),
            Some(t) if t.kind == Tok::Open => {
                self.next += 1;
                true
            }
            Some(_) => false,
        };
        let mut closed = false;
        // After `{`, a `}` may come at once; otherwise matchers follow.
        if !matches!(self.peek()?, Some(t) if t.kind == Tok::Close) && self.peek()?.is_some() {
            loop {
                matchers.push(self.matcher()?);
                match self.peek()? {
                    None => break,
                    Some(t) if t.kind == Tok::Close => break,
                    Some(t) if t.kind == Tok::Comma => {
                        self.next += 1;
                        match self.peek()? {
                            None => break,
                            Some(t) if t.kind == Tok::Close => break,
                            Some(t) if matches!(t.kind, Tok::Quoted | Tok::Unquoted) => {}
                            Some(t) => {
                                return Err(self.unexpected(
                                    &t,
                                    "expected a matcher or close brace after comma",
                                ))
                            }
                        }
                    }
                    Some(t) => return Err(self.unexpected(&t, "expected a comma or close brace")),
                }
            }
        }
        if let Some(t) = self.peek()? {
            if t.kind == Tok::Close {
                if !open {
                    return Err(MatcherError::new(
                        MatcherErrorKind::UnbalancedBrace,
                        Span::new(t.start, t.end),
                        format!("0:{}: }}: expected opening brace", t.col_end),
                    ));
                }
                self.next += 1;
                closed = true;
            }
        }
        if open && !closed {
            return Err(MatcherError::new(
                MatcherErrorKind::UnbalancedBrace,
                Span::at(self.input.len()),
                format!("0:{}: end of input: expected close brace", self.end_col),
            ));
        }
        match self.peek()? {
            None => Ok(matchers),
            Some(t) => Err(MatcherError::new(
                MatcherErrorKind::UnexpectedToken,
                Span::new(t.start, t.end),
                format!(
                    "{}:{}: {}: expected end of input",
                    t.col_start,
                    t.col_end,
                    self.text(&t)
                ),
            )),
        }
    }

    fn matcher(&mut self) -> Result<Matcher, MatcherError> {
        let name_tok = self.expect(&[Tok::Quoted, Tok::Unquoted], "expected label name")?;
        let name = self.unquote(&name_tok)?;
        let op_tok = self.expect(
            &[Tok::Eq, Tok::Ne, Tok::Re, Tok::Nre],
            "expected an operator such as '=', '!=', '=~' or '!~'",
        )?;
        let op = match op_tok.kind {
            Tok::Ne => MatchOp::NotEqual,
            Tok::Re => MatchOp::Regex,
            Tok::Nre => MatchOp::NotRegex,
            _ => MatchOp::Equal,
        };
        let value_tok = self.expect(&[Tok::Quoted, Tok::Unquoted], "expected label value")?;
        let value = self.unquote(&value_tok)?;
        new_matcher(&name, op, &value).map_err(|e| {
            MatcherError::new(
                MatcherErrorKind::InvalidRegex,
                Span::new(name_tok.start, value_tok.end),
                format!("failed to create matcher: {e}"),
            )
        })
    }

    fn unquote(&self, t: &Token) -> Result<String, MatcherError> {
        let text = self.text(t);
        if t.kind == Tok::Unquoted {
            return Ok(text.to_string());
        }
        go_unquote(text).ok_or_else(|| {
            MatcherError::new(
                MatcherErrorKind::InvalidInput,
                Span::new(t.start, t.end),
                format!("{}:{}: {text}: invalid input", t.col_start, t.col_end),
            )
        })
    }
}

/// Go's `strconv.Unquote` of a double-quoted string: Go's escapes, no raw
/// newline, and a valid UTF-8 result.
fn go_unquote(s: &str) -> Option<String> {
    let body = s.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\n' => return None,
            '\\' => {
                let e = chars.next()?;
                match e {
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\x0b'),
                    '\\' => out.push('\\'),
                    '"' => out.push('"'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut v: u32 = 0;
                        for _ in 0..n {
                            v = v * 16 + chars.next()?.to_digit(16)?;
                        }
                        if e == 'x' {
                            // A byte: only an ASCII one keeps the result
                            // valid UTF-8, which Alertmanager requires.
                            if v > 0x7f {
                                return None;
                            }
                        }
                        out.push(char::from_u32(v)?);
                    }
                    '0'..='7' => {
                        let mut v = e.to_digit(8)?;
                        for _ in 0..2 {
                            v = v * 8 + chars.next()?.to_digit(8)?;
                        }
                        if v > 0x7f {
                            return None;
                        }
                        out.push(char::from_u32(v)?);
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn show(input: &str) -> String {
        match parse_matchers(input) {
            Ok(p) => {
                let warn = if p.fallback_warning.is_some() {
                    " (classic)"
                } else {
                    ""
                };
                format!("{}{warn}", matchers_string(&p.matchers))
            }
            Err(e) => format!("error {:?}: {:?}", e.kind, e.message),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn reads_matchers_as_alertmanager_does() {
        let cases = [
            r#"alertname = "Foo""#,
            r#"severity =~ "warn|crit""#,
            "foo=bar",
            "{foo=bar, dings!=bums, }",
            r#"{quote="She said: \"Hi, ladies! That's gender-neutral…\""}"#,
            r#"statuscode=~"5..""#,
            r#""utf8 name"="x""#,
            r#""a=b"!~"c""#,
            "foo=",
            r#"foo="""#,
            "foo=bar baz",
            "{foo=bar",
            "foo=bar}",
            "foo!bar",
            "1foo=bar",
            "foo=~(",
            r#"foo="bar"#,
            r#"foo=\"bar\""#,
            "",
            "{}",
            "foo=bar,,baz=qux",
        ];
        let out: Vec<String> = cases
            .iter()
            .map(|c| format!("{c:?} => {}", show(c)))
            .collect();
        expect_test::expect![[r#"
            "alertname = \"Foo\"" => {alertname="Foo"}
            "severity =~ \"warn|crit\"" => {severity=~"warn|crit"}
            "foo=bar" => {foo="bar"}
            "{foo=bar, dings!=bums, }" => {foo="bar",dings!="bums"}
            "{quote=\"She said: \\\"Hi, ladies! That's gender-neutral…\\\"\"}" => {quote="She said: \"Hi, ladies! That's gender-neutral…\""}
            "statuscode=~\"5..\"" => {statuscode=~"5.."}
            "\"utf8 name\"=\"x\"" => {"utf8 name"="x"}
            "\"a=b\"!~\"c\"" => {"a=b"!~"c"}
            "foo=" => {foo=""} (classic)
            "foo=\"\"" => {foo=""}
            "foo=bar baz" => {foo="bar baz"} (classic)
            "{foo=bar" => {foo="bar"} (classic)
            "foo=bar}" => {foo="bar"} (classic)
            "foo!bar" => error BadFormat: "bad matcher format: foo!bar"
            "1foo=bar" => {1foo="bar"}
            "foo=~(" => error InvalidRegex: "error parsing regexp: missing closing ): `^(?:()$`"
            "foo=\"bar" => error UnescapedQuote: "matcher value contains unescaped double quote: \"bar"
            "foo=\\\"bar\\\"" => {foo="\"bar\""} (classic)
            "" => {}
            "{}" => {}
            "foo=bar,,baz=qux" => error BadFormat: "bad matcher format: ""#]]
        .assert_eq(&out.join("\n"));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_utf8_parser_reports_columns() {
        for (input, want) in [
            (
                "foo=bar baz",
                "8:11: unexpected baz: expected a comma or close brace",
            ),
            ("{foo=bar", "0:8: end of input: expected close brace"),
            ("foo=bar}", "0:8: }: expected opening brace"),
            ("foo!bar", "3:4: !: expected one of '=~'"),
            ("foo!", "3:4: unexpected end of input, expected one of '=~'"),
            (r#"foo="bar"#, "4:8: \"bar: missing end \""),
            ("foo=", "end of input: expected label value"),
            (
                "a=b,=",
                "4:5: unexpected =: expected a matcher or close brace after comma",
            ),
            ("~", "0:1: ~: invalid input"),
        ] {
            let got = utf8_matchers(input).map(|m| m.len()).unwrap_err().message;
            assert_eq!(got, want, "{input}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn regexes_are_anchored_without_dotall() {
        let m = new_matcher("a", MatchOp::Regex, "x.*").unwrap();
        assert_eq!(m.value, "x.*");
        assert!(m.matches("xyz"));
        assert!(!m.matches("ax"));
        assert!(!m.matches("x\ny"));
        let m = parse_matcher(r#"job!~"node|app""#).unwrap();
        assert!(m.matches("other") && !m.matches("node"));
        assert!(parse_matcher("{a=b}").is_err());
        assert!(
            parse_matcher("a=b,c=d").is_ok(),
            "classic reads one matcher with a comma value"
        );
        assert_eq!(parse_matcher("a=b,c=d").unwrap().value, "b,c=d");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn sorts_and_prints_as_alertmanager() {
        let mut ms = vec![
            new_matcher("b", MatchOp::Equal, "1").unwrap(),
            new_matcher("a", MatchOp::NotRegex, "x").unwrap(),
            new_matcher("a", MatchOp::Equal, "x").unwrap(),
            new_matcher("a b", MatchOp::Equal, "q\"\n").unwrap(),
        ];
        sort_matchers(&mut ms);
        assert_eq!(
            matchers_string(&ms),
            r#"{a="x",a!~"x","a b"="q\"\n",b="1"}"#
        );
        let labels = Labels::from_pairs([("b", "1"), ("a", "y")]);
        assert!(matches_all(&ms[3..], &labels));
        assert!(!matches_all(&ms[..1], &labels));
    }
}
