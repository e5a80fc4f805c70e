//! The kernels against the real Prometheus 3.5: random-ish but
//! deterministic inputs (counters with resets, gaps, few samples, odd
//! windows; histograms with repeated, unsorted, non-monotonic and missing
//! buckets; groups with infinities and NaNs) are written as one
//! `promtool test rules` file with an empty expectation per query, so
//! promtool prints every value it computes (shortest round-trip digits);
//! each must agree with the kernel's within a relative 1e-9, and where the
//! kernel returns nothing promtool must print nothing.
//!
//! promtool is found in `$PROMLAB_REFERENCE_BIN` (default
//! `~/.cache/promlab-reference/bin`); `cargo xtask reference` installs it.

#![cfg(not(target_arch = "wasm32"))]

use promlab_core::clock::Timestamp;
use promlab_core::labels::Labels;
use promlab_core::promql::kernels::aggregate::{
    aggregate, bottomk, limit_ratio_keeps, topk, ValueAggregation,
};
use promlab_core::promql::kernels::float::almost_equal;
use promlab_core::promql::kernels::histogram::{histogram_fraction, histogram_quantile};
use promlab_core::promql::kernels::math::{date_part, DatePart};
use promlab_core::promql::kernels::range::{window, Point, RangeArgs, RangeFunction};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::Command;

/// Agreement required with Prometheus.
const TOLERANCE: f64 = 1e-9;

fn promtool() -> PathBuf {
    let bin = std::env::var_os("PROMLAB_REFERENCE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let cache = std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .unwrap_or_else(|| PathBuf::from(".cache"));
            cache.join("promlab-reference").join("bin")
        });
    let promtool = bin.join("promtool");
    assert!(
        promtool.is_file(),
        "promtool not found at {}: run `cargo xtask reference`",
        promtool.display()
    );
    promtool
}

/// SplitMix64: a fixed sequence, so every run tests the same inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// A number in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// A float in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// One query and what the kernels say it returns: the samples as promtool
/// prints them (labels text, value).
struct Case {
    kind: &'static str,
    expr: String,
    eval_ms: Timestamp,
    want: Vec<(String, f64)>,
}

/// A `promtool test rules` test group: series loaded every `interval_ms`.
struct Group {
    interval_ms: i64,
    series: Vec<(String, String)>,
    cases: Vec<Case>,
}

fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 { "Inf" } else { "-Inf" }.into()
    } else {
        format!("{v}")
    }
}

/// A series' values in promtool's notation, `_` for a step without one.
fn values_text(values: &[Option<f64>]) -> String {
    values
        .iter()
        .map(|v| v.map_or_else(|| "_".to_string(), num))
        .collect::<Vec<_>>()
        .join(" ")
}

fn samples(interval_ms: i64, values: &[Option<f64>]) -> Vec<Point> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i as i64 * interval_ms, v)))
        .collect()
}

/// A counter: rising by random amounts, resetting now and then, with gaps.
fn counter(rng: &mut Rng, len: usize) -> Vec<Option<f64>> {
    let mut v = if rng.chance(0.5) {
        0.0
    } else {
        (rng.below(1000) as f64) / 4.0
    };
    let gap = *rng.pick(&[0.0, 0.1, 0.3]);
    (0..len)
        .map(|_| {
            if rng.chance(0.08) {
                // A reset: to zero, or to a small value (a missed scrape).
                v = if rng.chance(0.5) {
                    0.0
                } else {
                    rng.below(20) as f64
                };
            } else {
                v += match rng.below(4) {
                    0 => 0.0,
                    1 => rng.below(10) as f64,
                    2 => rng.unit() * 100.0,
                    _ => rng.below(5000) as f64 / 8.0,
                };
            }
            (!rng.chance(gap)).then_some(v)
        })
        .collect()
}

/// Values at the ends of the float range, for the `*_over_time`
/// functions: sums that overflow, infinities, NaN.
fn extreme(rng: &mut Rng, len: usize) -> Vec<Option<f64>> {
    let values = [
        1e308,
        -1e308,
        9.988_465_674_311_58e307,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e100,
        -1e100,
        1.0,
        0.5,
        52.0,
    ];
    (0..len).map(|_| Some(*rng.pick(&values))).collect()
}

