//! # Minimum precision $`r^*(T, p)`$ and minimax error under a precision constraint (Mayekar–Tyagi)
//!
//! Convex optimization over a domain of $`\ell_p`$ diameter $`D`$ with unbiased subgradients of
//! $`\|g\|_q \le B`$ a.s. ($`q = p/(p - 1)`$), each quantized to $`r`$ bits. $`r^*(T, p)`$ is the
//! least $`r`$ that keeps the unquantized rate (paper 001, eq. (3)). With $`\log = \log_2`$,
//! $`\ln^* a`$ the number of times $`\ln`$ must be applied to $`a`$ to reach $`\le 1`$, and
//! $`c = c_0/(4 c_1)`$ the ratio of the unknown absolute constants of their Theorem 2.2
//! ($`0 < c_0 \le c_1`$, so $`0 < c \le 1/4`$):
//!
//! **Theorem 3.1.** For $`p \ge 2`$ (including $`p = \infty`$):
//! ```math
//! d^{2/p} \log\left(2e \cdot d^{1-2/p} + 2e\right) \ge r^*(T, p)
//!   \ge \left(c\, d^{1/p}\right)^2 \vee 2 \log\left(c\, d^{1/2}\right).
//! ```
//! For $`1 \le p < 2`$:
//! ```math
//! \begin{gathered}
//! d\left(\left\lceil \log(2\sqrt{2}\,\Delta_1^{1/q} + 2) \right\rceil + 3\right) + \Delta_2
//!   \ge r^*(T, p) \ge \left(\frac{c}{\sqrt{\log d}}\right)^2 d, \\
//! \Delta_1 = \left\lceil \log\left(2 + \sqrt{18 + 6 \ln \Delta_2} \cdot d^{1/2 - 1/q}\right)
//!   \right\rceil, \qquad
//! \Delta_2 = \left\lceil \log\left(1 + \ln^*(d/3)\right) \right\rceil.
//! \end{gathered}
//! ```
//!
//! **Theorems 6.1 and 6.2** (minimax error $`\mathcal{E}^*_0(T, r, p)`$ with $`r`$-bit quantized
//! oracles):
//! ```math
//! \begin{aligned}
//! p \in [2, \infty]&: & \mathcal{E}^*_0 &\ge
//!   \left(\frac{c_0 D B\, d^{1/2 - 1/p}}{\sqrt{T}} \cdot \sqrt{\frac{d}{d \wedge 2^r}}\right)
//!   \vee \left(\frac{c_0 D B}{\sqrt{T}} \cdot \sqrt{\frac{d}{d \wedge r}}\right), \\
//! p \in [1, 2)&: & \mathcal{E}^*_0 &\ge
//!   \frac{c_0 D B}{\sqrt{T}} \cdot \sqrt{\frac{d}{d \wedge r}}.
//! \end{aligned}
//! ```
//!
//! All from the full text of paper 001 \[SRC\]. The upper bounds are explicit. The lower bounds
//! depend on $`c_0`$ and $`c_1`$, which the paper does not give, so they take $`c`$ (or $`c_0`$)
//! as a parameter. The $`p < 2`$ upper bound needs $`\ln \Delta_2`$, which is undefined for
//! $`d \le 3`$ ($`\Delta_2 = 0`$); those dimensions are rejected. Lower bounds are clamped at 0.
//!
//! Code names: [`holder_conjugate`], [`iterated_log`] ($`\ln^*`$), [`rstar_upper_bits`],
//! [`rstar_lower_bits`], [`minimax_error_lower_bound`]. Pass `p = f64::INFINITY` for
//! $`\ell_\infty`$.
//!
//! ```
//! use bounds::rstar_upper_bits;
//!
//! // p = 2: d log2(4e); p = ∞: log2(2e(d + 1)) — Θ(d) versus Θ(log d) bits.
//! let d = 1000;
//! assert!((rstar_upper_bits(d, 2.0)? - 1000.0 * (4.0 * std::f64::consts::E).log2()).abs() < 1e-9);
//! assert!(rstar_upper_bits(d, f64::INFINITY)? < 15.0);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::{E, SQRT_2};

