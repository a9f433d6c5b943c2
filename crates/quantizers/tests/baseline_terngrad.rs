//! TernGrad: exact bits, unbiasedness, `E||C(g)||^2 = s ||g||_1`, the tight
//! `omega = (sqrt(d) - 1)/2`, clipping, zero vectors, budgets and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod baseline_common;

use baseline_common::*;
use proptest::prelude::*;
use quantizers::{
    Bias, BitCost, PublicState, QuantError, Quantizer, ScalarCode, VarianceBound,
    baselines::{TERNGRAD_CLIP, TernGrad},
    check,
};

/// The worst case of `||g||_inf ||g||_1 / ||g||_2^2`: `(1, t, ..., t)`, `t = 1/(sqrt(d) + 1)`.
fn worst_case(d: usize) -> Vec<f64> {
    let t = 1.0 / ((d as f64).sqrt() + 1.0);
    (0..d).map(|i| if i == 0 { 1.0 } else { -t }).collect()
}

#[test]
fn messages_are_the_scale_then_packed_trits() {
    // 40 trits per 64-bit chunk; 100 = 2 chunks + 20 trits in ceil(20 log2 3) = 32 bits.
    assert_eq!(
        TernGrad::new(100).unwrap().bit_cost(),
        BitCost::Exact(32 + 2 * 64 + 32)
    );
    assert_eq!(
        TernGrad::new(40).unwrap().bit_cost(),
        BitCost::Exact(32 + 64)
    );
    let q = TernGrad::new(100).unwrap();
    let m = check::measure(&q, (&gaussian(100, 1)).into(), 20, 1).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    // The paper's d log2 3 + 32 against 1.6 bits per trit: under one bit per 40-trit chunk.
    let paper = q.paper_bits().unwrap();
    assert!((paper - (32.0 + 100.0 * 3f64.log2())).abs() < 1e-9);
    let overhead = q.bit_cost().exact().unwrap() as f64 - paper;
    assert!((0.0..100.0 / 40.0 + 1.0).contains(&overhead), "{overhead}");
}

#[test]
fn outputs_are_minus_s_zero_or_s_with_the_input_sign() {
    let y = gaussian(50, 2);
    let s = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let q = TernGrad::new(50).unwrap().with_scalar_code(ScalarCode::F64);
    for t in 0..20 {
        let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(t), t);
        for (o, v) in out.iter().zip(&y) {
            assert!(*o == 0.0 || *o == s * v.signum(), "{o} for {v}");
        }
    }
}

#[test]
fn unbiased_with_second_moment_s_times_l1_on_one_hot_flat_random_and_worst_inputs() {
    let d = 16;
    let q = TernGrad::new(d).unwrap();
    let exact = q.clone().with_scalar_code(ScalarCode::F64);
    for y in [
        one_hot(d, 3, 2.5),
        flat(d, 0.4),
        gaussian(d, 3),
        worst_case(d),
    ] {
        let m = check::measure(&q, (&y).into(), 20_000, 4).unwrap();
        m.assert_unbiased(5.0).unwrap();
        m.assert_within_stated_mse(&q, 5.0).unwrap();
        m.assert_mse_at_most(q.variance().mse_bound(&y).unwrap(), 5.0)
            .unwrap();
        // With an exact scale, E||C(g) - g||^2 = s ||g||_1 - ||g||^2.
        let m = check::measure(&exact, (&y).into(), 20_000, 4).unwrap();
        let s = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let l1: f64 = y.iter().map(|v| v.abs()).sum();
        assert_mse_near(&m, s * l1 - norm2(&y), 5.0);
    }
}

#[test]
fn omega_is_attained_by_the_worst_case_input() {
    let d = 16;
    let q = TernGrad::new(d).unwrap().with_scalar_code(ScalarCode::F64);
    assert_eq!(q.variance(), VarianceBound::Relative { omega: 1.5 }); // (sqrt 16 - 1)/2
    let y = worst_case(d);
    let m = check::measure(&q, (&y).into(), 20_000, 5).unwrap();
    assert_mse_near(&m, 1.5 * norm2(&y), 5.0);
}

