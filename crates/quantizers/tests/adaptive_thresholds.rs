//! Specification of the normal-distribution helpers, the Fisher information `I(tau)` of a
//! threshold quantizer of `N(0, 1)`, and the optimal thresholds behind `I(q)`.
//!
//! Reference values marked [N] were computed with mpmath at 40 digits: the tail function with
//! `erfc`, and `I(q)` and the 4-level threshold by Lloyd's iteration (a different algorithm from
//! the crate's Newton solver) run to convergence.

use quantizers::QuantError;
use quantizers::adaptive::{
    MAX_BITS, OptimalThresholds, fisher_information, normal, threshold_information,
};

/// `phi`, written out here so the quadrature below shares no code with the crate.
fn phi(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Composite Simpson integral of `f` on `[a, b]` with panels of width at most `h`.
fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, h: f64) -> f64 {
    let n = (((b - a) / h).ceil() as usize).max(1) * 2;
    let step = (b - a) / n as f64;
    let inner: f64 = (1..n)
        .map(|i| f(a + i as f64 * step) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(a) + inner + f(b)) * step / 3.0
}

/// Cell probabilities and first moments of `N(0, 1)` by quadrature, with the outer cells cut at
/// `±12` (the mass beyond is below `2e-33`).
fn cells_by_quadrature(thresholds: &[f64]) -> Vec<(f64, f64)> {
    let edges: Vec<f64> = std::iter::once(-12.0)
        .chain(thresholds.iter().copied())
        .chain(std::iter::once(12.0))
        .collect();
    edges
        .windows(2)
        .map(|w| {
            let h = 2.5e-4;
            (
                simpson(phi, w[0], w[1], h),
                simpson(|z| z * phi(z), w[0], w[1], h),
            )
        })
        .collect()
}

#[test]
fn the_upper_tail_matches_forty_digit_values_far_into_the_tail() {
    // [N] Q(x) = erfc(x/sqrt 2)/2.
    let reference = [
        (0.5, 0.308_537_538_725_986_9),
        (1.0, 0.158_655_253_931_457_05),
        (1.9, 0.028_716_559_816_001_807),
        (2.0, 0.022_750_131_948_179_21),
        (2.5, 0.006_209_665_325_776_135),
        (3.0, 0.001_349_898_031_630_094_5),
        (5.0, 2.866_515_718_791_939e-7),
        (8.0, 6.220_960_574_271_784e-16),
        (10.0, 7.619_853_024_160_525e-24),
        (20.0, 2.753_624_118_606_233_7e-89),
        (37.0, 5.725_571_222_524_577e-300),
    ];
    for (x, q) in reference {
        let rel = (normal::sf(x) / q - 1.0).abs();
        assert!(rel < 4e-15, "Q({x}): relative error {rel:.1e}");
        let rel = (normal::cdf(-x) / q - 1.0).abs();
        assert!(rel < 4e-15, "Phi(-{x}): relative error {rel:.1e}");
    }
    assert_eq!(normal::sf(0.0), 0.5);
    assert_eq!(normal::sf(f64::INFINITY), 0.0);
    assert_eq!(normal::sf(f64::NEG_INFINITY), 1.0);
    assert!(normal::sf(f64::NAN).is_nan());
}

#[test]
fn interval_probabilities_and_density_differences_keep_relative_accuracy() {
    // [N] Phi(b) - Phi(a) and phi(a) - phi(b) at the f64 end points (2.001 is not exactly
    // representable, and the narrow intervals magnify that), including intervals where
    // differences of tails or of densities would cancel.
    let reference = [
        (
            2.0,
            2.001,
            5.393_700_253_765_069e-5,
            1.079_009_645_848_233e-4,
        ),
        (
            5.0,
            5.01,
            1.450_139_459_361_197_2e-8,
            7.257_887_513_929_44e-8,
        ),
        (
            -0.3,
            0.2,
            0.197_171_131_628_055_66,
            -0.009_654_878_514_931_79,
        ),
        (
            0.0,
            1e-6,
            3.989_422_804_013_661_5e-7,
            1.994_711_402_006_664_5e-13,
        ),
        (
            -4.0,
            -3.9,
            1.642_510_218_448_281_2e-5,
            -6.482_524_562_788_732e-5,
        ),
        (0.7, 3.2, 0.241_276_514_285_157_17, 0.309_869_845_165_296_4),
    ];
    for (a, b, p, n) in reference {
        let rel_p = (normal::interval_probability(a, b) / p - 1.0).abs();
        let rel_n = (normal::pdf_difference(a, b) / n - 1.0).abs();
        assert!(
            rel_p < 4e-15,
            "P({a} < Z < {b}): relative error {rel_p:.1e}"
        );
        assert!(
            rel_n < 4e-15,
            "phi({a}) - phi({b}): relative error {rel_n:.1e}"
        );
    }
    assert_eq!(
        normal::interval_probability(f64::NEG_INFINITY, f64::INFINITY),
        1.0
    );
    assert_eq!(
        normal::pdf_difference(f64::NEG_INFINITY, f64::INFINITY),
        0.0
    );
}

