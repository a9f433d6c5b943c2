//! Times SimQ+ encode and decode beside a copy of the `f32` input.
//!
//! `cargo run --release -p lowbit-benches --example simq_plus_timing`
//!
//! For each `(d, k)` it prints the best of several runs (the least disturbed by other
//! processes) of: copying the `4d`-byte input, encoding (private randomness from
//! ChaCha8, as in the experiments, and from the small fast generator of `rand`), and
//! decoding; then each as a fraction of the copy's speed.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use bitcodec::BitWriter;
use quantizers::paper::SimQPlus;
use quantizers::{PublicState, Quantizer};
use rand::rngs::SmallRng;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The best time of `runs` calls of `f`.
fn best_of(
    runs: usize,
    mut f: impl FnMut() -> Result<(), Box<dyn Error>>,
) -> Result<Duration, Box<dyn Error>> {
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed());
    }
    Ok(best)
}

fn ms(t: Duration) -> f64 {
    t.as_secs_f64() * 1e3
}

fn main() -> Result<(), Box<dyn Error>> {
    let cases = [
        (1usize << 16, 1usize << 16, 50),
        (1 << 20, 1 << 20, 15),
        (1 << 20, 1 << 10, 15),
    ];
    println!(
        "| d | k | type code | bits | copy ms | encode ms (ChaCha8) | encode ms (SmallRng) \
         | decode ms | encode / copy speed | decode / copy speed |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (d, k, runs) in cases {
        let q = SimQPlus::new(d, 1.0, 2.0, k)?;
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        // A random input on the l2 sphere of radius 0.9.
        let raw: Vec<f64> = (0..d).map(|_| rng.random_range(-1.0..1.0)).collect();
        let norm = raw.iter().map(|v| v * v).sum::<f64>().sqrt();
        let y: Vec<f32> = raw.iter().map(|v| (0.9 * v / norm) as f32).collect();
        let state = PublicState::new(0);

        let mut copy = vec![0f32; d];
        let t_copy = best_of(runs * 20, || {
            copy.copy_from_slice(black_box(&y));
            black_box(&mut copy);
            Ok(())
        })?;

        let mut w = BitWriter::new();
        let mut encode_with = |private: &mut dyn RngCore| {
            best_of(runs, || {
                w.reset(None);
                q.encode((&y[..]).into(), &state, private, &mut w)?;
                Ok(())
            })
        };
        let t_chacha = encode_with(&mut ChaCha8Rng::seed_from_u64(2))?;
        let t_small = encode_with(&mut SmallRng::seed_from_u64(2))?;

        let mut w = BitWriter::new();
        q.encode((&y[..]).into(), &state, &mut rng, &mut w)?;
        let msg = w.finish();
        let mut out = vec![0.0; d];
        let t_decode = best_of(runs, || {
            q.decode(&mut msg.reader(), &state, &mut out)?;
            Ok(())
        })?;

        let coder = if q.exact_type_code() {
            "exact"
        } else {
            "range"
        };
        println!(
            "| 2^{} | 2^{} | {coder} | {} | {:.3} | {:.2} | {:.2} | {:.2} | {:.4}x | {:.4}x |",
            d.trailing_zeros(),
            k.trailing_zeros(),
            msg.len(),
            ms(t_copy),
            ms(t_chacha),
            ms(t_small),
            ms(t_decode),
            t_copy.as_secs_f64() / t_chacha.as_secs_f64(),
            t_copy.as_secs_f64() / t_decode.as_secs_f64(),
        );
    }
    Ok(())
}
