//! The query editor: a text area drawn over a coloured copy of the query
//! (the core's highlighting classes), the partner of the bracket at the
//! cursor marked, the parser's error underlined as you type (asked of the
//! engine through `/api/v1/format_query`, so a remote server checks its
//! own dialect), and completions of metric names, label names and values,
//! functions and keywords with their signature and documentation.
//!
//! Keys: Ctrl/Cmd+Enter runs; Enter runs too unless the completion list is
//! open (then it takes the selected item, as Tab does); Shift+Enter breaks
//! the line; arrows move in the list; Escape closes it.

use crate::app::LabContext;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse, Request, Response};
use promlab_core::diagnostic::Span;
use promlab_core::promql::assist::{self, Context, MetricName, Names, Suggestion, Want};
use promlab_core::promql::docs::Lang;
use std::rc::Rc;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// An error to show under the editor: the message and, when the engine
/// gave one, the span of the query it is about.
#[derive(Clone, PartialEq, Debug)]
pub struct QueryError {
    pub query: String,
    pub message: String,
    pub span: Option<Span>,
}

#[derive(Properties, PartialEq)]
pub struct QueryEditorProps {
    pub value: AttrValue,
    pub on_change: Callback<String>,
    pub on_execute: Callback<()>,
    /// The error of the last run, shown when the live check has none.
    #[prop_or_default]
    pub error: Option<QueryError>,
    #[prop_or_default]
    pub lang: Lang,
}

