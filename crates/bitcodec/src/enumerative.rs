//! Enumerative codes: a $`k`$-subset of $`[n]`$ in $`\lceil \log_2 \binom{n}{k} \rceil`$ bits, and
//! a multiset (type) of $`k`$ draws over $`n`$ symbols in $`\lceil \log_2 \binom{n+k-1}{k} \rceil`$
//! bits.
//!
//! A subset $`c_1 < c_2 < \dots < c_k`$ of $`\{0, \dots, n-1\}`$ is ranked by the combinatorial
//! number system,
//!
//! ```math
//! r = \sum_{t=1}^{k} \binom{c_t}{t},
//! ```
//!
//! which is a bijection onto $`[0, \binom{n}{k})`$. A multiset $`a_1 \le \dots \le a_k`$ maps to
//! the subset $`c_t = a_t + t - 1`$ of $`\{0, \dots, n + k - 2\}`$. Both rank and unrank walk the
//! binomial coefficients $`\binom{c}{t}`$ incrementally
//! ($`\binom{c+1}{t} = \binom{c}{t} \frac{c + 1}{c + 1 - t}`$ and the like, several steps merged
//! per big-integer operation), so they cost $`O(n + k)`$ steps on numbers of $`O(\log C)`$ bits.
//!
//! In code: [`SubsetCode::rank`] / [`SubsetCode::unrank`] are $`r`$ and its inverse,
//! [`MultisetCode::rank`] and [`MultisetCode::rank_counts`] take the draws or the count
//! vector, and the codeword is the rank in $`\lceil \log_2 C \rceil`$ bits, least significant
//! first.

use std::iter::repeat_n;

use num_bigint::BigUint;
use num_traits::Zero;

use crate::bigint::{binomial, bits_for_count, push_biguint, read_biguint};
use crate::{BitReader, BitWriter, CodecError};

/// Practical limits of the exact enumerative codes. They are engineering bounds, not
/// mathematical ones: ranking and unranking walk about $`n + k`$ binomial coefficients of up to
/// $`L = \lceil \log_2 C \rceil`$ bits, i.e. about $`(n + k)(L/64 + 1)`$ word operations, and a
/// code is refused if that exceeds [`MAX_WORK`] (about ten seconds) or $`L`$ exceeds
/// [`MAX_CODEWORD_BITS`].
const MAX_CODEWORD_BITS: f64 = (1u64 << 24) as f64;
/// See [`MAX_CODEWORD_BITS`].
const MAX_WORK: f64 = (1u64 << 32) as f64;

/// The upper bound $`k \log_2(e n/k)`$ on $`\log_2 \binom{n}{k}`$ (for $`k \le n/2`$, else with
/// $`n - k`$), used to refuse absurd sizes before computing anything.
fn log2_binomial_upper(n: u64, k: u64) -> f64 {
    if k == 0 || k >= n {
        return 0.0;
    }
    let k = k.min(n - k) as f64;
    k * (std::f64::consts::E * n as f64 / k).log2()
}

/// Refuses a $`k`$-subset code of an $`n`$-set whose exact code would be impractically slow.
fn check_cost(n: u64, k: u64) -> Result<(), CodecError> {
    let bits = log2_binomial_upper(n, k);
    // With k = 0 or k = n there is one subset and no walk: only the k elements are listed.
    let work = if k == 0 || k == n {
        k as f64
    } else {
        (n as f64 + k as f64) * (bits / 64.0 + 1.0)
    };
    if bits > MAX_CODEWORD_BITS || work > MAX_WORK {
        return Err(CodecError::InvalidParameter(format!(
            "exact enumerative code of C({n}, {k}) (about {bits:.0} bits) is past the \
             practical limit of {MAX_CODEWORD_BITS} bits and {MAX_WORK} word operations"
        )));
    }
    Ok(())
}

