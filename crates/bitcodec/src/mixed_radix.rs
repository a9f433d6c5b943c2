//! Joint (mixed-radix) packing: `m` symbols of an alphabet of size `n` in `ceil(m log2 n)` bits.

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive};

use crate::bigint::{
    biguint_to_digits, bits_for_count, digits_to_biguint, push_biguint, radix_powers, read_biguint,
};
use crate::radix_digits::RadixDigits;
use crate::{BitReader, BitWriter, CodecError};

/// Largest joint codeword, in bits: past this the exact conversion (quadratic division)
/// takes more than about a second, and [`ChunkedRadix`] is the practical choice.
const MAX_JOINT_BITS: f64 = (1u64 << 20) as f64;

/// `m` symbols of `{0, ..., n-1}` written as one integer `sum_i s_i n^i` in exactly
/// `ceil(m log2 n)` bits: the information-theoretic length, with no per-symbol rounding.
///
/// Small cases (`n^m <= 2^64`) use machine words. Larger ones group symbols into 64-bit digits
/// (base `n^c`, as in [`ChunkedRadix`]) and convert the digit vector with big integers by
/// divide and conquer. Codewords are limited to `2^20` bits (a 128 KiB message); for longer
/// vectors, where a fraction of a bit per 64-bit chunk is acceptable, [`ChunkedRadix`] is
/// linear.
///
/// ```
/// use bitcodec::{BitWriter, MixedRadix};
/// let code = MixedRadix::new(3, 5)?; // 3^5 = 243 values: 8 bits instead of 10
/// let mut w = BitWriter::new();
/// code.encode(&mut w, &[2, 0, 1, 1, 2])?;
/// assert_eq!(w.len(), 8);
/// let mut out = [0u64; 5];
/// code.decode(&mut w.finish().reader(), &mut out)?;
/// assert_eq!(out, [2, 0, 1, 1, 2]);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MixedRadix {
    n: u64,
    m: usize,
    count: BigUint,
    len: usize,
    /// Symbols per 64-bit digit, and the digit base `n^c` (possibly exactly `2^64`).
    per_digit: usize,
    /// `n^c`, `n^(2c)`, `n^(4c)`, ...: the splitting points of the big conversion.
    powers: Vec<BigUint>,
}

impl MixedRadix {
    /// A code for `m` symbols over `n >= 1` letters, of at most `2^20` bits.
    pub fn new(n: u64, m: usize) -> Result<Self, CodecError> {
        if n == 0 {
            return Err(CodecError::InvalidParameter(
                "mixed-radix code needs an alphabet of at least one symbol".into(),
            ));
        }
        let log2 = (n as f64).log2() * m as f64;
        if log2 > MAX_JOINT_BITS {
            return Err(CodecError::InvalidParameter(format!(
                "mixed-radix code of {m} symbols over {n} letters is too long ({log2:.0} bits, \
                 limit {MAX_JOINT_BITS}); use ChunkedRadix"
            )));
        }
        // For n = 1 any m gives one codeword; otherwise m <= 2^20 fits a u32 exponent.
        let count = if n == 1 {
            BigUint::one()
        } else {
            BigUint::from(n).pow(u32::try_from(m).unwrap_or(u32::MAX))
        };
        let len = bits_for_count(&count);
        let (per_digit, powers) = if len > 64 {
            let c = symbols_per_word(n);
            let base = BigUint::from(n).pow(c as u32);
            (c, radix_powers(&base, m.div_ceil(c)))
        } else {
            (m.max(1), Vec::new())
        };
        Ok(Self {
            n,
            m,
            count,
            len,
            per_digit,
            powers,
        })
    }

    /// The alphabet size `n`.
    pub fn alphabet(&self) -> u64 {
        self.n
    }

    /// The number of symbols `m`.
    pub fn symbols(&self) -> usize {
        self.m
    }

    /// The number of codewords, `n^m`.
    pub fn count(&self) -> &BigUint {
        &self.count
    }

    /// The exact length of every codeword: `ceil(m log2 n)`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether codewords are empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Writes `symbols` (exactly `m` of them, each `< n`), all or nothing.
    pub fn encode(&self, w: &mut BitWriter, symbols: &[u64]) -> Result<(), CodecError> {
        if symbols.len() != self.m {
            return Err(CodecError::InvalidInput(format!(
                "mixed-radix code expects {} symbols, got {}",
                self.m,
                symbols.len()
            )));
        }
        if let Some(&bad) = symbols.iter().find(|&&s| s >= self.n) {
            return Err(CodecError::SymbolOutOfRange {
                symbol: bad,
                alphabet: self.n,
            });
        }
        w.ensure_room(self.len)?;
        if self.len <= 64 {
            w.push_unchecked(horner(symbols, self.n), self.len as u32);
        } else {
            let digits: Vec<u64> = symbols
                .chunks(self.per_digit)
                .map(|chunk| horner(chunk, self.n))
                .collect();
            push_biguint(w, &digits_to_biguint(&digits, &self.powers), self.len);
        }
        Ok(())
    }

    /// Reads `m` symbols into `out` (which must have length `m`). On error the reader does not
    /// move and the contents of `out` are unspecified.
    pub fn decode(&self, r: &mut BitReader<'_>, out: &mut [u64]) -> Result<(), CodecError> {
        if out.len() != self.m {
            return Err(CodecError::InvalidInput(format!(
                "mixed-radix decoder expects an output of {} symbols, got {}",
                self.m,
                out.len()
            )));
        }
        r.rewind_on_error(|r| {
            if self.len <= 64 {
                let v = r.read_bits(self.len as u32)?;
                if self.count.to_u64().is_some_and(|c| v >= c) {
                    return Err(CodecError::InvalidCodeword("mixed-radix value past n^m"));
                }
                unhorner(v, self.n, out);
            } else {
                let v = read_biguint(r, self.len)?;
                if v >= self.count {
                    return Err(CodecError::InvalidCodeword("mixed-radix value past n^m"));
                }
                let mut digits = vec![0u64; self.m.div_ceil(self.per_digit)];
                biguint_to_digits(v, &self.powers, &mut digits);
                for (chunk, &d) in out.chunks_mut(self.per_digit).zip(&digits) {
                    unhorner(d, self.n, chunk);
                }
            }
            Ok(())
        })
    }
}

