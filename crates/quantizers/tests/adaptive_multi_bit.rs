//! Specification of [`AdaptiveMultiBit`]: `q` bits per described coordinate at the
//! Fisher-optimal thresholds `c_i + sigma tau_j`, decoded as `c_i + sigma m_j / I(q)`.

use bitcodec::{BitString, BitWriter, CodecError};
use proptest::prelude::*;
use quantizers::adaptive::{AdaptiveMultiBit, BitAllocation, MAX_BITS, Selection};
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
fn writes_exactly_k_times_q_bits() {
    let y: Vec<f64> = (0..12).map(|i| 0.4 * i as f64 - 2.0).collect();
    for (budget, bits, k) in [(5, 2, 2), (24, 2, 12), (100, 3, 12), (7, 7, 1), (36, 3, 12)] {
        let q = AdaptiveMultiBit::new(12, budget, 1.0, bits).unwrap();
        assert_eq!(q.schedule().per_round(), k);
        let m = check::measure(&q, (&y).into(), 30, 4).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
        assert_eq!(
            (m.min_bits, m.max_bits),
            (k * bits as usize, k * bits as usize)
        );
    }
}

#[test]
fn a_budget_below_q_bits_or_an_unsupported_q_is_rejected() {
    assert_eq!(
        AdaptiveMultiBit::new(4, 2, 1.0, 3),
        Err(QuantError::BudgetTooSmall {
            needed: 3,
            budget: 2
        })
    );
    assert!(matches!(
        AdaptiveMultiBit::new(4, 100, 1.0, 0),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        AdaptiveMultiBit::new(4, 100, 1.0, MAX_BITS + 1),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(AdaptiveMultiBit::new(0, 100, 1.0, 2).is_err());
    for sigma in [0.0, -2.0, f64::NAN, f64::INFINITY, f64::MAX] {
        assert!(
            AdaptiveMultiBit::new(4, 8, sigma, 2).is_err(),
            "sigma {sigma}"
        );
    }
}

#[test]
fn a_message_that_does_not_fit_the_writer_is_an_error_and_writes_nothing() {
    let q = AdaptiveMultiBit::new(4, 8, 1.0, 2).unwrap();
    let mut w = BitWriter::with_capacity(7);
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
fn decodes_centre_plus_sigma_times_cell_centroid_over_information() {
    let (d, sigma) = (16, 0.8);
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for bits in 1..=4 {
        let q = AdaptiveMultiBit::new(d, d * bits as usize, sigma, bits).unwrap();
        let cells = q.cells();
        let centre: Vec<f64> = (0..d).map(|_| rng.random_range(-2.0..2.0)).collect();
        let y: Vec<f64> = centre
            .iter()
            .map(|c| c + sigma * 2.5 * rng.sample::<f64, _>(StandardNormal))
            .collect();
        let state = PublicState::new(1).with_centre(&centre);
        let (_, out) = roundtrip(&q, (&y).into(), &state, &mut rng).unwrap();
        for i in 0..d {
            // The cell: how many thresholds c + sigma tau_j lie strictly below y.
            let j = cells
                .thresholds()
                .iter()
                .filter(|&&t| centre[i] + sigma * t < y[i])
                .count();
            let expected = centre[i] + sigma * cells.centroids()[j] / cells.information();
            assert!(
                (out[i] - expected).abs() < 1e-12,
                "q {bits}, coordinate {i}: {} vs {expected}",
                out[i]
            );
        }
    }
}

#[test]
fn decoded_offsets_are_symmetric_and_increasing() {
    for bits in 1..=8 {
        let q = AdaptiveMultiBit::new(3, 3 * bits as usize, 2.0, bits).unwrap();
        let m = q.offsets();
        assert_eq!(m.len(), 1 << bits);
        assert!(m.windows(2).all(|w| w[0] < w[1]));
        for (a, b) in m.iter().zip(m.iter().rev()) {
            assert_eq!(*a, -*b);
        }
    }
}

#[test]
fn cells_are_packed_lowest_bit_first() {
    // Value stability: cells 0, 1, 2, 3 of the 2-bit quantizer in 2-bit fields.
    let q = AdaptiveMultiBit::new(4, 8, 1.0, 2).unwrap();
    let (msg, _) = roundtrip(
        &q,
        (&[-2.0f64, -0.5, 0.5, 2.0]).into(),
        &PublicState::new(0),
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    assert_eq!(msg.to_bytes(), vec![0b1110_0100]);
}

#[test]
fn a_missing_centre_is_the_zero_vector() {
    let q = AdaptiveMultiBit::new(5, 15, 1.0, 3).unwrap();
    let y = [0.3f64, -0.1, 2.0, -5.0, 0.0];
    let zeros = [0.0; 5];
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let a = roundtrip(&q, (&y).into(), &PublicState::new(1), &mut rng).unwrap();
    let with_zero = PublicState::new(1).with_centre(&zeros);
    let b = roundtrip(&q, (&y).into(), &with_zero, &mut rng).unwrap();
    assert_eq!(a, b);
}

#[test]
fn undescribed_coordinates_decode_to_the_centre() {
    let q = AdaptiveMultiBit::new(8, 6, 1.0, 2)
        .unwrap()
        .with_selection(Selection::PublicCoin);
    let centre: Vec<f64> = (0..8).map(|i| i as f64).collect();
    let state = PublicState::new(21).with_round(5).with_centre(&centre);
    let support = q.support(&state).unwrap();
    assert_eq!(support.len(), 3);
    let (_, out) = roundtrip(
        &q,
        (&centre).into(),
        &state,
        &mut ChaCha8Rng::seed_from_u64(0),
    )
    .unwrap();
    for (i, (o, c)) in out.iter().zip(&centre).enumerate() {
        if support.contains(&i) {
            // y = c lies in the cell just below 0, whose offset is negative.
            assert_eq!(*o, c + q.offsets()[1]);
        } else {
            assert_eq!(o, c);
        }
    }
}

#[test]
fn bad_inputs_and_centres_are_errors() {
    let q = AdaptiveMultiBit::new(3, 6, 1.0, 2).unwrap();
    let mut w = BitWriter::with_capacity(6);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let s = PublicState::new(0);
    assert_eq!(
        q.encode((&[0.0, f64::NAN, 1.0]).into(), &s, &mut rng, &mut w),
        Err(QuantError::NonFinite { index: 1 })
    );
    assert_eq!(
        q.encode((&[0.0f32, f32::INFINITY, 1.0]).into(), &s, &mut rng, &mut w),
        Err(QuantError::NonFinite { index: 1 })
    );
    assert!(matches!(
        q.encode((&[0.0f64; 4]).into(), &s, &mut rng, &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
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
    let inf = [0.0, f64::INFINITY, 0.0];
    assert!(matches!(
        q.encode(
            (&[0.0f64; 3]).into(),
            &s.with_centre(&inf),
            &mut rng,
            &mut w
        ),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(w.is_empty());
    let mut out = [0.0; 2];
    let msg = BitString::from_bytes(&[0], 6).unwrap();
    assert!(matches!(
        q.decode(&mut msg.reader(), &s, &mut out),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

#[test]
fn gaussian_inputs_have_the_stated_mean_error() {
    // Y_i ~ N(mu_i, sigma^2) around a fixed centre; the decoded offsets are bounded by
    // sigma max|m_j|/I, so the sample standard error is an honest yardstick at 30 000 trials.
    let sigma = 0.9;
    let deltas = [-2.0, -0.7, 0.0, 0.3, 1.1, 2.6];
    let d = deltas.len();
    let centre: Vec<f64> = (0..d).map(|i| 1.0 - 0.3 * i as f64).collect();
    let mu: Vec<f64> = deltas
        .iter()
        .zip(&centre)
        .map(|(dl, c)| c + sigma * dl)
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    for bits in [2, 3] {
        let q = AdaptiveMultiBit::new(d, d * bits as usize, sigma, bits).unwrap();
        let trials = 30_000;
        let (mut sum, mut sum2) = (vec![0.0; d], vec![0.0; d]);
        let mut y = vec![0.0; d];
        for t in 0..trials {
            for (v, m) in y.iter_mut().zip(&mu) {
                *v = m + sigma * rng.sample::<f64, _>(StandardNormal);
            }
            let state = PublicState::new(8).with_round(t).with_centre(&centre);
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
            let stated = q.gaussian_bias(mu[i], centre[i]);
            assert!(
                (mean - stated).abs() < 5.0 * se,
                "q {bits}, delta {}: mean error {mean:.4e}, stated {stated:.4e}, se {se:.2e}",
                deltas[i]
            );
        }
    }
}

#[test]
fn the_gaussian_bias_vanishes_with_zero_slope_at_the_centre() {
    for bits in [1, 2, 3, 5] {
        let q = AdaptiveMultiBit::new(1, bits as usize, 1.0, bits).unwrap();
        assert!(q.gaussian_bias(0.0, 0.0).abs() < 1e-15);
        // Symmetric difference quotient: slope 0, so b(h) - b(-h) = O(h^3).
        let h = 1e-3;
        let slope = (q.gaussian_bias(h, 0.0) - q.gaussian_bias(-h, 0.0)) / (2.0 * h);
        assert!(slope.abs() < 1e-5, "q {bits}: slope {slope:e}");
        // Far from the centre the one-step estimate cannot follow: it stays bounded.
        let far = q.gaussian_bias(50.0, 0.0);
        assert!(far < -40.0);
    }
}

#[test]
fn fisher_information_per_round_is_k_times_i_q_over_sigma_squared() {
    let q = AdaptiveMultiBit::new(10, 25, 2.0, 3).unwrap();
    let k = 8.0;
    let expected = k * q.cells().information() / 4.0;
    assert!((q.fisher_information_per_round() - expected).abs() < 1e-14);
}

#[test]
fn best_uses_the_allocation_with_most_information() {
    let q = AdaptiveMultiBit::best(100, 250, 1.0).unwrap();
    let a = BitAllocation::best(100, 250).unwrap();
    assert_eq!(q.bits(), a.bits_per_coordinate);
    assert_eq!(q.schedule().per_round(), a.coordinates_per_round);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_decode_or_fail_cleanly(
        bytes in proptest::collection::vec(any::<u8>(), 0..24),
        len_frac in 0.0f64..=1.0,
        bits in 1u32..=5,
        budget in 5usize..60,
        round in 0u64..50,
    ) {
        let d = 9;
        let q = AdaptiveMultiBit::new(d, budget, 1.0, bits).unwrap().with_selection(
            if round % 2 == 0 { Selection::RoundRobin } else { Selection::PublicCoin });
        let len = (len_frac * (bytes.len() * 8) as f64) as usize;
        let msg = BitString::from_bytes(&bytes, len).unwrap();
        let centre: Vec<f64> = (0..d).map(|i| i as f64).collect();
        let state = PublicState::new(3).with_round(round).with_centre(&centre);
        let mut out = vec![f64::NAN; d];
        let need = q.bit_cost().exact().unwrap();
        match q.decode(&mut msg.reader(), &state, &mut out) {
            Ok(()) => {
                prop_assert!(len >= need);
                for (o, c) in out.iter().zip(&centre) {
                    let off = o - c;
                    prop_assert!(off == 0.0 || q.offsets().iter().any(|m| (m - off).abs() < 1e-12));
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