#[test]
fn one_bit_information_is_two_over_pi() {
    let two_over_pi = 2.0 / std::f64::consts::PI;
    assert!((fisher_information(1).unwrap() - two_over_pi).abs() < 1e-12);
    assert!((OptimalThresholds::new(1).unwrap().information() - two_over_pi).abs() < 1e-12);
    assert!((threshold_information(&[0.0]).unwrap() - two_over_pi).abs() < 1e-12);
    assert_eq!(OptimalThresholds::new(1).unwrap().thresholds(), &[0.0]);
}

#[test]
fn information_matches_an_independent_quadrature() {
    for bits in 1..=8 {
        let t = OptimalThresholds::new(bits).unwrap();
        let cells = cells_by_quadrature(t.thresholds());
        let info: f64 = cells.iter().map(|(p, n)| n * n / p).sum();
        assert!(
            (info - t.information()).abs() < 1e-10,
            "q {bits}: quadrature {info} vs optimiser {}",
            t.information()
        );
        for (j, ((p, n), (&p_opt, &m_opt))) in cells
            .iter()
            .zip(t.probabilities().iter().zip(t.centroids()))
            .enumerate()
        {
            assert!((p / p_opt - 1.0).abs() < 1e-8, "q {bits}, cell {j}: p");
            assert!((n / p - m_opt).abs() < 1e-8, "q {bits}, cell {j}: centroid");
        }
    }
}

#[test]
fn information_matches_lloyd_iteration_at_forty_digits() {
    // [N] mpmath, Lloyd's iteration from the compander start to convergence.
    let reference = [
        (2, 0.882_518_152_170_670_7),
        (3, 0.965_452_239_211_496_3),
        (4, 0.990_498_991_991_808_1),
    ];
    for (bits, info) in reference {
        assert!((OptimalThresholds::new(bits).unwrap().information() - info).abs() < 1e-14);
        assert!((fisher_information(bits).unwrap() - info).abs() < 1e-14);
    }
    let t = OptimalThresholds::new(2).unwrap();
    assert!((t.thresholds()[2] - 0.981_598_821_567_793_7).abs() < 1e-12);
}

#[test]
fn optimal_thresholds_are_midpoints_of_neighbouring_centroids() {
    for bits in 2..=MAX_BITS {
        let t = OptimalThresholds::new(bits).unwrap();
        for (tau, m) in t.thresholds().iter().zip(t.centroids().windows(2)) {
            assert!((tau - 0.5 * (m[0] + m[1])).abs() < 1e-12, "q {bits}");
        }
    }
}

#[test]
fn optimal_thresholds_are_a_local_maximum_of_the_information() {
    for bits in 2..=5 {
        let t = OptimalThresholds::new(bits).unwrap();
        let base = threshold_information(t.thresholds()).unwrap();
        assert!((base - t.information()).abs() < 1e-13);
        let l = t.thresholds().len();
        for j in 0..l {
            for h in [-1e-3, 1e-3] {
                let mut moved = t.thresholds().to_vec();
                moved[j] += h;
                let i = threshold_information(&moved).unwrap();
                assert!(i < base, "q {bits}: moving threshold {j} by {h} raised I");
            }
        }
    }
}

#[test]
fn quantizer_structure_is_symmetric_and_consistent() {
    for bits in 1..=MAX_BITS {
        let t = OptimalThresholds::new(bits).unwrap();
        let l = 1usize << bits;
        assert_eq!(t.levels(), l);
        assert_eq!(t.thresholds().len(), l - 1);
        assert!(t.thresholds().windows(2).all(|w| w[0] < w[1]));
        for (a, b) in t.thresholds().iter().zip(t.thresholds().iter().rev()) {
            assert_eq!(*a, -*b);
        }
        let total: f64 = t.probabilities().iter().sum();
        assert!((total - 1.0).abs() < 1e-13, "q {bits}: sum p = {total}");
        let mean: f64 = t
            .probabilities()
            .iter()
            .zip(t.centroids())
            .map(|(p, m)| p * m)
            .sum();
        assert!(mean.abs() < 1e-15);
        let info: f64 = t
            .probabilities()
            .iter()
            .zip(t.centroids())
            .map(|(p, m)| p * m * m)
            .sum();
        assert!((info - t.information()).abs() < 1e-13);
        // Every centroid lies inside its cell.
        let edges: Vec<f64> = std::iter::once(f64::NEG_INFINITY)
            .chain(t.thresholds().iter().copied())
            .chain(std::iter::once(f64::INFINITY))
            .collect();
        for (m, w) in t.centroids().iter().zip(edges.windows(2)) {
            assert!(w[0] < *m && *m < w[1]);
        }
    }
}

