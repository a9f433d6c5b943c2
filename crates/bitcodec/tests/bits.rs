//! Bit strings, writers and readers: layout, word boundaries, byte conversion.

use bitcodec::{BitReader, BitString, BitWriter};
use proptest::collection::vec;
use proptest::prelude::*;

#[test]
fn bits_are_packed_least_significant_first() {
    let mut w = BitWriter::new();
    w.write_bits(0b1, 1).unwrap();
    w.write_bits(0b10, 2).unwrap();
    w.write_bits(0b1, 62).unwrap(); // crosses into the second word
    let msg = w.finish();
    assert_eq!(msg.len(), 65);
    assert_eq!(msg.as_words(), &[0b101 | (1 << 3), 0]);
    assert_eq!(msg.get(0), Some(true));
    assert_eq!(msg.get(1), Some(false));
    assert_eq!(msg.get(2), Some(true));
    assert_eq!(msg.get(64), Some(false));
    assert_eq!(msg.get(65), None);
}

#[test]
fn every_width_round_trips_at_every_offset() {
    for offset in 0..64u32 {
        for width in 0..=64u32 {
            let value = if width == 0 {
                0
            } else {
                0xdead_beef_cafe_f00d_u64 >> (64 - width)
            };
            let mut w = BitWriter::new();
            w.write_bits(0, offset).unwrap();
            w.write_bits(value, width).unwrap();
            w.write_bits(1, 1).unwrap();
            assert_eq!(w.as_words().len(), w.len().div_ceil(64));
            let msg = w.finish();
            let mut r = msg.reader();
            assert_eq!(r.read_bits(offset).unwrap(), 0);
            assert_eq!(
                r.read_bits(width).unwrap(),
                value,
                "offset {offset} width {width}"
            );
            assert!(r.read_bit().unwrap());
            assert!(r.is_exhausted());
        }
    }
}

#[test]
fn a_value_wider_than_its_field_is_rejected() {
    let mut w = BitWriter::new();
    assert!(w.write_bits(4, 2).is_err());
    assert!(w.write_bits(0, 65).is_err());
    assert!(w.is_empty());
    assert!(w.write_bits(u64::MAX, 64).is_ok());
}

#[test]
fn from_bytes_keeps_len_bits_and_zeroes_the_rest() {
    // 12 bits of 0xff 0xff: the top nibble of the second byte is dropped.
    let msg = BitString::from_bytes(&[0xff, 0xff, 0xff], 12).unwrap();
    assert_eq!(msg.len(), 12);
    assert_eq!(msg.as_words(), &[0x0fff]);
    assert_eq!(msg.to_bytes(), vec![0xff, 0x0f]);
    assert_eq!(msg, BitString::from_bytes(&[0xff, 0x0f], 12).unwrap());
}

#[test]
fn from_bytes_of_more_than_a_word_spans_words() {
    let bytes: Vec<u8> = (1..=11).collect();
    let msg = BitString::from_bytes(&bytes, 83).unwrap();
    assert_eq!(msg.as_words().len(), 2);
    assert_eq!(
        msg.as_words()[0],
        u64::from_le_bytes([1, 2, 3, 4, 5, 6, 7, 8])
    );
    assert_eq!(msg.as_words()[1], 0x0b_0a_09 & ((1 << 19) - 1));
}

#[test]
fn from_words_drops_extra_words_and_tail_bits() {
    let msg = BitString::from_words(vec![u64::MAX, u64::MAX, u64::MAX], 70).unwrap();
    assert_eq!(msg.as_words(), &[u64::MAX, 0x3f]);
    assert_eq!(msg, BitString::from_bytes(&[0xff; 9], 70).unwrap());
}

#[test]
fn the_empty_message_is_empty_everywhere() {
    let msg = BitString::new();
    assert!(msg.is_empty());
    assert_eq!(msg.to_bytes(), Vec::<u8>::new());
    assert!(msg.reader().is_exhausted());
    assert_eq!(BitWriter::new().finish(), msg);
}

#[test]
fn to_bitstring_is_a_snapshot_and_the_writer_continues() {
    let mut w = BitWriter::new();
    w.write_bits(5, 3).unwrap();
    let snapshot = w.to_bitstring();
    w.write_bits(1, 1).unwrap();
    assert_eq!(snapshot.len(), 3);
    assert_eq!(w.finish().len(), 4);
}

#[test]
fn a_reader_over_raw_words_reads_only_len_bits() {
    let words = [u64::MAX, u64::MAX];
    let mut r = BitReader::new(&words, 70);
    assert_eq!(r.len(), 70);
    assert_eq!(r.read_bits(64).unwrap(), u64::MAX);
    assert_eq!(r.remaining(), 6);
    assert!(r.read_bits(7).is_err());
    assert_eq!(r.read_bits(6).unwrap(), 0x3f);
}

proptest! {
    #[test]
    fn bytes_round_trip_through_a_bit_string(bytes in vec(any::<u8>(), 0..80), cut in 0usize..8) {
        let len = (bytes.len() * 8).saturating_sub(cut);
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let back = msg.to_bytes();
        prop_assert_eq!(back.len(), len.div_ceil(8));
        prop_assert_eq!(BitString::from_bytes(&back, len).unwrap(), msg.clone());
        for (i, byte) in back.iter().enumerate() {
            let kept = (len - 8 * i).min(8);
            let mask = if kept == 8 { 0xff } else { (1u8 << kept) - 1 };
            prop_assert_eq!(*byte, bytes[i] & mask);
        }
        for i in 0..len {
            prop_assert_eq!(msg.get(i), Some(bytes[i / 8] >> (i % 8) & 1 == 1));
        }
    }

    #[test]
    fn field_sequences_round_trip(fields in vec((0u32..=64, any::<u64>()), 0..50)) {
        let fields: Vec<(u32, u64)> = fields
            .into_iter()
            .map(|(w, v)| (w, if w == 0 { 0 } else { v >> (64 - w) }))
            .collect();
        let mut w = BitWriter::new();
        for &(width, v) in &fields {
            w.write_bits(v, width).unwrap();
        }
        prop_assert_eq!(w.len(), fields.iter().map(|f| f.0 as usize).sum::<usize>());
        let msg = w.finish();
        let mut r = msg.reader();
        for &(width, v) in &fields {
            prop_assert_eq!(r.read_bits(width).unwrap(), v);
        }
        prop_assert!(r.is_exhausted());
    }
}
