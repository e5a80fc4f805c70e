//! The training material's manifests (its last section: the example app's
//! Deployment, Service, ServiceMonitor, AlertmanagerConfig and
//! PrometheusRule, copied under `operator/training/` as a user writes
//! them) load, with the one typo reported exactly; and they render to what
//! the operator would generate, which matches the targets the simulated
//! cluster serves.

use promlab_core::diagnostic::Severity;
use promlab_core::operator::cluster::ClusterObjects;
use promlab_core::operator::load::{load, FieldValidation, IssueKind, LoadOptions};
use promlab_core::operator::objects::{Kind, Object};
use promlab_core::operator::render::RenderOptions;
use promlab_core::operator::{generate, run, ManifestFile, Report};
use promlab_core::scrape::config::PrometheusConfig;
use promlab_core::scrape::target::{discovered_labels, populate_labels, public_labels};
use promlab_core::sim::topology::Topology;
use promlab_core::sim::{Cluster, ClusterOptions};
use wasm_bindgen_test::wasm_bindgen_test;

const FILES: [(&str, &str); 5] = [
    (
        "Deployment.yaml",
        include_str!("operator/training/Deployment.yaml"),
    ),
    (
        "Service.yaml",
        include_str!("operator/training/Service.yaml"),
    ),
    (
        "ServiceMonitor.yaml",
        include_str!("operator/training/ServiceMonitor.yaml"),
    ),
    (
        "alertmanagerconfig.yaml",
        include_str!("operator/training/alertmanagerconfig.yaml"),
    ),
    (
        "prometheusrule.yaml",
        include_str!("operator/training/prometheusrule.yaml"),
    ),
];

fn files() -> Vec<ManifestFile> {
    FILES
        .iter()
        .map(|(name, text)| ManifestFile::new(*name, *text))
        .collect()
}

fn report(validation: FieldValidation) -> Report {
    let options = LoadOptions {
        validation,
        ..LoadOptions::default()
    };
    run(files(), &options, &RenderOptions::default())
}

