//! The playground: type a PromQL expression, see it as a table (instant
//! query at the lab's current time) and as a graph (range query over the
//! last 15 minutes). Results follow the clock: when new samples arrive, the
//! last executed query runs again.

use crate::app::LabContext;
use crate::components::graph::Graph;
use crate::components::query_box::{QueryBox, QueryError};
use crate::components::result_table::ResultTable;
use promlab_core::api::{ApiData, ApiRequest, ApiResponse, QueryResult, Request, Response};
use promlab_core::chart::{ChartSeries, TimeSeriesChart};
use std::rc::Rc;
use yew::prelude::*;

/// The graph's window.
const GRAPH_RANGE_MS: i64 = 15 * 60_000;

/// The step the Prometheus UI picks for a range: about 250 points, at
/// least one second.
fn default_step(range_ms: i64) -> i64 {
    (range_ms / 250 / 1000).max(1) * 1000
}

/// What the last run showed. Each answer arrives on its own, in any order,
/// as it would from a worker or a server.
#[derive(Clone, PartialEq, Default)]
struct Results {
    table: Option<(QueryResult, i64)>,
    chart: Option<Rc<TimeSeriesChart>>,
    error: Option<QueryError>,
}

enum Answer {
    /// The instant query's answer, for the table.
    Instant {
        query: String,
        time: i64,
        response: ApiResponse,
    },
    /// The range query's answer, for the graph.
    Range {
        query: String,
        start: i64,
        end: i64,
        step: i64,
        response: ApiResponse,
    },
}

impl Reducible for Results {
    type Action = Answer;

    fn reduce(self: Rc<Self>, action: Answer) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Answer::Instant {
                query,
                time,
                response,
            } => match response {
                ApiResponse::Success {
                    data: ApiData::Query(r),
                    ..
                } => {
                    next.table = Some((r, time));
                    next.error = None;
                }
                other => {
                    next.table = None;
                    next.error = to_error(&query, &other);
                }
            },
            Answer::Range {
                query,
                start,
                end,
                step,
                response,
            } => match response {
                ApiResponse::Success {
                    data: ApiData::Query(QueryResult::Matrix(m)),
                    ..
                } => {
                    next.chart = Some(Rc::new(TimeSeriesChart {
                        series: m
                            .iter()
                            .map(|s| ChartSeries {
                                name: s.metric.to_string(),
                                points: s.values.iter().map(|p| (p.t, p.v)).collect(),
                            })
                            .collect(),
                        start,
                        end,
                        step,
                    }));
                }
                other => {
                    next.chart = None;
                    if next.error.is_none() {
                        next.error = to_error(&query, &other);
                    }
                }
            },
        }
        Rc::new(next)
    }
}

fn to_error(query: &str, resp: &ApiResponse) -> Option<QueryError> {
    match resp {
        ApiResponse::Error(e) => Some(QueryError {
            query: query.to_string(),
            message: e.error.clone(),
            span: e.span,
        }),
        _ => None,
    }
}

/// Runs `query` at `now`: the instant query for the table, the range query
/// for the graph; `results` takes each answer as it comes.
fn run(ctx: &LabContext, query: &str, now: i64, results: UseReducerDispatcher<Results>) {
    let step = default_step(GRAPH_RANGE_MS);
    let (start, end) = (now - GRAPH_RANGE_MS, now);
    let instant = Request::Api(ApiRequest::Query {
        query: query.to_string(),
        time: Some(now),
    });
    let range = Request::Api(ApiRequest::QueryRange {
        query: query.to_string(),
        start,
        end,
        step,
    });
    {
        let (results, query) = (results.clone(), query.to_string());
        ctx.client.send(instant, move |resp| {
            if let Response::Api(response) = resp {
                results.dispatch(Answer::Instant {
                    query,
                    time: now,
                    response,
                });
            }
        });
    }
    let query = query.to_string();
    ctx.client.send(range, move |resp| {
        if let Response::Api(response) = resp {
            results.dispatch(Answer::Range {
                query,
                start,
                end,
                step,
                response,
            });
        }
    });
}

#[function_component(Playground)]
pub fn playground() -> Html {
    let Some(ctx) = use_context::<LabContext>() else {
        return html! {};
    };
    let input = use_state(String::new);
    let executed = use_state(|| None::<String>);
    let results = use_reducer(Results::default);
    let now = ctx.status.as_ref().map(|s| s.now);
    let samples = ctx.status.as_ref().map(|s| s.samples);

    let execute = {
        let ctx = ctx.clone();
        let input = input.clone();
        let executed = executed.clone();
        let results = results.clone();
        Callback::from(move |()| {
            let query = input.trim().to_string();
            if query.is_empty() {
                executed.set(None);
                return;
            }
            // Before the lab's first answer there is no time to query at;
            // the query runs as soon as the lab reports (see below).
            if let Some(now) = ctx.status.as_ref().map(|s| s.now) {
                run(&ctx, &query, now, results.dispatcher());
            }
            executed.set(Some(query));
        })
    };

    // New samples: run the executed query again at the new time.
    {
        let ctx = ctx.clone();
        let executed = executed.clone();
        let results = results.clone();
        use_effect_with(samples, move |_| {
            if let (Some(query), Some(now)) = ((*executed).clone(), now) {
                run(&ctx, &query, now, results.dispatcher());
            }
        });
    }

    let on_change = {
        let input = input.clone();
        Callback::from(move |v: String| input.set(v))
    };
    let error = executed.is_some().then(|| results.error.clone()).flatten();

    html! {
        <section class="card playground">
            <h2>{"Query"}</h2>
            <QueryBox value={(*input).clone()} {on_change} on_execute={execute} {error} />
            if executed.is_some() {
                if let Some(chart) = &results.chart {
                    <div class="panel">
                        <h3>{"Graph"}<span class="muted">{" · last 15 minutes"}</span></h3>
                        <Graph chart={chart.clone()} />
                    </div>
                }
                if let Some((table, time)) = &results.table {
                    <div class="panel">
                        <h3>{"Table"}</h3>
                        <ResultTable result={table.clone()} time={*time} />
                    </div>
                }
            } else {
                <p class="muted hint">
                    {"Try "}<code>{"ping_request_count"}</code>{" or "}<code>{"up"}</code>
                    {": press "}<em>{"Send ping"}</em>{" a few times, let 15 seconds pass, and watch the counter."}
                </p>
            }
        </section>
    }
}
