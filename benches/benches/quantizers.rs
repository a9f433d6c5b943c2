//! Encode and decode throughput of every quantizer, beside a memcpy of the same input.
//!
//! One criterion group per `(dtype, d)`: `quantizers/f32/d=1024`, `quantizers/f32/d=1048576`,
//! and the same for `f64`. Throughput is bytes of input per second; compare each scheme with
//! the group's `memcpy` from the same run. The schemes are `xtask::catalog::all`, shared with the
//! report's `throughput` experiment: add a scheme there.
//!
//! ```text
//! cargo bench -p lowbit-benches --bench quantizers -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p lowbit-benches --bench quantizers -- 'f32/d=1048576/(memcpy|.*e4m3)'
//! ```

// A scheme that cannot be built for a benchmark dimension is a bug in this file: fail loudly.
#![allow(clippy::expect_used, missing_docs)]

use criterion::{Criterion, criterion_group, criterion_main};
use lowbit_benches::{Dtype, bench_group};
use quantizers::Quantizer;

/// The dimensions of every group.
const DIMS: [usize; 2] = [1 << 10, 1 << 20];

/// Every scheme of the catalog the `throughput` experiment also measures.
fn schemes(d: usize) -> Vec<Box<dyn Quantizer>> {
    xtask::catalog::all(d)
        .expect("every catalog scheme builds at the benchmark dimensions")
        .into_iter()
        .map(|e| e.quantizer)
        .collect()
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
