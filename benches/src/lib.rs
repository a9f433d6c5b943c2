//! Shared helpers for the criterion benchmarks.
//!
//! Every quantizer benchmark is read against the cost of moving the same bytes: for an input
//! `y in R^d` of element type `T` the throughput is `d · size_of::<T>()` bytes of *input* per
//! second, and each group also times a plain copy of that input into a preallocated buffer
//! (`memcpy`), so that `throughput(scheme) / throughput(memcpy)` in one run is the fraction of
//! memory speed a scheme reaches, whatever else the machine is doing.
//!
//! - [`BenchInput`]: a seeded, Gaussian input of dimension `d` in `f32` or `f64`
//!   ([`gaussian`]).
//! - [`bench_memcpy`]: the copy baseline.
//! - [`bench_private_words`]: one private random word per coordinate, the ceiling of every
//!   scheme that rounds each coordinate stochastically.
//! - [`bench_quantizer`]: `encode` into a reused [`BitWriter`] with a fast seeded private
//!   generator, and `decode` of a pre-encoded message into a reused output buffer.
//! - [`bench_group`]: one criterion group per `(d, dtype)`, with the copy and any list of
//!   schemes.
//!
//! ```no_run
//! use criterion::Criterion;
//! use lowbit_benches::{Dtype, bench_group};
//! use quantizers::formats::{FloatCast, Overflow, Rounding};
//! use quantizers::Quantizer;
//!
//! let mut c = Criterion::default();
//! let d = 1 << 10;
//! let schemes: Vec<Box<dyn Quantizer>> =
//!     vec![Box::new(FloatCast::bf16(d, Rounding::NearestEven, Overflow::Saturate)?)];
//! bench_group(&mut c, d, Dtype::F32, &schemes)?;
//! # Ok::<(), quantizers::QuantError>(())
//! ```

use std::f64::consts::TAU;
use std::fmt;
use std::hint::black_box;

use bitcodec::{BitString, BitWriter};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput};
use quantizers::{Input, PublicState, QuantError, Quantizer};
use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The seed of the inputs, the public state and the private generator of every benchmark.
pub const SEED: u64 = 0x1ab_b175;

/// The element type of a benchmark input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dtype {
    /// `f32` coordinates.
    F32,
    /// `f64` coordinates.
    F64,
}

impl fmt::Display for Dtype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dtype::F32 => "f32",
            Dtype::F64 => "f64",
        })
    }
}

/// `d` independent standard normal draws (Box–Muller on a ChaCha8 stream seeded by `seed`).
pub fn gaussian(d: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(d + 1);
    while out.len() < d {
        // 1 - U lies in (0, 1], so the logarithm is finite.
        let r = (-2.0 * (1.0 - rng.random::<f64>()).ln()).sqrt();
        let theta = TAU * rng.random::<f64>();
        out.push(r * theta.cos());
        out.push(r * theta.sin());
    }
    out.truncate(d);
    out
}

/// An owned benchmark input: a seeded Gaussian vector in one element type.
#[derive(Debug, Clone, PartialEq)]
pub enum BenchInput {
    /// Single precision.
    F32(Vec<f32>),
    /// Double precision.
    F64(Vec<f64>),
}

impl BenchInput {
    /// [`gaussian`] of dimension `d`, rounded to `dtype`.
    pub fn gaussian(d: usize, dtype: Dtype, seed: u64) -> Self {
        let y = gaussian(d, seed);
        match dtype {
            Dtype::F32 => BenchInput::F32(y.iter().map(|&v| v as f32).collect()),
            Dtype::F64 => BenchInput::F64(y),
        }
    }

    /// The input as quantizers take it.
    pub fn input(&self) -> Input<'_> {
        match self {
            BenchInput::F32(x) => Input::F32(x),
            BenchInput::F64(x) => Input::F64(x),
        }
    }

    /// Bytes of input data, the unit of every throughput.
    pub fn size_bytes(&self) -> usize {
        self.input().size_bytes()
    }
}

/// Times a copy of the input into a preallocated buffer of the same type: the memory-speed
/// baseline of the group (benchmark `memcpy`).
pub fn bench_memcpy(group: &mut BenchmarkGroup<'_, WallTime>, input: &BenchInput) {
    group.throughput(Throughput::Bytes(input.size_bytes() as u64));
    match input {
        BenchInput::F32(x) => copy_bench(group, x),
        BenchInput::F64(x) => copy_bench(group, x),
    }
}

/// Times drawing one 64-bit word per coordinate from the private generator the schemes get
/// (a [`SmallRng`], by `fill_bytes`, as encoders draw them): the ceiling of any scheme that
/// rounds every coordinate stochastically (benchmark `private-words`, bytes of input per
/// second, so it compares with `memcpy` and the schemes directly).
pub fn bench_private_words(group: &mut BenchmarkGroup<'_, WallTime>, input: &BenchInput) {
    group.throughput(Throughput::Bytes(input.size_bytes() as u64));
    let d = input.input().len();
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut bytes = vec![0u8; 8 * d];
    group.bench_function("private-words", |b| {
        b.iter(|| {
            rng.fill_bytes(black_box(bytes.as_mut_slice()));
            black_box(bytes.as_slice());
        });
    });
}