/// The byte offset in `text` of a UTF-16 offset (what the DOM counts).
pub fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units >= utf16 {
            return i;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// The UTF-16 offset of a byte offset in `text`.
pub fn utf16_offset(text: &str, byte: usize) -> u32 {
    text.get(..byte.min(text.len()))
        .map_or(0, |s| s.encode_utf16().count() as u32)
}

/// The completion list's state.
#[derive(Clone, PartialEq, Default)]
struct Completion {
    ctx: Option<Context>,
    items: Rc<Vec<Suggestion>>,
    selected: usize,
}

/// Names fetched for completion: the metric names (with metadata) are
/// asked once for the editor's life; label names and values each time
/// what is wanted changes (another metric, another label). While only the
/// prefix changes, suggestions are ranked again at once from the names
/// at hand, so the list never lags behind the typing.
#[derive(Default)]
struct NameCache {
    metrics: Option<Vec<MetricName>>,
    /// What `names` were fetched for.
    want: Option<Want>,
    names: Names,
    /// The latest text and cursor typed; an answer for an older one is
    /// ranked against this.
    latest: (String, usize),
}

#[function_component(QueryEditor)]
pub fn query_editor(props: &QueryEditorProps) -> Html {
    let ctx = use_context::<LabContext>();
    let textarea = use_node_ref();
    let cursor = use_state(|| 0usize);
    let completion = use_state(Completion::default);
    let live_error = use_state(|| None::<QueryError>);
    let cache = use_mut_ref(NameCache::default);
    let text = props.value.to_string();

    // The live check: ask the engine to format the query; its error is
    // the parser's. Only the answer for the current text is kept.
    {
        let live_error = live_error.clone();
        let ctx = ctx.clone();
        use_effect_with(text.clone(), move |text| {
            let text = text.clone();
            if text.trim().is_empty() {
                live_error.set(None);
            } else if let Some(ctx) = ctx {
                let request = Request::Api(ApiRequest::FormatQuery {
                    query: text.clone(),
                });
                ctx.client.send(request, move |resp| match resp {
                    Response::Api(ApiResponse::Error(e)) => live_error.set(Some(QueryError {
                        query: text,
                        message: e.error,
                        span: e.span,
                    })),
                    _ => live_error.set(None),
                });
            }
        });
    }

    // Suggestions for the word at the cursor.
    let refresh = {
        let ctx = ctx.clone();
        let completion = completion.clone();
        let cache = cache.clone();
        let lang = props.lang;
        Callback::from(move |(text, at): (String, usize)| {
            cache.borrow_mut().latest = (text.clone(), at);
            let context = assist::context(&text, at);
            if context.want == Want::Nothing
                || (context.prefix.is_empty()
                    && matches!(context.want, Want::Expression | Want::AfterOperand))
            {
                completion.set(Completion::default());
                return;
            }
            let rank = {
                let completion = completion.clone();
                let cache = cache.clone();
                move || {
                    let cache = cache.borrow();
                    let (text, at) = &cache.latest;
                    let context = assist::context(text, *at);
                    // A run (or an empty editor) since the names were
                    // asked for: the list stays closed.
                    if cache.want.as_ref() != Some(&context.want) || text.is_empty() {
                        return;
                    }
                    let items = assist::suggest(&context, &cache.names, lang);
                    completion.set(Completion {
                        ctx: (!items.is_empty()).then_some(context),
                        items: Rc::new(items),
                        selected: 0,
                    });
                }
            };
            if cache.borrow().want.as_ref() == Some(&context.want) {
                rank();
                return;
            }
            let Some(ctx) = ctx.clone() else { return };
            let want = context.want.clone();
            let store = cache.clone();
            fetch_names(&ctx, &context.want, cache.clone(), move |names| {
                {
                    let mut c = store.borrow_mut();
                    c.want = Some(want);
                    c.names = names;
                }
                rank();
            });
        })
    };

    let read_cursor = |el: &HtmlTextAreaElement| {
        let value = el.value();
        let at = el
            .selection_start()
            .ok()
            .flatten()
            .map_or(value.len(), |u| byte_offset(&value, u));
        (value, at)
    };

    let oninput = {
        let on_change = props.on_change.clone();
        let cursor = cursor.clone();
        let refresh = refresh.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            let (value, at) = read_cursor(&el);
            cursor.set(at);
            refresh.emit((value.clone(), at));
            on_change.emit(value);
        })
    };

    let accept = {
        let textarea = textarea.clone();
        let completion = completion.clone();
        let on_change = props.on_change.clone();
        let cursor = cursor.clone();
        Callback::from(move |index: usize| {
            let (Some(el), Some(c)) = (
                textarea.cast::<HtmlTextAreaElement>(),
                completion.ctx.as_ref(),
            ) else {
                return;
            };
            let Some(item) = completion.items.get(index) else {
                return;
            };
            let value = el.value();
            let start = c.replace.start.min(value.len());
            let end = c.replace.end.clamp(start, value.len());
            let (Some(before), Some(after)) = (value.get(..start), value.get(end..)) else {
                return;
            };
            let next = format!("{before}{}{after}", item.insert);
            let at = start + item.insert.len();
            el.set_value(&next);
            let pos = utf16_offset(&next, at);
            let _ = el.set_selection_range(pos, pos);
            let _ = el.focus();
            cursor.set(at);
            completion.set(Completion::default());
            on_change.emit(next);
        })
    };

    // Runs the query and closes the list; names still on their way must
    // not open it again over the results.
    let run = {
        let on_execute = props.on_execute.clone();
        let completion = completion.clone();
        let cache = cache.clone();
        Callback::from(move |()| {
            cache.borrow_mut().latest = (String::new(), 0);
            completion.set(Completion::default());
            on_execute.emit(());
        })
    };

    let onkeydown = {
        let on_execute = run.clone();
        let completion = completion.clone();
        let accept = accept.clone();
        Callback::from(move |e: KeyboardEvent| {
            let open = completion.ctx.is_some() && !completion.items.is_empty();
            let n = completion.items.len();
            match e.key().as_str() {
                "Enter" if e.ctrl_key() || e.meta_key() => {
                    e.prevent_default();
                    completion.set(Completion::default());
                    on_execute.emit(());
                }
                // Enter on a word already complete runs the query.
                "Enter" if open && !already_typed(&completion) => {
                    e.prevent_default();
                    accept.emit(completion.selected);
                }
                "Tab" if open => {
                    e.prevent_default();
                    accept.emit(completion.selected);
                }
                "Enter" if !e.shift_key() => {
                    e.prevent_default();
                    on_execute.emit(());
                }
                "ArrowDown" if open => {
                    e.prevent_default();
                    let mut c = (*completion).clone();
                    c.selected = (c.selected + 1) % n;
                    completion.set(c);
                }
                "ArrowUp" if open => {
                    e.prevent_default();
                    let mut c = (*completion).clone();
                    c.selected = (c.selected + n - 1) % n;
                    completion.set(c);
                }
                "Escape" if open => {
                    e.prevent_default();
                    completion.set(Completion::default());
                }
                _ => {}
            }
        })
    };

    // The cursor moves without input (arrows, clicks): follow it for the
    // bracket marks.
    let onselect = {
        let cursor = cursor.clone();
        Callback::from(move |e: Event| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            cursor.set(read_cursor(&el).1);
        })
    };
    let onkeyup = {
        let cursor = cursor.clone();
        Callback::from(move |e: KeyboardEvent| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            cursor.set(read_cursor(&el).1);
        })
    };
    let onclick = {
        let cursor = cursor.clone();
        let completion = completion.clone();
        Callback::from(move |e: MouseEvent| {
            let el: HtmlTextAreaElement = e.target_unchecked_into();
            cursor.set(read_cursor(&el).1);
            completion.set(Completion::default());
        })
    };
    let onblur = {
        let completion = completion.clone();
        Callback::from(move |_: FocusEvent| {
            // Later than a click on an item, which must still land.
            let completion = completion.clone();
            gloo::timers::callback::Timeout::new(150, move || {
                completion.set(Completion::default())
            })
            .forget();
        })
    };

    // The error to show: the live check's, or else the last run's.
    let error = (*live_error)
        .clone()
        .filter(|e| e.query == text)
        .or_else(|| props.error.clone().filter(|e| e.query == text));
    let brackets = assist::matching_bracket(&text, *cursor);
    let rows = text.lines().count().clamp(1, 12);

    let execute = {
        let run = run.clone();
        Callback::from(move |_: MouseEvent| run.emit(()))
    };
    let invalid = error.is_some();
    html! {
        <div class="query-box">
            <div class="query-row">
                <div class={classes!("editor", invalid.then_some("invalid"))}>
                    <pre class="editor-highlight" aria-hidden="true">
                        { overlay(&text, brackets, error.as_ref().and_then(|e| e.span)) }
                        { "\n" }
                    </pre>
                    <textarea ref={textarea} id="query-input" class="editor-input"
                        rows={rows.to_string()} spellcheck="false" autocomplete="off"
                        autocapitalize="off"
                        placeholder={placeholder(props.lang)}
                        aria-label="PromQL expression"
                        aria-autocomplete="list"
                        aria-invalid={invalid.to_string()}
                        value={props.value.clone()} {oninput} {onkeydown} {onkeyup}
                        {onclick} {onselect} {onblur} />
                    if completion.ctx.is_some() {
                        <CompletionList items={completion.items.clone()}
                            selected={completion.selected} on_pick={accept.clone()} />
                    }
                </div>
                <button id="execute" class="primary" onclick={execute}>
                    { match props.lang { Lang::Ko => "실행", Lang::En => "Execute" } }
                </button>
            </div>
            if let Some(err) = &error {
                <div class="query-error" role="alert">
                    if let Some(span) = err.span {
                        <pre class="error-source">{ underline(&err.query, span) }</pre>
                    }
                    <div class="error-message">{ &err.message }</div>
                </div>
            }
        </div>
    }
}

