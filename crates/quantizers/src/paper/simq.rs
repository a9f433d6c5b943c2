//! SimQ, the simplex quantizer (Mayekar & Tyagi, arXiv 2001.09032, §4.1, Theorem 4.1).
//!
//! For `||Y||_1 <= B`, `Y` is a convex combination of the `2d + 1` points
//! `{0} ∪ {±B e_i}`. SimQ samples one of them by `l1` sampling:
//!
//! ```text
//! i' = sign(Y_i) i   with probability |Y_i| / B   (i = 1..d),
//! i' = 0             with probability 1 - ||Y||_1 / B,
//! ```
//!
//! and the decoder outputs `Q(Y) = B sign(i') e_|i'|` (or `0`). Hence `E[Q(Y)|Y] = Y`,
//! `||Q(Y)||_2 <= B` surely (`alpha_0 <= B`), and
//! `E||Q(Y) - Y||_2^2 = B ||Y||_1 - ||Y||_2^2` exactly. The index `i'` takes `2d + 1`
//! values: `ceil(log2(2d + 1))` bits (the paper writes `log2(2d + 1)`).
//!
//! In code: [`SimQ`]; the symbol written is `i' + d` in `0..=2d` with [`bitcodec::Uniform`].
//! Sampling uses one private uniform `u` and a cumulative scan (pick the first `i` with
//! `u B < sum_{j<=i} |Y_j|`): `O(d)` time, which the range check needs anyway, and no
//! allocation.

use bitcodec::{BitReader, BitWriter, Uniform};
use rand::RngCore;

use crate::paper::norms::{check_ball, check_dim, check_positive, lq_norm};
use crate::quantizer::check_output;
use crate::random::unit_f64;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// The simplex quantizer for inputs with `||y||_1 <= B`.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::SimQ;
/// let q = SimQ::new(100, 1.0)?;
/// assert_eq!(q.bit_cost().exact(), Some(8)); // ceil(log2 201)
/// let y = [0.25f64; 100].map(|v| v / 100.0); // ||y||_1 = 0.25
/// let state = PublicState::new(3);
/// let mut w = BitWriter::with_capacity(8);
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = [0.0; 100];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// // Q(y) is 0 or one coordinate set to +B.
/// assert!(out.iter().filter(|&&v| v != 0.0).count() <= 1);
/// assert!(out.iter().all(|&v| v == 0.0 || v == 1.0));
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimQ {
    dim: usize,
    bound: f64,
    code: Uniform,
}

impl SimQ {
    /// SimQ for dimension `1 <= dim <=` [`MAX_DIM`](crate::paper::MAX_DIM) and `l1` bound
    /// `B > 0`.
    pub fn new(dim: usize, bound: f64) -> Result<Self, QuantError> {
        check_dim(dim)?;
        check_positive(bound, "the l1 bound B")?;
        Ok(Self {
            dim,
            bound,
            code: Uniform::new(2 * dim as u64 + 1)?,
        })
    }

    /// The `l1` bound `B`.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        check_ball(lq_norm(x, 1.0), self.bound, "||y||_1")?;
        out.ensure_room(self.code.len())?;
        let threshold = unit_f64(rng) * self.bound;
        let symbol = sample_index(x, threshold);
        let start = out.len();
        self.code.encode(out, symbol)?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

/// The SimQ symbol `i' + d` for the threshold `t = u B`: the first `i` (1-based) whose
/// cumulative `sum_{j<=i} |x_j|` exceeds `t`, signed like `x_i`; `0` when none does.
fn sample_index<T: Scalar>(x: &[T], threshold: f64) -> u64 {
    let d = x.len() as u64;
    let mut acc = 0.0;
    for (i, v) in (1u64..).zip(x) {
        let v = v.to_f64();
        acc += v.abs();
        if threshold < acc {
            return if v < 0.0 { d - i } else { d + i };
        }
    }
    d
}

impl Quantizer for SimQ {
    fn name(&self) -> String {
        format!("simq(B={})", self.bound)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.code.len())
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// `alpha_0 = B` (Theorem 4.1); [`Quantizer::mse_bound`] gives the exact
    /// `B ||y||_1 - ||y||_2^2`.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Alpha0 { alpha0: self.bound }
    }

    /// Exactly `B ||y||_1 - ||y||_2^2` for admissible `y`, `None` otherwise.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        let l1 = lq_norm(y, 1.0);
        check_ball(l1, self.bound, "||y||_1").ok()?;
        let l2sq: f64 = y.iter().map(|v| v * v).sum();
        Some((self.bound * l1 - l2sq).max(0.0))
    }

    /// `log2(2d + 1)` (Theorem 4.1, without the ceiling).
    fn paper_bits(&self) -> Option<f64> {
        Some((2.0 * self.dim as f64 + 1.0).log2())
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        match input {
            Input::F32(x) => self.encode_slice(x, rng, out),
            Input::F64(x) => self.encode_slice(x, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        let symbol = self.code.decode(bits)?;
        out.fill(0.0);
        let d = self.dim as u64;
        let (index, value) = if symbol > d {
            (symbol - d, self.bound)
        } else {
            (d - symbol, -self.bound)
        };
        if index > 0
            && let Some(o) = out.get_mut(index as usize - 1)
        {
            *o = value;
        }
        Ok(())
    }
}
