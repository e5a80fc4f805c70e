//! Functions of one value: `abs`, `ceil`, `floor`, `round`, `sqrt`, `exp`,
//! `ln`, `log2`, `log10`, `sgn`, the trigonometric and hyperbolic functions,
//! `deg`, `rad`, `pi`, `clamp`, `clamp_min`, `clamp_max`, and the date
//! functions (`year`, `month`, `day_of_month`, … of a Unix time in UTC).
//!
//! Where Go's `math` package defines a function in terms of others
//! (`Log10` is `Log(x) * (1/Ln10)`, `Log2` splits off the exponent first,
//! `Max` lets +Inf win over NaN), the same formula is used here, so results
//! round as in Prometheus (`log2(8)` is exactly 3). The transcendental
//! functions come from `libm`, which gives the same bits natively and in
//! WebAssembly: `exp`, `ln`, `log2`, `log10`, `sqrt`, `asinh`, `acosh`,
//! `atanh`, `deg` and `rad` gave Go's bits on every input tried; the
//! trigonometric ones can differ from Go's in the last bits (a relative
//! 1e-15 at worst).
//!
//! ```
//! use promlab_core::promql::kernels::math::{date_part, round, DatePart, MathFunction};
//! assert_eq!(MathFunction::from_name("sgn").unwrap().apply(-3.5), -1.0);
//! assert_eq!(round(2.5, 1.0), 3.0);
//! assert_eq!(round(-2.5, 1.0), -2.0); // ties round up
//! assert_eq!(date_part(DatePart::Year, 1136239445.0), 2006.0);
//! ```

use super::float::go_int64;
use crate::clock::Timestamp;

/// The functions that map each sample's value to a new value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MathFunction {
    Abs,
    Ceil,
    Floor,
    Sqrt,
    Exp,
    Ln,
    Log2,
    Log10,
    Sgn,
    Sin,
    Cos,
    Tan,
    Asin,
    Acos,
    Atan,
    Sinh,
    Cosh,
    Tanh,
    Asinh,
    Acosh,
    Atanh,
    Deg,
    Rad,
}

impl MathFunction {
    pub const ALL: [MathFunction; 23] = [
        MathFunction::Abs,
        MathFunction::Ceil,
        MathFunction::Floor,
        MathFunction::Sqrt,
        MathFunction::Exp,
        MathFunction::Ln,
        MathFunction::Log2,
        MathFunction::Log10,
        MathFunction::Sgn,
        MathFunction::Sin,
        MathFunction::Cos,
        MathFunction::Tan,
        MathFunction::Asin,
        MathFunction::Acos,
        MathFunction::Atan,
        MathFunction::Sinh,
        MathFunction::Cosh,
        MathFunction::Tanh,
        MathFunction::Asinh,
        MathFunction::Acosh,
        MathFunction::Atanh,
        MathFunction::Deg,
        MathFunction::Rad,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MathFunction::Abs => "abs",
            MathFunction::Ceil => "ceil",
            MathFunction::Floor => "floor",
            MathFunction::Sqrt => "sqrt",
            MathFunction::Exp => "exp",
            MathFunction::Ln => "ln",
            MathFunction::Log2 => "log2",
            MathFunction::Log10 => "log10",
            MathFunction::Sgn => "sgn",
            MathFunction::Sin => "sin",
            MathFunction::Cos => "cos",
            MathFunction::Tan => "tan",
            MathFunction::Asin => "asin",
            MathFunction::Acos => "acos",
            MathFunction::Atan => "atan",
            MathFunction::Sinh => "sinh",
            MathFunction::Cosh => "cosh",
            MathFunction::Tanh => "tanh",
            MathFunction::Asinh => "asinh",
            MathFunction::Acosh => "acosh",
            MathFunction::Atanh => "atanh",
            MathFunction::Deg => "deg",
            MathFunction::Rad => "rad",
        }
    }

    pub fn from_name(name: &str) -> Option<MathFunction> {
        MathFunction::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The function of `v`.
    pub fn apply(self, v: f64) -> f64 {
        match self {
            MathFunction::Abs => v.abs(),
            MathFunction::Ceil => v.ceil(),
            MathFunction::Floor => v.floor(),
            MathFunction::Sqrt => v.sqrt(),
            MathFunction::Exp => libm::exp(v),
            MathFunction::Ln => libm::log(v),
            MathFunction::Log2 => log2(v),
            MathFunction::Log10 => libm::log(v) * std::f64::consts::LOG10_E,
            MathFunction::Sgn => sgn(v),
            MathFunction::Sin => libm::sin(v),
            MathFunction::Cos => libm::cos(v),
            MathFunction::Tan => libm::tan(v),
            MathFunction::Asin => libm::asin(v),
            MathFunction::Acos => libm::acos(v),
            MathFunction::Atan => libm::atan(v),
            MathFunction::Sinh => libm::sinh(v),
            MathFunction::Cosh => libm::cosh(v),
            MathFunction::Tanh => libm::tanh(v),
            MathFunction::Asinh => libm::asinh(v),
            MathFunction::Acosh => libm::acosh(v),
            MathFunction::Atanh => libm::atanh(v),
            MathFunction::Deg => v * 180.0 / std::f64::consts::PI,
            MathFunction::Rad => v * std::f64::consts::PI / 180.0,
        }
    }
}

/// Go's `math.Log2`: exact for powers of two.
fn log2(v: f64) -> f64 {
    let (frac, exp) = libm::frexp(v);
    if frac == 0.5 {
        return f64::from(exp - 1);
    }
    libm::log(frac) * std::f64::consts::LOG2_E + f64::from(exp)
}