/// The exact enumerative code of $`k`$-subsets of $`\{0, \dots, n-1\}`$.
///
/// Ranking and unranking cost about $`n + k`$ big-integer steps on numbers of
/// $`\lceil \log_2 \binom{n}{k} \rceil`$ bits; the constructor refuses codes where that is
/// impractical (a subset of $`10^4`$ of $`10^6`$ coordinates, about 81 kbit, is accepted).
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
    /// A code for subsets of size $`k \le n`$ of an $`n`$-element set.
    pub fn new(n: u64, k: u64) -> Result<Self, CodecError> {
        if k > n {
            return Err(CodecError::InvalidParameter(format!(
                "subset size {k} exceeds the universe size {n}"
            )));
        }
        check_cost(n, k)?;
        let count = binomial(n, k);
        let len = bits_for_count(&count);
        Ok(Self { n, k, count, len })
    }

    /// Universe size $`n`$.
    pub fn universe(&self) -> u64 {
        self.n
    }

    /// Subset size $`k`$.
    pub fn size(&self) -> u64 {
        self.k
    }

    /// The number of subsets, $`\binom{n}{k}`$.
    pub fn count(&self) -> &BigUint {
        &self.count
    }

    /// The exact codeword length: $`\lceil \log_2 \binom{n}{k} \rceil`$.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether codewords are empty (only one subset exists).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The rank $`\sum_t \binom{c_t}{t}`$ of a strictly increasing list $`c_1 < \dots < c_k`$ below
    /// $`n`$.
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
        Ok(rank_sorted(subset.iter().copied()))
    }

    /// The subset of rank $`r < \binom{n}{k}`$, in increasing order.
    pub fn unrank(&self, r: &BigUint) -> Result<Vec<u64>, CodecError> {
        let mut out = vec![0u64; self.k as usize];
        self.unrank_each(r, |i, c| {
            if let Some(slot) = out.get_mut(i) {
                *slot = c;
            }
        })?;
        Ok(out)
    }

    /// Unranks `r`, calling `emit(t - 1, c_t)` for $`t = k, \dots, 1`$; errors before emitting
    /// anything if $`r \ge \binom{n}{k}`$.
    fn unrank_each(&self, r: &BigUint, emit: impl FnMut(usize, u64)) -> Result<(), CodecError> {
        if r >= &self.count {
            return Err(CodecError::InvalidCodeword("subset rank past C(n, k)"));
        }
        unrank_sorted(self.n, self.k, &self.count, r.clone(), emit);
        Ok(())
    }

    /// Writes a strictly increasing list of $`k`$ elements below $`n`$, all or nothing.
    pub fn encode(&self, w: &mut BitWriter, subset: &[u64]) -> Result<(), CodecError> {
        let r = self.rank(subset)?;
        w.ensure_room(self.len)?;
        push_biguint(w, &r, self.len);
        Ok(())
    }

    /// Reads one subset, in increasing order. On error the reader does not move.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<Vec<u64>, CodecError> {
        r.rewind_on_error(|r| {
            let rank = read_biguint(r, self.len)?;
            self.unrank(&rank)
        })
    }
}