/// A gauge: a random walk that may go negative, with gaps.
fn gauge(rng: &mut Rng, len: usize) -> Vec<Option<f64>> {
    let mut v = rng.unit() * 200.0 - 100.0;
    let gap = *rng.pick(&[0.0, 0.2]);
    (0..len)
        .map(|_| {
            v += (rng.unit() - 0.5) * *rng.pick(&[1.0, 10.0, 1000.0]);
            if rng.chance(0.05) {
                v = (v * 4.0).round() / 4.0;
            }
            (!rng.chance(gap)).then_some(v)
        })
        .collect()
}

fn duration(ms: i64) -> String {
    format!("{ms}ms")
}

/// Range-vector functions: 420 queries, the first 300 rate, increase and
/// delta.
fn range_group(rng: &mut Rng, interval_ms: i64, first_id: usize, n: usize) -> Group {
    let mut group = Group {
        interval_ms,
        series: Vec::new(),
        cases: Vec::new(),
    };
    let others = [
        "irate",
        "idelta",
        "deriv",
        "predict_linear",
        "resets",
        "changes",
        "avg_over_time",
        "sum_over_time",
        "min_over_time",
        "max_over_time",
        "count_over_time",
        "last_over_time",
        "present_over_time",
        "stddev_over_time",
        "stdvar_over_time",
        "quantile_over_time",
        "mad_over_time",
        "ts_of_min_over_time",
        "ts_of_max_over_time",
        "ts_of_last_over_time",
        "double_exponential_smoothing",
    ];
    for k in 0..n {
        let id = first_id + k;
        let func = if k < n * 5 / 7 {
            ["rate", "increase", "delta"][k % 3]
        } else {
            *rng.pick(&others)
        };
        // Few samples as often as many.
        let most = *rng.pick(&[4, 12, 40]);
        let len = 1 + rng.below(most) as usize;
        let counts = func.contains("rate") || func == "increase";
        let values = if !counts && func != "delta" && rng.chance(0.2) {
            extreme(rng, len)
        } else if func == "delta" || !counts && rng.chance(0.3) {
            gauge(rng, len)
        } else {
            counter(rng, len)
        };
        let name = "c";
        group
            .series
            .push((format!("{name}{{case=\"{id}\"}}"), values_text(&values)));
        let points = samples(interval_ms, &values);
        let span = len as i64 * interval_ms;
        // A window of a few intervals, not aligned to them.
        let range_ms = (interval_ms * (1 + rng.below(8) as i64)
            + rng.below(interval_ms as u64) as i64
            - interval_ms / 3)
            .max(1);
        let eval_ms = rng.below((span + interval_ms) as u64) as i64;
        let offset_ms = if rng.chance(0.2) {
            rng.below((2 * interval_ms) as u64) as i64 - interval_ms / 2
        } else {
            0
        };
        let end = eval_ms - offset_ms;
        let start = end - range_ms;
        let mut selector = format!("{name}{{case=\"{id}\"}}[{}]", duration(range_ms));
        if offset_ms != 0 {
            let _ = write!(selector, " offset {}", duration(offset_ms));
        }
        let mut scalars = [f64::NAN; 2];
        let expr = match func {
            "predict_linear" => {
                scalars[0] = (rng.below(7200) as f64) - 600.0;
                format!("predict_linear({selector}, {})", num(scalars[0]))
            }
            "quantile_over_time" => {
                let u = rng.unit();
                scalars[0] = *rng.pick(&[0.0, 1.0, 0.5, u, -0.5, 1.5]);
                format!("quantile_over_time({}, {selector})", num(scalars[0]))
            }
            "double_exponential_smoothing" => {
                scalars = [0.05 + rng.unit() * 0.9, 0.05 + rng.unit() * 0.9];
                format!(
                    "double_exponential_smoothing({selector}, {}, {})",
                    num(scalars[0]),
                    num(scalars[1])
                )
            }
            f => format!("{f}({selector})"),
        };
        let kernel = RangeFunction::from_name(func).unwrap();
        let args = RangeArgs {
            range_start: start,
            range_end: end,
            t: eval_ms,
            scalars,
        };
        let got = kernel.eval(window(&points, start, end), &args).unwrap();
        group.cases.push(Case {
            kind: if func == "rate" || func == "increase" || func == "delta" {
                "extrapolated_rate"
            } else {
                "other range functions"
            },
            expr,
            eval_ms,
            want: got
                .map(|v| {
                    let name = if kernel.keeps_metric_name() {
                        format!("__name__=\"{name}\", ")
                    } else {
                        String::new()
                    };
                    (format!("{{{name}case=\"{id}\"}}"), v)
                })
                .into_iter()
                .collect(),
        });
    }
    group
}

