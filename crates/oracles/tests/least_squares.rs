//! Least squares `1/2 ||y - A x||^2`: minimizer, spectrum, exact and row-sampled gradients.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{ASH_LIKE, Stat, assert_mean, push_all, rng, stats};
use ndarray::{Array1, Array2, array};
use oracles::{LeastSquares, LsGradient, MatrixMarket, Oracle, OracleError, SpdMatrix};

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// `||A'A x* - A'y|| / ||A'y||`.
fn normal_equation_residual(ls: &LeastSquares) -> f64 {
    let x = Array1::from(ls.minimizer().unwrap().to_vec());
    let a = ls.matrix();
    let aty = a.t().dot(ls.rhs());
    let lhs = a.t().dot(&a.dot(&x));
    norm((&lhs - &aty).as_slice().unwrap()) / norm(aty.as_slice().unwrap())
}

fn ash_like() -> LeastSquares {
    let mm: MatrixMarket = ASH_LIKE.parse().unwrap();
    let y = Array1::from_iter((0..12).map(|i| (i as f64 * 0.7).sin()));
    LeastSquares::from_matrix_market(&mm, y).unwrap()
}

#[test]
fn gaussian_ensemble_minimizer_satisfies_the_normal_equations() {
    let ls = LeastSquares::gaussian_ensemble(300, 40, &mut rng(1)).unwrap();
    assert_eq!(ls.matrix().dim(), (300, 40));
    assert!(ls.is_full_rank());
    let res = normal_equation_residual(&ls);
    assert!(res < 1e-10, "relative residual {res}");
}

#[test]
fn ash_shaped_pattern_matrix_minimizer_satisfies_the_normal_equations() {
    let ls = ash_like();
    assert!(ls.is_full_rank());
    let res = normal_equation_residual(&ls);
    assert!(res < 1e-10, "relative residual {res}");
}

#[test]
fn an_ill_conditioned_matrix_still_satisfies_the_normal_equations() {
    // Columns scaled over six orders of magnitude: kappa(A) ~ 1e6, kappa(A'A) ~ 1e12.
    let mut r = rng(2);
    let ls = LeastSquares::gaussian_ensemble(60, 6, &mut r).unwrap();
    let mut a = ls.matrix().clone();
    for (j, mut col) in a.columns_mut().into_iter().enumerate() {
        col *= 10f64.powi(-(j as i32));
    }
    let ls = LeastSquares::new(a, ls.rhs().clone()).unwrap();
    assert!(ls.singular_value_condition() > 1e4);
    let res = normal_equation_residual(&ls);
    assert!(res < 1e-10, "relative residual {res}");
}

#[test]
fn the_gradient_vanishes_and_the_value_is_optimal_at_the_minimizer() {
    let ls = ash_like();
    let x = ls.minimizer().unwrap().to_vec();
    let mut g = vec![0.0; 5];
    ls.true_gradient(&x, &mut g).unwrap();
    let scale = ls.s_max() * norm(ls.rhs().as_slice().unwrap());
    assert!(norm(&g) <= 1e-12 * scale, "gradient {g:?}");
    let f_star = ls.optimal_value().unwrap();
    assert_eq!(ls.value(&x).unwrap(), f_star);
    let mut r = rng(3);
    for _ in 0..20 {
        let z = LeastSquares::gaussian_ensemble(1, 5, &mut r).unwrap();
        let xp: Vec<f64> = x
            .iter()
            .zip(z.matrix().iter())
            .map(|(a, b)| a + 0.1 * b)
            .collect();
        assert!(ls.value(&xp).unwrap() > f_star);
    }
}

#[test]
fn exact_gradient_is_a_transpose_times_the_residual() {
    let ls = LeastSquares::gaussian_ensemble(7, 3, &mut rng(4)).unwrap();
    let x = array![0.5, -1.0, 2.0];
    let expected = ls.matrix().t().dot(&(ls.matrix().dot(&x) - ls.rhs()));
    let mut g = [0.0; 3];
    ls.true_gradient(x.as_slice().unwrap(), &mut g).unwrap();
    for (a, b) in g.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()));
    }
    let r = ls.matrix().dot(&x) - ls.rhs();
    let value = 0.5 * r.dot(&r);
    assert!((ls.value(x.as_slice().unwrap()).unwrap() - value).abs() < 1e-12 * value);
}

#[test]
fn the_exact_oracle_is_deterministic() {
    let mut ls = ash_like();
    assert_eq!(ls.gradient_mode(), LsGradient::Exact);
    let x = [0.1, 0.2, 0.3, 0.4, 0.5];
    let (mut g, mut t) = ([0.0; 5], [0.0; 5]);
    ls.gradient(&x, &mut rng(5), &mut g).unwrap();
    ls.true_gradient(&x, &mut t).unwrap();
    assert_eq!(g, t);
    assert_eq!(ls.properties().noise_variance, Some(0.0));
}

