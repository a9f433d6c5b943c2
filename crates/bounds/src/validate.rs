//! Parameter checks shared by every bound: each returns the value or the matching [`BoundError`].

use crate::error::{BoundError, Result};

/// Checks that $`x`$ is finite.
pub(crate) fn finite(name: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(BoundError::NonFinite { name, value })
    }
}

/// Checks that $`x`$ is finite and $`> 0`$.
pub(crate) fn positive(name: &'static str, value: f64) -> Result<f64> {
    finite(name, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(BoundError::NotPositive { name, value })
    }
}

/// Checks that $`x`$ is finite and $`\ge 0`$.
pub(crate) fn non_negative(name: &'static str, value: f64) -> Result<f64> {
    finite(name, value)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(BoundError::Negative { name, value })
    }
}

/// A count that must be at least one, returned as `f64` for the formulas.
pub(crate) fn count<N: Into<u64>>(name: &'static str, n: N) -> Result<f64> {
    let n = n.into();
    if n == 0 {
        Err(BoundError::Zero { name })
    } else {
        // Counts above 2^53 lose integer exactness, which is harmless in these formulas.
        Ok(n as f64)
    }
}

/// A dimension $`d \ge 1`$, returned as `f64`.
pub(crate) fn dimension(d: usize) -> Result<f64> {
    count("d", d as u64)
}

/// A noise level $`\sigma > 0`$, returned squared.
pub(crate) fn sigma_squared(sigma: f64) -> Result<f64> {
    let s = positive("sigma", sigma)?;
    let s2 = s * s;
    if s2.is_finite() && s2 > 0.0 {
        Ok(s2)
    } else {
        // sigma itself was fine but its square over- or underflows.
        Err(BoundError::OutOfRange {
            name: "sigma",
            value: sigma,
            range: "sigma^2 must be a positive finite f64",
        })
    }
}

/// A correlation $`|\rho| < 1`$.
pub(crate) fn correlation(rho: f64) -> Result<f64> {
    finite("rho", rho)?;
    if rho.abs() < 1.0 {
        Ok(rho)
    } else {
        Err(BoundError::OutOfRange {
            name: "rho",
            value: rho,
            range: "(-1, 1)",
        })
    }
}

/// A probability in $`[0, 1]`$.
pub(crate) fn probability(name: &'static str, p: f64) -> Result<f64> {
    finite(name, p)?;
    if (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(BoundError::OutOfRange {
            name,
            value: p,
            range: "[0, 1]",
        })
    }
}

/// A computed result must be finite; otherwise an input was so extreme that the value overflowed.
pub(crate) fn finite_result(what: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(BoundError::Overflow { what })
    }
}
