//! [`Overflow`]: what a conversion does with a finite value beyond the format's range.
//!
//! OCP OFP8 defines two conversion modes. **Saturating** (NVIDIA `SATFINITE`): a finite value
//! that rounds past the largest finite magnitude `max` becomes `±max`. **Non-saturating**: it
//! becomes NaN (E4M3, which has no infinities) or `±Inf` (E5M2, FP16, BF16). A quantizer never
//! puts NaN or Inf into a message, so in non-saturating mode it refuses the input instead
//! ([`QuantError::OutOfRange`](crate::QuantError::OutOfRange)); in saturating mode it clips and
//! counts the clipped coordinates in [`EncodeStats::clipped`](crate::EncodeStats::clipped).
//!
//! "Rounds past `max`" depends on the rounding: with nearest-even a value overflows when
//! rounding it with an unbounded exponent gives more than `max` (IEEE 754 §7.4), so for E4M3
//! `448 <= |v| <= 464` gives 448 (464 is the tie between 448 and the would-be 480, and 448 is
//! the even one) and `|v| > 464` overflows; for E5M2 the tie 61440 goes to the would-be 65536
//! and overflows. With stochastic rounding any `|v| > max` could round past `max`, so the range
//! is `[-max, max]`.

use std::fmt;

/// The overflow mode of a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Overflow {
    /// Values beyond the range become `±max` (clipped, and counted by quantizers).
    Saturate,
    /// Values beyond the range are an error: the format would carry NaN or Inf.
    NonSaturating,
}

impl fmt::Display for Overflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Overflow::Saturate => "sat",
            Overflow::NonSaturating => "nonsat",
        })
    }
}
