//! Top-k, rand-k and perm-k: which coordinates are kept, exact bits, public coins,
//! unbiasedness and variance, perm-k's exact average, budgets and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod baseline_common;

use baseline_common::*;
use bitcodec::BitWriter;
use proptest::prelude::*;
use quantizers::{
    BitCost, PublicState, QuantError, Quantizer, ScalarCode, VarianceBound,
    baselines::{PermK, RandK, TopK},
    check,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Indices of the `k` largest `|y_i|`, ties to the lower index, by a full sort.
fn reference_top_k(y: &[f64], k: usize) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| y[b].abs().total_cmp(&y[a].abs()).then(a.cmp(&b)));
    let mut top = idx[..k].to_vec();
    top.sort_unstable();
    top
}

fn support(out: &[f64]) -> Vec<usize> {
    (0..out.len()).filter(|&i| out[i] != 0.0).collect()
}

#[test]
fn top_k_keeps_exactly_the_k_largest_magnitudes() {
    let q = TopK::new(200, 17)
        .unwrap()
        .with_scalar_code(ScalarCode::F64);
    for seed in 0..10 {
        let y = gaussian(200, seed);
        let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
        let top = reference_top_k(&y, 17);
        assert_eq!(support(&out), top);
        for &i in &top {
            assert_eq!(out[i], y[i]);
        }
    }
}

#[test]
fn top_k_breaks_ties_by_the_lower_index() {
    let q = TopK::new(6, 3).unwrap();
    let y = [1.0f32, -2.0, 2.0, 1.0, -2.0, 1.0];
    let (out, _) = roundtrip(&q, (&y).into(), &PublicState::new(0), 0);
    assert_eq!(out, vec![0.0, -2.0, 2.0, 0.0, -2.0, 0.0]);
    let (out, _) = roundtrip(
        &TopK::new(6, 4).unwrap(),
        (&y).into(),
        &PublicState::new(0),
        0,
    );
    assert_eq!(out, vec![1.0, -2.0, 2.0, 0.0, -2.0, 0.0]);
}

#[test]
fn top_k_messages_are_the_subset_rank_then_the_values() {
    // C(20, 3) = 1140 subsets: 11 bits.
    assert_eq!(
        TopK::new(20, 3).unwrap().bit_cost(),
        BitCost::Exact(11 + 3 * 32)
    );
    assert_eq!(
        TopK::new(20, 20).unwrap().bit_cost(),
        BitCost::Exact(20 * 32)
    );
    let q = TopK::new(20, 3).unwrap().with_scalar_code(ScalarCode::F64);
    assert_eq!(q.bit_cost(), BitCost::Exact(11 + 3 * 64));
    let paper = q.paper_bits().unwrap();
    assert!((paper - (96.0 + 1140f64.log2())).abs() < 1e-9);
    // The exact code is the paper's count rounded up once.
    let f32_bits = TopK::new(20, 3).unwrap().bit_cost().exact().unwrap() as f64;
    assert_eq!(f32_bits, (96.0 + 1140f64.log2()).ceil());
}

#[test]
fn top_k_error_is_the_dropped_mass_within_one_minus_k_over_d() {
    let d = 30;
    let q = TopK::new(d, 6).unwrap();
    for y in [one_hot(d, 4, 3.0), flat(d, 0.5), gaussian(d, 11)] {
        let m = check::measure(&q, (&y).into(), 3, 1).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
        m.assert_within_stated_mse(&q, 0.0).unwrap();
        m.assert_mse_at_most(q.variance().mse_bound(&y).unwrap(), 0.0)
            .unwrap();
        let kept: f64 = reference_top_k(&y, 6).iter().map(|&i| y[i] * y[i]).sum();
        assert!((m.mse - (norm2(&y) - kept)).abs() <= 1e-6 * norm2(&y));
    }
    // Flat vectors attain the contraction bound.
    let exact = q.with_scalar_code(ScalarCode::F64);
    let y = flat(d, 0.5);
    let m = check::measure(&exact, (&y).into(), 1, 1).unwrap();
    assert!((m.mse - (1.0 - 6.0 / 30.0) * norm2(&y)).abs() < 1e-12);
    assert_eq!(exact.variance(), VarianceBound::Contractive { alpha: 0.2 });
}

