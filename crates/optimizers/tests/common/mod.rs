//! Test fixtures: small problems and compressors that do not exist in the other crates yet.
//! Each is written for the tests that use it and named as a fixture.

#![allow(dead_code)] // each test file uses some of the fixtures
#![allow(clippy::unwrap_used)]

use bitcodec::{BitReader, BitWriter};
use ndarray::Array2;
use oracles::{LeastSquares, Oracle, OracleError, Properties, check_out, check_query};
use quantizers::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound,
    check_output,
};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// Fixture: least squares `f(x) = 1/2 ||y - A x||^2` (the problem of paper 002, §5) whose
/// `m x n` matrix has prescribed singular values: `A = U diag(s) V'` with `s_k^2` evenly spaced
/// on `[mu, L]` (both ends included), so that `L = s_max^2` and `mu = s_min^2` are known in
/// advance, `U` the first `n` columns and `V` all of a product of three random Householder
/// reflections, and `y` standard normal (so `x* = A^+ y`). The oracle is
/// [`oracles::LeastSquares`] with its exact gradient.
pub fn least_squares_fixture(m: usize, n: usize, mu: f64, l: f64, seed: u64) -> LeastSquares {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let u = householder_product(m, &mut rng);
    let v = householder_product(n, &mut rng);
    let s: Vec<f64> = (0..n)
        .map(|k| (mu + (l - mu) * k as f64 / (n - 1).max(1) as f64).sqrt())
        .collect();
    let a = Array2::from_shape_fn((m, n), |(i, j)| {
        (0..n).map(|k| u[i][k] * s[k] * v[j][k]).sum::<f64>()
    });
    let y = gaussian_vec(m, &mut rng);
    LeastSquares::new(a, y.into()).unwrap()
}

/// `R_1 R_2 R_3` with `R = I - 2 w w'/w'w` for standard-normal `w`: a random `k x k`
/// orthogonal matrix, as rows.
fn householder_product(k: usize, rng: &mut impl Rng) -> Vec<Vec<f64>> {
    let mut q: Vec<Vec<f64>> = (0..k)
        .map(|i| (0..k).map(|j| f64::from(u8::from(i == j))).collect())
        .collect();
    for _ in 0..3 {
        let w = gaussian_vec(k, rng);
        let ww: f64 = w.iter().map(|v| v * v).sum();
        // q <- q (I - 2 w w'/ww)
        for row in &mut q {
            let rw: f64 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
            for (r, &wj) in row.iter_mut().zip(&w) {
                *r -= 2.0 * rw * wj / ww;
            }
        }
    }
    q
}

/// Fixture: `f(x) = 1/2 ||x||^2` in two dimensions with zero-mean but skewed noise,
/// `g = x + xi`, `xi_1 = +3` w.p. 1/4 and `-1` w.p. 3/4, `xi_2 = +-4` (Rademacher).
/// Under the scaled sign the mean field `E[C(g)]` vanishes at `x = (1, 0)`, not at the
/// minimizer `0`, so plain compressed SGD converges to the wrong point.
#[derive(Debug, Clone, Default)]
pub struct SkewedNoiseQuadratic;

impl Oracle for SkewedNoiseQuadratic {
    fn dim(&self) -> usize {
        2
    }

    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        check_query(2, x)?;
        check_out(2, out)?;
        let xi1 = if rng.random::<f64>() < 0.25 {
            3.0
        } else {
            -1.0
        };
        let xi2 = if rng.random::<bool>() { 4.0 } else { -4.0 };
        out[0] = x[0] + xi1;
        out[1] = x[1] + xi2;
        Ok(())
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(2, x)?;
        check_out(2, out)?;
        out.copy_from_slice(x);
        Ok(())
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        check_query(2, x)?;
        Ok(0.5 * (x[0] * x[0] + x[1] * x[1]))
    }

    fn minimizer(&self) -> Option<&[f64]> {
        Some(&[0.0, 0.0])
    }

    fn optimal_value(&self) -> Option<f64> {
        Some(0.0)
    }

    fn properties(&self) -> Properties {
        Properties {
            smoothness: Some(1.0),
            strong_convexity: Some(1.0),
            noise_variance: Some(9.5),
            ..Properties::default()
        }
    }
}

/// Fixture: the scaled sign `C(v) = (||v||_1 / d) sign(v)` (Karimireddy et al. 2019), a
/// biased contractive compressor: the scale as a binary64, then one bit per coordinate
/// (`sign(0) = +`), `64 + d` bits.
#[derive(Debug, Clone)]
pub struct ScaledSignFixture {
    pub dim: usize,
}

impl Quantizer for ScaledSignFixture {
    fn name(&self) -> String {
        "scaled-sign(fixture)".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(64 + self.dim)
    }

    fn bias(&self) -> Bias {
        Bias::Biased("sign times the mean magnitude")
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::Contractive {
            alpha: 1.0 / self.dim as f64,
        }
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        out.ensure_room(64 + self.dim)?;
        let v = input.to_f64_vec();
        let scale = v.iter().map(|x| x.abs()).sum::<f64>() / self.dim as f64;
        out.write_bits(scale.to_bits(), 64)?;
        for x in &v {
            out.write_bit(*x < 0.0)?;
        }
        Ok(EncodeStats {
            bits: 64 + self.dim,
            clipped: 0,
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        let scale = f64::from_bits(bits.read_bits(64)?);
        for o in out.iter_mut() {
            *o = if bits.read_bit()? { -scale } else { scale };
        }
        Ok(())
    }
}

/// Fixture: a variable-length code (`BitCost::Variable`) whose message is one unary-coded
/// length `k = round(|y_0|)` followed by nothing: `k + 1` bits. Decodes to `(k, 0, ...)`.
#[derive(Debug, Clone)]
pub struct UnaryLengthFixture {
    pub dim: usize,
}

impl Quantizer for UnaryLengthFixture {
    fn name(&self) -> String {
        "unary-length(fixture)".into()
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Variable
    }

    fn bias(&self) -> Bias {
        Bias::Biased("keeps round(|y_0|) only")
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::Unstated
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        let k = input.get(0).unwrap().abs().round() as usize;
        out.ensure_room(k + 1)?;
        for _ in 0..k {
            out.write_bit(true)?;
        }
        out.write_bit(false)?;
        Ok(EncodeStats {
            bits: k + 1,
            clipped: 0,
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        let mut k = 0.0;
        while bits.read_bit()? {
            k += 1.0;
        }
        out.fill(0.0);
        out[0] = k;
        Ok(())
    }
}

/// A standard-normal vector.
pub fn gaussian_vec(n: usize, rng: &mut impl Rng) -> Vec<f64> {
    (0..n).map(|_| StandardNormal.sample(rng)).collect()
}

/// `||a - b||`.
pub fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// `||a||`.
pub fn norm(a: &[f64]) -> f64 {
    a.iter().map(|x| x * x).sum::<f64>().sqrt()
}
