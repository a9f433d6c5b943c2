//! The split quantizer for p in [1, 2): Theorem 3.1's Delta_1, Delta_2 and threshold, bits
//! against the paper's count, unbiasedness, E||Q(Y)||_q^2 <= 12 B^2, the stated mse, range
//! errors and corrupted messages.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::paper::SplitLp;
use quantizers::{PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn lq(x: &[f64], q: f64) -> f64 {
    if q.is_infinite() {
        return x.iter().fold(0.0, |m, v| m.max(v.abs()));
    }
    x.iter().map(|v| v.abs().powf(q)).sum::<f64>().powf(1.0 / q)
}

fn conjugate(p: f64) -> f64 {
    if p == 1.0 {
        f64::INFINITY
    } else {
        p / (p - 1.0)
    }
}

/// A random vector with `||y||_q = b` and a few coordinates far above the threshold.
fn random_with_spikes(d: usize, q: f64, b: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    let mut y: Vec<f64> = (0..d).map(|_| rng.random_range(-0.1..0.1)).collect();
    for i in 0..3 {
        y[(i * 7) % d] = if i % 2 == 0 { 1.0 } else { -1.0 };
    }
    let n = lq(&y, q);
    y.iter().map(|v| v * b / n).collect()
}

fn one_hot(d: usize, b: f64) -> Vec<f64> {
    let mut y = vec![0.0; d];
    y[1] = -b;
    y
}

fn flat(d: usize, q: f64, b: f64) -> Vec<f64> {
    let v = if q.is_infinite() {
        b
    } else {
        b / (d as f64).powf(1.0 / q)
    };
    (0..d).map(|i| if i % 3 == 0 { -v } else { v }).collect()
}

/// Average of `||Q(y)||_q^2` over `n` trials, with its standard error.
fn second_moment_q(qz: &SplitLp, y: &[f64], n: usize, seed: u64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut s, mut s2) = (0.0, 0.0);
    let mut out = vec![0.0; y.len()];
    for t in 0..n {
        let state = PublicState::new(seed).with_round(t as u64);
        let mut w = BitWriter::new();
        qz.encode(y.into(), &state, &mut rng, &mut w).unwrap();
        qz.decode(&mut w.finish().reader(), &state, &mut out)
            .unwrap();
        let v = lq(&out, qz.q()).powi(2);
        s += v;
        s2 += v * v;
    }
    let mean = s / n as f64;
    (mean, ((s2 / n as f64 - mean * mean) / n as f64).sqrt())
}

fn ln_star(mut a: f64) -> u32 {
    let mut n = 0;
    while a > 1.0 {
        a = a.ln();
        n += 1;
    }
    n
}

#[test]
fn parameters_follow_theorem_3_1() {
    for d in [4usize, 16, 100, 1000, 65_536] {
        for p in [1.0, 1.25, 1.5, 1.9] {
            let q = SplitLp::new(d, 2.0, p).unwrap();
            let inv_q = 1.0 - 1.0 / p;
            let df = d as f64;
            let delta2 = (1.0 + f64::from(ln_star(df / 3.0))).log2().ceil();
            let delta1 = (2.0 + (18.0 + 6.0 * delta2.max(1.0).ln()).sqrt() * df.powf(0.5 - inv_q))
                .log2()
                .ceil();
            assert_eq!(f64::from(q.delta2()), delta2, "d={d} p={p}");
            assert_eq!(f64::from(q.delta1()), delta1, "d={d} p={p}");
            let c = 2.0 * delta1.powf(inv_q) / df.powf(inv_q);
            assert!((q.threshold() - c).abs() < 1e-12 * c);
            // CUQ: log2(k1 + 1) = ceil(log2(2 sqrt2 Delta_1^{1/q} + 2)), M = c.
            let b1 = (2.0 * 2f64.sqrt() * delta1.powf(inv_q) + 2.0).log2().ceil();
            assert_eq!(q.small().levels() + 1, 1u64 << b1 as u32);
            assert!((q.small().range() - c).abs() < 1e-12 * c);
            // RATQ: B' = B d^{1/2 - 1/q}, log2(k2 + 1) = Delta_1, at most d/Delta_1 coordinates.
            let large = q.large();
            assert!((large.bound() - 2.0 * df.powf(0.5 - inv_q)).abs() < 1e-9 * large.bound());
            assert_eq!(large.levels() + 1, 1u64 << delta1 as u32);
            assert_eq!(large.dim(), (d / delta1 as usize).max(1));
        }
    }
}

