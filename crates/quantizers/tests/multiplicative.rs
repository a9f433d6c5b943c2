//! The multiplicative quantizer: unbiased, variance at most eps y_i^2, exact bits, no clipping.

use bitcodec::BitWriter;
use quantizers::{Multiplicative, PublicState, QuantError, Quantizer, check};

#[test]
fn it_is_unbiased_with_relative_variance_at_most_epsilon() {
    let q = Multiplicative::new(6, 8, 2).unwrap();
    // Values spread over several binades, none exactly representable.
    let y = [0.3f64, -1.7, 13.1, -0.011, 250.9, 3.3e-3];
    let m = check::measure(&q, (&y).into(), 20_000, 11).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    m.assert_unbiased(5.0).unwrap();
    let bound: f64 = y.iter().map(|v| q.epsilon() * v * v).sum();
    m.assert_mse_at_most(bound, 5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn the_expected_error_scales_with_the_square_of_the_value() {
    // The same mantissa position two binades-apart by 2^10: the exact expected squared error
    // of stochastic rounding grows by 4^10.
    let q = Multiplicative::new(1, 8, 3).unwrap();
    let small = q.mse_bound(&[1.03]).unwrap();
    let large = q.mse_bound(&[1.03 * 1024.0]).unwrap();
    assert!(small > 0.0);
    assert!(
        (large / small - 1024.0 * 1024.0).abs() < 1e-6,
        "{large} / {small}"
    );
    assert!(small <= q.epsilon() * 1.03 * 1.03);
}

#[test]
fn message_length_is_one_plus_e_plus_m_bits_per_coordinate() {
    for (e, m) in [(2, 1), (5, 10), (8, 7), (8, 23)] {
        let q = Multiplicative::new(10, e, m).unwrap();
        assert_eq!(q.bit_cost().exact(), Some(10 * (1 + e + m) as usize));
    }
}

#[test]
fn values_past_the_largest_finite_are_out_of_range_not_clipped() {
    let q = Multiplicative::new(1, 3, 2).unwrap();
    let too_big = q.max_finite() * 1.5;
    let mut w = BitWriter::new();
    let r = q.encode(
        (&[too_big]).into(),
        &PublicState::new(0),
        &mut rand::rng(),
        &mut w,
    );
    assert!(matches!(r, Err(QuantError::OutOfRange { .. })));
    assert!(w.is_empty());
}

#[test]
fn invalid_shapes_are_rejected() {
    assert!(Multiplicative::new(0, 8, 3).is_err());
    assert!(Multiplicative::new(4, 1, 3).is_err());
    assert!(Multiplicative::new(4, 12, 3).is_err());
    assert!(Multiplicative::new(4, 8, 40).is_err());
}
