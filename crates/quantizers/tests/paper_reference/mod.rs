//! Straightforward reference encoders and decoders for CUQ, RATQ and SimQ+, written with the
//! public building blocks (`UniformGrid`, `Uniforms`, `bitcodec` codes) one coordinate at a
//! time, in the order of random draws the schemes are specified with. The fast paths of the
//! schemes must write the same bits, decode the same values and leave the private generator
//! in the same state.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use bitcodec::{BitReader, BitWriter, ChunkedRadix, MultisetCode, TypeRangeCode, Uniform};
use quantizers::grid::UniformGrid;
use quantizers::paper::{Cuq, Ratq, SimQPlus};
use quantizers::random::Uniforms;
use quantizers::{PublicState, Purpose};
use rand::RngCore;
use rand_distr::{Distribution, Exp1};

/// Writes `symbols` of a `k`-letter alphabet as the schemes do: `w`-bit fields for `k = 2^w`,
/// chunks of [`ChunkedRadix`] otherwise.
pub fn write_symbols(k: u64, symbols: &[u64], w: &mut BitWriter) {
    if k.is_power_of_two() {
        for &s in symbols {
            w.write_bits(s, k.trailing_zeros()).unwrap();
        }
    } else {
        let c = ChunkedRadix::new(k).unwrap();
        for chunk in symbols.chunks(c.symbols_per_chunk().min(64)) {
            c.encode(w, chunk).unwrap();
        }
    }
}

/// Reads `m` symbols written by [`write_symbols`].
pub fn read_symbols(k: u64, m: usize, r: &mut BitReader<'_>) -> Vec<u64> {
    if k.is_power_of_two() {
        (0..m)
            .map(|_| r.read_bits(k.trailing_zeros()).unwrap())
            .collect()
    } else {
        let c = ChunkedRadix::new(k).unwrap();
        let mut out = vec![0; m];
        for chunk in out.chunks_mut(c.symbols_per_chunk().min(64)) {
            c.decode(r, chunk).unwrap();
        }
        out
    }
}

/// CUQ: one uniform per coordinate, `grid.stochastic_index`, the symbols in order.
pub fn cuq_encode(q: &Cuq, y: &[f64], rng: &mut dyn RngCore, w: &mut BitWriter) {
    let mut u = Uniforms::new(rng);
    let symbols: Vec<u64> = y
        .iter()
        .map(|&v| q.grid().stochastic_index(v, u.unit_f64()))
        .collect();
    write_symbols(q.levels(), &symbols, w);
}

/// CUQ decode: `grid.value` of every symbol.
pub fn cuq_decode(q: &Cuq, r: &mut BitReader<'_>, d: usize) -> Vec<f64> {
    read_symbols(q.levels(), d, r)
        .into_iter()
        .map(|s| q.grid().value(s))
        .collect()
}

/// The unnormalised Walsh–Hadamard transform, level by level (`h = 1, 2, 4, ...`), each
/// butterfly `(u, v) -> (u + v, u - v)`.
pub fn fwht(x: &mut [f64]) {
    let n = x.len();
    let mut h = 1;
    while h < n {
        for block in x.chunks_exact_mut(2 * h) {
            let (a, b) = block.split_at_mut(h);
            for (u, v) in a.iter_mut().zip(b.iter_mut()) {
                let (s, t) = (*u + *v, *u - *v);
                *u = s;
                *v = t;
            }
        }
        h *= 2;
    }
}

/// `R pad(y) = H D pad(y) / sqrt(d')`: signs from the rotation coins, 64 per word, bit `b`
/// of word `c` for coordinate `64 c + b`; then the transform; then the scale.
pub fn rotate(state: &PublicState<'_>, y: &[f64], padded: usize) -> Vec<f64> {
    let mut coins = state.coins(Purpose::Rotation);
    let mut z = vec![0.0; padded];
    for (c, chunk) in z.chunks_mut(64).enumerate() {
        let signs = coins.next_u64();
        for (b, zi) in chunk.iter_mut().enumerate() {
            let v = y.get(64 * c + b).copied().unwrap_or(0.0);
            *zi = if (signs >> b) & 1 == 1 { -v } else { v };
        }
    }
    fwht(&mut z);
    let scale = 1.0 / (padded as f64).sqrt();
    z.iter_mut().for_each(|v| *v *= scale);
    z
}

/// `R^T z`, truncated to `d`.
pub fn unrotate(state: &PublicState<'_>, mut z: Vec<f64>, d: usize) -> Vec<f64> {
    fwht(&mut z);
    let scale = 1.0 / (z.len() as f64).sqrt();
    let mut coins = state.coins(Purpose::Rotation);
    let mut out = Vec::with_capacity(d);
    for chunk in z.chunks(64) {
        let signs = coins.next_u64();
        for (b, &v) in chunk.iter().enumerate() {
            let v = v * scale;
            out.push(if (signs >> b) & 1 == 1 { -v } else { v });
        }
    }
    out.truncate(d);
    out
}

/// The range index of each block of `z`: the first range at or above its largest magnitude,
/// the top one when none is.
fn ratq_indices(q: &Ratq, z: &[f64]) -> Vec<usize> {
    let table = q.range_table();
    z.chunks(q.block_len())
        .map(|b| {
            let max = b.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            table.select(max).unwrap_or(table.len() - 1)
        })
        .collect()
}

fn ratq_grids(q: &Ratq) -> Vec<UniformGrid> {
    q.range_table()
        .ranges()
        .iter()
        .map(|&m| UniformGrid::symmetric(m, q.levels()).unwrap())
        .collect()
}

