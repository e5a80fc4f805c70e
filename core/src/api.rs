//! Requests and responses in the shapes of the Prometheus HTTP API
//! (`/api/v1/...`), plus the lab's own control requests.
//!
//! The UI talks to the engine only through these types. [`ApiRequest`]
//! converts to and from the URL a real Prometheus server answers
//! ([`ApiRequest::to_url`], [`ApiRequest::from_url`]), and [`ApiResponse`]
//! serializes to the JSON such a server returns, so the same UI can talk to
//! the in-browser [`Lab`](crate::lab::Lab), to a Web Worker running one, or
//! to a real Prometheus-compatible server.
//!
//! ```
//! use promlab_core::api::ApiRequest;
//! let req = ApiRequest::Query { query: "up".into(), time: Some(1_700_000_000_000) };
//! assert_eq!(req.to_url(), "/api/v1/query?query=up&time=1700000000");
//! assert_eq!(ApiRequest::from_url(&req.to_url()), Ok(req));
//! ```

use crate::clock::{Millis, Timestamp};
use crate::diagnostic::Span;
use crate::duration::parse_duration;
use crate::exposition::{format_float, parse_float};
use crate::labels::Labels;
use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// One request of the Prometheus HTTP API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "endpoint", rename_all = "snake_case")]
pub enum ApiRequest {
    /// `GET /api/v1/query`: evaluate at `time` (default: now).
    Query {
        query: String,
        #[serde(default)]
        time: Option<Timestamp>,
    },
    /// `GET /api/v1/query_range`
    QueryRange {
        query: String,
        start: Timestamp,
        end: Timestamp,
        step: Millis,
    },
    /// `GET /api/v1/series`
    Series {
        matchers: Vec<String>,
        #[serde(default)]
        start: Option<Timestamp>,
        #[serde(default)]
        end: Option<Timestamp>,
    },
    /// `GET /api/v1/labels`
    Labels {
        #[serde(default)]
        matchers: Vec<String>,
        #[serde(default)]
        start: Option<Timestamp>,
        #[serde(default)]
        end: Option<Timestamp>,
    },
    /// `GET /api/v1/label/<name>/values`
    LabelValues {
        name: String,
        #[serde(default)]
        matchers: Vec<String>,
        #[serde(default)]
        start: Option<Timestamp>,
        #[serde(default)]
        end: Option<Timestamp>,
    },
    /// `GET /api/v1/targets`
    Targets,
    /// `GET /api/v1/rules`
    Rules,
    /// `GET /api/v1/alerts`
    Alerts,
    /// `GET /api/v1/status/tsdb`: cardinality and sizes.
    TsdbStatus,
    /// `GET /api/v1/status/config`: the configuration as YAML.
    StatusConfig,
    /// `GET /api/v1/metadata`: TYPE, HELP and UNIT per metric.
    Metadata {
        #[serde(default)]
        metric: Option<String>,
        #[serde(default)]
        limit: Option<usize>,
    },
    /// `GET /api/v1/format_query`: the query formatted as `promtool promql
    /// format` prints it, or the parser's error with its position.
    FormatQuery { query: String },
}

/// Seconds with millisecond precision, as the API writes times in URLs.
fn format_seconds(t: Timestamp) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let abs = t.unsigned_abs();
    let (secs, ms) = (abs / 1000, abs % 1000);
    if ms == 0 {
        format!("{sign}{secs}")
    } else {
        format!("{sign}{secs}.{ms:03}")
            .trim_end_matches('0')
            .to_string()
    }
}

/// Reads a time as the API does: Unix seconds (fractions allowed) or
/// RFC 3339.
pub fn parse_time(s: &str) -> Result<Timestamp, String> {
    if let Some(v) = parse_float(s).filter(|v| v.is_finite()) {
        let ms = (v * 1000.0).round();
        if ms.abs() < 9.2e18 {
            return Ok(ms as i64);
        }
    }
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .map(|dt| (dt.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| format!("cannot parse {s:?} to a valid timestamp"))
}

/// Reads a step or timeout as the API does: seconds or a duration string.
pub fn parse_api_duration(s: &str) -> Result<Millis, String> {
    if let Some(v) = parse_float(s).filter(|v| v.is_finite()) {
        let ms = (v * 1000.0).round();
        if ms.abs() < 9.2e18 {
            return Ok(ms as i64);
        }
    }
    parse_duration(s).map_err(|_| format!("cannot parse {s:?} to a valid duration"))
}

/// An RFC 3339 time with milliseconds, as the API writes times in bodies.
pub fn format_rfc3339(t: Timestamp) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * 1_000_000)
        .ok()
        .and_then(|dt| {
            dt.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_string())
}

/// The API's error for a parameter that is missing or malformed.
fn bad_param(name: &str, msg: impl fmt::Display) -> ApiError {
    ApiError::new(
        ErrorType::BadData,
        format!("invalid parameter {name:?}: {msg}"),
    )
}

