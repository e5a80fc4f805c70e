//! The end of the notification pipeline: for each integration of the
//! receiver, deduplication against the notification log (Alertmanager's
//! `nflog`), `send_resolved`, `max_alerts`, and the message itself in
//! Alertmanager's webhook JSON (version 4).
//!
//! Deduplication is Alertmanager's: the first notification of a group
//! goes out when something fires; later ones when an alert starts firing
//! that the receiver was not told about, when everything it was told
//! about has resolved, when alerts resolved and the integration sends
//! resolved alerts, or when `repeat_interval` has passed since the last
//! one. Each integration keeps its own log entry per group, which expires
//! twice the repeat interval after it was written.
//!
//! The lab sends nothing itself: every notification becomes a
//! [`Notification`] with its virtual time, receiver, integration and
//! payload, for a driver to deliver (webhooks) or only to show (the other
//! integrations, which the lab does not simulate).

use super::alert::{format_fingerprint, format_go_time, Alert, GO_ZERO_TIME};
use super::config::{IntegrationKind, ReceiverConfig};
use crate::clock::{Millis, Timestamp};
use crate::labels::Labels;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Why a notification was sent, as Alertmanager's webhook says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NotifyReason {
    #[serde(rename = "first notification")]
    FirstNotification,
    #[serde(rename = "new alerts added")]
    NewAlertsInGroup,
    #[serde(rename = "some alerts resolved")]
    NewResolvedAlerts,
    #[serde(rename = "all alerts resolved")]
    AllAlertsResolved,
    #[serde(rename = "repeat interval elapsed")]
    RepeatIntervalElapsed,
}

impl NotifyReason {
    pub fn as_str(self) -> &'static str {
        match self {
            NotifyReason::FirstNotification => "first notification",
            NotifyReason::NewAlertsInGroup => "new alerts added",
            NotifyReason::NewResolvedAlerts => "some alerts resolved",
            NotifyReason::AllAlertsResolved => "all alerts resolved",
            NotifyReason::RepeatIntervalElapsed => "repeat interval elapsed",
        }
    }
}

/// Firing or resolved, for an alert or a whole message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertStatus {
    Firing,
    Resolved,
}

/// The log entry of one integration for one group: what it was last told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NflogEntry {
    pub firing: BTreeSet<u64>,
    pub resolved: BTreeSet<u64>,
    pub timestamp: Timestamp,
    pub expires_at: Timestamp,
}

/// Which integration of which receiver, for which group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NflogKey {
    pub group_key: String,
    pub receiver: String,
    pub integration: IntegrationKind,
    pub index: usize,
}

/// Alertmanager's notification log.
#[derive(Debug, Clone, Default)]
pub struct NotificationLog {
    entries: BTreeMap<NflogKey, NflogEntry>,
    /// How many entries were ever written: a flush that wrote none
    /// changed nothing.
    writes: u64,
}

impl NotificationLog {
    pub fn get(&self, key: &NflogKey) -> Option<&NflogEntry> {
        self.entries.get(key)
    }

    pub fn writes(&self) -> u64 {
        self.writes
    }

