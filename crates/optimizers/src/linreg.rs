//! One-pass minibatch SGD for linear regression with quantized data, labels, parameters,
//! activations and output gradients (Zhang, Zou & Su, arXiv 2510.18259; notes-algorithms §4.2,
//! [SRC-secondary]).
//!
//! On a batch `(X_t, y_t)` of `b` fresh samples (`X_t` is `b x d`, one sample per row) the
//! update with constant step `gamma` is
//!
//! ```text
//! w_t = w_{t-1} + gamma (1/b) Q_d(X_t)' Q_o( Q_l(y_t) - Q_a( Q_d(X_t) Q_p(w_{t-1}) ) ),
//! ```
//!
//! `t = 1, ..., T = N/b`, and the output is the average `w_bar_T = (1/T) sum_{t=1..T} w_t` (the
//! same Polyak–Ruppert convention as [`crate::Sgd`]). The five operators are
//!
//! | paper | target | applied to | code |
//! |---|---|---|---|
//! | `Q_d` | data | each sample `x_k` (a `d`-vector), once per step, used in both products | [`Target::Data`] |
//! | `Q_l` | labels | the batch labels `y_t` (a `b`-vector) | [`Target::Labels`] |
//! | `Q_p` | parameters | `w_{t-1}` inside the forward product only | [`Target::Parameters`] |
//! | `Q_a` | activations | the predictions `Q_d(X_t) Q_p(w_{t-1})` (a `b`-vector) | [`Target::Activations`] |
//! | `Q_o` | output gradients | the residual `Q_l(y_t) - Q_a(...)` (a `b`-vector) | [`Target::Gradients`] |
//!
//! Each operator is optional and is a real [`Quantizer`]: the vector is encoded into bits and
//! decoded from the bits alone, so every bit is counted ([`TargetStats`]). Parameter
//! quantization touches only the forward product: a full-precision copy of `w` takes the update
//! (a reviewer's restatement of the paper's algorithm [SRC-secondary]). The paper's two noise
//! models are realised by [`quantizers::AdditiveQuantizer`] (INT-b, constant step: covariance at
//! most `eps I`) and [`quantizers::Multiplicative`] (a float grid with `m` mantissa bits:
//! covariance at most `eps diag(u_i^2)`, the coordinate-wise form of the paper's rank-one
//! `eps u u'`), but any scheme of the right dimension can be plugged in.
//!
//! This is a *data-quantization* method, not a message-passing one: the quantized vectors are
//! the operands of one machine's arithmetic, not messages between a worker and a server, so it
//! does not go through the round loop ([`crate::run`]) and has no per-round budget. Randomness
//! follows [`RunStreams`]: data from the oracle stream (so runs with different quantizers see the
//! same samples for the same seed), stochastic rounding from the private stream, and public
//! coins keyed by `(public seed of the target, step, row)`.
//!
//! ```
//! use optimizers::linreg::{LinregSgd, Target, TargetQuantizers};
//! use oracles::LinearRegression;
//! use quantizers::AdditiveQuantizer;
//!
//! // d = 20, a = 2, w* = 1, s = 1; batches of 4; INT8 labels with step 1/16.
//! let oracle = LinearRegression::new(vec![1.0; 20], 2.0, 1.0, 4)?;
//! let q = TargetQuantizers::none().with(Target::Labels, Box::new(AdditiveQuantizer::new(4, 1.0 / 16.0, 8)?));
//! let mut sgd = LinregSgd::new(vec![0.0; 20], 0.2, 4, q)?;
//! sgd.run(&oracle, 500, 7)?;
//! let risk = oracle.excess_risk(sgd.averaged().ok_or("no update")?)?;
//! assert!(risk < 0.2, "{risk}"); // about 0.8 at w = 0
//! assert_eq!(sgd.stats(Target::Labels).bits, 500 * 4 * 8);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bitcodec::{BitReader, BitWriter};
use ndarray::{Array2, ArrayView1, ArrayView2};
use oracles::{LinearRegression, Oracle};
use quantizers::{Input, PublicState, Quantizer, splitmix64};
use rand::RngCore;

