//! One least-squares instance of paper 002 §5 and the three descent methods run on it.
//!
//! An instance is `f(x) = 1/2 ||y - A x||^2` with a start `x̂_0`; `r` is the smallest radius
//! with both the start and the minimizer in `B(r)` (the paper's assumptions (15)–(16)), so
//! `||x̂_0 - x*|| <= 2r` (eq. 69). Every method uses `η* = 2/(L + μ)` with `L = s_max(A)^2`,
//! `μ = s_min(A)^2`:
//! - GD: the exact pathway ([`Unquantized`], 64 bits per coordinate);
//! - naive QGD: `u_i = ∇f(x̂_i)` through the uniform scalar quantizer with the range
//!   `M_i = 2Lr (ρ + √n 2^{-R} η* L)^i` (eq. 101);
//! - DQ-GD: `u_i = ∇f(x_i) - e_{i-1}` ([`DqGd`]) with `M_i = 2Lr Σ_j ρ^j (√n 2^{-R})^{i-j}`
//!   (Lemma 12).
//!
//! Both schedules bound `||u_i||` in exact arithmetic, so the quantizer should never overload;
//! it runs in [`Overload::Clip`] mode so that an overload is counted instead of ending the run.
//! Each run also checks its finite-`T` guarantee, eq. (32) or (36), at every iteration.

use anyhow::{Context as _, Result, bail};
use optimizers::{DqGd, GradientDescent, Memory, NoMemory, RoundRecord, RunConfig, run_observed};
use oracles::{LeastSquares, MatrixMarket, Oracle};
use quantizers::{DynamicRangeQuantizer, Overload, Quantizer, RangeSchedule, Unquantized};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::summary::{InstanceResult, MethodResult, RateResult, Theory, end_rate};

/// Relative slack when comparing a distance with its guarantee: the guarantee is exact
/// arithmetic, the run is floating point.
const GUARANTEE_SLACK: f64 = 1e-9;

/// A least-squares instance with its start and the constants the methods need, in the
/// coordinates `w = x - x*`.
///
/// Every method here commutes with translations: the gradient of `f` at `x` is `A'A (x - x*)`,
/// the quantizer sees only gradients, and the ranges depend on `L` and `r` alone. So the
/// instance is run as `f(w) = 1/2 ||A w||^2` (minimizer exactly `0`) from `w_0 = x̂_0 - x*`,
/// with `r` taken from the original `x̂_0` and `x*`: in exact arithmetic every iterate is the
/// original one shifted by `x*`. In floating point this measures `||x̂_i - x*|| = ||w_i||` with
/// full relative precision; computed as `||x̂_i - x*||` it would stall near `1e-15` (the
/// accuracy of `x*` and of iterates of norm about `||x*||`), which GD and DQ-GD reach at
/// `T = 60` on the Gaussian ensemble, biasing their end rates upwards by several percent.
#[derive(Debug, Clone)]
pub struct Instance {
    /// `1/2 ||A w||^2`.
    problem: LeastSquares,
    /// `w_0 = x̂_0 - x*`.
    w0: Vec<f64>,
    radius: f64,
    kappa_a: f64,
    l: f64,
    mu: f64,
}

impl Instance {
    /// The instance `problem` started at `x0`; `A` must have full column rank (so that
    /// `μ > 0`) and `x0` the problem's dimension.
    pub fn new(problem: &LeastSquares, x0: &[f64]) -> Result<Self> {
        let (m, n) = problem.matrix().dim();
        if x0.len() != n {
            bail!("start has {} coordinates, the problem {n}", x0.len());
        }
        let props = problem.properties();
        let (Some(l), Some(mu)) = (props.smoothness, props.strong_convexity) else {
            bail!(
                "the {m} x {n} matrix has rank {} < {n}: f is not strongly convex",
                problem.rank()
            );
        };
        if !(mu > 0.0 && l.is_finite()) {
            bail!("the matrix gives L = {l}, mu = {mu}: need 0 < mu <= L < inf");
        }
        let x_star = problem
            .minimizer()
            .context("least squares has no minimizer")?;
        let radius = norm(x0).max(norm(x_star));
        if !(radius > 0.0 && radius.is_finite()) {
            bail!("start and minimizer both at the origin: no radius r > 0 contains them");
        }
        let w0 = x0.iter().zip(x_star).map(|(x, s)| x - s).collect();
        let centred = LeastSquares::new(problem.matrix().clone(), vec![0.0; m].into())?;
        Ok(Self {
            problem: centred,
            w0,
            radius,
            kappa_a: problem.singular_value_condition(),
            l,
            mu,
        })
    }