#[test]
fn top_k_of_zero_vector_is_zero() {
    let (out, _) = roundtrip(
        &TopK::new(5, 2).unwrap(),
        (&[0.0f64; 5]).into(),
        &PublicState::new(0),
        0,
    );
    assert_eq!(out, vec![0.0; 5]);
}

#[test]
fn rand_k_is_unbiased_with_omega_d_over_k_minus_one() {
    let d = 12;
    let q = RandK::new(d, 3).unwrap();
    for y in [one_hot(d, 0, -1.5), flat(d, 2.0), gaussian(d, 12)] {
        let m = check::measure(&q, (&y).into(), 20_000, 2).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
        m.assert_unbiased(5.0).unwrap();
        m.assert_within_stated_mse(&q, 5.0).unwrap();
        assert_mse_near(&m, 3.0 * norm2(&y), 5.0); // exactly (d/k - 1)||y||^2
    }
    assert_eq!(q.bit_cost(), BitCost::Exact(3 * 32));
}

#[test]
fn rand_k_sends_f32_values_exactly_scaled_by_d_over_k() {
    let y: Vec<f32> = gaussian(10, 13).iter().map(|&v| v as f32).collect();
    let q = RandK::new(10, 4).unwrap();
    let state = PublicState::new(3).with_round(5);
    let (out, bits) = roundtrip(&q, (&y).into(), &state, 0);
    assert_eq!(bits, 4 * 32);
    let mut kept = q.selection(&state);
    kept.sort_unstable();
    assert_eq!(support(&out), kept);
    for i in kept {
        assert_eq!(out[i], 2.5 * f64::from(y[i]));
    }
}

#[test]
fn rand_k_indices_come_from_the_rounds_public_coins() {
    let q = RandK::new(1000, 10).unwrap();
    let state = PublicState::new(1).with_round(4);
    assert_eq!(q.selection(&state), q.selection(&state));
    assert_ne!(q.selection(&state), q.selection(&state.with_round(5)));
    assert_ne!(q.selection(&state), q.selection(&state.with_worker(1)));
    // The decoder follows the coins of the state it is given, not of the encoder.
    let y = vec![1.0f64; 1000];
    let msg = encode(&q, (&y).into(), &state, 0);
    let mut out = vec![0.0; 1000];
    q.decode(&mut msg.reader(), &state.with_round(5), &mut out)
        .unwrap();
    let mut other = q.selection(&state.with_round(5));
    other.sort_unstable();
    assert_eq!(support(&out), other);
}

#[test]
fn rand_k_with_k_equal_to_d_is_lossless_for_f32_input() {
    let y: Vec<f32> = gaussian(8, 14).iter().map(|&v| v as f32).collect();
    let (out, _) = roundtrip(
        &RandK::new(8, 8).unwrap(),
        (&y).into(),
        &PublicState::new(0),
        0,
    );
    let expected: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
    assert_eq!(out, expected);
}

#[test]
fn rand_k_rejects_values_whose_scaled_output_overflows() {
    let q = RandK::new(4, 1).unwrap().with_scalar_code(ScalarCode::F64);
    let y = [f64::MAX; 4];
    let mut w = BitWriter::new();
    let err = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(err, Err(QuantError::OutOfRange { .. })));
}

/// Per-coordinate mean error and its standard error for one worker of perm-k.
fn perm_k_worker_bias(q: &PermK, y: &[f64], worker: u32, trials: u64) -> (Vec<f64>, Vec<f64>) {
    let d = y.len();
    let (mut sum, mut sum_sq) = (vec![0.0; d], vec![0.0; d]);
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut w = BitWriter::new();
    let mut out = vec![0.0; d];
    for t in 0..trials {
        let state = PublicState::new(21).with_round(t).with_worker(worker);
        w.reset(None);
        q.encode(y.into(), &state, &mut rng, &mut w).unwrap();
        q.decode(&mut w.to_bitstring().reader(), &state, &mut out)
            .unwrap();
        for i in 0..d {
            let e = out[i] - y[i];
            sum[i] += e;
            sum_sq[i] += e * e;
        }
    }
    let n = trials as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let se = sum_sq
        .iter()
        .zip(&mean)
        .map(|(s2, m)| ((s2 / n - m * m) / (n - 1.0)).sqrt())
        .collect();
    (mean, se)
}