/// Whether the selected suggestion is exactly what is already typed.
fn already_typed(c: &Completion) -> bool {
    match (c.ctx.as_ref(), c.items.get(c.selected)) {
        (Some(ctx), Some(item)) => item.label == ctx.prefix || item.insert == ctx.prefix,
        _ => false,
    }
}

fn placeholder(lang: Lang) -> &'static str {
    match lang {
        Lang::Ko => "PromQL 식 (Enter로 실행, Shift+Enter로 줄바꿈), 예: ping_request_count",
        Lang::En => "Expression (Enter runs, Shift+Enter breaks the line), e.g. ping_request_count",
    }
}

/// Asks the engine for the names `want` needs, then calls `show`.
fn fetch_names(
    ctx: &LabContext,
    want: &Want,
    cache: Rc<std::cell::RefCell<NameCache>>,
    show: impl FnOnce(Names) + 'static,
) {
    let strings = |resp: Response| match resp {
        Response::Api(ApiResponse::Success {
            data: ApiData::Strings(v),
            ..
        }) => v,
        _ => Vec::new(),
    };
    let selector = |metric: &Option<String>| {
        metric
            .iter()
            .map(|m| format!("{{__name__={}}}", quote(m)))
            .collect::<Vec<_>>()
    };
    match want {
        Want::Expression => {
            // Bound first: the borrow must end before `show` runs.
            let cached = cache.borrow().metrics.clone();
            if let Some(metrics) = cached {
                show(Names {
                    metrics,
                    ..Names::default()
                });
                return;
            }
            let client = ctx.client.clone();
            let names = Request::Api(ApiRequest::LabelValues {
                name: "__name__".into(),
                matchers: Vec::new(),
                start: None,
                end: None,
            });
            ctx.client.send(names, move |resp| {
                let names = strings(resp);
                let metadata = Request::Api(ApiRequest::Metadata {
                    metric: None,
                    limit: None,
                });
                client.send(metadata, move |resp| {
                    let meta = match resp {
                        Response::Api(ApiResponse::Success {
                            data: ApiData::Metadata(m),
                            ..
                        }) => m,
                        _ => Default::default(),
                    };
                    let metrics: Vec<MetricName> = names
                        .into_iter()
                        .map(|name| {
                            let md = meta.get(&name).and_then(|v| v.first());
                            MetricName {
                                kind: md.map(|m| m.metric_type.clone()),
                                help: md.map(|m| m.help.clone()).filter(|h| !h.is_empty()),
                                name,
                            }
                        })
                        .collect();
                    cache.borrow_mut().metrics = Some(metrics.clone());
                    show(Names {
                        metrics,
                        ..Names::default()
                    });
                });
            });
        }
        Want::AfterOperand | Want::Duration | Want::Nothing => show(Names::default()),
        Want::LabelName { metric } => {
            let request = Request::Api(ApiRequest::Labels {
                matchers: selector(metric),
                start: None,
                end: None,
            });
            ctx.client.send(request, move |resp| {
                show(Names {
                    labels: strings(resp),
                    ..Names::default()
                })
            });
        }
        Want::GroupingLabel { metrics } => {
            let matchers = metrics
                .iter()
                .map(|m| format!("{{__name__={}}}", quote(m)))
                .collect();
            let request = Request::Api(ApiRequest::Labels {
                matchers,
                start: None,
                end: None,
            });
            ctx.client.send(request, move |resp| {
                show(Names {
                    labels: strings(resp),
                    ..Names::default()
                })
            });
        }
        Want::LabelValue { metric, label, .. } => {
            let request = Request::Api(ApiRequest::LabelValues {
                name: label.clone(),
                matchers: selector(metric),
                start: None,
                end: None,
            });
            ctx.client.send(request, move |resp| {
                show(Names {
                    values: strings(resp),
                    ..Names::default()
                })
            });
        }
    }
}

