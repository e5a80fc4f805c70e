//! Alerts as Alertmanager holds them: labels, annotations, the active
//! range (`startsAt`, `endsAt`), when they were last updated, and the
//! label fingerprint that names them; how a posted alert is completed,
//! checked and merged with the one already held; the order Alertmanager
//! sorts alerts and groups in; and the two ways it writes times.
//!
//! ```
//! use promlab_core::alertmanager::alert::{fingerprint, format_fingerprint};
//! use promlab_core::labels::Labels;
//! let fp = fingerprint(&Labels::from_pairs([("alertname", "B"), ("severity", "crit")]));
//! assert_eq!(format_fingerprint(fp), "b320b75547e4f159");
//! ```

use crate::clock::{Millis, Timestamp};
use crate::labels::Labels;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::hash::Hasher;

/// Annotations: free-form name/value pairs, kept even when a value is
/// empty (unlike labels).
pub type Annotations = BTreeMap<String, String>;

/// An alert in Alertmanager: posted, completed and merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    pub labels: Labels,
    pub annotations: Annotations,
    pub starts_at: Timestamp,
    /// When the alert stops firing; always set once posted (from
    /// `resolve_timeout` when the poster leaves it out).
    pub ends_at: Timestamp,
    pub generator_url: String,
    /// When the alert was last posted.
    pub updated_at: Timestamp,
    /// Whether `ends_at` came from `resolve_timeout` rather than the poster.
    pub timeout: bool,
}

impl Alert {
    pub fn fingerprint(&self) -> u64 {
        fingerprint(&self.labels)
    }

    /// Resolved at `now`: its end has come (Alertmanager's `ResolvedAt`).
    pub fn resolved_at(&self, now: Timestamp) -> bool {
        self.ends_at <= now
    }

    /// The value of `alertname`.
    pub fn name(&self) -> &str {
        self.labels.get("alertname")
    }

    /// Alertmanager's `Merge`: the younger alert's fields, the earliest
    /// start, and the later explicit end.
    pub fn merge(&self, other: &Alert, now: Timestamp) -> Alert {
        if other.updated_at < self.updated_at {
            return other.merge(self, now);
        }
        let mut res = other.clone();
        if self.starts_at < other.starts_at {
            res.starts_at = self.starts_at;
        }
        if other.resolved_at(now) {
            if self.resolved_at(now) && self.ends_at > other.ends_at {
                res.ends_at = self.ends_at;
            }
        } else if self.ends_at > other.ends_at && !self.timeout {
            res.ends_at = self.ends_at;
        }
        res
    }
}

/// A label set's fingerprint as Prometheus's `model.LabelSet.Fingerprint`
/// computes it: FNV-1a (64 bit) over the names and values in name order,
/// each followed by the byte 0xff.
pub fn fingerprint(labels: &Labels) -> u64 {
    let mut h = fnv::FnvHasher::default();
    for l in labels.iter() {
        h.write(l.name.as_bytes());
        h.write(&[0xff]);
        h.write(l.value.as_bytes());
        h.write(&[0xff]);
    }
    h.finish()
}

/// A fingerprint as Alertmanager prints it: 16 lowercase hex digits.
pub fn format_fingerprint(fp: u64) -> String {
    format!("{fp:016x}")
}

