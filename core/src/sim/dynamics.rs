//! Deterministic randomness and the curves the simulated exporters draw
//! their values from.
//!
//! Nothing here keeps state or reads a clock: every value is a pure function
//! of a [`Key`] (derived from the cluster's seed and a name) and a virtual
//! [`Timestamp`], so the same seed and the same times give the same values
//! on every run.
//!
//! - [`Rate`] is a per-second rate with a daily cycle, smooth noise and
//!   optional periodic bursts, never negative. Its [`Rate::integral`] is
//!   exact (closed form), which is how counters are made: a counter's value
//!   at `t` is the integral of its rate since the process or machine
//!   started, so it never decreases for any sequence of non-decreasing
//!   times, and `rate()` over it in PromQL gives back the curve.
//! - [`Level`] is a gauge: a mean with a daily cycle and smooth noise.
//!
//! ```
//! use promlab_core::sim::dynamics::{Key, Rate, MINUTE, HOUR};
//! let bytes = Rate::new(Key::new(1, "eth0 rx"), 2e6).daily(0.4).noise(0.3, MINUTE);
//! let t0 = 1_767_225_600_000;
//! let first = bytes.integral(t0 - HOUR, t0);
//! let later = bytes.integral(t0 - HOUR, t0 + 15_000);
//! assert!(later > first && first > 0.0);
//! ```

use crate::clock::{Millis, Timestamp};
use std::f64::consts::PI;

pub const SECOND: Millis = 1_000;
pub const MINUTE: Millis = 60_000;
pub const HOUR: Millis = 3_600_000;
pub const DAY: Millis = 86_400_000;

/// When the daily cycle peaks by default: 05:00 UTC, 14:00 in Seoul, the
/// middle of the working day of the cluster's users.
pub const DEFAULT_PEAK: Millis = 5 * HOUR;

/// Cosine, sine and exponential computed by the same portable code on
/// every platform (the standard library defers to the platform's maths
/// library, whose last bits differ between native code and WebAssembly), so
/// a seed gives byte-identical pages everywhere.
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

pub fn sin(x: f64) -> f64 {
    libm::sin(x)
}

