//! The one error type of `quantizers`.

use bitcodec::CodecError;
use thiserror::Error;

/// Everything that can go wrong while configuring, encoding or decoding a quantizer.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum QuantError {
    /// Writing or reading bits failed: budget exceeded, truncated or corrupted message.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// The input (or output buffer) does not have the quantizer's dimension.
    #[error("dimension mismatch: expected {expected}, got {got}")]
    DimensionMismatch {
        /// The quantizer's dimension.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// An input coordinate is NaN or infinite.
    #[error("non-finite input at coordinate {index}")]
    NonFinite {
        /// The first offending coordinate.
        index: usize,
    },
    /// An input lies outside the scheme's declared range (e.g. `|y_i| > M` for CUQ, or
    /// `||y||_1 > B` for SimQ). Ranged schemes never clip silently.
    #[error("input out of range: {what}")]
    OutOfRange {
        /// What was out of range, with the values.
        what: String,
    },
    /// A parameter given to a constructor is invalid (zero dimension, zero levels, ...).
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The bit budget cannot hold even the smallest message of the scheme.
    #[error("budget of {budget} bits is below the scheme's minimum of {needed} bits")]
    BudgetTooSmall {
        /// Bits the scheme needs.
        needed: usize,
        /// Bits available.
        budget: usize,
    },
    /// The scheme needs public state that was not provided (e.g. the centre of an adaptive scheme).
    #[error("missing public state: {0}")]
    MissingState(&'static str),
    /// The message decoded to something no encoder could have produced.
    #[error("corrupt message: {0}")]
    Corrupt(String),
    /// An ndarray view that is not contiguous in memory.
    #[error("input view is not contiguous")]
    NonContiguous,
}
