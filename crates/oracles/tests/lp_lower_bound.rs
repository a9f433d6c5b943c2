//! The l_p lower-bound constructions of the SimQ paper (paper 001, §6).
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::{assert_mean, assert_within, push_all, rng, stats};
use oracles::{LpConstruction, LpLowerBound, Oracle, OracleError};

const DRAWS: usize = 40_000;
const BOTH: [LpConstruction; 2] = [LpConstruction::OneHot, LpConstruction::Product];

fn instance(construction: LpConstruction, p: f64) -> LpLowerBound {
    let alpha = vec![1, -1, -1, 1, 1];
    LpLowerBound::new(construction, p, 2.0, 3.0, 0.4, alpha).unwrap()
}

fn q_norm(g: &[f64], q: f64) -> f64 {
    if q.is_infinite() {
        g.iter().fold(0.0, |m: f64, v| m.max(v.abs()))
    } else {
        g.iter().map(|v| v.abs().powf(q)).sum::<f64>().powf(1.0 / q)
    }
}

#[test]
fn gradients_are_unbiased_with_the_declared_coordinate_variance() {
    for (k, c) in BOTH.into_iter().enumerate() {
        let mut o = instance(c, 3.0);
        let d = o.dim();
        let x = vec![0.0; d];
        let mut grad = vec![0.0; d];
        o.true_gradient(&x, &mut grad).unwrap();
        let var = o.properties().noise_variance.unwrap();
        let (mut mean, mut sq) = (stats(d), stats(d));
        let mut g = vec![0.0; d];
        let mut r = rng(k as u64);
        for _ in 0..DRAWS {
            o.gradient(&x, &mut r, &mut g).unwrap();
            push_all(&mut mean, &g);
            let e2: Vec<f64> = g
                .iter()
                .zip(&grad)
                .map(|(a, b)| (a - b) * (a - b))
                .collect();
            push_all(&mut sq, &e2);
        }
        for i in 0..d {
            assert_within(
                &format!("{c:?} mean"),
                mean[i].mean(),
                grad[i],
                (var / DRAWS as f64).sqrt(),
            );
            assert_mean(&format!("{c:?} variance"), &sq[i], var);
        }
    }
}

#[test]
fn true_gradients_are_two_b_delta_alpha_over_d_or_d_to_the_one_over_q() {
    let (b, delta, d, p) = (3.0, 0.4, 5.0_f64, 3.0);
    let q = p / (p - 1.0);
    let alpha = [1.0, -1.0, -1.0, 1.0, 1.0];
    for (c, scale) in [
        (LpConstruction::OneHot, 2.0 * b * delta / d),
        (LpConstruction::Product, 2.0 * b * delta / d.powf(1.0 / q)),
    ] {
        let o = instance(c, p);
        let mut g = [0.0; 5];
        o.true_gradient(&[0.0; 5], &mut g).unwrap();
        for (gi, a) in g.iter().zip(alpha) {
            assert!((gi - scale * a).abs() < 1e-14 * scale, "{c:?}: {g:?}");
        }
    }
}

#[test]
fn one_hot_outputs_a_single_plus_or_minus_b_coordinate() {
    let mut o = instance(LpConstruction::OneHot, 2.0);
    let mut g = [0.0; 5];
    let mut r = rng(3);
    for _ in 0..1_000 {
        o.gradient(&[0.0; 5], &mut r, &mut g).unwrap();
        let nonzero: Vec<f64> = g.iter().copied().filter(|v| *v != 0.0).collect();
        assert_eq!(nonzero.len(), 1);
        assert_eq!(nonzero[0].abs(), 3.0);
    }
}

#[test]
fn every_output_satisfies_the_declared_q_norm_bound_and_range() {
    for p in [1.0, 1.5, 2.0, 4.0, f64::INFINITY] {
        for c in BOTH {
            let mut o = instance(c, p);
            let props = o.properties();
            let bound = props.norm_bound.unwrap();
            assert_eq!(bound.q, o.q());
            assert_eq!(bound.bound, 3.0);
            let range = props.dynamic_range.unwrap();
            let mut g = [0.0; 5];
            let mut r = rng(4);
            for _ in 0..200 {
                o.gradient(&[0.0; 5], &mut r, &mut g).unwrap();
                let norm = q_norm(&g, bound.q);
                assert!(norm <= bound.bound * (1.0 + 1e-12), "{c:?} p={p}: {norm}");
                // Every output has norm exactly B: the bound is attained.
                assert!(
                    (norm - bound.bound).abs() <= 1e-12 * bound.bound,
                    "{c:?} p={p}"
                );
                assert!(g.iter().all(|v| v.abs() <= range));
            }
        }
    }
}