impl ApiRequest {
    /// The path and query string a Prometheus server answers this request
    /// at.
    pub fn to_url(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        let push_range = |q: &mut form_urlencoded::Serializer<String>,
                          start: &Option<Timestamp>,
                          end: &Option<Timestamp>| {
            if let Some(s) = start {
                q.append_pair("start", &format_seconds(*s));
            }
            if let Some(e) = end {
                q.append_pair("end", &format_seconds(*e));
            }
        };
        let path = match self {
            ApiRequest::Query { query, time } => {
                q.append_pair("query", query);
                if let Some(t) = time {
                    q.append_pair("time", &format_seconds(*t));
                }
                "/api/v1/query".to_string()
            }
            ApiRequest::QueryRange {
                query,
                start,
                end,
                step,
            } => {
                q.append_pair("query", query);
                q.append_pair("start", &format_seconds(*start));
                q.append_pair("end", &format_seconds(*end));
                q.append_pair("step", &format_seconds(*step));
                "/api/v1/query_range".to_string()
            }
            ApiRequest::Series {
                matchers,
                start,
                end,
            } => {
                for m in matchers {
                    q.append_pair("match[]", m);
                }
                push_range(&mut q, start, end);
                "/api/v1/series".to_string()
            }
            ApiRequest::Labels {
                matchers,
                start,
                end,
            } => {
                for m in matchers {
                    q.append_pair("match[]", m);
                }
                push_range(&mut q, start, end);
                "/api/v1/labels".to_string()
            }
            ApiRequest::LabelValues {
                name,
                matchers,
                start,
                end,
            } => {
                for m in matchers {
                    q.append_pair("match[]", m);
                }
                push_range(&mut q, start, end);
                let name: String = form_urlencoded::byte_serialize(name.as_bytes()).collect();
                format!("/api/v1/label/{name}/values")
            }
            ApiRequest::Targets => "/api/v1/targets".to_string(),
            ApiRequest::Rules => "/api/v1/rules".to_string(),
            ApiRequest::Alerts => "/api/v1/alerts".to_string(),
            ApiRequest::TsdbStatus => "/api/v1/status/tsdb".to_string(),
            ApiRequest::StatusConfig => "/api/v1/status/config".to_string(),
            ApiRequest::Metadata { metric, limit } => {
                if let Some(m) = metric {
                    q.append_pair("metric", m);
                }
                if let Some(l) = limit {
                    q.append_pair("limit", &l.to_string());
                }
                "/api/v1/metadata".to_string()
            }
            ApiRequest::FormatQuery { query } => {
                q.append_pair("query", query);
                "/api/v1/format_query".to_string()
            }
        };
        let query = q.finish();
        if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        }
    }

    /// Reads a request from a path and query string such as
    /// `/api/v1/query?query=up`, with the errors a Prometheus server gives.
    pub fn from_url(url: &str) -> Result<ApiRequest, ApiError> {
        let (path, query) = url.split_once('?').unwrap_or((url, ""));
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let time_param = |name: &str| -> Result<Option<Timestamp>, ApiError> {
            get(name)
                .map(parse_time)
                .transpose()
                .map_err(|e| bad_param(name, e))
        };
        let matchers: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k == "match[]")
            .map(|(_, v)| v.clone())
            .collect();
        let path = path.trim_end_matches('/');
        Ok(match path {
            "/api/v1/query" => ApiRequest::Query {
                query: get("query").unwrap_or("").to_string(),
                time: time_param("time")?,
            },
            "/api/v1/query_range" => {
                let required = |name: &str| -> Result<Timestamp, ApiError> {
                    time_param(name)?.ok_or_else(|| bad_param(name, "missing"))
                };
                let step = get("step")
                    .ok_or_else(|| bad_param("step", "missing"))
                    .and_then(|s| parse_api_duration(s).map_err(|e| bad_param("step", e)))?;
                ApiRequest::QueryRange {
                    query: get("query").unwrap_or("").to_string(),
                    start: required("start")?,
                    end: required("end")?,
                    step,
                }
            }
            "/api/v1/series" => ApiRequest::Series {
                matchers,
                start: time_param("start")?,
                end: time_param("end")?,
            },
            "/api/v1/labels" => ApiRequest::Labels {
                matchers,
                start: time_param("start")?,
                end: time_param("end")?,
            },
            "/api/v1/targets" => ApiRequest::Targets,
            "/api/v1/rules" => ApiRequest::Rules,
            "/api/v1/alerts" => ApiRequest::Alerts,
            "/api/v1/status/tsdb" => ApiRequest::TsdbStatus,
            "/api/v1/status/config" => ApiRequest::StatusConfig,
            "/api/v1/format_query" => ApiRequest::FormatQuery {
                query: get("query").unwrap_or("").to_string(),
            },
            "/api/v1/metadata" => ApiRequest::Metadata {
                metric: get("metric").filter(|m| !m.is_empty()).map(str::to_string),
                limit: get("limit")
                    .map(|l| {
                        l.parse::<i64>().map_err(|_| {
                            bad_param("limit", format!("cannot parse {l:?} as an integer"))
                        })
                    })
                    .transpose()?
                    // Prometheus treats a negative limit as no limit.
                    .and_then(|l| usize::try_from(l).ok()),
            },
            other => {
                let name = other
                    .strip_prefix("/api/v1/label/")
                    .and_then(|rest| rest.strip_suffix("/values"))
                    .ok_or_else(|| {
                        ApiError::new(ErrorType::NotFound, format!("no API endpoint at {other:?}"))
                    })?;
                let name = form_urlencoded::parse(format!("n={name}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                ApiRequest::LabelValues {
                    name,
                    matchers,
                    start: time_param("start")?,
                    end: time_param("end")?,
                }
            }
        })
    }

    /// Reads a server's JSON answer to this request: the shape of `data`
    /// follows from the endpoint asked.
    pub fn decode_response(&self, json: &str) -> Result<ApiResponse, String> {
        let bad = |e: serde_json::Error| {
            format!("the server's answer is not a Prometheus API response: {e}")
        };
        let envelope: Envelope = serde_json::from_str(json).map_err(bad)?;
        if envelope.status == "error" {
            return Ok(ApiResponse::Error(ApiError {
                error_type: envelope.error_type.unwrap_or(ErrorType::Internal),
                error: envelope.error.unwrap_or_default(),
                span: envelope.span,
            }));
        }
        let data = envelope.data.unwrap_or(serde_json::Value::Null);
        let data = match self {
            ApiRequest::Query { .. } | ApiRequest::QueryRange { .. } => {
                ApiData::Query(serde_json::from_value(data).map_err(bad)?)
            }
            ApiRequest::Series { .. } => {
                ApiData::Series(serde_json::from_value(data).map_err(bad)?)
            }
            ApiRequest::Labels { .. } | ApiRequest::LabelValues { .. } => {
                ApiData::Strings(serde_json::from_value(data).map_err(bad)?)
            }
            ApiRequest::Targets => ApiData::Targets(serde_json::from_value(data).map_err(bad)?),
            ApiRequest::Rules => ApiData::Rules(serde_json::from_value(data).map_err(bad)?),
            ApiRequest::Alerts => ApiData::Alerts(serde_json::from_value(data).map_err(bad)?),
            ApiRequest::TsdbStatus => {
                ApiData::TsdbStatus(serde_json::from_value(data).map_err(bad)?)
            }
            ApiRequest::StatusConfig => ApiData::Config(serde_json::from_value(data).map_err(bad)?),
            ApiRequest::Metadata { .. } => {
                ApiData::Metadata(serde_json::from_value(data).map_err(bad)?)
            }
            ApiRequest::FormatQuery { .. } => {
                ApiData::Text(serde_json::from_value(data).map_err(bad)?)
            }
        };
        Ok(ApiResponse::Success {
            data,
            warnings: envelope.warnings,
            infos: envelope.infos,
        })
    }
}

