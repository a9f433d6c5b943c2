//! Joint (mixed-radix) packing: `m` symbols of an alphabet of size `n` in `ceil(m log2 n)` bits.

use num_bigint::BigUint;
use num_traits::{ToPrimitive, Zero};

use crate::bigint::{bits_for_count, push_biguint, read_biguint};
use crate::{BitReader, BitWriter, CodecError};

/// `m` symbols of `{0, ..., n-1}` written as one integer `sum_i s_i n^i` in exactly
/// `ceil(m log2 n)` bits: the information-theoretic length, with no per-symbol rounding.
///
/// Small cases (`n^m < 2^64`) use machine words; larger ones use big integers, whose
/// conversion is quadratic in `m`. For long vectors where a fraction of a bit per chunk is
/// acceptable, [`ChunkedRadix`] is linear.
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
}

impl MixedRadix {
    /// A code for `m` symbols over `n >= 1` letters.
    pub fn new(n: u64, m: usize) -> Result<Self, CodecError> {
        if n == 0 {
            return Err(CodecError::InvalidParameter(
                "mixed-radix code needs an alphabet of at least one symbol".into(),
            ));
        }
        let log2 = (n as f64).log2() * m as f64;
        if log2 > (1u64 << 26) as f64 {
            return Err(CodecError::InvalidParameter(format!(
                "mixed-radix code of {m} symbols over {n} letters is too long ({log2:.0} bits)"
            )));
        }
        let count = BigUint::from(n).pow(m as u32);
        let len = bits_for_count(&count);
        Ok(Self { n, m, count, len })
    }

    /// The alphabet size `n`.
    pub fn alphabet(&self) -> u64 {
        self.n
    }

    /// The number of symbols `m`.
    pub fn symbols(&self) -> usize {
        self.m
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
            let v = symbols.iter().rev().fold(0u64, |acc, &s| acc * self.n + s);
            w.push_unchecked(v, self.len as u32);
        } else {
            let mut v = BigUint::zero();
            for &s in symbols.iter().rev() {
                v *= self.n;
                v += s;
            }
            push_biguint(w, &v, self.len);
        }
        Ok(())
    }

    /// Reads `m` symbols into `out` (which must have length `m`).
    pub fn decode(&self, r: &mut BitReader<'_>, out: &mut [u64]) -> Result<(), CodecError> {
        if out.len() != self.m {
            return Err(CodecError::InvalidInput(format!(
                "mixed-radix decoder expects an output of {} symbols, got {}",
                self.m,
                out.len()
            )));
        }
        if self.len <= 64 {
            let mut v = r.read_bits(self.len as u32)?;
            if self.count.to_u64().is_some_and(|c| v >= c) {
                return Err(CodecError::InvalidCodeword("mixed-radix value past n^m"));
            }
            for o in out.iter_mut() {
                *o = v % self.n;
                v /= self.n;
            }
        } else {
            let mut v = read_biguint(r, self.len)?;
            if v >= self.count {
                return Err(CodecError::InvalidCodeword("mixed-radix value past n^m"));
            }
            for o in out.iter_mut() {
                let rem = &v % self.n;
                *o = rem.to_u64().unwrap_or(0);
                v /= self.n;
            }
        }
        Ok(())
    }
}

/// Mixed-radix packing in independent 64-bit chunks: linear time for any `m`.
///
/// Symbols are grouped `c` at a time, where `c` is the largest count with `n^c <= 2^64`;
/// each full group takes `ceil(c log2 n)` bits and the last, shorter group
/// `ceil(r log2 n)`. The overhead over [`MixedRadix`] is below one bit per chunk
/// (for ternary symbols: 40 trits in 64 bits, 1.6 bits per trit against `log2 3 = 1.585`).
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
    /// A chunked code over `n >= 2` letters.
    pub fn new(n: u64) -> Result<Self, CodecError> {
        if n < 2 {
            return Err(CodecError::InvalidParameter(
                "chunked radix code needs an alphabet of at least two symbols".into(),
            ));
        }
        // Largest c with n^c <= 2^64, i.e. n^c - 1 fits in a u64.
        let mut c = 1usize;
        loop {
            let next = (n as u128).checked_pow(c as u32 + 1);
            match next {
                Some(p) if p <= (1u128 << 64) => c += 1,
                _ => break,
            }
        }
        Ok(Self {
            n,
            per_chunk: c,
            chunk_bits: bits_of_power(n, c),
        })
    }

    /// Symbols per full chunk.
    pub fn symbols_per_chunk(&self) -> usize {
        self.per_chunk
    }

    /// The exact length of a codeword for `m` symbols.
    pub fn len(&self, m: usize) -> usize {
        let full = m / self.per_chunk;
        let rest = m % self.per_chunk;
        full * self.chunk_bits as usize + bits_of_power(self.n, rest) as usize
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
            let v = chunk
                .iter()
                .rev()
                .fold(0u64, |acc, &s| acc.wrapping_mul(self.n).wrapping_add(s));
            w.push_unchecked(v, bits_of_power(self.n, chunk.len()));
        }
        Ok(())
    }

    /// Reads `out.len()` symbols.
    pub fn decode(&self, r: &mut BitReader<'_>, out: &mut [u64]) -> Result<(), CodecError> {
        r.ensure_available(self.len(out.len()))?;
        for chunk in out.chunks_mut(self.per_chunk) {
            let mut v = r.take_unchecked(bits_of_power(self.n, chunk.len()));
            if let Some(limit) = self.n.checked_pow(chunk.len() as u32)
                && v >= limit
            {
                return Err(CodecError::InvalidCodeword("chunked radix value past n^c"));
            }
            for o in chunk.iter_mut() {
                *o = v % self.n;
                v /= self.n;
            }
        }
        Ok(())
    }
}
