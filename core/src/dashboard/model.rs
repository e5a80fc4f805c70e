//! Grafana's dashboard JSON as typed structs. Every struct keeps the
//! fields it does not name in `extra`, and every named field that Grafana
//! may write as `null` or leave out remembers which it was, so a dashboard
//! read and written again is the same JSON value.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Number, Value};

/// Fields not modelled here, kept as they were read.
pub type Extra = Map<String, Value>;

/// A field that may be absent, `null`, or a value: `None` is absent,
/// `Some(None)` is `null`. Both are kept so an export writes what was read.
pub type Nullable<T> = Option<Option<T>>;

/// Reads a present field (even `null`) as `Some`, so a `null` survives.
fn present<'de, D, T>(deserializer: D) -> Result<Nullable<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The value of a [`Nullable`], whether it was absent or `null`.
fn value<T>(field: &Nullable<T>) -> Option<&T> {
    field.as_ref().and_then(Option::as_ref)
}

/// A Grafana number as `f64`.
fn number(field: &Nullable<Number>) -> Option<f64> {
    value(field).and_then(Number::as_f64)
}

/// A whole dashboard, as Grafana 7 to 12 export it (schema 16 and up).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_version: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panels: Option<Vec<Panel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templating: Option<Templating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Dashboard {
    /// The top-level panels (rows included, collapsed rows' panels not).
    pub fn panels(&self) -> &[Panel] {
        self.panels.as_deref().unwrap_or_default()
    }

    /// Every panel to draw, in order: the top-level ones and those a
    /// collapsed row holds; rows themselves left out.
    pub fn all_panels(&self) -> Vec<&Panel> {
        let mut out = Vec::new();
        for panel in self.panels() {
            if panel.kind() == PanelKind::Row {
                out.extend(panel.panels());
            } else {
                out.push(panel);
            }
        }
        out
    }

    /// The templating variables, in the order Grafana refreshes them.
    pub fn variables(&self) -> &[Variable] {
        self.templating
            .as_ref()
            .and_then(|t| t.list.as_deref())
            .unwrap_or_default()
    }
}

/// The time picker's range as written: `now-1h`, `now`, or an ISO time.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TimeRange {
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The kinds of panel Grafana has; strings stop here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    Timeseries,
    /// Grafana 7's graph.
    Graph,
    Stat,
    Gauge,
    BarGauge,
    Table,
    /// Grafana 7's table.
    TableOld,
    Text,
    Row,
    /// A kind the lab does not draw; shown as a placeholder naming it.
    Other,
}

impl PanelKind {
    pub fn from_name(name: &str) -> PanelKind {
        match name {
            "timeseries" => PanelKind::Timeseries,
            "graph" => PanelKind::Graph,
            "stat" | "singlestat" => PanelKind::Stat,
            "gauge" => PanelKind::Gauge,
            "bargauge" => PanelKind::BarGauge,
            "table" => PanelKind::Table,
            "table-old" => PanelKind::TableOld,
            "text" => PanelKind::Text,
            "row" => PanelKind::Row,
            _ => PanelKind::Other,
        }
    }
}

/// A panel, or a row (a panel of type `row`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Panel {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub panel_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid_pos: Option<GridPos>,
    /// A row's `collapsed` flag; a collapsed row holds its panels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collapsed: Option<bool>,
    /// A collapsed row's panels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub panels: Option<Vec<Panel>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets: Option<Vec<Target>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field_config: Option<FieldConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<PanelOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transformations: Option<Vec<Transformation>>,
    /// The variable a row or panel repeats over.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub repeat: Nullable<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Panel {
    pub fn kind(&self) -> PanelKind {
        PanelKind::from_name(self.panel_type.as_deref().unwrap_or_default())
    }

    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or_default()
    }

    pub fn description(&self) -> Option<&str> {
        value(&self.description).map(String::as_str)
    }

    pub fn targets(&self) -> &[Target] {
        self.targets.as_deref().unwrap_or_default()
    }

    /// A row's own panels (those it holds while collapsed).
    pub fn panels(&self) -> &[Panel] {
        self.panels.as_deref().unwrap_or_default()
    }

    /// The field defaults (`fieldConfig.defaults`), if any.
    pub fn defaults(&self) -> Option<&FieldDefaults> {
        self.field_config.as_ref().and_then(|f| f.defaults.as_ref())
    }

    /// The reducers of `options.reduceOptions.calcs`.
    pub fn calcs(&self) -> Vec<&str> {
        self.options
            .as_ref()
            .and_then(|o| o.reduce_options.as_ref())
            .and_then(|r| r.calcs.as_ref())
            .map(|c| c.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }
}

/// A place on Grafana's 24-column grid; `h` in grid rows of 30 px.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GridPos {
    #[serde(default)]
    pub h: u32,
    #[serde(default)]
    pub w: u32,
    #[serde(default)]
    pub x: u32,
    #[serde(default)]
    pub y: u32,
}

/// How a target's result is shaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetFormat {
    TimeSeries,
    Table,
    Heatmap,
}

