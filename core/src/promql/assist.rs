//! What a PromQL editor needs from the language, as pure functions over the
//! query text: classes of every byte for syntax highlighting
//! ([`highlight`]), the partner of a bracket ([`matching_bracket`]), what
//! can be typed at the cursor ([`context`]) and the ranked suggestions for
//! it ([`suggest`]).
//!
//! Completion is two steps because the names come from wherever the lab
//! is pointed (its own TSDB or a remote Prometheus): [`context`] says what
//! is wanted — metric names, the label names of a metric, the values of a
//! label — the caller fetches those through the HTTP API's
//! `/api/v1/label/__name__/values`, `/api/v1/labels` and
//! `/api/v1/label/<name>/values`, and [`suggest`] ranks them together with
//! the language's own words and their [`docs`](super::docs).
//!
//! Everything here reads the lexer's tokens, so brackets inside strings
//! and comments never count, and an unfinished query (the normal state of
//! a query being typed) is read as far as it goes.

use super::docs::{self, DocKind, Lang};
use super::lexer::{lex, Keyword, KeywordClass, Token, TokenKind};
use crate::diagnostic::Span;

/// The role of a piece of query text, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenClass {
    /// A metric name.
    Metric,
    /// A label name (in braces or in a `by`/`on` list).
    Label,
    /// A function's name.
    Function,
    /// `sum`, `topk`, …
    Aggregation,
    /// `by`, `offset`, `bool`, `and`, …
    Keyword,
    /// `+`, `==`, `=~`, `@`, …
    Operator,
    Number,
    Duration,
    String,
    /// Brackets, commas, colons.
    Punctuation,
    Comment,
    /// Spaces between tokens.
    Space,
    /// Text the lexer could not read (from the first error on).
    Error,
}

impl TokenClass {
    /// A short stable name, usable as a CSS class suffix.
    pub fn name(self) -> &'static str {
        match self {
            TokenClass::Metric => "metric",
            TokenClass::Label => "label",
            TokenClass::Function => "function",
            TokenClass::Aggregation => "aggregation",
            TokenClass::Keyword => "keyword",
            TokenClass::Operator => "operator",
            TokenClass::Number => "number",
            TokenClass::Duration => "duration",
            TokenClass::String => "string",
            TokenClass::Punctuation => "punctuation",
            TokenClass::Comment => "comment",
            TokenClass::Space => "space",
            TokenClass::Error => "error",
        }
    }
}

/// A run of text of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    pub class: TokenClass,
}

/// Splits `src` into runs that together cover every byte, each with its
/// class. Runs never split a UTF-8 character.
pub fn highlight(src: &str) -> Vec<Highlight> {
    let tokens = lex(src);
    let classes = classify(src, &tokens);
    let mut out: Vec<Highlight> = Vec::with_capacity(tokens.len() * 2);
    let mut pos = 0;
    for (token, class) in tokens.iter().zip(classes) {
        if token.kind == TokenKind::Eof {
            break;
        }
        if token.kind == TokenKind::Error {
            // The lexer stops here: the rest cannot be read.
            let start = token.span.start.max(pos);
            gap(src, pos, start, &mut out);
            push(&mut out, start, src.len(), TokenClass::Error);
            pos = src.len();
            break;
        }
        gap(src, pos, token.span.start, &mut out);
        push(&mut out, token.span.start, token.span.end, class);
        pos = token.span.end;
    }
    gap(src, pos, src.len(), &mut out);
    out
}

/// Classes the text between two tokens: spaces, and `#` comments to the
/// end of their line.
fn gap(src: &str, from: usize, to: usize, out: &mut Vec<Highlight>) {
    let Some(text) = src.get(from..to) else {
        return;
    };
    let mut pos = from;
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after_hash) = rest.strip_prefix('#') {
            let len = 1 + after_hash.find('\n').unwrap_or(after_hash.len());
            push(out, pos, pos + len, TokenClass::Comment);
            pos += len;
            rest = &rest[len..];
        } else {
            let len = rest.find('#').unwrap_or(rest.len());
            push(out, pos, pos + len, TokenClass::Space);
            pos += len;
            rest = &rest[len..];
        }
    }
}

