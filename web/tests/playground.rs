//! The playground in a real browser (headless Chromium through
//! wasm-bindgen-test): the table sorts on a header click, runs are kept in
//! the history, the view round-trips through the URL, and how many series
//! the graph draws in under 100 ms.
#![cfg(target_arch = "wasm32")]

use promlab_core::api::{Point, QueryResult, VectorSample};
use promlab_core::chart::{ChartOptions, ChartSeries, TimeSeriesChart};
use promlab_core::labels::Labels;
use promlab_web::components::graph::draw_chart_on_canvas;
use promlab_web::components::result_table::{ResultTable, ResultTableProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlCanvasElement, HtmlElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::{document, mount_point, settle, wait_for};

async fn wait_until(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..150 {
        if cond() {
            return;
        }
        settle().await;
    }
    panic!("{what} did not happen");
}

fn click(root: &Element, selector: &str) {
    let el: HtmlElement = root
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no {selector}"))
        .dyn_into()
        .unwrap();
    el.click();
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.text_content().unwrap_or_default())
        .collect()
}

fn hash() -> String {
    web_sys::window().unwrap().location().hash().unwrap()
}

fn set_hash(h: &str) {
    web_sys::window().unwrap().location().set_hash(h).unwrap();
}

fn type_query(root: &Element, query: &str) {
    let input: HtmlTextAreaElement = root
        .query_selector("#query-input")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    input.set_value(query);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

/// The app on `client` (one lab shared by the mounts of a test: building
/// one takes a while in a debug build).
fn app(
    root: &Element,
    client: &promlab_web::bridge::LabClient,
) -> yew::AppHandle<promlab_web::app::App> {
    let props = promlab_web::app::AppProps {
        client: Some(client.clone()),
    };
    yew::Renderer::<promlab_web::app::App>::with_root_and_props(root.clone(), props).render()
}

#[wasm_bindgen_test]
async fn the_table_sorts_by_a_clicked_column_and_caps_large_results() {
    let root = mount_point();
    let sample = |job: &str, v: f64| VectorSample {
        metric: Labels::from_pairs([("__name__", "up"), ("job", job)]),
        value: Point { t: 0, v },
    };
    let props = ResultTableProps {
        result: QueryResult::Vector(vec![
            sample("b", 2.0),
            sample("c", f64::NAN),
            sample("a", 10.0),
        ]),
        time: 1_767_225_600_000,
    };
    let handle = yew::Renderer::<ResultTable>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let jobs = |root: &Element| texts(root, "tbody .label-value");
    let values = |root: &Element| texts(root, "tbody td.value");
    assert_eq!(jobs(&root), ["a", "b", "c"], "by series at first");
    click(&root, "th.value button");
    settle().await;
    assert_eq!(values(&root), ["10", "2", "NaN"], "largest value first");
    click(&root, "th.value button");
    settle().await;
    assert_eq!(values(&root), ["2", "10", "NaN"], "then smallest; NaN last");
    click(&root, "th.series-col button");
    settle().await;
    assert_eq!(jobs(&root), ["a", "b", "c"]);
    click(&root, "th.series-col button");
    settle().await;
    assert_eq!(jobs(&root), ["c", "b", "a"]);
    assert_eq!(
        root.query_selector("th.series-col")
            .unwrap()
            .unwrap()
            .get_attribute("aria-sort")
            .as_deref(),
        Some("descending")
    );
    handle.destroy();

    // Five thousand series: a thousand rows and a note of the rest.
    let root = mount_point();
    let many: Vec<VectorSample> = (0..5000)
        .map(|i| sample(&format!("job{i:05}"), i as f64))
        .collect();
    let props = ResultTableProps {
        result: QueryResult::Vector(many),
        time: 0,
    };
    let handle = yew::Renderer::<ResultTable>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert_eq!(root.query_selector_all("tbody tr").unwrap().length(), 1000);
    let note = wait_for(&root, ".result-capped")
        .await
        .text_content()
        .unwrap();
    assert!(
        note.contains("1000 of 5000") && note.contains("4000"),
        "{note}"
    );
    assert!(root.text_content().unwrap().contains("5000 series"));
    handle.destroy();

    // A scalar is one row.
    let root = mount_point();
    let props = ResultTableProps {
        result: QueryResult::Scalar(Point { t: 0, v: 42.0 }),
        time: 0,
    };
    let handle = yew::Renderer::<ResultTable>::with_root_and_props(root.clone(), props).render();
    settle().await;
    assert_eq!(values(&root), ["42"]);
    assert!(root.text_content().unwrap().contains("scalar"));
    handle.destroy();
}

#[wasm_bindgen_test]
async fn runs_are_kept_in_the_history_and_the_view_in_the_url() {
    promlab_web::storage::remove("query-history");
    set_hash("");
    let client = promlab_web::bridge::LabClient::in_page(1_767_225_600_000);
    let root = mount_point();
    let handle = app(&root, &client);
    wait_for(&root, "#query-input").await;
    wait_for(&root, "#clock-time").await;

    for q in ["up", "ping_request_count", "up"] {
        type_query(&root, q);
        settle().await;
        click(&root, "#execute");
        settle().await;
    }
    wait_for(&root, ".result-table td.value").await;
    // Stored most recent first, once each.
    let stored: Vec<String> = promlab_web::storage::load("query-history")
        .unwrap()
        .unwrap();
    assert_eq!(stored, ["up", "ping_request_count"]);
    assert!(
        hash().starts_with("#/query?expr=up&tab=table"),
        "{}",
        hash()
    );

    // The dropdown lists them; picking one runs it.
    click(&root, "#history-toggle");
    let items = {
        wait_for(&root, ".history-item").await;
        texts(&root, ".history-item")
    };
    assert_eq!(items, ["up", "ping_request_count"]);
    click(&root, ".history-item:nth-child(2)");
    wait_until("the picked query runs", || {
        hash().contains("expr=ping_request_count")
    })
    .await;
    settle().await;
    assert!(root.query_selector(".history-menu").unwrap().is_none());

    // The graph tab and its settings go into the URL.
    click(&root, "#tab-graph");
    wait_for(&root, "canvas#graph[data-drawn=\"true\"]").await;
    let range: HtmlSelectElement = wait_for(&root, "#graph-range").await.dyn_into().unwrap();
    range.set_value(&(15 * 60_000).to_string());
    range
        .dispatch_event(&web_sys::Event::new("change").unwrap())
        .unwrap();
    wait_until("the range is in the URL", || hash().contains("range=15m")).await;
    settle().await;
    assert!(hash().contains("tab=graph"), "{}", hash());
    click(&root, "#mode-stacked");
    wait_until("the mode is in the URL", || hash().contains("stacked=1")).await;
    handle.destroy();
    root.remove();

    // The same URL opened again shows the same view and runs it.
    let root = mount_point();
    let handle = app(&root, &client);
    wait_for(&root, "canvas#graph[data-drawn=\"true\"]").await;
    let input: HtmlTextAreaElement = wait_for(&root, "#query-input").await.dyn_into().unwrap();
    assert_eq!(input.value(), "ping_request_count");
    let range: HtmlSelectElement = wait_for(&root, "#graph-range").await.dyn_into().unwrap();
    assert_eq!(range.value(), (15 * 60_000).to_string());
    assert!(wait_for(&root, "#mode-stacked.active").await.is_connected());
    assert_eq!(texts(&root, ".legend-name").len(), 1);
    handle.destroy();
    root.remove();

    // A link with parts that do not read says so and shows the rest.
    set_hash("/query?expr=up&tab=explain&range=banana");
    let root = mount_point();
    let handle = app(&root, &client);
    let problems = wait_for(&root, "#link-problems")
        .await
        .text_content()
        .unwrap();
    assert!(problems.contains("range"), "{problems}");
    let expr = wait_for(&root, ".explain-expr")
        .await
        .text_content()
        .unwrap();
    assert_eq!(expr, "up");
    handle.destroy();
    root.remove();
    set_hash("");
    promlab_web::storage::remove("query-history");
}

/// How many series of 250 points (the automatic resolution's count) the
/// graph draws on a 1200-pixel canvas in under 100 ms, doubling until it
/// takes longer. Prints the figure.
#[wasm_bindgen_test]
async fn how_many_series_draw_in_100_ms() {
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas
        .set_attribute("style", "width: 1200px; height: 320px")
        .unwrap();
    document().body().unwrap().append_child(&canvas).unwrap();
    let performance = web_sys::window().unwrap().performance().unwrap();
    let chart = |n: usize| TimeSeriesChart {
        series: (0..n)
            .map(|s| ChartSeries {
                name: format!("s{s}"),
                points: (0..250)
                    .map(|i| {
                        (
                            i * 14_000,
                            ((i as f64 / 20.0) + s as f64).sin() + s as f64 * 0.01,
                        )
                    })
                    .collect(),
            })
            .collect(),
        start: 0,
        end: 249 * 14_000,
        step: 14_000,
    };
    let mut fits = 0;
    let mut n = 10;
    while n <= 10_240 {
        let c = chart(n);
        let started = performance.now();
        assert!(draw_chart_on_canvas(&canvas, &c, &ChartOptions::default()).is_some());
        let ms = performance.now() - started;
        web_sys::console::log_1(
            &format!("graph: {n} series x 250 points drawn in {ms:.1} ms").into(),
        );
        if ms >= 100.0 {
            break;
        }
        fits = n;
        n *= 2;
    }
    web_sys::console::log_1(&format!("graph: at least {fits} series draw in under 100 ms").into());
    assert!(fits >= 20, "only {fits} series draw in under 100 ms");
    canvas.remove();
}