pub fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a, a hash that is the same on every platform and every run (the
/// standard library's hasher is randomly keyed).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The identity of one random stream: the cluster's seed combined with a
/// name ("qks-worker-1/eth0/rx"). Two keys with different names draw
/// unrelated numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(u64);

impl Key {
    pub fn new(seed: u64, name: &str) -> Key {
        Key(mix(mix(seed) ^ fnv1a(name.as_bytes())))
    }

    /// A key for a part of this one.
    pub fn child(self, name: &str) -> Key {
        Key(mix(self.0 ^ fnv1a(name.as_bytes())))
    }

    /// The `i`-th number of the stream, uniform in `[0, 1)`.
    pub fn unit(self, i: i64) -> f64 {
        let bits = mix(self.0 ^ mix(i as u64));
        // The top 53 bits make an exactly representable fraction.
        (bits >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The `i`-th number of the stream, uniform in `[lo, hi)`.
    pub fn range(self, i: i64, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit(i)
    }

    /// The `i`-th number of the stream as raw bits, for identifiers.
    pub fn bits(self, i: i64) -> u64 {
        mix(self.0 ^ mix(i as u64).rotate_left(17))
    }

    /// An approximately standard-normal number (the sum of four uniforms,
    /// rescaled): bell-shaped, bounded by ±3.5, and free of
    /// transcendental functions.
    pub fn normal(self, i: i64) -> f64 {
        let s: f64 = (0..4)
            .map(|k| self.unit(i.wrapping_mul(4).wrapping_add(k)))
            .sum();
        (s - 2.0) * 3f64.sqrt()
    }
}

/// Smooth value noise in `[0, 1]`: random values at knots `span` apart,
/// joined by half cosines, so the curve and its slope are continuous.
/// Returns the value and its slope per second.
fn knot_noise(key: Key, span: Millis, t: Timestamp) -> (f64, f64) {
    let span = span.max(1);
    let k = t.div_euclid(span);
    let u = t.rem_euclid(span) as f64 / span as f64;
    let v0 = key.unit(k);
    let v1 = key.unit(k.saturating_add(1));
    let s = (1.0 - cos(PI * u)) / 2.0;
    let slope = (v1 - v0) * (PI / 2.0) * sin(PI * u) / (span as f64 / 1000.0);
    (v0 + (v1 - v0) * s, slope)
}

/// Two octaves of knot noise: a fast one at `span` and a slow one at
/// `SLOW * span`, weighted so the sum stays in `[0, 1]`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Noise {
    key: Key,
    span: Millis,
}

impl Noise {
    const SLOW: Millis = 7;
    const FAST_WEIGHT: f64 = 0.6;

    fn at(&self, t: Timestamp) -> (f64, f64) {
        let (fast, fast_slope) = knot_noise(self.key.child("fast"), self.span, t);
        let slow_span = self.span.saturating_mul(Self::SLOW);
        let (slow, slow_slope) = knot_noise(self.key.child("slow"), slow_span, t);
        let w = Self::FAST_WEIGHT;
        (
            w * fast + (1.0 - w) * slow,
            w * fast_slope + (1.0 - w) * slow_slope,
        )
    }

    /// The largest slope (per second) the noise can have.
    fn max_slope(&self) -> f64 {
        let span_s = self.span.max(1) as f64 / 1000.0;
        let w = Self::FAST_WEIGHT;
        (PI / 2.0) * (w / span_s + (1.0 - w) / (span_s * Self::SLOW as f64))
    }
}

/// `2π` times the fraction of the day `t` is past `peak`.
fn day_angle(t: Timestamp, peak: Millis) -> f64 {
    2.0 * PI * t.wrapping_sub(peak).rem_euclid(DAY) as f64 / DAY as f64
}

/// Radians per second of the daily cycle.
const DAY_OMEGA: f64 = 2.0 * PI / 86_400.0;

/// Periodic bursts: every `every` milliseconds (counted from `offset`), for
/// `lasting` milliseconds, the rate changes by `extra` per second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bursts {
    pub every: Millis,
    pub lasting: Millis,
    pub offset: Millis,
    pub extra: f64,
}

impl Bursts {
    /// Whether `t` falls inside a burst.
    fn active(&self, t: Timestamp) -> bool {
        t.wrapping_sub(self.offset).rem_euclid(self.every.max(1)) < self.lasting
    }

    /// Milliseconds of bursts between `offset` and `t` (negative before
    /// `offset`), counted exactly in integers so differences are exact.
    fn covered(&self, t: Timestamp) -> i128 {
        let every = self.every.max(1) as i128;
        let d = t as i128 - self.offset as i128;
        let n = d.div_euclid(every);
        let r = d.rem_euclid(every);
        n * self.lasting as i128 + r.min(self.lasting as i128)
    }
}

/// A non-negative rate per second: `mean`, swinging by `daily` (a fraction
/// of the mean) over the day, plus noise of up to `noise` (a fraction of
/// the lowest point of the daily swing), plus optional bursts.
///
/// The noise term is the slope of smooth noise, scaled so it can never
/// push the rate below zero; its integral is the noise itself, which keeps
/// [`Rate::integral`] exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    mean: f64,
    daily: f64,
    peak: Millis,
    noise: f64,
    noise_curve: Noise,
    bursts: Option<Bursts>,
}

impl Rate {
    /// A constant rate with no cycle and no noise yet.
    pub fn new(key: Key, mean: f64) -> Rate {
        Rate {
            mean: mean.max(0.0),
            daily: 0.0,
            peak: DEFAULT_PEAK,
            noise: 0.0,
            noise_curve: Noise { key, span: MINUTE },
            bursts: None,
        }
    }

    /// A rate that is always exactly `mean`.
    pub fn constant(mean: f64) -> Rate {
        Rate::new(Key(0), mean)
    }

    /// Swing by `amplitude` (0 to 0.9 of the mean) over the day.
    pub fn daily(mut self, amplitude: f64) -> Rate {
        self.daily = amplitude.clamp(0.0, 0.9);
        self
    }

    /// Peak at `time_of_day` (UTC, milliseconds after midnight).
    pub fn peak_at(mut self, time_of_day: Millis) -> Rate {
        self.peak = time_of_day;
        self
    }

    /// Add noise of `amplitude` (0 to 0.9) changing over about `span`.
    pub fn noise(mut self, amplitude: f64, span: Millis) -> Rate {
        self.noise = amplitude.clamp(0.0, 0.9);
        self.noise_curve.span = span.max(SECOND);
        self
    }

    /// Add periodic bursts. A negative `extra` (a dip) is limited to 90% of
    /// the lowest the rate otherwise goes, so the rate stays positive.
    pub fn bursts(mut self, every: Millis, lasting: Millis, offset: Millis, extra: f64) -> Rate {
        let floor = self.floor();
        self.bursts = Some(Bursts {
            every: every.max(1),
            lasting: lasting.clamp(0, every.max(1)),
            offset,
            extra: extra.max(-0.9 * floor),
        });
        self
    }

