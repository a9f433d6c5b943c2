//! The bit buffer under `bitcodec`: its hand-rolled `u64` writer and reader against `bitvec`.
//!
//! DESIGN.md leaves the choice to this benchmark: `BitWriter`/`BitReader` over a hand-rolled
//! buffer of `u64` words, or over `bitvec`. Both write and read 2^20 fixed-width fields (the
//! fast path every quantizer uses); throughput is bytes of packed payload.
//!
//! ```text
//! cargo bench -p lowbit-benches --bench bit_buffer -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs, clippy::expect_used)] // criterion's macros; a failing write is a bug here

use std::hint::black_box;

use bitcodec::BitWriter;
use bitvec::prelude::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const FIELDS: usize = 1 << 20;

fn fields(width: u32) -> Vec<u64> {
    let mask = if width == 64 {
        u64::MAX
    } else {
        (1u64 << width) - 1
    };
    (0..FIELDS as u64)
        .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) & mask)
        .collect()
}

fn bit_buffer(c: &mut Criterion) {
    for width in [1u32, 4, 8, 13, 32] {
        let values = fields(width);
        let bits = FIELDS * width as usize;
        let mut group = c.benchmark_group(format!("bit_buffer/width={width}"));
        group.throughput(Throughput::Bytes(bits.div_ceil(8) as u64));

        let mut w = BitWriter::new();
        group.bench_function("bitcodec/write", |b| {
            b.iter(|| {
                w.reset(None);
                w.write_fields(black_box(&values), width).expect("fits");
                black_box(w.len())
            })
        });
        let msg = w.to_bitstring();
        let mut out = vec![0u64; FIELDS];
        group.bench_function("bitcodec/read", |b| {
            b.iter(|| {
                msg.reader().read_fields(&mut out, width).expect("present");
                black_box(&out);
            })
        });

        let mut bv: BitVec<u64, Lsb0> = BitVec::with_capacity(bits);
        group.bench_function("bitvec/write", |b| {
            b.iter(|| {
                bv.clear();
                bv.resize(bits, false);
                for (slot, &v) in bv.chunks_exact_mut(width as usize).zip(&values) {
                    slot.store_le(v);
                }
                black_box(bv.len())
            })
        });
        group.bench_function("bitvec/read", |b| {
            b.iter(|| {
                for (o, slot) in out.iter_mut().zip(bv.chunks_exact(width as usize)) {
                    *o = slot.load_le::<u64>();
                }
                black_box(&out);
            })
        });
        assert_eq!(out, values, "bitvec read back what it wrote");
        group.finish();
    }
}

criterion_group!(benches, bit_buffer);
criterion_main!(benches);
