//! The playground: type a PromQL expression and see it as a table (the
//! instant query), a graph (the range query) or its explained tree. The
//! view — query, tab, the graph's range, end, resolution and mode — is the
//! URL's query string (`#/query?expr=up&tab=graph&range=1h`), so a link
//! shows the same view and runs it; the queries run are kept in the
//! history. While the graph's end follows the clock, results follow it:
//! when new samples arrive, the query runs again (unless a run is still
//! on its way). A slow run can be cancelled: its answer is then dropped.

use crate::app::{LabContext, Route};
use crate::components::explain::ExplainTree;
use crate::components::graph::{Graph, GraphControls};
use crate::components::history::HistoryMenu;
use crate::components::query_editor::{QueryEditor, QueryError};
use crate::components::result_table::ResultTable;
use crate::i18n::Lang;
use crate::storage;
use gloo::timers::callback::Timeout;
use promlab_core::api::{
    ApiData, ApiRequest, ApiResponse, LabRequest, LabResponse, QueryResult, Request, Response,
};
use promlab_core::chart::view::{PlaygroundView, QueryHistory, Tab};
use promlab_core::chart::{ChartSeries, TimeSeriesChart, Unit};
use promlab_core::promql::ExplainNode;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

/// The localStorage key of the history.
const HISTORY_KEY: &str = "query-history";

/// The most warnings (and, apart, infos) listed over a result.
const NOTES_SHOWN: usize = 3;

/// How long a run may take before the page says it is running and offers
/// to cancel it (shorter runs would only flicker).
const SLOW_MS: u32 = 300;

/// A run's answer, for the tab it was asked for.
#[derive(Clone, PartialEq)]
enum Outcome {
    Table {
        result: QueryResult,
        time: i64,
    },
    Graph {
        chart: Rc<TimeSeriesChart>,
        unit: Unit,
    },
    Explain {
        tree: Rc<ExplainNode>,
    },
}

/// What the playground shows of the last run.
#[derive(Clone, PartialEq, Default)]
struct Shown {
    /// The view the outcome or error belongs to.
    view: Option<PlaygroundView>,
    outcome: Option<Outcome>,
    error: Option<QueryError>,
    warnings: Vec<String>,
    infos: Vec<String>,
    /// The last run was cancelled.
    cancelled: bool,
}

/// Runs in flight: only the answer of the latest is shown.
#[derive(Default)]
struct Runs {
    generation: u64,
    /// The view of the run on its way, if any.
    in_flight: Option<PlaygroundView>,
    /// A view whose run was cancelled: the clock does not start it again.
    cancelled: Option<PlaygroundView>,
}

/// The part of a view a run depends on (the mode is only drawing).
fn run_key(view: &PlaygroundView) -> PlaygroundView {
    PlaygroundView {
        stacked: false,
        ..view.clone()
    }
}

fn error_of(query: &str, resp: &ApiResponse) -> Option<QueryError> {
    match resp {
        ApiResponse::Error(e) => Some(QueryError {
            query: query.to_string(),
            message: e.error.clone(),
            span: e.span,
        }),
        _ => None,
    }
}

/// Turns an API answer into what is shown.
fn shown_from_api(view: &PlaygroundView, time: i64, resp: ApiResponse) -> Shown {
    let mut shown = Shown {
        view: Some(view.clone()),
        ..Shown::default()
    };
    match resp {
        ApiResponse::Success {
            data: ApiData::Query(result),
            warnings,
            infos,
        } => {
            shown.warnings = warnings;
            shown.infos = infos;
            shown.outcome = Some(match (view.tab, result) {
                (Tab::Graph, QueryResult::Matrix(m)) => {
                    let (start, end) = view.window(time);
                    let unit = Unit::guess(m.iter().map(|s| s.metric.metric_name()), &view.expr);
                    Outcome::Graph {
                        chart: Rc::new(TimeSeriesChart {
                            series: m
                                .iter()
                                .map(|s| ChartSeries {
                                    name: s.metric.to_string(),
                                    points: s.values.iter().map(|p| (p.t, p.v)).collect(),
                                })
                                .collect(),
                            start,
                            end,
                            step: view.effective_step(),
                        }),
                        unit,
                    }
                }
                (_, result) => Outcome::Table { result, time },
            });
        }
        ApiResponse::Success { .. } => {}
        other => shown.error = error_of(&view.expr, &other),
    }
    shown
}

