//! The PromQL parser: tokens to an [`Expr`] with spans, or a [`ParseError`]
//! that says where and what was expected.
//!
//! The parser is recursive descent over the lexer's tokens. This version
//! parses vector selectors — a metric name, label matchers in braces, or
//! both, including quoted UTF-8 names — and reports every other construct of
//! the language with its span as not yet evaluated, rather than
//! misreading it.

use super::ast::{Expr, VectorSelector};
use super::lexer::{lex, unquote, Token, TokenKind};
use crate::diagnostic::{Diagnostic, Span};
use crate::labels::{MatchOp, Matcher, METRIC_NAME};
use std::fmt;

/// What went wrong, for tests to assert on; [`fmt::Display`] gives the
/// message.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseErrorKind {
    /// The lexer could not read a token.
    Lexical(String),
    /// A token other than the expected one.
    Unexpected {
        found: String,
        expected: String,
    },
    /// `{}` or only matchers that match the empty string.
    EmptySelector,
    /// The metric name given twice (`foo{__name__="bar"}`).
    DuplicateMetricName {
        first: String,
        second: String,
    },
    InvalidRegex(String),
    InvalidString(String),
    /// Part of the PromQL language this engine does not evaluate yet.
    NotYetSupported(&'static str),
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::Lexical(m) => f.write_str(m),
            ParseErrorKind::Unexpected { found, expected } => {
                write!(f, "unexpected {found}, expected {expected}")
            }
            ParseErrorKind::EmptySelector => {
                f.write_str("vector selector must contain at least one non-empty matcher")
            }
            ParseErrorKind::DuplicateMetricName { first, second } => {
                write!(
                    f,
                    "metric name must not be set twice: {first:?} or {second:?}"
                )
            }
            ParseErrorKind::InvalidRegex(m) => f.write_str(m),
            ParseErrorKind::InvalidString(m) => f.write_str(m),
            ParseErrorKind::NotYetSupported(what) => {
                write!(
                    f,
                    "{what} are not supported by this version of the lab's PromQL engine yet"
                )
            }
        }
    }
}

/// A query that does not parse.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

