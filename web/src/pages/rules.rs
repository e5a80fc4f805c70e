//! Rules: the rule files the lab runs, loaded and edited as YAML, and each
//! group with its interval and last evaluation, each rule with its query,
//! health, last error and last evaluation, as Prometheus 3's `/rules`
//! page shows them.

use crate::app::LabContext;
use crate::components::widgets::{
    annotations, api_time_ago, map_chips, query_link, seconds, EditedFile, YamlEditor,
};
use crate::hooks::use_api_refreshed;
use crate::i18n::Lang;
use promlab_core::api::{
    ApiData, ApiRequest, ApiResponse, LabRequest, RuleData, RuleFileText, RuleGroup,
};
use promlab_core::clock::Timestamp;
use promlab_core::rules::alerting::RuleHealth;
use yew::prelude::*;

/// The localStorage key of the user's rule file.
pub const RULES_KEY: &str = "rules.yml";

/// The rule file's name in the lab.
pub const RULES_FILE: &str = "rules.yml";

/// The training material's alert, as a rule file.
pub const EXAMPLE_RULES: &str = "\
groups:
  - name: Count greater than 5
    rules:
      - alert: CountGreaterThan5
        expr: ping_request_count > 5
        for: 10s
        labels:
          severity: warning
        annotations:
          summary: \"{{ $labels.instance }} served {{ $value }} pings\"
      - record: job:ping_request_count:sum
        expr: sum by (job) (ping_request_count)
";

/// The request that loads the user's rule file (none when it is empty).
pub fn load_rules_request(yaml: String) -> LabRequest {
    let files = if yaml.trim().is_empty() {
        Vec::new()
    } else {
        vec![RuleFileText {
            name: RULES_FILE.to_string(),
            yaml,
        }]
    };
    LabRequest::LoadRules { files }
}

/// A rule's health as a badge.
pub fn health_badge(lang: Lang, health: RuleHealth) -> Html {
    let (class, text) = match health {
        RuleHealth::Good => ("ok", lang.t("ok", "정상")),
        RuleHealth::Bad => ("err", lang.t("error", "오류")),
        RuleHealth::Unknown => ("unknown", lang.t("unknown", "알 수 없음")),
    };
    html! { <span class={classes!("rule-health", class)}>{ text }</span> }
}

fn rule_row(lang: Lang, rule: &RuleData, now: Option<Timestamp>) -> Html {
    let (kind, name, query, health, error, last, extra) = match rule {
        RuleData::Alerting(a) => (
            html! { <span class="rule-kind alert">{ lang.t("alert", "알림") }</span> },
            &a.name,
            &a.query,
            a.health,
            &a.last_error,
            &a.last_evaluation,
            html! {
                <div class="rule-details">
                    if a.duration > 0.0 {
                        <span class="rule-opt">{ "for: " }<code>{ seconds(a.duration) }</code></span>
                    }
                    if a.keep_firing_for > 0.0 {
                        <span class="rule-opt">{ "keep_firing_for: " }<code>{ seconds(a.keep_firing_for) }</code></span>
                    }
                    { map_chips(&a.labels) }
                    { annotations(&a.annotations) }
                </div>
            },
        ),
        RuleData::Recording(r) => (
            html! { <span class="rule-kind record">{ lang.t("record", "기록") }</span> },
            &r.name,
            &r.query,
            r.health,
            &r.last_error,
            &r.last_evaluation,
            html! { <div class="rule-details">{ map_chips(&r.labels) }</div> },
        ),
    };
    html! {
        <tr class="rule">
            <td class="rule-main">
                <div class="rule-head">{ kind }<span class="rule-name">{ name }</span></div>
                <div class="rule-query">{ query_link(lang, query) }</div>
                { extra }
            </td>
            <td>{ health_badge(lang, health) }</td>
            <td class="nowrap">{ api_time_ago(lang, last, now) }</td>
            <td class="target-error">{ error.clone().unwrap_or_default() }</td>
        </tr>
    }
}

