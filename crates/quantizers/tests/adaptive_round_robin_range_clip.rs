//! Specification of [`RoundRobinRange`]'s clipping option ([`Overload::Clip`]): described
//! coordinates outside `[-R, R]` go to the nearer end point and are counted; the default still
//! refuses them.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::BitWriter;
use quantizers::adaptive::RoundRobinRange;
use quantizers::{Overload, PublicState, QuantError, Quantizer, check};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Encodes `y` at `state` and decodes; returns the output and the clip count.
fn roundtrip(
    q: &RoundRobinRange,
    y: &[f64],
    state: &PublicState<'_>,
    seed: u64,
) -> (Vec<f64>, usize) {
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap_or(usize::MAX));
    let stats = q
        .encode(
            y.into(),
            state,
            &mut ChaCha8Rng::seed_from_u64(seed),
            &mut w,
        )
        .unwrap();
    assert_eq!(stats.bits, w.len());
    let msg = w.finish();
    let mut out = vec![0.0; q.dim()];
    let mut r = msg.reader();
    q.decode(&mut r, state, &mut out).unwrap();
    assert!(r.is_exhausted());
    (out, stats.clipped)
}

#[test]
fn by_default_an_input_outside_the_range_is_an_error() {
    let q = RoundRobinRange::with_bits(4, 8, 1.0, 2).unwrap();
    assert_eq!(q.overload(), Overload::Error);
    let mut w = BitWriter::with_capacity(8);
    let err = q
        .encode(
            (&[0.0f64, 1.5, 0.0, 0.0]).into(),
            &PublicState::new(0),
            &mut ChaCha8Rng::seed_from_u64(0),
            &mut w,
        )
        .unwrap_err();
    assert!(matches!(err, QuantError::OutOfRange { .. }), "{err:?}");
    assert!(w.is_empty());
}

#[test]
fn clipping_counts_only_the_described_coordinates_outside_the_range() {
    // d = 6, q = 2, k = 2: round 0 describes {0, 1}, round 1 describes {2, 3}.
    let q = RoundRobinRange::with_bits(6, 4, 1.0, 2)
        .unwrap()
        .with_overload(Overload::Clip);
    let y = [3.0, 0.5, -2.0, -1.0, 9.0, -9.0];
    let at = |round| PublicState::new(1).with_round(round);
    assert_eq!(roundtrip(&q, &y, &at(0), 0).1, 1);
    assert_eq!(roundtrip(&q, &y, &at(1), 0).1, 1); // -1 is on the grid's end: not clipped
    assert_eq!(roundtrip(&q, &y, &at(2), 0).1, 2);
}

#[test]
fn a_clipped_coordinate_decodes_to_the_nearer_end_point() {
    let q = RoundRobinRange::with_bits(3, 9, 2.0, 3)
        .unwrap()
        .with_overload(Overload::Clip);
    let state = PublicState::new(5);
    for seed in 0..50 {
        let (out, clipped) = roundtrip(&q, &[2.0001, -7.5, 1e300], &state, seed);
        assert_eq!(out, vec![2.0, -2.0, 2.0]);
        assert_eq!(clipped, 3);
    }
}

#[test]
fn in_range_coordinates_stay_unbiased_under_the_clipping_policy() {
    let q = RoundRobinRange::with_bits(4, 12, 1.0, 3)
        .unwrap()
        .with_overload(Overload::Clip);
    let y = [-0.93, 0.1, 0.5, 0.999];
    let m = check::measure(&q, (&y).into(), 20_000, 7).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    assert_eq!(m.clipped, 0);
}

#[test]
fn the_stated_mse_includes_the_clipping_error_and_is_exact() {
    let q = RoundRobinRange::with_bits(3, 9, 1.0, 3)
        .unwrap()
        .with_overload(Overload::Clip);
    let y = [1.75, -0.3, -1.25]; // clipping errors 0.75 and 0.25
    let stated = q.mse_bound(&y).unwrap();
    let rounding = q.grid().rounding_variance(-0.3);
    assert!((stated - (0.75f64.powi(2) + 0.25f64.powi(2) + rounding)).abs() < 1e-15);
    let m = check::measure(&q, (&y).into(), 20_000, 8).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    assert!(
        (m.mse - stated).abs() < 5.0 * m.mse_std_error,
        "measured {} vs stated {stated}",
        m.mse
    );
    assert_eq!(m.clipped, 2 * 20_000);
    m.assert_bias_equals(&[-0.75, 0.0, 0.25], 5.0).unwrap();
}

#[test]
fn the_policy_survives_reserving_scale_bits_and_shows_in_the_name() {
    let q = RoundRobinRange::new(8, 16, 3.0, 1.0)
        .unwrap()
        .with_overload(Overload::Clip);
    assert!(q.name().ends_with(",clip)"), "{}", q.name());
    let r = q.with_scale_bits(4).unwrap();
    assert_eq!(r.overload(), Overload::Clip);
    let plain = RoundRobinRange::new(8, 16, 3.0, 1.0).unwrap();
    assert!(!plain.name().contains("clip"));
}
