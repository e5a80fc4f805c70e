//! Targets: every scrape pool (job) with its targets, their health,
//! labels after relabelling (and as discovered, on demand), last scrape,
//! duration, interval and error, as the Prometheus UI shows them; a
//! target's raw `/metrics` page on demand, and its `up` series in the
//! playground.

use crate::app::LabContext;
use crate::components::widgets::{api_time_ago, query_href};
use crate::hooks::use_api;
use crate::i18n::Lang;
use promlab_core::api::{
    ActiveTarget, ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, Request, Response,
};
use promlab_core::labels::Labels;
use std::collections::BTreeMap;
use web_sys::HtmlInputElement;
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

/// A target's health as Prometheus names it, translated.
fn health_text(lang: Lang, health: &str) -> String {
    match health {
        "up" => "UP".into(),
        "down" => "DOWN".into(),
        "unknown" => lang.t("UNKNOWN", "알 수 없음").into(),
        other => other.to_uppercase(),
    }
}

/// The selector of a target's `up` series.
fn up_query(t: &ActiveTarget) -> String {
    format!(
        "up{{job={}, instance={}}}",
        serde_json::Value::String(t.labels.get("job").to_string()),
        serde_json::Value::String(t.labels.get("instance").to_string())
    )
}

#[derive(Properties, PartialEq)]
struct RawPageProps {
    scrape_url: AttrValue,
}

/// The page a target serves now, fetched through the lab.
#[function_component(RawPage)]
fn raw_page(props: &RawPageProps) -> Html {
    let ctx = use_context::<LabContext>();
    let body = use_state(|| None::<Result<String, String>>);
    {
        let body = body.clone();
        let ctx = ctx.clone();
        use_effect_with(props.scrape_url.clone(), move |url| {
            let req = LabRequest::TargetPage {
                scrape_url: url.to_string(),
            };
            if let Some(ctx) = ctx {
                ctx.client.send(Request::Lab(req), move |resp| match resp {
                    Response::Lab(LabResponse::Page { body: text }) => body.set(Some(Ok(text))),
                    Response::Lab(LabResponse::Error { message }) => body.set(Some(Err(message))),
                    _ => {}
                });
            }
        });
    }
    let lang = ctx.map(|c| c.lang).unwrap_or_default();
    match &*body {
        None => html! { <div class="muted">{ lang.t("fetching…", "가져오는 중…") }</div> },
        Some(Ok(text)) => html! { <pre class="raw-page">{ text }</pre> },
        Some(Err(e)) => html! { <div class="target-error">{ e }</div> },
    }
}

/// What a target row has opened below it.
#[derive(Clone, PartialEq)]
enum Opened {
    Page(String),
    Discovered(String),
}

#[derive(Properties, PartialEq)]
struct PoolProps {
    job: AttrValue,
    targets: Vec<ActiveTarget>,
    now: Option<i64>,
}

