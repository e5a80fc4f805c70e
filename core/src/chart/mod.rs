//! Chart drawing, generic over plotters' [`DrawingBackend`]: the same code
//! draws on an HTML canvas in the browser (plotters-canvas), into SVG for
//! tests and snapshots, or into a bitmap.
//!
//! A [`TimeSeriesChart`] is a list of series with their points and a time
//! window; [`draw_time_series`] draws it as lines on a time axis, breaking a
//! line wherever a series has no sample for longer than a step, as the
//! Prometheus graph does. Legends are left to the caller (the UI draws an
//! interactive one), which gets the colour of each series from
//! [`series_color`].
//!
//! ```
//! use plotters::prelude::*;
//! use promlab_core::chart::{draw_time_series, ChartSeries, TimeSeriesChart};
//! let mut svg = String::new();
//! {
//!     let root = SVGBackend::with_string(&mut svg, (400, 200)).into_drawing_area();
//!     let chart = TimeSeriesChart {
//!         series: vec![ChartSeries { name: "up".into(), points: vec![(0, 1.0), (15_000, 1.0)] }],
//!         start: 0, end: 15_000, step: 15_000,
//!     };
//!     draw_time_series(&root, &chart).unwrap();
//! }
//! assert!(svg.contains("<polyline"));
//! ```

pub mod table;
pub mod units;
pub mod view;

use crate::clock::{Millis, Timestamp};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeSet;
pub use units::Unit;

/// One line.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub name: String,
    pub points: Vec<(Timestamp, f64)>,
}

/// What to draw: the series and the time window `[start, end]` evaluated
/// every `step`.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSeriesChart {
    pub series: Vec<ChartSeries>,
    pub start: Timestamp,
    pub end: Timestamp,
    pub step: Millis,
}

/// The palette, chosen to stay distinguishable on a white background.
const PALETTE: [(u8, u8, u8); 10] = [
    (0x1f, 0x77, 0xb4),
    (0xe6, 0x55, 0x0d),
    (0x2c, 0xa0, 0x2c),
    (0xd6, 0x27, 0x28),
    (0x94, 0x67, 0xbd),
    (0x8c, 0x56, 0x4b),
    (0xe3, 0x77, 0xc2),
    (0x7f, 0x7f, 0x7f),
    (0xbc, 0xbd, 0x22),
    (0x17, 0xbe, 0xcf),
];

/// The colour of the `index`th series, as `(r, g, b)`.
pub fn series_color(index: usize) -> (u8, u8, u8) {
    PALETTE[index % PALETTE.len()]
}

/// The colour of the `index`th series as a CSS `#rrggbb` string.
pub fn series_css_color(index: usize) -> String {
    let (r, g, b) = series_color(index);
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// How to draw a chart besides its data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartOptions {
    /// Each series drawn on top of the ones before it, filled.
    pub stacked: bool,
    /// How the value axis is labelled.
    pub unit: Unit,
    /// The series (by index) not drawn; they keep their colour slot.
    pub hidden: BTreeSet<usize>,
}

/// Where a drawn chart put its plot, so a pointer's pixel can be read as a
/// time and a value: the plot's pixel rectangle and the data it spans.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartLayout {
    /// Left, top, right and bottom edges of the plot, in the area's pixels.
    pub left: i32,
    pub top: i32,
    pub right: i32,
    pub bottom: i32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub y_min: f64,
    pub y_max: f64,
}

impl ChartLayout {
    /// The time at horizontal pixel `x`, clamped to the plot.
    pub fn time_at(&self, x: f64) -> Timestamp {
        let width = f64::from((self.right - self.left).max(1));
        let frac = ((x - f64::from(self.left)) / width).clamp(0.0, 1.0);
        self.start
            .saturating_add(((self.end.saturating_sub(self.start)) as f64 * frac).round() as i64)
    }

    /// The horizontal pixel of time `t`.
    pub fn x_of(&self, t: Timestamp) -> f64 {
        let span = (self.end.saturating_sub(self.start)).max(1) as f64;
        f64::from(self.left)
            + (t.saturating_sub(self.start)) as f64 / span * f64::from(self.right - self.left)
    }

