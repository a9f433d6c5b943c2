//! Straightforward reference encoders and decoders for the dense baselines, written from their
//! module docs one coordinate at a time: norms summed in coordinate order, one random word per
//! coordinate in coordinate order (from [`Uniforms`], 64 words per block), symbols packed by
//! Horner's rule in `u128` chunks and unpacked by division. The fast paths of the quantizers
//! must write the same bits, return the same errors and decode to the same `f64` bit patterns.

#![allow(dead_code)] // each test binary uses a subset
#![allow(clippy::unwrap_used)]

use bitcodec::{BitReader, BitWriter, CodecError};
use quantizers::random::Uniforms;
use quantizers::{PublicState, Purpose, QuantError, ScalarCode};
use rand::RngCore;

const SCALE_53: f64 = 1.0 / (1u64 << 53) as f64;

/// A uniform in `[0, 1)` from one word, as the quantizers draw it.
pub fn unit(w: u64) -> f64 {
    (w >> 11) as f64 * SCALE_53
}

/// The first NaN or infinity, as an error.
pub fn validate(y: &[f64], dim: usize) -> Result<(), QuantError> {
    if y.len() != dim {
        return Err(QuantError::DimensionMismatch {
            expected: dim,
            got: y.len(),
        });
    }
    match y.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(QuantError::NonFinite { index }),
        None => Ok(()),
    }
}

// ---------------------------------------------------------------- norms, in coordinate order

pub fn max_abs(x: &[f64]) -> f64 {
    let mut m = 0.0f64;
    for v in x {
        m = m.max(v.abs());
    }
    m
}

pub fn l1(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v.abs();
    }
    s
}

/// The sum of squares in order, or the scaled two-pass form when it overflows or may have
/// lost underflowed squares (below `2^-900`).
pub fn l2(x: &[f64]) -> f64 {
    let mut sum = 0.0;
    for v in x {
        sum += v * v;
    }
    if sum.is_finite() && sum >= 2f64.powi(-900) {
        return sum.sqrt();
    }
    let m = max_abs(x);
    if m == 0.0 {
        return 0.0;
    }
    let mut scaled = 0.0;
    for v in x {
        scaled += (v / m) * (v / m);
    }
    m * scaled.sqrt()
}

pub fn lp(x: &[f64], p: f64) -> f64 {
    if p == 1.0 {
        l1(x)
    } else if p == 2.0 {
        l2(x)
    } else if p.is_infinite() {
        max_abs(x)
    } else {
        let m = max_abs(x);
        if m == 0.0 {
            return 0.0;
        }
        let mut sum = 0.0;
        for v in x {
            sum += (v.abs() / m).powf(p);
        }
        m * sum.powf(1.0 / p)
    }
}

pub fn std_dev(x: &[f64]) -> f64 {
    let m = max_abs(x);
    if m == 0.0 || x.is_empty() {
        return 0.0;
    }
    let n = x.len() as f64;
    let mut mean = 0.0;
    for v in x {
        mean += v / m;
    }
    mean /= n;
    let mut var = 0.0;
    for v in x {
        var += (v / m - mean) * (v / m - mean);
    }
    m * (var / n).sqrt()
}

/// `a / norm` as the quantizers compute it: by the reciprocal when it is finite, 0 for a zero
/// norm.
pub fn ratio(a: f64, norm: f64) -> f64 {
    let inv = 1.0 / norm;
    if norm == 0.0 {
        0.0
    } else if inv.is_finite() {
        a * inv
    } else {
        a / norm
    }
}

// ------------------------------------------------------------------------- level sets

/// QSGD's unbiased rounding of `r` onto `{0, 1/s, ..., 1}`.
pub fn round_uniform(s: u32, r: f64, u: f64) -> u32 {
    let x = (r * f64::from(s)).clamp(0.0, f64::from(s));
    let floor = x.floor();
    let idx = floor as u32;
    if idx >= s {
        s
    } else {
        idx + u32::from(u < x - floor)
    }
}

