//! A representative instance of every quantizer, for the throughput experiment.

use anyhow::Result;
use quantizers::formats::{MxScaleRule, NvScaleRule, Overflow, Rounding};
use quantizers::{
    AdaptiveMultiBit, AdaptiveSign, DynamicRangeQuantizer, FloatCast, Multiplicative, Mxfp4, Nvfp4,
    Quantizer, RangeSchedule, RoundRobinRange, Unquantized,
};

/// One scheme with a label for reports.
pub struct Entry {
    /// Label with parameters.
    pub label: String,
    /// Family (paper, baseline, format, adaptive).
    pub family: &'static str,
    /// The quantizer.
    pub quantizer: Box<dyn Quantizer>,
}

fn entry(family: &'static str, q: impl Quantizer + 'static) -> Entry {
    Entry {
        label: q.name(),
        family,
        quantizer: Box::new(q),
    }
}

/// Every scheme at dimension `d`, with parameters typical of its use.
pub fn all(d: usize) -> Result<Vec<Entry>> {
    let rne = Rounding::NearestEven;
    let sr = Rounding::Stochastic;
    let sat = Overflow::Saturate;
    Ok(vec![
        entry("reference", Unquantized::new(d)?),
        entry("format", FloatCast::bf16(d, rne, sat)?),
        entry("format", FloatCast::fp16(d, rne, sat)?),
        entry("format", FloatCast::e4m3(d, rne, sat)?),
        entry("format", FloatCast::e4m3(d, sr, sat)?),
        entry("format", FloatCast::e5m2(d, rne, sat)?),
        entry("format", Mxfp4::new(d, rne, MxScaleRule::Floor)?),
        entry("format", Mxfp4::new(d, sr, MxScaleRule::FloorHeadroom)?),
        entry("format", Nvfp4::new(d, rne, NvScaleRule::Nearest)?),
        entry("format", Multiplicative::new(d, 8, 3)?),
        entry("paper", DynamicRangeQuantizer::new(d, 2.0, RangeSchedule::Constant(8.0))?),
        entry("adaptive", AdaptiveSign::new(d, d, 1.0)?),
        entry("adaptive", AdaptiveMultiBit::new(d, 2 * d, 1.0, 2)?),
        entry("adaptive", RoundRobinRange::new(d, 4 * d, 8.0, 1.0)?),
    ])
}
