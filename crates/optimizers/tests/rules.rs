//! The update rules: schedules, averaging, per-coordinate counts, mirror maps, projections.

#![allow(clippy::unwrap_used)]

mod common;

use common::dist;
use optimizers::{
    GradientDescent, LpBall, MirrorDescent, NoMemory, OptError, ProjectedSgd, RoundRecord,
    RunConfig, RunningMean, Sgd, StepSchedule, UpdateRule, run, run_observed,
};
use oracles::GaussianQuadratic;
use quantizers::Unquantized;

#[test]
fn schedules_give_their_formulas_with_t_counting_updates_from_one() {
    let c = StepSchedule::constant(0.3).unwrap();
    assert_eq!((c.step(0), c.step(99)), (0.3, 0.3));
    let inv = StepSchedule::inverse_time(0.5, 2.0).unwrap();
    assert_eq!(inv.step(0), 1.0 / (0.5 * 3.0));
    assert_eq!(inv.step(7), 1.0 / (0.5 * 10.0));
    let sqrt = StepSchedule::inverse_sqrt(2.0).unwrap();
    assert_eq!(sqrt.step(3), 1.0);
    assert!(c.is_constant() && !inv.is_constant());
}

#[test]
fn the_polyak_ruppert_average_is_the_mean_of_the_iterates_after_each_update() {
    let mut sgd = Sgd::new(vec![5.0, -5.0], StepSchedule::inverse_sqrt(0.5).unwrap())
        .unwrap()
        .with_averaging();
    assert_eq!(sgd.averaged(), None);
    let mut sum = [0.0; 2];
    let mut watch = |r: &RoundRecord<'_>| {
        sum.iter_mut().zip(r.iterate).for_each(|(s, x)| *s += x);
    };
    let config = RunConfig::new(200, 128, 3).unwrap();
    let mut oracle = GaussianQuadratic::new(vec![1.0, 2.0], 1.0).unwrap();
    let q = Unquantized::new(2).unwrap();
    let trace = run_observed(&config, &mut oracle, &q, &mut sgd, &NoMemory, &mut watch).unwrap();
    let avg = trace.averaged_iterate.unwrap();
    for (a, s) in avg.iter().zip(sum) {
        assert!((a - s / 200.0).abs() < 1e-12, "{a} vs {}", s / 200.0);
    }
    assert_eq!(sgd.estimate(), avg.as_slice());
}

#[test]
fn averaging_reduces_the_error_of_a_constant_step() {
    // Constant-step SGD on f = 1/2 ||x - theta||^2 (sigma = 1) hovers at
    // E||x - theta||^2 = d eta / (2 - eta) = 5.26 (d = 100, eta = 0.1), a sum of d terms with
    // standard deviation sqrt(2 d) eta/(2 - eta) = 0.74; the average of T = 4000 iterates has
    // E||x_bar - theta||^2 ~ d/T = 0.025 (standard deviation 0.0035). Five standard
    // deviations: last iterate > 1.5, average < 0.05.
    let d = 100;
    let theta = vec![1.0; d];
    let config = RunConfig::new(4000, 64 * d, 8).unwrap();
    let q = Unquantized::new(d).unwrap();
    let step = StepSchedule::constant(0.1).unwrap();
    let mut plain = Sgd::new(vec![0.0; d], step).unwrap();
    let mut avg = Sgd::new(vec![0.0; d], step).unwrap().with_averaging();
    let mut o = GaussianQuadratic::new(theta.clone(), 1.0).unwrap();
    let a = run(&config, &mut o, &q, &mut plain, &NoMemory).unwrap();
    let mut o = GaussianQuadratic::new(theta, 1.0).unwrap();
    let b = run(&config, &mut o, &q, &mut avg, &NoMemory).unwrap();
    let (ea, eb) = (
        a.last_sample().unwrap().dist2.unwrap(),
        b.last_sample().unwrap().dist2.unwrap(),
    );
    assert!(eb < 0.05 && ea > 1.5, "last iterate {ea}, average {eb}");
}

#[test]
fn the_running_mean_moves_only_the_described_coordinates() {
    let mut m = RunningMean::new(vec![0.0; 3]).unwrap();
    m.update(&[-1.0, -2.0, -3.0], Some(&[0, 2])).unwrap();
    assert_eq!(m.iterate(), &[1.0, 0.0, 3.0]);
    m.update(&[1.0, -4.0, 1.0], Some(&[1, 2])).unwrap();
    // Coordinate 2: mean of w = 3 and w = 3 - 1 = 2 is 2.5; coordinate 1: w = 4.
    assert_eq!(m.iterate(), &[1.0, 4.0, 2.5]);
    assert_eq!(m.counts(), &[1, 1, 2]);
}

