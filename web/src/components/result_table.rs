//! The result of an instant query as a table: one row per series with its
//! labels and value, as the Prometheus UI's Table view shows it, sorted by
//! a click on a column's header (the order is the core's
//! [`sorted_rows`]). At most [`TABLE_ROW_LIMIT`] rows are drawn; a note
//! says how many more there are. Scalars and strings show as one row.

use crate::app::LabContext;
use promlab_core::api::{format_rfc3339, QueryResult};
use promlab_core::chart::table::{sorted_rows, Sort, SortColumn, TABLE_ROW_LIMIT};
use promlab_core::exposition::format_float;
use promlab_core::labels::{Labels, METRIC_NAME};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ResultTableProps {
    pub result: QueryResult,
    /// The evaluation time, in milliseconds since the epoch.
    pub time: i64,
}

/// `name{a="1", b="2"}` with the name and label parts styled.
pub fn series_labels(labels: &Labels) -> Html {
    let name = labels.metric_name().to_string();
    let rest: Vec<_> = labels
        .iter()
        .filter(|l| l.name != METRIC_NAME)
        .cloned()
        .collect();
    let n = rest.len();
    html! {
        <span class="series">
            <span class="metric-name">{ name }</span>
            if n > 0 || labels.metric_name().is_empty() {
                {"{"}
                { for rest.into_iter().enumerate().map(|(i, l)| html! {
                    <>
                        <span class="label-name">{ l.name }</span>{"=\""}
                        <span class="label-value">{ l.value }</span>{"\""}
                        { if i + 1 < n { ", " } else { "" } }
                    </>
                }) }
                {"}"}
            }
        </span>
    }
}

#[function_component(ResultTable)]
pub fn result_table(props: &ResultTableProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let sort = use_state(Sort::default);

    // Each row's labels and the value it sorts by (a range vector's last
    // sample), then the order.
    let keyed: Vec<(&Labels, f64)> = match &props.result {
        QueryResult::Vector(v) => v.iter().map(|s| (&s.metric, s.value.v)).collect(),
        QueryResult::Matrix(m) => m
            .iter()
            .map(|s| (&s.metric, s.values.last().map_or(f64::NAN, |p| p.v)))
            .collect(),
        QueryResult::Scalar(_) | QueryResult::String(_) => Vec::new(),
    };
    let order = sorted_rows(&keyed, *sort);
    let total = order.len();

    let header = |column: SortColumn, en: &'static str, ko: &'static str, class: &'static str| {
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_: MouseEvent| sort.set(sort.clicked(column)))
        };
        let active = sort.column == column;
        let arrow = match (active, sort.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        };
        let aria = match (active, sort.descending) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        };
        html! {
            <th class={classes!("sortable", class, active.then_some("sorted"))} aria-sort={aria}>
                <button type="button" class="sort" {onclick}
                    title={lang.t("Click to sort; click again to reverse", "클릭하면 정렬, 다시 클릭하면 반대로")}>
                    { lang.t(en, ko) }{ arrow }
                </button>
            </th>
        }
    };

    let body = match &props.result {
        QueryResult::Scalar(p) => html! {
            <table class="result-table">
                <thead><tr><th>{ lang.t("Type", "유형") }</th><th class="value">{ lang.t("Value", "값") }</th></tr></thead>
                <tbody><tr><td><span class="muted">{ lang.t("scalar", "스칼라") }</span></td>
                    <td class="value">{ format_float(p.v) }</td></tr></tbody>
            </table>
        },
        QueryResult::String(s) => html! {
            <table class="result-table">
                <thead><tr><th>{ lang.t("Type", "유형") }</th><th class="value">{ lang.t("Value", "값") }</th></tr></thead>
                <tbody><tr><td><span class="muted">{ lang.t("string", "문자열") }</span></td>
                    <td class="value">{ &s.v }</td></tr></tbody>
            </table>
        },
        _ if total == 0 => html! {
            <div class="empty muted">{ lang.t(
                "No data: the query matched no series at this time.",
                "데이터 없음: 이 시각에 쿼리와 맞는 시리즈가 없습니다.",
            ) }</div>
        },
        QueryResult::Vector(v) => html! {
            <table class="result-table">
                <thead><tr>
                    { header(SortColumn::Series, "Series", "시리즈", "series-col") }
                    { header(SortColumn::Value, "Value", "값", "value") }
                </tr></thead>
                <tbody>
                    { for order.iter().take(TABLE_ROW_LIMIT).filter_map(|&i| v.get(i)).map(|s| html! {
                        <tr><td>{ series_labels(&s.metric) }</td><td class="value">{ format_float(s.value.v) }</td></tr>
                    }) }
                </tbody>
            </table>
        },
        QueryResult::Matrix(m) => html! {
            <table class="result-table">
                <thead><tr>
                    { header(SortColumn::Series, "Series", "시리즈", "series-col") }
                    { header(SortColumn::Value, "Samples (value @ time)", "샘플 (값 @ 시각)", "value") }
                </tr></thead>
                <tbody>
                    { for order.iter().take(TABLE_ROW_LIMIT).filter_map(|&i| m.get(i)).map(|s| html! {
                        <tr><td>{ series_labels(&s.metric) }</td><td class="value samples">
                            { for s.values.iter().map(|p| html! {
                                <div>{ format_float(p.v) }<span class="muted">{ format!(" @{}", format_float(p.t as f64 / 1000.0)) }</span></div>
                            }) }
                        </td></tr>
                    }) }
                </tbody>
            </table>
        },
    };
    let hidden = total.saturating_sub(TABLE_ROW_LIMIT);
    let count = match &props.result {
        QueryResult::Scalar(_) | QueryResult::String(_) => 1,
        _ => total,
    };
    html! {
        <div class="result-table-wrap">
            <div class="result-meta muted">
                <span id="series-count">{ match lang {
                    crate::i18n::Lang::En => format!("{count} series"),
                    crate::i18n::Lang::Ko => format!("시리즈 {count}개"),
                } }</span>
                {" · "}{ lang.t("evaluated at ", "평가 시각 ") }<span class="eval-time">{ format_rfc3339(props.time) }</span>
            </div>
            if hidden > 0 {
                <div class="result-capped" role="status">{ match lang {
                    crate::i18n::Lang::En => format!(
                        "Showing the first {TABLE_ROW_LIMIT} of {total} series in this order; {hidden} are hidden. Narrow the query (topk, a label matcher) to see them."),
                    crate::i18n::Lang::Ko => format!(
                        "이 순서로 시리즈 {total}개 중 처음 {TABLE_ROW_LIMIT}개만 보여 줍니다. {hidden}개는 숨겨졌습니다. 쿼리를 좁혀 보세요 (topk, 레이블 매처)."),
                } }</div>
            }
            { body }
        </div>
    }
}
