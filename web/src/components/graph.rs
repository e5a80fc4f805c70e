//! A time-series graph on a canvas, drawn by the core's chart code through
//! plotters-canvas: lines or stacked, values in the unit the metric names
//! say, a tooltip with the point nearest the pointer (found by the core's
//! [`nearest`]), and a legend where a click hides or shows a series and a
//! double-click (or Ctrl/Shift-click) shows that series alone.
//!
//! [`GraphControls`] holds the range, end time, resolution and mode.

use crate::app::LabContext;
use crate::i18n::Lang;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use promlab_core::api::{format_rfc3339, parse_time};
use promlab_core::chart::view::{auto_step, PlaygroundView, RANGES, STEPS};
use promlab_core::chart::{
    draw_chart, drawn_series, nearest, series_css_color, ChartLayout, ChartOptions, ChartSeries,
    Hover, TimeSeriesChart, Unit,
};
use promlab_core::duration::format_duration;
use std::collections::BTreeSet;
use std::rc::Rc;
use web_sys::{HtmlCanvasElement, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The graph's height in CSS pixels; the width follows the container.
const HEIGHT: u32 = 320;

/// The most legend entries listed; the rest are counted.
const LEGEND_LIMIT: usize = 200;

/// Draws `chart` on `canvas` with `options`, sized to the canvas's layout
/// width. Returns where the plot went, or `None` when the canvas cannot be
/// drawn on.
pub fn draw_chart_on_canvas(
    canvas: &HtmlCanvasElement,
    chart: &TimeSeriesChart,
    options: &ChartOptions,
) -> Option<ChartLayout> {
    let width = canvas.client_width().max(200) as u32;
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != HEIGHT {
        canvas.set_height(HEIGHT);
    }
    let backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    let root = backend.into_drawing_area();
    let layout = draw_chart(&root, chart, options).ok()?;
    root.present().ok()?;
    Some(layout)
}

/// Draws `chart` as lines. Returns false when the canvas cannot be drawn
/// on.
pub fn draw_on_canvas(canvas: &HtmlCanvasElement, chart: &TimeSeriesChart) -> bool {
    draw_chart_on_canvas(canvas, chart, &ChartOptions::default()).is_some()
}

#[derive(Properties, PartialEq)]
pub struct GraphProps {
    pub chart: Rc<TimeSeriesChart>,
    #[prop_or_default]
    pub stacked: bool,
    #[prop_or_default]
    pub unit: Unit,
}

/// What the last drawing left for the pointer: the plot's place and the
/// series as drawn.
#[derive(Default)]
struct Drawn {
    layout: Option<ChartLayout>,
    series: Vec<ChartSeries>,
    /// Where the pointer is over the canvas, so the tooltip follows a
    /// redrawn chart (new samples) without the pointer moving.
    pointer: Option<(f64, f64)>,
}

/// The point under `pointer` on the drawn chart.
fn hover_at(chart: &TimeSeriesChart, drawn: &Drawn) -> Option<Hover> {
    let (x, y) = drawn.pointer?;
    let layout = drawn.layout?;
    layout
        .contains(x, y)
        .then(|| nearest(chart, &drawn.series, &layout, x, y))
        .flatten()
}

#[function_component(Graph)]
pub fn graph(props: &GraphProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let canvas = use_node_ref();
    // Hidden series by name, so a re-run that reorders them keeps the
    // choice.
    let hidden = use_state(BTreeSet::<String>::new);
    let hover = use_state(|| None::<Hover>);
    let drawn = use_mut_ref(Drawn::default);

    let options = ChartOptions {
        stacked: props.stacked,
        unit: props.unit,
        hidden: props
            .chart
            .series
            .iter()
            .enumerate()
            .filter(|(_, s)| hidden.contains(&s.name))
            .map(|(i, _)| i)
            .collect(),
    };

    {
        let canvas = canvas.clone();
        let chart = props.chart.clone();
        let drawn = drawn.clone();
        let hover = hover.clone();
        use_effect_with((chart, options.clone()), move |(chart, options)| {
            if let Some(el) = canvas.cast::<HtmlCanvasElement>() {
                let layout = draw_chart_on_canvas(&el, chart, options);
                let mut d = drawn.borrow_mut();
                d.layout = layout;
                d.series = drawn_series(chart, options);
                el.set_attribute(
                    "data-drawn",
                    if layout.is_some() { "true" } else { "false" },
                )
                .ok();
                hover.set(hover_at(chart, &d));
            }
        });
    }

    let onmousemove = {
        let chart = props.chart.clone();
        let drawn = drawn.clone();
        let hover = hover.clone();
        Callback::from(move |e: MouseEvent| {
            let mut d = drawn.borrow_mut();
            d.pointer = Some((f64::from(e.offset_x()), f64::from(e.offset_y())));
            let found = hover_at(&chart, &d);
            if *hover != found {
                hover.set(found);
            }
        })
    };
    let onmouseleave = {
        let hover = hover.clone();
        let drawn = drawn.clone();
        Callback::from(move |_: MouseEvent| {
            drawn.borrow_mut().pointer = None;
            hover.set(None);
        })
    };

    let on_legend = {
        let hidden = hidden.clone();
        let names: Rc<Vec<String>> =
            Rc::new(props.chart.series.iter().map(|s| s.name.clone()).collect());
        Callback::from(move |(name, isolate): (String, bool)| {
            let mut next = (*hidden).clone();
            if isolate {
                let alone =
                    names.iter().all(|n| *n == name || next.contains(n)) && !next.contains(&name);
                next = if alone {
                    BTreeSet::new()
                } else {
                    names.iter().filter(|n| **n != name).cloned().collect()
                };
            } else if !next.remove(&name) {
                next.insert(name);
            }
            hidden.set(next);
        })
    };

    let tooltip = hover.as_ref().and_then(|h| {
        let series = props.chart.series.get(h.series)?;
        let layout = drawn.borrow().layout?;
        // Flip to the left of the pointer in the plot's right half.
        let right_half = h.x > f64::from(layout.left + layout.right) / 2.0;
        let style = if right_half {
            format!("right: calc(100% - {}px + 12px); top: {}px", h.x, h.y.max(8.0))
        } else {
            format!("left: {}px; top: {}px", h.x + 12.0, h.y.max(8.0))
        };
        Some(html! {
            <>
                <div class="graph-marker" style={format!("left: {}px; top: {}px; background: {}", h.x, h.y, series_css_color(h.series))}></div>
                <div class="graph-cursor" style={format!("left: {}px; top: {}px; height: {}px", h.x, layout.top, layout.bottom - layout.top)}></div>
                <div class="graph-tooltip" {style} role="tooltip">
                    <div class="tooltip-time">{ format_rfc3339(h.t) }</div>
                    <div class="tooltip-series">
                        <span class="swatch" style={format!("background: {}", series_css_color(h.series))}></span>
                        <span class="tooltip-name">{ &series.name }</span>
                    </div>
                    <div class="tooltip-value">{ props.unit.format(h.value) }
                        if props.unit != Unit::Plain {
                            <span class="muted">{ format!(" ({})", promlab_core::exposition::format_float(h.value)) }</span>
                        }
                    </div>
                </div>
            </>
        })
    });

    let names: Rc<Vec<String>> =
        Rc::new(props.chart.series.iter().map(|s| s.name.clone()).collect());
    html! {
        <div class="graph">
            <div class="graph-canvas" {onmousemove} {onmouseleave}>
                <canvas id="graph" ref={canvas} style={format!("width: 100%; height: {HEIGHT}px")}
                    aria-label={lang.t("Graph of the query's series", "쿼리 시리즈 그래프")}></canvas>
                // Always there, so the canvas keeps its place among the
                // children (yew matches unkeyed children from the end; a
                // tooltip appearing after it would replace the canvas).
                <div class="graph-overlay">{ for tooltip }</div>
            </div>
            <Legend {names} hidden={Rc::new((*hidden).clone())} on_click={on_legend} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LegendProps {
    names: Rc<Vec<String>>,
    hidden: Rc<BTreeSet<String>>,
    /// A series' name, and whether to show it alone.
    on_click: Callback<(String, bool)>,
}

/// The legend, its own component so a pointer moving over the graph does
/// not redraw a long list.
#[function_component(Legend)]
fn legend(props: &LegendProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let more = props.names.len().saturating_sub(LEGEND_LIMIT);
    let hint = lang.t(
        "Click: hide or show. Double-click or Ctrl+click: show only this series (again: show all).",
        "클릭: 숨기기/보이기. 더블클릭 또는 Ctrl+클릭: 이 시리즈만 보기 (다시 하면 모두 보기).",
    );
    html! {
        <div class="legend-wrap">
            <ul class="legend">
                { for props.names.iter().take(LEGEND_LIMIT).enumerate().map(|(i, name)| {
                    let onclick = {
                        let (cb, name) = (props.on_click.clone(), name.clone());
                        Callback::from(move |e: MouseEvent| {
                            let isolate = e.ctrl_key() || e.meta_key() || e.shift_key();
                            cb.emit((name.clone(), isolate));
                        })
                    };
                    let ondblclick = {
                        let (cb, name) = (props.on_click.clone(), name.clone());
                        Callback::from(move |e: MouseEvent| {
                            e.prevent_default();
                            cb.emit((name.clone(), true));
                        })
                    };
                    html! {
                        <li class={classes!("legend-item", props.hidden.contains(name).then_some("hidden"))}
                            {onclick} {ondblclick} title={hint}>
                            <span class="swatch" style={format!("background: {}", series_css_color(i))}></span>
                            <span class="legend-name">{ name }</span>
                        </li>
                    }
                }) }
            </ul>
            if more > 0 {
                <div class="muted legend-more">{ match lang {
                    Lang::En => format!("{more} more series are drawn but not listed."),
                    Lang::Ko => format!("시리즈 {more}개는 그려졌지만 목록에는 없습니다."),
                } }</div>
            }
        </div>
    }
}

/// A change to a view, from a control's new value.
type Edit = Box<dyn Fn(&mut PlaygroundView, String)>;

#[derive(Properties, PartialEq)]
pub struct GraphControlsProps {
    pub view: PlaygroundView,
    /// The lab's time, to show what "now" is.
    pub now: Option<i64>,
    pub on_change: Callback<PlaygroundView>,
}

/// The graph's settings: range, end time, resolution, lines or stacked.
#[function_component(GraphControls)]
pub fn graph_controls(props: &GraphControlsProps) -> Html {
    let lang = use_context::<LabContext>()
        .map(|c| c.lang)
        .unwrap_or_default();
    let end_error = use_state(|| None::<String>);
    let end_text = use_state(|| props.view.end.map(format_rfc3339).unwrap_or_default());
    {
        // The end shown follows the view when it changes elsewhere.
        let end_text = end_text.clone();
        let end_error = end_error.clone();
        use_effect_with(props.view.end, move |end| {
            end_text.set(end.map(format_rfc3339).unwrap_or_default());
            end_error.set(None);
        });
    }
    let view = &props.view;
    let change = |f: Edit| {
        let (view, on_change) = (view.clone(), props.on_change.clone());
        move |value: String| {
            let mut next = view.clone();
            f(&mut next, value);
            on_change.emit(next);
        }
    };

    let on_range = {
        let set = change(Box::new(|v, value| {
            if let Some(ms) = value.parse::<i64>().ok().filter(|ms| *ms > 0) {
                v.range = ms;
            }
        }));
        Callback::from(move |e: Event| {
            let el: HtmlSelectElement = e.target_unchecked_into();
            set(el.value());
        })
    };
    let on_step = {
        let set = change(Box::new(|v, value| {
            v.step = value.parse::<i64>().ok().filter(|ms| *ms > 0);
        }));
        Callback::from(move |e: Event| {
            let el: HtmlSelectElement = e.target_unchecked_into();
            set(el.value());
        })
    };
    let set_mode = |stacked: bool| {
        let set = change(Box::new(move |v, _| v.stacked = stacked));
        Callback::from(move |_: MouseEvent| set(String::new()))
    };
    let commit_end = {
        let (view, on_change) = (view.clone(), props.on_change.clone());
        let end_error = end_error.clone();
        Callback::from(move |text: String| {
            let text = text.trim().to_string();
            let end = if text.is_empty() {
                None
            } else {
                match parse_time(&text) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        end_error.set(Some(e));
                        return;
                    }
                }
            };
            end_error.set(None);
            if end != view.end {
                on_change.emit(PlaygroundView {
                    end,
                    ..view.clone()
                });
            }
        })
    };
    let on_end_input = {
        let end_text = end_text.clone();
        Callback::from(move |e: InputEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            end_text.set(el.value());
        })
    };
    let on_end_key = {
        let commit = commit_end.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                let el: HtmlInputElement = e.target_unchecked_into();
                commit.emit(el.value());
            }
        })
    };
    let on_end_blur = {
        let commit = commit_end.clone();
        Callback::from(move |e: FocusEvent| {
            let el: HtmlInputElement = e.target_unchecked_into();
            commit.emit(el.value());
        })
    };
    let to_now = {
        let commit = commit_end.clone();
        Callback::from(move |_: MouseEvent| commit.emit(String::new()))
    };
    // Moves the end by half the range, as the Prometheus UI's arrows do.
    let shift = |forward: bool| {
        let (view, on_change, now) = (view.clone(), props.on_change.clone(), props.now);
        Callback::from(move |_: MouseEvent| {
            let Some(base) = view.end.or(now) else { return };
            let half = view.range / 2;
            let end = if forward {
                base.saturating_add(half)
            } else {
                base.saturating_sub(half)
            };
            // Past the clock's time is the clock's time: follow it.
            let end = match now {
                Some(now) if end >= now => None,
                _ => Some(end),
            };
            on_change.emit(PlaygroundView {
                end,
                ..view.clone()
            });
        })
    };

    let mut ranges: Vec<i64> = RANGES.to_vec();
    if !ranges.contains(&view.range) {
        ranges.push(view.range);
        ranges.sort_unstable();
    }
    let mut steps: Vec<i64> = STEPS.to_vec();
    if let Some(s) = view.step.filter(|s| !steps.contains(s)) {
        steps.push(s);
        steps.sort_unstable();
    }
    let auto = format_duration(auto_step(view.range));

    html! {
        <div class="graph-controls">
            <label class="control">
                <span class="control-label">{ lang.t("Range", "범위") }</span>
                <select id="graph-range" onchange={on_range}>
                    { for ranges.iter().map(|r| html! {
                        <option value={r.to_string()} selected={*r == view.range}>{ format_duration(*r) }</option>
                    }) }
                </select>
            </label>
            <div class="control">
                <span class="control-label">{ lang.t("End", "끝 시각") }</span>
                <button type="button" class="icon" id="graph-back" onclick={shift(false)}
                    title={lang.t("Back by half the range", "범위의 절반만큼 뒤로")}>{"◀"}</button>
                <input id="graph-end" type="text" class={classes!("end-input", end_error.is_some().then_some("invalid"))}
                    value={(*end_text).clone()} oninput={on_end_input} onkeydown={on_end_key} onblur={on_end_blur}
                    placeholder={lang.t("now (follows the clock)", "지금 (시계를 따라감)")}
                    title={lang.t("RFC 3339 (2026-01-01T09:00:00Z) or Unix seconds; empty follows the clock",
                                  "RFC 3339 (2026-01-01T09:00:00Z) 또는 유닉스 초; 비우면 시계를 따라감")} />
                <button type="button" class="icon" id="graph-forward" onclick={shift(true)}
                    title={lang.t("Forward by half the range", "범위의 절반만큼 앞으로")}>{"▶"}</button>
                <button type="button" id="graph-now" onclick={to_now} disabled={view.end.is_none()}>
                    { lang.t("Now", "지금") }
                </button>
            </div>
            <label class="control">
                <span class="control-label">{ lang.t("Resolution", "해상도") }</span>
                <select id="graph-step" onchange={on_step}>
                    <option value="auto" selected={view.step.is_none()}>
                        { match lang { Lang::En => format!("auto ({auto})"), Lang::Ko => format!("자동 ({auto})") } }
                    </option>
                    { for steps.iter().map(|s| html! {
                        <option value={s.to_string()} selected={view.step == Some(*s)}>{ format_duration(*s) }</option>
                    }) }
                </select>
            </label>
            <div class="control segmented" role="group" aria-label={lang.t("Mode", "모드")}>
                <button type="button" id="mode-lines" class={classes!((!view.stacked).then_some("active"))}
                    onclick={set_mode(false)}>{ lang.t("Lines", "선") }</button>
                <button type="button" id="mode-stacked" class={classes!(view.stacked.then_some("active"))}
                    onclick={set_mode(true)}>{ lang.t("Stacked", "누적") }</button>
            </div>
            if let Some(e) = &*end_error {
                <div class="control-error" role="alert">{ lang.t("End time: ", "끝 시각: ") }{ e }</div>
            }
        </div>
    }
}
