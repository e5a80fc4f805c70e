//! A rule group (`rules/group.go`): its rules evaluated in order at every
//! tick of its interval, at an offset within the interval that Prometheus
//! derives from the group's name and file; the series each rule wrote last
//! time, so those that go away get a stale marker; and the restoration of
//! `for` state from `ALERTS_FOR_STATE` after a (re)start.

use super::alerting::{AlertToSend, AlertingRule, EvalContext, RuleHealth};
use super::config::{GroupConfig, RuleKind};
use super::query::{QueryError, QueryFn};
use super::recording::RecordingRule;
use crate::clock::{Millis, Timestamp};
use crate::labels::{Labels, Matcher, METRIC_NAME};
use crate::promql::Expr;
use crate::tsdb::{is_stale_marker, AppendError, Head, Querier, STALE_NAN};
use std::collections::{BTreeMap, BTreeSet};

/// A recording or an alerting rule.
#[derive(Debug, Clone)]
pub enum Rule {
    Recording(RecordingRule),
    Alerting(AlertingRule),
}

impl Rule {
    pub fn kind(&self) -> RuleKind {
        match self {
            Rule::Recording(_) => RuleKind::Recording,
            Rule::Alerting(_) => RuleKind::Alerting,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Rule::Recording(r) => &r.name,
            Rule::Alerting(r) => &r.name,
        }
    }

    pub fn expr(&self) -> &Expr {
        match self {
            Rule::Recording(r) => &r.expr,
            Rule::Alerting(r) => &r.expr,
        }
    }

    /// The group's labels with the rule's over them, as written.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        match self {
            Rule::Recording(r) => &r.labels,
            Rule::Alerting(r) => &r.labels,
        }
    }

    pub fn health(&self) -> RuleHealth {
        match self {
            Rule::Recording(r) => r.health,
            Rule::Alerting(r) => r.health,
        }
    }

    pub fn last_error(&self) -> Option<&QueryError> {
        match self {
            Rule::Recording(r) => r.last_error.as_ref(),
            Rule::Alerting(r) => r.last_error.as_ref(),
        }
    }

    pub fn last_evaluation(&self) -> Option<Timestamp> {
        match self {
            Rule::Recording(r) => r.last_evaluation,
            Rule::Alerting(r) => r.last_evaluation,
        }
    }

    fn set_result(&mut self, ts: Timestamp, error: Option<QueryError>) {
        let health = if error.is_some() {
            RuleHealth::Bad
        } else {
            RuleHealth::Good
        };
        match self {
            Rule::Recording(r) => {
                r.last_evaluation = Some(ts);
                r.health = health;
                r.last_error = error;
            }
            Rule::Alerting(r) => {
                r.last_evaluation = Some(ts);
                r.health = health;
                r.last_error = error;
            }
        }
    }

    /// What identifies the rule across reloads: its name and labels.
    fn identity(&self) -> (String, BTreeMap<String, String>) {
        (self.name().to_string(), self.labels().clone())
    }

    /// The rule as it is configured, to tell whether a reload changed it.
    fn definition(&self) -> String {
        match self {
            Rule::Recording(r) => format!("record {} {} {:?}", r.name, r.expr, r.labels),
            Rule::Alerting(r) => format!(
                "alert {} {} {} {} {:?} {:?}",
                r.name, r.expr, r.hold, r.keep_firing_for, r.labels, r.annotations
            ),
        }
    }
}

/// What groups share: the manager's options that evaluation uses.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalOptions {
    /// `--rules.alert.resend-delay`.
    pub resend_delay: Millis,
    /// `--rules.alert.for-outage-tolerance`.
    pub outage_tolerance: Millis,
    /// `--rules.alert.for-grace-period`.
    pub for_grace_period: Millis,
    /// The global `rule_query_offset`.
    pub default_query_offset: Millis,
    pub external_labels: Labels,
    /// `--web.external-url`, if any.
    pub external_url: Option<String>,
}

