//! `correlated`: temporally correlated gradient noise raises the rounds needed (paper 000,
//! Appendix E, as reconstructed in notes-000 §5.1, tagged \[I\] there).
//!
//! Per coordinate the noise is the stationary AR(1) chain `Z_t = ρ Z_{t−1} + √(1 − ρ²) ξ_t`
//! ([`oracles::Ar1Quadratic`]), so the samples `W_t = θ − σ Z_t` of the reduction carry
//!
//! ```text
//! F_T(ρ) = ((T − 2)(1 − ρ) + 2) / (σ² (1 + ρ))   ≈   (T/σ²) (1 − ρ)/(1 + ρ)
//! ```
//!
//! Fisher information per coordinate after `T` rounds: positive correlation makes successive
//! gradients redundant, and a target that `T_0` independent rounds reach needs
//! `T_ρ = 1 + (1 + ρ)/(1 − ρ) (T_0 − 1)` correlated rounds ([`bounds::ar1_rounds`]). The
//! experiment measures, for each pathway and `ρ`, the rounds `T_ρ` at which the mean squared
//! error first reaches the error the pathway's own `ρ = 0` run reaches at `T_0` rounds, and
//! reports `rounds_ratio = T_ρ / T_0` next to `predicted_ratio = (1 + ρ)/(1 − ρ)`.
//!
//! Pathways (all memoryless encoders, server-side running mean, [`optimizers::RunningMean`] with
//! the [`optimizers::Reduction`] memory):
//! - `unquantized`: every coordinate as an f64 (the sample mean; its asymptotic ratio is exactly
//!   `(1 + ρ)/(1 − ρ)`);
//! - `sign, B = d`: one adaptive sign bit per coordinate per round, centred on the running
//!   estimate (the Kipnis–Duchi recursion); its own asymptotic ratio is `S(ρ)` of
//!   [`bounds::ar1_sign_factor`] (arcsine law);
//! - `sign, B = d/8`: sign bits on `d/8` round-robin coordinates per round, so each coordinate
//!   sees the chain every 8th round, with coefficient `ρ⁸`: ratio `S(ρ⁸)`.
//!
//! Seeds: trial `i` uses the same `θ` and the same innovations `ξ_t` for every pathway and `ρ`
//! (common random numbers), so the ratios compare like with like.

use anyhow::{Context as _, Result, bail};
use bounds::{
    FisherCap, ar1_inflation, ar1_rate_distortion_gain_bits, ar1_rounds, ar1_sign_factor,
    rounds_needed,
};
use optimizers::{QueryPoint, Reduction, RunConfig, RunningMean, monte_carlo, run};
use oracles::{Ar1Quadratic, GaussianQuadratic};
use quantizers::{AdaptiveSign, Quantizer, Unquantized, splitmix64};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

mod curve;

pub use curve::{Curve, mean_and_se, rounds_ratio};

use super::{
    Context, Experiment, Figure, Mode, Outcome, Panel, Record, Section, Series, Style, Table,
};

/// The correlated-noise experiment.
pub struct Correlated;

/// The AR(1) coefficients measured.
pub const RHOS: [f64; 4] = [-0.5, 0.0, 0.5, 0.9];

/// Noise level `σ` (stationary standard deviation of each coordinate of the noise).
const SIGMA: f64 = 1.0;

/// Per-coordinate variance `s²` of the Gaussian prior `θ ~ N(0, s² I)`.
const PRIOR_VARIANCE: f64 = 1.0;

/// Each run lasts this many times the rounds its pathway's theory predicts.
const HORIZON_FACTOR: f64 = 2.0;

/// Recorded points per `T_0` rounds (the crossing is interpolated between them).
const POINTS_PER_T0: u64 = 100;

/// Batches of trials for the standard error of a ratio.
const BATCHES: usize = 8;

/// Mixed into a trial seed for the draw of `θ` (the run's own streams use the seed itself).
const THETA_TAG: u64 = 0x0074_6865_7461; // "theta"

/// Problem and Monte Carlo sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    /// Dimension `d` (a multiple of 8, for the `B = d/8` pathway).
    pub d: usize,
    /// Samples per coordinate at `T_0` (`T_0` = samples × stride).
    pub samples: u64,
    /// Monte Carlo trials per (pathway, `ρ`); a multiple of [`BATCHES`].
    pub trials: u64,
}

impl Sizes {
    /// The sizes of a mode: `--quick` d = 16, 100 samples per coordinate at `T_0`, 32 trials
    /// (under a second); default d = 32, 400 samples, 256 trials (tens of seconds on 2 cores);
    /// `--full` d = 64, 2000 samples, 512 trials (about 20 times the default work: standard
    /// errors half the default's, and five times the samples for the sign recursion's
    /// finite-sample effects to fade).
    pub fn for_mode(mode: Mode) -> Self {
        Self {
            d: mode.pick(16, 32, 64),
            samples: mode.pick(100, 400, 2000),
            trials: mode.pick(32, 256, 512),
        }
    }
}

