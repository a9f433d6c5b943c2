//! Symmetric positive definite curvature matrices $`A`$ with their extreme eigenvalues.
//!
//! The quadratic $`f(x) = \frac12 (x - \theta)^\top A (x - \theta)`$ is $`L`$-smooth and
//! $`\mu`$-strongly convex with $`L = \lambda_{\max}(A)`$ and $`\mu = \lambda_{\min}(A)`$.
//! [`SpdMatrix::new`] checks that $`A`$ is symmetric and positive definite and computes both
//! eigenvalues once, with nalgebra's symmetric eigensolver.

use ndarray::{Array2, ArrayView1};

use crate::OracleError;

/// Relative tolerance for symmetry, in units of machine epsilon times $`\max |a_{ij}|`$:
/// products such as $`M^\top M`$ computed in a different order differ in the last bits.
const SYMMETRY_ULPS: f64 = 64.0;

/// Iteration cap of the eigensolver, per dimension (it converges in a few sweeps).
const EIGEN_ITERATIONS_PER_DIM: usize = 1000;

/// A validated symmetric positive definite matrix with $`\lambda_{\min}`$ and $`\lambda_{\max}`$.
///
/// ```
/// use ndarray::array;
/// use oracles::SpdMatrix;
/// let a = SpdMatrix::new(array![[2.0, 1.0], [1.0, 2.0]])?;
/// assert!((a.lambda_max() - 3.0).abs() < 1e-12);
/// assert!((a.lambda_min() - 1.0).abs() < 1e-12);
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SpdMatrix {
    a: Array2<f64>,
    lambda_min: f64,
    lambda_max: f64,
}

impl SpdMatrix {
    /// Validates `a`: non-empty, square, finite, symmetric up to rounding (it is then
    /// symmetrised exactly as $`(A + A^\top)/2`$), and positive definite with
    /// $`\lambda_{\min} > d\, \epsilon\, \lambda_{\max}`$ (a smaller $`\lambda_{\min}`$ is
    /// numerically singular).
    pub fn new(a: Array2<f64>) -> Result<Self, OracleError> {
        let (rows, cols) = a.dim();
        if rows == 0 || rows != cols {
            return Err(OracleError::InvalidParameter(format!(
                "curvature matrix must be square and non-empty, got {rows} x {cols}"
            )));
        }
        if a.iter().any(|v| !v.is_finite()) {
            return Err(OracleError::InvalidParameter(
                "curvature matrix has a non-finite entry".into(),
            ));
        }
        let scale = a.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let tol = SYMMETRY_ULPS * f64::EPSILON * scale;
        for ((i, j), &v) in a.indexed_iter() {
            if (v - a[[j, i]]).abs() > tol {
                return Err(OracleError::InvalidParameter(format!(
                    "curvature matrix is not symmetric: a[{i}][{j}] = {v}, a[{j}][{i}] = {}",
                    a[[j, i]]
                )));
            }
        }
        let sym = Array2::from_shape_fn((rows, rows), |(i, j)| 0.5 * (a[[i, j]] + a[[j, i]]));
        let m = nalgebra::DMatrix::from_fn(rows, rows, |i, j| sym[[i, j]]);
        let eig = nalgebra::SymmetricEigen::try_new(
            m,
            f64::EPSILON,
            EIGEN_ITERATIONS_PER_DIM.saturating_mul(rows),
        )
        .ok_or_else(|| {
            OracleError::InvalidParameter("symmetric eigensolver did not converge".into())
        })?;
        let lambda_min = eig
            .eigenvalues
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let lambda_max = eig
            .eigenvalues
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        if lambda_min.is_nan() || lambda_min <= rows as f64 * f64::EPSILON * lambda_max {
            return Err(OracleError::InvalidParameter(format!(
                "curvature matrix is not positive definite: eigenvalues in [{lambda_min}, {lambda_max}]"
            )));
        }
        Ok(Self {
            a: sym,
            lambda_min,
            lambda_max,
        })
    }

    /// The diagonal matrix $`\operatorname{diag}(\lambda)`$ (entries finite and positive).
    pub fn diagonal(lambda: &[f64]) -> Result<Self, OracleError> {
        if lambda.is_empty() {
            return Err(OracleError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if let Some(i) = lambda.iter().position(|l| !(l.is_finite() && *l > 0.0)) {
            return Err(OracleError::InvalidParameter(format!(
                "diagonal entry {i} must be finite and positive"
            )));
        }
        let d = lambda.len();
        let mut a = Array2::zeros((d, d));
        for (v, &l) in a.diag_mut().iter_mut().zip(lambda) {
            *v = l;
        }
        Ok(Self {
            a,
            lambda_min: lambda.iter().copied().fold(f64::INFINITY, f64::min),
            lambda_max: lambda.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        })
    }

    /// The dimension $`d`$.
    pub fn dim(&self) -> usize {
        self.a.nrows()
    }

    /// The (exactly symmetric) matrix.
    pub fn matrix(&self) -> &Array2<f64> {
        &self.a
    }

    /// The smallest eigenvalue $`\lambda_{\min}(A)`$, the strong-convexity constant $`\mu`$.
    pub fn lambda_min(&self) -> f64 {
        self.lambda_min
    }

    /// The largest eigenvalue $`\lambda_{\max}(A)`$, the smoothness constant $`L`$.
    pub fn lambda_max(&self) -> f64 {
        self.lambda_max
    }

    /// The condition number $`L/\mu`$.
    pub fn condition_number(&self) -> f64 {
        self.lambda_max / self.lambda_min
    }

    /// Writes $`A(x - \theta)`$ to `out`, lengths already checked by the caller.
    pub(crate) fn apply_shifted(&self, x: &[f64], theta: &[f64], out: &mut [f64]) {
        for (o, row) in out.iter_mut().zip(self.a.rows()) {
            *o = shifted_dot(row, x, theta);
        }
    }

    /// The quadratic form $`(x - \theta)^\top A (x - \theta)`$, lengths already checked by the
    /// caller.
    pub(crate) fn quadratic_form_shifted(&self, x: &[f64], theta: &[f64]) -> f64 {
        self.a
            .rows()
            .into_iter()
            .zip(x.iter().zip(theta))
            .map(|(row, (xi, ti))| (xi - ti) * shifted_dot(row, x, theta))
            .sum()
    }
}

/// The dot product of `row` with $`x - \theta`$.
fn shifted_dot(row: ArrayView1<'_, f64>, x: &[f64], theta: &[f64]) -> f64 {
    row.iter()
        .zip(x.iter().zip(theta))
        .map(|(a, (xi, ti))| a * (xi - ti))
        .sum()
}
