//! A time-series graph on a canvas, drawn by the core's chart code through
//! plotters-canvas, with a legend that hides and shows series.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use promlab_core::chart::{draw_time_series, series_css_color, ChartSeries, TimeSeriesChart};
use std::collections::BTreeSet;
use std::rc::Rc;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

/// The graph's height in CSS pixels; the width follows the container.
const HEIGHT: u32 = 320;

#[derive(Properties, PartialEq)]
pub struct GraphProps {
    pub chart: Rc<TimeSeriesChart>,
}

/// Draws `chart` on `canvas`, sized to the canvas's layout width. Returns
/// false when the canvas cannot be drawn on.
pub fn draw_on_canvas(canvas: &HtmlCanvasElement, chart: &TimeSeriesChart) -> bool {
    let width = canvas.client_width().max(200) as u32;
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != HEIGHT {
        canvas.set_height(HEIGHT);
    }
    let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
        return false;
    };
    let root = backend.into_drawing_area();
    draw_time_series(&root, chart).is_ok() && root.present().is_ok()
}

#[function_component(Graph)]
pub fn graph(props: &GraphProps) -> Html {
    let canvas = use_node_ref();
    let hidden = use_state(BTreeSet::<usize>::new);

    {
        let canvas = canvas.clone();
        let chart = props.chart.clone();
        let hidden_now = (*hidden).clone();
        use_effect_with((chart, hidden_now), move |(chart, hidden)| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                // Hidden series keep their slot so colours stay put.
                let visible = TimeSeriesChart {
                    series: chart
                        .series
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            if hidden.contains(&i) {
                                ChartSeries {
                                    name: s.name.clone(),
                                    points: Vec::new(),
                                }
                            } else {
                                s.clone()
                            }
                        })
                        .collect(),
                    ..(**chart).clone()
                };
                let drawn = draw_on_canvas(&el, &visible);
                el.set_attribute("data-drawn", if drawn { "true" } else { "false" })
                    .ok();
            }
        });
    }

    let toggle = |i: usize| {
        let hidden = hidden.clone();
        Callback::from(move |_| {
            let mut next = (*hidden).clone();
            if !next.remove(&i) {
                next.insert(i);
            }
            hidden.set(next);
        })
    };

    html! {
        <div class="graph">
            <canvas id="graph" ref={canvas} style={format!("width: 100%; height: {HEIGHT}px")}></canvas>
            <ul class="legend">
                { for props.chart.series.iter().enumerate().map(|(i, s)| html! {
                    <li class={classes!("legend-item", hidden.contains(&i).then_some("hidden"))}
                        onclick={toggle(i)} title="Click to hide or show this series">
                        <span class="swatch" style={format!("background: {}", series_css_color(i))}></span>
                        <span class="legend-name">{ &s.name }</span>
                    </li>
                }) }
            </ul>
        </div>
    }
}