use crate::error::{check_dim, check_point, check_positive};
use crate::rule::Averager;
use crate::{OptError, RunStreams};

/// One of the five quantization targets of paper 003.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// The features `X_t` (`Q_d`), one `d`-vector per sample.
    Data,
    /// The labels `y_t` (`Q_l`), one `b`-vector per step.
    Labels,
    /// The parameters in the forward product (`Q_p`), one `d`-vector per step.
    Parameters,
    /// The predictions `X w` (`Q_a`), one `b`-vector per step.
    Activations,
    /// The residual, the "output gradient" (`Q_o`), one `b`-vector per step.
    Gradients,
}

impl Target {
    /// The five targets in the paper's order.
    pub const ALL: [Target; 5] = [
        Target::Data,
        Target::Labels,
        Target::Parameters,
        Target::Activations,
        Target::Gradients,
    ];

    /// A lowercase name for reports (`data`, `labels`, `parameters`, `activations`, `gradients`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Data => "data",
            Target::Labels => "labels",
            Target::Parameters => "parameters",
            Target::Activations => "activations",
            Target::Gradients => "gradients",
        }
    }

    /// The paper's operator symbol (`Q_d`, `Q_l`, `Q_p`, `Q_a`, `Q_o`).
    pub fn symbol(self) -> &'static str {
        match self {
            Target::Data => "Q_d",
            Target::Labels => "Q_l",
            Target::Parameters => "Q_p",
            Target::Activations => "Q_a",
            Target::Gradients => "Q_o",
        }
    }

    /// Position in [`Target::ALL`].
    pub fn index(self) -> usize {
        match self {
            Target::Data => 0,
            Target::Labels => 1,
            Target::Parameters => 2,
            Target::Activations => 3,
            Target::Gradients => 4,
        }
    }

    /// Whether the target's vectors have the model dimension `d` (data, parameters) rather
    /// than the batch size `b`.
    pub fn is_model_sized(self) -> bool {
        matches!(self, Target::Data | Target::Parameters)
    }
}

/// The quantizer of each target; a missing one leaves its target in full precision.
#[derive(Debug, Default)]
pub struct TargetQuantizers {
    slots: [Option<Box<dyn Quantizer>>; 5],
}

impl TargetQuantizers {
    /// No quantization anywhere: plain averaged minibatch SGD.
    pub fn none() -> Self {
        Self::default()
    }

    /// The same set with `q` on `target` (replacing any earlier one). Its dimension must be
    /// `d` for data and parameters and `b` for the others; [`LinregSgd::new`] checks.
    pub fn with(mut self, target: Target, q: Box<dyn Quantizer>) -> Self {
        if let Some(slot) = self.slots.get_mut(target.index()) {
            *slot = Some(q);
        }
        self
    }

    /// The quantizer of `target`, if any.
    pub fn get(&self, target: Target) -> Option<&dyn Quantizer> {
        self.slots.get(target.index()).and_then(|s| s.as_deref())
    }
}

/// What one target's quantizer did over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TargetStats {
    /// Messages encoded (one per sample for data, one per step for the others).
    pub messages: u64,
    /// Bits written in all.
    pub bits: u64,
    /// Coordinates clipped to a quantizer's range (saturating schemes only).
    pub clipped: u64,
}

/// Averaged minibatch SGD on linear regression with quantized targets (module docs).
#[derive(Debug)]
pub struct LinregSgd {
    w: Vec<f64>,
    average: Averager,
    gamma: f64,
    batch: usize,
    quantizers: TargetQuantizers,
    stats: [TargetStats; 5],
    updates: u64,
    // Scratch, sized once: nothing is allocated per step.
    xq: Array2<f64>,
    row: Vec<f64>,
    wq: Vec<f64>,
    act_in: Vec<f64>,
    act: Vec<f64>,
    yq: Vec<f64>,
    res_in: Vec<f64>,
    res: Vec<f64>,
    dir: Vec<f64>,
    writer: BitWriter,
}

