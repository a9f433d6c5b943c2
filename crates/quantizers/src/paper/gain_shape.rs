//! Gain–shape composition (Mayekar & Tyagi, arXiv 1908.08200; arXiv 2001.09032 §7).
//!
//! For an oracle bounded only in mean square, split `Y` into its gain `G = ||Y||_q` and its
//! shape `Y/G` (a unit vector), quantize them independently and multiply:
//!
//! ```text
//! Q(Y) = Q_g(||Y||_q) Q_s(Y / ||Y||_q).
//! ```
//!
//! With independent randomness, `E[Q(Y)|Y] = E[Q_g(G)] E[Q_s(Y/G)] = Y` whenever both parts
//! are unbiased, i.e. whenever the gain is not clipped; a clipped gain gives
//! `E[Q(Y)|Y] = (M/G) Y` for the top gain `M`. The error is, exactly (`u = Y/G`,
//! `g_c = E Q_g(G)`, `v_g = Var Q_g(G)`, `e_s = E||Q_s(u) - u||_2^2`),
//!
//! ```text
//! E||Q(Y) - Y||_2^2 = (g_c^2 + v_g)(||u||_2^2 + e_s) - 2 (g_c/G) ||Y||_2^2 + ||Y||_2^2.
//! ```
//!
//! In code: [`GainShape`] with any shape [`Quantizer`] for inputs of norm at most one (e.g.
//! [`Ratq`](crate::paper::Ratq) with `B = 1`, or [`SimQPlus`](crate::paper::SimQPlus) with
//! `B = 1` for the `l_q` version of §7) and a [`GainQuantizer`]. The norm is `l_2` by default
//! ([`GainShape::with_norm`] picks another). The message is the gain, then the shape's
//! message. The zero vector has gain 0 (decoded exactly as 0) and its shape message is the
//! shape quantizer's message for the zero vector, so the length does not depend on the input.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::paper::gain::GainQuantizer;
use crate::paper::norms::{check_exponent, lq_norm};
use crate::random::unit_f64;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound};

/// `Q(Y) = Q_g(||Y||) Q_s(Y/||Y||)`: a gain quantizer times a shape quantizer.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::{GainShape, Ratq, UniformGain};
/// let shape = Ratq::new(32, 1.0, 4)?; // unit-norm shapes
/// let q = GainShape::new(Box::new(shape), UniformGain::new(8.0, 16)?.into())?;
/// let y: Vec<f64> = (0..32).map(|i| (i as f64 - 15.5) / 10.0).collect(); // ||y|| = 5.2
/// let state = PublicState::new(2);
/// let mut w = BitWriter::with_capacity(q.bit_cost().exact().unwrap());
/// let stats = q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(stats.clipped, 0); // the gain is below M_g = 8
/// let mut out = vec![0.0; 32];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug)]
pub struct GainShape {
    shape: Box<dyn Quantizer>,
    gain: GainQuantizer,
    norm: f64,
}

impl GainShape {
    /// The composition of `shape` (for inputs with `||u||_2 <= 1`) and `gain`, with the
    /// `l_2` norm as the gain.
    pub fn new(shape: Box<dyn Quantizer>, gain: GainQuantizer) -> Result<Self, QuantError> {
        if shape.dim() == 0 {
            return Err(QuantError::InvalidParameter(
                "the shape quantizer has dimension 0".into(),
            ));
        }
        Ok(Self {
            shape,
            gain,
            norm: 2.0,
        })
    }

    /// The same composition with the `l_q` norm as the gain, `q in [1, inf]` (§7 of the
    /// paper); the shape quantizer must then accept inputs with `||u||_q <= 1`.
    pub fn with_norm(mut self, q: f64) -> Result<Self, QuantError> {
        check_exponent(q, "the gain norm q")?;
        self.norm = q;
        Ok(self)
    }

    /// The shape quantizer.
    pub fn shape(&self) -> &dyn Quantizer {
        self.shape.as_ref()
    }

    /// The gain quantizer.
    pub fn gain(&self) -> &GainQuantizer {
        &self.gain
    }

    /// The exponent `q` of the gain norm `||Y||_q`.
    pub fn norm(&self) -> f64 {
        self.norm
    }
}

impl Quantizer for GainShape {
    fn name(&self) -> String {
        format!("gain-shape({} x {})", self.gain.name(), self.shape.name())
    }

    fn dim(&self) -> usize {
        self.shape.dim()
    }

    fn bit_cost(&self) -> BitCost {
        let g = self.gain.bits();
        match self.shape.bit_cost() {
            BitCost::Exact(n) => BitCost::Exact(n + g),
            BitCost::AtMost(n) => BitCost::AtMost(n + g),
            BitCost::Variable => BitCost::Variable,
        }
    }

    fn bias(&self) -> Bias {
        if self.shape.bias().is_unbiased() {
            Bias::Biased(
                "unbiased while ||Y|| is at most the top gain; above it the gain is clipped \
                 (counted) and E[Q(Y)|Y] = (M_top/||Y||) Y",
            )
        } else {
            Bias::Biased("the shape quantizer is biased")
        }
    }

    /// Input dependent: see [`Quantizer::mse_bound`].
    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The module's formula with the shape's own bound for `e_s` (exact when the shape's
    /// bound is exact); `None` if the shape is biased or states no bound.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim() || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        if !self.shape.bias().is_unbiased() {
            return None;
        }
        let g = lq_norm(y, self.norm);
        if g == 0.0 {
            return Some(0.0);
        }
        let u: Vec<f64> = y.iter().map(|v| v / g).collect();
        let e_s = self.shape.mse_bound(&u)?;
        let n2: f64 = y.iter().map(|v| v * v).sum();
        let (gc, vg) = (self.gain.mean(g), self.gain.variance(g));
        Some(((gc * gc + vg) * (n2 / (g * g) + e_s) - 2.0 * gc / g * n2 + n2).max(0.0))
    }

    /// The shape's formula plus [`GainQuantizer::paper_bits`].
    fn paper_bits(&self) -> Option<f64> {
        self.shape.paper_bits().map(|b| b + self.gain.paper_bits())
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim())?;
        let mut u = input.to_f64_vec();
        let g = lq_norm(&u, self.norm);
        if !g.is_finite() {
            return Err(QuantError::OutOfRange {
                what: "the norm of the input overflows f64".into(),
            });
        }
        if g > 0.0 {
            u.iter_mut().for_each(|v| *v /= g);
        }
        // Encode the shape aside first, so a failure leaves `out` untouched.
        let gain_bits = self.gain.bits();
        let mut shape_msg = BitWriter::new();
        shape_msg.reset(
            out.capacity()
                .map(|_| out.remaining().saturating_sub(gain_bits)),
        );
        let shape_stats = self
            .shape
            .encode(Input::F64(&u), state, rng, &mut shape_msg)?;
        out.ensure_room(gain_bits + shape_msg.len())?;
        let start = out.len();
        let (_, clipped) = self.gain.encode(g, unit_f64(rng), out)?;
        out.write_bitstring(&shape_msg.finish())?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: shape_stats.clipped + usize::from(clipped),
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        let g = self.gain.decode(bits)?;
        self.shape.decode(bits, state, out)?;
        out.iter_mut().for_each(|v| *v *= g);
        Ok(())
    }
}
