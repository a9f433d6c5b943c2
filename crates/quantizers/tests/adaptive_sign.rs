//! Specification of [`AdaptiveSign`]: one bit per described coordinate relative to the public
//! centre, decoded as `c_i ± sigma sqrt(pi/2)`, and the Kipnis–Duchi recursion it induces.

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::adaptive::{AdaptiveMultiBit, AdaptiveSign, SQRT_FRAC_PI_2, Selection, normal};
use quantizers::{Input, PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Encodes under the scheme's exact cost as capacity and decodes.
fn roundtrip(
    q: &dyn Quantizer,
    y: Input<'_>,
    state: &PublicState<'_>,
    rng: &mut ChaCha8Rng,
) -> Result<(BitString, Vec<f64>), QuantError> {
    let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap_or(usize::MAX));
    q.encode(y, state, rng, &mut w)?;
    let msg = w.finish();
    let mut out = vec![0.0; q.dim()];
    let mut r = msg.reader();
    q.decode(&mut r, state, &mut out)?;
    assert!(r.is_exhausted(), "decoder must read the whole message");
    Ok((msg, out))
}

#[test]
fn writes_exactly_min_of_budget_and_dimension_bits() {
    let y: Vec<f64> = (0..10).map(|i| i as f64 - 4.5).collect();
    for (budget, expected) in [(1, 1), (4, 4), (10, 10), (25, 10)] {
        let q = AdaptiveSign::new(10, budget, 1.0).unwrap();
        let m = check::measure(&q, (&y).into(), 50, 1).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
        assert_eq!((m.min_bits, m.max_bits), (expected, expected));
    }
}

