//! [`BitWriter`]: appends bits to a message, refusing to pass its capacity.

use crate::bitstring::mask_tail;
use crate::field::{check_values_fit, check_width};
use crate::packing::pack;
use crate::{BitString, CodecError, Field};

/// Appends bit fields to a packed buffer, optionally under a **capacity** (a bit budget).
///
/// Every write is all-or-nothing: a write that would pass the capacity returns
/// [`CodecError::BudgetExceeded`] and leaves the message exactly as it was. Codes that write
/// several fields check their whole length first, so they are all-or-nothing too.
///
/// ```
/// use bitcodec::BitWriter;
/// let mut w = BitWriter::with_capacity(10);
/// w.write_bits(0b101, 3)?;
/// assert!(w.write_bits(0, 8).is_err()); // 3 + 8 > 10
/// assert_eq!(w.len(), 3);
/// let msg = w.finish();
/// assert_eq!(msg.reader().read_bits(3)?, 0b101);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct BitWriter {
    words: Vec<u64>,
    len: usize,
    capacity: Option<usize>,
}

impl BitWriter {
    /// A writer without a capacity.
    pub fn new() -> Self {
        Self::default()
    }

    /// A writer that refuses to hold more than `bits` bits.
    pub fn with_capacity(bits: usize) -> Self {
        Self {
            words: Vec::with_capacity(bits.div_ceil(64).min(1 << 20)),
            len: 0,
            capacity: Some(bits),
        }
    }

    /// Clears the message and sets a new capacity (`None` for unlimited), keeping the buffer.
    pub fn reset(&mut self, capacity: Option<usize>) {
        self.words.clear();
        self.len = 0;
        self.capacity = capacity;
    }

    /// The capacity, if any.
    pub fn capacity(&self) -> Option<usize> {
        self.capacity
    }

    /// Bits written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bits that can still be written (`usize::MAX` without a capacity).
    pub fn remaining(&self) -> usize {
        match self.capacity {
            Some(c) => c.saturating_sub(self.len),
            None => usize::MAX - self.len,
        }
    }

    /// Succeeds if `bits` more bits fit under the capacity. Codes call this before a
    /// multi-field write so that a failure leaves the message unchanged.
    pub fn ensure_room(&self, bits: usize) -> Result<(), CodecError> {
        let remaining = self.remaining();
        if bits > remaining {
            Err(CodecError::BudgetExceeded {
                requested: bits,
                remaining,
            })
        } else {
            Ok(())
        }
    }

    /// Like [`BitWriter::ensure_room`], and also reserves the memory for `bits` more bits, so
    /// that a huge write without a capacity fails with [`CodecError::OutOfMemory`] instead of
    /// aborting the process.
    pub(crate) fn make_room(&mut self, bits: usize) -> Result<(), CodecError> {
        self.ensure_room(bits)?;
        let needed = (self.len + bits).div_ceil(64) - self.words.len();
        self.words
            .try_reserve(needed)
            .map_err(|_| CodecError::OutOfMemory { requested: bits })
    }

    /// Appends the low `width` bits of `value` (least significant first). `width` may be 0..=64;
    /// `value` must fit in `width` bits.
    #[inline]
    pub fn write_bits(&mut self, value: u64, width: u32) -> Result<(), CodecError> {
        check_width::<u64>(width)?;
        if width < 64 && (value >> width) != 0 {
            return Err(CodecError::ValueTooWide { value, width });
        }
        self.ensure_room(width as usize)?;
        self.push_unchecked(value, width);
        Ok(())
    }

    /// Appends one bit.
    #[inline]
    pub fn write_bit(&mut self, bit: bool) -> Result<(), CodecError> {
        self.write_bits(u64::from(bit), 1)
    }

