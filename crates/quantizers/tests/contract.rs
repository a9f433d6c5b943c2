//! The `Quantizer` contract, checked uniformly on every scheme of the crate.
//!
//! Each scheme's own tests check its statistics; this file checks what every scheme promises
//! alike: the bits it writes equal what it reports and declares, a message that does not fit
//! leaves the writer untouched, bad input is a typed error, every strict prefix of a message is
//! rejected, random bytes never make a decoder panic, `f32` and `f64` input give the same
//! message, and the same seeds give the same message.

#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter};
use quantizers::formats::{MxScaleRule, NvScaleRule, Overflow, Rounding};
use quantizers::{
    AdaptiveMultiBit, AdaptiveScheme, AdaptiveSign, AdditiveQuantizer, Aguq, Cuq,
    DynamicRangeQuantizer, FloatCast, GainQuantizer, GainShape, Input, Multiplicative, Mxfp4,
    NaturalCompression, NaturalDithering, Nvfp4, PermK, PublicState, Qsgd, QuantError, Quantizer,
    RandK, RangeSchedule, Ratq, RoundRobinRange, ScaledSign, Sign, SimQ, SimQPlus, SplitLp,
    TernGrad, TopK, UniformGain, Unquantized,
};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

const D: usize = 24;

/// Every scheme at dimension `D`, with ranges that the test inputs (|y_i| <= 1) respect.
fn schemes() -> Vec<Box<dyn Quantizer>> {
    let rne = Rounding::NearestEven;
    let sr = Rounding::Stochastic;
    let sat = Overflow::Saturate;
    let df = D as f64;
    let l2 = df.sqrt();
    vec![
        Box::new(Unquantized::new(D).unwrap()),
        Box::new(FloatCast::bf16(D, rne, sat).unwrap()),
        Box::new(FloatCast::fp16(D, sr, Overflow::NonSaturating).unwrap()),
        Box::new(FloatCast::e4m3(D, rne, sat).unwrap()),
        Box::new(FloatCast::e5m2(D, sr, sat).unwrap()),
        Box::new(Mxfp4::new(D, rne, MxScaleRule::Floor).unwrap()),
        Box::new(Mxfp4::new(D, sr, MxScaleRule::FloorHeadroom).unwrap()),
        Box::new(Nvfp4::new(D, rne, NvScaleRule::Nearest).unwrap()),
        Box::new(Nvfp4::new(D, sr, NvScaleRule::RoundUp).unwrap()),
        Box::new(Multiplicative::new(D, 6, 4).unwrap()),
        Box::new(Cuq::new(D, 1.0, 3).unwrap()),
        Box::new(SimQ::new(D, df).unwrap()),
        Box::new(SimQPlus::new(D, l2, 2.0, 8).unwrap()),
        Box::new(Ratq::new(D, l2, 4).unwrap()),
        Box::new(SplitLp::new(D, df, 1.5).unwrap()),
        Box::new(
            GainShape::new(
                Box::new(Ratq::new(D, 1.0, 4).unwrap()),
                GainQuantizer::Uniform(UniformGain::new(l2, 16).unwrap()),
            )
            .unwrap(),
        ),
        Box::new(
            GainShape::new(
                Box::new(SimQ::new(D, df.sqrt()).unwrap()),
                GainQuantizer::Aguq(Aguq::new(0.5, 2.0, 8, 8).unwrap()),
            )
            .unwrap(),
        ),
        Box::new(DynamicRangeQuantizer::new(D, 1.5, RangeSchedule::Constant(1.0)).unwrap()),
        Box::new(AdditiveQuantizer::new(D, 1.0 / 16.0, 8).unwrap()),
        Box::new(Sign::new(D).unwrap()),
        Box::new(ScaledSign::new(D).unwrap()),
        Box::new(Qsgd::new(D, 2).unwrap()),
        Box::new(Qsgd::elias(D, 4).unwrap().with_bucket(8).unwrap()),
        Box::new(NaturalDithering::new(D, 3).unwrap()),
        Box::new(TernGrad::new(D).unwrap()),
        Box::new(NaturalCompression::new(D).unwrap()),
        Box::new(RandK::new(D, 5).unwrap()),
        Box::new(PermK::new(D, 3).unwrap()),
        Box::new(TopK::new(D, 4).unwrap()),
        Box::new(AdaptiveSign::new(D, 10, 1.0).unwrap()),
        Box::new(AdaptiveMultiBit::new(D, 2 * D, 1.0, 2).unwrap()),
        Box::new(AdaptiveScheme::for_gaussian(D, 3 * D, 1.0).unwrap()),
        Box::new(RoundRobinRange::new(D, 30, 1.0, 0.25).unwrap()),
    ]
}

/// Inputs in [-1, 1] representable exactly in f32.
fn input(seed: u64) -> Vec<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..D)
        .map(|_| (rng.random_range(-1.0f32..1.0) * 256.0).round() / 256.0)
        .collect()
}

fn state(round: u64) -> PublicState<'static> {
    PublicState::new(99).with_round(round).with_worker(1)
}

fn encode(q: &dyn Quantizer, x: Input<'_>, round: u64, seed: u64) -> BitString {
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap_or(1 << 20));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let stats = q
        .encode(x, &state(round), &mut rng, &mut w)
        .unwrap_or_else(|e| panic!("{}: encode failed: {e}", q.name()));
    assert_eq!(stats.bits, w.len(), "{}: reported bits", q.name());
    w.finish()
}

