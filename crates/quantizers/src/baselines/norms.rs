//! Norms of an input slice, robust to overflow and underflow.
//!
//! `||v||_2 = sqrt(sum_i v_i^2)` is summed directly when the sum of squares lands safely
//! inside the normal `f64` range, which is always the case for `f32` input. Otherwise
//! (coordinates near `1e±154` in `f64`) it falls back to the scaled two-pass form
//! `m sqrt(sum_i (v_i/m)^2)`, `m = max_i |v_i|`, so that neither overflow nor underflow of
//! the squares corrupts the norm. `||v||_p` for other `p` is always computed on `v/m`.

use crate::Scalar;

/// Below this, the plain sum of squares may have lost a relevant part to underflowed squares:
/// each lost square is below `2^-1022`, so with `d <= 2^60` the loss is under `2^-962`,
/// a relative `2^-62` of any sum above `2^-900`.
const SAFE_MIN_SUM: f64 = f64::from_bits((1023 - 900) << 52);

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
    fn std_dev_is_the_population_deviation() {
        assert_eq!(std_dev(&[2.0f64, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]), 2.0);
        assert_eq!(std_dev(&[3.0f32; 5]), 0.0);
    }
}
