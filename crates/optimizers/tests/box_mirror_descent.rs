//! Mirror descent with the p-norm map on a box: the Bregman projection and the method.

#![allow(clippy::unwrap_used)]

use optimizers::{
    BoxMirrorDescent, LpBall, MirrorDescent, NoMemory, OptError, ProjectedSgd, RunConfig,
    StepSchedule, UpdateRule, run,
};
use oracles::{LpConstruction, LpLowerBound};
use quantizers::Unquantized;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `grad psi(x)_i = sign(x_i) |x_i|^{p-1} ||x||_p^{2-p}`.
fn mirror_gradient(x: &[f64], p: f64) -> Vec<f64> {
    let n = x.iter().map(|v| v.abs().powf(p)).sum::<f64>().powf(1.0 / p);
    x.iter()
        .map(|v| v.signum() * v.abs().powf(p - 1.0) * n.powf(2.0 - p))
        .collect()
}

/// `psi(x) - <theta, x>`, the objective of the projection.
fn projection_objective(x: &[f64], theta: &[f64], p: f64) -> f64 {
    let n = x.iter().map(|v| v.abs().powf(p)).sum::<f64>().powf(1.0 / p);
    0.5 * n * n - x.iter().zip(theta).map(|(a, b)| a * b).sum::<f64>()
}

/// The projection of `theta` onto the box: one unit step from the origin with `g = -theta`.
fn project(theta: &[f64], p: f64, radius: f64) -> Vec<f64> {
    let mut md = BoxMirrorDescent::new(
        vec![0.0; theta.len()],
        p,
        StepSchedule::constant(1.0).unwrap(),
        radius,
    )
    .unwrap();
    let g: Vec<f64> = theta.iter().map(|t| -t).collect();
    md.update(&g, None).unwrap();
    md.iterate().to_vec()
}

fn random_theta(d: usize, scale: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..d)
        .map(|_| scale * (rng.random::<f64>() * 2.0 - 1.0).powi(3))
        .collect()
}

#[test]
fn at_p_two_the_method_is_projected_sgd_on_the_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let schedule = StepSchedule::constant(0.3).unwrap();
    let mut md = BoxMirrorDescent::new(vec![0.0; 6], 2.0, schedule, 0.5).unwrap();
    let ball = LpBall::new(f64::INFINITY, 0.5).unwrap();
    let mut psgd = ProjectedSgd::new(vec![0.0; 6], schedule, ball).unwrap();
    for _ in 0..40 {
        let g = random_theta(6, 3.0, &mut rng);
        md.update(&g, None).unwrap();
        psgd.update(&g, None).unwrap();
        for (a, b) in md.iterate().iter().zip(psgd.iterate()) {
            assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        }
    }
}

#[test]
fn the_projection_satisfies_the_kkt_conditions() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let radius = 0.2;
    for p in [1.1, 1.25, 1.5, 1.8] {
        for scale in [0.01, 0.3, 3.0, 300.0] {
            let theta = random_theta(20, scale, &mut rng);
            let x = project(&theta, p, radius);
            let grad = mirror_gradient(&x, p);
            for ((xi, gi), ti) in x.iter().zip(&grad).zip(&theta) {
                assert!(xi.abs() <= radius, "p = {p}: {xi} outside the box");
                if xi.abs() < radius * (1.0 - 1e-12) {
                    // Interior: grad psi(x)_i = theta_i.
                    assert!(
                        (gi - ti).abs() <= 1e-9 * ti.abs().max(1e-300) + 1e-12 * scale,
                        "p = {p}, scale {scale}: interior gradient {gi} vs theta {ti}"
                    );
                } else {
                    // On the face: pushed outward, |grad psi(x)_i| <= |theta_i|.
                    assert_eq!(
                        xi.signum(),
                        ti.signum(),
                        "p = {p}: clamped on the wrong face"
                    );
                    assert!(
                        gi.abs() <= ti.abs() * (1.0 + 1e-9),
                        "p = {p}, scale {scale}: face gradient {gi} above theta {ti}"
                    );
                }
            }
        }
    }
}

