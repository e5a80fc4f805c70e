//! The one-value kernels against the `eval` cases of Prometheus's
//! `trig_functions.test`, `functions.test` and `aggregators.test` (the
//! inputs are the scripts' samples, computed the way the query computes
//! them), the date functions also against the `time` crate over a spread
//! of instants, and the edge cases (NaN, ±Inf, out-of-range times) against
//! what the real promtool 3.5 returned for them.

// The expected values are the scripts' own spellings (π and ln 10 among
// them), and the inputs are computed as the queries write them (`-1 * …`).
#![allow(clippy::approx_constant, clippy::neg_multiply)]

use promlab_core::promql::kernels::math::{
    clamp, clamp_max, clamp_min, date_part, date_part_at, pi, round, sgn, DatePart, MathFunction,
};
use promlab_core::promql::promqltest::almost_equal;
use wasm_bindgen_test::wasm_bindgen_test;

const NAN: f64 = f64::NAN;
const INF: f64 = f64::INFINITY;

fn apply(name: &str, v: f64) -> f64 {
    MathFunction::from_name(name)
        .unwrap_or_else(|| panic!("no kernel for {name}"))
        .apply(v)
}

/// Checks `(what, got, want)` rows with promqltest's tolerance.
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

#[wasm_bindgen_test(unsupported = test)]
fn trig_functions_test() {
    // trig{l="x"} 10, trig{l="y"} 20, trig{l="NaN"} NaN; some evals
    // subtract a constant first.
    let table: &[(&str, f64, [f64; 3])] = &[
        ("sin", 0.0, [-0.5440211108893699, 0.9129452507276277, NAN]),
        ("cos", 0.0, [-0.8390715290764524, 0.40808206181339196, NAN]),
        ("tan", 0.0, [0.6483608274590867, 2.2371609442247427, NAN]),
        ("asin", 10.1, [-0.10016742116155944, NAN, NAN]),
        ("acos", 10.1, [1.670963747956456, NAN, NAN]),
        ("atan", 0.0, [1.4711276743037345, 1.5208379310729538, NAN]),
        (
            "sinh",
            0.0,
            [11013.232920103324, 2.4258259770489514e+08, NAN],
        ),
        (
            "cosh",
            0.0,
            [11013.232920103324, 2.4258259770489514e+08, NAN],
        ),
        ("tanh", 0.0, [0.9999999958776927, 1.0, NAN]),
        ("asinh", 0.0, [2.99822295029797, 3.6895038689889055, NAN]),
        ("acosh", 0.0, [2.993222846126381, 3.6882538673612966, NAN]),
        ("atanh", 10.1, [-0.10033534773107522, NAN, NAN]),
        ("rad", 0.0, [0.17453292519943295, 0.3490658503988659, NAN]),
        ("rad", 10.0, [0.0, 0.17453292519943295, NAN]),
        ("rad", 20.0, [-0.17453292519943295, 0.0, NAN]),
        ("deg", 0.0, [572.9577951308232, 1145.9155902616465, NAN]),
        ("deg", 10.0, [0.0, 572.9577951308232, NAN]),
        ("deg", 20.0, [-572.9577951308232, 0.0, NAN]),
    ];
    let mut rows = Vec::new();
    for (name, minus, wants) in table {
        for (input, want) in [10.0, 20.0, NAN].into_iter().zip(wants) {
            rows.push((
                format!("{name}({input} - {minus})"),
                apply(name, input - minus),
                *want,
            ));
        }
    }
    rows.push(("pi()".into(), pi(), 3.141592653589793));
    check(rows);
}

