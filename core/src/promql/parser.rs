//! The PromQL parser: tokens to an [`Expr`] with spans, then Prometheus's
//! static type check, or a [`ParseError`] that says where and what.
//!
//! The grammar is Prometheus 3.5's (its yacc grammar, `generated_parser.y`),
//! parsed by precedence climbing with the same operator precedences and
//! associativity, the same contextual keywords, and the same messages: a
//! syntax error names the innermost construct Prometheus's error rules name
//! (`unexpected identifier "b" in grouping opts, expected "," or ")"`), and
//! semantic errors found while parsing are kept in order with the first one
//! reported, as Prometheus reports the first of its list.
//!
//! ```
//! use promlab_core::promql::{parse, Expr};
//! let e = parse("sum by (job) (rate(http_requests_total[5m]))").unwrap();
//! assert!(matches!(e, Expr::Aggregate(_)));
//! let q = "rate(up)";
//! let err = parse(q).unwrap_err();
//! assert_eq!(
//!     err.render(q),
//!     "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector\n  rate(up)\n       ^^\n"
//! );
//! ```

use super::ast::*;
use super::functions::{function_by_name, Variadic};
use super::lexer::{go_quote, lex, unquote, Keyword, Token, TokenKind};
use crate::clock::Millis;
use crate::diagnostic::{Diagnostic, Span};
use crate::labels::{MatchOp, Matcher, METRIC_NAME};
use std::collections::{HashMap, VecDeque};
use std::fmt;

/// Switches for the parts of the language Prometheus keeps behind feature
/// flags. The default is Prometheus's default: both off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParseOptions {
    /// `--enable-feature=promql-experimental-functions`: the experimental
    /// functions (`mad_over_time`, `sort_by_label`, `info`, …) and the
    /// `limitk` / `limit_ratio` aggregations.
    pub experimental_functions: bool,
    /// `--enable-feature=promql-duration-expr`: arithmetic in ranges, steps
    /// and offsets (`[5m + 30s]`, `offset (1h * 2)`).
    pub experimental_duration_expressions: bool,
}

impl ParseOptions {
    /// Everything on, as the lab runs (and as Prometheus's test scripts
    /// run).
    pub const LAB: ParseOptions = ParseOptions {
        experimental_functions: true,
        experimental_duration_expressions: true,
    };
}

/// Where a syntax error happened, as Prometheus's error rules name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyntaxContext {
    Aggregation,
    GroupingOpen,
    GroupingLabel,
    GroupingNext,
    Offset,
    At,
    SubqueryRange,
    SubqueryOrRange,
    SubqueryStep,
    SubqueryClose,
    LabelMatchingStart,
    LabelMatchingOperator,
    LabelMatchingValue,
    LabelMatchingNext,
}

impl SyntaxContext {
    /// The construct, after "in".
    pub fn construct(self) -> &'static str {
        use SyntaxContext::*;
        match self {
            Aggregation => "aggregation",
            GroupingOpen | GroupingLabel | GroupingNext => "grouping opts",
            Offset => "offset",
            At => "@",
            SubqueryRange | SubqueryStep | SubqueryClose => "subquery selector",
            SubqueryOrRange => "subquery or range",
            LabelMatchingStart | LabelMatchingOperator | LabelMatchingValue | LabelMatchingNext => {
                "label matching"
            }
        }
    }

    /// What would have been right, after "expected"; empty when Prometheus
    /// says nothing.
    pub fn expected(self) -> &'static str {
        use SyntaxContext::*;
        match self {
            Aggregation => "",
            GroupingOpen => "\"(\"",
            GroupingLabel => "label",
            GroupingNext => "\",\" or \")\"",
            Offset => "number or duration",
            At => "timestamp",
            SubqueryRange => "number or duration",
            SubqueryOrRange => "\":\" or \"]\"",
            SubqueryStep => "number or duration or \"]\"",
            SubqueryClose => "\"]\"",
            LabelMatchingStart => "identifier or \"}\"",
            LabelMatchingOperator => "label matching operator",
            LabelMatchingValue => "string",
            LabelMatchingNext => "\",\" or \"}\"",
        }
    }
}

/// How many arguments a call expected, for [`ParseErrorKind::ArgumentCount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentCount {
    Exactly(usize),
    AtLeast(usize),
    AtMost(usize),
}

/// What went wrong, for tests to assert on; [`fmt::Display`] gives
/// Prometheus's message.
#[derive(Debug, Clone, PartialEq)]
pub enum ParseErrorKind {
    /// The lexer could not read a token (Prometheus's message).
    Lexical(String),
    /// A token the grammar does not allow here.
    Unexpected {
        /// The token as Prometheus describes it: `identifier "x"`, `"("`.
        found: String,
        context: Option<SyntaxContext>,
    },
    /// Only whitespace and comments.
    NoExpression,
    /// More nesting than the parser follows.
    TooDeep,
    InvalidNumber(String),
    InvalidDuration(String),
    InvalidString(String),
    InvalidRegex(String),
    InvalidGroupingLabel(String),
    UnknownFunction(String),
    FunctionNotEnabled(String),
    AggregationNotEnabled(AggregateOp),
    TrailingComma,
    NoAggregationArguments,
    AggregationArgumentCount {
        expected: usize,
        got: usize,
    },
    RangeOnNonSelector,
    OffsetBeforeRange,
    AtBeforeRange,
    OffsetNotAllowed,
    OffsetTwice,
    AtNotAllowed,
    AtTwice,
    TimestampOutOfBounds(f64),
    DurationNotPositive,
    DurationOutOfRange,
    DivisionByZero,
    ModuloByZero,
    DurationExpressionsNotEnabled,
    // The type check.
    /// The metric name given twice (`foo{__name__="bar"}`).
    DuplicateMetricName {
        first: String,
        second: String,
    },
    /// `{}` or only matchers that match the empty string.
    EmptySelector,
    ExpectedType {
        expected: ValueType,
        /// `call to function "rate"`, `aggregation expression`.
        context: String,
        got: ValueType,
    },
    ArgumentCount {
        function: &'static str,
        expected: ArgumentCount,
        got: usize,
    },
    /// `info()`'s second argument must be label matchers only: not a
    /// selector with a metric name (`"vector selector"`, Prometheus's
    /// words) nor another expression.
    InfoLabelSelectorsOnly {
        got: &'static str,
    },
    BoolOnNonComparison,
    ScalarComparisonWithoutBool,
    LabelInOnAndGroup(String),
    BinaryOperandType,
    VectorMatchingOnNonVectors,
    SetOperatorGrouping(BinaryOp),
    SetOperatorNotManyToMany,
    SetOperatorWithScalar(BinaryOp),
    UnaryOperandType(ValueType),
    SubqueryOperandType(ValueType),
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ParseErrorKind::*;
        match self {
            Lexical(m) => f.write_str(m),
            Unexpected { found, context } => {
                write!(f, "unexpected {found}")?;
                if let Some(c) = context {
                    write!(f, " in {}", c.construct())?;
                    if !c.expected().is_empty() {
                        write!(f, ", expected {}", c.expected())?;
                    }
                }
                Ok(())
            }
            NoExpression => f.write_str("no expression found in input"),
            TooDeep => f.write_str("expression nested too deeply"),
            InvalidNumber(m) => write!(f, "error parsing number: {m}"),
            InvalidDuration(m) | InvalidString(m) | InvalidRegex(m) => f.write_str(m),
            InvalidGroupingLabel(l) => {
                write!(f, "invalid label name for grouping: {}", go_quote(l))
            }
            UnknownFunction(n) => write!(f, "unknown function with name {}", go_quote(n)),
            FunctionNotEnabled(n) => write!(f, "function {} is not enabled", go_quote(n)),
            AggregationNotEnabled(op) => write!(
                f,
                "{}() is experimental and must be enabled with --enable-feature=promql-experimental-functions",
                op.as_str()
            ),
            TrailingComma => f.write_str("trailing commas not allowed in function call args"),
            NoAggregationArguments => f.write_str("no arguments for aggregate expression provided"),
            AggregationArgumentCount { expected, got } => write!(
                f,
                "wrong number of arguments for aggregate expression provided, expected {expected}, got {got}"
            ),
            RangeOnNonSelector => f.write_str("ranges only allowed for vector selectors"),
            OffsetBeforeRange => f.write_str("no offset modifiers allowed before range"),
            AtBeforeRange => f.write_str("no @ modifiers allowed before range"),
            OffsetNotAllowed => f.write_str(
                "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
            ),
            OffsetTwice => f.write_str("offset may not be set multiple times"),
            AtNotAllowed => f.write_str(
                "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
            ),
            AtTwice => f.write_str("@ <timestamp> may not be set multiple times"),
            TimestampOutOfBounds(ts) => write!(
                f,
                "timestamp out of bounds for @ modifier: {}",
                go_fixed6(*ts)
            ),
            DurationNotPositive => f.write_str("duration must be greater than 0"),
            DurationOutOfRange => f.write_str("duration out of range"),
            DivisionByZero => f.write_str("division by zero"),
            ModuloByZero => f.write_str("modulo by zero"),
            DurationExpressionsNotEnabled => {
                f.write_str("experimental duration expression is not enabled")
            }
            DuplicateMetricName { first, second } => write!(
                f,
                "metric name must not be set twice: {} or {}",
                go_quote(first),
                go_quote(second)
            ),
            EmptySelector => {
                f.write_str("vector selector must contain at least one non-empty matcher")
            }
            ExpectedType {
                expected,
                context,
                got,
            } => write!(
                f,
                "expected type {} in {context}, got {}",
                expected.describe(),
                got.describe()
            ),
            ArgumentCount {
                function,
                expected,
                got,
            } => {
                let (how, n) = match expected {
                    self::ArgumentCount::Exactly(n) => ("", n),
                    self::ArgumentCount::AtLeast(n) => ("at least ", n),
                    self::ArgumentCount::AtMost(n) => ("at most ", n),
                };
                write!(
                    f,
                    "expected {how}{n} argument(s) in call to {}, got {got}",
                    go_quote(function)
                )
            }
            InfoLabelSelectorsOnly { got } => {
                write!(f, "expected label selectors only, got {got} instead")
            }
            BoolOnNonComparison => {
                f.write_str("bool modifier can only be used on comparison operators")
            }
            ScalarComparisonWithoutBool => {
                f.write_str("comparisons between scalars must use BOOL modifier")
            }
            LabelInOnAndGroup(l) => write!(
                f,
                "label {} must not occur in ON and GROUP clause at once",
                go_quote(l)
            ),
            BinaryOperandType => {
                f.write_str("binary expression must contain only scalar and instant vector types")
            }
            VectorMatchingOnNonVectors => {
                f.write_str("vector matching only allowed between instant vectors")
            }
            SetOperatorGrouping(op) => {
                write!(f, "no grouping allowed for {} operation", go_quote(op.as_str()))
            }
            SetOperatorNotManyToMany => f.write_str("set operations must always be many-to-many"),
            SetOperatorWithScalar(op) => write!(
                f,
                "set operator {} not allowed in binary scalar expression",
                go_quote(op.as_str())
            ),
            UnaryOperandType(t) => write!(
                f,
                "unary expression only allowed on expressions of type scalar or instant vector, got {}",
                go_quote(t.describe())
            ),
            SubqueryOperandType(t) => write!(
                f,
                "subquery is only allowed on instant vector, got {} instead",
                t.api_name()
            ),
        }
    }
}

