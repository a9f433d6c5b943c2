//! Uniform symbols: one symbol of an alphabet of size $`n`$ in exactly $`\lceil \log_2 n \rceil`$
//! bits.

use crate::{BitReader, BitWriter, CodecError, Field};

/// The number of bits of a uniform code over $`n`$ symbols: $`\lceil \log_2 n \rceil`$ (0 for
/// $`n = 1`$).
pub fn ceil_log2(n: u64) -> u32 {
    if n <= 1 {
        0
    } else {
        64 - (n - 1).leading_zeros()
    }
}

/// One symbol of $`\{0, \dots, n-1\}`$ in $`\lceil \log_2 n \rceil`$ bits.
///
/// The decoder rejects the $`2^{\lceil \log_2 n \rceil} - n`$ bit patterns that name no symbol.
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
    /// A code for an alphabet of $`n \ge 1`$ symbols.
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

    /// The exact length of every codeword: $`\lceil \log_2 n \rceil`$.
    pub fn len(&self) -> usize {
        self.width as usize
    }

    /// Whether codewords are empty ($`n = 1`$).
    pub fn is_empty(&self) -> bool {
        self.width == 0
    }

    /// Writes `symbol` $`< n`$.
    pub fn encode(&self, w: &mut BitWriter, symbol: u64) -> Result<(), CodecError> {
        if symbol >= self.n {
            return Err(CodecError::SymbolOutOfRange {
                symbol,
                alphabet: self.n,
            });
        }
        w.write_bits(symbol, self.width)
    }

    /// Reads one symbol; a pattern $`\ge n`$ is an invalid codeword (and the reader does not move).
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<u64, CodecError> {
        r.rewind_on_error(|r| {
            let v = r.read_bits(self.width)?;
            if v >= self.n {
                return Err(CodecError::InvalidCodeword(
                    "uniform symbol past the alphabet",
                ));
            }
            Ok(v)
        })
    }

    /// Writes every symbol of `symbols` (each $`< n`$), all or nothing, through the word-packing
    /// fast path [`BitWriter::write_fields`]: $`m \lceil \log_2 n \rceil`$ bits for $`m`$
    /// symbols.
    pub fn encode_all<T: Field>(&self, w: &mut BitWriter, symbols: &[T]) -> Result<(), CodecError> {
        let n = self.n;
        if let Some(symbol) = symbols.iter().map(|s| s.to_u64()).find(|&s| s >= n) {
            return Err(CodecError::SymbolOutOfRange {
                symbol,
                alphabet: n,
            });
        }
        w.write_fields(symbols, self.width)
    }

    /// Reads `out.len()` symbols. On error (too few bits, or a pattern $`\ge n`$) the reader does
    /// not move and the contents of `out` are unspecified.
    pub fn decode_all<T: Field>(
        &self,
        r: &mut BitReader<'_>,
        out: &mut [T],
    ) -> Result<(), CodecError> {
        r.rewind_on_error(|r| {
            r.read_fields(out, self.width)?;
            if out.iter().any(|s| s.to_u64() >= self.n) {
                return Err(CodecError::InvalidCodeword(
                    "uniform symbol past the alphabet",
                ));
            }
            Ok(())
        })
    }
}
