//! Bits per message and `alpha_0`, measured from real messages on the outputs of the paper's
//! lower-bound oracles (paper 001, §6).
//!
//! Both constructions have `||Y||_q = B` exactly, on the boundary of every scheme's ball: the
//! one-hot oracle outputs `±B e_i`, the product oracle `±B/d^{1/q}` in every coordinate. The
//! product output has the largest `||Y||_1 = B d^{1/p}` a `q`-ball allows, which is SimQ+'s worst
//! case; the one-hot output is the only input that reaches the split quantizer's RATQ part. The
//! measured
//!
//! ```text
//! alpha_0 = sqrt(mean over messages of ||Q(Y)||_r^2),   r = 2 (p >= 2) or q (p < 2),
//! ```
//!
//! is therefore a lower estimate of the supremum over all inputs that Theorem 2.3 uses; its
//! standard error comes from the spread of `||Q(Y)||_r^2`.
//!
//! In code: [`measure`] returns a [`Measured`] for one scheme and one construction.

use anyhow::{Context as _, Result, bail};
use bitcodec::BitWriter;
use oracles::{LpConstruction, LpLowerBound, Oracle};
use quantizers::{Input, PublicState, Quantizer};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::schemes::Geometry;

/// What the messages of one scheme on one construction showed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    /// Messages sent.
    pub messages: usize,
    /// Mean bits per message.
    pub mean_bits: f64,
    /// Fewest bits of a message.
    pub min_bits: usize,
    /// Most bits of a message.
    pub max_bits: usize,
    /// `sqrt(mean ||Q(Y)||_r^2)`.
    pub alpha0: f64,
    /// Standard error of `alpha0` (delta method from the spread of `||Q(Y)||_r^2`).
    pub alpha0_se: f64,
}

/// `||x||_r` for `r in [1, inf]`, scaled by the largest entry so no power overflows.
pub fn norm(x: &[f64], r: f64) -> f64 {
    let m = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if m == 0.0 || r.is_infinite() {
        return m;
    }
    if r == 1.0 {
        return x.iter().map(|v| v.abs()).sum();
    }
    if r == 2.0 {
        return m * x.iter().map(|v| (v / m) * (v / m)).sum::<f64>().sqrt();
    }
    m * x
        .iter()
        .map(|v| (v.abs() / m).powf(r))
        .sum::<f64>()
        .powf(1.0 / r)
}

/// `sqrt(mean)` of a sample of squared norms and its delta-method standard error.
pub fn root_mean(sum: f64, sum_sq: f64, n: usize) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let nf = n as f64;
    let mean = sum / nf;
    let var = if n > 1 {
        ((sum_sq / nf - mean * mean) * nf / (nf - 1.0)).max(0.0)
    } else {
        0.0
    };
    let root = mean.sqrt();
    // d sqrt(m) = dm / (2 sqrt(m)).
    let se = if root > 0.0 {
        (var / nf).sqrt() / (2.0 * root)
    } else {
        0.0
    };
    (root, se)
}

