//! Dashboards: Grafana's dashboard JSON (schema 16 and up, as Grafana 7
//! to 12 export it) read into typed structs that keep every field they do
//! not name, so an imported dashboard is exported unchanged ([`model`]);
//! Grafana's value units ([`units`]); templating variables, their queries
//! answered through the lab's API requests, and the interpolation of
//! `$var`, `${var:fmt}` and `[[var]]` in queries ([`template`]); a
//! panel's targets evaluated into Grafana's data frames ([`data`]) and
//! Grafana's transformations of them ([`transform`]).
//!
//! It knows nothing of drawing (that is [`crate::chart`]'s) and reaches the
//! data only through [`crate::api::ApiRequest`]s, so a real Prometheus
//! could answer the same panels.
//!
//! ```
//! use promlab_core::dashboard::Dashboard;
//! let text = r#"{"title": "t", "schemaVersion": 39, "panels": [
//!   {"id": 1, "type": "stat", "title": "Up", "targets": [{"expr": "up", "refId": "A"}],
//!    "pluginVersion": "10.4.0"}]}"#;
//! let dashboard = Dashboard::parse(text).unwrap();
//! assert_eq!(dashboard.panels()[0].targets()[0].expr(), "up");
//! // Fields the model does not name come back on export.
//! assert!(dashboard.to_json().contains("pluginVersion"));
//! ```

pub mod data;
pub mod model;
pub mod template;
pub mod transform;
pub mod units;

pub use model::{Dashboard, Panel, PanelKind, Target, TargetFormat, Variable, VariableKind};

use crate::api::ApiRequest;
use std::fmt;
use template::{Context, Scope, TimeContext};

/// The oldest dashboard schema read: Grafana 7.0 writes 25, but 16 (Grafana
/// 5) already has `gridPos` panels, which is what the layout needs.
pub const MIN_SCHEMA_VERSION: u32 = 16;

/// What was wrong with a dashboard's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not JSON.
    Syntax,
    /// JSON, but a field has the wrong type.
    Data,
    /// The text ends in the middle of a value.
    Eof,
    /// A schema older than [`MIN_SCHEMA_VERSION`] (rows without `gridPos`).
    OldSchema,
}

/// A dashboard that could not be read, with where (1-based line and
/// column) and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub kind: ParseErrorKind,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

impl Dashboard {
    /// Reads a dashboard as Grafana exports it. The export of Grafana's
    /// HTTP API (`{"dashboard": {...}, "meta": {...}}`) is accepted too.
    pub fn parse(text: &str) -> Result<Dashboard, ParseError> {
        let value: serde_json::Value = serde_json::from_str(text).map_err(from_serde)?;
        let wrapped =
            value.get("dashboard").is_some_and(|d| d.is_object()) && value.get("panels").is_none();
        let dashboard: Dashboard = if wrapped {
            #[derive(serde::Deserialize)]
            struct Wrapper {
                dashboard: Dashboard,
            }
            serde_json::from_str::<Wrapper>(text)
                .map_err(from_serde)?
                .dashboard
        } else {
            serde_json::from_str(text).map_err(from_serde)?
        };
        if let Some(version) = dashboard.schema_version {
            if version < MIN_SCHEMA_VERSION {
                let (line, column) = position_of(text, "\"schemaVersion\"");
                return Err(ParseError {
                    kind: ParseErrorKind::OldSchema,
                    line,
                    column,
                    message: format!(
                        "schemaVersion {version} is too old: expected {MIN_SCHEMA_VERSION} or later (open and save the dashboard in Grafana 7 or later first)"
                    ),
                });
            }
        }
        Ok(dashboard)
    }