#[wasm_bindgen_test(unsupported = test)]
fn exp_sqrt_and_logarithms() {
    // exp_root_log{l="x"} 10, exp_root_log{l="y"} 20.
    let table: &[(&str, f64, [f64; 2])] = &[
        ("exp", 0.0, [22026.465794806718, 485165195.4097903]),
        ("exp", 10.0, [1.0, 22026.465794806718]),
        ("exp", 20.0, [4.5399929762484854e-05, 1.0]),
        ("ln", 0.0, [2.302585092994046, 2.995732273553991]),
        ("ln", 10.0, [f64::NEG_INFINITY, 2.302585092994046]),
        ("ln", 20.0, [NAN, f64::NEG_INFINITY]),
        ("sqrt", 0.0, [3.1622776601683795, 4.47213595499958]),
        ("log2", 0.0, [3.3219280948873626, 4.321928094887363]),
        ("log2", 10.0, [f64::NEG_INFINITY, 3.3219280948873626]),
        ("log2", 20.0, [NAN, f64::NEG_INFINITY]),
        ("log10", 0.0, [1.0, 1.301029995663981]),
        ("log10", 10.0, [f64::NEG_INFINITY, 1.0]),
        ("log10", 20.0, [NAN, f64::NEG_INFINITY]),
    ];
    let mut rows = Vec::new();
    for (name, minus, wants) in table {
        for (input, want) in [10.0, 20.0].into_iter().zip(wants) {
            rows.push((
                format!("{name}({input} - {minus})"),
                apply(name, input - minus),
                *want,
            ));
        }
    }
    for v in [10.0, 20.0] {
        rows.push((format!("exp(ln({v}))"), apply("exp", apply("ln", v)), v));
    }
    check(rows);
    // Go's formulas, bit for bit as promtool computed them: powers of two
    // are exact in log2; log10 multiplies ln by 1/ln(10).
    assert_eq!(apply("log2", 8.0), 3.0);
    assert_eq!(apply("log2", 0.125), -3.0);
    assert_eq!(apply("log10", 1000.0), 3.0);
    assert_eq!(apply("log10", 0.001), -3.0);
    assert_eq!(apply("log2", 7.5), 2.9068905956085187);
    assert_eq!(apply("ln", 123456.789), 11.723646487185881);
}

#[wasm_bindgen_test(unsupported = test)]
fn abs_ceil_floor_round_and_sgn() {
    let inputs = [2.5, 2.0, -2.5, -2.0, 0.0, -0.0, INF, -INF, NAN];
    let table: &[(&str, [f64; 9])] = &[
        ("abs", [2.5, 2.0, 2.5, 2.0, 0.0, 0.0, INF, INF, NAN]),
        ("ceil", [3.0, 2.0, -2.0, -2.0, 0.0, 0.0, INF, -INF, NAN]),
        ("floor", [2.0, 2.0, -3.0, -2.0, 0.0, 0.0, INF, -INF, NAN]),
    ];
    let mut rows = Vec::new();
    for (name, wants) in table {
        for (input, want) in inputs.into_iter().zip(wants) {
            rows.push((format!("{name}({input})"), apply(name, input), *want));
        }
    }
    let rounded = [3.0, 2.0, -2.0, -2.0, 0.0, 0.0, INF, -INF, NAN];
    for (input, want) in inputs.into_iter().zip(rounded) {
        rows.push((format!("round({input})"), round(input, 1.0), want));
    }
    let signs = [
        (-INF, -1.0),
        (INF, 1.0),
        (NAN, NAN),
        (-50.0, -1.0),
        (0.0, 0.0),
        (100.0, 1.0),
    ];
    for (input, want) in signs {
        rows.push((format!("sgn({input})"), sgn(input), want));
        rows.push((format!("sgn({input}) by name"), apply("sgn", input), want));
    }
    check(rows);
    assert!(sgn(-0.0).is_sign_negative(), "sgn keeps the sign of zero");
}

