//! The rule manager (`rules/manager.go`): the loaded groups, evaluated on
//! the lab's virtual clock when their time comes, reloads that keep the
//! state of unchanged rules, and the data the API shows.
//!
//! ```
//! use promlab_core::labels::Labels;
//! use promlab_core::promql::Engine;
//! use promlab_core::rules::config::parse_rule_file;
//! use promlab_core::rules::manager::{ManagerOptions, RuleManager};
//! use promlab_core::tsdb::Head;
//!
//! let yaml = "groups:\n- name: g\n  interval: 15s\n  rules:\n  - record: job:up\n    expr: up\n";
//! let file = parse_rule_file(yaml).unwrap();
//! let mut head = Head::new();
//! let up = Labels::from_pairs([("__name__", "up"), ("job", "node")]);
//! for s in 0..=8 {
//!     head.append(&up, s * 15_000, 1.0).unwrap();
//! }
//! let mut rules = RuleManager::new(ManagerOptions::default());
//! rules.load(&[("rules.yml".to_string(), file)], 0);
//! let mut engine = Engine::default();
//! rules.evaluate_due(120_000, &mut engine, &mut head);
//! let g = &rules.groups()[0];
//! assert!(g.last_evaluation.is_some());
//! assert_eq!(g.rules[0].health(), promlab_core::rules::RuleHealth::Good);
//! ```

use super::alerting::AlertToSend;
use super::api::{AlertData, AlertsData, RuleGroupData, RuleGroupsData};
use super::config::RuleFile;
use super::group::{EvalOptions, Group, Rule};
use super::query::QueryFn;
use crate::clock::{Millis, Timestamp};
use crate::labels::Labels;
use crate::tsdb::{Head, STALE_NAN};
use serde::{Deserialize, Serialize};

/// How many evaluations of one group one call catches up on; when the
/// clock jumps further, older slots are skipped as Prometheus skips the
/// iterations it missed.
pub const MAX_CATCH_UP: i64 = 10_000;

/// The manager's settings, with Prometheus's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagerOptions {
    /// The global `evaluation_interval`, for groups without an interval.
    pub evaluation_interval: Millis,
    /// `--rules.alert.resend-delay` (1m).
    pub resend_delay: Millis,
    /// `--rules.alert.for-outage-tolerance` (1h).
    pub outage_tolerance: Millis,
    /// `--rules.alert.for-grace-period` (10m).
    pub for_grace_period: Millis,
    /// The global `rule_query_offset` (0).
    pub default_query_offset: Millis,
    /// The global `external_labels`.
    pub external_labels: Labels,
    /// `--web.external-url`.
    pub external_url: Option<String>,
    /// Restore alerts' `for` state from `ALERTS_FOR_STATE` after the
    /// second evaluation of the rules loaded first, as a starting
    /// Prometheus does (no `ALERTS` series are written until then).
    pub restore_for_state: bool,
}

impl Default for ManagerOptions {
    fn default() -> Self {
        ManagerOptions {
            evaluation_interval: 60_000,
            resend_delay: 60_000,
            outage_tolerance: 3_600_000,
            for_grace_period: 600_000,
            default_query_offset: 0,
            external_labels: Labels::new(),
            external_url: None,
            restore_for_state: true,
        }
    }
}

impl ManagerOptions {
    fn eval_options(&self) -> EvalOptions {
        EvalOptions {
            resend_delay: self.resend_delay,
            outage_tolerance: self.outage_tolerance,
            for_grace_period: self.for_grace_period,
            default_query_offset: self.default_query_offset,
            external_labels: self.external_labels.clone(),
            external_url: self.external_url.clone(),
        }
    }
}

/// The alerts one group's evaluation sends to the Alertmanager, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertBatch {
    /// The evaluation's time: when Prometheus's notifier would send them.
    pub sent_at: Timestamp,
    pub group: String,
    pub file: String,
    /// Alertmanager v2 postable alerts.
    pub alerts: Vec<AlertToSend>,
}

/// Stale markers for the series of a removed group, written two of its
/// intervals after it was removed (giving renamed rules time to take the
/// series over), stamped with the time of removal.
#[derive(Debug, Clone)]
struct PendingStale {
    due: Timestamp,
    stamp: Timestamp,
    series: Vec<Labels>,
}

fn skip_missed(g: &mut Group, t: Timestamp) {
    let behind = t.saturating_sub(g.next_eval) / g.interval.max(1);
    if behind > MAX_CATCH_UP {
        let skip = behind - MAX_CATCH_UP;
        g.next_eval = g.next_eval.saturating_add(skip.saturating_mul(g.interval));
        g.iterations_missed = g.iterations_missed.saturating_add(skip as u64);
    }
}

/// The rule groups and their evaluation.
#[derive(Debug, Clone)]
pub struct RuleManager {
    options: ManagerOptions,
    eval_options: EvalOptions,
    groups: Vec<Group>,
    loaded_once: bool,
    pending_stale: Vec<PendingStale>,
}

