//! Alerts: every alerting rule with its state (inactive, pending,
//! firing), its active alerts with their labels, annotations, active-since
//! time and value, filtered by state, as Prometheus's `/alerts` page shows
//! them.

use crate::app::LabContext;
use crate::components::widgets::{
    annotations, api_time, api_time_ago, query_href, query_link, seconds,
};
use crate::hooks::use_api;
use crate::i18n::Lang;
use crate::pages::targets::label_chips;
use crate::storage;
use promlab_core::api::{AlertingRuleData, ApiData, ApiRequest, ApiResponse, RuleData};
use promlab_core::clock::Timestamp;
use promlab_core::rules::AlertState;
use serde::{Deserialize, Serialize};
use yew::prelude::*;

/// The states, in the order the filter shows them.
const STATES: [AlertState; 3] = [
    AlertState::Inactive,
    AlertState::Pending,
    AlertState::Firing,
];

/// The localStorage key of the filter.
const FILTER_KEY: &str = "alerts.filter";

/// Which states are shown, and whether annotations are.
#[derive(Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Filter {
    inactive: bool,
    pending: bool,
    firing: bool,
    annotations: bool,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            inactive: true,
            pending: true,
            firing: true,
            annotations: true,
        }
    }
}

impl Filter {
    fn shows(&self, state: AlertState) -> bool {
        match state {
            AlertState::Inactive => self.inactive,
            AlertState::Pending => self.pending,
            AlertState::Firing => self.firing,
        }
    }

    fn toggled(mut self, state: AlertState) -> Self {
        match state {
            AlertState::Inactive => self.inactive = !self.inactive,
            AlertState::Pending => self.pending = !self.pending,
            AlertState::Firing => self.firing = !self.firing,
        }
        self
    }
}

/// A state's name as Prometheus writes it (the Korean docs keep these
/// words), and its CSS class.
pub fn state_name(state: AlertState) -> &'static str {
    state.as_str()
}

/// A state as a coloured badge.
pub fn state_badge(state: AlertState) -> Html {
    html! { <span class={classes!("alert-state", state.as_str())}>{ state.as_str() }</span> }
}

/// The selector of an alert's `ALERTS` series: its labels.
fn alerts_series(labels: &promlab_core::labels::Labels) -> String {
    let matchers: Vec<String> = labels
        .iter()
        .map(|l| format!("{}={}", l.name, serde_json::Value::String(l.value.clone())))
        .collect();
    format!("ALERTS{{{}}}", matchers.join(", "))
}

#[derive(Properties, PartialEq)]
struct RuleProps {
    rule: AlertingRuleData,
    group: String,
    now: Option<Timestamp>,
    show_annotations: bool,
}

/// One alerting rule: a header that opens its definition and its alerts.
#[function_component(AlertRule)]
fn alert_rule(props: &RuleProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let r = &props.rule;
    // Rules with alerts start open, as Prometheus's page shows them.
    let open = use_state(|| !r.alerts.is_empty());
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let count = r.alerts.len();
    let counts = match lang {
        Lang::En => format!("{count} active"),
        Lang::Ko => format!("활성 {count}개"),
    };
    html! {
        <div class={classes!("alert-rule", r.state.as_str())} data-rule={r.name.clone()}>
            <button class="alert-rule-head" type="button" onclick={toggle} aria-expanded={(*open).to_string()}>
                <span class="caret">{ if *open { "▾" } else { "▸" } }</span>
                <span class="rule-name">{ &r.name }</span>
                { state_badge(r.state) }
                <span class="muted">{ counts }</span>
                <span class="muted group-name">{ &props.group }</span>
            </button>
            if *open {
                <div class="alert-rule-body">
                    <div class="rule-def">
                        <div><span class="muted">{"expr: "}</span>{ query_link(lang, &r.query) }</div>
                        if r.duration > 0.0 {
                            <div><span class="muted">{"for: "}</span><code>{ seconds(r.duration) }</code></div>
                        }
                        if r.keep_firing_for > 0.0 {
                            <div><span class="muted">{"keep_firing_for: "}</span><code>{ seconds(r.keep_firing_for) }</code></div>
                        }
                        if !r.labels.is_empty() {
                            <div><span class="muted">{"labels: "}</span>{ crate::components::widgets::map_chips(&r.labels) }</div>
                        }
                        if props.show_annotations {
                            { annotations(&r.annotations) }
                        }
                        if let Some(e) = &r.last_error {
                            <div class="target-error">{ e }</div>
                        }
                    </div>
                    if r.alerts.is_empty() {
                        <p class="muted empty">{ lang.t("No active alerts: the query returns nothing now.",
                                                        "활성 알림이 없습니다. 지금은 쿼리 결과가 비어 있습니다.") }</p>
                    } else {
                        <table class="alerts-table">
                            <thead><tr>
                                <th>{ lang.t("Labels", "레이블") }</th>
                                <th>{ lang.t("State", "상태") }</th>
                                <th>{ lang.t("Active since", "활성 시작") }</th>
                                <th class="value">{ lang.t("Value", "값") }</th>
                            </tr></thead>
                            <tbody>
                                { for r.alerts.iter().map(|a| html! {
                                    <>
                                    <tr class={classes!("alert-row", a.state.as_str())}>
                                        <td>{ label_chips(&a.labels) }
                                            <a class="link" href={query_href(&alerts_series(&a.labels))}
                                                title={lang.t("The alert's ALERTS series in the playground", "이 알림의 ALERTS 시리즈를 플레이그라운드에서 보기")}>
                                                { lang.t("graph ALERTS", "ALERTS 그래프") }
                                            </a></td>
                                        <td>{ state_badge(a.state) }</td>
                                        <td class="nowrap" title={api_time(&a.active_at)}>
                                            { api_time(&a.active_at) }
                                            <div class="muted">{ api_time_ago(lang, &a.active_at, props.now) }</div>
                                        </td>
                                        <td class="value"><code>{ &a.value }</code></td>
                                    </tr>
                                    if props.show_annotations && !a.annotations.is_empty() {
                                        <tr class="alert-annotations"><td colspan="4">{ annotations(&a.annotations) }</td></tr>
                                    }
                                    </>
                                }) }
                            </tbody>
                        </table>
                    }
                </div>
            }
        </div>
    }
}

