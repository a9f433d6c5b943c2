//! Sign and scaled sign: exact outputs, exact errors, the contraction `alpha(v)`, bits,
//! zero vectors, budgets and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod baseline_common;

use baseline_common::*;
use proptest::prelude::*;
use quantizers::{
    BitCost, PublicState, QuantError, Quantizer, ScalarCode, VarianceBound,
    baselines::{ScaledSign, Sign},
    check,
};

fn sign(v: f64) -> f64 {
    if v < 0.0 { -1.0 } else { 1.0 }
}

#[test]
fn sign_outputs_the_sign_with_zero_positive() {
    let mut y = gaussian(100, 1);
    y[3] = 0.0;
    y[4] = -0.0;
    let q = Sign::new(100).unwrap();
    let (out, bits) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
    assert_eq!(bits, 100);
    assert_eq!(q.bit_cost(), BitCost::Exact(100));
    let expected: Vec<f64> = y.iter().map(|&v| sign(v)).collect();
    assert_eq!(out, expected);
    assert_eq!((out[3], out[4]), (1.0, 1.0));
}

#[test]
fn sign_is_scale_free() {
    let y = gaussian(70, 2);
    let big: Vec<f64> = y.iter().map(|v| v * 1e6).collect();
    let q = Sign::new(70).unwrap();
    let state = PublicState::new(0);
    assert_eq!(
        encode(&q, (&y).into(), &state, 0),
        encode(&q, (&big).into(), &state, 0)
    );
}

#[test]
fn sign_error_is_the_stated_deterministic_error() {
    let y = gaussian(30, 3);
    let q = Sign::new(30).unwrap();
    assert!(!q.bias().is_unbiased());
    let m = check::measure(&q, (&y).into(), 5, 1).unwrap();
    let expected: f64 = y.iter().map(|&v| (sign(v) - v).powi(2)).sum();
    assert!((m.mse - expected).abs() < 1e-12 * expected);
    m.assert_within_stated_mse(&q, 0.0).unwrap();
    let bias: Vec<f64> = y.iter().map(|&v| sign(v) - v).collect();
    m.assert_bias_equals(&bias, 0.0).unwrap();
}

#[test]
fn scaled_sign_outputs_the_mean_magnitude_times_the_sign() {
    let y = gaussian(50, 4);
    let q = ScaledSign::new(50).unwrap();
    let (out, bits) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
    assert_eq!(bits, 32 + 50);
    assert_eq!(q.paper_bits(), Some(bits as f64));
    let c = f64::from((y.iter().map(|v| v.abs()).sum::<f64>() / 50.0) as f32);
    let expected: Vec<f64> = y.iter().map(|&v| c * sign(v)).collect();
    assert_eq!(out, expected);
}

#[test]
fn scaled_sign_error_is_one_minus_alpha_of_v_times_the_norm() {
    let q = ScaledSign::new(40)
        .unwrap()
        .with_scalar_code(ScalarCode::F64);
    for y in [gaussian(40, 5), one_hot(40, 7, 2.0), flat(40, 0.3)] {
        let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
        let err: f64 = out.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum();
        let l1: f64 = y.iter().map(|v| v.abs()).sum();
        let alpha = l1 * l1 / (40.0 * norm2(&y));
        assert!((alpha - q.alpha_of(&y)).abs() < 1e-12);
        let expected = (1.0 - alpha) * norm2(&y);
        assert!(
            (err - expected).abs() <= 1e-12 * norm2(&y),
            "{err} vs {expected}"
        );
        assert!(err <= q.mse_bound(&y).unwrap() * (1.0 + 1e-12) + 1e-15);
    }
}

#[test]
fn alpha_is_one_over_d_on_one_hot_and_one_on_flat_vectors() {
    let q = ScaledSign::new(25).unwrap();
    assert!((q.alpha_of(&one_hot(25, 0, -4.0)) - 1.0 / 25.0).abs() < 1e-15);
    assert!((q.alpha_of(&flat(25, 3.0)) - 1.0).abs() < 1e-15);
    let VarianceBound::Contractive { alpha } = q.variance() else {
        panic!("scaled sign is contractive")
    };
    assert!(alpha <= 1.0 / 25.0 && alpha > 0.99 / 25.0);
    let exact = q.with_scalar_code(ScalarCode::F64);
    assert_eq!(
        exact.variance(),
        VarianceBound::Contractive { alpha: 1.0 / 25.0 }
    );
}

