//! The running-mean estimator of the Gaussian reduction (paper 000, Lemma 1 and the
//! achievability scheme, as reconstructed in notes-000 §2–3; tagged [I] there).
//!
//! On `f(x) = 1/2 ||x - theta||^2` every decoded gradient `g_hat_t` at the query `x_t` gives the
//! unbiased sample `w_t = x_t - g_hat_t` of `theta`. The estimator keeps, per coordinate `i`, the
//! number `N_i` of messages that described it and moves only those coordinates:
//! `x_i <- x_i - g_hat_i / N_i`, the running mean of the `w_{t,i}` (SGD with step `1/N_i`). When
//! every message describes every coordinate, `N_i = t` and this is SGD with step `1/t`, bit for
//! bit. The described coordinates come from [`quantizers::Quantizer::support`].
//!
//! ```
//! use optimizers::{RunningMean, UpdateRule};
//! let mut m = RunningMean::new(vec![0.0, 0.0])?;
//! m.update(&[-2.0, -4.0], None)?;          // w = (2, 4)
//! m.update(&[0.0, 2.0], Some(&[1][..]))?;   // only coordinate 1: w_1 = 2
//! assert_eq!(m.iterate(), &[2.0, 3.0]);
//! assert_eq!(m.counts(), &[1, 2]);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::check_point;
use crate::rule::check_estimate;
use crate::{OptError, UpdateRule};

/// Per-coordinate running mean: SGD with step `1/N_i` on the described coordinates.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningMean {
    x: Vec<f64>,
    counts: Vec<u64>,
    updates: u64,
}

impl RunningMean {
    /// The estimator starting at `x0` (non-empty, finite); the first message describing a
    /// coordinate replaces its starting value.
    pub fn new(x0: Vec<f64>) -> Result<Self, OptError> {
        check_point("x0", &x0)?;
        let counts = vec![0; x0.len()];
        Ok(Self {
            x: x0,
            counts,
            updates: 0,
        })
    }

    /// `N_i`: how many messages described each coordinate.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// `x_i <- x_i - g / N_i` after counting the message: the same arithmetic as
    /// [`crate::gradient_step`] with `eta = 1/N_i`.
    fn step_coordinate(x: &mut f64, n: &mut u64, g: f64) {
        *n += 1;
        let eta = 1.0 / *n as f64;
        *x -= eta * g;
    }
}

impl UpdateRule for RunningMean {
    fn name(&self) -> String {
        "running-mean".into()
    }

    fn dim(&self) -> usize {
        self.x.len()
    }

    fn iterate(&self) -> &[f64] {
        &self.x
    }

    fn step_size(&self) -> Option<f64> {
        None
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update(&mut self, g_hat: &[f64], support: Option<&[usize]>) -> Result<(), OptError> {
        check_estimate(self.x.len(), g_hat)?;
        match support {
            None => {
                for ((x, n), &g) in self.x.iter_mut().zip(&mut self.counts).zip(g_hat) {
                    Self::step_coordinate(x, n, g);
                }
            }
            Some(idx) => {
                // Check every index first so that a bad support leaves the state untouched.
                if let Some(&bad) = idx.iter().find(|&&i| i >= self.x.len()) {
                    return Err(OptError::InvalidParameter(format!(
                        "support index {bad} outside dimension {}",
                        self.x.len()
                    )));
                }
                for &i in idx {
                    if let (Some(x), Some(n), Some(&g)) =
                        (self.x.get_mut(i), self.counts.get_mut(i), g_hat.get(i))
                    {
                        Self::step_coordinate(x, n, g);
                    }
                }
            }
        }
        self.updates += 1;
        Ok(())
    }
}
