//! Monte Carlo: independent trials in parallel on rayon, reproducible for any thread count.
//!
//! Trial `i` of a study with seed `s` runs with its own run seed [`trial_seed`]`(s, i)` and
//! nothing else shared, so its result depends only on `(s, i)`: the results (returned in trial
//! order) are the same on 1 thread or 64. When several trials fail, the error of the
//! lowest-numbered one is returned, also independently of scheduling.
//!
//! ```
//! use optimizers::{monte_carlo, run, NoMemory, RunConfig, Sgd, StepSchedule};
//! use oracles::GaussianQuadratic;
//! use quantizers::Unquantized;
//!
//! let finals = monte_carlo(8, 42, |_trial, seed| {
//!     let mut oracle = GaussianQuadratic::new(vec![0.0; 2], 1.0)?;
//!     let mut sgd = Sgd::new(vec![0.0; 2], StepSchedule::inverse_time(1.0, 0.0)?)?;
//!     let q = Unquantized::new(2)?;
//!     let trace = run(&RunConfig::new(50, 128, seed)?, &mut oracle, &q, &mut sgd, &NoMemory)?;
//!     Ok::<_, optimizers::OptError>(trace.final_iterate)
//! })?;
//! assert_eq!(finals.len(), 8);
//! # Ok::<(), optimizers::OptError>(())
//! ```

use rayon::prelude::*;

pub use crate::streams::trial_seed;

/// Runs `trials` independent trials in parallel; `trial(i, seed_i)` gets its index and its run
/// seed `trial_seed(seed, i)`. Results come back in trial order.
pub fn monte_carlo<T, E, F>(trials: u64, seed: u64, trial: F) -> Result<Vec<T>, E>
where
    T: Send,
    E: Send,
    F: Fn(u64, u64) -> Result<T, E> + Sync,
{
    let results: Vec<Result<T, E>> = (0..trials)
        .into_par_iter()
        .map(|i| trial(i, trial_seed(seed, i)))
        .collect();
    results.into_iter().collect()
}
