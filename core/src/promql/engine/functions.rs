//! The implementation table of PromQL's functions, one row per row of the
//! parser's [`FUNCTIONS`](crate::promql::FUNCTIONS) table, and the
//! evaluation of a call.
//!
//! A row says how the engine feeds the function: [`Kind::Range`] slides a
//! window over each series of a range vector and asks a kernel for the
//! window's value; [`Kind::Elementwise`] maps each sample of an instant
//! vector; [`Kind::Date`] maps each sample (or the step time) to a calendar
//! field; [`Kind::Special`] names the functions evaluated by hand (they
//! look at whole vectors or at the syntax tree). The arithmetic itself is
//! in [`kernels`].

use super::annotations;
use super::eval::{Data, Evaluator, Point, RangeInput, Series, StepReader, Windows};
use super::EvalError;
use crate::clock::{Millis, Timestamp};
use crate::labels::{Labels, MatchOp, METRIC_NAME};
use crate::promql::ast::{Call, Expr};
use crate::promql::functions::FunctionDef;
use crate::regexp::Regexp;
use std::collections::HashMap;

/// What a range kernel sees of one window.
pub struct RangeWindow<'a> {
    /// The samples in the window, oldest first (never empty).
    pub points: &'a [Point],
    /// The window is `(end - range, end]`.
    pub end: Timestamp,
    pub range: Millis,
    /// The evaluation time of the step.
    pub t: Timestamp,
    /// The scalar arguments at this step, in call order.
    pub args: &'a [f64],
}

/// How the engine feeds a function.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A value per window of a range vector, or none.
    Range(fn(&RangeWindow) -> Option<f64>),
    /// A value per sample, given the scalar arguments at the step; `None`
    /// drops the sample.
    Elementwise(fn(f64, &[f64]) -> Option<f64>),
    /// A calendar field of a time in seconds since the epoch (UTC).
    Date(fn(i64) -> f64),
    /// Evaluated by hand; see [`eval_call`].
    Special,
}

/// One row of the implementation table.
pub struct FunctionImpl {
    pub name: &'static str,
    pub kind: Kind,
}

const fn range(name: &'static str, f: fn(&RangeWindow) -> Option<f64>) -> FunctionImpl {
    FunctionImpl {
        name,
        kind: Kind::Range(f),
    }
}

const fn each(name: &'static str, f: fn(f64, &[f64]) -> Option<f64>) -> FunctionImpl {
    FunctionImpl {
        name,
        kind: Kind::Elementwise(f),
    }
}

const fn date(name: &'static str, f: fn(i64) -> f64) -> FunctionImpl {
    FunctionImpl {
        name,
        kind: Kind::Date(f),
    }
}

const fn special(name: &'static str) -> FunctionImpl {
    FunctionImpl {
        name,
        kind: Kind::Special,
    }
}

use kernels as k;

/// Every function's implementation, sorted by name like `FUNCTIONS`.
pub static IMPLEMENTATIONS: &[FunctionImpl] = &[
    each("abs", |v, _| Some(v.abs())),
    special("absent"),
    special("absent_over_time"),
    each("acos", |v, _| Some(v.acos())),
    each("acosh", |v, _| Some(v.acosh())),
    each("asin", |v, _| Some(v.asin())),
    each("asinh", |v, _| Some(v.asinh())),
    each("atan", |v, _| Some(v.atan())),
    each("atanh", |v, _| Some(v.atanh())),
    range("avg_over_time", |w| Some(k::avg_over_time(w.points))),
    each("ceil", |v, _| Some(v.ceil())),
    range("changes", |w| Some(k::changes(w.points))),
    each("clamp", |v, a| k::clamp(v, arg(a, 0), arg(a, 1))),
    each("clamp_max", |v, a| {
        k::clamp(v, f64::NEG_INFINITY, arg(a, 0))
    }),
    each("clamp_min", |v, a| k::clamp(v, arg(a, 0), f64::INFINITY)),
    each("cos", |v, _| Some(v.cos())),
    each("cosh", |v, _| Some(v.cosh())),
    range("count_over_time", |w| Some(w.points.len() as f64)),
    date("day_of_month", |s| k::civil(s).day as f64),
    date("day_of_week", |s| k::civil(s).weekday as f64),
    date("day_of_year", |s| k::civil(s).day_of_year as f64),
    date("days_in_month", |s| k::civil(s).days_in_month as f64),
    each("deg", |v, _| Some(v * 180.0 / std::f64::consts::PI)),
    range("delta", |w| k::extrapolated_rate(w, false, false)),
    range("deriv", |w| k::deriv(w.points)),
    range("double_exponential_smoothing", |w| {
        k::double_exponential_smoothing(w.points, arg(w.args, 0), arg(w.args, 1))
    }),
    each("exp", |v, _| Some(v.exp())),
    each("floor", |v, _| Some(v.floor())),
    special("histogram_avg"),
    special("histogram_count"),
    special("histogram_fraction"),
    special("histogram_quantile"),
    special("histogram_stddev"),
    special("histogram_stdvar"),
    special("histogram_sum"),
    date("hour", |s| k::civil(s).hour as f64),
    range("idelta", |w| k::instant_value(w.points, false)),
    range("increase", |w| k::extrapolated_rate(w, true, false)),
    special("info"),
    range("irate", |w| k::instant_value(w.points, true)),
    special("label_join"),
    special("label_replace"),
    range("last_over_time", |w| w.points.last().map(|p| p.1)),
    each("ln", |v, _| Some(v.ln())),
    each("log10", |v, _| Some(v.log10())),
    each("log2", |v, _| Some(v.log2())),
    range("mad_over_time", |w| Some(k::mad_over_time(w.points))),
    range("max_over_time", |w| {
        k::compare_over_time(w.points, |cur, best| cur > best).map(|p| p.1)
    }),
    range("min_over_time", |w| {
        k::compare_over_time(w.points, |cur, best| cur < best).map(|p| p.1)
    }),
    date("minute", |s| k::civil(s).minute as f64),
    date("month", |s| k::civil(s).month as f64),
    special("pi"),
    range("predict_linear", |w| {
        k::predict_linear(w.points, w.t, arg(w.args, 0))
    }),
    range("present_over_time", |_| Some(1.0)),
    range("quantile_over_time", |w| {
        let mut values: Vec<f64> = w.points.iter().map(|p| p.1).collect();
        Some(k::quantile(arg(w.args, 0), &mut values))
    }),
    each("rad", |v, _| Some(v * std::f64::consts::PI / 180.0)),
    range("rate", |w| k::extrapolated_rate(w, true, true)),
    range("resets", |w| Some(k::resets(w.points))),
    each("round", |v, a| {
        Some(k::round(v, a.first().copied().unwrap_or(1.0)))
    }),
    special("scalar"),
    each("sgn", |v, _| Some(k::sgn(v))),
    each("sin", |v, _| Some(v.sin())),
    each("sinh", |v, _| Some(v.sinh())),
    special("sort"),
    special("sort_by_label"),
    special("sort_by_label_desc"),
    special("sort_desc"),
    each("sqrt", |v, _| Some(v.sqrt())),
    range("stddev_over_time", |w| {
        Some(k::variance_over_time(w.points).sqrt())
    }),
    range("stdvar_over_time", |w| {
        Some(k::variance_over_time(w.points))
    }),
    range("sum_over_time", |w| Some(k::sum_over_time(w.points))),
    each("tan", |v, _| Some(v.tan())),
    each("tanh", |v, _| Some(v.tanh())),
    special("time"),
    special("timestamp"),
    range("ts_of_last_over_time", |w| {
        w.points.last().map(|p| p.0 as f64 / 1000.0)
    }),
    range("ts_of_max_over_time", |w| {
        k::compare_over_time(w.points, |cur, best| cur >= best).map(|p| p.0 as f64 / 1000.0)
    }),
    range("ts_of_min_over_time", |w| {
        k::compare_over_time(w.points, |cur, best| cur <= best).map(|p| p.0 as f64 / 1000.0)
    }),
    special("vector"),
    date("year", |s| k::civil(s).year as f64),
];

