//! Natural compression and natural dithering: powers of two, exact bits, unbiasedness,
//! `omega = 1/8` and its tightness, the dithering omega, the f32 exponent range handling,
//! zero vectors, budgets and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod baseline_common;

use baseline_common::*;
use bitcodec::{BitWriter, ChunkedRadix};
use proptest::prelude::*;
use quantizers::{
    BitCost, PublicState, QuantError, Quantizer, ScalarCode, VarianceBound,
    baselines::{MAX_DYADIC_LEVELS, NaturalCompression, NaturalDithering},
    check,
};

const F32_MIN_NORMAL: f64 = 1.1754943508222875e-38; // 2^-126

/// `v` is `0` or a signed power of two.
fn is_signed_power_of_two(v: f64) -> bool {
    let e = v.abs().log2().round() as i32;
    v == 0.0 || v.abs() == 2f64.powi(e)
}

/// A vector whose coordinates span many binades, with both signs.
fn wide_range(d: usize, seed: u64) -> Vec<f64> {
    gaussian(d, seed)
        .iter()
        .enumerate()
        .map(|(i, v)| v * 10f64.powi(i as i32 % 13 - 6))
        .collect()
}

#[test]
fn natural_compression_sends_nine_bits_per_coordinate() {
    let q = NaturalCompression::new(37).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(9 * 37));
    assert_eq!(q.paper_bits(), Some(9.0 * 37.0));
    let m = check::measure(&q, (&gaussian(37, 1)).into(), 10, 1).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
}

#[test]
fn natural_compression_rounds_to_the_bracketing_powers_of_two() {
    let y = wide_range(60, 2);
    let q = NaturalCompression::new(60).unwrap();
    for t in 0..10 {
        let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(t), t);
        for (o, v) in out.iter().zip(&y) {
            assert!(is_signed_power_of_two(*o), "{o}");
            let a = 2f64.powi(v.abs().log2().floor() as i32);
            assert!(o.abs() == a || o.abs() == 2.0 * a, "{o} for {v}");
            assert_eq!(o.signum(), v.signum());
        }
    }
}

#[test]
fn natural_compression_is_unbiased_within_one_eighth() {
    let q = NaturalCompression::new(13).unwrap();
    assert_eq!(q.variance(), VarianceBound::Relative { omega: 0.125 });
    for y in [one_hot(13, 2, -3.0), flat(13, 0.3), wide_range(13, 3)] {
        let m = check::measure(&q, (&y).into(), 20_000, 4).unwrap();
        m.assert_unbiased(5.0).unwrap();
        m.assert_within_stated_mse(&q, 5.0).unwrap();
    }
}

#[test]
fn one_eighth_is_attained_at_four_thirds_of_a_power_of_two() {
    // |t| = (4/3) 2^e maximizes (|t| - a)(2a - |t|)/t^2 = 1/8.
    let y: Vec<f64> = (0..8).map(|i| 4.0 / 3.0 * 2f64.powi(i * 3 - 9)).collect();
    let q = NaturalCompression::new(8).unwrap();
    let m = check::measure(&q, (&y).into(), 20_000, 5).unwrap();
    assert_mse_near(&m, norm2(&y) / 8.0, 5.0);
}

#[test]
fn powers_of_two_and_zero_pass_unchanged() {
    let y = [
        1.0f32,
        -0.5,
        0.0,
        1024.0,
        -f32::MIN_POSITIVE,
        2f32.powi(127),
    ];
    let (out, _) = roundtrip(
        &NaturalCompression::new(6).unwrap(),
        (&y).into(),
        &PublicState::new(0),
        0,
    );
    let expected: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    assert_eq!(out, expected);
}

#[test]
fn subnormal_inputs_round_unbiasedly_between_zero_and_two_to_the_minus_126() {
    let tiny = [1e-40f32, -3e-39, 5e-39];
    let q = NaturalCompression::new(3).unwrap();
    let (out, _) = roundtrip(&q, (&tiny).into(), &PublicState::new(0), 0);
    assert!(
        out.iter()
            .all(|v| v.abs() == 0.0 || v.abs() == F32_MIN_NORMAL)
    );
    let m = check::measure(&q, (&tiny).into(), 20_000, 6).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    // The stated bound charges |t|(2^-126 - |t|) here, not t^2/8.
    let y: Vec<f64> = tiny.iter().map(|&v| f64::from(v)).collect();
    assert!(q.mse_bound(&y).unwrap() > norm2(&y) / 8.0);
}

