//! The single-worker loop: what the trace records, what observers see, partial-support
//! messages, clipping counts and reproducibility.

#![allow(clippy::unwrap_used)]

use bitcodec::{BitReader, BitWriter, Direction};
use optimizers::{
    NoMemory, Observer, RoundRecord, RunConfig, RunStreams, RunningMean, Sgd, StepSchedule,
    UpdateRule, run, run_observed,
};
use oracles::GaussianQuadratic;
use quantizers::{
    Bias, BitCost, DynamicRangeQuantizer, EncodeStats, Input, Overload, PublicState, QuantError,
    Quantizer, RangeSchedule, Unquantized, VarianceBound, check_output,
};
use rand::RngCore;

fn sgd(d: usize) -> Sgd {
    Sgd::new(vec![0.0; d], StepSchedule::inverse_time(1.0, 0.0).unwrap()).unwrap()
}

#[test]
fn metrics_are_recorded_at_the_start_every_k_rounds_and_at_the_end() {
    let config = RunConfig::new(25, 128, 0)
        .unwrap()
        .recording_every(10)
        .unwrap();
    let mut oracle = GaussianQuadratic::new(vec![1.0, 2.0], 1.0).unwrap();
    let trace = run(
        &config,
        &mut oracle,
        &Unquantized::new(2).unwrap(),
        &mut sgd(2),
        &NoMemory,
    )
    .unwrap();
    let rounds: Vec<u64> = trace.samples.iter().map(|s| s.rounds).collect();
    assert_eq!(rounds, vec![0, 10, 20, 25]);
    // Round 0 is the starting point 0: ||0 - theta||^2 = 5, f - f* = 2.5.
    assert_eq!(trace.samples[0].dist2, Some(5.0));
    assert_eq!(trace.samples[0].gap, Some(2.5));
    let last = trace.last_sample().unwrap();
    assert!((last.gap.unwrap() - last.dist2.unwrap() / 2.0).abs() < 1e-12);
    assert_eq!(trace.bits_per_round(), vec![128; 25]);
    assert_eq!(trace.total_bits(), 25 * 128);
    assert_eq!(trace.rounds, 25);
}

#[derive(Default)]
struct Counter {
    started: Option<u64>,
    rounds: Vec<u64>,
    sampled: Vec<u64>,
    finished: bool,
}

impl Observer for Counter {
    fn start(&mut self, rounds: u64) {
        self.started = Some(rounds);
    }
    fn observe(&mut self, r: &RoundRecord<'_>) {
        self.rounds.push(r.round);
        if let Some(s) = r.sample {
            self.sampled.push(s.rounds);
        }
    }
    fn finish(&mut self) {
        self.finished = true;
    }
}

#[test]
fn observers_see_every_round_in_order_without_changing_the_run() {
    let config = RunConfig::new(12, 128, 4)
        .unwrap()
        .recording_every(5)
        .unwrap();
    let q = Unquantized::new(2).unwrap();
    let mut counter = Counter::default();
    let mut oracle = GaussianQuadratic::new(vec![1.0, 2.0], 1.0).unwrap();
    let watched = run_observed(
        &config,
        &mut oracle,
        &q,
        &mut sgd(2),
        &NoMemory,
        &mut counter,
    )
    .unwrap();
    let mut oracle = GaussianQuadratic::new(vec![1.0, 2.0], 1.0).unwrap();
    let plain = run(&config, &mut oracle, &q, &mut sgd(2), &NoMemory).unwrap();
    assert_eq!(watched, plain);
    assert_eq!(counter.started, Some(12));
    assert_eq!(counter.rounds, (0..12).collect::<Vec<_>>());
    assert_eq!(counter.sampled, vec![5, 10, 12]);
    assert!(counter.finished);
}

#[test]
fn the_same_seed_reproduces_a_run_and_another_seed_does_not() {
    let q = DynamicRangeQuantizer::new(3, 2.5, RangeSchedule::Constant(20.0)).unwrap();
    let go = |seed| {
        let config = RunConfig::new(40, 7, seed).unwrap().keeping_messages();
        let mut oracle = GaussianQuadratic::new(vec![1.0, -1.0, 0.0], 2.0).unwrap();
        run(&config, &mut oracle, &q, &mut sgd(3), &NoMemory).unwrap()
    };
    assert_eq!(go(1), go(1));
    assert_ne!(go(1).transcript, go(2).transcript);
}

