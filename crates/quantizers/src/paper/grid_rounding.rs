//! Stochastic rounding onto a uniform grid straight from a random word, for hot loops.
//!
//! For the grid `lo + j Delta`, `j = 0..L-1`, and `v` in it, stochastic rounding picks
//! `j = floor(x) + [u < x - floor(x)]` with `x = (v - lo)/Delta` and the uniform
//! `u = (w >> 11) 2^-53` of a random word `w` ([`UniformGrid::stochastic_index`]).
//! [`GridRounding::index`] computes the same `j` from the same floating-point values, in
//! a branch-free form of plain `f64` additions, comparisons and selects that the compiler
//! vectorises (baseline x86-64 has no packed conversion between `f64` and 64-bit integers,
//! and its saturating `f64 -> i32` conversion is scalar):
//!
//! - `x` is capped at `L - 1`, which changes no index (any `x >= L - 1` rounds to `L - 1`);
//! - for `0 <= x <= L - 1 < 2^30`, `t = x + 2^52` holds `x` rounded to an integer in its
//!   low bits, `r = t - 2^52` is that integer, and `floor(x) = r - [r > x]`; the fraction
//!   `x - floor(x)` is then the grid's own;
//! - `u < frac` is compared as `w >> 11 < frac 2^53` (both sides scaled exactly by
//!   `2^53`), with `w >> 11 = 2 (w >> 12) + ((w >> 11) & 1)` converted to `f64` exactly
//!   by the exponent trick `n = bits(2^52 | n) - 2^52` for `n < 2^52`;
//! - `j` is the low bits of `t`, minus `[r > x]`, plus `[u < frac]`.
//!
//! For two levels [`GridRounding::upper`] is shorter still: the index is `[u < x]` for
//! every `x` (`x >= 1` gives 1 and `x <= 0` or NaN gives 0 either way).

use crate::grid::UniformGrid;

/// `2^52`: adding it to a non-negative `f64` below `2^51` rounds to an integer.
const TWO_52: f64 = 4_503_599_627_370_496.0;

/// `2^53`.
const TWO_53: f64 = 9_007_199_254_740_992.0;

/// The largest grid [`GridRounding`] accepts: `2^30` points.
const MAX_LEVELS: u64 = 1 << 30;

/// A grid's stochastic rounding as a few constants.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GridRounding {
    lo: f64,
    inv_step: f64,
    /// `L - 1`, the top index, where `x` is capped.
    top: f64,
}

impl GridRounding {
    /// The rounding of `grid`, if it has at most `2^30` points.
    pub(crate) fn new(grid: &UniformGrid) -> Option<Self> {
        (grid.levels() <= MAX_LEVELS).then(|| Self {
            lo: grid.lo(),
            // The grid's own reciprocal, computed the same way.
            inv_step: 1.0 / grid.step(),
            top: (grid.levels() - 1) as f64,
        })
    }

    /// `grid.stochastic_index(v, u)` for the uniform `u = (w >> 11) 2^-53` of the word `w`.
    #[inline(always)]
    pub(crate) fn index(&self, v: f64, w: u64) -> u32 {
        // As the grid's max(0): NaN and -0 give 0 (either zero has index 0).
        let x = (v - self.lo) * self.inv_step;
        let x = if x > 0.0 { x } else { 0.0 };
        let x = if x < self.top { x } else { self.top };
        let t = x + TWO_52;
        let r = t - TWO_52;
        let down = r > x;
        let floor = r - if down { 1.0 } else { 0.0 };
        let up = scaled_uniform(w) < (x - floor) * TWO_53;
        // In 64-bit lanes, so that one narrowing packs the result.
        let j = t
            .to_bits()
            .wrapping_sub(u64::from(down))
            .wrapping_add(u64::from(up));
        j as u32
    }