    /// The same curve multiplied by `k` (≥ 0): bytes from operations, time
    /// from requests.
    pub fn scaled(mut self, k: f64) -> Rate {
        let k = k.max(0.0);
        self.mean *= k;
        if let Some(b) = &mut self.bursts {
            b.extra *= k;
        }
        self
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The lowest the rate gets without bursts.
    fn floor(&self) -> f64 {
        self.mean * (1.0 - self.daily) * (1.0 - self.noise)
    }

    /// How much noise value (in units of the integral) one unit of noise
    /// stands for, chosen so the noise's slope never exceeds
    /// `noise * mean * (1 - daily)`.
    fn noise_scale(&self) -> f64 {
        self.noise * self.mean * (1.0 - self.daily) / self.noise_curve.max_slope()
    }

    /// The rate per second at `t`.
    pub fn at(&self, t: Timestamp) -> f64 {
        let cycle = self.mean * (1.0 + self.daily * cos(day_angle(t, self.peak)));
        let noise = if self.noise > 0.0 {
            self.noise_scale() * self.noise_curve.at(t).1
        } else {
            0.0
        };
        let burst = match self.bursts {
            Some(b) if b.active(t) => b.extra,
            _ => 0.0,
        };
        (cycle + noise + burst).max(0.0)
    }

    /// The integral of the rate from `from` to `to` (zero when `to` is not
    /// after `from`): how much a counter grows between the two times.
    pub fn integral(&self, from: Timestamp, to: Timestamp) -> f64 {
        if to <= from || self.mean == 0.0 {
            return 0.0;
        }
        let seconds = (to as i128 - from as i128) as f64 / 1000.0;
        let mut total = self.mean * seconds;
        if self.daily > 0.0 {
            let (a0, a1) = (day_angle(from, self.peak), day_angle(to, self.peak));
            total += self.mean * self.daily * (sin(a1) - sin(a0)) / DAY_OMEGA;
        }
        if self.noise > 0.0 {
            total += self.noise_scale() * (self.noise_curve.at(to).0 - self.noise_curve.at(from).0);
        }
        if let Some(b) = self.bursts {
            total += b.extra * (b.covered(to) - b.covered(from)) as f64 / 1000.0;
        }
        // Rounding can leave a tiny negative where the rate is near zero.
        total.max(0.0)
    }
}

/// A gauge's value: `mean`, swinging by `daily` (a fraction of the mean)
/// over the day, with smooth noise of up to `noise` (a fraction of the
/// mean) either way.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    mean: f64,
    daily: f64,
    peak: Millis,
    noise: f64,
    noise_curve: Noise,
}

impl Level {
    pub fn new(key: Key, mean: f64) -> Level {
        Level {
            mean,
            daily: 0.0,
            peak: DEFAULT_PEAK,
            noise: 0.0,
            noise_curve: Noise { key, span: MINUTE },
        }
    }

    pub fn daily(mut self, amplitude: f64) -> Level {
        self.daily = amplitude.clamp(0.0, 1.0);
        self
    }

    pub fn peak_at(mut self, time_of_day: Millis) -> Level {
        self.peak = time_of_day;
        self
    }

    pub fn noise(mut self, amplitude: f64, span: Millis) -> Level {
        self.noise = amplitude.clamp(0.0, 1.0);
        self.noise_curve.span = span.max(SECOND);
        self
    }

    /// The value at `t`.
    pub fn at(&self, t: Timestamp) -> f64 {
        let cycle = self.daily * cos(day_angle(t, self.peak));
        let noise = if self.noise > 0.0 {
            self.noise * (2.0 * self.noise_curve.at(t).0 - 1.0)
        } else {
            0.0
        };
        self.mean * (1.0 + cycle + noise)
    }

    /// The value at `t` as a fraction of the mean, for scaling other values.
    pub fn factor(&self, t: Timestamp) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            self.at(t) / self.mean
        }
    }
}

/// How far `t` is into a cycle of `period` that restarts at `offset`, from
/// 0 up to (not including) 1: log files growing until rotation, a heap
/// growing until the next garbage collection.
pub fn sawtooth(t: Timestamp, period: Millis, offset: Millis) -> f64 {
    let period = period.max(1);
    t.wrapping_sub(offset).rem_euclid(period) as f64 / period as f64
}

/// How many whole cycles of `period` (restarting at `offset`) began in
/// `(from, to]`.
pub fn cycles(from: Timestamp, to: Timestamp, period: Millis, offset: Millis) -> u64 {
    if to <= from {
        return 0;
    }
    let period = period.max(1) as i128;
    let n = |t: Timestamp| (t as i128 - offset as i128).div_euclid(period);
    (n(to) - n(from)).max(0) as u64
}

