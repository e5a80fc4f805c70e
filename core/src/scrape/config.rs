//! The scrape part of a `prometheus.yml`: `global` (intervals and external
//! labels) and `scrape_configs` with static targets, relabelling and limits,
//! read with Prometheus 3.5's defaults and checks, and written back as YAML
//! that Prometheus accepts.
//!
//! ```
//! use promlab_core::scrape::config::PrometheusConfig;
//! let yaml = "
//! global:
//!   scrape_interval: 15s
//! scrape_configs:
//!   - job_name: node
//!     static_configs:
//!       - targets: ['node-1:9100']
//! ";
//! let cfg = PrometheusConfig::parse(yaml).unwrap();
//! assert_eq!(cfg.scrape_configs[0].scrape_interval, 15_000);
//! assert_eq!(cfg.scrape_configs[0].scrape_timeout, 10_000);
//!
//! let bad = "scrape_configs:\n  - job_name: a\n    intervl: 5s\n";
//! let err = PrometheusConfig::parse(bad).unwrap_err();
//! assert!(err.render(bad).starts_with("3:5: unknown field `intervl`"), "{}", err.render(bad));
//! ```
//!
//! Every error carries a [`ConfigErrorKind`] and the span of the offending
//! YAML; validation errors also name the job, as Prometheus's do. A field
//! the YAML leaves out keeps its default; a field set to null (`~`) gets
//! the zero value, as Go's YAML reader gives it.

use super::relabel::{
    is_valid_label_name, Action, RelabelConfig, RelabelErrorKind, DEFAULT_REGEX,
    DEFAULT_REPLACEMENT, DEFAULT_SEPARATOR,
};
use super::target;
use crate::clock::Millis;
use crate::diagnostic::{Diagnostic, Span};
use crate::duration::{format_duration, parse_duration};
use crate::labels::Labels;
use crate::regexp::Regexp;
use serde::{Deserialize, Deserializer, Serialize};
use serde_saphyr::{Location, Spanned};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// Prometheus's default scrape interval.
pub const DEFAULT_SCRAPE_INTERVAL: Millis = 60_000;
/// Prometheus's default scrape timeout.
pub const DEFAULT_SCRAPE_TIMEOUT: Millis = 10_000;
/// Prometheus's default rule evaluation interval.
pub const DEFAULT_EVALUATION_INTERVAL: Millis = 60_000;

/// The parts of a `prometheus.yml` the lab reads.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrometheusConfig {
    pub global: GlobalConfig,
    pub scrape_configs: Vec<ScrapeConfig>,
    /// `rule_files`: paths or glob patterns, as written (relative to the
    /// config file's directory).
    pub rule_files: Vec<String>,
    /// `alerting`: where alerts go.
    pub alerting: AlertingConfig,
}

/// `alerting:` — the Alertmanagers alerts are sent to and the relabelling
/// applied to alerts first.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertingConfig {
    pub alert_relabel_configs: Vec<RelabelConfig>,
    pub alertmanagers: Vec<AlertmanagerTargets>,
}

/// One entry of `alerting.alertmanagers`, with Prometheus's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerTargets {
    pub scheme: String,
    pub path_prefix: String,
    pub timeout: Millis,
    /// Only `v2` exists in Prometheus 3.
    pub api_version: String,
    /// `host:port` of every static target.
    pub targets: Vec<String>,
    pub relabel_configs: Vec<RelabelConfig>,
    pub alert_relabel_configs: Vec<RelabelConfig>,
}

/// `global:`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalConfig {
    pub scrape_interval: Millis,
    pub scrape_timeout: Millis,
    pub evaluation_interval: Millis,
    /// Labels this Prometheus adds when it talks to the outside; they also
    /// seed the scrape offsets.
    pub external_labels: Labels,
}

impl Default for GlobalConfig {
    /// Every 1m, 10s timeout, rules every 1m, no external labels.
    fn default() -> Self {
        GlobalConfig {
            scrape_interval: DEFAULT_SCRAPE_INTERVAL,
            scrape_timeout: DEFAULT_SCRAPE_TIMEOUT,
            evaluation_interval: DEFAULT_EVALUATION_INTERVAL,
            external_labels: Labels::new(),
        }
    }
}

/// One entry of `scrape_configs`, with the global defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct ScrapeConfig {
    pub job_name: String,
    pub scrape_interval: Millis,
    pub scrape_timeout: Millis,
    pub metrics_path: String,
    pub scheme: String,
    /// Query parameters of the scrape URL; the first value of each also
    /// becomes the target label `__param_<name>`.
    pub params: BTreeMap<String, Vec<String>>,
    pub honor_labels: bool,
    pub honor_timestamps: bool,
    /// `static_configs`, one entry per target: its address and the labels
    /// of its group.
    pub targets: Vec<(String, Labels)>,
    pub relabel_configs: Vec<RelabelConfig>,
    pub metric_relabel_configs: Vec<RelabelConfig>,
    /// More samples than this after metric relabelling fail the scrape;
    /// 0 means no limit (as do the three limits below).
    pub sample_limit: u64,
    pub label_limit: u64,
    pub label_name_length_limit: u64,
    pub label_value_length_limit: u64,
}

