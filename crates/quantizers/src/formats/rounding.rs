//! [`Rounding`]: how a real number becomes one of the two representable values around it.
//!
//! For `a <= |v| <= b`, adjacent values of the format:
//! - **nearest-even** (IEEE 754 `roundTiesToEven`) picks the nearer of `a`, `b`, and on a tie the
//!   one whose code is even. Deterministic, biased, error at most `(b - a)/2`.
//! - **stochastic** picks `b` with probability `(|v| - a)/(b - a)` and `a` otherwise, so
//!   `E[Q(v)] = v` and `E(Q(v) - v)^2 = (|v| - a)(b - |v|) <= (b - a)^2/4`.

use std::fmt;

/// The rounding rule of a conversion.
///
/// ```
/// use quantizers::formats::{Minifloat, Overflow, Rounding};
/// use quantizers::random::Uniforms;
/// use rand::SeedableRng;
///
/// let e2m1 = Minifloat::E2M1; // 0, 0.5, 1, 1.5, 2, 3, 4, 6
/// // 2.5 is a tie between 2 (code 0b0100, even) and 3 (0b0101): nearest-even gives 2.
/// assert_eq!(e2m1.encode_nearest(2.5, Overflow::Saturate)?.code, 0b0100);
/// // Stochastic rounding of 2.25 gives 3 a quarter of the time.
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut u = Uniforms::new(&mut rng);
/// let ups = (0..4000)
///     .filter(|_| {
///         let c = e2m1.encode(2.25, Rounding::Stochastic, Overflow::Saturate, &mut u);
///         c.map(|e| e.code == 0b0101).unwrap_or(false)
///     })
///     .count();
/// assert!((900..1100).contains(&ups));
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// Round to nearest, ties to the even code (IEEE 754 `roundTiesToEven`).
    NearestEven,
    /// Stochastic rounding between the two neighbouring values, exactly unbiased: the
    /// probability of rounding up is compared with as many random bits as it has.
    Stochastic,
}

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rounding::NearestEven => "rne",
            Rounding::Stochastic => "sr",
        })
    }
}