#[test]
fn the_top_f32_binade_rounds_up_to_two_to_the_128() {
    let q = NaturalCompression::new(2).unwrap();
    let (out, _) = roundtrip(&q, (&[f32::MAX, -f32::MAX]).into(), &PublicState::new(0), 0);
    for o in out {
        assert!(o.abs() == 2f64.powi(127) || o.abs() == 2f64.powi(128));
    }
    let y = [1.5 * 2f32.powi(127), -1.25 * 2f32.powi(127)];
    let m = check::measure(&q, (&y).into(), 20_000, 7).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn f64_input_at_or_beyond_two_to_the_128_is_out_of_range() {
    let q = NaturalCompression::new(2).unwrap();
    let mut w = BitWriter::new();
    let y = [1.0, 2f64.powi(128)];
    let err = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })), "{err:?}");
    assert!(w.is_empty());
    let ok = [1.0, 2f64.powi(128) * (1.0 - f64::EPSILON)];
    assert!(
        q.encode((&ok).into(), &PublicState::new(0), &mut rand::rng(), &mut w)
            .is_ok()
    );
}

#[test]
fn natural_compression_decoder_rejects_negative_zero() {
    let mut w = BitWriter::new();
    w.write_bits(1 << 8, 9).unwrap();
    let msg = w.finish();
    let err = NaturalCompression::new(1).unwrap().decode(
        &mut msg.reader(),
        &PublicState::new(0),
        &mut [0.0],
    );
    assert!(matches!(err, Err(QuantError::Corrupt(_))));
}

#[test]
fn natural_dithering_sends_the_norm_then_packed_level_symbols() {
    // s = 3: 7 symbols, 22 per chunk of ceil(22 log2 7) = 62 bits (7^22 < 2^64 < 7^23);
    // 50 = 2 chunks + 6 symbols in ceil(6 log2 7) = 17 bits.
    let q = NaturalDithering::new(50, 3).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(32 + 2 * 62 + 17));
    assert_eq!(ChunkedRadix::new(7).unwrap().len(50), 2 * 62 + 17);
    let m = check::measure(&q, (&gaussian(50, 8)).into(), 10, 1).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
}

#[test]
fn natural_dithering_outputs_the_norm_times_dyadic_levels() {
    let y = gaussian(40, 9);
    let q = NaturalDithering::new(40, 4)
        .unwrap()
        .with_scalar_code(ScalarCode::F64);
    let norm = norm2(&y).sqrt();
    let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
    for (o, v) in out.iter().zip(&y) {
        let level = o.abs() / norm;
        assert!(
            [0.0, 0.125, 0.25, 0.5, 1.0]
                .iter()
                .any(|l| (level - l).abs() < 1e-12),
            "{level}"
        );
        let r = v.abs() / norm;
        let below = [0.0, 0.125, 0.25, 0.5]
            .iter()
            .rev()
            .find(|&&l| l <= r)
            .copied()
            .unwrap();
        let above = [0.125, 0.25, 0.5, 1.0]
            .iter()
            .find(|&&l| l >= r)
            .copied()
            .unwrap();
        assert!((level - below).abs() < 1e-12 || (level - above).abs() < 1e-12);
        assert!(*o == 0.0 || o.signum() == v.signum());
    }
}

#[test]
fn natural_dithering_omega_follows_the_formula() {
    // d = 64, s = 3, p = 2: 1/8 + 8 (1/4) min(1, 2) = 2.125.
    let q = NaturalDithering::new(64, 3).unwrap();
    assert_eq!(q.omega_exact(), 2.125);
    // s = 8: 1/8 + 8/128 * 8/128 = 0.12890625.
    assert_eq!(
        NaturalDithering::new(64, 8).unwrap().omega_exact(),
        0.125 + 0.0625 * 0.0625
    );
    // p = 1 uses d^(1/1): 1/8 + 64/128 * min(1, 64/128).
    let l1 = NaturalDithering::new(64, 8)
        .unwrap()
        .with_norm(1.0)
        .unwrap();
    assert_eq!(l1.omega_exact(), 0.125 + 0.25);
    let linf = NaturalDithering::new(64, 8)
        .unwrap()
        .with_norm(f64::INFINITY)
        .unwrap();
    assert_eq!(
        linf.omega_exact(),
        NaturalDithering::new(64, 8).unwrap().omega_exact()
    );
}