impl ScrapeConfig {
    /// A config with Prometheus's defaults: every 1m, 10s timeout,
    /// `/metrics` over http.
    pub fn new(job_name: impl Into<String>) -> Self {
        ScrapeConfig {
            job_name: job_name.into(),
            scrape_interval: DEFAULT_SCRAPE_INTERVAL,
            scrape_timeout: DEFAULT_SCRAPE_TIMEOUT,
            metrics_path: "/metrics".into(),
            scheme: "http".into(),
            params: BTreeMap::new(),
            honor_labels: false,
            honor_timestamps: true,
            targets: Vec::new(),
            relabel_configs: Vec::new(),
            metric_relabel_configs: Vec::new(),
            sample_limit: 0,
            label_limit: 0,
            label_name_length_limit: 0,
            label_value_length_limit: 0,
        }
    }

    /// This config as a one-entry `scrape_configs:` list.
    pub fn to_yaml(&self) -> String {
        write_yaml(&OutScrapeConfigs {
            scrape_configs: vec![OutScrape::from(self)],
        })
    }
}

impl PrometheusConfig {
    /// Reads a `prometheus.yml`, fills in defaults and checks it as
    /// Prometheus 3.5 (and `promtool check config`) would.
    pub fn parse(yaml: &str) -> Result<Self, ConfigError> {
        let raw: Option<RawConfig> =
            serde_saphyr::from_str(yaml).map_err(|e| yaml_error(yaml, &e))?;
        Reader { src: yaml }.config(raw.unwrap_or_default())
    }

    /// The configuration as a `prometheus.yml`, every default written out.
    pub fn to_yaml(&self) -> String {
        let g = &self.global;
        write_yaml(&OutConfig {
            global: OutGlobal {
                scrape_interval: format_duration(g.scrape_interval),
                scrape_timeout: format_duration(g.scrape_timeout),
                evaluation_interval: format_duration(g.evaluation_interval),
                external_labels: label_map(&g.external_labels),
            },
            scrape_configs: self.scrape_configs.iter().map(OutScrape::from).collect(),
        })
    }
}

/// Reads a YAML list of relabelling rules, the value of a
/// `relabel_configs:` or `metric_relabel_configs:` key, with the defaults
/// and checks of a scrape config.
///
/// ```
/// use promlab_core::scrape::config::parse_relabel_configs;
/// let rules = parse_relabel_configs("- action: labeldrop\n  regex: tmp_.*\n").unwrap();
/// assert_eq!(rules[0].regex.as_str(), "tmp_.*");
/// let err = parse_relabel_configs("- action: hashmod\n  target_label: shard\n").unwrap_err();
/// assert_eq!(err.message, "relabel configuration for hashmod requires non-zero modulus (relabel_configs[0])");
/// ```
pub fn parse_relabel_configs(yaml: &str) -> Result<Vec<RelabelConfig>, ConfigError> {
    let raw: Option<Vec<Field<RawRelabelConfig>>> =
        serde_saphyr::from_str(yaml).map_err(|e| yaml_error(yaml, &e))?;
    let reader = Reader { src: yaml };
    reader.relabel_entries(
        raw.unwrap_or_default(),
        Span::new(0, yaml.len()),
        "relabel_configs",
        "target",
        "",
    )
}

/// What is wrong with a config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// Text that is not YAML.
    Syntax,
    /// A field Prometheus does not have.
    UnknownField,
    /// A field Prometheus has that the lab does not model.
    UnsupportedField,
    /// A value of the wrong type (a list for a string, `-1` for a limit).
    InvalidType,
    /// The same key twice in one mapping.
    DuplicateKey,
    InvalidDuration,
    /// A null entry in `scrape_configs` or a relabelling list.
    NullSection,
    EmptyJobName,
    DuplicateJobName,
    /// `scrape_timeout` above `scrape_interval`, globally or for a job.
    TimeoutGreaterThanInterval,
    InvalidLabelName,
    /// A relabelling rule that Prometheus refuses (bad regex, unknown
    /// action, missing field, …).
    Relabel(RelabelErrorKind),
    /// A static target that does not make a valid target.
    Target(target::TargetError),
}

/// An error in a config, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub kind: ConfigErrorKind,
    /// The offending YAML.
    pub span: Span,
    /// The whole message: what is wrong and, for validation errors, in which
    /// job.
    pub message: String,
}

impl ConfigError {
    fn new(kind: ConfigErrorKind, span: Span, message: impl Into<String>) -> Self {
        ConfigError {
            kind,
            span,
            message: message.into(),
        }
    }

    pub fn to_diagnostic(&self) -> Diagnostic {
        Diagnostic::error(self.span, self.message.clone())
    }

