//! `throughput`: encode and decode speed of every quantizer at d = 2^20, beside a memcpy of
//! the same buffer measured in the same run, against lowbit's memory-speed targets.
//!
//! Two more references are timed in the same run: drawing one private 64-bit random word per
//! coordinate (the ceiling of any scheme that rounds every coordinate stochastically, since
//! each such coordinate consumes one word), and, read from [`CRITERION`], the careful
//! criterion medians recorded before and after the speed work, for the same schemes.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Result;
use bitcodec::BitWriter;
use quantizers::{Input, PublicState};
use rand::rngs::SmallRng;
use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{Context, Experiment, Outcome, Record, Section, Table};
use crate::catalog;

/// The throughput experiment.
pub struct Throughput;

/// Criterion medians at `d = 2^20`, `f32` input, one thread, in GB/s of input: `scheme, op,
/// before, after` (`op` is `encode`, `decode` or `copy`), measured by
/// `cargo bench -p lowbit-benches --bench quantizers -- 'quantizers/f32/d=1048576'
/// --warm-up-time 0.5 --measurement-time 1.5`.
const CRITERION: &str = include_str!("throughput/criterion_f32_d1048576.csv");

/// The recorded criterion table: scheme, operation, before and after (GB/s and ratio to the
/// memcpy of the same run).
fn criterion_table() -> Result<Table> {
    let mut rows = Vec::new();
    let mut copy = None;
    for line in CRITERION
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        let [scheme, op, before, after] = cells.as_slice() else {
            anyhow::bail!("criterion record line {line:?} does not have four fields");
        };
        let (before, after): (f64, f64) = (before.parse()?, after.parse()?);
        if *op == "copy" {
            copy = Some((before, after));
        } else {
            rows.push((scheme.to_string(), op.to_string(), before, after));
        }
    }
    let Some((copy_before, copy_after)) = copy else {
        anyhow::bail!("the criterion record has no memcpy line");
    };
    let mut table = Table::new([
        "scheme",
        "op",
        "before GB/s",
        "after GB/s",
        "before/memcpy",
        "after/memcpy",
    ]);
    table.row([
        "memcpy".to_string(),
        "copy".into(),
        format!("{copy_before:.1}"),
        format!("{copy_after:.1}"),
        "1".into(),
        "1".into(),
    ]);
    for (scheme, op, before, after) in rows {
        table.row([
            scheme,
            op,
            format!("{before:.2}"),
            format!("{after:.2}"),
            format!("{:.3}", before / copy_before),
            format!("{:.3}", after / copy_after),
        ]);
    }
    Ok(table)
}

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
        let mut words = vec![0u8; 8 * d];
        let mut word_rng = SmallRng::seed_from_u64(cx.seed_for("throughput/words"));
        let rng_seconds = median_seconds(
            || {
                word_rng.fill_bytes(black_box(&mut words));
                black_box(&words);
            },
            budget,
            200,
        );
        let rng_gbps = bytes / rng_seconds / 1e9;
        let mut misses = Vec::new();
        let mut met = 0usize;

        let mut records = Vec::new();
        let mut table = Table::new([
            "scheme",
            "bits/coord",
            "encode GB/s",
            "decode GB/s",
            "encode/memcpy",
            "decode/memcpy",
            "target",
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
            // The generator the criterion benchmarks give the schemes.
            let mut private = SmallRng::seed_from_u64(cx.seed_for("throughput/private"));
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
            let (enc_ratio, dec_ratio) = (enc_gbps / copy_gbps, dec_gbps / copy_gbps);
            let verdict = match entry.target {
                Some(t) if enc_ratio >= t && dec_ratio >= t => {
                    met += 1;
                    format!("{t} met")
                }
                Some(t) => {
                    misses.push(format!(
                        "{}: encode {enc_ratio:.3}, decode {dec_ratio:.3} of memcpy, target {t}",
                        entry.label
                    ));
                    format!("{t} missed")
                }
                None => "-".into(),
            };
            let mut record = Record::new(self.id())
                .param("scheme", entry.label.as_str())
                .param("family", entry.family)
                .param("d", d as u64)
                .param("dtype", "f32")
                .metric("bits_per_coord", msg.len() as f64 / d as f64)
                .metric("encode_gbps", enc_gbps)
                .metric("decode_gbps", dec_gbps)
                .metric("memcpy_gbps", copy_gbps)
                .metric("encode_ratio", enc_ratio)
                .metric("decode_ratio", dec_ratio)
                .metric("rng_words_gbps", rng_gbps);
            if let Some(t) = entry.target {
                record = record.metric("target_ratio", t).metric(
                    "meets_target",
                    f64::from(u8::from(enc_ratio >= t && dec_ratio >= t)),
                );
            }
            records.push(record);
            table.row([
                entry.label.clone(),
                format!("{:.3}", msg.len() as f64 / d as f64),
                format!("{enc_gbps:.2}"),
                format!("{dec_gbps:.2}"),
                format!("{enc_ratio:.3}"),
                format!("{dec_ratio:.3}"),
                verdict,
            ]);
            bar.inc(1);
        }
        bar.finish_and_clear();

        let copy_mean = records
            .iter()
            .filter_map(|r| r.get("memcpy_gbps"))
            .sum::<f64>()
            / records.len().max(1) as f64;
        let rng_ratio = rng_gbps / copy_mean;
        let aimed = schemes.iter().filter(|e| e.target.is_some()).count();
        let mut findings = vec![
            format!(
                "{met} of the {aimed} schemes with a target meet it in this run (encode and decode each)."
            ),
            format!(
                "Drawing one private 64-bit word per coordinate (SmallRng, the generator the \
                 benchmarks hand the schemes) runs at {rng_gbps:.2} GB/s of input, {rng_ratio:.3} of \
                 memcpy: no scheme that rounds every coordinate stochastically (QSGD, TernGrad, \
                 natural dithering, CUQ, RATQ, SimQ+, the SR formats) can encode faster, whatever \
                 its arithmetic."
            ),
            "Decoders write f64 (8 bytes per coordinate, twice the input), so a decoder at memory \
             speed would show about 0.5 of memcpy here."
                .to_string(),
        ];
        if cx.mode.pick(true, false, false) {
            findings.push(format!(
                "Quick mode measures d = 2^{log2_d}, which stays in cache: ratios differ from \
                 the targets' d = 2^20."
            ));
        }
        let disagreements = misses
            .into_iter()
            .map(|m| format!("target missed: {m}"))
            .collect();
        let section = Section {
            id: self.id().into(),
            title: "Throughput of the quantizers".into(),
            source: "lowbit's memory-speed targets (encode and decode each, f32 input, one thread)"
                .into(),
            explanation: format!(
                "Each quantizer encodes and decodes a vector of d = 2^{log2_d} f32 Gaussian values on \
                 one thread; throughput is in GB/s of input (4 bytes per coordinate) and is compared \
                 with a plain copy of the same buffer timed right beside it (medians of repeated \
                 runs). Targets: 0.5 of memcpy for sign, scaled sign, QSGD (s = 1), CUQ (1 and 2 \
                 bits), FP8 and BF16; 0.25 for MXFP4, NVFP4, TernGrad, rand-k (k = d/32) and \
                 natural dithering; 0.1 for RATQ and SimQ+ (k = d). Unlike every other number in \
                 this report, these depend on the machine and its load: the second table holds the \
                 careful criterion medians recorded before and after the speed work."
            ),
            tables: vec![table.clone(), criterion_table()?],
            findings,
            disagreements,
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
                    "target_ratio / meets_target".into(),
                    "the scheme's target fraction of memcpy, and 1 if both ratios reach it".into(),
                ),
                (
                    "rng_words_gbps".into(),
                    "GB/s of input at one private 64-bit random word per coordinate".into(),
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