/// The exact enumerative code of multisets (types) of $`k`$ draws over $`n`$ symbols.
///
/// A multiset is given either as its non-decreasing list of draws $`a_1 \le \dots \le a_k`$ or
/// as its count vector (`counts[i]` = how often symbol `i` was drawn, summing to $`k`$). Its rank
/// is that of the $`k`$-subset $`c_t = a_t + t - 1`$ of $`\{0, \dots, n + k - 2\}`$ under
/// [`SubsetCode`], and the same practical limits apply.
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
    /// A code for $`k`$ draws over $`n`$ symbols ($`n \ge 1`$, or $`n = 0`$ with $`k = 0`$).
    pub fn new(n: u64, k: u64) -> Result<Self, CodecError> {
        if n == 0 && k > 0 {
            return Err(CodecError::InvalidParameter(
                "a multiset of draws needs at least one symbol".into(),
            ));
        }
        let universe = n.checked_add(k).ok_or_else(|| {
            CodecError::InvalidParameter(format!("{n} symbols plus {k} draws overflow u64"))
        })?;
        Ok(Self {
            n,
            k,
            subsets: SubsetCode::new(universe.saturating_sub(1), k)?,
        })
    }

    /// Number of symbols $`n`$.
    pub fn symbols(&self) -> u64 {
        self.n
    }

    /// Number of draws $`k`$.
    pub fn draws(&self) -> u64 {
        self.k
    }

    /// The number of types, $`\binom{n + k - 1}{k}`$.
    pub fn count(&self) -> &BigUint {
        self.subsets.count()
    }

    /// The exact codeword length: $`\lceil \log_2 \binom{n + k - 1}{k} \rceil`$.
    pub fn len(&self) -> usize {
        self.subsets.len()
    }

    /// Whether codewords are empty (only one type exists).
    pub fn is_empty(&self) -> bool {
        self.subsets.is_empty()
    }

    /// The rank in $`[0, \binom{n + k - 1}{k})`$ of a non-decreasing list of $`k`$ draws below
    /// $`n`$.
    pub fn rank(&self, draws: &[u64]) -> Result<BigUint, CodecError> {
        if draws.len() as u64 != self.k {
            return Err(CodecError::InvalidInput(format!(
                "type code expects {} draws, got {}",
                self.k,
                draws.len()
            )));
        }
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
        // a_t < n and t < k, so a_t + t - 1 < n + k - 1 fits (checked in the constructor).
        Ok(rank_sorted(draws.iter().zip(0u64..).map(|(&a, t)| a + t)))
    }

    /// The rank of a count vector of length $`n`$ summing to $`k`$.
    pub fn rank_counts(&self, counts: &[u64]) -> Result<BigUint, CodecError> {
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
        // Every count is at most k, which the constructor bounded, so it fits a usize.
        let draws = (0u64..)
            .zip(counts)
            .flat_map(|(symbol, &c)| repeat_n(symbol, c as usize));
        Ok(rank_sorted(draws.zip(0u64..).map(|(a, t)| a + t)))
    }

    /// The non-decreasing list of draws of rank $`r < \binom{n + k - 1}{k}`$.
    pub fn unrank(&self, r: &BigUint) -> Result<Vec<u64>, CodecError> {
        let mut out = vec![0u64; self.k as usize];
        self.subsets.unrank_each(r, |i, c| {
            if let Some(slot) = out.get_mut(i) {
                // c_t >= t - 1 for a strictly increasing list starting at 0 or above.
                *slot = c - i as u64;
            }
        })?;
        Ok(out)
    }

    /// The count vector (length $`n`$) of the type of rank `r`, written into `counts`.
    /// On error `counts` is unchanged.
    pub fn unrank_counts(&self, r: &BigUint, counts: &mut [u64]) -> Result<(), CodecError> {
        self.check_counts_len(counts.len())?;
        if r >= self.count() {
            return Err(CodecError::InvalidCodeword(
                "type rank past C(n + k - 1, k)",
            ));
        }
        counts.fill(0);
        self.subsets.unrank_each(r, |i, c| {
            // a_t = c_t - (t - 1) < n by construction of the bijection.
            if let Some(slot) = counts.get_mut((c - i as u64) as usize) {
                *slot += 1;
            }
        })
    }

    fn check_counts_len(&self, len: usize) -> Result<(), CodecError> {
        if len as u64 != self.n {
            return Err(CodecError::InvalidInput(format!(
                "type code expects {} counts, got {len}",
                self.n
            )));
        }
        Ok(())
    }

    /// Writes a non-decreasing list of $`k`$ draws, each below $`n`$, all or nothing.
    pub fn encode_sorted(&self, w: &mut BitWriter, draws: &[u64]) -> Result<(), CodecError> {
        let r = self.rank(draws)?;
        w.ensure_room(self.len())?;
        push_biguint(w, &r, self.len());
        Ok(())
    }

    /// Reads a type as its non-decreasing list of $`k`$ draws. On error the reader does not move.
    pub fn decode_sorted(&self, r: &mut BitReader<'_>) -> Result<Vec<u64>, CodecError> {
        r.rewind_on_error(|r| {
            let rank = read_biguint(r, self.len())?;
            self.unrank(&rank)
        })
    }

    /// Writes a count vector of length $`n`$ summing to $`k`$, all or nothing.
    pub fn encode_counts(&self, w: &mut BitWriter, counts: &[u64]) -> Result<(), CodecError> {
        let r = self.rank_counts(counts)?;
        w.ensure_room(self.len())?;
        push_biguint(w, &r, self.len());
        Ok(())
    }

    /// Reads a type as its count vector into `counts` (length $`n`$). On error the reader does
    /// not move and `counts` is unchanged.
    pub fn decode_counts(
        &self,
        r: &mut BitReader<'_>,
        counts: &mut [u64],
    ) -> Result<(), CodecError> {
        self.check_counts_len(counts.len())?;
        r.rewind_on_error(|r| {
            let rank = read_biguint(r, self.len())?;
            self.unrank_counts(&rank, counts)
        })
    }
}