/// RATQ: rotate, the block indices, then one uniform per rotated coordinate in order.
pub fn ratq_encode(
    q: &Ratq,
    state: &PublicState<'_>,
    y: &[f64],
    rng: &mut dyn RngCore,
    w: &mut BitWriter,
) {
    let z = rotate(state, y, q.padded_dim());
    let indices = ratq_indices(q, &z);
    let code = Uniform::new(q.range_table().len() as u64).unwrap();
    for &j in &indices {
        code.encode(w, j as u64).unwrap();
    }
    let grids = ratq_grids(q);
    let mut u = Uniforms::new(rng);
    let mut symbols = Vec::with_capacity(z.len());
    for (b, &j) in z.chunks(q.block_len()).zip(&indices) {
        for &v in b {
            symbols.push(grids[j].stochastic_index(v, u.unit_f64()));
        }
    }
    write_symbols(q.levels(), &symbols, w);
}

/// RATQ decode: the indices, the symbols, their grid values, `R^T`.
pub fn ratq_decode(q: &Ratq, state: &PublicState<'_>, r: &mut BitReader<'_>) -> Vec<f64> {
    let code = Uniform::new(q.range_table().len() as u64).unwrap();
    let indices: Vec<u64> = (0..q.blocks()).map(|_| code.decode(r).unwrap()).collect();
    let symbols = read_symbols(q.levels(), q.padded_dim(), r);
    let grids = ratq_grids(q);
    let z: Vec<f64> = symbols
        .chunks(q.block_len())
        .zip(&indices)
        .flat_map(|(b, &j)| b.iter().map(move |&s| (j, s)))
        .map(|(j, s)| grids[j as usize].value(s))
        .collect();
    unrotate(state, z, y_len(q))
}

fn y_len(q: &Ratq) -> usize {
    use quantizers::Quantizer;
    q.dim()
}

/// A `dyn RngCore` read through [`Uniforms`] (64 words at a time), as SimQ+ samples.
struct Buffered<'r>(Uniforms<'r>);

impl RngCore for Buffered<'_> {
    fn next_u32(&mut self) -> u32 {
        (self.0.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.0.next_u64().to_le_bytes();
            let n = chunk.len();
            chunk.copy_from_slice(&bytes[..n]);
        }
    }
}

/// SimQ+ sampling: `k + 1` standard exponentials (ziggurat, `rand_distr::Exp1`) give the
/// sorted uniforms `A_j / A_{k+1}`; the coordinates are split into 4 blocks of
/// `ceil(d/4)` whose cumulative sums are the block's base (the sum of the earlier blocks'
/// totals, each a left fold of `|y_i|`) plus its own running sum; coordinate `i` takes the
/// arrivals `A_j < S_i A_{k+1} / B'`. Returns the counts (index 0 for the zero output) and
/// the signs (1 = negative) of the coordinates drawn, in order.
pub fn simq_plus_sample(q: &SimQPlus, y: &[f64], rng: &mut dyn RngCore) -> (Vec<u64>, Vec<bool>) {
    let k = q.reps();
    let d = y.len();
    let mut src = Buffered(Uniforms::new(rng));
    let mut arrivals = Vec::with_capacity(k);
    let mut sum = 0.0f64;
    for _ in 0..k {
        let e: f64 = Exp1.sample(&mut src);
        sum += e;
        arrivals.push(sum);
    }
    let last: f64 = Exp1.sample(&mut src);
    let scale = (sum + last) / q.simq_bound();
    let block = d.div_ceil(4).max(1);
    let mut counts = vec![0u64; d + 1];
    let mut signs = Vec::new();
    let mut base = 0.0f64;
    let mut next = 0usize;
    for c in 0..4 {
        let part = &y[(c * block).min(d)..((c + 1) * block).min(d)];
        let mut acc = 0.0f64;
        for (i, &v) in part.iter().enumerate() {
            acc += v.abs();
            let limit = (base + acc) * scale;
            let start = next;
            while next < k && arrivals[next] < limit {
                next += 1;
            }
            counts[1 + c * block + i] = (next - start) as u64;
            if next > start {
                signs.push(v < 0.0);
            }
        }
        base += part.iter().fold(0.0, |s, v| s + v.abs());
    }
    counts[0] = (k - next) as u64;
    (counts, signs)
}

/// SimQ+ encode: the type (exact or range code, as the scheme chooses), then the signs.
pub fn simq_plus_encode(q: &SimQPlus, y: &[f64], rng: &mut dyn RngCore, w: &mut BitWriter) {
    let (counts, signs) = simq_plus_sample(q, y, rng);
    let (n, k) = (y.len() as u64 + 1, q.reps() as u64);
    if q.exact_type_code() {
        MultisetCode::new(n, k)
            .unwrap()
            .encode_counts(w, &counts)
            .unwrap();
    } else {
        TypeRangeCode::new(n, k)
            .unwrap()
            .encode_counts(w, &counts)
            .unwrap();
    }
    for s in signs {
        w.write_bit(s).unwrap();
    }
}

/// SimQ+ decode: `+-(B'/k) c_i`.
pub fn simq_plus_decode(q: &SimQPlus, r: &mut BitReader<'_>, d: usize) -> Vec<f64> {
    let (n, k) = (d as u64 + 1, q.reps() as u64);
    let mut counts = vec![0u64; d + 1];
    if q.exact_type_code() {
        MultisetCode::new(n, k)
            .unwrap()
            .decode_counts(r, &mut counts)
            .unwrap();
    } else {
        TypeRangeCode::new(n, k)
            .unwrap()
            .decode_counts(r, &mut counts)
            .unwrap();
    }
    let unit = q.simq_bound() / k as f64;
    counts[1..]
        .iter()
        .map(|&c| {
            if c == 0 {
                0.0
            } else {
                let v = unit * c as f64;
                if r.read_bit().unwrap() { -v } else { v }
            }
        })
        .collect()
}
