//! An Alertmanager on virtual time: alerts posted as Prometheus posts
//! them are routed, grouped, inhibited, silenced, deduplicated and turned
//! into notifications as Alertmanager 0.33 does it, with every timer
//! driven by the [`Timestamp`]s the caller passes in.
//!
//! ```
//! use promlab_core::alertmanager::{Alertmanager, config::AlertmanagerConfig};
//! use promlab_core::alertmanager::alert::PostableAlert;
//! use promlab_core::labels::Labels;
//! let cfg = AlertmanagerConfig::parse(r#"
//! route:
//!   receiver: team
//!   group_by: [alertname]
//!   group_wait: 30s
//! receivers:
//!   - name: team
//!     webhook_configs: [{url: "http://127.0.0.1:5001/hook"}]
//! "#).unwrap();
//! let mut am = Alertmanager::new(cfg, 0);
//! let disk = Labels::from_pairs([("alertname", "DiskFull"), ("instance", "node-1")]);
//! am.receive(&[PostableAlert::new(&disk)], 0).unwrap();
//! assert_eq!(am.next_wakeup(), 30_000);
//! assert!(am.advance_to(29_999).is_empty());
//! let sent = am.advance_to(30_000);
//! assert_eq!(sent[0].payload.group_key, r#"{}:{alertname="DiskFull"}"#);
//! assert_eq!(sent[0].payload.alerts[0].fingerprint, "bbb15d44fad739bf");
//! let request = sent[0].http_request().unwrap();
//! assert_eq!(request.url, "http://127.0.0.1:5001/hook");
//! ```
//!
//! # Driving it
//!
//! The whole surface a driver (the lab, a test) needs:
//!
//! - [`Alertmanager::new`] / [`Alertmanager::with_options`] from an
//!   [`AlertmanagerConfig`] (read with [`AlertmanagerConfig::parse`]) and
//!   the start time; [`Alertmanager::reload`] for a new config.
//! - [`Alertmanager::receive`]`(alerts, now)`: alerts in the shape of
//!   `POST /api/v2/alerts` ([`alert::PostableAlert`]; a rule evaluator
//!   posts them). Refused alerts come back as a [`PostAlertsError`]; the
//!   others are taken.
//! - [`Alertmanager::advance_to`]`(now)`: runs the timers due and returns
//!   the [`Notification`]s sent since the last call, each with its
//!   virtual time, receiver, integration and webhook payload.
//!   [`Alertmanager::next_wakeup`] says when to call it next.
//!   [`Notification::http_request`] is the POST a webhook stands for (URL
//!   and JSON body): the driver sends it; this module does no I/O.
//!   [`Alertmanager::notifications`] is the log of what was sent.
//! - Silences at the current time: [`Alertmanager::create_silence`],
//!   [`Alertmanager::expire_silence`], [`Alertmanager::silences`] (with
//!   their state: active, pending, expired). Call `advance_to(now)` first
//!   so "now" is the driver's time.
//! - The v2 API's listings as serde types: [`Alertmanager::api_alerts`],
//!   [`Alertmanager::api_alert_groups`], [`Alertmanager::silences`],
//!   [`Alertmanager::api_receivers`], [`Alertmanager::api_status`].
//! - Routing without alerts: [`route::RouteTree::receivers`] (as `amtool
//!   config routes test`), [`route::RouteTree::to_node`] (the tree for a
//!   UI to draw), [`amtool`] (amtool's text answers).
//!
//! The parts, in the order an alert passes them: [`alert`] (posting,
//! merging, fingerprints), [`route`] (the tree), [`dispatch`] (groups and
//! their timers), [`inhibit`] and [`silence`] (muting), [`notify`]
//! (deduplication, the webhook message, the log of what was sent), and
//! [`api`] (the v2 API's shapes). [`config`] reads `alertmanager.yml`;
//! [`matchers`] reads and prints matchers; [`amtool`] answers amtool's
//! commands.
//!
//! Not simulated: time intervals (read, never muting), templates (the
//! other integrations log the webhook's data instead of rendered text),
//! clustering, and failed deliveries (every notification succeeds).

