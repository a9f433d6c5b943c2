//! [`Cluster`]: the workers, their time model, the simulated clock and the channel.

use bitcodec::{Direction, Transcript};
use oracles::{Oracle, WorkerSet};
use quantizers::{PublicState, Quantizer, splitmix64};
use rand_chacha::ChaCha8Rng;

use super::{CommUnit, TimeModel};
use crate::error::check_dim;
use crate::round_loop::{Channel, Delivery};
use crate::{OptError, RunStreams};

/// The worker index whose private stream the server's downlink encoder uses.
const SERVER: u32 = u32::MAX;

/// Mixed into the public seed for downlink messages.
const DOWNLINK_TAG: u64 = 0x646f_776e_6c69_6e6b; // "downlink"

/// `n` workers (oracles `f_i` with compute times `h_i`), the links between them and the
/// server, the simulated clock, and the channel every message crosses.
///
/// Worker `i` draws its oracle noise and private encoder randomness from its own streams
/// ([`RunStreams::oracle`]`(i)`, [`RunStreams::private`]`(i)`); the server's downlink encoder
/// has its own private stream; public coins are keyed by `(round, worker)` as in the
/// single-worker loop. Uplink messages must fit the budget; downlink messages are unbudgeted but
/// counted and timed.
#[derive(Debug)]
pub struct Cluster {
    oracles: Vec<Box<dyn Oracle>>,
    time: TimeModel,
    dim: usize,
    budget: usize,
    streams: RunStreams,
    oracle_rngs: Vec<ChaCha8Rng>,
    private_rngs: Vec<ChaCha8Rng>,
    server_rng: ChaCha8Rng,
    channel: Channel,
    now: f64,
}

impl Cluster {
    /// A cluster of `oracles` (one per worker, equal dimensions) with compute times and links
    /// from `time`, at most `budget_bits` per uplink message, and all randomness from `seed`.
    pub fn new(
        oracles: Vec<Box<dyn Oracle>>,
        time: TimeModel,
        budget_bits: usize,
        seed: u64,
    ) -> Result<Self, OptError> {
        let first = oracles.first().ok_or_else(|| {
            OptError::InvalidParameter("a cluster needs at least one worker".into())
        })?;
        let dim = first.dim();
        for o in &oracles {
            check_dim("worker oracle", dim, o.dim())?;
        }
        if time.workers() != oracles.len() {
            return Err(OptError::InvalidParameter(format!(
                "time model for {} workers, {} oracles given",
                time.workers(),
                oracles.len()
            )));
        }
        if budget_bits == 0 {
            return Err(OptError::InvalidParameter(
                "the budget must allow at least one bit per message".into(),
            ));
        }
        let n = u32::try_from(oracles.len())
            .map_err(|_| OptError::InvalidParameter("too many workers".into()))?;
        let streams = RunStreams::new(seed);
        Ok(Self {
            oracle_rngs: (0..n).map(|i| streams.oracle(i)).collect(),
            private_rngs: (0..n).map(|i| streams.private(i)).collect(),
            server_rng: streams.private(SERVER),
            oracles,
            time,
            dim,
            budget: budget_bits,
            streams,
            channel: Channel::new(false),
            now: 0.0,
        })
    }