/// Rounds a counter down to `1 / per_unit` (`per_unit = 100.0` for the
/// kernel's clock ticks of 0.01 s): rounding down keeps it from ever
/// decreasing, and dividing by a whole number prints cleanly.
pub fn floor_to(value: f64, per_unit: f64) -> f64 {
    (value * per_unit).floor() / per_unit
}

/// Milliseconds to Unix seconds, as exporters print timestamps.
pub fn seconds(t: Timestamp) -> f64 {
    t as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    const T0: Timestamp = 1_767_225_600_000;

    fn curves() -> Vec<Rate> {
        let k = Key::new(7, "test");
        vec![
            Rate::constant(3.0),
            Rate::new(k, 1e6).daily(0.5),
            Rate::new(k, 0.25).noise(0.8, MINUTE),
            Rate::new(k, 5e3).daily(0.6).noise(0.5, 2 * MINUTE),
            Rate::new(k, 40.0)
                .daily(0.3)
                .noise(0.4, 30 * SECOND)
                .bursts(HOUR, 5 * MINUTE, 17 * MINUTE, 400.0),
            Rate::new(k, 300.0)
                .noise(0.2, MINUTE)
                .bursts(30 * MINUTE, 2 * MINUTE, 0, -10_000.0),
        ]
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn rates_stay_positive_and_integrals_grow() {
        for (i, rate) in curves().iter().enumerate() {
            let mut last = 0.0;
            let mut t = T0;
            while t < T0 + DAY {
                assert!(rate.at(t) > 0.0, "curve {i} at {t}: {}", rate.at(t));
                let v = rate.integral(T0 - HOUR, t);
                assert!(v >= last, "curve {i} decreased at {t}: {last} -> {v}");
                last = v;
                t += 997; // not aligned with any knot or burst
            }
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn integral_matches_summing_the_rate() {
        for (i, rate) in curves().iter().enumerate() {
            let (from, to) = (T0 + 3 * HOUR + 123, T0 + 5 * HOUR + 456);
            let step = 100;
            let mut sum = 0.0;
            let mut t = from;
            while t < to {
                let dt = step.min(to - t);
                sum += rate.at(t + dt / 2) * dt as f64 / 1000.0;
                t += dt;
            }
            let exact = rate.integral(from, to);
            assert!(
                (sum - exact).abs() <= 1e-3 * exact.abs().max(1.0),
                "curve {i}: summed {sum}, integral {exact}"
            );
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_daily_cycle_peaks_at_its_peak() {
        let rate = Rate::new(Key::new(1, "x"), 10.0)
            .daily(0.5)
            .peak_at(5 * HOUR);
        assert!((rate.at(T0 + 5 * HOUR) - 15.0).abs() < 1e-9);
        assert!((rate.at(T0 + 17 * HOUR) - 5.0).abs() < 1e-9);
        let level = Level::new(Key::new(1, "y"), 100.0).daily(0.2);
        assert!((level.at(T0 + 5 * HOUR) - 120.0).abs() < 1e-9);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn levels_stay_within_their_amplitudes() {
        let level = Level::new(Key::new(3, "mem"), 50.0)
            .daily(0.2)
            .noise(0.1, MINUTE);
        for i in 0..2_000 {
            let v = level.at(T0 + i * 43_000);
            assert!((50.0 * 0.7..=50.0 * 1.3).contains(&v), "{v}");
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn keys_are_stable_and_distinct() {
        let a = Key::new(1, "node/cpu");
        assert_eq!(a, Key::new(1, "node/cpu"));
        assert_ne!(a, Key::new(2, "node/cpu"));
        assert_ne!(a, Key::new(1, "node/mem"));
        assert_ne!(a.unit(0), a.unit(1));
        let n: Vec<f64> = (0..10_000).map(|i| a.normal(i)).collect();
        let mean = n.iter().sum::<f64>() / n.len() as f64;
        let var = n.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n.len() as f64;
        assert!(mean.abs() < 0.05 && (var - 1.0).abs() < 0.1, "{mean} {var}");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn cycles_count_period_starts() {
        assert_eq!(cycles(0, 10 * MINUTE, MINUTE, 0), 10);
        assert_eq!(cycles(30_000, 90_000, MINUTE, 0), 1);
        assert_eq!(cycles(90_000, 30_000, MINUTE, 0), 0);
        assert!((sawtooth(90_000, MINUTE, 0) - 0.5).abs() < 1e-12);
        assert_eq!(floor_to(12.345, 100.0), 12.34);
        assert_eq!(floor_to(7.9, 1.0), 7.0);
    }
}
