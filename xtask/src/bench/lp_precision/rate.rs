//! Convergence runs on the paper's lower-bound instances with the methods of Theorem 2.3
//! (paper 001, Theorem 2.2, Remarks 3–4, §6).
//!
//! **Instances.** The linear objectives `f_alpha(x) = <grad, x>` of §6 on the box
//! `X = {||x||_inf <= rho}`, `rho = D/(2 d^{1/p})` (`oracles::LpLowerBound`), with `alpha`
//! uniform on `{-1, 1}^d` per trial and the bias `delta =` [`DELTA`]: the one-hot oracle outputs
//! `±B e_i`, the product oracle `±B/d^{1/q}` in every coordinate, each coordinate's sign leaning
//! towards `alpha_i` with probability `(1 + 2 delta)/2`. The minimizer is the vertex
//! `-rho alpha` and the starting point `x_0 = 0` has gap `D B delta/d^{1/p}` (one-hot) or
//! `D B delta` (product).
//!
//! **Methods** (Remarks 3 and 4): stochastic mirror descent from `x_0 = 0` with steps
//! `eta_t = eta_0/sqrt(t+1)`, output the average of the query points `x_0, ..., x_{T-1}` (so one
//! run gives every horizon):
//! - `p >= 2`: projected SGD on the box (the map `1/2 ||x||_2^2`), `G = alpha_0(Q; p)`
//!   (`E||Q(Y)||_2^2 <= alpha_0^2`);
//! - `p < 2`: mirror descent with `psi = 1/2 ||x||_{p'}^2` on the box, `p' = max(p, 1 + 1/ln d)`
//!   ([`mirror_exponent`]; `1 + 1/ln d` is the classical `l_1` choice, for which `||.||_{p'}` is
//!   within a factor `e` of `||.||_1`), `G = alpha_0(Q; p) d^{1/q' - 1/q} >= ||Q(Y)||_{q'}` in
//!   mean square.
//!
//! `bounds::MirrorDescentSetting` gives the method's guarantee
//! `E f(x_bar_T) - f* <= (M/eta_0 + G^2 eta_0/sigma)/sqrt(T)` with `sigma = p' - 1` and
//! `M = 2 (rho d^{1/p'})^2` on the box, and the step `eta_0 = sqrt(sigma M)/G` that minimises it,
//! `2 G sqrt(M/sigma)/sqrt(T)`. A quantizer enters a run only through the `alpha_0` its step is
//! tuned to ([`Tuning`]): Theorem 2.3's method uses the quantizer's stated `alpha_0`, which scales
//! the guarantee by `alpha_0/B`; a run tuned to `B` (the unquantized step) isolates the effect of
//! the quantization noise itself.
//!
//! In code: [`Method`], [`run_trial`] (paired: the same `alpha` and oracle draws for every
//! pathway), summarised by [`mean_se`] and [`paired_ratio`].

use anyhow::{Result, anyhow};
use bounds::MirrorDescentSetting;
use optimizers::{
    BoxMirrorDescent, LpBall, NoMemory, ProjectedSgd, RoundRecord, RunConfig, StepSchedule,
    UpdateRule, run_observed,
};
use oracles::{LpConstruction, LpLowerBound, Oracle};
use quantizers::{Quantizer, splitmix64};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::schemes::Geometry;

/// The `l_p` diameter `D` of every instance's box.
pub const DIAMETER: f64 = 1.0;

/// The instances' bias `delta`: each gradient coordinate leans to its sign with probability 3/4.
pub const DELTA: f64 = 0.25;

/// Tag that separates a trial's `alpha` stream from its run streams.
const ALPHA_TAG: u64 = 0x0061_6c70_6861; // "alpha"

/// The construction whose unquantized rate is Theorem 2.2's for this `p`: one-hot for `p >= 2`
/// (rate `d^{1/2 - 1/p} D B/sqrt(T)`), product for `p < 2` (`D B/sqrt(T)`).
pub fn rate_setting(g: &Geometry) -> LpConstruction {
    if g.is_euclidean_branch() {
        LpConstruction::OneHot
    } else {
        LpConstruction::Product
    }
}

/// The construction's name in reports.
pub fn construction_label(c: LpConstruction) -> &'static str {
    match c {
        LpConstruction::OneHot => "one-hot",
        LpConstruction::Product => "product",
    }
}

/// The mirror map's exponent `p' = max(p, 1 + 1/ln d)` for `p < 2` (capped at 2).
pub fn mirror_exponent(p: f64, d: usize) -> f64 {
    let ln_d = (d as f64).ln();
    let l1 = if ln_d > 1.0 { 1.0 + 1.0 / ln_d } else { 2.0 };
    p.max(l1).min(2.0)
}