    /// The Gaussian ensemble of §5: `A` (`m x n`), `y` and `x̂_0` with i.i.d. `N(0, 1)`
    /// entries, drawn from `rng` in that order.
    pub fn gaussian<R: Rng + ?Sized>(m: usize, n: usize, rng: &mut R) -> Result<Self> {
        let problem = LeastSquares::gaussian_ensemble(m, n, rng)?;
        let x0 = normal_vector(n, rng);
        Self::new(&problem, &x0)
    }

    /// A Matrix Market matrix with `y` and `x̂_0` i.i.d. `N(0, 1)`, drawn from `rng` in that
    /// order.
    pub fn with_matrix<R: Rng + ?Sized>(mm: &MatrixMarket, rng: &mut R) -> Result<Self> {
        let (m, n) = mm.matrix().dim();
        let y = normal_vector(m, rng);
        let x0 = normal_vector(n, rng);
        Self::new(&LeastSquares::from_matrix_market(mm, y.into())?, &x0)
    }

    /// `(m, n)`.
    pub fn shape(&self) -> (usize, usize) {
        self.problem.matrix().dim()
    }

    /// `s_max(A) / s_min(A)`.
    pub fn kappa_a(&self) -> f64 {
        self.kappa_a
    }

    /// `L / μ`.
    pub fn kappa_hessian(&self) -> f64 {
        self.l / self.mu
    }

    /// `L = s_max(A)^2`.
    pub fn smoothness(&self) -> f64 {
        self.l
    }

    /// `μ = s_min(A)^2`.
    pub fn strong_convexity(&self) -> f64 {
        self.mu
    }

    /// The radius `r = max(||x̂_0||, ||x*||)`.
    pub fn radius(&self) -> f64 {
        self.radius
    }

    fn dim(&self) -> usize {
        self.w0.len()
    }

    /// `η* = 2/(L + μ)` and GD's contraction `ρ = σ` at that step.
    fn step_and_contraction(&self) -> Result<(f64, f64)> {
        let eta = GradientDescent::optimal_step(self.l, self.mu)?;
        Ok((eta, GradientDescent::contraction(self.l, self.mu, eta)?))
    }

    /// `||x̂_i - x*||` for `i = 0..=rounds` of unquantized GD.
    pub fn gd(&mut self, rounds: u64, seed: u64) -> Result<Vec<f64>> {
        let n = self.dim();
        let q = Unquantized::new(n)?;
        let (eta, _) = self.step_and_contraction()?;
        Ok(self.descend(&q, &NoMemory, eta, rounds, seed)?.errors)
    }

    /// Naive QGD or DQ-GD at `rate` bits per dimension through the uniform scalar quantizer
    /// with the method's range schedule.
    pub fn quantized(
        &mut self,
        method: Quantized,
        rate: u32,
        rounds: u64,
        seed: u64,
    ) -> Result<Path> {
        let n = self.dim();
        let (eta, rho) = self.step_and_contraction()?;
        let d_n = (n as f64).sqrt();
        let bits = f64::from(rate);
        let (schedule, memory): (RangeSchedule, &dyn Memory) = match method {
            Quantized::Naive => (
                RangeSchedule::naive(self.l, self.radius, rho, d_n, bits, eta),
                &NoMemory,
            ),
            Quantized::DqGd => (
                RangeSchedule::dqgd(self.l, self.radius, rho, d_n, bits),
                &DqGd,
            ),
        };
        let q = DynamicRangeQuantizer::new(n, bits, schedule)?.with_overload(Overload::Clip);
        let mut path = self
            .descend(&q, memory, eta, rounds, seed)
            .with_context(|| format!("{} at R = {rate}", method.name()))?;
        let theory = Theory::new(self.mu, self.l, n, bits)?;
        path.check_guarantee(|i| theory.error_bound(method, i, self.radius));
        Ok(path)
    }

    fn descend(
        &mut self,
        q: &dyn Quantizer,
        memory: &dyn Memory,
        eta: f64,
        rounds: u64,
        seed: u64,
    ) -> Result<Path> {
        let budget = q
            .bit_cost()
            .max_bits()
            .context("the quantizers of this experiment have a fixed length")?;
        // Only the first and last samples are recorded (f(x) costs a pass over A); the
        // observer measures ||x̂_i - x*|| every round.
        let config = RunConfig::new(rounds, budget, seed)?.recording_every(rounds)?;
        let mut rule = GradientDescent::new(self.w0.clone(), eta)?;
        let mut errors = Vec::with_capacity(rounds as usize + 1);
        errors.push(norm(&self.w0));
        // ||x̂_i - x*|| = ||w_i||: the minimizer is 0 in these coordinates.
        let mut watch = |r: &RoundRecord<'_>| errors.push(norm(r.iterate));
        let trace = run_observed(&config, &mut self.problem, q, &mut rule, memory, &mut watch)?;
        Ok(Path {
            errors,
            overloads: trace.total_clipped(),
            violations: 0,
            checked: 0,
        })
    }
}

