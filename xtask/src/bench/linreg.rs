//! `linreg`: learning under quantization for high-dimensional linear regression (paper 003).
//!
//! One-pass averaged SGD ([`optimizers::LinregSgd`]) on `x ~ N(0, diag(i^-a))`, `a = 2`,
//! `w* = 1`, `s² = 1`, with one of the five targets (data, labels, parameters, activations,
//! output gradients) quantized by a real INT-b (additive) or float (multiplicative) quantizer at
//! several widths, plus a batch-size study for INT quantization. Every measured excess risk is
//! set beside the exact expected risk of the same run under the same rounding variances
//! ([`bounds::averaged_sgd_risk`]), and the abstract's four claims are checked in numbers.

mod points;

use anyhow::{Context as _, Result};
use bounds::BoundError;
use bounds::linreg_sgd::{LinregProblem, RiskPrediction, SgdRun, averaged_sgd_risk};
use optimizers::{LinregSgd, monte_carlo};
use oracles::LinearRegression;
use rayon::prelude::*;

use super::{Context, Experiment, Figure, Outcome, Panel, Record, Section, Series, Style, Table};
pub use points::{Kind, Point};

/// The `linreg` experiment.
pub struct Linreg;

/// Sizes of one mode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    /// Dimension `d`.
    pub d: usize,
    /// Spectral decay `a` (`lambda_i = i^-a`).
    pub a: f64,
    /// Samples `N` per run (`N / b` steps).
    pub samples: usize,
    /// Constant step `gamma`.
    pub gamma: f64,
    /// Independent runs per point.
    pub trials: u64,
}

/// Label-noise variance `s²` and the value of every true weight.
const NOISE_VARIANCE: f64 = 1.0;
const W_STAR: f64 = 1.0;

impl Setup {
    /// The sizes of a mode: quick `d = 50, N = 2^12`, 2 trials; default `d = 200` (the paper's),
    /// `N = 2^15`, 4 trials; full `d = 200, N = 2^18`, 16 trials. The step `γ = 0.1` is below
    /// `1/tr(H) = 0.61` with room for the trace that coarse data rounding adds.
    pub fn for_mode(mode: super::Mode) -> Self {
        Self {
            d: mode.pick(50, 200, 200),
            a: 2.0,
            samples: mode.pick(1 << 12, 1 << 15, 1 << 18),
            gamma: 0.1,
            trials: mode.pick(2, 4, 16),
        }
    }

    /// The step of the linear-scaling comparison at batch `b`: `γ_b = γ_1 b` with
    /// `γ_1 = 1/64`, so that `T γ_b = N γ_1` is the same at every batch and `γ_64 = 1 = 1/λ_1`.
    pub fn scaled_step(&self, batch: usize) -> f64 {
        batch as f64 / 64.0
    }

    /// Steps at batch `b`.
    pub fn steps(&self, batch: usize) -> u64 {
        (self.samples / batch.max(1)).max(1) as u64
    }

    /// The theory's problem.
    pub fn problem(&self) -> Result<LinregProblem> {
        Ok(LinregProblem::polynomial(
            self.d,
            self.a,
            W_STAR,
            NOISE_VARIANCE,
        )?)
    }
}

/// What one point measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The point.
    pub point: Point,
    /// Excess risk of the averaged iterate, per trial (trial order).
    pub risks: Vec<f64>,
    /// Bits written for the quantized target per step (mean over trials).
    pub bits_per_step: f64,
    /// Fraction of quantized values clipped to the INT range.
    pub clipped_fraction: f64,
    /// The exact expected risk under the rounding model.
    pub theory: RiskPrediction,
    /// The same under the paper's worst-case noise model (coarsest grid of each kind only;
    /// infinite when that model makes the step unstable).
    pub paper_theory: Option<f64>,
}

impl Measured {
    /// Mean excess risk over trials.
    pub fn mean(&self) -> f64 {
        mean(&self.risks)
    }

