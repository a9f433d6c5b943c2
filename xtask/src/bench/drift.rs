//! `drift`: tracking a drifting minimizer through a B-bit pathway, against the Bayesian
//! Cramér–Rao steady state and the sequential rate–distortion floor (paper 000, Appendix E, as
//! reconstructed in notes-000 §5.2, tagged \[I\] there).
//!
//! The minimizer walks, `θ_t = θ_{t−1} + q ξ_t` ([`oracles::DriftingQuadratic`]), and round `t`'s
//! gradient is `x_t − θ_t + σ Z_t`. Per coordinate, with Fisher information `F` per round
//! ([`bounds::FisherCap::per_coordinate`]: `1/σ²` unquantized, `min{d, 2B ln 2}/(dσ²)` for `B`
//! bits), every tracker's steady-state error obeys
//!
//! ```text
//! P_∞ = (−q²F + √(q⁴F² + 4q²F)) / (2F)      (BCRB steady state, bounds::bcrb_steady_state_mse)
//! D_∞ >= q² / (2^{2B/d} − 1)                (sequential rate–distortion floor, bounds::sequential_rd_floor)
//! ```
//!
//! Pathways, all constant-gain trackers `x_{t+1} = x_t − γ ĝ_t` ([`optimizers::Sgd`] with a
//! constant step, the [`optimizers::Reduction`] memory so the adaptive schemes are centred on the
//! current estimate):
//! - `unquantized`: f64 gradients and the Kalman steady-state gain `γ = P_∞/σ²`; on this
//!   linear-Gaussian model the Kalman filter attains the BCRB exactly;
//! - `adaptive, B/d = r`: [`quantizers::AdaptiveScheme`] (sign bits on `k = min(B, d)`
//!   round-robin coordinates for `B <= d`, Fisher-optimal `q`-bit cells on every coordinate
//!   above). Linearised at the centre, a described coordinate receives an observation of `θ_i`
//!   with Fisher information `I(q)/σ²` (`I(1) = 2/π`) once every `s = d/k` rounds, while `θ_i`
//!   drifts by `s q²`; the gain is the Kalman gain of that model, `γ = P_f I(q)/σ²` with
//!   `P_f = P_∞(s q², I(q)/σ²)`, and its predicted error averaged over the `s` phases is
//!   `P_f + q²(s − 1)/2` ([`Tuning`]).
//!
//! The tracking error is `‖x_{t+1} − θ_t‖²/d` after each round's update (the filtered error,
//! the quantity the BCRB recursion `J_t = (J_{t−1}⁻¹ + q²)⁻¹ + F` bounds), averaged over a
//! steady-state window after a burn-in of several time constants `s/γ`, then over trials.

use anyhow::{Context as _, Result, bail};
use bounds::{FisherCap, bcrb_steady_state_mse, sequential_rd_floor};
use optimizers::{QueryPoint, Reduction, RunConfig, Sgd, StepSchedule, monte_carlo, run};
use oracles::{DriftingQuadratic, GaussianQuadratic};
use quantizers::{AdaptiveScheme, Quantizer, Unquantized};

use super::correlated::mean_and_se;
use super::{
    Context, Experiment, Figure, Mode, Outcome, Panel, Record, Section, Series, Style, Table,
};

/// The drift experiment.
pub struct Drift;

/// Drift scales `q` (per-coordinate standard deviation of one step of `θ`), in units of `σ`.
pub const DRIFTS: [f64; 5] = [0.01, 0.03, 0.1, 0.3, 1.0];

/// Bit rates `B/d` of the adaptive pathway.
pub const RATES: [f64; 3] = [0.25, 1.0, 2.0];

/// Noise level `σ`.
const SIGMA: f64 = 1.0;

/// Bits per coordinate of an unquantized (f64) gradient.
const F64_BITS: f64 = 64.0;

/// Burn-in in time constants `s/γ`: the error variance's transient decays like `e^{−2n}`.
const BURN_IN_TIME_CONSTANTS: f64 = 6.0;