/// The rank $`\sum_t \binom{c_t}{t}`$ for strictly increasing $`c`$ ($`t`$ counted from 1).
fn rank_sorted(c: impl Iterator<Item = u64>) -> BigUint {
    let mut rank = BigUint::zero();
    // Terms with c_t < t (i.e. c_t = t - 1) are zero; they form a prefix 0, 1, ..., t0 - 1.
    let mut terms = c.zip(1u64..).skip_while(|&(ct, t)| ct < t);
    let Some((mut cur, mut t)) = terms.next() else {
        return rank;
    };
    let mut b = binomial(cur, t); // C(cur, t) > 0
    rank += &b;
    for (next, next_t) in terms {
        // Move c up at fixed t: C(c + 1, t) = C(c, t) (c + 1) / (c + 1 - t), several steps
        // per big-integer operation.
        while cur < next {
            let batch = Batch::new(next - cur, |j| (cur + 1 + j, cur + 1 + j - t));
            b *= batch.num;
            b /= batch.den;
            cur += batch.steps;
        }
        // Then t up at c = next > t: C(c, t + 1) = C(c, t) (c - t) / (t + 1).
        b *= cur - t;
        b /= t + 1;
        t = next_t;
        rank += &b;
    }
    rank
}

/// Consecutive steps $`C \to C\, \mathrm{num}_j/\mathrm{den}_j`$ of a binomial walk, merged while
/// both products fit a `u64`, so one big-integer multiplication and one division make several
/// steps.
///
/// The merged division is exact: the walk's value after the batch is an integer, and it
/// equals the value before times $`\mathrm{num}/\mathrm{den}`$.
struct Batch {
    num: u64,
    den: u64,
    steps: u64,
}

impl Batch {
    /// Merges up to `max_steps` $`\ge 1`$ steps whose factors are `factors(j)` for
    /// $`j = 0, 1, \dots`$.
    #[inline]
    fn new(max_steps: u64, factors: impl Fn(u64) -> (u64, u64)) -> Self {
        let (num, den) = factors(0);
        let mut batch = Self { num, den, steps: 1 };
        while batch.steps < max_steps {
            let (n, d) = factors(batch.steps);
            match (batch.num.checked_mul(n), batch.den.checked_mul(d)) {
                (Some(num), Some(den)) => {
                    batch.num = num;
                    batch.den = den;
                    batch.steps += 1;
                }
                _ => break,
            }
        }
        batch
    }
}

/// Unranks $`r < \binom{n}{k}`$ = `count` into the strictly increasing $`k`$-subset of
/// $`\{0, \dots, n-1\}`$, calling `emit(t - 1, c_t)` for $`t = k, \dots, 1`$.
fn unrank_sorted(
    n: u64,
    k: u64,
    count: &BigUint,
    mut r: BigUint,
    mut emit: impl FnMut(usize, u64),
) {
    if k == 0 {
        return;
    }
    // Start at c = n - 1: C(n - 1, k) = C(n, k) (n - k) / n.
    let mut c = n - 1;
    let mut b = count * (n - k) / n;
    let mut t = k;
    while t >= 1 {
        if r.is_zero() {
            // The remaining elements are 0, 1, ..., t - 1 (all zero terms).
            for j in (0..t).rev() {
                emit(j as usize, j);
            }
            return;
        }
        // Largest c with C(c, t) <= r; r >= 1 = C(t, t) keeps c >= t and b > 0.
        // C(c - 1, t) = C(c, t) (c - t) / c. Batches of steps are tried first; once a batch
        // would overshoot, the target is within it and single steps finish the walk.
        while b > r {
            let batch = Batch::new(c - t, |j| (c - t - j, c - j));
            let trial = (batch.steps > 1).then(|| &b * batch.num / batch.den);
            if let Some(trial) = trial.filter(|trial| *trial > r) {
                b = trial;
                c -= batch.steps;
            } else {
                while b > r {
                    b *= c - t;
                    b /= c;
                    c -= 1;
                }
            }
        }
        emit((t - 1) as usize, c);
        r -= &b;
        if t == 1 {
            return;
        }
        // Next element is below c: C(c - 1, t - 1) = C(c, t) t / c.
        b *= t;
        b /= c;
        c -= 1;
        t -= 1;
    }
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
        assert!(rank_sorted([0, 1, 2, 3].into_iter()).is_zero());
    }
}
