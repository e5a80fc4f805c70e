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

use crate::clock::{Millis, Timestamp};
use plotters::coord::Shift;
use plotters::prelude::*;

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

/// Draws `chart` to fill `area`. An empty chart gets axes and a "no data"
/// note rather than an error.
pub fn draw_time_series<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &TimeSeriesChart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    area.fill(&WHITE)?;
    let (start, end) = if chart.end > chart.start {
        (chart.start, chart.end)
    } else {
        (chart.start, chart.start + 1)
    };
    let (y_min, y_max) = y_range(&chart.series);
    let ticks = time_ticks(start, end, MAX_TIME_TICKS);
    let tick_count = ticks.len();
    let mut ctx = ChartBuilder::on(area)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(28)
        .y_label_area_size(56)
        .build_cartesian_2d((start..end).with_key_points(ticks), y_min..y_max)?;
    let span = end - start;
    ctx.configure_mesh()
        .x_labels(tick_count.max(1))
        .y_labels(6)
        .x_label_formatter(&|t| format_time_label(*t, span))
        .y_label_formatter(&|v| format_si(*v))
        .light_line_style(RGBColor(0xf5, 0xf6, 0xf8))
        .bold_line_style(RGBColor(0xe3, 0xe6, 0xeb))
        .axis_style(RGBColor(0x99, 0x99, 0x99))
        .label_style(
            ("sans-serif", 12)
                .into_font()
                .color(&RGBColor(0x55, 0x55, 0x55)),
        )
        .draw()?;
    if chart.series.iter().all(|s| s.points.is_empty()) {
        let (w, h) = area.dim_in_pixel();
        area.draw(&Text::new(
            "no data",
            (w as i32 / 2 - 24, h as i32 / 2 - 8),
            ("sans-serif", 14)
                .into_font()
                .color(&RGBColor(0x99, 0x99, 0x99)),
        ))?;
        return Ok(());
    }
    let gap = chart.step.max(1);
    for (i, series) in chart.series.iter().enumerate() {
        let (r, g, b) = series_color(i);
        let style = RGBColor(r, g, b).stroke_width(2);
        for segment in segments(&series.points, gap) {
            if segment.len() == 1 {
                // A lone sample between gaps: a dot, so it is visible.
                ctx.draw_series(std::iter::once(Circle::new(segment[0], 2, style.filled())))?;
            } else {
                ctx.draw_series(LineSeries::new(segment.iter().copied(), style))?;
            }
        }
    }
    Ok(())
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
    }
}
