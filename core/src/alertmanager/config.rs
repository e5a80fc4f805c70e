//! An `alertmanager.yml`: `global`, the `route` tree, `receivers`,
//! `inhibit_rules`, `templates` and time intervals, read with Alertmanager
//! 0.33's defaults and checks (and its messages), and written back as YAML
//! that Alertmanager accepts.
//!
//! ```
//! use promlab_core::alertmanager::config::AlertmanagerConfig;
//! let yaml = r#"
//! route:
//!   receiver: team
//!   group_by: [alertname]
//!   routes:
//!     - matchers: ['severity = "critical"']
//!       receiver: pager
//! receivers:
//!   - name: team
//!     webhook_configs: [{url: "http://127.0.0.1:5001/"}]
//!   - name: pager
//! "#;
//! let cfg = AlertmanagerConfig::parse(yaml).unwrap();
//! assert_eq!(cfg.route.routes[0].receiver.as_deref(), Some("pager"));
//! assert!(cfg.receivers[0].webhook_configs[0].send_resolved);
//!
//! let bad = "route:\n  receiver: nobody\nreceivers:\n  - name: team\n";
//! let err = AlertmanagerConfig::parse(bad).unwrap_err();
//! assert_eq!(err.render(bad).lines().next().unwrap(), r#"2:13: undefined receiver "nobody" used in route"#);
//! ```
//!
//! What the lab models fully: routing, grouping and its timers, inhibition,
//! webhooks. What it reads, checks and shows but does not simulate (each
//! listed in [`AlertmanagerConfig::notes`]): the other integrations (email,
//! Slack, PagerDuty, …), which are logged but not sent; time intervals;
//! templates, which are not rendered.
//!
//! The types are plain data with public fields, so other front ends (the
//! Prometheus Operator's `AlertmanagerConfig` resources) can build them and
//! write them out with [`AlertmanagerConfig::to_yaml`].

use super::matchers::{matcher_string, new_matcher, parse_matchers, sort_matchers};
use crate::clock::Millis;
use crate::diagnostic::{Diagnostic, Span};
use crate::duration::{format_duration, parse_duration};
use crate::labels::{MatchOp, Matcher};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use serde_saphyr::{Location, Spanned};
use std::collections::{BTreeMap, HashSet};
use std::fmt;

/// Alertmanager's default `resolve_timeout`.
pub const DEFAULT_RESOLVE_TIMEOUT: Millis = 5 * 60_000;
/// The root route's default `group_wait`.
pub const DEFAULT_GROUP_WAIT: Millis = 30_000;
/// The root route's default `group_interval`.
pub const DEFAULT_GROUP_INTERVAL: Millis = 5 * 60_000;
/// The root route's default `repeat_interval`.
pub const DEFAULT_REPEAT_INTERVAL: Millis = 4 * 3_600_000;

/// The `group_by` value that groups by every label.
pub const GROUP_BY_ALL: &str = "...";

/// A whole `alertmanager.yml`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerConfig {
    pub global: GlobalConfig,
    pub route: RouteConfig,
    pub inhibit_rules: Vec<InhibitRuleConfig>,
    pub receivers: Vec<ReceiverConfig>,
    pub templates: Vec<String>,
    /// `time_intervals` and the deprecated `mute_time_intervals`.
    pub time_intervals: Vec<TimeIntervalConfig>,
    /// What the lab reads but does not simulate, and Alertmanager's
    /// warnings.
    pub notes: Vec<ConfigNote>,
    /// The text the config was read from (empty when built in code).
    pub original: String,
}

/// `global:`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalConfig {
    /// How long after its last update an alert without `endsAt` resolves.
    pub resolve_timeout: Millis,
    /// Every other global setting (SMTP, Slack, PagerDuty, …) as written.
    pub other: BTreeMap<String, Value>,
}

impl Default for GlobalConfig {
    fn default() -> Self {
        GlobalConfig {
            resolve_timeout: DEFAULT_RESOLVE_TIMEOUT,
            other: BTreeMap::new(),
        }
    }
}

/// One node of the `route` tree as written: unset options inherit from
/// the parent (or Alertmanager's defaults at the root).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RouteConfig {
    pub receiver: Option<String>,
    /// As written, `...` included; `None` (or an empty list) inherits.
    pub group_by: Option<Vec<String>>,
    /// `match`, `match_re` and `matchers` together, sorted as Alertmanager
    /// sorts them. A `match_re` value is anchored as Alertmanager anchors
    /// it (`^(?:…)$`), which also shows in the route's key.
    pub matchers: Vec<Matcher>,
    /// `continue`: keep matching the following sibling routes.
    pub r#continue: bool,
    pub group_wait: Option<Millis>,
    pub group_interval: Option<Millis>,
    pub repeat_interval: Option<Millis>,
    pub mute_time_intervals: Vec<String>,
    pub active_time_intervals: Vec<String>,
    pub routes: Vec<RouteConfig>,
    /// Where the node is in the YAML.
    pub span: Span,
    /// Where its `receiver` is written (the node's span when it is not).
    pub receiver_span: Span,
}

/// `inhibit_rules:` entry: while an alert matching `source_matchers`
/// fires, alerts matching `target_matchers` with the same values of the
/// `equal` labels are muted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InhibitRuleConfig {
    pub name: Option<String>,
    /// `source_match`, `source_match_re` and `source_matchers` together.
    pub source_matchers: Vec<Matcher>,
    /// `target_match`, `target_match_re` and `target_matchers` together.
    pub target_matchers: Vec<Matcher>,
    pub equal: Vec<String>,
    pub span: Span,
}

/// `receivers:` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReceiverConfig {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub webhook_configs: Vec<WebhookConfig>,
    /// Every other integration, as written; logged, not sent.
    pub integrations: Vec<IntegrationConfig>,
    pub span: Span,
}

/// `webhook_configs:` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookConfig {
    pub url: Option<String>,
    pub url_file: Option<String>,
    /// Whether resolved alerts are sent too (default true for webhooks).
    pub send_resolved: bool,
    /// At most this many alerts per message, 0 for all.
    pub max_alerts: u64,
    /// 0 for none.
    pub timeout: Millis,
    pub http_config: Option<Value>,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        WebhookConfig {
            url: None,
            url_file: None,
            send_resolved: true,
            max_alerts: 0,
            timeout: 0,
            http_config: None,
        }
    }
}

/// An integration other than the webhook, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegrationConfig {
    pub kind: IntegrationKind,
    pub send_resolved: bool,
    /// Its fields other than `send_resolved`.
    pub fields: BTreeMap<String, Value>,
}

