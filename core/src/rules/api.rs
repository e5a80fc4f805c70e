//! What the rules show: the shapes of Prometheus's `/api/v1/rules` and
//! `/api/v1/alerts` answers, built from a [`RuleManager`]'s state. Times
//! are RFC 3339; durations are seconds.
//!
//! [`RuleManager`]: super::manager::RuleManager

use super::alerting::{Alert, AlertState, AlertingRule, RuleHealth};
use super::group::{Group, Rule};
use crate::api::format_rfc3339;
use crate::labels::Labels;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `/api/v1/rules` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleGroupsData {
    pub groups: Vec<RuleGroupData>,
}

/// A rule group with its rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleGroupData {
    pub name: String,
    pub file: String,
    pub rules: Vec<RuleData>,
    /// Seconds.
    pub interval: f64,
    pub limit: i64,
    /// Seconds the last evaluation took: always 0 in the lab, which does
    /// not measure real time.
    pub evaluation_time: f64,
    /// `0001-01-01T00:00:00Z` before the first evaluation, as Go's zero
    /// time.
    pub last_evaluation: String,
}

/// A rule, tagged by its `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum RuleData {
    Alerting(AlertingRuleData),
    Recording(RecordingRuleData),
}

/// An alerting rule as `/api/v1/rules` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertingRuleData {
    pub state: AlertState,
    pub name: String,
    pub query: String,
    /// `for`, in seconds.
    pub duration: f64,
    pub keep_firing_for: f64,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub alerts: Vec<AlertData>,
    pub health: RuleHealth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub evaluation_time: f64,
    pub last_evaluation: String,
}

/// A recording rule as `/api/v1/rules` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingRuleData {
    pub name: String,
    pub query: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    pub health: RuleHealth,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub evaluation_time: f64,
    pub last_evaluation: String,
}

/// `/api/v1/alerts` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertsData {
    pub alerts: Vec<AlertData>,
}

/// A pending or firing alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertData {
    pub labels: Labels,
    pub annotations: BTreeMap<String, String>,
    pub state: AlertState,
    pub active_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_firing_since: Option<String>,
    /// The query's value, as Go's `strconv.FormatFloat(v, 'e', -1, 64)`.
    pub value: String,
}

/// Go's zero time, which Prometheus shows before a first evaluation.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

fn time_or_zero(t: Option<i64>) -> String {
    t.map_or_else(|| ZERO_TIME.to_string(), format_rfc3339)
}

impl AlertData {
    pub fn from_alert(a: &Alert) -> Self {
        AlertData {
            labels: a.labels.clone(),
            annotations: a.annotations.clone(),
            state: a.state,
            active_at: format_rfc3339(a.active_at),
            keep_firing_since: a.keep_firing_since.map(format_rfc3339),
            value: super::gofmt::format_e(a.value, None),
        }
    }
}

fn alerting_rule_data(r: &AlertingRule) -> AlertingRuleData {
    AlertingRuleData {
        state: r.state(),
        name: r.name.clone(),
        query: r.expr.to_string(),
        duration: r.hold as f64 / 1000.0,
        keep_firing_for: r.keep_firing_for as f64 / 1000.0,
        labels: r.labels.clone(),
        annotations: r.annotations.clone(),
        alerts: r.active_alerts().map(AlertData::from_alert).collect(),
        health: r.health,
        last_error: r.last_error.as_ref().map(|e| e.message.clone()),
        evaluation_time: 0.0,
        last_evaluation: time_or_zero(r.last_evaluation),
    }
}

impl RuleGroupData {
    pub fn from_group(g: &Group) -> Self {
        RuleGroupData {
            name: g.name.clone(),
            file: g.file.clone(),
            rules: g
                .rules
                .iter()
                .map(|r| match r {
                    Rule::Alerting(a) => RuleData::Alerting(alerting_rule_data(a)),
                    Rule::Recording(rr) => RuleData::Recording(RecordingRuleData {
                        name: rr.name.clone(),
                        query: rr.expr.to_string(),
                        labels: rr.labels.clone(),
                        health: rr.health,
                        last_error: rr.last_error.as_ref().map(|e| e.message.clone()),
                        evaluation_time: 0.0,
                        last_evaluation: time_or_zero(rr.last_evaluation),
                    }),
                })
                .collect(),
            interval: g.interval as f64 / 1000.0,
            limit: g.limit,
            evaluation_time: 0.0,
            last_evaluation: time_or_zero(g.last_evaluation),
        }
    }
}