/// Runs GD once and both quantized methods at each of `rates` on `inst` for `rounds`
/// iterations, and takes end rates over the last `window`.
pub fn simulate(
    inst: &mut Instance,
    rates: &[u32],
    rounds: u64,
    window: usize,
    seed: u64,
) -> Result<InstanceResult> {
    let gd_rate = end_rate(&inst.gd(rounds, seed)?, window)?;
    let n = inst.dim();
    let mut results = Vec::with_capacity(rates.len());
    for &rate in rates {
        let mut run = |method| -> Result<MethodResult> {
            let path = inst.quantized(method, rate, rounds, seed)?;
            Ok(MethodResult {
                end_rate: path.end_rate(window)?,
                overloads: path.overloads,
                violations: path.violations,
                checked: path.checked,
            })
        };
        let naive = run(Quantized::Naive)?;
        let dqgd = run(Quantized::DqGd)?;
        results.push(RateResult {
            rate,
            naive,
            dqgd,
            theory: Theory::new(inst.mu, inst.l, n, f64::from(rate))?,
        });
    }
    Ok(InstanceResult {
        kappa_a: inst.kappa_a(),
        kappa_hessian: inst.kappa_hessian(),
        gd_rate,
        rates: results,
    })
}

/// The two quantized methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantized {
    /// Naive QGD (eq. 35): quantize `∇f(x̂_i)`.
    Naive,
    /// DQ-GD (Algorithm 1): quantize `∇f(x_i) - e_{i-1}`.
    DqGd,
}

impl Quantized {
    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Quantized::Naive => "naive QGD",
            Quantized::DqGd => "DQ-GD",
        }
    }
}

/// The distances of one run and what the run revealed.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// `||x̂_i - x*||` for `i = 0..=T`.
    pub errors: Vec<f64>,
    /// Coordinates the quantizer had to clip (0 when the range schedule holds).
    pub overloads: usize,
    /// Iterations whose distance exceeded the finite-`T` guarantee.
    pub violations: usize,
    /// Iterations where the guarantee was finite and so could be checked.
    pub checked: usize,
}

impl Path {
    /// Compares `errors[i]` with `bound(i)` for every `i`; iterations whose bound is not
    /// available (it overflows `f64`) are not counted as checked.
    pub fn check_guarantee(&mut self, bound: impl Fn(u64) -> Option<f64>) {
        for (i, e) in (0u64..).zip(&self.errors) {
            if let Some(b) = bound(i) {
                self.checked += 1;
                if e.is_nan() || *e > b * (1.0 + GUARANTEE_SLACK) {
                    self.violations += 1;
                }
            }
        }
    }

    /// The end linear rate (eq. 57) over the last `window` iterations, unclipped.
    pub fn end_rate(&self, window: usize) -> Result<f64> {
        end_rate(&self.errors, window)
    }
}

fn normal_vector<R: Rng + ?Sized>(len: usize, rng: &mut R) -> Vec<f64> {
    (0..len).map(|_| StandardNormal.sample(rng)).collect()
}