#[test]
fn scaled_sign_is_within_its_bounds_with_every_scalar_code() {
    let y = gaussian(33, 6);
    for code in [
        ScalarCode::F32Nearest,
        ScalarCode::F32Stochastic,
        ScalarCode::F64,
    ] {
        let q = ScaledSign::new(33).unwrap().with_scalar_code(code);
        let m = check::measure(&q, (&y).into(), 500, 2).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
        m.assert_within_stated_mse(&q, 5.0).unwrap();
        m.assert_mse_at_most(q.variance().mse_bound(&y).unwrap(), 5.0)
            .unwrap();
    }
}

#[test]
fn zero_vectors_give_plus_ones_and_zeros() {
    let z = vec![0.0f32; 9];
    let (out, _) = roundtrip(&Sign::new(9).unwrap(), (&z).into(), &PublicState::new(0), 0);
    assert_eq!(out, vec![1.0; 9]);
    let (out, _) = roundtrip(
        &ScaledSign::new(9).unwrap(),
        (&z).into(),
        &PublicState::new(0),
        0,
    );
    assert_eq!(out, vec![0.0; 9]);
    assert_eq!(ScaledSign::new(9).unwrap().mse_bound(&[0.0; 9]), Some(0.0));
}

#[test]
fn a_scale_beyond_f32_is_out_of_range() {
    let y = vec![1e300, -1e300];
    let mut w = bitcodec::BitWriter::new();
    let err = ScaledSign::new(2).unwrap().encode(
        (&y).into(),
        &PublicState::new(0),
        &mut rand::rng(),
        &mut w,
    );
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })));
    assert!(w.is_empty());
}

#[test]
fn budget_overflow_is_an_error() {
    let y = gaussian(65, 7);
    assert_budget_overflow_is_an_error(&Sign::new(65).unwrap(), (&y).into());
    assert_budget_overflow_is_an_error(&ScaledSign::new(65).unwrap(), (&y).into());
}

#[test]
fn truncated_messages_are_errors() {
    let y = gaussian(65, 8);
    assert_truncations_are_errors(&Sign::new(65).unwrap(), (&y).into());
    assert_truncations_are_errors(&ScaledSign::new(65).unwrap(), (&y).into());
}

#[test]
fn a_negative_scale_is_a_corrupt_message() {
    let mut w = bitcodec::BitWriter::new();
    w.write_bits(u64::from((-1.0f32).to_bits()), 32).unwrap();
    w.write_bits(0, 3).unwrap();
    let msg = w.finish();
    let err =
        ScaledSign::new(3)
            .unwrap()
            .decode(&mut msg.reader(), &PublicState::new(0), &mut [0.0; 3]);
    assert!(matches!(err, Err(QuantError::Corrupt(_))));
}

#[test]
fn bad_input_and_parameters_are_typed_errors() {
    assert_bad_input_is_rejected(&Sign::new(4).unwrap());
    assert_bad_input_is_rejected(&ScaledSign::new(4).unwrap());
    assert!(matches!(Sign::new(0), Err(QuantError::InvalidParameter(_))));
    assert!(matches!(
        ScaledSign::new(0),
        Err(QuantError::InvalidParameter(_))
    ));
}

#[test]
fn messages_are_stable() {
    let y = [0.5f32, -1.0, 0.0, -2.0, 3.0];
    let msg = encode(
        &ScaledSign::new(5).unwrap(),
        (&y).into(),
        &PublicState::new(0),
        0,
    );
    // 1.3 as the nearest f32, then signs 0b01010.
    let expected = u64::from(1.3f32.to_bits()) | (0b01010 << 32);
    assert_eq!((msg.len(), msg.as_words()), (37, &[expected][..]));
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..16),
        len in 0usize..128,
    ) {
        let sign = Sign::new(70).unwrap();
        if let Ok(out) = decode_arbitrary(&sign, &bytes, len, 0) {
            prop_assert!(out.iter().all(|v| v.abs() == 1.0));
        }
        let _ = decode_arbitrary(&ScaledSign::new(70).unwrap(), &bytes, len, 0);
    }
}
