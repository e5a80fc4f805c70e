//! The one time source of the lab.
//!
//! Everything in the lab — scrapes, queries, (later) rule evaluation and
//! Alertmanager timers — reads time from a [`Clock`], never from the machine.
//! The clock holds *virtual* time as Prometheus does: milliseconds since the
//! Unix epoch ([`Timestamp`]). It can run at real speed or faster (the driver
//! reports how much real time passed with [`Clock::real_elapsed`]), be paused,
//! or be stepped. Because it never reads a wall clock itself, a run given the
//! same start, the same inputs and the same steps is the same run, natively,
//! under WebAssembly, in tests.
//!
//! ```
//! use promlab_core::clock::Clock;
//! let mut clock = Clock::new(1_000);
//! clock.set_speed(10.0).unwrap();
//! // 1.5 s of real time at 10x is 15 s of virtual time.
//! assert_eq!(clock.real_elapsed(1_500.0), 16_000);
//! ```

use serde::{Deserialize, Serialize};

/// Milliseconds since the Unix epoch, as Prometheus stores sample times.
pub type Timestamp = i64;

/// Milliseconds, for intervals and offsets.
pub type Millis = i64;

/// The speeds the lab offers in its time controls.
pub const SPEEDS: [f64; 4] = [1.0, 10.0, 60.0, 600.0];

/// The fastest the clock may run: faster than this, one frame of real time
/// would ask for more simulation than a page can do without stuttering.
pub const MAX_SPEED: f64 = 3600.0;

/// Why a clock setting was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClockError {
    /// The speed was not a finite number in `(0, MAX_SPEED]`.
    InvalidSpeed(String),
    /// Virtual time never runs backwards.
    Backwards {
        now: Timestamp,
        requested: Timestamp,
    },
}

impl std::fmt::Display for ClockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClockError::InvalidSpeed(s) => {
                write!(f, "invalid clock speed {s}: expected a number greater than 0 and at most {MAX_SPEED}")
            }
            ClockError::Backwards { now, requested } => write!(
                f,
                "cannot move the clock back to {requested} ms: it is already at {now} ms"
            ),
        }
    }
}

impl std::error::Error for ClockError {}

/// Virtual time: where it is, whether it runs, and how fast.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clock {
    now: Timestamp,
    running: bool,
    speed: f64,
    /// Sub-millisecond virtual time owed from earlier real-time ticks, so that
    /// many small ticks add up exactly.
    carry: f64,
}

impl Clock {
    /// A running clock at real speed, starting at `start`.
    pub fn new(start: Timestamp) -> Self {
        Clock {
            now: start,
            running: true,
            speed: 1.0,
            carry: 0.0,
        }
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn is_running(&self) -> bool {
        self.running
    }

    pub fn speed(&self) -> f64 {
        self.speed
    }

    pub fn play(&mut self) {
        self.running = true;
    }

    pub fn pause(&mut self) {
        self.running = false;
        self.carry = 0.0;
    }

    pub fn set_speed(&mut self, speed: f64) -> Result<(), ClockError> {
        if !(speed.is_finite() && speed > 0.0 && speed <= MAX_SPEED) {
            return Err(ClockError::InvalidSpeed(speed.to_string()));
        }
        self.speed = speed;
        Ok(())
    }

    /// Where virtual time should be after `real_ms` milliseconds of real
    /// time, at the current speed. Returns the current time when paused.
    /// The clock does not move: the lab moves it with [`Clock::set`] as it
    /// runs the events up to that point in order.
    pub fn real_elapsed(&mut self, real_ms: f64) -> Timestamp {
        if !self.running || !real_ms.is_finite() || real_ms <= 0.0 {
            return self.now;
        }
        let virtual_ms = real_ms * self.speed + self.carry;
        let whole = virtual_ms.floor();
        self.carry = virtual_ms - whole;
        self.now.saturating_add(whole as i64)
    }

    /// Moves virtual time to `t`, which must not be in the past.
    pub fn set(&mut self, t: Timestamp) -> Result<(), ClockError> {
        if t < self.now {
            return Err(ClockError::Backwards {
                now: self.now,
                requested: t,
            });
        }
        self.now = t;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn small_real_ticks_add_up_exactly() {
        let mut clock = Clock::new(0);
        clock.set_speed(60.0).unwrap();
        let mut t = 0;
        for _ in 0..1000 {
            t = clock.real_elapsed(0.01);
            clock.set(t).unwrap();
        }
        // 10 ms of real time at 60x is 600 ms of virtual time; floating
        // point may leave the last fraction of a millisecond in the carry.
        assert!((599..=600).contains(&t), "{t}");
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_paused_clock_does_not_move() {
        let mut clock = Clock::new(5);
        clock.pause();
        assert_eq!(clock.real_elapsed(1000.0), 5);
        clock.play();
        assert_eq!(clock.real_elapsed(1000.0), 1005);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn bad_speeds_and_backward_moves_are_refused() {
        let mut clock = Clock::new(100);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_SPEED * 2.0] {
            assert!(matches!(
                clock.set_speed(bad),
                Err(ClockError::InvalidSpeed(_))
            ));
        }
        assert_eq!(clock.speed(), 1.0);
        assert_eq!(
            clock.set(99),
            Err(ClockError::Backwards {
                now: 100,
                requested: 99
            })
        );
        assert_eq!(clock.now(), 100);
    }
}
