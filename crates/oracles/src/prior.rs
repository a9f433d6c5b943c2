//! Priors on the minimizer $`\theta`$ of the quadratic family.
//!
//! The Bayesian lower bounds (van Trees, paper 000 notes §1.1 and §7.2) average over a prior
//! $`\pi`$ on $`\theta`$; an experiment that compares a simulated error with such a bound must
//! draw $`\theta`$ from the same prior. Each coordinate is drawn independently:
//!
//! - $`\cos^2`$ box prior on $`[-b, b]`$: density $`\pi(t) = \frac1b \cos^2(\pi t/(2b))`$, mean 0,
//!   variance $`b^2 (1/3 - 2/\pi^2)`$, Fisher information $`J = \pi^2/b^2`$ per coordinate
//!   ([`Prior::CosSquaredBox`]);
//! - Gaussian $`\mathcal{N}(0, s^2)`$, $`J = 1/s^2`$ per coordinate ([`Prior::Gaussian`], field
//!   `s2` $`= s^2`$);
//! - a point mass at a given vector ([`Prior::Fixed`]), for frequentist experiments.
//!
//! ```
//! use oracles::Prior;
//! use rand::SeedableRng;
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
//! let theta = Prior::CosSquaredBox { b: 2.0 }.sample(5, &mut rng)?;
//! assert!(theta.iter().all(|t| t.abs() <= 2.0));
//! # Ok::<(), oracles::OracleError>(())
//! ```

use std::f64::consts::PI;

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::OracleError;
use crate::limits::check_entries;

/// A product prior on $`\theta \in \mathbb{R}^d`$.
#[derive(Debug, Clone, PartialEq)]
pub enum Prior {
    /// Density $`\frac1b \cos^2(\pi t/(2b))`$ on $`[-b, b]`$ per coordinate, $`b > 0`$.
    CosSquaredBox {
        /// Half-width $`b`$ of the box.
        b: f64,
    },
    /// The Gaussian $`\mathcal{N}(0, s^2)`$ per coordinate, $`s^2`$ = `s2` $`> 0`$.
    Gaussian {
        /// The variance $`s^2`$.
        s2: f64,
    },
    /// The point mass at this vector (finite entries).
    Fixed(Vec<f64>),
}

impl Prior {
    /// Checks the prior's parameters for dimension $`d \ge 1`$.
    pub fn validate(&self, d: usize) -> Result<(), OracleError> {
        if d == 0 {
            return Err(OracleError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        check_entries(d, "prior sample")?;
        match self {
            Prior::CosSquaredBox { b } if !(b.is_finite() && *b > 0.0) => Err(
                OracleError::InvalidParameter(format!("cos^2 prior needs 0 < b < inf, got {b}")),
            ),
            Prior::Gaussian { s2 } if !(s2.is_finite() && *s2 > 0.0) => {
                Err(OracleError::InvalidParameter(format!(
                    "Gaussian prior needs 0 < s2 < inf, got {s2}"
                )))
            }
            Prior::Fixed(v) if v.len() != d => Err(OracleError::DimensionMismatch {
                expected: d,
                got: v.len(),
            }),
            Prior::Fixed(v) => match v.iter().position(|t| !t.is_finite()) {
                Some(i) => Err(OracleError::InvalidParameter(format!(
                    "fixed prior: theta[{i}] is not finite"
                ))),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// Draws $`\theta \in \mathbb{R}^d`$, coordinates independent.
    ///
    /// The $`\cos^2`$ prior is sampled exactly by rejection from the uniform law on $`[-b, b]`$,
    /// accepting $`t`$ with probability $`\cos^2(\pi t/(2b))`$ (the density ratio to its
    /// maximum; two proposals per coordinate on average).
    pub fn sample<R: Rng + ?Sized>(&self, d: usize, rng: &mut R) -> Result<Vec<f64>, OracleError> {
        self.validate(d)?;
        Ok(match self {
            Prior::CosSquaredBox { b } => (0..d).map(|_| sample_cos_squared(*b, rng)).collect(),
            Prior::Gaussian { s2 } => {
                let s = s2.sqrt();
                (0..d)
                    .map(|_| {
                        let z: f64 = StandardNormal.sample(rng);
                        s * z
                    })
                    .collect()
            }
            Prior::Fixed(v) => v.clone(),
        })
    }

    /// The per-coordinate mean (the fixed vector's entries for [`Prior::Fixed`], else 0).
    pub fn mean(&self, d: usize) -> Result<Vec<f64>, OracleError> {
        self.validate(d)?;
        Ok(match self {
            Prior::Fixed(v) => v.clone(),
            _ => vec![0.0; d],
        })
    }

    /// The per-coordinate variance: $`b^2 (1/3 - 2/\pi^2)`$, $`s^2`$, or 0.
    pub fn coordinate_variance(&self) -> f64 {
        match self {
            Prior::CosSquaredBox { b } => b * b * (1.0 / 3.0 - 2.0 / (PI * PI)),
            Prior::Gaussian { s2 } => *s2,
            Prior::Fixed(_) => 0.0,
        }
    }

    /// A bound on $`\max_i |\theta_i|`$ that holds almost surely, if there is one: $`b`$ for the
    /// box prior, the largest $`|\theta_i|`$ for a fixed vector, `None` for the Gaussian.
    pub fn support_bound(&self) -> Option<f64> {
        match self {
            Prior::CosSquaredBox { b } => Some(*b),
            Prior::Gaussian { .. } => None,
            Prior::Fixed(v) => Some(v.iter().fold(0.0, |m, t| m.max(t.abs()))),
        }
    }
}

/// One draw from $`\frac1b \cos^2(\pi t/(2b))`$ on $`[-b, b]`$ by uniform rejection.
fn sample_cos_squared<R: Rng + ?Sized>(b: f64, rng: &mut R) -> f64 {
    loop {
        // u in [0, 1) gives t in [-b, b); the endpoint has density zero, so this is exact.
        let t = b * (2.0 * rng.random::<f64>() - 1.0);
        let c = (PI * t / (2.0 * b)).cos();
        if rng.random::<f64>() < c * c {
            return t;
        }
    }
}
