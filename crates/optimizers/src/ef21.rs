//! EF21 (Richtárik, Sokolov & Fatkhullin 2021): worker `i` keeps `g_i` and sends
//! `c_i = C(grad f_i(x_t) - g_i)`; both ends set `g_i <- g_i + c_i`, and the server steps with
//! `g = (1/n) sum_i g_i` (`g_i = 0` at the start).
//!
//! The worker's `g_i` and the server's copy are updated from the same decoded `c_i` with the same
//! arithmetic, so they agree bit for bit; the server never reads the worker's memory.
//!
//! ```
//! use optimizers::{Ef21, Memory, RoundContext, Sgd, StepSchedule};
//! let rule = Sgd::new(vec![0.0; 2], StepSchedule::constant(0.5)?)?;
//! let (mut worker, mut server) = (Ef21.worker(&rule), Ef21.server(&rule));
//! let ctx = RoundContext { round: 0, worker: 0, step: Some(0.5) };
//! assert_eq!(worker.input(&[0.0; 2], &[2.0, 4.0], &ctx)?, &[2.0, 4.0]); // grad - 0
//! worker.feedback(&[0.0, 4.0], &ctx)?; // a top-1 message
//! assert_eq!(server.estimate(&[0.0, 4.0], &[0.0; 2], &ctx)?, &[0.0, 4.0]); // g = 0 + c
//! assert_eq!(worker.view().tracked_gradient, Some(&[0.0, 4.0][..]));
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::memory::{MemoryView, RoundContext, ServerMemory, WorkerMemory};
use crate::{Memory, OptError, UpdateRule};

/// The EF21 memory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ef21;

/// One side's copy of `g_i`, plus the worker's input buffer.
#[derive(Debug)]
struct Tracked {
    g: Vec<f64>,
    diff: Vec<f64>,
}

impl Tracked {
    fn new(dim: usize) -> Self {
        Self {
            g: vec![0.0; dim],
            diff: vec![0.0; dim],
        }
    }

    /// `g <- g + c`, the one update both sides run.
    fn absorb(&mut self, c: &[f64]) -> Result<(), OptError> {
        crate::error::check_dim("decoded message", self.g.len(), c.len())?;
        for (g, &ci) in self.g.iter_mut().zip(c) {
            *g += ci;
        }
        Ok(())
    }
}

impl Memory for Ef21 {
    fn name(&self) -> String {
        "ef21".into()
    }

    fn worker(&self, rule: &dyn UpdateRule) -> Box<dyn WorkerMemory> {
        Box::new(Tracked::new(rule.dim()))
    }

    fn server(&self, rule: &dyn UpdateRule) -> Box<dyn ServerMemory> {
        Box::new(Tracked::new(rule.dim()))
    }
}

impl WorkerMemory for Tracked {
    fn input<'a>(
        &'a mut self,
        _query: &[f64],
        gradient: &'a [f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        crate::error::check_dim("gradient", self.g.len(), gradient.len())?;
        for ((d, &grad), &g) in self.diff.iter_mut().zip(gradient).zip(&self.g) {
            *d = grad - g;
        }
        Ok(&self.diff)
    }

    fn feedback(&mut self, decoded: &[f64], _ctx: &RoundContext) -> Result<(), OptError> {
        self.absorb(decoded)
    }

    fn view(&self) -> MemoryView<'_> {
        MemoryView {
            tracked_gradient: Some(&self.g),
            ..MemoryView::default()
        }
    }
}

impl ServerMemory for Tracked {
    fn estimate<'a>(
        &'a mut self,
        decoded: &'a [f64],
        _iterate: &[f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        self.absorb(decoded)?;
        Ok(&self.g)
    }
}
