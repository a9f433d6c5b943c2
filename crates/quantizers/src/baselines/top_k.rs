//! Top-k sparsification: keep the `k` largest magnitudes (see Stich, Cordonnier & Jaggi,
//! "Sparsified SGD with memory", NeurIPS 2018, arXiv 1809.07599, for its analysis).
//!
//! `C(v)_i = v_i` for `i` in the set `S` of the `k` largest `|v_i|` (ties go to the lower
//! index, so `S` is a deterministic function of `v`), and `0` elsewhere. It is biased and
//! contractive, with the exact error the sum of the `d - k` smallest squares:
//!
//! `||C(v) - v||^2 = sum_{i not in S} v_i^2 <= (1 - k/d) ||v||^2`,
//!
//! since the dropped coordinates have at most the average square. The bound is attained by
//! flat vectors.
//!
//! In code: [`TopK`]. The message is the set `S` in the exact enumerative code
//! ([`SubsetCode`], `ceil(log2 C(d, k))` bits) followed by the kept values in increasing
//! index order, one [`ScalarCode`] each (default [`ScalarCode::F32Nearest`]): exactly
//! `ceil(log2 C(d, k)) + k c` bits. Selection is `O(d)` expected
//! (`select_nth_unstable_by`); the subset code costs `O(d)` big-integer steps of
//! `O(log2 C(d, k) / 64)` words each.

use bitcodec::{BitReader, BitWriter, SubsetCode};
use rand::RngCore;

use super::scalar_error;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, ScalarCode,
    VarianceBound,
};

/// The `k` coordinates of largest magnitude (ties to the lower index), in increasing index
/// order, as `(index, value)`.
pub(crate) fn top_k<T: Scalar>(x: &[T], k: usize) -> Vec<(usize, f64)> {
    let mut entries: Vec<(usize, f64)> = x.iter().map(|v| v.to_f64()).enumerate().collect();
    if k == 0 {
        return Vec::new();
    }
    if k < entries.len() {
        // Larger magnitude first, then lower index: a total order on distinct indices.
        entries.select_nth_unstable_by(k - 1, |a, b| {
            b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(&b.0))
        });
        entries.truncate(k);
    }
    entries.sort_unstable_by_key(|e| e.0);
    entries
}

/// Top-k with the exact subset code (see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer, baselines::TopK};
///
/// let q = TopK::new(5, 2)?;
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
/// q.encode((&[0.5f32, -3.0, 1.0, 3.0, 0.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// assert_eq!(w.len(), 4 + 2 * 32); // ceil(log2 C(5, 2)) = 4
/// let msg = w.finish();
/// let mut out = [0.0; 5];
/// q.decode(&mut msg.reader(), &state, &mut out)?;
/// assert_eq!(out, [0.0, -3.0, 0.0, 3.0, 0.0]);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TopK {
    dim: usize,
    k: usize,
    subsets: SubsetCode,
    scale: ScalarCode,
}

impl TopK {
    /// Top-k for dimension `dim >= 1` with `1 <= k <= dim`, values as the nearest `f32`.
    pub fn new(dim: usize, k: usize) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if k == 0 || k > dim {
            return Err(QuantError::InvalidParameter(format!(
                "top-k needs 1 <= k <= d = {dim}, got k = {k}"
            )));
        }
        Ok(Self {
            dim,
            k,
            subsets: SubsetCode::new(dim as u64, k as u64)?,
            scale: ScalarCode::F32Nearest,
        })
    }

    /// The same scheme with the kept values sent through another scalar code.
    pub fn with_scalar_code(mut self, scale: ScalarCode) -> Self {
        self.scale = scale;
        self
    }

    /// The number of kept coordinates `k`.
    pub fn k(&self) -> usize {
        self.k
    }

    fn bits(&self) -> usize {
        self.subsets.len() + self.k * self.scale.bits()
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        let mut u = Uniforms::new(rng);
        let mut kept = top_k(x, self.k);
        let indices: Vec<u64> = kept.iter().map(|e| e.0 as u64).collect();
        // Round every value before writing, so that a failure leaves the writer untouched.
        for e in kept.iter_mut() {
            e.1 = self.scale.round(e.1, u.unit_f64())?;
        }
        out.ensure_room(self.bits())?;
        let start = out.len();
        self.subsets.encode(out, &indices)?;
        for e in &kept {
            self.scale.write(out, e.1)?;
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }
}

impl Quantizer for TopK {
    fn name(&self) -> String {
        format!(
            "top-k(k={}{})",
            self.k,
            scalar_error::tag(self.scale, ScalarCode::F32Nearest)
        )
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.bits())
    }

    fn bias(&self) -> Bias {
        Bias::Biased("keeps the k largest |v_i| and zeroes the rest: error is the dropped mass")
    }

    /// `alpha = k/d`, with the scalar code's rounding.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Contractive {
            alpha: scalar_error::inflate_alpha(self.scale, self.k as f64 / self.dim as f64),
        }
    }

    /// The exact error, the sum of the `d - k` smallest `y_i^2`, with the scalar code's rounding.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        let total: f64 = y.iter().map(|v| v * v).sum();
        let kept: f64 = top_k(y, self.k).iter().map(|e| e.1 * e.1).sum();
        Some(scalar_error::inflate_mse(
            self.scale,
            (total - kept).max(0.0),
            kept,
        ))
    }

    /// `32 k + log2 C(d, k)`.
    fn paper_bits(&self) -> Option<f64> {
        Some(32.0 * self.k as f64 + log2_binomial(self.dim, self.k))
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
        bits.ensure_available(self.bits())?;
        let indices = self.subsets.decode(bits)?;
        out.fill(0.0);
        for i in indices {
            let v = self.scale.decode(bits)?;
            if let Some(o) = out.get_mut(i as usize) {
                *o = v;
            }
        }
        Ok(())
    }
}

/// `log2 C(n, k)` as a float, by a sum of logarithms.
fn log2_binomial(n: usize, k: usize) -> f64 {
    let k = k.min(n.saturating_sub(k));
    (0..k)
        .map(|i| ((n - i) as f64).log2() - ((i + 1) as f64).log2())
        .sum()
}
