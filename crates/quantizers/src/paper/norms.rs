//! Norms of an input vector, and the slack allowed at the boundary of a norm ball.
//!
//! The paper's schemes accept inputs in a ball (`||Y||_1 <= B` for SimQ, `||Y||_q <= B` for
//! SimQ+ and the split quantizer, `||Y||_2 <= B` for RATQ). A norm computed in floating point
//! carries a relative error of order `d 2^-53`, so an input normalised to the boundary may
//! come out a few ulps outside it; [`NORM_SLACK`] admits those and nothing else.

use crate::{QuantError, Scalar};

/// Relative slack at a norm-ball boundary: `||y|| <= B (1 + NORM_SLACK)` is admitted.
///
/// Floating-point norms of vectors up to ~10^6 coordinates are accurate to far better than
/// this, so only inputs that lie on the boundary in exact arithmetic use it; the schemes
/// treat such inputs as lying on the boundary (the effect on the output is below `1e-9`
/// relative).
pub const NORM_SLACK: f64 = 1e-9;

/// `||x||_q` for `q` in `[1, inf]`, computed with a scale so that no square or power
/// overflows or underflows.
pub(crate) fn lq_norm<T: Scalar>(x: &[T], q: f64) -> f64 {
    let max = x.iter().fold(0.0f64, |m, v| m.max(v.to_f64().abs()));
    if max == 0.0 || q == f64::INFINITY {
        return max;
    }
    if q == 1.0 {
        return x.iter().map(|v| v.to_f64().abs()).sum();
    }
    let inv = 1.0 / max;
    let sum: f64 = if q == 2.0 {
        x.iter()
            .map(|v| {
                let t = v.to_f64() * inv;
                t * t
            })
            .sum()
    } else {
        x.iter().map(|v| (v.to_f64().abs() * inv).powf(q)).sum()
    };
    max * sum.powf(1.0 / q)
}

/// Errors unless `norm <= bound (1 + NORM_SLACK)`.
pub(crate) fn check_ball(norm: f64, bound: f64, which: &str) -> Result<(), QuantError> {
    if norm <= bound * (1.0 + NORM_SLACK) {
        Ok(())
    } else {
        Err(QuantError::OutOfRange {
            what: format!("{which} = {norm} exceeds the bound {bound}"),
        })
    }
}

/// A validated Hölder exponent in `[1, inf]`.
pub(crate) fn check_exponent(q: f64, what: &str) -> Result<(), QuantError> {
    if q >= 1.0 {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "{what} must lie in [1, inf], got {q}"
        )))
    }
}

/// A validated positive finite parameter.
pub(crate) fn check_positive(v: f64, what: &str) -> Result<(), QuantError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "{what} must be a positive finite number, got {v}"
        )))
    }
}

/// The largest dimension (and SimQ+ repetition count) the paper's schemes accept: `2^40`.
/// Far beyond any gradient, and small enough that no bit count can overflow.
pub const MAX_DIM: usize = 1 << 40;

/// A validated dimension in `1..=MAX_DIM`.
pub(crate) fn check_dim(dim: usize) -> Result<(), QuantError> {
    if dim == 0 || dim > MAX_DIM {
        Err(QuantError::InvalidParameter(format!(
            "dimension must be in 1..={MAX_DIM}, got {dim}"
        )))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norms_agree_with_their_definitions() {
        let x = [3.0f64, -4.0, 0.0];
        assert_eq!(lq_norm(&x, 1.0), 7.0);
        assert!((lq_norm(&x, 2.0) - 5.0).abs() < 1e-15);
        assert_eq!(lq_norm(&x, f64::INFINITY), 4.0);
        let l3 = (27.0f64 + 64.0).powf(1.0 / 3.0);
        assert!((lq_norm(&x, 3.0) - l3).abs() < 1e-14);
        assert_eq!(lq_norm(&[0.0f32; 4], 2.0), 0.0);
    }

    #[test]
    fn norms_of_huge_and_tiny_vectors_do_not_overflow() {
        assert!((lq_norm(&[1e300f64, 1e300], 2.0) / 1e300 - 2f64.sqrt()).abs() < 1e-15);
        assert!((lq_norm(&[1e-300f64, 1e-300], 2.0) / 1e-300 - 2f64.sqrt()).abs() < 1e-15);
    }
}
