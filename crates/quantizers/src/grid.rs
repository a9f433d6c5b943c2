//! [`UniformGrid`]: `L` equally spaced points on `[lo, hi]`, with stochastic and nearest rounding.
//!
//! Stochastic rounding of `v in [a, a + Delta]` (adjacent grid points) outputs `a + Delta`
//! with probability `(v - a)/Delta` and `a` otherwise: unbiased, with conditional variance
//! `(v - a)(a + Delta - v) <= Delta^2/4`.

use crate::QuantError;

/// `levels >= 2` points `lo + j Delta`, `Delta = (hi - lo)/(levels - 1)`, `j = 0..levels-1`.
///
/// ```
/// use quantizers::grid::UniformGrid;
/// let g = UniformGrid::symmetric(1.0, 5)?; // -1, -0.5, 0, 0.5, 1
/// assert_eq!(g.value(3), 0.5);
/// assert_eq!(g.stochastic_index(0.6, 0.9), 3); // 0.6 -> 0.5 w.p. 0.8, 1.0 w.p. 0.2
/// assert_eq!(g.stochastic_index(0.6, 0.1), 4);
/// assert_eq!(g.nearest_index(0.6), 3);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UniformGrid {
    lo: f64,
    hi: f64,
    step: f64,
    inv_step: f64,
    levels: u64,
}

impl UniformGrid {
    /// The grid of `levels >= 2` points on `[lo, hi]`, `lo < hi`, both finite.
    pub fn new(lo: f64, hi: f64, levels: u64) -> Result<Self, QuantError> {
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(QuantError::InvalidParameter(format!(
                "grid needs finite lo < hi, got [{lo}, {hi}]"
            )));
        }
        if levels < 2 {
            return Err(QuantError::InvalidParameter(format!(
                "grid needs at least 2 levels, got {levels}"
            )));
        }
        let step = (hi - lo) / (levels - 1) as f64;
        if !(step > 0.0 && step.is_finite()) {
            return Err(QuantError::InvalidParameter(format!(
                "grid step is not a positive finite number for [{lo}, {hi}] with {levels} levels"
            )));
        }
        Ok(Self {
            lo,
            hi,
            step,
            inv_step: 1.0 / step,
            levels,
        })
    }

    /// The grid of `levels` points on `[-m, m]`, `m > 0`.
    pub fn symmetric(m: f64, levels: u64) -> Result<Self, QuantError> {
        Self::new(-m, m, levels)
    }

    /// Number of points `L`.
    pub fn levels(&self) -> u64 {
        self.levels
    }

    /// Spacing `Delta`.
    pub fn step(&self) -> f64 {
        self.step
    }

    /// Lowest point.
    pub fn lo(&self) -> f64 {
        self.lo
    }

    /// Highest point.
    pub fn hi(&self) -> f64 {
        self.hi
    }

    /// Whether `v` lies in `[lo, hi]`.
    #[inline]
    pub fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }

    /// The value of point `j` (`j < levels`).
    #[inline]
    pub fn value(&self, j: u64) -> f64 {
        if j + 1 == self.levels {
            self.hi
        } else {
            self.lo + j as f64 * self.step
        }
    }

    /// Stochastic rounding of `v in [lo, hi]` with uniform `u in [0, 1)`: the upper
    /// neighbour when `u < (v - a)/Delta`. Values outside the grid are clamped to its ends
    /// (callers check the range first when clamping would be a silent clip).
    #[inline]
    pub fn stochastic_index(&self, v: f64, u: f64) -> u64 {
        let x = ((v - self.lo) * self.inv_step).max(0.0);
        let floor = x.floor();
        let frac = x - floor;
        let j = floor as u64 + u64::from(u < frac);
        j.min(self.levels - 1)
    }

    /// Nearest grid point (ties go up), clamped to the grid.
    #[inline]
    pub fn nearest_index(&self, v: f64) -> u64 {
        let x = ((v - self.lo) * self.inv_step + 0.5).max(0.0);
        (x.floor() as u64).min(self.levels - 1)
    }

    /// The conditional variance of stochastic rounding at `v`: `(v - a)(a + Delta - v)`.
    pub fn rounding_variance(&self, v: f64) -> f64 {
        let x = ((v - self.lo) * self.inv_step).clamp(0.0, (self.levels - 1) as f64);
        let frac = x - x.floor();
        self.step * self.step * frac * (1.0 - frac)
    }
}
