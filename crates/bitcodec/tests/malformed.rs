//! Truncated, corrupted and random messages: every decoder returns a typed error, never
//! panics, consumes nothing when it fails, and never looks past the message's last bit.

mod common;

use bitcodec::{
    BitReader, BitString, BitWriter, ChunkedRadix, CodecError, EliasDelta, EliasGamma, MixedRadix,
    Unary, Uniform,
};
use common::{Item, any_item, any_sequence};
use proptest::collection::vec;
use proptest::prelude::*;

/// Reads `shapes` in turn until the first error; returns what was read, the error if any,
/// and every position along the way.
fn read_until_error(
    shapes: &[Item],
    r: &mut BitReader<'_>,
) -> (Vec<Item>, Option<CodecError>, Vec<usize>) {
    let mut items = Vec::new();
    let mut positions = vec![r.position()];
    for shape in shapes {
        let before = r.position();
        match shape.read(r) {
            Ok(item) => items.push(item),
            Err(e) => {
                assert_eq!(
                    r.position(),
                    before,
                    "a failed {shape:?} decode moved the reader"
                );
                return (items, Some(e), positions);
            }
        }
        assert!(r.position() <= r.len());
        positions.push(r.position());
    }
    (items, None, positions)
}

/// The message's words with every bit past `len` set, plus a word of ones.
fn dirty_words(msg: &BitString) -> Vec<u64> {
    let mut words = msg.as_words().to_vec();
    let used = msg.len() % 64;
    if let (Some(last), true) = (words.last_mut(), used != 0) {
        *last |= u64::MAX << used;
    }
    words.push(u64::MAX);
    words
}

proptest! {
    #[test]
    fn truncated_codewords_are_unexpected_end_and_consume_nothing(
        item in any_item(),
        prefix in 0u32..=64,
        cut in any::<proptest::sample::Index>(),
    ) {
        prop_assume!(item.len() > 0);
        let mut w = BitWriter::new();
        w.write_bits(0, prefix).unwrap();
        item.write(&mut w).unwrap();
        let full = w.finish();
        let keep = prefix as usize + cut.index(item.len());
        let truncated = BitString::from_words(full.as_words().to_vec(), keep).unwrap();
        let mut r = truncated.reader();
        r.read_bits(prefix).unwrap();
        let result = item.read(&mut r);
        prop_assert!(
            matches!(result, Err(CodecError::UnexpectedEnd { .. })),
            "{:?} cut to {} of {} bits gave {:?}", item, keep - prefix as usize, item.len(), result
        );
        prop_assert_eq!(r.position(), prefix as usize);
    }

    #[test]
    fn random_bytes_give_values_or_errors_never_panics(
        shapes in any_sequence(),
        bytes in vec(any::<u8>(), 0..64),
        len_frac in 0.0f64..=1.0,
    ) {
        let len = (bytes.len() as f64 * 8.0 * len_frac) as usize;
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let (_, _, positions) = read_until_error(&shapes, &mut msg.reader());
        prop_assert!(positions.iter().all(|&p| p <= len));
    }

    #[test]
    fn decoders_never_look_past_the_last_bit(
        shapes in any_sequence(),
        bytes in vec(any::<u8>(), 0..64),
        len_frac in 0.0f64..=1.0,
    ) {
        // The same bits followed by zeros or by ones must decode identically.
        let len = (bytes.len() as f64 * 8.0 * len_frac) as usize;
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let dirty = dirty_words(&msg);
        let clean = read_until_error(&shapes, &mut msg.reader());
        let noisy = read_until_error(&shapes, &mut BitReader::new(&dirty, len));
        prop_assert_eq!(clean, noisy);
    }

    #[test]
    fn valid_messages_cut_anywhere_decode_a_prefix_then_fail_cleanly(
        items in any_sequence(),
        cut in any::<proptest::sample::Index>(),
    ) {
        let full = common::write_all(&items);
        let keep = if full.is_empty() { 0 } else { cut.index(full.len()) };
        let truncated = BitString::from_words(full.as_words().to_vec(), keep).unwrap();
        let (read, error, _) = read_until_error(&items, &mut truncated.reader());
        // Everything that fits decodes to what was written; the first codeword that does
        // not fit is reported as a truncation.
        prop_assert_eq!(&read[..], &items[..read.len()]);
        if read.len() < items.len() {
            let is_unexpected_end = matches!(error, Some(CodecError::UnexpectedEnd { .. }));
            prop_assert!(is_unexpected_end);
        }
    }
}

