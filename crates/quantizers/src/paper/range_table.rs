//! RATQ's parameters and its table of dynamic ranges `M_0 <= ... <= M_{h-1}`.
//!
//! For inputs with `||Y||_2 <= B` rotated into `d'` coordinates, Mayekar & Tyagi
//! (arXiv 2001.09032, eq. (8), restating arXiv 1908.08200) set
//!
//! ```text
//! m = 3 B^2 / d',   m0 = (2 B^2 / d') ln s,   log2 h = ceil(log2(1 + ln*(d'/3))),   s = log2 h,
//! ```
//!
//! where `ln*(a)` counts how often `ln` must be applied to `a` before the result is `<= 1`,
//! `h` is the number of ranges (so a range index costs `log2 h` bits) and `s` the block
//! length. In code: [`RatqParameters::for_dimension`], [`ln_star`].
//!
//! **The range formula itself is a reconstruction** (notes-algorithms §1.3, tagged [INF]; the
//! source text of 1908.08200 §3 was not available):
//!
//! ```text
//! M_j = sqrt(m e^{*j} + m0),   j = 0..h-1,   e^{*0} = 1, e^{*(j+1)} = exp(e^{*j})   (tetration)
//! ```
//!
//! With this `h`, `m e^{*(h-1)} >= B^2`, so the top range covers every rotated coordinate
//! (each is at most `||Y||_2 <= B`): RATQ never overloads and stays unbiased, as the paper
//! states. Every range is clamped to `B` (no coordinate exceeds it) and the top one is set to
//! exactly `B`; `e^{*4}` overflows `f64`, and those ranges are `B` too. Dimensions `d' <= 3`
//! give `log2 h = 0`; lowbit uses blocks of `s = max(1, log2 h)` coordinates there.
//!
//! Because the formula is a reconstruction, the table is data: [`RangeTable`] is a public
//! value that a caller can build from other ranges and hand to
//! [`Ratq::with_range_table`](crate::paper::Ratq::with_range_table).

use crate::QuantError;
use crate::paper::norms::check_positive;

/// Largest number of ranges a table may hold (a range index of at most 16 bits).
pub const MAX_RANGES: usize = 1 << 16;

/// `ln*(a)`: how many times `ln` must be applied to `a` before the result is `<= 1`
/// (0 for `a <= 1` and for NaN). Saturates at 64, which only `a = +inf` reaches.
///
/// ```
/// use quantizers::paper::ln_star;
/// assert_eq!(ln_star(1.0), 0);
/// assert_eq!(ln_star(2.0), 1); // ln 2 = 0.69
/// assert_eq!(ln_star(15.0), 2); // ln 15 = 2.7, ln 2.7 = 0.99
/// assert_eq!(ln_star(16.0), 3);
/// ```
pub fn ln_star(a: f64) -> u32 {
    let mut a = a;
    let mut count = 0;
    while a > 1.0 && count < 64 {
        a = a.ln();
        count += 1;
    }
    count
}

/// The tetration `e^{*j}`: `e^{*0} = 1`, `e^{*(j+1)} = exp(e^{*j})`; `+inf` from `j = 4` on
/// (`e^{*3} = 3.8e6` and `exp(3.8e6)` overflows `f64`).
pub fn e_tetration(j: usize) -> f64 {
    let mut t = 1.0f64;
    for _ in 0..j {
        t = t.exp();
        if t.is_infinite() {
            break;
        }
    }
    t
}

/// RATQ's parameters for a padded dimension `d'` and norm bound `B` (eq. (8) of
/// arXiv 2001.09032).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatqParameters {
    /// `m = 3 B^2 / d'`.
    pub m: f64,
    /// `m0 = (2 B^2 / d') ln s`.
    pub m0: f64,
    /// `log2 h = ceil(log2(1 + ln*(d'/3)))`.
    pub log2_h: u32,
    /// The block length `s = max(1, log2 h)`.
    pub block: usize,
}

impl RatqParameters {
    /// The parameters for `padded_dim = d' >= 1` and `bound = B > 0`.
    ///
    /// ```
    /// use quantizers::paper::RatqParameters;
    /// let p = RatqParameters::for_dimension(1024, 1.0)?;
    /// // ln*(1024/3) = 3 (341 -> 5.8 -> 1.76 -> 0.57), so log2 h = ceil(log2 4) = 2.
    /// assert_eq!((p.log2_h, p.block), (2, 2));
    /// assert!((p.m - 3.0 / 1024.0).abs() < 1e-18);
    /// # Ok::<(), quantizers::QuantError>(())
    /// ```
    pub fn for_dimension(padded_dim: usize, bound: f64) -> Result<Self, QuantError> {
        if padded_dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        check_positive(bound, "the norm bound B")?;
        let d = padded_dim as f64;
        let log2_h = f64::from(1 + ln_star(d / 3.0)).log2().ceil() as u32;
        let block = (log2_h as usize).max(1);
        let b2 = bound * bound;
        Ok(Self {
            m: 3.0 * b2 / d,
            m0: 2.0 * b2 / d * (block as f64).ln(),
            log2_h,
            block,
        })
    }