    /// The first time after `now` at which an entry of `group_key` is older
    /// than `repeat`, so the group may notify again.
    pub fn next_repeat(
        &self,
        group_key: &str,
        repeat: Millis,
        now: Timestamp,
    ) -> Option<Timestamp> {
        self.entries
            .iter()
            .filter(|(k, _)| k.group_key == group_key)
            .map(|(_, e)| e.timestamp.saturating_add(repeat).saturating_add(1))
            .filter(|t| *t > now)
            .min()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Drops entries that have expired by `now` (Alertmanager's
    /// maintenance).
    pub fn gc(&mut self, now: Timestamp) {
        self.entries.retain(|_, e| e.expires_at > now);
    }
}

/// Alertmanager's `needsUpdate`: whether and why to notify, given what the
/// integration was last told.
pub fn needs_update(
    entry: Option<&NflogEntry>,
    firing: &BTreeSet<u64>,
    resolved: &BTreeSet<u64>,
    send_resolved: bool,
    repeat: Millis,
    now: Timestamp,
) -> Option<NotifyReason> {
    let Some(entry) = entry else {
        return (!firing.is_empty()).then_some(NotifyReason::FirstNotification);
    };
    if !firing.is_subset(&entry.firing) {
        return Some(if entry.firing.is_empty() {
            NotifyReason::FirstNotification
        } else {
            NotifyReason::NewAlertsInGroup
        });
    }
    if firing.is_empty() {
        return (!entry.firing.is_empty()).then_some(NotifyReason::AllAlertsResolved);
    }
    if send_resolved && !resolved.is_subset(&entry.resolved) {
        return Some(NotifyReason::NewResolvedAlerts);
    }
    (entry.timestamp < now.saturating_sub(repeat)).then_some(NotifyReason::RepeatIntervalElapsed)
}

/// A notification the lab would send.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Notification {
    /// When, in virtual time.
    pub time: Timestamp,
    pub receiver: String,
    pub integration: IntegrationKind,
    /// The integration's position among the receiver's integrations of
    /// its kind.
    pub index: usize,
    /// Where a webhook posts it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// False for integrations the lab logs but does not simulate.
    pub delivered: bool,
    pub reason: NotifyReason,
    /// The webhook body (for the other integrations, the same data their
    /// templates would render).
    pub payload: WebhookMessage,
}

impl Notification {
    /// The HTTP request a webhook notification is: Alertmanager POSTs the
    /// payload as JSON to the webhook's URL. `None` for the integrations
    /// the lab only logs. The driver performs it; the lab does no I/O.
    pub fn http_request(&self) -> Option<WebhookRequest> {
        let url = self.url.as_ref().filter(|_| self.delivered)?;
        Some(WebhookRequest {
            url: url.clone(),
            content_type: "application/json",
            body: self.payload.to_json(),
        })
    }
}

/// A POST a driver sends for a webhook notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRequest {
    pub url: String,
    pub content_type: &'static str,
    /// The webhook JSON, as Alertmanager writes it.
    pub body: String,
}

/// Alertmanager's webhook body, field for field and in its order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookMessage {
    pub receiver: String,
    pub status: AlertStatus,
    pub alerts: Vec<WebhookAlert>,
    pub notification_reason: String,
    #[serde(rename = "groupLabels")]
    pub group_labels: BTreeMap<String, String>,
    #[serde(rename = "commonLabels")]
    pub common_labels: BTreeMap<String, String>,
    #[serde(rename = "commonAnnotations")]
    pub common_annotations: BTreeMap<String, String>,
    #[serde(rename = "externalURL")]
    pub external_url: String,
    pub version: String,
    #[serde(rename = "groupKey")]
    pub group_key: String,
    #[serde(rename = "truncatedAlerts")]
    pub truncated_alerts: u64,
}

impl WebhookMessage {
    /// The message as Alertmanager's webhook writes it (fields in its
    /// order, one line).
    pub fn to_json(&self) -> String {
        // Only strings, maps of strings and numbers: writing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// One alert of a webhook body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookAlert {
    pub status: AlertStatus,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    #[serde(rename = "startsAt")]
    pub starts_at: String,
    /// `0001-01-01T00:00:00Z` while firing.
    #[serde(rename = "endsAt")]
    pub ends_at: String,
    #[serde(rename = "generatorURL")]
    pub generator_url: String,
    pub fingerprint: String,
}

/// An alert as a flush hands it on: firing, or resolved at the flush time.
#[derive(Debug, Clone, PartialEq)]
pub struct FlushedAlert {
    pub alert: Alert,
    pub resolved: bool,
}

/// What a flush knows about its group.
pub struct FlushContext<'a> {
    pub now: Timestamp,
    pub group_key: &'a str,
    pub group_labels: &'a Labels,
    pub repeat_interval: Millis,
    pub external_url: &'a str,
}