/// The integrations Alertmanager 0.33 has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationKind {
    Webhook,
    Email,
    Slack,
    Pagerduty,
    Opsgenie,
    Wechat,
    Pushover,
    Victorops,
    Sns,
    Telegram,
    Discord,
    Webex,
    Msteams,
    Msteamsv2,
    Jira,
    Rocketchat,
    Mattermost,
    Incidentio,
}

impl IntegrationKind {
    /// The integration's name as Alertmanager logs it (`webhook`, `email`).
    pub fn as_str(self) -> &'static str {
        spec(self).name
    }

    /// The receiver key that lists it (`email_configs`).
    pub fn key(self) -> &'static str {
        spec(self).key
    }

    /// Whether resolved alerts are sent unless the config says otherwise.
    pub fn default_send_resolved(self) -> bool {
        spec(self).send_resolved
    }

    pub fn from_key(key: &str) -> Option<Self> {
        INTEGRATIONS.iter().find(|s| s.key == key).map(|s| s.kind)
    }

    /// Every integration, the webhook first.
    pub fn all() -> impl Iterator<Item = IntegrationKind> {
        INTEGRATIONS.iter().map(|s| s.kind)
    }

    /// The fields Alertmanager knows for it, besides `send_resolved` and
    /// `http_config`.
    pub fn fields(self) -> &'static [&'static str] {
        spec(self).fields
    }
}

/// The `global` settings Alertmanager 0.33 knows besides `resolve_timeout`.
pub fn global_fields() -> &'static [&'static str] {
    GLOBAL_FIELDS
}

/// A named time interval; the lab keeps it as written and does not apply
/// it.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeIntervalConfig {
    pub name: String,
    pub time_intervals: Vec<Value>,
    /// Listed under the deprecated `mute_time_intervals`.
    pub deprecated: bool,
}

/// Something in the config the lab reads but does not act on, or a
/// warning Alertmanager would log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigNote {
    pub kind: NoteKind,
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// An integration other than the webhook: logged, not sent.
    IntegrationNotSent,
    /// `mute_time_intervals`/`active_time_intervals` on a route: not
    /// applied.
    TimeIntervalsNotSimulated,
    /// `templates`: not rendered.
    TemplatesNotRendered,
    /// A matcher only the classic parser reads; Alertmanager warns.
    ClassicMatcherSyntax,
    /// A deprecated field (`match`, `match_re`, `source_match`, …).
    Deprecated,
}

/// What is wrong with a config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigErrorKind {
    /// Text that is not YAML.
    Syntax,
    /// A field Alertmanager does not have.
    UnknownField,
    /// A value of the wrong type.
    InvalidType,
    DuplicateKey,
    InvalidDuration,
    /// A matcher that does not parse, or a bad regex.
    InvalidMatcher,
    InvalidLabelName,
    /// The file has no `route`.
    NoRoute,
    RootRouteWithoutReceiver,
    RootRouteWithMatchers,
    RootRouteWithTimeIntervals,
    RootRouteContinue,
    UndefinedReceiver,
    DuplicateReceiver,
    MissingReceiverName,
    /// `...` together with label names in `group_by`.
    GroupByAllWithLabels,
    DuplicateGroupBy,
    ZeroGroupInterval,
    ZeroRepeatInterval,
    /// A webhook (or other integration) URL that is missing, doubled or
    /// not an http(s) URL.
    InvalidUrl,
    /// An integration without a field it needs (Alertmanager's message
    /// says which).
    IntegrationRequirement,
    UndefinedTimeInterval,
    DuplicateTimeInterval,
    InvalidTimeInterval,
}

/// An error in a config, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub kind: ConfigErrorKind,
    pub span: Span,
    /// Alertmanager's message where it has one.
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

    /// `line:col: message` and the line with a caret.
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

impl AlertmanagerConfig {
    /// A config with only a root route to `receiver` (which has no
    /// integrations).
    pub fn with_receiver(receiver: &str) -> Self {
        AlertmanagerConfig {
            global: GlobalConfig::default(),
            route: RouteConfig {
                receiver: Some(receiver.to_string()),
                ..Default::default()
            },
            inhibit_rules: Vec::new(),
            receivers: vec![ReceiverConfig {
                name: receiver.to_string(),
                ..Default::default()
            }],
            templates: Vec::new(),
            time_intervals: Vec::new(),
            notes: Vec::new(),
            original: String::new(),
        }
    }

    /// Reads an `alertmanager.yml` and checks it as Alertmanager 0.33 (and
    /// `amtool check-config`) does.
    pub fn parse(yaml: &str) -> Result<Self, ConfigError> {
        let raw: Option<RawConfig> =
            serde_saphyr::from_str(yaml).map_err(|e| yaml_error(yaml, &e))?;
        let Some(raw) = raw else {
            // An empty document never reaches Alertmanager's own checks.
            return Err(ConfigError::new(
                ConfigErrorKind::NoRoute,
                Span::at(0),
                "no route provided in config",
            ));
        };
        let mut reader = Reader {
            src: yaml,
            notes: Vec::new(),
        };
        let mut cfg = reader.config(raw)?;
        cfg.notes = reader.notes;
        cfg.original = yaml.to_string();
        Ok(cfg)
    }

    /// The receiver named `name`.
    pub fn receiver(&self, name: &str) -> Option<&ReceiverConfig> {
        self.receivers.iter().find(|r| r.name == name)
    }

    /// The config as an `alertmanager.yml` that Alertmanager reads back to
    /// the same config: defaults written out, matchers in the current
    /// syntax.
    pub fn to_yaml(&self) -> String {
        let out = OutConfig {
            global: {
                let mut g: BTreeMap<String, Value> = self.global.other.clone();
                g.insert(
                    "resolve_timeout".into(),
                    Value::String(format_duration(self.global.resolve_timeout)),
                );
                g
            },
            route: OutRoute::from(&self.route),
            inhibit_rules: self.inhibit_rules.iter().map(OutInhibit::from).collect(),
            receivers: self.receivers.iter().map(OutReceiver::from).collect(),
            templates: self.templates.clone(),
            mute_time_intervals: self
                .time_intervals
                .iter()
                .filter(|t| t.deprecated)
                .map(OutTimeInterval::from)
                .collect(),
            time_intervals: self
                .time_intervals
                .iter()
                .filter(|t| !t.deprecated)
                .map(OutTimeInterval::from)
                .collect(),
        };
        serde_saphyr::to_string(&out)
            .unwrap_or_else(|e| format!("# cannot write the config: {e}\n"))
    }
}

mod integrations;
use integrations::{has, spec, GLOBAL_FIELDS, INTEGRATIONS};

/// The fields of one time interval entry.
const TIME_INTERVAL_FIELDS: &[&str] = &[
    "times",
    "weekdays",
    "days_of_month",
    "months",
    "years",
    "location",
];

