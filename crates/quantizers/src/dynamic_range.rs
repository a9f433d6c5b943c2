//! The uniform scalar quantizer with a dynamic range, as used by DQ-GD and naive QGD
//! (Lin, Kostina & Hassibi, arXiv 2002.02508, §3–5).
//!
//! In iteration `i` the quantizer covers the cube `[-M_i, M_i]^n` with `2^{b_j}` cells per
//! coordinate and reconstructs at cell midpoints (nearest-neighbour mapping), so each
//! coordinate's error is at most `M_i 2^{-b_j}` and, at an integer rate `R = b_j`,
//! `||q(u) - u|| <= sqrt(n) 2^{-R} M_i`: the space-filling loss `d_n = sqrt(n)` of Remark 8.
//! A message has exactly `floor(n R)` bits; at a fractional rate the `floor(nR) mod n` extra
//! bits go to coordinates chosen by public coins, as in the paper's experiments.
//!
//! The range `M_i` follows a public [`RangeSchedule`] of the iteration (the round), so the
//! decoder knows it without being told:
//! - DQ-GD (Lemma 12, with the `rho^j` of the proof, eqs. (87)–(90); the printed eq. (46)
//!   has `rho^i`): `M_i = 2 L r sum_{j=0..i} rho^j (d_n 2^-R)^{i-j}`;
//! - naive QGD (eq. (101)): `M_i = 2 L r (rho + (d_n 2^-R) eta L)^i`.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;
use rand::seq::index::sample;

use crate::quantizer::check_output;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, Purpose, QuantError, Quantizer, Scalar,
    VarianceBound,
};

/// Inputs within this relative distance outside `[-M, M]` are floating-point rounding of an
/// in-range value (the schedules bound `||u||` in exact arithmetic) and go to the edge cell
/// without counting as a clip.
const EDGE_TOLERANCE: f64 = 1e-9;

/// Largest per-coordinate rate: beyond 52 bits the cells are finer than an `f64` ulp.
pub const MAX_RATE: f64 = 52.0;

/// The range `M_i` as a public function of the iteration `i` (the round).
#[derive(Debug, Clone, PartialEq)]
pub enum RangeSchedule {
    /// `M_i = m` for every `i`.
    Constant(f64),
    /// `M_i = m0 ratio^i` (naive QGD: `m0 = 2 L r`, `ratio = rho + (d_n 2^-R) eta L`).
    Geometric {
        /// `M_0`.
        m0: f64,
        /// The per-iteration factor.
        ratio: f64,
    },
    /// `M_i = m0 sum_{j=0..i} rho^j c^{i-j}` (DQ-GD: `m0 = 2 L r`, `c = d_n 2^-R`).
    DqGd {
        /// `M_0 = 2 L r`.
        m0: f64,
        /// GD's contraction `rho_eta`.
        rho: f64,
        /// The quantizer's contraction `c = d_n 2^-R`.
        c: f64,
    },
    /// Explicit ranges, one per iteration; iterations past the end are an error.
    Table(Vec<f64>),
}

impl RangeSchedule {
    /// The DQ-GD schedule for an `L`-smooth problem whose start and minimizer lie in a ball
    /// of radius `r`, with GD contraction `rho` and quantizer loss `d_n` at rate `R`.
    pub fn dqgd(l: f64, r: f64, rho: f64, d_n: f64, rate: f64) -> Self {
        RangeSchedule::DqGd {
            m0: 2.0 * l * r,
            rho,
            c: d_n * (-rate).exp2(),
        }
    }

    /// The naive-QGD schedule (eq. (101)) with step `eta`.
    pub fn naive(l: f64, r: f64, rho: f64, d_n: f64, rate: f64, eta: f64) -> Self {
        RangeSchedule::Geometric {
            m0: 2.0 * l * r,
            ratio: rho + d_n * (-rate).exp2() * eta * l,
        }
    }

    fn validate(&self) -> Result<(), QuantError> {
        let ok = |v: f64| v.is_finite() && v > 0.0;
        let nonneg = |v: f64| v.is_finite() && v >= 0.0;
        let valid = match self {
            RangeSchedule::Constant(m) => ok(*m),
            RangeSchedule::Geometric { m0, ratio } => ok(*m0) && nonneg(*ratio),
            RangeSchedule::DqGd { m0, rho, c } => ok(*m0) && nonneg(*rho) && nonneg(*c),
            RangeSchedule::Table(t) => !t.is_empty() && t.iter().all(|&m| ok(m)),
        };
        if valid {
            Ok(())
        } else {
            Err(QuantError::InvalidParameter(format!(
                "range schedule needs positive finite ranges and non-negative factors: {self:?}"
            )))
        }
    }

