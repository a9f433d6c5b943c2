//! The wire format, pinned: known codewords as bit strings in message order (bit 0 first).
//! Integers in fields are least significant bit first; Elias codes are the textbook codewords.
//! A change here changes every message lowbit has ever written.

// Test helpers fail the way tests do: by panicking.
#![allow(clippy::unwrap_used)]

use bitcodec::{
    BitWriter, ChunkedRadix, CodecError, EliasDelta, EliasGamma, FixedWidth, MixedRadix,
    MultisetCode, SubsetCode, Unary, Uniform,
};

/// The bits written by `write`, as a string of `0`s and `1`s.
fn bits(write: impl FnOnce(&mut BitWriter) -> Result<(), CodecError>) -> String {
    let mut w = BitWriter::new();
    write(&mut w).unwrap();
    w.finish().to_string()
}

#[test]
fn fixed_width_fields_are_least_significant_bit_first() {
    assert_eq!(bits(|w| FixedWidth::new(5)?.encode(w, 0b10110)), "01101");
    assert_eq!(bits(|w| w.write_fields(&[3u8, 0, 2, 1], 2)), "11000110");
}

#[test]
fn uniform_symbols_are_their_binary_digits_least_significant_first() {
    assert_eq!(bits(|w| Uniform::new(5)?.encode(w, 4)), "001");
    assert_eq!(bits(|w| Uniform::new(1)?.encode(w, 0)), "");
}

#[test]
fn mixed_radix_writes_the_base_n_value() {
    // 2 + 0*3 + 1*9 + 1*27 + 2*81 = 200 = 0b11001000.
    assert_eq!(
        bits(|w| MixedRadix::new(3, 5)?.encode(w, &[2, 0, 1, 1, 2])),
        "00010011"
    );
    // Chunked: 1 + 2*3 = 7 in ceil(log2 9) = 4 bits.
    assert_eq!(bits(|w| ChunkedRadix::new(3)?.encode(w, &[1, 2])), "1110");
}

#[test]
fn unary_is_ones_then_a_zero() {
    assert_eq!(bits(|w| Unary::encode(w, 0)), "0");
    assert_eq!(bits(|w| Unary::encode(w, 3)), "1110");
}

#[test]
fn elias_gamma_codewords_are_the_textbook_ones() {
    for (v, code) in [
        (1, "1"),
        (2, "010"),
        (3, "011"),
        (4, "00100"),
        (9, "0001001"),
    ] {
        assert_eq!(bits(|w| EliasGamma::encode(w, v)), code, "gamma({v})");
    }
}

#[test]
fn elias_delta_codewords_are_the_textbook_ones() {
    for (v, code) in [
        (1, "1"),
        (2, "0100"),
        (3, "0101"),
        (4, "01100"),
        (9, "00100001"),
    ] {
        assert_eq!(bits(|w| EliasDelta::encode(w, v)), code, "delta({v})");
    }
}

#[test]
fn subsets_are_their_colex_rank() {
    // {1, 4, 9}: C(1,1) + C(4,2) + C(9,3) = 1 + 6 + 84 = 91 = 0b1011011 in 7 bits.
    assert_eq!(
        bits(|w| SubsetCode::new(10, 3)?.encode(w, &[1, 4, 9])),
        "1101101"
    );
}

#[test]
fn multisets_are_the_rank_of_their_shifted_subset() {
    // Draws {0, 0, 3} -> subset {0, 1, 5}: C(5,3) = 10 = 0b01010 in 5 bits.
    assert_eq!(
        bits(|w| MultisetCode::new(4, 3)?.encode_counts(w, &[2, 0, 0, 1])),
        "01010"
    );
}
