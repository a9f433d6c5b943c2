//! The bounded-range oracle of the achievability result: $`g = x - \theta + \xi`$,
//! $`|g_i| \le R`$.
//!
//! Theorem 4 of paper 000 is stated for a "bounded-dynamic-range oracle" \[V\]; the model here
//! is the reconstruction of notes §3 and §8.2 \[I\]: gradient coordinates lie in a declared
//! dynamic range $`[-R, R]`$, $`f(x) = \frac12 \|x - \theta\|^2`$, $`g = x - \theta + \xi`$ with
//! $`\xi`$ from a bounded law of variance $`\sigma^2`$ ([`BoundedNoise`]). For queries in the box
//! $`\|x\|_\infty \le r`$, minimizers with $`\|\theta\|_\infty \le b`$ and noise bounded by
//! $`c_\xi`$,
//!
//! ```math
//! |g_i| \le r + b + c_\xi =: R,
//! ```
//!
//! which [`dynamic_range`] computes (e.g. $`R = b + \sqrt3\, \sigma`$ for uniform noise and the
//! single query $`x = 0`$ of the reduction). [`BoundedQuadratic`] rejects a declared $`R`$ below
//! what its own $`\theta`$ needs, draws stochastic gradients only at queries in its box
//! ([`OracleError::OutsideDomain`]), and never clips: a coordinate outside $`[-R, R]`$ would be
//! [`OracleError::OutOfRange`]. The exact `value` and `true_gradient` are defined everywhere
//! (the minimizer $`\theta`$ itself may lie outside the query box).

use rand::RngCore;

use crate::oracle::{check_out, check_query};
use crate::{BoundedNoise, BoxDomain, NormBound, Oracle, OracleError, Properties};

/// The dynamic range $`R = r + b + c_\xi`$ that covers every gradient coordinate for queries
/// with $`\|x\|_\infty \le r`$ = `query_radius`, minimizers with $`\|\theta\|_\infty \le b`$ =
/// `theta_bound` and the noise law's bound $`c_\xi`$.
///
/// ```
/// use oracles::{dynamic_range, BoundedNoise};
/// let r = dynamic_range(1.0, 0.0, &BoundedNoise::uniform(0.5)?)?;
/// assert_eq!(r, 1.0 + 3f64.sqrt() * 0.5); // b + sqrt(3) sigma at x = 0
/// # Ok::<(), oracles::OracleError>(())
/// ```
pub fn dynamic_range(
    theta_bound: f64,
    query_radius: f64,
    noise: &BoundedNoise,
) -> Result<f64, OracleError> {
    for (name, v) in [("theta bound", theta_bound), ("query radius", query_radius)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(OracleError::InvalidParameter(format!(
                "{name} must be finite and non-negative, got {v}"
            )));
        }
    }
    // Same association as the oracle's own check, so the two agree to the last bit.
    let range = (query_radius + theta_bound) + noise.bound();
    if range.is_finite() {
        Ok(range)
    } else {
        Err(OracleError::InvalidParameter(
            "dynamic range overflows".into(),
        ))
    }
}

/// The quadratic $`f(x) = \frac12 \|x - \theta\|^2`$ with $`g = x - \theta + \xi`$, $`\xi`$ i.i.d.
/// from a bounded law, every coordinate of $`g`$ in the declared $`[-R, R]`$ for queries in
/// $`[-r, r]^d`$.
///
/// ```
/// use oracles::{dynamic_range, BoundedNoise, BoundedQuadratic, Oracle};
/// use rand::SeedableRng;
/// let noise = BoundedNoise::uniform(1.0)?;
/// let range = dynamic_range(2.0, 0.0, &noise)?; // ||theta||_inf <= 2, query x = 0
/// let mut o = BoundedQuadratic::new(vec![2.0, -1.5], noise, 0.0, range)?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut g = [0.0; 2];
/// o.gradient(&[0.0, 0.0], &mut rng, &mut g)?;
/// assert!(g.iter().all(|v| v.abs() <= range));
/// assert!(o.gradient(&[0.1, 0.0], &mut rng, &mut g).is_err()); // outside the box r = 0
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BoundedQuadratic {
    theta: Vec<f64>,
    noise: BoundedNoise,
    domain: BoxDomain,
    range: f64,
}

