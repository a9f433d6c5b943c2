//! What theory says at each measured point; every number comes from the `bounds` crate, or from
//! a scheme's own statement of its Fisher information.
//!
//! - Lower bounds (van Trees with the cos² box prior, notes-000 Theorem 3, reconstructed \[I\]):
//!   `D_BO(T) = d^2/(T min{d, 2B ln 2}/sigma^2 + J)` and the sharper
//!   `D_RD(T) = d^2/(T d (1 - 4^{-B/d})/sigma^2 + J)`, `J = d pi^2/b^2`
//!   ([`bounds::mse_lower_bound`] with [`FisherCap::BarnesOzgur`] and
//!   [`FisherCap::RateDistortion`]). Since the second cap is never above the first,
//!   `D_RD >= D_BO`, and `ratio_to_bound = mse / max(D_BO, D_RD) = mse / D_RD`.
//! - Asymptotic ratio of an adaptive scheme: with `k` coordinates of `q` bits per round at the
//!   Fisher-optimal cells, the running mean reaches `mse ~ d^2/(T F)` with
//!   `F = k I(q)/sigma^2` ([`AdaptiveScheme::fisher_information_per_round`]), so as `T -> inf`
//!   `ratio -> cap_RD / F`: `(pi/2)(1 - 4^{-B/d}) d/B` for sign bits, between `1.18` (`B = d`)
//!   and `pi ln 2 = 2.18` (`B -> 0`).
//! - Upper guarantee of the bounded-range scheme (notes-000 Theorem 4, reconstructed \[I\]):
//!   `mse <= d (sigma^2 + Delta^2/4)/floor(T k/d)` ([`bounds::AchievabilityScheme`]), valid when
//!   no coordinate is clipped.

use anyhow::Result;
use bounds::{AchievabilityScheme, FisherCap, mse_lower_bound, rate_distortion_cap};
use quantizers::adaptive::AdaptiveScheme;

use super::setting::Setting;

/// The two lower bounds on `E||x_T - theta||^2` at one point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LowerBounds {
    /// With the Barnes–Özgür cap `min{d, 2B ln 2}/sigma^2`.
    pub barnes_ozgur: f64,
    /// With the rate–distortion cap `d (1 - 4^{-B/d})/sigma^2`.
    pub rate_distortion: f64,
}

impl LowerBounds {
    /// The larger (sharper) of the two.
    pub fn max(&self) -> f64 {
        self.barnes_ozgur.max(self.rate_distortion)
    }
}

/// Both lower bounds after `rounds` rounds of `bits` bits in dimension `d`.
pub fn lower_bounds(setting: &Setting, d: usize, bits: usize, rounds: u64) -> Result<LowerBounds> {
    let prior = setting.bound_prior();
    let b = bits as f64;
    Ok(LowerBounds {
        barnes_ozgur: mse_lower_bound(
            d,
            rounds,
            setting.sigma,
            FisherCap::BarnesOzgur { bits: b },
            &prior,
        )?,
        rate_distortion: mse_lower_bound(
            d,
            rounds,
            setting.sigma,
            FisherCap::RateDistortion { bits: b },
            &prior,
        )?,
    })
}

/// The `T -> inf` ratio of the best adaptive scheme at budget `bits`: `cap_RD / (k I(q)/sigma^2)`.
pub fn adaptive_asymptotic_ratio(setting: &Setting, d: usize, bits: usize) -> Result<f64> {
    let scheme = AdaptiveScheme::for_gaussian(d, bits, setting.sigma)?;
    let cap = rate_distortion_cap(d, bits as f64, setting.sigma)?;
    Ok(cap / scheme.fisher_information_per_round())
}

/// Theorem 4's guarantee for the bounded-range scheme after `rounds` rounds, when every
/// coordinate has been described at least once (`None` before that).
pub fn bounded_range_guarantee(
    setting: &Setting,
    d: usize,
    bits: usize,
    rounds: u64,
) -> Result<Option<f64>> {
    let scheme = AchievabilityScheme::new(d, bits as u64, setting.range(), setting.sigma)?;
    Ok(scheme.mse_bound(rounds).ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::{LN_2, PI};

    #[test]
    fn the_rate_distortion_bound_is_the_sharper_one() {
        let s = Setting::default();
        for bits in [1, 4, 16, 64, 256] {
            let lb = lower_bounds(&s, 16, bits, 1000).unwrap();
            assert!(lb.rate_distortion >= lb.barnes_ozgur, "B = {bits}");
            assert_eq!(lb.max(), lb.rate_distortion);
        }
    }

    #[test]
    fn lower_bounds_are_van_trees_with_the_box_prior() {
        // d = 16, B = 16, T = 100, b = 1: J = 16 pi^2, caps 16 and 12.
        let s = Setting::default();
        let lb = lower_bounds(&s, 16, 16, 100).unwrap();
        let j = 16.0 * PI * PI;
        assert!((lb.barnes_ozgur - 256.0 / (1600.0 + j)).abs() < 1e-12);
        assert!((lb.rate_distortion - 256.0 / (1200.0 + j)).abs() < 1e-12);
    }

    #[test]
    fn sign_bits_approach_the_bound_within_1_18_to_2_18() {
        let s = Setting::default();
        let d = 1024;
        let at_d = adaptive_asymptotic_ratio(&s, d, d).unwrap();
        assert!((at_d - PI / 2.0 * 0.75).abs() < 1e-12); // 1.178
        let small = adaptive_asymptotic_ratio(&s, d, 1).unwrap();
        assert!((small - PI * LN_2).abs() < 2e-3); // 2.178, approached as B/d -> 0
        let mid = adaptive_asymptotic_ratio(&s, d, d / 16).unwrap();
        assert!(mid > at_d && mid < small);
    }

    #[test]
    fn the_bounded_range_guarantee_needs_every_coordinate_described() {
        // d = 16, B = 8: q = 4, k = 2; R = 7, Delta = 14/15.
        let s = Setting::default();
        assert_eq!(bounded_range_guarantee(&s, 16, 8, 7).unwrap(), None);
        let g = bounded_range_guarantee(&s, 16, 8, 80).unwrap().unwrap();
        let delta = 14.0 / 15.0;
        assert!((g - 16.0 * (1.0 + delta * delta / 4.0) / 10.0).abs() < 1e-12);
    }
}
