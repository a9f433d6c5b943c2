//! Level sets on `[0, 1]` and unbiased stochastic rounding onto them: the shared core of QSGD
//! and natural dithering.
//!
//! A magnitude `r = |v_i| / ||v||` in `[a, b]` (adjacent levels) goes to `b` with probability
//! `(r - a)/(b - a)` and to `a` otherwise, so `E[level] = r` with variance `(r - a)(b - r)`.
//! With the sign, coordinate `i` becomes one symbol `top + sgn(v_i) idx_i` of the alphabet
//! `{0, ..., 2 top}` (`sgn(0) = +1`; a zero level has one symbol whatever the sign).

use bitcodec::CodecError;

use super::pow2::{floor_log2, pow2};
use super::symbols::{SymbolSink, SymbolSource};
use crate::Scalar;
use crate::random::Uniforms;

/// The levels a normalized magnitude is rounded to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LevelSet {
    /// QSGD's `{0, 1/s, 2/s, ..., 1}`; level `idx` is `idx/s`.
    Uniform(u32),
    /// Natural dithering's `{0, 2^(1-s), ..., 1/2, 1}`; level `idx >= 1` is `2^(idx - s)`.
    Dyadic(u32),
}

impl LevelSet {
    /// The highest index `s` (the level `1`).
    pub(crate) fn top(self) -> u32 {
        match self {
            LevelSet::Uniform(s) | LevelSet::Dyadic(s) => s,
        }
    }

    /// The level with index `idx <= top`.
    #[inline]
    pub(crate) fn value(self, idx: u32) -> f64 {
        match self {
            LevelSet::Uniform(s) => f64::from(idx) / f64::from(s),
            LevelSet::Dyadic(_) if idx == 0 => 0.0,
            LevelSet::Dyadic(s) => pow2(idx as i32 - s as i32),
        }
    }

    /// Unbiased stochastic rounding of `r` (clamped to `[0, 1]`) with a uniform `u in [0, 1)`.
    #[inline]
    pub(crate) fn round(self, r: f64, u: f64) -> u32 {
        match self {
            LevelSet::Uniform(s) => {
                let x = (r * f64::from(s)).clamp(0.0, f64::from(s));
                let floor = x.floor();
                let idx = floor as u32;
                if idx >= s {
                    s
                } else {
                    idx + u32::from(u < x - floor)
                }
            }
            LevelSet::Dyadic(s) => {
                if r >= 1.0 {
                    return s;
                }
                if r <= 0.0 {
                    return 0;
                }
                let lowest = 1 - s as i32;
                let delta = pow2(lowest);
                if r < delta {
                    // Between 0 and the lowest level 2^(1-s); r/delta is an exact scaling.
                    return u32::from(u < r / delta);
                }
                // r in [2^e, 2^(e+1)) with lowest <= e <= -1: up with probability r/2^e - 1
                // (exact: a division by a power of two, then Sterbenz subtraction).
                let e = floor_log2(r);
                let p_up = r / pow2(e) - 1.0;
                (e - lowest + 1) as u32 + u32::from(u < p_up)
            }
        }
    }

    /// The symbol of index `idx` with a sign.
    #[inline]
    pub(crate) fn symbol(self, idx: u32, negative: bool) -> u64 {
        let top = u64::from(self.top());
        if negative {
            top - u64::from(idx)
        } else {
            top + u64::from(idx)
        }
    }

    /// The signed level of a symbol `sym <= 2 top`.
    #[inline]
    pub(crate) fn signed_value(self, sym: u64) -> f64 {
        let top = u64::from(self.top());
        if sym < top {
            -self.value((top - sym) as u32)
        } else {
            self.value((sym - top).min(top) as u32)
        }
    }

    /// The alphabet size `2 top + 1`.
    pub(crate) fn alphabet(self) -> u64 {
        2 * u64::from(self.top()) + 1
    }
}

/// `|v_i| / ||v||` without a division per coordinate when `1/||v||` is finite, and `0` for a
/// zero norm (so a zero vector never produces `0/0`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ratio {
    norm: f64,
    inv: f64,
}

impl Ratio {
    /// The ratio to `norm >= 0`.
    pub(crate) fn new(norm: f64) -> Self {
        Self {
            norm,
            inv: 1.0 / norm,
        }
    }

