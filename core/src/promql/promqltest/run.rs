//! Running a script: `load` appends to a fresh [`Head`], `clear` starts a
//! new one, and every `eval` runs the query through [`parse`] and the
//! [`Engine`] and compares the answer with the expectations, as
//! Prometheus's runner compares them (relative float tolerance 1e-6, NaN
//! equal to NaN, stale markers only equal to stale markers, order only
//! when asked for, range results sorted by labels). An instant eval is
//! also run as the middle step of a range query from `t - 1m` to `t + 1m`,
//! which must give the same answer.
//!
//! The warn and info annotations the script expects are checked against
//! those the engine returns ([`check_annotations`]), as Prometheus's runner
//! checks them. Each instant query is also re-run, as Prometheus's runner
//! does, with `@ <t>` added to every selector outside a subquery with its
//! own `@`, at other evaluation times (`-10t`, `0`, `t/5`, `t`, `10t`),
//! where it must give the same answer.
//!
//! Evals that need what the lab does not have are reported as skipped
//! rather than failed: native histograms (their samples are skipped at
//! load) and the type-and-unit labels `__type__`/`__unit__` (Prometheus's
//! `type-and-unit-labels` feature).

use super::script::{
    AnnotationExpectation, Command, Eval, EvalKind, Expectations, ExpectedResult, ExpectedSeries,
    Load, Script, TextMatch,
};
use super::series::SequenceValue;
use crate::clock::{Millis, Timestamp};
use crate::duration::format_duration;
use crate::labels::Labels;
use crate::promql::ast::{AtModifier, Expr};
use crate::promql::engine::{AnnotationKind, Annotations, EvalError, Evaluation};
use crate::promql::{parse, Engine, EngineOptions, Value};
use crate::tsdb::{is_stale_marker, AppendError, Head};
use std::collections::HashMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The relative error allowed between an expected and a returned value.
pub const EPSILON: f64 = 0.000_001;

/// The most points per series a range eval may ask for, as the Prometheus
/// HTTP API allows.
pub const MAX_RANGE_POINTS: i64 = 11_000;

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The engine to run the queries on (lookback delta, sample limit).
    pub engine: Engine,
    /// Also run each instant eval as the middle step of a range query.
    pub check_range_mode: bool,
    /// Also run each instant eval pinned with `@` at other times.
    pub check_at_modifier: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            // Prometheus's runner: a 10,000-sample limit, a 1m default
            // subquery step, delayed name removal.
            engine: Engine::new(EngineOptions {
                max_samples: 10_000,
                default_subquery_step: 60_000,
                delayed_name_removal: true,
                ..EngineOptions::default()
            }),
            check_range_mode: true,
            check_at_modifier: true,
        }
    }
}

/// What a run found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    /// Every eval, in script order.
    pub evals: Vec<EvalReport>,
    /// Samples a `load` could not append (Prometheus's runner stops there;
    /// this one goes on without them).
    pub load_errors: Vec<LoadError>,
}

impl Report {
    pub fn passed(&self) -> usize {
        self.count(Status::Passed)
    }

    /// Evals that gave a wrong answer (the skipped ones not included).
    pub fn failed(&self) -> usize {
        self.count(Status::Failed)
    }

    /// Evals that need native histograms or type-and-unit labels.
    pub fn skipped(&self) -> usize {
        self.count(Status::Skipped)
    }

    /// Every eval passed and every sample loaded.
    pub fn all_passed(&self) -> bool {
        self.passed() == self.evals.len() && self.load_errors.is_empty()
    }

    fn count(&self, status: Status) -> usize {
        self.evals.iter().filter(|e| e.status() == status).count()
    }
}

/// One eval's result.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    /// The 1-based line of the eval command.
    pub line: usize,
    pub query: String,
    pub outcome: Outcome,
}

impl EvalReport {
    pub fn status(&self) -> Status {
        match &self.outcome {
            Outcome::Passed => Status::Passed,
            Outcome::Failed(f) if f.is_skipped() => Status::Skipped,
            Outcome::Failed(_) => Status::Failed,
        }
    }
}

/// Passed, or why not.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Passed,
    Failed(Failure),
}

/// The three ways an eval ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Passed,
    Failed,
    /// Did not pass because the eval needs something the lab does not have
    /// (native histograms, type-and-unit labels).
    Skipped,
}

/// A sample a `load` could not append.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadError {
    /// The line of the series.
    pub line: usize,
    pub error: AppendError,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: cannot load: {}", self.line, self.error)
    }
}

