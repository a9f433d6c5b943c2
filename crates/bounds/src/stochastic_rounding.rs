//! # The variance of stochastic rounding of a Gaussian value
//!
//! Stochastic rounding of $`x`$ between neighbouring grid points $`a \le x < a + \delta`$ outputs
//! $`a + \delta`$ with probability $`(x - a)/\delta`$: unbiased, with conditional variance
//! $`\delta^2 f(1 - f)`$, $`f = (x - a)/\delta`$. Averaged over a Gaussian
//! $`x \sim \mathcal{N}(\mu, \sigma^2)`$ \[INF, derived here\], on the uniform grid
//! $`\delta\mathbb{Z}`$ (INT-b, the additive model of paper 003):
//!
//! ```math
//! v(\delta, \mu, \sigma) = \mathbb{E}[\delta^2 f(1 - f)]
//!   = \delta^2 \left[\frac16 - \frac{1}{\pi^2} \sum_{k \ge 1}
//!     \frac{\cos(2\pi k \mu/\delta)\, \exp(-2\pi^2 k^2 \sigma^2/\delta^2)}{k^2}\right]
//! ```
//!
//! from the Fourier series $`f(1 - f) = \frac16 - \sum_k \cos(2\pi k f)/(\pi^2 k^2)`$ and the
//! Gaussian characteristic function. For $`\sigma \ge \delta/2`$ the sum is below
//! $`10^{-8} \delta^2`$ and $`v = \delta^2/6`$: the model's $`\varepsilon = \delta^2/4`$ is the
//! worst case, reached only for values at cell midpoints. For $`\sigma \ll \delta`$ the value sits
//! in one or two cells and $`v \approx \delta \sigma \sqrt{2/\pi} - \sigma^2`$ at $`\mu = 0`$, much
//! less than $`\delta^2/6`$ — a grid coarse relative to the spread of the data adds far less noise
//! than the model says. There the series converges slowly, so cells are integrated exactly
//! instead: with $`c`$ the offset of $`\mu`$ from a cell's left end, $`x - a = c + \sigma z`$, and
//!
//! ```math
//! \int_{\text{cell}} \delta^2 f(1 - f)\, dN
//!   = c(\delta - c)\, P + \sigma(\delta - 2c)\, M_1 - \sigma^2 M_2,
//! ```
//!
//! $`P, M_1, M_2`$ the zeroth to second moments of the standard normal over the cell. On a float
//! grid with $`m`$ mantissa bits (the multiplicative model), $`x \sim \mathcal{N}(0, \sigma^2)`$:
//!
//! ```math
//! v_m(\sigma) = \sum_E \frac{(2^{E-m})^2}{6}\, P\big(2^E \le |x| < 2^{E+1}\big)
//!   + \frac{(2^{E_{\min} - m})^2}{6}\, P\big(|x| < 2^{E_{\min}}\big)
//! ```
//!
//! where $`E \ge E_{\min}`$ runs over the binades of the normal numbers (spacing $`2^{E-m}`$) and
//! the last term is the subnormal band (spacing of the smallest binade). This is the cell-average
//! approximation $`\mathbb{E}[f(1 - f)] = 1/6`$ within each binade; it overstates the variance by
//! about 10% at $`m = 0`$, 3% at $`m = 1`$, 0.8% at $`m = 2`$ and 0.2% at $`m = 3`$ (measured
//! against brute-force integration for Gaussian input) \[INF\]. The effective relative variance
//! $`v_m(\sigma)/\sigma^2`$ is about $`4^{-m}/11`$ (it wobbles with $`\log_2 \sigma \bmod 1`$),
//! against the model's worst case $`\varepsilon = 4^{-m}/4`$. Overflow beyond the format's largest
//! value is not modelled.
//!
//! Code names: [`uniform_rounding_variance`], [`float_rounding_variance`].
//!
//! ```
//! use bounds::{float_rounding_variance, uniform_rounding_variance};
//! // A fine grid: δ²/6. A coarse one: about δ σ √(2/π) − σ² at μ = 0.
//! let v = uniform_rounding_variance(0.1, 0.0, 1.0)?;
//! assert!((v - 0.01 / 6.0).abs() < 1e-15);
//! let v = uniform_rounding_variance(1.0, 0.0, 0.01)?;
//! assert!((v - (0.01 * (2.0 / std::f64::consts::PI).sqrt() - 1e-4)).abs() < 1e-12);
//! // A float grid with 3 mantissa bits: about 4^-3 / 11 of σ².
//! let r = float_rounding_variance(3, 2f64.powi(-14), 1.0)? * 64.0;
//! assert!(r > 0.07 && r < 0.11, "{r}");
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::PI;