#[test]
fn bits_written_equal_the_declared_cost() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (d, p) in [(33usize, 1.5), (100, 1.2), (64, 1.0)] {
        let q = SplitLp::new(d, 1.0, p).unwrap();
        let expected =
            d + q.small().bit_cost().exact().unwrap() + q.large().bit_cost().exact().unwrap();
        assert_eq!(q.bit_cost().exact(), Some(expected));
        let y = random_with_spikes(d, conjugate(p), 1.0, &mut rng);
        check::measure(&q, (&y).into(), 30, 1)
            .unwrap()
            .assert_bits_match_cost(&q)
            .unwrap();
    }
}

#[test]
fn bits_are_within_the_papers_count_up_to_rotation_padding() {
    // The paper's d(ceil(log2(2 sqrt2 Delta_1^{1/q} + 2)) + 3) + Delta_2 assumes the RATQ
    // dimension d/Delta_1 needs no padding; padding it to a power of two is the only excess.
    for p in [1.0, 1.3, 1.5, 1.8, 1.99] {
        for d in 1..3000usize {
            let q = SplitLp::new(d, 1.0, p).unwrap();
            if d < q.delta1() as usize {
                continue; // d/Delta_1 < 1: the RATQ part still has one coordinate
            }
            let bits = q.bit_cost().exact().unwrap() as f64;
            let paper = q.paper_bits().unwrap();
            let large = q.large();
            let padding = large.bit_cost().exact().unwrap() as f64
                * (large.padded_dim() - large.dim()) as f64
                / large.padded_dim() as f64;
            assert!(
                bits <= paper + padding,
                "d={d} p={p}: {bits} > {paper} + {padding}"
            );
            if large.dim().is_power_of_two() {
                assert!(bits <= paper, "d={d} p={p}: {bits} > {paper}");
            }
        }
    }
}

#[test]
fn unbiased_with_small_and_large_coordinates() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for p in [1.5, 1.2] {
        let q = SplitLp::new(24, 1.0, p).unwrap();
        let y = random_with_spikes(24, conjugate(p), 1.0, &mut rng);
        assert!(y.iter().filter(|v| v.abs() > q.threshold()).count() >= 3);
        let m = check::measure(&q, (&y).into(), 20_000, 2).unwrap();
        m.assert_unbiased(5.0).unwrap();
    }
}

#[test]
fn lq_second_moment_is_within_12_b_squared() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    for p in [1.0, 1.5, 1.9] {
        let q_exp = conjugate(p);
        let q = SplitLp::new(64, 2.0, p).unwrap();
        assert!((q.alpha0_q() - 12f64.sqrt() * 2.0).abs() < 1e-12);
        for y in [
            one_hot(64, 2.0),
            flat(64, q_exp, 2.0),
            random_with_spikes(64, q_exp, 2.0, &mut rng),
        ] {
            let (m, se) = second_moment_q(&q, &y, 2000, 4);
            assert!(
                m <= 12.0 * 4.0 + 5.0 * se,
                "p={p}: E||Q||_q^2 = {m} (se {se})"
            );
        }
    }
}

#[test]
fn mse_is_within_the_stated_bound() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    for p in [1.0, 1.5] {
        let q_exp = conjugate(p);
        let q = SplitLp::new(40, 1.0, p).unwrap();
        for y in [
            one_hot(40, 1.0),
            flat(40, q_exp, 1.0),
            random_with_spikes(40, q_exp, 1.0, &mut rng),
        ] {
            let m = check::measure(&q, (&y).into(), 3000, 5).unwrap();
            m.assert_within_stated_mse(&q, 5.0).unwrap();
        }
    }
}

