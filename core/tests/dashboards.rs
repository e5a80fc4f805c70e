//! The training material's three dashboards (`dashboards/*.json`): every
//! target of every panel, with its variables resolved, answers on the
//! default simulated cluster, and the figures the lessons point at are the
//! cluster's own (node counts, CPUs, GPUs, each node's IP and hostname).

use promlab_core::api::{ApiData, ApiResponse, LabRequest, QueryResult};
use promlab_core::dashboard::data::{panel_data, Cell, Frame};
use promlab_core::dashboard::template::{self, TimeContext};
use promlab_core::dashboard::{target_request, transform, Dashboard, PanelKind};
use promlab_core::lab::{Lab, LabOptions};
use promlab_core::labels::Labels;
use promlab_core::sim::topology::Topology;
use promlab_core::sim::{ClusterOptions, Scenario};
use std::collections::BTreeMap;
use wasm_bindgen_test::wasm_bindgen_test;

const CLUSTER_SUMMARY: &str = include_str!("../../dashboards/cluster-summary.json");
const NODE_TABLE: &str = include_str!("../../dashboards/node-table.json");
const NODE_DETAIL: &str = include_str!("../../dashboards/node-detail.json");

/// One target's answer: each series' labels and last value.
type Answer = Vec<(Labels, f64)>;

/// Every drawn panel's title with its targets' answers by `refId`; a
/// failing or empty target fails the test, naming the panel.
fn evaluate(lab: &mut Lab, text: &str) -> Vec<(String, PanelKind, BTreeMap<String, Answer>)> {
    let dashboard = Dashboard::parse(text).unwrap();
    let now = lab.now();
    let time = TimeContext::new(now - 3_600_000, now, 1_000);
    let (scope, errors) =
        template::resolve(&dashboard, &BTreeMap::new(), &time, &mut |r| lab.api(r));
    assert!(errors.is_empty(), "{errors:?}");
    let mut out = Vec::new();
    for panel in dashboard.all_panels() {
        let mut answers = BTreeMap::new();
        assert!(!panel.targets().is_empty(), "{}", panel.title());
        assert!(panel.description().is_some(), "{}", panel.title());
        for target in panel.targets() {
            let request = target_request(target, &scope, &time);
            let ApiResponse::Success {
                data: ApiData::Query(result),
                ..
            } = lab.api(&request)
            else {
                panic!("{}: {request:?} failed", panel.title())
            };
            let answer: Answer = match result {
                QueryResult::Vector(v) => v.into_iter().map(|s| (s.metric, s.value.v)).collect(),
                QueryResult::Matrix(m) => m
                    .into_iter()
                    .filter_map(|s| Some((s.metric, s.values.last()?.v)))
                    .collect(),
                other => panic!("{}: {other:?}", panel.title()),
            };
            assert!(
                !answer.is_empty(),
                "{}: no data for {request:?}",
                panel.title()
            );
            let ref_id = target.ref_id.clone().unwrap_or_default();
            answers.insert(ref_id, answer);
        }
        out.push((panel.title().to_string(), panel.kind(), answers));
    }
    out
}

/// The one value of a single-stat panel.
fn stat(panels: &[(String, PanelKind, BTreeMap<String, Answer>)], title: &str) -> f64 {
    let (_, _, answers) = panels
        .iter()
        .find(|(t, _, _)| t == title)
        .unwrap_or_else(|| panic!("no panel {title}"));
    let answer = &answers["A"];
    assert_eq!(answer.len(), 1, "{title}: {answer:?}");
    answer[0].1
}

fn lab() -> Lab {
    Lab::new(LabOptions {
        history: 20 * 60_000,
        ..LabOptions::default()
    })
}

