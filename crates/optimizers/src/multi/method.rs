//! The [`Method`] trait: one multi-worker server algorithm with explicit state.

use super::Cluster;
use crate::OptError;

/// What one round (one server update) of a method did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoundReport {
    /// The round (0-based), i.e. the number of server updates before this one.
    pub round: u64,
    /// The simulated clock at the end of the round.
    pub time: f64,
    /// Stochastic gradients computed by all workers during the round.
    pub gradients: u64,
    /// Stochastic gradients (or messages) the server used.
    pub used: u64,
    /// Stale gradients the server received and discarded.
    pub discarded: u64,
    /// Uplink bits of the round, all workers.
    pub uplink_bits: u64,
    /// Downlink bits of the round, all links.
    pub downlink_bits: u64,
}

/// A multi-worker method: the server's state and the protocol of one round.
///
/// A method owns its update rule, its schemes and its per-worker state; the [`Cluster`] owns
/// the workers' oracles, the clock and the channel, and every message goes through it. New
/// methods (Inkheart SGD, M4, once their algorithms are published) implement this trait and
/// run under [`super::run_until`] unchanged.
pub trait Method {
    /// A short name with parameters, for reports.
    fn name(&self) -> String;

    /// The server's current iterate, the point whose accuracy is measured.
    fn iterate(&self) -> &[f64];

    /// Checks the method against the cluster (dimensions, number of workers, budget, time
    /// model) before the first round.
    fn check(&self, cluster: &Cluster) -> Result<(), OptError>;

    /// Runs one round, ending with one server update, and moves the cluster's clock.
    fn step(&mut self, cluster: &mut Cluster) -> Result<RoundReport, OptError>;
}
