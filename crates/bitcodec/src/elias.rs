//! Elias gamma and delta codes for positive integers (Elias, 1975).
//!
//! With $`N = \lfloor \log_2 v \rfloor`$, gamma writes $`N`$ zeros, then the $`N + 1`$ binary
//! digits of $`v`$ (whose first is the one that ends the zero run): $`2N + 1`$ bits. Delta writes
//! $`N + 1`$ in gamma, then the $`N`$ binary digits of $`v`$ after its leading one:
//!
//! ```math
//! |\gamma(v)| = 2N + 1, \qquad |\delta(v)| = N + 2 \lfloor \log_2(N + 1) \rfloor + 1
//! \quad \text{bits.}
//! ```
//!
//! Both are prefix-free, so they can be concatenated.
//!
//! Unlike the fixed-width fields of the rest of the crate, the binary digits are written most
//! significant first, so the message holds the textbook codewords bit for bit: gamma(9) is
//! `0001001`, delta(9) is `00100001`.

use crate::{BitReader, BitWriter, CodecError};

fn floor_log2(v: u64) -> u32 {
    63 - v.leading_zeros()
}

/// The error for $`v = 0`$, which neither code can represent.
fn zero_error() -> CodecError {
    CodecError::InvalidInput("Elias codes represent integers v >= 1, got 0".into())
}

/// The low `n` bits of `v` in reverse order: as a least-significant-first field, this
/// writes (or, applied to a field read, recovers) them most significant first.
fn reversed_low_bits(v: u64, n: u32) -> u64 {
    if n == 0 {
        0
    } else {
        v.reverse_bits() >> (64 - n)
    }
}

/// Elias gamma code of $`v \ge 1`$.
///
/// ```
/// use bitcodec::{BitWriter, EliasGamma};
/// let mut w = BitWriter::new();
/// EliasGamma::encode(&mut w, 9)?;
/// assert_eq!(w.len(), EliasGamma::len(9)?); // 2 * 3 + 1 bits
/// let msg = w.finish();
/// assert_eq!(msg.to_string(), "0001001");
/// assert_eq!(EliasGamma::decode(&mut msg.reader())?, 9);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EliasGamma;

impl EliasGamma {
    /// The codeword length of $`v`$: $`2 \lfloor \log_2 v \rfloor + 1`$. Errors on $`v = 0`$.
    pub fn len(v: u64) -> Result<usize, CodecError> {
        if v == 0 {
            return Err(zero_error());
        }
        Ok(2 * floor_log2(v) as usize + 1)
    }

    /// Writes $`v \ge 1`$ (all or nothing).
    pub fn encode(w: &mut BitWriter, v: u64) -> Result<(), CodecError> {
        w.ensure_room(Self::len(v)?)?;
        let n = floor_log2(v);
        // n zeros then the leading one: an (n + 1)-bit field whose top bit is set.
        w.push_unchecked(1u64 << n, n + 1);
        w.push_unchecked(reversed_low_bits(v, n), n);
        Ok(())
    }

    /// Reads one value. On error the reader does not move.
    pub fn decode(r: &mut BitReader<'_>) -> Result<u64, CodecError> {
        r.rewind_on_error(Self::decode_inner)
    }

    fn decode_inner(r: &mut BitReader<'_>) -> Result<u64, CodecError> {
        let start = r.position();
        let zeros = r.count_run(false, 64);
        if zeros >= 64 {
            return Err(CodecError::InvalidCodeword(
                "Elias gamma length prefix over 63",
            ));
        }
        let n = zeros as u32;
        if r.remaining() < n as usize + 1 {
            return Err(CodecError::UnexpectedEnd {
                requested: 2 * n as usize + 1,
                remaining: r.len() - start,
            });
        }
        // The run stopped on a one (or at the end, handled above).
        let _one = r.take_unchecked(1);
        let low = reversed_low_bits(r.take_unchecked(n), n);
        Ok((1u64 << n) | low)
    }
}

/// Elias delta code of $`v \ge 1`$.
///
/// ```
/// use bitcodec::{BitWriter, EliasDelta};
/// let mut w = BitWriter::new();
/// EliasDelta::encode(&mut w, 1_000_000)?; // 19 + 2 * 4 + 1 = 28 bits
/// assert_eq!(w.len(), EliasDelta::len(1_000_000)?);
/// assert_eq!(EliasDelta::decode(&mut w.finish().reader())?, 1_000_000);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EliasDelta;

impl EliasDelta {
    /// The codeword length of $`v`$: $`N + 2 \lfloor \log_2(N + 1) \rfloor + 1`$ with
    /// $`N = \lfloor \log_2 v \rfloor`$. Errors on $`v = 0`$.
    pub fn len(v: u64) -> Result<usize, CodecError> {
        if v == 0 {
            return Err(zero_error());
        }
        let n = floor_log2(v) as u64;
        Ok(n as usize + EliasGamma::len(n + 1)?)
    }

    /// Writes $`v \ge 1`$ (all or nothing).
    pub fn encode(w: &mut BitWriter, v: u64) -> Result<(), CodecError> {
        w.ensure_room(Self::len(v)?)?;
        let n = floor_log2(v);
        EliasGamma::encode(w, u64::from(n) + 1)?;
        w.push_unchecked(reversed_low_bits(v, n), n);
        Ok(())
    }

    /// Reads one value. On error the reader does not move.
    pub fn decode(r: &mut BitReader<'_>) -> Result<u64, CodecError> {
        r.rewind_on_error(|r| {
            let l = EliasGamma::decode(r)?;
            if l > 64 {
                return Err(CodecError::InvalidCodeword("Elias delta length over 64"));
            }
            let n = (l - 1) as u32;
            let low = reversed_low_bits(r.read_bits(n)?, n);
            Ok((1u64 << n) | low)
        })
    }
}
