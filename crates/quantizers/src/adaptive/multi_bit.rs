//! [`AdaptiveMultiBit`]: `q` bits per described coordinate, the cell of `y_i` among the
//! Fisher-optimal thresholds `c_i + sigma tau_j` around the public centre, decoded as the one-step
//! scoring estimate `c_i + sigma m_j / I(q)`.
//!
//! For `W ~ N(theta, sigma^2)` quantized at thresholds `c + sigma tau_j`, the score of the cell
//! index `J` at `theta = c` is `m_J / sigma` with `m_j = E[Z | Z in cell j]`, and its Fisher
//! information is `I(q)/sigma^2` ([`OptimalThresholds`]; `tau` maximises it). One Fisher-scoring
//! step from `c` gives the decoder's output
//!
//! ```text
//! c + (sigma^2 / I(q)) * (m_J / sigma) = c + sigma m_J / I(q).
//! ```
//!
//! For `q = 1` this is [`AdaptiveSign`](crate::adaptive::AdaptiveSign)'s `c ± sigma sqrt(pi/2)`.
//! With the centre at the current estimate and the server's running mean, it is the
//! Robbins–Monro recursion `theta_n = theta_{n-1} + (sigma m_J / I(q)) / n` with mean field slope
//! exactly `-1` at `theta` and per-step variance `sigma^2/I(q)`, so its mean squared error is
//! `sigma^2 / (n I(q)) + o(1/n)` per coordinate \[I: standard Robbins–Monro asymptotics\]; this
//! attains the Fisher information of the described coordinates.
//!
//! # What is claimed, and what is not
//!
//! - **Deterministic.** No randomness: the output is a fixed function of `y - c`, so the error
//!   `Q(y) - y` is not zero-mean for a fixed input; [`Quantizer::mse_bound`] returns its exact
//!   squared norm (worst case over supports).
//! - **Gaussian inputs.** For `Y_i ~ N(mu_i, sigma^2)`, `E[Q(Y)_i] - mu_i =
//!   sigma ((1/I) sum_j m_j P(cell j | delta) - delta)` with `delta = (mu_i - c_i)/sigma`
//!   ([`AdaptiveMultiBit::gaussian_bias`]): zero with zero slope at `delta = 0` (the slope is
//!   `(1/I) sum_j m_j dP_j/d delta - 1 = 0` by the definition of `I`).
//! - **Not claimed:** unbiasedness, or efficiency under a noise level other than `sigma`.
//!
//! Each round describes `k = min(d, floor(B/q))` coordinates chosen by a [`Selection`], in
//! exactly `k q` bits; the `B - k q` bits left over are not used.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::adaptive::allocation::BitAllocation;
use crate::adaptive::centre::Centre;
use crate::adaptive::checks::{check_sigma, past_end};
use crate::adaptive::normal;
use crate::adaptive::schedule::{Chosen, CoordinateSchedule, Selection};
use crate::adaptive::thresholds::OptimalThresholds;
use crate::quantizer::check_output;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// `q` bits per described coordinate at Fisher-optimal thresholds around the public centre.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::adaptive::AdaptiveMultiBit;
///
/// let q = AdaptiveMultiBit::new(4, 8, 1.0, 2)?; // d = 4, B = 8: all 4 coordinates, 2 bits each
/// let state = PublicState::new(3);
/// let mut w = BitWriter::with_capacity(8);
/// q.encode((&[-2.0f64, -0.5, 0.5, 2.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 4];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// // one value per cell: sigma m_j / I(2), symmetric about the centre 0
/// let m = q.offsets();
/// assert_eq!(out, [m[0], m[1], m[2], m[3]]);
/// assert!((m[3] - 1.5104 / 0.8825).abs() < 1e-3);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptiveMultiBit {
    schedule: CoordinateSchedule,
    sigma: f64,
    cells: OptimalThresholds,
    /// `sigma tau_j`: the thresholds on the offset `y_i - c_i`.
    scaled_thresholds: Vec<f64>,
    /// `sigma m_j / I(q)`: the decoded offset of each cell.
    offsets: Vec<f64>,
}

impl AdaptiveMultiBit {
    /// `bits` bits on each of `min(dim, floor(budget/bits))` coordinates per round (round
    /// robin), for noise level `sigma > 0`; `1 <= bits <= MAX_BITS <= budget`.
    pub fn new(dim: usize, budget: usize, sigma: f64, bits: u32) -> Result<Self, QuantError> {
        let cells = OptimalThresholds::new(bits)?;
        let q = bits as usize;
        if budget < q {
            return Err(QuantError::BudgetTooSmall { needed: q, budget });
        }
        let sigma = check_sigma(sigma)?;
        let schedule = CoordinateSchedule::new(dim, (budget / q).min(dim), Selection::RoundRobin)?;
        let info = cells.information();
        let scaled_thresholds: Vec<f64> = cells.thresholds().iter().map(|t| sigma * t).collect();
        let offsets: Vec<f64> = cells.centroids().iter().map(|m| sigma * m / info).collect();
        if !offsets.iter().all(|v| v.is_finite()) {
            return Err(QuantError::InvalidParameter(format!(
                "sigma {sigma} is too large to decode"
            )));
        }
        Ok(Self {
            schedule,
            sigma,
            cells,
            scaled_thresholds,
            offsets,
        })
    }

