//! Statistical checks of a quantizer's stated properties: exact bits, bias and variance.
//!
//! These are the checks lowbit runs on every scheme, exposed so authors of new schemes can
//! run them too. [`measure`] encodes and decodes one input many times with fixed seeds and
//! returns per-coordinate means and standard errors; the `assert_*` methods of
//! [`Measurement`] compare them with the scheme's claims, with tolerances in standard
//! errors, so a check is deterministic for a seed and fails when a claim is false.
//!
//! ```
//! use quantizers::{check, Unquantized};
//! let q = Unquantized::new(3)?;
//! let m = check::measure(&q, (&[1.0f64, -2.0, 0.5]).into(), 100, 7)?;
//! m.assert_bits_match_cost(&q).unwrap();
//! m.assert_unbiased(5.0).unwrap();
//! m.assert_mse_at_most(0.0, 5.0).unwrap();
//! # Ok::<(), quantizers::QuantError>(())
//! ```

use bitcodec::BitWriter;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::{BitCost, Input, PublicState, QuantError, Quantizer};

/// The outcome of many encode/decode trials on one input.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Number of trials.
    pub trials: usize,
    /// The input, as `f64`.
    pub input: Vec<f64>,
    /// Per coordinate, the average of `Q(y)_i - y_i`.
    pub mean_error: Vec<f64>,
    /// Per coordinate, the standard error of that average (sample std / sqrt(trials)).
    pub std_error: Vec<f64>,
    /// The average of `||Q(y) - y||^2`.
    pub mse: f64,
    /// The standard error of `mse`.
    pub mse_std_error: f64,
    /// Fewest bits of any message.
    pub min_bits: usize,
    /// Most bits of any message.
    pub max_bits: usize,
    /// Average bits per message.
    pub mean_bits: f64,
    /// Total coordinates clipped over all trials.
    pub clipped: usize,
}

/// A claim that the measurement does not support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckFailure(pub String);

impl std::fmt::Display for CheckFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CheckFailure {}

/// Encodes and decodes `input` `trials` times.
///
/// Trial `t` uses public state `PublicState::new(seed).with_round(t)` (so public coins
/// change between trials) and a private ChaCha8 generator seeded from `seed`. Every message
/// is written under the scheme's declared maximum length as capacity, and the decoder must
/// consume it exactly; either failure is returned as an error.
pub fn measure(
    q: &dyn Quantizer,
    input: Input<'_>,
    trials: usize,
    seed: u64,
) -> Result<Measurement, QuantError> {
    measure_with_state(q, input, trials, seed, None)
}

/// [`measure`] with a public centre for adaptive schemes.
pub fn measure_with_state(
    q: &dyn Quantizer,
    input: Input<'_>,
    trials: usize,
    seed: u64,
    centre: Option<&[f64]>,
) -> Result<Measurement, QuantError> {
    let d = q.dim();
    input.validate(d)?;
    let y = input.to_f64_vec();
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5EED_0FC0_FFEE);
    let mut sum = vec![0.0; d];
    let mut sum_sq = vec![0.0; d];
    let mut out = vec![0.0; d];
    let (mut mse_sum, mut mse_sq) = (0.0, 0.0);
    let (mut min_bits, mut max_bits, mut total_bits, mut clipped) = (usize::MAX, 0, 0usize, 0);
    let mut w = BitWriter::new();
    for t in 0..trials {
        let mut state = PublicState::new(seed).with_round(t as u64);
        state.centre = centre;
        w.reset(q.bit_cost().max_bits());
        let stats = q.encode(input, &state, &mut rng, &mut w)?;
        if stats.bits != w.len() {
            return Err(QuantError::Corrupt(format!(
                "encoder reported {} bits but wrote {}",
                stats.bits,
                w.len()
            )));
        }
        let msg = w.to_bitstring();
        let mut r = msg.reader();
        q.decode(&mut r, &state, &mut out)?;
        if !r.is_exhausted() {
            return Err(QuantError::Corrupt(format!(
                "decoder left {} of {} bits unread",
                r.remaining(),
                msg.len()
            )));
        }
        let mut err2 = 0.0;
        for i in 0..d {
            let e = out[i] - y[i];
            sum[i] += e;
            sum_sq[i] += e * e;
            err2 += e * e;
        }
        mse_sum += err2;
        mse_sq += err2 * err2;
        min_bits = min_bits.min(msg.len());
        max_bits = max_bits.max(msg.len());
        total_bits += msg.len();
        clipped += stats.clipped;
    }
    let n = trials.max(1) as f64;
    let mean_error: Vec<f64> = sum.iter().map(|s| s / n).collect();
    let std_error = sum_sq
        .iter()
        .zip(&mean_error)
        .map(|(s2, m)| {
            let var = (s2 / n - m * m).max(0.0) * n / (n - 1.0).max(1.0);
            (var / n).sqrt()
        })
        .collect();
    let mse = mse_sum / n;
    let mse_var = (mse_sq / n - mse * mse).max(0.0) * n / (n - 1.0).max(1.0);
    Ok(Measurement {
        trials,
        input: y,
        mean_error,
        std_error,
        mse,
        mse_std_error: (mse_var / n).sqrt(),
        min_bits: if trials == 0 { 0 } else { min_bits },
        max_bits,
        mean_bits: total_bits as f64 / n,
        clipped,
    })
}

