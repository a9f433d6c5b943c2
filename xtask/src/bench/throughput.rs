//! `throughput`: encode and decode speed of every quantizer at d = 2^20, beside a memcpy of
//! the same buffer measured in the same run.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Result;
use bitcodec::BitWriter;
use quantizers::{Input, PublicState};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{Context, Experiment, Outcome, Record, Section, Table};
use crate::catalog;

/// The throughput experiment.
pub struct Throughput;

/// Median wall-clock seconds of `f` over repeated calls, after one warm-up call.
fn median_seconds(mut f: impl FnMut(), budget: Duration, max_reps: usize) -> f64 {
    f();
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 3 || (start.elapsed() < budget && times.len() < max_reps) {
        let t = Instant::now();
        f();
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

impl Experiment for Throughput {
    fn id(&self) -> &'static str {
        "throughput"
    }

    fn required_metrics(&self) -> &'static [&'static str] {
        &["encode_gbps", "decode_gbps", "memcpy_gbps"]
    }

    fn run(&self, cx: &Context) -> Result<Outcome> {
        let log2_d = cx.mode.pick(16, 20, 20);
        let d = 1usize << log2_d;
        let budget = Duration::from_millis(cx.mode.pick(40, 300, 1000));
        let mut rng = ChaCha8Rng::seed_from_u64(cx.seed_for("throughput/input"));
        let x: Vec<f32> = (0..d).map(|_| StandardNormal.sample(&mut rng)).collect();
        let bytes = (d * std::mem::size_of::<f32>()) as f64;
        let schemes = catalog::all(d)?;
        let bar = cx.bar(self.id(), schemes.len() as u64);

        let mut records = Vec::new();
        let mut table = Table::new([
            "scheme",
            "bits/coord",
            "encode GB/s",
            "decode GB/s",
            "encode/memcpy",
            "decode/memcpy",
        ]);
        for entry in &schemes {
            bar.set_message(entry.label.clone());
            let q = entry.quantizer.as_ref();
            // memcpy of the same buffer, measured next to each scheme so drift in machine load
            // affects both alike.
            let mut dst = vec![0.0f32; d];
            let copy = median_seconds(
                || {
                    dst.copy_from_slice(black_box(&x));
                    black_box(&dst);
                },
                budget,
                200,
            );
            let state = PublicState::new(cx.seed);
            let mut private = ChaCha8Rng::seed_from_u64(cx.seed_for("throughput/private"));
            let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap_or(usize::MAX));
            let input = Input::F32(&x);
            let mut encode_error = None;
            let enc = median_seconds(
                || {
                    w.reset(q.bit_cost().max_bits());
                    if let Err(e) = q.encode(input, &state, &mut private, &mut w) {
                        encode_error = Some(e);
                    }
                    black_box(w.len());
                },
                budget,
                200,
            );
            if let Some(e) = encode_error {
                anyhow::bail!("{} failed to encode: {e}", entry.label);
            }
            let msg = w.to_bitstring();
            let mut out = vec![0.0f64; d];
            let mut decode_error = None;
            let dec = median_seconds(
                || {
                    if let Err(e) = q.decode(&mut msg.reader(), &state, &mut out) {
                        decode_error = Some(e);
                    }
                    black_box(&out);
                },
                budget,
                200,
            );
            if let Some(e) = decode_error {
                anyhow::bail!("{} failed to decode: {e}", entry.label);
            }
            let (enc_gbps, dec_gbps, copy_gbps) =
                (bytes / enc / 1e9, bytes / dec / 1e9, bytes / copy / 1e9);
            records.push(
                Record::new(self.id())
                    .param("scheme", entry.label.as_str())
                    .param("family", entry.family)
                    .param("d", d as u64)
                    .param("dtype", "f32")
                    .metric("bits_per_coord", msg.len() as f64 / d as f64)
                    .metric("encode_gbps", enc_gbps)
                    .metric("decode_gbps", dec_gbps)
                    .metric("memcpy_gbps", copy_gbps)
                    .metric("encode_ratio", enc_gbps / copy_gbps)
                    .metric("decode_ratio", dec_gbps / copy_gbps),
            );
            table.row([
                entry.label.clone(),
                format!("{:.3}", msg.len() as f64 / d as f64),
                format!("{enc_gbps:.2}"),
                format!("{dec_gbps:.2}"),
                format!("{:.2}", enc_gbps / copy_gbps),
                format!("{:.2}", dec_gbps / copy_gbps),
            ]);
            bar.inc(1);
        }
        bar.finish_and_clear();

        let section = Section {
            id: self.id().into(),
            title: "Throughput of the quantizers".into(),
            source: "issue targets for lowbit's quantizers (memory speed)".into(),
            explanation: format!(
                "Each quantizer encodes and decodes a vector of d = 2^{log2_d} f32 Gaussian values on \
                 one thread; throughput is in GB/s of input (4 bytes per coordinate) and is compared \
                 with a plain copy of the same buffer timed right beside it. Medians of repeated runs. \
                 Unlike every other number in this report, these depend on the machine and its load; \
                 the criterion benchmarks (`cargo bench -p lowbit-benches`) are the careful \
                 measurement, and this table is the quick look."
            ),
            tables: vec![table.clone()],
            metrics: vec![
                (
                    "scheme".into(),
                    "the quantizer and its parameters (a param)".into(),
                ),
                (
                    "encode_gbps".into(),
                    "GB/s of f32 input encoded, median".into(),
                ),
                (
                    "decode_gbps".into(),
                    "GB/s of f32 input decoded (output f64), median".into(),
                ),
                (
                    "memcpy_gbps".into(),
                    "GB/s of a copy of the same input buffer, same run".into(),
                ),
                (
                    "encode_ratio / decode_ratio".into(),
                    "throughput divided by memcpy".into(),
                ),
                (
                    "bits_per_coord".into(),
                    "message length divided by d".into(),
                ),
            ],
            ..Section::default()
        };
        Ok(Outcome {
            records,
            section,
            figure: None,
            summary: table,
        })
    }
}
