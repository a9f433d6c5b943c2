//! [`BitReader`]: reads bit fields back, never past the end.

use crate::field::check_width;
use crate::packing::unpack;
use crate::{CodecError, Field};

/// Reads bit fields from a packed message in the order they were written.
///
/// Reading past the end returns [`CodecError::UnexpectedEnd`]; a failed read or decode does not
/// move the position. Bits of the backing words past `len` may be anything: they never affect
/// a result.
#[derive(Debug, Clone)]
pub struct BitReader<'a> {
    words: &'a [u64],
    len: usize,
    pos: usize,
}

impl<'a> BitReader<'a> {
    /// A reader over the first `len` bits of `words` (clamped to what the words hold).
    pub fn new(words: &'a [u64], len: usize) -> Self {
        Self {
            words,
            len: len.min(words.len().saturating_mul(64)),
            pos: 0,
        }
    }

    /// Bits read so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bits still unread.
    pub fn remaining(&self) -> usize {
        self.len - self.pos
    }

    /// Total bits in the message.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the message has no bits at all.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether every bit has been read.
    pub fn is_exhausted(&self) -> bool {
        self.pos == self.len
    }

    /// Succeeds if at least `bits` bits are left.
    pub fn ensure_available(&self, bits: usize) -> Result<(), CodecError> {
        let remaining = self.remaining();
        if bits > remaining {
            Err(CodecError::UnexpectedEnd {
                requested: bits,
                remaining,
            })
        } else {
            Ok(())
        }
    }

    /// Reads a field of `width` bits (0..=64), least significant bit first.
    #[inline]
    pub fn read_bits(&mut self, width: u32) -> Result<u64, CodecError> {
        check_width::<u64>(width)?;
        self.ensure_available(width as usize)?;
        Ok(self.take_unchecked(width))
    }

    /// Reads one bit.
    #[inline]
    pub fn read_bit(&mut self) -> Result<bool, CodecError> {
        Ok(self.read_bits(1)? == 1)
    }

    /// Reads `out.len()` fields of `width` bits each, all or nothing.
    ///
    /// The fast path for fixed-width codes, the inverse of
    /// [`BitWriter::write_fields`](crate::BitWriter::write_fields): one check for the whole
    /// slice, then a word at a time. `out` may be `u8`, `u16`, `u32` or `u64` (see [`Field`]);
    /// `width` must be at most its width. On error nothing is read and `out` is unchanged.
    ///
    /// ```
    /// use bitcodec::BitWriter;
    /// let mut w = BitWriter::new();
    /// w.write_fields(&[5u64, 0, 7, 1], 3)?;
    /// let msg = w.finish();
    /// let mut r = msg.reader();
    /// let mut out = [0u8; 4];
    /// r.read_fields(&mut out, 3)?;
    /// assert_eq!(out, [5, 0, 7, 1]);
    /// assert!(r.read_fields(&mut out, 3).is_err()); // nothing left
    /// # Ok::<(), bitcodec::CodecError>(())
    /// ```
    pub fn read_fields<T: Field>(&mut self, out: &mut [T], width: u32) -> Result<(), CodecError> {
        check_width::<T>(width)?;
        let bits = out.len().saturating_mul(width as usize);
        self.ensure_available(bits)?;
        if bits == 0 {
            out.fill(T::default());
            return Ok(());
        }
        let src = self.words.get(self.pos / 64..).unwrap_or(&[]);
        unpack(src, (self.pos % 64) as u32, out, width);
        self.pos += bits;
        Ok(())
    }