/// The method Theorem 2.3 uses at a geometry (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// Projected SGD on the box (`p >= 2`).
    ProjectedSgd,
    /// Mirror descent with the `p'`-norm map on the box (`p < 2`).
    MirrorDescent {
        /// The exponent `p'` of the mirror map.
        p: f64,
    },
}

impl Method {
    /// The method for a geometry.
    pub fn for_geometry(g: &Geometry) -> Self {
        if g.is_euclidean_branch() {
            Method::ProjectedSgd
        } else {
            Method::MirrorDescent {
                p: mirror_exponent(g.p, g.d),
            }
        }
    }

    /// The method's name in reports.
    pub fn label(&self) -> String {
        match self {
            Method::ProjectedSgd => "projected SGD".into(),
            Method::MirrorDescent { p } => format!("mirror descent (p' = {p:.3})"),
        }
    }

    /// The exponent `r` of the mirror map `1/2 ||x||_r^2` (2 for projected SGD).
    pub fn map_exponent(&self) -> f64 {
        match *self {
            Method::ProjectedSgd => 2.0,
            Method::MirrorDescent { p } => p,
        }
    }

    /// The guarantee's constants (module docs) on the box of half-width `radius`, for gradient
    /// estimates with `alpha_0 = alpha0`.
    pub fn setting(&self, g: &Geometry, radius: f64, alpha0: f64) -> Result<MirrorDescentSetting> {
        let r = self.map_exponent();
        let d = g.d as f64;
        let grad = if g.is_euclidean_branch() {
            alpha0
        } else {
            // ||v||_{q'} <= d^{1/q' - 1/q} ||v||_q for q' = r/(r-1) <= q.
            alpha0 * d.powf((r - 1.0) / r - 1.0 / g.q())
        };
        Ok(MirrorDescentSetting::norm_squared(
            r,
            radius * d.powf(1.0 / r),
            grad,
        )?)
    }

    /// The update rule from `x_1 = 0` with steps `eta_0/sqrt(t)` and averaging.
    pub fn rule(&self, d: usize, radius: f64, step0: f64) -> Result<Box<dyn UpdateRule>> {
        let schedule = StepSchedule::inverse_sqrt(step0)?;
        Ok(match *self {
            Method::ProjectedSgd => {
                let ball = LpBall::new(f64::INFINITY, radius)?;
                Box::new(ProjectedSgd::new(vec![0.0; d], schedule, ball)?.with_averaging())
            }
            Method::MirrorDescent { p } => {
                Box::new(BoxMirrorDescent::new(vec![0.0; d], p, schedule, radius)?.with_averaging())
            }
        })
    }
}

/// The `alpha_0` a quantized run's step is tuned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tuning {
    /// The quantizer's stated `alpha_0`: Theorem 2.3's method.
    Stated,
    /// `B`, the unquantized step: the run differs from the unquantized one only by the noise.
    Common,
}

impl Tuning {
    /// The tuning as a `results.json` parameter: the quantity the step is tuned to.
    pub fn label(self) -> &'static str {
        match self {
            Tuning::Stated => "alpha0",
            Tuning::Common => "B",
        }
    }

    /// The `alpha_0` of the step for a scheme with stated `alpha0` and oracle bound `bound`.
    pub fn step_alpha0(self, alpha0: f64, bound: f64) -> f64 {
        match self {
            Tuning::Stated => alpha0,
            Tuning::Common => bound,
        }
    }
}

/// One pathway of a trial: a quantizer and the `alpha_0` its step is tuned to.
#[derive(Debug, Clone, Copy)]
pub struct Pathway<'a> {
    /// The quantizer.
    pub quantizer: &'a dyn Quantizer,
    /// The `alpha_0` the step `eta_0` is tuned to ([`Method::setting`]).
    pub step_alpha0: f64,
}

/// The half-width `rho = D/(2 d^{1/p})` of the instances' box, as the oracle defines it.
pub fn box_radius(g: &Geometry, construction: LpConstruction) -> Result<f64> {
    let oracle = LpLowerBound::new(construction, g.p, DIAMETER, g.bound, DELTA, vec![1; g.d])?;
    Ok(oracle.domain_box().radius())
}

/// The gap `f(0) - f* = -f*` of the starting point: `D B delta/d^{1/p}` (one-hot) or `D B delta`
/// (product).
pub fn start_gap(g: &Geometry, construction: LpConstruction) -> Result<f64> {
    let oracle = LpLowerBound::new(construction, g.p, DIAMETER, g.bound, DELTA, vec![1; g.d])?;
    let f_star = oracle
        .optimal_value()
        .ok_or_else(|| anyhow!("the lower-bound oracle reports no optimal value"))?;
    Ok(-f_star)
}

