//! Bounded noise laws with variance $`\sigma^2`$, for the bounded-range oracle.
//!
//! Theorem 4 of paper 000 (notes §2, §8.2) needs an oracle whose gradients have a bounded
//! dynamic range, $`g = x - \theta + \xi`$ with $`|\xi_i| \le c_\xi`$ almost surely. Each law here
//! has mean 0 and variance exactly $`\sigma^2`$, so it can stand in for the Gaussian noise of the
//! lower bound:
//!
//! | law | $`\xi`$ | bound $`c_\xi`$ |
//! |---|---|---|
//! | uniform | uniform on $`[-\sqrt3\, \sigma, \sqrt3\, \sigma]`$ | $`\sqrt3\, \sigma`$ |
//! | Rademacher | $`\pm\sigma`$ with probability 1/2 each | $`\sigma`$ |
//! | truncated Gaussian | $`s Z`$ given $`\lvert Z \rvert \le c`$, $`Z \sim \mathcal{N}(0, 1)`$, with $`s = \sigma/\sqrt{v(c)}`$ | $`c s`$ |
//!
//! where
//!
//! ```math
//! v(c) = \operatorname{Var}(Z \mid |Z| \le c) = 1 - \frac{2 c\, \varphi(c)}{2 \Phi(c) - 1}
//! ```
//!
//! is the variance of the standard normal truncated to $`[-c, c]`$ (so the declared truncation
//! $`c`$ is in units of the untruncated scale $`s`$).

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::OracleError;

/// Below this truncation point the truncated normal is sampled by rejection from the uniform
/// law on $`[-c, c]`$ (acceptance $`\ge e^{-1/2}`$), above it by rejection from
/// $`\mathcal{N}(0, 1)`$ (acceptance $`\ge P(|Z| \le 1) \approx 0.68`$).
const UNIFORM_PROPOSAL_BELOW: f64 = 1.0;

/// Beyond this truncation point $`v(c)`$ equals 1 in double precision ($`1 - v < 10^{-80}`$).
const TRUNCATION_IS_NEGLIGIBLE: f64 = 20.0;

/// Which bounded law.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BoundedNoiseKind {
    /// Uniform on $`[-\sqrt3\, \sigma, \sqrt3\, \sigma]`$.
    Uniform,
    /// Rademacher: $`\pm\sigma`$ with probability 1/2 each.
    Rademacher,
    /// A centred normal truncated at $`c`$ of its own standard deviations, rescaled to
    /// variance $`\sigma^2`$.
    TruncatedGaussian {
        /// The truncation point $`c > 0`$, in units of the untruncated standard deviation.
        c: f64,
    },
}

/// A bounded, centred noise law with variance $`\sigma^2`$ and almost-sure bound
/// [`BoundedNoise::bound`].
///
/// ```
/// use oracles::BoundedNoise;
/// let xi = BoundedNoise::uniform(1.0)?;
/// assert_eq!(xi.bound(), 3f64.sqrt());
/// let t = BoundedNoise::truncated_gaussian(1.0, 2.0)?;
/// assert!(t.bound() > 2.0); // rescaled so that the variance stays 1
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundedNoise {
    kind: BoundedNoiseKind,
    sigma: f64,
    /// Multiplier applied to the unit draw: $`\sqrt3\, \sigma`$, $`\sigma`$, or $`s`$.
    scale: f64,
    bound: f64,
}

impl BoundedNoise {
    /// Uniform noise on $`[-\sqrt3\, \sigma, \sqrt3\, \sigma]`$, `sigma` $`= \sigma \ge 0`$ finite.
    pub fn uniform(sigma: f64) -> Result<Self, OracleError> {
        check_sigma(sigma)?;
        let scale = 3f64.sqrt() * sigma;
        Ok(Self {
            kind: BoundedNoiseKind::Uniform,
            sigma,
            scale,
            bound: scale,
        })
    }

    /// Rademacher noise $`\pm\sigma`$, `sigma` $`= \sigma \ge 0`$ finite.
    pub fn rademacher(sigma: f64) -> Result<Self, OracleError> {
        check_sigma(sigma)?;
        Ok(Self {
            kind: BoundedNoiseKind::Rademacher,
            sigma,
            scale: sigma,
            bound: sigma,
        })
    }

    /// The normal law $`\mathcal{N}(0, s^2)`$ truncated to $`[-c s, c s]`$, with
    /// $`s = \sigma/\sqrt{v(c)}`$ so that the variance is exactly $`\sigma^2`$; `sigma`
    /// $`= \sigma \ge 0`$ and `c` $`= c > 0`$ finite.
    pub fn truncated_gaussian(sigma: f64, c: f64) -> Result<Self, OracleError> {
        check_sigma(sigma)?;
        if !(c.is_finite() && c > 0.0) {
            return Err(OracleError::InvalidParameter(format!(
                "truncation point must be finite and positive, got {c}"
            )));
        }
        let scale = sigma / truncated_normal_variance(c).sqrt();
        if !scale.is_finite() {
            return Err(OracleError::InvalidParameter(format!(
                "truncation point {c} is too small to reach variance {sigma}^2"
            )));
        }
        Ok(Self {
            kind: BoundedNoiseKind::TruncatedGaussian { c },
            sigma,
            scale,
            bound: scale * c,
        })
    }

