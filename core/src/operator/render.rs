//! What the operator generates from the selected resources:
//!
//! - a `prometheus.yml` per Prometheus: one scrape job per ServiceMonitor
//!   endpoint (`serviceMonitor/<namespace>/<name>/<index>`) and per
//!   PodMonitor endpoint (`podMonitor/…`), with the operator's relabelling
//!   (`namespace`, `service`, `pod`, `container`, `endpoint`, `job`, the
//!   shard filter) followed by the endpoint's own; the Kubernetes service
//!   discovery is replaced by `static_configs` holding the targets it
//!   would discover ([`super::discovery`]) that the job keeps. The jobs are
//!   also [`crate::scrape::ScrapeConfig`] values, ready for the scrape
//!   manager.
//! - the rule files of the selected PrometheusRules, one per object, named
//!   `<namespace>-<name>-<uid>.yaml` as the operator names them.
//! - an `alertmanager.yml` per Alertmanager: the base configuration (the
//!   kube-prometheus-stack chart's) with a route per selected
//!   AlertmanagerConfig in front of its own routes, limited to alerts of
//!   the config's namespace, receivers named `<namespace>/<name>/<receiver>`
//!   and the fields in Alertmanager's snake_case.

use super::cluster::ClusterObjects;
use super::discovery::{endpoints_targets, pod_targets, sanitize_label_name, Discovered};
use super::objects::*;
use super::select::{describe, matches_labels, mismatch, monitor_namespaces, PrometheusSelection};
use crate::diagnostic::Severity;
use crate::duration::format_duration;
use crate::labels::Labels;
use crate::regexp::Regexp;
use crate::scrape::config::{GlobalConfig, PrometheusConfig, DEFAULT_SCRAPE_TIMEOUT};
use crate::scrape::relabel::{self, DEFAULT_REGEX, DEFAULT_REPLACEMENT, DEFAULT_SEPARATOR};
use crate::scrape::target::discovered_labels;
use crate::scrape::{Action, RelabelConfig, ScrapeConfig};
use serde::Serialize;
use std::collections::BTreeMap;

/// The operator's default scrape and evaluation interval.
pub const DEFAULT_INTERVAL: &str = "30s";

/// Where the rule files go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// The directory `rule_files` points at; by default the operator's
    /// `/etc/prometheus/rules/prometheus-<name>-rulefiles-0`.
    pub rule_files_dir: Option<String>,
}

/// Something worth knowing about the output: an object that yields
/// nothing, a setting left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub severity: Severity,
    pub object: ObjectKey,
    pub message: String,
}

/// A scrape job and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub config: ScrapeConfig,
    pub source: ObjectKey,
    /// The endpoint's index in the monitor.
    pub endpoint: usize,
    /// Targets service discovery finds in the watched namespaces, before
    /// the job's relabelling keeps some.
    pub discovered: usize,
}

/// A generated rule file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleFile {
    pub name: String,
    pub source: ObjectKey,
    pub yaml: String,
}

/// Everything generated for one Prometheus.
#[derive(Debug, Clone, PartialEq)]
pub struct PrometheusOutput {
    pub prometheus: ObjectKey,
    pub selection: PrometheusSelection,
    pub global: GlobalConfig,
    pub jobs: Vec<Job>,
    pub rule_files: Vec<RuleFile>,
    /// The whole `prometheus.yml`.
    pub yaml: String,
    pub notes: Vec<Note>,
}

impl PrometheusOutput {
    /// The scrape part as the lab's scrape model.
    pub fn scrape_config(&self) -> PrometheusConfig {
        PrometheusConfig {
            global: self.global.clone(),
            scrape_configs: self.jobs.iter().map(|j| j.config.clone()).collect(),
            ..PrometheusConfig::default()
        }
    }
}

/// Everything generated for one Alertmanager.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertmanagerOutput {
    pub alertmanager: ObjectKey,
    pub selection: Vec<super::select::Decision>,
    /// The whole `alertmanager.yml`.
    pub yaml: String,
    pub notes: Vec<Note>,
}

// ---------------------------------------------------------------------------
// Relabelling rules as the operator writes them.

fn rule(
    source_labels: &[&str],
    regex: &str,
    target_label: &str,
    replacement: &str,
    action: Action,
) -> Result<RelabelConfig, String> {
    Ok(RelabelConfig {
        source_labels: source_labels.iter().map(|s| s.to_string()).collect(),
        separator: DEFAULT_SEPARATOR.into(),
        regex: Regexp::new(regex).map_err(|e| e.to_string())?,
        modulus: 0,
        target_label: target_label.into(),
        replacement: replacement.into(),
        action,
    })
}

fn copy(source: &str, target: &str) -> Result<RelabelConfig, String> {
    rule(
        &[source],
        DEFAULT_REGEX,
        target,
        DEFAULT_REPLACEMENT,
        Action::Replace,
    )
}

