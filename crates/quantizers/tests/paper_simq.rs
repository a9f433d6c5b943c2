//! SimQ: exactly ceil(log2(2d+1)) bits, l1 sampling (unbiased, the exact error
//! B||y||_1 - ||y||_2^2, outputs in {0, ±B e_i}), range errors and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::paper::{NORM_SLACK, SimQ};
use quantizers::{PublicState, QuantError, Quantizer, VarianceBound, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn roundtrip(q: &SimQ, y: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let state = PublicState::new(0);
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
    q.encode(y.into(), &state, rng, &mut w).unwrap();
    let msg = w.finish();
    let mut out = vec![0.0; y.len()];
    let mut r = msg.reader();
    q.decode(&mut r, &state, &mut out).unwrap();
    assert!(r.is_exhausted());
    out
}

/// A random vector with `||y||_1 = l1`.
fn random_l1(d: usize, l1: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let y: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let norm: f64 = y.iter().map(|v: &f64| v.abs()).sum();
    y.iter().map(|v| v * l1 / norm).collect()
}

#[test]
fn messages_take_exactly_ceil_log2_2d_plus_1_bits() {
    for (d, bits) in [
        (1usize, 2usize),
        (2, 3),
        (3, 3),
        (4, 4),
        (100, 8),
        (1000, 11),
    ] {
        let q = SimQ::new(d, 1.0).unwrap();
        assert_eq!(q.bit_cost().exact(), Some(bits), "d={d}");
        let paper = q.paper_bits().unwrap();
        assert_eq!(paper.ceil() as usize, bits);
        assert_eq!(paper, ((2 * d + 1) as f64).log2());
    }
    let q = SimQ::new(37, 2.0).unwrap();
    let y = random_l1(37, 1.5, &mut ChaCha8Rng::seed_from_u64(1));
    check::measure(&q, (&y).into(), 200, 1)
        .unwrap()
        .assert_bits_match_cost(&q)
        .unwrap();
}

#[test]
fn outputs_are_zero_or_b_times_a_signed_basis_vector_with_the_inputs_sign() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let q = SimQ::new(10, 3.0).unwrap();
    let y = random_l1(10, 2.0, &mut rng);
    for _ in 0..500 {
        let out = roundtrip(&q, &y, &mut rng);
        let nonzero: Vec<usize> = (0..10).filter(|&i| out[i] != 0.0).collect();
        assert!(nonzero.len() <= 1);
        for i in nonzero {
            assert_eq!(out[i], 3.0 * y[i].signum());
        }
    }
}

#[test]
fn unbiased() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let q = SimQ::new(6, 1.0).unwrap();
    let y = random_l1(6, 0.8, &mut rng);
    let m = check::measure(&q, (&y).into(), 40_000, 3).unwrap();
    m.assert_unbiased(5.0).unwrap();
}

#[test]
fn mse_is_exactly_b_l1_minus_l2_squared() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let q = SimQ::new(5, 2.0).unwrap();
    let y = random_l1(5, 1.2, &mut rng);
    let l2sq: f64 = y.iter().map(|v| v * v).sum();
    let exact = 2.0 * 1.2 - l2sq;
    assert!((q.mse_bound(&y).unwrap() - exact).abs() < 1e-12);
    let m = check::measure(&q, (&y).into(), 40_000, 4).unwrap();
    assert!(
        (m.mse - exact).abs() <= 5.0 * m.mse_std_error,
        "{} vs {exact} (se {})",
        m.mse,
        m.mse_std_error
    );
}

#[test]
fn alpha_0_is_b() {
    let q = SimQ::new(5, 2.5).unwrap();
    assert_eq!(q.variance(), VarianceBound::Alpha0 { alpha0: 2.5 });
    // The exact mse never exceeds the class bound alpha_0^2 - ||y||^2.
    let y = [1.0, -0.5, 0.0, 0.25, 0.5];
    assert!(q.mse_bound(&y).unwrap() <= q.variance().mse_bound(&y).unwrap());
}

#[test]
fn on_the_l1_sphere_the_output_is_never_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let q = SimQ::new(3, 1.0).unwrap();
    let y = [0.5, -0.25, 0.25];
    for _ in 0..2000 {
        assert!(roundtrip(&q, &y, &mut rng).iter().any(|&v| v != 0.0));
    }
}

#[test]
fn the_zero_vector_is_sent_as_zero() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let q = SimQ::new(4, 1.0).unwrap();
    for _ in 0..100 {
        assert_eq!(roundtrip(&q, &[0.0; 4], &mut rng), vec![0.0; 4]);
    }
}

#[test]
fn l1_norm_above_b_is_an_error_and_the_boundary_is_admitted() {
    let q = SimQ::new(2, 1.0).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    let over = [0.5, 0.5 + 1e-6];
    assert!(matches!(
        q.encode((&over).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::OutOfRange { .. })
    ));
    assert!(w.is_empty());
    assert_eq!(q.mse_bound(&over), None);
    let edge = [0.5, 0.5 * (1.0 + NORM_SLACK / 2.0)];
    assert!(
        q.encode((&edge).into(), &s, &mut rand::rng(), &mut w)
            .is_ok()
    );
}

#[test]
fn non_finite_input_and_wrong_dimension_are_errors() {
    let q = SimQ::new(3, 1.0).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    assert!(matches!(
        q.encode(
            (&[0.0f32, f32::NAN, 0.0]).into(),
            &s,
            &mut rand::rng(),
            &mut w
        ),
        Err(QuantError::NonFinite { index: 1 })
    ));
    assert!(matches!(
        q.encode((&[0.0f64; 4]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

#[test]
fn invalid_parameters_are_rejected() {
    assert!(SimQ::new(0, 1.0).is_err());
    assert!(SimQ::new(3, 0.0).is_err());
    assert!(SimQ::new(3, f64::NAN).is_err());
    assert!(SimQ::new(3, f64::INFINITY).is_err());
    assert!(SimQ::new(usize::MAX, 1.0).is_err());
}

#[test]
fn a_message_over_budget_is_an_error() {
    let q = SimQ::new(100, 1.0).unwrap();
    let mut w = BitWriter::with_capacity(7);
    assert!(matches!(
        q.encode(
            (&[0.0f64; 100]).into(),
            &PublicState::new(0),
            &mut rand::rng(),
            &mut w
        ),
        Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
    ));
    assert!(w.is_empty());
}

#[test]
fn a_fixed_seed_gives_a_pinned_message() {
    let q = SimQ::new(8, 1.0).unwrap();
    let y = [0.1, -0.2, 0.05, 0.0, -0.3, 0.1, 0.0, 0.15];
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let symbols: Vec<u64> = (0..8)
        .map(|_| {
            let mut w = BitWriter::new();
            q.encode((&y).into(), &PublicState::new(0), &mut rng, &mut w)
                .unwrap();
            w.finish().as_words()[0]
        })
        .collect();
    assert_eq!(symbols, PINNED_SIMQ);
}

// Symbols i' + d: 8 is the zero output, 14 is +B e_6, 3 is -B e_5, ...
const PINNED_SIMQ: [u64; 8] = [14, 8, 3, 3, 6, 6, 11, 16];

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2), len in 0usize..16) {
        let q = SimQ::new(5, 1.0).unwrap(); // 11 symbols in 4 bits
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = [0.0; 5];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        let symbol = msg.as_words().first().map_or(0, |w| w & 0xF);
        prop_assert_eq!(result.is_ok(), len >= 4 && symbol < 11);
        if result.is_ok() {
            prop_assert!(out.iter().filter(|&&v| v != 0.0).count() <= 1);
        }
    }
}
