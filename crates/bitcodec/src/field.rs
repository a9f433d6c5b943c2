//! [`Field`]: the unsigned integer types that bulk field writes and reads accept.

use std::ops::BitOr;

use crate::CodecError;

mod sealed {
    pub trait Sealed {}
    impl Sealed for u8 {}
    impl Sealed for u16 {}
    impl Sealed for u32 {}
    impl Sealed for u64 {}
}

/// An unsigned integer type that can hold one fixed-width field: `u8`, `u16`, `u32` or `u64`.
///
/// [`BitWriter::write_fields`](crate::BitWriter::write_fields) packs slices of any of them, and
/// [`BitReader::read_fields`](crate::BitReader::read_fields) unpacks into them, so a quantizer
/// that keeps its indices as `u8` needs no conversion pass. The trait is sealed.
///
/// ```
/// use bitcodec::BitWriter;
/// let levels: Vec<u8> = vec![3, 0, 2, 1, 3];
/// let mut w = BitWriter::new();
/// w.write_fields(&levels, 2)?;
/// let mut back = [0u8; 5];
/// w.finish().reader().read_fields(&mut back, 2)?;
/// assert_eq!(back.as_slice(), levels.as_slice());
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
pub trait Field: Copy + Default + BitOr<Output = Self> + sealed::Sealed {
    /// Width of the type in bits: the widest field it can receive from a read.
    const BITS: u32;

    /// The value, widened.
    fn to_u64(self) -> u64;

    /// The low [`Field::BITS`] bits of `v`.
    fn from_u64_truncating(v: u64) -> Self;

    /// The slice as bytes, if `Self` is `u8` (lets the packing kernels use byte-parallel
    /// arithmetic on the narrowest fields).
    #[doc(hidden)]
    fn as_bytes(_values: &[Self]) -> Option<&[u8]> {
        None
    }

    /// The slice as mutable bytes, if `Self` is `u8`.
    #[doc(hidden)]
    fn as_bytes_mut(_values: &mut [Self]) -> Option<&mut [u8]> {
        None
    }
}

macro_rules! impl_field {
    ($($t:ty),*) => {$(
        impl Field for $t {
            const BITS: u32 = <$t>::BITS;

            #[inline(always)]
            fn to_u64(self) -> u64 {
                u64::from(self)
            }

            #[inline(always)]
            fn from_u64_truncating(v: u64) -> Self {
                // Truncation is the documented behaviour; callers pass values that fit.
                v as $t
            }
        }
    )*};
}

impl_field!(u16, u32, u64);

impl Field for u8 {
    const BITS: u32 = u8::BITS;

    #[inline(always)]
    fn to_u64(self) -> u64 {
        u64::from(self)
    }

    #[inline(always)]
    fn from_u64_truncating(v: u64) -> Self {
        v as u8
    }

    #[inline(always)]
    fn as_bytes(values: &[Self]) -> Option<&[u8]> {
        Some(values)
    }

    #[inline(always)]
    fn as_bytes_mut(values: &mut [Self]) -> Option<&mut [u8]> {
        Some(values)
    }
}

/// Checks a field width against the widest field the type `T` holds.
pub(crate) fn check_width<T: Field>(width: u32) -> Result<(), CodecError> {
    if width > T::BITS {
        Err(CodecError::InvalidWidth {
            width,
            max: T::BITS,
        })
    } else {
        Ok(())
    }
}

/// Checks that every value fits in `width` bits; names the first that does not.
pub(crate) fn check_values_fit<T: Field>(values: &[T], width: u32) -> Result<(), CodecError> {
    if width >= T::BITS {
        return Ok(());
    }
    // One vectorisable pass in the values' own type; the offending value is looked up only
    // on failure.
    let all = values.iter().fold(T::default(), |acc, &v| acc | v);
    if all.to_u64() >> width == 0 {
        return Ok(());
    }
    match values.iter().map(|v| v.to_u64()).find(|&v| v >> width != 0) {
        Some(value) => Err(CodecError::ValueTooWide { value, width }),
        None => Ok(()),
    }
}
