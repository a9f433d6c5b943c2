//! The one error type of `optimizers`.

use bitcodec::CodecError;
use oracles::OracleError;
use quantizers::QuantError;
use thiserror::Error;

/// Everything that can go wrong while configuring or running an optimizer.
///
/// Configuration errors (dimensions, parameters, budgets) are returned before the first round;
/// run-time errors name the round where they happened when the round is what matters (a message
/// over budget).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum OptError {
    /// A quantizer rejected its input, its parameters or a message.
    #[error(transparent)]
    Quant(#[from] QuantError),
    /// An oracle rejected a query or a parameter.
    #[error(transparent)]
    Oracle(#[from] OracleError),
    /// Writing or reading bits failed outside a quantizer.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// Two parts of a run disagree on the dimension.
    #[error("dimension mismatch: {what} has dimension {got}, expected {expected}")]
    DimensionMismatch {
        /// The part whose dimension is wrong.
        what: &'static str,
        /// The dimension of the run (the oracle's).
        expected: usize,
        /// The dimension found.
        got: usize,
    },
    /// A parameter is invalid (zero rounds, a non-positive or non-finite step, an empty
    /// worker set, ...).
    #[error("invalid parameter: {0}")]
    InvalidParameter(String),
    /// The budget cannot hold the longest message the scheme declares it may write;
    /// detected before the first round.
    #[error("budget of {budget} bits is below the {needed} bits {scheme} may write per message")]
    BudgetTooSmall {
        /// The scheme's name.
        scheme: String,
        /// The scheme's declared maximum message length.
        needed: usize,
        /// The budget per message.
        budget: usize,
    },
    /// A message did not fit in the budget (schemes of variable length are checked as they run).
    #[error(
        "round {round}, worker {worker}: message needs at least {bits} bits, budget is {budget}"
    )]
    BudgetExceeded {
        /// The round of the message.
        round: u64,
        /// The worker that sent it.
        worker: u32,
        /// A lower bound on the bits the message needed.
        bits: usize,
        /// The budget per message.
        budget: usize,
    },
    /// The iterate left the finite numbers (a step too long, a diverging method).
    #[error("round {round}: the iterate is no longer finite")]
    Diverged {
        /// The round whose update produced the non-finite iterate.
        round: u64,
    },
}

/// Checks that `x` is non-empty and finite; `what` names it in the error.
pub(crate) fn check_point(what: &str, x: &[f64]) -> Result<(), OptError> {
    if x.is_empty() {
        return Err(OptError::InvalidParameter(format!(
            "{what} must have at least one coordinate"
        )));
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(OptError::InvalidParameter(format!(
            "{what}[{i}] = {} is not finite",
            x.get(i).copied().unwrap_or(f64::NAN)
        ))),
        None => Ok(()),
    }
}

/// Checks that a buffer has the run's dimension.
pub(crate) fn check_dim(what: &'static str, expected: usize, got: usize) -> Result<(), OptError> {
    if expected == got {
        Ok(())
    } else {
        Err(OptError::DimensionMismatch {
            what,
            expected,
            got,
        })
    }
}

/// Checks that a real parameter is finite and positive.
pub(crate) fn check_positive(what: &str, v: f64) -> Result<(), OptError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(OptError::InvalidParameter(format!(
            "{what} must be positive and finite, got {v}"
        )))
    }
}
