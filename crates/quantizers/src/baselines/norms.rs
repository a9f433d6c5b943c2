//! Norms of an input slice, robust to overflow and underflow.
//!
//! `||v||_2 = sqrt(sum_i v_i^2)` is summed directly when the sum of squares lands safely
//! inside the normal `f64` range, which is always the case for `f32` input. Otherwise
//! (coordinates near `1e±154` in `f64`) it falls back to the scaled two-pass form
//! `m sqrt(sum_i (v_i/m)^2)`, `m = max_i |v_i|`, so that neither overflow nor underflow of
//! the squares corrupts the norm. `||v||_p` for other `p` is always computed on `v/m`.
//!
//! The sums run in coordinate order, which fixes their rounding (messages carry the norms, and
//! pinned messages must not change); that order is a chain of dependent additions. Fast paths
//! sum in lanes instead and use a [`SumBracket`]: for `n` non-negative terms with exact sum
//! `S`, the ordered sum is within `gamma_(n-1) S` of `S` and the lane sum within `gamma_m S`
//! (`m` additions per term at most), `gamma_k = k u/(1 - k u)`, `u = 2^-53` (Higham, *Accuracy
//! and Stability of Numerical Algorithms*, 2nd ed., §4.2). So the ordered sum lies in
//! `[s (1 - eps), s (1 + eps)]` around the lane sum `s`, and a non-decreasing function of it
//! that takes one value at both ends of that bracket is known without the ordered sum.

use crate::Scalar;

/// Below this, the plain sum of squares may have lost a relevant part to underflowed squares:
/// each lost square is below `2^-1022`, so with `d <= 2^60` the loss is under `2^-962`,
/// a relative `2^-62` of any sum above `2^-900`.
const SAFE_MIN_SUM: f64 = f64::from_bits((1023 - 900) << 52);

/// Where a sum of non-negative terms in coordinate order lies, given the same terms summed in
/// [`super::scan::LANES`] lanes (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SumBracket {
    lo: f64,
    hi: f64,
}

impl SumBracket {
    /// The bracket of the ordered sum of `n` non-negative terms whose lane sum (by
    /// [`super::scan::lane_sum`]) is `lanes`; `None` if it is not finite or `n > 2^32` (where
    /// the bound below is not worth having).
    pub(crate) fn around_lane_sum(lanes: f64, n: usize) -> Option<Self> {
        if n > 1 << 32 {
            return None;
        }
        // Roundings a term meets: n - 1 in order; ceil(n/L) - 1 in its lane, then L - 1
        // combining the lanes. gamma_a + gamma_b < 2 (a + b) u while (a + b) u < 2^-19, and
        // twice that again covers the two roundings of the bracket's own arithmetic.
        let per_lane = n.div_ceil(super::scan::LANES);
        let k = (n + per_lane + super::scan::LANES) as f64;
        let eps = 4.0 * k * f64::EPSILON / 2.0;
        let (lo, hi) = (lanes - lanes * eps, lanes + lanes * eps);
        (lanes >= 0.0 && hi.is_finite()).then_some(Self { lo, hi })
    }

    /// `f(ordered sum)` for a non-decreasing `f`, when `f` agrees at both ends (it is then
    /// constant in between); `None` otherwise.
    pub(crate) fn resolve<R: PartialEq>(&self, f: impl Fn(f64) -> R) -> Option<R> {
        let at_lo = f(self.lo);
        (f(self.hi) == at_lo).then_some(at_lo)
    }
}

/// `max_i |v_i|` (0 for an empty slice).
pub(crate) fn max_abs<T: Scalar>(x: &[T]) -> f64 {
    x.iter().fold(0.0f64, |m, v| m.max(v.to_f64().abs()))
}

/// `||v||_2`.
pub(crate) fn l2<T: Scalar>(x: &[T]) -> f64 {
    let sum: f64 = x.iter().map(|v| v.to_f64() * v.to_f64()).sum();
    if sum.is_finite() && sum >= SAFE_MIN_SUM {
        return sum.sqrt();
    }
    let m = max_abs(x);
    if m == 0.0 {
        return 0.0;
    }
    let scaled: f64 = x.iter().map(|v| (v.to_f64() / m) * (v.to_f64() / m)).sum();
    m * scaled.sqrt()
}