/// One query of a panel.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub legend_format: Nullable<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instant: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The minimum step (`Min step`), e.g. `30s` or `$__interval`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub interval: Nullable<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub interval_factor: Nullable<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hide: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_id: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Target {
    pub fn expr(&self) -> &str {
        self.expr.as_deref().unwrap_or_default()
    }

    pub fn legend_format(&self) -> Option<&str> {
        value(&self.legend_format).map(String::as_str)
    }

    pub fn is_hidden(&self) -> bool {
        self.hide == Some(true)
    }

    /// An instant query only: `instant` set and `range` not.
    pub fn is_instant(&self) -> bool {
        self.instant == Some(true) && self.range != Some(true)
    }

    pub fn format(&self) -> TargetFormat {
        match self.format.as_deref() {
            Some("table") => TargetFormat::Table,
            Some("heatmap") => TargetFormat::Heatmap,
            _ => TargetFormat::TimeSeries,
        }
    }

    pub fn min_interval(&self) -> Option<&str> {
        value(&self.interval)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    /// `intervalFactor` (Grafana 7's resolution `1/n`), at least 1.
    pub fn interval_factor(&self) -> f64 {
        number(&self.interval_factor)
            .filter(|f| *f >= 1.0)
            .unwrap_or(1.0)
    }
}

/// `fieldConfig`: the defaults and the per-field overrides.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FieldConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defaults: Option<FieldDefaults>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<Vec<Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `fieldConfig.defaults`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDefaults {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub unit: Nullable<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub decimals: Nullable<Number>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub min: Nullable<Number>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Nullable<Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    /// Value mappings; their shape changed between Grafana 7 and 8, so
    /// they are kept as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Vec<Value>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub display_name: Nullable<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub no_value: Nullable<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl FieldDefaults {
    pub fn unit(&self) -> Option<&str> {
        value(&self.unit).map(String::as_str)
    }

    /// `decimals`, when a whole number from 0 to 20 (what Grafana honours).
    pub fn decimals(&self) -> Option<u32> {
        number(&self.decimals)
            .filter(|d| d.fract() == 0.0 && (0.0..=20.0).contains(d))
            .map(|d| d as u32)
    }

    pub fn min(&self) -> Option<f64> {
        number(&self.min)
    }

    pub fn max(&self) -> Option<f64> {
        number(&self.max)
    }

    pub fn display_name(&self) -> Option<&str> {
        value(&self.display_name).map(String::as_str)
    }

    pub fn no_value(&self) -> Option<&str> {
        value(&self.no_value).map(String::as_str)
    }
}

/// Colour thresholds: the base step has a `null` value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Thresholds {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<ThresholdStep>>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ThresholdStep {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Nullable<Number>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl ThresholdStep {
    /// The step's lower bound; `None` for the base step (minus infinity).
    pub fn value(&self) -> Option<f64> {
        number(&self.value)
    }
}

/// A panel's `options`; only `reduceOptions` is read here.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PanelOptions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reduce_options: Option<ReduceOptions>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReduceOptions {
    /// Reducer names: `lastNotNull`, `last`, `mean`, `max`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calcs: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// One transformation of a panel's data frames.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Transformation {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `templating`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Templating {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<Vec<Variable>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The kinds of templating variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VariableKind {
    Query,
    Custom,
    Constant,
    Interval,
    Textbox,
    Datasource,
    /// Ad hoc filters and kinds the lab does not know: kept, not resolved.
    Other,
}

impl VariableKind {
    pub fn from_name(name: &str) -> VariableKind {
        match name {
            "query" => VariableKind::Query,
            "custom" => VariableKind::Custom,
            "constant" => VariableKind::Constant,
            "interval" => VariableKind::Interval,
            "textbox" => VariableKind::Textbox,
            "datasource" => VariableKind::Datasource,
            _ => VariableKind::Other,
        }
    }
}

/// A variable's query: a string (Grafana up to 9) or an object with a
/// `query` field (the Prometheus query editor of Grafana 10 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum VariableQuery {
    Text(String),
    Object {
        #[serde(default)]
        query: String,
        #[serde(flatten)]
        extra: Extra,
    },
}

impl VariableQuery {
    pub fn text(&self) -> &str {
        match self {
            VariableQuery::Text(s) => s,
            VariableQuery::Object { query, .. } => query,
        }
    }
}

/// One templating variable.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variable {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub variable_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<VariableQuery>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub regex: Nullable<String>,
    /// 0 disabled, 1/2 alphabetical asc/desc, 3/4 numerical, 5/6
    /// alphabetical case-insensitive, 7/8 natural.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multi: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_all: Option<bool>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub all_value: Nullable<String>,
    /// The selection: `{"text": ..., "value": ...}`, a value a string or
    /// a list of strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<Value>>,
    /// `auto` of an interval variable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_count: Option<Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Variable {
    pub fn kind(&self) -> VariableKind {
        VariableKind::from_name(self.variable_type.as_deref().unwrap_or_default())
    }

    pub fn query_text(&self) -> &str {
        self.query.as_ref().map_or("", VariableQuery::text)
    }

    pub fn regex(&self) -> Option<&str> {
        value(&self.regex)
            .map(String::as_str)
            .filter(|r| !r.is_empty())
    }

    pub fn all_value(&self) -> Option<&str> {
        value(&self.all_value)
            .map(String::as_str)
            .filter(|r| !r.is_empty())
    }

    pub fn is_multi(&self) -> bool {
        self.multi == Some(true)
    }

    pub fn include_all(&self) -> bool {
        self.include_all == Some(true)
    }

    /// `sort` as a number (Grafana has written it as a string too).
    pub fn sort_code(&self) -> u8 {
        match &self.sort {
            Some(Value::Number(n)) => n.as_u64().and_then(|n| u8::try_from(n).ok()),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        }
        .unwrap_or(0)
    }

    /// The current selection's values (`current.value`).
    pub fn current_values(&self) -> Vec<String> {
        match self.current.as_ref().and_then(|c| c.get("value")) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}
