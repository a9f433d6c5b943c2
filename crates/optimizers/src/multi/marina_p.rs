//! MARINA-P (Gruntkowska, Tyurin & Richtárik 2024), as reconstructed in notes-algorithms §5.6
//! from the M3 reference code (the notes tag the description [INF]):
//!
//! ```text
//! every worker holds w_i (w_i = x_0)
//! round t: g_t = (1/n) sum_i g_i(w_i)                   # workers' gradients at their own w_i
//!          x_{t+1} = x_t - eta_t g_t
//!          with probability p (a public coin): send x_{t+1} in full, w_i = x_{t+1}
//!          otherwise: send worker i C_i(x_{t+1} - x_t),  w_i = w_i + C_i(x_{t+1} - x_t)
//! ```
//!
//! with `C_i` a Perm-K compressor shared by the workers (correlated: the blocks partition the
//! coordinates): by default [`quantizers::PermK`] with its values sent as binary64
//! ([`quantizers::ScalarCode::F64`], so `w_i` moves by exactly `n` times the block of the
//! difference and `(1/n) sum_i w_i = x` up to rounding), or any scheme whose messages depend on
//! `PublicState::worker`. The uplink goes through any quantizer (exact for MARINA-P proper;
//! compressing it is M3's territory). Time of round `t`: `max_i (down_i + b h_i + up_i)` where
//! `down_i` is the downlink that produced `w_i` (free in round 0).
//!
//! ```
//! use optimizers::multi::{Cluster, CommUnit, MarinaP, Method, TimeModel};
//! use optimizers::{Sgd, StepSchedule};
//! use oracles::{GaussianQuadratic, Oracle};
//! use quantizers::Unquantized;
//!
//! let oracles: Vec<Box<dyn Oracle>> = (0..2)
//!     .map(|_| Ok(Box::new(GaussianQuadratic::new(vec![1.0; 4], 0.1)?) as Box<dyn Oracle>))
//!     .collect::<Result<_, oracles::OracleError>>()?;
//! let time = TimeModel::new(vec![1.0, 1.0], CommUnit::Coordinate, 0.1, 0.1)?;
//! let mut cluster = Cluster::new(oracles, time, 256, 5)?;
//! let sgd = Sgd::new(vec![0.0; 4], StepSchedule::constant(0.5)?)?;
//! let mut m = MarinaP::new(Box::new(sgd), Box::new(Unquantized::new(4)?), 2, 1, 0.25)?;
//! let r = m.step(&mut cluster)?;
//! // A compressed round sends each worker its half of the coordinates; a full one, everything.
//! assert!(r.downlink_bits == 4 * 64 || r.downlink_bits == 2 * 4 * 64);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use quantizers::{PermK, Purpose, Quantizer, ScalarCode, Unquantized};
use rand::Rng;

use super::cluster::worker_id;
use super::{Cluster, Method, RoundReport};
use crate::error::{check_dim, check_point};
use crate::round_loop::{check_budget, checked_step};
use crate::{OptError, UpdateRule};

/// The public-coin purpose of the full-synchronisation coin.
const SYNC_COIN: Purpose = Purpose::Custom(0x4d50); // "MP"

/// MARINA-P: downlink compression with random full synchronisation.
#[derive(Debug)]
pub struct MarinaP {
    rule: Box<dyn UpdateRule>,
    uplink: Box<dyn Quantizer>,
    downlink: Box<dyn Quantizer>,
    exact: Unquantized,
    p: f64,
    batch: u64,
    round: u64,
    points: Vec<Vec<f64>>,
    down_times: Vec<f64>,
    previous: Vec<f64>,
    diff: Vec<f64>,
    acc: Vec<f64>,
    grad: Vec<f64>,
    decoded: Vec<f64>,
    sum: Vec<f64>,
    full_syncs: u64,
}

impl MarinaP {
    /// MARINA-P with the Perm-K downlink ([`quantizers::PermK`], binary64 values; `d >= n`
    /// workers), full synchronisation with probability `p` in `(0, 1]`, and `batch >= 1`
    /// gradients per worker and round.
    pub fn new(
        rule: Box<dyn UpdateRule>,
        uplink: Box<dyn Quantizer>,
        workers: usize,
        batch: u64,
        p: f64,
    ) -> Result<Self, OptError> {
        let n = u32::try_from(workers)
            .map_err(|_| OptError::InvalidParameter(format!("{workers} workers is too many")))?;
        let perm_k = PermK::new(rule.dim(), n)?.with_scalar_code(ScalarCode::F64);
        Self::with_compressor(rule, uplink, Box::new(perm_k), workers, batch, p)
    }

