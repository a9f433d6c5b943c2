//! Bulk fixed-width fields: `write_fields`/`read_fields` agree bit for bit with one
//! `write_bits`/`read_bits` per field, for every width, start offset and element type.

// Test helpers fail the way tests do: by panicking.
#![allow(clippy::unwrap_used)]

use bitcodec::{BitString, BitWriter, CodecError, Field, FixedWidth, Uniform};
use proptest::collection::vec;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn mask(width: u32) -> u64 {
    if width == 0 {
        0
    } else {
        u64::MAX >> (64 - width)
    }
}

/// The message of `prefix` (of `offset` bits) then `values`, one field at a time.
fn reference(prefix: u64, offset: u32, values: &[u64], width: u32) -> BitString {
    let mut w = BitWriter::new();
    w.write_bits(prefix & mask(offset), offset).unwrap();
    for &v in values {
        w.write_bits(v, width).unwrap();
    }
    w.finish()
}

/// Checks the bulk paths for one element type against [`reference`].
fn check_type<T: Field + std::fmt::Debug + PartialEq>(
    values: &[u64],
    width: u32,
    prefix: u64,
    offset: u32,
    convert: impl Fn(u64) -> T,
) {
    let expected = reference(prefix, offset, values, width);
    let typed: Vec<T> = values.iter().map(|&v| convert(v)).collect();

    let mut w = BitWriter::new();
    w.write_bits(prefix & mask(offset), offset).unwrap();
    w.write_fields(&typed, width).unwrap();
    let msg = w.finish();
    assert_eq!(
        msg,
        expected,
        "write, width {width}, offset {offset}, {} values",
        values.len()
    );

    let mut r = msg.reader();
    r.read_bits(offset).unwrap();
    let mut back = vec![T::default(); values.len()];
    r.read_fields(&mut back, width).unwrap();
    assert_eq!(back, typed, "read, width {width}, offset {offset}");
    assert!(r.is_exhausted());
}

#[test]
fn bulk_fields_match_single_fields_for_every_width_and_offset() {
    let mut rng = ChaCha8Rng::seed_from_u64(2024);
    for width in 0..=64u32 {
        for offset in 0..64u32 {
            // Lengths around one and two words' worth of fields, and an odd tail.
            let count = [0usize, 1, 7, 64, 131][(width + offset) as usize % 5];
            let values: Vec<u64> = (0..count)
                .map(|_| rng.random::<u64>() & mask(width))
                .collect();
            let prefix = rng.random::<u64>();
            check_type::<u64>(&values, width, prefix, offset, |v| v);
            if width <= 32 {
                check_type::<u32>(&values, width, prefix, offset, |v| v as u32);
            }
            if width <= 16 {
                check_type::<u16>(&values, width, prefix, offset, |v| v as u16);
            }
            if width <= 8 {
                check_type::<u8>(&values, width, prefix, offset, |v| v as u8);
            }
        }
    }
}

#[test]
fn narrow_types_may_be_written_into_wider_fields() {
    let mut w = BitWriter::new();
    w.write_fields(&[0xffu8, 1], 12).unwrap();
    assert_eq!(w.len(), 24);
    let msg = w.finish();
    let mut out = [0u64; 2];
    msg.reader().read_fields(&mut out, 12).unwrap();
    assert_eq!(out, [0xff, 1]);
}

#[test]
fn zero_width_fields_take_no_bits_and_read_as_zero() {
    let mut w = BitWriter::new();
    w.write_fields(&[0u32; 1000], 0).unwrap();
    assert!(w.is_empty());
    let msg = w.finish();
    let mut out = [7u32; 5];
    msg.reader().read_fields(&mut out, 0).unwrap();
    assert_eq!(out, [0; 5]);
}

#[test]
fn a_value_too_wide_for_its_field_is_rejected_by_name() {
    let mut w = BitWriter::new();
    w.write_bits(1, 1).unwrap();
    assert_eq!(
        w.write_fields(&[1u16, 3, 4, 9], 2),
        Err(CodecError::ValueTooWide { value: 4, width: 2 })
    );
    assert_eq!(w.len(), 1);
    assert_eq!(
        w.write_fields(&[0u64], 65),
        Err(CodecError::InvalidWidth { width: 65, max: 64 })
    );
}

#[test]
fn fixed_width_bulk_methods_use_the_fields_path() {
    let code = FixedWidth::new(13).unwrap();
    let values: Vec<u16> = (0..1000).map(|i| (i * 37 % 8192) as u16).collect();
    let mut w = BitWriter::new();
    code.encode_all(&mut w, &values).unwrap();
    assert_eq!(w.len(), 13_000);
    let mut back = vec![0u16; 1000];
    code.decode_all(&mut w.finish().reader(), &mut back)
        .unwrap();
    assert_eq!(back, values);
}

#[test]
fn uniform_bulk_methods_check_the_alphabet() {
    let code = Uniform::new(5).unwrap();
    let mut w = BitWriter::new();
    assert_eq!(
        code.encode_all(&mut w, &[0u8, 4, 5]),
        Err(CodecError::SymbolOutOfRange {
            symbol: 5,
            alphabet: 5
        })
    );
    assert!(w.is_empty());
    code.encode_all(&mut w, &[0u8, 4, 2]).unwrap();
    assert_eq!(w.len(), 9);
    let mut back = [0u8; 3];
    code.decode_all(&mut w.finish().reader(), &mut back)
        .unwrap();
    assert_eq!(back, [0, 4, 2]);
}

proptest! {
    #[test]
    fn bulk_writes_append_like_single_writes(
        chunks in vec((0u32..=64, vec(any::<u64>(), 0..70)), 0..6),
    ) {
        // Several bulk writes of different widths in a row, against one write per field.
        let mut bulk = BitWriter::new();
        let mut single = BitWriter::new();
        for (width, values) in &chunks {
            let values: Vec<u64> = values.iter().map(|v| v & mask(*width)).collect();
            bulk.write_fields(&values, *width).unwrap();
            for &v in &values {
                single.write_bits(v, *width).unwrap();
            }
        }
        prop_assert_eq!(bulk.as_words().len(), bulk.len().div_ceil(64));
        prop_assert_eq!(bulk.finish(), single.finish());
    }

    #[test]
    fn bulk_reads_agree_with_single_reads_on_any_message(
        words in vec(any::<u64>(), 0..8),
        width in 1u32..=64,
        skip in 0u32..64,
    ) {
        let msg = BitString::from_words(words.clone(), words.len() * 64).unwrap();
        let count = (msg.len().saturating_sub(skip as usize)) / width as usize;
        let mut bulk_reader = msg.reader();
        let mut single_reader = msg.reader();
        if bulk_reader.read_bits(skip).is_err() {
            return Ok(());
        }
        single_reader.read_bits(skip).unwrap();
        let mut bulk = vec![0u64; count];
        bulk_reader.read_fields(&mut bulk, width).unwrap();
        let single: Vec<u64> = (0..count).map(|_| single_reader.read_bits(width).unwrap()).collect();
        prop_assert_eq!(bulk, single);
        prop_assert_eq!(bulk_reader.position(), single_reader.position());
    }
}
