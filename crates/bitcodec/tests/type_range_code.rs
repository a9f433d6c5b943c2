//! The range code of types: round trips, lengths within `ceil(log2 C(n + k - 1, k)) + 2` on
//! every small type and on random and extreme larger ones, big cases, streaming errors and
//! corrupted input.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use bitcodec::{
    BigUint, BitString, BitWriter, CodecError, TypeRangeCode, binomial, bits_for_count,
};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// `ceil(log2 C(n + k - 1, k))` from big integers.
fn exact_type_bits(n: u64, k: u64) -> usize {
    if n == 0 {
        return 0;
    }
    bits_for_count(&binomial(n - 1 + k, k))
}

/// Encodes `counts`, checks the length against the bound and the round trip, and returns
/// the codeword.
fn check_type(code: &TypeRangeCode, counts: &[u64]) -> BitString {
    let (n, k) = (code.symbols(), code.draws());
    let bits = exact_type_bits(n, k);
    let mut w = BitWriter::new();
    code.encode_counts(&mut w, counts).unwrap();
    let msg = w.finish();
    let len = msg.len();
    if bits == 0 {
        assert_eq!(len, 0, "n={n} k={k}: a single type takes no bits");
    } else {
        assert!(
            len <= bits + 2,
            "n={n} k={k}: {len} > {bits} + 2 ({counts:?})"
        );
        assert!(len + 1 >= bits, "n={n} k={k}: {len} < {bits} - 1");
    }
    assert!(len <= code.max_len());
    let mut r = msg.reader();
    let mut out = vec![u64::MAX; counts.len()];
    code.decode_counts(&mut r, &mut out).unwrap();
    assert_eq!(out, counts, "n={n} k={k}");
    assert!(r.is_exhausted());
    msg
}

