//! CUQ: exact bits against the paper's `d log2(k+1)`, unbiasedness, the exact rounding
//! variance, range errors and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, ChunkedRadix, CodecError};
use proptest::prelude::*;
use quantizers::paper::Cuq;
use quantizers::{PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn encode(q: &Cuq, y: &[f64], seed: u64) -> BitString {
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
fn power_of_two_levels_take_log2_k_bits_per_coordinate() {
    for (k, w) in [(2u64, 1usize), (4, 2), (16, 4), (256, 8)] {
        let q = Cuq::new(10, 1.0, k).unwrap();
        assert_eq!(q.bit_cost().exact(), Some(10 * w));
    }
}

#[test]
fn other_level_counts_are_packed_jointly() {
    // 40 ternary symbols fit in one 64-bit chunk: ceil(40 log2 3) = 64.
    assert_eq!(Cuq::new(40, 1.0, 3).unwrap().bit_cost().exact(), Some(64));
    // 3 symbols of 5 letters: ceil(log2 125) = 7, against 3 * ceil(log2 5) = 9 for fixed fields.
    assert_eq!(Cuq::new(3, 1.0, 5).unwrap().bit_cost().exact(), Some(7));
}

#[test]
fn bits_written_equal_the_declared_cost() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for k in [2u64, 3, 5, 7, 8, 17] {
        let q = Cuq::new(23, 2.0, k).unwrap();
        let y: Vec<f64> = (0..23).map(|_| rng.random_range(-2.0..=2.0)).collect();
        let m = check::measure(&q, (&y).into(), 50, k).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
    }
}

#[test]
fn packed_bits_exceed_d_log2_k_by_less_than_one_bit_per_chunk() {
    for k in [3u64, 5, 6, 7, 26, 100, 1000, (1 << 20) + 1] {
        let c = ChunkedRadix::new(k).unwrap().symbols_per_chunk();
        for d in 1..=300 {
            let bits = Cuq::new(d, 1.0, k).unwrap().bit_cost().exact().unwrap() as f64;
            let entropy = d as f64 * (k as f64).log2();
            assert!(
                bits >= entropy && bits < entropy + d.div_ceil(c) as f64,
                "k={k} d={d}"
            );
        }
    }
}

#[test]
fn bits_are_within_the_papers_d_log2_k_plus_1_up_to_its_ceiling_for_k_up_to_16() {
    // The paper charges log2(k + 1) per coordinate; the packed code spends at most
    // log2 k + 1/c, which is below it for k <= 16 (c >= 16 symbols per chunk).
    for k in 2u64..=16 {
        for d in 1..=300 {
            let q = Cuq::new(d, 1.0, k).unwrap();
            let bits = q.bit_cost().exact().unwrap() as f64;
            let paper = q.paper_bits().unwrap();
            assert!(bits <= paper.ceil(), "k={k} d={d}: {bits} > {paper}");
            if k.is_power_of_two() {
                assert!(bits < paper, "k={k} d={d}");
            }
        }
    }
}

#[test]
fn unbiased_inside_the_range() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for k in [2u64, 3, 6] {
        let q = Cuq::new(8, 1.5, k).unwrap();
        let y: Vec<f64> = (0..8).map(|_| rng.random_range(-1.5..=1.5)).collect();
        let m = check::measure(&q, (&y).into(), 20_000, 3).unwrap();
        m.assert_unbiased(5.0).unwrap();
    }
}

#[test]
fn mse_equals_the_exact_rounding_variance() {
    let q = Cuq::new(6, 1.0, 5).unwrap(); // step 0.5
    let y = [0.1, -0.25, 0.4, 0.75, -0.9, 0.0];
    // (v - a)(a + step - v) per coordinate.
    let exact: f64 = [
        0.1 * 0.4,
        0.25 * 0.25,
        0.4 * 0.1,
        0.25 * 0.25,
        0.4 * 0.1,
        0.0,
    ]
    .iter()
    .sum();
    assert!((q.mse_bound(&y).unwrap() - exact).abs() < 1e-12);
    assert!(exact <= q.variance().mse_bound(&y).unwrap()); // d (M/(k-1))^2 = 1.5
    let m = check::measure(&q, (&y).into(), 20_000, 4).unwrap();
    assert!(
        (m.mse - exact).abs() <= 5.0 * m.mse_std_error,
        "{} vs {exact}",
        m.mse
    );
}

