//! Prometheus durations: `1h30m`, `15s`, `500ms`, `2w`, read and printed
//! as Prometheus reads and prints them (a year is 365 days, a week 7 days).
//!
//! ```
//! use promlab_core::duration::{parse_duration, format_duration};
//! assert_eq!(parse_duration("1h30m"), Ok(5_400_000));
//! assert_eq!(format_duration(5_400_000), "1h30m");
//! ```

use crate::clock::Millis;

const UNITS: [(&str, Millis); 7] = [
    ("y", 365 * 24 * 3_600_000),
    ("w", 7 * 24 * 3_600_000),
    ("d", 24 * 3_600_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Reads `(\d+(y|w|d|h|m|s|ms))+`, with units from largest to smallest, each
/// at most once. `Err` says what was expected.
pub fn parse_duration(s: &str) -> Result<Millis, String> {
    if s.is_empty() {
        return Err("empty duration string".into());
    }
    if s == "0" {
        return Ok(0);
    }
    let mut rest = s;
    let mut total: Millis = 0;
    let mut last_unit = None::<usize>;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Err(format!("not a valid duration string: {s:?}"));
        }
        let n: Millis = rest[..digits]
            .parse()
            .map_err(|_| format!("duration out of range: {s:?}"))?;
        rest = &rest[digits..];
        // "ms" must be tried before "m".
        let (i, unit_len) = if rest.starts_with("ms") {
            (6, 2)
        } else {
            match UNITS
                .iter()
                .position(|(u, _)| u.len() == 1 && rest.starts_with(u))
            {
                Some(i) => (i, 1),
                None => {
                    return Err(format!(
                    "not a valid duration string: {s:?}: expected a unit (ms, s, m, h, d, w, y)"
                ))
                }
            }
        };
        if last_unit.is_some_and(|l| i <= l) {
            return Err(format!(
                "not a valid duration string: {s:?}: units must go from largest to smallest"
            ));
        }
        last_unit = Some(i);
        rest = &rest[unit_len..];
        total = n
            .checked_mul(UNITS[i].1)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| format!("duration out of range: {s:?}"))?;
    }
    Ok(total)
}

/// Prints as Prometheus does: `0s`, `15s`, `1h30m`; years and weeks only
/// when they divide the duration exactly.
pub fn format_duration(ms: Millis) -> String {
    if ms == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = ms.unsigned_abs() as i128;
    if ms < 0 {
        out.push('-');
    }
    for (unit, mult) in UNITS {
        let mult = mult as i128;
        let exact_only = unit == "y" || unit == "w";
        if exact_only && rest % mult != 0 {
            continue;
        }
        let v = rest / mult;
        if v > 0 {
            out.push_str(&v.to_string());
            out.push_str(unit);
            rest -= v * mult;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn parses_and_formats_like_prometheus() {
        for (s, ms, back) in [
            ("0", 0, "0s"),
            ("0s", 0, "0s"),
            ("15s", 15_000, "15s"),
            ("1m", 60_000, "1m"),
            ("90s", 90_000, "1m30s"),
            ("1h30m", 5_400_000, "1h30m"),
            ("250ms", 250, "250ms"),
            ("1d", 86_400_000, "1d"),
            ("8d", 8 * 86_400_000, "8d"),
            ("2w", 14 * 86_400_000, "2w"),
            ("1y", 365 * 86_400_000, "1y"),
            ("1s500ms", 1_500, "1s500ms"),
        ] {
            assert_eq!(parse_duration(s), Ok(ms), "{s}");
            assert_eq!(format_duration(ms), back, "{s}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn rejects_malformed_durations() {
        for bad in [
            "",
            "5",
            "m",
            "5x",
            "1m1h",
            "1s1s",
            "-5m",
            "1.5h",
            "99999999999999999999y",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
