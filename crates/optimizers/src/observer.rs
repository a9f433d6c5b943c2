//! Observers: code that watches each round of a run without changing it (progress bars,
//! custom traces, invariant checks in tests).
//!
//! The round loop hands every observer a [`RoundRecord`] at the end of each round, after the
//! server's update and before the oracle advances. Closures `FnMut(&RoundRecord)` are observers.
//!
//! ```
//! use optimizers::{run_observed, NoMemory, RoundRecord, RunConfig, Sgd, StepSchedule};
//! use oracles::GaussianQuadratic;
//! use quantizers::Unquantized;
//!
//! let mut largest_step = 0.0f64;
//! let mut watch = |r: &RoundRecord<'_>| {
//!     largest_step = largest_step.max(r.g_hat.iter().map(|g| g.abs()).fold(0.0, f64::max));
//! };
//! let mut sgd = Sgd::new(vec![0.0; 2], StepSchedule::constant(0.1)?)?;
//! let mut oracle = GaussianQuadratic::new(vec![1.0, 1.0], 0.0)?;
//! let config = RunConfig::new(10, 128, 0)?;
//! run_observed(&config, &mut oracle, &Unquantized::new(2)?, &mut sgd, &NoMemory, &mut watch)?;
//! assert_eq!(largest_step, 1.0); // the first gradient, at x_0 = 0
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::memory::MemoryView;
use crate::trace::Sample;

/// Everything that happened in one round of the single-worker loop.
#[derive(Debug, Clone, Copy)]
pub struct RoundRecord<'a> {
    /// The round (0-based).
    pub round: u64,
    /// Bits of the uplink message.
    pub bits: usize,
    /// Coordinates the quantizer clipped.
    pub clipped: usize,
    /// The coordinates the message described, when it described only some.
    pub support: Option<&'a [usize]>,
    /// Where the worker queried the oracle.
    pub query: &'a [f64],
    /// The oracle's stochastic gradient (worker side; never seen by the server).
    pub gradient: &'a [f64],
    /// The vector the server decoded from the bits.
    pub decoded: &'a [f64],
    /// The gradient estimate the server's memory handed to the rule.
    pub g_hat: &'a [f64],
    /// The server's iterate after this round's update.
    pub iterate: &'a [f64],
    /// The rule's output after this round (the average when it keeps one).
    pub estimate: &'a [f64],
    /// The worker memory's state after this round.
    pub memory: MemoryView<'a>,
    /// The metrics, on the rounds the run records them.
    pub sample: Option<&'a Sample>,
}

/// Watches the rounds of a run.
pub trait Observer {
    /// Called once before the first round with the number of rounds.
    fn start(&mut self, rounds: u64) {
        let _ = rounds;
    }

    /// Called at the end of every round.
    fn observe(&mut self, record: &RoundRecord<'_>);

    /// Called once after the last round.
    fn finish(&mut self) {}
}

/// The observer that watches nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoObserver;

impl Observer for NoObserver {
    fn observe(&mut self, _record: &RoundRecord<'_>) {}
}

impl<F: FnMut(&RoundRecord<'_>)> Observer for F {
    fn observe(&mut self, record: &RoundRecord<'_>) {
        self(record)
    }
}
