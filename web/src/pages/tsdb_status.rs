//! TSDB status: the head block's size and cardinality, as Prometheus's
//! TSDB status page shows them, plus the lab's samples and bytes per
//! sample; metric names and label pairs open in the playground.

use crate::app::LabContext;
use crate::components::clock::display_time;
use crate::components::widgets::query_href;
use crate::hooks::use_api;
use crate::i18n::Lang;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse, NameValue};
use yew::prelude::*;

/// What a table's names are, so which query each opens.
#[derive(Clone, Copy)]
enum Names {
    /// Metric names: the metric's series.
    Metric,
    /// Label names: how many series carry each value.
    LabelName,
    /// `name=value` pairs: the series that carry the pair.
    LabelPair,
}

impl Names {
    fn query(self, name: &str) -> Option<String> {
        let quote = |s: &str| serde_json::Value::String(s.to_string()).to_string();
        match self {
            Names::Metric => Some(format!("{{__name__={}}}", quote(name))),
            Names::LabelName => Some(format!(
                "count by ({}) ({{{}!=\"\"}})",
                quote(name),
                quote(name)
            )),
            Names::LabelPair => {
                let (label, value) = name.split_once('=')?;
                Some(format!("{{{}={}}}", quote(label), quote(value)))
            }
        }
    }
}

fn table(lang: Lang, title: &str, column: &str, rows: &[NameValue], names: Names) -> Html {
    let max = rows.iter().map(|r| r.value).max().unwrap_or(0).max(1);
    html! {
        <section class="card">
            <h2>{ title }</h2>
            <table class="stats">
                <thead><tr><th>{ lang.t("Name", "이름") }</th><th class="value">{ column }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>
                            <td>
                                { match names.query(&r.name) {
                                    Some(q) => html! { <a class="metric-link" href={query_href(&q)}
                                        title={lang.t("Open in the playground", "플레이그라운드에서 열기")}><code>{ &r.name }</code></a> },
                                    None => html! { <code>{ &r.name }</code> },
                                } }
                                <div class="bar" style={format!("width: {:.1}%", r.value as f64 * 100.0 / max as f64)}></div>
                            </td>
                            <td class="value">{ r.value }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </section>
    }
}

#[function_component(TsdbStatusPage)]
pub fn tsdb_status_page() -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let Some(answer) = use_api(ApiRequest::TsdbStatus) else {
        return html! { <section class="card"><p class="muted">{ lang.t("Waiting for the lab…", "랩을 기다리는 중…") }</p></section> };
    };
    let st = match answer {
        ApiResponse::Success {
            data: ApiData::TsdbStatus(st),
            ..
        } => st,
        ApiResponse::Error(e) => {
            return html! { <section class="card"><div class="target-error">{ e.error }</div></section> }
        }
        _ => return Html::default(),
    };
    let h = &st.head_stats;
    // Prometheus's values for an empty head.
    let time = |t: i64| {
        if t == i64::MAX || t == i64::MIN {
            "—".to_string()
        } else {
            display_time(t)
        }
    };
    let cells = [
        (lang.t("Series", "시리즈"), h.num_series.to_string()),
        (lang.t("Samples", "샘플"), h.num_samples.to_string()),
        (lang.t("Chunks", "청크"), h.chunk_count.to_string()),
        (
            lang.t("Label pairs", "레이블 쌍"),
            h.num_label_pairs.to_string(),
        ),
        (
            lang.t("Chunk bytes", "청크 바이트"),
            h.chunk_bytes.to_string(),
        ),
        (
            lang.t("Bytes per sample", "샘플당 바이트"),
            format!("{:.3}", h.bytes_per_sample),
        ),
        (
            lang.t("Current min time", "현재 최소 시각"),
            time(h.min_time),
        ),
        (
            lang.t("Current max time", "현재 최대 시각"),
            time(h.max_time),
        ),
    ];
    let count = lang.t("Count", "개수");
    html! {
        <>
            <section class="card">
                <h2>{ lang.t("Head block", "헤드 블록") }</h2>
                <div class="stat-grid" id="head-stats">
                    { for cells.iter().map(|(k, v)| html! {
                        <div class="stat"><div class="muted">{ *k }</div><div class="stat-value">{ v }</div></div>
                    }) }
                </div>
                <p class="muted hint">
                    { lang.t("Samples are compressed in chunks as Prometheus compresses them (Gorilla XOR), so bytes per sample compare with a real server's; Prometheus's own page does not show samples or bytes.",
                             "샘플은 Prometheus와 같은 방식(Gorilla XOR)으로 청크에 압축되므로 샘플당 바이트를 실제 서버와 비교할 수 있습니다. Prometheus 자체 페이지에는 샘플 수와 바이트가 나오지 않습니다.") }
                </p>
            </section>
            <div class="tsdb-tables">
                { table(lang, lang.t("Top 10 series count by metric names", "메트릭 이름별 시리즈 수 상위 10"), count,
                        &st.series_count_by_metric_name, Names::Metric) }
                { table(lang, lang.t("Top 10 label names with value count", "값 개수가 많은 레이블 이름 상위 10"), count,
                        &st.label_value_count_by_label_name, Names::LabelName) }
                { table(lang, lang.t("Top 10 label names with high memory usage", "메모리를 많이 쓰는 레이블 이름 상위 10"),
                        lang.t("Bytes", "바이트"), &st.memory_in_bytes_by_label_name, Names::LabelName) }
                { table(lang, lang.t("Top 10 series count by label value pairs", "레이블 값 쌍별 시리즈 수 상위 10"), count,
                        &st.series_count_by_label_value_pair, Names::LabelPair) }
            </div>
        </>
    }
}
