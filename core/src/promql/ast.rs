//! The PromQL syntax tree. Every node carries the byte span of the text it
//! was parsed from, so errors and the UI can point back into the query.
//! Closed sets — operators, aggregations, the `@` modifier, vector matching
//! cardinality — are enums; functions are rows of
//! [`FUNCTIONS`](super::functions::FUNCTIONS).
//!
//! The tree is printed by [`super::format`]: `Display` gives Prometheus's
//! one-line canonical form.

use super::functions::FunctionDef;
use crate::clock::Millis;
use crate::diagnostic::Span;
use crate::labels::Matcher;

/// A parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `42`, `1.5e3`, `0x1F`, `Inf`, or a duration used as a number of
    /// seconds (`5m`).
    NumberLiteral(NumberLiteral),
    /// `"text"`, `'text'` or `` `text` ``.
    StringLiteral(StringLiteral),
    /// `name{label="value", ...}`.
    VectorSelector(VectorSelector),
    /// `name{...}[5m]`.
    MatrixSelector(MatrixSelector),
    /// `expr[1h:5m]`.
    Subquery(Subquery),
    /// `(expr)`.
    Paren(Paren),
    /// `-expr`, `+expr`.
    Unary(Unary),
    /// `a + b`, `a > bool b`, `a / on(job) group_left b`, `a and b`.
    Binary(Binary),
    /// `sum by (job) (x)`, `topk(3, x)`.
    Aggregate(Aggregate),
    /// `rate(x[5m])`.
    Call(Call),
}

impl Expr {
    /// The bytes of the query this expression was parsed from, including
    /// its modifiers (`offset`, `@`).
    pub fn span(&self) -> Span {
        match self {
            Expr::NumberLiteral(n) => n.span,
            Expr::StringLiteral(s) => s.span,
            Expr::VectorSelector(vs) => vs.span,
            Expr::MatrixSelector(ms) => ms.span,
            Expr::Subquery(sq) => sq.span,
            Expr::Paren(p) => p.span,
            Expr::Unary(u) => u.span,
            Expr::Binary(b) => b.span,
            Expr::Aggregate(a) => a.span,
            Expr::Call(c) => c.span,
        }
    }

    /// The type the expression evaluates to, as Prometheus determines it
    /// statically.
    pub fn value_type(&self) -> ValueType {
        match self {
            Expr::NumberLiteral(_) => ValueType::Scalar,
            Expr::StringLiteral(_) => ValueType::String,
            Expr::VectorSelector(_) | Expr::Aggregate(_) => ValueType::Vector,
            Expr::MatrixSelector(_) | Expr::Subquery(_) => ValueType::Matrix,
            Expr::Paren(p) => p.expr.value_type(),
            Expr::Unary(u) => u.expr.value_type(),
            Expr::Binary(b) => {
                if b.lhs.value_type() == ValueType::Scalar
                    && b.rhs.value_type() == ValueType::Scalar
                {
                    ValueType::Scalar
                } else {
                    ValueType::Vector
                }
            }
            Expr::Call(c) => c.func.return_type,
        }
    }

    /// The same tree with every span set to the empty span at 0, to compare
    /// trees parsed from different texts.
    pub fn without_spans(&self) -> Expr {
        let mut e = self.clone();
        e.clear_spans();
        e
    }

    fn clear_spans(&mut self) {
        let zero = Span::default();
        match self {
            Expr::NumberLiteral(n) => n.span = zero,
            Expr::StringLiteral(s) => s.span = zero,
            Expr::VectorSelector(vs) => vs.clear_spans(),
            Expr::MatrixSelector(ms) => {
                ms.span = zero;
                ms.selector.clear_spans();
                ms.range.clear_spans();
            }
            Expr::Subquery(sq) => {
                sq.span = zero;
                sq.expr.clear_spans();
                sq.range.clear_spans();
                for d in [&mut sq.step, &mut sq.offset].into_iter().flatten() {
                    d.clear_spans();
                }
            }
            Expr::Paren(p) => {
                p.span = zero;
                p.expr.clear_spans();
            }
            Expr::Unary(u) => {
                u.span = zero;
                u.expr.clear_spans();
            }
            Expr::Binary(b) => {
                b.span = zero;
                b.lhs.clear_spans();
                b.rhs.clear_spans();
            }
            Expr::Aggregate(a) => {
                a.span = zero;
                a.expr.clear_spans();
                if let Some(p) = &mut a.param {
                    p.clear_spans();
                }
            }
            Expr::Call(c) => {
                c.span = zero;
                for a in &mut c.args {
                    a.clear_spans();
                }
            }
        }
    }