pub mod alert;
pub mod amtool;
pub mod api;
pub mod config;
pub mod dispatch;
pub mod inhibit;
pub mod matchers;
pub mod notify;
pub mod route;
pub mod silence;

use crate::clock::{Millis, Timestamp};
use crate::labels::Labels;
use alert::{
    accept_alert, alert_cmp, format_api_time, format_fingerprint, Alert, AlertError, PostableAlert,
};
use api::{
    AlertFilter, AlertGroupInfo, AlertState, AlertStatusInfo, AlertmanagerStatus, ClusterStatus,
    ConfigStatus, GettableAlert, ReceiverName, VersionInfo,
};
use config::AlertmanagerConfig;
use dispatch::Dispatcher;
use inhibit::Inhibitor;
use matchers::{matches_all, parse_matchers, MatcherError};
use notify::{notify_receiver, FlushContext, FlushedAlert, Notification, NotificationLog};
use route::RouteTree;
use silence::{GettableSilence, PostableSilence, SilenceError, Silences};
use std::collections::{BTreeMap, BTreeSet};

/// Settings of an Alertmanager that its command line holds.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerOptions {
    /// `--web.external-url`, shown in notifications.
    pub external_url: String,
    /// `--data.maintenance-interval`: how often expired log entries and
    /// old silences are dropped.
    pub maintenance_interval: Millis,
    /// `--alerts.gc-interval`: how often resolved alerts are forgotten.
    pub alerts_gc_interval: Millis,
    /// `--data.retention`: how long expired silences are kept.
    pub retention: Millis,
    /// Varies silence identifiers between labs.
    pub seed: u64,
    /// How many notifications the log keeps; older ones are dropped.
    pub log_limit: usize,
}

impl Default for AlertmanagerOptions {
    fn default() -> Self {
        AlertmanagerOptions {
            external_url: "http://localhost:9093".into(),
            maintenance_interval: 15 * 60_000,
            alerts_gc_interval: 30 * 60_000,
            retention: 120 * 3_600_000,
            seed: 0,
            log_limit: 10_000,
        }
    }
}

/// Why posted alerts were (partly) refused: one error per bad alert, in
/// the order posted. The good ones were taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostAlertsError {
    pub errors: Vec<AlertError>,
}

impl std::fmt::Display for PostAlertsError {
    /// One message per line, as Alertmanager answers.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let messages: Vec<&str> = self.errors.iter().map(|e| e.message.as_str()).collect();
        f.write_str(&messages.join("\n"))
    }
}

impl std::error::Error for PostAlertsError {}

/// An Alertmanager.
#[derive(Debug, Clone)]
pub struct Alertmanager {
    config: AlertmanagerConfig,
    routes: RouteTree,
    options: AlertmanagerOptions,
    started_at: Timestamp,
    now: Timestamp,
    /// Every alert, as the API's alert store holds them.
    alerts: BTreeMap<u64, Alert>,
    dispatcher: Dispatcher,
    inhibitor: Inhibitor,
    silences: Silences,
    nflog: NotificationLog,
    /// The notification log: the latest notifications sent, oldest first.
    sent: Vec<Notification>,
    /// How many of `sent` the last [`Alertmanager::advance_to`] handed out.
    handed_out: usize,
    next_maintenance: Timestamp,
    next_alerts_gc: Timestamp,
}

impl Alertmanager {
    /// An Alertmanager started at `start` with `config`.
    pub fn new(config: AlertmanagerConfig, start: Timestamp) -> Self {
        Self::with_options(config, start, AlertmanagerOptions::default())
    }

