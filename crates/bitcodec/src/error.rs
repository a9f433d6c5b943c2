//! The one error type of `bitcodec`.

use thiserror::Error;

/// Everything that can go wrong while writing or reading a bit string.
///
/// Decoders return these on truncated or corrupted input; they never panic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    /// A write would take the message past the writer's capacity (its bit budget).
    /// The message is left unchanged.
    #[error("bit budget exceeded: {requested} bits requested, {remaining} remaining")]
    BudgetExceeded {
        /// Bits the write needed.
        requested: usize,
        /// Bits left under the capacity.
        remaining: usize,
    },
    /// A message without a capacity could not grow: the memory for `requested` more bits
    /// could not be allocated (e.g. a unary codeword of $`2^{60}`$ bits).
    #[error("cannot allocate {requested} more bits for the message")]
    OutOfMemory {
        /// Bits the write needed.
        requested: usize,
    },
    /// A read asked for more bits than the message still holds.
    #[error("unexpected end of message: {requested} bits requested, {remaining} remaining")]
    UnexpectedEnd {
        /// Bits the read needed.
        requested: usize,
        /// Bits left in the message.
        remaining: usize,
    },
    /// A field width larger than the field type holds (64 for `u64`, 8 for `u8`, ...).
    #[error("invalid field width {width} (must be at most {max})")]
    InvalidWidth {
        /// The width asked for.
        width: u32,
        /// The largest width allowed.
        max: u32,
    },
    /// A value does not fit in the requested field width.
    #[error("value {value} does not fit in {width} bits")]
    ValueTooWide {
        /// The value.
        value: u64,
        /// The field width.
        width: u32,
    },
    /// A symbol outside the code's alphabet was given to an encoder.
    #[error("symbol {symbol} outside alphabet of size {alphabet}")]
    SymbolOutOfRange {
        /// The symbol.
        symbol: u64,
        /// The alphabet size.
        alphabet: u64,
    },
    /// The bits read do not form a valid codeword (e.g. a rank past the number of objects).
    #[error("invalid codeword: {0}")]
    InvalidCodeword(&'static str),
    /// A code was constructed with parameters it cannot work with.
    #[error("invalid code parameter: {0}")]
    InvalidParameter(String),
    /// The value given to an encoder is not of the code's shape (wrong length, not sorted, ...).
    #[error("invalid input to encoder: {0}")]
    InvalidInput(String),
}
