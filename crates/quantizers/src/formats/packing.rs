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

/// Up to 16 codes of 4 bits (in the low bits of each byte) as one word, the first lowest:
/// pairs of codes make bytes, bytes make the word.
#[inline]
pub(crate) fn pack_nibbles(codes: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    for (b, pair) in bytes.iter_mut().zip(codes.chunks(2)) {
        let lo = pair.first().copied().unwrap_or(0) & 0xF;
        let hi = pair.get(1).copied().unwrap_or(0) & 0xF;
        *b = lo | (hi << 4);
    }
    u64::from_le_bytes(bytes)
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

/// Up to 32 codes of 4 bits into `ceil(len / 2)` bytes, two per byte, the first lowest.
#[inline]
pub(crate) fn nibbles_into(codes: &[u8], bytes: &mut [u8]) {
    for (b, pair) in bytes.iter_mut().zip(codes.chunks(2)) {
        let lo = pair.first().copied().unwrap_or(0) & 0xF;
        let hi = pair.get(1).copied().unwrap_or(0) & 0xF;
        *b = lo | (hi << 4);
    }
}

/// Words buffered before a bulk write.
const SINK_WORDS: usize = 64;

/// Collects bit fields of up to 64 bits into whole words and hands them to the writer
/// [`SINK_WORDS`] at a time ([`BitWriter::write_words`]); the same message as one
/// `write_bits` per field.
pub(crate) struct WordSink<'w> {
    out: &'w mut BitWriter,
    buf: [u64; SINK_WORDS],
    full: usize,
    acc: u64,
    bits: u32,
}

impl<'w> WordSink<'w> {
    /// A sink appending to `out`.
    pub(crate) fn new(out: &'w mut BitWriter) -> Self {
        Self {
            out,
            buf: [0; SINK_WORDS],
            full: 0,
            acc: 0,
            bits: 0,
        }
    }

    /// Appends the low `width` bits of `value` (`1..=64`; `value` fits in them).
    #[inline]
    pub(crate) fn push(&mut self, value: u64, width: u32) -> Result<(), CodecError> {
        if self.bits == 0 {
            if width == 64 {
                return self.store(value);
            }
            self.acc = value;
            self.bits = width;
            return Ok(());
        }
        self.acc |= value << self.bits;
        let total = self.bits + width;
        if total >= 64 {
            let word = self.acc;
            self.acc = value >> (64 - self.bits);
            self.bits = total - 64;
            self.store(word)?;
        } else {
            self.bits = total;
        }
        Ok(())
    }

    #[inline]
    fn store(&mut self, word: u64) -> Result<(), CodecError> {
        if let Some(slot) = self.buf.get_mut(self.full) {
            *slot = word;
            self.full += 1;
        }
        if self.full == SINK_WORDS {
            self.out.write_words(&self.buf)?;
            self.full = 0;
        }
        Ok(())
    }

    /// Writes everything still buffered.
    pub(crate) fn finish(self) -> Result<(), CodecError> {
        let full = self.buf.get(..self.full).unwrap_or(&[]);
        self.out.write_words(full)?;
        if self.bits > 0 {
            self.out.write_bits(self.acc, self.bits)?;
        }
        Ok(())
    }
}

/// Reads bit fields of up to 64 bits from exactly `total` bits of a message, fetching whole
/// words in bulk ([`BitReader::read_words`]); the same values as one `read_bits` per field.
pub(crate) struct WordSource<'r, 'a> {
    bits: &'r mut BitReader<'a>,
    /// Bits of the message not yet fetched.
    unfetched: usize,
    buf: [u64; SINK_WORDS],
    next: usize,
    filled: usize,
    acc: u64,
    avail: u32,
}

impl<'r, 'a> WordSource<'r, 'a> {
    /// A source of the next `total` bits of `bits`.
    pub(crate) fn new(bits: &'r mut BitReader<'a>, total: usize) -> Self {
        Self {
            bits,
            unfetched: total,
            buf: [0; SINK_WORDS],
            next: 0,
            filled: 0,
            acc: 0,
            avail: 0,
        }
    }

    /// The next word of the message, or the last partial one (`(word, bits in it)`).
    #[inline]
    fn fetch(&mut self) -> Result<(u64, u32), CodecError> {
        if self.next == self.filled {
            let words = (self.unfetched / 64).min(SINK_WORDS);
            if words == 0 {
                let n = self.unfetched as u32;
                let w = self.bits.read_bits(n.min(64))?;
                self.unfetched = 0;
                return Ok((w, n.min(64)));
            }
            let buf = self.buf.get_mut(..words).unwrap_or(&mut []);
            self.bits.read_words(buf)?;
            self.unfetched -= words * 64;
            self.next = 0;
            self.filled = words;
        }
        let w = self.buf.get(self.next).copied().unwrap_or(0);
        self.next += 1;
        Ok((w, 64))
    }

    /// The next `width` bits (`1..=64`).
    #[inline]
    pub(crate) fn pull(&mut self, width: u32) -> Result<u64, CodecError> {
        if self.avail >= width {
            let v = if width == 64 {
                self.acc
            } else {
                self.acc & ((1u64 << width) - 1)
            };
            self.acc = if width == 64 { 0 } else { self.acc >> width };
            self.avail -= width;
            return Ok(v);
        }
        let (w, n) = self.fetch()?;
        let have = self.avail;
        let need = width - have;
        if n < need {
            return Err(CodecError::UnexpectedEnd {
                requested: width as usize,
                remaining: (have + n) as usize,
            });
        }
        // `have < width <= 64`, so `have < 64`.
        let low = self.acc;
        let v = low | if have == 0 { w } else { w << have };
        let v = if width == 64 {
            v
        } else {
            v & ((1u64 << width) - 1)
        };
        self.acc = if need == 64 { 0 } else { w >> need };
        self.avail = n - need;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<(u64, u32)> {
        (0..500u64)
            .map(|i| {
                let width = [1u32, 4, 8, 64, 13, 64, 32, 7][(i % 8) as usize];
                let v = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
                let v = if width == 64 {
                    v
                } else {
                    v & ((1 << width) - 1)
                };
                (v, width)
            })
            .collect()
    }

    #[test]
    fn the_sink_writes_what_write_bits_would() {
        for prefix in [0u32, 5, 63] {
            let mut reference = BitWriter::new();
            let mut fast = BitWriter::new();
            for w in [&mut reference, &mut fast] {
                w.write_bits(0, prefix).unwrap_or_default();
            }
            let mut sink = WordSink::new(&mut fast);
            for (v, width) in fields() {
                reference.write_bits(v, width).unwrap_or_default();
                assert_eq!(sink.push(v, width), Ok(()));
            }
            assert_eq!(sink.finish(), Ok(()));
            assert_eq!(fast.finish(), reference.finish(), "prefix {prefix}");
        }
    }

    #[test]
    fn the_source_reads_what_read_bits_would() {
        let mut w = BitWriter::new();
        w.write_bits(0b101, 3).unwrap_or_default();
        let fields = fields();
        for &(v, width) in &fields {
            w.write_bits(v, width).unwrap_or_default();
        }
        let msg = w.finish();
        let total: usize = fields.iter().map(|&(_, w)| w as usize).sum();
        let mut r = msg.reader();
        r.read_bits(3).unwrap_or_default();
        let mut src = WordSource::new(&mut r, total);
        for &(v, width) in &fields {
            assert_eq!(src.pull(width), Ok(v));
        }
        assert!(src.pull(1).is_err());
        assert!(r.is_exhausted());
    }
}
