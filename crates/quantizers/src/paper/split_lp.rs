//! The split quantizer for `p in [1, 2)` (Mayekar & Tyagi, arXiv 2001.09032, §5,
//! Lemmas 5.1–5.2 and Theorem 3.1).
//!
//! For `p in [1, 2)`, `q = p/(p-1) in (2, inf]` and `||Y||_q <= B`, set (Theorem 3.1)
//!
//! ```text
//! Delta_2 = ceil(log2(1 + ln*(d/3))),
//! Delta_1 = ceil(log2(2 + sqrt(18 + 6 ln Delta_2) d^{1/2 - 1/q})),
//! c = B Delta_1^{1/q} / d^{1/q},
//! ```
//!
//! and split `Y = Y_1 + Y_2` into the small coordinates (`|Y_i| <= c`) and the large ones.
//! At most `d/Delta_1` coordinates are large (`||Y||_q <= B`). The message is
//! - the support of `Y_2` as a mask of `d` bits;
//! - `Y_1` by CUQ with `M = c` and `log2(k_1 + 1) = ceil(log2(2 sqrt2 Delta_1^{1/q} + 2))`
//!   (Lemma 5.1: `E||Q(Y_1)||_q^2 <= 3 B^2`);
//! - the restriction `Y_2'` of `Y_2` to its support by RATQ with
//!   `B' = B d^{1/2 - 1/q} >= ||Y_2'||_2`, dimension `d_2 = max(1, floor(d/Delta_1))` and
//!   `log2(k_2 + 1) = Delta_1` (Lemma 5.2: `E||Q(Y_2')||_q^2 <= 3 B^2`).
//!
//! `Q(Y)` is the sum of the two parts: unbiased, with `alpha_0 = sqrt(E||Q(Y)||_q^2) <=
//! sqrt(12) B` (the `l_q` version of `alpha_0` that Theorem 2.3 uses for `p < 2`). The paper
//! counts `d (ceil(log2(2 sqrt2 Delta_1^{1/q} + 2)) + 3) + Delta_2` bits.
//!
//! In code: [`SplitLp`]. Conventions where the text leaves a choice:
//! - `ln Delta_2` is taken as `ln max(Delta_2, 1)` (`Delta_2 = 0` for `d <= 3`), matching
//!   RATQ's block length `s = max(1, log2 h)`;
//! - the RATQ part always has `d_2` coordinates (the support first, zeros
//!   after), so every message has the same length; with `p = 1` (`q = inf`, `c = B`) no
//!   coordinate is large and that part always carries the zero vector;
//! - the mask is written as `d` plain bits (the paper: "less than `d` bits").

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::paper::cuq::Cuq;
use crate::paper::norms::{check_ball, check_dim, check_exponent, check_positive, lq_norm};
use crate::paper::range_table::ln_star;
use crate::paper::ratq::Ratq;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// The split quantizer for `||y||_q <= B`, `p in [1, 2)`: CUQ for the small coordinates,
/// a support mask and RATQ for the large ones.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::SplitLp;
/// let q = SplitLp::new(256, 1.0, 1.5)?; // q = 3
/// assert_eq!((q.delta1(), q.delta2()), (4, 2));
/// assert!((q.threshold() - 0.25).abs() < 1e-12); // c = B (Delta_1/d)^{1/q} = (4/256)^{1/3}
/// let mut y = vec![0.0f64; 256];
/// y[3] = 0.9; // one large coordinate, sent through RATQ
/// y[4] = -0.05; // small coordinates, sent through CUQ
/// let state = PublicState::new(5);
/// let mut w = BitWriter::with_capacity(q.bit_cost().exact().unwrap());
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = vec![0.0; 256];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// assert!((out[3] - 0.9).abs() < 1.0);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SplitLp {
    dim: usize,
    bound: f64,
    p: f64,
    q: f64,
    delta1: u32,
    delta2: u32,
    threshold: f64,
    small: Cuq,
    large: Ratq,
    large_dim: usize,
}

