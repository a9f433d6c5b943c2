//! How a run of level symbols travels: `m` symbols of a `k`-letter alphabet.
//!
//! A `k`-point grid needs `log2 k` bits per coordinate, not the `log2(k + 1)` the papers
//! charge (Appendix A, pitfall 2). The code written is chosen per `k`:
//! - `k = 2^w`: each symbol in `w` bits ([`bitcodec::FixedWidth`] fields), `m w` bits;
//! - otherwise: symbols packed jointly in 64-bit chunks ([`bitcodec::ChunkedRadix`]), fewer
//!   than `ceil(m log2 k) + m/c` bits for `c` symbols per chunk (e.g. `k = 3`: 40 symbols in
//!   64 bits, 1.6 bits per symbol against `log2 3 = 1.585`).
//!
//! Both run in linear time and stream: [`SymbolSink`] and [`SymbolSource`] hold one chunk on
//! the stack, so writing or reading `m` symbols allocates nothing.

use bitcodec::{BitReader, BitWriter, ChunkedRadix};

use crate::QuantError;

/// Symbols per stack buffer; [`ChunkedRadix`] never puts more than 64 in a chunk.
const CHUNK: usize = 64;

/// The code of a run of symbols of one alphabet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SymbolCode {
    /// `k = 2^w`: one `w`-bit field per symbol.
    Fixed(u32),
    /// Any other `k`: chunks of symbols in mixed radix.
    Packed(ChunkedRadix),
}

impl SymbolCode {
    /// The code for an alphabet of `k >= 2` letters.
    pub(crate) fn new(k: u64) -> Result<Self, QuantError> {
        if k < 2 {
            return Err(QuantError::InvalidParameter(format!(
                "a level alphabet needs at least 2 letters, got {k}"
            )));
        }
        if k.is_power_of_two() {
            Ok(SymbolCode::Fixed(k.trailing_zeros()))
        } else {
            Ok(SymbolCode::Packed(ChunkedRadix::new(k)?))
        }
    }

    /// Exact bits of `m` symbols.
    pub(crate) fn len(&self, m: usize) -> usize {
        match self {
            SymbolCode::Fixed(w) => m.saturating_mul(*w as usize),
            SymbolCode::Packed(c) => c.len(m),
        }
    }

    fn per_chunk(&self) -> usize {
        match self {
            SymbolCode::Fixed(_) => 1,
            SymbolCode::Packed(c) => c.symbols_per_chunk().min(CHUNK),
        }
    }

    /// A sink writing symbols to `w`. The caller has checked the room for all of them, so
    /// writes do not fail part-way.
    pub(crate) fn sink<'w>(&self, w: &'w mut BitWriter) -> SymbolSink<'w> {
        SymbolSink {
            code: *self,
            w,
            buf: [0; CHUNK],
            n: 0,
            per: self.per_chunk(),
        }
    }

    /// A source reading `m` symbols from `r`.
    pub(crate) fn source<'r, 'a>(
        &self,
        r: &'r mut BitReader<'a>,
        m: usize,
    ) -> Result<SymbolSource<'r, 'a>, QuantError> {
        r.ensure_available(self.len(m))?;
        Ok(SymbolSource {
            code: *self,
            r,
            buf: [0; CHUNK],
            pos: 0,
            filled: 0,
            left: m,
            per: self.per_chunk(),
        })
    }
}

/// Streams symbols into a writer, one chunk at a time.
pub(crate) struct SymbolSink<'w> {
    code: SymbolCode,
    w: &'w mut BitWriter,
    buf: [u64; CHUNK],
    n: usize,
    per: usize,
}

