//! One codeword of any code, with proptest strategies, shared by the integration tests.
//!
//! An [`Item`] knows how to write itself, how to read a codeword of the same shape back
//! (the decoder gets the code's parameters, never the value), and its exact length from the
//! code's own `len` function.

#![allow(dead_code)] // each test file uses a different part
// Test helpers fail the way tests do: by panicking.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use bitcodec::{
    BitReader, BitString, BitWriter, ChunkedRadix, CodecError, EliasDelta, EliasGamma, FixedWidth,
    MixedRadix, MultisetCode, SubsetCode, Unary, Uniform,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::subsequence;

/// The limit unary decoders are given: above every value the strategies produce.
pub const UNARY_MAX: u64 = 1000;

/// One codeword, with the parameters of its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// `FixedWidth::new(width)`, one value.
    Fixed { width: u32, value: u64 },
    /// `FixedWidth::encode_all` of `u64`s.
    Fields64 { width: u32, values: Vec<u64> },
    /// `BitWriter::write_fields` of `u32`s.
    Fields32 { width: u32, values: Vec<u32> },
    /// `BitWriter::write_fields` of `u16`s.
    Fields16 { width: u32, values: Vec<u16> },
    /// `BitWriter::write_fields` of `u8`s.
    Fields8 { width: u32, values: Vec<u8> },
    /// `Uniform::new(n)`, one symbol.
    Uniform { n: u64, symbol: u64 },
    /// `Uniform::encode_all` of `u32` symbols.
    UniformAll { n: u64, symbols: Vec<u32> },
    /// `MixedRadix::new(n, symbols.len())`.
    Mixed { n: u64, symbols: Vec<u64> },
    /// `ChunkedRadix::new(n)`.
    Chunked { n: u64, symbols: Vec<u64> },
    /// `Unary`, decoded with limit [`UNARY_MAX`].
    Unary { v: u64 },
    /// `EliasGamma`.
    Gamma { v: u64 },
    /// `EliasDelta`.
    Delta { v: u64 },
    /// `SubsetCode::new(n, subset.len())`.
    Subset { n: u64, subset: Vec<u64> },
    /// `MultisetCode::new(n, draws.len())`, as sorted draws.
    Multiset { n: u64, draws: Vec<u64> },
    /// `MultisetCode::new(n, k)`, as a count vector.
    Counts { n: u64, k: u64, counts: Vec<u64> },
    /// `BitWriter::write_bitstring`.
    Message { bits: BitString },
}

impl Item {
    /// Writes the codeword.
    pub fn write(&self, w: &mut BitWriter) -> Result<(), CodecError> {
        match self {
            Item::Fixed { width, value } => FixedWidth::new(*width)?.encode(w, *value),
            Item::Fields64 { width, values } => FixedWidth::new(*width)?.encode_all(w, values),
            Item::Fields32 { width, values } => w.write_fields(values, *width),
            Item::Fields16 { width, values } => w.write_fields(values, *width),
            Item::Fields8 { width, values } => w.write_fields(values, *width),
            Item::Uniform { n, symbol } => Uniform::new(*n)?.encode(w, *symbol),
            Item::UniformAll { n, symbols } => Uniform::new(*n)?.encode_all(w, symbols),
            Item::Mixed { n, symbols } => MixedRadix::new(*n, symbols.len())?.encode(w, symbols),
            Item::Chunked { n, symbols } => ChunkedRadix::new(*n)?.encode(w, symbols),
            Item::Unary { v } => Unary::encode(w, *v),
            Item::Gamma { v } => EliasGamma::encode(w, *v),
            Item::Delta { v } => EliasDelta::encode(w, *v),
            Item::Subset { n, subset } => {
                SubsetCode::new(*n, subset.len() as u64)?.encode(w, subset)
            }
            Item::Multiset { n, draws } => {
                MultisetCode::new(*n, draws.len() as u64)?.encode_sorted(w, draws)
            }
            Item::Counts { n, k, counts } => MultisetCode::new(*n, *k)?.encode_counts(w, counts),
            Item::Message { bits } => w.write_bitstring(bits),
        }
    }

