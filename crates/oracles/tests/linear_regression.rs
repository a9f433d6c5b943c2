//! Streaming linear regression with `x ~ N(0, diag(i^-a))`.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Stat, assert_mean, assert_within, push_all, rng, stats};
use oracles::{LinearRegression, Oracle, OracleError};

const D: usize = 6;
const DRAWS: usize = 20_000;

fn problem(batch: usize) -> LinearRegression {
    LinearRegression::new(vec![1.0; D], 2.0, 0.5, batch).unwrap()
}

#[test]
fn the_spectrum_is_i_to_the_minus_a() {
    let o = problem(1);
    for (i, l) in o.spectrum().iter().enumerate() {
        assert!((l - ((i + 1) as f64).powf(-2.0)).abs() < 1e-16);
    }
    let p = o.properties();
    assert_eq!(p.smoothness, Some(1.0));
    assert!((p.strong_convexity.unwrap() - 1.0 / 36.0).abs() < 1e-16);
    assert_eq!(p.noise_variance, None);
}

#[test]
fn batch_gradients_are_unbiased_for_h_times_the_offset() {
    let mut o = problem(4);
    let w = [0.0, 2.0, 1.0, -1.0, 1.0, 3.0];
    let mut expected = [0.0; D];
    o.true_gradient(&w, &mut expected).unwrap();
    for (i, e) in expected.iter().enumerate() {
        let lambda = ((i + 1) as f64).powf(-2.0);
        assert!((e - lambda * (w[i] - 1.0)).abs() < 1e-15);
    }
    let mut var = [0.0; D];
    o.gradient_variance(&w, &mut var).unwrap();
    let mut acc = stats(D);
    let mut g = [0.0; D];
    let mut r = rng(1);
    for _ in 0..DRAWS {
        o.gradient(&w, &mut r, &mut g).unwrap();
        push_all(&mut acc, &g);
    }
    for i in 0..D {
        let se = (var[i] / DRAWS as f64).sqrt(); // the declared variance, not an estimate
        assert_within(&format!("g_{i}"), acc[i].mean(), expected[i], se);
    }
}

#[test]
fn batch_gradient_variance_matches_the_isserlis_formula() {
    for batch in [1, 4] {
        let mut o = problem(batch);
        let w = [0.5, 2.0, 1.0, -1.0, 1.0, 3.0];
        let (mut expected, mut var) = ([0.0; D], [0.0; D]);
        o.true_gradient(&w, &mut expected).unwrap();
        o.gradient_variance(&w, &mut var).unwrap();
        let mut acc = stats(D);
        let mut g = [0.0; D];
        let mut r = rng(2 + batch as u64);
        for _ in 0..DRAWS {
            o.gradient(&w, &mut r, &mut g).unwrap();
            let e2: Vec<f64> = g
                .iter()
                .zip(&expected)
                .map(|(a, b)| (a - b) * (a - b))
                .collect();
            push_all(&mut acc, &e2);
        }
        for i in 0..D {
            assert_mean(&format!("b={batch} var g_{i}"), &acc[i], var[i]);
        }
    }
}

#[test]
fn sampled_data_have_covariance_h_and_labels_have_noise_s_squared() {
    let o = problem(1);
    let (x, y) = o.sample_batch(DRAWS, &mut rng(5)).unwrap();
    let mut second = stats(D);
    let mut cross = Stat::default();
    let mut label_noise = Stat::default();
    for (row, yk) in x.rows().into_iter().zip(&y) {
        let sq: Vec<f64> = row.iter().map(|v| v * v).collect();
        push_all(&mut second, &sq);
        cross.push(row[0] * row[1]);
        let residual = yk - row.sum(); // w* = 1
        label_noise.push(residual * residual);
    }
    for (i, s) in second.iter().enumerate() {
        assert_mean(&format!("E x_{i}^2"), s, o.spectrum()[i]);
    }
    assert_mean("E x_0 x_1", &cross, 0.0);
    assert_mean("E eps^2", &label_noise, 0.25);
}

#[test]
fn the_gradient_is_the_batch_formula_on_the_samples_of_sample_batch() {
    let mut o = problem(3);
    let w = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6];
    let mut g = [0.0; D];
    o.gradient(&w, &mut rng(6), &mut g).unwrap();
    let (x, y) = o.sample_batch(3, &mut rng(6)).unwrap();
    let mut expected = [0.0; D];
    for (row, yk) in x.rows().into_iter().zip(&y) {
        let residual = row.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>() - yk;
        for (e, v) in expected.iter_mut().zip(row) {
            *e += residual * v / 3.0;
        }
    }
    for (a, b) in g.iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{g:?} vs {expected:?}");
    }
}

#[test]
fn risk_is_half_the_h_norm_plus_half_s_squared() {
    let o = problem(1);
    let w = [2.0, 1.0, 1.0, 1.0, 1.0, 0.0];
    let excess = 0.5 * (1.0 + 1.0 / 36.0);
    assert!((o.excess_risk(&w).unwrap() - excess).abs() < 1e-15);
    assert!((o.value(&w).unwrap() - excess - 0.125).abs() < 1e-15);
    assert_eq!(o.optimal_value(), Some(0.125));
    let w_star = o.minimizer().unwrap().to_vec();
    assert_eq!(o.value(&w_star).unwrap(), 0.125);
    assert_eq!(o.excess_risk(&w_star).unwrap(), 0.0);
    let mut g = [1.0; D];
    o.true_gradient(&w_star, &mut g).unwrap();
    assert_eq!(g, [0.0; D]);
}

#[test]
fn invalid_parameters_are_rejected() {
    assert!(LinearRegression::new(vec![], 2.0, 1.0, 1).is_err());
    assert!(LinearRegression::new(vec![f64::NAN], 2.0, 1.0, 1).is_err());
    assert!(LinearRegression::new(vec![1.0], 1.0, 1.0, 1).is_err());
    assert!(LinearRegression::new(vec![1.0], f64::NAN, 1.0, 1).is_err());
    assert!(LinearRegression::new(vec![1.0], 2.0, -1.0, 1).is_err());
    assert!(LinearRegression::new(vec![1.0], 2.0, 1.0, 0).is_err());
    assert!(problem(1).with_batch_size(0).is_err());
    assert_eq!(problem(1).with_batch_size(5).unwrap().batch_size(), 5);
    assert!(problem(1).sample_batch(0, &mut rng(7)).is_err());
    assert!(problem(1).sample_batch(usize::MAX, &mut rng(7)).is_err());
}

#[test]
fn bad_queries_are_typed_errors() {
    let mut o = problem(1);
    let mut g = [0.0; D];
    assert_eq!(
        o.gradient(&[0.0; 3], &mut rng(8), &mut g),
        Err(OracleError::DimensionMismatch {
            expected: D,
            got: 3
        })
    );
    assert_eq!(
        o.excess_risk(&[0.0, 0.0, 0.0, f64::NAN, 0.0, 0.0]),
        Err(OracleError::NonFinite { index: 3 })
    );
}
