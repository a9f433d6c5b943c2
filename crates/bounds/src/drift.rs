//! # Drifting optimum: Bayesian Cramér–Rao recursion and the sequential rate–distortion floor
//!
//! The minimizer drifts as a random walk $`\theta_t = \theta_{t-1} + \eta_t`$,
//! $`\eta_t \sim \mathcal{N}(0, q^2 I_d)`$; the task is to track $`\theta_t`$ (notes-000 §5.2,
//! reconstruction \[I\]). Per coordinate, with Fisher information $`F`$ per round (e.g.
//! $`F = \min\{d, 2B \ln 2\}/(d\sigma^2)`$ under the isotropic allocation,
//! [`FisherCap::per_coordinate`](crate::FisherCap::per_coordinate)), the Bayesian CRB
//! (Tichavský-type) information $`J_t`$ obeys
//!
//! ```math
//! \begin{aligned}
//! J_t &= \left(J_{t-1}^{-1} + q^2\right)^{-1} + F, \\
//! P_\infty = J_\infty^{-1} &= \frac{-q^2 F + \sqrt{q^4 F^2 + 4 q^2 F}}{2F}
//!   \;\approx\; \frac{q}{\sqrt{F}} \quad (q^2 F \ll 1),
//! \end{aligned}
//! ```
//!
//! and, for noise-free gradients, the sequential rate–distortion function of the Gauss–Markov
//! source, $`R(D) = \frac12 \log_2(1 + q^2/D)`$ bits per step, with $`B/d`$ bits per coordinate
//! per round gives
//!
//! ```math
//! D_\infty \ge \frac{q^2}{2^{2B/d} - 1} \quad \text{per coordinate.}
//! ```
//!
//! Units: $`q^2`$, $`P_\infty`$ and $`D_\infty`$ in $`(\text{units of } \theta)^2`$ per
//! coordinate; $`F`$, $`J`$ in their inverse. $`P_\infty`$ is evaluated as
//! $`2q^2/(a + \sqrt{a}\sqrt{a + 4})`$, $`a = q^2 F`$, which is the same number without the
//! cancellation of the textbook form.
//!
//! Code names: [`bcrb_step`], [`bcrb_information`], [`bcrb_steady_state_mse`],
//! [`sequential_rd_floor`].
//!
//! ```
//! use bounds::{bcrb_steady_state_mse, sequential_rd_floor};
//!
//! // q² = 1, F = 2: P = (−2 + √(4 + 8))/4 = (√12 − 2)/4 = 0.3660...
//! assert!((bcrb_steady_state_mse(1.0, 2.0)? - (12f64.sqrt() - 2.0) / 4.0).abs() < 1e-15);
//! // One bit per coordinate: q²/(4 − 1).
//! assert!((sequential_rd_floor(3.0, 1.0)? - 1.0).abs() < 1e-15);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use std::f64::consts::LN_2;

use crate::error::Result;
use crate::validate::{finite_result, non_negative, positive};

/// One step of the BCRB recursion: $`J_t = (J_{t-1}^{-1} + q^2)^{-1} + F`$, written
/// $`J/(1 + q^2 J) + F`$ so that $`J_{t-1} = 0`$ (no prior information) is allowed.
pub fn bcrb_step(previous: f64, q2: f64, fisher: f64) -> Result<f64> {
    let j = non_negative("previous information", previous)?;
    let q2 = non_negative("q2", q2)?;
    let f = non_negative("fisher", fisher)?;
    finite_result("information", j / (1.0 + q2 * j) + f)
}

/// The BCRB information $`J_t`$ after $`t`$ = `steps` rounds from $`J_0`$ = `initial`.
pub fn bcrb_information(initial: f64, q2: f64, fisher: f64, steps: u64) -> Result<f64> {
    let mut j = non_negative("initial information", initial)?;
    for _ in 0..steps {
        j = bcrb_step(j, q2, fisher)?;
    }
    Ok(j)
}

/// The steady-state BCRB per coordinate, $`P_\infty = (-q^2 F + \sqrt{q^4 F^2 + 4 q^2 F})/(2F)`$,
/// for a drift variance $`q^2 \ge 0`$ and Fisher information $`F > 0`$ per round ($`q^2 = 0`$
/// gives 0).
pub fn bcrb_steady_state_mse(q2: f64, fisher: f64) -> Result<f64> {
    let q2 = non_negative("q2", q2)?;
    let f = positive("fisher", fisher)?;
    if q2 == 0.0 {
        return Ok(0.0);
    }
    let a = q2 * f;
    finite_result("steady state", 2.0 * q2 / (a + a.sqrt() * (a + 4.0).sqrt()))
}

