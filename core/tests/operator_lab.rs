//! The operator's output goes into a lab: the training material's
//! manifests applied to the simulated cluster of the lab's shape, the
//! generated `prometheus.yml` loaded with `Lab::load_config`, and the
//! generated job scrapes the ping app at the address the simulated cluster
//! serves, with the labels the operator's relabelling gives.

use promlab_core::api::{ApiData, ApiRequest, ApiResponse, QueryResult};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::operator::cluster::ClusterObjects;
use promlab_core::operator::load::LoadOptions;
use promlab_core::operator::render::RenderOptions;
use promlab_core::operator::{apply, generate, ManifestFile};
use promlab_core::scrape::PrometheusConfig;
use promlab_core::sim::topology::Topology;
use wasm_bindgen_test::wasm_bindgen_test;

const JOB: &str = "serviceMonitor/qks-monitoring/prom-example/0";

fn training() -> Vec<ManifestFile> {
    [
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
    ]
    .into_iter()
    .map(|(name, text)| ManifestFile::new(name, text))
    .collect()
}

fn options() -> LabOptions {
    LabOptions {
        history: 5 * 60_000,
        ..LabOptions::default()
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn the_generated_config_scrapes_the_ping_app_in_the_lab() {
    let options = options();
    let mut cluster = ClusterObjects::from_topology(&Topology::build(&options.cluster));
    let applied = apply(&mut cluster, &training(), &LoadOptions::default());
    // The strict apply refuses the AlertmanagerConfig (its typo) and takes
    // the rest.
    assert_eq!(applied.refused.len(), 1);
    assert_eq!(applied.applied.len(), 4);
    let generated = generate(&cluster, &RenderOptions::default());
    let yaml = generated.scrape_yml().expect("the default Prometheus");
    assert!(generated.prometheus_yml().unwrap().starts_with(&yaml));
    let mut lab = Lab::new(options);
    // The lab's own jobs are the operator's, so the generated file's jobs
    // are there already, and loading it again clashes.
    let ApiResponse::Success {
        data: ApiData::Config(config),
        ..
    } = lab.api(&ApiRequest::StatusConfig)
    else {
        panic!("no config")
    };
    let ours = PrometheusConfig::parse(&config.yaml)
        .unwrap()
        .scrape_configs;
    let theirs = PrometheusConfig::parse(&yaml).unwrap().scrape_configs;
    assert_eq!(ours, theirs);
    assert!(ours.iter().any(|c| c.job_name == JOB));
    assert_eq!(
        lab.load_config(&yaml),
        Err(
            "a scrape config with job name \"serviceMonitor/gpu-operator/nvidia-dcgm-exporter/0\" already exists in the lab"
                .to_string()
        )
    );
    lab.advance_to(lab.now() + 60_000);

    let ApiResponse::Success {
        data: ApiData::Targets(targets),
        ..
    } = lab.api(&ApiRequest::Targets)
    else {
        panic!("no targets")
    };
    let ours: Vec<_> = targets
        .active_targets
        .iter()
        .filter(|t| t.scrape_pool == JOB)
        .collect();
    assert_eq!(ours.len(), 1);
    let t = ours[0];
    assert_eq!(t.health, "up", "{}", t.last_error);
    assert_eq!(t.scrape_url, "http://10.244.1.17:8090/metrics");
    assert_eq!(t.scrape_interval, "15s");
    assert_eq!(
        t.labels.to_string(),
        r#"{container="mymetric", endpoint="metrics", instance="10.244.1.17:8090", job="prom-example", namespace="qks-monitoring", pod="prom-example-5d8c7b9f4-x2x7q", service="prom-example"}"#
    );

    let ApiResponse::Success {
        data: ApiData::Query(QueryResult::Vector(v)),
        ..
    } = lab.api(&ApiRequest::Query {
        query: r#"up{job="prom-example", endpoint="metrics"}"#.into(),
        time: None,
    })
    else {
        panic!("no vector")
    };
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].value.v, 1.0);
}

#[wasm_bindgen_test(unsupported = test)]
fn the_rule_file_and_the_alertmanager_config_are_text_for_the_next_stage() {
    let mut cluster = ClusterObjects::simulated();
    let lenient = LoadOptions {
        validation: promlab_core::operator::load::FieldValidation::Warn,
        ..LoadOptions::default()
    };
    let applied = apply(&mut cluster, &training(), &lenient);
    assert!(applied.refused.is_empty());
    let generated = generate(&cluster, &RenderOptions::default());
    assert!(generated.default_prometheus && generated.default_alertmanager);
    let rules = generated.rule_files();
    assert_eq!(rules.len(), 1);
    assert!(rules[0].yaml.contains("expr: ping_request_count > 5"));
    let am = generated
        .alertmanager_yml()
        .expect("the default Alertmanager");
    assert!(
        am.contains("- receiver: qks-monitoring/config-example/webhook"),
        "{am}"
    );
    assert!(am.contains(r#"namespace="qks-monitoring""#), "{am}");
}