    /// Runs `read`; if it fails, puts the reader back where it was, so that a failed decode
    /// consumes nothing.
    pub(crate) fn rewind_on_error<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, CodecError>,
    ) -> Result<T, CodecError> {
        let start = self.pos;
        let result = read(self);
        if result.is_err() {
            self.pos = start;
        }
        result
    }

    /// Reads `out.len()` whole 64-bit words, all or nothing: the same values as `read_bits(64)`
    /// for each, with one check and a block copy when the position is on a word boundary.
    ///
    /// ```
    /// use bitcodec::BitWriter;
    /// let mut w = BitWriter::new();
    /// w.write_bits(1, 1)?;
    /// w.write_words(&[3, 4])?;
    /// let msg = w.finish();
    /// let mut r = msg.reader();
    /// assert!(r.read_words(&mut [0u64; 3]).is_err()); // only 129 bits
    /// assert_eq!(r.read_bits(1)?, 1);
    /// let mut words = [0u64; 2];
    /// r.read_words(&mut words)?;
    /// assert_eq!(words, [3, 4]);
    /// # Ok::<(), bitcodec::CodecError>(())
    /// ```
    pub fn read_words(&mut self, out: &mut [u64]) -> Result<(), CodecError> {
        let bits = out.len().saturating_mul(64);
        self.ensure_available(bits)?;
        let idx = self.pos / 64;
        let offset = (self.pos % 64) as u32;
        // `len <= 64 · words.len()`, so the words under the requested bits exist: `n` from an
        // aligned position, `n + 1` from an unaligned one.
        let whole = self.words.get(idx..idx + out.len());
        let straddling = self.words.get(idx..=idx + out.len());
        match (offset, whole, straddling) {
            (0, Some(src), _) => out.copy_from_slice(src),
            (_, _, Some(src)) => {
                let up = 64 - offset;
                for (o, pair) in out.iter_mut().zip(src.windows(2)) {
                    *o = (pair[0] >> offset) | (pair[1] << up);
                }
            }
            _ => {
                for o in out.iter_mut() {
                    *o = self.take_unchecked(64);
                }
                return Ok(());
            }
        }
        self.pos += bits;
        Ok(())
    }

    /// Reads `width` bits; the caller has checked that they are available.
    #[inline]
    pub(crate) fn take_unchecked(&mut self, width: u32) -> u64 {
        if width == 0 {
            return 0;
        }
        let idx = self.pos / 64;
        let offset = (self.pos % 64) as u32;
        let lo = self.words.get(idx).copied().unwrap_or(0) >> offset;
        let value = if offset + width > 64 {
            let hi = self.words.get(idx + 1).copied().unwrap_or(0);
            lo | (hi << (64 - offset))
        } else {
            lo
        };
        self.pos += width as usize;
        if width == 64 {
            value
        } else {
            value & ((1u64 << width) - 1)
        }
    }

    /// Counts consecutive `bit`s from the current position, stopping at `limit`,
    /// and consumes them. Used by unary and Elias decoders.
    pub(crate) fn count_run(&mut self, bit: bool, limit: usize) -> usize {
        let mut n = 0;
        while n < limit && self.pos < self.len {
            let w = self.words.get(self.pos / 64).copied().unwrap_or(0);
            let w = if bit { !w } else { w };
            let offset = (self.pos % 64) as u32;
            // Zeros (after the flip) from `offset` upwards are run bits.
            let chunk = (w >> offset).trailing_zeros() as usize;
            let avail = (64 - offset as usize)
                .min(self.len - self.pos)
                .min(limit - n);
            let step = chunk.min(avail);
            n += step;
            self.pos += step;
            if step < avail {
                break;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use crate::BitWriter;

    #[test]
    fn read_words_matches_64_bit_fields_at_every_offset() {
        let words: Vec<u64> = (1..=6u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let mut w = BitWriter::new();
        for &x in &words {
            w.write_bits(x, 64).unwrap_or_default();
        }
        let msg = w.finish();
        for skip in 0..64 {
            for n in [0, 1, 2, 5] {
                let mut fields = msg.reader();
                let mut bulk = msg.reader();
                fields.read_bits(skip).unwrap_or_default();
                bulk.read_bits(skip).unwrap_or_default();
                let expected: Vec<u64> = (0..n)
                    .map(|_| fields.read_bits(64).unwrap_or_default())
                    .collect();
                let mut got = vec![0; n];
                assert_eq!(bulk.read_words(&mut got), Ok(()));
                assert_eq!(got, expected, "skip {skip}, {n} words");
                assert_eq!(bulk.position(), fields.position());
            }
        }
    }

    #[test]
    fn read_words_past_the_end_reads_nothing() {
        let mut w = BitWriter::new();
        w.write_bits(5, 3).unwrap_or_default();
        w.write_bits(u64::MAX, 64).unwrap_or_default();
        let msg = w.finish();
        let mut r = msg.reader();
        r.read_bits(1).unwrap_or_default();
        let mut out = [0u64; 2];
        assert!(r.read_words(&mut out).is_err());
        assert_eq!((r.position(), out), (1, [0, 0]));
        assert_eq!(r.read_words(&mut out[..1]), Ok(()));
        assert_eq!(out[0], (u64::MAX << 2) | 0b10);
    }
}
