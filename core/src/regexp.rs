//! Regular expressions as Prometheus compiles them for label matchers and
//! relabelling: Go's RE2 syntax, fully anchored as `^(?s:…)$`, so `.` also
//! matches a newline and a pattern must match the whole value.
//!
//! Rust's `regex` reads almost the same syntax, with a few differences that
//! change results; [`Regexp::new`] rewrites the pattern so it means what Go
//! means:
//!
//! - `\d`, `\w`, `\s` and `\b` (and their negations) are ASCII in Go and
//!   Unicode in Rust: `\d` becomes `[0-9]`, `\w` `[0-9A-Za-z_]`, `\s`
//!   `[\t\n\f\r ]`, `\b` the ASCII word boundary `(?-u:\b)`.
//! - Inside a class, Go reads `[` (not starting `[:name:]`) and the pairs
//!   `&&`, `--`, `~~` as plain characters; Rust reads them as a nested class
//!   and set operations. Classes are read with Go's rules and written back
//!   with every member escaped.
//! - `\<` and `\>` are the characters `<` and `>` in Go and word boundaries
//!   in Rust; `\Q…\E` quotes literal text in Go only.
//! - Go refuses what Rust accepts in a few places (`\u0041`, `(?x)`,
//!   repetition counts above 1000); those are refused here too, with Go's
//!   message.
//!
//! ```
//! use promlab_core::regexp::Regexp;
//! let re = Regexp::new(r"\d+").unwrap();
//! assert!(re.is_match("42"));
//! assert!(!re.is_match("٤٢")); // Arabic-Indic digits are not `\d` in Go
//! assert!(!re.is_match("x42")); // anchored
//! ```

use regex::Regex;
use std::fmt;

/// A matcher's or relabelling rule's regex: the pattern as written and its
/// anchored compiled form.
#[derive(Debug, Clone)]
pub struct Regexp {
    pattern: String,
    re: Regex,
}

/// A pattern that does not compile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegexError {
    /// The pattern as written.
    pub pattern: String,
    /// What the regex engine said, on one line.
    pub reason: String,
}

impl fmt::Display for RegexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error parsing regexp {:?}: {}",
            self.pattern, self.reason
        )
    }
}

impl std::error::Error for RegexError {}

impl PartialEq for Regexp {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl Regexp {
    /// Compiles `pattern` anchored as Prometheus anchors it.
    pub fn new(pattern: &str) -> Result<Self, RegexError> {
        let err = |reason: String| RegexError {
            pattern: pattern.to_string(),
            reason,
        };
        let anchored = format!("^(?s:{})$", translate(pattern).map_err(err)?);
        let re = regex::RegexBuilder::new(&anchored)
            // Far above what a config needs, far below what hangs a tab.
            .size_limit(1 << 22)
            .build()
            .map_err(|e| match one_line(&e).as_str() {
                // Go names the unbalanced paren and quotes the pattern.
                "unclosed group" => err(format!("missing closing ): `{pattern}`")),
                "unopened group" => err(format!("unexpected ): `{pattern}`")),
                reason => err(reason.to_string()),
            })?;
        Ok(Regexp {
            pattern: pattern.to_string(),
            re,
        })
    }

    /// The pattern as written, without the anchors.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the whole of `s` matches.
    pub fn is_match(&self, s: &str) -> bool {
        self.re.is_match(s)
    }

    /// The capture groups of a whole-string match, or `None`.
    pub fn captures<'s>(&self, s: &'s str) -> Option<regex::Captures<'s>> {
        self.re.captures(s)
    }

    /// Expands `template` with the groups of a match of `s`, as Go's
    /// `Regexp.ExpandString` does; `None` when `s` does not match.
    pub fn expand(&self, template: &str, s: &str) -> Option<String> {
        let caps = self.re.captures(s)?;
        Some(expand(&self.re, &caps, template))
    }
}

/// The last line of the engine's message, which is the reason; the lines
/// before it repeat the pattern with a caret.
fn one_line(e: &regex::Error) -> String {
    let text = e.to_string();
    let line = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("invalid pattern");
    line.trim().trim_start_matches("error: ").to_string()
}

