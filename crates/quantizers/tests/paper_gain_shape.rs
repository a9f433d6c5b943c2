//! Gain–shape composition with uniform and AGUQ gains: bits, unbiasedness when the gain fits,
//! the exact bias when it clips, the error formula, zero input, the l_q gain, errors and
//! corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::paper::{Aguq, GainQuantizer, GainShape, Ratq, SimQ, UniformGain};
use quantizers::{BitCost, PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn ratq_shape(d: usize) -> Box<dyn Quantizer> {
    Box::new(Ratq::new(d, 1.0, 4).unwrap())
}

fn uniform(max: f64, levels: u64) -> GainQuantizer {
    UniformGain::new(max, levels).unwrap().into()
}

fn random_with_norm(d: usize, norm: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let y: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let n = y.iter().map(|v: &f64| v * v).sum::<f64>().sqrt();
    y.iter().map(|v| v * norm / n).collect()
}

#[test]
fn bits_are_the_gain_bits_plus_the_shape_bits() {
    let shape = Ratq::new(10, 1.0, 4).unwrap();
    let shape_bits = shape.bit_cost().exact().unwrap();
    let q = GainShape::new(Box::new(shape), uniform(4.0, 16)).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(shape_bits + 4));
    let aguq = Aguq::new(0.5, 2.0, 8, 9).unwrap(); // 3 + 4 bits
    let q = GainShape::new(ratq_shape(10), aguq.into()).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(shape_bits + 7));
    let y = random_with_norm(10, 3.0, &mut ChaCha8Rng::seed_from_u64(1));
    let m = check::measure(&q, (&y).into(), 50, 1).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    // The notes' count: the shape's paper formula + log2 h_g + log2 k_g.
    let paper = q.paper_bits().unwrap();
    assert!((paper - (q.shape().paper_bits().unwrap() + 3.0 + 9f64.log2())).abs() < 1e-12);
}

#[test]
fn unbiased_when_the_gain_is_not_clipped() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let y = random_with_norm(12, 2.5, &mut rng);
    for gain in [uniform(4.0, 8), Aguq::new(0.25, 2.0, 6, 5).unwrap().into()] {
        let q = GainShape::new(ratq_shape(12), gain).unwrap();
        let m = check::measure(&q, (&y).into(), 20_000, 2).unwrap();
        assert_eq!(m.clipped, 0);
        m.assert_unbiased(5.0).unwrap();
    }
}

#[test]
fn a_clipped_gain_scales_the_mean_to_the_top_gain_and_is_counted() {
    let y = random_with_norm(8, 5.0, &mut ChaCha8Rng::seed_from_u64(3));
    for gain in [uniform(2.0, 8), Aguq::new(0.25, 2.0, 4, 5).unwrap().into()] {
        let q = GainShape::new(ratq_shape(8), gain).unwrap();
        let top = q.gain().top();
        assert_eq!(top, 2.0);
        let m = check::measure(&q, (&y).into(), 20_000, 3).unwrap();
        assert_eq!(m.clipped, 20_000);
        let bias: Vec<f64> = y.iter().map(|v| (top / 5.0 - 1.0) * v).collect();
        m.assert_bias_equals(&bias, 5.0).unwrap();
        assert!(m.assert_unbiased(5.0).is_err());
    }
}

#[test]
fn mse_equals_the_formula_with_an_exact_shape_bound() {
    // SimQ's mse_bound is exact, the gain variance is exact: the formula is an equality.
    let y = [0.6, -0.3, 0.0, 0.9, -0.45];
    for gain in [uniform(3.0, 5), uniform(1.0, 3)] {
        // l1 gain so that the shape Y/||Y||_1 fits SimQ with B = 1.
        let q = GainShape::new(Box::new(SimQ::new(5, 1.0).unwrap()), gain)
            .unwrap()
            .with_norm(1.0)
            .unwrap();
        let exact = q.mse_bound(&y).unwrap();
        let m = check::measure(&q, (&y).into(), 40_000, 4).unwrap();
        assert!(
            (m.mse - exact).abs() <= 5.0 * m.mse_std_error,
            "{}: {} vs {exact} (se {})",
            q.name(),
            m.mse,
            m.mse_std_error
        );
    }
}

