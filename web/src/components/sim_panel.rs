//! The simulated cluster's controls: its nodes and exporters with the
//! scenarios that act on them (reboot a node, make it NotReady, stop or
//! start an exporter, send pings, restart the app). The same controls
//! are a card on the Query page and a menu in the top bar.

use crate::app::LabContext;
use crate::i18n::Lang;
use promlab_core::api::LabRequest;
use promlab_core::sim::{ClusterOverview, Exporter, NodeCondition, Scenario};
use yew::prelude::*;

/// An exporter's name as its job calls it, and the node it runs on.
fn exporter_name(e: &Exporter) -> (&'static str, Option<&str>) {
    match e {
        Exporter::NodeExporter { node } => ("node-exporter", Some(node)),
        Exporter::KubeStateMetrics => ("kube-state-metrics", None),
        Exporter::Dcgm { node } => ("nvidia-dcgm-exporter", Some(node)),
        Exporter::PingApp => ("prom-example", None),
    }
}

/// A node's condition: its CSS class, its name, and what it means.
fn condition(lang: Lang, c: NodeCondition) -> (&'static str, &'static str, &'static str) {
    match c {
        NodeCondition::Ready => (
            "ready",
            "Ready",
            lang.t("The kubelet posts status", "kubelet이 상태를 보고하는 중"),
        ),
        NodeCondition::KubeletStopped => (
            "stopping",
            lang.t("kubelet stopped", "kubelet 멈춤"),
            lang.t(
                "The kubelet stopped posting status: the node controller marks the node NotReady after its 40s grace period",
                "kubelet이 상태 보고를 멈췄습니다. 노드 컨트롤러가 유예 시간 40초 뒤 노드를 NotReady로 표시합니다",
            ),
        ),
        NodeCondition::NotReady => (
            "not-ready",
            "NotReady",
            lang.t(
                "The node's conditions are Unknown; the host keeps running",
                "노드 condition이 Unknown입니다. 호스트는 계속 동작합니다",
            ),
        ),
        NodeCondition::Rebooting => (
            "rebooting",
            lang.t("rebooting", "재부팅 중"),
            lang.t(
                "The host does not answer for 30s, its containers are back after 45s",
                "호스트가 30초 동안 응답하지 않고, 컨테이너는 45초 뒤 돌아옵니다",
            ),
        ),
    }
}

/// The nodes and exporters with their scenario buttons.
fn cluster_controls(ctx: &LabContext, cluster: &ClusterOverview) -> Html {
    let lang = ctx.lang;
    let run = |scenario: Scenario| {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.control(LabRequest::Scenario(scenario.clone())))
    };
    html! {
        <div class="cluster-controls">
            <div class="cluster-col">
                <h3>{ lang.t("Nodes", "노드") }</h3>
                <ul class="scenario-list">
                    { for cluster.nodes.iter().map(|n| {
                        let (class, text, meaning) = condition(lang, n.condition);
                        let kubelet_down = matches!(n.condition, NodeCondition::KubeletStopped | NodeCondition::NotReady);
                        let node = n.name.clone();
                        html! {
                            <li class="scenario-item" data-node={n.name.clone()}>
                                <span class="item-name"><code>{ &n.name }</code>
                                    if n.gpus > 0 { <span class="muted">{ format!(" · {} GPU", n.gpus) }</span> }
                                </span>
                                <span class={classes!("node-state", class)} title={meaning}>{ text }</span>
                                <span class="item-actions">
                                    <button type="button" class="reboot-node" onclick={run(Scenario::RebootNode { node: node.clone() })}
                                        title={lang.t("The machine restarts: its exporters do not answer for 30s, its counters start again from 0",
                                                      "머신이 재시작합니다. 30초 동안 exporter가 응답하지 않고, 카운터가 0부터 다시 시작합니다")}>
                                        { lang.t("Reboot", "재부팅") }
                                    </button>
                                    if kubelet_down {
                                        <button type="button" class="node-ready" onclick={run(Scenario::NodeReady { node })}
                                            title={lang.t("The kubelet posts status again", "kubelet이 다시 상태를 보고합니다")}>
                                            { lang.t("Make Ready", "Ready로") }
                                        </button>
                                    } else {
                                        <button type="button" class="node-not-ready" onclick={run(Scenario::NodeNotReady { node })}
                                            title={lang.t("The kubelet stops posting status; after 40s the node is NotReady (the host keeps running)",
                                                          "kubelet이 상태 보고를 멈춥니다. 40초 뒤 노드가 NotReady가 됩니다 (호스트는 계속 동작)")}>
                                            {"NotReady"}
                                        </button>
                                    }
                                </span>
                            </li>
                        }
                    }) }
                </ul>
            </div>
            <div class="cluster-col">
                <h3>{ lang.t("Exporters", "exporter") }</h3>
                <ul class="scenario-list">
                    { for cluster.exporters.iter().map(|e| {
                        let (job, node) = exporter_name(&e.exporter);
                        let (class, text) = if e.up {
                            ("up", lang.t("up", "동작"))
                        } else if e.stopped {
                            ("down", lang.t("stopped", "멈춤"))
                        } else {
                            ("down", lang.t("not answering", "응답 없음"))
                        };
                        html! {
                            <li class="scenario-item" data-exporter={e.address.clone()}>
                                <span class="item-name"><code>{ job }</code>
                                    if let Some(node) = node { <span class="muted item-node">{ node }</span> }
                                </span>
                                <span class={classes!("health", class)}>{ text }</span>
                                <span class="item-actions">
                                    if e.stopped {
                                        <button type="button" class="start-exporter" onclick={run(Scenario::StartExporter(e.exporter.clone()))}
                                            title={lang.t("The container runs again (one more restart)", "컨테이너가 다시 동작합니다 (재시작 1회 추가)")}>
                                            { lang.t("Start", "시작") }
                                        </button>
                                    } else {
                                        <button type="button" class="stop-exporter" onclick={run(Scenario::StopExporter(e.exporter.clone()))}
                                            title={lang.t("The container crashes and stays down: up becomes 0", "컨테이너가 죽은 채로 있습니다. up이 0이 됩니다")}>
                                            { lang.t("Stop", "중지") }
                                        </button>
                                    }
                                </span>
                            </li>
                        }
                    }) }
                </ul>
            </div>
        </div>
    }
}

