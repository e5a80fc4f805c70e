//! Reading manifests into [`Object`]s and checking them as a strict API
//! server and the Prometheus Operator check them.
//!
//! Every problem is an [`Issue`]: a kind ([`IssueKind`]), the YAML path of
//! the offending field (`spec.receivers[0].webhookConfigs[0].send_resolved`),
//! its byte span in the file (so `line:col`), a message and often a hint.
//! An unknown field names the field the author probably meant (same
//! letters ignoring case and `_`, or a small edit distance) and, when that
//! field has a default, what the default does once a lenient apply has
//! dropped the typo.
//!
//! As `kubectl apply --validate=strict` (kubectl's default), an object with
//! an error is not applied; the other documents of the file still are.
//! [`FieldValidation::Warn`] and [`FieldValidation::Ignore`] behave as
//! `--validate=warn` and `--validate=false`: unknown fields are dropped with
//! a warning, or silently.
//!
//! ```
//! use promlab_core::operator::load::{load, LoadOptions, IssueKind};
//! let yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  prots: []\n";
//! let out = load(yaml, &LoadOptions::default());
//! let issue = &out.issues[0];
//! assert!(matches!(issue.kind, IssueKind::UnknownField { .. }));
//! assert_eq!(issue.path, "spec.prots");
//! assert_eq!(issue.message, r#"unknown field "prots": did you mean "ports"?"#);
//! assert!(out.objects.is_empty());
//! ```

use super::objects::*;
use super::yaml::{parse_documents, Node, Value, YamlErrorKind};
use crate::diagnostic::{line_col, Diagnostic, Severity, Span};
use crate::duration::parse_duration;
use crate::regexp::Regexp;
use crate::scrape::relabel::{RelabelErrorKind, DEFAULT_REGEX};
use crate::scrape::{Action, RelabelConfig};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// The namespace manifests without `metadata.namespace` go to: the lab's
/// kubeconfig context points at the course's namespace, as if every file
/// were applied with `-n qks-monitoring`.
pub const DEFAULT_NAMESPACE: &str = "qks-monitoring";

/// kubectl's `--validate`: what happens to fields the API does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldValidation {
    /// An unknown or duplicate field is an error; the object is refused.
    #[default]
    Strict,
    /// The API server drops unknown fields and says so.
    Warn,
    /// The API server drops unknown fields silently.
    Ignore,
}

impl FieldValidation {
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "strict" | "true" => Some(FieldValidation::Strict),
            "warn" => Some(FieldValidation::Warn),
            "ignore" | "false" => Some(FieldValidation::Ignore),
            _ => None,
        }
    }
}

/// How to read manifests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// The namespace of namespaced objects that do not name one.
    pub namespace: String,
    pub validation: FieldValidation,
}

impl Default for LoadOptions {
    /// [`DEFAULT_NAMESPACE`], strict validation.
    fn default() -> Self {
        LoadOptions {
            namespace: DEFAULT_NAMESPACE.into(),
            validation: FieldValidation::Strict,
        }
    }
}

/// What is wrong, as a closed set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueKind {
    /// The document is not YAML.
    Yaml(YamlErrorKind),
    /// The document is YAML but not an object (a list, a string).
    NotAnObject,
    /// A `kind` the lab does not read.
    UnknownKind,
    /// A known kind in an `apiVersion` the lab does not read.
    UnsupportedVersion,
    /// A field the API does not have; `suggestion` is the field probably
    /// meant.
    UnknownField {
        suggestion: Option<String>,
    },
    /// A field the API has and the lab does not model: it has no effect on
    /// what the lab generates.
    UnmodelledField,
    /// A value of the wrong type.
    InvalidType {
        expected: &'static str,
        found: &'static str,
    },
    MissingField,
    InvalidDuration,
    /// A value outside the allowed set or range.
    InvalidValue,
    /// A name that is not a valid DNS name of its kind.
    InvalidName,
    InvalidLabel,
    InvalidSelector,
    InvalidRegex,
    InvalidRelabel(RelabelErrorKind),
    /// A rule's PromQL expression that does not parse.
    InvalidExpr,
    /// A reference to something that is not defined (a receiver).
    UndefinedReference,
    /// Two entries that must differ (receiver names, rule group names).
    Duplicate,
    /// The same object twice in one set of manifests: the last one wins.
    DuplicateObject,
}

/// A problem in a manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Issue {
    pub kind: IssueKind,
    pub severity: Severity,
    /// The document's index in its file.
    pub document: usize,
    /// The YAML path of the field, e.g. `spec.endpoints[0].interval`;
    /// empty for the document as a whole.
    pub path: String,
    /// Bytes of the file.
    pub span: Span,
    pub message: String,
    pub hint: Option<String>,
}

impl Issue {
    /// The diagnostic: `path: message`, the hint.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let message = if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", self.path, self.message)
        };
        let mut d = Diagnostic::new(self.severity, self.span, message);
        d.hint = self.hint.clone();
        d
    }

    /// `file:line:col: error: path: message`, the line with a caret, the hint.
    pub fn render(&self, src: &str, file: &str) -> String {
        let d = self.to_diagnostic();
        let body = d.render(src);
        let (first, rest) = body.split_once('\n').unwrap_or((&body, ""));
        let (pos, msg) = first.split_once(": ").unwrap_or(("", first));
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let prefix = if file.is_empty() {
            pos.to_string()
        } else {
            format!("{file}:{pos}")
        };
        format!("{prefix}: {severity}: {msg}\n{rest}")
    }

    /// The 1-based line and column of the issue in `src`.
    pub fn position(&self, src: &str) -> crate::diagnostic::LineCol {
        line_col(src, self.span.start)
    }
}

/// An object read from a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    pub object: Object,
    pub document: usize,
    /// The document's text in the file.
    pub span: Span,
}

/// A document that was not applied because it has errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub document: usize,
    /// What the document says it is, as far as it could be read.
    pub kind: Option<Kind>,
    pub name: Option<String>,
    pub errors: usize,
}

impl fmt::Display for Refused {
    /// `alertmanagerconfig.monitoring.coreos.com/config-example`, or the
    /// document's number when it has no readable kind and name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.kind, &self.name) {
            (Some(k), Some(n)) => write!(f, "{}/{n}", k.resource()),
            (Some(k), None) => write!(f, "{} in document {}", k.resource(), self.document + 1),
            _ => write!(f, "document {}", self.document + 1),
        }
    }
}

/// Everything read from a file: the objects without errors, the documents
/// refused, and the issues of all documents.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LoadOutcome {
    pub objects: Vec<Loaded>,
    pub refused: Vec<Refused>,
    pub issues: Vec<Issue>,
}

impl LoadOutcome {
    pub fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }

    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
}

/// Reads every document of `src`.
pub fn load(src: &str, options: &LoadOptions) -> LoadOutcome {
    let mut out = LoadOutcome::default();
    let mut seen: BTreeMap<ObjectKey, usize> = BTreeMap::new();
    for doc in parse_documents(src) {
        let root = match doc.root {
            Ok(Some(root)) => root,
            Ok(None) => continue,
            Err(e) => {
                out.refused.push(Refused {
                    document: doc.index,
                    kind: None,
                    name: None,
                    errors: 1,
                });
                out.issues.push(Issue {
                    kind: IssueKind::Yaml(e.kind),
                    severity: Severity::Error,
                    document: doc.index,
                    path: String::new(),
                    span: e.span,
                    message: e.message,
                    hint: None,
                });
                continue;
            }
        };
        let mut cx = Cx::new(src, doc.index, options, doc.span);
        let object = decode_object(&root, &mut cx);
        let failed = cx.errors > 0;
        if failed {
            out.refused.push(Refused {
                document: doc.index,
                kind: root
                    .get("kind")
                    .and_then(Node::as_str)
                    .and_then(Kind::from_name),
                name: root
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Node::as_str)
                    .map(str::to_string),
                errors: cx.errors,
            });
        }
        out.issues.append(&mut cx.issues);
        let Some(object) = object.filter(|_| !failed) else {
            continue;
        };
        let key = object.key();
        if let Some(&earlier) = seen.get(&key) {
            out.issues.push(Issue {
                kind: IssueKind::DuplicateObject,
                severity: Severity::Warning,
                document: doc.index,
                path: "metadata.name".into(),
                span: root
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .map_or(Span::at(doc.span.start), |n| n.span),
                message: format!("{key} is also defined in document {}", earlier + 1),
                hint: Some("applying both replaces the first with the second".into()),
            });
        }
        seen.insert(key, doc.index);
        out.objects.push(Loaded {
            object,
            document: doc.index,
            span: doc.span,
        });
    }
    out
}

// ---------------------------------------------------------------------------
// The decoding context.

/// A step of a YAML path.
#[derive(Debug, Clone)]
enum Seg {
    Field(String),
    Index(usize),
}

/// Where decoding is and what it found.
struct Cx<'a> {
    src: &'a str,
    options: &'a LoadOptions,
    document: usize,
    issues: Vec<Issue>,
    errors: usize,
    path: Vec<Seg>,
    /// The key that introduced the value being decoded; "missing field"
    /// points there.
    key_span: Span,
    /// Inside free-form JSON (an AlertmanagerConfig's child routes): the
    /// API server checks nothing there.
    free_form: usize,
}

impl<'a> Cx<'a> {
    fn new(src: &'a str, document: usize, options: &'a LoadOptions, doc_span: Span) -> Self {
        Cx {
            src,
            options,
            document,
            issues: Vec::new(),
            errors: 0,
            path: Vec::new(),
            key_span: Span::at(doc_span.start),
            free_form: 0,
        }
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Field(f) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(f);
                }
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }

    fn push(
        &mut self,
        kind: IssueKind,
        severity: Severity,
        span: Span,
        message: String,
    ) -> &mut Issue {
        if severity == Severity::Error {
            self.errors += 1;
        }
        let path = self.path_string();
        self.issues.push(Issue {
            kind,
            severity,
            document: self.document,
            path,
            span,
            message,
            hint: None,
        });
        let last = self.issues.len() - 1;
        &mut self.issues[last]
    }

    fn error(&mut self, kind: IssueKind, span: Span, message: impl Into<String>) -> &mut Issue {
        self.push(kind, Severity::Error, span, message.into())
    }

    fn warn(&mut self, kind: IssueKind, span: Span, message: impl Into<String>) -> &mut Issue {
        self.push(kind, Severity::Warning, span, message.into())
    }

    /// Runs `f` one field deeper.
    fn field<R>(&mut self, name: &str, key_span: Span, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Field(name.to_string()));
        let saved = std::mem::replace(&mut self.key_span, key_span);
        let r = f(self);
        self.key_span = saved;
        self.path.pop();
        r
    }

    /// Runs `f` one list entry deeper.
    fn index<R>(&mut self, i: usize, span: Span, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Index(i));
        let saved = std::mem::replace(&mut self.key_span, span);
        let r = f(self);
        self.key_span = saved;
        self.path.pop();
        r
    }

    fn type_error(&mut self, node: &Node, expected: &'static str) {
        let found = node.value.type_name();
        // Numbers and booleans are shown as written: YAML reads `1.10` as
        // 1.1, which is the surprise worth showing.
        let written = self.written(node).trim();
        let shown = match &node.value {
            Value::Str(s) => Some(format!("{s:?}")),
            Value::Int(_) | Value::Float(_) | Value::Bool(_) if !written.is_empty() => {
                Some(written.to_string())
            }
            _ => scalar_text(node),
        };
        let message = match &shown {
            Some(text) => format!("expected {expected}, got {found} {text}"),
            None => format!("expected {expected}, got {found}"),
        };
        let span = node.span;
        let scalar = !matches!(node.value, Value::Str(_) | Value::Seq(_) | Value::Map(_));
        let issue = self.error(IssueKind::InvalidType { expected, found }, span, message);
        if expected == "string" && scalar {
            if let Some(text) = shown {
                issue.hint = Some(format!(
                    "YAML reads {text} as a {found}; quote it to make a string: \"{text}\""
                ));
            }
        }
    }

    /// The text of a plain scalar as written, when it is a simple one.
    fn written(&self, node: &Node) -> &'a str {
        node.span.slice(self.src)
    }
}