// ---------------------------------------------------------------------------
// Reading.

/// A field as Go's YAML reader sees it: absent, or present with a value or
/// null.
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

impl<T> Field<T> {
    fn value(self) -> Option<T> {
        match self {
            Field::Absent => None,
            Field::Set(s) => s.value,
        }
    }

    fn location(&self) -> Option<&Location> {
        match self {
            Field::Absent => None,
            Field::Set(s) => Some(&s.referenced),
        }
    }

    fn is_set(&self) -> bool {
        matches!(self, Field::Set(Spanned { value: Some(_), .. }))
    }
}

type Strings = Vec<Spanned<String>>;
/// A list whose entries may each be null.
type RawList<T> = Field<Vec<Spanned<Option<T>>>>;
type StringMap = BTreeMap<String, String>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    global: Field<BTreeMap<String, Value>>,
    #[serde(default)]
    route: Field<RawRoute>,
    #[serde(default)]
    inhibit_rules: RawList<RawInhibitRule>,
    #[serde(default)]
    receivers: RawList<RawReceiver>,
    #[serde(default)]
    templates: Field<Vec<String>>,
    #[serde(default)]
    mute_time_intervals: RawList<RawTimeInterval>,
    #[serde(default)]
    time_intervals: RawList<RawTimeInterval>,
    #[serde(default)]
    tracing: Field<BTreeMap<String, Value>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    #[serde(default)]
    receiver: Field<String>,
    #[serde(default)]
    group_by: Field<Strings>,
    #[serde(default, rename = "match")]
    match_: Field<StringMap>,
    #[serde(default)]
    match_re: Field<StringMap>,
    #[serde(default)]
    matchers: Field<Strings>,
    #[serde(default)]
    mute_time_intervals: Field<Strings>,
    #[serde(default)]
    active_time_intervals: Field<Strings>,
    #[serde(default, rename = "continue")]
    continue_: Field<bool>,
    #[serde(default)]
    routes: RawList<RawRoute>,
    #[serde(default)]
    group_wait: Field<String>,
    #[serde(default)]
    group_interval: Field<String>,
    #[serde(default)]
    repeat_interval: Field<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInhibitRule {
    #[serde(default)]
    name: Field<String>,
    #[serde(default)]
    source_match: Field<StringMap>,
    #[serde(default)]
    source_match_re: Field<StringMap>,
    #[serde(default)]
    source_matchers: Field<Strings>,
    #[serde(default)]
    target_match: Field<StringMap>,
    #[serde(default)]
    target_match_re: Field<StringMap>,
    #[serde(default)]
    target_matchers: Field<Strings>,
    #[serde(default)]
    equal: Field<Strings>,
}

type RawIntegrations = RawList<BTreeMap<String, Value>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReceiver {
    #[serde(default)]
    name: Field<String>,
    #[serde(default)]
    labels: Field<StringMap>,
    #[serde(default)]
    webhook_configs: RawIntegrations,
    #[serde(default)]
    email_configs: RawIntegrations,
    #[serde(default)]
    slack_configs: RawIntegrations,
    #[serde(default)]
    pagerduty_configs: RawIntegrations,
    #[serde(default)]
    opsgenie_configs: RawIntegrations,
    #[serde(default)]
    wechat_configs: RawIntegrations,
    #[serde(default)]
    pushover_configs: RawIntegrations,
    #[serde(default)]
    victorops_configs: RawIntegrations,
    #[serde(default)]
    sns_configs: RawIntegrations,
    #[serde(default)]
    telegram_configs: RawIntegrations,
    #[serde(default)]
    discord_configs: RawIntegrations,
    #[serde(default)]
    webex_configs: RawIntegrations,
    #[serde(default)]
    msteams_configs: RawIntegrations,
    #[serde(default)]
    msteamsv2_configs: RawIntegrations,
    #[serde(default)]
    jira_configs: RawIntegrations,
    #[serde(default)]
    rocketchat_configs: RawIntegrations,
    #[serde(default)]
    mattermost_configs: RawIntegrations,
    #[serde(default)]
    incidentio_configs: RawIntegrations,
}

impl RawReceiver {
    /// The integration lists in Alertmanager's order of checks.
    fn integrations(self) -> Vec<(IntegrationKind, RawIntegrations)> {
        use IntegrationKind as K;
        vec![
            (K::Webhook, self.webhook_configs),
            (K::Email, self.email_configs),
            (K::Slack, self.slack_configs),
            (K::Pushover, self.pushover_configs),
            (K::Pagerduty, self.pagerduty_configs),
            (K::Incidentio, self.incidentio_configs),
            (K::Opsgenie, self.opsgenie_configs),
            (K::Wechat, self.wechat_configs),
            (K::Victorops, self.victorops_configs),
            (K::Sns, self.sns_configs),
            (K::Telegram, self.telegram_configs),
            (K::Discord, self.discord_configs),
            (K::Webex, self.webex_configs),
            (K::Msteams, self.msteams_configs),
            (K::Msteamsv2, self.msteamsv2_configs),
            (K::Jira, self.jira_configs),
            (K::Rocketchat, self.rocketchat_configs),
            (K::Mattermost, self.mattermost_configs),
        ]
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTimeInterval {
    #[serde(default)]
    name: Field<String>,
    #[serde(default)]
    time_intervals: RawList<BTreeMap<String, Value>>,
}

/// Turns a YAML reader error into a [`ConfigError`].
fn yaml_error(src: &str, e: &serde_saphyr::Error) -> ConfigError {
    use serde_saphyr::MessageFormatter;
    let message = serde_saphyr::DefaultMessageFormatter
        .format_message(e.without_snippet())
        .into_owned();
    let span = e.location().map_or(Span::at(0), |l| span_of(src, &l));
    let (kind, message) = if message.starts_with("unknown field `") {
        (ConfigErrorKind::UnknownField, message)
    } else if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or("");
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
    // Without a byte offset, count lines and characters.
    let mut offset = 0;
    for (i, l) in src.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == loc.line() {
            let col = usize::try_from(loc.column().saturating_sub(1)).unwrap_or(usize::MAX);
            let at = l
                .char_indices()
                .nth(col)
                .map_or(l.trim_end_matches('\n').len(), |(b, _)| b);
            return Span::at(offset + at);
        }
        offset += l.len();
    }
    Span::at(src.len())
}

/// Classic (PromQL) label names, which `match`, `match_re` and their
/// inhibition forms require.
fn is_classic_label_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Turns raw YAML values into the config, checking as it goes.
struct Reader<'a> {
    src: &'a str,
    notes: Vec<ConfigNote>,
}

