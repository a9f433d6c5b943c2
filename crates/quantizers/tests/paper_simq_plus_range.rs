//! SimQ+ with large types: the switch from the exact type code to the range code, the cap
//! and the paper's bit count on both sides of it, unbiasedness and the exact error of the
//! range-coded scheme, big messages, and corrupted input.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, binomial, bits_for_count};
use proptest::prelude::*;
use quantizers::paper::{EXACT_TYPE_BITS, SimQPlus};
use quantizers::{BitCost, PublicState, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `ceil(log2 C(d + k, k))`, the exact code's length.
fn exact_type_bits(d: usize, k: usize) -> usize {
    bits_for_count(&binomial((d + k) as u64, k as u64))
}

/// A random vector with `||y||_2 = b`.
fn random_l2(d: usize, b: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let y: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let norm = y.iter().map(|v| v * v).sum::<f64>().sqrt();
    y.iter().map(|v| v * b / norm).collect()
}

/// Encodes `y`, checks the message against the cap and the decoder, returns the output.
fn round_trip(q: &SimQPlus, y: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let state = PublicState::new(0);
    let cap = q.bit_cost().max_bits().unwrap();
    let mut w = BitWriter::with_capacity(cap);
    let stats = q.encode(y.into(), &state, rng, &mut w).unwrap();
    let msg = w.finish();
    assert_eq!(stats.bits, msg.len());
    let mut out = vec![0.0; q.dim()];
    let mut r = msg.reader();
    q.decode(&mut r, &state, &mut out).unwrap();
    assert!(r.is_exhausted());
    // The message is the type and one sign per coordinate drawn.
    let drawn = out.iter().filter(|&&v| v != 0.0).count();
    let type_len = msg.len() - drawn;
    assert!(type_len <= q.type_bits());
    let unit = q.simq_bound() / q.reps() as f64;
    let mut total = 0.0;
    for (o, v) in out.iter().zip(y) {
        let count = o.abs() / unit;
        assert!((count - count.round()).abs() < 1e-6);
        assert!(*o == 0.0 || o.signum() == v.signum());
        total += count.round();
    }
    assert!(total <= q.reps() as f64);
    out
}

#[test]
fn the_type_code_is_exact_up_to_512_bits_and_range_coded_above() {
    assert_eq!(EXACT_TYPE_BITS, 512);
    let mut seen = (false, false);
    // d = k crosses 512 bits near k = 259; d = 2^16 near k = 44.
    for (d, ks) in [(0usize, 250..270usize), (1 << 16, 38..50)] {
        for k in ks {
            let d = if d == 0 { k } else { d };
            let q = SimQPlus::new(d, 1.0, 2.0, k).unwrap();
            let bits = exact_type_bits(d, k);
            let exact = bits <= EXACT_TYPE_BITS;
            assert_eq!(q.exact_type_code(), exact, "d={d} k={k} ({bits} bits)");
            assert_eq!(q.type_bits(), if exact { bits } else { bits + 2 });
            assert_eq!(q.bit_cost(), BitCost::AtMost(q.type_bits() + k.min(d)));
            seen = (seen.0 | exact, seen.1 | !exact);
        }
    }
    assert_eq!(seen, (true, true));
}

#[test]
fn range_coded_caps_are_within_theorem_4_2s_bit_count() {
    for d in [300usize, 1000, 10_000, 1 << 16, 1 << 20] {
        for q in [
            SimQPlus::with_default_reps(d, 1.0, 2.0).unwrap(),
            SimQPlus::with_default_reps(d, 1.0, 3.0).unwrap(),
            SimQPlus::with_default_reps(d, 1.0, 4.0).unwrap(),
            SimQPlus::new(d, 1.0, 2.0, 40).unwrap(),
        ] {
            let cap = q.bit_cost().max_bits().unwrap() as f64;
            let paper = q.paper_bits().unwrap();
            assert!(cap <= paper, "d={d} k={}: {cap} > {paper}", q.reps());
        }
    }
    // The smallest k that the bit threshold sends to the range code, for a large d whose
    // small types are still practical for the exact code (k >= 12 leaves three bits to spare).
    let d = 1usize << 24;
    let k = (1..64).find(|&k| !SimQPlus::new(d, 1.0, 2.0, k).unwrap().exact_type_code());
    let q = SimQPlus::new(d, 1.0, 2.0, k.unwrap()).unwrap();
    assert!(q.reps() >= 12);
    assert!(q.bit_cost().max_bits().unwrap() as f64 <= q.paper_bits().unwrap());
}

#[test]
fn range_coded_messages_round_trip_within_the_cap() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (d, k) in [
        (600usize, 600usize),
        (300, 2000),
        (1 << 14, 60),
        (100, 10_000),
    ] {
        let q = SimQPlus::new(d, 1.0, 2.0, k).unwrap();
        assert!(!q.exact_type_code(), "d={d} k={k}");
        for _ in 0..20 {
            let y = random_l2(d, rng.random_range(0.0..1.0), &mut rng);
            round_trip(&q, &y, &mut rng);
        }
    }
}