    /// The vertical pixel of value `v`.
    pub fn y_of(&self, v: f64) -> f64 {
        let span = self.y_max - self.y_min;
        let frac = if span > 0.0 {
            (v - self.y_min) / span
        } else {
            0.5
        };
        f64::from(self.bottom) - frac * f64::from(self.bottom - self.top)
    }

    /// Whether pixel `(x, y)` is on the plot.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        (f64::from(self.left)..=f64::from(self.right)).contains(&x)
            && (f64::from(self.top)..=f64::from(self.bottom)).contains(&y)
    }
}

/// The point nearest the pointer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hover {
    /// The series' index in the chart.
    pub series: usize,
    pub t: Timestamp,
    /// The series' own value (not its stacked height).
    pub value: f64,
    /// Where the point is drawn, in pixels.
    pub x: f64,
    pub y: f64,
}

/// The series as drawn: as they are, or each stacked on the visible ones
/// before it (a value missing at a time counts as 0 below the others).
pub fn drawn_series(chart: &TimeSeriesChart, options: &ChartOptions) -> Vec<ChartSeries> {
    let visible = |i: &usize| !options.hidden.contains(i);
    if !options.stacked {
        return chart
            .series
            .iter()
            .enumerate()
            .map(|(i, s)| ChartSeries {
                name: s.name.clone(),
                points: if visible(&i) {
                    s.points.clone()
                } else {
                    Vec::new()
                },
            })
            .collect();
    }
    let mut base: std::collections::HashMap<Timestamp, f64> = std::collections::HashMap::new();
    chart
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if !visible(&i) {
                return ChartSeries {
                    name: s.name.clone(),
                    points: Vec::new(),
                };
            }
            let points = s
                .points
                .iter()
                .map(|&(t, v)| {
                    let below = base.entry(t).or_insert(0.0);
                    if v.is_finite() {
                        *below += v;
                        (t, *below)
                    } else {
                        (t, v)
                    }
                })
                .collect();
            ChartSeries {
                name: s.name.clone(),
                points,
            }
        })
        .collect()
}

/// The visible point nearest pixel `(x, y)`: in each series the sample
/// nearest in time, then among those the nearest on screen. `drawn` are
/// the series as [`drawn_series`] gives them; `chart` has their own values.
pub fn nearest(
    chart: &TimeSeriesChart,
    drawn: &[ChartSeries],
    layout: &ChartLayout,
    x: f64,
    y: f64,
) -> Option<Hover> {
    let t = layout.time_at(x);
    let mut best: Option<(f64, Hover)> = None;
    for (i, series) in drawn.iter().enumerate() {
        let points = &series.points;
        if points.is_empty() {
            continue;
        }
        let at = points.partition_point(|p| p.0 < t);
        let candidates = [at.checked_sub(1), Some(at)];
        for j in candidates.into_iter().flatten() {
            let Some(&(pt, pv)) = points.get(j) else {
                continue;
            };
            if !pv.is_finite() {
                continue;
            }
            let (px, py) = (layout.x_of(pt), layout.y_of(pv));
            let d = (px - x).powi(2) + (py - y).powi(2);
            if best.as_ref().is_none_or(|(bd, _)| d < *bd) {
                let value = chart
                    .series
                    .get(i)
                    .and_then(|s| s.points.get(j))
                    .map_or(pv, |p| p.1);
                best = Some((
                    d,
                    Hover {
                        series: i,
                        t: pt,
                        value,
                        x: px,
                        y: py,
                    },
                ));
            }
        }
    }
    best.map(|(_, h)| h)
}

/// Draws `chart` to fill `area` as lines. An empty chart gets axes and a
/// "no data" note rather than an error.
pub fn draw_time_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeSeriesChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    draw_chart(area, chart, &ChartOptions::default()).map(|_| ())
}

