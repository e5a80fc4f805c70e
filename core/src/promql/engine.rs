//! The PromQL engine: evaluates a syntax tree against a [`Querier`] at one
//! time (instant query) or at every step of a range (range query), with
//! Prometheus 3's semantics.
//!
//! A vector selector at time `t` takes, for each matching series, the latest
//! sample in the left-open lookback window `(t - 5m, t]`; a series whose
//! latest sample there is a stale marker is absent.

use super::ast::{Expr, VectorSelector};
use super::value::{InstantSample, RangeSeries, Value};
use crate::clock::{Millis, Timestamp};
use crate::tsdb::{is_stale_marker, Querier, Sample};
use std::fmt;

/// Limits and windows, with Prometheus's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOptions {
    /// How far back a vector selector looks for a sample (`--query.lookback-delta`).
    pub lookback_delta: Millis,
    /// The most samples a query may hold (`--query.max-samples`).
    pub max_samples: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            lookback_delta: 5 * 60 * 1000,
            max_samples: 50_000_000,
        }
    }
}

/// Why an evaluation failed.
#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// The query would hold more than `max_samples` samples.
    TooManySamples,
    /// A part of the language the engine does not evaluate yet; says which.
    Unsupported(String),
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::TooManySamples => f.write_str(
                "query processing would load too many samples into memory in query execution",
            ),
            EvalError::Unsupported(what) => {
                write!(f, "{what} are not supported by the lab's PromQL engine yet")
            }
        }
    }
}

impl std::error::Error for EvalError {}

/// Evaluates expressions.
#[derive(Debug, Clone, Default)]
pub struct Engine {
    pub options: EngineOptions,
}

impl Engine {
    pub fn new(options: EngineOptions) -> Self {
        Engine { options }
    }

    /// Evaluates `expr` at time `t`.
    pub fn instant(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        t: Timestamp,
    ) -> Result<Value, EvalError> {
        match expr {
            Expr::VectorSelector(vs) if vs.offset.is_none() && vs.at.is_none() => {
                let mut out = Vec::new();
                for series in querier.select(
                    &vs.matchers,
                    window_start(t, self.options.lookback_delta),
                    t,
                ) {
                    if let Some(s) = latest(&series.samples) {
                        out.push(InstantSample {
                            labels: series.labels,
                            t,
                            v: s.v,
                        });
                    }
                    if out.len() > self.options.max_samples {
                        return Err(EvalError::TooManySamples);
                    }
                }
                Ok(Value::Vector(out))
            }
            other => Err(unsupported(other)),
        }
    }

    /// Evaluates `expr` at `start`, `start + step`, … up to `end`, as a
    /// range query does. The caller checks that `step > 0` and the number of
    /// steps is sane (the API does).
    pub fn range(
        &self,
        querier: &dyn Querier,
        expr: &Expr,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
    ) -> Result<Value, EvalError> {
        let step = step.max(1);
        match expr {
            Expr::VectorSelector(vs) if vs.offset.is_none() && vs.at.is_none() => {
                self.range_selector(querier, vs, start, end, step)
            }
            other => Err(unsupported(other)),
        }
    }

    fn range_selector(
        &self,
        querier: &dyn Querier,
        vs: &VectorSelector,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
    ) -> Result<Value, EvalError> {
        let lookback = self.options.lookback_delta;
        let mut total = 0usize;
        let mut out = Vec::new();
        for series in querier.select(&vs.matchers, window_start(start, lookback), end) {
            let mut points = Vec::new();
            // `hi` is the count of samples at or before the step time.
            let mut hi = 0;
            let mut t = start;
            while t <= end {
                while hi < series.samples.len() && series.samples[hi].t <= t {
                    hi += 1;
                }
                if let Some(s) = latest(&series.samples[..hi]) {
                    if s.t >= window_start(t, lookback) {
                        points.push((t, s.v));
                    }
                }
                let Some(next) = t.checked_add(step) else {
                    break;
                };
                t = next;
            }
            total += points.len();
            if total > self.options.max_samples {
                return Err(EvalError::TooManySamples);
            }
            if !points.is_empty() {
                out.push(RangeSeries {
                    labels: series.labels,
                    points,
                });
            }
        }
        Ok(Value::Matrix(out))
    }
}

/// The error for a node the engine cannot evaluate yet, naming its kind.
fn unsupported(e: &Expr) -> EvalError {
    let what = match e {
        Expr::VectorSelector(_) => "vector selectors with modifiers",
        Expr::NumberLiteral(_) => "number literals",
        Expr::StringLiteral(_) => "string literals",
        Expr::MatrixSelector(_) => "range vector selectors",
        Expr::Subquery(_) => "subqueries",
        Expr::Paren(_) => "parenthesised expressions",
        Expr::Unary(_) => "unary operators",
        Expr::Binary(_) => "binary operators",
        Expr::Aggregate(_) => "aggregations",
        Expr::Call(_) => "function calls",
    };
    EvalError::Unsupported(what.to_string())
}

/// The first millisecond of the left-open window `(t - range, t]`.
fn window_start(t: Timestamp, range: Millis) -> Timestamp {
    t.saturating_sub(range).saturating_add(1)
}

/// The last sample unless it is a stale marker.
fn latest(samples: &[Sample]) -> Option<Sample> {
    samples.last().copied().filter(|s| !is_stale_marker(s.v))
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
        match e.instant(&head(), &parse(q).unwrap(), t).unwrap() {
            Value::Vector(v) => v
                .into_iter()
                .map(|s| (s.labels.get("i").to_string(), s.v))
                .collect(),
            other => panic!("{other:?}"),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn instant_selector_takes_the_latest_sample_in_the_lookback_window() {
        assert_eq!(instant("m", 0), vec![("a".into(), 0.0)]);
        assert_eq!(
            instant("m", 14_999),
            vec![("a".into(), 0.0), ("b".into(), 7.0)]
        );
        assert_eq!(instant("m{i=\"a\"}", 60_000), vec![("a".into(), 4.0)]);
        // Stale marker at 75 s: a is gone from then on.
        assert_eq!(instant("m", 75_000), vec![("b".into(), 7.0)]);
        // The window is left-open: at exactly 10 s + 5 m, b's sample is out.
        assert_eq!(instant("m", 310_000), vec![]);
        assert_eq!(instant("m", 309_999), vec![("b".into(), 7.0)]);
        assert_eq!(instant("nothing", 10_000), vec![]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn range_selector_evaluates_at_every_step() {
        let e = Engine::default();
        let v = e
            .range(&head(), &parse("m{i=\"a\"}").unwrap(), 0, 90_000, 30_000)
            .unwrap();
        let Value::Matrix(m) = v else { panic!() };
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].points, vec![(0, 0.0), (30_000, 2.0), (60_000, 4.0)]);
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
    }
}