    /// Appends `values.len()` fields of `width` bits each (`width <= 64`), all or nothing.
    ///
    /// This is the fast path for fixed-width codes: widths, values and room are checked once
    /// for the whole slice, then the fields are packed a 64-bit word at a time. The values may
    /// be `u8`, `u16`, `u32` or `u64` (see [`Field`]); each must fit in `width` bits.
    ///
    /// ```
    /// use bitcodec::BitWriter;
    /// let mut w = BitWriter::with_capacity(64);
    /// w.write_fields(&[5u16, 0, 7, 1], 3)?;
    /// assert_eq!(w.len(), 12);
    /// assert!(w.write_fields(&[0u32; 27], 2).is_err()); // 12 + 54 > 64: nothing written
    /// assert_eq!(w.len(), 12);
    /// # Ok::<(), bitcodec::CodecError>(())
    /// ```
    pub fn write_fields<T: Field>(&mut self, values: &[T], width: u32) -> Result<(), CodecError> {
        check_width::<u64>(width)?;
        check_values_fit(values, width)?;
        let bits = values.len().saturating_mul(width as usize);
        self.make_room(bits)?;
        if bits == 0 {
            return Ok(());
        }
        let start = self.len;
        self.words.resize((start + bits).div_ceil(64), 0);
        if let Some(dst) = self.words.get_mut(start / 64..) {
            pack(values, width, dst, (start % 64) as u32);
        }
        self.len = start + bits;
        Ok(())
    }

    /// Appends whole 64-bit words, all or nothing: the same message as `write_bits(w, 64)` for
    /// each word in order, with one capacity check.
    ///
    /// This is the bulk path for encoders that pack their fields into words themselves: when
    /// the message ends on a word boundary the words are copied as a block, otherwise each is
    /// split across two words with two shifts.
    ///
    /// ```
    /// use bitcodec::BitWriter;
    /// let mut w = BitWriter::with_capacity(3 + 128);
    /// w.write_bits(0b101, 3)?;
    /// w.write_words(&[u64::MAX, 7])?;
    /// assert!(w.write_words(&[0]).is_err()); // past the capacity, and nothing written
    /// let msg = w.finish();
    /// let mut r = msg.reader();
    /// assert_eq!((r.read_bits(3)?, r.read_bits(64)?, r.read_bits(64)?), (0b101, u64::MAX, 7));
    /// # Ok::<(), bitcodec::CodecError>(())
    /// ```
    pub fn write_words(&mut self, words: &[u64]) -> Result<(), CodecError> {
        let bits = words.len().saturating_mul(64);
        self.make_room(bits)?;
        let offset = (self.len % 64) as u32;
        if offset == 0 {
            self.words.extend_from_slice(words);
        } else if let Some(&last) = words.last() {
            // The partial last word holds `offset` bits; word j of the output is the low bits
            // of `words[j]` above the high bits of the word before it (or of the partial word).
            let partial = self.words.pop().unwrap_or(0);
            let down = 64 - offset;
            let previous = std::iter::once(partial << down).chain(words.iter().copied());
            self.words.reserve(words.len() + 1);
            self.words.extend(
                words
                    .iter()
                    .zip(previous)
                    .map(|(&w, prev)| (w << offset) | (prev >> down)),
            );
            self.words.push(last >> down);
        }
        self.len += bits;
        Ok(())
    }

    /// Shortens the message to its first `len` bits; a longer `len` changes nothing.
    ///
    /// Encoders that validate their input while they write use this to take back a partial
    /// message, so that a refused input still leaves the message as it was.
    ///
    /// ```
    /// use bitcodec::BitWriter;
    /// let mut w = BitWriter::new();
    /// w.write_bits(0b1011, 4)?;
    /// w.write_words(&[42, 43])?;
    /// w.truncate(4);
    /// assert_eq!(w.len(), 4);
    /// assert_eq!(w.as_words(), &[0b1011]);
    /// # Ok::<(), bitcodec::CodecError>(())
    /// ```
    pub fn truncate(&mut self, len: usize) {
        if len < self.len {
            self.words.truncate(len.div_ceil(64));
            mask_tail(&mut self.words, len);
            self.len = len;
        }
    }

    /// Appends every bit of another message, all or nothing.
    pub fn write_bitstring(&mut self, other: &BitString) -> Result<(), CodecError> {
        self.make_room(other.len())?;
        let full = other.len() / 64;
        let (head, tail) = other.as_words().split_at(full.min(other.as_words().len()));
        // Whole words go through the packing kernel; the last partial word is one push.
        let start = self.len;
        let head_bits = full * 64;
        if head_bits > 0 {
            self.words.resize((start + head_bits).div_ceil(64), 0);
            if let Some(dst) = self.words.get_mut(start / 64..) {
                pack(head, 64, dst, (start % 64) as u32);
            }
            self.len = start + head_bits;
        }
        if let Some(&last) = tail.first() {
            self.push_unchecked(last, (other.len() % 64) as u32);
        }
        Ok(())
    }

