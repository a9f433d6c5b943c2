//! Fixed-width codes packed into 64-bit fields, so a message of `n` codes of `w` bits costs
//! about `n w / 64` writer or reader calls instead of `n`.
//!
//! The bit layout is exactly that of `n` consecutive `write_bits(code, w)` calls: the first code
//! occupies the lowest bits.

use bitcodec::{BitReader, BitWriter, CodecError};

/// Buffers codes of `width` bits and writes them a word at a time.
pub(crate) struct CodeWriter<'w> {
    out: &'w mut BitWriter,
    width: u32,
    per_word: u32,
    acc: u64,
    count: u32,
}

impl<'w> CodeWriter<'w> {
    /// A writer of codes of `width` bits (`1..=32`).
    pub(crate) fn new(out: &'w mut BitWriter, width: u32) -> Self {
        Self {
            out,
            width,
            per_word: 64 / width.max(1),
            acc: 0,
            count: 0,
        }
    }

    /// Appends one code (which fits in `width` bits).
    #[inline]
    pub(crate) fn push(&mut self, code: u32) -> Result<(), CodecError> {
        self.acc |= u64::from(code) << (self.count * self.width);
        self.count += 1;
        if self.count == self.per_word {
            self.flush_word()?;
        }
        Ok(())
    }

    #[inline]
    fn flush_word(&mut self) -> Result<(), CodecError> {
        self.out.write_bits(self.acc, self.count * self.width)?;
        self.acc = 0;
        self.count = 0;
        Ok(())
    }

    /// Writes the codes still buffered.
    pub(crate) fn finish(mut self) -> Result<(), CodecError> {
        if self.count > 0 {
            self.flush_word()?;
        }
        Ok(())
    }
}

/// Reads exactly `count` codes of `width` bits, a word at a time.
pub(crate) struct CodeReader<'r, 'a> {
    bits: &'r mut BitReader<'a>,
    width: u32,
    per_word: u32,
    left: usize,
    acc: u64,
    buffered: u32,
}

impl<'r, 'a> CodeReader<'r, 'a> {
    /// A reader of `count` codes of `width` bits (`1..=32`); it never reads past them.
    pub(crate) fn new(bits: &'r mut BitReader<'a>, width: u32, count: usize) -> Self {
        Self {
            bits,
            width,
            per_word: 64 / width.max(1),
            left: count,
            acc: 0,
            buffered: 0,
        }
    }

    /// The next code; past the `count` codes or the end of the message, an error.
    #[inline]
    pub(crate) fn next_code(&mut self) -> Result<u32, CodecError> {
        if self.buffered == 0 {
            if self.left == 0 {
                return Err(CodecError::UnexpectedEnd {
                    requested: self.width as usize,
                    remaining: 0,
                });
            }
            let n = self.left.min(self.per_word as usize) as u32;
            self.acc = self.bits.read_bits(n * self.width)?;
            self.buffered = n;
            self.left -= n as usize;
        }
        let mask = (1u64 << self.width) - 1;
        let code = (self.acc & mask) as u32;
        self.acc >>= self.width;
        self.buffered -= 1;
        Ok(code)
    }
}
