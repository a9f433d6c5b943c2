//! Streaming linear regression with a polynomially decaying spectrum.
//!
//! The setting of paper 003 (notes-algorithms §4; the paper's abstract is the only reliable
//! source, the experiment parameters are from a secondary summary \[SRC-secondary\]): data
//! $`x \sim \mathcal{N}(0, H)`$ with $`H = \operatorname{diag}(\lambda_1, \dots, \lambda_d)`$,
//! $`\lambda_i = i^{-a}`$ ($`a > 1`$), labels $`y = x^\top w^* + \epsilon`$,
//! $`\epsilon \sim \mathcal{N}(0, s^2)`$ independent of $`x`$. The population risk is
//!
//! ```math
//! L(w) = \tfrac12 \mathbb{E}(y - x^\top w)^2
//!   = \tfrac12 (w - w^*)^\top H (w - w^*) + \frac{s^2}{2},
//! ```
//!
//! with excess risk $`\mathcal{E}(w) = L(w) - L(w^*) = \frac12 \|w - w^*\|_H^2`$, smoothness
//! $`\lambda_1 = 1`$ and strong convexity $`\lambda_d = d^{-a}`$. One-pass SGD sees fresh
//! samples: the stochastic gradient on a batch of $`b`$ samples is
//!
//! ```math
//! g = \frac1b \sum_k x_k (x_k^\top w - y_k), \quad \text{unbiased for } \nabla L(w) = H(w - w^*),
//! ```
//!
//! whose per-coordinate variance for one sample is
//! $`\lambda_i (\|w - w^*\|_H^2 + s^2) + \lambda_i^2 (w_i - w^*_i)^2`$ (Isserlis), divided by
//! $`b`$. Methods that quantize the data, labels or activations themselves (paper 003's
//! $`Q_d`$, $`Q_l`$, $`Q_a`$) draw raw batches with [`LinearRegression::sample_batch`].

use ndarray::{Array1, Array2};
use rand::{Rng, RngCore};
use rand_distr::{Distribution, StandardNormal};

use crate::limits::check_matrix;
use crate::oracle::{check_out, check_query};
use crate::{Oracle, OracleError, Properties};

/// Streaming least squares $`L(w) = \frac12 \mathbb{E}(y - x^\top w)^2`$ with
/// $`x \sim \mathcal{N}(0, \operatorname{diag}(i^{-a}))`$,
/// $`y = x^\top w^* + \mathcal{N}(0, s^2)`$.
///
/// ```
/// use oracles::{LinearRegression, Oracle};
/// use rand::SeedableRng;
/// // d = 50, a = 2, w* = 1, s = 1, batches of 4
/// let mut o = LinearRegression::new(vec![1.0; 50], 2.0, 1.0, 4)?;
/// assert_eq!(o.excess_risk(&vec![1.0; 50])?, 0.0);
/// assert_eq!(o.value(&vec![1.0; 50])?, 0.5); // s^2 / 2
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(4);
/// let (x, y) = o.sample_batch(8, &mut rng)?;
/// assert_eq!((x.nrows(), x.ncols(), y.len()), (8, 50, 8));
/// let mut g = vec![0.0; 50];
/// o.gradient(&vec![0.0; 50], &mut rng, &mut g)?;
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LinearRegression {
    w_star: Vec<f64>,
    decay: f64,
    noise_std: f64,
    batch: usize,
    /// The spectrum $`\lambda_i = i^{-a}`$.
    spectrum: Vec<f64>,
    /// The square roots $`\sqrt{\lambda_i}`$, to draw $`x = H^{1/2} z`$.
    sqrt_spectrum: Vec<f64>,
    /// One sample $`x`$, reused across gradient calls.
    scratch: Vec<f64>,
}