fn scalar_text(node: &Node) -> Option<String> {
    match &node.value {
        Value::Bool(b) => Some(b.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::Float(f) => Some(f.to_string()),
        Value::Str(s) => Some(format!("{s:?}")),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Values.

/// A value read from a YAML node. `None` means absent or null (the field
/// keeps its default) or an error already reported.
trait Decode: Sized {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self>;
}

impl Decode for String {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Str(s) => Some(s.clone()),
            Value::Null => None,
            _ => {
                cx.type_error(node, "string");
                None
            }
        }
    }
}

impl Decode for bool {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::Null => None,
            Value::Str(s) if s == "true" || s == "false" => {
                cx.type_error(node, "boolean");
                if let Some(last) = cx.issues.last_mut() {
                    last.hint = Some(format!("write {s} without quotes"));
                }
                None
            }
            _ => {
                cx.type_error(node, "boolean");
                None
            }
        }
    }
}

impl Decode for i64 {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Int(i) => match i64::try_from(*i) {
                Ok(v) => Some(v),
                Err(_) => {
                    cx.error(
                        IssueKind::InvalidValue,
                        node.span,
                        format!("{i} is out of range for a 64-bit integer"),
                    );
                    None
                }
            },
            Value::Null => None,
            _ => {
                cx.type_error(node, "integer");
                None
            }
        }
    }
}

impl Decode for u64 {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let v = i64::decode(node, cx)?;
        match u64::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                cx.error(
                    IssueKind::InvalidValue,
                    node.span,
                    format!("must be greater than or equal to 0, got {v}"),
                );
                None
            }
        }
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Seq(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, item)| cx.index(i, item.span, |cx| T::decode(item, cx)))
                    .collect(),
            ),
            Value::Null => None,
            _ => {
                cx.type_error(node, "array");
                None
            }
        }
    }
}

impl Decode for IntOrString {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        match &node.value {
            Value::Str(s) => Some(IntOrString::Str(s.clone())),
            Value::Int(_) => i64::decode(node, cx).map(IntOrString::Int),
            Value::Null => None,
            _ => {
                cx.type_error(node, "integer or string");
                None
            }
        }
    }
}

impl Decode for Duration {
    fn decode(node: &Node, cx: &mut Cx) -> Option<Self> {
        let text = match &node.value {
            Value::Str(s) => s.clone(),
            Value::Null => return None,
            Value::Int(i) => {
                let issue = cx.error(
                    IssueKind::InvalidDuration,
                    node.span,
                    format!("invalid duration {i}: a number needs a unit"),
                );
                issue.hint = Some(format!(
                    "durations are a number and a unit (ms, s, m, h, d, w, y), e.g. {i}s"
                ));
                return None;
            }
            _ => {
                cx.type_error(node, "duration string");
                return None;
            }
        };
        // The CRDs' pattern accepts the empty string; the operator treats
        // it as unset.
        if text.is_empty() {
            return None;
        }
        match parse_duration(&text) {
            Ok(millis) => Some(Duration { text, millis }),
            Err(_) => {
                let issue = cx.error(
                    IssueKind::InvalidDuration,
                    node.span,
                    format!("invalid duration {text:?}"),
                );
                issue.hint = Some(
                    "expected numbers with units from largest to smallest, each unit once: ms, s, m, h, d, w, y (e.g. 30s, 1h30m)"
                        .into(),
                );
                None
            }
        }
    }
}

/// A string from a closed set, spelled exactly.
fn enum_value<E: Copy>(
    node: &Node,
    cx: &mut Cx,
    all: &[E],
    name: fn(E) -> &'static str,
) -> Option<E> {
    let text = String::decode(node, cx)?;
    if let Some(e) = all.iter().copied().find(|e| name(*e) == text) {
        return Some(e);
    }
    let names: Vec<&str> = all.iter().map(|e| name(*e)).collect();
    let suggestion = suggest(&text, &names);
    let message = match suggestion {
        Some(s) => format!("unsupported value {text:?}: did you mean {s:?}?"),
        None => format!("unsupported value {text:?}"),
    };
    let list = names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    cx.error(IssueKind::InvalidValue, node.span, message).hint =
        Some(format!("supported values: {list}"));
    None
}

