//! Quantized averaged SGD for linear regression (paper 003): the specification.

#![allow(clippy::unwrap_used)]

use ndarray::{Array1, Array2, array};
use optimizers::linreg::StepRandomness;
use optimizers::{
    LinregSgd, NoMemory, OptError, RunConfig, Sgd, StepSchedule, Target, TargetQuantizers,
    UpdateRule, run,
};
use oracles::LinearRegression;
use quantizers::{AdditiveQuantizer, Multiplicative, Overload, QuantError, Unquantized};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn boxed(q: impl quantizers::Quantizer + 'static) -> Box<dyn quantizers::Quantizer> {
    Box::new(q)
}

#[test]
fn without_quantizers_it_is_bit_for_bit_averaged_sgd_on_the_oracle_gradient() {
    let (d, b, steps, seed) = (6, 3, 200, 11);
    let oracle = LinearRegression::new(vec![1.0; d], 2.0, 1.0, b).unwrap();
    let mut ours = LinregSgd::new(vec![0.0; d], 0.3, b, TargetQuantizers::none()).unwrap();
    ours.run(&oracle, steps, seed).unwrap();

    let mut plain = Sgd::new(vec![0.0; d], StepSchedule::constant(0.3).unwrap())
        .unwrap()
        .with_averaging();
    let mut o = oracle.clone();
    let config = RunConfig::new(steps, 64 * d, seed).unwrap();
    run(
        &config,
        &mut o,
        &Unquantized::new(d).unwrap(),
        &mut plain,
        &NoMemory,
    )
    .unwrap();

    assert_eq!(ours.iterate(), plain.iterate());
    assert_eq!(ours.averaged(), plain.averaged());
    assert_eq!(ours.updates(), steps);
    assert_eq!(ours.total_bits(), 0);
}

#[test]
fn exact_quantizers_on_every_target_change_nothing_and_count_64_bits_a_value() {
    let (d, b, steps, seed) = (5, 4, 50, 3);
    let oracle = LinearRegression::new(vec![0.5; d], 2.0, 1.0, b).unwrap();
    let mut plain = LinregSgd::new(vec![0.0; d], 0.2, b, TargetQuantizers::none()).unwrap();
    plain.run(&oracle, steps, seed).unwrap();
    let mut q = TargetQuantizers::none();
    for t in Target::ALL {
        let dim = if t.is_model_sized() { d } else { b };
        q = q.with(t, boxed(Unquantized::new(dim).unwrap()));
    }
    let mut exact = LinregSgd::new(vec![0.0; d], 0.2, b, q).unwrap();
    exact.run(&oracle, steps, seed).unwrap();

    assert_eq!(exact.iterate(), plain.iterate());
    assert_eq!(exact.averaged(), plain.averaged());
    let s = |t| exact.stats(t);
    assert_eq!(s(Target::Data).messages, steps * b as u64);
    assert_eq!(s(Target::Data).bits, steps * (b * d * 64) as u64);
    assert_eq!(s(Target::Parameters).bits, steps * (d * 64) as u64);
    for t in [Target::Labels, Target::Activations, Target::Gradients] {
        assert_eq!(s(t).messages, steps);
        assert_eq!(s(t).bits, steps * (b * 64) as u64);
    }
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let oracle = LinearRegression::new(vec![1.0; 8], 2.0, 1.0, 2).unwrap();
    let make = || {
        let q = TargetQuantizers::none()
            .with(
                Target::Data,
                boxed(AdditiveQuantizer::new(8, 0.125, 8).unwrap()),
            )
            .with(
                Target::Gradients,
                boxed(Multiplicative::new(2, 5, 2).unwrap()),
            );
        LinregSgd::new(vec![0.0; 8], 0.2, 2, q).unwrap()
    };
    let (mut a, mut b) = (make(), make());
    a.run(&oracle, 100, 9).unwrap();
    b.run(&oracle, 100, 9).unwrap();
    assert_eq!(a.averaged(), b.averaged());
    let mut c = make();
    c.run(&oracle, 100, 10).unwrap();
    assert_ne!(a.averaged(), c.averaged());
}