fn arg(args: &[f64], i: usize) -> f64 {
    args.get(i).copied().unwrap_or(f64::NAN)
}

/// The implementation of a function of the parser's table.
pub fn implementation(def: &FunctionDef) -> Option<&'static FunctionImpl> {
    IMPLEMENTATIONS
        .binary_search_by(|f| f.name.cmp(def.name))
        .ok()
        .and_then(|i| IMPLEMENTATIONS.get(i))
}

fn unparen(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => unparen(&p.expr),
        other => other,
    }
}

fn is_range_arg(e: &Expr) -> bool {
    matches!(unparen(e), Expr::MatrixSelector(_) | Expr::Subquery(_))
}

/// A string argument: a literal, possibly in parentheses.
fn string_arg(ev: &mut Evaluator, e: &Expr) -> Result<String, EvalError> {
    match unparen(e) {
        Expr::StringLiteral(s) => Ok(s.value.clone()),
        other => match ev.eval(other)? {
            Data::String(s) => Ok(s),
            _ => Err(EvalError::Unsupported("a non-string argument".into())),
        },
    }
}

fn bad(message: String, e: &Expr) -> EvalError {
    EvalError::BadArgument {
        message,
        span: e.span(),
    }
}

/// Evaluates a function call.
pub fn eval_call(ev: &mut Evaluator, call: &Call) -> Result<Data, EvalError> {
    let Some(imp) = implementation(call.func) else {
        return Err(EvalError::Unsupported(format!(
            "the function {}()",
            call.func.name
        )));
    };
    match imp.kind {
        Kind::Range(f) => eval_range_function(ev, call, f),
        Kind::Elementwise(f) => eval_elementwise(ev, call, f),
        Kind::Date(f) => eval_date(ev, call, f),
        Kind::Special => eval_special(ev, call),
    }
}

/// Evaluates the scalar arguments (all but `skip`), one value per step.
fn scalar_args(ev: &mut Evaluator, call: &Call, skip: usize) -> Result<Vec<Vec<f64>>, EvalError> {
    let mut out = Vec::new();
    for (i, a) in call.args.iter().enumerate() {
        if i != skip {
            out.push(ev.eval_scalar(a)?);
        }
    }
    Ok(out)
}