fn norm(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum::<f64>().sqrt()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn small() -> Instance {
        let (ls, x0) = original(5);
        Instance::new(&ls, &x0).unwrap()
    }

    fn original(seed: u64) -> (LeastSquares, Vec<f64>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let ls = LeastSquares::gaussian_ensemble(40, 4, &mut rng).unwrap();
        (ls, normal_vector(4, &mut rng))
    }

    #[test]
    fn the_radius_holds_the_start_and_the_minimizer() {
        let (ls, x0) = original(5);
        let inst = Instance::new(&ls, &x0).unwrap();
        let x_star = ls.minimizer().unwrap();
        assert_eq!(inst.radius(), norm(&x0).max(norm(x_star)));
        // Eq. (69): the start is within 2r of the minimizer.
        assert!(norm(&inst.w0) <= 2.0 * inst.radius());
    }

    /// `||x̂_i - x*||` of a method run on the original problem from `x0`.
    fn original_errors(ls: &LeastSquares, x0: &[f64], rate: Option<u32>) -> Vec<f64> {
        let inst = Instance::new(ls, x0).unwrap();
        let (eta, rho) = inst.step_and_contraction().unwrap();
        let x_star = ls.minimizer().unwrap().to_vec();
        let q: Box<dyn Quantizer> = match rate {
            None => Box::new(Unquantized::new(4).unwrap()),
            Some(r) => {
                let s = RangeSchedule::dqgd(inst.l, inst.radius, rho, 2.0, f64::from(r));
                Box::new(DynamicRangeQuantizer::new(4, f64::from(r), s).unwrap())
            }
        };
        let memory: &dyn Memory = if rate.is_some() { &DqGd } else { &NoMemory };
        let mut rule = GradientDescent::new(x0.to_vec(), eta).unwrap();
        let config = RunConfig::new(10, q.bit_cost().max_bits().unwrap(), 0).unwrap();
        let mut errors = vec![norm(
            &x0.iter()
                .zip(&x_star)
                .map(|(a, b)| a - b)
                .collect::<Vec<_>>(),
        )];
        let mut watch = |r: &RoundRecord<'_>| {
            let d: Vec<f64> = r.iterate.iter().zip(&x_star).map(|(a, b)| a - b).collect();
            errors.push(norm(&d));
        };
        let mut oracle = ls.clone();
        run_observed(
            &config,
            &mut oracle,
            q.as_ref(),
            &mut rule,
            memory,
            &mut watch,
        )
        .unwrap();
        errors
    }

    #[test]
    fn centred_runs_follow_the_original_runs() {
        // The first iterations, while ||x̂_i - x*|| is far above rounding, agree to 1e-9.
        let (ls, x0) = original(8);
        let mut inst = Instance::new(&ls, &x0).unwrap();
        let close = |a: &[f64], b: &[f64]| {
            a.len() == b.len() && a.iter().zip(b).all(|(u, v)| (u - v).abs() <= 1e-9 * v)
        };
        let gd = inst.gd(10, 0).unwrap();
        assert!(close(&gd, &original_errors(&ls, &x0, None)), "{gd:?}");
        let dq = inst.quantized(Quantized::DqGd, 8, 10, 0).unwrap().errors;
        assert!(close(&dq, &original_errors(&ls, &x0, Some(8))), "{dq:?}");
    }

    #[test]
    fn condition_numbers_come_from_the_singular_values() {
        let inst = small();
        let k = inst.kappa_a();
        assert!((inst.kappa_hessian() - k * k).abs() <= 1e-12 * k * k);
    }

    #[test]
    fn a_rank_deficient_matrix_is_rejected() {
        // Two equal columns.
        let mm: MatrixMarket = "%%MatrixMarket matrix coordinate pattern general\n\
                                3 2 4\n1 1\n1 2\n3 1\n3 2\n"
            .parse()
            .unwrap();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let err = Instance::with_matrix(&mm, &mut rng).unwrap_err();
        assert!(err.to_string().contains("rank 1 < 2"), "{err}");
    }

    #[test]
    fn gd_contracts_by_at_most_sigma_per_iteration() {
        let mut inst = small();
        let errors = inst.gd(20, 0).unwrap();
        assert_eq!(errors.len(), 21);
        let sigma = (inst.kappa_hessian() - 1.0) / (inst.kappa_hessian() + 1.0);
        for w in errors.windows(2) {
            assert!(
                w[1] <= sigma * w[0] * (1.0 + 1e-9),
                "{w:?} at sigma {sigma}"
            );
        }
    }

    #[test]
    fn quantized_runs_meet_their_guarantees_without_overload() {
        let mut inst = small();
        for method in [Quantized::Naive, Quantized::DqGd] {
            for rate in [1, 4, 8] {
                let path = inst.quantized(method, rate, 30, 0).unwrap();
                assert_eq!(path.errors.len(), 31);
                assert_eq!(path.overloads, 0, "{method:?} R = {rate}");
                assert_eq!(path.violations, 0, "{method:?} R = {rate}");
                assert!(path.checked > 0);
            }
        }
    }

    #[test]
    fn a_distance_above_its_bound_is_a_violation() {
        let mut path = Path {
            errors: vec![1.0, 0.5, 0.3],
            overloads: 0,
            violations: 0,
            checked: 0,
        };
        path.check_guarantee(|i| (i != 1).then_some(0.4));
        assert_eq!((path.checked, path.violations), (2, 1));
    }
}
