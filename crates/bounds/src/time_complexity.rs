//! # Time complexities of distributed stochastic optimization (paper 004, notes-algorithms §5)
//!
//! $`n`$ workers find an $`\varepsilon`$-stationary point
//! ($`\mathbb{E}\|\nabla f(\hat x)\|^2 \le \varepsilon`$) of an $`L`$-smooth $`f`$ with
//! $`\Delta = f(x^0) - f^*`$, from unbiased stochastic gradients of variance $`\sigma^2`$ (the
//! total variance $`\mathbb{E}\|g - \nabla f(x)\|^2`$, not a per-coordinate one). A stochastic
//! gradient takes $`h`$ seconds to compute, and sending one coordinate between a worker and the
//! server takes $`\kappa`$ seconds. Times in seconds:
//!
//! - pessimistic lower bound (paper 004 abstract \[SRC\]; notes §5.2):
//!
//!   ```math
//!   T \ge \tilde\Omega\bigg(\min\Big\{
//!     \underbrace{\frac{d\kappa L\Delta}{\varepsilon} + \frac{hL\Delta}{\varepsilon}
//!       + \frac{h\sigma^2 L\Delta}{n\varepsilon^2}}_{\text{distributed branch}},\;
//!     \underbrace{\frac{h\sigma^2 L\Delta}{\varepsilon^2}
//!       + \frac{hL\Delta}{\varepsilon}}_{\text{single-worker branch}}
//!   \Big\}\bigg)
//!   ```
//!
//! - synchronous SGD, uncompressed both ways (notes §5.7 \[INF\]):
//!
//!   ```math
//!   (h + 2d\kappa)
//!   \left(\frac{L\Delta}{\varepsilon} + \frac{\sigma^2 L\Delta}{n\varepsilon^2}\right)
//!   ```
//!
//! - single-worker SGD (notes §5.7 \[INF\]):
//!
//!   ```math
//!   h \left(\frac{L\Delta}{\varepsilon} + \frac{\sigma^2 L\Delta}{\varepsilon^2}\right)
//!   ```
//!
//! - optimal time with free communication, $`h_1 \le \dots \le h_n`$ (Rennala SGD; notes §5.4
//!   \[SRC\]):
//!
//!   ```math
//!   \Theta\left(\min_m \left[\left(\frac1m \sum_{i \le m} \frac{1}{h_i}\right)^{-1}
//!     \left(\frac{L\Delta}{\varepsilon}
//!       + \frac{\sigma^2 L\Delta}{m\varepsilon^2}\right)\right]\right)
//!   ```
//!
//! The lower bound holds up to an absolute constant and logarithmic factors that the available
//! source (the abstract of paper 004) does not state, and the optimal time of Rennala SGD is a
//! $`\Theta`$; both are evaluated here with every hidden factor set to [`TIME_BOUND_CONSTANT`]
//! $`= 1`$. The
//! numbers are therefore scales, not certified bounds: a measured time below them is no
//! contradiction unless it is below by more than the unknown constant. The two baselines of §5.7
//! are the notes' own reconstruction of the methods' upper bounds, again with constant 1.
//!
//! The lower bound is stated for equal compute times $`h`$. With heterogeneous $`h_i`$,
//! evaluating it at $`h = \min_i h_i`$ still gives a lower bound, since making every worker as
//! fast as the fastest can only shorten the optimal time (a faster cluster can idle to imitate a
//! slower one) \[INF\].
//!
//! Code names: [`StationarityProblem`] holds $`(L, \Delta, \sigma^2, \varepsilon)`$;
//! [`pessimistic_time_lower_bound`] returns both branches ([`PessimisticBound`]);
//! [`synchronous_sgd_time`], [`single_worker_sgd_time`] and [`fixed_computation_optimal_time`] are
//! the baselines.
//!
//! ```
//! use bounds::{pessimistic_time_lower_bound, synchronous_sgd_time, StationarityProblem};
//!
//! // L = 1, Δ = 1, σ² = 4e-3, ε = 1e-3: LΔ/ε = 1000 and σ²/ε = 4.
//! let p = StationarityProblem::new(1.0, 1.0, 4e-3, 1e-3)?;
//! // n = 8 workers, d = 100, h = 1 s, κ = 0.01 s per coordinate (dκ = h):
//! let lb = pessimistic_time_lower_bound(&p, 8, 100, 1.0, 0.01)?;
//! assert!((lb.distributed - 2500.0).abs() < 1e-9);  // 1000 + 1000 + 4000/8
//! assert!((lb.single_worker - 5000.0).abs() < 1e-9); // 4000 + 1000
//! assert_eq!(lb.value(), lb.distributed);
//! // Synchronous SGD: (1 + 2) (1000 + 4000/8) = 4500 seconds.
//! assert!((synchronous_sgd_time(&p, 8, 100, 1.0, 0.01)? - 4500.0).abs() < 1e-9);
//! # Ok::<(), bounds::BoundError>(())
//! ```

