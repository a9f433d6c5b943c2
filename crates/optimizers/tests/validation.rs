//! Bad configurations are typed errors before the first round; a message over the budget is
//! an error naming its round; a diverging run stops with an error.

#![allow(clippy::unwrap_used, clippy::panic)] // test helpers outside #[test] fns

mod common;

use common::UnaryLengthFixture;
use optimizers::{
    DqGd, ErrorFeedback, GradientDescent, LpBall, MirrorDescent, NoMemory, Observer, OptError,
    ProjectedSgd, QueryPoint, Reduction, RoundRecord, RunConfig, RunningMean, Sgd, StepSchedule,
    UpdateRule, run, run_observed,
};
use oracles::GaussianQuadratic;
use quantizers::{DynamicRangeQuantizer, RangeSchedule, Unquantized};

fn oracle(d: usize) -> GaussianQuadratic {
    GaussianQuadratic::new(vec![1.0; d], 1.0).unwrap()
}

fn sgd(d: usize) -> Sgd {
    Sgd::new(vec![0.0; d], StepSchedule::constant(0.1).unwrap()).unwrap()
}

/// Fails the test if the loop ever runs a round.
struct NoRounds;

impl Observer for NoRounds {
    fn observe(&mut self, record: &RoundRecord<'_>) {
        panic!("round {} ran", record.round);
    }
}

fn run_checked(
    config: &RunConfig,
    d_oracle: usize,
    q: &dyn quantizers::Quantizer,
    rule: &mut dyn UpdateRule,
    memory: &dyn optimizers::Memory,
) -> Result<optimizers::Trace, OptError> {
    run_observed(
        config,
        &mut oracle(d_oracle),
        q,
        rule,
        memory,
        &mut NoRounds,
    )
}

#[test]
fn a_quantizer_of_another_dimension_is_rejected() {
    let config = RunConfig::new(10, 1000, 0).unwrap();
    let err = run_checked(
        &config,
        3,
        &Unquantized::new(4).unwrap(),
        &mut sgd(3),
        &NoMemory,
    );
    assert_eq!(
        err.unwrap_err(),
        OptError::DimensionMismatch {
            what: "quantizer",
            expected: 3,
            got: 4
        }
    );
}

#[test]
fn a_rule_of_another_dimension_is_rejected() {
    let config = RunConfig::new(10, 1000, 0).unwrap();
    let err = run_checked(
        &config,
        3,
        &Unquantized::new(3).unwrap(),
        &mut sgd(2),
        &NoMemory,
    );
    assert!(matches!(
        err,
        Err(OptError::DimensionMismatch {
            what: "update rule",
            ..
        })
    ));
}

#[test]
fn a_memory_of_another_dimension_is_rejected() {
    let config = RunConfig::new(10, 1000, 0).unwrap();
    let memory = Reduction::new(QueryPoint::Fixed(vec![0.0; 5])).unwrap();
    let err = run_checked(
        &config,
        3,
        &Unquantized::new(3).unwrap(),
        &mut sgd(3),
        &memory,
    );
    assert!(matches!(
        err,
        Err(OptError::DimensionMismatch {
            what: "fixed query point",
            ..
        })
    ));
}

#[test]
fn zero_rounds_a_zero_budget_and_a_zero_recording_period_are_rejected() {
    assert!(matches!(
        RunConfig::new(0, 10, 0),
        Err(OptError::InvalidParameter(_))
    ));
    assert!(matches!(
        RunConfig::new(10, 0, 0),
        Err(OptError::InvalidParameter(_))
    ));
    assert!(
        RunConfig::new(10, 10, 0)
            .unwrap()
            .recording_every(0)
            .is_err()
    );
}

#[test]
fn zero_negative_and_nan_steps_are_rejected() {
    for eta in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(StepSchedule::constant(eta).is_err(), "eta = {eta}");
        assert!(StepSchedule::inverse_sqrt(eta).is_err(), "eta0 = {eta}");
        assert!(StepSchedule::inverse_time(eta, 0.0).is_err(), "mu = {eta}");
        assert!(
            GradientDescent::new(vec![0.0], eta).is_err(),
            "gd eta = {eta}"
        );
    }
    assert!(StepSchedule::inverse_time(1.0, -1.0).is_err());
    assert!(StepSchedule::inverse_time(1.0, f64::NAN).is_err());
}

/// A rule whose step is not a number: the loop checks it before the first round.
#[derive(Debug)]
struct NanStepRule(Sgd);

impl UpdateRule for NanStepRule {
    fn name(&self) -> String {
        "nan-step".into()
    }
    fn dim(&self) -> usize {
        self.0.dim()
    }
    fn iterate(&self) -> &[f64] {
        self.0.iterate()
    }
    fn step_size(&self) -> Option<f64> {
        Some(f64::NAN)
    }
    fn updates(&self) -> u64 {
        0
    }
    fn update(&mut self, g: &[f64], s: Option<&[usize]>) -> Result<(), OptError> {
        self.0.update(g, s)
    }
}

#[test]
fn a_rule_reporting_a_nan_step_is_rejected_before_the_first_round() {
    let config = RunConfig::new(10, 1000, 0).unwrap();
    let mut rule = NanStepRule(sgd(2));
    let err = run_checked(
        &config,
        2,
        &Unquantized::new(2).unwrap(),
        &mut rule,
        &NoMemory,
    );
    assert!(matches!(err, Err(OptError::InvalidParameter(_))));
}

