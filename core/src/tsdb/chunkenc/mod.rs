//! Chunk encodings: how a run of one series' samples is packed into bytes.
//!
//! [`bstream`] is the bit stream; [`xor`] is the Gorilla-style float chunk
//! Prometheus uses for every float series (delta-of-delta timestamps, XORed
//! values). The head keeps its samples only in this form.

pub mod bstream;
pub mod xor;

pub use xor::{ChunkError, XorAppender, XorChunk, XorIterator};
