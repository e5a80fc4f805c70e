//! Alerting rules (`rules/alerting.go`): each evaluation turns the query's
//! result into alerts, which go inactive → pending → firing → resolved as
//! Prometheus moves them (`for`, `keep_firing_for`, resolved alerts kept
//! 15 minutes, `limit`), write the `ALERTS` and `ALERTS_FOR_STATE` series,
//! and are sent to the Alertmanager when due (`--rules.alert.resend-delay`,
//! `endsAt` four intervals ahead).

use super::query::{QueryError, QueryFn};
use super::template::{AlertTemplateData, QuerySample, Template, TemplateEnv, TemplateError};
use crate::clock::{Millis, Timestamp};
use crate::labels::{Labels, METRIC_NAME};
use crate::promql::Expr;
use crate::tsdb::Querier;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The metric name of the series of active alerts.
pub const ALERTS: &str = "ALERTS";
/// The metric name of the series that keep when alerts became active.
pub const ALERTS_FOR_STATE: &str = "ALERTS_FOR_STATE";
/// The label naming an alert.
pub const ALERT_NAME: &str = "alertname";
/// The label of `ALERTS` with the alert's state.
pub const ALERT_STATE: &str = "alertstate";
/// How long a resolved alert is kept (and sent again) after it resolved.
pub const RESOLVED_RETENTION: Millis = 15 * 60 * 1000;

/// The state of an alert, or of a rule (its most advanced alert).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    #[default]
    Inactive,
    Pending,
    Firing,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Inactive => "inactive",
            AlertState::Pending => "pending",
            AlertState::Firing => "firing",
        }
    }
}

/// One alert of a rule: one label set of the query's result.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub state: AlertState,
    /// The result's labels without the metric name, with the rule's
    /// (expanded) labels and `alertname`.
    pub labels: Labels,
    /// Expanded annotations (empty values kept, as in Prometheus).
    pub annotations: BTreeMap<String, String>,
    /// The query's value at the last evaluation.
    pub value: f64,
    pub active_at: Timestamp,
    pub fired_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub last_sent_at: Option<Timestamp>,
    pub valid_until: Option<Timestamp>,
    pub keep_firing_since: Option<Timestamp>,
}

impl Alert {
    /// Whether the alert is due to be sent at `ts`: firing or resolved
    /// alerts, again after `resend_delay`, and at once when they resolved
    /// since the last send.
    fn needs_sending(&self, ts: Timestamp, resend_delay: Millis) -> bool {
        if self.state == AlertState::Pending {
            return false;
        }
        if let Some(resolved) = self.resolved_at {
            if self.last_sent_at.is_none_or(|sent| resolved > sent) {
                return true;
            }
        }
        self.last_sent_at
            .is_none_or(|sent| sent.saturating_add(resend_delay) < ts)
    }
}

/// An alert as the notifier sends it to an Alertmanager: in JSON, the
/// Alertmanager v2 API's postable alert (`labels`, `annotations`,
/// `startsAt` and `endsAt` in RFC 3339, `generatorURL`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertToSend {
    /// The alert's labels with the external labels it does not have.
    pub labels: Labels,
    pub annotations: BTreeMap<String, String>,
    /// When it started firing.
    #[serde(with = "rfc3339")]
    pub starts_at: Timestamp,
    /// When it resolved, or until when it holds unless sent again (four
    /// times the larger of the resend delay and the group's interval).
    #[serde(with = "rfc3339")]
    pub ends_at: Timestamp,
    #[serde(rename = "generatorURL")]
    pub generator_url: String,
}

/// Timestamps as RFC 3339 text, as the Alertmanager API writes them.
mod rfc3339 {
    use crate::clock::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::api::format_rfc3339(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        crate::api::parse_time(&text).map_err(serde::de::Error::custom)
    }
}

/// How a rule's last evaluation went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum RuleHealth {
    #[default]
    #[serde(rename = "unknown")]
    Unknown,
    #[serde(rename = "ok")]
    Good,
    #[serde(rename = "err")]
    Bad,
}

/// What a rule's evaluation needs from its group.
pub(crate) struct EvalContext<'a> {
    pub ts: Timestamp,
    pub query_offset: Millis,
    pub query: &'a mut dyn QueryFn,
    pub storage: &'a dyn Querier,
    pub external_labels: &'a Labels,
    pub external_url: Option<&'a str>,
    pub limit: i64,
}

/// Template queries run through the rule's query function at the
/// evaluation time.
struct RuleTemplateEnv<'a, 'b> {
    ctx: &'a mut EvalContext<'b>,
}