/// Go's `%f`: six decimals, `+Inf`, `-Inf`, `NaN`.
fn go_fixed6(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{v:.6}")
    }
}

/// A query that does not parse or does not type-check.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub span: Span,
}

impl ParseError {
    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.kind.to_string())
    }

    /// `line:col` as Prometheus writes it: the column counts bytes from the
    /// start of the line; an empty query has `unknown position`.
    pub fn position(&self, query: &str) -> String {
        if query.is_empty() {
            return "unknown position".into();
        }
        let pos = self.span.start.min(query.len());
        let before = query.as_bytes().get(..pos).unwrap_or_default();
        let line = 1 + before.iter().filter(|b| **b == b'\n').count();
        let col = match before.iter().rposition(|b| *b == b'\n') {
            Some(nl) => pos - nl,
            None => pos + 1,
        };
        format!("{line}:{col}")
    }

    /// Prometheus's `line:col: parse error: message`, then the query's line
    /// with a caret under the span, for the command line.
    pub fn render(&self, query: &str) -> String {
        let rendered = self.to_diagnostic().render(query);
        let rest = rendered.split_once('\n').map_or("", |(_, r)| r);
        format!(
            "{}: parse error: {}\n{rest}",
            self.position(query),
            self.kind
        )
    }
}

impl fmt::Display for ParseError {
    /// Without the query only the message can be given; use
    /// [`ParseError::render`] or [`ParseError::position`] for `line:col`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "parse error: {}", self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Parses and type-checks a whole query with everything the lab enables
/// ([`ParseOptions::LAB`]).
pub fn parse(query: &str) -> Result<Expr, ParseError> {
    parse_with(query, &ParseOptions::LAB)
}

/// Parses and type-checks a whole query.
pub fn parse_with(query: &str, options: &ParseOptions) -> Result<Expr, ParseError> {
    let mut p = Parser {
        src: query,
        tokens: lex(query),
        pos: 0,
        options: *options,
        errors: Vec::new(),
        contexts: Vec::new(),
        last_closing: 0,
        nesting: 0,
        depth: 0,
        closing_parens: VecDeque::new(),
        prometheus_ends: HashMap::new(),
    };
    let parsed = p.top();
    match parsed {
        Ok(mut expr) if p.errors.is_empty() => {
            let mut checker = Checker {
                src: query,
                errors: Vec::new(),
                prometheus_ends: p.prometheus_ends,
            };
            checker.check(&mut expr);
            match checker.errors.into_iter().next() {
                Some(e) => Err(e),
                None => Ok(expr),
            }
        }
        _ => Err(p.errors.into_iter().next().unwrap_or(ParseError {
            kind: ParseErrorKind::NoExpression,
            span: Span::at(0),
        })),
    }
}

/// Parsing stopped at a syntax error, which is in the parser's list.
struct Stop;

type PResult<T> = Result<T, Stop>;

/// How deeply expressions may nest (parentheses, calls, aggregations,
/// signs), so that no input exhausts the parser's stack: in WebAssembly the
/// stack is small.
pub const MAX_NESTING: usize = 64;
/// How deep a tree may grow, each operator of a chain (`a + b + c`)
/// counting one level, so that code walking the tree stays within the
/// stack too.
pub const MAX_DEPTH: usize = 256;

/// A range, step or offset while it is parsed: Prometheus keeps a plain
/// number apart from arithmetic.
enum Dur {
    Num(NumberLiteral),
    Expr(DurationExpr),
}

impl Dur {
    fn span(&self) -> Span {
        match self {
            Dur::Num(n) => n.span,
            Dur::Expr(e) => e.span,
        }
    }

    fn into_expr(self) -> DurationExpr {
        match self {
            Dur::Num(n) => DurationExpr {
                span: n.span,
                kind: DurationExprKind::Number(n),
                wrapped: false,
            },
            Dur::Expr(e) => e,
        }
    }