/// How a worker spends its bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pathway {
    /// Every coordinate as an f64, `B = 64 d`.
    Unquantized,
    /// Adaptive sign bits on `d / stride` round-robin coordinates per round, `B = d / stride`.
    Sign {
        /// Rounds between two descriptions of one coordinate.
        stride: usize,
    },
}

/// The pathways measured.
pub const PATHWAYS: [Pathway; 3] = [
    Pathway::Unquantized,
    Pathway::Sign { stride: 1 },
    Pathway::Sign { stride: 8 },
];

impl Pathway {
    /// Label for tables and the `pathway` parameter.
    pub fn label(self) -> String {
        match self {
            Self::Unquantized => "unquantized".into(),
            Self::Sign { stride: 1 } => "sign, B = d".into(),
            Self::Sign { stride } => format!("sign, B = d/{stride}"),
        }
    }

    /// Rounds between two descriptions of one coordinate.
    pub fn stride(self) -> usize {
        match self {
            Self::Unquantized => 1,
            Self::Sign { stride } => stride,
        }
    }

    /// Bits per round `B` in dimension `d`.
    pub fn bits(self, d: usize) -> usize {
        match self {
            Self::Unquantized => 64 * d,
            Self::Sign { stride } => d / stride.max(1),
        }
    }

    /// The per-round Fisher cap of the bound for this pathway's budget.
    pub fn cap(self, d: usize) -> FisherCap {
        match self {
            Self::Unquantized => FisherCap::Unquantized,
            Self::Sign { .. } => FisherCap::BarnesOzgur {
                bits: self.bits(d) as f64,
            },
        }
    }

    /// The quantizer in dimension `d` (which the stride must divide).
    pub fn quantizer(self, d: usize) -> Result<Box<dyn Quantizer>> {
        if !d.is_multiple_of(self.stride()) {
            bail!("the stride {} must divide d = {d}", self.stride());
        }
        Ok(match self {
            Self::Unquantized => Box::new(Unquantized::new(d)?),
            Self::Sign { .. } => Box::new(AdaptiveSign::new(d, self.bits(d), SIGMA)?),
        })
    }

    /// This pathway's own asymptotic `T_ρ/T_0`: `(1 + ρ)/(1 − ρ)` for the sample mean, the
    /// arcsine-law factor `S(ρ^stride)` for sign bits.
    pub fn asymptotic_ratio(self, rho: f64) -> Result<f64> {
        Ok(match self {
            Self::Unquantized => ar1_inflation(rho)?,
            Self::Sign { stride } => {
                ar1_sign_factor(rho.powi(i32::try_from(stride).context("stride too large")?))?
            }
        })
    }
}

/// Rounds of one run: `HORIZON_FACTOR` times the pathway's prediction (at least `T_0`), so the
/// crossing falls inside it even if the prediction is somewhat off.
pub fn horizon(t0: u64, predicted_ratio: f64) -> u64 {
    (HORIZON_FACTOR * predicted_ratio.max(1.0) * t0 as f64).ceil() as u64
}

/// One (pathway, `ρ`) cell: every trial's curve.
struct Cell {
    pathway: Pathway,
    rho: f64,
    rounds: Vec<u64>,
    trials: Vec<Vec<f64>>,
}

/// One run of the running mean over the pathway under AR(1) noise; returns the recorded
/// `(rounds, ‖x_t − θ‖²/d)`.
fn run_trial(
    quantizer: &dyn Quantizer,
    d: usize,
    rho: f64,
    rounds: u64,
    every: u64,
    seed: u64,
) -> Result<Vec<(u64, f64)>> {
    let mut theta_rng = ChaCha8Rng::seed_from_u64(splitmix64(seed ^ THETA_TAG));
    let prior = oracles::Prior::Gaussian { s2: PRIOR_VARIANCE };
    let base = GaussianQuadratic::from_prior(prior, d, SIGMA, &mut theta_rng)?;
    let mut oracle = Ar1Quadratic::new(base, rho)?;
    let mut rule = RunningMean::new(vec![0.0; d])?;
    let memory = Reduction::new(QueryPoint::Iterate)?;
    let budget = quantizer
        .bit_cost()
        .max_bits()
        .context("the pathways have bounded messages")?;
    let config = RunConfig::new(rounds, budget, seed)?.recording_every(every)?;
    let trace = run(&config, &mut oracle, quantizer, &mut rule, &memory)?;
    trace
        .samples
        .iter()
        .map(|s| {
            s.dist2
                .map(|e| (s.rounds, e / d as f64))
                .context("the oracle knows its minimizer")
        })
        .collect()
}