use crate::error::{BoundError, Result};
use crate::special::{erf, normal_cdf, normal_pdf};
use crate::validate::{finite, non_negative, positive};

/// Below this ratio $`\sigma/\delta`$ the cells are integrated one by one; above it the Fourier
/// series converges in a handful of terms.
const SERIES_MIN_RATIO: f64 = 0.15;

/// Half-width of the integration window in standard deviations (the mass outside is below
/// $`10^{-30}`$).
const WINDOW_SDS: f64 = 12.0;

/// The mean rounding variance $`\mathbb{E}[\delta^2 f(1 - f)]`$ for
/// $`x \sim \mathcal{N}(\mu, \sigma^2)`$ rounded stochastically on the grid $`\delta\mathbb{Z}`$
/// (module docs), with $`\delta`$ = `step` $`> 0`$, $`\sigma`$ = `sd` $`\ge 0`$ and $`\mu`$ =
/// `mean` finite.
pub fn uniform_rounding_variance(step: f64, mean: f64, sd: f64) -> Result<f64> {
    let delta = positive("step", step)?;
    let mu = finite("mean", mean)?;
    let sigma = non_negative("sd", sd)?;
    let t = mu / delta;
    let frac = t - t.floor();
    if sigma == 0.0 {
        return Ok(delta * delta * frac * (1.0 - frac));
    }
    let r = sigma / delta;
    if r >= SERIES_MIN_RATIO {
        // Terms decay like exp(-2 pi^2 k^2 r^2); stop once they are below 1e-18.
        let mut sum = 0.0;
        let mut k = 1.0f64;
        loop {
            let damp = (-2.0 * PI * PI * k * k * r * r).exp();
            if damp < 1e-18 {
                break;
            }
            sum += (2.0 * PI * k * frac).cos() * damp / (k * k);
            k += 1.0;
        }
        return Ok((delta * delta * (1.0 / 6.0 - sum / (PI * PI))).max(0.0));
    }
    // Exact cell-by-cell integration over mean ± WINDOW_SDS sd; at most a few cells here.
    let lo = ((mu - WINDOW_SDS * sigma) / delta).floor();
    let hi = ((mu + WINDOW_SDS * sigma) / delta).floor();
    let mut total = 0.0;
    let mut n = lo;
    while n <= hi {
        let a = n * delta;
        let c = mu - a;
        let za = -c / sigma;
        let zb = (delta - c) / sigma;
        let (pa, pb) = (normal_pdf(za), normal_pdf(zb));
        let p = normal_cdf(zb) - normal_cdf(za);
        let m1 = pa - pb;
        let m2 = p + za * pa - zb * pb;
        total += c * (delta - c) * p + sigma * (delta - 2.0 * c) * m1 - sigma * sigma * m2;
        n += 1.0;
    }
    Ok(total.max(0.0))
}

