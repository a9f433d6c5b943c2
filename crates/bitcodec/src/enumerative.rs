//! Enumerative codes: a k-subset of `[n]` in `ceil(log2 C(n, k))` bits, and a multiset (type)
//! of `k` draws over `n` symbols in `ceil(log2 C(n + k - 1, k))` bits.
//!
//! A subset `c_1 < c_2 < ... < c_k` of `{0, ..., n-1}` is ranked by the combinatorial number
//! system, `r = sum_t C(c_t, t)`, which is a bijection onto `[0, C(n, k))`. A multiset
//! `a_1 <= ... <= a_k` maps to the subset `c_t = a_t + t - 1` of `{0, ..., n + k - 2}`.
//! Both rank and unrank walk the binomial coefficients incrementally, so they cost
//! `O(n + k)` big-integer steps of `O(log C)` bits each.

use num_bigint::BigUint;
use num_traits::Zero;

use crate::bigint::{binomial, bits_for_count, push_biguint, read_biguint};
use crate::{BitReader, BitWriter, CodecError};

/// Largest codeword accepted, in bits: beyond this the exact code is impractically slow.
const MAX_EXACT_BITS: f64 = (1u64 << 24) as f64;

/// `k log2(e n / k)`, an upper bound on `log2 C(n, k)`, used to refuse absurd sizes early.
fn log2_binomial_upper(n: u64, k: u64) -> f64 {
    if k == 0 || k >= n {
        return 0.0;
    }
    let k = k.min(n - k) as f64;
    k * (std::f64::consts::E * n as f64 / k).log2()
}

/// The exact enumerative code of k-subsets of `{0, ..., n-1}`.
///
/// ```
/// use bitcodec::{BitWriter, SubsetCode};
/// let code = SubsetCode::new(10, 3)?; // C(10,3) = 120 subsets: 7 bits
/// let mut w = BitWriter::new();
/// code.encode(&mut w, &[1, 4, 9])?;
/// assert_eq!(w.len(), 7);
/// assert_eq!(code.decode(&mut w.finish().reader())?, vec![1, 4, 9]);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubsetCode {
    n: u64,
    k: u64,
    count: BigUint,
    len: usize,
}

impl SubsetCode {
    /// A code for subsets of size `k <= n` of an `n`-element set.
    pub fn new(n: u64, k: u64) -> Result<Self, CodecError> {
        if k > n {
            return Err(CodecError::InvalidParameter(format!(
                "subset size {k} exceeds the universe size {n}"
            )));
        }
        let est = log2_binomial_upper(n, k);
        if est > MAX_EXACT_BITS {
            return Err(CodecError::InvalidParameter(format!(
                "C({n}, {k}) has about {est:.0} bits, past the exact code's limit"
            )));
        }
        let count = binomial(n, k);
        let len = bits_for_count(&count);
        Ok(Self { n, k, count, len })
    }

    /// Universe size `n`.
    pub fn universe(&self) -> u64 {
        self.n
    }

    /// Subset size `k`.
    pub fn size(&self) -> u64 {
        self.k
    }

    /// The number of subsets, `C(n, k)`.
    pub fn count(&self) -> &BigUint {
        &self.count
    }

    /// The exact codeword length: `ceil(log2 C(n, k))`.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether codewords are empty (only one subset exists).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rank of a strictly increasing list of `k` elements below `n`.
    pub fn rank(&self, subset: &[u64]) -> Result<BigUint, CodecError> {
        if subset.len() as u64 != self.k {
            return Err(CodecError::InvalidInput(format!(
                "subset code expects {} elements, got {}",
                self.k,
                subset.len()
            )));
        }
        if subset.windows(2).any(|p| p[0] >= p[1]) {
            return Err(CodecError::InvalidInput(
                "subset elements must be strictly increasing".into(),
            ));
        }
        if let Some(&last) = subset.last()
            && last >= self.n
        {
            return Err(CodecError::SymbolOutOfRange {
                symbol: last,
                alphabet: self.n,
            });
        }
        Ok(rank_sorted(subset))
    }

