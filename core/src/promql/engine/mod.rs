//! The PromQL engine: evaluates a syntax tree against a [`Querier`] at one
//! time (instant query) or at every step of a range (range query), with
//! Prometheus 3.5's semantics, and returns the value with the warnings and
//! infos Prometheus would attach ([`Evaluation`]).
//!
//! ```
//! use promlab_core::labels::Labels;
//! use promlab_core::promql::{parse, Engine, Value};
//! use promlab_core::tsdb::Head;
//! let mut head = Head::new();
//! let up = Labels::from_pairs([("__name__", "up"), ("job", "node")]);
//! head.append(&up, 0, 1.0).unwrap();
//! let eval = Engine::default()
//!     .instant(&head, &parse("sum by (job) (up) * 2").unwrap(), 10_000)
//!     .unwrap();
//! let Value::Vector(v) = eval.value else { panic!() };
//! assert_eq!(v[0].v, 2.0);
//! ```
//!
//! # How a query runs
//!
//! Like Prometheus's `rangeEval`, every node is evaluated once over all
//! the steps of the query: a vector selector selects its series once and
//! walks each series' samples through the steps; a function over a range
//! slides a window over each series; a binary operator or an aggregation
//! computes its matching signatures and groups once per input series and
//! then only combines values step by step. An instant query is a range
//! query with one step. The parts:
//!
//! - [`eval`]: the evaluator, the grid of steps, selectors (lookback,
//!   staleness, `offset`, `@`), matrix windows and subqueries, literals,
//!   unary minus, delayed removal of the metric name, the sample limit and
//!   interruption;
//! - [`binary`]: arithmetic, comparison and set operators with vector
//!   matching;
//! - [`aggregate`]: the aggregation operators;
//! - [`functions`]: the implementation table, keyed by the parser's
//!   [`FUNCTIONS`](crate::promql::FUNCTIONS);
//! - [`annotations`]: the warnings and infos;
//! - [`explain`]: a tree that says what each node of a query does, with
//!   its series and a sample of its result, for the Explain view.
//!
//! # Stopping a query
//!
//! The core never reads a clock (in WebAssembly it has none), so the
//! engine asks an [`Interrupt`] whether to go on, every
//! [`CHECK_EVERY`] units of work (a sample read or a value computed). The
//! caller decides what stops a query: [`Deadline`] compares a clock the
//! caller hands in (the CLI passes the machine's) with a time limit,
//! [`WorkLimit`] stops after a number of units (deterministic, usable in a
//! browser without a clock), and [`CancelFlag`] is a flag another thread
//! or a worker's message handler sets. [`EngineOptions::timeout`] with
//! [`Engine::with_clock`] gives Prometheus's `--query.timeout`.

pub mod aggregate;
pub mod annotations;
pub mod binary;
pub mod eval;
pub mod explain;
pub mod functions;

pub use annotations::{Annotation, AnnotationKind, Annotations};
pub use explain::{explain, ExplainNode};

use super::ast::Expr;
use super::value::Value;
use crate::clock::{Millis, Timestamp};
use crate::diagnostic::Span;
use crate::tsdb::Querier;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Limits and windows, with Prometheus's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// How far back a vector selector looks for a sample (`--query.lookback-delta`).
    pub lookback_delta: Millis,
    /// The most samples a query may hold at once (`--query.max-samples`).
    pub max_samples: usize,
    /// The step of a subquery written without one (`x[1h:]`): Prometheus
    /// uses the global evaluation interval, 1m by default.
    pub default_subquery_step: Millis,
    /// How long a query may run (`--query.timeout`); enforced only when
    /// the engine has a clock ([`Engine::with_clock`]).
    pub timeout: Option<Millis>,
    /// Prometheus 3's `promql-delayed-name-removal`: functions and operators
    /// mark the metric name for removal and it is removed at the end, so
    /// `label_replace` can still read it.
    pub delayed_name_removal: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            lookback_delta: 5 * 60 * 1000,
            max_samples: 50_000_000,
            default_subquery_step: 60_000,
            timeout: Some(2 * 60 * 1000),
            delayed_name_removal: true,
        }
    }
}

/// Why an evaluation stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    Timeout,
    Cancelled,
}

/// Asked regularly during an evaluation whether to go on.
pub trait Interrupt {
    /// `work` is the number of work units done so far.
    fn check(&self, work: u64) -> Option<StopReason>;
}

/// How often, in work units, the engine asks its [`Interrupt`].
pub const CHECK_EVERY: u64 = 4096;

/// Never interrupts.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoInterrupt;

impl Interrupt for NoInterrupt {
    fn check(&self, _: u64) -> Option<StopReason> {
        None
    }
}

/// Stops with a timeout after a number of work units: a deadline that needs
/// no clock and stops at the same point on every machine.
#[derive(Debug, Clone, Copy)]
pub struct WorkLimit(pub u64);

impl Interrupt for WorkLimit {
    fn check(&self, work: u64) -> Option<StopReason> {
        (work > self.0).then_some(StopReason::Timeout)
    }
}

/// Stops when the flag is set, from another thread or a message handler.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(pub Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl Interrupt for CancelFlag {
    fn check(&self, _: u64) -> Option<StopReason> {
        self.0
            .load(Ordering::Relaxed)
            .then_some(StopReason::Cancelled)
    }
}

/// A clock the caller hands in: milliseconds from any fixed origin.
pub type ClockFn = Arc<dyn Fn() -> f64 + Send + Sync + std::panic::RefUnwindSafe>;

/// Stops with a timeout once `clock()` passes `at`.
#[derive(Clone)]
pub struct Deadline {
    pub clock: ClockFn,
    pub at: f64,
}

