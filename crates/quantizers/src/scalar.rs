//! [`ScalarCode`]: how a real scalar (a norm, a scale, a gain) travels inside a message.
//!
//! Many schemes send one or a few reals beside their symbols (QSGD's `||v||`, TernGrad's
//! `max|g|`, rand-k's kept values). Sending them as `f32` with round-to-nearest would bias
//! an otherwise unbiased scheme by up to `2^-24` relative; stochastic rounding between the
//! two neighbouring `f32` values keeps it exactly unbiased at the same 32 bits.

use bitcodec::{BitReader, BitWriter};

use crate::QuantError;

/// The wire format of a real scalar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ScalarCode {
    /// IEEE binary32, round to nearest even (32 bits; relative error at most `2^-24`).
    F32Nearest,
    /// IEEE binary32, stochastic rounding between the neighbouring values (32 bits; unbiased).
    #[default]
    F32Stochastic,
    /// IEEE binary64 (64 bits; exact).
    F64,
}

impl ScalarCode {
    /// Bits per scalar.
    pub fn bits(self) -> usize {
        match self {
            ScalarCode::F32Nearest | ScalarCode::F32Stochastic => 32,
            ScalarCode::F64 => 64,
        }
    }

    /// The value the decoder will see for `v`, using uniform `u in [0, 1)` for stochastic
    /// rounding. Errors if `v` is not finite or overflows `f32`.
    pub fn round(self, v: f64, u: f64) -> Result<f64, QuantError> {
        if !v.is_finite() {
            return Err(QuantError::OutOfRange {
                what: format!("scalar {v} is not finite"),
            });
        }
        match self {
            ScalarCode::F64 => Ok(v),
            ScalarCode::F32Nearest => {
                let r = v as f32;
                if r.is_finite() {
                    Ok(f64::from(r))
                } else {
                    Err(QuantError::OutOfRange {
                        what: format!("scalar {v} overflows f32"),
                    })
                }
            }
            ScalarCode::F32Stochastic => {
                let near = v as f32;
                if !near.is_finite() {
                    return Err(QuantError::OutOfRange {
                        what: format!("scalar {v} overflows f32"),
                    });
                }
                let n = f64::from(near);
                if n == v {
                    return Ok(v);
                }
                let (lo, hi) = if n < v {
                    (n, f64::from(near.next_up()))
                } else {
                    (f64::from(near.next_down()), n)
                };
                if !(lo.is_finite() && hi.is_finite()) {
                    return Err(QuantError::OutOfRange {
                        what: format!("scalar {v} at the edge of f32"),
                    });
                }
                // Exactly unbiased: E = lo + (hi - lo) * P(u < p) = v.
                let p = (v - lo) / (hi - lo);
                Ok(if u < p { hi } else { lo })
            }
        }
    }

    /// Writes `v`, which must be a value this code represents exactly (the output of
    /// [`ScalarCode::round`]).
    pub fn write(self, w: &mut BitWriter, v: f64) -> Result<(), QuantError> {
        match self {
            ScalarCode::F64 => w.write_bits(v.to_bits(), 64)?,
            ScalarCode::F32Nearest | ScalarCode::F32Stochastic => {
                w.write_bits(u64::from((v as f32).to_bits()), 32)?
            }
        }
        Ok(())
    }

    /// Rounds `v` and writes it; returns the value the decoder will see.
    pub fn encode(self, w: &mut BitWriter, v: f64, u: f64) -> Result<f64, QuantError> {
        let r = self.round(v, u)?;
        self.write(w, r)?;
        Ok(r)
    }

    /// Reads one scalar. A NaN or infinite pattern (only a corrupted message has one) is an error.
    pub fn decode(self, r: &mut BitReader<'_>) -> Result<f64, QuantError> {
        let v = match self {
            ScalarCode::F64 => f64::from_bits(r.read_bits(64)?),
            ScalarCode::F32Nearest | ScalarCode::F32Stochastic => {
                f64::from(f32::from_bits(r.read_bits(32)? as u32))
            }
        };
        if v.is_finite() {
            Ok(v)
        } else {
            Err(QuantError::Corrupt("non-finite scalar in message".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stochastic_f32_rounding_is_unbiased_between_neighbours() {
        let v = 0.1f64; // not representable in f32
        let near = v as f32;
        let (lo, hi) = if f64::from(near) < v {
            (f64::from(near), f64::from(near.next_up()))
        } else {
            (f64::from(near.next_down()), f64::from(near))
        };
        let p = (v - lo) / (hi - lo);
        // Average over a fine uniform grid of u: the mean equals v up to the grid's resolution.
        let n = 1_000_000;
        let mean: f64 = (0..n)
            .map(|i| {
                ScalarCode::F32Stochastic
                    .round(v, (i as f64 + 0.5) / n as f64)
                    .unwrap()
            })
            .sum::<f64>()
            / n as f64;
        assert!((mean - v).abs() <= (hi - lo) / n as f64 * 2.0, "p = {p}");
    }

    #[test]
    fn exact_values_pass_unchanged_and_round_trip() {
        let mut w = BitWriter::new();
        let r = ScalarCode::F32Stochastic.encode(&mut w, 1.5, 0.3).unwrap();
        assert_eq!(r, 1.5);
        assert_eq!(w.len(), 32);
        let msg = w.finish();
        assert_eq!(
            ScalarCode::F32Stochastic.decode(&mut msg.reader()).unwrap(),
            1.5
        );
    }

    #[test]
    fn overflow_and_nan_are_errors() {
        assert!(ScalarCode::F32Nearest.round(1e300, 0.0).is_err());
        assert!(ScalarCode::F32Stochastic.round(f64::NAN, 0.0).is_err());
        let msg = bitcodec::BitString::from_words(vec![u64::from(f32::NAN.to_bits())], 32).unwrap();
        assert!(ScalarCode::F32Nearest.decode(&mut msg.reader()).is_err());
    }
}
