//! Low-precision floating-point formats as quantizers: FP16, BF16, FP8 (E4M3, E5M2), MXFP4, NVFP4.
//!
//! A floating-point format with `E` exponent bits, `M` mantissa bits and bias `b` represents
//! `(-1)^s 2^(e-b) (1 + m/2^M)` (normal) and `(-1)^s 2^(1-b) m/2^M` (subnormal); see
//! [`Minifloat`]. Casting a gradient `y in R^d` coordinate-wise gives `Q(y)_i = fl(y_i)`:
//!
//! | scheme | code per coordinate | scale | bits per message |
//! |---|---|---|---|
//! | [`FloatCast::fp16`], [`FloatCast::bf16`] | E5M10, E8M7 | none | `16d` |
//! | [`FloatCast::e4m3`], [`FloatCast::e5m2`] | E4M3 (max 448), E5M2 (max 57344) | none | `8d` |
//! | [`Mxfp4`] | E2M1 (max 6) | E8M0 `2^k` per 32 | `4d + 8 ceil(d/32)` |
//! | [`Nvfp4`] | E2M1 | E4M3 per 16, `f32` per tensor | `4d + 8 ceil(d/16) + 32` |
//!
//! `fl` is one of two [`Rounding`] rules. For `a <= |v| <= b` adjacent in the format,
//! **nearest-even** is deterministic with `|fl(v) - v| <= (b - a)/2` (relative `2^-(M+1)` for
//! normals): biased. **Stochastic rounding** returns `b` with probability `(|v| - a)/(b - a)`:
//! `E fl(v) = v` and `E(fl(v) - v)^2 = (|v| - a)(b - |v|)`, provided nothing is clipped.
//! Values beyond the largest finite magnitude follow the [`Overflow`] mode: saturate to `±max`
//! (documented clipping, counted in [`EncodeStats::clipped`](crate::EncodeStats::clipped)) or
//! refuse with [`QuantError::OutOfRange`](crate::QuantError::OutOfRange), since the format would
//! carry NaN or Inf. The block formats always saturate their E2M1 elements; whether stochastic
//! rounding stays unbiased then depends on the scale rule ([`MxScaleRule`], [`NvScaleRule`]).
//!
//! Every scheme states [`VarianceBound::InputDependent`](crate::VarianceBound::InputDependent)
//! and computes `E||Q(y) - y||^2` exactly in [`Quantizer::mse_bound`](crate::Quantizer::mse_bound)
//! as the sum of the per-coordinate terms above. A decoder that meets a NaN or infinity code,
//! a NaN E8M0 scale or an impossible block or tensor scale (a corrupted message) returns
//! [`QuantError::Corrupt`](crate::QuantError::Corrupt), never a NaN.
//!
//! **Speed.** The quantizers convert on the bits of the input rather than through the
//! per-value engine: nearest-even by the hardware's own rounding of `|v| + c` in branch-free,
//! vectorised loops, stochastic rounding with one buffered random word per coordinate off the
//! grid, codes moved to and from the bit stream a 64-bit word at a time. Every fast path is
//! bit-identical to the [`Minifloat`] engine, which remains the reference (and the path for
//! the rare values and formats the bit constants cannot express); the messages of every scheme
//! are pinned for fixed seeds in the tests.
//!
//! ```
//! use bitcodec::BitWriter;
//! use quantizers::formats::{FloatCast, MxScaleRule, Mxfp4, Overflow, Rounding};
//! use quantizers::{check, PublicState, Quantizer};
//!
//! let y: Vec<f64> = (0..64).map(|i| ((i * 37 % 64) as f64 - 31.5) / 8.0).collect();
//!
//! // FP8 E4M3 with stochastic rounding: 8 bits per coordinate, unbiased inside [-448, 448].
//! let fp8 = FloatCast::e4m3(64, Rounding::Stochastic, Overflow::NonSaturating)?;
//! let state = PublicState::new(11);
//! let mut w = BitWriter::with_capacity(fp8.bit_cost().max_bits().unwrap_or(0));
//! fp8.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
//! assert_eq!(w.len(), 8 * 64);
//!
//! // MXFP4 with the 3/4-headroom scale: 4.25 bits per coordinate, and still unbiased.
//! let mx = Mxfp4::new(64, Rounding::Stochastic, MxScaleRule::FloorHeadroom)?;
//! assert_eq!(mx.bit_cost().exact(), Some(4 * 64 + 8 * 2));
//! let m = check::measure(&mx, (&y).into(), 2000, 5)?;
//! m.assert_bits_match_cost(&mx).expect("exact bits");
//! m.assert_unbiased(5.0).expect("unbiased");
//! m.assert_within_stated_mse(&mx, 5.0).expect("variance as stated");
//! # Ok::<(), quantizers::QuantError>(())
//! ```

mod bit_rounding;
mod decode_table;
mod e8m0;
mod float_bits;
pub(crate) use float_bits::FloatBits;
mod float_cast;
mod minifloat;
mod mxfp4;
mod nvfp4;
mod overflow;
mod packing;
mod rounding;

pub use decode_table::DecodeTable;
pub use e8m0::E8m0;
pub use float_cast::FloatCast;
pub use minifloat::{Encoded, Minifloat, NanEncoding};
pub use mxfp4::{MX_BLOCK, MxScaleRule, Mxfp4};
pub use nvfp4::{NV_BLOCK, NvScaleRule, Nvfp4};
pub use overflow::Overflow;
pub use rounding::Rounding;
