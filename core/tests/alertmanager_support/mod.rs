//! Alertmanager scenarios: a config and timed steps (post alerts, create
//! or expire a silence), read from `alertmanager/scenarios/*.yml`, run on
//! the lab's Alertmanager in virtual time, and printed as a notification
//! log. `alertmanager_reference.rs` runs the same scenarios on the real
//! Alertmanager.

#![allow(dead_code)]

use promlab_core::alertmanager::alert::{format_api_time, parse_time, PostableAlert};
use promlab_core::alertmanager::api::AlertFilter;
use promlab_core::alertmanager::config::AlertmanagerConfig;
use promlab_core::alertmanager::notify::{Notification, WebhookMessage};
use promlab_core::alertmanager::silence::{PostableSilence, SilenceMatcher};
use promlab_core::alertmanager::{Alertmanager, AlertmanagerOptions};
use promlab_core::clock::Timestamp;
use promlab_core::duration::parse_duration;
use promlab_core::labels::{MatchOp, Matcher};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Where the lab's virtual scenarios start: 2025-01-01T00:00:00Z.
pub const VIRTUAL_START: Timestamp = 1_735_689_600_000;

/// Webhook URLs in scenario configs start with this, replaced by the
/// receiving server's address.
pub const WEBHOOK: &str = "WEBHOOK";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub config: String,
    pub steps: Vec<Step>,
    /// How long to run after the start.
    pub until: String,
    /// Offsets at which to list alerts, groups and silences through the
    /// API (away from flushes, whose outcome a listing would race).
    #[serde(default)]
    pub api_at: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Offset from the start.
    pub at: String,
    #[serde(default)]
    pub post: Vec<ScenarioAlert>,
    #[serde(default)]
    pub silence: Option<ScenarioSilence>,
    /// Expire the n-th silence the scenario created.
    #[serde(default)]
    pub expire: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioAlert {
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Offset from the start (may be negative: `-1m`); absent leaves
    /// `startsAt` out.
    #[serde(default)]
    pub starts: Option<String>,
    /// Offset from the start; absent leaves `endsAt` out.
    #[serde(default)]
    pub ends: Option<String>,
    #[serde(default)]
    pub generator_url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSilence {
    /// `name=value`, `name=~regex`, `name!=value`, `name!~regex`.
    pub matchers: Vec<String>,
    pub starts: String,
    pub ends: String,
}

/// An offset such as `2s`, `-1m` or `1500ms`, in milliseconds.
pub fn offset(s: &str) -> i64 {
    match s.strip_prefix('-') {
        Some(rest) => -parse_duration(rest).unwrap(),
        None => parse_duration(s).unwrap(),
    }
}

pub fn load(text: &str) -> Scenario {
    serde_saphyr::from_str(text).unwrap()
}

impl Scenario {
    /// The config with webhook URLs pointing at `base`.
    pub fn config_for(&self, base: &str) -> String {
        self.config.replace(WEBHOOK, base)
    }

    pub fn steps_in_order(&self) -> Vec<&Step> {
        let mut steps: Vec<&Step> = self.steps.iter().collect();
        steps.sort_by_key(|s| offset(&s.at));
        steps
    }
}

impl ScenarioAlert {
    pub fn postable(&self, t0: Timestamp) -> PostableAlert {
        PostableAlert {
            labels: self.labels.clone(),
            annotations: self.annotations.clone(),
            starts_at: self
                .starts
                .as_deref()
                .map(|s| format_api_time(t0 + offset(s))),
            ends_at: self
                .ends
                .as_deref()
                .map(|s| format_api_time(t0 + offset(s))),
            generator_url: self.generator_url.clone(),
        }
    }
}

impl ScenarioSilence {
    pub fn postable(&self, t0: Timestamp) -> PostableSilence {
        PostableSilence {
            id: None,
            matchers: self
                .matchers
                .iter()
                .map(|m| {
                    let (op, (name, value)) = [
                        ("=~", MatchOp::Regex),
                        ("!~", MatchOp::NotRegex),
                        ("!=", MatchOp::NotEqual),
                        ("=", MatchOp::Equal),
                    ]
                    .iter()
                    .find_map(|(text, op)| m.split_once(text).map(|p| (*op, p)))
                    .unwrap();
                    SilenceMatcher::from_matcher(&Matcher::new(name, op, value).unwrap())
                })
                .collect(),
            starts_at: format_api_time(t0 + offset(&self.starts)),
            ends_at: format_api_time(t0 + offset(&self.ends)),
            created_by: "scenario".into(),
            comment: "scenario".into(),
        }
    }
}

/// The options both Alertmanagers run with.
pub fn options(external_url: &str) -> AlertmanagerOptions {
    AlertmanagerOptions {
        external_url: external_url.to_string(),
        ..Default::default()
    }
}

/// The API's listings at one moment, as JSON: `/api/v2/alerts`,
/// `/api/v2/alerts/groups`, `/api/v2/silences`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiListing {
    pub at: String,
    pub alerts: serde_json::Value,
    pub groups: serde_json::Value,
    pub silences: serde_json::Value,
}

/// Runs a scenario on the lab's Alertmanager from `t0`; returns every
/// notification.
pub fn run_virtual(
    s: &Scenario,
    t0: Timestamp,
    webhook_base: &str,
    external_url: &str,
) -> Vec<Notification> {
    run_virtual_with_api(s, t0, webhook_base, external_url).0
}