    /// `M_i`. Errors past the end of a table, or when the range underflows to zero or
    /// overflows.
    pub fn range(&self, i: u64) -> Result<f64, QuantError> {
        let m = match self {
            RangeSchedule::Constant(m) => *m,
            RangeSchedule::Geometric { m0, ratio } => m0 * ratio.powf(i as f64),
            RangeSchedule::DqGd { m0, rho, c } => m0 * geometric_mix(*rho, *c, i),
            RangeSchedule::Table(t) => *t.get(i as usize).ok_or(QuantError::MissingState(
                "range table has no entry for this round",
            ))?,
        };
        if m.is_finite() && m > 0.0 {
            Ok(m)
        } else {
            Err(QuantError::OutOfRange {
                what: format!("dynamic range M_{i} = {m} is not a positive finite number"),
            })
        }
    }
}

/// `sum_{j=0..i} a^j b^{i-j}`, evaluated without cancellation when `a` and `b` are close.
fn geometric_mix(a: f64, b: f64, i: u64) -> f64 {
    let (big, small) = if a >= b { (a, b) } else { (b, a) };
    if big == 0.0 {
        return if i == 0 { 1.0 } else { 0.0 };
    }
    let ratio = small / big; // in [0, 1]
    let n = i as f64 + 1.0;
    // (1 - ratio^n)/(1 - ratio), with its limit n at ratio = 1.
    let sum = if 1.0 - ratio < 1e-12 {
        n
    } else {
        -(n * ratio.ln()).exp_m1() / (1.0 - ratio)
    };
    big.powf(i as f64) * sum
}

/// What to do with an input coordinate outside `[-M_i, M_i]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overload {
    /// Return [`QuantError::OutOfRange`] (the default: overload is never silent).
    #[default]
    Error,
    /// Map it to the edge cell and count it in [`EncodeStats::clipped`].
    Clip,
}

/// The uniform scalar quantizer of DQ-GD's experiments: nearest cell midpoint on
/// `[-M_i, M_i]^n`, `floor(nR)` bits per message.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{DynamicRangeQuantizer, PublicState, Quantizer, RangeSchedule};
/// let q = DynamicRangeQuantizer::new(2, 3.0, RangeSchedule::Constant(1.0))?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(6);
/// q.encode((&[0.3f64, -0.9]).into(), &state, &mut rand::rng(), &mut w)?;
/// let msg = w.finish();
/// let mut out = [0.0; 2];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert_eq!(out, [0.375, -0.875]); // 8 cells of width 1/4, midpoints
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicRangeQuantizer {
    dim: usize,
    rate: f64,
    total_bits: usize,
    base_bits: u32,
    extra: usize,
    schedule: RangeSchedule,
    overload: Overload,
}

