//! The fast paths of the format quantizers against the scalar engine, coordinate by
//! coordinate: messages built from `Minifloat::encode` (or `encode_nearest`) on each value, in
//! the same order of random draws, must equal what the quantizers write, on random inputs
//! spanning subnormals of every format, ties, values far below the grid (several random words)
//! and overflow in both modes, from `f32` and `f64`, at any bit offset of the writer.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

use bitcodec::{BitString, BitWriter};
use quantizers::formats::{
    FloatCast, Minifloat, MxScaleRule, Mxfp4, NvScaleRule, Nvfp4, Overflow, Rounding,
};
use quantizers::random::Uniforms;
use quantizers::{PublicState, QuantError, Quantizer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RNE: Rounding = Rounding::NearestEven;
const SR: Rounding = Rounding::Stochastic;
const SAT: Overflow = Overflow::Saturate;
const NONSAT: Overflow = Overflow::NonSaturating;

/// Values of every kind a conversion distinguishes, as `f64` (cast to `f32` by the caller).
fn mixed(rng: &mut ChaCha8Rng, d: usize, format: &Minifloat) -> Vec<f64> {
    (0..d)
        .map(|_| {
            let sign = if rng.random::<bool>() { -1.0 } else { 1.0 };
            let v = match rng.random_range(0..8) {
                // On the grid, or a tie between neighbours (codes are ordered like values).
                0 | 1 => {
                    let c = rng.random_range(0..format.max_code());
                    let (a, b) = (format.decode(c), format.decode(c + 1));
                    if rng.random::<bool>() {
                        a
                    } else {
                        (a + b) / 2.0
                    }
                }
                // Log-uniform over the format's range and well below it.
                2..=5 => {
                    let lo = format.min_positive().log2() - 20.0;
                    let hi = format.max_finite().log2() + 0.5;
                    rng.random_range(lo..hi).exp2()
                }
                6 => 0.0,
                _ => rng.random::<f64>() * 4.0,
            };
            sign * v
        })
        .collect()
}

/// The message the engine writes for `y`, code by code, after `prefix` bits.
fn engine_cast(
    f: &Minifloat,
    y: &[f64],
    rounding: Rounding,
    overflow: Overflow,
    seed: u64,
    prefix: u32,
) -> Result<BitString, QuantError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = Uniforms::new(&mut rng);
    let mut w = BitWriter::new();
    w.write_bits(0, prefix).unwrap();
    for &v in y {
        let e = f.encode(v, rounding, overflow, &mut u)?;
        w.write_bits(u64::from(e.code), f.width()).unwrap();
    }
    Ok(w.finish())
}

fn quantizer_message(
    q: &dyn Quantizer,
    y32: Option<&[f32]>,
    y: &[f64],
    seed: u64,
    prefix: u32,
) -> Result<BitString, QuantError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = BitWriter::new();
    w.write_bits(0, prefix).unwrap();
    let input = match y32 {
        Some(x) => x.into(),
        None => y.into(),
    };
    q.encode(input, &PublicState::new(0), &mut rng, &mut w)?;
    Ok(w.finish())
}

#[test]
fn casts_write_the_engines_codes_for_f32_and_f64_input_in_every_mode() {
    let mut rng = ChaCha8Rng::seed_from_u64(31);
    let formats = [
        Minifloat::E4M3,
        Minifloat::E5M2,
        Minifloat::FP16,
        Minifloat::BF16,
    ];
    for f in formats {
        for trial in 0..6u64 {
            let d = rng.random_range(1..1500);
            let y = mixed(&mut rng, d, &f);
            let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
            let y32_as_64: Vec<f64> = y32.iter().map(|&v| f64::from(v)).collect();
            for (rounding, overflow) in [(RNE, SAT), (RNE, NONSAT), (SR, SAT), (SR, NONSAT)] {
                let q = FloatCast::new(f, d, rounding, overflow).unwrap();
                let prefix = (trial * 13 % 64) as u32;
                let seed = trial + 100;
                let from64 = quantizer_message(&q, None, &y, seed, prefix);
                let reference = engine_cast(&f, &y, rounding, overflow, seed, prefix);
                match (from64, reference) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{} f64 trial {trial}", q.name()),
                    // Refusals: both refuse (the quantizer with the first offending index).
                    (Err(_), Err(_)) => {}
                    (a, b) => panic!("{} f64 trial {trial}: {a:?} vs {b:?}", q.name()),
                }
                let from32 = quantizer_message(&q, Some(&y32), &y, seed, prefix);
                let reference = engine_cast(&f, &y32_as_64, rounding, overflow, seed, prefix);
                match (from32, reference) {
                    (Ok(a), Ok(b)) => assert_eq!(a, b, "{} f32 trial {trial}", q.name()),
                    (Err(_), Err(_)) => {}
                    (a, b) => panic!("{} f32 trial {trial}: {a:?} vs {b:?}", q.name()),
                }
            }
        }
    }
}

/// Blocks of wildly different scales, with maxima on MXFP4's scale and clip boundaries.
fn blocky(rng: &mut ChaCha8Rng, d: usize) -> Vec<f32> {
    let mut y = Vec::with_capacity(d);
    while y.len() < d {
        let k = rng.random_range(-60..60);
        let top = match rng.random_range(0..5) {
            0 => 6.0,
            1 => 7.0,
            2 => 4.0,
            3 => 8.0f64.next_down(),
            _ => 4.0 + 4.0 * rng.random::<f64>(),
        } * 2f64.powi(k);
        y.push(top as f32);
        for _ in 1..32 {
            let e = E2M1_VALUES[rng.random_range(0..8)];
            let v = match rng.random_range(0..3) {
                // Elements on the grid and on its midpoints, in units of the block scale.
                0 => e * 2f64.powi(k - 2),
                1 => (e + 0.25) * 2f64.powi(k - 2),
                _ => rng.random::<f64>() * top * 2f64.powi(-rng.random_range(0..30)),
            };
            y.push((if rng.random::<bool>() { -v } else { v }) as f32);
        }
    }
    y.truncate(d);
    y
}

