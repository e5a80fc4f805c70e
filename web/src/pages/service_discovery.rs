//! Service discovery: each target's labels as discovered and after
//! relabelling, and the targets relabelling dropped, as the Prometheus UI
//! shows them.

use crate::hooks::use_api;
use crate::pages::targets::label_chips;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse};
use std::collections::BTreeMap;
use yew::prelude::*;

#[function_component(ServiceDiscoveryPage)]
pub fn service_discovery_page() -> Html {
    let Some(answer) = use_api(ApiRequest::Targets) else {
        return html! { <section class="card"><p class="muted">{"Waiting for the lab…"}</p></section> };
    };
    let ApiResponse::Success {
        data: ApiData::Targets(t),
        ..
    } = answer
    else {
        return html! {};
    };
    // Per pool: active and dropped targets (a dropped target's pool is its
    // discovered `job` label).
    let mut pools: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for a in &t.active_targets {
        pools.entry(a.scrape_pool.clone()).or_default().0 += 1;
    }
    for d in &t.dropped_targets {
        pools
            .entry(d.discovered_labels.get("job").to_string())
            .or_default()
            .1 += 1;
    }
    html! {
        <>
            <section class="card">
                <h2>{"Service discovery"}</h2>
                <p class="muted">
                    {"What discovery found for each scrape pool, and what relabelling made of it. Labels \
                      starting with "}<code>{"__"}</code>{" are dropped after relabelling; "}<code>{"instance"}</code>
                    {" defaults to "}<code>{"__address__"}</code>{"."}
                </p>
                <ul class="sd-summary">
                    { for pools.iter().map(|(job, (active, dropped))| html! {
                        <li><code>{ job }</code>{ format!(" ({active} active, {dropped} dropped)") }</li>
                    }) }
                </ul>
            </section>
            { for t.active_targets.iter().map(|a| html! {
                <section class="card sd-target">
                    <h3><code>{ &a.scrape_pool }</code>{" · "}<code>{ &a.scrape_url }</code></h3>
                    <div class="sd-grid">
                        <div><div class="muted">{"Discovered labels"}</div>{ label_chips(&a.discovered_labels) }</div>
                        <div><div class="muted">{"Target labels"}</div>{ label_chips(&a.labels) }</div>
                    </div>
                </section>
            }) }
            { for t.dropped_targets.iter().map(|d| html! {
                <section class="card sd-target dropped">
                    <h3>{"Dropped by relabelling"}</h3>
                    <div><div class="muted">{"Discovered labels"}</div>{ label_chips(&d.discovered_labels) }</div>
                </section>
            }) }
        </>
    }
}
