//! The fast paths of CUQ, RATQ and SimQ+ against the coordinate-by-coordinate references in
//! `paper_reference`: the same message bits (written after a prefix, so at any bit offset),
//! the same decoded values bit for bit, and the private generator left in the same state,
//! on random and edge inputs, from `f32` and `f64`, with the small fast generator and
//! ChaCha8 as the private generator.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

mod paper_reference;

use bitcodec::{BitString, BitWriter};
use paper_reference as reference;
use quantizers::paper::{Cuq, RangeTable, Ratq, SimQPlus};
use quantizers::{Input, PublicState, Quantizer};
use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Prefix lengths put before a message, so that fast paths start at every kind of offset.
const PREFIXES: [u32; 3] = [0, 1, 37];

/// The two private generators of the comparison.
fn generators(seed: u64) -> [(Box<dyn RngCore>, Box<dyn RngCore>); 2] {
    [
        (
            Box::new(SmallRng::seed_from_u64(seed)),
            Box::new(SmallRng::seed_from_u64(seed)),
        ),
        (
            Box::new(ChaCha8Rng::seed_from_u64(seed)),
            Box::new(ChaCha8Rng::seed_from_u64(seed)),
        ),
    ]
}

/// A writer holding `prefix` arbitrary bits.
fn prefixed(prefix: u32) -> BitWriter {
    let mut w = BitWriter::new();
    w.write_bits(0x5a5a_5a5a_5a5a_5a5a & ((1u64 << prefix) - 1), prefix)
        .unwrap();
    w
}

/// One comparison: a scheme, its input in both precisions, and the public state.
struct Case<'a> {
    label: String,
    q: &'a dyn Quantizer,
    y: &'a [f64],
    y32: &'a [f32],
    state: &'a PublicState<'a>,
}

