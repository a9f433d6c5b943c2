//! # bitcodec — bit strings with budgets, and exact codes
//!
//! Every message in lowbit is a real bit string. This crate is the only place bits are
//! packed and unpacked: a [`BitWriter`] appends fields under an optional **capacity** (the
//! round's budget B), a [`BitReader`] reads them back, and the codes below turn integers,
//! symbol sequences and combinatorial objects into exactly as many bits as they need.
//!
//! | code | object | exact length |
//! |---|---|---|
//! | [`FixedWidth`] | integer below `2^w` | `w` |
//! | [`Uniform`] | symbol of an alphabet of size `n` | `ceil(log2 n)` |
//! | [`MixedRadix`] | `m` symbols over `n` letters, jointly | `ceil(m log2 n)` |
//! | [`ChunkedRadix`] | the same in 64-bit chunks (linear time) | `< ceil(m log2 n) + m/c` |
//! | [`Unary`] | `v >= 0` | `v + 1` |
//! | [`EliasGamma`] | `v >= 1` | `2 floor(log2 v) + 1` |
//! | [`EliasDelta`] | `v >= 1` | `N + 2 floor(log2(N+1)) + 1`, `N = floor(log2 v)` |
//! | [`SubsetCode`] | k-subset of `[n]` | `ceil(log2 C(n, k))` |
//! | [`MultisetCode`] | type of `k` draws over `n` symbols | `ceil(log2 C(n + k - 1, k))` |
//! | [`TypeRangeCode`] | the same, range coded in linear time | `<= ceil(log2 C(n+k-1, k)) + 2` |
//!
//! Invariants: a write past the capacity is [`CodecError::BudgetExceeded`] and leaves the
//! message unchanged; a read past the end is [`CodecError::UnexpectedEnd`]; a bit pattern
//! that names no object is [`CodecError::InvalidCodeword`]. Nothing here panics on input.
//!
//! ```
//! use bitcodec::{BitWriter, EliasGamma, SubsetCode, Uniform};
//!
//! let mut w = BitWriter::with_capacity(32); // a 32-bit budget
//! Uniform::new(2 * 100 + 1)?.encode(&mut w, 57)?; // a SimQ index: 8 bits
//! EliasGamma::encode(&mut w, 6)?; // 5 bits
//! SubsetCode::new(20, 2)?.encode(&mut w, &[3, 17])?; // ceil(log2 190) = 8 bits
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
mod fixed;
mod log2_binomial;
mod mixed_radix;
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
pub use fixed::FixedWidth;
pub use mixed_radix::{ChunkedRadix, MixedRadix};
pub use num_bigint::BigUint;
pub use reader::BitReader;
pub use transcript::{Direction, MessageRecord, Transcript};
pub use type_range::TypeRangeCode;
pub use unary::Unary;
pub use uniform::{Uniform, ceil_log2};
pub use writer::BitWriter;
