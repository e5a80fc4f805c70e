//! A panel's data as Grafana's data frames: every visible target of a
//! panel evaluated through a caller-given API function (a [`crate::lab::Lab`]
//! or a remote Prometheus), its variables interpolated, and the answer
//! shaped as Grafana's Prometheus data source shapes it — one time-series
//! frame per series (its labels, its legend from `legendFormat`, its
//! points), or for `format: table` one table frame per target (a `Time`
//! column, a column per label, and the value). A failing target is an
//! error of that target only; the others still answer.
//!
//! Pure functions: the caller does the I/O behind `api`.
//!
//! ```
//! use promlab_core::api::{ApiData, ApiRequest, ApiResponse, Point, QueryResult, VectorSample};
//! use promlab_core::dashboard::data::{panel_data, Cell};
//! use promlab_core::dashboard::template::{Scope, TimeContext};
//! use promlab_core::dashboard::Dashboard;
//! use promlab_core::labels::Labels;
//! let dashboard = Dashboard::parse(r#"{"panels": [{"type": "table", "targets": [
//!   {"expr": "up", "instant": true, "format": "table", "refId": "A"}]}]}"#).unwrap();
//! let mut api = |_: &ApiRequest| ApiResponse::success(ApiData::Query(QueryResult::Vector(vec![
//!     VectorSample { metric: Labels::from_pairs([("job", "node")]), value: Point { t: 1000, v: 1.0 } },
//! ])));
//! let time = TimeContext::new(0, 1000, 100);
//! let data = panel_data(&dashboard.panels()[0], &Scope::default(), &time, &mut api);
//! assert_eq!(data.frames[0].columns, ["Time", "job", "Value"]);
//! assert_eq!(data.frames[0].rows[0][2], Cell::Number(1.0));
//! ```

use super::model::{Panel, Target, TargetFormat};
use super::target_request;
use super::template::{Context, Scope, TimeContext};
use crate::api::{ApiData, ApiRequest, ApiResponse, ErrorType, QueryResult};
use crate::clock::Timestamp;
use crate::labels::Labels;
use std::fmt;

/// The name of a frame's time column.
pub const TIME: &str = "Time";
/// The name of a frame's value column (`Value #A` when a panel has several
/// table targets, as Grafana names them).
pub const VALUE: &str = "Value";

/// One cell of a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Null,
    Time(Timestamp),
    Number(f64),
    Text(String),
}

impl Cell {
    /// The cell as a number: numbers and times are, text and null are not.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Number(v) => Some(*v),
            Cell::Time(t) => Some(*t as f64),
            Cell::Null | Cell::Text(_) => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }
}

/// Grafana's data frame, as a table: named columns and rows of cells
/// (every row as long as `columns`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// The target it came from (`A`, `B`, ...); empty for a frame a
    /// transformation built from several.
    pub ref_id: String,
    /// A time series' display name: its legend, or its labels when there
    /// is no legend. Empty for a table.
    pub name: String,
    /// A time series' labels; empty for a table (they are its columns).
    pub labels: Labels,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Frame {
    /// The index of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// The cells of column `index`, top to bottom.
    pub fn values(&self, index: usize) -> impl Iterator<Item = &Cell> {
        self.rows
            .iter()
            .map(move |row| row.get(index).unwrap_or(&Cell::Null))
    }

    /// The column's name as a panel shows it: a time series' `Value` is
    /// shown under the series' name.
    pub fn display_name(&self, index: usize) -> &str {
        let column = self.columns.get(index).map_or("", String::as_str);
        if column == VALUE && !self.name.is_empty() {
            &self.name
        } else {
            column
        }
    }
}

/// Why a target has no data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetErrorKind {
    /// The API answered with an error of this type.
    Api(ErrorType),
    /// The API answered with something that is not a query result.
    NotAQueryResult,
}

