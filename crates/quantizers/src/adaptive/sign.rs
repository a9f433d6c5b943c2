//! [`AdaptiveSign`]: one bit per described coordinate, "is `y_i` above the public centre `c_i`?",
//! decoded as the one-step estimate `c_i ± sigma sqrt(pi/2)`.
//!
//! For `W ~ N(theta, sigma^2)` and a threshold `c`, the bit `s = sign(W - c)` has Fisher
//! information `phi(delta)^2 / (Phi(delta) (1 - Phi(delta))) / sigma^2` about `theta`,
//! `delta = (theta - c)/sigma`, which is largest at `delta = 0`, where it is `2/(pi sigma^2)`
//! (notes-000 §7.4). The decoder outputs the score step
//! `c + I^{-1} * score = c + sigma sqrt(pi/2) s`. Fed to the server's running mean with the centre
//! at the current estimate, this is exactly the Kipnis–Duchi recursion
//!
//! ```text
//! theta_n = theta_{n-1} + (sigma sqrt(pi/2) / n) sign(W_n - theta_{n-1}),
//! ```
//!
//! whose mean squared error is `pi sigma^2 / (2n) + o(1/n)` per coordinate (Kipnis & Duchi \[C\];
//! the gain `sigma sqrt(pi/2)` is the Robbins–Monro optimal gain `1/|h'(theta)|` for
//! `h(t) = E sign(W - t)` \[I\]): the one-bit limit, `pi/2` times the unquantized `sigma^2/n`.
//!
//! # What is claimed, and what is not
//!
//! - **Deterministic.** The scheme uses no randomness: for a fixed input `y` the output is
//!   `Q(y)_i = c_i + sigma sqrt(pi/2) sign(y_i - c_i)` on the round's support (`sign(0) = -1`)
//!   and `c_i` elsewhere. Its error `Q(y) - y` is a fixed function of `y - c`, zero only where
//!   `|y_i - c_i| = sigma sqrt(pi/2)`: it points away from the centre when
//!   `|y_i - c_i| < sigma sqrt(pi/2)` and towards it when `|y_i - c_i|` is larger.
//!   [`Quantizer::mse_bound`] returns this error's exact squared norm (worst case over supports).
//! - **Gaussian inputs.** If `Y_i ~ N(mu_i, sigma^2)` with the scheme's `sigma`, then on the support
//!   `E[Q(Y)_i] - mu_i = sigma (sqrt(pi/2) (2 Phi(delta) - 1) - delta)`, `delta = (mu_i - c_i)/sigma`
//!   ([`AdaptiveSign::gaussian_bias`]). This is `-sigma delta^3/6 + O(delta^5)`: zero with zero
//!   slope at `delta = 0`, and always towards the centre; since the mean output stays within
//!   `sigma sqrt(pi/2)` of the centre, the bias grows like `-sigma delta` for large `|delta|`.
//!   So the scheme is *not* unbiased; it is unbiased to first order at the centre, which is why
//!   the recursion above is efficient once the centre has converged.
//! - **Not claimed:** unbiasedness for any input, any bound relative to `||y||`, or efficiency
//!   when the noise level differs from `sigma` (with true noise `s != sigma` the recursion's
//!   variance is `(pi sigma^2/2) / (2 (sigma/s) - 1) / n` for `s < 2 sigma`, Robbins–Monro \[I\]).
//!
//! Each round describes `k = min(B, d)` coordinates chosen by a [`Selection`], in exactly `k` bits.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::adaptive::centre::Centre;
use crate::adaptive::checks::{check_sigma, past_end};
use crate::adaptive::normal;
use crate::adaptive::schedule::{Chosen, CoordinateSchedule, Selection};
use crate::quantizer::check_output;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// `sqrt(pi/2)`: the decoded magnitude in units of `sigma` (`1/I(1)` times the centroid
/// `sqrt(2/pi)` of a half-normal).
pub const SQRT_FRAC_PI_2: f64 = 1.253_314_137_315_500_3;

/// One sign bit per described coordinate, relative to the public centre.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::adaptive::AdaptiveSign;
///
/// let q = AdaptiveSign::new(3, 3, 2.0)?; // d = 3, B = 3 bits, sigma = 2
/// let centre = [0.0, 1.0, -1.0];
/// let state = PublicState::new(7).with_centre(&centre);
/// let mut w = BitWriter::with_capacity(3);
/// q.encode((&[0.5f64, 0.0, 4.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// assert_eq!(msg.len(), 3);
/// let mut out = [0.0; 3];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// let a = q.magnitude(); // 2 sqrt(pi/2)
/// assert!((a - 2.0 * (std::f64::consts::PI / 2.0).sqrt()).abs() < 1e-15);
/// assert_eq!(out, [a, 1.0 - a, -1.0 + a]);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveSign {
    schedule: CoordinateSchedule,
    sigma: f64,
    magnitude: f64,
}

impl AdaptiveSign {
    /// `min(budget, dim)` sign bits per round, round robin, for noise level `sigma > 0`.
    pub fn new(dim: usize, budget: usize, sigma: f64) -> Result<Self, QuantError> {
        if budget == 0 {
            return Err(QuantError::BudgetTooSmall {
                needed: 1,
                budget: 0,
            });
        }
        let sigma = check_sigma(sigma)?;
        let schedule = CoordinateSchedule::new(dim, budget.min(dim), Selection::RoundRobin)?;
        let magnitude = sigma * SQRT_FRAC_PI_2;
        if !magnitude.is_finite() {
            return Err(QuantError::InvalidParameter(format!(
                "sigma {sigma} is too large to decode"
            )));
        }
        Ok(Self {
            schedule,
            sigma,
            magnitude,
        })
    }

