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
//! range coder whose splits both sides compute with the same integer and IEEE-double
//! operations. The work per count is `O(1 + c_i)`: `n - 1 + k` decisions at most, no big
//! integers and no allocation per symbol.
//!
//! **Guarantee.** For `n >= 1`, `k >= 0`, `n - 1 + k <= 2^40`, every type is coded in
//! `l` bits with
//!
//! ```text
//! log2 C - delta  <=  l  <=  ceil(log2 C + delta) + 1  <=  ceil(log2 C) + 2,     C = C(n + k - 1, k),
//! ```
//!
//! (`l = 0` when `C = 1`), where `delta` ([`TypeRangeCode::loss_bound_bits`]) bounds the
//! coder's finite-precision loss on any type: below `2^-26` bits for `n = k = 2^20`, and
//! below `0.03` bits at the largest size. Proof: the coded probability `P` of any type is
//! within a factor `2^delta` of `1/C` (the precision analysis of the binary coder, summed
//! over the stars and bars), and the termination writes fewer than `-log2 P + 2` bits and
//! at least `-log2 P`. [`TypeRangeCode::max_len`] is the bound `ceil(log2 C) + 2` itself, for
//! declaring a scheme's cost as "at most".
//!
//! In code: [`TypeRangeCode`] with slice methods, and the streaming [`TypeEncoder`] (one
//! `push` per count) and [`TypeDecoder`] (one `next_count` per symbol) for callers that
//! produce or consume counts on the fly.

use crate::log2_binomial::ceil_log2_binomial;
use crate::range_coder::{self, MAX_TOTAL, RangeDecoder, RangeEncoder, star_fraction};
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

    /// The proved bound `delta` on the coder's loss, in bits, against `log2 C` (module docs).
    pub fn loss_bound_bits(&self) -> f64 {
        range_coder::loss_bound_bits(self.k, self.n.saturating_sub(1))
    }

    /// A streaming encoder: push the `n` counts in symbol order, then finish.
    pub fn encoder(&self) -> TypeEncoder {
        TypeEncoder {
            coder: RangeEncoder::new(),
            stars: self.k,
            symbols_left: self.n,
            trivial: self.max_len == 0,
        }
    }

    /// A streaming decoder reading from `r`: call [`TypeDecoder::next_count`] `n` times,
    /// then [`TypeDecoder::finish`], which advances `r` past the code.
    ///
    /// The decoder looks up to 128 bits past the end of the code (without consuming them),
    /// so a code may be followed by other fields in the same message.
    pub fn decoder<'r, 'a>(
        &self,
        r: &'r mut BitReader<'a>,
    ) -> Result<TypeDecoder<'r, 'a>, CodecError> {
        let coder = if self.max_len == 0 {
            None
        } else {
            Some(RangeDecoder::new(r.clone())?)
        };
        Ok(TypeDecoder {
            reader: r,
            coder,
            stars: self.k,
            symbols_left: self.n,
        })
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
        let mut enc = self.encoder();
        for &c in counts {
            enc.push(c)?;
        }
        enc.finish()
    }

    /// Reads a type as its count vector into `counts` (length `n`).
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
        let mut dec = self.decoder(r)?;
        for c in counts.iter_mut() {
            *c = dec.next_count()?;
        }
        dec.finish()?;
        Ok(())
    }
}

/// Encodes a type one count at a time (from [`TypeRangeCode::encoder`]).
///
/// Nothing reaches a [`BitWriter`] until [`TypeEncoder::finish`] returns the code, so a
/// failed push or finish leaves every message unchanged; a failed push also leaves the
/// encoder unchanged.
///
/// ```
/// use bitcodec::TypeRangeCode;
/// let code = TypeRangeCode::new(3, 2)?;
/// let mut enc = code.encoder();
/// for c in [1, 0, 1] {
///     enc.push(c)?;
/// }
/// let bits = enc.finish()?; // a BitString of at most code.max_len() bits
/// let mut r = bits.reader();
/// let mut dec = code.decoder(&mut r)?;
/// let counts: Vec<u64> = (0..3).map(|_| dec.next_count()).collect::<Result<_, _>>()?;
/// assert_eq!(counts, [1, 0, 1]);
/// assert_eq!(dec.finish()?, bits.len());
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TypeEncoder {
    coder: RangeEncoder,
    /// Draws not yet placed (`a`).
    stars: u64,
    /// Symbols not yet pushed (`m`); `m - 1` bars remain.
    symbols_left: u64,
    /// Only one type exists: no bits.
    trivial: bool,
}

