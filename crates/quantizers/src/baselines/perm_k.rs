//! Perm-k: correlated rand-k for `n` workers (Szlendak, Tyurin & Richtárik, "Permutation
//! compressors for provably faster distributed nonconvex optimization", ICLR 2022; the
//! `PermutationCompressor` of the notes' reference code, §5.6).
//!
//! Every worker draws the same random permutation `pi` of the `n` workers and `sigma` of the
//! `d` coordinates. `sigma` is cut into `n` consecutive blocks, the first `d mod n` of size
//! `ceil(d/n)` and the rest `floor(d/n)`; worker `i` sends block `B_pi(i)`, scaled by `n`:
//! `C_i(v)_j = n v_j` for `j in B_pi(i)`, `0` elsewhere. Then
//! - each `C_i` is unbiased: `P(j in B_pi(i)) = sum_b P(pi(i) = b) |B_b|/d = 1/n` (the worker
//!   permutation is what makes this exact when `n` does not divide `d`), and
//!   `E||C_i(v)||^2 = n ||v||^2`, so `omega = n - 1`;
//! - the blocks partition `[d]`, so the average over the workers is exact:
//!   `(1/n) sum_i C_i(v) = v` when every worker compresses the same `v`.
//!
//! Both permutations come from public coins keyed **without** the worker
//! (`state.with_worker(0).coins(Purpose::Selection)`), so all workers and the server agree;
//! the worker index itself is [`PublicState::worker`] and must be below `n`. Requires `d >= n`.
//!
//! In code: [`PermK`]. The message is the block's values in `sigma` order, one [`ScalarCode`]
//! each (default [`ScalarCode::F32Stochastic`]); the decoder multiplies by `n`. At most
//! `ceil(d/n) c` bits, exactly `(d/n) c` when `n` divides `d`. The block is the message's
//! [`Quantizer::support`], so links that charge per coordinate charge `|B_pi(i)|`.

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use super::rand_k::scaled_output_fits;
use super::scalar_error;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, Purpose, QuantError, Quantizer, Scalar,
    ScalarCode, VarianceBound,
};

/// Perm-k for `n` workers (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::PermK};
///
/// let q = PermK::new(6, 3)?; // d = 6, n = 3: two coordinates per worker
/// let v = [1.0f64, -2.0, 3.0, 0.5, 0.25, 8.0];
/// let round = PublicState::new(11).with_round(2);
/// let mut average = [0.0; 6];
/// for worker in 0..3 {
///     let state = round.with_worker(worker);
///     let mut w = BitWriter::with_capacity(64);
///     q.encode((&v).into(), &state, &mut rand::rng(), &mut w)?;
///     let msg = w.finish();
///     let mut out = [0.0; 6];
///     q.decode(&mut msg.reader(), &state, &mut out)?;
///     assert_eq!(out.iter().filter(|x| **x != 0.0).count(), 2);
///     for (a, o) in average.iter_mut().zip(out) {
///         *a += o / 3.0;
///     }
/// }
/// assert_eq!(average, v); // the blocks partition the coordinates
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PermK {
    dim: usize,
    workers: u32,
    scale: ScalarCode,
}

impl PermK {
    /// Perm-k for dimension `dim` and `1 <= workers <= dim` workers.
    pub fn new(dim: usize, workers: u32) -> Result<Self, QuantError> {
        if workers == 0 {
            return Err(QuantError::InvalidParameter(
                "perm-k needs at least one worker".into(),
            ));
        }
        if dim < workers as usize {
            return Err(QuantError::InvalidParameter(format!(
                "perm-k needs d >= n, got d = {dim} and n = {workers}"
            )));
        }
        Ok(Self {
            dim,
            workers,
            scale: ScalarCode::F32Stochastic,
        })
    }

    /// The same scheme with the values sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// The number of workers `n`.
    pub fn workers(&self) -> u32 {
        self.workers
    }

