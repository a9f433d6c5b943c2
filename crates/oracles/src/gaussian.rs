//! The Gaussian quadratic oracle of the reduction: `g = x - theta + sigma Z`.

use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

use crate::oracle::{check_out, check_query};
use crate::{Oracle, OracleError, Properties};

/// `f(x) = 1/2 ||x - theta||^2` with stochastic gradient `g = x - theta + sigma Z`,
/// `Z ~ N(0, I_d)` independent across calls.
///
/// This is the family of the lower-bound reduction (paper 000, Lemma 1): `W = x - g` is a
/// sample of `N(theta, sigma^2 I_d)` whatever the query `x`.
///
/// ```
/// use oracles::{GaussianQuadratic, Oracle};
/// let mut o = GaussianQuadratic::new(vec![1.0, -1.0], 0.0)?;
/// let mut g = [0.0; 2];
/// o.gradient(&[0.0, 0.0], &mut rand::rng(), &mut g)?;
/// assert_eq!(g, [-1.0, 1.0]); // sigma = 0: the exact gradient
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianQuadratic {
    theta: Vec<f64>,
    sigma: f64,
}

impl GaussianQuadratic {
    /// The oracle with minimizer `theta` (non-empty, finite) and noise level `sigma >= 0`.
    pub fn new(theta: Vec<f64>, sigma: f64) -> Result<Self, OracleError> {
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
        if !(sigma.is_finite() && sigma >= 0.0) {
            return Err(OracleError::InvalidParameter(format!(
                "sigma must be finite and non-negative, got {sigma}"
            )));
        }
        Ok(Self { theta, sigma })
    }

    /// The noise level `sigma`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The minimizer `theta`.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }
}

impl Oracle for GaussianQuadratic {
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
        check_out(self.dim(), out)?;
        for ((o, &xi), &ti) in out.iter_mut().zip(x).zip(&self.theta) {
            let z: f64 = StandardNormal.sample(rng);
            *o = xi - ti + self.sigma * z;
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
            noise_variance: Some(self.sigma * self.sigma),
            norm_bound: None,
            dynamic_range: None,
        }
    }
}