    /// The number of ranges `h = 2^{log2 h}`.
    pub fn ranges(&self) -> usize {
        1usize << self.log2_h
    }
}

/// RATQ's dynamic ranges `M_0 <= M_1 <= ... <= M_{h-1}`: a block whose largest magnitude is
/// `a` is quantized on `[-M_j, M_j]` for the smallest `j` with `a <= M_j`.
///
/// ```
/// use quantizers::paper::RangeTable;
/// let t = RangeTable::reconstructed(1024, 1.0)?; // the default: M_j = sqrt(m e^{*j} + m0)
/// assert_eq!(t.len(), 4);
/// assert_eq!(t.top(), 1.0);
/// assert_eq!(t.select(0.01), Some(0));
/// let custom = RangeTable::new(vec![0.1, 0.3, 1.0])?; // any non-decreasing positive ranges
/// assert_eq!(custom.select(0.2), Some(1));
/// assert_eq!(custom.select(1.5), None);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RangeTable {
    ranges: Vec<f64>,
}

impl RangeTable {
    /// A table from explicit ranges: `1..=MAX_RANGES` positive finite non-decreasing values.
    pub fn new(ranges: Vec<f64>) -> Result<Self, QuantError> {
        if ranges.is_empty() || ranges.len() > MAX_RANGES {
            return Err(QuantError::InvalidParameter(format!(
                "a range table needs 1 to {MAX_RANGES} ranges, got {}",
                ranges.len()
            )));
        }
        for &m in &ranges {
            check_positive(m, "every range")?;
        }
        if ranges.windows(2).any(|p| p[0] > p[1]) {
            return Err(QuantError::InvalidParameter(format!(
                "ranges must be non-decreasing: {ranges:?}"
            )));
        }
        Ok(Self { ranges })
    }

    /// The reconstructed default table for padded dimension `d'` and bound `B`:
    /// `M_j = min(B, sqrt(m e^{*j} + m0))`, `M_{h-1} = B` (see the module docs).
    pub fn reconstructed(padded_dim: usize, bound: f64) -> Result<Self, QuantError> {
        let p = RatqParameters::for_dimension(padded_dim, bound)?;
        let h = p.ranges();
        let ranges = (0..h)
            .map(|j| {
                let t = e_tetration(j);
                if j + 1 == h || !t.is_finite() {
                    bound
                } else {
                    (p.m * t + p.m0).sqrt().min(bound)
                }
            })
            .collect();
        Self::new(ranges)
    }

    /// The ranges, in increasing order.
    pub fn ranges(&self) -> &[f64] {
        &self.ranges
    }

    /// The number of ranges `h`.
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    /// Always false: a table has at least one range.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The largest range `M_{h-1}`.
    pub fn top(&self) -> f64 {
        self.ranges.last().copied().unwrap_or(0.0)
    }

    /// The smallest `j` with `max_abs <= M_j`, or `None` when `max_abs` exceeds every range.
    pub fn select(&self, max_abs: f64) -> Option<usize> {
        self.ranges.iter().position(|&m| max_abs <= m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tetration_values() {
        assert_eq!(e_tetration(0), 1.0);
        assert!((e_tetration(1) - std::f64::consts::E).abs() < 1e-15);
        assert!((e_tetration(2) - 15.154_262_241_479_262).abs() < 1e-12);
        assert!((e_tetration(3) / 3.814_279_104_760_214e6 - 1.0).abs() < 1e-12);
        assert!(e_tetration(4).is_infinite());
        assert!(e_tetration(100).is_infinite());
    }

    #[test]
    fn ln_star_saturates_on_infinity_and_is_zero_on_nan() {
        assert_eq!(ln_star(f64::INFINITY), 64);
        assert_eq!(ln_star(f64::NAN), 0);
        assert_eq!(ln_star(f64::MAX), 4);
    }

    #[test]
    fn the_top_reconstructed_range_covers_b_before_the_clamp() {
        // m e^{*(h-1)} >= B^2 is what makes RATQ overload-free (module docs).
        for t in 0..40 {
            let d = 1usize << t;
            let p = RatqParameters::for_dimension(d, 2.0).unwrap();
            let top = p.m * e_tetration(p.ranges() - 1) + p.m0;
            assert!(top >= 4.0 * (1.0 - 1e-12), "d' = {d}: {top}");
        }
    }

    #[test]
    fn huge_dimensions_have_eight_ranges_and_clamp_the_overflowing_ones() {
        let t = RangeTable::reconstructed(1 << 30, 1.0).unwrap();
        assert_eq!(t.len(), 8);
        assert!(t.ranges()[..4].iter().all(|&m| m < 1.0));
        assert!(t.ranges()[4..].iter().all(|&m| m == 1.0));
    }
}
