//! Rennala SGD (Tyurin & Richtárik 2023; notes-algorithms §5.4, following the reference
//! implementation's server loop):
//!
//! ```text
//! x <- x_0, k <- 0; every worker starts computing a stochastic gradient at x_0
//! loop: wait for the next message (g, k_j) from some worker j
//!       if k_j == k: g_sum += g; s += 1            # stale gradients are discarded
//!       if s == S:  x <- x - gamma g_sum / S; k += 1; g_sum <- 0; s <- 0
//!       send (x, k) to worker j, which starts its next gradient at x
//! ```
//!
//! Here the server's step is any [`UpdateRule`] applied to the average of the `S` fresh decoded
//! gradients, each gradient crosses the channel as a message of the uplink scheme, and replies
//! carry `x` exactly (`64 d` bits). On the clock, worker `j` that starts at time `s` delivers
//! at `s + h_j + up_j`, and restarts when the reply arrives, `down_j` later. Each gradient is
//! drawn (and encoded) when its worker starts computing it, which changes nothing for static
//! problems: each worker's oracle stream is consumed in the same order. One [`Method::step`]
//! runs events until the next server update.
//!
//! ```
//! use optimizers::multi::{Cluster, CommUnit, Method, Rennala, TimeModel};
//! use optimizers::{Sgd, StepSchedule};
//! use oracles::{GaussianQuadratic, Oracle};
//! use quantizers::Unquantized;
//!
//! // A fast and a slow worker, S = 2: the fast one supplies both gradients of each batch.
//! let oracles: Vec<Box<dyn Oracle>> = vec![
//!     Box::new(GaussianQuadratic::new(vec![1.0], 0.1)?),
//!     Box::new(GaussianQuadratic::new(vec![1.0], 0.1)?),
//! ];
//! let time = TimeModel::new(vec![1.0, 10.0], CommUnit::Bit, 0.0, 0.0)?;
//! let mut cluster = Cluster::new(oracles, time, 64, 3)?;
//! let sgd = Sgd::new(vec![0.0], StepSchedule::constant(0.5)?)?;
//! let mut rennala = Rennala::new(Box::new(sgd), Box::new(Unquantized::new(1)?), 2, 2)?;
//! let report = rennala.step(&mut cluster)?;
//! assert_eq!((report.time, report.used), (2.0, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use quantizers::{Quantizer, Unquantized};

use super::cluster::worker_id;
use super::{Cluster, Method, RoundReport};
use crate::error::{check_dim, check_point};
use crate::round_loop::{check_budget, checked_step};
use crate::{OptError, UpdateRule};

/// Rennala SGD: asynchronous collection of `S` fresh gradients per update.
#[derive(Debug)]
pub struct Rennala {
    rule: Box<dyn UpdateRule>,
    quantizer: Box<dyn Quantizer>,
    exact: Unquantized,
    batch: u64,
    /// Server updates so far (`k`).
    round: u64,
    started: bool,
    /// Per worker: the point it computes at, the iterate index of that point, when its
    /// pending message reaches the server, the decoded pending message, its message counter.
    points: Vec<Vec<f64>>,
    versions: Vec<u64>,
    arrivals: Vec<f64>,
    pending: Vec<Vec<f64>>,
    sequence: Vec<u64>,
    grad: Vec<f64>,
    sum: Vec<f64>,
    collected: u64,
    discarded_total: u64,
}

impl Rennala {
    /// Rennala with batch `S = batch >= 1` for a cluster of `workers` workers; gradients
    /// cross the uplink through `quantizer` and the server updates with `rule`.
    pub fn new(
        rule: Box<dyn UpdateRule>,
        quantizer: Box<dyn Quantizer>,
        workers: usize,
        batch: u64,
    ) -> Result<Self, OptError> {
        if workers == 0 || batch == 0 {
            return Err(OptError::InvalidParameter(format!(
                "Rennala needs workers >= 1 and S >= 1, got {workers} and {batch}"
            )));
        }
        let d = rule.dim();
        check_point("starting point", rule.iterate())?;
        check_dim("uplink quantizer", d, quantizer.dim())?;
        checked_step(rule.as_ref(), 0)?;
        Ok(Self {
            exact: Unquantized::new(d)?,
            points: vec![rule.iterate().to_vec(); workers],
            versions: vec![0; workers],
            arrivals: vec![f64::INFINITY; workers],
            pending: vec![vec![0.0; d]; workers],
            sequence: vec![0; workers],
            grad: vec![0.0; d],
            sum: vec![0.0; d],
            rule,
            quantizer,
            batch,
            round: 0,
            started: false,
            collected: 0,
            discarded_total: 0,
        })
    }