type ConfigResult<T> = Result<T, ConfigError>;

/// A top-level section, for checking them in the order they are written,
/// as Alertmanager's reader meets them.
enum Section {
    Global(Field<BTreeMap<String, Value>>),
    Route(Box<Field<RawRoute>>),
    Inhibit(RawList<RawInhibitRule>),
    Receivers(RawList<RawReceiver>),
    Templates(Field<Vec<String>>),
    MuteTimeIntervals(RawList<RawTimeInterval>),
    TimeIntervals(RawList<RawTimeInterval>),
    Tracing(Field<BTreeMap<String, Value>>),
}

impl Reader<'_> {
    fn span_of(&self, loc: &Location) -> Span {
        span_of(self.src, loc)
    }

    fn span<T>(&self, f: &Field<T>, fallback: Span) -> Span {
        f.location().map_or(fallback, |l| self.span_of(l))
    }

    fn note(&mut self, kind: NoteKind, span: Span, message: impl Into<String>) {
        self.notes.push(ConfigNote {
            kind,
            span,
            message: message.into(),
        });
    }

    fn config(&mut self, raw: RawConfig) -> ConfigResult<AlertmanagerConfig> {
        let whole = Span::new(0, self.src.len());
        let mut sections: Vec<(usize, Section)> = vec![
            (
                self.span(&raw.global, whole).start,
                Section::Global(raw.global),
            ),
            (
                self.span(&raw.route, whole).start,
                Section::Route(Box::new(raw.route)),
            ),
            (
                self.span(&raw.inhibit_rules, whole).start,
                Section::Inhibit(raw.inhibit_rules),
            ),
            (
                self.span(&raw.receivers, whole).start,
                Section::Receivers(raw.receivers),
            ),
            (
                self.span(&raw.templates, whole).start,
                Section::Templates(raw.templates),
            ),
            (
                self.span(&raw.mute_time_intervals, whole).start,
                Section::MuteTimeIntervals(raw.mute_time_intervals),
            ),
            (
                self.span(&raw.time_intervals, whole).start,
                Section::TimeIntervals(raw.time_intervals),
            ),
            (
                self.span(&raw.tracing, whole).start,
                Section::Tracing(raw.tracing),
            ),
        ];
        sections.sort_by_key(|(at, _)| *at);

        let mut global = GlobalConfig::default();
        let mut route: Option<RouteConfig> = None;
        let mut inhibit_rules = Vec::new();
        let mut raw_receivers = Vec::new();
        let mut templates = Vec::new();
        let mut time_intervals = Vec::new();
        for (_, section) in sections {
            match section {
                Section::Global(f) => {
                    let span = self.span(&f, whole);
                    global = self.global(f.value().unwrap_or_default(), span)?;
                }
                Section::Route(f) => {
                    let span = self.span(&f, whole);
                    if let Some(r) = (*f).value() {
                        route = Some(self.route(r, span)?);
                    }
                }
                Section::Inhibit(f) => {
                    for entry in f.value().unwrap_or_default() {
                        let span = self.span_of(&entry.referenced);
                        let rule = entry.value.unwrap_or_default();
                        inhibit_rules.push(self.inhibit_rule(rule, span)?);
                    }
                }
                // Receivers need the global config, which may come later
                // in the file: only their own checks run here.
                Section::Receivers(f) => {
                    for entry in f.value().unwrap_or_default() {
                        let span = self.span_of(&entry.referenced);
                        let raw = entry.value.unwrap_or_default();
                        raw_receivers.push(self.receiver(raw, span)?);
                    }
                }
                Section::Templates(f) => {
                    let span = self.span(&f, whole);
                    templates = f.value().unwrap_or_default();
                    if !templates.is_empty() {
                        self.note(
                            NoteKind::TemplatesNotRendered,
                            span,
                            "templates are read but not rendered: notifications carry Alertmanager's data, not text",
                        );
                    }
                }
                Section::MuteTimeIntervals(f) => {
                    for entry in f.value().unwrap_or_default() {
                        time_intervals.push(self.time_interval(entry, true)?);
                    }
                }
                Section::TimeIntervals(f) => {
                    for entry in f.value().unwrap_or_default() {
                        time_intervals.push(self.time_interval(entry, false)?);
                    }
                }
                Section::Tracing(f) => {
                    let span = self.span(&f, whole);
                    if let Some(t) = f.value() {
                        if t.get("endpoint")
                            .and_then(Value::as_str)
                            .is_none_or(str::is_empty)
                        {
                            return Err(ConfigError::new(
                                ConfigErrorKind::InvalidType,
                                span,
                                "tracing endpoint must be set",
                            ));
                        }
                    }
                }
            }
        }

        // Checks across the config, in Alertmanager's order.
        let mut names = HashSet::new();
        let mut receivers = Vec::new();
        for (receiver, raw_integrations) in raw_receivers {
            if !names.insert(receiver.name.clone()) {
                return Err(ConfigError::new(
                    ConfigErrorKind::DuplicateReceiver,
                    receiver.span,
                    format!("notification config name {:?} is not unique", receiver.name),
                ));
            }
            receivers.push(self.integrations(receiver, raw_integrations, &global)?);
        }
        let Some(route) = route else {
            return Err(ConfigError::new(
                ConfigErrorKind::NoRoute,
                Span::at(0),
                "no routes provided",
            ));
        };
        if route.receiver.as_deref().unwrap_or("").is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::RootRouteWithoutReceiver,
                route.span,
                "root route must specify a default receiver",
            ));
        }
        if !route.matchers.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::RootRouteWithMatchers,
                route.span,
                "root route must not have any matchers",
            ));
        }
        if !route.mute_time_intervals.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::RootRouteWithTimeIntervals,
                route.span,
                "root route must not have any mute time intervals",
            ));
        }
        if !route.active_time_intervals.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::RootRouteWithTimeIntervals,
                route.span,
                "root route must not have any active time intervals",
            ));
        }
        check_receivers(&route, &names)?;
        let mut interval_names = HashSet::new();
        for t in &time_intervals {
            if !interval_names.insert(t.0.name.clone()) {
                let what = if t.0.deprecated {
                    "mute time interval"
                } else {
                    "time interval"
                };
                return Err(ConfigError::new(
                    ConfigErrorKind::DuplicateTimeInterval,
                    t.1,
                    format!("{what} {:?} is not unique", t.0.name),
                ));
            }
        }
        check_time_intervals(&route, &interval_names)?;
        if route.r#continue {
            return Err(ConfigError::new(
                ConfigErrorKind::RootRouteContinue,
                route.span,
                "cannot have continue in root route",
            ));
        }
        Ok(AlertmanagerConfig {
            global,
            route,
            inhibit_rules,
            receivers,
            templates,
            time_intervals: time_intervals.into_iter().map(|t| t.0).collect(),
            notes: Vec::new(),
            original: String::new(),
        })
    }

    fn global(
        &mut self,
        mut map: BTreeMap<String, Value>,
        span: Span,
    ) -> ConfigResult<GlobalConfig> {
        let mut global = GlobalConfig::default();
        if let Some(v) = map.remove("resolve_timeout") {
            global.resolve_timeout = match v {
                Value::Null => 0,
                Value::String(s) => parse_duration(&s).map_err(|e| {
                    ConfigError::new(
                        ConfigErrorKind::InvalidDuration,
                        span,
                        format!("{e} (global resolve_timeout)"),
                    )
                })?,
                other => {
                    return Err(ConfigError::new(
                        ConfigErrorKind::InvalidType,
                        span,
                        format!(
                            "invalid type: {other}, expected a duration (global resolve_timeout)"
                        ),
                    ))
                }
            };
        }
        for key in map.keys() {
            if !GLOBAL_FIELDS.contains(&key.as_str()) {
                return Err(ConfigError::new(
                    ConfigErrorKind::UnknownField,
                    span,
                    format!("unknown field `{key}` in global"),
                ));
            }
        }
        for (a, b) in [
            ("slack_api_url", "slack_api_url_file"),
            ("slack_app_token", "slack_app_token_file"),
            ("opsgenie_api_key", "opsgenie_api_key_file"),
            ("victorops_api_key", "victorops_api_key_file"),
            ("smtp_auth_password", "smtp_auth_password_file"),
            ("smtp_auth_secret", "smtp_auth_secret_file"),
            ("rocketchat_token", "rocketchat_token_file"),
            ("rocketchat_token_id", "rocketchat_token_id_file"),
        ] {
            if has(&map, a) && has(&map, b) {
                return Err(ConfigError::new(
                    ConfigErrorKind::IntegrationRequirement,
                    span,
                    format!("at most one of {a} & {b} must be configured"),
                ));
            }
        }
        global.other = map;
        Ok(global)
    }

    fn duration(&self, f: Field<String>, what: &str) -> ConfigResult<Option<Millis>> {
        let span = self.span(&f, Span::at(0));
        match f {
            Field::Absent | Field::Set(Spanned { value: None, .. }) => Ok(None),
            Field::Set(Spanned {
                value: Some(text), ..
            }) => parse_duration(&text).map(Some).map_err(|e| {
                ConfigError::new(
                    ConfigErrorKind::InvalidDuration,
                    span,
                    format!("{e} ({what})"),
                )
            }),
        }
    }

    /// `match` and `match_re` of a route or an inhibition rule, as
    /// Alertmanager turns them into matchers.
    fn legacy_matchers(
        &mut self,
        equal: Field<StringMap>,
        regex: Field<StringMap>,
        fallback: Span,
        field: &str,
    ) -> ConfigResult<Vec<Matcher>> {
        let mut out = Vec::new();
        let eq_span = self.span(&equal, fallback);
        let re_span = self.span(&regex, fallback);
        if equal.is_set() || regex.is_set() {
            let at = if equal.is_set() { eq_span } else { re_span };
            self.note(
                NoteKind::Deprecated,
                at,
                format!("`{field}` and `{field}_re` are deprecated: use `{field}ers`"),
            );
        }
        for (name, value) in equal.value().unwrap_or_default() {
            if !is_classic_label_name(&name) {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidLabelName,
                    eq_span,
                    format!("invalid label name {name:?}"),
                ));
            }
            out.push(Matcher::equal(name, value));
        }
        for (name, value) in regex.value().unwrap_or_default() {
            if !is_classic_label_name(&name) {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidLabelName,
                    re_span,
                    format!("invalid label name {name:?}"),
                ));
            }
            let invalid = |e| ConfigError::new(ConfigErrorKind::InvalidMatcher, re_span, e);
            new_matcher(&name, MatchOp::Regex, &value).map_err(invalid)?;
            // Alertmanager keeps the anchored form as the value, which
            // shows in the route's key.
            let m =
                new_matcher(&name, MatchOp::Regex, &format!("^(?:{value})$")).map_err(invalid)?;
            out.push(m);
        }
        Ok(out)
    }

    /// A `matchers` list: each entry is one or more matchers.
    fn matchers(&mut self, f: Field<Strings>) -> ConfigResult<Vec<Matcher>> {
        let mut out = Vec::new();
        for entry in f.value().unwrap_or_default() {
            let span = self.span_of(&entry.referenced);
            let parsed = parse_matchers(&entry.value).map_err(|e| {
                // Point inside the string when it is written plainly.
                let inner = self
                    .src
                    .get(span.start..span.end)
                    .filter(|s| *s == entry.value)
                    .map_or(span, |_| {
                        Span::new(span.start + e.span.start, span.start + e.span.end)
                    });
                ConfigError::new(ConfigErrorKind::InvalidMatcher, inner, e.message)
            })?;
            if let Some(w) = parsed.fallback_warning {
                self.note(
                    NoteKind::ClassicMatcherSyntax,
                    span,
                    format!(
                        "Alertmanager reads {:?} only with its classic parser ({}); it suggests {}",
                        entry.value,
                        w.message,
                        parsed
                            .matchers
                            .iter()
                            .map(matcher_string)
                            .collect::<Vec<_>>()
                            .join(",")
                    ),
                );
            }
            out.extend(parsed.matchers);
        }
        Ok(out)
    }

    fn names(&self, f: Field<Strings>) -> Vec<(String, Span)> {
        f.value()
            .unwrap_or_default()
            .into_iter()
            .map(|s| {
                let span = self.span_of(&s.referenced);
                (s.value, span)
            })
            .collect()
    }

    fn route(&mut self, raw: RawRoute, span: Span) -> ConfigResult<RouteConfig> {
        // Alertmanager's reader checks the nested routes before the route
        // itself.
        let mut routes = Vec::new();
        for child in raw.routes.value().unwrap_or_default() {
            let child_span = self.span_of(&child.referenced);
            routes.push(self.route(child.value.unwrap_or_default(), child_span)?);
        }
        let receiver_span = self.span(&raw.receiver, span);
        let group_by_span = self.span(&raw.group_by, span);
        let mut matchers = self.legacy_matchers(raw.match_, raw.match_re, span, "match")?;
        matchers.extend(self.matchers(raw.matchers)?);
        sort_matchers(&mut matchers);

        let group_by = if raw.group_by.is_set() {
            let entries = self.names(raw.group_by);
            let mut all = false;
            let mut seen = HashSet::new();
            let mut labels = Vec::new();
            for (name, at) in &entries {
                if name == GROUP_BY_ALL {
                    all = true;
                } else if name.is_empty() {
                    return Err(ConfigError::new(
                        ConfigErrorKind::InvalidLabelName,
                        *at,
                        format!("invalid label name {name:?} in group_by list"),
                    ));
                } else {
                    labels.push((name.clone(), *at));
                }
            }
            if all && !labels.is_empty() {
                return Err(ConfigError::new(
                    ConfigErrorKind::GroupByAllWithLabels,
                    group_by_span,
                    "cannot have wildcard group_by (`...`) and other labels at the same time",
                ));
            }
            for (name, at) in &labels {
                if !seen.insert(name.clone()) {
                    return Err(ConfigError::new(
                        ConfigErrorKind::DuplicateGroupBy,
                        *at,
                        format!("duplicated label {name:?} in group_by"),
                    ));
                }
            }
            Some(entries.into_iter().map(|(n, _)| n).collect())
        } else {
            None
        };
        let interval_span = self.span(&raw.group_interval, span);
        let repeat_span = self.span(&raw.repeat_interval, span);
        let group_wait = self.duration(raw.group_wait, "group_wait")?;
        let group_interval = self.duration(raw.group_interval, "group_interval")?;
        let repeat_interval = self.duration(raw.repeat_interval, "repeat_interval")?;
        if group_interval == Some(0) {
            return Err(ConfigError::new(
                ConfigErrorKind::ZeroGroupInterval,
                interval_span,
                "group_interval cannot be zero",
            ));
        }
        if repeat_interval == Some(0) {
            return Err(ConfigError::new(
                ConfigErrorKind::ZeroRepeatInterval,
                repeat_span,
                "repeat_interval cannot be zero",
            ));
        }
        let mute = raw.mute_time_intervals;
        let active = raw.active_time_intervals;
        if mute.is_set() || active.is_set() {
            let at = if mute.is_set() {
                self.span(&mute, span)
            } else {
                self.span(&active, span)
            };
            self.note(
                NoteKind::TimeIntervalsNotSimulated,
                at,
                "mute_time_intervals and active_time_intervals are read but not applied: the lab sends notifications at any time",
            );
        }
        Ok(RouteConfig {
            receiver: raw.receiver.value(),
            group_by,
            matchers,
            r#continue: raw.continue_.value().unwrap_or(false),
            group_wait,
            group_interval,
            repeat_interval,
            mute_time_intervals: self.names(mute).into_iter().map(|(n, _)| n).collect(),
            active_time_intervals: self.names(active).into_iter().map(|(n, _)| n).collect(),
            routes,
            span,
            receiver_span,
        })
    }

    fn inhibit_rule(&mut self, raw: RawInhibitRule, span: Span) -> ConfigResult<InhibitRuleConfig> {
        let mut source =
            self.legacy_matchers(raw.source_match, raw.source_match_re, span, "source_match")?;
        source.extend(self.matchers(raw.source_matchers)?);
        sort_matchers(&mut source);
        let mut target =
            self.legacy_matchers(raw.target_match, raw.target_match_re, span, "target_match")?;
        target.extend(self.matchers(raw.target_matchers)?);
        sort_matchers(&mut target);
        let mut equal = Vec::new();
        for (name, at) in self.names(raw.equal) {
            if name.is_empty() {
                return Err(ConfigError::new(
                    ConfigErrorKind::InvalidLabelName,
                    at,
                    format!("invalid label name {name:?} in equal list"),
                ));
            }
            equal.push(name);
        }
        Ok(InhibitRuleConfig {
            name: raw.name.value().filter(|n| !n.is_empty()),
            source_matchers: source,
            target_matchers: target,
            equal,
            span,
        })
    }

    /// A receiver's own checks (its integrations' fields and name); the
    /// checks that need the global config come later.
    fn receiver(
        &mut self,
        raw: RawReceiver,
        span: Span,
    ) -> ConfigResult<(ReceiverConfig, Vec<RawIntegrationEntry>)> {
        let name_span = self.span(&raw.name, span);
        let mut raw = raw;
        let name = std::mem::take(&mut raw.name).value().unwrap_or_default();
        let labels = std::mem::take(&mut raw.labels).value().unwrap_or_default();
        let mut entries = Vec::new();
        for (kind, list) in raw.integrations() {
            for entry in list.value().unwrap_or_default() {
                let at = self.span_of(&entry.referenced);
                let fields = entry.value.unwrap_or_default();
                let spec = spec(kind);
                for key in fields.keys() {
                    let known = key == "send_resolved"
                        || key == "http_config"
                        || spec.fields.contains(&key.as_str());
                    if !known {
                        return Err(ConfigError::new(
                            ConfigErrorKind::UnknownField,
                            at,
                            format!("unknown field `{key}` in {}", spec.key),
                        ));
                    }
                }
                if let Some(v) = fields.get("send_resolved") {
                    if !(v.is_boolean() || v.is_null()) {
                        return Err(ConfigError::new(
                            ConfigErrorKind::InvalidType,
                            at,
                            format!("invalid type: {v}, expected a boolean (send_resolved)"),
                        ));
                    }
                }
                if kind == IntegrationKind::Webhook {
                    check_webhook(&fields, at)?;
                }
                entries.push(RawIntegrationEntry {
                    kind,
                    fields,
                    span: at,
                });
            }
        }
        if name.is_empty() {
            return Err(ConfigError::new(
                ConfigErrorKind::MissingReceiverName,
                name_span,
                "missing name in receiver",
            ));
        }
        Ok((
            ReceiverConfig {
                name,
                labels,
                webhook_configs: Vec::new(),
                integrations: Vec::new(),
                span: name_span,
            },
            entries,
        ))
    }

    /// A receiver's integrations, checked against the global config.
    fn integrations(
        &mut self,
        mut receiver: ReceiverConfig,
        entries: Vec<RawIntegrationEntry>,
        global: &GlobalConfig,
    ) -> ConfigResult<ReceiverConfig> {
        for RawIntegrationEntry { kind, fields, span } in entries {
            (spec(kind).check)(&fields, global).map_err(|message| {
                ConfigError::new(ConfigErrorKind::IntegrationRequirement, span, message)
            })?;
            let send_resolved = match fields.get("send_resolved") {
                Some(Value::Bool(b)) => *b,
                Some(_) => false,
                None => kind.default_send_resolved(),
            };
            if kind == IntegrationKind::Webhook {
                receiver.webhook_configs.push(WebhookConfig {
                    url: fields
                        .get("url")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    url_file: fields
                        .get("url_file")
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string),
                    send_resolved,
                    max_alerts: fields
                        .get("max_alerts")
                        .and_then(Value::as_u64)
                        .unwrap_or(0),
                    timeout: fields
                        .get("timeout")
                        .and_then(Value::as_str)
                        .and_then(|t| parse_go_duration(t).ok())
                        .unwrap_or(0),
                    http_config: fields.get("http_config").cloned(),
                });
            } else {
                self.note(
                    NoteKind::IntegrationNotSent,
                    span,
                    format!(
                        "{} notifications of receiver {:?} are logged, not sent",
                        kind.as_str(),
                        receiver.name
                    ),
                );
                let mut fields = fields;
                fields.remove("send_resolved");
                receiver.integrations.push(IntegrationConfig {
                    kind,
                    send_resolved,
                    fields,
                });
            }
        }
        Ok(receiver)
    }

    fn time_interval(
        &mut self,
        entry: Spanned<Option<RawTimeInterval>>,
        deprecated: bool,
    ) -> ConfigResult<(TimeIntervalConfig, Span)> {
        let span = self.span_of(&entry.referenced);
        let raw = entry.value.unwrap_or_default();
        let mut intervals = Vec::new();
        for item in raw.time_intervals.value().unwrap_or_default() {
            let at = self.span_of(&item.referenced);
            let map = item.value.unwrap_or_default();
            for key in map.keys() {
                if !TIME_INTERVAL_FIELDS.contains(&key.as_str()) {
                    return Err(ConfigError::new(
                        ConfigErrorKind::UnknownField,
                        at,
                        format!("unknown field `{key}` in time_intervals"),
                    ));
                }
            }
            check_times(&map)
                .map_err(|m| ConfigError::new(ConfigErrorKind::InvalidTimeInterval, at, m))?;
            intervals.push(Value::Object(map.into_iter().collect()));
        }
        let name = raw.name.value().unwrap_or_default();
        if name.is_empty() {
            let what = if deprecated {
                "missing name in mute time interval"
            } else {
                "missing name in time interval"
            };
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidTimeInterval,
                span,
                what,
            ));
        }
        Ok((
            TimeIntervalConfig {
                name,
                time_intervals: intervals,
                deprecated,
            },
            span,
        ))
    }
}

