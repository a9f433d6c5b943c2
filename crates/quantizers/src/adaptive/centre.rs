//! [`Centre`]: the public prediction `c` of the input, checked against the dimension.
//!
//! `PublicState::centre` is the vector the decoder expects (for the Gaussian reduction with
//! queries at the current estimate, the expected gradient `0`); `None` means the zero vector.
//! Adaptive schemes quantize `y - c` and decode to `c + (decoded offset)`, and leave coordinates
//! a round does not describe at `c`.

use crate::{PublicState, QuantError, first_non_finite};

/// A checked centre: `None` is the zero vector.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Centre<'a>(Option<&'a [f64]>);

impl<'a> Centre<'a> {
    /// The state's centre, which must have `dim` finite coordinates if present.
    pub(crate) fn from_state(state: &PublicState<'a>, dim: usize) -> Result<Self, QuantError> {
        if let Some(c) = state.centre {
            if c.len() != dim {
                return Err(QuantError::DimensionMismatch {
                    expected: dim,
                    got: c.len(),
                });
            }
            if let Some(i) = first_non_finite(c) {
                return Err(QuantError::InvalidParameter(format!(
                    "public centre coordinate {i} is not finite"
                )));
            }
        }
        Ok(Self(state.centre))
    }

    /// `c_i` (0 without a centre).
    #[inline]
    pub(crate) fn at(&self, i: usize) -> f64 {
        self.0.and_then(|c| c.get(i)).copied().unwrap_or(0.0)
    }

    /// Sets `out` to the centre.
    pub(crate) fn fill(&self, out: &mut [f64]) {
        match self.0 {
            Some(c) => out.iter_mut().zip(c).for_each(|(o, &v)| *o = v),
            None => out.fill(0.0),
        }
    }
}
