//! SimQ+, `k` repetitions of SimQ sent as a type (Mayekar & Tyagi, arXiv 2001.09032, §4.2,
//! Theorem 4.2).
//!
//! For `p in [2, inf]`, `q = p/(p-1)` and `||Y||_q <= B`, Hölder gives
//! `||Y||_1 <= B d^{1/p} =: B'`. SimQ+ runs `k` independent copies of SimQ with parameter
//! `B'` and outputs their average
//!
//! ```text
//! Q(Y) = (1/k) sum_{t=1..k} Q_SimQ^t(Y; B'),
//! ```
//!
//! so `E[Q(Y)|Y] = Y` and `E||Q(Y)||_2^2 = (B'||Y||_1 - ||Y||_2^2)/k + ||Y||_2^2
//! <= B^2 d^{2/p}/k + B^2 =: alpha_0^2`. SimQ draws coordinate `i` always with the sign of
//! `Y_i`, so the average depends only on the **type** of the `k` coordinate indices over the
//! `d + 1` symbols `{0, 1, ..., d}` (0 = the zero output) plus one sign per distinct nonzero
//! index. The message is that type, `ceil(log2 C(d + k, k)) <= k log2 e + k log2(d/k + 1)`
//! bits, then the sign bits (1 = negative) of the distinct nonzero indices in increasing
//! order — at most `min(k, d)` of them, and the decoder learns how many from the type. The
//! paper's count is `k log2 e + k log2(d/k + 1) + k`; its choice `k = d^{2/p}` gives
//! `alpha_0 <= sqrt(2) B`.
//!
//! In code: [`SimQPlus`]. The `k` draws use `k` private uniforms, sorted and merged with the
//! cumulative `|Y_i|` in `O(d + k log k)`; the type is coded exactly (quadratic in `k`, see
//! the type coder's docs), and one encode allocates two buffers of `k` entries.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::paper::norms::{
    MAX_DIM, check_ball, check_dim, check_exponent, check_positive, lq_norm,
};
use crate::paper::type_code::TypeCode;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// SimQ+ with `k` repetitions for inputs with `||y||_q <= B`, `p in [2, inf]`.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::SimQPlus;
/// let q = SimQPlus::with_default_reps(64, 1.0, 2.0)?; // p = 2: k = d = 64
/// assert_eq!(q.reps(), 64);
/// let max = q.bit_cost().max_bits().unwrap();
/// assert!((max as f64) <= q.paper_bits().unwrap()); // ceil(log2 C(128, 64)) + 64 <= 3.44 d
/// let y = vec![0.125f64; 64]; // ||y||_2 = 1
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(max);
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = vec![0.0; 64];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// // Every output coordinate is a multiple of B'/k = 8/64.
/// assert!(out.iter().all(|v| (v / 0.125).fract() == 0.0));
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimQPlus {
    dim: usize,
    bound: f64,
    p: f64,
    q: f64,
    reps: usize,
    scaled: f64,
    types: TypeCode,
}

impl SimQPlus {
    /// SimQ+ for dimension `dim >= 1`, `l_q` bound `B > 0` with `q` the conjugate of
    /// `p in [2, inf]`, and `reps = k >= 1` repetitions.
    ///
    /// Errors when the type code would exceed the exact coder's limit (`2^24` bits).
    pub fn new(dim: usize, bound: f64, p: f64, reps: usize) -> Result<Self, QuantError> {
        check_dim(dim)?;
        check_positive(bound, "the norm bound B")?;
        check_exponent(p, "p")?;
        if p < 2.0 {
            return Err(QuantError::InvalidParameter(format!(
                "SimQ+ is the p >= 2 scheme, got p = {p} (use SplitLp for p in [1, 2))"
            )));
        }
        if reps == 0 || reps > MAX_DIM {
            return Err(QuantError::InvalidParameter(format!(
                "SimQ+ needs 1..={MAX_DIM} repetitions, got {reps}"
            )));
        }
        let d = dim as u64;
        let k = reps as u64;
        let types = TypeCode::new(d + 1, k)?;
        let q = if p.is_infinite() { 1.0 } else { p / (p - 1.0) };
        Ok(Self {
            dim,
            bound,
            p,
            q,
            reps,
            scaled: bound * (dim as f64).powf(1.0 / p),
            types,
        })
    }

    /// SimQ+ with the paper's `k = ceil(d^{2/p})` (Theorem 3.1), giving `alpha_0 <= sqrt(2) B`.
    pub fn with_default_reps(dim: usize, bound: f64, p: f64) -> Result<Self, QuantError> {
        check_exponent(p, "p")?;
        let k = (dim as f64).powf(2.0 / p).ceil().max(1.0);
        if k > MAX_DIM as f64 {
            return Err(QuantError::InvalidParameter(format!(
                "d^(2/p) = {k} repetitions is too many"
            )));
        }
        Self::new(dim, bound, p, k as usize)
    }