/// What one set of trials measured for a pathway at one `ρ`, against its `ρ = 0` reference.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Measured {
    /// `T_ρ/T_0`.
    ratio: f64,
    /// `T_ρ`.
    rounds: f64,
    /// `T_0` as measured (the reference's own crossing of the target).
    base_rounds: f64,
    /// The target error per coordinate.
    target: f64,
    /// `T_ρ` over the statistical bound's rounds for the target.
    over_bound: f64,
    /// `T_ρ` over the notes' B-bit bound's rounds for the target.
    over_bits_bound: f64,
}

/// The statistical and the notes' B-bit round bounds for a target error per coordinate.
fn bound_rounds(pathway: Pathway, d: usize, rho: f64, target: f64) -> Result<(f64, f64)> {
    let prior = bounds::Prior::Gaussian {
        variance: PRIOR_VARIANCE,
    };
    let total = target * d as f64;
    let stat = rounds_needed(d, SIGMA, total, FisherCap::Unquantized, &prior)?;
    let bits = rounds_needed(d, SIGMA, total, pathway.cap(d), &prior)?;
    Ok((ar1_rounds(stat, rho)?, ar1_rounds(bits, rho)?))
}

/// Measures one pathway at one `ρ` on mean curves; NaN where a curve never reaches the target.
fn measure(
    pathway: Pathway,
    d: usize,
    rho: f64,
    t0: u64,
    reference: &Curve,
    curve: &Curve,
) -> Result<Measured> {
    let Some((ratio, rounds, target)) = rounds_ratio(reference, curve, t0 as f64) else {
        return Ok(Measured {
            ratio: f64::NAN,
            rounds: f64::NAN,
            base_rounds: f64::NAN,
            target: reference.at(t0 as f64).unwrap_or(f64::NAN),
            over_bound: f64::NAN,
            over_bits_bound: f64::NAN,
        });
    };
    let (stat, bits) = bound_rounds(pathway, d, rho, target)?;
    Ok(Measured {
        ratio,
        rounds,
        base_rounds: rounds / ratio,
        target,
        over_bound: rounds / stat,
        over_bits_bound: rounds / bits,
    })
}

/// One row of results: a pathway at one `ρ`, with standard errors and the theory next to it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    pathway: Pathway,
    rho: f64,
    t0: u64,
    measured: Measured,
    /// Standard errors over batches of trials of `ratio`, `over_bound`, `over_bits_bound`.
    se: (f64, f64, f64),
    predicted_ratio: f64,
    predicted_ratio_exact: f64,
    pathway_ratio: f64,
    bound_rounds: f64,
    bound_rounds_bits: f64,
}

impl Experiment for Correlated {
    fn id(&self) -> &'static str {
        "correlated"
    }

    fn required_metrics(&self) -> &'static [&'static str] {
        &[
            "rho",
            "rounds_ratio",
            "predicted_ratio",
            "rounds",
            "target_mse",
        ]
    }

    fn run(&self, cx: &Context) -> Result<Outcome> {
        let sizes = Sizes::for_mode(cx.mode);
        let d = sizes.d;
        let seed = cx.seed_for("correlated/trials");
        let bar = cx.bar(
            self.id(),
            (PATHWAYS.len() * RHOS.len()) as u64 * sizes.trials,
        );

        let mut cells = Vec::new();
        for pathway in PATHWAYS {
            let quantizer = pathway.quantizer(d)?;
            let t0 = sizes.samples * pathway.stride() as u64;
            let every = (t0 / POINTS_PER_T0).max(1);
            for rho in RHOS {
                bar.set_message(format!("{}, rho = {rho}", pathway.label()));
                let rounds = horizon(t0, pathway.asymptotic_ratio(rho)?);
                let runs = monte_carlo(sizes.trials, seed, |_, s| {
                    let r = run_trial(quantizer.as_ref(), d, rho, rounds, every, s);
                    bar.inc(1);
                    r
                })?;
                let grid: Vec<u64> = runs
                    .first()
                    .map(|r| r.iter().map(|p| p.0).collect())
                    .unwrap_or_default();
                let trials = runs
                    .into_iter()
                    .map(|r| r.into_iter().map(|p| p.1).collect())
                    .collect();
                cells.push(Cell {
                    pathway,
                    rho,
                    rounds: grid,
                    trials,
                });
            }
        }
        bar.finish_and_clear();

        let rows = summarize(&cells, sizes)?;
        let records = rows
            .iter()
            .map(|r| record(self.id(), r, sizes))
            .collect::<Result<Vec<_>>>()?;
        let table = results_table(&rows);
        let section = Section {
            id: self.id().into(),
            title: "Correlated gradient noise raises the rounds needed".into(),
            source: "paper 000 (Kim 2026), Appendix E, as reconstructed in notes-000 §5.1 \
                     (formulas tagged [I]: only the abstract was read)"
                .into(),
            explanation: format!(
                "Each stochastic gradient of the quadratic 1/2 ||x - theta||^2 carries noise that is \
                 correlated from one round to the next (AR(1) with coefficient rho, stationary variance \
                 sigma^2 = 1). With rho > 0 successive gradients repeat each other, so the exact Fisher \
                 information about theta after T rounds is F_T(rho) = ((T - 2)(1 - rho) + 2)/(1 + rho), \
                 and the paper's Appendix E says the round bound grows by (1 + rho)/(1 - rho) rather \
                 than shrinking. For each pathway we take the mean squared error its rho = 0 run reaches \
                 after T_0 rounds ({} samples per coordinate; d = {d}, {} trials) and measure how many \
                 rounds each rho needs to reach the same error. The figure's left panel shows the \
                 inverse, T_0/T_rho (information per round relative to independent noise), against \
                 the bound's (1 - rho)/(1 + rho); the right panel shows rounds over the statistical \
                 bound.",
                sizes.samples, sizes.trials
            ),
            tables: vec![table.clone()],
            findings: findings(&rows),
            disagreements: disagreements(&rows),
            metrics: metric_docs(),
            ..Section::default()
        };
        Ok(Outcome {
            records,
            section,
            figure: Some(figure(&rows, d)?),
            summary: table,
        })
    }
}