#[test]
fn dual_exponents_and_box_radii_follow_p() {
    // radius D / (2 d^{1/p}) with D = 2, d = 5.
    for (p, q, radius) in [
        (1.0, f64::INFINITY, 1.0 / 5.0),
        (2.0, 2.0, 1.0 / 5f64.sqrt()),
        (f64::INFINITY, 1.0, 1.0),
    ] {
        let o = instance(LpConstruction::Product, p);
        assert_eq!(o.q(), q);
        let r = o.domain().unwrap().radius();
        assert!((r - radius).abs() < 1e-15, "p={p}: {r}");
        assert_eq!(o.domain_box().radius(), r);
    }
}

#[test]
fn the_minimizer_is_the_vertex_minus_radius_times_alpha() {
    for c in BOTH {
        let o = instance(c, 2.0);
        let r = o.domain().unwrap().radius();
        let x_star = o.minimizer().unwrap().to_vec();
        let expected: Vec<f64> = o.alpha().iter().map(|a| -r * f64::from(*a)).collect();
        assert_eq!(x_star, expected);
        assert_eq!(o.value(&x_star).unwrap(), o.optimal_value().unwrap());
        // No point of the box does better: check every vertex and random interior points.
        let f_star = o.optimal_value().unwrap();
        for mask in 0..32u32 {
            let v: Vec<f64> = (0..5)
                .map(|i| if mask >> i & 1 == 1 { r } else { -r })
                .collect();
            assert!(o.value(&v).unwrap() >= f_star - 1e-15);
        }
    }
}

#[test]
fn optimal_values_have_the_closed_forms() {
    // f* = -B delta D / d^{1/p} (one-hot) and -B delta D (product); B = 3, delta = 0.4, D = 2.
    let p = 2.0;
    let one_hot = instance(LpConstruction::OneHot, p).optimal_value().unwrap();
    let product = instance(LpConstruction::Product, p)
        .optimal_value()
        .unwrap();
    assert!((one_hot + 3.0 * 0.4 * 2.0 / 5f64.sqrt()).abs() < 1e-14);
    assert!((product + 3.0 * 0.4 * 2.0).abs() < 1e-14);
}

#[test]
fn queries_outside_the_box_are_rejected() {
    let mut o = instance(LpConstruction::OneHot, f64::INFINITY);
    let mut g = [0.0; 5];
    assert_eq!(
        o.gradient(&[0.0, 0.0, 1.5, 0.0, 0.0], &mut rng(5), &mut g),
        Err(OracleError::OutsideDomain {
            index: 2,
            value: 1.5,
            radius: 1.0
        })
    );
    assert!(
        o.gradient(&[1.0, -1.0, 1.0, -1.0, 1.0], &mut rng(5), &mut g)
            .is_ok()
    );
}

#[test]
fn invalid_parameters_are_rejected() {
    let c = LpConstruction::Product;
    let a = || vec![1, -1];
    for (p, dd, b, delta, alpha) in [
        (0.5, 1.0, 1.0, 0.1, a()),
        (f64::NAN, 1.0, 1.0, 0.1, a()),
        (2.0, 0.0, 1.0, 0.1, a()),
        (2.0, 1.0, -1.0, 0.1, a()),
        (2.0, 1.0, 1.0, 0.6, a()),
        (2.0, 1.0, 1.0, -0.1, a()),
        (2.0, 1.0, 1.0, 0.1, vec![1, 0]),
        (2.0, 1.0, 1.0, 0.1, vec![]),
    ] {
        assert!(
            matches!(
                LpLowerBound::new(c, p, dd, b, delta, alpha),
                Err(OracleError::InvalidParameter(_))
            ),
            "accepted p={p} D={dd} B={b} delta={delta}"
        );
    }
}

#[test]
fn random_alpha_is_a_reproducible_sign_vector() {
    let a = LpLowerBound::random_alpha(64, &mut rng(6)).unwrap();
    assert_eq!(a, LpLowerBound::random_alpha(64, &mut rng(6)).unwrap());
    assert!(a.iter().all(|v| *v == 1 || *v == -1));
    assert!(a.contains(&1) && a.contains(&-1));
    assert!(LpLowerBound::random_alpha(0, &mut rng(6)).is_err());
}

#[test]
fn properties_declare_a_linear_objective() {
    let p = instance(LpConstruction::OneHot, 2.0).properties();
    assert_eq!(p.smoothness, Some(0.0));
    assert_eq!(p.strong_convexity, None);
    // one-hot: B^2/d - (2 B delta/d)^2
    let expected = 9.0 / 5.0 - (2.0 * 3.0 * 0.4 / 5.0_f64).powi(2);
    assert!((p.noise_variance.unwrap() - expected).abs() < 1e-14);
}