/// A string as a PromQL double-quoted literal.
fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

#[derive(Properties, PartialEq)]
struct CompletionListProps {
    items: Rc<Vec<Suggestion>>,
    selected: usize,
    on_pick: Callback<usize>,
}

#[function_component(CompletionList)]
fn completion_list(props: &CompletionListProps) -> Html {
    let detail = props.items.get(props.selected);
    html! {
        <div class="completions" role="listbox">
            <ul>
                { for props.items.iter().enumerate().take(50).map(|(i, s)| {
                    let on_pick = props.on_pick.clone();
                    let onmousedown = Callback::from(move |e: MouseEvent| {
                        e.prevent_default();
                        on_pick.emit(i);
                    });
                    let kind = format!("{:?}", s.kind).to_lowercase();
                    html! {
                        <li class={classes!("completion", (i == props.selected).then_some("selected"))}
                            role="option" aria-selected={(i == props.selected).to_string()} {onmousedown}>
                            <span class={classes!("kind", format!("kind-{kind}"))}>{ kind_badge(&kind) }</span>
                            <span class="name">{ &s.label }</span>
                        </li>
                    }
                }) }
            </ul>
            if let Some(s) = detail {
                if s.detail.is_some() || s.doc.is_some() {
                    <div class="completion-doc">
                        if let Some(d) = &s.detail { <code>{ d }</code> }
                        if let Some(d) = &s.doc { <p>{ d }</p> }
                    </div>
                }
            }
        </div>
    }
}