/// A response before its `data` is read.
#[derive(Deserialize)]
struct Envelope {
    status: String,
    #[serde(default)]
    data: Option<serde_json::Value>,
    #[serde(default, rename = "errorType")]
    error_type: Option<ErrorType>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
    /// The lab's addition to errors; absent from a real server's answers.
    #[serde(default)]
    span: Option<Span>,
}

/// The `errorType` values of the Prometheus API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    BadData,
    Execution,
    Timeout,
    Canceled,
    Internal,
    Unavailable,
    NotFound,
}

/// An error answer: its type, message, and — an addition of the lab that
/// Prometheus clients ignore — the span of the query it points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    #[serde(rename = "errorType")]
    pub error_type: ErrorType,
    pub error: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

impl ApiError {
    pub fn new(error_type: ErrorType, error: impl Into<String>) -> Self {
        ApiError {
            error_type,
            error: error.into(),
            span: None,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.error)
    }
}

/// A full answer: `{"status":"success","data":...}` or
/// `{"status":"error","errorType":...,"error":...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ApiResponse {
    Success {
        data: ApiData,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        warnings: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        infos: Vec<String>,
    },
    Error(ApiError),
}

impl ApiResponse {
    pub fn success(data: ApiData) -> Self {
        ApiResponse::Success {
            data,
            warnings: Vec::new(),
            infos: Vec::new(),
        }
    }

