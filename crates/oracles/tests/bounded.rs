//! Bounded noise laws and the bounded-range oracle `g = x - theta + xi`, `|g_i| <= R`.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{Stat, assert_mean, assert_within, push_all, rng, stats};
use oracles::{
    BoundedNoise, BoundedNoiseKind, BoundedQuadratic, NormBound, Oracle, OracleError, dynamic_range,
};

const DRAWS: usize = 40_000;

fn laws(sigma: f64) -> [BoundedNoise; 4] {
    [
        BoundedNoise::uniform(sigma).unwrap(),
        BoundedNoise::rademacher(sigma).unwrap(),
        BoundedNoise::truncated_gaussian(sigma, 0.5).unwrap(),
        BoundedNoise::truncated_gaussian(sigma, 2.0).unwrap(),
    ]
}

#[test]
fn every_law_has_mean_zero_and_variance_sigma_squared() {
    let sigma = 0.8;
    for (k, law) in laws(sigma).into_iter().enumerate() {
        let mut r = rng(10 + k as u64);
        let (mut m1, mut m2) = (Stat::default(), Stat::default());
        for _ in 0..DRAWS {
            let xi = law.sample(&mut r);
            m1.push(xi);
            m2.push(xi * xi);
        }
        assert_within(
            &format!("{:?} mean", law.kind()),
            m1.mean(),
            0.0,
            sigma / (DRAWS as f64).sqrt(),
        );
        if law.kind() == BoundedNoiseKind::Rademacher {
            assert!((m2.mean() - sigma * sigma).abs() < 1e-12);
        } else {
            assert_mean(&format!("{:?} variance", law.kind()), &m2, sigma * sigma);
        }
        assert_eq!(law.variance(), sigma * sigma);
    }
}

#[test]
fn every_draw_lies_within_the_declared_bound() {
    for (k, law) in laws(1.3).into_iter().enumerate() {
        let mut r = rng(20 + k as u64);
        let mut largest: f64 = 0.0;
        for _ in 0..DRAWS {
            largest = largest.max(law.sample(&mut r).abs());
        }
        assert!(
            largest <= law.bound(),
            "{:?}: {largest} > {}",
            law.kind(),
            law.bound()
        );
        // The bound is tight: draws come within 2% of it.
        assert!(largest >= 0.98 * law.bound(), "{:?}: {largest}", law.kind());
    }
}

#[test]
fn bounds_are_sqrt3_sigma_sigma_and_c_times_the_rescaled_scale() {
    assert_eq!(
        BoundedNoise::uniform(2.0).unwrap().bound(),
        2.0 * 3f64.sqrt()
    );
    assert_eq!(BoundedNoise::rademacher(2.0).unwrap().bound(), 2.0);
    // c = 1: v(1) = 1 - 2 phi(1) / (2 Phi(1) - 1) = 0.29112509477279314 (Python math.erf).
    let t = BoundedNoise::truncated_gaussian(2.0, 1.0).unwrap();
    let expected = 2.0 / 0.291_125_094_772_793_14_f64.sqrt();
    assert!((t.bound() / expected - 1.0).abs() < 1e-14);
}

#[test]
fn invalid_noise_parameters_are_rejected() {
    assert!(BoundedNoise::uniform(-1.0).is_err());
    assert!(BoundedNoise::rademacher(f64::NAN).is_err());
    assert!(BoundedNoise::truncated_gaussian(1.0, 0.0).is_err());
    assert!(BoundedNoise::truncated_gaussian(1.0, f64::INFINITY).is_err());
    assert!(BoundedNoise::truncated_gaussian(1.0, 1e-200).is_err());
}

#[test]
fn dynamic_range_is_query_radius_plus_theta_bound_plus_noise_bound() {
    let noise = BoundedNoise::uniform(0.5).unwrap();
    assert_eq!(
        dynamic_range(1.0, 0.0, &noise).unwrap(),
        1.0 + 3f64.sqrt() * 0.5
    );
    assert_eq!(
        dynamic_range(1.0, 2.0, &noise).unwrap(),
        3.0 + 3f64.sqrt() * 0.5
    );
    assert!(dynamic_range(-1.0, 0.0, &noise).is_err());
    assert!(dynamic_range(1.0, f64::NAN, &noise).is_err());
}

#[test]
fn gradient_is_unbiased() {
    let noise = BoundedNoise::uniform(1.0).unwrap();
    let theta = vec![0.5, -1.0];
    let mut o = BoundedQuadratic::with_tight_range(theta, noise, 1.0).unwrap();
    let x = [1.0, 0.25];
    let mut acc = stats(2);
    let mut g = [0.0; 2];
    let mut r = rng(30);
    for _ in 0..DRAWS {
        o.gradient(&x, &mut r, &mut g).unwrap();
        push_all(&mut acc, &g);
    }
    let se = 1.0 / (DRAWS as f64).sqrt();
    assert_within("g_0", acc[0].mean(), 0.5, se);
    assert_within("g_1", acc[1].mean(), 1.25, se);
}