#[function_component(Pool)]
fn pool(props: &PoolProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let opened = use_state(|| None::<Opened>);
    let up = props.targets.iter().filter(|t| t.health == "up").count();
    let interval = props
        .targets
        .first()
        .map(|t| format!("{} / {}", t.scrape_interval, t.scrape_timeout))
        .unwrap_or_default();
    let open = |what: Opened| {
        let opened = opened.clone();
        let shown = opened.as_ref() == Some(&what);
        Callback::from(move |_| opened.set(if shown { None } else { Some(what.clone()) }))
    };
    html! {
        <section class="card pool" data-job={props.job.clone()}>
            <h2>
                { &props.job }
                <span class={classes!("pool-count", (up < props.targets.len()).then_some("degraded"))}>
                    { format!(" ({up}/{} up)", props.targets.len()) }
                </span>
                <span class="muted pool-interval" title={lang.t("Scrape interval / timeout", "수집 주기 / 타임아웃")}>{ interval }</span>
            </h2>
            <table class="targets">
                <thead><tr>
                    <th>{ lang.t("Endpoint", "엔드포인트") }</th>
                    <th>{ lang.t("State", "상태") }</th>
                    <th>{ lang.t("Labels", "레이블") }</th>
                    <th>{ lang.t("Last scrape", "마지막 수집") }</th>
                    <th>{ lang.t("Duration", "소요 시간") }</th>
                    <th>{ lang.t("Error", "오류") }</th>
                </tr></thead>
                <tbody>
                    { for props.targets.iter().map(|t| {
                        let url = t.scrape_url.clone();
                        let page_shown = *opened == Some(Opened::Page(url.clone()));
                        let labels_shown = *opened == Some(Opened::Discovered(url.clone()));
                        html! {
                            <>
                            <tr class={classes!("target", t.health.clone())}>
                                <td>
                                    <code>{ &t.scrape_url }</code>
                                    <div class="target-links">
                                        <button class="link show-page" onclick={open(Opened::Page(url.clone()))}>
                                            { if page_shown { lang.t("hide page", "페이지 숨기기") } else { lang.t("show page", "페이지 보기") } }
                                        </button>
                                        <a class="link" href={query_href(&up_query(t))}>{ lang.t("graph up", "up 그래프") }</a>
                                    </div>
                                </td>
                                <td><span class={classes!("health", t.health.clone())}>{ health_text(lang, &t.health) }</span></td>
                                <td>
                                    { label_chips(&t.labels) }
                                    <button class="text-button show-discovered" onclick={open(Opened::Discovered(url.clone()))}
                                        title={lang.t("The labels service discovery found, before relabelling",
                                                      "relabel 전에 서비스 디스커버리가 찾은 레이블")}>
                                        { if labels_shown { lang.t("hide discovered labels", "발견된 레이블 숨기기") } else { lang.t("discovered labels", "발견된 레이블") } }
                                    </button>
                                </td>
                                <td class="nowrap">{ api_time_ago(lang, &t.last_scrape, props.now) }</td>
                                <td class="nowrap">{ format!("{:.1}ms", t.last_scrape_duration * 1000.0) }</td>
                                <td class="target-error">{ &t.last_error }</td>
                            </tr>
                            if page_shown {
                                <tr><td colspan="6"><RawPage scrape_url={url.clone()} /></td></tr>
                            }
                            if labels_shown {
                                <tr class="discovered"><td colspan="6">
                                    <div class="sd-grid">
                                        <div><div class="muted">{ lang.t("Discovered labels (before relabelling)", "발견된 레이블 (relabel 전)") }</div>{ label_chips(&t.discovered_labels) }</div>
                                        <div><div class="muted">{ lang.t("Target labels (after relabelling)", "타깃 레이블 (relabel 후)") }</div>{ label_chips(&t.labels) }</div>
                                    </div>
                                </td></tr>
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
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let now = ctx.and_then(|c| c.status.map(|s| s.now));
    let unhealthy_only = use_state(|| false);
    let search = use_state(String::new);
    let Some(answer) = use_api(ApiRequest::Targets) else {
        return html! { <section class="card"><h2>{ lang.t("Targets", "타깃") }</h2><p class="muted">{ lang.t("Waiting for the lab…", "랩을 기다리는 중…") }</p></section> };
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
    let total = targets.len();
    let down = targets.iter().filter(|t| t.health != "up").count();
    let needle = search.trim().to_lowercase();
    let mut pools: BTreeMap<String, Vec<ActiveTarget>> = BTreeMap::new();
    for t in targets {
        let shown = (!*unhealthy_only || t.health != "up")
            && (needle.is_empty()
                || t.scrape_url.to_lowercase().contains(&needle)
                || t.labels.iter().any(|l| {
                    l.name.to_lowercase().contains(&needle)
                        || l.value.to_lowercase().contains(&needle)
                }));
        if shown {
            pools.entry(t.scrape_pool.clone()).or_default().push(t);
        }
    }
    let toggle = {
        let unhealthy_only = unhealthy_only.clone();
        Callback::from(move |_| unhealthy_only.set(!*unhealthy_only))
    };
    let on_search = {
        let search = search.clone();
        Callback::from(move |e: InputEvent| {
            search.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <>
            <section class="card targets-head">
                <div class="filter-row">
                    <h2>{ lang.t("Targets", "타깃") }</h2>
                    <span class="muted">{ match lang {
                        Lang::En => format!("{total} targets, {down} not up"),
                        Lang::Ko => format!("타깃 {total}개, up이 아닌 타깃 {down}개"),
                    } }</span>
                    <label class="annotations-toggle">
                        <input type="checkbox" id="unhealthy-only" checked={*unhealthy_only} onchange={toggle} />
                        { lang.t("Unhealthy only", "비정상만") }
                    </label>
                    <input class="search" type="search" id="target-search" value={(*search).clone()} oninput={on_search}
                        placeholder={lang.t("Filter by endpoint or label", "엔드포인트나 레이블로 거르기")} />
                </div>
            </section>
            if pools.is_empty() {
                <section class="card"><p class="muted empty">{ lang.t("No target matches.", "맞는 타깃이 없습니다.") }</p></section>
            }
            { for pools.into_iter().map(|(job, targets)| html! {
                <Pool key={job.clone()} job={AttrValue::from(job.clone())} {targets} {now} />
            }) }
        </>
    }
}
