//! The hard instances of the $`\ell_p`$ lower bounds of the SimQ paper (paper 001, §6).
//!
//! Mayekar and Tyagi prove their lower bounds on the precision needed for $`\ell_p`$ stochastic
//! optimization ($`p \ge 1`$, dual exponent $`q = p/(p - 1)`$) with linear objectives on the box
//!
//! ```math
//! \mathcal{X} = \left\{x : \|x\|_\infty \le \frac{D}{2 d^{1/p}}\right\},
//! ```
//!
//! indexed by sign vectors $`\alpha \in \{-1, 1\}^d`$ and a bias $`\delta \in [0, 1/2]`$, with
//! oracles whose outputs satisfy $`\|g\|_q \le B`$ almost surely \[SRC\]:
//!
//! 1. *First construction* ([`LpConstruction::OneHot`]):
//!    $`f_\alpha(x) = \frac{2 B \delta}{d} \sum_i \alpha_i x_i`$; the oracle outputs $`+B e_i`$
//!    with probability $`(1 + 2\delta\alpha_i)/(2d)`$ and $`-B e_i`$ with probability
//!    $`(1 - 2\delta\alpha_i)/(2d)`$.
//! 2. *Second construction* ([`LpConstruction::Product`]):
//!    $`f_\alpha(x) = \frac{2 B \delta}{d^{1/q}} \sum_i \alpha_i x_i`$; the oracle outputs
//!    independent coordinates $`\pm B/d^{1/q}`$ with probabilities $`(1 \pm 2\delta\alpha_i)/2`$.
//!
//! Both are unbiased for $`\nabla f_\alpha = 2 B \delta \alpha/d`$ (resp. $`/d^{1/q}`$), and the
//! minimizer over $`\mathcal{X}`$ is the vertex $`x^* = -\frac{D}{2 d^{1/p}}\, \alpha`$. The
//! paper's overview paragraph calls one construction "Bernoulli product" and the other
//! "Paninski's"; from the proofs (the chi-square contraction bound for the first, the
//! Bernoulli-product SDPI of Braverman et al. for the second) the one-hot oracle is Paninski-type
//! and the independent-coordinate oracle is the Bernoulli product, so the names here describe the
//! output law instead.
//!
//! Stochastic gradients are only drawn at queries in $`\mathcal{X}`$ ([`Oracle::domain`]);
//! projected methods project onto it.

use rand::{Rng, RngCore};

use crate::limits::check_entries;
use crate::oracle::{check_out, check_query};
use crate::{BoxDomain, NormBound, Oracle, OracleError, Properties};

/// Which of the two constructions of paper 001, §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LpConstruction {
    /// First construction: one coordinate $`\pm B e_i`$ per gradient.
    OneHot,
    /// Second construction: every coordinate $`\pm B/d^{1/q}`$, independently.
    Product,
}

/// A linear objective $`f_\alpha`$ on the box $`\mathcal{X}`$ with the stochastic oracle of one
/// of the $`\ell_p`$ lower-bound constructions.
///
/// ```
/// use oracles::{LpConstruction, LpLowerBound, Oracle};
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2);
/// let alpha = LpLowerBound::random_alpha(4, &mut rng)?;
/// // p = 2, D = 1, B = 1, delta = 0.25
/// let mut o = LpLowerBound::new(LpConstruction::OneHot, 2.0, 1.0, 1.0, 0.25, alpha)?;
/// let r = o.domain().unwrap().radius(); // D / (2 sqrt 4) = 0.25
/// assert_eq!(r, 0.25);
/// let mut g = [0.0; 4];
/// o.gradient(&[0.0; 4], &mut rng, &mut g)?;
/// assert_eq!(g.iter().filter(|v| **v != 0.0).count(), 1); // one coordinate, ±B
/// # Ok::<(), oracles::OracleError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LpLowerBound {
    construction: LpConstruction,
    p: f64,
    q: f64,
    diameter: f64,
    norm_bound: f64,
    delta: f64,
    alpha: Vec<i8>,
    domain: BoxDomain,
    /// Magnitude of a nonzero output coordinate: $`B`$ (one-hot) or $`B/d^{1/q}`$ (product).
    atom: f64,
    /// The constant gradient $`2 B \delta \alpha/d`$ (one-hot) or $`2 B \delta \alpha/d^{1/q}`$
    /// (product).
    grad: Vec<f64>,
    minimizer: Vec<f64>,
    optimal_value: f64,
}

