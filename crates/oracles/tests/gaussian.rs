//! The Gaussian quadratic `g = A (x - theta) + sigma Z` and its SPD curvature.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Stat, assert_mean, assert_within, push_all, rng, stats};
use ndarray::{Array2, array};
use oracles::{GaussianQuadratic, Oracle, OracleError, Prior, SpdMatrix};

const TRIALS: usize = 20_000;

fn spd_3x3() -> SpdMatrix {
    SpdMatrix::new(array![[4.0, 1.0, 0.5], [1.0, 3.0, -0.5], [0.5, -0.5, 2.0]]).unwrap()
}

#[test]
fn identity_oracle_declares_unit_curvature_and_sigma_squared() {
    let o = GaussianQuadratic::new(vec![1.0, 2.0], 0.7).unwrap();
    let p = o.properties();
    assert_eq!(p.smoothness, Some(1.0));
    assert_eq!(p.strong_convexity, Some(1.0));
    assert_eq!(p.noise_variance, Some(0.7 * 0.7));
    assert!(o.curvature().is_none() && o.prior().is_none());
}

#[test]
fn identity_gradient_is_unbiased() {
    let theta = vec![1.0, -2.0, 0.5];
    let x = [0.3, 0.3, -4.0];
    let mut o = GaussianQuadratic::new(theta, 2.0).unwrap();
    let mut expected = [0.0; 3];
    o.true_gradient(&x, &mut expected).unwrap();
    assert_eq!(expected, [-0.7, 2.3, -4.5]);
    let mut acc = stats(3);
    let mut g = [0.0; 3];
    let mut r = rng(1);
    for _ in 0..TRIALS {
        o.gradient(&x, &mut r, &mut g).unwrap();
        push_all(&mut acc, &g);
    }
    let se = 2.0 / (TRIALS as f64).sqrt(); // known: sigma / sqrt(n)
    for (s, e) in acc.iter().zip(expected) {
        assert_within("mean gradient", s.mean(), e, se);
    }
}

#[test]
fn noise_has_the_declared_variance_and_no_cross_correlation() {
    let sigma = 1.5;
    let mut o = GaussianQuadratic::new(vec![0.0; 3], sigma)
        .unwrap()
        .with_curvature(spd_3x3())
        .unwrap();
    let x = [1.0, -1.0, 2.0];
    let mut grad = [0.0; 3];
    o.true_gradient(&x, &mut grad).unwrap();
    let (mut var, mut cross) = (stats(3), stats(3));
    let mut g = [0.0; 3];
    let mut r = rng(2);
    for _ in 0..TRIALS {
        o.gradient(&x, &mut r, &mut g).unwrap();
        let e: Vec<f64> = g.iter().zip(&grad).map(|(a, b)| a - b).collect();
        push_all(&mut var, &[e[0] * e[0], e[1] * e[1], e[2] * e[2]]);
        push_all(&mut cross, &[e[0] * e[1], e[0] * e[2], e[1] * e[2]]);
    }
    let declared = o.properties().noise_variance.unwrap();
    assert_eq!(declared, sigma * sigma);
    for s in &var {
        assert_mean("noise variance", s, declared);
    }
    for s in &cross {
        assert_mean("noise cross-moment", s, 0.0);
    }
}

#[test]
fn general_curvature_gradient_is_unbiased_for_a_times_the_offset() {
    let theta = vec![0.5, -1.0, 2.0];
    let x = [0.0, 1.0, 1.0];
    let mut o = GaussianQuadratic::new(theta.clone(), 1.0)
        .unwrap()
        .with_curvature(spd_3x3())
        .unwrap();
    // A (x - theta) by hand: x - theta = (-0.5, 2, -1).
    let expected = [-2.0 + 2.0 - 0.5, -0.5 + 6.0 + 0.5, -0.25 - 1.0 - 2.0];
    let mut exact = [0.0; 3];
    o.true_gradient(&x, &mut exact).unwrap();
    for (a, b) in exact.iter().zip(expected) {
        assert!((a - b).abs() < 1e-14, "{exact:?} vs {expected:?}");
    }
    let mut acc = stats(3);
    let mut g = [0.0; 3];
    let mut r = rng(3);
    for _ in 0..TRIALS {
        o.gradient(&x, &mut r, &mut g).unwrap();
        push_all(&mut acc, &g);
    }
    let se = 1.0 / (TRIALS as f64).sqrt();
    for (s, e) in acc.iter().zip(expected) {
        assert_within("mean gradient", s.mean(), e, se);
    }
}