struct RawIntegrationEntry {
    kind: IntegrationKind,
    fields: BTreeMap<String, Value>,
    span: Span,
}

/// A webhook's `url`/`url_file`, as Alertmanager checks them.
fn check_webhook(fields: &BTreeMap<String, Value>, span: Span) -> ConfigResult<()> {
    let err = |message: String| ConfigError::new(ConfigErrorKind::InvalidUrl, span, message);
    let url = fields.get("url").filter(|v| !v.is_null());
    let url_file = has(fields, "url_file");
    if let Some(v) = fields.get("max_alerts") {
        if !(v.is_u64() || v.is_null()) {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidType,
                span,
                format!("invalid type: {v}, expected a non-negative integer (max_alerts)"),
            ));
        }
    }
    if let Some(Value::String(t)) = fields.get("timeout") {
        parse_go_duration(t)
            .map_err(|m| ConfigError::new(ConfigErrorKind::InvalidDuration, span, m))?;
    }
    match (url, url_file) {
        (None, false) => return Err(err("one of url or url_file must be configured".into())),
        (Some(_), true) => {
            return Err(err(
                "at most one of url & url_file must be configured".into()
            ))
        }
        _ => {}
    }
    if let Some(v) = url {
        let Some(text) = v.as_str() else {
            return Err(ConfigError::new(
                ConfigErrorKind::InvalidType,
                span,
                format!("invalid type: {v}, expected a URL string (url)"),
            ));
        };
        // A templated URL is only checked once rendered.
        if !text.contains("{{") {
            check_http_url(text).map_err(|m| err(format!("invalid URL: {m}")))?;
        }
    }
    Ok(())
}

