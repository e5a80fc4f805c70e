//! Rule unit tests in `promtool test rules`'s format: `rule_files`,
//! `evaluation_interval`, `group_eval_order`, `fuzzy_compare` and `tests`,
//! each with `interval`, `input_series`, `alert_rule_test`,
//! `promql_expr_test`, `external_labels`, `external_url` and `name`; run
//! as promtool runs them, with its verdicts and its words.
//!
//! A test group starts from an empty TSDB at time 0. At every multiple of
//! `evaluation_interval` up to the latest `eval_time`, the input samples
//! up to that time are appended and every group is evaluated (all groups
//! at that interval, whatever their own, as promtool does), in
//! `group_eval_order`, then in file order. An `alert_rule_test` at
//! `eval_time` compares the firing alerts of the evaluation at the last
//! multiple at or before it; a `promql_expr_test` queries the TSDB as it
//! is at the end.
//!
//! The module does no I/O: rule files come through a loader the caller
//! gives (the command line reads files; the browser could serve texts).
//! Globs in `rule_files` are the loader's business.
//!
//! ```
//! use promlab_core::rules::unittest::run_test_file;
//! let rules = "groups:\n- name: g\n  rules:\n  - alert: Up\n    expr: up == 1\n    for: 1m\n";
//! let test = "
//! rule_files: [rules.yml]
//! tests:
//!   - input_series:
//!       - series: 'up{job=\"a\"}'
//!         values: '1x5'
//!     alert_rule_test:
//!       - eval_time: 1m
//!         alertname: Up
//!         exp_alerts: [{exp_labels: {job: a}}]
//! ";
//! let report = run_test_file("test.yml", test, &mut |path: &str| {
//!     Ok(vec![(path.to_string(), rules.to_string())])
//! });
//! assert!(report.passed(), "{:?}", report.errors);
//! ```

use super::config::{parse_model_duration, parse_rule_file, RuleFile};
use super::gofmt;
use super::group::{EvalOptions, Group, Rule};
use crate::clock::{Millis, Timestamp};
use crate::diagnostic::line_col;
use crate::labels::Labels;
use crate::promql::promqltest::series::{parse_series_desc, SequenceValue};
use crate::promql::{Engine, EngineOptions};
use crate::tsdb::Head;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// The most evaluations one test group may ask for (`eval_time` over
/// `evaluation_interval`): promtool has no bound and would run for ever.
pub const MAX_EVALUATIONS: i64 = 1_000_000;

/// What went wrong in a test file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitTestErrorKind {
    /// The test file is not YAML of the test format.
    Yaml,
    /// A duration field that does not parse.
    Duration,
    /// A rule file that could not be read or does not check.
    RuleFile,
    /// `group_eval_order` names a group twice.
    GroupOrder,
    /// An `input_series` that does not parse.
    Series,
    /// A rule failed at an evaluation; the test group stops there.
    RuleEvaluation,
    /// The firing alerts are not the expected ones.
    AlertMismatch,
    /// A `promql_expr_test` query failed.
    Query,
    /// `exp_samples` labels that do not parse.
    ExpectedLabels,
    /// The query's result is not the expected one.
    ExprMismatch,
    /// More evaluations than [`MAX_EVALUATIONS`].
    TooManyEvaluations,
}

/// One error of a test file, in promtool's words (multi-line for
/// mismatches, indented as promtool indents them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitTestError {
    pub kind: UnitTestErrorKind,
    pub message: String,
}

impl UnitTestError {
    fn new(kind: UnitTestErrorKind, message: impl Into<String>) -> Self {
        UnitTestError {
            kind,
            message: message.into(),
        }
    }
}

impl fmt::Display for UnitTestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UnitTestError {}

/// The verdict on one test file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileReport {
    /// `rule_files` patterns that matched no file (promtool warns and
    /// goes on).
    pub warnings: Vec<String>,
    pub errors: Vec<UnitTestError>,
}

impl FileReport {
    pub fn passed(&self) -> bool {
        self.errors.is_empty()
    }

