//! The query history next to the editor: a button that opens the queries
//! run before (most recent first, kept in localStorage by the playground),
//! filtered by what is typed in its search box; picking one puts it back
//! in the editor and runs it.

use crate::app::LabContext;
use promlab_core::chart::view::QueryHistory;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HistoryMenuProps {
    pub history: Rc<QueryHistory>,
    pub on_pick: Callback<String>,
    pub on_clear: Callback<()>,
}

#[function_component(HistoryMenu)]
pub fn history_menu(props: &HistoryMenuProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let open = use_state(|| false);
    let filter = use_state(String::new);

    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            filter.set(el.value());
        })
    };
    let on_key = {
        let open = open.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                open.set(false);
            }
        })
    };
    let pick = |query: String| {
        let (open, on_pick) = (open.clone(), props.on_pick.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(false);
            on_pick.emit(query.clone());
        })
    };
    let clear = {
        let (open, on_clear) = (open.clone(), props.on_clear.clone());
        Callback::from(move |_: MouseEvent| {
            open.set(false);
            on_clear.emit(());
        })
    };
    let count = props.history.0.len();
    let shown: Vec<String> = props.history.matching(&filter).cloned().collect();

    html! {
        <div class="history" onkeydown={on_key}>
            <button id="history-toggle" type="button" class={classes!("history-toggle", open.then_some("active"))}
                onclick={toggle} aria-expanded={open.to_string()} disabled={count == 0}
                title={lang.t("Queries run before", "이전에 실행한 쿼리")}>
                { lang.t("History", "기록") }
                <span class="history-count">{ count }</span>
            </button>
            if *open {
                <div class="history-menu" role="listbox">
                    <div class="history-head">
                        <input class="history-filter" type="search" value={(*filter).clone()}
                            oninput={on_filter}
                            placeholder={lang.t("Filter the history", "기록에서 찾기")}
                            aria-label={lang.t("Filter the history", "기록에서 찾기")} />
                        <button type="button" class="link" onclick={clear}>
                            { lang.t("Clear", "모두 지우기") }
                        </button>
                    </div>
                    <ul>
                        { for shown.into_iter().map(|q| html! {
                            <li class="history-item" role="option" title={q.clone()} onclick={pick(q.clone())}>
                                <code>{ q }</code>
                            </li>
                        }) }
                    </ul>
                    if props.history.matching(&filter).next().is_none() {
                        <div class="muted history-empty">{ lang.t("No query matches.", "맞는 쿼리가 없습니다.") }</div>
                    }
                </div>
            }
        </div>
    }
}
