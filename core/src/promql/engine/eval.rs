//! The evaluator: the grid of steps a query runs over, the value of a
//! node over all those steps ([`Data`]), selectors with lookback,
//! staleness, `offset` and `@`, the windows of range functions (matrix
//! selectors and subqueries), literals, unary minus, the removal of the
//! metric name at the end (Prometheus 3's delayed name removal), the
//! sample limit and the interrupt checks.
//!
//! An instant vector over the grid is a list of [`Series`], each with a
//! point at the steps where it has a value; series keep the order of
//! their input (the order an instant query returns) and a range query's
//! result is sorted by labels at the end.

use super::annotations::Annotations;
use super::{aggregate, binary, functions};
use super::{EngineOptions, EvalError, Evaluation, Interrupt, CHECK_EVERY};
use crate::clock::{Millis, Timestamp};
use crate::diagnostic::Span;
use crate::labels::{Labels, METRIC_NAME};
use crate::promql::ast::{AtModifier, Duration, Expr, Subquery, UnaryOp, VectorSelector};
use crate::promql::value::{InstantSample, RangeSeries, Value};
use crate::tsdb::{is_stale_marker, Querier, Sample};
use std::collections::HashMap;

/// What a selector's point holds at a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepValue {
    /// The sample's value.
    Sample,
    /// The sample's time in seconds (`timestamp()`).
    Seconds,
    /// The sample's time in milliseconds (`info()` keeps the newest info
    /// sample by it).
    Millis,
}

impl StepValue {
    fn of(self, x: Sample) -> f64 {
        match self {
            StepValue::Sample => x.v,
            StepValue::Seconds => x.t as f64 / 1000.0,
            StepValue::Millis => x.t as f64,
        }
    }
}

/// A value at a time.
pub type Point = (Timestamp, f64);

/// One series of an instant vector over the grid (points at step times)
/// or of a range vector (points at sample times).
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub labels: Labels,
    pub points: Vec<Point>,
    /// The metric name is to be removed at the end (delayed name removal).
    pub drop_name: bool,
}

impl Series {
    pub fn new(labels: Labels) -> Self {
        Series {
            labels,
            points: Vec::new(),
            drop_name: false,
        }
    }
}

/// The value of a node over the grid.
#[derive(Debug, Clone, PartialEq)]
pub enum Data {
    /// One value per step.
    Scalar(Vec<f64>),
    String(String),
    /// Series with points at step times.
    Vector(Vec<Series>),
    /// Series with their samples in the window of the (single) step.
    Matrix(Vec<Series>),
}

impl Data {
    pub fn points(&self) -> usize {
        match self {
            Data::Scalar(v) => v.len(),
            Data::String(_) => 0,
            Data::Vector(s) | Data::Matrix(s) => s.iter().map(|s| s.points.len()).sum(),
        }
    }
}

/// The times a node is evaluated at: `start`, `start + step`, … `end`.
/// Empty when `end < start` (a subquery entirely before its window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grid {
    pub start: Timestamp,
    pub end: Timestamp,
    pub step: Millis,
}

impl Grid {
    pub fn len(&self) -> usize {
        if self.end < self.start || self.step <= 0 {
            return 0;
        }
        let n = (i128::from(self.end) - i128::from(self.start)) / i128::from(self.step) + 1;
        usize::try_from(n).unwrap_or(usize::MAX)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn time(&self, i: usize) -> Timestamp {
        let i = i64::try_from(i).unwrap_or(i64::MAX);
        self.start.saturating_add(i.saturating_mul(self.step))
    }

    pub fn times(&self) -> impl Iterator<Item = Timestamp> + '_ {
        (0..self.len()).map(|i| self.time(i))
    }

    /// An instant query, or a node evaluated at one time.
    pub fn is_instant(&self) -> bool {
        self.len() == 1
    }
}

/// Reads an instant vector step by step: at each step, every series is
/// asked once, in order, for its value at that step.
pub struct StepReader<'a> {
    series: &'a [Series],
    pos: Vec<usize>,
}