impl LpLowerBound {
    /// The instance for `construction`, norm index $`p \in [1, \infty]`$, diameter $`D > 0`$ (the
    /// $`\ell_p`$ diameter of $`\mathcal{X}`$, $`2 r d^{1/p}`$ for box radius $`r`$), norm bound
    /// $`B > 0`$, bias $`\delta \in [0, 1/2]`$ (so that the probabilities $`(1 \pm 2\delta)/2`$
    /// are valid) and sign vector `alpha` (entries $`-1`$ or $`1`$, length $`d \ge 1`$).
    pub fn new(
        construction: LpConstruction,
        p: f64,
        diameter: f64,
        norm_bound: f64,
        delta: f64,
        alpha: Vec<i8>,
    ) -> Result<Self, OracleError> {
        let d = alpha.len();
        if d == 0 {
            return Err(OracleError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if let Some(i) = alpha.iter().position(|a| *a != 1 && *a != -1) {
            return Err(OracleError::InvalidParameter(format!(
                "alpha[{i}] must be -1 or 1"
            )));
        }
        if p.is_nan() || p < 1.0 {
            return Err(OracleError::InvalidParameter(format!(
                "norm index p must be at least 1, got {p}"
            )));
        }
        for (name, v) in [("diameter D", diameter), ("norm bound B", norm_bound)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(OracleError::InvalidParameter(format!(
                    "{name} must be finite and positive, got {v}"
                )));
            }
        }
        if !((0.0..=0.5).contains(&delta)) {
            return Err(OracleError::InvalidParameter(format!(
                "delta must lie in [0, 1/2], got {delta}"
            )));
        }
        let q = dual_exponent(p);
        let df = d as f64;
        // d^{1/p} and d^{1/q}; 1/inf = 0 gives d^0 = 1 at the ends.
        let d_1p = df.powf(1.0 / p);
        let d_1q = df.powf(1.0 / q);
        let radius = diameter / (2.0 * d_1p);
        let domain = BoxDomain::new(radius)?;
        let (atom, slope) = match construction {
            LpConstruction::OneHot => (norm_bound, 2.0 * norm_bound * delta / df),
            LpConstruction::Product => {
                let atom = norm_bound / d_1q;
                (atom, 2.0 * delta * atom)
            }
        };
        let grad: Vec<f64> = alpha.iter().map(|&a| slope * f64::from(a)).collect();
        let minimizer: Vec<f64> = alpha.iter().map(|&a| -radius * f64::from(a)).collect();
        let optimal_value = grad.iter().zip(&minimizer).map(|(g, x)| g * x).sum();
        Ok(Self {
            construction,
            p,
            q,
            diameter,
            norm_bound,
            delta,
            alpha,
            domain,
            atom,
            grad,
            minimizer,
            optimal_value,
        })
    }

    /// A uniformly random sign vector $`\alpha \in \{-1, 1\}^d`$.
    pub fn random_alpha<R: Rng + ?Sized>(d: usize, rng: &mut R) -> Result<Vec<i8>, OracleError> {
        if d == 0 {
            return Err(OracleError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        check_entries(d, "sign vector")?;
        Ok((0..d)
            .map(|_| if rng.random::<bool>() { 1 } else { -1 })
            .collect())
    }

    /// Which construction.
    pub fn construction(&self) -> LpConstruction {
        self.construction
    }

    /// The norm index $`p`$.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// The dual index $`q = p/(p - 1)`$ ($`\infty`$ for $`p = 1`$, 1 for $`p = \infty`$).
    pub fn q(&self) -> f64 {
        self.q
    }

    /// The $`\ell_p`$ diameter $`D`$ of the box.
    pub fn diameter(&self) -> f64 {
        self.diameter
    }

    /// The norm bound $`B`$ on $`\|g\|_q`$.
    pub fn norm_bound(&self) -> f64 {
        self.norm_bound
    }

    /// The bias $`\delta`$.
    pub fn delta(&self) -> f64 {
        self.delta
    }

    /// The sign vector $`\alpha`$.
    pub fn alpha(&self) -> &[i8] {
        &self.alpha
    }

    /// The box $`\mathcal{X}`$, of radius $`D/(2 d^{1/p})`$.
    pub fn domain_box(&self) -> BoxDomain {
        self.domain
    }

    /// Per-coordinate variance of the stochastic gradient: $`B^2/d - (2 B \delta/d)^2`$
    /// (one-hot) or $`(B/d^{1/q})^2 (1 - 4\delta^2)`$ (product).
    pub fn coordinate_variance(&self) -> f64 {
        let mean = self.grad.first().map_or(0.0, |g| g.abs());
        match self.construction {
            LpConstruction::OneHot => self.atom * self.atom / self.alpha.len() as f64 - mean * mean,
            LpConstruction::Product => self.atom * self.atom - mean * mean,
        }
    }

    /// Probability that a coordinate's nonzero value is `+atom`: $`(1 + 2\delta\alpha_i)/2`$.
    fn plus_probability(&self, alpha_i: i8) -> f64 {
        0.5 * (1.0 + 2.0 * self.delta * f64::from(alpha_i))
    }
}

/// The dual exponent $`q = p/(p - 1)`$, with $`q = \infty`$ at $`p = 1`$ and $`q = 1`$ at
/// $`p = \infty`$.
fn dual_exponent(p: f64) -> f64 {
    if p == 1.0 {
        f64::INFINITY
    } else if p.is_infinite() {
        1.0
    } else {
        p / (p - 1.0)
    }
}

impl Oracle for LpLowerBound {
    fn dim(&self) -> usize {
        self.alpha.len()
    }

    fn gradient(
        &mut self,
        x: &[f64],
        rng: &mut dyn RngCore,
        out: &mut [f64],
    ) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        self.domain.check(x)?;
        check_out(self.dim(), out)?;
        match self.construction {
            LpConstruction::OneHot => {
                out.fill(0.0);
                // Coordinate i w.p. 1/d, then sign + w.p. (1 + 2 delta alpha_i)/2: joint
                // probability (1 ± 2 delta alpha_i)/(2d).
                let i = rng.random_range(0..self.alpha.len());
                if let (Some(o), Some(&a)) = (out.get_mut(i), self.alpha.get(i)) {
                    let plus = rng.random::<f64>() < self.plus_probability(a);
                    *o = if plus { self.atom } else { -self.atom };
                }
            }
            LpConstruction::Product => {
                for (o, &a) in out.iter_mut().zip(&self.alpha) {
                    let plus = rng.random::<f64>() < self.plus_probability(a);
                    *o = if plus { self.atom } else { -self.atom };
                }
            }
        }
        Ok(())
    }

    fn true_gradient(&self, x: &[f64], out: &mut [f64]) -> Result<(), OracleError> {
        check_query(self.dim(), x)?;
        check_out(self.dim(), out)?;
        out.copy_from_slice(&self.grad);
        Ok(())
    }

    fn value(&self, x: &[f64]) -> Result<f64, OracleError> {
        check_query(self.dim(), x)?;
        Ok(self.grad.iter().zip(x).map(|(g, xi)| g * xi).sum())
    }

    fn minimizer(&self) -> Option<&[f64]> {
        Some(&self.minimizer)
    }

    /// The optimal value $`f_\alpha(x^*) = -B \delta D/d^{1/p}`$ (one-hot) or $`-B \delta D`$
    /// (product).
    fn optimal_value(&self) -> Option<f64> {
        Some(self.optimal_value)
    }

    fn properties(&self) -> Properties {
        Properties {
            smoothness: Some(0.0),
            strong_convexity: None,
            noise_variance: Some(self.coordinate_variance()),
            norm_bound: Some(NormBound {
                q: self.q,
                bound: self.norm_bound,
            }),
            dynamic_range: Some(self.atom),
        }
    }

    fn domain(&self) -> Option<BoxDomain> {
        Some(self.domain)
    }
}
