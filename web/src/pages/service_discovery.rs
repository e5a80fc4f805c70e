//! Service discovery: for each scrape pool, every target's labels as
//! discovered and after relabelling, and the targets relabelling dropped,
//! as the Prometheus UI shows them.

use crate::app::LabContext;
use crate::hooks::use_api;
use crate::i18n::Lang;
use crate::pages::targets::label_chips;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse};
use promlab_core::labels::Labels;
use std::collections::BTreeMap;
use yew::prelude::*;

/// A pool's targets: discovered labels, and the target labels unless
/// relabelling dropped it.
type Pools = BTreeMap<String, Vec<(Labels, Option<Labels>)>>;

#[function_component(ServiceDiscoveryPage)]
pub fn service_discovery_page() -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let Some(answer) = use_api(ApiRequest::Targets) else {
        return html! { <section class="card"><p class="muted">{ lang.t("Waiting for the lab…", "랩을 기다리는 중…") }</p></section> };
    };
    let t = match answer {
        ApiResponse::Success {
            data: ApiData::Targets(t),
            ..
        } => t,
        ApiResponse::Error(e) => {
            return html! { <section class="card"><div class="target-error">{ e.error }</div></section> }
        }
        _ => return Html::default(),
    };
    // A dropped target's pool is its discovered `job` label.
    let mut pools: Pools = BTreeMap::new();
    for a in t.active_targets {
        pools
            .entry(a.scrape_pool.clone())
            .or_default()
            .push((a.discovered_labels, Some(a.labels)));
    }
    for d in t.dropped_targets {
        pools
            .entry(d.discovered_labels.get("job").to_string())
            .or_default()
            .push((d.discovered_labels, None));
    }
    let summary = |targets: &[(Labels, Option<Labels>)]| {
        let active = targets.iter().filter(|(_, l)| l.is_some()).count();
        let dropped = targets.len() - active;
        match lang {
            Lang::En => format!("{active} active, {dropped} dropped"),
            Lang::Ko => format!("활성 {active}개, 제외 {dropped}개"),
        }
    };
    html! {
        <>
            <section class="card">
                <h2>{ lang.t("Service discovery", "서비스 디스커버리") }</h2>
                <p class="muted">
                    { lang.t("What discovery found for each scrape pool, and what relabelling made of it. Labels starting with ",
                             "스크레이프 풀마다 디스커버리가 찾은 것과 relabel이 그것을 어떻게 바꿨는지 보여 줍니다. ") }
                    <code>{"__"}</code>
                    { lang.t(" are dropped after relabelling; ", "로 시작하는 레이블은 relabel 뒤에 버려지고, ") }
                    <code>{"instance"}</code>
                    { lang.t(" defaults to ", "가 없으면 ") }<code>{"__address__"}</code>
                    { lang.t(".", " 값이 됩니다.") }
                </p>
                <ul class="sd-summary">
                    { for pools.iter().map(|(job, targets)| html! {
                        <li><a href={format!("#sd-{job}")} class="link"><code>{ job }</code></a>{ format!(" ({})", summary(targets)) }</li>
                    }) }
                </ul>
            </section>
            { for pools.iter().map(|(job, targets)| html! {
                <section class="card sd-pool sd-target" id={format!("sd-{job}")}>
                    <h2><code>{ job }</code><span class="muted">{ format!(" ({})", summary(targets)) }</span></h2>
                    <table>
                        <thead><tr>
                            <th>{ lang.t("Discovered labels", "발견된 레이블") }</th>
                            <th>{ lang.t("Target labels", "타깃 레이블") }</th>
                        </tr></thead>
                        <tbody>
                            { for targets.iter().map(|(discovered, labels)| html! {
                                <tr class={classes!(labels.is_none().then_some("dropped"))}>
                                    <td>{ label_chips(discovered) }</td>
                                    <td>{ match labels {
                                        Some(l) => label_chips(l),
                                        None => html! { <span class="dropped-mark">{ lang.t("Dropped by relabelling", "relabel로 제외됨") }</span> },
                                    } }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </section>
            }) }
        </>
    }
}