#[test]
fn mse_is_within_the_stated_bound_with_ratq_shapes() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let q = GainShape::new(ratq_shape(32), Aguq::new(0.5, 2.0, 8, 9).unwrap().into()).unwrap();
    for norm in [0.1, 1.0, 7.0, 100.0] {
        let y = random_with_norm(32, norm, &mut rng);
        let m = check::measure(&q, (&y).into(), 2000, 5).unwrap();
        m.assert_within_stated_mse(&q, 5.0).unwrap();
    }
}

#[test]
fn aguq_picks_the_smallest_range_that_holds_the_gain() {
    let g = Aguq::new(1.0, 3.0, 4, 2).unwrap(); // ranges 1, 3, 9, 27
    assert_eq!(g.select(0.5), 0);
    assert_eq!(g.select(1.0), 0);
    assert_eq!(g.select(1.5), 1);
    assert_eq!(g.select(20.0), 3);
    assert_eq!(g.select(1e6), 3);
    assert_eq!(g.top(), 27.0);
    // With 2 levels on [0, 3], 1.5 is 0 or 3 with equal probability: variance 2.25.
    assert!((g.variance(1.5) - 2.25).abs() < 1e-12);
    assert_eq!(g.mean(100.0), 27.0);
}

#[test]
fn gain_quantizers_are_unbiased_below_their_top() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let quantizers: [GainQuantizer; 2] =
        [uniform(4.0, 5), Aguq::new(0.5, 2.0, 5, 3).unwrap().into()];
    for q in quantizers {
        for g in [0.0, 0.3, 1.7, 3.99] {
            let n = 40_000;
            let mut w = BitWriter::new();
            let values: Vec<f64> = (0..n)
                .map(|_| {
                    let (v, clipped) = q.encode(g, rng.random(), &mut w).unwrap();
                    assert!(!clipped);
                    v
                })
                .collect();
            assert_eq!(w.len(), n * q.bits());
            let mean = values.iter().sum::<f64>() / n as f64;
            let central =
                |k: i32| values.iter().map(|v| (v - mean).powi(k)).sum::<f64>() / n as f64;
            let (var, m4) = (central(2), central(4));
            // Standard errors of the sample mean and of the sample variance.
            let se_mean = (var / n as f64).sqrt();
            let se_var = ((m4 - var * var).max(0.0) / n as f64).sqrt();
            assert!(
                (mean - g).abs() <= 5.0 * se_mean + 1e-12,
                "{} at {g}",
                q.name()
            );
            assert!(
                (var - q.variance(g)).abs() <= 5.0 * se_var + 1e-12,
                "{} at {g}",
                q.name()
            );
            // The decoder reads back exactly the values the encoder reported.
            let msg = w.finish();
            let mut r = msg.reader();
            assert!(values.iter().all(|&v| q.decode(&mut r).unwrap() == v));
        }
    }
}

#[test]
fn the_zero_vector_decodes_to_zero_with_a_full_length_message() {
    let q = GainShape::new(ratq_shape(6), uniform(2.0, 4)).unwrap();
    let state = PublicState::new(0);
    let mut w = BitWriter::new();
    let stats = q
        .encode((&[0.0f64; 6]).into(), &state, &mut rand::rng(), &mut w)
        .unwrap();
    assert_eq!(Some(stats.bits), q.bit_cost().exact());
    let mut out = [1.0; 6];
    q.decode(&mut w.finish().reader(), &state, &mut out)
        .unwrap();
    assert_eq!(out, [0.0; 6]);
    assert_eq!(q.mse_bound(&[0.0; 6]), Some(0.0));
}