/// `model.LabelSet.String()`: `{a="1", b="2"}`, values quoted as Go quotes
/// strings. Group keys are built from it.
pub fn label_set_string(labels: &Labels) -> String {
    let parts: Vec<String> = labels
        .iter()
        .map(|l| format!("{}={}", l.name, crate::promql::lexer::go_quote(&l.value)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// `model.LabelSet.Before`: fewer labels first; then, over all names in
/// order, a missing name first, then the smaller value.
pub fn label_set_cmp(a: &Labels, b: &Labels) -> Ordering {
    if a.len() != b.len() {
        return a.len().cmp(&b.len());
    }
    let mut names: Vec<&str> = a.iter().chain(b.iter()).map(|l| l.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    for n in names {
        match (a.contains(n), b.contains(n)) {
            (false, _) => return Ordering::Less,
            (_, false) => return Ordering::Greater,
            _ => match a.get(n).cmp(b.get(n)) {
                Ordering::Equal => {}
                o => return o,
            },
        }
    }
    Ordering::Equal
}

/// `types.AlertSlice`'s order: by `job`, then `instance` (an alert with the
/// label before one without), then by label set.
pub fn alert_cmp(a: &Labels, b: &Labels) -> Ordering {
    for key in ["job", "instance"] {
        match (a.contains(key), b.contains(key)) {
            (false, false) => continue,
            (false, true) => return Ordering::Greater,
            (true, false) => return Ordering::Less,
            (true, true) => match a.get(key).cmp(b.get(key)) {
                Ordering::Equal => {}
                o => return o,
            },
        }
    }
    label_set_cmp(a, b)
}

// ---------------------------------------------------------------------------
// Posting.

/// An alert as a client posts it to `/api/v2/alerts` (Prometheus's JSON).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
// Like Alertmanager's API, fields it does not know are ignored.
#[serde(rename_all = "camelCase")]
pub struct PostableAlert {
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: Annotations,
    /// RFC 3339; absent means "now" (or `endsAt` when only that is given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_at: Option<String>,
    /// RFC 3339; absent means `now + resolve_timeout`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<String>,
    #[serde(
        default,
        rename = "generatorURL",
        skip_serializing_if = "String::is_empty"
    )]
    pub generator_url: String,
}

impl PostableAlert {
    /// An alert with these labels and nothing else set.
    pub fn new(labels: &Labels) -> Self {
        PostableAlert {
            labels: labels
                .iter()
                .map(|l| (l.name.clone(), l.value.clone()))
                .collect(),
            ..Default::default()
        }
    }

    pub fn with_starts_at(mut self, t: Timestamp) -> Self {
        self.starts_at = Some(format_api_time(t));
        self
    }

    pub fn with_ends_at(mut self, t: Timestamp) -> Self {
        self.ends_at = Some(format_api_time(t));
        self
    }
}

/// Why a posted alert was refused; the messages are Alertmanager's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlertErrorKind {
    /// A time that is not RFC 3339.
    InvalidTime,
    /// `endsAt` before `startsAt`.
    EndBeforeStart,
    /// No labels left after dropping empty values.
    NoLabels,
    /// A label name that is empty or not valid UTF-8.
    InvalidLabelName,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertError {
    pub kind: AlertErrorKind,
    /// The index of the alert in the posted list.
    pub index: usize,
    pub message: String,
}

impl std::fmt::Display for AlertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AlertError {}

/// Completes and checks a posted alert as Alertmanager's API does at
/// `now`: a missing start becomes `now` (or the end), a missing end
/// becomes `now + resolve_timeout` (and marks the alert as timing out),
/// empty label values are dropped.
pub fn accept_alert(
    p: &PostableAlert,
    index: usize,
    now: Timestamp,
    resolve_timeout: Millis,
) -> Result<Alert, AlertError> {
    let err = |kind, message: String| AlertError {
        kind,
        index,
        message,
    };
    let time = |s: &Option<String>, what: &str| -> Result<Option<Timestamp>, AlertError> {
        match s {
            None => Ok(None),
            Some(text) => parse_time(text).map(Some).ok_or_else(|| {
                err(
                    AlertErrorKind::InvalidTime,
                    format!("{what} in body must be of type date-time: {text:?}"),
                )
            }),
        }
    };
    let starts = time(&p.starts_at, "startsAt")?;
    let ends = time(&p.ends_at, "endsAt")?;
    let starts_at = starts.or(ends).unwrap_or(now);
    let (ends_at, timeout) = match ends {
        Some(e) => (e, false),
        None => (now.saturating_add(resolve_timeout), true),
    };
    // Alertmanager checks the times before the labels.
    if ends_at < starts_at {
        return Err(err(
            AlertErrorKind::EndBeforeStart,
            "start time must be before end time".into(),
        ));
    }
    let mut labels = Labels::new();
    for (name, value) in &p.labels {
        // An empty value means "no label" and is dropped before the check.
        if name.is_empty() && !value.is_empty() {
            return Err(err(
                AlertErrorKind::InvalidLabelName,
                "invalid label set: invalid name \"\"".into(),
            ));
        }
        labels.set(name.clone(), value.clone());
    }
    if labels.is_empty() {
        return Err(err(
            AlertErrorKind::NoLabels,
            "at least one label pair required".into(),
        ));
    }
    Ok(Alert {
        labels,
        annotations: p.annotations.clone(),
        starts_at,
        ends_at,
        generator_url: p.generator_url.clone(),
        updated_at: now,
        timeout,
    })
}

// ---------------------------------------------------------------------------
// Times.

/// Parses an RFC 3339 time to milliseconds (finer digits are dropped).
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let dt = time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()?;
    i64::try_from(dt.unix_timestamp_nanos().div_euclid(1_000_000)).ok()
}

/// `YYYY-MM-DDTHH:MM:SS` and the milliseconds of `t` in UTC, or `None` for
/// a time outside the years 0000–9999.
fn civil(t: Timestamp) -> Option<(String, i64)> {
    let secs = t.div_euclid(1000);
    let ms = t.rem_euclid(1000);
    let dt = time::OffsetDateTime::from_unix_timestamp(secs).ok()?;
    if !(0..=9999).contains(&dt.year()) {
        return None;
    }
    Some((
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        ),
        ms,
    ))
}

/// A time as Go's `time.Time` marshals to JSON (RFC 3339 with trailing
/// zeros of the fraction dropped), as the webhook payload carries it.
pub fn format_go_time(t: Timestamp) -> String {
    match civil(t) {
        Some((s, 0)) => format!("{s}Z"),
        Some((s, ms)) => {
            let frac = format!("{ms:03}");
            format!("{s}.{}Z", frac.trim_end_matches('0'))
        }
        None => format!("{t}ms"),
    }
}

