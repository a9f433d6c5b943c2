//! `FloatCast` (FP16, BF16, FP8 E4M3/E5M2) as a quantizer: exact bits, bias, variance,
//! clipping and refusal, and bad input.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

mod formats_reference;

use bitcodec::{BitString, BitWriter, CodecError};
use formats_reference::{e4m3, e5m2};
use quantizers::formats::{FloatCast, Overflow, Rounding};
use quantizers::{Bias, Input, PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RNE: Rounding = Rounding::NearestEven;
const SR: Rounding = Rounding::Stochastic;
const SAT: Overflow = Overflow::Saturate;
const NONSAT: Overflow = Overflow::NonSaturating;

fn one_hot(d: usize, v: f64) -> Vec<f64> {
    let mut y = vec![0.0; d];
    y[d / 2] = v;
    y
}

fn flat(d: usize, v: f64) -> Vec<f64> {
    vec![v; d]
}

fn gaussian_like(d: usize, scale: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..d)
        .map(|_| {
            let s: f64 = (0..4).map(|_| rng.random::<f64>() - 0.5).sum();
            s * scale
        })
        .collect()
}

fn all_schemes(d: usize, rounding: Rounding, overflow: Overflow) -> Vec<FloatCast> {
    vec![
        FloatCast::fp16(d, rounding, overflow).unwrap(),
        FloatCast::bf16(d, rounding, overflow).unwrap(),
        FloatCast::e4m3(d, rounding, overflow).unwrap(),
        FloatCast::e5m2(d, rounding, overflow).unwrap(),
    ]
}

/// Inputs inside every format's range, with values off the grids.
fn inputs(d: usize) -> Vec<Vec<f64>> {
    vec![
        one_hot(d, 3.3),
        flat(d, -0.0137),
        gaussian_like(d, 20.0, 1),
        gaussian_like(d, 1e-3, 2),
    ]
}

#[test]
fn messages_have_exactly_width_times_dimension_bits() {
    let d = 37;
    for (q, w) in all_schemes(d, SR, SAT).iter().zip([16, 16, 8, 8]) {
        assert_eq!(q.bit_cost().exact(), Some(w * d));
        let m = check::measure(q, (&gaussian_like(d, 5.0, 3)).into(), 20, 1).unwrap();
        m.assert_bits_match_cost(q).unwrap();
        assert_eq!(m.max_bits, w * d);
    }
}

#[test]
fn nearest_even_bias_is_the_deterministic_rounding_error() {
    let d = 64;
    let refs = [e4m3(), e5m2()];
    for y in inputs(d) {
        for (q, r) in [
            FloatCast::e4m3(d, RNE, SAT).unwrap(),
            FloatCast::e5m2(d, RNE, SAT).unwrap(),
        ]
        .iter()
        .zip(&refs)
        {
            let want: Vec<f64> = y.iter().map(|&v| r.rne_saturating(v) - v).collect();
            let m = check::measure(q, (&y).into(), 3, 2).unwrap();
            m.assert_bias_equals(&want, 5.0).unwrap();
            // Deterministic: another private generator writes the same message.
            let (mut a, mut b) = (BitWriter::new(), BitWriter::new());
            let state = PublicState::new(0);
            let mut r1 = ChaCha8Rng::seed_from_u64(1);
            let mut r2 = ChaCha8Rng::seed_from_u64(2);
            q.encode((&y).into(), &state, &mut r1, &mut a).unwrap();
            q.encode((&y).into(), &state, &mut r2, &mut b).unwrap();
            assert_eq!(a.finish(), b.finish());
        }
    }
}

