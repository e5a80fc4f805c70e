//! The Kubernetes objects the lab understands, as typed structs: the core
//! objects a monitored app is made of (`Namespace`, `Deployment`, `Pod`,
//! `Service`) and the Prometheus Operator's resources of
//! `monitoring.coreos.com/v1` (`Prometheus`, `Alertmanager`,
//! `ServiceMonitor`, `PodMonitor`, `PrometheusRule`) and `v1alpha1`
//! (`AlertmanagerConfig`).
//!
//! Field names follow the API's (camelCase there, snake_case here); only
//! the fields that change what the operator generates are kept. The
//! loader ([`super::load`]) knows the others by name, so it can tell a
//! typo from a field the lab does not model. Optional API fields are
//! `Option`s where "unset" means something different from any value (the
//! operator leaves them out of the generated config, so Prometheus's or
//! Alertmanager's own default applies).

use std::collections::BTreeMap;
use std::fmt;

/// Labels and annotations: sorted by key, as the API returns them.
pub type StringMap = BTreeMap<String, String>;

/// Every kind the lab reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Namespace,
    Deployment,
    Pod,
    Service,
    Prometheus,
    Alertmanager,
    ServiceMonitor,
    PodMonitor,
    PrometheusRule,
    AlertmanagerConfig,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Namespace,
        Kind::Deployment,
        Kind::Pod,
        Kind::Service,
        Kind::Prometheus,
        Kind::Alertmanager,
        Kind::ServiceMonitor,
        Kind::PodMonitor,
        Kind::PrometheusRule,
        Kind::AlertmanagerConfig,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Namespace => "Namespace",
            Kind::Deployment => "Deployment",
            Kind::Pod => "Pod",
            Kind::Service => "Service",
            Kind::Prometheus => "Prometheus",
            Kind::Alertmanager => "Alertmanager",
            Kind::ServiceMonitor => "ServiceMonitor",
            Kind::PodMonitor => "PodMonitor",
            Kind::PrometheusRule => "PrometheusRule",
            Kind::AlertmanagerConfig => "AlertmanagerConfig",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The `apiVersion` the lab reads the kind in.
    pub fn api_version(self) -> &'static str {
        match self {
            Kind::Namespace | Kind::Pod | Kind::Service => "v1",
            Kind::Deployment => "apps/v1",
            Kind::Prometheus
            | Kind::Alertmanager
            | Kind::ServiceMonitor
            | Kind::PodMonitor
            | Kind::PrometheusRule => "monitoring.coreos.com/v1",
            Kind::AlertmanagerConfig => "monitoring.coreos.com/v1alpha1",
        }
    }

    /// Other versions the API serves the kind in, which the lab does not
    /// read.
    pub fn other_versions(self) -> &'static [&'static str] {
        match self {
            Kind::AlertmanagerConfig => &["monitoring.coreos.com/v1beta1"],
            _ => &[],
        }
    }

    /// `kubectl`'s resource name, as in `servicemonitor.monitoring.coreos.com/x created`.
    pub fn resource(self) -> &'static str {
        match self {
            Kind::Namespace => "namespace",
            Kind::Deployment => "deployment.apps",
            Kind::Pod => "pod",
            Kind::Service => "service",
            Kind::Prometheus => "prometheus.monitoring.coreos.com",
            Kind::Alertmanager => "alertmanager.monitoring.coreos.com",
            Kind::ServiceMonitor => "servicemonitor.monitoring.coreos.com",
            Kind::PodMonitor => "podmonitor.monitoring.coreos.com",
            Kind::PrometheusRule => "prometheusrule.monitoring.coreos.com",
            Kind::AlertmanagerConfig => "alertmanagerconfig.monitoring.coreos.com",
        }
    }

    /// Whether objects of the kind live in a namespace.
    pub fn namespaced(self) -> bool {
        self != Kind::Namespace
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which object: its kind, namespace (empty for cluster-scoped kinds) and
/// name. Orders by kind, then namespace, then name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for ObjectKey {
    /// `Kind namespace/name`, or `Kind name` for cluster-scoped kinds.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

/// `metadata`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectMeta {
    pub name: String,
    /// The object's namespace; the loader fills in the default namespace
    /// when the manifest leaves it out.
    pub namespace: String,
    pub labels: StringMap,
    pub annotations: StringMap,
    /// Set by the API server when the object is created; a manifest may
    /// carry one from an earlier `kubectl get -o yaml`.
    pub uid: Option<String>,
}