use serde::Serialize;

use crate::error::{BoundError, Result};
use crate::validate::{count, dimension, finite_result, non_negative, positive};

/// The factor that stands for the unknown absolute constants and logarithmic factors of the
/// $`\tilde\Omega`$/$`\Theta`$ statements in this module. The sources do not give them; 1 is a
/// convention.
pub const TIME_BOUND_CONSTANT: f64 = 1.0;

/// The problem class of the time complexities: $`L`$-smooth, gap $`\Delta`$, variance
/// $`\sigma^2`$, target $`\varepsilon`$ on $`\mathbb{E}\|\nabla f\|^2`$.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct StationarityProblem {
    smoothness: f64,
    gap: f64,
    variance: f64,
    eps: f64,
}

impl StationarityProblem {
    /// Validates $`L > 0`$, $`\Delta > 0`$, $`\sigma^2 \ge 0`$ (0 is the deterministic case) and
    /// $`\varepsilon > 0`$.
    pub fn new(smoothness: f64, gap: f64, variance: f64, eps: f64) -> Result<Self> {
        let p = Self {
            smoothness: positive("L", smoothness)?,
            gap: positive("delta", gap)?,
            variance: non_negative("sigma^2", variance)?,
            eps: positive("eps", eps)?,
        };
        finite_result("L delta / eps", p.deterministic_iterations())?;
        finite_result("sigma^2 L delta / eps^2", p.noise_iterations(1.0))?;
        Ok(p)
    }

    /// The smoothness $`L`$.
    pub fn smoothness(&self) -> f64 {
        self.smoothness
    }

    /// The initial gap $`\Delta = f(x^0) - f^*`$.
    pub fn gap(&self) -> f64 {
        self.gap
    }

    /// The total variance $`\sigma^2`$ of one stochastic gradient.
    pub fn variance(&self) -> f64 {
        self.variance
    }

    /// The target $`\varepsilon`$.
    pub fn eps(&self) -> f64 {
        self.eps
    }

    /// The iterations of gradient descent, $`L\Delta/\varepsilon`$.
    pub fn deterministic_iterations(&self) -> f64 {
        self.smoothness * self.gap / self.eps
    }

    /// The iterations the noise costs with minibatches of $`b`$ gradients,
    /// $`\sigma^2 L\Delta/(b\varepsilon^2)`$.
    fn noise_iterations(&self, batch: f64) -> f64 {
        self.variance / (batch * self.eps) * self.deterministic_iterations()
    }
}

/// Both branches of the pessimistic lower bound; the bound is their minimum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PessimisticBound {
    /// What synchronous SGD with uncompressed links achieves,
    /// $`d\kappa L\Delta/\varepsilon + hL\Delta/\varepsilon + h\sigma^2 L\Delta/(n\varepsilon^2)`$.
    pub distributed: f64,
    /// Plain SGD on one worker, with no communication,
    /// $`h\sigma^2 L\Delta/\varepsilon^2 + hL\Delta/\varepsilon`$.
    pub single_worker: f64,
}

impl PessimisticBound {
    /// The bound, the smaller of `distributed` and `single_worker` (times [`TIME_BOUND_CONSTANT`]).
    pub fn value(&self) -> f64 {
        TIME_BOUND_CONSTANT * self.distributed.min(self.single_worker)
    }

    /// Whether the distributed branch is the smaller one.
    pub fn distributed_is_active(&self) -> bool {
        self.distributed <= self.single_worker
    }
}

/// Validates the cluster parameters shared by the bounds: $`n \ge 1`$, $`d \ge 1`$, $`h > 0`$,
/// $`\kappa \ge 0`$.
fn cluster(n: u64, d: usize, h: f64, kappa: f64) -> Result<(f64, f64, f64, f64)> {
    Ok((
        count("n", n)?,
        dimension(d)?,
        positive("h", h)?,
        non_negative("kappa", kappa)?,
    ))
}

/// The pessimistic lower bound of paper 004's abstract for $`n`$ workers in dimension $`d`$,
/// compute time $`h`$ seconds per stochastic gradient and $`\kappa`$ seconds per coordinate sent
/// (module docs).
pub fn pessimistic_time_lower_bound(
    problem: &StationarityProblem,
    n: u64,
    d: usize,
    h: f64,
    kappa: f64,
) -> Result<PessimisticBound> {
    let (n, d, h, kappa) = cluster(n, d, h, kappa)?;
    let k = problem.deterministic_iterations();
    Ok(PessimisticBound {
        distributed: finite_result(
            "distributed branch",
            d * kappa * k + h * k + h * problem.noise_iterations(n),
        )?,
        single_worker: finite_result(
            "single-worker branch",
            h * problem.noise_iterations(1.0) + h * k,
        )?,
    })
}