fn keep(source_labels: &[&str], regex: &str) -> Result<RelabelConfig, String> {
    rule(source_labels, regex, "", DEFAULT_REPLACEMENT, Action::Keep)
}

fn drop(source_labels: &[&str], regex: &str) -> Result<RelabelConfig, String> {
    rule(source_labels, regex, "", DEFAULT_REPLACEMENT, Action::Drop)
}

/// The keep/drop rules a label selector becomes, on labels `<prefix>_X`
/// and `<prefix>present_X`.
fn selector_rules(sel: &LabelSelector, prefix: &str) -> Result<Vec<RelabelConfig>, String> {
    let mut out = Vec::new();
    for (k, v) in &sel.match_labels {
        let k = sanitize_label_name(k);
        out.push(keep(
            &[&format!("{prefix}_{k}"), &format!("{prefix}present_{k}")],
            &format!("({v});true"),
        )?);
    }
    for r in &sel.match_expressions {
        let k = sanitize_label_name(&r.key);
        let value = format!("{prefix}_{k}");
        let present = format!("{prefix}present_{k}");
        let values = format!("({});true", r.values.join("|"));
        out.push(match r.operator {
            SelectorOperator::In => keep(&[&value, &present], &values)?,
            SelectorOperator::NotIn => drop(&[&value, &present], &values)?,
            SelectorOperator::Exists => keep(&[&present], "true")?,
            SelectorOperator::DoesNotExist => drop(&[&present], "true")?,
        });
    }
    Ok(out)
}

/// The three rules that keep only this shard's targets; with one shard,
/// `$(SHARD)` is 0.
fn shard_rules() -> Result<Vec<RelabelConfig>, String> {
    Ok(vec![
        rule(
            &["__address__", "__tmp_hash"],
            "(.+);",
            "__tmp_hash",
            "$1",
            Action::Replace,
        )?,
        RelabelConfig {
            modulus: 1,
            ..rule(
                &["__tmp_hash"],
                DEFAULT_REGEX,
                "__tmp_hash",
                DEFAULT_REPLACEMENT,
                Action::HashMod,
            )?
        },
        keep(&["__tmp_hash", "__tmp_disable_sharding"], "0;|.+;.+")?,
    ])
}

fn user_rules(rules: &[RelabelRule]) -> Result<Vec<RelabelConfig>, String> {
    rules
        .iter()
        .map(|r| r.to_relabel_config().map_err(|e| e.to_string()))
        .collect()
}

fn label_copy(source: &str, target: &str) -> Result<RelabelConfig, String> {
    rule(&[source], "(.+)", target, "${1}", Action::Replace)
}

fn service_monitor_rules(sm: &ServiceMonitor, ep: &Endpoint) -> Result<Vec<RelabelConfig>, String> {
    let mut r = vec![copy("job", "__tmp_prometheus_job_name")?];
    r.extend(selector_rules(
        &sm.selector,
        "__meta_kubernetes_service_label",
    )?);
    if let Some(port) = &ep.port {
        r.push(keep(&["__meta_kubernetes_endpoint_port_name"], port)?);
    } else if let Some(tp) = &ep.target_port {
        match tp {
            IntOrString::Str(s) => r.push(keep(&["__meta_kubernetes_pod_container_port_name"], s)?),
            IntOrString::Int(n) => r.push(keep(
                &["__meta_kubernetes_pod_container_port_number"],
                &n.to_string(),
            )?),
        }
    }
    let target = [
        "__meta_kubernetes_endpoint_address_target_kind",
        "__meta_kubernetes_endpoint_address_target_name",
    ];
    r.push(rule(&target, "Node;(.*)", "node", "${1}", Action::Replace)?);
    r.push(rule(&target, "Pod;(.*)", "pod", "${1}", Action::Replace)?);
    r.push(copy("__meta_kubernetes_namespace", "namespace")?);
    r.push(copy("__meta_kubernetes_service_name", "service")?);
    r.push(copy("__meta_kubernetes_pod_name", "pod")?);
    r.push(copy("__meta_kubernetes_pod_container_name", "container")?);
    if ep.scrape.filter_running.unwrap_or(true) {
        r.push(drop(
            &["__meta_kubernetes_pod_phase"],
            "(Failed|Succeeded)",
        )?);
    }
    for l in &sm.target_labels {
        let l = sanitize_label_name(l);
        r.push(label_copy(
            &format!("__meta_kubernetes_service_label_{l}"),
            &l,
        )?);
    }
    for l in &sm.pod_target_labels {
        let l = sanitize_label_name(l);
        r.push(label_copy(&format!("__meta_kubernetes_pod_label_{l}"), &l)?);
    }
    r.push(rule(
        &["__meta_kubernetes_service_name"],
        DEFAULT_REGEX,
        "job",
        "${1}",
        Action::Replace,
    )?);
    if let Some(j) = &sm.job_label {
        let j = sanitize_label_name(j);
        r.push(label_copy(
            &format!("__meta_kubernetes_service_label_{j}"),
            "job",
        )?);
    }
    let endpoint = ep
        .port
        .clone()
        .or_else(|| ep.target_port.as_ref().map(|t| t.to_string()));
    if let Some(e) = endpoint {
        r.push(rule(&[], DEFAULT_REGEX, "endpoint", &e, Action::Replace)?);
    }
    r.extend(user_rules(&ep.scrape.relabelings)?);
    r.extend(shard_rules()?);
    Ok(r)
}