    fn into_duration(self) -> Duration {
        match self {
            Dur::Num(n) => Duration::Millis(seconds_to_millis(n.value)),
            Dur::Expr(e) => Duration::Expr(e),
        }
    }
}

/// Seconds to milliseconds as Prometheus converts them: rounded to
/// nanoseconds, then truncated to milliseconds.
fn seconds_to_millis(s: f64) -> Millis {
    let ns = (s * 1e9).round() as i64;
    ns / 1_000_000
}

/// Prometheus holds durations as nanoseconds in an i64.
fn duration_in_range(seconds: f64) -> bool {
    let limit = 9_223_372_036.854_776; // 2^63 / 1e9
    (-limit..=limit).contains(&seconds)
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    options: ParseOptions,
    errors: Vec<ParseError>,
    /// The enclosing constructs with error rules, innermost last.
    contexts: Vec<SyntaxContext>,
    /// End of the last `)`, `]`, `}`, number or duration read: where a
    /// modifier ends its selector.
    last_closing: usize,
    /// How many [`Parser::nested`] calls are open.
    nesting: usize,
    /// How deep the tree being built is.
    depth: usize,
    /// Ends of the `)` read and not yet claimed, oldest first. Prometheus's
    /// parser ends a call or an aggregation at the oldest unclaimed `)`,
    /// which is not always its own (an `on (...)` or `@ start()` inside
    /// leaves one); where it reports an operator depends on that end.
    closing_parens: VecDeque<usize>,
    /// Those ends, by the span of the call or aggregation.
    prometheus_ends: HashMap<(usize, usize), usize>,
}

fn binary_op(kind: TokenKind) -> Option<BinaryOp> {
    Some(match kind {
        TokenKind::Add => BinaryOp::Add,
        TokenKind::Sub => BinaryOp::Sub,
        TokenKind::Mul => BinaryOp::Mul,
        TokenKind::Div => BinaryOp::Div,
        TokenKind::Mod => BinaryOp::Mod,
        TokenKind::Pow => BinaryOp::Pow,
        TokenKind::Eql => BinaryOp::Eql,
        TokenKind::Neq => BinaryOp::Neq,
        TokenKind::Gtr => BinaryOp::Gtr,
        TokenKind::Lss => BinaryOp::Lss,
        TokenKind::Gte => BinaryOp::Gte,
        TokenKind::Lte => BinaryOp::Lte,
        TokenKind::Keyword(Keyword::And) => BinaryOp::And,
        TokenKind::Keyword(Keyword::Or) => BinaryOp::Or,
        TokenKind::Keyword(Keyword::Unless) => BinaryOp::Unless,
        TokenKind::Keyword(Keyword::Atan2) => BinaryOp::Atan2,
        _ => return None,
    })
}

fn duration_op(kind: TokenKind) -> Option<DurationOp> {
    Some(match kind {
        TokenKind::Add => DurationOp::Add,
        TokenKind::Sub => DurationOp::Sub,
        TokenKind::Mul => DurationOp::Mul,
        TokenKind::Div => DurationOp::Div,
        TokenKind::Mod => DurationOp::Mod,
        TokenKind::Pow => DurationOp::Pow,
        _ => return None,
    })
}

fn aggregate_op(k: Keyword) -> Option<AggregateOp> {
    Some(match k {
        Keyword::Sum => AggregateOp::Sum,
        Keyword::Avg => AggregateOp::Avg,
        Keyword::Count => AggregateOp::Count,
        Keyword::Min => AggregateOp::Min,
        Keyword::Max => AggregateOp::Max,
        Keyword::Group => AggregateOp::Group,
        Keyword::Stddev => AggregateOp::Stddev,
        Keyword::Stdvar => AggregateOp::Stdvar,
        Keyword::Topk => AggregateOp::Topk,
        Keyword::Bottomk => AggregateOp::Bottomk,
        Keyword::CountValues => AggregateOp::CountValues,
        Keyword::Quantile => AggregateOp::Quantile,
        Keyword::Limitk => AggregateOp::Limitk,
        Keyword::LimitRatio => AggregateOp::LimitRatio,
        _ => return None,
    })
}

/// Keywords that may name a metric where an expression starts.
fn is_metric_keyword(k: Keyword) -> bool {
    aggregate_op(k).is_some()
        || matches!(
            k,
            Keyword::By
                | Keyword::And
                | Keyword::Or
                | Keyword::Unless
                | Keyword::Offset
                | Keyword::Without
                | Keyword::Start
                | Keyword::End
        )
}

/// Tokens an expression can start with.
fn starts_expression(kind: TokenKind) -> bool {
    match kind {
        TokenKind::Number
        | TokenKind::Duration
        | TokenKind::String
        | TokenKind::LeftParen
        | TokenKind::LeftBrace
        | TokenKind::Identifier
        | TokenKind::MetricIdentifier
        | TokenKind::Add
        | TokenKind::Sub => true,
        TokenKind::Keyword(k) => is_metric_keyword(k),
        _ => false,
    }
}

/// Tokens that may name a label in `by (...)` and the other label lists.
fn is_grouping_label(kind: TokenKind) -> bool {
    match kind {
        TokenKind::Identifier | TokenKind::MetricIdentifier => true,
        TokenKind::Keyword(k) => k != Keyword::Without,
        _ => false,
    }
}

/// What a modifier can attach to.
enum Target<'e> {
    Selector(&'e mut VectorSelector),
    Subquery(&'e mut Subquery),
}

impl Parser<'_> {
    // --- tokens -------------------------------------------------------

    fn token(&self, at: usize) -> Token {
        self.tokens
            .get(at)
            .or(self.tokens.last())
            .cloned()
            .unwrap_or(Token {
                kind: TokenKind::Eof,
                span: Span::at(self.src.len()),
                error: None,
            })
    }

    /// The next token; reading a lexical error reports it, as reading it
    /// does in Prometheus's parser.
    fn peek(&mut self) -> PResult<Token> {
        let t = self.token(self.pos);
        if t.kind == TokenKind::Error {
            return Err(self.lexical(&t));
        }
        Ok(t)
    }

    fn peek_kind(&mut self) -> PResult<TokenKind> {
        Ok(self.peek()?.kind)
    }

    /// The kind of the token after the next one.
    fn peek2_kind(&mut self) -> PResult<TokenKind> {
        self.peek()?;
        let t = self.token(self.pos + 1);
        if t.kind == TokenKind::Error {
            return Err(self.lexical(&t));
        }
        Ok(t.kind)
    }

    fn advance(&mut self) -> PResult<Token> {
        let t = self.peek()?;
        if t.kind != TokenKind::Eof {
            self.pos += 1;
        }
        if t.kind == TokenKind::RightParen {
            self.closing_parens.push_back(t.span.end);
        }
        if matches!(
            t.kind,
            TokenKind::RightParen
                | TokenKind::RightBrace
                | TokenKind::RightBracket
                | TokenKind::Number
                | TokenKind::Duration
        ) {
            self.last_closing = t.span.end;
        }
        Ok(t)
    }

    fn text(&self, t: &Token) -> &str {
        t.text(self.src)
    }

    // --- errors -------------------------------------------------------

    fn lexical(&mut self, t: &Token) -> Stop {
        self.errors.push(ParseError {
            kind: ParseErrorKind::Lexical(t.error.clone().unwrap_or_default()),
            span: t.span,
        });
        Stop
    }

    /// A syntax error at the next token, in `context` or else the innermost
    /// enclosing construct.
    fn unexpected<T>(&mut self, context: Option<SyntaxContext>) -> PResult<T> {
        let t = self.peek()?;
        let context = context.or_else(|| self.contexts.last().copied());
        self.errors.push(ParseError {
            kind: ParseErrorKind::Unexpected {
                found: t.describe(self.src),
                context,
            },
            span: t.span,
        });
        Err(Stop)
    }

    /// An error that does not stop parsing (Prometheus collects these and
    /// reports the first).
    fn semantic(&mut self, kind: ParseErrorKind, span: Span) {
        self.errors.push(ParseError { kind, span });
    }

    fn with_context<T>(
        &mut self,
        context: SyntaxContext,
        f: impl FnOnce(&mut Self) -> PResult<T>,
    ) -> PResult<T> {
        self.contexts.push(context);
        let r = f(self);
        self.contexts.pop();
        r
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        if self.nesting >= MAX_NESTING || self.depth >= MAX_DEPTH {
            let t = self.peek()?;
            self.semantic(ParseErrorKind::TooDeep, t.span);
            return Err(Stop);
        }
        self.nesting += 1;
        self.depth += 1;
        let r = f(self);
        self.nesting -= 1;
        self.depth -= 1;
        r
    }

    // --- expressions ----------------------------------------------------

    fn top(&mut self) -> PResult<Expr> {
        if self.peek_kind()? == TokenKind::Eof {
            self.semantic(ParseErrorKind::NoExpression, Span::at(0));
            return Err(Stop);
        }
        let e = self.expr(0)?;
        if self.peek_kind()? != TokenKind::Eof {
            return self.unexpected(None);
        }
        Ok(e)
    }

    /// An expression whose binary operators bind at least as tightly as
    /// `min_prec`, with the modifiers and brackets that follow its parts.
    fn expr(&mut self, min_prec: u8) -> PResult<Expr> {
        self.nested(|p| {
            let mut lhs = p.unary()?;
            let base_depth = p.depth;
            let r = p.binary_chain(&mut lhs, min_prec);
            p.depth = base_depth;
            r.map(|()| lhs)
        })
    }

    /// The modifiers, brackets and binary operators after `lhs`, folded
    /// into it. Modifiers and brackets bind tighter than any operator, as
    /// in Prometheus's grammar (`-a offset 5m` is `-(a offset 5m)`).
    fn binary_chain(&mut self, lhs: &mut Expr, min_prec: u8) -> PResult<()> {
        loop {
            let t = self.peek()?;
            let taken = |lhs: &mut Expr| std::mem::replace(lhs, placeholder(t.span));
            match t.kind {
                TokenKind::LeftBracket => *lhs = self.range_or_subquery(taken(lhs))?,
                TokenKind::Keyword(Keyword::Offset) => *lhs = self.offset(taken(lhs))?,
                TokenKind::At => *lhs = self.at(taken(lhs))?,
                kind => {
                    let Some(op) = binary_op(kind) else {
                        return Ok(());
                    };
                    let prec = op.precedence();
                    if prec < min_prec {
                        return Ok(());
                    }
                    self.depth += 1;
                    if self.depth >= MAX_DEPTH {
                        self.semantic(ParseErrorKind::TooDeep, t.span);
                        return Err(Stop);
                    }
                    self.advance()?;
                    let (return_bool, matching) = self.bin_modifiers()?;
                    let next_min = if op.is_right_associative() {
                        prec
                    } else {
                        prec + 1
                    };
                    let rhs = self.expr(next_min)?;
                    let span = lhs.span().to(rhs.span());
                    *lhs = Expr::Binary(Binary {
                        op,
                        lhs: Box::new(taken(lhs)),
                        rhs: Box::new(rhs),
                        return_bool,
                        matching: Some(matching),
                        span,
                    });
                }
            }
        }
    }

    /// `+x`, `-x` (binding like `*`, so `-a ^ b` is `-(a ^ b)`), or a
    /// primary expression. A sign before a number becomes part of it.
    fn unary(&mut self) -> PResult<Expr> {
        let t = self.peek()?;
        let op = match t.kind {
            TokenKind::Add => UnaryOp::Plus,
            TokenKind::Sub => UnaryOp::Minus,
            _ => return self.primary(),
        };
        self.advance()?;
        let operand = self.expr(BinaryOp::Pow.precedence())?;
        let span = t.span.to(operand.span());
        Ok(match operand {
            Expr::NumberLiteral(mut n) => {
                if op == UnaryOp::Minus {
                    n.value = -n.value;
                }
                n.span = span;
                Expr::NumberLiteral(n)
            }
            other => Expr::Unary(Unary {
                op,
                expr: Box::new(other),
                span,
            }),
        })
    }

    fn primary(&mut self) -> PResult<Expr> {
        let t = self.peek()?;
        match t.kind {
            TokenKind::Number | TokenKind::Duration => {
                self.advance()?;
                Ok(Expr::NumberLiteral(self.number_literal(&t)))
            }
            TokenKind::String => {
                self.advance()?;
                let value = self.string_value(&t);
                Ok(Expr::StringLiteral(StringLiteral {
                    value,
                    span: t.span,
                }))
            }
            TokenKind::LeftParen => {
                self.advance()?;
                let inner = self.expr(0)?;
                if self.peek_kind()? != TokenKind::RightParen {
                    return self.unexpected(None);
                }
                let close = self.advance()?;
                self.closing_parens.pop_front();
                Ok(Expr::Paren(Paren {
                    expr: Box::new(inner),
                    span: t.span.to(close.span),
                }))
            }
            TokenKind::LeftBrace => self.selector(None),
            TokenKind::Identifier => {
                if self.peek2_kind()? == TokenKind::LeftParen {
                    return self.call();
                }
                self.advance()?;
                self.selector(Some(t))
            }
            TokenKind::MetricIdentifier => {
                self.advance()?;
                self.selector(Some(t))
            }
            TokenKind::Keyword(k) => {
                if let Some(op) = aggregate_op(k) {
                    if matches!(
                        self.peek2_kind()?,
                        TokenKind::LeftParen
                            | TokenKind::Keyword(Keyword::By)
                            | TokenKind::Keyword(Keyword::Without)
                    ) {
                        return self.aggregate(op);
                    }
                }
                if is_metric_keyword(k) {
                    self.advance()?;
                    return self.selector(Some(t));
                }
                self.unexpected(None)
            }
            _ => self.unexpected(None),
        }
    }

    // --- literals -------------------------------------------------------

    fn number_literal(&mut self, t: &Token) -> NumberLiteral {
        let text = self.text(t).to_string();
        let (value, duration) = if t.kind == TokenKind::Duration {
            match parse_go_duration(&text) {
                Ok(s) => (s, true),
                Err(m) => {
                    self.semantic(ParseErrorKind::InvalidDuration(m), t.span);
                    (0.0, true)
                }
            }
        } else {
            match parse_go_number(&text) {
                Ok(v) => (v, false),
                Err(m) => {
                    self.semantic(ParseErrorKind::InvalidNumber(m), t.span);
                    (0.0, false)
                }
            }
        };
        NumberLiteral {
            value,
            duration,
            span: t.span,
        }
    }

    fn string_value(&mut self, t: &Token) -> String {
        match unquote(self.text(t)) {
            Ok(s) => s,
            Err((_, message)) => {
                self.semantic(ParseErrorKind::InvalidString(message), t.span);
                String::new()
            }
        }
    }

    // --- selectors ------------------------------------------------------

    /// After an optional metric name: `{ matchers }` or nothing.
    fn selector(&mut self, name: Option<Token>) -> PResult<Expr> {
        let mut matchers = Vec::new();
        let mut span = name.as_ref().map(|t| t.span);
        if self.peek_kind()? == TokenKind::LeftBrace {
            let open = self.advance()?;
            let close = self.matchers(&mut matchers)?;
            let braces = open.span.to(close);
            span = Some(span.map_or(braces, |s| s.to(braces)));
        }
        let name = name.map(|t| self.text(&t).to_string());
        if let Some(n) = &name {
            matchers.push(Matcher::equal(METRIC_NAME, n.clone()));
        }
        Ok(Expr::VectorSelector(VectorSelector {
            name,
            matchers,
            offset: None,
            at: None,
            span: span.unwrap_or_default(),
        }))
    }

    /// The matchers after `{`, through `}`; returns the span of `}`.
    fn matchers(&mut self, out: &mut Vec<Matcher>) -> PResult<Span> {
        loop {
            let t = self.peek()?;
            match t.kind {
                TokenKind::RightBrace => {
                    self.advance()?;
                    return Ok(t.span);
                }
                TokenKind::Identifier | TokenKind::String => {
                    self.advance()?;
                    let label = if t.kind == TokenKind::String {
                        self.string_value(&t)
                    } else {
                        self.text(&t).to_string()
                    };
                    let op = match self.peek_kind()? {
                        TokenKind::Assign => Some(MatchOp::Equal),
                        TokenKind::Neq => Some(MatchOp::NotEqual),
                        TokenKind::EqlRegex => Some(MatchOp::Regex),
                        TokenKind::NeqRegex => Some(MatchOp::NotRegex),
                        _ => None,
                    };
                    match op {
                        Some(op) => {
                            self.advance()?;
                            let v = self.peek()?;
                            if v.kind != TokenKind::String {
                                return self.unexpected(Some(SyntaxContext::LabelMatchingValue));
                            }
                            self.advance()?;
                            let value = self.string_value(&v);
                            match Matcher::new(label, op, value) {
                                Ok(m) => out.push(m),
                                Err(e) => self
                                    .semantic(ParseErrorKind::InvalidRegex(e), t.span.to(v.span)),
                            }
                        }
                        // A lone quoted string is the metric name.
                        None if t.kind == TokenKind::String => {
                            out.push(Matcher::equal(METRIC_NAME, label));
                        }
                        None => return self.unexpected(Some(SyntaxContext::LabelMatchingOperator)),
                    }
                }
                _ => return self.unexpected(Some(SyntaxContext::LabelMatchingStart)),
            }
            match self.peek_kind()? {
                TokenKind::Comma => {
                    self.advance()?;
                }
                TokenKind::RightBrace => {}
                _ => return self.unexpected(Some(SyntaxContext::LabelMatchingNext)),
            }
        }
    }

    // --- calls and aggregations -------------------------------------------

    fn call(&mut self) -> PResult<Expr> {
        let name_tok = self.advance()?;
        let (args, close) = self.call_body()?;
        let name = self.text(&name_tok).to_string();
        let span = name_tok.span.to(close);
        if let Some(end) = self.closing_parens.pop_front() {
            self.prometheus_ends.insert((span.start, span.end), end);
        }
        let Some(func) = function_by_name(&name) else {
            self.semantic(ParseErrorKind::UnknownFunction(name), name_tok.span);
            return Ok(placeholder(span));
        };
        if func.experimental && !self.options.experimental_functions {
            self.semantic(ParseErrorKind::FunctionNotEnabled(name), name_tok.span);
        }
        Ok(Expr::Call(Call { func, args, span }))
    }

    /// `( args )`; returns the arguments and the span of `)`.
    fn call_body(&mut self) -> PResult<(Vec<Expr>, Span)> {
        // The caller has seen `(` (or reports its absence).
        if self.peek_kind()? != TokenKind::LeftParen {
            return self.unexpected(None);
        }
        self.advance()?;
        let mut args = Vec::new();
        if self.peek_kind()? == TokenKind::RightParen {
            let close = self.advance()?;
            return Ok((args, close.span));
        }
        loop {
            args.push(self.expr(0)?);
            loop {
                let t = self.peek()?;
                match t.kind {
                    TokenKind::RightParen => {
                        self.advance()?;
                        return Ok((args, t.span));
                    }
                    TokenKind::Comma => {
                        self.advance()?;
                        // Whatever cannot start an argument makes the comma
                        // a trailing one, as in Prometheus.
                        if !starts_expression(self.peek_kind()?) {
                            self.semantic(ParseErrorKind::TrailingComma, t.span);
                            continue;
                        }
                        break;
                    }
                    _ => return self.unexpected(None),
                }
            }
        }
    }

    fn aggregate(&mut self, op: AggregateOp) -> PResult<Expr> {
        let op_tok = self.advance()?;
        let (args, close, grouping, without, grouping_absent) =
            self.with_context(SyntaxContext::Aggregation, |p| {
                let mut modifier = p.aggregate_modifier()?;
                let (args, mut close) = p.call_body()?;
                if modifier.is_none() {
                    modifier = p.aggregate_modifier()?;
                    if modifier.is_some() {
                        close = Span::at(p.last_closing);
                    }
                }
                let absent = modifier.is_none();
                let (grouping, without) = modifier.unwrap_or_default();
                Ok((args, close, grouping, without, absent))
            })?;
        let span = op_tok.span.to(close);
        if !grouping_absent && self.closing_parens.len() > 1 {
            self.closing_parens.pop_front();
        }
        if let Some(end) = self.closing_parens.pop_front() {
            self.prometheus_ends.insert((span.start, span.end), end);
        }
        if args.is_empty() {
            self.semantic(ParseErrorKind::NoAggregationArguments, span);
            return Ok(placeholder(span));
        }
        let wanted = if op.has_param() {
            if op.is_experimental() && !self.options.experimental_functions {
                self.semantic(ParseErrorKind::AggregationNotEnabled(op), span);
                return Ok(placeholder(span));
            }
            2
        } else {
            1
        };
        if args.len() != wanted {
            self.semantic(
                ParseErrorKind::AggregationArgumentCount {
                    expected: wanted,
                    got: args.len(),
                },
                span,
            );
            return Ok(placeholder(span));
        }
        let mut args = args.into_iter();
        let param = if wanted == 2 {
            args.next().map(Box::new)
        } else {
            None
        };
        let Some(expr) = args.next() else {
            return Ok(placeholder(span));
        };
        Ok(Expr::Aggregate(Aggregate {
            op,
            expr: Box::new(expr),
            param,
            grouping,
            without,
            span,
        }))
    }

    /// `by (...)` or `without (...)`, when there.
    fn aggregate_modifier(&mut self) -> PResult<Option<(Vec<String>, bool)>> {
        let without = match self.peek_kind()? {
            TokenKind::Keyword(Keyword::By) => false,
            TokenKind::Keyword(Keyword::Without) => true,
            _ => return Ok(None),
        };
        self.advance()?;
        Ok(Some((self.grouping_labels()?, without)))
    }

    /// `( label, ... )` after `by`, `without`, `on`, `ignoring`,
    /// `group_left`, `group_right`.
    fn grouping_labels(&mut self) -> PResult<Vec<String>> {
        if self.peek_kind()? != TokenKind::LeftParen {
            return self.unexpected(Some(SyntaxContext::GroupingOpen));
        }
        self.advance()?;
        let mut labels = Vec::new();
        if self.peek_kind()? == TokenKind::RightParen {
            self.advance()?;
            return Ok(labels);
        }
        loop {
            let t = self.peek()?;
            if is_grouping_label(t.kind) {
                self.advance()?;
                labels.push(self.text(&t).to_string());
            } else if t.kind == TokenKind::String {
                self.advance()?;
                let label = self.string_value(&t);
                if label.is_empty() {
                    self.semantic(ParseErrorKind::InvalidGroupingLabel(label.clone()), t.span);
                }
                labels.push(label);
            } else {
                return self.unexpected(Some(SyntaxContext::GroupingLabel));
            }
            match self.peek_kind()? {
                TokenKind::Comma => {
                    self.advance()?;
                    if self.peek_kind()? == TokenKind::RightParen {
                        self.advance()?;
                        return Ok(labels);
                    }
                }
                TokenKind::RightParen => {
                    self.advance()?;
                    return Ok(labels);
                }
                _ => return self.unexpected(Some(SyntaxContext::GroupingNext)),
            }
        }
    }

    /// `bool`, `on (...)` / `ignoring (...)`, `group_left (...)` /
    /// `group_right (...)` after a binary operator.
    fn bin_modifiers(&mut self) -> PResult<(bool, VectorMatching)> {
        let mut matching = VectorMatching {
            card: VectorMatchCardinality::OneToOne,
            labels: Vec::new(),
            on: false,
            include: Vec::new(),
        };
        let return_bool = self.peek_kind()? == TokenKind::Keyword(Keyword::Bool);
        if return_bool {
            self.advance()?;
        }
        let on = match self.peek_kind()? {
            TokenKind::Keyword(Keyword::On) => true,
            TokenKind::Keyword(Keyword::Ignoring) => false,
            _ => return Ok((return_bool, matching)),
        };
        self.advance()?;
        matching.on = on;
        matching.labels = self.grouping_labels()?;
        matching.card = match self.peek_kind()? {
            TokenKind::Keyword(Keyword::GroupLeft) => VectorMatchCardinality::ManyToOne,
            TokenKind::Keyword(Keyword::GroupRight) => VectorMatchCardinality::OneToMany,
            _ => return Ok((return_bool, matching)),
        };
        self.advance()?;
        if self.peek_kind()? == TokenKind::LeftParen {
            matching.include = self.grouping_labels()?;
        }
        Ok((return_bool, matching))
    }

    // --- ranges, subqueries and modifiers ---------------------------------

    fn range_or_subquery(&mut self, target: Expr) -> PResult<Expr> {
        let open = self.advance()?;
        let range = self.with_context(SyntaxContext::SubqueryRange, |p| p.positive_duration())?;
        let t = self.peek()?;
        match t.kind {
            TokenKind::RightBracket => {
                self.advance()?;
                let brackets = open.span.to(t.span);
                let problem = match &target {
                    Expr::VectorSelector(vs) => {
                        if matches!(vs.offset, Some(Duration::Millis(_))) {
                            Some(ParseErrorKind::OffsetBeforeRange)
                        } else if matches!(vs.at, Some(AtModifier::Timestamp(_))) {
                            Some(ParseErrorKind::AtBeforeRange)
                        } else {
                            None
                        }
                    }
                    _ => Some(ParseErrorKind::RangeOnNonSelector),
                };
                if let Some(kind) = problem {
                    self.semantic(kind, brackets);
                }
                let span = target.span().to(brackets);
                Ok(match target {
                    Expr::VectorSelector(selector) => Expr::MatrixSelector(MatrixSelector {
                        selector,
                        range: range.into_duration(),
                        span,
                    }),
                    _ => placeholder(span),
                })
            }
            TokenKind::Colon => {
                self.advance()?;
                let step = if self.peek_kind()? == TokenKind::RightBracket {
                    None
                } else {
                    let step =
                        self.with_context(SyntaxContext::SubqueryStep, |p| p.positive_duration())?;
                    if self.peek_kind()? != TokenKind::RightBracket {
                        return self.unexpected(Some(SyntaxContext::SubqueryClose));
                    }
                    Some(step.into_duration())
                };
                let close = self.advance()?;
                let span = target.span().to(close.span);
                Ok(Expr::Subquery(Subquery {
                    expr: Box::new(target),
                    range: range.into_duration(),
                    step,
                    offset: None,
                    at: None,
                    span,
                }))
            }
            _ => self.unexpected(Some(SyntaxContext::SubqueryOrRange)),
        }
    }

    /// A range or step: a duration expression whose plain-number value must
    /// be positive.
    fn positive_duration(&mut self) -> PResult<Dur> {
        let d = self.duration_expr(0)?;
        if let Dur::Num(n) = &d {
            if n.value <= 0.0 {
                let span = n.span;
                self.semantic(ParseErrorKind::DurationNotPositive, span);
                return Ok(Dur::Num(zero_literal(span)));
            }
        }
        Ok(d)
    }

    fn duration_expr(&mut self, min_prec: u8) -> PResult<Dur> {
        self.nested(|p| {
            let mut lhs = p.duration_unary()?;
            loop {
                let t = p.peek()?;
                let Some(op) = duration_op(t.kind) else { break };
                let prec = op.precedence();
                if prec < min_prec {
                    break;
                }
                p.advance()?;
                let rhs = p.duration_expr(if op == DurationOp::Pow {
                    prec
                } else {
                    prec + 1
                })?;
                p.require_duration_expressions(lhs.span());
                let zero_rhs = matches!(&rhs, Dur::Num(n) if n.value == 0.0);
                if zero_rhs && op == DurationOp::Div {
                    p.semantic(ParseErrorKind::DivisionByZero, t.span);
                    lhs = Dur::Num(zero_literal(t.span));
                    continue;
                }
                if zero_rhs && op == DurationOp::Mod {
                    p.semantic(ParseErrorKind::ModuloByZero, t.span);
                    lhs = Dur::Num(zero_literal(t.span));
                    continue;
                }
                let span = lhs.span().to(rhs.span());
                lhs = Dur::Expr(DurationExpr {
                    kind: DurationExprKind::Binary {
                        op,
                        lhs: Box::new(lhs.into_expr()),
                        rhs: Box::new(rhs.into_expr()),
                    },
                    wrapped: false,
                    span,
                });
            }
            Ok(lhs)
        })
    }

    fn duration_unary(&mut self) -> PResult<Dur> {
        let t = self.peek()?;
        match t.kind {
            TokenKind::Add | TokenKind::Sub => {
                self.advance()?;
                let operand = self.duration_expr(DurationOp::Pow.precedence())?;
                Ok(self.signed_duration(&t, operand))
            }
            TokenKind::Number | TokenKind::Duration => {
                self.advance()?;
                let n = self.number_literal(&t);
                Ok(Dur::Num(self.duration_literal_in_range(n, t.span)))
            }
            TokenKind::LeftParen => {
                self.advance()?;
                let inner = self.duration_expr(0)?;
                if self.peek_kind()? != TokenKind::RightParen {
                    return self.unexpected(None);
                }
                let close = self.advance()?;
                self.require_duration_expressions(inner.span());
                Ok(match inner {
                    Dur::Expr(mut e) => {
                        e.wrapped = true;
                        e.span = t.span.to(close.span);
                        Dur::Expr(e)
                    }
                    num => num,
                })
            }
            _ => self.unexpected(None),
        }
    }

    /// `+d` or `-d`: a number takes the sign, arithmetic is negated.
    fn signed_duration(&mut self, sign: &Token, operand: Dur) -> Dur {
        let negative = sign.kind == TokenKind::Sub;
        match operand {
            Dur::Num(mut n) => {
                if negative {
                    n.value = -n.value;
                }
                n.span = sign.span.to(n.span);
                Dur::Num(self.duration_literal_in_range(n, sign.span))
            }
            Dur::Expr(e) if negative => Dur::Expr(DurationExpr {
                span: sign.span.to(e.span),
                kind: DurationExprKind::Negate(Box::new(e)),
                wrapped: false,
            }),
            Dur::Expr(e) => Dur::Expr(e),
        }
    }

    fn duration_literal_in_range(&mut self, n: NumberLiteral, error_at: Span) -> NumberLiteral {
        if duration_in_range(n.value) {
            return n;
        }
        self.semantic(ParseErrorKind::DurationOutOfRange, error_at);
        zero_literal(n.span)
    }

    fn require_duration_expressions(&mut self, at: Span) {
        if !self.options.experimental_duration_expressions {
            self.semantic(ParseErrorKind::DurationExpressionsNotEnabled, at);
        }
    }

    fn offset(&mut self, mut target: Expr) -> PResult<Expr> {
        self.advance()?;
        let d = self.with_context(SyntaxContext::Offset, |p| {
            let t = p.peek()?;
            match t.kind {
                TokenKind::Number | TokenKind::Duration => {
                    p.advance()?;
                    let n = p.number_literal(&t);
                    Ok(Dur::Num(p.duration_literal_in_range(n, t.span)))
                }
                TokenKind::Add | TokenKind::Sub
                    if matches!(p.peek2_kind()?, TokenKind::Number | TokenKind::Duration) =>
                {
                    p.advance()?;
                    let lit = p.advance()?;
                    let n = p.number_literal(&lit);
                    Ok(p.signed_duration(&t, Dur::Num(n)))
                }
                TokenKind::LeftParen | TokenKind::Add | TokenKind::Sub => p.duration_expr(0),
                _ => p.unexpected(None),
            }
        })?;
        let offset = match d {
            Dur::Num(n) => match seconds_to_millis(n.value) {
                0 => None,
                ms => Some(Duration::Millis(ms)),
            },
            Dur::Expr(e) => Some(Duration::Expr(e)),
        };
        let end = self.last_closing;
        match modifier_target(&mut target) {
            None => self.semantic(ParseErrorKind::OffsetNotAllowed, target.span()),
            Some(t) => {
                let (slot, span) = match t {
                    Target::Selector(vs) => (&mut vs.offset, &mut vs.span),
                    Target::Subquery(sq) => (&mut sq.offset, &mut sq.span),
                };
                let twice = slot.is_some();
                if !twice {
                    *slot = offset;
                }
                span.end = span.end.max(end);
                if twice {
                    self.semantic(ParseErrorKind::OffsetTwice, target.span());
                }
            }
        }
        extend_matrix(&mut target, end);
        Ok(target)
    }

    fn at(&mut self, mut target: Expr) -> PResult<Expr> {
        self.advance()?;
        let at = self.with_context(SyntaxContext::At, |p| {
            let t = p.peek()?;
            match t.kind {
                TokenKind::Number | TokenKind::Duration => {
                    p.advance()?;
                    Ok(Err(p.number_literal(&t).value))
                }
                TokenKind::Add | TokenKind::Sub => {
                    p.advance()?;
                    if !matches!(p.peek_kind()?, TokenKind::Number | TokenKind::Duration) {
                        return p.unexpected(None);
                    }
                    let lit = p.advance()?;
                    let v = p.number_literal(&lit).value;
                    Ok(Err(if t.kind == TokenKind::Sub { -v } else { v }))
                }
                TokenKind::Keyword(k @ (Keyword::Start | Keyword::End)) => {
                    p.advance()?;
                    for want in [TokenKind::LeftParen, TokenKind::RightParen] {
                        if p.peek_kind()? != want {
                            return p.unexpected(None);
                        }
                        p.advance()?;
                    }
                    Ok(Ok(if k == Keyword::Start {
                        AtModifier::Start
                    } else {
                        AtModifier::End
                    }))
                }
                _ => p.unexpected(None),
            }
        })?;
        let at = match at {
            Ok(m) => m,
            Err(seconds) => {
                if !seconds.is_finite() || seconds.abs() >= 9.223_372_036_854_776e18 {
                    self.semantic(ParseErrorKind::TimestampOutOfBounds(seconds), target.span());
                }
                AtModifier::Timestamp((seconds * 1000.0).round() as Millis)
            }
        };
        let end = self.last_closing;
        match modifier_target(&mut target) {
            None => self.semantic(ParseErrorKind::AtNotAllowed, target.span()),
            Some(t) => {
                let (slot, span) = match t {
                    Target::Selector(vs) => (&mut vs.at, &mut vs.span),
                    Target::Subquery(sq) => (&mut sq.at, &mut sq.span),
                };
                if slot.is_some() {
                    self.semantic(ParseErrorKind::AtTwice, target.span());
                    return Ok(target);
                }
                *slot = Some(at);
                span.end = span.end.max(end);
            }
        }
        extend_matrix(&mut target, end);
        Ok(target)
    }
}

/// The selector or subquery a modifier applies to.
fn modifier_target(e: &mut Expr) -> Option<Target<'_>> {
    match e {
        Expr::VectorSelector(vs) => Some(Target::Selector(vs)),
        Expr::MatrixSelector(ms) => Some(Target::Selector(&mut ms.selector)),
        Expr::Subquery(sq) => Some(Target::Subquery(sq)),
        _ => None,
    }
}