    /// The same scheme choosing its coordinates by `selection`.
    pub fn with_selection(self, selection: Selection) -> Self {
        Self {
            schedule: self.schedule.with_selection(selection),
            ..self
        }
    }

    /// The noise level `sigma` the decoder is tuned to.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The decoded offset `sigma sqrt(pi/2)`.
    pub fn magnitude(&self) -> f64 {
        self.magnitude
    }

    /// The coordinate schedule (`k = min(B, d)` per round).
    pub fn schedule(&self) -> &CoordinateSchedule {
        &self.schedule
    }

    /// Fisher information per round about the mean of `N(mu, sigma^2 I)` when the centre equals
    /// the mean: `k (2/pi) / sigma^2`.
    pub fn fisher_information_per_round(&self) -> f64 {
        self.schedule.per_round() as f64 * std::f64::consts::FRAC_2_PI / (self.sigma * self.sigma)
    }

    /// `E[Q(Y)_i] - mean` on the support when `Y_i ~ N(mean, sigma^2)` and the centre is `centre`:
    /// `sigma (sqrt(pi/2) (2 Phi(delta) - 1) - delta)`, `delta = (mean - centre)/sigma`.
    pub fn gaussian_bias(&self, mean: f64, centre: f64) -> f64 {
        let delta = (mean - centre) / self.sigma;
        // 2 Phi(delta) - 1 = sign(delta) P(|Z| < |delta|), accurate for small delta.
        let p = normal::interval_probability(-delta.abs(), delta.abs()).copysign(delta);
        self.sigma * (SQRT_FRAC_PI_2 * p - delta)
    }

    /// The squared error of one described coordinate at offset `v = y_i - c_i`.
    fn error_on_support(&self, v: f64) -> f64 {
        let e = v.abs() - self.magnitude;
        e * e
    }

    fn write_signs<T: Scalar>(
        &self,
        x: &[T],
        centre: Centre<'_>,
        chosen: &Chosen,
        out: &mut BitWriter,
    ) -> Result<(), QuantError> {
        // Pack 64 signs per write: one capacity check per word instead of per bit.
        let (mut word, mut n) = (0u64, 0u32);
        for i in chosen.iter() {
            let v = x.get(i).ok_or_else(|| past_end(i))?.to_f64();
            word |= u64::from(v > centre.at(i)) << n;
            n += 1;
            if n == 64 {
                out.write_bits(word, 64)?;
                (word, n) = (0, 0);
            }
        }
        out.write_bits(word, n)?;
        Ok(())
    }
}

impl Quantizer for AdaptiveSign {
    fn name(&self) -> String {
        let sel = match self.schedule.selection() {
            Selection::RoundRobin => "",
            Selection::PublicCoin => ",coins",
        };
        format!(
            "adaptive-sign(k={},sigma={}{sel})",
            self.schedule.per_round(),
            self.sigma
        )
    }

    fn dim(&self) -> usize {
        self.schedule.dim()
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.schedule.per_round())
    }

    fn bias(&self) -> Bias {
        Bias::Biased(
            "deterministic: c_i + sigma sqrt(pi/2) sign(y_i - c_i) on the support, c_i elsewhere; \
             for y_i ~ N(mu_i, sigma^2) the mean error is sigma (sqrt(pi/2)(2 Phi(delta) - 1) - delta), \
             delta = (mu_i - c_i)/sigma (AdaptiveSign::gaussian_bias)",
        )
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The exact `||Q(y) - y||^2` for a centre of 0 (apply it to `y - c` for a centre `c`: the
    /// error depends on `y - c` only). When a round describes only some coordinates, the worst
    /// case over supports: each coordinate contributes the larger of its described error
    /// `(|y_i| - sigma sqrt(pi/2))^2` and its undescribed error `y_i^2`.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let all = self.schedule.describes_all();
        Some(
            y.iter()
                .map(|&v| {
                    let on = self.error_on_support(v);
                    if all { on } else { on.max(v * v) }
                })
                .sum(),
        )
    }

    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        self.schedule.support(state)
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim())?;
        let centre = Centre::from_state(state, self.dim())?;
        let bits = self.schedule.per_round();
        out.ensure_room(bits)?;
        let chosen = self.schedule.chosen(state);
        match input {
            Input::F32(x) => self.write_signs(x, centre, &chosen, out)?,
            Input::F64(x) => self.write_signs(x, centre, &chosen, out)?,
        }
        Ok(EncodeStats { bits, clipped: 0 })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim(), out)?;
        let centre = Centre::from_state(state, self.dim())?;
        let mut left = self.schedule.per_round();
        bits.ensure_available(left)?;
        centre.fill(out);
        let chosen = self.schedule.chosen(state);
        let (mut word, mut n) = (0u64, 0u32);
        for i in chosen.iter() {
            if n == 0 {
                let width = left.min(64);
                word = bits.read_bits(width as u32)?;
                n = width as u32;
                left -= width;
            }
            let o = out.get_mut(i).ok_or_else(|| past_end(i))?;
            *o += if word & 1 == 1 {
                self.magnitude
            } else {
                -self.magnitude
            };
            word >>= 1;
            n -= 1;
        }
        Ok(())
    }
}