/// Problem and Monte Carlo sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizes {
    /// Dimension `d` (a multiple of 4, for `B/d = 1/4`).
    pub d: usize,
    /// Monte Carlo trials per (pathway, `q`).
    pub trials: u64,
    /// Steady-state window in time constants `s/γ` ...
    pub window_time_constants: f64,
    /// ... and at least this many rounds.
    pub min_window: u64,
}

impl Sizes {
    /// The sizes of a mode: `--quick` d = 8, 16 trials, windows of 20 time constants (a
    /// fraction of a second); default d = 16, 128 trials, 100 time constants (about 20 s on 2
    /// shared cores); `--full` d = 64, 256 trials, 400 time constants (about 30 times the default
    /// work, standard errors about a sixth of the default's).
    pub fn for_mode(mode: Mode) -> Self {
        Self {
            d: mode.pick(8, 16, 64),
            trials: mode.pick(16, 128, 256),
            window_time_constants: mode.pick(20.0, 100.0, 400.0),
            min_window: mode.pick(500, 2000, 10_000),
        }
    }
}

/// How a worker spends its bits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pathway {
    /// Every coordinate as an f64.
    Unquantized,
    /// [`AdaptiveScheme::for_gaussian`] at `rate = B/d` bits per coordinate.
    Adaptive {
        /// `B/d`.
        rate: f64,
    },
}

impl Pathway {
    /// Every pathway measured: unquantized, then the adaptive scheme at each rate.
    pub fn all() -> Vec<Self> {
        std::iter::once(Self::Unquantized)
            .chain(RATES.iter().map(|&rate| Self::Adaptive { rate }))
            .collect()
    }

    /// Label for tables and the `pathway` parameter.
    pub fn label(self) -> String {
        match self {
            Self::Unquantized => "unquantized".into(),
            Self::Adaptive { rate } => format!("adaptive, B/d = {rate}"),
        }
    }

    /// Bits per coordinate per round, `B/d`.
    pub fn rate(self) -> f64 {
        match self {
            Self::Unquantized => F64_BITS,
            Self::Adaptive { rate } => rate,
        }
    }

    /// Bits per round `B` in dimension `d` (`rate · d` must be a positive integer).
    pub fn bits(self, d: usize) -> Result<usize> {
        let b = self.rate() * d as f64;
        if !(b >= 1.0 && b.fract() == 0.0 && b <= usize::MAX as f64) {
            bail!(
                "B = {} d = {b} is not a positive whole number of bits",
                self.rate()
            );
        }
        Ok(b as usize)
    }

    /// The per-coordinate Fisher information per round of the bound for this budget.
    pub fn bound_fisher(self, d: usize) -> Result<f64> {
        let cap = match self {
            Self::Unquantized => FisherCap::Unquantized,
            Self::Adaptive { .. } => FisherCap::BarnesOzgur {
                bits: self.bits(d)? as f64,
            },
        };
        Ok(cap.per_coordinate(d, SIGMA)?)
    }

    /// The quantizer in dimension `d`.
    pub fn quantizer(self, d: usize) -> Result<Box<dyn Quantizer>> {
        Ok(match self {
            Self::Unquantized => Box::new(Unquantized::new(d)?),
            Self::Adaptive { .. } => {
                Box::new(AdaptiveScheme::for_gaussian(d, self.bits(d)?, SIGMA)?)
            }
        })
    }

    /// `(s, I)`: a coordinate is described every `s` rounds with Fisher information `I/σ²` at
    /// the centre (`(1, 1)` unquantized).
    pub fn observation(self, d: usize) -> Result<(usize, f64)> {
        match self {
            Self::Unquantized => Ok((1, 1.0)),
            Self::Adaptive { .. } => {
                let a = AdaptiveScheme::for_gaussian(d, self.bits(d)?, SIGMA)?.allocation();
                let k = a.coordinates_per_round;
                if k == 0 || !d.is_multiple_of(k) {
                    bail!("{k} coordinates per round do not divide d = {d}");
                }
                Ok((d / k, a.information / k as f64))
            }
        }
    }
}

