//! The one way rules reach PromQL's evaluator: [`QueryFn`], an instant
//! query that returns a vector (a scalar is one sample without labels) or
//! an error. The lab implements it over its engine; [`Engine`] implements
//! it here as Prometheus's `EngineQueryFunc` does, so rule tests run
//! without the lab.

use crate::clock::Timestamp;
use crate::labels::Labels;
use crate::promql::{Engine, EvalError, Expr, Value};
use crate::tsdb::Querier;
use std::fmt;

/// Why a rule's query gave no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryErrorKind {
    /// The query failed as it would in Prometheus (too many samples, a
    /// result that is neither a vector nor a scalar, …).
    Execution,
    /// The evaluator does not evaluate this part of PromQL yet.
    Unsupported,
}

/// A failed query: its kind and the message a rule's `lastError` shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    pub kind: QueryErrorKind,
    pub message: String,
}

impl QueryError {
    pub fn execution(message: impl Into<String>) -> Self {
        QueryError {
            kind: QueryErrorKind::Execution,
            message: message.into(),
        }
    }

    pub fn unsupported(message: impl Into<String>) -> Self {
        QueryError {
            kind: QueryErrorKind::Unsupported,
            message: message.into(),
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for QueryError {}

/// An instant query, as rules and their templates run it.
pub trait QueryFn {
    /// Evaluates `expr` at `t` against `storage`: the samples of a vector,
    /// or a scalar as one sample with no labels.
    fn instant(
        &mut self,
        storage: &dyn Querier,
        expr: &Expr,
        t: Timestamp,
    ) -> Result<Vec<(Labels, f64)>, QueryError>;
}

impl QueryFn for Engine {
    fn instant(
        &mut self,
        storage: &dyn Querier,
        expr: &Expr,
        t: Timestamp,
    ) -> Result<Vec<(Labels, f64)>, QueryError> {
        match Engine::instant(self, storage, expr, t).map(|e| e.value) {
            Ok(Value::Vector(v)) => Ok(v.into_iter().map(|s| (s.labels, s.v)).collect()),
            Ok(Value::Scalar { v, .. }) => Ok(vec![(Labels::new(), v)]),
            Ok(_) => Err(QueryError::execution(
                "rule result is not a vector or scalar",
            )),
            Err(e @ EvalError::Unsupported(_)) => Err(QueryError::unsupported(e.to_string())),
            Err(e) => Err(QueryError::execution(e.to_string())),
        }
    }
}