/// Sequential rate–distortion floor per coordinate $`q^2/(2^{2r} - 1)`$ for $`r = B/d > 0`$ bits
/// per coordinate per round.
pub fn sequential_rd_floor(q2: f64, bits_per_coordinate: f64) -> Result<f64> {
    let q2 = non_negative("q2", q2)?;
    let r = positive("bits_per_coord", bits_per_coordinate)?;
    finite_result("floor", q2 / (2.0 * LN_2 * r).exp_m1())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::BoundError;
    use approx::assert_relative_eq;

    #[test]
    fn step_adds_fisher_to_the_diffused_information() {
        // J = 2, q² = 0.5: (1/2 + 1/2)⁻¹ = 1, plus F = 3 gives 4.
        assert_eq!(bcrb_step(2.0, 0.5, 3.0).unwrap(), 4.0);
        // No prior information: the first round gives F.
        assert_eq!(bcrb_step(0.0, 0.5, 3.0).unwrap(), 3.0);
    }

    #[test]
    fn steady_state_is_a_fixed_point_of_the_recursion() {
        for (q2, f) in [(1.0, 2.0), (1e-6, 10.0), (5.0, 1e-3), (1e3, 1e3)] {
            let p = bcrb_steady_state_mse(q2, f).unwrap();
            assert_relative_eq!(
                bcrb_step(1.0 / p, q2, f).unwrap(),
                1.0 / p,
                max_relative = 1e-12
            );
        }
    }

    #[test]
    fn recursion_converges_to_the_steady_state() {
        let (q2, f) = (0.01, 4.0);
        let j = bcrb_information(0.0, q2, f, 2000).unwrap();
        assert_relative_eq!(
            1.0 / j,
            bcrb_steady_state_mse(q2, f).unwrap(),
            max_relative = 1e-12
        );
    }

    #[test]
    fn steady_state_behaves_like_q_over_root_f_for_slow_drift() {
        // q²F = 1e-10: relative correction ~ q √F / 2 = 5e-6.
        let (q2, f) = (1e-10, 1.0);
        assert_relative_eq!(
            bcrb_steady_state_mse(q2, f).unwrap(),
            q2.sqrt() / f.sqrt(),
            max_relative = 1e-5
        );
    }

    #[test]
    fn steady_state_matches_the_textbook_form_where_it_is_stable() {
        let (q2, f): (f64, f64) = (2.0, 0.7);
        let textbook = (-q2 * f + (q2 * q2 * f * f + 4.0 * q2 * f).sqrt()) / (2.0 * f);
        assert_relative_eq!(
            bcrb_steady_state_mse(q2, f).unwrap(),
            textbook,
            max_relative = 1e-14
        );
    }

    #[test]
    fn no_drift_means_no_steady_error() {
        assert_eq!(bcrb_steady_state_mse(0.0, 1.0).unwrap(), 0.0);
    }

    #[test]
    fn rd_floor_is_q_squared_over_four_to_the_r_minus_one() {
        // r = 2: q²/15.
        assert_relative_eq!(
            sequential_rd_floor(1.5, 2.0).unwrap(),
            0.1,
            max_relative = 1e-15
        );
    }

    #[test]
    fn rd_floor_falls_with_more_bits() {
        let a = sequential_rd_floor(1.0, 0.1).unwrap();
        let b = sequential_rd_floor(1.0, 0.2).unwrap();
        assert!(b < a);
    }

    #[test]
    fn rejects_invalid_parameters() {
        assert!(bcrb_step(-1.0, 1.0, 1.0).is_err());
        assert!(bcrb_step(1.0, f64::NAN, 1.0).is_err());
        assert!(matches!(
            bcrb_steady_state_mse(1.0, 0.0),
            Err(BoundError::NotPositive { name: "fisher", .. })
        ));
        assert!(bcrb_steady_state_mse(-1.0, 1.0).is_err());
        assert!(matches!(
            sequential_rd_floor(1.0, 0.0),
            Err(BoundError::NotPositive {
                name: "bits_per_coord",
                ..
            })
        ));
        assert!(sequential_rd_floor(-1.0, 1.0).is_err());
        assert!(bcrb_information(f64::INFINITY, 1.0, 1.0, 3).is_err());
    }
}