/// Ratios, standard errors and the theory for every cell.
fn summarize(cells: &[Cell], sizes: Sizes) -> Result<Vec<Row>> {
    let d = sizes.d;
    let per_batch = (cells.first().map_or(0, |c| c.trials.len()) / BATCHES).max(1);
    let mut rows = Vec::new();
    for cell in cells {
        let reference = cells
            .iter()
            .find(|c| c.pathway == cell.pathway && c.rho == 0.0)
            .context("every pathway has a rho = 0 run")?;
        let t0 = sizes.samples * cell.pathway.stride() as u64;
        let m = measure(
            cell.pathway,
            d,
            cell.rho,
            t0,
            &Curve::mean(reference.rounds.clone(), &reference.trials)?,
            &Curve::mean(cell.rounds.clone(), &cell.trials)?,
        )?;
        let batches: Vec<Measured> = reference
            .trials
            .chunks(per_batch)
            .zip(cell.trials.chunks(per_batch))
            .map(|(r, c)| {
                let r = Curve::mean(reference.rounds.clone(), r)?;
                let c = Curve::mean(cell.rounds.clone(), c)?;
                measure(cell.pathway, d, cell.rho, t0, &r, &c)
            })
            .collect::<Result<_>>()?;
        let se =
            |f: fn(&Measured) -> f64| mean_and_se(&batches.iter().map(f).collect::<Vec<_>>()).1;
        // A run that never reached its target has NaN rounds (reported as a disagreement); its
        // theory columns are NaN too rather than an error.
        let (bound, bound_bits) =
            bound_rounds(cell.pathway, d, cell.rho, m.target).unwrap_or((f64::NAN, f64::NAN));
        rows.push(Row {
            pathway: cell.pathway,
            rho: cell.rho,
            t0,
            measured: m,
            se: (
                if cell.rho == 0.0 {
                    0.0
                } else {
                    se(|b| b.ratio)
                },
                se(|b| b.over_bound),
                se(|b| b.over_bits_bound),
            ),
            predicted_ratio: ar1_inflation(cell.rho)?,
            predicted_ratio_exact: ar1_rounds(m.base_rounds, cell.rho)
                .map_or(f64::NAN, |t| t / m.base_rounds),
            pathway_ratio: cell.pathway.asymptotic_ratio(cell.rho)?,
            bound_rounds: bound,
            bound_rounds_bits: bound_bits,
        });
    }
    Ok(rows)
}

fn record(id: &str, r: &Row, sizes: Sizes) -> Result<Record> {
    let m = &r.measured;
    Ok(Record::new(id)
        .param("pathway", r.pathway.label())
        .param("bits", r.pathway.bits(sizes.d) as u64)
        .param("d", sizes.d as u64)
        .param("sigma", SIGMA)
        .param("t0", r.t0)
        .param("trials", sizes.trials)
        .metric("rho", r.rho)
        .metric("rounds_ratio", m.ratio)
        .metric("rounds_ratio_se", r.se.0)
        .metric("predicted_ratio", r.predicted_ratio)
        .metric("predicted_ratio_exact", r.predicted_ratio_exact)
        .metric("pathway_ratio", r.pathway_ratio)
        .metric("rounds", m.rounds)
        .metric("target_mse", m.target)
        .metric("bound_rounds", r.bound_rounds)
        .metric("bound_rounds_bits", r.bound_rounds_bits)
        .metric("rounds_over_bound", m.over_bound)
        .metric("rounds_over_bound_se", r.se.1)
        .metric("rounds_over_bound_bits", m.over_bits_bound)
        .metric("rounds_over_bound_bits_se", r.se.2)
        .metric("rd_gain_bits", ar1_rate_distortion_gain_bits(r.rho)?))
}

