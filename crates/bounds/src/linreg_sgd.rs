//! # Expected excess risk of averaged SGD on Gaussian linear regression under quantization
//!
//! The setting of paper 003 (Zhang, Zou & Su, arXiv 2510.18259; notes-algorithms §4): data
//! $`x \sim \mathcal{N}(0, H)`$, $`H = \operatorname{diag}(\lambda_1, \dots, \lambda_d)`$, labels
//! $`y = x^\top w^* + e`$, $`\operatorname{Var} e = s^2`$, one-pass minibatch SGD with constant
//! step $`\gamma`$, batch $`b`$, $`T`$ steps from $`w_0`$, output
//! $`\bar w_T = \frac1T \sum_{t=1}^{T} w_t`$, excess risk
//! $`\mathcal{E}(w) = \frac12 \|w - w^*\|_H^2`$. The paper bounds
//! $`\mathbb{E}\,\mathcal{E}(\bar w_T)`$ up to constants that the available sources do not give
//! (Theorem 4.1 is known only through a summary \[SRC-secondary\]). This module instead computes
//! the expectation **exactly** for the idealised models, by a second-moment recursion derived
//! here \[INF\]. Only diagonals are needed: $`H`$ is diagonal and the Gaussian is symmetric in
//! each coordinate, so $`\mathbb{E}[\hat H_{ij} \hat H_{ik}] = 0`$ for $`j \ne k`$:
//!
//! ```math
//! \begin{aligned}
//! \eta_t &= w_t - v, \qquad \mu_i = \mathbb{E}\,\eta_i, \qquad m_i = \mathbb{E}\,\eta_i^2, \\
//! \mu_i &\leftarrow (1 - \gamma g_i)\, \mu_i, \\
//! m_i &\leftarrow (1 - \gamma g_i)^2 m_i
//!   + \frac{\gamma^2}{b} \Big(g_i^2 m_i + g_i \sum_j g_j m_j\Big)
//!   && \text{(Gaussian 4th moments)} \\
//! &\qquad + \gamma^2 g_i^2 p_i \Big(1 + \frac1b\Big) + \frac{\gamma^2}{b}\, g_i \sum_j g_j p_j
//!   && \text{(parameter noise, not } /\,b) \\
//! &\qquad + \frac{\gamma^2}{b}\, \mathbb{E}[x_i^2 \nu^2]
//!   && \text{(residual noise)} \\
//! \mathbb{E}[\eta_{s,i}\, \eta_{t,i}] &= (1 - \gamma g_i)^{t-s} m_{s,i} \quad (s \le t)
//!   && \text{summed for the average in } O(T d),
//! \end{aligned}
//! ```
//!
//! where $`g`$ is the spectrum of the (quantized) data, $`v`$ the regression target for that
//! data, $`p_i`$ the variance of the parameter rounding $`Q_p(w)_i - w_i`$, and $`\nu`$ the
//! per-sample residual noise (label noise $`e`$ plus the rounding of labels, activations and
//! output gradients). For rounding noise of variance $`\alpha + \beta (x^\top u)^2`$ (additive
//! $`\alpha`$, relative $`\beta`$),
//! $`\mathbb{E}[x_i^2 (x^\top u)^2] = g_i\, \mathbb{E}[u^\top G u] + 2 g_i^2\, \mathbb{E}[u_i^2]`$
//! (Isserlis): labels have $`u = v`$, activations $`u = Q_p(w)`$, output gradients
//! $`u = \eta + \xi_p`$. Terms of second order in the rounding variances (rounding of another
//! target's rounding noise) are dropped; everything else is exact for Gaussian data and
//! independent rounding noise with the stated variances.
//!
//! **Data quantization** $`\tilde x = Q_d(x)`$ with per-coordinate rounding variance $`u_i`$
//! turns the problem into another one \[INF\], with the *spectral distortion* $`G`$, the target
//! $`v`$ and the label noise $`s'^2`$:
//!
//! ```math
//! G = \mathbb{E}[\tilde x \tilde x^\top] = H + \operatorname{diag}(u), \qquad
//! v = G^{-1} H w^* \;\Big(\text{so } v_i = \frac{\lambda_i w^*_i}{\lambda_i + u_i}\Big), \qquad
//! s'^2 = s^2 + \sum_i \frac{\lambda_i u_i {w^*_i}^2}{\lambda_i + u_i}.
//! ```
//!
//! The additive model $`u_i = \varepsilon`$ floors the spectrum at $`\varepsilon`$; the
//! multiplicative one $`u_i = \varepsilon \lambda_i`$ scales it by $`1 + \varepsilon`$ and leaves
//! its decay intact — the contrast in the paper's abstract. The recursion treats $`\tilde x`$ as
//! Gaussian (exact for Gaussian rounding noise in the additive case; a surrogate otherwise).
//! $`\mathcal{E}(\bar w)`$ is measured on the clean distribution:
//! $`\frac12 \sum_i \lambda_i\, \mathbb{E}(\bar w_i - w^*_i)^2`$, which includes the
//! *approximation* floor $`\frac12 \sum_i \lambda_i (v_i - w^*_i)^2`$ that $`\bar w`$ approaches as
//! $`T \to \infty`$.
//!
//! **Rounding variances.** [`Rounding`] maps each quantizer to $`(\alpha, \beta)`$ or $`p_i`$:
//! the paper's models directly ([`Rounding::Additive`] $`\varepsilon I`$, [`Rounding::Relative`]
//! $`\varepsilon \operatorname{diag}(u^2)`$), or the stochastic-rounding variance of an actual
//! grid at the Gaussian the value follows ([`Rounding::UniformGrid`], [`Rounding::FloatGrid`], via
//! [`crate::stochastic_rounding`]). The grids' variances depend on the state (the spread of the
//! activations and residuals, the value of each parameter); they are re-evaluated [`REFRESHES`]
//! times per run from the current moments, treating each parameter $`w_i`$ as Gaussian with its
//! mean and variance. A grid's rounding variance also depends on where each value falls within
//! its cell, which correlates with $`x`$; the recursion uses its average (INT: a constant
//! $`\alpha`$; float: a relative $`\beta`$) \[INF\]. The `linreg` experiment measures how close
//! this comes (within a few percent there).
//!
//! Code names: [`LinregProblem`], [`SgdRun`], [`QuantizationModel`], [`Rounding`],
//! [`averaged_sgd_risk`] returning a [`RiskPrediction`]; [`quantized_data_problem`].
//!
//! ```
//! use bounds::linreg_sgd::{averaged_sgd_risk, LinregProblem, QuantizationModel, Rounding, SgdRun};
//! // d = 100, λ_i = i^-2, w* = 1, s² = 1; 10 000 steps of size 0.2 with batch 1.
//! let p = LinregProblem::polynomial(100, 2.0, 1.0, 1.0)?;
//! let run = SgdRun::new(0.2, 1, 10_000)?;
//! let clean = averaged_sgd_risk(&p, &run, &QuantizationModel::default())?;
//! // INT data with step 1/16: the spectrum gets a floor, the risk goes up.
//! let int_data = QuantizationModel { data: Rounding::UniformGrid { step: 1.0 / 16.0 }, ..Default::default() };
//! let q = averaged_sgd_risk(&p, &run, &int_data)?;
//! assert!(q.averaged > clean.averaged && q.approximation > 0.0);
//! assert_eq!(clean.approximation, 0.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use crate::error::{BoundError, Result};
use crate::stochastic_rounding::{float_rounding_variance, uniform_rounding_variance};
use crate::validate::{count, finite, finite_result, non_negative, positive};

