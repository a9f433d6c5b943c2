//! Encode and decode throughput of every quantizer, beside a memcpy of the same input.
//!
//! One criterion group per `(dtype, d)`: `quantizers/f32/d=1024`, `quantizers/f32/d=1048576`,
//! and the same for `f64`. Throughput is bytes of input per second; compare each scheme with
//! the group's `memcpy` from the same run. To add a scheme, add one line to [`schemes`].
//!
//! ```text
//! cargo bench -p lowbit-benches --bench quantizers -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p lowbit-benches --bench quantizers -- 'f32/d=1048576/(memcpy|.*e4m3)'
//! ```

// A scheme that cannot be built for a benchmark dimension is a bug in this file: fail loudly.
#![allow(clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use lowbit_benches::{Dtype, bench_group};
use quantizers::formats::{FloatCast, MxScaleRule, Mxfp4, NvScaleRule, Nvfp4, Overflow, Rounding};
use quantizers::{QuantError, Quantizer};

/// The dimensions of every group.
const DIMS: [usize; 2] = [1 << 10, 1 << 20];

const RNE: Rounding = Rounding::NearestEven;
const SR: Rounding = Rounding::Stochastic;
const SAT: Overflow = Overflow::Saturate;

fn boxed<Q: Quantizer + 'static>(q: Result<Q, QuantError>) -> Box<dyn Quantizer> {
    Box::new(q.expect("benchmark scheme"))
}

/// Every benchmarked scheme at dimension `d`, one line each.
fn schemes(d: usize) -> Vec<Box<dyn Quantizer>> {
    vec![
        boxed(FloatCast::fp16(d, RNE, SAT)),
        boxed(FloatCast::bf16(d, RNE, SAT)),
        boxed(FloatCast::e4m3(d, RNE, SAT)),
        boxed(FloatCast::e5m2(d, RNE, SAT)),
        boxed(Mxfp4::new(d, RNE, MxScaleRule::Floor)),
        boxed(Nvfp4::new(d, RNE, NvScaleRule::Nearest)),
        boxed(FloatCast::fp16(d, SR, SAT)),
        boxed(FloatCast::bf16(d, SR, SAT)),
        boxed(FloatCast::e4m3(d, SR, SAT)),
        boxed(FloatCast::e5m2(d, SR, SAT)),
        boxed(Mxfp4::new(d, SR, MxScaleRule::Floor)),
        boxed(Nvfp4::new(d, SR, NvScaleRule::Nearest)),
    ]
}

fn quantizers(c: &mut Criterion) {
    for dtype in [Dtype::F32, Dtype::F64] {
        for d in DIMS {
            bench_group(c, d, dtype, &schemes(d)).expect("every scheme encodes its input");
        }
    }
}

criterion_group!(benches, quantizers);
criterion_main!(benches);