    /// Standard error of the mean.
    pub fn se(&self) -> f64 {
        std_error(&self.risks)
    }
}

/// Mean of a non-empty sample (0 for an empty one).
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Standard error of the mean (0 with fewer than two values).
pub fn std_error(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64;
    (var / x.len() as f64).sqrt()
}

/// Mean and standard error of the paired differences `a_i - b_i`.
pub fn paired_difference(a: &[f64], b: &[f64]) -> (f64, f64) {
    let diff: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    (mean(&diff), std_error(&diff))
}

/// The exact expected risk of a point under its rounding model, and (with `paper`) under the
/// paper's worst-case model.
fn theory(point: &Point, setup: &Setup, paper: bool) -> Result<(RiskPrediction, Option<f64>)> {
    let problem = setup.problem()?;
    let run = SgdRun::new(setup.gamma, point.batch as u64, setup.steps(point.batch))?;
    let exact = averaged_sgd_risk(&problem, &run, &point.model()?)
        .with_context(|| format!("theory of {point:?}"))?;
    let worst = match point.paper_model(setup.d)? {
        // The worst-case model can make the step unstable (its rounding variance inflates the
        // trace of the data covariance): that is a prediction too, recorded as infinite.
        Some(model) if paper => match averaged_sgd_risk(&problem, &run, &model) {
            Ok(r) => Some(r.averaged),
            Err(BoundError::Overflow { .. }) => Some(f64::INFINITY),
            Err(e) => {
                return Err(e).with_context(|| format!("paper-model theory of {point:?}"));
            }
        },
        _ => None,
    };
    Ok((exact, worst))
}

/// The exact expected risk of a batch-study point with the step scaled linearly with the
/// batch ([`Setup::scaled_step`]), same number of samples.
fn scaled_theory(point: &Point, setup: &Setup) -> Result<f64> {
    let run = SgdRun::new(
        setup.scaled_step(point.batch),
        point.batch as u64,
        setup.steps(point.batch),
    )?;
    Ok(averaged_sgd_risk(&setup.problem()?, &run, &point.model()?)?.averaged)
}

/// Runs one point: `trials` runs on the same data streams as every other point (common random
/// numbers: trial `i` uses run seed `trial_seed(seed, i)` whatever the point).
fn measure(
    point: Point,
    (theory, paper_theory): (RiskPrediction, Option<f64>),
    setup: &Setup,
    seed: u64,
) -> Result<Measured> {
    let oracle = LinearRegression::new(
        vec![W_STAR; setup.d],
        setup.a,
        NOISE_VARIANCE.sqrt(),
        point.batch,
    )?;
    let steps = setup.steps(point.batch);
    let runs = monte_carlo(
        setup.trials,
        seed,
        |_, run_seed| -> Result<(f64, u64, u64, u64)> {
            let mut sgd = LinregSgd::new(
                vec![0.0; setup.d],
                setup.gamma,
                point.batch,
                point.quantizers(setup.d)?,
            )?;
            sgd.run(&oracle, steps, run_seed)?;
            let w = sgd.averaged().context("no step was taken")?;
            let risk = oracle.excess_risk(w)?;
            let (bits, clipped, values) = match point.target {
                Some(t) => {
                    let s = sgd.stats(t);
                    let per_message = if t.is_model_sized() {
                        setup.d
                    } else {
                        point.batch
                    };
                    (s.bits, s.clipped, s.messages * per_message as u64)
                }
                None => (0, 0, 0),
            };
            Ok((risk, bits, clipped, values))
        },
    )?;
    let risks = runs.iter().map(|r| r.0).collect();
    let total_bits: u64 = runs.iter().map(|r| r.1).sum();
    let clipped: u64 = runs.iter().map(|r| r.2).sum();
    let values: u64 = runs.iter().map(|r| r.3).sum();
    Ok(Measured {
        point,
        risks,
        bits_per_step: total_bits as f64 / (setup.trials * steps) as f64,
        clipped_fraction: if values == 0 {
            0.0
        } else {
            clipped as f64 / values as f64
        },
        theory,
        paper_theory,
    })
}