/// `sum_i s_i n^i` for symbols whose joint value is below `2^64` (wrapping is never reached).
fn horner(symbols: &[u64], n: u64) -> u64 {
    symbols
        .iter()
        .rev()
        .fold(0u64, |acc, &s| acc.wrapping_mul(n).wrapping_add(s))
}

/// The base-`n` digits of `v`, least significant first, into `out`.
fn unhorner(mut v: u64, n: u64, out: &mut [u64]) {
    for o in out.iter_mut() {
        *o = v % n;
        v /= n;
    }
}

/// Largest `c` with `n^c <= 2^64` (`n >= 2`): how many symbols share one 64-bit word.
fn symbols_per_word(n: u64) -> usize {
    let mut c = 1usize;
    while (n as u128)
        .checked_pow(c as u32 + 1)
        .is_some_and(|p| p <= 1u128 << 64)
    {
        c += 1;
    }
    c
}

/// Mixed-radix packing in independent 64-bit chunks: linear time for any `m`.
///
/// Symbols are grouped `c` at a time, where `c` is the largest count with `n^c <= 2^64`;
/// a group of `c_i` symbols takes `ceil(c_i log2 n)` bits (a full group `ceil(c log2 n)`, the
/// last, shorter one less). Each group wastes less than a bit, so for `m >= 1` the length is
/// at most `ceil(m log2 n) + ceil(m / c) - 1`, and exactly `m log2 n` when `n` is a power of
/// two (for ternary symbols: 40 trits in 64 bits, 1.6 bits per trit against
/// `log2 3 = 1.585`).
///
/// ```
/// use bitcodec::{BitWriter, ChunkedRadix};
/// let code = ChunkedRadix::new(3)?;
/// let symbols = vec![1u64; 100];
/// let mut w = BitWriter::new();
/// code.encode(&mut w, &symbols)?;
/// assert_eq!(w.len(), code.len(100));
/// let mut out = vec![0u64; 100];
/// code.decode(&mut w.finish().reader(), &mut out)?;
/// assert_eq!(out, symbols);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkedRadix {
    n: u64,
    per_chunk: usize,
    chunk_bits: u32,
    digits: RadixDigits,
}

/// `ceil(log2(n^c))` for `n^c` that may be exactly `2^64`.
fn bits_of_power(n: u64, c: usize) -> u32 {
    match n.checked_pow(c as u32) {
        Some(p) if p <= 1 => 0,
        Some(p) => 64 - (p - 1).leading_zeros(),
        None => 64,
    }
}

impl ChunkedRadix {
    /// A chunked code over `n >= 1` letters. With `n = 1` every codeword is empty (and a
    /// chunk is taken to hold 64 symbols, since any number of them fit in no bits).
    pub fn new(n: u64) -> Result<Self, CodecError> {
        if n == 0 {
            return Err(CodecError::InvalidParameter(
                "chunked radix code needs an alphabet of at least one symbol".into(),
            ));
        }
        let c = if n == 1 { 64 } else { symbols_per_word(n) };
        Ok(Self {
            n,
            per_chunk: c,
            chunk_bits: bits_of_power(n, c),
            digits: RadixDigits::new(n),
        })
    }

    /// Symbols per full chunk.
    pub fn symbols_per_chunk(&self) -> usize {
        self.per_chunk
    }

    /// The exact length of a codeword for `m` symbols (saturating at `usize::MAX` for an `m`
    /// no message could hold).
    pub fn len(&self, m: usize) -> usize {
        let full = m / self.per_chunk;
        let rest = m % self.per_chunk;
        full.saturating_mul(self.chunk_bits as usize)
            .saturating_add(bits_of_power(self.n, rest) as usize)
    }

    /// Writes `symbols` (each `< n`), all or nothing.
    pub fn encode(&self, w: &mut BitWriter, symbols: &[u64]) -> Result<(), CodecError> {
        if let Some(&bad) = symbols.iter().find(|&&s| s >= self.n) {
            return Err(CodecError::SymbolOutOfRange {
                symbol: bad,
                alphabet: self.n,
            });
        }
        w.ensure_room(self.len(symbols.len()))?;
        for chunk in symbols.chunks(self.per_chunk) {
            w.push_unchecked(horner(chunk, self.n), bits_of_power(self.n, chunk.len()));
        }
        Ok(())
    }

    /// Reads `out.len()` symbols. On error the reader does not move and the contents of `out`
    /// are unspecified.
    pub fn decode(&self, r: &mut BitReader<'_>, out: &mut [u64]) -> Result<(), CodecError> {
        r.rewind_on_error(|r| {
            r.ensure_available(self.len(out.len()))?;
            for chunk in out.chunks_mut(self.per_chunk) {
                let v = r.take_unchecked(bits_of_power(self.n, chunk.len()));
                if let Some(limit) = self.n.checked_pow(chunk.len() as u32)
                    && v >= limit
                {
                    return Err(CodecError::InvalidCodeword("chunked radix value past n^c"));
                }
                self.digits.split(v, chunk);
            }
            Ok(())
        })
    }
}
