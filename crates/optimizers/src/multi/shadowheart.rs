//! Shadowheart SGD (Tyurin, Pozzi, Ilin & Richtárik, arXiv 2402.04785), as described in
//! notes-algorithms §5.5 from the reference implementation.
//!
//! Inputs: compute times `h_i`, the time `tau_i` of one compressed message of worker `i`, the
//! compressor's variance `omega`, and `s2e = sigma^2 / eps`.
//! 1. **Equilibrium time** `t*`: sort workers by `max(h_i, tau_i)`; for each prefix of `j`
//!    workers solve `s = [sum_{i<=j} 1/(2 tau_i omega + 4 tau_i omega h_i s2e / s + 2 h_i s2e)]^{-1}`,
//!    set `t*_j = max(s_j, max(h, tau) of the j-th worker)`; `t* = min_j t*_j`.
//! 2. `b_i = floor(t*/h_i)` gradients and `m_i = floor(t*/tau_i)` messages per round; worker `i`
//!    takes part iff both are positive.
//! 3. Weights `w_i = 1/(b_i omega + omega s2e + m_i s2e)` (all 1 when `omega = s2e = 0`),
//!    normaliser `Z = sum_i w_i m_i b_i`.
//! 4. A round: each active worker sums `b_i` stochastic gradients at `x` into `a_i` and sends
//!    `m_i` independent compressions of `a_i`; the server steps with `g = (1/Z) sum_i w_i sum_j
//!    C_j(a_i)`, which is unbiased for `grad f(x)`.
//!
//! The fixed point of step 1 is the root of `G(s) = sum_i s^2/(a_i s + c_i) = 1`
//! (`a_i = 2 tau_i omega + 2 h_i s2e`, `c_i = 4 tau_i omega h_i s2e`), increasing in `s`; it lies
//! between `[sum_i 1/a_i]^{-1}` and `min_i (a_i + sqrt(a_i^2 + 4 c_i))/2`, and is found by
//! bisection to machine precision. A round takes `max_i (down_i + b_i h_i + sum_j up_ij)`,
//! at most `2 t*` plus the downlink. The message time `tau_i` is that of the scheme's longest
//! message (its declared maximum, or the budget for variable-length schemes), measured in the
//! time model's unit.
//!
//! ```
//! use optimizers::multi::equilibrium_time;
//! // One worker, h = tau = omega = sigma^2/eps = 1: s^2 = 4 s + 4, s = 2 + 2 sqrt(2).
//! let t = equilibrium_time(&[1.0], &[1.0], 1.0, 1.0)?;
//! assert!((t - (2.0 + 2.0 * 2f64.sqrt())).abs() < 1e-12);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use quantizers::{BitCost, Quantizer, Unquantized, VarianceBound};

use super::cluster::worker_id;
use super::{Cluster, Method, RoundReport};
use crate::error::{check_dim, check_point};
use crate::round_loop::{check_budget, checked_step};
use crate::{OptError, UpdateRule};

/// Bisection steps for the equilibrium time; each halves the bracket.
const BISECTION_STEPS: usize = 200;

/// The equilibrium time `t*` of step 1 (module docs).
pub fn equilibrium_time(h: &[f64], tau: &[f64], omega: f64, s2e: f64) -> Result<f64, OptError> {
    check_times(h, tau)?;
    for (what, v) in [("omega", omega), ("sigma^2/eps", s2e)] {
        if !(v.is_finite() && v >= 0.0) {
            return Err(OptError::InvalidParameter(format!(
                "{what} must be finite and non-negative, got {v}"
            )));
        }
    }
    let mut order: Vec<usize> = (0..h.len()).collect();
    let key = |i: usize| {
        h.get(i)
            .copied()
            .unwrap_or(0.0)
            .max(tau.get(i).copied().unwrap_or(0.0))
    };
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
    let coefficients: Vec<(f64, f64)> = order
        .iter()
        .filter_map(|&i| {
            let (hi, ti) = (*h.get(i)?, *tau.get(i)?);
            Some((
                2.0 * ti * omega + 2.0 * hi * s2e,
                4.0 * ti * omega * hi * s2e,
            ))
        })
        .collect();
    let mut best = f64::INFINITY;
    for j in 1..=order.len() {
        let s = prefix_fixed_point(coefficients.get(..j).unwrap_or(&[]));
        let slowest = order.get(j - 1).map_or(0.0, |&i| key(i));
        best = best.min(s.max(slowest));
    }
    Ok(best)
}