/// Sends the request `view`'s tab needs, at `now`; `done` gets what to
/// show.
fn run(ctx: &LabContext, view: &PlaygroundView, now: i64, done: impl FnOnce(Shown) + 'static) {
    let time = view.end.unwrap_or(now);
    let view = view.clone();
    match view.tab {
        Tab::Table => {
            let request = Request::Api(ApiRequest::Query {
                query: view.expr.clone(),
                time: Some(time),
            });
            ctx.client.send(request, move |resp| {
                if let Response::Api(r) = resp {
                    done(shown_from_api(&view, time, r));
                }
            });
        }
        Tab::Graph => {
            let (start, end) = view.window(now);
            let request = Request::Api(ApiRequest::QueryRange {
                query: view.expr.clone(),
                start,
                end,
                step: view.effective_step(),
            });
            ctx.client.send(request, move |resp| {
                if let Response::Api(r) = resp {
                    done(shown_from_api(&view, now, r));
                }
            });
        }
        Tab::Explain => {
            let request = Request::Lab(LabRequest::Explain {
                query: view.expr.clone(),
                time: Some(time),
            });
            ctx.client.send(request, move |resp| {
                let mut shown = Shown {
                    view: Some(view.clone()),
                    ..Shown::default()
                };
                match resp {
                    Response::Lab(LabResponse::Explain { tree }) => {
                        shown.outcome = Some(Outcome::Explain {
                            tree: Rc::new(tree),
                        });
                    }
                    Response::Lab(LabResponse::Error { message }) => {
                        shown.error = Some(QueryError {
                            query: view.expr.clone(),
                            message,
                            span: None,
                        });
                    }
                    _ => {}
                }
                done(shown);
            });
        }
    }
}

/// The stored history; a corrupt one is reset (and said so in the
/// console).
fn load_history() -> QueryHistory {
    match storage::load::<QueryHistory>(HISTORY_KEY) {
        Ok(h) => h.unwrap_or_default(),
        Err(e) => {
            gloo::console::warn!(e);
            QueryHistory::default()
        }
    }
}