fn titles(panels: &[(String, PanelKind, BTreeMap<String, Answer>)]) -> Vec<&str> {
    panels.iter().map(|(t, _, _)| t.as_str()).collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn cluster_summary_counts_the_cluster() {
    let topology = Topology::build(&ClusterOptions::default());
    let nodes = topology.nodes.len() as f64;
    let mut lab = lab();
    let panels = evaluate(&mut lab, CLUSTER_SUMMARY);
    assert_eq!(
        titles(&panels),
        [
            "정상 노드 수",
            "비정상 노드 수",
            "생성가능한 파드 대비 배포수",
            "클러스터 파드 Capacity",
            "CPU 토탈 코어 대비 요청량",
            "클러스터 CPU Capacity",
            "메모리 토탈 코어 대비 요청량",
            "클러스터 메모리 Capacity",
            "GPU 토탈 코어 대비 요청량",
            "클러스터 GPU Capacity",
        ]
    );
    assert_eq!(stat(&panels, "정상 노드 수"), nodes);
    assert_eq!(stat(&panels, "비정상 노드 수"), 0.0);
    let cpus: u32 = topology.nodes.iter().map(|n| n.cpus).sum();
    let gpus: u32 = topology.nodes.iter().map(|n| n.gpus).sum();
    let memory: f64 = topology.nodes.iter().map(|n| n.memory).sum();
    assert_eq!(stat(&panels, "클러스터 CPU Capacity"), f64::from(cpus));
    assert_eq!(stat(&panels, "클러스터 GPU Capacity"), f64::from(gpus));
    assert_eq!(stat(&panels, "클러스터 메모리 Capacity"), memory);
    assert_eq!(stat(&panels, "클러스터 파드 Capacity"), 110.0 * nodes);
    for ratio in [
        "생성가능한 파드 대비 배포수",
        "CPU 토탈 코어 대비 요청량",
        "메모리 토탈 코어 대비 요청량",
        "GPU 토탈 코어 대비 요청량",
    ] {
        let v = stat(&panels, ratio);
        assert!(v > 0.0 && v <= 1.0, "{ratio}: {v}");
    }

    // A node's kubelet stops posting status: once the grace period has
    // passed and kube-state-metrics was scraped, one node moves over.
    let node = topology.nodes[1].name.clone();
    lab.lab(&LabRequest::Scenario(Scenario::NodeNotReady { node }));
    lab.lab(&LabRequest::Step { ms: 120_000 });
    let panels = evaluate(&mut lab, CLUSTER_SUMMARY);
    assert_eq!(stat(&panels, "정상 노드 수"), nodes - 1.0);
    assert_eq!(stat(&panels, "비정상 노드 수"), 1.0);
}

/// A panel's data as the panel shows it: its targets' frames through its
/// transformations, at the lab's now, the variables as the dashboard has
/// them. A failing target or transformation fails the test.
fn transformed(lab: &mut Lab, text: &str, title: &str) -> Vec<Frame> {
    let dashboard = Dashboard::parse(text).unwrap();
    let now = lab.now();
    let time = TimeContext::new(now - 3_600_000, now, 1_000);
    let (scope, errors) =
        template::resolve(&dashboard, &BTreeMap::new(), &time, &mut |r| lab.api(r));
    assert!(errors.is_empty(), "{errors:?}");
    let panel = dashboard
        .all_panels()
        .into_iter()
        .find(|p| p.title() == title)
        .unwrap_or_else(|| panic!("no panel {title}"));
    let data = panel_data(panel, &scope, &time, &mut |r| lab.api(r));
    assert!(data.errors.is_empty(), "{title}: {:?}", data.errors);
    let transformations = panel.transformations.as_deref().unwrap_or_default();
    let (frames, errors) = transform::apply(transformations, data.frames);
    assert!(errors.is_empty(), "{title}: {errors:?}");
    frames
}

#[wasm_bindgen_test(unsupported = test)]
fn node_table_has_one_row_per_node_with_its_own_address_and_name() {
    let topology = Topology::build(&ClusterOptions::default());
    let mut lab = lab();
    let panels = evaluate(&mut lab, NODE_TABLE);
    assert_eq!(titles(&panels), ["노드 요약 정보 테이블"]);
    assert_eq!(panels[0].1, PanelKind::Table);
    // Grafana's merge makes one row per `instance`, a cell per query;
    // organize names the fourteen columns of the seed, in its order.
    let frames = transformed(&mut lab, NODE_TABLE, "노드 요약 정보 테이블");
    assert_eq!(frames.len(), 1);
    let table = &frames[0];
    assert_eq!(
        table.columns,
        [
            "ip",
            "hostname",
            "uptime",
            "memory",
            "CPU Cores",
            "5m load",
            "Memory used",
            "Partition used",
            "Disk read",
            "Disk write",
            "CurrEstab",
            "TCP-tw",
            "Download",
            "Upload"
        ]
    );
    assert_eq!(table.rows.len(), topology.nodes.len(), "{:?}", table.rows);
    // ip and hostname from the first query, twelve numbers from the others.
    for row in &table.rows {
        assert!(
            matches!(&row[..2], [Cell::Text(_), Cell::Text(_)]),
            "{row:?}"
        );
        assert!(
            row[2..].iter().all(|c| matches!(c, Cell::Number(_))),
            "{row:?}"
        );
    }
    // Each row is its own node's: address, name, memory and cores.
    let text = |c: &Cell| match c {
        Cell::Text(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    let mut got: Vec<(String, String, Option<f64>, Option<f64>)> = table
        .rows
        .iter()
        .map(|row| {
            (
                text(&row[0]),
                text(&row[1]),
                row[3].number(),
                row[4].number(),
            )
        })
        .collect();
    let mut want: Vec<(String, String, Option<f64>, Option<f64>)> = topology
        .nodes
        .iter()
        .map(|n| {
            (
                n.ip.clone(),
                n.name.clone(),
                Some(n.memory),
                Some(f64::from(n.cpus)),
            )
        })
        .collect();
    got.sort_by(|a, b| a.0.cmp(&b.0));
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want);
}

#[wasm_bindgen_test(unsupported = test)]
fn node_detail_answers_for_the_selected_node() {
    let topology = Topology::build(&ClusterOptions::default());
    let mut lab = lab();
    let panels = evaluate(&mut lab, NODE_DETAIL);
    assert_eq!(
        titles(&panels),
        [
            "Uptime",
            "CPU Cores",
            "Total RAM",
            "CPU Busy",
            "Usage RAM",
            "Used Max Mount",
            "Used SWAP",
            "Disk Space Used Basic",
            "Internet traffic per hour All",
            "CPU% Basic",
            "Memory Basic",
            "Network bandwidth usage per second All",
            "System Load",
            "Disk R/W Data",
            "Disk Space Used% Basic",
            "Disk IOps Completed",
            "Time Spent Doing I/Os",
            "Disk R/W Time",
            "Network Sockstat",
            "Open File Descriptor/Context switches",
        ]
    );
    // The node variable's first option, sorted by name.
    let mut names: Vec<&str> = topology.nodes.iter().map(|n| n.name.as_str()).collect();
    names.sort();
    let node = topology.nodes.iter().find(|n| n.name == names[0]).unwrap();
    assert_eq!(stat(&panels, "CPU Cores"), f64::from(node.cpus));
    assert_eq!(stat(&panels, "Total RAM"), node.memory);
    assert_eq!(stat(&panels, "Used SWAP"), 0.0);
    let sockstat = &panels
        .iter()
        .find(|(t, _, _)| t == "Network Sockstat")
        .unwrap()
        .2;
    assert_eq!(sockstat.len(), 10);
    // Every series of every panel is the selected node's.
    for (title, _, answers) in &panels {
        for (labels, _) in answers.values().flatten() {
            let instance = labels.get("instance");
            assert!(
                instance.is_empty() || instance.starts_with(&format!("{}:", node.ip)),
                "{title}: {labels}"
            );
        }
    }
}