/// The randomness of one step: the private stream for stochastic rounding and the public seed
/// from which each target's coins are keyed.
pub struct StepRandomness<'r> {
    /// Private encoder randomness (stochastic rounding).
    pub private: &'r mut dyn RngCore,
    /// The run's public seed ([`RunStreams::public_seed`]).
    pub public_seed: u64,
    /// The step index `t - 1` (keys the public coins).
    pub step: u64,
}

impl LinregSgd {
    /// SGD from `w0` (non-empty, finite) with constant step `step > 0`, batches of `batch >= 1`
    /// samples, and `quantizers` whose dimensions are `d = w0.len()` for data and parameters
    /// and `batch` for labels, activations and gradients.
    pub fn new(
        w0: Vec<f64>,
        step: f64,
        batch: usize,
        quantizers: TargetQuantizers,
    ) -> Result<Self, OptError> {
        check_point("w0", &w0)?;
        check_positive("step gamma", step)?;
        if batch == 0 || u32::try_from(batch).is_err() {
            return Err(OptError::InvalidParameter(format!(
                "batch size must be in 1..=2^32 - 1, got {batch}"
            )));
        }
        let d = w0.len();
        for target in Target::ALL {
            if let Some(q) = quantizers.get(target) {
                let (what, expected) = if target.is_model_sized() {
                    (target_quantizer_name(target), d)
                } else {
                    (target_quantizer_name(target), batch)
                };
                check_dim(what, expected, q.dim())?;
            }
        }
        let width = d.max(batch);
        Ok(Self {
            average: Averager::new(d),
            gamma: step,
            batch,
            quantizers,
            stats: [TargetStats::default(); 5],
            updates: 0,
            xq: Array2::zeros((batch, d)),
            row: vec![0.0; d],
            wq: vec![0.0; d],
            act_in: vec![0.0; batch],
            act: vec![0.0; batch],
            yq: vec![0.0; batch],
            res_in: vec![0.0; batch],
            res: vec![0.0; batch],
            dir: vec![0.0; d],
            writer: BitWriter::with_capacity(64 * width),
            w: w0,
        })
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.w.len()
    }

    /// The batch size `b`.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The constant step `gamma`.
    pub fn step_size(&self) -> f64 {
        self.gamma
    }

    /// The full-precision iterate `w_t`.
    pub fn iterate(&self) -> &[f64] {
        &self.w
    }

    /// The average `w_bar_t = (1/t) sum_{s=1..t} w_s`, or `None` before the first step.
    pub fn averaged(&self) -> Option<&[f64]> {
        self.average.mean()
    }

    /// Steps taken so far.
    pub fn updates(&self) -> u64 {
        self.updates
    }

    /// The quantizers.
    pub fn quantizers(&self) -> &TargetQuantizers {
        &self.quantizers
    }

    /// Bits and clips of one target so far.
    pub fn stats(&self, target: Target) -> TargetStats {
        self.stats.get(target.index()).copied().unwrap_or_default()
    }

    /// Bits written over all targets so far.
    pub fn total_bits(&self) -> u64 {
        self.stats.iter().map(|s| s.bits).sum()
    }

    /// Runs `steps >= 1` steps on fresh batches from `oracle` (its own batch size is ignored;
    /// this method's `b` is used), with all randomness derived from `seed` as in
    /// [`RunStreams`]: batches from `oracle(0)`, rounding from `private(0)`, coins from
    /// `public_seed()`.
    pub fn run(
        &mut self,
        oracle: &LinearRegression,
        steps: u64,
        seed: u64,
    ) -> Result<(), OptError> {
        if steps == 0 {
            return Err(OptError::InvalidParameter(
                "a run needs at least one step".into(),
            ));
        }
        check_dim("oracle", self.dim(), oracle.dim())?;
        let streams = RunStreams::new(seed);
        let mut data_rng = streams.oracle(0);
        let mut private = streams.private(0);
        let public_seed = streams.public_seed();
        for t in 0..steps {
            let (x, y) = oracle.sample_batch(self.batch, &mut data_rng)?;
            let mut rand = StepRandomness {
                private: &mut private,
                public_seed,
                step: t,
            };
            self.step(x.view(), y.view(), &mut rand)?;
        }
        Ok(())
    }