#[function_component(Playground)]
pub fn playground() -> Html {
    let ctx = use_context::<LabContext>();
    let location = use_location();
    let navigator = use_navigator();
    let input = use_state(String::new);
    // The view as the URL gives it (read on the first render).
    let view = {
        let query = location
            .as_ref()
            .map(|l| l.query_str().to_string())
            .unwrap_or_default();
        use_state(move || PlaygroundView::from_query(&query).0)
    };
    let history = use_state(|| Rc::new(load_history()));
    let shown = use_state(Shown::default);
    let runs = use_mut_ref(Runs::default);
    let slow = use_state(|| false);
    // Bumped by each explicit run, so running the same view runs it again.
    let nonce = use_state(|| 0u64);
    let storage_error = use_state(|| None::<String>);

    // A link's problems (a bad range, an unknown tab) are said once.
    let link_problems = {
        let query = location
            .as_ref()
            .map(|l| l.query_str().to_string())
            .unwrap_or_default();
        use_memo(query, |q| PlaygroundView::from_query(q).1)
    };

    let Some(ctx) = ctx else {
        return html! {};
    };
    let lang = ctx.lang;
    let now = ctx.status.as_ref().map(|s| s.now);
    let samples = ctx.status.as_ref().map(|s| s.samples);

    // The URL changed (a link opened, back or forward): take its view,
    // and its query into the editor when it brings another one. A bare
    // `#/query` (the navigation's link) gets the current view written back.
    {
        let view = view.clone();
        let input = input.clone();
        let navigator = navigator.clone();
        let first = use_mut_ref(|| true);
        let query = location
            .as_ref()
            .map(|l| l.query_str().to_string())
            .unwrap_or_default();
        use_effect_with(query, move |query| {
            let (from_url, _) = PlaygroundView::from_query(query);
            let is_first = std::mem::replace(&mut *first.borrow_mut(), false);
            if query.trim_start_matches('?').is_empty() && !view.expr.is_empty() {
                if let Some(nav) = &navigator {
                    let _ = nav.replace_with_query(&Route::Query, view.to_pairs());
                }
            } else if from_url != *view {
                if from_url.expr != view.expr {
                    input.set(from_url.expr.clone());
                }
                view.set(from_url);
            } else if is_first {
                input.set(from_url.expr);
            }
        });
    }

    // Writes a view to the URL; `push` adds a history entry (a run), else
    // the entry is replaced (a setting changed).
    let set_view = {
        let view = view.clone();
        let navigator = navigator.clone();
        Callback::from(move |(next, push): (PlaygroundView, bool)| {
            if let Some(nav) = &navigator {
                let pairs = next.to_pairs();
                let written = if push {
                    nav.push_with_query(&Route::Query, pairs)
                } else {
                    nav.replace_with_query(&Route::Query, pairs)
                };
                if let Err(e) = written {
                    gloo::console::warn!(format!("the view could not be written to the URL: {e}"));
                }
            }
            view.set(next);
        })
    };

    // Runs the view when it changes, and again when new samples arrive
    // while it follows the clock.
    {
        let ctx = ctx.clone();
        let shown = shown.clone();
        let runs = runs.clone();
        let slow = slow.clone();
        let key = run_key(&view);
        let follows = view.end.is_none();
        let tick = if follows { samples } else { None };
        use_effect_with(
            (key, tick, now.is_some(), *nonce),
            move |(key, _, ready, _)| {
                let Some(now) = ctx.status.as_ref().map(|s| s.now) else {
                    return;
                };
                if key.expr.trim().is_empty() || !*ready {
                    return;
                }
                {
                    let r = runs.borrow();
                    // The clock moved while this view's run is on its way or
                    // after it was cancelled: leave it.
                    if r.in_flight.as_ref() == Some(key) || r.cancelled.as_ref() == Some(key) {
                        return;
                    }
                }
                let generation = {
                    let mut r = runs.borrow_mut();
                    r.generation += 1;
                    r.in_flight = Some(key.clone());
                    r.cancelled = None;
                    r.generation
                };
                {
                    let runs = runs.clone();
                    let slow = slow.clone();
                    Timeout::new(SLOW_MS, move || {
                        if runs.borrow().generation == generation
                            && runs.borrow().in_flight.is_some()
                        {
                            slow.set(true);
                        }
                    })
                    .forget();
                }
                run(&ctx, key, now, move |answer| {
                    {
                        let mut r = runs.borrow_mut();
                        if r.generation != generation {
                            return;
                        }
                        r.in_flight = None;
                    }
                    slow.set(false);
                    shown.set(answer);
                });
            },
        );
    }

    // Runs `query`: kept in the history, written to the URL, run.
    let run_query = {
        let view = view.clone();
        let history = history.clone();
        let set_view = set_view.clone();
        let runs = runs.clone();
        let storage_error = storage_error.clone();
        let nonce = nonce.clone();
        Callback::from(move |query: String| {
            let query = query.trim().to_string();
            if query.is_empty() {
                return;
            }
            let mut next = (**history).clone();
            next.push(&query);
            storage_error.set(storage::save(HISTORY_KEY, &next).err());
            history.set(Rc::new(next));
            // Running the same view again is a new run, even mid-flight.
            {
                let mut r = runs.borrow_mut();
                r.in_flight = None;
                r.cancelled = None;
            }
            let next_view = PlaygroundView {
                expr: query,
                ..(*view).clone()
            };
            let same = next_view == *view;
            set_view.emit((next_view, !same));
            nonce.set(*nonce + 1);
        })
    };
    let execute = {
        let (input, run_query) = (input.clone(), run_query.clone());
        Callback::from(move |()| run_query.emit((*input).clone()))
    };

    let on_change = {
        let input = input.clone();
        Callback::from(move |v: String| input.set(v))
    };
    let on_pick_history = {
        let input = input.clone();
        Callback::from(move |q: String| {
            input.set(q.clone());
            run_query.emit(q);
        })
    };
    let on_clear_history = {
        let history = history.clone();
        Callback::from(move |()| {
            storage::remove(HISTORY_KEY);
            history.set(Rc::new(QueryHistory::default()));
        })
    };
    let on_tab = |tab: Tab| {
        let (view, set_view) = (view.clone(), set_view.clone());
        Callback::from(move |_: MouseEvent| {
            if view.tab != tab {
                set_view.emit((
                    PlaygroundView {
                        tab,
                        ..(*view).clone()
                    },
                    false,
                ));
            }
        })
    };
    let on_settings = {
        let set_view = set_view.clone();
        Callback::from(move |next: PlaygroundView| set_view.emit((next, false)))
    };
    let cancel = {
        let runs = runs.clone();
        let slow = slow.clone();
        let shown = shown.clone();
        let view = view.clone();
        Callback::from(move |_: MouseEvent| {
            {
                let mut r = runs.borrow_mut();
                r.generation += 1;
                r.in_flight = None;
                r.cancelled = Some(run_key(&view));
            }
            slow.set(false);
            shown.set(Shown {
                cancelled: true,
                ..Shown::default()
            });
        })
    };
    let on_pick_node = {
        let input = input.clone();
        Callback::from(move |expr: String| input.set(expr))
    };

    let current = (*view).clone();
    let fresh = shown.view.as_ref().map(run_key) == Some(run_key(&current));
    let error = shown.error.clone().filter(|_| fresh);
    let tab_button = |tab: Tab, en: &'static str, ko: &'static str| {
        html! {
            <button type="button" role="tab" id={format!("tab-{}", tab.name())}
                class={classes!("tab", (current.tab == tab).then_some("active"))}
                aria-selected={(current.tab == tab).to_string()} onclick={on_tab(tab)}>
                { lang.t(en, ko) }
            </button>
        }
    };

    html! {
        <section class="card playground">
            <div class="playground-head">
                <h2>{ lang.t("Query", "쿼리") }</h2>
                <HistoryMenu history={(*history).clone()} on_pick={on_pick_history} on_clear={on_clear_history} />
            </div>
            <QueryEditor value={(*input).clone()} {on_change} on_execute={execute} {error}
                lang={match lang { Lang::En => promlab_core::promql::docs::Lang::En, Lang::Ko => promlab_core::promql::docs::Lang::Ko }} />
            if let Some(e) = &*storage_error {
                <div class="note warn">{ lang.t("The history was not saved: ", "기록을 저장하지 못했습니다: ") }{ e }</div>
            }
            if !link_problems.is_empty() {
                <div class="note warn" id="link-problems">
                    { lang.t("Parts of the link were not understood and left at their default: ",
                             "링크의 일부를 읽지 못해 기본값으로 두었습니다: ") }
                    { link_problems.join("; ") }
                </div>
            }
            <div class="tabs-row">
                <div class="tabs" role="tablist">
                    { tab_button(Tab::Table, "Table", "표") }
                    { tab_button(Tab::Graph, "Graph", "그래프") }
                    { tab_button(Tab::Explain, "Explain", "설명") }
                </div>
                <div class={classes!("run-state", (!*slow).then_some("idle"))} aria-live="polite">
                    <span class="spinner" aria-hidden="true"></span>
                    <span>{ lang.t("Running…", "실행 중…") }</span>
                    <button type="button" id="cancel-query" onclick={cancel} disabled={!*slow}>
                        { lang.t("Cancel", "취소") }
                    </button>
                </div>
            </div>
            if current.tab == Tab::Graph {
                <GraphControls view={current.clone()} {now} on_change={on_settings} />
            }
            <div class="tab-panel">
                if shown.cancelled {
                    <div class="note" id="query-cancelled">{ lang.t(
                        "Cancelled: the answer of this run will be ignored. Run the query again to see it.",
                        "취소됨: 이번 실행의 결과는 무시됩니다. 다시 보려면 쿼리를 다시 실행하세요.",
                    ) }</div>
                } else if current.expr.is_empty() {
                    <p class="muted hint">
                        { lang.t("Try ", "예: ") }<code>{"ping_request_count"}</code>{ lang.t(" or ", " 또는 ") }<code>{"up"}</code>
                        { lang.t(": press ", ". ") }<em>{ lang.t("Send ping", "핑 보내기") }</em>
                        { lang.t(" a few times, let 15 seconds pass, and watch the counter.",
                                 " 버튼을 몇 번 누르고 15초가 지나면 카운터가 바뀌는 것을 볼 수 있습니다.") }
                    </p>
                } else {
                    { outcome_view(&shown, fresh, &current, lang, on_pick_node) }
                }
            </div>
        </section>
    }
}