fn push(out: &mut Vec<Highlight>, start: usize, end: usize, class: TokenClass) {
    if start >= end {
        return;
    }
    if let Some(last) = out.last_mut() {
        if last.class == class && last.span.end == start {
            last.span.end = end;
            return;
        }
    }
    out.push(Highlight {
        span: Span::new(start, end),
        class,
    });
}

/// The class of each token, from the token and its neighbours: an
/// identifier is a function before `(`, a label name inside braces or a
/// grouping list, and a metric name otherwise.
fn classify(src: &str, tokens: &[Token]) -> Vec<TokenClass> {
    let mut out = Vec::with_capacity(tokens.len());
    // What each open bracket is: a brace, a grouping list, or other.
    let mut open: Vec<Opener> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1).map(|t| t.kind);
        let class = match t.kind {
            TokenKind::Identifier | TokenKind::MetricIdentifier => match open.last() {
                Some(Opener::Brace) | Some(Opener::Grouping) => TokenClass::Label,
                _ if next == Some(TokenKind::LeftParen)
                    && super::function_by_name(t.text(src)).is_some() =>
                {
                    TokenClass::Function
                }
                _ => TokenClass::Metric,
            },
            TokenKind::Number => TokenClass::Number,
            TokenKind::Duration => TokenClass::Duration,
            TokenKind::String => match open.last() {
                // A quoted metric or label name: `{"my.metric", "a.b"="x"}`.
                Some(Opener::Brace)
                    if matches!(
                        next,
                        Some(
                            TokenKind::Assign
                                | TokenKind::Neq
                                | TokenKind::EqlRegex
                                | TokenKind::NeqRegex
                        )
                    ) =>
                {
                    TokenClass::Label
                }
                _ => TokenClass::String,
            },
            TokenKind::Keyword(k) => match k.class() {
                KeywordClass::Aggregator => TokenClass::Aggregation,
                KeywordClass::Preprocessor => TokenClass::Function,
                KeywordClass::Operator | KeywordClass::Keyword => TokenClass::Keyword,
            },
            TokenKind::LeftParen
            | TokenKind::RightParen
            | TokenKind::LeftBrace
            | TokenKind::RightBrace
            | TokenKind::LeftBracket
            | TokenKind::RightBracket
            | TokenKind::Comma
            | TokenKind::Colon => TokenClass::Punctuation,
            TokenKind::Error => TokenClass::Error,
            TokenKind::Eof => TokenClass::Space,
            _ => TokenClass::Operator,
        };
        match t.kind {
            TokenKind::LeftBrace => open.push(Opener::Brace),
            TokenKind::LeftBracket => open.push(Opener::Other),
            TokenKind::LeftParen => {
                let grouping = i
                    .checked_sub(1)
                    .and_then(|j| tokens.get(j))
                    .is_some_and(|p| is_grouping_keyword(p.kind));
                open.push(if grouping {
                    Opener::Grouping
                } else {
                    Opener::Other
                });
            }
            TokenKind::RightBrace | TokenKind::RightBracket | TokenKind::RightParen => {
                open.pop();
            }
            _ => {}
        }
        out.push(class);
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opener {
    Brace,
    /// The `(` of `by (…)`, `on (…)`, `group_left (…)`, …
    Grouping,
    Other,
}

fn is_grouping_keyword(kind: TokenKind) -> bool {
    matches!(
        kind,
        TokenKind::Keyword(
            Keyword::By
                | Keyword::Without
                | Keyword::On
                | Keyword::Ignoring
                | Keyword::GroupLeft
                | Keyword::GroupRight
        )
    )
}

