//! Parameter and index checks shared by the adaptive schemes.

use crate::QuantError;

/// The error for a schedule index past a checked buffer (unreachable: indices are below `d`).
pub(crate) fn past_end(i: usize) -> QuantError {
    QuantError::Corrupt(format!("coordinate {i} is past the end of the vector"))
}

/// `sigma` must be a positive normal float.
pub(crate) fn check_sigma(sigma: f64) -> Result<f64, QuantError> {
    if sigma.is_normal() && sigma > 0.0 {
        Ok(sigma)
    } else {
        Err(QuantError::InvalidParameter(format!(
            "sigma must be a positive finite number, got {sigma}"
        )))
    }
}
