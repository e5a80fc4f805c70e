//! Configuration: the `prometheus.yml` the lab runs, as the Prometheus UI
//! shows it.

use crate::app::LabContext;
use crate::hooks::use_api;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse};
use yew::prelude::*;

#[function_component(ConfigPage)]
pub fn config_page() -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
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
            <h2>{ lang.t("Configuration", "설정") }</h2>
            <p class="muted">
                { lang.t("The scrape configuration the lab runs: the simulated cluster's jobs, as the Prometheus \
                          Operator generates them from its ServiceMonitors, and the real targets added since. \
                          The rule files are on the Rules page, the alertmanager.yml on the Alertmanager page.",
                         "랩이 돌리는 수집 설정입니다. Prometheus Operator가 ServiceMonitor로부터 만들어 내는 시뮬레이션 \
                          클러스터의 job과, 그 뒤에 추가한 실제 타깃입니다. 규칙 파일은 규칙 페이지에, alertmanager.yml은 \
                          Alertmanager 페이지에 있습니다.") }
            </p>
            <pre class="config-yaml" id="config-yaml">{ yaml }</pre>
        </section>
    }
}
