//! The range-vector kernels against the `eval` cases of Prometheus's
//! `functions.test`: each row is one series of a `load` block (its step and
//! values in the script's notation), the evaluation time, the range (and
//! offset or `@`), and the value Prometheus's script expects, compared as
//! promqltest compares (relative 1e-6, NaN equal to NaN). Histogram
//! samples in a series are dropped, as the kernels see only floats.

use promlab_core::clock::Timestamp;
use promlab_core::duration::parse_duration;
use promlab_core::promql::kernels::range::{self, window, Point, RangeArgs, RangeFunction};
use promlab_core::promql::kernels::KernelError;
use promlab_core::promql::promqltest::{almost_equal, parse_series_desc, SequenceValue};
use promlab_core::tsdb::is_stale_marker;
use wasm_bindgen_test::wasm_bindgen_test;

/// The float samples of a `load <step>` series, stale markers removed.
fn load(step: &str, values: &str) -> Vec<Point> {
    let step = parse_duration(step).unwrap();
    let desc = parse_series_desc(&format!("x {values}")).unwrap();
    desc.values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            SequenceValue::Float(f) if !is_stale_marker(*f) => Some((i as Timestamp * step, *f)),
            _ => None,
        })
        .collect()
}

fn ms(d: &str) -> Timestamp {
    parse_duration(d).unwrap()
}

struct Case {
    func: &'static str,
    step: &'static str,
    values: &'static str,
    at: &'static str,
    range: &'static str,
    offset: &'static str,
    /// An `@` modifier: the window ends here instead of at `at`.
    pinned: Option<&'static str>,
    args: [f64; 2],
    want: Option<f64>,
}

fn case(
    func: &'static str,
    step: &'static str,
    values: &'static str,
    at: &'static str,
    range: &'static str,
) -> Case {
    Case {
        func,
        step,
        values,
        at,
        range,
        offset: "0s",
        pinned: None,
        args: [f64::NAN; 2],
        want: None,
    }
}

impl Case {
    fn want(mut self, v: f64) -> Self {
        self.want = Some(v);
        self
    }
    fn offset(mut self, d: &'static str) -> Self {
        self.offset = d;
        self
    }
    fn pinned(mut self, d: &'static str) -> Self {
        self.pinned = Some(d);
        self
    }
    fn args(mut self, a: f64, b: f64) -> Self {
        self.args = [a, b];
        self
    }

    fn eval(&self) -> Result<Option<f64>, KernelError> {
        let f = RangeFunction::from_name(self.func).unwrap();
        let samples = load(self.step, self.values);
        let t = ms(self.at);
        let end = self.pinned.map_or(t, ms) - ms(self.offset);
        let start = end - ms(self.range);
        let args = RangeArgs {
            range_start: start,
            range_end: end,
            t,
            scalars: self.args,
        };
        f.eval(window(&samples, start, end), &args)
    }

    fn describe(&self) -> String {
        format!(
            "{}(x[{}] offset {}{}) at {} over `{}` (load {})",
            self.func,
            self.range,
            self.offset,
            self.pinned.map(|p| format!(" @ {p}")).unwrap_or_default(),
            self.at,
            self.values,
            self.step
        )
    }
}