    /// `line:col: message` and the line with a caret, as every parser of
    /// the lab renders its errors.
    pub fn render(&self, yaml: &str) -> String {
        self.to_diagnostic().render(yaml)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

// ---------------------------------------------------------------------------
// Reading.

/// A field as Go's YAML reader sees it: absent (the default stays), or
/// present with a value or null (the zero value).
#[derive(Debug, Default)]
enum Field<T> {
    #[default]
    Absent,
    Set(Spanned<Option<T>>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Spanned::<Option<T>>::deserialize(d).map(Field::Set)
    }
}

impl<T: Default> Field<T> {
    /// The value: `default` when absent, the zero value when null.
    fn or(self, default: T) -> T {
        match self {
            Field::Absent => default,
            Field::Set(s) => s.value.unwrap_or_default(),
        }
    }
}

impl<T> Field<T> {
    fn location(&self) -> Option<&Location> {
        match self {
            Field::Absent => None,
            Field::Set(s) => Some(&s.referenced),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    global: Field<RawGlobal>,
    #[serde(default)]
    scrape_configs: Field<Vec<Field<RawScrapeConfig>>>,
    #[serde(default)]
    rule_files: Field<Vec<Spanned<String>>>,
    #[serde(default)]
    alerting: Field<RawAlerting>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlerting {
    #[serde(default)]
    alert_relabel_configs: Field<Vec<Field<RawRelabelConfig>>>,
    #[serde(default)]
    alertmanagers: Field<Vec<Field<RawAlertmanager>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlertmanager {
    #[serde(default)]
    scheme: Field<String>,
    #[serde(default)]
    path_prefix: Field<String>,
    #[serde(default)]
    timeout: Field<String>,
    #[serde(default)]
    api_version: Field<String>,
    #[serde(default)]
    static_configs: Field<Vec<Field<RawStaticConfig>>>,
    #[serde(default)]
    relabel_configs: Field<Vec<Field<RawRelabelConfig>>>,
    #[serde(default)]
    alert_relabel_configs: Field<Vec<Field<RawRelabelConfig>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGlobal {
    #[serde(default)]
    scrape_interval: Field<String>,
    #[serde(default)]
    scrape_timeout: Field<String>,
    #[serde(default)]
    evaluation_interval: Field<String>,
    #[serde(default)]
    external_labels: Field<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScrapeConfig {
    #[serde(default)]
    job_name: Field<String>,
    #[serde(default)]
    honor_labels: Field<bool>,
    #[serde(default)]
    honor_timestamps: Field<bool>,
    #[serde(default)]
    params: Field<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    scrape_interval: Field<String>,
    #[serde(default)]
    scrape_timeout: Field<String>,
    #[serde(default)]
    metrics_path: Field<String>,
    #[serde(default)]
    scheme: Field<String>,
    #[serde(default)]
    sample_limit: Field<u64>,
    #[serde(default)]
    label_limit: Field<u64>,
    #[serde(default)]
    label_name_length_limit: Field<u64>,
    #[serde(default)]
    label_value_length_limit: Field<u64>,
    #[serde(default)]
    static_configs: Field<Vec<Field<RawStaticConfig>>>,
    #[serde(default)]
    relabel_configs: Field<Vec<Field<RawRelabelConfig>>>,
    #[serde(default)]
    metric_relabel_configs: Field<Vec<Field<RawRelabelConfig>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStaticConfig {
    #[serde(default)]
    targets: Field<Vec<Spanned<String>>>,
    #[serde(default)]
    labels: Field<BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelabelConfig {
    #[serde(default)]
    source_labels: Field<Vec<Spanned<String>>>,
    #[serde(default)]
    separator: Field<String>,
    #[serde(default)]
    regex: Field<String>,
    #[serde(default)]
    modulus: Field<u64>,
    #[serde(default)]
    target_label: Field<String>,
    #[serde(default)]
    replacement: Field<String>,
    #[serde(default)]
    action: Field<String>,
}

/// Fields of Prometheus's `scrape_configs` entries, `global` and top level
/// that the lab does not model, so an error can say so rather than call
/// them unknown.
const PROMETHEUS_FIELDS: &[&str] = &[
    // Top level.
    "runtime",
    "scrape_config_files",
    "storage",
    "tracing",
    "remote_write",
    "remote_read",
    "otlp",
    // Global.
    "rule_query_offset",
    "query_log_file",
    "scrape_failure_log_file",
    "scrape_protocols",
    "body_size_limit",
    "target_limit",
    "keep_dropped_targets",
    "metric_name_validation_scheme",
    "metric_name_escaping_scheme",
    "scrape_native_histograms",
    "convert_classic_histograms_to_nhcb",
    "always_scrape_classic_histograms",
    // Scrape config.
    "track_timestamps_staleness",
    "fallback_scrape_protocol",
    "enable_compression",
    "native_histogram_bucket_limit",
    "native_histogram_min_bucket_factor",
    "basic_auth",
    "authorization",
    "oauth2",
    "bearer_token",
    "bearer_token_file",
    "tls_config",
    "proxy_url",
    "no_proxy",
    "proxy_from_environment",
    "proxy_connect_header",
    "follow_redirects",
    "enable_http2",
    "http_headers",
    "file_sd_configs",
    "kubernetes_sd_configs",
    "dns_sd_configs",
    "consul_sd_configs",
    "ec2_sd_configs",
    "gce_sd_configs",
    "azure_sd_configs",
    "http_sd_configs",
];

/// Turns a YAML reader error into a [`ConfigError`].
fn yaml_error(src: &str, e: &serde_saphyr::Error) -> ConfigError {
    use serde_saphyr::MessageFormatter;
    let inner = e.without_snippet();
    let message = serde_saphyr::DefaultMessageFormatter
        .format_message(inner)
        .into_owned();
    let span = e.location().map_or(Span::at(0), |l| span_of(src, &l));
    // The reader's messages are serde's; their first words tell the kind.
    let (kind, message) = if let Some(rest) = message.strip_prefix("unknown field `") {
        let name = rest.split('`').next().unwrap_or("");
        if PROMETHEUS_FIELDS.contains(&name) {
            (
                ConfigErrorKind::UnsupportedField,
                format!("field `{name}` is a Prometheus setting that this lab does not model"),
            )
        } else {
            (ConfigErrorKind::UnknownField, message)
        }
    } else if message.starts_with("duplicate mapping key") {
        let key = message
            .trim_start_matches("duplicate mapping key: ")
            .split(',')
            .next()
            .unwrap_or("");
        (
            ConfigErrorKind::DuplicateKey,
            format!("duplicate mapping key `{key}`"),
        )
    } else if message.starts_with("invalid")
        || message.starts_with("expected")
        || message.contains("invalid type")
    {
        (ConfigErrorKind::InvalidType, message)
    } else {
        (ConfigErrorKind::Syntax, message)
    };
    ConfigError::new(kind, span, message)
}

/// The byte span of a location of the YAML reader.
fn span_of(src: &str, loc: &Location) -> Span {
    let s = loc.span();
    if let (Some(start), Some(len)) = (s.byte_offset(), s.byte_len()) {
        let start = usize::try_from(start).unwrap_or(usize::MAX).min(src.len());
        let len = usize::try_from(len).unwrap_or(0);
        return Span::new(start, start.saturating_add(len).min(src.len()));
    }
    Span::at(offset_of(src, loc.line(), loc.column()))
}

/// The byte offset of a 1-based line and character column.
fn offset_of(src: &str, line: u64, col: u64) -> usize {
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            let col = usize::try_from(col.saturating_sub(1)).unwrap_or(usize::MAX);
            return offset
                + l.char_indices()
                    .nth(col)
                    .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
        }
        offset += l.len();
    }
    src.len()
}

/// Turns raw YAML values into the config, checking as it goes.
struct Reader<'a> {
    src: &'a str,
}

impl Reader<'_> {
    fn span<T>(&self, f: &Field<T>, fallback: Span) -> Span {
        f.location().map_or(fallback, |l| span_of(self.src, l))
    }

    fn duration(
        &self,
        f: Field<String>,
        default: Millis,
        what: &str,
        fallback: Span,
    ) -> Result<(Millis, Span), ConfigError> {
        let span = self.span(&f, fallback);
        match f {
            Field::Absent => Ok((default, span)),
            Field::Set(s) => match s.value {
                // Null is Go's zero duration, which means "unset".
                None => Ok((0, span)),
                Some(text) => parse_duration(&text).map(|d| (d, span)).map_err(|e| {
                    ConfigError::new(
                        ConfigErrorKind::InvalidDuration,
                        span,
                        format!("{e} ({what})"),
                    )
                }),
            },
        }
    }

    fn label_map(
        &self,
        f: Field<BTreeMap<String, String>>,
        fallback: Span,
    ) -> Result<Labels, ConfigError> {
        let span = self.span(&f, fallback);
        let map = f.or(BTreeMap::new());
        let mut labels = Labels::new();
        for (name, value) in map {
            if !is_valid_label_name(&name) {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidLabelName,
                    span,
                    format!("{name:?} is not a valid label name"),
                ));
            }
            labels.set(name, value);
        }
        Ok(labels)
    }

    fn config(&self, raw: RawConfig) -> Result<PrometheusConfig, ConfigError> {
        let whole = Span::new(0, self.src.len());
        let global = self.global(raw.global, whole)?;
        let list_span = self.span(&raw.scrape_configs, whole);
        let entries = raw.scrape_configs.or(Vec::new());
        let mut jobs = Vec::with_capacity(entries.len());
        for entry in entries {
            let span = self.span(&entry, list_span);
            let Field::Set(Spanned {
                value: Some(raw_job),
                ..
            }) = entry
            else {
                return Err(ConfigError::new(
                    ConfigErrorKind::NullSection,
                    span,
                    "empty or null scrape config section",
                ));
            };
            jobs.push(self.scrape_config(raw_job, &global, span)?);
        }
        // Checks across the jobs, in Prometheus's order: each job against
        // the globals, then names, then the targets each job makes.
        let mut names = HashSet::new();
        for job in &jobs {
            let cfg = &job.config;
            if cfg.scrape_timeout > cfg.scrape_interval {
                return Err(ConfigError::new(
                    ConfigErrorKind::TimeoutGreaterThanInterval,
                    job.timeout_span,
                    format!(
                        "scrape timeout greater than scrape interval for scrape config with job name {:?}",
                        cfg.job_name
                    ),
                ));
            }
            if !names.insert(cfg.job_name.as_str()) {
                return Err(ConfigError::new(
                    ConfigErrorKind::DuplicateJobName,
                    job.name_span,
                    format!(
                        "found multiple scrape configs with job name {:?}",
                        cfg.job_name
                    ),
                ));
            }
        }
        for job in &jobs {
            for (i, ((address, labels), span)) in
                job.config.targets.iter().zip(&job.target_spans).enumerate()
            {
                let discovered = target::discovered_labels(&job.config, address, labels);
                if let Err(e) = target::populate_labels(&discovered, &job.config) {
                    let (group, instance) = job.target_groups.get(i).copied().unwrap_or((0, i));
                    return Err(ConfigError::new(
                        ConfigErrorKind::Target(e.clone()),
                        *span,
                        format!(
                            "instance {instance} in group {group} of scrape config with job name {:?}: {e}",
                            job.config.job_name
                        ),
                    ));
                }
            }
        }
        let rule_files = self.rule_files(raw.rule_files)?;
        let alerting = self.alerting(raw.alerting, whole)?;
        Ok(PrometheusConfig {
            global,
            scrape_configs: jobs.into_iter().map(|j| j.config).collect(),
            rule_files,
            alerting,
        })
    }

    /// `rule_files`: each a path or a glob pattern that Go's
    /// `filepath.Match` accepts.
    fn rule_files(&self, f: Field<Vec<Spanned<String>>>) -> Result<Vec<String>, ConfigError> {
        let mut out = Vec::new();
        for pattern in f.or(Vec::new()) {
            if let Err(e) = glob::Pattern::new(&pattern.value) {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidType,
                    span_of(self.src, &pattern.referenced),
                    format!("invalid rule file path {:?}: {}", pattern.value, e.msg),
                ));
            }
            out.push(pattern.value);
        }
        Ok(out)
    }

    /// `alerting`: Alertmanagers from static configs, with Prometheus's
    /// defaults (`http`, 10s, API v2) and checks.
    fn alerting(
        &self,
        f: Field<RawAlerting>,
        fallback: Span,
    ) -> Result<AlertingConfig, ConfigError> {
        let span = self.span(&f, fallback);
        let raw = f.or(RawAlerting::default());
        let relabel_span = self.span(&raw.alert_relabel_configs, span);
        let alert_relabel_configs = self.relabel_entries(
            raw.alert_relabel_configs.or(Vec::new()),
            relabel_span,
            "alert_relabel_configs",
            "alert",
            "",
        )?;
        let list_span = self.span(&raw.alertmanagers, span);
        let mut alertmanagers = Vec::new();
        for entry in raw.alertmanagers.or(Vec::new()) {
            let am_span = self.span(&entry, list_span);
            let am = entry.or(RawAlertmanager::default());
            let scheme_span = self.span(&am.scheme, am_span);
            let scheme = am.scheme.or(String::new());
            let scheme = if scheme.is_empty() {
                "http".to_string()
            } else {
                scheme
            };
            if scheme != "http" && scheme != "https" {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidType,
                    scheme_span,
                    format!(
                        "unknown scheme {scheme:?} for the Alertmanager: expected http or https"
                    ),
                ));
            }
            let (timeout, _) =
                self.duration(am.timeout, 10_000, "alertmanager timeout", am_span)?;
            let version_span = self.span(&am.api_version, am_span);
            let api_version = am.api_version.or(String::new());
            let api_version = if api_version.is_empty() {
                "v2".to_string()
            } else {
                api_version
            };
            if api_version != "v2" {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidType,
                    version_span,
                    format!(
                        "expected Alertmanager api version to be one of [v2] but got {api_version}"
                    ),
                ));
            }
            let relabel_span = self.span(&am.relabel_configs, am_span);
            let relabel_configs = self.relabel_entries(
                am.relabel_configs.or(Vec::new()),
                relabel_span,
                "relabel_configs",
                "target",
                "",
            )?;
            let alert_span = self.span(&am.alert_relabel_configs, am_span);
            let am_alert_relabel = self.relabel_entries(
                am.alert_relabel_configs.or(Vec::new()),
                alert_span,
                "alert_relabel_configs",
                "alert",
                "",
            )?;
            let mut targets = Vec::new();
            let groups_span = self.span(&am.static_configs, am_span);
            for group in am.static_configs.or(Vec::new()) {
                let group_span = self.span(&group, groups_span);
                let group = group.or(RawStaticConfig::default());
                self.label_map(group.labels, group_span)?;
                for t in group.targets.or(Vec::new()) {
                    if relabel_configs.is_empty() {
                        if let Err(e) = target::check_target_address(&t.value) {
                            return Err(ConfigError::new(
                                ConfigErrorKind::Target(e.clone()),
                                span_of(self.src, &t.referenced),
                                e.to_string(),
                            ));
                        }
                    }
                    targets.push(t.value);
                }
            }
            alertmanagers.push(AlertmanagerTargets {
                scheme,
                path_prefix: am.path_prefix.or(String::new()),
                timeout,
                api_version,
                targets,
                relabel_configs,
                alert_relabel_configs: am_alert_relabel,
            });
        }
        Ok(AlertingConfig {
            alert_relabel_configs,
            alertmanagers,
        })
    }

    fn global(&self, f: Field<RawGlobal>, fallback: Span) -> Result<GlobalConfig, ConfigError> {
        let span = self.span(&f, fallback);
        let raw = f.or(RawGlobal::default());
        let external_labels = self.label_map(raw.external_labels, span)?;
        let (mut interval, _) =
            self.duration(raw.scrape_interval, 0, "global scrape_interval", span)?;
        let (mut timeout, timeout_span) =
            self.duration(raw.scrape_timeout, 0, "global scrape_timeout", span)?;
        let (mut evaluation, _) = self.duration(
            raw.evaluation_interval,
            0,
            "global evaluation_interval",
            span,
        )?;
        if interval == 0 {
            interval = DEFAULT_SCRAPE_INTERVAL;
        }
        if timeout > interval {
            return Err(ConfigError::new(
                ConfigErrorKind::TimeoutGreaterThanInterval,
                timeout_span,
                "global scrape timeout greater than scrape interval",
            ));
        }
        if timeout == 0 {
            timeout = DEFAULT_SCRAPE_TIMEOUT.min(interval);
        }
        if evaluation == 0 {
            evaluation = DEFAULT_EVALUATION_INTERVAL;
        }
        Ok(GlobalConfig {
            scrape_interval: interval,
            scrape_timeout: timeout,
            evaluation_interval: evaluation,
            external_labels,
        })
    }

    fn scrape_config(
        &self,
        raw: RawScrapeConfig,
        global: &GlobalConfig,
        span: Span,
    ) -> Result<Job, ConfigError> {
        let name_span = self.span(&raw.job_name, span);
        let job_name = raw.job_name.or(String::new());
        let of_job = |what: &str| format!("{what} of scrape config with job name {job_name:?}");
        let (interval, interval_span) =
            self.duration(raw.scrape_interval, 0, &of_job("scrape_interval"), span)?;
        let (timeout, timeout_span) =
            self.duration(raw.scrape_timeout, 0, &of_job("scrape_timeout"), span)?;
        let relabel_configs = self.relabel_list(
            raw.relabel_configs,
            span,
            &job_name,
            "relabel_configs",
            "target",
        )?;
        let metric_relabel_configs = self.relabel_list(
            raw.metric_relabel_configs,
            span,
            &job_name,
            "metric_relabel_configs",
            "metric",
        )?;

        let mut targets = Vec::new();
        let mut target_spans = Vec::new();
        let mut target_groups = Vec::new();
        let groups_span = self.span(&raw.static_configs, span);
        for (g, group) in raw.static_configs.or(Vec::new()).into_iter().enumerate() {
            let group_span = self.span(&group, groups_span);
            let group = group.or(RawStaticConfig::default());
            let labels = self.label_map(group.labels, group_span)?;
            for (i, t) in group.targets.or(Vec::new()).into_iter().enumerate() {
                target_spans.push(span_of(self.src, &t.referenced));
                target_groups.push((g, i));
                targets.push((t.value, labels.clone()));
            }
        }

        if job_name.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::EmptyJobName,
                name_span,
                "job_name is empty",
            ));
        }
        // Without relabelling, an address with a '/' can only be a URL
        // pasted by mistake; Prometheus says so before anything else.
        if relabel_configs.is_empty() {
            for ((address, _), span) in targets.iter().zip(&target_spans) {
                if let Err(e) = target::check_target_address(address) {
                    return Err(ConfigError::new(
                        ConfigErrorKind::Target(e.clone()),
                        *span,
                        format!("{e} (static target of scrape config with job name {job_name:?})"),
                    ));
                }
            }
        }

        let interval = if interval == 0 {
            global.scrape_interval
        } else {
            interval
        };
        let timeout = if timeout == 0 {
            global.scrape_timeout.min(interval)
        } else {
            timeout
        };
        // An error about the timeout points at it, or at the interval when
        // only the interval was written.
        let timeout_span = if timeout_span != span {
            timeout_span
        } else {
            interval_span
        };
        let mut params = BTreeMap::new();
        for (k, v) in raw.params.or(BTreeMap::new()) {
            params.insert(k, v);
        }
        let config = ScrapeConfig {
            job_name,
            scrape_interval: interval,
            scrape_timeout: timeout,
            metrics_path: raw.metrics_path.or("/metrics".into()),
            scheme: raw.scheme.or("http".into()),
            params,
            honor_labels: raw.honor_labels.or(false),
            honor_timestamps: raw.honor_timestamps.or(true),
            targets,
            relabel_configs,
            metric_relabel_configs,
            sample_limit: raw.sample_limit.or(0),
            label_limit: raw.label_limit.or(0),
            label_name_length_limit: raw.label_name_length_limit.or(0),
            label_value_length_limit: raw.label_value_length_limit.or(0),
        };
        Ok(Job {
            config,
            name_span,
            timeout_span,
            target_spans,
            target_groups,
        })
    }

    fn relabel_list(
        &self,
        f: Field<Vec<Field<RawRelabelConfig>>>,
        fallback: Span,
        job: &str,
        list: &str,
        what: &str,
    ) -> Result<Vec<RelabelConfig>, ConfigError> {
        let list_span = self.span(&f, fallback);
        let of_job = format!(" of scrape config with job name {job:?}");
        self.relabel_entries(f.or(Vec::new()), list_span, list, what, &of_job)
    }

    /// Reads relabelling rules; `list` and `of_job` say where they are in
    /// messages (`relabel_configs[2] of scrape config with job name "a"`).
    fn relabel_entries(
        &self,
        entries: Vec<Field<RawRelabelConfig>>,
        list_span: Span,
        list: &str,
        what: &str,
        of_job: &str,
    ) -> Result<Vec<RelabelConfig>, ConfigError> {
        let mut out = Vec::new();
        for (i, entry) in entries.into_iter().enumerate() {
            let span = self.span(&entry, list_span);
            let Field::Set(Spanned {
                value: Some(raw), ..
            }) = entry
            else {
                let place = if of_job.is_empty() {
                    String::new()
                } else {
                    format!(
                        " in scrape config{}",
                        of_job.trim_start_matches(" of scrape config")
                    )
                };
                return Err(ConfigError::new(
                    ConfigErrorKind::NullSection,
                    span,
                    format!("empty or null {what} relabeling rule{place}"),
                ));
            };
            let context = format!("{list}[{i}]{of_job}");
            out.push(self.relabel_config(raw, span, &context)?);
        }
        Ok(out)
    }

    fn relabel_config(
        &self,
        raw: RawRelabelConfig,
        span: Span,
        context: &str,
    ) -> Result<RelabelConfig, ConfigError> {
        let err = |kind: RelabelErrorKind, span: Span| {
            let message = format!("{kind} ({context})");
            ConfigError::new(ConfigErrorKind::Relabel(kind), span, message)
        };
        let action_span = self.span(&raw.action, span);
        let action = match raw.action {
            Field::Absent => Action::Replace,
            Field::Set(s) => match s.value.as_deref() {
                None | Some("") => return Err(err(RelabelErrorKind::EmptyAction, action_span)),
                Some(name) => Action::from_name(name).ok_or_else(|| {
                    err(
                        RelabelErrorKind::UnknownAction(name.to_string()),
                        action_span,
                    )
                })?,
            },
        };
        let regex_span = self.span(&raw.regex, span);
        let regex_present = matches!(raw.regex, Field::Set(_));
        let pattern = raw.regex.or(DEFAULT_REGEX.into());
        let regex = Regexp::new(&pattern)
            .map_err(|e| err(RelabelErrorKind::InvalidRegex(e), regex_span))?;
        let mut source_labels = Vec::new();
        let sources_present = matches!(
            &raw.source_labels,
            Field::Set(Spanned { value: Some(_), .. })
        );
        for s in raw.source_labels.or(Vec::new()) {
            if !is_valid_label_name(&s.value) {
                return Err(err(
                    RelabelErrorKind::InvalidSourceLabel(s.value.clone()),
                    span_of(self.src, &s.referenced),
                ));
            }
            source_labels.push(s.value);
        }
        let target_span = self.span(&raw.target_label, span);
        let replacement_span = self.span(&raw.replacement, span);
        let cfg = RelabelConfig {
            source_labels,
            separator: raw.separator.or(DEFAULT_SEPARATOR.into()),
            regex,
            modulus: raw.modulus.or(0),
            target_label: raw.target_label.or(String::new()),
            replacement: raw.replacement.or(DEFAULT_REPLACEMENT.into()),
            action,
        };
        if let Err(kind) = cfg.validate() {
            // Point at the field the message is about.
            let at = match &kind {
                RelabelErrorKind::TargetLabelRequired(_)
                | RelabelErrorKind::InvalidTargetLabel(..) => target_span,
                RelabelErrorKind::ReplacementNotAllowed(_)
                | RelabelErrorKind::InvalidReplacement(..) => replacement_span,
                _ => span,
            };
            return Err(err(kind, at));
        }
        // Prometheus tells a written regex from the default by identity, so
        // keepequal/dropequal refuse any `regex`, even `(.*)`.
        if matches!(cfg.action, Action::KeepEqual | Action::DropEqual) && regex_present {
            return Err(err(
                RelabelErrorKind::EqualTakesOnlySourceAndTarget(cfg.action),
                span,
            ));
        }
        // Prometheus refuses `source_labels` on labeldrop/labelkeep even
        // when the list is empty; only its absence (or null) passes.
        if matches!(cfg.action, Action::LabelDrop | Action::LabelKeep) && sources_present {
            return Err(err(
                RelabelErrorKind::LabelDropKeepTakesOnlyRegex(cfg.action),
                span,
            ));
        }
        Ok(cfg)
    }
}

