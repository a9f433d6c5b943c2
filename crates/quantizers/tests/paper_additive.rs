//! The additive INT-b quantizer: two's-complement indices in exactly d b bits, unbiased
//! stochastic rounding with variance at most Delta^2/4 and uncorrelated coordinates (the
//! eps I model), range errors, saturation and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::paper::AdditiveQuantizer;
use quantizers::{Bias, Overload, PublicState, QuantError, Quantizer, VarianceBound, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn encode(q: &AdditiveQuantizer, y: &[f64], seed: u64) -> BitString {
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
    q.encode(
        y.into(),
        &PublicState::new(0),
        &mut ChaCha8Rng::seed_from_u64(seed),
        &mut w,
    )
    .unwrap();
    w.finish()
}

#[test]
fn indices_are_b_bit_twos_complement_integers() {
    let q = AdditiveQuantizer::new(4, 0.25, 4).unwrap();
    assert_eq!(q.index_range(), (-8, 7));
    assert_eq!(q.range(), (-2.0, 1.75));
    // Grid points round deterministically: n = -1, 7, -8, 0.
    let msg = encode(&q, &[-0.25, 1.75, -2.0, 0.0], 1);
    assert_eq!(msg.len(), 16);
    assert_eq!(msg.as_words()[0], 0b0000_1000_0111_1111);
    let mut out = [0.0; 4];
    q.decode(&mut msg.reader(), &PublicState::new(0), &mut out)
        .unwrap();
    assert_eq!(out, [-0.25, 1.75, -2.0, 0.0]);
}

#[test]
fn messages_take_exactly_d_b_bits() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for bits in [1u32, 2, 8, 16, 32, 53] {
        let q = AdditiveQuantizer::new(7, 0.5, bits).unwrap();
        assert_eq!(q.bit_cost().exact(), Some(7 * bits as usize));
        assert_eq!(q.paper_bits(), Some(7.0 * f64::from(bits)));
        let (lo, hi) = q.range();
        let y: Vec<f64> = (0..7).map(|_| rng.random_range(lo..=hi)).collect();
        check::measure(&q, (&y).into(), 20, 1)
            .unwrap()
            .assert_bits_match_cost(&q)
            .unwrap();
    }
}

#[test]
fn unbiased_with_the_exact_rounding_variance_in_range() {
    let q = AdditiveQuantizer::new(5, 0.5, 3).unwrap(); // [-2, 1.5]
    let y = [0.1, -1.9, 1.5, 0.75, -0.3];
    // (x - a)(a + Delta - x): 0.1*0.4, 0.1*0.4, 0, 0.25*0.25, 0.2*0.3.
    let exact = 0.04 + 0.04 + 0.0 + 0.0625 + 0.06;
    assert!((q.mse_bound(&y).unwrap() - exact).abs() < 1e-12);
    assert_eq!(q.variance(), VarianceBound::Absolute { mse: 5.0 * 0.0625 });
    let m = check::measure(&q, (&y).into(), 40_000, 2).unwrap();
    m.assert_unbiased(5.0).unwrap();
    assert!(
        (m.mse - exact).abs() <= 5.0 * m.mse_std_error,
        "{} vs {exact}",
        m.mse
    );
}

#[test]
fn errors_of_different_coordinates_are_uncorrelated() {
    // The eps I model: off-diagonal covariance zero, diagonal at most Delta^2/4.
    let q = AdditiveQuantizer::new(2, 1.0, 8).unwrap();
    assert_eq!(q.covariance_eps(), 0.25);
    let y = [0.5, -0.5]; // midpoints: variance exactly Delta^2/4 on both
    let n = 40_000;
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut products = Vec::with_capacity(n);
    let mut out = [0.0; 2];
    for _ in 0..n {
        let mut w = BitWriter::new();
        q.encode((&y).into(), &PublicState::new(0), &mut rng, &mut w)
            .unwrap();
        q.decode(&mut w.finish().reader(), &PublicState::new(0), &mut out)
            .unwrap();
        products.push((out[0] - y[0]) * (out[1] - y[1]));
    }
    let mean = products.iter().sum::<f64>() / n as f64;
    let var = products.iter().map(|p| (p - mean).powi(2)).sum::<f64>() / n as f64;
    assert!(
        mean.abs() <= 5.0 * (var / n as f64).sqrt(),
        "cross covariance {mean}"
    );
}

#[test]
fn out_of_range_input_is_an_error_by_default() {
    let q = AdditiveQuantizer::new(2, 1.0, 4).unwrap(); // [-8, 7]
    assert_eq!(q.bias(), Bias::Unbiased);
    let mut w = BitWriter::new();
    for bad in [[7.01, 0.0], [0.0, -8.5]] {
        assert!(matches!(
            q.encode(
                (&bad).into(),
                &PublicState::new(0),
                &mut rand::rng(),
                &mut w
            ),
            Err(QuantError::OutOfRange { .. })
        ));
        assert!(w.is_empty());
        assert_eq!(q.mse_bound(&bad), None);
    }
}

#[test]
fn saturation_clamps_to_the_range_and_counts_the_clips() {
    let q = AdditiveQuantizer::new(3, 1.0, 4)
        .unwrap()
        .with_overload(Overload::Clip);
    assert!(!q.bias().is_unbiased());
    let y = [100.0, -9.5, 2.5];
    let m = check::measure(&q, (&y).into(), 20_000, 4).unwrap();
    assert_eq!(m.clipped, 2 * 20_000);
    m.assert_bias_equals(&[7.0 - 100.0, -8.0 + 9.5, 0.0], 5.0)
        .unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn non_finite_input_wrong_dimension_and_bad_parameters_are_errors() {
    let q = AdditiveQuantizer::new(2, 1.0, 8).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    assert!(matches!(
        q.encode((&[f32::INFINITY, 0.0]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::NonFinite { index: 0 })
    ));
    assert!(matches!(
        q.encode((&[0.0f64; 3]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
    assert!(AdditiveQuantizer::new(0, 1.0, 8).is_err());
    assert!(AdditiveQuantizer::new(2, 0.0, 8).is_err());
    assert!(AdditiveQuantizer::new(2, f64::NAN, 8).is_err());
    assert!(AdditiveQuantizer::new(2, 1.0, 0).is_err());
    assert!(AdditiveQuantizer::new(2, 1.0, 54).is_err());
    assert!(AdditiveQuantizer::new(usize::MAX, 1.0, 8).is_err());
    assert!(AdditiveQuantizer::new(2, 1e300, 53).is_err()); // the range overflows f64
}

#[test]
fn a_message_over_budget_is_an_error_and_writes_nothing() {
    let q = AdditiveQuantizer::new(4, 1.0, 8).unwrap();
    let mut w = BitWriter::with_capacity(31);
    assert!(matches!(
        q.encode(
            (&[0.5f64; 4]).into(),
            &PublicState::new(0),
            &mut rand::rng(),
            &mut w
        ),
        Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
    ));
    assert!(w.is_empty());
}

proptest! {
    #[test]
    fn every_long_enough_bit_string_decodes_inside_the_range(bytes in proptest::collection::vec(any::<u8>(), 0..8), len in 0usize..64) {
        let q = AdditiveQuantizer::new(5, 0.5, 7).unwrap(); // 35 bits
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = [0.0; 5];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        prop_assert_eq!(result.is_ok(), len >= 35);
        let (lo, hi) = q.range();
        if result.is_ok() {
            prop_assert!(out.iter().all(|v| (lo..=hi).contains(v) && (v / 0.5).fract() == 0.0));
        }
    }
}