#[wasm_bindgen_test(unsupported = test)]
fn round_in_aggregators_test() {
    // http_requests{group="production",job="api-server"} is 100 and 200.
    type Expr = fn(f64) -> f64;
    let table: &[(&str, Expr, f64, [f64; 2])] = &[
        ("round(0.004 * v)", |v| 0.004 * v, 1.0, [0.0, 1.0]),
        (
            "round(-1 * (0.004 * v))",
            |v| -1.0 * (0.004 * v),
            1.0,
            [0.0, -1.0],
        ),
        ("round(0.005 * v)", |v| 0.005 * v, 1.0, [1.0, 1.0]),
        (
            "round(-1 * (0.005 * v))",
            |v| -1.0 * (0.005 * v),
            1.0,
            [0.0, -1.0],
        ),
        ("round(1 + 0.005 * v)", |v| 1.0 + 0.005 * v, 1.0, [2.0, 2.0]),
        (
            "round(-1 * (1 + 0.005 * v))",
            |v| -1.0 * (1.0 + 0.005 * v),
            1.0,
            [-1.0, -2.0],
        ),
        ("round(0.0005 * v, 0.1)", |v| 0.0005 * v, 0.1, [0.1, 0.1]),
        (
            "round(2.1 + 0.0005 * v, 0.1)",
            |v| 2.1 + 0.0005 * v,
            0.1,
            [2.2, 2.2],
        ),
        (
            "round(5.2 + 0.0005 * v, 0.1)",
            |v| 5.2 + 0.0005 * v,
            0.1,
            [5.3, 5.3],
        ),
        (
            "round(-1 * (5.2 + 0.0005 * v), 0.1)",
            |v| -1.0 * (5.2 + 0.0005 * v),
            0.1,
            [-5.2, -5.3],
        ),
        ("round(0.025 * v, 5)", |v| 0.025 * v, 5.0, [5.0, 5.0]),
        ("round(0.045 * v, 5)", |v| 0.045 * v, 5.0, [5.0, 10.0]),
    ];
    let mut rows = Vec::new();
    for (what, expr, to_nearest, wants) in table {
        for (v, want) in [100.0, 200.0].into_iter().zip(wants) {
            rows.push((
                format!("{what} with v={v}"),
                round(expr(v), *to_nearest),
                *want,
            ));
        }
    }
    for (v, floor, ceil) in [(100.0, 0.0, 1.0), (200.0, 0.0, 1.0)] {
        rows.push((
            format!("floor(0.004 * {v})"),
            apply("floor", 0.004 * v),
            floor,
        ));
        rows.push((format!("ceil(0.004 * {v})"), apply("ceil", 0.004 * v), ceil));
        rows.push((format!("abs(-1 * {v})"), apply("abs", -1.0 * v), v));
    }
    check(rows);
}