/// A bound as a histogram's exporter might spell it.
fn le_text(rng: &mut Rng, bound: f64) -> String {
    if bound.is_infinite() {
        return rng.pick(&["+Inf", "+inf", "Inf"]).to_string();
    }
    match rng.below(6) {
        0 => format!("{bound:e}"),
        1 if bound.fract() == 0.0 => format!("{bound:.1}"),
        _ => num(bound),
    }
}

/// `histogram_quantile` and `histogram_fraction` over classic histograms:
/// 260 and 100 queries.
fn histogram_group(rng: &mut Rng, first_id: usize, quantiles: usize, fractions: usize) -> Group {
    let mut group = Group {
        interval_ms: 60_000,
        series: Vec::new(),
        cases: Vec::new(),
    };
    for k in 0..quantiles + fractions {
        let id = first_id + k;
        let n = 1 + rng.below(7) as usize;
        let mut bound = if rng.chance(0.3) {
            -(rng.below(50) as f64) / 10.0
        } else {
            0.0
        };
        let mut count = 0.0;
        let mut buckets: Vec<(String, f64)> = Vec::new();
        for _ in 0..n {
            bound += *rng.pick(&[0.005, 0.1, 0.25, 1.0, 2.5, 10.0, 100.0]);
            bound = (bound * 1000.0).round() / 1000.0;
            count += match rng.below(10) {
                0 => 0.0,
                // A count lower than the last: a scrape race.
                1 => -(rng.below(5) as f64),
                // Floating-point noise from summed rates.
                2 => count * 1e-13,
                _ => rng.below(100) as f64 + (rng.below(4) as f64) / 4.0,
            };
            buckets.push((le_text(rng, bound), count));
            if rng.chance(0.1) {
                // The same bound spelled twice (if the spellings differ:
                // the same spelling would be the same series).
                buckets.push((le_text(rng, bound), rng.below(10) as f64));
            }
        }
        if !rng.chance(0.1) {
            count += rng.below(30) as f64;
            buckets.push((le_text(rng, f64::INFINITY), count));
        }
        let mut seen = std::collections::HashSet::new();
        buckets.retain(|(le, _)| seen.insert(le.clone()));
        if rng.chance(0.05) {
            buckets.push(("not-a-number".into(), 3.0));
        }
        // Exporters list buckets in any order.
        for i in (1..buckets.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            buckets.swap(i, j);
        }
        for (le, count) in &buckets {
            group.series.push((
                format!("h_bucket{{case=\"{id}\", le=\"{le}\"}}"),
                num(*count),
            ));
        }
        let labels: Vec<Labels> = buckets
            .iter()
            .map(|(le, _)| {
                Labels::from_pairs([
                    ("__name__", "h_bucket".to_string()),
                    ("case", id.to_string()),
                    ("le", le.clone()),
                ])
            })
            .collect();
        let vector = labels.iter().zip(buckets.iter().map(|(_, c)| *c));
        let selector = format!("h_bucket{{case=\"{id}\"}}");
        let (kind, expr, out) = if k < quantiles {
            let (u1, u2) = (rng.unit(), rng.unit());
            let q = *rng.pick(&[0.0, 1.0, 0.5, 0.9, 0.99, u1, u2, -0.1, 1.1, f64::NAN]);
            let q_text = if q.is_nan() {
                "NaN".to_string()
            } else {
                num(q)
            };
            (
                "histogram_quantile",
                format!("histogram_quantile({q_text}, {selector})"),
                histogram_quantile(q, vector),
            )
        } else {
            let (u1, u2) = (rng.unit(), rng.unit());
            let lower = *rng.pick(&[f64::NEG_INFINITY, 0.0, -1.0, u1 * 5.0, bound / 2.0]);
            let upper = *rng.pick(&[f64::INFINITY, lower + u2 * 10.0, bound, 1.0]);
            (
                "histogram_fraction",
                format!(
                    "histogram_fraction({}, {}, {selector})",
                    num(lower),
                    num(upper)
                ),
                histogram_fraction(lower, upper, vector),
            )
        };
        group.cases.push(Case {
            kind,
            expr,
            eval_ms: 0,
            want: out
                .samples
                .into_iter()
                .map(|(l, v)| (format!("{{case=\"{}\"}}", l.get("case")), v))
                .collect(),
        });
    }
    group
}

