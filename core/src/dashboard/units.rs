//! Grafana's value units: the text a stat, a table cell or an axis shows
//! for a value in a field's `unit`, with its `decimals`, written as
//! Grafana writes it (`1.50 GiB`, `93.2%`, `1 day`, `1 d 02:03:04`).
//!
//! Without `decimals`, Grafana picks them from the value's magnitude
//! (three significant digits, none for whole numbers) and keeps trailing
//! zeros, so `1.5` is `1.50`. Scaled units divide by 1000 or 1024
//! per step and keep the prefix of the step reached.
//!
//! ```
//! use promlab_core::dashboard::units::format;
//! assert_eq!(format("bytes", 1_610_612_736.0, None), "1.50 GiB");
//! assert_eq!(format("percentunit", 0.5, Some(0)), "50%");
//! ```
//!
//! (The playground's charts guess their unit from metric names instead:
//! [`crate::chart::units`].)

/// Grafana's units the lab formats; any other id is written as `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrafanaUnit {
    /// `bytes`: IEC, 1024 per step (`KiB`).
    Bytes,
    /// `decbytes`: SI, 1000 per step (`kB`).
    DecBytes,
    /// `bits`: IEC.
    Bits,
    /// `bps`: bits per second, SI.
    BitsPerSecond,
    /// `Bps`: bytes per second, SI.
    BytesPerSecond,
    /// `percent`: 0 to 100.
    Percent,
    /// `percentunit`: 0 to 1.
    PercentUnit,
    /// `s`
    Seconds,
    /// `ms`
    Milliseconds,
    /// `dtdurations`: `2 days, 3 hours` (as many parts as `decimals` + 1).
    DurationSeconds,
    /// `dtdhms`: `2 d 03:04:05`.
    DaysHoursMinutesSeconds,
    /// `short`: `1.50 K`, `2.00 Mil`.
    Short,
    /// `none`: the number only.
    None,
}

impl GrafanaUnit {
    /// The unit of a Grafana unit id; `None` for an id the lab does not
    /// format (Grafana then shows the id as a suffix only for `suffix:`
    /// units, which are not supported here).
    pub fn from_id(id: &str) -> Option<GrafanaUnit> {
        Some(match id {
            "bytes" => GrafanaUnit::Bytes,
            "decbytes" => GrafanaUnit::DecBytes,
            "bits" => GrafanaUnit::Bits,
            "bps" => GrafanaUnit::BitsPerSecond,
            "Bps" => GrafanaUnit::BytesPerSecond,
            "percent" => GrafanaUnit::Percent,
            "percentunit" => GrafanaUnit::PercentUnit,
            "s" => GrafanaUnit::Seconds,
            "ms" => GrafanaUnit::Milliseconds,
            "dtdurations" => GrafanaUnit::DurationSeconds,
            "dtdhms" => GrafanaUnit::DaysHoursMinutesSeconds,
            "short" => GrafanaUnit::Short,
            "none" | "" => GrafanaUnit::None,
            _ => return None,
        })
    }