impl<'a> StepReader<'a> {
    pub fn new(series: &'a [Series]) -> Self {
        StepReader {
            series,
            pos: vec![0; series.len()],
        }
    }

    /// The value of series `i` at `t`, if it has one; moves past it.
    pub fn value(&mut self, i: usize, t: Timestamp) -> Option<f64> {
        let s = self.series.get(i)?;
        let p = *self.pos.get(i)?;
        match s.points.get(p) {
            Some(&(pt, v)) if pt == t => {
                self.pos[i] = p + 1;
                Some(v)
            }
            _ => None,
        }
    }
}

/// Output series found by labels, created once; a second value for the
/// same series at one step is Prometheus's duplicate-labelset error.
#[derive(Default)]
pub struct Collector {
    pub series: Vec<Series>,
    index: HashMap<Labels, usize>,
}

impl Collector {
    pub fn id(&mut self, labels: Labels, drop_name: bool) -> usize {
        if let Some(&i) = self.index.get(&labels) {
            return i;
        }
        let i = self.series.len();
        self.index.insert(labels.clone(), i);
        self.series.push(Series {
            labels,
            points: Vec::new(),
            drop_name,
        });
        i
    }

    pub fn push(&mut self, id: usize, t: Timestamp, v: f64) -> Result<(), EvalError> {
        let Some(s) = self.series.get_mut(id) else {
            return Ok(());
        };
        if s.points.last().is_some_and(|p| p.0 == t) {
            return Err(EvalError::DuplicateLabelset);
        }
        s.points.push((t, v));
        Ok(())
    }

    /// The series that got at least one point.
    pub fn finish(self) -> Vec<Series> {
        self.series
            .into_iter()
            .filter(|s| !s.points.is_empty())
            .collect()
    }
}

/// A range-vector argument: each series' samples (stale markers left out)
/// over all the windows it will be asked for, and how to find the window
/// of a step: `(end - range, end]` with `end = (@ time or step time) -
/// offset`.
pub struct RangeInput {
    pub series: Vec<Series>,
    pub range: Millis,
    pub offset: Millis,
    pub at: Option<Timestamp>,
    /// The span of the argument, for annotations.
    pub span: Span,
    /// The argument is a matrix selector (not a subquery): rate and
    /// increase check its metric name.
    pub from_selector: bool,
}

impl RangeInput {
    /// The samples the input holds against the limit: a subquery's
    /// results (a selector's samples count window by window).
    pub fn held(&self) -> usize {
        if self.from_selector {
            0
        } else {
            self.series.iter().map(|s| s.points.len()).sum()
        }
    }

    /// The end of step `i`'s window.
    pub fn window_end(&self, grid: &Grid, i: usize) -> Timestamp {
        self.at
            .unwrap_or_else(|| grid.time(i))
            .saturating_sub(self.offset)
    }
}

/// Walks one series' windows over the steps.
pub struct Windows<'a> {
    points: &'a [Point],
    lo: usize,
    hi: usize,
}

impl<'a> Windows<'a> {
    pub fn new(points: &'a [Point]) -> Self {
        Windows {
            points,
            lo: 0,
            hi: 0,
        }
    }

    /// The points in `(end - range, end]`; `end` must not go backwards
    /// between calls.
    pub fn window(&mut self, end: Timestamp, range: Millis) -> &'a [Point] {
        let start = end.saturating_sub(range);
        while self.hi < self.points.len() && self.points[self.hi].0 <= end {
            self.hi += 1;
        }
        while self.lo < self.hi && self.points[self.lo].0 <= start {
            self.lo += 1;
        }
        self.points.get(self.lo..self.hi).unwrap_or(&[])
    }
}

/// The evaluator of one query.
pub struct Evaluator<'a> {
    pub querier: &'a dyn Querier,
    pub options: &'a EngineOptions,
    pub grid: Grid,
    /// The query's own start and end, for `@ start()` and `@ end()`.
    pub query_start: Timestamp,
    pub query_end: Timestamp,
    pub annotations: Annotations,
    /// Samples held now, and at most.
    pub samples: usize,
    pub peak: usize,
    /// Samples read and values computed.
    pub work: u64,
    next_check: u64,
    interrupt: &'a dyn Interrupt,
}

