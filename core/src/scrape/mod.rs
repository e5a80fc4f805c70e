//! The scrape model of Prometheus 3.5: scrape configs read from a
//! `prometheus.yml` ([`config`]), relabelling ([`relabel`], with Go's regex
//! semantics in [`regex`]), the targets a config makes ([`target`]), and the
//! manager that schedules them and writes what a scrape returns into the
//! TSDB ([`manager`]).
//!
//! The manager does no I/O. The lab asks it which target is due next
//! ([`ScrapeManager::next_due`]), fetches the page however that target is
//! reached (a simulated exporter in process; later an HTTP URL), and hands
//! the outcome back with [`ScrapeManager::ingest`]. That keeps scraping
//! deterministic on the virtual clock and the same natively and in the
//! browser.

pub mod config;
pub mod manager;
pub mod relabel;
pub mod target;

pub use config::{ConfigError, ConfigErrorKind, GlobalConfig, PrometheusConfig, ScrapeConfig};
pub use manager::{ScrapeManager, ScrapeOutcome, TargetBuildError};
pub use relabel::{Action, RelabelConfig};
pub use target::{DroppedTarget, Target, TargetError};

/// A target's health, as the Targets page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Unknown,
    Up,
    Down,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Unknown => "unknown",
            Health::Up => "up",
            Health::Down => "down",
        }
    }
}
