//! The web app's components in a real browser (headless Chromium through
//! wasm-bindgen-test): tables render rows, graphs put pixels on a canvas,
//! and the whole app answers clicks and typing.
#![cfg(target_arch = "wasm32")]

use promlab_core::api::{Point, QueryResult, VectorSample};
use promlab_core::chart::{series_color, ChartSeries, TimeSeriesChart};
use promlab_core::labels::Labels;
use promlab_web::components::graph::draw_on_canvas;
use promlab_web::components::result_table::{ResultTable, ResultTableProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::{document, mount_point, settle, wait_for};

#[wasm_bindgen_test]
async fn result_table_shows_one_row_per_series() {
    let root = mount_point();
    let sample = |job: &str, v: f64| VectorSample {
        metric: Labels::from_pairs([("__name__", "up"), ("job", job)]),
        value: Point { t: 0, v },
    };
    let props = ResultTableProps {
        result: QueryResult::Vector(vec![sample("a", 1.0), sample("b", f64::NAN)]),
        time: 1_767_225_600_000,
    };
    let handle = yew::Renderer::<ResultTable>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let rows = root.query_selector_all("tbody tr").unwrap();
    assert_eq!(rows.length(), 2);
    let text = root.text_content().unwrap();
    assert!(text.contains("up{job=\"a\"}"), "{text}");
    assert!(text.contains("NaN"), "{text}");
    assert!(text.contains("2 series"), "{text}");
    assert!(text.contains("2026-01-01T00:00:00Z"), "{text}");
    handle.destroy();
}

#[wasm_bindgen_test]
async fn graph_draws_series_pixels_on_a_canvas() {
    let canvas: HtmlCanvasElement = document()
        .create_element("canvas")
        .unwrap()
        .dyn_into()
        .unwrap();
    canvas
        .set_attribute("style", "width: 600px; height: 320px")
        .unwrap();
    document().body().unwrap().append_child(&canvas).unwrap();
    let chart = TimeSeriesChart {
        series: vec![ChartSeries {
            name: "ping_request_count".into(),
            points: (0..60).map(|i| (i * 15_000, (i / 10) as f64)).collect(),
        }],
        start: 0,
        end: 59 * 15_000,
        step: 15_000,
    };
    assert!(draw_on_canvas(&canvas, &chart));
    assert_eq!(canvas.width(), 600);
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .unwrap()
        .unwrap()
        .dyn_into()
        .unwrap();
    let data = ctx.get_image_data(0.0, 0.0, 600.0, 320.0).unwrap().data();
    let (r, g, b) = series_color(0);
    let near = |a: u8, b: u8| a.abs_diff(b) < 24;
    let colored = data
        .chunks(4)
        .filter(|p| near(p[0], r) && near(p[1], g) && near(p[2], b))
        .count();
    assert!(colored > 300, "only {colored} pixels in the series colour");
}

#[wasm_bindgen_test]
async fn the_app_counts_pings_and_answers_a_query() {
    let root = mount_point();
    let props = promlab_web::app::AppProps {
        client: Some(promlab_web::bridge::LabClient::in_page(1_767_225_600_000)),
    };
    let handle =
        yew::Renderer::<promlab_web::app::App>::with_root_and_props(root.clone(), props).render();
    let ping: HtmlElement = wait_for(&root, "#send-ping").await.dyn_into().unwrap();
    for _ in 0..6 {
        ping.click();
    }
    settle().await;
    assert_eq!(
        wait_for(&root, "#ping-count").await.text_content().unwrap(),
        "6"
    );
    let step: HtmlElement = wait_for(&root, "#step-15s").await.dyn_into().unwrap();
    step.click();
    settle().await;

    let input: HtmlTextAreaElement = wait_for(&root, "#query-input").await.dyn_into().unwrap();
    input.set_value("ping_request_count");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    settle().await;
    let execute: HtmlElement = wait_for(&root, "#execute").await.dyn_into().unwrap();
    execute.click();
    let value = wait_for(&root, ".result-table td.value").await;
    assert_eq!(value.text_content().unwrap(), "6");
    let graph_tab: HtmlElement = wait_for(&root, "#tab-graph").await.dyn_into().unwrap();
    graph_tab.click();
    let canvas = wait_for(&root, "canvas#graph[data-drawn=\"true\"]").await;
    assert!(canvas.is_connected());

    // A query that does not parse: the error is shown with its span
    // marked, and the app keeps working.
    input.set_value("ping_request_count{");
    input
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    settle().await;
    // The editor colours the query and checks it as it is typed, before
    // it runs.
    let metric = wait_for(&root, ".editor-highlight .tok-metric").await;
    assert_eq!(metric.text_content().unwrap(), "ping_request_count");
    let err = wait_for(&root, ".query-error").await;
    assert!(err.text_content().unwrap().contains("parse error"));
    execute.click();
    let err = wait_for(&root, ".query-error").await;
    let text = err.text_content().unwrap();
    assert!(
        text.contains("parse error: unexpected end of input"),
        "{text}"
    );
    assert!(root.query_selector(".error-span").unwrap().is_some());
    ping.click();
    settle().await;
    assert_eq!(
        root.query_selector("#ping-count")
            .unwrap()
            .unwrap()
            .text_content()
            .unwrap(),
        "7"
    );
    handle.destroy();
}
