//! The XOR chunk: Facebook's Gorilla compression with Prometheus's bucket
//! sizes, byte for byte the `XORChunk` of Prometheus's `tsdb/chunkenc`.
//!
//! Layout: a 2-byte big-endian sample count, then a bit stream. The first
//! sample is a signed varint timestamp and the 64 raw bits of its value. The
//! second stores the timestamp delta as an unsigned varint. Every later
//! timestamp stores the delta of deltas (`dod`) in one of five buckets —
//! `0` for no change, `10` + 14 bits, `110` + 17 bits, `1110` + 20 bits,
//! `1111` + 64 bits — wide enough for millisecond timestamps. Every value
//! after the first is XORed with the previous one: `0` when equal; otherwise
//! `1`, then `0` + the meaningful bits when they fit in the previous
//! leading/trailing-zero window, or `1` + 5 bits of leading zeros + 6 bits of
//! length + the meaningful bits.
//!
//! Values are kept as their bit patterns, so any NaN — the stale marker
//! among them — reads back with the bits it was written with.
//!
//! ```
//! use promlab_core::tsdb::chunkenc::xor::XorAppender;
//! let mut app = XorAppender::new();
//! for i in 0..4 {
//!     app.append(1_000 + i * 15_000, 1.0).unwrap();
//! }
//! let samples: Vec<_> = app.iter().map(|s| s.t).collect();
//! assert_eq!(samples, vec![1_000, 16_000, 31_000, 46_000]);
//! ```

use super::bstream::{BitReader, BitWriter};
use crate::clock::Timestamp;
use crate::tsdb::Sample;
use std::fmt;

/// The most samples a chunk can count in its 2-byte header.
pub const MAX_SAMPLES: usize = u16::MAX as usize;

/// The header: the sample count.
const HEADER_LEN: usize = 2;

/// What stopped writing or reading a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkError {
    /// Fewer than the 2 header bytes.
    MissingHeader,
    /// The chunk already holds [`MAX_SAMPLES`].
    Full,
    /// The bits ended inside sample `sample` (0-based) of those the header
    /// counts.
    Truncated { sample: usize },
    /// A varint of sample `sample` ran past 64 bits.
    VarintOverflow { sample: usize },
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChunkError::MissingHeader => f.write_str("chunk shorter than its 2-byte header"),
            ChunkError::Full => write!(f, "chunk already holds {MAX_SAMPLES} samples"),
            ChunkError::Truncated { sample } => {
                write!(f, "chunk data ends inside sample {sample}")
            }
            ChunkError::VarintOverflow { sample } => {
                write!(f, "varint of sample {sample} is longer than 64 bits")
            }
        }
    }
}

impl std::error::Error for ChunkError {}

/// "No window yet": the first XORed value always writes its window.
const NO_WINDOW: u8 = 0xff;

/// Writes samples into a chunk. It keeps the state of the last sample, so
/// appending costs a few bit writes.
#[derive(Debug, Clone)]
pub struct XorAppender {
    w: BitWriter,
    num: u16,
    t: Timestamp,
    v: u64,
    t_delta: u64,
    leading: u8,
    trailing: u8,
}

impl Default for XorAppender {
    fn default() -> Self {
        Self::new()
    }
}

impl XorAppender {
    pub fn new() -> Self {
        XorAppender {
            // 128 bytes hold a typical 120-sample chunk after one growth.
            w: BitWriter::with_prefix(&[0; HEADER_LEN], 128),
            num: 0,
            t: 0,
            v: 0,
            t_delta: 0,
            leading: NO_WINDOW,
            trailing: 0,
        }
    }

    /// Appends a sample. Timestamps are expected to increase; the encoding
    /// itself wraps like Go's integers, so any sequence reads back as written.
    pub fn append(&mut self, t: Timestamp, v: f64) -> Result<(), ChunkError> {
        if usize::from(self.num) >= MAX_SAMPLES {
            return Err(ChunkError::Full);
        }
        let v = v.to_bits();
        let mut t_delta = 0;
        match self.num {
            0 => {
                write_varint(&mut self.w, t);
                self.w.write_bits(v, 64);
            }
            1 => {
                t_delta = t.wrapping_sub(self.t) as u64;
                write_uvarint(&mut self.w, t_delta);
                self.write_value(v);
            }
            _ => {
                t_delta = t.wrapping_sub(self.t) as u64;
                let dod = t_delta.wrapping_sub(self.t_delta) as i64;
                // Gorilla's buckets were sized for seconds; Prometheus widened
                // them for milliseconds.
                if dod == 0 {
                    self.w.write_bit(false);
                } else if bit_range(dod, 14) {
                    self.w.write_bits(0b10, 2);
                    self.w.write_bits(dod as u64, 14);
                } else if bit_range(dod, 17) {
                    self.w.write_bits(0b110, 3);
                    self.w.write_bits(dod as u64, 17);
                } else if bit_range(dod, 20) {
                    self.w.write_bits(0b1110, 4);
                    self.w.write_bits(dod as u64, 20);
                } else {
                    self.w.write_bits(0b1111, 4);
                    self.w.write_bits(dod as u64, 64);
                }
                self.write_value(v);
            }
        }
        self.t = t;
        self.v = v;
        self.t_delta = t_delta;
        self.num += 1;
        let [hi, lo] = self.num.to_be_bytes();
        if let [h0, h1, ..] = self.w.bytes_mut() {
            *h0 = hi;
            *h1 = lo;
        }
        Ok(())
    }