fn check(cases: Vec<Case>) {
    let mut failures = Vec::new();
    for c in &cases {
        let got = c.eval();
        let ok = match (&got, c.want) {
            (Ok(Some(g)), Some(w)) => almost_equal(*g, w),
            (Ok(None), None) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!(
                "{}: want {:?}, got {:?}",
                c.describe(),
                c.want,
                got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

const FOO: &str = "1 2 3 0 1 0 0 1 2 0";
const BAR: &str = "1 2 3 4 5 1 2 3 4 5";
const BIZ: &str = "0 0 0 0 0 1 1 1 1 1";

#[wasm_bindgen_test(unsupported = test)]
fn resets_and_changes() {
    let mut cases = Vec::new();
    for (range, foo, bar, biz) in [
        ("5m", None, None, None),
        ("10m", Some(0.0), Some(0.0), Some(0.0)),
        ("20m", Some(1.0), Some(0.0), Some(0.0)),
        ("30m", Some(1.0), Some(0.0), Some(0.0)),
        ("32m", Some(2.0), Some(1.0), Some(0.0)),
        ("50m", Some(3.0), Some(1.0), Some(0.0)),
    ] {
        for (values, want) in [(FOO, foo), (BAR, bar), (BIZ, biz)] {
            let mut c = case("resets", "5m", values, "50m", range);
            c.want = want;
            cases.push(c);
        }
    }
    for (range, foo, bar, biz) in [
        ("5m", None, None, None),
        ("6m", Some(0.0), Some(0.0), Some(0.0)),
        ("20m", Some(2.0), Some(2.0), Some(0.0)),
        ("30m", Some(3.0), Some(4.0), Some(0.0)),
        ("50m", Some(7.0), Some(8.0), Some(1.0)),
    ] {
        for (values, want) in [(FOO, foo), (BAR, bar), (BIZ, biz)] {
            let mut c = case("changes", "5m", values, "50m", range);
            c.want = want;
            cases.push(c);
        }
    }
    cases.push(case("changes", "5m", "NaN NaN NaN", "15m", "20m").want(0.0));
    cases.push(case("changes", "5m", "0 NaN 0", "15m", "20m").want(2.0));
    check(cases);
}

#[wasm_bindgen_test(unsupported = test)]
fn increase_rate_and_delta() {
    check(vec![
        case("increase", "5m", "0+10x10", "50m", "50m").want(100.0),
        case("increase", "5m", "0+18x5 0+18x5", "50m", "50m").want(160.0),
        case("increase", "5m", "10+10x10", "50m", "50m").want(100.0),
        case("increase", "5m", "1+10x10", "50m", "50m").want(100.0),
        // Extrapolation to the left stops at the counter's zero.
        case("increase", "5m", "0+10x10", "50m", "100m").want(100.0),
        case("increase", "5m", "0+18x5 0+18x5", "50m", "100m").want(162.0),
        case("increase", "5m", "10+10x10", "50m", "100m").want(105.0),
        case("increase", "5m", "1+10x10", "50m", "100m").want(101.0),
        // 3 2 is a reset: read as 3 0 1 2.
        case("increase", "5m", "0 1 2 3 2 3 4", "30m", "30m").want(7.0),
        case("rate", "5m", "0+27x4 0+27x5", "50m", "50m").want(0.08),
        case("rate", "5m", "0+10x9 0 10", "50m", "5m"),
        case("rate", "5m", "0+10x9 0 10", "50m", "6m").want(0.0),
        case("rate", "5m", "0+80x10", "50m", "50m").want(0.26666666666666666),
        case("rate", "5m", "0+10x10", "50m", "10m")
            .offset("5m")
            .want(0.03333333333333333),
        case("rate", "5m", "0+20x10", "50m", "10m")
            .offset("5m")
            .want(0.06666666666666667),
        // The zero cutoff for the left extrapolation.
        case("rate", "4m", "0+240x10", "10m", "20m").want(0.5),
        case("rate", "4m", "60+240x10", "10m", "20m").want(0.55),
        case("rate", "4m", "120+240x10", "10m", "20m").want(0.6),
        case("rate", "4m", "180+240x10", "10m", "20m").want(0.6),
        case("rate", "4m", "240+240x10", "10m", "20m").want(0.6),
        case("rate", "4m", "300+240x10", "10m", "20m").want(0.6),
        case("rate", "4m", "0+240x10", "50m", "20m").want(0.6),
        case("rate", "4m", "60+240x10", "50m", "20m").want(0.6),
        case("rate", "4m", "120+240x10", "50m", "20m").want(0.6),
        case("rate", "4m", "180+240x10", "50m", "20m").want(0.6),
        case("rate", "4m", "240+240x10", "50m", "20m").want(0.6),
        case("rate", "4m", "300+240x10", "50m", "20m").want(0.6),
        case("delta", "5m", "0 50 100 150 200", "20m", "20m").want(200.0),
        case("delta", "5m", "200 150 100 50 0", "20m", "20m").want(-200.0),
        // deriv equals rate in simple cases.
        case("rate", "5m", "0+80x10", "50m", "50m").want(0.26666666666666666),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn irate_and_idelta() {
    let nan = "1 NaN NaN 5 11";
    check(vec![
        case("irate", "5m", "0+10x10", "50m", "50m").want(0.03333333333333333),
        case("irate", "5m", "0+10x5 0+10x5", "50m", "50m").want(0.03333333333333333),
        case("irate", "5m", "0+10x10", "30m", "50m").want(0.03333333333333333),
        // A reset between the last two samples: the last value per second.
        case("irate", "5m", "0+10x5 0+10x5", "30m", "50m").want(0.0),
        case("irate", "5m", nan, "0m", "15m1s"),
        case("irate", "5m", nan, "5m", "15m1s").want(f64::NAN),
        case("irate", "5m", nan, "10m", "15m1s").want(f64::NAN),
        case("irate", "5m", nan, "15m", "15m1s").want(f64::NAN),
        case("irate", "5m", nan, "20m", "15m1s").want(0.02),
        case("idelta", "5m", "0 50 100 150", "20m", "20m").want(50.0),
        case("idelta", "5m", "0 50 100 50", "20m", "20m").want(-50.0),
        case("idelta", "5m", nan, "0m", "15m1s"),
        case("idelta", "5m", nan, "5m", "15m1s").want(f64::NAN),
        case("idelta", "5m", nan, "10m", "15m1s").want(f64::NAN),
        case("idelta", "5m", nan, "15m", "15m1s").want(f64::NAN),
        case("idelta", "5m", nan, "20m", "15m1s").want(6.0),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn deriv_and_predict_linear() {
    let middle = "0+10x4 0+10x5";
    let middle_mix = "0+10x4 0+10x5 {{schema:0 sum:1 count:1}} {{schema:1 sum:2 count:2}}";
    let inf = "-Inf 0+80x10 Inf";
    check(vec![
        case("deriv", "5m", "0+80x10", "50m", "50m").want(0.26666666666666666),
        case("deriv", "5m", middle, "50m", "100m").want(0.010606060606060607),
        case(
            "deriv",
            "5m",
            "0+80x10 {{schema:0 sum:1 count:1}}",
            "110m",
            "110m",
        )
        .want(0.26666666666666666),
        case("deriv", "5m", middle_mix, "100m", "110m").want(0.010606060606060607),
        case("deriv", "5m", "{{schema:0 sum:1 count:2}}x10", "50m", "60m"),
        case("deriv", "5m", inf, "100m", "100m").want(f64::NAN),
        case("predict_linear", "5m", middle, "50m", "50m")
            .args(3600.0, f64::NAN)
            .want(70.0),
        // The line is evaluated from the evaluation time, not the `@` time.
        case("predict_linear", "5m", middle, "50m", "55m")
            .pinned("3000s")
            .args(3600.0, f64::NAN)
            .want(76.81818181818181),
        case("predict_linear", "5m", middle, "10m", "55m")
            .pinned("3000s")
            .args(3600.0, f64::NAN)
            .want(51.36363636363637),
        case("predict_linear", "5m", middle, "70m", "55m")
            .pinned("3000s")
            .args(3600.0, f64::NAN)
            .want(89.54545454545455),
        case("predict_linear", "5m", middle_mix, "60m", "60m")
            .args(3000.0, f64::NAN)
            .want(70.0),
        case(
            "predict_linear",
            "5m",
            "{{schema:0 sum:1 count:2}}x10",
            "60m",
            "60m",
        )
        .args(3000.0, f64::NAN),
        case("predict_linear", "5m", inf, "100m", "100m")
            .args(6000.0, f64::NAN)
            .want(f64::NAN),
        // predict_linear(x[50m], 3600) - (x + deriv(x[50m]) * 3600) == 0.
        case("predict_linear", "5m", "0+80x10", "50m", "50m")
            .args(3600.0, f64::NAN)
            .want(800.0 + 0.26666666666666666 * 3600.0),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn double_exponential_smoothing() {
    let des = |values, want| {
        case("double_exponential_smoothing", "10s", values, "8000s", "1m")
            .args(0.01, 0.1)
            .want(want)
    };
    let mix = |values, want| {
        case(
            "double_exponential_smoothing",
            "10s",
            values,
            "20010s",
            "1m",
        )
        .args(0.01, 0.1)
        .want(want)
    };
    check(vec![
        des("0+10x1000 100+30x1000", 8000.0),
        des("0+20x1000 200+30x1000", 16000.0),
        des("0+30x1000 300+80x1000", 24000.0),
        des("0+40x2000", 32000.0),
        mix(
            "0+10x1000 100+30x1000 {{schema:0 count:1 sum:2}}x1000",
            30100.0,
        ),
        mix(
            "0+20x1000 200+30x1000 {{schema:0 count:1 sum:2}}x1000",
            30200.0,
        ),
        mix(
            "0+30x1000 300+80x1000 {{schema:0 count:1 sum:2}}x1000",
            80300.0,
        ),
        mix("0+40x2000 {{schema:0 count:1 sum:2}}x1000", 80000.0),
        des("8000-10x1000", 0.0),
        des("0-20x1000", -16000.0),
        des("0+30x1000 300-80x1000", 24000.0),
        des("0-40x1000 0+40x1000", -32000.0),
        case(
            "double_exponential_smoothing",
            "10s",
            "{{schema:0 count:1 sum:2}}x1000",
            "10000s",
            "1m",
        )
        .args(0.01, 0.1),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn double_exponential_smoothing_refuses_factors_outside_0_1() {
    let samples = [(0, 1.0), (1000, 2.0)];
    let errors: Vec<String> = [
        (0.0, 0.5),
        (1.0, 0.5),
        (f64::NAN, 0.5),
        (0.5, 0.0),
        (0.5, 1.5),
    ]
    .into_iter()
    .map(|(sf, tf)| {
        range::double_exponential_smoothing(&samples, sf, tf)
            .unwrap_err()
            .to_string()
    })
    .collect();
    assert_eq!(
        errors,
        [
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000",
            "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000",
            "invalid smoothing factor. Expected: 0 < sf < 1, got: NaN",
            "invalid trend factor. Expected: 0 < tf < 1, got: 0.000000",
            "invalid trend factor. Expected: 0 < tf < 1, got: 1.500000",
        ]
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn avg_and_sum_over_time_with_infinities_and_extremes() {
    let avg = |values, want| case("avg_over_time", "10s", values, "55s", "1m").want(want);
    let sum = |values, want| case("sum_over_time", "10s", values, "55s", "1m").want(want);
    // The script's spelling of a value near the largest float.
    let big: f64 = "9.988465674311579e+307".parse().unwrap();
    check(vec![
        case("avg_over_time", "10s", "1 2 3 4 5", "55s", "10s"),
        case("avg_over_time", "10s", "1 2 3 4 5", "55s", "20s").want(5.0),
        avg("1 2 3 4 5", 3.0),
        sum("1 2 3 4 5", 15.0),
        avg("1 2 3 4 Inf", f64::INFINITY),
        avg("1 2 3 4 -Inf", f64::NEG_INFINITY),
        avg("1 2 3 Inf -Inf", f64::NAN),
        sum("1 2 3 Inf -Inf", f64::NAN),
        avg("Inf 0 Inf", f64::INFINITY),
        avg("Inf Inf Inf -Inf", f64::NAN),
        avg("1 2 3 -Inf -Inf", f64::NEG_INFINITY),
        avg("-Inf 0 -Inf", f64::NEG_INFINITY),
        avg("-Inf -Inf -Inf Inf", f64::NAN),
        avg("1 2 -Inf -Inf Inf", f64::NAN),
        // The mean survives where the sum overflows.
        avg("9.988465674311579e+307 9.988465674311579e+307", big),
        sum(
            "9.988465674311579e+307 9.988465674311579e+307",
            f64::INFINITY,
        ),
        avg(
            "-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307",
            -big,
        ),
        sum(
            "-9.988465674311579e+307 -9.988465674311579e+307 -9.988465674311579e+307",
            f64::NEG_INFINITY,
        ),
        avg("-9.988465674311579e+307 9.988465674311579e+307", 0.0),
        sum("-9.988465674311579e+307 9.988465674311579e+307", 0.0),
        case("avg_over_time", "10s", "1 2 3 NaN NaN", "20s", "1m").want(2.0),
        case("avg_over_time", "10s", "1 2 3 NaN NaN", "30s", "1m").want(f64::NAN),
        avg("1 2 3 NaN NaN", f64::NAN),
        // Kahan summation keeps the ones next to 1e100.
        case("sum_over_time", "10s", "1 1e100 1 -1e100", "1m", "2m").want(2.0),
        case("avg_over_time", "10s", "1 1e100 1 -1e100", "1m", "2m").want(0.5),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn avg_over_time_of_values_of_many_magnitudes() {
    let avg = |values, want| case("avg_over_time", "5s", values, "55s", "1m").want(want);
    check(vec![
        avg("1e10 1e-6 1e-6 1e-6 1e-6 1e-6", 1.6666666666666675e+09),
        avg(
            "5.30921651659898 0.961118537914768 1.62091361305318 0.865089463758091 0.323055185914577 0.951811357687154",
            1.67186744582113,
        ),
        avg("1.78264e50 0.76342771 1.9592258 7.69805412 458.90154", 3.56528E+49),
        avg("0.76342771 1.9592258 7.69805412 1.78264e50 458.90154", 3.56528E+49),
        avg(
            "1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 458.90154",
            3.76333333333333E+219,
        ),
        avg(
            "-1.78264E+50 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154",
            3.76333333333333E+219,
        ),
        avg(
            "-1.78264E+50 0.76342771 1.9592258 -2.258E+220 7.69805412 -458.90154",
            -3.76333333333333E+219,
        ),
        avg(
            "-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 -458.90154",
            3.76330362266667E+219,
        ),
        avg(
            "-1.78264E+215 0.76342771 1.9592258 2.258E+220 7.69805412 1.78264E+215 -458.90154",
            3.225714285714286e+219,
        ),
        avg(
            "-1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154",
            2.5088888888888888e+219,
        ),
        // Even Kahan summation loses the small values here; Prometheus says 0.
        avg(
            "-2.258E+220 -1.78264E+219 0.76342771 1.9592258 2.3757689E+217 -2.3757689E+217 2.258E+220 7.69805412 1.78264E+219 -458.90154",
            0.0,
        ),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn avg_over_time_of_a_constant_is_exactly_the_constant() {
    // Prometheus's script checks these with `== 52`, not with a tolerance.
    let samples = load("10s", "52+0x100");
    for range in ["100s", "110s", "120s", "130s"] {
        let end = ms("10m");
        let w = window(&samples, end - ms(range), end);
        assert_eq!(range::avg_over_time(w), Some(52.0), "{range}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn sum_over_time_of_dense_samples() {
    let mut cases = Vec::new();
    for (range, want) in [
        ("1000ms", 1000.0),
        ("1001ms", 1001.0),
        ("1002ms", 1002.0),
        ("1003ms", 1003.0),
        ("2000ms", 2000.0),
        ("2001ms", 2001.0),
        ("2002ms", 2002.0),
        ("2003ms", 2003.0),
        ("3000ms", 3000.0),
        ("3001ms", 3001.0),
        ("3002ms", 3002.0),
        ("3003ms", 3003.0),
    ] {
        cases.push(case("sum_over_time", "1ms", "1+0x4000", "4s", range).want(want));
    }
    check(cases);
}

#[wasm_bindgen_test(unsupported = test)]
fn stddev_stdvar_and_mad_over_time() {
    let constant = "1.5990505637277868 1.5990505637277868 1.5990505637277868";
    let mix = "1 1 1 {{schema:1 sum:2 count:3}} {{schema:1 sum:2 count:3}}";
    check(vec![
        case("stdvar_over_time", "10s", "0 8 8 2 3", "1m", "2m").want(10.56),
        case("stddev_over_time", "10s", "0 8 8 2 3", "1m", "2m").want(3.249615),
        case("stddev_over_time", "10s", mix, "1m", "2m").want(0.0),
        case("stdvar_over_time", "10s", mix, "1m", "2m").want(0.0),
        case(
            "stddev_over_time",
            "10s",
            "{{schema:1 sum:2 count:3}}x5",
            "1m",
            "2m",
        ),
        case("stdvar_over_time", "10s", constant, "55s", "1m").want(0.0),
        case("stddev_over_time", "10s", constant, "55s", "1m").want(0.0),
        case("mad_over_time", "10s", "4 6 2 1 999 1 2", "70s", "70s").want(1.0),
        case("mad_over_time", "10s", mix, "70s", "70s").want(0.0),
        case(
            "mad_over_time",
            "10s",
            "{{schema:1 sum:2 count:3}}x5",
            "70s",
            "70s",
        ),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn timestamps_of_min_max_and_last() {
    let values = "1 2 3 0 5 6 2 1 4";
    check(vec![
        case("ts_of_min_over_time", "10s53ms", values, "90s", "90s").want(30.159),
        case("ts_of_max_over_time", "10s53ms", values, "90s", "90s").want(50.265),
        case("ts_of_last_over_time", "10s53ms", "1 2 3 _ _", "90s", "90s").want(20.106),
        case("ts_of_last_over_time", "10s53ms", "1 2 3 _ _", "95s", "90s").want(20.106),
        case(
            "ts_of_last_over_time",
            "10s53ms",
            "1 1 1 {{schema:1 sum:2 count:3}} {{schema:1 sum:2 count:3}} 1",
            "95s",
            "90s",
        )
        .want(50.265),
        // Ties: the last sample holding the extreme.
        case("ts_of_max_over_time", "10s", "5 1 5 1", "30s", "1m").want(20.0),
        case("ts_of_min_over_time", "10s", "5 1 5 1", "30s", "1m").want(30.0),
    ]);
}

#[wasm_bindgen_test(unsupported = test)]
fn quantile_over_time() {
    let mut cases = Vec::new();
    for (q, two, three, uneven) in [
        (0.0, 0.0, 0.0, 0.0),
        (0.5, 0.5, 1.0, 1.0),
        (0.75, 0.75, 1.5, 2.5),
        (0.8, 0.8, 1.6, 2.8),
        (1.0, 1.0, 2.0, 4.0),
        (
            -1.0,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ),
        (2.0, f64::INFINITY, f64::INFINITY, f64::INFINITY),
    ] {
        for (values, want) in [("0 1", two), ("0 1 2", three), ("0 1 4", uneven)] {
            cases.push(
                case("quantile_over_time", "10s", values, "1m", "2m")
                    .args(q, f64::NAN)
                    .want(want),
            );
        }
    }
    cases.push(
        case(
            "quantile_over_time",
            "10s",
            "0 1 2 {{schema:0 sum:1 count:2}}x2",
            "1m",
            "2m",
        )
        .args(0.5, f64::NAN)
        .want(1.0),
    );
    check(cases);
}

#[wasm_bindgen_test(unsupported = test)]
fn min_max_last_count_over_time_with_nans() {
    let series = [
        ("2 0 3", 0.0, 3.0, 3.0),
        ("2 0 NaN", 0.0, 2.0, f64::NAN),
        ("2 NaN 1", 1.0, 2.0, 1.0),
        ("NaN 0 1", 0.0, 1.0, 1.0),
        ("NaN NaN NaN", f64::NAN, f64::NAN, f64::NAN),
    ];
    let mut cases = Vec::new();
    for (values, min, max, last) in series {
        cases.push(case("min_over_time", "10s", values, "1m", "2m").want(min));
        cases.push(case("max_over_time", "10s", values, "1m", "2m").want(max));
        cases.push(case("last_over_time", "10s", values, "1m", "2m").want(last));
        cases.push(case("count_over_time", "10s", values, "1m", "2m").want(3.0));
    }
    let mix = "0 1 {{schema:0 sum:1 count:2}} {{schema:0 sum:2 count:3}}";
    cases.push(case("min_over_time", "10s", mix, "1m", "2m").want(0.0));
    cases.push(case("max_over_time", "10s", mix, "1m", "2m").want(1.0));
    cases.push(case(
        "min_over_time",
        "10s",
        "{{schema:0 sum:1 count:2}}x2",
        "1m",
        "2m",
    ));
    check(cases);
}

#[wasm_bindgen_test(unsupported = test)]
fn present_and_absent_over_time() {
    let counter = "1+1x10";
    let one = "1";
    let handshakes = "1+1x15";
    let nans = "NaN NaN NaN NaN NaN";
    let cases = [
        (counter, "5m", "5m", true),
        (one, "0m", "30s", true),
        (one, "1m", "30s", false),
        (counter, "15m", "5m", false),
        (counter, "15m", "10m", true),
        (counter, "16m", "6m", false),
        (counter, "16m", "16m", true),
        (handshakes, "16m", "1m", false),
        (handshakes, "16m", "2m", true),
        // NaN values are samples.
        (nans, "5m", "4m", true),
        (nans, "10m", "4m", false),
    ];
    let mut table = Vec::new();
    for (values, at, range, present) in cases {
        let mut c = case("present_over_time", "1m", values, at, range);
        c.want = present.then_some(1.0);
        table.push(c);
        let samples = load("1m", values);
        let end = ms(at);
        let w = window(&samples, end - ms(range), end);
        assert_eq!(
            range::absent_over_time([w]),
            (!present).then_some(1.0),
            "absent_over_time({values}[{range}]) at {at}"
        );
    }
    check(table);
    assert_eq!(range::absent_over_time(std::iter::empty()), Some(1.0));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_window_is_left_open() {
    let samples = [(0, 1.0), (1000, 2.0), (2000, 3.0), (3000, 4.0)];
    assert_eq!(window(&samples, 1000, 3000), &samples[2..]);
    assert_eq!(window(&samples, -1, 0), &samples[..1]);
    assert!(window(&samples, 3000, 9000).is_empty());
    assert!(window(&samples, 5000, 1000).is_empty());
    assert!(window(&[], 0, 1000).is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn every_range_function_has_its_name() {
    for f in RangeFunction::ALL {
        assert_eq!(RangeFunction::from_name(f.name()), Some(f));
        let def = promlab_core::promql::function_by_name(f.name())
            .unwrap_or_else(|| panic!("{} is not in the function table", f.name()));
        assert!(
            def.arg_types
                .contains(&promlab_core::promql::ValueType::Matrix),
            "{}",
            f.name()
        );
    }
    assert_eq!(RangeFunction::from_name("abs"), None);
}

#[wasm_bindgen_test(unsupported = test)]
fn extreme_timestamps_do_not_overflow() {
    let samples = [(i64::MIN, 1.0), (i64::MAX, 2.0)];
    let args = RangeArgs {
        range_start: i64::MIN,
        range_end: i64::MAX,
        t: i64::MAX,
        scalars: [1.0, 0.5],
    };
    for f in RangeFunction::ALL {
        // Any value, no panic.
        let _ = f.eval(&samples, &args);
    }
}

/// Where each function of the parser's table has its arithmetic: a named
/// kernel, a kernel function, or nothing to compute.
#[wasm_bindgen_test(unsupported = test)]
fn every_function_of_the_table_has_its_kernel() {
    use promlab_core::promql::kernels::histogram::NativeHistogramFunction;
    use promlab_core::promql::kernels::math::{DatePart, MathFunction};
    // Kernel functions not named by an enum, and functions with nothing to
    // compute (time(), vector(), timestamp() and info() read the evaluator's
    // state).
    let by_function = [
        "histogram_quantile",
        "histogram_fraction",
        "label_replace",
        "label_join",
        "round",
        "clamp",
        "clamp_min",
        "clamp_max",
        "pi",
        "sort",
        "sort_desc",
        "sort_by_label",
        "sort_by_label_desc",
        "absent",
        "absent_over_time",
        "scalar",
    ];
    let nothing_to_compute = ["time", "vector", "timestamp", "info"];
    for def in promlab_core::promql::FUNCTIONS {
        let name = def.name;
        let named = RangeFunction::from_name(name).is_some()
            || MathFunction::from_name(name).is_some()
            || DatePart::from_name(name).is_some()
            || NativeHistogramFunction::from_name(name).is_some();
        assert!(
            named || by_function.contains(&name) || nothing_to_compute.contains(&name),
            "{name} has no kernel"
        );
    }
}