#[test]
fn a_support_index_out_of_range_is_rejected_without_changing_the_state() {
    let mut m = RunningMean::new(vec![0.0; 2]).unwrap();
    let err = m.update(&[1.0, 1.0], Some(&[0, 5]));
    assert!(matches!(err, Err(OptError::InvalidParameter(_))));
    assert_eq!((m.iterate(), m.counts()), (&[0.0, 0.0][..], &[0, 0][..]));
    assert!(m.update(&[1.0], None).is_err());
}

#[test]
fn the_mirror_maps_are_inverse_so_a_zero_gradient_leaves_the_iterate() {
    for p in [1.1, 1.5, 2.0, 3.0] {
        let x0 = vec![0.5, -2.0, 0.0, 1e-3, 7.0];
        let mut md =
            MirrorDescent::new(x0.clone(), p, StepSchedule::constant(1.0).unwrap()).unwrap();
        md.update(&[0.0; 5], None).unwrap();
        assert!(
            dist(md.iterate(), &x0) < 1e-13,
            "p = {p}: {:?}",
            md.iterate()
        );
    }
}

#[test]
fn mirror_descent_in_l1_geometry_converges_on_a_sparse_quadratic() {
    let d = 200;
    let mut theta = vec![0.0; d];
    theta[3] = 2.0;
    let mut md = MirrorDescent::for_l1(vec![0.0; d], StepSchedule::constant(0.5).unwrap()).unwrap();
    assert!((md.p() - (1.0 + 1.0 / (d as f64).ln())).abs() < 1e-15);
    let mut oracle = GaussianQuadratic::new(theta, 0.0).unwrap();
    let config = RunConfig::new(400, 64 * d, 1).unwrap();
    let trace = run(
        &config,
        &mut oracle,
        &Unquantized::new(d).unwrap(),
        &mut md,
        &NoMemory,
    )
    .unwrap();
    let d2 = trace.last_sample().unwrap().dist2.unwrap();
    assert!(d2 < 1e-10, "||x - theta||^2 = {d2}");
}

#[test]
fn mirror_descent_with_a_radius_stays_in_the_ball() {
    let mut md = MirrorDescent::new(vec![0.0; 3], 1.5, StepSchedule::constant(0.5).unwrap())
        .unwrap()
        .with_radius(1.0)
        .unwrap();
    let ball = LpBall::new(1.5, 1.0).unwrap();
    for _ in 0..50 {
        md.update(&[-3.0, 1.0, -2.0], None).unwrap();
        assert!(ball.contains(md.iterate(), 1e-12), "{:?}", md.iterate());
    }
    assert!(md.clone().with_radius(-1.0).is_err());
}

#[test]
fn projected_sgd_converges_to_the_projection_of_the_minimizer() {
    // On f = 1/2 ||x - theta||^2 the constrained minimizer is Pi(theta).
    let theta = vec![3.0, -1.0, 0.5];
    let ball = LpBall::new(1.0, 2.0).unwrap();
    let mut target = theta.clone();
    ball.project(&mut target);
    let mut psgd =
        ProjectedSgd::new(vec![0.0; 3], StepSchedule::constant(0.5).unwrap(), ball).unwrap();
    let mut oracle = GaussianQuadratic::new(theta, 0.0).unwrap();
    let config = RunConfig::new(100, 192, 0).unwrap();
    let mut feasible = true;
    let mut watch = |r: &RoundRecord<'_>| feasible &= ball.contains(r.iterate, 1e-12);
    run_observed(
        &config,
        &mut oracle,
        &Unquantized::new(3).unwrap(),
        &mut psgd,
        &NoMemory,
        &mut watch,
    )
    .unwrap();
    assert!(feasible);
    assert!(
        dist(psgd.iterate(), &target) < 1e-12,
        "{:?} vs {target:?}",
        psgd.iterate()
    );
}

#[test]
fn gd_contracts_at_rho_on_the_worst_direction() {
    // On f = 1/2 (x - x*)' diag(mu, L) (x - x*) with eta* = 2/(L + mu), both eigen-directions
    // contract by exactly (L - mu)/(L + mu).
    let (l, mu) = (9.0, 1.0);
    let eta = GradientDescent::optimal_step(l, mu).unwrap();
    let rho = GradientDescent::contraction(l, mu, eta).unwrap();
    assert!((rho - 0.8).abs() < 1e-15);
    let mut gd = GradientDescent::new(vec![1.0, 1.0], eta).unwrap();
    gd.update(&[mu, l], None).unwrap();
    assert!((gd.iterate()[0] - 0.8).abs() < 1e-15 && (gd.iterate()[1] + 0.8).abs() < 1e-15);
    assert!(GradientDescent::contraction(l, mu, 2.0 * eta).is_err());
    assert!(GradientDescent::optimal_step(1.0, 2.0).is_err());
}