fn results_table(rows: &[Row]) -> Table {
    let mut t = Table::new([
        "pathway",
        "rho",
        "rounds",
        "rounds ratio",
        "(1+rho)/(1-rho)",
        "finite-T",
        "pathway theory",
        "rounds / stat. bound",
        "rounds / notes' B-bit bound",
    ]);
    for r in rows {
        let m = &r.measured;
        t.row([
            r.pathway.label(),
            format!("{}", r.rho),
            format!("{:.0}", m.rounds),
            if r.rho == 0.0 {
                "1 (reference)".into()
            } else {
                format!("{:.3} ± {:.3}", m.ratio, r.se.0)
            },
            format!("{:.3}", r.predicted_ratio),
            format!("{:.3}", r.predicted_ratio_exact),
            format!("{:.3}", r.pathway_ratio),
            format!("{:.3} ± {:.3}", m.over_bound, r.se.1),
            format!("{:.3} ± {:.3}", m.over_bits_bound, r.se.2),
        ]);
    }
    t
}

fn find(rows: &[Row], pathway: Pathway, rho: f64) -> Option<&Row> {
    rows.iter().find(|r| r.pathway == pathway && r.rho == rho)
}

/// Whether `value ± se` is within 3 standard errors or 5 % of `predicted`.
fn agrees(value: f64, se: f64, predicted: f64) -> bool {
    let tol = (3.0 * se).max(0.05 * predicted.abs());
    (value - predicted).abs() <= tol
}

/// Whether `value ± se` lies below 1 by more than 3 standard errors and 2 %.
fn clearly_below_one(value: f64, se: f64) -> bool {
    value < 1.0 - (3.0 * se).max(0.02)
}

/// `f(row)` for the pathway's rows with `rho != 0`, as `"a, b, c"`.
fn list(rows: &[Row], pathway: Pathway, f: impl Fn(&Row) -> String) -> String {
    rows.iter()
        .filter(|r| r.pathway == pathway && r.rho != 0.0)
        .map(f)
        .collect::<Vec<_>>()
        .join(", ")
}

fn findings(rows: &[Row]) -> Vec<String> {
    let mut f = Vec::new();
    let ratios = |p: Pathway| {
        list(rows, p, |r| {
            format!("{:.2} at rho = {}", r.measured.ratio, r.rho)
        })
    };
    let theory = |p: Pathway| list(rows, p, |r| format!("{:.2}", r.pathway_ratio));
    let (lo, hi) = rows
        .iter()
        .filter(|r| r.pathway == Pathway::Unquantized)
        .map(|r| r.measured.over_bound)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
            (a.min(v), b.max(v))
        });
    f.push(format!(
        "Unquantized running mean: rounds ratio {} against (1 + rho)/(1 - rho) = {}. This is the \
         sample mean of correlated samples, whose variance is sigma^2 (1 + rho)/(1 - rho)/T up to \
         a 1/T^2 term; its rounds are {lo:.3} to {hi:.3} times the statistical bound's (exact \
         F_T(rho)) over all rho, so the bound's inflation is real and attained.",
        ratios(Pathway::Unquantized),
        list(rows, Pathway::Unquantized, |r| format!(
            "{:.2}",
            r.predicted_ratio
        )),
    ));
    let sign = Pathway::Sign { stride: 1 };
    f.push(format!(
        "Sign bits, B = d: rounds ratio {}. The pathway's own theory (arcsine law: the sign bits of \
         AR(1) noise have correlation (2/pi) arcsin(rho^k) at lag k, so the recursion's variance \
         grows by S(rho) = 1 + (4/pi) sum_k arcsin(rho^k)) predicts {}: correlation raises its \
         rounds, by less than (1 + rho)/(1 - rho) for rho > 0 and by more for rho < 0.",
        ratios(sign),
        theory(sign),
    ));
    if let (Some(a), Some(b)) = (find(rows, sign, 0.0), find(rows, sign, 0.9)) {
        f.push(format!(
            "Sign bits, B = d, against the statistical bound (valid for every pathway): {:.2} times \
             the bound's rounds at rho = 0 (the one-bit price pi/2 = 1.571) but only {:.2} at \
             rho = 0.9 (theory (pi/2) S(0.9) (1 - 0.9)/(1 + 0.9) = {:.3}; it tends to \
             (pi/2) ln 2 = 1.089 as rho -> 1). Strongly correlated gradients repeat each other, so \
             one bit of each loses little of what they carry about theta.",
            a.measured.over_bound,
            b.measured.over_bound,
            std::f64::consts::FRAC_PI_2 * b.pathway_ratio / b.predicted_ratio
        ));
    }
    let sub = Pathway::Sign { stride: 8 };
    f.push(format!(
        "Sign bits, B = d/8 (round robin): rounds ratio {}. Each coordinate is described every 8th \
         round and so sees the chain with coefficient rho^8 (0.43 at rho = 0.9, 0.004 at \
         rho = +-0.5): theory S(rho^8) = {}.",
        ratios(sub),
        theory(sub),
    ));
    if let Ok(gain) = ar1_rate_distortion_gain_bits(0.9) {
        let raised = rows
            .iter()
            .filter(|r| r.rho > 0.0)
            .all(|r| r.measured.ratio > 1.0);
        f.push(format!(
            "The earlier conjecture: an AR(1) source with rho = 0.9 is cheaper to describe, by \
             1/2 log2(1/(1 - rho^2)) = {gain:.2} bits per sample and coordinate, which suggests \
             that correlation relaxes the bound. But the task is to learn the common mean theta, \
             not to reproduce the noise, and {} pathway needed fewer rounds at rho > 0: \
             correlation raised the rounds, as Appendix E says.",
            if raised { "no" } else { "some" }
        ));
    }
    f
}