    pub fn to_json(&self) -> String {
        // Serializing these types cannot fail: every map key is a string.
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl From<ApiError> for ApiResponse {
    fn from(e: ApiError) -> Self {
        ApiResponse::Error(e)
    }
}

/// The `data` of a successful answer; which variant depends on the endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ApiData {
    Query(QueryResult),
    Targets(TargetsData),
    Rules(RulesData),
    Alerts(AlertsData),
    /// `/series`: label sets.
    Series(Vec<Labels>),
    /// `/labels` and `/label/<name>/values`.
    Strings(Vec<String>),
    /// `/status/tsdb`.
    TsdbStatus(TsdbStatus),
    /// `/status/config`: `{"yaml": "..."}`.
    Config(ConfigData),
    /// `/metadata`: per metric name, its metadata (one entry per distinct
    /// TYPE/HELP/UNIT seen).
    Metadata(std::collections::BTreeMap<String, Vec<MetricMetadata>>),
    /// `/format_query`: the formatted query.
    Text(String),
}

/// `/status/config` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigData {
    pub yaml: String,
}

/// `/status/tsdb` data, as Prometheus writes it; the head statistics carry
/// three more figures of the lab's (samples, chunk bytes, bytes per sample).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TsdbStatus {
    pub head_stats: TsdbHeadStats,
    pub series_count_by_metric_name: Vec<NameValue>,
    pub label_value_count_by_label_name: Vec<NameValue>,
    pub memory_in_bytes_by_label_name: Vec<NameValue>,
    pub series_count_by_label_value_pair: Vec<NameValue>,
}

/// The head's figures in `/status/tsdb`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TsdbHeadStats {
    pub num_series: u64,
    pub num_label_pairs: u64,
    pub chunk_count: u64,
    /// Milliseconds; Prometheus writes the extremes of an int64 when empty.
    pub min_time: i64,
    pub max_time: i64,
    #[serde(default)]
    pub num_samples: u64,
    #[serde(default)]
    pub chunk_bytes: u64,
    #[serde(default)]
    pub bytes_per_sample: f64,
}

/// One row of a `/status/tsdb` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NameValue {
    pub name: String,
    pub value: u64,
}

/// One metric's metadata in `/metadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MetricMetadata {
    #[serde(rename = "type")]
    pub metric_type: String,
    pub help: String,
    pub unit: String,
}

/// A query's result, `{"resultType": ..., "result": ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum QueryResult {
    #[serde(serialize_with = "serialize_scalar")]
    Scalar(Point),
    String(StringPoint),
    Vector(Vec<VectorSample>),
    Matrix(Vec<MatrixSeries>),
}

/// One element of a vector result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorSample {
    pub metric: Labels,
    pub value: Point,
}

/// One series of a matrix result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatrixSeries {
    pub metric: Labels,
    pub values: Vec<Point>,
}

/// A sample, written `[<unix seconds>, "<value>"]` byte for byte as
/// Prometheus writes the samples of vectors and matrices: whole seconds
/// with three digits of milliseconds only when there are any
/// (`1767225645`, `1767225645.120`), the value as Go's shortest `'f'` form,
/// or `'e'` below 1e-6 and from 1e21 on (`"1e-07"`). A scalar result is
/// written as Go's `encoding/json` writes it ([`QueryResult::Scalar`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub t: Timestamp,
    pub v: f64,
}

/// A string result, written `[<unix seconds>, "<string>"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StringPoint {
    pub t: Timestamp,
    pub v: String,
}

/// A sample's time as Prometheus's `MarshalTimestamp` writes it.
fn sample_time(t: Timestamp) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let abs = t.unsigned_abs();
    match (abs / 1000, abs % 1000) {
        (s, 0) => format!("{sign}{s}"),
        (s, ms) => format!("{sign}{s}.{ms:03}"),
    }
}

/// A scalar's or string's time as Go's `encoding/json` writes
/// `float64(t)/1000`: the shortest decimal that reads back, no `.0`.
/// (Its exponent form needs a magnitude a millisecond time cannot have.)
fn json_seconds(t: Timestamp) -> String {
    format!("{}", t as f64 / 1000.0)
}

/// A sample's value as Prometheus's `MarshalFloat` writes it.
fn sample_value(v: f64) -> String {
    let abs = v.abs();
    if v.is_finite() && abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        // Rust's `{:e}` has Go's shortest digits; Go writes the exponent
        // with a sign and at least two digits.
        let sci = format!("{v:e}");
        let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.unsigned_abs());
    }
    format_float(v)
}

/// A number already written as JSON text.
fn raw_number<E: serde::ser::Error>(text: String) -> Result<Box<serde_json::value::RawValue>, E> {
    serde_json::value::RawValue::from_string(text).map_err(E::custom)
}

impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut tup = s.serialize_tuple(2)?;
        tup.serialize_element(&raw_number::<S::Error>(sample_time(self.t))?)?;
        tup.serialize_element(&sample_value(self.v))?;
        tup.end()
    }
}

/// A scalar result, `[<seconds>, "<value>"]` as Prometheus's
/// `Scalar.MarshalJSON` writes it: the time through `encoding/json`, the
/// value as Go's shortest `'f'` form.
fn serialize_scalar<S: Serializer>(p: &Point, s: S) -> Result<S::Ok, S::Error> {
    let mut tup = s.serialize_tuple(2)?;
    tup.serialize_element(&raw_number::<S::Error>(json_seconds(p.t))?)?;
    tup.serialize_element(&format_float(p.v))?;
    tup.end()
}