/// Why an eval did not pass.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The query does not parse.
    Parse(String),
    /// The query failed where it should have succeeded.
    Eval(String),
    /// The range is not one the engine should be asked for.
    InvalidRange(String),
    /// The parser or the engine panicked.
    Panic(String),
    /// The query succeeded where it should have failed.
    NoError {
        got: String,
    },
    /// The query failed, with another error.
    WrongError {
        expected: TextMatch,
        got: String,
    },
    /// A value of another type than expected.
    ResultType {
        expected: &'static str,
        got: String,
    },
    /// Series missing from the result or not expected in it.
    Series {
        expected: usize,
        got: usize,
        missing: Vec<Labels>,
        unexpected: Vec<(Labels, String)>,
    },
    /// A series with another value than expected; `others` counts the
    /// further mismatches.
    Value {
        labels: Labels,
        t: Option<Timestamp>,
        expected: f64,
        got: f64,
        others: usize,
    },
    /// A range series with points at other times than expected.
    Points {
        labels: Labels,
        expected: Vec<(Timestamp, f64)>,
        got: Vec<(Timestamp, f64)>,
    },
    /// More expected values than the evaluation's steps.
    TooManyExpectedPoints {
        labels: Labels,
        count: usize,
    },
    /// A series line without a value.
    MissingExpectedValue {
        labels: Labels,
    },
    /// A series at another place than expected (`expect ordered`).
    Order {
        labels: Labels,
        expected: usize,
        got: usize,
    },
    /// `expect ordered` on a query that returned a range vector.
    OrderedMatrix,
    /// A range result not sorted by labels: `second` came after `first`.
    Unsorted {
        first: Labels,
        second: Labels,
    },
    Scalar {
        expected: f64,
        got: f64,
    },
    String {
        expected: String,
        got: String,
    },
    /// The range query has no point at the instant eval's time.
    NoPointAtEvalTime,
    /// The instant query, run as the middle step of a range query, failed.
    RangeMode(Box<Failure>),
    /// The eval involves native histograms: in its expected result, or in
    /// data a `load` (at `skipped_at`) had to skip; `detail` is how the
    /// eval then failed.
    NativeHistograms {
        skipped_at: Option<usize>,
        detail: Option<Box<Failure>>,
    },
    /// The eval involves the type-and-unit labels (`__type__`, `__unit__`)
    /// that Prometheus's `type-and-unit-labels` feature handles; `detail`
    /// is how it failed.
    TypeAndUnitLabels {
        detail: Box<Failure>,
    },
    /// The annotations differ from what the script expects.
    Annotations(String),
    /// The instant query re-run with `@` at another time answered
    /// differently.
    AtModifier {
        query: String,
        t: Timestamp,
        detail: Box<Failure>,
    },
}

impl Failure {
    /// Whether the eval failed for a feature the lab lacks rather than for
    /// a wrong answer.
    pub fn is_skipped(&self) -> bool {
        match self {
            Failure::NativeHistograms { .. } | Failure::TypeAndUnitLabels { .. } => true,
            Failure::RangeMode(inner) | Failure::AtModifier { detail: inner, .. } => {
                inner.is_skipped()
            }
            _ => false,
        }
    }

    /// Whether the failure is about the returned value, which data the
    /// lab could not load (native histograms) may explain; a query that
    /// does not parse or an engine error is not.
    pub fn is_about_the_result(&self) -> bool {
        match self {
            Failure::Parse(_)
            | Failure::Eval(_)
            | Failure::InvalidRange(_)
            | Failure::Panic(_)
            | Failure::NativeHistograms { .. }
            | Failure::TypeAndUnitLabels { .. } => false,
            Failure::RangeMode(inner) | Failure::AtModifier { detail: inner, .. } => {
                inner.is_about_the_result()
            }
            Failure::Annotations(_) => true,
            _ => true,
        }
    }
}

/// A value as the scripts write it.
fn value(v: f64) -> String {
    if is_stale_marker(v) {
        "stale".into()
    } else if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

fn time(t: Timestamp) -> String {
    format_duration(t)
}

/// At most five items, then how many more.
fn list<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    const SHOWN: usize = 5;
    let mut out: Vec<String> = items.iter().take(SHOWN).map(show).collect();
    if items.len() > SHOWN {
        out.push(format!("and {} more", items.len() - SHOWN));
    }
    out.join(", ")
}

fn points(p: &[(Timestamp, f64)]) -> String {
    format!(
        "{} point{} [{}]",
        p.len(),
        if p.len() == 1 { "" } else { "s" },
        list(p, |(t, v)| format!("{}: {}", time(*t), value(*v)))
    )
}