/// The example app's buttons: pings and a restart.
fn app_controls(ctx: &LabContext, pings: u64, with_ids: bool) -> Html {
    let lang = ctx.lang;
    let ping = |count: u32| {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.control(LabRequest::Ping { count }))
    };
    let restart = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.control(LabRequest::Scenario(Scenario::RestartApp)))
    };
    html! {
        <span class="app-actions">
            <button id={with_ids.then_some("send-ping")} class="primary" type="button" onclick={ping(1)}>
                { lang.t("Send ping", "ping 보내기") }
            </button>
            <button id={with_ids.then_some("send-10-pings")} type="button" onclick={ping(10)}>
                { lang.t("10 pings", "ping 10번") }
            </button>
            <button id={with_ids.then_some("restart-app")} type="button" onclick={restart}
                title={lang.t("The app's container restarts: ping_request_count starts again from 0",
                              "앱 컨테이너가 재시작합니다. ping_request_count가 0부터 다시 셉니다")}>
                { lang.t("Restart app", "앱 재시작") }
            </button>
            <span class="counter" title={lang.t("ping_request_count in the app right now (not yet scraped)",
                                                "지금 앱이 가진 ping_request_count (아직 수집 전일 수 있음)")}>
                <span id={with_ids.then_some("ping-count")} class="value">{ pings }</span>
                <span class="muted">{ lang.t(" requests served", " 요청 처리") }</span>
            </span>
        </span>
    }
}

/// The card on the Query page.
#[function_component(SimPanel)]
pub fn sim_panel() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let pings = ctx.status.as_ref().map_or(0, |s| s.ping_count);
    let cluster = ctx
        .status
        .as_ref()
        .map(|s| s.cluster.clone())
        .unwrap_or_default();
    html! {
        <section class="card sim">
            <h2>{ lang.t("Simulated cluster", "시뮬레이션 클러스터") }</h2>
            <p class="muted cluster-summary">
                { lang.t("Three Kubernetes nodes, one of them with two GPUs, scraped as the Prometheus Operator \
                          would: node_exporter on every node, kube-state-metrics, the NVIDIA DCGM exporter, and the \
                          course's example app.",
                         "GPU 2개가 달린 노드 하나를 포함한 쿠버네티스 노드 3개를 Prometheus Operator가 하듯 수집합니다. \
                          모든 노드의 node_exporter, kube-state-metrics, NVIDIA DCGM exporter, 그리고 교육 과정의 예제 앱입니다.") }
            </p>
            <div class="sim-app">
                <div>
                    <div class="app-name">{"prom-example"}<span class="ns">{" · qks-monitoring"}</span></div>
                    <div class="muted">
                        { lang.t("The training course's Go app: each ", "교육 과정의 Go 앱입니다. ") }<code>{"GET /ping"}</code>
                        { lang.t(" increments the counter ", " 요청마다 카운터 ") }<code>{"ping_request_count"}</code>
                        { lang.t(", scraped every 15s.", "가 1 늘고, 15초마다 수집됩니다.") }
                    </div>
                </div>
                { app_controls(&ctx, pings, true) }
            </div>
            <details class="sim-more">
                <summary>{ lang.t("Nodes and exporters: reboot, NotReady, stop an exporter",
                                  "노드와 exporter: 재부팅, NotReady, exporter 중지") }</summary>
                { cluster_controls(&ctx, &cluster) }
            </details>
        </section>
    }
}

/// The scenarios, a click away in the top bar.
#[function_component(ScenarioMenu)]
pub fn scenario_menu() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let Some(status) = ctx.status.as_ref() else {
        return html! {};
    };
    let trouble = status
        .cluster
        .nodes
        .iter()
        .filter(|n| n.condition != NodeCondition::Ready)
        .count()
        + status.cluster.exporters.iter().filter(|e| !e.up).count();
    html! {
        <details class="scenario-menu" id="scenario-menu">
            <summary>
                { lang.t("Scenarios", "시나리오") }
                if trouble > 0 {
                    <span class="trouble" title={lang.t("Nodes or exporters not in their normal state", "정상 상태가 아닌 노드나 exporter")}>{ trouble }</span>
                }
            </summary>
            <div class="menu">
                <div class="menu-app">
                    <span class="item-name"><code>{"prom-example"}</code></span>
                    { app_controls(&ctx, status.ping_count, false) }
                </div>
                { cluster_controls(&ctx, &status.cluster) }
            </div>
        </details>
    }
}