/// A target that failed, with the request that was sent.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetError {
    pub ref_id: String,
    pub kind: TargetErrorKind,
    pub request: ApiRequest,
    pub message: String,
}

impl fmt::Display for TargetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "query {}: {}", self.ref_id, self.message)
    }
}

impl std::error::Error for TargetError {}

/// A panel's data: the frames of every target that answered, in target
/// order, and the errors of those that did not.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelData {
    pub frames: Vec<Frame>,
    pub errors: Vec<TargetError>,
}

/// Evaluates every visible target of `panel` through `api`.
pub fn panel_data(
    panel: &Panel,
    scope: &Scope,
    time: &TimeContext,
    api: &mut dyn FnMut(&ApiRequest) -> ApiResponse,
) -> PanelData {
    let ids = ref_ids(panel.targets());
    let visible: Vec<(&Target, String)> = panel
        .targets()
        .iter()
        .zip(ids)
        .filter(|(t, _)| !t.is_hidden())
        .collect();
    let tables = visible
        .iter()
        .filter(|(t, _)| t.format() == TargetFormat::Table)
        .count();
    let mut data = PanelData::default();
    for (target, ref_id) in visible {
        let request = target_request(target, scope, time);
        let result = match api(&request) {
            ApiResponse::Success {
                data: ApiData::Query(result),
                ..
            } => result,
            ApiResponse::Success { .. } => {
                data.errors.push(TargetError {
                    ref_id,
                    kind: TargetErrorKind::NotAQueryResult,
                    request,
                    message: "the answer is not a query result".to_string(),
                });
                continue;
            }
            ApiResponse::Error(e) => {
                data.errors.push(TargetError {
                    ref_id,
                    kind: TargetErrorKind::Api(e.error_type),
                    request,
                    message: e.error,
                });
                continue;
            }
        };
        if target.format() == TargetFormat::Table {
            // Grafana tells the value columns of several table queries
            // apart by their query: `Value #A`, `Value #B`.
            let value = if tables > 1 {
                format!("{VALUE} #{ref_id}")
            } else {
                VALUE.to_string()
            };
            data.frames.push(table_frame(&ref_id, &value, result));
        } else {
            let legend = target
                .legend_format()
                .map(|l| scope.interpolate(l, Context::Text));
            data.frames
                .extend(series_frames(&ref_id, legend.as_deref(), result));
        }
    }
    data
}

/// Each target's `refId`; one without gets the first letter no other
/// target has, as Grafana gives them.
fn ref_ids(targets: &[Target]) -> Vec<String> {
    let mut taken: Vec<String> = targets
        .iter()
        .filter_map(|t| t.ref_id.clone())
        .filter(|id| !id.is_empty())
        .collect();
    targets
        .iter()
        .map(|t| match t.ref_id.as_deref() {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => {
                let free = (b'A'..=b'Z')
                    .map(|b| char::from(b).to_string())
                    .find(|id| !taken.contains(id))
                    .unwrap_or_else(|| format!("Q{}", taken.len()));
                taken.push(free.clone());
                free
            }
        })
        .collect()
}

