//! Configuration: the `prometheus.yml` the lab runs, as the Prometheus UI
//! shows it.

use crate::hooks::use_api;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse};
use yew::prelude::*;

#[function_component(ConfigPage)]
pub fn config_page() -> Html {
    let yaml = match use_api(ApiRequest::StatusConfig) {
        Some(ApiResponse::Success {
            data: ApiData::Config(c),
            ..
        }) => c.yaml,
        Some(ApiResponse::Error(e)) => e.error,
        _ => String::new(),
    };
    html! {
        <section class="card">
            <h2>{"Configuration"}</h2>
            <p class="muted">
                {"The scrape configuration the lab runs: the simulated cluster's jobs, as the Prometheus \
                  Operator generates them from its ServiceMonitors, and the real targets added since."}
            </p>
            <pre class="config-yaml" id="config-yaml">{ yaml }</pre>
        </section>
    }
}