/// Alertmanager's URL check as Go's `url.Parse` sees the URL: http or
/// https, with a host.
fn check_http_url(text: &str) -> Result<(), String> {
    let parse_error = |what: &str| format!("parse {text:?}: {what}");
    // Go's getScheme: letters, then letters, digits, `+`, `-`, `.`, up to
    // a colon; a digit or other character first means no scheme.
    let mut scheme = None;
    for (i, c) in text.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return Err(parse_error("missing protocol scheme")),
            ':' => {
                scheme = Some((&text[..i], &text[i + 1..]));
                break;
            }
            _ => break,
        }
    }
    let Some((scheme, rest)) = scheme else {
        let first = text.split('/').next().unwrap_or("");
        if first.contains(':') {
            return Err(parse_error(
                "first path segment in URL cannot contain colon",
            ));
        }
        return Err("unsupported scheme \"\" for URL".into());
    };
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest
        .strip_prefix("//")
        .map(|a| a.split(['/', '?', '#']).next().unwrap_or(""));
    let host_port = authority.map(|a| a.rsplit_once('@').map_or(a, |(_, h)| h));
    let host = match host_port {
        Some(hp) if hp.starts_with('[') => match hp.find(']') {
            Some(end) => {
                let port = &hp[end + 1..];
                if !port.is_empty() && !valid_port(port) {
                    return Err(parse_error(&format!("invalid port {port:?} after host")));
                }
                &hp[..=end]
            }
            None => return Err(parse_error("missing ']' in host")),
        },
        Some(hp) => match hp.rfind(':') {
            Some(colon) => {
                let port = &hp[colon..];
                if !valid_port(port) {
                    return Err(parse_error(&format!("invalid port {port:?} after host")));
                }
                &hp[..colon]
            }
            None => hp,
        },
        None => "",
    };
    if scheme != "http" && scheme != "https" {
        return Err(format!("unsupported scheme {scheme:?} for URL"));
    }
    if host.is_empty() {
        return Err("missing host for URL".into());
    }
    Ok(())
}