    /// `a / norm`, or 0 when the norm is 0.
    #[inline]
    pub(crate) fn of(self, a: f64) -> f64 {
        if self.norm == 0.0 {
            0.0
        } else if self.inv.is_finite() {
            a * self.inv
        } else {
            a / self.norm
        }
    }
}

/// Rounds `|x_i| / norm` onto `levels` for every coordinate and pushes the signed symbols.
pub(crate) fn push_symbols<T: Scalar>(
    levels: LevelSet,
    x: &[T],
    norm: f64,
    u: &mut Uniforms<'_>,
    sink: &mut SymbolSink<'_>,
) -> Result<(), CodecError> {
    let ratio = Ratio::new(norm);
    for v in x {
        let v = v.to_f64();
        let idx = levels.round(ratio.of(v.abs()), u.unit_f64());
        sink.push(levels.symbol(idx, v < 0.0))?;
    }
    Ok(())
}

/// Reads one signed symbol per output coordinate and writes `norm` times its level.
pub(crate) fn read_symbols(
    levels: LevelSet,
    out: &mut [f64],
    norm: f64,
    symbols: &mut SymbolSource<'_, '_>,
) -> Result<(), CodecError> {
    for o in out {
        *o = norm * levels.signed_value(symbols.next_symbol()?);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mean of `round(r, u)` over uniform `u`: the step in `u` is found by bisection.
    fn mean_level(levels: LevelSet, r: f64) -> f64 {
        let up = levels.round(r, 0.0);
        let (mut a, mut b) = (0.0f64, 1.0 - f64::EPSILON);
        let down = levels.round(r, b);
        if up == down {
            return levels.value(up);
        }
        for _ in 0..80 {
            let mid = 0.5 * (a + b);
            if levels.round(r, mid) == up {
                a = mid;
            } else {
                b = mid;
            }
        }
        levels.value(down) + b * (levels.value(up) - levels.value(down))
    }

    #[test]
    fn uniform_rounding_brackets_and_is_unbiased() {
        let l = LevelSet::Uniform(4);
        assert_eq!(l.round(0.3, 0.19), 2); // 1.2 -> 2 w.p. 0.2
        assert_eq!(l.round(0.3, 0.21), 1);
        assert_eq!(l.round(1.0, 0.0), 4);
        assert_eq!(l.round(1.0 + 1e-16, 0.0), 4);
        assert_eq!(l.round(0.0, 0.0), 0);
        for r in [0.01, 0.3, 0.5, 0.77] {
            assert!((mean_level(l, r) - r).abs() < 1e-12);
        }
    }

    #[test]
    fn dyadic_levels_are_powers_of_two() {
        let l = LevelSet::Dyadic(3); // 0, 1/4, 1/2, 1
        assert_eq!(
            (0..=3).map(|i| l.value(i)).collect::<Vec<_>>(),
            vec![0.0, 0.25, 0.5, 1.0]
        );
        assert_eq!(l.round(0.375, 0.49), 2); // between 1/4 and 1/2, up w.p. 1/2
        assert_eq!(l.round(0.375, 0.51), 1);
        assert_eq!(l.round(0.1, 0.39), 1); // between 0 and 1/4, up w.p. 0.4
        assert_eq!(l.round(0.1, 0.41), 0);
        assert_eq!(l.round(0.5, 0.0), 2);
        for r in [0.01, 0.2, 0.3, 0.6, 0.99] {
            assert!((mean_level(l, r) - r).abs() < 1e-12, "r = {r}");
        }
    }

    #[test]
    fn symbols_round_trip_with_sign() {
        let l = LevelSet::Uniform(2);
        assert_eq!(l.alphabet(), 5);
        assert_eq!(l.symbol(0, true), l.symbol(0, false));
        assert_eq!(l.signed_value(l.symbol(1, true)), -0.5);
        assert_eq!(l.signed_value(l.symbol(2, false)), 1.0);
    }

    #[test]
    fn ratio_of_a_zero_norm_is_zero() {
        assert_eq!(Ratio::new(0.0).of(0.0), 0.0);
        assert_eq!(Ratio::new(4.0).of(1.0), 0.25);
        let tiny = 1e-310;
        assert_eq!(Ratio::new(tiny).of(tiny), 1.0);
    }
}
