//! Worker memories: what a worker remembers between rounds, and how the server reads it.
//!
//! A memory decides three things each round: where the worker queries the oracle, what vector
//! it hands to the quantizer, and how the server turns the decoded message into the gradient
//! estimate its [`UpdateRule`] consumes. Its two halves are separate values:
//! - [`WorkerMemory`] lives on the worker: it sees the oracle's gradient and its own decoded
//!   message (the worker can decode its own bits), never the server's state;
//! - [`ServerMemory`] lives on the server: it sees only decoded messages, its own iterate and
//!   the public [`RoundContext`].
//!
//! Anything both halves track (EF21's `g`, DQ-GD's iterate) is computed twice, on each side
//! from public information with identical arithmetic, which is what a real deployment does; the
//! tests check that the two copies agree bit for bit. The public centre handed to adaptive
//! quantizers ([`quantizers::PublicState::centre`]) comes from the server half, which sees the
//! rule's iterate. A [`Memory`] is the recipe that builds the pair. Built-in memories:
//!
//! | memory | worker input | server estimate |
//! |---|---|---|
//! | [`NoMemory`] | `g_t` | `C(g_t)` |
//! | [`ErrorFeedback`] (EF-SGD) | `p_t = eta_t g_t + e_t` | `Delta_t / eta_t` |
//! | [`Ef21`] | `grad_t - g_i` | `g += C(.)` |
//! | [`DqGd`] | `grad f(z_i) - (eta_{i-1}/eta_i) e_{i-1}` | `q_i` |
//! | [`Reduction`] | `w_t = z_t - g_t` | `x_t - w_hat_t` |
//!
//! [`ErrorFeedback`]: crate::ErrorFeedback
//! [`Ef21`]: crate::Ef21
//! [`DqGd`]: crate::DqGd
//! [`Reduction`]: crate::Reduction

use crate::{OptError, UpdateRule};

/// What both halves of a memory know about the current round.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoundContext {
    /// The round (0-based).
    pub round: u64,
    /// The worker.
    pub worker: u32,
    /// The step `eta_t` the server's rule will apply this round, when it has a scalar one.
    pub step: Option<f64>,
}

/// What a worker memory exposes for inspection (by observers and tests).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct MemoryView<'a> {
    /// The worker's replay of the server iterate (DQ-GD).
    pub replayed_iterate: Option<&'a [f64]>,
    /// The worker's last compression error (EF-SGD's `e_t`, DQ-GD's `e_i`).
    pub error: Option<&'a [f64]>,
    /// The worker's copy of a tracked gradient (EF21's `g_i`).
    pub tracked_gradient: Option<&'a [f64]>,
}

/// The worker half of a memory.
pub trait WorkerMemory: Send + std::fmt::Debug {
    /// Writes this round's query point into `out`, given the iterate the server broadcast.
    /// The default queries at the broadcast iterate.
    fn query_point(&mut self, broadcast: &[f64], out: &mut [f64]) -> Result<(), OptError> {
        copy_into(broadcast, out)
    }

    /// The quantizer input for the oracle's `gradient` at `query`.
    fn input<'a>(
        &'a mut self,
        query: &[f64],
        gradient: &'a [f64],
        ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError>;

    /// Updates the memory with the worker's own decoded message.
    fn feedback(&mut self, decoded: &[f64], ctx: &RoundContext) -> Result<(), OptError> {
        let _ = (decoded, ctx);
        Ok(())
    }

    /// The memory's state, for inspection.
    fn view(&self) -> MemoryView<'_> {
        MemoryView::default()
    }
}

/// The server half of a memory.
pub trait ServerMemory: Send + std::fmt::Debug {
    /// The public prediction of the quantizer input ([`quantizers::PublicState::centre`]),
    /// given the server's current iterate; `None` means 0.
    fn centre<'a>(&'a self, iterate: &'a [f64]) -> Option<&'a [f64]> {
        let _ = iterate;
        None
    }

    /// The gradient estimate for the update rule from the decoded message.
    fn estimate<'a>(
        &'a mut self,
        decoded: &'a [f64],
        iterate: &[f64],
        ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError>;
}

/// A recipe for a memory's two halves.
pub trait Memory: Send + Sync + std::fmt::Debug {
    /// A short name, for reports.
    fn name(&self) -> String;

    /// Checks that the memory can run with this rule and number of workers (before the run).
    fn check(&self, rule: &dyn UpdateRule, workers: usize) -> Result<(), OptError> {
        let _ = (rule, workers);
        Ok(())
    }

    /// A fresh worker half for a run whose server starts from `rule`'s state.
    fn worker(&self, rule: &dyn UpdateRule) -> Box<dyn WorkerMemory>;

    /// A fresh server half (one per worker).
    fn server(&self, rule: &dyn UpdateRule) -> Box<dyn ServerMemory>;
}

/// No memory: the worker quantizes its gradient and the server uses the decoded vector as is
/// (plain compressed SGD, or naive QGD with [`crate::GradientDescent`]).
///
/// ```
/// use optimizers::{Memory, NoMemory, RoundContext, Sgd, StepSchedule};
/// let rule = Sgd::new(vec![0.0; 2], StepSchedule::constant(0.1)?)?;
/// let mut worker = NoMemory.worker(&rule);
/// let ctx = RoundContext { round: 0, worker: 0, step: Some(0.1) };
/// assert_eq!(worker.input(&[0.0; 2], &[1.0, 2.0], &ctx)?, &[1.0, 2.0]);
/// # Ok::<(), optimizers::OptError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoMemory;

#[derive(Debug)]
struct Plain;

impl WorkerMemory for Plain {
    fn input<'a>(
        &'a mut self,
        _query: &[f64],
        gradient: &'a [f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        Ok(gradient)
    }
}

impl ServerMemory for Plain {
    fn estimate<'a>(
        &'a mut self,
        decoded: &'a [f64],
        _iterate: &[f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        Ok(decoded)
    }
}

impl Memory for NoMemory {
    fn name(&self) -> String {
        "none".into()
    }

    fn worker(&self, _rule: &dyn UpdateRule) -> Box<dyn WorkerMemory> {
        Box::new(Plain)
    }

    fn server(&self, _rule: &dyn UpdateRule) -> Box<dyn ServerMemory> {
        Box::new(Plain)
    }
}

/// Copies `src` into `out`, which must have the same length.
pub(crate) fn copy_into(src: &[f64], out: &mut [f64]) -> Result<(), OptError> {
    crate::error::check_dim("query buffer", src.len(), out.len())?;
    out.copy_from_slice(src);
    Ok(())
}

/// The step of the round, or an error naming the memory that needs one.
pub(crate) fn require_step(what: &str, ctx: &RoundContext) -> Result<f64, OptError> {
    match ctx.step {
        Some(eta) if eta.is_finite() && eta > 0.0 => Ok(eta),
        Some(eta) => Err(OptError::InvalidParameter(format!(
            "round {}: {what} got step {eta}, which is not positive and finite",
            ctx.round
        ))),
        None => Err(OptError::InvalidParameter(format!(
            "{what} needs an update rule with a scalar step"
        ))),
    }
}
