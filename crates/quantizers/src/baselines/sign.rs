//! signSGD's compressor: one bit per coordinate (Bernstein, Wang, Azizzadenesheli &
//! Anandkumar, ICML 2018, arXiv 1802.04434).
//!
//! `C(v) = sign(v) in {-1, +1}^d`, with the convention `sign(0) = +1` (for `-0.0` too: the
//! bit is `v_i < 0`). The output is **scale-free** (it does not depend on `||v||`) and
//! **biased**: `E C(v) = sign(v) != v`, and the error is the deterministic
//! `||sign(v) - v||^2 = sum_i (1 - |v_i|)^2`, which no multiple of `||v||^2` bounds. signSGD
//! pairs it with a step size that carries the scale; [`super::ScaledSign`] carries it in the
//! message instead.
//!
//! In code: [`Sign`], exactly `d` bits, bit `i` set when `v_i < 0`.

use bitcodec::{BitReader, BitWriter};
use multiversion::multiversion;
use rand::RngCore;

use super::scan::{self, ScanFloat};
use crate::quantizer::check_output;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound,
    first_non_finite,
};

/// Sign words per block of the loops below: 4096 coordinates, 512 bytes on the stack.
const BLOCK_WORDS: usize = 64;

/// The error for input `x` known to hold a NaN or an infinity.
pub(crate) fn non_finite<T: ScanFloat>(x: &[T]) -> QuantError {
    QuantError::NonFinite {
        index: first_non_finite(x).unwrap_or(0),
    }
}

/// The error for a message of `bits` that does not fit `out`, or for non-finite input if
/// `x` has some (validation comes first, as in [`Input::validate`]).
pub(crate) fn refuse<T: ScanFloat>(x: &[T], out: &BitWriter, bits: usize) -> QuantError {
    match out.ensure_room(bits) {
        Err(e) if first_non_finite(x).is_none() => e.into(),
        _ => non_finite(x),
    }
}

/// Writes bit `i` = `x_i < 0` for every coordinate (the bits of `write_bits` 64 at a time), a
/// block of words at a time. Checks finiteness on the way: on a NaN or an infinity the
/// message is put back as it was and the first such coordinate is the error. The caller has
/// checked the room.
pub(crate) fn write_signs<T: ScanFloat>(x: &[T], out: &mut BitWriter) -> Result<(), QuantError> {
    let start = out.len();
    let mut words = [0u64; BLOCK_WORDS];
    for block in x.chunks(64 * BLOCK_WORDS) {
        let full = block.len() / 64;
        let mut flags = scan::sign_words(block, &mut words);
        let tail = block.get(full * 64..).unwrap_or(&[]);
        for &v in tail {
            flags = flags | v.nonfinite_flag();
        }
        if T::any_nonfinite(flags) {
            out.truncate(start);
            return Err(non_finite(x));
        }
        out.write_words(words.get(..full).unwrap_or(&[]))?;
        if !tail.is_empty() {
            out.write_bits(scan::sign_word(tail), tail.len() as u32)?;
        }
    }
    Ok(())
}

/// Reads one sign bit per output coordinate and writes `-magnitude` or `+magnitude`.
///
/// Each nibble of a word indexes a table of four outputs, built once per call: flipping the
/// sign bit of `magnitude` is exactly `-magnitude`.
pub(crate) fn read_signs(
    bits: &mut BitReader<'_>,
    magnitude: f64,
    out: &mut [f64],
) -> Result<(), QuantError> {
    bits.ensure_available(out.len())?;
    let m = magnitude.to_bits();
    let mut table = [[0.0f64; 4]; 16];
    for (nibble, entry) in table.iter_mut().enumerate() {
        for (j, e) in entry.iter_mut().enumerate() {
            *e = f64::from_bits(m ^ ((((nibble >> j) & 1) as u64) << 63));
        }
    }
    let mut words = [0u64; BLOCK_WORDS];
    for block in out.chunks_mut(64 * BLOCK_WORDS) {
        let full = block.len() / 64;
        let (whole, tail) = block.split_at_mut(full * 64);
        let words = words.get_mut(..full).unwrap_or(&mut []);
        bits.read_words(words)?;
        expand_signs(words, whole, &table);
        if !tail.is_empty() {
            let w = bits.read_bits(tail.len() as u32)?;
            for (j, o) in tail.iter_mut().enumerate() {
                *o = f64::from_bits(m ^ (((w >> j) & 1) << 63));
            }
        }
    }
    Ok(())
}

/// The sign compressor: `d` bits, output `sign(v) in {-1, +1}^d` with `sign(0) = +1`.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::Sign};
///
/// let q = Sign::new(4)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(4);
/// q.encode((&[0.3f32, -2.0, 0.0, -0.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 4];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert_eq!(out, [1.0, -1.0, 1.0, 1.0]);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sign {
    dim: usize,
}

impl Sign {
    /// The sign compressor for dimension `dim >= 1`.
    pub fn new(dim: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        Ok(Self { dim })
    }
}

impl Quantizer for Sign {
    fn name(&self) -> String {
        "sign".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.dim)
    }

    fn bias(&self) -> Bias {
        Bias::Biased("outputs sign(v) in {-1, +1}^d (sign(0) = +1): scale-free, E C(v) = sign(v)")
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The exact, deterministic error `sum_i (sign(y_i) - y_i)^2`.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        Some(
            y.iter()
                .map(|&v| {
                    let s = if v < 0.0 { -1.0 } else { 1.0 };
                    (s - v) * (s - v)
                })
                .sum(),
        )
    }

    fn paper_bits(&self) -> Option<f64> {
        Some(self.dim as f64)
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        if input.len() != self.dim {
            return Err(QuantError::DimensionMismatch {
                expected: self.dim,
                got: input.len(),
            });
        }
        let start = out.len();
        match input {
            Input::F32(x) => encode_signs(x, out)?,
            Input::F64(x) => encode_signs(x, out)?,
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        read_signs(bits, 1.0, out)
    }
}

/// Writes the 64 outputs of each sign word, four at a time from the nibble `table`. Also
/// compiled for AVX2 (copies only: the same outputs).
#[multiversion(targets("x86_64+avx512f+avx512bw+avx512vl+avx512dq", "x86_64+avx2"))]
fn expand_signs(words: &[u64], out: &mut [f64], table: &[[f64; 4]; 16]) {
    for (o, &w) in out.chunks_exact_mut(64).zip(words) {
        let (quads, _) = o.as_chunks_mut::<4>();
        for (k, q) in quads.iter_mut().enumerate() {
            *q = table[((w >> (4 * k)) & 15) as usize];
        }
    }
}

/// The sign message of `x`, validated while it is written.
fn encode_signs<T: ScanFloat>(x: &[T], out: &mut BitWriter) -> Result<(), QuantError> {
    if out.ensure_room(x.len()).is_err() {
        return Err(refuse(x, out, x.len()));
    }
    write_signs(x, out)
}
