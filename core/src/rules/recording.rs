//! Recording rules (`rules/recording.go`): each evaluation writes the
//! query's result under the rule's name, with the rule's labels.

use super::alerting::{EvalContext, RuleHealth};
use super::query::QueryError;
use crate::clock::Timestamp;
use crate::labels::{Labels, METRIC_NAME};
use crate::promql::Expr;
use std::collections::{BTreeMap, BTreeSet};

/// A recording rule.
#[derive(Debug, Clone)]
pub struct RecordingRule {
    /// `record`: the name of the series written.
    pub name: String,
    pub expr: Expr,
    /// The group's labels with the rule's over them; an empty value
    /// removes the label.
    pub labels: BTreeMap<String, String>,
    pub health: RuleHealth,
    pub last_error: Option<QueryError>,
    pub last_evaluation: Option<Timestamp>,
}

impl RecordingRule {
    pub fn new(name: &str, expr: Expr, labels: BTreeMap<String, String>) -> Self {
        RecordingRule {
            name: name.to_string(),
            expr,
            labels,
            health: RuleHealth::Unknown,
            last_error: None,
            last_evaluation: None,
        }
    }

    /// One evaluation: the series to write, or why it failed.
    pub(crate) fn eval(&self, ctx: &mut EvalContext<'_>) -> Result<Vec<(Labels, f64)>, QueryError> {
        let t = ctx.ts.saturating_sub(ctx.query_offset);
        let mut out = ctx.query.instant(ctx.storage, &self.expr, t)?;
        for (labels, _) in &mut out {
            labels.set(METRIC_NAME, self.name.clone());
            for (k, v) in &self.labels {
                labels.set(k.clone(), v.clone());
            }
        }
        let distinct: BTreeSet<&Labels> = out.iter().map(|(l, _)| l).collect();
        if distinct.len() != out.len() {
            return Err(QueryError::execution(
                "vector contains metrics with the same labelset after applying rule labels",
            ));
        }
        if ctx.limit > 0 && out.len() as i64 > ctx.limit {
            return Err(QueryError::execution(format!(
                "exceeded limit of {} with {} series",
                ctx.limit,
                out.len()
            )));
        }
        Ok(out)
    }
}