/// A fixed data stream of `steps` batches of size `b` from a small problem.
fn batches(d: usize, b: usize, steps: usize, seed: u64) -> Vec<(Array2<f64>, Array1<f64>)> {
    let oracle = LinearRegression::new(vec![1.0; d], 2.0, 0.5, b).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..steps)
        .map(|_| oracle.sample_batch(b, &mut rng).unwrap())
        .collect()
}

/// Runs `sgd` over `data` with private randomness from `seed`; returns the final iterate.
fn run_on(sgd: &mut LinregSgd, data: &[(Array2<f64>, Array1<f64>)], seed: u64) -> Vec<f64> {
    let mut private = ChaCha8Rng::seed_from_u64(seed);
    for (t, (x, y)) in data.iter().enumerate() {
        let mut r = StepRandomness {
            private: &mut private,
            public_seed: 1,
            step: t as u64,
        };
        sgd.step(x.view(), y.view(), &mut r).unwrap();
    }
    sgd.iterate().to_vec()
}

/// Mean and standard error per coordinate of `trials` quantized runs over the same data.
fn mean_over_rounding(
    make: &dyn Fn() -> LinregSgd,
    data: &[(Array2<f64>, Array1<f64>)],
    trials: u64,
) -> (Vec<f64>, Vec<f64>) {
    let d = make().dim();
    let (mut sum, mut sq) = (vec![0.0; d], vec![0.0; d]);
    for i in 0..trials {
        let w = run_on(&mut make(), data, 1000 + i);
        for ((s, q), v) in sum.iter_mut().zip(sq.iter_mut()).zip(&w) {
            *s += v;
            *q += v * v;
        }
    }
    let n = trials as f64;
    let mean: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let se = sq
        .iter()
        .zip(&mean)
        .map(|(q, m)| ((q / n - m * m).max(0.0) / (n - 1.0)).sqrt())
        .collect();
    (mean, se)
}

#[test]
fn unbiased_quantizers_of_labels_parameters_activations_and_gradients_keep_the_iterate_unbiased() {
    // Given the data, each step is linear in the quantized labels, parameters, activations and
    // residuals, so unbiased rounding leaves E[w_t | data] at the unquantized iterate.
    let (d, b, steps) = (3, 2, 8);
    let data = batches(d, b, steps, 5);
    let exact = run_on(
        &mut LinregSgd::new(vec![0.0; d], 0.4, b, TargetQuantizers::none()).unwrap(),
        &data,
        0,
    );
    let make = || {
        let q = TargetQuantizers::none()
            .with(
                Target::Labels,
                boxed(AdditiveQuantizer::new(b, 0.5, 8).unwrap()),
            )
            .with(
                Target::Parameters,
                boxed(Multiplicative::new(d, 5, 1).unwrap()),
            )
            .with(
                Target::Activations,
                boxed(AdditiveQuantizer::new(b, 0.25, 8).unwrap()),
            )
            .with(
                Target::Gradients,
                boxed(Multiplicative::new(b, 5, 1).unwrap()),
            );
        LinregSgd::new(vec![0.0; d], 0.4, b, q).unwrap()
    };
    let (mean, se) = mean_over_rounding(&make, &data, 4000);
    for i in 0..d {
        assert!(se[i] > 0.0, "coordinate {i} saw no rounding noise");
        assert!(
            (mean[i] - exact[i]).abs() <= 5.0 * se[i],
            "coordinate {i}: mean {} vs exact {} (se {})",
            mean[i],
            exact[i],
            se[i]
        );
    }
}

