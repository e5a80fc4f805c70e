//! The shapes of Alertmanager's v2 API that a UI reads, as serde types
//! that write (and read) the same JSON: `/api/v2/alerts`,
//! `/api/v2/alerts/groups`, `/api/v2/silences` (in [`super::silence`]),
//! `/api/v2/receivers` and `/api/v2/status`.
//!
//! A real Alertmanager's answers decode into the same types, so a UI can
//! show either.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An alert as `/api/v2/alerts` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GettableAlert {
    pub annotations: BTreeMap<String, String>,
    pub ends_at: String,
    pub fingerprint: String,
    pub receivers: Vec<ReceiverName>,
    pub starts_at: String,
    pub status: AlertStatusInfo,
    pub updated_at: String,
    #[serde(
        default,
        rename = "generatorURL",
        skip_serializing_if = "String::is_empty"
    )]
    pub generator_url: String,
    pub labels: BTreeMap<String, String>,
}

/// `{"name": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ReceiverName {
    pub name: String,
}

/// Whether an alert would be notified, and what stops it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertStatusInfo {
    /// Fingerprints of the alerts that inhibit it.
    pub inhibited_by: Vec<String>,
    /// Time intervals that mute it (the lab does not apply them, so this
    /// stays empty).
    #[serde(default)]
    pub muted_by: Vec<String>,
    /// Identifiers of the active silences that match it.
    pub silenced_by: Vec<String>,
    pub state: AlertState,
}

/// The three states the API reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertState {
    /// Not yet evaluated by the pipeline. Alertmanager evaluates alerts
    /// when they are listed, so a listing rarely shows it.
    Unprocessed,
    Active,
    /// Silenced or inhibited.
    Suppressed,
}

/// One aggregation group as `/api/v2/alerts/groups` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertGroupInfo {
    pub alerts: Vec<GettableAlert>,
    pub labels: BTreeMap<String, String>,
    pub receiver: ReceiverName,
}

/// Which alerts a listing shows; the defaults show every unresolved alert.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertFilter {
    pub active: bool,
    pub silenced: bool,
    pub inhibited: bool,
    pub unprocessed: bool,
    /// Matchers in Alertmanager's syntax, each of which an alert must
    /// satisfy (`filter=` parameters).
    pub filter: Vec<String>,
    /// An anchored regex the name of one of the alert's receivers must
    /// match.
    pub receiver: Option<String>,
}

impl Default for AlertFilter {
    fn default() -> Self {
        AlertFilter {
            active: true,
            silenced: true,
            inhibited: true,
            unprocessed: true,
            filter: Vec::new(),
            receiver: None,
        }
    }
}

/// `/api/v2/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertmanagerStatus {
    pub cluster: ClusterStatus,
    pub config: ConfigStatus,
    /// When the Alertmanager started.
    pub uptime: String,
    pub version_info: VersionInfo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterStatus {
    pub peers: Vec<serde_json::Value>,
    pub status: String,
}

/// The configuration in effect. Alertmanager writes its parsed config back
/// as YAML here (defaults filled in); the lab writes its own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigStatus {
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionInfo {
    pub branch: String,
    pub build_date: String,
    pub build_user: String,
    pub go_version: String,
    pub revision: String,
    pub version: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn decodes_a_real_alertmanager_listing() {
        // Part of Alertmanager 0.33.1's answer to GET /api/v2/alerts.
        let real = r#"[{"annotations":{},"endsAt":"2026-11-25T15:49:47.135Z","fingerprint":"c854b8d4d81e5208","receivers":[{"name":"hook"}],"startsAt":"2026-11-25T15:44:47.135Z","status":{"inhibitedBy":["4be24c117538079d"],"mutedBy":[],"silencedBy":[],"state":"suppressed"},"updatedAt":"2026-11-25T15:44:47.135Z","labels":{"alertname":"A","instance":"y","severity":"warn"}}]"#;
        let alerts: Vec<GettableAlert> = serde_json::from_str(real).unwrap();
        assert_eq!(alerts[0].status.state, AlertState::Suppressed);
        assert_eq!(serde_json::to_string(&alerts).unwrap(), real);
    }
}
