//! The aggregation and ordering kernels against the `eval` cases of
//! Prometheus's `aggregators.test` and `functions.test`. Each group is fed
//! in the order Prometheus feeds it: the input series sorted by their
//! label sets. Values compare as promqltest compares them (relative 1e-6,
//! NaN equal to NaN); the scripts' `== 52` checks compare exactly.

use promlab_core::labels::Labels;
use promlab_core::promql::ast::AggregateOp;
use promlab_core::promql::kernels::aggregate::{
    aggregate, bottomk, count_values_label, k_param, limit_ratio_keeps, natural_cmp, quantile,
    ratio_param, scalar, sort_by_label_cmp, sort_by_label_desc_cmp, sort_cmp, sort_desc_cmp, topk,
    GroupedAggregation, ValueAggregation,
};
use promlab_core::promql::promqltest::almost_equal;
use std::cmp::Ordering;
use wasm_bindgen_test::wasm_bindgen_test;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

use ValueAggregation::{Avg, Count, Group, Max, Min, Quantile, Stddev, Stdvar, Sum};

fn check(rows: Vec<(String, Option<f64>, f64)>) {
    let failures: Vec<String> = rows
        .iter()
        .filter(|(_, got, want)| !got.is_some_and(|g| almost_equal(g, *want)))
        .map(|(what, got, want)| format!("{what}: want {want}, got {got:?}"))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
}

fn row(
    what: &str,
    kind: ValueAggregation,
    values: &[f64],
    want: f64,
) -> (String, Option<f64>, f64) {
    (
        format!("{kind:?} of {values:?} ({what})"),
        aggregate(kind, values),
        want,
    )
}