#[test]
fn perm_k_is_unbiased_for_every_worker_when_n_does_not_divide_d() {
    // d = 7, n = 3: blocks of 3, 2, 2; the worker permutation evens them out.
    let y = gaussian(7, 15);
    let q = PermK::new(7, 3).unwrap();
    for worker in 0..3 {
        let (mean, se) = perm_k_worker_bias(&q, &y, worker, 20_000);
        for i in 0..7 {
            assert!(
                mean[i].abs() <= 5.0 * se[i],
                "worker {worker}, coordinate {i}: {} (se {})",
                mean[i],
                se[i]
            );
        }
    }
}

#[test]
fn perm_k_variance_is_n_minus_one() {
    let y = gaussian(8, 16);
    let q = PermK::new(8, 4).unwrap();
    let m = check::measure(&q, (&y).into(), 20_000, 3).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    assert_mse_near(&m, 3.0 * norm2(&y), 5.0);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn perm_k_declares_each_workers_block_as_its_support() {
    let q = PermK::new(11, 4).unwrap();
    let y = gaussian(11, 18);
    let mut all = Vec::new();
    for worker in 0..4 {
        let state = PublicState::new(5).with_round(3).with_worker(worker);
        let support = q.support(&state).unwrap();
        let mut block = q.block(&state).unwrap();
        block.sort_unstable();
        assert_eq!(support, block);
        // The decoded message is zero off the support.
        let (out, _) = roundtrip(&q, (&y).into(), &state, u64::from(worker));
        assert!(
            out.iter()
                .enumerate()
                .all(|(j, v)| support.contains(&j) || *v == 0.0)
        );
        all.extend(support);
    }
    all.sort_unstable();
    assert_eq!(all, (0..11).collect::<Vec<_>>());
    assert_eq!(q.support(&PublicState::new(5).with_worker(4)), None);
}

#[test]
fn perm_k_workers_average_to_the_input_exactly() {
    let d = 23;
    let n = 5;
    let y: Vec<f32> = gaussian(d, 17).iter().map(|&v| v as f32).collect();
    let q = PermK::new(d, n).unwrap();
    for round in 0..20 {
        let mut sum = vec![0.0; d];
        let mut seen = vec![0; d];
        for worker in 0..n {
            let state = PublicState::new(2).with_round(round).with_worker(worker);
            let (out, bits) = roundtrip(&q, (&y).into(), &state, u64::from(worker));
            let block = q.block(&state).unwrap();
            assert!(block.len() == 4 || block.len() == 5);
            assert_eq!(bits, 32 * block.len());
            for j in block {
                seen[j] += 1;
            }
            for (s, o) in sum.iter_mut().zip(out) {
                *s += o;
            }
        }
        assert_eq!(seen, vec![1; d], "blocks partition the coordinates");
        let avg: Vec<f64> = sum.iter().map(|s| s / f64::from(n)).collect();
        let expected: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        assert_eq!(avg, expected);
    }
}

#[test]
fn perm_k_bits_are_exact_only_when_n_divides_d() {
    assert_eq!(
        PermK::new(12, 4).unwrap().bit_cost(),
        BitCost::Exact(3 * 32)
    );
    assert_eq!(
        PermK::new(13, 4).unwrap().bit_cost(),
        BitCost::AtMost(4 * 32)
    );
    let q = PermK::new(13, 4).unwrap();
    let m = check::measure(&q, (&gaussian(13, 18)).into(), 200, 4).unwrap();
    m.assert_bits_match_cost(&q).unwrap();
    assert_eq!((m.min_bits, m.max_bits), (3 * 32, 4 * 32));
}

#[test]
fn perm_k_rejects_workers_outside_the_group_and_too_many_workers() {
    let q = PermK::new(6, 3).unwrap();
    let state = PublicState::new(0).with_worker(3);
    let mut w = BitWriter::new();
    assert!(matches!(
        q.encode((&[1.0f64; 6]).into(), &state, &mut rand::rng(), &mut w),
        Err(QuantError::OutOfRange { .. })
    ));
    let msg = BitWriter::new().finish();
    assert!(q.decode(&mut msg.reader(), &state, &mut [0.0; 6]).is_err());
    assert!(matches!(
        PermK::new(2, 3),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        PermK::new(2, 0),
        Err(QuantError::InvalidParameter(_))
    ));
}

#[test]
fn invalid_k_is_a_typed_error() {
    for k in [0, 6] {
        assert!(matches!(
            TopK::new(5, k),
            Err(QuantError::InvalidParameter(_))
        ));
        assert!(matches!(
            RandK::new(5, k),
            Err(QuantError::InvalidParameter(_))
        ));
    }
    assert!(matches!(
        TopK::new(0, 0),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        RandK::new(0, 1),
        Err(QuantError::InvalidParameter(_))
    ));
}

#[test]
fn bad_input_is_a_typed_error() {
    assert_bad_input_is_rejected(&TopK::new(6, 2).unwrap());
    assert_bad_input_is_rejected(&RandK::new(6, 2).unwrap());
    assert_bad_input_is_rejected(&PermK::new(6, 2).unwrap());
}

#[test]
fn budget_overflow_is_an_error() {
    let y = gaussian(30, 19);
    assert_budget_overflow_is_an_error(&TopK::new(30, 5).unwrap(), (&y).into());
    assert_budget_overflow_is_an_error(&RandK::new(30, 5).unwrap(), (&y).into());
    assert_budget_overflow_is_an_error(&PermK::new(30, 4).unwrap(), (&y).into());
}

#[test]
fn truncated_messages_are_errors() {
    let y = gaussian(30, 20);
    assert_truncations_are_errors(&TopK::new(30, 5).unwrap(), (&y).into());
    assert_truncations_are_errors(&RandK::new(30, 5).unwrap(), (&y).into());
    assert_truncations_are_errors(&PermK::new(30, 4).unwrap(), (&y).into());
}

#[test]
fn names_carry_the_parameters() {
    assert_eq!(TopK::new(9, 2).unwrap().name(), "top-k(k=2)");
    assert_eq!(RandK::new(9, 2).unwrap().name(), "rand-k(k=2)");
    assert_eq!(PermK::new(9, 2).unwrap().name(), "perm-k(n=2)");
    assert_eq!(
        RandK::new(9, 2)
            .unwrap()
            .with_scalar_code(ScalarCode::F32Nearest)
            .name(),
        "rand-k(k=2,f32-nearest)"
    );
}

#[test]
fn messages_are_stable_for_a_seed() {
    // Pinned: a change here means the public coins or the wire format changed.
    let y = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0];
    let state = PublicState::new(5).with_round(1);
    let rand_k = encode(&RandK::new(6, 1).unwrap(), (&y).into(), &state, 0);
    let perm_k = encode(
        &PermK::new(6, 6).unwrap(),
        (&y).into(),
        &state.with_worker(2),
        0,
    );
    assert_eq!(rand_k.as_words(), &[u64::from(6.0f32.to_bits())]); // coordinate 5
    assert_eq!(perm_k.as_words(), &[u64::from(4.0f32.to_bits())]); // coordinate 3
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..40),
        len in 0usize..320,
        round in 0u64..4,
    ) {
        let _ = decode_arbitrary(&TopK::new(40, 5).unwrap(), &bytes, len, round);
        let _ = decode_arbitrary(&RandK::new(40, 5).unwrap(), &bytes, len, round);
        let _ = decode_arbitrary(&PermK::new(40, 7).unwrap(), &bytes, len, round);
    }
}
