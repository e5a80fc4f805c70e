//! Kubernetes manifests as YAML text: a file is split into documents at
//! `---` lines, as kubectl splits it, and each document is read by
//! serde-saphyr into a tree of [`Node`]s that keep their byte span in the
//! whole file, so later checks can point at a key or a value.
//!
//! Scalars are typed as the API server's YAML reader types them before it
//! converts a manifest to JSON: `8090` is an integer, `'8090'` a string,
//! `yes` and `true` booleans, `~` and an empty value null.
//!
//! ```
//! use promlab_core::operator::yaml::{parse_documents, Value};
//! let docs = parse_documents("a: 1\n---\nb: x\n");
//! assert_eq!(docs.len(), 2);
//! let root = docs[1].root.as_ref().unwrap().as_ref().unwrap();
//! let Value::Map(entries) = &root.value else { panic!() };
//! assert_eq!(entries[0].0.as_str(), Some("b"));
//! assert_eq!(entries[0].1.span.start, 12);
//! ```

use crate::diagnostic::Span;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Location, Spanned};
use std::fmt;

/// A YAML value with where it is in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    /// Bytes of the whole file. A block mapping or sequence has an empty
    /// span at its first entry.
    pub span: Span,
}

/// What a YAML node holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    /// Entries in the order written; keys are nodes too, for their spans.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What the value is, in the API server's words (`string`, `integer`,
    /// `object`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "array",
            Value::Map(_) => "object",
        }
    }
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a scalar as written in YAML for a key: strings as they
    /// are, numbers and booleans as the JSON converter prints them.
    pub fn key_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Float(f) => Some(f.to_string()),
            Value::Null => Some("null".into()),
            Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The value of key `name` in a mapping.
    pub fn get(&self, name: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(name))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A document of a manifest file.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based position among the file's documents, empty ones included.
    pub index: usize,
    /// The document's text in the file.
    pub span: Span,
    /// `Ok(None)` for a document with nothing but comments and blank lines.
    pub root: Result<Option<Node>, YamlError>,
}

/// Text that is not YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub kind: YamlErrorKind,
    pub span: Span,
    pub message: String,
}

/// Why a document is not YAML the lab can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// The YAML reader refused the text.
    Syntax,
    /// The same key twice in one mapping.
    DuplicateKey,
    /// Something other than a comment after a `---` separator.
    BadSeparator,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More nodes, aliases or text than the reader's budget allows (an
    /// alias bomb, say).
    TooLarge,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Splits `src` into documents at lines that start with `---` followed by
/// nothing but blanks or a comment, as kubectl's YAML reader does, and reads
/// each. A `---` followed by other text is reported on that document.
pub fn parse_documents(src: &str) -> Vec<Document> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    // An error on a separator line belongs to the document it opens.
    let mut pending: Option<YamlError> = None;
    for line in src.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let Some(rest) = line.strip_prefix("---") else {
            continue;
        };
        push_document(&mut docs, src, start, line_start, pending.take());
        let rest = rest.trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            // kubectl refuses `--- text`; the text would be lost otherwise.
            pending = Some(YamlError {
                kind: YamlErrorKind::BadSeparator,
                span: Span::new(line_start, line_start + line.trim_end().len()),
                message: "only a comment may follow a `---` document separator".into(),
            });
        }
        start = offset;
    }
    push_document(&mut docs, src, start, src.len(), pending.take());
    // A file that starts with `---` has an empty first document, which
    // kubectl skips without counting; so do we.
    if docs.len() > 1 && matches!(docs[0].root, Ok(None)) && docs[0].span.is_empty() {
        docs.remove(0);
        for (i, d) in docs.iter_mut().enumerate() {
            d.index = i;
        }
    }
    docs
}

