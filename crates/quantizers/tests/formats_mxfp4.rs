//! MXFP4: exact bits, the FLOOR shared scale on hand-computed blocks, clipping and the bias it
//! causes under stochastic rounding, the 3/4-headroom rule that removes it, and bad input.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

mod formats_reference;

use bitcodec::{BitString, BitWriter, CodecError};
use formats_reference::e2m1;
use quantizers::formats::{E8m0, MX_BLOCK, MxScaleRule, Mxfp4, Rounding};
use quantizers::{Bias, PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RNE: Rounding = Rounding::NearestEven;
const SR: Rounding = Rounding::Stochastic;
const FLOOR: MxScaleRule = MxScaleRule::Floor;
const HEADROOM: MxScaleRule = MxScaleRule::FloorHeadroom;

fn random(d: usize, scale: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..d)
        .map(|_| (rng.random::<f64>() - 0.5) * scale * 2f64.powi(rng.random_range(-3..3)))
        .collect()
}

fn roundtrip(q: &Mxfp4, y: &[f64]) -> (Vec<f64>, BitString) {
    let state = PublicState::new(0);
    let mut w = BitWriter::new();
    q.encode(y.into(), &state, &mut rand::rng(), &mut w)
        .unwrap();
    let msg = w.finish();
    let mut out = vec![0.0; y.len()];
    q.decode(&mut msg.reader(), &state, &mut out).unwrap();
    (out, msg)
}

#[test]
fn messages_have_4d_plus_8_per_block_bits() {
    for d in [1, 31, 32, 33, 64, 100] {
        let q = Mxfp4::new(d, SR, FLOOR).unwrap();
        assert_eq!(q.bit_cost().exact(), Some(4 * d + 8 * d.div_ceil(32)));
        let m = check::measure(&q, (&random(d, 3.0, 1)).into(), 10, 1).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
    }
}

#[test]
fn shared_scale_is_floor_log2_amax_minus_two() {
    let exp = |amax: f64| Mxfp4::shared_scale(amax).map(|s| s.exponent());
    assert_eq!(exp(4.0), Ok(0)); // a power of two: amax/X = 4 exactly
    assert_eq!(exp(8.0), Ok(1));
    assert_eq!(exp(8.0f64.next_down()), Ok(0)); // amax/X just below 8
    assert_eq!(exp(0.75), Ok(-3)); // amax/X = 6
    assert_eq!(exp(3.0), Ok(-1));
    assert_eq!(exp(1e-40), Ok(-127)); // clamped at the smallest E8M0 scale
    assert_eq!(exp(2f64.powi(130).next_down()), Ok(127));
    assert!(matches!(
        exp(2f64.powi(130)),
        Err(QuantError::OutOfRange { .. })
    ));
}

#[test]
fn an_all_zero_block_gets_the_smallest_scale_and_decodes_to_zero() {
    let q = Mxfp4::new(40, SR, FLOOR).unwrap();
    let mut y = vec![0.0; 40];
    y[35] = 2.0; // only the second block is non-zero
    let (out, msg) = roundtrip(&q, &y);
    assert_eq!(out, y);
    let mut r = msg.reader();
    assert_eq!(r.read_bits(8), Ok(0)); // E8M0 code 0 = 2^-127
    assert_eq!(r.read_bits(64), Ok(0)); // zero elements
    assert_eq!(Mxfp4::shared_scale(0.0).map(|s| s.code()), Ok(0));
}

#[test]
fn the_scale_is_written_before_each_block_and_the_last_block_may_be_partial() {
    let d = 2 * MX_BLOCK + 5;
    let mut y = vec![0.0; d];
    y[0] = 4.0; // block 0: X = 1
    y[MX_BLOCK] = 0.75; // block 1: X = 2^-3
    y[2 * MX_BLOCK + 4] = -24.0; // block 2 (5 elements): X = 2^2
    let q = Mxfp4::new(d, RNE, FLOOR).unwrap();
    let (out, msg) = roundtrip(&q, &y);
    assert_eq!(out, y);
    let mut r = msg.reader();
    let mut scales = vec![];
    for len in [32, 32, 5] {
        scales.push(
            E8m0::from_code(r.read_bits(8).unwrap() as u8)
                .unwrap()
                .exponent(),
        );
        for _ in 0..len {
            r.read_bits(4).unwrap();
        }
    }
    assert_eq!(scales, [0, -3, 2]);
    assert!(r.is_exhausted());
}

