//! Synchronous SGD: every round, every worker gets the iterate, averages `b` stochastic
//! gradients, and sends one message; the server averages the `n` decoded estimates and updates.
//!
//! With [`Downlink::Exact`], `b = 1`, the exact pathway and no memory this is minibatch SGD
//! with batch `n`: `x_{t+1} = x_t - eta_t (1/n) sum_i g_{t,i}`. Worker memories (EF-SGD, EF21)
//! give each worker its own worker half and the server one server half per worker. Round time
//! (notes-algorithms §5.7): `max_i (down_i + b h_i + up_i)`, the downlink of round 0 being free
//! because `x_0` is public.

use quantizers::{Quantizer, Unquantized};

use super::cluster::worker_id;
use super::{Cluster, Downlink, Method, RoundReport};
use crate::error::{check_dim, check_point};
use crate::memory::{RoundContext, ServerMemory, WorkerMemory};
use crate::round_loop::{check_budget, checked_step};
use crate::{Memory, OptError, UpdateRule};

/// Synchronous (minibatch) SGD with compressed uplinks and an optional compressed downlink.
#[derive(Debug)]
pub struct SyncSgd {
    rule: Box<dyn UpdateRule>,
    uplink: Box<dyn Quantizer>,
    downlink: Downlink,
    exact: Unquantized,
    workers: Vec<Box<dyn WorkerMemory>>,
    servers: Vec<Box<dyn ServerMemory>>,
    batch: u64,
    round: u64,
    /// The point the workers hold (`x_t` decoded, or EF21-P's `w_t`).
    point: Vec<f64>,
    query: Vec<f64>,
    grad: Vec<f64>,
    acc: Vec<f64>,
    decoded: Vec<f64>,
    sum: Vec<f64>,
    down_times: Vec<f64>,
}

impl SyncSgd {
    /// `workers` workers averaging `batch >= 1` gradients per round, compressing with
    /// `uplink`, each with a `memory`; the server updates with `rule` and reaches the workers
    /// through `downlink`.
    pub fn new(
        rule: Box<dyn UpdateRule>,
        uplink: Box<dyn Quantizer>,
        memory: &dyn Memory,
        workers: usize,
        batch: u64,
        downlink: Downlink,
    ) -> Result<Self, OptError> {
        if workers == 0 || batch == 0 {
            return Err(OptError::InvalidParameter(format!(
                "synchronous SGD needs workers >= 1 and batch >= 1, got {workers} and {batch}"
            )));
        }
        let d = rule.dim();
        check_point("starting point", rule.iterate())?;
        check_dim("uplink quantizer", d, uplink.dim())?;
        if let Downlink::Ef21P(c) = &downlink {
            check_dim("downlink compressor", d, c.dim())?;
        }
        checked_step(rule.as_ref(), 0)?;
        memory.check(rule.as_ref(), workers)?;
        let exact = Unquantized::new(d)?;
        Ok(Self {
            workers: (0..workers).map(|_| memory.worker(rule.as_ref())).collect(),
            servers: (0..workers).map(|_| memory.server(rule.as_ref())).collect(),
            point: rule.iterate().to_vec(),
            rule,
            uplink,
            downlink,
            exact,
            batch,
            round: 0,
            query: vec![0.0; d],
            grad: vec![0.0; d],
            acc: vec![0.0; d],
            decoded: vec![0.0; d],
            sum: vec![0.0; d],
            down_times: vec![0.0; workers],
        })
    }

    /// The server's update rule.
    pub fn rule(&self) -> &dyn UpdateRule {
        self.rule.as_ref()
    }

