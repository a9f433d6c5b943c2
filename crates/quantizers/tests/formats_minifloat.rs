//! The minifloat engine: OCP bit patterns, every code point, nearest-even against brute force
//! and against `half` / native `f32` casts, exact stochastic rounding, format validation.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

mod formats_reference;

use formats_reference::{E2M1_MAGNITUDES, RefFormat, e2m1, e4m3, e4m3_value, e5m2, e5m2_value};
use quantizers::QuantError;
use quantizers::formats::{DecodeTable, Minifloat, NanEncoding, Overflow, Rounding};
use quantizers::random::Uniforms;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SAT: Overflow = Overflow::Saturate;
const NONSAT: Overflow = Overflow::NonSaturating;

fn rne(f: Minifloat, v: f64) -> u32 {
    match f.encode_nearest(v, SAT) {
        Ok(e) => e.code,
        Err(e) => panic!("{v} failed to encode: {e}"),
    }
}

/// Log-uniform magnitudes from `lo` to `hi` with random signs.
fn log_uniform(rng: &mut ChaCha8Rng, lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|_| {
            let m = (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp();
            if rng.random::<bool>() { -m } else { m }
        })
        .collect()
}

// ---- OCP bit patterns -------------------------------------------------------------------

#[test]
fn e4m3_special_values_have_the_ocp_bit_patterns() {
    let f = Minifloat::E4M3;
    assert_eq!(rne(f, 0.0), 0x00);
    assert_eq!(rne(f, -0.0), 0x80);
    assert_eq!(rne(f, 2f64.powi(-9)), 0x01); // min subnormal
    assert_eq!(rne(f, 0.875 * 2f64.powi(-6)), 0x07); // max subnormal
    assert_eq!(rne(f, 2f64.powi(-6)), 0x08); // min normal
    assert_eq!(rne(f, 448.0), 0x7E); // max normal
    assert_eq!(rne(f, -448.0), 0xFE);
    assert_eq!(f.nan_code(), Some(0x7F));
    assert_eq!(f.infinity_code(), None);
    assert!(f.decode(0x7F).is_nan() && f.decode(0xFF).is_nan());
    assert_eq!(
        (f.max_finite(), f.min_normal(), f.min_positive()),
        (448.0, 2f64.powi(-6), 2f64.powi(-9))
    );
}

#[test]
fn e5m2_special_values_have_the_ocp_bit_patterns() {
    let f = Minifloat::E5M2;
    assert_eq!(rne(f, 0.0), 0x00);
    assert_eq!(rne(f, -0.0), 0x80);
    assert_eq!(rne(f, 2f64.powi(-16)), 0x01);
    assert_eq!(rne(f, 0.75 * 2f64.powi(-14)), 0x03);
    assert_eq!(rne(f, 2f64.powi(-14)), 0x04);
    assert_eq!(rne(f, 57344.0), 0x7B);
    assert_eq!(f.infinity_code(), Some(0x7C));
    assert_eq!(f.decode(0x7C), f64::INFINITY);
    assert_eq!(f.decode(0xFC), f64::NEG_INFINITY);
    for nan in [0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF] {
        assert!(f.decode(nan).is_nan(), "{nan:#x}");
    }
    assert_eq!(f.nan_code(), Some(0x7E));
}

#[test]
fn e2m1_special_values_have_the_ocp_bit_patterns() {
    let f = Minifloat::E2M1;
    assert_eq!(rne(f, 0.5), 0b0001); // the only subnormal
    assert_eq!(rne(f, 1.0), 0b0010); // min normal
    assert_eq!(rne(f, 6.0), 0b0111); // max
    assert_eq!(rne(f, -6.0), 0b1111);
    assert_eq!((f.nan_code(), f.infinity_code()), (None, None));
    assert_eq!(f.max_finite(), 6.0);
}

#[test]
fn ties_round_to_the_even_code() {
    let f = Minifloat::E4M3;
    assert_eq!(rne(f, 1.0 + 1.0 / 16.0), 0x38); // 1.0 (even) vs 1.125
    assert_eq!(rne(f, 1.0 + 3.0 / 16.0), 0x3A); // 1.125 vs 1.25 (even)
    assert_eq!(rne(f, 2f64.powi(-10)), 0x00); // half the min subnormal: to zero
    assert_eq!(rne(f, 3.0 * 2f64.powi(-10)), 0x02); // 2^-9 vs 2^-8 (even)
    let g = Minifloat::E2M1;
    for (v, code) in [
        (0.25, 0),
        (0.75, 2),
        (1.25, 2),
        (1.75, 4),
        (2.5, 4),
        (3.5, 6),
        (5.0, 6),
    ] {
        assert_eq!(rne(g, v), code, "{v}");
    }
}