impl ParseError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.kind.to_string())
    }

    /// `line:col: parse error: message`, then the query with a caret, for
    /// the command line.
    pub fn render(&self, query: &str) -> String {
        let mut d = self.to_diagnostic();
        d.message = format!("parse error: {}", d.message);
        d.render(query)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse error: {}", self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Parses a whole query.
pub fn parse(query: &str) -> Result<Expr, ParseError> {
    let tokens = lex(query);
    let mut p = Parser {
        src: query,
        tokens,
        pos: 0,
    };
    let expr = p.expr()?;
    p.expect_end()?;
    Ok(expr)
}

/// The aggregation operators, recognised so that using one gets a precise
/// message.
const AGGREGATORS: [&str; 14] = [
    "sum",
    "avg",
    "count",
    "min",
    "max",
    "group",
    "stddev",
    "stdvar",
    "topk",
    "bottomk",
    "count_values",
    "quantile",
    "limitk",
    "limit_ratio",
];

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        // `lex` always ends with Eof and the parser never moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        &self.tokens[(self.pos + ahead).min(self.tokens.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        t
    }

    fn text(&self, t: &Token) -> &str {
        t.text(self.src)
    }

    fn describe(&self, t: &Token) -> String {
        match t.kind {
            TokenKind::Eof => "end of input".into(),
            TokenKind::String => format!("string {}", self.text(t)),
            TokenKind::Number => format!("number {:?}", self.text(t)),
            TokenKind::Duration => format!("duration {:?}", self.text(t)),
            TokenKind::Identifier | TokenKind::MetricIdentifier => {
                format!("identifier {:?}", self.text(t))
            }
            _ => format!("{:?}", self.text(t)),
        }
    }

    fn error_at(&self, t: &Token, kind: ParseErrorKind) -> ParseError {
        ParseError { kind, span: t.span }
    }

    fn unexpected(&self, t: &Token, expected: &str) -> ParseError {
        if t.kind == TokenKind::Error {
            return self.error_at(
                t,
                ParseErrorKind::Lexical(t.error.clone().unwrap_or_default()),
            );
        }
        self.error_at(
            t,
            ParseErrorKind::Unexpected {
                found: self.describe(t),
                expected: expected.to_string(),
            },
        )
    }

    fn expect_end(&mut self) -> Result<(), ParseError> {
        let t = self.peek().clone();
        let unsupported = match t.kind {
            TokenKind::Eof => return Ok(()),
            TokenKind::LeftBracket => "range vector selectors and subqueries",
            TokenKind::Add
            | TokenKind::Sub
            | TokenKind::Mul
            | TokenKind::Div
            | TokenKind::Mod
            | TokenKind::Pow
            | TokenKind::Eql
            | TokenKind::Neq
            | TokenKind::Lss
            | TokenKind::Lte
            | TokenKind::Gtr
            | TokenKind::Gte => "binary operators",
            TokenKind::At => "@ modifiers",
            TokenKind::Identifier => match self.text(&t) {
                "offset" => "offset modifiers",
                "and" | "or" | "unless" | "atan2" => "binary operators",
                _ => return Err(self.unexpected(&t, "end of input")),
            },
            _ => return Err(self.unexpected(&t, "end of input")),
        };
        Err(self.error_at(&t, ParseErrorKind::NotYetSupported(unsupported)))
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        let t = self.peek().clone();
        match t.kind {
            TokenKind::LeftBrace => self.vector_selector(None),
            TokenKind::Identifier | TokenKind::MetricIdentifier => {
                let word = self.text(&t).to_string();
                let next = self.peek_at(1).kind;
                if AGGREGATORS.contains(&word.to_ascii_lowercase().as_str()) {
                    return Err(self.error_at(&t, ParseErrorKind::NotYetSupported("aggregations")));
                }
                if next == TokenKind::LeftParen {
                    return Err(
                        self.error_at(&t, ParseErrorKind::NotYetSupported("function calls"))
                    );
                }
                if matches!(word.to_ascii_lowercase().as_str(), "inf" | "nan") {
                    return Err(
                        self.error_at(&t, ParseErrorKind::NotYetSupported("number literals"))
                    );
                }
                self.next();
                self.vector_selector(Some((word, t.span)))
            }
            TokenKind::Number | TokenKind::Duration => {
                Err(self.error_at(&t, ParseErrorKind::NotYetSupported("number literals")))
            }
            TokenKind::String => {
                Err(self.error_at(&t, ParseErrorKind::NotYetSupported("string literals")))
            }
            TokenKind::LeftParen => Err(self.error_at(
                &t,
                ParseErrorKind::NotYetSupported("parenthesised expressions"),
            )),
            TokenKind::Add | TokenKind::Sub => {
                Err(self.error_at(&t, ParseErrorKind::NotYetSupported("unary operators")))
            }
            _ => Err(self.unexpected(&t, "a metric name or '{'")),
        }
    }

    /// After an optional metric name: `{ matchers }` or nothing.
    fn vector_selector(&mut self, name: Option<(String, Span)>) -> Result<Expr, ParseError> {
        let start = name.as_ref().map_or(self.peek().span, |(_, s)| *s);
        let mut metric = name.as_ref().map(|(n, _)| n.clone());
        let mut matchers = Vec::new();
        if let Some(n) = &metric {
            matchers.push(Matcher::equal(METRIC_NAME, n.clone()));
        }
        let mut end = start;
        if self.peek().kind == TokenKind::LeftBrace {
            self.next();
            loop {
                let t = self.next();
                match t.kind {
                    TokenKind::RightBrace => {
                        end = t.span;
                        break;
                    }
                    TokenKind::Identifier | TokenKind::MetricIdentifier | TokenKind::String => {
                        let label = if t.kind == TokenKind::String {
                            self.string_value(&t)?
                        } else {
                            self.text(&t).to_string()
                        };
                        if t.kind == TokenKind::MetricIdentifier {
                            return Err(self.unexpected(&t, "a label name"));
                        }
                        let op_tok = self.peek().clone();
                        let op = match op_tok.kind {
                            TokenKind::Assign => Some(MatchOp::Equal),
                            TokenKind::Neq => Some(MatchOp::NotEqual),
                            TokenKind::EqlRegex => Some(MatchOp::Regex),
                            TokenKind::NeqRegex => Some(MatchOp::NotRegex),
                            _ => None,
                        };
                        match op {
                            Some(op) => {
                                self.next();
                                let v = self.next();
                                if v.kind != TokenKind::String {
                                    return Err(self.unexpected(&v, "a quoted label value"));
                                }
                                let value = self.string_value(&v)?;
                                let m = Matcher::new(label, op, value).map_err(|e| {
                                    self.error_at(&v, ParseErrorKind::InvalidRegex(e))
                                })?;
                                matchers.push(m);
                            }
                            // A lone quoted string is the metric name.
                            None if t.kind == TokenKind::String => {
                                if let Some(first) = &metric {
                                    return Err(self.error_at(
                                        &t,
                                        ParseErrorKind::DuplicateMetricName {
                                            first: first.clone(),
                                            second: label,
                                        },
                                    ));
                                }
                                matchers.push(Matcher::equal(METRIC_NAME, label.clone()));
                                metric = Some(label);
                            }
                            None => {
                                return Err(self.unexpected(
                                    &op_tok,
                                    "a label matching operator (=, !=, =~ or !~)",
                                ))
                            }
                        }
                    }
                    _ => return Err(self.unexpected(&t, "a label name or '}'")),
                }
                let sep = self.next();
                match sep.kind {
                    TokenKind::Comma => continue,
                    TokenKind::RightBrace => {
                        end = sep.span;
                        break;
                    }
                    _ => return Err(self.unexpected(&sep, "',' or '}'")),
                }
            }
        }
        let span = start.to(end);
        // `foo{__name__="bar"}` names the metric twice.
        if let Some((first, _)) = &name {
            if let Some(m) = matchers.iter().skip(1).find(|m| m.name == METRIC_NAME) {
                return Err(ParseError {
                    kind: ParseErrorKind::DuplicateMetricName {
                        first: first.clone(),
                        second: m.value.clone(),
                    },
                    span,
                });
            }
        }
        if matchers.iter().all(|m| m.matches_empty()) {
            return Err(ParseError {
                kind: ParseErrorKind::EmptySelector,
                span,
            });
        }
        Ok(Expr::VectorSelector(VectorSelector {
            name: metric,
            matchers,
            span,
        }))
    }

    fn string_value(&self, t: &Token) -> Result<String, ParseError> {
        unquote(self.text(t)).map_err(|(at, msg)| ParseError {
            kind: ParseErrorKind::InvalidString(msg),
            span: Span::new(t.span.start + at, (t.span.start + at + 2).min(t.span.end)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn parses_selectors_to_their_canonical_form() {
        for (q, want) in [
            ("ping_request_count", "ping_request_count"),
            (
                "  up{job=\"node\" , instance=~'10\\\\..*',}",
                "up{job=\"node\", instance=~\"10\\\\..*\"}",
            ),
            (
                "{job!=\"x\", __name__=\"up\"}",
                "{job!=\"x\", __name__=\"up\"}",
            ),
            ("{\"my.metric\", \"a.b\"=\"x\"}", "my.metric{a.b=\"x\"}"),
            ("job:rate5m{by=\"x\"} # comment", "job:rate5m{by=\"x\"}"),
        ] {
            let e = parse(q).unwrap_or_else(|e| panic!("{q}: {}", e.render(q)));
            assert_eq!(e.to_string(), want, "{q}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn selector_spans_cover_name_and_braces() {
        let q = "  up{job=\"a\"}  ";
        let e = parse(q).unwrap();
        assert_eq!(e.span().slice(q), "up{job=\"a\"}");
    }

    /// Each bad query, the rendered first line, and the text under the caret.
    #[wasm_bindgen_test(unsupported = test)]
    fn errors_point_at_the_problem() {
        let cases = [
            ("", "1:1: parse error: unexpected end of input, expected a metric name or '{'", ""),
            ("up{", "1:4: parse error: unexpected end of input, expected a label name or '}'", ""),
            ("up{job=}", "1:8: parse error: unexpected \"}\", expected a quoted label value", "}"),
            ("up{job}", "1:7: parse error: unexpected \"}\", expected a label matching operator (=, !=, =~ or !~)", "}"),
            ("up{job=\"a\" x", "1:12: parse error: unexpected identifier \"x\", expected ',' or '}'", "x"),
            ("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher", "{}"),
            ("{job=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher", "{job=~\".*\"}"),
            ("up{job=~\"(\"}", "1:9: parse error: invalid regular expression \"(\": unclosed group", "\"(\""),
            ("up{a=\"\\q\"}", "1:7: parse error: unknown escape sequence \\q", "\\q"),
            ("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"", "foo{__name__=\"bar\"}"),
            ("up ) ", "1:4: parse error: unexpected \")\", expected end of input", ")"),
            ("up{a=\"b}", "1:6: parse error: unterminated quoted string", "\"b}"),
            ("rate(up[5m])", "1:1: parse error: function calls are not supported by this version of the lab's PromQL engine yet", "rate"),
            ("sum by (job) (up)", "1:1: parse error: aggregations are not supported by this version of the lab's PromQL engine yet", "sum"),
            ("up[5m]", "1:3: parse error: range vector selectors and subqueries are not supported by this version of the lab's PromQL engine yet", "["),
            ("up + 1", "1:4: parse error: binary operators are not supported by this version of the lab's PromQL engine yet", "+"),
            ("up offset 5m", "1:4: parse error: offset modifiers are not supported by this version of the lab's PromQL engine yet", "offset"),
            ("42", "1:1: parse error: number literals are not supported by this version of the lab's PromQL engine yet", "42"),
            ("up{é=\"x\"}", "1:4: parse error: unexpected character: 'é'", "é"),
        ];
        for (q, first_line, under) in cases {
            let err = parse(q).expect_err(q);
            let rendered = err.render(q);
            let line = rendered.lines().next().unwrap_or("");
            assert!(line.starts_with(first_line), "{q:?}: got {line:?}");
            assert_eq!(err.span.slice(q), under, "{q:?}");
        }
    }
}