/// Rewrites Go RE2 syntax into Rust regex syntax with the same meaning, or
/// says (in Go's words) why Go refuses the pattern.
fn translate(pattern: &str) -> Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                i += 1;
                let Some(&e) = chars.get(i) else {
                    return Err("trailing backslash at end of expression".into());
                };
                i += 1;
                match e {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    's' => out.push_str(r"[\t\n\f\r ]"),
                    'S' => out.push_str(r"[^\t\n\f\r ]"),
                    'b' => out.push_str(r"(?-u:\b)"),
                    'B' => out.push_str(r"(?-u:\B)"),
                    'A' | 'z' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'p' | 'P' => {
                        let (class, next) = unicode_class(&chars, i, e)?;
                        out.push_str(&class);
                        i = next;
                    }
                    'Q' => {
                        // Literal text up to \E or the end.
                        while i < chars.len() {
                            if chars[i] == '\\' && chars.get(i + 1) == Some(&'E') {
                                i += 2;
                                break;
                            }
                            push_literal(&mut out, chars[i]);
                            i += 1;
                        }
                    }
                    _ => {
                        let (ch, next) = escaped_char(&chars, i, e)?;
                        push_literal(&mut out, ch);
                        i = next;
                    }
                }
            }
            '[' => {
                let (class, next) = class(&chars, i + 1)?;
                out.push_str(&class);
                i = next;
            }
            '{' => match repeat(&chars, i) {
                Some((text, next)) => {
                    out.push_str(&text?);
                    i = next;
                }
                // Not a repetition: Go reads a literal brace.
                None => {
                    out.push_str(r"\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str(r"\}");
                i += 1;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                let (group, next) = group_flags(&chars, i)?;
                out.push_str(&group);
                i = next;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Writes one character so that Rust reads it literally, in or out of a
/// class.
fn push_literal(out: &mut String, c: char) {
    if c.is_alphanumeric() || c == '_' || c == ' ' {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// An escape that stands for one character (after the backslash and `e`,
/// which is at `i - 1`); returns it and the index after it.
fn escaped_char(chars: &[char], i: usize, e: char) -> Result<(char, usize), String> {
    let invalid = || format!("invalid escape sequence: `\\{e}`");
    match e {
        'a' => Ok(('\u{7}', i)),
        'f' => Ok(('\u{c}', i)),
        'n' => Ok(('\n', i)),
        'r' => Ok(('\r', i)),
        't' => Ok(('\t', i)),
        'v' => Ok(('\u{b}', i)),
        'x' => {
            if chars.get(i) == Some(&'{') {
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '}')
                    .map(|p| i + p)
                    .ok_or_else(invalid)?;
                let hex: String = chars[i + 1..end].iter().collect();
                let n = u32::from_str_radix(&hex, 16).map_err(|_| invalid())?;
                let c = char::from_u32(n).ok_or_else(invalid)?;
                Ok((c, end + 1))
            } else {
                let hex: String = chars.get(i..i + 2).ok_or_else(invalid)?.iter().collect();
                let n = u32::from_str_radix(&hex, 16).map_err(|_| invalid())?;
                let c = char::from_u32(n).ok_or_else(invalid)?;
                Ok((c, i + 2))
            }
        }
        '0'..='7' => {
            // Octal: `\0`, `\01`, `\012`, or `\1`.. only with more digits
            // (a lone `\1` would be a backreference, which RE2 lacks).
            let mut n = e.to_digit(8).unwrap_or(0);
            let mut j = i;
            while j < i + 2 && chars.get(j).is_some_and(|c| c.is_digit(8)) {
                n = n * 8 + chars[j].to_digit(8).unwrap_or(0);
                j += 1;
            }
            if e != '0' && j == i {
                return Err(invalid());
            }
            Ok((char::from_u32(n).ok_or_else(invalid)?, j))
        }
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c, i)),
        _ => Err(invalid()),
    }
}

/// `\pN`, `\p{Greek}`, `\PN`, `\p{^Greek}`: copied, as Rust reads them the
/// same way.
fn unicode_class(chars: &[char], i: usize, e: char) -> Result<(String, usize), String> {
    let mut out = format!("\\{e}");
    match chars.get(i) {
        Some('{') => {
            let end = chars[i..]
                .iter()
                .position(|&c| c == '}')
                .map(|p| i + p)
                .ok_or_else(|| format!("invalid character class range: `\\{e}{{`"))?;
            out.extend(&chars[i..=end]);
            Ok((out, end + 1))
        }
        Some(&c) => {
            out.push(c);
            Ok((out, i + 1))
        }
        None => Err(format!("invalid character class range: `\\{e}`")),
    }
}

/// A class from just after its `[`, read with Go's rules and written with
/// every member spelled out, so Rust's nested classes and set operators
/// (`[`, `&&`, `--`, `~~`) never come into play.
fn class(chars: &[char], mut i: usize) -> Result<(String, usize), String> {
    let mut out = String::from("[");
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("missing closing ]".into());
        };
        if c == ']' && !first {
            out.push(']');
            return Ok((out, i + 1));
        }
        first = false;
        if c == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i..].iter().take(16).collect();
            if let Some(end) = rest.find(":]").filter(|&e| e > 1) {
                out.push_str(&rest[..end + 2]);
                i += rest[..end + 2].chars().count();
                continue;
            }
        }
        if c == '\\' {
            match chars.get(i + 1) {
                Some('d') => out.push_str("0-9"),
                Some('D') => out.push_str("[^0-9]"),
                Some('w') => out.push_str("0-9A-Za-z_"),
                Some('W') => out.push_str("[^0-9A-Za-z_]"),
                Some('s') => out.push_str(r"\t\n\f\r "),
                Some('S') => out.push_str(r"[^\t\n\f\r ]"),
                Some(&e @ ('p' | 'P')) => {
                    let (class, next) = unicode_class(chars, i + 2, e)?;
                    out.push_str(&class);
                    i = next;
                    continue;
                }
                _ => {
                    let (lo, next) = class_char(chars, i)?;
                    i = range_end(chars, i, next, lo, &mut out)?;
                    continue;
                }
            }
            i += 2;
            continue;
        }
        let (lo, next) = class_char(chars, i)?;
        i = range_end(chars, i, next, lo, &mut out)?;
    }
}