impl DynamicRangeQuantizer {
    /// A quantizer for dimension `dim >= 1` at `rate` bits per coordinate
    /// (`0 < rate <= 52`, fractional allowed) with range schedule `schedule`.
    pub fn new(dim: usize, rate: f64, schedule: RangeSchedule) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if !(rate.is_finite() && rate > 0.0 && rate <= MAX_RATE) {
            return Err(QuantError::InvalidParameter(format!(
                "rate must be in (0, {MAX_RATE}] bits per coordinate, got {rate}"
            )));
        }
        schedule.validate()?;
        let total_bits = (dim as f64 * rate).floor() as usize;
        if total_bits == 0 {
            return Err(QuantError::InvalidParameter(format!(
                "rate {rate} gives no bits for dimension {dim}"
            )));
        }
        Ok(Self {
            dim,
            rate,
            total_bits,
            base_bits: (total_bits / dim) as u32,
            extra: total_bits % dim,
            schedule,
            overload: Overload::Error,
        })
    }

    /// The same quantizer with another overload policy.
    pub fn with_overload(mut self, overload: Overload) -> Self {
        self.overload = overload;
        self
    }

    /// The rate `R` in bits per coordinate.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The range schedule.
    pub fn schedule(&self) -> &RangeSchedule {
        &self.schedule
    }

    /// `M_i` for a round.
    pub fn range(&self, round: u64) -> Result<f64, QuantError> {
        self.schedule.range(round)
    }

    /// The space-filling loss `d_n = sqrt(n)` of this scalar quantizer.
    pub fn space_filling_loss(&self) -> f64 {
        (self.dim as f64).sqrt()
    }

    /// The worst-case error `sup ||q(u) - u||` over `u` in the round's cube:
    /// `M_i sqrt(sum_j 4^{-b_j})`.
    pub fn max_error(&self, round: u64) -> Result<f64, QuantError> {
        let m = self.range(round)?;
        let base = (-(f64::from(self.base_bits))).exp2();
        let rich = base / 2.0;
        let sum = (self.dim - self.extra) as f64 * base * base + self.extra as f64 * rich * rich;
        Ok(m * sum.sqrt())
    }

    /// Bits of each coordinate this round: `base_bits`, plus one for the coordinates the
    /// public coins pick to carry the remainder.
    fn with_bits<F: FnMut(usize, u32) -> Result<(), QuantError>>(
        &self,
        state: &PublicState<'_>,
        mut f: F,
    ) -> Result<(), QuantError> {
        if self.extra == 0 {
            for j in 0..self.dim {
                f(j, self.base_bits)?;
            }
            return Ok(());
        }
        let mut rich = vec![false; self.dim];
        let mut coins = state.coins(Purpose::Selection);
        for j in sample(&mut coins, self.dim, self.extra) {
            if let Some(slot) = rich.get_mut(j) {
                *slot = true;
            }
        }
        for (j, &r) in rich.iter().enumerate() {
            f(j, self.base_bits + u32::from(r))?;
        }
        Ok(())
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        state: &PublicState<'_>,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let m = self.range(state.round)?;
        let tolerance = m * EDGE_TOLERANCE;
        let mut clipped = 0;
        // Check everything first, so an error leaves the writer untouched.
        for (j, v) in x.iter().enumerate() {
            let v = v.to_f64();
            if v.abs() > m + tolerance {
                match self.overload {
                    Overload::Error => {
                        return Err(QuantError::OutOfRange {
                            what: format!("coordinate {j} = {v} outside [-{m}, {m}]"),
                        });
                    }
                    Overload::Clip => clipped += 1,
                }
            }
        }
        out.ensure_room(self.total_bits)?;
        let start = out.len();
        self.with_bits(state, |j, b| {
            if b == 0 {
                return Ok(());
            }
            let v = x.get(j).map_or(0.0, |v| v.to_f64()).clamp(-m, m);
            let cells = (1u64 << b) as f64;
            let idx = ((v + m) / (2.0 * m) * cells)
                .floor()
                .clamp(0.0, cells - 1.0) as u64;
            out.write_bits(idx, b)?;
            Ok(())
        })?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped,
        })
    }
}

impl Quantizer for DynamicRangeQuantizer {
    fn name(&self) -> String {
        format!("dynamic-range(R={})", self.rate)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.total_bits)
    }

    fn bias(&self) -> Bias {
        Bias::Biased("deterministic nearest-midpoint rounding: |q_j - u_j| <= M_i 2^-b_j")
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// The worst case at round 0; see [`DynamicRangeQuantizer::max_error`] for other rounds.
    fn mse_bound(&self, _y: &[f64]) -> Option<f64> {
        self.max_error(0).ok().map(|e| e * e)
    }

    fn mse_bound_at(&self, _y: &[f64], state: &PublicState<'_>) -> Option<f64> {
        self.max_error(state.round).ok().map(|e| e * e)
    }

    fn paper_bits(&self) -> Option<f64> {
        Some((self.dim as f64 * self.rate).floor())
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        match input {
            Input::F32(x) => self.encode_slice(x, state, out),
            Input::F64(x) => self.encode_slice(x, state, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        let m = self.range(state.round)?;
        bits.ensure_available(self.total_bits)?;
        out.fill(0.0);
        self.with_bits(state, |j, b| {
            if b == 0 {
                return Ok(());
            }
            let idx = bits.read_bits(b)?;
            let cells = (1u64 << b) as f64;
            if let Some(o) = out.get_mut(j) {
                *o = -m + (idx as f64 + 0.5) * (2.0 * m / cells);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dqgd_schedule_matches_its_recursion() {
        // M_0 = m0, M_{i+1} = m0 rho^{i+1} + c M_i (the recursion form of Lemma 12).
        let (m0, rho, c) = (3.0, 0.8, 0.5);
        let s = RangeSchedule::DqGd { m0, rho, c };
        let mut m = m0;
        for i in 0..40u64 {
            let got = s.range(i).unwrap();
            assert!((got - m).abs() <= 1e-12 * m, "i={i}: {got} vs {m}");
            m = m0 * rho.powi(i as i32 + 1) + c * m;
        }
    }

    #[test]
    fn dqgd_schedule_at_a_tie_is_m0_times_i_plus_one_rho_to_the_i() {
        let s = RangeSchedule::DqGd {
            m0: 2.0,
            rho: 0.5,
            c: 0.5,
        };
        assert!((s.range(4).unwrap() - 2.0 * 5.0 * 0.5f64.powi(4)).abs() < 1e-15);
    }
}