    /// One step on the batch `(x, y)`: `x` is `b x d` (one sample per row), `y` has `b`
    /// labels, all finite. On error the iterate and the average are unchanged, except for
    /// [`OptError::Diverged`], which reports the step whose update left the finite numbers.
    pub fn step(
        &mut self,
        x: ArrayView2<'_, f64>,
        y: ArrayView1<'_, f64>,
        rand: &mut StepRandomness<'_>,
    ) -> Result<(), OptError> {
        let (b, d) = (self.batch, self.dim());
        check_dim("batch rows", b, x.nrows())?;
        check_dim("batch columns", d, x.ncols())?;
        check_dim("labels", b, y.len())?;
        if x.iter().chain(y.iter()).any(|v| !v.is_finite()) {
            return Err(OptError::InvalidParameter(
                "the batch has a non-finite value".into(),
            ));
        }
        let t = rand.step;

        // Q_d: each sample once; the quantized batch serves both products.
        let data_quantized = match self.quantizers.get(Target::Data) {
            Some(q) => {
                let stats = slot(&mut self.stats, Target::Data);
                for (k, (src, mut dst)) in x.rows().into_iter().zip(self.xq.rows_mut()).enumerate()
                {
                    // Rows of a standard-layout batch are contiguous; copy a strided one.
                    let input: &[f64] = match src.to_slice() {
                        Some(s) => s,
                        None => {
                            for (r, v) in self.row.iter_mut().zip(src.iter()) {
                                *r = *v;
                            }
                            &self.row
                        }
                    };
                    let out = dst.as_slice_mut().ok_or_else(|| {
                        OptError::InvalidParameter("internal batch buffer is not contiguous".into())
                    })?;
                    let state = coins(rand.public_seed, Target::Data, t, k);
                    quantize(q, input, out, &state, rand.private, &mut self.writer, stats)?;
                }
                true
            }
            None => false,
        };
        let xs = if data_quantized { self.xq.view() } else { x };

        // Q_p: inside the forward product only.
        let wf: &[f64] = match self.quantizers.get(Target::Parameters) {
            Some(q) => {
                let state = coins(rand.public_seed, Target::Parameters, t, 0);
                let stats = slot(&mut self.stats, Target::Parameters);
                quantize(
                    q,
                    &self.w,
                    &mut self.wq,
                    &state,
                    rand.private,
                    &mut self.writer,
                    stats,
                )?;
                &self.wq
            }
            None => &self.w,
        };

        // Q_a: the predictions.
        for (a, row) in self.act_in.iter_mut().zip(xs.rows()) {
            *a = row.iter().zip(wf).fold(0.0, |acc, (xi, wi)| acc + xi * wi);
        }
        let act: &[f64] = match self.quantizers.get(Target::Activations) {
            Some(q) => {
                let state = coins(rand.public_seed, Target::Activations, t, 0);
                let stats = slot(&mut self.stats, Target::Activations);
                quantize(
                    q,
                    &self.act_in,
                    &mut self.act,
                    &state,
                    rand.private,
                    &mut self.writer,
                    stats,
                )?;
                &self.act
            }
            None => &self.act_in,
        };

        // Q_l: the labels.
        let labels: &[f64] = match (self.quantizers.get(Target::Labels), y.to_slice()) {
            (Some(q), Some(ys)) => {
                let state = coins(rand.public_seed, Target::Labels, t, 0);
                let stats = slot(&mut self.stats, Target::Labels);
                quantize(
                    q,
                    ys,
                    &mut self.yq,
                    &state,
                    rand.private,
                    &mut self.writer,
                    stats,
                )?;
                &self.yq
            }
            (Some(q), None) => {
                for (r, v) in self.res_in.iter_mut().zip(y.iter()) {
                    *r = *v;
                }
                let state = coins(rand.public_seed, Target::Labels, t, 0);
                let stats = slot(&mut self.stats, Target::Labels);
                quantize(
                    q,
                    &self.res_in,
                    &mut self.yq,
                    &state,
                    rand.private,
                    &mut self.writer,
                    stats,
                )?;
                &self.yq
            }
            (None, _) => {
                for (r, v) in self.yq.iter_mut().zip(y.iter()) {
                    *r = *v;
                }
                &self.yq
            }
        };

        // Q_o: the residual (the output gradient).
        for ((r, yk), ak) in self.res_in.iter_mut().zip(labels).zip(act) {
            *r = yk - ak;
        }
        let res: &[f64] = match self.quantizers.get(Target::Gradients) {
            Some(q) => {
                let state = coins(rand.public_seed, Target::Gradients, t, 0);
                let stats = slot(&mut self.stats, Target::Gradients);
                quantize(
                    q,
                    &self.res_in,
                    &mut self.res,
                    &state,
                    rand.private,
                    &mut self.writer,
                    stats,
                )?;
                &self.res
            }
            None => &self.res_in,
        };

        // dir = (1/b) X' r, accumulated sample by sample in the order (and with the same
        // association) as the oracle's batch gradient, so that without quantizers this is
        // bit for bit the SGD step on `LinearRegression::gradient`.
        let inv_b = 1.0 / b as f64;
        self.dir.fill(0.0);
        for (rk, row) in res.iter().zip(xs.rows()) {
            let c = inv_b * rk;
            for (o, v) in self.dir.iter_mut().zip(row.iter()) {
                *o += c * v;
            }
        }
        if self.dir.iter().any(|v| !v.is_finite()) {
            return Err(OptError::Diverged { round: t });
        }
        for (wi, gi) in self.w.iter_mut().zip(&self.dir) {
            *wi += self.gamma * gi;
        }
        if self.w.iter().any(|v| !v.is_finite()) {
            return Err(OptError::Diverged { round: t });
        }
        self.updates += 1;
        self.average.push(&self.w);
        Ok(())
    }
}