impl BoundedQuadratic {
    /// The oracle with minimizer `theta` (non-empty, finite), noise law `noise`, query box
    /// $`[-r, r]^d`$ with $`r`$ = `query_radius` and declared dynamic range `range`.
    ///
    /// `range` must be positive and at least $`\max_i (r + |\theta_i|) + c_\xi`$, so that the
    /// declaration holds for every admitted query; [`dynamic_range`] gives a value valid for
    /// every $`\theta`$ in a box.
    pub fn new(
        theta: Vec<f64>,
        noise: BoundedNoise,
        query_radius: f64,
        range: f64,
    ) -> Result<Self, OracleError> {
        if theta.is_empty() {
            return Err(OracleError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if let Some(i) = theta.iter().position(|v| !v.is_finite()) {
            return Err(OracleError::InvalidParameter(format!(
                "theta[{i}] is not finite"
            )));
        }
        let domain = BoxDomain::new(query_radius)?;
        if !(range.is_finite() && range > 0.0) {
            return Err(OracleError::InvalidParameter(format!(
                "dynamic range must be finite and positive, got {range}"
            )));
        }
        let needed = Self::needed_range(&theta, query_radius, &noise);
        if range < needed {
            return Err(OracleError::InvalidParameter(format!(
                "dynamic range {range} is below the {needed} that queries in the box can reach"
            )));
        }
        Ok(Self {
            theta,
            noise,
            domain,
            range,
        })
    }

    /// The oracle with the smallest valid range for its own $`\theta`$,
    /// $`R = \max_i (r + |\theta_i|) + c_\xi`$ with $`r`$ = `query_radius` (or the smallest
    /// positive number if that is 0).
    pub fn with_tight_range(
        theta: Vec<f64>,
        noise: BoundedNoise,
        query_radius: f64,
    ) -> Result<Self, OracleError> {
        let range = Self::needed_range(&theta, query_radius, &noise).max(f64::MIN_POSITIVE);
        Self::new(theta, noise, query_radius, range)
    }

    /// The smallest range valid in floating point,
    /// $`\max_i \mathrm{fl}(\mathrm{fl}(r + |\theta_i|) + c_\xi)`$. Because rounding is monotone
    /// and $`|x_i - \theta_i| \le r + |\theta_i|`$,
    /// $`|\mathrm{fl}(\mathrm{fl}(x_i - \theta_i) + \xi_i)|`$ never exceeds it.
    fn needed_range(theta: &[f64], query_radius: f64, noise: &BoundedNoise) -> f64 {
        theta.iter().fold(0.0, |m: f64, t| {
            m.max((query_radius + t.abs()) + noise.bound())
        })
    }

    /// The minimizer $`\theta`$.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// The noise law.
    pub fn noise(&self) -> &BoundedNoise {
        &self.noise
    }

    /// The declared dynamic range $`R`$.
    pub fn range(&self) -> f64 {
        self.range
    }

    /// The query box.
    pub fn query_box(&self) -> BoxDomain {
        self.domain
    }
}

impl Oracle for BoundedQuadratic {
    fn dim(&self) -> usize {
        self.theta.len()
    }

    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        self.domain.check(x)?;
        check_out(self.dim(), out)?;
        for (index, ((o, &xi), &ti)) in out.iter_mut().zip(x).zip(&self.theta).enumerate() {
            let value = (xi - ti) + self.noise.sample(rng);
            // Unreachable for a validated oracle (see `needed_range`); kept because a
            // downstream quantizer relies on the range and must never see it violated.
            if value.is_nan() || value.abs() > self.range {
                return Err(OracleError::OutOfRange {
                    index,
                    value,
                    range: self.range,
                });
            }
            *o = value;
        }
        Ok(())
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        for ((o, &xi), &ti) in out.iter_mut().zip(x).zip(&self.theta) {
            *o = xi - ti;
        }
        Ok(())
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        check_query(self.dim(), x)?;
        Ok(0.5
            * x.iter()
                .zip(&self.theta)
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>())
    }

    fn minimizer(&self) -> Option<&[f64]> {
        Some(&self.theta)
    }

    fn optimal_value(&self) -> Option<f64> {
        Some(0.0)
    }

    fn properties(&self) -> Properties {
        Properties {
            smoothness: Some(1.0),
            strong_convexity: Some(1.0),
            noise_variance: Some(self.noise.variance()),
            norm_bound: Some(NormBound {
                q: f64::INFINITY,
                bound: self.range,
            }),
            dynamic_range: Some(self.range),
        }
    }

    fn domain(&self) -> Option<BoxDomain> {
        Some(self.domain)
    }
}