/// A job read from YAML, with the spans later checks point at.
struct Job {
    config: ScrapeConfig,
    name_span: Span,
    timeout_span: Span,
    target_spans: Vec<Span>,
    /// For each target: its group's and its own index, which Prometheus
    /// names in target errors.
    target_groups: Vec<(usize, usize)>,
}

// ---------------------------------------------------------------------------
// Writing.

#[derive(Serialize)]
struct OutConfig<'a> {
    global: OutGlobal<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    scrape_configs: Vec<OutScrape<'a>>,
}

#[derive(Serialize)]
struct OutScrapeConfigs<'a> {
    scrape_configs: Vec<OutScrape<'a>>,
}

#[derive(Serialize)]
struct OutGlobal<'a> {
    scrape_interval: String,
    scrape_timeout: String,
    evaluation_interval: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    external_labels: BTreeMap<&'a str, &'a str>,
}

#[derive(Serialize)]
struct OutScrape<'a> {
    job_name: &'a str,
    honor_labels: bool,
    honor_timestamps: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    params: &'a BTreeMap<String, Vec<String>>,
    scrape_interval: String,
    scrape_timeout: String,
    metrics_path: &'a str,
    scheme: &'a str,
    #[serde(skip_serializing_if = "is_zero")]
    sample_limit: u64,
    #[serde(skip_serializing_if = "is_zero")]
    label_limit: u64,
    #[serde(skip_serializing_if = "is_zero")]
    label_name_length_limit: u64,
    #[serde(skip_serializing_if = "is_zero")]
    label_value_length_limit: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    static_configs: Vec<OutStatic<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    relabel_configs: Vec<OutRelabel<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    metric_relabel_configs: Vec<OutRelabel<'a>>,
}

