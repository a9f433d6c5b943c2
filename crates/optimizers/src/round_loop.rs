//! The round loop: the only place a message crosses from a worker to the server.
//!
//! One round `t` of the single-worker loop (paper 000 §1.3, the B-bit protocol):
//! 1. the worker memory picks the query `x_t` (the server's broadcast iterate, or its own point
//!    for DQ-GD) and the oracle draws `g_t` from the oracle-noise stream;
//! 2. the memory forms the quantizer input; the encoder writes it into a
//!    [`BitWriter::with_capacity`]`(B)` under the public state `(seed, t, worker, centre)` with
//!    the private stream; a message over `B` bits is [`OptError::BudgetExceeded`] naming the round;
//! 3. the message is recorded in the [`Transcript`] and decoded **from the bits alone** (the
//!    decoder sees the bit string, the public state and nothing else);
//! 4. the worker memory absorbs its own decoded message, the server memory turns it into
//!    `g_hat_t`, and the [`UpdateRule`] moves to `x_{t+1}`;
//! 5. metrics are recorded (on the configured rounds), observers see the round, and the oracle
//!    advances (for time-varying problems).
//!
//! Before the first round, [`run`] rejects a configuration whose parts disagree on the dimension,
//! a budget below the scheme's declared maximum message length, a non-positive or non-finite
//! first step, and a memory that cannot run with the rule. The multi-worker methods send every
//! message through the same channel code, so the budget, the transcript and bits-only decoding
//! are enforced in one place.
//!
//! ```
//! use optimizers::{run, NoMemory, RunConfig, Sgd, StepSchedule};
//! use oracles::GaussianQuadratic;
//! use quantizers::Unquantized;
//!
//! let mut oracle = GaussianQuadratic::new(vec![1.0, -1.0], 0.5)?;
//! let mut sgd = Sgd::new(vec![0.0; 2], StepSchedule::inverse_time(1.0, 0.0)?)?;
//! let trace = run(&RunConfig::new(100, 128, 7)?, &mut oracle, &Unquantized::new(2)?, &mut sgd, &NoMemory)?;
//! assert_eq!(trace.total_bits(), 100 * 128);
//! assert!(trace.last_sample().and_then(|s| s.dist2).unwrap() < 0.1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use bitcodec::{BitReader, BitWriter, CodecError, Direction, Transcript};
use oracles::Oracle;
use quantizers::{Input, PublicState, QuantError, Quantizer};
use rand::RngCore;

use crate::error::check_dim;
use crate::memory::RoundContext;
use crate::observer::{NoObserver, Observer, RoundRecord};
use crate::trace::{Sample, Trace};
use crate::{Memory, OptError, RunStreams, UpdateRule};

/// The parameters of a single-worker run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunConfig {
    rounds: u64,
    budget: usize,
    seed: u64,
    keep_messages: bool,
    record_every: u64,
}

impl RunConfig {
    /// `rounds >= 1` rounds with at most `budget_bits >= 1` bits per uplink message; all
    /// randomness derives from `seed` ([`RunStreams`]). Metrics are recorded every round and
    /// message contents are not kept, unless changed.
    pub fn new(rounds: u64, budget_bits: usize, seed: u64) -> Result<Self, OptError> {
        if rounds == 0 {
            return Err(OptError::InvalidParameter(
                "a run needs at least one round".into(),
            ));
        }
        if budget_bits == 0 {
            return Err(OptError::InvalidParameter(
                "the budget must allow at least one bit per message".into(),
            ));
        }
        Ok(Self {
            rounds,
            budget: budget_bits,
            seed,
            keep_messages: false,
            record_every: 1,
        })
    }

    /// Also keep every message's bits in the transcript.
    pub fn keeping_messages(mut self) -> Self {
        self.keep_messages = true;
        self
    }

    /// Record metrics every `every >= 1` rounds (and always at round 0 and after the last).
    pub fn recording_every(mut self, every: u64) -> Result<Self, OptError> {
        if every == 0 {
            return Err(OptError::InvalidParameter(
                "metrics must be recorded every k >= 1 rounds".into(),
            ));
        }
        self.record_every = every;
        Ok(self)
    }

    /// Rounds `T`.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// Bits per uplink message `B`.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The run seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether message contents are kept.
    pub fn keeps_messages(&self) -> bool {
        self.keep_messages
    }

    /// The recording period.
    pub fn record_every(&self) -> u64 {
        self.record_every
    }
}

/// Runs the single-worker loop without observers. See [`run_observed`].
pub fn run(
    config: &RunConfig,
    oracle: &mut dyn Oracle,
    quantizer: &dyn Quantizer,
    rule: &mut dyn UpdateRule,
    memory: &dyn Memory,
) -> Result<Trace, OptError> {
    run_observed(config, oracle, quantizer, rule, memory, &mut NoObserver)
}

