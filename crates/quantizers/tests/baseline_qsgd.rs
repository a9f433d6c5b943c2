//! QSGD: exact and Elias-coded lengths, unbiasedness, Lemma 3.1's variance and sparsity
//! bounds, buckets, zero vectors, budgets and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod baseline_common;

use baseline_common::*;
use bitcodec::BitString;
use proptest::prelude::*;
use quantizers::{
    BitCost, PublicState, QuantError, Quantizer, ScalarCode, VarianceBound, baselines::Qsgd,
    baselines::QsgdCoding, check,
};

/// `2 floor(log2 m) + 1`.
fn gamma(m: u64) -> usize {
    2 * (63 - m.leading_zeros()) as usize + 1
}

#[test]
fn fixed_messages_have_the_norms_then_jointly_packed_symbols() {
    // s = 4: 9 symbols, 20 per 64-bit chunk (9^20 < 2^64 < 9^21); 100 = 5 chunks.
    let q = Qsgd::new(100, 4).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(32 + 5 * 64));
    // s = 1: ternary, 10 symbols jointly in ceil(10 log2 3) = 16 bits.
    let q = Qsgd::new(10, 1).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(32 + 16));
    // Three buckets of 4, 4, 2: three norms, the symbols still packed jointly.
    let q = q.with_bucket(4).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Exact(3 * 32 + 16));
    let q = q.with_scalar_code(ScalarCode::F64);
    assert_eq!(q.bit_cost(), BitCost::Exact(3 * 64 + 16));
    for (q, d) in [(Qsgd::new(100, 4).unwrap(), 100), (q, 10)] {
        let m = check::measure(&q, (&gaussian(d, 1)).into(), 20, 1).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
    }
}

#[test]
fn paper_dense_count_is_above_the_joint_packing() {
    let q = Qsgd::new(100, 4).unwrap();
    let paper = q.paper_bits().unwrap();
    assert!((paper - (32.0 + 100.0 * (1.0 + 5f64.log2()))).abs() < 1e-9);
    assert!(paper > q.bit_cost().exact().unwrap() as f64);
}

#[test]
fn elias_lengths_follow_the_gap_sign_level_formula() {
    let d = 50;
    let q = Qsgd::elias(d, 3).unwrap();
    assert_eq!(q.bit_cost(), BitCost::Variable);
    for seed in 0..20 {
        let y = gaussian(d, seed);
        let state = PublicState::new(seed);
        let msg = encode(&q, (&y).into(), &state, seed);
        let mut out = vec![0.0; d];
        q.decode(&mut msg.reader(), &state, &mut out).unwrap();
        let norm = f64::from(f32::from_bits(msg.reader().read_bits(32).unwrap() as u32));
        let mut expected = 32;
        let mut last = 0u64;
        for (i, v) in out.iter().enumerate() {
            if *v != 0.0 {
                let level = (v.abs() / norm * 3.0).round() as u64;
                expected += gamma(i as u64 + 1 - last) + 1 + gamma(level);
                last = i as u64 + 1;
            }
        }
        expected += gamma(d as u64 + 1 - last);
        assert_eq!(msg.len(), expected, "seed {seed}");
        assert!(msg.len() <= q.worst_case_bits());
    }
}

#[test]
fn elias_worst_case_bound_is_tight_in_one_dimension() {
    // d = 1: the level is always s, one gap of 1, the final gap of 1: d (2 + gamma(s)) + 1 bits
    // after the norm. (Random inputs stay below the bound: see the formula test.)
    let q = Qsgd::elias(1, 5).unwrap();
    let (out, bits) = roundtrip(&q, (&[-2.0f64]).into(), &PublicState::new(0), 0);
    assert_eq!(out, vec![-2.0]);
    assert_eq!(bits, 32 + 2 + 5 + 1);
    assert_eq!(q.worst_case_bits(), bits);
}

#[test]
fn elias_average_length_at_s_sqrt_d_is_within_corollary_3_3() {
    // Corollary 3.3: <= 2.8 d + 32 expected bits for s = sqrt(d). Measured: ~2.73 d + 32.
    let d = 1024;
    let q = Qsgd::elias(d, 32).unwrap();
    let trials = 60;
    let total: usize = (0..trials)
        .map(|t| {
            let y = gaussian(d, 100 + t);
            encode(&q, (&y).into(), &PublicState::new(t), t).len()
        })
        .sum();
    let mean = total as f64 / trials as f64;
    assert!(
        mean <= 2.8 * d as f64 + 32.0,
        "mean {mean} bits = {} d + 32",
        (mean - 32.0) / d as f64
    );
    assert!(mean <= q.paper_bits().unwrap());
}

