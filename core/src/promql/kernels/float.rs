//! Float arithmetic the kernels share, done as Go and Prometheus do it:
//! Kahan–Neumaier summation (`kahanSumInc`), `almost.Equal`, the
//! float-to-int64 conversion of an amd64 build, the seconds of a duration,
//! and Go's `%g`, `%f` and `'f', -1` spellings of a float.

use crate::clock::Millis;
use crate::tsdb::is_stale_marker;

/// One step of Prometheus's compensated sum (`kahanSumInc`): adds `inc` to
/// `sum`, carrying the rounding error in `c` with Neumaier's improvement.
/// Returns the new sum and the new compensation; the result is `sum + c`.
/// An infinite sum resets the compensation, so it never turns the sum into
/// NaN.
pub fn kahan_sum_inc(inc: f64, sum: f64, c: f64) -> (f64, f64) {
    let t = sum + inc;
    let c = if t.is_infinite() {
        0.0
    } else if sum.abs() >= inc.abs() {
        c + ((sum - t) + inc)
    } else {
        c + ((inc - t) + sum)
    };
    (t, c)
}

/// Prometheus's `almost.Equal`: true when `a` and `b` differ by less than
/// `epsilon` times their magnitude (an absolute bound near zero), when
/// both are NaN, or when both are stale markers (which equal nothing else).
pub fn almost_equal(a: f64, b: f64, epsilon: f64) -> bool {
    if is_stale_marker(a) || is_stale_marker(b) {
        return is_stale_marker(a) && is_stale_marker(b);
    }
    if a.is_nan() && b.is_nan() {
        return true;
    }
    if a == b {
        return true;
    }
    let abs_sum = a.abs() + b.abs();
    let diff = (a - b).abs();
    if a == 0.0 || b == 0.0 || abs_sum < f64::MIN_POSITIVE {
        return diff < epsilon * f64::MIN_POSITIVE;
    }
    diff / abs_sum.min(f64::MAX) < epsilon
}

/// Go's `int64(v)` as the amd64 builds of Prometheus compute it: the value
/// truncated toward zero, and `i64::MIN` for NaN, the infinities and
/// anything out of range (the processor's "integer indefinite"). The date
/// functions read their argument this way, so `year(vector(NaN))` is a
/// year in the far future, as in Prometheus.
pub fn go_int64(v: f64) -> i64 {
    // 2^63 is exactly representable; everything at or beyond it (and NaN,
    // which no range contains) overflows.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if !(-LIMIT..LIMIT).contains(&v) {
        i64::MIN
    } else {
        v as i64
    }
}

/// The seconds of a duration of `ms` milliseconds as Go's
/// `Duration.Seconds()` computes them: whole seconds plus the fraction
/// from the nanoseconds, so the last bit agrees with Prometheus.
pub fn duration_seconds(ms: Millis) -> f64 {
    let whole = ms / 1000;
    let nanos = (ms % 1000) * 1_000_000;
    whole as f64 + nanos as f64 / 1e9
}

/// Go's `%g` (and `%v`) of a float: the shortest digits that read back to
/// the same value, in exponent form (`1e+06`, `1.5e-05`) when the exponent
/// is below -4 or at least 6; `NaN`, `+Inf`, `-Inf`.
pub fn format_go_g(v: f64) -> String {
    if let Some(special) = special(v) {
        return special.to_string();
    }
    // `{:e}` gives the shortest digits as `d.ddde<exp>`, the digits Go picks.
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        // `{}` prints the same shortest digits without an exponent.
        format!("{v}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    }
}

/// Go's `%f`: six decimals; `NaN`, `+Inf`, `-Inf`.
pub fn format_go_f6(v: f64) -> String {
    special(v).map_or_else(|| format!("{v:.6}"), str::to_string)
}

fn special(v: f64) -> Option<&'static str> {
    if v.is_nan() {
        Some("NaN")
    } else if v == f64::INFINITY {
        Some("+Inf")
    } else if v == f64::NEG_INFINITY {
        Some("-Inf")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn go_g_switches_to_an_exponent_as_go_does() {
        let cases = [
            (2.0, "2"),
            (-0.1, "-0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e100, "1e+100"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (v, want) in cases {
            assert_eq!(format_go_g(v), want, "{v}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn int64_conversion_is_amd64s() {
        assert_eq!(go_int64(-0.5), 0);
        assert_eq!(go_int64(-1.9), -1);
        assert_eq!(go_int64(1136239445.7), 1136239445);
        assert_eq!(go_int64(f64::NAN), i64::MIN);
        assert_eq!(go_int64(f64::INFINITY), i64::MIN);
        assert_eq!(go_int64(9.3e18), i64::MIN);
        assert_eq!(go_int64(-9_223_372_036_854_775_808.0), i64::MIN);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn duration_seconds_adds_the_fraction_as_go() {
        assert_eq!(duration_seconds(1500), 1.5);
        assert_eq!(duration_seconds(901_000), 901.0);
        assert_eq!(duration_seconds(1001), 1.0 + 0.001);
        assert_eq!(duration_seconds(-1500), -1.5);
    }
}