/// Sends `messages` oracle outputs of `construction` through `q` (encoder under the scheme's
/// declared maximum as capacity, decoder from the bits alone) and measures bits and `alpha_0`.
pub fn measure(
    g: &Geometry,
    q: &dyn Quantizer,
    construction: LpConstruction,
    messages: usize,
    seed: u64,
) -> Result<Measured> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let alpha = LpLowerBound::random_alpha(g.d, &mut rng)?;
    // delta = 0: the output law is symmetric and its norms are those of every delta.
    let mut oracle = LpLowerBound::new(construction, g.p, 1.0, g.bound, 0.0, alpha)?;
    let x = vec![0.0; g.d];
    let (mut y, mut out) = (vec![0.0; g.d], vec![0.0; g.d]);
    let r = g.rate_norm();
    let mut w = BitWriter::new();
    let (mut sum, mut sum_sq, mut total_bits) = (0.0, 0.0, 0usize);
    let (mut min_bits, mut max_bits) = (usize::MAX, 0usize);
    for t in 0..messages {
        oracle.gradient(&x, &mut rng, &mut y)?;
        let state = PublicState::new(seed).with_round(t as u64);
        w.reset(q.bit_cost().max_bits());
        let stats = q
            .encode(Input::F64(&y), &state, &mut rng, &mut w)
            .with_context(|| format!("{} on the {construction:?} oracle", q.name()))?;
        if stats.bits != w.len() {
            bail!(
                "{} reported {} bits but wrote {}",
                q.name(),
                stats.bits,
                w.len()
            );
        }
        let msg = w.to_bitstring();
        let mut reader = msg.reader();
        q.decode(&mut reader, &state, &mut out)?;
        if !reader.is_exhausted() {
            bail!("{} left {} bits unread", q.name(), reader.remaining());
        }
        let n2 = norm(&out, r).powi(2);
        sum += n2;
        sum_sq += n2 * n2;
        total_bits += msg.len();
        min_bits = min_bits.min(msg.len());
        max_bits = max_bits.max(msg.len());
    }
    let (alpha0, alpha0_se) = root_mean(sum, sum_sq, messages);
    Ok(Measured {
        messages,
        mean_bits: total_bits as f64 / messages.max(1) as f64,
        min_bits: if messages == 0 { 0 } else { min_bits },
        max_bits,
        alpha0,
        alpha0_se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quantizers::{SimQ, Unquantized};

    #[test]
    fn norms_match_their_definitions() {
        let x = [3.0, -4.0, 0.0];
        assert_eq!(norm(&x, 1.0), 7.0);
        assert!((norm(&x, 2.0) - 5.0).abs() < 1e-15);
        assert_eq!(norm(&x, f64::INFINITY), 4.0);
        assert!((norm(&x, 3.0) - 91f64.powf(1.0 / 3.0)).abs() < 1e-13);
        assert_eq!(norm(&[0.0; 3], 2.0), 0.0);
    }

    #[test]
    fn root_mean_of_a_constant_sample_has_no_error() {
        assert_eq!(root_mean(4.0 * 10.0, 16.0 * 10.0, 10), (2.0, 0.0));
        let (m, se) = root_mean(1.0 + 9.0, 1.0 + 81.0, 2); // squares 1 and 9: mean 5, var 32
        assert!((m - 5f64.sqrt()).abs() < 1e-15);
        assert!((se - (32.0f64 / 2.0).sqrt() / (2.0 * 5f64.sqrt())).abs() < 1e-15);
    }

    #[test]
    fn unquantized_messages_give_the_oracle_norm_and_64_bits_per_coordinate() {
        // Product oracle at p = 2: every output has ||Y||_2 = B = 1 exactly.
        let g = Geometry {
            p: 2.0,
            d: 16,
            bound: 1.0,
        };
        let q = Unquantized::new(16).unwrap();
        let m = measure(&g, &q, LpConstruction::Product, 50, 1).unwrap();
        assert!((m.alpha0 - 1.0).abs() < 1e-12, "{}", m.alpha0);
        assert_eq!((m.min_bits, m.max_bits), (64 * 16, 64 * 16));
        assert_eq!(m.mean_bits, 1024.0);
    }

    #[test]
    fn simq_is_lossless_on_one_hot_outputs_at_p_infinity() {
        // ||Y||_1 = B: SimQ always picks the one nonzero coordinate, so ||Q(Y)||_2 = B.
        let g = Geometry {
            p: f64::INFINITY,
            d: 32,
            bound: 1.0,
        };
        let q = SimQ::new(32, 1.0).unwrap();
        let m = measure(&g, &q, LpConstruction::OneHot, 100, 2).unwrap();
        assert_eq!((m.alpha0, m.alpha0_se), (1.0, 0.0));
        assert_eq!(m.max_bits, 7); // ceil(log2 65)
    }
}