/// The name in `known` that `typo` probably means: the same letters
/// ignoring case, `_` and `-`, or the closest by edit distance (a swap of
/// neighbours counting as one edit) when close
/// enough.
pub fn suggest<'k>(typo: &str, known: &[&'k str]) -> Option<&'k str> {
    let squash = |s: &str| {
        s.chars()
            .filter(|c| *c != '_' && *c != '-')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let t = squash(typo);
    if let Some(k) = known.iter().find(|k| squash(k) == t) {
        return Some(k);
    }
    let limit = (typo.chars().count() / 4).max(1);
    known
        .iter()
        .map(|k| (strsim::osa_distance(&t, &squash(k)), *k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

// ---------------------------------------------------------------------------
// Objects.

/// How a field the lab does not model is treated.
#[derive(Clone, Copy, PartialEq)]
enum Known {
    /// Read into the struct.
    Modelled,
    /// Accepted with a warning: it has no effect in the lab.
    Unmodelled,
    /// Accepted silently (server-set metadata, `status`).
    Silent,
}

/// A mapping being read field by field; [`Obj::finish`] reports the keys
/// no one asked for.
struct Obj<'n> {
    entries: &'n [(Node, Node)],
    used: Vec<bool>,
    known: Vec<(&'static str, Known, Option<&'static str>)>,
    /// Where "missing field" points: the key that introduced the mapping.
    anchor: Span,
}

impl<'n> Obj<'n> {
    /// `None` for null (the caller decides whether that is allowed) and
    /// for a non-mapping (reported).
    fn open(node: &'n Node, cx: &mut Cx) -> Option<Obj<'n>> {
        match &node.value {
            Value::Map(entries) => Some(Obj {
                entries,
                used: vec![false; entries.len()],
                known: Vec::new(),
                anchor: cx.key_span,
            }),
            Value::Null => None,
            _ => {
                cx.type_error(node, "object");
                None
            }
        }
    }

    fn find(
        &mut self,
        name: &'static str,
        how: Known,
        default: Option<&'static str>,
    ) -> Option<&'n (Node, Node)> {
        self.known.push((name, how, default));
        let i = self
            .entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(name))?;
        self.used[i] = true;
        self.entries.get(i)
    }

    /// An optional field.
    fn get<T: Decode>(&mut self, cx: &mut Cx, name: &'static str) -> Option<T> {
        let (k, v) = self.find(name, Known::Modelled, None)?;
        cx.field(name, k.span, |cx| T::decode(v, cx))
    }

    /// An optional field whose default a hint can name when a typo left it
    /// unset.
    fn get_or<T: Decode>(
        &mut self,
        cx: &mut Cx,
        name: &'static str,
        default: &'static str,
    ) -> Option<T> {
        let (k, v) = self.find(name, Known::Modelled, Some(default))?;
        cx.field(name, k.span, |cx| T::decode(v, cx))
    }

    /// An optional field read by `f`.
    fn with<T>(
        &mut self,
        cx: &mut Cx,
        name: &'static str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let (k, v) = self.find(name, Known::Modelled, None)?;
        cx.field(name, k.span, |cx| f(v, cx))
    }

    /// A field that must be there (and not null).
    fn req<T: Decode>(&mut self, cx: &mut Cx, name: &'static str) -> Option<T> {
        self.req_with(cx, name, T::decode)
    }

    fn req_with<T>(
        &mut self,
        cx: &mut Cx,
        name: &'static str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let errors = cx.errors;
        let found = self.with(cx, name, f);
        if found.is_none() && cx.errors == errors {
            let anchor = self.anchor;
            cx.field(name, anchor, |cx| {
                cx.error(
                    IssueKind::MissingField,
                    anchor,
                    format!("required field {name:?} is missing"),
                );
            });
        }
        found
    }

    /// Fields of the API that the lab does not model.
    fn unmodelled(&mut self, cx: &mut Cx, names: &[&'static str]) {
        for &name in names {
            if let Some((k, _)) = self.find(name, Known::Unmodelled, None) {
                if cx.free_form == 0 {
                    cx.field(name, k.span, |cx| {
                        cx.warn(
                            IssueKind::UnmodelledField,
                            k.span,
                            format!("the lab does not model {name:?}; it has no effect here"),
                        );
                    });
                }
            }
        }
    }

    /// Fields accepted without a word.
    fn silent(&mut self, names: &[&'static str]) {
        for &name in names {
            self.find(name, Known::Silent, None);
        }
    }

    /// Reports every key no one asked for.
    fn finish(self, cx: &mut Cx) {
        let names: Vec<&str> = self.known.iter().map(|(n, _, _)| *n).collect();
        for (i, (k, _)) in self.entries.iter().enumerate() {
            if self.used[i] {
                continue;
            }
            let Some(key) = k.key_text() else {
                cx.error(
                    IssueKind::InvalidType {
                        expected: "string",
                        found: k.value.type_name(),
                    },
                    k.span,
                    "a key must be a string",
                );
                continue;
            };
            let suggestion = suggest(&key, &names);
            let default = suggestion.and_then(|s| {
                self.known
                    .iter()
                    .find(|(n, _, _)| *n == s)
                    .and_then(|(_, _, d)| *d)
            });
            report_unknown(cx, &key, k.span, suggestion, default);
        }
    }
}

fn report_unknown(
    cx: &mut Cx,
    key: &str,
    span: Span,
    suggestion: Option<&str>,
    default: Option<&str>,
) {
    let message = match suggestion {
        Some(s) => format!("unknown field {key:?}: did you mean {s:?}?"),
        None => format!("unknown field {key:?}"),
    };
    let kind = IssueKind::UnknownField {
        suggestion: suggestion.map(str::to_string),
    };
    let consequence = match (suggestion, default) {
        (Some(s), Some(d)) => format!("{s:?} stays unset: {d}"),
        (Some(s), None) => format!("{s:?} stays unset"),
        (None, _) => "the field has no effect".to_string(),
    };
    cx.field(key, span, |cx| {
        if cx.free_form > 0 {
            cx.warn(kind, span, message).hint = Some(format!(
                "the API server does not check child routes (they are free-form JSON); the operator ignores the field, so {consequence}"
            ));
            return;
        }
        match cx.options.validation {
            FieldValidation::Strict => {
                cx.error(kind, span, message).hint = Some(format!(
                    "kubectl apply (strict by default) refuses the object; with --validate=warn or --validate=false the API server drops {key:?} instead, and {consequence}"
                ));
            }
            FieldValidation::Warn => {
                cx.warn(kind, span, message).hint = Some(format!(
                    "the API server drops {key:?}, so {consequence}"
                ));
            }
            FieldValidation::Ignore => {}
        }
    });
}

/// Reads a whole document.
fn decode_object(root: &Node, cx: &mut Cx) -> Option<Object> {
    let Value::Map(_) = &root.value else {
        cx.error(
            IssueKind::NotAnObject,
            root.span,
            format!(
                "a manifest must be an object with apiVersion and kind, got {}",
                root.value.type_name()
            ),
        );
        return None;
    };
    let mut o = Obj::open(root, cx)?;
    let api_version: Option<String> = o.req(cx, "apiVersion");
    let kind_text: Option<String> = o.req(cx, "kind");
    let (Some(api_version), Some(kind_text)) = (api_version, kind_text) else {
        return None;
    };
    let kind_span = root.get("kind").map_or(root.span, |n| n.span);
    let version_span = root.get("apiVersion").map_or(root.span, |n| n.span);
    let Some(kind) = Kind::from_name(&kind_text) else {
        let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        let message = format!("no matches for kind {kind_text:?} in version {api_version:?}");
        let issue = cx.error(IssueKind::UnknownKind, kind_span, message);
        issue.path = "kind".into();
        issue.hint = Some(match suggest(&kind_text, &names) {
            Some(s) => format!("did you mean {s:?}? kinds are case-sensitive"),
            None => format!("the lab reads {}", names.join(", ")),
        });
        return None;
    };
    if api_version != kind.api_version() {
        let message = format!("no matches for kind {kind_text:?} in version {api_version:?}");
        let also = if kind.other_versions().contains(&api_version.as_str()) {
            " (the API also serves it in this version, which the lab does not read)"
        } else {
            ""
        };
        let issue = cx.error(IssueKind::UnsupportedVersion, version_span, message);
        issue.path = "apiVersion".into();
        issue.hint = Some(format!(
            "{kind} is apiVersion: {}{also}",
            kind.api_version()
        ));
        return None;
    }
    let metadata = o.req_with(cx, "metadata", |n, cx| decode_meta(n, cx, kind));
    let object = match kind {
        Kind::Namespace => {
            o.silent(&["spec", "status"]);
            metadata.map(|metadata| Object::Namespace(Namespace { metadata }))
        }
        Kind::Pod => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_pod_spec);
            metadata.zip(spec).map(|(metadata, spec)| {
                Object::Pod(Pod {
                    metadata,
                    spec,
                    status: PodStatus::default(),
                    owner: None,
                })
            })
        }
        Kind::Deployment => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_deployment_spec);
            metadata
                .zip(spec)
                .map(|(metadata, (replicas, selector, template))| {
                    Object::Deployment(Deployment {
                        metadata,
                        replicas,
                        selector,
                        template,
                    })
                })
        }
        Kind::Service => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_service_spec);
            metadata.zip(spec).map(|(metadata, mut s)| {
                s.metadata = metadata;
                Object::Service(s)
            })
        }
        Kind::ServiceMonitor => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_service_monitor_spec);
            metadata.zip(spec).map(|(metadata, mut s)| {
                s.metadata = metadata;
                Object::ServiceMonitor(s)
            })
        }
        Kind::PodMonitor => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_pod_monitor_spec);
            metadata.zip(spec).map(|(metadata, mut s)| {
                s.metadata = metadata;
                Object::PodMonitor(s)
            })
        }
        Kind::PrometheusRule => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_rule_spec);
            metadata.zip(spec).map(|(metadata, groups)| {
                Object::PrometheusRule(PrometheusRule { metadata, groups })
            })
        }
        Kind::Prometheus => {
            o.silent(&["status"]);
            let spec = o
                .with(cx, "spec", decode_prometheus_spec)
                .unwrap_or_default();
            metadata.map(|metadata| Object::Prometheus(Prometheus { metadata, ..spec }))
        }
        Kind::Alertmanager => {
            o.silent(&["status"]);
            let spec = o
                .with(cx, "spec", decode_alertmanager_spec)
                .unwrap_or_default();
            metadata.map(|metadata| Object::Alertmanager(Alertmanager { metadata, ..spec }))
        }
        Kind::AlertmanagerConfig => {
            o.silent(&["status"]);
            let spec = o.req_with(cx, "spec", decode_alertmanager_config_spec);
            metadata.zip(spec).map(|(metadata, s)| {
                Object::AlertmanagerConfig(AlertmanagerConfig { metadata, ..s })
            })
        }
    };
    o.finish(cx);
    object
}

// ---------------------------------------------------------------------------
// Metadata, names and labels.

fn decode_meta(node: &Node, cx: &mut Cx, kind: Kind) -> Option<ObjectMeta> {
    let mut o = Obj::open(node, cx)?;
    let name = o.req_with(cx, "name", |n, cx| {
        let name = String::decode(n, cx)?;
        check_object_name(&name, n.span, cx, kind).then_some(name)
    });
    let namespace = o.with(cx, "namespace", |n, cx| {
        let ns = String::decode(n, cx)?;
        check_dns_label(&ns, n.span, cx, "a namespace name").then_some(ns)
    });
    let labels = o.with(cx, "labels", decode_labels).unwrap_or_default();
    let annotations = o
        .with(cx, "annotations", decode_annotations)
        .unwrap_or_default();
    let uid = o.get::<String>(cx, "uid");
    o.silent(&[
        "generateName",
        "creationTimestamp",
        "resourceVersion",
        "generation",
        "managedFields",
        "ownerReferences",
        "finalizers",
        "selfLink",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ]);
    o.finish(cx);
    let namespace = if kind.namespaced() {
        namespace.unwrap_or_else(|| cx.options.namespace.clone())
    } else {
        String::new()
    };
    Some(ObjectMeta {
        name: name?,
        namespace,
        labels,
        annotations,
        uid,
    })
}

const DNS1123_LABEL: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc')";
const DNS1123_SUBDOMAIN: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";
const DNS1035_LABEL: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123')";

fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

fn check_dns_label(s: &str, span: Span, cx: &mut Cx, what: &str) -> bool {
    if is_dns_label(s) {
        return true;
    }
    cx.error(
        IssueKind::InvalidName,
        span,
        format!("{s:?} is not valid as {what}: {DNS1123_LABEL}"),
    );
    false
}

fn check_object_name(name: &str, span: Span, cx: &mut Cx, kind: Kind) -> bool {
    let (ok, rule) = match kind {
        Kind::Namespace => (is_dns_label(name), DNS1123_LABEL),
        Kind::Service => (
            is_dns_label(name) && name.starts_with(|c: char| c.is_ascii_lowercase()),
            DNS1035_LABEL,
        ),
        _ => (is_dns_subdomain(name), DNS1123_SUBDOMAIN),
    };
    if !ok {
        cx.error(
            IssueKind::InvalidName,
            span,
            format!("invalid {kind} name {name:?}: {rule}"),
        );
    }
    ok
}

/// A label key: an optional DNS subdomain prefix and `/`, then a name of
/// at most 63 alphanumerics, `-`, `_`, `.`, starting and ending with an
/// alphanumeric.
fn label_key_error(key: &str) -> Option<String> {
    let (prefix, name) = match key.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if !is_dns_subdomain(p) {
            return Some(format!(
                "the prefix {p:?} of label key {key:?} must be a DNS subdomain: {DNS1123_SUBDOMAIN}"
            ));
        }
    }
    if name.is_empty() || name.len() > 63 || !is_label_value(name) {
        return Some(format!(
            "invalid label key {key:?}: a name must be 63 characters or less, consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character"
        ));
    }
    None
}

fn is_label_value(v: &str) -> bool {
    let b = v.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// Checks a key and value of a map: `Some((on_key, message))` for a
/// problem with the key (`on_key`) or the value.
type EntryCheck = dyn Fn(&str, &str) -> Option<(bool, String)>;

/// A string-to-string map, each entry checked by `check`.
fn decode_string_map(node: &Node, cx: &mut Cx, check: &EntryCheck) -> Option<StringMap> {
    let entries = match &node.value {
        Value::Map(entries) => entries,
        Value::Null => return None,
        _ => {
            cx.type_error(node, "object");
            return None;
        }
    };
    let mut map = StringMap::new();
    for (k, v) in entries {
        let Some(key) = k.key_text() else {
            cx.type_error(k, "string");
            continue;
        };
        cx.field(&key, k.span, |cx| {
            let value = match &v.value {
                Value::Str(s) => s.clone(),
                // `key:` with nothing is an empty string in a label map
                // only after JSON conversion turned null into "".
                Value::Null => String::new(),
                _ => {
                    cx.type_error(v, "string");
                    return;
                }
            };
            if let Some((on_key, message)) = check(&key, &value) {
                let span = if on_key { k.span } else { v.span };
                cx.error(IssueKind::InvalidLabel, span, message);
                return;
            }
            map.insert(key.clone(), value);
        });
    }
    Some(map)
}

fn decode_labels(node: &Node, cx: &mut Cx) -> Option<StringMap> {
    decode_string_map(node, cx, &|k, v| {
        if let Some(e) = label_key_error(k) {
            return Some((true, e));
        }
        (!is_label_value(v)).then(|| {
            (
                false,
                format!("invalid label value {v:?}: a label value must be 63 characters or less, empty or consist of alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric character"),
            )
        })
    })
}

fn decode_annotations(node: &Node, cx: &mut Cx) -> Option<StringMap> {
    decode_string_map(node, cx, &|k, _| {
        label_key_error(k).map(|e| (true, e.replace("label key", "annotation key")))
    })
}

/// A map of strings with no checks on keys (Prometheus label names and
/// values in rules and external labels).
fn decode_plain_map(node: &Node, cx: &mut Cx) -> Option<StringMap> {
    decode_string_map(node, cx, &|_, _| None)
}

fn decode_selector(node: &Node, cx: &mut Cx) -> Option<LabelSelector> {
    // Null is "no selector"; `{}` selects everything.
    let mut o = Obj::open(node, cx)?;
    let match_labels = o.with(cx, "matchLabels", decode_labels).unwrap_or_default();
    let match_expressions = o
        .with(cx, "matchExpressions", |n, cx| {
            decode_list(n, cx, decode_requirement)
        })
        .unwrap_or_default();
    o.finish(cx);
    Some(LabelSelector {
        match_labels,
        match_expressions,
    })
}

/// A list whose entries are read by `f`.
fn decode_list<T>(node: &Node, cx: &mut Cx, f: fn(&Node, &mut Cx) -> Option<T>) -> Option<Vec<T>> {
    match &node.value {
        Value::Seq(items) => Some(
            items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| cx.index(i, item.span, |cx| f(item, cx)))
                .collect(),
        ),
        Value::Null => None,
        _ => {
            cx.type_error(node, "array");
            None
        }
    }
}