    pub fn with_options(
        config: AlertmanagerConfig,
        start: Timestamp,
        options: AlertmanagerOptions,
    ) -> Self {
        Alertmanager {
            routes: RouteTree::new(&config.route),
            inhibitor: Inhibitor::new(&config.inhibit_rules),
            config,
            started_at: start,
            now: start,
            alerts: BTreeMap::new(),
            dispatcher: Dispatcher::new(),
            silences: Silences::new(options.seed),
            nflog: NotificationLog::default(),
            sent: Vec::new(),
            handed_out: 0,
            next_maintenance: start.saturating_add(options.maintenance_interval.max(1)),
            next_alerts_gc: start.saturating_add(options.alerts_gc_interval.max(1)),
            options,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn config(&self) -> &AlertmanagerConfig {
        &self.config
    }

    pub fn options(&self) -> &AlertmanagerOptions {
        &self.options
    }

    pub fn routes(&self) -> &RouteTree {
        &self.routes
    }

    pub fn dispatcher(&self) -> &Dispatcher {
        &self.dispatcher
    }

    /// The notification log: every notification sent so far (the latest
    /// [`AlertmanagerOptions::log_limit`] of them), in the order sent.
    pub fn notifications(&self) -> &[Notification] {
        &self.sent
    }

    /// When a timer runs next (a group's flush, or housekeeping): the time
    /// a driver should call [`Alertmanager::advance_to`] with at the
    /// latest. Posting alerts or silences can make it earlier.
    pub fn next_wakeup(&self) -> Timestamp {
        [
            self.dispatcher.next_due(),
            Some(self.next_maintenance),
            Some(self.next_alerts_gc),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(self.next_maintenance)
    }

    /// Runs the timers up to `now`, then takes `alerts` as
    /// [`Alertmanager::post_alerts`] does at `now`. What the timers sent
    /// comes out of the next [`Alertmanager::advance_to`].
    pub fn receive(
        &mut self,
        alerts: &[PostableAlert],
        now: Timestamp,
    ) -> Result<(), PostAlertsError> {
        self.run_until(now);
        self.post_alerts(alerts)
    }

    /// Every alert held (resolved ones until they are forgotten).
    pub fn alerts(&self) -> impl Iterator<Item = &Alert> {
        self.alerts.values()
    }

    /// Loads a new config as Alertmanager reloads one: routes, groups and
    /// inhibition start over from the alerts held (which may notify at
    /// once), while silences and the notification log stay.
    pub fn reload(&mut self, config: AlertmanagerConfig) {
        self.routes = RouteTree::new(&config.route);
        self.inhibitor = Inhibitor::new(&config.inhibit_rules);
        self.dispatcher = Dispatcher::new();
        self.config = config;
        let held: Vec<Alert> = self.alerts.values().cloned().collect();
        for alert in &held {
            self.inhibitor.observe(alert);
            self.route(alert);
        }
    }

    /// Takes alerts as `POST /api/v2/alerts` does at the current time:
    /// completes and checks each, merges it with the alert it updates, and
    /// routes it. Valid alerts are taken even when others are refused.
    pub fn post_alerts(&mut self, alerts: &[PostableAlert]) -> Result<(), PostAlertsError> {
        let mut errors = Vec::new();
        for (i, p) in alerts.iter().enumerate() {
            match accept_alert(p, i, self.now, self.config.global.resolve_timeout) {
                Ok(alert) => self.put(alert),
                Err(e) => errors.push(e),
            }
        }
        // The alerts may inhibit (or stop inhibiting) other groups' alerts.
        self.dispatcher.wake_all(self.now);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(PostAlertsError { errors })
        }
    }

    /// Stores an alert, merged with the one it updates when their active
    /// ranges overlap, and hands it to inhibition and the dispatcher.
    fn put(&mut self, mut alert: Alert) {
        let fp = alert.fingerprint();
        if let Some(old) = self.alerts.get(&fp) {
            let overlaps = (alert.ends_at > old.starts_at && alert.ends_at < old.ends_at)
                || (alert.starts_at > old.starts_at && alert.starts_at < old.ends_at);
            if overlaps {
                alert = old.merge(&alert, self.now);
            }
        }
        self.alerts.insert(fp, alert.clone());
        self.inhibitor.observe(&alert);
        self.route(&alert);
    }

    fn route(&mut self, alert: &Alert) {
        for index in self.routes.matching(&alert.labels) {
            if let Some(route) = self.routes.get(index) {
                self.dispatcher.insert(index, route, alert, self.now);
            }
        }
    }

    /// Runs every timer due up to `t`, in time order, and returns the
    /// notifications sent since the last call (those of
    /// [`Alertmanager::receive`]'s timers included), each with its virtual
    /// time. Time never goes back: an earlier `t` runs nothing.
    pub fn advance_to(&mut self, t: Timestamp) -> Vec<Notification> {
        self.run_until(t);
        let out = self
            .sent
            .get(self.handed_out..)
            .map(<[_]>::to_vec)
            .unwrap_or_default();
        self.handed_out = self.sent.len();
        out
    }

    /// Runs every timer due up to `t`, in time order.
    fn run_until(&mut self, t: Timestamp) {
        if t < self.now {
            return;
        }
        loop {
            // Housekeeping due several times before the next flush runs
            // once, at the last of those times: it only forgets what has
            // expired, and only a flush could have seen the difference.
            let horizon = self.dispatcher.next_due().map_or(t, |d| d.min(t));
            let maintenance = self.options.maintenance_interval.max(1);
            let gc = self.options.alerts_gc_interval.max(1);
            self.next_maintenance = last_tick(self.next_maintenance, maintenance, horizon);
            self.next_alerts_gc = last_tick(self.next_alerts_gc, gc, horizon);
            let at = self.next_wakeup();
            if at > t {
                break;
            }
            self.now = self.now.max(at);
            if self.dispatcher.next_due() == Some(at) {
                for id in self.dispatcher.due(at) {
                    self.flush(id);
                }
            }
            if self.next_maintenance == at {
                self.nflog.gc(at);
                self.silences.gc(at, self.options.retention);
                self.next_maintenance = at.saturating_add(self.options.maintenance_interval.max(1));
            }
            if self.next_alerts_gc == at {
                let now = self.now;
                self.alerts.retain(|_, a| !a.resolved_at(now));
                self.inhibitor.gc(now);
                self.next_alerts_gc = at.saturating_add(self.options.alerts_gc_interval.max(1));
            }
            // At the end of time every timer saturates there: each ran
            // once, and nothing comes after.
            if at == Timestamp::MAX {
                break;
            }
        }
        self.now = t;
        // The log keeps the latest notifications only, so a lab that runs
        // for weeks does not grow without end.
        let excess = self.sent.len().saturating_sub(self.options.log_limit);
        if excess > 0 {
            self.sent.drain(..excess);
            self.handed_out = self.handed_out.saturating_sub(excess);
        }
    }

    /// Flushes one aggregation group at the current time.
    fn flush(&mut self, id: (usize, u64)) {
        let now = self.now;
        let Some(route) = self.routes.get(id.0).cloned() else {
            return;
        };
        let Some(group) = self.dispatcher.get_mut(&id) else {
            return;
        };
        group.next_flush = now.saturating_add(route.group_interval.max(1));
        group.flushed = true;
        group.origin = now;
        let next_end = group
            .alerts
            .values()
            .map(|a| a.ends_at)
            .filter(|t| *t > now)
            .min();
        let writes = self.nflog.writes();
        let mut alerts: Vec<FlushedAlert> = group
            .alerts
            .values()
            .map(|a| FlushedAlert {
                alert: a.clone(),
                resolved: a.resolved_at(now),
            })
            .collect();
        let key = group.key.clone();
        let group_labels = group.labels.clone();
        alerts.sort_by(|a, b| alert_cmp(&a.alert.labels, &b.alert.labels));
        let resolved: Vec<(u64, Timestamp)> = alerts
            .iter()
            .filter(|a| a.resolved)
            .map(|a| (a.alert.fingerprint(), a.alert.updated_at))
            .collect();
        // Inhibited, then silenced alerts leave the pipeline.
        alerts.retain(|a| {
            self.inhibitor.mutes(&a.alert.labels, now).is_none()
                && self.silences.mutes(&a.alert.labels, now).is_empty()
        });
        if !alerts.is_empty() {
            if let Some(receiver) = self.config.receiver(&route.receiver) {
                let ctx = FlushContext {
                    now,
                    group_key: &key,
                    group_labels: &group_labels,
                    repeat_interval: route.repeat_interval,
                    external_url: &self.options.external_url,
                };
                let sent = notify_receiver(&ctx, receiver, &alerts, &mut self.nflog);
                self.sent.extend(sent);
            }
        }
        self.dispatcher.drop_resolved(&id, &resolved);
        // A flush that sent nothing, logged nothing and dropped nothing
        // changes nothing: the flushes until something can change would be
        // the same, so the group skips to the first one after.
        if resolved.is_empty() && self.nflog.writes() == writes {
            let change = [
                next_end,
                self.silences.next_change(now),
                self.inhibitor.next_change(now),
                self.nflog.next_repeat(&key, route.repeat_interval, now),
            ]
            .into_iter()
            .flatten()
            .min();
            if let Some(group) = self.dispatcher.get_mut(&id) {
                group.next_flush = match change {
                    Some(t) => group.flush_at_or_after(t),
                    None => Timestamp::MAX,
                };
            }
        }
    }

    // -----------------------------------------------------------------------
    // Silences.

    /// Creates (or updates, with an `id`) a silence at the current time, as
    /// `POST /api/v2/silences` does; returns its identifier.
    pub fn create_silence(&mut self, silence: &PostableSilence) -> Result<String, SilenceError> {
        let id = self.silences.set(silence, self.now)?;
        self.dispatcher.wake_all(self.now);
        Ok(id)
    }

    /// Expires a silence at the current time (`DELETE /api/v2/silence/ID`).
    pub fn expire_silence(&mut self, id: &str) -> Result<(), SilenceError> {
        self.silences.expire(id, self.now)?;
        self.dispatcher.wake_all(self.now);
        Ok(())
    }

    /// `GET /api/v2/silences`.
    pub fn silences(&self) -> Vec<GettableSilence> {
        self.silences.list(self.now)
    }

    // -----------------------------------------------------------------------
    // The API's views.

    fn status_of(&self, labels: &Labels) -> AlertStatusInfo {
        let inhibited_by: Vec<String> = self
            .inhibitor
            .mutes(labels, self.now)
            .map(format_fingerprint)
            .into_iter()
            .collect();
        let silenced_by = self.silences.mutes(labels, self.now);
        let state = if inhibited_by.is_empty() && silenced_by.is_empty() {
            AlertState::Active
        } else {
            AlertState::Suppressed
        };
        AlertStatusInfo {
            inhibited_by,
            muted_by: Vec::new(),
            silenced_by,
            state,
        }
    }

    fn gettable(&self, a: &Alert, receivers: Vec<ReceiverName>) -> GettableAlert {
        GettableAlert {
            annotations: a.annotations.clone(),
            ends_at: format_api_time(a.ends_at),
            fingerprint: format_fingerprint(a.fingerprint()),
            receivers,
            starts_at: format_api_time(a.starts_at),
            status: self.status_of(&a.labels),
            updated_at: format_api_time(a.updated_at),
            generator_url: a.generator_url.clone(),
            labels: a
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.value.clone()))
                .collect(),
        }
    }