    /// For a grid of two points: whether `v` rounds to the upper one, i.e. `index(v, w) == 1`.
    #[inline(always)]
    pub(crate) fn upper(&self, v: f64, w: u64) -> bool {
        scaled_uniform(w) < (v - self.lo) * self.inv_step * TWO_53
    }
}

/// `(w >> 11) as f64`, exactly: the uniform of `w` times `2^53`.
#[inline(always)]
fn scaled_uniform(w: u64) -> f64 {
    2.0 * exact_f64(w >> 12) + exact_f64((w >> 11) & 1)
}

/// `n as f64` for `n < 2^52`, exactly, without a 64-bit integer conversion.
#[inline(always)]
fn exact_f64(n: u64) -> f64 {
    f64::from_bits(TWO_52.to_bits() | n) - TWO_52
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn indices_equal_the_grids_stochastic_rounding() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (lo, hi, levels) in [
            (-1.0, 1.0, 2u64),
            (-8.0, 8.0, 2),
            (-0.1, 3.7, 2),
            (-8.0, 8.0, 4),
            (-0.3, 0.7, 5),
            (-1e-3, 1e-3, 255),
            (-7.25, 7.25, 1 << 12),
            (0.0, 1.0, 1 << 30),
        ] {
            let grid = UniformGrid::new(lo, hi, levels).unwrap();
            let fast = GridRounding::new(&grid).unwrap();
            for _ in 0..20_000 {
                let v = match rng.random_range(0..4) {
                    0 => lo,
                    1 => hi,
                    // Grid points and their neighbours, where the fraction is 0 or nearly 1.
                    2 => {
                        let j = rng.random_range(0..levels);
                        let p = grid.value(j);
                        match rng.random_range(0..3) {
                            0 => p.next_down().max(lo),
                            1 => p,
                            _ => p.next_up().min(hi),
                        }
                    }
                    _ => rng.random_range(lo..=hi),
                };
                // Small words too, where u is 0 or below every fraction, and words whose
                // uniform is the fraction itself or just below or above it.
                let w: u64 = match rng.random_range(0..8) {
                    0 => rng.random_range(0..1 << 12),
                    1 => {
                        let x = ((v - lo) * (1.0 / grid.step())).max(0.0);
                        let at = ((x - x.floor()) * TWO_53) as u64;
                        let near = (at + rng.random_range(0..3)).saturating_sub(1);
                        (near.min((1 << 53) - 1) << 11) | rng.random_range(0..1 << 11)
                    }
                    _ => rng.random(),
                };
                let u = (w >> 11) as f64 / TWO_53;
                let expect = grid.stochastic_index(v, u);
                assert_eq!(
                    u64::from(fast.index(v, w)),
                    expect,
                    "v = {v:e}, w = {w:#x}, grid [{lo}, {hi}] x {levels}"
                );
                if levels == 2 {
                    assert_eq!(u64::from(fast.upper(v, w)), expect, "v = {v:e}, w = {w:#x}");
                }
            }
        }
    }

    #[test]
    fn values_outside_the_grid_clamp_like_the_grid() {
        let grid = UniformGrid::new(-1.0, 1.0, 4).unwrap();
        let fast = GridRounding::new(&grid).unwrap();
        for v in [-5.0, 1.0 + 1e-12, 3.0, 1e300, -1e300, f64::NAN] {
            for w in [0u64, u64::MAX, 1 << 63] {
                let u = (w >> 11) as f64 / TWO_53;
                assert_eq!(u64::from(fast.index(v, w)), grid.stochastic_index(v, u));
                let two = UniformGrid::new(-1.0, 1.0, 2).unwrap();
                let upper = GridRounding::new(&two).unwrap().upper(v, w);
                assert_eq!(u64::from(upper), two.stochastic_index(v, u));
            }
        }
    }

    #[test]
    fn grids_past_two_to_the_thirty_points_are_not_taken() {
        let grid = UniformGrid::new(0.0, 1.0, (1 << 30) + 1).unwrap();
        assert!(GridRounding::new(&grid).is_none());
    }
}