/// The bracket at the cursor (the one just before it, or else the one
/// just after it) and its partner, as `(this, partner)`. `None` when there
/// is no bracket there or it has no partner.
pub fn matching_bracket(src: &str, cursor: usize) -> Option<(Span, Span)> {
    let tokens = lex(src);
    let is_bracket = |k: TokenKind| {
        matches!(
            k,
            TokenKind::LeftParen
                | TokenKind::RightParen
                | TokenKind::LeftBrace
                | TokenKind::RightBrace
                | TokenKind::LeftBracket
                | TokenKind::RightBracket
        )
    };
    let here = tokens
        .iter()
        .position(|t| is_bracket(t.kind) && t.span.end == cursor)
        .or_else(|| {
            tokens
                .iter()
                .position(|t| is_bracket(t.kind) && t.span.start == cursor)
        })?;
    // Pair every bracket with a stack, as the parser would.
    let mut stack: Vec<usize> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LeftParen | TokenKind::LeftBrace | TokenKind::LeftBracket => stack.push(i),
            TokenKind::RightParen | TokenKind::RightBrace | TokenKind::RightBracket => {
                let Some(j) = stack.pop() else { continue };
                let pair = (tokens[j].kind, t.kind);
                let same = matches!(
                    pair,
                    (TokenKind::LeftParen, TokenKind::RightParen)
                        | (TokenKind::LeftBrace, TokenKind::RightBrace)
                        | (TokenKind::LeftBracket, TokenKind::RightBracket)
                );
                if !same {
                    continue;
                }
                if j == here {
                    return Some((tokens[j].span, t.span));
                }
                if i == here {
                    return Some((t.span, tokens[j].span));
                }
            }
            _ => {}
        }
    }
    None
}

/// What can be typed at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// The start of an expression: a metric name, a function, an
    /// aggregation, a number.
    Expression,
    /// After a complete operand: a binary operator, `offset`, `by`, …
    AfterOperand,
    /// A label name inside braces; `metric` is the selector's metric name
    /// when it has one.
    LabelName { metric: Option<String> },
    /// A label name in `by (…)`, `on (…)`, …: the labels of the metrics of
    /// the query.
    GroupingLabel { metrics: Vec<String> },
    /// A label's value after a matcher's operator.
    LabelValue {
        metric: Option<String>,
        label: String,
        /// The cursor is inside an open string; suggestions then close it.
        in_string: bool,
    },
    /// A duration, inside `[…]`.
    Duration,
    /// Nothing can be suggested here (inside a number, after an error).
    Nothing,
}

/// What [`context`] found: what is wanted, the text already typed of it,
/// and the part of the query a suggestion replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub want: Want,
    pub prefix: String,
    pub replace: Span,
}