/// Runs `config.rounds()` rounds of the B-bit loop (module docs) and returns the [`Trace`];
/// `observer` sees every round.
pub fn run_observed(
    config: &RunConfig,
    oracle: &mut dyn Oracle,
    quantizer: &dyn Quantizer,
    rule: &mut dyn UpdateRule,
    memory: &dyn Memory,
    observer: &mut dyn Observer,
) -> Result<Trace, OptError> {
    let d = oracle.dim();
    check_setup(d, config.budget, quantizer, rule, memory)?;
    let streams = RunStreams::new(config.seed);
    let mut oracle_rng = streams.oracle(0);
    let mut private_rng = streams.private(0);
    let public_seed = streams.public_seed();
    let mut worker = memory.worker(rule);
    let mut server = memory.server(rule);
    let mut channel = Channel::new(config.keep_messages);
    let (mut query, mut grad, mut decoded) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    let capacity = usize::try_from(config.rounds)
        .unwrap_or(usize::MAX)
        .min(1 << 20);
    let mut clipped = Vec::with_capacity(capacity);
    let mut samples = vec![sample(oracle, rule.estimate(), 0)?];

    observer.start(config.rounds);
    for t in 0..config.rounds {
        let ctx = RoundContext {
            round: t,
            worker: 0,
            step: checked_step(rule, t)?,
        };
        worker.query_point(rule.iterate(), &mut query)?;
        oracle.gradient(&query, &mut oracle_rng, &mut grad)?;
        let input = worker.input(&query, &grad, &ctx)?;
        let state = PublicState {
            seed: public_seed,
            round: t,
            worker: 0,
            centre: server.centre(rule.iterate()),
        };
        let support = quantizer.support(&state);
        let delivery = channel.send(
            quantizer,
            input,
            &state,
            &mut private_rng,
            Some(config.budget),
            Direction::Uplink,
            &mut decoded,
        )?;
        worker.feedback(&decoded, &ctx)?;
        let g_hat = server.estimate(&decoded, rule.iterate(), &ctx)?;
        rule.update(g_hat, support.as_deref())?;
        if rule.iterate().iter().any(|v| !v.is_finite()) {
            return Err(OptError::Diverged { round: t });
        }
        clipped.push(delivery.clipped);
        let done = t + 1;
        if done % config.record_every == 0 || done == config.rounds {
            samples.push(sample(oracle, rule.estimate(), done)?);
        }
        let recorded = samples.last().filter(|s| s.rounds == done);
        observer.observe(&RoundRecord {
            round: t,
            bits: delivery.bits,
            clipped: delivery.clipped,
            support: support.as_deref(),
            query: &query,
            gradient: &grad,
            decoded: &decoded,
            g_hat,
            iterate: rule.iterate(),
            estimate: rule.estimate(),
            memory: worker.view(),
            sample: recorded,
        });
        oracle.advance(&mut oracle_rng)?;
    }
    observer.finish();
    Ok(Trace {
        rounds: config.rounds,
        samples,
        clipped,
        final_iterate: rule.iterate().to_vec(),
        averaged_iterate: rule.averaged().map(<[f64]>::to_vec),
        transcript: channel.into_transcript(),
    })
}

/// The checks a single-worker run makes before its first round.
fn check_setup(
    d: usize,
    budget: usize,
    quantizer: &dyn Quantizer,
    rule: &dyn UpdateRule,
    memory: &dyn Memory,
) -> Result<(), OptError> {
    check_dim("quantizer", d, quantizer.dim())?;
    check_dim("update rule", d, rule.dim())?;
    check_dim("update rule iterate", d, rule.iterate().len())?;
    crate::error::check_point("starting point", rule.iterate())?;
    check_budget(budget, quantizer)?;
    checked_step(rule, 0)?;
    memory.check(rule, 1)
}

/// A budget below a bounded scheme's longest message can never work.
pub(crate) fn check_budget(budget: usize, quantizer: &dyn Quantizer) -> Result<(), OptError> {
    match quantizer.bit_cost().max_bits() {
        Some(needed) if needed > budget => Err(OptError::BudgetTooSmall {
            scheme: quantizer.name(),
            needed,
            budget,
        }),
        _ => Ok(()),
    }
}

/// The rule's next step, checked.
pub(crate) fn checked_step(rule: &dyn UpdateRule, round: u64) -> Result<Option<f64>, OptError> {
    match rule.step_size() {
        Some(eta) if !(eta.is_finite() && eta > 0.0) => Err(OptError::InvalidParameter(format!(
            "round {round}: {} has step {eta}; steps must be positive and finite",
            rule.name()
        ))),
        step => Ok(step),
    }
}

