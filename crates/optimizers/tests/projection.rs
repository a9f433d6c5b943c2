//! Euclidean projections onto `l_p` balls, checked by the variational inequality that
//! characterises them: `x = Pi(v)` iff `x` is feasible and `(v - x) . (z - x) <= 0` for every
//! feasible `z`.

#![allow(clippy::unwrap_used)]

mod common;

use common::gaussian_vec;
use optimizers::LpBall;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The largest `(v - x) . (z - x)` over random feasible `z` (on the boundary and inside),
/// relative to `||v - x|| r`.
fn worst_violation(ball: &LpBall, v: &[f64], x: &[f64], rng: &mut ChaCha8Rng) -> f64 {
    let r = ball.radius();
    let vx: Vec<f64> = v.iter().zip(x).map(|(a, b)| a - b).collect();
    let scale = vx.iter().map(|a| a * a).sum::<f64>().sqrt() * r + 1e-300;
    let mut worst = f64::NEG_INFINITY;
    for k in 0..4000 {
        let mut z = gaussian_vec(v.len(), rng);
        // Sparse directions probe the corners of the l_1 ball.
        if k % 4 == 0 {
            let keep = rng.random_range(0..v.len());
            z.iter_mut().enumerate().for_each(|(i, zi)| {
                if i != keep {
                    *zi = 0.0
                }
            });
        }
        let s = if k % 2 == 0 { 1.0 } else { rng.random::<f64>() };
        let n = ball.norm(&z);
        z.iter_mut().for_each(|zi| *zi *= s * r / n);
        let dot: f64 = vx
            .iter()
            .zip(z.iter().zip(x))
            .map(|(a, (zi, xi))| a * (zi - xi))
            .sum();
        worst = worst.max(dot / scale);
    }
    worst
}

fn check_projection(p: f64, d: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let ball = LpBall::new(p, 1.5).unwrap();
    for _ in 0..20 {
        let v: Vec<f64> = gaussian_vec(d, &mut rng).iter().map(|a| 3.0 * a).collect();
        let mut x = v.clone();
        ball.project(&mut x);
        let n = ball.norm(&x);
        assert!(
            n <= 1.5 * (1.0 + 1e-12),
            "p = {p}: infeasible, ||x||_p = {n}"
        );
        if ball.norm(&v) > 1.5 {
            assert!(n >= 1.5 * (1.0 - 1e-9), "p = {p}: not on the boundary, {n}");
        }
        let w = worst_violation(&ball, &v, &x, &mut rng);
        assert!(w <= 1e-9, "p = {p}: variational inequality violated by {w}");
    }
}

#[test]
fn the_l1_projection_satisfies_the_variational_inequality() {
    check_projection(1.0, 12, 1);
}

#[test]
fn the_l2_and_linf_projections_satisfy_the_variational_inequality() {
    check_projection(2.0, 12, 2);
    check_projection(f64::INFINITY, 12, 3);
}

#[test]
fn the_numerical_projection_satisfies_the_variational_inequality_for_general_p() {
    for (i, p) in [1.1, 1.5, 3.0, 7.0].into_iter().enumerate() {
        check_projection(p, 12, 10 + i as u64);
    }
}

#[test]
fn the_checker_rejects_radial_scaling_which_is_not_the_l1_projection() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let ball = LpBall::new(1.0, 1.0).unwrap();
    let v = vec![3.0, 0.2, -0.1, 0.05];
    let s = 1.0 / ball.norm(&v);
    let radial: Vec<f64> = v.iter().map(|a| a * s).collect();
    assert!(worst_violation(&ball, &v, &radial, &mut rng) > 1e-3);
}

#[test]
fn points_inside_the_ball_are_left_unchanged() {
    for p in [1.0, 1.5, 2.0, 4.0, f64::INFINITY] {
        let ball = LpBall::new(p, 10.0).unwrap();
        let mut x = vec![1.0, -2.0, 0.5];
        ball.project(&mut x);
        assert_eq!(x, vec![1.0, -2.0, 0.5], "p = {p}");
    }
}

#[test]
fn known_projections_are_reproduced() {
    let mut x = vec![3.0, -4.0];
    LpBall::new(2.0, 1.0).unwrap().project(&mut x);
    assert!(
        (x[0] - 0.6).abs() < 1e-15 && (x[1] + 0.8).abs() < 1e-15,
        "{x:?}"
    );
    let mut x = vec![3.0, -0.5, -4.0];
    LpBall::new(f64::INFINITY, 1.0).unwrap().project(&mut x);
    assert_eq!(x, vec![1.0, -0.5, -1.0]);
    // l_1: threshold tau = 1 for (3, -2, 0.5) and r = 3: (2, -1, 0).
    let mut x = vec![3.0, -2.0, 0.5];
    LpBall::new(1.0, 3.0).unwrap().project(&mut x);
    assert_eq!(x, vec![2.0, -1.0, 0.0]);
}

#[test]
fn the_numerical_projection_approaches_the_l1_projection_as_p_tends_to_one() {
    let v = vec![2.0, -1.0, 0.3, 0.1];
    let mut exact = v.clone();
    LpBall::new(1.0, 1.0).unwrap().project(&mut exact);
    let mut near = v.clone();
    LpBall::new(1.0 + 1e-4, 1.0).unwrap().project(&mut near);
    for (a, b) in exact.iter().zip(&near) {
        assert!((a - b).abs() < 1e-2, "{exact:?} vs {near:?}");
    }
}

#[test]
fn a_two_coordinate_lp_projection_matches_a_brute_force_search_on_the_boundary() {
    // For d = 2 the projection is the nearest boundary point; search the boundary
    // curve (r cos^{2/p}, r sin^{2/p}) finely in the quadrant of v.
    let (p, r) = (3.0, 1.0);
    let v = [1.2, 0.9];
    let mut x = v.to_vec();
    LpBall::new(p, r).unwrap().project(&mut x);
    let mut best = (f64::INFINITY, [0.0, 0.0]);
    let steps = 200_000;
    for k in 0..=steps {
        let th = std::f64::consts::FRAC_PI_2 * k as f64 / steps as f64;
        let z = [r * th.cos().powf(2.0 / p), r * th.sin().powf(2.0 / p)];
        let d2 = (z[0] - v[0]).powi(2) + (z[1] - v[1]).powi(2);
        if d2 < best.0 {
            best = (d2, z);
        }
    }
    assert!((x[0] - best.1[0]).abs() < 1e-4 && (x[1] - best.1[1]).abs() < 1e-4);
}