#[test]
fn reads_past_the_end_fail_without_moving() {
    let msg = BitString::from_bytes(&[0xab, 0xcd], 13).unwrap();
    let mut r = msg.reader();
    assert_eq!(r.read_bits(5).unwrap(), 0xab & 0x1f);
    assert_eq!(
        r.read_bits(9),
        Err(CodecError::UnexpectedEnd {
            requested: 9,
            remaining: 8
        })
    );
    assert_eq!(r.position(), 5);
    let mut out = [0u16; 3];
    assert!(r.read_fields(&mut out, 3).is_err());
    assert_eq!(r.position(), 5);
    assert_eq!(out, [0, 0, 0]);
    assert_eq!(
        r.read_bits(8).unwrap(),
        u64::from(0xcdu8 & 0x1f) << 3 | (0xab >> 5)
    );
    assert!(r.is_exhausted());
    assert!(r.read_bit().is_err());
}

#[test]
fn widths_wider_than_the_field_type_are_rejected() {
    let msg = BitString::from_words(vec![u64::MAX; 4], 256).unwrap();
    let mut r = msg.reader();
    assert_eq!(
        r.read_bits(65),
        Err(CodecError::InvalidWidth { width: 65, max: 64 })
    );
    let mut bytes = [0u8; 2];
    assert_eq!(
        r.read_fields(&mut bytes, 9),
        Err(CodecError::InvalidWidth { width: 9, max: 8 })
    );
    let mut halves = [0u32; 2];
    assert!(r.read_fields(&mut halves, 33).is_err());
    assert_eq!(r.position(), 0);
}

#[test]
fn a_reader_is_clamped_to_the_words_it_has() {
    let words = [u64::MAX];
    let r = BitReader::new(&words, 1000);
    assert_eq!(r.len(), 64);
}

#[test]
fn byte_and_word_constructors_reject_lengths_past_their_data() {
    assert!(BitString::from_bytes(&[1, 2], 17).is_err());
    assert!(BitString::from_words(vec![1], 65).is_err());
    assert!(BitString::from_bytes(&[], 0).is_ok());
}

#[test]
fn uniform_patterns_past_the_alphabet_are_invalid_codewords() {
    let code = Uniform::new(5).unwrap(); // 3 bits; 5, 6, 7 name nothing
    for pattern in 5u64..8 {
        let msg = BitString::from_words(vec![pattern], 3).unwrap();
        let mut r = msg.reader();
        assert!(matches!(
            code.decode(&mut r),
            Err(CodecError::InvalidCodeword(_))
        ));
        assert_eq!(r.position(), 0);
        let mut out = [0u8; 1];
        assert!(code.decode_all(&mut r, &mut out).is_err());
        assert_eq!(r.position(), 0);
    }
}

#[test]
fn mixed_radix_values_past_n_to_the_m_are_invalid_codewords() {
    // 3^5 = 243 in 8 bits, and 3^100 in 159 bits (the big-integer path): all-ones is past both.
    for (n, m) in [(3u64, 5usize), (3, 100)] {
        let code = MixedRadix::new(n, m).unwrap();
        let msg = BitString::from_words(vec![u64::MAX; 3], code.len()).unwrap();
        let mut r = msg.reader();
        let mut out = vec![0u64; m];
        assert!(matches!(
            code.decode(&mut r, &mut out),
            Err(CodecError::InvalidCodeword(_))
        ));
        assert_eq!(r.position(), 0);
    }
}

