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