/// `matchLabels` and `matchExpressions`: all must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LabelSelector {
    pub match_labels: StringMap,
    pub match_expressions: Vec<LabelSelectorRequirement>,
}

impl LabelSelector {
    /// `{}`: selects everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }

    /// A selector with just `matchLabels`.
    pub fn labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        LabelSelector {
            match_labels: pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            match_expressions: Vec::new(),
        }
    }
}

/// One entry of `matchExpressions`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelectorRequirement {
    pub key: String,
    pub operator: SelectorOperator,
    pub values: Vec<String>,
}

/// `In`, `NotIn`, `Exists`, `DoesNotExist`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectorOperator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl SelectorOperator {
    pub const ALL: [SelectorOperator; 4] = [
        SelectorOperator::In,
        SelectorOperator::NotIn,
        SelectorOperator::Exists,
        SelectorOperator::DoesNotExist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SelectorOperator::In => "In",
            SelectorOperator::NotIn => "NotIn",
            SelectorOperator::Exists => "Exists",
            SelectorOperator::DoesNotExist => "DoesNotExist",
        }
    }
}

/// A port given by number or by name (`targetPort: 8080` or `targetPort: metrics`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntOrString {
    Int(i64),
    Str(String),
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IntOrString::Int(i) => write!(f, "{i}"),
            IntOrString::Str(s) => f.write_str(s),
        }
    }
}

/// `TCP`, `UDP` or `SCTP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Tcp,
    Udp,
    Sctp,
}

impl Protocol {
    pub const ALL: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Sctp];

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Sctp => "SCTP",
        }
    }
}

// ---------------------------------------------------------------------------
// Core objects.

/// A `Namespace`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Namespace {
    pub metadata: ObjectMeta,
}

/// A container of a pod or pod template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Container {
    pub name: String,
    pub image: String,
    pub ports: Vec<ContainerPort>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub container_port: i64,
    pub protocol: Protocol,
}

/// `spec` of a pod or a pod template.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodSpec {
    pub containers: Vec<Container>,
    pub node_name: Option<String>,
    pub host_network: bool,
}

/// A pod's lifecycle phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PodPhase {
    #[default]
    Pending,
    Running,
    Succeeded,
    Failed,
    Unknown,
}

impl PodPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            PodPhase::Pending => "Pending",
            PodPhase::Running => "Running",
            PodPhase::Succeeded => "Succeeded",
            PodPhase::Failed => "Failed",
            PodPhase::Unknown => "Unknown",
        }
    }
}

/// What the kubelet reports about a pod.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodStatus {
    pub phase: PodPhase,
    pub pod_ip: Option<String>,
    pub host_ip: Option<String>,
}

/// Who created a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerReference {
    pub kind: String,
    pub name: String,
}

/// A `Pod`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pod {
    pub metadata: ObjectMeta,
    pub spec: PodSpec,
    pub status: PodStatus,
    pub owner: Option<OwnerReference>,
}

/// A pod template: the pods a Deployment makes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodTemplate {
    pub labels: StringMap,
    pub annotations: StringMap,
    pub spec: PodSpec,
}

/// A `Deployment`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deployment {
    pub metadata: ObjectMeta,
    pub replicas: i64,
    pub selector: LabelSelector,
    pub template: PodTemplate,
}

/// One port of a Service.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServicePort {
    pub name: Option<String>,
    pub protocol: Protocol,
    pub port: i64,
    /// The pod's port: a number, or a container port's name; the same as
    /// `port` when unset.
    pub target_port: Option<IntOrString>,
}

/// `ClusterIP`, `NodePort`, `LoadBalancer` or `ExternalName`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ServiceType {
    #[default]
    ClusterIp,
    NodePort,
    LoadBalancer,
    ExternalName,
}

impl ServiceType {
    pub const ALL: [ServiceType; 4] = [
        ServiceType::ClusterIp,
        ServiceType::NodePort,
        ServiceType::LoadBalancer,
        ServiceType::ExternalName,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ServiceType::ClusterIp => "ClusterIP",
            ServiceType::NodePort => "NodePort",
            ServiceType::LoadBalancer => "LoadBalancer",
            ServiceType::ExternalName => "ExternalName",
        }
    }
}

/// A `Service`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    pub metadata: ObjectMeta,
    /// Pods with all these labels back the Service; `None` for a Service
    /// without a selector (its endpoints are managed by hand).
    pub selector: Option<StringMap>,
    pub ports: Vec<ServicePort>,
    pub type_: ServiceType,
    pub cluster_ip: Option<String>,
}

