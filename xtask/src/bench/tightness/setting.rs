//! The problem the `tightness` experiment simulates and the sizes it runs at, in one place.
//!
//! Problem (paper 000, notes §1): `f(x) = 1/2 ||x - theta||^2` on `R^d`, gradients
//! `g = x - theta + sigma Z` with `sigma = 1`, and `theta` drawn per trial from the cos² box prior
//! on `[-b, b]^d` (`b = 1`, prior information `J = d pi^2/b^2`), the prior the van Trees bound
//! uses. Ranged schemes need a range the Gaussian oracle does not have:
//! - the bounded-range scheme gets `R = 2b + c sigma` with `c = 5` (a query in the box is at
//!   most `2b` from `theta`; a noise coordinate leaves `[-5 sigma, 5 sigma]` with probability
//!   `5.7e-7`), so `q = ceil(log2(1 + 2R/sigma)) = 4` bits per coordinate;
//! - the `l_2`-bounded schemes (SimQ+, RATQ) get `||g||_2 <= sigma (sqrt d + 4)`: near the
//!   optimum `||g|| ~ sigma ||Z||`, whose standard deviation is about `sigma/sqrt 2`, so the
//!   ball holds it but for `5.7` standard deviations; early rounds, far from the optimum, can clip.

use super::schemes::budget_grid;
use crate::bench::Mode;

/// The problem and the schemes' ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Noise level `sigma`.
    pub sigma: f64,
    /// Half-width `b` of the cos² box prior on `theta`.
    pub half_width: f64,
    /// `c` in the bounded-range scheme's `R = 2b + c sigma`.
    pub range_margin: f64,
    /// The margin `m` in the `l_2` ball `sigma (sqrt d + m)` of SimQ+ and RATQ.
    pub norm_margin: f64,
    /// QSGD's numbers of levels `s`.
    pub qsgd_levels: [u32; 4],
    /// SimQ+ runs at budgets up to this many bits per coordinate (its exact type code costs
    /// `O(k (d + k))` word operations per message, and `k` grows exponentially in `B/d`: at
    /// `d = 256` a round takes about 0.1 ms at `B = 2d` and 0.3 ms at `B = 4d`).
    pub simq_max_bits_per_coordinate: usize,
    /// lowbit's stated ambition: a scheme within this factor of the lower bound at every `B <= d`.
    pub ambition: f64,
}

impl Default for Setting {
    fn default() -> Self {
        Self {
            sigma: 1.0,
            half_width: 1.0,
            range_margin: 5.0,
            norm_margin: 4.0,
            qsgd_levels: [1, 2, 4, 8],
            simq_max_bits_per_coordinate: 2,
            ambition: 2.5,
        }
    }
}

impl Setting {
    /// The bounded-range scheme's dynamic range `R = 2b + c sigma`.
    pub fn range(&self) -> f64 {
        2.0 * self.half_width + self.range_margin * self.sigma
    }

    /// The `l_2` ball of the norm-bounded schemes, `sigma (sqrt d + m)`.
    pub fn norm_bound(&self, d: usize) -> f64 {
        self.sigma * ((d as f64).sqrt() + self.norm_margin)
    }

    /// The largest budget SimQ+ runs at.
    pub fn simq_max_budget(&self, d: usize) -> usize {
        self.simq_max_bits_per_coordinate.saturating_mul(d)
    }

    /// The prior the oracle draws `theta` from.
    pub fn oracle_prior(&self) -> oracles::Prior {
        oracles::Prior::CosSquaredBox { b: self.half_width }
    }

    /// The same prior, as the bounds see it (`J = d pi^2/b^2`).
    pub fn bound_prior(&self) -> bounds::Prior {
        bounds::Prior::Box {
            half_width: self.half_width,
        }
    }
}

