//! [`BitWriter`]: appends bits to a message, refusing to pass its capacity.

use crate::bitstring::mask_tail;
use crate::{BitString, CodecError};

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

    /// Appends the low `width` bits of `value` (least significant first). `width` may be 0..=64;
    /// `value` must fit in `width` bits.
    #[inline]
    pub fn write_bits(&mut self, value: u64, width: u32) -> Result<(), CodecError> {
        if width > 64 {
            return Err(CodecError::InvalidWidth(width));
        }
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

    /// Appends `values.len()` fields of `width` bits each, all or nothing.
    ///
    /// This is the fast path for fixed-width codes: one capacity check for the whole slice.
    pub fn write_fields(&mut self, values: &[u64], width: u32) -> Result<(), CodecError> {
        if width > 64 {
            return Err(CodecError::InvalidWidth(width));
        }
        if width < 64
            && let Some(&bad) = values.iter().find(|&&v| (v >> width) != 0)
        {
            return Err(CodecError::ValueTooWide { value: bad, width });
        }
        self.ensure_room(values.len().saturating_mul(width as usize))?;
        self.words
            .reserve((values.len() * width as usize).div_ceil(64) + 1);
        for &v in values {
            self.push_unchecked(v, width);
        }
        Ok(())
    }

    /// Appends every bit of another message.
    pub fn write_bitstring(&mut self, other: &BitString) -> Result<(), CodecError> {
        self.ensure_room(other.len())?;
        let mut left = other.len();
        for &w in other.as_words() {
            let width = left.min(64) as u32;
            self.push_unchecked(w, width);
            left -= width as usize;
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
