//! The dense baselines against straightforward references (`baseline_reference`): on random
//! and edge inputs, from `f32` and `f64`, at every bit offset of the writer, each scheme must
//! write the reference's message, consume the same random words, refuse the same inputs, and
//! decode any message, valid or not, to the same `f64` bit patterns or an error.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

mod baseline_reference;

use baseline_reference as reference;
use bitcodec::{BitString, BitWriter};
use quantizers::baselines::{NaturalDithering, Qsgd, RandK, ScaledSign, Sign, TernGrad};
use quantizers::{Input, PublicState, QuantError, Quantizer, ScalarCode};
use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Values of every kind the encoders distinguish: Gaussian, zeros of both signs, subnormals of
/// both precisions, powers of two, far-apart magnitudes, and (for `f64`) values whose squares
/// overflow or underflow.
fn mixed(rng: &mut ChaCha8Rng, d: usize, wide: bool) -> Vec<f64> {
    let kind = rng.random_range(0..6);
    (0..d)
        .map(|_| {
            let sign = if rng.random::<bool>() { -1.0 } else { 1.0 };
            let g: f64 = rng.random::<f64>() * 4.0 - 2.0;
            match (kind, rng.random_range(0..10)) {
                // Mostly plain values, so that every level is reached.
                (0..=2, _) | (_, 0..=5) => g,
                (_, 6) => 0.0 * sign,
                (_, 7) => sign * 2f64.powi(rng.random_range(-8..8)),
                (3, _) => sign * 1e-40,
                (4, _) if wide => sign * rng.random_range(1e150..1e200),
                (4, _) => sign * 1e30,
                (5, _) if wide => sign * 1e-310,
                _ => sign * rng.random_range(-60.0f64..60.0).exp2(),
            }
        })
        .collect()
}

/// The dimensions tried: around the chunk sizes of the packings (40 trits, 22 septits, 64 bits).
fn dims(rng: &mut ChaCha8Rng) -> Vec<usize> {
    let mut d = vec![1, 2, 21, 22, 23, 39, 40, 41, 63, 64, 65, 80, 127, 129, 1000];
    d.extend((0..4).map(|_| rng.random_range(1..3000)));
    d
}

/// A writer holding `prefix` bits.
fn writer(prefix: u32) -> BitWriter {
    let mut w = BitWriter::new();
    w.write_bits(0x5a5a_5a5a_5a5a_5a5a & ((1u64 << prefix) - 1), prefix)
        .unwrap();
    w
}

/// Both refused with the same kind of error (and the same index for non-finite input), or
/// both accepted.
fn assert_same_outcome<A: std::fmt::Debug, B: std::fmt::Debug>(
    got: &Result<A, QuantError>,
    expected: &Result<B, QuantError>,
    what: &str,
) {
    match (got, expected) {
        (Ok(_), Ok(_)) => {}
        (Err(QuantError::NonFinite { index: a }), Err(QuantError::NonFinite { index: b })) => {
            assert_eq!(a, b, "{what}: first non-finite index");
        }
        (Err(a), Err(b)) => assert_eq!(
            std::mem::discriminant(a),
            std::mem::discriminant(b),
            "{what}: {a:?} vs {b:?}"
        ),
        (a, b) => panic!("{what}: {a:?} vs reference {b:?}"),
    }
}

type RefEncoder<'a> =
    dyn Fn(&[f64], &mut dyn RngCore, &mut BitWriter) -> Result<usize, QuantError> + 'a;