#[test]
fn value_is_half_the_quadratic_form_and_vanishes_at_theta() {
    let theta = vec![0.5, -1.0, 2.0];
    let o = GaussianQuadratic::new(theta.clone(), 1.0)
        .unwrap()
        .with_curvature(spd_3x3())
        .unwrap();
    let x = [0.0, 1.0, 1.0];
    let delta = [-0.5, 2.0, -1.0];
    let a = spd_3x3();
    let quad: f64 = (0..3)
        .flat_map(|i| (0..3).map(move |j| (i, j)))
        .map(|(i, j)| delta[i] * a.matrix()[[i, j]] * delta[j])
        .sum();
    assert!((o.value(&x).unwrap() - 0.5 * quad).abs() < 1e-13);
    assert_eq!(o.minimizer(), Some(theta.as_slice()));
    assert_eq!(o.value(&theta).unwrap(), o.optimal_value().unwrap());
    let mut g = [1.0; 3];
    o.true_gradient(&theta, &mut g).unwrap();
    assert_eq!(g, [0.0; 3]);
}

#[test]
fn properties_report_the_extreme_eigenvalues_of_a() {
    let a = SpdMatrix::new(array![[2.0, 1.0], [1.0, 2.0]]).unwrap();
    let o = GaussianQuadratic::new(vec![0.0; 2], 0.0)
        .unwrap()
        .with_curvature(a)
        .unwrap();
    let p = o.properties();
    assert!((p.smoothness.unwrap() - 3.0).abs() < 1e-14);
    assert!((p.strong_convexity.unwrap() - 1.0).abs() < 1e-14);
}

#[test]
fn diagonal_curvature_reports_its_extreme_entries() {
    let a = SpdMatrix::diagonal(&[0.5, 4.0, 2.0]).unwrap();
    assert_eq!(
        (a.lambda_min(), a.lambda_max(), a.condition_number()),
        (0.5, 4.0, 8.0)
    );
    assert_eq!(a.matrix()[[1, 1]], 4.0);
    assert_eq!(a.matrix()[[0, 1]], 0.0);
}

#[test]
fn spd_rejects_non_square_asymmetric_indefinite_singular_and_non_finite_matrices() {
    let bad = [
        Array2::zeros((0, 0)),
        Array2::zeros((2, 3)),
        array![[2.0, 1.0], [0.0, 2.0]],
        array![[1.0, 2.0], [2.0, 1.0]],
        array![[1.0, 1.0], [1.0, 1.0]],
        array![[f64::NAN, 0.0], [0.0, 1.0]],
        array![[-1.0, 0.0], [0.0, -2.0]],
    ];
    for a in bad {
        assert!(
            matches!(
                SpdMatrix::new(a.clone()),
                Err(OracleError::InvalidParameter(_))
            ),
            "accepted {a:?}"
        );
    }
    assert!(SpdMatrix::diagonal(&[1.0, 0.0]).is_err());
    assert!(SpdMatrix::diagonal(&[]).is_err());
}

#[test]
fn spd_symmetrises_rounding_level_asymmetry() {
    let eps = 4.0 * f64::EPSILON;
    let a = SpdMatrix::new(array![[2.0, 1.0 + eps], [1.0, 2.0]]).unwrap();
    assert_eq!(a.matrix()[[0, 1]], a.matrix()[[1, 0]]);
}