impl LinearRegression {
    /// The problem in dimension $`d`$ = `w_star.len()` $`\ge 1`$ with decay exponent $`a > 1`$,
    /// label noise standard deviation $`s \ge 0`$ and gradient batch size `batch` $`\ge 1`$.
    pub fn new(w_star: Vec<f64>, a: f64, s: f64, batch: usize) -> Result<Self, OracleError> {
        if w_star.is_empty() {
            return Err(OracleError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if let Some(i) = w_star.iter().position(|v| !v.is_finite()) {
            return Err(OracleError::InvalidParameter(format!(
                "w_star[{i}] is not finite"
            )));
        }
        if !(a.is_finite() && a > 1.0) {
            return Err(OracleError::InvalidParameter(format!(
                "decay exponent a must be finite and greater than 1, got {a}"
            )));
        }
        if !(s.is_finite() && s >= 0.0) {
            return Err(OracleError::InvalidParameter(format!(
                "label noise s must be finite and non-negative, got {s}"
            )));
        }
        check_batch(batch)?;
        let d = w_star.len();
        let spectrum: Vec<f64> = (1..=d).map(|i| (i as f64).powf(-a)).collect();
        if spectrum.iter().any(|l| *l <= 0.0 || !l.is_finite()) {
            return Err(OracleError::InvalidParameter(format!(
                "lambda_d = d^-a underflows for d = {d}, a = {a}"
            )));
        }
        let sqrt_spectrum = spectrum.iter().map(|l| l.sqrt()).collect();
        Ok(Self {
            w_star,
            decay: a,
            noise_std: s,
            batch,
            spectrum,
            sqrt_spectrum,
            scratch: vec![0.0; d],
        })
    }

    /// Changes the gradient batch size ($`\ge 1`$).
    pub fn with_batch_size(mut self, batch: usize) -> Result<Self, OracleError> {
        check_batch(batch)?;
        self.batch = batch;
        Ok(self)
    }

    /// The batch size $`b`$ of [`Oracle::gradient`].
    pub fn batch_size(&self) -> usize {
        self.batch
    }

    /// The decay exponent $`a`$.
    pub fn decay(&self) -> f64 {
        self.decay
    }

    /// The label noise standard deviation $`s`$.
    pub fn noise_std(&self) -> f64 {
        self.noise_std
    }

    /// The spectrum $`\lambda_i = i^{-a}`$ of $`H`$.
    pub fn spectrum(&self) -> &[f64] {
        &self.spectrum
    }

    /// The true weights $`w^*`$.
    pub fn w_star(&self) -> &[f64] {
        &self.w_star
    }

    /// The excess risk $`L(w) - L(w^*) = \frac12 (w - w^*)^\top H (w - w^*)`$.
    pub fn excess_risk(&self, w: &[f64]) -> Result<f64, OracleError> {
        check_query(self.dim(), w)?;
        Ok(0.5 * self.h_norm_sq(w))
    }

    /// Per-coordinate variance of the batch gradient at `w`:
    ///
    /// ```math
    /// \frac{\lambda_i (\|w - w^*\|_H^2 + s^2) + \lambda_i^2 (w_i - w^*_i)^2}{b}.
    /// ```
    pub fn gradient_variance(&self, w: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(self.dim(), w)?;
        check_out(self.dim(), out)?;
        let energy = self.h_norm_sq(w) + self.noise_std * self.noise_std;
        let b = self.batch as f64;
        for (((o, l), wi), si) in out.iter_mut().zip(&self.spectrum).zip(w).zip(&self.w_star) {
            let delta = wi - si;
            *o = (l * energy + l * l * delta * delta) / b;
        }
        Ok(())
    }

    /// Draws $`b \ge 1`$ fresh samples: $`X`$ ($`b \times d`$, one sample per row) and $`y`$
    /// (length $`b`$).
    pub fn sample_batch<R: Rng + ?Sized>(
        &self,
        b: usize,
        rng: &mut R,
    ) -> Result<(Array2<f64>, Array1<f64>), OracleError> {
        check_batch(b)?;
        let d = self.dim();
        check_matrix(b, d, "data batch")?;
        let mut x = Array2::zeros((b, d));
        let mut y = Array1::zeros(b);
        for (mut row, yk) in x.rows_mut().into_iter().zip(y.iter_mut()) {
            let mut label = 0.0;
            for ((v, r), w) in row.iter_mut().zip(&self.sqrt_spectrum).zip(&self.w_star) {
                let z: f64 = StandardNormal.sample(rng);
                *v = r * z;
                label += *v * w;
            }
            let eps: f64 = StandardNormal.sample(rng);
            *yk = label + self.noise_std * eps;
        }
        Ok((x, y))
    }

    /// The squared norm $`\|w - w^*\|_H^2`$, length already checked.
    fn h_norm_sq(&self, w: &[f64]) -> f64 {
        self.spectrum
            .iter()
            .zip(w.iter().zip(&self.w_star))
            .map(|(l, (wi, si))| l * (wi - si) * (wi - si))
            .sum()
    }
}

fn check_batch(b: usize) -> Result<(), OracleError> {
    if b == 0 {
        Err(OracleError::InvalidParameter(
            "batch size must be at least 1".into(),
        ))
    } else {
        Ok(())
    }
}

impl Oracle for LinearRegression {
    fn dim(&self) -> usize {
        self.w_star.len()
    }

    /// The batch gradient $`\frac1b \sum_k x_k (x_k^\top w - y_k)`$ over $`b`$ fresh samples, drawn
    /// in the same order as [`LinearRegression::sample_batch`] (so the two agree for the same
    /// generator state).
    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        out.fill(0.0);
        let inv_b = 1.0 / self.batch as f64;
        for _ in 0..self.batch {
            // Residual x'w - y = x'w - x'w* - s eps.
            let (mut pred, mut label) = (0.0, 0.0);
            for (((v, r), w), ws) in self
                .scratch
                .iter_mut()
                .zip(&self.sqrt_spectrum)
                .zip(x)
                .zip(&self.w_star)
            {
                let z: f64 = StandardNormal.sample(rng);
                *v = r * z;
                pred += *v * w;
                label += *v * ws;
            }
            let eps: f64 = StandardNormal.sample(rng);
            let residual = pred - (label + self.noise_std * eps);
            for (o, v) in out.iter_mut().zip(&self.scratch) {
                *o += inv_b * residual * v;
            }
        }
        Ok(())
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        for (((o, l), wi), si) in out.iter_mut().zip(&self.spectrum).zip(x).zip(&self.w_star) {
            *o = l * (wi - si);
        }
        Ok(())
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        check_query(self.dim(), x)?;
        Ok(0.5 * self.h_norm_sq(x) + 0.5 * self.noise_std * self.noise_std)
    }

    fn minimizer(&self) -> Option<&[f64]> {
        Some(&self.w_star)
    }

    fn optimal_value(&self) -> Option<f64> {
        Some(0.5 * self.noise_std * self.noise_std)
    }

    /// The constants $`L = \lambda_1 = 1`$, $`\mu = \lambda_d = d^{-a}`$; the noise variance
    /// depends on $`w`$ (see [`LinearRegression::gradient_variance`]), so it is not declared.
    fn properties(&self) -> Properties {
        Properties {
            smoothness: self.spectrum.first().copied(),
            strong_convexity: self.spectrum.last().copied(),
            noise_variance: None,
            norm_bound: None,
            dynamic_range: None,
        }
    }
}