    /// `v` written in this unit; `decimals` as the field's `decimals`.
    pub fn format(self, v: f64, decimals: Option<u32>) -> String {
        if v.is_nan() {
            return "NaN".to_string();
        }
        if v.is_infinite() {
            // JavaScript's `toLocaleString()` of an infinity.
            return if v > 0.0 { "∞" } else { "-∞" }.to_string();
        }
        match self {
            GrafanaUnit::Bytes => scaled(v, decimals, 1024.0, &IEC, " B", 0),
            GrafanaUnit::DecBytes => scaled(v, decimals, 1000.0, &SI, " B", SI_BASE),
            GrafanaUnit::Bits => scaled(v, decimals, 1024.0, &IEC, " b", 0),
            GrafanaUnit::BitsPerSecond => scaled(v, decimals, 1000.0, &SI, " bps", SI_BASE),
            GrafanaUnit::BytesPerSecond => scaled(v, decimals, 1000.0, &SI, " B/s", SI_BASE),
            GrafanaUnit::Percent => format!("{}%", to_fixed(v, decimals)),
            GrafanaUnit::PercentUnit => format!("{}%", to_fixed(v * 100.0, decimals)),
            GrafanaUnit::Seconds => seconds(v, decimals),
            GrafanaUnit::Milliseconds => milliseconds(v, decimals),
            GrafanaUnit::DurationSeconds => duration(v, decimals),
            GrafanaUnit::DaysHoursMinutesSeconds => days_hms(v),
            GrafanaUnit::Short => {
                const SHORT: [&str; 9] = [
                    "", " K", " Mil", " Bil", " Tri", " Quadr", " Quint", " Sext", " Sept",
                ];
                let i = step_index(v, 1000.0).clamp(0, SHORT.len() as i32 - 1);
                let text = to_fixed(v / 1000f64.powi(i), decimals);
                format!("{text}{}", SHORT[i as usize])
            }
            GrafanaUnit::None => to_fixed(v, decimals),
        }
    }
}

/// `v` in the unit with Grafana id `unit` (unknown ids as `none`).
pub fn format(unit: &str, v: f64, decimals: Option<u32>) -> String {
    GrafanaUnit::from_id(unit)
        .unwrap_or(GrafanaUnit::None)
        .format(v, decimals)
}

const IEC: [&str; 9] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"];
const SI: [&str; 14] = [
    "f", "p", "n", "µ", "m", "", "k", "M", "G", "T", "P", "E", "Z", "Y",
];
/// The index of no prefix in [`SI`].
const SI_BASE: i32 = 5;

/// How many steps of `factor` `v` is from 1 (negative below 1).
fn step_index(v: f64, factor: f64) -> i32 {
    if v == 0.0 {
        0
    } else {
        (libm::log(v.abs()) / libm::log(factor)).floor() as i32
    }
}

/// Grafana's `scaledUnits`: the prefix of the step reached, clamped to the
/// prefixes there are; `offset` is the index of no prefix.
fn scaled(
    v: f64,
    decimals: Option<u32>,
    factor: f64,
    prefixes: &[&str],
    unit: &str,
    offset: i32,
) -> String {
    let last = prefixes.len() as i32 - 1;
    let step = step_index(v, factor).clamp(-offset, last - offset);
    let prefix = prefixes[(offset + step).clamp(0, last) as usize];
    let text = to_fixed(v / factor.powi(step), decimals);
    let (space, unit) = unit.split_at(1);
    format!("{text}{space}{prefix}{unit}")
}

/// Grafana's `getDecimalsForValue`: its normalised value is always past
/// its 2.25 test, so this is three significant digits; none for whole
/// numbers.
fn auto_decimals(v: f64) -> u32 {
    if v == 0.0 || v.fract() == 0.0 {
        return 0;
    }
    let log10 = libm::log10(v.abs()).floor() as i32;
    let mut dec = -log10 + 1;
    let magnitude = 10f64.powi(-dec);
    if v / magnitude > 2.25 {
        dec += 1;
    }
    dec.clamp(0, 20) as u32
}

/// Grafana's `toFixed`: rounded to `decimals` (half up, as JavaScript's
/// `Math.round`), trailing zeros kept up to `decimals`.
pub fn to_fixed(v: f64, decimals: Option<u32>) -> String {
    let decimals = decimals.unwrap_or_else(|| auto_decimals(v)).min(20);
    if v == 0.0 {
        return format!("{:.*}", decimals as usize, 0.0);
    }
    let factor = 10f64.powi(decimals as i32);
    let rounded = (v * factor + 0.5).floor() / factor;
    let text = js_number(rounded);
    if text.contains('e') {
        return text;
    }
    let precision = text.find('.').map_or(0, |dot| text.len() - dot - 1);
    if (precision as u32) < decimals {
        let zeros = "0".repeat((decimals as usize).saturating_sub(precision));
        if precision == 0 {
            format!("{text}.{zeros}")
        } else {
            format!("{text}{zeros}")
        }
    } else {
        text
    }
}

