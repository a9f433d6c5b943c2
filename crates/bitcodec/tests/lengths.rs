//! Exact codeword lengths against their formulas, computed independently with big integers.

mod common;

use bitcodec::{
    BigUint, BitWriter, ChunkedRadix, EliasDelta, EliasGamma, FixedWidth, MixedRadix, MultisetCode,
    SubsetCode, Unary, Uniform, ceil_log2,
};
use common::any_item;
use num_traits::One;
use proptest::prelude::*;

/// `ceil(log2 x)` by definition: the least `L` with `x <= 2^L` (0 for `x <= 1`).
fn ceil_log2_big(x: &BigUint) -> usize {
    let mut l = 0usize;
    while &(BigUint::one() << l) < x {
        l += 1;
    }
    l
}

/// `floor(log2 v)` by halving, for `v >= 1`.
fn floor_log2_by_halving(mut v: u64) -> usize {
    let mut n = 0;
    while v > 1 {
        v /= 2;
        n += 1;
    }
    n
}

/// `C(n, k)` by Pascal's rule (independent of the crate's `binomial`).
fn pascal(n: usize, k: usize) -> BigUint {
    let mut row = vec![BigUint::one()];
    for i in 1..=n {
        let mut next = vec![BigUint::one(); i + 1];
        for j in 1..i {
            next[j] = &row[j - 1] + &row[j];
        }
        row = next;
    }
    row.get(k).cloned().unwrap_or_default()
}

#[test]
fn fixed_width_codewords_are_exactly_width_bits() {
    for width in 0..=64u32 {
        let code = FixedWidth::new(width).unwrap();
        let mut w = BitWriter::new();
        code.encode(&mut w, 0).unwrap();
        assert_eq!(code.len(), width as usize);
        assert_eq!(w.len(), width as usize);
    }
}

#[test]
fn uniform_length_is_ceil_log2_n() {
    let mut ns: Vec<u64> = (1..=1100).collect();
    for p in 1..64 {
        ns.extend([(1u64 << p) - 1, 1u64 << p, (1u64 << p) + 1]);
    }
    ns.extend([u64::MAX - 1, u64::MAX]);
    for n in ns {
        let expected = ceil_log2_big(&BigUint::from(n));
        assert_eq!(Uniform::new(n).unwrap().len(), expected, "n = {n}");
        assert_eq!(ceil_log2(n) as usize, expected, "n = {n}");
    }
}

#[test]
fn mixed_radix_length_is_ceil_of_m_log2_n() {
    for n in 1..=40u64 {
        for m in 0..=70usize {
            let expected = ceil_log2_big(&BigUint::from(n).pow(m as u32));
            assert_eq!(
                MixedRadix::new(n, m).unwrap().len(),
                expected,
                "n = {n}, m = {m}"
            );
        }
    }
    for (n, m) in [
        (3u64, 1000usize),
        (1000, 333),
        (u64::MAX, 20),
        (1 << 32, 2),
        (2, 64),
    ] {
        let expected = ceil_log2_big(&BigUint::from(n).pow(m as u32));
        assert_eq!(
            MixedRadix::new(n, m).unwrap().len(),
            expected,
            "n = {n}, m = {m}"
        );
    }
}

#[test]
fn mixed_radix_beats_per_symbol_rounding() {
    // Ternary: 5 trits in 8 bits, not 10; 1000 trits in 1585 bits, not 2000.
    assert_eq!(MixedRadix::new(3, 5).unwrap().len(), 8);
    assert_eq!(MixedRadix::new(3, 1000).unwrap().len(), 1585);
}

#[test]
fn chunked_radix_length_is_the_sum_of_its_chunks_and_within_a_bit_per_chunk() {
    for n in (2..=300u64).chain([1000, 1 << 20, u64::MAX]) {
        let code = ChunkedRadix::new(n).unwrap();
        let c = code.symbols_per_chunk();
        // c is the largest count with n^c <= 2^64.
        assert!(BigUint::from(n).pow(c as u32) <= BigUint::one() << 64usize);
        assert!(BigUint::from(n).pow(c as u32 + 1) > BigUint::one() << 64usize);
        for m in [0usize, 1, c - 1, c, c + 1, 3 * c + 2, 500] {
            let chunk = |len: usize| ceil_log2_big(&BigUint::from(n).pow(len as u32));
            let expected = (m / c) * chunk(c) + chunk(m % c);
            assert_eq!(code.len(m), expected, "n = {n}, m = {m}");
            let joint = ceil_log2_big(&BigUint::from(n).pow(m as u32));
            assert!(code.len(m) >= joint);
            if m > 0 {
                assert!(code.len(m) < joint + m.div_ceil(c), "n = {n}, m = {m}");
            }
            if n.is_power_of_two() {
                assert_eq!(code.len(m), joint);
            }
        }
    }
}

