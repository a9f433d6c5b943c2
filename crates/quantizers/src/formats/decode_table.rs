//! [`DecodeTable`]: the value of every code of a format of at most 8 bits, for table-driven decoding.
//!
//! A format of `w <= 8` bits has `2^w <= 256` codes; decoding a message is then one lookup per
//! coordinate. NaN and infinity codes are kept as such in the table and reported by
//! [`DecodeTable::finite`] as `None`, so a decoder can reject them as corruption.

use super::Minifloat;
use crate::QuantError;

/// The `2^w` values of a format of `w <= 8` bits, indexed by code.
///
/// ```
/// use quantizers::formats::{DecodeTable, Minifloat};
/// let t = DecodeTable::new(&Minifloat::E2M1)?;
/// assert_eq!(t.len(), 16);
/// assert_eq!(t.finite(0b0111), Some(6.0));
/// assert_eq!(t.finite(0b1001), Some(-0.5));
/// let e4m3 = DecodeTable::new(&Minifloat::E4M3)?;
/// assert_eq!(e4m3.finite(0x7F), None); // NaN
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeTable {
    values: Box<[f64]>,
}

impl DecodeTable {
    /// Widest format a table is built for.
    pub const MAX_WIDTH: u32 = 8;

    /// The table of `format`; errors if the format is wider than [`DecodeTable::MAX_WIDTH`] bits.
    pub fn new(format: &Minifloat) -> Result<Self, QuantError> {
        let w = format.width();
        if w > Self::MAX_WIDTH {
            return Err(QuantError::InvalidParameter(format!(
                "a decode table holds formats of at most {} bits, {format} has {w}",
                Self::MAX_WIDTH
            )));
        }
        let values = (0..1u32 << w).map(|c| format.decode(c)).collect();
        Ok(Self { values })
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the table is empty (never, for a valid format).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The value of `code` (NaN and infinities included); `None` past the table.
    #[inline]
    pub fn get(&self, code: u32) -> Option<f64> {
        self.values.get(code as usize).copied()
    }

    /// Every value, indexed by code.
    #[inline]
    pub(crate) fn values(&self) -> &[f64] {
        &self.values
    }

    /// The 256 values of an 8-bit format, for lookups without bounds checks.
    #[inline]
    pub(crate) fn as_bytes_table(&self) -> Option<&[f64; 256]> {
        self.values.as_ref().try_into().ok()
    }

    /// The value of `code` if it is a finite number.
    #[inline]
    pub fn finite(&self, code: u32) -> Option<f64> {
        self.get(code).filter(|v| v.is_finite())
    }
}