#[test]
fn data_quantization_shifts_the_expected_step_by_the_rounding_variance() {
    // One step from w0 on a fixed batch: E[X~'X~] = X'X + D with D_jj = sum_k Var(x~_kj), so
    // E[w_1] = w0 + (gamma/b) (X'y - (X'X + D) w0): the spectral distortion of paper 003.
    let (gamma, delta) = (0.5, 0.5);
    let x = array![[0.3, -0.7], [1.1, 0.2]];
    let y = array![0.4, -0.9];
    let w0 = vec![1.0, -2.0];
    let var = |v: f64| {
        let f = v / delta - (v / delta).floor();
        delta * delta * f * (1.0 - f)
    };
    let mut expected = w0.clone();
    for j in 0..2 {
        let mut g = 0.0;
        for k in 0..2 {
            let pred = x[[k, 0]] * w0[0] + x[[k, 1]] * w0[1];
            g += x[[k, j]] * (y[k] - pred) - var(x[[k, j]]) * w0[j];
        }
        expected[j] += gamma / 2.0 * g;
    }
    let make = || {
        let q = TargetQuantizers::none().with(
            Target::Data,
            boxed(AdditiveQuantizer::new(2, delta, 8).unwrap()),
        );
        LinregSgd::new(w0.clone(), gamma, 2, q).unwrap()
    };
    let data = [(x.clone(), y.clone())];
    let (mean, se) = mean_over_rounding(&make, &data, 20_000);
    let unquantized_step = run_on(
        &mut LinregSgd::new(w0.clone(), gamma, 2, TargetQuantizers::none()).unwrap(),
        &data,
        0,
    );
    for j in 0..2 {
        assert!(
            (mean[j] - expected[j]).abs() <= 5.0 * se[j],
            "coordinate {j}: mean {} vs expected {} (se {})",
            mean[j],
            expected[j],
            se[j]
        );
        // The test has the power to see the shift: it is many standard errors wide.
        let shift = (expected[j] - unquantized_step[j]).abs();
        assert!(shift > 10.0 * se[j], "shift {shift}, se {}", se[j]);
    }
}

#[test]
fn quantizers_of_the_wrong_dimension_are_rejected_naming_the_target() {
    let (d, b) = (4, 3);
    for t in Target::ALL {
        let wrong = if t.is_model_sized() { b } else { d };
        let q = TargetQuantizers::none().with(t, boxed(Unquantized::new(wrong).unwrap()));
        match LinregSgd::new(vec![0.0; d], 0.1, b, q) {
            Err(OptError::DimensionMismatch {
                expected,
                got,
                what,
            }) => {
                assert_eq!(
                    (expected, got),
                    (if t.is_model_sized() { d } else { b }, wrong)
                );
                assert!(what.contains(t.symbol()), "{what}");
            }
            other => panic!("{t:?}: {other:?}"),
        }
    }
}

#[test]
fn bad_parameters_are_rejected() {
    let none = TargetQuantizers::none;
    assert!(matches!(
        LinregSgd::new(vec![], 0.1, 1, none()),
        Err(OptError::InvalidParameter(_))
    ));
    assert!(LinregSgd::new(vec![f64::NAN], 0.1, 1, none()).is_err());
    assert!(LinregSgd::new(vec![0.0], 0.0, 1, none()).is_err());
    assert!(LinregSgd::new(vec![0.0], f64::INFINITY, 1, none()).is_err());
    assert!(LinregSgd::new(vec![0.0], 0.1, 0, none()).is_err());
    let oracle = LinearRegression::new(vec![1.0; 3], 2.0, 1.0, 1).unwrap();
    let mut sgd = LinregSgd::new(vec![0.0; 2], 0.1, 1, none()).unwrap();
    assert!(matches!(
        sgd.run(&oracle, 10, 0),
        Err(OptError::DimensionMismatch { what: "oracle", .. })
    ));
    let mut sgd = LinregSgd::new(vec![0.0; 3], 0.1, 1, none()).unwrap();
    assert!(sgd.run(&oracle, 0, 0).is_err());
}

