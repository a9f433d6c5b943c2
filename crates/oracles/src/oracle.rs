//! The [`Oracle`] trait and the properties an oracle declares.

use rand::RngCore;

use crate::{BoxDomain, OracleError};

/// An almost-sure bound on a norm of every stochastic gradient: $`\|g\|_q \le`$ `bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NormBound {
    /// The norm index $`q`$ (`f64::INFINITY` for the max norm).
    pub q: f64,
    /// The bound.
    pub bound: f64,
}

/// What an oracle declares about its problem and noise. `None` means "not known" or
/// "does not hold".
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Properties {
    /// Smoothness constant $`L`$ of the objective.
    pub smoothness: Option<f64>,
    /// Strong-convexity constant $`\mu`$ of the objective.
    pub strong_convexity: Option<f64>,
    /// Per-coordinate noise variance $`\sigma^2`$ of the stochastic gradient
    /// ($`\mathbb{E}(g_i - \nabla_i f)^2`$; the total noise variance is $`d\sigma^2`$ when
    /// isotropic).
    pub noise_variance: Option<f64>,
    /// Almost-sure norm bound on stochastic gradients, for the queries the oracle admits.
    pub norm_bound: Option<NormBound>,
    /// Dynamic range $`R`$: every coordinate of every stochastic gradient lies in $`[-R, R]`$
    /// almost surely (for queries in the declared domain). A gradient outside is an error.
    pub dynamic_range: Option<f64>,
}

/// A stochastic first-order oracle.
///
/// At a query $`x`$ it draws a stochastic gradient $`g`$ with $`\mathbb{E}[g] = \nabla f(x)`$ for
/// the declared objective $`f`$. Noise comes from the caller's generator, so runs are
/// reproducible; time-varying problems (a drifting minimizer, AR(1) noise) keep their state
/// inside the oracle and move it with [`Oracle::advance`] and [`Oracle::gradient`].
pub trait Oracle: Send + std::fmt::Debug {
    /// The dimension $`d`$.
    fn dim(&self) -> usize;

    /// Draws a stochastic gradient at `x` into `out`.
    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError>;

    /// The exact gradient $`\nabla f(x)`$ of the current objective, without noise.
    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError>;

    /// The exact objective value $`f(x)`$.
    fn value(&self, x: &[f64]) -> Result<f64, OracleError>;

    /// The minimizer $`x^*`$ of the current objective, when known.
    fn minimizer(&self) -> Option<&[f64]>;

    /// The optimal value $`f(x^*)`$, when known.
    fn optimal_value(&self) -> Option<f64>;

    /// Moves a time-varying problem one step forward (a no-op for static problems).
    fn advance(&mut self, rng: &mut dyn RngCore) -> Result<(), OracleError> {
        let _ = rng;
        Ok(())
    }

    /// The declared properties.
    fn properties(&self) -> Properties;

    /// The box of admissible queries for [`Oracle::gradient`], for oracles whose stochastic
    /// gradients are only defined (or only range-bounded) on a box; `None`: every finite
    /// query is admissible. A stochastic query outside it is [`OracleError::OutsideDomain`];
    /// projected methods project onto it. (The exact `value` and `true_gradient` accept any
    /// finite point.)
    fn domain(&self) -> Option<BoxDomain> {
        None
    }
}

/// Checks a query point: right dimension, all coordinates finite.
pub fn check_query(dim: usize, x: &[f64]) -> Result<(), OracleError> {
    if x.len() != dim {
        return Err(OracleError::DimensionMismatch {
            expected: dim,
            got: x.len(),
        });
    }
    match x.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(OracleError::NonFinite { index }),
        None => Ok(()),
    }
}

/// Checks an output buffer's length.
pub fn check_out(dim: usize, out: &[f64]) -> Result<(), OracleError> {
    if out.len() == dim {
        Ok(())
    } else {
        Err(OracleError::DimensionMismatch {
            expected: dim,
            got: out.len(),
        })
    }
}
