//! [`NormClip`]: a documented, counted norm clip in front of a norm-bounded scheme.
//!
//! The schemes of Mayekar & Tyagi (arXiv 2001.09032) accept only inputs in a norm ball:
//! `||Y||_q <= B` for SimQ+ ([`SimQPlus`](crate::paper::SimQPlus)), `||Y||_2 <= B` for RATQ
//! ([`Ratq`](crate::paper::Ratq)), and refuse anything else with [`QuantError::OutOfRange`].
//! Gaussian gradients are unbounded, so a simulation with such a scheme must either size `B` for
//! the worst case (paying variance on every round) or clip the rare input outside the ball. The
//! wrapper does the latter, in the open:
//!
//! ```text
//! clip(y) = y                        if ||y||_q <= B
//!         = (B / ||y||_q) y          otherwise          (radial projection onto the ball)
//! Q(y)    = Q_inner(clip(y))
//! ```
//!
//! Each clipped message counts its nonzero coordinates (every one of them was changed) in
//! [`EncodeStats::clipped`], added to whatever the inner scheme reports. The decoder is the inner
//! decoder: the bits are the inner scheme's bits, nothing is added. For admissible inputs
//! (`||y||_q <= B`) the wrapper is the inner scheme exactly; a clipped input `y` gets
//! `E[Q(y)] = clip(y)` when the inner scheme is unbiased, a bias of `clip(y) - y` towards 0, and
//! `E||Q(y) - y||^2 = E||Q_inner(clip(y)) - clip(y)||^2 + ||clip(y) - y||^2` (the cross term
//! vanishes because the inner error has mean zero). [`Quantizer::mse_bound`] returns that; for a
//! biased inner scheme it states a bound only for admissible inputs.
//!
//! In code: [`NormClip::new`]`(inner, q, bound)`. Only a clipped encode allocates (one buffer of
//! `d` values for the rescaled input).

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::paper::norms::{NORM_SLACK, check_exponent, check_positive, lq_norm};
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound};

/// `Q_inner` applied to the radial projection of the input onto `{||y||_q <= B}`, with every clip
/// counted.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{NormClip, PublicState, Quantizer, Unquantized};
///
/// // Clip to the l2 ball of radius 5 in front of the exact pathway, to see the projection.
/// let q = NormClip::new(Unquantized::new(3)?, 2.0, 5.0)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::new();
/// let stats = q.encode((&[6.0f64, 8.0, 0.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(stats.clipped, 2); // ||y|| = 10 > 5: both nonzero coordinates rescaled
/// let mut out = [0.0; 3];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// assert_eq!(out, [3.0, 4.0, 0.0]);
/// // Inside the ball nothing changes and nothing is counted.
/// let mut w = BitWriter::new();
/// let stats = q.encode((&[3.0f64, 0.0, 4.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(stats.clipped, 0);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NormClip<Q> {
    inner: Q,
    norm: f64,
    bound: f64,
}

impl<Q: Quantizer> NormClip<Q> {
    /// Clips inputs to `||y||_q <= bound` (`q in [1, inf]`, `bound` positive and finite) before
    /// `inner` encodes them.
    pub fn new(inner: Q, q: f64, bound: f64) -> Result<Self, QuantError> {
        check_exponent(q, "the clipping norm q")?;
        check_positive(bound, "the clipping bound")?;
        if inner.dim() == 0 {
            return Err(QuantError::InvalidParameter(
                "the inner quantizer has dimension 0".into(),
            ));
        }
        Ok(Self {
            inner,
            norm: q,
            bound,
        })
    }

    /// The wrapped scheme.
    pub fn inner(&self) -> &Q {
        &self.inner
    }

    /// The exponent `q` of the clipping norm.
    pub fn norm(&self) -> f64 {
        self.norm
    }

    /// The radius `B` of the ball inputs are clipped to.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// `B/||y||_q` when `y` lies outside the ball (beyond the boundary slack), else `None`.
    fn shrink_factor(&self, norm: f64) -> Option<f64> {
        (norm > self.bound * (1.0 + NORM_SLACK)).then(|| self.bound / norm)
    }
}

impl<Q: Quantizer> Quantizer for NormClip<Q> {
    fn name(&self) -> String {
        format!(
            "norm-clip(l{}<={}, {})",
            self.norm,
            self.bound,
            self.inner.name()
        )
    }

    fn dim(&self) -> usize {
        self.inner.dim()
    }

    fn bit_cost(&self) -> BitCost {
        self.inner.bit_cost()
    }

    fn bias(&self) -> Bias {
        match self.inner.bias() {
            Bias::Unbiased => Bias::Biased(
                "unbiased inside the clipping ball; an input outside it is projected radially \
                 onto the ball, a bias of clip(y) - y towards 0 (counted in EncodeStats::clipped)",
            ),
            biased => biased,
        }
    }

    /// The inner scheme's statement, which holds for admissible (unclipped) inputs.
    fn variance(&self) -> VarianceBound {
        self.inner.variance()
    }

    /// The inner bound for inputs inside the ball; outside it, for an unbiased inner scheme, the
    /// inner bound at `clip(y)` plus `||clip(y) - y||^2`; `None` for a clipped input and a biased
    /// inner scheme.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim() || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        match self.shrink_factor(lq_norm(y, self.norm)) {
            None => self.inner.mse_bound(y),
            Some(_) if !self.inner.bias().is_unbiased() => None,
            Some(s) => {
                let clipped: Vec<f64> = y.iter().map(|v| v * s).collect();
                let moved: f64 = y.iter().zip(&clipped).map(|(a, b)| (a - b) * (a - b)).sum();
                Some(self.inner.mse_bound(&clipped)? + moved)
            }
        }
    }

    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        self.inner.support(state)
    }

    fn paper_bits(&self) -> Option<f64> {
        self.inner.paper_bits()
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim())?;
        let norm = match input {
            Input::F32(x) => lq_norm(x, self.norm),
            Input::F64(x) => lq_norm(x, self.norm),
        };
        let Some(s) = self.shrink_factor(norm) else {
            return self.inner.encode(input, state, rng, out);
        };
        let clipped: Vec<f64> = match input {
            Input::F32(x) => x.iter().map(|&v| f64::from(v) * s).collect(),
            Input::F64(x) => x.iter().map(|&v| v * s).collect(),
        };
        let moved = match input {
            Input::F32(x) => x.iter().filter(|&&v| v != 0.0).count(),
            Input::F64(x) => x.iter().filter(|&&v| v != 0.0).count(),
        };
        let stats = self.inner.encode(Input::F64(&clipped), state, rng, out)?;
        Ok(EncodeStats {
            bits: stats.bits,
            clipped: stats.clipped + moved,
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        self.inner.decode(bits, state, out)
    }
}