#[test]
fn batches_of_the_wrong_shape_or_with_non_finite_values_are_rejected_and_change_nothing() {
    let mut sgd = LinregSgd::new(vec![0.0; 2], 0.1, 2, TargetQuantizers::none()).unwrap();
    let mut private = ChaCha8Rng::seed_from_u64(0);
    let mut r = StepRandomness {
        private: &mut private,
        public_seed: 0,
        step: 0,
    };
    let y = array![1.0, 2.0];
    for x in [array![[1.0, 2.0]], array![[1.0], [2.0]]] {
        assert!(matches!(
            sgd.step(x.view(), y.view(), &mut r),
            Err(OptError::DimensionMismatch { .. })
        ));
    }
    let x = array![[1.0, 2.0], [3.0, 4.0]];
    assert!(matches!(
        sgd.step(x.view(), array![1.0].view(), &mut r),
        Err(OptError::DimensionMismatch { what: "labels", .. })
    ));
    let bad = array![[1.0, f64::NAN], [3.0, 4.0]];
    assert!(sgd.step(bad.view(), y.view(), &mut r).is_err());
    assert_eq!((sgd.updates(), sgd.iterate()), (0, &[0.0, 0.0][..]));
    assert_eq!(sgd.averaged(), None);
}

#[test]
fn strided_batches_give_the_same_step_as_contiguous_ones() {
    let x = array![[0.3, -0.7, 0.1], [1.1, 0.2, -0.4]];
    let y = array![0.4, -0.9, 0.3];
    let xt = x.t(); // 3 x 2, column-major: rows are strided
    let make = || {
        let q = TargetQuantizers::none()
            .with(Target::Data, boxed(Unquantized::new(2).unwrap()))
            .with(Target::Labels, boxed(Unquantized::new(3).unwrap()));
        LinregSgd::new(vec![0.5, -0.5], 0.2, 3, q).unwrap()
    };
    let step = |x: ndarray::ArrayView2<'_, f64>, y: ndarray::ArrayView1<'_, f64>| {
        let mut sgd = make();
        let mut private = ChaCha8Rng::seed_from_u64(0);
        let mut r = StepRandomness {
            private: &mut private,
            public_seed: 0,
            step: 0,
        };
        sgd.step(x, y, &mut r).unwrap();
        sgd.iterate().to_vec()
    };
    let contiguous = xt.to_owned();
    let ys = array![0.0, 0.4, 0.0, -0.9, 0.0, 0.3];
    let strided_y = ys.slice(ndarray::s![1..;2]);
    assert_eq!(step(xt, strided_y), step(contiguous.view(), y.view()));
}

#[test]
fn out_of_range_input_is_an_error_unless_the_quantizer_saturates_and_then_clips_are_counted() {
    let oracle = LinearRegression::new(vec![1.0; 4], 2.0, 1.0, 2).unwrap();
    // INT4 with step 0.05: range [-0.4, 0.35], far inside the spread of the labels.
    let strict = AdditiveQuantizer::new(2, 0.05, 4).unwrap();
    let q = TargetQuantizers::none().with(Target::Labels, boxed(strict.clone()));
    let mut sgd = LinregSgd::new(vec![0.0; 4], 0.1, 2, q).unwrap();
    assert!(matches!(
        sgd.run(&oracle, 50, 1),
        Err(OptError::Quant(QuantError::OutOfRange { .. }))
    ));
    let q =
        TargetQuantizers::none().with(Target::Labels, boxed(strict.with_overload(Overload::Clip)));
    let mut sgd = LinregSgd::new(vec![0.0; 4], 0.1, 2, q).unwrap();
    sgd.run(&oracle, 50, 1).unwrap();
    let s = sgd.stats(Target::Labels);
    assert!(s.clipped > 0 && s.clipped <= 100, "{s:?}");
    assert_eq!(s.bits, 50 * 2 * 4);
}

#[test]
fn a_step_too_long_is_reported_as_divergence() {
    let oracle = LinearRegression::new(vec![1.0; 4], 2.0, 1.0, 1).unwrap();
    let mut sgd = LinregSgd::new(vec![0.0; 4], 50.0, 1, TargetQuantizers::none()).unwrap();
    assert!(matches!(
        sgd.run(&oracle, 100_000, 1),
        Err(OptError::Diverged { .. })
    ));
}

#[test]
fn target_names_and_indices_follow_the_paper_order() {
    let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
    assert_eq!(
        names,
        ["data", "labels", "parameters", "activations", "gradients"]
    );
    for (i, t) in Target::ALL.iter().enumerate() {
        assert_eq!(t.index(), i);
    }
    assert_eq!(Target::Gradients.symbol(), "Q_o");
}