/// After a class member `lo`, reads `-hi` if there is a range and writes
/// the member or range; returns the index after it.
fn range_end(
    chars: &[char],
    start: usize,
    i: usize,
    lo: char,
    out: &mut String,
) -> Result<usize, String> {
    if chars.get(i) == Some(&'-') && chars.get(i + 1).is_some_and(|&c| c != ']') {
        let (hi, next) = class_char(chars, i + 1)?;
        if hi < lo {
            let text: String = chars[start..next].iter().collect();
            return Err(format!("invalid character class range: `{text}`"));
        }
        push_literal(out, lo);
        out.push('-');
        push_literal(out, hi);
        Ok(next)
    } else {
        push_literal(out, lo);
        Ok(i)
    }
}

/// One character of a class: plain, or an escape standing for one.
fn class_char(chars: &[char], i: usize) -> Result<(char, usize), String> {
    match chars.get(i) {
        None => Err("missing closing ]".into()),
        Some('\\') => {
            let e = *chars
                .get(i + 1)
                .ok_or("trailing backslash at end of expression")?;
            escaped_char(chars, i + 2, e)
        }
        Some(&c) => Ok((c, i + 1)),
    }
}

/// A counted repetition `{n}`, `{n,}`, `{n,m}` at `i`, checked against Go's
/// limit of 1000; `None` when the brace does not start one.
fn repeat(chars: &[char], i: usize) -> Option<(Result<String, String>, usize)> {
    let end = chars[i..].iter().position(|&c| c == '}').map(|p| i + p)?;
    let body: String = chars[i + 1..end].iter().collect();
    let (min, max) = match body.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (body.as_str(), None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(min) || max.is_some_and(|m| !m.is_empty() && !digits(m)) {
        return None;
    }
    let text = format!("{{{body}}}");
    let n = |s: &str| s.parse::<u64>().unwrap_or(u64::MAX);
    let too_big = n(min) > 1000 || max.is_some_and(|m| !m.is_empty() && n(m) > 1000);
    let backwards = max.is_some_and(|m| !m.is_empty() && n(m) < n(min));
    if too_big || backwards {
        return Some((Err(format!("invalid repeat count: `{text}`")), end + 1));
    }
    Some((Ok(text), end + 1))
}

/// `(?flags)`, `(?flags:`, `(?P<name>` or `(?<name>` at `i`; Go knows only
/// the flags `i`, `m`, `s`, `U`.
fn group_flags(chars: &[char], i: usize) -> Result<(String, usize), String> {
    let rest: String = chars[i + 2..].iter().collect();
    if rest.starts_with("P<")
        || (rest.starts_with('<') && !rest.starts_with("<=") && !rest.starts_with("<!"))
    {
        return Ok(("(?".into(), i + 2));
    }
    let mut j = i + 2;
    while let Some(&c) = chars.get(j) {
        match c {
            'i' | 'm' | 's' | 'U' | '-' => j += 1,
            ':' => {
                let text: String = chars[i..=j].iter().collect();
                return Ok((text, j + 1));
            }
            ')' if j > i + 2 => {
                let text: String = chars[i..=j].iter().collect();
                return Ok((text, j + 1));
            }
            _ => break,
        }
    }
    let text: String = chars[i..(j + 1).min(chars.len())].iter().collect();
    Err(format!("invalid or unsupported Perl syntax: `{text}`"))
}

/// Go's template expansion: `$name` or `${name}` is replaced by the group of
/// that number or name (empty when there is none); the name after a bare `$`
/// is the longest run of letters, digits and `_`; a number with a leading
/// zero is a name; `$$` is a `$`; a `$` not followed by a name is kept.
fn expand(re: &Regex, caps: &regex::Captures<'_>, template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        rest = &rest[i + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        match extract_name(rest) {
            Some((name, after)) => {
                let value = match group_number(name) {
                    Some(n) => caps.get(n).map_or("", |m| m.as_str()),
                    None => {
                        // An unknown name expands to nothing, as in Go.
                        if re.capture_names().flatten().any(|n| n == name) {
                            caps.name(name).map_or("", |m| m.as_str())
                        } else {
                            ""
                        }
                    }
                };
                out.push_str(value);
                rest = after;
            }
            None => out.push('$'),
        }
    }
    out.push_str(rest);
    out
}