#[wasm_bindgen_test(unsupported = test)]
fn every_file_loads_and_only_the_webhook_typo_is_reported() {
    let mut loaded = Vec::new();
    let mut issues = Vec::new();
    for (name, text) in FILES {
        let out = load(text, &LoadOptions::default());
        loaded.extend(out.objects.iter().map(|l| l.object.key().to_string()));
        issues.extend(out.issues.into_iter().map(|i| (name, text, i)));
    }
    assert_eq!(
        loaded,
        [
            "Deployment qks-monitoring/prom-example",
            "Service qks-monitoring/prom-example",
            "ServiceMonitor qks-monitoring/prom-example",
            "PrometheusRule qks-monitoring/prometheus-example-rules",
        ]
    );
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let (name, text, issue) = &issues[0];
    assert_eq!(*name, "alertmanagerconfig.yaml");
    assert_eq!(issue.severity, Severity::Error);
    assert_eq!(
        issue.kind,
        IssueKind::UnknownField {
            suggestion: Some("sendResolved".into())
        }
    );
    assert_eq!(
        issue.path,
        "spec.receivers[0].webhookConfigs[0].send_resolved"
    );
    assert_eq!(issue.position(text).to_string(), "18:11");
    assert_eq!(
        issue.message,
        r#"unknown field "send_resolved": did you mean "sendResolved"?"#
    );
    assert_eq!(
        issue.hint.as_deref(),
        Some(
            r#"kubectl apply (strict by default) refuses the object; with --validate=warn or --validate=false the API server drops "send_resolved" instead, and "sendResolved" stays unset: Alertmanager's default for webhooks, send_resolved: true, applies, so resolved alerts are sent too"#
        )
    );
    expect_test::expect![[r#"
        alertmanagerconfig.yaml:18:11: error: spec.receivers[0].webhookConfigs[0].send_resolved: unknown field "send_resolved": did you mean "sendResolved"?
                    send_resolved: false
                    ^^^^^^^^^^^^^
        hint: kubectl apply (strict by default) refuses the object; with --validate=warn or --validate=false the API server drops "send_resolved" instead, and "sendResolved" stays unset: Alertmanager's default for webhooks, send_resolved: true, applies, so resolved alerts are sent too
    "#]]
    .assert_eq(&issue.render(text, name));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_lenient_apply_drops_the_typo_and_the_webhook_keeps_its_default() {
    let (_, text) = FILES[3];
    let options = LoadOptions {
        validation: FieldValidation::Warn,
        ..LoadOptions::default()
    };
    let out = load(text, &options);
    assert_eq!(out.issues.len(), 1);
    assert_eq!(out.issues[0].severity, Severity::Warning);
    let Object::AlertmanagerConfig(cfg) = &out.objects[0].object else {
        panic!("{:?}", out.objects)
    };
    assert_eq!(cfg.receivers[0].webhook_configs[0].send_resolved, None);
    let report = report(FieldValidation::Warn);
    assert!(!report.has_errors());
    let yaml = &report.alertmanager[0].yaml;
    assert!(yaml.contains("- name: qks-monitoring/config-example/webhook\n  webhook_configs:\n  - url: https://webhook.site/"), "{yaml}");
    assert!(!yaml.contains("send_resolved"), "{yaml}");
    // Ignoring unknown fields says nothing at all.
    let quiet = load(
        text,
        &LoadOptions {
            validation: FieldValidation::Ignore,
            ..LoadOptions::default()
        },
    );
    assert_eq!(quiet.issues, []);
    assert_eq!(quiet.objects.len(), 1);
}

/// The jobs the operator generates from the cluster's ServiceMonitors
/// (with the example's) scrape exactly the simulated targets, each with the
/// labels, interval and honor_labels the simulation gives it, for clusters
/// of several shapes.
#[wasm_bindgen_test(unsupported = test)]
fn the_generated_jobs_give_the_labels_the_simulated_cluster_scrapes_with() {
    for (nodes, gpu_nodes) in [(3, 1), (1, 0), (5, 2), (2, 2)] {
        let options = ClusterOptions {
            nodes,
            gpu_nodes,
            ..ClusterOptions::default()
        };
        let objects = ClusterObjects::from_topology(&Topology::build(&options));
        let generated = generate(&objects, &RenderOptions::default());
        let mut scraped: Vec<(String, String)> = Vec::new();
        let sim = Cluster::with_options(options).targets();
        for job in &generated.prometheus[0].jobs {
            let job = &job.config;
            for (address, group) in &job.targets {
                let Some(all) =
                    populate_labels(&discovered_labels(job, address, group), job).unwrap()
                else {
                    continue;
                };
                let sim = sim
                    .iter()
                    .find(|t| &t.address == address)
                    .unwrap_or_else(|| {
                        panic!("{address} of {} is no simulated target", job.job_name)
                    });
                let mut want = sim.labels.clone();
                want.set("job", sim.job.clone());
                want.set("instance", sim.address.clone());
                assert_eq!(public_labels(&all), want, "{nodes} nodes");
                assert_eq!(job.scrape_interval, sim.scrape_interval, "{}", job.job_name);
                assert_eq!(job.metrics_path, sim.metrics_path);
                assert_eq!(job.honor_labels, sim.honor_labels, "{}", job.job_name);
                scraped.push((job.job_name.clone(), address.clone()));
            }
        }
        let mut want: Vec<&str> = sim.iter().map(|t| t.address.as_str()).collect();
        let mut got: Vec<&str> = scraped.iter().map(|(_, a)| a.as_str()).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{nodes} nodes, {gpu_nodes} with GPUs");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn the_scrape_part_reads_back_as_the_same_config() {
    let report = report(FieldValidation::Strict);
    let config = report.prometheus[0].scrape_config();
    let again = PrometheusConfig::parse(&config.to_yaml()).unwrap();
    assert_eq!(again, config);
    // The full prometheus.yml starts with exactly that text.
    assert!(report.prometheus[0].yaml.starts_with(&config.to_yaml()));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_rule_file_is_named_after_the_object_and_its_uid() {
    let report = report(FieldValidation::Strict);
    let files = &report.prometheus[0].rule_files;
    assert_eq!(files.len(), 1);
    let name = &files[0].name;
    let uid = name
        .strip_prefix("qks-monitoring-prometheus-example-rules-")
        .and_then(|rest| rest.strip_suffix(".yaml"))
        .unwrap();
    assert_eq!(uid.len(), 36, "{name}");
    assert_eq!(files[0].source.kind, Kind::PrometheusRule);
    assert_eq!(
        files[0].yaml,
        "groups:\n- name: Count greater than 5\n  rules:\n  - alert: CountGreaterThan5\n    expr: ping_request_count > 5\n    for: 10s\n"
    );
}

/// The whole output, as `promlab operator render` prints it.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn strict_render_matches_the_snapshot() {
    expect_test::expect_file!["operator/training/render-strict.txt"]
        .assert_eq(&report(FieldValidation::Strict).to_text());
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn lenient_render_matches_the_snapshot() {
    expect_test::expect_file!["operator/training/render-warn.txt"]
        .assert_eq(&report(FieldValidation::Warn).to_text());
}