const E2M1_VALUES: [f64; 8] = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];

#[test]
fn mxfp4_floor_writes_the_engines_block_codes() {
    let mut rng = ChaCha8Rng::seed_from_u64(47);
    let e2m1 = Minifloat::E2M1;
    for trial in 0..20u64 {
        let d = rng.random_range(1..700);
        let y = blocky(&mut rng, d);
        for rounding in [RNE, SR] {
            let q = Mxfp4::new(d, rounding, MxScaleRule::Floor).unwrap();
            let prefix = (trial * 7 % 64) as u32;
            let got = quantizer_message(&q, Some(&y), &[], trial, prefix).unwrap();
            // Reference: the E8M0 scale from the public rule, each element V / X (exact for f32
            // input) converted by the engine with saturation, in order.
            let mut r = ChaCha8Rng::seed_from_u64(trial);
            let mut u = Uniforms::new(&mut r);
            let mut w = BitWriter::new();
            w.write_bits(0, prefix).unwrap();
            for block in y.chunks(32) {
                let amax = block.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
                let scale = Mxfp4::shared_scale(amax).unwrap();
                w.write_bits(u64::from(scale.code()), 8).unwrap();
                for &v in block {
                    let e = e2m1.encode(f64::from(v) / scale.value(), rounding, SAT, &mut u);
                    w.write_bits(u64::from(e.unwrap().code), 4).unwrap();
                }
            }
            assert_eq!(got, w.finish(), "{} trial {trial}", q.name());
        }
    }
}

#[test]
fn nvfp4_nearest_even_writes_the_engines_codes_including_exact_ties() {
    let mut rng = ChaCha8Rng::seed_from_u64(53);
    let (e2m1, e4m3) = (Minifloat::E2M1, Minifloat::E4M3);
    for trial in 0..20u64 {
        let d = rng.random_range(1..500);
        // A tensor maximum of 2688 makes s_t = 1; blocks of maximum 9 get s_b = 1.5, so the
        // products m · 1.5 of E2M1 midpoints are exact f32 values: exact ties of y / p.
        let mut y: Vec<f32> = blocky(&mut rng, d)
            .iter()
            .map(|v| v.clamp(-9.0, 9.0))
            .collect();
        for (i, v) in y.iter_mut().enumerate() {
            if i % 16 == 1 {
                *v = 9.0;
            } else if i % 3 == 0 {
                let m = [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0][i % 7];
                *v = (m * 1.5) as f32;
            }
        }
        if let Some(v) = y.first_mut() {
            *v = 2688.0;
        }
        for rule in [NvScaleRule::Nearest, NvScaleRule::RoundUp] {
            let q = Nvfp4::new(d, RNE, rule).unwrap();
            let prefix = (trial * 11 % 64) as u32;
            let got = quantizer_message(&q, Some(&y), &[], trial, prefix).unwrap();
            let amax = y.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
            let st = q.tensor_scale(amax).unwrap();
            let mut w = BitWriter::new();
            w.write_bits(0, prefix).unwrap();
            w.write_bits(u64::from(st.to_bits()), 32).unwrap();
            for block in y.chunks(16) {
                let bmax = block.iter().fold(0.0f64, |m, v| m.max(f64::from(v.abs())));
                let code = q.block_scale_code(bmax, st);
                w.write_bits(u64::from(code), 8).unwrap();
                let p = f64::from(st) * e4m3.decode(code);
                for &v in block {
                    let e = e2m1.encode_nearest(f64::from(v) / p, SAT).unwrap();
                    w.write_bits(u64::from(e.code), 4).unwrap();
                }
            }
            assert_eq!(got, w.finish(), "{} trial {trial}", q.name());
        }
    }
}

#[test]
fn a_refused_chunk_late_in_the_input_leaves_the_message_and_reports_the_first_offender() {
    let d = 3000;
    let mut y = vec![1.0f32; d];
    y[2500] = 1e6; // overflows E4M3 in non-saturating mode
    y[2900] = f32::NAN;
    let q = FloatCast::e4m3(d, RNE, NONSAT).unwrap();
    let mut w = BitWriter::new();
    w.write_bits(0b101, 3).unwrap();
    let got = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    // Non-finite input is reported before overflow, as a check before writing would.
    assert_eq!(got, Err(QuantError::NonFinite { index: 2900 }));
    assert_eq!((w.len(), w.as_words()), (3, &[0b101u64][..]));
    y[2900] = 0.5;
    let got = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(got, Err(QuantError::OutOfRange { .. })), "{got:?}");
    assert_eq!(w.len(), 3);
}

#[test]
fn mxfp4_refuses_a_late_non_finite_block_without_writing() {
    let d = 1000;
    let mut y = vec![0.5f64; d];
    y[990] = f64::INFINITY;
    for rounding in [RNE, SR] {
        let q = Mxfp4::new(d, rounding, MxScaleRule::Floor).unwrap();
        let mut w = BitWriter::new();
        let got = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
        assert_eq!(got, Err(QuantError::NonFinite { index: 990 }));
        assert!(w.is_empty());
    }
}
