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
//! - [`info`]: `info()`, which joins series with info metrics;
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
pub mod info;

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
    /// `info()` found two info series it cannot choose between.
    Info(info::InfoError),
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
            EvalError::Info(e) => e.fmt(f),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::Labels;
    use crate::promql::parse;
    use crate::tsdb::{Head, STALE_NAN};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn head() -> Head {
        let mut h = Head::new();
        let a = Labels::from_pairs([("__name__", "m"), ("i", "a")]);
        let b = Labels::from_pairs([("__name__", "m"), ("i", "b")]);
        // a: every 15 s from 0 to 60 s, then stale at 75 s.
        for k in 0..=4 {
            h.append(&a, k * 15_000, k as f64).unwrap();
        }
        h.append(&a, 75_000, STALE_NAN).unwrap();
        // b: one sample at 10 s.
        h.append(&b, 10_000, 7.0).unwrap();
        h
    }

    fn instant(q: &str, t: Timestamp) -> Vec<(String, f64)> {
        let e = Engine::default();
        match e.instant(&head(), &parse(q).unwrap(), t).unwrap().value {
            Value::Vector(v) => v.into_iter().map(|s| (s.labels.to_string(), s.v)).collect(),
            Value::Scalar { v, .. } => vec![("scalar".into(), v)],
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn instant_selector_takes_the_latest_sample_in_the_lookback_window() {
        let a = r#"m{i="a"}"#.to_string();
        let b = r#"m{i="b"}"#.to_string();
        assert_eq!(instant("m", 0), vec![(a.clone(), 0.0)]);
        assert_eq!(
            instant("m", 14_999),
            vec![(a.clone(), 0.0), (b.clone(), 7.0)]
        );
        assert_eq!(instant("m{i=\"a\"}", 60_000), vec![(a.clone(), 4.0)]);
        // Stale marker at 75 s: a is gone from then on.
        assert_eq!(instant("m", 75_000), vec![(b.clone(), 7.0)]);
        // The window is left-open: at exactly 10 s + 5 m, b's sample is out.
        assert_eq!(instant("m", 310_000), vec![]);
        assert_eq!(instant("m", 309_999), vec![(b.clone(), 7.0)]);
        assert_eq!(instant("nothing", 10_000), vec![]);
        // Offsets (also negative) and @ move the window.
        assert_eq!(
            instant("m offset 30s", 90_000),
            vec![(a.clone(), 4.0), (b.clone(), 7.0)]
        );
        assert_eq!(instant("m{i=\"a\"} offset -30s", 0), vec![(a.clone(), 2.0)]);
        assert_eq!(instant("m{i=\"a\"} @ 45", 1_000_000), vec![(a, 3.0)]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn operators_aggregations_and_functions_over_one_step() {
        let cases: &[(&str, Vec<(String, f64)>)] = &[
            ("sum(m)", vec![("{}".into(), 11.0)]),
            (
                "count by (i) (m)",
                vec![(r#"{i="a"}"#.into(), 1.0), (r#"{i="b"}"#.into(), 1.0)],
            ),
            (
                "m * 2",
                vec![(r#"{i="a"}"#.into(), 8.0), (r#"{i="b"}"#.into(), 14.0)],
            ),
            ("m > 5", vec![(r#"m{i="b"}"#.into(), 7.0)]),
            (
                "m > bool 5",
                vec![(r#"{i="a"}"#.into(), 0.0), (r#"{i="b"}"#.into(), 1.0)],
            ),
            ("1 + 2 * 3", vec![("scalar".into(), 7.0)]),
            (
                "round(rate(m{i=\"a\"}[1m]) * 1500)",
                vec![(r#"{i="a"}"#.into(), 100.0)],
            ),
            (
                "last_over_time(m{i=\"a\"}[1m])",
                vec![(r#"m{i="a"}"#.into(), 4.0)],
            ),
            (
                "max_over_time(m{i=\"a\"}[1m:15s])",
                vec![(r#"{i="a"}"#.into(), 4.0)],
            ),
            (
                "absent(nope{job=\"x\"})",
                vec![(r#"{job="x"}"#.into(), 1.0)],
            ),
            (
                "sort_desc(m)",
                vec![(r#"m{i="b"}"#.into(), 7.0), (r#"m{i="a"}"#.into(), 4.0)],
            ),
        ];
        for (q, want) in cases {
            assert_eq!(&instant(q, 60_000), want, "{q}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn range_evaluation_has_a_point_at_every_step_with_a_value() {
        let e = Engine::default();
        let v = e
            .range(&head(), &parse("m{i=\"a\"}").unwrap(), 0, 90_000, 30_000)
            .unwrap()
            .value;
        let Value::Matrix(m) = v else { panic!() };
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].points, vec![(0, 0.0), (30_000, 2.0), (60_000, 4.0)]);
        // A scalar becomes one series without labels.
        let Value::Matrix(m) = e
            .range(&head(), &parse("time()").unwrap(), 0, 60_000, 30_000)
            .unwrap()
            .value
        else {
            panic!()
        };
        assert_eq!(m[0].points, vec![(0, 0.0), (30_000, 30.0), (60_000, 60.0)]);
        // A range vector cannot be a range query's result.
        assert_eq!(
            e.range(&head(), &parse("m[1m]").unwrap(), 0, 60_000, 30_000),
            Err(EvalError::InvalidRangeQueryType("matrix"))
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn max_samples_limits_a_query() {
        let e = Engine::new(EngineOptions {
            max_samples: 3,
            ..EngineOptions::default()
        });
        let err = e
            .range(&head(), &parse("m").unwrap(), 0, 300_000, 1000)
            .unwrap_err();
        assert_eq!(err, EvalError::TooManySamples);
        assert_eq!(
            err.to_string(),
            "query processing would load too many samples into memory in query execution"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn interrupts_stop_a_query() {
        let e = Engine::default();
        let q = parse("sum(m) + count(m)").unwrap();
        let err = e
            .range_with(&head(), &q, 0, 3_000_000, 100, &WorkLimit(10_000))
            .unwrap_err();
        assert_eq!(err, EvalError::Stopped(StopReason::Timeout));
        assert_eq!(err.to_string(), "query timed out in expression evaluation");
        let flag = CancelFlag::default();
        flag.cancel();
        let err = e
            .range_with(&head(), &q, 0, 3_000_000, 100, &flag)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "query was canceled in expression evaluation"
        );
        // A clock past the deadline at the first check.
        let ticks = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let clock: ClockFn = {
            let ticks = ticks.clone();
            Arc::new(move || ticks.fetch_add(60_000, Ordering::Relaxed) as f64)
        };
        let timed = Engine::new(EngineOptions {
            timeout: Some(1000),
            ..EngineOptions::default()
        })
        .with_clock(clock);
        assert_eq!(
            timed.range(&head(), &q, 0, 3_000_000, 100).unwrap_err(),
            EvalError::Stopped(StopReason::Timeout)
        );
        // Without interruption the same query answers.
        assert!(e.range(&head(), &q, 0, 3_000_000, 100).is_ok());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn annotations_come_with_the_value() {
        let q = "rate(m[1m]) + histogram_quantile(2, m)";
        let eval = Engine::default()
            .instant(&head(), &parse(q).unwrap(), 60_000)
            .unwrap();
        expect_test::expect![[r#"
            [
                "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" for metric name \"m\" (1:37)",
                "PromQL warning: quantile value should be between 0 and 1, got 2 (1:34)",
            ]
        "#]]
        .assert_debug_eq(&eval.warnings(q));
        expect_test::expect![[r#"
            [
                "PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \"m\" (1:6)",
            ]
        "#]]
        .assert_debug_eq(&eval.infos(q));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn matching_errors_are_prometheus_s() {
        let e = Engine::default();
        let run = |q: &str| {
            e.instant(&head(), &parse(q).unwrap(), 14_000)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            run("m + on() m"),
            "found duplicate series for the match group {} on the right hand-side of the operation: [{__name__=\"m\", i=\"b\"}, {__name__=\"m\", i=\"a\"}];many-to-many matching not allowed: matching labels must be unique on one side"
        );
        assert_eq!(
            run("label_replace(m, \"i\", \"x\", \"i\", \".*\")"),
            "vector cannot contain metrics with the same labelset"
        );
    }
}