fn target_quantizer_name(target: Target) -> &'static str {
    match target {
        Target::Data => "data quantizer Q_d",
        Target::Labels => "label quantizer Q_l",
        Target::Parameters => "parameter quantizer Q_p",
        Target::Activations => "activation quantizer Q_a",
        Target::Gradients => "output-gradient quantizer Q_o",
    }
}

fn slot(stats: &mut [TargetStats; 5], target: Target) -> &mut TargetStats {
    // `index()` is below 5 by construction; the fallback keeps the code panic-free.
    let i = target.index().min(4);
    &mut stats[i]
}

/// The public state of one message: the target's own public seed, the step as the round, the
/// row within the batch as the worker (so rows of one step never share coins).
fn coins(public_seed: u64, target: Target, step: u64, row: usize) -> PublicState<'static> {
    PublicState::new(splitmix64(public_seed ^ (target.index() as u64 + 1)))
        .with_round(step)
        .with_worker(row as u32)
}

/// Encodes `input` with `q`, decodes the bits into `out`, and counts them.
fn quantize(
    q: &dyn Quantizer,
    input: &[f64],
    out: &mut [f64],
    state: &PublicState<'_>,
    rng: &mut dyn RngCore,
    writer: &mut BitWriter,
    stats: &mut TargetStats,
) -> Result<(), OptError> {
    writer.reset(q.bit_cost().max_bits());
    let written = q.encode(Input::F64(input), state, rng, writer)?;
    let mut reader = BitReader::new(writer.as_words(), writer.len());
    q.decode(&mut reader, state, out)?;
    stats.messages += 1;
    stats.bits += writer.len() as u64;
    stats.clipped += written.clipped as u64;
    Ok(())
}