#[function_component(AlertsPage)]
pub fn alerts_page() -> Html {
    let ctx = use_context::<LabContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let now = ctx.as_ref().and_then(|c| c.status.as_ref().map(|s| s.now));
    let filter = use_state(|| {
        storage::load::<Filter>(FILTER_KEY)
            .ok()
            .flatten()
            .unwrap_or_default()
    });
    let set_filter = {
        let filter = filter.clone();
        Callback::from(move |f: Filter| {
            // Not keeping the choice is no reason to refuse it.
            let _ = storage::save(FILTER_KEY, &f);
            filter.set(f);
        })
    };
    let answer = use_api(ApiRequest::Rules);
    let groups = match answer {
        None => {
            return html! { <section class="card"><p class="muted">{ lang.t("Waiting for the lab…", "랩을 기다리는 중…") }</p></section> }
        }
        Some(ApiResponse::Error(e)) => {
            return html! { <section class="card"><div class="target-error">{ e.error }</div></section> }
        }
        Some(ApiResponse::Success {
            data: ApiData::Rules(r),
            ..
        }) => r.groups,
        Some(_) => Vec::new(),
    };
    // Alerting rules with their group, in file and group order.
    let rules: Vec<(String, AlertingRuleData)> = groups
        .into_iter()
        .flat_map(|g| {
            let name = g.name;
            g.rules.into_iter().filter_map(move |r| match r {
                RuleData::Alerting(a) => Some((name.clone(), a)),
                RuleData::Recording(_) => None,
            })
        })
        .collect();
    let count = |s: AlertState| rules.iter().filter(|(_, r)| r.state == s).count();
    let f = *filter;
    html! {
        <>
            <section class="card alerts-filter">
                <div class="filter-row">
                    <h2>{ lang.t("Alerts", "알림") }</h2>
                    <div class="state-filter" role="group" aria-label={lang.t("Show alerts by state", "상태별로 보기")}>
                        { for STATES.iter().map(|&s| {
                            let set = set_filter.clone();
                            html! {
                                <label class={classes!("state-toggle", s.as_str(), f.shows(s).then_some("on"))}>
                                    <input type="checkbox" id={format!("show-{}", s.as_str())} checked={f.shows(s)}
                                        onchange={Callback::from(move |_| set.emit(f.toggled(s)))} />
                                    { state_name(s) }
                                    <span class="state-count" id={format!("count-{}", s.as_str())}>{ count(s) }</span>
                                </label>
                            }
                        }) }
                    </div>
                    <label class="annotations-toggle">
                        <input type="checkbox" checked={f.annotations}
                            onchange={{
                                let set = set_filter.clone();
                                Callback::from(move |_| set.emit(Filter { annotations: !f.annotations, ..f }))
                            }} />
                        { lang.t("Show annotations", "annotation 보기") }
                    </label>
                </div>
                <p class="muted">
                    { lang.t("An alert is pending while its condition holds for less than ",
                             "조건이 ") }<code>{"for"}</code>
                    { lang.t(", then firing; firing alerts are sent to the Alertmanager.",
                             " 기간보다 짧게 유지되는 동안 알림은 pending이고, 그 뒤 firing이 됩니다. firing 알림은 Alertmanager로 보내집니다.") }
                </p>
            </section>
            if rules.is_empty() {
                <section class="card"><p class="muted empty" id="no-alert-rules">
                    { lang.t("No alerting rules: load a rule file on the Rules page.",
                             "알림 규칙이 없습니다. 규칙 페이지에서 규칙 파일을 불러오세요.") }
                    {" "}<a href="#/rules">{ lang.t("Rules", "규칙") }</a>
                </p></section>
            } else {
                <section class="card alert-rules">
                    { for rules.into_iter().enumerate().filter(|(_, (_, r))| f.shows(r.state)).map(|(i, (group, rule))| {
                        // Names may repeat: the position keeps each rule's open state its own.
                        let key = format!("{i}/{group}/{}", rule.name);
                        html! { <AlertRule {key} {group} {rule} {now} show_annotations={f.annotations} /> }
                    }) }
                </section>
            }
        </>
    }
}