impl Serialize for StringPoint {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut tup = s.serialize_tuple(2)?;
        tup.serialize_element(&raw_number::<S::Error>(json_seconds(self.t))?)?;
        tup.serialize_element(&self.v)?;
        tup.end()
    }
}

/// Reads `[seconds, "text"]`.
fn deserialize_pair<'de, D: Deserializer<'de>>(d: D) -> Result<(Timestamp, String), D::Error> {
    struct PairVisitor;
    impl<'de> Visitor<'de> for PairVisitor {
        type Value = (Timestamp, String);
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a [time, \"value\"] pair")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let t: f64 = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(0, &self))?;
            let v: String = seq
                .next_element()?
                .ok_or_else(|| de::Error::invalid_length(1, &self))?;
            Ok(((t * 1000.0).round() as Timestamp, v))
        }
    }
    d.deserialize_seq(PairVisitor)
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (t, v) = deserialize_pair(d)?;
        let v = parse_float(&v)
            .ok_or_else(|| de::Error::custom(format!("invalid sample value {v:?}")))?;
        Ok(Point { t, v })
    }
}

impl<'de> Deserialize<'de> for StringPoint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (t, v) = deserialize_pair(d)?;
        Ok(StringPoint { t, v })
    }
}

/// `/targets` data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetsData {
    pub active_targets: Vec<ActiveTarget>,
    pub dropped_targets: Vec<DroppedTarget>,
}

/// A target being scraped, as the Targets page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveTarget {
    pub discovered_labels: Labels,
    pub labels: Labels,
    pub scrape_pool: String,
    pub scrape_url: String,
    pub global_url: String,
    pub last_error: String,
    /// RFC 3339; `0001-01-01T00:00:00Z` before the first scrape.
    pub last_scrape: String,
    /// Seconds.
    pub last_scrape_duration: f64,
    /// `up`, `down` or `unknown`.
    pub health: String,
    /// A Prometheus duration such as `15s`.
    pub scrape_interval: String,
    pub scrape_timeout: String,
}

/// A target that relabelling dropped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedTarget {
    pub discovered_labels: Labels,
}

/// `/rules` and `/alerts` data, in Prometheus's shapes: the rule
/// manager's own types ([`crate::rules::api`]), under the names the API
/// has always used.
pub use crate::rules::api::{
    AlertData as Alert, AlertingRuleData, AlertsData, RecordingRuleData, RuleData,
    RuleGroupData as RuleGroup, RuleGroupsData as RulesData,
};

