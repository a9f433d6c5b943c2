//! The [`Quantizer`] trait and the statements every scheme makes about itself.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::{Input, PublicState, QuantError};

/// How many bits a scheme's messages take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitCost {
    /// Every message has exactly this many bits.
    Exact(usize),
    /// Messages vary with the input but never exceed this many bits.
    AtMost(usize),
    /// Messages vary with the input without an a-priori cap (e.g. Elias-coded QSGD);
    /// the scheme documents its length formula, and the round loop's budget is the cap.
    Variable,
}

impl BitCost {
    /// The largest possible message, if bounded.
    pub fn max_bits(&self) -> Option<usize> {
        match *self {
            BitCost::Exact(n) | BitCost::AtMost(n) => Some(n),
            BitCost::Variable => None,
        }
    }

    /// The exact length, if every message has the same one.
    pub fn exact(&self) -> Option<usize> {
        match *self {
            BitCost::Exact(n) => Some(n),
            _ => None,
        }
    }
}

/// Whether `E[Q(y) | y] = y`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bias {
    /// Unbiased for every admissible input (inside the scheme's declared range).
    Unbiased,
    /// Biased; the text says how (and the scheme's tests measure it).
    Biased(&'static str),
}

impl Bias {
    /// Whether the scheme is unbiased.
    pub fn is_unbiased(&self) -> bool {
        matches!(self, Bias::Unbiased)
    }
}

/// A scheme's stated bound on its mean squared error `E||Q(y) - y||^2`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum VarianceBound {
    /// Unbiased compressor class: `E||Q(y) - y||^2 <= omega ||y||^2`.
    Relative {
        /// The variance parameter `omega`.
        omega: f64,
    },
    /// Contractive compressor class: `E||Q(y) - y||^2 <= (1 - alpha) ||y||^2`.
    Contractive {
        /// The contraction parameter `alpha` in `(0, 1]`.
        alpha: f64,
    },
    /// `E||Q(y) - y||^2 <= mse` for every admissible input.
    Absolute {
        /// The bound.
        mse: f64,
    },
    /// The SimQ paper's `alpha_0`: `sqrt(E||Q(y)||^2) <= alpha_0` for admissible input; for an
    /// unbiased scheme this is `E||Q(y) - y||^2 <= alpha_0^2 - ||y||^2`.
    Alpha0 {
        /// The bound `alpha_0`.
        alpha0: f64,
    },
    /// The bound depends on the input in a way [`Quantizer::mse_bound`] computes.
    InputDependent,
    /// The scheme states no bound (formats with round-to-nearest, for instance, document
    /// their relative error instead).
    Unstated,
}

impl VarianceBound {
    /// The bound on `E||Q(y) - y||^2` for this input, where the class gives one directly.
    pub fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let norm2: f64 = y.iter().map(|v| v * v).sum();
        match *self {
            VarianceBound::Relative { omega } => Some(omega * norm2),
            VarianceBound::Contractive { alpha } => Some((1.0 - alpha) * norm2),
            VarianceBound::Absolute { mse } => Some(mse),
            VarianceBound::Alpha0 { alpha0 } => Some((alpha0 * alpha0 - norm2).max(0.0)),
            VarianceBound::InputDependent | VarianceBound::Unstated => None,
        }
    }
}

/// What an encoder reports about the message it wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EncodeStats {
    /// Bits written.
    pub bits: usize,
    /// Coordinates clipped to the scheme's range (only schemes documented as clipping
    /// ever clip; the rest return [`QuantError::OutOfRange`] instead).
    pub clipped: usize,
}

/// A gradient quantizer: an encoder that writes real bits and a decoder that reads them.
///
/// The contract:
/// - `encode` sees the input, the [`PublicState`] (with its public coins) and the
///   encoder's private randomness, and appends one message to the writer. The writer's
///   capacity is the round's budget: a message that does not fit is an error, and the
///   writer is left as it was.
/// - `decode` sees **only** the bits, the same public state and the same public coins,
///   and writes `dim()` values into `out`. It never sees the input: that is what makes
///   the bit count honest.
/// - The scheme states its [`BitCost`], its [`Bias`] and its [`VarianceBound`]; the tests
///   of every scheme check all three statistically.
/// - Bad input (NaN, infinities, wrong dimension, out-of-range values for ranged schemes)
///   and corrupted or truncated messages return a [`QuantError`], never a panic.
///
/// The trait is object safe, so schemes can be chosen at run time (`Box<dyn Quantizer>`).
pub trait Quantizer: Send + Sync + std::fmt::Debug {
    /// A short name with the parameters, for reports (e.g. `"qsgd(s=1)"`).
    fn name(&self) -> String;

    /// The dimension of the vectors this quantizer encodes.
    fn dim(&self) -> usize;

    /// How many bits a message takes.
    fn bit_cost(&self) -> BitCost;

    /// Whether the scheme is unbiased.
    fn bias(&self) -> Bias;

    /// The stated bound on the mean squared error.
    fn variance(&self) -> VarianceBound;

    /// The bound on `E||Q(y) - y||^2` for this input (`None` when none is stated).
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        self.variance().mse_bound(y)
    }

    /// The bound for this input under this public state, for schemes whose bound moves with
    /// the round or the centre (a dynamic range, an adaptive threshold). Defaults to
    /// [`Quantizer::mse_bound`].
    fn mse_bound_at(&self, y: &[f64], state: &PublicState<'_>) -> Option<f64> {
        let _ = state;
        self.mse_bound(y)
    }

    /// The coordinates this round's message describes, in increasing order, when it describes only
    /// some of them (a public function of the round and the public coins); `None` means all.
    /// Decoders leave the other coordinates of `out` at the centre value (0 without a centre).
    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        let _ = state;
        None
    }

    /// The source paper's formula for the message length, when it has one (papers often
    /// charge `log2(2d + 1)` without a ceiling, or `log2(k + 1)` per coordinate for a
    /// `k`-point grid); tests compare it with the bits actually written.
    fn paper_bits(&self) -> Option<f64> {
        None
    }

    /// Appends one message for `input` to `out`.
    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError>;

    /// Reads one message and writes the decoded vector into `out` (length `dim()`).
    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError>;
}

/// Checks that an output buffer has the quantizer's dimension.
pub fn check_output(dim: usize, out: &[f64]) -> Result<(), QuantError> {
    if out.len() == dim {
        Ok(())
    } else {
        Err(QuantError::DimensionMismatch {
            expected: dim,
            got: out.len(),
        })
    }
}