fn pod_monitor_rules(
    pm: &PodMonitor,
    ep: &PodMetricsEndpoint,
) -> Result<Vec<RelabelConfig>, String> {
    let mut r = vec![copy("job", "__tmp_prometheus_job_name")?];
    if ep.scrape.filter_running.unwrap_or(true) {
        r.push(drop(
            &["__meta_kubernetes_pod_phase"],
            "(Failed|Succeeded)",
        )?);
    }
    r.extend(selector_rules(&pm.selector, "__meta_kubernetes_pod_label")?);
    if let Some(port) = &ep.port {
        r.push(keep(&["__meta_kubernetes_pod_container_port_name"], port)?);
    } else if let Some(n) = ep.port_number {
        r.push(keep(
            &["__meta_kubernetes_pod_container_port_number"],
            &n.to_string(),
        )?);
    } else if let Some(tp) = &ep.target_port {
        match tp {
            IntOrString::Str(s) => r.push(keep(&["__meta_kubernetes_pod_container_port_name"], s)?),
            IntOrString::Int(n) => r.push(keep(
                &["__meta_kubernetes_pod_container_port_number"],
                &n.to_string(),
            )?),
        }
    }
    r.push(copy("__meta_kubernetes_namespace", "namespace")?);
    r.push(copy("__meta_kubernetes_pod_container_name", "container")?);
    r.push(copy("__meta_kubernetes_pod_name", "pod")?);
    for l in &pm.pod_target_labels {
        let l = sanitize_label_name(l);
        r.push(label_copy(&format!("__meta_kubernetes_pod_label_{l}"), &l)?);
    }
    let m = &pm.metadata;
    r.push(rule(
        &[],
        DEFAULT_REGEX,
        "job",
        &format!("{}/{}", m.namespace, m.name),
        Action::Replace,
    )?);
    if let Some(j) = &pm.job_label {
        let j = sanitize_label_name(j);
        r.push(label_copy(
            &format!("__meta_kubernetes_pod_label_{j}"),
            "job",
        )?);
    }
    let endpoint = ep
        .port
        .clone()
        .or_else(|| ep.target_port.as_ref().map(|t| t.to_string()));
    if let Some(e) = endpoint {
        r.push(rule(&[], DEFAULT_REGEX, "endpoint", &e, Action::Replace)?);
    }
    r.extend(user_rules(&ep.scrape.relabelings)?);
    r.extend(shard_rules()?);
    Ok(r)
}

// ---------------------------------------------------------------------------
// prometheus.yml

/// The global section the operator writes for `p`.
pub fn global_config(p: &Prometheus) -> GlobalConfig {
    let interval = p
        .scrape_interval
        .as_ref()
        .map_or(30_000, |d| d.millis)
        .max(1);
    let timeout = p
        .scrape_timeout
        .as_ref()
        .map_or(DEFAULT_SCRAPE_TIMEOUT.min(interval), |d| d.millis);
    let evaluation = p.evaluation_interval.as_ref().map_or(30_000, |d| d.millis);
    let mut external_labels = Labels::new();
    for (k, v) in &p.external_labels {
        external_labels.set(k.clone(), v.clone());
    }
    external_labels.set(
        "prometheus",
        format!("{}/{}", p.metadata.namespace, p.metadata.name),
    );
    external_labels.set(
        "prometheus_replica",
        format!("prometheus-{}-0", p.metadata.name),
    );
    GlobalConfig {
        scrape_interval: interval,
        scrape_timeout: timeout,
        evaluation_interval: evaluation,
        external_labels,
    }
}

