//! Unary code: $`v`$ one-bits then a zero, $`v + 1`$ bits.

use crate::{BitReader, BitWriter, CodecError};

/// The unary code of non-negative integers: $`v`$ ones followed by one zero.
///
/// Decoding takes a limit so that a long run of ones in a corrupted message is an error,
/// not an endless read.
///
/// ```
/// use bitcodec::{BitWriter, Unary};
/// let mut w = BitWriter::new();
/// Unary::encode(&mut w, 3)?;
/// assert_eq!(w.len(), Unary::len(3));
/// assert_eq!(Unary::decode(&mut w.finish().reader(), 100)?, 3);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unary;

impl Unary {
    /// The codeword length of $`v`$: $`v + 1`$ bits.
    pub fn len(v: u64) -> usize {
        (v as usize).saturating_add(1)
    }

    /// Writes `v` (all or nothing). Without a capacity, a `v` too large to hold in memory is
    /// [`CodecError::OutOfMemory`].
    pub fn encode(w: &mut BitWriter, v: u64) -> Result<(), CodecError> {
        w.make_room(Self::len(v))?;
        let mut left = v;
        while left >= 64 {
            w.push_unchecked(u64::MAX, 64);
            left -= 64;
        }
        // `left` ones then a zero: the zero is the high bit of a (left + 1)-bit field.
        let field = if left == 0 { 0 } else { (1u64 << left) - 1 };
        w.push_unchecked(field, left as u32 + 1);
        Ok(())
    }

    /// Reads one value, failing if it would exceed `max`. On error the reader does not move.
    pub fn decode(r: &mut BitReader<'_>, max: u64) -> Result<u64, CodecError> {
        r.rewind_on_error(|r| Self::decode_inner(r, max))
    }

    fn decode_inner(r: &mut BitReader<'_>, max: u64) -> Result<u64, CodecError> {
        let start = r.position();
        let limit = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
        let ones = r.count_run(true, limit);
        if ones as u64 > max {
            return Err(CodecError::InvalidCodeword(
                "unary value above the decoder's limit",
            ));
        }
        match r.read_bit() {
            Ok(false) => Ok(ones as u64),
            Ok(true) => Err(CodecError::InvalidCodeword(
                "unary value above the decoder's limit",
            )),
            Err(_) => Err(CodecError::UnexpectedEnd {
                requested: ones + 1,
                remaining: r.len() - start,
            }),
        }
    }
}
