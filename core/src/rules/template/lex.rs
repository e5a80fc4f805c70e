//! The lexer of Go's `text/template`: text, `{{ actions }}` with trim
//! markers (`{{- ` and ` -}}`), comments, and the tokens inside actions,
//! with Go's error messages. It stops at the first error, which becomes an
//! [`ItemKind::Error`] item.

use crate::rules::gofmt::{quote, unicode_name};

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    Error,
    Bool,
    /// A printable ASCII character not otherwise used (`,`, `*`, …).
    Char,
    CharConstant,
    Complex,
    /// `=`
    Assign,
    /// `:=`
    Declare,
    Eof,
    /// `.Name`
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    /// `$` or `$name`
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemKind {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemKind::Block
                | ItemKind::Break
                | ItemKind::Continue
                | ItemKind::Dot
                | ItemKind::Define
                | ItemKind::Else
                | ItemKind::End
                | ItemKind::If
                | ItemKind::Nil
                | ItemKind::Range
                | ItemKind::Template
                | ItemKind::With
        )
    }

    fn keyword(word: &str) -> Option<ItemKind> {
        Some(match word {
            "." => ItemKind::Dot,
            "block" => ItemKind::Block,
            "break" => ItemKind::Break,
            "continue" => ItemKind::Continue,
            "define" => ItemKind::Define,
            "else" => ItemKind::Else,
            "end" => ItemKind::End,
            "if" => ItemKind::If,
            "range" => ItemKind::Range,
            "nil" => ItemKind::Nil,
            "template" => ItemKind::Template,
            "with" => ItemKind::With,
            _ => return None,
        })
    }
}

/// A token: its kind, where it starts (a byte offset), its text (or, for
/// an error, the message) and its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub pos: usize,
    pub val: String,
    pub line: usize,
}

