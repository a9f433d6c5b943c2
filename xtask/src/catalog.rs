//! A representative instance of every quantizer at dimension `d`, with parameters typical of
//! its use on gradients of about unit scale per coordinate (ranged schemes get ranges that a
//! standard Gaussian vector of that dimension stays inside). The `throughput` experiment and
//! the criterion benchmarks (`benches/benches/quantizers.rs`) both measure this list.

use anyhow::Result;
use quantizers::formats::{MxScaleRule, NvScaleRule, Overflow, Rounding};
use quantizers::{
    AdaptiveMultiBit, AdaptiveSign, AdditiveQuantizer, Cuq, DynamicRangeQuantizer, FloatCast,
    GainQuantizer, GainShape, Multiplicative, Mxfp4, NaturalCompression, NaturalDithering, Nvfp4,
    PermK, Qsgd, Quantizer, RandK, RangeSchedule, Ratq, RoundRobinRange, ScaledSign, Sign, SimQ,
    SimQPlus, SplitLp, TernGrad, TopK, UniformGain, Unquantized,
};

/// One scheme with a label for reports.
pub struct Entry {
    /// Label with parameters.
    pub label: String,
    /// Family (reference, format, paper, baseline, adaptive).
    pub family: &'static str,
    /// The quantizer.
    pub quantizer: Box<dyn Quantizer>,
    /// The speed lowbit aims at, as a fraction of a memcpy of the same `f32` input (encode
    /// and decode each, one thread, `d = 2^20`), for the schemes that have one.
    pub target: Option<f64>,
}

/// Targets of the memory-speed goal: the cheapest dense schemes, the block formats and
/// sparsifiers, the rotation and type-coding schemes of the SimQ paper.
const DENSE: f64 = 0.5;
const BLOCK: f64 = 0.25;
const CODED: f64 = 0.1;

fn entry(family: &'static str, q: impl Quantizer + 'static) -> Entry {
    Entry {
        label: q.name(),
        family,
        quantizer: Box::new(q),
        target: None,
    }
}

fn aimed(target: f64, mut e: Entry) -> Entry {
    e.target = Some(target);
    e
}

/// Every scheme at dimension `d` (a power of two, at least 1024).
pub fn all(d: usize) -> Result<Vec<Entry>> {
    let rne = Rounding::NearestEven;
    let sr = Rounding::Stochastic;
    let sat = Overflow::Saturate;
    let df = d as f64;
    // A standard Gaussian vector: ||y||_2 ~ sqrt(d), ||y||_1 ~ 0.8 d, max |y_i| < 8.
    let l2 = 2.0 * df.sqrt();
    let shape = Ratq::new(d, 1.0, 4)?;
    let gain = GainQuantizer::Uniform(UniformGain::new(l2, 256)?);
    Ok(vec![
        entry("reference", Unquantized::new(d)?),
        aimed(DENSE, entry("format", FloatCast::bf16(d, rne, sat)?)),
        entry("format", FloatCast::fp16(d, rne, sat)?),
        aimed(DENSE, entry("format", FloatCast::e4m3(d, rne, sat)?)),
        entry("format", FloatCast::e4m3(d, sr, sat)?),
        aimed(DENSE, entry("format", FloatCast::e5m2(d, rne, sat)?)),
        aimed(
            BLOCK,
            entry("format", Mxfp4::new(d, rne, MxScaleRule::Floor)?),
        ),
        entry("format", Mxfp4::new(d, sr, MxScaleRule::FloorHeadroom)?),
        aimed(
            BLOCK,
            entry("format", Nvfp4::new(d, rne, NvScaleRule::Nearest)?),
        ),
        entry("format", Multiplicative::new(d, 8, 3)?),
        aimed(DENSE, entry("paper", Cuq::new(d, 8.0, 2)?)),
        aimed(DENSE, entry("paper", Cuq::new(d, 8.0, 4)?)),
        entry("paper", SimQ::new(d, df)?),
        entry("paper", SimQPlus::new(d, l2, 2.0, d / 16)?),
        aimed(CODED, entry("paper", SimQPlus::new(d, l2, 2.0, d)?)),
        aimed(CODED, entry("paper", Ratq::new(d, l2, 4)?)),
        entry(
            "paper",
            SplitLp::new(d, 2.0 * df.powf(1.0 / 3.0) * 1.2, 1.5)?,
        ),
        entry("paper", GainShape::new(Box::new(shape), gain)?),
        entry(
            "paper",
            DynamicRangeQuantizer::new(d, 2.0, RangeSchedule::Constant(8.0))?,
        ),
        entry("paper", AdditiveQuantizer::new(d, 1.0 / 64.0, 12)?),
        aimed(DENSE, entry("baseline", Sign::new(d)?)),
        aimed(DENSE, entry("baseline", ScaledSign::new(d)?)),
        aimed(DENSE, entry("baseline", Qsgd::new(d, 1)?)),
        entry("baseline", Qsgd::elias(d, df.sqrt() as u32)?),
        aimed(BLOCK, entry("baseline", NaturalDithering::new(d, 3)?)),
        aimed(BLOCK, entry("baseline", TernGrad::new(d)?)),
        entry("baseline", NaturalCompression::new(d)?),
        aimed(BLOCK, entry("baseline", RandK::new(d, d / 32)?)),
        entry("baseline", PermK::new(d, 4)?),
        entry("baseline", TopK::new(d, 1024)?),
        entry("adaptive", AdaptiveSign::new(d, d, 1.0)?),
        entry("adaptive", AdaptiveMultiBit::new(d, 2 * d, 1.0, 2)?),
        entry("adaptive", RoundRobinRange::new(d, 4 * d, 8.0, 1.0)?),
    ])
}
