//! Small pieces the status pages share: relative times, links to the
//! playground, label and annotation lists, an input with its mistake
//! underlined, and the YAML editor that loads a file into the lab.

use crate::app::LabContext;
use crate::i18n::Lang;
use crate::storage;
use promlab_core::api::{parse_time, LabRequest, LabResponse, Request, Response};
use promlab_core::clock::Timestamp;
use promlab_core::diagnostic::Span;
use promlab_core::duration::format_duration;
use std::collections::BTreeMap;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// How long ago `t` was, seen from the lab's `now`: `12.3s ago`,
/// `4m ago`, `2h 5m ago`; `in 3s` for a time still to come.
pub fn ago(lang: Lang, t: Timestamp, now: Option<Timestamp>) -> String {
    let Some(now) = now else {
        return String::new();
    };
    let ms = now.saturating_sub(t);
    let text = span_text(ms.unsigned_abs());
    match (ms >= 0, lang) {
        (true, Lang::En) => format!("{text} ago"),
        (true, Lang::Ko) => format!("{text} 전"),
        (false, Lang::En) => format!("in {text}"),
        (false, Lang::Ko) => format!("{text} 후"),
    }
}

/// A length of time as a person reads it: tenths of seconds below two
/// minutes, then whole minutes, hours and days.
fn span_text(ms: u64) -> String {
    let s = ms as f64 / 1000.0;
    if s < 120.0 {
        format!("{s:.1}s")
    } else if s < 7_200.0 {
        format!("{:.0}m", (s / 60.0).floor())
    } else if s < 172_800.0 {
        let m = (s / 60.0).floor() as u64;
        format!("{}h {}m", m / 60, m % 60)
    } else {
        format!("{:.0}d", (s / 86_400.0).floor())
    }
}

/// An API time (RFC 3339) and how long ago it was; `never` for Go's zero
/// time, which the API writes before the first time.
pub fn api_time_ago(lang: Lang, when: &str, now: Option<Timestamp>) -> String {
    match parse_time(when) {
        Ok(t) if t > 0 => ago(lang, t, now),
        _ => lang.t("never", "없음").to_string(),
    }
}

/// `2026-01-01 00:00:05 UTC` from an API time, or the text as given when
/// it is not one.
pub fn api_time(when: &str) -> String {
    match parse_time(when) {
        Ok(t) if t > 0 => crate::components::clock::display_time(t),
        _ => when.to_string(),
    }
}

/// Seconds as a Prometheus duration: `30s`, `1m30s`.
pub fn seconds(s: f64) -> String {
    if s.is_finite() {
        format_duration((s * 1000.0).round() as i64)
    } else {
        s.to_string()
    }
}

/// The playground's address with `expr` in it.
pub fn query_href(expr: &str) -> String {
    format!(
        "#/query?expr={}",
        String::from(js_sys::encode_uri_component(expr))
    )
}

/// A query shown as code that opens in the playground.
pub fn query_link(lang: Lang, expr: &str) -> Html {
    html! {
        <a class="query-link" href={query_href(expr)}
            title={lang.t("Open this query in the playground", "이 쿼리를 플레이그라운드에서 열기")}>
            <code>{ expr }</code>
        </a>
    }
}

/// `name="value"` chips for a map of labels.
pub fn map_chips(map: &BTreeMap<String, String>) -> Html {
    html! {
        <span class="chips">
            { for map.iter().map(|(k, v)| html! {
                <span class="chip"><span class="label-name">{ k }</span>{"=\""}<span class="label-value">{ v }</span>{"\""}</span>
            }) }
        </span>
    }
}

/// Annotations as a definition list (they are prose, not labels).
pub fn annotations(map: &BTreeMap<String, String>) -> Html {
    if map.is_empty() {
        return Html::default();
    }
    html! {
        <dl class="annotations">
            { for map.iter().map(|(k, v)| html! {
                <><dt>{ k }</dt><dd>{ v }</dd></>
            }) }
        </dl>
    }
}

/// The text a request carried with the span of its mistake underlined,
/// and the message.
pub fn spanned_error(input: &str, span: Span, message: &str) -> Html {
    let start = span.start.min(input.len());
    let end = span.end.clamp(start, input.len());
    let (before, marked, after) =
        match (input.get(..start), input.get(start..end), input.get(end..)) {
            (Some(b), Some(m), Some(a)) => (b, m, a),
            _ => (input, "", ""),
        };
    html! {
        <div class="input-error" role="alert">
            <div class="error-source"><code>{ before }<span class="error-span">{
                if marked.is_empty() { "\u{2003}" } else { marked }
            }</span>{ after }</code></div>
            <div class="error-message">{ message }</div>
        </div>
    }
}