// ---- overflow boundaries ------------------------------------------------------------------

#[test]
fn e4m3_overflow_boundary_is_464_with_the_tie_going_to_448() {
    let f = Minifloat::E4M3;
    let below = f.encode_nearest(463.9, NONSAT).map(|e| (e.code, e.clipped));
    assert_eq!(below, Ok((0x7E, false)));
    // 464 is the tie between 448 (mantissa 110, even) and the would-be 480: it stays 448.
    assert_eq!(f.encode_nearest(464.0, NONSAT).map(|e| e.code), Ok(0x7E));
    let above = 464.0f64.next_up();
    assert!(matches!(
        f.encode_nearest(above, NONSAT),
        Err(QuantError::OutOfRange { .. })
    ));
    let sat = f.encode_nearest(-above, SAT).map(|e| (e.code, e.clipped));
    assert_eq!(sat, Ok((0xFE, true)));
    assert!(f.overflows(above, Rounding::NearestEven));
    assert!(!f.overflows(464.0, Rounding::NearestEven));
}

#[test]
fn e5m2_overflow_boundary_is_61440_with_the_tie_going_to_infinity() {
    let f = Minifloat::E5M2;
    let below = f.encode_nearest(61440.0f64.next_down(), NONSAT);
    assert_eq!(below.map(|e| (e.code, e.clipped)), Ok((0x7B, false)));
    // 61440 is the tie between 57344 (mantissa 11, odd) and the would-be 65536 = Inf.
    assert!(matches!(
        f.encode_nearest(61440.0, NONSAT),
        Err(QuantError::OutOfRange { .. })
    ));
    let sat = f.encode_nearest(61440.0, SAT).map(|e| (e.code, e.clipped));
    assert_eq!(sat, Ok((0x7B, true)));
}

#[test]
fn stochastic_rounding_overflows_anything_above_max() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut u = Uniforms::new(&mut rng);
    let f = Minifloat::E4M3;
    let sr = Rounding::Stochastic;
    assert_eq!(
        f.encode(448.0, sr, NONSAT, &mut u).map(|e| e.code),
        Ok(0x7E)
    );
    assert!(matches!(
        f.encode(448.0f64.next_up(), sr, NONSAT, &mut u),
        Err(QuantError::OutOfRange { .. })
    ));
    let sat = f
        .encode(450.0, sr, SAT, &mut u)
        .map(|e| (e.code, e.clipped));
    assert_eq!(sat, Ok((0x7E, true)));
    assert!(f.overflows(448.0f64.next_up(), sr));
}

#[test]
fn non_finite_values_are_refused() {
    let f = Minifloat::E5M2;
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            f.encode_nearest(v, SAT),
            Err(QuantError::NonFinite { index: 0 })
        );
        assert!(f.overflows(v, Rounding::NearestEven));
    }
}

// ---- every code point ---------------------------------------------------------------------

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

#[test]
fn every_e4m3_code_decodes_to_its_defined_value() {
    let table = DecodeTable::new(&Minifloat::E4M3).unwrap();
    for c in 0..256u32 {
        let want = e4m3_value(c);
        assert!(same(Minifloat::E4M3.decode(c), want), "{c:#x}");
        assert!(same(table.get(c).unwrap(), want), "{c:#x}");
    }
}

#[test]
fn every_e5m2_code_decodes_to_its_defined_value() {
    let table = DecodeTable::new(&Minifloat::E5M2).unwrap();
    for c in 0..256u32 {
        let want = e5m2_value(c);
        assert!(same(Minifloat::E5M2.decode(c), want), "{c:#x}");
        assert!(same(table.get(c).unwrap(), want), "{c:#x}");
    }
}

#[test]
fn every_e2m1_code_decodes_to_the_listed_value() {
    let table = DecodeTable::new(&Minifloat::E2M1).unwrap();
    assert_eq!(table.len(), 16);
    for (c, &m) in E2M1_MAGNITUDES.iter().enumerate() {
        let c = c as u32;
        assert!(same(Minifloat::E2M1.decode(c), m));
        assert!(same(Minifloat::E2M1.decode(c | 0x8), -m));
        assert_eq!(table.finite(c | 0x8), Some(-m));
    }
}

