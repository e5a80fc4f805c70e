//! The PromQL lexer: source text to tokens with byte spans.
//!
//! It knows the whole token set of the language — identifiers (metric
//! identifiers may hold colons), numbers (decimal, hex, exponent, `Inf`,
//! `NaN`), durations (`1h30m`, `500ms`), strings in all three quotes with
//! their escapes, punctuation, every operator, and `#` comments, which it
//! skips. Keywords (`by`, `offset`, `sum`, …) come out as identifiers; the
//! parser decides from context, because most keywords are also valid label
//! names. A lexical error is a token of kind [`TokenKind::Error`] carrying a
//! message, so the parser reports it with its span like any other error.

use crate::diagnostic::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// `foo`, `sum`, `by`, `Inf`: letters, digits and `_`.
    Identifier,
    /// An identifier that contains `:` (recording rule names).
    MetricIdentifier,
    Number,
    Duration,
    /// A quoted string; the token's text includes the quotes.
    String,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    /// `=`, in label matchers.
    Assign,
    /// `==`
    Eql,
    /// `!=`
    Neq,
    /// `=~`
    EqlRegex,
    /// `!~`
    NeqRegex,
    Lss,
    Lte,
    Gtr,
    Gte,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    At,
    /// A lexical error; [`Token::error`] says what.
    Error,
    Eof,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    pub span: Span,
    /// For [`TokenKind::Error`], the message.
    pub error: Option<String>,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        self.span.slice(source)
    }
}

