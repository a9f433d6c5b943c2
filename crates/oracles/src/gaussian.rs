//! The Gaussian quadratic oracle of the reduction: $`g = A(x - \theta) + \sigma Z`$.
//!
//! Objective $`f(x) = \frac12 (x - \theta)^\top A (x - \theta)`$ with $`A = I`$ (the family of
//! paper 000, notes §1.1–1.2) or a general symmetric positive definite $`A`$ ([`SpdMatrix`]);
//! stochastic gradient $`g = A(x - \theta) + \sigma Z`$, $`Z \sim \mathcal{N}(0, I_d)`$ independent
//! across calls. Then $`L = \lambda_{\max}(A)`$, $`\mu = \lambda_{\min}(A)`$, per-coordinate noise
//! variance $`\sigma^2`$, minimizer $`x^* = \theta`$, $`f^* = 0`$. The minimizer may be drawn from
//! a declared [`Prior`] ([`GaussianQuadratic::from_prior`]), which the oracle keeps so experiments
//! can match it with the Bayesian bounds.

use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

use crate::oracle::{check_out, check_query};
use crate::{Oracle, OracleError, Prior, Properties, SpdMatrix};

/// The Gaussian quadratic $`f(x) = \frac12 (x - \theta)^\top A (x - \theta)`$ with stochastic
/// gradient $`g = A(x - \theta) + \sigma Z`$, $`Z \sim \mathcal{N}(0, I_d)`$ independent across
/// calls; $`A = I`$ unless set with [`GaussianQuadratic::with_curvature`].
///
/// With $`A = I`$ this is the family of the lower-bound reduction (paper 000, Lemma 1):
/// $`W = x - g`$ is a sample of $`\mathcal{N}(\theta, \sigma^2 I_d)`$ whatever the query $`x`$.
///
/// ```
/// use oracles::{GaussianQuadratic, Oracle};
/// let mut o = GaussianQuadratic::new(vec![1.0, -1.0], 0.0)?;
/// let mut g = [0.0; 2];
/// o.gradient(&[0.0, 0.0], &mut rand::rng(), &mut g)?;
/// assert_eq!(g, [-1.0, 1.0]); // sigma = 0: the exact gradient
/// # Ok::<(), oracles::OracleError>(())
/// ```
///
/// A general curvature and a minimizer drawn from the $`\cos^2`$ box prior:
///
/// ```
/// use ndarray::array;
/// use oracles::{GaussianQuadratic, Oracle, Prior, SpdMatrix};
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
/// let a = SpdMatrix::new(array![[4.0, 1.0], [1.0, 3.0]])?;
/// let o = GaussianQuadratic::from_prior(Prior::CosSquaredBox { b: 1.0 }, 2, 0.1, &mut rng)?
///     .with_curvature(a)?;
/// let p = o.properties();
/// assert!(p.smoothness.unwrap() > p.strong_convexity.unwrap());
/// let x_star = o.minimizer().unwrap().to_vec();
/// assert_eq!(o.value(&x_star)?, 0.0);
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianQuadratic {
    theta: Vec<f64>,
    sigma: f64,
    curvature: Option<SpdMatrix>,
    prior: Option<Prior>,
}

impl GaussianQuadratic {
    /// The oracle with $`A = I`$, minimizer `theta` (non-empty, finite) and noise level
    /// `sigma` $`\ge 0`$.
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
        Ok(Self {
            theta,
            sigma,
            curvature: None,
            prior: None,
        })
    }

    /// The oracle with $`A = I`$ in dimension $`d`$, its minimizer drawn from `prior`.
    pub fn from_prior<R: rand::Rng + ?Sized>(
        prior: Prior,
        d: usize,
        sigma: f64,
        rng: &mut R,
    ) -> Result<Self, OracleError> {
        let theta = prior.sample(d, rng)?;
        let mut oracle = Self::new(theta, sigma)?;
        oracle.prior = Some(prior);
        Ok(oracle)
    }

    /// Replaces the curvature $`A = I`$ by `a`, which must have the oracle's dimension.
    pub fn with_curvature(mut self, a: SpdMatrix) -> Result<Self, OracleError> {
        if a.dim() != self.theta.len() {
            return Err(OracleError::DimensionMismatch {
                expected: self.theta.len(),
                got: a.dim(),
            });
        }
        self.curvature = Some(a);
        Ok(self)
    }

    /// The noise level $`\sigma`$.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The minimizer $`\theta`$.
    pub fn theta(&self) -> &[f64] {
        &self.theta
    }

    /// The curvature $`A`$, or `None` for the identity.
    pub fn curvature(&self) -> Option<&SpdMatrix> {
        self.curvature.as_ref()
    }

    /// The prior $`\theta`$ was drawn from, if it was drawn.
    pub fn prior(&self) -> Option<&Prior> {
        self.prior.as_ref()
    }

    /// Mutable minimizer, for oracles that move it (the drifting oracle).
    pub(crate) fn theta_mut(&mut self) -> &mut [f64] {
        &mut self.theta
    }

    /// Writes $`A(x - \theta)`$ to `out`; lengths already checked.
    pub(crate) fn exact_gradient(&self, x: &[f64], out: &mut [f64]) {
        match &self.curvature {
            None => {
                for ((o, &xi), &ti) in out.iter_mut().zip(x).zip(&self.theta) {
                    *o = xi - ti;
                }
            }
            Some(a) => a.apply_shifted(x, &self.theta, out),
        }
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
        self.exact_gradient(x, out);
        for o in out.iter_mut() {
            let z: f64 = StandardNormal.sample(rng);
            *o += self.sigma * z;
        }
        Ok(())
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        self.exact_gradient(x, out);
        Ok(())
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        check_query(self.dim(), x)?;
        Ok(0.5
            * match &self.curvature {
                None => x
                    .iter()
                    .zip(&self.theta)
                    .map(|(a, b)| (a - b) * (a - b))
                    .sum::<f64>(),
                Some(a) => a.quadratic_form_shifted(x, &self.theta),
            })
    }

    fn minimizer(&self) -> Option<&[f64]> {
        Some(&self.theta)
    }

    fn optimal_value(&self) -> Option<f64> {
        Some(0.0)
    }

    fn properties(&self) -> Properties {
        let (l, mu) = match &self.curvature {
            None => (1.0, 1.0),
            Some(a) => (a.lambda_max(), a.lambda_min()),
        };
        Properties {
            smoothness: Some(l),
            strong_convexity: Some(mu),
            noise_variance: Some(self.sigma * self.sigma),
            norm_bound: None,
            dynamic_range: None,
        }
    }
}