#[test]
fn fp16_and_bf16_nearest_even_decode_to_the_half_conversions() {
    let d = 256;
    let y32: Vec<f32> = gaussian_like(d, 300.0, 4)
        .iter()
        .map(|&v| v as f32)
        .collect();
    let state = PublicState::new(0);
    type Reference = fn(f32) -> f64;
    let cases: [(FloatCast, Reference); 2] = [
        (FloatCast::fp16(d, RNE, NONSAT).unwrap(), |x| {
            half::f16::from_f32(x).to_f64()
        }),
        (FloatCast::bf16(d, RNE, NONSAT).unwrap(), |x| {
            half::bf16::from_f32(x).to_f64()
        }),
    ];
    for (q, reference) in cases {
        let mut w = BitWriter::new();
        q.encode((&y32).into(), &state, &mut rand::rng(), &mut w)
            .unwrap();
        let mut out = vec![0.0; d];
        q.decode(&mut w.finish().reader(), &state, &mut out)
            .unwrap();
        for (o, &x) in out.iter().zip(&y32) {
            assert_eq!(*o, reference(x), "{} at {x}", q.name());
        }
    }
}

#[test]
fn nearest_even_mse_bound_is_the_squared_rounding_error() {
    let d = 50;
    for q in all_schemes(d, RNE, SAT) {
        for y in inputs(d) {
            let m = check::measure(&q, (&y).into(), 2, 3).unwrap();
            let b = q.mse_bound(&y).unwrap();
            assert!((m.mse - b).abs() <= 1e-12 * b.max(1e-300), "{}", q.name());
        }
    }
}

#[test]
fn stochastic_rounding_is_unbiased_on_one_hot_flat_and_random_inputs() {
    let d = 48;
    for q in all_schemes(d, SR, NONSAT) {
        assert_eq!(q.bias(), Bias::Unbiased);
        for y in inputs(d) {
            let m = check::measure(&q, (&y).into(), 4000, 5).unwrap();
            m.assert_unbiased(5.0)
                .unwrap_or_else(|e| panic!("{}: {e}", q.name()));
        }
    }
}

#[test]
fn stochastic_rounding_mse_is_within_the_stated_bound() {
    let d = 48;
    for q in all_schemes(d, SR, SAT) {
        for y in inputs(d) {
            let m = check::measure(&q, (&y).into(), 4000, 6).unwrap();
            m.assert_within_stated_mse(&q, 5.0)
                .unwrap_or_else(|e| panic!("{}: {e}", q.name()));
            // The bound is the exact expectation, so the measurement is not far below it either.
            let b = q.mse_bound(&y).unwrap();
            assert!(
                m.mse >= b - 5.0 * m.mse_std_error - 1e-12 * b,
                "{}",
                q.name()
            );
        }
    }
}

#[test]
fn stochastic_mse_bound_is_the_sum_of_neighbour_products() {
    let d = 40;
    let y = gaussian_like(d, 50.0, 7);
    let q = FloatCast::e4m3(d, SR, SAT).unwrap();
    let want: f64 = y.iter().map(|&v| e4m3().sr_variance(v)).sum();
    let got = q.mse_bound(&y).unwrap();
    assert!((got - want).abs() <= 1e-12 * want, "{got} vs {want}");
}

#[test]
fn saturating_mode_clips_to_max_and_counts_the_clipped_coordinates() {
    let y = [1000.0f64, -1e6, 1.0, 464.5];
    let q = FloatCast::e4m3(4, RNE, SAT).unwrap();
    let state = PublicState::new(1);
    let mut w = BitWriter::new();
    let stats = q
        .encode((&y).into(), &state, &mut rand::rng(), &mut w)
        .unwrap();
    assert_eq!(stats.clipped, 3);
    let mut out = [0.0; 4];
    q.decode(&mut w.finish().reader(), &state, &mut out)
        .unwrap();
    assert_eq!(out, [448.0, -448.0, 1.0, 448.0]);
    let m = check::measure(&q, (&y).into(), 10, 1).unwrap();
    assert_eq!(m.clipped, 30);
    assert_eq!(
        q.mse_bound(&y),
        Some(552.0f64.powi(2) + (1e6f64 - 448.0).powi(2) + 16.5f64.powi(2))
    );
}

#[test]
fn saturating_stochastic_rounding_is_biased_only_beyond_max() {
    let q = FloatCast::e5m2(3, SR, SAT).unwrap();
    assert!(!q.bias().is_unbiased());
    let y = [60000.0, 1.1, -3.3];
    let m = check::measure(&q, (&y).into(), 4000, 8).unwrap();
    m.assert_bias_equals(&[57344.0 - 60000.0, 0.0, 0.0], 5.0)
        .unwrap();
    assert!(m.assert_unbiased(5.0).is_err());
    assert_eq!(m.clipped, 4000);
}

