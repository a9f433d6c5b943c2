//! RATQ: parameters and range table, exact bits against the paper's count, unbiasedness,
//! Lemma 5.2's error bound on one-hot, flat and random unit-norm inputs, the rotation from
//! public coins, custom range tables, range errors and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, ChunkedRadix, CodecError};
use proptest::prelude::*;
use quantizers::paper::{RandomRotation, RangeTable, Ratq, RatqParameters};
use quantizers::{PublicState, QuantError, Quantizer, VarianceBound, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

fn unit_random(d: usize, b: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let y: Vec<f64> = (0..d).map(|_| rng.sample(StandardNormal)).collect();
    let norm = y.iter().map(|v: &f64| v * v).sum::<f64>().sqrt();
    y.iter().map(|v| v * b / norm).collect()
}

fn one_hot(d: usize, b: f64) -> Vec<f64> {
    let mut y = vec![0.0; d];
    y[d / 3] = b;
    y
}

fn flat(d: usize, b: f64) -> Vec<f64> {
    (0..d)
        .map(|i| if i % 2 == 0 { b } else { -b } / (d as f64).sqrt())
        .collect()
}

fn encode(q: &Ratq, y: &[f64], state: &PublicState<'_>, seed: u64) -> BitString {
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
    q.encode(
        y.into(),
        state,
        &mut ChaCha8Rng::seed_from_u64(seed),
        &mut w,
    )
    .unwrap();
    w.finish()
}

fn decode(q: &Ratq, msg: &BitString, state: &PublicState<'_>) -> Vec<f64> {
    let mut out = vec![0.0; q.dim()];
    let mut r = msg.reader();
    q.decode(&mut r, state, &mut out).unwrap();
    assert!(r.is_exhausted());
    out
}

#[test]
fn parameters_follow_equation_8() {
    // (d', log2 h): ln*(d'/3) = 0, 1, 2, 3, 4 at d' = 2, 8, 16, 1024, 2^24.
    for (d, log2_h, block) in [
        (1usize, 0u32, 1usize),
        (2, 0, 1),
        (4, 1, 1),
        (8, 1, 1),
        (16, 2, 2),
        (1024, 2, 2),
        (1 << 24, 3, 3),
    ] {
        let p = RatqParameters::for_dimension(d, 2.0).unwrap();
        assert_eq!((p.log2_h, p.block), (log2_h, block), "d'={d}");
        assert!((p.m - 12.0 / d as f64).abs() < 1e-15);
        assert!((p.m0 - 8.0 / d as f64 * (block as f64).ln()).abs() < 1e-15);
    }
    assert!(RatqParameters::for_dimension(0, 1.0).is_err());
    assert!(RatqParameters::for_dimension(4, 0.0).is_err());
}

#[test]
fn the_default_table_is_the_tetration_reconstruction_clamped_to_b() {
    let t = RangeTable::reconstructed(1024, 2.0).unwrap();
    let p = RatqParameters::for_dimension(1024, 2.0).unwrap();
    let e = std::f64::consts::E;
    let expected = [
        (p.m + p.m0).sqrt(),
        (p.m * e + p.m0).sqrt(),
        (p.m * e.powf(e) + p.m0).sqrt(),
        2.0,
    ];
    assert_eq!(t.len(), 4);
    for (a, b) in t.ranges().iter().zip(expected) {
        assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    }
    assert_eq!(t.top(), 2.0);
}

#[test]
fn range_tables_validate_their_ranges() {
    assert!(RangeTable::new(vec![]).is_err());
    assert!(RangeTable::new(vec![0.5, 0.2]).is_err());
    assert!(RangeTable::new(vec![0.0, 1.0]).is_err());
    assert!(RangeTable::new(vec![0.5, f64::NAN]).is_err());
    assert!(RangeTable::new(vec![0.5, f64::INFINITY]).is_err());
    assert!(RangeTable::new(vec![0.5, 0.5, 1.0]).is_ok());
}

#[test]
fn bits_are_the_range_indices_plus_the_packed_level_symbols() {
    for (d, k) in [
        (100usize, 3u64),
        (100, 4),
        (128, 7),
        (5, 2),
        (1, 5),
        (1000, 16),
    ] {
        let q = Ratq::new(d, 1.0, k).unwrap();
        let dp = q.padded_dim();
        let index_bits = (q.range_table().len() as f64).log2().ceil() as usize;
        let symbols = if k.is_power_of_two() {
            dp * k.trailing_zeros() as usize
        } else {
            ChunkedRadix::new(k).unwrap().len(dp)
        };
        let expected = dp.div_ceil(q.block_len()) * index_bits + symbols;
        assert_eq!(q.bit_cost().exact(), Some(expected), "d={d} k={k}");
        let y = unit_random(d, 1.0, &mut ChaCha8Rng::seed_from_u64(d as u64));
        check::measure(&q, (&y).into(), 20, 1)
            .unwrap()
            .assert_bits_match_cost(&q)
            .unwrap();
    }
}

#[test]
fn bits_are_within_the_papers_count_for_power_of_two_dimensions() {
    // ceil(d/s) log2 h + d log2(k + 1); only padding to d' can exceed it.
    for t in 0..14 {
        for k in [2u64, 3, 4, 7, 15, 16, 31, 255] {
            let q = Ratq::new(1 << t, 1.0, k).unwrap();
            let bits = q.bit_cost().exact().unwrap() as f64;
            assert!(bits <= q.paper_bits().unwrap().ceil(), "d=2^{t} k={k}");
        }
    }
}

#[test]
fn unbiased_on_random_and_one_hot_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (d, k) in [(12usize, 3u64), (16, 2)] {
        let q = Ratq::new(d, 1.0, k).unwrap();
        for y in [unit_random(d, 0.9, &mut rng), one_hot(d, 1.0)] {
            let m = check::measure(&q, (&y).into(), 20_000, 2).unwrap();
            m.assert_unbiased(5.0).unwrap();
        }
    }
}