/// The record of one measured point; `reference` is the unquantized point at the same batch.
fn record(m: &Measured, reference: &Measured) -> Record {
    let p = &m.point;
    let (penalty, penalty_se) = paired_difference(&m.risks, &reference.risks);
    Record::new("linreg")
        .param("target", p.target_name())
        .param("kind", p.kind.name())
        .param("width", p.width)
        .param("batch", p.batch as u64)
        .metric("target", points::target_code(p.target))
        .metric("kind", p.kind.code())
        .metric("bits", f64::from(p.bits()))
        .metric("batch", p.batch as f64)
        .metric("excess_risk", m.mean())
        .metric("excess_risk_se", m.se())
        .metric("theory_excess_risk", m.theory.averaged)
        .metric("reference_risk", reference.mean())
        .metric("ratio_to_reference", m.mean() / reference.mean())
        .metric("penalty", penalty)
        .metric("penalty_se", penalty_se)
        .metric(
            "paper_model_excess_risk",
            m.paper_theory.unwrap_or(f64::NAN),
        )
        .metric("theory_approximation", m.theory.approximation)
        .metric(
            "theory_effective_dimension",
            m.theory.effective_dimension as f64,
        )
        .metric("bits_per_step", m.bits_per_step)
        .metric("clipped_fraction", m.clipped_fraction)
}

impl Experiment for Linreg {
    fn id(&self) -> &'static str {
        "linreg"
    }

    fn required_metrics(&self) -> &'static [&'static str] {
        &["target", "kind", "bits", "excess_risk", "batch"]
    }

    fn run(&self, cx: &Context) -> Result<Outcome> {
        let setup = Setup::for_mode(cx.mode);
        let seed = cx.seed_for("linreg/runs");
        let bits = points::bits_sweep();
        let all = points::measured_points();
        let scaled_points: Vec<Point> = points::BATCHES
            .iter()
            .map(|&b| Point::reference(b))
            .chain(points::batch_sweep())
            .collect();
        let bar = cx.bar(self.id(), (2 * all.len() + scaled_points.len()) as u64);
        bar.set_message("exact risks");
        let theories = all
            .par_iter()
            .map(|p| {
                // The worst-case model is reported for the coarsest grid of each kind.
                let coarsest = bits.contains(p)
                    && (p.width == points::INT_BITS[0] && p.kind == Kind::Additive
                        || p.width == points::MANTISSA_BITS[0] && p.kind == Kind::Multiplicative);
                let t = theory(p, &setup, coarsest);
                bar.inc(1);
                t
            })
            .collect::<Result<Vec<_>>>()?;
        let scaled = scaled_points
            .par_iter()
            .map(|p| {
                let t = scaled_theory(p, &setup).map(|r| (*p, r));
                bar.inc(1);
                t
            })
            .collect::<Result<Vec<_>>>()?;
        let mut measured = Vec::with_capacity(all.len());
        for (p, t) in all.iter().zip(theories) {
            bar.set_message(format!(
                "{} {} {} bits",
                p.target_name(),
                p.kind.name(),
                p.bits()
            ));
            measured.push(measure(*p, t, &setup, seed)?);
            bar.inc(1);
        }
        bar.finish_and_clear();
        report::build(self.id(), &setup, &measured, &scaled)
    }
}

mod report;

#[cfg(test)]
mod tests {
    use super::*;
    use bounds::linreg_sgd::{QuantizationModel, Rounding};
    use optimizers::{Target, TargetQuantizers};
    use quantizers::{AdditiveQuantizer, Multiplicative};