/// `{}` for a series without labels, as the scripts write it.
fn series_name(labels: &Labels) -> String {
    if labels.is_empty() {
        "{}".into()
    } else {
        labels.to_string()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Parse(m) => {
                write!(
                    f,
                    "parse error: {}",
                    m.strip_prefix("parse error: ").unwrap_or(m)
                )
            }
            Failure::Eval(m) => write!(f, "evaluation failed: {m}"),
            Failure::InvalidRange(m) => write!(f, "invalid range: {m}"),
            Failure::Panic(m) => write!(f, "the engine panicked: {m}"),
            Failure::NoError { got } => {
                write!(f, "expected the query to fail, but it returned {got}")
            }
            Failure::WrongError { expected, got } => {
                write!(f, "expected an error matching {expected}, got {got:?}")
            }
            Failure::ResultType { expected, got } => write!(f, "expected {expected}, got {got}"),
            Failure::Series {
                expected,
                got,
                missing,
                unexpected,
            } => {
                write!(f, "expected {expected} series, got {got}")?;
                let mut sep = ": ";
                if !missing.is_empty() {
                    write!(f, "{sep}missing {}", list(missing, series_name))?;
                    sep = "; ";
                }
                if !unexpected.is_empty() {
                    write!(
                        f,
                        "{sep}unexpected {}",
                        list(unexpected, |(l, v)| format!("{} {v}", series_name(l)))
                    )?;
                }
                Ok(())
            }
            Failure::Value {
                labels,
                t,
                expected,
                got,
                others,
            } => {
                write!(f, "value mismatch at {}", series_name(labels))?;
                if let Some(t) = t {
                    write!(f, " at {}", time(*t))?;
                }
                write!(f, ": expected {}, got {}", value(*expected), value(*got))?;
                match others {
                    0 => {}
                    1 => f.write_str(" (1 more mismatch)")?,
                    n => write!(f, " ({n} more mismatches)")?,
                }
                Ok(())
            }
            Failure::Points {
                labels,
                expected,
                got,
            } => write!(
                f,
                "points mismatch at {}: expected {}, got {}",
                series_name(labels),
                points(expected),
                points(got)
            ),
            Failure::TooManyExpectedPoints { labels, count } => write!(
                f,
                "expected {count} points for {}, more than the evaluation has steps",
                series_name(labels)
            ),
            Failure::MissingExpectedValue { labels } => {
                write!(f, "no expected value given for {}", series_name(labels))
            }
            Failure::Order {
                labels,
                expected,
                got,
            } => write!(
                f,
                "order mismatch: expected {} at position {expected}, got it at {got}",
                series_name(labels)
            ),
            Failure::OrderedMatrix => {
                f.write_str("expected an ordered result, but the query returned a range vector")
            }
            Failure::Unsorted { first, second } => write!(
                f,
                "range result not sorted by labels: {} comes after {}",
                series_name(second),
                series_name(first)
            ),
            Failure::Scalar { expected, got } => write!(
                f,
                "scalar mismatch: expected {}, got {}",
                value(*expected),
                value(*got)
            ),
            Failure::String { expected, got } => {
                write!(f, "string mismatch: expected {expected:?}, got {got:?}")
            }
            Failure::NoPointAtEvalTime => {
                f.write_str("the range query has no point at the evaluation time")
            }
            Failure::RangeMode(inner) => write!(
                f,
                "as the middle step of a range query from t-1m to t+1m: {inner}"
            ),
            Failure::NativeHistograms { skipped_at, detail } => {
                f.write_str("native histograms are not supported")?;
                match (skipped_at, detail) {
                    (_, None) => f.write_str(" (the expected result has native histograms)"),
                    (Some(line), Some(d)) => write!(
                        f,
                        " (the load at line {line} has native histograms the lab skipped): {d}"
                    ),
                    (None, Some(d)) => write!(f, ": {d}"),
                }
            }
            Failure::TypeAndUnitLabels { detail } => write!(
                f,
                "type-and-unit labels (__type__, __unit__) are not supported: {detail}"
            ),
            Failure::Annotations(m) => write!(f, "annotations: {m}"),
            Failure::AtModifier { query, t, detail } => {
                write!(f, "re-run as {query} at {}: {detail}", time(*t))
            }
        }
    }
}

/// Runs every command of `script` on a fresh store.
pub fn run(script: &Script, options: &RunOptions) -> Report {
    let mut state = State::default();
    let mut report = Report::default();
    for command in &script.commands {
        match command {
            Command::Clear { .. } => state = State::default(),
            Command::Load(load) => state.load(load, &mut report.load_errors),
            Command::Eval(eval) => report.evals.push(EvalReport {
                line: eval.line,
                query: eval.query.clone(),
                outcome: match state.eval(eval, options) {
                    Ok(()) => Outcome::Passed,
                    Err(f) => Outcome::Failed(f),
                },
            }),
        }
    }
    report
}

#[derive(Default)]
struct State {
    head: Head,
    /// The line of the last `load` since the last `clear` whose native
    /// histograms were skipped.
    skipped_histograms: Option<usize>,
    /// A `load` since the last `clear` had series with `__type__` or
    /// `__unit__` labels.
    type_and_unit: bool,
}

/// Whether Prometheus would turn the series into a native histogram with
/// custom buckets under `load_with_nhcb`.
fn is_classic_histogram_part(labels: &Labels) -> bool {
    let name = labels.metric_name();
    name.ends_with("_bucket") || name.ends_with("_count") || name.ends_with("_sum")
}