#[test]
fn the_projection_minimises_the_bregman_objective_over_the_box() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let radius = 1.0;
    for p in [1.2, 1.6] {
        let theta = random_theta(8, 4.0, &mut rng);
        let x = project(&theta, p, radius);
        let best = projection_objective(&x, &theta, p);
        for _ in 0..2000 {
            let z: Vec<f64> = x
                .iter()
                .map(|v| (v + 0.3 * (rng.random::<f64>() - 0.5)).clamp(-radius, radius))
                .collect();
            assert!(projection_objective(&z, &theta, p) >= best - 1e-12);
        }
    }
}

#[test]
fn inside_the_box_it_is_unconstrained_mirror_descent() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let schedule = StepSchedule::constant(0.1).unwrap();
    let mut boxed = BoxMirrorDescent::new(vec![0.1; 5], 1.4, schedule, 1e6).unwrap();
    let mut free = MirrorDescent::new(vec![0.1; 5], 1.4, schedule).unwrap();
    for _ in 0..30 {
        let g = random_theta(5, 1.0, &mut rng);
        boxed.update(&g, None).unwrap();
        free.update(&g, None).unwrap();
        for (a, b) in boxed.iterate().iter().zip(free.iterate()) {
            assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
        }
    }
}

#[test]
fn the_starting_point_is_clamped_into_the_box() {
    let md = BoxMirrorDescent::new(
        vec![3.0, -0.1, -7.0],
        1.5,
        StepSchedule::constant(1.0).unwrap(),
        1.0,
    )
    .unwrap();
    assert_eq!(md.iterate(), &[1.0, -0.1, -1.0]);
    assert_eq!((md.p(), md.radius()), (1.5, 1.0));
}

#[test]
fn the_average_is_the_mean_of_the_iterates_after_each_update() {
    let mut md =
        BoxMirrorDescent::new(vec![0.0; 2], 1.5, StepSchedule::constant(0.2).unwrap(), 1.0)
            .unwrap()
            .with_averaging();
    assert_eq!(md.averaged(), None);
    let mut sum = [0.0; 2];
    for g in [[1.0, -2.0], [0.5, 0.5], [-3.0, 1.0]] {
        md.update(&g, None).unwrap();
        sum.iter_mut().zip(md.iterate()).for_each(|(s, x)| *s += x);
    }
    let avg = md.averaged().unwrap();
    for (a, s) in avg.iter().zip(sum) {
        assert!((a - s / 3.0).abs() < 1e-15);
    }
    assert_eq!(md.estimate(), avg);
    assert_eq!(md.updates(), 3);
}

#[test]
fn on_a_noiseless_linear_objective_it_reaches_the_minimizing_vertex() {
    // delta = 1/2 makes the product construction's gradient deterministic.
    let d = 16;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let alpha = LpLowerBound::random_alpha(d, &mut rng).unwrap();
    let mut oracle = LpLowerBound::new(LpConstruction::Product, 1.5, 1.0, 1.0, 0.5, alpha).unwrap();
    let radius = oracle.domain_box().radius();
    let mut md = BoxMirrorDescent::new(
        vec![0.0; d],
        1.5,
        StepSchedule::constant(0.05).unwrap(),
        radius,
    )
    .unwrap();
    let config = RunConfig::new(200, 64 * d, 6).unwrap();
    let trace = run(
        &config,
        &mut oracle,
        &Unquantized::new(d).unwrap(),
        &mut md,
        &NoMemory,
    )
    .unwrap();
    let gap = trace.last_sample().unwrap().gap.unwrap();
    assert!(gap.abs() < 1e-12, "gap {gap}");
    for (x, a) in trace.final_iterate.iter().zip(oracle.alpha()) {
        assert_eq!(*x, -radius * f64::from(*a));
    }
}

#[test]
fn rejects_invalid_parameters_and_estimates() {
    let s = StepSchedule::constant(1.0).unwrap();
    for p in [1.0, 2.5, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            BoxMirrorDescent::new(vec![0.0; 2], p, s, 1.0),
            Err(OptError::InvalidParameter(_))
        ));
    }
    for r in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(BoxMirrorDescent::new(vec![0.0; 2], 1.5, s, r).is_err());
    }
    assert!(BoxMirrorDescent::new(vec![], 1.5, s, 1.0).is_err());
    assert!(BoxMirrorDescent::new(vec![f64::NAN], 1.5, s, 1.0).is_err());
    let mut md = BoxMirrorDescent::new(vec![0.0; 2], 1.5, s, 1.0).unwrap();
    assert!(matches!(
        md.update(&[1.0], None),
        Err(OptError::DimensionMismatch { .. })
    ));
}