    /// Mean and standard error of the averaged iterate's risk over `trials` simulated runs.
    fn simulate(
        make: &(dyn Fn() -> TargetQuantizers + Sync),
        d: usize,
        batch: usize,
        gamma: f64,
        steps: u64,
        trials: u64,
    ) -> (f64, f64) {
        let oracle = LinearRegression::new(vec![1.0; d], 2.0, 1.0, batch).unwrap();
        let risks = monte_carlo(trials, 77, |_, seed| -> Result<f64> {
            let mut sgd = LinregSgd::new(vec![0.0; d], gamma, batch, make())?;
            sgd.run(&oracle, steps, seed)?;
            Ok(oracle.excess_risk(sgd.averaged().context("no step")?)?)
        })
        .unwrap();
        (mean(&risks), std_error(&risks))
    }

    fn exact(d: usize, batch: usize, gamma: f64, steps: u64, q: &QuantizationModel) -> f64 {
        let p = LinregProblem::polynomial(d, 2.0, 1.0, 1.0).unwrap();
        averaged_sgd_risk(&p, &SgdRun::new(gamma, batch as u64, steps).unwrap(), q)
            .unwrap()
            .averaged
    }

    #[test]
    fn the_exact_risk_matches_the_simulator_without_quantization() {
        let (d, b, gamma, steps) = (4, 2, 0.3, 40);
        let (m, se) = simulate(&TargetQuantizers::none, d, b, gamma, steps, 4000);
        let t = exact(d, b, gamma, steps, &QuantizationModel::default());
        assert!((m - t).abs() <= 5.0 * se, "simulated {m} ± {se}, exact {t}");
    }

    #[test]
    fn the_exact_risk_matches_the_simulator_with_rounded_parameters_activations_and_gradients() {
        // Rounding variances come from the Gaussian approximations of the module docs, so the
        // tolerance adds 5% to the 5 standard errors.
        let (d, b, gamma, steps) = (4, 2, 0.3, 200);
        let make = || {
            TargetQuantizers::none()
                .with(
                    Target::Parameters,
                    Box::new(AdditiveQuantizer::new(4, 1.0, 8).unwrap()),
                )
                .with(
                    Target::Activations,
                    Box::new(AdditiveQuantizer::new(2, 1.0, 8).unwrap()),
                )
                .with(
                    Target::Gradients,
                    Box::new(Multiplicative::new(2, 5, 0).unwrap()),
                )
        };
        let (m, se) = simulate(&make, d, b, gamma, steps, 4000);
        let q = QuantizationModel {
            parameters: Rounding::UniformGrid { step: 1.0 },
            activations: Rounding::UniformGrid { step: 1.0 },
            gradients: Rounding::FloatGrid {
                man_bits: 0,
                min_normal: 2f64.powi(-14),
            },
            ..QuantizationModel::default()
        };
        let t = exact(d, b, gamma, steps, &q);
        let clean = exact(d, b, gamma, steps, &QuantizationModel::default());
        assert!(t > 1.3 * clean, "the rounding must matter: {t} vs {clean}");
        assert!(
            (m - t).abs() <= 5.0 * se + 0.05 * t,
            "simulated {m} ± {se}, exact {t}"
        );
    }

    #[test]
    fn paired_differences_and_standard_errors_follow_their_formulas() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
        // Sample variance 7, so the standard error is sqrt(7/3).
        assert!((std_error(&[1.0, 2.0, 6.0]) - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(std_error(&[1.0]), 0.0);
        let (m, se) = paired_difference(&[2.0, 3.0, 7.0], &[1.0, 1.0, 1.0]);
        assert_eq!(m, 3.0);
        assert!((se - (7.0f64 / 3.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn the_linear_scaling_step_is_one_at_the_largest_batch() {
        let s = Setup::for_mode(crate::bench::Mode::Default);
        assert_eq!(s.scaled_step(64), 1.0);
        assert_eq!(
            s.scaled_step(1) * s.steps(1) as f64,
            s.scaled_step(64) * s.steps(64) as f64
        );
        assert_eq!(s.steps(4), (s.samples / 4) as u64);
    }
}