/// Natural dithering's unbiased rounding of `r` onto `{0, 2^(1-s), ..., 1/2, 1}`.
pub fn round_dyadic(s: u32, r: f64, u: f64) -> u32 {
    if r >= 1.0 {
        return s;
    }
    if r <= 0.0 {
        return 0;
    }
    let lowest = 1 - s as i32;
    let delta = 2f64.powi(lowest);
    if r < delta {
        return u32::from(u < r / delta);
    }
    let e = r.log2().floor() as i32;
    // `log2` may round up just below a power of two: take the binade of `r` itself.
    let e = if 2f64.powi(e) > r { e - 1 } else { e };
    let p_up = r / 2f64.powi(e) - 1.0;
    (e - lowest + 1) as u32 + u32::from(u < p_up)
}

pub fn uniform_level(s: u32, idx: u32) -> f64 {
    f64::from(idx) / f64::from(s)
}

pub fn dyadic_level(s: u32, idx: u32) -> f64 {
    if idx == 0 {
        0.0
    } else {
        2f64.powi(idx as i32 - s as i32)
    }
}

/// The signed level of symbol `sym` of `{0, ..., 2s}` (`s` is the symbol of zero).
pub fn signed_level(s: u32, sym: u64, level: impl Fn(u32) -> f64) -> f64 {
    let top = u64::from(s);
    if sym < top {
        -level((top - sym) as u32)
    } else {
        level((sym - top).min(top) as u32)
    }
}

pub fn symbol(s: u32, idx: u32, negative: bool) -> u64 {
    if negative {
        u64::from(s - idx)
    } else {
        u64::from(s + idx)
    }
}

// -------------------------------------------------------------------- chunked radix

/// Symbols per chunk: the largest `c` with `n^c <= 2^64`.
pub fn per_chunk(n: u64) -> usize {
    if n == 1 {
        return 64;
    }
    let mut c = 0u32;
    while u128::from(n).pow(c + 1) <= 1u128 << 64 {
        c += 1;
    }
    c as usize
}

/// `ceil(log2(n^len))`.
pub fn chunk_bits(n: u64, len: usize) -> u32 {
    let p = u128::from(n).pow(len as u32);
    if p <= 1 {
        0
    } else {
        128 - (p - 1).leading_zeros()
    }
}

/// Packs symbols `c` at a time, each chunk `sum_i s_i n^i` in `ceil(log2 n^len)` bits.
pub fn pack(w: &mut BitWriter, n: u64, symbols: &[u64]) {
    for chunk in symbols.chunks(per_chunk(n)) {
        let mut v = 0u128;
        for &s in chunk.iter().rev() {
            v = v * u128::from(n) + u128::from(s);
        }
        w.write_bits(v as u64, chunk_bits(n, chunk.len())).unwrap();
    }
}

/// Unpacks `m` symbols; a chunk at or past `n^len` is an invalid codeword.
pub fn unpack(r: &mut BitReader<'_>, n: u64, m: usize) -> Result<Vec<u64>, QuantError> {
    let mut out = Vec::with_capacity(m);
    let c = per_chunk(n);
    let mut left = m;
    while left > 0 {
        let len = left.min(c);
        let mut v = u128::from(r.read_bits(chunk_bits(n, len))?);
        if v >= u128::from(n).pow(len as u32) {
            return Err(CodecError::InvalidCodeword("chunked radix value past n^c").into());
        }
        for _ in 0..len {
            out.push((v % u128::from(n)) as u64);
            v /= u128::from(n);
        }
        left -= len;
    }
    Ok(out)
}

// --------------------------------------------------------------------------- schemes

/// A reference encoder's result: the message appended to `prefix` bits, and the clip count.
pub type Encoded = Result<usize, QuantError>;

/// Writes into `w` only if the whole message fits (as the quantizers do).
fn commit(w: &mut BitWriter, msg: BitWriter) -> Result<usize, QuantError> {
    let msg = msg.finish();
    w.write_bitstring(&msg)?;
    Ok(msg.len())
}

fn scratch() -> BitWriter {
    BitWriter::new()
}

pub fn sign_encode(y: &[f64], w: &mut BitWriter) -> Encoded {
    validate(y, y.len())?;
    let mut m = scratch();
    for &v in y {
        m.write_bit(v < 0.0)?;
    }
    commit(w, m)
}

