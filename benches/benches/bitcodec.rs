//! Fixed-width field throughput: `BitWriter::write_fields` and `BitReader::read_fields` over
//! 2^20 fields of 1, 2, 4, 8, 13 and 32 bits, from `u64` values and from the narrowest integer
//! type that holds the field, beside a `memcpy` of a buffer of the packed payload's size.
//!
//! Throughput is in bytes of packed payload (`2^20 w / 8` bytes for width `w`), so the `memcpy`
//! line is the speed of light for moving the message itself.
//!
//! Run: `cargo bench -p lowbit-benches --bench bitcodec -- --warm-up-time 1 --measurement-time 2`

// A benchmark whose workload fails must stop loudly, not time an error path.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use bitcodec::{BitWriter, Field};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const FIELDS: usize = 1 << 20;
const WIDTHS: [u32; 6] = [1, 2, 4, 8, 13, 32];

/// `FIELDS` random values below `2^width`, converted to `T`.
fn values<T: Field>(width: u32, convert: impl Fn(u64) -> T) -> Vec<T> {
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from(width));
    (0..FIELDS)
        .map(|_| convert(rng.random::<u64>() >> (64 - width)))
        .collect()
}

/// Write and read benchmarks for one element type.
fn write_and_read<T: Field>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    label: &str,
    width: u32,
    input: &[T],
) {
    let mut w = BitWriter::new();
    group.bench_function(BenchmarkId::new("write", label), |b| {
        b.iter(|| {
            // reset keeps the buffer: the loop measures packing, not allocation.
            w.reset(None);
            w.write_fields(black_box(input), width).unwrap();
            black_box(w.as_words());
        })
    });
    w.reset(None);
    w.write_fields(input, width).unwrap();
    let msg = w.finish();
    let mut out = vec![T::default(); input.len()];
    group.bench_function(BenchmarkId::new("read", label), |b| {
        b.iter(|| {
            let mut r = black_box(&msg).reader();
            r.read_fields(&mut out, width).unwrap();
            black_box(&out);
        })
    });
}

fn fixed_width_fields(c: &mut Criterion) {
    for width in WIDTHS {
        let payload = FIELDS * width as usize / 8;
        let mut group = c.benchmark_group(format!("fields/w{width}"));
        group.throughput(Throughput::Bytes(payload as u64));

        let src = vec![0xa5u8; payload];
        let mut dst = vec![0u8; payload];
        group.bench_function("memcpy", |b| {
            b.iter(|| {
                dst.copy_from_slice(black_box(&src));
                black_box(&dst);
            })
        });

        write_and_read(&mut group, "u64", width, &values(width, |v| v));
        match width {
            0..=8 => write_and_read(&mut group, "u8", width, &values(width, |v| v as u8)),
            9..=16 => write_and_read(&mut group, "u16", width, &values(width, |v| v as u16)),
            _ => write_and_read(&mut group, "u32", width, &values(width, |v| v as u32)),
        }
        group.finish();
    }
}

criterion_group!(benches, fixed_width_fields);
criterion_main!(benches);
