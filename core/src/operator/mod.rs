//! The Prometheus Operator's resources in the lab: read Kubernetes
//! manifests as a strict API server does, apply them to a simulated
//! cluster, select them as the operator's `Prometheus` and `Alertmanager`
//! resources do, and show what the operator generates from them.
//!
//! - [`yaml`]: manifests split into documents and read into spanned nodes.
//! - [`objects`]: the objects as typed structs (`Deployment`, `Service`,
//!   `ServiceMonitor`, `AlertmanagerConfig`, …).
//! - [`load`]: nodes to objects, with strict validation and issues that
//!   carry a YAML path, a position and a suggestion.
//! - [`cluster`]: the simulated API server's objects, from
//!   [`crate::sim::topology`] plus what is applied.
//! - [`select`]: label and namespace selectors, with the reasons.
//! - [`discovery`]: the targets Kubernetes service discovery would find.
//! - [`render`]: `prometheus.yml` (also as [`crate::scrape::ScrapeConfig`]s),
//!   rule files and `alertmanager.yml`.
//!
//! This module knows nothing of the PromQL engine, rule evaluation or the
//! Alertmanager; its outputs are YAML text those can read.
//!
//! # For the lab
//!
//! 1. Build the simulated API server for the lab's cluster:
//!    [`ClusterObjects::from_topology`] with the lab's
//!    [`crate::sim::topology::Topology`] (or [`ClusterObjects::simulated`]
//!    for the default cluster), so the pods' addresses are the ones the
//!    lab's simulated cluster serves.
//! 2. [`apply`] the manifests: an [`ApplyReport`] with every issue (file,
//!    YAML path, span, message, suggestion), the documents refused and what
//!    `kubectl apply` would print for the rest.
//! 3. [`generate`]: the operator's output for every Prometheus and
//!    Alertmanager that counts ([`defaults_for`]: those applied, or the lab's
//!    defaults, which select the training material's labels).
//!    [`Generated::scrape_yml`] is the `global` and `scrape_configs` that
//!    [`crate::lab::Lab::load_config`] loads (its targets are static, at the
//!    simulated pods' addresses, with the `__meta_kubernetes_*` labels
//!    service discovery would give); [`Generated::prometheus_yml`] the whole
//!    file with `rule_files` and `alerting`; [`Generated::rule_files`] the
//!    rule files' names and YAML; [`Generated::alertmanager_yml`] the
//!    Alertmanager's configuration. The selection decisions and notes are in
//!    [`Generated::prometheus`] and [`Generated::alertmanager`].
//!
//! [`run`] does all three on the default cluster and keeps the files for
//! [`Report::to_text`], which `promlab operator render` prints.
//!
//! ```
//! use promlab_core::operator::{run, ManifestFile};
//! use promlab_core::operator::load::LoadOptions;
//! use promlab_core::operator::render::RenderOptions;
//! let sm = "apiVersion: monitoring.coreos.com/v1
//! kind: ServiceMonitor
//! metadata:
//!   name: node
//!   labels: {release: qks-monitoring}
//! spec:
//!   selector:
//!     matchLabels: {jobLabel: node-exporter}
//!   jobLabel: jobLabel
//!   endpoints: [{port: http-metrics}]
//! ";
//! let report = run(vec![ManifestFile::new("sm.yaml", sm)], &LoadOptions::default(), &RenderOptions::default());
//! assert!(!report.has_errors());
//! // The job of this ServiceMonitor, beside those of the cluster's own.
//! let job = report.prometheus[0].jobs.iter()
//!     .find(|j| j.config.job_name == "serviceMonitor/qks-monitoring/node/0")
//!     .unwrap();
//! assert_eq!(job.config.targets.len(), 3);
//! ```
//!
//! A lab applies manifests the same way, and scrapes what is generated:
//!
//! ```
//! use promlab_core::api::ManifestText;
//! use promlab_core::lab::{Lab, LabOptions};
//! use promlab_core::operator::load::FieldValidation;
//! # let sm = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: app, labels: {release: qks-monitoring}}\nspec:\n  selector: {matchLabels: {app: prom-example}}\n  endpoints: [{port: metrics}]\n";
//! let mut lab = Lab::new(LabOptions { history: 60_000, ..LabOptions::default() });
//! let files = [ManifestText { name: "sm.yaml".into(), text: sm.into() }];
//! let applied = lab.apply_manifests(&files, FieldValidation::Strict).unwrap();
//! assert!(applied.jobs.iter().any(|j| j == "serviceMonitor/qks-monitoring/app/0"));
//! ```

pub mod cluster;
pub mod discovery;
pub mod load;
pub mod objects;
pub mod render;
pub mod select;
pub mod yaml;