    /// What promtool prints for the file, in order: each error on stderr
    /// is followed by an empty line on stdout.
    pub fn render(&self) -> Vec<(Stream, String)> {
        let mut out = Vec::new();
        for w in &self.warnings {
            out.push((
                Stream::Stdout,
                format!("  WARNING: no file match pattern {w}\n"),
            ));
        }
        if self.errors.is_empty() {
            out.push((Stream::Stdout, "  SUCCESS\n".to_string()));
        } else {
            out.push((Stream::Stderr, "  FAILED:\n".to_string()));
            for e in &self.errors {
                out.push((Stream::Stderr, format!("{}\n", e.message)));
                out.push((Stream::Stdout, "\n".to_string()));
            }
        }
        out.push((Stream::Stdout, "\n".to_string()));
        out
    }
}

/// Where a piece of the report goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Reads the rule files a pattern of `rule_files` names, already joined
/// to the test file's directory: (name, text) of each, none when nothing
/// matches, or why they could not be read.
pub trait RuleFileLoader {
    fn load(&mut self, pattern: &str) -> Result<Vec<(String, String)>, String>;
}

impl<F: FnMut(&str) -> Result<Vec<(String, String)>, String>> RuleFileLoader for F {
    fn load(&mut self, pattern: &str) -> Result<Vec<(String, String)>, String> {
        self(pattern)
    }
}

// ---------------------------------------------------------------------------
// The file format.