impl State {
    fn load(&mut self, load: &Load, errors: &mut Vec<LoadError>) {
        if load.with_nhcb
            && load
                .series
                .iter()
                .any(|s| is_classic_histogram_part(&s.labels))
        {
            self.skipped_histograms = Some(load.line);
        }
        for series in &load.series {
            if series.labels.contains("__type__") || series.labels.contains("__unit__") {
                self.type_and_unit = true;
            }
            let mut t: Timestamp = 0;
            for v in &series.values {
                match v {
                    SequenceValue::Float(f) => {
                        if let Err(error) = self.head.append(&series.labels, t, *f) {
                            errors.push(LoadError {
                                line: series.line,
                                error,
                            });
                            break;
                        }
                    }
                    SequenceValue::Omitted => {}
                    SequenceValue::Histogram => self.skipped_histograms = Some(load.line),
                }
                t = t.saturating_add(load.interval);
            }
        }
    }

    fn eval(&self, eval: &Eval, options: &RunOptions) -> Result<(), Failure> {
        if eval.expect.result.has_histograms() {
            return Err(Failure::NativeHistograms {
                skipped_at: self.skipped_histograms,
                detail: None,
            });
        }
        let mentions_type_and_unit =
            eval.query.contains("__type__") || eval.query.contains("__unit__");
        check_eval(&self.head, eval, options).map_err(|f| match self.skipped_histograms {
            Some(line) if f.is_about_the_result() => Failure::NativeHistograms {
                skipped_at: Some(line),
                detail: Some(Box::new(f)),
            },
            _ if self.type_and_unit || mentions_type_and_unit => Failure::TypeAndUnitLabels {
                detail: Box::new(f),
            },
            _ => f,
        })
    }
}

/// Runs `f`, turning a panic into a failure so one broken query does not
/// end the run.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".into());
        Failure::Panic(message)
    })
}

fn check_eval(head: &Head, eval: &Eval, options: &RunOptions) -> Result<(), Failure> {
    let engine = &options.engine;
    let expr = guarded(|| parse(&eval.query))?.map_err(|e| Failure::Parse(e.to_string()))?;
    match eval.kind {
        EvalKind::Range { start, end, step } => {
            check_range(start, end, step)?;
            let result = guarded(|| engine.range(head, &expr, start, end, step))?;
            check_answer(head, &expr, result, eval, None, options)
        }
        EvalKind::Instant { at } => {
            let result = guarded(|| engine.instant(head, &expr, at))?;
            check_answer(head, &expr, result, eval, Some(at), options)?;
            if !options.check_at_modifier {
                return Ok(());
            }
            let Some(pinned) = with_at_modifier(&expr, at) else {
                return Ok(());
            };
            for t in at_modifier_times(at) {
                let result = guarded(|| engine.instant(head, &pinned, t))?;
                check_answer(head, &pinned, result, eval, Some(t), options).map_err(|f| {
                    Failure::AtModifier {
                        query: pinned.to_string(),
                        t,
                        detail: Box::new(f),
                    }
                })?;
            }
            Ok(())
        }
    }
}

/// Checks one answer against the eval's expectations, as Prometheus's
/// runner does: the error, the annotations, the value, and for an instant
/// query (`instant_at`) the same query as the middle step of a range query.
fn check_answer(
    head: &Head,
    expr: &Expr,
    result: Result<Evaluation, EvalError>,
    eval: &Eval,
    instant_at: Option<Timestamp>,
    options: &RunOptions,
) -> Result<(), Failure> {
    let expect = &eval.expect;
    let evaluation = match (result, &expect.fail) {
        (Err(e), Some(matches)) => {
            let got = e.to_string();
            return match matches.iter().find(|m| !m.matches(&got)) {
                Some(m) => Err(Failure::WrongError {
                    expected: m.clone(),
                    got,
                }),
                None => Ok(()),
            };
        }
        (Err(e), None) => return Err(Failure::Eval(e.to_string())),
        (Ok(v), Some(_)) => {
            return Err(Failure::NoError {
                got: describe(&v.value),
            })
        }
        (Ok(v), None) => v,
    };
    check_annotations(&expect.annotations, &evaluation.annotations)?;
    let value = &evaluation.value;
    compare(value, expect, eval.kind)?;
    if let Some(at) = instant_at {
        // A string has no range form; an ordered result has none either
        // (range results are sorted by labels).
        if options.check_range_mode && !expect.ordered && !matches!(value, Value::String { .. }) {
            check_range_mode(head, expr, at, value, expect, &options.engine)
                .map_err(|f| Failure::RangeMode(Box::new(f)))?;
        }
    }
    Ok(())
}

/// The functions whose answer depends on the evaluation time even when
/// their arguments are pinned with `@` (Prometheus's
/// `AtModifierUnsafeFunctions`).
const AT_MODIFIER_UNSAFE: &[&str] = &[
    "days_in_month",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "hour",
    "minute",
    "month",
    "year",
    "predict_linear",
    "time",
    "timestamp",
];