    /// Whether a listing with `filter` shows `alert`.
    fn shown(&self, alert: &GettableAlert, labels: &Labels, filter: &Filter) -> bool {
        let s = &alert.status;
        (filter.f.active || s.state != AlertState::Active)
            && (filter.f.unprocessed || s.state != AlertState::Unprocessed)
            && (filter.f.silenced || s.silenced_by.is_empty())
            && (filter.f.inhibited || s.inhibited_by.is_empty())
            && matches_all(&filter.matchers, labels)
            && filter
                .receiver
                .as_ref()
                .is_none_or(|re| alert.receivers.iter().any(|r| re.is_match(&r.name)))
    }

    /// `GET /api/v2/alerts`: the alerts not yet resolved, by fingerprint.
    pub fn api_alerts(&self, filter: &AlertFilter) -> Result<Vec<GettableAlert>, MatcherError> {
        let filter = Filter::new(filter)?;
        let mut out = Vec::new();
        for a in self.alerts.values() {
            if a.ends_at < self.now {
                continue;
            }
            let receivers = self
                .routes
                .receivers(&a.labels)
                .into_iter()
                .map(|name| ReceiverName { name: name.into() })
                .collect();
            let g = self.gettable(a, receivers);
            if self.shown(&g, &a.labels, &filter) {
                out.push(g);
            }
        }
        out.sort_by(|a, b| a.fingerprint.cmp(&b.fingerprint));
        Ok(out)
    }

