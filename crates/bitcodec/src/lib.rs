//! # bitcodec — bit strings with budgets, and exact codes
//!
//! Every message in lowbit is a real bit string. This crate is the only place bits are
//! packed and unpacked: a [`BitWriter`] appends fields under an optional **capacity** (the
//! round's budget $`B`$), a [`BitReader`] reads them back, and the codes below turn integers,
//! symbol sequences and combinatorial objects into exactly as many bits as they need.
//!
//! | code | object | exact length (bits) |
//! |---|---|---|
//! | [`FixedWidth`] | integer below $`2^w`$ | $`w`$ |
//! | [`Uniform`] | symbol of an alphabet of size $`n`$ | $`\lceil \log_2 n \rceil`$ |
//! | [`MixedRadix`] | $`m`$ symbols over $`n`$ letters, jointly | $`\lceil m \log_2 n \rceil`$ |
//! | [`ChunkedRadix`] | the same, $`c`$ symbols per 64-bit chunk (linear time) | $`\sum_i \lceil c_i \log_2 n \rceil`$ over the chunks, at most $`\lceil m \log_2 n \rceil + \lceil m/c \rceil - 1`$ |
//! | [`Unary`] | $`v \ge 0`$ | $`v + 1`$ |
//! | [`EliasGamma`] | $`v \ge 1`$ | $`2 \lfloor \log_2 v \rfloor + 1`$ |
//! | [`EliasDelta`] | $`v \ge 1`$ | $`N + 2 \lfloor \log_2(N + 1) \rfloor + 1`$, $`N = \lfloor \log_2 v \rfloor`$ |
//! | [`SubsetCode`] | $`k`$-subset of $`[n]`$ | $`\lceil \log_2 \binom{n}{k} \rceil`$ |
//! | [`MultisetCode`] | type of $`k`$ draws over $`n`$ symbols | $`\lceil \log_2 \binom{n + k - 1}{k} \rceil`$ |
//! | [`TypeRangeCode`] | the same, range coded in linear time | $`\le \lceil \log_2 \binom{n + k - 1}{k} \rceil + 2`$ |
//!
//! Every code has `encode`, `decode` and a `len` that gives the exact length before writing.
//! Runs of fixed-width fields go through [`BitWriter::write_fields`] and
//! [`BitReader::read_fields`] (also as [`FixedWidth::encode_all`], [`Uniform::encode_all`]
//! and their `decode_all`), which pack whole 64-bit words from `u8`, `u16`, `u32` or `u64`
//! slices (see [`Field`]) at gigabytes per second.
//!
//! **Wire format.** Bit $`i`$ of a message is bit $`i \bmod 64`$ of word $`\lfloor i/64 \rfloor`$
//! (and bit $`i \bmod 8`$ of byte $`\lfloor i/8 \rfloor`$ in [`BitString::to_bytes`]). Integer
//! fields, symbols, mixed-radix values and enumerative ranks are written least significant bit
//! first; the Elias codes are the textbook codewords, binary digits most significant first.
//!
//! The enumerative code of a $`k`$-subset of $`[n]`$ uses exactly
//!
//! ```math
//! \left\lceil \log_2 \binom{n}{k} \right\rceil \text{ bits.}
//! ```
//!
//! **Invariants.**
//! - A write past the capacity is [`CodecError::BudgetExceeded`] and leaves the message bit
//!   for bit unchanged; so does every other failed write (invalid input, or
//!   [`CodecError::OutOfMemory`] for a write without capacity that memory cannot hold).
//! - A read past the end is [`CodecError::UnexpectedEnd`]; a bit pattern that names no
//!   object is [`CodecError::InvalidCodeword`]. A failed read or decode leaves the reader
//!   where it was, and bits past the message's end never affect a result.
//! - Constructors validate their parameters and refuse codes whose exact conversion would be
//!   impractical (joint codewords over $`2^{20}`$ bits for [`MixedRadix`]; about $`2^{32}`$ word
//!   operations for the enumerative codes); see each code.
//! - Nothing here panics on input.
//!
//! ```
//! use bitcodec::{BitWriter, EliasGamma, SubsetCode, Uniform};
//!
//! let mut w = BitWriter::with_capacity(32); // a 32-bit budget
//! Uniform::new(2 * 100 + 1)?.encode(&mut w, 57)?; // a SimQ index: 8 bits
//! EliasGamma::encode(&mut w, 6)?; // 5 bits
//! SubsetCode::new(20, 2)?.encode(&mut w, &[3, 17])?; // ceil(log2 190) = 8 bits
//! assert_eq!(w.len(), 21);
//! assert!(w.write_fields(&[0u8; 6], 2).is_err()); // 12 more bits would pass the budget
//! assert_eq!(w.len(), 21);
//!
//! let msg = w.finish();
//! let mut r = msg.reader();
//! assert_eq!(Uniform::new(201)?.decode(&mut r)?, 57);
//! assert_eq!(EliasGamma::decode(&mut r)?, 6);
//! assert_eq!(SubsetCode::new(20, 2)?.decode(&mut r)?, vec![3, 17]);
//! assert!(r.is_exhausted());
//! # Ok::<(), bitcodec::CodecError>(())
//! ```

mod bigint;
mod bitstring;
mod elias;
mod enumerative;
mod error;
mod field;
mod fixed;
mod log2_binomial;
mod mixed_radix;
mod packing;
mod radix_digits;
mod range_coder;
mod reader;
mod transcript;
mod type_range;
mod unary;
mod uniform;
mod writer;

pub use bigint::{binomial, bits_for_count};
pub use bitstring::BitString;
pub use elias::{EliasDelta, EliasGamma};
pub use enumerative::{MultisetCode, SubsetCode};
pub use error::CodecError;
pub use field::Field;
pub use fixed::FixedWidth;
pub use mixed_radix::{ChunkedRadix, MixedRadix};
pub use num_bigint::BigUint;
pub use reader::BitReader;
pub use transcript::{Direction, MessageRecord, Transcript};
pub use type_range::TypeRangeCode;
pub use unary::Unary;
pub use uniform::{Uniform, ceil_log2};
pub use writer::BitWriter;
