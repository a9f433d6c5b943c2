//! Exact powers of two and binary exponents, by bit manipulation rather than `exp2`/`log2`
//! (whose last-bit accuracy libm does not promise).

/// `2^e` exactly, for `-1022 <= e <= 1023` (the normal `f64` exponents; `e` is clamped there).
pub(crate) fn pow2(e: i32) -> f64 {
    let biased = (e + 1023).clamp(1, 2046) as u64;
    f64::from_bits(biased << 52)
}

/// `floor(log2 x)` for a positive **normal** `f64` `x` (subnormals read as `-1023`).
pub(crate) fn floor_log2(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powers_of_two_are_exact_and_invert_floor_log2() {
        for e in -1022..=1023 {
            let p = pow2(e);
            assert_eq!(p, 2f64.powi(e), "2^{e}");
            assert_eq!(floor_log2(p), e);
            if e < 1023 {
                assert_eq!(floor_log2(p * 1.999), e);
            }
        }
    }
}
