//! Specification of [`NormClip`]: radial projection onto `{||y||_q <= B}` in front of a scheme,
//! every clip counted, the inner scheme's bits and decoder unchanged.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter};
use quantizers::adaptive::AdaptiveSign;
use quantizers::paper::{Ratq, SimQPlus};
use quantizers::{
    Bias, Input, NormClip, PublicState, QuantError, Quantizer, Unquantized, VarianceBound, check,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn encode(q: &dyn Quantizer, y: Input<'_>, seed: u64) -> Result<(BitString, usize), QuantError> {
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap_or(usize::MAX));
    let stats = q.encode(
        y,
        &PublicState::new(9),
        &mut ChaCha8Rng::seed_from_u64(seed),
        &mut w,
    )?;
    assert_eq!(stats.bits, w.len());
    Ok((w.finish(), stats.clipped))
}

fn decode(q: &dyn Quantizer, msg: &BitString) -> Vec<f64> {
    let mut out = vec![0.0; q.dim()];
    let mut r = msg.reader();
    q.decode(&mut r, &PublicState::new(9), &mut out).unwrap();
    assert!(r.is_exhausted());
    out
}

fn l2(y: &[f64]) -> f64 {
    y.iter().map(|v| v * v).sum::<f64>().sqrt()
}

#[test]
fn inside_the_ball_it_writes_the_inner_schemes_message_bit_for_bit() {
    let inner = SimQPlus::new(8, 2.0, 2.0, 6).unwrap();
    let q = NormClip::new(inner.clone(), 2.0, 2.0).unwrap();
    let y = [0.5f64, -0.25, 0.0, 1.0, -0.5, 0.25, 0.0, 0.125]; // ||y||_2 = 1.28
    for seed in 0..20 {
        let (a, clipped) = encode(&q, (&y).into(), seed).unwrap();
        let (b, _) = encode(&inner, (&y).into(), seed).unwrap();
        assert_eq!(a, b, "seed {seed}");
        assert_eq!(clipped, 0);
    }
}

#[test]
fn outside_the_ball_the_input_is_projected_radially() {
    let q = NormClip::new(Unquantized::new(4).unwrap(), 2.0, 1.0).unwrap();
    let y = [3.0f64, 0.0, -4.0, 0.0]; // ||y||_2 = 5
    let (msg, _) = encode(&q, (&y).into(), 0).unwrap();
    let out = decode(&q, &msg);
    let want = [0.6, 0.0, -0.8, 0.0];
    for (o, w) in out.iter().zip(want) {
        assert!((o - w).abs() < 1e-15, "{out:?}");
    }
    assert!((l2(&out) - 1.0).abs() < 1e-15);
}

#[test]
fn a_clipped_message_counts_its_nonzero_coordinates() {
    let q = NormClip::new(Unquantized::new(5).unwrap(), 1.0, 2.0).unwrap();
    let (_, clipped) = encode(&q, (&[1.0f64, 0.0, -2.0, 0.5, 0.0]).into(), 0).unwrap();
    assert_eq!(clipped, 3); // ||y||_1 = 3.5 > 2
    let (_, clipped) = encode(&q, (&[1.0f64, 0.0, -0.5, 0.5, 0.0]).into(), 0).unwrap();
    assert_eq!(clipped, 0); // ||y||_1 = 2 is on the boundary: admitted
}

#[test]
fn the_clipping_norm_is_the_one_given() {
    let y = [1.0f64, 1.0, 1.0, 1.0]; // l1 = 4, l2 = 2, linf = 1
    for (norm, bound, clipped) in [
        (1.0, 3.0, 4),
        (2.0, 3.0, 0),
        (2.0, 1.5, 4),
        (f64::INFINITY, 1.0, 0),
        (f64::INFINITY, 0.5, 4),
    ] {
        let q = NormClip::new(Unquantized::new(4).unwrap(), norm, bound).unwrap();
        let (msg, n) = encode(&q, (&y).into(), 0).unwrap();
        assert_eq!(n, clipped, "l{norm} <= {bound}");
        if clipped > 0 {
            let out = decode(&q, &msg);
            let expected = bound
                / [4.0, 2.0, 1.0][[1.0, 2.0, f64::INFINITY]
                    .iter()
                    .position(|&p| p == norm)
                    .unwrap()];
            assert!(out.iter().all(|&v| (v - expected).abs() < 1e-15), "{out:?}");
        }
    }
}

#[test]
fn f32_and_f64_inputs_are_clipped_alike() {
    let q = NormClip::new(Unquantized::new(3).unwrap(), 2.0, 1.0).unwrap();
    let y32 = [2.0f32, -1.0, 2.0];
    let y64 = [2.0f64, -1.0, 2.0];
    let (a, ca) = encode(&q, (&y32).into(), 0).unwrap();
    let (b, cb) = encode(&q, (&y64).into(), 0).unwrap();
    assert_eq!((a, ca), (b, cb));
}

#[test]
fn it_lets_a_norm_bounded_scheme_take_inputs_outside_its_ball() {
    let y: Vec<f64> = (0..16).map(|i| (i as f64 - 7.5) / 2.0).collect(); // ||y||_2 = 9.2
    let ratq = Ratq::new(16, 4.0, 8).unwrap();
    assert!(matches!(
        encode(&ratq, (&y).into(), 0),
        Err(QuantError::OutOfRange { .. })
    ));
    let q = NormClip::new(ratq.clone(), 2.0, 4.0).unwrap();
    let (msg, clipped) = encode(&q, (&y).into(), 0).unwrap();
    assert_eq!(clipped, 16);
    assert_eq!(Some(msg.len()), ratq.bit_cost().exact());
}