/// Settings a ServiceMonitor and a PodMonitor endpoint share.
fn base_job(
    job_name: String,
    scrape: &ScrapeEndpoint,
    limits: &ScrapeLimits,
    global: &GlobalConfig,
) -> ScrapeConfig {
    let mut c = ScrapeConfig::new(job_name);
    c.scrape_interval = scrape
        .interval
        .as_ref()
        .map_or(global.scrape_interval, |d| d.millis);
    c.scrape_timeout = scrape
        .scrape_timeout
        .as_ref()
        .map_or(global.scrape_timeout.min(c.scrape_interval), |d| d.millis);
    if let Some(p) = &scrape.path {
        c.metrics_path = p.clone();
    }
    if let Some(s) = scrape.scheme {
        c.scheme = s.as_str().into();
    }
    c.params = scrape.params.clone();
    c.honor_labels = scrape.honor_labels;
    c.honor_timestamps = scrape.honor_timestamps.unwrap_or(true);
    c.sample_limit = limits.sample_limit.unwrap_or(0);
    c.label_limit = limits.label_limit.unwrap_or(0);
    c.label_name_length_limit = limits.label_name_length_limit.unwrap_or(0);
    c.label_value_length_limit = limits.label_value_length_limit.unwrap_or(0);
    c
}

/// Keeps the discovered targets the job's relabelling keeps.
fn keep_targets(c: &mut ScrapeConfig, discovered: &[Discovered]) {
    for d in discovered {
        let all = discovered_labels(c, &d.address, &d.labels);
        if relabel::process(&all, &c.relabel_configs).is_some() {
            c.targets.push((d.address.clone(), d.labels.clone()));
        }
    }
}