#[test]
fn messages_decode_to_finite_vectors_with_the_declared_length() {
    for q in schemes() {
        assert_eq!(q.dim(), D, "{}", q.name());
        assert!(!q.name().is_empty());
        for round in 0..5 {
            let x = input(round);
            let msg = encode(q.as_ref(), Input::F32(&x), round, round);
            match q.bit_cost().max_bits() {
                Some(max) if q.bit_cost().exact().is_some() => {
                    assert_eq!(msg.len(), max, "{}: exact length", q.name())
                }
                Some(max) => assert!(msg.len() <= max, "{}: capped length", q.name()),
                None => {}
            }
            let mut out = vec![f64::NAN; D];
            let mut r = msg.reader();
            q.decode(&mut r, &state(round), &mut out)
                .unwrap_or_else(|e| panic!("{}: decode failed: {e}", q.name()));
            assert!(r.is_exhausted(), "{}: decoder left bits unread", q.name());
            assert!(out.iter().all(|v| v.is_finite()), "{}: {out:?}", q.name());
        }
    }
}

#[test]
fn a_message_that_does_not_fit_is_an_error_and_leaves_the_writer_unchanged() {
    for q in schemes() {
        let x = input(7);
        let len = encode(q.as_ref(), Input::F32(&x), 0, 3).len();
        if len == 0 {
            continue;
        }
        // Five bits already in the writer, then a capacity one bit short of the message.
        let mut w = BitWriter::with_capacity(5 + len - 1);
        w.write_bits(0b10110, 5).unwrap();
        let before = w.to_bitstring();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let r = q.encode(Input::F32(&x), &state(0), &mut rng, &mut w);
        assert!(
            r.is_err(),
            "{}: a message past the budget was accepted",
            q.name()
        );
        assert_eq!(w.to_bitstring(), before, "{}: the writer changed", q.name());
    }
}

#[test]
fn non_finite_input_and_wrong_dimensions_are_typed_errors() {
    for q in schemes() {
        let mut x: Vec<f64> = input(1).iter().map(|&v| f64::from(v)).collect();
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            x[D / 2] = bad;
            let mut w = BitWriter::new();
            let r = q.encode(Input::F64(&x), &state(0), &mut rand::rng(), &mut w);
            assert!(
                matches!(r, Err(QuantError::NonFinite { index }) if index == D / 2),
                "{}: {bad} gave {r:?}",
                q.name()
            );
            assert!(w.is_empty(), "{}", q.name());
        }
        let long = vec![0.0f64; D + 1];
        let mut w = BitWriter::new();
        let r = q.encode(Input::F64(&long), &state(0), &mut rand::rng(), &mut w);
        assert!(
            matches!(r, Err(QuantError::DimensionMismatch { .. })),
            "{}: {r:?}",
            q.name()
        );
        let msg = encode(q.as_ref(), Input::F32(&input(2)), 0, 0);
        let mut short_out = vec![0.0; D - 1];
        let r = q.decode(&mut msg.reader(), &state(0), &mut short_out);
        assert!(
            matches!(r, Err(QuantError::DimensionMismatch { .. })),
            "{}: {r:?}",
            q.name()
        );
    }
}

#[test]
fn every_strict_prefix_of_a_message_is_rejected() {
    for q in schemes() {
        let msg = encode(q.as_ref(), Input::F32(&input(4)), 2, 5);
        let bytes = msg.to_bytes();
        for len in 0..msg.len() {
            let prefix = BitString::from_bytes(&bytes, len).unwrap();
            let mut out = vec![0.0; D];
            let r = q.decode(&mut prefix.reader(), &state(2), &mut out);
            assert!(
                r.is_err(),
                "{}: a {len}-bit prefix of {} bits decoded",
                q.name(),
                msg.len()
            );
        }
    }
}

#[test]
fn random_bytes_never_make_a_decoder_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for q in schemes() {
        let len = q.bit_cost().max_bits().unwrap_or(4096);
        for _ in 0..300 {
            let mut bytes = vec![0u8; len.div_ceil(8) + 8];
            rng.fill_bytes(&mut bytes);
            let bits = rng.random_range(0..=bytes.len() * 8);
            let msg = BitString::from_bytes(&bytes, bits).unwrap();
            let mut out = vec![0.0; D];
            if q.decode(&mut msg.reader(), &state(1), &mut out).is_ok() {
                assert!(out.iter().all(|v| v.is_finite()), "{}: {out:?}", q.name());
            }
        }
    }
}

#[test]
fn f32_and_f64_inputs_with_the_same_values_give_the_same_message() {
    for q in schemes() {
        let x32 = input(5);
        let x64: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
        let a = encode(q.as_ref(), Input::F32(&x32), 3, 11);
        let b = encode(q.as_ref(), Input::F64(&x64), 3, 11);
        assert_eq!(a, b, "{}", q.name());
    }
}

#[test]
fn the_same_seeds_give_the_same_message() {
    for q in schemes() {
        let x = input(6);
        let a = encode(q.as_ref(), Input::F32(&x), 4, 21);
        let b = encode(q.as_ref(), Input::F32(&x), 4, 21);
        assert_eq!(a, b, "{}", q.name());
    }
}