/// The query with `@ t` on every selector and subquery that has none,
/// leaving the inside of subqueries alone; `None` when it calls a function
/// whose answer depends on the evaluation time.
fn with_at_modifier(expr: &Expr, t: Timestamp) -> Option<Expr> {
    fn pin(e: &mut Expr, t: Timestamp, unsafe_call: &mut bool) {
        match e {
            Expr::VectorSelector(vs) => {
                vs.at.get_or_insert(AtModifier::Timestamp(t));
            }
            Expr::MatrixSelector(ms) => {
                ms.selector.at.get_or_insert(AtModifier::Timestamp(t));
            }
            Expr::Subquery(sq) => {
                sq.at.get_or_insert(AtModifier::Timestamp(t));
            }
            Expr::NumberLiteral(_) | Expr::StringLiteral(_) => {}
            Expr::Paren(p) => pin(&mut p.expr, t, unsafe_call),
            Expr::Unary(u) => pin(&mut u.expr, t, unsafe_call),
            Expr::Binary(b) => {
                pin(&mut b.lhs, t, unsafe_call);
                pin(&mut b.rhs, t, unsafe_call);
            }
            Expr::Aggregate(a) => {
                pin(&mut a.expr, t, unsafe_call);
                if let Some(p) = &mut a.param {
                    pin(p, t, unsafe_call);
                }
            }
            Expr::Call(c) => {
                *unsafe_call |= AT_MODIFIER_UNSAFE.contains(&c.func.name);
                for a in &mut c.args {
                    pin(a, t, unsafe_call);
                }
            }
        }
    }
    let mut pinned = expr.clone();
    let mut unsafe_call = false;
    pin(&mut pinned, t, &mut unsafe_call);
    (!unsafe_call).then_some(pinned)
}

/// The other evaluation times Prometheus's runner tries a pinned query at.
fn at_modifier_times(t: Timestamp) -> Vec<Timestamp> {
    if t == 0 {
        vec![-1000, 0, 1000]
    } else {
        vec![t.saturating_mul(-10), 0, t / 5, t, t.saturating_mul(10)]
    }
}

fn check_range(start: Timestamp, end: Timestamp, step: Millis) -> Result<(), Failure> {
    if step <= 0 {
        return Err(Failure::InvalidRange(
            "zero or negative query resolution step widths are not accepted. Try a positive integer"
                .into(),
        ));
    }
    if end.saturating_sub(start) / step >= MAX_RANGE_POINTS {
        return Err(Failure::InvalidRange(
            "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"
                .into(),
        ));
    }
    Ok(())
}

/// Checks the eval's annotation expectations against the annotations the
/// engine returned, as Prometheus's runner does: each expected warning
/// (info) must match one returned, and each returned one must match one
/// expected, when the eval expects any of that kind; `no_warn` (`no_info`)
/// wants none. Without expectations of a kind, that kind is not checked.
pub fn check_annotations(
    expected: &[AnnotationExpectation],
    actual: &Annotations,
) -> Result<(), Failure> {
    let texts = |kind| -> Vec<&str> { actual.of_kind(kind).map(|a| a.message.as_str()).collect() };
    let (warnings, infos) = (texts(AnnotationKind::Warning), texts(AnnotationKind::Info));
    let mut want_warn = Vec::new();
    let mut want_info = Vec::new();
    for e in expected {
        match e {
            AnnotationExpectation::Warn(m) => want_warn.push(m),
            AnnotationExpectation::Info(m) => want_info.push(m),
            AnnotationExpectation::NoWarn if !warnings.is_empty() => {
                return Err(Failure::Annotations(format!(
                    "expected no warnings, got {warnings:?}"
                )))
            }
            AnnotationExpectation::NoInfo if !infos.is_empty() => {
                return Err(Failure::Annotations(format!(
                    "expected no infos, got {infos:?}"
                )))
            }
            _ => {}
        }
    }
    check_annotation_kind("warning", &want_warn, &warnings)?;
    check_annotation_kind("info", &want_info, &infos)
}

fn check_annotation_kind(kind: &str, want: &[&TextMatch], got: &[&str]) -> Result<(), Failure> {
    if want.is_empty() {
        return Ok(());
    }
    if got.is_empty() {
        return Err(Failure::Annotations(format!(
            "expected {kind} annotations, got none"
        )));
    }
    if let Some(w) = want.iter().find(|w| !got.iter().any(|g| w.matches(g))) {
        return Err(Failure::Annotations(format!(
            "expected a {kind} matching {w}, got {got:?}"
        )));
    }
    if let Some(g) = got.iter().find(|g| !want.iter().any(|w| w.matches(g))) {
        return Err(Failure::Annotations(format!("unexpected {kind} {g:?}")));
    }
    Ok(())
}

fn describe(v: &Value) -> String {
    match v {
        Value::Scalar { v, .. } => format!("a scalar ({})", value(*v)),
        Value::String { v, .. } => format!("a string ({v:?})"),
        Value::Vector(s) => format!("an instant vector of {} series", s.len()),
        Value::Matrix(s) => format!("a range vector of {} series", s.len()),
    }
}

