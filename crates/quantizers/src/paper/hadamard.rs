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
//!
//! **Speed.** The transform runs level by level, `h = 1, 2, 4, ...`, each butterfly
//! `(u, v) -> (u + v, u - v)` on the pair `(i, i + h)`; any schedule that gives every
//! element the same butterflies in the same level order computes the same bits. [`fwht`]
//! groups three levels into one pass (eight elements `i + m h`, `m = 0..8`, stay in
//! registers for levels `h, 2h, 4h`) and tiles the array: the first 11 levels run on tiles of
//! `2^11` values (16 KiB, in the L1 cache), the next 6 on tiles of `2^17` (1 MiB, in L2), the
//! rest over the whole array, a pass per three levels. The rotation fills each L1 tile with
//! the signed input just before transforming it, so the input is read once and the
//! transform's first passes stay in cache.

use rand::RngCore;
use rand_chacha::ChaCha8Rng;

use crate::paper::norms::check_dim;
use crate::{PublicState, Purpose, QuantError, Scalar};

/// Levels done inside a tile of the L1 cache: `2^11` values, 16 KiB.
const L1_LEVELS: u32 = 11;

/// Levels done inside a tile of the L2 cache: `2^17` values, 1 MiB.
const L2_LEVELS: u32 = 17;

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
    transform(x, |_, _| {});
    Ok(())
}

/// The transform of `x` (a power-of-two length), with `fill(offset, tile)` called on each L1
/// tile (the values at `offset..offset + tile.len()`) just before the tile's first levels,
/// in order.
pub(crate) fn transform(x: &mut [f64], mut fill: impl FnMut(usize, &mut [f64])) {
    let t = x.len().trailing_zeros();
    let mut offset = 0;
    for tile2 in x.chunks_mut(1 << L2_LEVELS) {
        for tile1 in tile2.chunks_mut(1 << L1_LEVELS) {
            fill(offset, tile1);
            offset += tile1.len();
            levels(tile1, 0, t.min(L1_LEVELS));
        }
        levels(tile2, L1_LEVELS, t.min(L2_LEVELS));
    }
    levels(x, L2_LEVELS, t);
}

/// Levels `from..to` (`h = 2^from, ..., 2^(to - 1)`) over `x`, whose length is a multiple
/// of `2^to`, three per pass.
fn levels(x: &mut [f64], from: u32, to: u32) {
    let mut l = from;
    while l < to {
        let h = 1usize << l;
        match to - l {
            1 => radix2(x, h),
            2 => radix4(x, h),
            _ if h == 1 => radix8_contiguous(x),
            _ => radix8(x, h),
        }
        l += (to - l).min(3);
    }
}

/// One butterfly.
#[inline(always)]
fn bf(u: f64, v: f64) -> (f64, f64) {
    (u + v, u - v)
}

/// Levels `h, 2h, 4h` on the eight values `a[m] = x[i + m h]`.
#[inline(always)]
fn butterflies8(a: [f64; 8]) -> [f64; 8] {
    let (b0, b1) = bf(a[0], a[1]);
    let (b2, b3) = bf(a[2], a[3]);
    let (b4, b5) = bf(a[4], a[5]);
    let (b6, b7) = bf(a[6], a[7]);
    let (c0, c2) = bf(b0, b2);
    let (c1, c3) = bf(b1, b3);
    let (c4, c6) = bf(b4, b6);
    let (c5, c7) = bf(b5, b7);
    let (d0, d4) = bf(c0, c4);
    let (d1, d5) = bf(c1, c5);
    let (d2, d6) = bf(c2, c6);
    let (d3, d7) = bf(c3, c7);
    [d0, d1, d2, d3, d4, d5, d6, d7]
}

/// Levels 1, 2, 4 on consecutive groups of eight.
fn radix8_contiguous(x: &mut [f64]) {
    let (groups, _) = x.as_chunks_mut::<8>();
    for g in groups {
        *g = butterflies8(*g);
    }
}