/// The metrics of `x` against the oracle's current minimizer and optimal value.
pub(crate) fn sample(oracle: &dyn Oracle, x: &[f64], rounds: u64) -> Result<Sample, OptError> {
    let dist2 = oracle
        .minimizer()
        .filter(|m| m.len() == x.len())
        .map(|m| x.iter().zip(m).map(|(a, b)| (a - b) * (a - b)).sum());
    let gap = match oracle.optimal_value() {
        Some(f_star) => Some(oracle.value(x)? - f_star),
        None => None,
    };
    Ok(Sample { rounds, dist2, gap })
}

/// What one transmission cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Delivery {
    /// Bits of the message.
    pub(crate) bits: usize,
    /// Coordinates the encoder clipped.
    pub(crate) clipped: usize,
}

/// The link every message crosses: encode under a capacity, record, decode from the bits.
#[derive(Debug)]
pub(crate) struct Channel {
    writer: BitWriter,
    transcript: Transcript,
}

impl Channel {
    pub(crate) fn new(keep_messages: bool) -> Self {
        Self {
            writer: BitWriter::new(),
            transcript: if keep_messages {
                Transcript::keeping_messages()
            } else {
                Transcript::new()
            },
        }
    }

    /// Encodes `input` under `capacity` bits, records the message for `(state.round,
    /// state.worker)`, and decodes it from the bits alone into `out`.
    #[allow(clippy::too_many_arguments)] // each argument is one part of the protocol
    pub(crate) fn send(
        &mut self,
        quantizer: &dyn Quantizer,
        input: &[f64],
        state: &PublicState<'_>,
        private: &mut dyn RngCore,
        capacity: Option<usize>,
        direction: Direction,
        out: &mut [f64],
    ) -> Result<Delivery, OptError> {
        self.send_as(
            quantizer,
            input,
            state,
            private,
            capacity,
            direction,
            (state.round, state.worker),
            out,
        )
    }

    /// [`Channel::send`] recording the message under `(round, worker)`, for methods whose
    /// public-coin key is not the round (several messages per worker and round).
    #[allow(clippy::too_many_arguments)] // each argument is one part of the protocol
    pub(crate) fn send_as(
        &mut self,
        quantizer: &dyn Quantizer,
        input: &[f64],
        state: &PublicState<'_>,
        private: &mut dyn RngCore,
        capacity: Option<usize>,
        direction: Direction,
        (round, worker): (u64, u32),
        out: &mut [f64],
    ) -> Result<Delivery, OptError> {
        self.writer.reset(capacity);
        let stats = quantizer
            .encode(Input::F64(input), state, private, &mut self.writer)
            .map_err(|e| over_budget(e, round, worker, capacity, self.writer.len()))?;
        let bits = self.writer.len();
        if stats.bits != bits {
            return Err(QuantError::Corrupt(format!(
                "{} reported {} bits but wrote {bits}",
                quantizer.name(),
                stats.bits
            ))
            .into());
        }
        if self.transcript.keeps_messages() {
            self.transcript
                .record(round, worker, direction, &self.writer.to_bitstring());
        } else {
            self.transcript.record_len(round, worker, direction, bits);
        }
        let mut reader = BitReader::new(self.writer.as_words(), bits);
        quantizer.decode(&mut reader, state, out)?;
        if !reader.is_exhausted() {
            return Err(QuantError::Corrupt(format!(
                "{} left {} of {bits} bits unread",
                quantizer.name(),
                reader.remaining()
            ))
            .into());
        }
        Ok(Delivery {
            bits,
            clipped: stats.clipped,
        })
    }

    /// Records the last message again for another receiver (a broadcast crosses every link).
    pub(crate) fn repeat_last(&mut self, round: u64, worker: u32, direction: Direction) {
        if self.transcript.keeps_messages() {
            self.transcript
                .record(round, worker, direction, &self.writer.to_bitstring());
        } else {
            self.transcript
                .record_len(round, worker, direction, self.writer.len());
        }
    }

    pub(crate) fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    pub(crate) fn into_transcript(self) -> Transcript {
        self.transcript
    }
}

/// Names the round of a message that did not fit.
fn over_budget(
    e: QuantError,
    round: u64,
    worker: u32,
    capacity: Option<usize>,
    written: usize,
) -> OptError {
    match (e, capacity) {
        (QuantError::Codec(CodecError::BudgetExceeded { requested, .. }), Some(budget)) => {
            OptError::BudgetExceeded {
                round,
                worker,
                bits: written.saturating_add(requested),
                budget,
            }
        }
        (QuantError::BudgetTooSmall { needed, .. }, Some(budget)) => OptError::BudgetExceeded {
            round,
            worker,
            bits: needed,
            budget,
        },
        (e, _) => e.into(),
    }
}
