//! Mean error curves of the `correlated` experiment and the rounds at which they reach a target.
//!
//! A curve is `E‖x_t − θ‖²/d` averaged over trials on the recorded rounds. Between recorded
//! rounds it is interpolated linearly in `(log t, log mse)`, which is exact for a power law such as
//! the `c/t` decay of the running mean and close to it between nearby rounds, so
//! [`Curve::crossing`] finds the round at which an error is first reached to well within the
//! recording step. [`mean_and_se`] is shared with the `drift` experiment.

use anyhow::{Result, bail};

/// The mean squared error per coordinate of a pathway, averaged over trials, on the recorded
/// rounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Rounds completed at each point (starting with 0).
    pub rounds: Vec<u64>,
    /// `E‖x_t − θ‖²/d` at each point.
    pub mse: Vec<f64>,
}

impl Curve {
    /// The mean of per-trial curves recorded on `rounds`.
    pub fn mean(rounds: Vec<u64>, trials: &[Vec<f64>]) -> Result<Self> {
        let mut mse = vec![0.0; rounds.len()];
        for t in trials {
            if t.len() != rounds.len() {
                bail!("a trial recorded {} points, not {}", t.len(), rounds.len());
            }
            for (m, v) in mse.iter_mut().zip(t) {
                *m += v;
            }
        }
        let n = trials.len().max(1) as f64;
        mse.iter_mut().for_each(|m| *m /= n);
        Ok(Self { rounds, mse })
    }

    /// The error at round `t`, interpolated linearly in `(log t, log mse)` between the
    /// recorded points around it; `None` outside the recorded rounds `>= 1`.
    pub fn at(&self, t: f64) -> Option<f64> {
        let points = self.positive_points();
        points.windows(2).find_map(|w| match w {
            [(t0, m0), (t1, m1)] if *t0 <= t && t <= *t1 => Some(loglog(t, (*t0, *m0), (*t1, *m1))),
            _ => None,
        })
    }

    /// The first round at which the error reaches `target`, interpolated in `(log t, log mse)`
    /// between the last point above it and the first at or below it; `None` if it never does.
    /// A curve already at or below `target` at its first round `>= 1` crosses there.
    pub fn crossing(&self, target: f64) -> Option<f64> {
        if !(target.is_finite() && target > 0.0) {
            return None;
        }
        let points = self.positive_points();
        let first = points.first()?;
        if first.1 <= target {
            return Some(first.0);
        }
        points.windows(2).find_map(|w| match w {
            [(t0, m0), (t1, m1)] if *m1 <= target => {
                // Invert the log-log segment through (t0, m0) and (t1, m1) at `target`.
                let (lt0, lt1) = (t0.ln(), t1.ln());
                let (lm0, lm1) = (m0.ln(), m1.ln());
                let s = (target.ln() - lm0) / (lm1 - lm0);
                Some((lt0 + s * (lt1 - lt0)).exp())
            }
            _ => None,
        })
    }

    /// Points with `t >= 1` and a positive finite error (the ones a log-log line can use).
    fn positive_points(&self) -> Vec<(f64, f64)> {
        self.rounds
            .iter()
            .zip(&self.mse)
            .filter(|(t, m)| **t >= 1 && m.is_finite() && **m > 0.0)
            .map(|(&t, &m)| (t as f64, m))
            .collect()
    }
}

/// `m(t)` on the log-log line through `a` and `b`.
fn loglog(t: f64, a: (f64, f64), b: (f64, f64)) -> f64 {
    if b.0 == a.0 {
        return a.1;
    }
    let s = (t.ln() - a.0.ln()) / (b.0.ln() - a.0.ln());
    (a.1.ln() + s * (b.1.ln() - a.1.ln())).exp()
}

/// `T_ρ/T_0` measured on curves: the rounds at which `curve` reaches the error `reference` has
/// at `t0`, over the rounds at which `reference` itself reaches it.
pub fn rounds_ratio(reference: &Curve, curve: &Curve, t0: f64) -> Option<(f64, f64, f64)> {
    let target = reference.at(t0)?;
    let base = reference.crossing(target)?;
    let rounds = curve.crossing(target)?;
    Some((rounds / base, rounds, target))
}

/// Mean and standard error of the mean of `values` (NaN when fewer than two).
pub fn mean_and_se(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    if values.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inverse_time(c: f64, rounds: &[u64]) -> Curve {
        Curve {
            rounds: rounds.to_vec(),
            mse: rounds.iter().map(|&t| c / t.max(1) as f64).collect(),
        }
    }

    #[test]
    fn crossing_is_exact_on_a_one_over_t_curve() {
        let c = inverse_time(2.0, &[0, 10, 20, 40, 80]);
        // 2/t = 0.0625 at t = 32, between recorded rounds 20 and 40.
        let t = c.crossing(0.0625).unwrap();
        assert!((t - 32.0).abs() < 1e-9, "{t}");
    }

    #[test]
    fn crossing_is_none_when_the_target_is_never_reached() {
        let c = inverse_time(2.0, &[0, 10, 20]);
        assert_eq!(c.crossing(0.01), None);
        assert_eq!(c.crossing(0.0), None);
        assert_eq!(c.crossing(f64::NAN), None);
    }

    #[test]
    fn crossing_takes_the_first_passage() {
        let c = Curve {
            rounds: vec![0, 1, 2, 3, 4],
            mse: vec![1.0, 0.5, 0.2, 0.3, 0.1],
        };
        let t = c.crossing(0.25).unwrap();
        assert!(t > 1.0 && t < 2.0, "{t}");
    }

    #[test]
    fn crossing_ignores_round_zero() {
        let c = Curve {
            rounds: vec![0, 5, 10],
            mse: vec![0.1, 0.5, 0.2],
        };
        assert_eq!(c.crossing(0.6), Some(5.0));
    }

    #[test]
    fn interpolation_is_exact_on_a_power_law_and_none_outside() {
        let c = inverse_time(3.0, &[0, 10, 100]);
        assert!((c.at(50.0).unwrap() - 0.06).abs() < 1e-12);
        assert_eq!(c.at(200.0), None);
        assert_eq!(c.at(0.5), None);
    }

    #[test]
    fn rounds_ratio_recovers_a_known_scaling() {
        let grid: Vec<u64> = (0..=400).map(|i| i * 10).collect();
        let reference = inverse_time(1.0, &grid);
        let slower = inverse_time(3.0, &grid);
        let (ratio, rounds, target) = rounds_ratio(&reference, &slower, 400.0).unwrap();
        assert!((ratio - 3.0).abs() < 1e-9);
        assert!((rounds - 1200.0).abs() < 1e-6);
        assert!((target - 1.0 / 400.0).abs() < 1e-15);
    }

    #[test]
    fn mean_curve_averages_trials_and_rejects_ragged_ones() {
        let c = Curve::mean(vec![0, 1], &[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        assert_eq!(c.mse, vec![2.0, 3.0]);
        assert!(Curve::mean(vec![0, 1], &[vec![1.0]]).is_err());
    }

    #[test]
    fn standard_error_of_the_mean() {
        let (m, se) = mean_and_se(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        // sample variance 5/3, se = sqrt(5/12)
        assert!((se - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
        assert!(mean_and_se(&[1.0]).1.is_nan());
    }
}