fn disagreements(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for p in PATHWAYS {
        let mine: Vec<&Row> = rows
            .iter()
            .filter(|r| r.pathway == p && r.rho != 0.0)
            .collect();
        for r in mine.iter().filter(|r| !r.measured.rounds.is_finite()) {
            out.push(format!(
                "{} at rho = {}: the target was not reached within the run's horizon, so no \
                 ratio was measured.",
                p.label(),
                r.rho
            ));
        }
        let off: Vec<&&Row> = mine
            .iter()
            .filter(|r| {
                r.measured.ratio.is_finite() && !agrees(r.measured.ratio, r.se.0, r.predicted_ratio)
            })
            .collect();
        if off.is_empty() {
            continue;
        }
        let unexplained: Vec<String> = off
            .iter()
            .filter(|r| !agrees(r.measured.ratio, r.se.0, r.pathway_ratio))
            .map(|r| {
                format!(
                    "at rho = {} the measured {:.3} ± {:.3} is also off its own theory {:.3} \
                     ({} samples per coordinate at T_0: a finite-sample effect or a gap in \
                     that theory)",
                    r.rho,
                    r.measured.ratio,
                    r.se.0,
                    r.pathway_ratio,
                    r.t0 / p.stride() as u64
                )
            })
            .collect();
        let measured = off
            .iter()
            .map(|r| format!("{:.3} ± {:.3} at rho = {}", r.measured.ratio, r.se.0, r.rho))
            .collect::<Vec<_>>()
            .join(", ");
        let predicted = off
            .iter()
            .map(|r| format!("{:.3}", r.predicted_ratio))
            .collect::<Vec<_>>()
            .join(", ");
        let why = match p {
            Pathway::Unquantized => {
                out.push(format!(
                    "unquantized: the rounds grew by {measured} instead of (1 + rho)/(1 - rho) = \
                     {predicted}. The sample mean's variance follows (1 + rho)/(1 - rho) up to a \
                     1/T^2 term, so this is unexplained: more trials, or a bug."
                ));
                continue;
            }
            Pathway::Sign { stride: 1 } => {
                "the sign bits of correlated noise are less correlated than the noise itself \
                 (arcsine law), so the one-bit pathway, pi/2 above the bound at rho = 0, loses less \
                 to positive correlation and gains less from negative correlation than the bound"
            }
            Pathway::Sign { .. } => {
                "each coordinate is described only every d/B rounds, so it sees the correlation \
                 at that lag, rho^(d/B), which is almost nothing except at rho = 0.9"
            }
        };
        out.push(format!(
            "{}: the rounds grew by {measured} instead of (1 + rho)/(1 - rho) = {predicted}. That \
             prediction is the ratio of the *bounds*, and {why}; the measurement follows the \
             pathway's own asymptotic theory ({}){}.",
            p.label(),
            off.iter()
                .map(|r| format!("{:.3}", r.pathway_ratio))
                .collect::<Vec<_>>()
                .join(", "),
            if unexplained.is_empty() {
                " within 3 standard errors or 5 %".to_owned()
            } else {
                format!(", except that {}", unexplained.join("; "))
            }
        ));
    }
    for r in rows
        .iter()
        .filter(|r| clearly_below_one(r.measured.over_bound, r.se.1))
    {
        out.push(format!(
            "{} at rho = {} needed {:.0} rounds, {:.3} ± {:.3} times the statistical bound's {:.0}: \
             the bound holds for every estimator, so this points to a bug.",
            r.pathway.label(),
            r.rho,
            r.measured.rounds,
            r.measured.over_bound,
            r.se.1,
            r.bound_rounds
        ));
    }
    let beaten: Vec<&Row> = rows
        .iter()
        .filter(|r| clearly_below_one(r.measured.over_bits_bound, r.se.2))
        .collect();
    if !beaten.is_empty() {
        out.push(format!(
            "The notes' B-bit version of the inflation is beaten: {}. That version (innovations \
             argument, [I]) caps each round at min{{d, 2B ln 2}}/sigma^2 times (1 - rho)/(1 + rho), \
             i.e. T_rho - 1 = (1 + rho)/(1 - rho) (T_0 - 1) with T_0 the i.i.d. B-bit bound, so below \
             B = 0.72 d it charges the bit penalty d/(2B ln 2) and the full correlation penalty \
             together; a round-robin encoder pays the correlation only at lag d/B. Since an encoder \
             with memory can do whatever a memoryless one does, that version is not a lower bound \
             for any encoder here; the statistical part, F_T(rho), is (data processing), and the \
             notes flag the B-bit part as needing more care. The paper's own statement may differ.",
            beaten
                .iter()
                .map(|r| format!(
                    "{} at rho = {} needed {:.3} ± {:.3} times that bound's rounds",
                    r.pathway.label(),
                    r.rho,
                    r.measured.over_bits_bound,
                    r.se.2
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    out
}

fn metric_docs() -> Vec<(String, String)> {
    [
        ("rho", "AR(1) coefficient of the gradient noise"),
        (
            "rounds",
            "rounds at which the mean squared error (over trials) first reaches target_mse, \
             interpolated log-log between recorded rounds",
        ),
        (
            "target_mse",
            "per-coordinate error E||x - theta||^2/d that the pathway's rho = 0 run reaches after \
             T_0 rounds (param t0)",
        ),
        (
            "rounds_ratio",
            "rounds / rounds of the rho = 0 run for the same target (every `_se` metric is a \
             standard error over 8 batches of trials)",
        ),
        (
            "predicted_ratio",
            "(1 + rho)/(1 - rho), the bound's asymptotic inflation",
        ),
        (
            "predicted_ratio_exact",
            "(1 + (1 + rho)/(1 - rho)(T_0 - 1))/T_0 with T_0 the rho = 0 rounds: the exact \
             finite-T transform, equivalent to F_T(rho) = F_T0(0)",
        ),
        (
            "pathway_ratio",
            "the pathway's own asymptotic ratio: (1 + rho)/(1 - rho) unquantized, S(rho^stride) = \
             1 + (4/pi) sum_k arcsin(rho^(stride k)) for sign bits",
        ),
        (
            "bound_rounds",
            "statistical lower bound on the rounds for target_mse (van Trees with the exact \
             F_T(rho) and the N(0, 1) prior); rounds_over_bound = rounds / bound_rounds",
        ),
        ("rounds_over_bound_bits", "rounds / bound_rounds_bits"),
        (
            "bound_rounds_bits",
            "the notes' B-bit inflation: T_rho - 1 = (1 + rho)/(1 - rho)(T_0 - 1) with T_0 the \
             i.i.d. bound under the cap min{d, 2B ln 2}/sigma^2 ([I], not proven for B < 0.72 d)",
        ),
        (
            "rd_gain_bits",
            "1/2 log2(1/(1 - rho^2)): how much cheaper an AR(1) source is to describe (the \
             intuition behind the earlier conjecture)",
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect()
}

fn figure(rows: &[Row], d: usize) -> Result<Figure> {
    let dense: Vec<f64> = (-50..=90).map(|i| f64::from(i) / 100.0).collect();
    let curve = |f: &dyn Fn(f64) -> Result<f64>| -> Result<Vec<(f64, f64)>> {
        dense.iter().map(|&r| Ok((r, f(r)?))).collect()
    };
    // The first panel shows T_0/T_rho (information per round relative to rho = 0), which falls
    // from left to right and so leaves the legend's corner free.
    let mut ratio = vec![Series::new(
        "(1-rho)/(1+rho), bound",
        curve(&|r| Ok(1.0 / ar1_inflation(r)?))?,
        Style::Dashed,
        7,
    )];
    let mut efficiency = vec![Series::new(
        "statistical bound",
        dense.iter().map(|&r| (r, 1.0)).collect(),
        Style::Dashed,
        7,
    )];
    for (i, p) in PATHWAYS.into_iter().enumerate() {
        let measured: Vec<&Row> = rows.iter().filter(|r| r.pathway == p).collect();
        ratio.push(Series::new(
            p.label(),
            measured
                .iter()
                .map(|r| (r.rho, 1.0 / r.measured.ratio))
                .collect(),
            Style::Markers,
            i,
        ));
        efficiency.push(Series::new(
            p.label(),
            measured
                .iter()
                .map(|r| (r.rho, r.measured.over_bound))
                .collect(),
            Style::Markers,
            i,
        ));
        if let Pathway::Sign { stride } = p {
            ratio.push(Series::new(
                format!("1/S(rho^{stride}), theory"),
                curve(&|r| Ok(1.0 / p.asymptotic_ratio(r)?))?,
                Style::Dashed,
                i,
            ));
            // Asymptotic rounds over the statistical bound: stride (pi/2) S(rho^stride) / infl.
            efficiency.push(Series::new(
                format!("{}, theory", p.label()),
                curve(&|r| {
                    Ok(
                        stride as f64 * std::f64::consts::FRAC_PI_2 * p.asymptotic_ratio(r)?
                            / ar1_inflation(r)?,
                    )
                })?,
                Style::Dashed,
                i,
            ));
            let bits_penalty = p.cap(d).per_round(d, SIGMA)?;
            if bits_penalty < d as f64 {
                efficiency.push(Series::new(
                    format!("notes' B-bit bound, B = d/{stride}"),
                    dense
                        .iter()
                        .map(|&r| (r, d as f64 / bits_penalty))
                        .collect(),
                    Style::Dashed,
                    3,
                ));
            }
        }
    }
    Ok(Figure {
        panels: vec![
            Panel {
                title: "Speed relative to rho = 0: T_0 / T_rho".into(),
                x_label: "AR(1) coefficient rho".into(),
                y_label: "T_0 / T_rho (1 / rounds ratio)".into(),
                log_x: false,
                log_y: true,
                series: ratio,
            },
            Panel {
                title: "Rounds over the statistical bound (F_T(rho))".into(),
                x_label: "AR(1) coefficient rho".into(),
                y_label: "rounds / bound".into(),
                log_x: false,
                log_y: true,
                series: efficiency,
            },
        ],
        columns: 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizon_covers_the_prediction_and_at_least_t0() {
        assert_eq!(horizon(400, 19.0), 15_200);
        assert_eq!(horizon(400, 1.0 / 3.0), 800);
    }

    #[test]
    fn pathways_spend_the_stated_bits() {
        assert_eq!(Pathway::Unquantized.bits(32), 2048);
        assert_eq!(Pathway::Sign { stride: 1 }.bits(32), 32);
        assert_eq!(Pathway::Sign { stride: 8 }.bits(32), 4);
        for p in PATHWAYS {
            let q = p.quantizer(32).unwrap();
            assert_eq!(q.bit_cost().max_bits(), Some(p.bits(32)));
        }
        assert!(Pathway::Sign { stride: 8 }.quantizer(12).is_err());
    }

    #[test]
    fn theory_maps_to_the_pathways() {
        // Sample mean: exactly the bound's inflation.
        assert_eq!(Pathway::Unquantized.asymptotic_ratio(0.5).unwrap(), 3.0);
        // Sign bits: arcsine-law factor, at rho^stride for round robin.
        let s1 = Pathway::Sign { stride: 1 }.asymptotic_ratio(0.9).unwrap();
        assert!((s1 - ar1_sign_factor(0.9).unwrap()).abs() < 1e-15);
        let s8 = Pathway::Sign { stride: 8 }.asymptotic_ratio(0.9).unwrap();
        assert!((s8 - ar1_sign_factor(0.9f64.powi(8)).unwrap()).abs() < 1e-15);
        // Negative rho at an even stride becomes a small positive correlation.
        assert!(Pathway::Sign { stride: 8 }.asymptotic_ratio(-0.5).unwrap() > 1.0);
    }

    #[test]
    fn a_target_never_reached_is_reported_not_fatal() {
        let grid: Vec<u64> = (0..=40).map(|i| i * 10).collect();
        let curve = |c: f64| -> Vec<f64> { grid.iter().map(|&t| c / t.max(1) as f64).collect() };
        let cell = |rho: f64, c: f64| Cell {
            pathway: Pathway::Unquantized,
            rho,
            rounds: grid.clone(),
            trials: vec![curve(c); BATCHES],
        };
        // The rho = 0.5 curve is 100 times higher: it cannot reach 1/100 within 400 rounds.
        let cells = [cell(0.0, 1.0), cell(0.5, 100.0)];
        let sizes = Sizes {
            d: 4,
            samples: 100,
            trials: BATCHES as u64,
        };
        let rows = summarize(&cells, sizes).unwrap();
        assert_eq!(rows[0].measured.ratio, 1.0);
        assert!(rows[1].measured.rounds.is_nan());
        assert!(rows[1].bound_rounds.is_finite());
        let text = disagreements(&rows).join(" ");
        assert!(text.contains("not reached"), "{text}");
    }

    #[test]
    fn sizes_suit_every_pathway() {
        for mode in [Mode::Quick, Mode::Default, Mode::Full] {
            let s = Sizes::for_mode(mode);
            assert!(PATHWAYS.iter().all(|p| s.d.is_multiple_of(p.stride())));
            assert_eq!(s.trials % BATCHES as u64, 0);
            assert_eq!(s.samples % POINTS_PER_T0, 0);
        }
    }
}