/// Aggregations over groups with infinities and NaNs, and the series
/// `topk`, `bottomk` and `limit_ratio` keep: 120 queries.
///
/// promtool creates the series of a test in a random order, and
/// Prometheus aggregates them in that order, so the inputs here are chosen
/// to make the result independent of it (up to rounding): no values whose
/// sum overflows in one order and not in another, and no ties or repeated
/// NaNs for `topk` and `bottomk` to break. The kernels' order-dependent
/// paths run in the range functions instead, where time fixes the order.
fn aggregation_group(rng: &mut Rng, first_id: usize, n: usize) -> Group {
    let mut group = Group {
        interval_ms: 60_000,
        series: Vec::new(),
        cases: Vec::new(),
    };
    let specials = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e100,
        -1e100,
        0.1,
        1e-300,
    ];
    for k in 0..n {
        let id = first_id + k;
        let len = 1 + rng.below(10) as usize;
        let query = rng.below(4);
        let values: Vec<f64> = if query == 2 {
            // Distinct numbers, and at most one NaN.
            let mut values: Vec<f64> = Vec::new();
            while values.len() < len {
                let v = (rng.unit() * 2000.0 - 500.0).round() / 8.0;
                if !values.contains(&v) {
                    values.push(v);
                }
            }
            if rng.chance(0.3) {
                values[0] = f64::NAN;
            }
            values
        } else {
            (0..len)
                .map(|_| {
                    if rng.chance(0.15) {
                        *rng.pick(&specials)
                    } else if rng.chance(0.2) {
                        52.0
                    } else {
                        (rng.unit() * 2000.0 - 500.0).round() / *rng.pick(&[1.0, 8.0, 1000.0])
                    }
                })
                .collect()
        };
        let labels: Vec<Labels> = (0..len)
            .map(|i| {
                Labels::from_pairs([
                    ("__name__", "a".to_string()),
                    ("case", id.to_string()),
                    ("i", format!("{i:02}")),
                ])
            })
            .collect();
        for (i, v) in values.iter().enumerate() {
            group
                .series
                .push((format!("a{{case=\"{id}\", i=\"{i:02}\"}}"), num(*v)));
        }
        let selector = format!("a{{case=\"{id}\"}}");
        // As promtool prints a label set with its name.
        let series_text = |i: usize| format!("{{__name__=\"a\", case=\"{id}\", i=\"{i:02}\"}}");
        let (kind, expr, want) = match query {
            0 | 1 => {
                use ValueAggregation::*;
                let u = rng.unit();
                let q = *rng.pick(&[0.0, 0.5, 0.9, 1.0, u]);
                let (op, kind) = *rng.pick(&[
                    ("sum", Sum),
                    ("avg", Avg),
                    ("min", Min),
                    ("max", Max),
                    ("count", Count),
                    ("stddev", Stddev),
                    ("stdvar", Stdvar),
                    ("quantile", Quantile(q)),
                ]);
                let param = if op == "quantile" {
                    format!("{}, ", num(q))
                } else {
                    String::new()
                };
                (
                    "aggregations",
                    format!("{op} by (case) ({param}{selector})"),
                    vec![(
                        format!("{{case=\"{id}\"}}"),
                        aggregate(kind, &values).unwrap(),
                    )],
                )
            }
            2 => {
                let k = 1 + rng.below(len as u64 + 1) as usize;
                let top = rng.chance(0.5);
                let kept = if top {
                    topk(k, &values)
                } else {
                    bottomk(k, &values)
                };
                (
                    "topk and bottomk",
                    format!("{}({k}, {selector})", if top { "topk" } else { "bottomk" }),
                    kept.into_iter()
                        .map(|i| (series_text(i), values[i]))
                        .collect(),
                )
            }
            _ => {
                let r = *rng.pick(&[0.1, 0.3, 0.5, 0.7, 0.9, -0.3, -0.5, -0.8]);
                let kept = (0..len).filter(|&i| limit_ratio_keeps(r, &labels[i]));
                (
                    "limit_ratio",
                    format!("limit_ratio({}, {selector})", num(r)),
                    kept.map(|i| (series_text(i), values[i])).collect(),
                )
            }
        };
        group.cases.push(Case {
            kind,
            expr,
            eval_ms: 0,
            want,
        });
    }
    group
}