/// A number as JavaScript's `String(n)` writes it: the shortest digits,
/// exponent notation from 1e21 and below 1e-6.
fn js_number(v: f64) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    let abs = v.abs();
    if !(1e-6..1e21).contains(&abs) {
        let text = format!("{v:e}");
        return match text.split_once('e') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}e+{exp}"),
            _ => text,
        };
    }
    format!("{v}")
}

/// Grafana's `toSeconds`.
fn seconds(v: f64, decimals: Option<u32>) -> String {
    let abs = v.abs();
    if v == 0.0 {
        return "0 s".to_string();
    }
    let (scaled, unit) = if abs < 1e-6 {
        (v * 1e9, "ns")
    } else if abs < 1e-3 {
        (v * 1e6, "µs")
    } else if abs < 1.0 {
        (v * 1e3, "ms")
    } else if abs < 60.0 {
        (v, "s")
    } else if abs < 3600.0 {
        (v / 60.0, "min")
    } else if abs < 86_400.0 {
        (v / 3600.0, "hour")
    } else if abs < 604_800.0 {
        (v / 86_400.0, "day")
    } else if abs < 31_536_000.0 {
        (v / 604_800.0, "week")
    } else {
        (v / 3.15569e7, "year")
    };
    format!("{} {unit}", to_fixed(scaled, decimals))
}

/// Grafana's `toMilliSeconds`.
fn milliseconds(v: f64, decimals: Option<u32>) -> String {
    let abs = v.abs();
    let (scaled, unit) = if abs < 1000.0 {
        (v, "ms")
    } else if abs < 60_000.0 {
        (v / 1000.0, "s")
    } else if abs < 3_600_000.0 {
        (v / 60_000.0, "min")
    } else if abs < 86_400_000.0 {
        (v / 3_600_000.0, "hour")
    } else if abs < 31_536_000_000.0 {
        (v / 86_400_000.0, "day")
    } else {
        (v / 31_536_000_000.0, "year")
    };
    format!("{} {unit}", to_fixed(scaled, decimals))
}

/// Grafana's `toDuration` in seconds: the largest part and then
/// `decimals` more, each floored (`1 day, 2 hours`).
fn duration(v: f64, decimals: Option<u32>) -> String {
    if v == 0.0 {
        return "0 seconds".to_string();
    }
    if v < 0.0 {
        return format!("{} ago", duration(-v, decimals));
    }
    const PARTS: [(&str, f64); 8] = [
        ("year", 31_536_000_000.0),
        ("month", 2_592_000_000.0),
        ("week", 604_800_000.0),
        ("day", 86_400_000.0),
        ("hour", 3_600_000.0),
        ("minute", 60_000.0),
        ("second", 1000.0),
        ("millisecond", 1.0),
    ];
    let mut ms = v * 1000.0;
    let mut left = i64::from(decimals.unwrap_or(0));
    let mut started = false;
    let mut parts = Vec::new();
    for (name, size) in PARTS {
        if left < 0 {
            break;
        }
        let count = ms / size;
        if count >= 1.0 || started {
            started = true;
            let whole = count.floor();
            let plural = if whole == 1.0 { "" } else { "s" };
            parts.push(format!("{whole} {name}{plural}"));
            ms %= size;
            left -= 1;
        }
    }
    parts.join(", ")
}

