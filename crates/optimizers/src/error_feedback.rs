//! Error feedback, EF-SGD (Stich, Cordonnier & Jaggi 2018; Karimireddy et al. 2019):
//!
//! `p_t = eta_t g_t + e_t`, `Delta_t = C(p_t)`, `x_{t+1} = x_t - Delta_t`, `e_{t+1} = p_t - Delta_t`,
//! with `e_0 = 0`.
//!
//! The worker decodes its own message to know `Delta_t` and keeps the residual `e`; the virtual
//! iterate `x_t - e_t` then follows SGD exactly, which is why a biased compressor (top-k, scaled
//! sign) converges with EF where it stalls without. The server hands its rule
//! `g_hat_t = Delta_t / eta_t`, so SGD's update `x_t - eta_t g_hat_t` is `x_t - Delta_t` up to one
//! rounding, and the same memory drives projected SGD or mirror descent.
//!
//! ```
//! use optimizers::{ErrorFeedback, Memory, RoundContext, Sgd, StepSchedule};
//! let rule = Sgd::new(vec![0.0; 2], StepSchedule::constant(0.5)?)?;
//! let mut worker = ErrorFeedback.worker(&rule);
//! let ctx = RoundContext { round: 0, worker: 0, step: Some(0.5) };
//! assert_eq!(worker.input(&[0.0; 2], &[2.0, 4.0], &ctx)?, &[1.0, 2.0]); // p = eta g + 0
//! worker.feedback(&[0.0, 2.0], &ctx)?; // a top-1 message
//! assert_eq!(worker.view().error, Some(&[1.0, 0.0][..])); // e = p - Delta
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::memory::{MemoryView, RoundContext, ServerMemory, WorkerMemory, require_step};
use crate::{Memory, OptError, UpdateRule};

/// The EF-SGD memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErrorFeedback;

#[derive(Debug)]
struct EfWorker {
    p: Vec<f64>,
    e: Vec<f64>,
}

#[derive(Debug)]
struct EfServer {
    g_hat: Vec<f64>,
}

impl Memory for ErrorFeedback {
    fn name(&self) -> String {
        "ef-sgd".into()
    }

    fn check(&self, rule: &dyn UpdateRule, _workers: usize) -> Result<(), OptError> {
        match rule.step_size() {
            Some(_) => Ok(()),
            None => Err(OptError::InvalidParameter(format!(
                "error feedback needs a rule with a scalar step; {} has none",
                rule.name()
            ))),
        }
    }

    fn worker(&self, rule: &dyn UpdateRule) -> Box<dyn WorkerMemory> {
        Box::new(EfWorker {
            p: vec![0.0; rule.dim()],
            e: vec![0.0; rule.dim()],
        })
    }

    fn server(&self, rule: &dyn UpdateRule) -> Box<dyn ServerMemory> {
        Box::new(EfServer {
            g_hat: vec![0.0; rule.dim()],
        })
    }
}

impl WorkerMemory for EfWorker {
    fn input<'a>(
        &'a mut self,
        _query: &[f64],
        gradient: &'a [f64],
        ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        let eta = require_step("error feedback", ctx)?;
        crate::error::check_dim("gradient", self.p.len(), gradient.len())?;
        for ((p, &g), &e) in self.p.iter_mut().zip(gradient).zip(&self.e) {
            *p = eta * g + e;
        }
        Ok(&self.p)
    }

    fn feedback(&mut self, decoded: &[f64], _ctx: &RoundContext) -> Result<(), OptError> {
        crate::error::check_dim("decoded message", self.e.len(), decoded.len())?;
        for ((e, &p), &delta) in self.e.iter_mut().zip(&self.p).zip(decoded) {
            *e = p - delta;
        }
        Ok(())
    }

    fn view(&self) -> MemoryView<'_> {
        MemoryView {
            error: Some(&self.e),
            ..MemoryView::default()
        }
    }
}

impl ServerMemory for EfServer {
    fn estimate<'a>(
        &'a mut self,
        decoded: &'a [f64],
        _iterate: &[f64],
        ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        let eta = require_step("error feedback", ctx)?;
        crate::error::check_dim("decoded message", self.g_hat.len(), decoded.len())?;
        for (g, &delta) in self.g_hat.iter_mut().zip(decoded) {
            *g = delta / eta;
        }
        Ok(&self.g_hat)
    }
}