#[test]
fn nearest_even_rounds_a_hand_computed_block() {
    // amax = 7 → X = 1. 7 ties between 6 and the would-be 8 (even): saturates to 6, clipped.
    let y = [7.0, 6.5, 5.0, 0.25, 0.75, -2.5, 3.5, -0.1];
    let q = Mxfp4::new(8, RNE, FLOOR).unwrap();
    let (out, _) = roundtrip(&q, &y);
    assert_eq!(out, [6.0, 6.0, 4.0, 0.0, 1.0, -2.0, 4.0, -0.0]);
    let m = check::measure(&q, (&y).into(), 1, 0).unwrap();
    assert_eq!(m.clipped, 1);
}

#[test]
fn nearest_even_bias_is_the_deterministic_rounding_error() {
    let r = &e2m1();
    for (rule, pre, post) in [(FLOOR, 1.0, 1.0), (HEADROOM, 0.75, 4.0 / 3.0)] {
        let d = 70;
        let y = random(d, 10.0, 2);
        let q = Mxfp4::new(d, RNE, rule).unwrap();
        let want: Vec<f64> = y
            .chunks(MX_BLOCK)
            .flat_map(|b| {
                let amax = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let x = 2f64.powi(amax.log2().floor() as i32 - 2);
                b.iter()
                    .map(move |&v| r.rne_saturating(pre * v / x) * x * post - v)
                    .collect::<Vec<_>>()
            })
            .collect();
        let m = check::measure(&q, (&y).into(), 2, 3).unwrap();
        m.assert_bias_equals(&want, 5.0).unwrap();
        let b = q.mse_bound(&y).unwrap();
        assert!((m.mse - b).abs() <= 1e-12 * b, "{}", q.name());
    }
}

/// A block whose maximum lies in (6, 8)·X: 7.5 with X = 1, the rest inside (-5.5, 5.5).
fn clipping_block() -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut y: Vec<f64> = (0..32).map(|_| rng.random_range(-5.5..5.5)).collect();
    y[3] = 7.5;
    y
}