fn eval_range_function(
    ev: &mut Evaluator,
    call: &Call,
    f: fn(&RangeWindow) -> Option<f64>,
) -> Result<Data, EvalError> {
    let name = call.func.name;
    let Some(m) = call.args.iter().position(is_range_arg) else {
        return Err(EvalError::Unsupported(format!(
            "{name}() over an argument that is not a range selector or subquery"
        )));
    };
    let args = scalar_args(ev, call, m)?;
    let n = ev.grid.len();
    let at_step = |args: &[Vec<f64>], i: usize| -> Vec<f64> {
        args.iter()
            .map(|a| a.get(i).copied().unwrap_or(f64::NAN))
            .collect()
    };
    match name {
        "quantile_over_time" => {
            if let (Some(qs), Some(a)) = (args.first(), call.args.first()) {
                for &q in qs {
                    if q.is_nan() || !(0.0..=1.0).contains(&q) {
                        ev.annotations
                            .add(annotations::invalid_quantile(q, a.span()));
                    }
                }
            }
        }
        "double_exponential_smoothing" => {
            for i in 0..n {
                let a = at_step(&args, i);
                let (sf, tf) = (arg(&a, 0), arg(&a, 1));
                if !(sf > 0.0 && sf < 1.0) {
                    return Err(bad(
                        format!("invalid smoothing factor. Expected: 0 < sf < 1, got: {sf:.6}"),
                        &call.args[1],
                    ));
                }
                if !(tf > 0.0 && tf < 1.0) {
                    return Err(bad(
                        format!("invalid trend factor. Expected: 0 < tf < 1, got: {tf:.6}"),
                        &call.args[2],
                    ));
                }
            }
        }
        _ => {}
    }
    let mut input = ev.range_input(&call.args[m])?;
    let held = input.held();
    if name == "absent_over_time" {
        let out = absent_over_time(ev, call, &input)?;
        ev.release(held);
        return Ok(out);
    }
    let grid = ev.grid;
    let mut out = Vec::with_capacity(input.series.len());
    let mut step_args = vec![0.0; args.len()];
    let counter_check = matches!(name, "rate" | "increase");
    // The input is consumed: its labels move to the output.
    let input_series = std::mem::take(&mut input.series);
    for s in input_series {
        let mut w = Windows::new(&s.points);
        let mut points = Vec::with_capacity(grid.len().min(s.points.len()));
        let mut touched = 0;
        let mut widest = 0;
        for (i, t) in grid.times().enumerate() {
            let end = input.window_end(&grid, i);
            let window = w.window(end, input.range);
            if window.is_empty() {
                continue;
            }
            touched += window.len();
            if window.len() > widest {
                // The window is in memory while the kernel reads it.
                ev.hold(window.len() - widest)?;
                widest = window.len();
            }
            for (j, a) in args.iter().enumerate() {
                step_args[j] = a.get(i).copied().unwrap_or(f64::NAN);
            }
            let rw = RangeWindow {
                points: window,
                end,
                range: input.range,
                t,
                args: &step_args,
            };
            if let Some(v) = f(&rw) {
                points.push((t, v));
            }
        }
        ev.release(widest);
        ev.work(touched + points.len())?;
        ev.hold(points.len())?;
        if points.is_empty() {
            continue;
        }
        if counter_check {
            let metric = s.labels.metric_name();
            if !metric.is_empty()
                && !["_total", "_sum", "_count", "_bucket"]
                    .iter()
                    .any(|suffix| metric.ends_with(suffix))
            {
                ev.annotations.add(annotations::possible_non_counter(
                    metric,
                    call.args[m].span(),
                ));
            }
        }
        let mut series = Series {
            labels: s.labels,
            points,
            drop_name: s.drop_name,
        };
        if name != "last_over_time" {
            ev.drop_name(&mut series);
        }
        out.push(series);
    }
    ev.release(held);
    Ok(Data::Vector(out))
}

fn absent_over_time(
    ev: &mut Evaluator,
    call: &Call,
    input: &RangeInput,
) -> Result<Data, EvalError> {
    let grid = ev.grid;
    let mut present = vec![false; grid.len()];
    for s in &input.series {
        let mut w = Windows::new(&s.points);
        for (i, p) in present.iter_mut().enumerate() {
            if !w.window(input.window_end(&grid, i), input.range).is_empty() {
                *p = true;
            }
        }
        ev.work(grid.len())?;
    }
    let points: Vec<Point> = grid
        .times()
        .zip(&present)
        .filter(|(_, p)| !**p)
        .map(|(t, _)| (t, 1.0))
        .collect();
    if points.is_empty() {
        return Ok(Data::Vector(Vec::new()));
    }
    let mut series = Series::new(absent_labels(&call.args[0]));
    series.points = points;
    ev.drop_name(&mut series);
    Ok(Data::Vector(vec![series]))
}

/// The labels `absent` and `absent_over_time` give their answer: those the
/// selector fixes with `=`, except labels it names more than once.
pub fn absent_labels(e: &Expr) -> Labels {
    let matchers = match unparen(e) {
        Expr::VectorSelector(vs) => &vs.matchers,
        Expr::MatrixSelector(ms) => &ms.selector.matchers,
        _ => return Labels::new(),
    };
    let mut labels = Labels::new();
    let mut seen: Vec<&str> = Vec::new();
    for m in matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        if m.op == MatchOp::Equal && !seen.contains(&m.name.as_str()) {
            labels.set(m.name.clone(), m.value.clone());
            seen.push(&m.name);
        } else {
            labels.remove(&m.name);
        }
    }
    labels
}

