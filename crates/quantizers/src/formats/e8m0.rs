//! [`E8m0`]: the OCP Microscaling shared scale, a bare power of two.
//!
//! E8M0 has 8 exponent bits, no sign and no mantissa: code `c` means `X = 2^(c - 127)` for
//! `c = 0..=254`, and `c = 255` (`0xFF`) is NaN. There is no zero. An MX block stores one E8M0
//! scale beside its elements.

use super::minifloat::pow2;
use crate::QuantError;

/// One E8M0 scale `2^(code - 127)`, never the NaN code.
///
/// ```
/// use quantizers::formats::E8m0;
/// let x = E8m0::from_exponent(-3)?;
/// assert_eq!((x.code(), x.value()), (124, 0.125));
/// assert!(E8m0::from_code(0xFF).is_err()); // NaN: only a corrupted message holds it
/// assert!(E8m0::from_exponent(128).is_err());
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct E8m0 {
    code: u8,
}

impl E8m0 {
    /// The exponent bias.
    pub const BIAS: i32 = 127;
    /// The smallest exponent, `-127` (code 0).
    pub const MIN_EXP: i32 = -127;
    /// The largest exponent, `127` (code 254).
    pub const MAX_EXP: i32 = 127;
    /// The NaN code.
    pub const NAN_CODE: u8 = 0xFF;
    /// Bits per scale.
    pub const BITS: u32 = 8;

    /// The scale `2^exp`; errors unless `-127 <= exp <= 127`.
    pub fn from_exponent(exp: i32) -> Result<Self, QuantError> {
        if (Self::MIN_EXP..=Self::MAX_EXP).contains(&exp) {
            Ok(Self {
                code: (exp + Self::BIAS) as u8,
            })
        } else {
            Err(QuantError::OutOfRange {
                what: format!(
                    "E8M0 scale 2^{exp} outside 2^{}..=2^{}",
                    Self::MIN_EXP,
                    Self::MAX_EXP
                ),
            })
        }
    }

    /// The scale with this code; the NaN code is [`QuantError::Corrupt`].
    pub fn from_code(code: u8) -> Result<Self, QuantError> {
        if code == Self::NAN_CODE {
            Err(QuantError::Corrupt("E8M0 scale is NaN (0xFF)".into()))
        } else {
            Ok(Self { code })
        }
    }

    /// The code.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The exponent `code - 127`.
    pub fn exponent(&self) -> i32 {
        i32::from(self.code) - Self::BIAS
    }

    /// The value `2^(code - 127)` (exact in `f64`).
    pub fn value(&self) -> f64 {
        pow2(self.exponent())
    }
}