use crate::error::{BoundError, Result};
use crate::validate::{count, dimension, finite, positive};

/// Validates $`p \ge 1`$ ($`+\infty`$ allowed).
fn norm_exponent(p: f64) -> Result<f64> {
    if p.is_nan() {
        return Err(BoundError::NonFinite {
            name: "p",
            value: p,
        });
    }
    if p >= 1.0 {
        Ok(p)
    } else {
        Err(BoundError::OutOfRange {
            name: "p",
            value: p,
            range: "[1, inf]",
        })
    }
}

/// The Hölder conjugate $`q = p/(p - 1)`$ of $`p \ge 1`$ ($`1 \mapsto \infty`$,
/// $`\infty \mapsto 1`$).
pub fn holder_conjugate(p: f64) -> Result<f64> {
    let p = norm_exponent(p)?;
    Ok(if p.is_infinite() {
        1.0
    } else if p == 1.0 {
        f64::INFINITY
    } else {
        p / (p - 1.0)
    })
}

/// The reciprocal $`1/p`$, with $`1/\infty = 0`$.
fn reciprocal(p: f64) -> f64 {
    if p.is_infinite() { 0.0 } else { 1.0 / p }
}

/// The iterated logarithm $`\ln^* a`$: how many times $`\ln`$ must be applied to $`a`$ before the
/// result is $`\le 1`$ (0 for $`a \le 1`$). Rejects NaN; $`+\infty`$ is rejected too, as it never
/// gets there.
pub fn iterated_log(a: f64) -> Result<u32> {
    let mut x = finite("a", a)?;
    let mut n = 0;
    while x > 1.0 {
        x = x.ln();
        n += 1;
    }
    Ok(n)
}

/// Theorem 3.1 upper bound on $`r^*(T, p)`$ in bits (independent of $`T`$).
///
/// For $`p \ge 2`$: $`d^{2/p} \log_2(2e\, d^{1-2/p} + 2e)`$. For $`1 \le p < 2`$:
/// $`d\,(\lceil \log_2(2\sqrt2\, \Delta_1^{1/q} + 2) \rceil + 3) + \Delta_2`$, which needs
/// $`d \ge 4`$.
pub fn rstar_upper_bits(d: usize, p: f64) -> Result<f64> {
    let df = dimension(d)?;
    let p = norm_exponent(p)?;
    let inv_p = reciprocal(p);
    if p >= 2.0 {
        let s = df.powf(2.0 * inv_p);
        let inner = 2.0 * E * df.powf(1.0 - 2.0 * inv_p) + 2.0 * E;
        return Ok(s * inner.log2());
    }
    let (delta1, delta2) = deltas(d, p)?;
    let inv_q = 1.0 - inv_p;
    let per_coordinate = (2.0 * SQRT_2 * delta1.powf(inv_q) + 2.0).log2().ceil() + 3.0;
    Ok(df * per_coordinate + delta2)
}

/// The constants $`(\Delta_1, \Delta_2)`$ of Theorem 3.1 for $`1 \le p < 2`$.
fn deltas(d: usize, p: f64) -> Result<(f64, f64)> {
    let df = dimension(d)?;
    let delta2 = (1.0 + f64::from(iterated_log(df / 3.0)?)).log2().ceil();
    if delta2 < 1.0 {
        return Err(BoundError::OutOfRange {
            name: "d",
            value: df,
            range: "d >= 4 (Theorem 3.1 for p < 2 needs ln Δ2, and Δ2 = 0 for d <= 3)",
        });
    }
    // 1/2 − 1/q = 1/p − 1/2 for q the conjugate of p.
    let exponent = 1.0 / p - 0.5;
    let delta1 = (2.0 + (18.0 + 6.0 * delta2.ln()).sqrt() * df.powf(exponent))
        .log2()
        .ceil();
    Ok((delta1, delta2))
}