    /// Delivers `x_t` to the workers (rounds `t >= 1`); returns the downlink bits.
    fn deliver(&mut self, cluster: &mut Cluster) -> Result<u64, OptError> {
        let n = self.workers.len();
        if self.round == 0 {
            self.down_times.clear();
            self.down_times.resize(n, 0.0);
            return Ok(0);
        }
        let state = cluster.downlink_state(self.round, 0);
        let delivery = match &self.downlink {
            Downlink::Exact => cluster.broadcast(
                &self.exact,
                self.rule.iterate(),
                &state,
                self.round,
                &mut self.point,
                &mut self.down_times,
            )?,
            Downlink::Ef21P(c) => {
                for ((diff, &x), &w) in self
                    .sum
                    .iter_mut()
                    .zip(self.rule.iterate())
                    .zip(&self.point)
                {
                    *diff = x - w;
                }
                let delivery = cluster.broadcast(
                    c.as_ref(),
                    &self.sum,
                    &state,
                    self.round,
                    &mut self.decoded,
                    &mut self.down_times,
                )?;
                for (w, &c) in self.point.iter_mut().zip(&self.decoded) {
                    *w += c;
                }
                delivery
            }
        };
        Ok(delivery.bits as u64 * n as u64)
    }
}

impl Method for SyncSgd {
    fn name(&self) -> String {
        let down = match self.downlink {
            Downlink::Exact => "exact".to_string(),
            Downlink::Ef21P(ref c) => format!("ef21-p({})", c.name()),
        };
        format!(
            "sync-sgd(n={}, b={}, up={}, down={down}, rule={})",
            self.workers.len(),
            self.batch,
            self.uplink.name(),
            self.rule.name()
        )
    }

    fn iterate(&self) -> &[f64] {
        self.rule.iterate()
    }

    fn check(&self, cluster: &Cluster) -> Result<(), OptError> {
        check_dim("method", cluster.dim(), self.rule.dim())?;
        if cluster.workers() != self.workers.len() {
            return Err(OptError::InvalidParameter(format!(
                "method built for {} workers, cluster has {}",
                self.workers.len(),
                cluster.workers()
            )));
        }
        check_budget(cluster.budget(), self.uplink.as_ref())
    }

    fn step(&mut self, cluster: &mut Cluster) -> Result<RoundReport, OptError> {
        self.check(cluster)?;
        let t = self.round;
        let step = checked_step(self.rule.as_ref(), t)?;
        let downlink_bits = self.deliver(cluster)?;
        self.sum.fill(0.0);
        let (mut round_time, mut uplink_bits) = (0.0f64, 0u64);
        for (i, (worker, server)) in self.workers.iter_mut().zip(&mut self.servers).enumerate() {
            let ctx = RoundContext {
                round: t,
                worker: worker_id(i),
                step,
            };
            worker.query_point(&self.point, &mut self.query)?;
            self.acc.fill(0.0);
            for _ in 0..self.batch {
                cluster.gradient(i, &self.query, &mut self.grad)?;
                self.acc
                    .iter_mut()
                    .zip(&self.grad)
                    .for_each(|(a, g)| *a += g);
            }
            if self.batch > 1 {
                let b = self.batch as f64;
                self.acc.iter_mut().for_each(|a| *a /= b);
            }
            let input = worker.input(&self.query, &self.acc, &ctx)?;
            let mut state = cluster.public_state(t, worker_id(i));
            state.centre = server.centre(self.rule.iterate());
            let (delivery, up) =
                cluster.uplink(i, self.uplink.as_ref(), input, &state, t, &mut self.decoded)?;
            worker.feedback(&self.decoded, &ctx)?;
            let estimate = server.estimate(&self.decoded, self.rule.iterate(), &ctx)?;
            self.sum.iter_mut().zip(estimate).for_each(|(s, e)| *s += e);
            let compute = cluster
                .time_model()
                .compute_time(i, self.batch)
                .unwrap_or(0.0);
            let down = self.down_times.get(i).copied().unwrap_or(0.0);
            round_time = round_time.max(down + compute + up);
            uplink_bits += delivery.bits as u64;
        }
        let n = self.workers.len() as f64;
        self.sum.iter_mut().for_each(|s| *s /= n);
        self.rule.update(&self.sum, None)?;
        cluster.advance_clock(round_time);
        cluster.advance_oracles()?;
        self.round += 1;
        let gradients = self.batch * self.workers.len() as u64;
        Ok(RoundReport {
            round: t,
            time: cluster.now(),
            gradients,
            used: gradients,
            discarded: 0,
            uplink_bits,
            downlink_bits,
        })
    }
}
