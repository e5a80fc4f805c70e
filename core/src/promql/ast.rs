//! The PromQL syntax tree. Every node carries the byte span of the text it
//! was parsed from, so errors and the UI can point back into the query.

use crate::diagnostic::Span;
use crate::labels::{Matcher, METRIC_NAME};
use std::fmt;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    VectorSelector(VectorSelector),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::VectorSelector(vs) => vs.span,
        }
    }

    /// The type the expression evaluates to.
    pub fn value_type(&self) -> ValueType {
        match self {
            Expr::VectorSelector(_) => ValueType::Vector,
        }
    }
}

/// The four PromQL value types, named as Prometheus names them in errors
/// and API responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    Scalar,
    String,
    Vector,
    Matrix,
}

impl ValueType {
    /// The name used in the API's `resultType`.
    pub fn api_name(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::String => "string",
            ValueType::Vector => "vector",
            ValueType::Matrix => "matrix",
        }
    }

    /// The name used in type errors.
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::String => "string",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
        }
    }
}

/// `name{label="value", ...}`: the series whose labels match, each at its
/// latest sample within the lookback window.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSelector {
    /// The metric name when given before the braces or as a lone quoted
    /// string inside them; it is also among `matchers` as `__name__`.
    pub name: Option<String>,
    pub matchers: Vec<Matcher>,
    pub span: Span,
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::VectorSelector(vs) => vs.fmt(f),
        }
    }
}

impl fmt::Display for VectorSelector {
    /// The canonical form: the name first, then the other matchers.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_deref().unwrap_or("");
        let rest: Vec<&Matcher> = self
            .matchers
            .iter()
            .filter(|m| !(m.name == METRIC_NAME && Some(m.value.as_str()) == self.name.as_deref()))
            .collect();
        f.write_str(name)?;
        if rest.is_empty() && !name.is_empty() {
            return Ok(());
        }
        f.write_str("{")?;
        for (i, m) in rest.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            m.fmt(f)?;
        }
        f.write_str("}")
    }
}