#[test]
fn with_curvature_rejects_a_matrix_of_another_dimension() {
    let o = GaussianQuadratic::new(vec![0.0; 2], 1.0).unwrap();
    assert_eq!(
        o.with_curvature(spd_3x3()).unwrap_err(),
        OracleError::DimensionMismatch {
            expected: 2,
            got: 3
        }
    );
}

#[test]
fn from_prior_draws_theta_and_keeps_the_prior() {
    let prior = Prior::CosSquaredBox { b: 0.5 };
    let o = GaussianQuadratic::from_prior(prior.clone(), 6, 1.0, &mut rng(4)).unwrap();
    assert_eq!(o.prior(), Some(&prior));
    assert!(o.theta().iter().all(|t| t.abs() <= 0.5));
    let again = GaussianQuadratic::from_prior(prior, 6, 1.0, &mut rng(4)).unwrap();
    assert_eq!(o, again);
}

#[test]
fn same_seed_gives_the_same_gradients() {
    let mut a = GaussianQuadratic::new(vec![1.0; 4], 1.0).unwrap();
    let mut b = a.clone();
    let (mut ga, mut gb) = ([0.0; 4], [0.0; 4]);
    let (mut ra, mut rb) = (rng(5), rng(5));
    for _ in 0..3 {
        a.gradient(&[0.0; 4], &mut ra, &mut ga).unwrap();
        b.gradient(&[0.0; 4], &mut rb, &mut gb).unwrap();
        assert_eq!(ga, gb);
    }
}

#[test]
fn bad_queries_and_parameters_are_typed_errors() {
    let mut o = GaussianQuadratic::new(vec![0.0; 3], 1.0).unwrap();
    let mut g = [0.0; 3];
    let mut r = rng(6);
    assert_eq!(
        o.gradient(&[0.0; 2], &mut r, &mut g),
        Err(OracleError::DimensionMismatch {
            expected: 3,
            got: 2
        })
    );
    assert_eq!(
        o.gradient(&[0.0; 3], &mut r, &mut [0.0; 4]),
        Err(OracleError::DimensionMismatch {
            expected: 3,
            got: 4
        })
    );
    assert_eq!(
        o.gradient(&[0.0, f64::NAN, 0.0], &mut r, &mut g),
        Err(OracleError::NonFinite { index: 1 })
    );
    assert_eq!(
        o.value(&[f64::INFINITY, 0.0, 0.0]),
        Err(OracleError::NonFinite { index: 0 })
    );
    assert!(GaussianQuadratic::new(vec![], 1.0).is_err());
    assert!(GaussianQuadratic::new(vec![f64::NAN], 1.0).is_err());
    assert!(GaussianQuadratic::new(vec![0.0], -1.0).is_err());
    assert!(GaussianQuadratic::new(vec![0.0], f64::INFINITY).is_err());
    assert!(GaussianQuadratic::from_prior(Prior::Gaussian { s2: 1.0 }, 0, 1.0, &mut r).is_err());
}

#[test]
fn reduction_samples_w_equal_theta_plus_noise_whatever_the_query() {
    // Lemma 1 of paper 000: W = x - g ~ N(theta, sigma^2 I) for every query x.
    let theta = vec![0.25, -0.75];
    let mut o = GaussianQuadratic::new(theta.clone(), 1.0).unwrap();
    let mut r = rng(7);
    let mut g = [0.0; 2];
    for x in [[0.0, 0.0], [10.0, -3.0]] {
        let mut acc = [Stat::default(), Stat::default()];
        for _ in 0..TRIALS {
            o.gradient(&x, &mut r, &mut g).unwrap();
            acc[0].push(x[0] - g[0]);
            acc[1].push(x[1] - g[1]);
        }
        assert_mean("W_0", &acc[0], theta[0]);
        assert_mean("W_1", &acc[1], theta[1]);
    }
}