/// Splits `source` into tokens, ending with [`TokenKind::Eof`]. Lexing stops
/// at the first [`TokenKind::Error`] token, which is then the last before
/// `Eof`.
pub fn lex(source: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        tokens: Vec::new(),
        brackets: 0,
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
    /// Depth inside `[...]`, where `:` separates subquery range and step.
    brackets: usize,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.src[self.pos..].chars();
        it.next();
        it.next()
    }

    fn emit(&mut self, kind: TokenKind, start: usize) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start, self.pos),
            error: None,
        });
    }

    fn error(&mut self, start: usize, message: String) {
        self.tokens.push(Token {
            kind: TokenKind::Error,
            span: Span::new(start, self.pos.max(start)),
            error: Some(message),
        });
    }

    fn run(&mut self) {
        loop {
            let Some(c) = self.peek() else {
                self.emit(TokenKind::Eof, self.pos);
                return;
            };
            let start = self.pos;
            if c.is_whitespace() {
                self.pos += c.len_utf8();
                continue;
            }
            if c == '#' {
                while let Some(c) = self.peek() {
                    if c == '\n' {
                        break;
                    }
                    self.pos += c.len_utf8();
                }
                continue;
            }
            let ok = if c.is_ascii_digit()
                || (c == '.' && self.peek2().is_some_and(|d| d.is_ascii_digit()))
            {
                self.number_or_duration(start)
            } else if c.is_ascii_alphabetic() || c == '_' || c == ':' && self.brackets == 0 {
                self.identifier(start);
                true
            } else if c == '"' || c == '\'' || c == '`' {
                self.string(start, c)
            } else {
                self.operator(start, c)
            };
            if !ok {
                self.emit(TokenKind::Eof, self.src.len());
                return;
            }
        }
    }

    fn identifier(&mut self, start: usize) {
        let mut colon = false;
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                self.pos += 1;
            } else if c == ':' && self.brackets == 0 {
                colon = true;
                self.pos += 1;
            } else {
                break;
            }
        }
        let kind = if colon {
            TokenKind::MetricIdentifier
        } else {
            TokenKind::Identifier
        };
        self.emit(kind, start);
    }

    fn digits(&mut self, radix: u32) -> usize {
        let from = self.pos;
        while self.peek().is_some_and(|c| c.is_digit(radix) || c == '_') {
            self.pos += 1;
        }
        self.pos - from
    }

    /// A number (`12`, `1.5e3`, `0x1F`, `.5`) or a duration (`5m`,
    /// `1h30m`, `250ms`). Durations are numbers followed by units.
    fn number_or_duration(&mut self, start: usize) -> bool {
        // Hex integers.
        if self.src[self.pos..].starts_with("0x") || self.src[self.pos..].starts_with("0X") {
            self.pos += 2;
            if self.digits(16) == 0 {
                self.error(start, "bad number: expected hex digits after 0x".into());
                return false;
            }
            return self.end_of_number(start, TokenKind::Number);
        }
        // A duration is a run of integer+unit pairs.
        if self.try_duration() {
            return self.end_of_number(start, TokenKind::Duration);
        }
        self.digits(10);
        if self.peek() == Some('.') {
            self.pos += 1;
            self.digits(10);
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            let save = self.pos;
            self.pos += 1;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            if self.digits(10) == 0 {
                self.pos = save + 1;
                self.error(
                    start,
                    "bad number: expected digits after the exponent".into(),
                );
                return false;
            }
        }
        self.end_of_number(start, TokenKind::Number)
    }

    /// Consumes `(\d+(ms|s|m|h|d|w|y))+` when it is there.
    fn try_duration(&mut self) -> bool {
        let save = self.pos;
        let mut any = false;
        loop {
            let digits_from = self.pos;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.pos += 1;
            }
            if self.pos == digits_from {
                break;
            }
            let rest = &self.src[self.pos..];
            let unit_len = if rest.starts_with("ms") {
                2
            } else if rest.starts_with(['s', 'm', 'h', 'd', 'w', 'y']) {
                1
            } else {
                self.pos = digits_from;
                break;
            };
            self.pos += unit_len;
            any = true;
        }
        if !any {
            self.pos = save;
        }
        any
    }

    /// A number or duration must not run straight into letters (`5mx`).
    fn end_of_number(&mut self, start: usize, kind: TokenKind) -> bool {
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        {
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
            {
                self.pos += 1;
            }
            let text = &self.src[start..self.pos];
            self.error(start, format!("bad number or duration syntax: {text:?}"));
            return false;
        }
        self.emit(kind, start);
        true
    }

    fn string(&mut self, start: usize, quote: char) -> bool {
        self.pos += 1;
        loop {
            let Some(c) = self.peek() else {
                self.error(start, "unterminated quoted string".into());
                return false;
            };
            self.pos += c.len_utf8();
            if c == quote {
                self.emit(TokenKind::String, start);
                return true;
            }
            if c == '\\' && quote != '`' {
                match self.peek() {
                    Some(e) => self.pos += e.len_utf8(),
                    None => {
                        self.error(start, "unterminated quoted string".into());
                        return false;
                    }
                }
            } else if c == '\n' && quote != '`' {
                self.pos -= 1;
                self.error(start, "unterminated quoted string".into());
                return false;
            }
        }
    }

    fn operator(&mut self, start: usize, c: char) -> bool {
        let next = self.peek2();
        let (kind, len) = match (c, next) {
            ('(', _) => (TokenKind::LeftParen, 1),
            (')', _) => (TokenKind::RightParen, 1),
            ('{', _) => (TokenKind::LeftBrace, 1),
            ('}', _) => (TokenKind::RightBrace, 1),
            ('[', _) => {
                self.brackets += 1;
                (TokenKind::LeftBracket, 1)
            }
            (']', _) => {
                self.brackets = self.brackets.saturating_sub(1);
                (TokenKind::RightBracket, 1)
            }
            (',', _) => (TokenKind::Comma, 1),
            (':', _) => (TokenKind::Colon, 1),
            ('=', Some('=')) => (TokenKind::Eql, 2),
            ('=', Some('~')) => (TokenKind::EqlRegex, 2),
            ('=', _) => (TokenKind::Assign, 1),
            ('!', Some('=')) => (TokenKind::Neq, 2),
            ('!', Some('~')) => (TokenKind::NeqRegex, 2),
            ('<', Some('=')) => (TokenKind::Lte, 2),
            ('<', _) => (TokenKind::Lss, 1),
            ('>', Some('=')) => (TokenKind::Gte, 2),
            ('>', _) => (TokenKind::Gtr, 1),
            ('+', _) => (TokenKind::Add, 1),
            ('-', _) => (TokenKind::Sub, 1),
            ('*', _) => (TokenKind::Mul, 1),
            ('/', _) => (TokenKind::Div, 1),
            ('%', _) => (TokenKind::Mod, 1),
            ('^', _) => (TokenKind::Pow, 1),
            ('@', _) => (TokenKind::At, 1),
            ('!', _) => {
                self.pos += 1;
                self.error(
                    start,
                    "unexpected character after '!': expected '=' or '~'".into(),
                );
                return false;
            }
            (other, _) => {
                self.pos += other.len_utf8();
                self.error(start, format!("unexpected character: {other:?}"));
                return false;
            }
        };
        self.pos += len;
        self.emit(kind, start);
        true
    }
}

