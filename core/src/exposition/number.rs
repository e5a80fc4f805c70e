//! Numbers as the exposition formats spell them: sample values and
//! timestamps read the way Prometheus reads them (Go's `strconv`), and
//! values printed for the text format, the API and OpenMetrics label values.

use crate::clock::Timestamp;

/// A float as Prometheus's parsers read a sample value: Go's
/// `strconv.ParseFloat` without hex floats and underscores. Decimal and
/// exponent forms, `Inf`/`Infinity` with an optional sign and `NaN` without
/// one, in any case. A finite number too large for a float is an error, as
/// in Go, not infinity.
pub fn parse_float(s: &str) -> Option<f64> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    if unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity") {
        return Some(if s.starts_with('-') {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    // Go reads "NaN" only unsigned; Rust would also take "+nan".
    if s.eq_ignore_ascii_case("nan") {
        return Some(f64::NAN);
    }
    // Rust's grammar for the remaining characters is Go's decimal grammar;
    // anything else (hex, '_', "inf" spelled otherwise) is rejected here.
    if !s
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
    {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    // Out of range: Go answers ErrRange, Prometheus fails the line.
    (!v.is_infinite()).then_some(v)
}

/// Formats a value as the text format and the Prometheus API print it:
/// shortest round-trip decimal, `NaN`, `+Inf`, `-Inf`.
pub fn format_float(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        // `{}` on f64 prints the shortest representation that reads back
        // to the same value, without an exponent, like Go's 'f', -1.
        format!("{v}")
    }
}

/// Formats a float as OpenMetrics label values and Prometheus 3's
/// normalised `le` and `quantile` labels spell it: Go's shortest `'g'` form
/// (an exponent below 1e-4 and from 1e6 on) with `.0` added to integers, so
/// `le="1"` becomes `le="1.0"` and `le="1000000"` becomes `le="1e+06"`.
pub fn format_openmetrics_float(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    // `{:e}` gives the shortest digits as `d.ddde<exp>`, as Go computes them.
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut out = if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
    } else {
        format!("{v}")
    };
    if !out.contains(['e', '.']) {
        out.push_str(".0");
    }
    out
}

/// A text-format timestamp: an unsigned integer of milliseconds (the format
/// has no sign; Prometheus rejects `-5`).
pub(super) fn parse_text_timestamp(s: &str) -> Option<Timestamp> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// An OpenMetrics timestamp: float seconds, stored as milliseconds truncated
/// toward zero, as Prometheus stores them. A plain decimal is converted
/// digit by digit, so `1.001` is 1001 ms (the float product would give
/// 1000.9999…); other forms go through a float. NaN and infinities are
/// errors; values beyond the range saturate.
pub(super) fn parse_openmetrics_timestamp(s: &str) -> Option<Timestamp> {
    if let Some(ms) = decimal_seconds_to_ms(s) {
        return Some(ms);
    }
    let v = parse_float(s)?;
    if !v.is_finite() {
        return None;
    }
    // `as` truncates toward zero and saturates at the ends of i64.
    Some((v * 1000.0) as Timestamp)
}

/// `[+-]digits[.digits]` as milliseconds, or `None` for any other form or
/// an overflow (the caller then takes the float path, which saturates).
fn decimal_seconds_to_ms(s: &str) -> Option<Timestamp> {
    let (negative, unsigned) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |t: &str| t.bytes().all(|c| c.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return None;
    }
    let mut ms: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    ms = ms.checked_mul(1000)?;
    let mut scale = 100;
    for c in frac.bytes().take(3) {
        ms = ms.checked_add(i64::from(c - b'0') * scale)?;
        scale /= 10;
    }
    Some(if negative { -ms } else { ms })
}

/// Milliseconds as OpenMetrics seconds: exact, without trailing zeros
/// (`1500` → `1.5`, `-1` → `-0.001`), so they read back to the same value.
pub(super) fn format_ms_as_seconds(ms: Timestamp) -> String {
    let sign = if ms < 0 { "-" } else { "" };
    let abs = ms.unsigned_abs();
    let (secs, frac) = (abs / 1000, abs % 1000);
    if frac == 0 {
        format!("{sign}{secs}")
    } else {
        let frac = format!("{frac:03}");
        format!("{sign}{secs}.{}", frac.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn floats_read_as_go_reads_them() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1", Some(1.0)),
            ("-2.5e3", Some(-2500.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("+1", Some(1.0)),
            ("1E+2", Some(100.0)),
            ("+Inf", Some(f64::INFINITY)),
            ("-inf", Some(f64::NEG_INFINITY)),
            ("Infinity", Some(f64::INFINITY)),
            ("1e400", None),
            ("-1e400", None),
            ("1e-400", Some(0.0)),
            ("+nan", None),
            ("0x10", None),
            ("1_000", None),
            ("1x", None),
            ("", None),
            ("1\r", None),
            (".", None),
            ("e5", None),
        ];
        for (text, want) in cases {
            let got = parse_float(text);
            assert_eq!(got, *want, "{text:?}");
        }
        assert!(parse_float("nan").is_some_and(f64::is_nan));
        assert!(parse_float("NaN").is_some_and(f64::is_nan));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn openmetrics_floats_are_go_g_with_a_point() {
        let cases = [
            (1.0, "1.0"),
            (0.0, "0.0"),
            (-1.0, "-1.0"),
            (0.005, "0.005"),
            (2.5, "2.5"),
            (100000.0, "100000.0"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e300, "1e+300"),
            (f64::INFINITY, "+Inf"),
            (f64::NEG_INFINITY, "-Inf"),
            (f64::NAN, "NaN"),
        ];
        for (v, want) in cases {
            assert_eq!(format_openmetrics_float(v), want, "{v}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn openmetrics_timestamps_become_milliseconds() {
        let cases: &[(&str, Option<Timestamp>)] = &[
            ("1", Some(1000)),
            ("1.001", Some(1001)),
            ("1.0019", Some(1001)),
            ("-1.5", Some(-1500)),
            (".5", Some(500)),
            ("1395066363.123", Some(1_395_066_363_123)),
            ("1.7e9", Some(1_700_000_000_000)),
            ("1e300", Some(i64::MAX)),
            ("-1e300", Some(i64::MIN)),
            ("99999999999999999999", Some(i64::MAX)),
            ("NaN", None),
            ("+Inf", None),
            ("1.", Some(1000)),
            ("x", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_openmetrics_timestamp(text), *want, "{text:?}");
        }
        for ms in [0, 1, 999, 1000, 1500, -1, -1500, i64::MAX, i64::MIN] {
            let text = format_ms_as_seconds(ms);
            assert_eq!(
                parse_openmetrics_timestamp(&text),
                Some(ms),
                "{ms} as {text}"
            );
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn text_timestamps_are_unsigned_integers() {
        assert_eq!(
            parse_text_timestamp("1395066363000"),
            Some(1_395_066_363_000)
        );
        assert_eq!(parse_text_timestamp("-5"), None);
        assert_eq!(parse_text_timestamp("+5"), None);
        assert_eq!(parse_text_timestamp("12.5"), None);
        assert_eq!(parse_text_timestamp("99999999999999999999"), None);
    }
}
