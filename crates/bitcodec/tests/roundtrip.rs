//! Every code decodes what it encoded, alone, after any prefix, and mixed with other codes in
//! one message; and every codeword is exactly as long as its code's `len` says.

// Test helpers fail the way tests do: by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bitcodec::BitWriter;
use common::{Item, any_item, any_sequence};
use proptest::prelude::*;

/// Writes `prefix` raw bits, then `item`; reads both back; checks value, length and the end.
fn round_trips_after_prefix(item: &Item, prefix: u32) -> Result<(), TestCaseError> {
    let mut w = BitWriter::new();
    w.write_bits(0, prefix).expect("prefix fits");
    item.write(&mut w).expect("generated items are valid");
    prop_assert_eq!(
        w.len(),
        prefix as usize + item.len(),
        "length of {:?}",
        item
    );
    let msg = w.finish();
    let mut r = msg.reader();
    r.read_bits(prefix).expect("prefix is there");
    prop_assert_eq!(&item.read(&mut r).expect("decodes"), item);
    prop_assert!(r.is_exhausted());
    Ok(())
}

proptest! {
    #[test]
    fn fixed_width_round_trips(item in common::fixed(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn bulk_fields_round_trip(item in common::fields(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn uniform_round_trips(item in common::uniform(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn mixed_radix_round_trips(item in common::mixed_radix(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn chunked_radix_round_trips(item in common::chunked_radix(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn unary_round_trips(item in common::unary(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn elias_gamma_and_delta_round_trip(item in common::elias(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn subsets_round_trip(item in common::subset(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn multisets_round_trip(item in common::multiset(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn embedded_messages_round_trip(item in common::message(), prefix in 0u32..=64) {
        round_trips_after_prefix(&item, prefix)?;
    }

    #[test]
    fn mixed_sequences_of_codes_round_trip_in_one_message(items in any_sequence()) {
        let msg = common::write_all(&items);
        prop_assert_eq!(msg.len(), items.iter().map(Item::len).sum::<usize>());
        let mut r = msg.reader();
        for item in &items {
            prop_assert_eq!(&item.read(&mut r).expect("decodes"), item);
        }
        prop_assert!(r.is_exhausted());
    }

    #[test]
    fn a_message_survives_bytes_and_words(items in any_sequence()) {
        let msg = common::write_all(&items);
        let via_bytes = bitcodec::BitString::from_bytes(&msg.to_bytes(), msg.len()).unwrap();
        let via_words = bitcodec::BitString::from_words(msg.as_words().to_vec(), msg.len()).unwrap();
        prop_assert_eq!(&via_bytes, &msg);
        prop_assert_eq!(&via_words, &msg);
    }

    #[test]
    fn writing_a_finished_message_reproduces_it(item in any_item(), prefix in 0u32..=64) {
        // write_bitstring of a message equals writing its codewords directly.
        let mut direct = BitWriter::new();
        direct.write_bits(0, prefix).unwrap();
        item.write(&mut direct).unwrap();
        let inner = common::write_all(std::slice::from_ref(&item));
        let mut copied = BitWriter::new();
        copied.write_bits(0, prefix).unwrap();
        copied.write_bitstring(&inner).unwrap();
        prop_assert_eq!(copied.finish(), direct.finish());
    }
}