impl TypeEncoder {
    /// Codes the count of the next symbol.
    ///
    /// Errors (changing nothing) if all `n` counts were pushed, if `count` exceeds the draws
    /// left, or if it is the last symbol's and does not use up the draws.
    #[inline]
    pub fn push(&mut self, count: u64) -> Result<(), CodecError> {
        if self.symbols_left == 0 {
            return Err(CodecError::InvalidInput(
                "more counts than symbols in the type".into(),
            ));
        }
        if count > self.stars {
            return Err(CodecError::InvalidInput(format!(
                "count {count} exceeds the {} draws left",
                self.stars
            )));
        }
        let bars = self.symbols_left - 1;
        if bars == 0 {
            if count != self.stars {
                return Err(CodecError::InvalidInput(format!(
                    "the counts sum to {} draws too few",
                    self.stars - count
                )));
            }
            self.stars = 0;
            self.symbols_left = 0;
            return Ok(());
        }
        for _ in 0..count {
            let a = self.stars;
            self.coder.encode(true, star_fraction(a, a + bars));
            self.stars = a - 1;
        }
        if self.stars > 0 {
            self.coder
                .encode(false, star_fraction(self.stars, self.stars + bars));
        }
        self.symbols_left = bars;
        Ok(())
    }

    /// Counts still to push.
    pub fn remaining(&self) -> u64 {
        self.symbols_left
    }

    /// Terminates the code and returns it; errors if some counts were not pushed.
    pub fn finish(self) -> Result<BitString, CodecError> {
        if self.symbols_left != 0 {
            return Err(CodecError::InvalidInput(format!(
                "{} counts of the type were not pushed",
                self.symbols_left
            )));
        }
        if self.trivial {
            return Ok(BitString::new());
        }
        Ok(self.coder.finish())
    }
}

/// Decodes a type one count at a time (from [`TypeRangeCode::decoder`]).
///
/// Any bit string decodes to some valid type (counts summing to `k`) or an error; a
/// message shorter than the code is [`CodecError::UnexpectedEnd`] at
/// [`TypeDecoder::finish`].
#[derive(Debug)]
pub struct TypeDecoder<'r, 'a> {
    reader: &'r mut BitReader<'a>,
    coder: Option<RangeDecoder<'a>>,
    stars: u64,
    symbols_left: u64,
}

impl<'r, 'a> TypeDecoder<'r, 'a> {
    /// The count of the next symbol; errors once all `n` counts were read.
    #[inline]
    pub fn next_count(&mut self) -> Result<u64, CodecError> {
        if self.symbols_left == 0 {
            return Err(CodecError::InvalidInput(
                "all counts of the type were already decoded".into(),
            ));
        }
        let bars = self.symbols_left - 1;
        self.symbols_left = bars;
        let mut count = 0;
        match (&mut self.coder, bars) {
            (_, 0) => {
                count = self.stars;
                self.stars = 0;
            }
            (Some(coder), _) => {
                while self.stars > 0 {
                    let a = self.stars;
                    if !coder.decode(star_fraction(a, a + bars)) {
                        break;
                    }
                    count += 1;
                    self.stars = a - 1;
                }
            }
            // No coder: only one type, and it has no stars before the last symbol.
            (None, _) => {}
        }
        Ok(count)
    }

    /// Counts still to read.
    pub fn remaining(&self) -> u64 {
        self.symbols_left
    }

    /// Reads any counts left, advances the reader past the code and returns its length.
    ///
    /// Errors with [`CodecError::UnexpectedEnd`] if the message is shorter than the code.
    pub fn finish(mut self) -> Result<usize, CodecError> {
        while self.symbols_left > 0 {
            self.next_count()?;
        }
        let len = match self.coder {
            Some(coder) => coder.finish()?,
            None => 0,
        };
        self.reader.ensure_available(len)?;
        let mut left = len;
        while left > 0 {
            let step = left.min(64);
            self.reader.read_bits(step as u32)?;
            left -= step;
        }
        Ok(len)
    }
}