#[test]
fn range_coded_type_lengths_are_within_three_bits_of_the_cap() {
    // l >= ceil(log2 C) - 1 = type_bits - 3 for every type.
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let q = SimQPlus::new(500, 1.0, 2.0, 500).unwrap();
    let y = random_l2(500, 1.0, &mut rng);
    for _ in 0..50 {
        let mut w = BitWriter::new();
        q.encode((&y).into(), &PublicState::new(0), &mut rng, &mut w)
            .unwrap();
        let msg = w.finish();
        let mut out = vec![0.0; 500];
        q.decode(&mut msg.reader(), &PublicState::new(0), &mut out)
            .unwrap();
        let drawn = out.iter().filter(|&&v| v != 0.0).count();
        assert!(msg.len() - drawn + 3 >= q.type_bits());
    }
}

#[test]
fn range_coded_simq_plus_is_unbiased_with_the_exact_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let q = SimQPlus::new(300, 1.0, 2.0, 300).unwrap();
    assert!(!q.exact_type_code());
    let y = random_l2(300, 0.8, &mut rng);
    let m = check::measure(&q, (&y).into(), 4000, 3).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    let exact = q.mse_bound(&y).unwrap();
    assert!(
        (m.mse - exact).abs() <= 5.0 * m.mse_std_error,
        "{} vs {exact} (se {})",
        m.mse,
        m.mse_std_error
    );
}

#[test]
fn the_zero_output_is_drawn_with_probability_one_minus_l1_over_b_prime() {
    // The draws past S_d: their number is Binomial(k, 1 - ||y||_1 / B').
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let (d, k) = (400usize, 400usize);
    let q = SimQPlus::new(d, 1.0, 2.0, k).unwrap();
    let y = random_l2(d, 0.5, &mut rng);
    let p_zero = 1.0 - y.iter().map(|v| v.abs()).sum::<f64>() / q.simq_bound();
    let unit = q.simq_bound() / k as f64;
    let trials = 400;
    let mut zeros = 0.0;
    for _ in 0..trials {
        let out = round_trip(&q, &y, &mut rng);
        let on_coords: f64 = out.iter().map(|v| (v.abs() / unit).round()).sum();
        zeros += k as f64 - on_coords;
    }
    let n = (trials * k) as f64;
    let se = (p_zero * (1.0 - p_zero) / n).sqrt();
    assert!(
        (zeros / n - p_zero).abs() <= 5.0 * se,
        "{} vs {p_zero}",
        zeros / n
    );
}

#[test]
fn two_to_the_twenty_coordinates_round_trip() {
    let d = 1usize << 20;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let q = SimQPlus::with_default_reps(d, 1.0, 2.0).unwrap();
    assert_eq!(q.reps(), d);
    // The flat vector on the sphere has ||y||_1 = B': every draw lands on a coordinate.
    let y = vec![1.0 / (d as f64).sqrt(); d];
    let out = round_trip(&q, &y, &mut rng);
    let unit = q.simq_bound() / d as f64;
    let draws: f64 = out.iter().map(|v| (v / unit).round()).sum();
    assert_eq!(draws, d as f64);
}