fn eval_elementwise(
    ev: &mut Evaluator,
    call: &Call,
    f: fn(f64, &[f64]) -> Option<f64>,
) -> Result<Data, EvalError> {
    let mut series = ev.eval_vector(&call.args[0])?;
    let args = scalar_args(ev, call, 0)?;
    let grid = ev.grid;
    let mut step_args = vec![0.0; args.len()];
    let mut work = 0;
    for s in &mut series {
        let mut points = Vec::with_capacity(s.points.len());
        for &(t, v) in &s.points {
            if !args.is_empty() {
                let i = usize::try_from((t - grid.start) / grid.step).unwrap_or(0);
                for (j, a) in args.iter().enumerate() {
                    step_args[j] = a.get(i).copied().unwrap_or(f64::NAN);
                }
            }
            if let Some(x) = f(v, &step_args) {
                points.push((t, x));
            }
        }
        work += s.points.len();
        s.points = points;
        ev.drop_name(s);
    }
    ev.work(work)?;
    series.retain(|s| !s.points.is_empty());
    Ok(Data::Vector(series))
}

fn eval_date(ev: &mut Evaluator, call: &Call, f: fn(i64) -> f64) -> Result<Data, EvalError> {
    let Some(a) = call.args.first() else {
        let mut s = Series::new(Labels::new());
        s.points = ev
            .grid
            .times()
            .map(|t| (t, f(t.div_euclid(1000))))
            .collect();
        ev.hold(s.points.len())?;
        return Ok(Data::Vector(vec![s]));
    };
    let mut series = ev.eval_vector(a)?;
    for s in &mut series {
        for p in &mut s.points {
            // Go converts the float to int64 seconds.
            p.1 = f(k::go_int64(p.1));
        }
        ev.drop_name(s);
    }
    Ok(Data::Vector(series))
}

fn eval_special(ev: &mut Evaluator, call: &Call) -> Result<Data, EvalError> {
    let name = call.func.name;
    let grid = ev.grid;
    match name {
        "time" => Ok(Data::Scalar(
            grid.times().map(|t| t as f64 / 1000.0).collect(),
        )),
        "pi" => Ok(Data::Scalar(vec![std::f64::consts::PI; grid.len()])),
        "vector" => {
            let v = ev.eval_scalar(&call.args[0])?;
            let mut s = Series::new(Labels::new());
            s.points = grid.times().zip(v).collect();
            Ok(Data::Vector(vec![s]))
        }
        "scalar" => {
            let series = ev.eval_vector(&call.args[0])?;
            let mut reader = StepReader::new(&series);
            let mut out = Vec::with_capacity(grid.len());
            for t in grid.times() {
                let mut found = None;
                let mut count = 0;
                for i in 0..series.len() {
                    if let Some(v) = reader.value(i, t) {
                        count += 1;
                        found = Some(v);
                    }
                }
                out.push(if count == 1 {
                    found.unwrap_or(f64::NAN)
                } else {
                    f64::NAN
                });
            }
            ev.work(series.len() * grid.len())?;
            Ok(Data::Scalar(out))
        }
        "timestamp" => {
            let mut series = match unparen(&call.args[0]) {
                Expr::VectorSelector(vs) => ev.vector_selector(vs, true)?,
                other => {
                    let mut series = ev.eval_vector(other)?;
                    for s in &mut series {
                        for p in &mut s.points {
                            p.1 = p.0 as f64 / 1000.0;
                        }
                    }
                    series
                }
            };
            for s in &mut series {
                ev.drop_name(s);
            }
            Ok(Data::Vector(series))
        }
        "absent" => {
            let series = ev.eval_vector(&call.args[0])?;
            let mut present = vec![false; grid.len()];
            for s in &series {
                for &(t, _) in &s.points {
                    if let Some(p) = usize::try_from((t - grid.start) / grid.step)
                        .ok()
                        .and_then(|i| present.get_mut(i))
                    {
                        *p = true;
                    }
                }
            }
            let mut out = Series::new(absent_labels(&call.args[0]));
            out.points = grid
                .times()
                .zip(present)
                .filter(|(_, p)| !p)
                .map(|(t, _)| (t, 1.0))
                .collect();
            Ok(Data::Vector(if out.points.is_empty() {
                Vec::new()
            } else {
                vec![out]
            }))
        }
        "sort" | "sort_desc" | "sort_by_label" | "sort_by_label_desc" => {
            let mut series = ev.eval_vector(&call.args[0])?;
            let mut labels = Vec::new();
            for a in call.args.iter().skip(1) {
                labels.push(string_arg(ev, a)?);
            }
            // Only an instant query has an order; a range result is
            // sorted by labels.
            if grid.is_instant() {
                let value = |s: &Series| s.points.first().map_or(f64::NAN, |p| p.1);
                match name {
                    "sort" => series.sort_by(|a, b| k::asc_nan_last(value(a), value(b))),
                    "sort_desc" => series.sort_by(|a, b| k::desc_nan_last(value(a), value(b))),
                    _ => {
                        let desc = name == "sort_by_label_desc";
                        series.sort_by(|a, b| {
                            let o = k::compare_by_labels(&a.labels, &b.labels, &labels);
                            if desc {
                                o.reverse()
                            } else {
                                o
                            }
                        });
                    }
                }
            }
            Ok(Data::Vector(series))
        }
        "label_replace" => label_replace(ev, call),
        "label_join" => label_join(ev, call),
        "histogram_quantile" | "histogram_fraction" => classic_histogram(ev, call),
        "histogram_avg" | "histogram_count" | "histogram_stddev" | "histogram_stdvar"
        | "histogram_sum" => {
            let series = ev.eval_vector(&call.args[0])?;
            if series.iter().any(|s| !s.points.is_empty()) {
                ev.annotations
                    .add(annotations::native_histograms_unsupported(
                        name,
                        call.args[0].span(),
                    ));
            }
            Ok(Data::Vector(Vec::new()))
        }
        "info" => super::info::eval_info(ev, call),
        "absent_over_time" => {
            let input = ev.range_input(&call.args[0])?;
            let out = absent_over_time(ev, call, &input);
            ev.release(input.held());
            out
        }
        other => Err(EvalError::Unsupported(format!("the function {other}()"))),
    }
}