#[test]
fn an_lq_gain_feeds_the_shape_a_unit_lq_vector() {
    // SimQ with B = 1 accepts exactly the unit l1 ball: the l1 gain makes every input fit,
    // while an l2 gain would hand it shapes with ||u||_1 > 1.
    let y = [0.5f64, 0.5, 0.5, 0.5]; // ||y||_2 = 1, ||y||_1 = 2
    let l2 = GainShape::new(Box::new(SimQ::new(4, 1.0).unwrap()), uniform(4.0, 9)).unwrap();
    let mut w = BitWriter::new();
    assert!(matches!(
        l2.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w),
        Err(QuantError::OutOfRange { .. })
    ));
    assert!(w.is_empty());
    let l1 = GainShape::new(Box::new(SimQ::new(4, 1.0).unwrap()), uniform(4.0, 9))
        .unwrap()
        .with_norm(1.0)
        .unwrap();
    let m = check::measure(&l1, (&y).into(), 20_000, 7).unwrap();
    m.assert_unbiased(5.0).unwrap();
    assert!(
        GainShape::new(Box::new(SimQ::new(4, 1.0).unwrap()), uniform(4.0, 9))
            .unwrap()
            .with_norm(0.5)
            .is_err()
    );
}

#[test]
fn invalid_gain_parameters_and_gains_are_rejected() {
    assert!(UniformGain::new(0.0, 4).is_err());
    assert!(UniformGain::new(f64::INFINITY, 4).is_err());
    assert!(UniformGain::new(1.0, 1).is_err());
    assert!(Aguq::new(0.0, 2.0, 4, 4).is_err());
    assert!(Aguq::new(1.0, 1.0, 4, 4).is_err());
    assert!(Aguq::new(1.0, f64::NAN, 4, 4).is_err());
    assert!(Aguq::new(1.0, 2.0, 0, 4).is_err());
    assert!(Aguq::new(1.0, 2.0, 4, 1).is_err());
    assert!(Aguq::new(1.0, 1e10, 100, 4).is_err()); // the top range overflows
    let mut w = BitWriter::new();
    let g = UniformGain::new(1.0, 4).unwrap();
    assert!(g.encode(-0.1, 0.5, &mut w).is_err());
    assert!(g.encode(f64::NAN, 0.5, &mut w).is_err());
}

#[test]
fn non_finite_input_and_wrong_dimension_are_errors() {
    let q = GainShape::new(ratq_shape(4), uniform(2.0, 4)).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    assert!(matches!(
        q.encode(
            (&[0.0, f64::NAN, 0.0, 0.0]).into(),
            &s,
            &mut rand::rng(),
            &mut w
        ),
        Err(QuantError::NonFinite { index: 1 })
    ));
    assert!(matches!(
        q.encode((&[0.0f64; 5]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
    assert!(
        q.decode(&mut BitString::new().reader(), &s, &mut [0.0; 4])
            .is_err()
    );
}

#[test]
fn a_message_over_budget_is_an_error_and_writes_nothing() {
    let q = GainShape::new(ratq_shape(8), uniform(2.0, 4)).unwrap();
    for cap in [0, 2, q.bit_cost().exact().unwrap() - 1] {
        let mut w = BitWriter::with_capacity(cap);
        assert!(matches!(
            q.encode(
                (&[0.1f64; 8]).into(),
                &PublicState::new(0),
                &mut rand::rng(),
                &mut w
            ),
            Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
        ));
        assert!(w.is_empty());
    }
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16), len in 0usize..128) {
        let q = GainShape::new(ratq_shape(6), Aguq::new(0.5, 2.0, 3, 5).unwrap().into()).unwrap();
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = [0.0; 6];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        if len < q.bit_cost().exact().unwrap() {
            prop_assert!(result.is_err());
        }
        if result.is_ok() {
            prop_assert!(out.iter().all(|v| v.is_finite()));
        }
    }
}
