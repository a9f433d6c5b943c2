//! A loop to put under a profiler: encodes (or decodes) one catalog scheme at d = 2^20, f32
//! input, with the same input, generator and writer as the `quantizers` benchmark.
//!
//! ```text
//! cargo build --profile bench -p lowbit-benches --example profile
//! perf record -g target/release/examples/profile 'simq+(k=1048576)' encode 20
//! valgrind --tool=callgrind target/release/examples/profile 'ratq(k=4)' encode 2
//! ```
//!
//! Arguments: a scheme label (as the benchmark names it), `encode` or `decode`, and a repeat
//! count. Prints the mean time per call and the GB/s of input.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use bitcodec::BitWriter;
use lowbit_benches::{BenchInput, Dtype, SEED};
use quantizers::PublicState;
use rand::SeedableRng;
use rand::rngs::SmallRng;

const D: usize = 1 << 20;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(label), Some(op)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: profile LABEL encode|decode [REPEATS]");
        return ExitCode::from(2);
    };
    let repeats: u32 = args
        .get(3)
        .and_then(|r| r.parse().ok())
        .unwrap_or(10)
        .max(1);
    let Ok(catalog) = xtask::catalog::all(D) else {
        eprintln!("the catalog does not build at d = {D}");
        return ExitCode::from(2);
    };
    let Some(entry) = catalog.into_iter().find(|e| &e.label == label) else {
        eprintln!("no scheme labelled {label}");
        return ExitCode::from(2);
    };
    let q = entry.quantizer;
    let input = BenchInput::gaussian(D, Dtype::F32, SEED);
    let state = PublicState::new(SEED);
    let mut rng = SmallRng::seed_from_u64(SEED);
    let capacity = q.bit_cost().max_bits();
    let mut w = BitWriter::new();
    w.reset(capacity);
    if let Err(e) = q.encode(input.input(), &state, &mut rng, &mut w) {
        eprintln!("{label}: {e}");
        return ExitCode::FAILURE;
    }
    let message = w.to_bitstring();
    let mut out = vec![0.0; D];
    let start = Instant::now();
    for _ in 0..repeats {
        let done = if op == "decode" {
            q.decode(&mut message.reader(), &state, &mut out)
        } else {
            w.reset(capacity);
            q.encode(black_box(input.input()), &state, &mut rng, &mut w)
                .map(|_| ())
        };
        if let Err(e) = done {
            eprintln!("{label}: {e}");
            return ExitCode::FAILURE;
        }
        black_box(&out);
    }
    let per_call = start.elapsed().as_secs_f64() / f64::from(repeats);
    let gbps = input.size_bytes() as f64 / per_call / 1e9;
    println!(
        "{label} {op}: {:.3} ms per call, {gbps:.3} GB/s",
        per_call * 1e3
    );
    ExitCode::SUCCESS
}
