//! Value stability of every format quantizer: the exact messages (and decoded vectors, and
//! refusals) for fixed seeds on inputs chosen to reach every branch of the conversions —
//! ties, subnormals of each format and of `f32`, values far below the grid (where stochastic
//! rounding draws several words), overflow in both modes, partial blocks, blocks of wildly
//! different scales, and a writer that is not word-aligned.
//!
//! The hashes were recorded from the scalar reference engine. Any change to the bits a scheme
//! writes, to the random words it draws, or to what it refuses changes a hash here; a fast
//! path must therefore be bit-identical to the engine, not merely equivalent in distribution.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

use bitcodec::BitWriter;
use quantizers::formats::{
    FloatCast, Minifloat, MxScaleRule, Mxfp4, NvScaleRule, Nvfp4, Overflow, Rounding,
};
use quantizers::{Input, PublicState, Quantizer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Odd, and longer than several blocks and fast-path chunks, so tails are exercised.
const D: usize = 4133;

/// FNV-1a over 64-bit words: a stable hash that does not depend on the standard library.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn word(&mut self, w: u64) {
        for b in w.to_le_bytes() {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn bytes(&mut self, s: &[u8]) {
        for &b in s {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

fn signed(rng: &mut ChaCha8Rng, v: f64) -> f64 {
    if rng.random::<bool>() { -v } else { v }
}

/// Sums of uniforms: the bulk of a gradient.
fn gaussian(rng: &mut ChaCha8Rng, scale: f64) -> Vec<f64> {
    (0..D)
        .map(|_| (0..4).map(|_| rng.random::<f64>() - 0.5).sum::<f64>() * scale)
        .collect()
}

/// Magnitudes log-uniform over `2^lo .. 2^hi`, random signs.
fn log_uniform(rng: &mut ChaCha8Rng, lo: i32, hi: i32) -> Vec<f64> {
    (0..D)
        .map(|_| {
            let e = rng.random_range(f64::from(lo)..f64::from(hi));
            signed(rng, e.exp2())
        })
        .collect()
}

/// Values on, between and just around the grids of all formats (ties included), in and past
/// their ranges, plus zeros of both signs.
fn grid_points(rng: &mut ChaCha8Rng, max_mag: f64) -> Vec<f64> {
    let formats = [
        Minifloat::E4M3,
        Minifloat::E5M2,
        Minifloat::FP16,
        Minifloat::BF16,
        Minifloat::E2M1,
    ];
    let mut y = Vec::with_capacity(D);
    while y.len() < D {
        let f = formats[rng.random_range(0..formats.len())];
        let span = f.max_code() + 1;
        let c = rng.random_range(0..span);
        let a = f.decode(c);
        let b = if c < f.max_code() {
            f.decode(c + 1)
        } else {
            2.0 * a
        };
        let v = match rng.random_range(0..6) {
            0 => a,
            1 => (a + b) / 2.0,
            2 => ((a + b) / 2.0).next_up(),
            3 => ((a + b) / 2.0).next_down(),
            4 => f64::from(((a + b) / 2.0) as f32),
            _ => a + (b - a) * rng.random::<f64>(),
        };
        let v = if rng.random_range(0..40) == 0 { 0.0 } else { v };
        if v.abs() <= max_mag {
            y.push(signed(rng, v));
        }
    }
    y
}

/// Blocks of 16 with independent scales over a huge range, some all-zero, some with maxima on
/// the scale boundaries of MXFP4 (`6, 7, 8` times a power of two).
fn blocks(rng: &mut ChaCha8Rng, lo: i32, hi: i32) -> Vec<f64> {
    let mut y = Vec::with_capacity(D);
    while y.len() < D {
        let k = rng.random_range(lo..hi);
        let kind = rng.random_range(0..8);
        for i in 0..16 {
            let base = if kind == 0 {
                0.0
            } else {
                rng.random::<f64>() * 2f64.powi(k)
            };
            let v = match (kind, i) {
                (1, 0) => 6.0 * 2f64.powi(k),
                (2, 0) => 7.0 * 2f64.powi(k),
                (3, 0) => (8.0 * 2f64.powi(k)).next_down(),
                (4, 0) => 2f64.powi(k),
                _ => base,
            };
            y.push(signed(rng, v));
        }
    }
    y.truncate(D);
    y
}

/// The named inputs, as `f64`; each is also encoded after a cast to `f32`.
fn inputs() -> Vec<(&'static str, Vec<f64>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5EED);
    let mut zeros = vec![0.0; D];
    for z in zeros.iter_mut().step_by(3) {
        *z = -0.0;
    }
    vec![
        ("gaussian", gaussian(&mut rng, 1.0)),
        ("gaussian-small", gaussian(&mut rng, 1e-3)),
        ("wide", log_uniform(&mut rng, -160, 20)),
        ("tiny", log_uniform(&mut rng, -1074, -100)),
        ("huge", log_uniform(&mut rng, 0, 1023)),
        ("grid", grid_points(&mut rng, f64::MAX)),
        ("grid-in-e4m3", grid_points(&mut rng, 448.0)),
        ("blocks", blocks(&mut rng, -140, 100)),
        ("blocks-near", blocks(&mut rng, -8, 8)),
        ("zeros", zeros),
    ]
}

fn schemes() -> Vec<Box<dyn Quantizer>> {
    let mut v: Vec<Box<dyn Quantizer>> = Vec::new();
    for r in [Rounding::NearestEven, Rounding::Stochastic] {
        for o in [Overflow::Saturate, Overflow::NonSaturating] {
            v.push(Box::new(FloatCast::fp16(D, r, o).unwrap()));
            v.push(Box::new(FloatCast::bf16(D, r, o).unwrap()));
            v.push(Box::new(FloatCast::e4m3(D, r, o).unwrap()));
            v.push(Box::new(FloatCast::e5m2(D, r, o).unwrap()));
        }
        for rule in [MxScaleRule::Floor, MxScaleRule::FloorHeadroom] {
            v.push(Box::new(Mxfp4::new(D, r, rule).unwrap()));
        }
        for rule in [NvScaleRule::Nearest, NvScaleRule::RoundUp] {
            v.push(Box::new(Nvfp4::new(D, r, rule).unwrap()));
        }
    }
    v
}

/// Hashes everything observable about encoding `input` at bit offsets 0 and 5: the message,
/// the statistics, the decoded vector, or the refusal.
fn observe(q: &dyn Quantizer, input: Input<'_>, seed: u64, h: &mut Fnv) {
    for offset in [0u32, 5] {
        let state = PublicState::new(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ u64::from(offset));
        let mut w = BitWriter::new();
        w.write_bits(0b10110 & ((1 << offset) - 1), offset).unwrap();
        match q.encode(input, &state, &mut rng, &mut w) {
            Ok(stats) => {
                h.word(stats.bits as u64);
                h.word(stats.clipped as u64);
                // The draws the encoder made show in the generator's next word.
                h.word(rng.random::<u64>());
                let msg = w.finish();
                h.word(msg.len() as u64);
                for &word in msg.as_words() {
                    h.word(word);
                }
                let mut r = msg.reader();
                r.read_bits(offset).unwrap();
                let mut out = vec![0.0; q.dim()];
                q.decode(&mut r, &state, &mut out).unwrap();
                assert!(r.is_exhausted());
                for v in out {
                    h.word(v.to_bits());
                }
            }
            Err(e) => {
                assert_eq!(w.len(), offset as usize, "a refusal leaves the message");
                h.bytes(e.to_string().as_bytes());
            }
        }
    }
}

/// `(scheme, dtype, hash over all inputs)` for every scheme.
fn fingerprints() -> Vec<(String, &'static str, u64)> {
    let inputs = inputs();
    let mut rows = Vec::new();
    for q in schemes() {
        for dtype in ["f32", "f64"] {
            let mut h = Fnv::new();
            for (i, (_, y)) in inputs.iter().enumerate() {
                let seed = 1000 + i as u64;
                if dtype == "f32" {
                    let y32: Vec<f32> = y.iter().map(|&v| v as f32).collect();
                    observe(q.as_ref(), (&y32).into(), seed, &mut h);
                } else {
                    observe(q.as_ref(), y.into(), seed, &mut h);
                }
            }
            rows.push((q.name(), dtype, h.0));
        }
    }
    rows
}

/// Recorded from the scalar engine before any fast path existed.
const PINNED: &[(&str, &str, u64)] = &[
    ("fp16(rne,sat)", "f32", 0xc6a2b5f550d93027),
    ("fp16(rne,sat)", "f64", 0x9edcccc5bc7f656d),
    ("bf16(rne,sat)", "f32", 0x17dac0e84792270c),
    ("bf16(rne,sat)", "f64", 0x249663b6ff16cd1c),
    ("fp8-e4m3(rne,sat)", "f32", 0xff40369a4d6b13f9),
    ("fp8-e4m3(rne,sat)", "f64", 0x3202f43145d7fe4f),
    ("fp8-e5m2(rne,sat)", "f32", 0x21c1010557259655),
    ("fp8-e5m2(rne,sat)", "f64", 0x957f2b51e0bcbae6),
    ("fp16(rne,nonsat)", "f32", 0x47a694c470cf911d),
    ("fp16(rne,nonsat)", "f64", 0xc696657a2ebd4389),
    ("bf16(rne,nonsat)", "f32", 0x17dac0e84792270c),
    ("bf16(rne,nonsat)", "f64", 0x9797417dfd5481d9),
    ("fp8-e4m3(rne,nonsat)", "f32", 0x5f257e05c903dfd5),
    ("fp8-e4m3(rne,nonsat)", "f64", 0xe2a8841a5742c136),
    ("fp8-e5m2(rne,nonsat)", "f32", 0x6016996070a0691c),
    ("fp8-e5m2(rne,nonsat)", "f64", 0xa5866afb91da12f1),
    ("mxfp4(rne,floor)", "f32", 0x23de4810b02e1864),
    ("mxfp4(rne,floor)", "f64", 0x8497bb90751d5429),
    ("mxfp4(rne,floor-3/4)", "f32", 0x57decf678589b58d),
    ("mxfp4(rne,floor-3/4)", "f64", 0xf6d9af1a91c09a9e),
    ("nvfp4(rne,rne-scales)", "f32", 0x99ac6e766fe8bcc3),
    ("nvfp4(rne,rne-scales)", "f64", 0xd6690614d519e783),
    ("nvfp4(rne,up-scales)", "f32", 0xc194c0f9c5e23db4),
    ("nvfp4(rne,up-scales)", "f64", 0x41397a1521f010f4),
    ("fp16(sr,sat)", "f32", 0xa66f154e52b76684),
    ("fp16(sr,sat)", "f64", 0xc67c3429435c4e22),
    ("bf16(sr,sat)", "f32", 0xfbefa407fc0ac121),
    ("bf16(sr,sat)", "f64", 0xb1b8d884dadb7b84),
    ("fp8-e4m3(sr,sat)", "f32", 0xdbb9cd569ebd51cf),
    ("fp8-e4m3(sr,sat)", "f64", 0x4a4badf13fd4341e),
    ("fp8-e5m2(sr,sat)", "f32", 0x7db85f61e818d784),
    ("fp8-e5m2(sr,sat)", "f64", 0x0c4152d284f3f95c),
    ("fp16(sr,nonsat)", "f32", 0x4e68b1de7f8eb9f6),
    ("fp16(sr,nonsat)", "f64", 0x9fdf145e731df429),
    ("bf16(sr,nonsat)", "f32", 0xfbefa407fc0ac121),
    ("bf16(sr,nonsat)", "f64", 0xe7f50ccd755b2dce),
    ("fp8-e4m3(sr,nonsat)", "f32", 0x741be4575d1bd5d7),
    ("fp8-e4m3(sr,nonsat)", "f64", 0x2a97c047301b6479),
    ("fp8-e5m2(sr,nonsat)", "f32", 0x3316a0b18df15071),
    ("fp8-e5m2(sr,nonsat)", "f64", 0x5a8b424e33134112),
    ("mxfp4(sr,floor)", "f32", 0x159cb5ea8879a6c8),
    ("mxfp4(sr,floor)", "f64", 0x9c4b5c143861c21f),
    ("mxfp4(sr,floor-3/4)", "f32", 0xec01ca598c44240d),
    ("mxfp4(sr,floor-3/4)", "f64", 0x71f67453f4d4db31),
    ("nvfp4(sr,rne-scales)", "f32", 0x2daf2f2bced5728c),
    ("nvfp4(sr,rne-scales)", "f64", 0xaca421dacf70b57e),
    ("nvfp4(sr,up-scales)", "f32", 0x39d5789c138fa804),
    ("nvfp4(sr,up-scales)", "f64", 0x9d9b63b3ce25da27),
];

#[test]
fn every_format_writes_the_pinned_messages_for_fixed_seeds() {
    let got = fingerprints();
    let table: String = got
        .iter()
        .map(|(n, t, h)| format!("    ({n:?}, {t:?}, {h:#018x}),\n"))
        .collect();
    let expected: Vec<(String, &str, u64)> = PINNED
        .iter()
        .map(|&(n, t, h)| (n.to_string(), t, h))
        .collect();
    assert!(
        got == expected,
        "messages changed; the current fingerprints are:\n{table}"
    );
}
