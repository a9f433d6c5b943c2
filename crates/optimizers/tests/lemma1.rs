//! Paper 000, Lemma 1 and its corollary, on the Gaussian quadratic
//! `f(x) = 1/2 ||x - theta||^2`, `g = x - theta + sigma Z`:
//! - SGD with step `1/t` through the exact pathway returns the running mean of `x_t - g_t`;
//! - the running-mean rule is that SGD, bit for bit;
//! - an encoder that sees only `w_t = x_t - g_t` sends the same bits whatever the queries.

#![allow(clippy::unwrap_used)]

use optimizers::{
    NoMemory, QueryPoint, Reduction, RoundRecord, RunConfig, RunningMean, Sgd, StepSchedule,
    UpdateRule, run, run_observed,
};
use oracles::GaussianQuadratic;
use quantizers::{DynamicRangeQuantizer, RangeSchedule, Unquantized};

const THETA: [f64; 5] = [1.0, -2.0, 0.5, 3.0, -0.25];

fn sgd_inverse_time(x0: Vec<f64>) -> Sgd {
    Sgd::new(x0, StepSchedule::inverse_time(1.0, 0.0).unwrap()).unwrap()
}

#[test]
fn sgd_with_step_one_over_t_returns_the_running_mean_of_x_minus_g() {
    let mut oracle = GaussianQuadratic::new(THETA.to_vec(), 2.0).unwrap();
    let mut sgd = sgd_inverse_time(vec![10.0; 5]);
    let config = RunConfig::new(500, 64 * 5, 11).unwrap();
    let mut sum = [0.0; 5];
    let mut rounds = 0.0;
    let mut watch = |r: &RoundRecord<'_>| {
        // The exact pathway: the server decodes g_t itself.
        assert_eq!(r.decoded, r.gradient);
        for ((s, x), g) in sum.iter_mut().zip(r.query).zip(r.gradient) {
            *s += x - g;
        }
        rounds += 1.0;
    };
    let trace = run_observed(
        &config,
        &mut oracle,
        &Unquantized::new(5).unwrap(),
        &mut sgd,
        &NoMemory,
        &mut watch,
    )
    .unwrap();
    for (x, s) in trace.final_iterate.iter().zip(sum) {
        let mean = s / rounds;
        assert!(
            (x - mean).abs() <= 1e-12 * mean.abs().max(1.0),
            "{x} vs {mean}"
        );
    }
}

#[test]
fn the_running_mean_rule_is_sgd_with_step_one_over_t_bit_for_bit() {
    let config = RunConfig::new(300, 64 * 5, 5).unwrap();
    let q = Unquantized::new(5).unwrap();
    let mut sgd = sgd_inverse_time(vec![0.0; 5]);
    let mut mean = RunningMean::new(vec![0.0; 5]).unwrap();
    let a = run(
        &config,
        &mut GaussianQuadratic::new(THETA.to_vec(), 1.0).unwrap(),
        &q,
        &mut sgd,
        &NoMemory,
    )
    .unwrap();
    let b = run(
        &config,
        &mut GaussianQuadratic::new(THETA.to_vec(), 1.0).unwrap(),
        &q,
        &mut mean,
        &NoMemory,
    )
    .unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&a.final_iterate), bits(&b.final_iterate));
    assert_eq!(mean.counts(), &[300; 5]);
}

/// One run of the reduction encoder with a coarse scalar quantizer, keeping the messages.
fn reduction_run(query: QueryPoint, seed: u64) -> (bitcodec::Transcript, Vec<f64>) {
    let mut oracle = GaussianQuadratic::new(THETA.to_vec(), 1.0).unwrap();
    // w = theta - sigma Z lies in [-8, 8] except with probability ~1e-9 per coordinate.
    let q = DynamicRangeQuantizer::new(5, 3.0, RangeSchedule::Constant(16.0)).unwrap();
    let mut rule = RunningMean::new(vec![0.0; 5]).unwrap();
    let config = RunConfig::new(200, 15, seed).unwrap().keeping_messages();
    let memory = Reduction::new(query).unwrap();
    let trace = run(&config, &mut oracle, &q, &mut rule, &memory).unwrap();
    (trace.transcript, rule.iterate().to_vec())
}

#[test]
fn an_encoder_of_w_sends_the_same_bits_whatever_the_queries() {
    let (adaptive, x_adaptive) = reduction_run(QueryPoint::Iterate, 3);
    let (fixed, x_fixed) = reduction_run(QueryPoint::Fixed(vec![0.0; 5]), 3);
    assert!(adaptive.records().iter().all(|r| r.message.is_some()));
    assert_eq!(adaptive, fixed);
    // The server's estimate is built from the decoded w's alone, so it agrees too (to the
    // rounding of x_t - (x_t - w_hat)).
    for (a, b) in x_adaptive.iter().zip(&x_fixed) {
        assert!((a - b).abs() <= 1e-12, "{a} vs {b}");
    }
}

#[test]
fn the_transcript_comparison_can_fail_another_seed_gives_other_bits() {
    let (a, _) = reduction_run(QueryPoint::Iterate, 3);
    let (b, _) = reduction_run(QueryPoint::Iterate, 4);
    assert_ne!(a, b);
}
