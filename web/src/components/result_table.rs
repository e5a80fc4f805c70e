//! The result of an instant query as a table: one row per series with its
//! labels and value, as the Prometheus UI's Table view shows it.

use promlab_core::api::{format_rfc3339, QueryResult};
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
            if n > 0 {
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
    let rows: Vec<(Html, String)> = match &props.result {
        QueryResult::Vector(v) => v
            .iter()
            .map(|s| (series_labels(&s.metric), format_float(s.value.v)))
            .collect(),
        QueryResult::Matrix(m) => m
            .iter()
            .map(|s| {
                let values: Vec<String> = s.values.iter().map(|p| format_float(p.v)).collect();
                (series_labels(&s.metric), values.join(", "))
            })
            .collect(),
        QueryResult::Scalar(p) => vec![(
            html! { <span class="muted">{"scalar"}</span> },
            format_float(p.v),
        )],
        QueryResult::String(s) => {
            vec![(html! { <span class="muted">{"string"}</span> }, s.v.clone())]
        }
    };
    let count = rows.len();
    html! {
        <div class="result-table-wrap">
            <div class="result-meta muted">
                <span id="series-count">{ format!("{count} series") }</span>
                {" · evaluated at "}{ format_rfc3339(props.time) }
            </div>
            if count == 0 {
                <div class="empty muted">{"No data: the query matched no series at this time."}</div>
            } else {
                <table class="result-table">
                    <thead><tr><th>{"Series"}</th><th class="value">{"Value"}</th></tr></thead>
                    <tbody>
                        { for rows.into_iter().map(|(labels, value)| html! {
                            <tr><td>{ labels }</td><td class="value">{ value }</td></tr>
                        }) }
                    </tbody>
                </table>
            }
        </div>
    }
}