/// The lab's own controls, beyond the Prometheus API: the clock and the
/// simulated cluster's scenarios.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum LabRequest {
    /// Where the lab is: time, speed, storage size.
    Status,
    /// `real_ms` milliseconds of real time passed; advance virtual time at
    /// the clock's speed and run whatever falls due.
    Tick {
        real_ms: f64,
    },
    Play,
    Pause,
    SetSpeed {
        speed: f64,
    },
    /// Advance virtual time by `ms`, running whatever falls due.
    Step {
        ms: Millis,
    },
    /// Send `count` requests to the example app's `/ping`.
    Ping {
        count: u32,
    },
    /// Make something happen in the simulated cluster: reboot a node, make
    /// it NotReady, stop an exporter, restart the app.
    Scenario(crate::sim::Scenario),
    /// The raw page a target serves now, as a scrape would fetch it.
    TargetPage {
        scrape_url: String,
    },
    /// Scrape an HTTP URL every `interval` (default 15s) as job `job`
    /// (default `external`).
    AddTarget {
        url: String,
        #[serde(default)]
        job: Option<String>,
        #[serde(default)]
        interval: Option<Millis>,
    },
    /// Add the scrape configs of a `prometheus.yml`.
    LoadConfig {
        yaml: String,
    },
    /// Load samples written as OpenMetrics with timestamps.
    ImportOpenMetrics {
        text: String,
    },
    /// The stored samples of the series `selector` (a series selector,
    /// as `match[]` takes) selects, from `start` to `end` (the last hour
    /// up to now by default), as OpenMetrics with timestamps: what
    /// `ImportOpenMetrics` and `promtool tsdb create-blocks-from
    /// openmetrics` read. Answered with a [`LabResponse::Page`].
    ExportOpenMetrics {
        selector: String,
        #[serde(default)]
        start: Option<Timestamp>,
        #[serde(default)]
        end: Option<Timestamp>,
    },
    /// Load rule files (name and YAML text), replacing the rules loaded
    /// before as a reload of Prometheus does. On an error nothing changes
    /// and the answer names the file, line and field.
    LoadRules {
        files: Vec<RuleFileText>,
    },
    /// The rule files loaded: the status with its `rule_files`.
    ListRules,
    /// The HTTP scrapes that fell due, for the driver to fetch.
    TakeScrapeRequests,
    /// The result of fetching one of them.
    CompleteScrape(ScrapeResponse),
    /// The query's tree of sub-expressions, each evaluated on its own at
    /// `time` (default: now), for the Explain view.
    Explain {
        query: String,
        #[serde(default)]
        time: Option<Timestamp>,
    },
    /// Load an `alertmanager.yml` into the lab's Alertmanager (a reload:
    /// silences and the notification log stay). On an error nothing
    /// changes and the answer gives the line and column.
    LoadAlertmanagerConfig {
        yaml: String,
    },
    /// Apply Kubernetes manifests (name and text) to the simulated
    /// cluster as `kubectl apply` does, then run what the Prometheus
    /// Operator generates: the generated scrape jobs replace the lab's
    /// built-in ones, the generated rule files and `alertmanager.yml` are
    /// loaded. Answers with [`LabResponse::ManifestsApplied`]; on an error
    /// nothing changes.
    ApplyManifests {
        files: Vec<ManifestText>,
        /// kubectl's `--validate` (default `strict`).
        #[serde(default)]
        validation: crate::operator::load::FieldValidation,
    },
    /// `GET /api/v2/alerts` of the lab's Alertmanager; `filter` holds
    /// matchers in Alertmanager's syntax.
    AlertmanagerAlerts {
        #[serde(default)]
        filter: Vec<String>,
    },
    /// `GET /api/v2/alerts/groups`.
    AlertmanagerGroups {
        #[serde(default)]
        filter: Vec<String>,
    },
    /// `GET /api/v2/silences`.
    Silences,
    /// `POST /api/v2/silences`: answers with the silence's id.
    CreateSilence {
        silence: crate::alertmanager::silence::PostableSilence,
    },
    /// `DELETE /api/v2/silence/{id}`.
    ExpireSilence {
        id: String,
    },
    /// `GET /api/v2/status`.
    AlertmanagerStatus,
    /// The Alertmanager's notification log, oldest first.
    Notifications,
    /// The Alertmanager's route tree, as a UI draws it.
    Routes,
    /// Which routes and receivers an alert with `labels` reaches, as
    /// `amtool config routes test` answers: `labels` are `name=value`
    /// pairs in Alertmanager's matcher syntax (`{a="b", c=d}` or
    /// `a=b, c=d`).
    TestRoutes {
        labels: String,
    },
    /// Reads matchers in Alertmanager's syntax (as its UI and amtool do
    /// before posting a silence); a mistake is answered with
    /// [`LabResponse::InputError`] and its position.
    ParseMatchers {
        input: String,
    },
    /// The webhook POSTs that fell due, for the driver to send.
    TakeWebhookRequests,
    /// Record the timeline (scrapes, evaluations, alert states,
    /// notifications) from now on, or stop and drop it.
    RecordTimeline {
        on: bool,
    },
    /// The timeline recorded since the last time it was taken.
    TakeTimeline,
}

/// A Kubernetes manifest file as the user gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestText {
    pub name: String,
    pub text: String,
}

/// What applying manifests did, in words.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ManifestsApplied {
    /// Every issue with its file, line and column (errors and warnings).
    pub issues: Vec<String>,
    /// Documents the API server refused, and why.
    pub refused: Vec<String>,
    /// What `kubectl apply` prints for the others.
    pub applied: Vec<String>,
    /// ServiceMonitors, PodMonitors, PrometheusRules and
    /// AlertmanagerConfigs the Prometheus or Alertmanager resource does
    /// not select, each with its reasons.
    pub not_selected: Vec<String>,
    /// The scrape jobs now in the lab (the generated ones replace the
    /// lab's built-in jobs).
    pub jobs: Vec<String>,
    /// The generated rule files loaded.
    pub rule_files: Vec<String>,
    /// The whole report as `promlab operator render` prints it, with the
    /// generated files.
    pub report: String,
}

/// A webhook notification's POST, for the driver to send: the lab never
/// does I/O.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookDelivery {
    /// The virtual time the Alertmanager sent it.
    pub time: Timestamp,
    pub receiver: String,
    pub url: String,
    pub content_type: String,
    /// The webhook JSON, as Alertmanager writes it.
    pub body: String,
}

/// A rule file as the user gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleFileText {
    pub name: String,
    pub yaml: String,
}

/// A loaded rule file, as the status lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleFileInfo {
    pub name: String,
    pub groups: usize,
    pub rules: usize,
}

/// A scrape of an HTTP target that fell due: the driver fetches `url` with
/// the `Accept` header `accept` within `timeout` milliseconds and answers
/// with a [`ScrapeResponse`] carrying the same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScrapeRequest {
    pub id: u64,
    pub job: String,
    pub url: String,
    pub accept: String,
    pub timeout: Millis,
    /// The virtual time the scrape is for; its samples are stored at it.
    pub due: Timestamp,
}

