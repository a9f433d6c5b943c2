//! `tightness`: how close each B-bit pathway comes to the van Trees lower bound on Gaussian
//! gradients (paper 000: Lemma 1, Theorems 2–4; notes-000 §2–3, §6, §7.4).
//!
//! On `f(x) = 1/2 ||x - theta||^2` with `g = x - theta + sigma Z` (`sigma = 1`) and `theta` drawn
//! per trial from the cos² box prior on `[-b, b]^d` (`b = 1`, prior information
//! `J = d pi^2/b^2`), every scheme runs through the round loop with its budget `B` enforced, and
//! `mse(t) = E||x_t - theta||^2` is set against the van Trees bound `d^2/(t cap + J)` with the
//! Barnes–Özgür cap `cap_BO = min{d, 2B ln 2}/sigma^2` and the rate–distortion cap
//! `cap_RD = d (1 - 4^{-B/d})/sigma^2` (both reconstructions \[I\] of Theorem 3;
//! [`bounds::mse_lower_bound`]). The reported `ratio_to_bound` is `mse / max` of the two bounds.
//!
//! The parts: [`setting`] (the problem, the ranges given to ranged schemes, the sizes per mode),
//! [`schemes`] (which pathway runs at which budget), [`simulate`](mod@simulate) (Monte Carlo through
//! [`optimizers::run_observed`]), [`theory`] (the bounds and each scheme's predicted limit),
//! [`summary`] (records, tables, findings, disagreements) and [`figure`].
//!
//! Modes ([`Sizes::for_mode`]): `--quick` runs `d = 16` at `B/d = 1/4, 1, 4` with
//! `T = 256 max(1, d/B)` rounds and 100 trials (about a second of CPU); the default runs
//! `d = 16, 64, 256` over `B/d = 1/16 ... 16` with `T = 1024 max(1, d/B)` (so up to 16 384
//! rounds) and `6400/d` trials (about 40 s of CPU); `--full` adds `d = 1024`, runs
//! `T = 8192 max(1, d/B)` (up to 131 072 rounds) and `25 600/d` trials: about 30 times the
//! default's work for the first three dimensions, plus `d = 1024`.

pub mod figure;
pub mod schemes;
pub mod setting;
pub mod simulate;
pub mod summary;
pub mod theory;

use anyhow::{Context as _, Result};

use super::{Context, Experiment, Outcome};
use schemes::{Family, budget_grid};
use setting::{Setting, Sizes};
use simulate::{Curve, simulate};
use theory::{LowerBounds, lower_bounds};

/// The tightness experiment.
pub struct Tightness;

/// The experiment's ID.
pub const ID: &str = "tightness";

/// One measured pathway: a scheme at a budget in a dimension, with its curve and the bounds at
/// each checkpoint.
#[derive(Debug, Clone)]
pub struct Point {
    /// Dimension `d`.
    pub d: usize,
    /// Scheme ID (`results.json` param `scheme`).
    pub scheme: &'static str,
    /// The figure series it belongs to.
    pub series: &'static str,
    /// Its family.
    pub family: Family,
    /// The budget `B` (param `bits`).
    pub bits: usize,
    /// The quantizer with its parameters.
    pub quantizer: String,
    /// What was measured.
    pub curve: Curve,
    /// The lower bounds at each checkpoint of the curve.
    pub bounds: Vec<LowerBounds>,
}

impl Point {
    /// `B/d`.
    pub fn bits_per_coordinate(&self) -> f64 {
        self.bits as f64 / self.d as f64
    }

    /// `mse / max(D_BO, D_RD)` at checkpoint index `i`, with its standard error.
    pub fn ratio_at_index(&self, i: usize) -> Option<(f64, f64)> {
        let mse = self.curve.mse.get(i)?;
        let se = self.curve.stderr.get(i)?;
        let lb = self.bounds.get(i)?.max();
        Some((mse / lb, se / lb))
    }

    /// The ratio at checkpoint `t`.
    pub fn ratio_at(&self, t: u64) -> Option<(f64, f64)> {
        self.ratio_at_index(self.curve.rounds.iter().position(|&r| r == t)?)
    }

    /// The ratio after the last round.
    pub fn final_ratio(&self) -> Option<(f64, f64)> {
        self.ratio_at_index(self.curve.rounds.len().checked_sub(1)?)
    }
}

impl Experiment for Tightness {
    fn id(&self) -> &'static str {
        ID
    }

    fn required_metrics(&self) -> &'static [&'static str] {
        &[
            "mse",
            "mse_stderr",
            "lower_bound_bo",
            "lower_bound_rd",
            "ratio_to_bound",
            "bits_per_round",
        ]
    }

    fn run(&self, cx: &Context) -> Result<Outcome> {
        let setting = Setting::default();
        let sizes = Sizes::for_mode(cx.mode);
        let mut plan = Vec::new();
        for &d in &sizes.dims {
            let budgets = budget_grid(d, &sizes.exponents);
            plan.push((d, schemes::schemes(&setting, d, &budgets)?));
        }
        let rounds_of = |d: usize, s: &schemes::Scheme| match s.family {
            Family::Reference => sizes.longest_rounds(d),
            _ => sizes.rounds(d, s.budget),
        };
        // Progress in units of `unit_rounds` rounds of one trial.
        let steps: u64 = plan
            .iter()
            .flat_map(|(d, list)| list.iter().map(move |s| (*d, s)))
            .map(|(d, s)| sizes.trials(d) * rounds_of(d, s) / sizes.unit_rounds)
            .sum();
        let bar = cx.bar(ID, steps);
        let mut points = Vec::new();
        for (d, list) in &plan {
            let d = *d;
            // One base seed per dimension: every scheme sees the same thetas and oracle noise.
            let seed = cx.seed_for(&format!("{ID}/d={d}"));
            for scheme in list {
                bar.set_message(format!("d={d} {} B={}", scheme.id, scheme.budget));
                let rounds = rounds_of(d, scheme);
                let curve = simulate(&setting, d, scheme, rounds, sizes.trials(d), seed, &|| {
                    bar.inc(rounds / sizes.unit_rounds)
                })
                .with_context(|| {
                    format!(
                        "{} at d = {d}, B = {}",
                        scheme.quantizer.name(),
                        scheme.budget
                    )
                })?;
                let bounds = curve
                    .rounds
                    .iter()
                    .map(|&t| lower_bounds(&setting, d, scheme.budget, t))
                    .collect::<Result<Vec<_>>>()?;
                points.push(Point {
                    d,
                    scheme: scheme.id,
                    series: scheme.series,
                    family: scheme.family,
                    bits: scheme.budget,
                    quantizer: scheme.quantizer.name(),
                    curve,
                    bounds,
                });
            }
        }
        bar.finish_and_clear();
        summary::outcome(&setting, &sizes, &points)
    }
}
