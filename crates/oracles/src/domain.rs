//! The box domain $`X = \{x : \|x\|_\infty \le r\}`$ of the constrained oracles.
//!
//! Some oracles only answer queries in a box: the bounded-range oracle declares its dynamic range
//! $`R`$ for queries in $`[-r, r]^d`$, and the $`\ell_p`$ lower-bound constructions of the SimQ
//! paper live on $`X = \{\|x\|_\infty \le D/(2 d^{1/p})\}`$. [`BoxDomain`] is that box; projected
//! methods read it from [`crate::Oracle::domain`] and call [`BoxDomain::project`].

use crate::OracleError;

/// The centred box $`\{x : |x_i| \le r \text{ for every } i\}`$, $`r`$ = `radius`.
///
/// ```
/// use oracles::BoxDomain;
/// let dom = BoxDomain::new(1.0)?;
/// let mut x = [0.5, -3.0];
/// dom.project(&mut x);
/// assert_eq!(x, [0.5, -1.0]);
/// assert!(dom.check(&x).is_ok());
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoxDomain {
    radius: f64,
}

impl BoxDomain {
    /// The box of half-width `radius` (finite, $`\ge 0`$; 0 admits only the origin).
    pub fn new(radius: f64) -> Result<Self, OracleError> {
        if radius.is_finite() && radius >= 0.0 {
            Ok(Self { radius })
        } else {
            Err(OracleError::InvalidParameter(format!(
                "box radius must be finite and non-negative, got {radius}"
            )))
        }
    }

    /// The half-width $`r`$.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    /// Whether every coordinate of `x` lies in $`[-r, r]`$ (false for NaN coordinates).
    pub fn contains(&self, x: &[f64]) -> bool {
        x.iter().all(|v| v.abs() <= self.radius)
    }

    /// `Ok` if `x` lies in the box, else [`OracleError::OutsideDomain`] naming the first
    /// offending coordinate.
    pub fn check(&self, x: &[f64]) -> Result<(), OracleError> {
        match x.iter().position(|v| v.is_nan() || v.abs() > self.radius) {
            None => Ok(()),
            Some(index) => Err(OracleError::OutsideDomain {
                index,
                value: x.get(index).copied().unwrap_or(f64::NAN),
                radius: self.radius,
            }),
        }
    }

    /// Euclidean projection onto the box (coordinate-wise clamp), in place. NaN stays NaN.
    pub fn project(&self, x: &mut [f64]) {
        for v in x {
            *v = v.clamp(-self.radius, self.radius);
        }
    }
}