/// `sgn(v)`: -1, 1, or `v` itself for ±0 and NaN.
pub fn sgn(v: f64) -> f64 {
    if v < 0.0 {
        -1.0
    } else if v > 0.0 {
        1.0
    } else {
        v
    }
}

/// `pi()`.
pub fn pi() -> f64 {
    std::f64::consts::PI
}

/// `round(v, to_nearest)`: to the nearest multiple of `to_nearest`, ties
/// up, computed as Prometheus does: `floor(v / to_nearest + 0.5) *
/// to_nearest` with the division and multiplication by the inverse.
pub fn round(v: f64, to_nearest: f64) -> f64 {
    let inverse = 1.0 / to_nearest;
    (v * inverse + 0.5).floor() / inverse
}

/// `clamp(v, min, max)`: `None` when `max < min` (Prometheus returns an
/// empty vector); NaN when either bound is NaN.
pub fn clamp(v: f64, min: f64, max: f64) -> Option<f64> {
    if max < min {
        return None;
    }
    Some(go_max(min, go_min(max, v)))
}

/// `clamp_min(v, min)`.
pub fn clamp_min(v: f64, min: f64) -> f64 {
    go_max(min, go_min(f64::INFINITY, v))
}

/// `clamp_max(v, max)`.
pub fn clamp_max(v: f64, max: f64) -> f64 {
    go_max(f64::NEG_INFINITY, go_min(max, v))
}

/// Go's `math.Max`: +Inf wins over NaN, NaN over everything else, +0 over
/// -0.
pub fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() {
            y
        } else {
            x
        }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins over NaN, NaN over everything else, -0 over
/// +0.
pub fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && x == y {
        if x.is_sign_negative() {
            x
        } else {
            y
        }
    } else if x < y {
        x
    } else {
        y
    }
}

/// The date functions: a part of the UTC date of a Unix time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatePart {
    /// `day_of_month`: 1–31.
    DayOfMonth,
    /// `day_of_week`: 0 (Sunday) – 6.
    DayOfWeek,
    /// `day_of_year`: 1–366.
    DayOfYear,
    /// `days_in_month`: 28–31.
    DaysInMonth,
    /// `hour`: 0–23.
    Hour,
    /// `minute`: 0–59.
    Minute,
    /// `month`: 1–12.
    Month,
    /// `year`.
    Year,
}

impl DatePart {
    pub const ALL: [DatePart; 8] = [
        DatePart::DayOfMonth,
        DatePart::DayOfWeek,
        DatePart::DayOfYear,
        DatePart::DaysInMonth,
        DatePart::Hour,
        DatePart::Minute,
        DatePart::Month,
        DatePart::Year,
    ];

    pub fn name(self) -> &'static str {
        match self {
            DatePart::DayOfMonth => "day_of_month",
            DatePart::DayOfWeek => "day_of_week",
            DatePart::DayOfYear => "day_of_year",
            DatePart::DaysInMonth => "days_in_month",
            DatePart::Hour => "hour",
            DatePart::Minute => "minute",
            DatePart::Month => "month",
            DatePart::Year => "year",
        }
    }

    pub fn from_name(name: &str) -> Option<DatePart> {
        DatePart::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A part of the UTC date of `unix_seconds`, as `year(v)` and the others
/// compute it for a sample value: the value truncated to whole seconds as
/// Go converts a float to int64 (NaN, ±Inf and values beyond ±2^63 all
/// become -2^63), then Go's proleptic Gregorian calendar, including its
/// wrap-around at the ends of the int64 range (so `year(vector(NaN))` is
/// 292277026596, as in Prometheus on amd64).
pub fn date_part(part: DatePart, unix_seconds: f64) -> f64 {
    civil_part(part, go_unix_seconds(go_int64(unix_seconds)))
}

/// A part of the UTC date of the evaluation time `t`: what `year()` and the
/// others compute without an argument.
pub fn date_part_at(part: DatePart, t: Timestamp) -> f64 {
    // Go divides the milliseconds by 1000, truncating toward zero.
    civil_part(part, go_unix_seconds(t / 1000))
}

/// Seconds from Go's "absolute" zero time (1 January of year
/// -292277022399, a multiple of 400 years before year 1) to the Unix epoch.
const ABSOLUTE_TO_UNIX: i128 = 730_692_556 * 146_097 * 86_400 + 719_162 * 86_400;

/// The Unix seconds Go's calendar code effectively works with: it counts
/// seconds from its absolute zero in a `uint64`, so times before that zero
/// wrap around to the far future.
fn go_unix_seconds(sec: i64) -> i128 {
    (i128::from(sec) + ABSOLUTE_TO_UNIX).rem_euclid(1 << 64) - ABSOLUTE_TO_UNIX
}

fn civil_part(part: DatePart, unix: i128) -> f64 {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let value = match part {
        DatePart::DayOfMonth => day,
        // 1970-01-01 was a Thursday.
        DatePart::DayOfWeek => (days + 4).rem_euclid(7),
        DatePart::DayOfYear => days - days_from_civil(year, 1, 1) + 1,
        DatePart::DaysInMonth => days_in_month(year, month),
        DatePart::Hour => secs / 3600,
        DatePart::Minute => secs % 3600 / 60,
        DatePart::Month => month,
        DatePart::Year => year,
    };
    value as f64
}

fn is_leap(year: i128) -> bool {
    year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0)
}

fn days_in_month(year: i128, month: i128) -> i128 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The proleptic Gregorian date of a day counted from 1970-01-01, by the
/// usual shift to years starting in March (so the leap day comes last) and
/// 400-year eras of 146 097 days.
fn civil_from_days(days: i128) -> (i128, i128, i128) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i128::from(month <= 2);
    (year, month, day)
}

/// The inverse of [`civil_from_days`].
fn days_from_civil(year: i128, month: i128, day: i128) -> i128 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