/// The constant gain of a pathway at drift `q`, and what its linearisation predicts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// Rounds between two descriptions of a coordinate, `s`.
    pub stride: usize,
    /// Filtered error right after a description, `P_f = P_∞(s q², I/σ²)`.
    pub filtered: f64,
    /// The Kalman gain `γ = P_f I/σ²` (the tracker's constant step).
    pub gain: f64,
    /// The error averaged over the `s` phases, `P_f + q²(s − 1)/2`.
    pub predicted: f64,
}

impl Tuning {
    /// The Kalman steady state of a coordinate observed every `stride` rounds with Fisher
    /// information `information/σ²`, under drift `q` per round.
    pub fn new(stride: usize, information: f64, q: f64) -> Result<Self> {
        let q2 = q * q;
        let fisher = information / (SIGMA * SIGMA);
        let filtered = bcrb_steady_state_mse(stride as f64 * q2, fisher)?;
        let gain = filtered * fisher;
        if !(gain > 0.0 && gain < 1.0) {
            bail!("the Kalman gain {gain} is outside (0, 1): is q = {q} positive?");
        }
        Ok(Self {
            stride,
            filtered,
            gain,
            predicted: filtered + q2 * (stride as f64 - 1.0) / 2.0,
        })
    }

    /// The tracker's time constant in rounds, `s/γ`.
    pub fn time_constant(&self) -> f64 {
        self.stride as f64 / self.gain
    }

    /// `(burn-in, total rounds)` for a window of `window_time_constants` time constants and
    /// at least `min_window` rounds.
    pub fn schedule(&self, window_time_constants: f64, min_window: u64) -> (u64, u64) {
        let tau = self.time_constant();
        let burn = ((BURN_IN_TIME_CONSTANTS * tau).ceil() as u64).max(10 * self.stride as u64);
        let window = ((window_time_constants * tau).ceil() as u64).max(min_window);
        (burn, burn + window)
    }
}

/// The mean of `‖x − θ_t‖²/d` over the rounds after `burn` of one tracking run.
fn run_trial(
    quantizer: &dyn Quantizer,
    d: usize,
    q: f64,
    gain: f64,
    (burn, rounds): (u64, u64),
    seed: u64,
) -> Result<f64> {
    let base = GaussianQuadratic::new(vec![0.0; d], SIGMA)?;
    let mut oracle = DriftingQuadratic::new(base, q)?;
    let mut rule = Sgd::new(vec![0.0; d], StepSchedule::constant(gain)?)?;
    let memory = Reduction::new(QueryPoint::Iterate)?;
    let budget = quantizer
        .bit_cost()
        .max_bits()
        .context("the pathways have bounded messages")?;
    let trace = run(
        &RunConfig::new(rounds, budget, seed)?,
        &mut oracle,
        quantizer,
        &mut rule,
        &memory,
    )?;
    window_mean(
        trace
            .samples
            .iter()
            .filter(|s| s.rounds > burn)
            .map(|s| s.dist2.map(|e| e / d as f64)),
    )
}

/// The mean of a window of recorded errors (all must be present).
fn window_mean(errors: impl Iterator<Item = Option<f64>>) -> Result<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for e in errors {
        sum += e.context("the oracle knows its minimizer")?;
        n += 1;
    }
    if n == 0 {
        bail!("the steady-state window is empty");
    }
    Ok(sum / n as f64)
}

/// One (pathway, `q`) point with the theory next to it.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    pathway: Pathway,
    q: f64,
    bits: usize,
    tuning: Tuning,
    /// `I`: the scheme's Fisher information per description, in units of `1/σ²`.
    information: f64,
    /// The bound's per-coordinate Fisher information per round.
    fisher: f64,
    tracking_mse: f64,
    tracking_mse_se: f64,
    bcrb_steady: f64,
    bcrb_unquantized: f64,
    rd_floor: f64,
}