    /// MARINA-P with another downlink compressor `C_i` (worker `i`'s message is encoded under
    /// `PublicState::worker = i`).
    pub fn with_compressor(
        rule: Box<dyn UpdateRule>,
        uplink: Box<dyn Quantizer>,
        downlink: Box<dyn Quantizer>,
        workers: usize,
        batch: u64,
        p: f64,
    ) -> Result<Self, OptError> {
        if workers == 0 || batch == 0 {
            return Err(OptError::InvalidParameter(format!(
                "MARINA-P needs workers >= 1 and batch >= 1, got {workers} and {batch}"
            )));
        }
        if !(p > 0.0 && p <= 1.0) {
            return Err(OptError::InvalidParameter(format!(
                "the full-synchronisation probability must lie in (0, 1], got {p}"
            )));
        }
        let d = rule.dim();
        check_point("starting point", rule.iterate())?;
        check_dim("uplink quantizer", d, uplink.dim())?;
        check_dim("downlink compressor", d, downlink.dim())?;
        checked_step(rule.as_ref(), 0)?;
        Ok(Self {
            exact: Unquantized::new(d)?,
            points: vec![rule.iterate().to_vec(); workers],
            down_times: vec![0.0; workers],
            previous: vec![0.0; d],
            diff: vec![0.0; d],
            acc: vec![0.0; d],
            grad: vec![0.0; d],
            decoded: vec![0.0; d],
            sum: vec![0.0; d],
            rule,
            uplink,
            downlink,
            p,
            batch,
            round: 0,
            full_syncs: 0,
        })
    }

    /// Rounds that ended with a full synchronisation.
    pub fn full_syncs(&self) -> u64 {
        self.full_syncs
    }

    /// The point worker `i` holds.
    pub fn worker_point(&self, i: usize) -> Option<&[f64]> {
        self.points.get(i).map(Vec::as_slice)
    }
}

impl Method for MarinaP {
    fn name(&self) -> String {
        format!(
            "marina-p(p={}, down={}, up={}, rule={})",
            self.p,
            self.downlink.name(),
            self.uplink.name(),
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
        check_budget(cluster.budget(), self.uplink.as_ref())
    }

    fn step(&mut self, cluster: &mut Cluster) -> Result<RoundReport, OptError> {
        self.check(cluster)?;
        let t = self.round;
        checked_step(self.rule.as_ref(), t)?;
        let n = self.points.len();
        let mut report = RoundReport {
            round: t,
            ..RoundReport::default()
        };
        self.sum.fill(0.0);
        let mut round_time = 0.0f64;
        for (i, point) in self.points.iter().enumerate() {
            self.acc.fill(0.0);
            for _ in 0..self.batch {
                cluster.gradient(i, point, &mut self.grad)?;
                self.acc
                    .iter_mut()
                    .zip(&self.grad)
                    .for_each(|(a, g)| *a += g);
            }
            if self.batch > 1 {
                let b = self.batch as f64;
                self.acc.iter_mut().for_each(|a| *a /= b);
            }
            let state = cluster.public_state(t, worker_id(i));
            let (delivery, up) = cluster.uplink(
                i,
                self.uplink.as_ref(),
                &self.acc,
                &state,
                t,
                &mut self.decoded,
            )?;
            self.sum
                .iter_mut()
                .zip(&self.decoded)
                .for_each(|(s, q)| *s += q);
            let compute = cluster
                .time_model()
                .compute_time(i, self.batch)
                .unwrap_or(0.0);
            let down = self.down_times.get(i).copied().unwrap_or(0.0);
            round_time = round_time.max(down + compute + up);
            report.uplink_bits += delivery.bits as u64;
        }
        self.sum.iter_mut().for_each(|s| *s /= n as f64);
        self.previous.copy_from_slice(self.rule.iterate());
        self.rule.update(&self.sum, None)?;
        cluster.advance_clock(round_time);
        cluster.advance_oracles()?;

        // The downlink that sets up the next round's points; its time is charged then.
        let coin: f64 = cluster.downlink_state(t, 0).coins(SYNC_COIN).random();
        if coin < self.p {
            self.full_syncs += 1;
            let state = cluster.downlink_state(t, 0);
            let delivery = cluster.broadcast(
                &self.exact,
                self.rule.iterate(),
                &state,
                t,
                &mut self.decoded,
                &mut self.down_times,
            )?;
            for point in &mut self.points {
                point.copy_from_slice(&self.decoded);
            }
            report.downlink_bits += delivery.bits as u64 * n as u64;
        } else {
            for ((d, &x), &prev) in self
                .diff
                .iter_mut()
                .zip(self.rule.iterate())
                .zip(&self.previous)
            {
                *d = x - prev;
            }
            for (i, point) in self.points.iter_mut().enumerate() {
                let state = cluster.downlink_state(t, worker_id(i));
                let (delivery, down) = cluster.downlink(
                    i,
                    self.downlink.as_ref(),
                    &self.diff,
                    &state,
                    t,
                    &mut self.decoded,
                )?;
                point
                    .iter_mut()
                    .zip(&self.decoded)
                    .for_each(|(w, c)| *w += c);
                if let Some(slot) = self.down_times.get_mut(i) {
                    *slot = down;
                }
                report.downlink_bits += delivery.bits as u64;
            }
        }
        self.round += 1;
        report.gradients = self.batch * n as u64;
        report.used = report.gradients;
        report.time = cluster.now();
        Ok(report)
    }
}
