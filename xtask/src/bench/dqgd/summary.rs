//! The pure parts of the `dqgd` experiment: the end linear rate, the theory curves of one
//! instance, and averages over instances.
//!
//! End linear rate (paper 002, eq. 57) over the last `t` of `T` iterations:
//!
//! ```text
//! c_t = (||x̂_T - x*|| / ||x̂_{T-t} - x*||)^{1/t}
//! ```
//!
//! clipped at 1 as in §5 (a diverging run has `c_t > 1`; the figure and the `rate_*` metrics
//! show it as 1). Theory for an instance with curvatures `μ <= L` at `R` bits per dimension,
//! all from [`bounds`] with the scalar quantizer's loss `d_n = √n` (Remark 8), each clipped at 1:
//! `bound_lower = max{σ, 2^{-R}}` (Theorem 4), `bound_dqgd = max{σ, √n 2^{-R}}` (the rate of
//! eq. 32 at `η*`), `bound_naive = σ + √n 2^{-R} η* L` (the rate of eq. 36).
//!
//! ```
//! use xtask::bench::dqgd::summary::{Theory, clip, end_rate};
//!
//! // Distances halving every iteration: c_t = 1/2 over any window.
//! let errors = [16.0, 8.0, 4.0, 2.0, 1.0];
//! assert_eq!(end_rate(&errors, 2)?, 0.5);
//! // μ = 1, L = 3 (σ = 1/2), n = 100 (√n = 10), R = 3: DQ-GD's guarantee is
//! // max{1/2, 10/8} = 1.25, shown as 1; the limit max{1/2, 1/8} is 1/2.
//! let t = Theory::new(1.0, 3.0, 100, 3.0)?;
//! assert_eq!((clip(t.dqgd()), t.lower()), (1.0, 0.5));
//! # Ok::<(), anyhow::Error>(())
//! ```

use anyhow::{Result, bail};
use bounds::{QgdSetting, uniform_scalar_space_filling_loss};

use super::instance::Quantized;

/// Rates above this are shown as this: a run that diverges has no linear rate (paper 002, §5).
pub const RATE_CLIP: f64 = 1.0;

/// `min{rate, 1}`.
pub fn clip(rate: f64) -> f64 {
    rate.min(RATE_CLIP)
}

/// The end linear rate `c_t` (eq. 57) of the distances `errors[i] = ||x̂_i - x*||`,
/// `i = 0..=T`, over the last `window = t` iterations; unclipped. A run that sat exactly at
/// `x*` over the window has rate 0; one that left it, rate infinity.
pub fn end_rate(errors: &[f64], window: usize) -> Result<f64> {
    let Some(last) = errors.len().checked_sub(1) else {
        bail!("no distances to take a rate of");
    };
    if window == 0 || window > last {
        bail!("a window of {window} iterations needs 1 <= t <= T = {last}");
    }
    let (Some(&start), Some(&end)) = (errors.get(last - window), errors.get(last)) else {
        bail!("window outside the run");
    };
    if !(start.is_finite() && end.is_finite() && start >= 0.0 && end >= 0.0) {
        bail!("distances must be finite and non-negative, got {start} and {end}");
    }
    Ok(if start == 0.0 {
        if end == 0.0 { 0.0 } else { f64::INFINITY }
    } else {
        (end / start).powf(1.0 / window as f64)
    })
}

/// The theory of one instance at one rate, from [`bounds`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Theory {
    setting: QgdSetting,
}

impl Theory {
    /// Curvatures `0 < μ <= L`, dimension `n >= 1`, `R >= 0` bits per dimension; the step is
    /// `η*` and the space-filling loss the scalar quantizer's `√n`.
    pub fn new(mu: f64, l: f64, n: usize, rate: f64) -> Result<Self> {
        let d_n = uniform_scalar_space_filling_loss(n as u64)?;
        Ok(Self {
            setting: QgdSetting::new(mu, l, rate, d_n)?,
        })
    }

    /// GD's rate `σ = (L - μ)/(L + μ)`.
    pub fn sigma(&self) -> f64 {
        self.setting.sigma()
    }

    /// `max{σ, 2^{-R}}`, unclipped.
    pub fn lower(&self) -> f64 {
        self.setting.rate_limit()
    }

    /// `max{σ, √n 2^{-R}}`, unclipped.
    pub fn dqgd(&self) -> f64 {
        self.setting.dqgd_rate()
    }

    /// `σ + √n 2^{-R} η* L`, unclipped.
    pub fn naive(&self) -> f64 {
        self.setting.naive_rate()
    }

