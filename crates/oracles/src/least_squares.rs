//! Linear least squares, the test problem of the DQ-GD experiments.
//!
//! Paper 002, §5 (notes-algorithms §3.5): $`f(x) = \frac12 \|y - A x\|^2`$ with
//! $`A \in \mathbb{R}^{m \times n}`$, gradient $`\nabla f(x) = A^\top (A x - y)`$, smoothness
//! $`L = s_{\max}(A)^2`$ and strong convexity $`\mu = s_{\min}(A)^2`$ (the extreme singular
//! values; $`\mu = 0`$ unless $`A`$ has full column rank), and GD step $`2/(L + \mu)`$. The
//! paper reports a "condition number" without saying whether it is $`s_{\max}/s_{\min}`$ or
//! $`L/\mu`$, so both are exposed ([`LeastSquares::singular_value_condition`],
//! [`LeastSquares::hessian_condition`]).
//!
//! The minimizer solves the normal equations $`A^\top A x = A^\top y`$. It is computed from the
//! SVD $`A = U S V^\top`$ as $`x^* = V S^+ U^\top y`$ (singular values below
//! $`\max(m, n)\, \epsilon\, s_{\max}`$ treated as zero, giving the minimum-norm minimizer when
//! $`A`$ is rank deficient), which avoids forming $`A^\top A`$ and squaring the condition number.
//!
//! Two oracles ([`LsGradient`]): the exact gradient (a deterministic oracle), or the gradient
//! of one uniformly sampled row scaled by $`m`$, $`g = m\, a_i (a_i^\top x - y_i)`$, unbiased
//! since $`\mathbb{E} g = \sum_i a_i (a_i^\top x - y_i) = A^\top (A x - y)`$.

use ndarray::{Array1, Array2, ArrayView1};
use rand::{Rng, RngCore};
use rand_distr::{Distribution, StandardNormal};

use crate::limits::check_matrix;
use crate::oracle::{check_out, check_query};
use crate::{MatrixMarket, Oracle, OracleError, Properties};

/// Iteration cap of the SVD, per column (it converges in a few sweeps).
const SVD_ITERATIONS_PER_COLUMN: usize = 1000;

/// Which stochastic gradient the least-squares oracle returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LsGradient {
    /// The exact gradient $`A^\top (A x - y)`$.
    #[default]
    Exact,
    /// The row gradient $`m\, a_i (a_i^\top x - y_i)`$ for a row $`i`$ drawn uniformly.
    UniformRow,
}

/// The least-squares objective $`f(x) = \frac12 \|y - A x\|^2`$ with its minimizer and spectrum.
///
/// ```
/// use ndarray::array;
/// use oracles::{LeastSquares, Oracle};
/// let ls = LeastSquares::new(array![[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], array![1.0, 2.0, 3.0])?;
/// let x = ls.minimizer().unwrap();
/// assert!((x[0] - 1.0).abs() < 1e-12 && (x[1] - 1.0).abs() < 1e-12);
/// assert!((ls.optimal_value().unwrap() - 4.5).abs() < 1e-12); // the residual y_3 = 3
/// assert!((ls.singular_value_condition() - 2.0).abs() < 1e-12);
/// assert!((ls.hessian_condition() - 4.0).abs() < 1e-12);
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LeastSquares {
    a: Array2<f64>,
    y: Array1<f64>,
    minimizer: Vec<f64>,
    optimal_value: f64,
    /// Singular values of $`A`$, descending.
    singular_values: Vec<f64>,
    rank: usize,
    mode: LsGradient,
}