fn extend_matrix(e: &mut Expr, end: usize) {
    if let Expr::MatrixSelector(ms) = e {
        ms.span.end = ms.span.end.max(end);
    }
}

/// What a construct with an error becomes, so parsing can go on and find
/// the errors Prometheus would report first; never returned to callers.
fn placeholder(span: Span) -> Expr {
    Expr::NumberLiteral(zero_literal(span))
}

fn zero_literal(span: Span) -> NumberLiteral {
    NumberLiteral {
        value: 0.0,
        duration: false,
        span,
    }
}

// --- numbers and durations as Go reads them --------------------------------

/// A number token's value as Prometheus reads it: Go's `ParseInt(s, 0, 64)`
/// (hex, octal with a leading 0, `_` separators), else `ParseFloat`.
pub(crate) fn parse_go_number(s: &str) -> Result<f64, String> {
    if let Some(i) = go_parse_int_base0(s) {
        return Ok(i as f64);
    }
    go_parse_float(s).map_err(|why| format!("strconv.ParseFloat: parsing {}: {why}", go_quote(s)))
}

fn go_parse_int_base0(s: &str) -> Option<i64> {
    let (radix, digits) = match s.as_bytes() {
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'x') => (16, s.get(2..)?),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'o') => (8, s.get(2..)?),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'b') => (2, s.get(2..)?),
        [b'0', ..] => (8, s.get(1..)?),
        [] => return None,
        _ => (10, s),
    };
    if s.contains('_') && !underscores_ok(s) {
        return None;
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() {
        return if radix == 8 && s == "0" {
            Some(0)
        } else {
            None
        };
    }
    u64::from_str_radix(&clean, radix)
        .ok()
        .and_then(|v| i64::try_from(v).ok())
}

