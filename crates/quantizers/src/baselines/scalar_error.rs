//! What a [`ScalarCode`] does to a baseline's bias and error bounds.
//!
//! Every baseline sends a few reals `t` (a norm, a scale, kept values) through a
//! [`ScalarCode`], and its output is `C = (t̂/t) C*` componentwise, where `C*` is the output
//! with exact reals. For `|t|` in the normal `f32` range (`>= 2^-126`) the sent value obeys
//! `|t̂ - t| <= eta |t|` with
//! - `eta = 2^-24` for [`ScalarCode::F32Nearest`] (half an ulp; biased by up to `eta`),
//! - `eta = 2^-23` for [`ScalarCode::F32Stochastic`] (one ulp; unbiased),
//! - `eta = 0` for [`ScalarCode::F64`] (exact).
//!
//! So `||C - C*|| <= eta ||C*||`, and with `(a + b)^2 <= (1 + eta) a^2 + (1 + 1/eta) b^2`
//!
//! `E||C - y||^2 <= (1 + eta) E||C* - y||^2 + eta (1 + eta) E||C*||^2`.
//!
//! For an unbiased scheme (`E||C*||^2 = (1 + omega)||y||^2`) this turns `omega` into
//! `(1 + eta)^2 omega + eta (1 + eta)`; for a contractive one with `||C*|| <= ||y||` it turns
//! `1 - alpha` into `(1 + eta)(1 - alpha + eta)`. The changes are of relative size `1e-7`
//! for `f32` codes and zero for `f64`. Reals below `2^-126` meet the absolute `f32` spacing
//! `2^-149` instead, where no relative statement holds.

use crate::{Bias, ScalarCode};

/// `eta`: the largest relative change the code makes to a real in the normal `f32` range.
pub(crate) fn relative_error(code: ScalarCode) -> f64 {
    match code {
        ScalarCode::F32Nearest => f64::from_bits((1023 - 24) << 52),
        ScalarCode::F32Stochastic => f64::from_bits((1023 - 23) << 52),
        ScalarCode::F64 => 0.0,
    }
}

/// `(1 + eta) mse + eta (1 + eta) second_moment`: the bound with the code's rounding, from
/// the bound `mse` on `E||C* - y||^2` and `second_moment = E||C*||^2` of the exact scheme.
pub(crate) fn inflate_mse(code: ScalarCode, mse: f64, second_moment: f64) -> f64 {
    let eta = relative_error(code);
    (1.0 + eta) * mse + eta * (1.0 + eta) * second_moment
}

/// `omega' = (1 + eta)^2 omega + eta (1 + eta)` for an unbiased scheme.
pub(crate) fn inflate_omega(code: ScalarCode, omega: f64) -> f64 {
    inflate_mse(code, omega, 1.0 + omega)
}

/// `alpha' = 1 - (1 + eta)(1 - alpha + eta)` for a contractive scheme with `||C*|| <= ||y||`.
pub(crate) fn inflate_alpha(code: ScalarCode, alpha: f64) -> f64 {
    let eta = relative_error(code);
    // Expanded so that eta = 0 returns alpha exactly.
    alpha - eta * (2.0 - alpha + eta)
}

/// [`Bias::Unbiased`] unless the code rounds to nearest, which biases each real by up to
/// `2^-24` of its value.
pub(crate) fn bias_of(code: ScalarCode) -> Bias {
    match code {
        ScalarCode::F32Nearest => Bias::Biased(
            "reals sent as the nearest f32: relative bias up to 2^-24 (use F32Stochastic or F64)",
        ),
        ScalarCode::F32Stochastic | ScalarCode::F64 => Bias::Unbiased,
    }
}

/// A short tag for names: `""` for the default of unbiased schemes, else the code.
pub(crate) fn tag(code: ScalarCode, default: ScalarCode) -> &'static str {
    if code == default {
        ""
    } else {
        match code {
            ScalarCode::F32Nearest => ",f32-nearest",
            ScalarCode::F32Stochastic => ",f32-stochastic",
            ScalarCode::F64 => ",f64",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_code_changes_nothing() {
        assert_eq!(inflate_omega(ScalarCode::F64, 0.25), 0.25);
        assert_eq!(inflate_alpha(ScalarCode::F64, 0.1), 0.1);
    }

    #[test]
    fn eta_bounds_the_rounding_of_every_normal_real() {
        for v in [1.0 / 3.0, 1e30, 7e-30, 123.456] {
            for (code, u) in [
                (ScalarCode::F32Nearest, 0.5),
                (ScalarCode::F32Stochastic, 0.0),
                (ScalarCode::F32Stochastic, 0.999_999),
            ] {
                let r = code.round(v, u).unwrap();
                assert!((r - v).abs() <= relative_error(code) * v, "{code:?} {v}");
            }
        }
    }
}