impl Row {
    /// The larger of the two lower bounds.
    fn bound(&self) -> f64 {
        self.bcrb_steady.max(self.rd_floor)
    }

    fn ratio_to_bound(&self) -> f64 {
        self.tracking_mse / self.bound()
    }
}

impl Experiment for Drift {
    fn id(&self) -> &'static str {
        "drift"
    }

    fn required_metrics(&self) -> &'static [&'static str] {
        &["tracking_mse", "bcrb_steady", "rd_floor"]
    }

    fn run(&self, cx: &Context) -> Result<Outcome> {
        let sizes = Sizes::for_mode(cx.mode);
        let d = sizes.d;
        let pathways = Pathway::all();
        let seed = cx.seed_for("drift/trials");
        let bar = cx.bar(
            self.id(),
            (pathways.len() * DRIFTS.len()) as u64 * sizes.trials,
        );
        let mut rows = Vec::new();
        for &pathway in &pathways {
            let quantizer = pathway.quantizer(d)?;
            let (stride, information) = pathway.observation(d)?;
            let fisher = pathway.bound_fisher(d)?;
            for q in DRIFTS {
                bar.set_message(format!("{}, q = {q}", pathway.label()));
                let tuning = Tuning::new(stride, information, q)?;
                let schedule = tuning.schedule(sizes.window_time_constants, sizes.min_window);
                let means = monte_carlo(sizes.trials, seed, |_, s| {
                    let m = run_trial(quantizer.as_ref(), d, q, tuning.gain, schedule, s);
                    bar.inc(1);
                    m
                })?;
                let (tracking_mse, tracking_mse_se) = mean_and_se(&means);
                let q2 = q * q;
                rows.push(Row {
                    pathway,
                    q,
                    bits: pathway.bits(d)?,
                    tuning,
                    information,
                    fisher,
                    tracking_mse,
                    tracking_mse_se,
                    bcrb_steady: bcrb_steady_state_mse(q2, fisher)?,
                    bcrb_unquantized: bcrb_steady_state_mse(q2, 1.0 / (SIGMA * SIGMA))?,
                    rd_floor: sequential_rd_floor(q2, pathway.rate())?,
                });
            }
        }
        bar.finish_and_clear();

        let records = rows.iter().map(|r| record(self.id(), r, sizes)).collect();
        let table = results_table(&rows);
        let section = Section {
            id: self.id().into(),
            title: "Tracking a drifting minimizer with B bits per round".into(),
            source: "paper 000 (Kim 2026), Appendix E, as reconstructed in notes-000 §5.2 \
                     (formulas tagged [I]: only the abstract was read)"
                .into(),
            explanation: format!(
                "The minimizer of 1/2 ||x - theta_t||^2 takes a Gaussian random-walk step of size q per \
                 coordinate every round, and each gradient carries noise sigma = 1, so an optimizer can \
                 only track it with a steady error. Two limits apply per coordinate: the Bayesian \
                 Cramér–Rao steady state P_inf(q, F), where F is the Fisher information one round can \
                 carry (1/sigma^2 unquantized, min{{d, 2B ln 2}}/(d sigma^2) with B bits), and the \
                 sequential rate–distortion floor q^2/(2^(2B/d) - 1), which holds even for noise-free \
                 gradients. We run constant-gain trackers (the Kalman gain of each pathway's \
                 linearised model; d = {d}, {} trials) and average the error over a steady-state \
                 window. The figure plots the error against the bit rate B/d at three drifts, the \
                 unquantized tracker at its 64 bits per coordinate.",
                sizes.trials
            ),
            tables: vec![table.clone()],
            findings: findings(&rows, d),
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

fn record(id: &str, r: &Row, sizes: Sizes) -> Record {
    Record::new(id)
        .param("pathway", r.pathway.label())
        .param("q", r.q)
        .param("bits", r.bits as u64)
        .param("bits_per_coord", r.pathway.rate())
        .param("d", sizes.d as u64)
        .param("sigma", SIGMA)
        .param("trials", sizes.trials)
        .metric("tracking_mse", r.tracking_mse)
        .metric("tracking_mse_se", r.tracking_mse_se)
        .metric("bcrb_steady", r.bcrb_steady)
        .metric("bcrb_unquantized", r.bcrb_unquantized)
        .metric("rd_floor", r.rd_floor)
        .metric("bound", r.bound())
        .metric("ratio_to_bound", r.ratio_to_bound())
        .metric("predicted_mse", r.tuning.predicted)
        .metric("gain", r.tuning.gain)
}

fn results_table(rows: &[Row]) -> Table {
    let mut t = Table::new([
        "pathway",
        "q",
        "tracking mse",
        "BCRB",
        "RD floor",
        "mse / max(bounds)",
        "linearised prediction",
        "gain",
    ]);
    for r in rows {
        t.row([
            r.pathway.label(),
            format!("{}", r.q),
            format!("{:.4e} ± {:.1e}", r.tracking_mse, r.tracking_mse_se),
            format!("{:.4e}", r.bcrb_steady),
            format!("{:.3e}", r.rd_floor),
            format!("{:.3}", r.ratio_to_bound()),
            format!("{:.4e}", r.tuning.predicted),
            format!("{:.4}", r.tuning.gain),
        ]);
    }
    t
}

/// What a scheme sends: `"sign bits on every 4th coordinate"`, `"2-bit cells on every coordinate"`.
fn describe(stride: usize, information: f64) -> String {
    let what = if (information - std::f64::consts::FRAC_2_PI).abs() < 1e-12 {
        "sign bits".to_owned()
    } else {
        format!("Fisher-optimal cells, I = {information:.4}")
    };
    if stride == 1 {
        format!("{what} on every coordinate")
    } else {
        format!("{what} on each coordinate every {stride}th round")
    }
}

/// The rows of a pathway, in drift order.
fn of(rows: &[Row], p: Pathway) -> Vec<&Row> {
    rows.iter().filter(|r| r.pathway == p).collect()
}

fn findings(rows: &[Row], d: usize) -> Vec<String> {
    let mut f = Vec::new();
    for p in Pathway::all() {
        let mine = of(rows, p);
        let ratios = mine
            .iter()
            .map(|r| format!("{:.2} at q = {}", r.ratio_to_bound(), r.q))
            .collect::<Vec<_>>()
            .join(", ");
        let text = match p {
            Pathway::Unquantized => format!(
                "Unquantized Kalman tracker: tracking mse / BCRB = {ratios}. On this linear-Gaussian \
                 model the Kalman filter is the Bayes estimator, so it attains the BCRB."
            ),
            Pathway::Adaptive { rate } => {
                let (stride, info, cap) = mine.first().map_or((1, f64::NAN, f64::NAN), |r| {
                    (r.tuning.stride, r.information, r.fisher)
                });
                format!(
                    "Adaptive, B/d = {rate} ({}): mse / max(BCRB, RD floor) = {ratios}. For slow \
                     drift the error scales like q/sqrt(F), so the gap to the BCRB tends to \
                     sqrt(cap / what the scheme delivers per round) = sqrt({cap:.3} / \
                     ({info:.4}/{stride})) = {:.3}.",
                    describe(stride, info),
                    (cap / (info / stride as f64)).sqrt()
                )
            }
        };
        f.push(text);
    }
    // Where the rate–distortion floor takes over from the BCRB.
    let floors: Vec<String> = RATES
        .iter()
        .filter_map(|&rate| {
            of(rows, Pathway::Adaptive { rate })
                .into_iter()
                .find(|r| r.rd_floor > r.bcrb_steady)
                .map(|r| format!("from q = {} at B/d = {rate}", r.q))
        })
        .collect();
    if !floors.is_empty() {
        f.push(format!(
            "The rate–distortion floor exceeds the BCRB {}: there the limit is not the noise but \
             the bits, since even noise-free gradients cannot describe a random walk of step q \
             with B/d bits per coordinate more finely than q^2/(2^(2B/d) - 1).",
            floors.join(", ")
        ));
    }
    let linear: Vec<String> = RATES
        .iter()
        .map(|&rate| {
            let ratios: Vec<String> = of(rows, Pathway::Adaptive { rate })
                .iter()
                .map(|r| format!("{:.2}", r.tracking_mse / r.tuning.predicted))
                .collect();
            format!("B/d = {rate}: {}", ratios.join(", "))
        })
        .collect();
    f.push(format!(
        "Measured over the linearised prediction (each scheme's Kalman model, which treats a \
         decoded cell as a Gaussian observation of theta), for q = {}: {}. The linearisation \
         holds while the error is small next to sigma; at large drift the cells saturate (a sign \
         bit says only on which side of the centre the gradient fell) and the error grows beyond \
         it.",
        DRIFTS.map(|q| q.to_string()).join(", "),
        linear.join("; ")
    ));
    let sharper: Vec<String> = RATES
        .iter()
        .filter_map(|&rate| {
            let p = Pathway::Adaptive { rate };
            let r = of(rows, p).into_iter().next()?;
            let cap = FisherCap::RateDistortion {
                bits: r.bits as f64,
            }
            .per_coordinate(d, SIGMA)
            .ok()?;
            let delivered = r.information / r.tuning.stride as f64;
            Some(format!(
                "{:.3} at B/d = {rate} (gap {:.3})",
                cap,
                (cap / delivered).sqrt()
            ))
        })
        .collect();
    f.push(format!(
        "The Barnes–Özgür cap saturates at d for B >= 0.72 d, so at B/d = 1 and 2 the Fisher bound \
         does not see the bits at all. The notes' sharper cap d(1 - 4^(-B/d))/sigma^2 ([I]) gives \
         F = {}: with it the slow-drift gaps shrink accordingly.",
        sharper.join(", ")
    ));
    f
}

fn disagreements(rows: &[Row]) -> Vec<String> {
    let mut out = Vec::new();
    for r in rows {
        let tol = 3.0 * r.tracking_mse_se;
        if r.tracking_mse + tol < r.bound() {
            out.push(format!(
                "{} at q = {}: tracking mse {:.4e} ± {:.1e} is below the lower bound {:.4e}: a bug, \
                 or a bound that does not hold for this pathway.",
                r.pathway.label(),
                r.q,
                r.tracking_mse,
                r.tracking_mse_se,
                r.bound()
            ));
        }
        if r.pathway == Pathway::Unquantized
            && (r.tracking_mse - r.bcrb_steady).abs() > tol.max(0.02 * r.bcrb_steady)
        {
            out.push(format!(
                "unquantized at q = {}: the Kalman tracker's {:.4e} ± {:.1e} is not the BCRB \
                 {:.4e}, which it should attain.",
                r.q, r.tracking_mse, r.tracking_mse_se, r.bcrb_steady
            ));
        }
    }
    out
}

fn metric_docs() -> Vec<(String, String)> {
    [
        (
            "tracking_mse",
            "||x_(t+1) - theta_t||^2 / d after each round's update, averaged over the steady-state \
             window and the trials (tracking_mse_se: standard error over trials)",
        ),
        (
            "bcrb_steady",
            "BCRB steady state P_inf(q^2, F) with F = 1/sigma^2 (unquantized) or \
             min{d, 2B ln 2}/(d sigma^2) (B bits); bcrb_unquantized: the same with F = 1/sigma^2",
        ),
        (
            "rd_floor",
            "sequential rate–distortion floor q^2/(2^(2B/d) - 1) (B/d = 64 for f64 gradients)",
        ),
        ("bound", "max(bcrb_steady, rd_floor)"),
        ("ratio_to_bound", "tracking_mse / bound"),
        (
            "predicted_mse",
            "the scheme's linearised Kalman prediction P_f + q^2 (s - 1)/2, with P_f = \
             P_inf(s q^2, I(q)/sigma^2), s rounds between descriptions of a coordinate",
        ),
        (
            "gain",
            "the tracker's constant step, the Kalman gain P_f I(q)/sigma^2",
        ),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect()
}

/// Drifts drawn in the figure, one panel each.
const FIGURE_DRIFTS: [f64; 3] = [0.01, 0.1, 1.0];

/// Tracking error against `B/d` at a few drifts: the adaptive scheme at each rate, the
/// unquantized tracker at its 64 bits per coordinate, the BCRB under the Barnes–Özgür cap and
/// the rate–distortion floor (drawn down to a twentieth of the smallest measurement).
fn figure(rows: &[Row], d: usize) -> Result<Figure> {
    let dense: Vec<f64> = (0..=80)
        .map(|i| 0.1 * 640f64.powf(f64::from(i) / 80.0))
        .collect();
    let mut panels = Vec::new();
    for q in FIGURE_DRIFTS {
        let at_q: Vec<&Row> = rows.iter().filter(|r| r.q == q).collect();
        let floor_from = 0.05
            * at_q
                .iter()
                .map(|r| r.tracking_mse)
                .fold(f64::INFINITY, f64::min);
        let bcrb = dense
            .iter()
            .map(|&rate| {
                let fisher = FisherCap::BarnesOzgur {
                    bits: rate * d as f64,
                }
                .per_coordinate(d, SIGMA)?;
                Ok((rate, bcrb_steady_state_mse(q * q, fisher)?))
            })
            .collect::<Result<Vec<_>>>()?;
        let floor = dense
            .iter()
            .map(|&rate| Ok((rate, sequential_rd_floor(q * q, rate)?)))
            .filter(|p| p.as_ref().map_or(true, |&(_, v)| v >= floor_from))
            .collect::<Result<Vec<_>>>()?;
        let measured = |unquantized: bool| -> Vec<(f64, f64)> {
            at_q.iter()
                .filter(|r| (r.pathway == Pathway::Unquantized) == unquantized)
                .map(|r| (r.pathway.rate(), r.tracking_mse))
                .collect()
        };
        panels.push(Panel {
            title: format!("drift q = {q} per round (sigma = 1)"),
            x_label: "bits per coordinate per round, B/d".into(),
            y_label: "tracking mse per coordinate".into(),
            log_x: true,
            log_y: true,
            series: vec![
                Series::new("adaptive scheme", measured(false), Style::Markers, 1),
                Series::new(
                    "unquantized Kalman (f64)",
                    measured(true),
                    Style::Markers,
                    0,
                ),
                Series::new("BCRB, F = min{d, 2B ln 2}/d", bcrb, Style::Dashed, 0),
                Series::new("RD floor q^2/(2^(2B/d) - 1)", floor, Style::Dashed, 2),
            ],
        });
    }
    Ok(Figure { panels, columns: 3 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquantized_gain_is_the_kalman_gain_and_predicts_the_bcrb() {
        let t = Tuning::new(1, 1.0, 0.3).unwrap();
        let p = bcrb_steady_state_mse(0.09, 1.0).unwrap();
        assert_eq!(t.predicted, p);
        assert_eq!(t.gain, p); // K = P_inf F with F = 1
        // Kalman: K = P^-/(P^- + sigma^2) with P^- = P + q^2.
        assert!((t.gain - (p + 0.09) / (p + 0.09 + 1.0)).abs() < 1e-15);
    }

    #[test]
    fn round_robin_prediction_adds_the_drift_between_descriptions() {
        let t = Tuning::new(4, 2.0 / std::f64::consts::PI, 0.1).unwrap();
        let pf = bcrb_steady_state_mse(4.0 * 0.01, 2.0 / std::f64::consts::PI).unwrap();
        assert_eq!(t.filtered, pf);
        assert!((t.predicted - (pf + 0.01 * 1.5)).abs() < 1e-15);
        assert!((t.time_constant() - 4.0 / t.gain).abs() < 1e-12);
    }

    #[test]
    fn zero_drift_has_no_tracker() {
        assert!(Tuning::new(1, 1.0, 0.0).is_err());
    }

    #[test]
    fn schedule_burns_in_and_keeps_a_window_of_time_constants() {
        let t = Tuning::new(1, 1.0, 0.01).unwrap(); // gain ~ 0.01, tau ~ 100
        let (burn, total) = t.schedule(50.0, 10);
        let tau = t.time_constant();
        assert_eq!(burn, (6.0 * tau).ceil() as u64);
        assert_eq!(total - burn, (50.0 * tau).ceil() as u64);
        // A fast tracker still gets the minimum window.
        let fast = Tuning::new(1, 1.0, 1.0).unwrap();
        let (burn, total) = fast.schedule(50.0, 2000);
        assert_eq!(total - burn, 2000);
        assert_eq!(burn, 10);
    }

    #[test]
    fn pathways_map_to_their_schemes_and_caps() {
        let d = 16;
        assert_eq!(Pathway::Unquantized.observation(d).unwrap(), (1, 1.0));
        assert_eq!(Pathway::Unquantized.bound_fisher(d).unwrap(), 1.0);
        // B = d/4: sign bits on 4 coordinates, every 4th round; cap 2 B ln 2 / d.
        let quarter = Pathway::Adaptive { rate: 0.25 };
        let (s, i) = quarter.observation(d).unwrap();
        assert_eq!(s, 4);
        assert!((i - 2.0 / std::f64::consts::PI).abs() < 1e-15);
        let cap = quarter.bound_fisher(d).unwrap();
        assert!((cap - 0.5 * std::f64::consts::LN_2).abs() < 1e-15);
        // B = 2d: two bits on every coordinate; the cap saturates at 1/sigma^2.
        let two = Pathway::Adaptive { rate: 2.0 };
        let (s, i) = two.observation(d).unwrap();
        assert_eq!(s, 1);
        assert!(i > 0.88 && i < 0.89);
        assert_eq!(two.bound_fisher(d).unwrap(), 1.0);
        for p in Pathway::all() {
            let q = p.quantizer(d).unwrap();
            assert_eq!(q.bit_cost().max_bits(), Some(p.bits(d).unwrap()));
        }
    }

    #[test]
    fn fractional_budgets_are_rejected() {
        assert!(Pathway::Adaptive { rate: 0.25 }.bits(6).is_err());
    }

    #[test]
    fn window_mean_averages_and_rejects_missing_or_empty() {
        assert_eq!(
            window_mean([Some(1.0), Some(3.0)].into_iter()).unwrap(),
            2.0
        );
        assert!(window_mean([Some(1.0), None].into_iter()).is_err());
        assert!(window_mean(std::iter::empty()).is_err());
    }

    #[test]
    fn sizes_suit_every_pathway() {
        for mode in [Mode::Quick, Mode::Default, Mode::Full] {
            let d = Sizes::for_mode(mode).d;
            for p in Pathway::all() {
                assert!(p.observation(d).is_ok(), "{mode:?} {p:?}");
            }
        }
    }

    #[test]
    fn kalman_tracker_reaches_the_bcrb_steady_state() {
        // A small run of the unquantized pathway; tolerance: 5 standard errors over trials.
        let (d, q) = (8, 0.3);
        let t = Tuning::new(1, 1.0, q).unwrap();
        let schedule = t.schedule(200.0, 400);
        let quantizer = Pathway::Unquantized.quantizer(d).unwrap();
        let means = monte_carlo(16, 7, |_, s| {
            run_trial(quantizer.as_ref(), d, q, t.gain, schedule, s)
        })
        .unwrap();
        let (m, se) = mean_and_se(&means);
        let p = bcrb_steady_state_mse(q * q, 1.0).unwrap();
        assert!((m - p).abs() < 5.0 * se, "{m} ± {se} vs {p}");
        // The predicted error before the update, P + q^2, is far outside that tolerance.
        assert!((m - (p + q * q)).abs() > 5.0 * se);
    }
}
