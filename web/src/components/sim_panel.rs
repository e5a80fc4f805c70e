//! The simulated cluster's controls. For now: the example app
//! `prom-example` and its `/ping` endpoint.

use crate::app::LabContext;
use promlab_core::api::LabRequest;
use yew::prelude::*;

#[function_component(SimPanel)]
pub fn sim_panel() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let pings = ctx.status.as_ref().map_or(0, |s| s.ping_count);
    let ping = {
        let ctx = ctx.clone();
        Callback::from(move |_| ctx.control(LabRequest::Ping { count: 1 }))
    };
    html! {
        <section class="card sim">
            <h2>{"Simulated cluster"}</h2>
            <p class="muted cluster-summary">
                {"Three Kubernetes nodes, one of them with two GPUs, scraped as the Prometheus Operator \
                  would: node_exporter on every node, kube-state-metrics, the NVIDIA DCGM exporter, and the \
                  course's example app."}
            </p>
            <div class="sim-app">
                <div>
                    <div class="app-name">{"prom-example"}<span class="ns">{" · qks-monitoring"}</span></div>
                    <div class="muted">
                        {"The training course's Go app: each "}<code>{"GET /ping"}</code>
                        {" increments the counter "}<code>{"ping_request_count"}</code>
                        {", scraped every 15s."}
                    </div>
                </div>
                <button id="send-ping" class="primary" onclick={ping}>{"Send ping"}</button>
                <div class="counter" title="ping_request_count in the app right now (not yet scraped)">
                    <span id="ping-count" class="value">{ pings }</span>
                    <span class="muted">{" requests served"}</span>
                </div>
            </div>
        </section>
    }
}
