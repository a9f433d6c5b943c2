//! The drifting minimizer `theta_t = theta_{t-1} + q xi_t`.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Stat, assert_mean, assert_within, push_all, rng, stats};
use oracles::{DriftingQuadratic, GaussianQuadratic, Oracle, OracleError};

const STEPS: usize = 20_000;

#[test]
fn drift_increments_have_mean_zero_variance_q_squared_and_independent_coordinates() {
    let q = 0.3;
    let base = GaussianQuadratic::new(vec![1.0, -1.0], 1.0).unwrap();
    let mut o = DriftingQuadratic::new(base, q).unwrap();
    let mut r = rng(1);
    let (mut mean, mut var, mut cross) = (stats(2), stats(2), Stat::default());
    for _ in 0..STEPS {
        let before = o.minimizer().unwrap().to_vec();
        o.advance(&mut r).unwrap();
        let after = o.minimizer().unwrap();
        let step = [after[0] - before[0], after[1] - before[1]];
        push_all(&mut mean, &step);
        push_all(&mut var, &[step[0] * step[0], step[1] * step[1]]);
        cross.push(step[0] * step[1]);
    }
    assert_eq!(o.steps(), STEPS as u64);
    for i in 0..2 {
        assert_within("step mean", mean[i].mean(), 0.0, q / (STEPS as f64).sqrt());
        assert_mean("step variance", &var[i], q * q);
    }
    assert_mean("step cross-moment", &cross, 0.0);
}

#[test]
fn gradients_are_unbiased_for_the_current_minimizer() {
    let base = GaussianQuadratic::new(vec![0.0; 2], 1.0).unwrap();
    let mut o = DriftingQuadratic::new(base, 5.0).unwrap();
    let mut r = rng(2);
    for _ in 0..3 {
        o.advance(&mut r).unwrap();
    }
    let theta = o.minimizer().unwrap().to_vec();
    assert!(theta.iter().all(|t| t.abs() > 0.0));
    let x = [0.0, 0.0];
    let mut acc = stats(2);
    let mut g = [0.0; 2];
    for _ in 0..STEPS {
        o.gradient(&x, &mut r, &mut g).unwrap();
        push_all(&mut acc, &g);
    }
    let se = 1.0 / (STEPS as f64).sqrt();
    for (s, t) in acc.iter().zip(&theta) {
        assert_within("mean gradient", s.mean(), -t, se);
    }
}

#[test]
fn value_and_gradient_vanish_at_the_current_minimizer() {
    let base = GaussianQuadratic::new(vec![0.0; 3], 1.0).unwrap();
    let mut o = DriftingQuadratic::new(base, 1.0).unwrap();
    o.advance(&mut rng(3)).unwrap();
    let theta = o.minimizer().unwrap().to_vec();
    assert_eq!(o.value(&theta).unwrap(), o.optimal_value().unwrap());
    let mut g = [1.0; 3];
    o.true_gradient(&theta, &mut g).unwrap();
    assert_eq!(g, [0.0; 3]);
    assert!(o.value(&[0.0; 3]).unwrap() > 0.0);
}

#[test]
fn zero_drift_keeps_the_minimizer_fixed() {
    let base = GaussianQuadratic::new(vec![1.0, 2.0], 1.0).unwrap();
    let mut o = DriftingQuadratic::new(base, 0.0).unwrap();
    o.advance(&mut rng(4)).unwrap();
    assert_eq!(o.minimizer(), Some(&[1.0, 2.0][..]));
}

#[test]
fn invalid_drift_scales_are_rejected() {
    let base = GaussianQuadratic::new(vec![0.0], 1.0).unwrap();
    for q in [-0.1, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            DriftingQuadratic::new(base.clone(), q),
            Err(OracleError::InvalidParameter(_))
        ));
    }
}

#[test]
fn an_overflowing_drift_is_an_error() {
    let base = GaussianQuadratic::new(vec![0.0], 1.0).unwrap();
    let mut o = DriftingQuadratic::new(base, f64::MAX).unwrap();
    let mut r = rng(5);
    let overflowed = (0..10).any(|_| o.advance(&mut r).is_err());
    assert!(overflowed);
}
