//! Big-integer helpers shared by the joint codes: binomials, bit lengths, word I/O.

use num_bigint::BigUint;
use num_traits::{One, Zero};

use crate::{BitReader, BitWriter, CodecError};

/// Bits needed to write any integer in `[0, count)`: `ceil(log2 count)`, 0 when `count <= 1`.
pub fn bits_for_count(count: &BigUint) -> usize {
    if count <= &BigUint::one() {
        0
    } else {
        let m = count - 1u32;
        m.bits() as usize
    }
}

/// The binomial coefficient `C(n, k)` exactly (0 when `k > n`).
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

/// Writes the low `len` bits of `value` (which must be below `2^len`), least significant first.
/// The caller has checked the room.
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
