//! The PromQL lexer: source text to tokens with byte spans, read the way
//! Prometheus 3.5 reads them.
//!
//! Like Prometheus's lexer it has modes: at the top level keywords
//! (`sum`, `by`, `offset`, `and`, `start`, …) are recognised in any case and
//! `Inf`/`NaN` are numbers; inside `{...}` every word is a plain identifier
//! (so `by` and `offset` are label names there); right after `[` it reads
//! duration arithmetic (`[5m + 30s]`). Numbers are decimal, hex, with
//! exponents and `_` separators; durations are `1h30m`-style; strings come
//! in all three quotes with Go's escapes; `#` starts a comment, which is
//! skipped. The first lexical error ends the token list with a token of kind
//! [`TokenKind::Error`] carrying Prometheus's message.
//!
//! ```
//! use promlab_core::promql::lexer::{lex, TokenKind, Keyword};
//! let src = "sum by (job) (up{by=\"x\"}[5m])";
//! let kinds: Vec<TokenKind> = lex(src).iter().map(|t| t.kind).collect();
//! assert_eq!(kinds[0], TokenKind::Keyword(Keyword::Sum));
//! assert_eq!(kinds[1], TokenKind::Keyword(Keyword::By));
//! assert_eq!(kinds[8], TokenKind::Identifier); // `by` inside braces
//! ```

use crate::diagnostic::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// `foo`, `rate`: letters, digits and `_`.
    Identifier,
    /// An identifier with a `:` (recording rule names).
    MetricIdentifier,
    /// `12`, `1.5e3`, `0x1F`, `Inf`, `NaN`.
    Number,
    /// `5m`, `1h30m`.
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
    /// `:` in a subquery. Inside brackets after the range Prometheus's lexer
    /// also reads any letter as this token (`[5m x]` is `[5m:]`).
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
    Keyword(Keyword),
    /// A lexical error; [`Token::error`] says what.
    Error,
    Eof,
}

/// The words the lexer recognises at the top level, in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Keyword {
    And,
    Or,
    Unless,
    Atan2,
    Sum,
    Avg,
    Count,
    Min,
    Max,
    Group,
    Stddev,
    Stdvar,
    Topk,
    Bottomk,
    CountValues,
    Quantile,
    Limitk,
    LimitRatio,
    Offset,
    By,
    Without,
    On,
    Ignoring,
    GroupLeft,
    GroupRight,
    Bool,
    Start,
    End,
}

/// How Prometheus describes a token class in its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeywordClass {
    /// `and`, `or`, `unless`, `atan2`: printed `<op:and>`.
    Operator,
    /// `sum`, …: printed `<aggr:sum>`.
    Aggregator,
    /// `by`, `offset`, …: printed `<by>`.
    Keyword,
    /// `start`, `end`: printed `"start"`.
    Preprocessor,
}

const KEYWORDS: [(&str, Keyword); 28] = [
    ("and", Keyword::And),
    ("or", Keyword::Or),
    ("unless", Keyword::Unless),
    ("atan2", Keyword::Atan2),
    ("sum", Keyword::Sum),
    ("avg", Keyword::Avg),
    ("count", Keyword::Count),
    ("min", Keyword::Min),
    ("max", Keyword::Max),
    ("group", Keyword::Group),
    ("stddev", Keyword::Stddev),
    ("stdvar", Keyword::Stdvar),
    ("topk", Keyword::Topk),
    ("bottomk", Keyword::Bottomk),
    ("count_values", Keyword::CountValues),
    ("quantile", Keyword::Quantile),
    ("limitk", Keyword::Limitk),
    ("limit_ratio", Keyword::LimitRatio),
    ("offset", Keyword::Offset),
    ("by", Keyword::By),
    ("without", Keyword::Without),
    ("on", Keyword::On),
    ("ignoring", Keyword::Ignoring),
    ("group_left", Keyword::GroupLeft),
    ("group_right", Keyword::GroupRight),
    ("bool", Keyword::Bool),
    ("start", Keyword::Start),
    ("end", Keyword::End),
];

