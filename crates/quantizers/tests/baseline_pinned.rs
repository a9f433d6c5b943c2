//! Pinned messages of every baseline at sizes where the fast paths run: three messages in a
//! row from one private generator (so the number of random words each consumes is pinned too),
//! hashed, and the hash of the first message's decoded output. A change here means the wire
//! format, the arithmetic or the consumption of randomness changed.

#![allow(clippy::unwrap_used)]

mod baseline_common;

use baseline_common::gaussian;
use bitcodec::BitWriter;
use quantizers::baselines::{
    NaturalCompression, NaturalDithering, PermK, Qsgd, RandK, ScaledSign, Sign, TernGrad, TopK,
};
use quantizers::{PublicState, Quantizer, splitmix64};
use rand::SeedableRng;
use rand::rngs::SmallRng;

/// A hash of a sequence of words, each mixed in by SplitMix64.
fn hash(words: impl IntoIterator<Item = u64>) -> u64 {
    words.into_iter().fold(0, |h, w| splitmix64(h ^ w))
}

/// `(hash of three consecutive messages, hash of the first one's decoded output)`.
fn fingerprint(q: &dyn Quantizer, y: &[f32]) -> (u64, u64) {
    let state = PublicState::new(77).with_round(2);
    let mut rng = SmallRng::seed_from_u64(5);
    let mut words = Vec::new();
    let mut first = None;
    for _ in 0..3 {
        let mut w = BitWriter::new();
        q.encode(y.into(), &state, &mut rng, &mut w).unwrap();
        let msg = w.finish();
        words.push(msg.len() as u64);
        words.extend_from_slice(msg.as_words());
        first.get_or_insert(msg);
    }
    let mut out = vec![0.0; q.dim()];
    q.decode(&mut first.unwrap().reader(), &state, &mut out)
        .unwrap();
    (hash(words), hash(out.iter().map(|v| v.to_bits())))
}

fn schemes(d: usize) -> Vec<Box<dyn Quantizer>> {
    vec![
        Box::new(Sign::new(d).unwrap()),
        Box::new(ScaledSign::new(d).unwrap()),
        Box::new(Qsgd::new(d, 1).unwrap()),
        Box::new(Qsgd::new(d, 2).unwrap().with_bucket(512).unwrap()),
        Box::new(Qsgd::elias(d, 64).unwrap()),
        Box::new(NaturalDithering::new(d, 3).unwrap()),
        Box::new(TernGrad::new(d).unwrap()),
        Box::new(TernGrad::new(d).unwrap().with_clipping(2.5).unwrap()),
        Box::new(NaturalCompression::new(d).unwrap()),
        Box::new(RandK::new(d, d / 32).unwrap()),
        Box::new(PermK::new(d, 4).unwrap()),
        Box::new(TopK::new(d, 100).unwrap()),
    ]
}

#[test]
fn messages_and_outputs_are_pinned() {
    for (d, expected) in [(4099, PINNED_4099), (1 << 16, PINNED_65536)] {
        let y: Vec<f32> = gaussian(d, 3).iter().map(|&v| v as f32).collect();
        let got: Vec<(String, u64, u64)> = schemes(d)
            .iter()
            .map(|q| {
                let (m, o) = fingerprint(q.as_ref(), &y);
                (q.name(), m, o)
            })
            .collect();
        // On purpose changes, the new table to paste.
        for g in &got {
            println!("(\"{}\", {:#018x}, {:#018x}),", g.0, g.1, g.2);
        }
        let expected: Vec<(String, u64, u64)> = expected
            .iter()
            .map(|&(n, m, o)| (n.to_string(), m, o))
            .collect();
        assert_eq!(got, expected, "d = {d}");
    }
}

const PINNED_4099: &[(&str, u64, u64)] = &[
    ("sign", 0x01a1bbb7b698fc16, 0xb50a6cd184fcdfa3),
    ("scaled-sign", 0x9e1bdb825c94045a, 0xb60e0b6f04b20ff4),
    ("qsgd(s=1)", 0x20f7497fa8f25620, 0x7cc33e14f8cc2745),
    (
        "qsgd(s=2,bucket=512)",
        0x966abac22419a22c,
        0x2ca529a337166193,
    ),
    ("qsgd(s=64,elias)", 0xdff082a464672ea4, 0xf6ba511d83d6762c),
    (
        "natural-dithering(s=3,p=2)",
        0x048a73993dd4c183,
        0xd59fb11080c6491e,
    ),
    ("terngrad", 0xa605362528dd6d2d, 0x8a2e0bff4c81ee5e),
    (
        "terngrad(clip=2.5std)",
        0xd96cd032574e2f47,
        0x864330401badc46b,
    ),
    (
        "natural-compression",
        0x2eb7d9bd263a29a1,
        0x00046b82518f2273,
    ),
    ("rand-k(k=128)", 0x788b7d2731239754, 0x130fa38238ada8d4),
    ("perm-k(n=4)", 0xd42ffd8fbe0754f4, 0x21957ee183c732e3),
    ("top-k(k=100)", 0x8ada800ae8d9d3ac, 0x30487b8e9fd8f89b),
];
const PINNED_65536: &[(&str, u64, u64)] = &[
    ("sign", 0x248c79e7cc437cc1, 0x79c353fffbb1c745),
    ("scaled-sign", 0x2727169d8edcb936, 0xf8670d2345ba5f36),
    ("qsgd(s=1)", 0x331d721d28d43bfc, 0x5f9eda55a051e25d),
    (
        "qsgd(s=2,bucket=512)",
        0x8c530e94b3a11403,
        0x4bef3c9b584bc467,
    ),
    ("qsgd(s=64,elias)", 0x8aea089ef2ff9961, 0xbabdb3420176c8f4),
    (
        "natural-dithering(s=3,p=2)",
        0x7887477a3458eb4b,
        0x196d3396d4034256,
    ),
    ("terngrad", 0xe8160b3a27146df2, 0xd41b920ef5585d4d),
    (
        "terngrad(clip=2.5std)",
        0xf8a4d4af4990071d,
        0x4e492785f9c85ce7,
    ),
    (
        "natural-compression",
        0x1f901cd8b00a7e64,
        0x3e22bba874d63761,
    ),
    ("rand-k(k=2048)", 0x6f10540a9668f0c2, 0xfcf9c259bbb1a623),
    ("perm-k(n=4)", 0xec27a31c975fe136, 0x8dfa731028282493),
    ("top-k(k=100)", 0x9201f982ed2e77c8, 0x19fce49abd36893c),
];