    /// The law.
    pub fn kind(&self) -> BoundedNoiseKind {
        self.kind
    }

    /// The standard deviation $`\sigma`$.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The variance $`\sigma^2`$.
    pub fn variance(&self) -> f64 {
        self.sigma * self.sigma
    }

    /// The almost-sure bound $`c_\xi`$: every draw satisfies $`|\xi| \le c_\xi`$.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// One draw $`\xi`$, $`|\xi| \le`$ `self.bound()`.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Each branch multiplies a unit draw in [-1, 1] (or [-c, c]) by `scale`; rounding is
        // monotone, so the product never exceeds `bound`, which is computed the same way.
        match self.kind {
            BoundedNoiseKind::Uniform => self.scale * (2.0 * rng.random::<f64>() - 1.0),
            BoundedNoiseKind::Rademacher => {
                if rng.random::<bool>() {
                    self.scale
                } else {
                    -self.scale
                }
            }
            BoundedNoiseKind::TruncatedGaussian { c } => self.scale * truncated_normal(c, rng),
        }
    }
}

fn check_sigma(sigma: f64) -> Result<(), OracleError> {
    if sigma.is_finite() && sigma >= 0.0 {
        Ok(())
    } else {
        Err(OracleError::InvalidParameter(format!(
            "sigma must be finite and non-negative, got {sigma}"
        )))
    }
}

/// An exact draw of $`Z \sim \mathcal{N}(0, 1)`$ conditioned on $`|Z| \le c`$.
fn truncated_normal<R: Rng + ?Sized>(c: f64, rng: &mut R) -> f64 {
    if c < UNIFORM_PROPOSAL_BELOW {
        loop {
            let z = c * (2.0 * rng.random::<f64>() - 1.0);
            if rng.random::<f64>() < (-0.5 * z * z).exp() {
                return z;
            }
        }
    } else {
        loop {
            let z: f64 = StandardNormal.sample(rng);
            if z.abs() <= c {
                return z;
            }
        }
    }
}

/// The truncated variance $`v(c) = \operatorname{Var}(Z \mid |Z| \le c)`$ for
/// $`Z \sim \mathcal{N}(0, 1)`$, $`c > 0`$.
///
/// With $`t_n = c^{2n+1}/(2n+1)!!`$,
/// $`\int_0^c e^{-z^2/2}\, dz = e^{-c^2/2} \sum_{n \ge 0} t_n`$ and, integrating by parts,
/// $`\int_0^c z^2 e^{-z^2/2}\, dz = e^{-c^2/2} \sum_{n \ge 1} t_n`$; so
///
/// ```math
/// v(c) = \frac{\sum_{n \ge 1} t_n}{\sum_{n \ge 0} t_n}.
/// ```
///
/// Every term is positive, so the ratio is accurate to a few ulps for small and large $`c`$
/// alike (the textbook form $`1 - 2 c\, \varphi(c)/\operatorname{erf}(c/\sqrt2)`$ cancels
/// catastrophically as $`c \to 0`$).
pub(crate) fn truncated_normal_variance(c: f64) -> f64 {
    if c >= TRUNCATION_IS_NEGLIGIBLE {
        return 1.0;
    }
    let c2 = c * c;
    let mut term = c;
    let mut tail = 0.0;
    let mut n = 0.0;
    loop {
        n += 1.0;
        term *= c2 / (2.0 * n + 1.0);
        tail += term;
        if term <= f64::EPSILON * tail && 2.0 * n + 1.0 > c2 {
            break;
        }
    }
    tail / (c + tail)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The textbook $`1 - 2 c\, \varphi(c)/\operatorname{erf}(c/\sqrt2)`$ from Python's `math.erf`,
    /// at points where it does not cancel.
    #[test]
    fn truncated_variance_matches_the_closed_form() {
        let cases = [
            (1.0, 0.291_125_094_772_793_14),
            (2.0, 0.773_741_303_549_923_2),
            (3.0, 0.973_336_924_662_541_5),
        ];
        for (c, v) in cases {
            let got = truncated_normal_variance(c);
            assert!((got - v).abs() < 1e-14, "v({c}) = {got}, expected {v}");
        }
    }

    #[test]
    fn truncated_variance_tends_to_that_of_the_uniform_law_as_c_vanishes() {
        // Var(U[-c, c]) = c^2/3, and v(c) = c^2/3 - 2 c^4/45 + O(c^6).
        let c: f64 = 1e-3;
        let expected = c * c / 3.0 - 2.0 * c.powi(4) / 45.0;
        assert!((truncated_normal_variance(c) / expected - 1.0).abs() < 1e-12);
    }

    #[test]
    fn truncated_variance_tends_to_one() {
        assert!((truncated_normal_variance(10.0) - 1.0).abs() < 1e-18);
        assert_eq!(truncated_normal_variance(25.0), 1.0);
    }
}