#[test]
fn grid_points_and_range_ends_are_reproduced_exactly() {
    let q = Cuq::new(5, 2.0, 5).unwrap(); // -2, -1, 0, 1, 2
    let y = [-2.0, -1.0, 0.0, 1.0, 2.0];
    for seed in 0..20 {
        let msg = encode(&q, &y, seed);
        let mut out = [0.0; 5];
        q.decode(&mut msg.reader(), &PublicState::new(0), &mut out)
            .unwrap();
        assert_eq!(out, y);
    }
}

#[test]
fn f32_and_f64_inputs_give_the_same_message() {
    let q = Cuq::new(4, 1.0, 3).unwrap();
    let y32 = [0.3f32, -0.7, 0.05, 1.0];
    let y64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
    let mut w32 = BitWriter::new();
    q.encode(
        (&y32).into(),
        &PublicState::new(0),
        &mut ChaCha8Rng::seed_from_u64(5),
        &mut w32,
    )
    .unwrap();
    assert_eq!(w32.finish(), encode(&q, &y64, 5));
}

#[test]
fn a_fixed_seed_gives_a_pinned_message() {
    // Value stability: a change in the rounding or the packing changes these bits.
    let q = Cuq::new(6, 1.0, 3).unwrap();
    let msg = encode(&q, &[0.5, -0.5, 0.25, -0.75, 0.9, 0.0], 42);
    assert_eq!(msg.len(), 10);
    assert_eq!(msg.to_bytes(), PINNED_CUQ);
}

const PINNED_CUQ: [u8; 2] = [159, 1];

#[test]
fn a_coordinate_outside_the_range_is_an_error_and_writes_nothing() {
    let q = Cuq::new(3, 1.0, 4).unwrap();
    let mut w = BitWriter::new();
    let err = q.encode(
        (&[0.0f64, 1.0 + 1e-12, 0.0]).into(),
        &PublicState::new(0),
        &mut rand::rng(),
        &mut w,
    );
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })));
    assert!(w.is_empty());
    assert_eq!(q.mse_bound(&[0.0, 2.0, 0.0]), None);
}

#[test]
fn non_finite_input_and_wrong_dimension_are_errors() {
    let q = Cuq::new(2, 1.0, 4).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert!(matches!(
            q.encode((&[0.0, bad]).into(), &s, &mut rand::rng(), &mut w),
            Err(QuantError::NonFinite { index: 1 })
        ));
    }
    assert!(matches!(
        q.encode((&[0.0f64]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
    let msg = encode(&q, &[0.0, 0.0], 0);
    assert!(matches!(
        q.decode(&mut msg.reader(), &s, &mut [0.0; 3]),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

#[test]
fn invalid_parameters_are_rejected() {
    assert!(Cuq::new(0, 1.0, 4).is_err());
    assert!(Cuq::new(4, 0.0, 4).is_err());
    assert!(Cuq::new(4, -1.0, 4).is_err());
    assert!(Cuq::new(4, f64::NAN, 4).is_err());
    assert!(Cuq::new(4, f64::INFINITY, 4).is_err());
    assert!(Cuq::new(4, 1.0, 1).is_err());
    assert!(Cuq::new(4, 1.0, 0).is_err());
    assert!(Cuq::new(usize::MAX, 1.0, 3).is_err());
}

#[test]
fn a_message_over_budget_is_an_error_and_writes_nothing() {
    let q = Cuq::new(10, 1.0, 3).unwrap();
    let need = q.bit_cost().exact().unwrap();
    let mut w = BitWriter::with_capacity(need - 1);
    let err = q.encode(
        (&[0.1f64; 10]).into(),
        &PublicState::new(0),
        &mut rand::rng(),
        &mut w,
    );
    assert!(matches!(
        err,
        Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
    ));
    assert!(w.is_empty());
}

#[test]
fn truncated_messages_are_errors() {
    let q = Cuq::new(10, 1.0, 3).unwrap();
    let msg = encode(&q, &[0.1; 10], 0);
    let cut = BitString::from_words(msg.as_words().to_vec(), msg.len() - 1).unwrap();
    let mut out = [0.0; 10];
    assert!(matches!(
        q.decode(&mut cut.reader(), &PublicState::new(0), &mut out),
        Err(QuantError::Codec(CodecError::UnexpectedEnd { .. }))
    ));
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..24), len in 0usize..192, k in 2u64..12) {
        let q = Cuq::new(9, 1.0, k).unwrap();
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = [0.0; 9];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        if len < q.bit_cost().exact().unwrap() {
            prop_assert!(result.is_err());
        }
        if result.is_ok() {
            prop_assert!(out.iter().all(|v| v.abs() <= 1.0));
        }
    }
}