    /// Writes `value` (which must fit in `width` bits) without checking the capacity.
    /// Callers have already checked the room with [`BitWriter::ensure_room`].
    #[inline]
    pub(crate) fn push_unchecked(&mut self, value: u64, width: u32) {
        if width == 0 {
            return;
        }
        let offset = (self.len % 64) as u32;
        if offset == 0 {
            self.words.push(value);
        } else if let Some(last) = self.words.last_mut() {
            *last |= value << offset;
            if offset + width > 64 {
                self.words.push(value >> (64 - offset));
            }
        }
        self.len += width as usize;
    }

    /// A copy of the message written so far.
    pub fn to_bitstring(&self) -> BitString {
        let mut words = self.words.clone();
        mask_tail(&mut words, self.len);
        BitString {
            words,
            len: self.len,
        }
    }

    /// Ends writing and returns the message.
    pub fn finish(self) -> BitString {
        BitString {
            words: self.words,
            len: self.len,
        }
    }

    /// The packed words written so far (bits past `len()` are zero).
    pub fn as_words(&self) -> &[u64] {
        &self.words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message of `prefix` bits followed by `words` through `write_bits(w, 64)`.
    fn by_fields(prefix: u32, words: &[u64]) -> BitString {
        let mut w = BitWriter::new();
        w.write_bits(0x5A5A_5A5A_5A5A_5A5A & ((1u64 << prefix) - 1), prefix)
            .unwrap_or_default();
        for &x in words {
            w.write_bits(x, 64).unwrap_or_default();
        }
        w.finish()
    }

    fn words(n: usize) -> Vec<u64> {
        (0..n as u64)
            .map(|i| (i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i << 7))
            .collect()
    }

    #[test]
    fn write_words_matches_64_bit_fields_at_every_offset() {
        for prefix in 0..64 {
            for n in [0, 1, 2, 5] {
                let ws = words(n);
                let mut w = BitWriter::new();
                w.write_bits(0x5A5A_5A5A_5A5A_5A5A & ((1u64 << prefix) - 1), prefix)
                    .unwrap_or_default();
                assert_eq!(w.write_words(&ws), Ok(()));
                assert_eq!(
                    w.finish(),
                    by_fields(prefix, &ws),
                    "prefix {prefix}, {n} words"
                );
            }
        }
    }

    #[test]
    fn write_words_past_the_capacity_writes_nothing() {
        let mut w = BitWriter::with_capacity(3 + 127);
        assert_eq!(w.write_bits(0b101, 3), Ok(()));
        assert_eq!(
            w.write_words(&[1, 2]),
            Err(CodecError::BudgetExceeded {
                requested: 128,
                remaining: 127
            })
        );
        assert_eq!((w.len(), w.as_words()), (3, &[0b101u64][..]));
    }

    #[test]
    fn truncate_restores_an_earlier_message() {
        for keep in [0, 3, 64, 70, 128] {
            let ws = words(3);
            let mut w = BitWriter::new();
            w.write_bits(0b110, 3).unwrap_or_default();
            w.write_words(&ws).unwrap_or_default();
            let mut reference = BitWriter::new();
            reference.write_bits(0b110, 3).unwrap_or_default();
            reference.write_words(&ws).unwrap_or_default();
            w.truncate(keep);
            let expected = reference.to_bitstring();
            let expected = BitString::from_words(expected.as_words().to_vec(), keep);
            assert_eq!(Ok(w.to_bitstring()), expected, "keep {keep}");
            // Writing after a truncation continues from the shorter message.
            assert_eq!(w.write_bits(1, 1), Ok(()));
            assert_eq!(w.len(), keep + 1);
        }
    }

    #[test]
    fn truncate_to_a_longer_length_changes_nothing() {
        let mut w = BitWriter::new();
        w.write_bits(0b11, 2).unwrap_or_default();
        w.truncate(10);
        assert_eq!((w.len(), w.as_words()), (2, &[0b11u64][..]));
    }
}