use crate::diagnostic::Severity;
use cluster::{Applied, ClusterObjects, DEFAULT_RESOURCES};
use load::{load, Issue, LoadOptions, Refused};
use objects::{Alertmanager, Kind, Object, Prometheus};
use render::{
    render_alertmanager, render_prometheus, AlertmanagerOutput, PrometheusOutput, RenderOptions,
    RuleFile,
};
use select::Decision;
use std::fmt::Write;

/// A manifest file: its name (for messages) and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestFile {
    pub name: String,
    pub text: String,
}

impl ManifestFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        ManifestFile {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// An issue and the file it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct FileIssue {
    /// Index into [`Report::files`].
    pub file: usize,
    pub issue: Issue,
}

/// What applying manifests to a cluster did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApplyReport {
    pub issues: Vec<FileIssue>,
    /// Documents not applied because of errors, with their file's index.
    pub refused: Vec<(usize, Refused)>,
    pub applied: Vec<Applied>,
}

/// Reads the files as a strict (or, per `options`, lenient) API server
/// does and applies every document without errors to `cluster`, as
/// `kubectl apply -f DIR` does.
pub fn apply(
    cluster: &mut ClusterObjects,
    files: &[ManifestFile],
    options: &LoadOptions,
) -> ApplyReport {
    let mut report = ApplyReport::default();
    let mut objects = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let out = load(&f.text, options);
        report.issues.extend(
            out.issues
                .into_iter()
                .map(|issue| FileIssue { file: i, issue }),
        );
        report
            .refused
            .extend(out.refused.into_iter().map(|r| (i, r)));
        objects.extend(out.objects.into_iter().map(|l| l.object));
    }
    report.applied = cluster.apply(objects);
    report
}

/// The Prometheus and Alertmanager resources the operator renders in a
/// cluster: see [`defaults_for`].
#[derive(Debug, Clone, PartialEq)]
pub struct Resources {
    pub prometheuses: Vec<Prometheus>,
    pub alertmanagers: Vec<Alertmanager>,
    /// The Prometheus resources are the lab's defaults (none was applied).
    pub default_prometheus: bool,
    /// The Alertmanager resources are the lab's defaults (none was applied).
    pub default_alertmanager: bool,
}

