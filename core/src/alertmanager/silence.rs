//! Silences: matchers and a time range during which matching alerts are
//! not notified. Created (or updated) and expired as Alertmanager's API
//! does it, with its checks and messages; pending before `startsAt`,
//! active until `endsAt`, expired after, and kept for the retention time
//! once expired.
//!
//! Identifiers look like Alertmanager's (UUIDs) but are derived from a
//! counter, so a run is the same run every time.
//!
//! ```
//! use promlab_core::alertmanager::silence::{PostableSilence, SilenceMatcher, SilenceState, Silences};
//! use promlab_core::alertmanager::alert::format_api_time;
//! use promlab_core::labels::Labels;
//! let mut silences = Silences::new(7);
//! let id = silences.set(&PostableSilence {
//!     id: None,
//!     matchers: vec![SilenceMatcher::equal("alertname", "Disk")],
//!     starts_at: format_api_time(0),
//!     ends_at: format_api_time(3_600_000),
//!     created_by: "me".into(),
//!     comment: "maintenance".into(),
//! }, 1_000).unwrap();
//! let disk = Labels::from_pairs([("alertname", "Disk")]);
//! assert_eq!(silences.mutes(&disk, 2_000), vec![id.clone()]);
//! silences.expire(&id, 3_000).unwrap();
//! assert!(silences.mutes(&disk, 4_000).is_empty());
//! assert_eq!(silences.get(&id).unwrap().state(4_000), SilenceState::Expired);
//! ```

use super::alert::{format_api_time, parse_time};
use super::matchers::{matches_all, new_matcher};
use crate::clock::Timestamp;
use crate::labels::{Labels, MatchOp, Matcher};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A silence.
#[derive(Debug, Clone, PartialEq)]
pub struct Silence {
    pub id: String,
    pub matchers: Vec<Matcher>,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub updated_at: Timestamp,
    pub created_by: String,
    pub comment: String,
}

/// Where a silence is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SilenceState {
    Expired,
    Pending,
    Active,
}

impl Silence {
    pub fn state(&self, now: Timestamp) -> SilenceState {
        if now < self.starts_at {
            SilenceState::Pending
        } else if now < self.ends_at {
            SilenceState::Active
        } else {
            SilenceState::Expired
        }
    }
}

/// A matcher as the API writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SilenceMatcher {
    #[serde(default = "yes")]
    pub is_equal: bool,
    pub is_regex: bool,
    pub name: String,
    pub value: String,
}

fn yes() -> bool {
    true
}

impl SilenceMatcher {
    pub fn equal(name: &str, value: &str) -> Self {
        SilenceMatcher {
            is_equal: true,
            is_regex: false,
            name: name.into(),
            value: value.into(),
        }
    }

    pub fn from_matcher(m: &Matcher) -> Self {
        SilenceMatcher {
            is_equal: matches!(m.op, MatchOp::Equal | MatchOp::Regex),
            is_regex: matches!(m.op, MatchOp::Regex | MatchOp::NotRegex),
            name: m.name.clone(),
            value: m.value.clone(),
        }
    }

    fn op(&self) -> MatchOp {
        match (self.is_equal, self.is_regex) {
            (true, false) => MatchOp::Equal,
            (false, false) => MatchOp::NotEqual,
            (true, true) => MatchOp::Regex,
            (false, true) => MatchOp::NotRegex,
        }
    }
}

/// A silence as a client posts it to `/api/v2/silences`; with an `id`, it
/// updates that silence (or replaces it when the change is not allowed in
/// place).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub matchers: Vec<SilenceMatcher>,
    pub starts_at: String,
    pub ends_at: String,
    pub created_by: String,
    pub comment: String,
}

/// Why a silence was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SilenceErrorKind {
    NoMatchers,
    InvalidMatcher,
    /// Every matcher matches the empty string, so the silence would mute
    /// everything.
    MatchesEverything,
    InvalidTime,
    EndBeforeStart,
    EndInPast,
    NotFound,
    AlreadyExpired,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SilenceError {
    pub kind: SilenceErrorKind,
    /// Alertmanager's message.
    pub message: String,
}

