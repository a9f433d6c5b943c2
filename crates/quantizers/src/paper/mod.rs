//! The quantizers of the source papers: SimQ, SimQ+, CUQ, RATQ, the split quantizer for
//! `p in [1, 2)`, gain–shape composition with uniform or AGUQ gains, and the additive
//! (integer) quantizer.
//!
//! Mayekar & Tyagi (arXiv 2001.09032) ask how many bits `r` a stochastic gradient `Y` with
//! `||Y||_q <= B` almost surely (`q = p/(p-1)`, the dual of the `l_p` geometry) may be
//! compressed to without slowing stochastic optimization. For an **unbiased** quantizer `Q`
//! the rate is governed by
//!
//! ```text
//! alpha_0(Q; p) = sup sqrt(E||Q(Y)||_2^2)   (p >= 2),     sup sqrt(E||Q(Y)||_q^2)   (p < 2),
//! ```
//!
//! and the classical rate is kept when `alpha_0 = O(B)` (Theorem 2.3). Their quantizers
//! achieve this with (Theorem 3.1)
//!
//! | scheme | input | bits (paper) | `alpha_0` |
//! |---|---|---|---|
//! | [`SimQ`] (`p = inf`) | `‖Y‖_1 <= B` | `log2(2d + 1)` | `B` |
//! | [`SimQPlus`] (`p >= 2`), `k` reps | `‖Y‖_q <= B` | `k log2 e + k log2(d/k + 1) + k` | `sqrt(B^2 d^{2/p}/k + B^2)` |
//! | [`SplitLp`] (`p in [1, 2)`) | `‖Y‖_q <= B` | `d(ceil(log2(2 sqrt2 Δ1^{1/q} + 2)) + 3) + Δ2` | `sqrt(12) B` (`l_q`) |
//!
//! built from [`Cuq`] (coordinate-wise uniform, `d log2(k + 1)` bits) and [`Ratq`] (random
//! Hadamard rotation [`RandomRotation`] + adaptive ranges [`RangeTable`], from their earlier
//! paper arXiv 1908.08200). For oracles bounded only in mean square, [`GainShape`] sends
//! `||Y||` with a [`GainQuantizer`] ([`UniformGain`] or [`Aguq`]) and `Y/||Y||` with a shape
//! quantizer. [`AdditiveQuantizer`] is the INT-b model of arXiv 2510.18259. For inputs that may
//! leave the ball (Gaussian gradients), [`NormClip`] projects them onto it before encoding and
//! counts every clip.
//!
//! Every scheme writes the bits it actually needs and reports the paper's count through
//! [`Quantizer::paper_bits`](crate::Quantizer::paper_bits): the papers charge
//! `log2(k + 1)` per coordinate for a `k`-point grid and omit ceilings. Where a formula is a
//! reconstruction (RATQ's ranges, AGUQ) the docs say so and the constants sit in one place
//! ([`RangeTable`] and [`RatqParameters`], [`Aguq`]).
//!
//! ```
//! use bitcodec::BitWriter;
//! use quantizers::{check, PublicState, Quantizer};
//! use quantizers::paper::SimQ;
//!
//! let q = SimQ::new(8, 1.0)?; // 4 bits: ceil(log2 17)
//! let y = [0.25f64, -0.125, 0.0, 0.0, 0.125, 0.0, 0.0, 0.25];
//! let m = check::measure(&q, (&y).into(), 2000, 1)?;
//! m.assert_bits_match_cost(&q).unwrap();
//! m.assert_unbiased(5.0).unwrap();
//! m.assert_within_stated_mse(&q, 5.0).unwrap(); // B ||y||_1 - ||y||_2^2
//! # Ok::<(), quantizers::QuantError>(())
//! ```

mod additive;
mod aguq;
mod cuq;
mod gain;
mod gain_shape;
mod grid_rounding;
mod hadamard;
mod level_table;
mod norm_clip;
mod norms;
mod range_table;
mod ratq;
mod simq;
mod simq_plus;
mod split_lp;
mod symbols;
mod type_code;
mod word_block;

pub use additive::{AdditiveQuantizer, MAX_INT_BITS};
pub use aguq::Aguq;
pub use cuq::Cuq;
pub use gain::{GainQuantizer, UniformGain};
pub use gain_shape::GainShape;
pub use hadamard::{RandomRotation, fwht};
pub use norm_clip::NormClip;
pub use norms::{MAX_DIM, NORM_SLACK};
pub use range_table::{MAX_RANGES, RangeTable, RatqParameters, e_tetration, ln_star};
pub use ratq::Ratq;
pub use simq::SimQ;
pub use simq_plus::SimQPlus;
pub use split_lp::SplitLp;
pub use type_code::EXACT_TYPE_BITS;
