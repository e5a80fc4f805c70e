//! A stream of bits, written and read most significant bit first, as the
//! Gorilla encoding needs: a sample takes a few bits, not whole bytes.
//!
//! The layout is Prometheus's `bstream`: bits fill each byte from its high
//! end, so the bytes of a chunk written here are the bytes Prometheus writes
//! for the same samples.
//!
//! ```
//! use promlab_core::tsdb::chunkenc::bstream::{BitReader, BitWriter};
//! let mut w = BitWriter::new();
//! w.write_bits(0b101, 3);
//! w.write_byte(0xff);
//! assert_eq!(w.bytes(), &[0b1011_1111, 0b1110_0000]);
//! let mut r = BitReader::new(w.bytes());
//! assert_eq!(r.read_bits(3), Ok(0b101));
//! assert_eq!(r.read_byte(), Ok(0xff));
//! ```

use std::fmt;

/// The stream ended before the bits a reader asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndOfStream;

impl fmt::Display for EndOfStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the bit stream ended early")
    }
}

impl std::error::Error for EndOfStream {}

/// Appends bits to a growing byte buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitWriter {
    bytes: Vec<u8>,
    /// Bits still free in the last byte (0: the next bit starts a new byte).
    free: u32,
}

impl BitWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer that continues after `prefix`, which it keeps whole (a
    /// chunk's header bytes).
    pub fn with_prefix(prefix: &[u8], capacity: usize) -> Self {
        let mut bytes = Vec::with_capacity(capacity.max(prefix.len()));
        bytes.extend_from_slice(prefix);
        BitWriter { bytes, free: 0 }
    }

    pub fn write_bit(&mut self, bit: bool) {
        self.write_bits(u64::from(bit), 1);
    }

    pub fn write_byte(&mut self, byte: u8) {
        self.write_bits(u64::from(byte), 8);
    }

    /// Writes the low `n` bits of `value` (at most 64), highest first.
    pub fn write_bits(&mut self, value: u64, n: u32) {
        let mut n = n.min(64);
        while n > 0 {
            if self.free == 0 {
                self.bytes.push(0);
                self.free = 8;
            }
            let take = self.free.min(n);
            // The `take` bits below the highest `n - take` bits of what is left.
            let chunk = (value >> (n - take)) & ((1u64 << take) - 1);
            if let Some(last) = self.bytes.last_mut() {
                // `chunk` has at most `take` <= 8 bits, placed under the used ones.
                *last |= (chunk as u8) << (self.free - take);
            }
            self.free -= take;
            n -= take;
        }
    }

    /// The bytes written so far; the unused low bits of the last byte are 0.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The bytes, for changing ones already written (a chunk's header).
    pub fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// Bits written, prefix included.
    pub fn len_bits(&self) -> usize {
        self.bytes.len() * 8 - self.free as usize
    }

    /// The buffer, trimmed to its length.
    pub fn into_bytes(self) -> Box<[u8]> {
        self.bytes.into_boxed_slice()
    }
}

/// Reads bits from a byte slice, highest bit of each byte first.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    data: &'a [u8],
    /// The next byte of `data` not yet loaded into `buf`.
    next: usize,
    /// Loaded bits, left-aligned: the next bit to read is bit 63.
    buf: u64,
    /// How many bits of `buf` are loaded.
    valid: u32,
}

impl<'a> BitReader<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            next: 0,
            buf: 0,
            valid: 0,
        }
    }

    /// Loads whole bytes until more than 56 bits are buffered or the data
    /// ends.
    fn refill(&mut self) {
        while self.valid <= 56 {
            let Some(&byte) = self.data.get(self.next) else {
                return;
            };
            self.buf |= u64::from(byte) << (56 - self.valid);
            self.valid += 8;
            self.next += 1;
        }
    }

    pub fn read_bit(&mut self) -> Result<bool, EndOfStream> {
        Ok(self.read_bits(1)? == 1)
    }

    pub fn read_byte(&mut self) -> Result<u8, EndOfStream> {
        // Eight bits fit in a byte.
        Ok(self.read_bits(8)? as u8)
    }

    /// Reads `n` bits (at most 64) as the low bits of the result.
    pub fn read_bits(&mut self, n: u32) -> Result<u64, EndOfStream> {
        match n {
            0 => Ok(0),
            1..=56 => {
                if self.valid < n {
                    self.refill();
                    if self.valid < n {
                        return Err(EndOfStream);
                    }
                }
                let v = self.buf >> (64 - n);
                self.buf <<= n;
                self.valid -= n;
                Ok(v)
            }
            _ => {
                let n = n.min(64);
                let high = self.read_bits(n - 32)?;
                let low = self.read_bits(32)?;
                Ok((high << 32) | low)
            }
        }
    }

    /// Bits left to read.
    pub fn remaining_bits(&self) -> usize {
        (self.data.len() - self.next) * 8 + self.valid as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn bits_read_back_in_the_order_written() {
        // (value, width) pairs crossing byte boundaries at every offset.
        let items: Vec<(u64, u32)> = (0..200u64)
            .map(|i| {
                let width = (i % 64 + 1) as u32;
                let value = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - width);
                (value, width)
            })
            .collect();
        let mut w = BitWriter::with_prefix(&[0xab, 0xcd], 16);
        for &(v, n) in &items {
            w.write_bits(v, n);
        }
        let total: u32 = items.iter().map(|&(_, n)| n).sum();
        assert_eq!(w.len_bits(), 16 + total as usize);
        let bytes = w.bytes();
        assert_eq!(&bytes[..2], &[0xab, 0xcd]);
        let mut r = BitReader::new(&bytes[2..]);
        for &(v, n) in &items {
            assert_eq!(r.read_bits(n), Ok(v), "width {n}");
        }
        // Only the padding of the last byte is left.
        assert!(r.remaining_bits() < 8);
        assert_eq!(r.read_bits(8), Err(EndOfStream));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn the_first_bit_is_the_high_bit_of_the_first_byte() {
        let mut w = BitWriter::new();
        w.write_bit(true);
        w.write_bits(0, 6);
        w.write_bit(true);
        w.write_bit(true);
        assert_eq!(w.bytes(), &[0b1000_0001, 0b1000_0000]);
        let mut r = BitReader::new(&[0b0100_0000]);
        assert_eq!(r.read_bit(), Ok(false));
        assert_eq!(r.read_bit(), Ok(true));
        assert_eq!(r.read_bits(6), Ok(0));
        assert_eq!(r.read_bit(), Err(EndOfStream));
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn sixty_four_bit_values_survive() {
        let mut w = BitWriter::new();
        w.write_bit(true);
        w.write_bits(u64::MAX - 5, 64);
        w.write_bits(1 << 63, 64);
        let mut r = BitReader::new(w.bytes());
        assert_eq!(r.read_bit(), Ok(true));
        assert_eq!(r.read_bits(64), Ok(u64::MAX - 5));
        assert_eq!(r.read_bits(64), Ok(1 << 63));
    }
}