/// The answer of the last run, in its tab's form, with the engine's
/// warnings and infos.
fn outcome_view(
    shown: &Shown,
    fresh: bool,
    current: &PlaygroundView,
    lang: Lang,
    on_pick_node: Callback<String>,
) -> Html {
    // A query over many series can carry an annotation for each: the
    // first few are shown and the rest counted.
    let more = |n: usize| {
        (n > NOTES_SHOWN).then(|| match lang {
            Lang::En => format!("… and {} more", n - NOTES_SHOWN),
            Lang::Ko => format!("… 외 {}개", n - NOTES_SHOWN),
        })
    };
    let notes = html! {
        <>
            { for shown.warnings.iter().take(NOTES_SHOWN).map(|w| html! { <div class="note warn">{ lang.t("Warning: ", "경고: ") }{ w }</div> }) }
            if let Some(m) = more(shown.warnings.len()) { <div class="note warn">{ m }</div> }
            { for shown.infos.iter().take(NOTES_SHOWN).map(|i| html! { <div class="note info">{ lang.t("Info: ", "정보: ") }{ i }</div> }) }
            if let Some(m) = more(shown.infos.len()) { <div class="note info">{ m }</div> }
        </>
    };
    // An answer for another tab is not shown under this one.
    let outcome = shown.outcome.as_ref().filter(|o| {
        matches!(
            (o, current.tab),
            (Outcome::Table { .. }, Tab::Table)
                | (Outcome::Graph { .. }, Tab::Graph)
                | (Outcome::Explain { .. }, Tab::Explain)
        )
    });
    let body = match outcome {
        Some(Outcome::Table { result, time }) => html! {
            <ResultTable result={result.clone()} time={*time} />
        },
        Some(Outcome::Graph { chart, unit }) => html! {
            <Graph chart={chart.clone()} stacked={current.stacked} unit={*unit} />
        },
        Some(Outcome::Explain { tree }) => html! {
            <ExplainTree tree={tree.clone()} on_pick={on_pick_node} />
        },
        None if shown.error.is_some() => html! {},
        None => {
            html! { <div class="muted loading">{ lang.t("Waiting for the engine…", "엔진의 응답을 기다리는 중…") }</div> }
        }
    };
    html! {
        <div class={classes!("outcome", (!fresh).then_some("stale"))}>
            { notes }
            { body }
        </div>
    }
}