    /// `GET /api/v2/alerts/groups`: the aggregation groups and their
    /// unresolved alerts.
    pub fn api_alert_groups(
        &self,
        filter: &AlertFilter,
    ) -> Result<Vec<AlertGroupInfo>, MatcherError> {
        let filter = Filter::new(filter)?;
        let groups = self.dispatcher.groups(&self.routes);
        // Each alert lists the receivers of every group it is in.
        let mut receivers: BTreeMap<u64, BTreeSet<String>> = BTreeMap::new();
        for g in &groups {
            let name = self.routes.get(g.route).map_or("", |r| r.receiver.as_str());
            for fp in g.alerts.keys() {
                receivers.entry(*fp).or_default().insert(name.to_string());
            }
        }
        let mut out = Vec::new();
        for g in groups {
            let receiver = self
                .routes
                .get(g.route)
                .map_or(String::new(), |r| r.receiver.clone());
            let mut alerts: Vec<&Alert> = g
                .alerts
                .values()
                .filter(|a| a.ends_at >= self.now)
                .collect();
            alerts.sort_by(|a, b| alert_cmp(&a.labels, &b.labels));
            let alerts: Vec<GettableAlert> = alerts
                .into_iter()
                .filter_map(|a| {
                    let names = receivers
                        .get(&a.fingerprint())
                        .into_iter()
                        .flatten()
                        .map(|n| ReceiverName { name: n.clone() })
                        .collect();
                    let ga = self.gettable(a, names);
                    self.shown(&ga, &a.labels, &filter).then_some(ga)
                })
                .collect();
            if alerts.is_empty() {
                continue;
            }
            out.push(AlertGroupInfo {
                alerts,
                labels: g
                    .labels
                    .iter()
                    .map(|l| (l.name.clone(), l.value.clone()))
                    .collect(),
                receiver: ReceiverName { name: receiver },
            });
        }
        Ok(out)
    }

