//! Rounds per second of the single-worker round loop on the Gaussian quadratic at d = 1024,
//! throughput in coordinate-rounds (elements). Each iteration runs the whole loop for
//! `ROUNDS` rounds (oracle draw, encode under the budget, transcript, decode from the bits,
//! running-mean update, i.e. SGD with step 1/N_i per coordinate); the oracle alone is measured
//! beside it, since drawing d normals per round is the floor for any pathway.

#![allow(missing_docs)] // criterion's macros generate undocumented items

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use optimizers::{NoMemory, RunConfig, RunningMean, run};
use oracles::{GaussianQuadratic, Oracle};
use quantizers::{
    AdaptiveSign, DynamicRangeQuantizer, Overload, Quantizer, RangeSchedule, Unquantized,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const D: usize = 1024;
const ROUNDS: u64 = 100;

fn schemes() -> Vec<(&'static str, Box<dyn Quantizer>)> {
    let mut out: Vec<(&'static str, Box<dyn Quantizer>)> = Vec::new();
    if let Ok(q) = Unquantized::new(D) {
        out.push(("unquantized", Box::new(q)));
    }
    // Gradients are N(0, 1) per coordinate at x = theta; a range of 8 clips with probability
    // about 1e-15 per coordinate (counted, never silent).
    if let Ok(q) = DynamicRangeQuantizer::new(D, 4.0, RangeSchedule::Constant(8.0)) {
        out.push((
            "dynamic-range(R=4)",
            Box::new(q.with_overload(Overload::Clip)),
        ));
    }
    // One sign bit per coordinate, thresholded at the running estimate (B = d).
    if let Ok(q) = AdaptiveSign::new(D, D, 1.0) {
        out.push(("adaptive-sign(B=d)", Box::new(q)));
    }
    out
}

fn round_loop(c: &mut Criterion) {
    let mut group = c.benchmark_group("round_loop");
    group.throughput(Throughput::Elements(ROUNDS * D as u64));
    let theta = vec![0.0; D];
    for (name, q) in schemes() {
        let budget = q.bit_cost().max_bits().unwrap_or(64 * D);
        let Ok(config) = RunConfig::new(ROUNDS, budget, 1) else {
            continue;
        };
        group.bench_with_input(BenchmarkId::new("running-mean", name), &q, |b, q| {
            b.iter(|| {
                let (Ok(mut oracle), Ok(mut rule)) = (
                    GaussianQuadratic::new(theta.clone(), 1.0),
                    RunningMean::new(theta.clone()),
                ) else {
                    return;
                };
                let trace = run(&config, &mut oracle, q.as_ref(), &mut rule, &NoMemory);
                black_box(trace.map(|t| t.total_bits()).unwrap_or(0));
            });
        });
    }
    group.bench_function("oracle-only", |b| {
        let Ok(mut oracle) = GaussianQuadratic::new(theta.clone(), 1.0) else {
            return;
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut g = vec![0.0; D];
        b.iter(|| {
            for _ in 0..ROUNDS {
                let _ = oracle.gradient(black_box(&theta), &mut rng, &mut g);
            }
            black_box(&g);
        });
    });
    group.finish();
}

criterion_group!(benches, round_loop);
criterion_main!(benches);
