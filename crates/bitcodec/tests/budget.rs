//! Capacities: a write that would pass the budget fails with `BudgetExceeded` and leaves the
//! message bit for bit as it was, for every encoder; a write that exactly fills it succeeds.

// Test helpers fail the way tests do: by panicking.
#![allow(clippy::unwrap_used)]

mod common;

use bitcodec::{BitString, BitWriter, CodecError, EliasGamma, Unary};
use common::{Item, any_item};
use proptest::prelude::*;

/// A writer holding `prefix` (a random pattern of `prefix_len` bits) under `capacity`.
fn writer_with_prefix(prefix: u64, prefix_len: u32, capacity: usize) -> BitWriter {
    let mut w = BitWriter::with_capacity(capacity);
    let value = if prefix_len == 64 {
        prefix
    } else {
        prefix & ((1u64 << prefix_len) - 1)
    };
    w.write_bits(value, prefix_len).unwrap();
    w
}

/// Everything observable about a writer's message.
fn snapshot(w: &BitWriter) -> (usize, Vec<u64>, BitString) {
    (w.len(), w.as_words().to_vec(), w.to_bitstring())
}

proptest! {
    #[test]
    fn a_write_one_bit_over_budget_fails_and_changes_nothing(
        item in any_item(),
        prefix in any::<u64>(),
        prefix_len in 0u32..=64,
    ) {
        prop_assume!(item.len() > 0);
        let capacity = prefix_len as usize + item.len() - 1;
        let mut w = writer_with_prefix(prefix, prefix_len, capacity);
        let before = snapshot(&w);
        let result = item.write(&mut w);
        prop_assert_eq!(
            result,
            Err(CodecError::BudgetExceeded { requested: item.len(), remaining: item.len() - 1 }),
            "{:?}", item
        );
        prop_assert_eq!(snapshot(&w), before);
    }

    #[test]
    fn a_write_that_exactly_fills_the_budget_succeeds(
        item in any_item(),
        prefix in any::<u64>(),
        prefix_len in 0u32..=64,
    ) {
        let capacity = prefix_len as usize + item.len();
        let mut w = writer_with_prefix(prefix, prefix_len, capacity);
        item.write(&mut w).unwrap();
        prop_assert_eq!(w.len(), capacity);
        prop_assert_eq!(w.remaining(), 0);
        // Full: one more bit fails, an empty field still fits.
        let over = w.write_bit(true);
        prop_assert!(matches!(over, Err(CodecError::BudgetExceeded { .. })), "{:?}", over);
        prop_assert!(w.write_bits(0, 0).is_ok());
        prop_assert_eq!(w.len(), capacity);
    }

    #[test]
    fn a_message_written_under_a_budget_equals_the_unbounded_one(
        items in common::any_sequence(),
    ) {
        let unbounded = common::write_all(&items);
        let mut w = BitWriter::with_capacity(unbounded.len());
        for item in &items {
            item.write(&mut w).unwrap();
        }
        prop_assert_eq!(w.finish(), unbounded);
    }

    #[test]
    fn invalid_input_changes_nothing_either(
        item in any_item(),
        prefix in any::<u64>(),
        prefix_len in 0u32..=64,
    ) {
        // Corrupt the item so its encoder must refuse it: the message stays as it was.
        let bad = match item {
            Item::Fixed { width, .. } if width < 64 => Item::Fixed { width, value: 1 << width },
            Item::Fields64 { width, mut values } if width < 64 => {
                values.push(1 << width);
                Item::Fields64 { width, values }
            }
            Item::Uniform { n, .. } => Item::Uniform { n, symbol: n },
            Item::Mixed { n, mut symbols } => {
                symbols.push(n);
                Item::Mixed { n, symbols }
            }
            Item::Chunked { n, mut symbols } => {
                symbols.insert(0, n);
                Item::Chunked { n, symbols }
            }
            Item::Gamma { .. } => Item::Gamma { v: 0 },
            Item::Delta { .. } => Item::Delta { v: 0 },
            Item::Subset { n, .. } => Item::Subset { n, subset: vec![n] },
            Item::Multiset { n, mut draws } => {
                draws.push(n);
                Item::Multiset { n, draws }
            }
            Item::Counts { n, k, mut counts } => {
                counts.push(1);
                Item::Counts { n, k, counts }
            }
            _ => Item::Fixed { width: 3, value: 8 },
        };
        let mut w = writer_with_prefix(prefix, prefix_len, usize::MAX);
        let before = snapshot(&w);
        prop_assert!(bad.write(&mut w).is_err(), "{:?}", bad);
        prop_assert_eq!(snapshot(&w), before);
    }
}

#[test]
fn a_capacity_of_zero_admits_only_empty_fields() {
    let mut w = BitWriter::with_capacity(0);
    assert!(w.write_bits(0, 0).is_ok());
    assert!(w.write_fields(&[0u8; 10], 0).is_ok());
    assert!(w.write_bit(false).is_err());
    assert!(Unary::encode(&mut w, 0).is_err());
    assert!(w.is_empty());
}

#[test]
fn a_capacity_on_a_word_boundary_is_exact() {
    for capacity in [63usize, 64, 65, 127, 128, 129] {
        let mut w = BitWriter::with_capacity(capacity);
        let fields = vec![1u64; capacity];
        assert!(w.write_fields(&fields[..capacity - 1], 1).is_ok());
        assert!(w.write_fields(&[1u64, 1], 1).is_err());
        assert!(w.write_fields(&[1u64], 1).is_ok());
        assert_eq!(w.len(), capacity);
        assert_eq!(
            w.finish()
                .as_words()
                .iter()
                .map(|x| x.count_ones() as usize)
                .sum::<usize>(),
            capacity
        );
    }
}

#[test]
fn reset_clears_the_message_and_sets_a_new_capacity() {
    let mut w = BitWriter::with_capacity(8);
    w.write_bits(0xff, 8).unwrap();
    w.reset(Some(4));
    assert!(w.is_empty());
    assert_eq!(w.capacity(), Some(4));
    assert!(w.write_bits(0, 5).is_err());
    w.write_bits(0b1010, 4).unwrap();
    assert_eq!(w.finish(), BitString::from_bytes(&[0b1010], 4).unwrap());
    let mut w = BitWriter::with_capacity(1);
    w.reset(None);
    assert_eq!(w.remaining(), usize::MAX);
}

#[test]
fn an_unbounded_writer_refuses_a_unary_codeword_too_large_for_memory() {
    // 2^64 - 1 bits cannot be allocated: a typed error rather than an aborted process.
    let mut w = BitWriter::new();
    assert!(matches!(
        Unary::encode(&mut w, u64::MAX - 1),
        Err(CodecError::OutOfMemory { .. })
    ));
    assert!(w.is_empty());
    // After a few bits, u64::MAX + 1 bits no longer fit a usize length at all.
    EliasGamma::encode(&mut w, 5).unwrap();
    let before = snapshot(&w);
    assert!(Unary::encode(&mut w, u64::MAX).is_err());
    assert_eq!(snapshot(&w), before);
}

#[test]
fn a_bounded_writer_refuses_a_huge_unary_codeword_by_budget() {
    let mut w = BitWriter::with_capacity(1 << 20);
    assert!(matches!(
        Unary::encode(&mut w, u64::MAX),
        Err(CodecError::BudgetExceeded { .. })
    ));
    assert!(w.is_empty());
}
