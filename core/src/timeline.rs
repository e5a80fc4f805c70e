//! The lab's timeline: what happened on the virtual clock, in order —
//! scrapes, rule evaluations, alert state changes, alerts posted to the
//! Alertmanager and its notifications — each with a one-line `why` that
//! names the setting behind its time (scrape interval, evaluation
//! interval, `for`, group wait, group interval, repeat interval).
//!
//! The [`crate::lab::Lab`] records it when asked
//! ([`crate::lab::Lab::record_timeline`]); `promlab simulate` prints it one
//! JSON object a line, and the UI can draw it. This module owns only the
//! data; the lab decides what the reasons are.

use crate::alertmanager::notify::WebhookMessage;
use crate::clock::Timestamp;
use crate::labels::Labels;
use crate::rules::alerting::AlertState;
use serde::{Deserialize, Serialize};

/// The most events a lab keeps before dropping the oldest: a lab left
/// recording in a browser tab must not grow without end.
pub const MAX_EVENTS: usize = 100_000;

/// One thing that happened, at its virtual time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    pub time: Timestamp,
    #[serde(flatten)]
    pub kind: EventKind,
    /// Why it happened then: the interval or timer behind the time.
    pub why: String,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A target was scraped.
    Scrape {
        job: String,
        instance: String,
        /// `up`'s value: the scrape succeeded.
        up: bool,
    },
    /// A rule group was evaluated.
    Evaluation { file: String, group: String },
    /// An alert of an alerting rule changed state; `to` is `inactive`
    /// when it resolved.
    AlertState {
        alertname: String,
        labels: Labels,
        from: AlertState,
        to: AlertState,
    },
    /// Prometheus posted alerts to the Alertmanager.
    AlertsSent {
        group: String,
        /// `firing` or `resolved`, alert by alert, by `alertname`.
        alerts: Vec<SentAlert>,
    },
    /// The Alertmanager notified a receiver.
    Notification {
        receiver: String,
        integration: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        reason: String,
        payload: Box<WebhookMessage>,
    },
}

impl EventKind {
    /// The kind's name, as the JSON's `kind` field writes it.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Scrape { .. } => "scrape",
            EventKind::Evaluation { .. } => "evaluation",
            EventKind::AlertState { .. } => "alert_state",
            EventKind::AlertsSent { .. } => "alerts_sent",
            EventKind::Notification { .. } => "notification",
        }
    }
}

/// One alert of a post to the Alertmanager.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentAlert {
    pub alertname: String,
    pub resolved: bool,
}

impl TimelineEvent {
    /// The event as one line of JSON.
    pub fn to_json_line(&self) -> String {
        // Strings, numbers and maps of strings only: writing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}
