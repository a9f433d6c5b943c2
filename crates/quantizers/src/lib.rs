//! # quantizers — bit-exact gradient quantizers
//!
//! A quantizer turns a gradient `Y in R^d` into a message of bits and back into an estimate
//! `Q(Y)`. In lowbit the message is a real bit string ([`bitcodec`]), and the decoder sees
//! only the bits, the public coins and the public state, never the encoder's floats.
//!
//! Every scheme implements [`Quantizer`] and states
//! - its **bit cost** ([`BitCost`]): exact, capped, or variable with a documented formula;
//! - its **bias** ([`Bias`]): `E[Q(Y) | Y] = Y` or a described bias;
//! - its **variance** ([`VarianceBound`]): `omega` with `E||Q(Y) - Y||^2 <= omega ||Y||^2`,
//!   a contraction `alpha`, an absolute bound, or the SimQ paper's
//!   `alpha_0 = sup sqrt(E||Q(Y)||^2)`.
//!
//! The [`check`] module measures all three statistically; every scheme's tests use it.
//!
//! ```
//! use bitcodec::BitWriter;
//! use quantizers::{check, PublicState, Quantizer, Unquantized};
//!
//! let q = Unquantized::new(4)?;
//! let y = [0.5f32, -1.0, 2.0, 0.0];
//! let state = PublicState::new(1); // public seed, round 0
//! let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
//! q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
//! let msg = w.finish();
//! let mut yhat = [0.0; 4];
//! q.decode(&mut msg.reader(), &state, &mut yhat)?;
//! assert_eq!(yhat, [0.5, -1.0, 2.0, 0.0]);
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
