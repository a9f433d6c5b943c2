//! Time to accuracy: run a [`Method`] until a [`Criterion`] holds.
//!
//! The criterion is evaluated on the server's iterate with the exact objective (a measurement,
//! not part of the protocol: it moves no bits and takes no simulated time), before the first
//! round and after every `check_every` rounds.

use super::{Cluster, Method, RoundReport};
use crate::OptError;
use crate::error::check_positive;

/// When the target accuracy is reached.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Criterion {
    /// `||grad f(x)||^2 <= eps` (stationarity, the non-convex target of notes §5).
    GradNormSquared(f64),
    /// `f(x) - f* <= eps`; `optimum` is `f*`, or `None` for the common optimal value of a
    /// homogeneous cluster ([`Cluster::optimal_value`]).
    FunctionGap {
        /// The target `eps`.
        eps: f64,
        /// `f*`, when given.
        optimum: Option<f64>,
    },
}

impl Criterion {
    fn eps(&self) -> f64 {
        match *self {
            Criterion::GradNormSquared(eps) | Criterion::FunctionGap { eps, .. } => eps,
        }
    }

    /// The criterion's measure at `x` (`||grad f(x)||^2` or `f(x) - f*`).
    pub fn measure(&self, cluster: &Cluster, x: &[f64]) -> Result<f64, OptError> {
        match *self {
            Criterion::GradNormSquared(_) => {
                let mut g = vec![0.0; cluster.dim()];
                cluster.true_gradient(x, &mut g)?;
                Ok(g.iter().map(|v| v * v).sum())
            }
            Criterion::FunctionGap { optimum, .. } => {
                let f_star = optimum.or_else(|| cluster.optimal_value()).ok_or_else(|| {
                    OptError::InvalidParameter(
                        "the function gap needs f*: give it, or use workers that agree on it"
                            .into(),
                    )
                })?;
                Ok(cluster.objective(x)? - f_star)
            }
        }
    }
}

/// When to stop: the criterion, or a cap on rounds or simulated time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StopRule {
    criterion: Criterion,
    max_rounds: u64,
    max_time: f64,
    check_every: u64,
}

impl StopRule {
    /// Stop when `criterion` holds or after `max_rounds >= 1` rounds.
    pub fn new(criterion: Criterion, max_rounds: u64) -> Result<Self, OptError> {
        check_positive("target accuracy eps", criterion.eps())?;
        if let Criterion::FunctionGap {
            optimum: Some(f), ..
        } = criterion
            && !f.is_finite()
        {
            return Err(OptError::InvalidParameter(format!(
                "optimal value {f} is not finite"
            )));
        }
        if max_rounds == 0 {
            return Err(OptError::InvalidParameter(
                "a run needs at least one round".into(),
            ));
        }
        Ok(Self {
            criterion,
            max_rounds,
            max_time: f64::INFINITY,
            check_every: 1,
        })
    }

    /// Also stop once the simulated clock passes `seconds`.
    pub fn with_max_time(mut self, seconds: f64) -> Result<Self, OptError> {
        check_positive("time limit", seconds)?;
        self.max_time = seconds;
        Ok(self)
    }

    /// Evaluate the criterion every `every >= 1` rounds.
    pub fn checking_every(mut self, every: u64) -> Result<Self, OptError> {
        if every == 0 {
            return Err(OptError::InvalidParameter(
                "the criterion must be checked every k >= 1 rounds".into(),
            ));
        }
        self.check_every = every;
        Ok(self)
    }

    /// The criterion.
    pub fn criterion(&self) -> &Criterion {
        &self.criterion
    }
}

/// The criterion's measure at one point of a run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Rounds completed.
    pub rounds: u64,
    /// Simulated time.
    pub time: f64,
    /// The criterion's measure.
    pub value: f64,
}

/// The outcome of [`run_until`].
#[derive(Debug, Clone, PartialEq)]
pub struct TimeToAccuracy {
    /// Whether the criterion was met.
    pub reached: bool,
    /// Simulated seconds at the stop.
    pub time: f64,
    /// Rounds run.
    pub rounds: u64,
    /// The measure at every check.
    pub history: Vec<Progress>,
    /// Every round's report.
    pub reports: Vec<RoundReport>,
    /// The server's iterate at the stop.
    pub final_iterate: Vec<f64>,
}

/// Runs `method` on `cluster` until `stop` says so.
pub fn run_until(
    method: &mut dyn Method,
    cluster: &mut Cluster,
    stop: &StopRule,
) -> Result<TimeToAccuracy, OptError> {
    method.check(cluster)?;
    let eps = stop.criterion.eps();
    let start = Progress {
        rounds: 0,
        time: cluster.now(),
        value: stop.criterion.measure(cluster, method.iterate())?,
    };
    let mut reached = start.value <= eps;
    let mut history = vec![start];
    let mut reports = Vec::new();
    let mut rounds = 0;
    while !reached && rounds < stop.max_rounds && cluster.now() < stop.max_time {
        let report = method.step(cluster)?;
        reports.push(report);
        rounds += 1;
        if method.iterate().iter().any(|v| !v.is_finite()) {
            return Err(OptError::Diverged {
                round: report.round,
            });
        }
        if rounds % stop.check_every == 0 || rounds == stop.max_rounds {
            let value = stop.criterion.measure(cluster, method.iterate())?;
            history.push(Progress {
                rounds,
                time: cluster.now(),
                value,
            });
            reached = value <= eps;
        }
    }
    if history.last().is_some_and(|p| p.rounds != rounds) {
        // Stopped by the clock between checks: measure where the run ended.
        let value = stop.criterion.measure(cluster, method.iterate())?;
        history.push(Progress {
            rounds,
            time: cluster.now(),
            value,
        });
        reached = value <= eps;
    }
    Ok(TimeToAccuracy {
        reached,
        time: cluster.now(),
        rounds,
        history,
        reports,
        final_iterate: method.iterate().to_vec(),
    })
}