/// Go's rule: `_` only between digits, or after a base prefix.
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while let Some(&c) = b.get(i) {
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

fn go_parse_float(s: &str) -> Result<f64, &'static str> {
    let lower = s.to_ascii_lowercase();
    match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => return Ok(f64::INFINITY),
        "-inf" | "-infinity" => return Ok(f64::NEG_INFINITY),
        "nan" => return Ok(f64::NAN),
        _ => {}
    }
    // Hex floats need a `p` exponent, which PromQL's lexer never passes.
    if lower.starts_with("0x") || (s.contains('_') && !underscores_ok(s)) {
        return Err("invalid syntax");
    }
    let clean: String = s.chars().filter(|c| *c != '_').collect();
    let b = clean.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        mantissa_digits += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return Err("invalid syntax");
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let from = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == from {
            return Err("invalid syntax");
        }
    }
    if i != b.len() {
        return Err("invalid syntax");
    }
    let v: f64 = clean.parse().map_err(|_| "invalid syntax")?;
    if v.is_infinite() {
        return Err("value out of range");
    }
    Ok(v)
}

/// A duration token's value in seconds, as Prometheus's
/// `model.ParseDuration` reads it, with its messages.
pub(crate) fn parse_go_duration(s: &str) -> Result<f64, String> {
    const UNITS: [(&str, u64); 7] = [
        ("y", 365 * 24 * 3_600_000_000_000),
        ("w", 7 * 24 * 3_600_000_000_000),
        ("d", 24 * 3_600_000_000_000),
        ("h", 3_600_000_000_000),
        ("m", 60_000_000_000),
        ("s", 1_000_000_000),
        ("ms", 1_000_000),
    ];
    let invalid = || format!("not a valid duration string: {}", go_quote(s));
    if s == "0" {
        return Ok(0.0);
    }
    if s.is_empty() {
        return Err("empty duration string".into());
    }
    let mut rest = s;
    let mut total: u64 = 0;
    let mut last_unit = None::<usize>;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(invalid());
        }
        let n: u64 = rest[..digits].parse().map_err(|_| invalid())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        if unit_len == 0 {
            return Err(invalid());
        }
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let Some(i) = UNITS.iter().position(|(u, _)| *u == unit) else {
            return Err(format!(
                "unknown unit {} in duration {}",
                go_quote(unit),
                go_quote(s)
            ));
        };
        if last_unit.is_some_and(|l| i <= l) {
            return Err(invalid());
        }
        last_unit = Some(i);
        let mult = UNITS[i].1;
        if n > (1u64 << 63) / mult {
            return Err("duration out of range".into());
        }
        total = total.saturating_add(n * mult);
        if total > i64::MAX as u64 {
            return Err("duration out of range".into());
        }
    }
    // Go's Duration.Seconds().
    let secs = total / 1_000_000_000;
    let nanos = total % 1_000_000_000;
    Ok(secs as f64 + nanos as f64 / 1e9)
}