    fn write_value(&mut self, v: u64) {
        let delta = v ^ self.v;
        if delta == 0 {
            self.w.write_bit(false);
            return;
        }
        self.w.write_bit(true);
        // Five bits hold at most 31 leading zeros.
        let leading = (delta.leading_zeros() as u8).min(31);
        let trailing = delta.trailing_zeros() as u8;
        if self.leading != NO_WINDOW && leading >= self.leading && trailing >= self.trailing {
            // The meaningful bits fit in the previous window.
            self.w.write_bit(false);
            let bits = 64 - u32::from(self.leading) - u32::from(self.trailing);
            self.w.write_bits(delta >> self.trailing, bits);
        } else {
            self.leading = leading;
            self.trailing = trailing;
            self.w.write_bit(true);
            self.w.write_bits(u64::from(leading), 5);
            // 64 meaningful bits do not fit in 6 bits; they are written as 0,
            // which cannot otherwise occur (delta is not 0).
            let sigbits = 64 - u32::from(leading) - u32::from(trailing);
            self.w.write_bits(u64::from(sigbits), 6);
            self.w.write_bits(delta >> trailing, sigbits);
        }
    }

    pub fn num_samples(&self) -> usize {
        usize::from(self.num)
    }

    /// The last sample appended.
    pub fn last(&self) -> Option<Sample> {
        (self.num > 0).then(|| Sample {
            t: self.t,
            v: f64::from_bits(self.v),
        })
    }

    /// The chunk's bytes so far, header included.
    pub fn bytes(&self) -> &[u8] {
        self.w.bytes()
    }

    pub fn iter(&self) -> XorIterator<'_> {
        XorIterator::new(self.w.bytes())
    }

    /// The chunk, its buffer trimmed to its length.
    pub fn finish(self) -> XorChunk {
        XorChunk {
            bytes: self.w.into_bytes(),
        }
    }
}

/// Whether `x` fits the `nbits`-bit bucket. The range is one off from two's
/// complement (`-(2^(n-1) - 1) ..= 2^(n-1)`), as in Prometheus, and the
/// reader undoes it the same way.
fn bit_range(x: i64, nbits: u32) -> bool {
    let half = 1i64 << (nbits - 1);
    -(half - 1) <= x && x <= half
}

/// Go's `binary.PutVarint`: zig-zag, then [`write_uvarint`].
fn write_varint(w: &mut BitWriter, x: i64) {
    let mut ux = (x as u64) << 1;
    if x < 0 {
        ux = !ux;
    }
    write_uvarint(w, ux);
}

/// Go's `binary.PutUvarint`: seven bits a byte, low first, the high bit set
/// on all but the last.
fn write_uvarint(w: &mut BitWriter, mut x: u64) {
    while x >= 0x80 {
        w.write_byte((x as u8) | 0x80);
        x >>= 7;
    }
    w.write_byte(x as u8);
}

/// A sealed chunk: the bytes of an [`XorAppender`] that takes no more
/// samples, or a chunk read from elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XorChunk {
    bytes: Box<[u8]>,
}

impl XorChunk {
    /// Wraps encoded bytes; they are checked as they are read.
    pub fn from_bytes(bytes: impl Into<Box<[u8]>>) -> Result<Self, ChunkError> {
        let bytes = bytes.into();
        if bytes.len() < HEADER_LEN {
            return Err(ChunkError::MissingHeader);
        }
        Ok(XorChunk { bytes })
    }

    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn num_samples(&self) -> usize {
        num_samples(&self.bytes)
    }

    pub fn iter(&self) -> XorIterator<'_> {
        XorIterator::new(&self.bytes)
    }
}

fn num_samples(bytes: &[u8]) -> usize {
    match bytes {
        [hi, lo, ..] => usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => 0,
    }
}

/// Decodes a chunk's samples in order. Bad bytes end the iteration and are
/// reported by [`XorIterator::error`]; they never panic.
#[derive(Debug, Clone)]
pub struct XorIterator<'a> {
    r: BitReader<'a>,
    total: usize,
    read: usize,
    t: Timestamp,
    v: u64,
    t_delta: u64,
    leading: u8,
    trailing: u8,
    error: Option<ChunkError>,
}