/// Go's zero time, which the webhook shows as a firing alert's `endsAt`.
pub const GO_ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A time as Alertmanager's API writes it: always three fraction digits.
pub fn format_api_time(t: Timestamp) -> String {
    match civil(t) {
        Some((s, ms)) => format!("{s}.{ms:03}Z"),
        None => format!("{t}ms"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn fingerprints_match_alertmanagers() {
        // Fingerprints the real Alertmanager 0.33 reported for these sets.
        for (pairs, want) in [
            (
                vec![("alertname", "B"), ("severity", "crit")],
                "b320b75547e4f159",
            ),
            (
                vec![("alertname", "A"), ("instance", "x"), ("severity", "crit")],
                "4be24c117538079d",
            ),
            (
                vec![("alertname", "A"), ("instance", "y"), ("severity", "warn")],
                "c854b8d4d81e5208",
            ),
            (vec![("alertname", "A"), ("i", "1")], "caaaffbd9ccf039f"),
        ] {
            let fp = fingerprint(&Labels::from_pairs(pairs));
            assert_eq!(format_fingerprint(fp), want);
        }
        // The empty set is FNV's offset basis.
        assert_eq!(fingerprint(&Labels::new()), 0xcbf29ce484222325);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn times_print_as_go_and_the_api_print_them() {
        let t = parse_time("2026-11-25T15:44:47.135Z").unwrap();
        assert_eq!(format_go_time(t), "2026-11-25T15:44:47.135Z");
        assert_eq!(format_api_time(t), "2026-11-25T15:44:47.135Z");
        let t = parse_time("2026-11-25T15:44:47.100+01:00").unwrap();
        assert_eq!(format_go_time(t), "2026-11-25T14:44:47.1Z");
        assert_eq!(format_api_time(t), "2026-11-25T14:44:47.100Z");
        assert_eq!(format_go_time(t - 100), "2026-11-25T14:44:47Z");
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(format_api_time(i64::MAX), format!("{}ms", i64::MAX));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn sorts_alerts_by_job_instance_then_labels() {
        let ls = |p: &[(&str, &str)]| Labels::from_pairs(p.iter().copied());
        let mut v = [
            ls(&[("a", "2")]),
            ls(&[("a", "1"), ("b", "1")]),
            ls(&[("job", "b")]),
            ls(&[("job", "a"), ("instance", "2")]),
            ls(&[("job", "a"), ("instance", "1")]),
            ls(&[("a", "1")]),
            ls(&[("b", "0")]),
        ];
        v.sort_by(alert_cmp);
        let out: Vec<String> = v.iter().map(label_set_string).collect();
        assert_eq!(
            out.join(" "),
            // `{b="0"}` lacks `a`, the first name of the two sets, so it
            // comes first.
            r#"{instance="1", job="a"} {instance="2", job="a"} {job="b"} {b="0"} {a="1"} {a="2"} {a="1", b="1"}"#
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn posted_alerts_are_completed_and_checked() {
        let now = 1_000_000;
        let p = PostableAlert::new(&Labels::from_pairs([("alertname", "A")]));
        let a = accept_alert(&p, 0, now, 300_000).unwrap();
        assert_eq!(
            (a.starts_at, a.ends_at, a.timeout),
            (now, now + 300_000, true)
        );
        let p = p.with_ends_at(now - 5);
        let a = accept_alert(&p, 0, now, 300_000).unwrap();
        assert_eq!(
            (a.starts_at, a.ends_at, a.timeout),
            (now - 5, now - 5, false)
        );
        let mut bad = PostableAlert::new(&Labels::from_pairs([("alertname", "")]));
        assert_eq!(
            accept_alert(&bad, 0, now, 1).unwrap_err().kind,
            AlertErrorKind::NoLabels
        );
        bad.starts_at = Some("soon".into());
        assert_eq!(
            accept_alert(&bad, 0, now, 1).unwrap_err().kind,
            AlertErrorKind::InvalidTime
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn merging_keeps_the_earliest_start_and_an_explicit_end() {
        let base = Alert {
            labels: Labels::from_pairs([("a", "b")]),
            annotations: Annotations::new(),
            starts_at: 100,
            ends_at: 1_000,
            generator_url: String::new(),
            updated_at: 100,
            timeout: false,
        };
        let newer = Alert {
            starts_at: 200,
            ends_at: 900,
            updated_at: 200,
            ..base.clone()
        };
        let m = base.merge(&newer, 150);
        assert_eq!((m.starts_at, m.ends_at, m.updated_at), (100, 1_000, 200));
        let timed_out = Alert {
            timeout: true,
            ..base.clone()
        };
        assert_eq!(timed_out.merge(&newer, 150).ends_at, 900);
    }
}