/// Why a ServiceMonitor endpoint finds no target, in words.
fn diagnose_service_monitor(
    cluster: &ClusterObjects,
    sm: &ServiceMonitor,
    ep: &Endpoint,
) -> String {
    let watched = monitor_namespaces(&sm.namespace_selector, &sm.metadata.namespace);
    let where_ = match &watched {
        None => "any namespace".to_string(),
        Some(list) => format!("namespace {}", list.join(", ")),
    };
    let in_scope: Vec<&Service> = cluster
        .services()
        .filter(|s| {
            watched
                .as_ref()
                .is_none_or(|l| l.contains(&s.metadata.namespace))
        })
        .collect();
    let matched: Vec<&Service> = in_scope
        .iter()
        .copied()
        .filter(|s| matches_labels(&sm.selector, &s.metadata.labels))
        .collect();
    if matched.is_empty() {
        let mut why = format!(
            "no Service in {where_} has labels matching selector {}",
            describe(&sm.selector)
        );
        let near: Vec<String> = in_scope
            .iter()
            .filter(|s| s.metadata.name == sm.metadata.name)
            .filter_map(|s| {
                mismatch(&sm.selector, &s.metadata.labels)
                    .map(|m| format!("Service {}: {m}", s.metadata.name))
            })
            .collect();
        if !near.is_empty() {
            why.push_str(&format!(" ({})", near.join("; ")));
        }
        return why;
    }
    let names = matched
        .iter()
        .map(|s| s.metadata.name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if let Some(port) = &ep.port {
        let with_port: Vec<&&Service> = matched
            .iter()
            .filter(|s| s.ports.iter().any(|p| p.name.as_deref() == Some(port)))
            .collect();
        if with_port.is_empty() {
            let ports = matched
                .iter()
                .flat_map(|s| &s.ports)
                .map(|p| p.name.clone().unwrap_or_else(|| p.port.to_string()))
                .collect::<Vec<_>>()
                .join(", ");
            return format!(
                "Service {names} has no port named {port:?} (its ports: {ports}); `port` names a Service port"
            );
        }
    }
    format!("Service {names} has no ready pod behind it: no running pod matches its selector")
}

fn service_monitor_jobs(
    cluster: &ClusterObjects,
    sm: &ServiceMonitor,
    global: &GlobalConfig,
    notes: &mut Vec<Note>,
) -> Vec<Job> {
    let key = Object::ServiceMonitor(sm.clone()).key();
    let namespaces = monitor_namespaces(&sm.namespace_selector, &sm.metadata.namespace);
    let discovered = endpoints_targets(cluster, namespaces.as_deref());
    let mut jobs = Vec::new();
    if sm.endpoints.is_empty() {
        notes.push(Note {
            severity: Severity::Warning,
            object: key.clone(),
            message: "has no endpoints, so it makes no scrape job".into(),
        });
    }
    for (i, ep) in sm.endpoints.iter().enumerate() {
        let name = format!(
            "serviceMonitor/{}/{}/{i}",
            sm.metadata.namespace, sm.metadata.name
        );
        let mut c = base_job(name, &ep.scrape, &sm.limits, global);
        match (
            service_monitor_rules(sm, ep),
            user_rules(&ep.scrape.metric_relabelings),
        ) {
            (Ok(r), Ok(m)) => {
                c.relabel_configs = r;
                c.metric_relabel_configs = m;
            }
            (Err(e), _) | (_, Err(e)) => {
                notes.push(Note {
                    severity: Severity::Error,
                    object: key.clone(),
                    message: format!("endpoint {i}: the generated relabelling does not compile ({e}); Prometheus would refuse the whole configuration, so the lab leaves the job out"),
                });
                continue;
            }
        }
        keep_targets(&mut c, &discovered);
        if c.targets.is_empty() {
            notes.push(Note {
                severity: Severity::Warning,
                object: key.clone(),
                message: format!(
                    "endpoint {i} finds no target: {}",
                    diagnose_service_monitor(cluster, sm, ep)
                ),
            });
        }
        jobs.push(Job {
            config: c,
            source: key.clone(),
            endpoint: i,
            discovered: discovered.len(),
        });
    }
    jobs
}

fn pod_monitor_jobs(
    cluster: &ClusterObjects,
    pm: &PodMonitor,
    global: &GlobalConfig,
    notes: &mut Vec<Note>,
) -> Vec<Job> {
    let key = Object::PodMonitor(pm.clone()).key();
    let namespaces = monitor_namespaces(&pm.namespace_selector, &pm.metadata.namespace);
    let discovered = pod_targets(cluster, namespaces.as_deref());
    let mut jobs = Vec::new();
    for (i, ep) in pm.pod_metrics_endpoints.iter().enumerate() {
        let name = format!(
            "podMonitor/{}/{}/{i}",
            pm.metadata.namespace, pm.metadata.name
        );
        let mut c = base_job(name, &ep.scrape, &pm.limits, global);
        match (
            pod_monitor_rules(pm, ep),
            user_rules(&ep.scrape.metric_relabelings),
        ) {
            (Ok(r), Ok(m)) => {
                c.relabel_configs = r;
                c.metric_relabel_configs = m;
            }
            (Err(e), _) | (_, Err(e)) => {
                notes.push(Note {
                    severity: Severity::Error,
                    object: key.clone(),
                    message: format!("endpoint {i}: the generated relabelling does not compile ({e}); Prometheus would refuse the whole configuration, so the lab leaves the job out"),
                });
                continue;
            }
        }
        keep_targets(&mut c, &discovered);
        if c.targets.is_empty() {
            let pods = cluster
                .pods()
                .filter(|p| {
                    namespaces
                        .as_ref()
                        .is_none_or(|l| l.contains(&p.metadata.namespace))
                })
                .filter(|p| matches_labels(&pm.selector, &p.metadata.labels))
                .count();
            let why = if pods == 0 {
                format!(
                    "no pod has labels matching selector {}",
                    describe(&pm.selector)
                )
            } else {
                format!("{pods} pod(s) match the selector, but none has the container port the endpoint names")
            };
            notes.push(Note {
                severity: Severity::Warning,
                object: key.clone(),
                message: format!("endpoint {i} finds no target: {why}"),
            });
        }
        jobs.push(Job {
            config: c,
            source: key.clone(),
            endpoint: i,
            discovered: discovered.len(),
        });
    }
    jobs
}

/// `rule_files` and `alerting`, which the scrape model does not hold.
#[derive(Serialize)]
struct OutExtra {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rule_files: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alerting: Option<OutAlerting>,
}

#[derive(Serialize)]
struct OutAlerting {
    alert_relabel_configs: Vec<OutAlertRelabel>,
    alertmanagers: Vec<OutAlertmanager>,
}

#[derive(Serialize)]
struct OutAlertRelabel {
    regex: &'static str,
    action: &'static str,
}

#[derive(Serialize)]
struct OutAlertmanager {
    path_prefix: String,
    scheme: &'static str,
    api_version: String,
    static_configs: Vec<OutTargets>,
}

#[derive(Serialize)]
struct OutTargets {
    targets: Vec<String>,
}

fn to_yaml<T: Serialize>(value: &T) -> String {
    // Plain structs of strings and lists always serialize; should one
    // not, the error shows as a comment rather than a panic.
    serde_saphyr::to_string(value).unwrap_or_else(|e| format!("# cannot write YAML: {e}\n"))
}

/// The addresses of the Alertmanagers a Prometheus sends alerts to.
fn alertmanager_targets(
    cluster: &ClusterObjects,
    p: &Prometheus,
    am: &AlertmanagerEndpoints,
    notes: &mut Vec<Note>,
) -> Vec<String> {
    let ns = am
        .namespace
        .clone()
        .unwrap_or_else(|| p.metadata.namespace.clone());
    let svc = cluster
        .services()
        .find(|s| s.metadata.namespace == ns && s.metadata.name == am.name);
    let Some(svc) = svc else {
        notes.push(Note {
            severity: Severity::Warning,
            object: Object::Prometheus(p.clone()).key(),
            message: format!(
                "alerting: Service {ns}/{} does not exist, so alerts go nowhere",
                am.name
            ),
        });
        return Vec::new();
    };
    let targets: Vec<String> = cluster
        .endpoints(svc)
        .iter()
        .filter(|e| match &am.port {
            Some(IntOrString::Str(name)) => e.port.name.as_deref() == Some(name.as_str()),
            Some(IntOrString::Int(n)) => e.container.is_some_and(|(_, cp)| cp.container_port == *n),
            None => true,
        })
        .filter_map(|e| {
            e.pod
                .status
                .pod_ip
                .as_ref()
                .map(|ip| format!("{ip}:{}", e.target_port))
        })
        .collect();
    if targets.is_empty() {
        notes.push(Note {
            severity: Severity::Warning,
            object: Object::Prometheus(p.clone()).key(),
            message: format!(
                "alerting: Service {ns}/{} has no endpoint on port {}",
                am.name,
                am.port
                    .as_ref()
                    .map_or("(any)".to_string(), |p| p.to_string())
            ),
        });
    }
    targets
}

/// Renders everything the operator generates for `p`.
pub fn render_prometheus(
    cluster: &ClusterObjects,
    p: &Prometheus,
    options: &RenderOptions,
) -> PrometheusOutput {
    let key = Object::Prometheus(p.clone()).key();
    let selection = p.select(cluster);
    let global = global_config(p);
    let mut notes = Vec::new();
    let mut jobs = Vec::new();
    for d in selection.service_monitors.iter().filter(|d| d.selected()) {
        if let Some(Object::ServiceMonitor(sm)) = cluster.get(&d.object) {
            jobs.extend(service_monitor_jobs(cluster, sm, &global, &mut notes));
        }
    }
    for d in selection.pod_monitors.iter().filter(|d| d.selected()) {
        if let Some(Object::PodMonitor(pm)) = cluster.get(&d.object) {
            jobs.extend(pod_monitor_jobs(cluster, pm, &global, &mut notes));
        }
    }
    let mut rule_files = Vec::new();
    for d in selection.rules.iter().filter(|d| d.selected()) {
        if let Some(Object::PrometheusRule(r)) = cluster.get(&d.object) {
            rule_files.push(rule_file(r));
        }
    }
    let config = PrometheusConfig {
        global: global.clone(),
        scrape_configs: jobs.iter().map(|j| j.config.clone()).collect(),
        ..PrometheusConfig::default()
    };
    let mut yaml = config.to_yaml();
    if jobs.is_empty() {
        // The writer leaves an empty list out; the operator writes it.
        yaml.push_str("scrape_configs: []\n");
    }
    let dir = options.rule_files_dir.clone().unwrap_or_else(|| {
        format!(
            "/etc/prometheus/rules/prometheus-{}-rulefiles-0",
            p.metadata.name
        )
    });
    let alerting = (!p.alertmanagers.is_empty()).then(|| OutAlerting {
        alert_relabel_configs: vec![OutAlertRelabel {
            regex: "prometheus_replica",
            action: "labeldrop",
        }],
        alertmanagers: p
            .alertmanagers
            .iter()
            .map(|am| OutAlertmanager {
                path_prefix: am.path_prefix.clone().unwrap_or_else(|| "/".into()),
                scheme: am.scheme.unwrap_or(Scheme::Http).as_str(),
                api_version: am.api_version.clone().unwrap_or_else(|| "v2".into()),
                static_configs: vec![OutTargets {
                    targets: alertmanager_targets(cluster, p, am, &mut notes),
                }],
            })
            .collect(),
    });
    yaml.push_str(&to_yaml(&OutExtra {
        rule_files: if p.rule_selector.is_some() {
            vec![format!("{dir}/*.yaml")]
        } else {
            Vec::new()
        },
        alerting,
    }));
    PrometheusOutput {
        prometheus: key,
        selection,
        global,
        jobs,
        rule_files,
        yaml,
        notes,
    }
}

// ---------------------------------------------------------------------------
// Rule files.

#[derive(Serialize)]
struct OutRuleFile<'a> {
    groups: Vec<OutGroup<'a>>,
}