/// The method's guarantee on `E f(x_bar_T) - f*` (module docs) for a scheme with stated
/// `alpha0` whose step is tuned to `step_alpha0`.
pub fn guarantee(
    g: &Geometry,
    construction: LpConstruction,
    alpha0: f64,
    step_alpha0: f64,
    horizon: u64,
) -> Result<f64> {
    let method = Method::for_geometry(g);
    let radius = box_radius(g, construction)?;
    let step0 = method.setting(g, radius, step_alpha0)?.optimal_step0();
    Ok(method
        .setting(g, radius, alpha0)?
        .gap_bound(step0, horizon)?)
}

/// One pathway's result in one trial.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// `f(x_bar_T) - f*` at each horizon, `x_bar_T` the average of the first `T` query points.
    pub gaps: Vec<f64>,
    /// Mean bits per message over the run.
    pub bits: f64,
}

/// One trial: the same `alpha` and the same oracle draws (run seed `seed`) for every pathway,
/// one run of `max(horizons)` rounds each, the query average read at every horizon (ascending).
pub fn run_trial(
    g: &Geometry,
    construction: LpConstruction,
    horizons: &[u64],
    pathways: &[Pathway<'_>],
    seed: u64,
) -> Result<Vec<TrialResult>> {
    let mut alpha_rng = ChaCha8Rng::seed_from_u64(splitmix64(seed ^ ALPHA_TAG));
    let alpha = LpLowerBound::random_alpha(g.d, &mut alpha_rng)?;
    let method = Method::for_geometry(g);
    let rounds = horizons.iter().copied().max().unwrap_or(1).max(1);
    pathways
        .iter()
        .map(|w| {
            let mut oracle =
                LpLowerBound::new(construction, g.p, DIAMETER, g.bound, DELTA, alpha.clone())?;
            let radius = oracle.domain_box().radius();
            let step0 = method.setting(g, radius, w.step_alpha0)?.optimal_step0();
            let mut rule = method.rule(g.d, radius, step0)?;
            let budget = w.quantizer.bit_cost().max_bits().unwrap_or(64 * g.d);
            let config = RunConfig::new(rounds, budget, seed)?.recording_every(rounds)?;
            let mut sum = vec![0.0; g.d];
            let mut averages: Vec<Vec<f64>> = Vec::with_capacity(horizons.len());
            let mut watch = |r: &RoundRecord<'_>| {
                for (s, x) in sum.iter_mut().zip(r.query) {
                    *s += x;
                }
                let n = r.round + 1;
                if horizons.contains(&n) {
                    averages.push(sum.iter().map(|s| s / n as f64).collect());
                }
            };
            let trace = run_observed(
                &config,
                &mut oracle,
                w.quantizer,
                rule.as_mut(),
                &NoMemory,
                &mut watch,
            )?;
            let f_star = oracle
                .optimal_value()
                .ok_or_else(|| anyhow!("the lower-bound oracle reports no optimal value"))?;
            let gaps = averages
                .iter()
                .map(|x| Ok(oracle.value(x)? - f_star))
                .collect::<Result<Vec<f64>>>()?;
            Ok(TrialResult {
                gaps,
                bits: trace.total_bits() as f64 / rounds as f64,
            })
        })
        .collect()
}

