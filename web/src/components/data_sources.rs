//! Real exporters as data sources: a form that adds an HTTP target, and the
//! list of such targets with their health and last error.

use crate::app::LabContext;
use promlab_core::api::{
    ActiveTarget, ApiData, ApiRequest, ApiResponse, LabRequest, Request, Response,
};
use web_sys::HtmlInputElement;
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

    html! {
        <section class="card sources">
            <h2>{"Real exporters"}</h2>
            <p class="muted">
                {"Scrape a real exporter from this page every 15s of lab time, e.g. a node_exporter at "}
                <code>{"http://localhost:9100/metrics"}</code>{". The exporter must allow this page to read it (CORS)."}
            </p>
            <form class="add-target" onsubmit={add}>
                <input id="target-url" type="url" placeholder="http://host:port/metrics" aria-label="Target URL"
                    value={(*url).clone()} oninput={on_url} required=true />
                <input id="target-job" type="text" placeholder="job (external)" aria-label="Job name"
                    value={(*job).clone()} oninput={on_job} />
                <button id="add-target" type="submit">{"Add target"}</button>
            </form>
            if let Some(err) = &*error {
                <div class="form-error" role="alert">{ err }</div>
            }
            if !targets.is_empty() {
                <table class="targets">
                    <thead><tr><th>{"Endpoint"}</th><th>{"Job"}</th><th>{"State"}</th><th>{"Error"}</th></tr></thead>
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
    }
}