/// How many times per run the state-dependent rounding variances are re-evaluated.
pub const REFRESHES: u64 = 2000;

/// Gaussian linear regression with diagonal covariance:
/// $`x \sim \mathcal{N}(0, \operatorname{diag}(\lambda))`$, $`y = x^\top w^* + e`$,
/// $`\operatorname{Var} e = s^2`$, with $`\lambda`$ = `spectrum` and $`s^2`$ = `noise_variance`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinregProblem {
    spectrum: Vec<f64>,
    w_star: Vec<f64>,
    noise_variance: f64,
    start: Vec<f64>,
}

impl LinregProblem {
    /// The problem with eigenvalues `spectrum` (positive, finite), weights `w_star` (same
    /// length, finite) and label-noise variance `noise_variance` $`\ge 0`$; SGD starts at
    /// $`w_0 = 0`$.
    pub fn new(spectrum: Vec<f64>, w_star: Vec<f64>, noise_variance: f64) -> Result<Self> {
        count("d", spectrum.len() as u64)?;
        if w_star.len() != spectrum.len() {
            return Err(BoundError::OutOfRange {
                name: "w_star length",
                value: w_star.len() as f64,
                range: "the length of the spectrum",
            });
        }
        for &l in &spectrum {
            positive("spectrum", l)?;
        }
        for &w in &w_star {
            finite("w_star", w)?;
        }
        non_negative("noise_variance", noise_variance)?;
        let start = vec![0.0; w_star.len()];
        Ok(Self {
            spectrum,
            w_star,
            noise_variance,
            start,
        })
    }

