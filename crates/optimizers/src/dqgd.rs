//! DQ-GD error compensation (Lin, Kostina & Hassibi, arXiv 2002.02508, Algorithm 2 of
//! Appendix A, which is Algorithm 1 when the steps are constant).
//!
//! With `eta_{-1} = 0` and `e_{-1} = 0`, in iteration `i` the worker
//! 1. queries at `z_i = x_hat_i + eta_{i-1} e_{i-1}` (line 4),
//! 2. quantizes `u_i = grad f(z_i) - (eta_{i-1}/eta_i) e_{i-1}` (line 6) to `q_i`,
//! 3. stores `e_i = q_i - u_i` (line 8),
//!
//! and the server steps `x_hat_{i+1} = x_hat_i - eta_i q_i` (line 9). By Lemma 17 (Lemma 10 for a
//! constant step) `x_hat_i = x_i - eta_{i-1} e_{i-1}` where `x_i` is unquantized GD from the same
//! start, so `z_i = x_i`: the worker queries the unquantized trajectory.
//!
//! The worker needs `x_hat_i`. It does not read the server: it **replays** the server's update
//! from its own decoded messages with the same function ([`crate::gradient_step`]) and the same
//! steps, so its copy equals the server's bit for bit. This needs a rule whose update is exactly
//! that gradient step ([`UpdateRule::is_gradient_step`]: [`crate::GradientDescent`] or
//! [`crate::Sgd`]) and a single worker; [`Memory::check`] rejects anything else. With
//! [`quantizers::RangeSchedule::dqgd`] the quantizer's range `M_i` never overloads (Lemma 12).
//!
//! ```
//! use optimizers::{DqGd, GradientDescent, Memory, RoundContext};
//! let rule = GradientDescent::new(vec![1.0, 1.0], 0.5)?;
//! let mut worker = DqGd.worker(&rule);
//! let ctx = RoundContext { round: 0, worker: 0, step: Some(0.5) };
//! let mut z = [0.0; 2];
//! worker.query_point(&[9.0, 9.0], &mut z)?; // the broadcast is not read
//! assert_eq!(z, [1.0, 1.0]); // z_0 = x_hat_0
//! worker.input(&z, &[2.0, 2.0], &ctx)?;     // u_0 = grad f(z_0)
//! worker.feedback(&[2.5, 1.5], &ctx)?;      // q_0
//! assert_eq!(worker.view().error, Some(&[0.5, -0.5][..]));
//! assert_eq!(worker.view().replayed_iterate, Some(&[-0.25, 0.25][..]));
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::memory::{MemoryView, RoundContext, ServerMemory, WorkerMemory, require_step};
use crate::rule::gradient_step;
use crate::{Memory, OptError, UpdateRule};

/// The DQ-GD memory (error compensation with a replayed iterate).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DqGd;

#[derive(Debug)]
struct DqGdWorker {
    /// The worker's replay of `x_hat_i`.
    x_hat: Vec<f64>,
    /// `e_{i-1}`, then `e_i` after feedback.
    e: Vec<f64>,
    /// The quantizer input `u_i`.
    u: Vec<f64>,
    /// `eta_{i-1}` (0 before the first iteration).
    prev_step: f64,
}

#[derive(Debug)]
struct DqGdServer;

impl Memory for DqGd {
    fn name(&self) -> String {
        "dq-gd".into()
    }

    fn check(&self, rule: &dyn UpdateRule, workers: usize) -> Result<(), OptError> {
        if workers != 1 {
            return Err(OptError::InvalidParameter(format!(
                "DQ-GD's replay is defined for one worker, got {workers}"
            )));
        }
        if !rule.is_gradient_step() || rule.step_size().is_none() {
            return Err(OptError::InvalidParameter(format!(
                "DQ-GD needs a plain gradient-step rule the worker can replay; {} is not one",
                rule.name()
            )));
        }
        Ok(())
    }

    fn worker(&self, rule: &dyn UpdateRule) -> Box<dyn WorkerMemory> {
        let d = rule.dim();
        Box::new(DqGdWorker {
            x_hat: rule.iterate().to_vec(),
            e: vec![0.0; d],
            u: vec![0.0; d],
            prev_step: 0.0,
        })
    }

    fn server(&self, _rule: &dyn UpdateRule) -> Box<dyn ServerMemory> {
        Box::new(DqGdServer)
    }
}

impl WorkerMemory for DqGdWorker {
    fn query_point(&mut self, _broadcast: &[f64], out: &mut [f64]) -> Result<(), OptError> {
        crate::error::check_dim("query buffer", self.x_hat.len(), out.len())?;
        for ((z, &x), &e) in out.iter_mut().zip(&self.x_hat).zip(&self.e) {
            *z = x + self.prev_step * e;
        }
        Ok(())
    }

    fn input<'a>(
        &'a mut self,
        _query: &[f64],
        gradient: &'a [f64],
        ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        let eta = require_step("DQ-GD", ctx)?;
        crate::error::check_dim("gradient", self.u.len(), gradient.len())?;
        let ratio = self.prev_step / eta;
        for ((u, &g), &e) in self.u.iter_mut().zip(gradient).zip(&self.e) {
            *u = g - ratio * e;
        }
        Ok(&self.u)
    }

    fn feedback(&mut self, q: &[f64], ctx: &RoundContext) -> Result<(), OptError> {
        let eta = require_step("DQ-GD", ctx)?;
        crate::error::check_dim("decoded message", self.e.len(), q.len())?;
        for ((e, &qi), &u) in self.e.iter_mut().zip(q).zip(&self.u) {
            *e = qi - u;
        }
        gradient_step(&mut self.x_hat, eta, q);
        self.prev_step = eta;
        Ok(())
    }

    fn view(&self) -> MemoryView<'_> {
        MemoryView {
            replayed_iterate: Some(&self.x_hat),
            error: Some(&self.e),
            ..MemoryView::default()
        }
    }
}

impl ServerMemory for DqGdServer {
    fn estimate<'a>(
        &'a mut self,
        decoded: &'a [f64],
        _iterate: &[f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        Ok(decoded)
    }
}
