//! Stochastic gradient descent `x_{t+1} = x_t - eta_t g_hat_t`, with optional Polyak–Ruppert
//! averaging `x_bar_T = (1/T) sum_{t=1..T} x_t`.
//!
//! With the inverse-time schedule `eta_t = 1/t` on `f(x) = 1/2 ||x - theta||^2` the iterate
//! after `T` updates is the sample mean of `w_t = x_t - g_hat_t` (paper 000, corollary of
//! Lemma 1): `x_{t+1} = (1 - 1/t) x_t + (1/t) w_t`.
//!
//! ```
//! use optimizers::{Sgd, StepSchedule, UpdateRule};
//! let mut sgd = Sgd::new(vec![0.0, 0.0], StepSchedule::constant(0.5)?)?.with_averaging();
//! sgd.update(&[2.0, -2.0], None)?;
//! assert_eq!(sgd.iterate(), &[-1.0, 1.0]);
//! assert_eq!(sgd.averaged(), Some(&[-1.0, 1.0][..]));
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::check_point;
use crate::rule::{Averager, check_estimate, gradient_step};
use crate::{OptError, StepSchedule, UpdateRule};

/// SGD with a [`StepSchedule`] and optional averaging.
#[derive(Debug, Clone, PartialEq)]
pub struct Sgd {
    x: Vec<f64>,
    schedule: StepSchedule,
    updates: u64,
    average: Option<Averager>,
}

impl Sgd {
    /// SGD from `x0` (non-empty, finite) with steps `schedule`.
    pub fn new(x0: Vec<f64>, schedule: StepSchedule) -> Result<Self, OptError> {
        check_point("x0", &x0)?;
        Ok(Self {
            x: x0,
            schedule,
            updates: 0,
            average: None,
        })
    }

    /// The same rule, also keeping the Polyak–Ruppert average of `x_1, ..., x_t`.
    pub fn with_averaging(mut self) -> Self {
        self.average = Some(Averager::new(self.x.len()));
        self
    }

    /// The step schedule.
    pub fn schedule(&self) -> &StepSchedule {
        &self.schedule
    }
}

impl UpdateRule for Sgd {
    fn name(&self) -> String {
        if self.average.is_some() {
            "sgd+averaging".into()
        } else {
            "sgd".into()
        }
    }

    fn dim(&self) -> usize {
        self.x.len()
    }

    fn iterate(&self) -> &[f64] {
        &self.x
    }

    fn averaged(&self) -> Option<&[f64]> {
        self.average.as_ref().and_then(Averager::mean)
    }

    fn step_size(&self) -> Option<f64> {
        Some(self.schedule.step(self.updates))
    }

    fn is_gradient_step(&self) -> bool {
        true
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update(&mut self, g_hat: &[f64], _support: Option<&[usize]>) -> Result<(), OptError> {
        check_estimate(self.x.len(), g_hat)?;
        gradient_step(&mut self.x, self.schedule.step(self.updates), g_hat);
        self.updates += 1;
        if let Some(avg) = self.average.as_mut() {
            avg.push(&self.x);
        }
        Ok(())
    }
}