/// The mean rounding variance $`\mathbb{E}[\operatorname{Var}(Q(x) \mid x)]`$ for
/// $`x \sim \mathcal{N}(0, \sigma^2)`$, $`\sigma`$ = `sd` $`> 0`$, rounded stochastically to a
/// float grid with `man_bits` mantissa bits and smallest normal magnitude `min_normal` (a power
/// of two, as in every IEEE-like format), by the cell-average formula of the module docs.
pub fn float_rounding_variance(man_bits: u32, min_normal: f64, sd: f64) -> Result<f64> {
    let sigma = positive("sd", sd)?;
    let min = positive("min_normal", min_normal)?;
    if man_bits > 52 {
        return Err(BoundError::OutOfRange {
            name: "man_bits",
            value: f64::from(man_bits),
            range: "0..=52",
        });
    }
    let e_min = min.log2();
    if e_min.fract() != 0.0 {
        return Err(BoundError::OutOfRange {
            name: "min_normal",
            value: min,
            range: "a power of two",
        });
    }
    let scale = std::f64::consts::SQRT_2 * sigma;
    // P(|x| < v) = erf(v / (sqrt 2 sigma)), accurate for small v as well.
    let below = |v: f64| erf(v / scale);
    let rel = (-f64::from(man_bits)).exp2();
    let sub = min * rel;
    let mut total = sub * sub / 6.0 * below(min);
    // Binades from the smallest normal up to 2^40 sigma (the mass above is nil), skipping those
    // whose weight 4^E P(binade) cannot matter (more than 2^-60 sigma below).
    let e_top = (sigma.log2().ceil() + 40.0).max(e_min + 1.0);
    let mut e = e_min.max(sigma.log2().floor() - 60.0);
    while e < e_top {
        let (a, b) = (e.exp2(), (e + 1.0).exp2());
        let spacing = a * rel;
        total += spacing * spacing / 6.0 * (below(b) - below(a));
        e += 1.0;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Brute-force E[δ² f(1 − f)] by a fine midpoint rule over ±12 sd.
    fn brute_uniform(step: f64, mean: f64, sd: f64) -> f64 {
        let n = 400_000;
        let (lo, hi) = (mean - 12.0 * sd, mean + 12.0 * sd);
        let h = (hi - lo) / n as f64;
        (0..n)
            .map(|i| {
                let x = lo + (i as f64 + 0.5) * h;
                let t = x / step;
                let f = t - t.floor();
                step * step * f * (1.0 - f) * normal_pdf((x - mean) / sd) / sd * h
            })
            .sum()
    }

    #[test]
    fn uniform_variance_matches_brute_force_integration_in_both_regimes() {
        for &(step, mean, sd) in &[
            (1.0, 0.0, 0.01),
            (1.0, 0.3, 0.05),
            (1.0, 0.0, 0.1499),
            (1.0, 0.2, 0.1501),
            (0.5, -0.37, 0.2),
            (0.25, 1.1, 1.0),
        ] {
            let exact = uniform_rounding_variance(step, mean, sd).unwrap();
            let brute = brute_uniform(step, mean, sd);
            assert_relative_eq!(exact, brute, max_relative = 1e-6);
        }
    }

    #[test]
    fn uniform_variance_at_a_point_is_the_rounding_variance_of_that_point() {
        assert_relative_eq!(
            uniform_rounding_variance(0.5, 0.3, 0.0).unwrap(),
            0.25 * 0.6 * 0.4,
            max_relative = 1e-14
        );
        assert_eq!(uniform_rounding_variance(0.5, 1.0, 0.0).unwrap(), 0.0);
    }

    #[test]
    fn uniform_variance_is_one_sixth_of_the_squared_step_on_a_fine_grid() {
        for mean in [0.0, 0.123, 0.5] {
            assert_relative_eq!(
                uniform_rounding_variance(0.01, mean, 1.0).unwrap(),
                1e-4 / 6.0,
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn float_variance_is_scale_equivariant_and_near_a_brute_force_sum() {
        // Doubling sd doubles every relevant value and so quadruples the variance.
        let v1 = float_rounding_variance(4, 2f64.powi(-30), 0.7).unwrap();
        let v2 = float_rounding_variance(4, 2f64.powi(-30), 1.4).unwrap();
        assert_relative_eq!(v2, 4.0 * v1, max_relative = 1e-12);
        // Brute force: midpoint rule of spacing(x)^2 f(1-f) over x > 0 (symmetric).
        let (m, sd) = (2u32, 1.0f64);
        let n = 2_000_000;
        let h = 12.0 * sd / n as f64;
        let brute: f64 = 2.0
            * (0..n)
                .map(|i| {
                    let x = (i as f64 + 0.5) * h;
                    let e = x.log2().floor().max(-30.0);
                    let spacing = (e - f64::from(m)).exp2();
                    let t = x / spacing;
                    let f = t - t.floor();
                    spacing * spacing * f * (1.0 - f) * normal_pdf(x / sd) / sd * h
                })
                .sum::<f64>();
        let cell_average = float_rounding_variance(m, 2f64.powi(-30), sd).unwrap();
        // The cell-average approximation is within 1% at m = 2 (module docs).
        assert_relative_eq!(cell_average, brute, max_relative = 0.01);
    }

    #[test]
    fn float_variance_relative_to_sd_squared_is_about_four_to_the_minus_m_over_eleven() {
        for m in [1u32, 3, 7] {
            let r = float_rounding_variance(m, 2f64.powi(-14), 1.0).unwrap() * 4f64.powi(m as i32);
            assert!(r > 0.07 && r < 0.11, "m = {m}: {r}");
        }
    }

    #[test]
    fn invalid_parameters_are_errors() {
        assert!(uniform_rounding_variance(0.0, 0.0, 1.0).is_err());
        assert!(uniform_rounding_variance(1.0, f64::NAN, 1.0).is_err());
        assert!(uniform_rounding_variance(1.0, 0.0, -1.0).is_err());
        assert!(float_rounding_variance(3, 0.0, 1.0).is_err());
        assert!(float_rounding_variance(3, 0.3, 1.0).is_err());
        assert!(float_rounding_variance(3, 1.0, 0.0).is_err());
        assert!(float_rounding_variance(60, 1.0, 1.0).is_err());
    }
}