#[test]
fn both_codings_decode_to_the_same_quantized_vector() {
    let y = gaussian(40, 3);
    let state = PublicState::new(5);
    let fixed = Qsgd::new(40, 5).unwrap().with_bucket(16).unwrap();
    let elias = fixed.clone().with_coding(QsgdCoding::Elias);
    // Same private randomness, same levels: only the wire format differs.
    let (a, _) = roundtrip(&fixed, (&y).into(), &state, 8);
    let (b, _) = roundtrip(&elias, (&y).into(), &state, 8);
    assert_eq!(a, b);
}

#[test]
fn outputs_are_the_norm_times_signed_levels() {
    let y = gaussian(30, 4);
    let q = Qsgd::new(30, 3).unwrap().with_scalar_code(ScalarCode::F64);
    let norm = norm2(&y).sqrt();
    let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 1);
    for (o, v) in out.iter().zip(&y) {
        let r = v.abs() / norm * 3.0;
        let level = o.abs() / norm * 3.0;
        assert!((level - level.round()).abs() < 1e-12);
        assert!(level.round() == r.floor() || level.round() == r.floor() + 1.0);
        assert!(*o == 0.0 || o.signum() == v.signum());
    }
}

#[test]
fn unbiased_with_lemma_3_1_variance_on_one_hot_flat_and_random_inputs() {
    let d = 16;
    let inputs = [one_hot(d, 5, -3.0), flat(d, 0.7), gaussian(d, 6)];
    let schemes = [
        Qsgd::new(d, 1).unwrap(),
        Qsgd::new(d, 3).unwrap(),
        Qsgd::elias(d, 2).unwrap().with_bucket(5).unwrap(),
    ];
    for q in &schemes {
        for y in &inputs {
            let m = check::measure(q, y.into(), 20_000, 11).unwrap();
            m.assert_bits_match_cost(q).unwrap();
            m.assert_unbiased(5.0).unwrap();
            m.assert_within_stated_mse(q, 5.0).unwrap();
        }
    }
}

#[test]
fn the_variance_bound_is_nearly_attained_by_a_flat_vector_with_one_level() {
    // s = 1, flat: each coordinate is 0 or ||v|| w.p. 1/sqrt(d): E||Q - v||^2 = (sqrt(d) - 1)||v||^2,
    // against the bound min(d, sqrt(d)) ||v||^2 = sqrt(d) ||v||^2.
    let d = 16;
    let q = Qsgd::new(d, 1).unwrap();
    let y = flat(d, 0.25);
    let m = check::measure(&q, (&y).into(), 20_000, 2).unwrap();
    assert_mse_near(&m, 3.0 * norm2(&y), 5.0);
    let VarianceBound::Relative { omega } = q.variance() else {
        panic!("QSGD states omega")
    };
    assert!((omega - 4.0).abs() < 1e-5, "{omega}");
}

#[test]
fn omega_uses_the_bucket_size() {
    let q = Qsgd::new(1000, 4).unwrap();
    assert_eq!(q.omega_exact(), (1000f64).sqrt() / 4.0);
    let q = q.with_bucket(8).unwrap();
    assert_eq!(q.omega_exact(), 0.5); // min(8/16, sqrt(8)/4)
    assert_eq!(q.buckets(), 125);
    let exact = q.clone().with_scalar_code(ScalarCode::F64);
    assert_eq!(exact.variance(), VarianceBound::Relative { omega: 0.5 });
}

#[test]
fn expected_nonzeros_are_within_lemma_3_1() {
    let d = 64;
    for s in [1, 2, 4] {
        let q = Qsgd::new(d, s).unwrap();
        for y in [flat(d, 1.0), gaussian(d, 7)] {
            let trials = 400;
            let nnz: usize = (0..trials)
                .map(|t| {
                    let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(t), t);
                    out.iter().filter(|v| **v != 0.0).count()
                })
                .sum();
            let mean = nnz as f64 / trials as f64;
            assert!(mean <= q.expected_nonzeros_bound(), "s = {s}: {mean}");
        }
    }
}

#[test]
fn zero_vectors_and_zero_buckets_decode_to_zeros() {
    let d = 12;
    let mut y = gaussian(d, 8);
    for v in &mut y[4..8] {
        *v = 0.0;
    }
    for coding in [QsgdCoding::Fixed, QsgdCoding::Elias] {
        let q = Qsgd::new(d, 2)
            .unwrap()
            .with_bucket(4)
            .unwrap()
            .with_coding(coding);
        let (out, _) = roundtrip(&q, (&vec![0.0f32; d]).into(), &PublicState::new(0), 0);
        assert_eq!(out, vec![0.0; d]);
        let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
        assert!(out.iter().all(|v| v.is_finite()));
        assert_eq!(&out[4..8], &[0.0; 4]);
    }
}

#[test]
fn f32_and_f64_inputs_quantize_alike() {
    let y32: Vec<f32> = gaussian(20, 9).iter().map(|&v| v as f32).collect();
    let y64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
    let q = Qsgd::new(20, 4).unwrap();
    let state = PublicState::new(1);
    assert_eq!(
        encode(&q, (&y32).into(), &state, 3),
        encode(&q, (&y64).into(), &state, 3)
    );
}

