//! Enumerative codes: ranks are bijections onto [0, C), lengths are exact, big cases round trip.

use bitcodec::{BitWriter, MultisetCode, SubsetCode, binomial, bits_for_count};
use num_bigint::BigUint;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// All k-subsets of {0..n-1} in lexicographic order.
fn subsets(n: u64, k: usize) -> Vec<Vec<u64>> {
    fn rec(start: u64, n: u64, k: usize, cur: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for x in start..n {
            cur.push(x);
            rec(x + 1, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(0, n, k, &mut Vec::new(), &mut out);
    out
}

#[test]
fn subset_ranks_are_a_bijection_onto_zero_to_count() {
    for n in 0..=12u64 {
        for k in 0..=n as usize {
            let code = SubsetCode::new(n, k as u64).unwrap();
            let all = subsets(n, k);
            assert_eq!(BigUint::from(all.len()), *code.count());
            let mut seen = vec![false; all.len()];
            for s in &all {
                let r = code.rank(s).unwrap();
                let idx: usize = r.try_into().unwrap();
                assert!(!seen[idx], "rank {idx} hit twice (n={n}, k={k})");
                seen[idx] = true;
                assert_eq!(&code.unrank(&BigUint::from(idx)).unwrap(), s);
            }
            assert!(seen.iter().all(|&b| b));
        }
    }
}

#[test]
fn subset_length_is_ceil_log2_of_binomial() {
    for (n, k) in [
        (1u64, 0u64),
        (1, 1),
        (2, 1),
        (10, 3),
        (64, 32),
        (1000, 17),
        (5000, 2500),
    ] {
        let code = SubsetCode::new(n, k).unwrap();
        let count = binomial(n, k);
        // ceil(log2 C) checked against the definition: 2^(len-1) < C <= 2^len.
        let len = code.len();
        assert_eq!(len, bits_for_count(&count));
        if count > BigUint::from(1u32) {
            assert!(BigUint::from(1u32) << (len - 1) < count);
            assert!(count <= BigUint::from(1u32) << len);
        } else {
            assert_eq!(len, 0);
        }
    }
}

#[test]
fn multiset_of_twenty_thousand_draws_over_twenty_thousand_symbols_round_trips() {
    let (n, k) = (20_000u64, 20_000u64);
    let code = MultisetCode::new(n, k).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut counts = vec![0u64; n as usize];
    for _ in 0..k {
        counts[rng.random_range(0..n as usize)] += 1;
    }
    let mut w = BitWriter::new();
    code.encode_counts(&mut w, &counts).unwrap();
    assert_eq!(w.len(), code.len());
    assert_eq!(code.len(), bits_for_count(&binomial(n + k - 1, k)));
    let msg = w.finish();
    let mut back = vec![0u64; n as usize];
    code.decode_counts(&mut msg.reader(), &mut back).unwrap();
    assert_eq!(back, counts);
}

#[test]
fn subset_of_half_of_twenty_thousand_round_trips() {
    let n = 20_000u64;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let subset: Vec<u64> = (0..n).filter(|_| rng.random_bool(0.5)).collect();
    let code = SubsetCode::new(n, subset.len() as u64).unwrap();
    let mut w = BitWriter::new();
    code.encode(&mut w, &subset).unwrap();
    assert_eq!(code.decode(&mut w.finish().reader()).unwrap(), subset);
}

/// All multisets of k draws over {0..n-1}, as non-decreasing lists, in lexicographic order.
fn multisets(n: u64, k: usize) -> Vec<Vec<u64>> {
    fn rec(start: u64, n: u64, k: usize, cur: &mut Vec<u64>, out: &mut Vec<Vec<u64>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for x in start..n {
            cur.push(x);
            rec(x, n, k, cur, out);
            cur.pop();
        }
    }
    let mut out = Vec::new();
    rec(0, n, k, &mut Vec::new(), &mut out);
    out
}

fn counts_of(draws: &[u64], n: u64) -> Vec<u64> {
    let mut counts = vec![0u64; n as usize];
    for &d in draws {
        counts[d as usize] += 1;
    }
    counts
}

#[test]
fn multiset_ranks_are_a_bijection_onto_zero_to_count() {
    for n in 1..=7u64 {
        for k in 0..=7usize {
            let code = MultisetCode::new(n, k as u64).unwrap();
            let all = multisets(n, k);
            assert_eq!(BigUint::from(all.len()), *code.count(), "n={n}, k={k}");
            let mut seen = vec![false; all.len()];
            for draws in &all {
                let r = code.rank(draws).unwrap();
                let idx: usize = r.clone().try_into().unwrap();
                assert!(!seen[idx], "rank {idx} hit twice (n={n}, k={k})");
                seen[idx] = true;
                assert_eq!(&code.unrank(&r).unwrap(), draws);
            }
            assert!(seen.iter().all(|&b| b));
        }
    }
}

#[test]
fn multiset_rank_of_counts_equals_rank_of_sorted_draws() {
    for n in 1..=6u64 {
        for k in 0..=6usize {
            let code = MultisetCode::new(n, k as u64).unwrap();
            for draws in multisets(n, k) {
                let counts = counts_of(&draws, n);
                let r = code.rank(&draws).unwrap();
                assert_eq!(code.rank_counts(&counts).unwrap(), r);
                let mut back = vec![0u64; n as usize];
                code.unrank_counts(&r, &mut back).unwrap();
                assert_eq!(back, counts);
            }
        }
    }
}

#[test]
fn multiset_codewords_are_their_ranks_in_binary() {
    // The message is the rank, least significant bit first, in exactly len bits.
    let code = MultisetCode::new(5, 4).unwrap();
    for draws in multisets(5, 4) {
        let mut w = BitWriter::new();
        code.encode_sorted(&mut w, &draws).unwrap();
        let msg = w.finish();
        let rank = code.rank(&draws).unwrap();
        let mut r = msg.reader();
        let bits = r.read_bits(code.len() as u32).unwrap();
        assert_eq!(BigUint::from(bits), rank);
    }
}

#[test]
fn subset_codes_with_one_subset_are_empty_and_decode_from_nothing() {
    let empty = bitcodec::BitString::new();
    for (n, k) in [
        (0u64, 0u64),
        (1, 0),
        (1, 1),
        (5, 5),
        (1000, 0),
        (1000, 1000),
    ] {
        let code = SubsetCode::new(n, k).unwrap();
        assert!(code.is_empty());
        assert_eq!(
            code.decode(&mut empty.reader()).unwrap(),
            (0..k).collect::<Vec<_>>()
        );
    }
}

#[test]
fn multiset_of_one_symbol_has_one_type() {
    let code = MultisetCode::new(1, 1000).unwrap();
    assert!(code.is_empty());
    let mut counts = [0u64];
    code.decode_counts(&mut bitcodec::BitString::new().reader(), &mut counts)
        .unwrap();
    assert_eq!(counts, [1000]);
}

#[test]
fn subset_decoder_rejects_ranks_past_the_count() {
    // C(5, 2) = 10 subsets in 4 bits: patterns 10..=15 name nothing.
    let code = SubsetCode::new(5, 2).unwrap();
    for rank in 10u64..16 {
        let mut w = BitWriter::new();
        w.write_bits(rank, 4).unwrap();
        let msg = w.finish();
        let mut r = msg.reader();
        assert!(matches!(
            code.decode(&mut r),
            Err(bitcodec::CodecError::InvalidCodeword(_))
        ));
        assert_eq!(r.position(), 0);
    }
}

#[test]
fn subset_encoder_rejects_unsorted_repeated_out_of_range_or_miscounted_input() {
    let code = SubsetCode::new(10, 3).unwrap();
    let mut w = BitWriter::new();
    assert!(code.encode(&mut w, &[4, 1, 9]).is_err());
    assert!(code.encode(&mut w, &[1, 1, 9]).is_err());
    assert!(code.encode(&mut w, &[1, 4, 10]).is_err());
    assert!(code.encode(&mut w, &[1, 4]).is_err());
    assert!(w.is_empty());
}

#[test]
fn multiset_encoder_rejects_bad_counts_and_draws() {
    let code = MultisetCode::new(4, 3).unwrap();
    let mut w = BitWriter::new();
    assert!(code.encode_counts(&mut w, &[1, 1, 0]).is_err()); // wrong length
    assert!(code.encode_counts(&mut w, &[1, 1, 0, 0]).is_err()); // sums to 2
    assert!(code.encode_counts(&mut w, &[u64::MAX, 1, 0, 3]).is_err()); // overflowing sum
    assert!(code.encode_sorted(&mut w, &[2, 1, 1]).is_err()); // decreasing
    assert!(code.encode_sorted(&mut w, &[0, 1, 4]).is_err()); // symbol 4 of 4
    assert!(code.encode_sorted(&mut w, &[0, 1]).is_err()); // two draws of three
    assert!(w.is_empty());
}

#[test]
fn code_parameters_out_of_range_are_rejected() {
    assert!(SubsetCode::new(3, 4).is_err());
    assert!(MultisetCode::new(0, 1).is_err());
}

#[test]
fn multiset_code_whose_universe_overflows_is_rejected_not_a_panic() {
    assert!(MultisetCode::new(u64::MAX, 2).is_err());
    assert!(MultisetCode::new(2, u64::MAX).is_err());
}

#[test]
fn impractically_large_codes_are_rejected_up_front() {
    // Each would take hours or terabytes: refused by the constructor instead.
    assert!(SubsetCode::new(u64::MAX, u64::MAX / 2).is_err());
    assert!(SubsetCode::new(1 << 40, 1).is_err());
    assert!(MultisetCode::new(1, 1 << 40).is_err());
    assert!(MultisetCode::new(1 << 40, 1 << 40).is_err());
    // Trivial codes of any size are fine.
    assert!(SubsetCode::new(u64::MAX, 0).is_ok());
}

#[test]
fn a_thousand_of_a_million_coordinates_is_within_the_limits() {
    let code = SubsetCode::new(1_000_000, 1000).unwrap();
    let count = binomial(1_000_000, 1000);
    assert_eq!(code.len(), bits_for_count(&count));
}