#[test]
fn stochastic_rounding_under_the_floor_scale_is_biased_where_it_clips() {
    let y = clipping_block();
    let q = Mxfp4::new(32, SR, FLOOR).unwrap();
    assert!(!q.bias().is_unbiased());
    let m = check::measure(&q, (&y).into(), 4000, 5).unwrap();
    let mut want = vec![0.0; 32];
    want[3] = 6.0 - 7.5;
    m.assert_bias_equals(&want, 5.0).unwrap();
    assert!(m.assert_unbiased(5.0).is_err());
    assert_eq!(m.clipped, 4000);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn stochastic_rounding_with_headroom_is_unbiased_where_floor_clips() {
    let y = clipping_block();
    let q = Mxfp4::new(32, SR, HEADROOM).unwrap();
    assert_eq!(q.bias(), Bias::Unbiased);
    let m = check::measure(&q, (&y).into(), 4000, 5).unwrap();
    m.assert_unbiased(5.0).unwrap();
    assert_eq!(m.clipped, 0);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn stochastic_rounding_under_the_floor_scale_is_unbiased_when_nothing_clips() {
    // Block maxima at most 6·X: 5.9 (X = 1) and 0.75 (X = 2^-3).
    let mut y = random(64, 4.0, 6);
    for v in y.iter_mut() {
        *v = v.clamp(-5.9, 5.9);
    }
    y[0] = 5.9;
    for v in y[32..].iter_mut() {
        *v = (*v / 8.0).clamp(-0.75, 0.75);
    }
    let q = Mxfp4::new(64, SR, FLOOR).unwrap();
    let m = check::measure(&q, (&y).into(), 4000, 7).unwrap();
    m.assert_unbiased(5.0).unwrap();
    assert_eq!(m.clipped, 0);
}

#[test]
fn headroom_stochastic_rounding_is_unbiased_on_one_hot_flat_and_random_inputs() {
    let d = 50;
    let mut one_hot = vec![0.0; d];
    one_hot[17] = -7.3;
    let inputs = [
        one_hot,
        vec![0.37; d],
        random(d, 100.0, 8),
        random(d, 1e-30, 9),
    ];
    let q = Mxfp4::new(d, SR, HEADROOM).unwrap();
    for y in inputs {
        let m = check::measure(&q, (&y).into(), 4000, 10).unwrap();
        m.assert_unbiased(5.0).unwrap();
        m.assert_within_stated_mse(&q, 5.0).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
    }
}

#[test]
fn stochastic_mse_bound_is_the_scaled_neighbour_products() {
    let y = clipping_block();
    let r = e2m1();
    // X = 1: floor clips 7.5 to 6 (error 1.5^2), the rest is SR variance.
    let want: f64 = y
        .iter()
        .map(|&v| {
            if v.abs() > 6.0 {
                (v.abs() - 6.0).powi(2)
            } else {
                r.sr_variance(v)
            }
        })
        .sum();
    let got = Mxfp4::new(32, SR, FLOOR).unwrap().mse_bound(&y).unwrap();
    assert!((got - want).abs() <= 1e-12 * want);
    // Headroom: (4/3)^2 · variance of SR of (3/4)·y.
    let want: f64 = y.iter().map(|&v| r.sr_variance(0.75 * v)).sum::<f64>() * 16.0 / 9.0;
    let got = Mxfp4::new(32, SR, HEADROOM).unwrap().mse_bound(&y).unwrap();
    assert!((got - want).abs() <= 1e-12 * want);
}

#[test]
fn inputs_needing_a_scale_above_2_to_127_are_refused_untouched() {
    let q = Mxfp4::new(3, SR, FLOOR).unwrap();
    let y = [1.0, 2f64.powi(131), 0.0];
    let mut w = BitWriter::new();
    let r = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(r, Err(QuantError::OutOfRange { .. })));
    assert!(w.is_empty());
    assert_eq!(q.mse_bound(&y), None);
}

#[test]
fn bad_input_and_parameters_are_refused() {
    let q = Mxfp4::new(3, RNE, HEADROOM).unwrap();
    let state = PublicState::new(0);
    let r = q.encode(
        (&[1.0, f64::NAN, 0.0]).into(),
        &state,
        &mut rand::rng(),
        &mut BitWriter::new(),
    );
    assert_eq!(r, Err(QuantError::NonFinite { index: 1 }));
    let r = q.encode(
        (&[1.0f32; 4]).into(),
        &state,
        &mut rand::rng(),
        &mut BitWriter::new(),
    );
    assert_eq!(
        r,
        Err(QuantError::DimensionMismatch {
            expected: 3,
            got: 4
        })
    );
    assert!(matches!(
        Mxfp4::new(0, SR, FLOOR),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        Mxfp4::new(usize::MAX / 2, SR, FLOOR),
        Err(QuantError::InvalidParameter(_))
    ));
}

#[test]
fn a_nan_scale_in_a_message_is_corrupt() {
    let q = Mxfp4::new(2, RNE, FLOOR).unwrap();
    let msg = BitString::from_bytes(&[0xFF, 0x11], 16).unwrap();
    let r = q.decode(&mut msg.reader(), &PublicState::new(0), &mut [0.0; 2]);
    assert!(matches!(r, Err(QuantError::Corrupt(_))));
}

#[test]
fn truncated_messages_are_refused() {
    let q = Mxfp4::new(33, SR, FLOOR).unwrap();
    let (_, msg) = roundtrip(&q, &random(33, 1.0, 11));
    let short = BitString::from_bytes(&msg.to_bytes(), msg.len() - 1).unwrap();
    let r = q.decode(&mut short.reader(), &PublicState::new(0), &mut [0.0; 33]);
    assert!(matches!(
        r,
        Err(QuantError::Codec(CodecError::UnexpectedEnd { .. }))
    ));
}