    /// The polynomial-decay problem of paper 003: $`\lambda_i = i^{-a}`$, $`w^*_i`$ = `w_value`.
    pub fn polynomial(d: usize, a: f64, w_value: f64, noise_variance: f64) -> Result<Self> {
        count("d", d as u64)?;
        finite("a", a)?;
        let spectrum: Vec<f64> = (1..=d).map(|i| (i as f64).powf(-a)).collect();
        Self::new(spectrum, vec![w_value; d], noise_variance)
    }

    /// The same problem with SGD starting from `start` (finite, length $`d`$).
    pub fn with_start(mut self, start: Vec<f64>) -> Result<Self> {
        if start.len() != self.spectrum.len() {
            return Err(BoundError::OutOfRange {
                name: "start length",
                value: start.len() as f64,
                range: "the length of the spectrum",
            });
        }
        for &w in &start {
            finite("start", w)?;
        }
        self.start = start;
        Ok(self)
    }

    /// The eigenvalues $`\lambda_i`$.
    pub fn spectrum(&self) -> &[f64] {
        &self.spectrum
    }

    /// The true weights $`w^*`$.
    pub fn w_star(&self) -> &[f64] {
        &self.w_star
    }

    /// The label-noise variance $`s^2`$.
    pub fn noise_variance(&self) -> f64 {
        self.noise_variance
    }

    /// The excess risk $`\frac12 \|w - w^*\|_H^2`$ of a point (`w` of length $`d`$).
    pub fn excess_risk(&self, w: &[f64]) -> Result<f64> {
        if w.len() != self.spectrum.len() {
            return Err(BoundError::OutOfRange {
                name: "w length",
                value: w.len() as f64,
                range: "the length of the spectrum",
            });
        }
        Ok(0.5
            * self
                .spectrum
                .iter()
                .zip(w.iter().zip(&self.w_star))
                .map(|(l, (wi, si))| l * (wi - si) * (wi - si))
                .sum::<f64>())
    }
}

/// Constant-step minibatch SGD: step $`\gamma > 0`$, batch $`b \ge 1`$, $`T \ge 1`$ steps
/// ($`N = T b`$ samples).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdRun {
    step: f64,
    batch: u64,
    steps: u64,
}

impl SgdRun {
    /// Validates and builds the run.
    pub fn new(step: f64, batch: u64, steps: u64) -> Result<Self> {
        positive("step", step)?;
        count("batch", batch)?;
        count("steps", steps)?;
        Ok(Self { step, batch, steps })
    }

    /// The step $`\gamma`$.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// The batch size $`b`$.
    pub fn batch(&self) -> u64 {
        self.batch
    }

    /// The number of steps $`T`$.
    pub fn steps(&self) -> u64 {
        self.steps
    }
}

/// The rounding noise of one target.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Rounding {
    /// Full precision.
    #[default]
    Exact,
    /// The paper's additive model: variance $`\varepsilon`$ per coordinate, whatever the value.
    Additive(f64),
    /// The paper's multiplicative model (coordinate-wise): variance $`\varepsilon u_i^2`$.
    Relative(f64),
    /// Stochastic rounding on the grid $`\delta \mathbb{Z}`$, $`\delta`$ = `step` (INT-b with a
    /// constant step).
    UniformGrid {
        /// The grid step $`\delta`$.
        step: f64,
    },
    /// Stochastic rounding on a float grid with `man_bits` mantissa bits and smallest normal
    /// `min_normal` (a power of two).
    FloatGrid {
        /// Mantissa bits $`m`$.
        man_bits: u32,
        /// Smallest normal magnitude.
        min_normal: f64,
    },
}

impl Rounding {
    fn validate(self) -> Result<Self> {
        match self {
            Rounding::Exact => {}
            Rounding::Additive(e) => {
                non_negative("additive eps", e)?;
            }
            Rounding::Relative(e) => {
                non_negative("relative eps", e)?;
            }
            Rounding::UniformGrid { step } => {
                positive("grid step", step)?;
            }
            Rounding::FloatGrid {
                man_bits,
                min_normal,
            } => {
                float_rounding_variance(man_bits, min_normal, 1.0)?;
            }
        }
        Ok(self)
    }

