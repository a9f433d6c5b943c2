//! Uniform symbols: one symbol of an alphabet of size `n` in exactly `ceil(log2 n)` bits.

use crate::{BitReader, BitWriter, CodecError};

/// The number of bits of a uniform code over `n` symbols: `ceil(log2 n)` (0 for `n = 1`).
pub fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// One symbol of `{0, ..., n-1}` in `ceil(log2 n)` bits.
///
/// The decoder rejects the `2^len - n` bit patterns that name no symbol.
///
/// ```
/// use bitcodec::{BitWriter, Uniform};
/// let code = Uniform::new(5)?; // 3 bits
/// let mut w = BitWriter::new();
/// code.encode(&mut w, 4)?;
/// assert_eq!(code.len(), 3);
/// assert_eq!(code.decode(&mut w.finish().reader())?, 4);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uniform {
    n: u64,
    width: u32,
}

impl Uniform {
    /// A code for an alphabet of `n >= 1` symbols.
    pub fn new(n: u64) -> Result<Self, CodecError> {
        if n == 0 {
            return Err(CodecError::InvalidParameter(
                "uniform code needs an alphabet of at least one symbol".into(),
            ));
        }
        Ok(Self {
            n,
            width: ceil_log2(n),
        })
    }

    /// The alphabet size.
    pub fn alphabet(&self) -> u64 {
        self.n
    }

    /// The exact length of every codeword: `ceil(log2 n)`.
    pub fn len(&self) -> usize {
        self.width as usize
    }

    /// Whether codewords are empty (`n = 1`).
    pub fn is_empty(&self) -> bool {
        self.width == 0
    }

    /// Writes `symbol < n`.
    pub fn encode(&self, w: &mut BitWriter, symbol: u64) -> Result<(), CodecError> {
        if symbol >= self.n {
            return Err(CodecError::SymbolOutOfRange {
                symbol,
                alphabet: self.n,
            });
        }
        w.write_bits(symbol, self.width)
    }

    /// Reads one symbol; a pattern `>= n` is an invalid codeword.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<u64, CodecError> {
        let v = r.read_bits(self.width)?;
        if v >= self.n {
            return Err(CodecError::InvalidCodeword(
                "uniform symbol past the alphabet",
            ));
        }
        Ok(v)
    }
}