impl LeastSquares {
    /// The problem for `a` ($`m \times n`$, non-empty, finite) and `y` (length $`m`$, finite), with
    /// the exact-gradient oracle.
    pub fn new(a: Array2<f64>, y: Array1<f64>) -> Result<Self, OracleError> {
        let (m, n) = a.dim();
        if m == 0 || n == 0 {
            return Err(OracleError::InvalidParameter(format!(
                "matrix must be non-empty, got {m} x {n}"
            )));
        }
        if y.len() != m {
            return Err(OracleError::DimensionMismatch {
                expected: m,
                got: y.len(),
            });
        }
        if a.iter().any(|v| !v.is_finite()) {
            return Err(OracleError::InvalidParameter(
                "matrix has a non-finite entry".into(),
            ));
        }
        if y.iter().any(|v| !v.is_finite()) {
            return Err(OracleError::InvalidParameter(
                "y has a non-finite entry".into(),
            ));
        }
        let na = nalgebra::DMatrix::from_fn(m, n, |i, j| a[[i, j]]);
        let svd = nalgebra::SVD::try_new(
            na,
            true,
            true,
            f64::EPSILON,
            SVD_ITERATIONS_PER_COLUMN.saturating_mul(n.max(m)),
        )
        .ok_or_else(|| OracleError::InvalidParameter("SVD did not converge".into()))?;
        let singular_values: Vec<f64> = svd.singular_values.iter().copied().collect();
        let s_max = singular_values.first().copied().unwrap_or(0.0);
        let cutoff = m.max(n) as f64 * f64::EPSILON * s_max;
        let rank = singular_values.iter().filter(|s| **s > cutoff).count();
        let ny = nalgebra::DVector::from_iterator(m, y.iter().copied());
        let x = svd
            .solve(&ny, cutoff)
            .map_err(|e| OracleError::InvalidParameter(format!("least-squares solve: {e}")))?;
        let minimizer: Vec<f64> = x.iter().copied().collect();
        let mut ls = Self {
            a,
            y,
            minimizer,
            optimal_value: 0.0,
            singular_values,
            rank,
            mode: LsGradient::Exact,
        };
        ls.optimal_value = ls.objective(&ls.minimizer);
        Ok(ls)
    }

    /// The problem for a matrix read from a Matrix Market file and a right-hand side `y`.
    pub fn from_matrix_market(mm: &MatrixMarket, y: Array1<f64>) -> Result<Self, OracleError> {
        Self::new(mm.matrix().clone(), y)
    }

    /// The Gaussian ensemble of the DQ-GD experiments: $`A`$ ($`m \times n`$) and $`y`$ (length
    /// $`m`$) with i.i.d. $`\mathcal{N}(0, 1)`$ entries, drawn from `rng` ($`A`$ row by row,
    /// then $`y`$).
    pub fn gaussian_ensemble<R: Rng + ?Sized>(
        m: usize,
        n: usize,
        rng: &mut R,
    ) -> Result<Self, OracleError> {
        if m == 0 || n == 0 {
            return Err(OracleError::InvalidParameter(format!(
                "matrix must be non-empty, got {m} x {n}"
            )));
        }
        let total = check_matrix(m, n, "Gaussian ensemble")?;
        let entries: Vec<f64> = (0..total).map(|_| StandardNormal.sample(rng)).collect();
        let a = Array2::from_shape_vec((m, n), entries)
            .map_err(|e| OracleError::InvalidParameter(e.to_string()))?;
        let y: Array1<f64> = (0..m).map(|_| StandardNormal.sample(rng)).collect();
        Self::new(a, y)
    }

    /// Selects the stochastic gradient the oracle returns.
    pub fn with_gradient(mut self, mode: LsGradient) -> Self {
        self.mode = mode;
        self
    }

    /// The selected stochastic gradient.
    pub fn gradient_mode(&self) -> LsGradient {
        self.mode
    }

    /// The matrix $`A`$.
    pub fn matrix(&self) -> &Array2<f64> {
        &self.a
    }

    /// The right-hand side $`y`$.
    pub fn rhs(&self) -> &Array1<f64> {
        &self.y
    }

    /// Singular values of $`A`$, descending.
    pub fn singular_values(&self) -> &[f64] {
        &self.singular_values
    }

