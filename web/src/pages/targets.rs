//! Targets: every scrape pool (job) with its targets, their health, labels,
//! last scrape, duration and error, as the Prometheus UI shows them; a
//! target's raw `/metrics` page on demand.

use crate::app::LabContext;
use crate::hooks::use_api;
use promlab_core::api::{
    parse_time, ActiveTarget, ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, Request,
    Response,
};
use promlab_core::labels::Labels;
use std::collections::BTreeMap;
use yew::prelude::*;

/// Label chips: `name="value"` for each label.
pub fn label_chips(labels: &Labels) -> Html {
    html! {
        <span class="chips">
            { for labels.iter().map(|l| html! {
                <span class="chip"><span class="label-name">{ &l.name }</span>{"=\""}<span class="label-value">{ &l.value }</span>{"\""}</span>
            }) }
        </span>
    }
}

/// "12.3s ago" for an RFC 3339 time, seen from the lab's `now`.
fn ago(when: &str, now: Option<i64>) -> String {
    match (parse_time(when), now) {
        (Ok(t), Some(now)) if t > 0 => {
            let s = (now - t) as f64 / 1000.0;
            if s < 120.0 {
                format!("{s:.1}s ago")
            } else {
                format!("{:.0}m ago", s / 60.0)
            }
        }
        _ => "never".to_string(),
    }
}

#[derive(Properties, PartialEq)]
struct RawPageProps {
    scrape_url: AttrValue,
}

/// The page a target serves now, fetched through the lab.
#[function_component(RawPage)]
fn raw_page(props: &RawPageProps) -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let body = use_state(|| None::<Result<String, String>>);
    {
        let body = body.clone();
        use_effect_with(props.scrape_url.clone(), move |url| {
            let req = LabRequest::TargetPage {
                scrape_url: url.to_string(),
            };
            ctx.client.send(Request::Lab(req), move |resp| match resp {
                Response::Lab(LabResponse::Page { body: text }) => body.set(Some(Ok(text))),
                Response::Lab(LabResponse::Error { message }) => body.set(Some(Err(message))),
                _ => {}
            });
        });
    }
    match &*body {
        None => html! { <div class="muted">{"fetching…"}</div> },
        Some(Ok(text)) => html! { <pre class="raw-page">{ text }</pre> },
        Some(Err(e)) => html! { <div class="target-error">{ e }</div> },
    }
}

#[derive(Properties, PartialEq)]
struct PoolProps {
    job: AttrValue,
    targets: Vec<ActiveTarget>,
    now: Option<i64>,
}

#[function_component(Pool)]
fn pool(props: &PoolProps) -> Html {
    let open_page = use_state(|| None::<String>);
    let up = props.targets.iter().filter(|t| t.health == "up").count();
    html! {
        <section class="card pool">
            <h2>
                { &props.job }
                <span class={classes!("pool-count", (up < props.targets.len()).then_some("degraded"))}>
                    { format!(" ({up}/{} up)", props.targets.len()) }
                </span>
            </h2>
            <table class="targets">
                <thead><tr>
                    <th>{"Endpoint"}</th><th>{"State"}</th><th>{"Labels"}</th>
                    <th>{"Last scrape"}</th><th>{"Duration"}</th><th>{"Error"}</th>
                </tr></thead>
                <tbody>
                    { for props.targets.iter().map(|t| {
                        let url = t.scrape_url.clone();
                        let shown = open_page.as_deref() == Some(url.as_str());
                        let toggle = {
                            let open_page = open_page.clone();
                            let url = url.clone();
                            Callback::from(move |_| open_page.set(if shown { None } else { Some(url.clone()) }))
                        };
                        html! {
                            <>
                            <tr class={classes!("target", t.health.clone())}>
                                <td>
                                    <code>{ &t.scrape_url }</code>
                                    <button class="link" onclick={toggle}>{ if shown { "hide page" } else { "show page" } }</button>
                                </td>
                                <td><span class={classes!("health", t.health.clone())}>{ t.health.to_uppercase() }</span></td>
                                <td>{ label_chips(&t.labels) }</td>
                                <td class="nowrap">{ ago(&t.last_scrape, props.now) }</td>
                                <td class="nowrap">{ format!("{:.1}ms", t.last_scrape_duration * 1000.0) }</td>
                                <td class="target-error">{ &t.last_error }</td>
                            </tr>
                            if shown {
                                <tr><td colspan="6"><RawPage scrape_url={url} /></td></tr>
                            }
                            </>
                        }
                    }) }
                </tbody>
            </table>
        </section>
    }
}

#[function_component(TargetsPage)]
pub fn targets_page() -> Html {
    let ctx = use_context::<LabContext>();
    let now = ctx.and_then(|c| c.status.map(|s| s.now));
    let Some(answer) = use_api(ApiRequest::Targets) else {
        return html! { <section class="card"><h2>{"Targets"}</h2><p class="muted">{"Waiting for the lab…"}</p></section> };
    };
    let targets = match answer {
        ApiResponse::Success {
            data: ApiData::Targets(t),
            ..
        } => t.active_targets,
        ApiResponse::Error(e) => {
            return html! { <section class="card"><div class="target-error">{ e.error }</div></section> }
        }
        _ => Vec::new(),
    };
    let mut pools: BTreeMap<String, Vec<ActiveTarget>> = BTreeMap::new();
    for t in targets {
        pools.entry(t.scrape_pool.clone()).or_default().push(t);
    }
    html! {
        <>
            { for pools.into_iter().map(|(job, targets)| html! {
                <Pool job={job} {targets} {now} />
            }) }
        </>
    }
}