impl<'a> XorIterator<'a> {
    /// An iterator over encoded bytes, header included.
    pub fn new(bytes: &'a [u8]) -> Self {
        let error = (bytes.len() < HEADER_LEN).then_some(ChunkError::MissingHeader);
        XorIterator {
            r: BitReader::new(bytes.get(HEADER_LEN..).unwrap_or_default()),
            total: num_samples(bytes),
            read: 0,
            t: 0,
            v: 0,
            t_delta: 0,
            leading: 0,
            trailing: 0,
            error,
        }
    }

    /// The number of samples the header counts.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Why the iteration stopped early, if it did.
    pub fn error(&self) -> Option<ChunkError> {
        self.error
    }

    /// The first sample not yet returned with a timestamp at or after `t`.
    pub fn seek(&mut self, t: Timestamp) -> Option<Sample> {
        self.find(|s| s.t >= t)
    }

    fn decode(&mut self) -> Result<Sample, ChunkError> {
        let sample = self.read;
        let truncated = |_| ChunkError::Truncated { sample };
        match self.read {
            0 => {
                self.t = read_varint(&mut self.r, sample)?;
                self.v = self.r.read_bits(64).map_err(truncated)?;
            }
            1 => {
                self.t_delta = read_uvarint(&mut self.r, sample)?;
                self.t = self.t.wrapping_add(self.t_delta as i64);
                self.read_value().map_err(truncated)?;
            }
            _ => {
                let mut prefix = 0u8;
                for _ in 0..4 {
                    prefix <<= 1;
                    if !self.r.read_bit().map_err(truncated)? {
                        break;
                    }
                    prefix |= 1;
                }
                let size = match prefix {
                    0b0 => 0,
                    0b10 => 14,
                    0b110 => 17,
                    0b1110 => 20,
                    _ => 64,
                };
                let dod = match size {
                    0 => 0,
                    64 => self.r.read_bits(64).map_err(truncated)? as i64,
                    _ => {
                        let bits = self.r.read_bits(size).map_err(truncated)?;
                        // Undo the bucket's offset range (see `bit_range`).
                        if bits > 1 << (size - 1) {
                            (bits as i64) - (1i64 << size)
                        } else {
                            bits as i64
                        }
                    }
                };
                self.t_delta = self.t_delta.wrapping_add(dod as u64);
                self.t = self.t.wrapping_add(self.t_delta as i64);
                self.read_value().map_err(truncated)?;
            }
        }
        Ok(Sample {
            t: self.t,
            v: f64::from_bits(self.v),
        })
    }

    fn read_value(&mut self) -> Result<(), super::bstream::EndOfStream> {
        if !self.r.read_bit()? {
            return Ok(());
        }
        if self.r.read_bit()? {
            self.leading = self.r.read_bits(5)? as u8;
            let mut sigbits = self.r.read_bits(6)? as u8;
            if sigbits == 0 {
                sigbits = 64;
            }
            // Corrupt input can claim more bits than 64 - leading; saturate
            // rather than wrap into a nonsense shift.
            self.trailing = 64u8.saturating_sub(self.leading).saturating_sub(sigbits);
        }
        let sigbits = 64u32
            .saturating_sub(u32::from(self.leading))
            .saturating_sub(u32::from(self.trailing));
        let bits = self.r.read_bits(sigbits)?;
        self.v ^= bits.checked_shl(u32::from(self.trailing)).unwrap_or(0);
        Ok(())
    }
}