#[derive(Serialize)]
struct OutGroup<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    interval: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    query_offset: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: &'a StringMap,
    rules: Vec<OutRule<'a>>,
}

#[derive(Serialize)]
struct OutRule<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    record: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    alert: Option<&'a str>,
    expr: &'a str,
    #[serde(rename = "for", skip_serializing_if = "Option::is_none")]
    for_: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keep_firing_for: Option<&'a str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    labels: &'a StringMap,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    annotations: &'a StringMap,
}

/// The operator's file for one PrometheusRule: its `spec` as a rule file.
pub fn rule_file(r: &PrometheusRule) -> RuleFile {
    let m = &r.metadata;
    let uid = m
        .uid
        .clone()
        .unwrap_or_else(|| super::cluster::uid_for(&Object::PrometheusRule(r.clone()).key()));
    let out = OutRuleFile {
        groups: r
            .groups
            .iter()
            .map(|g| OutGroup {
                name: &g.name,
                interval: g.interval.as_ref().map(|d| d.text.as_str()),
                query_offset: g.query_offset.as_ref().map(|d| d.text.as_str()),
                limit: g.limit,
                labels: &g.labels,
                rules: g
                    .rules
                    .iter()
                    .map(|rule| OutRule {
                        record: rule.record.as_deref(),
                        alert: rule.alert.as_deref(),
                        expr: &rule.expr,
                        for_: rule.for_.as_ref().map(|d| d.text.as_str()),
                        keep_firing_for: rule.keep_firing_for.as_ref().map(|d| d.text.as_str()),
                        labels: &rule.labels,
                        annotations: &rule.annotations,
                    })
                    .collect(),
            })
            .collect(),
    };
    RuleFile {
        name: format!("{}-{}-{uid}.yaml", m.namespace, m.name),
        source: Object::PrometheusRule(r.clone()).key(),
        yaml: to_yaml(&out),
    }
}