#[test]
fn mse_is_within_lemma_5_2_on_one_hot_flat_and_random_unit_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for (d, k) in [(16usize, 2u64), (16, 4), (100, 2), (100, 4), (1000, 3)] {
        let q = Ratq::new(d, 1.0, k).unwrap();
        let s = q.block_len() as f64;
        let bound = (9.0 + 3.0 * s.ln()) / ((k - 1) as f64).powi(2);
        assert_eq!(q.variance(), VarianceBound::Absolute { mse: bound });
        for y in [one_hot(d, 1.0), flat(d, 1.0), unit_random(d, 1.0, &mut rng)] {
            let m = check::measure(&q, (&y).into(), 1000, 3).unwrap();
            m.assert_within_stated_mse(&q, 5.0).unwrap();
        }
    }
}

#[test]
fn a_rotated_coordinate_at_the_norm_bound_selects_the_top_range_and_stays_unbiased() {
    // y = R^T (B e_1) rotates to B e_1: the first block needs the range that covers B, the
    // others the smallest one. Rounding alone is random here (the rotation is fixed).
    let (d, b) = (16usize, 1.0);
    let q = Ratq::new(d, b, 3).unwrap();
    let state = PublicState::new(8).with_round(2);
    let rot = RandomRotation::new(d).unwrap();
    let mut z = vec![0.0; d];
    z[0] = b;
    let mut y = vec![0.0; d];
    rot.inverse(&state, &mut z, &mut y).unwrap();
    let table = q.range_table();
    let top = table.select(b).unwrap();
    assert!(top > 0);
    let index_bits = (table.len() as f64).log2().ceil() as u32;
    let n = 20_000;
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let (mut sum, mut sum_sq) = (vec![0.0; d], vec![0.0; d]);
    for _ in 0..n {
        let mut w = BitWriter::new();
        q.encode((&y).into(), &state, &mut rng, &mut w).unwrap();
        let msg = w.finish();
        let mut r = msg.reader();
        assert_eq!(r.read_bits(index_bits).unwrap(), top as u64);
        assert_eq!(r.read_bits(index_bits).unwrap(), 0);
        for (i, v) in decode(&q, &msg, &state).iter().enumerate() {
            let e = v - y[i];
            sum[i] += e;
            sum_sq[i] += e * e;
        }
    }
    for i in 0..d {
        let mean = sum[i] / n as f64;
        let se = ((sum_sq[i] / n as f64 - mean * mean) / n as f64).sqrt();
        assert!(mean.abs() <= 5.0 * se, "coordinate {i}: {mean} (se {se})");
    }
}