    /// The split $`(\alpha, \beta)`$ with rounding variance $`\alpha + \beta u^2`$ for a value
    /// $`u \sim \mathcal{N}(0, \mathrm{var})`$.
    fn gaussian_split(self, var: f64) -> Result<(f64, f64)> {
        Ok(match self {
            Rounding::Exact => (0.0, 0.0),
            Rounding::Additive(e) => (e, 0.0),
            Rounding::Relative(e) => (0.0, e),
            Rounding::UniformGrid { step } => (
                uniform_rounding_variance(step, 0.0, var.max(0.0).sqrt())?,
                0.0,
            ),
            Rounding::FloatGrid {
                man_bits,
                min_normal,
            } => {
                // The relative variance barely depends on the scale; use 1 for a zero spread.
                let v = if var > 0.0 { var } else { 1.0 };
                (
                    0.0,
                    float_rounding_variance(man_bits, min_normal, v.sqrt())? / v,
                )
            }
        })
    }

    /// The variance of the rounding of a value $`w \sim \mathcal{N}(\mathrm{mean}, \mathrm{var})`$
    /// (a parameter).
    fn point_variance(self, mean: f64, var: f64) -> Result<f64> {
        let sd = var.max(0.0).sqrt();
        match self {
            Rounding::Exact => Ok(0.0),
            Rounding::Additive(e) => Ok(e),
            Rounding::Relative(e) => Ok(e * (mean * mean + var.max(0.0))),
            Rounding::UniformGrid { step } => uniform_rounding_variance(step, mean, sd),
            Rounding::FloatGrid {
                man_bits,
                min_normal,
            } => {
                // The local spacing at |mean| (the binade of the mean, or the subnormal one).
                let binade = mean.abs().max(min_normal).log2().floor();
                let spacing = (binade - f64::from(man_bits)).exp2();
                uniform_rounding_variance(spacing, mean, sd)
            }
        }
    }

    /// The per-coordinate rounding variance of data $`x_i \sim \mathcal{N}(0, \lambda)`$.
    fn data_variance(self, lambda: f64) -> Result<f64> {
        match self {
            Rounding::Exact => Ok(0.0),
            Rounding::Additive(e) => Ok(e),
            Rounding::Relative(e) => Ok(e * lambda),
            Rounding::UniformGrid { step } => uniform_rounding_variance(step, 0.0, lambda.sqrt()),
            Rounding::FloatGrid {
                man_bits,
                min_normal,
            } => float_rounding_variance(man_bits, min_normal, lambda.sqrt()),
        }
    }
}

/// The rounding of each of the five targets of paper 003 (all [`Rounding::Exact`] by default).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct QuantizationModel {
    /// The rounding $`Q_d`$ of each data coordinate.
    pub data: Rounding,
    /// The rounding $`Q_l`$ of each label.
    pub labels: Rounding,
    /// The rounding $`Q_p`$ of each parameter in the forward product.
    pub parameters: Rounding,
    /// The rounding $`Q_a`$ of each prediction.
    pub activations: Rounding,
    /// The rounding $`Q_o`$ of each residual.
    pub gradients: Rounding,
}

/// What [`averaged_sgd_risk`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskPrediction {
    /// The expected excess risk of the average, $`\mathbb{E}\,\mathcal{E}(\bar w_T)`$.
    pub averaged: f64,
    /// The expected excess risk of the last iterate, $`\mathbb{E}\,\mathcal{E}(w_T)`$.
    pub last: f64,
    /// The floor $`\frac12 \|v - w^*\|_H^2`$ that data quantization leaves as $`T \to \infty`$
    /// (0 without it).
    pub approximation: f64,
    /// The directions SGD fits in $`T`$ steps, $`k^* = \#\{i : g_i \ge 1/(T\gamma)\}`$ for the
    /// (quantized) data spectrum $`g`$: the effective dimension of the Zou et al. bounds the paper
    /// builds on.
    pub effective_dimension: usize,
    /// The label-noise variance $`s'^2`$ of the problem the quantized data define.
    pub effective_noise_variance: f64,
}