fn push_document(
    docs: &mut Vec<Document>,
    src: &str,
    start: usize,
    end: usize,
    error: Option<YamlError>,
) {
    let text = src.get(start..end).unwrap_or("");
    let root = match error {
        Some(e) => Err(e),
        None => parse_one(text, start),
    };
    docs.push(Document {
        index: docs.len(),
        span: Span::new(start, end),
        root,
    });
}

/// The deepest nesting of mappings and sequences read.
pub const MAX_DEPTH: usize = 24;

/// Reads one document whose text starts at byte `base` of the file.
fn parse_one(text: &str, base: usize) -> Result<Option<Node>, YamlError> {
    if text
        .lines()
        .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(None);
    }
    let options = serde_saphyr::options! {
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::PassThrough,
        with_snippet: false,
        // Reading a node recurses; a manifest nests far less than this
        // (a PrometheusRule's labels sit at depth 7), and a deeper text
        // is refused before it can exhaust the stack, which is small in
        // WebAssembly.
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            flow_nesting_limit: MAX_DEPTH,
        },
    };
    let raw: Option<Spanned<Raw>> = serde_saphyr::from_str_with_options(text, options)
        .map_err(|e| yaml_error(text, base, &e))?;
    Ok(raw.map(|r| to_node(r, text, base)))
}

fn yaml_error(text: &str, base: usize, e: &serde_saphyr::Error) -> YamlError {
    use serde_saphyr::MessageFormatter;
    let message = serde_saphyr::DefaultMessageFormatter
        .format_message(e.without_snippet())
        .into_owned();
    let span = e
        .location()
        .map_or(Span::at(base), |l| span_of(text, base, &l));
    // The breach's type is not exported; its name tells which limit it is.
    let breach = match e.without_snippet() {
        serde_saphyr::Error::Budget { breach, .. } => Some(format!("{breach:?}")),
        _ => None,
    };
    let too_deep = breach.as_deref().is_some_and(|b| b.starts_with("Depth"))
        || message.contains("recursion limit exceeded");
    let (kind, message) = if too_deep {
        (
            YamlErrorKind::TooDeep,
            format!("mappings and sequences nested more than {MAX_DEPTH} levels deep"),
        )
    } else if let Some(breach) = breach {
        (
            YamlErrorKind::TooLarge,
            format!("the document is too large to read ({breach})"),
        )
    } else if message.starts_with("duplicate mapping key") {
        let key = message
            .trim_start_matches("duplicate mapping key: ")
            .split(',')
            .next()
            .unwrap_or("")
            .to_string();
        (
            YamlErrorKind::DuplicateKey,
            format!("duplicate key {key:?} in one mapping"),
        )
    } else {
        (YamlErrorKind::Syntax, message)
    };
    YamlError {
        kind,
        span,
        message,
    }
}