/// Levels `h, 2h, 4h` on every group of `8h` values, as eight rows of `h`.
fn radix8(x: &mut [f64], h: usize) {
    for group in x.chunks_exact_mut(8 * h) {
        let (r0, rest) = group.split_at_mut(h);
        let (r1, rest) = rest.split_at_mut(h);
        let (r2, rest) = rest.split_at_mut(h);
        let (r3, rest) = rest.split_at_mut(h);
        let (r4, rest) = rest.split_at_mut(h);
        let (r5, rest) = rest.split_at_mut(h);
        let (r6, r7) = rest.split_at_mut(h);
        let rows = r0
            .iter_mut()
            .zip(r1.iter_mut())
            .zip(r2.iter_mut().zip(r3.iter_mut()))
            .zip(
                r4.iter_mut()
                    .zip(r5.iter_mut())
                    .zip(r6.iter_mut().zip(r7.iter_mut())),
            );
        for (((a0, a1), (a2, a3)), ((a4, a5), (a6, a7))) in rows {
            let d = butterflies8([*a0, *a1, *a2, *a3, *a4, *a5, *a6, *a7]);
            [*a0, *a1, *a2, *a3, *a4, *a5, *a6, *a7] = d;
        }
    }
}

/// Levels `h, 2h` on every group of `4h` values.
fn radix4(x: &mut [f64], h: usize) {
    for group in x.chunks_exact_mut(4 * h) {
        let (r0, rest) = group.split_at_mut(h);
        let (r1, rest) = rest.split_at_mut(h);
        let (r2, r3) = rest.split_at_mut(h);
        let rows = r0
            .iter_mut()
            .zip(r1.iter_mut())
            .zip(r2.iter_mut().zip(r3.iter_mut()));
        for ((a0, a1), (a2, a3)) in rows {
            let (b0, b1) = bf(*a0, *a1);
            let (b2, b3) = bf(*a2, *a3);
            (*a0, *a2) = bf(b0, b2);
            (*a1, *a3) = bf(b1, b3);
        }
    }
}

/// Level `h` on every group of `2h` values.
fn radix2(x: &mut [f64], h: usize) {
    for group in x.chunks_exact_mut(2 * h) {
        let (r0, r1) = group.split_at_mut(h);
        for (a0, a1) in r0.iter_mut().zip(r1.iter_mut()) {
            (*a0, *a1) = bf(*a0, *a1);
        }
    }
}

/// Fills `tile` (the padded coordinates from `offset`) with `D pad(x)`: coordinate
/// `64 c + b` negated when bit `b` of the `c`-th coin word is set.
fn fill_signed<T: Scalar>(x: &[T], coins: &mut ChaCha8Rng, offset: usize, tile: &mut [f64]) {
    let mut values = x
        .get(offset..)
        .unwrap_or(&[])
        .iter()
        .map(|v| v.to_f64())
        .chain(std::iter::repeat(0.0));
    for chunk in tile.chunks_mut(64) {
        let signs = coins.next_u64();
        for (b, (zi, v)) in chunk.iter_mut().zip(&mut values).enumerate() {
            // Negation flips the sign bit, also of the padding's zeros.
            *zi = f64::from_bits(v.to_bits() ^ (((signs >> b) & 1) << 63));
        }
    }
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
        self.forward_unscaled(state, x, z)?;
        let scale = self.scale();
        z.iter_mut().for_each(|v| *v *= scale);
        Ok(())
    }

    /// `z <- H D pad(x)`, the rotation before its scale [`RandomRotation::scale`].
    pub(crate) fn forward_unscaled<T: Scalar>(
        &self,
        state: &PublicState<'_>,
        x: &[T],
        z: &mut [f64],
    ) -> Result<(), QuantError> {
        self.check_lengths(x.len(), z.len())?;
        let mut coins = state.coins(Purpose::Rotation);
        transform(z, |offset, tile| fill_signed(x, &mut coins, offset, tile));
        Ok(())
    }

    /// The scale `1/sqrt(d')` of the rotation.
    pub(crate) fn scale(&self) -> f64 {
        1.0 / (self.padded as f64).sqrt()
    }

    /// `x <- first d coordinates of R^T z`, transforming `z` (length `d'`) in place.
    pub fn inverse(
        &self,
        state: &PublicState<'_>,
        z: &mut [f64],
        x: &mut [f64],
    ) -> Result<(), QuantError> {
        self.check_lengths(x.len(), z.len())?;
        transform(z, |_, _| {});
        self.unsign(state, z, x);
        Ok(())
    }

    /// `x <- first d coordinates of (1/sqrt(d')) D z`: the end of [`RandomRotation::inverse`]
    /// once `z` holds `H z`.
    pub(crate) fn unsign(&self, state: &PublicState<'_>, z: &[f64], x: &mut [f64]) {
        let scale = self.scale();
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