/// Draws `chart` to fill `area` with `options`, and says where the plot
/// went. Stacked series are filled down to the series below them.
pub fn draw_chart<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeSeriesChart,
    options: &ChartOptions,
) -> Result<ChartLayout, DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let (start, end) = if chart.end > chart.start {
        (chart.start, chart.end)
    } else {
        (chart.start, chart.start.saturating_add(1))
    };
    let drawn = drawn_series(chart, options);
    let (y_min, y_max) = y_range(&drawn);
    let ticks = time_ticks(start, end, MAX_TIME_TICKS);
    let tick_count = ticks.len();
    let mut ctx = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(28)
        .y_label_area_size(64)
        .build_cartesian_2d((start..end).with_key_points(ticks), y_min..y_max)?;
    let span = end - start;
    let unit = options.unit;
    ctx.configure_mesh()
        .x_labels(tick_count.max(1))
        .y_labels(6)
        .x_label_formatter(&|t| format_time_label(*t, span))
        .y_label_formatter(&|v| unit.format(*v))
        .light_line_style(RGBColor(0xf5, 0xf6, 0xf8))
        .bold_line_style(RGBColor(0xe3, 0xe6, 0xeb))
        .axis_style(RGBColor(0x99, 0x99, 0x99))
        .label_style(
            ("sans-serif", 12)
                .into_font()
                .color(&RGBColor(0x55, 0x55, 0x55)),
        )
        .draw()?;
    let (xs, ys) = ctx.plotting_area().get_pixel_range();
    let layout = ChartLayout {
        left: xs.start,
        top: ys.start,
        right: xs.end,
        bottom: ys.end,
        start,
        end,
        y_min,
        y_max,
    };
    if drawn.iter().all(|s| s.points.is_empty()) {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            "no data",
            (w as i32 / 2 - 24, h as i32 / 2 - 8),
            ("sans-serif", 14)
                .into_font()
                .color(&RGBColor(0x99, 0x99, 0x99)),
        ))?;
        return Ok(layout);
    }
    let gap = chart.step.max(1);
    // What each stacked series is filled down to: the one below it.
    let mut below: std::collections::HashMap<Timestamp, f64> = std::collections::HashMap::new();
    for (i, series) in drawn.iter().enumerate() {
        let (r, g, b) = series_color(i);
        let color = RGBColor(r, g, b);
        let style = color.stroke_width(if options.stacked { 1 } else { 2 });
        for segment in segments(&series.points, gap) {
            if options.stacked && segment.len() > 1 {
                let lower = segment
                    .iter()
                    .rev()
                    .map(|&(t, _)| (t, below.get(&t).copied().unwrap_or(0.0).max(y_min)));
                let outline: Vec<(Timestamp, f64)> = segment.iter().copied().chain(lower).collect();
                ctx.draw_series(std::iter::once(Polygon::new(outline, color.mix(0.35))))?;
            }
            if segment.len() == 1 {
                // A lone sample between gaps: a dot, so it is visible.
                ctx.draw_series(std::iter::once(Circle::new(segment[0], 2, style.filled())))?;
            } else {
                ctx.draw_series(LineSeries::new(segment.iter().copied(), style))?;
            }
        }
        if options.stacked {
            for &(t, v) in &series.points {
                if v.is_finite() {
                    below.insert(t, v);
                }
            }
        }
    }
    Ok(layout)
}

/// The most labelled ticks on a time axis.
const MAX_TIME_TICKS: usize = 8;

/// Tick spacings a reader can count in: seconds, minutes, hours, days.
const TICK_STEPS: [Millis; 22] = [
    1_000,
    2_000,
    5_000,
    10_000,
    15_000,
    30_000,
    60_000,
    2 * 60_000,
    5 * 60_000,
    10 * 60_000,
    15 * 60_000,
    30 * 60_000,
    3_600_000,
    2 * 3_600_000,
    3 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    86_400_000,
    2 * 86_400_000,
    7 * 86_400_000,
    14 * 86_400_000,
    28 * 86_400_000,
];