/// Every count vector of length `n` summing to `k`, in lexicographic order.
fn all_types(n: usize, k: u64) -> Vec<Vec<u64>> {
    fn rec(left: u64, slots: usize, cur: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
        if slots == 1 {
            cur.push(left);
            out.push(cur.clone());
            cur.pop();
            return;
        }
        for c in 0..=left {
            cur.push(c);
            rec(left - c, slots - 1, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    if n == 0 {
        if k == 0 {
            out.push(Vec::new());
        }
        return out;
    }
    rec(k, n, &mut Vec::new(), &mut out);
    out
}

/// `k` draws from the distribution with weights `w`, as counts.
fn random_type(weights: &[f64], k: u64, rng: &mut ChaCha8Rng) -> Vec<u64> {
    let total: f64 = weights.iter().sum();
    let mut counts = vec![0u64; weights.len()];
    for _ in 0..k {
        let mut u = rng.random::<f64>() * total;
        let mut i = 0;
        while i + 1 < weights.len() && u >= weights[i] {
            u -= weights[i];
            i += 1;
        }
        counts[i] += 1;
    }
    counts
}

fn uniform_type(n: usize, k: u64, rng: &mut ChaCha8Rng) -> Vec<u64> {
    let mut counts = vec![0u64; n];
    for _ in 0..k {
        counts[rng.random_range(0..n)] += 1;
    }
    counts
}

/// `ln Gamma(x)` for `x >= 10` by Stirling's series (error below `1e-12` absolute).
fn ln_gamma(x: f64) -> f64 {
    let x2 = x * x;
    (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x2)
        + 1.0 / (1260.0 * x * x2 * x2)
}

/// `log2 C(N, k)` from log-gamma, for `k, N - k >= 10`.
fn log2_binomial_lgamma(big_n: f64, k: f64) -> f64 {
    (ln_gamma(big_n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(big_n - k + 1.0)) / std::f64::consts::LN_2
}

#[test]
fn every_small_type_round_trips_within_two_bits_of_the_enumerative_length() {
    for n in 0..=7usize {
        for k in 0..=7u64 {
            if n == 0 && k > 0 {
                continue;
            }
            let code = TypeRangeCode::new(n as u64, k).unwrap();
            let types = all_types(n, k);
            if n > 0 {
                assert_eq!(BigUint::from(types.len()), binomial(n as u64 - 1 + k, k));
            }
            for counts in &types {
                check_type(&code, counts);
            }
        }
    }
}

#[test]
fn small_codewords_are_prefix_free() {
    // What lets a decoder read past the end of a codeword: no codeword is a prefix of another.
    let code = TypeRangeCode::new(5, 6).unwrap();
    let words: Vec<BitString> = all_types(5, 6)
        .iter()
        .map(|c| check_type(&code, c))
        .collect();
    for (i, a) in words.iter().enumerate() {
        for (j, b) in words.iter().enumerate() {
            if i != j && a.len() <= b.len() {
                let is_prefix = (0..a.len()).all(|t| a.get(t) == b.get(t));
                assert!(!is_prefix, "codeword {i} is a prefix of codeword {j}");
            }
        }
    }
}

#[test]
fn a_codeword_followed_by_other_bits_decodes_the_same_and_stops_at_its_end() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let code = TypeRangeCode::new(40, 70).unwrap();
    for _ in 0..200 {
        let counts = uniform_type(40, 70, &mut rng);
        let msg = code.encoded_len(&counts).unwrap();
        let mut w = BitWriter::new();
        code.encode_counts(&mut w, &counts).unwrap();
        let tail: u64 = rng.random();
        w.write_bits(tail, 64).unwrap();
        let all = w.finish();
        let mut r = all.reader();
        let mut out = vec![0; 40];
        code.decode_counts(&mut r, &mut out).unwrap();
        assert_eq!(out, counts);
        assert_eq!(r.position(), msg);
        assert_eq!(r.read_bits(64).unwrap(), tail);
    }
}

#[test]
fn random_types_stay_within_the_bound_across_sizes() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for (n, k) in [
        (2usize, 1000u64),
        (3, 5000),
        (10, 10),
        (100, 100),
        (100, 7),
        (7, 100),
        (1000, 1000),
        (5000, 50),
        (50, 5000),
        (3000, 3000),
    ] {
        let code = TypeRangeCode::new(n as u64, k).unwrap();
        let skew: Vec<f64> = (0..n).map(|i| 1.0 / (1.0 + i as f64).powi(2)).collect();
        for _ in 0..20 {
            check_type(&code, &uniform_type(n, k, &mut rng));
            check_type(&code, &random_type(&skew, k, &mut rng));
        }
    }
}

#[test]
fn extreme_types_stay_within_the_bound() {
    for (n, k) in [
        (1usize, 0u64),
        (1, 9),
        (9, 0),
        (2, 1),
        (64, 64),
        (500, 2000),
        (2000, 500),
        (20_000, 3),
        (3, 20_000),
    ] {
        let code = TypeRangeCode::new(n as u64, k).unwrap();
        let mut cases = Vec::new();
        for at in [0, n / 2, n - 1] {
            let mut c = vec![0u64; n];
            c[at] = k;
            cases.push(c); // all draws on one symbol: first, middle, last
        }
        if k as usize <= n {
            // All distinct, at the front and at the back.
            let mut front = vec![0u64; n];
            front[..k as usize].fill(1);
            let mut back = vec![0u64; n];
            back[n - k as usize..].fill(1);
            cases.push(front);
            cases.push(back);
        }
        if n >= 2 && k >= 1 {
            // One draw on the last symbol, the rest on the first.
            let mut c = vec![0u64; n];
            c[0] = k - 1;
            c[n - 1] += 1;
            cases.push(c);
        }
        for c in &cases {
            check_type(&code, c);
        }
    }
}

#[test]
fn max_len_is_the_enumerative_length_plus_two() {
    for (n, k) in [
        (1u64, 0u64),
        (1, 5),
        (5, 0),
        (2, 1),
        (2, 3), // C = 4: an exact power of two
        (2, 1023),
        (4, 3),
        (100, 100),
        (1000, 1000),
        (2049, 2048), // about 4094 bits: the big-integer side of the switch
        (2100, 2100), // about 4196 bits: the floating-point side
        (3000, 3000),
        (20_000, 700),
        (700, 20_000),
    ] {
        let code = TypeRangeCode::new(n, k).unwrap();
        let bits = exact_type_bits(n, k);
        let expected = if bits == 0 { 0 } else { bits + 2 };
        assert_eq!(code.max_len(), expected, "n={n} k={k}");
    }
}

#[test]
fn the_stated_loss_bound_is_far_below_a_bit() {
    let big = TypeRangeCode::new(1 << 20, 1 << 20).unwrap();
    assert!(big.loss_bound_bits() < 2f64.powi(-27));
    // Near the largest size (2^40 decisions), with k dominating the bound.
    let n = (1u64 << 20) + 1;
    let largest = TypeRangeCode::new(n, (1 << 40) - (n - 1)).unwrap();
    assert!(largest.loss_bound_bits() < 0.01);
}

#[test]
fn two_to_the_twenty_draws_over_two_to_the_twenty_symbols_round_trip() {
    let n = 1usize << 20;
    let k = 1u64 << 20;
    let code = TypeRangeCode::new(n as u64, k).unwrap();
    let estimate = log2_binomial_lgamma((n as u64 - 1 + k) as f64, k as f64);
    // max_len = ceil(log2 C) + 2, and the estimate is good to far better than 1e-3.
    assert!((code.max_len() as f64 - 2.0 - estimate).abs() < 1.0 + 1e-3);
    let mut rng = ChaCha8Rng::seed_from_u64(20);
    let counts = uniform_type(n, k, &mut rng);
    let msg = {
        let mut w = BitWriter::new();
        code.encode_counts(&mut w, &counts).unwrap();
        w.finish()
    };
    let slack = code.loss_bound_bits() + 1e-3;
    let len = msg.len() as f64;
    assert!(len < estimate + slack + 2.0, "{len} vs log2 C = {estimate}");
    assert!(len > estimate - slack, "{len} vs log2 C = {estimate}");
    let mut out = vec![0u64; n];
    code.decode_counts(&mut msg.reader(), &mut out).unwrap();
    assert!(out == counts);
}

#[test]
fn big_extreme_types_round_trip_within_the_bound() {
    let n = 1usize << 20;
    let k = 1u64 << 20;
    let code = TypeRangeCode::new(n as u64, k).unwrap();
    let estimate = log2_binomial_lgamma((n as u64 - 1 + k) as f64, k as f64);
    for at in [0, n - 1] {
        let mut counts = vec![0u64; n];
        counts[at] = k;
        let mut w = BitWriter::new();
        code.encode_counts(&mut w, &counts).unwrap();
        let msg = w.finish();
        assert!((msg.len() as f64) < estimate + 2.0 + 1e-3);
        let mut out = vec![0u64; n];
        code.decode_counts(&mut msg.reader(), &mut out).unwrap();
        assert!(out == counts);
    }
}

#[test]
fn the_largest_k_over_two_symbols_round_trips() {
    // n - 1 + k = 2^40 decisions at most; only count + 1 of them are coded.
    let k = (1u64 << 40) - 1;
    let code = TypeRangeCode::new(2, k).unwrap();
    assert_eq!(code.max_len(), 40 + 2);
    for first in [0, 1, 5] {
        let counts = [first, k - first];
        check_type(&code, &counts);
    }
}

#[test]
fn sizes_past_two_to_the_forty_decisions_are_rejected() {
    assert!(TypeRangeCode::new(0, 1).is_err());
    assert!(TypeRangeCode::new(0, 0).is_ok());
    assert!(TypeRangeCode::new((1 << 40) + 1, 0).is_ok());
    assert!(TypeRangeCode::new((1 << 40) + 2, 0).is_err());
    assert!(TypeRangeCode::new(2, 1 << 40).is_err());
    assert!(TypeRangeCode::new(u64::MAX, u64::MAX).is_err());
}

#[test]
fn a_pinned_type_gives_a_pinned_codeword() {
    // Any change to the split arithmetic changes these.
    let code = TypeRangeCode::new(4, 3).unwrap();
    let mut w = BitWriter::new();
    code.encode_counts(&mut w, &[2, 0, 0, 1]).unwrap();
    let msg = w.finish();
    assert_eq!((msg.len(), msg.as_words()[0]), PINNED_SMALL);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let code = TypeRangeCode::new(300, 200).unwrap();
    let counts = uniform_type(300, 200, &mut rng);
    let mut w = BitWriter::new();
    code.encode_counts(&mut w, &counts).unwrap();
    let msg = w.finish();
    let fold = msg
        .as_words()
        .iter()
        .fold(0u64, |h, &x| h.rotate_left(7) ^ x);
    assert_eq!((msg.len(), fold), PINNED_LARGE);
}

// **|||* has probability 1/2 * 2/5 * 3/4 * 2/3 * 1/2 = 1/20: the interval [0.15, 0.2), which
// holds [5/32, 6/32): the bits 00101, first bit in bit 0.
const PINNED_SMALL: (usize, u64) = (5, 0b10100);
const PINNED_LARGE: (usize, u64) = (481, 18_378_398_754_634_056_820);

#[test]
fn wrong_lengths_and_sums_are_input_errors_that_write_nothing() {
    let code = TypeRangeCode::new(3, 4).unwrap();
    let mut w = BitWriter::new();
    for bad in [
        &[1u64, 3][..],
        &[1, 1, 1, 1],
        &[1, 1, 1],
        &[5, 0, 0],
        &[0, 0, 5],
    ] {
        assert!(matches!(
            code.encode_counts(&mut w, bad),
            Err(CodecError::InvalidInput(_))
        ));
        assert!(w.is_empty());
    }
}

#[test]
fn the_output_buffer_must_have_one_slot_per_symbol() {
    let code = TypeRangeCode::new(3, 4).unwrap();
    let mut w = BitWriter::new();
    code.encode_counts(&mut w, &[1, 1, 2]).unwrap();
    let msg = w.finish();
    for len in [2, 4] {
        let mut out = vec![0u64; len];
        assert!(matches!(
            code.decode_counts(&mut msg.reader(), &mut out),
            Err(CodecError::InvalidInput(_))
        ));
    }
}

#[test]
fn a_code_over_budget_is_an_error_and_writes_nothing() {
    let code = TypeRangeCode::new(30, 30).unwrap();
    let counts = vec![1u64; 30];
    let len = code.encoded_len(&counts).unwrap();
    let mut w = BitWriter::with_capacity(len - 1);
    assert!(matches!(
        code.encode_counts(&mut w, &counts),
        Err(CodecError::BudgetExceeded { .. })
    ));
    assert!(w.is_empty());
    let mut w = BitWriter::with_capacity(len);
    code.encode_counts(&mut w, &counts).unwrap();
}

#[test]
fn truncated_codes_are_errors_or_shorter_valid_types() {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let code = TypeRangeCode::new(60, 90).unwrap();
    for _ in 0..30 {
        let counts = uniform_type(60, 90, &mut rng);
        let mut w = BitWriter::new();
        code.encode_counts(&mut w, &counts).unwrap();
        let msg = w.finish();
        for cut in 0..msg.len() {
            let short = BitString::from_words(msg.as_words().to_vec(), cut).unwrap();
            let mut r = short.reader();
            let mut out = vec![0u64; 60];
            match code.decode_counts(&mut r, &mut out) {
                Err(CodecError::UnexpectedEnd { .. }) => {}
                Err(e) => panic!("unexpected error {e}"),
                Ok(()) => {
                    // Then the bits read form the complete codeword of the type decoded.
                    assert_eq!(out.iter().sum::<u64>(), 90);
                    assert!(r.position() <= cut);
                    assert_eq!(r.position(), code.encoded_len(&out).unwrap());
                }
            }
        }
    }
}

#[test]
fn the_all_ones_pattern_is_an_invalid_codeword() {
    let code = TypeRangeCode::new(3, 3).unwrap();
    let msg = BitString::from_words(vec![u64::MAX, u64::MAX], 128).unwrap();
    let mut out = [0u64; 3];
    assert!(matches!(
        code.decode_counts(&mut msg.reader(), &mut out),
        Err(CodecError::InvalidCodeword(_))
    ));
}

proptest! {
    #[test]
    fn random_types_round_trip(n in 1usize..40, k in 0u64..200, seed in any::<u64>()) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let code = TypeRangeCode::new(n as u64, k).unwrap();
        let counts = uniform_type(n, k, &mut rng);
        check_type(&code, &counts);
    }

    #[test]
    fn decoding_random_bytes_gives_a_valid_type_or_an_error(
        bytes in proptest::collection::vec(any::<u8>(), 0..40),
        n in 1usize..30,
        k in 0u64..60,
    ) {
        let code = TypeRangeCode::new(n as u64, k).unwrap();
        let msg = BitString::from_bytes(&bytes, bytes.len() * 8).unwrap();
        let mut r = msg.reader();
        let mut out = vec![0u64; n];
        match code.decode_counts(&mut r, &mut out) {
            Ok(()) => {
                prop_assert_eq!(out.iter().sum::<u64>(), k);
                prop_assert!(r.position() <= code.max_len());
                prop_assert_eq!(r.position(), code.encoded_len(&out).unwrap());
            }
            Err(CodecError::UnexpectedEnd { .. } | CodecError::InvalidCodeword(_)) => {}
            Err(e) => prop_assert!(false, "unexpected error {}", e),
        }
    }
}
