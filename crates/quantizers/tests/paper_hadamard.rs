//! The Walsh–Hadamard transform (H H = n I, Sylvester's matrix) and the randomized rotation
//! R = (1/sqrt d') H D with public-coin signs (orthogonal, invertible, Rademacher signs).

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

use quantizers::paper::{RandomRotation, fwht};
use quantizers::{PublicState, QuantError};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn random_vec(n: usize, rng: &mut ChaCha8Rng) -> Vec<f64> {
    (0..n).map(|_| rng.random_range(-1.0..1.0)).collect()
}

#[test]
fn the_transform_is_sylvesters_matrix() {
    // H_{ij} = (-1)^{popcount(i & j)}.
    let n = 16;
    for j in 0..n {
        let mut e = vec![0.0; n];
        e[j] = 1.0;
        fwht(&mut e).unwrap();
        for (i, v) in e.iter().enumerate() {
            let expected = if (i & j).count_ones() % 2 == 0 {
                1.0
            } else {
                -1.0
            };
            assert_eq!(*v, expected, "H[{i}][{j}]");
        }
    }
}

#[test]
fn applying_it_twice_multiplies_by_n() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for t in 0..11 {
        let n = 1usize << t;
        let x = random_vec(n, &mut rng);
        let mut y = x.clone();
        fwht(&mut y).unwrap();
        fwht(&mut y).unwrap();
        for (a, b) in y.iter().zip(&x) {
            assert!((a - n as f64 * b).abs() <= 1e-12 * n as f64, "n={n}");
        }
    }
}

#[test]
fn lengths_that_are_not_powers_of_two_are_rejected() {
    for n in [0usize, 3, 6, 12, 1000] {
        assert!(matches!(
            fwht(&mut vec![0.0; n]),
            Err(QuantError::InvalidParameter(_))
        ));
    }
}

#[test]
fn the_rotation_pads_to_the_next_power_of_two() {
    for (d, padded) in [
        (1usize, 1usize),
        (2, 2),
        (3, 4),
        (100, 128),
        (128, 128),
        (129, 256),
    ] {
        assert_eq!(RandomRotation::new(d).unwrap().padded_dim(), padded);
    }
    assert!(RandomRotation::new(0).is_err());
}

#[test]
fn the_rotation_is_orthogonal() {
    // Columns R e_j, j < d' (with d = d'), form an orthonormal basis.
    let rot = RandomRotation::new(16).unwrap();
    let state = PublicState::new(3).with_round(9);
    let cols: Vec<Vec<f64>> = (0..16)
        .map(|j| {
            let mut e = vec![0.0; 16];
            e[j] = 1.0;
            let mut z = vec![0.0; 16];
            rot.forward(&state, &e, &mut z).unwrap();
            z
        })
        .collect();
    for i in 0..16 {
        for j in 0..16 {
            let dot: f64 = cols[i].iter().zip(&cols[j]).map(|(a, b)| a * b).sum();
            let expected = if i == j { 1.0 } else { 0.0 };
            assert!((dot - expected).abs() < 1e-12, "({i}, {j}): {dot}");
        }
    }
}

#[test]
fn the_inverse_round_trips_for_padded_dimensions() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    for d in [1usize, 3, 5, 100, 300] {
        let rot = RandomRotation::new(d).unwrap();
        let state = PublicState::new(4).with_round(d as u64);
        let x = random_vec(d, &mut rng);
        let mut z = vec![0.0; rot.padded_dim()];
        rot.forward(&state, &x, &mut z).unwrap();
        let n2x: f64 = x.iter().map(|v| v * v).sum();
        let n2z: f64 = z.iter().map(|v| v * v).sum();
        assert!((n2x - n2z).abs() < 1e-12 * n2x.max(1.0));
        let mut back = vec![0.0; d];
        rot.inverse(&state, &mut z, &mut back).unwrap();
        for (a, b) in back.iter().zip(&x) {
            assert!((a - b).abs() < 1e-12, "d={d}");
        }
    }
}

#[test]
fn the_signs_are_public_coins_of_the_round() {
    let rot = RandomRotation::new(64).unwrap();
    let x: Vec<f64> = (0..64).map(|i| i as f64).collect();
    let run = |state: PublicState<'_>| {
        let mut z = vec![0.0; 64];
        rot.forward(&state, &x, &mut z).unwrap();
        z
    };
    let s = PublicState::new(5).with_round(1);
    assert_eq!(run(s), run(PublicState::new(5).with_round(1)));
    assert_ne!(run(s), run(s.with_round(2)));
    assert_ne!(run(s), run(s.with_worker(1)));
    assert_ne!(run(s), run(PublicState::new(6).with_round(1)));
}

#[test]
fn the_signs_are_rademacher() {
    // R e_i = s_i H e_i / sqrt(d'), and H's first row is all ones: s_i = sqrt(d') (R e_i)_0.
    let rot = RandomRotation::new(128).unwrap();
    let n = 4000;
    let mut plus = [0usize; 3];
    for round in 0..n {
        let state = PublicState::new(7).with_round(round);
        for (slot, i) in plus.iter_mut().zip([0usize, 63, 127]) {
            let mut e = vec![0.0; 128];
            e[i] = 1.0;
            let mut z = vec![0.0; 128];
            rot.forward(&state, &e, &mut z).unwrap();
            *slot += usize::from(z[0] > 0.0);
        }
    }
    // Binomial(n, 1/2): within 5 standard deviations sqrt(n)/2 of n/2.
    for count in plus {
        let dev = (count as f64 - n as f64 / 2.0).abs();
        assert!(dev <= 5.0 * (n as f64).sqrt() / 2.0, "{count} of {n}");
    }
}

#[test]
fn buffers_of_the_wrong_length_are_errors() {
    let rot = RandomRotation::new(5).unwrap();
    let s = PublicState::new(0);
    let mut z = vec![0.0; 8];
    assert!(rot.forward(&s, &[0.0f64; 4], &mut z).is_err());
    assert!(rot.forward(&s, &[0.0f64; 5], &mut [0.0; 5]).is_err());
    assert!(rot.inverse(&s, &mut z, &mut [0.0; 6]).is_err());
    assert!(rot.inverse(&s, &mut [0.0; 16], &mut [0.0; 5]).is_err());
}