#[test]
fn chunked_radix_chunks_past_n_to_the_c_are_invalid_codewords() {
    let code = ChunkedRadix::new(3).unwrap();
    // A valid first chunk of 40 trits, then an all-ones second chunk.
    let mut w = BitWriter::new();
    code.encode(&mut w, &[2u64; 40]).unwrap();
    w.write_bits(u64::MAX, 64).unwrap();
    let msg = w.finish();
    let mut r = msg.reader();
    let mut out = vec![0u64; 80];
    assert!(matches!(
        code.decode(&mut r, &mut out),
        Err(CodecError::InvalidCodeword(_))
    ));
    assert_eq!(r.position(), 0);
}

#[test]
fn elias_gamma_with_sixty_four_leading_zeros_is_invalid() {
    let msg = BitString::from_words(vec![0, u64::MAX], 128).unwrap();
    let mut r = msg.reader();
    assert!(matches!(
        EliasGamma::decode(&mut r),
        Err(CodecError::InvalidCodeword(_))
    ));
    assert_eq!(r.position(), 0);
}

#[test]
fn elias_gamma_with_sixty_three_leading_zeros_is_the_top_range() {
    // 63 zeros, then the 64 binary digits of 2^63 + 5, most significant first.
    let mut w = BitWriter::new();
    w.write_bits(0, 63).unwrap();
    w.write_bit(true).unwrap();
    w.write_bits(5u64.reverse_bits() >> 1, 63).unwrap();
    assert_eq!(
        EliasGamma::decode(&mut w.finish().reader()).unwrap(),
        (1 << 63) + 5
    );
}

#[test]
fn elias_delta_length_prefix_sixty_four_is_valid_and_sixty_five_is_not() {
    let mut w = BitWriter::new();
    EliasGamma::encode(&mut w, 64).unwrap();
    w.write_bits(u64::MAX >> 1, 63).unwrap();
    assert_eq!(
        EliasDelta::decode(&mut w.finish().reader()).unwrap(),
        u64::MAX
    );

    let mut w = BitWriter::new();
    EliasGamma::encode(&mut w, 65).unwrap();
    w.write_bits(0, 64).unwrap();
    let msg = w.finish();
    let mut r = msg.reader();
    assert!(matches!(
        EliasDelta::decode(&mut r),
        Err(CodecError::InvalidCodeword(_))
    ));
    assert_eq!(r.position(), 0);
}

#[test]
fn elias_codes_ending_inside_the_zero_run_are_truncations() {
    let msg = BitString::from_words(vec![0], 10).unwrap();
    assert!(matches!(
        EliasGamma::decode(&mut msg.reader()),
        Err(CodecError::UnexpectedEnd { .. })
    ));
    assert!(matches!(
        EliasDelta::decode(&mut msg.reader()),
        Err(CodecError::UnexpectedEnd { .. })
    ));
}

#[test]
fn unary_runs_above_the_limit_are_invalid_and_consume_nothing() {
    let mut w = BitWriter::new();
    Unary::encode(&mut w, 200).unwrap();
    let msg = w.finish();
    let mut r = msg.reader();
    assert!(matches!(
        Unary::decode(&mut r, 199),
        Err(CodecError::InvalidCodeword(_))
    ));
    assert_eq!(r.position(), 0);
    assert_eq!(Unary::decode(&mut r, 200).unwrap(), 200);
}

#[test]
fn unary_runs_of_ones_to_the_end_are_truncations() {
    // 150 ones across three words and no terminating zero.
    let msg = BitString::from_words(vec![u64::MAX; 3], 150).unwrap();
    let mut r = msg.reader();
    assert_eq!(
        Unary::decode(&mut r, 1000),
        Err(CodecError::UnexpectedEnd {
            requested: 151,
            remaining: 150
        })
    );
    assert_eq!(r.position(), 0);
}