fn group_card(lang: Lang, g: &RuleGroup, now: Option<Timestamp>) -> Html {
    let bad = g
        .rules
        .iter()
        .filter(|r| {
            matches!(r, RuleData::Alerting(a) if a.health == RuleHealth::Bad)
                || matches!(r, RuleData::Recording(rr) if rr.health == RuleHealth::Bad)
        })
        .count();
    html! {
        <section class="card rule-group">
            <div class="group-head">
                <h2>{ &g.name }</h2>
                <span class="muted group-file">{ &g.file }</span>
                <span class="group-meta">
                    <span title={lang.t("How often the group is evaluated", "그룹을 평가하는 주기")}>
                        { lang.t("every ", "주기 ") }<code>{ seconds(g.interval) }</code>
                    </span>
                    <span>{ lang.t("last run ", "마지막 평가 ") }{ api_time_ago(lang, &g.last_evaluation, now) }</span>
                    <span title={lang.t("The lab runs on virtual time and does not measure how long an evaluation takes in real time",
                                        "랩은 가상 시간으로 동작하므로 평가에 걸린 실제 시간은 재지 않습니다")}>
                        { lang.t("took ", "소요 ") }{ format!("{}ms", g.evaluation_time * 1000.0) }
                    </span>
                    if bad > 0 {
                        <span class="rule-health err">{ format!("{bad} {}", lang.t("with errors", "개 오류")) }</span>
                    }
                </span>
            </div>
            <table class="rules">
                <thead><tr>
                    <th>{ lang.t("Rule", "규칙") }</th>
                    <th>{ lang.t("Health", "상태") }</th>
                    <th>{ lang.t("Last evaluation", "마지막 평가") }</th>
                    <th>{ lang.t("Error", "오류") }</th>
                </tr></thead>
                <tbody>{ for g.rules.iter().map(|r| rule_row(lang, r, now)) }</tbody>
            </table>
        </section>
    }
}

#[function_component(RulesPage)]
pub fn rules_page() -> Html {
    let ctx = use_context::<LabContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let now = ctx.as_ref().and_then(|c| c.status.as_ref().map(|s| s.now));
    let files = ctx
        .as_ref()
        .and_then(|c| c.status.as_ref().map(|s| s.rule_files.clone()))
        .unwrap_or_default();
    let loaded = use_state(|| 0u64);
    let on_loaded = {
        let loaded = loaded.clone();
        Callback::from(move |()| loaded.set(*loaded + 1))
    };
    let answer = use_api_refreshed(ApiRequest::Rules, *loaded);
    let groups = match answer {
        Some(ApiResponse::Success {
            data: ApiData::Rules(r),
            ..
        }) => Ok(r.groups),
        Some(ApiResponse::Error(e)) => Err(e.error),
        _ => Ok(Vec::new()),
    };
    html! {
        <>
            <section class="card">
                <h2>{ lang.t("Rule files", "규칙 파일") }</h2>
                <YamlEditor id="rules" storage_key={RULES_KEY} example={EXAMPLE_RULES} file={EditedFile::Rules} {on_loaded}>
                    <p class="muted">
                        { lang.t("Recording and alerting rules in Prometheus's rule file format, as ",
                                 "Prometheus 규칙 파일 형식의 recording·alerting 규칙입니다. ") }
                        <code>{"rule_files"}</code>
                        { lang.t(" would load them. Loading replaces the rules the lab runs, as a reload of Prometheus does.",
                                 "로 불러오는 것과 같고, 불러오면 Prometheus를 reload할 때처럼 랩이 돌리는 규칙을 바꿉니다.") }
                    </p>
                    <p class="muted loaded-files" id="rules-loaded">
                        if files.is_empty() {
                            { lang.t("No rule file is loaded.", "불러온 규칙 파일이 없습니다.") }
                        } else {
                            { lang.t("Loaded: ", "불러온 파일: ") }
                            { for files.iter().map(|f| html! {
                                <span class="loaded-file"><code>{ &f.name }</code>
                                    { match lang {
                                        Lang::En => format!(" ({} groups, {} rules) ", f.groups, f.rules),
                                        Lang::Ko => format!(" (그룹 {}개, 규칙 {}개) ", f.groups, f.rules),
                                    } }
                                </span>
                            }) }
                        }
                    </p>
                </YamlEditor>
            </section>
            { match groups {
                Err(e) => html! { <section class="card"><div class="target-error">{ e }</div></section> },
                Ok(groups) if groups.is_empty() => html! {
                    <section class="card"><p class="muted empty" id="no-rules">
                        { lang.t("No rules yet: load a rule file above (\"Example\" fills in the training course's alert).",
                                 "아직 규칙이 없습니다. 위에서 규칙 파일을 불러오세요 (\"예제\"는 교육 과정의 알림을 채웁니다).") }
                    </p></section>
                },
                Ok(groups) => html! { <>{ for groups.iter().map(|g| group_card(lang, g, now)) }</> },
            } }
        </>
    }
}