/// A rule group and its evaluation state.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub file: String,
    pub interval: Millis,
    /// `None`: the global default.
    pub query_offset: Option<Millis>,
    pub limit: i64,
    pub rules: Vec<Rule>,
    /// The time of the next evaluation.
    pub next_eval: Timestamp,
    pub last_evaluation: Option<Timestamp>,
    /// Samples the rules returned at the last evaluation.
    pub last_samples: usize,
    /// Evaluations skipped because the clock jumped too far at once.
    pub iterations_missed: u64,
    series_in_previous_eval: Vec<BTreeSet<Labels>>,
    /// Series of rules no longer configured, to mark stale.
    stale_series: Vec<Labels>,
    should_restore: bool,
    evaluations: u64,
}

impl Group {
    /// A group from its configuration. `restore`: whether alerts' `for`
    /// state is restored after the second evaluation (a freshly started
    /// Prometheus does this; until then no `ALERTS` series are written).
    pub fn new(
        file: &str,
        config: &GroupConfig,
        default_interval: Millis,
        restore: bool,
        start: Timestamp,
    ) -> Group {
        let interval = match config.interval {
            Some(i) if i > 0 => i,
            _ => default_interval.max(1),
        };
        let rules: Vec<Rule> = config
            .rules
            .iter()
            .map(|r| {
                let mut labels = config.labels.clone();
                labels.extend(r.labels.clone());
                match r.kind {
                    RuleKind::Recording => {
                        Rule::Recording(RecordingRule::new(&r.name, r.expr.clone(), labels))
                    }
                    RuleKind::Alerting => Rule::Alerting(AlertingRule::new(
                        &r.name,
                        r.expr.clone(),
                        r.hold,
                        r.keep_firing_for,
                        labels,
                        r.annotations.clone(),
                        !restore,
                    )),
                }
            })
            .collect();
        let n = rules.len();
        let mut g = Group {
            name: config.name.clone(),
            file: file.to_string(),
            interval,
            query_offset: config.query_offset,
            limit: config.limit,
            rules,
            next_eval: 0,
            last_evaluation: None,
            last_samples: 0,
            iterations_missed: 0,
            series_in_previous_eval: vec![BTreeSet::new(); n],
            stale_series: Vec::new(),
            should_restore: restore,
            evaluations: 0,
        };
        g.next_eval = first_evaluation(start, interval, group_hash(file, &config.name));
        g
    }

    /// Whether two groups are configured alike, so a reload keeps the old
    /// one as it is.
    pub fn same_config(&self, other: &Group) -> bool {
        self.name == other.name
            && self.file == other.file
            && self.interval == other.interval
            && self.limit == other.limit
            && self.query_offset == other.query_offset
            && self.rules.len() == other.rules.len()
            && self
                .rules
                .iter()
                .zip(&other.rules)
                .all(|(a, b)| a.definition() == b.definition())
    }

    /// Takes over the state of the group this one replaces: evaluation
    /// times, alerts and written series of the rules with the same name
    /// and labels; the series of rules that went away become stale.
    pub fn copy_state(&mut self, from: &Group) {
        self.last_evaluation = from.last_evaluation;
        self.next_eval = from.next_eval;
        let mut by_identity: BTreeMap<(String, BTreeMap<String, String>), Vec<usize>> =
            BTreeMap::new();
        for (i, r) in from.rules.iter().enumerate() {
            by_identity.entry(r.identity()).or_default().push(i);
        }
        for (i, rule) in self.rules.iter_mut().enumerate() {
            let Some(list) = by_identity.get_mut(&rule.identity()) else {
                continue;
            };
            if list.is_empty() {
                continue;
            }
            let fi = list.remove(0);
            if let Some(prev) = from.series_in_previous_eval.get(fi) {
                self.series_in_previous_eval[i] = prev.clone();
            }
            if let (Rule::Alerting(new), Some(Rule::Alerting(old))) = (rule, from.rules.get(fi)) {
                new.active.extend(old.active.clone());
            }
        }
        self.stale_series = from.stale_series.clone();
        for list in by_identity.values() {
            for fi in list {
                if let Some(series) = from.series_in_previous_eval.get(*fi) {
                    self.stale_series.extend(series.iter().cloned());
                }
            }
        }
    }