impl Measurement {
    /// Every coordinate's mean error is within `z` standard errors of zero. A coordinate
    /// whose error never varied must have mean error zero (up to float rounding).
    pub fn assert_unbiased(&self, z: f64) -> Result<(), CheckFailure> {
        let scale = self
            .input
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-300);
        for (i, (&m, &se)) in self.mean_error.iter().zip(&self.std_error).enumerate() {
            let tol = z * se + 1e-12 * scale;
            if m.abs() > tol {
                return Err(CheckFailure(format!(
                    "coordinate {i}: mean error {m:.3e} exceeds {z} standard errors ({se:.3e}) over {} trials",
                    self.trials
                )));
            }
        }
        Ok(())
    }

    /// Coordinate `i`'s mean error is within `z` standard errors of `expected[i]`
    /// (for biased schemes whose bias is known in closed form).
    pub fn assert_bias_equals(&self, expected: &[f64], z: f64) -> Result<(), CheckFailure> {
        let scale = self
            .input
            .iter()
            .fold(0.0f64, |m, v| m.max(v.abs()))
            .max(1e-300);
        for (i, ((&m, &se), &b)) in self
            .mean_error
            .iter()
            .zip(&self.std_error)
            .zip(expected)
            .enumerate()
        {
            if (m - b).abs() > z * se + 1e-12 * scale {
                return Err(CheckFailure(format!(
                    "coordinate {i}: mean error {m:.3e}, expected bias {b:.3e} (se {se:.3e})"
                )));
            }
        }
        Ok(())
    }

    /// The measured `E||Q(y) - y||^2` is at most `bound` plus `z` standard errors.
    pub fn assert_mse_at_most(&self, bound: f64, z: f64) -> Result<(), CheckFailure> {
        let tol = z * self.mse_std_error + 1e-12 * bound.abs().max(1e-300);
        if self.mse > bound + tol {
            return Err(CheckFailure(format!(
                "measured mse {:.6e} exceeds bound {bound:.6e} by more than {z} standard errors ({:.3e})",
                self.mse, self.mse_std_error
            )));
        }
        Ok(())
    }

    /// The measured mse is within the scheme's own [`Quantizer::mse_bound`] for this input.
    pub fn assert_within_stated_mse(&self, q: &dyn Quantizer, z: f64) -> Result<(), CheckFailure> {
        match q.mse_bound(&self.input) {
            Some(b) => self.assert_mse_at_most(b, z),
            None => Err(CheckFailure(format!("{} states no mse bound", q.name()))),
        }
    }

    /// Message lengths agree with the declared [`BitCost`]: all equal for `Exact`, never
    /// above the cap for `AtMost`.
    pub fn assert_bits_match_cost(&self, q: &dyn Quantizer) -> Result<(), CheckFailure> {
        match q.bit_cost() {
            BitCost::Exact(n) if self.min_bits != n || self.max_bits != n => {
                Err(CheckFailure(format!(
                    "declared exactly {n} bits, wrote between {} and {}",
                    self.min_bits, self.max_bits
                )))
            }
            BitCost::AtMost(n) if self.max_bits > n => Err(CheckFailure(format!(
                "declared at most {n} bits, wrote {}",
                self.max_bits
            ))),
            _ => Ok(()),
        }
    }
}