impl RuleManager {
    pub fn new(options: ManagerOptions) -> Self {
        RuleManager {
            eval_options: options.eval_options(),
            options,
            groups: Vec::new(),
            loaded_once: false,
            pending_stale: Vec::new(),
        }
    }

    pub fn options(&self) -> &ManagerOptions {
        &self.options
    }

    /// The groups, in load order (files in the order given, groups in file
    /// order).
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// Replaces the rules with those of `files` (name and contents) at
    /// `now`, as Prometheus applies a reload: unchanged groups keep
    /// running as they are, changed ones take over the state of their
    /// rules, removed ones have their series marked stale.
    pub fn load(&mut self, files: &[(String, RuleFile)], now: Timestamp) {
        let restore = self.options.restore_for_state && !self.loaded_once;
        self.loaded_once = true;
        let mut old: Vec<Option<Group>> = std::mem::take(&mut self.groups)
            .into_iter()
            .map(Some)
            .collect();
        for (file, rules) in files {
            for config in &rules.groups {
                let mut g =
                    Group::new(file, config, self.options.evaluation_interval, restore, now);
                let same = old.iter_mut().find(|o| {
                    o.as_ref()
                        .is_some_and(|o| o.file == g.file && o.name == g.name)
                });
                if let Some(slot) = same {
                    if let Some(prev) = slot.take() {
                        if prev.same_config(&g) {
                            self.groups.push(prev);
                            continue;
                        }
                        g.copy_state(&prev);
                    }
                }
                self.groups.push(g);
            }
        }
        for g in old.into_iter().flatten() {
            let offset = g.effective_query_offset(&self.eval_options);
            self.pending_stale.push(PendingStale {
                due: now.saturating_add(g.interval.saturating_mul(2)),
                stamp: now.saturating_sub(offset),
                series: g.written_series().cloned().collect(),
            });
        }
    }

    /// The next time a group is due, if any.
    pub fn next_evaluation(&self) -> Option<Timestamp> {
        self.groups.iter().map(|g| g.next_eval).min()
    }

    /// Evaluates every group whose time has come by `t`, in time order (a
    /// tie in file and group order), writing rule output to `head`; the
    /// alerts to send to the Alertmanager, evaluation by evaluation (none
    /// for an evaluation with nothing to send).
    pub fn evaluate_due(
        &mut self,
        t: Timestamp,
        query: &mut dyn QueryFn,
        head: &mut Head,
    ) -> Vec<AlertBatch> {
        let mut sent = Vec::new();
        loop {
            let due = self
                .groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.next_eval <= t)
                .min_by_key(|(i, g)| (g.next_eval, *i))
                .map(|(i, _)| i);
            let upto = due.map_or(t, |i| self.groups[i].next_eval);
            self.write_pending_stale(upto, head);
            let Some(i) = due else {
                break;
            };
            skip_missed(&mut self.groups[i], t);
            let g = &mut self.groups[i];
            let ts = g.next_eval;
            let alerts = g.eval(ts, query, head, &self.eval_options);
            if !alerts.is_empty() {
                sent.push(AlertBatch {
                    sent_at: ts,
                    group: g.name.clone(),
                    file: g.file.clone(),
                    alerts,
                });
            }
            g.next_eval = ts.saturating_add(g.interval);
        }
        sent
    }

    /// Skips the evaluations of every group that a jump of the clock to
    /// `t` would leave more than [`MAX_CATCH_UP`] behind, counting them as
    /// missed. A caller that evaluates one instant at a time up to `t`
    /// calls this first, so a long jump stays bounded.
    pub fn skip_missed(&mut self, t: Timestamp) {
        for g in &mut self.groups {
            skip_missed(g, t);
        }
    }

    fn write_pending_stale(&mut self, upto: Timestamp, head: &mut Head) {
        let (due, later): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending_stale)
            .into_iter()
            .partition(|p| p.due <= upto);
        self.pending_stale = later;
        for p in due {
            for s in p.series {
                // Refused when a renamed rule took the series over.
                let _ = head.append(&s, p.stamp, STALE_NAN);
            }
        }
    }

    /// `/api/v1/rules` data: groups sorted by file, then name.
    pub fn rule_groups(&self) -> RuleGroupsData {
        let mut groups: Vec<&Group> = self.groups.iter().collect();
        groups.sort_by(|a, b| (&a.file, &a.name).cmp(&(&b.file, &b.name)));
        RuleGroupsData {
            groups: groups.into_iter().map(RuleGroupData::from_group).collect(),
        }
    }

    /// `/api/v1/alerts` data: the pending and firing alerts, group by
    /// group, rule by rule.
    pub fn alerts(&self) -> AlertsData {
        let mut groups: Vec<&Group> = self.groups.iter().collect();
        groups.sort_by(|a, b| (&a.file, &a.name).cmp(&(&b.file, &b.name)));
        let alerts = groups
            .into_iter()
            .flat_map(|g| g.rules.iter())
            .filter_map(|r| match r {
                Rule::Alerting(a) => Some(a),
                Rule::Recording(_) => None,
            })
            .flat_map(|r| r.active_alerts().map(AlertData::from_alert))
            .collect();
        AlertsData { alerts }
    }
}