/// Tick times for the axis `[start, end]`: multiples (in UTC) of the
/// smallest round spacing that gives at most `max` ticks.
pub fn time_ticks(start: Timestamp, end: Timestamp, max: usize) -> Vec<Timestamp> {
    let span = (end - start).max(1);
    let max = max.max(1) as i64;
    let step = TICK_STEPS
        .iter()
        .copied()
        .find(|s| span / s < max)
        .unwrap_or_else(|| (span / max).max(1));
    let first = start + (step - start.rem_euclid(step)) % step;
    (0..)
        .map(|i| first + i * step)
        .take_while(|&t| t <= end)
        .take(max as usize + 1)
        .collect()
}

/// Splits points into runs without gaps longer than `gap`, skipping values
/// that cannot be drawn (NaN, infinities).
fn segments(points: &[(Timestamp, f64)], gap: Millis) -> Vec<Vec<(Timestamp, f64)>> {
    let mut out: Vec<Vec<(Timestamp, f64)>> = Vec::new();
    let mut last_t: Option<Timestamp> = None;
    for &(t, v) in points {
        if !v.is_finite() {
            last_t = None;
            continue;
        }
        match (out.last_mut(), last_t) {
            (Some(run), Some(prev)) if t - prev <= gap => run.push((t, v)),
            _ => out.push(vec![(t, v)]),
        }
        last_t = Some(t);
    }
    out
}

/// The y range: the data's min and max with a little room, including 0
/// when the data is close to it, and never empty.
fn y_range(series: &[ChartSeries]) -> (f64, f64) {
    let values = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.1))
        .filter(|v| v.is_finite());
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if lo >= 0.0 && lo <= hi * 0.5 {
        lo = 0.0;
    }
    if hi - lo < f64::EPSILON * hi.abs().max(1.0) {
        // A flat line: centre it, with zero at an edge for a positive
        // value (a flat `up` of 1 spans 0 to 2).
        let pad = if hi == 0.0 { 1.0 } else { hi.abs() };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.05;
    if lo != 0.0 {
        lo -= pad;
    }
    hi += pad;
    (lo, hi)
}

/// A time axis label in UTC: `HH:MM` for spans under two days (with
/// seconds when the span is under ten minutes), else `MM-DD HH:MM`.
pub fn format_time_label(t: Timestamp, span: Millis) -> String {
    let Ok(dt) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(t) * 1_000_000) else {
        return String::new();
    };
    if span < 10 * 60_000 {
        format!("{:02}:{:02}:{:02}", dt.hour(), dt.minute(), dt.second())
    } else if span < 2 * 86_400_000 {
        format!("{:02}:{:02}", dt.hour(), dt.minute())
    } else {
        format!(
            "{:02}-{:02} {:02}:{:02}",
            u8::from(dt.month()),
            dt.day(),
            dt.hour(),
            dt.minute()
        )
    }
}

