//! Fixed-width integers: `width` $`= w`$ bits, any value below $`2^w`$.

use crate::field::check_width;
use crate::{BitReader, BitWriter, CodecError, Field};

/// A field of exactly $`w`$ = `width` bits, $`0 \le w \le 64`$.
///
/// ```
/// use bitcodec::{BitWriter, FixedWidth};
/// let code = FixedWidth::new(5)?;
/// let mut w = BitWriter::new();
/// code.encode(&mut w, 17)?;
/// assert_eq!(w.len(), code.len());
/// assert_eq!(code.decode(&mut w.finish().reader())?, 17);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedWidth {
    width: u32,
}

impl FixedWidth {
    /// A code of `width` bits; errors if `width > 64`.
    pub fn new(width: u32) -> Result<Self, CodecError> {
        check_width::<u64>(width)?;
        Ok(Self { width })
    }

    /// The exact length of every codeword, in bits.
    pub fn len(&self) -> usize {
        self.width as usize
    }

    /// Whether codewords are empty (width 0).
    pub fn is_empty(&self) -> bool {
        self.width == 0
    }

    /// Writes `value`, which must be below $`2^w`$.
    pub fn encode(&self, w: &mut BitWriter, value: u64) -> Result<(), CodecError> {
        w.write_bits(value, self.width)
    }

    /// Reads one value.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<u64, CodecError> {
        r.read_bits(self.width)
    }

    /// Writes every value of `values` (each below $`2^w`$), all or nothing, through the
    /// word-packing fast path [`BitWriter::write_fields`]: $`m w`$ bits for $`m`$ values.
    pub fn encode_all<T: Field>(&self, w: &mut BitWriter, values: &[T]) -> Result<(), CodecError> {
        w.write_fields(values, self.width)
    }

    /// Reads `out.len()` values, all or nothing (see [`BitReader::read_fields`]).
    pub fn decode_all<T: Field>(
        &self,
        r: &mut BitReader<'_>,
        out: &mut [T],
    ) -> Result<(), CodecError> {
        r.read_fields(out, self.width)
    }
}