#[test]
fn non_saturating_mode_refuses_overflow_and_leaves_the_message_untouched() {
    let state = PublicState::new(2);
    for (q, bad) in [
        (FloatCast::e4m3(3, RNE, NONSAT).unwrap(), 464.01),
        (FloatCast::e4m3(3, SR, NONSAT).unwrap(), 448.01),
        (FloatCast::e5m2(3, RNE, NONSAT).unwrap(), 61440.0),
        (FloatCast::fp16(3, RNE, NONSAT).unwrap(), 65520.0),
        (FloatCast::bf16(3, RNE, NONSAT).unwrap(), 1e39),
    ] {
        let mut w = BitWriter::new();
        w.write_bits(0b101, 3).unwrap();
        let y = [0.5, -bad, 1.0];
        let err = q.encode((&y).into(), &state, &mut rand::rng(), &mut w);
        assert!(
            matches!(err, Err(QuantError::OutOfRange { .. })),
            "{}: {err:?}",
            q.name()
        );
        assert_eq!(w.len(), 3, "{}", q.name());
        assert_eq!(q.mse_bound(&y), None);
    }
}

#[test]
fn non_saturating_mode_accepts_the_largest_admissible_values() {
    let state = PublicState::new(2);
    let q = FloatCast::e4m3(2, RNE, NONSAT).unwrap();
    let mut w = BitWriter::new();
    q.encode(
        (&[464.0f64, -448.0]).into(),
        &state,
        &mut rand::rng(),
        &mut w,
    )
    .unwrap();
    let mut out = [0.0; 2];
    q.decode(&mut w.finish().reader(), &state, &mut out)
        .unwrap();
    assert_eq!(out, [448.0, -448.0]);
}

#[test]
fn f32_and_f64_inputs_give_the_same_message() {
    let y32: Vec<f32> = gaussian_like(33, 7.0, 9)
        .iter()
        .map(|&v| v as f32)
        .collect();
    let y64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
    let state = PublicState::new(4);
    for q in all_schemes(33, RNE, SAT) {
        let mut a = BitWriter::new();
        let mut b = BitWriter::new();
        q.encode((&y32).into(), &state, &mut rand::rng(), &mut a)
            .unwrap();
        q.encode((&y64).into(), &state, &mut rand::rng(), &mut b)
            .unwrap();
        assert_eq!(a.finish(), b.finish(), "{}", q.name());
    }
}

#[test]
fn non_finite_input_is_refused_with_its_index() {
    let q = FloatCast::e5m2(3, SR, SAT).unwrap();
    let state = PublicState::new(0);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut w = BitWriter::new();
        let r = q.encode((&[1.0, 2.0, bad]).into(), &state, &mut rand::rng(), &mut w);
        assert_eq!(r, Err(QuantError::NonFinite { index: 2 }));
        assert!(w.is_empty());
    }
    let y32 = [f32::NAN, 1.0, 2.0];
    let r = q.encode(
        Input::from(&y32),
        &state,
        &mut rand::rng(),
        &mut BitWriter::new(),
    );
    assert_eq!(r, Err(QuantError::NonFinite { index: 0 }));
}

#[test]
fn wrong_dimensions_are_refused() {
    let q = FloatCast::fp16(4, RNE, SAT).unwrap();
    let state = PublicState::new(0);
    let r = q.encode(
        (&[1.0f64; 3]).into(),
        &state,
        &mut rand::rng(),
        &mut BitWriter::new(),
    );
    assert_eq!(
        r,
        Err(QuantError::DimensionMismatch {
            expected: 4,
            got: 3
        })
    );
    let mut w = BitWriter::new();
    q.encode((&[1.0f64; 4]).into(), &state, &mut rand::rng(), &mut w)
        .unwrap();
    let mut out = [0.0; 5];
    let r = q.decode(&mut w.finish().reader(), &state, &mut out);
    assert_eq!(
        r,
        Err(QuantError::DimensionMismatch {
            expected: 4,
            got: 5
        })
    );
}

