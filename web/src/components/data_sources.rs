//! Data sources beside the simulated cluster: real exporters (a form that
//! adds an HTTP target, and the list of such targets with their health and
//! last error), and OpenMetrics text pasted or uploaded into the lab or
//! exported from it.

use crate::app::LabContext;
use promlab_core::api::LabResponse;
use promlab_core::api::{
    ActiveTarget, ApiData, ApiRequest, ApiResponse, LabRequest, Request, Response,
};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[function_component(DataSources)]
pub fn data_sources() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let url = use_state(String::new);
    let job = use_state(String::new);
    let error = use_state(|| None::<String>);
    let targets = use_state(Vec::<ActiveTarget>::new);
    let samples = ctx.status.as_ref().map(|s| s.samples);
    let http_jobs = ctx
        .status
        .as_ref()
        .map(|s| s.http_jobs.clone())
        .unwrap_or_default();

    // Refresh the list when new samples arrive (a scrape happened).
    {
        let ctx = ctx.clone();
        let targets = targets.clone();
        use_effect_with((samples, http_jobs), move |(_, jobs)| {
            if jobs.is_empty() {
                return;
            }
            let jobs = jobs.clone();
            ctx.client
                .send(Request::Api(ApiRequest::Targets), move |resp| {
                    if let Response::Api(ApiResponse::Success {
                        data: ApiData::Targets(t),
                        ..
                    }) = resp
                    {
                        targets.set(
                            t.active_targets
                                .into_iter()
                                .filter(|t| jobs.contains(&t.scrape_pool))
                                .collect(),
                        );
                    }
                });
        });
    }

    let add = {
        let ctx = ctx.clone();
        let (url, job, error) = (url.clone(), job.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = LabRequest::AddTarget {
                url: url.trim().to_string(),
                job: Some(job.trim().to_string()).filter(|j| !j.is_empty()),
                interval: None,
            };
            let (error, url) = (error.clone(), url.clone());
            ctx.client
                .send(Request::Lab(request), move |resp| match resp {
                    Response::Lab(promlab_core::api::LabResponse::Error { message }) => {
                        error.set(Some(message))
                    }
                    _ => {
                        error.set(None);
                        url.set(String::new());
                    }
                });
        })
    };
    let on_url = {
        let url = url.clone();
        Callback::from(move |e: InputEvent| {
            url.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_job = {
        let job = job.clone();
        Callback::from(move |e: InputEvent| {
            job.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };

    let lang = ctx.lang;
    html! {
        <>
        <section class="card sources">
            <h2>{lang.t("Real exporters", "실제 익스포터")}</h2>
            <p class="muted">
                {lang.t("Scrape a real exporter from this page every 15s of lab time, e.g. a node_exporter at ",
                        "이 페이지에서 실제 익스포터를 랩 시간 15초마다 스크레이프합니다. 예: node_exporter ")}
                <code>{"http://localhost:9100/metrics"}</code>
                {lang.t(". The exporter must allow this page to read it (CORS); `cargo xtask serve` proxies a local node_exporter at ",
                        ". 익스포터가 이 페이지의 읽기를 허용해야 합니다(CORS). `cargo xtask serve`는 로컬 node_exporter를 다음 주소로 프록시합니다: ")}
                <code>{"proxy/node-exporter/metrics"}</code>{"."}
            </p>
            <form class="add-target" onsubmit={add}>
                <input id="target-url" type="text" placeholder="http://host:port/metrics" aria-label={lang.t("Target URL", "타깃 URL")}
                    value={(*url).clone()} oninput={on_url} required=true />
                <input id="target-job" type="text" placeholder={lang.t("job (external)", "job (기본: external)")} aria-label={lang.t("Job name", "job 이름")}
                    value={(*job).clone()} oninput={on_job} />
                <button id="add-target" type="submit">{lang.t("Add target", "타깃 추가")}</button>
            </form>
            if let Some(err) = &*error {
                <div class="form-error" role="alert">{ err }</div>
            }
            if !targets.is_empty() {
                <table class="targets">
                    <thead><tr><th>{lang.t("Endpoint", "엔드포인트")}</th><th>{"Job"}</th><th>{lang.t("State", "상태")}</th><th>{lang.t("Error", "오류")}</th></tr></thead>
                    <tbody>
                        { for targets.iter().map(|t| html! {
                            <tr class={classes!("target", t.health.clone())}>
                                <td><code>{ &t.scrape_url }</code></td>
                                <td>{ &t.scrape_pool }</td>
                                <td><span class={classes!("health", t.health.clone())}>{ t.health.to_uppercase() }</span></td>
                                <td class="target-error">{ &t.last_error }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
        <OpenMetricsData />
        <RemoteServer />
        </>
    }
}

/// How far back an export reaches, as offered.
const EXPORT_RANGES: [(&str, i64); 4] = [
    ("15m", 15 * 60_000),
    ("1h", 3_600_000),
    ("6h", 6 * 3_600_000),
    ("1d", 86_400_000),
];

/// Pasting or uploading OpenMetrics with timestamps into the lab, and
/// exporting a selector's samples as a file.
#[function_component(OpenMetricsData)]
fn open_metrics_data() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let text = use_state(String::new);
    // The outcome of the last import or export: Ok(message) or Err(error).
    let outcome = use_state(|| None::<Result<String, String>>);
    let selector = use_state(|| "{__name__=~\".+\"}".to_string());
    let range = use_state(|| 3_600_000_i64);

    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let on_file = {
        let (text, outcome) = (text.clone(), outcome.clone());
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            let (text, outcome) = (text.clone(), outcome.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                    Ok(v) => text.set(v.as_string().unwrap_or_default()),
                    Err(_) => outcome.set(Some(Err(format!("{} could not be read", file.name())))),
                }
            });
        })
    };
    let import = {
        let (ctx, text, outcome) = (ctx.clone(), text.clone(), outcome.clone());
        Callback::from(move |_: MouseEvent| {
            let outcome = outcome.clone();
            let before = ctx.status.as_ref().map_or(0, |s| s.series);
            ctx.client.send(
                Request::Lab(LabRequest::ImportOpenMetrics {
                    text: (*text).clone(),
                }),
                move |resp| match resp {
                    Response::Lab(LabResponse::Status(s)) => {
                        outcome.set(Some(Ok(format!("{} → {} series", before, s.series))))
                    }
                    Response::Lab(LabResponse::Error { message }) => {
                        outcome.set(Some(Err(message)))
                    }
                    _ => {}
                },
            );
        })
    };
    let export = {
        let (ctx, selector, range, outcome) = (
            ctx.clone(),
            selector.clone(),
            range.clone(),
            outcome.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let outcome = outcome.clone();
            let end = ctx.status.as_ref().map(|s| s.now);
            let request = LabRequest::ExportOpenMetrics {
                selector: (*selector).clone(),
                start: end.map(|e| e.saturating_sub(*range)),
                end,
            };
            ctx.client
                .send(Request::Lab(request), move |resp| match resp {
                    Response::Lab(LabResponse::Page { body }) => {
                        let lines = body.lines().filter(|l| !l.starts_with('#')).count();
                        match download("promlab-export.om", &body) {
                            Ok(()) => {
                                outcome.set(Some(Ok(format!("promlab-export.om: {lines} samples"))))
                            }
                            Err(e) => outcome.set(Some(Err(e))),
                        }
                    }
                    Response::Lab(LabResponse::Error { message }) => {
                        outcome.set(Some(Err(message)))
                    }
                    _ => {}
                });
        })
    };
    let on_selector = {
        let selector = selector.clone();
        Callback::from(move |e: InputEvent| {
            selector.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_range = {
        let range = range.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Ok(ms) = v.parse() {
                range.set(ms);
            }
        })
    };

    html! {
        <section class="card sources openmetrics">
            <h2>{lang.t("OpenMetrics data", "OpenMetrics 데이터")}</h2>
            <p class="muted">{lang.t(
                "Paste or upload exposition text with timestamps (as promtool tsdb dump-openmetrics or an export writes it) to add its samples to the lab; export a selector's samples as a file.",
                "타임스탬프가 있는 노출 형식 텍스트(promtool tsdb dump-openmetrics나 내보내기 결과)를 붙여 넣거나 올려 랩에 샘플을 추가합니다. 셀렉터의 샘플을 파일로 내보낼 수도 있습니다.")}</p>
            <textarea id="import-text" rows="5" spellcheck="false" value={(*text).clone()} oninput={on_text}
                placeholder={"# TYPE my_metric gauge\nmy_metric{a=\"1\"} 42 1767225600\n# EOF"}
                aria-label={lang.t("OpenMetrics text", "OpenMetrics 텍스트")} />
            <div class="row">
                <input id="import-file" type="file" accept=".om,.txt,.prom,text/plain" onchange={on_file}
                    aria-label={lang.t("Upload a file", "파일 올리기")} />
                <button id="import" type="button" onclick={import} disabled={text.trim().is_empty()}>
                    {lang.t("Import", "가져오기")}
                </button>
            </div>
            <div class="row export">
                <input id="export-selector" type="text" value={(*selector).clone()} oninput={on_selector}
                    aria-label={lang.t("Series selector", "시리즈 셀렉터")} spellcheck="false" />
                <select id="export-range" onchange={on_range} aria-label={lang.t("Range", "범위")}>
                    { for EXPORT_RANGES.iter().map(|(label, ms)| html! {
                        <option value={ms.to_string()} selected={*ms == *range}>{ lang.t("last ", "최근 ") }{ *label }</option>
                    }) }
                </select>
                <button id="export" type="button" onclick={export}>{lang.t("Export", "내보내기")}</button>
            </div>
            { match &*outcome {
                Some(Ok(m)) => html! { <div class="form-ok" id="data-outcome" role="status">{ m }</div> },
                Some(Err(e)) => html! { <pre class="form-error" id="data-outcome" role="alert">{ e }</pre> },
                None => html! {},
            } }
        </section>
    }
}

/// Offers `text` as a file download named `name`.
fn download(name: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/openmetrics-text; version=1.0.0; charset=utf-8");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser refused to make the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "the browser refused to make the file".to_string())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no link")?
        .dyn_into()
        .map_err(|_| "no link")?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Pointing the lab at a Prometheus-compatible server: the playground and
/// the status pages then ask it through its HTTP API.
#[function_component(RemoteServer)]
pub fn remote_server() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let lang = ctx.lang;
    let url = use_state(|| "http://localhost:9090".to_string());
    let connected = ctx.client.remote_url().map(str::to_string);
    let on_url = {
        let url = url.clone();
        Callback::from(move |e: InputEvent| {
            url.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let connect = {
        let (set, url) = (ctx.set_source.clone(), url.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let u = url.trim().to_string();
            if !u.is_empty() {
                set.emit(Some(u));
            }
        })
    };
    let disconnect = {
        let set = ctx.set_source.clone();
        Callback::from(move |_: MouseEvent| set.emit(None))
    };
    html! {
        <section class="card sources remote">
            <h2>{lang.t("Prometheus server", "Prometheus 서버")}</h2>
            if let Some(base) = connected {
                <p id="remote-connected" class="remote-on">
                    {lang.t("Queries and status pages ask ", "쿼리와 상태 페이지가 다음 서버에 묻습니다: ")}
                    <code>{ base }</code>
                    {lang.t(" (the lab's simulation waits meanwhile).", " (그동안 랩의 시뮬레이션은 멈춥니다).")}
                </p>
                <button id="remote-disconnect" type="button" onclick={disconnect}>
                    {lang.t("Back to the lab", "랩으로 돌아가기")}
                </button>
            } else {
                <p class="muted">{lang.t(
                    "Query a Prometheus-compatible server (Prometheus, Thanos, Mimir, VictoriaMetrics) through its HTTP API instead of the lab's engine.",
                    "랩의 엔진 대신 Prometheus 호환 서버(Prometheus, Thanos, Mimir, VictoriaMetrics)에 HTTP API로 쿼리합니다.")}</p>
                <form class="add-target" onsubmit={connect}>
                    <input id="remote-url" type="text" value={(*url).clone()} oninput={on_url}
                        aria-label={lang.t("Server URL", "서버 URL")} />
                    <button id="remote-connect" type="submit">{lang.t("Connect", "연결")}</button>
                </form>
            }
        </section>
    }
}