    /// Calls `f` on this expression and every expression below it, parents
    /// before children, left to right.
    pub fn walk<'a>(&'a self, f: &mut dyn FnMut(&'a Expr)) {
        f(self);
        match self {
            Expr::NumberLiteral(_)
            | Expr::StringLiteral(_)
            | Expr::VectorSelector(_)
            | Expr::MatrixSelector(_) => {}
            Expr::Subquery(sq) => sq.expr.walk(f),
            Expr::Paren(p) => p.expr.walk(f),
            Expr::Unary(u) => u.expr.walk(f),
            Expr::Binary(b) => {
                b.lhs.walk(f);
                b.rhs.walk(f);
            }
            Expr::Aggregate(a) => {
                a.expr.walk(f);
                if let Some(p) = &a.param {
                    p.walk(f);
                }
            }
            Expr::Call(c) => {
                for a in &c.args {
                    a.walk(f);
                }
            }
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
    /// The name used in the API's `resultType` and in some errors
    /// (`got matrix instead`).
    pub fn api_name(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::String => "string",
            ValueType::Vector => "vector",
            ValueType::Matrix => "matrix",
        }
    }

    /// The name used in type errors (`expected type range vector`).
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::Scalar => "scalar",
            ValueType::String => "string",
            ValueType::Vector => "instant vector",
            ValueType::Matrix => "range vector",
        }
    }
}

/// A number. Negative literals are numbers too: the parser folds `-2`
/// into one literal, as Prometheus does.
#[derive(Debug, Clone)]
pub struct NumberLiteral {
    pub value: f64,
    /// Written as a duration (`5m`), so printed as one.
    pub duration: bool,
    pub span: Span,
}

impl PartialEq for NumberLiteral {
    /// Bit-equal values, so `NaN` equals `NaN` and trees compare by what
    /// was written.
    fn eq(&self, other: &Self) -> bool {
        (self.value.to_bits() == other.value.to_bits()
            || (self.value.is_nan() && other.value.is_nan()))
            && self.duration == other.duration
            && self.span == other.span
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StringLiteral {
    /// The value with escapes resolved.
    pub value: String,
    pub span: Span,
}

/// `name{label="value", ...}`: the series whose labels match, each at its
/// latest sample within the lookback window.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorSelector {
    /// The metric name when written before the braces (`up{...}`); also the
    /// last of `matchers`, as `__name__="up"`. A quoted name inside the
    /// braces (`{"my.metric"}`) is only a matcher, as in Prometheus.
    pub name: Option<String>,
    /// All conditions, the braces' ones in order, then the name's.
    pub matchers: Vec<Matcher>,
    /// `offset 5m`, `offset -1h`; a zero offset is `None`.
    pub offset: Option<Duration>,
    /// `@ 1700000000`, `@ start()`, `@ end()`.
    pub at: Option<AtModifier>,
    pub span: Span,
}

impl VectorSelector {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        if let Some(o) = &mut self.offset {
            o.clear_spans();
        }
    }
}

/// `selector[range]`. The selector's `offset` and `@` apply to the range
/// (Prometheus keeps them on the inner selector too, and prints them after
/// the brackets).
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixSelector {
    pub selector: VectorSelector,
    pub range: Duration,
    pub span: Span,
}

/// `expr[range:step]` or `expr[range:]` (the step then defaults to the
/// global evaluation interval).
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub expr: Box<Expr>,
    pub range: Duration,
    pub step: Option<Duration>,
    pub offset: Option<Duration>,
    pub at: Option<AtModifier>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Paren {
    pub expr: Box<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `+`
    Plus,
    /// `-`
    Minus,
}

impl UnaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Plus => "+",
            UnaryOp::Minus => "-",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Unary {
    pub op: UnaryOp,
    pub expr: Box<Expr>,
    pub span: Span,
}

/// The binary operators, from loosest to tightest binding: `or`;
/// `and`, `unless`; comparisons; `+`, `-`; `*`, `/`, `%`, `atan2`; `^`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Atan2,
    /// `==`
    Eql,
    /// `!=`
    Neq,
    /// `>`
    Gtr,
    /// `<`
    Lss,
    /// `>=`
    Gte,
    /// `<=`
    Lte,
    And,
    Or,
    Unless,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
            BinaryOp::Atan2 => "atan2",
            BinaryOp::Eql => "==",
            BinaryOp::Neq => "!=",
            BinaryOp::Gtr => ">",
            BinaryOp::Lss => "<",
            BinaryOp::Gte => ">=",
            BinaryOp::Lte => "<=",
            BinaryOp::And => "and",
            BinaryOp::Or => "or",
            BinaryOp::Unless => "unless",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eql
                | BinaryOp::Neq
                | BinaryOp::Gtr
                | BinaryOp::Lss
                | BinaryOp::Gte
                | BinaryOp::Lte
        )
    }

    pub fn is_set_operator(self) -> bool {
        matches!(self, BinaryOp::And | BinaryOp::Or | BinaryOp::Unless)
    }

    /// Binding strength, 1 (loosest, `or`) to 6 (`^`).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And | BinaryOp::Unless => 2,
            BinaryOp::Eql
            | BinaryOp::Neq
            | BinaryOp::Gtr
            | BinaryOp::Lss
            | BinaryOp::Gte
            | BinaryOp::Lte => 3,
            BinaryOp::Add | BinaryOp::Sub => 4,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod | BinaryOp::Atan2 => 5,
            BinaryOp::Pow => 6,
        }
    }

    /// Only `^` groups from the right: `2 ^ 3 ^ 2` is `2 ^ (3 ^ 2)`.
    pub fn is_right_associative(self) -> bool {
        self == BinaryOp::Pow
    }
}