/// The problem that data rounded with per-coordinate variances $`u`$ defines (module docs):
/// returns $`(g, v, s'^2)`$ with $`g_i = \lambda_i + u_i`$, $`v_i = \lambda_i w^*_i/g_i`$,
/// $`s'^2 = s^2 + \sum_i \lambda_i u_i {w^*_i}^2/g_i`$.
pub fn quantized_data_problem(
    problem: &LinregProblem,
    rounding_variances: &[f64],
) -> Result<(Vec<f64>, Vec<f64>, f64)> {
    if rounding_variances.len() != problem.spectrum.len() {
        return Err(BoundError::OutOfRange {
            name: "rounding variances length",
            value: rounding_variances.len() as f64,
            range: "the length of the spectrum",
        });
    }
    let mut g = Vec::with_capacity(rounding_variances.len());
    let mut v = Vec::with_capacity(rounding_variances.len());
    let mut extra = 0.0;
    for ((&l, &w), &u) in problem
        .spectrum
        .iter()
        .zip(&problem.w_star)
        .zip(rounding_variances)
    {
        non_negative("rounding variance", u)?;
        let gi = l + u;
        g.push(gi);
        v.push(l * w / gi);
        extra += l * u * w * w / gi;
    }
    Ok((g, v, problem.noise_variance + extra))
}

/// The exact expected excess risk of averaged constant-step minibatch SGD under the rounding
/// model `q` (module docs). Errors when a parameter is invalid or the second moments overflow
/// (a step too long for the spectrum).
pub fn averaged_sgd_risk(
    problem: &LinregProblem,
    run: &SgdRun,
    q: &QuantizationModel,
) -> Result<RiskPrediction> {
    for r in [q.data, q.labels, q.parameters, q.activations, q.gradients] {
        r.validate()?;
    }
    let data_u = problem
        .spectrum
        .iter()
        .map(|&l| q.data.data_variance(l))
        .collect::<Result<Vec<f64>>>()?;
    let (g, v, s2) = quantized_data_problem(problem, &data_u)?;
    let (gamma, b, t_total) = (run.step, run.batch as f64, run.steps);
    let mut coords: Vec<Coordinate> = problem
        .start
        .iter()
        .zip(&g)
        .zip(&v)
        .map(|((w0, &gi), &vi)| {
            let mu = w0 - vi;
            Coordinate {
                g: gi,
                v: vi,
                c: 1.0 - gamma * gi,
                mu,
                m: mu * mu,
                p: 0.0,
                r: 0.0,
                sum_mu: 0.0,
                sum_m: 0.0,
                sum_cross: 0.0,
            }
        })
        .collect();
    let (mut alpha, mut beta_l, mut beta_a, mut beta_o) = (0.0, 0.0, 0.0, 0.0);
    let refresh_every = (t_total / REFRESHES).max(1);
    let vl: f64 = g.iter().zip(&v).map(|(gi, vi)| gi * vi * vi).sum();
    let (gb, g2) = (gamma * gamma / b, gamma * gamma);
    let activation_energy = |cs: &[Coordinate]| -> f64 {
        cs.iter()
            .map(|k| k.g * (k.m + 2.0 * k.mu * k.v + k.v * k.v + k.p))
            .sum()
    };

    for t in 1..=t_total {
        // State-dependent rounding variances, from the moments at step t - 1.
        if (t - 1) % refresh_every == 0 {
            for k in coords.iter_mut() {
                let var = (k.m - k.mu * k.mu).max(0.0);
                k.p = q.parameters.point_variance(k.mu + k.v, var)?;
            }
            let ua = activation_energy(&coords);
            let uo: f64 = coords.iter().map(|k| k.g * (k.m + k.p)).sum();
            let (al, bl) = q.labels.gaussian_split(vl + s2)?;
            let (aa, ba) = q.activations.gaussian_split(ua)?;
            let (ao, bo) = q
                .gradients
                .gaussian_split(uo + s2 + al + aa + bl * (vl + s2) + ba * ua)?;
            (alpha, beta_l, beta_a, beta_o) = (al + aa + ao, bl, ba, bo);
        }
        let gm: f64 = coords.iter().map(|k| k.g * k.m).sum();
        let gp: f64 = coords.iter().map(|k| k.g * k.p).sum();
        let ua = activation_energy(&coords);
        let uo = gm + gp;
        let mut finite = true;
        for k in coords.iter_mut() {
            let (gi, vi, ci, mi, mui, pi) = (k.g, k.v, k.c, k.m, k.mu, k.p);
            let ew2 = mi + 2.0 * mui * vi + vi * vi;
            let resid = (s2 + alpha) * gi
                + beta_l * (gi * (vl + s2) + 2.0 * gi * gi * vi * vi)
                + beta_a * (gi * ua + 2.0 * gi * gi * (ew2 + pi))
                + beta_o * (gi * (uo + s2 + alpha) + 2.0 * gi * gi * (mi + pi));
            k.m = ci * ci * mi
                + gb * (gi * gi * mi + gi * gm)
                + g2 * gi * gi * pi * (1.0 + 1.0 / b)
                + gb * gi * gp
                + gb * resid;
            k.mu = ci * mui;
            if t > 1 {
                // R_t = c (R_{t-1} + m_{t-1}).
                k.r = ci * (k.r + mi);
            }
            k.sum_mu += k.mu;
            k.sum_m += k.m;
            k.sum_cross += 2.0 * k.r;
            finite &= k.m.is_finite();
        }
        if !finite {
            return Err(BoundError::Overflow {
                what: "the second moment of SGD (the step is too long for this spectrum)",
            });
        }
    }

    let tt = t_total as f64;
    let (mut averaged, mut last, mut approximation) = (0.0, 0.0, 0.0);
    for (k, (h, w)) in coords
        .iter()
        .zip(problem.spectrum.iter().zip(&problem.w_star))
    {
        let delta = k.v - w;
        let mean_bar = k.sum_mu / tt;
        let second_bar = (k.sum_m + k.sum_cross) / (tt * tt);
        averaged += h * (second_bar + 2.0 * delta * mean_bar + delta * delta);
        last += h * (k.m + 2.0 * delta * k.mu + delta * delta);
        approximation += h * delta * delta;
    }
    let threshold = 1.0 / (tt * gamma);
    Ok(RiskPrediction {
        averaged: finite_result("averaged risk", 0.5 * averaged)?,
        last: finite_result("last-iterate risk", 0.5 * last)?,
        approximation: 0.5 * approximation,
        effective_dimension: g.iter().filter(|&&gi| gi >= threshold).count(),
        effective_noise_variance: s2,
    })
}

