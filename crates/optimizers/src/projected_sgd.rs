//! Projected SGD `x_{t+1} = Pi_K(x_t - eta_t g_hat_t)` onto an `l_p` ball `K = {||x||_p <= r}`
//! (the PSGD of the SimQ paper's `p >= 2` geometry), with optional Polyak–Ruppert averaging.
//!
//! ```
//! use optimizers::{LpBall, ProjectedSgd, StepSchedule, UpdateRule};
//! let ball = LpBall::new(f64::INFINITY, 1.0)?;
//! let mut psgd = ProjectedSgd::new(vec![0.0, 0.0], StepSchedule::constant(1.0)?, ball)?;
//! psgd.update(&[-3.0, 0.5], None)?;
//! assert_eq!(psgd.iterate(), &[1.0, -0.5]); // clamped to the box
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::check_point;
use crate::rule::{Averager, check_estimate, gradient_step};
use crate::{LpBall, OptError, StepSchedule, UpdateRule};

/// SGD followed by the Euclidean projection onto an [`LpBall`].
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectedSgd {
    x: Vec<f64>,
    schedule: StepSchedule,
    ball: LpBall,
    updates: u64,
    average: Option<Averager>,
    scratch: Vec<f64>,
}

impl ProjectedSgd {
    /// Projected SGD from `x0` (projected onto the ball first) with steps `schedule`.
    pub fn new(x0: Vec<f64>, schedule: StepSchedule, ball: LpBall) -> Result<Self, OptError> {
        check_point("x0", &x0)?;
        let mut x = x0;
        let mut scratch = Vec::with_capacity(x.len());
        ball.project_with(&mut x, &mut scratch);
        Ok(Self {
            x,
            schedule,
            ball,
            updates: 0,
            average: None,
            scratch,
        })
    }

    /// The same rule, also keeping the Polyak–Ruppert average of `x_1, ..., x_t`.
    pub fn with_averaging(mut self) -> Self {
        self.average = Some(Averager::new(self.x.len()));
        self
    }

    /// The feasible set.
    pub fn ball(&self) -> &LpBall {
        &self.ball
    }
}

impl UpdateRule for ProjectedSgd {
    fn name(&self) -> String {
        format!(
            "projected-sgd(p={}, r={})",
            self.ball.p(),
            self.ball.radius()
        )
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

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update(&mut self, g_hat: &[f64], _support: Option<&[usize]>) -> Result<(), OptError> {
        check_estimate(self.x.len(), g_hat)?;
        gradient_step(&mut self.x, self.schedule.step(self.updates), g_hat);
        self.ball.project_with(&mut self.x, &mut self.scratch);
        self.updates += 1;
        if let Some(avg) = self.average.as_mut() {
            avg.push(&self.x);
        }
        Ok(())
    }
}