fn expected_kind(r: &ExpectedResult) -> &'static str {
    match r {
        ExpectedResult::Series(_) => "an instant or range vector",
        ExpectedResult::Scalar(_) => "a scalar",
        ExpectedResult::String(_) => "a string",
    }
}

/// Prometheus's `almost.Equal`: NaN equals NaN, a stale marker only a
/// stale marker, and otherwise a relative error below `EPSILON` (an
/// absolute one near zero).
pub fn almost_equal(a: f64, b: f64) -> bool {
    if is_stale_marker(a) || is_stale_marker(b) {
        return is_stale_marker(a) && is_stale_marker(b);
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < f64::MIN_POSITIVE {
        return diff < EPSILON * f64::MIN_POSITIVE;
    }
    diff / abs_sum.min(f64::MAX) < EPSILON
}

fn compare(v: &Value, expect: &Expectations, kind: EvalKind) -> Result<(), Failure> {
    let mismatch = || Failure::ResultType {
        expected: expected_kind(&expect.result),
        got: describe(v),
    };
    match (v, &expect.result) {
        (Value::Scalar { v, .. }, ExpectedResult::Scalar(e)) => compare_scalar(*e, *v),
        (Value::String { v, .. }, ExpectedResult::String(e)) => {
            if e == v {
                Ok(())
            } else {
                Err(Failure::String {
                    expected: e.clone(),
                    got: v.clone(),
                })
            }
        }
        (Value::Vector(samples), ExpectedResult::Series(want)) => {
            let got: Vec<(&Labels, f64)> = samples.iter().map(|s| (&s.labels, s.v)).collect();
            compare_vector(&got, want, expect.ordered)
        }
        (Value::Matrix(_), _) if expect.ordered => Err(Failure::OrderedMatrix),
        (Value::Matrix(series), ExpectedResult::Series(want)) => {
            let got: Vec<(&Labels, &[(Timestamp, f64)])> = series
                .iter()
                .map(|s| (&s.labels, s.points.as_slice()))
                .collect();
            compare_matrix(&got, want, kind)
        }
        _ => Err(mismatch()),
    }
}

fn compare_scalar(expected: f64, got: f64) -> Result<(), Failure> {
    if almost_equal(expected, got) {
        Ok(())
    } else {
        Err(Failure::Scalar { expected, got })
    }
}

/// Missing and unexpected series, by labels.
fn match_series<'w, T>(
    got: &[(&Labels, T)],
    want: &'w [ExpectedSeries],
    show: impl Fn(&T) -> String,
) -> Result<HashMap<&'w Labels, &'w ExpectedSeries>, Failure> {
    let by_labels: HashMap<&Labels, &ExpectedSeries> =
        want.iter().map(|w| (&w.labels, w)).collect();
    let unexpected: Vec<(Labels, String)> = got
        .iter()
        .filter(|(l, _)| !by_labels.contains_key(l))
        .map(|(l, v)| ((*l).clone(), show(v)))
        .collect();
    let missing: Vec<Labels> = want
        .iter()
        .filter(|w| !got.iter().any(|(l, _)| **l == w.labels))
        .map(|w| w.labels.clone())
        .collect();
    if unexpected.is_empty() && missing.is_empty() {
        Ok(by_labels)
    } else {
        Err(Failure::Series {
            expected: want.len(),
            got: got.len(),
            missing,
            unexpected,
        })
    }
}

fn compare_vector(
    got: &[(&Labels, f64)],
    want: &[ExpectedSeries],
    ordered: bool,
) -> Result<(), Failure> {
    let by_labels = match_series(got, want, |v| value(*v))?;
    let mut mismatches = Vec::new();
    for (i, (labels, v)) in got.iter().enumerate() {
        let Some(w) = by_labels.get(labels) else {
            continue;
        };
        if ordered && w.position != i + 1 {
            return Err(Failure::Order {
                labels: (*labels).clone(),
                expected: w.position,
                got: i + 1,
            });
        }
        let expected = match w.values.first() {
            Some(SequenceValue::Float(f)) => *f,
            // Prometheus's runner reads `_` here as the zero value.
            Some(SequenceValue::Omitted) => 0.0,
            Some(SequenceValue::Histogram) => {
                return Err(Failure::NativeHistograms {
                    skipped_at: None,
                    detail: None,
                })
            }
            None => {
                return Err(Failure::MissingExpectedValue {
                    labels: (*labels).clone(),
                })
            }
        };
        if !almost_equal(expected, *v) {
            mismatches.push(((*labels).clone(), expected, *v));
        }
    }
    first_mismatch(
        mismatches
            .into_iter()
            .map(|(l, e, g)| (l, None, e, g))
            .collect(),
    )
}

fn first_mismatch(mut m: Vec<(Labels, Option<Timestamp>, f64, f64)>) -> Result<(), Failure> {
    if m.is_empty() {
        return Ok(());
    }
    let others = m.len() - 1;
    let (labels, t, expected, got) = m.swap_remove(0);
    Err(Failure::Value {
        labels,
        t,
        expected,
        got,
        others,
    })
}