    /// Stale gradients discarded so far.
    pub fn discarded(&self) -> u64 {
        self.discarded_total
    }

    /// Worker `j` starts a gradient at its point at time `start`: draw it, send it, and
    /// schedule its arrival.
    fn start(&mut self, cluster: &mut Cluster, j: usize, start: f64) -> Result<u64, OptError> {
        let (Some(point), Some(pending), Some(seq)) = (
            self.points.get(j),
            self.pending.get_mut(j),
            self.sequence.get_mut(j),
        ) else {
            return Err(OptError::InvalidParameter(format!("no worker {j}")));
        };
        cluster.gradient(j, point, &mut self.grad)?;
        let state = cluster.public_state(*seq, worker_id(j));
        *seq += 1;
        let version = self.versions.get(j).copied().unwrap_or(0);
        let (delivery, up) = cluster.uplink(
            j,
            self.quantizer.as_ref(),
            &self.grad,
            &state,
            version,
            pending,
        )?;
        let compute = cluster.time_model().compute_time(j, 1).unwrap_or(0.0);
        if let Some(a) = self.arrivals.get_mut(j) {
            *a = start + compute + up;
        }
        Ok(delivery.bits as u64)
    }
}

impl Method for Rennala {
    fn name(&self) -> String {
        format!(
            "rennala(S={}, up={}, rule={})",
            self.batch,
            self.quantizer.name(),
            self.rule.name()
        )
    }

    fn iterate(&self) -> &[f64] {
        self.rule.iterate()
    }

    fn check(&self, cluster: &Cluster) -> Result<(), OptError> {
        check_dim("method", cluster.dim(), self.rule.dim())?;
        if cluster.workers() != self.points.len() {
            return Err(OptError::InvalidParameter(format!(
                "method built for {} workers, cluster has {}",
                self.points.len(),
                cluster.workers()
            )));
        }
        check_budget(cluster.budget(), self.quantizer.as_ref())
    }

    fn step(&mut self, cluster: &mut Cluster) -> Result<RoundReport, OptError> {
        self.check(cluster)?;
        let t = self.round;
        let mut report = RoundReport {
            round: t,
            ..RoundReport::default()
        };
        if !self.started {
            self.started = true;
            let now = cluster.now();
            for j in 0..self.points.len() {
                report.uplink_bits += self.start(cluster, j, now)?;
                report.gradients += 1;
            }
        }
        loop {
            // The next arrival; ties go to the lower worker index.
            let (j, arrival) = self.arrivals.iter().copied().enumerate().fold(
                (0, f64::INFINITY),
                |best, (i, a)| {
                    if a < best.1 { (i, a) } else { best }
                },
            );
            if !arrival.is_finite() {
                return Err(OptError::InvalidParameter(
                    "no worker has a message in flight".into(),
                ));
            }
            cluster.advance_clock_to(arrival);
            let fresh = self.versions.get(j) == Some(&self.round);
            if fresh {
                if let Some(g) = self.pending.get(j) {
                    self.sum.iter_mut().zip(g).for_each(|(s, v)| *s += v);
                }
                self.collected += 1;
                report.used += 1;
            } else {
                self.discarded_total += 1;
                report.discarded += 1;
            }
            let updated = self.collected == self.batch;
            if updated {
                checked_step(self.rule.as_ref(), self.round)?;
                let s = self.batch as f64;
                self.sum.iter_mut().for_each(|v| *v /= s);
                self.rule.update(&self.sum, None)?;
                self.sum.fill(0.0);
                self.collected = 0;
                self.round += 1;
            }
            // Reply with the current iterate; the worker restarts when it arrives.
            let state = cluster.downlink_state(t, worker_id(j));
            let point = self
                .points
                .get_mut(j)
                .ok_or_else(|| OptError::InvalidParameter(format!("no worker {j}")))?;
            let (delivery, down) = cluster.downlink(
                j,
                &self.exact,
                self.rule.iterate(),
                &state,
                self.round,
                point,
            )?;
            report.downlink_bits += delivery.bits as u64;
            if let Some(v) = self.versions.get_mut(j) {
                *v = self.round;
            }
            report.uplink_bits += self.start(cluster, j, arrival + down)?;
            report.gradients += 1;
            if updated {
                report.time = cluster.now();
                return Ok(report);
            }
        }
    }
}