#[wasm_bindgen_test(unsupported = test)]
fn sum_avg_count_min_max_stddev_of_http_requests() {
    // http_requests at 50m; api-server: production 100 200, canary 300 400;
    // app-server: production 500 600, canary 700 800.
    let api = [300.0, 400.0, 100.0, 200.0];
    let app = [700.0, 800.0, 500.0, 600.0];
    let all = [300.0, 700.0, 400.0, 800.0, 100.0, 500.0, 200.0, 600.0];
    check(vec![
        row("sum by (group) canary", Sum, &[300.0, 400.0], 700.0),
        row("sum by (group) production", Sum, &[100.0, 200.0], 300.0),
        row("avg by (group) canary", Avg, &[300.0, 400.0], 350.0),
        row("avg by (group) production", Avg, &[100.0, 200.0], 150.0),
        row("count by (group)", Count, &[100.0, 200.0], 2.0),
        row("sum(api-server)", Sum, &api, 1000.0),
        row("SUM(http_requests)", Sum, &all, 3600.0),
        row("sum by (job) app", Sum, &app, 2600.0),
        row("avg by (job) api", Avg, &api, 250.0),
        row("avg by (job) app", Avg, &app, 650.0),
        row("min by (job) api", Min, &api, 100.0),
        row("min by (job) app", Min, &app, 500.0),
        row("max by (job) api", Max, &api, 400.0),
        row("max by (job) app", Max, &app, 800.0),
        row("stddev", Stddev, &all, 229.12878474779),
        row(
            "stddev by (instance) 0",
            Stddev,
            &[300.0, 700.0, 100.0, 500.0],
            223.60679774998,
        ),
        row(
            "stddev by (instance) 1",
            Stddev,
            &[400.0, 800.0, 200.0, 600.0],
            223.60679774998,
        ),
        row("stdvar", Stdvar, &all, 52500.0),
        row(
            "stdvar by (instance) 0",
            Stdvar,
            &[300.0, 700.0, 100.0, 500.0],
            50000.0,
        ),
        row("stddev of equal values", Stddev, &[13.3, 13.3, 13.3], 0.0),
        row("stdvar of equal values", Stdvar, &[13.3, 13.3, 13.3], 0.0),
        row("group", Group, &[0.0, 1.0, 4.0], 1.0),
        row("group of one", Group, &[0.8], 1.0),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn min_and_max_skip_nan() {
    // production 1 2; canary NaN 3 4 (instance 0 is NaN).
    check(vec![
        row("max", Max, &[NAN, 3.0, 4.0, 1.0, 2.0], 4.0),
        row("min", Min, &[NAN, 3.0, 4.0, 1.0, 2.0], 1.0),
        row("max by (group) canary", Max, &[NAN, 3.0, 4.0], 4.0),
        row("min by (group) canary", Min, &[NAN, 3.0, 4.0], 3.0),
        row("max by (group) production", Max, &[1.0, 2.0], 2.0),
        row("min of NaN only", Min, &[NAN, NAN], NAN),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn quantile_aggregation() {
    let mut rows = Vec::new();
    for (values, want) in [
        (&[0.0, 1.0][..], 0.8),
        (&[0.0, 1.0, 2.0][..], 1.6),
        (&[0.0, 1.0, 4.0][..], 2.8),
    ] {
        rows.push(row("quantile 0.8", Quantile(0.8), values, want));
        rows.push(row("quantile NaN", Quantile(NAN), values, NAN));
    }
    // Bug #15971: the φ of each step, over the same groups.
    let phis = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.8];
    let wants = [
        (&[0.0, 1.0][..], [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.8]),
        (&[0.0, 1.0, 2.0][..], [0.0, 2.0, 0.0, 2.0, 0.0, 2.0, 1.6]),
        (&[0.0, 1.0, 4.0][..], [0.0, 4.0, 0.0, 4.0, 0.0, 4.0, 2.8]),
    ];
    for (values, want) in wants {
        for (q, w) in phis.iter().zip(want) {
            rows.push(row("quantile by step", Quantile(*q), values, w));
        }
    }
    check(rows);
    let mut values = [3.0, NAN, 1.0, 2.0];
    assert_eq!(quantile(-0.5, &mut values), f64::NEG_INFINITY);
    assert_eq!(quantile(1.5, &mut values), INF);
    assert!(quantile(0.5, &mut []).is_nan());
    // NaN sorts below every number.
    assert!(quantile(0.0, &mut values).is_nan());
    assert_eq!(quantile(1.0, &mut values), 3.0);
    assert_eq!(quantile(0.5, &mut values), 1.5);
}

#[wasm_bindgen_test(unsupported = test)]
fn avg_with_infinities_and_overflow() {
    let big: f64 = "9.988465674311579e+307".parse().unwrap();
    check(vec![
        row("ten", Avg, &[8.0, 10.0, 12.0], 10.0),
        row("inf", Avg, &[0.0, INF, 0.0, INF], INF),
        row("inf2", Avg, &[INF, 0.0, INF], INF),
        row("inf3", Avg, &[INF, INF, -INF], NAN),
        row("-inf", Avg, &[-INF, -INF, 0.0], -INF),
        row("-inf2", Avg, &[-INF, 0.0, -INF], -INF),
        row("-inf3", Avg, &[-INF, INF, -INF], NAN),
        row("nan", Avg, &[-INF, 0.0, INF], NAN),
        row("big", Avg, &[big; 4], big),
        row("-big", Avg, &[-big; 4], -big),
        row("with a NaN", Avg, &[1.0, NAN, 2.0], NAN),
        // Kahan summation keeps the small values next to 1e100.
        row("sum ten", Sum, &[2.0, 8.0, 1e100, -1e100], 10.0),
        row("avg ten", Avg, &[2.0, 8.0, 1e100, -1e100], 2.5),
        row("sum pos_inf 1", Sum, &[INF, 2.0], INF),
        row("sum pos_inf 2", Sum, &[2.0, INF], INF),
        row("avg pos_inf 1", Avg, &[INF, 2.0], INF),
        row("avg pos_inf 2", Avg, &[2.0, INF], INF),
        row("sum neg_inf 1", Sum, &[-INF, 2.0], -INF),
        row("avg neg_inf 2", Avg, &[2.0, -INF], -INF),
        row("sum inf_inf", Sum, &[INF, -INF], NAN),
        row("avg inf_inf", Avg, &[INF, -INF], NAN),
        row("sum nan 1", Sum, &[NAN, 2.0], NAN),
        row("avg nan 2", Avg, &[2.0, NAN], NAN),
    ]);
    // The script checks these with `== 52`.
    for n in [12, 11, 10, 9, 8] {
        assert_eq!(
            aggregate(Avg, &vec![52.0; n]),
            Some(52.0),
            "avg of {n} × 52"
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn stddev_and_stdvar_with_nan_and_inf() {
    check(vec![
        row("1 2", Stddev, &[1.0, 2.0], 0.5),
        row("1 2", Stdvar, &[1.0, 2.0], 0.25),
        row("one value", Stddev, &[1.0], 0.0),
        row("1 2 NaN", Stddev, &[1.0, 2.0, NAN], NAN),
        row("1 2 NaN", Stdvar, &[1.0, 2.0, NAN], NAN),
        row("NaN 1 2", Stddev, &[NAN, 1.0, 2.0], NAN),
        row("NaN", Stddev, &[NAN], NAN),
        row("NaN", Stdvar, &[NAN], NAN),
        row("1 2 Inf", Stddev, &[1.0, 2.0, INF], NAN),
        row("1 2 Inf", Stdvar, &[1.0, 2.0, INF], NAN),
        row("Inf 1 2", Stddev, &[INF, 1.0, 2.0], NAN),
        row("Inf", Stddev, &[INF], NAN),
        row("Inf", Stdvar, &[INF], NAN),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn value_aggregations_from_operators() {
    assert_eq!(
        ValueAggregation::from_op(AggregateOp::Quantile, 0.9),
        Some(Quantile(0.9))
    );
    assert_eq!(
        ValueAggregation::from_op(AggregateOp::Stdvar, NAN),
        Some(Stdvar)
    );
    for op in [
        AggregateOp::Topk,
        AggregateOp::Bottomk,
        AggregateOp::Limitk,
        AggregateOp::LimitRatio,
        AggregateOp::CountValues,
    ] {
        assert_eq!(ValueAggregation::from_op(op, 1.0), None, "{op:?}");
    }
    // One value at a time gives the same as a slice.
    let mut g = GroupedAggregation::new(Avg, 1.0);
    g.add(2.0);
    g.add(6.0);
    assert_eq!(g.finish(), 3.0);
    assert_eq!(aggregate(Sum, &[]), None);
}

/// http_requests at 50m in the order the storage returns them (sorted by
/// label set), as `(group, instance, job, value)`.
fn http_requests() -> Vec<(Labels, f64)> {
    [
        ("canary", "0", "api-server", 300.0),
        ("canary", "0", "app-server", 700.0),
        ("canary", "1", "api-server", 400.0),
        ("canary", "1", "app-server", 800.0),
        ("production", "0", "api-server", 100.0),
        ("production", "0", "app-server", 500.0),
        ("production", "1", "api-server", 200.0),
        ("production", "1", "app-server", 600.0),
        ("production", "2", "api-server", NAN),
    ]
    .into_iter()
    .map(|(g, i, j, v)| {
        let labels = Labels::from_pairs([
            ("__name__", "http_requests"),
            ("group", g),
            ("instance", i),
            ("job", j),
        ]);
        (labels, v)
    })
    .collect()
}

/// The series a selection keeps, as `group/instance/job`.
fn names(series: &[(Labels, f64)], picked: &[usize]) -> Vec<String> {
    picked
        .iter()
        .map(|&i| {
            let l = &series[i].0;
            format!("{}/{}/{}", l.get("group"), l.get("instance"), l.get("job"))
        })
        .collect()
}

fn subset(series: &[(Labels, f64)], keep: impl Fn(&Labels) -> bool) -> Vec<(Labels, f64)> {
    series.iter().filter(|(l, _)| keep(l)).cloned().collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn topk_and_bottomk() {
    let all = http_requests();
    let values = |s: &[(Labels, f64)]| s.iter().map(|(_, v)| *v).collect::<Vec<_>>();
    let k = |k: f64, s: &[(Labels, f64)]| k_param(k, s.len()).unwrap();
    assert_eq!(
        names(&all, &topk(k(3.0, &all), &values(&all))),
        [
            "canary/1/app-server",
            "canary/0/app-server",
            "production/1/app-server"
        ]
    );
    assert_eq!(
        names(&all, &bottomk(k(3.0, &all), &values(&all))),
        [
            "production/0/api-server",
            "production/1/api-server",
            "canary/0/api-server"
        ]
    );
    let canary_app = subset(&all, |l| {
        l.get("group") == "canary" && l.get("job") == "app-server"
    });
    assert_eq!(
        names(
            &canary_app,
            &topk(k(5.0, &canary_app), &values(&canary_app))
        ),
        ["canary/1/app-server", "canary/0/app-server"]
    );
    assert_eq!(
        names(
            &canary_app,
            &bottomk(k(9999999999.0, &canary_app), &values(&canary_app))
        ),
        ["canary/0/app-server", "canary/1/app-server"]
    );
    // NaN is sorted away from the top and from the bottom.
    let api_prod = subset(&all, |l| {
        l.get("group") == "production" && l.get("job") == "api-server"
    });
    assert_eq!(
        names(&api_prod, &topk(k(3.0, &api_prod), &values(&api_prod))),
        [
            "production/1/api-server",
            "production/0/api-server",
            "production/2/api-server"
        ]
    );
    assert_eq!(
        names(
            &api_prod,
            &topk(k(9999999999.0, &api_prod), &values(&api_prod))
        ),
        [
            "production/1/api-server",
            "production/0/api-server",
            "production/2/api-server"
        ]
    );
    assert_eq!(
        names(&api_prod, &bottomk(k(3.0, &api_prod), &values(&api_prod))),
        [
            "production/0/api-server",
            "production/1/api-server",
            "production/2/api-server"
        ]
    );
    // topk by (group) (1, …) and bottomk by (group) (2, …).
    for (group, top, bottom) in [
        (
            "production",
            vec!["production/1/app-server"],
            vec!["production/0/api-server", "production/1/api-server"],
        ),
        (
            "canary",
            vec!["canary/1/app-server"],
            vec!["canary/0/api-server", "canary/1/api-server"],
        ),
    ] {
        let g = subset(&all, |l| l.get("group") == group);
        assert_eq!(names(&g, &topk(1, &values(&g))), top);
        assert_eq!(names(&g, &bottomk(2, &values(&g))), bottom);
    }
    // A NaN is replaced by any number; NaNs end up last, latest first.
    assert_eq!(topk(2, &[NAN, NAN, 1.0]), [2, 0]);
    assert_eq!(topk(3, &[NAN, 5.0, NAN]), [1, 0, 2]);
    assert_eq!(bottomk(1, &[NAN, 7.0, 3.0, 9.0]), [2]);
    assert!(topk(0, &[1.0]).is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn k_and_ratio_parameters() {
    assert_eq!(k_param(3.0, 9), Ok(3));
    assert_eq!(k_param(3.9, 9), Ok(3));
    assert_eq!(k_param(9999999999.0, 2), Ok(2));
    assert_eq!(k_param(0.5, 9), Ok(0));
    assert_eq!(k_param(-1.0, 9), Ok(0));
    let errors: Vec<String> = [1e19, -1e19, NAN, INF]
        .into_iter()
        .map(|k| k_param(k, 9).unwrap_err().to_string())
        .collect();
    assert_eq!(
        errors,
        [
            "Scalar value 1e+19 overflows int64",
            "Scalar value -1e+19 overflows int64",
            "Scalar value NaN overflows int64",
            "Scalar value +Inf overflows int64",
        ]
    );
    assert_eq!(ratio_param(1.1), Ok(1.0));
    assert_eq!(ratio_param(-1.1), Ok(-1.0));
    assert_eq!(ratio_param(0.3), Ok(0.3));
    assert_eq!(
        ratio_param(NAN).unwrap_err().to_string(),
        "Ratio value NaN is NaN"
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn limit_ratio_splits_the_series_between_r_and_r_minus_1() {
    let all = http_requests();
    let count = |r: f64| all.iter().filter(|(l, _)| limit_ratio_keeps(r, l)).count();
    assert_eq!(count(1.0), all.len());
    assert_eq!(count(-1.0), all.len());
    assert_eq!(count(0.0), 0);
    for r in [0.2, 0.5, 0.8, 3.0 / 17.0] {
        for (l, _) in &all {
            assert_ne!(
                limit_ratio_keeps(r, l),
                limit_ratio_keeps(r - 1.0, l),
                "limit_ratio({r}) and limit_ratio({}) must split {l}",
                r - 1.0
            );
        }
    }
    let half = count(0.5);
    assert!((2..=7).contains(&half), "about half of 9, got {half}");
}

#[wasm_bindgen_test(unsupported = test)]
fn sort_and_sort_desc() {
    let all = http_requests();
    let mut asc = all.clone();
    asc.sort_by(|a, b| sort_cmp(a.1, b.1));
    let order: Vec<f64> = asc.iter().map(|(_, v)| *v).collect();
    assert_eq!(
        &order[..8],
        [100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0]
    );
    assert!(order[8].is_nan());
    let mut desc = all;
    desc.sort_by(|a, b| sort_desc_cmp(a.1, b.1));
    let order: Vec<f64> = desc.iter().map(|(_, v)| *v).collect();
    assert_eq!(
        &order[..8],
        [800.0, 700.0, 600.0, 500.0, 400.0, 300.0, 200.0, 100.0]
    );
    assert!(order[8].is_nan());
    assert_eq!(sort_cmp(NAN, NAN), Ordering::Equal);
    assert_eq!(sort_desc_cmp(NAN, -INF), Ordering::Greater);
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(pairs.iter().copied())
}

/// The vector of the `sort_by_label` tests, in storage order.
fn sort_input() -> Vec<Labels> {
    let mut v: Vec<Labels> = [
        ("production", "0", "api-server"),
        ("production", "1", "api-server"),
        ("canary", "0", "api-server"),
        ("canary", "1", "api-server"),
        ("canary", "2", "api-server"),
        ("production", "0", "app-server"),
        ("production", "1", "app-server"),
        ("canary", "0", "app-server"),
        ("canary", "1", "app-server"),
        ("production", "2", "api-server"),
    ]
    .into_iter()
    .map(|(g, i, j)| {
        labels(&[
            ("__name__", "http_requests"),
            ("group", g),
            ("instance", i),
            ("job", j),
        ])
    })
    .collect();
    v.sort();
    v
}

fn sorted_by(names: &[&str], desc: bool) -> Vec<String> {
    let mut v = sort_input();
    if desc {
        v.sort_by(|a, b| sort_by_label_desc_cmp(a, b, names));
    } else {
        v.sort_by(|a, b| sort_by_label_cmp(a, b, names));
    }
    v.iter()
        .map(|l| format!("{}/{}/{}", l.get("group"), l.get("instance"), l.get("job")))
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn sort_by_label_as_functions_test() {
    let by_instance = [
        "canary/0/api-server",
        "canary/0/app-server",
        "production/0/api-server",
        "production/0/app-server",
        "canary/1/api-server",
        "canary/1/app-server",
        "production/1/api-server",
        "production/1/app-server",
        "canary/2/api-server",
        "production/2/api-server",
    ];
    assert_eq!(sorted_by(&["instance"], false), by_instance);
    assert_eq!(sorted_by(&["instance", "group"], false), by_instance);
    assert_eq!(
        sorted_by(&["group", "instance", "job"], false),
        [
            "canary/0/api-server",
            "canary/0/app-server",
            "canary/1/api-server",
            "canary/1/app-server",
            "canary/2/api-server",
            "production/0/api-server",
            "production/0/app-server",
            "production/1/api-server",
            "production/1/app-server",
            "production/2/api-server",
        ]
    );
    assert_eq!(
        sorted_by(&["job", "instance", "group"], false),
        [
            "canary/0/api-server",
            "production/0/api-server",
            "canary/1/api-server",
            "production/1/api-server",
            "canary/2/api-server",
            "production/2/api-server",
            "canary/0/app-server",
            "production/0/app-server",
            "canary/1/app-server",
            "production/1/app-server",
        ]
    );
    let by_instance_desc = [
        "production/2/api-server",
        "canary/2/api-server",
        "production/1/app-server",
        "production/1/api-server",
        "canary/1/app-server",
        "canary/1/api-server",
        "production/0/app-server",
        "production/0/api-server",
        "canary/0/app-server",
        "canary/0/api-server",
    ];
    assert_eq!(sorted_by(&["instance"], true), by_instance_desc);
    assert_eq!(sorted_by(&["instance", "group"], true), by_instance_desc);
    assert_eq!(
        sorted_by(&["instance", "group", "job"], true),
        by_instance_desc
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn sort_by_label_in_natural_order() {
    let mut cpus: Vec<Labels> = ["0", "1", "2", "3", "10", "11", "12", "20", "21", "100"]
        .into_iter()
        .map(|c| labels(&[("__name__", "cpu_time_total"), ("job", "cpu"), ("cpu", c)]))
        .collect();
    cpus.sort();
    cpus.sort_by(|a, b| sort_by_label_cmp(a, b, &["cpu"]));
    let order: Vec<&str> = cpus.iter().map(|l| l.get("cpu")).collect();
    assert_eq!(
        order,
        ["0", "1", "2", "3", "10", "11", "12", "20", "21", "100"]
    );

    let mut nodes: Vec<Labels> = [("4m600", "1.2.3"), ("4m5", "1.11.3"), ("4m1000", "1.111.3")]
        .into_iter()
        .map(|(i, r)| {
            labels(&[
                ("__name__", "node_uname_info"),
                ("instance", i),
                ("release", r),
            ])
        })
        .collect();
    nodes.sort_by(|a, b| sort_by_label_cmp(a, b, &["instance"]));
    let order: Vec<&str> = nodes.iter().map(|l| l.get("instance")).collect();
    assert_eq!(order, ["4m5", "4m600", "4m1000"]);
    nodes.sort_by(|a, b| sort_by_label_cmp(a, b, &["release"]));
    let order: Vec<&str> = nodes.iter().map(|l| l.get("release")).collect();
    assert_eq!(order, ["1.2.3", "1.11.3", "1.111.3"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn natural_order_details() {
    use Ordering::*;
    let cases = [
        ("cpu2", "cpu10", Less),
        ("a", "b", Less),
        ("", "a", Less),
        ("a", "", Greater),
        ("x9y", "x10a", Less),
        // Leading zeros do not count; "01" and "1" are neither less nor
        // greater in the package, equal here.
        ("01", "1", Equal),
        ("a007b", "a7b", Equal),
        ("a007c", "a7b", Greater),
        // Digits sort between the bytes below '0' and those above '9'.
        ("1", "a", Less),
        ("-", "1", Less),
        // The package skips a zero before any byte: "0a" reads as "a".
        ("0a", "1", Greater),
        ("0a", "12", Less),
        // Numbers longer than any integer type compare by length and digits.
        ("99999999999999999999999", "100000000000000000000000", Less),
    ];
    for (a, b, want) in cases {
        assert_eq!(natural_cmp(a, b), want, "{a:?} vs {b:?}");
        assert_eq!(natural_cmp(b, a), want.reverse(), "{b:?} vs {a:?}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn count_values_labels_and_scalar() {
    let cases = [
        (6.0, "6"),
        (0.1, "0.1"),
        (1e21, "1000000000000000000000"),
        (1e-7, "0.0000001"),
        (-2.5, "-2.5"),
        (INF, "+Inf"),
        (-INF, "-Inf"),
        (NAN, "NaN"),
    ];
    for (v, want) in cases {
        assert_eq!(count_values_label(v), want, "{v}");
    }
    assert_eq!(scalar(&[3.0]), 3.0);
    assert!(scalar(&[]).is_nan());
    assert!(scalar(&[1.0, 2.0]).is_nan());
}
