//! The code of SimQ+'s message body: the type (multiset) of `k` draws over `n` symbols.
//!
//! All of SimQ+'s type coding goes through [`TypeCode`], so that a faster coder can replace
//! the exact one without touching the quantizer. The current coder is
//! [`bitcodec::MultisetCode`]: exactly `ceil(log2 C(n + k - 1, k))` bits via the
//! combinatorial number system on big integers. Its rank and unrank take `O(n + k)`
//! big-integer steps on numbers of `O(k log(n/k + 1))` bits, so `O(k (n + k))` word
//! operations: quadratic at `k ~ n`. A near-linear replacement (arithmetic coding of the
//! counts with exact integer frequencies, or a divide-and-conquer rank) would keep the same
//! interface: sorted draws in, sorted draws out, an exact `len`.

use bitcodec::{BitReader, BitWriter, MultisetCode};

use crate::QuantError;

/// The type of `k` draws over `n` symbols, written and read as a non-decreasing list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TypeCode {
    code: MultisetCode,
}

impl TypeCode {
    /// The code for `draws` draws over `symbols` symbols.
    pub(crate) fn new(symbols: u64, draws: u64) -> Result<Self, QuantError> {
        Ok(Self {
            code: MultisetCode::new(symbols, draws)?,
        })
    }

    /// Exact bits of every type: `ceil(log2 C(n + k - 1, k))`.
    pub(crate) fn len(&self) -> usize {
        self.code.len()
    }

    /// Writes a non-decreasing list of `k` draws below `n`, all or nothing.
    pub(crate) fn write(&self, w: &mut BitWriter, sorted: &[u64]) -> Result<(), QuantError> {
        Ok(self.code.encode_sorted(w, sorted)?)
    }

    /// Reads a type as its non-decreasing list of draws.
    pub(crate) fn read(&self, r: &mut BitReader<'_>) -> Result<Vec<u64>, QuantError> {
        Ok(self.code.decode_sorted(r)?)
    }
}
