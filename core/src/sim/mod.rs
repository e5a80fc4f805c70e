//! The simulated cluster: the exporters the lab scrapes when it is not
//! pointed at real ones, and the scenarios a user can trigger.
//!
//! Each simulated exporter answers a scrape with exposition text computed
//! from its state and the virtual time, exactly as the real program would
//! serve it over HTTP. This version holds the training material's example
//! application (`Server.go`), whose `/ping` handler increments the counter
//! `ping_request_count`.

pub mod ping_app;

pub use ping_app::PingApp;

use crate::clock::Timestamp;
use crate::labels::Labels;
use std::fmt;

/// Why a simulated fetch failed, as an HTTP client would report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Nothing listens at this address.
    ConnectionRefused(String),
    /// Something listens, but not at this path.
    NotFound { address: String, path: String },
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::ConnectionRefused(addr) => {
                write!(f, "dial tcp {addr}: connect: connection refused")
            }
            FetchError::NotFound { .. } => f.write_str("server returned HTTP status 404 Not Found"),
        }
    }
}

/// A scrape target the cluster offers, with the labels service discovery
/// would attach to it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTarget {
    /// The job this target belongs to.
    pub job: String,
    /// `host:port`
    pub address: String,
    pub metrics_path: String,
    /// Target labels beyond `job` and `instance` (namespace, pod, ...).
    pub labels: Labels,
}

/// The simulated cluster and everything running in it.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub ping_app: PingApp,
}

impl Cluster {
    /// The default cluster. `seed` fixes every random choice the
    /// simulation makes, so the same seed gives the same run.
    pub fn new(seed: u64) -> Self {
        let _ = seed; // the ping app is deterministic; later exporters draw from it
        Cluster {
            ping_app: PingApp::new(),
        }
    }

    /// Every target the cluster exposes, as the Prometheus Operator's
    /// ServiceMonitor for each would discover it.
    pub fn targets(&self) -> Vec<SimTarget> {
        vec![self.ping_app.target()]
    }

    /// Answers an HTTP GET of `path` at `address` at virtual time `t`.
    pub fn fetch(&self, address: &str, path: &str, t: Timestamp) -> Result<String, FetchError> {
        if address == self.ping_app.address() {
            return self
                .ping_app
                .serve(path, t)
                .ok_or_else(|| FetchError::NotFound {
                    address: address.to_string(),
                    path: path.to_string(),
                });
        }
        Err(FetchError::ConnectionRefused(address.to_string()))
    }
}
