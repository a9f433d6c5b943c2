//! Time to accuracy in expectation: run independent trials of a method on the simulated clock
//! and find the first time at which the **mean over trials** of `||grad f(x(t))||^2` is at most
//! `eps`.
//!
//! The theory bounds `E||grad f||^2`, an expectation; the first time a single noisy run dips
//! below `eps` is a different, earlier quantity. Each trial's `||grad f(x(t))||^2` is a step
//! function of the simulated time `t` (the server's iterate changes only at its updates), so the
//! mean over trials is a step function too and its first crossing of `eps` is exact. Trials are
//! run in chunks of simulated time: all of them up to a horizon, then the mean is checked, then
//! the horizon grows; the answer does not depend on the chunks, since a trial is a deterministic
//! function of its seed.

use anyhow::{Result, bail};
use optimizers::multi::{Cluster, Method};
use rayon::prelude::*;

/// The state after a round (or at the start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Simulated seconds.
    pub time: f64,
    /// `||grad f||^2` at the server's iterate from this time on.
    pub value: f64,
    /// Rounds completed.
    pub rounds: u64,
    /// Stochastic gradients computed by all workers so far.
    pub gradients: u64,
}

/// One trial: a method, its cluster, and its samples.
pub struct Trial {
    method: Box<dyn Method + Send>,
    cluster: Cluster,
    samples: Vec<Sample>,
}

impl Trial {
    /// A trial starting at `x0` with `||grad f(x0)||^2 = value`.
    pub fn new(method: Box<dyn Method + Send>, cluster: Cluster, value: f64) -> Self {
        let start = Sample {
            time: cluster.now(),
            value,
            rounds: 0,
            gradients: 0,
        };
        Self {
            method,
            cluster,
            samples: vec![start],
        }
    }

    /// The samples so far, in time order.
    pub fn samples(&self) -> &[Sample] {
        &self.samples
    }

    /// Runs rounds until the clock reaches `horizon` or `max_rounds` rounds are done; `value`
    /// measures `||grad f||^2` at the iterate (a measurement: no bits, no simulated time).
    pub fn advance_to(
        &mut self,
        horizon: f64,
        max_rounds: u64,
        value: &(dyn Fn(&[f64]) -> f64 + Sync),
    ) -> Result<()> {
        let Some(mut last) = self.samples.last().copied() else {
            bail!("a trial without a starting sample");
        };
        if last.rounds == 0 {
            self.method.check(&self.cluster)?;
        }
        while self.cluster.now() < horizon && last.rounds < max_rounds {
            let report = self.method.step(&mut self.cluster)?;
            let x = self.method.iterate();
            if x.iter().any(|v| !v.is_finite()) {
                bail!("{} diverged in round {}", self.method.name(), report.round);
            }
            last = Sample {
                time: self.cluster.now(),
                value: value(x),
                rounds: last.rounds + 1,
                gradients: last.gradients + report.gradients,
            };
            self.samples.push(last);
        }
        Ok(())
    }

    fn exhausted(&self, max_rounds: u64) -> bool {
        self.samples.last().is_none_or(|s| s.rounds >= max_rounds)
    }
}

/// Where the mean over trials first reaches the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crossing {
    /// Simulated seconds.
    pub time: f64,
    /// Rounds completed by then, averaged over trials.
    pub rounds: f64,
    /// Stochastic gradients computed by then, averaged over trials.
    pub gradients: f64,
}

/// The first time `t` at which the mean over `curves` of their step functions is `<= eps`,
/// among the times every curve covers (up to the earliest last sample). Each curve is sorted by
/// time and starts at the same time; its value holds from one sample to the next.
pub fn mean_crossing(curves: &[&[Sample]], eps: f64) -> Option<Crossing> {
    let covered = curves
        .iter()
        .map(|c| c.last().map_or(f64::NEG_INFINITY, |s| s.time))
        .fold(f64::INFINITY, f64::min);
    let mut events: Vec<(f64, usize, usize)> = curves
        .iter()
        .enumerate()
        .flat_map(|(j, c)| c.iter().enumerate().map(move |(k, s)| (s.time, j, k)))
        .filter(|e| e.0 <= covered)
        .collect();
    events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let r = curves.len() as f64;
    let mut current: Vec<Option<Sample>> = vec![None; curves.len()];
    let mut events = events.into_iter().peekable();
    while let Some((t, j, k)) = events.next() {
        if let (Some(slot), Some(s)) = (current.get_mut(j), curves.get(j).and_then(|c| c.get(k))) {
            *slot = Some(*s);
        }
        if events.peek().is_some_and(|next| next.0 == t) {
            continue; // apply every sample at time t before judging t
        }
        if current.iter().any(Option::is_none) {
            continue; // some curve has not started yet
        }
        // Summed afresh at each time rather than updated: exact, and trials are few.
        let mean = current.iter().flatten().map(|s| s.value).sum::<f64>() / r;
        if mean <= eps {
            let average = |f: fn(&Sample) -> u64| {
                current.iter().flatten().map(|s| f(s) as f64).sum::<f64>() / r
            };
            return Some(Crossing {
                time: t,
                rounds: average(|s| s.rounds),
                gradients: average(|s| s.gradients),
            });
        }
    }
    None
}