fn copy_bench<T: Copy + Default>(group: &mut BenchmarkGroup<'_, WallTime>, src: &[T]) {
    let mut dst = vec![T::default(); src.len()];
    group.bench_function("memcpy", |b| {
        b.iter(|| {
            dst.copy_from_slice(black_box(src));
            black_box(dst.as_mut_slice());
        });
    });
}

/// Times `q.encode` (benchmark `NAME/encode`) and `q.decode` (`NAME/decode`) on `input`.
///
/// Encoding appends to one [`BitWriter`], reset before each message to the scheme's capacity,
/// with a [`SmallRng`] seeded by [`SEED`] as the private generator (so stochastic rounding
/// measures the scheme, not a cryptographic generator). Decoding reads a message encoded once
/// beforehand into one reused output buffer. Both report bytes of input per second.
///
/// Errors if `q` refuses the input or cannot decode its own message, before anything is timed.
pub fn bench_quantizer(
    group: &mut BenchmarkGroup<'_, WallTime>,
    q: &dyn Quantizer,
    input: &BenchInput,
) -> Result<(), QuantError> {
    let state = PublicState::new(SEED);
    let capacity = q.bit_cost().max_bits();
    let mut rng = SmallRng::seed_from_u64(SEED);
    let mut w = BitWriter::new();
    let message = encode_once(q, input.input(), &state, &mut rng, &mut w, capacity)?;
    let mut out = vec![0.0; q.dim()];
    q.decode(&mut message.reader(), &state, &mut out)?;

    let name = q.name();
    group.throughput(Throughput::Bytes(input.size_bytes() as u64));
    group.bench_function(format!("{name}/encode"), |b| {
        b.iter(|| {
            w.reset(capacity);
            let stats = q.encode(black_box(input.input()), &state, &mut rng, &mut w);
            black_box(w.as_words());
            stats
        });
    });
    group.bench_function(format!("{name}/decode"), |b| {
        b.iter(|| {
            let done = q.decode(&mut black_box(&message).reader(), &state, &mut out);
            black_box(out.as_slice());
            done
        });
    });
    Ok(())
}

fn encode_once(
    q: &dyn Quantizer,
    input: Input<'_>,
    state: &PublicState<'_>,
    rng: &mut SmallRng,
    w: &mut BitWriter,
    capacity: Option<usize>,
) -> Result<BitString, QuantError> {
    w.reset(capacity);
    q.encode(input, state, rng, w)?;
    Ok(w.to_bitstring())
}

/// Runs the group `quantizers/{dtype}/d={d}`: [`bench_memcpy`] of a [`BenchInput::gaussian`]
/// input, then [`bench_quantizer`] for every scheme (each of dimension `d`). Criterion's
/// command-line filter selects among them as usual (e.g. `-- 'f32/d=1048576/.*e4m3'`).
///
/// Errors (before timing that scheme) if a scheme refuses the input or has another dimension.
pub fn bench_group(
    c: &mut Criterion,
    d: usize,
    dtype: Dtype,
    schemes: &[Box<dyn Quantizer>],
) -> Result<(), QuantError> {
    let input = BenchInput::gaussian(d, dtype, SEED);
    let mut group = c.benchmark_group(format!("quantizers/{dtype}/d={d}"));
    bench_memcpy(&mut group, &input);
    bench_private_words(&mut group, &input);
    let mut result = Ok(());
    for q in schemes {
        let done = if q.dim() == d {
            bench_quantizer(&mut group, q.as_ref(), &input)
        } else {
            Err(QuantError::DimensionMismatch {
                expected: d,
                got: q.dim(),
            })
        };
        // Keep timing the other schemes; report the first failure.
        if let Err(e) = done
            && result.is_ok()
        {
            result = Err(e);
        }
    }
    group.finish();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaussian_input_is_reproducible_and_standard() {
        let a = gaussian(20_001, 3);
        assert_eq!(a, gaussian(20_001, 3));
        assert_ne!(a, gaussian(20_001, 4));
        let n = a.len() as f64;
        let mean = a.iter().sum::<f64>() / n;
        let var = a.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
        // 5 standard errors: sd(mean) = 1/sqrt(n), sd(var) = sqrt(2/n).
        assert!(mean.abs() < 5.0 / n.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / n).sqrt(), "variance {var}");
    }

    #[test]
    fn inputs_have_the_requested_type_and_byte_size() {
        let x = BenchInput::gaussian(10, Dtype::F32, 1);
        assert!(matches!(x, BenchInput::F32(ref v) if v.len() == 10));
        assert_eq!(x.size_bytes(), 40);
        assert_eq!(BenchInput::gaussian(10, Dtype::F64, 1).size_bytes(), 80);
    }
}