    /// The subset of rank `r < C(n, k)`, in increasing order.
    pub fn unrank(&self, r: &BigUint) -> Result<Vec<u64>, CodecError> {
        if r >= &self.count {
            return Err(CodecError::InvalidCodeword("subset rank past C(n, k)"));
        }
        Ok(unrank_sorted(self.n, self.k, &self.count, r.clone()))
    }

    /// Writes a strictly increasing list of `k` elements below `n`, all or nothing.
    pub fn encode(&self, w: &mut BitWriter, subset: &[u64]) -> Result<(), CodecError> {
        let r = self.rank(subset)?;
        w.ensure_room(self.len)?;
        push_biguint(w, &r, self.len);
        Ok(())
    }

    /// Reads one subset, in increasing order.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<Vec<u64>, CodecError> {
        let rank = read_biguint(r, self.len)?;
        self.unrank(&rank)
    }
}

/// The exact enumerative code of multisets (types) of `k` draws over `n` symbols.
///
/// A multiset is given either as its non-decreasing list of draws or as its count vector
/// (`counts[i]` = how often symbol `i` was drawn, summing to `k`).
///
/// ```
/// use bitcodec::{BitWriter, MultisetCode};
/// let code = MultisetCode::new(4, 3)?; // C(6,3) = 20 types: 5 bits
/// let mut w = BitWriter::new();
/// code.encode_counts(&mut w, &[2, 0, 0, 1])?;
/// assert_eq!(w.len(), 5);
/// let mut counts = [0u64; 4];
/// code.decode_counts(&mut w.finish().reader(), &mut counts)?;
/// assert_eq!(counts, [2, 0, 0, 1]);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultisetCode {
    n: u64,
    k: u64,
    subsets: SubsetCode,
}

impl MultisetCode {
    /// A code for `k` draws over `n` symbols (`n >= 1`, or `n = 0` with `k = 0`).
    pub fn new(n: u64, k: u64) -> Result<Self, CodecError> {
        if n == 0 && k > 0 {
            return Err(CodecError::InvalidParameter(
                "a multiset of draws needs at least one symbol".into(),
            ));
        }
        let universe = (n + k).saturating_sub(1);
        Ok(Self {
            n,
            k,
            subsets: SubsetCode::new(universe, k)?,
        })
    }

    /// Number of symbols `n`.
    pub fn symbols(&self) -> u64 {
        self.n
    }

    /// Number of draws `k`.
    pub fn draws(&self) -> u64 {
        self.k
    }

    /// The number of types, `C(n + k - 1, k)`.
    pub fn count(&self) -> &BigUint {
        self.subsets.count()
    }

    /// The exact codeword length: `ceil(log2 C(n + k - 1, k))`.
    pub fn len(&self) -> usize {
        self.subsets.len()
    }

    /// Whether codewords are empty (only one type exists).
    pub fn is_empty(&self) -> bool {
        self.subsets.is_empty()
    }

    /// Writes a non-decreasing list of `k` draws, each below `n`, all or nothing.
    pub fn encode_sorted(&self, w: &mut BitWriter, draws: &[u64]) -> Result<(), CodecError> {
        if draws.windows(2).any(|p| p[0] > p[1]) {
            return Err(CodecError::InvalidInput(
                "draws must be non-decreasing".into(),
            ));
        }
        if let Some(&last) = draws.last()
            && last >= self.n
        {
            return Err(CodecError::SymbolOutOfRange {
                symbol: last,
                alphabet: self.n,
            });
        }
        let shifted: Vec<u64> = draws.iter().zip(0u64..).map(|(&a, t)| a + t).collect();
        self.subsets.encode(w, &shifted)
    }

    /// Reads a type as its non-decreasing list of `k` draws.
    pub fn decode_sorted(&self, r: &mut BitReader<'_>) -> Result<Vec<u64>, CodecError> {
        let mut c = self.subsets.decode(r)?;
        for (x, t) in c.iter_mut().zip(0u64..) {
            *x -= t;
        }
        Ok(c)
    }

