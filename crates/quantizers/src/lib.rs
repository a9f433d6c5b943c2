//! # quantizers — bit-exact gradient quantizers
//!
//! A quantizer turns a gradient $`Y \in \mathbb{R}^d`$ into a message of bits and back into an
//! estimate $`Q(Y)`$. In lowbit the message is a real bit string ([`bitcodec`]): the encoder
//! sees $`Y`$, the [`PublicState`] (public seed, round, worker, and for adaptive schemes the
//! public centre) and its own private randomness; the decoder sees **only the bits and the
//! public state**, never the encoder's floats. That is what makes a bit count honest.
//!
//! Every scheme implements [`Quantizer`] and states three things, which its tests check:
//!
//! - its **bit cost** ([`BitCost`]): exact, capped, or variable with a documented formula, and
//!   the source paper's own count ([`Quantizer::paper_bits`]) where there is one;
//! - its **bias** ([`Bias`]): unbiased, $`\mathbb{E}[Q(Y)\mid Y] = Y`$, or a described bias;
//! - its **variance** ([`VarianceBound`]), one of the standard forms
//!
//! ```math
//! \mathbb{E}\|Q(Y)-Y\|_2^2 \le \omega \|Y\|_2^2 \;\text{(unbiased)},\qquad
//! \mathbb{E}\|Q(Y)-Y\|_2^2 \le (1-\alpha)\|Y\|_2^2 \;\text{(contractive)},\qquad
//! \alpha_0 = \sup_Y \sqrt{\mathbb{E}\|Q(Y)\|_2^2} \;\text{(Mayekar–Tyagi)},
//! ```
//!
//!   or an input-dependent bound computed by [`Quantizer::mse_bound`].
//!
//! ## The schemes
//!
//! | family | module | schemes |
//! |---|---|---|
//! | source papers | [`paper`] | [`SimQ`], [`SimQPlus`], [`Cuq`], [`Ratq`], [`SplitLp`], [`GainShape`] with [`UniformGain`] or [`Aguq`], [`AdditiveQuantizer`]; and [`DynamicRangeQuantizer`] (DQ-GD) |
//! | adaptive (Gaussian mean estimation) | [`adaptive`] | [`RoundRobinRange`], [`AdaptiveSign`], [`AdaptiveMultiBit`], [`AdaptiveScheme`] |
//! | baselines | [`baselines`] | [`Qsgd`], [`Sign`], [`ScaledSign`], [`TernGrad`], [`TopK`], [`RandK`], [`PermK`], [`NaturalCompression`], [`NaturalDithering`] |
//! | low-precision formats | [`formats`] | [`FloatCast`] (FP16, BF16, FP8 E4M3/E5M2), [`Mxfp4`], [`Nvfp4`], and [`Multiplicative`] |
//! | reference | | [`Unquantized`] (64 bits per coordinate, exact) |
//!
//! Each family module opens with a table of its schemes' bits, bias and variance in the
//! papers' notation.
//!
//! ## Contract
//!
//! - A message that does not fit the writer's capacity (the round's budget) is an error, and
//!   the writer is left as it was.
//! - NaN or infinite input, a wrong dimension, and input outside a ranged scheme's declared
//!   range are typed errors ([`QuantError`]); a scheme that clips is documented as clipping and
//!   counts it in [`EncodeStats::clipped`].
//! - Truncated or corrupted messages are errors or decode to another valid message; decoders
//!   never panic and never output NaN.
//! - Public coins are ChaCha8 streams keyed by (seed, round, worker, [`Purpose`]); they are
//!   never sent and never counted.
//!
//! The [`check`] module measures bits, bias and variance statistically with fixed seeds and
//! tolerances in standard errors; every scheme's tests use it, and so can authors of new
//! schemes. `tests/contract.rs` runs the contract above on every scheme.
//!
//! ```
//! use bitcodec::BitWriter;
//! use quantizers::{check, PublicState, Quantizer, Qsgd};
//!
//! let q = Qsgd::new(16, 2)?; // QSGD with s = 2 levels: unbiased, omega = min(d/s^2, sqrt(d)/s)
//! let y: Vec<f32> = (0..16).map(|i| (i as f32 - 7.5) / 4.0).collect();
//!
//! // One message: the encoder writes under the budget, the decoder reads bits only.
//! let state = PublicState::new(1).with_round(0);
//! let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap_or(usize::MAX));
//! q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
//! let msg = w.finish();
//! let mut y_hat = [0.0; 16];
//! q.decode(&mut msg.reader(), &state, &mut y_hat)?;
//!
//! // Many messages: exact bits, unbiasedness and the variance bound, measured.
//! let m = check::measure(&q, (&y).into(), 4000, 7)?;
//! m.assert_bits_match_cost(&q).unwrap();
//! m.assert_unbiased(5.0).unwrap();
//! m.assert_within_stated_mse(&q, 5.0).unwrap();
//! # Ok::<(), quantizers::QuantError>(())
//! ```

pub mod adaptive;
pub mod baselines;
pub mod check;
mod dynamic_range;
mod error;
pub mod formats;
pub mod grid;
mod input;
mod multiplicative;
pub mod paper;
mod public;
mod quantizer;
pub mod random;
mod scalar;
mod unquantized;

pub use adaptive::{AdaptiveMultiBit, AdaptiveScheme, AdaptiveSign, RoundRobinRange};
pub use baselines::{
    NaturalCompression, NaturalDithering, PermK, Qsgd, QsgdCoding, RandK, ScaledSign, Sign,
    TernGrad, TopK,
};
pub use dynamic_range::{DynamicRangeQuantizer, MAX_RATE, Overload, RangeSchedule};
pub use error::QuantError;
pub use formats::{FloatCast, Mxfp4, Nvfp4};
pub use input::{Input, Scalar, first_non_finite};
pub use multiplicative::Multiplicative;
pub use paper::{
    AdditiveQuantizer, Aguq, Cuq, GainQuantizer, GainShape, NormClip, RangeTable, Ratq, SimQ,
    SimQPlus, SplitLp, UniformGain,
};
pub use public::{PublicState, Purpose, splitmix64};
pub use quantizer::{Bias, BitCost, EncodeStats, Quantizer, VarianceBound, check_output};
pub use scalar::ScalarCode;
pub use unquantized::Unquantized;