/// The files the editor loads into the lab.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum EditedFile {
    Rules,
    AlertmanagerConfig,
}

impl EditedFile {
    /// The request that loads `yaml` as this file.
    pub fn request(self, yaml: String) -> LabRequest {
        match self {
            EditedFile::Rules => crate::pages::rules::load_rules_request(yaml),
            EditedFile::AlertmanagerConfig => {
                crate::pages::alertmanager::load_alertmanager_request(yaml)
            }
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct YamlEditorProps {
    /// Prefix of the elements' ids (`{id}-text`, `{id}-load`, …).
    pub id: AttrValue,
    /// The localStorage key the loaded text is kept under.
    pub storage_key: AttrValue,
    /// Shown in the text area when nothing is saved.
    pub example: AttrValue,
    /// Which file it is, so which request loads it.
    pub file: EditedFile,
    /// What the file is, above the text area.
    #[prop_or_default]
    pub children: Html,
    /// Called when the lab has loaded the file.
    #[prop_or_default]
    pub on_loaded: Callback<()>,
}

/// A text area for a YAML file the lab loads: "Load" sends it, and on
/// success keeps it in localStorage (it is loaded again at the next
/// start); an error is shown with its line and column.
#[function_component(YamlEditor)]
pub fn yaml_editor(props: &YamlEditorProps) -> Html {
    let ctx = use_context::<LabContext>();
    let key = props.storage_key.clone();
    let text = use_state(|| match storage::load::<String>(&key) {
        Ok(Some(saved)) => saved,
        _ => String::new(),
    });
    // None: nothing sent yet; Some(Ok): loaded; Some(Err): refused.
    let outcome = use_state(|| None::<Result<(), String>>);
    let Some(ctx) = ctx else {
        return Html::default();
    };
    let lang = ctx.lang;
    let on_input = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(e.target_unchecked_into::<HtmlTextAreaElement>().value())
        })
    };
    let load = {
        let (text, outcome, key, request) = (
            text.clone(),
            outcome.clone(),
            props.storage_key.clone(),
            props.file,
        );
        let ctx = ctx.clone();
        let on_loaded = props.on_loaded.clone();
        Callback::from(move |_| {
            let yaml = (*text).clone();
            let (outcome, key) = (outcome.clone(), key.clone());
            let on_status = ctx.clone();
            let on_loaded = on_loaded.clone();
            ctx.client.send(
                Request::Lab(request.request(yaml.clone())),
                move |resp| match resp {
                    Response::Lab(LabResponse::Error { message }) => {
                        outcome.set(Some(Err(message)))
                    }
                    Response::Lab(LabResponse::Status(_)) => {
                        let saved = if yaml.trim().is_empty() {
                            storage::remove(&key);
                            Ok(())
                        } else {
                            storage::save(&key, &yaml)
                        };
                        outcome.set(Some(saved));
                        on_status.control(LabRequest::Status);
                        on_loaded.emit(());
                    }
                    _ => {}
                },
            );
        })
    };
    let example = {
        let (text, example) = (text.clone(), props.example.clone());
        Callback::from(move |_| text.set(example.to_string()))
    };
    let id = &props.id;
    html! {
        <div class="yaml-editor">
            { props.children.clone() }
            <textarea id={format!("{id}-text")} class="yaml-text" spellcheck="false" rows="12"
                placeholder={props.example.clone()} value={(*text).clone()} oninput={on_input}
                aria-label={lang.t("YAML file", "YAML 파일")} />
            <div class="editor-actions">
                <button id={format!("{id}-load")} class="primary" type="button" onclick={load}>
                    { lang.t("Load", "불러오기") }
                </button>
                <button id={format!("{id}-example")} type="button" onclick={example}>
                    { lang.t("Example", "예제") }
                </button>
                <span class="muted editor-note">
                    { lang.t("Kept in this browser and loaded again at the next visit. An empty file unloads it.",
                             "이 브라우저에 저장되어 다음 방문 때 다시 불러옵니다. 빈 파일을 불러오면 내려갑니다.") }
                </span>
            </div>
            { match &*outcome {
                None => Html::default(),
                Some(Ok(())) => html! {
                    <div class="load-ok" id={format!("{id}-ok")}>{ lang.t("Loaded.", "불러왔습니다.") }</div>
                },
                Some(Err(message)) => html! {
                    <pre class="yaml-error" id={format!("{id}-error")} role="alert">{ message }</pre>
                },
            } }
        </div>
    }
}
