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

/// A code of 8 or 16 bits, packed `64 / BITS` to a word with the first code lowest (the
/// layout of consecutive `write_bits(code, BITS)` calls).
pub(crate) trait LaneCode: Copy + Default + 'static {
    /// Bits per code.
    const BITS: u32;
    /// Codes per word.
    const PER_WORD: usize = (64 / Self::BITS) as usize;
    /// `0x0101…01` for the code width: one in the lowest bit of every lane.
    const LANES: u64;

    /// The code as an integer.
    fn to_u64(self) -> u64;

    /// Exactly [`LaneCode::PER_WORD`] codes as one word (a plain load on little-endian
    /// machines); fewer give `0`.
    fn pack_exact(codes: &[Self]) -> u64;

    /// The [`LaneCode::PER_WORD`] codes of a word, first lowest (the rest of the array is 0).
    fn lanes(w: u64) -> [u32; 8];

    /// Codes into whole words (as many as both hold): the bulk form of [`LaneCode::pack`].
    #[inline]
    fn pack_words(codes: &[Self], words: &mut [u64]) -> usize {
        let mut n = 0;
        for (w, group) in words.iter_mut().zip(codes.chunks_exact(Self::PER_WORD)) {
            *w = Self::pack_exact(group);
            n += 1;
        }
        n
    }

    /// Up to [`LaneCode::PER_WORD`] codes as one word.
    #[inline]
    fn pack(codes: &[Self]) -> u64 {
        codes
            .iter()
            .enumerate()
            .fold(0, |w, (i, c)| w | (c.to_u64() << (i as u32 * Self::BITS)))
    }

    /// Whether a lane of `word` holds a magnitude (code without its sign bit) above
    /// `max_mag`, tested on all lanes at once: `(lane & 0x7F…) + (0x7F… - max_mag)` sets a lane's
    /// top bit exactly then, and never carries into the next lane.
    #[inline]
    fn any_above(word: u64, max_mag: u64) -> bool {
        let mag_mask = Self::LANES * ((1u64 << (Self::BITS - 1)) - 1);
        let top = Self::LANES << (Self::BITS - 1);
        let bias = Self::LANES * (((1u64 << (Self::BITS - 1)) - 1) - max_mag);
        ((word & mag_mask) + bias) & top != 0
    }
}

impl LaneCode for u8 {
    const BITS: u32 = 8;
    const LANES: u64 = 0x0101_0101_0101_0101;
    #[inline]
    fn to_u64(self) -> u64 {
        u64::from(self)
    }
    #[inline]
    fn pack_exact(codes: &[Self]) -> u64 {
        codes.try_into().map_or(0, u64::from_le_bytes)
    }
    #[inline]
    fn lanes(w: u64) -> [u32; 8] {
        w.to_le_bytes().map(u32::from)
    }
}

impl LaneCode for u16 {
    const BITS: u32 = 16;
    const LANES: u64 = 0x0001_0001_0001_0001;
    #[inline]
    fn to_u64(self) -> u64 {
        u64::from(self)
    }
    #[inline]
    fn pack_exact(codes: &[Self]) -> u64 {
        let mut bytes = [0u8; 8];
        for (b, c) in bytes.chunks_exact_mut(2).zip(codes) {
            b.copy_from_slice(&c.to_le_bytes());
        }
        u64::from_le_bytes(bytes)
    }
    #[inline]
    fn lanes(w: u64) -> [u32; 8] {
        let h = |j: u32| ((w >> (16 * j)) & 0xFFFF) as u32;
        [h(0), h(1), h(2), h(3), 0, 0, 0, 0]
    }
}

/// Writes the first `bits` bits of `bytes` (bit `i` of the message is bit `i % 8` of byte
/// `i / 8`; bits of `bytes` past `bits` are zero): whole words in one bulk write through the
/// scratch `words`, then the rest as one field. Block formats whose blocks are whole bytes
/// (MXFP4: 17 bytes per 32 elements, NVFP4: 9 per 16) assemble groups of blocks this way.
pub(crate) fn write_bytes(
    bytes: &[u8],
    bits: usize,
    words: &mut [u64],
    out: &mut BitWriter,
) -> Result<(), CodecError> {
    let mut n = 0;
    for (w, b) in words.iter_mut().zip(bytes.chunks_exact(8)).take(bits / 64) {
        *w = b.try_into().map_or(0, u64::from_le_bytes);
        n += 1;
    }
    out.write_words(words.get(..n).unwrap_or(&[]))?;
    let rest = (bits - n * 64) as u32;
    if rest > 0 {
        let mut last = [0u8; 8];
        let tail = bytes.get(n * 8..).unwrap_or(&[]);
        for (d, s) in last.iter_mut().zip(tail) {
            *d = *s;
        }
        let word = u64::from_le_bytes(last) & ((1u64 << rest) - 1);
        out.write_bits(word, rest)?;
    }
    Ok(())
}