impl TemplateEnv for RuleTemplateEnv<'_, '_> {
    fn query(&mut self, q: &str) -> Result<Vec<QuerySample>, String> {
        let expr = crate::promql::parse(q).map_err(|e| format!("{}: {e}", e.position(q)))?;
        let samples = self
            .ctx
            .query
            .instant(self.ctx.storage, &expr, self.ctx.ts)
            .map_err(|e| e.message)?;
        Ok(samples
            .into_iter()
            .map(|(labels, value)| QuerySample {
                labels: labels_map(&labels),
                value,
            })
            .collect())
    }

    fn external_url(&self) -> Option<&str> {
        self.ctx.external_url
    }
}

fn labels_map(labels: &Labels) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|l| (l.name.clone(), l.value.clone()))
        .collect()
}

/// An alerting rule and its alerts.
#[derive(Debug, Clone)]
pub struct AlertingRule {
    pub name: String,
    pub expr: Expr,
    /// `for`.
    pub hold: Millis,
    pub keep_firing_for: Millis,
    /// The group's labels with the rule's over them, as written.
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    label_templates: Vec<(String, Result<Template, TemplateError>)>,
    annotation_templates: Vec<(String, Result<Template, TemplateError>)>,
    /// Alerts by label set: pending, firing, and resolved ones kept for
    /// [`RESOLVED_RETENTION`].
    pub active: BTreeMap<Labels, Alert>,
    /// Whether `ALERTS` series are written (after `for` state restoration).
    pub restored: bool,
    pub health: RuleHealth,
    pub last_error: Option<QueryError>,
    pub last_evaluation: Option<Timestamp>,
}

impl AlertingRule {
    pub fn new(
        name: &str,
        expr: Expr,
        hold: Millis,
        keep_firing_for: Millis,
        labels: BTreeMap<String, String>,
        annotations: BTreeMap<String, String>,
        restored: bool,
    ) -> Self {
        let parse = |m: &BTreeMap<String, String>| {
            m.iter()
                .map(|(k, v)| (k.clone(), Template::parse_alert(name, v)))
                .collect()
        };
        AlertingRule {
            name: name.to_string(),
            expr,
            hold,
            keep_firing_for,
            label_templates: parse(&labels),
            annotation_templates: parse(&annotations),
            labels,
            annotations,
            active: BTreeMap::new(),
            restored,
            health: RuleHealth::Unknown,
            last_error: None,
            last_evaluation: None,
        }
    }

    /// The most advanced state of the rule's alerts.
    pub fn state(&self) -> AlertState {
        self.active
            .values()
            .map(|a| a.state)
            .max()
            .unwrap_or_default()
    }

    /// Alerts that have not resolved (what `/api/v1/alerts` lists).
    pub fn active_alerts(&self) -> impl Iterator<Item = &Alert> {
        self.active.values().filter(|a| a.resolved_at.is_none())
    }

    /// One evaluation at `ctx.ts`; the `ALERTS` and `ALERTS_FOR_STATE`
    /// samples to write, or why it failed.
    pub(crate) fn eval(
        &mut self,
        ctx: &mut EvalContext<'_>,
    ) -> Result<Vec<(Labels, f64)>, QueryError> {
        let ts = ctx.ts;
        let query_time = ts.saturating_sub(ctx.query_offset);
        let result = ctx.query.instant(ctx.storage, &self.expr, query_time)?;
        let external_labels = labels_map(ctx.external_labels);
        let mut found: BTreeMap<Labels, Alert> = BTreeMap::new();
        for (metric, value) in result {
            let data = AlertTemplateData {
                labels: labels_map(&metric),
                external_labels: external_labels.clone(),
                external_url: ctx.external_url.unwrap_or("").to_string(),
                value,
            };
            let mut env = RuleTemplateEnv { ctx: &mut *ctx };
            let mut labels = metric.without_metric_name();
            for (name, t) in &self.label_templates {
                labels.set(name.clone(), expand(t, &data, &mut env));
            }
            labels.set(ALERT_NAME, self.name.clone());
            let annotations = self
                .annotation_templates
                .iter()
                .map(|(name, t)| (name.clone(), expand(t, &data, &mut env)))
                .collect();
            if found.contains_key(&labels) {
                return Err(QueryError::execution(
                    "vector contains metrics with the same labelset after applying alert labels",
                ));
            }
            found.insert(
                labels.clone(),
                Alert {
                    state: AlertState::Pending,
                    labels,
                    annotations,
                    value,
                    active_at: ts,
                    fired_at: None,
                    resolved_at: None,
                    last_sent_at: None,
                    valid_until: None,
                    keep_firing_since: None,
                },
            );
        }
        let in_result: BTreeSet<Labels> = found.keys().cloned().collect();
        for (key, alert) in found {
            match self.active.get_mut(&key) {
                Some(a) if a.state != AlertState::Inactive => {
                    a.value = alert.value;
                    a.annotations = alert.annotations;
                }
                _ => {
                    self.active.insert(key, alert);
                }
            }
        }

        let mut samples = Vec::new();
        let mut active_or_pending = 0i64;
        let keys: Vec<Labels> = self.active.keys().cloned().collect();
        for key in keys {
            let Some(a) = self.active.get_mut(&key) else {
                continue;
            };
            if !in_result.contains(&key) {
                let mut keep_firing = false;
                if a.state == AlertState::Firing && self.keep_firing_for > 0 {
                    let since = *a.keep_firing_since.get_or_insert(ts);
                    keep_firing = ts.saturating_sub(since) < self.keep_firing_for;
                }
                let expired = a
                    .resolved_at
                    .is_some_and(|r| ts.saturating_sub(r) > RESOLVED_RETENTION);
                let remove = a.state == AlertState::Pending || expired;
                if a.state != AlertState::Inactive && !keep_firing {
                    a.state = AlertState::Inactive;
                    a.resolved_at = Some(ts);
                }
                if remove {
                    self.active.remove(&key);
                    continue;
                }
                if !keep_firing {
                    continue;
                }
            } else {
                a.keep_firing_since = None;
            }
            active_or_pending += 1;
            if a.state == AlertState::Pending && ts.saturating_sub(a.active_at) >= self.hold {
                a.state = AlertState::Firing;
                a.fired_at = Some(ts);
            }
            if self.restored {
                samples.push((alerts_series(&self.labels, &self.name, a), 1.0));
                let active_secs = a.active_at.div_euclid(1000) as f64;
                samples.push((
                    for_state_series(&self.labels, &self.name, Some(a)),
                    active_secs,
                ));
            }
        }
        if ctx.limit > 0 && active_or_pending > ctx.limit {
            self.active.clear();
            return Err(QueryError::execution(format!(
                "exceeded limit of {} with {active_or_pending} alerts",
                ctx.limit
            )));
        }
        Ok(samples)
    }

