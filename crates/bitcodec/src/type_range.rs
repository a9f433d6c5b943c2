//! A range (arithmetic) code for types: `k` draws over `n` symbols in at most
//! `ceil(log2 C(n + k - 1, k)) + 2` bits, in `O(n + k)` word operations.
//!
//! A type is a count vector `(c_1, ..., c_n)` with `sum c_i = k`; there are
//! `C(n + k - 1, k)` of them. The uniform distribution over types factorises sequentially:
//! with `m` symbols still to describe and `k'` draws left, the next count is `j` with
//! probability
//!
//! ```text
//! P(j) = C(m - 2 + k' - j, k' - j) / C(m - 1 + k', k'),     j = 0, ..., k',
//! P(0) = (m - 1)/(m - 1 + k'),     P(j + 1)/P(j) = (k' - j)/(m - 2 + k' - j),
//! ```
//!
//! and the last count is determined. Equivalently (stars and bars) a type is a string of
//! `k` stars and `n - 1` bars, uniform over the `C(n + k - 1, k)` arrangements: with `a`
//! stars and `b` bars left the next mark is a star with probability `a/(a + b)`, and the
//! count `c_i = j` is `j` stars then a bar. [`TypeRangeCode`] codes exactly these binary
//! decisions (none once `a = 0` or `b = 0`: the rest is determined) with a 64-bit binary
//! range coder whose splits both sides compute with the same integer operations (from the
//! correctly rounded double `fl(1/(a + b))`). The work per count is `O(1 + c_i)`:
//! `n - 1 + k` decisions at most, no big integers and no allocation per symbol.
//!
//! **Guarantee.** For `n >= 1`, `k >= 0`, `n - 1 + k <= 2^40`, every type is coded in
//! `l` bits with
//!
//! ```text
//! log2 C - delta  <=  l  <=  ceil(log2 C + delta) + 1  <=  ceil(log2 C) + 2,
//! ```
//!
//! with `C = C(n + k - 1, k)` (`l = 0` when `C = 1`), where `delta`
//! ([`TypeRangeCode::loss_bound_bits`]) bounds the coder's finite-precision loss on any
//! type: below `2^-27` bits for `n = k = 2^20`, and below `0.01` bits at the largest size.
//! Proof: the coded probability `P` of any type is within a factor `2^delta` of `1/C` (the
//! precision analysis of the binary coder, summed over the stars and bars), and the
//! termination writes fewer than `-log2 P + 2` bits and at least `-log2 P`; so
//! `l < log2 C + delta + 2`, and `l` is an integer.
//! [`TypeRangeCode::max_len`] is the bound `ceil(log2 C) + 2` itself, for declaring a
//! scheme's cost as "at most".
//!
//! In code: [`TypeRangeCode`]; its decoder reads up to 128 bits past the end of a code
//! without consuming them, so a code can be followed by other fields in the same message.

use crate::log2_binomial::ceil_log2_binomial;
use crate::range_coder::{self, MAX_TOTAL};
use crate::{BitReader, BitString, BitWriter, CodecError};

/// The range code of types of `k` draws over `n` symbols.
///
/// ```
/// use bitcodec::{BitWriter, TypeRangeCode};
/// let code = TypeRangeCode::new(4, 3)?; // C(6, 3) = 20 types: ceil(log2 20) + 2 = 7 bits at most
/// assert_eq!(code.max_len(), 7);
/// let mut w = BitWriter::new();
/// code.encode_counts(&mut w, &[2, 0, 0, 1])?;
/// assert!(w.len() <= 7);
/// let mut counts = [0u64; 4];
/// code.decode_counts(&mut w.finish().reader(), &mut counts)?;
/// assert_eq!(counts, [2, 0, 0, 1]);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeRangeCode {
    n: u64,
    k: u64,
    max_len: usize,
}

impl TypeRangeCode {
    /// The largest number of binary decisions, `n - 1 + k`, the code accepts: `2^40`.
    pub const MAX_DECISIONS: u64 = MAX_TOTAL;