/// How the series of the two sides pair up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VectorMatchCardinality {
    OneToOne,
    /// `group_left`
    ManyToOne,
    /// `group_right`
    OneToMany,
    /// The set operators.
    ManyToMany,
}

impl VectorMatchCardinality {
    pub fn as_str(self) -> &'static str {
        match self {
            VectorMatchCardinality::OneToOne => "one-to-one",
            VectorMatchCardinality::ManyToOne => "many-to-one",
            VectorMatchCardinality::OneToMany => "one-to-many",
            VectorMatchCardinality::ManyToMany => "many-to-many",
        }
    }
}

/// `on (a, b) group_left (c)` and friends.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorMatching {
    pub card: VectorMatchCardinality,
    /// The labels of `on (...)` or `ignoring (...)`.
    pub labels: Vec<String>,
    /// `on` rather than `ignoring`.
    pub on: bool,
    /// The labels of `group_left (...)` / `group_right (...)`.
    pub include: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Binary {
    pub op: BinaryOp,
    pub lhs: Box<Expr>,
    pub rhs: Box<Expr>,
    /// `bool` after a comparison.
    pub return_bool: bool,
    /// Present when both sides are instant vectors.
    pub matching: Option<VectorMatching>,
    pub span: Span,
}

/// The aggregation operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AggregateOp {
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
}

impl AggregateOp {
    pub const ALL: [AggregateOp; 14] = [
        AggregateOp::Sum,
        AggregateOp::Avg,
        AggregateOp::Count,
        AggregateOp::Min,
        AggregateOp::Max,
        AggregateOp::Group,
        AggregateOp::Stddev,
        AggregateOp::Stdvar,
        AggregateOp::Topk,
        AggregateOp::Bottomk,
        AggregateOp::CountValues,
        AggregateOp::Quantile,
        AggregateOp::Limitk,
        AggregateOp::LimitRatio,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOp::Sum => "sum",
            AggregateOp::Avg => "avg",
            AggregateOp::Count => "count",
            AggregateOp::Min => "min",
            AggregateOp::Max => "max",
            AggregateOp::Group => "group",
            AggregateOp::Stddev => "stddev",
            AggregateOp::Stdvar => "stdvar",
            AggregateOp::Topk => "topk",
            AggregateOp::Bottomk => "bottomk",
            AggregateOp::CountValues => "count_values",
            AggregateOp::Quantile => "quantile",
            AggregateOp::Limitk => "limitk",
            AggregateOp::LimitRatio => "limit_ratio",
        }
    }

    /// The operator spelled `name`, in any case (`SUM` is `sum`).
    pub fn from_name(name: &str) -> Option<AggregateOp> {
        AggregateOp::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(name))
    }

    /// Takes a parameter before the vector: `topk(3, x)`.
    pub fn has_param(self) -> bool {
        matches!(
            self,
            AggregateOp::Topk
                | AggregateOp::Bottomk
                | AggregateOp::CountValues
                | AggregateOp::Quantile
                | AggregateOp::Limitk
                | AggregateOp::LimitRatio
        )
    }

    /// The type of that parameter.
    pub fn param_type(self) -> Option<ValueType> {
        match self {
            AggregateOp::CountValues => Some(ValueType::String),
            op if op.has_param() => Some(ValueType::Scalar),
            _ => None,
        }
    }

    /// Parsed only with experimental functions enabled.
    pub fn is_experimental(self) -> bool {
        matches!(self, AggregateOp::Limitk | AggregateOp::LimitRatio)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub op: AggregateOp,
    pub expr: Box<Expr>,
    /// `3` in `topk(3, x)`, `"label"` in `count_values("label", x)`.
    pub param: Option<Box<Expr>>,
    /// The labels of `by (...)` or `without (...)`.
    pub grouping: Vec<String>,
    pub without: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub func: &'static FunctionDef,
    pub args: Vec<Expr>,
    pub span: Span,
}