#[test]
fn decode_finite_rejects_specials_and_wide_codes() {
    assert_eq!(Minifloat::E4M3.decode_finite(0x7F), None);
    assert_eq!(Minifloat::E5M2.decode_finite(0xFC), None);
    assert_eq!(Minifloat::E4M3.decode_finite(0x138), None); // 9 bits
    assert_eq!(Minifloat::E4M3.decode_finite(0x38), Some(1.0));
    assert_eq!(DecodeTable::new(&Minifloat::E2M1).unwrap().get(16), None);
}

#[test]
fn decode_tables_are_refused_for_formats_wider_than_8_bits() {
    assert!(matches!(
        DecodeTable::new(&Minifloat::FP16),
        Err(QuantError::InvalidParameter(_))
    ));
}

// ---- nearest-even against independent references ------------------------------------------

fn check_rne_against(reference: &RefFormat, f: Minifloat, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut values = log_uniform(
        &mut rng,
        f.min_positive() / 8.0,
        f.max_finite() * 1.2,
        20_000,
    );
    // Every midpoint between neighbours, and one ulp either side of it.
    let pos: Vec<f64> = reference.finite.iter().map(|&(_, v)| v).collect();
    for w in pos.windows(2) {
        let mid = (w[0] + w[1]) / 2.0;
        values.extend([mid, mid.next_up(), mid.next_down(), -mid, w[1]]);
    }
    for v in values {
        let got = f.encode_nearest(v, NONSAT).ok().map(|e| e.code);
        assert_eq!(got, reference.rne(v), "{f} at {v:e}");
    }
}

#[test]
fn e4m3_nearest_even_matches_brute_force() {
    check_rne_against(&e4m3(), Minifloat::E4M3, 1);
}

#[test]
fn e5m2_nearest_even_matches_brute_force() {
    check_rne_against(&e5m2(), Minifloat::E5M2, 2);
}

#[test]
fn e2m1_nearest_even_matches_brute_force() {
    check_rne_against(&e2m1(), Minifloat::E2M1, 3);
}

#[test]
fn fp16_nearest_even_agrees_with_half_on_f32_input() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let mut xs: Vec<f32> = log_uniform(&mut rng, 1e-9, 1e5, 50_000)
        .into_iter()
        .map(|v| v as f32)
        .collect();
    xs.extend((0..20_000).map(|_| f32::from_bits(rng.next_u32() & 0x7FFF_FFFF)));
    xs.extend([
        0.0, -0.0, 65504.0, 65519.99, 65520.0, 5.96e-8, 2.98e-8, 2.99e-8,
    ]);
    for x in xs.into_iter().filter(|x| x.is_finite()) {
        let want = half::f16::from_f32(x);
        let got = Minifloat::FP16.encode_nearest(f64::from(x), NONSAT);
        if want.is_infinite() {
            assert!(got.is_err(), "{x} should overflow");
            let sat = Minifloat::FP16.encode_nearest(f64::from(x), SAT);
            assert_eq!(
                sat.map(|e| e.code),
                Ok(0x7BFF | u32::from(x.is_sign_negative()) << 15)
            );
        } else {
            assert_eq!(got.map(|e| e.code), Ok(u32::from(want.to_bits())), "{x:e}");
        }
    }
}

#[test]
fn bf16_nearest_even_agrees_with_half_on_f32_input() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut xs: Vec<f32> = (0..50_000)
        .map(|_| f32::from_bits(rng.next_u32()))
        .collect();
    xs.extend([0.0, -0.0, f32::MAX, f32::MIN_POSITIVE, 1e-45, 3.3961776e38]);
    for x in xs.into_iter().filter(|x| x.is_finite()) {
        let want = half::bf16::from_f32(x);
        let got = Minifloat::BF16.encode_nearest(f64::from(x), NONSAT);
        if want.is_infinite() {
            assert!(got.is_err(), "{x} should overflow");
        } else {
            assert_eq!(got.map(|e| e.code), Ok(u32::from(want.to_bits())), "{x:e}");
        }
    }
}

#[test]
fn fp16_and_bf16_decode_every_code_like_half() {
    for c in 0..=u16::MAX {
        let h = half::f16::from_bits(c).to_f64();
        let b = half::bf16::from_bits(c).to_f64();
        assert!(same(Minifloat::FP16.decode(u32::from(c)), h), "fp16 {c:#x}");
        assert!(same(Minifloat::BF16.decode(u32::from(c)), b), "bf16 {c:#x}");
    }
}

#[test]
fn fp16_rounds_f64_input_once() {
    // 1 + 2^-11 + 2^-40 is just above the tie between 1 and 1 + 2^-10: it must round up.
    // (Truncating the f64 to 32 high bits first would see an exact tie and round to 1.)
    let v = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
    assert_eq!(rne(Minifloat::FP16, v), 0x3C01);
    assert_eq!(rne(Minifloat::FP16, 1.0 + 2f64.powi(-11)), 0x3C00);
}