// ---------------------------------------------------------------------------
// alertmanager.yml

#[derive(Serialize)]
struct OutAmConfig {
    global: OutAmGlobal,
    route: OutRoute,
    inhibit_rules: Vec<OutInhibit>,
    receivers: Vec<OutReceiver>,
    templates: Vec<String>,
}

#[derive(Serialize)]
struct OutAmGlobal {
    resolve_timeout: String,
}

#[derive(Serialize, Default)]
struct OutRoute {
    #[serde(skip_serializing_if = "Option::is_none")]
    receiver: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    group_by: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    matchers: Vec<String>,
    #[serde(rename = "continue", skip_serializing_if = "std::ops::Not::not")]
    continue_: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    routes: Vec<OutRoute>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_wait: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_interval: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    repeat_interval: Option<String>,
}

#[derive(Serialize)]
struct OutInhibit {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    target_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    source_matchers: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    equal: Vec<String>,
}

#[derive(Serialize)]
struct OutReceiver {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    webhook_configs: Vec<OutWebhook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    email_configs: Vec<OutEmail>,
}

#[derive(Serialize)]
struct OutWebhook {
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_alerts: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<String>,
}

#[derive(Serialize)]
struct OutEmail {
    #[serde(skip_serializing_if = "Option::is_none")]
    send_resolved: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hello: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    smarthost: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_identity: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    headers: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    require_tls: Option<bool>,
}

fn quoted_matcher(name: &str, op: &str, value: &str) -> String {
    format!("{name}{op}{}", go_quote(value))
}

/// The kube-prometheus-stack chart's default `alertmanager.yml`: alerts go
/// to the `null` receiver, the Watchdog alert too, with the chart's
/// inhibition rules.
fn base_config() -> OutAmConfig {
    let null = || Some("null".to_string());
    OutAmConfig {
        global: OutAmGlobal {
            resolve_timeout: "5m".into(),
        },
        route: OutRoute {
            receiver: null(),
            group_by: vec!["namespace".into()],
            routes: vec![OutRoute {
                receiver: null(),
                matchers: vec![quoted_matcher("alertname", "=", "Watchdog")],
                ..OutRoute::default()
            }],
            group_wait: Some("30s".into()),
            group_interval: Some("5m".into()),
            repeat_interval: Some("12h".into()),
            ..OutRoute::default()
        },
        inhibit_rules: vec![
            OutInhibit {
                target_matchers: vec![quoted_matcher("severity", "=~", "warning|info")],
                source_matchers: vec![quoted_matcher("severity", "=", "critical")],
                equal: vec!["namespace".into(), "alertname".into()],
            },
            OutInhibit {
                target_matchers: vec![quoted_matcher("severity", "=", "info")],
                source_matchers: vec![quoted_matcher("severity", "=", "warning")],
                equal: vec!["namespace".into(), "alertname".into()],
            },
            OutInhibit {
                target_matchers: vec![quoted_matcher("severity", "=", "info")],
                source_matchers: vec![quoted_matcher("alertname", "=", "InfoInhibitor")],
                equal: vec!["namespace".into()],
            },
            OutInhibit {
                target_matchers: vec![quoted_matcher("alertname", "=", "InfoInhibitor")],
                source_matchers: Vec::new(),
                equal: Vec::new(),
            },
        ],
        receivers: vec![OutReceiver {
            name: "null".into(),
            webhook_configs: Vec::new(),
            email_configs: Vec::new(),
        }],
        templates: vec!["/etc/alertmanager/config/*.tmpl".into()],
    }
}

fn prefixed(name: &str, cfg: &ObjectMeta) -> String {
    format!("{}/{}/{name}", cfg.namespace, cfg.name)
}