/// The root of `sum_i s^2 / (a_i s + c_i) = 1` (0 when some `a_i = c_i = 0`).
fn prefix_fixed_point(ac: &[(f64, f64)]) -> f64 {
    if ac.iter().any(|&(a, c)| a == 0.0 && c == 0.0) {
        return 0.0;
    }
    let g = |s: f64| ac.iter().map(|&(a, c)| s * s / (a * s + c)).sum::<f64>();
    let mut lo = 1.0 / ac.iter().map(|&(a, _)| 1.0 / a).sum::<f64>();
    let mut hi = ac
        .iter()
        .map(|&(a, c)| 0.5 * (a + (a * a + 4.0 * c).sqrt()))
        .fold(f64::INFINITY, f64::min);
    if lo >= hi || lo.is_nan() {
        return hi;
    }
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if g(mid) < 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= f64::EPSILON * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

fn check_times(h: &[f64], tau: &[f64]) -> Result<(), OptError> {
    if h.is_empty() || h.len() != tau.len() {
        return Err(OptError::InvalidParameter(format!(
            "{} compute times and {} message times; need the same positive number",
            h.len(),
            tau.len()
        )));
    }
    for (what, v) in h
        .iter()
        .map(|v| ("h_i", v))
        .chain(tau.iter().map(|v| ("tau_i", v)))
    {
        if !(v.is_finite() && *v > 0.0) {
            return Err(OptError::InvalidParameter(format!(
                "{what} = {v} must be positive and finite"
            )));
        }
    }
    Ok(())
}

/// Steps 1–3: the equilibrium time and what each worker does in a round.
#[derive(Debug, Clone, PartialEq)]
pub struct ShadowheartPlan {
    /// The equilibrium time `t*`.
    pub t_star: f64,
    /// `tau_i`, seconds per message.
    pub message_times: Vec<f64>,
    /// `b_i = floor(t*/h_i)`.
    pub batches: Vec<u64>,
    /// `m_i = floor(t*/tau_i)`.
    pub messages: Vec<u64>,
    /// `w_i` (0 for inactive workers).
    pub weights: Vec<f64>,
    /// `Z = sum_i w_i m_i b_i`.
    pub normaliser: f64,
}

impl ShadowheartPlan {
    /// The plan for compute times `h`, message times `tau`, variance `omega` and
    /// `s2e = sigma^2/eps`.
    pub fn new(h: &[f64], tau: &[f64], omega: f64, s2e: f64) -> Result<Self, OptError> {
        let t_star = equilibrium_time(h, tau, omega, s2e)?;
        // floor(t*/h) computed in floats can land one below an exact integer ratio; a
        // relative nudge of a few ulps keeps b_i = t*/h_i when they are equal.
        let count = |x: f64| ((t_star / x) * (1.0 + 4.0 * f64::EPSILON)).floor() as u64;
        let batches: Vec<u64> = h.iter().map(|&x| count(x)).collect();
        let messages: Vec<u64> = tau.iter().map(|&x| count(x)).collect();
        let weights: Vec<f64> = batches
            .iter()
            .zip(&messages)
            .map(|(&b, &m)| {
                if b == 0 || m == 0 {
                    0.0
                } else if omega == 0.0 && s2e == 0.0 {
                    1.0
                } else {
                    1.0 / (b as f64 * omega + omega * s2e + m as f64 * s2e)
                }
            })
            .collect();
        let normaliser = weights
            .iter()
            .zip(batches.iter().zip(&messages))
            .map(|(w, (&b, &m))| w * m as f64 * b as f64)
            .sum();
        Ok(Self {
            t_star,
            message_times: tau.to_vec(),
            batches,
            messages,
            weights,
            normaliser,
        })
    }
}

/// Shadowheart SGD with a fixed per-round plan.
#[derive(Debug)]
pub struct Shadowheart {
    rule: Box<dyn UpdateRule>,
    quantizer: Box<dyn Quantizer>,
    exact: Unquantized,
    omega: f64,
    s2e: f64,
    plan: Option<ShadowheartPlan>,
    round: u64,
    sequence: Vec<u64>,
    point: Vec<f64>,
    acc: Vec<f64>,
    grad: Vec<f64>,
    decoded: Vec<f64>,
    sum: Vec<f64>,
    down_times: Vec<f64>,
}

impl Shadowheart {
    /// Shadowheart with `s2e = sigma^2 / eps >= 0`; `omega` is read from the quantizer's
    /// declared variance (`Relative { omega }`, or 0 for an exact scheme) unless given with
    /// [`Shadowheart::with_omega`].
    pub fn new(
        rule: Box<dyn UpdateRule>,
        quantizer: Box<dyn Quantizer>,
        s2e: f64,
    ) -> Result<Self, OptError> {
        let d = rule.dim();
        check_point("starting point", rule.iterate())?;
        check_dim("uplink quantizer", d, quantizer.dim())?;
        checked_step(rule.as_ref(), 0)?;
        if !(s2e.is_finite() && s2e >= 0.0) {
            return Err(OptError::InvalidParameter(format!(
                "sigma^2/eps must be finite and non-negative, got {s2e}"
            )));
        }
        let omega = match quantizer.variance() {
            VarianceBound::Relative { omega } => omega,
            VarianceBound::Absolute { mse: 0.0 } => 0.0,
            _ => f64::NAN,
        };
        Ok(Self {
            exact: Unquantized::new(d)?,
            point: rule.iterate().to_vec(),
            rule,
            quantizer,
            omega,
            s2e,
            plan: None,
            round: 0,
            sequence: Vec::new(),
            acc: vec![0.0; d],
            grad: vec![0.0; d],
            decoded: vec![0.0; d],
            sum: vec![0.0; d],
            down_times: Vec::new(),
        })
    }

    /// The same method with the compressor variance `omega >= 0` given explicitly.
    pub fn with_omega(mut self, omega: f64) -> Result<Self, OptError> {
        if !(omega.is_finite() && omega >= 0.0) {
            return Err(OptError::InvalidParameter(format!(
                "omega must be finite and non-negative, got {omega}"
            )));
        }
        self.omega = omega;
        Ok(self)
    }

    /// The plan for this cluster: `tau_i` from the scheme's longest message and the links.
    pub fn plan(&self, cluster: &Cluster) -> Result<ShadowheartPlan, OptError> {
        if !self.omega.is_finite() {
            return Err(OptError::InvalidParameter(format!(
                "{} declares no omega; give it with with_omega",
                self.quantizer.name()
            )));
        }
        let bits = match self.quantizer.bit_cost() {
            BitCost::Exact(n) | BitCost::AtMost(n) => n,
            BitCost::Variable => cluster.budget(),
        };
        let time = cluster.time_model();
        let mut tau = Vec::with_capacity(cluster.workers());
        for i in 0..cluster.workers() {
            let state = cluster.public_state(0, worker_id(i));
            let coords = self
                .quantizer
                .support(&state)
                .map_or(cluster.dim(), |s| s.len());
            tau.push(time.uplink_time(i, bits, coords).unwrap_or(0.0));
        }
        ShadowheartPlan::new(time.compute_times(), &tau, self.omega, self.s2e)
    }
}

impl Method for Shadowheart {
    fn name(&self) -> String {
        format!(
            "shadowheart(omega={}, s2e={}, up={}, rule={})",
            self.omega,
            self.s2e,
            self.quantizer.name(),
            self.rule.name()
        )
    }

    fn iterate(&self) -> &[f64] {
        self.rule.iterate()
    }

    fn check(&self, cluster: &Cluster) -> Result<(), OptError> {
        check_dim("method", cluster.dim(), self.rule.dim())?;
        check_budget(cluster.budget(), self.quantizer.as_ref())?;
        self.plan(cluster).map(|_| ())
    }

    fn step(&mut self, cluster: &mut Cluster) -> Result<RoundReport, OptError> {
        check_dim("method", cluster.dim(), self.rule.dim())?;
        let plan = match self.plan.take() {
            Some(p) => p,
            None => {
                check_budget(cluster.budget(), self.quantizer.as_ref())?;
                self.sequence = vec![0; cluster.workers()];
                self.plan(cluster)?
            }
        };
        let result = self.round_with(cluster, &plan);
        self.plan = Some(plan);
        result
    }
}

impl Shadowheart {
    fn round_with(
        &mut self,
        cluster: &mut Cluster,
        plan: &ShadowheartPlan,
    ) -> Result<RoundReport, OptError> {
        let t = self.round;
        checked_step(self.rule.as_ref(), t)?;
        let n = cluster.workers();
        let mut report = RoundReport {
            round: t,
            ..RoundReport::default()
        };
        if t > 0 {
            let state = cluster.downlink_state(t, 0);
            let delivery = cluster.broadcast(
                &self.exact,
                self.rule.iterate(),
                &state,
                t,
                &mut self.point,
                &mut self.down_times,
            )?;
            report.downlink_bits = delivery.bits as u64 * n as u64;
        } else {
            self.down_times = vec![0.0; n];
        }
        self.sum.fill(0.0);
        let mut round_time = 0.0f64;
        for i in 0..n {
            let (b, m, w) = match (
                plan.batches.get(i),
                plan.messages.get(i),
                plan.weights.get(i),
            ) {
                (Some(&b), Some(&m), Some(&w)) if b > 0 && m > 0 => (b, m, w),
                _ => continue,
            };
            self.acc.fill(0.0);
            for _ in 0..b {
                cluster.gradient(i, &self.point, &mut self.grad)?;
                self.acc
                    .iter_mut()
                    .zip(&self.grad)
                    .for_each(|(a, g)| *a += g);
            }
            let mut busy = cluster.time_model().compute_time(i, b).unwrap_or(0.0);
            for _ in 0..m {
                let seq = self.sequence.get_mut(i).ok_or_else(|| {
                    OptError::InvalidParameter(format!("no worker {i} in the plan"))
                })?;
                let state = cluster.public_state(*seq, worker_id(i));
                *seq += 1;
                let (delivery, up) = cluster.uplink(
                    i,
                    self.quantizer.as_ref(),
                    &self.acc,
                    &state,
                    t,
                    &mut self.decoded,
                )?;
                busy += up;
                report.uplink_bits += delivery.bits as u64;
                self.sum
                    .iter_mut()
                    .zip(&self.decoded)
                    .for_each(|(s, q)| *s += w * q);
            }
            let down = self.down_times.get(i).copied().unwrap_or(0.0);
            round_time = round_time.max(down + busy);
            report.gradients += b;
            report.used += b;
        }
        let z = plan.normaliser;
        self.sum.iter_mut().for_each(|s| *s /= z);
        self.rule.update(&self.sum, None)?;
        cluster.advance_clock(round_time);
        cluster.advance_oracles()?;
        self.round += 1;
        report.time = cluster.now();
        Ok(report)
    }
}