/// The recursion's state for one coordinate.
#[derive(Debug, Clone, Copy)]
struct Coordinate {
    /// Data eigenvalue $`g_i`$ and target $`v_i`$.
    g: f64,
    v: f64,
    /// The contraction $`1 - \gamma g_i`$.
    c: f64,
    /// The moments $`\mathbb{E}\,\eta_i`$, $`\mathbb{E}\,\eta_i^2`$ at the current step.
    mu: f64,
    m: f64,
    /// Parameter rounding variance $`p_i`$.
    p: f64,
    /// The cross sum $`R_t = \sum_{s<t} c^{t-s} m_s`$.
    r: f64,
    /// Running sums over $`t`$ of $`\mu_t`$, $`m_t`$, $`2 R_t`$.
    sum_mu: f64,
    sum_m: f64,
    sum_cross: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn one_d(lambda: f64, w: f64, s2: f64) -> LinregProblem {
        LinregProblem::new(vec![lambda], vec![w], s2).unwrap()
    }

    #[test]
    fn one_step_from_the_start_has_the_hand_computed_risk() {
        // b = 1: η_1 = (1 − γx²)η_0 + γ x e, E η_1² = (1 − 2γλ + 3γ²λ²)η_0² + γ²λs².
        let (l, w, s2, gamma) = (0.8, 1.5, 0.7, 0.3);
        let p = one_d(l, w, s2);
        let r =
            averaged_sgd_risk(&p, &SgdRun::new(gamma, 1, 1).unwrap(), &Default::default()).unwrap();
        let m1 =
            (1.0 - 2.0 * gamma * l + 3.0 * gamma * gamma * l * l) * w * w + gamma * gamma * l * s2;
        assert_relative_eq!(r.last, 0.5 * l * m1, max_relative = 1e-14);
        assert_relative_eq!(r.averaged, r.last, max_relative = 1e-14);
    }

    #[test]
    fn the_average_of_two_steps_includes_their_correlation() {
        // w̄ = (w_1 + w_2)/2: E η̄² = (m_1 + m_2 + 2(1 − γλ) m_1)/4.
        let (l, w, s2, gamma) = (0.5, 1.0, 1.0, 0.4);
        let p = one_d(l, w, s2);
        let r =
            averaged_sgd_risk(&p, &SgdRun::new(gamma, 1, 2).unwrap(), &Default::default()).unwrap();
        let k = 1.0 - 2.0 * gamma * l + 3.0 * gamma * gamma * l * l;
        let m1 = k * w * w + gamma * gamma * l * s2;
        let m2 = k * m1 + gamma * gamma * l * s2;
        let c = 1.0 - gamma * l;
        assert_relative_eq!(
            r.averaged,
            0.5 * l * (m1 + m2 + 2.0 * c * m1) / 4.0,
            max_relative = 1e-14
        );
        assert_relative_eq!(r.last, 0.5 * l * m2, max_relative = 1e-14);
    }