#[test]
fn information_increases_with_q_towards_one_below_the_rate_distortion_cap() {
    let mut previous = 0.0;
    for bits in 1..=MAX_BITS {
        let i = fisher_information(bits).unwrap();
        assert!(i > previous, "I({bits}) = {i} does not increase");
        assert!(i < 1.0);
        // Lloyd–Max distortion 1 - I(q) is at least the Gaussian distortion-rate 4^{-q}.
        assert!(
            i < 1.0 - 4f64.powi(-(bits as i32)),
            "I({bits}) above the cap"
        );
        previous = i;
    }
    assert!(1.0 - fisher_information(MAX_BITS).unwrap() < 2e-7);
    // Per bit, one bit is best: I(q)/q decreases.
    for bits in 1..MAX_BITS {
        let a = fisher_information(bits).unwrap() / f64::from(bits);
        let b = fisher_information(bits + 1).unwrap() / f64::from(bits + 1);
        assert!(b < a);
    }
}

#[test]
fn distortion_approaches_the_panter_dite_constant() {
    // 1 - I(q) ~ (sqrt(3) pi / 2) 4^{-q}; the relative gap shrinks about twofold per bit.
    let c = 3f64.sqrt() * std::f64::consts::PI / 2.0;
    let gap = |q: u32| 1.0 - (1.0 - fisher_information(q).unwrap()) * 4f64.powi(q as i32) / c;
    assert!(gap(12) > 0.0 && gap(12) < 1e-3);
    assert!(gap(12) < gap(11) && gap(11) < gap(10));
}

#[test]
#[allow(clippy::approx_constant)] // 0.636620 is the documented, rounded 2/pi
fn the_table_agrees_with_the_optimiser_and_the_documented_values() {
    // The module documentation's table, to its six decimals.
    let documented = [
        0.636620, 0.882518, 0.965452, 0.990499, 0.997495, 0.999356, 0.999837, 0.999959,
    ];
    for bits in 1..=MAX_BITS {
        let table = fisher_information(bits).unwrap();
        let solved = OptimalThresholds::new(bits).unwrap().information();
        assert!(
            (table - solved).abs() < 1e-14,
            "q {bits}: {table} vs {solved}"
        );
        if let Some(doc) = documented.get(bits as usize - 1) {
            assert!(
                (table - doc).abs() < 5e-7,
                "q {bits}: documented {doc}, table {table}"
            );
        }
    }
}

#[test]
fn a_value_on_a_threshold_falls_in_the_lower_cell() {
    let t = OptimalThresholds::new(2).unwrap();
    let tau = t.thresholds()[2];
    assert_eq!(t.cell(tau), 2);
    assert_eq!(t.cell(tau + 1e-12), 3);
    assert_eq!(t.cell(0.0), 1);
    assert_eq!(t.cell(f64::NEG_INFINITY), 0);
    assert_eq!(t.cell(f64::INFINITY), 3);
}

#[test]
fn unsupported_bit_counts_are_errors() {
    for bits in [0, MAX_BITS + 1, 64] {
        assert!(matches!(
            OptimalThresholds::new(bits),
            Err(QuantError::InvalidParameter(_))
        ));
        assert!(matches!(
            fisher_information(bits),
            Err(QuantError::InvalidParameter(_))
        ));
    }
}

#[test]
fn threshold_information_rejects_unordered_or_non_finite_thresholds() {
    assert_eq!(threshold_information(&[]).unwrap(), 0.0);
    for bad in [
        &[1.0, 0.0][..],
        &[0.0, 0.0],
        &[f64::NAN],
        &[0.0, f64::INFINITY],
    ] {
        assert!(matches!(
            threshold_information(bad),
            Err(QuantError::InvalidParameter(_))
        ));
    }
}

#[test]
fn an_off_centre_threshold_carries_less_than_the_median() {
    // phi(a)^2 / (Phi(a)(1 - Phi(a))) is maximal at a = 0.
    let at_zero = threshold_information(&[0.0]).unwrap();
    for a in [-2.0, -0.5, 0.1, 1.0, 4.0] {
        let i = threshold_information(&[a]).unwrap();
        let closed = phi(a) * phi(a) / (normal::cdf(a) * normal::sf(a));
        assert!((i - closed).abs() < 1e-14);
        assert!(i < at_zero);
    }
}