fn compare_matrix(
    got: &[(&Labels, &[(Timestamp, f64)])],
    want: &[ExpectedSeries],
    kind: EvalKind,
) -> Result<(), Failure> {
    check_sorted(got.iter().map(|(l, _)| *l))?;
    let by_labels = match_series(got, want, |p| points(p))?;
    let mut mismatches = Vec::new();
    for (labels, actual) in got {
        let Some(w) = by_labels.get(labels) else {
            continue;
        };
        let too_many = || Failure::TooManyExpectedPoints {
            labels: (*labels).clone(),
            count: w.values.len(),
        };
        let mut expected = Vec::new();
        for (i, v) in w.values.iter().enumerate() {
            // An instant eval has no steps: it can expect no points.
            let EvalKind::Range { start, end, step } = kind else {
                return Err(too_many());
            };
            let t = i64::try_from(i)
                .ok()
                .and_then(|i| i.checked_mul(step))
                .and_then(|d| start.checked_add(d))
                .filter(|t| *t <= end)
                .ok_or_else(too_many)?;
            match v {
                SequenceValue::Float(f) => expected.push((t, *f)),
                SequenceValue::Omitted => {}
                SequenceValue::Histogram => {
                    return Err(Failure::NativeHistograms {
                        skipped_at: None,
                        detail: None,
                    })
                }
            }
        }
        let same_times = expected.len() == actual.len()
            && expected.iter().zip(actual.iter()).all(|(e, a)| e.0 == a.0);
        if !same_times {
            return Err(Failure::Points {
                labels: (*labels).clone(),
                expected,
                got: actual.to_vec(),
            });
        }
        for (e, a) in expected.iter().zip(actual.iter()) {
            if !almost_equal(e.1, a.1) {
                mismatches.push(((*labels).clone(), Some(e.0), e.1, a.1));
            }
        }
    }
    first_mismatch(mismatches)
}

fn check_sorted<'a>(labels: impl Iterator<Item = &'a Labels>) -> Result<(), Failure> {
    let mut prev: Option<&Labels> = None;
    for l in labels {
        if let Some(p) = prev {
            if p > l {
                return Err(Failure::Unsorted {
                    first: p.clone(),
                    second: l.clone(),
                });
            }
        }
        prev = Some(l);
    }
    Ok(())
}

