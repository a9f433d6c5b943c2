//! The Gaussian quadratic with temporally correlated, AR(1) gradient noise.
//!
//! Paper 000, Appendix E (notes §5.1, a reconstruction \[I\]): the $`t`$-th stochastic gradient
//! is $`g_t = A(x_t - \theta) + \sigma Z_t`$ with, per coordinate,
//!
//! ```math
//! Z_1 \sim \mathcal{N}(0, I), \qquad Z_t = \rho Z_{t-1} + \sqrt{1 - \rho^2}\, \xi_t, \qquad
//! \xi_t \sim \mathcal{N}(0, I) \text{ i.i.d.},
//! ```
//!
//! a stationary chain with $`\operatorname{Var}(Z_t) = 1`$ and
//! $`\operatorname{Corr}(Z_t, Z_{t+k}) = \rho^k`$, $`|\rho| < 1`$. Time is the oracle's own call
//! count: each [`Oracle::gradient`] call is one step of the chain, so the state lives in
//! [`Ar1Quadratic`]. The base problem ($`A`$, $`\theta`$, $`\sigma`$, prior) is a
//! [`GaussianQuadratic`].

use rand::RngCore;
use rand_distr::{Distribution, StandardNormal};

use crate::oracle::{check_out, check_query};
use crate::{GaussianQuadratic, Oracle, OracleError, Properties};

/// A [`GaussianQuadratic`] whose noise $`Z_t`$ follows a stationary AR(1) chain with
/// coefficient $`\rho`$ across calls.
///
/// ```
/// use oracles::{Ar1Quadratic, GaussianQuadratic, Oracle};
/// use rand::SeedableRng;
/// let base = GaussianQuadratic::new(vec![0.0; 3], 1.0)?;
/// let mut o = Ar1Quadratic::new(base, 0.9)?;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
/// let (mut g1, mut g2) = ([0.0; 3], [0.0; 3]);
/// o.gradient(&[0.0; 3], &mut rng, &mut g1)?; // Z_1 ~ N(0, I)
/// o.gradient(&[0.0; 3], &mut rng, &mut g2)?; // Z_2 = 0.9 Z_1 + sqrt(0.19) xi_2
/// o.reset(); // the next call draws a fresh Z_1
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ar1Quadratic {
    base: GaussianQuadratic,
    rho: f64,
    /// The innovation scale $`\sqrt{1 - \rho^2}`$.
    innovation: f64,
    /// The previous noise $`Z_{t-1}`$, meaningful once `started`.
    state: Vec<f64>,
    started: bool,
}

impl Ar1Quadratic {
    /// AR(1) noise with coefficient `rho` $`= \rho \in (-1, 1)`$ on `base`.
    pub fn new(base: GaussianQuadratic, rho: f64) -> Result<Self, OracleError> {
        if !(rho.is_finite() && rho.abs() < 1.0) {
            return Err(OracleError::InvalidParameter(format!(
                "AR(1) coefficient must lie in (-1, 1), got {rho}"
            )));
        }
        let d = base.dim();
        Ok(Self {
            base,
            rho,
            innovation: (1.0 - rho * rho).sqrt(),
            state: vec![0.0; d],
            started: false,
        })
    }

    /// The coefficient $`\rho`$.
    pub fn rho(&self) -> f64 {
        self.rho
    }

    /// The underlying quadratic.
    pub fn base(&self) -> &GaussianQuadratic {
        &self.base
    }

    /// The last noise $`Z_t`$ drawn, or `None` before the first call (or after a reset).
    pub fn noise_state(&self) -> Option<&[f64]> {
        self.started.then_some(self.state.as_slice())
    }

    /// Restarts the chain: the next gradient draws a fresh $`Z_1 \sim \mathcal{N}(0, I)`$.
    pub fn reset(&mut self) {
        self.started = false;
    }
}

impl Oracle for Ar1Quadratic {
    fn dim(&self) -> usize {
        self.base.dim()
    }

    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        self.base.exact_gradient(x, out);
        let sigma = self.base.sigma();
        for (o, z) in out.iter_mut().zip(&mut self.state) {
            let xi: f64 = StandardNormal.sample(rng);
            *z = if self.started {
                self.rho * *z + self.innovation * xi
            } else {
                xi
            };
            *o += sigma * *z;
        }
        self.started = true;
        Ok(())
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

    /// The base's properties; `noise_variance` is the stationary $`\sigma^2`$ of each
    /// coordinate (successive draws are correlated, which `Properties` does not express).
    fn properties(&self) -> Properties {
        self.base.properties()
    }
}
