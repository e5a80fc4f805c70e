//! The classic-histogram kernels against the `eval` cases of Prometheus's
//! `histograms.test` (its `_bucket` series; the native-histogram halves of
//! the script have no classic counterpart here). Bucket values are the
//! scripts' series at the evaluation time, or their `rate` computed by the
//! range kernel, summed or averaged by the aggregation kernel where the
//! query aggregates, so the cases run the kernels together as a query
//! would.

use promlab_core::labels::Labels;
use promlab_core::promql::kernels::aggregate::{aggregate, ValueAggregation};
use promlab_core::promql::kernels::histogram::{
    bucket_fraction, bucket_quantile, histogram_fraction, histogram_quantile, parse_bucket_bound,
    Bucket, NativeHistogramFunction,
};
use promlab_core::promql::kernels::range::rate;
use promlab_core::promql::kernels::{Annotation, Severity};
use promlab_core::promql::promqltest::almost_equal;
use wasm_bindgen_test::wasm_bindgen_test;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;
const MINUTE: i64 = 60_000;

/// A `0+Nx10` series loaded every 5m.
fn counter(n: f64) -> Vec<(i64, f64)> {
    (0..=10).map(|i| (i * 5 * MINUTE, n * i as f64)).collect()
}

/// The value of a `0+Nx10` series at `t` (the latest sample at or before).
fn at(n: f64, minutes: i64) -> f64 {
    n * (minutes / 5).min(10) as f64
}

/// `rate(x[range])` of a `0+Nx10` series at `t`.
fn rate_of(n: f64, minutes: i64, range: i64) -> f64 {
    let samples = counter(n);
    let end = minutes * MINUTE;
    let start = end - range * MINUTE;
    let w: Vec<(i64, f64)> = samples
        .into_iter()
        .filter(|(t, _)| *t > start && *t <= end)
        .collect();
    rate(&w, start, end).unwrap()
}

fn buckets(pairs: &[(&str, f64)]) -> Vec<(Labels, f64)> {
    pairs
        .iter()
        .map(|(le, v)| {
            (
                Labels::from_pairs([("__name__", "h_bucket"), ("le", *le)]),
                *v,
            )
        })
        .collect()
}

/// `histogram_quantile(q, …)` of one histogram given as `(le, value)`.
fn quantile_of(q: f64, pairs: &[(&str, f64)]) -> f64 {
    let series = buckets(pairs);
    let out = histogram_quantile(q, series.iter().map(|(l, v)| (l, *v)));
    assert_eq!(out.samples.len(), 1, "one histogram in {pairs:?}");
    out.samples[0].1
}

