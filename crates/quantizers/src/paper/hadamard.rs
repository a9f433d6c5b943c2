//! The fast Walsh–Hadamard transform and the randomized Hadamard rotation of RATQ.
//!
//! For `n = 2^t` the Walsh–Hadamard matrix is `H_1 = [1]`,
//! `H_{2n} = [[H_n, H_n], [H_n, -H_n]]`; it is symmetric with `H H = n I`, so `H/sqrt(n)` is
//! orthogonal and its own inverse. [`fwht`] applies `H` in place in `n log2 n` additions.
//!
//! RATQ (Mayekar & Tyagi, arXiv 1908.08200) rotates its input by
//! `R = (1/sqrt(d')) H D`, where `d'` is the dimension padded with zeros to a power of two and
//! `D = diag(s_1, ..., s_d')` holds Rademacher signs. After the rotation each coordinate of
//! `R y` is sub-Gaussian with variance proxy `||y||^2/d'`, which is what lets a small
//! dynamic range cover it. The inverse is `R^T = (1/sqrt(d')) D H`. In lowbit the signs are
//! **public coins** ([`Purpose::Rotation`]): encoder and decoder derive the same `D` from the
//! [`PublicState`], so the rotation costs no bits. [`RandomRotation`] holds `d` and `d'` and
//! applies `R` and `R^T`.

use rand::RngCore;

use crate::paper::norms::check_dim;
use crate::{PublicState, Purpose, QuantError, Scalar};

/// Applies the unnormalised Walsh–Hadamard transform `x <- H x` in place.
///
/// `x.len()` must be a power of two (`1, 2, 4, ...`). `O(n log n)`, no allocation.
///
/// ```
/// use quantizers::paper::fwht;
/// let mut x = [1.0, 0.0, 0.0, 0.0];
/// fwht(&mut x)?;
/// assert_eq!(x, [1.0, 1.0, 1.0, 1.0]); // H e_1 is the first column of H
/// fwht(&mut x)?;
/// assert_eq!(x, [4.0, 0.0, 0.0, 0.0]); // H H = n I
/// # Ok::<(), quantizers::QuantError>(())
/// ```
pub fn fwht(x: &mut [f64]) -> Result<(), QuantError> {
    let n = x.len();
    if !n.is_power_of_two() {
        return Err(QuantError::InvalidParameter(format!(
            "the Walsh–Hadamard transform needs a power-of-two length, got {n}"
        )));
    }
    let mut h = 1;
    while h < n {
        for block in x.chunks_exact_mut(2 * h) {
            let (a, b) = block.split_at_mut(h);
            for (u, v) in a.iter_mut().zip(b.iter_mut()) {
                let (s, t) = (*u + *v, *u - *v);
                *u = s;
                *v = t;
            }
        }
        h *= 2;
    }
    Ok(())
}

/// The rotation `R = (1/sqrt(d')) H D` of RATQ, with `D` from the round's public coins.
///
/// ```
/// use quantizers::PublicState;
/// use quantizers::paper::RandomRotation;
/// let rot = RandomRotation::new(3)?; // padded to d' = 4
/// let state = PublicState::new(7).with_round(2);
/// let mut z = vec![0.0; rot.padded_dim()];
/// rot.forward(&state, &[1.0f64, -2.0, 0.5], &mut z)?;
/// let norm2: f64 = z.iter().map(|v| v * v).sum();
/// assert!((norm2 - 5.25).abs() < 1e-12); // orthogonal: the norm is kept
/// let mut back = [0.0; 3];
/// rot.inverse(&state, &mut z, &mut back)?; // the decoder needs only the public state
/// assert!((back[1] + 2.0).abs() < 1e-12);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RandomRotation {
    dim: usize,
    padded: usize,
}

impl RandomRotation {
    /// The rotation for inputs of dimension `dim >= 1`, padded to the next power of two.
    pub fn new(dim: usize) -> Result<Self, QuantError> {
        check_dim(dim)?;
        let padded = dim.checked_next_power_of_two().ok_or_else(|| {
            QuantError::InvalidParameter(format!("dimension {dim} is too large to pad"))
        })?;
        Ok(Self { dim, padded })
    }

    /// The input dimension `d`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The padded dimension `d'`, the smallest power of two `>= d`.
    pub fn padded_dim(&self) -> usize {
        self.padded
    }

    /// `z <- R pad(x)`: `x` has `d` coordinates, `z` has `d'`.
    pub fn forward<T: Scalar>(
        &self,
        state: &PublicState<'_>,
        x: &[T],
        z: &mut [f64],
    ) -> Result<(), QuantError> {
        self.check_lengths(x.len(), z.len())?;
        let mut coins = state.coins(Purpose::Rotation);
        let mut values = x.iter().map(|v| v.to_f64()).chain(std::iter::repeat(0.0));
        for chunk in z.chunks_mut(64) {
            let signs = coins.next_u64();
            for (b, (zi, v)) in chunk.iter_mut().zip(&mut values).enumerate() {
                *zi = if (signs >> b) & 1 == 1 { -v } else { v };
            }
        }
        fwht(z)?;
        let scale = 1.0 / (self.padded as f64).sqrt();
        z.iter_mut().for_each(|v| *v *= scale);
        Ok(())
    }

    /// `x <- first d coordinates of R^T z`, transforming `z` (length `d'`) in place.
    pub fn inverse(
        &self,
        state: &PublicState<'_>,
        z: &mut [f64],
        x: &mut [f64],
    ) -> Result<(), QuantError> {
        self.check_lengths(x.len(), z.len())?;
        fwht(z)?;
        let scale = 1.0 / (self.padded as f64).sqrt();
        let mut coins = state.coins(Purpose::Rotation);
        let mut out = x.iter_mut();
        'chunks: for chunk in z.chunks(64) {
            let signs = coins.next_u64();
            for (b, &v) in chunk.iter().enumerate() {
                let Some(o) = out.next() else {
                    break 'chunks;
                };
                let v = v * scale;
                *o = if (signs >> b) & 1 == 1 { -v } else { v };
            }
        }
        Ok(())
    }

    fn check_lengths(&self, x: usize, z: usize) -> Result<(), QuantError> {
        if x != self.dim {
            return Err(QuantError::DimensionMismatch {
                expected: self.dim,
                got: x,
            });
        }
        if z != self.padded {
            return Err(QuantError::DimensionMismatch {
                expected: self.padded,
                got: z,
            });
        }
        Ok(())
    }
}