/// Runs the per-integration stages for `alerts` (already sorted and with
/// muted ones removed): deduplication, `send_resolved`, the message, the
/// log entry. Returns the notifications sent.
pub fn notify_receiver(
    ctx: &FlushContext<'_>,
    receiver: &ReceiverConfig,
    alerts: &[FlushedAlert],
    nflog: &mut NotificationLog,
) -> Vec<Notification> {
    let mut out = Vec::new();
    let webhooks = receiver
        .webhook_configs
        .iter()
        .enumerate()
        .map(|(i, w)| Integration {
            kind: IntegrationKind::Webhook,
            index: i,
            send_resolved: w.send_resolved,
            max_alerts: w.max_alerts,
            url: w.url.clone(),
            delivered: true,
        });
    let mut counts: BTreeMap<IntegrationKind, usize> = BTreeMap::new();
    let others = receiver.integrations.iter().map(|c| {
        let index = counts.entry(c.kind).or_default();
        let i = Integration {
            kind: c.kind,
            index: *index,
            send_resolved: c.send_resolved,
            max_alerts: c
                .fields
                .get("max_alerts")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0),
            url: None,
            delivered: false,
        };
        *index += 1;
        i
    });
    let integrations: Vec<Integration> = webhooks.chain(others).collect();
    for integration in integrations {
        if let Some(n) = integration.notify(ctx, &receiver.name, alerts, nflog) {
            out.push(n);
        }
    }
    out
}

struct Integration {
    kind: IntegrationKind,
    index: usize,
    send_resolved: bool,
    max_alerts: u64,
    url: Option<String>,
    delivered: bool,
}

impl Integration {
    fn notify(
        &self,
        ctx: &FlushContext<'_>,
        receiver: &str,
        alerts: &[FlushedAlert],
        nflog: &mut NotificationLog,
    ) -> Option<Notification> {
        let firing: BTreeSet<u64> = alerts
            .iter()
            .filter(|a| !a.resolved)
            .map(|a| a.alert.fingerprint())
            .collect();
        let resolved: BTreeSet<u64> = alerts
            .iter()
            .filter(|a| a.resolved)
            .map(|a| a.alert.fingerprint())
            .collect();
        let key = NflogKey {
            group_key: ctx.group_key.to_string(),
            receiver: receiver.to_string(),
            integration: self.kind,
            index: self.index,
        };
        let reason = needs_update(
            nflog.get(&key),
            &firing,
            &resolved,
            self.send_resolved,
            ctx.repeat_interval,
            ctx.now,
        )?;
        // Without send_resolved only firing alerts go out; when none fire,
        // nothing is sent but the log still learns that they resolved.
        let sent: Vec<&FlushedAlert> = if self.send_resolved {
            alerts.iter().collect()
        } else {
            alerts.iter().filter(|a| !a.resolved).collect()
        };
        nflog.writes += 1;
        nflog.entries.insert(
            key,
            NflogEntry {
                firing,
                resolved,
                timestamp: ctx.now,
                expires_at: ctx
                    .now
                    .saturating_add(ctx.repeat_interval.saturating_mul(2)),
            },
        );
        if sent.is_empty() {
            return None;
        }
        let payload = message(ctx, receiver, reason, &sent, self.max_alerts);
        Some(Notification {
            time: ctx.now,
            receiver: receiver.to_string(),
            integration: self.kind,
            index: self.index,
            url: self.url.clone(),
            delivered: self.delivered,
            reason,
            payload,
        })
    }
}

