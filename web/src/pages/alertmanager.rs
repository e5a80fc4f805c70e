//! Alertmanager: the lab's Alertmanager as its own UI and `amtool` show
//! it — alert groups by receiver and group labels, silences (listed,
//! created from matchers, expired), the notification log with each
//! webhook's JSON, the route tree drawn as nested boxes with a "which
//! receiver gets these labels" tester, and the `alertmanager.yml` it
//! runs, loaded from a text area and kept in the browser.

use crate::app::LabContext;
use crate::components::clock::display_time;
use crate::components::webhooks::{DeliveryResult, Webhooks};
use crate::components::widgets::{
    annotations, api_time, api_time_ago, map_chips, spanned_error, EditedFile, YamlEditor,
};
use crate::hooks::use_lab;
use crate::i18n::Lang;
use crate::storage;
use promlab_core::alertmanager::api::{AlertGroupInfo, AlertState, GettableAlert};
use promlab_core::alertmanager::notify::{AlertStatus, Notification, NotifyReason};
use promlab_core::alertmanager::route::{RouteNode, RouteTest};
use promlab_core::alertmanager::silence::{
    GettableSilence, PostableSilence, SilenceMatcher, SilenceState,
};
use promlab_core::api::{format_rfc3339, LabRequest, LabResponse, Request, Response};
use promlab_core::diagnostic::Span;
use promlab_core::duration::{format_duration, parse_duration};
use std::collections::BTreeMap;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// The localStorage key of the user's `alertmanager.yml`.
pub const ALERTMANAGER_KEY: &str = "alertmanager.yml";

/// The localStorage key of the tab shown last.
const TAB_KEY: &str = "alertmanager.tab";