#[test]
fn with_p_1_no_coordinate_is_large() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let q = SplitLp::new(32, 1.5, 1.0).unwrap();
    assert_eq!(q.q(), f64::INFINITY);
    assert_eq!(q.threshold(), 1.5); // c = B: ||Y||_inf <= B
    let y: Vec<f64> = (0..32).map(|_| rng.random_range(-1.5..=1.5)).collect();
    let m = check::measure(&q, (&y).into(), 5000, 6).unwrap();
    m.assert_unbiased(5.0).unwrap();
    // Only CUQ's rounding is left: the stated bound is exact.
    let exact = q.mse_bound(&y).unwrap();
    assert!(
        (m.mse - exact).abs() <= 5.0 * m.mse_std_error,
        "{} vs {exact}",
        m.mse
    );
}

#[test]
fn lq_norm_above_b_is_an_error_and_writes_nothing() {
    let q = SplitLp::new(8, 1.0, 1.5).unwrap(); // q = 3
    let mut w = BitWriter::new();
    let y = [0.8, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]; // ||y||_3 = 1.008
    assert!(matches!(
        q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w),
        Err(QuantError::OutOfRange { .. })
    ));
    assert!(w.is_empty());
    assert_eq!(q.mse_bound(&y), None);
}

#[test]
fn non_finite_input_wrong_dimension_and_bad_parameters_are_errors() {
    let q = SplitLp::new(3, 1.0, 1.5).unwrap();
    let s = PublicState::new(0);
    let mut w = BitWriter::new();
    assert!(matches!(
        q.encode(
            (&[0.0f32, 0.0, f32::NAN]).into(),
            &s,
            &mut rand::rng(),
            &mut w
        ),
        Err(QuantError::NonFinite { index: 2 })
    ));
    assert!(matches!(
        q.encode((&[0.0f64; 2]).into(), &s, &mut rand::rng(), &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
    assert!(SplitLp::new(0, 1.0, 1.5).is_err());
    assert!(SplitLp::new(3, 0.0, 1.5).is_err());
    assert!(SplitLp::new(3, 1.0, 2.0).is_err()); // p >= 2 is SimQ+'s
    assert!(SplitLp::new(3, 1.0, 0.9).is_err());
    assert!(SplitLp::new(3, 1.0, f64::NAN).is_err());
    assert!(SplitLp::new(usize::MAX, 1.0, 1.5).is_err());
}

#[test]
fn a_message_over_budget_is_an_error_and_writes_nothing() {
    let q = SplitLp::new(16, 1.0, 1.5).unwrap();
    let mut w = BitWriter::with_capacity(q.bit_cost().exact().unwrap() - 1);
    assert!(matches!(
        q.encode(
            (&one_hot(16, 1.0)).into(),
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
    let q = SplitLp::new(16, 1.0, 1.5).unwrap();
    let state = PublicState::new(0);
    let mut w = BitWriter::new();
    q.encode((&one_hot(16, 1.0)).into(), &state, &mut rand::rng(), &mut w)
        .unwrap();
    let msg = w.finish();
    for len in [0, 15, 17, msg.len() - 1] {
        let cut = BitString::from_words(msg.as_words().to_vec(), len).unwrap();
        assert!(q.decode(&mut cut.reader(), &state, &mut [0.0; 16]).is_err());
    }
}

#[test]
fn a_mask_with_more_large_coordinates_than_possible_is_corrupt() {
    let q = SplitLp::new(16, 1.0, 1.5).unwrap(); // at most 16/Delta_1 = 4 large
    let msg = BitString::from_words(vec![u64::MAX; 8], q.bit_cost().exact().unwrap()).unwrap();
    assert!(matches!(
        q.decode(&mut msg.reader(), &PublicState::new(0), &mut [0.0; 16]),
        Err(QuantError::Corrupt(_))
    ));
}

proptest! {
    #[test]
    fn decoding_random_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..16), len in 0usize..128) {
        let q = SplitLp::new(12, 1.0, 1.5).unwrap();
        let len = len.min(bytes.len() * 8);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let mut out = [0.0; 12];
        let result = q.decode(&mut msg.reader(), &PublicState::new(1), &mut out);
        if len < q.bit_cost().exact().unwrap() {
            prop_assert!(result.is_err());
        }
        if result.is_ok() {
            prop_assert!(out.iter().all(|v| v.is_finite()));
        }
    }
}