    /// `GET /api/v2/receivers`.
    pub fn api_receivers(&self) -> Vec<ReceiverName> {
        self.config
            .receivers
            .iter()
            .map(|r| ReceiverName {
                name: r.name.clone(),
            })
            .collect()
    }

    /// `GET /api/v2/status`.
    pub fn api_status(&self) -> AlertmanagerStatus {
        AlertmanagerStatus {
            cluster: ClusterStatus {
                peers: Vec::new(),
                status: "disabled".into(),
            },
            config: ConfigStatus {
                original: self.config.to_yaml(),
            },
            uptime: format_api_time(self.started_at),
            version_info: VersionInfo {
                branch: String::new(),
                build_date: String::new(),
                build_user: String::new(),
                go_version: String::new(),
                revision: String::new(),
                version: "promlab".into(),
            },
        }
    }
}

/// The last of the times `next`, `next + interval`, … that is at most
/// `horizon`; `next` itself when it is later.
fn last_tick(next: Timestamp, interval: Millis, horizon: Timestamp) -> Timestamp {
    if next >= horizon {
        return next;
    }
    let steps = (horizon.saturating_sub(next) as u64) / (interval.max(1) as u64);
    let offset = i64::try_from(steps.saturating_mul(interval.max(1) as u64)).unwrap_or(0);
    next.saturating_add(offset)
}

/// An [`AlertFilter`] with its matchers and receiver regex compiled.
struct Filter<'a> {
    f: &'a AlertFilter,
    matchers: Vec<crate::labels::Matcher>,
    receiver: Option<crate::regexp::Regexp>,
}

