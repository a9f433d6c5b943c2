//! Multi-worker methods on a simulated clock.
//!
//! `n` workers, each a stochastic oracle `f_i` with a compute time `h_i` seconds per stochastic
//! gradient, talk to one server over links that cost a fixed time per bit or per coordinate
//! in each direction ([`TimeModel`]); the objective is `f = (1/n) sum_i f_i`. A [`Cluster`]
//! holds the workers, the time model, the clock and the channel every message crosses (the
//! round loop's channel: the uplink budget, the transcript, decoding from the bits alone); it is
//! built from oracles and a time model, or from an [`oracles::WorkerSet`] with
//! [`Cluster::from_worker_set`]. A
//! [`Method`] is one server algorithm with explicit state; [`run_until`] steps it until a
//! [`Criterion`] (`||grad f(x)||^2 <= eps` or `f(x) - f* <= eps`) holds and reports the simulated
//! time and rounds ([`TimeToAccuracy`]).
//!
//! Timing conventions: links are independent (a star without contention), a message of `b`
//! bits describing `k` coordinates takes `b kappa` or `k kappa` seconds, the starting point
//! `x_0` is public, and a synchronous round ends when the last worker's last message arrives.
//!
//! | method | notes-algorithms §5 | per round |
//! |---|---|---|
//! | [`SyncSgd`] | §5.7 baseline | every worker: downlink, `b` gradients, one message |
//! | [`Rennala`] | §5.4 | asynchronous: the first `S` fresh gradients, stale ones discarded |
//! | [`Shadowheart`] | §5.5 | equilibrium time `t*`, `b_i` gradients and `m_i` messages per worker |
//! | [`MarinaP`] | §5.6 | full `x` with probability `p`, else Perm-K compressed differences |
//!
//! Downlink compression for [`SyncSgd`] is a [`Downlink`]: exact, or EF21-P. Inkheart SGD and
//! M4 (paper 004) are not implemented: only their abstract is available. Each would be one more
//! [`Method`]; nothing else needs to change.
//!
//! ```
//! use optimizers::multi::{run_until, Cluster, CommUnit, Criterion, Downlink, StopRule, SyncSgd, TimeModel};
//! use optimizers::{NoMemory, Sgd, StepSchedule};
//! use oracles::{GaussianQuadratic, Oracle};
//! use quantizers::Unquantized;
//!
//! let oracles: Vec<Box<dyn Oracle>> = (0..3)
//!     .map(|_| Box::new(GaussianQuadratic::new(vec![1.0; 4], 0.1).unwrap()) as Box<dyn Oracle>)
//!     .collect();
//! let time = TimeModel::new(vec![1.0, 2.0, 4.0], CommUnit::Coordinate, 0.25, 0.0)?;
//! let mut cluster = Cluster::new(oracles, time, 256, 7)?;
//! let rule = Sgd::new(vec![0.0; 4], StepSchedule::constant(0.5)?)?;
//! let mut method = SyncSgd::new(Box::new(rule), Box::new(Unquantized::new(4)?), &NoMemory, 3, 1, Downlink::Exact)?;
//! let out = run_until(&mut method, &mut cluster, &StopRule::new(Criterion::GradNormSquared(1e-2), 100)?)?;
//! assert!(out.reached);
//! assert_eq!(out.time, out.rounds as f64 * (4.0 + 4.0 * 0.25)); // the slowest worker each round
//! # Ok::<(), optimizers::OptError>(())
//! ```

mod cluster;
mod criterion;
mod downlink;
mod marina_p;
mod method;
mod rennala;
mod shadowheart;
mod sync_sgd;
mod time_model;

pub use cluster::Cluster;
pub use criterion::{Criterion, Progress, StopRule, TimeToAccuracy, run_until};
pub use downlink::Downlink;
pub use marina_p::MarinaP;
pub use method::{Method, RoundReport};
pub use rennala::Rennala;
pub use shadowheart::{Shadowheart, ShadowheartPlan, equilibrium_time};
pub use sync_sgd::SyncSgd;
pub use time_model::{CommUnit, TimeModel};