impl SilenceError {
    fn new(kind: SilenceErrorKind, message: impl Into<String>) -> Self {
        SilenceError {
            kind,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for SilenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SilenceError {}

/// Every silence, expired ones until the retention time has passed.
#[derive(Debug, Clone)]
pub struct Silences {
    by_id: BTreeMap<String, Silence>,
    seed: u64,
    created: u64,
}

impl Silences {
    /// An empty store; `seed` varies the identifiers between labs.
    pub fn new(seed: u64) -> Self {
        Silences {
            by_id: BTreeMap::new(),
            seed,
            created: 0,
        }
    }

    pub fn get(&self, id: &str) -> Option<&Silence> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Silence> {
        self.by_id.values()
    }

    /// A new identifier shaped like a version-4 UUID.
    fn next_id(&mut self) -> String {
        self.created += 1;
        let a = xxhash_rust::xxh64::xxh64(&self.created.to_le_bytes(), self.seed);
        let b = xxhash_rust::xxh64::xxh64(&self.created.to_le_bytes(), self.seed ^ 0x5a5a);
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            0x8000 | ((b >> 48) & 0x3fff),
            b & 0xffff_ffff_ffff
        )
    }

    /// Creates or updates a silence at `now`, as Alertmanager's API does,
    /// and returns its identifier.
    pub fn set(&mut self, p: &PostableSilence, now: Timestamp) -> Result<String, SilenceError> {
        if p.matchers.is_empty() {
            return Err(SilenceError::new(
                SilenceErrorKind::NoMatchers,
                "matchers in body should have at least 1 items",
            ));
        }
        let mut matchers = Vec::new();
        for (i, m) in p.matchers.iter().enumerate() {
            let matcher = new_matcher(&m.name, m.op(), &m.value).map_err(|e| {
                SilenceError::new(
                    SilenceErrorKind::InvalidMatcher,
                    format!("invalid label matcher {i} in set 0: {e}"),
                )
            })?;
            if m.name.is_empty() {
                return Err(SilenceError::new(
                    SilenceErrorKind::InvalidMatcher,
                    format!("invalid silence: matcher set 0: invalid label matcher {i}: invalid label name \"\""),
                ));
            }
            matchers.push(matcher);
        }
        let time = |s: &str, what: &str| {
            parse_time(s).ok_or_else(|| {
                SilenceError::new(
                    SilenceErrorKind::InvalidTime,
                    format!("{what} in body must be of type date-time: {s:?}"),
                )
            })
        };
        let mut starts_at = time(&p.starts_at, "startsAt")?;
        let ends_at = time(&p.ends_at, "endsAt")?;
        if starts_at >= ends_at {
            return Err(SilenceError::new(
                SilenceErrorKind::EndBeforeStart,
                "Failed to create silence: start time must be before end time",
            ));
        }
        if ends_at < now {
            return Err(SilenceError::new(
                SilenceErrorKind::EndInPast,
                "Failed to create silence: end time can't be in the past",
            ));
        }
        if matchers.iter().all(Matcher::matches_empty) {
            return Err(SilenceError::new(
                SilenceErrorKind::MatchesEverything,
                "invalid silence: matcher set 0: at least one matcher must not match the empty string",
            ));
        }
        let previous = match p.id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => Some(self.by_id.get(id).cloned().ok_or_else(|| {
                SilenceError::new(SilenceErrorKind::NotFound, "silence not found")
            })?),
            None => None,
        };
        if let Some(prev) = &previous {
            if can_update(prev, &matchers, starts_at, ends_at, now) {
                let s = Silence {
                    matchers,
                    starts_at,
                    ends_at,
                    updated_at: now,
                    created_by: p.created_by.clone(),
                    comment: p.comment.clone(),
                    id: prev.id.clone(),
                };
                self.by_id.insert(prev.id.clone(), s);
                return Ok(prev.id.clone());
            }
        }
        // A new silence, or one that replaces a silence that cannot change
        // in place (which expires).
        if starts_at < now {
            starts_at = now;
        }
        let id = self.next_id();
        self.by_id.insert(
            id.clone(),
            Silence {
                id: id.clone(),
                matchers,
                starts_at,
                ends_at,
                updated_at: now,
                created_by: p.created_by.clone(),
                comment: p.comment.clone(),
            },
        );
        if let Some(prev) = previous {
            if prev.state(now) != SilenceState::Expired {
                let _ = self.expire(&prev.id, now);
            }
        }
        Ok(id)
    }

    /// Ends a silence at `now` (a pending one starts and ends at `now`).
    pub fn expire(&mut self, id: &str, now: Timestamp) -> Result<(), SilenceError> {
        let s = self
            .by_id
            .get_mut(id)
            .ok_or_else(|| SilenceError::new(SilenceErrorKind::NotFound, "silence not found"))?;
        match s.state(now) {
            SilenceState::Expired => {
                return Err(SilenceError::new(
                    SilenceErrorKind::AlreadyExpired,
                    format!("silence {id} already expired"),
                ))
            }
            SilenceState::Active => s.ends_at = now,
            SilenceState::Pending => {
                s.starts_at = now;
                s.ends_at = now;
            }
        }
        s.updated_at = now;
        Ok(())
    }

    /// The identifiers of the silences active at `now` that match `labels`,
    /// sorted.
    /// The first time after `now` at which a silence starts or ends.
    pub fn next_change(&self, now: Timestamp) -> Option<Timestamp> {
        self.by_id
            .values()
            .flat_map(|s| [s.starts_at, s.ends_at])
            .filter(|t| *t > now)
            .min()
    }

    pub fn mutes(&self, labels: &Labels, now: Timestamp) -> Vec<String> {
        self.by_id
            .values()
            .filter(|s| s.state(now) == SilenceState::Active && matches_all(&s.matchers, labels))
            .map(|s| s.id.clone())
            .collect()
    }

    /// Drops silences that expired more than `retention` before `now`.
    pub fn gc(&mut self, now: Timestamp, retention: i64) {
        self.by_id
            .retain(|_, s| s.ends_at.saturating_add(retention) > now);
    }

    /// The silences as `/api/v2/silences` lists them: active first (the
    /// next to end first), then pending (the next to start first), then
    /// expired (the latest to end first).
    pub fn list(&self, now: Timestamp) -> Vec<GettableSilence> {
        let mut all: Vec<&Silence> = self.by_id.values().collect();
        all.sort_by(|a, b| {
            let (sa, sb) = (a.state(now), b.state(now));
            sb.cmp(&sa).then_with(|| match sa {
                SilenceState::Active => a.ends_at.cmp(&b.ends_at),
                SilenceState::Pending => a.starts_at.cmp(&b.starts_at),
                SilenceState::Expired => b.ends_at.cmp(&a.ends_at),
            })
        });
        all.into_iter()
            .map(|s| GettableSilence::new(s, now))
            .collect()
    }
}

/// Whether a silence may change in place: same matchers, and times that
/// keep its past as it was.
fn can_update(
    prev: &Silence,
    matchers: &[Matcher],
    starts_at: Timestamp,
    ends_at: Timestamp,
    now: Timestamp,
) -> bool {
    if prev.matchers != matchers {
        return false;
    }
    match prev.state(now) {
        SilenceState::Active => starts_at == prev.starts_at && ends_at >= now,
        SilenceState::Pending => starts_at >= now,
        SilenceState::Expired => false,
    }
}

/// A silence as `/api/v2/silences` returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableSilence {
    pub id: String,
    pub status: SilenceStatus,
    pub updated_at: String,
    pub comment: String,
    pub created_by: String,
    pub ends_at: String,
    pub matchers: Vec<SilenceMatcher>,
    pub starts_at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SilenceStatus {
    pub state: SilenceState,
}

impl GettableSilence {
    pub fn new(s: &Silence, now: Timestamp) -> Self {
        GettableSilence {
            id: s.id.clone(),
            status: SilenceStatus {
                state: s.state(now),
            },
            updated_at: format_api_time(s.updated_at),
            comment: s.comment.clone(),
            created_by: s.created_by.clone(),
            ends_at: format_api_time(s.ends_at),
            matchers: s
                .matchers
                .iter()
                .map(SilenceMatcher::from_matcher)
                .collect(),
            starts_at: format_api_time(s.starts_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn post(matchers: Vec<SilenceMatcher>, start: Timestamp, end: Timestamp) -> PostableSilence {
        PostableSilence {
            id: None,
            matchers,
            starts_at: format_api_time(start),
            ends_at: format_api_time(end),
            created_by: "t".into(),
            comment: "c".into(),
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn refuses_what_alertmanager_refuses() {
        let mut s = Silences::new(1);
        let m = || vec![SilenceMatcher::equal("a", "b")];
        let cases = [
            (post(vec![], 0, 10), SilenceErrorKind::NoMatchers),
            (post(m(), 10, 10), SilenceErrorKind::EndBeforeStart),
            (post(m(), 0, 5), SilenceErrorKind::EndInPast),
            (
                post(
                    vec![SilenceMatcher {
                        is_regex: true,
                        ..SilenceMatcher::equal("a", ".*")
                    }],
                    0,
                    100,
                ),
                SilenceErrorKind::MatchesEverything,
            ),
            (
                post(
                    vec![SilenceMatcher {
                        is_regex: true,
                        ..SilenceMatcher::equal("a", "(")
                    }],
                    0,
                    100,
                ),
                SilenceErrorKind::InvalidMatcher,
            ),
        ];
        for (p, kind) in cases {
            assert_eq!(s.set(&p, 10).unwrap_err().kind, kind, "{p:?}");
        }
        let id = s.set(&post(m(), 0, 100), 10).unwrap();
        assert_eq!(
            s.get(&id).unwrap().starts_at,
            10,
            "a start in the past becomes now"
        );
        assert_eq!(id.len(), 36);
        assert_eq!(s.expire(&id, 20), Ok(()));
        assert_eq!(
            s.expire(&id, 30).unwrap_err().kind,
            SilenceErrorKind::AlreadyExpired
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn updates_in_place_or_replace() {
        let mut s = Silences::new(1);
        let m = vec![SilenceMatcher::equal("a", "b")];
        let id = s.set(&post(m.clone(), 100, 200), 50).unwrap();
        // Pending: a later start is allowed in place.
        let mut upd = post(m.clone(), 120, 300);
        upd.id = Some(id.clone());
        assert_eq!(s.set(&upd, 60).unwrap(), id);
        // Active: changing the start replaces the silence.
        let mut upd = post(m, 130, 300);
        upd.id = Some(id.clone());
        let new_id = s.set(&upd, 150).unwrap();
        assert_ne!(new_id, id);
        assert_eq!(s.get(&id).unwrap().state(150), SilenceState::Expired);
        let listed: Vec<SilenceState> = s.list(150).iter().map(|g| g.status.state).collect();
        assert_eq!(listed, [SilenceState::Active, SilenceState::Expired]);
    }
}