#[test]
fn writes_more_than_64_signs_across_word_boundaries() {
    let d = 150;
    let q = AdaptiveSign::new(d, d, 1.0).unwrap();
    let y: Vec<f64> = (0..d)
        .map(|i| if i % 3 == 0 { 1.0 } else { -1.0 })
        .collect();
    let (msg, out) = roundtrip(
        &q,
        (&y).into(),
        &PublicState::new(0),
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    assert_eq!(msg.len(), d);
    for (o, v) in out.iter().zip(&y) {
        assert_eq!(*o, v.signum() * q.magnitude());
    }
}

#[test]
fn a_budget_smaller_than_the_message_is_an_error_and_writes_nothing() {
    let q = AdaptiveSign::new(8, 8, 1.0).unwrap();
    let mut w = BitWriter::with_capacity(7);
    let err = q
        .encode(
            (&[1.0f64; 8]).into(),
            &PublicState::new(0),
            &mut ChaCha8Rng::seed_from_u64(0),
            &mut w,
        )
        .unwrap_err();
    assert!(matches!(
        err,
        QuantError::Codec(CodecError::BudgetExceeded { .. })
    ));
    assert_eq!(w.len(), 0);
}

#[test]
fn decodes_centre_plus_or_minus_sigma_sqrt_pi_over_two() {
    let sigma = 0.7;
    let q = AdaptiveSign::new(5, 5, sigma).unwrap();
    let centre = [1.0, -2.0, 0.5, 0.0, 3.0];
    let y = [1.5f64, -2.5, 0.5, 1e-9, -10.0];
    let state = PublicState::new(3).with_centre(&centre);
    let (_, out) = roundtrip(&q, (&y).into(), &state, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
    let a = sigma * (std::f64::consts::PI / 2.0).sqrt();
    // "above the centre" is strict: y = c decodes below it.
    let expected = [1.0 + a, -2.0 - a, 0.5 - a, a, 3.0 - a];
    for (o, e) in out.iter().zip(&expected) {
        assert!((o - e).abs() < 1e-14, "{o} vs {e}");
    }
}

#[test]
fn the_decoded_magnitude_is_sigma_times_sqrt_pi_over_two() {
    assert!((SQRT_FRAC_PI_2 - (std::f64::consts::PI / 2.0).sqrt()).abs() <= f64::EPSILON);
    let q = AdaptiveSign::new(3, 3, 2.5).unwrap();
    assert_eq!(q.magnitude(), 2.5 * SQRT_FRAC_PI_2);
}

#[test]
fn a_missing_centre_is_the_zero_vector() {
    let q = AdaptiveSign::new(4, 4, 1.0).unwrap();
    let y = [0.3f64, -0.1, 2.0, -5.0];
    let zeros = [0.0; 4];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (m1, o1) = roundtrip(&q, (&y).into(), &PublicState::new(1), &mut rng).unwrap();
    let with_zero = PublicState::new(1).with_centre(&zeros);
    let (m2, o2) = roundtrip(&q, (&y).into(), &with_zero, &mut rng).unwrap();
    assert_eq!(m1, m2);
    assert_eq!(o1, o2);
}

#[test]
fn undescribed_coordinates_decode_to_the_centre() {
    let q = AdaptiveSign::new(6, 2, 1.0).unwrap();
    let centre = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let state = PublicState::new(0).with_round(1).with_centre(&centre);
    let support = q.support(&state).unwrap();
    assert_eq!(support, vec![2, 3]);
    let (_, out) = roundtrip(
        &q,
        (&[0.0f64; 6]).into(),
        &state,
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    for (i, (o, c)) in out.iter().zip(&centre).enumerate() {
        if support.contains(&i) {
            assert_eq!(*o, c - q.magnitude());
        } else {
            assert_eq!(o, c);
        }
    }
}

#[test]
fn without_a_centre_undescribed_coordinates_decode_to_zero() {
    let q = AdaptiveSign::new(6, 2, 1.0)
        .unwrap()
        .with_selection(Selection::PublicCoin);
    let state = PublicState::new(11).with_round(4);
    let support = q.support(&state).unwrap();
    let (_, out) = roundtrip(
        &q,
        (&[1.0f64; 6]).into(),
        &state,
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    for (i, o) in out.iter().enumerate() {
        let expected = if support.contains(&i) {
            q.magnitude()
        } else {
            0.0
        };
        assert_eq!(*o, expected);
    }
}

#[test]
fn a_centre_of_the_wrong_length_is_an_error_on_both_sides() {
    let q = AdaptiveSign::new(4, 4, 1.0).unwrap();
    let centre = [0.0; 3];
    let state = PublicState::new(0).with_centre(&centre);
    let mut w = BitWriter::with_capacity(4);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let err = q
        .encode((&[0.0f64; 4]).into(), &state, &mut rng, &mut w)
        .unwrap_err();
    assert_eq!(
        err,
        QuantError::DimensionMismatch {
            expected: 4,
            got: 3
        }
    );
    let msg = BitString::from_bytes(&[0xff], 4).unwrap();
    let mut out = [0.0; 4];
    assert!(matches!(
        q.decode(&mut msg.reader(), &state, &mut out),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

#[test]
fn a_non_finite_centre_is_an_error() {
    let q = AdaptiveSign::new(2, 2, 1.0).unwrap();
    let centre = [0.0, f64::NAN];
    let state = PublicState::new(0).with_centre(&centre);
    let mut w = BitWriter::with_capacity(2);
    let err = q
        .encode(
            (&[0.0f64; 2]).into(),
            &state,
            &mut ChaCha8Rng::seed_from_u64(0),
            &mut w,
        )
        .unwrap_err();
    assert!(matches!(err, QuantError::InvalidParameter(_)));
}

#[test]
fn nan_and_infinite_inputs_are_errors() {
    let q = AdaptiveSign::new(3, 3, 1.0).unwrap();
    let mut w = BitWriter::with_capacity(3);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let state = PublicState::new(0);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = q
            .encode((&[0.0, bad, 0.0]).into(), &state, &mut rng, &mut w)
            .unwrap_err();
        assert_eq!(err, QuantError::NonFinite { index: 1 });
        assert_eq!(w.len(), 0);
    }
    let err = q
        .encode((&[0.0f32, 0.0]).into(), &state, &mut rng, &mut w)
        .unwrap_err();
    assert!(matches!(err, QuantError::DimensionMismatch { .. }));
}

#[test]
fn invalid_parameters_are_rejected() {
    assert!(matches!(
        AdaptiveSign::new(0, 4, 1.0),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        AdaptiveSign::new(4, 0, 1.0),
        Err(QuantError::BudgetTooSmall { .. })
    ));
    for sigma in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-320, f64::MAX] {
        assert!(AdaptiveSign::new(4, 4, sigma).is_err(), "sigma = {sigma}");
    }
}

#[test]
fn f32_and_f64_inputs_give_the_same_message() {
    let q = AdaptiveSign::new(5, 5, 1.0).unwrap();
    let y32 = [0.25f32, -1.5, 3.0, -0.0, 0.125];
    let y64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
    let centre = [0.0, -1.0, 3.0, 0.5, 0.2];
    let state = PublicState::new(2).with_centre(&centre);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let a = roundtrip(&q, (&y32).into(), &state, &mut rng).unwrap();
    let b = roundtrip(&q, (&y64).into(), &state, &mut rng).unwrap();
    assert_eq!(a, b);
}

#[test]
fn the_message_does_not_depend_on_private_randomness() {
    let q = AdaptiveSign::new(9, 6, 1.0).unwrap();
    let y: Vec<f64> = (0..9).map(|i| (i as f64 - 4.0) * 0.3).collect();
    let state = PublicState::new(4).with_round(2);
    let a = roundtrip(&q, (&y).into(), &state, &mut ChaCha8Rng::seed_from_u64(1)).unwrap();
    let b = roundtrip(&q, (&y).into(), &state, &mut ChaCha8Rng::seed_from_u64(2)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_fixed_input_has_the_deterministic_error_stated_by_mse_bound() {
    // For fixed y the output is c + a sign(y - c): the mean error is that exactly, with no spread.
    let q = AdaptiveSign::new(4, 4, 1.0).unwrap();
    let y = [0.3f64, -0.2, 2.5, -4.0];
    let m = check::measure(&q, (&y).into(), 20, 9).unwrap();
    let a = q.magnitude();
    let expected: Vec<f64> = y.iter().map(|v| v.signum() * a - v).collect();
    m.assert_bias_equals(&expected, 5.0).unwrap();
    let exact: f64 = expected.iter().map(|e| e * e).sum();
    assert!((m.mse - exact).abs() < 1e-12);
    assert!((q.mse_bound(&y).unwrap() - exact).abs() < 1e-12);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn mse_bound_covers_every_support_when_few_coordinates_are_described() {
    let q = AdaptiveSign::new(4, 2, 1.0).unwrap();
    let y = [0.3f64, -0.2, 2.5, -4.0];
    let m = check::measure(&q, (&y).into(), 40, 3).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    let a = q.magnitude();
    let worst: f64 = y
        .iter()
        .map(|v| ((v.abs() - a) * (v.abs() - a)).max(v * v))
        .sum();
    assert!((q.mse_bound(&y).unwrap() - worst).abs() < 1e-12);
}

#[test]
fn gaussian_inputs_have_the_stated_mean_error() {
    // Y_i ~ N(mu_i, sigma^2) around a fixed centre: the average decoded value minus mu_i must
    // match sigma (sqrt(pi/2)(2 Phi(delta) - 1) - delta) within 5 standard errors (the output
    // takes two values, so its standard deviation is at most sigma sqrt(pi/2)).
    let sigma = 1.3;
    let deltas = [-2.5, -0.8, 0.0, 0.4, 1.2, 3.0];
    let d = deltas.len();
    let centre: Vec<f64> = (0..d).map(|i| 0.5 * i as f64 - 1.0).collect();
    let mu: Vec<f64> = deltas
        .iter()
        .zip(&centre)
        .map(|(dl, c)| c + sigma * dl)
        .collect();
    let q = AdaptiveSign::new(d, d, sigma).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(77);
    let trials = 40_000;
    let (mut sum, mut sum2) = (vec![0.0; d], vec![0.0; d]);
    let mut y = vec![0.0; d];
    for t in 0..trials {
        for (v, m) in y.iter_mut().zip(&mu) {
            *v = m + sigma * rng.sample::<f64, _>(StandardNormal);
        }
        let state = PublicState::new(5).with_round(t).with_centre(&centre);
        let (_, out) = roundtrip(&q, (&y).into(), &state, &mut rng).unwrap();
        for i in 0..d {
            let e = out[i] - mu[i];
            sum[i] += e;
            sum2[i] += e * e;
        }
    }
    let n = trials as f64;
    for i in 0..d {
        let mean = sum[i] / n;
        let se = ((sum2[i] / n - mean * mean) / n).sqrt();
        let expected = q.gaussian_bias(mu[i], centre[i]);
        let closed = sigma * (SQRT_FRAC_PI_2 * (2.0 * normal::cdf(deltas[i]) - 1.0) - deltas[i]);
        assert!((expected - closed).abs() < 1e-12);
        assert!(
            (mean - expected).abs() < 5.0 * se,
            "delta {}: mean error {mean:.4e}, stated {expected:.4e}, se {se:.2e}",
            deltas[i]
        );
    }
}

#[test]
fn the_gaussian_bias_vanishes_to_third_order_at_the_centre() {
    // sigma (sqrt(pi/2)(2 Phi(delta) - 1) - delta) = sigma (-delta^3/6 + delta^5/40 - ...).
    let q = AdaptiveSign::new(1, 1, 2.0).unwrap();
    assert_eq!(q.gaussian_bias(0.0, 0.0), 0.0);
    for delta in [1e-3f64, 1e-2, -1e-2, 0.05] {
        let b = q.gaussian_bias(2.0 * delta, 0.0);
        let leading = -2.0 * delta.powi(3) / 6.0;
        assert!(
            (b - leading).abs() < 2.0 * delta.abs().powi(5) / 20.0,
            "delta {delta}: {b:e} vs {leading:e}"
        );
    }
    // It always points towards the centre, and the mean output stays within sigma sqrt(pi/2)
    // of the centre.
    for delta in [-6.0, -1.0, -0.1, 0.1, 1.0, 6.0] {
        let b = q.gaussian_bias(2.0 * delta, 0.0);
        assert!(b * delta < 0.0);
        assert!((2.0 * delta + b).abs() < q.magnitude());
    }
}

#[test]
fn one_sign_bit_equals_the_one_bit_multi_bit_scheme() {
    let sigma = 1.7;
    let s = AdaptiveSign::new(7, 5, sigma).unwrap();
    let m = AdaptiveMultiBit::new(7, 5, sigma, 1).unwrap();
    assert_eq!(s.bit_cost(), m.bit_cost());
    let centre = [0.1, -0.3, 0.0, 2.0, 1.0, -1.0, 0.4];
    let y = [0.5f64, -0.4, 0.0, 1.0, 3.0, -2.0, 0.4];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for round in 0..4 {
        let state = PublicState::new(6).with_round(round).with_centre(&centre);
        let (ms, os) = roundtrip(&s, (&y).into(), &state, &mut rng).unwrap();
        let (mm, om) = roundtrip(&m, (&y).into(), &state, &mut rng).unwrap();
        assert_eq!(ms, mm);
        for (a, b) in os.iter().zip(&om) {
            assert!((a - b).abs() < 1e-14);
        }
    }
}

#[test]
fn gradient_and_sample_formulations_agree() {
    // Lemma 1: quantizing g = x - W around 0 and quantizing W around x give the same estimate
    // x - ghat = what, whenever W != x.
    let d = 6;
    let q = AdaptiveSign::new(d, d, 1.0).unwrap();
    let x = [0.2, -0.4, 1.0, 0.0, 3.0, -2.0];
    let w_sample = [0.9f64, -1.1, 1.5, 0.3, 2.0, -2.5];
    let g: Vec<f64> = x.iter().zip(&w_sample).map(|(a, b)| a - b).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let (_, ghat) = roundtrip(&q, (&g).into(), &PublicState::new(1), &mut rng).unwrap();
    let state = PublicState::new(1).with_centre(&x);
    let (_, what) = roundtrip(&q, (&w_sample).into(), &state, &mut rng).unwrap();
    for i in 0..d {
        assert!((x[i] - ghat[i] - what[i]).abs() < 1e-14);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_decode_or_fail_cleanly(
        bytes in proptest::collection::vec(any::<u8>(), 0..24),
        len_frac in 0.0f64..=1.0,
        budget in 1usize..40,
        round in 0u64..100,
    ) {
        let d = 20;
        let q = AdaptiveSign::new(d, budget, 0.5).unwrap().with_selection(
            if round % 2 == 0 { Selection::RoundRobin } else { Selection::PublicCoin });
        let len = (len_frac * (bytes.len() * 8) as f64) as usize;
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let state = PublicState::new(3).with_round(round);
        let mut out = vec![f64::NAN; d];
        let k = budget.min(d);
        match q.decode(&mut msg.reader(), &state, &mut out) {
            Ok(()) => {
                prop_assert!(len >= k);
                let nonzero = out.iter().filter(|&&v| v != 0.0).count();
                prop_assert_eq!(nonzero, k);
                prop_assert!(out.iter().all(|v| *v == 0.0 || v.abs() == q.magnitude()));
            }
            Err(e) => {
                prop_assert!(len < k);
                prop_assert!(
                    matches!(e, QuantError::Codec(CodecError::UnexpectedEnd { .. })),
                    "unexpected error {:?}", e
                );
            }
        }
    }
}