#[test]
fn many_levels_make_the_decoder_nearly_exact() {
    // With 2^20 levels the only error left is rounding on a fine grid: this checks that the
    // decoder inverts the encoder's rotation.
    let q = Ratq::new(37, 3.0, 1 << 20).unwrap();
    let y = unit_random(37, 2.5, &mut ChaCha8Rng::seed_from_u64(3));
    let state = PublicState::new(9).with_round(4);
    let out = decode(&q, &encode(&q, &y, &state, 0), &state);
    for (a, b) in out.iter().zip(&y) {
        assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    }
}

#[test]
fn the_decoder_rebuilds_the_rotation_from_public_coins_alone() {
    let q = Ratq::new(30, 1.0, 1 << 16).unwrap();
    let y = unit_random(30, 1.0, &mut ChaCha8Rng::seed_from_u64(4));
    let sender = PublicState::new(77).with_round(12).with_worker(3);
    let msg = encode(&q, &y, &sender, 5);
    // A receiver that only knows (seed, round, worker) decodes the same vector...
    let receiver = PublicState::new(77).with_round(12).with_worker(3);
    let out = decode(&q, &msg, &receiver);
    assert_eq!(out, decode(&q, &msg, &sender));
    let err: f64 = out.iter().zip(&y).map(|(a, b)| (a - b) * (a - b)).sum();
    assert!(err < 1e-6);
    // ...and one with other coins does not.
    let wrong = decode(&q, &msg, &receiver.with_round(13));
    let err: f64 = wrong.iter().zip(&y).map(|(a, b)| (a - b) * (a - b)).sum();
    assert!(err > 0.1);
}

#[test]
fn a_custom_range_table_replaces_the_default() {
    let q = Ratq::new(16, 1.0, 3)
        .unwrap()
        .with_range_table(RangeTable::new(vec![0.3, 1.0]).unwrap())
        .unwrap();
    assert_eq!(q.range_table().ranges(), &[0.3, 1.0]);
    // Index bits: 1 per block of s = 2 coordinates.
    assert_eq!(
        q.bit_cost().exact(),
        Some(8 + ChunkedRadix::new(3).unwrap().len(16))
    );
    assert_eq!(q.variance(), VarianceBound::Absolute { mse: 16.0 * 0.25 });
    let y = unit_random(16, 1.0, &mut ChaCha8Rng::seed_from_u64(5));
    let m = check::measure(&q, (&y).into(), 20_000, 6).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn a_table_whose_top_is_below_b_is_rejected() {
    let q = Ratq::new(16, 1.0, 3).unwrap();
    assert!(
        q.with_range_table(RangeTable::new(vec![0.3, 0.9]).unwrap())
            .is_err()
    );
}

#[test]
fn block_lengths_are_validated() {
    let q = Ratq::new(10, 1.0, 3).unwrap(); // d' = 16
    assert_eq!(q.clone().with_block_len(16).unwrap().blocks(), 1);
    assert_eq!(q.clone().with_block_len(3).unwrap().blocks(), 6);
    assert!(q.clone().with_block_len(0).is_err());
    assert!(q.with_block_len(17).is_err());
}

#[test]
fn the_zero_vector_decodes_to_zero_with_an_odd_number_of_levels() {
    let q = Ratq::new(20, 1.0, 5).unwrap();
    let state = PublicState::new(1);
    let out = decode(&q, &encode(&q, &[0.0; 20], &state, 0), &state);
    assert!(out.iter().all(|v| v.abs() < 1e-15));
}

#[test]
fn f32_input_is_accepted() {
    let q = Ratq::new(8, 1.0, 4).unwrap();
    let y = [0.5f32, -0.5, 0.0, 0.25, 0.25, 0.0, -0.5, 0.0];
    let m = check::measure(&q, (&y).into(), 10, 1).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
}

#[test]
fn norm_above_b_is_an_error_and_writes_nothing() {
    let q = Ratq::new(4, 1.0, 3).unwrap();
    let mut w = BitWriter::new();
    let y = [0.6, 0.6, 0.6, 0.0]; // ||y|| = 1.04
    assert!(matches!(
        q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w),
        Err(QuantError::OutOfRange { .. })
    ));
    assert!(w.is_empty());
}