    /// The bits per coordinate that maximise the Fisher information per round for `(dim,
    /// budget)` ([`BitAllocation::best`]).
    pub fn best(dim: usize, budget: usize, sigma: f64) -> Result<Self, QuantError> {
        let a = BitAllocation::best(dim, budget)?;
        Self::new(dim, budget, sigma, a.bits_per_coordinate)
    }

    /// The same scheme choosing its coordinates by `selection`.
    pub fn with_selection(self, selection: Selection) -> Self {
        Self {
            schedule: self.schedule.with_selection(selection),
            ..self
        }
    }

    /// The noise level `sigma` the thresholds and decoder are scaled to.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Bits per described coordinate, `q`.
    pub fn bits(&self) -> u32 {
        self.cells.bits()
    }

    /// The optimal quantizer of `N(0, 1)` the scheme scales by `sigma`.
    pub fn cells(&self) -> &OptimalThresholds {
        &self.cells
    }

    /// The decoded offsets `sigma m_j / I(q)` from the centre, one per cell.
    pub fn offsets(&self) -> &[f64] {
        &self.offsets
    }

    /// The coordinate schedule (`k = min(d, floor(B/q))` per round).
    pub fn schedule(&self) -> &CoordinateSchedule {
        &self.schedule
    }

    /// Fisher information per round about the mean of `N(mu, sigma^2 I)` when the centre equals
    /// the mean: `k I(q) / sigma^2`.
    pub fn fisher_information_per_round(&self) -> f64 {
        self.schedule.per_round() as f64 * self.cells.information() / (self.sigma * self.sigma)
    }

    /// `E[Q(Y)_i] - mean` on the support when `Y_i ~ N(mean, sigma^2)` and the centre is `centre`:
    /// `sigma ((1/I) sum_j m_j P(tau_j - delta < Z <= tau_{j+1} - delta) - delta)`,
    /// `delta = (mean - centre)/sigma`.
    pub fn gaussian_bias(&self, mean: f64, centre: f64) -> f64 {
        let delta = (mean - centre) / self.sigma;
        let edges = std::iter::once(f64::NEG_INFINITY)
            .chain(self.cells.thresholds().iter().copied())
            .chain(std::iter::once(f64::INFINITY));
        let mut lower = f64::NEG_INFINITY;
        let mut expected = 0.0;
        for (upper, m) in edges.skip(1).zip(self.cells.centroids()) {
            expected += m * normal::interval_probability(lower - delta, upper - delta);
            lower = upper;
        }
        self.sigma * (expected / self.cells.information() - delta)
    }

    /// The cell of offset `v = y_i - c_i`.
    #[inline]
    fn cell(&self, v: f64) -> usize {
        self.scaled_thresholds.partition_point(|&t| t < v)
    }

    fn write_cells<T: Scalar>(
        &self,
        x: &[T],
        centre: Centre<'_>,
        chosen: &Chosen,
        out: &mut BitWriter,
    ) -> Result<(), QuantError> {
        let q = self.bits();
        for i in chosen.iter() {
            let v = x.get(i).ok_or_else(|| past_end(i))?.to_f64();
            out.write_bits(self.cell(v - centre.at(i)) as u64, q)?;
        }
        Ok(())
    }
}

impl Quantizer for AdaptiveMultiBit {
    fn name(&self) -> String {
        let sel = match self.schedule.selection() {
            Selection::RoundRobin => "",
            Selection::PublicCoin => ",coins",
        };
        format!(
            "adaptive-multibit(q={},k={},sigma={}{sel})",
            self.bits(),
            self.schedule.per_round(),
            self.sigma
        )
    }

    fn dim(&self) -> usize {
        self.schedule.dim()
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.schedule.per_round() * self.bits() as usize)
    }

    fn bias(&self) -> Bias {
        Bias::Biased(
            "deterministic: c_i + sigma m_j / I(q) for the cell j of (y_i - c_i)/sigma on the \
             support, c_i elsewhere; for y_i ~ N(mu_i, sigma^2) the mean error vanishes to first \
             order at mu_i = c_i (AdaptiveMultiBit::gaussian_bias)",
        )
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The exact `||Q(y) - y||^2` for a centre of 0 (apply it to `y - c` for a centre `c`: the
    /// error depends on `y - c` only). When a round describes only some coordinates, the worst
    /// case over supports: each coordinate contributes the larger of its described error
    /// `(sigma m_j / I - y_i)^2` and its undescribed error `y_i^2`.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let all = self.schedule.describes_all();
        let mut total = 0.0;
        for &v in y {
            let e = self.offsets.get(self.cell(v))? - v;
            total += if all { e * e } else { (e * e).max(v * v) };
        }
        Some(total)
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
        let bits = self.schedule.per_round() * self.bits() as usize;
        out.ensure_room(bits)?;
        let chosen = self.schedule.chosen(state);
        match input {
            Input::F32(x) => self.write_cells(x, centre, &chosen, out)?,
            Input::F64(x) => self.write_cells(x, centre, &chosen, out)?,
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
        let q = self.bits();
        bits.ensure_available(self.schedule.per_round() * q as usize)?;
        centre.fill(out);
        for i in self.schedule.chosen(state).iter() {
            let j = bits.read_bits(q)?;
            // Every q-bit pattern names one of the 2^q cells, so this lookup cannot fail.
            let offset = usize::try_from(j)
                .ok()
                .and_then(|j| self.offsets.get(j))
                .ok_or_else(|| QuantError::Corrupt(format!("cell {j} out of range")))?;
            *out.get_mut(i).ok_or_else(|| past_end(i))? += offset;
        }
        Ok(())
    }
}