#[test]
fn with_an_unbiased_inner_scheme_the_mean_output_is_the_projection() {
    let inner = SimQPlus::new(8, 1.0, 2.0, 8).unwrap();
    let q = NormClip::new(inner, 2.0, 1.0).unwrap();
    let y = [0.9f64, -0.6, 0.3, 0.0, -0.3, 0.6, 0.0, 0.45]; // ||y||_2 = 1.35
    let s = 1.0 / l2(&y);
    let bias: Vec<f64> = y.iter().map(|v| v * s - v).collect();
    let m = check::measure(&q, (&y).into(), 40_000, 3).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    m.assert_bias_equals(&bias, 5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    assert_eq!(m.clipped, 40_000 * 6); // six nonzero coordinates
    // The stated bound is the inner bound at clip(y) plus the distance moved, and it is exact.
    let stated = q.mse_bound(&y).unwrap();
    assert!(
        (m.mse - stated).abs() < 5.0 * m.mse_std_error,
        "measured {} vs stated {stated}",
        m.mse
    );
}

#[test]
fn inside_the_ball_an_unbiased_inner_scheme_stays_unbiased() {
    let q = NormClip::new(SimQPlus::new(8, 1.0, 2.0, 8).unwrap(), 2.0, 1.0).unwrap();
    let y = [0.5f64, -0.4, 0.2, 0.0, -0.2, 0.4, 0.0, 0.3]; // ||y||_2 = 0.89
    let m = check::measure(&q, (&y).into(), 20_000, 4).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    assert_eq!(m.clipped, 0);
}

#[test]
fn the_stated_mse_adds_the_projection_distance_only_for_clipped_inputs() {
    let inner = SimQPlus::new(4, 1.0, 2.0, 4).unwrap();
    let q = NormClip::new(inner.clone(), 2.0, 1.0).unwrap();
    let inside = [0.5, -0.5, 0.0, 0.5];
    assert_eq!(q.mse_bound(&inside), inner.mse_bound(&inside));
    let outside = [2.0, 0.0, 0.0, 0.0];
    let projected = [1.0, 0.0, 0.0, 0.0];
    assert_eq!(
        q.mse_bound(&outside),
        Some(inner.mse_bound(&projected).unwrap() + 1.0)
    );
    assert_eq!(q.mse_bound(&[f64::NAN, 0.0, 0.0, 0.0]), None);
    assert_eq!(q.mse_bound(&[0.0; 3]), None);
}

#[test]
fn a_biased_inner_scheme_states_no_bound_for_clipped_inputs() {
    let inner = AdaptiveSign::new(3, 3, 1.0).unwrap();
    let q = NormClip::new(inner.clone(), 2.0, 1.0).unwrap();
    assert_eq!(
        q.mse_bound(&[0.1, 0.2, 0.3]),
        inner.mse_bound(&[0.1, 0.2, 0.3])
    );
    assert_eq!(q.mse_bound(&[1.0, 2.0, 3.0]), None);
    assert_eq!(q.bias(), inner.bias());
}

#[test]
fn it_declares_the_inner_cost_and_variance_and_a_clipping_bias() {
    let inner = Ratq::new(16, 2.0, 4).unwrap();
    let q = NormClip::new(inner.clone(), 2.0, 2.0).unwrap();
    assert_eq!(q.bit_cost(), inner.bit_cost());
    assert_eq!(q.variance(), inner.variance());
    assert_eq!(q.paper_bits(), inner.paper_bits());
    assert_eq!(q.dim(), 16);
    assert!(matches!(q.bias(), Bias::Biased(_)));
    assert!(matches!(q.variance(), VarianceBound::Absolute { .. }));
    assert!(
        q.name().starts_with("norm-clip(l2<=2, ratq("),
        "{}",
        q.name()
    );
}

#[test]
fn rejects_bad_parameters_and_bad_input_with_errors() {
    let inner = || Unquantized::new(2).unwrap();
    for (norm, bound) in [
        (0.5, 1.0),
        (f64::NAN, 1.0),
        (2.0, 0.0),
        (2.0, -1.0),
        (2.0, f64::INFINITY),
        (2.0, f64::NAN),
    ] {
        assert!(
            matches!(
                NormClip::new(inner(), norm, bound),
                Err(QuantError::InvalidParameter(_))
            ),
            "q {norm}, B {bound}"
        );
    }
    let q = NormClip::new(inner(), 2.0, 1.0).unwrap();
    assert_eq!(
        encode(&q, (&[1.0f64, f64::NAN]).into(), 0),
        Err(QuantError::NonFinite { index: 1 })
    );
    assert_eq!(
        encode(&q, (&[f64::INFINITY, 0.0]).into(), 0),
        Err(QuantError::NonFinite { index: 0 })
    );
    assert_eq!(
        encode(&q, (&[1.0f64; 3]).into(), 0),
        Err(QuantError::DimensionMismatch {
            expected: 2,
            got: 3
        })
    );
}