fn kind_badge(kind: &str) -> &'static str {
    match kind {
        "metric" => "M",
        "function" => "ƒ",
        "aggregation" => "Σ",
        "keyword" => "K",
        "label" => "L",
        "labelvalue" => "V",
        _ => "D",
    }
}

/// The query as coloured runs, with the bracket pair and the error span
/// marked on top of the classes.
fn overlay(text: &str, brackets: Option<(Span, Span)>, error: Option<Span>) -> Html {
    let runs = assist::highlight(text);
    // Cut the runs at the marks' edges so each piece has one set of marks.
    let mut cuts: Vec<usize> = vec![0, text.len()];
    let marks: Vec<(Span, &str)> = brackets
        .into_iter()
        .flat_map(|(a, b)| [(a, "bracket-match"), (b, "bracket-match")])
        .chain(error.map(|e| {
            // An empty span (an error at the end) marks one space.
            let end = if e.end > e.start { e.end } else { e.start + 1 };
            (
                Span::new(e.start, end.min(text.len().max(e.start))),
                "error-mark",
            )
        }))
        .collect();
    for r in &runs {
        cuts.push(r.span.start);
        cuts.push(r.span.end);
    }
    for (m, _) in &marks {
        cuts.push(m.start.min(text.len()));
        cuts.push(m.end.min(text.len()));
    }
    cuts.retain(|&c| text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces = Vec::new();
    for w in cuts.windows(2) {
        let (start, end) = (w[0], w[1]);
        let Some(piece) = text.get(start..end) else {
            continue;
        };
        let class = runs
            .iter()
            .find(|r| r.span.start <= start && end <= r.span.end)
            .map_or("space", |r| r.class.name());
        let marked: Vec<&str> = marks
            .iter()
            .filter(|(m, _)| m.start <= start && end <= m.end)
            .map(|(_, c)| *c)
            .collect();
        pieces.push(html! {
            <span class={classes!(format!("tok-{class}"), marked)}>{ piece }</span>
        });
    }
    let trailing_error = error.is_some_and(|e| e.start >= text.len());
    html! {
        <>
            { for pieces }
            if trailing_error { <span class="error-mark">{ " " }</span> }
        </>
    }
}

/// The query with the span wrapped in a marked element; an empty span (an
/// error at the end, say) is shown as a marked space.
fn underline(query: &str, span: Span) -> Html {
    let start = span.start.min(query.len());
    let end = span.end.clamp(start, query.len());
    let (Some(before), Some(inside), Some(after)) =
        (query.get(..start), query.get(start..end), query.get(end..))
    else {
        return html! { { query } };
    };
    let inside = if inside.is_empty() { " " } else { inside };
    html! {
        <>
            { before }
            <mark class="error-span">{ inside }</mark>
            { after }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn offsets_convert_between_utf16_and_bytes() {
        let text = "up{a=\"한글😀\"}";
        for (byte, _) in text.char_indices() {
            assert_eq!(byte_offset(text, utf16_offset(text, byte)), byte);
        }
        assert_eq!(byte_offset(text, 1000), text.len());
        assert_eq!(
            utf16_offset(text, text.len()),
            text.encode_utf16().count() as u32
        );
    }
}