#[test]
fn one_letter_alphabets_cost_nothing() {
    assert_eq!(Uniform::new(1).unwrap().len(), 0);
    assert_eq!(MixedRadix::new(1, 1000).unwrap().len(), 0);
    assert_eq!(ChunkedRadix::new(1).unwrap().len(1000), 0);
    assert_eq!(MultisetCode::new(1, 1000).unwrap().len(), 0);
}

#[test]
fn empty_alphabets_are_rejected() {
    assert!(Uniform::new(0).is_err());
    assert!(MixedRadix::new(0, 3).is_err());
    assert!(ChunkedRadix::new(0).is_err());
}

#[test]
fn chunked_radix_packs_forty_trits_in_sixty_four_bits() {
    let code = ChunkedRadix::new(3).unwrap();
    assert_eq!(code.symbols_per_chunk(), 40);
    assert_eq!(code.len(40), 64);
}

#[test]
fn chunked_radix_length_saturates_instead_of_overflowing() {
    let code = ChunkedRadix::new(3).unwrap();
    assert_eq!(code.len(usize::MAX), usize::MAX);
}

#[test]
fn unary_length_is_v_plus_one() {
    for v in 0..=300u64 {
        assert_eq!(Unary::len(v), v as usize + 1);
    }
}

fn elias_values() -> Vec<u64> {
    let mut vs: Vec<u64> = (1..=2000).collect();
    for p in 1..64 {
        vs.extend([(1u64 << p) - 1, 1u64 << p, (1u64 << p) + 1]);
    }
    vs.extend([u64::MAX - 1, u64::MAX]);
    vs
}

#[test]
fn elias_gamma_length_is_two_floor_log2_plus_one() {
    for v in elias_values() {
        let n = floor_log2_by_halving(v);
        assert_eq!(EliasGamma::len(v).unwrap(), 2 * n + 1, "v = {v}");
    }
    assert_eq!(EliasGamma::len(1).unwrap(), 1);
    assert_eq!(EliasGamma::len(u64::MAX).unwrap(), 127);
}

#[test]
fn elias_delta_length_is_n_plus_two_floor_log2_of_n_plus_one_plus_one() {
    for v in elias_values() {
        let n = floor_log2_by_halving(v);
        let expected = n + 2 * floor_log2_by_halving(n as u64 + 1) + 1;
        assert_eq!(EliasDelta::len(v).unwrap(), expected, "v = {v}");
    }
    assert_eq!(EliasDelta::len(1).unwrap(), 1);
    // 2^63 ..= u64::MAX: N = 63, length prefix N + 1 = 64 in 13 gamma bits.
    assert_eq!(EliasDelta::len(1 << 63).unwrap(), 63 + 13);
    assert_eq!(EliasDelta::len(u64::MAX).unwrap(), 63 + 13);
}

#[test]
fn elias_lengths_reject_zero() {
    assert!(EliasGamma::len(0).is_err());
    assert!(EliasDelta::len(0).is_err());
}

#[test]
fn subset_length_is_ceil_log2_of_binomial_by_pascal() {
    for n in 0..=60usize {
        for k in 0..=n {
            let code = SubsetCode::new(n as u64, k as u64).unwrap();
            let count = pascal(n, k);
            assert_eq!(code.count(), &count, "C({n}, {k})");
            assert_eq!(code.len(), ceil_log2_big(&count), "n = {n}, k = {k}");
        }
    }
}

#[test]
fn multiset_length_is_ceil_log2_of_n_plus_k_minus_one_choose_k() {
    for n in 1..=30usize {
        for k in 0..=30usize {
            let code = MultisetCode::new(n as u64, k as u64).unwrap();
            let count = pascal(n + k - 1, k);
            assert_eq!(code.count(), &count, "n = {n}, k = {k}");
            assert_eq!(code.len(), ceil_log2_big(&count), "n = {n}, k = {k}");
        }
    }
    assert_eq!(MultisetCode::new(0, 0).unwrap().len(), 0);
}

proptest! {
    #[test]
    fn every_codeword_is_exactly_its_code_len(item in any_item()) {
        let mut w = BitWriter::new();
        item.write(&mut w).unwrap();
        prop_assert_eq!(w.len(), item.len(), "{:?}", item);
    }

    #[test]
    fn mixed_radix_length_matches_big_integer_formula(n in 1u64..=u64::MAX, m in 0usize..=200) {
        let expected = ceil_log2_big(&BigUint::from(n).pow(m as u32));
        prop_assert_eq!(MixedRadix::new(n, m).unwrap().len(), expected);
    }
}