impl SymbolSink<'_> {
    /// Appends one symbol.
    #[inline]
    pub(crate) fn push(&mut self, symbol: u64) -> Result<(), QuantError> {
        match self.code {
            SymbolCode::Fixed(w) => Ok(self.w.write_bits(symbol, w)?),
            SymbolCode::Packed(_) => {
                if let Some(slot) = self.buf.get_mut(self.n) {
                    *slot = symbol;
                }
                self.n += 1;
                if self.n == self.per {
                    self.flush()?;
                }
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> Result<(), QuantError> {
        if let (SymbolCode::Packed(c), Some(chunk)) = (self.code, self.buf.get(..self.n))
            && !chunk.is_empty()
        {
            c.encode(self.w, chunk)?;
        }
        self.n = 0;
        Ok(())
    }

    /// Writes the last, possibly partial, chunk.
    pub(crate) fn finish(mut self) -> Result<(), QuantError> {
        self.flush()
    }
}

/// Streams `m` symbols out of a reader, one chunk at a time.
pub(crate) struct SymbolSource<'r, 'a> {
    code: SymbolCode,
    r: &'r mut BitReader<'a>,
    buf: [u64; CHUNK],
    pos: usize,
    filled: usize,
    left: usize,
    per: usize,
}

impl SymbolSource<'_, '_> {
    /// The next symbol; an error past the `m` announced or on an invalid chunk.
    #[inline]
    pub(crate) fn next_symbol(&mut self) -> Result<u64, QuantError> {
        if self.pos == self.filled {
            if self.left == 0 {
                return Err(QuantError::Corrupt(
                    "read past the last level symbol".into(),
                ));
            }
            let n = self.left.min(self.per);
            match self.code {
                SymbolCode::Fixed(w) => {
                    if let Some(slot) = self.buf.first_mut() {
                        *slot = self.r.read_bits(w)?;
                    }
                }
                SymbolCode::Packed(c) => {
                    if let Some(chunk) = self.buf.get_mut(..n) {
                        c.decode(self.r, chunk)?;
                    }
                }
            }
            self.left -= n;
            self.pos = 0;
            self.filled = n;
        }
        let s = self.buf.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(k: u64, m: usize) {
        let code = SymbolCode::new(k).unwrap();
        let symbols: Vec<u64> = (0..m as u64).map(|i| (i * 7 + 3) % k).collect();
        let mut w = BitWriter::new();
        let mut sink = code.sink(&mut w);
        for &s in &symbols {
            sink.push(s).unwrap();
        }
        sink.finish().unwrap();
        assert_eq!(w.len(), code.len(m), "k={k} m={m}");
        let msg = w.finish();
        let mut r = msg.reader();
        let mut src = code.source(&mut r, m).unwrap();
        for &s in &symbols {
            assert_eq!(src.next_symbol().unwrap(), s);
        }
        assert!(src.next_symbol().is_err());
        assert!(r.is_exhausted());
    }

    #[test]
    fn streams_round_trip_and_match_the_declared_length() {
        for k in [2, 3, 4, 5, 7, 8, 15, 16, 255, 1 << 20, (1 << 20) + 1] {
            for m in [0, 1, 39, 40, 41, 100, 1000] {
                roundtrip(k, m);
            }
        }
    }

    #[test]
    fn streamed_chunks_equal_one_joint_encoding() {
        let c = ChunkedRadix::new(3).unwrap();
        let symbols: Vec<u64> = (0..100).map(|i| i % 3).collect();
        let mut joint = BitWriter::new();
        c.encode(&mut joint, &symbols).unwrap();
        let mut streamed = BitWriter::new();
        let mut sink = SymbolCode::new(3).unwrap().sink(&mut streamed);
        for &s in &symbols {
            sink.push(s).unwrap();
        }
        sink.finish().unwrap();
        assert_eq!(joint.finish(), streamed.finish());
    }

    #[test]
    fn power_of_two_alphabets_use_fixed_fields() {
        assert_eq!(SymbolCode::new(8).unwrap(), SymbolCode::Fixed(3));
        assert_eq!(SymbolCode::new(3).unwrap().len(40), 64);
        assert!(SymbolCode::new(1).is_err());
    }
}
