//! Heterogeneous worker sets: $`n`$ oracles with compute times.
//!
//! The time model of paper 004 and its predecessors (notes-algorithms §5.1): $`n`$ workers, worker
//! $`i`$ needs $`h_i`$ seconds per stochastic gradient (its own oracle, possibly its own local
//! objective $`f_i`$), and the server minimizes $`f = \frac1n \sum_i f_i`$. Common profiles are
//! equal times $`h_i = h`$ and the increasing profile $`h_i = h \sqrt{i}`$ ($`i = 1, \dots, n`$)
//! used to show the effect of stragglers. [`WorkerSet`] holds the workers; the multi-worker round
//! loop in `optimizers` owns the clock.

use crate::{Oracle, OracleError};

/// One worker: its oracle and its compute time $`h_i`$ (seconds per stochastic gradient).
#[derive(Debug)]
pub struct Worker {
    oracle: Box<dyn Oracle>,
    compute_time: f64,
}

impl Worker {
    /// The worker's oracle.
    pub fn oracle(&self) -> &dyn Oracle {
        self.oracle.as_ref()
    }

    /// The worker's oracle, mutably (to draw gradients).
    pub fn oracle_mut(&mut self) -> &mut dyn Oracle {
        self.oracle.as_mut()
    }

    /// Seconds per stochastic gradient, $`h_i > 0`$.
    pub fn compute_time(&self) -> f64 {
        self.compute_time
    }
}

/// A set of $`n \ge 1`$ workers of equal dimension, each with an oracle and a compute time.
///
/// ```
/// use oracles::{GaussianQuadratic, Oracle, WorkerSet};
/// let oracles: Vec<Box<dyn Oracle>> = (0..4)
///     .map(|_| Box::new(GaussianQuadratic::new(vec![1.0; 3], 0.5).unwrap()) as Box<dyn Oracle>)
///     .collect();
/// let set = WorkerSet::sqrt_times(oracles, 2.0)?; // h_i = 2 sqrt(i)
/// assert_eq!(set.len(), 4);
/// assert_eq!(set.compute_times().collect::<Vec<_>>(), [2.0, 2.0 * 2f64.sqrt(), 2.0 * 3f64.sqrt(), 4.0]);
/// assert_eq!(set.value(&[1.0; 3])?, 0.0);
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug)]
pub struct WorkerSet {
    workers: Vec<Worker>,
    dim: usize,
    /// One worker's gradient, for [`WorkerSet::true_gradient`].
    scratch: Vec<f64>,
}

impl WorkerSet {
    /// Workers with the given oracles and compute times (equal lengths $`n \ge 1`$, equal
    /// dimensions, times finite and positive).
    pub fn new(
        oracles: Vec<Box<dyn Oracle>>,
        compute_times: Vec<f64>,
    ) -> Result<Self, OracleError> {
        if oracles.is_empty() {
            return Err(OracleError::InvalidParameter(
                "a worker set needs at least one worker".into(),
            ));
        }
        if compute_times.len() != oracles.len() {
            return Err(OracleError::DimensionMismatch {
                expected: oracles.len(),
                got: compute_times.len(),
            });
        }
        if let Some(i) = compute_times
            .iter()
            .position(|h| !(h.is_finite() && *h > 0.0))
        {
            return Err(OracleError::InvalidParameter(format!(
                "compute time of worker {i} must be finite and positive"
            )));
        }
        let dim = oracles.first().map_or(0, |o| o.dim());
        if let Some(o) = oracles.iter().find(|o| o.dim() != dim) {
            return Err(OracleError::DimensionMismatch {
                expected: dim,
                got: o.dim(),
            });
        }
        let workers = oracles
            .into_iter()
            .zip(compute_times)
            .map(|(oracle, compute_time)| Worker {
                oracle,
                compute_time,
            })
            .collect();
        Ok(Self {
            workers,
            dim,
            scratch: vec![0.0; dim],
        })
    }

    /// Every worker takes $`h`$ seconds per gradient.
    pub fn equal_times(oracles: Vec<Box<dyn Oracle>>, h: f64) -> Result<Self, OracleError> {
        let n = oracles.len();
        Self::new(oracles, vec![h; n])
    }

    /// Worker $`i`$ (1-based) takes $`h \sqrt{i}`$ seconds per gradient.
    pub fn sqrt_times(oracles: Vec<Box<dyn Oracle>>, h: f64) -> Result<Self, OracleError> {
        let times = (1..=oracles.len()).map(|i| h * (i as f64).sqrt()).collect();
        Self::new(oracles, times)
    }

    /// The number of workers $`n`$.
    pub fn len(&self) -> usize {
        self.workers.len()
    }

    /// Always false: a set has at least one worker.
    pub fn is_empty(&self) -> bool {
        self.workers.is_empty()
    }

    /// The common dimension $`d`$.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The workers.
    pub fn workers(&self) -> &[Worker] {
        &self.workers
    }

    /// The workers, mutably.
    pub fn workers_mut(&mut self) -> &mut [Worker] {
        &mut self.workers
    }

    /// Worker `i` (0-based), if it exists.
    pub fn worker(&self, i: usize) -> Option<&Worker> {
        self.workers.get(i)
    }

    /// Worker `i` (0-based) mutably, if it exists.
    pub fn worker_mut(&mut self, i: usize) -> Option<&mut Worker> {
        self.workers.get_mut(i)
    }

    /// The compute times $`h_1, \dots, h_n`$.
    pub fn compute_times(&self) -> impl Iterator<Item = f64> + '_ {
        self.workers.iter().map(|w| w.compute_time)
    }

    /// The oracles and the compute times, in worker order (for a runner that owns them, such
    /// as the multi-worker cluster of `optimizers`).
    ///
    /// ```
    /// use oracles::{GaussianQuadratic, Oracle, WorkerSet};
    /// let oracles: Vec<Box<dyn Oracle>> = (0..2)
    ///     .map(|_| Box::new(GaussianQuadratic::new(vec![0.0; 3], 1.0).unwrap()) as Box<dyn Oracle>)
    ///     .collect();
    /// let (oracles, times) = WorkerSet::sqrt_times(oracles, 1.0)?.into_parts();
    /// assert_eq!((oracles.len(), times), (2, vec![1.0, 2f64.sqrt()]));
    /// # Ok::<(), oracles::OracleError>(())
    /// ```
    pub fn into_parts(self) -> (Vec<Box<dyn Oracle>>, Vec<f64>) {
        self.workers
            .into_iter()
            .map(|w| (w.oracle, w.compute_time))
            .unzip()
    }

    /// The global objective $`f(x) = \frac1n \sum_i f_i(x)`$.
    pub fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        let mut sum = 0.0;
        for w in &self.workers {
            sum += w.oracle.value(x)?;
        }
        Ok(sum / self.workers.len() as f64)
    }

    /// The global gradient $`\frac1n \sum_i \nabla f_i(x)`$.
    pub fn true_gradient(&mut self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        crate::check_out(self.dim, out)?;
        out.fill(0.0);
        let inv_n = 1.0 / self.workers.len() as f64;
        for w in &self.workers {
            w.oracle.true_gradient(x, &mut self.scratch)?;
            for (o, g) in out.iter_mut().zip(&self.scratch) {
                *o += inv_n * g;
            }
        }
        Ok(())
    }
}