    /// A code for `k` draws over `n` symbols (`n >= 1`, or `n = 0` with `k = 0`), with
    /// `n - 1 + k <= 2^40`.
    ///
    /// Computing [`TypeRangeCode::max_len`] costs `O(min(k, n))` floating-point operations
    /// (less than one encode).
    pub fn new(n: u64, k: u64) -> Result<Self, CodecError> {
        if n == 0 && k > 0 {
            return Err(CodecError::InvalidParameter(
                "a type of draws needs at least one symbol".into(),
            ));
        }
        let decisions = (n.saturating_sub(1)).checked_add(k);
        if decisions.is_none_or(|t| t > MAX_TOTAL) {
            return Err(CodecError::InvalidParameter(format!(
                "a range-coded type of {k} draws over {n} symbols needs more than 2^40 decisions"
            )));
        }
        let max_len = if n <= 1 || k == 0 {
            0
        } else {
            // Exact: ceil(log2 C) + 2. Near(m): |log2 C - m| < 2^-7, and the code writes at
            // most ceil(log2 C + delta) + 1 <= m + 2 bits since 2^-7 + delta < 1.
            ceil_log2_binomial(n - 1 + k, k).value() as usize + 2
        };
        Ok(Self { n, k, max_len })
    }

    /// Number of symbols `n`.
    pub fn symbols(&self) -> u64 {
        self.n
    }

    /// Number of draws `k`.
    pub fn draws(&self) -> u64 {
        self.k
    }

    /// The most bits any type takes: `ceil(log2 C(n + k - 1, k)) + 2`, or 0 when there is
    /// only one type.
    ///
    /// Exact (from big integers) when `C < 2^4096`; above, from a certified floating-point
    /// evaluation, which when `log2 C` lies within `2^-7` of an integer `m` returns `m + 2`
    /// (still an upper bound, see the module docs; then `ceil(log2 C) + 1` if `C > 2^m`).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The proved bound `delta`, in bits, on how far the coder's probability of any type is
    /// from `1/C` (module docs): every codeword length lies in `[log2 C - delta,
    /// log2 C + delta + 2)`.
    pub fn loss_bound_bits(&self) -> f64 {
        range_coder::loss_bound_bits(self.k, self.n.saturating_sub(1))
    }

    /// Writes a count vector of length `n` summing to `k`, all or nothing.
    pub fn encode_counts(&self, w: &mut BitWriter, counts: &[u64]) -> Result<(), CodecError> {
        let code = self.encode_to_bits(counts)?;
        w.write_bitstring(&code)
    }

    /// The exact length of the codeword of `counts` (which the encoder writes).
    pub fn encoded_len(&self, counts: &[u64]) -> Result<usize, CodecError> {
        Ok(self.encode_to_bits(counts)?.len())
    }

    fn encode_to_bits(&self, counts: &[u64]) -> Result<BitString, CodecError> {
        if counts.len() as u64 != self.n {
            return Err(CodecError::InvalidInput(format!(
                "type code expects {} counts, got {}",
                self.n,
                counts.len()
            )));
        }
        let total = counts.iter().try_fold(0u64, |s, &c| s.checked_add(c));
        if total != Some(self.k) {
            return Err(CodecError::InvalidInput(format!(
                "counts must sum to {} draws",
                self.k
            )));
        }
        if self.max_len == 0 {
            return Ok(BitString::new());
        }
        Ok(range_coder::encode(self.k, counts, self.max_len))
    }

    /// Reads a type as its count vector into `counts` (length `n`).
    ///
    /// Reads up to 128 bits past the end of the code without consuming them; any bit
    /// string decodes to a valid type or an error, and a message shorter than the code is
    /// [`CodecError::UnexpectedEnd`].
    pub fn decode_counts(
        &self,
        r: &mut BitReader<'_>,
        counts: &mut [u64],
    ) -> Result<(), CodecError> {
        if counts.len() as u64 != self.n {
            return Err(CodecError::InvalidInput(format!(
                "type decoder expects an output of {} counts, got {}",
                self.n,
                counts.len()
            )));
        }
        counts.fill(0);
        if self.max_len == 0 {
            if let Some(last) = counts.last_mut() {
                *last = self.k;
            }
            return Ok(());
        }
        let len = range_coder::decode(r, self.k, counts, self.max_len)?;
        skip(r, len)
    }
}

/// Advances `r` by `len` bits, or errors without moving if it holds fewer.
fn skip(r: &mut BitReader<'_>, len: usize) -> Result<(), CodecError> {
    r.ensure_available(len)?;
    let mut left = len;
    while left > 0 {
        let step = left.min(64);
        r.read_bits(step as u32)?;
        left -= step;
    }
    Ok(())
}
