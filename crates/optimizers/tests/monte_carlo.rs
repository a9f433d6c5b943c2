//! Monte Carlo trials: seeded per trial, returned in order, the same on any number of threads.

#![allow(clippy::unwrap_used)]

use optimizers::{NoMemory, OptError, RunConfig, Sgd, StepSchedule, monte_carlo, run, trial_seed};
use oracles::GaussianQuadratic;
use quantizers::{DynamicRangeQuantizer, RangeSchedule};

/// One trial: a short quantized SGD run; returns the final iterate's bits and the trace's
/// total bits.
fn trial(i: u64, seed: u64) -> Result<(u64, Vec<u64>), OptError> {
    let mut oracle = GaussianQuadratic::new(vec![0.5, -0.5, 1.0], 1.0)?;
    let q = DynamicRangeQuantizer::new(3, 4.0, RangeSchedule::Constant(8.0))?;
    let mut sgd = Sgd::new(vec![0.0; 3], StepSchedule::inverse_time(1.0, 0.0)?)?;
    let trace = run(
        &RunConfig::new(200, 12, seed)?,
        &mut oracle,
        &q,
        &mut sgd,
        &NoMemory,
    )?;
    Ok((i, trace.final_iterate.iter().map(|x| x.to_bits()).collect()))
}

fn on_threads(threads: usize) -> Vec<(u64, Vec<u64>)> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| monte_carlo(24, 7, trial))
        .unwrap()
}

#[test]
fn results_are_identical_on_one_and_two_threads_and_in_trial_order() {
    let one = on_threads(1);
    let two = on_threads(2);
    assert_eq!(one, two);
    assert_eq!(
        one.iter().map(|r| r.0).collect::<Vec<_>>(),
        (0..24).collect::<Vec<_>>()
    );
}

#[test]
fn each_trial_runs_with_its_own_seed() {
    let results = on_threads(2);
    assert_eq!(results[5], trial(5, trial_seed(7, 5)).unwrap());
    // Different seeds give different runs.
    assert_ne!(results[0].1, results[1].1);
    assert_ne!(trial_seed(7, 0), trial_seed(7, 1));
    assert_ne!(trial_seed(7, 0), trial_seed(8, 0));
}

#[test]
fn the_error_of_the_lowest_failing_trial_is_returned() {
    let out: Result<Vec<u64>, String> = monte_carlo(50, 1, |i, _| {
        if i % 10 == 7 {
            Err(format!("trial {i}"))
        } else {
            Ok(i)
        }
    });
    assert_eq!(out, Err("trial 7".to_string()));
}