    /// The method's guarantee on `||x̂_T - x*||` after `rounds = T` iterations, eq. (32) or
    /// (36), with start and minimizer in `B(radius)`; `None` when it overflows `f64`.
    pub fn error_bound(&self, method: Quantized, rounds: u64, radius: f64) -> Option<f64> {
        match method {
            Quantized::Naive => self.setting.naive_error_bound(rounds, radius),
            Quantized::DqGd => self.setting.dqgd_error_bound(rounds, radius),
        }
        .ok()
    }
}

/// A sample mean and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The mean.
    pub mean: f64,
    /// `sd / √k` with the unbiased sample variance (NaN for fewer than two values).
    pub se: f64,
}

impl Estimate {
    /// The mean and standard error of `values` (NaN for an empty slice).
    pub fn of(values: &[f64]) -> Self {
        let k = values.len() as f64;
        let mean = values.iter().sum::<f64>() / k;
        let se = if values.len() < 2 {
            f64::NAN
        } else {
            let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (k - 1.0);
            (var / k).sqrt()
        };
        Self { mean, se }
    }
}

/// One quantized method on one instance at one rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MethodResult {
    /// The end rate, unclipped.
    pub end_rate: f64,
    /// Coordinates clipped by the quantizer.
    pub overloads: usize,
    /// Iterations above the finite-`T` guarantee.
    pub violations: usize,
    /// Iterations checked against it.
    pub checked: usize,
}

/// Both quantized methods and the theory on one instance at one rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateResult {
    /// `R`, bits per dimension.
    pub rate: u32,
    /// Naive QGD.
    pub naive: MethodResult,
    /// DQ-GD.
    pub dqgd: MethodResult,
    /// The instance's theory at this rate.
    pub theory: Theory,
}

/// Everything measured on one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceResult {
    /// `s_max / s_min`.
    pub kappa_a: f64,
    /// `L / μ`.
    pub kappa_hessian: f64,
    /// GD's end rate, unclipped.
    pub gd_rate: f64,
    /// One entry per rate, in the order of the rate grid.
    pub rates: Vec<RateResult>,
}

/// Averages over instances at one rate. Rates and bounds are per-instance values clipped at
/// 1, then averaged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// `R`.
    pub rate: u32,
    /// GD's end rate.
    pub gd: Estimate,
    /// Naive QGD's end rate.
    pub naive: Estimate,
    /// DQ-GD's end rate.
    pub dqgd: Estimate,
    /// Naive QGD's minus DQ-GD's end rate, instance by instance (a paired difference).
    pub advantage: Estimate,
    /// Naive QGD's end rate without the clip.
    pub naive_unclipped: f64,
    /// DQ-GD's end rate without the clip.
    pub dqgd_unclipped: f64,
    /// Mean `σ`.
    pub sigma: f64,
    /// Mean `max{σ, 2^{-R}}`.
    pub lower: f64,
    /// Mean `max{σ, √n 2^{-R}}`.
    pub bound_dqgd: f64,
    /// Mean `σ + √n 2^{-R} η* L`.
    pub bound_naive: f64,
    /// Mean `max{σ, √n 2^{-R}}` without the clip.
    pub bound_dqgd_unclipped: f64,
    /// Mean `σ + √n 2^{-R} η* L` without the clip.
    pub bound_naive_unclipped: f64,
    /// Naive QGD's overloads, violations and checks, summed over instances.
    pub naive_counts: Counts,
    /// DQ-GD's overloads, violations and checks, summed over instances.
    pub dqgd_counts: Counts,
}

/// Sums over instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Clipped coordinates.
    pub overloads: usize,
    /// Iterations above the finite-`T` guarantee.
    pub violations: usize,
    /// Iterations checked.
    pub checked: usize,
}

impl Counts {
    fn add(&mut self, m: &MethodResult) {
        self.overloads += m.overloads;
        self.violations += m.violations;
        self.checked += m.checked;
    }
}

/// The averages of one matrix (or ensemble) over its instances.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    /// `gaussian` or the Matrix Market file's stem.
    pub label: String,
    /// Rows of `A`.
    pub m: usize,
    /// Columns of `A` (the dimension).
    pub n: usize,
    /// Instances averaged.
    pub instances: usize,
    /// `s_max / s_min` over instances.
    pub kappa_a: Estimate,
    /// `L / μ` over instances.
    pub kappa_hessian: Estimate,
    /// One point per rate.
    pub points: Vec<Point>,
}