pub fn sign_decode(
    r: &mut BitReader<'_>,
    magnitude: f64,
    out: &mut [f64],
) -> Result<(), QuantError> {
    r.ensure_available(out.len())?;
    for o in out {
        *o = if r.read_bit()? { -magnitude } else { magnitude };
    }
    Ok(())
}

pub fn scaled_sign_encode(
    y: &[f64],
    code: ScalarCode,
    rng: &mut dyn RngCore,
    w: &mut BitWriter,
) -> Encoded {
    validate(y, y.len())?;
    let c = l1(y) / y.len() as f64;
    let sent = code.round(c, unit(rng.next_u64()))?;
    let mut m = scratch();
    code.write(&mut m, sent)?;
    for &v in y {
        m.write_bit(v < 0.0)?;
    }
    commit(w, m)
}

pub fn scaled_sign_decode(
    r: &mut BitReader<'_>,
    code: ScalarCode,
    out: &mut [f64],
) -> Result<(), QuantError> {
    r.ensure_available(code.bits() + out.len())?;
    let c = code.decode(r)?;
    if c < 0.0 {
        return Err(QuantError::Corrupt("negative scale".into()));
    }
    sign_decode(r, c, out)
}

/// QSGD with `s` levels and buckets of `bucket`, fixed-length coding.
pub fn qsgd_encode(
    y: &[f64],
    s: u32,
    bucket: usize,
    code: ScalarCode,
    rng: &mut dyn RngCore,
    w: &mut BitWriter,
) -> Encoded {
    validate(y, y.len())?;
    let mut u = Uniforms::new(rng);
    let mut norms = Vec::new();
    for b in y.chunks(bucket) {
        let norm = l2(b);
        norms.push((norm, code.round(norm, u.unit_f64())?));
    }
    let mut m = scratch();
    for &(_, sent) in &norms {
        code.write(&mut m, sent)?;
    }
    let mut symbols = Vec::new();
    for (b, &(norm, _)) in y.chunks(bucket).zip(&norms) {
        for &v in b {
            let idx = round_uniform(s, ratio(v.abs(), norm), u.unit_f64());
            symbols.push(symbol(s, idx, v < 0.0));
        }
    }
    pack(&mut m, 2 * u64::from(s) + 1, &symbols);
    commit(w, m)
}

pub fn qsgd_decode(
    r: &mut BitReader<'_>,
    s: u32,
    bucket: usize,
    code: ScalarCode,
    out: &mut [f64],
) -> Result<(), QuantError> {
    let d = out.len();
    let n = 2 * u64::from(s) + 1;
    r.ensure_available(d.div_ceil(bucket) * code.bits() + len(n, d))?;
    let mut norms = Vec::new();
    for _ in 0..d.div_ceil(bucket) {
        let norm = code.decode(r)?;
        if norm < 0.0 {
            return Err(QuantError::Corrupt("negative norm".into()));
        }
        norms.push(norm);
    }
    let symbols = unpack(r, n, d)?;
    for ((o, &sym), i) in out.iter_mut().zip(&symbols).zip(0..) {
        *o = norms[i / bucket] * signed_level(s, sym, |idx| uniform_level(s, idx));
    }
    Ok(())
}

/// Bits of `m` symbols over `n` letters in chunks.
pub fn len(n: u64, m: usize) -> usize {
    let c = per_chunk(n);
    (m / c) * chunk_bits(n, c) as usize + chunk_bits(n, m % c) as usize
}

pub fn terngrad_encode(
    y: &[f64],
    clip: Option<f64>,
    code: ScalarCode,
    rng: &mut dyn RngCore,
    w: &mut BitWriter,
) -> Encoded {
    validate(y, y.len())?;
    let mut u = Uniforms::new(rng);
    let t = clip.map_or(f64::INFINITY, |c| c * std_dev(y));
    let clipped = y.iter().filter(|v| v.abs() > t).count();
    let s = max_abs(y).min(t);
    let sent = code.round(s, u.unit_f64())?;
    let mut m = scratch();
    code.write(&mut m, sent)?;
    let mut symbols = Vec::new();
    for &v in y {
        let keep = u.unit_f64() < ratio(v.abs().min(t), s);
        symbols.push(match (keep, v < 0.0) {
            (false, _) => 1,
            (true, true) => 0,
            (true, false) => 2,
        });
    }
    pack(&mut m, 3, &symbols);
    commit(w, m)?;
    Ok(clipped)
}