    /// Numerical rank of $`A`$ (singular values above $`\max(m, n)\, \epsilon\, s_{\max}`$).
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// Whether $`A`$ has full column rank, so that $`f`$ is strongly convex with a unique
    /// minimizer.
    pub fn is_full_rank(&self) -> bool {
        self.rank == self.a.ncols()
    }

    /// The largest singular value $`s_{\max}(A)`$.
    pub fn s_max(&self) -> f64 {
        self.singular_values.first().copied().unwrap_or(0.0)
    }

    /// The smallest singular value $`s_{\min}(A)`$ over the $`n`$ columns (0 if $`A`$ is rank
    /// deficient or has fewer rows than columns).
    pub fn s_min(&self) -> f64 {
        if self.is_full_rank() {
            self.singular_values.last().copied().unwrap_or(0.0)
        } else {
            0.0
        }
    }

    /// The condition number $`s_{\max}/s_{\min}`$ (infinite if $`A`$ is rank deficient).
    pub fn singular_value_condition(&self) -> f64 {
        self.s_max() / self.s_min()
    }

    /// The Hessian's condition number $`L/\mu = (s_{\max}/s_{\min})^2`$ (infinite if $`A`$ is rank
    /// deficient).
    pub fn hessian_condition(&self) -> f64 {
        let k = self.singular_value_condition();
        k * k
    }

    /// The objective $`\frac12 \|y - A x\|^2`$, lengths already checked.
    fn objective(&self, x: &[f64]) -> f64 {
        0.5 * self
            .a
            .rows()
            .into_iter()
            .zip(&self.y)
            .map(|(row, yi)| {
                let r = dot(row, x) - yi;
                r * r
            })
            .sum::<f64>()
    }
}

fn dot(row: ArrayView1<'_, f64>, x: &[f64]) -> f64 {
    row.iter().zip(x).map(|(a, b)| a * b).sum()
}

impl Oracle for LeastSquares {
    fn dim(&self) -> usize {
        self.a.ncols()
    }

    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        match self.mode {
            LsGradient::Exact => self.true_gradient(x, out),
            LsGradient::UniformRow => {
                check_query(self.dim(), x)?;
                check_out(self.dim(), out)?;
                let m = self.a.nrows();
                let i = rng.random_range(0..m);
                // i < m by construction, so neither access can fail.
                let row = self.a.row(i);
                let yi = self.y[i];
                let scale = m as f64 * (dot(row, x) - yi);
                for (o, a) in out.iter_mut().zip(row) {
                    *o = scale * a;
                }
                Ok(())
            }
        }
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        // Row by row, A'(Ax - y) = sum_i a_i (a_i'x - y_i): no scratch vector needed.
        out.fill(0.0);
        for (row, yi) in self.a.rows().into_iter().zip(&self.y) {
            let r = dot(row, x) - yi;
            for (o, a) in out.iter_mut().zip(row) {
                *o += r * a;
            }
        }
        Ok(())
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        check_query(self.dim(), x)?;
        Ok(self.objective(x))
    }

    /// The minimizer (the minimum-norm one if $`A`$ is rank deficient).
    fn minimizer(&self) -> Option<&[f64]> {
        Some(&self.minimizer)
    }

    fn optimal_value(&self) -> Option<f64> {
        Some(self.optimal_value)
    }

    /// The constants $`L = s_{\max}^2`$; $`\mu = s_{\min}^2`$ when $`A`$ has full column rank (else
    /// `None`); noise variance 0 for the exact oracle and `None` (it depends on `x`) for row
    /// sampling.
    fn properties(&self) -> Properties {
        let s_min = self.s_min();
        Properties {
            smoothness: Some(self.s_max() * self.s_max()),
            strong_convexity: self.is_full_rank().then_some(s_min * s_min),
            noise_variance: match self.mode {
                LsGradient::Exact => Some(0.0),
                LsGradient::UniformRow => None,
            },
            norm_bound: None,
            dynamic_range: None,
        }
    }
}