fn check(rows: Vec<(String, f64, f64)>) {
    let failures: Vec<String> = rows
        .iter()
        .filter(|(_, got, want)| !almost_equal(*got, *want))
        .map(|(what, got, want)| format!("{what}: want {want}, got {got}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

/// testhistogram_bucket's slopes: `start="positive"` and `"negative"`.
const POSITIVE: [(&str, f64); 4] = [("0.1", 5.0), (".2", 7.0), ("1e0", 11.0), ("+Inf", 12.0)];
const NEGATIVE: [(&str, f64); 4] = [("-.2", 1.0), ("-0.1", 2.0), ("0.3", 2.0), ("+Inf", 3.0)];
const POSITIVE3: [(&str, f64); 5] = [
    ("0", 0.0),
    ("0.1", 5.0),
    (".2", 7.0),
    ("1e0", 11.0),
    ("+Inf", 11.0),
];
const NEGATIVE3: [(&str, f64); 5] = [
    ("-.25", 0.0),
    ("-.2", 1.0),
    ("-0.1", 2.0),
    ("0.3", 2.0),
    ("+Inf", 2.0),
];
const HISTOGRAM2: [(&str, f64); 5] = [
    ("0", 0.0),
    ("2", 1.0),
    ("4", 2.0),
    ("6", 3.0),
    ("+Inf", 3.0),
];

fn values_at(slopes: &[(&'static str, f64)], minutes: i64) -> Vec<(&'static str, f64)> {
    slopes
        .iter()
        .map(|(le, n)| (*le, at(*n, minutes)))
        .collect()
}

fn rates(slopes: &[(&'static str, f64)], minutes: i64, range: i64) -> Vec<(&'static str, f64)> {
    slopes
        .iter()
        .map(|(le, n)| (*le, rate_of(*n, minutes, range)))
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn histogram_quantile_of_testhistogram() {
    let mut rows = Vec::new();
    let pos = values_at(&POSITIVE, 50);
    let neg = values_at(&NEGATIVE, 50);
    let pos_rate = rates(&POSITIVE, 50, 10);
    let neg_rate = rates(&NEGATIVE, 50, 10);
    for (q, p, n) in [
        (-0.1, -INF, -INF),
        (1.01, INF, INF),
        (NAN, NAN, NAN),
        (0.0, 0.0, -0.2),
        (1.0, 1.0, 0.3),
        (0.2, 0.048, -0.2),
        (0.5, 0.15, -0.15),
        (0.8, 0.72, 0.3),
    ] {
        rows.push((format!("q={q} positive"), quantile_of(q, &pos), p));
        rows.push((format!("q={q} negative"), quantile_of(q, &neg), n));
        rows.push((format!("q={q} rate positive"), quantile_of(q, &pos_rate), p));
        rows.push((format!("q={q} rate negative"), quantile_of(q, &neg_rate), n));
    }
    let pos3 = values_at(&POSITIVE3, 50);
    let neg3 = values_at(&NEGATIVE3, 50);
    for (q, p, n) in [
        (0.0, 0.0, -0.25),
        (0.25, 0.055, -0.225),
        (0.5, 0.125, -0.2),
        (0.75, 0.45, -0.15),
        (1.0, 1.0, -0.1),
    ] {
        rows.push((
            format!("q={q} testhistogram3 positive"),
            quantile_of(q, &pos3),
            p,
        ));
        rows.push((
            format!("q={q} testhistogram3 negative"),
            quantile_of(q, &neg3),
            n,
        ));
    }
    // Quantiles in the middle of a bucket.
    let h2 = values_at(&HISTOGRAM2, 7);
    let h2_rate = rates(&HISTOGRAM2, 47, 15);
    for (q, want) in [(1.0 / 6.0, 1.0), (0.5, 3.0), (5.0 / 6.0, 5.0)] {
        rows.push((format!("q={q} testhistogram2"), quantile_of(q, &h2), want));
        rows.push((
            format!("q={q} rate testhistogram2"),
            quantile_of(q, &h2_rate),
            want,
        ));
    }
    check(rows);
}

#[wasm_bindgen_test(unsupported = test)]
fn histogram_quantile_of_aggregated_rates() {
    // request_duration_seconds_bucket slopes per (job, instance): le 0.1,
    // 0.2, +Inf.
    let series: [(&str, &str, [f64; 3]); 4] = [
        ("job1", "ins1", [1.0, 3.0, 4.0]),
        ("job1", "ins2", [2.0, 5.0, 6.0]),
        ("job2", "ins1", [3.0, 4.0, 6.0]),
        ("job2", "ins2", [4.0, 7.0, 9.0]),
    ];
    let les = ["0.1", "0.2", "+Inf"];
    // `sum by (le, <by>) (rate(…[10m]))` (or avg), then the quantile.
    let quantile_by = |q: f64, kind: ValueAggregation, keep: &dyn Fn(&str, &str) -> bool| {
        let pairs: Vec<(&str, f64)> = les
            .iter()
            .enumerate()
            .map(|(i, le)| {
                let group: Vec<f64> = series
                    .iter()
                    .filter(|(j, ins, _)| keep(j, ins))
                    .map(|(_, _, slopes)| rate_of(slopes[i], 50, 10))
                    .collect();
                (*le, aggregate(kind, &group).unwrap())
            })
            .collect();
        quantile_of(q, &pairs)
    };
    use ValueAggregation::{Avg, Sum};
    let all = |_: &str, _: &str| true;
    let mut rows = vec![
        ("sum 0.3".to_string(), quantile_by(0.3, Sum, &all), 0.075),
        (
            "sum 0.5".into(),
            quantile_by(0.5, Sum, &all),
            0.1277777777777778,
        ),
        ("avg 0.3".into(), quantile_by(0.3, Avg, &all), 0.075),
        (
            "avg 0.5".into(),
            quantile_by(0.5, Avg, &all),
            0.12777777777777778,
        ),
    ];
    for (ins, q3, q5) in [("ins1", 0.075, 0.1333333333), ("ins2", 0.075, 0.125)] {
        rows.push((
            format!("by instance {ins} 0.3"),
            quantile_by(0.3, Sum, &|_, i| i == ins),
            q3,
        ));
        rows.push((
            format!("by instance {ins} 0.5"),
            quantile_by(0.5, Sum, &|_, i| i == ins),
            q5,
        ));
    }
    for (job, q3, q5) in [("job1", 0.1, 0.14), ("job2", 0.0642857142857143, 0.1125)] {
        rows.push((
            format!("by job {job} 0.3"),
            quantile_by(0.3, Sum, &|j, _| j == job),
            q3,
        ));
        rows.push((
            format!("by job {job} 0.5"),
            quantile_by(0.5, Sum, &|j, _| j == job),
            q5,
        ));
    }
    for (job, ins, q3, q5) in [
        ("job1", "ins1", 0.11, 0.15),
        ("job1", "ins2", 0.09, 0.13333333333333333),
        ("job2", "ins1", 0.06, 0.1),
        ("job2", "ins2", 0.0675, 0.11666666666666667),
    ] {
        let keep = |j: &str, i: &str| j == job && i == ins;
        rows.push((format!("{job}/{ins} 0.3"), quantile_by(0.3, Sum, &keep), q3));
        rows.push((format!("{job}/{ins} 0.5"), quantile_by(0.5, Sum, &keep), q5));
    }
    check(rows);
}

#[wasm_bindgen_test(unsupported = test)]
fn nonmonotonic_mixed_and_empty_buckets() {
    let nonmonotonic = [
        ("0.1", 2.0),
        ("1", 1.0),
        ("10", 5.0),
        ("100", 4.0),
        ("1000", 9.0),
        ("+Inf", 8.0),
    ];
    let values = values_at(&nonmonotonic, 50);
    let mut rows = Vec::new();
    for (q, want) in [(0.01, 0.0045), (0.5, 8.5), (0.99, 979.75)] {
        rows.push((format!("nonmonotonic q={q}"), quantile_of(q, &values), want));
        let series = buckets(&values);
        let out = histogram_quantile(q, series.iter().map(|(l, v)| (l, *v)));
        assert_eq!(
            out.annotations,
            [Annotation::HistogramQuantileForcedMonotonicity {
                metric_name: "h_bucket".into()
            }]
        );
    }
    // The same bound spelled four ways is one bucket.
    let mixed = [
        ("0.1", 1.0),
        ("0.2", 1.0),
        ("2e-1", 1.0),
        ("2.0e-1", 1.0),
        ("+Inf", 4.0),
    ];
    let mixed = rates(&mixed, 50, 10);
    for (q, want) in [(0.5, 0.15), (0.75, 0.2), (1.0, 0.2)] {
        rows.push((format!("mixed q={q}"), quantile_of(q, &mixed), want));
    }
    // Two spellings of +Inf, no observations.
    let inf_only = rates(&[("+inf", 0.0), ("+Inf", 0.0)], 50, 10);
    rows.push((
        "+inf and +Inf only".into(),
        quantile_of(0.5, &inf_only),
        NAN,
    ));
    let empty = rates(&[("0.1", 0.0), ("0.2", 0.0), ("+Inf", 0.0)], 50, 10);
    rows.push(("no observations".into(), quantile_of(0.2, &empty), NAN));
    check(rows);
}

#[wasm_bindgen_test(unsupported = test)]
fn histogram_fraction_of_testhistograms() {
    let h2 = values_at(&HISTOGRAM2, 50);
    let pos3 = values_at(&POSITIVE3, 50);
    let neg3 = values_at(&NEGATIVE3, 50);
    let fraction = |lower: f64, upper: f64, pairs: &[(&str, f64)]| {
        let series = buckets(pairs);
        let out = histogram_fraction(lower, upper, series.iter().map(|(l, v)| (l, *v)));
        assert!(out.annotations.is_empty());
        out.samples[0].1
    };
    check(vec![
        ("(0, 4)".into(), fraction(0.0, 4.0, &h2), 0.6666666666666666),
        ("(0, 6)".into(), fraction(0.0, 6.0, &h2), 1.0),
        (
            "(0, 3.5)".into(),
            fraction(0.0, 3.5, &h2),
            0.5833333333333334,
        ),
        (
            "(0, 0.2) positive".into(),
            fraction(0.0, 0.2, &pos3),
            0.6363636363636364,
        ),
        ("(0, 0.2) negative".into(), fraction(0.0, 0.2, &neg3), 0.0),
        (
            "(0, 0.2) rate positive".into(),
            fraction(0.0, 0.2, &rates(&POSITIVE3, 50, 10)),
            0.6363636363636364,
        ),
        (
            "(0, 0.2) rate negative".into(),
            fraction(0.0, 0.2, &rates(&NEGATIVE3, 50, 10)),
            0.0,
        ),
        ("lower >= upper".into(), fraction(3.0, 1.0, &h2), 0.0),
        ("NaN bound".into(), fraction(NAN, 1.0, &h2), NAN),
        ("(-Inf, +Inf)".into(), fraction(-INF, INF, &h2), 1.0),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn histograms_are_grouped_by_their_labels_without_le() {
    let mut series: Vec<(Labels, f64)> = Vec::new();
    for (job, le, v) in [
        ("a", "1", 1.0),
        ("b", "1", 2.0),
        ("a", "+Inf", 2.0),
        ("b", "+Inf", 2.0),
        ("a", "one", 5.0),
    ] {
        series.push((
            Labels::from_pairs([("__name__", "req_bucket"), ("job", job), ("le", le)]),
            v,
        ));
    }
    series.push((
        Labels::from_pairs([("__name__", "req_bucket"), ("job", "c")]),
        1.0,
    ));
    let out = histogram_quantile(0.5, series.iter().map(|(l, v)| (l, *v)));
    let got: Vec<String> = out
        .samples
        .iter()
        .map(|(l, v)| format!("{l} {v}"))
        .collect();
    assert_eq!(got, ["{job=\"a\"} 1", "{job=\"b\"} 0.5"]);
    let messages: Vec<String> = out.annotations.iter().map(ToString::to_string).collect();
    assert_eq!(
        messages,
        [
            "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"one\" for metric name \"req_bucket\"",
            "PromQL warning: bucket label \"le\" is missing or has a malformed value of \"\" for metric name \"req_bucket\"",
        ]
    );
    assert!(out
        .annotations
        .iter()
        .all(|a| a.severity() == Severity::Warning));
    // An invalid φ warns once, whatever the vector.
    let out = histogram_quantile(NAN, std::iter::empty());
    assert_eq!(
        out.annotations
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        ["PromQL warning: quantile value should be between 0 and 1, got NaN"]
    );
    assert_eq!(
        Annotation::for_quantile(1.01).unwrap().to_string(),
        "PromQL warning: quantile value should be between 0 and 1, got 1.01"
    );
    assert_eq!(
        Annotation::HistogramQuantileForcedMonotonicity { metric_name: "x".into() }.to_string(),
        "PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \"x\""
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn bucket_quantile_edge_cases() {
    let b = |pairs: &[(f64, f64)]| -> Vec<Bucket> {
        pairs
            .iter()
            .map(|&(upper_bound, count)| Bucket { upper_bound, count })
            .collect()
    };
    // No +Inf bucket, one bucket, nothing at all.
    assert!(bucket_quantile(0.5, &mut b(&[(1.0, 1.0), (2.0, 2.0)]))
        .value
        .is_nan());
    assert!(bucket_quantile(0.5, &mut b(&[(INF, 3.0)])).value.is_nan());
    assert!(bucket_quantile(0.5, &mut []).value.is_nan());
    assert!(bucket_fraction(0.0, 1.0, &mut []).is_nan());
    // A quantile in the +Inf bucket is the highest finite bound.
    assert_eq!(
        bucket_quantile(0.9, &mut b(&[(1.0, 1.0), (INF, 10.0)])).value,
        1.0
    );
    // Counts 1e-13 apart are noise, not a decrease.
    let r = bucket_quantile(
        0.5,
        &mut b(&[(1.0, 10.0), (2.0, 10.0 - 1e-12), (INF, 20.0)]),
    );
    assert!(r.fixed_precision && !r.forced_monotonicity);
    assert_eq!(r.value, 1.0);
    let r = bucket_quantile(0.5, &mut b(&[(1.0, 10.0), (2.0, 9.0), (INF, 20.0)]));
    assert!(r.forced_monotonicity && !r.fixed_precision);
    // A NaN bound sorts last, so there is no +Inf bucket at the end.
    assert!(
        bucket_quantile(0.5, &mut b(&[(1.0, 1.0), (NAN, 1.0), (INF, 2.0)]))
            .value
            .is_nan()
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn le_values_read_as_go_reads_them() {
    let cases: &[(&str, Option<f64>)] = &[
        ("0.1", Some(0.1)),
        (".2", Some(0.2)),
        ("1e0", Some(1.0)),
        ("2.0e-1", Some(0.2)),
        ("+Inf", Some(INF)),
        ("+inf", Some(INF)),
        ("Infinity", Some(INF)),
        ("-infinity", Some(-INF)),
        ("1_000", Some(1000.0)),
        ("0x1p-3", Some(0.125)),
        ("0X1.8P1", Some(3.0)),
        ("-0x10p0", Some(-16.0)),
        ("0x1.fffffffffffff8p0", Some(2.0)),
        ("0x_1p0", Some(1.0)),
        ("_1", None),
        ("1__0", None),
        ("1_", None),
        ("0x1", None),
        ("0x1p", None),
        ("0x1p2000", None),
        ("1e400", None),
        ("+NaN", None),
        ("abc", None),
        ("", None),
    ];
    for (s, want) in cases {
        assert_eq!(parse_bucket_bound(s), *want, "{s:?}");
    }
    assert!(parse_bucket_bound("NaN").unwrap().is_nan());
    assert!(parse_bucket_bound("nan").unwrap().is_nan());
}

#[wasm_bindgen_test(unsupported = test)]
fn native_histogram_functions_say_they_are_not_supported() {
    for f in NativeHistogramFunction::ALL {
        assert_eq!(NativeHistogramFunction::from_name(f.name()), Some(f));
        assert!(promlab_core::promql::function_by_name(f.name()).is_some());
    }
    let messages: Vec<String> = NativeHistogramFunction::ALL
        .iter()
        .map(|f| f.unsupported().to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "histogram_count() reads native histograms, which the lab does not support; with a classic histogram, read its _count series (e.g. rate(x_count[5m]))",
            "histogram_sum() reads native histograms, which the lab does not support; with a classic histogram, read its _sum series (e.g. rate(x_sum[5m]))",
            "histogram_avg() reads native histograms, which the lab does not support; with a classic histogram, divide its _sum by its _count (e.g. rate(x_sum[5m]) / rate(x_count[5m]))",
            "histogram_stddev() reads native histograms, which the lab does not support; a classic histogram has no equivalent",
            "histogram_stdvar() reads native histograms, which the lab does not support; a classic histogram has no equivalent",
        ]
    );
}
