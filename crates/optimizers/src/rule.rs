//! The [`UpdateRule`] trait: the server's side of an optimizer.
//!
//! In round `t` the server holds an iterate `x_t` (the query it broadcasts) and receives a
//! gradient estimate `g_hat_t` decoded from the worker's bits; the rule moves to `x_{t+1}`.
//! Rules are small values with explicit state (the iterate, the update count, an average),
//! in the style of argmin's solvers: the round loop owns time and calls them. Rules never see
//! bits or public state; a rule that wants per-coordinate counts reads the round's support.

use crate::OptError;
use crate::error::check_dim;

/// The server-side update `x_{t+1} = U(x_t, g_hat_t)`.
pub trait UpdateRule: Send + std::fmt::Debug {
    /// A short name with parameters, for reports.
    fn name(&self) -> String;

    /// The dimension `d`.
    fn dim(&self) -> usize;

    /// The current iterate `x_t`, the query point the server broadcasts.
    fn iterate(&self) -> &[f64];

    /// The Polyak–Ruppert average of the iterates, when the rule keeps one.
    fn averaged(&self) -> Option<&[f64]> {
        None
    }

    /// The rule's current output: the average when it keeps one, else the iterate.
    fn estimate(&self) -> &[f64] {
        self.averaged().unwrap_or_else(|| self.iterate())
    }

    /// The scalar step `eta_t` of the next update, when the rule has one (the running mean's
    /// steps are per coordinate, so it has none). Error feedback and DQ-GD need it.
    fn step_size(&self) -> Option<f64>;

    /// Whether the next update is exactly `x_{t+1} = x_t - eta_t g_hat_t` computed by
    /// [`gradient_step`], so that a worker can replay it bit for bit (DQ-GD).
    fn is_gradient_step(&self) -> bool {
        false
    }

    /// Number of updates made so far.
    fn updates(&self) -> u64;

    /// Applies one update with the gradient estimate `g_hat` (length `dim()`). `support`
    /// lists the coordinates the round's message described, when it described only some of
    /// them ([`quantizers::Quantizer::support`]); rules that count per coordinate use it.
    fn update(&mut self, g_hat: &[f64], support: Option<&[usize]>) -> Result<(), OptError>;
}

/// `x <- x - eta g`, coordinate by coordinate: the one gradient step every plain rule and the
/// DQ-GD worker's replay share, so the two compute bit-identical iterates.
///
/// ```
/// let mut x = [1.0, 2.0];
/// optimizers::gradient_step(&mut x, 0.5, &[2.0, -2.0]);
/// assert_eq!(x, [0.0, 3.0]);
/// ```
#[inline]
pub fn gradient_step(x: &mut [f64], eta: f64, g: &[f64]) {
    for (xi, gi) in x.iter_mut().zip(g) {
        *xi -= eta * gi;
    }
}

/// The running average `x_bar_k = x_bar_{k-1} + (x_k - x_bar_{k-1}) / k` of the iterates after
/// each update (Polyak–Ruppert averaging of `x_1, ..., x_k`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Averager {
    mean: Vec<f64>,
    count: u64,
}

impl Averager {
    pub(crate) fn new(dim: usize) -> Self {
        Self {
            mean: vec![0.0; dim],
            count: 0,
        }
    }

    pub(crate) fn push(&mut self, x: &[f64]) {
        self.count += 1;
        let w = 1.0 / self.count as f64;
        for (m, xi) in self.mean.iter_mut().zip(x) {
            *m += (xi - *m) * w;
        }
    }

    /// The average, or `None` before the first update.
    pub(crate) fn mean(&self) -> Option<&[f64]> {
        (self.count > 0).then_some(self.mean.as_slice())
    }
}

/// Checks the length of a gradient estimate handed to a rule.
pub(crate) fn check_estimate(dim: usize, g_hat: &[f64]) -> Result<(), OptError> {
    check_dim("gradient estimate", dim, g_hat.len())
}