type RefDecoder<'a> =
    dyn Fn(&mut bitcodec::BitReader<'_>, &mut [f64]) -> Result<(), QuantError> + 'a;

/// Encodes `y` (as `f64`, and as `f32` when exact) with the scheme and the reference after
/// `prefix` bits, with SmallRng and ChaCha8 private generators, and compares everything.
fn check_encoder(
    q: &dyn Quantizer,
    state: &PublicState<'_>,
    y: &[f64],
    seed: u64,
    prefix: u32,
    reference: &RefEncoder<'_>,
) -> Option<BitString> {
    let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
    let exact32 = y32
        .iter()
        .zip(y)
        .all(|(&a, &b)| f64::from(a) == b || b.is_nan());
    let mut inputs: Vec<Input<'_>> = vec![y.into()];
    if exact32 {
        inputs.push((&y32).into());
    }
    let mut message = None;
    for input in inputs {
        let rngs: [Box<dyn RngCore>; 2] = [
            Box::new(SmallRng::seed_from_u64(seed)),
            Box::new(ChaCha8Rng::seed_from_u64(seed)),
        ];
        let ref_rngs: [Box<dyn RngCore>; 2] = [
            Box::new(SmallRng::seed_from_u64(seed)),
            Box::new(ChaCha8Rng::seed_from_u64(seed)),
        ];
        for (mut rng, mut ref_rng) in rngs.into_iter().zip(ref_rngs) {
            let what = format!("{} d={} prefix={prefix} seed={seed}", q.name(), y.len());
            let mut w = writer(prefix);
            let got = q.encode(input, state, rng.as_mut(), &mut w);
            let mut rw = writer(prefix);
            let expected = reference(y, ref_rng.as_mut(), &mut rw);
            assert_same_outcome(&got, &expected, &what);
            assert_eq!(w.to_bitstring(), rw.to_bitstring(), "{what}: message");
            if let Ok(stats) = got {
                assert_eq!(
                    stats.bits,
                    w.len() - prefix as usize,
                    "{what}: reported bits"
                );
            }
            // The same random words were consumed.
            assert_eq!(
                rng.next_u64(),
                ref_rng.next_u64(),
                "{what}: generator state"
            );
            message = Some(w.finish());
        }
    }
    message
}

/// Decodes `msg` after `prefix` bits with the scheme and the reference; compares the outcome,
/// the position reached and the output bit patterns.
fn check_decoder(
    q: &dyn Quantizer,
    state: &PublicState<'_>,
    msg: &BitString,
    prefix: u32,
    reference: &RefDecoder<'_>,
) {
    let d = q.dim();
    let what = format!("{} d={d} prefix={prefix} decode", q.name());
    let mut r = msg.reader();
    r.read_bits(prefix).unwrap();
    let mut out = vec![f64::NAN; d];
    let got = q.decode(&mut r, state, &mut out);
    let mut rr = msg.reader();
    rr.read_bits(prefix).unwrap();
    let mut expected_out = vec![f64::NAN; d];
    let expected = reference(&mut rr, &mut expected_out);
    assert_same_outcome(&got, &expected, &what);
    if got.is_ok() {
        assert_eq!(r.position(), rr.position(), "{what}: bits read");
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&out), bits(&expected_out), "{what}: outputs");
    }
}

/// A message of the valid length (or a little shorter) with random bits after `prefix`.
fn random_message(rng: &mut ChaCha8Rng, prefix: u32, bits: usize) -> BitString {
    let len = prefix as usize + bits - rng.random_range(0..=2).min(bits);
    let words = (0..len.div_ceil(64)).map(|_| rng.random::<u64>()).collect();
    BitString::from_words(words, len).unwrap()
}

/// Runs the encoder and decoder checks on random and edge inputs for every dimension, with
/// NaN and infinity inputs and random messages too.
fn check_scheme(
    name: &str,
    build: impl Fn(usize) -> Box<dyn Quantizer>,
    reference_encode: impl Fn(
        &dyn Quantizer,
        &[f64],
        &PublicState<'_>,
        &mut dyn RngCore,
        &mut BitWriter,
    ) -> Result<usize, QuantError>,
    reference_decode: impl Fn(
        &dyn Quantizer,
        &PublicState<'_>,
        &mut bitcodec::BitReader<'_>,
        &mut [f64],
    ) -> Result<(), QuantError>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(name.len() as u64 + 7);
    for d in dims(&mut rng) {
        let q = build(d);
        let state = PublicState::new(rng.random()).with_round(rng.random_range(0..5));
        let enc = |y: &[f64], r: &mut dyn RngCore, w: &mut BitWriter| {
            reference_encode(q.as_ref(), y, &state, r, w)
        };
        let dec = |r: &mut bitcodec::BitReader<'_>, out: &mut [f64]| {
            reference_decode(q.as_ref(), &state, r, out)
        };
        for trial in 0..6u64 {
            let prefix = rng.random_range(0..64);
            let mut y = mixed(&mut rng, d, trial % 2 == 1);
            if trial == 5 {
                let i = rng.random_range(0..d);
                y[i] = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY][rng.random_range(0..3)];
            }
            if let Some(msg) = check_encoder(q.as_ref(), &state, &y, trial, prefix, &enc) {
                check_decoder(q.as_ref(), &state, &msg, prefix, &dec);
            }
        }
        let bits = q.bit_cost().max_bits().unwrap();
        for _ in 0..4 {
            let prefix = rng.random_range(0..64);
            let msg = random_message(&mut rng, prefix, bits);
            check_decoder(q.as_ref(), &state, &msg, prefix, &dec);
        }
    }
}

#[test]
fn sign_matches_the_reference() {
    check_scheme(
        "sign",
        |d| Box::new(Sign::new(d).unwrap()),
        |_, y, _, _, w| reference::sign_encode(y, w),
        |_, _, r, out| reference::sign_decode(r, 1.0, out),
    );
}

#[test]
fn scaled_sign_matches_the_reference_with_every_scalar_code() {
    for code in [
        ScalarCode::F32Nearest,
        ScalarCode::F32Stochastic,
        ScalarCode::F64,
    ] {
        check_scheme(
            &format!("scaled-sign {code:?}"),
            |d| Box::new(ScaledSign::new(d).unwrap().with_scalar_code(code)),
            |_, y, _, rng, w| reference::scaled_sign_encode(y, code, rng, w),
            |_, _, r, out| reference::scaled_sign_decode(r, code, out),
        );
    }
}