    /// `ALERTS_FOR_STATE{alertname, …}` of an alert (or, without one, the
    /// labels every such series of the rule has).
    pub(crate) fn for_state_series(&self, a: Option<&Alert>) -> Labels {
        for_state_series(&self.labels, &self.name, a)
    }

    /// The alerts due to be sent at `ts`, marked as sent.
    pub(crate) fn send_alerts(
        &mut self,
        ts: Timestamp,
        resend_delay: Millis,
        interval: Millis,
        generator_url: &str,
        external_labels: &Labels,
    ) -> Vec<AlertToSend> {
        let delta = resend_delay.max(interval);
        let mut out = Vec::new();
        for a in self.active.values_mut() {
            if !a.needs_sending(ts, resend_delay) {
                continue;
            }
            a.last_sent_at = Some(ts);
            let valid_until = ts.saturating_add(delta.saturating_mul(4));
            a.valid_until = Some(valid_until);
            // The notifier adds the external labels the alert lacks.
            let mut labels = a.labels.clone();
            for l in external_labels.iter() {
                if !labels.contains(&l.name) {
                    labels.set(l.name.clone(), l.value.clone());
                }
            }
            out.push(AlertToSend {
                labels,
                annotations: a.annotations.clone(),
                starts_at: a.fired_at.unwrap_or(a.active_at),
                ends_at: a.resolved_at.unwrap_or(valid_until),
                generator_url: generator_url.to_string(),
            });
        }
        out
    }
}

/// `ALERTS{alertname, alertstate, …}` of an alert: the rule's labels as
/// written, then the alert's.
fn alerts_series(rule_labels: &BTreeMap<String, String>, name: &str, a: &Alert) -> Labels {
    let mut l = for_state_series(rule_labels, name, Some(a));
    l.set(METRIC_NAME, ALERTS);
    l.set(ALERT_STATE, a.state.as_str());
    l
}

/// `ALERTS_FOR_STATE{alertname, …}`.
fn for_state_series(
    rule_labels: &BTreeMap<String, String>,
    name: &str,
    a: Option<&Alert>,
) -> Labels {
    let mut l = Labels::new();
    for (k, v) in rule_labels {
        l.set(k.clone(), v.clone());
    }
    if let Some(a) = a {
        for label in a.labels.iter() {
            l.set(label.name.clone(), label.value.clone());
        }
    }
    l.set(METRIC_NAME, ALERTS_FOR_STATE);
    l.set(ALERT_NAME, name.to_string());
    l
}

fn expand(
    t: &Result<Template, TemplateError>,
    data: &AlertTemplateData,
    env: &mut dyn TemplateEnv,
) -> String {
    match t {
        Ok(t) => t.expand_alert(data, env),
        Err(e) => format!("<error expanding template: {}>", e.expand_message()),
    }
}
