//! Step-size schedules `eta_t`, `t = 1, 2, ...` counting updates.
//!
//! - constant: `eta_t = eta`;
//! - inverse time: `eta_t = 1 / (mu (t + t0))`, the strongly convex schedule; with `mu = 1`,
//!   `t0 = 0` SGD on `f(x) = 1/2 ||x - theta||^2` returns the running mean of `x_t - g_t`
//!   (paper 000, corollary of Lemma 1 in the reconstruction of notes-000 §2);
//! - inverse square root: `eta_t = eta0 / sqrt(t)`, the convex (non-smooth) schedule.
//!
//! ```
//! use optimizers::StepSchedule;
//! let s = StepSchedule::inverse_time(2.0, 0.0)?;
//! assert_eq!(s.step(0), 0.5); // round 0 is the first update, t = 1
//! assert_eq!(s.step(3), 1.0 / 8.0);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::OptError;
use crate::error::check_positive;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Constant { eta: f64 },
    InverseTime { mu: f64, offset: f64 },
    InverseSqrt { eta0: f64 },
}

/// A step-size schedule. Constructors reject zero, negative and non-finite parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepSchedule {
    kind: Kind,
}

impl StepSchedule {
    /// `eta_t = eta`.
    pub fn constant(eta: f64) -> Result<Self, OptError> {
        check_positive("step eta", eta)?;
        Ok(Self {
            kind: Kind::Constant { eta },
        })
    }

    /// `eta_t = 1 / (mu (t + offset))` with `mu > 0` and `offset >= 0`.
    pub fn inverse_time(mu: f64, offset: f64) -> Result<Self, OptError> {
        check_positive("strong convexity mu", mu)?;
        if !(offset.is_finite() && offset >= 0.0) {
            return Err(OptError::InvalidParameter(format!(
                "step offset must be finite and non-negative, got {offset}"
            )));
        }
        Ok(Self {
            kind: Kind::InverseTime { mu, offset },
        })
    }

    /// `eta_t = eta0 / sqrt(t)`.
    pub fn inverse_sqrt(eta0: f64) -> Result<Self, OptError> {
        check_positive("step eta0", eta0)?;
        Ok(Self {
            kind: Kind::InverseSqrt { eta0 },
        })
    }

    /// The step of the update made in round `round` (0-based), i.e. `eta_{round + 1}`.
    pub fn step(&self, round: u64) -> f64 {
        let t = round as f64 + 1.0;
        match self.kind {
            Kind::Constant { eta } => eta,
            Kind::InverseTime { mu, offset } => 1.0 / (mu * (t + offset)),
            Kind::InverseSqrt { eta0 } => eta0 / t.sqrt(),
        }
    }

    /// Whether every step is the same.
    pub fn is_constant(&self) -> bool {
        matches!(self.kind, Kind::Constant { .. })
    }
}
