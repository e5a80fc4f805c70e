//! The in-memory time-series database: series identified by their labels,
//! their samples compressed in chunks, an inverted index from label pairs to
//! series for selection, per-metric metadata, retention and statistics.
//!
//! - [`chunkenc`]: the bit stream and the XOR chunk (Gorilla compression,
//!   byte for byte Prometheus's encoding).
//! - [`head`]: [`Head`], which takes every append, cuts chunks as Prometheus
//!   does (about 120 samples, never across a 2-hour boundary), rejects
//!   out-of-order and conflicting samples with a counted reason, keeps
//!   metadata and drops old data ([`Head::truncate_before`]).
//! - `index`: the postings lists and Prometheus's matcher selection.
//! - [`querier`]: the [`Querier`] trait — all the PromQL engine and the API
//!   know of storage — and its implementation over the head, with series
//!   iterators that decode lazily and seek chunk by chunk.
//! - [`stats`]: what the TSDB status page shows.
//! - [`openmetrics`]: export to, and import from, OpenMetrics text with
//!   timestamps (the format `promtool tsdb create-blocks-from openmetrics`
//!   reads).
//!
//! Stale markers are stored like samples, with the special NaN
//! [`STALE_NAN`] that Prometheus writes when a series disappears; chunks keep
//! every value's bits, so they stay distinguishable from other NaNs.
//!
//! ```
//! use promlab_core::labels::{Labels, Matcher};
//! use promlab_core::tsdb::{Head, Querier};
//! let mut head = Head::new();
//! let up = Labels::from_pairs([("__name__", "up"), ("job", "node")]);
//! for i in 0..4 {
//!     head.append(&up, i * 15_000, 1.0).unwrap();
//! }
//! let got = head.select(&[Matcher::equal("job", "node")], 15_000, 30_000);
//! assert_eq!(got[0].samples.len(), 2);
//! ```

pub mod chunkenc;
pub mod head;
mod index;
pub mod openmetrics;
pub mod querier;
pub mod stats;

pub use head::{AppendError, ChunkMeta, Head, Metadata, TruncateResult};
pub use openmetrics::{export_openmetrics, ImportError, ImportErrorKind, ImportSummary};
pub use querier::{Querier, SampleIterator, Series, SeriesData};
pub use stats::{HeadStats, RejectedSamples, StatEntry};

use crate::clock::Timestamp;

/// The bit pattern Prometheus uses for stale markers. It is a NaN that no
/// arithmetic produces, so it can be told apart from an ordinary NaN value.
pub const STALE_NAN_BITS: u64 = 0x7ff0_0000_0000_0002;

/// A stale marker as a float.
pub const STALE_NAN: f64 = f64::from_bits(STALE_NAN_BITS);

/// Whether `v` is a stale marker (and not just any NaN).
pub fn is_stale_marker(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

/// One stored sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub t: Timestamp,
    pub v: f64,
}

/// A series handle. References are never reused: one that retention
/// removed stays unknown, and the series gets a new one if it comes back.
pub type SeriesRef = usize;