#[wasm_bindgen_test(unsupported = test)]
fn clamp_and_its_nan_rules() {
    let inputs = [-50.0, 0.0, 100.0];
    let mut rows = Vec::new();
    type Clamp = fn(f64) -> Option<f64>;
    let table: &[(&str, Clamp, [f64; 3])] = &[
        (
            "clamp_max(v, 75)",
            |v| Some(clamp_max(v, 75.0)),
            [-50.0, 0.0, 75.0],
        ),
        (
            "clamp_min(v, -25)",
            |v| Some(clamp_min(v, -25.0)),
            [-25.0, 0.0, 100.0],
        ),
        (
            "clamp(v, -25, 75)",
            |v| clamp(v, -25.0, 75.0),
            [-25.0, 0.0, 75.0],
        ),
        (
            "clamp_max(clamp_min(v, -20), 70)",
            |v| Some(clamp_max(clamp_min(v, -20.0), 70.0)),
            [-20.0, 0.0, 70.0],
        ),
        ("clamp(v, 0, NaN)", |v| clamp(v, 0.0, NAN), [NAN, NAN, NAN]),
        ("clamp(v, NaN, 0)", |v| clamp(v, NAN, 0.0), [NAN, NAN, NAN]),
    ];
    for (what, f, wants) in table {
        for (v, want) in inputs.into_iter().zip(wants) {
            rows.push((
                format!("{what} with v={v}"),
                f(v).unwrap_or(-12345.0),
                *want,
            ));
        }
    }
    // mixed_metric's floats 1 2 3.
    for (v, c, cmin, cmax) in [
        (1.0, 2.0, 2.0, 1.0),
        (2.0, 2.0, 2.0, 2.0),
        (3.0, 3.0, 3.0, 2.0),
    ] {
        rows.push((
            format!("clamp({v}, 2, 5)"),
            clamp(v, 2.0, 5.0).unwrap_or(-1.0),
            c,
        ));
        rows.push((format!("clamp_min({v}, 2)"), clamp_min(v, 2.0), cmin));
        rows.push((format!("clamp_max({v}, 2)"), clamp_max(v, 2.0), cmax));
    }
    check(rows);
    // A maximum below the minimum drops every sample.
    assert_eq!(clamp(0.0, 5.0, -5.0), None);
    // Go's Max lets +Inf win over NaN; Min lets -Inf win over NaN (as
    // promtool answered for these).
    assert_eq!(clamp_min(NAN, INF), INF);
    assert_eq!(clamp_max(NAN, -INF), -INF);
    assert!(clamp_min(NAN, 0.0).is_nan());
    let zero = clamp(-0.3, -0.0, 0.0).unwrap();
    assert!(
        zero == 0.0 && zero.is_sign_negative(),
        "clamp(-0.3, -0, 0) is -0"
    );
}

/// `round` with unusual steps, as promtool answered.
#[wasm_bindgen_test(unsupported = test)]
fn round_with_odd_steps() {
    assert!(round(2.5, 0.0).is_nan());
    assert_eq!(round(2.5, -1.0), 2.0);
    assert_eq!(round(2.5, 0.3), 2.4);
    assert_eq!(round(-0.3, 1.0), 0.0);
}

/// The date kernels at the instants of `functions.test`.
#[wasm_bindgen_test(unsupported = test)]
fn date_functions_test() {
    use DatePart::*;
    let t = 1136239445.0; // 2006-01-02 22:04:05 UTC, a Monday
    let rows = vec![
        ("year()".to_string(), date_part_at(Year, 0), 1970.0),
        ("year(t)".into(), date_part(Year, t), 2006.0),
        ("month()".into(), date_part_at(Month, 0), 1.0),
        ("month(t)".into(), date_part(Month, t), 1.0),
        ("day_of_month()".into(), date_part_at(DayOfMonth, 0), 1.0),
        ("day_of_month(t)".into(), date_part(DayOfMonth, t), 2.0),
        ("day_of_year()".into(), date_part_at(DayOfYear, 0), 1.0),
        ("day_of_year(t)".into(), date_part(DayOfYear, t), 2.0),
        ("day_of_week()".into(), date_part_at(DayOfWeek, 0), 4.0),
        ("day_of_week(t)".into(), date_part(DayOfWeek, t), 1.0),
        ("hour()".into(), date_part_at(Hour, 0), 0.0),
        ("hour(t)".into(), date_part(Hour, t), 22.0),
        ("minute()".into(), date_part_at(Minute, 0), 0.0),
        ("minute(t)".into(), date_part(Minute, t), 4.0),
        (
            "year(before leap second)".into(),
            date_part(Year, 1230767999.0),
            2008.0,
        ),
        (
            "year(after leap second)".into(),
            date_part(Year, 1230768000.0),
            2009.0,
        ),
        (
            "2016-02-29 23:59:59".into(),
            date_part(Month, 1456790399.0) + date_part(DayOfMonth, 1456790399.0) / 100.0,
            2.29,
        ),
        (
            "2016-03-01 00:00:00".into(),
            date_part(Month, 1456790400.0) + date_part(DayOfMonth, 1456790400.0) / 100.0,
            3.01,
        ),
        (
            "day_of_year(2016-12-31)".into(),
            date_part(DayOfYear, 1483191420.0),
            366.0,
        ),
        (
            "day_of_year(2022-12-31)".into(),
            date_part(DayOfYear, 1672493820.0),
            365.0,
        ),
        (
            "days_in_month(2016-02)".into(),
            date_part(DaysInMonth, 1454284800.0),
            29.0,
        ),
        (
            "days_in_month(2017-02)".into(),
            date_part(DaysInMonth, 1485907200.0),
            28.0,
        ),
    ];
    check(rows);
}

