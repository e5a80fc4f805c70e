//! The query editor: a single-line PromQL input that runs on Enter, and the
//! error of the last run with its span underlined in the query.

use promlab_core::diagnostic::Span;
use web_sys::HtmlInputElement;
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
pub struct QueryBoxProps {
    pub value: AttrValue,
    pub on_change: Callback<String>,
    pub on_execute: Callback<()>,
    #[prop_or_default]
    pub error: Option<QueryError>,
}

#[function_component(QueryBox)]
pub fn query_box(props: &QueryBoxProps) -> Html {
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            on_change.emit(input.value());
        })
    };
    let onkeydown = {
        let on_execute = props.on_execute.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                on_execute.emit(());
            }
        })
    };
    let onclick = {
        let on_execute = props.on_execute.clone();
        Callback::from(move |_| on_execute.emit(()))
    };
    html! {
        <div class="query-box">
            <div class="query-row">
                <input id="query-input" class={classes!("query-input", props.error.is_some().then_some("invalid"))}
                    type="text" spellcheck="false" autocomplete="off"
                    placeholder="Expression (press Enter to execute), e.g. ping_request_count"
                    aria-label="PromQL expression"
                    value={props.value.clone()} {oninput} {onkeydown} />
                <button id="execute" class="primary" {onclick}>{"Execute"}</button>
            </div>
            if let Some(err) = &props.error {
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
