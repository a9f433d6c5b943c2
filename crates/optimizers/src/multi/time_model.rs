//! The time model of the multi-worker methods (notes-algorithms §5.1): worker `i` needs
//! `h_i` seconds per stochastic gradient, and its links cost `kappa` seconds per unit (a bit or
//! a coordinate) to the server and from it.
//!
//! ```
//! use optimizers::multi::{CommUnit, TimeModel};
//! let t = TimeModel::new(vec![1.0, 2.0], CommUnit::Bit, 1e-3, 5e-4)?;
//! assert_eq!(t.compute_time(1, 3), Some(6.0));            // 3 gradients at h_1 = 2
//! assert_eq!(t.uplink_time(0, 1000, 10), Some(1.0));      // 1000 bits at 1 ms
//! assert_eq!(t.downlink_time(1, 1000, 10), Some(0.5));
//! let c = TimeModel::new(vec![1.0], CommUnit::Coordinate, 0.1, 0.0)?;
//! assert_eq!(c.uplink_time(0, 640, 10), Some(1.0));       // 10 coordinates at 0.1 s
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::OptError;
use crate::error::check_positive;

/// What a link charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommUnit {
    /// Seconds per bit of the message.
    Bit,
    /// Seconds per coordinate the message describes (its support, or all `d`).
    Coordinate,
}

/// Compute times `h_i` and per-unit link times, per worker.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeModel {
    compute: Vec<f64>,
    unit: CommUnit,
    uplink: Vec<f64>,
    downlink: Vec<f64>,
}

impl TimeModel {
    /// Workers with compute times `compute` (`h_i > 0`) and the same link costs
    /// (`>= 0` seconds per unit) for every worker.
    pub fn new(
        compute: Vec<f64>,
        unit: CommUnit,
        uplink: f64,
        downlink: f64,
    ) -> Result<Self, OptError> {
        let n = compute.len();
        Self::with_links(compute, unit, vec![uplink; n], vec![downlink; n])
    }

    /// Workers with their own link costs.
    pub fn with_links(
        compute: Vec<f64>,
        unit: CommUnit,
        uplink: Vec<f64>,
        downlink: Vec<f64>,
    ) -> Result<Self, OptError> {
        if compute.is_empty() {
            return Err(OptError::InvalidParameter(
                "a cluster needs at least one worker".into(),
            ));
        }
        for &h in &compute {
            check_positive("compute time h_i", h)?;
        }
        for (what, links) in [("uplink", &uplink), ("downlink", &downlink)] {
            if links.len() != compute.len() {
                return Err(OptError::InvalidParameter(format!(
                    "{} {what} costs for {} workers",
                    links.len(),
                    compute.len()
                )));
            }
            if let Some(bad) = links.iter().find(|k| !(k.is_finite() && **k >= 0.0)) {
                return Err(OptError::InvalidParameter(format!(
                    "{what} cost {bad} must be finite and non-negative"
                )));
            }
        }
        Ok(Self {
            compute,
            unit,
            uplink,
            downlink,
        })
    }

    /// Number of workers.
    pub fn workers(&self) -> usize {
        self.compute.len()
    }

    /// The compute times `h_i`.
    pub fn compute_times(&self) -> &[f64] {
        &self.compute
    }

    /// What links charge for.
    pub fn unit(&self) -> CommUnit {
        self.unit
    }

    /// Seconds per unit from each worker to the server.
    pub fn uplink_costs(&self) -> &[f64] {
        &self.uplink
    }

    /// Seconds per unit from the server to each worker.
    pub fn downlink_costs(&self) -> &[f64] {
        &self.downlink
    }

    /// Seconds for worker `i` to compute `gradients` stochastic gradients.
    pub fn compute_time(&self, worker: usize, gradients: u64) -> Option<f64> {
        self.compute.get(worker).map(|h| h * gradients as f64)
    }

    /// Seconds to send a message of `bits` bits describing `coordinates` coordinates from
    /// worker `i` to the server.
    pub fn uplink_time(&self, worker: usize, bits: usize, coordinates: usize) -> Option<f64> {
        self.uplink
            .get(worker)
            .map(|k| k * self.units(bits, coordinates))
    }

    /// Seconds to send such a message from the server to worker `i`.
    pub fn downlink_time(&self, worker: usize, bits: usize, coordinates: usize) -> Option<f64> {
        self.downlink
            .get(worker)
            .map(|k| k * self.units(bits, coordinates))
    }

    fn units(&self, bits: usize, coordinates: usize) -> f64 {
        match self.unit {
            CommUnit::Bit => bits as f64,
            CommUnit::Coordinate => coordinates as f64,
        }
    }
}