#[derive(Serialize)]
struct OutStatic<'a> {
    targets: Vec<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: BTreeMap<&'a str, &'a str>,
}

/// A rule as written: fields an action refuses are left out (keepequal
/// and dropequal take no regex, separator or replacement; labeldrop and
/// labelkeep take only the regex).
#[derive(Serialize)]
struct OutRelabel<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    source_labels: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    separator: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    regex: Option<&'a str>,
    #[serde(skip_serializing_if = "is_zero")]
    modulus: u64,
    #[serde(skip_serializing_if = "str::is_empty")]
    target_label: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    replacement: Option<&'a str>,
    action: &'static str,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn label_map(labels: &Labels) -> BTreeMap<&str, &str> {
    labels
        .iter()
        .map(|l| (l.name.as_str(), l.value.as_str()))
        .collect()
}

impl<'a> From<&'a ScrapeConfig> for OutScrape<'a> {
    fn from(c: &'a ScrapeConfig) -> Self {
        // Consecutive targets with the same labels share one group.
        let mut static_configs: Vec<OutStatic<'a>> = Vec::new();
        for (address, labels) in &c.targets {
            let labels = label_map(labels);
            match static_configs.last_mut() {
                Some(last) if last.labels == labels => last.targets.push(address),
                _ => static_configs.push(OutStatic {
                    targets: vec![address],
                    labels,
                }),
            }
        }
        OutScrape {
            job_name: &c.job_name,
            honor_labels: c.honor_labels,
            honor_timestamps: c.honor_timestamps,
            params: &c.params,
            scrape_interval: format_duration(c.scrape_interval),
            scrape_timeout: format_duration(c.scrape_timeout),
            metrics_path: &c.metrics_path,
            scheme: &c.scheme,
            sample_limit: c.sample_limit,
            label_limit: c.label_limit,
            label_name_length_limit: c.label_name_length_limit,
            label_value_length_limit: c.label_value_length_limit,
            static_configs,
            relabel_configs: c.relabel_configs.iter().map(OutRelabel::from).collect(),
            metric_relabel_configs: c
                .metric_relabel_configs
                .iter()
                .map(OutRelabel::from)
                .collect(),
        }
    }
}

impl<'a> From<&'a RelabelConfig> for OutRelabel<'a> {
    fn from(r: &'a RelabelConfig) -> Self {
        let equal = matches!(r.action, Action::KeepEqual | Action::DropEqual);
        let only_regex = matches!(r.action, Action::LabelDrop | Action::LabelKeep);
        OutRelabel {
            source_labels: r.source_labels.iter().map(String::as_str).collect(),
            separator: (!equal && !only_regex).then_some(r.separator.as_str()),
            regex: (!equal).then_some(r.regex.as_str()),
            modulus: r.modulus,
            target_label: &r.target_label,
            replacement: (!equal && !only_regex).then_some(r.replacement.as_str()),
            action: r.action.as_str(),
        }
    }
}

fn write_yaml<T: Serialize>(value: &T) -> String {
    // Serializing plain structs of strings, numbers and maps cannot fail;
    // should it, the error is shown as a YAML comment rather than a panic.
    serde_saphyr::to_string(value).unwrap_or_else(|e| format!("# cannot write the config: {e}\n"))
}