#[test]
fn non_finite_input_wrong_dimension_and_bad_parameters_are_errors() {
    let q = Ratq::new(3, 1.0, 3).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    assert!(matches!(
        q.encode(
            (&[0.0, f64::NEG_INFINITY, 0.0]).into(),
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
    assert!(Ratq::new(0, 1.0, 3).is_err());
    assert!(Ratq::new(3, 0.0, 3).is_err());
    assert!(Ratq::new(3, f64::NAN, 3).is_err());
    assert!(Ratq::new(3, 1.0, 1).is_err());
    assert!(Ratq::new(usize::MAX, 1.0, 3).is_err());
}

#[test]
fn a_message_over_budget_is_an_error_and_writes_nothing() {
    let q = Ratq::new(10, 1.0, 3).unwrap();
    let mut w = BitWriter::with_capacity(q.bit_cost().exact().unwrap() - 1);
    assert!(matches!(
        q.encode(
            (&[0.1f64; 10]).into(),
            &PublicState::new(0),
            &mut rand::rng(),
            &mut w
        ),
        Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
    ));
    assert!(w.is_empty());
}

#[test]
fn truncated_messages_are_errors() {
    let q = Ratq::new(10, 1.0, 3).unwrap();
    let state = PublicState::new(0);
    let msg = encode(&q, &[0.1; 10], &state, 0);
    for len in [0, 1, msg.len() - 1] {
        let cut = BitString::from_words(msg.as_words().to_vec(), len).unwrap();
        let mut out = [0.0; 10];
        assert!(q.decode(&mut cut.reader(), &state, &mut out).is_err());
    }
}

#[test]
fn a_fixed_seed_gives_a_pinned_message() {
    let q = Ratq::new(6, 1.0, 3).unwrap(); // d' = 8, h = 2, s = 1: 8 + 13 bits
    let y = [0.5, -0.5, 0.25, 0.0, 0.5, -0.25];
    let msg = encode(&q, &y, &PublicState::new(3), 42);
    assert_eq!((msg.len(), msg.as_words()[0]), PINNED_RATQ);
}

// Eight 1-bit range indices (all 0 here), then 8 ternary symbols in 13 bits.
const PINNED_RATQ: (usize, u64) = (21, 489_472);

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..48), len in 0usize..384, k in 2u64..9) {
        let q = Ratq::new(20, 1.0, k).unwrap();
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = [0.0; 20];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        if len < q.bit_cost().exact().unwrap() {
            prop_assert!(result.is_err());
        }
        if result.is_ok() {
            // Every rotated coordinate is at most B, so ||out|| <= sqrt(d') B.
            let n2: f64 = out.iter().map(|v| v * v).sum();
            prop_assert!(n2 <= 32.0 * (1.0 + 1e-9));
        }
    }
}