    /// The coordinates of `state.worker`'s block this round, in `sigma` order.
    ///
    /// Errors if the worker index is not below `n`.
    pub fn block(&self, state: &PublicState<'_>) -> Result<Vec<usize>, QuantError> {
        let worker = state.worker as usize;
        let n = self.workers as usize;
        if worker >= n {
            return Err(QuantError::OutOfRange {
                what: format!("worker {worker} of a perm-k for {n} workers"),
            });
        }
        let mut coins = state.with_worker(0).coins(Purpose::Selection);
        let mut u = Uniforms::new(&mut coins);
        // pi: a Fisher-Yates shuffle of the workers; only pi(worker) is needed, but every
        // worker must consume the same coins.
        let mut pi: Vec<usize> = (0..n).collect();
        shuffle_prefix(&mut pi, n, &mut u);
        let b = pi.get(worker).copied().unwrap_or(0);
        let (q, r) = (self.dim / n, self.dim % n);
        let start = b * q + b.min(r);
        let end = start + q + usize::from(b < r);
        // sigma: a forward Fisher-Yates shuffle fixes sigma[j] at step j, so steps 0..end
        // suffice and give every worker the same prefix.
        let mut sigma: Vec<usize> = (0..self.dim).collect();
        shuffle_prefix(&mut sigma, end, &mut u);
        sigma.truncate(end);
        Ok(sigma.split_off(start))
    }

    fn max_block(&self) -> usize {
        self.dim.div_ceil(self.workers as usize)
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let block = self.block(state)?;
        let factor = f64::from(self.workers);
        let mut u = Uniforms::new(rng);
        // Round every value before writing, so that a failure leaves the writer untouched.
        let values = block
            .iter()
            .map(|&j| {
                let v = x.get(j).map_or(0.0, |v| v.to_f64());
                scaled_output_fits(factor, v)?;
                self.scale.round(v, u.unit_f64())
            })
            .collect::<Result<Vec<f64>, QuantError>>()?;
        out.ensure_room(values.len() * self.scale.bits())?;
        let start = out.len();
        for v in values {
            self.scale.write(out, v)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

/// The first `steps` steps of a forward Fisher-Yates shuffle: step `j` swaps `v[j]` with a
/// uniform `v[j..]`, after which `v[..steps]` is a uniform ordered sample of `v`.
fn shuffle_prefix(v: &mut [usize], steps: usize, u: &mut Uniforms<'_>) {
    let len = v.len();
    for j in 0..steps.min(len.saturating_sub(1)) {
        let pick = j + u.below((len - j) as u64) as usize;
        v.swap(j, pick.min(len - 1));
    }
}

impl Quantizer for PermK {
    fn name(&self) -> String {
        format!(
            "perm-k(n={}{})",
            self.workers,
            scalar_error::tag(self.scale, ScalarCode::F32Stochastic)
        )
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        let bits = self.max_block() * self.scale.bits();
        if self.dim.is_multiple_of(self.workers as usize) {
            BitCost::Exact(bits)
        } else {
            BitCost::AtMost(bits)
        }
    }

    fn bias(&self) -> Bias {
        scalar_error::bias_of(self.scale)
    }

    /// Per worker, `omega = n - 1`, with the scalar code's rounding.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Relative {
            omega: scalar_error::inflate_omega(self.scale, f64::from(self.workers) - 1.0),
        }
    }

    /// The block of `state.worker`, sorted: the coordinates the message describes (a public
    /// function of the round's coins). `None` for a worker index outside `0..n`.
    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        let mut block = self.block(state).ok()?;
        block.sort_unstable();
        Some(block)
    }

    /// `32 d/n`.
    fn paper_bits(&self) -> Option<f64> {
        Some(32.0 * self.dim as f64 / f64::from(self.workers))
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
        let block = self.block(state)?;
        bits.ensure_available(block.len() * self.scale.bits())?;
        let factor = f64::from(self.workers);
        out.fill(0.0);
        for j in block {
            let v = self.scale.decode(bits)?;
            if let Some(o) = out.get_mut(j) {
                *o = factor * v;
                if !o.is_finite() {
                    return Err(QuantError::Corrupt("perm-k output overflows f64".into()));
                }
            }
        }
        Ok(())
    }
}