// --- the type check ---------------------------------------------------------

/// Prometheus's `checkAST`: types of operands and arguments, and the rules
/// for binary operators, in Prometheus's order.
struct Checker<'a> {
    src: &'a str,
    errors: Vec<ParseError>,
    prometheus_ends: HashMap<(usize, usize), usize>,
}

impl Checker<'_> {
    fn error(&mut self, kind: ParseErrorKind, span: Span) {
        self.errors.push(ParseError { kind, span });
    }

    fn expect_type(&mut self, e: &mut Expr, want: ValueType, context: &str) {
        let got = self.check(e);
        if got != want {
            self.error(
                ParseErrorKind::ExpectedType {
                    expected: want,
                    context: context.to_string(),
                    got,
                },
                e.span(),
            );
        }
    }

    /// Where Prometheus takes an expression to end (see
    /// `Parser::closing_parens`).
    fn prometheus_end(&self, e: &Expr) -> usize {
        match e {
            Expr::Call(_) | Expr::Aggregate(_) => {
                let s = e.span();
                self.prometheus_ends
                    .get(&(s.start, s.end))
                    .copied()
                    .unwrap_or(s.end)
            }
            Expr::Binary(b) => self.prometheus_end(&b.rhs),
            Expr::Unary(u) => self.prometheus_end(&u.expr),
            other => other.span().end,
        }
    }

    /// The span of a binary operator and its modifiers: the text between
    /// the operands, trimmed.
    fn operator_span(&self, lhs: &Expr, rhs: &Expr) -> Span {
        let (lhs_end, rhs) = (self.prometheus_end(lhs), rhs.span());
        let bytes = self.src.as_bytes();
        let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
        let mut start = lhs_end;
        while bytes.get(start).is_some_and(|b| is_space(*b)) && start < rhs.start {
            start += 1;
        }
        let mut end = rhs.start;
        while end > start && bytes.get(end - 1).is_some_and(|b| is_space(*b)) {
            end -= 1;
        }
        Span::new(start, end)
    }

    fn check(&mut self, e: &mut Expr) -> ValueType {
        let typ = e.value_type();
        match e {
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => {}
            Expr::VectorSelector(vs) => self.check_selector(vs, false),
            Expr::MatrixSelector(ms) => self.check_selector(&ms.selector, false),
            Expr::Paren(p) => {
                self.check(&mut p.expr);
            }
            Expr::Unary(u) => {
                let t = self.check(&mut u.expr);
                if !matches!(t, ValueType::Scalar | ValueType::Vector) {
                    self.error(ParseErrorKind::UnaryOperandType(t), u.span);
                }
            }
            Expr::Subquery(sq) => {
                let t = self.check(&mut sq.expr);
                if t != ValueType::Vector {
                    self.error(ParseErrorKind::SubqueryOperandType(t), sq.span);
                }
            }
            Expr::Aggregate(a) => {
                self.expect_type(&mut a.expr, ValueType::Vector, "aggregation expression");
                if let (Some(param), Some(t)) = (&mut a.param, a.op.param_type()) {
                    self.expect_type(param, t, "aggregation parameter");
                }
            }
            Expr::Call(c) => self.check_call(c),
            Expr::Binary(b) => self.check_binary(b),
        }
        typ
    }

    fn check_selector(&mut self, vs: &VectorSelector, bypass_empty_check: bool) {
        if let Some(name) = &vs.name {
            let before_name = vs.matchers.split_last().map_or(&[][..], |(_, b)| b);
            for m in before_name.iter().filter(|m| m.name == METRIC_NAME) {
                self.error(
                    ParseErrorKind::DuplicateMetricName {
                        first: name.clone(),
                        second: m.value.clone(),
                    },
                    vs.span,
                );
            }
            return;
        }
        if !bypass_empty_check && vs.matchers.iter().all(|m| m.matches_empty()) {
            self.error(ParseErrorKind::EmptySelector, vs.span);
        }
    }

    fn check_call(&mut self, c: &mut Call) {
        let func = c.func;
        let got = c.args.len();
        let expected = match func.variadic {
            Variadic::No if got != func.arg_types.len() => {
                Some(ArgumentCount::Exactly(func.arg_types.len()))
            }
            Variadic::No => None,
            _ if got < func.min_args() => Some(ArgumentCount::AtLeast(func.min_args())),
            _ => match func.max_args() {
                Some(max) if got > max => Some(ArgumentCount::AtMost(max)),
                _ => None,
            },
        };
        if let Some(expected) = expected {
            self.error(
                ParseErrorKind::ArgumentCount {
                    function: func.name,
                    expected,
                    got,
                },
                c.span,
            );
        }
        let context = format!("call to function {}", go_quote(func.name));
        // info()'s second argument selects labels, so it may match
        // everything; it must not name a metric.
        let mut info_selector = false;
        if func.name == "info" {
            if let Some(arg) = c.args.get(1) {
                let t = arg.value_type();
                if t != ValueType::Vector {
                    self.error(
                        ParseErrorKind::ExpectedType {
                            expected: ValueType::Vector,
                            context: context.clone(),
                            got: t,
                        },
                        c.span,
                    );
                }
                match arg {
                    Expr::VectorSelector(vs) if vs.name.is_none() => info_selector = true,
                    Expr::VectorSelector(_) => self.error(
                        ParseErrorKind::InfoLabelSelectorsOnly {
                            got: "vector selector",
                        },
                        arg.span(),
                    ),
                    // Prometheus's parser crashes on these.
                    _ => self.error(
                        ParseErrorKind::InfoLabelSelectorsOnly {
                            got: "an expression",
                        },
                        arg.span(),
                    ),
                }
            }
        }
        for (i, arg) in c.args.iter_mut().enumerate() {
            let Some(want) = func.arg_type(i) else { break };
            if i == 1 && info_selector {
                if let Expr::VectorSelector(vs) = arg {
                    self.check_selector(vs, true);
                    if want != ValueType::Vector {
                        self.error(
                            ParseErrorKind::ExpectedType {
                                expected: want,
                                context: context.clone(),
                                got: ValueType::Vector,
                            },
                            vs.span,
                        );
                    }
                    continue;
                }
            }
            self.expect_type(arg, want, &context);
        }
    }

    fn check_binary(&mut self, b: &mut Binary) {
        let lt = self.check(&mut b.lhs);
        let rt = self.check(&mut b.rhs);
        if b.return_bool && !b.op.is_comparison() {
            let span = self.operator_span(&b.lhs, &b.rhs);
            self.error(ParseErrorKind::BoolOnNonComparison, span);
        }
        if b.op.is_comparison()
            && !b.return_bool
            && lt == ValueType::Scalar
            && rt == ValueType::Scalar
        {
            let span = self.operator_span(&b.lhs, &b.rhs);
            self.error(ParseErrorKind::ScalarComparisonWithoutBool, span);
        }
        if let Some(m) = &mut b.matching {
            if b.op.is_set_operator() && m.card == VectorMatchCardinality::OneToOne {
                m.card = VectorMatchCardinality::ManyToMany;
            }
        }
        if let Some(m) = &b.matching {
            if m.on {
                let dups: Vec<String> = m
                    .labels
                    .iter()
                    .flat_map(|l1| m.include.iter().filter(move |l2| *l2 == l1))
                    .cloned()
                    .collect();
                for l in dups {
                    let span = self.operator_span(&b.lhs, &b.rhs);
                    self.error(ParseErrorKind::LabelInOnAndGroup(l), span);
                }
            }
        }
        let operand = |t: ValueType| matches!(t, ValueType::Scalar | ValueType::Vector);
        if !operand(lt) {
            self.error(ParseErrorKind::BinaryOperandType, b.lhs.span());
        }
        if !operand(rt) {
            self.error(ParseErrorKind::BinaryOperandType, b.rhs.span());
        }
        if lt != ValueType::Vector || rt != ValueType::Vector {
            if b.matching.as_ref().is_some_and(|m| !m.labels.is_empty()) {
                self.error(ParseErrorKind::VectorMatchingOnNonVectors, b.span);
            }
            b.matching = None;
        } else if b.op.is_set_operator() {
            if let Some(m) = &b.matching {
                if matches!(
                    m.card,
                    VectorMatchCardinality::OneToMany | VectorMatchCardinality::ManyToOne
                ) {
                    self.error(ParseErrorKind::SetOperatorGrouping(b.op), b.span);
                }
                if m.card != VectorMatchCardinality::ManyToMany {
                    self.error(ParseErrorKind::SetOperatorNotManyToMany, b.span);
                }
            }
        }
        if (lt == ValueType::Scalar || rt == ValueType::Scalar) && b.op.is_set_operator() {
            self.error(ParseErrorKind::SetOperatorWithScalar(b.op), b.span);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn numbers_are_read_as_go_reads_them() {
        for (s, v) in [
            ("42", 42.0),
            ("017", 15.0),
            ("08", 8.0),
            ("0x1F", 31.0),
            ("0x_1F", 31.0),
            ("1_000.5", 1000.5),
            ("1e3", 1000.0),
            (".5e-3", 0.0005),
            ("5.", 5.0),
            ("1e-500", 0.0),
            ("99999999999999999999", 1e20),
        ] {
            assert_eq!(parse_go_number(s), Ok(v), "{s}");
        }
        assert!(parse_go_number("NaN").unwrap().is_nan());
        assert_eq!(parse_go_number("Inf"), Ok(f64::INFINITY));
        for (s, why) in [
            ("1e500", "value out of range"),
            ("0x", "invalid syntax"),
            ("0xFFFFFFFFFFFFFFFFFF", "invalid syntax"),
        ] {
            assert_eq!(
                parse_go_number(s),
                Err(format!("strconv.ParseFloat: parsing \"{s}\": {why}"))
            );
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn durations_are_read_as_prometheus_reads_them() {
        assert_eq!(parse_go_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_go_duration("1s500ms"), Ok(1.5));
        assert_eq!(
            parse_go_duration("1.5m"),
            Err("unknown unit \".\" in duration \"1.5m\"".into())
        );
        assert_eq!(
            parse_go_duration("1m1h"),
            Err("not a valid duration string: \"1m1h\"".into())
        );
        assert_eq!(
            parse_go_duration("99999999999y"),
            Err("duration out of range".into())
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn positions_count_bytes_like_prometheus() {
        let e = ParseError {
            kind: ParseErrorKind::EmptySelector,
            span: Span::new(9, 10),
        };
        assert_eq!(e.position("a\nbé + {}"), "2:8");
        assert_eq!(e.position(""), "unknown position");
    }
}