// ---------------------------------------------------------------------------
// monitoring.coreos.com/v1

/// A Prometheus duration as the CRDs accept it (`30s`, `1h30m`), kept as
/// written and as milliseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duration {
    pub text: String,
    pub millis: i64,
}

/// `namespaceSelector` of a ServiceMonitor or PodMonitor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NamespaceSelector {
    /// Every namespace.
    pub any: bool,
    /// These namespaces; with neither `any` nor names, the monitor's own.
    pub match_names: Vec<String>,
}

/// `http` or `https` (the CRDs also accept the upper-case spellings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

impl Scheme {
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A relabelling rule as the CRDs spell it (`sourceLabels`, `targetLabel`).
/// Unset fields keep Prometheus's defaults when the operator writes the
/// rule out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RelabelRule {
    pub source_labels: Vec<String>,
    pub separator: Option<String>,
    pub target_label: Option<String>,
    pub regex: Option<String>,
    pub modulus: Option<u64>,
    pub replacement: Option<String>,
    pub action: Option<crate::scrape::Action>,
}

/// What the ServiceMonitor and PodMonitor endpoints share.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScrapeEndpoint {
    pub path: Option<String>,
    pub scheme: Option<Scheme>,
    pub params: BTreeMap<String, Vec<String>>,
    pub interval: Option<Duration>,
    pub scrape_timeout: Option<Duration>,
    pub honor_labels: bool,
    pub honor_timestamps: Option<bool>,
    pub relabelings: Vec<RelabelRule>,
    pub metric_relabelings: Vec<RelabelRule>,
    /// Drop targets of pods that have finished (`Failed`, `Succeeded`);
    /// true when unset.
    pub filter_running: Option<bool>,
}

/// An entry of a ServiceMonitor's `endpoints`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Endpoint {
    /// The Service port's name.
    pub port: Option<String>,
    /// The pod's port, by number or container port name; used when `port`
    /// is unset.
    pub target_port: Option<IntOrString>,
    pub scrape: ScrapeEndpoint,
}

/// Limits a monitor puts on each scrape.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScrapeLimits {
    pub sample_limit: Option<u64>,
    pub label_limit: Option<u64>,
    pub label_name_length_limit: Option<u64>,
    pub label_value_length_limit: Option<u64>,
}

/// A `ServiceMonitor`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServiceMonitor {
    pub metadata: ObjectMeta,
    /// A Service label whose value becomes the `job` label.
    pub job_label: Option<String>,
    pub target_labels: Vec<String>,
    pub pod_target_labels: Vec<String>,
    pub endpoints: Vec<Endpoint>,
    pub selector: LabelSelector,
    pub namespace_selector: NamespaceSelector,
    pub limits: ScrapeLimits,
}

/// An entry of a PodMonitor's `podMetricsEndpoints`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodMetricsEndpoint {
    /// A container port's name.
    pub port: Option<String>,
    /// A container port's number; used when `port` is unset.
    pub port_number: Option<i64>,
    /// Deprecated: the container port by number or name.
    pub target_port: Option<IntOrString>,
    pub scrape: ScrapeEndpoint,
}

/// A `PodMonitor`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PodMonitor {
    pub metadata: ObjectMeta,
    /// A pod label whose value becomes the `job` label.
    pub job_label: Option<String>,
    pub pod_target_labels: Vec<String>,
    pub pod_metrics_endpoints: Vec<PodMetricsEndpoint>,
    pub selector: LabelSelector,
    pub namespace_selector: NamespaceSelector,
    pub limits: ScrapeLimits,
}

/// An alerting or recording rule of a PrometheusRule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rule {
    pub record: Option<String>,
    pub alert: Option<String>,
    pub expr: String,
    pub for_: Option<Duration>,
    pub keep_firing_for: Option<Duration>,
    pub labels: StringMap,
    pub annotations: StringMap,
}

/// A rule group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleGroup {
    pub name: String,
    pub interval: Option<Duration>,
    pub query_offset: Option<Duration>,
    pub limit: Option<u64>,
    pub labels: StringMap,
    pub rules: Vec<Rule>,
}

/// A `PrometheusRule`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PrometheusRule {
    pub metadata: ObjectMeta,
    pub groups: Vec<RuleGroup>,
}

/// An Alertmanager a Prometheus sends alerts to: a Service and its port.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertmanagerEndpoints {
    pub namespace: Option<String>,
    pub name: String,
    pub port: Option<IntOrString>,
    pub scheme: Option<Scheme>,
    pub path_prefix: Option<String>,
    pub api_version: Option<String>,
}