    /// Reads a codeword of the same code (same parameters, same number of symbols).
    pub fn read(&self, r: &mut BitReader<'_>) -> Result<Item, CodecError> {
        Ok(match self {
            Item::Fixed { width, .. } => Item::Fixed {
                width: *width,
                value: FixedWidth::new(*width)?.decode(r)?,
            },
            Item::Fields64 { width, values } => {
                let mut out = vec![0; values.len()];
                FixedWidth::new(*width)?.decode_all(r, &mut out)?;
                Item::Fields64 {
                    width: *width,
                    values: out,
                }
            }
            Item::Fields32 { width, values } => {
                let mut out = vec![0; values.len()];
                r.read_fields(&mut out, *width)?;
                Item::Fields32 {
                    width: *width,
                    values: out,
                }
            }
            Item::Fields16 { width, values } => {
                let mut out = vec![0; values.len()];
                r.read_fields(&mut out, *width)?;
                Item::Fields16 {
                    width: *width,
                    values: out,
                }
            }
            Item::Fields8 { width, values } => {
                let mut out = vec![0; values.len()];
                r.read_fields(&mut out, *width)?;
                Item::Fields8 {
                    width: *width,
                    values: out,
                }
            }
            Item::Uniform { n, .. } => Item::Uniform {
                n: *n,
                symbol: Uniform::new(*n)?.decode(r)?,
            },
            Item::UniformAll { n, symbols } => {
                let mut out = vec![0; symbols.len()];
                Uniform::new(*n)?.decode_all(r, &mut out)?;
                Item::UniformAll {
                    n: *n,
                    symbols: out,
                }
            }
            Item::Mixed { n, symbols } => {
                let mut out = vec![0; symbols.len()];
                MixedRadix::new(*n, symbols.len())?.decode(r, &mut out)?;
                Item::Mixed {
                    n: *n,
                    symbols: out,
                }
            }
            Item::Chunked { n, symbols } => {
                let mut out = vec![0; symbols.len()];
                ChunkedRadix::new(*n)?.decode(r, &mut out)?;
                Item::Chunked {
                    n: *n,
                    symbols: out,
                }
            }
            Item::Unary { .. } => Item::Unary {
                v: Unary::decode(r, UNARY_MAX)?,
            },
            Item::Gamma { .. } => Item::Gamma {
                v: EliasGamma::decode(r)?,
            },
            Item::Delta { .. } => Item::Delta {
                v: EliasDelta::decode(r)?,
            },
            Item::Subset { n, subset } => Item::Subset {
                n: *n,
                subset: SubsetCode::new(*n, subset.len() as u64)?.decode(r)?,
            },
            Item::Multiset { n, draws } => Item::Multiset {
                n: *n,
                draws: MultisetCode::new(*n, draws.len() as u64)?.decode_sorted(r)?,
            },
            Item::Counts { n, k, counts } => {
                let mut out = vec![0; counts.len()];
                MultisetCode::new(*n, *k)?.decode_counts(r, &mut out)?;
                Item::Counts {
                    n: *n,
                    k: *k,
                    counts: out,
                }
            }
            Item::Message { bits } => {
                // One read for the whole message, so that a failure consumes nothing.
                let mut each = vec![0u8; bits.len()];
                r.read_fields(&mut each, 1)?;
                let mut w = BitWriter::new();
                w.write_fields(&each, 1)?;
                Item::Message { bits: w.finish() }
            }
        })
    }

    /// The exact codeword length, from the code's own `len`.
    pub fn len(&self) -> usize {
        self.try_len().unwrap_or(usize::MAX)
    }

