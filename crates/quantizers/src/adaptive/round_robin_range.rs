//! [`RoundRobinRange`]: the bounded-range achievability scheme of notes-000 §3 (Theorem 4):
//! `q` bits of unbiased stochastic rounding on `[-R, R]` for `k` coordinates per round.
//!
//! The scheme is a reconstruction \[I\] (the paper's own quantizer was not available). With
//! dynamic range `R` (every coordinate of every input in `[-R, R]`) and noise level `sigma`:
//!
//! ```text
//! q     = ceil(log2(1 + 2R/sigma))           bits per described coordinate (so Delta <= sigma)
//! q     = B - s   if B - s < q               coarse mode (s = reserved scale bits)
//! k     = min(d, floor((B - s)/q))           coordinates per round, k >= 1
//! L     = 2^q,  Delta = 2R/(L - 1)           grid -R, -R + Delta, ..., R
//! j_i   = stochastic rounding of y_i         unbiased, variance (y - a)(a + Delta - y) <= Delta^2/4
//! ```
//!
//! Each round sends the `q`-bit indices of the `k` described coordinates (round robin by round,
//! or a public-coin subset: see [`Selection`]) in increasing coordinate order: exactly `k q` bits,
//! no index bits. The decoder outputs the grid values on the support and the public centre (0
//! without one) elsewhere. With the server's per-coordinate running mean, the mean squared error
//! after `T` rounds is `sum_i (sigma_i^2 + v_i)/N_i <= d (sigma^2 + Delta^2/4)/floor(T k/d)`
//! (notes-000, Theorem 4 \[I\]), a factor `q = O(log(R/sigma))` above the product-form lower bound.
//!
//! Claims (tested): exactly `k q` bits; unbiased on the support (`E[Q(y)_i] = y_i`), with
//! per-coordinate variance `(y_i - a)(a + Delta - y_i) <= Delta^2/4`; by default an input outside
//! `[-R, R]` is [`QuantError::OutOfRange`], never clipped. Coordinates off the support are not
//! described, so for `k < d` the scheme as a whole is not unbiased in a single round.
//!
//! # Clipping (the oracle gap)
//!
//! Theorem 4 assumes a bounded-range oracle; Gaussian gradients are unbounded, so with any finite
//! `R` some coordinate eventually falls outside `[-R, R]` (the "oracle gap" of paper 000). With
//! [`RoundRobinRange::with_overload`]`(`[`Overload::Clip`]`)` a *described* coordinate outside the
//! range is clamped to the nearer end point `±R` (which the grid represents exactly) and counted in
//! [`EncodeStats::clipped`]; coordinates off the support are not sent, so they are neither clipped
//! nor counted. A clipped coordinate decodes to `±R` with error `|y_i| - R`, so the scheme is then
//! biased towards 0 on that coordinate; [`Quantizer::mse_bound`] adds that error.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::adaptive::centre::Centre;
use crate::adaptive::checks::{check_sigma, past_end};
use crate::adaptive::schedule::{Chosen, CoordinateSchedule, Selection};
use crate::dynamic_range::Overload;
use crate::grid::UniformGrid;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// The largest `q` the range scheme accepts (`2^32` grid points; far beyond any useful
/// `R/sigma`, and well inside the 53-bit precision of the grid arithmetic).
pub const MAX_RANGE_BITS: u32 = 32;

