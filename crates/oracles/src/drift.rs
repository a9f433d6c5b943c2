//! The Gaussian quadratic with a drifting minimizer.
//!
//! Paper 000, Appendix E (notes §5.2, a reconstruction \[I\]): the minimizer follows a Gaussian
//! random walk, $`\theta_t = \theta_{t-1} + q \xi_t`$ with $`\xi_t \sim \mathcal{N}(0, I_d)`$
//! i.i.d., and the $`t`$-th objective is
//! $`f_t(x) = \frac12 (x - \theta_t)^\top A (x - \theta_t)`$ with stochastic gradient
//! $`g = A(x - \theta_t) + \sigma Z`$. [`Oracle::advance`] moves $`t`$ to $`t + 1`$;
//! [`Oracle::minimizer`] and [`Oracle::value`] always refer to the current $`\theta_t`$.

use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

use crate::{GaussianQuadratic, Oracle, OracleError, Properties};

/// A [`GaussianQuadratic`] whose minimizer takes a step $`q \xi_t`$,
/// $`\xi_t \sim \mathcal{N}(0, I_d)`$, on each [`Oracle::advance`].
///
/// ```
/// use oracles::{DriftingQuadratic, GaussianQuadratic, Oracle};
/// use rand::SeedableRng;
/// let base = GaussianQuadratic::new(vec![0.0; 2], 1.0)?;
/// let mut o = DriftingQuadratic::new(base, 0.1)?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
/// o.advance(&mut rng)?;
/// assert_eq!(o.steps(), 1);
/// assert_ne!(o.minimizer().unwrap(), &[0.0, 0.0]);
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DriftingQuadratic {
    base: GaussianQuadratic,
    q: f64,
    steps: u64,
}

impl DriftingQuadratic {
    /// Drift of scale $`q \ge 0`$ (finite) starting from `base`'s minimizer $`\theta_0`$.
    pub fn new(base: GaussianQuadratic, q: f64) -> Result<Self, OracleError> {
        if !(q.is_finite() && q >= 0.0) {
            return Err(OracleError::InvalidParameter(format!(
                "drift scale q must be finite and non-negative, got {q}"
            )));
        }
        Ok(Self { base, q, steps: 0 })
    }

    /// The drift scale $`q`$ (per-coordinate standard deviation of a step).
    pub fn drift(&self) -> f64 {
        self.q
    }

    /// How many times the minimizer has moved.
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// The current problem $`f_t`$.
    pub fn current(&self) -> &GaussianQuadratic {
        &self.base
    }
}

impl Oracle for DriftingQuadratic {
    fn dim(&self) -> usize {
        self.base.dim()
    }

    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        self.base.gradient(x, rng, out)
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        self.base.true_gradient(x, out)
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        self.base.value(x)
    }

    fn minimizer(&self) -> Option<&[f64]> {
        self.base.minimizer()
    }

    fn optimal_value(&self) -> Option<f64> {
        self.base.optimal_value()
    }

    fn advance(&mut self, rng: &mut dyn RngCore) -> Result<(), OracleError> {
        let q = self.q;
        for (index, t) in self.base.theta_mut().iter_mut().enumerate() {
            let xi: f64 = StandardNormal.sample(rng);
            *t += q * xi;
            if !t.is_finite() {
                return Err(OracleError::InvalidParameter(format!(
                    "drifting minimizer overflowed at coordinate {index} after {} steps",
                    self.steps
                )));
            }
        }
        self.steps += 1;
        Ok(())
    }

    fn properties(&self) -> Properties {
        self.base.properties()
    }
}