#[test]
fn the_f32_layout_reproduces_native_f64_to_f32_casts() {
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    for _ in 0..100_000 {
        // Exponents around f32's range, including its subnormals and overflow.
        let exp = rng.random_range(-160i32..=130);
        let v =
            (1.0 + rng.random::<f64>()) * 2f64.powi(exp) * if rng.random() { 1.0 } else { -1.0 };
        let want = v as f32;
        let got = Minifloat::FP32.encode_nearest(v, NONSAT).map(|e| e.code);
        if want.is_infinite() {
            assert!(got.is_err(), "{v:e}");
        } else {
            assert_eq!(got, Ok(want.to_bits()), "{v:e}");
        }
    }
}

#[test]
fn nearest_even_relative_error_is_at_most_the_unit_roundoff_for_normals() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    for f in [
        Minifloat::E4M3,
        Minifloat::E5M2,
        Minifloat::FP16,
        Minifloat::BF16,
    ] {
        for v in log_uniform(&mut rng, f.min_normal(), f.max_finite(), 20_000) {
            let q = f.decode(rne(f, v));
            assert!(
                ((q - v) / v).abs() <= f.unit_roundoff(),
                "{f} at {v:e}: {q:e}"
            );
        }
    }
}

// ---- stochastic rounding --------------------------------------------------------------------

/// A generator that returns one word forever.
struct Constant(u64);

impl RngCore for Constant {
    fn next_u32(&mut self) -> u32 {
        self.0 as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0
    }
    /// The little-endian bytes of the word, repeated: what `next_u64` gives, in blocks.
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            for (d, s) in chunk.iter_mut().zip(self.0.to_le_bytes()) {
                *d = s;
            }
        }
    }
}