/// Unbiased `q`-bit stochastic rounding on `[-R, R]` of `k` round-robin coordinates per round.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::adaptive::RoundRobinRange;
///
/// // d = 6, B = 8 bits, R = 3, sigma = 1: q = ceil(log2 7) = 3 bits, k = 2 coordinates per round
/// let q = RoundRobinRange::new(6, 8, 3.0, 1.0)?;
/// assert_eq!((q.bits(), q.schedule().per_round()), (3, 2));
/// let state = PublicState::new(1).with_round(1); // round 1 describes coordinates 2 and 3
/// assert_eq!(q.support(&state), Some(vec![2, 3]));
/// let y = [0.1f64, 0.2, 3.0, -3.0, 0.5, 0.6];
/// let mut w = BitWriter::with_capacity(8);
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// assert_eq!(msg.len(), 6);
/// let mut out = [0.0; 6];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert_eq!(out, [0.0, 0.0, 3.0, -3.0, 0.0, 0.0]); // grid end points are exact
/// let mut w = BitWriter::with_capacity(8);
/// assert!(q.encode((&[4.0f64; 6]).into(), &state, &mut rand::rng(), &mut w).is_err());
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RoundRobinRange {
    schedule: CoordinateSchedule,
    budget: usize,
    range: f64,
    requested_bits: u32,
    bits: u32,
    scale_bits: usize,
    grid: UniformGrid,
    overload: Overload,
}

impl RoundRobinRange {
    /// The scheme for inputs in `[-range, range]` with noise level `sigma`:
    /// `q = ceil(log2(1 + 2 range/sigma))` bits per coordinate (fewer in coarse mode).
    pub fn new(dim: usize, budget: usize, range: f64, sigma: f64) -> Result<Self, QuantError> {
        let bits = Self::bits_for(range, sigma)?;
        Self::build(dim, budget, range, bits, 0, Selection::RoundRobin)
    }

    /// The scheme with `bits` bits per coordinate given directly (`1..=MAX_RANGE_BITS`; fewer
    /// in coarse mode when the budget is smaller).
    pub fn with_bits(dim: usize, budget: usize, range: f64, bits: u32) -> Result<Self, QuantError> {
        Self::build(dim, budget, range, bits, 0, Selection::RoundRobin)
    }

    /// The same scheme with `scale_bits` bits of the budget reserved for a per-round header that
    /// an outer layer sends (the `scale_bits` of notes-000 §3). They shrink the payload to
    /// `B - scale_bits` bits; this scheme itself writes only its `k q` payload bits.
    pub fn with_scale_bits(self, scale_bits: usize) -> Result<Self, QuantError> {
        Ok(Self::build(
            self.schedule.dim(),
            self.budget,
            self.range,
            self.requested_bits,
            scale_bits,
            self.schedule.selection(),
        )?
        .with_overload(self.overload))
    }

    /// The same scheme choosing its coordinates by `selection`.
    pub fn with_selection(self, selection: Selection) -> Self {
        Self {
            schedule: self.schedule.with_selection(selection),
            ..self
        }
    }

    /// The same scheme with another overload policy: [`Overload::Error`] (the default) refuses an
    /// input outside `[-R, R]`; [`Overload::Clip`] clamps each described coordinate outside it to
    /// `±R` and counts it in [`EncodeStats::clipped`] (module docs, "Clipping").
    ///
    /// ```
    /// use bitcodec::BitWriter;
    /// use quantizers::{Overload, PublicState, Quantizer};
    /// use quantizers::adaptive::RoundRobinRange;
    ///
    /// let q = RoundRobinRange::with_bits(3, 6, 1.0, 2)?.with_overload(Overload::Clip); // k = 3
    /// let state = PublicState::new(0);
    /// let mut w = BitWriter::with_capacity(6);
    /// let stats = q.encode((&[2.5f64, -1.0, -7.0]).into(), &state, &mut rand::rng(), &mut w)?;
    /// assert_eq!(stats.clipped, 2); // 2.5 and -7 lie outside [-1, 1]
    /// let mut out = [0.0; 3];
    /// q.decode(&mut w.finish().reader(), &state, &mut out)?;
    /// assert_eq!(out, [1.0, -1.0, -1.0]); // clamped to the end points, which are exact
    /// # Ok::<(), quantizers::QuantError>(())
    /// ```
    pub fn with_overload(self, overload: Overload) -> Self {
        Self { overload, ..self }
    }

    /// The overload policy.
    pub fn overload(&self) -> Overload {
        self.overload
    }