    #[test]
    fn coordinates_couple_through_the_trace_term_and_the_batch_divides_the_noise() {
        // d = 2, b = 2, one step: m_i' = (1−γg_i)² m_i + (γ²/2)(g_i² m_i + g_i Σ g_j m_j + s² g_i).
        let (g, w, s2, gamma) = ([1.0, 0.25], [1.0, -2.0], 0.5, 0.2);
        let p = LinregProblem::new(g.to_vec(), w.to_vec(), s2).unwrap();
        let r =
            averaged_sgd_risk(&p, &SgdRun::new(gamma, 2, 1).unwrap(), &Default::default()).unwrap();
        let m0 = [1.0, 4.0];
        let trace = g[0] * m0[0] + g[1] * m0[1];
        let m1: Vec<f64> = (0..2)
            .map(|i| {
                (1.0 - gamma * g[i]).powi(2) * m0[i]
                    + gamma * gamma / 2.0 * (g[i] * g[i] * m0[i] + g[i] * trace + s2 * g[i])
            })
            .collect();
        assert_relative_eq!(
            r.last,
            0.5 * (g[0] * m1[0] + g[1] * m1[1]),
            max_relative = 1e-14
        );
    }

    #[test]
    fn additive_parameter_noise_is_not_divided_by_the_batch() {
        // From the optimum with s = 0: m_1 = γ² g² p (1 + 2/b) for d = 1.
        for b in [1u64, 4, 64] {
            let p = one_d(1.0, 0.0, 0.0);
            let q = QuantizationModel {
                parameters: Rounding::Additive(0.01),
                ..Default::default()
            };
            let gamma = 0.1;
            let r = averaged_sgd_risk(&p, &SgdRun::new(gamma, b, 1).unwrap(), &q).unwrap();
            let expected = gamma * gamma * 0.01 * (1.0 + 2.0 / b as f64);
            assert_relative_eq!(r.last, 0.5 * expected, max_relative = 1e-14);
        }
    }

    #[test]
    fn additive_residual_rounding_adds_to_the_label_noise_exactly() {
        let p = LinregProblem::polynomial(20, 2.0, 1.0, 1.0).unwrap();
        let run = SgdRun::new(0.2, 4, 3000).unwrap();
        let q = QuantizationModel {
            labels: Rounding::Additive(0.1),
            activations: Rounding::Additive(0.2),
            gradients: Rounding::Additive(0.3),
            ..Default::default()
        };
        let a = averaged_sgd_risk(&p, &run, &q).unwrap();
        let noisier = LinregProblem::polynomial(20, 2.0, 1.0, 1.6).unwrap();
        let b = averaged_sgd_risk(&noisier, &run, &Default::default()).unwrap();
        assert_relative_eq!(a.averaged, b.averaged, max_relative = 1e-12);
    }

    #[test]
    fn the_last_iterate_reaches_the_stationary_second_moment() {
        // d = 1 from the optimum: m* = (γ² g s²/b) / (2γg − γ²g² − 2γ²g²/b).
        let (g, s2, gamma, b) = (0.5, 2.0, 0.3, 3u64);
        let p = one_d(g, 0.0, s2);
        let r = averaged_sgd_risk(
            &p,
            &SgdRun::new(gamma, b, 5000).unwrap(),
            &Default::default(),
        )
        .unwrap();
        let bf = b as f64;
        let m_star = (gamma * gamma * g * s2 / bf)
            / (2.0 * gamma * g - gamma * gamma * g * g - 2.0 * gamma * gamma * g * g / bf);
        assert_relative_eq!(r.last, 0.5 * g * m_star, max_relative = 1e-12);
        // The average of a stationary sequence has far smaller error.
        assert!(r.averaged < r.last / 50.0);
    }