/// The lab's defaults for a cluster: the Prometheus and Alertmanager
/// resources applied from manifests if there are any; when there are none
/// (a directory holding only a ServiceMonitor, a PrometheusRule, …, as the
/// training material's example does), the simulated cluster's
/// kube-prometheus-stack resources ([`cluster::DEFAULT_RESOURCES`]). Their
/// selectors pick the training material's labels in every namespace:
/// ServiceMonitors and PodMonitors labelled `release: qks-monitoring`,
/// PrometheusRules labelled `prometheus: example` and `role: alert-rules`,
/// AlertmanagerConfigs labelled `alertmanagerConfig: example`. A cluster
/// built without them ([`ClusterObjects::empty`]) gets them all the same.
///
/// ```
/// use promlab_core::operator::{defaults_for, cluster::ClusterObjects};
/// let d = defaults_for(&ClusterObjects::simulated());
/// assert!(d.default_prometheus && d.default_alertmanager);
/// let sel = d.prometheuses[0].service_monitor_selector.as_ref().unwrap();
/// assert_eq!(sel.match_labels["release"], "qks-monitoring");
/// ```
pub fn defaults_for(cluster: &ClusterObjects) -> Resources {
    let user_prometheuses: Vec<Prometheus> = cluster
        .of_kind(Kind::Prometheus)
        .filter(|o| cluster.is_applied(&o.key()))
        .filter_map(|o| match o {
            Object::Prometheus(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let user_alertmanagers: Vec<Alertmanager> = cluster
        .of_kind(Kind::Alertmanager)
        .filter(|o| cluster.is_applied(&o.key()))
        .filter_map(|o| match o {
            Object::Alertmanager(a) => Some(a.clone()),
            _ => None,
        })
        .collect();
    // The defaults as shipped: one of the same name applied from a
    // manifest is the user's, and counts above.
    let shipped = load(DEFAULT_RESOURCES, &LoadOptions::default()).objects;
    let default_prometheuses = shipped
        .iter()
        .filter_map(|l| match &l.object {
            Object::Prometheus(p) => Some(p.clone()),
            _ => None,
        })
        .collect();
    let default_alertmanagers = shipped
        .iter()
        .filter_map(|l| match &l.object {
            Object::Alertmanager(a) => Some(a.clone()),
            _ => None,
        })
        .collect();
    let default_prometheus = user_prometheuses.is_empty();
    let default_alertmanager = user_alertmanagers.is_empty();
    Resources {
        prometheuses: if default_prometheus {
            default_prometheuses
        } else {
            user_prometheuses
        },
        alertmanagers: if default_alertmanager {
            default_alertmanagers
        } else {
            user_alertmanagers
        },
        default_prometheus,
        default_alertmanager,
    }
}

/// What the operator generates in a cluster: for each Prometheus and
/// Alertmanager of [`defaults_for`], its files and the selection behind
/// them.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub prometheus: Vec<PrometheusOutput>,
    pub alertmanager: Vec<AlertmanagerOutput>,
    pub default_prometheus: bool,
    pub default_alertmanager: bool,
}

impl Generated {
    /// The first Prometheus's whole `prometheus.yml`: `global`, the
    /// `scrape_configs` (static targets at addresses the simulated cluster
    /// serves), `rule_files` and `alerting`, as a real Prometheus (and
    /// `promtool check config`) reads it.
    pub fn prometheus_yml(&self) -> Option<&str> {
        self.prometheus.first().map(|p| p.yaml.as_str())
    }

    /// The scrape part of the first Prometheus's `prometheus.yml` (its
    /// `global` and `scrape_configs`, the text it starts with): what
    /// [`crate::lab::Lab::load_config`] reads, which refuses the
    /// `rule_files` and `alerting` sections of the whole file.
    pub fn scrape_yml(&self) -> Option<String> {
        self.prometheus.first().map(|p| p.scrape_config().to_yaml())
    }

    /// The first Prometheus's rule files (name and YAML text), in the
    /// format Prometheus's rule files have.
    pub fn rule_files(&self) -> &[RuleFile] {
        self.prometheus.first().map_or(&[], |p| &p.rule_files)
    }

    /// The first Alertmanager's `alertmanager.yml`.
    pub fn alertmanager_yml(&self) -> Option<&str> {
        self.alertmanager.first().map(|a| a.yaml.as_str())
    }
}

/// Does what the operator does for every Prometheus and Alertmanager that
/// counts in `cluster` ([`defaults_for`]): selects their resources and
/// renders their files.
pub fn generate(cluster: &ClusterObjects, render: &RenderOptions) -> Generated {
    let r = defaults_for(cluster);
    Generated {
        prometheus: r
            .prometheuses
            .iter()
            .map(|p| render_prometheus(cluster, p, render))
            .collect(),
        alertmanager: r
            .alertmanagers
            .iter()
            .map(|a| render_alertmanager(cluster, a))
            .collect(),
        default_prometheus: r.default_prometheus,
        default_alertmanager: r.default_alertmanager,
    }
}

/// Everything the lab did with a set of manifests.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub files: Vec<ManifestFile>,
    pub issues: Vec<FileIssue>,
    /// Documents not applied because of errors, with their file's index.
    pub refused: Vec<(usize, Refused)>,
    pub applied: Vec<Applied>,
    pub prometheus: Vec<PrometheusOutput>,
    pub alertmanager: Vec<AlertmanagerOutput>,
    /// The resources rendered are the lab's defaults (the manifests have no
    /// Prometheus or Alertmanager of their own).
    pub default_prometheus: bool,
    pub default_alertmanager: bool,
}

/// Reads the files, applies what loads to the default simulated cluster
/// ([`apply`]) and renders what the operator would generate
/// ([`generate`]).
pub fn run(files: Vec<ManifestFile>, options: &LoadOptions, render: &RenderOptions) -> Report {
    let mut cluster = ClusterObjects::simulated();
    let applied = apply(&mut cluster, &files, options);
    let generated = generate(&cluster, render);
    Report {
        files,
        issues: applied.issues,
        refused: applied.refused,
        applied: applied.applied,
        prometheus: generated.prometheus,
        alertmanager: generated.alertmanager,
        default_prometheus: generated.default_prometheus,
        default_alertmanager: generated.default_alertmanager,
    }
}

impl Report {
    /// Whether a manifest had an error or an object could not be applied.
    pub fn has_errors(&self) -> bool {
        self.issues
            .iter()
            .any(|i| i.issue.severity == Severity::Error)
            || self.applied.iter().any(|a| a.result.is_err())
    }

    /// Every issue, rendered with its file, line and column.
    pub fn render_issues(&self) -> String {
        let mut out = String::new();
        for fi in &self.issues {
            let Some(f) = self.files.get(fi.file) else {
                continue;
            };
            out.push_str(&fi.issue.render(&f.text, &f.name));
        }
        out
    }

    /// The whole report as the command line prints it: issues first, then
    /// what was applied, then each Prometheus's and Alertmanager's
    /// selection and generated files.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let errors = self
            .issues
            .iter()
            .filter(|i| i.issue.severity == Severity::Error)
            .count();
        let warnings = self.issues.len() - errors;
        if !self.issues.is_empty() {
            let _ = writeln!(
                out,
                "# {} in the manifests\n",
                counted(errors, "error", warnings, "warning")
            );
            out.push_str(&self.render_issues());
            out.push('\n');
        }
        out.push_str("# kubectl apply\n");
        if self.applied.is_empty() && self.refused.is_empty() {
            out.push_str("(nothing to apply)\n");
        }
        for (file, r) in &self.refused {
            let name = self.files.get(*file).map_or("", |f| f.name.as_str());
            let _ = writeln!(
                out,
                "error: {r} in {name} not applied: {}",
                counted(r.errors, "error", 0, "warning")
            );
        }
        for a in &self.applied {
            let _ = writeln!(out, "{a}");
        }
        for p in &self.prometheus {
            let _ = writeln!(
                out,
                "\n# {}{}",
                p.prometheus,
                if self.default_prometheus {
                    " (the lab's default)"
                } else {
                    ""
                }
            );
            write_decisions(&mut out, "ServiceMonitor", &p.selection.service_monitors);
            write_decisions(&mut out, "PodMonitor", &p.selection.pod_monitors);
            write_decisions(&mut out, "PrometheusRule", &p.selection.rules);
            for j in &p.jobs {
                let _ = writeln!(
                    out,
                    "job {}: {} target(s) of {} discovered",
                    j.config.job_name,
                    j.config.targets.len(),
                    j.discovered
                );
            }
            write_notes(&mut out, &p.notes);
            let _ = writeln!(out, "\n## prometheus.yml\n{}", p.yaml);
            for r in &p.rule_files {
                let _ = writeln!(out, "## {}\n{}", r.name, r.yaml);
            }
        }
        for a in &self.alertmanager {
            let _ = writeln!(
                out,
                "\n# {}{}",
                a.alertmanager,
                if self.default_alertmanager {
                    " (the lab's default)"
                } else {
                    ""
                }
            );
            write_decisions(&mut out, "AlertmanagerConfig", &a.selection);
            write_notes(&mut out, &a.notes);
            let _ = writeln!(out, "\n## alertmanager.yml\n{}", a.yaml);
        }
        out
    }
}