#[test]
fn f32_input_is_range_coded_like_f64() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let q = SimQPlus::new(700, 1.0, 2.0, 700).unwrap();
    let y = random_l2(700, 0.9, &mut rng);
    let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
    let y64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
    let state = PublicState::new(0);
    let mut w32 = BitWriter::new();
    let mut w64 = BitWriter::new();
    q.encode(
        (&y32[..]).into(),
        &state,
        &mut ChaCha8Rng::seed_from_u64(7),
        &mut w32,
    )
    .unwrap();
    q.encode(
        (&y64[..]).into(),
        &state,
        &mut ChaCha8Rng::seed_from_u64(7),
        &mut w64,
    )
    .unwrap();
    assert_eq!(w32.finish(), w64.finish());
}

#[test]
fn a_fixed_seed_gives_a_pinned_range_coded_message() {
    let q = SimQPlus::new(300, 1.0, 2.0, 300).unwrap();
    let y: Vec<f64> = (0..300)
        .map(|i| if i % 3 == 0 { -0.04 } else { 0.05 })
        .collect();
    let mut w = BitWriter::new();
    q.encode(
        (&y).into(),
        &PublicState::new(0),
        &mut ChaCha8Rng::seed_from_u64(42),
        &mut w,
    )
    .unwrap();
    let msg = w.finish();
    let fold = msg
        .as_words()
        .iter()
        .fold(0u64, |h, &x| h.rotate_left(7) ^ x);
    assert_eq!((msg.len(), fold), PINNED_RANGE_CODED);
}

const PINNED_RANGE_CODED: (usize, u64) = (762, 14_031_354_530_783_965_481);

#[test]
fn truncated_range_coded_messages_are_errors_or_shorter_messages() {
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    let q = SimQPlus::new(300, 1.0, 2.0, 300).unwrap();
    let y = random_l2(300, 1.0, &mut rng);
    let mut w = BitWriter::new();
    q.encode((&y).into(), &PublicState::new(0), &mut rng, &mut w)
        .unwrap();
    let msg = w.finish();
    let mut out = vec![0.0; 300];
    for cut in (0..msg.len()).step_by(7) {
        let short = BitString::from_words(msg.as_words().to_vec(), cut).unwrap();
        let mut r = short.reader();
        if q.decode(&mut r, &PublicState::new(0), &mut out).is_ok() {
            assert!(r.position() <= cut);
        }
    }
    // Cutting only sign bits always fails: the type says how many there are.
    let short = BitString::from_words(msg.as_words().to_vec(), msg.len() - 1).unwrap();
    assert!(
        q.decode(&mut short.reader(), &PublicState::new(0), &mut out)
            .is_err()
    );
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics_with_the_range_code(
        bytes in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let q = SimQPlus::new(300, 1.0, 2.0, 300).unwrap();
        let msg = BitString::from_bytes(&bytes, bytes.len() * 8).unwrap();
        let mut out = vec![0.0; 300];
        let mut r = msg.reader();
        if q.decode(&mut r, &PublicState::new(1), &mut out).is_ok() {
            let total: f64 = out.iter().map(|v| v.abs()).sum();
            prop_assert!(total <= q.simq_bound() * (1.0 + 1e-12));
            prop_assert!(r.position() <= msg.len());
        }
    }
}

#[test]
fn a_huge_alphabet_takes_the_range_code_even_for_a_few_draws() {
    // The exact code's rank walk is linear in the alphabet: 2^36 symbols is past its limit,
    // so even one draw is range coded, at most two bits over ceil(log2 C).
    let q = SimQPlus::new(1usize << 36, 1.0, 2.0, 1).unwrap();
    assert!(!q.exact_type_code());
    let exact_bits = 37.0; // ceil(log2 C(2^36 + 1, 1)) = ceil(log2(2^36 + 1))
    assert!(q.bit_cost().max_bits().unwrap() as f64 <= exact_bits + 2.0 + 1.0);
}