/// Runs a scenario on the lab's Alertmanager from `t0`; returns every
/// notification, the API's listings at the scenario's `api_at` times, and
/// the identifiers of the silences created, in order.
pub fn run_virtual_with_api(
    s: &Scenario,
    t0: Timestamp,
    webhook_base: &str,
    external_url: &str,
) -> (Vec<Notification>, Vec<ApiListing>, Vec<String>) {
    let cfg = AlertmanagerConfig::parse(&s.config_for(webhook_base))
        .unwrap_or_else(|e| panic!("{}: {}", s.name, e));
    let mut am = Alertmanager::with_options(cfg, t0, options(external_url));
    let mut silences = Vec::new();
    let mut listings = Vec::new();
    let mut api_at: Vec<&String> = s.api_at.iter().collect();
    api_at.sort_by_key(|a| offset(a));
    let mut api_at = api_at.into_iter().peekable();
    let list = |am: &Alertmanager, at: &str| ApiListing {
        at: at.to_string(),
        alerts: serde_json::to_value(am.api_alerts(&AlertFilter::default()).unwrap()).unwrap(),
        groups: serde_json::to_value(am.api_alert_groups(&AlertFilter::default()).unwrap())
            .unwrap(),
        silences: serde_json::to_value(am.silences()).unwrap(),
    };
    for step in s.steps_in_order() {
        while let Some(at) = api_at.next_if(|a| offset(a) <= offset(&step.at)) {
            am.advance_to(t0 + offset(at));
            listings.push(list(&am, at));
        }
        am.advance_to(t0 + offset(&step.at));
        if !step.post.is_empty() {
            let alerts: Vec<PostableAlert> = step.post.iter().map(|a| a.postable(t0)).collect();
            am.post_alerts(&alerts).unwrap();
        }
        if let Some(sil) = &step.silence {
            silences.push(am.create_silence(&sil.postable(t0)).unwrap());
        }
        if let Some(i) = step.expire {
            am.expire_silence(&silences[i]).unwrap();
        }
    }
    for at in api_at {
        am.advance_to(t0 + offset(at));
        listings.push(list(&am, at));
    }
    am.advance_to(t0 + offset(&s.until));
    (am.notifications().to_vec(), listings, silences)
}

/// A notification's message with its times made relative to `t0`, so
/// runs that started at different times compare.
pub fn relative(message: &WebhookMessage, t0: Timestamp) -> WebhookMessage {
    let mut m = message.clone();
    for a in &mut m.alerts {
        a.starts_at = relative_time(&a.starts_at, t0);
        if a.ends_at != "0001-01-01T00:00:00Z" {
            a.ends_at = relative_time(&a.ends_at, t0);
        }
    }
    m
}

fn relative_time(s: &str, t0: Timestamp) -> String {
    match parse_time(s) {
        Some(t) => format!("{:+}ms", t - t0),
        None => s.to_string(),
    }
}

/// The notification log as text: one line per notification, one per alert.
pub fn log_text(notifications: &[Notification], t0: Timestamp) -> String {
    let mut out = String::new();
    for n in notifications {
        let m = relative(&n.payload, t0);
        out.push_str(&format!(
            "{:>6}ms {}/{}[{}] {:?} {} {:?}{}{}\n",
            n.time - t0,
            n.receiver,
            n.integration.as_str(),
            n.index,
            m.notification_reason,
            m.group_key,
            m.status,
            if m.truncated_alerts > 0 {
                format!(" truncated={}", m.truncated_alerts)
            } else {
                String::new()
            },
            if n.delivered { "" } else { " (not sent)" },
        ));
        for a in &m.alerts {
            let labels: Vec<String> = a.labels.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
            out.push_str(&format!(
                "           {:?} {} {{{}}} {}..{}\n",
                a.status,
                a.fingerprint,
                labels.join(", "),
                a.starts_at,
                a.ends_at
            ));
        }
    }
    out
}

/// A listing as compared: times relative to the start, rounded to 100 ms;
/// silence identifiers replaced by their order of creation.
pub fn relative_json(
    v: &serde_json::Value,
    t0: Timestamp,
    silences: &[String],
) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            if let Some(i) = silences.iter().position(|id| id == s) {
                Value::String(format!("silence#{i}"))
            } else if let Some(t) = parse_time(s) {
                let ms = ((t - t0) as f64 / 100.0).round() as i64 * 100;
                Value::String(format!("{ms:+}ms"))
            } else {
                v.clone()
            }
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| relative_json(x, t0, silences)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), relative_json(x, t0, silences)))
                .collect(),
        ),
        _ => v.clone(),
    }
}

/// The API's listings as text: each moment's answers with times relative
/// to `t0`.
pub fn listings_text(listings: &[ApiListing], t0: Timestamp, silences: &[String]) -> String {
    let mut out = String::new();
    for l in listings {
        for (what, v) in [
            ("/api/v2/alerts", &l.alerts),
            ("/api/v2/alerts/groups", &l.groups),
            ("/api/v2/silences", &l.silences),
        ] {
            out.push_str(&format!(
                "at {} GET {what}\n{}\n",
                l.at,
                serde_json::to_string_pretty(&relative_json(v, t0, silences)).unwrap()
            ));
        }
    }
    out
}
