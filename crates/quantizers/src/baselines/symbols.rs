//! Streaming joint packing of per-coordinate symbols with [`ChunkedRadix`].
//!
//! [`ChunkedRadix`] packs `c` symbols of an `n`-letter alphabet per chunk of
//! `ceil(c log2 n) <= 64` bits. Feeding it one full chunk at a time from a stack buffer writes
//! exactly the bits of one call on the whole sequence, so schemes emit symbols as they
//! compute them, with no per-coordinate buffer.

use bitcodec::{BitReader, BitWriter, ChunkedRadix, CodecError};

/// A symbol chunk never exceeds 64 symbols (`n >= 2` and `n^c <= 2^64`).
const MAX_CHUNK: usize = 64;

/// Collects symbols and writes each full chunk.
pub(crate) struct SymbolSink<'w> {
    code: ChunkedRadix,
    buf: [u64; MAX_CHUNK],
    len: usize,
    out: &'w mut BitWriter,
}

impl<'w> SymbolSink<'w> {
    /// A sink writing to `out`; the caller has checked the room for the whole sequence.
    pub(crate) fn new(code: ChunkedRadix, out: &'w mut BitWriter) -> Self {
        Self {
            code,
            buf: [0; MAX_CHUNK],
            len: 0,
            out,
        }
    }

    /// Appends one symbol (below the alphabet size).
    #[inline]
    pub(crate) fn push(&mut self, symbol: u64) -> Result<(), CodecError> {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = symbol;
            self.len += 1;
        }
        if self.len >= self.code.symbols_per_chunk().min(MAX_CHUNK) {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), CodecError> {
        let chunk = self.buf.get(..self.len).unwrap_or(&[]);
        self.code.encode(self.out, chunk)?;
        self.len = 0;
        Ok(())
    }

    /// Writes the last, partial chunk.
    pub(crate) fn finish(mut self) -> Result<(), CodecError> {
        if self.len > 0 {
            self.flush()?;
        }
        Ok(())
    }
}

/// Reads `total` symbols one at a time, a chunk at a time.
pub(crate) struct SymbolSource<'r, 'a> {
    code: ChunkedRadix,
    buf: [u64; MAX_CHUNK],
    pos: usize,
    filled: usize,
    left: usize,
    bits: &'r mut BitReader<'a>,
}

impl<'r, 'a> SymbolSource<'r, 'a> {
    /// A source of `total` symbols from `bits`.
    pub(crate) fn new(code: ChunkedRadix, bits: &'r mut BitReader<'a>, total: usize) -> Self {
        Self {
            code,
            buf: [0; MAX_CHUNK],
            pos: 0,
            filled: 0,
            left: total,
            bits,
        }
    }

    /// The next symbol; reading more than `total` is an error.
    #[inline]
    pub(crate) fn next_symbol(&mut self) -> Result<u64, CodecError> {
        if self.pos == self.filled {
            let n = self.left.min(self.code.symbols_per_chunk()).min(MAX_CHUNK);
            if n == 0 {
                return Err(CodecError::InvalidInput(
                    "symbol source read past its length".into(),
                ));
            }
            let chunk = self.buf.get_mut(..n).unwrap_or(&mut []);
            self.code.decode(self.bits, chunk)?;
            self.left -= n;
            self.filled = n;
            self.pos = 0;
        }
        let s = self.buf.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streaming_writes_the_bits_of_one_call() {
        let code = ChunkedRadix::new(5).unwrap();
        let symbols: Vec<u64> = (0..200).map(|i| (i * 7 % 5) as u64).collect();
        let mut whole = BitWriter::new();
        code.encode(&mut whole, &symbols).unwrap();
        let mut streamed = BitWriter::new();
        let mut sink = SymbolSink::new(code, &mut streamed);
        for &s in &symbols {
            sink.push(s).unwrap();
        }
        sink.finish().unwrap();
        assert_eq!(whole.to_bitstring(), streamed.to_bitstring());
        let msg = streamed.finish();
        let mut r = msg.reader();
        let mut src = SymbolSource::new(code, &mut r, symbols.len());
        for &s in &symbols {
            assert_eq!(src.next_symbol().unwrap(), s);
        }
        assert!(src.next_symbol().is_err());
        assert!(r.is_exhausted());
    }
}