/// A `Prometheus`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prometheus {
    pub metadata: ObjectMeta,
    /// `None` (the field left out or null) selects no ServiceMonitor;
    /// `Some({})` selects all.
    pub service_monitor_selector: Option<LabelSelector>,
    /// `None`: only the Prometheus's own namespace; `Some({})`: all.
    pub service_monitor_namespace_selector: Option<LabelSelector>,
    pub pod_monitor_selector: Option<LabelSelector>,
    pub pod_monitor_namespace_selector: Option<LabelSelector>,
    pub rule_selector: Option<LabelSelector>,
    pub rule_namespace_selector: Option<LabelSelector>,
    /// 30s when unset.
    pub scrape_interval: Option<Duration>,
    pub scrape_timeout: Option<Duration>,
    /// 30s when unset.
    pub evaluation_interval: Option<Duration>,
    pub external_labels: StringMap,
    pub alertmanagers: Vec<AlertmanagerEndpoints>,
    pub replicas: Option<i64>,
}

/// How an Alertmanager limits each AlertmanagerConfig to its namespace's
/// alerts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatcherStrategy {
    /// A `namespace="<ns>"` matcher on the config's route.
    #[default]
    OnNamespace,
    /// The same, except for configs in the Alertmanager's own namespace.
    OnNamespaceExceptForAlertmanagerNamespace,
    /// No matcher: the config sees every alert.
    None,
}

impl MatcherStrategy {
    pub const ALL: [MatcherStrategy; 3] = [
        MatcherStrategy::OnNamespace,
        MatcherStrategy::OnNamespaceExceptForAlertmanagerNamespace,
        MatcherStrategy::None,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MatcherStrategy::OnNamespace => "OnNamespace",
            MatcherStrategy::OnNamespaceExceptForAlertmanagerNamespace => {
                "OnNamespaceExceptForAlertmanagerNamespace"
            }
            MatcherStrategy::None => "None",
        }
    }
}

/// An `Alertmanager`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Alertmanager {
    pub metadata: ObjectMeta,
    /// `None` selects no AlertmanagerConfig; `Some({})` selects all.
    pub alertmanager_config_selector: Option<LabelSelector>,
    /// `None`: only the Alertmanager's own namespace; `Some({})`: all.
    pub alertmanager_config_namespace_selector: Option<LabelSelector>,
    pub matcher_strategy: MatcherStrategy,
    pub replicas: Option<i64>,
}

// ---------------------------------------------------------------------------
// monitoring.coreos.com/v1alpha1

/// `=`, `!=`, `=~`, `!~`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchType {
    Equal,
    NotEqual,
    Regexp,
    NotRegexp,
}

impl MatchType {
    pub const ALL: [MatchType; 4] = [
        MatchType::Equal,
        MatchType::NotEqual,
        MatchType::Regexp,
        MatchType::NotRegexp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MatchType::Equal => "=",
            MatchType::NotEqual => "!=",
            MatchType::Regexp => "=~",
            MatchType::NotRegexp => "!~",
        }
    }
}

/// A matcher of a route or inhibit rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub name: String,
    pub value: String,
    /// When unset, `regex` says whether it is `=~` or `=`.
    pub match_type: Option<MatchType>,
    pub regex: bool,
}

impl Matcher {
    /// The operator's form: `name="value"` with the value quoted as Go
    /// quotes it.
    pub fn to_alertmanager(&self) -> String {
        let op = self.match_type.unwrap_or(if self.regex {
            MatchType::Regexp
        } else {
            MatchType::Equal
        });
        format!("{}{}{}", self.name, op.as_str(), go_quote(&self.value))
    }
}

/// `strconv.Quote`: double quotes, with `"`, `\` and control characters
/// escaped.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A route of an AlertmanagerConfig.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Route {
    pub receiver: Option<String>,
    pub group_by: Vec<String>,
    pub group_wait: Option<Duration>,
    pub group_interval: Option<Duration>,
    pub repeat_interval: Option<Duration>,
    pub matchers: Vec<Matcher>,
    pub continue_: bool,
    pub routes: Vec<Route>,
    pub mute_time_intervals: Vec<String>,
    pub active_time_intervals: Vec<String>,
}

/// A key of a Secret, where a receiver's credentials are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretKeySelector {
    pub name: String,
    pub key: String,
}