    /// `q = ceil(log2(1 + 2 range/sigma))`, the fewest bits with grid step `Delta <= sigma`
    /// (computed exactly as the least `q` with `2^q - 1 >= 2 range/sigma`).
    pub fn bits_for(range: f64, sigma: f64) -> Result<u32, QuantError> {
        let range = check_range(range)?;
        let sigma = check_sigma(sigma)?;
        let ratio = 2.0 * range / sigma;
        (1..=MAX_RANGE_BITS)
            .find(|&q| ((1u64 << q) - 1) as f64 >= ratio)
            .ok_or_else(|| {
                QuantError::InvalidParameter(format!(
                    "range/sigma = {} needs more than {MAX_RANGE_BITS} bits per coordinate",
                    range / sigma
                ))
            })
    }

    fn build(
        dim: usize,
        budget: usize,
        range: f64,
        requested_bits: u32,
        scale_bits: usize,
        selection: Selection,
    ) -> Result<Self, QuantError> {
        let range = check_range(range)?;
        if !(1..=MAX_RANGE_BITS).contains(&requested_bits) {
            return Err(QuantError::InvalidParameter(format!(
                "bits per coordinate must be in 1..={MAX_RANGE_BITS}, got {requested_bits}"
            )));
        }
        let payload = budget.checked_sub(scale_bits).filter(|&p| p >= 1).ok_or(
            QuantError::BudgetTooSmall {
                needed: scale_bits.saturating_add(1),
                budget,
            },
        )?;
        // Coarse mode: fewer bits on a single coordinate rather than none at all.
        let bits = requested_bits.min(u32::try_from(payload).unwrap_or(u32::MAX));
        let per_round = (payload / bits as usize).min(dim);
        let schedule = CoordinateSchedule::new(dim, per_round, selection)?;
        let grid = UniformGrid::symmetric(range, 1u64 << bits)?;
        Ok(Self {
            schedule,
            budget,
            range,
            requested_bits,
            bits,
            scale_bits,
            grid,
            overload: Overload::Error,
        })
    }

    /// The dynamic range `R`.
    pub fn range(&self) -> f64 {
        self.range
    }

    /// Bits per described coordinate actually used, `q`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Bits per coordinate asked for (from `sigma`, or given); above [`RoundRobinRange::bits`]
    /// in coarse mode.
    pub fn requested_bits(&self) -> u32 {
        self.requested_bits
    }

    /// Whether the budget forced fewer bits than requested (one coordinate per round).
    pub fn is_coarse(&self) -> bool {
        self.bits < self.requested_bits
    }

    /// Bits reserved for an outer layer's header.
    pub fn scale_bits(&self) -> usize {
        self.scale_bits
    }

    /// The round's budget `B`.
    pub fn budget(&self) -> usize {
        self.budget
    }

    /// The grid of `2^q` points on `[-R, R]`.
    pub fn grid(&self) -> &UniformGrid {
        &self.grid
    }

    /// The grid step `Delta = 2R/(2^q - 1)`.
    pub fn step(&self) -> f64 {
        self.grid.step()
    }

    /// The coordinate schedule.
    pub fn schedule(&self) -> &CoordinateSchedule {
        &self.schedule
    }

    /// The per-coordinate rounding variance bound `Delta^2/4`.
    pub fn variance_per_coordinate(&self) -> f64 {
        0.25 * self.step() * self.step()
    }

    fn check_in_range<T: Scalar>(&self, x: &[T]) -> Result<(), QuantError> {
        match x.iter().position(|v| !self.grid.contains(v.to_f64())) {
            Some(i) => Err(QuantError::OutOfRange {
                what: format!(
                    "coordinate {i} = {} outside [-{r}, {r}]",
                    x.get(i).map_or(f64::NAN, |v| v.to_f64()),
                    r = self.range
                ),
            }),
            None => Ok(()),
        }
    }