fn sr_with_words(f: Minifloat, v: f64, word: u64) -> u32 {
    let mut rng = Constant(word);
    let mut u = Uniforms::new(&mut rng);
    match f.encode(v, Rounding::Stochastic, SAT, &mut u) {
        Ok(e) => e.code,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn stochastic_rounding_of_a_representable_value_is_exact() {
    for word in [0, u64::MAX] {
        assert_eq!(sr_with_words(Minifloat::E4M3, 1.5, word), 0x3C);
        assert_eq!(sr_with_words(Minifloat::E4M3, -448.0, word), 0xFE);
    }
}

#[test]
fn stochastic_rounding_goes_up_on_low_draws_and_down_on_high_draws() {
    // 1.01 lies between 1.0 (0x38) and 1.125 (0x39); so does 2^-80 between 0 and 2^-9, far
    // below the spacing, where the probability 2^-71 needs more than 64 random bits.
    for (v, down, up) in [(1.01, 0x38, 0x39), (2f64.powi(-80), 0x00, 0x01)] {
        assert_eq!(sr_with_words(Minifloat::E4M3, v, 0), up, "{v:e}");
        assert_eq!(sr_with_words(Minifloat::E4M3, v, u64::MAX), down, "{v:e}");
    }
}

#[test]
fn stochastic_rounding_compares_the_draw_with_the_exact_fraction() {
    // 5 lies halfway between 4 and 6 in E2M1: up iff the draw, as a fraction of 2^64, is
    // below exactly 1/2.
    assert_eq!(sr_with_words(Minifloat::E2M1, 5.0, 1 << 63), 0b0110);
    assert_eq!(sr_with_words(Minifloat::E2M1, 5.0, (1 << 63) - 1), 0b0111);
    // 1.0625 is halfway from 1.0 to 1.125 in E4M3.
    assert_eq!(sr_with_words(Minifloat::E4M3, 1.0625, 1 << 63), 0x38);
    assert_eq!(sr_with_words(Minifloat::E4M3, 1.0625, (1 << 63) - 1), 0x39);
}

/// Fraction of stochastic roundings of `v` that go up, and its standard error.
fn up_fraction(f: Minifloat, v: f64, up_code: u32, trials: usize, seed: u64) -> (f64, f64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut u = Uniforms::new(&mut rng);
    let ups = (0..trials)
        .filter(|_| {
            f.encode(v, Rounding::Stochastic, SAT, &mut u)
                .is_ok_and(|e| e.code == up_code)
        })
        .count();
    let p = ups as f64 / trials as f64;
    (p, (p * (1.0 - p) / trials as f64).sqrt())
}

#[test]
fn stochastic_rounding_up_probability_is_the_fractional_position() {
    // 1.1 between 1.0 and 1.125: p = 0.8; a subnormal and an E2M1 value too.
    for (f, v, up, p) in [
        (Minifloat::E4M3, 1.1, 0x39, 0.8),
        (Minifloat::E4M3, 1.3 * 2f64.powi(-9), 0x02, 0.3),
        (Minifloat::E2M1, 4.5, 0b0111, 0.25),
        (Minifloat::E2M1, -0.1, 0b1001, 0.2),
    ] {
        let (got, se) = up_fraction(f, v, up, 200_000, 8);
        assert!((got - p).abs() <= 5.0 * se, "{f} at {v}: {got} vs {p}");
    }
}

#[test]
fn stochastic_rounding_is_unbiased_far_below_the_spacing() {
    // 3·2^-23 in E4M3: p = 3·2^-23 / 2^-9 = 3·2^-14, decided with more than 64 random bits.
    let p = 3.0 * 2f64.powi(-14);
    let (got, _) = up_fraction(Minifloat::E4M3, 3.0 * 2f64.powi(-23), 0x01, 1 << 21, 9);
    let se = (p * (1.0 - p) / f64::from(1 << 21)).sqrt();
    assert!((got - p).abs() <= 5.0 * se, "{got} vs {p}");
}

#[test]
fn rounding_mse_is_the_neighbour_product_for_stochastic_rounding() {
    let r = e4m3();
    let mut rng = ChaCha8Rng::seed_from_u64(10);
    for v in log_uniform(&mut rng, 1e-4, 448.0, 2000) {
        let got = Minifloat::E4M3.rounding_mse(v, Rounding::Stochastic);
        let want = r.sr_variance(v);
        assert!(
            (got - want).abs() <= 1e-12 * want.max(1e-300),
            "{v}: {got} vs {want}"
        );
        let e = r.rne_saturating(v) - v;
        assert_eq!(
            Minifloat::E4M3.rounding_mse(v, Rounding::NearestEven),
            e * e
        );
    }
    // Beyond the range: the squared clip.
    assert_eq!(
        Minifloat::E4M3.rounding_mse(500.0, Rounding::Stochastic),
        52.0 * 52.0
    );
}

// ---- format validation ----------------------------------------------------------------------

#[test]
fn custom_formats_match_the_ocp_fp6_ranges() {
    let e3m2 = Minifloat::new(3, 2, 3, false, NanEncoding::None).unwrap();
    let e2m3 = Minifloat::new(2, 3, 1, false, NanEncoding::None).unwrap();
    assert_eq!((e3m2.max_finite(), e3m2.min_positive()), (28.0, 0.0625));
    assert_eq!((e2m3.max_finite(), e2m3.min_positive()), (7.5, 0.125));
    assert_eq!(e3m2.width(), 6);
}

#[test]
fn the_named_formats_pass_validation() {
    for f in [
        Minifloat::FP32,
        Minifloat::FP16,
        Minifloat::BF16,
        Minifloat::E4M3,
        Minifloat::E5M2,
        Minifloat::E2M1,
    ] {
        let again = Minifloat::new(
            f.exp_bits(),
            f.man_bits(),
            f.bias(),
            f.has_infinities(),
            f.nan_encoding(),
        );
        assert_eq!(again, Ok(f));
    }
}

#[test]
fn invalid_formats_are_refused() {
    let cases = [
        (0, 3, 7, false, NanEncoding::AllOnes),  // no exponent bits
        (12, 3, 7, false, NanEncoding::None),    // more exponent bits than f64
        (8, 24, 127, true, NanEncoding::Ieee),   // 33 bits
        (4, 3, 7, false, NanEncoding::Ieee),     // IEEE NaNs without infinities
        (4, 3, 7, true, NanEncoding::AllOnes),   // infinities without IEEE specials
        (1, 3, 0, true, NanEncoding::Ieee),      // no room for IEEE specials
        (1, 0, 0, false, NanEncoding::AllOnes),  // no positive finite value
        (4, 3, 2000, false, NanEncoding::None),  // below f64's normal range
        (4, 3, -2000, false, NanEncoding::None), // above f64's range
        (4, 3, i32::MIN, false, NanEncoding::None),
    ];
    for (e, m, b, inf, nan) in cases {
        assert!(
            matches!(
                Minifloat::new(e, m, b, inf, nan),
                Err(QuantError::InvalidParameter(_))
            ),
            "E{e}M{m} bias {b} {inf} {nan:?}"
        );
    }
}