/// Prometheus 3 accepts any non-empty UTF-8 label name. The parser turns
/// bytes that are not UTF-8 (`"\xff"`) into U+FFFD, so a name with that
/// character stands for one Go would refuse.
pub fn valid_label_name(name: &str) -> bool {
    !name.is_empty() && !name.contains('\u{fffd}')
}

fn check_duplicates(series: &[Series]) -> Result<(), EvalError> {
    let mut seen = std::collections::HashSet::with_capacity(series.len());
    for s in series {
        if !seen.insert(&s.labels) {
            return Err(EvalError::DuplicateLabelset);
        }
    }
    Ok(())
}

fn label_replace(ev: &mut Evaluator, call: &Call) -> Result<Data, EvalError> {
    let dst = string_arg(ev, &call.args[1])?;
    let replacement = string_arg(ev, &call.args[2])?;
    let src = string_arg(ev, &call.args[3])?;
    let pattern = string_arg(ev, &call.args[4])?;
    let re = Regexp::new(&pattern).map_err(|_| {
        bad(
            format!("invalid regular expression in label_replace(): {pattern}"),
            &call.args[4],
        )
    })?;
    if !valid_label_name(&dst) {
        return Err(bad(
            format!("invalid destination label name in label_replace(): {dst}"),
            &call.args[1],
        ));
    }
    let mut series = ev.eval_vector(&call.args[0])?;
    // Series whose source value is the same get the same answer.
    let mut cache: HashMap<String, Option<String>> = HashMap::new();
    for s in &mut series {
        let value = s.labels.get(&src).to_string();
        let expanded = cache
            .entry(value.clone())
            .or_insert_with(|| re.expand(&replacement, &value))
            .clone();
        if let Some(new) = expanded {
            s.labels.set(dst.clone(), new);
            if dst == METRIC_NAME {
                s.drop_name = false;
            }
        }
    }
    check_duplicates(&series)?;
    Ok(Data::Vector(series))
}

fn label_join(ev: &mut Evaluator, call: &Call) -> Result<Data, EvalError> {
    let dst = string_arg(ev, &call.args[1])?;
    let sep = string_arg(ev, &call.args[2])?;
    let mut sources = Vec::new();
    for a in call.args.iter().skip(3) {
        let src = string_arg(ev, a)?;
        if !valid_label_name(&src) {
            return Err(bad(
                format!("invalid source label name in label_join(): {src}"),
                a,
            ));
        }
        sources.push(src);
    }
    if !valid_label_name(&dst) {
        return Err(bad(
            format!("invalid destination label name in label_join(): {dst}"),
            &call.args[1],
        ));
    }
    let mut series = ev.eval_vector(&call.args[0])?;
    for s in &mut series {
        let joined = sources
            .iter()
            .map(|l| s.labels.get(l))
            .collect::<Vec<_>>()
            .join(&sep);
        s.labels.set(dst.clone(), joined);
        if dst == METRIC_NAME {
            s.drop_name = false;
        }
    }
    check_duplicates(&series)?;
    Ok(Data::Vector(series))
}

/// `histogram_quantile` and `histogram_fraction` over classic histograms:
/// the `le` buckets of each series group (its labels without `le`) at each
/// step.
fn classic_histogram(ev: &mut Evaluator, call: &Call) -> Result<Data, EvalError> {
    let quantile = call.func.name == "histogram_quantile";
    let (scalars, vector_arg) = if quantile {
        (vec![ev.eval_scalar(&call.args[0])?], &call.args[1])
    } else {
        (
            vec![
                ev.eval_scalar(&call.args[0])?,
                ev.eval_scalar(&call.args[1])?,
            ],
            &call.args[2],
        )
    };
    if quantile {
        for &q in &scalars[0] {
            if q.is_nan() || !(0.0..=1.0).contains(&q) {
                ev.annotations
                    .add(annotations::invalid_quantile(q, call.args[0].span()));
            }
        }
    }
    let input = ev.eval_vector(vector_arg)?;
    let held: usize = input.iter().map(|s| s.points.len()).sum();
    // Each series' group and upper bound, found once.
    let mut index: HashMap<Labels, usize> = HashMap::new();
    let mut out: Vec<Series> = Vec::new();
    let mut member: Vec<Option<(usize, f64)>> = Vec::with_capacity(input.len());
    for s in &input {
        let le = s.labels.get("le");
        match k::parse_go_float(le) {
            Some(upper) => {
                let mut labels = s.labels.clone();
                labels.remove("le");
                let n = out.len();
                let g = *index.entry(labels.clone()).or_insert(n);
                if g == n {
                    let mut series = Series::new(labels);
                    ev.drop_name(&mut series);
                    out.push(series);
                }
                member.push(Some((g, upper)));
            }
            None => {
                ev.annotations.add(annotations::bad_bucket_label(
                    s.labels.metric_name(),
                    le,
                    vector_arg.span(),
                ));
                member.push(None);
            }
        }
    }
    let mut buckets: Vec<Vec<(f64, f64)>> = vec![Vec::new(); out.len()];
    let mut reader = StepReader::new(&input);
    let grid = ev.grid;
    for (step, t) in grid.times().enumerate() {
        for b in &mut buckets {
            b.clear();
        }
        for (i, m) in member.iter().enumerate() {
            let Some(v) = reader.value(i, t) else {
                continue;
            };
            if let Some((g, upper)) = m {
                buckets[*g].push((*upper, v));
            }
        }
        for (g, b) in buckets.iter_mut().enumerate() {
            if b.is_empty() {
                continue;
            }
            let v = if quantile {
                let q = scalars[0].get(step).copied().unwrap_or(f64::NAN);
                let mut kb = as_buckets(b);
                let r = crate::promql::kernels::histogram::bucket_quantile(q, &mut kb);
                let (v, forced) = (r.value, r.forced_monotonicity);
                if forced {
                    ev.annotations.add(annotations::forced_monotonicity(
                        out[g].labels.metric_name(),
                        vector_arg.span(),
                    ));
                }
                v
            } else {
                let lower = scalars[0].get(step).copied().unwrap_or(f64::NAN);
                let upper = scalars[1].get(step).copied().unwrap_or(f64::NAN);
                crate::promql::kernels::histogram::bucket_fraction(lower, upper, &mut as_buckets(b))
            };
            out[g].points.push((t, v));
        }
        ev.work(input.len())?;
    }
    ev.release(held);
    let out: Vec<Series> = out.into_iter().filter(|s| !s.points.is_empty()).collect();
    ev.hold(out.iter().map(|s| s.points.len()).sum())?;
    Ok(Data::Vector(out))
}

