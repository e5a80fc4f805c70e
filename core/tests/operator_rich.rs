//! A team's manifests beyond the training material (`operator/rich/`):
//! their own Prometheus and Alertmanager selecting by object and namespace
//! labels, a ServiceMonitor with expressions, `jobLabel`, target labels and
//! relabelling, a PodMonitor, rules and an AlertmanagerConfig with child
//! routes. The render is pinned by a snapshot; the checks here say what
//! in it matters.

use promlab_core::operator::load::LoadOptions;
use promlab_core::operator::render::RenderOptions;
use promlab_core::operator::{run, ManifestFile, Report};
use promlab_core::scrape::target::{discovered_labels, populate_labels, public_labels};
use wasm_bindgen_test::wasm_bindgen_test;

const FILES: [(&str, &str); 5] = [
    (
        "00-namespace.yaml",
        include_str!("operator/rich/00-namespace.yaml"),
    ),
    ("10-app.yaml", include_str!("operator/rich/10-app.yaml")),
    (
        "20-monitors.yaml",
        include_str!("operator/rich/20-monitors.yaml"),
    ),
    ("30-rules.yaml", include_str!("operator/rich/30-rules.yaml")),
    (
        "40-alerting.yaml",
        include_str!("operator/rich/40-alerting.yaml"),
    ),
];

fn report() -> Report {
    let files = FILES
        .iter()
        .map(|(n, t)| ManifestFile::new(*n, *t))
        .collect();
    run(files, &LoadOptions::default(), &RenderOptions::default())
}

/// `job`-relevant labels of every target of every job, after relabelling.
fn final_labels(report: &Report) -> Vec<String> {
    let mut out = Vec::new();
    for j in &report.prometheus[0].jobs {
        for (address, group) in &j.config.targets {
            let all = populate_labels(&discovered_labels(&j.config, address, group), &j.config)
                .unwrap()
                .unwrap();
            out.push(format!("{}: {}", j.config.job_name, public_labels(&all)));
        }
    }
    out
}

#[wasm_bindgen_test(unsupported = test)]
fn the_teams_resources_replace_the_defaults_and_select_by_namespace_labels() {
    let r = report();
    assert!(!r.has_errors(), "{}", r.render_issues());
    assert!(!r.default_prometheus && !r.default_alertmanager);
    assert_eq!(r.prometheus.len(), 1);
    assert_eq!(r.prometheus[0].prometheus.name, "web");
    expect_test::expect![[r#"
        [
            "serviceMonitor/shop/cart/0: {container=\"cart\", endpoint=\"web\", environment=\"prod\", instance=\"10.244.1.26:8080\", job=\"cart\", namespace=\"shop\", node_name=\"qks-worker-1\", pod=\"cart-bbw7d8lgj9-lxpxg\", service=\"cart\"}",
            "serviceMonitor/shop/cart/0: {container=\"cart\", endpoint=\"web\", environment=\"prod\", instance=\"10.244.2.23:8080\", job=\"cart\", namespace=\"shop\", node_name=\"qks-gpu-1\", pod=\"cart-bbw7d8lgj9-zfz9z\", service=\"cart\"}",
            "serviceMonitor/shop/cart/1: {container=\"cart\", endpoint=\"9000\", environment=\"prod\", instance=\"10.244.1.26:9000\", job=\"cart\", namespace=\"shop\", pod=\"cart-bbw7d8lgj9-lxpxg\", service=\"cart\", tier=\"backend\"}",
            "serviceMonitor/shop/cart/1: {container=\"cart\", endpoint=\"9000\", environment=\"prod\", instance=\"10.244.2.23:9000\", job=\"cart\", namespace=\"shop\", pod=\"cart-bbw7d8lgj9-zfz9z\", service=\"cart\", tier=\"backend\"}",
            "podMonitor/shop/mesh/0: {container=\"sidecar\", endpoint=\"proxy-metrics\", instance=\"10.244.1.26:15090\", job=\"shop/mesh\", namespace=\"shop\", pod=\"cart-bbw7d8lgj9-lxpxg\"}",
            "podMonitor/shop/mesh/0: {container=\"sidecar\", endpoint=\"proxy-metrics\", instance=\"10.244.2.23:15090\", job=\"shop/mesh\", namespace=\"shop\", pod=\"cart-bbw7d8lgj9-zfz9z\"}",
            "podMonitor/shop/mesh/1: {container=\"cart\", instance=\"10.244.1.26:9000\", job=\"shop/mesh\", namespace=\"shop\", pod=\"cart-bbw7d8lgj9-lxpxg\"}",
            "podMonitor/shop/mesh/1: {container=\"cart\", instance=\"10.244.2.23:9000\", job=\"shop/mesh\", namespace=\"shop\", pod=\"cart-bbw7d8lgj9-zfz9z\"}",
        ]
    "#]]
    .assert_debug_eq(&final_labels(&r));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_alertmanager_config_is_limited_to_its_namespace_with_prefixed_receivers() {
    let r = report();
    let yaml = &r.alertmanager[0].yaml;
    for part in [
        "  - receiver: shop/cart/team\n",
        "    - namespace=\"shop\"\n    continue: true\n",
        "    - receiver: shop/cart/pager\n      matchers:\n      - severity=\"critical\"\n      - job=~\"cart|checkout\"\n      repeat_interval: 1h\n",
        "  - severity!=\"info\"\n",
        "- target_matchers:\n  - severity=\"warning\"\n  - namespace=\"shop\"\n  source_matchers:\n  - severity=\"critical\"\n  - namespace=\"shop\"\n",
        "  - send_resolved: false\n    url: http://hooks.shop.svc:8080/alerts\n    max_alerts: 10\n",
    ] {
        assert!(yaml.contains(part), "missing {part:?} in\n{yaml}");
    }
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_render_matches_the_snapshot() {
    expect_test::expect_file!["operator/rich/render.txt"].assert_eq(&report().to_text());
}