impl Keyword {
    /// The keyword spelled `word`, in any case.
    pub fn from_word(word: &str) -> Option<Keyword> {
        KEYWORDS
            .iter()
            .find(|(w, _)| w.eq_ignore_ascii_case(word))
            .map(|(_, k)| *k)
    }

    pub fn class(self) -> KeywordClass {
        use Keyword::*;
        match self {
            And | Or | Unless | Atan2 => KeywordClass::Operator,
            Sum | Avg | Count | Min | Max | Group | Stddev | Stdvar | Topk | Bottomk
            | CountValues | Quantile | Limitk | LimitRatio => KeywordClass::Aggregator,
            Offset | By | Without | On | Ignoring | GroupLeft | GroupRight | Bool => {
                KeywordClass::Keyword
            }
            Start | End => KeywordClass::Preprocessor,
        }
    }
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

    /// The token as Prometheus names it in "unexpected …" messages:
    /// `identifier "foo"`, `<aggr:sum>`, `"("`, `end of input`.
    pub fn describe(&self, source: &str) -> String {
        let text = self.text(source);
        let quoted = || go_quote(text);
        match self.kind {
            TokenKind::Eof => "end of input".into(),
            TokenKind::Error => self.error.clone().unwrap_or_default(),
            TokenKind::Identifier => format!("identifier {}", quoted()),
            TokenKind::MetricIdentifier => format!("metric identifier {}", quoted()),
            TokenKind::Number => format!("number {}", go_quote_truncated(text)),
            TokenKind::Duration => format!("duration {}", go_quote_truncated(text)),
            TokenKind::String => format!("string {}", go_quote_truncated(text)),
            TokenKind::Keyword(k) => match k.class() {
                KeywordClass::Operator => format!("<op:{text}>"),
                KeywordClass::Aggregator => format!("<aggr:{text}>"),
                KeywordClass::Keyword => format!("<{text}>"),
                KeywordClass::Preprocessor => quoted(),
            },
            TokenKind::Add
            | TokenKind::Sub
            | TokenKind::Mul
            | TokenKind::Div
            | TokenKind::Mod
            | TokenKind::Pow
            | TokenKind::Eql
            | TokenKind::Neq
            | TokenKind::EqlRegex
            | TokenKind::NeqRegex
            | TokenKind::Lss
            | TokenKind::Lte
            | TokenKind::Gtr
            | TokenKind::Gte
            | TokenKind::At => format!("<op:{text}>"),
            _ => quoted(),
        }
    }
}

/// Go's `%q` of a string.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        push_go_escaped(&mut out, c, '"');
    }
    out.push('"');
    out
}

/// Go's `%.10q...` for long token values: the first ten characters quoted,
/// then `...`.
fn go_quote_truncated(s: &str) -> String {
    if s.chars().count() > 10 {
        let head: String = s.chars().take(10).collect();
        format!("{}...", go_quote(&head))
    } else {
        go_quote(s)
    }
}

/// Go's `%q` of a rune: `'x'`, `'\n'`, `'\u00a0'`.
pub(crate) fn go_quote_rune(c: Option<char>) -> String {
    let mut out = String::from("'");
    // Go quotes the end of input (rune -1) as the replacement character.
    push_go_escaped(&mut out, c.unwrap_or('\u{FFFD}'), '\'');
    out.push('\'');
    out
}

/// Go's `%#U` of a rune: `U+0071 'q'`, or `U+000A` when not printable.
fn go_unicode(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    if is_go_printable(c) {
        format!("{code} '{c}'")
    } else {
        code
    }
}