/// Minimal kernels: the arithmetic of the functions, enough for the
/// engine and its conformance scripts. They stand in for the shared
/// `promql::kernels` module and are to be replaced by calls to it, row by
/// row of [`IMPLEMENTATIONS`].
/// Classic-histogram buckets `(upper bound, cumulative count)` as the
/// kernels take them.
fn as_buckets(b: &[(f64, f64)]) -> Vec<crate::promql::kernels::histogram::Bucket> {
    b.iter()
        .map(
            |&(upper_bound, count)| crate::promql::kernels::histogram::Bucket {
                upper_bound,
                count,
            },
        )
        .collect()
}

pub mod kernels {
    use super::{Point, RangeWindow};
    use crate::labels::Labels;
    use std::cmp::Ordering;

    /// Kahan summation's step: the new sum and compensation.
    pub fn kahan_sum_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
        let t = sum + inc;
        let c = if t.is_infinite() {
            0.0
        } else if sum.abs() >= inc.abs() {
            c + ((sum - t) + inc)
        } else {
            c + ((inc - t) + sum)
        };
        (t, c)
    }

    /// The `q` quantile of `values` with linear interpolation between
    /// ranks; NaN for no values or a NaN `q`, ∓Inf below 0 and above 1.
    pub fn quantile(q: f64, values: &mut [f64]) -> f64 {
        if values.is_empty() || q.is_nan() {
            return f64::NAN;
        }
        if q < 0.0 {
            return f64::NEG_INFINITY;
        }
        if q > 1.0 {
            return f64::INFINITY;
        }
        // NaN first, as Prometheus's sort puts it.
        values.sort_by(|a, b| match (a.is_nan(), b.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            _ => a.partial_cmp(b).unwrap_or(Ordering::Equal),
        });
        let n = values.len() as f64;
        let rank = q * (n - 1.0);
        let lower = rank.floor().max(0.0);
        let upper = (lower + 1.0).min(n - 1.0);
        let weight = rank - rank.floor();
        let at = |i: f64| values.get(i as usize).copied().unwrap_or(f64::NAN);
        at(lower) * (1.0 - weight) + at(upper) * weight
    }

    pub fn asc_nan_last(a: f64, b: f64) -> Ordering {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
        }
    }

    pub fn desc_nan_last(a: f64, b: f64) -> Ordering {
        match (a.is_nan(), b.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => b.partial_cmp(&a).unwrap_or(Ordering::Equal),
        }
    }

    /// `rate`, `increase` and `delta`: the change over the window,
    /// extrapolated towards its ends, per second for a rate.
    pub fn extrapolated_rate(w: &RangeWindow, counter: bool, per_second: bool) -> Option<f64> {
        let s = w.points;
        if s.len() < 2 {
            return None;
        }
        let (first, last) = (s[0], s[s.len() - 1]);
        let mut result = last.1 - first.1;
        if counter {
            let mut prev = first.1;
            for p in &s[1..] {
                if p.1 < prev {
                    result += prev;
                }
                prev = p.1;
            }
        }
        let range_start = w.end - w.range;
        let mut to_start = (first.0 - range_start) as f64 / 1000.0;
        let mut to_end = (w.end - last.0) as f64 / 1000.0;
        let sampled = (last.0 - first.0) as f64 / 1000.0;
        let average = sampled / (s.len() - 1) as f64;
        let threshold = average * 1.1;
        if to_start >= threshold {
            to_start = average / 2.0;
        }
        if counter && result > 0.0 && first.1 >= 0.0 {
            let to_zero = sampled * (first.1 / result);
            if to_zero < to_start {
                to_start = to_zero;
            }
        }
        if to_end >= threshold {
            to_end = average / 2.0;
        }
        let mut factor = (sampled + to_start + to_end) / sampled;
        if per_second {
            factor /= w.range as f64 / 1000.0;
        }
        Some(result * factor)
    }

    /// `irate` and `idelta`: from the last two samples.
    pub fn instant_value(s: &[Point], rate: bool) -> Option<f64> {
        if s.len() < 2 {
            return None;
        }
        let (a, b) = (s[s.len() - 2], s[s.len() - 1]);
        let interval = b.0 - a.0;
        if interval == 0 {
            return None;
        }
        let mut v = b.1;
        if !rate || b.1 >= a.1 || b.1.is_nan() || a.1.is_nan() {
            v = b.1 - a.1;
        }
        if rate {
            v /= interval as f64 / 1000.0;
        }
        Some(v)
    }

    pub fn sum_over_time(s: &[Point]) -> f64 {
        let (mut sum, mut c) = (0.0, 0.0);
        for p in s {
            (sum, c) = kahan_sum_inc(p.1, sum, c);
        }
        if sum.is_infinite() {
            sum
        } else {
            sum + c
        }
    }

    pub fn avg_over_time(s: &[Point]) -> f64 {
        let Some(first) = s.first() else {
            return f64::NAN;
        };
        let (mut sum, mut count, mut mean, mut c) = (first.1, 1.0, 0.0, 0.0);
        let mut incremental = false;
        for (i, p) in s.iter().enumerate().skip(1) {
            count = (i + 1) as f64;
            if !incremental {
                let (ns, nc) = kahan_sum_inc(p.1, sum, c);
                if !ns.is_infinite() {
                    sum = ns;
                    c = nc;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1.0);
                c /= count - 1.0;
            }
            let q = (count - 1.0) / count;
            (mean, c) = kahan_sum_inc(p.1 / count, q * mean, q * c);
        }
        if incremental {
            mean + c
        } else {
            sum / count + c / count
        }
    }

    /// The sample `better(candidate, best)` prefers, NaN always replaced.
    pub fn compare_over_time(s: &[Point], better: fn(f64, f64) -> bool) -> Option<Point> {
        let mut best = *s.first()?;
        for p in s {
            if better(p.1, best.1) || best.1.is_nan() {
                best = *p;
            }
        }
        Some(best)
    }

    pub fn variance_over_time(s: &[Point]) -> f64 {
        let (mut count, mut mean, mut c_mean, mut aux, mut c_aux) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for p in s {
            count += 1.0;
            let delta = p.1 - (mean + c_mean);
            (mean, c_mean) = kahan_sum_inc(delta / count, mean, c_mean);
            (aux, c_aux) = kahan_sum_inc(delta * (p.1 - (mean + c_mean)), aux, c_aux);
        }
        (aux + c_aux) / count
    }

    pub fn mad_over_time(s: &[Point]) -> f64 {
        let mut values: Vec<f64> = s.iter().map(|p| p.1).collect();
        let median = quantile(0.5, &mut values);
        let mut deviations: Vec<f64> = s.iter().map(|p| (p.1 - median).abs()).collect();
        quantile(0.5, &mut deviations)
    }

    pub fn changes(s: &[Point]) -> f64 {
        s.windows(2)
            .filter(|w| w[1].1 != w[0].1 && !(w[1].1.is_nan() && w[0].1.is_nan()))
            .count() as f64
    }

    pub fn resets(s: &[Point]) -> f64 {
        s.windows(2).filter(|w| w[1].1 < w[0].1).count() as f64
    }

    /// Least-squares slope and intercept, times in seconds relative to
    /// `intercept_time`.
    pub fn linear_regression(s: &[Point], intercept_time: i64) -> (f64, f64) {
        let (mut n, mut sx, mut cx, mut sy, mut cy) = (0.0, 0.0, 0.0, 0.0, 0.0);
        let (mut sxy, mut cxy, mut sx2, mut cx2) = (0.0, 0.0, 0.0, 0.0);
        let init = s.first().map_or(f64::NAN, |p| p.1);
        let mut constant = true;
        for (i, p) in s.iter().enumerate() {
            if constant && i > 0 && p.1 != init {
                constant = false;
            }
            n += 1.0;
            let x = (p.0 - intercept_time) as f64 / 1e3;
            (sx, cx) = kahan_sum_inc(x, sx, cx);
            (sy, cy) = kahan_sum_inc(p.1, sy, cy);
            (sxy, cxy) = kahan_sum_inc(x * p.1, sxy, cxy);
            (sx2, cx2) = kahan_sum_inc(x * x, sx2, cx2);
        }
        if constant {
            if init.is_infinite() {
                return (f64::NAN, f64::NAN);
            }
            return (0.0, init);
        }
        let (sx, sy, sxy, sx2) = (sx + cx, sy + cy, sxy + cxy, sx2 + cx2);
        let cov = sxy - sx * sy / n;
        let var = sx2 - sx * sx / n;
        let slope = cov / var;
        (slope, sy / n - slope * sx / n)
    }

    pub fn deriv(s: &[Point]) -> Option<f64> {
        if s.len() < 2 {
            return None;
        }
        Some(linear_regression(s, s[0].0).0)
    }

    pub fn predict_linear(s: &[Point], t: i64, duration: f64) -> Option<f64> {
        if s.len() < 2 {
            return None;
        }
        let (slope, intercept) = linear_regression(s, t);
        Some(slope * duration + intercept)
    }

    pub fn double_exponential_smoothing(s: &[Point], sf: f64, tf: f64) -> Option<f64> {
        if s.len() < 2 {
            return None;
        }
        let trend = |i: usize, s0: f64, s1: f64, b: f64| {
            if i == 0 {
                b
            } else {
                tf * (s1 - s0) + (1.0 - tf) * b
            }
        };
        let (mut s0, mut s1, mut b) = (0.0, s[0].1, s[1].1 - s[0].1);
        for (i, p) in s.iter().enumerate().skip(1) {
            let x = sf * p.1;
            b = trend(i - 1, s0, s1, b);
            let y = (1.0 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        Some(s1)
    }

    pub fn clamp(v: f64, min: f64, max: f64) -> Option<f64> {
        if max < min {
            return None;
        }
        // Go's math.Max/Min: NaN wins.
        if v.is_nan() || min.is_nan() || max.is_nan() {
            return Some(f64::NAN);
        }
        Some(v.min(max).max(min))
    }

    pub fn round(v: f64, to_nearest: f64) -> f64 {
        let inverse = 1.0 / to_nearest;
        (v * inverse + 0.5).floor() / inverse
    }

    pub fn sgn(v: f64) -> f64 {
        if v < 0.0 {
            -1.0
        } else if v > 0.0 {
            1.0
        } else {
            v
        }
    }

    /// Go's conversion of a float64 to int64 (amd64: out of range and NaN
    /// give the smallest int64).
    pub fn go_int64(v: f64) -> i64 {
        if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&v) {
            i64::MIN
        } else {
            v as i64
        }
    }

    /// A UTC calendar date and time.
    pub struct Civil {
        pub year: i64,
        pub month: u32,
        pub day: u32,
        pub hour: u32,
        pub minute: u32,
        /// 0 is Sunday.
        pub weekday: u32,
        pub day_of_year: u32,
        pub days_in_month: u32,
    }

    fn is_leap(y: i64) -> bool {
        (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
    }

    /// The calendar fields of `secs` seconds since the epoch, in UTC.
    pub fn civil(secs: i64) -> Civil {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Days to civil date (proleptic Gregorian), in i128 so no time
        // overflows.
        let z = i128::from(days) + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i128::from(month <= 2)) as i64;
        let leap = is_leap(year);
        const CUMULATIVE: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
        let day_of_year = CUMULATIVE[(month - 1) as usize] + day + u32::from(leap && month > 2);
        let days_in_month = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        Civil {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            minute: (rem % 3600 / 60) as u32,
            weekday: (days + 4).rem_euclid(7) as u32,
            day_of_year,
            days_in_month,
        }
    }

    /// Go's `strconv.ParseFloat` for the values of `le`.
    pub fn parse_go_float(s: &str) -> Option<f64> {
        let t = s.trim_start_matches(['+', '-']);
        let lower = t.to_ascii_lowercase();
        if lower == "inf" || lower == "infinity" {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        if s.is_empty() || s.contains('_') {
            return None;
        }
        s.parse().ok()
    }

    /// Splits into runs of digits and of non-digits.
    fn chunks(s: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut digit: Option<bool> = None;
        for (i, c) in s.char_indices() {
            let d = c.is_ascii_digit();
            if digit.is_some_and(|x| x != d) {
                out.push(&s[start..i]);
                start = i;
            }
            digit = Some(d);
        }
        if start < s.len() {
            out.push(&s[start..]);
        }
        out
    }

    /// Natural order (`a2` before `a10`), as the `natsort` package
    /// Prometheus uses compares: true when `a` sorts first.
    pub fn natural_less(a: &str, b: &str) -> bool {
        let (ca, cb) = (chunks(a), chunks(b));
        for (i, x) in ca.iter().enumerate() {
            let Some(y) = cb.get(i) else {
                return false;
            };
            let ends = |i: usize| {
                if i == ca.len() - 1 {
                    Some(true)
                } else if i == cb.len() - 1 {
                    Some(false)
                } else {
                    None
                }
            };
            if let (Ok(nx), Ok(ny)) = (x.parse::<i64>(), y.parse::<i64>()) {
                if nx == ny {
                    if let Some(r) = ends(i) {
                        return r;
                    }
                    continue;
                }
                return nx < ny;
            }
            if x == y {
                if let Some(r) = ends(i) {
                    return r;
                }
                continue;
            }
            return x < y;
        }
        false
    }

    /// `sort_by_label`'s order: the given labels in natural order, then the
    /// whole label sets.
    pub fn compare_by_labels(a: &Labels, b: &Labels, names: &[String]) -> Ordering {
        for n in names {
            let (x, y) = (a.get(n), b.get(n));
            if x == y {
                continue;
            }
            return if natural_less(x, y) {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        }
        a.cmp(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::promql::FUNCTIONS;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn every_function_of_the_parser_has_an_implementation() {
        assert_eq!(IMPLEMENTATIONS.len(), FUNCTIONS.len());
        for def in FUNCTIONS {
            assert!(
                implementation(def).is_some(),
                "{} has no implementation",
                def.name
            );
        }
        for w in IMPLEMENTATIONS.windows(2) {
            assert!(w[0].name < w[1].name, "{} before {}", w[0].name, w[1].name);
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn calendar_fields_in_utc() {
        // 2024-02-29T13:45:00Z, a Thursday.
        let c = kernels::civil(1_709_214_300);
        assert_eq!(
            (
                c.year,
                c.month,
                c.day,
                c.hour,
                c.minute,
                c.weekday,
                c.day_of_year,
                c.days_in_month
            ),
            (2024, 2, 29, 13, 45, 4, 60, 29)
        );
        let c = kernels::civil(-1);
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute),
            (1969, 12, 31, 23, 59)
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn natural_order() {
        assert!(kernels::natural_less("a2", "a10"));
        assert!(!kernels::natural_less("a10", "a2"));
        assert!(kernels::natural_less("1.2.3.4", "10.0.0.1"));
        assert!(kernels::natural_less("abc", "abd"));
    }
}