#[test]
fn starting_points_must_be_finite_and_non_empty() {
    let s = StepSchedule::constant(0.1).unwrap();
    assert!(Sgd::new(vec![], s).is_err());
    assert!(Sgd::new(vec![0.0, f64::NAN], s).is_err());
    assert!(RunningMean::new(vec![f64::INFINITY]).is_err());
    assert!(MirrorDescent::new(vec![1.0], 1.0, s).is_err()); // p must exceed 1
    let ball = LpBall::new(2.0, 1.0).unwrap();
    assert!(ProjectedSgd::new(vec![f64::NAN], s, ball).is_err());
    assert!(LpBall::new(0.5, 1.0).is_err());
    assert!(LpBall::new(2.0, 0.0).is_err());
    assert!(LpBall::new(f64::NAN, 1.0).is_err());
}

#[test]
fn a_budget_below_the_schemes_message_length_is_rejected_before_the_first_round() {
    let config = RunConfig::new(10, 64 * 3 - 1, 0).unwrap();
    let err = run_checked(
        &config,
        3,
        &Unquantized::new(3).unwrap(),
        &mut sgd(3),
        &NoMemory,
    );
    assert_eq!(
        err.unwrap_err(),
        OptError::BudgetTooSmall {
            scheme: "unquantized(f64)".into(),
            needed: 192,
            budget: 191
        }
    );
    // Exactly the message length is enough.
    let config = RunConfig::new(1, 64 * 3, 0).unwrap();
    assert!(
        run(
            &config,
            &mut oracle(3),
            &Unquantized::new(3).unwrap(),
            &mut sgd(3),
            &NoMemory
        )
        .is_ok()
    );
}

#[test]
fn a_variable_length_message_over_budget_is_an_error_naming_its_round() {
    // The fixture sends round(|g_0|) + 1 bits and decodes +round(|g_0|). With g = x (theta = 0,
    // no noise) and step 1 from x_0 = -10: x_1 = -20, x_2 = -40, so rounds 0 and 1 send 11
    // and 21 bits and round 2 needs 41 > 25.
    let q = UnaryLengthFixture { dim: 1 };
    let config = RunConfig::new(5, 25, 0).unwrap();
    let mut noiseless = GaussianQuadratic::new(vec![0.0], 0.0).unwrap();
    let mut rule = Sgd::new(vec![-10.0], StepSchedule::constant(1.0).unwrap()).unwrap();
    let err = run(&config, &mut noiseless, &q, &mut rule, &NoMemory).unwrap_err();
    assert_eq!(
        err,
        OptError::BudgetExceeded {
            round: 2,
            worker: 0,
            bits: 41,
            budget: 25
        }
    );
    // From x_0 = 5 the first message has 6 bits and x_1 = 0: every message fits.
    let mut rule = Sgd::new(vec![5.0], StepSchedule::constant(1.0).unwrap()).unwrap();
    let trace = run(&config, &mut noiseless, &q, &mut rule, &NoMemory).unwrap();
    assert_eq!(trace.bits_per_round(), vec![6, 1, 1, 1, 1]);
}

#[test]
fn memories_that_need_a_scalar_step_refuse_the_running_mean() {
    let config = RunConfig::new(10, 1000, 0).unwrap();
    let q = Unquantized::new(2).unwrap();
    let mut mean = RunningMean::new(vec![0.0; 2]).unwrap();
    let err = run_checked(&config, 2, &q, &mut mean, &ErrorFeedback);
    assert!(matches!(err, Err(OptError::InvalidParameter(_))));
    let mut mean = RunningMean::new(vec![0.0; 2]).unwrap();
    let err = run_checked(&config, 2, &q, &mut mean, &DqGd);
    assert!(matches!(err, Err(OptError::InvalidParameter(_))));
}

#[test]
fn overload_of_a_ranged_scheme_is_a_typed_error_not_a_silent_clip() {
    let config = RunConfig::new(10, 8, 0).unwrap();
    let q = DynamicRangeQuantizer::new(2, 4.0, RangeSchedule::Constant(0.5)).unwrap();
    let err = run(&config, &mut oracle(2), &q, &mut sgd(2), &NoMemory).unwrap_err();
    assert!(matches!(
        err,
        OptError::Quant(quantizers::QuantError::OutOfRange { .. })
    ));
}

#[test]
fn a_diverging_run_stops_with_an_error_naming_the_round() {
    // GD with step 3 on f = 1/2 ||x - 1||^2 multiplies the error by -2 each round until
    // the iterate overflows.
    let config = RunConfig::new(5000, 64, 0).unwrap();
    let mut gd = GradientDescent::new(vec![0.0], 3.0).unwrap();
    let mut noiseless = GaussianQuadratic::new(vec![1.0], 0.0).unwrap();
    let err = run(
        &config,
        &mut noiseless,
        &Unquantized::new(1).unwrap(),
        &mut gd,
        &NoMemory,
    );
    // |x_t - 1| = 2^t overflows f64 after about 1024 rounds.
    match err {
        Err(OptError::Diverged { round }) => assert!((1000..1100).contains(&round), "{round}"),
        other => panic!("expected divergence, got {other:?}"),
    }
}