impl<'a> Filter<'a> {
    fn new(f: &'a AlertFilter) -> Result<Self, MatcherError> {
        let mut matchers = Vec::new();
        for text in &f.filter {
            matchers.extend(parse_matchers(text)?.matchers);
        }
        let receiver = match &f.receiver {
            None => None,
            Some(re) => Some(crate::regexp::Regexp::new(re).map_err(|e| MatcherError {
                kind: matchers::MatcherErrorKind::InvalidRegex,
                span: crate::diagnostic::Span::new(0, re.len()),
                message: format!("failed to parse receiver param: {e}"),
            })?),
        };
        Ok(Filter {
            f,
            matchers,
            receiver,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const CONFIG: &str = r#"
route:
  receiver: team
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
receivers:
  - name: team
    webhook_configs: [{url: "http://127.0.0.1:45811/team", send_resolved: true}]
"#;

    #[wasm_bindgen_test(unsupported = test)]
    fn a_webhook_request_carries_alertmanagers_body() {
        let t0 = alert::parse_time("2026-11-25T16:44:20.599Z").unwrap();
        let options = AlertmanagerOptions {
            external_url: "http://am.example:9093".into(),
            ..Default::default()
        };
        let mut am =
            Alertmanager::with_options(AlertmanagerConfig::parse(CONFIG).unwrap(), t0, options);
        let mut a = PostableAlert::new(&Labels::from_pairs([("alertname", "A"), ("i", "1")]));
        a.annotations.insert("s".into(), "x".into());
        a.generator_url = "http://g".into();
        am.receive(&[a], t0).unwrap();
        assert_eq!(am.next_wakeup(), t0 + 1_000);
        let sent = am.advance_to(t0 + 1_500);
        let requests: Vec<WebhookRequestView> = sent
            .iter()
            .filter_map(Notification::http_request)
            .map(|r| (r.url, r.body))
            .collect();
        // Alertmanager 0.33.1 posted this for the same alert (its startsAt
        // cut to milliseconds, as the lab keeps times).
        let real = r#"{"receiver":"team","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"A","i":"1"},"annotations":{"s":"x"},"startsAt":"2026-11-25T16:44:20.599Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://g","fingerprint":"caaaffbd9ccf039f"}],"notification_reason":"first notification","groupLabels":{"alertname":"A"},"commonLabels":{"alertname":"A","i":"1"},"commonAnnotations":{"s":"x"},"externalURL":"http://am.example:9093","version":"4","groupKey":"{}:{alertname=\"A\"}","truncatedAlerts":0}"#;
        assert_eq!(
            requests,
            [("http://127.0.0.1:45811/team".to_string(), real.to_string())]
        );
        assert_eq!(sent[0].time, t0 + 1_000);
        assert_eq!(am.next_wakeup(), t0 + 3_000, "the group's next flush");
    }

    type WebhookRequestView = (String, String);

    #[wasm_bindgen_test(unsupported = test)]
    fn timers_run_by_receive_are_handed_out_by_the_next_advance() {
        let mut am = Alertmanager::new(AlertmanagerConfig::parse(CONFIG).unwrap(), 0);
        let a = |name: &str| PostableAlert::new(&Labels::from_pairs([("alertname", name)]));
        am.receive(&[a("A")], 0).unwrap();
        // The flush of A's group at 1s happens inside this call.
        am.receive(&[a("B")], 1_500).unwrap();
        let sent = am.advance_to(2_500);
        let names: Vec<(Timestamp, &str)> = sent
            .iter()
            .map(|n| (n.time, n.payload.group_key.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (1_000, r#"{}:{alertname="A"}"#),
                (2_500, r#"{}:{alertname="B"}"#)
            ]
        );
        assert!(am.advance_to(2_500).is_empty(), "handed out once");
        assert_eq!(am.notifications().len(), 2);
        // Time never goes back.
        assert!(am.advance_to(0).is_empty());
        assert_eq!(am.now(), 2_500);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn times_at_the_ends_of_their_range_do_not_hang_or_panic() {
        let mut am = Alertmanager::new(AlertmanagerConfig::parse(CONFIG).unwrap(), 0);
        let a = |name: &str| PostableAlert::new(&Labels::from_pairs([("alertname", name)]));
        let far = [
            a("Old").with_starts_at(Timestamp::MIN),
            a("Future").with_starts_at(0).with_ends_at(Timestamp::MAX),
        ];
        // Times no calendar can show are refused as Alertmanager refuses
        // what does not parse, not panicked on.
        assert!(am.receive(&far, 10).is_err());
        let mut long = a("Long");
        long.starts_at = Some("0001-01-01T00:00:00Z".into());
        long.ends_at = Some(alert::format_api_time(100_000));
        am.receive(&[long], 10).unwrap();
        let sent = am.advance_to(Timestamp::MAX);
        let times: Vec<Timestamp> = sent.iter().map(|n| n.time).collect();
        // Older than group_wait: sent at once; resolved at the first flush
        // after its end.
        assert_eq!(times, [10, 100_010]);
        assert_eq!(am.now(), Timestamp::MAX);
        assert_eq!(am.next_wakeup(), Timestamp::MAX);
        assert!(am.advance_to(Timestamp::MAX).is_empty());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_year_ahead_repeats_hourly_without_flushing_every_interval() {
        let mut am = Alertmanager::new(AlertmanagerConfig::parse(CONFIG).unwrap(), 0);
        let year: Timestamp = 365 * 86_400_000;
        let p = PostableAlert::new(&Labels::from_pairs([("alertname", "A")]))
            .with_starts_at(0)
            .with_ends_at(year);
        am.receive(&[p], 0).unwrap();
        let sent = am.advance_to(2 * year);
        // The first at group_wait (1s); a repeat at the first flush (every
        // 2s) more than repeat_interval (1h) after the last; the resolved
        // one at the first flush after the end.
        let period = 3_602_000;
        let repeats = (year - 1_000 - 1) / period;
        assert_eq!(sent.len() as i64, 1 + repeats + 1);
        assert_eq!(sent[1].time, 1_000 + period);
        assert_eq!(sent[1].reason, notify::NotifyReason::RepeatIntervalElapsed);
        let last = sent.last().unwrap();
        assert_eq!(
            (last.time, last.payload.status),
            (year + 1_000, notify::AlertStatus::Resolved)
        );
        // A post wakes the group: it flushes at the next 2s tick, not at
        // the next planned repeat.
        let mut am = Alertmanager::new(AlertmanagerConfig::parse(CONFIG).unwrap(), 0);
        let p = |i: &str| {
            PostableAlert::new(&Labels::from_pairs([("alertname", "A"), ("i", i)]))
                .with_ends_at(year)
        };
        am.receive(&[p("1")], 0).unwrap();
        assert_eq!(am.advance_to(500_000).len(), 1);
        am.receive(&[p("2")], 500_500).unwrap();
        let sent = am.advance_to(600_000);
        let got: Vec<(Timestamp, notify::NotifyReason)> =
            sent.iter().map(|n| (n.time, n.reason)).collect();
        assert_eq!(got, [(501_000, notify::NotifyReason::NewAlertsInGroup)]);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_log_keeps_the_latest_notifications() {
        let options = AlertmanagerOptions {
            log_limit: 3,
            ..Default::default()
        };
        let mut am =
            Alertmanager::with_options(AlertmanagerConfig::parse(CONFIG).unwrap(), 0, options);
        for i in 0..5 {
            let name = format!("A{i}");
            let p = PostableAlert::new(&Labels::from_pairs([("alertname", name.as_str())]));
            am.receive(&[p], i * 10_000).unwrap();
        }
        let sent = am.advance_to(60_000);
        assert_eq!(sent.len(), 3);
        let times: Vec<Timestamp> = am.notifications().iter().map(|n| n.time).collect();
        assert_eq!(times, [21_000, 31_000, 41_000]);
    }
}