fn decode_requirement(node: &Node, cx: &mut Cx) -> Option<LabelSelectorRequirement> {
    let mut o = Obj::open(node, cx)?;
    let key = o.req_with(cx, "key", |n, cx| {
        let key = String::decode(n, cx)?;
        if let Some(e) = label_key_error(&key) {
            cx.error(IssueKind::InvalidSelector, n.span, e);
            return None;
        }
        Some(key)
    });
    let operator = o.req_with(cx, "operator", |n, cx| {
        enum_value(n, cx, &SelectorOperator::ALL, SelectorOperator::as_str)
    });
    let values_node = node.get("values");
    let values: Vec<String> = o.get(cx, "values").unwrap_or_default();
    o.finish(cx);
    let operator = operator?;
    let span = values_node.map_or(node.span, |v| v.span);
    match operator {
        SelectorOperator::In | SelectorOperator::NotIn if values.is_empty() => {
            cx.field("values", span, |cx| {
                cx.error(
                    IssueKind::InvalidSelector,
                    span,
                    format!(
                        "values must be non-empty when operator is {}",
                        operator.as_str()
                    ),
                )
                .hint = Some("In and NotIn compare the label with a list of values".into());
            });
            None
        }
        SelectorOperator::Exists | SelectorOperator::DoesNotExist if !values.is_empty() => {
            cx.field("values", span, |cx| {
                cx.error(
                    IssueKind::InvalidSelector,
                    span,
                    format!(
                        "values must be empty when operator is {}",
                        operator.as_str()
                    ),
                )
                .hint =
                    Some("Exists and DoesNotExist only look at whether the label is there".into());
            });
            None
        }
        _ => {
            for v in &values {
                if !is_label_value(v) {
                    cx.error(
                        IssueKind::InvalidSelector,
                        span,
                        format!("invalid label value {v:?} in a selector"),
                    );
                    return None;
                }
            }
            Some(LabelSelectorRequirement {
                key: key?,
                operator,
                values,
            })
        }
    }
}

// ---------------------------------------------------------------------------
// Core objects.

const CONTAINER_UNMODELLED: &[&str] = &[
    "command",
    "args",
    "env",
    "envFrom",
    "resources",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "imagePullPolicy",
    "securityContext",
    "workingDir",
    "stdin",
    "stdinOnce",
    "tty",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "resizePolicy",
    "restartPolicy",
];

const POD_SPEC_UNMODELLED: &[&str] = &[
    "volumes",
    "initContainers",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "dnsConfig",
    "nodeSelector",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "hostPID",
    "hostIPC",
    "shareProcessNamespace",
    "securityContext",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "readinessGates",
    "runtimeClassName",
    "enableServiceLinks",
    "preemptionPolicy",
    "overhead",
    "topologySpreadConstraints",
    "os",
    "hostUsers",
    "schedulingGates",
    "resourceClaims",
];

fn decode_container(node: &Node, cx: &mut Cx) -> Option<Container> {
    let mut o = Obj::open(node, cx)?;
    let name = o.req_with(cx, "name", |n, cx| {
        let name = String::decode(n, cx)?;
        check_dns_label(&name, n.span, cx, "a container name").then_some(name)
    });
    let image = o.req::<String>(cx, "image");
    let ports = o
        .with(cx, "ports", |n, cx| {
            decode_list(n, cx, decode_container_port)
        })
        .unwrap_or_default();
    o.unmodelled(cx, CONTAINER_UNMODELLED);
    o.finish(cx);
    Some(Container {
        name: name?,
        image: image?,
        ports,
    })
}

/// A port name: an IANA service name, at most 15 lowercase alphanumerics
/// and `-`, with a letter, no `--` and no `-` at either end.
fn port_name(node: &Node, cx: &mut Cx) -> Option<String> {
    let name = String::decode(node, cx)?;
    let b = name.as_bytes();
    let ok = !b.is_empty()
        && b.len() <= 15
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b.iter().any(|c| c.is_ascii_lowercase())
        && !name.contains("--")
        && b[0] != b'-'
        && b[b.len() - 1] != b'-';
    if !ok {
        cx.error(
            IssueKind::InvalidName,
            node.span,
            format!("invalid port name {name:?}: it must be at most 15 lower case alphanumeric characters or '-', contain a letter, and neither start, end nor have '--'"),
        );
        return None;
    }
    Some(name)
}

fn port_number(node: &Node, cx: &mut Cx) -> Option<i64> {
    let n = i64::decode(node, cx)?;
    if !(1..=65535).contains(&n) {
        cx.error(
            IssueKind::InvalidValue,
            node.span,
            format!("port {n} is out of range: must be between 1 and 65535, inclusive"),
        );
        return None;
    }
    Some(n)
}

fn protocol(node: &Node, cx: &mut Cx) -> Option<Protocol> {
    enum_value(node, cx, &Protocol::ALL, Protocol::as_str)
}

fn decode_container_port(node: &Node, cx: &mut Cx) -> Option<ContainerPort> {
    let mut o = Obj::open(node, cx)?;
    let name = o.with(cx, "name", port_name);
    let container_port = o.req_with(cx, "containerPort", port_number);
    let protocol = o.with(cx, "protocol", protocol).unwrap_or_default();
    o.unmodelled(cx, &["hostPort", "hostIP"]);
    o.finish(cx);
    Some(ContainerPort {
        name,
        container_port: container_port?,
        protocol,
    })
}

fn decode_pod_spec(node: &Node, cx: &mut Cx) -> Option<PodSpec> {
    let mut o = Obj::open(node, cx)?;
    let containers = o.req_with(cx, "containers", |n, cx| {
        let list = decode_list(n, cx, decode_container)?;
        if list.is_empty() && matches!(n.value, Value::Seq(ref s) if s.is_empty()) {
            cx.error(
                IssueKind::MissingField,
                n.span,
                "a pod needs at least one container",
            );
            return None;
        }
        Some(list)
    });
    let node_name = o.get::<String>(cx, "nodeName");
    let host_network = o.get::<bool>(cx, "hostNetwork").unwrap_or(false);
    o.unmodelled(cx, POD_SPEC_UNMODELLED);
    o.finish(cx);
    if let Some(containers) = &containers {
        let mut names = HashSet::new();
        let mut ports = HashSet::new();
        for c in containers {
            if !names.insert(c.name.as_str()) {
                cx.error(
                    IssueKind::Duplicate,
                    node.span,
                    format!("container name {:?} is used twice", c.name),
                );
            }
            for p in c.ports.iter().filter_map(|p| p.name.as_deref()) {
                if !ports.insert(p) {
                    cx.error(
                        IssueKind::Duplicate,
                        node.span,
                        format!("container port name {p:?} is used twice in the pod"),
                    );
                }
            }
        }
    }
    Some(PodSpec {
        containers: containers?,
        node_name,
        host_network,
    })
}

fn decode_deployment_spec(node: &Node, cx: &mut Cx) -> Option<(i64, LabelSelector, PodTemplate)> {
    let mut o = Obj::open(node, cx)?;
    let replicas = o
        .with(cx, "replicas", |n, cx| {
            let r = i64::decode(n, cx)?;
            if r < 0 {
                cx.error(
                    IssueKind::InvalidValue,
                    n.span,
                    format!("replicas must be greater than or equal to 0, got {r}"),
                );
                return None;
            }
            Some(r)
        })
        .unwrap_or(1);
    let selector = o.req_with(cx, "selector", decode_selector);
    let template = o.req_with(cx, "template", decode_pod_template);
    o.unmodelled(
        cx,
        &[
            "strategy",
            "minReadySeconds",
            "revisionHistoryLimit",
            "progressDeadlineSeconds",
            "paused",
        ],
    );
    o.finish(cx);
    let (selector, template) = (selector?, template?);
    if selector.is_empty() {
        cx.field("selector", node.span, |cx| {
            cx.error(
                IssueKind::InvalidSelector,
                node.get("selector").map_or(node.span, |s| s.span),
                "a Deployment's selector must not be empty",
            );
        });
        return None;
    }
    if !super::select::matches_labels(&selector, &template.labels) {
        let span = node
            .get("template")
            .and_then(|t| t.get("metadata"))
            .and_then(|m| m.get("labels"))
            .map_or(node.span, |l| l.span);
        cx.field("template", span, |cx| {
            cx.field("metadata", span, |cx| {
                cx.field("labels", span, |cx| {
                    cx.error(
                        IssueKind::InvalidSelector,
                        span,
                        "`selector` does not match template `labels`",
                    )
                    .hint = Some(
                        "the Deployment would not find its own pods: every matchLabels entry must be a template label".into(),
                    );
                });
            });
        });
        return None;
    }
    Some((replicas, selector, template))
}

fn decode_pod_template(node: &Node, cx: &mut Cx) -> Option<PodTemplate> {
    let mut o = Obj::open(node, cx)?;
    let meta = o.with(cx, "metadata", |n, cx| {
        let mut m = Obj::open(n, cx)?;
        let labels = m.with(cx, "labels", decode_labels).unwrap_or_default();
        let annotations = m
            .with(cx, "annotations", decode_annotations)
            .unwrap_or_default();
        m.silent(&["name", "namespace", "creationTimestamp", "generateName"]);
        m.finish(cx);
        Some((labels, annotations))
    });
    let spec = o.req_with(cx, "spec", decode_pod_spec);
    o.finish(cx);
    let (labels, annotations) = meta.unwrap_or_default();
    Some(PodTemplate {
        labels,
        annotations,
        spec: spec?,
    })
}