/// `@ <time>`: evaluate at a fixed time instead of the evaluation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AtModifier {
    /// Milliseconds since the epoch (written in seconds: `@ 1609746000`).
    Timestamp(Millis),
    /// `@ start()`: the start of the range query.
    Start,
    /// `@ end()`: the end of the range query.
    End,
}

/// A range, a subquery step or an offset.
#[derive(Debug, Clone, PartialEq)]
pub enum Duration {
    /// A duration (`5m`) or a number of seconds (`300`, `-1.5`), in
    /// milliseconds.
    Millis(Millis),
    /// Duration arithmetic (`[5m + 30s]`, `offset (1h * 2)`), evaluated
    /// before the query runs (experimental in Prometheus).
    Expr(DurationExpr),
}

impl Duration {
    fn clear_spans(&mut self) {
        if let Duration::Expr(e) = self {
            e.clear_spans();
        }
    }

    /// The duration in milliseconds; a range or step must come out
    /// positive (`allow_negative` is for offsets).
    pub fn millis(&self, allow_negative: bool) -> Result<Millis, DurationError> {
        match self {
            Duration::Millis(ms) => Ok(*ms),
            Duration::Expr(e) => e.millis(allow_negative),
        }
    }
}

/// Arithmetic over durations and numbers of seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct DurationExpr {
    pub kind: DurationExprKind,
    /// Written in parentheses, so printed in them.
    pub wrapped: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DurationExprKind {
    /// A leaf: seconds, written as a duration or a number.
    Number(NumberLiteral),
    /// `-(...)`.
    Negate(Box<DurationExpr>),
    Binary {
        op: DurationOp,
        lhs: Box<DurationExpr>,
        rhs: Box<DurationExpr>,
    },
}

/// The operators of duration arithmetic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
}

impl DurationOp {
    pub fn as_str(self) -> &'static str {
        match self {
            DurationOp::Add => "+",
            DurationOp::Sub => "-",
            DurationOp::Mul => "*",
            DurationOp::Div => "/",
            DurationOp::Mod => "%",
            DurationOp::Pow => "^",
        }
    }

    pub(crate) fn precedence(self) -> u8 {
        match self {
            DurationOp::Add | DurationOp::Sub => 4,
            DurationOp::Mul | DurationOp::Div | DurationOp::Mod => 5,
            DurationOp::Pow => 6,
        }
    }
}

/// Why a duration expression has no valid value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationError {
    DivisionByZero,
    ModuloByZero,
    /// A range or step that is zero or negative.
    NotPositive,
    OutOfRange,
}

impl std::fmt::Display for DurationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DurationError::DivisionByZero => "division by zero",
            DurationError::ModuloByZero => "modulo by zero",
            DurationError::NotPositive => "duration must be greater than 0",
            DurationError::OutOfRange => "duration is out of range",
        })
    }
}

impl DurationExpr {
    fn clear_spans(&mut self) {
        self.span = Span::default();
        match &mut self.kind {
            DurationExprKind::Number(n) => n.span = Span::default(),
            DurationExprKind::Negate(e) => e.clear_spans(),
            DurationExprKind::Binary { lhs, rhs, .. } => {
                lhs.clear_spans();
                rhs.clear_spans();
            }
        }
    }

    /// The value in seconds, computed as Prometheus computes it (in
    /// floating point).
    pub fn seconds(&self) -> Result<f64, DurationError> {
        match &self.kind {
            DurationExprKind::Number(n) => Ok(n.value),
            DurationExprKind::Negate(e) => Ok(-e.seconds()?),
            DurationExprKind::Binary { op, lhs, rhs } => {
                let (l, r) = (lhs.seconds()?, rhs.seconds()?);
                match op {
                    DurationOp::Add => Ok(l + r),
                    DurationOp::Sub => Ok(l - r),
                    DurationOp::Mul => Ok(l * r),
                    DurationOp::Div if r == 0.0 => Err(DurationError::DivisionByZero),
                    DurationOp::Div => Ok(l / r),
                    DurationOp::Mod if r == 0.0 => Err(DurationError::ModuloByZero),
                    DurationOp::Mod => Ok(l % r),
                    DurationOp::Pow => Ok(l.powf(r)),
                }
            }
        }
    }

    /// The value in whole milliseconds.
    pub fn millis(&self, allow_negative: bool) -> Result<Millis, DurationError> {
        let s = self.seconds()?;
        if s <= 0.0 && !allow_negative {
            return Err(DurationError::NotPositive);
        }
        let ms = (s * 1000.0).trunc();
        // Prometheus holds durations as nanoseconds in an i64.
        if !ms.is_finite() || ms.abs() > (i64::MAX / 1_000_000) as f64 {
            return Err(DurationError::OutOfRange);
        }
        Ok(ms as Millis)
    }
}