/// Evaluates a whole query over `[start, end]` and shapes the answer as the
/// API returns it.
pub fn evaluate(
    querier: &dyn Querier,
    options: &EngineOptions,
    expr: &Expr,
    start: Timestamp,
    end: Timestamp,
    step: Millis,
    interrupt: &dyn Interrupt,
) -> Result<Evaluation, EvalError> {
    let mut ev = Evaluator::new(querier, options, start, end, step, interrupt);
    let data = ev.eval(expr)?;
    let instant = start == end;
    let value = match data {
        Data::Scalar(v) if instant => Value::Scalar {
            t: start,
            v: v.first().copied().unwrap_or(f64::NAN),
        },
        Data::Scalar(v) => Value::Matrix(vec![RangeSeries {
            labels: Labels::new(),
            points: ev.grid.times().zip(v).collect(),
        }]),
        Data::String(s) => Value::String { t: start, v: s },
        Data::Vector(series) => {
            let series = finish_names(series)?;
            if instant {
                Value::Vector(
                    series
                        .into_iter()
                        .filter_map(|s| {
                            s.points.first().map(|&(_, v)| InstantSample {
                                labels: s.labels,
                                t: start,
                                v,
                            })
                        })
                        .collect(),
                )
            } else {
                Value::Matrix(sorted_matrix(series))
            }
        }
        Data::Matrix(series) => Value::Matrix(sorted_matrix(finish_names(series)?)),
    };
    Ok(Evaluation {
        value,
        annotations: ev.annotations,
        work: ev.work,
        peak_samples: ev.peak,
    })
}

fn sorted_matrix(series: Vec<Series>) -> Vec<RangeSeries> {
    let mut out: Vec<RangeSeries> = series
        .into_iter()
        .filter(|s| !s.points.is_empty())
        .map(|s| RangeSeries {
            labels: s.labels,
            points: s.points,
        })
        .collect();
    out.sort_by(|a, b| a.labels.cmp(&b.labels));
    out
}

/// Removes the metric name where it is marked for removal, then refuses
/// two series with the same labels.
pub fn finish_names(mut series: Vec<Series>) -> Result<Vec<Series>, EvalError> {
    for s in &mut series {
        if s.drop_name {
            remove_metadata_labels(&mut s.labels);
            s.drop_name = false;
        }
    }
    let mut seen = std::collections::HashSet::with_capacity(series.len());
    for s in &series {
        if !s.points.is_empty() && !seen.insert(&s.labels) {
            return Err(EvalError::DuplicateLabelset);
        }
    }
    Ok(series)
}

/// Prometheus drops the metric name together with the type and unit
/// labels (`DropReserved(IsMetadataLabel)`).
pub fn remove_metadata_labels(labels: &mut Labels) {
    labels.remove(METRIC_NAME);
    labels.remove("__type__");
    labels.remove("__unit__");
}

/// A duration of the syntax tree in milliseconds, or the error of its
/// arithmetic.
pub fn duration_millis(
    d: &Duration,
    allow_negative: bool,
    span: Span,
) -> Result<Millis, EvalError> {
    d.millis(allow_negative)
        .map_err(|e| EvalError::BadArgument {
            message: e.to_string(),
            span,
        })
}

impl<'a> Evaluator<'a> {
    pub fn new(
        querier: &'a dyn Querier,
        options: &'a EngineOptions,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
        interrupt: &'a dyn Interrupt,
    ) -> Self {
        Evaluator {
            querier,
            options,
            grid: Grid { start, end, step },
            query_start: start,
            query_end: end,
            annotations: Annotations::default(),
            samples: 0,
            peak: 0,
            work: 0,
            next_check: CHECK_EVERY,
            interrupt,
        }
    }