#[test]
fn qsgd_matches_the_reference_for_levels_buckets_and_scalar_codes() {
    let cases = [
        (1, None, ScalarCode::F32Stochastic),
        (2, None, ScalarCode::F32Stochastic),
        (3, None, ScalarCode::F64),
        (1, Some(7), ScalarCode::F32Stochastic),
        (4, Some(64), ScalarCode::F32Nearest),
        (1000, None, ScalarCode::F32Stochastic),
    ];
    for (s, bucket, code) in cases {
        let b = move |d: usize| bucket.unwrap_or(d).min(d);
        check_scheme(
            &format!("qsgd {s} {bucket:?} {code:?}"),
            |d| {
                let q = Qsgd::new(d, s).unwrap().with_scalar_code(code);
                Box::new(match bucket {
                    Some(b) => q.with_bucket(b).unwrap(),
                    None => q,
                })
            },
            |q, y, _, rng, w| reference::qsgd_encode(y, s, b(q.dim()), code, rng, w),
            |q, _, r, out| reference::qsgd_decode(r, s, b(q.dim()), code, out),
        );
    }
}

#[test]
fn terngrad_matches_the_reference_with_and_without_clipping() {
    for (clip, code) in [
        (None, ScalarCode::F32Stochastic),
        (None, ScalarCode::F64),
        (Some(2.5), ScalarCode::F32Stochastic),
    ] {
        check_scheme(
            &format!("terngrad {clip:?} {code:?}"),
            |d| {
                let q = TernGrad::new(d).unwrap().with_scalar_code(code);
                Box::new(match clip {
                    Some(c) => q.with_clipping(c).unwrap(),
                    None => q,
                })
            },
            |_, y, _, rng, w| reference::terngrad_encode(y, clip, code, rng, w),
            |_, _, r, out| reference::terngrad_decode(r, code, out),
        );
    }
}

#[test]
fn terngrad_reports_the_references_clip_count() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for d in [3, 40, 41, 500] {
        let y = mixed(&mut rng, d, false);
        let q = TernGrad::new(d).unwrap().with_clipping(1.0).unwrap();
        let stats = q
            .encode(
                (&y).into(),
                &PublicState::new(0),
                &mut SmallRng::seed_from_u64(1),
                &mut BitWriter::new(),
            )
            .unwrap();
        let clipped = reference::terngrad_encode(
            &y,
            Some(1.0),
            ScalarCode::F32Stochastic,
            &mut SmallRng::seed_from_u64(1),
            &mut BitWriter::new(),
        )
        .unwrap();
        assert_eq!(stats.clipped, clipped, "d = {d}");
    }
}

#[test]
fn natural_dithering_matches_the_reference_for_levels_and_norms() {
    let cases = [
        (3, 2.0, ScalarCode::F32Stochastic),
        (1, 2.0, ScalarCode::F32Stochastic),
        (2, 1.0, ScalarCode::F32Nearest),
        (8, f64::INFINITY, ScalarCode::F64),
        (5, 3.0, ScalarCode::F32Stochastic),
        (40, 2.0, ScalarCode::F32Stochastic),
    ];
    for (s, p, code) in cases {
        check_scheme(
            &format!("natural-dithering {s} {p} {code:?}"),
            |d| {
                Box::new(
                    NaturalDithering::new(d, s)
                        .unwrap()
                        .with_norm(p)
                        .unwrap()
                        .with_scalar_code(code),
                )
            },
            |_, y, _, rng, w| reference::dithering_encode(y, s, p, code, rng, w),
            |_, _, r, out| reference::dithering_decode(r, s, code, out),
        );
    }
}

#[test]
fn rand_k_matches_the_reference_for_every_sampling_regime() {
    // k/d from a handful (Floyd's method) through a third (in-place shuffle) to most of the
    // coordinates (rejection), as rand's index sampler chooses.
    for frac in [0.0, 0.03, 0.3, 0.9, 1.0] {
        for code in [ScalarCode::F32Stochastic, ScalarCode::F32Nearest] {
            let k_of = move |d: usize| ((d as f64 * frac) as usize).clamp(1, d);
            check_scheme(
                &format!("rand-k {frac} {code:?}"),
                |d| Box::new(RandK::new(d, k_of(d)).unwrap().with_scalar_code(code)),
                |q, y, state, rng, w| {
                    reference::rand_k_encode(y, k_of(q.dim()), code, state, rng, w)
                },
                |q, state, r, out| reference::rand_k_decode(r, k_of(q.dim()), code, state, out),
            );
        }
    }
}

#[test]
fn rand_k_selection_is_rands_index_sample_at_large_dimensions() {
    // The in-place regime of `rand::seq::index::sample` at and around the benchmark's shape.
    let state = PublicState::new(11).with_round(3);
    for (d, k) in [
        (1 << 20, 1 << 15),
        (1 << 16, 1 << 11),
        (600_000, 20_000),
        (500_000, 13_000),
        (499_999, 13_000),
        (70_000, 200),
    ] {
        let q = RandK::new(d, k).unwrap();
        assert_eq!(
            q.selection(&state),
            reference::rand_k_selection(&state, d, k),
            "d={d} k={k}"
        );
    }
}