/// The legend of a series: `legendFormat` with `{{label}}` replaced by the
/// label's value (empty when absent); with no legend, or Grafana's
/// `__auto`, the series' labels as Prometheus writes them.
pub fn legend(format: Option<&str>, labels: &Labels) -> String {
    let format = match format {
        Some(f) if !f.is_empty() && f != "__auto" => f,
        _ => return labels.to_string(),
    };
    let mut out = String::new();
    let mut rest = format;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                out.push_str(labels.get(after[..close].trim()));
                rest = &after[close + 2..];
            }
            None => {
                // An unclosed `{{` is text, as Grafana leaves it.
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// One frame per series: `Time` and `Value`, named by the legend.
fn series_frames(ref_id: &str, format: Option<&str>, result: QueryResult) -> Vec<Frame> {
    let frame = |labels: Labels, rows: Vec<Vec<Cell>>| Frame {
        ref_id: ref_id.to_string(),
        name: legend(format, &labels),
        labels,
        columns: vec![TIME.to_string(), VALUE.to_string()],
        rows,
    };
    let point = |t: Timestamp, v: f64| vec![Cell::Time(t), Cell::Number(v)];
    match result {
        QueryResult::Scalar(p) => vec![frame(Labels::new(), vec![point(p.t, p.v)])],
        QueryResult::String(s) => vec![frame(
            Labels::new(),
            vec![vec![Cell::Time(s.t), Cell::Text(s.v)]],
        )],
        QueryResult::Vector(samples) => samples
            .into_iter()
            .map(|s| frame(s.metric, vec![point(s.value.t, s.value.v)]))
            .collect(),
        QueryResult::Matrix(series) => series
            .into_iter()
            .map(|s| {
                let rows = s.values.iter().map(|p| point(p.t, p.v)).collect();
                frame(s.metric, rows)
            })
            .collect(),
    }
}

/// One frame for the whole result: `Time`, the labels of every series
/// (sorted, `__name__` included as Grafana shows it), and the value; a row
/// per sample.
fn table_frame(ref_id: &str, value: &str, result: QueryResult) -> Frame {
    let samples: Vec<(Labels, Timestamp, Cell)> = match result {
        QueryResult::Scalar(p) => vec![(Labels::new(), p.t, Cell::Number(p.v))],
        QueryResult::String(s) => vec![(Labels::new(), s.t, Cell::Text(s.v))],
        QueryResult::Vector(samples) => samples
            .into_iter()
            .map(|s| (s.metric, s.value.t, Cell::Number(s.value.v)))
            .collect(),
        QueryResult::Matrix(series) => series
            .into_iter()
            .flat_map(|s| {
                let metric = s.metric;
                s.values
                    .into_iter()
                    .map(move |p| (metric.clone(), p.t, Cell::Number(p.v)))
            })
            .collect(),
    };
    let mut names: Vec<String> = samples
        .iter()
        .flat_map(|(labels, _, _)| labels.iter().map(|l| l.name.clone()))
        .collect();
    names.sort();
    names.dedup();
    let rows = samples
        .into_iter()
        .map(|(labels, t, v)| {
            let mut row = vec![Cell::Time(t)];
            row.extend(names.iter().map(|n| {
                if labels.contains(n) {
                    Cell::Text(labels.get(n).to_string())
                } else {
                    Cell::Null
                }
            }));
            row.push(v);
            row
        })
        .collect();
    let mut columns = vec![TIME.to_string()];
    columns.extend(names);
    columns.push(value.to_string());
    Frame {
        ref_id: ref_id.to_string(),
        columns,
        rows,
        ..Frame::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ApiError, MatrixSeries, Point, VectorSample};
    use crate::dashboard::template::Resolved;
    use crate::dashboard::Dashboard;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        Labels::from_pairs(pairs.iter().copied())
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn legends_replace_labels() {
        let series = labels(&[("__name__", "up"), ("instance", "a:9100"), ("job", "node")]);
        let cases = [
            (Some("{{instance}}"), "a:9100"),
            (Some("{{ job }} / {{instance}}"), "node / a:9100"),
            (Some("{{missing}}x"), "x"),
            (Some("plain"), "plain"),
            (Some("{{open"), "{{open"),
            (Some(""), r#"up{instance="a:9100", job="node"}"#),
            (Some("__auto"), r#"up{instance="a:9100", job="node"}"#),
            (None, r#"up{instance="a:9100", job="node"}"#),
        ];
        for (format, want) in cases {
            assert_eq!(legend(format, &series), want, "{format:?}");
        }
    }

    /// A panel of four targets: a range query with a legend using a
    /// variable, a hidden one, a failing one, and two table queries.
    const PANEL: &str = r#"{"panels": [{"type": "table", "targets": [
      {"expr": "rate(x[5m])", "legendFormat": "$node {{cpu}}", "refId": "A"},
      {"expr": "hidden", "hide": true, "refId": "B"},
      {"expr": "bad(", "refId": "C"},
      {"expr": "up", "instant": true, "format": "table", "refId": "D"},
      {"expr": "scalar(up)", "instant": true, "format": "table"}
    ]}]}"#;

    fn answer(request: &ApiRequest) -> ApiResponse {
        let (ApiRequest::Query { query, .. } | ApiRequest::QueryRange { query, .. }) = request
        else {
            return ApiResponse::success(ApiData::Strings(Vec::new()));
        };
        let result = match query.as_str() {
            "rate(x[5m])" => QueryResult::Matrix(vec![
                MatrixSeries {
                    metric: labels(&[("cpu", "0")]),
                    values: vec![Point { t: 1, v: 0.5 }, Point { t: 2, v: 0.25 }],
                },
                MatrixSeries {
                    metric: labels(&[("cpu", "1")]),
                    values: vec![Point { t: 2, v: 1.0 }],
                },
            ]),
            "up" => QueryResult::Vector(vec![
                VectorSample {
                    metric: labels(&[("__name__", "up"), ("instance", "a")]),
                    value: Point { t: 9, v: 1.0 },
                },
                VectorSample {
                    metric: labels(&[("__name__", "up"), ("job", "j")]),
                    value: Point { t: 9, v: 0.0 },
                },
            ]),
            "scalar(up)" => QueryResult::Scalar(Point { t: 9, v: 2.0 }),
            "hidden" => panic!("a hidden target was evaluated"),
            _ => {
                return ApiResponse::Error(ApiError::new(
                    ErrorType::BadData,
                    "unexpected end of input",
                ))
            }
        };
        ApiResponse::success(ApiData::Query(result))
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn targets_become_frames_and_errors() {
        let dashboard = Dashboard::parse(PANEL).unwrap();
        let mut scope = Scope::default();
        scope.insert(Resolved::single("node", "n1"));
        let time = TimeContext::new(0, 3_600_000, 100);
        let data = panel_data(&dashboard.panels()[0], &scope, &time, &mut answer);
        type Shape<'a> = (&'a str, &'a str, Vec<&'a str>, &'a Vec<Vec<Cell>>);
        let shape: Vec<Shape> = data
            .frames
            .iter()
            .map(|f| {
                let columns = f.columns.iter().map(String::as_str).collect();
                (f.ref_id.as_str(), f.name.as_str(), columns, &f.rows)
            })
            .collect();
        use Cell::{Null, Number as N, Text as T, Time as At};
        let t = |s: &str| T(s.to_string());
        assert_eq!(
            shape,
            [
                (
                    "A",
                    "n1 0",
                    vec!["Time", "Value"],
                    &vec![vec![At(1), N(0.5)], vec![At(2), N(0.25)]]
                ),
                (
                    "A",
                    "n1 1",
                    vec!["Time", "Value"],
                    &vec![vec![At(2), N(1.0)]]
                ),
                (
                    "D",
                    "",
                    vec!["Time", "__name__", "instance", "job", "Value #D"],
                    &vec![
                        vec![At(9), t("up"), t("a"), Null, N(1.0)],
                        vec![At(9), t("up"), Null, t("j"), N(0.0)]
                    ]
                ),
                // No refId: the first letter no other target has.
                (
                    "E",
                    "",
                    vec!["Time", "Value #E"],
                    &vec![vec![At(9), N(2.0)]]
                ),
            ]
        );
        assert_eq!(data.frames[0].labels, labels(&[("cpu", "0")]));
        let errors: Vec<_> = data
            .errors
            .iter()
            .map(|e| (e.ref_id.as_str(), e.kind, e.message.as_str()))
            .collect();
        assert_eq!(
            errors,
            [(
                "C",
                TargetErrorKind::Api(ErrorType::BadData),
                "unexpected end of input"
            )]
        );
    }
}