/// Date functions of sample values across and beyond Go's calendar: 60
/// queries.
fn date_group(rng: &mut Rng, first_id: usize, n: usize) -> Group {
    let mut group = Group {
        interval_ms: 60_000,
        series: Vec::new(),
        cases: Vec::new(),
    };
    for k in 0..n {
        let id = first_id + k;
        let v = match rng.below(5) {
            0 => (rng.unit() * 4e9).floor() - 1e9,
            1 => (rng.unit() * 2e12 - 1e12).floor(),
            2 => (rng.unit() - 0.5) * 1.9e19,
            3 => *rng.pick(&[
                f64::NAN,
                f64::INFINITY,
                -9.2233720368547e18,
                9.2233720368547e18,
                -0.5,
            ]),
            _ => rng.unit() * 1e9,
        };
        group.series.push((format!("d{{case=\"{id}\"}}"), num(v)));
        let part = *rng.pick(&DatePart::ALL);
        group.cases.push(Case {
            kind: "date functions",
            expr: format!("{}(d{{case=\"{id}\"}})", part.name()),
            eval_ms: 0,
            want: vec![(format!("{{case=\"{id}\"}}"), date_part(part, v))],
        });
    }
    group
}

fn yaml_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn test_file(groups: &[Group]) -> String {
    let mut out = String::from("rule_files: []\nevaluation_interval: 1m\ntests:\n");
    for g in groups {
        let _ = writeln!(out, "  - interval: {}ms\n    input_series:", g.interval_ms);
        for (series, values) in &g.series {
            let _ = writeln!(
                out,
                "      - series: {}\n        values: {}",
                yaml_quote(series),
                yaml_quote(values)
            );
        }
        out.push_str("    promql_expr_test:\n");
        // promtool loads the samples only up to the last whole evaluation
        // interval before the latest eval_time; a query past every sample
        // makes it load them all.
        let longest = g
            .series
            .iter()
            .map(|(_, v)| v.split(' ').count())
            .max()
            .unwrap_or(0);
        let past_all = (longest as i64 * g.interval_ms / 60_000 + 2) * 60_000;
        let _ = writeln!(
            out,
            "      - expr: vector(1)\n        eval_time: {past_all}ms\n        exp_samples:\n          - labels: '{{}}'\n            value: 1"
        );
        for c in &g.cases {
            let _ = writeln!(
                out,
                "      - expr: {}\n        eval_time: {}ms\n        exp_samples: []",
                yaml_quote(&c.expr),
                c.eval_ms
            );
        }
    }
    out
}