impl Interrupt for Deadline {
    fn check(&self, _: u64) -> Option<StopReason> {
        ((self.clock)() > self.at).then_some(StopReason::Timeout)
    }
}

/// Why an evaluation failed. The texts are Prometheus's.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// The query would hold more than `max_samples` samples.
    TooManySamples,
    /// The deadline passed or the caller cancelled.
    Stopped(StopReason),
    /// A range query over an expression that is not a scalar or an instant
    /// vector.
    InvalidRangeQueryType(&'static str),
    /// `group_left`/`group_right` side with two series for one match group,
    /// or two series on each side: `message` is Prometheus's.
    ManyToMany(String),
    /// One-to-one matching found several matches.
    MultipleMatches(String),
    /// Two series of a result with the same labels.
    DuplicateLabelset,
    /// A bad argument at evaluation time (a label name, a regex, a factor,
    /// a `topk` parameter out of range): Prometheus's message and where.
    BadArgument { message: String, span: Span },
    /// A part of the language the engine does not evaluate; says which.
    Unsupported(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::TooManySamples => f.write_str(
                "query processing would load too many samples into memory in query execution",
            ),
            EvalError::Stopped(StopReason::Timeout) => {
                f.write_str("query timed out in expression evaluation")
            }
            EvalError::Stopped(StopReason::Cancelled) => {
                f.write_str("query was canceled in expression evaluation")
            }
            EvalError::InvalidRangeQueryType(t) => write!(
                f,
                "invalid expression type \"{t}\" for range query, must be Scalar or instant Vector"
            ),
            EvalError::ManyToMany(m) | EvalError::MultipleMatches(m) => f.write_str(m),
            EvalError::DuplicateLabelset => {
                f.write_str("vector cannot contain metrics with the same labelset")
            }
            EvalError::BadArgument { message, .. } => f.write_str(message),
            EvalError::Unsupported(what) => {
                write!(f, "{what} is not supported by the lab's PromQL engine")
            }
        }
    }
}

impl std::error::Error for EvalError {}

/// A query's answer: the value and the annotations.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub value: Value,
    pub annotations: Annotations,
    /// Samples read and values computed: the work the query did.
    pub work: u64,
    /// The most samples the query held at once.
    pub peak_samples: usize,
}

impl Evaluation {
    /// The warnings' texts, with their positions in `query`, as the API
    /// returns them.
    pub fn warnings(&self, query: &str) -> Vec<String> {
        self.rendered(AnnotationKind::Warning, query)
    }

    /// The infos' texts, with their positions in `query`.
    pub fn infos(&self, query: &str) -> Vec<String> {
        self.rendered(AnnotationKind::Info, query)
    }

    fn rendered(&self, kind: AnnotationKind, query: &str) -> Vec<String> {
        self.annotations
            .of_kind(kind)
            .map(|a| a.render(query))
            .collect()
    }
}

/// Evaluates expressions.
#[derive(Clone, Default)]
pub struct Engine {
    pub options: EngineOptions,
    clock: Option<ClockFn>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("options", &self.options)
            .field("clock", &self.clock.is_some())
            .finish()
    }
}

impl Engine {
    pub fn new(options: EngineOptions) -> Self {
        Engine {
            options,
            clock: None,
        }
    }

    /// The engine with a clock (milliseconds from any origin), so
    /// [`EngineOptions::timeout`] is enforced.
    pub fn with_clock(mut self, clock: ClockFn) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Evaluates `expr` at time `t`.
    pub fn instant(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        t: Timestamp,
    ) -> Result<Evaluation, EvalError> {
        self.instant_with(querier, expr, t, &NoInterrupt)
    }

    /// Evaluates `expr` at time `t`, asking `interrupt` whether to go on.
    pub fn instant_with(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        t: Timestamp,
        interrupt: &dyn Interrupt,
    ) -> Result<Evaluation, EvalError> {
        self.run(querier, expr, t, t, 1, interrupt)
    }

    /// Evaluates `expr` at `start`, `start + step`, … up to `end`, as a
    /// range query does. The caller checks that the number of steps is sane
    /// (the API does); a step below 1 ms counts as 1 ms.
    pub fn range(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
    ) -> Result<Evaluation, EvalError> {
        self.range_with(querier, expr, start, end, step, &NoInterrupt)
    }

    /// [`Engine::range`], asking `interrupt` whether to go on.
    pub fn range_with(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
        interrupt: &dyn Interrupt,
    ) -> Result<Evaluation, EvalError> {
        use super::ast::ValueType;
        match expr.value_type() {
            ValueType::Scalar | ValueType::Vector => {}
            other => return Err(EvalError::InvalidRangeQueryType(other.api_name())),
        }
        self.run(querier, expr, start, end, step.max(1), interrupt)
    }

    fn run(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
        interrupt: &dyn Interrupt,
    ) -> Result<Evaluation, EvalError> {
        let deadline = match (&self.clock, self.options.timeout) {
            (Some(clock), Some(timeout)) => Some(Deadline {
                clock: clock.clone(),
                at: clock() + timeout as f64,
            }),
            _ => None,
        };
        let both = Both(interrupt, deadline.as_ref());
        eval::evaluate(querier, &self.options, expr, start, end, step, &both)
    }
}

/// The caller's interrupt and the engine's own deadline.
struct Both<'a>(&'a dyn Interrupt, Option<&'a Deadline>);

impl Interrupt for Both<'_> {
    fn check(&self, work: u64) -> Option<StopReason> {
        self.0
            .check(work)
            .or_else(|| self.1.and_then(|d| d.check(work)))
    }
}