/// Validates the constant ratio $`c = c_0/(4 c_1)`$ in $`(0, 1/4]`$.
fn constant_ratio(c: f64) -> Result<f64> {
    let c = positive("c", c)?;
    if c <= 0.25 {
        Ok(c)
    } else {
        Err(BoundError::OutOfRange {
            name: "c",
            value: c,
            range: "(0, 1/4] (c = c0/(4 c1) with c0 <= c1)",
        })
    }
}

/// Theorem 3.1 lower bound on $`r^*(T, p)`$ in bits, as a function of
/// $`c = c_0/(4 c_1) \in (0, 1/4]`$.
///
/// For $`p \ge 2`$: $`\max\{(c\, d^{1/p})^2, 2 \log_2(c \sqrt{d})\}`$. For $`1 \le p < 2`$:
/// $`c^2 d/\log_2 d`$, which needs $`d \ge 2`$. Clamped at 0.
pub fn rstar_lower_bits(d: usize, p: f64, c: f64) -> Result<f64> {
    let df = dimension(d)?;
    let p = norm_exponent(p)?;
    let c = constant_ratio(c)?;
    let bits = if p >= 2.0 {
        let a = c * df.powf(reciprocal(p));
        (a * a).max(2.0 * (c * df.sqrt()).log2())
    } else {
        if d < 2 {
            return Err(BoundError::OutOfRange {
                name: "d",
                value: df,
                range: "d >= 2 (the p < 2 lower bound divides by log2 d)",
            });
        }
        c * c * df / df.log2()
    };
    Ok(bits.max(0.0))
}

/// The problem scale of Theorems 6.1–6.2: $`c_0`$, the $`\ell_p`$ diameter $`D`$, the gradient
/// bound $`B`$ and the number of oracle calls $`T`$.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinimaxSetting {
    c0: f64,
    diameter: f64,
    gradient_bound: f64,
    rounds: u64,
}

impl MinimaxSetting {
    /// Validates `c0` $`= c_0 > 0`$, `diameter` $`= D > 0`$, `gradient_bound` $`= B > 0`$ and
    /// `rounds` $`= T \ge 1`$.
    pub fn new(c0: f64, diameter: f64, gradient_bound: f64, rounds: u64) -> Result<Self> {
        count("rounds", rounds)?;
        Ok(Self {
            c0: positive("c0", c0)?,
            diameter: positive("diameter", diameter)?,
            gradient_bound: positive("gradient_bound", gradient_bound)?,
            rounds,
        })
    }

    /// The unquantized minimax scale $`c_0 D B/\sqrt{T}`$.
    fn scale(&self) -> f64 {
        self.c0 * self.diameter * self.gradient_bound / (self.rounds as f64).sqrt()
    }
}