/// Grafana's `toDurationInDaysHoursMinutesSeconds`: `2 d 03:04:05`.
fn days_hms(v: f64) -> String {
    if v < 0.0 {
        return format!("{} ago", days_hms(-v));
    }
    let days = (v / 86_400.0).floor();
    let rest = v - days * 86_400.0;
    let hours = (rest / 3600.0).floor();
    let minutes = ((rest % 3600.0) / 60.0).floor();
    let secs = (rest % 60.0).floor();
    let day_text = if days > 0.0 {
        format!("{days} d ")
    } else {
        String::new()
    };
    format!("{day_text}{hours:02}:{minutes:02}:{secs:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn values_are_written_as_grafana_writes_them() {
        // (unit, value, decimals, text)
        let cases: &[(&str, f64, Option<u32>, &str)] = &[
            ("none", 0.0, None, "0"),
            ("none", 1.5, None, "1.50"),
            ("none", 0.52, None, "0.520"),
            ("none", 0.12, None, "0.120"),
            ("none", 42.0, None, "42"),
            ("none", 1234.5678, None, "1235"),
            ("none", 4.56789, Some(2), "4.57"),
            ("none", 2.0, Some(2), "2.00"),
            ("none", -1.5, Some(0), "-1"),
            ("none", 1e22, None, "1e+22"),
            ("none", f64::NAN, None, "NaN"),
            ("none", f64::NEG_INFINITY, None, "-∞"),
            ("unknown-unit", 7.0, None, "7"),
            ("bytes", 0.0, None, "0 B"),
            ("bytes", 512.0, None, "512 B"),
            ("bytes", 1536.0, None, "1.50 KiB"),
            ("bytes", 1_610_612_736.0, None, "1.50 GiB"),
            (
                "bytes",
                16.0 * 1024.0 * 1024.0 * 1024.0,
                Some(1),
                "16.0 GiB",
            ),
            ("bytes", 0.5, None, "0.500 B"),
            ("decbytes", 1500.0, None, "1.50 kB"),
            ("decbytes", 2e9, Some(0), "2 GB"),
            ("bits", 2048.0, None, "2 Kib"),
            ("bps", 1_250_000.0, None, "1.25 Mbps"),
            ("Bps", 999.0, None, "999 B/s"),
            ("Bps", 25_600.0, Some(1), "25.6 kB/s"),
            ("percent", 93.24, Some(1), "93.2%"),
            ("percent", 12.0, None, "12%"),
            ("percentunit", 0.5, Some(0), "50%"),
            ("percentunit", 0.1234, None, "12.3%"),
            ("short", 999.0, None, "999"),
            ("short", 1500.0, None, "1.50 K"),
            ("short", 2_000_000.0, None, "2 Mil"),
            ("short", 3.2e9, Some(1), "3.2 Bil"),
            ("short", 0.25, None, "0.250"),
            ("s", 0.0, None, "0 s"),
            ("s", 0.25, None, "250 ms"),
            ("s", 0.0000025, None, "2.50 µs"),
            ("s", 5.0, None, "5 s"),
            ("s", 90.0, None, "1.50 min"),
            ("s", 7200.0, None, "2 hour"),
            ("s", 172_800.0, None, "2 day"),
            ("s", 1_209_600.0, None, "2 week"),
            ("ms", 250.0, None, "250 ms"),
            ("ms", 1500.0, None, "1.50 s"),
            ("ms", 120_000.0, None, "2 min"),
            ("dtdurations", 0.0, None, "0 seconds"),
            ("dtdurations", 93_784.0, None, "1 day"),
            (
                "dtdurations",
                93_784.0,
                Some(2),
                "1 day, 2 hours, 3 minutes",
            ),
            ("dtdurations", 86_401.0, Some(1), "1 day, 0 hours"),
            ("dtdurations", 45.0, None, "45 seconds"),
            ("dtdurations", -60.0, None, "1 minute ago"),
            ("dtdhms", 93_784.0, None, "1 d 02:03:04"),
            ("dtdhms", 3_723.0, None, "01:02:03"),
        ];
        for (unit, v, decimals, want) in cases {
            assert_eq!(
                format(unit, *v, *decimals),
                *want,
                "{unit} {v} {decimals:?}"
            );
        }
    }
}