/// The name after a `$` and the text after it, or `None` when malformed.
fn extract_name(s: &str) -> Option<(&str, &str)> {
    let (body, braced) = match s.strip_prefix('{') {
        Some(b) => (b, true),
        None => (s, false),
    };
    let end = body
        .char_indices()
        .find(|&(_, c)| !(c.is_alphabetic() || c.is_numeric() || c == '_'))
        .map_or(body.len(), |(i, _)| i);
    if end == 0 {
        return None;
    }
    let name = &body[..end];
    if braced {
        let after = body[end..].strip_prefix('}')?;
        Some((name, after))
    } else {
        Some((name, &body[end..]))
    }
}

/// A group number as Go reads one: ASCII digits, no leading zero, below 1e8.
fn group_number(name: &str) -> Option<usize> {
    if name.len() > 1 && name.starts_with('0') {
        return None;
    }
    if name.len() > 8 || !name.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    name.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn perl_classes_and_word_boundaries_are_ascii_as_in_go() {
        // (pattern, input, matches in Go)
        let cases = [
            (r"\d+", "123", true),
            (r"\d+", "١٢٣", false),
            (r"\D", "١", true),
            (r"\w+", "abc_1", true),
            (r"\w+", "été", false),
            (r"\W", "é", true),
            (r"\s", " ", true),
            (r"\s", "\u{a0}", false),
            (r"\s", "\u{b}", false),
            (r"\S", "\u{a0}", true),
            (r"[\d]+", "42", true),
            (r"[\d]+", "٤٢", false),
            (r"[\w.]+", "a.b", true),
            (r"[^\d]", "٤", true),
            (r"[\D]", "a", true),
            (r".*\bx\b.*", "a x b", true),
            (r".*\bx\b.*", "éxé", true),
            (r"a\Bb", "ab", true),
            (r"(?i)ABC", "abc", true),
        ];
        for (pattern, input, want) in cases {
            let re = Regexp::new(pattern).unwrap();
            assert_eq!(re.is_match(input), want, "{pattern} on {input:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn go_syntax_that_rust_reads_differently_means_what_it_means_in_go() {
        let cases = [
            ("[[]", "[", true),
            ("[]a]+", "]a", true),
            ("[^]a]", "b", true),
            ("[^]a]", "]", false),
            ("[a&&b]+", "a&b", true),
            ("[a~~b]+", "~", true),
            // `-` starts a range even right after `[`: '-' to 'a'.
            ("[--a]", "5", true),
            ("[--a]", "b", false),
            ("[a-b--]+", "ab-", true),
            ("[[:alpha:]]+", "abc", true),
            ("[[:^digit:]x]+", "ax", true),
            ("[\\x41-\\x43]+", "ABC", true),
            ("a\\<b\\>", "a<b>", true),
            ("\\Qa.b\\E", "a.b", true),
            ("\\Qa.b\\E", "axb", false),
            ("a{2}", "aa", true),
            ("a{,2}", "a{,2}", true),
            ("\\x{41}\\101", "AA", true),
            ("\\pL+", "été", true),
            ("(?i)é", "É", true),
            ("(?P<x>a)(?<y>b)", "ab", true),
            ("(?:a|b)(?i:c)(?s)(?-m)", "bC", true),
        ];
        for (pattern, input, want) in cases {
            let re = Regexp::new(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"));
            assert_eq!(re.is_match(input), want, "{pattern} on {input:?}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn patterns_are_anchored_and_dot_matches_newline() {
        let re = Regexp::new("a.c").unwrap();
        assert!(re.is_match("a\nc"));
        assert!(!re.is_match("xa.c"));
        assert!(!re.is_match("abcd"));
        let re = Regexp::new("a|b").unwrap();
        assert!(re.is_match("b"));
        assert!(!re.is_match("ab"));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn bad_patterns_report_the_reason_on_one_line() {
        for (pattern, reason) in [
            ("(", "missing closing ): `(`"),
            ("a)", "unexpected ): `a)`"),
            ("[a", "missing closing ]"),
            ("a{2,1}", "invalid repeat count: `{2,1}`"),
            ("a{1001}", "invalid repeat count: `{1001}`"),
            ("\\", "trailing backslash at end of expression"),
            ("[a--]", "invalid character class range: `a--`"),
            ("\\u0041", "invalid escape sequence: `\\u`"),
            ("\\e", "invalid escape sequence: `\\e`"),
            ("[a-\\d]", "invalid escape sequence: `\\d`"),
            ("(?x)a", "invalid or unsupported Perl syntax: `(?x`"),
            ("(?=a)", "invalid or unsupported Perl syntax: `(?=`"),
        ] {
            let e = Regexp::new(pattern).unwrap_err();
            assert_eq!(e.reason, reason, "{pattern}");
            assert!(!e.to_string().contains('\n'));
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn templates_expand_as_go_expands_them() {
        let re = Regexp::new("(?P<host>[^:]+):(\\d+)").unwrap();
        let cases = [
            ("$1", "node"),
            ("${1}", "node"),
            ("$2", "9100"),
            ("$host", "node"),
            ("${host}-x", "node-x"),
            // The longest name wins: `$1x` is group "1x", which is absent.
            ("$1x", ""),
            ("${1}x", "nodex"),
            ("$01", ""),
            ("$3", ""),
            ("$$1", "$1"),
            ("$", "$"),
            ("a$-b", "a$-b"),
            ("${1", "${1"),
            ("${}", "${}"),
            ("$2$1", "9100node"),
            ("$nope", ""),
        ];
        for (template, want) in cases {
            assert_eq!(
                re.expand(template, "node:9100").as_deref(),
                Some(want),
                "{template}"
            );
        }
        assert_eq!(re.expand("$1", "no port"), None);
    }
}