pub fn terngrad_decode(
    r: &mut BitReader<'_>,
    code: ScalarCode,
    out: &mut [f64],
) -> Result<(), QuantError> {
    r.ensure_available(code.bits() + len(3, out.len()))?;
    let s = code.decode(r)?;
    if s < 0.0 {
        return Err(QuantError::Corrupt("negative scale".into()));
    }
    let symbols = unpack(r, 3, out.len())?;
    for (o, sym) in out.iter_mut().zip(symbols) {
        *o = [-s, 0.0, s][sym as usize];
    }
    Ok(())
}

pub fn dithering_encode(
    y: &[f64],
    s: u32,
    p: f64,
    code: ScalarCode,
    rng: &mut dyn RngCore,
    w: &mut BitWriter,
) -> Encoded {
    validate(y, y.len())?;
    let mut u = Uniforms::new(rng);
    let norm = lp(y, p);
    let sent = code.round(norm, u.unit_f64())?;
    let mut m = scratch();
    code.write(&mut m, sent)?;
    let mut symbols = Vec::new();
    for &v in y {
        let idx = round_dyadic(s, ratio(v.abs(), norm), u.unit_f64());
        symbols.push(symbol(s, idx, v < 0.0));
    }
    pack(&mut m, 2 * u64::from(s) + 1, &symbols);
    commit(w, m)
}

pub fn dithering_decode(
    r: &mut BitReader<'_>,
    s: u32,
    code: ScalarCode,
    out: &mut [f64],
) -> Result<(), QuantError> {
    let n = 2 * u64::from(s) + 1;
    r.ensure_available(code.bits() + len(n, out.len()))?;
    let norm = code.decode(r)?;
    if norm < 0.0 {
        return Err(QuantError::Corrupt("negative norm".into()));
    }
    let symbols = unpack(r, n, out.len())?;
    for (o, sym) in out.iter_mut().zip(symbols) {
        *o = norm * signed_level(s, sym, |idx| dyadic_level(s, idx));
    }
    Ok(())
}

/// Rand-k's public selection, drawn with `rand`'s own index sampler.
pub fn rand_k_selection(state: &PublicState<'_>, d: usize, k: usize) -> Vec<usize> {
    rand::seq::index::sample(&mut state.coins(Purpose::Selection), d, k).into_vec()
}

pub fn rand_k_encode(
    y: &[f64],
    k: usize,
    code: ScalarCode,
    state: &PublicState<'_>,
    rng: &mut dyn RngCore,
    w: &mut BitWriter,
) -> Encoded {
    validate(y, y.len())?;
    let d = y.len();
    let factor = d as f64 / k as f64;
    let mut u = Uniforms::new(rng);
    let mut values = Vec::new();
    for i in rand_k_selection(state, d, k) {
        let v = y[i];
        if !(factor * v).is_finite() {
            return Err(QuantError::OutOfRange {
                what: "overflow".into(),
            });
        }
        values.push(code.round(v, u.unit_f64())?);
    }
    let mut m = scratch();
    for v in values {
        code.write(&mut m, v)?;
    }
    commit(w, m)
}

pub fn rand_k_decode(
    r: &mut BitReader<'_>,
    k: usize,
    code: ScalarCode,
    state: &PublicState<'_>,
    out: &mut [f64],
) -> Result<(), QuantError> {
    let d = out.len();
    let factor = d as f64 / k as f64;
    r.ensure_available(k * code.bits())?;
    out.fill(0.0);
    for i in rand_k_selection(state, d, k) {
        let v = code.decode(r)?;
        out[i] = factor * v;
        if !out[i].is_finite() {
            return Err(QuantError::Corrupt("overflow".into()));
        }
    }
    Ok(())
}
