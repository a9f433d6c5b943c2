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
use rand::RngCore;

use crate::quantizer::check_output;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// Writes bit `i` = `v_i < 0` for every coordinate, 64 to a word.
pub(crate) fn write_signs<T: Scalar>(x: &[T], out: &mut BitWriter) -> Result<(), QuantError> {
    for chunk in x.chunks(64) {
        let word = chunk
            .iter()
            .enumerate()
            .fold(0u64, |w, (j, v)| w | (u64::from(v.to_f64() < 0.0) << j));
        out.write_bits(word, chunk.len() as u32)?;
    }
    Ok(())
}

/// Reads one sign bit per output coordinate and writes `-magnitude` or `+magnitude`.
pub(crate) fn read_signs(
    bits: &mut BitReader<'_>,
    magnitude: f64,
    out: &mut [f64],
) -> Result<(), QuantError> {
    for chunk in out.chunks_mut(64) {
        let word = bits.read_bits(chunk.len() as u32)?;
        for (j, o) in chunk.iter_mut().enumerate() {
            *o = if (word >> j) & 1 == 1 {
                -magnitude
            } else {
                magnitude
            };
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
        input.validate(self.dim)?;
        out.ensure_room(self.dim)?;
        let start = out.len();
        match input {
            Input::F32(x) => write_signs(x, out)?,
            Input::F64(x) => write_signs(x, out)?,
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
        bits.ensure_available(self.dim)?;
        read_signs(bits, 1.0, out)
    }
}
