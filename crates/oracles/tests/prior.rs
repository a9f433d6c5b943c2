//! Priors on theta: the cos² box prior's moments and CDF, the Gaussian and fixed priors.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::f64::consts::PI;

use common::{Stat, assert_mean, assert_within, rng};
use oracles::{OracleError, Prior};

const DRAWS: usize = 40_000;

/// `F(t) = (t + b)/(2b) + sin(pi t / b)/(2 pi)` on `[-b, b]`.
fn cos_squared_cdf(b: f64, t: f64) -> f64 {
    (t + b) / (2.0 * b) + (PI * t / b).sin() / (2.0 * PI)
}

fn cos_squared_draws(b: f64, seed: u64) -> Vec<f64> {
    Prior::CosSquaredBox { b }
        .sample(DRAWS, &mut rng(seed))
        .unwrap()
}

#[test]
fn cos_squared_draws_stay_in_the_box() {
    assert!(cos_squared_draws(2.0, 1).iter().all(|t| t.abs() <= 2.0));
}

#[test]
fn cos_squared_mean_is_zero() {
    let b = 2.0;
    let prior = Prior::CosSquaredBox { b };
    let mut s = Stat::default();
    cos_squared_draws(b, 2).iter().for_each(|t| s.push(*t));
    let se = (prior.coordinate_variance() / DRAWS as f64).sqrt();
    assert_within("mean", s.mean(), 0.0, se);
}

#[test]
fn cos_squared_variance_is_b_squared_times_one_third_minus_two_over_pi_squared() {
    let b = 2.0;
    let declared = Prior::CosSquaredBox { b }.coordinate_variance();
    assert!((declared - b * b * (1.0 / 3.0 - 2.0 / (PI * PI))).abs() < 1e-15);
    let mut s = Stat::default();
    cos_squared_draws(b, 3).iter().for_each(|t| s.push(t * t));
    assert_mean("second moment", &s, declared);
}

#[test]
fn cos_squared_cdf_matches_at_nine_points() {
    let b = 1.5;
    let draws = cos_squared_draws(b, 4);
    for k in 1..10 {
        let t = b * (k as f64 / 5.0 - 1.0);
        let f = cos_squared_cdf(b, t);
        let below = draws.iter().filter(|v| **v <= t).count() as f64 / DRAWS as f64;
        let se = (f * (1.0 - f) / DRAWS as f64).sqrt();
        assert_within(&format!("F({t})"), below, f, se);
    }
}

#[test]
fn gaussian_prior_has_variance_s2() {
    let mut s = Stat::default();
    let draws = Prior::Gaussian { s2: 0.25 }
        .sample(DRAWS, &mut rng(5))
        .unwrap();
    draws.iter().for_each(|t| s.push(t * t));
    assert_mean("second moment", &s, 0.25);
    assert_eq!(Prior::Gaussian { s2: 0.25 }.coordinate_variance(), 0.25);
}

#[test]
fn fixed_prior_returns_its_vector() {
    let prior = Prior::Fixed(vec![1.0, -2.0]);
    assert_eq!(prior.sample(2, &mut rng(6)).unwrap(), vec![1.0, -2.0]);
    assert_eq!(prior.mean(2).unwrap(), vec![1.0, -2.0]);
    assert_eq!(prior.coordinate_variance(), 0.0);
    assert_eq!(prior.support_bound(), Some(2.0));
}

#[test]
fn support_bound_is_b_for_the_box_and_absent_for_the_gaussian() {
    assert_eq!(Prior::CosSquaredBox { b: 3.0 }.support_bound(), Some(3.0));
    assert_eq!(Prior::Gaussian { s2: 1.0 }.support_bound(), None);
}

#[test]
fn invalid_priors_are_rejected() {
    let mut r = rng(7);
    for p in [
        Prior::CosSquaredBox { b: 0.0 },
        Prior::CosSquaredBox { b: f64::NAN },
        Prior::Gaussian { s2: -1.0 },
        Prior::Gaussian { s2: f64::INFINITY },
        Prior::Fixed(vec![f64::NAN, 0.0]),
    ] {
        assert!(
            matches!(p.sample(2, &mut r), Err(OracleError::InvalidParameter(_))),
            "{p:?}"
        );
    }
    assert_eq!(
        Prior::Fixed(vec![0.0; 3]).sample(2, &mut r),
        Err(OracleError::DimensionMismatch {
            expected: 2,
            got: 3
        })
    );
    assert!(Prior::Gaussian { s2: 1.0 }.sample(0, &mut r).is_err());
}