/// A scalar read as text whatever it looks like, as Go reads a YAML
/// scalar into a string (`eval_time: 0` is the duration `0`).
#[derive(Debug, Clone, Default)]
struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawFile {
    rule_files: Vec<String>,
    evaluation_interval: Option<Text>,
    group_eval_order: Vec<String>,
    fuzzy_compare: bool,
    tests: Vec<RawTestGroup>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawTestGroup {
    interval: Option<Text>,
    input_series: Vec<RawSeries>,
    alert_rule_test: Vec<RawAlertTest>,
    promql_expr_test: Vec<RawExprTest>,
    external_labels: BTreeMap<String, Text>,
    external_url: Option<String>,
    name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawSeries {
    series: String,
    values: Text,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawAlertTest {
    eval_time: Option<Text>,
    alertname: String,
    exp_alerts: Vec<RawExpAlert>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawExpAlert {
    exp_labels: BTreeMap<String, Text>,
    exp_annotations: BTreeMap<String, Text>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawExprTest {
    expr: String,
    eval_time: Option<Text>,
    exp_samples: Vec<RawExpSample>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawExpSample {
    labels: String,
    value: f64,
}

fn duration(field: &str, t: &Option<Text>) -> Result<Millis, UnitTestError> {
    match t {
        None => Ok(0),
        Some(Text(s)) => parse_model_duration(s)
            .map_err(|e| UnitTestError::new(UnitTestErrorKind::Duration, format!("{field}: {e}"))),
    }
}

// ---------------------------------------------------------------------------
// Running.

/// Runs the test file `text` (named `name`, whose directory the rule files
/// are relative to), reading rule files through `loader`.
pub fn run_test_file(name: &str, text: &str, loader: &mut dyn RuleFileLoader) -> FileReport {
    run_test_file_with(name, text, loader, &[])
}

/// [`run_test_file`], running only the test groups whose `name` one of
/// `run` matches (anywhere in the name, as promtool's `--run`); all of them
/// when `run` is empty.
pub fn run_test_file_with(
    name: &str,
    text: &str,
    loader: &mut dyn RuleFileLoader,
    run: &[regex::Regex],
) -> FileReport {
    let mut report = FileReport::default();
    let raw: RawFile = match serde_saphyr::from_str::<Option<RawFile>>(text) {
        Ok(f) => f.unwrap_or_default(),
        Err(e) => {
            let message = match e.location() {
                Some(l) => format!("{}:{}: {}", l.line(), l.column(), yaml_message(&e)),
                None => yaml_message(&e),
            };
            report
                .errors
                .push(UnitTestError::new(UnitTestErrorKind::Yaml, message));
            return report;
        }
    };
    let dir = match name.rfind('/') {
        Some(i) => &name[..i],
        None => "",
    };
    let mut files: Vec<(String, String)> = Vec::new();
    for pattern in &raw.rule_files {
        let path = if dir.is_empty() || pattern.starts_with('/') {
            pattern.clone()
        } else {
            format!("{dir}/{pattern}")
        };
        match loader.load(&path) {
            Ok(found) if found.is_empty() => report.warnings.push(path),
            Ok(found) => files.extend(found),
            Err(e) => {
                report
                    .errors
                    .push(UnitTestError::new(UnitTestErrorKind::RuleFile, e));
                return report;
            }
        }
    }
    let eval_interval = match duration("evaluation_interval", &raw.evaluation_interval) {
        Ok(0) => 60_000,
        Ok(d) => d,
        Err(e) => {
            report.errors.push(e);
            return report;
        }
    };
    let mut order: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, g) in raw.group_eval_order.iter().enumerate() {
        if order.insert(g, i).is_some() {
            report.errors.push(UnitTestError::new(
                UnitTestErrorKind::GroupOrder,
                format!("group name repeated in evaluation order: {g}"),
            ));
            return report;
        }
    }
    let mut rule_files: Vec<(String, RuleFile)> = Vec::new();
    for (path, text) in &files {
        match parse_rule_file(text) {
            Ok(f) => rule_files.push((path.clone(), f)),
            Err(errs) => {
                for e in errs {
                    let at = line_col(text, e.span.start);
                    report.errors.push(UnitTestError::new(
                        UnitTestErrorKind::RuleFile,
                        format!("{path}: {at}: {}", e.message),
                    ));
                }
                return report;
            }
        }
    }
    let setup = Setup {
        eval_interval,
        order,
        rule_files,
        fuzzy: raw.fuzzy_compare,
    };
    for (i, tg) in raw.tests.iter().enumerate() {
        let test_name = tg.name.as_deref().unwrap_or("");
        if !run.is_empty() && !run.iter().any(|r| r.is_match(test_name)) {
            continue;
        }
        report.errors.extend(setup.run_group(i, tg));
    }
    report
}

fn yaml_message(e: &serde_saphyr::Error) -> String {
    use serde_saphyr::MessageFormatter;
    serde_saphyr::DefaultMessageFormatter
        .format_message(e.without_snippet())
        .into_owned()
}

struct Setup<'a> {
    eval_interval: Millis,
    order: BTreeMap<&'a str, usize>,
    rule_files: Vec<(String, RuleFile)>,
    fuzzy: bool,
}

/// A firing alert as promtool compares them: labels, then annotations.
type LabelsAndAnnotations = (Labels, Labels);

impl Setup<'_> {
    fn run_group(&self, _index: usize, tg: &RawTestGroup) -> Vec<UnitTestError> {
        match self.try_run_group(tg) {
            Ok(errs) => errs,
            Err(e) => vec![e],
        }
    }

    fn try_run_group(&self, tg: &RawTestGroup) -> Result<Vec<UnitTestError>, UnitTestError> {
        let mut errs = Vec::new();
        let interval = match duration("interval", &tg.interval)? {
            0 => self.eval_interval,
            d => d,
        };
        let test_name = tg
            .name
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| format!("    name: {n},\n"))
            .unwrap_or_default();

        // Input series, appended step by step as time goes on.
        let mut inputs: Vec<(Labels, Vec<(Timestamp, f64)>)> = Vec::new();
        for s in &tg.input_series {
            let desc_text = format!("{} {}", s.series, s.values.0);
            let desc = parse_series_desc(&desc_text).map_err(|e| {
                UnitTestError::new(
                    UnitTestErrorKind::Series,
                    format!(
                        "{}: parse error: {}",
                        line_col(&desc_text, e.offset),
                        e.kind
                    ),
                )
            })?;
            let mut samples = Vec::new();
            for (i, v) in desc.values.iter().enumerate() {
                let t = (i as i64).saturating_mul(interval);
                match v {
                    SequenceValue::Float(f) => samples.push((t, *f)),
                    SequenceValue::Omitted => {}
                    SequenceValue::Histogram => {
                        return Err(UnitTestError::new(
                            UnitTestErrorKind::Series,
                            format!(
                                "series {}: native histograms are not supported by the lab",
                                desc.labels
                            ),
                        ))
                    }
                }
            }
            inputs.push((desc.labels, samples));
        }

        // Alert tests by evaluation time.
        let mut alert_tests: BTreeMap<Millis, Vec<&RawAlertTest>> = BTreeMap::new();
        for t in &tg.alert_rule_test {
            alert_tests
                .entry(duration("eval_time", &t.eval_time)?)
                .or_default()
                .push(t);
        }
        let mut expr_times = Vec::new();
        for t in &tg.promql_expr_test {
            expr_times.push(duration("eval_time", &t.eval_time)?);
        }
        let max_eval = alert_tests
            .keys()
            .chain(expr_times.iter())
            .copied()
            .max()
            .unwrap_or(0);
        if max_eval / self.eval_interval > MAX_EVALUATIONS {
            return Err(UnitTestError::new(
                UnitTestErrorKind::TooManyEvaluations,
                format!(
                    "eval_time {} needs more than {MAX_EVALUATIONS} evaluations at {}",
                    crate::duration::format_duration(max_eval),
                    crate::duration::format_duration(self.eval_interval)
                ),
            ));
        }

        let external_labels = Labels::from_pairs(
            tg.external_labels
                .iter()
                .map(|(k, v)| (k.clone(), v.0.clone())),
        );
        let opts = EvalOptions {
            resend_delay: 60_000,
            outage_tolerance: 3_600_000,
            for_grace_period: 600_000,
            default_query_offset: 0,
            external_labels,
            external_url: tg.external_url.clone(),
        };
        let mut groups: Vec<Group> = Vec::new();
        for (file, rf) in &self.rule_files {
            for g in &rf.groups {
                groups.push(Group::new(file, g, self.eval_interval, false, 0));
            }
        }
        groups.sort_by_key(|g| self.order.get(g.name.as_str()).copied().unwrap_or(0));

        // promtool's test engine: Prometheus's defaults without the
        // feature flags.
        let mut engine = Engine::new(EngineOptions {
            delayed_name_removal: false,
            ..EngineOptions::default()
        });
        let mut head = Head::new();
        let mut cursors = vec![0usize; inputs.len()];
        let mut pending = alert_tests.iter().peekable();
        let mut ts: Timestamp = 0;
        while ts <= max_eval {
            for ((labels, samples), cursor) in inputs.iter().zip(cursors.iter_mut()) {
                while let Some(&(t, v)) = samples.get(*cursor) {
                    if t > ts {
                        break;
                    }
                    // A series given twice keeps its first samples, as
                    // the TSDB refuses the others.
                    let _ = head.append(labels, t, v);
                    *cursor += 1;
                }
            }
            let mut eval_errs = Vec::new();
            for g in &mut groups {
                g.eval(ts, &mut engine, &mut head, &opts);
                for r in &g.rules {
                    if let Some(e) = r.last_error() {
                        eval_errs.push(UnitTestError::new(
                            UnitTestErrorKind::RuleEvaluation,
                            format!(
                                "    rule: {}, time: {}, err: {}",
                                r.name(),
                                go_duration(ts),
                                e.message
                            ),
                        ));
                    }
                }
            }
            if !eval_errs.is_empty() {
                errs.extend(eval_errs);
                return Ok(errs);
            }
            let next = ts.saturating_add(self.eval_interval);
            while let Some((&at, tests)) = pending.peek() {
                if !(ts <= at && at < next) {
                    break;
                }
                errs.extend(self.check_alerts(&groups, tests, &test_name));
                pending.next();
            }
            if next == ts {
                break;
            }
            ts = next;
        }

        for (t, at) in tg.promql_expr_test.iter().zip(expr_times) {
            if let Some(e) = self.check_expr(&mut engine, &head, t, at) {
                errs.push(e);
            }
        }
        Ok(errs)
    }

    fn check_alerts(
        &self,
        groups: &[Group],
        tests: &[&RawAlertTest],
        test_name: &str,
    ) -> Vec<UnitTestError> {
        let mut errs = Vec::new();
        let mut got: BTreeMap<&str, Vec<LabelsAndAnnotations>> = BTreeMap::new();
        for g in groups {
            for r in &g.rules {
                let Rule::Alerting(ar) = r else { continue };
                if !tests.iter().any(|t| t.alertname == ar.name) {
                    continue;
                }
                let firing = ar
                    .active_alerts()
                    .filter(|a| a.state == super::AlertState::Firing)
                    .map(|a| {
                        let ann = Labels::from_pairs(a.annotations.clone());
                        (a.labels.clone(), ann)
                    });
                got.entry(ar.name.as_str()).or_default().extend(firing);
            }
        }
        for t in tests {
            let mut got_alerts = got.get(t.alertname.as_str()).cloned().unwrap_or_default();
            let mut exp: Vec<LabelsAndAnnotations> = t
                .exp_alerts
                .iter()
                .map(|a| {
                    let mut labels = Labels::from_pairs(
                        a.exp_labels.iter().map(|(k, v)| (k.clone(), v.0.clone())),
                    );
                    labels.set(super::alerting::ALERT_NAME, t.alertname.clone());
                    let ann = Labels::from_pairs(
                        a.exp_annotations
                            .iter()
                            .map(|(k, v)| (k.clone(), v.0.clone())),
                    );
                    (labels, ann)
                })
                .collect();
            got_alerts.sort();
            exp.sort();
            if exp != got_alerts {
                let at = duration("eval_time", &t.eval_time).unwrap_or(0);
                errs.push(UnitTestError::new(
                    UnitTestErrorKind::AlertMismatch,
                    format!(
                        "{test_name}    alertname: {}, time: {}, \n        exp:{}, \n        got:{}",
                        t.alertname,
                        crate::duration::format_duration(at),
                        indent(&alerts_string(&exp), "            "),
                        indent(&alerts_string(&got_alerts), "            "),
                    ),
                ));
            }
        }
        errs
    }

    fn check_expr(
        &self,
        engine: &mut Engine,
        head: &Head,
        t: &RawExprTest,
        at: Millis,
    ) -> Option<UnitTestError> {
        let when = crate::duration::format_duration(at);
        let head_err = |kind, e: String| {
            Some(UnitTestError::new(
                kind,
                format!(
                    "    expr: {}, time: {when}, err: {e}",
                    gofmt::quote(&t.expr)
                ),
            ))
        };
        let expr = match crate::promql::parse(&t.expr) {
            Ok(e) => e,
            Err(e) => {
                return head_err(
                    UnitTestErrorKind::Query,
                    format!("{}: {e}", e.position(&t.expr)),
                )
            }
        };
        let mut got = match super::QueryFn::instant(engine, head, &expr, at) {
            Ok(v) => v,
            Err(e) => return head_err(UnitTestErrorKind::Query, e.message),
        };
        let mut exp = Vec::new();
        for s in &t.exp_samples {
            match parse_series_desc(&s.labels) {
                Ok(d) if d.values.is_empty() => exp.push((d.labels, s.value)),
                Ok(_) => {
                    return head_err(
                        UnitTestErrorKind::ExpectedLabels,
                        format!("labels {}: values given", gofmt::quote(&s.labels)),
                    )
                }
                Err(e) => {
                    return head_err(
                        UnitTestErrorKind::ExpectedLabels,
                        format!(
                            "labels {}: {}: parse error: {}",
                            gofmt::quote(&s.labels),
                            line_col(&s.labels, e.offset),
                            e.kind
                        ),
                    )
                }
            }
        }
        let by_labels = |a: &(Labels, f64), b: &(Labels, f64)| a.0.cmp(&b.0);
        exp.sort_by(by_labels);
        got.sort_by(by_labels);
        let same = exp.len() == got.len()
            && exp
                .iter()
                .zip(&got)
                .all(|(e, g)| e.0 == g.0 && self.same_value(e.1, g.1));
        if same {
            return None;
        }
        Some(UnitTestError::new(
            UnitTestErrorKind::ExprMismatch,
            format!(
                "    expr: {}, time: {when},\n        exp: {}\n        got: {}",
                gofmt::quote(&t.expr),
                samples_string(&exp),
                samples_string(&got)
            ),
        ))
    }

    /// Exact, as Go's `cmp.Equal` compares floats (NaN is never equal);
    /// with `fuzzy_compare`, within a relative 1e-12 or an absolute 1e-12.
    fn same_value(&self, a: f64, b: f64) -> bool {
        if a == b {
            return true;
        }
        self.fuzzy && (a - b).abs() <= 1e-12_f64.max(1e-12 * a.abs().min(b.abs()))
    }
}

/// Go's `labels.Labels.String()`: `{a="b", c="d"}`, the name among them.
fn go_labels(l: &Labels) -> String {
    let parts: Vec<String> = l
        .iter()
        .map(|l| format!("{}={}", l.name, gofmt::quote(&l.value)))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

fn alerts_string(list: &[LabelsAndAnnotations]) -> String {
    if list.is_empty() {
        return "[]".to_string();
    }
    let mut s = String::from("[");
    for (i, (labels, ann)) in list.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        let item = format!(
            "\nLabels:{}\nAnnotations:{}",
            go_labels(labels),
            go_labels(ann)
        );
        s.push_str(&format!("\n{i}:{}", indent(&item, "  ")));
    }
    s.push_str("\n]");
    s
}

fn samples_string(list: &[(Labels, f64)]) -> String {
    if list.is_empty() {
        return "nil".to_string();
    }
    list.iter()
        .map(|(l, v)| format!("{} {}", go_labels(l), format_upper_e(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `strconv.FormatFloat(v, 'E', -1, 64)`.
fn format_upper_e(v: f64) -> String {
    let s = gofmt::format_e(v, None);
    if v.is_finite() {
        s.replace('e', "E")
    } else {
        s
    }
}

/// promtool's `indentLines`: every line after the first gets `indent`.
fn indent(s: &str, indent: &str) -> String {
    s.split('\n')
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

/// Go's `time.Duration.String()` of milliseconds: `1m30s`, `1h0m0s`,
/// `500ms`, `0s`.
pub fn go_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let neg = ms < 0;
    let abs = ms.unsigned_abs();
    let sign = if neg { "-" } else { "" };
    if abs < 1000 {
        return format!("{sign}{abs}ms");
    }
    let (h, rest) = (abs / 3_600_000, abs % 3_600_000);
    let (m, rest) = (rest / 60_000, rest % 60_000);
    let (s, frac) = (rest / 1000, rest % 1000);
    let secs = if frac == 0 {
        format!("{s}s")
    } else {
        let f = format!("{frac:03}");
        format!("{s}.{}s", f.trim_end_matches('0'))
    };
    if h > 0 {
        format!("{sign}{h}h{m}m{secs}")
    } else if m > 0 {
        format!("{sign}{m}m{secs}")
    } else {
        format!("{sign}{secs}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn durations_print_as_go_prints_them() {
        let cases = [
            (0, "0s"),
            (500, "500ms"),
            (1_000, "1s"),
            (1_500, "1.5s"),
            (90_000, "1m30s"),
            (3_600_000, "1h0m0s"),
            (3_661_010, "1h1m1.01s"),
            (-60_000, "-1m0s"),
        ];
        for (ms, want) in cases {
            assert_eq!(go_duration(ms), want, "{ms}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn floats_print_with_a_capital_e() {
        assert_eq!(format_upper_e(1.0), "1E+00");
        assert_eq!(format_upper_e(5.999999999999999), "5.999999999999999E+00");
        assert_eq!(format_upper_e(f64::INFINITY), "+Inf");
        assert_eq!(format_upper_e(f64::NAN), "NaN");
    }
}