#[test]
fn natural_dithering_is_unbiased_within_omega_for_every_norm() {
    let d = 16;
    for p in [1.0, 2.0, 3.0, f64::INFINITY] {
        for s in [1, 2, 5] {
            let q = NaturalDithering::new(d, s).unwrap().with_norm(p).unwrap();
            for y in [one_hot(d, 9, 0.8), flat(d, 1.5), gaussian(d, 10)] {
                let m = check::measure(&q, (&y).into(), 6_000, 11).unwrap();
                m.assert_unbiased(5.0).unwrap();
                m.assert_within_stated_mse(&q, 5.0).unwrap();
            }
        }
    }
}

#[test]
fn natural_dithering_bottom_bin_variance_stays_within_omega() {
    // A flat unit vector in d = 64 has r_i = 1/8 < 2^(1-s) = 1/4 for s = 3: every coordinate
    // sits in the bottom bin with variance r(1/4 - r) = 1/64, total 1 <= omega = 2.125.
    let y = flat(64, 0.125);
    let q = NaturalDithering::new(64, 3)
        .unwrap()
        .with_scalar_code(ScalarCode::F64);
    let m = check::measure(&q, (&y).into(), 20_000, 12).unwrap();
    assert_mse_near(&m, 1.0, 5.0);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn zero_vectors_decode_to_zeros() {
    let (out, _) = roundtrip(
        &NaturalCompression::new(4).unwrap(),
        (&[0.0f64; 4]).into(),
        &PublicState::new(0),
        0,
    );
    assert_eq!(out, vec![0.0; 4]);
    let (out, _) = roundtrip(
        &NaturalDithering::new(4, 2).unwrap(),
        (&[0.0f32; 4]).into(),
        &PublicState::new(0),
        0,
    );
    assert_eq!(out, vec![0.0; 4]);
}

#[test]
fn bad_input_and_parameters_are_typed_errors() {
    assert_bad_input_is_rejected(&NaturalCompression::new(5).unwrap());
    assert_bad_input_is_rejected(&NaturalDithering::new(5, 2).unwrap());
    assert!(matches!(
        NaturalCompression::new(0),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        NaturalDithering::new(0, 2),
        Err(QuantError::InvalidParameter(_))
    ));
    for s in [0, MAX_DYADIC_LEVELS + 1] {
        assert!(matches!(
            NaturalDithering::new(5, s),
            Err(QuantError::InvalidParameter(_))
        ));
    }
    assert!(NaturalDithering::new(5, MAX_DYADIC_LEVELS).is_ok());
    for p in [0.5, -1.0, f64::NAN] {
        assert!(matches!(
            NaturalDithering::new(5, 2).unwrap().with_norm(p),
            Err(QuantError::InvalidParameter(_))
        ));
    }
}

#[test]
fn budget_overflow_is_an_error() {
    let y = gaussian(30, 13);
    assert_budget_overflow_is_an_error(&NaturalCompression::new(30).unwrap(), (&y).into());
    assert_budget_overflow_is_an_error(&NaturalDithering::new(30, 3).unwrap(), (&y).into());
}

#[test]
fn truncated_messages_are_errors() {
    let y = gaussian(30, 14);
    assert_truncations_are_errors(&NaturalCompression::new(30).unwrap(), (&y).into());
    assert_truncations_are_errors(&NaturalDithering::new(30, 3).unwrap(), (&y).into());
}

#[test]
fn names_carry_the_parameters() {
    assert_eq!(
        NaturalCompression::new(3).unwrap().name(),
        "natural-compression"
    );
    assert_eq!(
        NaturalDithering::new(3, 4).unwrap().name(),
        "natural-dithering(s=4,p=2)"
    );
    let linf = NaturalDithering::new(3, 4)
        .unwrap()
        .with_norm(f64::INFINITY)
        .unwrap();
    assert_eq!(linf.name(), "natural-dithering(s=4,p=inf)");
}

#[test]
fn messages_are_stable_for_a_seed() {
    // Pinned: a change here means the randomness or the wire format changed.
    let y = [3.0f32, -0.25, 0.0];
    let msg = encode(
        &NaturalCompression::new(3).unwrap(),
        (&y).into(),
        &PublicState::new(0),
        42,
    );
    assert_eq!((msg.len(), msg.as_words()), (27, &[195_200][..]));
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..24),
        len in 0usize..192,
    ) {
        let _ = decode_arbitrary(&NaturalCompression::new(12).unwrap(), &bytes, len, 0);
        let _ = decode_arbitrary(&NaturalDithering::new(12, 3).unwrap(), &bytes, len, 0);
    }
}