    /// The number of repetitions `k`.
    pub fn reps(&self) -> usize {
        self.reps
    }

    /// The `l_q` bound `B`.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// The exponent `p`.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// SimQ's parameter `B' = B d^{1/p}`.
    pub fn simq_bound(&self) -> f64 {
        self.scaled
    }

    /// Bits of the type: `ceil(log2 C(d + k, k))`.
    pub fn type_bits(&self) -> usize {
        self.types.len()
    }

    /// `alpha_0 = sqrt(B^2 d^{2/p}/k + B^2)` (Theorem 4.2).
    pub fn alpha0(&self) -> f64 {
        let b2 = self.bound * self.bound;
        (self.scaled * self.scaled / self.reps as f64 + b2).sqrt()
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        check_ball(lq_norm(x, self.q), self.bound, "||y||_q")?;
        let draws = self.sample(x, rng);
        let signs = distinct_nonzero(&draws).count();
        out.ensure_room(self.types.len() + signs)?;
        let start = out.len();
        self.types.write(out, &draws)?;
        for i in distinct_nonzero(&draws) {
            let negative = x.get(i as usize - 1).is_some_and(|v| v.to_f64() < 0.0);
            out.write_bit(negative)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }

    /// `k` SimQ coordinate indices (0 = the zero output), non-decreasing.
    fn sample<T: Scalar>(&self, x: &[T], rng: &mut dyn RngCore) -> Vec<u64> {
        let mut u = Uniforms::new(rng);
        let mut thresholds: Vec<f64> = (0..self.reps).map(|_| u.unit_f64() * self.scaled).collect();
        thresholds.sort_unstable_by(f64::total_cmp);
        // Index i takes the thresholds in [S_{i-1}, S_i), S_i = sum_{j<=i} |x_j|: with sorted
        // thresholds that is one merge. Thresholds past S_d pick the zero output.
        let mut draws = Vec::with_capacity(self.reps);
        let mut next = thresholds.iter().peekable();
        let mut acc = 0.0;
        for (i, v) in (1u64..).zip(x) {
            acc += v.to_f64().abs();
            while next.next_if(|&&t| t < acc).is_some() {
                draws.push(i);
            }
        }
        let zeros = self.reps - draws.len();
        draws.resize(self.reps, 0);
        draws.rotate_right(zeros);
        draws
    }
}

/// The distinct nonzero values of a non-decreasing list, in increasing order.
fn distinct_nonzero(sorted: &[u64]) -> impl Iterator<Item = u64> + '_ {
    let mut prev = 0;
    sorted.iter().filter_map(move |&i| {
        let new = i != prev;
        prev = i;
        (new && i != 0).then_some(i)
    })
}

impl Quantizer for SimQPlus {
    fn name(&self) -> String {
        format!("simq+(B={}, p={}, k={})", self.bound, self.p, self.reps)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::AtMost(self.types.len() + self.reps.min(self.dim))
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// `alpha_0 = sqrt(B^2 d^{2/p}/k + B^2)`; [`Quantizer::mse_bound`] is exact.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Alpha0 {
            alpha0: self.alpha0(),
        }
    }

    /// Exactly `(B' ||y||_1 - ||y||_2^2)/k` for admissible `y`, `None` otherwise.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        check_ball(lq_norm(y, self.q), self.bound, "||y||_q").ok()?;
        let l1 = lq_norm(y, 1.0);
        let l2sq: f64 = y.iter().map(|v| v * v).sum();
        Some((self.scaled * l1 - l2sq).max(0.0) / self.reps as f64)
    }

    /// `k log2 e + k log2(d/k + 1) + k` (Theorem 4.2).
    fn paper_bits(&self) -> Option<f64> {
        let k = self.reps as f64;
        let d = self.dim as f64;
        Some(k * std::f64::consts::LOG2_E + k * (d / k + 1.0).log2() + k)
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
        let draws = self.types.read(bits)?;
        out.fill(0.0);
        let unit = self.scaled / self.reps as f64;
        let mut rest = draws.as_slice();
        while let Some(&i) = rest.first() {
            let run = rest.iter().take_while(|&&j| j == i).count();
            rest = rest.get(run..).unwrap_or(&[]);
            if i == 0 {
                continue;
            }
            let negative = bits.read_bit()?;
            if let Some(o) = out.get_mut(i as usize - 1) {
                let v = unit * run as f64;
                *o = if negative { -v } else { v };
            }
        }
        Ok(())
    }
}