/// Mean and standard error of a sample.
pub fn mean_se(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// The ratio of means `mean(a)/mean(b)` of paired samples and its delta-method standard error
/// `sd(a - r b)/(sqrt(n) mean(b))`.
pub fn paired_ratio(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (ma, _) = mean_se(a);
    let (mb, _) = mean_se(b);
    let r = ma / mb;
    let resid: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - r * y).collect();
    let (_, se) = mean_se(&resid);
    (r, se / mb.abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use quantizers::Unquantized;

    fn geometry(p: f64, d: usize) -> Geometry {
        Geometry { p, d, bound: 1.0 }
    }

    #[test]
    fn the_mirror_exponent_is_p_unless_p_is_near_one() {
        assert_eq!(mirror_exponent(1.5, 64), 1.5);
        assert!((mirror_exponent(1.0, 64) - (1.0 + 1.0 / 64f64.ln())).abs() < 1e-15);
        assert_eq!(mirror_exponent(1.0, 2), 2.0);
    }

    #[test]
    fn projected_sgd_has_the_euclidean_constants_of_the_box() {
        // Box of half-width 1/4 in d = 64: l2 radius 2, M = 8, sigma = 1, G = alpha_0.
        let g = geometry(2.0, 64);
        let s = Method::ProjectedSgd.setting(&g, 0.25, 1.5).unwrap();
        assert!((s.max_divergence() - 8.0).abs() < 1e-12);
        assert_eq!((s.strong_convexity(), s.gradient_bound()), (1.0, 1.5));
        assert!((s.optimal_step0() - 8f64.sqrt() / 1.5).abs() < 1e-12);
    }

    #[test]
    fn at_p_prime_two_mirror_descent_has_the_projected_sgd_constants() {
        let g = geometry(2.0, 64);
        let psgd = Method::ProjectedSgd.setting(&g, 0.25, 1.5).unwrap();
        let md = Method::MirrorDescent { p: 2.0 }
            .setting(&g, 0.25, 1.5)
            .unwrap();
        assert_eq!(psgd, md);
    }

    #[test]
    fn mirror_descent_converts_the_gradient_bound_to_the_mirror_dual_norm() {
        // p = 1 (q = inf), d = 64, p' = 1 + 1/ln 64: G = alpha_0 d^{1/q'}, radius rho d^{1/p'}.
        let g = geometry(1.0, 64);
        let method = Method::for_geometry(&g);
        let p = method.map_exponent();
        assert!((p - (1.0 + 1.0 / 64f64.ln())).abs() < 1e-15);
        let s = method.setting(&g, 0.1, 2.0).unwrap();
        let q_mirror = p / (p - 1.0);
        let radius = 0.1 * 64f64.powf(1.0 / p);
        assert!((s.gradient_bound() - 2.0 * 64f64.powf(1.0 / q_mirror)).abs() < 1e-12);
        assert!((s.max_divergence() - 2.0 * radius * radius).abs() < 1e-12);
        assert!((s.strong_convexity() - (p - 1.0)).abs() < 1e-15);
    }

    #[test]
    fn the_guarantee_scales_with_alpha_0_when_the_step_is_tuned_to_it() {
        let g = geometry(4.0, 16);
        let c = LpConstruction::OneHot;
        let unq = guarantee(&g, c, 1.0, 1.0, 100).unwrap();
        let tuned = guarantee(&g, c, 1.5, 1.5, 100).unwrap();
        let common = guarantee(&g, c, 1.5, 1.0, 100).unwrap();
        assert!((tuned / unq - 1.5).abs() < 1e-12);
        // Step tuned to B: (M/eta_0 + alpha_0^2 eta_0)/sqrt(T) = unq (1 + 1.5^2)/2.
        assert!((common / unq - (1.0 + 2.25) / 2.0).abs() < 1e-12);
        // Box of half-width D/(2 d^{1/p}) = 1/4, l2 radius 1, M = 2: 2 sqrt(2)/10.
        assert!((box_radius(&g, c).unwrap() - 0.25).abs() < 1e-15);
        assert!((unq - 0.2 * 2f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn the_rate_setting_construction_follows_the_branch() {
        assert_eq!(rate_setting(&geometry(4.0, 8)), LpConstruction::OneHot);
        assert_eq!(rate_setting(&geometry(1.5, 8)), LpConstruction::Product);
    }

    #[test]
    fn paired_ratios_of_proportional_samples_have_no_error() {
        let b = [1.0, 2.0, 3.0, 4.0];
        let a: Vec<f64> = b.iter().map(|v| 2.5 * v).collect();
        let (r, se) = paired_ratio(&a, &b);
        assert!((r - 2.5).abs() < 1e-15 && se < 1e-15);
        let (m, se) = mean_se(&[1.0, 3.0]);
        assert_eq!((m, se), (2.0, 1.0));
    }

    #[test]
    fn a_trial_runs_every_pathway_on_the_same_instance_and_reads_every_horizon() {
        let g = geometry(2.0, 8);
        let q = Unquantized::new(8).unwrap();
        let w = Pathway {
            quantizer: &q,
            step_alpha0: 1.0,
        };
        let results = run_trial(&g, LpConstruction::OneHot, &[32, 64, 96], &[w, w], 9).unwrap();
        assert_eq!(results.len(), 2);
        assert_eq!(results[0], results[1]); // same seed, same pathway: identical runs
        assert_eq!(results[0].gaps.len(), 3);
        assert_eq!(results[0].bits, 64.0 * 8.0);
        assert!(results[0].gaps.iter().all(|g| *g >= 0.0));
    }

    #[test]
    fn the_gap_is_that_of_the_average_query_point() {
        // T = 1: the only query point is x_0 = 0, whose gap is D B delta/d^{1/p} (one-hot).
        let g = geometry(2.0, 16);
        let q = Unquantized::new(16).unwrap();
        let w = Pathway {
            quantizer: &q,
            step_alpha0: 1.0,
        };
        let r = run_trial(&g, LpConstruction::OneHot, &[1], &[w], 3).unwrap();
        let want = DIAMETER * g.bound * DELTA / 4.0;
        assert!((r[0].gaps[0] - want).abs() < 1e-15, "{:?}", r[0].gaps);
        assert!((start_gap(&g, LpConstruction::OneHot).unwrap() - want).abs() < 1e-15);
        let product = start_gap(&g, LpConstruction::Product).unwrap();
        assert!((product - DIAMETER * g.bound * DELTA).abs() < 1e-15);
    }
}