    fn try_len(&self) -> Result<usize, CodecError> {
        Ok(match self {
            Item::Fixed { width, .. } => FixedWidth::new(*width)?.len(),
            Item::Fields64 { width, values } => values.len() * *width as usize,
            Item::Fields32 { width, values } => values.len() * *width as usize,
            Item::Fields16 { width, values } => values.len() * *width as usize,
            Item::Fields8 { width, values } => values.len() * *width as usize,
            Item::Uniform { n, .. } => Uniform::new(*n)?.len(),
            Item::UniformAll { n, symbols } => symbols.len() * Uniform::new(*n)?.len(),
            Item::Mixed { n, symbols } => MixedRadix::new(*n, symbols.len())?.len(),
            Item::Chunked { n, symbols } => ChunkedRadix::new(*n)?.len(symbols.len()),
            Item::Unary { v } => Unary::len(*v),
            Item::Gamma { v } => EliasGamma::len(*v)?,
            Item::Delta { v } => EliasDelta::len(*v)?,
            Item::Subset { n, subset } => SubsetCode::new(*n, subset.len() as u64)?.len(),
            Item::Multiset { n, draws } => MultisetCode::new(*n, draws.len() as u64)?.len(),
            Item::Counts { n, k, .. } => MultisetCode::new(*n, *k)?.len(),
            Item::Message { bits } => bits.len(),
        })
    }
}

/// Writes every item in order into an unbounded writer.
pub fn write_all(items: &[Item]) -> BitString {
    let mut w = BitWriter::new();
    for item in items {
        item.write(&mut w).expect("generated items are valid");
    }
    w.finish()
}

/// A value of `width` bits, biased towards the extremes.
fn value_of_width(width: u32) -> BoxedStrategy<u64> {
    let max = if width == 0 {
        0
    } else {
        u64::MAX >> (64 - width)
    };
    prop_oneof![
        1 => Just(0u64),
        1 => Just(max),
        4 => any::<u64>().prop_map(move |v| v & max),
    ]
    .boxed()
}

/// A width in `0..=max`, with the word-size widths over-represented.
fn width_up_to(max: u32) -> BoxedStrategy<u32> {
    prop_oneof![
        3 => 0..=max,
        1 => Just(max),
        1 => Just(1u32),
    ]
    .boxed()
}

/// Alphabet sizes: small ones, and anything up to `u64::MAX`.
fn alphabet() -> BoxedStrategy<u64> {
    prop_oneof![
        3 => 1u64..=300,
        1 => any::<u64>().prop_map(|n| n.max(1)),
        1 => Just(u64::MAX),
    ]
    .boxed()
}

/// Positive integers across the whole range, including `2^63 ..= u64::MAX`.
fn positive() -> BoxedStrategy<u64> {
    prop_oneof![
        3 => 1u64..=1000,
        2 => any::<u64>().prop_map(|v| v.max(1)),
        1 => (1u64 << 63)..=u64::MAX,
        1 => Just(1u64),
        1 => Just(u64::MAX),
    ]
    .boxed()
}

pub fn fixed() -> BoxedStrategy<Item> {
    width_up_to(64)
        .prop_flat_map(|width| {
            value_of_width(width).prop_map(move |value| Item::Fixed { width, value })
        })
        .boxed()
}

pub fn fields() -> BoxedStrategy<Item> {
    fn values(width: u32) -> BoxedStrategy<Vec<u64>> {
        vec(value_of_width(width), 0..150).boxed()
    }
    prop_oneof![
        width_up_to(64).prop_flat_map(
            |width| values(width).prop_map(move |values| Item::Fields64 { width, values })
        ),
        width_up_to(32).prop_flat_map(|width| values(width).prop_map(move |v| Item::Fields32 {
            width,
            values: v.into_iter().map(|x| x as u32).collect(),
        })),
        width_up_to(16).prop_flat_map(|width| values(width).prop_map(move |v| Item::Fields16 {
            width,
            values: v.into_iter().map(|x| x as u16).collect(),
        })),
        width_up_to(8).prop_flat_map(|width| values(width).prop_map(move |v| Item::Fields8 {
            width,
            values: v.into_iter().map(|x| x as u8).collect(),
        })),
    ]
    .boxed()
}