impl Iterator for XorIterator<'_> {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        if self.error.is_some() || self.read >= self.total {
            return None;
        }
        match self.decode() {
            Ok(s) => {
                self.read += 1;
                Some(s)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

fn read_uvarint(r: &mut BitReader<'_>, sample: usize) -> Result<u64, ChunkError> {
    let mut x = 0u64;
    let mut shift = 0u32;
    for i in 0..10 {
        let b = r
            .read_byte()
            .map_err(|_| ChunkError::Truncated { sample })?;
        if b < 0x80 {
            if i == 9 && b > 1 {
                break;
            }
            return Ok(x | (u64::from(b) << shift));
        }
        x |= u64::from(b & 0x7f) << shift;
        shift += 7;
    }
    Err(ChunkError::VarintOverflow { sample })
}

fn read_varint(r: &mut BitReader<'_>, sample: usize) -> Result<i64, ChunkError> {
    let ux = read_uvarint(r, sample)?;
    let x = (ux >> 1) as i64;
    Ok(if ux & 1 != 0 { !x } else { x })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tsdb::STALE_NAN;
    use expect_test::expect;
    use wasm_bindgen_test::wasm_bindgen_test;

    fn encode(samples: &[(Timestamp, f64)]) -> XorAppender {
        let mut app = XorAppender::new();
        for &(t, v) in samples {
            app.append(t, v).unwrap();
        }
        app
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn bytes_match_prometheus_encoding() {
        // Worked by hand from the format: header 0003; varint(1000) = d0 0f;
        // 1.0 = 3ff0000000000000; uvarint(15000) = 98 75; 2.0 XOR 1.0 =
        // 0x7ff0..., 1 leading zero, 52 trailing: `1 1 00001 001011 11111111111`;
        // dod 0 = `0`; 2.0 again = `0`.
        let app = encode(&[(1000, 1.0), (16000, 2.0), (31000, 2.0)]);
        expect!["0003d00f3ff00000000000009875c25fff00"].assert_eq(&hex(app.bytes()));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn every_timestamp_bucket_and_value_window_round_trips() {
        let deltas: [i64; 12] = [
            15_000,
            15_000,
            15_001,
            14_999,
            23_000,
            8_000,
            90_000,
            400_000,
            1,
            1 << 40,
            2,
            15_000,
        ];
        let values = [
            0.0,
            1.0,
            -1.0,
            f64::MAX,
            f64::MIN_POSITIVE,
            f64::INFINITY,
            f64::NAN,
            STALE_NAN,
            -0.0,
            1e-300,
            123_456.789,
            123_456.79,
            f64::NEG_INFINITY,
        ];
        let mut t = -5_000i64;
        let mut samples = vec![(t, values[0])];
        for (i, d) in deltas.iter().enumerate() {
            t += d;
            samples.push((t, values[i + 1]));
        }
        let app = encode(&samples);
        let got: Vec<(Timestamp, u64)> = app.iter().map(|s| (s.t, s.v.to_bits())).collect();
        let want: Vec<(Timestamp, u64)> = samples.iter().map(|&(t, v)| (t, v.to_bits())).collect();
        assert_eq!(got, want);
        assert_eq!(app.iter().error(), None);
        let chunk = app.finish();
        assert_eq!(chunk.num_samples(), samples.len());
        assert_eq!(chunk.iter().count(), samples.len());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn extreme_timestamps_round_trip() {
        let samples = [(i64::MIN, 1.0), (0, 2.0), (i64::MAX, 3.0), (i64::MAX, 3.0)];
        let app = encode(&samples);
        let got: Vec<(Timestamp, f64)> = app.iter().map(|s| (s.t, s.v)).collect();
        assert_eq!(got, samples.to_vec());
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn constant_series_cost_about_two_bits_a_sample() {
        let samples: Vec<(Timestamp, f64)> = (0..120).map(|i| (i * 15_000, 1.0)).collect();
        let app = encode(&samples);
        // 2 header + 1 varint + 8 value + 2 uvarint, then 1 bit for the
        // second value and 2 bits for each of the other 118 (237 bits).
        assert_eq!(app.bytes().len(), 2 + 1 + 8 + 2 + 30);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn seek_skips_to_the_first_sample_at_or_after() {
        let samples: Vec<(Timestamp, f64)> = (0..10).map(|i| (i * 10, i as f64)).collect();
        let app = encode(&samples);
        let mut it = app.iter();
        assert_eq!(it.seek(35).map(|s| s.t), Some(40));
        assert_eq!(it.next().map(|s| s.t), Some(50));
        assert_eq!(it.seek(0).map(|s| s.t), Some(60));
        assert_eq!(it.seek(91), None);
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn corrupt_bytes_end_the_iteration_with_an_error() {
        let app = encode(&[(1000, 1.0), (16000, 2.0), (31000, 3.5), (46000, 7.25)]);
        let bytes = app.bytes();
        for cut in 0..bytes.len() {
            let mut it = XorIterator::new(&bytes[..cut]);
            let n = it.by_ref().count();
            assert!(n < 4, "cut at {cut} still gave {n} samples");
            assert!(it.error().is_some(), "cut at {cut}");
        }
        assert_eq!(
            XorChunk::from_bytes(vec![0u8]),
            Err(ChunkError::MissingHeader)
        );
        // A header that claims more samples than the bits hold, and random
        // garbage: errors, not panics.
        let mut it = XorIterator::new(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        assert!(it.by_ref().count() <= 1);
        assert!(matches!(
            it.error(),
            Some(ChunkError::VarintOverflow { .. } | ChunkError::Truncated { .. })
        ));
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..500 {
            let bytes: Vec<u8> = (0..40)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    seed as u8
                })
                .collect();
            let _ = XorIterator::new(&bytes).count();
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn a_full_chunk_refuses_more() {
        let mut app = XorAppender::new();
        for i in 0..MAX_SAMPLES as i64 {
            app.append(i, 0.0).unwrap();
        }
        assert_eq!(app.append(MAX_SAMPLES as i64, 0.0), Err(ChunkError::Full));
        assert_eq!(app.iter().count(), MAX_SAMPLES);
    }
}