/// The value of a string token's text (quotes included): escapes resolved
/// for `"` and `'` strings, raw for backquoted ones. `Err` carries the byte
/// offset of the bad escape within the token and a message.
pub fn unquote(token_text: &str) -> Result<String, (usize, String)> {
    let mut chars = token_text.char_indices();
    let Some((_, quote)) = chars.next() else {
        return Err((0, "empty string token".into()));
    };
    let body = &token_text[quote.len_utf8()..token_text.len().saturating_sub(quote.len_utf8())];
    if quote == '`' {
        return Ok(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    let mut it = body.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let at = i + 1; // offset in the token, counting the quote
        let Some((_, e)) = it.next() else {
            return Err((at, "unterminated escape".into()));
        };
        match e {
            'a' => out.push('\x07'),
            'b' => out.push('\x08'),
            'f' => out.push('\x0c'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\x0b'),
            '\\' => out.push('\\'),
            '"' | '\'' => out.push(e),
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let mut code = 0u32;
                for _ in 0..n {
                    match it.next().and_then(|(_, d)| d.to_digit(16)) {
                        Some(d) => code = code * 16 + d,
                        None => {
                            return Err((
                                at,
                                format!("invalid \\{e} escape: expected {n} hex digits"),
                            ))
                        }
                    }
                }
                match char::from_u32(code) {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err((at, format!("invalid Unicode code point in \\{e} escape")))
                    }
                }
            }
            '0'..='7' => {
                let mut code = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match it.next().and_then(|(_, d)| d.to_digit(8)) {
                        Some(d) => code = code * 8 + d,
                        None => {
                            return Err((
                                at,
                                "invalid octal escape: expected 3 octal digits".into(),
                            ))
                        }
                    }
                }
                match char::from_u32(code).filter(|_| code <= 255) {
                    Some(ch) => out.push(ch),
                    None => return Err((at, "octal escape value > 255".into())),
                }
            }
            other => return Err((at, format!("unknown escape sequence \\{other}"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src).iter().map(|t| (t.kind, t.text(src))).collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn lexes_the_whole_token_set() {
        use TokenKind::*;
        let src = r#"sum by (job) (rate(http_requests_total{code=~"5..", a!="b", c!~'x'}[5m] offset -1h30m @ 1.5e3)) # note
            / on(x) group_left job:rate5m == bool 0x1F ^ .5 [1h:30s] <= >= < > % * - + == !="#;
        let got = kinds(src);
        let expect: Vec<(TokenKind, &str)> = vec![
            (Identifier, "sum"),
            (Identifier, "by"),
            (LeftParen, "("),
            (Identifier, "job"),
            (RightParen, ")"),
            (LeftParen, "("),
            (Identifier, "rate"),
            (LeftParen, "("),
            (Identifier, "http_requests_total"),
            (LeftBrace, "{"),
            (Identifier, "code"),
            (EqlRegex, "=~"),
            (String, "\"5..\""),
            (Comma, ","),
            (Identifier, "a"),
            (Neq, "!="),
            (String, "\"b\""),
            (Comma, ","),
            (Identifier, "c"),
            (NeqRegex, "!~"),
            (String, "'x'"),
            (RightBrace, "}"),
            (LeftBracket, "["),
            (Duration, "5m"),
            (RightBracket, "]"),
            (Identifier, "offset"),
            (Sub, "-"),
            (Duration, "1h30m"),
            (At, "@"),
            (Number, "1.5e3"),
            (RightParen, ")"),
            (RightParen, ")"),
            (Div, "/"),
            (Identifier, "on"),
            (LeftParen, "("),
            (Identifier, "x"),
            (RightParen, ")"),
            (Identifier, "group_left"),
            (MetricIdentifier, "job:rate5m"),
            (Eql, "=="),
            (Identifier, "bool"),
            (Number, "0x1F"),
            (Pow, "^"),
            (Number, ".5"),
            (LeftBracket, "["),
            (Duration, "1h"),
            (Colon, ":"),
            (Duration, "30s"),
            (RightBracket, "]"),
            (Lte, "<="),
            (Gte, ">="),
            (Lss, "<"),
            (Gtr, ">"),
            (Mod, "%"),
            (Mul, "*"),
            (Sub, "-"),
            (Add, "+"),
            (Eql, "=="),
            (Eof, ""),
        ];
        // `!=` at the very end is lexed too.
        assert_eq!(&got[..expect.len() - 1], &expect[..expect.len() - 1]);
        assert_eq!(got[got.len() - 2], (Neq, "!="));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn lexical_errors_stop_with_a_message_and_span() {
        for (src, msg, span) in [
            ("up{a=\"x}", "unterminated quoted string", "\"x}"),
            ("5mx", "bad number or duration syntax: \"5mx\"", "5mx"),
            (
                "1e+",
                "bad number: expected digits after the exponent",
                "1e",
            ),
            (
                "a ! b",
                "unexpected character after '!': expected '=' or '~'",
                "!",
            ),
            ("a ; b", "unexpected character: ';'", ";"),
            ("a $", "unexpected character: '$'", "$"),
        ] {
            let toks = lex(src);
            let err = toks.iter().find(|t| t.kind == TokenKind::Error).expect(src);
            assert_eq!(err.error.as_deref(), Some(msg), "{src}");
            assert_eq!(err.text(src), span, "{src}");
            assert_eq!(toks.last().map(|t| t.kind), Some(TokenKind::Eof));
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn unquote_resolves_escapes() {
        assert_eq!(unquote(r#""a\"b\n\x41\u00e9\101""#).unwrap(), "a\"b\nAéA");
        assert_eq!(unquote(r"'it\'s'").unwrap(), "it's");
        assert_eq!(unquote(r"`raw\n`").unwrap(), "raw\\n");
        assert_eq!(
            unquote(r#""bad\q""#).unwrap_err(),
            (4, "unknown escape sequence \\q".to_string())
        );
        assert!(unquote(r#""\x4""#).is_err());
    }
}