/// Largest `Delta_1` (the RATQ part's `log2(k_2 + 1)`), far above any real dimension's.
const MAX_DELTA1: u32 = 62;

impl SplitLp {
    /// The split quantizer for dimension `dim >= 1`, bound `B > 0` and `p in [1, 2)`.
    pub fn new(dim: usize, bound: f64, p: f64) -> Result<Self, QuantError> {
        check_dim(dim)?;
        check_positive(bound, "the norm bound B")?;
        check_exponent(p, "p")?;
        if p >= 2.0 {
            return Err(QuantError::InvalidParameter(format!(
                "the split quantizer is the p in [1, 2) scheme, got p = {p} (use SimQPlus)"
            )));
        }
        let inv_q = 1.0 - 1.0 / p; // 1/q, 0 at p = 1
        let q = if inv_q == 0.0 {
            f64::INFINITY
        } else {
            1.0 / inv_q
        };
        let d = dim as f64;
        let delta2 = f64::from(1 + ln_star(d / 3.0)).log2().ceil() as u32;
        let ln_delta2 = f64::from(delta2.max(1)).ln();
        let spread = d.powf(0.5 - inv_q); // d^{1/2 - 1/q}
        let delta1 = (2.0 + (18.0 + 6.0 * ln_delta2).sqrt() * spread)
            .log2()
            .ceil();
        if delta1.is_nan() || delta1 > f64::from(MAX_DELTA1) {
            return Err(QuantError::InvalidParameter(format!(
                "Delta_1 = {delta1} is too large for dimension {dim}"
            )));
        }
        let delta1 = delta1 as u32;
        let delta1_q = f64::from(delta1).powf(inv_q); // Delta_1^{1/q}
        let threshold = bound * delta1_q / d.powf(inv_q);
        let small_bits = (2.0 * std::f64::consts::SQRT_2 * delta1_q + 2.0)
            .log2()
            .ceil() as u32;
        let small = Cuq::new(dim, threshold, (1u64 << small_bits) - 1)?;
        // Fewer than d/Delta_1 coordinates exceed c (c^q times their number is below B^q).
        let large_dim = (dim / delta1 as usize).max(1);
        let large = Ratq::new(large_dim, bound * spread, (1u64 << delta1) - 1)?;
        Ok(Self {
            dim,
            bound,
            p,
            q,
            delta1,
            delta2,
            threshold,
            small,
            large,
            large_dim,
        })
    }

    /// The `l_q` bound `B`.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// The exponent `p`.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// The conjugate exponent `q = p/(p-1)` (`inf` at `p = 1`).
    pub fn q(&self) -> f64 {
        self.q
    }

    /// `Delta_1` of Theorem 3.1.
    pub fn delta1(&self) -> u32 {
        self.delta1
    }

    /// `Delta_2` of Theorem 3.1.
    pub fn delta2(&self) -> u32 {
        self.delta2
    }

    /// The split threshold `c = B Delta_1^{1/q} / d^{1/q}`.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The CUQ of the small coordinates.
    pub fn small(&self) -> &Cuq {
        &self.small
    }

    /// The RATQ of the large coordinates (dimension `max(1, floor(d/Delta_1))`).
    pub fn large(&self) -> &Ratq {
        &self.large
    }

    /// `alpha_0(Q; p) = sup sqrt(E||Q(Y)||_q^2) <= sqrt(12) B` (end of §5).
    pub fn alpha0_q(&self) -> f64 {
        12f64.sqrt() * self.bound
    }

    /// Bits of every message: the `d`-bit mask, CUQ's and RATQ's messages.
    pub fn message_bits(&self) -> usize {
        self.dim + self.small.message_bits() + self.large.message_bits()
    }