    /// Counts `n` units of work and asks the interrupt every
    /// [`CHECK_EVERY`] units.
    pub fn work(&mut self, n: usize) -> Result<(), EvalError> {
        self.work = self.work.saturating_add(n as u64);
        if self.work >= self.next_check {
            self.next_check = self.work.saturating_add(CHECK_EVERY);
            if let Some(reason) = self.interrupt.check(self.work) {
                return Err(EvalError::Stopped(reason));
            }
        }
        Ok(())
    }

    /// Takes `n` more samples into memory, failing past the limit.
    pub fn hold(&mut self, n: usize) -> Result<(), EvalError> {
        self.samples = self.samples.saturating_add(n);
        self.peak = self.peak.max(self.samples);
        if self.samples > self.options.max_samples {
            return Err(EvalError::TooManySamples);
        }
        Ok(())
    }

    /// Lets `n` samples go (an input consumed by its parent).
    pub fn release(&mut self, n: usize) {
        self.samples = self.samples.saturating_sub(n);
    }

    /// Marks a series' metric name for removal (or removes it now when
    /// delayed removal is off).
    pub fn drop_name(&self, s: &mut Series) {
        if self.options.delayed_name_removal {
            s.drop_name = true;
        } else {
            remove_metadata_labels(&mut s.labels);
        }
    }

    /// The time an `@` modifier fixes.
    pub fn at_time(&self, at: Option<AtModifier>) -> Option<Timestamp> {
        at.map(|a| match a {
            AtModifier::Timestamp(t) => t,
            AtModifier::Start => self.query_start,
            AtModifier::End => self.query_end,
        })
    }

    /// Evaluates `expr` over the grid.
    pub fn eval(&mut self, expr: &Expr) -> Result<Data, EvalError> {
        self.work(1)?;
        if self.grid.is_empty() {
            return Ok(match expr.value_type() {
                crate::promql::ValueType::Scalar => Data::Scalar(Vec::new()),
                crate::promql::ValueType::String => match expr {
                    Expr::StringLiteral(s) => Data::String(s.value.clone()),
                    _ => Data::String(String::new()),
                },
                crate::promql::ValueType::Matrix => Data::Matrix(Vec::new()),
                crate::promql::ValueType::Vector => Data::Vector(Vec::new()),
            });
        }
        match expr {
            Expr::NumberLiteral(n) => {
                let n_steps = self.grid.len();
                self.hold(n_steps)?;
                Ok(Data::Scalar(vec![n.value; n_steps]))
            }
            Expr::StringLiteral(s) => Ok(Data::String(s.value.clone())),
            Expr::Paren(p) => self.eval(&p.expr),
            Expr::Unary(u) => {
                let data = self.eval(&u.expr)?;
                if u.op == UnaryOp::Plus {
                    return Ok(data);
                }
                Ok(match data {
                    Data::Scalar(v) => Data::Scalar(v.into_iter().map(|x| -x).collect()),
                    Data::Vector(mut series) => {
                        for s in &mut series {
                            self.drop_name(s);
                            for p in &mut s.points {
                                p.1 = -p.1;
                            }
                        }
                        Data::Vector(series)
                    }
                    other => other,
                })
            }
            Expr::VectorSelector(vs) => Ok(Data::Vector(self.vector_selector(vs, false)?)),
            Expr::MatrixSelector(_) | Expr::Subquery(_) => {
                if !self.grid.is_instant() {
                    return Err(EvalError::Unsupported(
                        "range evaluation of a range vector".into(),
                    ));
                }
                let input = self.range_input(expr)?;
                // One step: the samples of its window.
                let mut out = Vec::with_capacity(input.series.len());
                let end = input.window_end(&self.grid, 0);
                let subquery_points = input.held();
                for s in input.series {
                    let mut w = Windows::new(&s.points);
                    let points = w.window(end, input.range).to_vec();
                    self.hold(points.len())?;
                    if !points.is_empty() {
                        out.push(Series {
                            labels: s.labels,
                            points,
                            drop_name: s.drop_name,
                        });
                    }
                }
                self.release(subquery_points);
                Ok(Data::Matrix(out))
            }
            Expr::Binary(b) => binary::eval_binary(self, b),
            Expr::Aggregate(a) => aggregate::eval_aggregate(self, a),
            Expr::Call(c) => functions::eval_call(self, c),
        }
    }