/// How far to run: the first horizon, its growth factor, and the caps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    /// The first horizon, in simulated seconds.
    pub start: f64,
    /// The factor by which the horizon grows while the mean has not crossed.
    pub growth: f64,
    /// Give up beyond this horizon.
    pub max_time: f64,
    /// Give up after this many rounds of a trial.
    pub max_rounds: u64,
}

/// Runs `trials` (in parallel) until the mean of `||grad f||^2` reaches `eps`; `None` if it does
/// not within the schedule's caps.
pub fn time_to_eps(
    trials: &mut [Trial],
    eps: f64,
    schedule: &Schedule,
    value: &(dyn Fn(&[f64]) -> f64 + Sync),
) -> Result<Option<Crossing>> {
    if !(schedule.growth > 1.0 && schedule.start > 0.0) {
        bail!("invalid schedule {schedule:?}");
    }
    let mut horizon = schedule.start;
    loop {
        trials
            .par_iter_mut()
            .try_for_each(|t| t.advance_to(horizon, schedule.max_rounds, value))?;
        let curves: Vec<&[Sample]> = trials.iter().map(Trial::samples).collect();
        if let Some(c) = mean_crossing(&curves, eps) {
            return Ok(Some(c));
        }
        if horizon >= schedule.max_time || trials.iter().all(|t| t.exhausted(schedule.max_rounds)) {
            return Ok(None);
        }
        horizon = (horizon * schedule.growth).min(schedule.max_time);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(time: f64, value: f64, rounds: u64) -> Sample {
        Sample {
            time,
            value,
            rounds,
            gradients: 2 * rounds,
        }
    }

    #[test]
    fn the_crossing_is_where_the_mean_not_each_trial_reaches_eps() {
        // Trial a dips to 0.5 at t = 1 and back to 3 at t = 2 (a lucky fluctuation); the mean
        // (with b) first reaches 1 at t = 4.
        let a = [
            s(0.0, 4.0, 0),
            s(1.0, 0.5, 1),
            s(2.0, 3.0, 2),
            s(4.0, 1.0, 3),
        ];
        let b = [
            s(0.0, 4.0, 0),
            s(1.5, 2.0, 1),
            s(3.0, 1.0, 2),
            s(5.0, 0.0, 3),
        ];
        let c = mean_crossing(&[&a, &b], 1.0).unwrap();
        assert_eq!(c.time, 4.0);
        assert_eq!(c.rounds, 2.5); // a at round 3, b at round 2
        assert_eq!(c.gradients, 5.0);
    }

    #[test]
    fn samples_at_the_same_time_are_applied_together() {
        // At t = 1 a goes to 3 and b to 0: the mean is 1.5 > 1; the crossing is at t = 2.
        let a = [s(0.0, 2.0, 0), s(1.0, 3.0, 1), s(2.0, 2.0, 2)];
        let b = [s(0.0, 2.0, 0), s(1.0, 0.0, 1), s(2.0, 0.0, 2)];
        assert_eq!(mean_crossing(&[&a, &b], 1.0).unwrap().time, 2.0);
        // Order of the curves does not matter.
        assert_eq!(mean_crossing(&[&b, &a], 1.0).unwrap().time, 2.0);
    }

    #[test]
    fn nothing_beyond_the_shortest_curve_counts() {
        // b stops at t = 1; a crosses alone later, but the mean is unknown there.
        let a = [s(0.0, 4.0, 0), s(2.0, 0.0, 1)];
        let b = [s(0.0, 4.0, 0), s(1.0, 0.0, 1)];
        assert_eq!(mean_crossing(&[&a, &b], 1.0), None);
    }

    #[test]
    fn a_start_already_below_eps_crosses_at_time_zero() {
        let a = [s(0.0, 0.1, 0)];
        assert_eq!(mean_crossing(&[&a], 1.0).unwrap().time, 0.0);
        assert_eq!(mean_crossing(&[], 1.0), None);
    }
}