#[test]
fn kept_messages_are_the_bits_the_decoder_read() {
    let q = Unquantized::new(2).unwrap();
    let config = RunConfig::new(3, 128, 0).unwrap().keeping_messages();
    let mut decoded = Vec::new();
    let mut watch = |r: &RoundRecord<'_>| decoded.push(r.decoded.to_vec());
    let mut oracle = GaussianQuadratic::new(vec![1.0, 2.0], 1.0).unwrap();
    let trace = run_observed(&config, &mut oracle, &q, &mut sgd(2), &NoMemory, &mut watch).unwrap();
    for (record, want) in trace.transcript.records().iter().zip(&decoded) {
        assert_eq!(record.direction, Direction::Uplink);
        let msg = record.message.as_ref().unwrap();
        let mut out = [0.0; 2];
        let state = PublicState::new(RunStreams::new(0).public_seed()).with_round(record.round);
        q.decode(&mut msg.reader(), &state, &mut out).unwrap();
        assert_eq!(&out[..], &want[..]);
    }
}

#[test]
fn clipped_coordinates_are_counted_per_round() {
    // Range 0.5 against gradients of size ~3: nearly every coordinate clips, and says so.
    let q = DynamicRangeQuantizer::new(2, 3.0, RangeSchedule::Constant(0.5))
        .unwrap()
        .with_overload(Overload::Clip);
    let config = RunConfig::new(10, 6, 0).unwrap();
    let mut oracle = GaussianQuadratic::new(vec![3.0, -3.0], 0.01).unwrap();
    let mut rule = Sgd::new(vec![0.0; 2], StepSchedule::constant(0.01).unwrap()).unwrap();
    let trace = run(&config, &mut oracle, &q, &mut rule, &NoMemory).unwrap();
    assert_eq!(trace.clipped, vec![2; 10]);
    assert_eq!(trace.total_clipped(), 20);
}

/// Fixture: sends coordinate `round mod d` only, as a binary64; `support` says so.
#[derive(Debug)]
struct RoundRobinFixture {
    dim: usize,
}

impl RoundRobinFixture {
    fn coordinate(&self, state: &PublicState<'_>) -> usize {
        (state.round % self.dim as u64) as usize
    }
}

impl Quantizer for RoundRobinFixture {
    fn name(&self) -> String {
        "round-robin(fixture)".into()
    }
    fn dim(&self) -> usize {
        self.dim
    }
    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(64)
    }
    fn bias(&self) -> Bias {
        Bias::Unbiased
    }
    fn variance(&self) -> VarianceBound {
        VarianceBound::Unstated
    }
    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        Some(vec![self.coordinate(state)])
    }
    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        let v = input.get(self.coordinate(state)).unwrap();
        out.write_bits(v.to_bits(), 64)?;
        Ok(EncodeStats {
            bits: 64,
            clipped: 0,
        })
    }
    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        out.fill(0.0);
        out[self.coordinate(state)] = f64::from_bits(bits.read_bits(64)?);
        Ok(())
    }
}

#[test]
fn the_running_mean_counts_only_the_coordinates_each_message_describes() {
    let d = 3;
    let q = RoundRobinFixture { dim: d };
    let mut mean = RunningMean::new(vec![0.0; d]).unwrap();
    let mut sums = [0.0; 3];
    let mut watch = |r: &RoundRecord<'_>| {
        let i = r.support.unwrap()[0];
        sums[i] += r.query[i] - r.gradient[i];
    };
    let config = RunConfig::new(30, 64, 2).unwrap();
    let mut oracle = GaussianQuadratic::new(vec![1.0, 2.0, 3.0], 1.0).unwrap();
    run_observed(&config, &mut oracle, &q, &mut mean, &NoMemory, &mut watch).unwrap();
    assert_eq!(mean.counts(), &[10, 10, 10]);
    for (x, s) in mean.iterate().iter().zip(sums) {
        assert!((x - s / 10.0).abs() < 1e-12, "{x} vs {}", s / 10.0);
    }
}