fn decode_service_spec(node: &Node, cx: &mut Cx) -> Option<Service> {
    let mut o = Obj::open(node, cx)?;
    let selector = o.with(cx, "selector", decode_labels);
    let ports = o
        .with(cx, "ports", |n, cx| decode_list(n, cx, decode_service_port))
        .unwrap_or_default();
    let type_ = o
        .with(cx, "type", |n, cx| {
            enum_value(n, cx, &ServiceType::ALL, ServiceType::as_str)
        })
        .unwrap_or_default();
    let cluster_ip = o.get::<String>(cx, "clusterIP");
    o.unmodelled(
        cx,
        &[
            "clusterIPs",
            "externalIPs",
            "sessionAffinity",
            "sessionAffinityConfig",
            "loadBalancerIP",
            "loadBalancerSourceRanges",
            "loadBalancerClass",
            "externalName",
            "externalTrafficPolicy",
            "internalTrafficPolicy",
            "healthCheckNodePort",
            "publishNotReadyAddresses",
            "ipFamilies",
            "ipFamilyPolicy",
            "allocateLoadBalancerNodePorts",
            "trafficDistribution",
        ],
    );
    o.finish(cx);
    if ports.len() > 1 {
        let mut names = HashSet::new();
        for (i, p) in ports.iter().enumerate() {
            let span = match node.get("ports").map(|n| &n.value) {
                Some(Value::Seq(items)) => items.get(i).map_or(node.span, |n| n.span),
                _ => node.span,
            };
            match &p.name {
                None => {
                    cx.field("ports", span, |cx| {
                        cx.index(i, span, |cx| {
                            cx.error(
                                IssueKind::MissingField,
                                span,
                                "a port needs a name when a Service has more than one",
                            );
                        })
                    });
                }
                Some(n) if !names.insert(n.clone()) => {
                    cx.field("ports", span, |cx| {
                        cx.index(i, span, |cx| {
                            cx.error(
                                IssueKind::Duplicate,
                                span,
                                format!("port name {n:?} is used twice"),
                            );
                        })
                    });
                }
                Some(_) => {}
            }
        }
    }
    Some(Service {
        metadata: ObjectMeta::default(),
        selector,
        ports,
        type_,
        cluster_ip,
    })
}

fn decode_service_port(node: &Node, cx: &mut Cx) -> Option<ServicePort> {
    let mut o = Obj::open(node, cx)?;
    let name = o.with(cx, "name", port_name);
    let protocol = o.with(cx, "protocol", protocol).unwrap_or_default();
    let port = o.req_with(cx, "port", port_number);
    let target_port = o.with(cx, "targetPort", |n, cx| {
        let t = IntOrString::decode(n, cx)?;
        match &t {
            IntOrString::Int(_) => port_number(n, cx).map(IntOrString::Int),
            IntOrString::Str(_) => port_name(n, cx).map(IntOrString::Str),
        }
    });
    o.unmodelled(cx, &["nodePort", "appProtocol"]);
    o.finish(cx);
    Some(ServicePort {
        name,
        protocol,
        port: port?,
        target_port,
    })
}

// ---------------------------------------------------------------------------
// monitoring.coreos.com/v1

fn decode_namespace_selector(node: &Node, cx: &mut Cx) -> Option<NamespaceSelector> {
    let mut o = Obj::open(node, cx)?;
    let any = o.get::<bool>(cx, "any").unwrap_or(false);
    let match_names = o.get::<Vec<String>>(cx, "matchNames").unwrap_or_default();
    o.finish(cx);
    Some(NamespaceSelector { any, match_names })
}