    /// Every series the group's rules wrote at their last evaluation.
    pub fn written_series(&self) -> impl Iterator<Item = &Labels> {
        self.series_in_previous_eval.iter().flatten()
    }

    /// The query offset in force.
    pub fn effective_query_offset(&self, opts: &EvalOptions) -> Millis {
        self.query_offset.unwrap_or(opts.default_query_offset)
    }

    /// Evaluates every rule at `ts`, in order, writing their series to
    /// `head`; the alerts to send.
    pub fn eval(
        &mut self,
        ts: Timestamp,
        query: &mut dyn QueryFn,
        head: &mut Head,
        opts: &EvalOptions,
    ) -> Vec<AlertToSend> {
        let offset = self.effective_query_offset(opts);
        let sample_time = ts.saturating_sub(offset);
        let mut sent = Vec::new();
        let mut total = 0;
        for i in 0..self.rules.len() {
            let result = {
                let mut ctx = EvalContext {
                    ts,
                    query_offset: offset,
                    query: &mut *query,
                    storage: &*head,
                    external_labels: &opts.external_labels,
                    external_url: opts.external_url.as_deref(),
                    limit: self.limit,
                };
                match &mut self.rules[i] {
                    Rule::Recording(r) => r.eval(&mut ctx),
                    Rule::Alerting(r) => r.eval(&mut ctx),
                }
            };
            let samples = match result {
                Ok(s) => s,
                Err(e) => {
                    self.rules[i].set_result(ts, Some(e));
                    continue;
                }
            };
            self.rules[i].set_result(ts, None);
            total += samples.len();
            if let Rule::Alerting(r) = &mut self.rules[i] {
                let url = format!(
                    "{}{}",
                    opts.external_url.as_deref().unwrap_or(""),
                    super::template::graph_link(&r.expr.to_string(), 1)
                );
                sent.extend(r.send_alerts(
                    ts,
                    opts.resend_delay,
                    self.interval,
                    &url,
                    &opts.external_labels,
                ));
            }
            let mut returned = BTreeSet::new();
            for (labels, v) in samples {
                match head.append(&labels, sample_time, v) {
                    Ok(_) => {
                        returned.insert(labels);
                    }
                    Err(e) => self.rules[i].set_result(ts, Some(append_error(&e))),
                }
            }
            for prev in &self.series_in_previous_eval[i] {
                if !returned.contains(prev) {
                    // Refused when another rule writes the series now, as
                    // Prometheus expects.
                    let _ = head.append(prev, sample_time, STALE_NAN);
                }
            }
            self.series_in_previous_eval[i] = returned;
        }
        self.last_samples = total;
        self.last_evaluation = Some(ts);
        for s in std::mem::take(&mut self.stale_series) {
            let _ = head.append(&s, sample_time, STALE_NAN);
        }
        self.evaluations += 1;
        if self.should_restore && self.evaluations >= 2 {
            self.restore_for_state(ts, head, opts);
        }
        sent
    }

    /// Marks every series the group wrote as stale, at `ts` (when the group
    /// is removed from the configuration).
    pub fn mark_stale(&mut self, ts: Timestamp, head: &mut Head, opts: &EvalOptions) {
        let t = ts.saturating_sub(self.effective_query_offset(opts));
        for series in self.series_in_previous_eval.iter_mut() {
            for s in std::mem::take(series) {
                let _ = head.append(&s, t, STALE_NAN);
            }
        }
    }

