//! [`Unquantized`]: every coordinate as a 64-bit float. The exact reference pathway.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::quantizer::check_output;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound};

/// Sends each coordinate as its IEEE-754 binary64 bit pattern: `64 d` bits, `Q(y) = y`
/// exactly (`f32` input is widened exactly). The baseline against which every lossy
/// scheme is measured.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, Unquantized};
/// let q = Unquantized::new(2)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(128);
/// q.encode((&[1.5f64, -0.25]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 2];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert_eq!(out, [1.5, -0.25]);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unquantized {
    dim: usize,
}

impl Unquantized {
    /// A pathway for vectors of dimension `dim >= 1`.
    pub fn new(dim: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        Ok(Self { dim })
    }
}

impl Quantizer for Unquantized {
    fn name(&self) -> String {
        "unquantized(f64)".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(64 * self.dim)
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::Absolute { mse: 0.0 }
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        out.ensure_room(64 * self.dim)?;
        let start = out.len();
        match input {
            Input::F32(x) => {
                for &v in x {
                    out.write_bits(f64::from(v).to_bits(), 64)?;
                }
            }
            Input::F64(x) => {
                for &v in x {
                    out.write_bits(v.to_bits(), 64)?;
                }
            }
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
        bits.ensure_available(64 * self.dim)?;
        for o in out.iter_mut() {
            let v = f64::from_bits(bits.read_bits(64)?);
            if !v.is_finite() {
                return Err(QuantError::Corrupt("non-finite float in message".into()));
            }
            *o = v;
        }
        Ok(())
    }
}