    fn is_large(&self, v: f64) -> bool {
        v.abs() > self.threshold
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        check_ball(lq_norm(x, self.q), self.bound, "||y||_q")?;
        let count = x.iter().filter(|v| self.is_large(v.to_f64())).count();
        if count > self.large_dim {
            return Err(QuantError::OutOfRange {
                what: format!(
                    "{count} coordinates above the threshold {}, at most {} allowed",
                    self.threshold, self.large_dim
                ),
            });
        }
        let mut restricted = vec![0.0; self.large_dim];
        for (r, v) in restricted
            .iter_mut()
            .zip(x.iter().map(|v| v.to_f64()).filter(|&v| self.is_large(v)))
        {
            *r = v;
        }
        // RATQ checks its own ball; checking it here first keeps a failure all-or-nothing.
        check_ball(lq_norm(&restricted, 2.0), self.large.bound(), "||Y_2||_2")?;
        out.ensure_room(self.message_bits())?;
        let start = out.len();
        for chunk in x.chunks(64) {
            let word = chunk.iter().enumerate().fold(0u64, |w, (b, v)| {
                w | (u64::from(self.is_large(v.to_f64())) << b)
            });
            out.write_bits(word, chunk.len() as u32)?;
        }
        {
            let mut u = Uniforms::new(rng);
            let small = x.iter().map(|v| {
                let v = v.to_f64();
                if self.is_large(v) { 0.0 } else { v }
            });
            self.small.write_values(small, &mut u, out)?;
        }
        self.large
            .encode(Input::F64(&restricted), state, rng, out)?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

impl Quantizer for SplitLp {
    fn name(&self) -> String {
        format!("split-lp(p={}, B={})", self.p, self.bound)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.message_bits())
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// Input dependent: see [`Quantizer::mse_bound`]. The paper's bound is on the `l_q` norm,
    /// `alpha_0(Q; p) <= sqrt(12) B` ([`SplitLp::alpha0_q`]).
    fn variance(&self) -> VarianceBound {
        VarianceBound::InputDependent
    }

    /// For admissible `y`: the exact CUQ variance of the small coordinates plus, when some
    /// coordinate is large, RATQ's bound at `B'` (the two errors live on disjoint
    /// coordinates and are independent and zero-mean, so their squared norms add).
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        check_ball(lq_norm(y, self.q), self.bound, "||y||_q").ok()?;
        let grid = self.small.grid();
        let small: f64 = y
            .iter()
            .filter(|&&v| !self.is_large(v))
            .map(|&v| grid.rounding_variance(v))
            .sum();
        let any_large = y.iter().any(|&v| self.is_large(v));
        Some(
            small
                + if any_large {
                    self.large.stated_mse()
                } else {
                    0.0
                },
        )
    }

    /// `d (ceil(log2(2 sqrt2 Delta_1^{1/q} + 2)) + 3) + Delta_2` (Theorem 3.1).
    fn paper_bits(&self) -> Option<f64> {
        let delta1_q = f64::from(self.delta1).powf(1.0 / self.q);
        let b = (2.0 * std::f64::consts::SQRT_2 * delta1_q + 2.0)
            .log2()
            .ceil();
        Some(self.dim as f64 * (b + 3.0) + f64::from(self.delta2))
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        match input {
            Input::F32(x) => self.encode_slice(x, state, rng, out),
            Input::F64(x) => self.encode_slice(x, state, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        bits.ensure_available(self.message_bits())?;
        // Count the support now, scatter along it later with a second cursor.
        let mut mask = bits.clone();
        let mut count = 0usize;
        for chunk in out.chunks(64) {
            count += bits.read_bits(chunk.len() as u32)?.count_ones() as usize;
        }
        if count > self.large_dim {
            return Err(QuantError::Corrupt(format!(
                "support of {count} coordinates, at most {} possible",
                self.large_dim
            )));
        }
        self.small.read_values(bits, out)?;
        let mut restricted = vec![0.0; self.large_dim];
        self.large.decode(bits, state, &mut restricted)?;
        let mut large = restricted.iter();
        for chunk in out.chunks_mut(64) {
            let word = mask.read_bits(chunk.len() as u32)?;
            for (b, o) in chunk.iter_mut().enumerate() {
                if (word >> b) & 1 == 1 {
                    *o += large.next().copied().unwrap_or(0.0);
                }
            }
        }
        Ok(())
    }
}