/// `:` and digits (or nothing after the colon).
fn valid_port(port: &str) -> bool {
    port.strip_prefix(':')
        .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The `times` of a time interval: `HH:MM` from 00:00 to 24:00, start
/// before end, as Alertmanager checks them.
fn check_times(map: &BTreeMap<String, Value>) -> Result<(), String> {
    let Some(Value::Array(times)) = map.get("times") else {
        return Ok(());
    };
    let minutes = |s: &str| -> Option<u32> {
        let (h, m) = s.split_once(':')?;
        if h.len() != 2 || m.len() != 2 {
            return None;
        }
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        ((h < 24 && m < 60) || (h == 24 && m == 0)).then_some(h * 60 + m)
    };
    for t in times {
        let (Some(start), Some(end)) = (
            t.get("start_time").and_then(Value::as_str),
            t.get("end_time").and_then(Value::as_str),
        ) else {
            return Err("both start and end times must be provided".into());
        };
        let s = minutes(start)
            .ok_or_else(|| format!("couldn't parse timestamp {start}, invalid format"))?;
        let e = minutes(end)
            .ok_or_else(|| format!("couldn't parse timestamp {end}, invalid format"))?;
        if s >= e {
            return Err(format!(
                "start time {start} cannot be equal or greater than end time {end}"
            ));
        }
    }
    Ok(())
}

/// Go's `time.ParseDuration` (`1.5s`, `300ms`, `1h2m`), for the integration
/// timeouts, in milliseconds.
pub fn parse_go_duration(s: &str) -> Result<Millis, String> {
    let bad = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total_ns: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let ns = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            u => return Err(format!("time: unknown unit {u:?} in duration {s:?}")),
        };
        total_ns += number * ns;
        rest = &rest[unit_len..];
    }
    if total_ns > 9.2e18 {
        return Err(bad());
    }
    let ms = (total_ns / 1e6) as Millis;
    Ok(if neg { -ms } else { ms })
}

