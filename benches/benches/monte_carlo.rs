//! Scaling of [`optimizers::monte_carlo`] with the thread count.
//!
//! Each iteration runs `TRIALS` independent trials of the round loop (Gaussian quadratic,
//! d = 1024, adaptive sign with B = d, running mean, `ROUNDS` rounds) in a rayon pool of 1 and
//! then of 2 threads. Throughput is in trials; the speed-up is the ratio of the two medians.
//! The results are identical for both pools (the crate's tests prove it); only time differs.
//!
//! ```text
//! cargo bench -p lowbit-benches --bench monte_carlo
//! ```

#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use optimizers::{NoMemory, OptError, RunConfig, RunningMean, monte_carlo, run};
use oracles::GaussianQuadratic;
use quantizers::AdaptiveSign;
use std::hint::black_box;

const D: usize = 1024;
const ROUNDS: u64 = 50;
const TRIALS: u64 = 32;

/// One trial: the final squared error of the running mean.
fn trial(seed: u64) -> Result<f64, OptError> {
    let theta = vec![0.0; D];
    let mut oracle = GaussianQuadratic::new(theta.clone(), 1.0)?;
    let mut rule = RunningMean::new(theta.clone())?;
    let q = AdaptiveSign::new(D, D, 1.0)?;
    let config = RunConfig::new(ROUNDS, D, seed)?;
    let trace = run(&config, &mut oracle, &q, &mut rule, &NoMemory)?;
    Ok(trace.final_iterate.iter().map(|v| v * v).sum())
}

fn scaling(c: &mut Criterion) {
    let mut group = c.benchmark_group("monte_carlo");
    group.throughput(Throughput::Elements(TRIALS));
    group.sample_size(10);
    for threads in [1usize, 2] {
        let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() else {
            continue;
        };
        group.bench_with_input(BenchmarkId::new("threads", threads), &pool, |b, pool| {
            b.iter(|| {
                let out = pool.install(|| monte_carlo(TRIALS, 7, |_, seed| trial(seed)));
                black_box(out.map(|v| v.len()).unwrap_or(0));
            });
        });
    }
    group.finish();
}

criterion_group!(benches, scaling);
criterion_main!(benches);