fn counted(errors: usize, e: &str, warnings: usize, w: &str) -> String {
    let plural = |n: usize, s: &str| format!("{n} {s}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w_) => plural(w_, w),
        (e_, 0) => plural(e_, e),
        (e_, w_) => format!("{}, {}", plural(e_, e), plural(w_, w)),
    }
}

fn write_decisions(out: &mut String, kind: &str, decisions: &[Decision]) {
    if decisions.is_empty() {
        let _ = writeln!(out, "{kind}: none in the cluster");
    }
    for d in decisions {
        let verdict = if d.selected() {
            "selected"
        } else {
            "not selected"
        };
        let _ = writeln!(out, "{}: {verdict}: {}", d.object, d.reasons.join("; and "));
    }
}

fn write_notes(out: &mut String, notes: &[render::Note]) {
    for n in notes {
        let severity = match n.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = writeln!(out, "{severity}: {}: {}", n.object, n.message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const OWN: &str = "apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: NAME, namespace: qks-monitoring}
spec:
  serviceMonitorSelector: {matchLabels: {team: a}}
";

    fn applied(name: &str) -> ClusterObjects {
        let mut cluster = ClusterObjects::simulated();
        let files = [ManifestFile::new("p.yaml", OWN.replace("NAME", name))];
        let out = apply(&mut cluster, &files, &LoadOptions::default());
        assert!(out.issues.is_empty(), "{:?}", out.issues);
        cluster
    }

    fn team(r: &Resources) -> Vec<(String, Option<String>)> {
        r.prometheuses
            .iter()
            .map(|p| {
                let sel = p.service_monitor_selector.as_ref();
                let team = sel.and_then(|s| s.match_labels.get("team").cloned());
                (p.metadata.name.clone(), team)
            })
            .collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn defaults_apply_only_while_no_resource_of_that_kind_was_applied() {
        let plain = defaults_for(&ClusterObjects::simulated());
        assert!(plain.default_prometheus && plain.default_alertmanager);
        let empty = defaults_for(&ClusterObjects::empty());
        assert_eq!(empty, plain);
        // A Prometheus of its own replaces the default one; the
        // Alertmanager stays the default.
        let own = defaults_for(&applied("mine"));
        assert!(!own.default_prometheus && own.default_alertmanager);
        assert_eq!(team(&own), [("mine".to_string(), Some("a".to_string()))]);
        // So does one applied under the default's name.
        let name = plain.prometheuses[0].metadata.name.clone();
        let same = defaults_for(&applied(&name));
        assert!(!same.default_prometheus);
        assert_eq!(team(&same), [(name, Some("a".to_string()))]);
    }
}