    /// The cluster of a [`WorkerSet`]: its oracles and compute times `h_i`, links costing
    /// `uplink` and `downlink` seconds per `unit` for every worker, at most `budget_bits` per
    /// uplink message, and all randomness from `seed`.
    ///
    /// ```
    /// use optimizers::multi::{Cluster, CommUnit};
    /// use oracles::{GaussianQuadratic, Oracle, WorkerSet};
    /// let oracles: Vec<Box<dyn Oracle>> = (0..4)
    ///     .map(|_| Box::new(GaussianQuadratic::new(vec![1.0; 8], 0.5).unwrap()) as Box<dyn Oracle>)
    ///     .collect();
    /// let set = WorkerSet::sqrt_times(oracles, 1.0)?; // h_i = sqrt(i)
    /// let cluster = Cluster::from_worker_set(set, CommUnit::Coordinate, 0.01, 0.01, 512, 7)?;
    /// assert_eq!(cluster.workers(), 4);
    /// assert_eq!(cluster.time_model().compute_times()[3], 2.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_worker_set(
        set: WorkerSet,
        unit: CommUnit,
        uplink: f64,
        downlink: f64,
        budget_bits: usize,
        seed: u64,
    ) -> Result<Self, OptError> {
        let (oracles, compute) = set.into_parts();
        let time = TimeModel::new(compute, unit, uplink, downlink)?;
        Self::new(oracles, time, budget_bits, seed)
    }

    /// The same cluster, keeping every message's bits in the transcript.
    pub fn keeping_messages(mut self) -> Self {
        self.channel = Channel::new(true);
        self
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Number of workers `n`.
    pub fn workers(&self) -> usize {
        self.oracles.len()
    }

    /// The time model.
    pub fn time_model(&self) -> &TimeModel {
        &self.time
    }

    /// The simulated clock, in seconds since the start.
    pub fn now(&self) -> f64 {
        self.now
    }

    /// Bits per uplink message.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The run's streams.
    pub fn streams(&self) -> &RunStreams {
        &self.streams
    }

    /// Every message so far.
    pub fn transcript(&self) -> &Transcript {
        self.channel.transcript()
    }

    /// `f(x) = (1/n) sum_i f_i(x)`.
    pub fn objective(&self, x: &[f64]) -> Result<f64, OptError> {
        let mut sum = 0.0;
        for o in &self.oracles {
            sum += o.value(x)?;
        }
        Ok(sum / self.oracles.len() as f64)
    }

    /// `grad f(x) = (1/n) sum_i grad f_i(x)` into `out`.
    pub fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OptError> {
        check_dim("gradient buffer", self.dim, out.len())?;
        let mut g = vec![0.0; self.dim];
        out.fill(0.0);
        for o in &self.oracles {
            o.true_gradient(x, &mut g)?;
            out.iter_mut().zip(&g).for_each(|(a, b)| *a += b);
        }
        let n = self.oracles.len() as f64;
        out.iter_mut().for_each(|a| *a /= n);
        Ok(())
    }

    /// `f*` of the average objective, when every worker declares the same minimizer and
    /// optimal value (a homogeneous cluster); `None` otherwise.
    pub fn optimal_value(&self) -> Option<f64> {
        let first = self.oracles.first()?;
        let (x_star, f_star) = (first.minimizer()?, first.optimal_value()?);
        self.oracles
            .iter()
            .all(|o| o.minimizer() == Some(x_star) && o.optimal_value() == Some(f_star))
            .then_some(f_star)
    }

    /// The public state of a message: the run's public seed, a round key and a worker.
    pub(crate) fn public_state(&self, round: u64, worker: u32) -> PublicState<'static> {
        PublicState {
            seed: self.streams.public_seed(),
            round,
            worker,
            centre: None,
        }
    }

    /// The public state of a downlink message: keyed like [`Cluster::public_state`] but from a
    /// seed of its own, so that downlink coins never repeat an uplink message's coins.
    pub(crate) fn downlink_state(&self, round: u64, worker: u32) -> PublicState<'static> {
        PublicState {
            seed: splitmix64(self.streams.public_seed() ^ DOWNLINK_TAG),
            round,
            worker,
            centre: None,
        }
    }

    /// Worker `i` draws a stochastic gradient at `x` from its oracle-noise stream.
    pub(crate) fn gradient(
        &mut self,
        worker: usize,
        x: &[f64],
        out: &mut [f64],
    ) -> Result<(), OptError> {
        match (
            self.oracles.get_mut(worker),
            self.oracle_rngs.get_mut(worker),
        ) {
            (Some(o), Some(rng)) => Ok(o.gradient(x, rng, out)?),
            _ => Err(no_worker(worker)),
        }
    }

    /// Worker `i` sends `input` to the server under the budget; returns the delivery and
    /// its transfer time. The message is recorded under `(round, i)`.
    pub(crate) fn uplink(
        &mut self,
        worker: usize,
        quantizer: &dyn Quantizer,
        input: &[f64],
        state: &PublicState<'_>,
        round: u64,
        out: &mut [f64],
    ) -> Result<(Delivery, f64), OptError> {
        let coords = coordinates(quantizer, state, self.dim);
        let rng = self
            .private_rngs
            .get_mut(worker)
            .ok_or_else(|| no_worker(worker))?;
        let delivery = self.channel.send_as(
            quantizer,
            input,
            state,
            rng,
            Some(self.budget),
            Direction::Uplink,
            (round, worker_id(worker)),
            out,
        )?;
        let dt = self
            .time
            .uplink_time(worker, delivery.bits, coords)
            .ok_or_else(|| no_worker(worker))?;
        Ok((delivery, dt))
    }

    /// The server sends `input` to worker `i` (unbudgeted); returns the delivery and its time.
    pub(crate) fn downlink(
        &mut self,
        worker: usize,
        quantizer: &dyn Quantizer,
        input: &[f64],
        state: &PublicState<'_>,
        round: u64,
        out: &mut [f64],
    ) -> Result<(Delivery, f64), OptError> {
        let coords = coordinates(quantizer, state, self.dim);
        let delivery = self.channel.send_as(
            quantizer,
            input,
            state,
            &mut self.server_rng,
            None,
            Direction::Downlink,
            (round, worker_id(worker)),
            out,
        )?;
        let dt = self
            .time
            .downlink_time(worker, delivery.bits, coords)
            .ok_or_else(|| no_worker(worker))?;
        Ok((delivery, dt))
    }

    /// The server broadcasts one message to every worker: it is encoded once, decoded once
    /// (every worker decodes the same bits to the same vector) and recorded once per receiving
    /// link. Returns the delivery and each worker's transfer time.
    pub(crate) fn broadcast(
        &mut self,
        quantizer: &dyn Quantizer,
        input: &[f64],
        state: &PublicState<'_>,
        round: u64,
        out: &mut [f64],
        times: &mut Vec<f64>,
    ) -> Result<Delivery, OptError> {
        let coords = coordinates(quantizer, state, self.dim);
        let delivery = self.channel.send_as(
            quantizer,
            input,
            state,
            &mut self.server_rng,
            None,
            Direction::Downlink,
            (round, 0),
            out,
        )?;
        for i in 1..self.workers() {
            self.channel
                .repeat_last(round, worker_id(i), Direction::Downlink);
        }
        times.clear();
        for i in 0..self.workers() {
            let dt = self
                .time
                .downlink_time(i, delivery.bits, coords)
                .ok_or_else(|| no_worker(i))?;
            times.push(dt);
        }
        Ok(delivery)
    }

    /// Moves the clock forward by `dt >= 0` seconds.
    pub(crate) fn advance_clock(&mut self, dt: f64) {
        if dt > 0.0 {
            self.now += dt;
        }
    }

    /// Sets the clock to `t` if that is later than now (event-driven methods).
    pub(crate) fn advance_clock_to(&mut self, t: f64) {
        if t > self.now {
            self.now = t;
        }
    }

    /// Moves every worker's (time-varying) problem one step.
    pub(crate) fn advance_oracles(&mut self) -> Result<(), OptError> {
        for (o, rng) in self.oracles.iter_mut().zip(&mut self.oracle_rngs) {
            o.advance(rng)?;
        }
        Ok(())
    }
}

/// The coordinates a message describes: its support, or all of them.
fn coordinates(quantizer: &dyn Quantizer, state: &PublicState<'_>, dim: usize) -> usize {
    quantizer.support(state).map_or(dim, |s| s.len())
}

/// Worker indices fit in `u32` (checked at construction).
pub(crate) fn worker_id(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn no_worker(i: usize) -> OptError {
    OptError::InvalidParameter(format!("no worker {i} in the cluster"))
}