/// Runs the instant query as the middle step of a range query and checks
/// that step against the same expectations.
fn check_range_mode(
    head: &Head,
    expr: &Expr,
    at: Timestamp,
    instant: &Value,
    expect: &Expectations,
    engine: &Engine,
) -> Result<(), Failure> {
    const MINUTE: Millis = 60_000;
    let result = guarded(|| {
        engine.range(
            head,
            expr,
            at.saturating_sub(MINUTE),
            at.saturating_add(MINUTE),
            MINUTE,
        )
    })?
    .map_err(|e| Failure::Eval(e.to_string()))?
    .value;
    let Value::Matrix(matrix) = &result else {
        return Err(Failure::ResultType {
            expected: "a range vector",
            got: describe(&result),
        });
    };
    check_sorted(matrix.iter().map(|s| &s.labels))?;
    let step: Vec<(&Labels, f64)> = matrix
        .iter()
        .filter_map(|s| {
            s.points
                .iter()
                .find(|p| p.0 == at)
                .map(|p| (&s.labels, p.1))
        })
        .collect();
    match (instant, &expect.result) {
        (Value::Scalar { .. }, ExpectedResult::Scalar(e)) => match step.first() {
            Some((_, v)) => compare_scalar(*e, *v),
            None => Err(Failure::NoPointAtEvalTime),
        },
        (_, ExpectedResult::Series(want)) => compare_vector(&step, want, false),
        (_, other) => Err(Failure::ResultType {
            expected: expected_kind(other),
            got: format!("an instant vector of {} series", step.len()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::promqltest::parse_script;
    use crate::tsdb::STALE_NAN;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn almost_equal_is_prometheus_s() {
        assert!(almost_equal(1.0, 1.0 + 1e-7));
        assert!(!almost_equal(1.0, 1.0 + 1e-5));
        assert!(almost_equal(f64::NAN, -f64::NAN));
        assert!(!almost_equal(f64::NAN, STALE_NAN));
        assert!(almost_equal(STALE_NAN, STALE_NAN));
        assert!(almost_equal(f64::INFINITY, f64::INFINITY));
        assert!(!almost_equal(f64::INFINITY, f64::NEG_INFINITY));
        assert!(!almost_equal(0.0, 1e-300));
        assert!(almost_equal(0.0, -0.0));
        assert!(almost_equal(1e300, 1e300 * (1.0 + 1e-9)));
    }

    fn run_text(src: &str) -> Vec<String> {
        let script = parse_script(src).unwrap();
        let report = run(&script, &RunOptions::default());
        let mut out: Vec<String> = report
            .evals
            .iter()
            .map(|e| match &e.outcome {
                Outcome::Passed => format!("{}: pass", e.line),
                Outcome::Failed(f) => format!("{}: {:?}: {f}", e.line, e.status()),
            })
            .collect();
        out.extend(report.load_errors.iter().map(|e| e.to_string()));
        out
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn selectors_pass_and_mismatches_are_explained() {
        let got = run_text(
            r#"
load 1m
  m{i="a"} 1+1x4
  m{i="b"} 10 _ stale 20

eval instant at 1m m
  m{i="a"} 2
  m{i="b"} 10

eval instant at 1m m
  m{i="a"} 2

eval instant at 1m m
  m{i="a"} 2
  m{i="b"} 10
  m{i="c"} 1

eval instant at 1m m
  m{i="a"} 5
  m{i="b"} 11

eval instant at 1m m
  3

eval range from 0 to 4m step 1m m
  m{i="a"} 1 2 3 4 5
  m{i="b"} 10 10 _ 20 20

eval range from 0 to 4m step 1m m
  m{i="a"} 1 2 3 4 5
  m{i="b"} 10 10 _ 20 21

eval range from 0 to 4m step 1m m
  m{i="a"} 1 2 3 4 5
  m{i="b"} 10 10 10 20 20

eval range from 0 to 1m step 1m m{i="a"}
  m{i="a"} 1 2 3

eval_fail instant at 0 m

eval_ordered instant at 1m m
  m{i="b"} 10
  m{i="a"} 2

eval_warn instant at 0 m{i="a"}
  m{i="a"} 1

eval instant at 0 m{i="a"}
  expect no_info
  m{i="a"} 2

eval instant at 0 m{i="a"}
  m{i="a"} {{schema:0 sum:1 count:1}}

eval instant at 4m rate(m{i="a"}[4m])
  expect info msg: PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "m"
  {i="a"} 0.016666667

eval instant at 4m rate(m{i="a"}[4m])
  expect no_info
  {i="a"} 0.016666667
"#,
        );
        expect_test::expect![[r#"
            [
                "6: pass",
                "10: Failed: expected 1 series, got 2: unexpected m{i=\"b\"} 10",
                "13: Failed: expected 3 series, got 2: missing m{i=\"c\"}",
                "18: Failed: value mismatch at m{i=\"a\"}: expected 5, got 2 (1 more mismatch)",
                "22: Failed: expected a scalar, got an instant vector of 2 series",
                "25: pass",
                "29: Failed: value mismatch at m{i=\"b\"} at 4m: expected 21, got 20",
                "33: Failed: points mismatch at m{i=\"b\"}: expected 5 points [0s: 10, 1m: 10, 2m: 10, 3m: 20, 4m: 20], got 4 points [0s: 10, 1m: 10, 3m: 20, 4m: 20]",
                "37: Failed: expected 3 points for m{i=\"a\"}, more than the evaluation has steps",
                "40: Failed: expected the query to fail, but it returned an instant vector of 2 series",
                "42: Failed: order mismatch: expected m{i=\"a\"} at position 2, got it at 1",
                "46: Failed: annotations: expected warning annotations, got none",
                "49: Failed: value mismatch at m{i=\"a\"}: expected 2, got 1",
                "53: Skipped: native histograms are not supported (the expected result has native histograms)",
                "56: pass",
                "60: Failed: annotations: expected no infos, got [\"PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \\\"m\\\"\"]",
            ]
        "#]]
        .assert_debug_eq(&got);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn histograms_loaded_mark_later_failures_until_clear() {
        let got = run_text(
            r#"
load 1m
  h {{schema:0 sum:1 count:1}}x2 5
  f 1

eval instant at 2m h
  h 5

eval instant at 3m h
  h 5

eval instant at 2m f
  f 1

clear
load 1m
  f 1

eval instant at 0 f
  f 2

load 1m
  f 2
"#,
        );
        expect_test::expect![[r#"
            [
                "6: Skipped: native histograms are not supported (the load at line 2 has native histograms the lab skipped): expected 1 series, got 0: missing h",
                "9: pass",
                "12: pass",
                "19: Failed: value mismatch at f: expected 2, got 1",
                "line 23: cannot load: duplicate sample for timestamp 0 with a different value for f",
            ]
        "#]]
        .assert_debug_eq(&got);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn queries_the_parser_rejects_fail_with_its_error() {
        let got = run_text("load 1m\n  m 1\n\neval instant at 0 m{\n\neval_fail instant at 0 m{\n");
        assert_eq!(got.len(), 2);
        for g in &got {
            assert!(g.contains(": Failed: parse error: "), "{g}");
            assert!(!g.contains("parse error: parse error"), "{g}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn range_limits() {
        assert!(check_range(0, 10, 0).is_err());
        assert!(check_range(0, 10, -1).is_err());
        assert!(check_range(0, 10_999, 1).is_ok());
        assert!(check_range(0, 11_000, 1).is_err());
        assert!(check_range(i64::MIN, i64::MAX, 1).is_err());
    }
}