#[test]
fn row_sampled_gradients_are_unbiased() {
    let mut ls = ash_like().with_gradient(LsGradient::UniformRow);
    assert_eq!(ls.properties().noise_variance, None);
    let x = [0.3, -0.2, 0.1, 0.0, 0.5];
    let mut expected = [0.0; 5];
    ls.true_gradient(&x, &mut expected).unwrap();
    let mut acc = stats(5);
    let mut g = [0.0; 5];
    let mut r = rng(6);
    for _ in 0..40_000 {
        ls.gradient(&x, &mut r, &mut g).unwrap();
        push_all(&mut acc, &g);
    }
    for (s, e) in acc.iter().zip(expected) {
        assert_mean("row-sampled gradient", s, e);
    }
}

#[test]
fn smoothness_and_strong_convexity_are_the_extreme_eigenvalues_of_a_transpose_a() {
    let ls = LeastSquares::gaussian_ensemble(50, 8, &mut rng(7)).unwrap();
    let ata = SpdMatrix::new(ls.matrix().t().dot(ls.matrix())).unwrap();
    let p = ls.properties();
    let (l, mu) = (p.smoothness.unwrap(), p.strong_convexity.unwrap());
    assert!((l / ata.lambda_max() - 1.0).abs() < 1e-10);
    assert!((mu / ata.lambda_min() - 1.0).abs() < 1e-10);
    assert!((ls.hessian_condition() / ata.condition_number() - 1.0).abs() < 1e-10);
}

#[test]
fn both_condition_numbers_are_exposed() {
    let ls = LeastSquares::new(array![[3.0, 0.0], [0.0, 1.0]], array![1.0, 1.0]).unwrap();
    assert!((ls.s_max() - 3.0).abs() < 1e-14 && (ls.s_min() - 1.0).abs() < 1e-14);
    assert!((ls.singular_value_condition() - 3.0).abs() < 1e-13);
    assert!((ls.hessian_condition() - 9.0).abs() < 1e-12);
}

#[test]
fn a_rank_deficient_matrix_gives_the_minimum_norm_minimizer_and_no_strong_convexity() {
    // Two equal columns: any x with x_1 + x_2 = c fits; the minimum-norm one splits evenly.
    let a = array![[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]];
    let y = array![1.0, 2.0, 5.0];
    let ls = LeastSquares::new(a, y).unwrap();
    assert_eq!(ls.rank(), 1);
    assert!(!ls.is_full_rank());
    let x = ls.minimizer().unwrap();
    assert!(
        (x[0] - 0.5).abs() < 1e-14 && (x[1] - 0.5).abs() < 1e-14,
        "{x:?}"
    );
    assert_eq!(ls.properties().strong_convexity, None);
    assert_eq!(ls.s_min(), 0.0);
    assert!(ls.singular_value_condition().is_infinite());
    assert!((ls.optimal_value().unwrap() - 12.5).abs() < 1e-12);
}

#[test]
fn a_wide_matrix_is_rank_deficient_with_an_interpolating_minimizer() {
    let ls = LeastSquares::gaussian_ensemble(3, 5, &mut rng(8)).unwrap();
    assert!(!ls.is_full_rank());
    assert!(ls.optimal_value().unwrap() < 1e-20);
}

#[test]
fn the_gaussian_ensemble_is_reproducible() {
    let a = LeastSquares::gaussian_ensemble(10, 4, &mut rng(9)).unwrap();
    let b = LeastSquares::gaussian_ensemble(10, 4, &mut rng(9)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn bad_inputs_are_typed_errors() {
    assert_eq!(
        LeastSquares::new(Array2::zeros((3, 2)), Array1::zeros(2)).unwrap_err(),
        OracleError::DimensionMismatch {
            expected: 3,
            got: 2
        }
    );
    assert!(LeastSquares::new(Array2::zeros((0, 2)), Array1::zeros(0)).is_err());
    assert!(LeastSquares::new(array![[f64::NAN]], array![1.0]).is_err());
    assert!(LeastSquares::new(array![[1.0]], array![f64::INFINITY]).is_err());
    assert!(LeastSquares::gaussian_ensemble(0, 3, &mut rng(10)).is_err());
    assert!(LeastSquares::gaussian_ensemble(usize::MAX, 3, &mut rng(10)).is_err());
    let mut ls = ash_like();
    let mut g = [0.0; 5];
    assert_eq!(
        ls.gradient(&[0.0; 4], &mut rng(11), &mut g),
        Err(OracleError::DimensionMismatch {
            expected: 5,
            got: 4
        })
    );
    assert_eq!(
        ls.value(&[0.0, 0.0, f64::NAN, 0.0, 0.0]),
        Err(OracleError::NonFinite { index: 2 })
    );
    let mut ls = ls.with_gradient(LsGradient::UniformRow);
    assert!(ls.gradient(&[0.0; 5], &mut rng(11), &mut [0.0; 6]).is_err());
}

#[test]
fn the_gaussian_ensemble_reproduces_the_condition_number_reported_by_dq_gd() {
    // Paper 002, §5 reports an average "condition number" of 1.8862 for 1000 x 100 Gaussian
    // matrices without defining it; s_max / s_min reproduces it (L / mu would be about 3.5).
    let mut r = rng(12);
    let mut kappa = Stat::default();
    for _ in 0..10 {
        let ls = LeastSquares::gaussian_ensemble(1000, 100, &mut r).unwrap();
        kappa.push(ls.singular_value_condition());
        assert!(ls.hessian_condition() > 3.0);
    }
    assert_mean("mean s_max / s_min", &kappa, 1.8862);
}