/// The webhook body for `alerts`, cut to `max_alerts` (0: all).
fn message(
    ctx: &FlushContext<'_>,
    receiver: &str,
    reason: NotifyReason,
    alerts: &[&FlushedAlert],
    max_alerts: u64,
) -> WebhookMessage {
    let limit = usize::try_from(max_alerts).unwrap_or(usize::MAX);
    let (kept, truncated) = if max_alerts != 0 && alerts.len() > limit {
        (&alerts[..limit], (alerts.len() - limit) as u64)
    } else {
        (alerts, 0)
    };
    let status = if kept.iter().any(|a| !a.resolved) {
        AlertStatus::Firing
    } else {
        AlertStatus::Resolved
    };
    let label_map = |l: &Labels| -> BTreeMap<String, String> {
        l.iter()
            .map(|l| (l.name.clone(), l.value.clone()))
            .collect()
    };
    let mut common_labels: Option<BTreeMap<String, String>> = None;
    let mut common_annotations: Option<BTreeMap<String, String>> = None;
    for a in kept {
        let labels = label_map(&a.alert.labels);
        match &mut common_labels {
            None => common_labels = Some(labels),
            Some(c) => c.retain(|k, v| labels.get(k) == Some(v)),
        }
        match &mut common_annotations {
            None => common_annotations = Some(a.alert.annotations.clone()),
            Some(c) => c.retain(|k, v| a.alert.annotations.get(k) == Some(v)),
        }
    }
    WebhookMessage {
        receiver: go_quote_meta(receiver),
        status,
        alerts: kept
            .iter()
            .map(|a| WebhookAlert {
                status: if a.resolved {
                    AlertStatus::Resolved
                } else {
                    AlertStatus::Firing
                },
                labels: label_map(&a.alert.labels),
                annotations: a.alert.annotations.clone(),
                starts_at: format_go_time(a.alert.starts_at),
                ends_at: if a.resolved {
                    format_go_time(a.alert.ends_at)
                } else {
                    GO_ZERO_TIME.to_string()
                },
                generator_url: a.alert.generator_url.clone(),
                fingerprint: format_fingerprint(a.alert.fingerprint()),
            })
            .collect(),
        notification_reason: reason.as_str().to_string(),
        group_labels: label_map(ctx.group_labels),
        common_labels: common_labels.unwrap_or_default(),
        common_annotations: common_annotations.unwrap_or_default(),
        external_url: ctx.external_url.to_string(),
        version: "4".to_string(),
        group_key: ctx.group_key.to_string(),
        truncated_alerts: truncated,
    }
}

/// Go's `regexp.QuoteMeta`, which Alertmanager applies to the receiver
/// name in notification data.
pub fn go_quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn set(v: &[u64]) -> BTreeSet<u64> {
        v.iter().copied().collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn dedup_reasons_follow_alertmanager() {
        use NotifyReason::*;
        let entry = |f: &[u64], r: &[u64], ts| NflogEntry {
            firing: set(f),
            resolved: set(r),
            timestamp: ts,
            expires_at: i64::MAX,
        };
        // The last entry, firing and resolved alerts, send_resolved, and
        // the answer.
        type Case<'a> = (
            Option<NflogEntry>,
            &'a [u64],
            &'a [u64],
            bool,
            Option<NotifyReason>,
        );
        let cases: Vec<Case> = vec![
            (None, &[1], &[], true, Some(FirstNotification)),
            (None, &[], &[1], true, None),
            (
                Some(entry(&[1], &[], 0)),
                &[1, 2],
                &[],
                true,
                Some(NewAlertsInGroup),
            ),
            (
                Some(entry(&[], &[1], 0)),
                &[2],
                &[],
                true,
                Some(FirstNotification),
            ),
            (
                Some(entry(&[1], &[], 0)),
                &[],
                &[1],
                false,
                Some(AllAlertsResolved),
            ),
            (Some(entry(&[], &[1], 0)), &[], &[1], true, None),
            (
                Some(entry(&[1, 2], &[], 0)),
                &[2],
                &[1],
                true,
                Some(NewResolvedAlerts),
            ),
            (Some(entry(&[1, 2], &[], 90)), &[2], &[1], false, None),
            (Some(entry(&[1], &[], 50)), &[1], &[], true, None),
            (
                Some(entry(&[1], &[], 49)),
                &[1],
                &[],
                true,
                Some(RepeatIntervalElapsed),
            ),
        ];
        for (e, f, r, sr, want) in cases {
            assert_eq!(
                needs_update(e.as_ref(), &set(f), &set(r), sr, 50, 100),
                want,
                "{e:?} {f:?} {r:?}"
            );
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn quote_meta_escapes_regex_characters() {
        assert_eq!(go_quote_meta("team-x.y (prod)"), r"team-x\.y \(prod\)");
    }
}