/// A value with an SI suffix and at most three significant digits after
/// scaling: `0`, `12`, `1.5k`, `2.25M`, `500m`, `1.2µ`.
pub fn format_si(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return crate::exposition::format_float(v);
    }
    const UP: [&str; 7] = ["", "k", "M", "G", "T", "P", "E"];
    const DOWN: [&str; 4] = ["m", "µ", "n", "p"];
    let abs = v.abs();
    let (scaled, suffix) = if abs >= 1.0 {
        let exp = ((abs.log10() / 3.0).floor() as usize).min(UP.len() - 1);
        (v / 1000f64.powi(exp as i32), UP[exp])
    } else {
        let exp = ((-abs.log10() / 3.0).ceil() as usize).clamp(1, DOWN.len());
        (v * 1000f64.powi(exp as i32), DOWN[exp - 1])
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn si_formatting() {
        let cases = [
            (0.0, "0"),
            (12.0, "12"),
            (1500.0, "1.5k"),
            (2_250_000.0, "2.25M"),
            (0.5, "500m"),
            (-0.0012, "-1.2m"),
            (0.0000012, "1.2µ"),
            (999.999, "1000"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            assert_eq!(format_si(v), want, "{v}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn time_labels_follow_the_span() {
        let t = 1_767_225_600_000 + 3_723_000; // 2026-01-01 01:02:03 UTC
        assert_eq!(format_time_label(t, 60_000), "01:02:03");
        assert_eq!(format_time_label(t, 3_600_000), "01:02");
        assert_eq!(format_time_label(t, 7 * 86_400_000), "01-01 01:02");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn time_ticks_fall_on_round_times() {
        let base = 1_767_225_600_000; // midnight UTC
                                      // 15 minutes from 00:00:40: every 2 minutes, from 00:02.
        let ticks = time_ticks(base + 40_000, base + 940_000, 8);
        assert_eq!(ticks.first(), Some(&(base + 120_000)));
        assert!(ticks.windows(2).all(|w| w[1] - w[0] == 120_000));
        assert_eq!(ticks.len(), 7);
        // An hour: every 10 minutes.
        let ticks = time_ticks(base, base + 3_600_000, 8);
        assert_eq!(ticks.len(), 7);
        assert_eq!(ticks[1] - ticks[0], 600_000);
        // Degenerate spans still give something to draw.
        assert_eq!(time_ticks(base, base, 8), vec![base]);
        assert!(time_ticks(0, 1_000 * 86_400_000 * 365, 8).len() <= 9);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn segments_break_at_gaps_and_non_finite_values() {
        let pts = [
            (0, 1.0),
            (15, 2.0),
            (45, 3.0),
            (60, f64::NAN),
            (75, 4.0),
            (90, 5.0),
        ];
        let segs = segments(&pts, 15);
        assert_eq!(
            segs,
            vec![
                vec![(0, 1.0), (15, 2.0)],
                vec![(45, 3.0)],
                vec![(75, 4.0), (90, 5.0)]
            ]
        );
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn y_range_includes_zero_for_positive_data_and_pads_flat_lines() {
        let s = |pts: Vec<f64>| {
            vec![ChartSeries {
                name: String::new(),
                points: pts
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i as i64, v))
                    .collect(),
            }]
        };
        assert_eq!(y_range(&s(vec![])), (0.0, 1.0));
        let (lo, hi) = y_range(&s(vec![2.0, 6.0]));
        assert_eq!(lo, 0.0);
        assert!(hi > 6.0);
        assert_eq!(y_range(&s(vec![0.0, 0.0])), (-1.0, 1.0));
        assert_eq!(y_range(&s(vec![1.0, 1.0])), (0.0, 2.0));
        assert_eq!(y_range(&s(vec![-3.0])), (-6.0, 0.0));
    }

    fn two_series() -> TimeSeriesChart {
        TimeSeriesChart {
            series: vec![
                ChartSeries {
                    name: "a".into(),
                    points: vec![(0, 1.0), (10, 2.0), (20, f64::NAN), (30, 4.0)],
                },
                ChartSeries {
                    name: "b".into(),
                    points: vec![(10, 10.0), (20, 20.0), (30, 30.0)],
                },
            ],
            start: 0,
            end: 30,
            step: 10,
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn stacking_adds_the_visible_series_below() {
        let chart = two_series();
        let stacked = ChartOptions {
            stacked: true,
            ..ChartOptions::default()
        };
        let drawn = drawn_series(&chart, &stacked);
        assert_eq!(drawn[0].points[..2], chart.series[0].points[..2]);
        assert_eq!(drawn[1].points, vec![(10, 12.0), (20, 20.0), (30, 34.0)]);
        // A hidden series is not drawn and not stacked on.
        let hidden = ChartOptions {
            hidden: BTreeSet::from([0]),
            ..stacked
        };
        let drawn = drawn_series(&chart, &hidden);
        assert!(drawn[0].points.is_empty());
        assert_eq!(drawn[1].points, chart.series[1].points);
        // Lines: the values as they are.
        let drawn = drawn_series(&chart, &ChartOptions::default());
        assert_eq!(drawn[1].points, chart.series[1].points);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_pointer_finds_the_nearest_point_on_screen() {
        let chart = two_series();
        let layout = ChartLayout {
            left: 100,
            top: 0,
            right: 400,
            bottom: 300,
            start: 0,
            end: 30,
            y_min: 0.0,
            y_max: 30.0,
        };
        assert_eq!(layout.time_at(250.0), 15);
        assert_eq!(layout.time_at(0.0), 0);
        assert_eq!(layout.x_of(30), 400.0);
        assert_eq!(layout.y_of(15.0), 150.0);
        assert!(layout.contains(100.0, 300.0) && !layout.contains(99.0, 10.0));
        let options = ChartOptions {
            stacked: true,
            ..ChartOptions::default()
        };
        let drawn = drawn_series(&chart, &options);
        let cases = [
            // (x, y) -> (series, t, own value)
            ((390.0, 0.0), Some((1, 30, 30.0))),
            ((390.0, 290.0), Some((0, 30, 4.0))),
            ((100.0, 290.0), Some((0, 0, 1.0))),
            // Near b's stacked height at t=10 (12 of 30).
            ((200.0, 180.0), Some((1, 10, 10.0))),
        ];
        for ((x, y), want) in cases {
            let got = nearest(&chart, &drawn, &layout, x, y).map(|h| (h.series, h.t, h.value));
            assert_eq!(got, want, "({x}, {y})");
        }
        let nothing = drawn_series(
            &chart,
            &ChartOptions {
                hidden: BTreeSet::from([0, 1]),
                ..ChartOptions::default()
            },
        );
        assert_eq!(nearest(&chart, &nothing, &layout, 200.0, 100.0), None);
    }

    /// Drawing into SVG natively: each series becomes its own polyline in
    /// its own colour. (Under wasm32 plotters measures text with the
    /// browser's canvas, so this runs natively only; the web crate's tests
    /// draw on a real canvas.)
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn draws_each_series_in_its_colour() {
        let chart = TimeSeriesChart {
            series: vec![
                ChartSeries {
                    name: "a".into(),
                    points: (0..10).map(|i| (i * 15_000, i as f64)).collect(),
                },
                ChartSeries {
                    name: "b".into(),
                    points: (0..10).map(|i| (i * 15_000, 10.0 - i as f64)).collect(),
                },
            ],
            start: 0,
            end: 135_000,
            step: 15_000,
        };
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (640, 240)).into_drawing_area();
            draw_time_series(&root, &chart).unwrap();
        }
        for i in 0..2 {
            let stroke = format!("stroke=\"{}\"", series_css_color(i).to_uppercase());
            assert_eq!(
                svg.matches(&stroke).count(),
                1,
                "one line for series {i}: {svg}"
            );
        }
        // Time labels on the x axis, formatted for a span of minutes.
        let time_labels = regex::Regex::new(r">\s*\d\d:\d\d:\d\d\s*<").unwrap();
        assert!(time_labels.find_iter(&svg).count() >= 3, "{svg}");
        assert!(svg.contains("00:00:00"), "{svg}");

        let mut empty = String::new();
        {
            let root = SVGBackend::with_string(&mut empty, (640, 240)).into_drawing_area();
            draw_time_series(
                &root,
                &TimeSeriesChart {
                    series: vec![],
                    start: 0,
                    end: 1000,
                    step: 1,
                },
            )
            .unwrap();
        }
        assert!(empty.contains("no data"));
        assert!(!empty.contains(&series_css_color(0).to_uppercase()));

        // Stacked: each series is filled, and the layout maps the data's
        // corners onto the plot.
        let mut stacked = String::new();
        let layout = {
            let root = SVGBackend::with_string(&mut stacked, (640, 240)).into_drawing_area();
            let options = ChartOptions {
                stacked: true,
                unit: Unit::Bytes,
                ..ChartOptions::default()
            };
            draw_chart(&root, &chart, &options).unwrap()
        };
        assert_eq!(stacked.matches("<polygon").count(), 2, "{stacked}");
        let byte_labels = regex::Regex::new(r">\s*\d+ B\s*<").unwrap();
        assert!(byte_labels.is_match(&stacked), "byte labels: {stacked}");
        assert!(layout.left > 0 && layout.right <= 640 && layout.top >= 0 && layout.bottom <= 240);
        assert_eq!((layout.start, layout.end), (0, 135_000));
        assert_eq!(layout.y_min, 0.0);
        // a + b is 10 at every step: the stack tops out there.
        assert!(
            (10.0..11.0).contains(&layout.y_max),
            "the stack's top: {layout:?}"
        );
    }
}
