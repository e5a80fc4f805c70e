//! Units of a chart's values, chosen from the metric names, as Prometheus's
//! naming conventions spell them: `_bytes` (and `_bytes_total`) are bytes,
//! `_seconds` a duration; anything else is a plain number with an SI
//! prefix.
//!
//! ```
//! use promlab_core::chart::units::Unit;
//! let unit = Unit::guess(["node_memory_MemAvailable_bytes"], "");
//! assert_eq!(unit, Unit::Bytes);
//! assert_eq!(unit.format(1_572_864.0), "1.5 MiB");
//! assert_eq!(Unit::Seconds.format(0.25), "250 ms");
//! ```

use super::format_si;
use crate::promql::{parser, Expr};

/// How a chart writes its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unit {
    /// A number with an SI prefix: `1.5k`, `250m`.
    #[default]
    Plain,
    /// Bytes with binary prefixes: `512 B`, `1.5 MiB`.
    Bytes,
    /// A duration: `250 ms`, `1.5 min`, `2 h`.
    Seconds,
}

impl Unit {
    /// The unit a metric's name says, if any.
    pub fn of_metric(name: &str) -> Unit {
        if name.ends_with("_bytes") || name.ends_with("_bytes_total") {
            Unit::Bytes
        } else if name.ends_with("_seconds") {
            // `_seconds_total` is left plain: its rate is seconds per
            // second, a ratio (CPU use), not a duration.
            Unit::Seconds
        } else {
            Unit::Plain
        }
    }

    /// The unit of a result: the one its series' metric names agree on,
    /// or, when the names were removed (by `rate`, `sum`, ...), the one
    /// the metric names the query selects agree on. Plain when they
    /// disagree or say nothing.
    pub fn guess<'a>(series_names: impl IntoIterator<Item = &'a str>, query: &str) -> Unit {
        let from_series = agree(
            series_names
                .into_iter()
                .filter(|n| !n.is_empty())
                .map(Unit::of_metric),
        );
        if let Some(unit) = from_series {
            return unit;
        }
        let Ok(expr) = parser::parse(query) else {
            return Unit::Plain;
        };
        let mut names = Vec::new();
        expr.walk(&mut |e| match e {
            Expr::VectorSelector(vs) => names.extend(vs.name.clone()),
            Expr::MatrixSelector(ms) => names.extend(ms.selector.name.clone()),
            _ => {}
        });
        agree(names.iter().map(|n| Unit::of_metric(n))).unwrap_or_default()
    }

    /// `v` written in this unit, at most three significant digits.
    pub fn format(self, v: f64) -> String {
        if !v.is_finite() || v == 0.0 {
            return format_si(v);
        }
        match self {
            Unit::Plain => format_si(v),
            Unit::Bytes => {
                const PREFIXES: [&str; 7] = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
                let mut scaled = v;
                let mut i = 0;
                while scaled.abs() >= 1024.0 && i + 1 < PREFIXES.len() {
                    scaled /= 1024.0;
                    i += 1;
                }
                if i == 0 && v.abs() < 1.0 {
                    // Fractions of a byte (an average, a rate) keep the SI
                    // prefix rather than pretending to be whole bytes.
                    return format!("{} B", format_si(v));
                }
                format!("{} {}", trimmed(scaled), PREFIXES[i])
            }
            Unit::Seconds => {
                const SCALES: [(f64, &str); 4] =
                    [(86_400.0, "d"), (3_600.0, "h"), (60.0, "min"), (1.0, "s")];
                let abs = v.abs();
                for (size, name) in SCALES {
                    if abs >= size {
                        return format!("{} {name}", trimmed(v / size));
                    }
                }
                // Below a second: SI prefixes of the second.
                let si = format_si(v);
                let (number, prefix) = match si.char_indices().last() {
                    Some((i, c)) if !c.is_ascii_digit() => (&si[..i], &si[i..]),
                    _ => (si.as_str(), ""),
                };
                format!("{number} {prefix}s")
            }
        }
    }
}

/// The unit every item agrees on; `None` for no items or a disagreement.
fn agree(mut units: impl Iterator<Item = Unit>) -> Option<Unit> {
    let first = units.next()?;
    units.all(|u| u == first).then_some(first)
}

/// At most two decimals, trailing zeros removed.
fn trimmed(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn values_are_written_in_their_unit() {
        let cases = [
            (Unit::Plain, 1500.0, "1.5k"),
            (Unit::Plain, 0.25, "250m"),
            (Unit::Bytes, 0.0, "0"),
            (Unit::Bytes, 512.0, "512 B"),
            (Unit::Bytes, 1536.0, "1.5 KiB"),
            (Unit::Bytes, 8.0 * 1024.0 * 1024.0 * 1024.0, "8 GiB"),
            (Unit::Bytes, -2048.0, "-2 KiB"),
            (Unit::Bytes, 0.5, "500m B"),
            (Unit::Seconds, 0.25, "250 ms"),
            (Unit::Seconds, 0.0000015, "1.5 µs"),
            (Unit::Seconds, 2.5, "2.5 s"),
            (Unit::Seconds, 90.0, "1.5 min"),
            (Unit::Seconds, 7200.0, "2 h"),
            (Unit::Seconds, 172_800.0, "2 d"),
            (Unit::Seconds, f64::NAN, "NaN"),
            (Unit::Seconds, f64::INFINITY, "+Inf"),
        ];
        for (unit, v, want) in cases {
            assert_eq!(unit.format(v), want, "{unit:?} {v}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_unit_comes_from_the_names() {
        let cases: [(&[&str], &str, Unit); 8] = [
            (&["node_memory_MemFree_bytes"], "", Unit::Bytes),
            (&["a_bytes", "b_seconds"], "", Unit::Plain),
            (&["http_request_duration_seconds"], "", Unit::Seconds),
            (&["node_cpu_seconds_total"], "", Unit::Plain),
            // Names removed by a function: the query's selectors tell.
            (
                &[""],
                "rate(node_network_receive_bytes_total[5m])",
                Unit::Bytes,
            ),
            (
                &[],
                "sum(node_memory_MemTotal_bytes - node_memory_MemFree_bytes)",
                Unit::Bytes,
            ),
            (&[], "up / ping_request_count", Unit::Plain),
            (&[], "rate(x[", Unit::Plain),
        ];
        for (names, query, want) in cases {
            assert_eq!(
                Unit::guess(names.iter().copied(), query),
                want,
                "{names:?} {query}"
            );
        }
    }
}