pub fn uniform() -> BoxedStrategy<Item> {
    prop_oneof![
        alphabet().prop_flat_map(|n| (0..n).prop_map(move |symbol| Item::Uniform { n, symbol })),
        (1u64..=u64::from(u32::MAX)).prop_flat_map(|n| vec(0..n, 0..100).prop_map(move |s| {
            Item::UniformAll {
                n,
                symbols: s.into_iter().map(|x| x as u32).collect(),
            }
        })),
    ]
    .boxed()
}

pub fn mixed_radix() -> BoxedStrategy<Item> {
    prop_oneof![
        // Small alphabets: one machine word up to several 64-bit digits.
        (1u64..=20, 0usize..=300),
        // Large alphabets: one or two symbols per digit.
        (any::<u64>().prop_map(|n| n.max(1)), 0usize..=12),
    ]
    .prop_flat_map(|(n, m)| vec(0..n, m).prop_map(move |symbols| Item::Mixed { n, symbols }))
    .boxed()
}

pub fn chunked_radix() -> BoxedStrategy<Item> {
    prop_oneof![1u64..=1000, any::<u64>().prop_map(|n| n.max(1))]
        .prop_flat_map(|n| vec(0..n, 0..200).prop_map(move |symbols| Item::Chunked { n, symbols }))
        .boxed()
}

pub fn unary() -> BoxedStrategy<Item> {
    prop_oneof![
        0u64..=200,
        Just(0u64),
        Just(63u64),
        Just(64u64),
        Just(UNARY_MAX)
    ]
    .prop_map(|v| Item::Unary { v })
    .boxed()
}

pub fn elias() -> BoxedStrategy<Item> {
    prop_oneof![
        positive().prop_map(|v| Item::Gamma { v }),
        positive().prop_map(|v| Item::Delta { v }),
    ]
    .boxed()
}

pub fn subset() -> BoxedStrategy<Item> {
    (0u64..=100)
        .prop_flat_map(|n| (Just(n), 0..=n as usize))
        .prop_flat_map(|(n, k)| {
            subsequence((0..n).collect::<Vec<u64>>(), k)
                .prop_map(move |subset| Item::Subset { n, subset })
        })
        .boxed()
}

pub fn multiset() -> BoxedStrategy<Item> {
    prop_oneof![
        (1u64..=40, 0usize..=40).prop_flat_map(|(n, k)| vec(0..n, k).prop_map(move |mut draws| {
            draws.sort_unstable();
            Item::Multiset { n, draws }
        })),
        (1u64..=40, 0usize..=40).prop_flat_map(|(n, k)| vec(0..n, k).prop_map(move |draws| {
            let mut counts = vec![0u64; n as usize];
            for d in draws {
                counts[d as usize] += 1;
            }
            Item::Counts {
                n,
                k: k as u64,
                counts,
            }
        })),
        Just(Item::Counts {
            n: 0,
            k: 0,
            counts: vec![]
        }),
    ]
    .boxed()
}

pub fn message() -> BoxedStrategy<Item> {
    vec(any::<u8>(), 0..40)
        .prop_flat_map(|bytes| {
            let max = bytes.len() * 8;
            (Just(bytes), 0..=max)
        })
        .prop_map(|(bytes, len)| Item::Message {
            bits: BitString::from_bytes(&bytes, len).expect("len within the bytes"),
        })
        .boxed()
}

/// A codeword of any code.
pub fn any_item() -> BoxedStrategy<Item> {
    prop_oneof![
        fixed(),
        fields(),
        uniform(),
        mixed_radix(),
        chunked_radix(),
        unary(),
        elias(),
        subset(),
        multiset(),
        message(),
    ]
    .boxed()
}

/// A message of several codewords of mixed codes.
pub fn any_sequence() -> BoxedStrategy<Vec<Item>> {
    vec(any_item(), 0..8).boxed()
}