/// Every receiver the tree names must exist; children are checked first.
fn check_receivers(route: &RouteConfig, names: &HashSet<String>) -> ConfigResult<()> {
    for child in &route.routes {
        check_receivers(child, names)?;
    }
    match route.receiver.as_deref() {
        None | Some("") => Ok(()),
        Some(r) if names.contains(r) => Ok(()),
        Some(r) => Err(ConfigError::new(
            ConfigErrorKind::UndefinedReceiver,
            route.receiver_span,
            format!("undefined receiver {r:?} used in route"),
        )),
    }
}

fn check_time_intervals(route: &RouteConfig, names: &HashSet<String>) -> ConfigResult<()> {
    for child in &route.routes {
        check_time_intervals(child, names)?;
    }
    for name in route
        .active_time_intervals
        .iter()
        .chain(&route.mute_time_intervals)
    {
        if !names.contains(name) {
            return Err(ConfigError::new(
                ConfigErrorKind::UndefinedTimeInterval,
                route.span,
                format!("undefined time interval {name:?} used in route"),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Writing.

#[derive(Serialize)]
struct OutConfig {
    global: BTreeMap<String, Value>,
    route: OutRoute,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inhibit_rules: Vec<OutInhibit>,
    receivers: Vec<OutReceiver>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    templates: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mute_time_intervals: Vec<OutTimeInterval>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    time_intervals: Vec<OutTimeInterval>,
}

#[derive(Serialize)]
struct OutRoute {
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_by: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    mute_time_intervals: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    active_time_intervals: Vec<String>,
    #[serde(rename = "continue", skip_serializing_if = "std::ops::Not::not")]
    continue_: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<OutRoute>,
}

impl From<&RouteConfig> for OutRoute {
    fn from(r: &RouteConfig) -> Self {
        OutRoute {
            receiver: r.receiver.clone(),
            group_by: r.group_by.clone().filter(|g| !g.is_empty()),
            matchers: r.matchers.iter().map(matcher_string).collect(),
            mute_time_intervals: r.mute_time_intervals.clone(),
            active_time_intervals: r.active_time_intervals.clone(),
            continue_: r.r#continue,
            group_wait: r.group_wait.map(format_duration),
            group_interval: r.group_interval.map(format_duration),
            repeat_interval: r.repeat_interval.map(format_duration),
            routes: r.routes.iter().map(OutRoute::from).collect(),
        }
    }
}

#[derive(Serialize)]
struct OutInhibit {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    source_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    target_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    equal: Vec<String>,
}

impl From<&InhibitRuleConfig> for OutInhibit {
    fn from(r: &InhibitRuleConfig) -> Self {
        OutInhibit {
            name: r.name.clone(),
            source_matchers: r.source_matchers.iter().map(matcher_string).collect(),
            target_matchers: r.target_matchers.iter().map(matcher_string).collect(),
            equal: r.equal.clone(),
        }
    }
}

#[derive(Serialize)]
struct OutReceiver {
    name: String,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: BTreeMap<String, String>,
    #[serde(flatten)]
    integrations: BTreeMap<&'static str, Vec<BTreeMap<String, Value>>>,
}

impl From<&ReceiverConfig> for OutReceiver {
    fn from(r: &ReceiverConfig) -> Self {
        let mut integrations: BTreeMap<&'static str, Vec<BTreeMap<String, Value>>> =
            BTreeMap::new();
        for w in &r.webhook_configs {
            let mut m = BTreeMap::new();
            m.insert("send_resolved".to_string(), Value::Bool(w.send_resolved));
            if let Some(u) = &w.url {
                m.insert("url".into(), Value::String(u.clone()));
            }
            if let Some(u) = &w.url_file {
                m.insert("url_file".into(), Value::String(u.clone()));
            }
            if w.max_alerts > 0 {
                m.insert("max_alerts".into(), Value::from(w.max_alerts));
            }
            if w.timeout > 0 {
                m.insert("timeout".into(), Value::String(format!("{}ms", w.timeout)));
            }
            if let Some(h) = &w.http_config {
                m.insert("http_config".into(), h.clone());
            }
            integrations.entry("webhook_configs").or_default().push(m);
        }
        for i in &r.integrations {
            let mut m = i.fields.clone();
            m.insert("send_resolved".into(), Value::Bool(i.send_resolved));
            integrations.entry(i.kind.key()).or_default().push(m);
        }
        OutReceiver {
            name: r.name.clone(),
            labels: r.labels.clone(),
            integrations,
        }
    }
}

#[derive(Serialize)]
struct OutTimeInterval {
    name: String,
    time_intervals: Vec<Value>,
}

impl From<&TimeIntervalConfig> for OutTimeInterval {
    fn from(t: &TimeIntervalConfig) -> Self {
        OutTimeInterval {
            name: t.name.clone(),
            time_intervals: t.time_intervals.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn go_durations() {
        for (s, want) in [
            ("0", Ok(0)),
            ("1.5s", Ok(1_500)),
            ("300ms", Ok(300)),
            ("1h2m", Ok(3_720_000)),
            ("-2s", Ok(-2_000)),
        ] {
            assert_eq!(parse_go_duration(s), want, "{s}");
        }
        for s in ["", "5", "5x", "s", "1e999h"] {
            assert!(parse_go_duration(s).is_err(), "{s}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn every_integration_kind_is_in_the_table_once() {
        let mut keys: Vec<&str> = INTEGRATIONS.iter().map(|s| s.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), INTEGRATIONS.len());
        for s in INTEGRATIONS {
            assert_eq!(IntegrationKind::from_key(s.key), Some(s.kind));
            assert_eq!(spec(s.kind).key, s.key);
        }
    }
}
