//! The one error type of `bounds`.

use thiserror::Error;

/// Everything that can be wrong with the parameters of a bound.
///
/// Every public function of this crate validates its inputs and returns one of these instead of
/// panicking or returning NaN. The `name` fields use the parameter names of the documentation
/// (`d`, `bits`, `sigma`, `mse`, `rho`, ...).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BoundError {
    /// A real parameter is NaN or infinite.
    #[error("{name} must be finite, got {value}")]
    NonFinite {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A parameter that must be strictly positive is zero or negative
    /// ($`\sigma \le 0`$, a target MSE $`\le 0`$, $`B = 0`$ bits, ...).
    #[error("{name} must be positive, got {value}")]
    NotPositive {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A parameter that must be non-negative is negative (an information, a drift variance, ...).
    #[error("{name} must be non-negative, got {value}")]
    Negative {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
    },
    /// A count that must be at least one is zero ($`d = 0`$, $`n = 0`$, ...).
    #[error("{name} must be at least 1")]
    Zero {
        /// The parameter.
        name: &'static str,
    },
    /// A parameter lies outside the range where the formula is defined
    /// ($`|\rho| \ge 1`$, $`p < 1`$, a probability above 1, $`d < 8`$ for a packing, ...).
    #[error("{name} = {value} is outside the valid range {range}")]
    OutOfRange {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The valid range, in words.
        range: &'static str,
    },
    /// Quantizer thresholds are not strictly increasing.
    #[error("thresholds must be strictly increasing: t[{index}] = {value} follows {previous}")]
    NotIncreasing {
        /// Index of the first offending threshold.
        index: usize,
        /// That threshold.
        value: f64,
        /// The threshold before it.
        previous: f64,
    },
    /// A guarantee needs more rounds than were given (e.g. fewer rounds than it takes to visit
    /// every coordinate once).
    #[error("{rounds} rounds are too few: the guarantee needs at least {needed}")]
    TooFewRounds {
        /// The rounds given.
        rounds: u64,
        /// The fewest rounds for which the guarantee is finite.
        needed: u64,
    },
    /// A result does not fit its return type (a round count above `u64::MAX`, a grid of more
    /// than $`2^{64}`$ levels, ...).
    #[error("{what} is too large to represent")]
    Overflow {
        /// What overflowed.
        what: &'static str,
    },
}

/// The result type of this crate.
pub type Result<T> = std::result::Result<T, BoundError>;