/// What can be typed at byte `cursor` of `src` (clamped to the text and
/// to a character boundary).
pub fn context(src: &str, cursor: usize) -> Context {
    let mut cursor = cursor.min(src.len());
    while !src.is_char_boundary(cursor) {
        cursor -= 1;
    }
    let before = &src[..cursor];
    let mut tokens = lex(before);
    if tokens.last().map(|t| t.kind) == Some(TokenKind::Eof) {
        tokens.pop();
    }
    // "unclosed left parenthesis" and its kind, at the very end, are the
    // normal state of a query being typed.
    if tokens
        .last()
        .is_some_and(|t| t.kind == TokenKind::Error && t.span.start >= before.len())
    {
        tokens.pop();
    }
    // An unterminated string at the end is a label value being typed.
    if let Some(last) = tokens.last() {
        if last.kind == TokenKind::Error {
            let rest = &before[last.span.start.min(before.len())..];
            let quote = rest
                .chars()
                .next()
                .filter(|c| matches!(c, '"' | '\'' | '`'));
            if let Some(q) = quote {
                let earlier = &tokens[..tokens.len() - 1];
                if let Some(want) = value_context(src, earlier, true) {
                    return Context {
                        want,
                        prefix: rest[q.len_utf8()..].to_string(),
                        replace: Span::new(last.span.start, word_end(src, cursor, true)),
                    };
                }
            }
            return nothing(cursor);
        }
    }
    // The word being typed, if the cursor touches one.
    let (prefix, replace, earlier) = match tokens.last() {
        Some(t)
            if t.span.end == cursor
                && matches!(
                    t.kind,
                    TokenKind::Identifier | TokenKind::MetricIdentifier | TokenKind::Keyword(_)
                ) =>
        {
            (
                t.text(before).to_string(),
                Span::new(t.span.start, word_end(src, cursor, false)),
                &tokens[..tokens.len() - 1],
            )
        }
        Some(t)
            if t.span.end == cursor
                && matches!(t.kind, TokenKind::Number | TokenKind::Duration) =>
        {
            let inside_bracket = innermost_opener(&tokens[..tokens.len() - 1])
                .is_some_and(|i| tokens[i].kind == TokenKind::LeftBracket);
            if inside_bracket {
                return Context {
                    want: Want::Duration,
                    prefix: t.text(before).to_string(),
                    replace: t.span,
                };
            }
            return nothing(cursor);
        }
        _ => (
            String::new(),
            Span::new(cursor, word_end(src, cursor, false)),
            &tokens[..],
        ),
    };
    let want = want_after(src, earlier);
    Context {
        want,
        prefix,
        replace,
    }
}

fn nothing(cursor: usize) -> Context {
    Context {
        want: Want::Nothing,
        prefix: String::new(),
        replace: Span::at(cursor),
    }
}

/// Where the word under the cursor ends: a suggestion replaces the whole
/// word, also the part after the cursor.
fn word_end(src: &str, cursor: usize, in_string: bool) -> usize {
    let rest = &src[cursor..];
    let len = if in_string {
        match rest.find(['"', '\'', '`', '}', ',']) {
            // The closing quote goes with the value it closes.
            Some(i) if matches!(rest.as_bytes()[i], b'"' | b'\'' | b'`') => i + 1,
            Some(i) => i,
            None => rest.len(),
        }
    } else {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len())
    };
    cursor + len
}