    /// The dashboard as JSON, indented as Grafana writes it.
    pub fn to_json(&self) -> String {
        // Serialising these structs cannot fail: every key is a string.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// The API request of one panel target: its expression with the
/// variables and built-ins (at its own step) replaced, as an instant query
/// at the range's end or a range query at the step Grafana would use.
pub fn target_request(target: &Target, scope: &Scope, time: &TimeContext) -> ApiRequest {
    let step = time.step_for(target, scope);
    let query = scope
        .with_builtins(time, step)
        .interpolate(target.expr(), Context::Query);
    if target.is_instant() {
        ApiRequest::Query {
            query,
            time: Some(time.to),
        }
    } else {
        ApiRequest::QueryRange {
            query,
            start: time.from,
            end: time.to,
            step,
        }
    }
}

fn from_serde(e: serde_json::Error) -> ParseError {
    let kind = match e.classify() {
        serde_json::error::Category::Data => ParseErrorKind::Data,
        serde_json::error::Category::Eof => ParseErrorKind::Eof,
        serde_json::error::Category::Syntax | serde_json::error::Category::Io => {
            ParseErrorKind::Syntax
        }
    };
    // serde_json's message ends with " at line L column C"; the position
    // is kept in fields instead.
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    ParseError {
        kind,
        line: e.line(),
        column: e.column(),
        message,
    }
}

/// The 1-based line and column of the first `needle` in `text` (1:1 when
/// absent).
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let Some(at) = text.find(needle) else {
        return (1, 1);
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(at, |nl| at - nl - 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// A dashboard in the shapes Grafana 7 and Grafana 10 write, with
    /// fields the model does not name at every level and `null`s Grafana
    /// writes.
    const DASHBOARD: &str = r#"{
      "annotations": {"list": [{"builtIn": 1, "name": "Annotations & Alerts"}]},
      "editable": true,
      "id": null,
      "uid": "abc",
      "title": "Round trip",
      "schemaVersion": 39,
      "version": 3,
      "time": {"from": "now-1h", "to": "now"},
      "timepicker": {"refresh_intervals": ["5s", "1m"]},
      "refresh": "30s",
      "panels": [
        {"id": 1, "type": "stat", "title": "A", "description": null,
         "gridPos": {"h": 4, "w": 6, "x": 0, "y": 0},
         "datasource": {"type": "prometheus", "uid": "${datasource}"},
         "fieldConfig": {"defaults": {"unit": "bytes", "decimals": 1, "min": 0, "max": 1.5,
            "color": {"mode": "thresholds"},
            "thresholds": {"mode": "absolute", "steps": [{"color": "green", "value": null}, {"color": "red", "value": 80}]},
            "mappings": [{"type": "value", "options": {"0": {"text": "down"}}}],
            "displayName": "${__field.labels.instance}", "noValue": "-"},
           "overrides": [{"matcher": {"id": "byName", "options": "x"}, "properties": []}]},
         "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": false}, "colorMode": "value"},
         "targets": [{"expr": "up", "legendFormat": "{{instance}}", "instant": true, "range": false,
            "format": "time_series", "interval": "", "intervalFactor": 1, "hide": false, "refId": "A",
            "exemplar": false}],
         "transformations": [{"id": "merge", "options": {}}, {"id": "organize", "options": {"renameByName": {"a": "b"}}}],
         "pluginVersion": "10.4.0"},
        {"id": 2, "type": "row", "title": "Row", "collapsed": true, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 4},
         "panels": [{"id": 3, "type": "graph", "title": "[[node]]", "yaxes": [{"format": "short", "min": null}],
            "targets": [{"expr": "rate(x[5m])", "intervalFactor": 2, "legendFormat": null}]}]},
        {"id": 4, "type": "piechart", "title": "Other", "repeat": null}
      ],
      "templating": {"list": [
        {"name": "node", "type": "query", "query": {"query": "label_values(up, instance)", "refId": "X", "qryType": 1},
         "regex": "/(.*):.*/", "sort": 1, "multi": true, "includeAll": true, "allValue": null,
         "current": {"selected": true, "text": ["All"], "value": ["$__all"]}, "options": [], "refresh": 2,
         "definition": "label_values(up, instance)", "hide": 0},
        {"name": "old", "type": "custom", "query": "a,b", "sort": "0"}
      ]}
    }"#;

    #[wasm_bindgen_test(unsupported = test)]
    fn export_keeps_every_field() {
        let dashboard = Dashboard::parse(DASHBOARD).unwrap();
        let exported: serde_json::Value = serde_json::from_str(&dashboard.to_json()).unwrap();
        let original: serde_json::Value = serde_json::from_str(DASHBOARD).unwrap();
        assert_eq!(exported, original);
        // And the typed view reads what was written.
        let stat = &dashboard.panels()[0];
        assert_eq!(stat.kind(), PanelKind::Stat);
        assert_eq!(stat.calcs(), ["lastNotNull"]);
        let defaults = stat.defaults().unwrap();
        assert_eq!(
            (defaults.unit(), defaults.decimals(), defaults.max()),
            (Some("bytes"), Some(1), Some(1.5))
        );
        let steps = defaults
            .thresholds
            .as_ref()
            .unwrap()
            .steps
            .as_ref()
            .unwrap();
        assert_eq!((steps[0].value(), steps[1].value()), (None, Some(80.0)));
        assert!(stat.targets()[0].is_instant());
        let drawn: Vec<_> = dashboard.all_panels().iter().map(|p| p.kind()).collect();
        assert_eq!(drawn, [PanelKind::Stat, PanelKind::Graph, PanelKind::Other]);
        assert_eq!(
            dashboard.all_panels()[1].targets()[0].interval_factor(),
            2.0
        );
        let vars = dashboard.variables();
        assert_eq!(vars[0].query_text(), "label_values(up, instance)");
        assert_eq!(vars[0].current_values(), ["$__all"]);
        assert_eq!((vars[0].sort_code(), vars[1].sort_code()), (1, 0));
        assert_eq!(vars[1].kind(), VariableKind::Custom);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn errors_say_where_and_what() {
        let cases = [
            ("{\n  \"title\": 3\n}", ParseErrorKind::Data, 2, 12),
            (
                "{\n  \"panels\": [\n    {\"id\": 1,}\n  ]\n}",
                ParseErrorKind::Syntax,
                3,
                14,
            ),
            ("{\"panels\": [", ParseErrorKind::Eof, 1, 12),
            (
                "{\n \"title\": \"x\",\n \"schemaVersion\": 14}",
                ParseErrorKind::OldSchema,
                3,
                2,
            ),
            (
                "{\"panels\": [{\"gridPos\": {\"w\": -1}}]}",
                ParseErrorKind::Data,
                1,
                32,
            ),
        ];
        for (text, kind, line, column) in cases {
            let e = Dashboard::parse(text).unwrap_err();
            assert_eq!(
                (e.kind, e.line, e.column),
                (kind, line, column),
                "{text}: {e}"
            );
            assert!(!e.message.contains(" at line "), "{e}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_http_api_export_is_read_too() {
        let text = r#"{"meta": {"slug": "x"}, "dashboard": {"title": "T", "panels": []}}"#;
        assert_eq!(Dashboard::parse(text).unwrap().title.as_deref(), Some("T"));
    }
}
