//! NVFP4: exact bits, the tensor and block scales on hand-computed inputs, the bias of
//! nearest-even block scales under stochastic rounding and its removal by rounding scales up,
//! and bad input.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

mod formats_reference;

use bitcodec::{BitString, BitWriter, CodecError};
use formats_reference::e2m1;
use quantizers::formats::{Minifloat, NV_BLOCK, NvScaleRule, Nvfp4, Rounding};
use quantizers::{Bias, PublicState, QuantError, Quantizer, check};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RNE: Rounding = Rounding::NearestEven;
const SR: Rounding = Rounding::Stochastic;
const NEAREST: NvScaleRule = NvScaleRule::Nearest;
const UP: NvScaleRule = NvScaleRule::RoundUp;

fn random(d: usize, scale: f64, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..d)
        .map(|_| (rng.random::<f64>() - 0.5) * scale * 2f64.powi(rng.random_range(-4..4)))
        .collect()
}

/// Per coordinate, the variance of stochastic rounding, `(t - a)(b - t) p^2` with `t = y/p`,
/// `p = s_t s_b` and `a <= |t| <= b` neighbours in E2M1, from the reference table.
fn known_sr_variances(q: &Nvfp4, y: &[f64]) -> Vec<f64> {
    let r = e2m1();
    let amax = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let st = q.tensor_scale(amax).unwrap();
    y.chunks(NV_BLOCK)
        .flat_map(|b| {
            let bmax = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let p = f64::from(st) * Minifloat::E4M3.decode(q.block_scale_code(bmax, st));
            b.iter()
                .map(|&v| {
                    if p > 0.0 {
                        r.sr_variance(v / p) * p * p
                    } else {
                        0.0
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every coordinate's mean error is within `z` standard errors computed from the known
/// variance (the sample variance is blind to a rare outcome that a few thousand trials miss).
fn assert_unbiased_known(m: &check::Measurement, var: &[f64], z: f64) {
    let scale = m.input.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    for (i, (&e, &v)) in m.mean_error.iter().zip(var).enumerate() {
        let tol = z * (v / m.trials as f64).sqrt() + 1e-12 * scale;
        assert!(
            e.abs() <= tol,
            "coordinate {i}: mean error {e:e} beyond {tol:e}"
        );
    }
}

fn roundtrip(q: &Nvfp4, y: &[f64]) -> (Vec<f64>, BitString) {
    let state = PublicState::new(0);
    let mut w = BitWriter::new();
    q.encode(y.into(), &state, &mut rand::rng(), &mut w)
        .unwrap();
    let msg = w.finish();
    let mut out = vec![0.0; y.len()];
    q.decode(&mut msg.reader(), &state, &mut out).unwrap();
    (out, msg)
}

/// Block scale codes read from a message.
fn block_codes(msg: &BitString, d: usize) -> (u32, Vec<u64>) {
    let mut r = msg.reader();
    let st = r.read_bits(32).unwrap() as u32;
    let mut codes = vec![];
    for b in 0..d.div_ceil(NV_BLOCK) {
        codes.push(r.read_bits(8).unwrap());
        for _ in 0..NV_BLOCK.min(d - b * NV_BLOCK) {
            r.read_bits(4).unwrap();
        }
    }
    assert!(r.is_exhausted());
    (st, codes)
}

#[test]
fn messages_have_4d_plus_8_per_block_plus_32_bits() {
    for d in [1, 15, 16, 17, 48, 100] {
        let q = Nvfp4::new(d, SR, NEAREST).unwrap();
        assert_eq!(q.bit_cost().exact(), Some(4 * d + 8 * d.div_ceil(16) + 32));
        let m = check::measure(&q, (&random(d, 3.0, 1)).into(), 10, 1).unwrap();
        m.assert_bits_match_cost(&q).unwrap();
    }
}

#[test]
fn tensor_scale_is_amax_over_2688_in_f32() {
    let near = Nvfp4::new(1, RNE, NEAREST).unwrap();
    let up = Nvfp4::new(1, RNE, UP).unwrap();
    assert_eq!(near.tensor_scale(2688.0), Ok(1.0));
    assert_eq!(up.tensor_scale(2688.0), Ok(1.0));
    assert_eq!(near.tensor_scale(0.0), Ok(0.0));
    // 1/2688 is not an f32: nearest rounds either way, round-up never below.
    let s_near = near.tensor_scale(1.0).unwrap();
    let s_up = up.tensor_scale(1.0).unwrap();
    assert_eq!(s_near, (1.0f64 / 2688.0) as f32);
    assert!(f64::from(s_up) * 2688.0 >= 1.0);
    assert!(f64::from(s_up.next_down()) * 2688.0 < 1.0);
    // Tiny tensors keep a positive scale; huge f64 tensors overflow f32.
    assert_eq!(near.tensor_scale(1e-300), Ok(f32::from_bits(1)));
    assert!(matches!(
        near.tensor_scale(1e42),
        Err(QuantError::OutOfRange { .. })
    ));
}

#[test]
fn block_scales_follow_the_recipe_on_hand_computed_blocks() {
    let near = Nvfp4::new(1, RNE, NEAREST).unwrap();
    let up = Nvfp4::new(1, RNE, UP).unwrap();
    // s_t = 1: the block scale is E4M3(amax_b / 6), clamped to [2^-6, 448].
    for (q, amax, code) in [
        (&near, 2688.0, 0x7E), // 448
        (&near, 6.0, 0x38),    // 1.0: a power of two
        (&near, 0.0, 0x08),    // zero block: 2^-6
        (&near, 6.3, 0x38),    // 1.05 rounds down to 1.0
        (&up, 6.3, 0x39),      // ... and up to 1.125
        (&near, 6.4, 0x39),    // 1.0667 is past the midpoint 1.0625: up
        (&up, 6.0, 0x38),      // exact stays
        (&near, 0.01, 0x08),   // below the clamp
        (&near, 1e9, 0x7E),    // above the clamp
    ] {
        assert_eq!(q.block_scale_code(amax, 1.0), code, "{} {amax}", q.name());
    }
    assert_eq!(near.block_scale_code(5.0, 0.0), 0x08);
}

#[test]
fn the_wire_carries_the_tensor_scale_then_a_scale_per_block() {
    let d = 40;
    let mut y = vec![0.0; d];
    y[0] = 2688.0; // s_t = 1, block 0 scale 448
    y[20] = 6.0; // block 1 scale 1
    // block 2 (8 elements) is all zero: scale 2^-6
    let q = Nvfp4::new(d, RNE, NEAREST).unwrap();
    let (out, msg) = roundtrip(&q, &y);
    assert_eq!(out, y);
    let (st, codes) = block_codes(&msg, d);
    assert_eq!(f32::from_bits(st), 1.0);
    assert_eq!(codes, [0x7E, 0x38, 0x08]);
}

#[test]
fn an_all_zero_tensor_sends_a_zero_tensor_scale_and_decodes_to_zero() {
    let q = Nvfp4::new(20, SR, UP).unwrap();
    let y = vec![0.0; 20];
    let (out, msg) = roundtrip(&q, &y);
    assert_eq!(out, y);
    let (st, codes) = block_codes(&msg, 20);
    assert_eq!(st, 0);
    assert_eq!(codes, [0x08, 0x08]);
    assert_eq!(q.mse_bound(&y), Some(0.0));
}

/// Block 0 sets s_t = 1; block 1 has maximum 6.3, whose E4M3 scale 1.05 rounds down to 1.
fn scale_rounds_down() -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let mut y: Vec<f64> = (0..32).map(|_| rng.random_range(-5.0..5.0)).collect();
    y[0] = 2688.0;
    y[20] = 6.3;
    y
}

#[test]
fn stochastic_rounding_with_nearest_scales_is_biased_where_the_scale_rounds_down() {
    let y = scale_rounds_down();
    let q = Nvfp4::new(32, SR, NEAREST).unwrap();
    assert!(!q.bias().is_unbiased());
    let m = check::measure(&q, (&y).into(), 4000, 3).unwrap();
    let mut want = vec![0.0; 32];
    want[20] = 6.0 - 6.3; // clipped at 6 · s_t · s_b = 6
    m.assert_bias_equals(&want, 5.0).unwrap();
    assert!(m.assert_unbiased(5.0).is_err());
    assert_eq!(m.clipped, 4000);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn stochastic_rounding_with_rounded_up_scales_is_unbiased_there() {
    let y = scale_rounds_down();
    let q = Nvfp4::new(32, SR, UP).unwrap();
    assert_eq!(q.bias(), Bias::Unbiased);
    let m = check::measure(&q, (&y).into(), 4000, 3).unwrap();
    assert_unbiased_known(&m, &known_sr_variances(&q, &y), 5.0);
    assert_eq!(m.clipped, 0);
    m.assert_within_stated_mse(&q, 5.0).unwrap();
}

#[test]
fn rounded_up_stochastic_rounding_is_unbiased_on_one_hot_flat_and_random_inputs() {
    let d = 40;
    let mut one_hot = vec![0.0; d];
    one_hot[9] = 3.3;
    let inputs = [
        one_hot,
        vec![-0.123; d],
        random(d, 100.0, 4),
        random(d, 1e-20, 5),
    ];
    let q = Nvfp4::new(d, SR, UP).unwrap();
    for y in inputs {
        let m = check::measure(&q, (&y).into(), 4000, 6).unwrap();
        assert_unbiased_known(&m, &known_sr_variances(&q, &y), 5.0);
        m.assert_within_stated_mse(&q, 5.0).unwrap();
        assert_eq!(m.clipped, 0);
    }
}

#[test]
fn nearest_even_bias_is_the_deterministic_rounding_error() {
    let r = e2m1();
    let d = 48;
    let y = random(d, 10.0, 7);
    for rule in [NEAREST, UP] {
        let q = Nvfp4::new(d, RNE, rule).unwrap();
        let amax = y.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let st = f64::from(q.tensor_scale(amax).unwrap());
        let want: Vec<f64> = y
            .chunks(NV_BLOCK)
            .flat_map(|b| {
                let bmax = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                let sb = Minifloat::E4M3.decode(q.block_scale_code(bmax, st as f32));
                let p = st * sb;
                b.iter()
                    .map(|&v| r.rne_saturating(v / p) * p - v)
                    .collect::<Vec<_>>()
            })
            .collect();
        let m = check::measure(&q, (&y).into(), 2, 8).unwrap();
        m.assert_bias_equals(&want, 5.0).unwrap();
        let b = q.mse_bound(&y).unwrap();
        assert!((m.mse - b).abs() <= 1e-12 * b, "{}", q.name());
    }
}

#[test]
fn tiny_inputs_keep_a_positive_tensor_scale_and_finite_output() {
    let q = Nvfp4::new(3, SR, NEAREST).unwrap();
    let y = [1e-300, -2e-300, 0.0];
    let (out, msg) = roundtrip(&q, &y);
    assert!(out.iter().all(|v| v.is_finite()));
    assert_eq!(block_codes(&msg, 3).0, 1); // the smallest positive f32
}

#[test]
fn inputs_beyond_the_f32_tensor_scale_are_refused_untouched() {
    let q = Nvfp4::new(2, SR, UP).unwrap();
    let y = [1e42, 1.0];
    let mut w = BitWriter::new();
    let r = q.encode((&y).into(), &PublicState::new(0), &mut rand::rng(), &mut w);
    assert!(matches!(r, Err(QuantError::OutOfRange { .. })));
    assert!(w.is_empty());
    assert_eq!(q.mse_bound(&y), None);
}

#[test]
fn bad_input_and_parameters_are_refused() {
    let q = Nvfp4::new(3, RNE, NEAREST).unwrap();
    let state = PublicState::new(0);
    let r = q.encode(
        (&[1.0f32, 0.0, f32::INFINITY]).into(),
        &state,
        &mut rand::rng(),
        &mut BitWriter::new(),
    );
    assert_eq!(r, Err(QuantError::NonFinite { index: 2 }));
    let r = q.encode(
        (&[1.0f64; 2]).into(),
        &state,
        &mut rand::rng(),
        &mut BitWriter::new(),
    );
    assert_eq!(
        r,
        Err(QuantError::DimensionMismatch {
            expected: 3,
            got: 2
        })
    );
    assert!(matches!(
        Nvfp4::new(0, SR, UP),
        Err(QuantError::InvalidParameter(_))
    ));
    assert!(matches!(
        Nvfp4::new(usize::MAX / 2, SR, UP),
        Err(QuantError::InvalidParameter(_))
    ));
}

/// A 1-element message: tensor scale bits, block scale code, element code.
fn message(st: u32, sb: u8, elem: u8) -> BitString {
    let mut w = BitWriter::new();
    w.write_bits(u64::from(st), 32).unwrap();
    w.write_bits(u64::from(sb), 8).unwrap();
    w.write_bits(u64::from(elem), 4).unwrap();
    w.finish()
}

#[test]
fn impossible_scales_in_a_message_are_corrupt() {
    let q = Nvfp4::new(1, RNE, NEAREST).unwrap();
    let state = PublicState::new(0);
    let one = 1.0f32.to_bits();
    assert_eq!(
        q.decode(&mut message(one, 0x38, 0x7).reader(), &state, &mut [0.0]),
        Ok(())
    );
    for (st, sb) in [
        (f32::NAN.to_bits(), 0x38),
        (f32::INFINITY.to_bits(), 0x38),
        ((-1.0f32).to_bits(), 0x38),
        ((-0.0f32).to_bits(), 0x38),
        (one, 0x7F), // NaN
        (one, 0x00), // zero
        (one, 0x01), // 2^-9, below the clamp
        (one, 0xB8), // -1.0
    ] {
        let r = q.decode(&mut message(st, sb, 0x7).reader(), &state, &mut [0.0]);
        assert!(
            matches!(r, Err(QuantError::Corrupt(_))),
            "{st:#x} {sb:#x}: {r:?}"
        );
    }
}

#[test]
fn truncated_messages_are_refused() {
    let q = Nvfp4::new(17, SR, UP).unwrap();
    let (_, msg) = roundtrip(&q, &random(17, 1.0, 9));
    let short = BitString::from_bytes(&msg.to_bytes(), msg.len() - 1).unwrap();
    let r = q.decode(&mut short.reader(), &PublicState::new(0), &mut [0.0; 17]);
    assert!(matches!(
        r,
        Err(QuantError::Codec(CodecError::UnexpectedEnd { .. }))
    ));
}
