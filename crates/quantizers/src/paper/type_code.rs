//! The code of SimQ+'s message body: the type (count vector) of `k` draws over `n` symbols.
//!
//! There are `C(n + k - 1, k)` types. Two coders sit behind [`TypeCode`], chosen by a
//! deterministic function of `(n, k)` that the decoder evaluates too:
//!
//! - `ceil(log2 C) <= EXACT_TYPE_BITS`, and the exact code is practical (its rank walk, which
//!   is linear in `n + k`, stays within `bitcodec`'s work limit): [`bitcodec::MultisetCode`],
//!   exactly `ceil(log2 C)` bits (combinatorial number system on big integers);
//! - otherwise [`bitcodec::TypeRangeCode`], at most `ceil(log2 C) + 2` bits (a range code
//!   of the exact sequential distribution of the counts), in `O(n + k)` word operations.
//!
//! The exact code's rank walks `O(n + k)` big-integer steps on numbers of `ceil(log2 C)`
//! bits, so its cost relative to the range code grows with `log2 C`. Measured (release
//! build, encode and decode of a random type): 7-9x the range code's time at 125-250
//! bits, 10-15x at 508 bits (6-13x for `d = 2^16`, `k = 16..64`), 23x at 1019, 33x at
//! 2043 and 150x at 8186 bits; the range code is faster at every size. The threshold
//! [`EXACT_TYPE_BITS`] `= 512` keeps the exact code while it costs at most about fifteen
//! times as much; above it, the one or two bits it saves are less than 0.4% of the type.

use bitcodec::{BitReader, BitString, BitWriter, MultisetCode, TypeRangeCode};

use crate::QuantError;

/// Types of up to this many bits (`ceil(log2 C(n + k - 1, k))`) are coded exactly; larger
/// ones by the range code.
pub const EXACT_TYPE_BITS: usize = 512;

/// The type of `k` draws over `n` symbols, written and read as a count vector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TypeCode {
    /// `ceil(log2 C)` bits exactly.
    Exact(MultisetCode),
    /// At most `ceil(log2 C) + 2` bits.
    Range(TypeRangeCode),
}

impl TypeCode {
    /// The code for `draws` draws over `symbols` symbols.
    pub(crate) fn new(symbols: u64, draws: u64) -> Result<Self, QuantError> {
        // The range code's bound is ceil(log2 C) + 2, exact (from big integers) below
        // 2^4096, so this is the documented rule; only then are big integers built.
        let range = TypeRangeCode::new(symbols, draws)?;
        if range.max_len() <= EXACT_TYPE_BITS + 2 {
            // A short type over a huge alphabet (k draws among 2^36 symbols) is still too
            // slow for the exact code, which refuses it; the range code takes it then.
            if let Ok(exact) = MultisetCode::new(symbols, draws) {
                return Ok(Self::Exact(exact));
            }
        }
        Ok(Self::Range(range))
    }

    /// Whether this is the exact code.
    pub(crate) fn is_exact(&self) -> bool {
        matches!(self, Self::Exact(_))
    }

    /// The most bits of any type: `ceil(log2 C)` (exact) or `ceil(log2 C) + 2` (range).
    pub(crate) fn max_len(&self) -> usize {
        match self {
            Self::Exact(code) => code.len(),
            Self::Range(code) => code.max_len(),
        }
    }

    /// The codeword of a count vector of length `n` summing to `k`.
    pub(crate) fn encode(&self, counts: &[u64]) -> Result<BitString, QuantError> {
        let mut w = BitWriter::new();
        match self {
            Self::Exact(code) => code.encode_counts(&mut w, counts)?,
            Self::Range(code) => code.encode_counts(&mut w, counts)?,
        }
        Ok(w.finish())
    }

    /// Reads a type into `counts` (length `n`).
    pub(crate) fn decode(
        &self,
        r: &mut BitReader<'_>,
        counts: &mut [u64],
    ) -> Result<(), QuantError> {
        match self {
            Self::Exact(code) => code.decode_counts(r, counts)?,
            Self::Range(code) => code.decode_counts(r, counts)?,
        }
        Ok(())
    }
}
