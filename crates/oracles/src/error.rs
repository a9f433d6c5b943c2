//! The one error type of `oracles`.

use thiserror::Error;

/// Everything that can go wrong while building or querying an oracle.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum OracleError {
    /// A query point or output buffer does not have the oracle's dimension.
    #[error("dimension mismatch: expected {expected}, got {got}")]
    DimensionMismatch {
        /// The oracle's dimension.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// A query point has a NaN or infinite coordinate.
    #[error("non-finite query at coordinate {index}")]
    NonFinite {
        /// The first offending coordinate.
        index: usize,
    },
    /// A gradient left the oracle's declared dynamic range (bounded oracles never clip).
    #[error("gradient coordinate {index} = {value} outside the declared range [-{range}, {range}]")]
    OutOfRange {
        /// The coordinate.
        index: usize,
        /// Its value.
        value: f64,
        /// The declared range $`R`$.
        range: f64,
    },
    /// A query point lies outside the oracle's declared domain (see [`crate::BoxDomain`]).
    #[error("query coordinate {index} = {value} outside the domain [-{radius}, {radius}]")]
    OutsideDomain {
        /// The first offending coordinate.
        index: usize,
        /// Its value.
        value: f64,
        /// The domain's box radius.
        radius: f64,
    },
    /// A constructor parameter is invalid.
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// A Matrix Market file is malformed.
    #[error("Matrix Market line {line}: {message}")]
    Parse {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Reading a file failed.
    #[error("i/o error: {0}")]
    Io(String),
}