    /// Writes the described coordinates' indices; returns how many lay outside the grid (which
    /// [`UniformGrid::stochastic_index`] maps to the nearer end point).
    fn write_indices<T: Scalar>(
        &self,
        x: &[T],
        chosen: &Chosen,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<usize, QuantError> {
        let mut u = Uniforms::new(rng);
        let mut clipped = 0;
        for i in chosen.iter() {
            let v = x.get(i).ok_or_else(|| past_end(i))?.to_f64();
            clipped += usize::from(!self.grid.contains(v));
            out.write_bits(self.grid.stochastic_index(v, u.unit_f64()), self.bits)?;
        }
        Ok(clipped)
    }
}

/// `range` must be positive and finite.
fn check_range(range: f64) -> Result<f64, QuantError> {
    if range.is_finite() && range > 0.0 {
        Ok(range)
    } else {
        Err(QuantError::InvalidParameter(format!(
            "dynamic range must be a positive finite number, got {range}"
        )))
    }
}

impl Quantizer for RoundRobinRange {
    fn name(&self) -> String {
        let sel = match self.schedule.selection() {
            Selection::RoundRobin => "",
            Selection::PublicCoin => ",coins",
        };
        let clip = match self.overload {
            Overload::Error => "",
            Overload::Clip => ",clip",
        };
        format!(
            "round-robin-range(q={},k={},R={}{sel}{clip})",
            self.bits,
            self.schedule.per_round(),
            self.range
        )
    }

    fn dim(&self) -> usize {
        self.schedule.dim()
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.schedule.per_round() * self.bits as usize)
    }

    fn bias(&self) -> Bias {
        if self.schedule.describes_all() {
            Bias::Unbiased
        } else {
            Bias::Biased(
                "unbiased on the round's support; undescribed coordinates are output at the centre",
            )
        }
    }

    fn variance(&self) -> VarianceBound {
        if self.schedule.describes_all() {
            VarianceBound::Absolute {
                mse: self.dim() as f64 * self.variance_per_coordinate(),
            }
        } else {
            VarianceBound::InputDependent
        }
    }

    /// The exact `E||Q(y) - y||^2` for a centre of 0: the rounding variance
    /// `(y_i - a)(a + Delta - y_i)` of each described coordinate (with [`Overload::Clip`], plus
    /// the clipping error `(|y_i| - R)^2` of a coordinate outside the range); when a round
    /// describes only some coordinates, the worst case over supports, each coordinate
    /// contributing the larger of that and its undescribed error `y_i^2`.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let all = self.schedule.describes_all();
        let clips = self.overload == Overload::Clip;
        Some(
            y.iter()
                .map(|&v| {
                    let excess = if clips {
                        (v.abs() - self.range).max(0.0)
                    } else {
                        0.0
                    };
                    let on = self.grid.rounding_variance(v) + excess * excess;
                    if all { on } else { on.max(v * v) }
                })
                .sum(),
        )
    }

    fn paper_bits(&self) -> Option<f64> {
        Some((self.schedule.per_round() * self.bits as usize) as f64)
    }

    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        self.schedule.support(state)
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim())?;
        Centre::from_state(state, self.dim())?;
        if self.overload == Overload::Error {
            match input {
                Input::F32(x) => self.check_in_range(x)?,
                Input::F64(x) => self.check_in_range(x)?,
            }
        }
        let bits = self.schedule.per_round() * self.bits as usize;
        out.ensure_room(bits)?;
        let chosen = self.schedule.chosen(state);
        let clipped = match input {
            Input::F32(x) => self.write_indices(x, &chosen, rng, out)?,
            Input::F64(x) => self.write_indices(x, &chosen, rng, out)?,
        };
        Ok(EncodeStats { bits, clipped })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim(), out)?;
        let centre = Centre::from_state(state, self.dim())?;
        bits.ensure_available(self.schedule.per_round() * self.bits as usize)?;
        centre.fill(out);
        let levels = self.grid.levels();
        for i in self.schedule.chosen(state).iter() {
            let j = bits.read_bits(self.bits)?;
            // Every q-bit pattern is one of the 2^q grid points; the check is defensive.
            if j >= levels {
                return Err(QuantError::Corrupt(format!(
                    "grid index {j} of {levels} points"
                )));
            }
            *out.get_mut(i).ok_or_else(|| past_end(i))? = self.grid.value(j);
        }
        Ok(())
    }
}
