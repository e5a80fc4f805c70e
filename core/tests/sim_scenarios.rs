//! Each scenario's effect on the pages the cluster serves.

mod sim_common;

use promlab_core::exposition::Page;
use promlab_core::sim::{Cluster, Exporter, FetchError, Scenario, ScenarioError};
use sim_common::*;
use wasm_bindgen_test::wasm_bindgen_test;

fn node_exporter(cluster: &Cluster, node: &str) -> promlab_core::sim::SimTarget {
    let index = cluster
        .node_names()
        .iter()
        .position(|n| *n == node)
        .unwrap();
    target(cluster, "node-exporter", index)
}

fn ksm(cluster: &mut Cluster, t: i64) -> Page {
    let target = target(cluster, "kube-state-metrics", 0);
    scrape(cluster, &target, t).unwrap()
}

fn app(cluster: &mut Cluster, t: i64) -> Page {
    let target = target(cluster, "prom-example", 0);
    scrape(cluster, &target, t).unwrap()
}

/// A pod-level series of kube-state-metrics for the pod whose name starts
/// with `pod`, summed over its containers.
fn pod_sum(page: &Page, name: &str, pod: &str) -> f64 {
    sum(page, name, &format!("pod=\"{pod}"))
}

#[wasm_bindgen_test(unsupported = test)]
fn a_reboot_resets_the_kernel_counters_and_restarts_the_containers() {
    let mut cluster = Cluster::new(1);
    let node = "qks-worker-1";
    let ne = node_exporter(&cluster, node);
    let before = scrape(&mut cluster, &ne, T0).unwrap();
    let restarts_before = pod_sum(
        &ksm(&mut cluster, T0),
        "kube_pod_container_status_restarts_total",
        "prom-example",
    );
    let cpu_before = sum(&before, "node_cpu_seconds_total", "");
    let rx = "node_network_receive_bytes_total{device=\"eth0\"}";
    assert!(value(&before, rx) > 1e11, "weeks of traffic");
    cluster.apply(&Scenario::Pings { count: 4 }, T0).unwrap();
    assert_eq!(cluster.ping_app.count(), 4);

    let reboot = T0 + HOUR;
    cluster
        .apply(&Scenario::RebootNode { node: node.into() }, reboot)
        .unwrap();
    // The host answers nothing, then refuses until its containers run.
    assert_eq!(
        cluster.fetch(&ne.address, "/metrics", reboot + 10 * SECOND),
        Err(FetchError::Timeout(ne.address.clone()))
    );
    assert_eq!(
        cluster.fetch(&ne.address, "/metrics", reboot + 35 * SECOND),
        Err(FetchError::ConnectionRefused(ne.address.clone()))
    );
    // Other nodes are not affected.
    let master = node_exporter(&cluster, "qks-master-1");
    assert!(cluster
        .fetch(&master.address, "/metrics", reboot + 35 * SECOND)
        .is_ok());

    let after = scrape(&mut cluster, &ne, reboot + MINUTE).unwrap();
    assert_eq!(
        value(&after, "node_boot_time_seconds"),
        reboot as f64 / 1000.0
    );
    let cpus = samples(&after, "node_cpu_seconds_total")
        .filter(|(l, _)| l.contains("idle"))
        .count() as f64;
    let cpu_after = sum(&after, "node_cpu_seconds_total", "");
    assert!(
        cpu_after < cpu_before && cpu_after <= 60.0 * cpus + 1.0,
        "{cpu_after}"
    );
    assert!(value(&after, rx) < 1e9, "a minute of traffic");
    assert!(value(&after, "process_start_time_seconds") >= (reboot + 45 * SECOND) as f64 / 1000.0);

    // The app ran on that node: it restarted with the node.
    assert_eq!(cluster.ping_app.count(), 0);
    let page = app(&mut cluster, reboot + MINUTE);
    assert_eq!(value(&page, "ping_request_count"), 0.0);
    let state = ksm(&mut cluster, reboot + MINUTE);
    assert_eq!(
        pod_sum(
            &state,
            "kube_pod_container_status_restarts_total",
            "prom-example"
        ),
        restarts_before + 1.0
    );
    assert_eq!(
        value(&state, "kube_node_status_condition{condition=\"Ready\", node=\"qks-worker-1\", status=\"true\"}"),
        1.0
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_not_ready_node_turns_unknown_after_the_grace_period() {
    let mut cluster = Cluster::new(1);
    let node = "qks-gpu-1";
    let ready = |page: &Page, status: &str| {
        value(
            page,
            &format!("kube_node_status_condition{{condition=\"Ready\", node=\"{node}\", status=\"{status}\"}}"),
        )
    };
    let available = "kube_deployment_status_replicas_available{deployment=\"llm-inference\", namespace=\"ai-serving\"}";
    let t = T0 + 2 * HOUR;
    assert_eq!(ready(&ksm(&mut cluster, T0), "true"), 1.0);
    cluster
        .apply(&Scenario::NodeNotReady { node: node.into() }, t)
        .unwrap();
    // Within the node controller's grace period nothing shows yet.
    let early = ksm(&mut cluster, t + 20 * SECOND);
    assert_eq!(ready(&early, "true"), 1.0);
    assert_eq!(value(&early, available), 1.0);

    let late = ksm(&mut cluster, t + MINUTE);
    assert_eq!(ready(&late, "true"), 0.0);
    assert_eq!(ready(&late, "unknown"), 1.0);
    for condition in ["MemoryPressure", "DiskPressure", "PIDPressure"] {
        let series = format!("kube_node_status_condition{{condition=\"{condition}\", node=\"{node}\", status=\"unknown\"}}");
        assert_eq!(value(&late, &series), 1.0, "{condition}");
    }
    assert_eq!(
        value(
            &late,
            "kube_node_spec_taint{effect=\"NoExecute\", key=\"node.kubernetes.io/unreachable\", node=\"qks-gpu-1\"}"
        ),
        1.0
    );
    assert_eq!(value(&late, available), 0.0);
    assert_eq!(
        pod_sum(&late, "kube_pod_status_ready", "llm-inference"),
        1.0
    );
    assert!(
        samples(&late, "kube_pod_status_ready").any(|(l, v)| l.contains("llm-inference")
            && l.contains("condition=\"false\"")
            && v == 1.0)
    );
    // The machine still runs: its exporters answer.
    let ne = node_exporter(&cluster, node);
    assert!(scrape(&mut cluster, &ne, t + MINUTE).is_ok());
    let dcgm = target(&cluster, "nvidia-dcgm-exporter", 0);
    assert!(scrape(&mut cluster, &dcgm, t + MINUTE).is_ok());

    cluster
        .apply(&Scenario::NodeReady { node: node.into() }, t + 5 * MINUTE)
        .unwrap();
    let back = ksm(&mut cluster, t + 5 * MINUTE);
    assert_eq!(ready(&back, "true"), 1.0);
    assert_eq!(value(&back, available), 1.0);
    assert_eq!(
        samples(&back, "kube_node_spec_taint").count(),
        1,
        "only the control plane's"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn a_stopped_exporter_refuses_connections_until_started_again() {
    let mut cluster = Cluster::new(1);
    let node = "qks-master-1";
    let ne = node_exporter(&cluster, node);
    let exporter = Exporter::NodeExporter { node: node.into() };
    for i in 0..3 {
        scrape(&mut cluster, &ne, T0 + i * 30 * SECOND).unwrap();
    }
    let served = "promhttp_metric_handler_requests_total{code=\"200\"}";
    assert_eq!(
        value(&scrape(&mut cluster, &ne, T0 + 2 * MINUTE).unwrap(), served),
        3.0
    );

    let stop = T0 + 5 * MINUTE;
    cluster
        .apply(&Scenario::StopExporter(exporter.clone()), stop)
        .unwrap();
    assert_eq!(
        cluster.fetch(&ne.address, "/metrics", stop + SECOND),
        Err(FetchError::ConnectionRefused(ne.address.clone()))
    );
    let state = ksm(&mut cluster, stop + SECOND);
    let pod = ne.labels.get("pod").to_string();
    assert_eq!(
        pod_sum(&state, "kube_pod_container_status_running", &pod),
        0.0
    );
    assert_eq!(
        value(
            &state,
            &format!(
                "kube_pod_container_status_waiting_reason{{container=\"node-exporter\", namespace=\"qks-monitoring\", pod=\"{pod}\", reason=\"CrashLoopBackOff\", uid=\"{}\"}}",
                samples(&state, "kube_pod_info")
                    .find(|(l, _)| l.contains(&pod))
                    .and_then(|(l, _)| l.split("uid=\"").nth(1).map(|u| u[..36].to_string()))
                    .unwrap()
            )
        ),
        1.0
    );
    let restarts = pod_sum(&state, "kube_pod_container_status_restarts_total", &pod);

    let start = stop + 10 * MINUTE;
    cluster
        .apply(&Scenario::StartExporter(exporter), start)
        .unwrap();
    let page = scrape(&mut cluster, &ne, start + SECOND).unwrap();
    assert_eq!(
        value(&page, "process_start_time_seconds"),
        start as f64 / 1000.0
    );
    assert_eq!(value(&page, served), 0.0);
    let state = ksm(&mut cluster, start + SECOND);
    assert_eq!(
        pod_sum(&state, "kube_pod_container_status_running", &pod),
        1.0
    );
    assert_eq!(
        pod_sum(&state, "kube_pod_container_status_restarts_total", &pod),
        restarts + 1.0
    );

    // Stopping kube-state-metrics takes its own page away.
    cluster
        .apply(
            &Scenario::StopExporter(Exporter::KubeStateMetrics),
            start + MINUTE,
        )
        .unwrap();
    let target = target(&cluster, "kube-state-metrics", 0);
    assert!(matches!(
        cluster.fetch(&target.address, "/metrics", start + MINUTE),
        Err(FetchError::ConnectionRefused(_))
    ));
}

#[wasm_bindgen_test(unsupported = test)]
fn pings_and_an_app_restart_show_on_the_app_page() {
    let mut cluster = Cluster::new(1);
    let t = T0 + 10 * MINUTE;
    app(&mut cluster, T0);
    cluster.apply(&Scenario::Pings { count: 7 }, t).unwrap();
    let page = app(&mut cluster, t + 15 * SECOND);
    assert_eq!(value(&page, "ping_request_count"), 7.0);
    assert_eq!(value(&page, "ping_request_duration_seconds_count"), 7.0);
    assert!(value(&page, "ping_request_duration_seconds{quantile=\"0.5\"}") > 0.0);
    let started = value(&page, "process_start_time_seconds");
    assert!(started < T0 as f64 / 1000.0);
    let restarts = pod_sum(
        &ksm(&mut cluster, t),
        "kube_pod_container_status_restarts_total",
        "prom-example",
    );

    let restart = t + MINUTE;
    cluster.apply(&Scenario::RestartApp, restart).unwrap();
    let page = app(&mut cluster, restart + 15 * SECOND);
    assert_eq!(value(&page, "ping_request_count"), 0.0);
    assert_eq!(
        value(&page, "process_start_time_seconds"),
        restart as f64 / 1000.0
    );
    assert_eq!(value(&page, "ping_request_duration_seconds_count"), 0.0);
    assert_eq!(
        pod_sum(
            &ksm(&mut cluster, restart + 15 * SECOND),
            "kube_pod_container_status_restarts_total",
            "prom-example"
        ),
        restarts + 1.0
    );
    // A GET of /ping through the network counts too.
    let address = cluster.ping_app.address();
    assert_eq!(
        cluster
            .fetch(address, "/ping", restart + 20 * SECOND)
            .as_deref(),
        Ok("pong")
    );
    assert_eq!(cluster.ping_app.count(), 1);
}

#[wasm_bindgen_test(unsupported = test)]
fn pings_fail_while_the_app_is_down() {
    let mut cluster = Cluster::new(1);
    cluster.apply(&Scenario::Pings { count: 2 }, T0).unwrap();
    cluster
        .apply(&Scenario::StopExporter(Exporter::PingApp), T0 + MINUTE)
        .unwrap();
    let err = cluster
        .apply(&Scenario::Pings { count: 3 }, T0 + 2 * MINUTE)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Get \"http://10.244.1.17:8090/ping\": dial tcp 10.244.1.17:8090: connect: connection refused"
    );
    assert_eq!(cluster.ping_app.count(), 2);
    cluster
        .apply(&Scenario::StartExporter(Exporter::PingApp), T0 + 3 * MINUTE)
        .unwrap();
    // The app restarted: the counter began again.
    cluster
        .apply(&Scenario::Pings { count: 3 }, T0 + 4 * MINUTE)
        .unwrap();
    assert_eq!(cluster.ping_app.count(), 3);
    // While its node reboots, pings time out.
    cluster
        .apply(
            &Scenario::RebootNode {
                node: "qks-worker-1".into(),
            },
            T0 + 5 * MINUTE,
        )
        .unwrap();
    assert!(matches!(
        cluster.apply(&Scenario::Pings { count: 1 }, T0 + 5 * MINUTE + 10 * SECOND),
        Err(ScenarioError::PingFailed(FetchError::Timeout(_)))
    ));
}

#[wasm_bindgen_test(unsupported = test)]
fn bad_scenarios_are_refused_and_change_nothing() {
    let mut cluster = Cluster::new(1);
    let cases = [
        (
            Scenario::RebootNode {
                node: "qks-worker-9".into(),
            },
            "no node named \"qks-worker-9\": expected one of qks-master-1, qks-worker-1, qks-gpu-1",
        ),
        (
            Scenario::StopExporter(Exporter::Dcgm {
                node: "qks-worker-1".into(),
            }),
            "node \"qks-worker-1\" has no GPUs, so no DCGM exporter runs on it",
        ),
        (
            Scenario::Pings { count: u32::MAX },
            "cannot send 4294967295 pings at once: expected at most 100000",
        ),
    ];
    let before = run_pages(&mut cluster.clone());
    // Had a refused scenario placed the cluster's history (as running one
    // does), everything would be a day older.
    for (scenario, message) in cases {
        let err = cluster.apply(&scenario, T0 - 24 * HOUR).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    assert!(matches!(
        cluster.apply(
            &Scenario::NodeReady {
                node: String::new()
            },
            T0
        ),
        Err(ScenarioError::UnknownNode { .. })
    ));
    assert_eq!(run_pages(&mut cluster), before);
}

fn run_pages(cluster: &mut Cluster) -> Vec<String> {
    cluster
        .targets()
        .iter()
        .map(|t| cluster.fetch(&t.address, &t.metrics_path, T0).unwrap())
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn scenarios_read_and_write_as_json() {
    let scenarios = [
        Scenario::RebootNode {
            node: "qks-gpu-1".into(),
        },
        Scenario::StopExporter(Exporter::Dcgm {
            node: "qks-gpu-1".into(),
        }),
        Scenario::StartExporter(Exporter::PingApp),
        Scenario::Pings { count: 3 },
        Scenario::RestartApp,
    ];
    let json: Vec<String> = scenarios
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
    assert_eq!(
        json,
        [
            r#"{"scenario":"reboot_node","node":"qks-gpu-1"}"#,
            r#"{"scenario":"stop_exporter","exporter":"dcgm","node":"qks-gpu-1"}"#,
            r#"{"scenario":"start_exporter","exporter":"ping_app"}"#,
            r#"{"scenario":"pings","count":3}"#,
            r#"{"scenario":"restart_app"}"#,
        ]
    );
    for (s, j) in scenarios.iter().zip(&json) {
        assert_eq!(&serde_json::from_str::<Scenario>(j).unwrap(), s);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn times_at_the_ends_of_the_range_neither_panic_nor_break_pages() {
    for start in [i64::MIN, -1, 0, i64::MAX - 1] {
        let mut cluster = Cluster::new(5);
        let scenarios = [
            Scenario::RebootNode {
                node: "qks-gpu-1".into(),
            },
            Scenario::NodeNotReady {
                node: "qks-master-1".into(),
            },
            Scenario::StopExporter(Exporter::PingApp),
            Scenario::StartExporter(Exporter::PingApp),
            Scenario::Pings { count: 2 },
            Scenario::RestartApp,
        ];
        for (i, t) in [start, start.saturating_add(1), i64::MAX]
            .into_iter()
            .enumerate()
        {
            for k in [i, i + 3] {
                // Pings may fail while the app is not up yet; that is an
                // answer too.
                if let Err(e) = cluster.apply(&scenarios[k % scenarios.len()], t) {
                    assert!(matches!(e, ScenarioError::PingFailed(_)), "{e}");
                }
            }
            for target in cluster.targets() {
                match cluster.fetch(&target.address, &target.metrics_path, t) {
                    Ok(body) => {
                        if let Err(e) = promlab_core::exposition::parse(&body) {
                            panic!("{} at {t}: {}", target.address, e.render(&body));
                        }
                    }
                    Err(e) => assert!(!e.to_string().is_empty()),
                }
            }
        }
    }
}