    /// Evaluates an argument that must be a scalar: one value per step.
    pub fn eval_scalar(&mut self, expr: &Expr) -> Result<Vec<f64>, EvalError> {
        match self.eval(expr)? {
            Data::Scalar(v) => Ok(v),
            other => Err(EvalError::Unsupported(format!(
                "a {} where a scalar is expected",
                data_kind(&other)
            ))),
        }
    }

    /// Evaluates an argument that must be an instant vector.
    pub fn eval_vector(&mut self, expr: &Expr) -> Result<Vec<Series>, EvalError> {
        match self.eval(expr)? {
            Data::Vector(v) => Ok(v),
            other => Err(EvalError::Unsupported(format!(
                "a {} where an instant vector is expected",
                data_kind(&other)
            ))),
        }
    }

    /// The series of a vector selector with a point at each step where the
    /// series has a sample in the lookback window that is not a stale
    /// marker; with `timestamps`, the point's value is the sample's time
    /// in seconds (for `timestamp()`).
    pub fn vector_selector(
        &mut self,
        vs: &VectorSelector,
        timestamps: bool,
    ) -> Result<Vec<Series>, EvalError> {
        let n = self.grid.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let offset = match &vs.offset {
            Some(d) => duration_millis(d, true, vs.span)?,
            None => 0,
        };
        let at = self.at_time(vs.at);
        let first = at.unwrap_or(self.grid.start).saturating_sub(offset);
        let last = at
            .unwrap_or_else(|| self.grid.time(n - 1))
            .saturating_sub(offset);
        let mint = first
            .saturating_sub(self.options.lookback_delta)
            .saturating_add(1);
        let selected = self.querier.select_series(&vs.matchers, mint, last);
        let value = if timestamps {
            StepValue::Seconds
        } else {
            StepValue::Sample
        };
        self.sample_steps(selected, offset, at, value)
    }

    /// Each selected series' latest sample at every step (the step time,
    /// or the `@` time, minus `offset`) within the lookback window, stale
    /// markers left out, as a point of the given [`StepValue`].
    pub fn sample_steps(
        &mut self,
        selected: Vec<crate::tsdb::Series<'_>>,
        offset: Millis,
        at: Option<Timestamp>,
        value: StepValue,
    ) -> Result<Vec<Series>, EvalError> {
        let n = self.grid.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let lookback = self.options.lookback_delta;
        let grid = self.grid;
        let reference = move |i: usize| -> Timestamp {
            at.unwrap_or_else(|| grid.time(i)).saturating_sub(offset)
        };
        let first = reference(0);
        let mut out = Vec::with_capacity(selected.len());
        for mut s in selected {
            let mut points = Vec::new();
            let mut read = 0usize;
            if at.is_some() {
                // The same sample at every step.
                let mut latest = None;
                for x in s.samples.by_ref() {
                    read += 1;
                    if x.t > first {
                        break;
                    }
                    latest = Some(x);
                }
                if let Some(x) =
                    latest.filter(|x| x.t > first.saturating_sub(lookback) && !is_stale_marker(x.v))
                {
                    points = grid.times().map(|t| (t, value.of(x))).collect();
                }
            } else {
                let mut cur: Option<Sample> = None;
                let mut next = s.samples.next();
                for (i, t) in grid.times().enumerate() {
                    let r = reference(i);
                    while let Some(x) = next {
                        if x.t > r {
                            break;
                        }
                        cur = Some(x);
                        read += 1;
                        next = s.samples.next();
                    }
                    if let Some(x) = cur {
                        if x.t > r.saturating_sub(lookback) && !is_stale_marker(x.v) {
                            points.push((t, value.of(x)));
                        }
                    }
                }
            }
            self.work(read + points.len())?;
            self.hold(points.len())?;
            if !points.is_empty() {
                out.push(Series {
                    labels: s.labels.clone(),
                    points,
                    drop_name: false,
                });
            }
        }
        Ok(out)
    }