#[test]
fn dimension_zero_is_refused_at_construction() {
    for r in [
        FloatCast::fp16(0, RNE, SAT),
        FloatCast::bf16(0, SR, SAT),
        FloatCast::e4m3(0, RNE, NONSAT),
        FloatCast::e5m2(0, SR, NONSAT),
    ] {
        assert!(matches!(r, Err(QuantError::InvalidParameter(_))));
    }
    assert!(FloatCast::e4m3(usize::MAX / 4, RNE, SAT).is_err());
}

#[test]
fn a_budget_below_the_message_is_refused_without_writing() {
    let q = FloatCast::e4m3(8, RNE, SAT).unwrap();
    let mut w = BitWriter::with_capacity(63);
    let r = q.encode(
        (&[1.0f64; 8]).into(),
        &PublicState::new(0),
        &mut rand::rng(),
        &mut w,
    );
    assert!(matches!(
        r,
        Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
    ));
    assert!(w.is_empty());
}

#[test]
fn nan_and_infinity_codes_in_a_message_are_corrupt() {
    let state = PublicState::new(0);
    let cases = [
        (FloatCast::e4m3(2, RNE, SAT).unwrap(), vec![0x38u8, 0x7F]),
        (FloatCast::e4m3(2, RNE, SAT).unwrap(), vec![0xFF, 0x38]),
        (FloatCast::e5m2(2, RNE, SAT).unwrap(), vec![0x3C, 0x7C]), // +Inf
        (FloatCast::e5m2(2, RNE, SAT).unwrap(), vec![0xFE, 0x3C]), // NaN
        (FloatCast::fp16(1, RNE, SAT).unwrap(), vec![0x00, 0x7E]), // 0x7E00 NaN
        (FloatCast::bf16(1, RNE, SAT).unwrap(), vec![0x80, 0xFF]), // 0xFF80 -Inf
    ];
    for (q, bytes) in cases {
        let msg = BitString::from_bytes(&bytes, 8 * bytes.len()).unwrap();
        let mut out = vec![0.0; q.dim()];
        let r = q.decode(&mut msg.reader(), &state, &mut out);
        assert!(
            matches!(r, Err(QuantError::Corrupt(_))),
            "{}: {r:?}",
            q.name()
        );
    }
}

#[test]
fn truncated_messages_are_refused() {
    let q = FloatCast::e5m2(4, SR, SAT).unwrap();
    let state = PublicState::new(0);
    let mut w = BitWriter::new();
    q.encode(
        (&[1.0f64, 2.0, 3.0, 4.0]).into(),
        &state,
        &mut rand::rng(),
        &mut w,
    )
    .unwrap();
    let msg = w.finish();
    let short = BitString::from_bytes(&msg.to_bytes(), 31).unwrap();
    let r = q.decode(&mut short.reader(), &state, &mut [0.0; 4]);
    assert!(matches!(
        r,
        Err(QuantError::Codec(CodecError::UnexpectedEnd { .. }))
    ));
}

#[test]
fn names_state_format_rounding_and_mode() {
    assert_eq!(
        FloatCast::e4m3(1, SR, SAT).unwrap().name(),
        "fp8-e4m3(sr,sat)"
    );
    assert_eq!(
        FloatCast::bf16(1, RNE, NONSAT).unwrap().name(),
        "bf16(rne,nonsat)"
    );
}

#[test]
fn stochastic_messages_are_pinned_for_a_seed() {
    // Value stability: a change in how random words are drawn or compared changes these bytes.
    let q = FloatCast::e4m3(8, SR, SAT).unwrap();
    let y = [0.1f64, -0.2, 0.3, -0.4, 1.1, -2.2, 3.3, -4.4];
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    let mut w = BitWriter::new();
    q.encode((&y).into(), &PublicState::new(0), &mut rng, &mut w)
        .unwrap();
    // Each byte is one of the two neighbours: 0.1 -> 0x1C/0x1D, -0.2 -> 0xA4/0xA5, ...
    assert_eq!(
        w.finish().to_bytes(),
        [0x1D, 0xA4, 0x29, 0xAC, 0x39, 0xC1, 0x46, 0xC9]
    );
}