/// Checks that the scheme and `reference` write the same bits after every prefix, leave the
/// generators in the same state, and that decoding the message equals `ref_decode`.
fn assert_same(
    case: &Case<'_>,
    reference: impl Fn(&[f64], &mut dyn RngCore, &mut BitWriter),
    ref_decode: impl Fn(&mut bitcodec::BitReader<'_>) -> Vec<f64>,
) {
    let Case {
        label,
        q,
        y,
        y32,
        state,
    } = case;
    let (q, y, y32, state) = (*q, *y, *y32, *state);
    let y32_as_64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
    for (seed, prefix) in PREFIXES.iter().enumerate() {
        for (mut rng_fast, mut rng_ref) in generators(seed as u64 + 1) {
            for (input, values) in [(Input::F64(y), y), (Input::F32(y32), &y32_as_64[..])] {
                let mut w_fast = prefixed(*prefix);
                let mut w_ref = prefixed(*prefix);
                q.encode(input, state, &mut rng_fast, &mut w_fast).unwrap();
                reference(values, &mut rng_ref, &mut w_ref);
                let (m_fast, m_ref) = (w_fast.finish(), w_ref.finish());
                assert_eq!(m_fast, m_ref, "{label}: message (prefix {prefix})");
                assert_eq!(
                    rng_fast.next_u64(),
                    rng_ref.next_u64(),
                    "{label}: generator state (prefix {prefix})"
                );
                let expect = read_after(&m_ref, *prefix, &ref_decode);
                let got = decode_after(q, &m_fast, *prefix, state);
                let same = expect
                    .iter()
                    .zip(&got)
                    .all(|(a, b)| a.to_bits() == b.to_bits());
                assert!(
                    same && expect.len() == got.len(),
                    "{label}: decoded values (prefix {prefix})"
                );
            }
        }
    }
}

fn read_after(
    msg: &BitString,
    prefix: u32,
    decode: &impl Fn(&mut bitcodec::BitReader<'_>) -> Vec<f64>,
) -> Vec<f64> {
    let mut r = msg.reader();
    r.read_bits(prefix).unwrap();
    let out = decode(&mut r);
    assert!(r.is_exhausted(), "the reference reads the whole message");
    out
}

fn decode_after(
    q: &dyn Quantizer,
    msg: &BitString,
    prefix: u32,
    state: &PublicState<'_>,
) -> Vec<f64> {
    let mut r = msg.reader();
    r.read_bits(prefix).unwrap();
    let mut out = vec![f64::NAN; q.dim()];
    q.decode(&mut r, state, &mut out).unwrap();
    assert!(r.is_exhausted(), "the decoder reads the whole message");
    out
}

/// `y` rounded to `f32`, each value moved one `f32` step towards zero if rounding took it
/// past `m` in magnitude.
fn to_f32_within(y: &[f64], m: f64) -> Vec<f32> {
    y.iter()
        .map(|&v| {
            let v32 = v as f32;
            if f64::from(v32).abs() > m {
                f32::from_bits(v32.to_bits() - 1)
            } else {
                v32
            }
        })
        .collect()
}

/// `y` times `1 - 2^-20`, rounded to `f32`: inside any norm ball that `y` is in, whatever
/// the rounding.
fn shrunk_f32(y: &[f64]) -> Vec<f32> {
    y.iter()
        .map(|&v| (v * (1.0 - 1.0 / f64::from(1 << 20))) as f32)
        .collect()
}

/// Values in `[-m, m]`: uniform, the ends, zeros of both signs, grid points of a
/// `levels`-point grid and their neighbours, tiny values.
fn cube_values(rng: &mut ChaCha8Rng, d: usize, m: f64, levels: u64) -> Vec<f64> {
    let step = 2.0 * m / (levels - 1) as f64;
    (0..d)
        .map(|_| match rng.random_range(0..10) {
            0 => m,
            1 => -m,
            2 => {
                if rng.random::<bool>() {
                    0.0
                } else {
                    -0.0
                }
            }
            3 | 4 => {
                let j = rng.random_range(0..levels) as f64;
                let v = (-m + j * step).clamp(-m, m);
                match rng.random_range(0..3) {
                    0 => v,
                    1 => f64::from_bits(v.to_bits() + 1).clamp(-m, m),
                    _ => f64::from_bits(v.to_bits().saturating_sub(1)).clamp(-m, m),
                }
            }
            5 => rng.random_range(-1e-300..1e-300),
            _ => rng.random_range(-m..=m),
        })
        .collect()
}

fn cuq_case(d: usize, m: f64, k: u64, seed: u64) {
    let q = Cuq::new(d, m, k).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let y = cube_values(&mut rng, d, m, k);
    let y32 = to_f32_within(&y, m);
    let state = PublicState::new(seed);
    assert_same(
        &Case {
            label: format!("cuq d={d} m={m} k={k}"),
            q: &q,
            y: &y,
            y32: &y32,
            state: &state,
        },
        |values, rng, w| reference::cuq_encode(&q, values, rng, w),
        |r| reference::cuq_decode(&q, r, d),
    );
}

#[test]
fn cuq_fast_paths_equal_the_reference_for_power_of_two_levels() {
    for (i, k) in [2u64, 4, 8, 16, 256, 1 << 12].into_iter().enumerate() {
        for d in [1usize, 7, 63, 64, 65, 255, 256, 257, 1000, 4099] {
            cuq_case(d, 8.0, k, 100 + i as u64);
        }
    }
}

#[test]
fn cuq_fast_paths_equal_the_reference_for_other_level_counts() {
    for (i, k) in [3u64, 5, 7, 100].into_iter().enumerate() {
        for d in [1usize, 40, 41, 257, 1000] {
            cuq_case(d, 1.5, k, 200 + i as u64);
        }
    }
}

#[test]
fn cuq_fast_paths_equal_the_reference_for_awkward_ranges() {
    for (i, m) in [1e-3, 0.3, 1.0 / 3.0, 7.25, 1e6].into_iter().enumerate() {
        for k in [2u64, 4, 5] {
            cuq_case(777, m, k, 300 + i as u64);
        }
    }
}

/// A random vector of `l2` norm `b` (up to rounding), or below it.
fn ball_values(rng: &mut ChaCha8Rng, d: usize, b: f64, shrink: f64) -> Vec<f64> {
    let raw: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let norm = raw.iter().map(|v| v * v).sum::<f64>().sqrt();
    raw.iter().map(|v| shrink * b * v / norm).collect()
}

fn ratq_case(q: &Ratq, y: &[f64], seed: u64) {
    let state = PublicState::new(seed).with_round(3);
    let d = q.dim();
    assert_same(
        &Case {
            label: format!("{} d={d}", q.name()),
            q,
            y,
            y32: &shrunk_f32(y),
            state: &state,
        },
        |values, rng, w| reference::ratq_encode(q, &state, values, rng, w),
        |r| reference::ratq_decode(q, &state, r),
    );
}

#[test]
fn ratq_fast_paths_equal_the_reference_on_random_inputs() {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    for d in [1usize, 3, 64, 100, 1000, 4096, 5000, (1 << 15) + 3] {
        for k in [2u64, 3, 4, 16] {
            let b = 2.0 * (d as f64).sqrt();
            let q = Ratq::new(d, b, k).unwrap();
            let shrink = rng.random_range(0.05..0.99);
            let y = ball_values(&mut rng, d, b, shrink);
            ratq_case(&q, &y, d as u64 + k);
        }
    }
}

#[test]
fn ratq_fast_paths_equal_the_reference_on_edge_inputs() {
    for d in [1usize, 5, 64, 1000, 1 << 12] {
        let q = Ratq::new(d, 1.0, 4).unwrap();
        let mut one_hot = vec![0.0; d];
        one_hot[d / 2] = -1.0;
        let flat = vec![1.0 / (d as f64).sqrt(); d];
        ratq_case(&q, &vec![0.0; d], 1);
        ratq_case(&q, &one_hot, 2);
        ratq_case(&q, &flat, 3);
    }
}

#[test]
fn ratq_fast_paths_equal_the_reference_with_other_blocks_and_tables() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    for d in [100usize, 1 << 13] {
        for block in [1usize, 3, 7, 64] {
            let q = Ratq::new(d, 4.0, 4)
                .unwrap()
                .with_block_len(block)
                .unwrap()
                .with_range_table(RangeTable::new(vec![0.01, 0.05, 0.2, 1.0, 4.5]).unwrap())
                .unwrap();
            let y = ball_values(&mut rng, d, 4.0, 0.9);
            ratq_case(&q, &y, block as u64);
        }
    }
}

fn simq_plus_case(d: usize, p: f64, k: usize, seed: u64, shrink: f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let b = 1.0;
    let q = SimQPlus::new(d, b, p, k).unwrap();
    // ||y||_q <= b with q = p/(p-1) <= 2: the l2 ball of radius b d^(1/2 - 1/q) holds it
    // only for q = 2, so scale a random vector to l_q norm b directly.
    let qq = if p.is_infinite() { 1.0 } else { p / (p - 1.0) };
    let raw: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
    let norm = raw
        .iter()
        .map(|v: &f64| v.abs().powf(qq))
        .sum::<f64>()
        .powf(1.0 / qq);
    let y: Vec<f64> = raw.iter().map(|v| shrink * b * v / norm).collect();
    let state = PublicState::new(seed);
    assert_same(
        &Case {
            label: format!("{} d={d}", q.name()),
            q: &q,
            y: &y,
            y32: &shrunk_f32(&y),
            state: &state,
        },
        |values, rng, w| reference::simq_plus_encode(&q, values, rng, w),
        |r| reference::simq_plus_decode(&q, r, d),
    );
}

#[test]
fn simq_plus_fast_paths_equal_the_reference_with_the_exact_type_code() {
    for (d, k) in [
        (1usize, 1usize),
        (1, 9),
        (5, 3),
        (64, 16),
        (200, 7),
        (1000, 20),
    ] {
        for p in [2.0, 3.0, f64::INFINITY] {
            simq_plus_case(d, p, k, (d + k) as u64, 0.9);
        }
    }
}

#[test]
fn simq_plus_fast_paths_equal_the_reference_with_the_range_code() {
    for (d, k) in [
        (64usize, 4096usize),
        (1000, 1000),
        (3, 5000),
        (5000, 312),
        (40_000, 40_000),
    ] {
        for (i, p) in [2.0, 4.0].into_iter().enumerate() {
            simq_plus_case(d, p, k, (d * k) as u64 + i as u64, 0.97);
        }
    }
}

#[test]
fn simq_plus_fast_paths_equal_the_reference_on_the_zero_and_tiny_inputs() {
    for (d, k) in [(10usize, 10usize), (1000, 1000)] {
        simq_plus_case(d, 2.0, k, 5, 0.0);
        simq_plus_case(d, 2.0, k, 6, 1e-6);
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn the_transform_equals_the_level_by_level_reference_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(21);
    // Sizes past every tile: L1 (2^11), L2 (2^17) and the passes over the whole array.
    for t in 0..=19 {
        let n = 1usize << t;
        let x: Vec<f64> = (0..n).map(|_| rng.random_range(-1e3..1e3)).collect();
        let mut fast = x.clone();
        quantizers::paper::fwht(&mut fast).unwrap();
        let mut slow = x;
        reference::fwht(&mut slow);
        assert_eq!(bits(&fast), bits(&slow), "n = 2^{t}");
    }
}

#[test]
fn the_rotation_and_its_inverse_equal_the_reference_bit_for_bit() {
    let mut rng = ChaCha8Rng::seed_from_u64(22);
    for d in [
        1usize,
        2,
        3,
        64,
        100,
        1000,
        4096,
        (1 << 16) + 5,
        (1 << 18) + 1,
    ] {
        let rot = quantizers::paper::RandomRotation::new(d).unwrap();
        let state = PublicState::new(d as u64).with_round(1);
        let y: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
        let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
        let y32_as_64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
        for (fast_input, values) in [(Input::F64(&y), &y), (Input::F32(&y32), &y32_as_64)] {
            let mut z = vec![0.0; rot.padded_dim()];
            match fast_input {
                Input::F64(x) => rot.forward(&state, x, &mut z).unwrap(),
                Input::F32(x) => rot.forward(&state, x, &mut z).unwrap(),
            }
            let expect = reference::rotate(&state, values, rot.padded_dim());
            assert_eq!(bits(&z), bits(&expect), "forward, d = {d}");
            let mut back = vec![0.0; d];
            rot.inverse(&state, &mut z, &mut back).unwrap();
            let expect_back = reference::unrotate(&state, expect, d);
            assert_eq!(bits(&back), bits(&expect_back), "inverse, d = {d}");
        }
    }
}