impl std::fmt::Display for Item {
    /// As Go's parser names a token in its messages.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            ItemKind::Eof => f.write_str("EOF"),
            ItemKind::Error => f.write_str(&self.val),
            k if k.is_keyword() => write!(f, "<{}>", self.val),
            _ if self.val.chars().count() > 10 => {
                let head: String = self.val.chars().take(10).collect();
                write!(f, "{}...", quote(&head))
            }
            _ => f.write_str(&quote(&self.val)),
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

/// Splits a template into items. The last item is `Eof` or `Error`.
pub fn lex(input: &str) -> Vec<Item> {
    let mut l = Lexer {
        input,
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
        paren_depth: 0,
        items: Vec::new(),
    };
    l.run();
    l.items
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    line: usize,
    start_line: usize,
    paren_depth: i32,
    items: Vec<Item>,
}

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Done,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        self.input.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Steps back over `c`, the character `next` returned.
    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.next();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn emit(&mut self, kind: ItemKind) {
        let val = self
            .input
            .get(self.start..self.pos)
            .unwrap_or("")
            .to_string();
        self.items.push(Item {
            kind,
            pos: self.start,
            val,
            line: self.start_line,
        });
        self.ignore();
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn error(&mut self, message: String) -> State {
        self.items.push(Item {
            kind: ItemKind::Error,
            pos: self.start,
            val: message,
            line: self.start_line,
        });
        State::Done
    }

    /// Moves to `pos` counting the newlines passed.
    fn jump(&mut self, pos: usize) {
        let pos = pos.min(self.input.len());
        if pos >= self.pos {
            self.line += self
                .input
                .get(self.pos..pos)
                .map_or(0, |s| s.matches('\n').count());
        } else {
            self.line -= self
                .input
                .get(pos..self.pos)
                .map_or(0, |s| s.matches('\n').count());
        }
        self.pos = pos;
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.text(),
                State::LeftDelim => self.left_delim(),
                State::Comment => self.comment(),
                State::RightDelim => self.right_delim(),
                State::InsideAction => self.inside_action(),
                State::Done => break,
            };
        }
    }

    fn text(&mut self) -> State {
        if let Some(x) = self.rest().find(LEFT) {
            if x > 0 {
                let delim = self.pos + x;
                let after = delim + LEFT.len();
                let mut trim = 0;
                if has_left_trim_marker(self.input.get(after..).unwrap_or("")) {
                    let before = self.input.get(self.start..delim).unwrap_or("");
                    trim = before.len() - before.trim_end_matches(is_space).len();
                }
                self.jump(delim - trim);
                if self.pos > self.start {
                    self.emit(ItemKind::Text);
                }
                self.jump(delim);
                self.ignore();
            }
            return State::LeftDelim;
        }
        self.jump(self.input.len());
        if self.pos > self.start {
            self.emit(ItemKind::Text);
        }
        self.emit(ItemKind::Eof);
        State::Done
    }

    fn left_delim(&mut self) -> State {
        self.jump(self.pos + LEFT.len());
        let trim = has_left_trim_marker(self.rest());
        let after = if trim { 2 } else { 0 };
        if self
            .input
            .get(self.pos + after..)
            .is_some_and(|s| s.starts_with(LEFT_COMMENT))
        {
            self.jump(self.pos + after);
            self.ignore();
            return State::Comment;
        }
        self.emit(ItemKind::LeftDelim);
        self.jump(self.pos + after);
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    /// Whether the right delimiter is here, and whether with a trim marker.
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest();
        if has_right_trim_marker(rest) && rest.get(2..).is_some_and(|s| s.starts_with(RIGHT)) {
            return (true, true);
        }
        (rest.starts_with(RIGHT), false)
    }

    fn comment(&mut self) -> State {
        self.jump(self.pos + LEFT_COMMENT.len());
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.error("unclosed comment".into());
        };
        self.jump(self.pos + x + RIGHT_COMMENT.len());
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.jump(self.pos + 2);
        }
        self.jump(self.pos + RIGHT.len());
        if trim {
            let rest = self.rest();
            let n = rest.len() - rest.trim_start_matches(is_space).len();
            self.jump(self.pos + n);
        }
        self.ignore();
        State::Text
    }

    fn right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.jump(self.pos + 2);
            self.ignore();
        }
        self.jump(self.pos + RIGHT.len());
        self.emit(ItemKind::RightDelim);
        if trim {
            let rest = self.rest();
            let n = rest.len() - rest.trim_start_matches(is_space).len();
            self.jump(self.pos + n);
            self.ignore();
        }
        State::Text
    }

    fn inside_action(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.error("unclosed left paren".into());
        }
        let c = self.next();
        match c {
            None => return self.error("unclosed action".into()),
            Some(c) if is_space(c) => {
                self.backup(Some(c));
                return self.space();
            }
            Some('=') => self.emit(ItemKind::Assign),
            Some(':') => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
                }
                self.emit(ItemKind::Declare);
            }
            Some('|') => self.emit(ItemKind::Pipe),
            Some('"') => return self.quote(),
            Some('`') => return self.raw_quote(),
            Some('$') => return self.variable(),
            Some('\'') => return self.char_constant(),
            Some('.') if !self.peek().is_some_and(|c| c.is_ascii_digit()) => {
                return self.field_or_variable(ItemKind::Field);
            }
            Some(c) if c == '.' || c == '+' || c == '-' || c.is_ascii_digit() => {
                self.backup(Some(c));
                return self.number();
            }
            Some(c) if is_alphanumeric(c) => {
                self.backup(Some(c));
                return self.identifier();
            }
            Some('(') => {
                self.paren_depth += 1;
                self.emit(ItemKind::LeftParen);
            }
            Some(')') => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren".into());
                }
                self.emit(ItemKind::RightParen);
            }
            Some(c) if c.is_ascii() && (' '..='~').contains(&c) => self.emit(ItemKind::Char),
            Some(c) => {
                return self.error(format!(
                    "unrecognized character in action: {}",
                    unicode_name(c)
                ))
            }
        }
        State::InsideAction
    }

    fn space(&mut self) -> State {
        let mut n = 0;
        while self.peek().is_some_and(is_space) {
            self.next();
            n += 1;
        }
        // A space before `-}}` belongs to the trim marker.
        let before = self.pos.saturating_sub(1);
        let tail = self.input.get(before..).unwrap_or("");
        if has_right_trim_marker(tail) && tail.get(2..).is_some_and(|s| s.starts_with(RIGHT)) {
            self.jump(before);
            if n == 1 {
                return State::RightDelim;
            }
        }
        self.emit(ItemKind::Space);
        State::InsideAction
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    fn identifier(&mut self) -> State {
        while self.peek().is_some_and(is_alphanumeric) {
            self.next();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\u{FFFD}');
            return self.error(format!("bad character {}", unicode_name(c)));
        }
        let word = self.input.get(self.start..self.pos).unwrap_or("");
        let kind = match ItemKind::keyword(word) {
            Some(k) => k,
            None if word == "true" || word == "false" => ItemKind::Bool,
            None => ItemKind::Identifier,
        };
        self.emit(kind);
        State::InsideAction
    }

    fn variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(ItemKind::Variable);
            return State::InsideAction;
        }
        self.field_or_variable(ItemKind::Variable)
    }

    fn field_or_variable(&mut self, kind: ItemKind) -> State {
        if self.at_terminator() {
            self.emit(if kind == ItemKind::Variable {
                ItemKind::Variable
            } else {
                ItemKind::Dot
            });
            return State::InsideAction;
        }
        while self.peek().is_some_and(is_alphanumeric) {
            self.next();
        }
        if !self.at_terminator() {
            let c = self.peek().unwrap_or('\u{FFFD}');
            return self.error(format!("bad character {}", unicode_name(c)));
        }
        self.emit(kind);
        State::InsideAction
    }

    fn char_constant(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error("unterminated character constant".into()),
                },
                None | Some('\n') => return self.error("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(ItemKind::CharConstant);
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alphanumeric) {
            self.next();
            return false;
        }
        true
    }

    fn number(&mut self) -> State {
        if !self.scan_number() {
            let text = self.input.get(self.start..self.pos).unwrap_or("");
            return self.error(format!("bad number syntax: {}", quote(text)));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            // A complex constant, 1+2i.
            if !self.scan_number() || !self.input.get(..self.pos).is_some_and(|s| s.ends_with('i'))
            {
                let text = self.input.get(self.start..self.pos).unwrap_or("");
                return self.error(format!("bad number syntax: {}", quote(text)));
            }
            self.emit(ItemKind::Complex);
        } else {
            self.emit(ItemKind::Number);
        }
        State::InsideAction
    }

    fn quote(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    Some(c) if c != '\n' => {}
                    _ => return self.error("unterminated quoted string".into()),
                },
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(ItemKind::String);
        State::InsideAction
    }

    fn raw_quote(&mut self) -> State {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        self.emit(ItemKind::RawString);
        State::InsideAction
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn kinds(s: &str) -> Vec<(ItemKind, String)> {
        lex(s).into_iter().map(|i| (i.kind, i.val)).collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn actions_split_into_go_tokens() {
        use ItemKind::*;
        assert_eq!(
            kinds("a {{ $labels.job | printf \"%s\" }}b"),
            vec![
                (Text, "a ".into()),
                (LeftDelim, "{{".into()),
                (Space, " ".into()),
                (Variable, "$labels".into()),
                (Field, ".job".into()),
                (Space, " ".into()),
                (Pipe, "|".into()),
                (Space, " ".into()),
                (Identifier, "printf".into()),
                (Space, " ".into()),
                (String, "\"%s\"".into()),
                (Space, " ".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Eof, "".into()),
            ]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn trim_markers_eat_the_spaces_beside_them() {
        use ItemKind::*;
        assert_eq!(
            kinds("a \n {{- 1 -}} \n b{{/* c */}}"),
            vec![
                (Text, "a".into()),
                (LeftDelim, "{{".into()),
                (Number, "1".into()),
                (RightDelim, "}}".into()),
                (Text, "b".into()),
                (Eof, "".into()),
            ]
        );
        // `{{-3}}` is the number -3, not a trim marker.
        assert_eq!(kinds("{{-3}}")[1], (Number, "-3".into()));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn lexical_errors_use_gos_words() {
        for (text, message) in [
            ("{{", "unclosed action"),
            ("{{ \u{a0}}}", "unrecognized character in action: U+00A0"),
            ("{{ \"abc }}", "unterminated quoted string"),
            ("{{ (1 }}", "unclosed left paren"),
            ("{{ 1) }}", "unexpected right paren"),
            ("{{ 3x }}", "bad number syntax: \"3x\""),
            ("{{ $a: }}", "expected :="),
            ("{{/* x }}", "unclosed comment"),
            ("{{/* x */ }}", "comment ends before closing delimiter"),
            ("{{ a# }}", "bad character U+0023 '#'"),
        ] {
            let items = lex(text);
            let last = items.last().unwrap();
            assert_eq!(
                (last.kind, last.val.as_str()),
                (ItemKind::Error, message),
                "{text}"
            );
        }
    }
}