/// The index of the innermost bracket still open after `tokens`.
fn innermost_opener(tokens: &[Token]) -> Option<usize> {
    let mut stack = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        match t.kind {
            TokenKind::LeftParen | TokenKind::LeftBrace | TokenKind::LeftBracket => stack.push(i),
            TokenKind::RightParen | TokenKind::RightBrace | TokenKind::RightBracket => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

/// What is wanted after the complete tokens `earlier`.
fn want_after(src: &str, earlier: &[Token]) -> Want {
    if let Some(want) = value_context(src, earlier, false) {
        return want;
    }
    let last = earlier.last().map(|t| t.kind);
    if let Some(i) = innermost_opener(earlier) {
        match earlier[i].kind {
            TokenKind::LeftBrace => {
                let metric = i
                    .checked_sub(1)
                    .and_then(|j| earlier.get(j))
                    .filter(|t| {
                        matches!(t.kind, TokenKind::Identifier | TokenKind::MetricIdentifier)
                    })
                    .map(|t| t.text(src).to_string());
                return match last {
                    Some(TokenKind::LeftBrace | TokenKind::Comma) => Want::LabelName { metric },
                    _ => Want::Nothing,
                };
            }
            TokenKind::LeftBracket => {
                return match last {
                    Some(TokenKind::LeftBracket | TokenKind::Colon) => Want::Duration,
                    _ => Want::Nothing,
                };
            }
            TokenKind::LeftParen => {
                let grouping = i
                    .checked_sub(1)
                    .and_then(|j| earlier.get(j))
                    .is_some_and(|p| is_grouping_keyword(p.kind));
                if grouping {
                    return match last {
                        Some(TokenKind::LeftParen | TokenKind::Comma) => Want::GroupingLabel {
                            // The whole query's metrics: `sum by (|) (x)`.
                            metrics: metric_names(src, &lex(src)),
                        },
                        _ => Want::Nothing,
                    };
                }
            }
            _ => {}
        }
    }
    match last {
        Some(
            TokenKind::Identifier
            | TokenKind::MetricIdentifier
            | TokenKind::Number
            | TokenKind::String
            | TokenKind::RightParen
            | TokenKind::RightBrace
            | TokenKind::RightBracket
            | TokenKind::Duration,
        ) => Want::AfterOperand,
        Some(TokenKind::Keyword(Keyword::Offset)) => Want::Duration,
        Some(TokenKind::Keyword(k)) if is_grouping_keyword(TokenKind::Keyword(k)) => Want::Nothing,
        _ => Want::Expression,
    }
}

/// A label value is wanted when the last tokens are `label <op>` inside
/// braces (`in_string`: a string is open after them).
fn value_context(src: &str, earlier: &[Token], in_string: bool) -> Option<Want> {
    let n = earlier.len();
    let op = earlier.get(n.checked_sub(1)?)?;
    if !matches!(
        op.kind,
        TokenKind::Assign | TokenKind::Neq | TokenKind::EqlRegex | TokenKind::NeqRegex
    ) {
        return None;
    }
    let label_token = earlier.get(n.checked_sub(2)?)?;
    let label = match label_token.kind {
        TokenKind::Identifier | TokenKind::MetricIdentifier => label_token.text(src).to_string(),
        TokenKind::String => super::lexer::unquote(label_token.text(src)).ok()?,
        _ => return None,
    };
    let brace = innermost_opener(earlier)?;
    if earlier[brace].kind != TokenKind::LeftBrace {
        return None;
    }
    let metric = brace
        .checked_sub(1)
        .and_then(|j| earlier.get(j))
        .filter(|t| matches!(t.kind, TokenKind::Identifier | TokenKind::MetricIdentifier))
        .map(|t| t.text(src).to_string());
    Some(Want::LabelValue {
        metric,
        label,
        in_string,
    })
}

/// The metric names a query's selectors mention, in order, once each.
fn metric_names(src: &str, tokens: &[Token]) -> Vec<String> {
    let classes = classify(src, tokens);
    let mut out: Vec<String> = Vec::new();
    for (t, c) in tokens.iter().zip(classes) {
        if c == TokenClass::Metric {
            let name = t.text(src).to_string();
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

/// What a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuggestionKind {
    Metric,
    Function,
    Aggregation,
    Keyword,
    Label,
    LabelValue,
    Duration,
}

/// One suggestion: what to show, what to insert, and its documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub label: String,
    pub kind: SuggestionKind,
    /// The text that replaces [`Context::replace`].
    pub insert: String,
    /// A function's signature, or a metric's type.
    pub detail: Option<String>,
    /// One line of documentation (a metric's HELP text, a function's doc).
    pub doc: Option<String>,
}

/// Names the caller fetched for a [`Context`]: metric names with their
/// type and help when known, label names or label values.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub metrics: Vec<MetricName>,
    pub labels: Vec<String>,
    pub values: Vec<String>,
}

/// A metric name with its metadata, if any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricName {
    pub name: String,
    pub kind: Option<String>,
    pub help: Option<String>,
}

/// At most this many suggestions are returned.
pub const MAX_SUGGESTIONS: usize = 200;

/// The suggestions for `ctx`, ranked: names that start with the prefix
/// first (case-insensitively), then names that contain it, each group in
/// alphabetical order; the language's own words take part where they fit.
pub fn suggest(ctx: &Context, names: &Names, lang: Lang) -> Vec<Suggestion> {
    let mut out = Vec::new();
    match &ctx.want {
        Want::Expression => {
            for m in &names.metrics {
                out.push(Suggestion {
                    label: m.name.clone(),
                    kind: SuggestionKind::Metric,
                    insert: m.name.clone(),
                    detail: m.kind.clone(),
                    doc: m.help.clone(),
                });
            }
            for d in docs::DOCS {
                let kind = match d.kind {
                    DocKind::Function => SuggestionKind::Function,
                    DocKind::Aggregation => SuggestionKind::Aggregation,
                    DocKind::Keyword => continue,
                };
                out.push(Suggestion {
                    label: d.name.to_string(),
                    kind,
                    insert: format!("{}(", d.name),
                    detail: Some(d.signature.to_string()),
                    doc: Some(d.text(lang).to_string()),
                });
            }
        }
        Want::AfterOperand => {
            for d in docs::DOCS.iter().filter(|d| d.kind == DocKind::Keyword) {
                if matches!(d.name, "start" | "end") {
                    continue;
                }
                out.push(Suggestion {
                    label: d.name.to_string(),
                    kind: SuggestionKind::Keyword,
                    insert: d.name.to_string(),
                    detail: Some(d.signature.to_string()),
                    doc: Some(d.text(lang).to_string()),
                });
            }
        }
        Want::LabelName { .. } | Want::GroupingLabel { .. } => {
            for l in &names.labels {
                if l == "__name__" && matches!(ctx.want, Want::GroupingLabel { .. }) {
                    continue;
                }
                out.push(Suggestion {
                    label: l.clone(),
                    kind: SuggestionKind::Label,
                    insert: quote_label_name(l),
                    detail: None,
                    doc: None,
                });
            }
        }
        Want::LabelValue { .. } => {
            for v in &names.values {
                let quoted = super::lexer::go_quote(v);
                out.push(Suggestion {
                    label: v.clone(),
                    kind: SuggestionKind::LabelValue,
                    // In an open string, the replaced span starts at its
                    // opening quote and ends after its closing one, if any.
                    insert: quoted,
                    detail: None,
                    doc: None,
                });
            }
        }
        Want::Duration => {
            for d in [
                "1m", "5m", "10m", "15m", "30m", "1h", "3h", "6h", "12h", "1d", "7d",
            ] {
                out.push(Suggestion {
                    label: d.to_string(),
                    kind: SuggestionKind::Duration,
                    insert: d.to_string(),
                    detail: None,
                    doc: None,
                });
            }
            // Durations keep their natural order, not the alphabet's.
            return filter_keep_order(out, &ctx.prefix);
        }
        Want::Nothing => {}
    }
    rank(out, &ctx.prefix)
}

/// A label name as written in a matcher: bare when it is a legacy name,
/// quoted otherwise (Prometheus 3's UTF-8 names).
fn quote_label_name(name: &str) -> String {
    let legacy = name
        .chars()
        .enumerate()
        .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
        && !name.is_empty();
    if legacy {
        name.to_string()
    } else {
        super::lexer::go_quote(name)
    }
}

fn filter_keep_order(items: Vec<Suggestion>, prefix: &str) -> Vec<Suggestion> {
    items
        .into_iter()
        .filter(|s| s.label.starts_with(prefix))
        .collect()
}

fn rank(items: Vec<Suggestion>, prefix: &str) -> Vec<Suggestion> {
    let p = prefix.to_lowercase();
    let mut scored: Vec<(u8, Suggestion)> = items
        .into_iter()
        .filter_map(|s| {
            let l = s.label.to_lowercase();
            let score = if l.starts_with(&p) {
                0
            } else if l.contains(&p) {
                1
            } else {
                return None;
            };
            Some((score, s))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.label.cmp(&b.1.label)));
    scored.dedup_by(|a, b| a.1.label == b.1.label && a.1.kind == b.1.kind);
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, s)| s)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The query with each run written `class:text`, spaces dropped.
    fn classes(src: &str) -> String {
        highlight(src)
            .iter()
            .filter(|h| h.class != TokenClass::Space)
            .map(|h| format!("{}:{}", h.class.name(), h.span.slice(src)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn highlighting_covers_every_byte_and_knows_roles() {
        let cases = [
            (
                r#"sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) # errors"#,
                r#"aggregation:sum keyword:by punctuation:( label:job punctuation:) punctuation:( function:rate punctuation:( metric:http_requests_total punctuation:{ label:code operator:=~ string:"5.." punctuation:}[ duration:5m punctuation:])) comment:# errors"#,
            ),
            (
                r#"a / on (instance) group_left (node) b offset -5m @ end()"#,
                "metric:a operator:/ keyword:on punctuation:( label:instance punctuation:) keyword:group_left punctuation:( label:node punctuation:) metric:b keyword:offset operator:- duration:5m operator:@ function:end punctuation:()",
            ),
            (
                r#"{"my.metric", "a.b"="x"} > bool 0x1F"#,
                r#"punctuation:{ string:"my.metric" punctuation:, label:"a.b" operator:= string:"x" punctuation:} operator:> keyword:bool number:0x1F"#,
            ),
            (r#"up{job="no"#, r#"metric:up punctuation:{ label:job operator:= error:"no"#),
            ("rate(x[5m", "function:rate punctuation:( metric:x punctuation:[ duration:5m"),
            ("한글 + 1", "error:한글 + 1"),
        ];
        for (src, want) in cases {
            let runs = highlight(src);
            let mut pos = 0;
            for r in &runs {
                assert_eq!(r.span.start, pos, "{src}: gap or overlap at {pos}");
                assert!(src.is_char_boundary(r.span.end));
                pos = r.span.end;
            }
            assert_eq!(pos, src.len(), "{src}: not covered");
            assert_eq!(classes(src), want, "{src}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn brackets_pair_with_their_partner_ignoring_strings() {
        let src = r#"sum(rate(x{a="(}"}[5m]))"#;
        // The `(` after sum, with the cursor just after it.
        let (here, partner) = matching_bracket(src, 4).unwrap();
        assert_eq!((here.start, partner.start), (3, src.len() - 1));
        // The `{` with the cursor just before it.
        let brace = src.find('{').unwrap();
        let (_, partner) = matching_bracket(src, brace).unwrap();
        assert_eq!(partner.slice(src), "}");
        assert_eq!(partner.start, src.rfind('}').unwrap());
        assert_eq!(matching_bracket("sum(x", 4), None);
        assert_eq!(matching_bracket("x", 1), None);
    }

    fn want(src_with_cursor: &str) -> (Want, String, String) {
        let cursor = src_with_cursor.find('|').unwrap();
        let src = src_with_cursor.replace('|', "");
        let ctx = context(&src, cursor);
        let replaced = ctx.replace.slice(&src).to_string();
        (ctx.want, ctx.prefix, replaced)
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_context_says_what_is_wanted_at_the_cursor() {
        use Want::*;
        let m = |s: &str| Some(s.to_string());
        let cases: Vec<(&str, Want, &str, &str)> = vec![
            ("|", Expression, "", ""),
            ("ra|", Expression, "ra", "ra"),
            ("ra|te(x[5m])", Expression, "ra", "rate"),
            ("sum(node_cpu|", Expression, "node_cpu", "node_cpu"),
            ("up |", AfterOperand, "", ""),
            ("up o|", AfterOperand, "o", "o"),
            ("up{|", LabelName { metric: m("up") }, "", ""),
            (
                "up{job=\"a\", ins|",
                LabelName { metric: m("up") },
                "ins",
                "ins",
            ),
            ("{|", LabelName { metric: None }, "", ""),
            (
                "up{job=|",
                LabelValue {
                    metric: m("up"),
                    label: "job".into(),
                    in_string: false,
                },
                "",
                "",
            ),
            (
                "up{job=~\"no|de\"}",
                LabelValue {
                    metric: m("up"),
                    label: "job".into(),
                    in_string: true,
                },
                "no",
                "\"node\"",
            ),
            (
                "sum by (|) (rate(a[5m]) / b)",
                GroupingLabel {
                    metrics: vec!["a".into(), "b".into()],
                },
                "",
                "",
            ),
            (
                "a * on (instance, |",
                GroupingLabel {
                    metrics: vec!["a".into()],
                },
                "",
                "",
            ),
            ("rate(x[|", Duration, "", ""),
            ("rate(x[5|", Duration, "5", "5"),
            ("x offset |", Duration, "", ""),
            ("1.|5", Nothing, "", ""),
        ];
        for (src, want_kind, prefix, replaced) in cases {
            let (w, p, r) = want(src);
            assert_eq!(w, want_kind, "{src}");
            assert_eq!(p, prefix, "{src}");
            assert_eq!(r, replaced, "{src}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn suggestions_are_ranked_and_carry_docs() {
        let names = Names {
            metrics: vec![
                MetricName {
                    name: "node_load1".into(),
                    kind: Some("gauge".into()),
                    help: Some("1m load average.".into()),
                },
                MetricName {
                    name: "irate_like_metric".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let ctx = context("ra", 2);
        let s = suggest(&ctx, &names, Lang::Ko);
        let labels: Vec<_> = s.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(labels[0], "rad");
        assert!(labels.contains(&"rate"));
        // Contains-matches come after the prefix matches.
        let irate = labels.iter().position(|l| *l == "irate").unwrap();
        let rate = labels.iter().position(|l| *l == "rate").unwrap();
        assert!(rate < irate);
        let rate = &s[rate];
        assert_eq!(rate.insert, "rate(");
        assert_eq!(rate.detail.as_deref(), Some("rate(v range-vector)"));
        assert!(rate.doc.as_deref().unwrap().contains("초당"));

        let ctx = context("node", 4);
        let s = suggest(&ctx, &names, Lang::En);
        assert_eq!(s[0].label, "node_load1");
        assert_eq!(s[0].detail.as_deref(), Some("gauge"));

        let values = Names {
            values: vec!["node".into(), "kube-state-metrics".into(), "a\"b".into()],
            ..Default::default()
        };
        let s = suggest(&context("up{job=", 7), &values, Lang::En);
        let inserts: Vec<_> = s.iter().map(|s| s.insert.as_str()).collect();
        assert_eq!(
            inserts,
            ["\"a\\\"b\"", "\"kube-state-metrics\"", "\"node\""]
        );

        let labels = Names {
            labels: vec!["__name__".into(), "job".into(), "k8s.pod".into()],
            ..Default::default()
        };
        let s = suggest(&context("sum by (", 8), &labels, Lang::En);
        let inserts: Vec<_> = s.iter().map(|s| s.insert.as_str()).collect();
        assert_eq!(inserts, ["job", "\"k8s.pod\""]);

        let s = suggest(&context("x[1", 3), &Names::default(), Lang::En);
        let durations: Vec<_> = s.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(durations, ["1m", "10m", "15m", "1h", "12h", "1d"]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn no_input_makes_it_panic() {
        let inputs = [
            "",
            "{",
            "}",
            "[",
            "(((",
            "\"",
            "`",
            "'",
            "{a=\"",
            "x[",
            "sum by (",
            "a @",
            "#",
            "é{é=\"é",
            "\u{0}",
            "x{a=~\"\\",
            "1e",
            "0x",
            "sum(rate(x[5m])) by (job",
        ];
        for src in inputs {
            let _ = highlight(src);
            for cursor in 0..=src.len() + 1 {
                let ctx = context(src, cursor);
                let _ = suggest(&ctx, &Names::default(), Lang::En);
                let _ = matching_bracket(src, cursor);
            }
        }
    }
}