fn convert_route(r: &Route, cfg: &ObjectMeta, notes: &mut Vec<Note>, key: &ObjectKey) -> OutRoute {
    if !r.mute_time_intervals.is_empty() || !r.active_time_intervals.is_empty() {
        notes.push(Note {
            severity: Severity::Warning,
            object: key.clone(),
            message: "the lab does not model time intervals: muteTimeIntervals and activeTimeIntervals are left out".into(),
        });
    }
    OutRoute {
        receiver: r.receiver.as_deref().map(|n| prefixed(n, cfg)),
        group_by: r.group_by.clone(),
        matchers: r.matchers.iter().map(Matcher::to_alertmanager).collect(),
        continue_: r.continue_,
        routes: r
            .routes
            .iter()
            .map(|c| convert_route(c, cfg, notes, key))
            .collect(),
        group_wait: r.group_wait.as_ref().map(|d| d.text.clone()),
        group_interval: r.group_interval.as_ref().map(|d| d.text.clone()),
        repeat_interval: r.repeat_interval.as_ref().map(|d| d.text.clone()),
    }
}

fn convert_receiver(
    r: &Receiver,
    cfg: &ObjectMeta,
    notes: &mut Vec<Note>,
    key: &ObjectKey,
) -> OutReceiver {
    let mut webhooks = Vec::new();
    for w in &r.webhook_configs {
        let Some(url) = &w.url else {
            if let Some(s) = &w.url_secret {
                notes.push(Note {
                    severity: Severity::Warning,
                    object: key.clone(),
                    message: format!(
                        "receiver {:?}: the lab does not model Secrets, so the webhook whose URL is in Secret {}/{} (key {}) is left out",
                        r.name, cfg.namespace, s.name, s.key
                    ),
                });
            }
            continue;
        };
        webhooks.push(OutWebhook {
            send_resolved: w.send_resolved,
            url: url.clone(),
            max_alerts: w.max_alerts.filter(|m| *m > 0),
            timeout: w.timeout.as_ref().map(|d| d.text.clone()),
        });
    }
    OutReceiver {
        name: prefixed(&r.name, cfg),
        webhook_configs: webhooks,
        email_configs: r
            .email_configs
            .iter()
            .map(|e| OutEmail {
                send_resolved: e.send_resolved,
                to: e.to.clone(),
                from: e.from.clone(),
                hello: e.hello.clone(),
                smarthost: e.smarthost.clone(),
                auth_username: e.auth_username.clone(),
                auth_identity: e.auth_identity.clone(),
                headers: e.headers.iter().cloned().collect(),
                require_tls: e.require_tls,
            })
            .collect(),
    }
}

/// Renders the `alertmanager.yml` the operator generates for `a`.
pub fn render_alertmanager(cluster: &ClusterObjects, a: &Alertmanager) -> AlertmanagerOutput {
    let key = Object::Alertmanager(a.clone()).key();
    let selection = a.select(cluster);
    let mut notes = Vec::new();
    let mut base = base_config();
    let mut routes = Vec::new();
    for d in selection.iter().filter(|d| d.selected()) {
        let Some(Object::AlertmanagerConfig(cfg)) = cluster.get(&d.object) else {
            continue;
        };
        let m = &cfg.metadata;
        let enforce = match a.matcher_strategy {
            MatcherStrategy::OnNamespace => true,
            MatcherStrategy::OnNamespaceExceptForAlertmanagerNamespace => {
                m.namespace != a.metadata.namespace
            }
            MatcherStrategy::None => false,
        };
        let ns_matcher = quoted_matcher("namespace", "=", &m.namespace);
        for rule in &cfg.inhibit_rules {
            let mut target: Vec<String> = rule
                .target_match
                .iter()
                .map(Matcher::to_alertmanager)
                .collect();
            let mut source: Vec<String> = rule
                .source_match
                .iter()
                .map(Matcher::to_alertmanager)
                .collect();
            if enforce {
                target.push(ns_matcher.clone());
                source.push(ns_matcher.clone());
            }
            base.inhibit_rules.push(OutInhibit {
                target_matchers: target,
                source_matchers: source,
                equal: rule.equal.clone(),
            });
        }
        let Some(route) = &cfg.route else { continue };
        let mut out = convert_route(route, m, &mut notes, &d.object);
        if enforce {
            out.matchers.push(ns_matcher.clone());
        }
        // Alerts must go on to the routes after this one.
        out.continue_ = true;
        routes.push(out);
        for r in &cfg.receivers {
            base.receivers
                .push(convert_receiver(r, m, &mut notes, &d.object));
        }
    }
    routes.append(&mut base.route.routes);
    base.route.routes = routes;
    AlertmanagerOutput {
        alertmanager: key,
        selection,
        yaml: to_yaml(&base),
        notes,
    }
}

/// The interval a job scrapes at, as Prometheus prints it.
pub fn job_interval(j: &Job) -> String {
    format_duration(j.config.scrape_interval)
}
