//! AR(1)-correlated gradient noise: stationarity and autocorrelations rho, rho^2.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Stat, assert_mean, rng};
use oracles::{Ar1Quadratic, GaussianQuadratic, Oracle, OracleError};
use rand_distr::{Distribution, StandardNormal};

const CHAINS: usize = 10_000;
const D: usize = 3;

/// Runs `CHAINS` independent chains of three steps (querying at `theta`, so `g_t = sigma
/// Z_t`) and returns, per coordinate, the noise `Z_1, Z_2, Z_3` of every chain.
fn chains(rho: f64, sigma: f64, seed: u64) -> Vec<[[f64; 3]; D]> {
    let theta = vec![0.5, -0.5, 1.0];
    let base = GaussianQuadratic::new(theta.clone(), sigma).unwrap();
    let mut o = Ar1Quadratic::new(base, rho).unwrap();
    let mut r = rng(seed);
    let mut g = [0.0; D];
    (0..CHAINS)
        .map(|_| {
            o.reset();
            let mut z = [[0.0; 3]; D];
            for t in 0..3 {
                o.gradient(&theta, &mut r, &mut g).unwrap();
                for (zi, gi) in z.iter_mut().zip(&g) {
                    zi[t] = gi / sigma;
                }
            }
            z
        })
        .collect()
}

fn moment(samples: &[[[f64; 3]; D]], f: impl Fn(&[[f64; 3]; D]) -> f64) -> Stat {
    let mut s = Stat::default();
    samples.iter().for_each(|z| s.push(f(z)));
    s
}

#[test]
fn noise_is_stationary_with_unit_variance_at_every_step() {
    let z = chains(0.8, 2.0, 1);
    for i in 0..D {
        for t in 0..3 {
            assert_mean(
                &format!("E Z_{}[{i}]", t + 1),
                &moment(&z, |c| c[i][t]),
                0.0,
            );
            assert_mean(
                &format!("E Z_{}[{i}]^2", t + 1),
                &moment(&z, |c| c[i][t] * c[i][t]),
                1.0,
            );
        }
    }
}

#[test]
fn lag_one_autocorrelation_is_rho() {
    for (rho, seed) in [(0.8, 2), (-0.5, 3)] {
        let z = chains(rho, 1.0, seed);
        for i in 0..D {
            assert_mean("E Z_1 Z_2", &moment(&z, |c| c[i][0] * c[i][1]), rho);
            assert_mean("E Z_2 Z_3", &moment(&z, |c| c[i][1] * c[i][2]), rho);
        }
    }
}

#[test]
fn lag_two_autocorrelation_is_rho_squared() {
    for (rho, seed) in [(0.8, 4), (-0.5, 5)] {
        let z = chains(rho, 1.0, seed);
        for i in 0..D {
            assert_mean("E Z_1 Z_3", &moment(&z, |c| c[i][0] * c[i][2]), rho * rho);
        }
    }
}

#[test]
fn coordinates_are_uncorrelated() {
    let z = chains(0.8, 1.0, 6);
    for t in 0..3 {
        assert_mean("E Z[0] Z[1]", &moment(&z, |c| c[0][t] * c[1][t]), 0.0);
        assert_mean("E Z[1] Z[2]", &moment(&z, |c| c[1][t] * c[2][t]), 0.0);
    }
}

#[test]
fn the_chain_state_follows_the_recursion_draw_by_draw() {
    // Replays the generator: Z_1 = xi_1, Z_2 = rho Z_1 + sqrt(1 - rho^2) xi_2, and g = sigma Z.
    let (rho, sigma) = (0.6, 2.0);
    let base = GaussianQuadratic::new(vec![0.0; 2], sigma).unwrap();
    let mut o = Ar1Quadratic::new(base, rho).unwrap();
    assert!(o.noise_state().is_none());
    let mut r = rng(7);
    let (mut g1, mut g2) = ([0.0; 2], [0.0; 2]);
    o.gradient(&[0.0; 2], &mut r, &mut g1).unwrap();
    o.gradient(&[0.0; 2], &mut r, &mut g2).unwrap();
    let mut replay = rng(7);
    let xi: Vec<f64> = (0..4).map(|_| StandardNormal.sample(&mut replay)).collect();
    let z2 = [
        rho * xi[0] + (1.0 - rho * rho).sqrt() * xi[2],
        rho * xi[1] + (1.0 - rho * rho).sqrt() * xi[3],
    ];
    assert_eq!(g1, [sigma * xi[0], sigma * xi[1]]);
    assert_eq!(g2, [sigma * z2[0], sigma * z2[1]]);
    assert_eq!(o.noise_state(), Some(&z2[..]));
    o.reset();
    assert!(o.noise_state().is_none());
}

#[test]
fn a_rejected_query_does_not_advance_the_chain() {
    let base = GaussianQuadratic::new(vec![0.0; 2], 1.0).unwrap();
    let mut o = Ar1Quadratic::new(base, 0.5).unwrap();
    let mut r = rng(8);
    let mut g = [0.0; 2];
    o.gradient(&[0.0; 2], &mut r, &mut g).unwrap();
    let before = o.noise_state().map(<[f64]>::to_vec);
    assert_eq!(
        o.gradient(&[f64::NAN, 0.0], &mut r, &mut g),
        Err(OracleError::NonFinite { index: 0 })
    );
    assert_eq!(o.noise_state().map(<[f64]>::to_vec), before);
}

#[test]
fn objective_and_properties_are_those_of_the_base() {
    let base = GaussianQuadratic::new(vec![1.0, 2.0], 0.5).unwrap();
    let o = Ar1Quadratic::new(base.clone(), 0.9).unwrap();
    assert_eq!(o.properties(), base.properties());
    assert_eq!(o.minimizer(), base.minimizer());
    assert_eq!(o.value(&[0.0, 0.0]), base.value(&[0.0, 0.0]));
    assert_eq!(o.rho(), 0.9);
}

#[test]
fn rho_outside_the_open_unit_interval_is_rejected() {
    let base = GaussianQuadratic::new(vec![0.0], 1.0).unwrap();
    for rho in [1.0, -1.0, 1.5, f64::NAN] {
        assert!(
            matches!(
                Ar1Quadratic::new(base.clone(), rho),
                Err(OracleError::InvalidParameter(_))
            ),
            "rho = {rho}"
        );
    }
}
