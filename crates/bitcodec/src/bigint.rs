//! Big-integer helpers shared by the joint codes: binomials, bit lengths, word I/O, and
//! divide-and-conquer radix conversion.

use num_bigint::BigUint;
use num_integer::Integer;
use num_traits::{One, Zero};

use crate::{BitReader, BitWriter, CodecError};

/// Bits needed to write any integer in $`[0, c)`$, $`c`$ = `count`: $`\lceil \log_2 c \rceil`$,
/// 0 when $`c \le 1`$.
pub fn bits_for_count(count: &BigUint) -> usize {
    if count <= &BigUint::one() {
        0
    } else {
        let m = count - 1u32;
        m.bits() as usize
    }
}

/// The binomial coefficient $`\binom{n}{k}`$ exactly (0 when $`k > n`$).
pub fn binomial(n: u64, k: u64) -> BigUint {
    if k > n {
        return BigUint::zero();
    }
    let k = k.min(n - k);
    let mut b = BigUint::one();
    for i in 0..k {
        // C(n, i+1) = C(n, i) * (n - i) / (i + 1), exact at every step.
        b *= n - i;
        b /= i + 1;
    }
    b
}

/// Writes the low `len` bits of `value` (which must be below $`2^{\mathrm{len}}`$), least
/// significant first. The caller has checked the room.
pub(crate) fn push_biguint(w: &mut BitWriter, value: &BigUint, len: usize) {
    let mut left = len;
    let mut digits = value.iter_u64_digits();
    while left > 0 {
        let width = left.min(64) as u32;
        let d = digits.next().unwrap_or(0);
        w.push_unchecked(
            if width == 64 {
                d
            } else {
                d & ((1u64 << width) - 1)
            },
            width,
        );
        left -= width as usize;
    }
}

/// Reads `len` bits as a big integer, least significant first.
pub(crate) fn read_biguint(r: &mut BitReader<'_>, len: usize) -> Result<BigUint, CodecError> {
    r.ensure_available(len)?;
    let mut words = Vec::with_capacity(len.div_ceil(64));
    let mut left = len;
    while left > 0 {
        let width = left.min(64) as u32;
        words.push(r.take_unchecked(width));
        left -= width as usize;
    }
    // BigUint from little-endian u32 digits.
    let digits: Vec<u32> = words
        .iter()
        .flat_map(|&w| [w as u32, (w >> 32) as u32])
        .collect();
    Ok(BigUint::new(digits))
}

/// The powers $`N^{2^j}`$ for $`j = 0, 1, \dots`$ while $`2^j <`$ `digits` (always at least
/// $`N`$): the splitting points of the divide-and-conquer conversions below.
pub(crate) fn radix_powers(base: &BigUint, digits: usize) -> Vec<BigUint> {
    let mut powers = vec![base.clone()];
    let mut span = 1usize;
    while span.saturating_mul(2) < digits {
        let next = powers.last().map(|p| p * p).unwrap_or_else(BigUint::one);
        powers.push(next);
        span *= 2;
    }
    powers
}

/// The number $`\sum_i d_i N^i`$ of the base-$`N`$ `digits` $`d_i`$, combining neighbours pairwise:
/// level $`j`$ joins blocks of $`2^j`$ digits with one multiplication by $`N^{2^j}`$. With
/// Karatsuba multiplication this is far below the quadratic cost of Horner's rule on big numbers.
pub(crate) fn digits_to_biguint(digits: &[u64], powers: &[BigUint]) -> BigUint {
    let mut level: Vec<BigUint> = digits.iter().map(|&d| BigUint::from(d)).collect();
    for p in powers {
        if level.len() <= 1 {
            break;
        }
        level = level
            .chunks(2)
            .map(|pair| match pair {
                [lo, hi] => lo + hi * p,
                [lo] => lo.clone(),
                _ => BigUint::zero(),
            })
            .collect();
    }
    level.pop().unwrap_or_default()
}

/// The inverse of [`digits_to_biguint`]: writes the base-$`N`$ digits of `v` into `out`
/// (least significant first), splitting `v` by $`N^{2^j}`$ recursively. `v` must be below
/// $`N^m`$, $`m`$ = `out.len()`, so every digit fits in a `u64` ($`N \le 2^{64}`$).
pub(crate) fn biguint_to_digits(v: BigUint, powers: &[BigUint], out: &mut [u64]) {
    let count = out.len();
    if count <= 1 {
        if let Some(o) = out.first_mut() {
            *o = v.iter_u64_digits().next().unwrap_or(0);
        }
        return;
    }
    // Largest j with 2^j < count: the low block has 2^j digits, the high one the rest.
    let j = (usize::BITS - 1 - (count - 1).leading_zeros()) as usize;
    let (lo_out, hi_out) = out.split_at_mut(1 << j);
    if let Some(p) = powers.get(j) {
        let (hi, lo) = v.div_rem(p);
        biguint_to_digits(lo, powers, lo_out);
        biguint_to_digits(hi, powers, hi_out);
    }
}