#[test]
fn gradients_at_the_box_corners_never_leave_the_range() {
    // Rademacher noise attains its bound, so the worst corner reaches R exactly.
    let b = 0.7;
    let radius = 1.1;
    let noise = BoundedNoise::rademacher(0.3).unwrap();
    let range = dynamic_range(b, radius, &noise).unwrap();
    for law in [noise, BoundedNoise::uniform(0.3).unwrap()] {
        let range = dynamic_range(b, radius, &law).unwrap();
        let mut o = BoundedQuadratic::new(vec![b, -b, 0.1], law, radius, range).unwrap();
        let mut r = rng(31);
        let mut g = [0.0; 3];
        for corner in [[radius, -radius, radius], [-radius, radius, -radius]] {
            for _ in 0..2_000 {
                o.gradient(&corner, &mut r, &mut g).unwrap();
                assert!(g.iter().all(|v| v.abs() <= range));
            }
        }
    }
    let mut o = BoundedQuadratic::new(vec![-b], noise, radius, range).unwrap();
    let mut r = rng(32);
    let mut g = [0.0];
    let mut reached = false;
    for _ in 0..64 {
        o.gradient(&[radius], &mut r, &mut g).unwrap();
        reached |= g[0] == range;
    }
    assert!(reached, "the extreme value R = {range} was never drawn");
}

#[test]
fn queries_outside_the_box_are_rejected() {
    let noise = BoundedNoise::uniform(1.0).unwrap();
    let mut o = BoundedQuadratic::with_tight_range(vec![0.0; 3], noise, 1.0).unwrap();
    let mut g = [0.0; 3];
    assert_eq!(
        o.gradient(&[0.0, 1.5, 0.0], &mut rng(33), &mut g),
        Err(OracleError::OutsideDomain {
            index: 1,
            value: 1.5,
            radius: 1.0
        })
    );
    assert_eq!(o.domain().map(|d| d.radius()), Some(1.0));
}

#[test]
fn exact_value_and_gradient_accept_points_outside_the_box() {
    let noise = BoundedNoise::uniform(1.0).unwrap();
    let theta = vec![2.0, -2.0];
    let o = BoundedQuadratic::with_tight_range(theta.clone(), noise, 0.0).unwrap();
    assert_eq!(o.value(&theta).unwrap(), 0.0);
    assert_eq!(o.optimal_value(), Some(0.0));
    let mut g = [1.0; 2];
    o.true_gradient(&theta, &mut g).unwrap();
    assert_eq!(g, [0.0; 2]);
    assert_eq!(o.value(&[3.0, -2.0]).unwrap(), 0.5);
}

#[test]
fn a_declared_range_below_what_theta_needs_is_rejected() {
    let noise = BoundedNoise::uniform(1.0).unwrap();
    let needed = 1.0 + 2.0 + 3f64.sqrt();
    assert!(BoundedQuadratic::new(vec![2.0, 0.0], noise, 1.0, needed).is_ok());
    assert!(matches!(
        BoundedQuadratic::new(vec![2.0, 0.0], noise, 1.0, needed * (1.0 - 1e-12)),
        Err(OracleError::InvalidParameter(_))
    ));
    assert!(BoundedQuadratic::new(vec![0.0], noise, 0.0, f64::NAN).is_err());
    assert!(BoundedQuadratic::new(vec![0.0], noise, -1.0, 10.0).is_err());
    assert!(BoundedQuadratic::new(vec![], noise, 0.0, 10.0).is_err());
    assert!(BoundedQuadratic::new(vec![f64::INFINITY], noise, 0.0, 10.0).is_err());
}

#[test]
fn properties_declare_the_range_and_the_max_norm_bound() {
    let noise = BoundedNoise::truncated_gaussian(0.5, 2.0).unwrap();
    let o = BoundedQuadratic::new(vec![0.0], noise, 0.0, 5.0).unwrap();
    let p = o.properties();
    assert_eq!(p.dynamic_range, Some(5.0));
    assert_eq!(
        p.norm_bound,
        Some(NormBound {
            q: f64::INFINITY,
            bound: 5.0
        })
    );
    assert_eq!(p.noise_variance, Some(0.25));
    assert_eq!((p.smoothness, p.strong_convexity), (Some(1.0), Some(1.0)));
}

#[test]
fn non_finite_and_mismatched_queries_are_typed_errors() {
    let noise = BoundedNoise::uniform(1.0).unwrap();
    let mut o = BoundedQuadratic::with_tight_range(vec![0.0; 2], noise, 1.0).unwrap();
    let mut r = rng(34);
    assert_eq!(
        o.gradient(&[f64::NAN, 0.0], &mut r, &mut [0.0; 2]),
        Err(OracleError::NonFinite { index: 0 })
    );
    assert_eq!(
        o.gradient(&[0.0], &mut r, &mut [0.0; 2]),
        Err(OracleError::DimensionMismatch {
            expected: 2,
            got: 1
        })
    );
}
