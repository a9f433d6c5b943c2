//! The DQ-GD uniform scalar quantizer: exact bits, the per-coordinate error bound, the
//! schedule, overload handling and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter};
use proptest::prelude::*;
use quantizers::{
    DynamicRangeQuantizer, Overload, PublicState, QuantError, Quantizer, RangeSchedule, check,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn roundtrip(q: &DynamicRangeQuantizer, y: &[f64], round: u64) -> (Vec<f64>, usize) {
    let state = PublicState::new(5).with_round(round);
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
    q.encode(y.into(), &state, &mut ChaCha8Rng::seed_from_u64(0), &mut w)
        .unwrap();
    let msg = w.finish();
    let mut out = vec![0.0; y.len()];
    let mut r = msg.reader();
    q.decode(&mut r, &state, &mut out).unwrap();
    assert!(r.is_exhausted());
    (out, msg.len())
}

#[test]
fn every_coordinate_is_within_m_times_two_to_the_minus_r() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for rate in [1.0, 2.0, 3.0, 7.0] {
        let q = DynamicRangeQuantizer::new(50, rate, RangeSchedule::Constant(2.5)).unwrap();
        for _ in 0..200 {
            let y: Vec<f64> = (0..50).map(|_| rng.random_range(-2.5..=2.5)).collect();
            let (out, bits) = roundtrip(&q, &y, 0);
            assert_eq!(bits, 50 * rate as usize);
            for (a, b) in out.iter().zip(&y) {
                assert!((a - b).abs() <= 2.5 * (-rate).exp2() * (1.0 + 1e-12));
            }
            let err: f64 = out.iter().zip(&y).map(|(a, b)| (a - b) * (a - b)).sum();
            assert!(err.sqrt() <= q.max_error(0).unwrap() * (1.0 + 1e-12));
        }
    }
}

#[test]
fn fractional_rate_sends_floor_n_r_bits_with_the_extra_bits_on_public_coordinates() {
    let q = DynamicRangeQuantizer::new(10, 1.5, RangeSchedule::Constant(1.0)).unwrap();
    assert_eq!(q.bit_cost().exact(), Some(15));
    let y = vec![0.3; 10];
    let (out, bits) = roundtrip(&q, &y, 3);
    assert_eq!(bits, 15);
    // Five coordinates carry 2 bits (midpoint 0.25), five carry 1 bit (midpoint 0.5).
    assert_eq!(out.iter().filter(|&&v| v == 0.25).count(), 5);
    assert_eq!(out.iter().filter(|&&v| v == 0.5).count(), 5);
}

#[test]
fn the_range_follows_the_round() {
    let schedule = RangeSchedule::Geometric {
        m0: 4.0,
        ratio: 0.5,
    };
    let q = DynamicRangeQuantizer::new(1, 2.0, schedule).unwrap();
    // Round 2: M = 1, four cells of width 0.5, midpoints -0.75, -0.25, 0.25, 0.75.
    let (out, _) = roundtrip(&q, &[0.6], 2);
    assert_eq!(out, vec![0.75]);
    assert!(roundtrip_result(&q, &[1.5], 2).is_err());
    assert!(roundtrip_result(&q, &[1.5], 1).is_ok());
}

fn roundtrip_result(q: &DynamicRangeQuantizer, y: &[f64], round: u64) -> Result<(), QuantError> {
    let state = PublicState::new(5).with_round(round);
    let mut w = BitWriter::new();
    q.encode(y.into(), &state, &mut ChaCha8Rng::seed_from_u64(0), &mut w)
        .map(|_| ())
}

#[test]
fn overload_is_an_error_by_default_and_a_counted_clip_on_request() {
    let q = DynamicRangeQuantizer::new(3, 2.0, RangeSchedule::Constant(1.0)).unwrap();
    let y = [0.5, 3.0, -0.2];
    let mut w = BitWriter::new();
    let err = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })));
    assert!(w.is_empty(), "a failed encode leaves the writer untouched");
    let clip = q.clone().with_overload(Overload::Clip);
    let m = check::measure(&clip, (&y).into(), 3, 1).unwrap();
    assert_eq!(m.clipped, 3);
}

#[test]
fn bits_and_deterministic_error_agree_with_check() {
    let q = DynamicRangeQuantizer::new(8, 3.0, RangeSchedule::Constant(1.0)).unwrap();
    let y = [0.1f32, -0.7, 0.99, 0.0, -1.0, 1.0, 0.33, -0.5];
    let m = check::measure(&q, (&y).into(), 20, 2).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    m.assert_within_stated_mse(&q, 0.0).unwrap();
    assert!(
        m.std_error.iter().all(|&s| s == 0.0),
        "rounding is deterministic"
    );
}

#[test]
fn invalid_parameters_are_rejected() {
    assert!(DynamicRangeQuantizer::new(0, 1.0, RangeSchedule::Constant(1.0)).is_err());
    assert!(DynamicRangeQuantizer::new(4, 0.0, RangeSchedule::Constant(1.0)).is_err());
    assert!(DynamicRangeQuantizer::new(4, 60.0, RangeSchedule::Constant(1.0)).is_err());
    assert!(DynamicRangeQuantizer::new(4, 0.1, RangeSchedule::Constant(1.0)).is_err());
    assert!(DynamicRangeQuantizer::new(4, 1.0, RangeSchedule::Constant(-1.0)).is_err());
    assert!(DynamicRangeQuantizer::new(4, 1.0, RangeSchedule::Table(vec![])).is_err());
    let q = DynamicRangeQuantizer::new(2, 1.0, RangeSchedule::Table(vec![1.0])).unwrap();
    assert!(q.range(1).is_err());
}

#[test]
fn nan_input_and_wrong_dimension_are_errors() {
    let q = DynamicRangeQuantizer::new(2, 1.0, RangeSchedule::Constant(1.0)).unwrap();
    let mut w = BitWriter::new();
    let s = PublicState::new(0);
    assert!(matches!(
        q.encode((&[f64::NAN, 0.0]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::NonFinite { index: 0 })
    ));
    assert!(matches!(
        q.encode((&[0.0f64]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16), len in 0usize..128) {
        let q = DynamicRangeQuantizer::new(7, 1.7, RangeSchedule::Constant(1.0)).unwrap();
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = vec![0.0; 7];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        prop_assert_eq!(result.is_ok(), len >= 11);
        if result.is_ok() {
            prop_assert!(out.iter().all(|v| v.abs() <= 1.0));
        }
    }
}