/// A value as serde-saphyr hands it over, before spans are made file-wide.
enum Raw {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Raw>, Spanned<Raw>)>),
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Int(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Int(v.into()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Int(v))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Raw, E> {
        // Beyond i128 only as a float, as a JSON number would be.
        Ok(i128::try_from(v).map_or(Raw::Float(v as f64), Raw::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Raw, E> {
        Ok(Raw::Str(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = a.next_element::<Spanned<Raw>>()? {
            items.push(item);
        }
        Ok(Raw::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Raw, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = a.next_entry::<Spanned<Raw>, Spanned<Raw>>()? {
            entries.push(entry);
        }
        Ok(Raw::Map(entries))
    }
}

fn to_node(raw: Spanned<Raw>, text: &str, base: usize) -> Node {
    let span = span_of(text, base, &raw.referenced);
    let value = match raw.value {
        Raw::Null => Value::Null,
        Raw::Bool(b) => Value::Bool(b),
        Raw::Int(i) => Value::Int(i),
        Raw::Float(f) => Value::Float(f),
        Raw::Str(s) => Value::Str(s),
        Raw::Seq(items) => Value::Seq(items.into_iter().map(|i| to_node(i, text, base)).collect()),
        Raw::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (to_node(k, text, base), to_node(v, text, base)))
                .collect(),
        ),
    };
    Node { value, span }
}

/// The file-wide byte span of a location in a document starting at `base`.
fn span_of(text: &str, base: usize, loc: &Location) -> Span {
    let s = loc.span();
    let (start, len) = match (s.byte_offset(), s.byte_len()) {
        (Some(start), Some(len)) => (
            usize::try_from(start).unwrap_or(usize::MAX).min(text.len()),
            usize::try_from(len).unwrap_or(0),
        ),
        _ => (offset_of(text, loc.line(), loc.column()), 0),
    };
    let end = start.saturating_add(len).min(text.len());
    Span::new(base + start, base + end)
}

/// The byte offset of a 1-based line and character column.
fn offset_of(text: &str, line: u64, col: u64) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let col = usize::try_from(col.saturating_sub(1)).unwrap_or(usize::MAX);
            return offset
                + l.char_indices()
                    .nth(col)
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn root(doc: &Document) -> &Node {
        doc.root.as_ref().unwrap().as_ref().unwrap()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn scalars_are_typed_as_the_api_server_types_them() {
        let src = "a: 8090\nb: '8090'\nc: yes\nd:\ne: ~\nf: 1.5\ng: 15s\n";
        let docs = parse_documents(src);
        let r = root(&docs[0]);
        let types: Vec<&str> = ["a", "b", "c", "d", "e", "f", "g"]
            .iter()
            .map(|k| r.get(k).unwrap().value.type_name())
            .collect();
        assert_eq!(
            types,
            ["integer", "string", "boolean", "null", "null", "number", "string"]
        );
        let b = r.get("b").unwrap();
        assert_eq!(&src[b.span.start..b.span.end], "'8090'");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn documents_split_at_separator_lines_and_keep_file_offsets() {
        let src = "---\na: 1\n--- # second\n# only a comment\n---\nb:\n  c: [1, x]\n";
        let docs = parse_documents(src);
        assert_eq!(docs.len(), 3);
        assert!(matches!(docs[1].root, Ok(None)));
        let c = root(&docs[2]).get("b").unwrap().get("c").unwrap();
        let Value::Seq(items) = &c.value else {
            panic!("{c:?}")
        };
        assert_eq!(&src[items[1].span.start..items[1].span.end], "x");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn errors_point_into_the_file() {
        let src = "a: 1\n---\nb: 1\nb: 2\n---junk\nc: 1\n---\nd: [1\n";
        let docs = parse_documents(src);
        let errors: Vec<(YamlErrorKind, String)> = docs
            .iter()
            .filter_map(|d| d.root.as_ref().err())
            .map(|e| {
                (
                    e.kind,
                    crate::diagnostic::line_col(src, e.span.start).to_string(),
                )
            })
            .collect();
        assert_eq!(
            errors,
            [
                (YamlErrorKind::DuplicateKey, "4:1".to_string()),
                (YamlErrorKind::BadSeparator, "5:1".to_string()),
                (YamlErrorKind::Syntax, "8:4".to_string()),
            ]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn nesting_beyond_the_limit_is_refused_not_overflowed() {
        let block =
            |n: usize| -> String { (0..n).map(|i| format!("{}k:\n", " ".repeat(i))).collect() };
        let flow = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        for (text, ok) in [
            (block(MAX_DEPTH), true),
            (block(MAX_DEPTH + 1), false),
            (block(300), false),
            (flow(MAX_DEPTH), true),
            (flow(MAX_DEPTH + 1), false),
            (flow(5000), false),
        ] {
            let docs = parse_documents(&text);
            match &docs[0].root {
                Ok(_) => assert!(ok, "{text:.40}"),
                Err(e) => {
                    assert!(!ok, "{text:.40}: {e}");
                    assert_eq!(e.kind, YamlErrorKind::TooDeep);
                }
            }
        }
    }
}
