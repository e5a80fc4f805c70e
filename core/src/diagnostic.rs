//! Spans and diagnostics shared by every parser in the lab.
//!
//! A [`Span`] is a byte range into the text a user typed or loaded (a query,
//! an exposition page, a YAML file). A [`Diagnostic`] is what every parser
//! reports: a span, a severity, a message and an optional hint. It renders
//! one way on the command line ([`Diagnostic::render`]: `line:col` and the
//! offending line with a caret under the span) and the UI underlines the same
//! span. Parsers keep their own error *kinds* as enums so tests can assert the
//! kind; the diagnostic is the common face of all of them.
//!
//! ```
//! use promlab_core::diagnostic::{Diagnostic, Span};
//! let d = Diagnostic::error(Span::new(4, 5), "unexpected character '}'");
//! assert_eq!(d.render("up{a}"), "1:5: unexpected character '}'\n  up{a}\n      ^\n");
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;

/// A half-open byte range `[start, end)` into a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// An empty span at one position, for "expected something here".
    pub const fn at(pos: usize) -> Self {
        Span {
            start: pos,
            end: pos,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text this span covers, or `""` when it lies outside `source` or
    /// splits a UTF-8 character.
    pub fn slice<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

/// A message about a span of some source text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub span: Span,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// A 1-based line and column; the column counts characters, not bytes, so a
/// caret lines up under UTF-8 text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl fmt::Display for LineCol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// The line and column of byte `offset` in `source`. Offsets past the end
/// or inside a character are clamped to the nearest character boundary
/// before them.
pub fn line_col(source: &str, offset: usize) -> LineCol {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    LineCol { line, col }
}

impl Diagnostic {
    pub fn new(severity: Severity, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            span,
            message: message.into(),
            hint: None,
        }
    }

    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, span, message)
    }

    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, span, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Where the span starts, as line and column in `source`.
    pub fn position(&self, source: &str) -> LineCol {
        line_col(source, self.span.start)
    }

    /// `line:col: message`, then the source line indented by two spaces with
    /// carets under the span (one caret for an empty span), then the hint.
    pub fn render(&self, source: &str) -> String {
        let start = line_col(source, self.span.start);
        let mut out = format!("{start}: {}\n", self.message);
        let line_text = source.lines().nth(start.line - 1).unwrap_or("");
        out.push_str("  ");
        out.push_str(line_text);
        out.push('\n');
        // The caret covers the span's part on its first line.
        let end = line_col(source, self.span.end);
        let width = if end.line == start.line {
            end.col.saturating_sub(start.col).max(1)
        } else {
            (line_text.chars().count() + 1)
                .saturating_sub(start.col)
                .max(1)
        };
        out.push_str(&" ".repeat(start.col + 1));
        out.push_str(&"^".repeat(width));
        out.push('\n');
        if let Some(hint) = &self.hint {
            out.push_str("hint: ");
            out.push_str(hint);
            out.push('\n');
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn line_col_counts_characters_on_later_lines() {
        let src = "a\nbé c\n";
        assert_eq!(line_col(src, 0), LineCol { line: 1, col: 1 });
        assert_eq!(line_col(src, 2), LineCol { line: 2, col: 1 });
        // 'é' is two bytes; the space after it is the third character.
        assert_eq!(line_col(src, 5), LineCol { line: 2, col: 3 });
        // Inside 'é' clamps back to its start.
        assert_eq!(line_col(src, 4), LineCol { line: 2, col: 2 });
        assert_eq!(line_col(src, 100), LineCol { line: 3, col: 1 });
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn render_puts_carets_under_the_span() {
        let src = "sum(rate(x[5m])\nfoo";
        let d = Diagnostic::error(Span::new(17, 20), "unexpected identifier")
            .with_hint("close the paren");
        expect_test::expect![[r#"
            2:2: unexpected identifier
              foo
               ^^
            hint: close the paren
        "#]]
        .assert_eq(&d.render(src));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn render_of_an_empty_span_at_the_end_shows_one_caret() {
        let d = Diagnostic::error(Span::at(3), "unexpected end of input");
        assert_eq!(
            d.render("up{"),
            "1:4: unexpected end of input\n  up{\n     ^\n"
        );
    }
}
