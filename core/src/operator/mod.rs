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
//! let jobs = &report.prometheus[0].jobs;
//! assert_eq!(jobs[0].config.job_name, "serviceMonitor/qks-monitoring/node/0");
//! assert_eq!(jobs[0].config.targets.len(), 3);
//! ```

pub mod cluster;
pub mod discovery;
pub mod load;
pub mod objects;
pub mod render;
pub mod select;
pub mod yaml;

use crate::diagnostic::Severity;
use cluster::{Applied, ClusterObjects};
use load::{load, Issue, LoadOptions, Refused};
use objects::Kind;
use render::{
    render_alertmanager, render_prometheus, AlertmanagerOutput, PrometheusOutput, RenderOptions,
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

/// Reads the files, applies what loads to the simulated cluster and
/// renders what the operator would generate. The Prometheus and
/// Alertmanager resources rendered are those of the manifests, or the
/// simulated cluster's own ([`cluster::DEFAULT_RESOURCES`]) when the
/// manifests have none.
pub fn run(files: Vec<ManifestFile>, options: &LoadOptions, render: &RenderOptions) -> Report {
    let mut issues = Vec::new();
    let mut refused = Vec::new();
    let mut objects = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let out = load(&f.text, options);
        issues.extend(
            out.issues
                .into_iter()
                .map(|issue| FileIssue { file: i, issue }),
        );
        refused.extend(out.refused.into_iter().map(|r| (i, r)));
        objects.extend(out.objects.into_iter().map(|l| l.object));
    }
    let mut cluster = ClusterObjects::simulated();
    let applied = cluster.apply(objects);
    let user = |kind: Kind| {
        applied
            .iter()
            .filter(|a| a.key.kind == kind && a.result.is_ok())
            .map(|a| a.key.clone())
            .collect::<Vec<_>>()
    };
    let (user_prometheus, user_alertmanager) = (user(Kind::Prometheus), user(Kind::Alertmanager));
    let prometheus: Vec<PrometheusOutput> = cluster
        .prometheuses()
        .filter(|p| {
            let key = objects::Object::Prometheus((*p).clone()).key();
            if user_prometheus.is_empty() {
                cluster.is_builtin(&key)
            } else {
                user_prometheus.contains(&key)
            }
        })
        .map(|p| render_prometheus(&cluster, p, render))
        .collect();
    let alertmanager: Vec<AlertmanagerOutput> = cluster
        .alertmanagers()
        .filter(|a| {
            let key = objects::Object::Alertmanager((*a).clone()).key();
            if user_alertmanager.is_empty() {
                cluster.is_builtin(&key)
            } else {
                user_alertmanager.contains(&key)
            }
        })
        .map(|a| render_alertmanager(&cluster, a))
        .collect();
    Report {
        files,
        issues,
        refused,
        applied,
        prometheus,
        alertmanager,
        default_prometheus: user_prometheus.is_empty(),
        default_alertmanager: user_alertmanager.is_empty(),
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
