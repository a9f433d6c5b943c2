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
//! - Asymptotic ratio of the bounded-range scheme (derived here \[I\]): near the optimum a
//!   described coordinate is `g_i ~ N(0, sigma^2)`, rounded with conditional variance
//!   `(g - a)(a + Delta - g)`; with `v = E[(g - a)(a + Delta - g)]` (by quadrature against the
//!   normal density) each of the `T k/d` samples of a coordinate has variance `sigma^2 + v`, so
//!   `ratio -> cap_RD (sigma^2 + v)/k`. This is about `q (1 + Delta^2/(6 sigma^2)) cap/B`: the log
//!   factor `q` of Theorem 4.

use anyhow::Result;
use bounds::{AchievabilityScheme, FisherCap, mse_lower_bound, normal_pdf, rate_distortion_cap};
use quantizers::RoundRobinRange;
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

/// Cells of the quadrature for the rounding variance over `z in [-Z_MAX, Z_MAX]`.
const QUADRATURE_CELLS: usize = 40_000;
/// The quadrature's range in standard deviations (the normal mass beyond is `1.5e-23`).
const Z_MAX: f64 = 10.0;

/// `E[(g - a)(a + Delta - g)]` for `g ~ N(0, sigma^2)` on the scheme's grid (midpoint rule; the
/// integrand is piecewise quadratic, so the error is far below the Monte Carlo noise).
fn expected_rounding_variance(q: &RoundRobinRange, sigma: f64) -> f64 {
    let h = 2.0 * Z_MAX / QUADRATURE_CELLS as f64;
    (0..QUADRATURE_CELLS)
        .map(|i| {
            let z = -Z_MAX + (i as f64 + 0.5) * h;
            q.grid().rounding_variance(sigma * z) * normal_pdf(z) * h
        })
        .sum()
}

/// The `T -> inf` ratio of the bounded-range scheme at budget `bits` (module docs).
pub fn bounded_range_asymptotic_ratio(setting: &Setting, d: usize, bits: usize) -> Result<f64> {
    let q = RoundRobinRange::new(d, bits, setting.range(), setting.sigma)?;
    let v = expected_rounding_variance(&q, setting.sigma);
    let s2 = setting.sigma * setting.sigma;
    let cap = rate_distortion_cap(d, bits as f64, setting.sigma)?;
    Ok(cap * (s2 + v) / (q.schedule().per_round() as f64 * s2))
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
    fn the_bounded_range_ratio_is_about_q_times_cap_over_b() {
        // d = 64, B = 64: q = 4, k = 16, Delta = 14/15; v is about Delta^2/6 for a grid this
        // fine, and the cap is 48.
        let s = Setting::default();
        let r = bounded_range_asymptotic_ratio(&s, 64, 64).unwrap();
        let delta: f64 = 14.0 / 15.0;
        let approx = 48.0 * (1.0 + delta * delta / 6.0) / 16.0;
        assert!((r - approx).abs() < 0.01 * approx, "{r} vs {approx}");
    }

    #[test]
    fn the_coarse_two_point_grid_has_variance_r_squared_minus_sigma_squared() {
        // B = 1 < q: the grid is {-7, 7}, and (7 - g)(g + 7) averages 49 - 1 = 48.
        let s = Setting::default();
        let q = RoundRobinRange::new(16, 1, s.range(), s.sigma).unwrap();
        assert!((expected_rounding_variance(&q, 1.0) - 48.0).abs() < 1e-6);
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