    /// A range-vector argument (a matrix selector or a subquery, possibly in
    /// parentheses) with the samples of all its windows over the grid.
    pub fn range_input(&mut self, expr: &Expr) -> Result<RangeInput, EvalError> {
        match expr {
            Expr::Paren(p) => self.range_input(&p.expr),
            Expr::MatrixSelector(ms) => {
                let vs = &ms.selector;
                let range = duration_millis(&ms.range, false, ms.span)?;
                let offset = match &vs.offset {
                    Some(d) => duration_millis(d, true, vs.span)?,
                    None => 0,
                };
                let mut input = RangeInput {
                    series: Vec::new(),
                    range,
                    offset,
                    at: self.at_time(vs.at),
                    span: ms.span,
                    from_selector: true,
                };
                let n = self.grid.len();
                if n == 0 {
                    return Ok(input);
                }
                let first_end = input.window_end(&self.grid, 0);
                let last_end = input.window_end(&self.grid, n - 1);
                let mint = first_end.saturating_sub(range).saturating_add(1);
                let selected = self.querier.select_series(&vs.matchers, mint, last_end);
                // Room for a sample per scrape interval of 15 s over the
                // selected time, so most series never grow their buffer.
                let expected = usize::try_from(last_end.saturating_sub(mint) / 15_000 + 2)
                    .unwrap_or(0)
                    .min(1 << 16);
                for s in selected {
                    let mut points: Vec<Point> = Vec::with_capacity(expected);
                    points.extend(
                        s.samples
                            .filter(|x| !is_stale_marker(x.v))
                            .map(|x| (x.t, x.v)),
                    );
                    // Held only window by window, by the function that
                    // reads them (as Prometheus counts them).
                    self.work(points.len())?;
                    if !points.is_empty() {
                        input.series.push(Series {
                            labels: s.labels.clone(),
                            points,
                            drop_name: false,
                        });
                    }
                }
                Ok(input)
            }
            Expr::Subquery(sq) => self.subquery(sq),
            other => Err(EvalError::Unsupported(format!(
                "a {} where a range vector is expected",
                other.value_type().describe()
            ))),
        }
    }

    /// Evaluates a subquery's inner expression at its own steps: aligned to
    /// multiples of the step, from just after the first window's start to
    /// the last window's end.
    fn subquery(&mut self, sq: &Subquery) -> Result<RangeInput, EvalError> {
        let range = duration_millis(&sq.range, false, sq.span)?;
        let step = match &sq.step {
            Some(d) => duration_millis(d, false, sq.span)?,
            None => self.options.default_subquery_step,
        }
        .max(1);
        let offset = match &sq.offset {
            Some(d) => duration_millis(d, true, sq.span)?,
            None => 0,
        };
        let at = self.at_time(sq.at);
        let (outer_start, outer_end) = match at {
            Some(t) => (t, t),
            None => (self.grid.start, self.grid.end),
        };
        let first_start = outer_start.saturating_sub(offset).saturating_sub(range);
        let mut start = (first_start / step).saturating_mul(step);
        if start <= first_start {
            start = start.saturating_add(step);
        }
        let inner = Grid {
            start,
            end: outer_end.saturating_sub(offset),
            step,
        };
        let saved = std::mem::replace(&mut self.grid, inner);
        let result = self.eval(&sq.expr);
        self.grid = saved;
        let series = match result? {
            Data::Vector(series) => series,
            Data::Scalar(v) => vec![Series {
                labels: Labels::new(),
                points: inner.times().zip(v).collect(),
                drop_name: false,
            }],
            other => {
                return Err(EvalError::Unsupported(format!(
                    "a subquery over a {}",
                    data_kind(&other)
                )))
            }
        };
        Ok(RangeInput {
            series,
            range,
            offset,
            at,
            span: sq.span,
            from_selector: false,
        })
    }
}

pub fn data_kind(d: &Data) -> &'static str {
    match d {
        Data::Scalar(_) => "scalar",
        Data::String(_) => "string",
        Data::Vector(_) => "instant vector",
        Data::Matrix(_) => "range vector",
    }
}