/// Synchronous SGD with uncompressed uplink and broadcast,
/// $`(h + 2d\kappa)(L\Delta/\varepsilon + \sigma^2 L\Delta/(n\varepsilon^2))`$ (notes §5.7, a
/// reconstruction, constant 1).
pub fn synchronous_sgd_time(
    problem: &StationarityProblem,
    n: u64,
    d: usize,
    h: f64,
    kappa: f64,
) -> Result<f64> {
    let (n, d, h, kappa) = cluster(n, d, h, kappa)?;
    finite_result(
        "synchronous SGD time",
        TIME_BOUND_CONSTANT
            * (h + 2.0 * d * kappa)
            * (problem.deterministic_iterations() + problem.noise_iterations(n)),
    )
}

/// Single-worker SGD without communication,
/// $`h(L\Delta/\varepsilon + \sigma^2 L\Delta/\varepsilon^2)`$ (notes §5.7, constant 1).
pub fn single_worker_sgd_time(problem: &StationarityProblem, h: f64) -> Result<f64> {
    let h = positive("h", h)?;
    finite_result(
        "single-worker SGD time",
        TIME_BOUND_CONSTANT
            * h
            * (problem.deterministic_iterations() + problem.noise_iterations(1.0)),
    )
}

/// The optimal time when communication is free and worker $`i`$ needs $`h_i`$ seconds per
/// gradient (Tyurin & Richtárik 2023, attained by Rennala SGD; notes §5.4):
///
/// ```math
/// \min_m \left(\frac1m \sum_{i \le m} \frac{1}{h_{(i)}}\right)^{-1}
///   \left(\frac{L\Delta}{\varepsilon} + \frac{\sigma^2 L\Delta}{m\varepsilon^2}\right)
/// ```
///
/// over the $`m`$ fastest workers, with constant 1. Communication only adds time, so this is
/// also a lower bound (up to its constant) for any $`\kappa \ge 0`$.
pub fn fixed_computation_optimal_time(problem: &StationarityProblem, h: &[f64]) -> Result<f64> {
    if h.is_empty() {
        return Err(BoundError::Zero { name: "n" });
    }
    let mut sorted = Vec::with_capacity(h.len());
    for &hi in h {
        sorted.push(positive("h_i", hi)?);
    }
    sorted.sort_by(f64::total_cmp);
    let k = problem.deterministic_iterations();
    let mut best = f64::INFINITY;
    let mut rate = 0.0; // Σ_{i<=m} 1/h_(i): gradients per second of the m fastest workers
    for (m, hi) in sorted.iter().enumerate() {
        rate += 1.0 / hi;
        let m = (m + 1) as f64;
        best = best.min(m / rate * (k + problem.noise_iterations(m)));
    }
    finite_result("fixed-computation optimal time", TIME_BOUND_CONSTANT * best)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// A problem with $`L\Delta/\varepsilon = 1000`$ and $`\sigma^2/\varepsilon = 4`$.
    fn problem() -> StationarityProblem {
        StationarityProblem::new(1.0, 1.0, 4e-3, 1e-3).unwrap()
    }

    #[test]
    fn the_problem_rejects_invalid_parameters() {
        assert!(matches!(
            StationarityProblem::new(0.0, 1.0, 1.0, 1.0),
            Err(BoundError::NotPositive { name: "L", .. })
        ));
        assert!(StationarityProblem::new(1.0, -1.0, 1.0, 1.0).is_err());
        assert!(matches!(
            StationarityProblem::new(1.0, 1.0, -1.0, 1.0),
            Err(BoundError::Negative { .. })
        ));
        assert!(StationarityProblem::new(1.0, 1.0, 1.0, 0.0).is_err());
        assert!(StationarityProblem::new(f64::NAN, 1.0, 1.0, 1.0).is_err());
        assert!(matches!(
            StationarityProblem::new(1e300, 1e300, 1.0, 1e-300),
            Err(BoundError::Overflow { .. })
        ));
        assert!(StationarityProblem::new(1.0, 1.0, 0.0, 1.0).is_ok()); // deterministic
    }

    #[test]
    fn the_pessimistic_bound_takes_the_smaller_branch() {
        // d = 100, κ = 0.01, h = 1: distributed = 1000 + 1000 + 4000/n; single = 4000 + 1000.
        let one = pessimistic_time_lower_bound(&problem(), 1, 100, 1.0, 0.01).unwrap();
        assert_relative_eq!(one.distributed, 6000.0, max_relative = 1e-12);
        assert_relative_eq!(one.single_worker, 5000.0, max_relative = 1e-12);
        assert_relative_eq!(one.value(), 5000.0, max_relative = 1e-12);
        assert!(!one.distributed_is_active());
        let many = pessimistic_time_lower_bound(&problem(), 32, 100, 1.0, 0.01).unwrap();
        assert_relative_eq!(many.value(), 2125.0, max_relative = 1e-12);
        assert!(many.distributed_is_active());
    }

    #[test]
    fn the_pessimistic_bound_never_drops_below_the_communication_floor() {
        // However many workers, the distributed branch keeps (dκ + h) LΔ/ε.
        let b = pessimistic_time_lower_bound(&problem(), 1 << 40, 100, 1.0, 0.01).unwrap();
        assert!(b.value() >= 2000.0);
        assert_relative_eq!(b.value(), 2000.0, max_relative = 1e-9);
    }

    #[test]
    fn without_noise_the_bound_is_gradient_descent_on_one_worker() {
        let p = StationarityProblem::new(2.0, 3.0, 0.0, 0.5).unwrap(); // LΔ/ε = 12
        let b = pessimistic_time_lower_bound(&p, 4, 10, 0.5, 1.0).unwrap();
        assert_relative_eq!(b.value(), 6.0, max_relative = 1e-12); // h LΔ/ε
    }

    #[test]
    fn the_cluster_parameters_are_validated() {
        let p = problem();
        assert!(matches!(
            pessimistic_time_lower_bound(&p, 0, 100, 1.0, 0.01),
            Err(BoundError::Zero { name: "n" })
        ));
        assert!(pessimistic_time_lower_bound(&p, 1, 0, 1.0, 0.01).is_err());
        assert!(pessimistic_time_lower_bound(&p, 1, 100, 0.0, 0.01).is_err());
        assert!(pessimistic_time_lower_bound(&p, 1, 100, 1.0, -0.01).is_err());
        assert!(synchronous_sgd_time(&p, 1, 100, 1.0, f64::INFINITY).is_err());
        assert!(single_worker_sgd_time(&p, f64::NAN).is_err());
    }

    #[test]
    fn synchronous_sgd_pays_both_links_every_round() {
        // (1 + 2 * 100 * 0.01) (1000 + 4000/4) = 6000.
        let t = synchronous_sgd_time(&problem(), 4, 100, 1.0, 0.01).unwrap();
        assert_relative_eq!(t, 6000.0, max_relative = 1e-12);
    }

    #[test]
    fn single_worker_sgd_is_the_second_branch_of_the_bound() {
        let t = single_worker_sgd_time(&problem(), 1.0).unwrap();
        let b = pessimistic_time_lower_bound(&problem(), 7, 100, 1.0, 0.01).unwrap();
        assert_relative_eq!(t, b.single_worker, max_relative = 1e-15);
    }

    #[test]
    fn the_fixed_computation_time_with_equal_workers_uses_all_of_them() {
        // Equal h: (1/m Σ 1/h)^{-1} = h for every m, so the best m is n:
        // h (LΔ/ε + σ²LΔ/(nε²)) = 2 (1000 + 4000/4) = 4000.
        let t = fixed_computation_optimal_time(&problem(), &[2.0; 4]).unwrap();
        assert_relative_eq!(t, 4000.0, max_relative = 1e-12);
    }

    #[test]
    fn the_fixed_computation_time_leaves_out_slow_workers() {
        // h = (1, 100): m = 1 gives 1 (1000 + 4000) = 5000; m = 2 gives
        // (1/2 (1 + 0.01))^{-1} (1000 + 2000) = 5940.59...; the slow worker is left out.
        let t = fixed_computation_optimal_time(&problem(), &[100.0, 1.0]).unwrap();
        assert_relative_eq!(t, 5000.0, max_relative = 1e-12);
        // h = (1, 2): m = 2 gives (3/4)^{-1} 3000 = 4000 < 5000.
        let t = fixed_computation_optimal_time(&problem(), &[2.0, 1.0]).unwrap();
        assert_relative_eq!(t, 4000.0, max_relative = 1e-12);
    }

    #[test]
    fn the_fixed_computation_time_rejects_bad_compute_times() {
        let p = problem();
        assert!(matches!(
            fixed_computation_optimal_time(&p, &[]),
            Err(BoundError::Zero { .. })
        ));
        assert!(fixed_computation_optimal_time(&p, &[1.0, 0.0]).is_err());
        assert!(fixed_computation_optimal_time(&p, &[1.0, f64::NAN]).is_err());
    }

    #[test]
    fn the_fixed_computation_time_is_below_the_distributed_branch() {
        // With equal h it is the distributed branch without its communication term.
        let p = problem();
        for n in [1u64, 3, 16] {
            let h = vec![1.5; n as usize];
            let free = fixed_computation_optimal_time(&p, &h).unwrap();
            let b = pessimistic_time_lower_bound(&p, n, 50, 1.5, 0.02).unwrap();
            assert!(free <= b.distributed * (1.0 + 1e-12), "n = {n}");
        }
    }
}
