//! The Explain view: the query as the engine's tree of sub-expressions
//! ([`ExplainNode`]), each with what it does, how many series it gives,
//! a few of them and the work it did, as PromLens shows a query. Nodes
//! fold; clicking a node's expression puts it in the editor.

use crate::app::LabContext;
use crate::components::result_table::series_labels;
use crate::i18n::Lang;
use promlab_core::exposition::format_float;
use promlab_core::promql::ExplainNode;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExplainTreeProps {
    pub tree: Rc<ExplainNode>,
    /// A node's expression, to put in the editor.
    pub on_pick: Callback<String>,
}

#[function_component(ExplainTree)]
pub fn explain_tree(props: &ExplainTreeProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    html! {
        <div class="explain">
            <p class="muted explain-hint">{ lang.t(
                "Each part of the query evaluated on its own at the evaluation time. Click an expression to put it in the editor.",
                "쿼리의 각 부분을 평가 시각에 따로 평가한 결과입니다. 식을 클릭하면 편집기에 넣습니다.",
            ) }</p>
            <ul class="explain-tree">
                <ExplainItem node={props.tree.clone()} on_pick={props.on_pick.clone()} depth={0} />
            </ul>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ExplainItemProps {
    node: Rc<ExplainNode>,
    on_pick: Callback<String>,
    depth: usize,
}

#[function_component(ExplainItem)]
fn explain_item(props: &ExplainItemProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let open = use_state(|| true);
    let node = &props.node;
    let has_children = !node.children.is_empty();
    let toggle = {
        let open = open.clone();
        Callback::from(move |_: MouseEvent| open.set(!*open))
    };
    let pick = {
        let (on_pick, expr) = (props.on_pick.clone(), node.expr.clone());
        Callback::from(move |_: MouseEvent| on_pick.emit(expr.clone()))
    };
    let series = match lang {
        Lang::En if node.series == 1 => "1 series".to_string(),
        Lang::En => format!("{} series", node.series),
        Lang::Ko => format!("시리즈 {}개", node.series),
    };
    let work = match lang {
        Lang::En => format!("work {}", node.elapsed_work),
        Lang::Ko => format!("작업량 {}", node.elapsed_work),
    };
    let more = node.series.saturating_sub(node.sample.len());
    html! {
        <li class={classes!("explain-node", (!*open).then_some("folded"))}>
            <div class="explain-head">
                if has_children {
                    <button type="button" class="fold" onclick={toggle} aria-expanded={open.to_string()}
                        title={lang.t("Fold or unfold", "접기/펼치기")}>
                        { if *open { "▾" } else { "▸" } }
                    </button>
                } else {
                    <span class="fold leaf">{"•"}</span>
                }
                <code class="explain-expr" onclick={pick}
                    title={lang.t("Put this expression in the editor", "이 식을 편집기에 넣기")}>{ &node.expr }</code>
                <span class={classes!("badge", (node.series == 0).then_some("empty"))}>{ series }</span>
                <span class="badge work" title={lang.t(
                    "Samples read and values computed by this node itself",
                    "이 노드가 직접 읽은 샘플과 계산한 값의 수",
                )}>{ work }</span>
            </div>
            <div class="explain-body">
                <div class="explain-desc">{
                    if lang == Lang::Ko && !node.description_ko.is_empty() {
                        &node.description_ko
                    } else {
                        &node.description
                    }
                }</div>
                if !node.sample.is_empty() {
                    <table class="explain-sample">
                        { for node.sample.iter().map(|(labels, v)| html! {
                            <tr><td>{ series_labels(labels) }</td><td class="value">{ format_float(*v) }</td></tr>
                        }) }
                    </table>
                    if more > 0 {
                        <div class="muted explain-more">{ match lang {
                            Lang::En => format!("… and {more} more"),
                            Lang::Ko => format!("… 외 {more}개"),
                        } }</div>
                    }
                } else if node.series == 0 {
                    <div class="muted explain-more">{ lang.t("No series at this time.", "이 시각에 시리즈가 없습니다.") }</div>
                }
            </div>
            if has_children && *open {
                <ul class="explain-children">
                    { for node.children.iter().map(|c| html! {
                        <ExplainItem node={Rc::new(c.clone())} on_pick={props.on_pick.clone()} depth={props.depth + 1} />
                    }) }
                </ul>
            }
        </li>
    }
}