/// What fetching a [`ScrapeRequest`] gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScrapeResponse {
    pub id: u64,
    /// The page, or why the fetch failed (as Prometheus words it, e.g.
    /// `server returned HTTP status 404 Not Found`).
    pub body: Result<String, String>,
    pub content_type: Option<String>,
    /// Seconds the fetch took.
    pub duration: f64,
}

/// Answers to [`LabRequest`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LabResponse {
    Status(LabStatus),
    /// A text page: a target's `/metrics`, or an export.
    Page {
        body: String,
    },
    ScrapeRequests {
        requests: Vec<ScrapeRequest>,
    },
    Explain {
        tree: crate::promql::ExplainNode,
    },
    ManifestsApplied(ManifestsApplied),
    AlertmanagerAlerts {
        alerts: Vec<crate::alertmanager::api::GettableAlert>,
    },
    AlertmanagerGroups {
        groups: Vec<crate::alertmanager::api::AlertGroupInfo>,
    },
    Silences {
        silences: Vec<crate::alertmanager::silence::GettableSilence>,
    },
    SilenceCreated {
        id: String,
    },
    AlertmanagerStatus(crate::alertmanager::api::AlertmanagerStatus),
    Notifications {
        notifications: Vec<crate::alertmanager::notify::Notification>,
    },
    Routes {
        tree: crate::alertmanager::route::RouteNode,
    },
    RoutesTested(crate::alertmanager::route::RouteTest),
    Matchers {
        matchers: Vec<crate::alertmanager::silence::SilenceMatcher>,
        /// Alertmanager's warning when only its classic parser accepts
        /// the text.
        #[serde(default)]
        warning: Option<String>,
    },
    WebhookRequests {
        requests: Vec<WebhookDelivery>,
    },
    Timeline {
        events: Vec<crate::timeline::TimelineEvent>,
    },
    /// A refused request.
    Error {
        message: String,
    },
    /// Text that does not parse: the message and the byte span of the
    /// mistake in the text the request carried.
    InputError {
        message: String,
        span: crate::diagnostic::Span,
    },
}

/// The lab's state, for the clock and the status bar.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LabStatus {
    pub now: Timestamp,
    pub running: bool,
    pub speed: f64,
    pub series: usize,
    pub samples: usize,
    /// `ping_request_count` as the example app holds it right now.
    pub ping_count: u64,
    /// HTTP scrapes waiting for the driver to take them.
    pub pending_scrapes: usize,
    /// The jobs whose targets are real HTTP endpoints rather than the
    /// simulated cluster's exporters.
    pub http_jobs: Vec<String>,
    /// The rule files loaded, in load order.
    #[serde(default)]
    pub rule_files: Vec<RuleFileInfo>,
    /// Alert batches produced and not yet taken by the driver
    /// ([`crate::lab::Lab::take_alert_notifications`]).
    #[serde(default)]
    pub pending_alert_batches: usize,
    /// Webhook POSTs waiting for the driver to take them.
    #[serde(default)]
    pub pending_webhooks: usize,
    /// Alerts the lab's Alertmanager holds that have not resolved.
    #[serde(default)]
    pub alertmanager_alerts: usize,
    /// The simulated cluster's nodes and exporters now.
    #[serde(default)]
    pub cluster: crate::sim::ClusterOverview,
}

/// Anything the UI can ask the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "request", rename_all = "snake_case")]
pub enum Request {
    Api(ApiRequest),
    Lab(LabRequest),
}