fn push_go_escaped(out: &mut String, c: char, quote: char) {
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        '\\' => out.push_str("\\\\"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c if is_go_printable(c) => out.push(c),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
/// and the ASCII space. (The general category comes from a small table
/// crate rather than a regex, so the page's editor, which lexes as you
/// type, does not carry a regex engine.)
pub(crate) fn is_go_printable(c: char) -> bool {
    use unicode_general_category::{get_general_category, GeneralCategory as G};
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !matches!(
        get_general_category(c),
        G::SpaceSeparator
            | G::LineSeparator
            | G::ParagraphSeparator
            | G::Control
            | G::Format
            | G::Surrogate
            | G::PrivateUse
            | G::Unassigned
    )
}

/// Splits `source` into tokens, comments dropped, ending with
/// [`TokenKind::Eof`] or, at the first lexical error, with a
/// [`TokenKind::Error`] token.
pub fn lex(source: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        start: 0,
        tokens: Vec::new(),
        paren_depth: 0,
        brace_open: false,
        bracket_open: false,
        got_colon: false,
        got_duration: false,
    };
    lexer.run();
    lexer.tokens
}

/// Where the lexer goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Statements,
    InsideBraces,
    /// Right after `[`, until the first number.
    DurationExpr,
    Done,
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    /// Start of the token being read.
    start: usize,
    tokens: Vec<Token>,
    paren_depth: i64,
    brace_open: bool,
    bracket_open: bool,
    got_colon: bool,
    got_duration: bool,
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_alpha(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic()
}

fn is_alnum(c: Option<char>) -> bool {
    c.is_some_and(|c| is_alpha(c) || c.is_ascii_digit())
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    /// Consumes and returns the next character.
    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    /// Consumes the next character when it is one of `set`.
    fn accept(&mut self, set: &str) -> bool {
        match self.peek() {
            Some(c) if set.contains(c) => {
                self.pos += c.len_utf8();
                true
            }
            _ => false,
        }
    }

    fn emit(&mut self, kind: TokenKind) {
        self.tokens.push(Token {
            kind,
            span: Span::new(self.start, self.pos),
            error: None,
        });
        self.start = self.pos;
    }

    /// Ends lexing with an error token starting where the current token
    /// started.
    fn error(&mut self, message: String) -> State {
        self.tokens.push(Token {
            kind: TokenKind::Error,
            span: Span::new(self.start, self.pos.max(self.start)),
            error: Some(message),
        });
        State::Done
    }

    /// Prometheus emits some tokens and then finds them wrong (`)` with no
    /// `(`); the error then starts right after the token.
    fn error_after_last(&mut self, message: String) -> State {
        self.tokens.pop();
        self.start = self.pos;
        self.error(message)
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.start = self.pos;
    }

    fn run(&mut self) {
        let mut state = State::Statements;
        loop {
            state = match state {
                State::Statements => self.statements(),
                State::InsideBraces => self.inside_braces(),
                State::DurationExpr => self.duration_expr(),
                State::Done => return,
            };
        }
    }

    /// Skips a `#` comment up to the end of the line.
    fn comment(&mut self) {
        while let Some(c) = self.peek() {
            if c == '\n' || c == '\r' {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.start = self.pos;
    }

    fn statements(&mut self) -> State {
        if self.brace_open {
            return State::InsideBraces;
        }
        if self.peek() == Some('#') {
            self.comment();
            return State::Statements;
        }
        let Some(c) = self.next() else {
            if self.paren_depth != 0 {
                return self.error("unclosed left parenthesis".into());
            }
            if self.bracket_open {
                return self.error("unclosed left bracket".into());
            }
            self.emit(TokenKind::Eof);
            return State::Done;
        };
        match c {
            ',' => self.emit(TokenKind::Comma),
            c if is_space(c) => self.skip_spaces(),
            '*' => self.emit(TokenKind::Mul),
            '/' => self.emit(TokenKind::Div),
            '%' => self.emit(TokenKind::Mod),
            '+' => self.emit(TokenKind::Add),
            '-' => self.emit(TokenKind::Sub),
            '^' => self.emit(TokenKind::Pow),
            '=' => match self.peek() {
                Some('=') => {
                    self.pos += 1;
                    self.emit(TokenKind::Eql);
                }
                Some('~') => {
                    return self.error("unexpected character after '=': '~'".into());
                }
                _ => self.emit(TokenKind::Assign),
            },
            '!' => {
                let n = self.next();
                if n != Some('=') {
                    return self.error(format!(
                        "unexpected character after '!': {}",
                        go_quote_rune(n)
                    ));
                }
                self.emit(TokenKind::Neq);
            }
            '<' => {
                if self.accept("=") {
                    self.emit(TokenKind::Lte);
                } else {
                    self.emit(TokenKind::Lss);
                }
            }
            '>' => {
                if self.accept("=") {
                    self.emit(TokenKind::Gte);
                } else {
                    self.emit(TokenKind::Gtr);
                }
            }
            c if c.is_ascii_digit()
                || (c == '.' && self.peek().is_some_and(|d| d.is_ascii_digit())) =>
            {
                self.pos = self.start;
                return self.number_or_duration();
            }
            '"' | '\'' => return self.string(c),
            '`' => return self.raw_string(),
            c if is_alpha(c) || c == ':' => {
                if !self.bracket_open {
                    self.pos = self.start;
                    self.keyword_or_identifier();
                    return State::Statements;
                }
                if self.got_colon {
                    return self.error(format!("unexpected colon {}", go_quote_rune(Some(c))));
                }
                self.emit(TokenKind::Colon);
                self.got_colon = true;
            }
            '(' => {
                self.emit(TokenKind::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                self.emit(TokenKind::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error_after_last("unexpected right parenthesis ')'".into());
                }
            }
            '{' => {
                self.emit(TokenKind::LeftBrace);
                self.brace_open = true;
                return State::InsideBraces;
            }
            '[' => {
                if self.bracket_open {
                    return self.error("unexpected left bracket '['".into());
                }
                self.got_colon = false;
                self.emit(TokenKind::LeftBracket);
                self.skip_spaces();
                self.bracket_open = true;
                return State::DurationExpr;
            }
            ']' => {
                if !self.bracket_open {
                    return self.error("unexpected right bracket ']'".into());
                }
                self.emit(TokenKind::RightBracket);
                self.bracket_open = false;
            }
            '@' => self.emit(TokenKind::At),
            other => {
                return self.error(format!(
                    "unexpected character: {}",
                    go_quote_rune(Some(other))
                ))
            }
        }
        State::Statements
    }

    fn inside_braces(&mut self) -> State {
        if self.peek() == Some('#') {
            self.comment();
            return State::InsideBraces;
        }
        let Some(c) = self.next() else {
            return self.error("unexpected end of input inside braces".into());
        };
        match c {
            c if is_space(c) => self.skip_spaces(),
            c if is_alpha(c) => {
                while is_alnum(self.peek()) {
                    self.pos += 1;
                }
                self.emit(TokenKind::Identifier);
            }
            ',' => self.emit(TokenKind::Comma),
            '"' | '\'' => {
                let next = self.string(c);
                if next == State::Done {
                    return next;
                }
            }
            '`' => {
                let next = self.raw_string();
                if next == State::Done {
                    return next;
                }
            }
            '=' => {
                if self.accept("~") {
                    self.emit(TokenKind::EqlRegex);
                } else {
                    self.emit(TokenKind::Assign);
                }
            }
            '!' => match self.next() {
                Some('~') => self.emit(TokenKind::NeqRegex),
                Some('=') => self.emit(TokenKind::Neq),
                other => {
                    return self.error(format!(
                        "unexpected character after '!' inside braces: {}",
                        go_quote_rune(other)
                    ))
                }
            },
            '{' => return self.error("unexpected left brace '{'".into()),
            '}' => {
                self.emit(TokenKind::RightBrace);
                self.brace_open = false;
                return State::Statements;
            }
            other => {
                return self.error(format!(
                    "unexpected character inside braces: {}",
                    go_quote_rune(Some(other))
                ))
            }
        }
        State::InsideBraces
    }

    fn duration_expr(&mut self) -> State {
        let Some(c) = self.next() else {
            return self.error("unexpected end of input in duration expression".into());
        };
        match c {
            ']' => {
                self.emit(TokenKind::RightBracket);
                self.bracket_open = false;
                self.got_colon = false;
                return State::Statements;
            }
            ':' => {
                self.emit(TokenKind::Colon);
                if !self.got_duration {
                    return self.error_after_last(
                        "unexpected colon before duration in duration expression".into(),
                    );
                }
                if self.got_colon {
                    return self.error_after_last(
                        "unexpected repeated colon in duration expression".into(),
                    );
                }
                self.got_colon = true;
            }
            '(' => {
                self.emit(TokenKind::LeftParen);
                self.paren_depth += 1;
            }
            ')' => {
                self.emit(TokenKind::RightParen);
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error_after_last("unexpected right parenthesis ')'".into());
                }
            }
            c if is_space(c) => self.skip_spaces(),
            '+' => self.emit(TokenKind::Add),
            '-' => self.emit(TokenKind::Sub),
            '*' => self.emit(TokenKind::Mul),
            '/' => self.emit(TokenKind::Div),
            '%' => self.emit(TokenKind::Mod),
            '^' => self.emit(TokenKind::Pow),
            c if c.is_ascii_digit()
                || (c == '.' && self.peek().is_some_and(|d| d.is_ascii_digit())) =>
            {
                self.pos = self.start;
                self.got_duration = true;
                return self.number_or_duration();
            }
            other => {
                return self.error(format!(
                    "unexpected character in duration expression: {}",
                    go_quote_rune(Some(other))
                ))
            }
        }
        State::DurationExpr
    }

    fn keyword_or_identifier(&mut self) {
        while self
            .peek()
            .is_some_and(|c| is_alpha(c) || c.is_ascii_digit() || c == ':')
        {
            self.pos += 1;
        }
        let word = &self.src[self.start..self.pos];
        let kind = if word.eq_ignore_ascii_case("inf") || word.eq_ignore_ascii_case("nan") {
            TokenKind::Number
        } else if let Some(k) = Keyword::from_word(word) {
            TokenKind::Keyword(k)
        } else if word.contains(':') {
            TokenKind::MetricIdentifier
        } else {
            TokenKind::Identifier
        };
        self.emit(kind);
    }

    fn number_or_duration(&mut self) -> State {
        if self.scan_number() {
            self.emit(TokenKind::Number);
            return State::Statements;
        }
        if self.accept_remaining_duration() {
            self.emit(TokenKind::Duration);
            return State::Statements;
        }
        let text = &self.src[self.start..self.pos];
        self.error(format!("bad number or duration syntax: {}", go_quote(text)))
    }

    /// After the digits of a duration: `(unit digits)* unit`, not followed
    /// by a letter or digit. On failure the position is left where
    /// Prometheus's lexer leaves it, for the error's text.
    fn accept_remaining_duration(&mut self) -> bool {
        if !self.accept("smhdwy") {
            return false;
        }
        self.accept("s");
        while self.accept("0123456789") {
            while self.accept("0123456789") {}
            if !self.accept("smhdw") {
                return false;
            }
            self.accept("s");
        }
        if is_alnum(self.peek()) {
            self.pos += 1;
            return false;
        }
        true
    }

    /// Scans a number the way Prometheus's lexer does (it leaves checking
    /// the value to the parser).
    fn scan_number(&mut self) -> bool {
        let initial = self.pos;
        let mut digits = "0123456789";
        if self.accept("0") && self.accept("xX") {
            self.accept("_");
            digits = "0123456789abcdefABCDEF";
        }
        let hex = digits.len() > 10;
        self.accept(".");
        self.accept(digits);
        let (mut dot, mut exponent) = (false, false);
        while let Some(c) = self
            .peek()
            .filter(|c| digits.contains(*c) || matches!(c, '.' | '_' | 'e' | 'E'))
        {
            if c == '.' && dot {
                self.pos += 1;
                return false;
            }
            if (c == 'e' || c == 'E') && exponent {
                self.pos += 1;
                return false;
            }
            if self.accept(".") {
                dot = true;
                if self.accept("_.") || hex {
                    return false;
                }
                continue;
            }
            if self.accept("eE") {
                exponent = true;
                self.accept("+-");
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            if self.accept("_") {
                if self.accept("._eE") || self.peek().is_none() {
                    return false;
                }
                continue;
            }
            while self.accept(digits) {}
        }
        if self.pos == initial {
            return false;
        }
        !is_alnum(self.peek())
    }

    /// A `"` or `'` string, the opening quote read.
    fn string(&mut self, quote: char) -> State {
        loop {
            match self.next() {
                Some('\\') => {
                    if let Err(message) = self.escape(quote) {
                        return self.error(message);
                    }
                }
                // Go's UTF-8 decoder reports the replacement character as
                // an invalid rune.
                Some('\u{FFFD}') => return self.error("invalid UTF-8 rune".into()),
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some(c) if c == quote => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::String);
        if self.brace_open {
            State::InsideBraces
        } else {
            State::Statements
        }
    }

    fn raw_string(&mut self) -> State {
        loop {
            match self.next() {
                Some('\u{FFFD}') => return self.error("invalid UTF-8 rune".into()),
                None => return self.error("unterminated raw string".into()),
                Some('`') => break,
                Some(_) => {}
            }
        }
        self.emit(TokenKind::String);
        if self.brace_open {
            State::InsideBraces
        } else {
            State::Statements
        }
    }

    /// Checks one escape sequence, the backslash read.
    fn escape(&mut self, quote: char) -> Result<(), String> {
        let Some(c) = self.next() else {
            return Err("escape sequence not terminated".into());
        };
        let (mut n, base, max): (u32, u32, u32) = match c {
            'a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '\\' => return Ok(()),
            c if c == quote => return Ok(()),
            '0'..='7' => (3, 8, 255),
            'x' => (2, 16, 255),
            'u' => (4, 16, 0x10FFFF),
            'U' => (8, 16, 0x10FFFF),
            other => return Err(format!("unknown escape sequence {}", go_unicode(other))),
        };
        let mut ch = if matches!(c, 'x' | 'u' | 'U') {
            self.next()
        } else {
            Some(c)
        };
        let mut value: u32 = 0;
        while n > 0 {
            let digit = ch.and_then(|d| d.to_digit(16)).filter(|d| *d < base);
            let Some(d) = digit else {
                return Err(match ch {
                    None => "escape sequence not terminated".into(),
                    Some(bad) => {
                        format!("illegal character {} in escape sequence", go_unicode(bad))
                    }
                });
            };
            value = value.saturating_mul(base).saturating_add(d);
            n -= 1;
            if n > 0 {
                ch = self.next();
            }
        }
        if value > max || (0xD800..0xE000).contains(&value) {
            return Err("escape sequence is an invalid Unicode code point".into());
        }
        Ok(())
    }
}

/// The value of a string token's text (quotes included): escapes resolved
/// for `"` and `'` strings, raw for backquoted ones. The lexer has checked
/// the escapes; `Err` carries the byte offset of a bad one within the token
/// and a message.
pub fn unquote(token_text: &str) -> Result<String, (usize, String)> {
    let mut chars = token_text.char_indices();
    let Some((_, quote)) = chars.next() else {
        return Err((0, "empty string token".into()));
    };
    let body = token_text
        .get(quote.len_utf8()..token_text.len().saturating_sub(quote.len_utf8()))
        .unwrap_or("");
    if quote == '`' {
        return Ok(body.to_string());
    }
    let mut out = String::with_capacity(body.len());
    // Octal and \x escapes are bytes, which may combine into UTF-8.
    let mut bytes: Vec<u8> = Vec::new();
    let flush = |bytes: &mut Vec<u8>, out: &mut String| {
        if !bytes.is_empty() {
            out.push_str(&String::from_utf8_lossy(bytes));
            bytes.clear();
        }
    };
    let mut it = body.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if c != '\\' {
            flush(&mut bytes, &mut out);
            out.push(c);
            continue;
        }
        let at = i + quote.len_utf8();
        let Some((_, e)) = it.next() else {
            return Err((at, "escape sequence not terminated".into()));
        };
        let simple = match e {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' => Some('\\'),
            e if e == quote => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            flush(&mut bytes, &mut out);
            out.push(s);
            continue;
        }
        let (n, radix) = match e {
            '0'..='7' => (2, 8),
            'x' => (2, 16),
            'u' => (4, 16),
            'U' => (8, 16),
            other => return Err((at, format!("unknown escape sequence {}", go_unicode(other)))),
        };
        let mut code: u32 = if radix == 8 {
            e.to_digit(8).unwrap_or(0)
        } else {
            0
        };
        for _ in 0..n {
            match it.next().and_then(|(_, d)| d.to_digit(radix)) {
                Some(d) => code = code.saturating_mul(radix).saturating_add(d),
                None => return Err((at, "invalid escape sequence".into())),
            }
        }
        if matches!(e, 'u' | 'U') {
            flush(&mut bytes, &mut out);
            match char::from_u32(code) {
                Some(ch) => out.push(ch),
                None => {
                    return Err((
                        at,
                        "escape sequence is an invalid Unicode code point".into(),
                    ))
                }
            }
        } else {
            match u8::try_from(code) {
                Ok(b) => bytes.push(b),
                Err(_) => {
                    return Err((
                        at,
                        "escape sequence is an invalid Unicode code point".into(),
                    ))
                }
            }
        }
    }
    flush(&mut bytes, &mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The category table agrees with the regex crate's Unicode classes on
    /// every character (both follow the same Unicode version).
    #[test]
    fn printable_is_letters_marks_numbers_punctuation_symbols() {
        let re = regex::Regex::new(r"^[\p{L}\p{M}\p{N}\p{P}\p{S}]$").unwrap();
        let mut buf = [0u8; 4];
        let differ: Vec<char> = (0x80..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|&c| is_go_printable(c) != re.is_match(c.encode_utf8(&mut buf)))
            .collect();
        assert!(
            differ.is_empty(),
            "{} differ, first {:?}",
            differ.len(),
            differ.first()
        );
        assert!(is_go_printable('한') && is_go_printable('é') && !is_go_printable('\u{200b}'));
    }

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src).iter().map(|t| (t.kind, t.text(src))).collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn lexes_the_whole_token_set() {
        use super::Keyword as K;
        use TokenKind::{
            Add, At, Comma, Div, Duration, Eof, Eql, EqlRegex, Gte, Gtr, Identifier, LeftBrace,
            LeftBracket, LeftParen, Lss, Lte, MetricIdentifier, Mod, Mul, Neq, NeqRegex, Number,
            Pow, RightBrace, RightBracket, RightParen, String, Sub,
        };
        let src = r#"SUM by (job) (rate(http:req{code=~"5..", by!="b", c!~'x'}[5m] offset -1h30m @ 1.5e3)) # note
            / on(x) group_left job == bool 0x1F ^ .5 atan2 Inf <= >= < > % * - + != unless"#;
        let got = kinds(src);
        let expect: Vec<(TokenKind, &str)> = vec![
            (TokenKind::Keyword(K::Sum), "SUM"),
            (TokenKind::Keyword(K::By), "by"),
            (LeftParen, "("),
            (Identifier, "job"),
            (RightParen, ")"),
            (LeftParen, "("),
            (Identifier, "rate"),
            (LeftParen, "("),
            (MetricIdentifier, "http:req"),
            (LeftBrace, "{"),
            (Identifier, "code"),
            (EqlRegex, "=~"),
            (String, "\"5..\""),
            (Comma, ","),
            (Identifier, "by"),
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
            (TokenKind::Keyword(K::Offset), "offset"),
            (Sub, "-"),
            (Duration, "1h30m"),
            (At, "@"),
            (Number, "1.5e3"),
            (RightParen, ")"),
            (RightParen, ")"),
            (Div, "/"),
            (TokenKind::Keyword(K::On), "on"),
            (LeftParen, "("),
            (Identifier, "x"),
            (RightParen, ")"),
            (TokenKind::Keyword(K::GroupLeft), "group_left"),
            (Identifier, "job"),
            (Eql, "=="),
            (TokenKind::Keyword(K::Bool), "bool"),
            (Number, "0x1F"),
            (Pow, "^"),
            (Number, ".5"),
            (TokenKind::Keyword(K::Atan2), "atan2"),
            (Number, "Inf"),
            (Lte, "<="),
            (Gte, ">="),
            (Lss, "<"),
            (Gtr, ">"),
            (Mod, "%"),
            (Mul, "*"),
            (Sub, "-"),
            (Add, "+"),
            (Neq, "!="),
            (TokenKind::Keyword(K::Unless), "unless"),
            (Eof, ""),
        ];
        assert_eq!(got, expect);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn subqueries_and_duration_arithmetic_inside_brackets() {
        use TokenKind::*;
        assert_eq!(
            kinds("x[1h:5m]"),
            vec![
                (Identifier, "x"),
                (LeftBracket, "["),
                (Duration, "1h"),
                (Colon, ":"),
                (Duration, "5m"),
                (RightBracket, "]"),
                (Eof, "")
            ]
        );
        assert_eq!(
            kinds("x[ -(5m+1) ]")
                .into_iter()
                .map(|(k, _)| k)
                .collect::<Vec<_>>(),
            vec![
                Identifier,
                LeftBracket,
                Sub,
                LeftParen,
                Duration,
                Add,
                Number,
                RightParen,
                RightBracket,
                Eof
            ]
        );
    }

    /// Each input, the error message, and the text of the error token's
    /// start (Prometheus reports the position where the token began).
    #[wasm_bindgen_test(unsupported = test)]
    fn lexical_errors_carry_prometheus_messages() {
        let cases = [
            ("foo{", "unexpected end of input inside braces", 4),
            ("sum(foo", "unclosed left parenthesis", 7),
            ("foo[5", "unclosed left bracket", 5),
            ("foo)", "unexpected right parenthesis ')'", 4),
            ("foo]", "unexpected right bracket ']'", 3),
            ("foo[5m:1m:]", "unexpected colon ':'", 9),
            (
                "foo[:5m]",
                "unexpected colon before duration in duration expression",
                5,
            ),
            ("a ! b", "unexpected character after '!': ' '", 2),
            ("a =~ b", "unexpected character after '=': '~'", 2),
            ("{a=1}", "unexpected character inside braces: '1'", 3),
            ("a $", "unexpected character: '$'", 2),
            ("é", "unexpected character: 'é'", 0),
            ("{a=\"\\q\"}", "unknown escape sequence U+0071 'q'", 3),
            (
                "\"\\xZZ\"",
                "illegal character U+005A 'Z' in escape sequence",
                0,
            ),
            (
                "'\\ud800'",
                "escape sequence is an invalid Unicode code point",
                0,
            ),
            ("\"abc", "unterminated quoted string", 0),
            ("`abc", "unterminated raw string", 0),
            ("0b101", "bad number or duration syntax: \"0\"", 0),
            ("1__0", "bad number or duration syntax: \"1__\"", 0),
            ("1y1y", "bad number or duration syntax: \"1y1\"", 0),
            ("5mx", "bad number or duration syntax: \"5mx\"", 0),
            ("1.2.3", "bad number or duration syntax: \"1.2.\"", 0),
            ("x[1h", "unclosed left bracket", 4),
            ("x[", "unexpected end of input in duration expression", 2),
            (
                "x[a]",
                "unexpected character in duration expression: 'a'",
                2,
            ),
        ];
        for (src, message, at) in cases {
            let toks = lex(src);
            let last = toks.last().unwrap();
            assert_eq!(last.kind, TokenKind::Error, "{src}");
            assert_eq!(last.error.as_deref(), Some(message), "{src}");
            assert_eq!(last.span.start, at, "{src}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn numbers_and_durations_are_told_apart() {
        for (src, kind) in [
            ("1_000.5", TokenKind::Number),
            ("0x_1F", TokenKind::Number),
            ("1e-3", TokenKind::Number),
            ("5.", TokenKind::Number),
            ("nan", TokenKind::Number),
            ("INF", TokenKind::Number),
            ("1h30m", TokenKind::Duration),
            ("5ms", TokenKind::Duration),
            ("1.5m", TokenKind::Duration),
            ("infinity", TokenKind::Identifier),
        ] {
            assert_eq!(lex(src)[0].kind, kind, "{src}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn unquote_resolves_go_escapes() {
        assert_eq!(unquote(r#""a\"b\n""#), Ok("a\"b\n".into()));
        assert_eq!(unquote(r#"'it\'s'"#), Ok("it's".into()));
        assert_eq!(unquote(r#""\u00e9\x41\101\303\251""#), Ok("éAAé".into()));
        assert_eq!(unquote(r"`raw\n`"), Ok("raw\\n".into()));
        assert!(unquote(r#""\q""#).is_err());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn go_quoting_escapes_what_go_escapes() {
        assert_eq!(
            go_quote("a\"b\\\n\u{a0}é\x01"),
            "\"a\\\"b\\\\\\n\\u00a0é\\x01\""
        );
        assert_eq!(go_quote_rune(None), "'\u{FFFD}'");
        assert_eq!(go_quote_rune(Some('\'')), "'\\''");
    }
}