/// How much the experiment runs in each mode.
#[derive(Debug, Clone, PartialEq)]
pub struct Sizes {
    /// Dimensions `d`.
    pub dims: Vec<usize>,
    /// Budgets `B = 2^e d` for these exponents `e` (budgets below one bit are dropped).
    pub exponents: Vec<i32>,
    /// Rounds at `B >= d`; a run at `B < d` gets `d/B` times more ([`Sizes::rounds`]).
    pub unit_rounds: u64,
    /// Trials times `d`: trials are `max(min_trials, coordinate_trials / d)`, so the relative
    /// standard error of the mse, about `sqrt(2/(d trials))`, is the same for every `d`.
    pub coordinate_trials: u64,
    /// The fewest trials of any run.
    pub min_trials: u64,
}

impl Sizes {
    /// The sizes of a mode.
    pub fn for_mode(mode: Mode) -> Self {
        let grid: Vec<i32> = (-4..=4).collect();
        mode.pick(
            Self {
                dims: vec![16],
                exponents: vec![-2, 0, 2],
                unit_rounds: 256,
                coordinate_trials: 1600,
                min_trials: 16,
            },
            Self {
                dims: vec![16, 64, 256],
                exponents: grid.clone(),
                unit_rounds: 1024,
                coordinate_trials: 6400,
                min_trials: 16,
            },
            Self {
                dims: vec![16, 64, 256, 1024],
                exponents: grid,
                unit_rounds: 8192,
                coordinate_trials: 25_600,
                min_trials: 16,
            },
        )
    }

    /// Trials at dimension `d`.
    pub fn trials(&self, d: usize) -> u64 {
        (self.coordinate_trials / d.max(1) as u64).max(self.min_trials)
    }

    /// Rounds `T` of a run at budget `B` in dimension `d`: `unit max(1, d/B)`, so that a scheme
    /// describing `k ~ B` coordinates per round (sign bits) gives every coordinate about `unit`
    /// samples whatever `B`, and the asymptotic regime is reached at every budget.
    pub fn rounds(&self, d: usize, bits: usize) -> u64 {
        let stretch = if bits >= d {
            1
        } else {
            d.div_ceil(bits.max(1)) as u64
        };
        self.unit_rounds.saturating_mul(stretch)
    }

    /// The longest run of dimension `d` (the unquantized reference runs this long, so that it
    /// spans every other run).
    pub fn longest_rounds(&self, d: usize) -> u64 {
        budget_grid(d, &self.exponents)
            .iter()
            .map(|&b| self.rounds(d, b))
            .max()
            .unwrap_or(self.unit_rounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_gives_four_bits_per_coordinate() {
        let s = Setting::default();
        assert_eq!(s.range(), 7.0);
        assert_eq!(
            quantizers::RoundRobinRange::bits_for(s.range(), s.sigma).unwrap(),
            4
        );
    }

    #[test]
    fn the_norm_ball_is_sqrt_d_plus_the_margin() {
        let s = Setting::default();
        assert_eq!(s.norm_bound(64), 12.0);
        assert_eq!(s.norm_bound(256), 20.0);
    }

    #[test]
    fn runs_below_one_bit_per_coordinate_are_longer_by_d_over_b() {
        let sizes = Sizes::for_mode(Mode::Default);
        assert_eq!(sizes.rounds(64, 4), 16 * 1024);
        assert_eq!(sizes.rounds(64, 32), 2 * 1024);
        assert_eq!(sizes.rounds(64, 64), 1024);
        assert_eq!(sizes.rounds(64, 1000), 1024);
        assert_eq!(sizes.rounds(64, 48), 2 * 1024); // ceil(64/48)
        assert_eq!(sizes.longest_rounds(64), 16 * 1024);
        assert_eq!(Sizes::for_mode(Mode::Quick).longest_rounds(16), 4 * 256);
    }

    #[test]
    fn trials_keep_d_times_trials_constant_above_the_floor() {
        let sizes = Sizes::for_mode(Mode::Default);
        assert_eq!(sizes.trials(16), 400);
        assert_eq!(sizes.trials(64), 100);
        assert_eq!(sizes.trials(256), 25);
        assert_eq!(Sizes::for_mode(Mode::Full).trials(1024), 25);
        assert_eq!(Sizes::for_mode(Mode::Quick).trials(1 << 20), 16);
    }
}