impl Study {
    /// Averages `results` (all on the same rate grid).
    pub fn new(label: &str, (m, n): (usize, usize), results: &[InstanceResult]) -> Result<Self> {
        let Some(first) = results.first() else {
            bail!("{label}: no instances to average");
        };
        let grid: Vec<u32> = first.rates.iter().map(|r| r.rate).collect();
        if results
            .iter()
            .any(|r| !r.rates.iter().map(|p| p.rate).eq(grid.iter().copied()))
        {
            bail!("{label}: instances ran on different rate grids");
        }
        let column =
            |f: &dyn Fn(&InstanceResult) -> f64| -> Vec<f64> { results.iter().map(f).collect() };
        let gd = Estimate::of(&column(&|r| clip(r.gd_rate)));
        let mut points = Vec::with_capacity(grid.len());
        for (k, &rate) in grid.iter().enumerate() {
            let at = |r: &InstanceResult| r.rates.get(k).copied();
            let col = |f: &dyn Fn(&RateResult) -> f64| -> Vec<f64> {
                results.iter().filter_map(at).map(|p| f(&p)).collect()
            };
            let mean = |f: &dyn Fn(&RateResult) -> f64| Estimate::of(&col(f)).mean;
            let (mut naive_counts, mut dqgd_counts) = (Counts::default(), Counts::default());
            for p in results.iter().filter_map(at) {
                naive_counts.add(&p.naive);
                dqgd_counts.add(&p.dqgd);
            }
            points.push(Point {
                rate,
                gd,
                naive: Estimate::of(&col(&|p| clip(p.naive.end_rate))),
                dqgd: Estimate::of(&col(&|p| clip(p.dqgd.end_rate))),
                advantage: Estimate::of(&col(&|p| clip(p.naive.end_rate) - clip(p.dqgd.end_rate))),
                naive_unclipped: mean(&|p| p.naive.end_rate),
                dqgd_unclipped: mean(&|p| p.dqgd.end_rate),
                sigma: mean(&|p| p.theory.sigma()),
                lower: mean(&|p| clip(p.theory.lower())),
                bound_dqgd: mean(&|p| clip(p.theory.dqgd())),
                bound_naive: mean(&|p| clip(p.theory.naive())),
                bound_dqgd_unclipped: mean(&|p| p.theory.dqgd()),
                bound_naive_unclipped: mean(&|p| p.theory.naive()),
                naive_counts,
                dqgd_counts,
            });
        }
        Ok(Self {
            label: label.to_owned(),
            m,
            n,
            instances: results.len(),
            kappa_a: Estimate::of(&column(&|r| r.kappa_a)),
            kappa_hessian: Estimate::of(&column(&|r| r.kappa_hessian)),
            points,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn end_rate_is_the_t_th_root_of_the_last_ratio() {
        let errors = [8.0, 4.0, 2.0, 1.0, 0.125];
        assert_eq!(end_rate(&errors, 1).unwrap(), 0.125);
        assert_eq!(end_rate(&errors, 2).unwrap(), 0.25); // (0.125/2)^{1/2}
        assert_eq!(end_rate(&errors, 4).unwrap(), (1.0f64 / 64.0).powf(0.25)); // 0.125/8
    }

    #[test]
    fn end_rate_of_a_diverging_run_exceeds_one_and_clips_to_one() {
        let rate = end_rate(&[1.0, 3.0, 9.0], 2).unwrap();
        assert_eq!(rate, 3.0);
        assert_eq!(clip(rate), 1.0);
        assert_eq!(clip(0.4), 0.4);
    }

    #[test]
    fn end_rate_at_the_minimizer() {
        assert_eq!(end_rate(&[1.0, 0.0, 0.0], 1).unwrap(), 0.0);
        assert_eq!(end_rate(&[1.0, 0.0, 1e-3], 1).unwrap(), f64::INFINITY);
    }

    #[test]
    fn end_rate_rejects_a_window_longer_than_the_run_and_bad_distances() {
        assert!(end_rate(&[1.0, 0.5], 2).is_err());
        assert!(end_rate(&[1.0, 0.5], 0).is_err());
        assert!(end_rate(&[], 1).is_err());
        assert!(end_rate(&[1.0, f64::NAN], 1).is_err());
    }

    #[test]
    fn theory_curves_by_hand() {
        // μ = 1, L = 3: σ = 1/2, η* L = 3/2; n = 4: √n = 2.
        // R = 2: lower max{1/2, 1/4} = 1/2; DQ-GD max{1/2, 2/4} = 1/2; naive 1/2 + (1/2)(3/2).
        let t = Theory::new(1.0, 3.0, 4, 2.0).unwrap();
        assert_eq!(t.sigma(), 0.5);
        assert_eq!(t.lower(), 0.5);
        assert_eq!(t.dqgd(), 0.5);
        assert_eq!(t.naive(), 1.25);
        // R = 1: the quantizer dominates DQ-GD, max{1/2, 1} = 1; the limit is still σ.
        let t = Theory::new(1.0, 3.0, 4, 1.0).unwrap();
        assert_eq!((t.lower(), t.dqgd()), (0.5, 1.0));
        // R = 4: 2^{-4} = 1/16; naive 1/2 + (1/8)(3/2) = 0.6875.
        let t = Theory::new(1.0, 3.0, 4, 4.0).unwrap();
        assert_eq!((t.dqgd(), t.naive()), (0.5, 0.6875));
    }

    #[test]
    fn theory_guarantees_are_eqs_32_and_36() {
        // R = 4, n = 4: δ = 1/8 < σ = 1/2. T = 2, r = 1:
        // DQ-GD (1/2)^2 · 2 · (1 + (1/8)(3/2)/(3/8)) = 0.75; naive 2 · 0.6875^2.
        let t = Theory::new(1.0, 3.0, 4, 4.0).unwrap();
        let dq = t.error_bound(Quantized::DqGd, 2, 1.0).unwrap();
        assert!((dq - 0.75).abs() < 1e-15);
        let naive = t.error_bound(Quantized::Naive, 2, 1.0).unwrap();
        assert!((naive - 2.0 * 0.6875 * 0.6875).abs() < 1e-15);
        assert_eq!(t.error_bound(Quantized::Naive, 2, 0.0), None);
    }

    #[test]
    fn theory_rejects_curvatures_out_of_order() {
        assert!(Theory::new(3.0, 1.0, 4, 2.0).is_err());
        assert!(Theory::new(1.0, 3.0, 0, 2.0).is_err());
    }

    #[test]
    fn estimate_has_the_textbook_standard_error() {
        // mean 2, sample variance ((1 + 0 + 1)/2) = 1, se = 1/√3.
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(e.mean, 2.0);
        assert!((e.se - 1.0 / 3f64.sqrt()).abs() < 1e-15);
        assert!(Estimate::of(&[1.0]).se.is_nan());
    }

    fn method(end_rate: f64, violations: usize) -> MethodResult {
        MethodResult {
            end_rate,
            overloads: 0,
            violations,
            checked: 10,
        }
    }

    fn instance(gd: f64, naive: f64, dqgd: f64) -> InstanceResult {
        InstanceResult {
            kappa_a: 2.0,
            kappa_hessian: 3.0,
            gd_rate: gd,
            rates: vec![RateResult {
                rate: 1,
                naive: method(naive, 1),
                dqgd: method(dqgd, 0),
                theory: Theory::new(1.0, 3.0, 4, 1.0).unwrap(),
            }],
        }
    }

    #[test]
    fn study_clips_each_instance_before_averaging() {
        let s = Study::new(
            "t",
            (8, 4),
            &[instance(0.5, 3.0, 0.6), instance(0.7, 0.8, 0.4)],
        )
        .unwrap();
        let p = s.points[0];
        assert!((p.gd.mean - 0.6).abs() < 1e-15);
        assert!((p.naive.mean - 0.9).abs() < 1e-15); // (1 + 0.8)/2, not (3 + 0.8)/2 clipped
        assert!((p.naive_unclipped - 1.9).abs() < 1e-15);
        assert!((p.dqgd.mean - 0.5).abs() < 1e-15);
        assert!((p.advantage.mean - 0.4).abs() < 1e-15); // (1 - 0.6 + 0.8 - 0.4)/2
        // Theory at R = 1 (n = 4): DQ-GD max{1/2, 1} = 1; naive 1/2 + 3/2, clipped to 1.
        assert_eq!((p.lower, p.bound_dqgd, p.bound_naive), (0.5, 1.0, 1.0));
        assert_eq!(
            (p.bound_dqgd_unclipped, p.bound_naive_unclipped),
            (1.0, 2.0)
        );
        assert_eq!(p.naive_counts.violations, 2);
        assert_eq!(p.naive_counts.checked, 20);
        assert_eq!((s.instances, s.kappa_a.mean), (2, 2.0));
    }

    #[test]
    fn study_rejects_no_instances_and_mixed_grids() {
        assert!(Study::new("t", (8, 4), &[]).is_err());
        let mut b = instance(0.5, 0.6, 0.5);
        b.rates[0].rate = 2;
        assert!(Study::new("t", (8, 4), &[instance(0.5, 0.6, 0.5), b]).is_err());
    }
}