/// `||v||_1` (a sum of non-negative terms overflows only if the norm itself does).
pub(crate) fn l1<T: Scalar>(x: &[T]) -> f64 {
    x.iter().map(|v| v.to_f64().abs()).sum()
}

/// `||v||_p` for `p >= 1`, including `p = inf`.
pub(crate) fn lp<T: Scalar>(x: &[T], p: f64) -> f64 {
    if p == 1.0 {
        l1(x)
    } else if p == 2.0 {
        l2(x)
    } else if p.is_infinite() {
        max_abs(x)
    } else {
        let m = max_abs(x);
        if m == 0.0 {
            return 0.0;
        }
        let sum: f64 = x.iter().map(|v| (v.to_f64().abs() / m).powf(p)).sum();
        m * sum.powf(1.0 / p)
    }
}

/// The population standard deviation `sqrt(mean_i (v_i - mean v)^2)`, computed on `v/m`.
pub(crate) fn std_dev<T: Scalar>(x: &[T]) -> f64 {
    let m = max_abs(x);
    if m == 0.0 || x.is_empty() {
        return 0.0;
    }
    let n = x.len() as f64;
    let mean = x.iter().map(|v| v.to_f64() / m).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|v| (v.to_f64() / m - mean) * (v.to_f64() / m - mean))
        .sum::<f64>()
        / n;
    m * var.sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn l2_survives_huge_and_tiny_coordinates() {
        let huge = l2(&[3e200f64, 4e200]);
        assert!((huge / 5e200 - 1.0).abs() < 1e-15, "{huge}");
        let tiny = l2(&[3e-200f64, 4e-200]);
        assert!((tiny / 5e-200 - 1.0).abs() < 1e-15, "{tiny}");
        assert_eq!(l2(&[0.0f64, -0.0]), 0.0);
        assert_eq!(l2(&[3.0f32, 4.0]), 5.0);
    }

    #[test]
    fn l1_and_lp_agree_with_their_definitions() {
        let x = [1.0f64, -2.0, 3.0];
        assert_eq!(l1(&x), 6.0);
        assert_eq!(l1(&[f64::MAX, f64::MAX]), f64::INFINITY);
        assert_eq!(lp(&x, f64::INFINITY), 3.0);
        let p3 = (1.0f64 + 8.0 + 27.0).powf(1.0 / 3.0);
        assert!((lp(&x, 3.0) - p3).abs() < 1e-14);
    }

    #[test]
    fn brackets_hold_the_ordered_sum_of_adversarial_terms() {
        // Terms spread over many binades, ordered so that the running sum loses the most.
        let mut terms: Vec<f64> = (0..5000)
            .map(|i| f64::from(i % 97 + 1) * 2f64.powi(-(i % 53)))
            .collect();
        for order in 0..3 {
            match order {
                1 => terms.sort_by(|a, b| b.total_cmp(a)),
                2 => terms.sort_by(|a, b| a.total_cmp(b)),
                _ => {}
            }
            let ordered: f64 = terms.iter().sum();
            let lanes =
                super::super::scan::lane_sum(&terms, [0.0; super::super::scan::LANES], |v| v);
            let b = SumBracket::around_lane_sum(lanes, terms.len()).unwrap();
            assert!(
                b.lo <= ordered && ordered <= b.hi,
                "{order}: {ordered} not in {b:?}"
            );
            assert!(b.hi - b.lo < 1e-8 * ordered);
        }
    }

    #[test]
    fn brackets_resolve_only_functions_constant_on_them() {
        let b = SumBracket::around_lane_sum(1000.0, 64).unwrap();
        assert_eq!(b.resolve(|s| s as f32), Some(1000.0));
        assert_eq!(b.resolve(|s| s), None);
        assert_eq!(SumBracket::around_lane_sum(f64::INFINITY, 4), None);
        assert_eq!(SumBracket::around_lane_sum(f64::MAX, 4), None);
    }

    #[test]
    fn std_dev_is_the_population_deviation() {
        assert_eq!(std_dev(&[2.0f64, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]), 2.0);
        assert_eq!(std_dev(&[3.0f32; 5]), 0.0);
    }
}