    /// Writes a count vector of length `n` summing to `k`, all or nothing.
    pub fn encode_counts(&self, w: &mut BitWriter, counts: &[u64]) -> Result<(), CodecError> {
        if counts.len() as u64 != self.n {
            return Err(CodecError::InvalidInput(format!(
                "type code expects {} counts, got {}",
                self.n,
                counts.len()
            )));
        }
        let total = counts.iter().try_fold(0u64, |a, &c| a.checked_add(c));
        if total != Some(self.k) {
            return Err(CodecError::InvalidInput(format!(
                "counts must sum to {} draws",
                self.k
            )));
        }
        let mut c = Vec::with_capacity(self.k as usize);
        let mut t = 0u64;
        for (symbol, &count) in (0u64..).zip(counts) {
            for _ in 0..count {
                c.push(symbol + t);
                t += 1;
            }
        }
        let r = rank_sorted(&c);
        w.ensure_room(self.len())?;
        push_biguint(w, &r, self.len());
        Ok(())
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
        let draws = self.decode_sorted(r)?;
        counts.fill(0);
        for a in draws {
            // a < n by construction of the bijection.
            if let Some(slot) = counts.get_mut(a as usize) {
                *slot += 1;
            }
        }
        Ok(())
    }
}

/// `sum_t C(c_t, t)` for strictly increasing `c` (t counted from 1).
fn rank_sorted(c: &[u64]) -> BigUint {
    let mut rank = BigUint::zero();
    // Terms with c_t < t are zero; they form a prefix 0, 1, ..., t0 - 1.
    let Some(start) = c.iter().zip(1u64..).position(|(&ct, t)| ct >= t) else {
        return rank;
    };
    let first_t = start as u64 + 1;
    let mut cur = c[start];
    let mut b = binomial(cur, first_t); // C(cur, t) > 0
    rank += &b;
    // `t` is the index of the term already added; each step adds term t + 1.
    for (t, &next) in (first_t..).zip(&c[start + 1..]) {
        // Move c up at fixed t: C(c + 1, t) = C(c, t) (c + 1) / (c + 1 - t).
        while cur < next {
            b *= cur + 1;
            b /= cur + 1 - t;
            cur += 1;
        }
        // Then t up at c = next > t: C(c, t + 1) = C(c, t) (c - t) / (t + 1).
        b *= cur - t;
        b /= t + 1;
        rank += &b;
    }
    rank
}

/// The strictly increasing k-subset of `{0..n-1}` whose rank is `r < C(n, k) = count`.
fn unrank_sorted(n: u64, k: u64, count: &BigUint, mut r: BigUint) -> Vec<u64> {
    let mut out = vec![0u64; k as usize];
    if k == 0 {
        return out;
    }
    // Start at c = n - 1: C(n - 1, k) = C(n, k) (n - k) / n.
    let mut c = n - 1;
    let mut b = count * (n - k) / n;
    let mut t = k;
    while t >= 1 {
        if r.is_zero() {
            // The remaining elements are 0, 1, ..., t - 1 (all zero terms).
            for (j, slot) in out.iter_mut().take(t as usize).enumerate() {
                *slot = j as u64;
            }
            break;
        }
        // Largest c with C(c, t) <= r; r >= 1 = C(t, t) keeps c >= t and b > 0.
        while b > r {
            b *= c - t;
            b /= c;
            c -= 1;
        }
        out[(t - 1) as usize] = c;
        r -= &b;
        if t == 1 {
            break;
        }
        // Next element is below c: C(c - 1, t - 1) = C(c, t) t / c.
        b *= t;
        b /= c;
        c -= 1;
        t -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_traits::One;

    #[test]
    fn binomial_matches_pascal() {
        for n in 0..30u64 {
            for k in 0..=n {
                let pascal = if k == 0 || k == n {
                    BigUint::one()
                } else {
                    binomial(n - 1, k - 1) + binomial(n - 1, k)
                };
                assert_eq!(binomial(n, k), pascal, "C({n},{k})");
            }
        }
    }

    #[test]
    fn rank_of_initial_segment_is_zero() {
        assert!(rank_sorted(&[0, 1, 2, 3]).is_zero());
    }
}