fn scheme(node: &Node, cx: &mut Cx) -> Option<Scheme> {
    let text = String::decode(node, cx)?;
    match text.as_str() {
        "http" | "HTTP" => Some(Scheme::Http),
        "https" | "HTTPS" => Some(Scheme::Https),
        _ => {
            cx.error(
                IssueKind::InvalidValue,
                node.span,
                format!("unsupported value {text:?}"),
            )
            .hint = Some(r#"supported values: "http", "https", "HTTP", "HTTPS""#.into());
            None
        }
    }
}

const RELABEL_ACTIONS: &[&str] = &[
    "replace",
    "Replace",
    "keep",
    "Keep",
    "drop",
    "Drop",
    "hashmod",
    "HashMod",
    "labelmap",
    "LabelMap",
    "labeldrop",
    "LabelDrop",
    "labelkeep",
    "LabelKeep",
    "lowercase",
    "Lowercase",
    "uppercase",
    "Uppercase",
    "keepequal",
    "KeepEqual",
    "dropequal",
    "DropEqual",
];

fn decode_relabel(node: &Node, cx: &mut Cx) -> Option<RelabelRule> {
    let errors = cx.errors;
    let mut o = Obj::open(node, cx)?;
    let source_labels = o.get::<Vec<String>>(cx, "sourceLabels").unwrap_or_default();
    let separator = o.get::<String>(cx, "separator");
    let target_label = o.get::<String>(cx, "targetLabel");
    let regex = o.with(cx, "regex", |n, cx| {
        let r = String::decode(n, cx)?;
        if let Err(e) = Regexp::new(&r) {
            cx.error(IssueKind::InvalidRegex, n.span, e.to_string());
            return None;
        }
        Some(r)
    });
    let modulus = o.get::<u64>(cx, "modulus");
    let replacement = o.get::<String>(cx, "replacement");
    let action = o.with(cx, "action", |n, cx| {
        let text = String::decode(n, cx)?;
        if RELABEL_ACTIONS.contains(&text.as_str()) {
            return Action::from_name(&text);
        }
        let message = match suggest(&text, RELABEL_ACTIONS) {
            Some(s) => format!("unsupported value {text:?}: did you mean {s:?}?"),
            None => format!("unsupported value {text:?}"),
        };
        cx.error(IssueKind::InvalidValue, n.span, message).hint = Some(
            "actions are replace, keep, drop, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase, keepequal, dropequal (or capitalised: Replace, HashMod, …)".into(),
        );
        None
    });
    o.finish(cx);
    let rule = RelabelRule {
        source_labels,
        separator,
        target_label,
        regex,
        modulus,
        replacement,
        action,
    };
    // The operator checks each rule as Prometheus would load it; a rule
    // with a field already refused is not checked again.
    if cx.errors > errors {
        return None;
    }
    if let Ok(cfg) = rule.to_relabel_config() {
        if let Err(kind) = cfg.validate() {
            cx.error(
                IssueKind::InvalidRelabel(kind.clone()),
                node.span,
                kind.to_string(),
            );
            return None;
        }
    }
    Some(rule)
}

impl RelabelRule {
    /// The rule as Prometheus reads it, unset fields defaulted.
    pub fn to_relabel_config(&self) -> Result<RelabelConfig, crate::regexp::RegexError> {
        let mut cfg = RelabelConfig {
            source_labels: self.source_labels.clone(),
            ..RelabelConfig::default()
        };
        if let Some(s) = &self.separator {
            cfg.separator = s.clone();
        }
        if let Some(t) = &self.target_label {
            cfg.target_label = t.clone();
        }
        if let Some(r) = &self.regex {
            cfg.regex = Regexp::new(r)?;
        } else {
            cfg.regex = Regexp::new(DEFAULT_REGEX)?;
        }
        if let Some(m) = self.modulus {
            cfg.modulus = m;
        }
        if let Some(r) = &self.replacement {
            cfg.replacement = r.clone();
        }
        if let Some(a) = self.action {
            cfg.action = a;
        }
        Ok(cfg)
    }
}

const ENDPOINT_UNMODELLED: &[&str] = &[
    "tlsConfig",
    "bearerTokenFile",
    "bearerTokenSecret",
    "authorization",
    "basicAuth",
    "oauth2",
    "trackTimestampsStaleness",
    "proxyUrl",
    "noProxy",
    "proxyFromEnvironment",
    "proxyConnectHeader",
    "followRedirects",
    "enableHttp2",
];

fn decode_scrape_endpoint(o: &mut Obj, cx: &mut Cx) -> ScrapeEndpoint {
    let path = o.get_or::<String>(cx, "path", "the metrics path is /metrics");
    let scheme = o.with(cx, "scheme", scheme);
    let params = o
        .with(cx, "params", |n, cx| {
            let Value::Map(entries) = &n.value else {
                if !matches!(n.value, Value::Null) {
                    cx.type_error(n, "object");
                }
                return None;
            };
            let mut map = BTreeMap::new();
            for (k, v) in entries {
                let key = k.key_text().unwrap_or_default();
                if let Some(vs) = cx.field(&key, k.span, |cx| Vec::<String>::decode(v, cx)) {
                    map.insert(key, vs);
                }
            }
            Some(map)
        })
        .unwrap_or_default();
    let interval = o.get_or::<Duration>(
        cx,
        "interval",
        "the target is scraped at the Prometheus resource's scrapeInterval (30s unless it sets one)",
    );
    let scrape_timeout = o.get_or::<Duration>(
        cx,
        "scrapeTimeout",
        "Prometheus's scrape_timeout applies (10s, at most the interval)",
    );
    let honor_labels = o
        .get_or::<bool>(
            cx,
            "honorLabels",
            "false: the target's own job, instance, … labels are renamed exported_*",
        )
        .unwrap_or(false);
    let honor_timestamps = o.get::<bool>(cx, "honorTimestamps");
    let relabelings = o
        .with(cx, "relabelings", |n, cx| {
            decode_list(n, cx, decode_relabel)
        })
        .unwrap_or_default();
    let metric_relabelings = o
        .with(cx, "metricRelabelings", |n, cx| {
            decode_list(n, cx, decode_relabel)
        })
        .unwrap_or_default();
    let filter_running = o.get::<bool>(cx, "filterRunning");
    o.unmodelled(cx, ENDPOINT_UNMODELLED);
    if let (Some(i), Some(t)) = (&interval, &scrape_timeout) {
        if t.millis > i.millis {
            let span = o.anchor;
            cx.error(
                IssueKind::InvalidValue,
                span,
                format!(
                    "scrapeTimeout {:?} greater than scrapeInterval {:?}",
                    t.text, i.text
                ),
            )
            .hint = Some("the operator skips the monitor".into());
        }
    }
    ScrapeEndpoint {
        path,
        scheme,
        params,
        interval,
        scrape_timeout,
        honor_labels,
        honor_timestamps,
        relabelings,
        metric_relabelings,
        filter_running,
    }
}

fn decode_endpoint(node: &Node, cx: &mut Cx) -> Option<Endpoint> {
    let mut o = Obj::open(node, cx)?;
    let port = o.get::<String>(cx, "port");
    let target_port = o.get::<IntOrString>(cx, "targetPort");
    let scrape = decode_scrape_endpoint(&mut o, cx);
    o.finish(cx);
    Some(Endpoint {
        port,
        target_port,
        scrape,
    })
}

fn decode_pod_metrics_endpoint(node: &Node, cx: &mut Cx) -> Option<PodMetricsEndpoint> {
    let mut o = Obj::open(node, cx)?;
    let port = o.get::<String>(cx, "port");
    let port_number = o.with(cx, "portNumber", port_number);
    let target_port = o.get::<IntOrString>(cx, "targetPort");
    let scrape = decode_scrape_endpoint(&mut o, cx);
    o.finish(cx);
    Some(PodMetricsEndpoint {
        port,
        port_number,
        target_port,
        scrape,
    })
}

const MONITOR_UNMODELLED: &[&str] = &[
    "targetLimit",
    "keepDroppedTargets",
    "attachMetadata",
    "scrapeClass",
    "scrapeProtocols",
    "fallbackScrapeProtocol",
    "bodySizeLimit",
    "selectorMechanism",
    "serviceDiscoveryRole",
    "scrapeClassicHistograms",
    "nativeHistogramBucketLimit",
    "nativeHistogramMinBucketFactor",
    "convertClassicHistogramsToNHCB",
    "scrapeNativeHistograms",
];

fn decode_limits(o: &mut Obj, cx: &mut Cx) -> ScrapeLimits {
    ScrapeLimits {
        sample_limit: o.get(cx, "sampleLimit"),
        label_limit: o.get(cx, "labelLimit"),
        label_name_length_limit: o.get(cx, "labelNameLengthLimit"),
        label_value_length_limit: o.get(cx, "labelValueLengthLimit"),
    }
}

fn decode_service_monitor_spec(node: &Node, cx: &mut Cx) -> Option<ServiceMonitor> {
    let mut o = Obj::open(node, cx)?;
    let job_label = o.get_or::<String>(cx, "jobLabel", "the job label is the Service's name");
    let target_labels = o.get::<Vec<String>>(cx, "targetLabels").unwrap_or_default();
    let pod_target_labels = o
        .get::<Vec<String>>(cx, "podTargetLabels")
        .unwrap_or_default();
    let endpoints = o
        .with(cx, "endpoints", |n, cx| decode_list(n, cx, decode_endpoint))
        .unwrap_or_default();
    let selector = o.req_with(cx, "selector", decode_selector);
    let namespace_selector = o
        .get_or_with(
            cx,
            "namespaceSelector",
            "only Services in the ServiceMonitor's own namespace are watched",
            decode_namespace_selector,
        )
        .unwrap_or_default();
    let limits = decode_limits(&mut o, cx);
    o.unmodelled(cx, MONITOR_UNMODELLED);
    o.finish(cx);
    Some(ServiceMonitor {
        metadata: ObjectMeta::default(),
        job_label,
        target_labels,
        pod_target_labels,
        endpoints,
        selector: selector?,
        namespace_selector,
        limits,
    })
}

fn decode_pod_monitor_spec(node: &Node, cx: &mut Cx) -> Option<PodMonitor> {
    let mut o = Obj::open(node, cx)?;
    let job_label = o.get_or::<String>(
        cx,
        "jobLabel",
        "the job label is <namespace>/<PodMonitor name>",
    );
    let pod_target_labels = o
        .get::<Vec<String>>(cx, "podTargetLabels")
        .unwrap_or_default();
    let pod_metrics_endpoints = o
        .with(cx, "podMetricsEndpoints", |n, cx| {
            decode_list(n, cx, decode_pod_metrics_endpoint)
        })
        .unwrap_or_default();
    let selector = o.req_with(cx, "selector", decode_selector);
    let namespace_selector = o
        .get_or_with(
            cx,
            "namespaceSelector",
            "only pods in the PodMonitor's own namespace are watched",
            decode_namespace_selector,
        )
        .unwrap_or_default();
    let limits = decode_limits(&mut o, cx);
    o.unmodelled(cx, MONITOR_UNMODELLED);
    o.finish(cx);
    Some(PodMonitor {
        metadata: ObjectMeta::default(),
        job_label,
        pod_target_labels,
        pod_metrics_endpoints,
        selector: selector?,
        namespace_selector,
        limits,
    })
}

impl<'n> Obj<'n> {
    fn get_or_with<T>(
        &mut self,
        cx: &mut Cx,
        name: &'static str,
        default: &'static str,
        f: impl FnOnce(&Node, &mut Cx) -> Option<T>,
    ) -> Option<T> {
        let (k, v) = self.find(name, Known::Modelled, Some(default))?;
        cx.field(name, k.span, |cx| f(v, cx))
    }
}

fn decode_rule_spec(node: &Node, cx: &mut Cx) -> Option<Vec<RuleGroup>> {
    let mut o = Obj::open(node, cx)?;
    let groups = o
        .with(cx, "groups", |n, cx| decode_list(n, cx, decode_rule_group))
        .unwrap_or_default();
    o.finish(cx);
    let mut names = HashSet::new();
    for (i, g) in groups.iter().enumerate() {
        if !names.insert(g.name.as_str()) {
            let span = match node.get("groups").map(|n| &n.value) {
                Some(Value::Seq(items)) => items
                    .get(i)
                    .and_then(|g| g.get("name"))
                    .map_or(node.span, |n| n.span),
                _ => node.span,
            };
            cx.field("groups", span, |cx| {
                cx.index(i, span, |cx| {
                    cx.field("name", span, |cx| {
                        cx.error(
                            IssueKind::Duplicate,
                            span,
                            format!("groupname: {:?} is repeated in the same file", g.name),
                        );
                    })
                })
            });
        }
    }
    Some(groups)
}

fn decode_rule_group(node: &Node, cx: &mut Cx) -> Option<RuleGroup> {
    let mut o = Obj::open(node, cx)?;
    let name = o.req_with(cx, "name", |n, cx| {
        let s = String::decode(n, cx)?;
        if s.is_empty() {
            cx.error(IssueKind::MissingField, n.span, "a rule group needs a name");
            return None;
        }
        Some(s)
    });
    let interval = o.get::<Duration>(cx, "interval");
    let query_offset = o.get::<Duration>(cx, "query_offset");
    let limit = o.get::<u64>(cx, "limit");
    let labels = o.with(cx, "labels", decode_plain_map).unwrap_or_default();
    let rules = o
        .with(cx, "rules", |n, cx| decode_list(n, cx, decode_rule))
        .unwrap_or_default();
    o.unmodelled(cx, &["partial_response_strategy"]);
    o.finish(cx);
    Some(RuleGroup {
        name: name?,
        interval,
        query_offset,
        limit,
        labels,
        rules,
    })
}

fn decode_rule(node: &Node, cx: &mut Cx) -> Option<Rule> {
    let mut o = Obj::open(node, cx)?;
    let record = o.get::<String>(cx, "record");
    let alert = o.get::<String>(cx, "alert");
    let expr = o.req_with(cx, "expr", |n, cx| {
        let e = match IntOrString::decode(n, cx)? {
            IntOrString::Int(i) => i.to_string(),
            IntOrString::Str(s) => s,
        };
        if let Err(err) = crate::promql::parser::parse(&e) {
            // Point into the expression when it is written as is.
            let written = cx.written(n);
            let span = if written == e {
                Span::new(n.span.start + err.span.start, n.span.start + err.span.end)
            } else {
                n.span
            };
            cx.error(
                IssueKind::InvalidExpr,
                span,
                format!("invalid expression: {}", err.kind),
            )
            .hint = Some("the operator refuses a PrometheusRule whose rules do not parse".into());
            return None;
        }
        Some(e)
    });
    let for_ = o.get_or::<Duration>(
        cx,
        "for",
        "the alert fires as soon as the expression returns a result",
    );
    let keep_firing_for = o.get::<Duration>(cx, "keep_firing_for");
    let labels = o.with(cx, "labels", decode_plain_map).unwrap_or_default();
    let annotations = o
        .with(cx, "annotations", decode_plain_map)
        .unwrap_or_default();
    o.finish(cx);
    let span = node.span;
    match (&record, &alert) {
        (Some(_), Some(_)) => {
            cx.error(
                IssueKind::InvalidValue,
                span,
                "only one of 'record' and 'alert' must be set",
            );
            return None;
        }
        (None, None) => {
            cx.error(
                IssueKind::MissingField,
                span,
                "one of 'record' or 'alert' must be set",
            );
            return None;
        }
        (Some(r), None) => {
            if !is_metric_name(r) {
                cx.error(
                    IssueKind::InvalidValue,
                    node.get("record").map_or(span, |n| n.span),
                    format!("invalid recording rule name: {r}"),
                );
                return None;
            }
            if for_.is_some() || keep_firing_for.is_some() || !annotations.is_empty() {
                cx.error(
                    IssueKind::InvalidValue,
                    span,
                    "a recording rule takes no 'for', 'keep_firing_for' or 'annotations'",
                );
                return None;
            }
        }
        (None, Some(_)) => {}
    }
    Some(Rule {
        record,
        alert,
        expr: expr?,
        for_,
        keep_firing_for,
        labels,
        annotations,
    })
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

const PROMETHEUS_UNMODELLED: &[&str] = &[
    "podMetadata",
    "probeSelector",
    "probeNamespaceSelector",
    "scrapeConfigSelector",
    "scrapeConfigNamespaceSelector",
    "version",
    "paused",
    "image",
    "imagePullPolicy",
    "imagePullSecrets",
    "shards",
    "replicaExternalLabelName",
    "prometheusExternalLabelName",
    "logLevel",
    "logFormat",
    "scrapeProtocols",
    "enableRemoteWriteReceiver",
    "enableOTLPReceiver",
    "remoteWriteReceiverMessageVersions",
    "enableFeatures",
    "externalUrl",
    "routePrefix",
    "storage",
    "volumes",
    "volumeMounts",
    "persistentVolumeClaimRetentionPolicy",
    "web",
    "resources",
    "nodeSelector",
    "serviceAccountName",
    "automountServiceAccountToken",
    "secrets",
    "configMaps",
    "affinity",
    "tolerations",
    "topologySpreadConstraints",
    "remoteWrite",
    "otlp",
    "securityContext",
    "dnsPolicy",
    "dnsConfig",
    "listenLocal",
    "podManagementPolicy",
    "updateStrategy",
    "containers",
    "initContainers",
    "additionalScrapeConfigs",
    "apiserverConfig",
    "priorityClassName",
    "portName",
    "arbitraryFSAccessThroughSMs",
    "overrideHonorLabels",
    "overrideHonorTimestamps",
    "ignoreNamespaceSelectors",
    "enforcedNamespaceLabel",
    "enforcedSampleLimit",
    "enforcedTargetLimit",
    "enforcedLabelLimit",
    "enforcedLabelNameLengthLimit",
    "enforcedLabelValueLengthLimit",
    "enforcedKeepDroppedTargets",
    "enforcedBodySizeLimit",
    "nameValidationScheme",
    "nameEscapingScheme",
    "convertClassicHistogramsToNHCB",
    "scrapeClassicHistograms",
    "minReadySeconds",
    "hostAliases",
    "additionalArgs",
    "walCompression",
    "excludedFromEnforcement",
    "hostNetwork",
    "podTargetLabels",
    "tracingConfig",
    "bodySizeLimit",
    "sampleLimit",
    "targetLimit",
    "labelLimit",
    "labelNameLengthLimit",
    "labelValueLengthLimit",
    "keepDroppedTargets",
    "reloadStrategy",
    "maximumStartupDurationSeconds",
    "scrapeClasses",
    "serviceDiscoveryRole",
    "tsdb",
    "scrapeFailureLogFile",
    "serviceName",
    "runtime",
    "terminationGracePeriodSeconds",
    "hostUsers",
    "dnsPolicy",
    "baseImage",
    "tag",
    "sha",
    "retention",
    "retentionSize",
    "shardRetentionPolicy",
    "disableCompaction",
    "rules",
    "prometheusRulesExcludedFromEnforce",
    "query",
    "remoteRead",
    "additionalAlertRelabelConfigs",
    "additionalAlertManagerConfigs",
    "thanos",
    "queryLogFile",
    "allowOverlappingBlocks",
    "exemplars",
    "ruleQueryOffset",
    "enableAdminAPI",
];

fn decode_prometheus_spec(node: &Node, cx: &mut Cx) -> Option<Prometheus> {
    let mut o = Obj::open(node, cx)?;
    let p = Prometheus {
        metadata: ObjectMeta::default(),
        service_monitor_selector: o.get_or_with(
            cx,
            "serviceMonitorSelector",
            "a Prometheus without serviceMonitorSelector selects no ServiceMonitor",
            decode_selector_or_empty,
        ),
        service_monitor_namespace_selector: o.get_or_with(
            cx,
            "serviceMonitorNamespaceSelector",
            "only the Prometheus's own namespace is searched",
            decode_selector_or_empty,
        ),
        pod_monitor_selector: o.get_or_with(
            cx,
            "podMonitorSelector",
            "a Prometheus without podMonitorSelector selects no PodMonitor",
            decode_selector_or_empty,
        ),
        pod_monitor_namespace_selector: o.get_or_with(
            cx,
            "podMonitorNamespaceSelector",
            "only the Prometheus's own namespace is searched",
            decode_selector_or_empty,
        ),
        rule_selector: o.get_or_with(
            cx,
            "ruleSelector",
            "a Prometheus without ruleSelector selects no PrometheusRule",
            decode_selector_or_empty,
        ),
        rule_namespace_selector: o.get_or_with(
            cx,
            "ruleNamespaceSelector",
            "only the Prometheus's own namespace is searched",
            decode_selector_or_empty,
        ),
        scrape_interval: o.get_or(cx, "scrapeInterval", "targets are scraped every 30s"),
        scrape_timeout: o.get(cx, "scrapeTimeout"),
        evaluation_interval: o.get_or(cx, "evaluationInterval", "rules are evaluated every 30s"),
        external_labels: o
            .with(cx, "externalLabels", decode_plain_map)
            .unwrap_or_default(),
        alertmanagers: o
            .with(cx, "alerting", |n, cx| {
                let mut a = Obj::open(n, cx)?;
                let list = a.req_with(cx, "alertmanagers", |n, cx| {
                    decode_list(n, cx, decode_alertmanager_endpoints)
                });
                a.finish(cx);
                list
            })
            .unwrap_or_default(),
        replicas: o.get(cx, "replicas"),
    };
    o.unmodelled(cx, PROMETHEUS_UNMODELLED);
    o.finish(cx);
    Some(p)
}

/// A selector where `key:` with nothing (null) is "no selector" and `{}`
/// selects everything: the difference the operator makes.
fn decode_selector_or_empty(node: &Node, cx: &mut Cx) -> Option<LabelSelector> {
    decode_selector(node, cx)
}

fn decode_alertmanager_endpoints(node: &Node, cx: &mut Cx) -> Option<AlertmanagerEndpoints> {
    let mut o = Obj::open(node, cx)?;
    let namespace = o.get::<String>(cx, "namespace");
    let name = o.req::<String>(cx, "name");
    let port = o.req::<IntOrString>(cx, "port");
    let scheme = o.with(cx, "scheme", scheme);
    let path_prefix = o.get::<String>(cx, "pathPrefix");
    let api_version = o.with(cx, "apiVersion", |n, cx| {
        let v = String::decode(n, cx)?;
        if v != "v1" && v != "v2" {
            cx.error(
                IssueKind::InvalidValue,
                n.span,
                format!("unsupported value {v:?}"),
            )
            .hint = Some(r#"supported values: "v1", "v2""#.into());
            return None;
        }
        Some(v)
    });
    o.unmodelled(
        cx,
        &[
            "tlsConfig",
            "basicAuth",
            "bearerTokenFile",
            "authorization",
            "sigv4",
            "timeout",
            "enableHttp2",
            "relabelings",
            "alertRelabelings",
            "proxyUrl",
            "noProxy",
            "proxyFromEnvironment",
            "proxyConnectHeader",
        ],
    );
    o.finish(cx);
    Some(AlertmanagerEndpoints {
        namespace,
        name: name?,
        port,
        scheme,
        path_prefix,
        api_version,
    })
}

const ALERTMANAGER_UNMODELLED: &[&str] = &[
    "podMetadata",
    "image",
    "imagePullPolicy",
    "version",
    "tag",
    "sha",
    "baseImage",
    "imagePullSecrets",
    "secrets",
    "configMaps",
    "configSecret",
    "logLevel",
    "logFormat",
    "retention",
    "storage",
    "volumes",
    "volumeMounts",
    "persistentVolumeClaimRetentionPolicy",
    "externalUrl",
    "routePrefix",
    "paused",
    "nodeSelector",
    "resources",
    "affinity",
    "tolerations",
    "topologySpreadConstraints",
    "securityContext",
    "dnsPolicy",
    "dnsConfig",
    "serviceAccountName",
    "automountServiceAccountToken",
    "listenLocal",
    "containers",
    "initContainers",
    "priorityClassName",
    "additionalPeers",
    "clusterAdvertiseAddress",
    "clusterGossipInterval",
    "clusterLabel",
    "clusterPushpullInterval",
    "clusterPeerTimeout",
    "portName",
    "forceEnableClusterMode",
    "minReadySeconds",
    "hostAliases",
    "web",
    "limits",
    "clusterTLS",
    "alertmanagerConfiguration",
    "enableFeatures",
    "additionalArgs",
    "terminationGracePeriodSeconds",
    "hostUsers",
    "serviceName",
    "enableServiceLinks",
];

fn decode_alertmanager_spec(node: &Node, cx: &mut Cx) -> Option<Alertmanager> {
    let mut o = Obj::open(node, cx)?;
    let a = Alertmanager {
        metadata: ObjectMeta::default(),
        alertmanager_config_selector: o.get_or_with(
            cx,
            "alertmanagerConfigSelector",
            "an Alertmanager without alertmanagerConfigSelector selects no AlertmanagerConfig",
            decode_selector_or_empty,
        ),
        alertmanager_config_namespace_selector: o.get_or_with(
            cx,
            "alertmanagerConfigNamespaceSelector",
            "only the Alertmanager's own namespace is searched",
            decode_selector_or_empty,
        ),
        matcher_strategy: o
            .with(cx, "alertmanagerConfigMatcherStrategy", |n, cx| {
                let mut s = Obj::open(n, cx)?;
                let t = s.with(cx, "type", |n, cx| {
                    enum_value(n, cx, &MatcherStrategy::ALL, MatcherStrategy::as_str)
                });
                s.finish(cx);
                t
            })
            .unwrap_or_default(),
        replicas: o.get(cx, "replicas"),
    };
    o.unmodelled(cx, ALERTMANAGER_UNMODELLED);
    o.finish(cx);
    Some(a)
}

// ---------------------------------------------------------------------------
// monitoring.coreos.com/v1alpha1

fn decode_alertmanager_config_spec(node: &Node, cx: &mut Cx) -> Option<AlertmanagerConfig> {
    let mut o = Obj::open(node, cx)?;
    let route = o.with(cx, "route", |n, cx| decode_route(n, cx, true));
    let receivers = o
        .with(cx, "receivers", |n, cx| decode_list(n, cx, decode_receiver))
        .unwrap_or_default();
    let inhibit_rules = o
        .with(cx, "inhibitRules", |n, cx| {
            decode_list(n, cx, decode_inhibit_rule)
        })
        .unwrap_or_default();
    o.unmodelled(cx, &["muteTimeIntervals", "timeIntervals"]);
    o.finish(cx);

    // The operator's checks: unique receiver names, and every receiver a
    // route names defined.
    let receiver_items = match node.get("receivers").map(|n| &n.value) {
        Some(Value::Seq(items)) => items.as_slice(),
        _ => &[],
    };
    let mut names = HashSet::new();
    for (i, r) in receivers.iter().enumerate() {
        if !names.insert(r.name.as_str()) {
            let span = receiver_items
                .get(i)
                .and_then(|n| n.get("name"))
                .map_or(node.span, |n| n.span);
            cx.field("receivers", span, |cx| {
                cx.index(i, span, |cx| {
                    cx.field("name", span, |cx| {
                        cx.error(
                            IssueKind::Duplicate,
                            span,
                            format!("receiver {:?} is defined twice", r.name),
                        );
                    })
                })
            });
        }
    }
    if let (Some(route), Some(route_node)) = (&route, node.get("route")) {
        let defined: Vec<&str> = receivers.iter().map(|r| r.name.as_str()).collect();
        cx.field("route", route_node.span, |cx| {
            check_route_receivers(route, route_node, &defined, cx)
        });
    }
    Some(AlertmanagerConfig {
        metadata: ObjectMeta::default(),
        route,
        receivers,
        inhibit_rules,
    })
}

fn check_route_receivers(route: &Route, node: &Node, defined: &[&str], cx: &mut Cx) {
    if let Some(r) = &route.receiver {
        if !defined.contains(&r.as_str()) {
            let span = node.get("receiver").map_or(node.span, |n| n.span);
            cx.field("receiver", span, |cx| {
                let message =
                    format!("receiver {r:?} not found in the receivers of this AlertmanagerConfig");
                let issue = cx.error(IssueKind::UndefinedReference, span, message);
                issue.hint = Some(match suggest(r, defined) {
                    Some(s) => format!("did you mean {s:?}?"),
                    None if defined.is_empty() => "define it under spec.receivers".into(),
                    None => format!("defined receivers: {}", defined.join(", ")),
                });
            });
        }
    }
    if let Some(Value::Seq(items)) = node.get("routes").map(|n| &n.value) {
        for (i, (child, child_node)) in route.routes.iter().zip(items).enumerate() {
            cx.field("routes", child_node.span, |cx| {
                cx.index(i, child_node.span, |cx| {
                    check_route_receivers(child, child_node, defined, cx)
                })
            });
        }
    }
}

fn decode_route(node: &Node, cx: &mut Cx, top: bool) -> Option<Route> {
    let mut o = Obj::open(node, cx)?;
    let receiver = if top {
        o.req::<String>(cx, "receiver")
    } else {
        o.get_or::<String>(cx, "receiver", "the parent route's receiver gets the alert")
    };
    let group_by = o.with(cx, "groupBy", |n, cx| {
        let list = Vec::<String>::decode(n, cx)?;
        if list.len() > 1 && list.iter().any(|g| g == "...") {
            cx.error(
                IssueKind::InvalidValue,
                n.span,
                "groupBy with \"...\" (group by every label) must have no other entries",
            );
            return None;
        }
        Some(list)
    });
    let inherit = "the parent route's value applies (Alertmanager's defaults at the top: groupWait 30s, groupInterval 5m, repeatInterval 4h)";
    let group_wait = o.get_or::<Duration>(cx, "groupWait", inherit);
    let group_interval = o.get_or::<Duration>(cx, "groupInterval", inherit);
    let repeat_interval = o.get_or::<Duration>(cx, "repeatInterval", inherit);
    let matchers = o
        .with(cx, "matchers", |n, cx| decode_list(n, cx, decode_matcher))
        .unwrap_or_default();
    let continue_ = o
        .get_or::<bool>(
            cx,
            "continue",
            "false: matching stops at the first route that matches",
        )
        .unwrap_or(false);
    let routes = o
        .with(cx, "routes", |n, cx| {
            // Child routes are free-form JSON to the API server; only the
            // operator reads them.
            cx.free_form += 1;
            let list = decode_list(n, cx, |n, cx| decode_route(n, cx, false));
            cx.free_form -= 1;
            list
        })
        .unwrap_or_default();
    let mute_time_intervals = o
        .get::<Vec<String>>(cx, "muteTimeIntervals")
        .unwrap_or_default();
    let active_time_intervals = o
        .get::<Vec<String>>(cx, "activeTimeIntervals")
        .unwrap_or_default();
    o.finish(cx);
    Some(Route {
        receiver: if top { Some(receiver?) } else { receiver },
        group_by: group_by.unwrap_or_default(),
        group_wait,
        group_interval,
        repeat_interval,
        matchers,
        continue_,
        routes,
        mute_time_intervals,
        active_time_intervals,
    })
}

fn decode_matcher(node: &Node, cx: &mut Cx) -> Option<Matcher> {
    let mut o = Obj::open(node, cx)?;
    let name = o.req_with(cx, "name", |n, cx| {
        let s = String::decode(n, cx)?;
        if s.is_empty() {
            cx.error(
                IssueKind::MissingField,
                n.span,
                "a matcher needs a label name",
            );
            return None;
        }
        Some(s)
    });
    let value = o.get::<String>(cx, "value").unwrap_or_default();
    let match_type = o.with(cx, "matchType", |n, cx| {
        enum_value(n, cx, &MatchType::ALL, MatchType::as_str)
    });
    let regex = o.get::<bool>(cx, "regex").unwrap_or(false);
    o.finish(cx);
    let regexp = match match_type {
        Some(MatchType::Regexp | MatchType::NotRegexp) => true,
        Some(_) => false,
        None => regex,
    };
    if regexp {
        if let Err(e) = Regexp::new(&value) {
            let span = node.get("value").map_or(node.span, |n| n.span);
            cx.error(IssueKind::InvalidRegex, span, e.to_string());
            return None;
        }
    }
    Some(Matcher {
        name: name?,
        value,
        match_type,
        regex,
    })
}

fn decode_receiver(node: &Node, cx: &mut Cx) -> Option<Receiver> {
    let mut o = Obj::open(node, cx)?;
    let name = o.req_with(cx, "name", |n, cx| {
        let s = String::decode(n, cx)?;
        if s.is_empty() {
            cx.error(IssueKind::MissingField, n.span, "a receiver needs a name");
            return None;
        }
        Some(s)
    });
    let webhook_configs = o
        .with(cx, "webhookConfigs", |n, cx| {
            decode_list(n, cx, decode_webhook)
        })
        .unwrap_or_default();
    let email_configs = o
        .with(cx, "emailConfigs", |n, cx| decode_list(n, cx, decode_email))
        .unwrap_or_default();
    o.unmodelled(
        cx,
        &[
            "opsgenieConfigs",
            "pagerdutyConfigs",
            "discordConfigs",
            "slackConfigs",
            "webexConfigs",
            "wechatConfigs",
            "pushoverConfigs",
            "victoropsConfigs",
            "snsConfigs",
            "telegramConfigs",
            "msteamsConfigs",
            "msteamsv2Configs",
            "rocketchatConfigs",
        ],
    );
    o.finish(cx);
    Some(Receiver {
        name: name?,
        webhook_configs,
        email_configs,
    })
}

fn decode_secret_key(node: &Node, cx: &mut Cx) -> Option<SecretKeySelector> {
    let mut o = Obj::open(node, cx)?;
    let name = o.req::<String>(cx, "name");
    let key = o.req::<String>(cx, "key");
    o.silent(&["optional"]);
    o.finish(cx);
    Some(SecretKeySelector {
        name: name?,
        key: key?,
    })
}

fn decode_webhook(node: &Node, cx: &mut Cx) -> Option<WebhookConfig> {
    let mut o = Obj::open(node, cx)?;
    let send_resolved = o.get_or::<bool>(
        cx,
        "sendResolved",
        "Alertmanager's default for webhooks, send_resolved: true, applies, so resolved alerts are sent too",
    );
    let url = o.with(cx, "url", |n, cx| {
        let u = String::decode(n, cx)?;
        match url::Url::parse(&u) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => Some(u),
            _ => {
                cx.error(
                    IssueKind::InvalidValue,
                    n.span,
                    format!("invalid URL {u:?}: expected an absolute http or https URL"),
                );
                None
            }
        }
    });
    let url_secret = o.with(cx, "urlSecret", decode_secret_key);
    let max_alerts = o.with(cx, "maxAlerts", |n, cx| {
        let v = i64::decode(n, cx)?;
        if v < 0 {
            cx.error(
                IssueKind::InvalidValue,
                n.span,
                format!("maxAlerts must be at least 0, got {v}"),
            );
            return None;
        }
        Some(v)
    });
    let timeout = o.get::<Duration>(cx, "timeout");
    o.unmodelled(cx, &["httpConfig"]);
    o.finish(cx);
    if url.is_none() && url_secret.is_none() && node.get("url").is_none() {
        cx.error(
            IssueKind::MissingField,
            cx.key_span,
            "one of url or urlSecret should be specified",
        );
        return None;
    }
    Some(WebhookConfig {
        send_resolved,
        url,
        url_secret,
        max_alerts,
        timeout,
    })
}

fn decode_email(node: &Node, cx: &mut Cx) -> Option<EmailConfig> {
    let mut o = Obj::open(node, cx)?;
    let send_resolved = o.get_or::<bool>(
        cx,
        "sendResolved",
        "Alertmanager's default for email, send_resolved: false, applies",
    );
    let to = o.get::<String>(cx, "to");
    let from = o.get::<String>(cx, "from");
    let hello = o.get::<String>(cx, "hello");
    let smarthost = o.get::<String>(cx, "smarthost");
    let auth_username = o.get::<String>(cx, "authUsername");
    let auth_identity = o.get::<String>(cx, "authIdentity");
    let require_tls = o.get::<bool>(cx, "requireTLS");
    let headers = o
        .with(cx, "headers", |n, cx| {
            decode_list(n, cx, |n, cx| {
                let mut h = Obj::open(n, cx)?;
                let key = h.req::<String>(cx, "key");
                let value = h.req::<String>(cx, "value");
                h.finish(cx);
                key.zip(value)
            })
        })
        .unwrap_or_default();
    o.unmodelled(
        cx,
        &["authPassword", "authSecret", "html", "text", "tlsConfig"],
    );
    o.finish(cx);
    if to.as_deref().is_none_or(str::is_empty) {
        cx.error(
            IssueKind::MissingField,
            cx.key_span,
            "an email config needs `to`",
        );
        return None;
    }
    Some(EmailConfig {
        send_resolved,
        to,
        from,
        smarthost,
        hello,
        auth_username,
        auth_identity,
        require_tls,
        headers,
    })
}

fn decode_inhibit_rule(node: &Node, cx: &mut Cx) -> Option<InhibitRule> {
    let mut o = Obj::open(node, cx)?;
    let target_match = o
        .with(cx, "targetMatch", |n, cx| {
            decode_list(n, cx, decode_matcher)
        })
        .unwrap_or_default();
    let source_match = o
        .with(cx, "sourceMatch", |n, cx| {
            decode_list(n, cx, decode_matcher)
        })
        .unwrap_or_default();
    let equal = o.get::<Vec<String>>(cx, "equal").unwrap_or_default();
    o.finish(cx);
    Some(InhibitRule {
        target_match,
        source_match,
        equal,
    })
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            IssueKind::Yaml(_) => "not YAML",
            IssueKind::NotAnObject => "not an object",
            IssueKind::UnknownKind => "unknown kind",
            IssueKind::UnsupportedVersion => "unsupported apiVersion",
            IssueKind::UnknownField { .. } => "unknown field",
            IssueKind::UnmodelledField => "field not modelled",
            IssueKind::InvalidType { .. } => "wrong type",
            IssueKind::MissingField => "missing field",
            IssueKind::InvalidDuration => "invalid duration",
            IssueKind::InvalidValue => "invalid value",
            IssueKind::InvalidName => "invalid name",
            IssueKind::InvalidLabel => "invalid label",
            IssueKind::InvalidSelector => "invalid label selector",
            IssueKind::InvalidRegex => "invalid regex",
            IssueKind::InvalidRelabel(_) => "invalid relabelling",
            IssueKind::InvalidExpr => "invalid expression",
            IssueKind::UndefinedReference => "undefined reference",
            IssueKind::Duplicate => "duplicate",
            IssueKind::DuplicateObject => "duplicate object",
        };
        f.write_str(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn suggestions_ignore_case_and_underscores_then_allow_small_typos() {
        let known = ["sendResolved", "url", "maxAlerts", "httpConfig"];
        assert_eq!(suggest("send_resolved", &known), Some("sendResolved"));
        assert_eq!(suggest("SendResolved", &known), Some("sendResolved"));
        assert_eq!(suggest("maxAlert", &known), Some("maxAlerts"));
        assert_eq!(suggest("urls", &known), Some("url"));
        assert_eq!(suggest("timeout", &known), None);
    }
}