    /// Puts back when alerts became active, from the `ALERTS_FOR_STATE`
    /// series written before a restart, as Prometheus does after the
    /// second evaluation; from then on `ALERTS` series are written.
    fn restore_for_state(&mut self, ts: Timestamp, storage: &dyn Querier, opts: &EvalOptions) {
        self.should_restore = false;
        let mint = ts.saturating_sub(opts.outage_tolerance);
        for rule in &mut self.rules {
            let Rule::Alerting(r) = rule else {
                continue;
            };
            if r.hold < opts.for_grace_period {
                r.restored = true;
                continue;
            }
            let matchers: Vec<Matcher> = r
                .for_state_series(None)
                .iter()
                .map(|l| Matcher::equal(&l.name, &l.value))
                .collect();
            let series: BTreeMap<Labels, (Timestamp, f64)> = storage
                .select(&matchers, mint, ts)
                .into_iter()
                .filter_map(|s| {
                    let last = s.samples.last()?;
                    let mut labels = s.labels.clone();
                    labels.remove(METRIC_NAME);
                    Some((labels, (last.t, last.v)))
                })
                .collect();
            if series.is_empty() {
                r.restored = true;
                continue;
            }
            let hold = r.hold;
            for a in r.active.values_mut() {
                let Some(&(t, v)) = series.get(&a.labels) else {
                    continue;
                };
                if is_stale_marker(v) {
                    continue;
                }
                // Seconds, as Prometheus keeps them in the series.
                let down_at = (t / 1000).saturating_mul(1000);
                let restored_active_at = if v.is_finite() && v.abs() < 9e15 {
                    (v as i64).saturating_mul(1000)
                } else {
                    continue;
                };
                let remaining = hold - down_at.saturating_sub(restored_active_at);
                a.active_at = if remaining <= 0 {
                    restored_active_at
                } else if remaining < opts.for_grace_period {
                    ts.saturating_add(opts.for_grace_period)
                        .saturating_sub(hold)
                } else {
                    restored_active_at.saturating_add(ts.saturating_sub(down_at))
                };
            }
            r.restored = true;
        }
    }
}

fn append_error(e: &AppendError) -> QueryError {
    QueryError::execution(e.to_string())
}

/// Prometheus's hash of a group: `labels.Hash` (xxHash64) of the labels
/// `file` and `name`.
pub fn group_hash(file: &str, name: &str) -> u64 {
    let mut b = Vec::with_capacity(file.len() + name.len() + 12);
    for (k, v) in [("file", file), ("name", name)] {
        b.extend_from_slice(k.as_bytes());
        b.push(0xff);
        b.extend_from_slice(v.as_bytes());
        b.push(0xff);
    }
    xxhash_rust::xxh64::xxh64(&b, 0)
}

/// The first evaluation of a group started at `start`: the first slot
/// after it, where slots are `interval` apart and offset within the
/// interval by the group's hash (in nanoseconds, as Prometheus computes
/// it, then in whole milliseconds, as samples are stamped).
pub fn first_evaluation(start: Timestamp, interval: Millis, hash: u64) -> Timestamp {
    let interval_ns = i128::from(interval.max(1)) * 1_000_000;
    let offset = i128::from(hash) % interval_ns;
    let adjusted = i128::from(start) * 1_000_000 - offset;
    let base = adjusted - adjusted % interval_ns;
    let slot_ns = base + offset;
    let slot = slot_ns.div_euclid(1_000_000);
    let next = slot + i128::from(interval);
    i64::try_from(next).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn groups_are_spread_over_the_interval_by_their_hash() {
        let interval = 60_000;
        let a = first_evaluation(1_700_000_000_000, interval, group_hash("rules.yml", "a"));
        let b = first_evaluation(1_700_000_000_000, interval, group_hash("rules.yml", "b"));
        // After the start, within one interval, on the group's own slot.
        for t in [a, b] {
            assert!(t > 1_700_000_000_000 && t <= 1_700_000_060_000, "{t}");
        }
        assert_ne!(a % interval, b % interval);
        // The same slot whatever the start within an interval.
        let later = first_evaluation(
            1_700_000_000_000 + 17_000,
            interval,
            group_hash("rules.yml", "a"),
        );
        assert_eq!((later - a) % interval, 0);
    }
}