/// `webhookConfigs` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookConfig {
    /// Left out of the generated config when unset, so Alertmanager's
    /// default for webhooks, `true`, applies.
    pub send_resolved: Option<bool>,
    pub url: Option<String>,
    pub url_secret: Option<SecretKeySelector>,
    pub max_alerts: Option<i64>,
    pub timeout: Option<Duration>,
}

/// `emailConfigs` entry.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EmailConfig {
    /// Alertmanager's default for email is `false`.
    pub send_resolved: Option<bool>,
    pub to: Option<String>,
    pub from: Option<String>,
    pub smarthost: Option<String>,
    pub hello: Option<String>,
    pub auth_username: Option<String>,
    pub auth_identity: Option<String>,
    pub require_tls: Option<bool>,
    pub headers: Vec<(String, String)>,
}

/// A receiver of an AlertmanagerConfig.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Receiver {
    pub name: String,
    pub webhook_configs: Vec<WebhookConfig>,
    pub email_configs: Vec<EmailConfig>,
}

/// An inhibition rule.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InhibitRule {
    pub target_match: Vec<Matcher>,
    pub source_match: Vec<Matcher>,
    pub equal: Vec<String>,
}

/// An `AlertmanagerConfig`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AlertmanagerConfig {
    pub metadata: ObjectMeta,
    pub route: Option<Route>,
    pub receivers: Vec<Receiver>,
    pub inhibit_rules: Vec<InhibitRule>,
}

/// Any object the lab reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Object {
    Namespace(Namespace),
    Deployment(Deployment),
    Pod(Pod),
    Service(Service),
    Prometheus(Prometheus),
    Alertmanager(Alertmanager),
    ServiceMonitor(ServiceMonitor),
    PodMonitor(PodMonitor),
    PrometheusRule(PrometheusRule),
    AlertmanagerConfig(AlertmanagerConfig),
}

impl Object {
    pub fn kind(&self) -> Kind {
        match self {
            Object::Namespace(_) => Kind::Namespace,
            Object::Deployment(_) => Kind::Deployment,
            Object::Pod(_) => Kind::Pod,
            Object::Service(_) => Kind::Service,
            Object::Prometheus(_) => Kind::Prometheus,
            Object::Alertmanager(_) => Kind::Alertmanager,
            Object::ServiceMonitor(_) => Kind::ServiceMonitor,
            Object::PodMonitor(_) => Kind::PodMonitor,
            Object::PrometheusRule(_) => Kind::PrometheusRule,
            Object::AlertmanagerConfig(_) => Kind::AlertmanagerConfig,
        }
    }

    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::Namespace(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::Prometheus(o) => &o.metadata,
            Object::Alertmanager(o) => &o.metadata,
            Object::ServiceMonitor(o) => &o.metadata,
            Object::PodMonitor(o) => &o.metadata,
            Object::PrometheusRule(o) => &o.metadata,
            Object::AlertmanagerConfig(o) => &o.metadata,
        }
    }

    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Namespace(o) => &mut o.metadata,
            Object::Deployment(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::Service(o) => &mut o.metadata,
            Object::Prometheus(o) => &mut o.metadata,
            Object::Alertmanager(o) => &mut o.metadata,
            Object::ServiceMonitor(o) => &mut o.metadata,
            Object::PodMonitor(o) => &mut o.metadata,
            Object::PrometheusRule(o) => &mut o.metadata,
            Object::AlertmanagerConfig(o) => &mut o.metadata,
        }
    }

    pub fn key(&self) -> ObjectKey {
        let m = self.metadata();
        ObjectKey {
            kind: self.kind(),
            namespace: if self.kind().namespaced() {
                m.namespace.clone()
            } else {
                String::new()
            },
            name: m.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn matchers_print_as_the_operator_prints_them() {
        let m = |value: &str, match_type, regex| Matcher {
            name: "namespace".into(),
            value: value.into(),
            match_type,
            regex,
        };
        assert_eq!(
            m("qks-monitoring", None, false).to_alertmanager(),
            r#"namespace="qks-monitoring""#
        );
        assert_eq!(
            m("a|b", None, true).to_alertmanager(),
            r#"namespace=~"a|b""#
        );
        assert_eq!(
            m("say \"hi\"\n", Some(MatchType::NotEqual), true).to_alertmanager(),
            r#"namespace!="say \"hi\"\n""#
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn kinds_round_trip_by_name() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.as_str()), Some(k));
        }
        assert_eq!(Kind::from_name("servicemonitor"), None);
    }
}