/// What promtool printed for each failing query, by the query's text: the
/// samples it got, or its error.
fn parse_report(report: &str) -> BTreeMap<String, Result<Vec<(String, f64)>, String>> {
    let mut out = BTreeMap::new();
    let mut expr: Option<String> = None;
    for line in report.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("expr: \"") {
            let (quoted, tail) = rest.split_once("\", time: ").unwrap_or((rest, ""));
            let e = quoted.replace("\\\"", "\"").replace("\\\\", "\\");
            if let Some(err) = tail.split_once(", err: ").map(|(_, e)| e) {
                out.insert(e, Err(err.to_string()));
            } else {
                expr = Some(e);
            }
        } else if let Some(got) = line.strip_prefix("got: ") {
            if let Some(e) = expr.take() {
                out.insert(e, Ok(parse_samples(got)));
            }
        }
    }
    out
}

/// `{a="1"} 1E+00, x{b="2"} NaN` into (labels text, value) pairs.
fn parse_samples(text: &str) -> Vec<(String, f64)> {
    if text == "nil" {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(close) = rest.find("} ") {
        let labels = rest[..=close].trim_start_matches(", ").to_string();
        let after = &rest[close + 2..];
        let end = after.find(", ").unwrap_or(after.len());
        let value = match &after[..end] {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            v => v
                .parse()
                .unwrap_or_else(|_| panic!("value {v:?} in {text}")),
        };
        out.push((labels, value));
        rest = &after[end..];
    }
    out
}

#[test]
fn kernels_agree_with_prometheus() {
    let promtool = promtool();
    let mut rng = Rng(20_250_705);
    let mut groups = Vec::new();
    let mut id = 0;
    for (interval_ms, n) in [(15_000, 140), (60_000, 140), (1_000, 140)] {
        groups.push(range_group(&mut rng, interval_ms, id, n));
        id += n;
    }
    groups.push(histogram_group(&mut rng, id, 260, 100));
    id += 360;
    groups.push(aggregation_group(&mut rng, id, 120));
    id += 120;
    groups.push(date_group(&mut rng, id, 60));

    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("promql_kernels_reference");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("kernels.yml");
    std::fs::write(&file, test_file(&groups)).unwrap();
    let out = Command::new(&promtool)
        .args([
            "test",
            "rules",
            "--enable-feature=promql-experimental-functions",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        report.contains("expr: ") || report.contains("SUCCESS"),
        "promtool did not run the tests:\n{report}"
    );
    let got = parse_report(&report);

    // Per kind: (cases, agreeing, bit for bit).
    let mut tally: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for c in groups.iter().flat_map(|g| &g.cases) {
        let entry = tally.entry(c.kind).or_default();
        entry.0 += 1;
        let prometheus = match got.get(&c.expr) {
            None => Vec::new(),
            Some(Ok(samples)) => samples.clone(),
            Some(Err(e)) => {
                failures.push(format!("{} at {}ms: promtool: {e}", c.expr, c.eval_ms));
                continue;
            }
        };
        let mut want = c.want.clone();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        let mut prometheus = prometheus;
        prometheus.sort_by(|a, b| a.0.cmp(&b.0));
        let agree = want.len() == prometheus.len()
            && want
                .iter()
                .zip(&prometheus)
                .all(|(w, p)| w.0 == p.0 && almost_equal(w.1, p.1, TOLERANCE));
        if agree {
            entry.1 += 1;
            let exact = want
                .iter()
                .zip(&prometheus)
                .all(|(w, p)| w.1.to_bits() == p.1.to_bits() || (w.1.is_nan() && p.1.is_nan()));
            if exact {
                entry.2 += 1;
            } else {
                println!(
                    "within {TOLERANCE} but not bit for bit: {}: {want:?} vs {prometheus:?}",
                    c.expr
                );
            }
        } else {
            failures.push(format!(
                "{} at {}ms:\n    kernels:    {want:?}\n    Prometheus: {prometheus:?}",
                c.expr, c.eval_ms
            ));
        }
    }
    let summary: Vec<String> = tally
        .iter()
        .map(|(kind, (n, ok, exact))| format!("{kind}: {ok}/{n} agree ({exact} bit for bit)"))
        .collect();
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{} queries differ from Prometheus ({}):\n{}\ninput: {}",
        failures.len(),
        summary.join("; "),
        failures.join("\n"),
        file.display()
    );
}