#[test]
fn clipping_counts_clipped_coordinates_and_is_unbiased_for_the_clipped_vector() {
    let d = 20;
    let mut y = gaussian(d, 6);
    y[7] = 25.0; // an outlier far beyond 2.5 std
    let q = TernGrad::new(d)
        .unwrap()
        .with_clipping(TERNGRAD_CLIP)
        .unwrap();
    assert!(matches!(q.bias(), Bias::Biased(_)));
    assert_eq!(q.variance(), VarianceBound::InputDependent);
    let mean = y.iter().sum::<f64>() / d as f64;
    let std = (y.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / d as f64).sqrt();
    let c = TERNGRAD_CLIP * std;
    let clipped: Vec<f64> = y.iter().map(|v| v.clamp(-c, c)).collect();
    let expected_clips = y.iter().filter(|v| v.abs() > c).count();
    assert!(expected_clips >= 1);
    let trials = 20_000;
    let m = check::measure(&q, (&y).into(), trials, 7).unwrap();
    assert_eq!(m.clipped, expected_clips * trials);
    let bias: Vec<f64> = clipped.iter().zip(&y).map(|(h, v)| h - v).collect();
    m.assert_bias_equals(&bias, 5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(1), 1);
    assert!(out.iter().all(|v| v.abs() <= c * (1.0 + 1e-6)));
}

#[test]
fn clipping_sends_a_constant_vector_to_zero() {
    let q = TernGrad::new(6).unwrap().with_clipping(2.5).unwrap();
    let y = vec![3.0f32; 6];
    let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
    assert_eq!(out, vec![0.0; 6]);
    let m = check::measure(&q, (&y).into(), 3, 0).unwrap();
    assert_eq!(m.clipped, 18);
}

#[test]
fn zero_vectors_decode_to_zeros() {
    for q in [
        TernGrad::new(5).unwrap(),
        TernGrad::new(5).unwrap().with_clipping(1.0).unwrap(),
    ] {
        let (out, _) = roundtrip(&q, (&[0.0f64; 5]).into(), &PublicState::new(0), 0);
        assert_eq!(out, vec![0.0; 5]);
        assert_eq!(q.mse_bound(&[0.0; 5]), Some(0.0));
    }
}

#[test]
fn budget_overflow_is_an_error() {
    assert_budget_overflow_is_an_error(&TernGrad::new(45).unwrap(), (&gaussian(45, 8)).into());
}

#[test]
fn truncated_messages_are_errors() {
    assert_truncations_are_errors(&TernGrad::new(45).unwrap(), (&gaussian(45, 9)).into());
}

#[test]
fn bad_input_and_parameters_are_typed_errors() {
    assert_bad_input_is_rejected(&TernGrad::new(4).unwrap());
    assert!(matches!(
        TernGrad::new(0),
        Err(QuantError::InvalidParameter(_))
    ));
    for c in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(
            TernGrad::new(4).unwrap().with_clipping(c),
            Err(QuantError::InvalidParameter(_))
        ));
    }
    let mut w = bitcodec::BitWriter::new();
    let huge = [1e39, 1.0];
    let err = TernGrad::new(2).unwrap().encode(
        (&huge).into(),
        &PublicState::new(0),
        &mut rand::rng(),
        &mut w,
    );
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })));
}

#[test]
fn names_carry_the_options() {
    assert_eq!(TernGrad::new(3).unwrap().name(), "terngrad");
    assert_eq!(
        TernGrad::new(3).unwrap().with_clipping(2.5).unwrap().name(),
        "terngrad(clip=2.5std)"
    );
    assert_eq!(
        TernGrad::new(3)
            .unwrap()
            .with_scalar_code(ScalarCode::F64)
            .name(),
        "terngrad(f64)"
    );
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..16),
        len in 0usize..128,
    ) {
        let _ = decode_arbitrary(&TernGrad::new(50).unwrap(), &bytes, len, 0);
    }
}