/// Minimax error lower bound $`\mathcal{E}^*_0(T, r, p)`$ for $`r \ge 1`$ bits per oracle output
/// (Theorem 6.1 for $`p \ge 2`$, Theorem 6.2 for $`1 \le p < 2`$).
pub fn minimax_error_lower_bound(
    setting: &MinimaxSetting,
    d: usize,
    p: f64,
    precision_bits: u32,
) -> Result<f64> {
    let df = dimension(d)?;
    let p = norm_exponent(p)?;
    let r = count("precision_bits", precision_bits)?;
    let scale = setting.scale();
    let second = scale * (df / df.min(r)).sqrt();
    if p < 2.0 {
        return Ok(second);
    }
    // d ∧ 2^r without overflow: 2^r >= d as soon as r >= log2 d.
    let two_r = if r >= df.log2() { df } else { r.exp2() };
    let first = scale * df.powf(0.5 - reciprocal(p)) * (df / df.min(two_r)).sqrt();
    Ok(first.max(second))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn holder_conjugates() {
        assert_eq!(holder_conjugate(2.0).unwrap(), 2.0);
        assert_eq!(holder_conjugate(1.0).unwrap(), f64::INFINITY);
        assert_eq!(holder_conjugate(f64::INFINITY).unwrap(), 1.0);
        assert_eq!(holder_conjugate(3.0).unwrap(), 1.5);
    }

    #[test]
    fn iterated_log_counts_applications() {
        assert_eq!(iterated_log(1.0).unwrap(), 0);
        assert_eq!(iterated_log(0.5).unwrap(), 0);
        assert_eq!(iterated_log(2.0).unwrap(), 1); // ln 2 = 0.69
        assert_eq!(iterated_log(10.0).unwrap(), 2); // ln 10 = 2.30, ln 2.30 = 0.83
        assert_eq!(iterated_log(1e6).unwrap(), 3); // 13.8, 2.63, 0.97
        assert_eq!(iterated_log(1e300).unwrap(), 4); // 690.8, 6.54, 1.88, 0.63
    }

    #[test]
    fn upper_bound_for_p_two_is_d_log_four_e() {
        // d^{1} log2(2e + 2e).
        assert_relative_eq!(
            rstar_upper_bits(1, 2.0).unwrap(),
            2.0 + E.log2(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn upper_bound_for_p_infinity_is_logarithmic() {
        // d^0 log2(2e d + 2e) = log2(2e(d + 1)).
        assert_relative_eq!(
            rstar_upper_bits(999, f64::INFINITY).unwrap(),
            (2.0 * E * 1000.0).log2(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn upper_bound_for_p_four() {
        // d = 16, p = 4: 16^{1/2} log2(2e 16^{1/2} + 2e) = 4 log2(10e).
        assert_relative_eq!(
            rstar_upper_bits(16, 4.0).unwrap(),
            4.0 * (10.0 * E).log2(),
            max_relative = 1e-14
        );
    }

    #[test]
    fn upper_bound_for_p_one_by_hand() {
        // d = 4, p = 1 (q = ∞): ln*(4/3) = 1 so Δ2 = ⌈log2 2⌉ = 1 and ln Δ2 = 0;
        // Δ1 = ⌈log2(2 + √18 · 4^{1/2})⌉ = ⌈log2 10.485⌉ = 4; Δ1^{1/q} = 1;
        // bits = 4 (⌈log2(2√2 + 2)⌉ + 3) + 1 = 4 (3 + 3) + 1 = 25.
        assert_eq!(rstar_upper_bits(4, 1.0).unwrap(), 25.0);
    }

    #[test]
    fn upper_bound_for_p_one_and_a_half_by_hand() {
        // d = 1000, p = 1.5, 1/q = 1/3. ln*(333.3) = 3 (5.81, 1.76, 0.56), Δ2 = ⌈log2 4⌉ = 2.
        // Δ1 = ⌈log2(2 + √(18 + 6 ln 2) · 1000^{1/6})⌉ = ⌈log2(2 + 4.712 · 3.162)⌉ = ⌈4.07⌉ = 5.
        // per coordinate ⌈log2(2√2 · 5^{1/3} + 2)⌉ + 3 = ⌈log2 6.837⌉ + 3 = 6; total 6002.
        assert_eq!(rstar_upper_bits(1000, 1.5).unwrap(), 6002.0);
    }

    #[test]
    fn upper_bound_for_p_below_two_needs_d_at_least_four() {
        assert!(matches!(
            rstar_upper_bits(3, 1.5),
            Err(BoundError::OutOfRange { name: "d", .. })
        ));
        assert!(rstar_upper_bits(4, 1.5).is_ok());
    }

    #[test]
    fn lower_bound_for_p_two_is_quadratic_in_c_and_linear_in_d() {
        // (c √d)² = c² d = 0.01 · 10^4 = 100 beats 2 log2(0.1 · 100) = 6.64.
        assert_relative_eq!(
            rstar_lower_bits(10_000, 2.0, 0.1).unwrap(),
            100.0,
            max_relative = 1e-12
        );
    }

    #[test]
    fn lower_bound_for_p_infinity_is_logarithmic() {
        // (c d^0)² = c² = 0.0625 versus 2 log2(0.25 · 2^10) = 2 · 8 = 16.
        assert_eq!(
            rstar_lower_bits(1 << 20, f64::INFINITY, 0.25).unwrap(),
            16.0
        );
    }

    #[test]
    fn lower_bound_for_p_below_two_is_c_squared_d_over_log_d() {
        // 0.0625 · 1024 / 10 = 6.4.
        assert_relative_eq!(
            rstar_lower_bits(1024, 1.5, 0.25).unwrap(),
            6.4,
            max_relative = 1e-14
        );
    }

    #[test]
    fn lower_bounds_stay_below_upper_bounds() {
        for d in [4usize, 16, 1000, 1 << 20] {
            for p in [1.0, 1.5, 2.0, 3.0, f64::INFINITY] {
                let lo = rstar_lower_bits(d, p, 0.25).unwrap();
                let hi = rstar_upper_bits(d, p).unwrap();
                assert!(lo <= hi, "d = {d}, p = {p}: {lo} > {hi}");
            }
        }
    }

    #[test]
    fn lower_bounds_reject_constant_ratios_outside_the_allowed_range() {
        assert!(rstar_lower_bits(10, 2.0, 0.3).is_err());
        assert!(rstar_lower_bits(10, 2.0, 0.0).is_err());
        assert!(rstar_lower_bits(1, 1.5, 0.1).is_err());
    }

    #[test]
    fn minimax_bound_reduces_to_the_unquantized_rate_at_full_precision() {
        // r >= d: both factors √(d/(d ∧ ·)) are 1; p = 2 gives c0 D B/√T.
        let s = MinimaxSetting::new(0.5, 2.0, 3.0, 100).unwrap();
        assert_relative_eq!(
            minimax_error_lower_bound(&s, 64, 2.0, 64).unwrap(),
            0.5 * 2.0 * 3.0 / 10.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn minimax_bound_grows_like_root_d_over_r_at_low_precision() {
        // p = 1.5, d = 100, r = 4: scale · √25 = 5 · scale.
        let s = MinimaxSetting::new(1.0, 1.0, 1.0, 1).unwrap();
        assert_relative_eq!(
            minimax_error_lower_bound(&s, 100, 1.5, 4).unwrap(),
            5.0,
            max_relative = 1e-15
        );
    }

    #[test]
    fn minimax_bound_for_p_infinity_takes_the_larger_branch() {
        // d = 1024, r = 3, scale 1: first = √1024 · √(1024/8) = 32 · 11.31 = 362.0;
        // second = √(1024/3) = 18.5.
        let s = MinimaxSetting::new(1.0, 1.0, 1.0, 1).unwrap();
        assert_relative_eq!(
            minimax_error_lower_bound(&s, 1024, f64::INFINITY, 3).unwrap(),
            32.0 * 128f64.sqrt(),
            max_relative = 1e-14
        );
    }

    #[test]
    fn minimax_bound_handles_huge_precision_without_overflow() {
        let s = MinimaxSetting::new(1.0, 1.0, 1.0, 4).unwrap();
        assert_relative_eq!(
            minimax_error_lower_bound(&s, 8, f64::INFINITY, 5000).unwrap(),
            0.5 * 8f64.sqrt(),
            max_relative = 1e-15
        );
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(rstar_upper_bits(0, 2.0).is_err());
        assert!(rstar_upper_bits(4, 0.5).is_err());
        assert!(rstar_upper_bits(4, f64::NAN).is_err());
        assert!(iterated_log(f64::INFINITY).is_err());
        assert!(MinimaxSetting::new(0.0, 1.0, 1.0, 1).is_err());
        assert!(MinimaxSetting::new(1.0, 1.0, 1.0, 0).is_err());
        assert!(MinimaxSetting::new(1.0, -1.0, 1.0, 1).is_err());
        let s = MinimaxSetting::new(1.0, 1.0, 1.0, 1).unwrap();
        assert!(minimax_error_lower_bound(&s, 4, 2.0, 0).is_err());
        assert!(minimax_error_lower_bound(&s, 0, 2.0, 1).is_err());
    }
}
