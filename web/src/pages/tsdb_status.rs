//! TSDB status: the head's size and cardinality, as the Prometheus UI's
//! TSDB status page shows them, plus the lab's bytes per sample.

use crate::hooks::use_api;
use promlab_core::api::{format_rfc3339, ApiData, ApiRequest, ApiResponse, NameValue};
use yew::prelude::*;

fn table(title: &str, rows: &[NameValue]) -> Html {
    html! {
        <section class="card">
            <h2>{ title }</h2>
            <table class="stats">
                <thead><tr><th>{"Name"}</th><th class="value">{"Count"}</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr><td><code>{ &r.name }</code></td><td class="value">{ r.value }</td></tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

#[function_component(TsdbStatusPage)]
pub fn tsdb_status_page() -> Html {
    let Some(answer) = use_api(ApiRequest::TsdbStatus) else {
        return html! { <section class="card"><p class="muted">{"Waiting for the lab…"}</p></section> };
    };
    let ApiResponse::Success {
        data: ApiData::TsdbStatus(st),
        ..
    } = answer
    else {
        return html! {};
    };
    let h = &st.head_stats;
    let time = |t: i64| {
        if t == i64::MAX || t == i64::MIN {
            "—".to_string()
        } else {
            format_rfc3339(t)
        }
    };
    let cells = [
        ("Series", h.num_series.to_string()),
        ("Samples", h.num_samples.to_string()),
        ("Chunks", h.chunk_count.to_string()),
        ("Label pairs", h.num_label_pairs.to_string()),
        ("Chunk bytes", h.chunk_bytes.to_string()),
        ("Bytes per sample", format!("{:.3}", h.bytes_per_sample)),
        ("Oldest sample", time(h.min_time)),
        ("Newest sample", time(h.max_time)),
    ];
    html! {
        <>
            <section class="card">
                <h2>{"Head block"}</h2>
                <div class="stat-grid" id="head-stats">
                    { for cells.iter().map(|(k, v)| html! {
                        <div class="stat"><div class="muted">{ *k }</div><div class="stat-value">{ v }</div></div>
                    }) }
                </div>
            </section>
            { table("Top 10 series count by metric names", &st.series_count_by_metric_name) }
            { table("Top 10 label names with value count", &st.label_value_count_by_label_name) }
            { table("Top 10 label names with high memory usage", &st.memory_in_bytes_by_label_name) }
            { table("Top 10 series count by label value pairs", &st.series_count_by_label_value_pair) }
        </>
    }
}