    #[test]
    fn data_rounding_shifts_the_target_and_leaves_an_approximation_floor() {
        let p = LinregProblem::new(vec![1.0, 0.01], vec![1.0, 1.0], 1.0).unwrap();
        let (g, v, s2) = quantized_data_problem(&p, &[0.01, 0.01]).unwrap();
        assert_eq!(g, vec![1.01, 0.02]);
        assert_relative_eq!(v[0], 1.0 / 1.01, max_relative = 1e-15);
        assert_relative_eq!(v[1], 0.5, max_relative = 1e-15);
        assert_relative_eq!(
            s2,
            1.0 + 0.01 / 1.01 + 0.01 * 0.01 / 0.02,
            max_relative = 1e-15
        );
        let q = QuantizationModel {
            data: Rounding::Additive(0.01),
            ..Default::default()
        };
        let r = averaged_sgd_risk(&p, &SgdRun::new(0.1, 1, 10).unwrap(), &q).unwrap();
        let floor = 0.5 * (1.0 * (v[0] - 1.0).powi(2) + 0.01 * 0.25);
        assert_relative_eq!(r.approximation, floor, max_relative = 1e-14);
    }

    #[test]
    fn multiplicative_data_rounding_scales_the_spectrum_and_keeps_its_decay() {
        let p = LinregProblem::polynomial(100, 2.0, 1.0, 1.0).unwrap();
        let run = SgdRun::new(0.2, 1, 10_000).unwrap();
        let rel = QuantizationModel {
            data: Rounding::Relative(0.01),
            ..Default::default()
        };
        let add = QuantizationModel {
            data: Rounding::Additive(0.01),
            ..Default::default()
        };
        let clean = averaged_sgd_risk(&p, &run, &Default::default()).unwrap();
        let r = averaged_sgd_risk(&p, &run, &rel).unwrap();
        let a = averaged_sgd_risk(&p, &run, &add).unwrap();
        // Same k* up to the (1 + eps) scaling; the floor sees every small eigenvalue.
        assert!(r.effective_dimension.abs_diff(clean.effective_dimension) <= 1);
        assert_eq!(a.effective_dimension, 100);
        assert!(r.averaged < a.averaged);
        // w̄ -> w*/(1 + eps): the floor is (eps/(1+eps))^2 ||w*||_H^2 / 2.
        let h_norm: f64 = p.spectrum().iter().sum();
        assert_relative_eq!(
            r.approximation,
            0.5 * (0.01f64 / 1.01).powi(2) * h_norm,
            max_relative = 1e-12
        );
    }

    #[test]
    fn a_step_too_long_is_an_overflow_error() {
        let p = LinregProblem::polynomial(10, 2.0, 1.0, 1.0).unwrap();
        let r = averaged_sgd_risk(
            &p,
            &SgdRun::new(3.0, 1, 100_000).unwrap(),
            &Default::default(),
        );
        assert!(matches!(r, Err(BoundError::Overflow { .. })));
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(LinregProblem::new(vec![], vec![], 1.0).is_err());
        assert!(LinregProblem::new(vec![1.0], vec![1.0, 2.0], 1.0).is_err());
        assert!(LinregProblem::new(vec![0.0], vec![1.0], 1.0).is_err());
        assert!(LinregProblem::new(vec![1.0], vec![f64::NAN], 1.0).is_err());
        assert!(LinregProblem::new(vec![1.0], vec![1.0], -1.0).is_err());
        assert!(LinregProblem::polynomial(0, 2.0, 1.0, 1.0).is_err());
        let p = one_d(1.0, 1.0, 1.0);
        assert!(p.clone().with_start(vec![0.0, 0.0]).is_err());
        assert!(SgdRun::new(0.0, 1, 1).is_err());
        assert!(SgdRun::new(0.1, 0, 1).is_err());
        assert!(SgdRun::new(0.1, 1, 0).is_err());
        let run = SgdRun::new(0.1, 1, 1).unwrap();
        for bad in [
            Rounding::Additive(-1.0),
            Rounding::Relative(f64::NAN),
            Rounding::UniformGrid { step: 0.0 },
            Rounding::FloatGrid {
                man_bits: 3,
                min_normal: 0.3,
            },
        ] {
            let q = QuantizationModel {
                gradients: bad,
                ..Default::default()
            };
            assert!(averaged_sgd_risk(&p, &run, &q).is_err(), "{bad:?}");
        }
        assert!(quantized_data_problem(&p, &[0.1, 0.1]).is_err());
        assert!(p.excess_risk(&[1.0, 2.0]).is_err());
        assert_eq!(p.excess_risk(&[1.0]).unwrap(), 0.0);
    }
}