/// An `alertmanager.yml` in the spirit of the training course's
/// AlertmanagerConfig: grouped by job, a webhook receiver, a route for
/// critical alerts that lets them go on to the next route.
pub const EXAMPLE_ALERTMANAGER_YML: &str = "\
route:
  receiver: default
  group_by: [alertname, job]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: [severity=\"critical\"]
      receiver: pager
      continue: true
    - matchers: [job=\"prom-example\"]
      receiver: webhook
      group_wait: 10s
receivers:
  - name: default
  - name: pager
  - name: webhook
    webhook_configs:
      - url: http://localhost:5001/
        send_resolved: true
inhibit_rules:
  - source_matchers: [severity=\"critical\"]
    target_matchers: [severity=\"warning\"]
    equal: [alertname]
";

/// The page's tabs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, serde::Deserialize)]
enum Tab {
    Alerts,
    Silences,
    Notifications,
    Routes,
    Config,
}

const TABS: [Tab; 5] = [
    Tab::Alerts,
    Tab::Silences,
    Tab::Notifications,
    Tab::Routes,
    Tab::Config,
];

impl Tab {
    fn id(self) -> &'static str {
        match self {
            Tab::Alerts => "alerts",
            Tab::Silences => "silences",
            Tab::Notifications => "notifications",
            Tab::Routes => "routes",
            Tab::Config => "config",
        }
    }

    fn title(self, lang: Lang) -> &'static str {
        match self {
            Tab::Alerts => lang.t("Alerts", "알림"),
            Tab::Silences => lang.t("Silences", "사일런스"),
            Tab::Notifications => lang.t("Notification log", "알림 발송 기록"),
            Tab::Routes => lang.t("Routing tree", "라우팅 트리"),
            Tab::Config => lang.t("Configuration", "설정"),
        }
    }
}

/// Labels as matchers for a silence: `{a="b", c="d"}`.
fn labels_as_matchers(labels: &BTreeMap<String, String>) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", serde_json::Value::String(v.clone())))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// A silence matcher as Alertmanager prints it: `name=~"value"`.
fn matcher_text(m: &SilenceMatcher) -> String {
    let op = match (m.is_equal, m.is_regex) {
        (true, false) => "=",
        (false, false) => "!=",
        (true, true) => "=~",
        (false, true) => "!~",
    };
    format!(
        "{}{op}{}",
        m.name,
        serde_json::Value::String(m.value.clone())
    )
}

fn reason_text(lang: Lang, r: NotifyReason) -> String {
    let ko = match r {
        NotifyReason::FirstNotification => "첫 알림",
        NotifyReason::NewAlertsInGroup => "새 알림 추가",
        NotifyReason::NewResolvedAlerts => "일부 알림 해결",
        NotifyReason::AllAlertsResolved => "모든 알림 해결",
        NotifyReason::RepeatIntervalElapsed => "repeat_interval 경과",
    };
    lang.t(r.as_str(), ko).to_string()
}

#[function_component(AlertmanagerPage)]
pub fn alertmanager_page() -> Html {
    let ctx = use_context::<LabContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let tab = use_state(|| {
        storage::load::<Tab>(TAB_KEY)
            .ok()
            .flatten()
            .unwrap_or(Tab::Alerts)
    });
    // Matchers handed from an alert's "Silence" button to the form.
    let prefill = use_state(|| None::<String>);
    let refresh = use_state(|| 0u64);
    // After a change the listings are asked again, and an alert's
    // matchers handed to the form have served.
    let bump = {
        let (refresh, prefill) = (refresh.clone(), prefill.clone());
        Callback::from(move |_: ()| {
            refresh.set(*refresh + 1);
            prefill.set(None);
        })
    };
    let select = {
        let tab = tab.clone();
        Callback::from(move |t: Tab| {
            let _ = storage::save(TAB_KEY, &t);
            tab.set(t);
        })
    };
    let silence_alert = {
        let (prefill, select) = (prefill.clone(), select.clone());
        Callback::from(move |labels: BTreeMap<String, String>| {
            prefill.set(Some(labels_as_matchers(&labels)));
            select.emit(Tab::Silences);
        })
    };
    let alerts = ctx
        .as_ref()
        .and_then(|c| c.status.as_ref().map(|s| s.alertmanager_alerts))
        .unwrap_or(0);
    html! {
        <>
            <section class="card am-head">
                <h2>{"Alertmanager"}</h2>
                <p class="muted">
                    { lang.t("The lab's Alertmanager (0.33) on the virtual clock: the rules' firing alerts arrive here, are grouped, silenced or inhibited, and routed to receivers. ",
                             "가상 시계로 동작하는 랩의 Alertmanager(0.33)입니다. 규칙의 firing 알림이 여기로 와서 그룹으로 묶이고, 사일런스·inhibit 처리를 거쳐 receiver로 라우팅됩니다. ") }
                    { match lang {
                        Lang::En => format!("{alerts} {} held now.", if alerts == 1 { "alert" } else { "alerts" }),
                        Lang::Ko => format!("지금 보유한 알림: {alerts}개."),
                    } }
                </p>
                <nav class="tabs" role="tablist">
                    { for TABS.iter().map(|&t| {
                        let select = select.clone();
                        html! {
                            <button type="button" role="tab" id={format!("am-tab-{}", t.id())}
                                class={classes!("tab", (*tab == t).then_some("active"))}
                                aria-selected={(*tab == t).to_string()}
                                onclick={Callback::from(move |_| select.emit(t))}>
                                { t.title(lang) }
                            </button>
                        }
                    }) }
                </nav>
            </section>
            { match *tab {
                Tab::Alerts => html! { <AlertGroups refresh={*refresh} on_silence={silence_alert} /> },
                Tab::Silences => html! { <SilencesTab refresh={*refresh} on_change={bump} prefill={(*prefill).clone()} /> },
                Tab::Notifications => html! { <NotificationLog refresh={*refresh} /> },
                Tab::Routes => html! { <RoutesTab refresh={*refresh} /> },
                Tab::Config => html! { <ConfigTab refresh={*refresh} /> },
            } }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AlertGroupsProps {
    refresh: u64,
    on_silence: Callback<BTreeMap<String, String>>,
}

fn alert_state_badge(lang: Lang, a: &GettableAlert) -> Html {
    let (class, text) = match a.status.state {
        AlertState::Active => ("active", lang.t("active", "활성")),
        AlertState::Suppressed if !a.status.silenced_by.is_empty() => {
            ("suppressed", lang.t("silenced", "사일런스됨"))
        }
        AlertState::Suppressed => ("suppressed", lang.t("inhibited", "inhibit됨")),
        AlertState::Unprocessed => ("unprocessed", lang.t("unprocessed", "처리 전")),
    };
    html! { <span class={classes!("am-state", class)}>{ text }</span> }
}

#[function_component(AlertGroups)]
fn alert_groups(props: &AlertGroupsProps) -> Html {
    let ctx = use_context::<LabContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let now = ctx.as_ref().and_then(|c| c.status.as_ref().map(|s| s.now));
    let answer = use_lab(
        LabRequest::AlertmanagerGroups { filter: Vec::new() },
        props.refresh,
    );
    let groups: Vec<AlertGroupInfo> = match answer {
        Some(LabResponse::AlertmanagerGroups { groups }) => groups,
        Some(LabResponse::Error { message }) => {
            return html! { <section class="card"><div class="target-error">{ message }</div></section> }
        }
        _ => Vec::new(),
    };
    if groups.is_empty() {
        return html! {
            <section class="card"><p class="muted empty" id="no-am-alerts">
                { lang.t("No alerts. Alerts arrive when an alerting rule fires (see Alerts), and stay until they resolve.",
                         "알림이 없습니다. 알림 규칙이 firing되면 알림이 도착하고(알림 페이지 참고), 해결될 때까지 남아 있습니다.") }
            </p></section>
        };
    }
    html! {
        <>
            { for groups.iter().map(|g| html! {
                <section class="card am-group">
                    <div class="am-group-head">
                        <span class="muted">{"receiver: "}</span><span class="receiver">{ &g.receiver.name }</span>
                        { map_chips(&g.labels) }
                        <span class="muted">{ match lang {
                            Lang::En => format!("{} alert{}", g.alerts.len(), if g.alerts.len() == 1 { "" } else { "s" }),
                            Lang::Ko => format!("알림 {}개", g.alerts.len()),
                        } }</span>
                    </div>
                    <table class="am-alerts">
                        <thead><tr>
                            <th>{ lang.t("Labels", "레이블") }</th>
                            <th>{ lang.t("State", "상태") }</th>
                            <th>{ lang.t("Started", "시작") }</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            { for g.alerts.iter().map(|a| {
                                let on_silence = props.on_silence.clone();
                                let labels = a.labels.clone();
                                html! {
                                    <tr class="am-alert">
                                        <td>{ map_chips(&a.labels) }{ annotations(&a.annotations) }</td>
                                        <td>{ alert_state_badge(lang, a) }</td>
                                        <td class="nowrap">{ api_time(&a.starts_at) }
                                            <div class="muted">{ api_time_ago(lang, &a.starts_at, now) }</div></td>
                                        <td><button type="button" class="silence-alert"
                                            onclick={Callback::from(move |_| on_silence.emit(labels.clone()))}>
                                            { lang.t("Silence", "사일런스") }
                                        </button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                </section>
            }) }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct SilencesProps {
    refresh: u64,
    on_change: Callback<()>,
    prefill: Option<String>,
}

/// What went wrong with the silence form.
#[derive(Clone, PartialEq)]
enum FormError {
    /// The matchers do not parse: the text, the span and the message.
    Matchers(String, Span, String),
    Duration(String),
    /// The Alertmanager refused the silence.
    Refused(String),
}

fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

#[function_component(SilencesTab)]
fn silences_tab(props: &SilencesProps) -> Html {
    let ctx = use_context::<LabContext>();
    let matchers = use_state(|| props.prefill.clone().unwrap_or_default());
    let duration = use_state(|| "2h".to_string());
    let author = use_state(|| {
        storage::load::<String>("silence.author")
            .ok()
            .flatten()
            .unwrap_or_else(|| "promlab".to_string())
    });
    let comment = use_state(String::new);
    let error = use_state(|| None::<FormError>);
    let created = use_state(|| None::<String>);
    let answer = use_lab(LabRequest::Silences, props.refresh);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let now = ctx.status.as_ref().map(|s| s.now);

    let submit = {
        let ctx = ctx.clone();
        let (matchers, duration, author, comment) = (
            matchers.clone(),
            duration.clone(),
            author.clone(),
            comment.clone(),
        );
        let (error, created, on_change) = (error.clone(), created.clone(), props.on_change.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = (*matchers).clone();
            let length = match parse_duration(duration.trim()) {
                Ok(ms) if ms > 0 => ms,
                Ok(_) => {
                    error.set(Some(FormError::Duration(
                        "the duration must be longer than 0s".into(),
                    )));
                    return;
                }
                Err(e) => {
                    error.set(Some(FormError::Duration(e)));
                    return;
                }
            };
            let Some(now) = ctx.status.as_ref().map(|s| s.now) else {
                return;
            };
            let _ = storage::save("silence.author", &*author);
            let (created_by, comment_text) = ((*author).clone(), (*comment).clone());
            let (client, error, created, on_change) = (
                ctx.client.clone(),
                error.clone(),
                created.clone(),
                on_change.clone(),
            );
            let (matchers_field, comment_field) = (matchers.clone(), comment.clone());
            ctx.client.send(
                Request::Lab(LabRequest::ParseMatchers {
                    input: input.clone(),
                }),
                move |resp| match resp {
                    Response::Lab(LabResponse::InputError { message, span }) => {
                        error.set(Some(FormError::Matchers(input, span, message)))
                    }
                    Response::Lab(LabResponse::Matchers { matchers, .. }) => {
                        let silence = PostableSilence {
                            id: None,
                            matchers,
                            starts_at: format_rfc3339(now),
                            ends_at: format_rfc3339(now.saturating_add(length)),
                            created_by,
                            comment: comment_text,
                        };
                        client.send(
                            Request::Lab(LabRequest::CreateSilence { silence }),
                            move |resp| match resp {
                                Response::Lab(LabResponse::SilenceCreated { id }) => {
                                    error.set(None);
                                    created.set(Some(id));
                                    matchers_field.set(String::new());
                                    comment_field.set(String::new());
                                    on_change.emit(());
                                }
                                Response::Lab(LabResponse::Error { message }) => {
                                    error.set(Some(FormError::Refused(message)))
                                }
                                _ => {}
                            },
                        );
                    }
                    Response::Lab(LabResponse::Error { message }) => {
                        error.set(Some(FormError::Refused(message)))
                    }
                    _ => {}
                },
            );
        })
    };
    let expire = {
        let ctx = ctx.clone();
        let (error, on_change) = (error.clone(), props.on_change.clone());
        Callback::from(move |id: String| {
            let (error, on_change) = (error.clone(), on_change.clone());
            ctx.client.send(
                Request::Lab(LabRequest::ExpireSilence { id }),
                move |resp| match resp {
                    Response::Lab(LabResponse::Error { message }) => {
                        error.set(Some(FormError::Refused(message)))
                    }
                    _ => on_change.emit(()),
                },
            );
        })
    };
    let set = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(input_value(&e)))
    };

    let mut silences: Vec<GettableSilence> = match answer {
        Some(LabResponse::Silences { silences }) => silences,
        _ => Vec::new(),
    };
    // Active first, then pending, then expired; newest end first.
    silences.sort_by(|a, b| {
        b.status
            .state
            .cmp(&a.status.state)
            .then(b.ends_at.cmp(&a.ends_at))
    });

    html! {
        <>
            <section class="card">
                <h2>{ lang.t("New silence", "새 사일런스") }</h2>
                <form class="silence-form" onsubmit={submit}>
                    <label class="field wide">
                        <span>{ lang.t("Matchers", "매처") }</span>
                        <input id="silence-matchers" type="text" spellcheck="false"
                            placeholder={r#"{alertname="CountGreaterThan5", instance=~".+"}"#}
                            value={(*matchers).clone()} oninput={set(&matchers)} />
                    </label>
                    <label class="field">
                        <span>{ lang.t("Duration", "기간") }</span>
                        <input id="silence-duration" type="text" value={(*duration).clone()} oninput={set(&duration)} />
                    </label>
                    <label class="field">
                        <span>{ lang.t("Created by", "작성자") }</span>
                        <input id="silence-author" type="text" value={(*author).clone()} oninput={set(&author)} />
                    </label>
                    <label class="field wide">
                        <span>{ lang.t("Comment", "설명") }</span>
                        <input id="silence-comment" type="text" value={(*comment).clone()} oninput={set(&comment)}
                            placeholder={lang.t("Why, and who to ask", "이유와 문의할 사람")} />
                    </label>
                    <button id="create-silence" class="primary" type="submit">{ lang.t("Create", "만들기") }</button>
                </form>
                <p class="muted hint">
                    { lang.t("Matchers in Alertmanager's syntax, as amtool takes them: ",
                             "amtool과 같은 Alertmanager 문법의 매처: ") }
                    <code>{r#"alertname="X""#}</code>{", "}<code>{r#"job=~"node.*""#}</code>{", "}<code>{r#"severity!="info""#}</code>
                    { lang.t(". The silence starts now (virtual time); a duration is like ", ". 사일런스는 지금(가상 시간) 시작하고, 기간은 ") }
                    <code>{"30m"}</code>{", "}<code>{"2h"}</code>{", "}<code>{"1d"}</code>
                    { lang.t(".", " 형식입니다.") }
                </p>
                { match &*error {
                    None => html! {
                        if let Some(id) = &*created {
                            <div class="load-ok" id="silence-created">{ lang.t("Created silence ", "사일런스를 만들었습니다: ") }<code>{ id }</code></div>
                        }
                    },
                    Some(FormError::Matchers(input, span, message)) => html! {
                        <div id="silence-error">{ spanned_error(input, *span, message) }</div>
                    },
                    Some(FormError::Duration(message)) => html! {
                        <div class="form-error" id="silence-error" role="alert">
                            { lang.t("Duration: ", "기간: ") }{ message }
                        </div>
                    },
                    Some(FormError::Refused(message)) => html! {
                        <div class="form-error" id="silence-error" role="alert">{ message }</div>
                    },
                } }
            </section>
            <section class="card">
                <h2>{ lang.t("Silences", "사일런스") }</h2>
                if silences.is_empty() {
                    <p class="muted empty" id="no-silences">{ lang.t("No silences.", "사일런스가 없습니다.") }</p>
                } else {
                    <table class="silences">
                        <thead><tr>
                            <th>{ lang.t("State", "상태") }</th>
                            <th>{ lang.t("Matchers", "매처") }</th>
                            <th>{ lang.t("Starts / ends", "시작 / 종료") }</th>
                            <th>{ lang.t("Created by / comment", "작성자 / 설명") }</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            { for silences.iter().map(|s| {
                                let state = s.status.state;
                                let (class, text) = match state {
                                    SilenceState::Active => ("active", lang.t("active", "활성")),
                                    SilenceState::Pending => ("pending", lang.t("pending", "대기")),
                                    SilenceState::Expired => ("expired", lang.t("expired", "만료")),
                                };
                                let id = s.id.clone();
                                let expire = expire.clone();
                                html! {
                                    <tr class={classes!("silence", class)} data-id={s.id.clone()}>
                                        <td><span class={classes!("silence-state", class)}>{ text }</span>
                                            <div class="muted silence-id" title={s.id.clone()}>{ s.id.chars().take(8).collect::<String>() }</div></td>
                                        <td><span class="chips">{ for s.matchers.iter().map(|m| html! {
                                            <span class="chip">{ matcher_text(m) }</span>
                                        }) }</span></td>
                                        <td class="nowrap">
                                            { api_time(&s.starts_at) }<br />{ api_time(&s.ends_at) }
                                            <div class="muted">{ match state {
                                                SilenceState::Expired => format!("{} {}", lang.t("ended", "종료"), api_time_ago(lang, &s.ends_at, now)),
                                                _ => format!("{} {}", lang.t("ends", "종료"), api_time_ago(lang, &s.ends_at, now)),
                                            } }</div>
                                        </td>
                                        <td>{ &s.created_by }<div class="muted">{ &s.comment }</div></td>
                                        <td>
                                            if state != SilenceState::Expired {
                                                <button type="button" class="expire-silence"
                                                    onclick={Callback::from(move |_| expire.emit(id.clone()))}>
                                                    { lang.t("Expire", "만료시키기") }
                                                </button>
                                            }
                                        </td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table>
                }
            </section>
        </>
    }
}

#[derive(Properties, PartialEq)]
struct RefreshProps {
    refresh: u64,
}

/// What happened to a notification's POST, if the browser sent it.
fn delivery_cell(lang: Lang, n: &Notification, webhooks: Option<&Webhooks>) -> Html {
    if n.url.is_none() {
        return html! { <span class="muted">{ lang.t("logged only", "기록만 함") }</span> };
    }
    let Some(webhooks) = webhooks else {
        return Html::default();
    };
    let body = n.payload.to_json();
    let outcomes = webhooks.outcomes.borrow();
    let outcome = outcomes.iter().find(|o| {
        o.time == n.time
            && o.receiver == n.receiver
            && Some(&o.url) == n.url.as_ref()
            && o.body == body
    });
    match outcome.map(|o| &o.result) {
        None if webhooks.enabled => {
            html! { <span class="muted">{ lang.t("not sent from this page", "이 페이지에서 보내지 않음") }</span> }
        }
        None => {
            html! { <span class="muted">{ lang.t("not sent (delivery is off)", "보내지 않음 (전송 꺼짐)") }</span> }
        }
        Some(DeliveryResult::Answered { status, text }) => {
            let ok = (200..300).contains(status);
            html! {
                <span class={classes!("delivery", if ok { "ok" } else { "bad" })}>
                    { format!("HTTP {status} {text}").trim_end().to_string() }
                </span>
            }
        }
        Some(DeliveryResult::TimedOut) => html! {
            <span class="delivery bad">{ lang.t("no answer within 10s", "10초 안에 응답 없음") }</span>
        },
        Some(DeliveryResult::Failed) => html! {
            <details class="delivery-why"><summary class="delivery bad">{ lang.t("failed: why?", "실패: 왜?") }</summary>
            <span class="muted">{lang.t(
                "The browser does not tell a page why a request failed. Usually: nothing listens at the URL; or the receiver does not allow this page (CORS: it must answer the preflight OPTIONS request with Access-Control-Allow-Origin naming this page's origin and Access-Control-Allow-Headers: Content-Type); or an http:// URL from an https:// page (mixed content).",
                "브라우저는 요청이 왜 실패했는지 페이지에 알려 주지 않습니다. 보통은 URL에서 듣는 서버가 없거나, receiver가 이 페이지를 허용하지 않거나(CORS: preflight OPTIONS 요청에 이 페이지의 origin을 담은 Access-Control-Allow-Origin과 Access-Control-Allow-Headers: Content-Type으로 답해야 함), https:// 페이지에서 http:// URL로 보낸 경우(mixed content)입니다.")}</span></details>
        },
    }
}

#[function_component(NotificationLog)]
fn notification_log(props: &RefreshProps) -> Html {
    let ctx = use_context::<LabContext>();
    let webhooks = use_context::<Webhooks>();
    let open = use_state(|| None::<usize>);
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let now = ctx.as_ref().and_then(|c| c.status.as_ref().map(|s| s.now));
    let answer = use_lab(LabRequest::Notifications, props.refresh);
    let notifications: Vec<Notification> = match answer {
        Some(LabResponse::Notifications { notifications }) => notifications,
        _ => Vec::new(),
    };
    let toggle_delivery = webhooks.as_ref().map(|w| {
        let set = w.set_enabled.clone();
        let on = w.enabled;
        Callback::from(move |_| set.emit(!on))
    });
    html! {
        <>
            <section class="card">
                <h2>{ lang.t("Webhook delivery", "webhook 전송") }</h2>
                <label class="switch-row">
                    <input type="checkbox" id="deliver-webhooks"
                        checked={webhooks.as_ref().is_some_and(|w| w.enabled)}
                        onchange={toggle_delivery} />
                    { lang.t("POST webhook notifications from this browser to their URLs",
                             "webhook 알림을 이 브라우저에서 각 URL로 POST하기") }
                </label>
                <p class="muted hint">
                    { lang.t("Off by default: the lab's Alertmanager only logs what it would send. When on, the page sends each webhook as Alertmanager does (a JSON POST) as it falls due; the receiver must be reachable from this browser and allow this page (CORS). Notifications made while it was off are not sent.",
                             "기본값은 꺼짐입니다. 랩의 Alertmanager는 보낼 내용을 기록만 합니다. 켜면 페이지가 각 webhook을 Alertmanager처럼(JSON POST) 보낼 때가 되는 대로 보냅니다. receiver는 이 브라우저에서 접근할 수 있어야 하고 이 페이지를 허용(CORS)해야 합니다. 꺼져 있을 때 생긴 알림은 보내지 않습니다.") }
                </p>
            </section>
            <section class="card">
                <h2>{ lang.t("Notification log", "알림 발송 기록") }</h2>
                if notifications.is_empty() {
                    <p class="muted empty" id="no-notifications">
                        { lang.t("Nothing sent yet. A group's first notification goes out group_wait after its first alert.",
                                 "아직 보낸 알림이 없습니다. 그룹의 첫 알림은 첫 alert가 온 뒤 group_wait가 지나면 나갑니다.") }
                    </p>
                } else {
                    <table class="notifications">
                        <thead><tr>
                            <th>{ lang.t("Time", "시각") }</th>
                            <th>{ lang.t("Receiver", "receiver") }</th>
                            <th>{ lang.t("Status", "상태") }</th>
                            <th>{ lang.t("Alerts / reason", "알림 / 이유") }</th>
                            <th>{ lang.t("Delivery", "전송") }</th>
                            <th></th>
                        </tr></thead>
                        <tbody>
                            { for notifications.iter().enumerate().rev().map(|(i, n)| {
                                let shown = *open == Some(i);
                                let toggle = {
                                    let open = open.clone();
                                    Callback::from(move |_| open.set(if shown { None } else { Some(i) }))
                                };
                                let status = match n.payload.status {
                                    AlertStatus::Firing => "firing",
                                    AlertStatus::Resolved => "resolved",
                                };
                                let pretty = serde_json::to_string_pretty(&n.payload).unwrap_or_default();
                                html! {
                                    <>
                                    <tr class="notification">
                                        <td class="nowrap">{ display_time(n.time) }<div class="muted">{ crate::components::widgets::ago(lang, n.time, now) }</div></td>
                                        <td><span class="receiver">{ &n.receiver }</span>
                                            <div class="muted">{ n.integration.as_str() }{ n.url.as_ref().map(|u| format!(" → {u}")).unwrap_or_default() }</div></td>
                                        <td><span class={classes!("alert-state", status)}>{ status }</span></td>
                                        <td>{ n.payload.alerts.len() }{ if n.payload.alerts.len() == 1 { lang.t(" alert · ", "개 · ") } else { lang.t(" alerts · ", "개 · ") } }{ reason_text(lang, n.reason) }
                                            <div>{ map_chips(&n.payload.group_labels) }</div></td>
                                        <td>{ delivery_cell(lang, n, webhooks.as_ref()) }</td>
                                        <td><button type="button" class="link payload-toggle" onclick={toggle}>
                                            { if shown { lang.t("hide JSON", "JSON 숨기기") } else { lang.t("show JSON", "JSON 보기") } }
                                        </button></td>
                                    </tr>
                                    if shown {
                                        <tr class="payload-row"><td colspan="6"><pre class="payload">{ pretty }</pre></td></tr>
                                    }
                                    </>
                                }
                            }) }
                        </tbody>
                    </table>
                }
            </section>
        </>
    }
}

fn route_box(lang: Lang, node: &RouteNode, path: &mut Vec<usize>, matched: &[Vec<usize>]) -> Html {
    let hit = matched.iter().any(|m| m == path);
    let on_path = matched.iter().any(|m| m.starts_with(path));
    let t = node.timers;
    let html = html! {
        <div class={classes!("route", hit.then_some("matched"), (on_path && !hit).then_some("on-path"))}>
            <div class="route-head">
                <span class="receiver" title={lang.t("receiver", "receiver")}>{ &node.receiver }</span>
                if node.matchers.is_empty() {
                    <span class="muted route-default">{ if path.is_empty() { lang.t("root: every alert", "루트: 모든 알림") } else { lang.t("matches every alert", "모든 알림과 일치") } }</span>
                } else {
                    <span class="chips">{ for node.matchers.iter().map(|m| html! { <span class="chip">{ m }</span> }) }</span>
                }
                if node.r#continue {
                    <span class="route-continue" title={lang.t("After matching here, the next sibling routes are tried too",
                                                          "여기서 일치한 뒤에도 다음 형제 라우트를 계속 검사합니다")}>{"continue"}</span>
                }
                if hit {
                    <span class="route-hit">{ lang.t("✔ matched", "✔ 일치") }</span>
                }
            </div>
            <div class="route-meta muted">
                {"group_by: "}<code>{ format!("[{}]", node.group_by.join(", ")) }</code>
                {" · group_wait "}<code>{ format_duration(t.group_wait) }</code>
                {" · group_interval "}<code>{ format_duration(t.group_interval) }</code>
                {" · repeat_interval "}<code>{ format_duration(t.repeat_interval) }</code>
                if !node.mute_time_intervals.is_empty() {
                    {" · mute_time_intervals "}<code>{ node.mute_time_intervals.join(", ") }</code>
                }
            </div>
            if !node.children.is_empty() {
                <div class="route-children">
                    { for node.children.iter().enumerate().map(|(i, c)| {
                        path.push(i);
                        let child = route_box(lang, c, path, matched);
                        path.pop();
                        child
                    }) }
                </div>
            }
        </div>
    };
    html
}

#[function_component(RoutesTab)]
fn routes_tab(props: &RefreshProps) -> Html {
    let ctx = use_context::<LabContext>();
    let labels = use_state(|| {
        storage::load::<String>("routes.test")
            .ok()
            .flatten()
            .unwrap_or_default()
    });
    let result = use_state(|| None::<Result<RouteTest, (String, Span, String)>>);
    let answer = use_lab(LabRequest::Routes, props.refresh);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let on_input = {
        let labels = labels.clone();
        Callback::from(move |e: InputEvent| labels.set(input_value(&e)))
    };
    let test = {
        let (labels, result, client) = (labels.clone(), result.clone(), ctx.client.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let input = (*labels).clone();
            let _ = storage::save("routes.test", &input);
            let result = result.clone();
            client.send(
                Request::Lab(LabRequest::TestRoutes {
                    labels: input.clone(),
                }),
                move |resp| match resp {
                    Response::Lab(LabResponse::RoutesTested(t)) => result.set(Some(Ok(t))),
                    Response::Lab(LabResponse::InputError { message, span }) => {
                        result.set(Some(Err((input, span, message))))
                    }
                    Response::Lab(LabResponse::Error { message }) => {
                        let span = Span::new(0, input.len());
                        result.set(Some(Err((input, span, message))))
                    }
                    _ => {}
                },
            );
        })
    };
    let matched: Vec<Vec<usize>> = match &*result {
        Some(Ok(t)) => t.matched.clone(),
        _ => Vec::new(),
    };
    html! {
        <>
            <section class="card">
                <h2>{ lang.t("Which receiver gets these labels?", "이 레이블은 어느 receiver로 가나요?") }</h2>
                <form class="route-test" onsubmit={test}>
                    <input id="route-labels" type="text" spellcheck="false" value={(*labels).clone()} oninput={on_input}
                        placeholder={r#"alertname="CountGreaterThan5", job="prom-example", severity="critical""#}
                        aria-label={lang.t("Alert labels", "알림 레이블")} />
                    <button id="test-routes" class="primary" type="submit">{ lang.t("Test", "확인") }</button>
                </form>
                <p class="muted hint">
                    { lang.t("Labels as name=value pairs, as ", "name=value 쌍으로 적은 레이블. ") }
                    <code>{"amtool config routes test"}</code>
                    { lang.t(" takes them. The routes matched are marked in the tree below.", "와 같습니다. 일치한 라우트는 아래 트리에 표시됩니다.") }
                </p>
                { match &*result {
                    None => Html::default(),
                    Some(Err((input, span, message))) => html! { <div id="route-error">{ spanned_error(input, *span, message) }</div> },
                    Some(Ok(t)) => html! {
                        <div class="route-result" id="route-result">
                            <div>{ lang.t("Receivers: ", "receiver: ") }
                                { for t.receivers.iter().map(|r| html! { <span class="receiver">{ r }</span> }) }
                            </div>
                            <pre class="amtool">{ &t.amtool }</pre>
                        </div>
                    },
                } }
            </section>
            <section class="card">
                <h2>{ lang.t("Routing tree", "라우팅 트리") }</h2>
                <p class="muted hint">
                    { lang.t("An alert enters at the root and goes down the first child route whose matchers it satisfies (and on to the next ones when that route has continue); where no child matches, the route it is in gets it. Children inherit their parent's settings.",
                             "알림은 루트에서 들어와 매처가 맞는 첫 자식 라우트로 내려갑니다(그 라우트에 continue가 있으면 다음 라우트도 검사). 맞는 자식이 없으면 지금 라우트의 receiver가 받습니다. 자식은 부모의 설정을 물려받습니다.") }
                </p>
                { match answer {
                    Some(LabResponse::Routes { tree }) => html! {
                        <div class="route-tree" id="route-tree">{ route_box(lang, &tree, &mut Vec::new(), &matched) }</div>
                    },
                    Some(LabResponse::Error { message }) => html! { <div class="target-error">{ message }</div> },
                    _ => html! { <p class="muted">{ lang.t("Waiting for the lab…", "랩을 기다리는 중…") }</p> },
                } }
            </section>
        </>
    }
}

pub fn load_alertmanager_request(yaml: String) -> LabRequest {
    LabRequest::LoadAlertmanagerConfig {
        yaml: if yaml.trim().is_empty() {
            promlab_core::lab::DEFAULT_ALERTMANAGER_YML.to_string()
        } else {
            yaml
        },
    }
}

#[function_component(ConfigTab)]
fn config_tab(props: &RefreshProps) -> Html {
    let ctx = use_context::<LabContext>();
    let lang = ctx.as_ref().map(|c| c.lang).unwrap_or_default();
    let loaded = use_state(|| 0u64);
    let on_loaded = {
        let loaded = loaded.clone();
        Callback::from(move |()| loaded.set(*loaded + 1))
    };
    let answer = use_lab(
        LabRequest::AlertmanagerStatus,
        props.refresh.wrapping_add(*loaded),
    );
    let original = match answer {
        Some(LabResponse::AlertmanagerStatus(s)) => s.config.original,
        _ => String::new(),
    };
    html! {
        <>
            <section class="card">
                <h2>{"alertmanager.yml"}</h2>
                <YamlEditor id="am-config" storage_key={ALERTMANAGER_KEY} example={EXAMPLE_ALERTMANAGER_YML}
                    file={EditedFile::AlertmanagerConfig} {on_loaded}>
                    <p class="muted">
                        { lang.t("Loading reloads the Alertmanager as it reloads its file: silences and the notification log stay. An empty file goes back to the lab's default (every alert to a receiver that sends nothing).",
                                 "불러오면 Alertmanager가 설정 파일을 reload하듯 다시 읽습니다. 사일런스와 알림 발송 기록은 그대로입니다. 빈 파일은 랩 기본 설정(모든 알림을 아무것도 보내지 않는 receiver로)으로 돌아갑니다.") }
                    </p>
                </YamlEditor>
            </section>
            <section class="card">
                <h2>{ lang.t("Configuration in effect", "적용 중인 설정") }</h2>
                <pre class="config-yaml" id="am-config-running">{ original }</pre>
            </section>
        </>
    }
}