/// The engine's answer to a [`Request`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "response", rename_all = "snake_case")]
pub enum Response {
    Api(ApiResponse),
    Lab(LabResponse),
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn requests_round_trip_through_urls() {
        let reqs = [
            ApiRequest::Query {
                query: "rate(x{a=\"b c\"}[5m]) / 2".into(),
                time: Some(1_435_781_451_781),
            },
            ApiRequest::Query {
                query: "up".into(),
                time: None,
            },
            ApiRequest::QueryRange {
                query: "up".into(),
                start: 1_000,
                end: 61_500,
                step: 15_000,
            },
            ApiRequest::Series {
                matchers: vec!["up".into(), "{job=\"x\"}".into()],
                start: Some(0),
                end: None,
            },
            ApiRequest::Labels {
                matchers: vec![],
                start: None,
                end: None,
            },
            ApiRequest::LabelValues {
                name: "job".into(),
                matchers: vec!["up".into()],
                start: None,
                end: Some(-1_500),
            },
            ApiRequest::Targets,
            ApiRequest::Rules,
            ApiRequest::Alerts,
        ];
        for r in reqs {
            let url = r.to_url();
            assert_eq!(ApiRequest::from_url(&url), Ok(r.clone()), "{url}");
        }
        assert_eq!(
            ApiRequest::Query {
                query: "a b".into(),
                time: Some(1_435_781_451_781)
            }
            .to_url(),
            "/api/v1/query?query=a+b&time=1435781451.781"
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn urls_accept_rfc3339_and_duration_strings_and_reject_garbage() {
        let r = ApiRequest::from_url(
            "/api/v1/query_range?query=up&start=2015-07-01T20:10:30.781Z&end=1435781460&step=15s",
        )
        .unwrap();
        assert_eq!(
            r,
            ApiRequest::QueryRange {
                query: "up".into(),
                start: 1_435_781_430_781,
                end: 1_435_781_460_000,
                step: 15_000
            }
        );
        let err = ApiRequest::from_url("/api/v1/query?query=up&time=yesterday").unwrap_err();
        assert_eq!(err.error_type, ErrorType::BadData);
        assert_eq!(
            err.error,
            "invalid parameter \"time\": cannot parse \"yesterday\" to a valid timestamp"
        );
        let err = ApiRequest::from_url("/api/v1/query_range?query=up&start=1").unwrap_err();
        assert_eq!(err.error, "invalid parameter \"step\": missing");
        let err = ApiRequest::from_url("/api/v2/nothing").unwrap_err();
        assert_eq!(err.error_type, ErrorType::NotFound);
    }

    fn query_request() -> ApiRequest {
        ApiRequest::Query {
            query: "up".into(),
            time: None,
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn responses_serialize_as_prometheus_writes_them() {
        let resp = ApiResponse::success(ApiData::Query(QueryResult::Vector(vec![VectorSample {
            metric: Labels::from_pairs([("__name__", "up"), ("job", "x")]),
            value: Point {
                t: 1_435_781_451_781,
                v: 1.0,
            },
        }])));
        let json = resp.to_json();
        assert_eq!(
            json,
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","job":"x"},"value":[1435781451.781,"1"]}]}}"#
        );
        let back = query_request().decode_response(&json).unwrap();
        assert_eq!(back, resp);

        let matrix =
            ApiResponse::success(ApiData::Query(QueryResult::Matrix(vec![MatrixSeries {
                metric: Labels::from_pairs([("a", "b")]),
                values: vec![
                    Point {
                        t: 0,
                        v: f64::INFINITY,
                    },
                    Point { t: 15_000, v: -0.5 },
                ],
            }])));
        assert_eq!(
            matrix.to_json(),
            r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"a":"b"},"values":[[0,"+Inf"],[15,"-0.5"]]}]}}"#
        );
        let err: ApiResponse = ApiError::new(ErrorType::BadData, "boom").into();
        assert_eq!(
            err.to_json(),
            r#"{"status":"error","errorType":"bad_data","error":"boom"}"#
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn responses_from_a_real_server_decode() {
        // As Prometheus 3 writes them, including fields the lab does not use.
        let labels = r#"{"status":"success","data":["__name__","instance","job"]}"#;
        match (ApiRequest::Labels {
            matchers: vec![],
            start: None,
            end: None,
        })
        .decode_response(labels)
        .unwrap()
        {
            ApiResponse::Success {
                data: ApiData::Strings(v),
                ..
            } => assert_eq!(v, ["__name__", "instance", "job"]),
            other => panic!("{other:?}"),
        }
        let scalar = r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"NaN"]},"warnings":["w"]}"#;
        match query_request().decode_response(scalar).unwrap() {
            ApiResponse::Success {
                data: ApiData::Query(QueryResult::Scalar(p)),
                warnings,
                ..
            } => {
                assert_eq!(p.t, 1_700_000_000_000);
                assert!(p.v.is_nan());
                assert_eq!(warnings, ["w"]);
            }
            other => panic!("{other:?}"),
        }
        let targets = r#"{"status":"success","data":{"activeTargets":[{"discoveredLabels":{"__address__":"localhost:9090"},"labels":{"instance":"localhost:9090","job":"prometheus"},"scrapePool":"prometheus","scrapeUrl":"http://localhost:9090/metrics","globalUrl":"http://host:9090/metrics","lastError":"","lastScrape":"2026-01-01T00:00:00.123Z","lastScrapeDuration":0.004,"health":"up","scrapeInterval":"15s","scrapeTimeout":"10s"}],"droppedTargets":[],"droppedTargetCounts":{"prometheus":0}}}"#;
        match ApiRequest::Targets.decode_response(targets).unwrap() {
            ApiResponse::Success {
                data: ApiData::Targets(t),
                ..
            } => {
                assert_eq!(t.active_targets[0].health, "up");
            }
            other => panic!("{other:?}"),
        }
        assert!(ApiRequest::Targets.decode_response("<html>").is_err());
        // The same data under another endpoint is refused, not misread.
        assert!(ApiRequest::Targets.decode_response(scalar).is_err());
        let err = r#"{"status":"error","errorType":"bad_data","error":"1:3: parse error: x"}"#;
        assert_eq!(
            query_request().decode_response(err),
            Ok(ApiResponse::Error(ApiError::new(
                ErrorType::BadData,
                "1:3: parse error: x"
            )))
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn rfc3339_formatting() {
        assert_eq!(
            format_rfc3339(1_435_781_451_781),
            "2015-07-01T20:10:51.781Z"
        );
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
