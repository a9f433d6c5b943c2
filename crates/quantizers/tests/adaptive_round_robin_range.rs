//! Specification of [`RoundRobinRange`], the bounded-range scheme of notes-000 §3 (Theorem 4).

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::adaptive::{RoundRobinRange, Selection};
use quantizers::{Bias, Input, PublicState, QuantError, Quantizer, VarianceBound, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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

/// Per-coordinate mean and standard error of the error `Q(y)_i - y_i` and of its square, over
/// `trials` encodings of `y` at one fixed public state (so one fixed support).
struct Moments {
    mean: Vec<f64>,
    mean_se: Vec<f64>,
    sq: Vec<f64>,
    sq_se: Vec<f64>,
}

fn error_moments(
    q: &dyn Quantizer,
    y: &[f64],
    state: &PublicState<'_>,
    trials: usize,
    seed: u64,
) -> Result<Moments, QuantError> {
    let d = y.len();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (mut s1, mut s2, mut s4) = (vec![0.0; d], vec![0.0; d], vec![0.0; d]);
    for _ in 0..trials {
        let (_, out) = roundtrip(q, y.into(), state, &mut rng)?;
        for i in 0..d {
            let e = out[i] - y[i];
            s1[i] += e;
            s2[i] += e * e;
            s4[i] += e * e * e * e;
        }
    }
    let n = trials as f64;
    let se = |m1: f64, m2: f64| ((m2 - m1 * m1).max(0.0) / n).sqrt();
    Ok(Moments {
        mean: s1.iter().map(|v| v / n).collect(),
        mean_se: s1.iter().zip(&s2).map(|(a, b)| se(a / n, b / n)).collect(),
        sq: s2.iter().map(|v| v / n).collect(),
        sq_se: s2.iter().zip(&s4).map(|(a, b)| se(a / n, b / n)).collect(),
    })
}

#[test]
fn q_is_the_fewest_bits_with_a_grid_step_at_most_sigma() {
    for (range, sigma, q) in [
        (0.5, 1.0, 1),
        (1.5, 1.0, 2),
        (1.5000001, 1.0, 3),
        (3.0, 1.0, 3),
        (3.5, 1.0, 3),
        (3.6, 1.0, 4),
        (1000.0, 0.01, 18),
        (1e-3, 5.0, 1),
    ] {
        let bits = RoundRobinRange::bits_for(range, sigma).unwrap();
        assert_eq!(bits, q, "R {range}, sigma {sigma}");
        let step = 2.0 * range / ((1u64 << bits) - 1) as f64;
        assert!(step <= sigma * (1.0 + 1e-12));
        if bits > 1 {
            let coarser = 2.0 * range / ((1u64 << (bits - 1)) - 1) as f64;
            assert!(coarser > sigma);
        }
    }
}

#[test]
fn describes_min_of_d_and_floor_b_over_q_coordinates_in_exactly_k_q_bits() {
    let y: Vec<f64> = (0..10).map(|i| 0.35 * i as f64 - 1.6).collect();
    for (budget, q_bits, k) in [
        (3, 3, 1),
        (8, 3, 2),
        (29, 3, 9),
        (30, 3, 10),
        (100, 3, 10),
        (64, 4, 10),
    ] {
        let q = RoundRobinRange::with_bits(10, budget, 2.0, q_bits).unwrap();
        assert_eq!(q.schedule().per_round(), k, "B {budget}");
        assert!(!q.is_coarse());
        let m = check::measure(&q, (&y).into(), 40, 2).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
        assert_eq!(
            (m.min_bits, m.max_bits),
            (k * q_bits as usize, k * q_bits as usize)
        );
        assert_eq!(q.paper_bits(), Some((k * q_bits as usize) as f64));
    }
}

#[test]
fn a_budget_below_q_sends_one_coarser_coordinate() {
    // R/sigma = 10: q = ceil(log2 21) = 5, but only 3 bits are available.
    let q = RoundRobinRange::new(6, 3, 10.0, 1.0).unwrap();
    assert_eq!(q.requested_bits(), 5);
    assert_eq!(q.bits(), 3);
    assert!(q.is_coarse());
    assert_eq!(q.schedule().per_round(), 1);
    assert_eq!(q.grid().levels(), 8);
    let m = check::measure(&q, (&[1.0f64; 6]).into(), 20, 1).unwrap();
    assert_eq!((m.min_bits, m.max_bits), (3, 3));
}

#[test]
fn scale_bits_are_taken_from_the_budget() {
    let q = RoundRobinRange::with_bits(10, 20, 1.0, 4).unwrap();
    assert_eq!(q.schedule().per_round(), 5);
    let q = q.with_scale_bits(8).unwrap();
    assert_eq!(q.scale_bits(), 8);
    assert_eq!((q.bits(), q.schedule().per_round()), (4, 3));
    let coarse = q.clone().with_scale_bits(18).unwrap();
    assert_eq!((coarse.bits(), coarse.schedule().per_round()), (2, 1));
    // Re-deriving from the requested q: removing the reservation restores the full scheme.
    let back = coarse.with_scale_bits(0).unwrap();
    assert_eq!((back.bits(), back.schedule().per_round()), (4, 5));
    assert_eq!(
        q.with_scale_bits(20),
        Err(QuantError::BudgetTooSmall {
            needed: 21,
            budget: 20
        })
    );
}

#[test]
fn a_message_that_does_not_fit_the_writer_is_an_error_and_writes_nothing() {
    let q = RoundRobinRange::with_bits(4, 12, 1.0, 3).unwrap();
    let mut w = BitWriter::with_capacity(11);
    let err = q
        .encode(
            (&[0.0f64; 4]).into(),
            &PublicState::new(0),
            &mut ChaCha8Rng::seed_from_u64(0),
            &mut w,
        )
        .unwrap_err();
    assert!(matches!(
        err,
        QuantError::Codec(CodecError::BudgetExceeded { .. })
    ));
    assert!(w.is_empty());
}

#[test]
fn describing_every_coordinate_is_unbiased_with_the_stated_variance() {
    let q = RoundRobinRange::with_bits(6, 18, 1.0, 3).unwrap();
    assert_eq!(q.bias(), Bias::Unbiased);
    let step = q.step();
    let VarianceBound::Absolute { mse } = q.variance() else {
        panic!("a scheme describing every coordinate states an absolute bound");
    };
    assert!((mse - 6.0 * step * step / 4.0).abs() < 1e-15);
    let y = [-1.0, -0.93, -0.2, 0.0, 0.5 * step, 0.999];
    let m = check::measure(&q, (&y).into(), 20_000, 3).unwrap();
    m.assert_unbiased(5.0).unwrap();
    m.assert_within_stated_mse(&q, 5.0).unwrap();
    m.assert_mse_at_most(6.0 * step * step / 4.0, 5.0).unwrap();
}

#[test]
fn described_coordinates_are_unbiased_when_only_some_are_described() {
    let q = RoundRobinRange::with_bits(8, 9, 2.0, 3).unwrap();
    assert!(!q.bias().is_unbiased());
    let y = [-1.7, 0.3, 1.1, -0.05, 1.99, -2.0, 0.77, 0.4];
    for round in 0..3 {
        let state = PublicState::new(4).with_round(round);
        let support = q.support(&state).unwrap();
        assert_eq!(support.len(), 3);
        let m = error_moments(&q, &y, &state, 20_000, round).unwrap();
        for &i in &support {
            assert!(
                m.mean[i].abs() < 5.0 * m.mean_se[i] + 1e-15,
                "round {round}, coordinate {i}: mean error {:.3e}, se {:.3e}",
                m.mean[i],
                m.mean_se[i]
            );
        }
        // Undescribed coordinates decode to the centre 0: error exactly -y_i.
        for i in (0..8).filter(|i| !support.contains(i)) {
            assert!((m.mean[i] + y[i]).abs() < 1e-12);
        }
    }
}

#[test]
fn per_coordinate_variance_is_the_rounding_variance_and_at_most_a_quarter_step_squared() {
    // At a grid midpoint the variance is exactly Delta^2/4; elsewhere (v - a)(a + Delta - v).
    let q = RoundRobinRange::with_bits(5, 15, 1.0, 3).unwrap();
    let step = q.step();
    let y = [
        -1.0 + 0.5 * step,
        -1.0 + 1.25 * step,
        0.5 * step,
        1.0 - 0.1 * step,
        1.0,
    ];
    let m = error_moments(&q, &y, &PublicState::new(1), 40_000, 9).unwrap();
    for (i, &v) in y.iter().enumerate() {
        let exact = q.grid().rounding_variance(v);
        assert!(exact <= step * step / 4.0 + 1e-15);
        assert!(
            (m.sq[i] - exact).abs() < 5.0 * m.sq_se[i] + 1e-15,
            "coordinate {i}: measured {:.4e}, exact {exact:.4e} (se {:.1e})",
            m.sq[i],
            m.sq_se[i]
        );
    }
    assert!((q.grid().rounding_variance(y[0]) - step * step / 4.0).abs() < 1e-15);
    assert!((q.variance_per_coordinate() - step * step / 4.0).abs() < 1e-15);
}

#[test]
fn round_robin_covers_every_coordinate_equally_over_d_over_k_rounds() {
    let q = RoundRobinRange::with_bits(12, 8, 1.0, 2).unwrap();
    assert_eq!(q.schedule().per_round(), 4);
    let mut count = [0; 12];
    for t in 0..3 {
        for i in q.support(&PublicState::new(0).with_round(t)).unwrap() {
            count[i] += 1;
        }
    }
    assert_eq!(count, [1; 12]);
}

#[test]
fn the_public_coin_variant_decodes_what_was_encoded() {
    let q = RoundRobinRange::with_bits(10, 12, 1.0, 4)
        .unwrap()
        .with_selection(Selection::PublicCoin);
    let y: Vec<f64> = (0..10).map(|i| -1.0 + 2.0 * i as f64 / 9.0).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(8);
    for t in 0..10 {
        let state = PublicState::new(6).with_round(t);
        let support = q.support(&state).unwrap();
        let (_, out) = roundtrip(&q, (&y).into(), &state, &mut rng).unwrap();
        for i in 0..10 {
            if support.contains(&i) {
                assert!((out[i] - y[i]).abs() <= q.step() + 1e-12);
            } else {
                assert_eq!(out[i], 0.0);
            }
        }
    }
}

#[test]
fn out_of_range_input_is_an_error_even_off_the_support() {
    let q = RoundRobinRange::with_bits(4, 3, 1.0, 3).unwrap();
    let state = PublicState::new(0); // describes coordinate 0 only
    let mut w = BitWriter::with_capacity(3);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for (i, bad) in [(0, 1.0 + 1e-12), (3, -1.5), (2, 1e300)] {
        let mut y = [0.0f64; 4];
        y[i] = bad;
        let err = q.encode((&y).into(), &state, &mut rng, &mut w).unwrap_err();
        assert!(matches!(err, QuantError::OutOfRange { .. }), "{err:?}");
        assert!(w.is_empty());
    }
    let y32 = [0.0f32, 0.0, 0.0, 1.5];
    assert!(matches!(
        q.encode((&y32).into(), &state, &mut rng, &mut w),
        Err(QuantError::OutOfRange { .. })
    ));
    // The end points themselves are in range and decode exactly.
    let (_, out) = roundtrip(&q, (&[1.0f64, -1.0, 1.0, -1.0]).into(), &state, &mut rng).unwrap();
    assert_eq!(out[0], 1.0);
}

#[test]
fn nan_input_and_bad_centres_are_errors() {
    let q = RoundRobinRange::with_bits(3, 6, 1.0, 2).unwrap();
    let mut w = BitWriter::with_capacity(6);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let s = PublicState::new(0);
    assert_eq!(
        q.encode((&[0.0, 0.0, f64::NAN]).into(), &s, &mut rng, &mut w),
        Err(QuantError::NonFinite { index: 2 })
    );
    let short = [0.0; 2];
    assert!(matches!(
        q.encode(
            (&[0.0f64; 3]).into(),
            &s.with_centre(&short),
            &mut rng,
            &mut w
        ),
        Err(QuantError::DimensionMismatch {
            expected: 3,
            got: 2
        })
    ));
    let msg = BitString::from_bytes(&[0], 6).unwrap();
    let mut out = [0.0; 3];
    assert!(matches!(
        q.decode(&mut msg.reader(), &s.with_centre(&short), &mut out),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

#[test]
fn undescribed_coordinates_decode_to_the_centre_or_zero() {
    let q = RoundRobinRange::with_bits(5, 4, 1.0, 2).unwrap();
    let centre = [0.1, 0.2, 0.3, 0.4, 0.5];
    let y = [0.5f64; 5];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let state = PublicState::new(0).with_round(1);
    let support = q.support(&state).unwrap();
    assert_eq!(support, vec![2, 3]);
    let (_, plain) = roundtrip(&q, (&y).into(), &state, &mut rng).unwrap();
    let (_, centred) = roundtrip(&q, (&y).into(), &state.with_centre(&centre), &mut rng).unwrap();
    for i in [0, 1, 4] {
        assert_eq!(plain[i], 0.0);
        assert_eq!(centred[i], centre[i]);
    }
    for i in support {
        assert!(q.grid().contains(centred[i]) && plain[i].abs() <= 1.0);
    }
}

#[test]
fn messages_are_pinned_for_a_seed() {
    // Value stability: a silent change in the rounding coins or the bit layout changes these.
    let q = RoundRobinRange::with_bits(4, 16, 1.0, 4).unwrap();
    let y = [-0.9f64, -0.1, 0.37, 0.8];
    let (msg, out) = roundtrip(
        &q,
        (&y).into(),
        &PublicState::new(0),
        &mut ChaCha8Rng::seed_from_u64(42),
    )
    .unwrap();
    assert_eq!(msg.to_bytes(), PINNED);
    let indices: Vec<u64> = msg
        .to_bytes()
        .iter()
        .flat_map(|b| [u64::from(b & 15), u64::from(b >> 4)])
        .collect();
    for (o, j) in out.iter().zip(indices) {
        assert_eq!(*o, q.grid().value(j));
    }
}

/// Indices 1, 6, 10, 13 in 4-bit fields, lowest first.
const PINNED: [u8; 2] = [0x61, 0xDA];

#[test]
fn invalid_parameters_are_rejected() {
    for range in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(RoundRobinRange::new(4, 8, range, 1.0).is_err(), "R {range}");
        assert!(
            RoundRobinRange::with_bits(4, 8, range, 2).is_err(),
            "R {range}"
        );
    }
    for sigma in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            RoundRobinRange::new(4, 8, 1.0, sigma).is_err(),
            "sigma {sigma}"
        );
    }
    assert!(RoundRobinRange::new(4, 64, 1e12, 1e-3).is_err()); // q > 32
    assert!(RoundRobinRange::with_bits(4, 64, 1.0, 0).is_err());
    assert!(RoundRobinRange::with_bits(4, 64, 1.0, 33).is_err());
    assert!(RoundRobinRange::with_bits(0, 64, 1.0, 3).is_err());
    assert_eq!(
        RoundRobinRange::with_bits(4, 0, 1.0, 3),
        Err(QuantError::BudgetTooSmall {
            needed: 1,
            budget: 0
        })
    );
}

#[test]
fn the_running_mean_meets_the_theorem_4_error() {
    // Bounded-range oracle at queries x = 0: g = -theta + xi, xi uniform on [-sqrt3 s, sqrt3 s]
    // (variance s^2), |g_i| <= R = b + sqrt3 s. The running mean of -ghat over the N_i rounds
    // describing coordinate i has error (s^2 + v_i)/N_i with 0 <= v_i <= Delta^2/4. Averaged
    // over d coordinates the relative standard error is about sqrt(2/d) = 2%.
    let (d, t_rounds, s, b) = (4800usize, 1000u64, 1.0f64, 1.0f64);
    let range = b + 3f64.sqrt() * s;
    let q = RoundRobinRange::new(d, d, range, s).unwrap();
    assert_eq!((q.bits(), q.schedule().per_round()), (3, d / 3));
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    let theta: Vec<f64> = (0..d).map(|_| rng.random_range(-b..b)).collect();
    let (mut sum, mut count) = (vec![0.0; d], vec![0u64; d]);
    let (mut g, mut out, mut w) = (vec![0.0; d], vec![0.0; d], BitWriter::new());
    let half = 3f64.sqrt() * s;
    for t in 0..t_rounds {
        for (gi, th) in g.iter_mut().zip(&theta) {
            *gi = -th + rng.random_range(-half..half);
        }
        let state = PublicState::new(1).with_round(t);
        w.reset(q.bit_cost().max_bits());
        q.encode((&g).into(), &state, &mut rng, &mut w).unwrap();
        q.decode(&mut w.to_bitstring().reader(), &state, &mut out)
            .unwrap();
        for i in q.support(&state).unwrap_or_else(|| (0..d).collect()) {
            sum[i] -= out[i];
            count[i] += 1;
        }
    }
    // Round robin: every coordinate is described T k/d times, up to one.
    let (lo, hi) = (count.iter().min().unwrap(), count.iter().max().unwrap());
    assert!(hi - lo <= 1 && *lo == t_rounds / 3);
    let mean_over = |f: &dyn Fn(usize) -> f64| (0..d).map(f).sum::<f64>() / d as f64;
    let mse = mean_over(&|i| (sum[i] / count[i] as f64 - theta[i]).powi(2));
    let lower = mean_over(&|i| s * s / count[i] as f64);
    let upper = mean_over(&|i| (s * s + q.variance_per_coordinate()) / count[i] as f64);
    let tol = 5.0 * (2.0 / d as f64).sqrt();
    assert!(
        mse > lower * (1.0 - tol) && mse < upper * (1.0 + tol),
        "mse {mse:.4e} outside [{lower:.4e}, {upper:.4e}]"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_decode_to_grid_points_or_fail_cleanly(
        bytes in proptest::collection::vec(any::<u8>(), 0..24),
        len_frac in 0.0f64..=1.0,
        bits in 1u32..=9,
        budget in 1usize..80,
        round in 0u64..50,
    ) {
        let d = 7;
        let q = RoundRobinRange::with_bits(d, budget, 2.5, bits).unwrap().with_selection(
            if round % 2 == 0 { Selection::RoundRobin } else { Selection::PublicCoin });
        let len = (len_frac * (bytes.len() * 8) as f64) as usize;
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let state = PublicState::new(3).with_round(round);
        let mut out = vec![f64::NAN; d];
        let need = q.bit_cost().exact().unwrap();
        match q.decode(&mut msg.reader(), &state, &mut out) {
            Ok(()) => {
                prop_assert!(len >= need);
                let support = q.support(&state).unwrap_or_else(|| (0..d).collect());
                for (i, o) in out.iter().enumerate() {
                    if support.contains(&i) {
                        let j = ((o + 2.5) / q.step()).round() as u64;
                        prop_assert!((q.grid().value(j) - o).abs() < 1e-12);
                    } else {
                        prop_assert_eq!(*o, 0.0);
                    }
                }
            }
            Err(e) => {
                prop_assert!(len < need);
                prop_assert!(
                    matches!(e, QuantError::Codec(CodecError::UnexpectedEnd { .. })),
                    "unexpected error {:?}", e
                );
            }
        }
    }
}