/// What promtool 3.5.3 (amd64) answered for `year(x)` and the others with
/// these sample values: Go converts NaN, ±Inf and values beyond 2^63 to
/// the same int64, whose date wraps around to the year 292277026596.
#[wasm_bindgen_test(unsupported = test)]
fn date_functions_at_the_edges_as_promtool_answers() {
    use DatePart::*;
    let parts = [
        Year,
        Month,
        DayOfMonth,
        DayOfWeek,
        Hour,
        DaysInMonth,
        DayOfYear,
        Minute,
    ];
    let far = [292277026596.0, 12.0, 4.0, 0.0, 15.0, 31.0, 339.0, 30.0];
    let table: &[(f64, [f64; 8])] = &[
        (NAN, far),
        (INF, far),
        (-INF, far),
        (1e20, far),
        (-1.0, [1969.0, 12.0, 31.0, 3.0, 23.0, 31.0, 365.0, 59.0]),
        (-0.5, [1970.0, 1.0, 1.0, 4.0, 0.0, 31.0, 1.0, 0.0]),
    ];
    let mut rows = Vec::new();
    for (v, wants) in table {
        for (part, want) in parts.into_iter().zip(wants) {
            rows.push((format!("{}({v})", part.name()), date_part(part, *v), *want));
        }
    }
    check(rows);
}

/// The calendar against the `time` crate for instants from year 1 to 9999.
#[wasm_bindgen_test(unsupported = test)]
fn date_parts_agree_with_the_time_crate() {
    let (lo, hi) = (-62_135_596_800_i64, 253_402_300_799_i64);
    // A fixed linear congruential sequence: the same instants every run.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut instants = vec![lo, hi, 0, -1, 951_782_400, 4_107_542_399];
    for _ in 0..5000 {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        instants.push(lo + (x >> 11) as i64 % (hi - lo));
    }
    for s in instants {
        let dt = time::OffsetDateTime::from_unix_timestamp(s).unwrap();
        let want = [
            (DatePart::Year, f64::from(dt.year())),
            (DatePart::Month, f64::from(u8::from(dt.month()))),
            (DatePart::DayOfMonth, f64::from(dt.day())),
            (
                DatePart::DayOfWeek,
                f64::from(dt.weekday().number_days_from_sunday()),
            ),
            (DatePart::DayOfYear, f64::from(dt.ordinal())),
            (DatePart::Hour, f64::from(dt.hour())),
            (DatePart::Minute, f64::from(dt.minute())),
            (
                DatePart::DaysInMonth,
                f64::from(time::util::days_in_month(dt.month(), dt.year())),
            ),
        ];
        for (part, want) in want {
            assert_eq!(date_part(part, s as f64), want, "{}({s})", part.name());
            assert_eq!(
                date_part_at(part, s * 1000),
                want,
                "{}() at {s}",
                part.name()
            );
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn every_math_function_has_its_name() {
    for f in MathFunction::ALL {
        assert_eq!(MathFunction::from_name(f.name()), Some(f));
        assert!(
            promlab_core::promql::function_by_name(f.name()).is_some(),
            "{} is not in the function table",
            f.name()
        );
    }
    for p in DatePart::ALL {
        assert_eq!(DatePart::from_name(p.name()), Some(p));
        assert!(promlab_core::promql::function_by_name(p.name()).is_some());
    }
}