/// Reads the next `bits` bits into `bytes` (the inverse of [`write_bytes`]; bytes past them
/// are zero): whole words in one bulk read through the scratch `words`, then the rest.
pub(crate) fn read_bytes(
    bits: &mut BitReader<'_>,
    count: usize,
    words: &mut [u64],
    bytes: &mut [u8],
) -> Result<(), CodecError> {
    let whole = (count / 64).min(words.len());
    let ws = words.get_mut(..whole).unwrap_or(&mut []);
    bits.read_words(ws)?;
    let rest = (count - whole * 64).min(64) as u32;
    let last = if rest > 0 { bits.read_bits(rest)? } else { 0 };
    let all = ws.iter().copied().chain(std::iter::once(last));
    for (b, w) in bytes.chunks_mut(8).zip(all) {
        for (d, s) in b.iter_mut().zip(w.to_le_bytes()) {
            *d = s;
        }
    }
    Ok(())
}

/// The values of codes of 4 bits, two per byte (first lowest), looked up in `values`.
#[inline]
pub(crate) fn expand_nibbles(bytes: &[u8], values: &[f64; 16], out: &mut [f64]) {
    let half = out.len() / 2;
    let mut pairs = out.chunks_exact_mut(2);
    for (pair, &b) in pairs.by_ref().zip(bytes) {
        pair[0] = values[usize::from(b & 0xF)];
        pair[1] = values[usize::from(b >> 4)];
    }
    let rest = pairs.into_remainder();
    if let (Some(o), Some(&b)) = (rest.first_mut(), bytes.get(half)) {
        *o = values[usize::from(b & 0xF)];
    }
}

/// Up to 32 codes of 4 bits into `ceil(len / 2)` bytes, two per byte, the first lowest.
#[inline]
pub(crate) fn nibbles_into(codes: &[u8], bytes: &mut [u8]) {
    for (b, pair) in bytes.iter_mut().zip(codes.chunks(2)) {
        let lo = pair.first().copied().unwrap_or(0) & 0xF;
        let hi = pair.get(1).copied().unwrap_or(0) & 0xF;
        *b = lo | (hi << 4);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_written_and_read_back_match_fields_at_any_offset() {
        // 17 bytes per block as MXFP4 lays them out, 3 blocks and a partial one.
        let bytes: Vec<u8> = (0..60u8).map(|i| i.wrapping_mul(37)).collect();
        let bits = 59 * 8 + 4;
        let mut padded = bytes.clone();
        padded[59] &= 0x0F;
        padded.resize(64, 0);
        for prefix in [0u32, 3, 32] {
            let mut fast = BitWriter::new();
            let mut reference = BitWriter::new();
            for w in [&mut fast, &mut reference] {
                w.write_bits(0b101 & ((1 << prefix) - 1), prefix)
                    .unwrap_or_default();
            }
            let mut words = [0u64; 8];
            assert_eq!(write_bytes(&padded, bits, &mut words, &mut fast), Ok(()));
            for (i, &b) in padded.iter().enumerate().take(60) {
                let width = if i == 59 { 4 } else { 8 };
                reference
                    .write_bits(u64::from(b), width)
                    .unwrap_or_default();
            }
            let msg = fast.finish();
            assert_eq!(msg, reference.finish(), "prefix {prefix}");
            let mut r = msg.reader();
            r.read_bits(prefix).unwrap_or_default();
            let mut back = [0xAAu8; 64];
            assert_eq!(read_bytes(&mut r, bits, &mut words, &mut back), Ok(()));
            assert_eq!(&back[..], &padded[..]);
            assert!(r.is_exhausted());
        }
    }

    #[test]
    fn nibbles_expand_to_their_values_in_order() {
        let values: [f64; 16] = std::array::from_fn(|i| i as f64);
        let codes = [3u8, 15, 0, 7, 9];
        let mut bytes = [0u8; 3];
        nibbles_into(&codes, &mut bytes);
        assert_eq!(bytes, [0xF3, 0x70, 0x09]);
        let mut out = [0.0; 5];
        expand_nibbles(&bytes, &values, &mut out);
        assert_eq!(out, [3.0, 15.0, 0.0, 7.0, 9.0]);
    }
}