#[test]
fn a_norm_beyond_f32_is_out_of_range_unless_sent_as_f64() {
    let y = vec![1e39, -3e39, 2e39];
    let q = Qsgd::new(3, 2).unwrap();
    let mut w = bitcodec::BitWriter::new();
    let err = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })), "{err:?}");
    assert!(w.is_empty());
    let q = q.with_scalar_code(ScalarCode::F64);
    let m = check::measure(&q, (&y).into(), 2_000, 1).unwrap();
    m.assert_unbiased(5.0).unwrap();
}

#[test]
fn budget_overflow_is_an_error_for_both_codings() {
    let y = gaussian(30, 10);
    assert_budget_overflow_is_an_error(&Qsgd::new(30, 3).unwrap(), (&y).into());
    assert_budget_overflow_is_an_error(&Qsgd::elias(30, 3).unwrap(), (&y).into());
}

#[test]
fn truncated_messages_are_errors_for_both_codings() {
    let y = gaussian(30, 11);
    assert_truncations_are_errors(
        &Qsgd::new(30, 3).unwrap().with_bucket(7).unwrap(),
        (&y).into(),
    );
    assert_truncations_are_errors(
        &Qsgd::elias(30, 3).unwrap().with_bucket(7).unwrap(),
        (&y).into(),
    );
}

#[test]
fn elias_decoder_rejects_levels_above_s_and_gaps_past_d() {
    let q = Qsgd::elias(4, 2).unwrap();
    let norm = u64::from(1.0f32.to_bits());
    let mut w = bitcodec::BitWriter::new();
    w.write_bits(norm, 32).unwrap();
    bitcodec::EliasGamma::encode(&mut w, 1).unwrap(); // position 1
    w.write_bit(false).unwrap();
    bitcodec::EliasGamma::encode(&mut w, 3).unwrap(); // level 3 > s = 2
    let msg = w.finish();
    let mut out = [0.0; 4];
    assert!(matches!(
        q.decode(&mut msg.reader(), &PublicState::new(0), &mut out),
        Err(QuantError::Corrupt(_))
    ));
    let mut w = bitcodec::BitWriter::new();
    w.write_bits(norm, 32).unwrap();
    bitcodec::EliasGamma::encode(&mut w, 6).unwrap(); // position 6 > d + 1
    assert!(matches!(
        q.decode(&mut w.finish().reader(), &PublicState::new(0), &mut out),
        Err(QuantError::Corrupt(_))
    ));
}

#[test]
fn bad_input_and_parameters_are_typed_errors() {
    assert_bad_input_is_rejected(&Qsgd::new(5, 2).unwrap());
    assert_bad_input_is_rejected(&Qsgd::elias(5, 2).unwrap());
    assert!(matches!(
        Qsgd::new(0, 2),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        Qsgd::new(5, 0),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        Qsgd::new(5, 2).unwrap().with_bucket(0),
        Err(QuantError::InvalidParameter(_))
    ));
}

#[test]
fn names_carry_the_parameters() {
    assert_eq!(Qsgd::new(8, 2).unwrap().name(), "qsgd(s=2)");
    let q = Qsgd::elias(8, 2).unwrap().with_bucket(4).unwrap();
    assert_eq!(q.name(), "qsgd(s=2,bucket=4,elias)");
    assert_eq!(
        q.with_scalar_code(ScalarCode::F64).name(),
        "qsgd(s=2,bucket=4,elias,f64)"
    );
}

#[test]
fn messages_are_stable_for_a_seed() {
    // Pinned: a change here means the randomness or the wire format changed.
    let y = [0.5f32, -1.25, 2.0, 0.0, -0.75];
    let q = Qsgd::new(5, 2).unwrap();
    let msg = encode(&q, (&y).into(), &PublicState::new(1), 42);
    let elias = encode(
        &q.clone().with_coding(QsgdCoding::Elias),
        (&y).into(),
        &PublicState::new(1),
        42,
    );
    assert_eq!((msg.len(), msg.as_words()), (44, &[4111359645586][..]));
    assert_eq!((elias.len(), elias.as_words()), (46, &[64571614271378][..]));
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..24),
        len in 0usize..192,
    ) {
        for q in [Qsgd::new(9, 3).unwrap().with_bucket(4).unwrap(), Qsgd::elias(9, 3).unwrap()] {
            let _ = decode_arbitrary(&q, &bytes, len, 0);
        }
    }
}

#[test]
fn short_random_messages_are_rejected() {
    let q = Qsgd::new(9, 3).unwrap();
    let msg = BitString::from_bytes(&[0xff; 4], 31).unwrap();
    assert!(
        q.decode(&mut msg.reader(), &PublicState::new(0), &mut [0.0; 9])
            .is_err()
    );
}
