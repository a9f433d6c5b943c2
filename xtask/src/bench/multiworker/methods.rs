//! The methods of the `multiworker` experiment, their parameters and step sizes, and the
//! compute-time profiles.
//!
//! Step sizes follow the methods' own prescriptions (notes-algorithms §5), with the problem's
//! `L`, `sigma^2 = E||g - grad f||^2` and target `eps`:
//!
//! | method | messages per round | step `gamma` |
//! |---|---|---|
//! | synchronous SGD | `x` to every worker, one exact gradient back from each | `min{1/L, eps n/(4 L sigma^2)}` (minibatch SGD with batch `n`, the rule of Rennala with `S = n` \[MEM\]) |
//! | Rennala SGD | per gradient: the gradient up, `x` back | `S = max{ceil(sigma^2/eps), 1}`, `min{1/L, eps S/(4 L sigma^2)}` (notes §5.4 \[MEM\]) |
//! | Shadowheart SGD | `x` to every worker, `m_i` rand-`K` messages up | `min{1, Z}/(2L)` with `Z` the plan's normaliser [INF, below] |
//! | MARINA-P | Perm-K blocks (or `x` with probability `p = 1/n`) down, one exact gradient up | as synchronous SGD [INF, below] |
//!
//! Shadowheart \[INF\]: its weights make the estimator `g` unbiased with
//! `E||g - grad f||^2 <= (||grad f||^2 + eps)/Z`, so `gamma <= min{1, Z}/(2L)` keeps the descent
//! lemma's noise below `eps/2` (the paper's own constant was not available).
//! MARINA-P \[INF\]: all workers hold the same quadratic, so its functional constant `L_B` is 0
//! and the downlink compression costs no step size; the uplink averages `n` gradients like
//! synchronous SGD. `p = 1/n` is the full-synchronisation probability of the reference code
//! (notes §5.6). Rand-`K` (Shadowheart's uplink) keeps `K = ceil(d/10)` coordinates.

use anyhow::{Context as _, Result, bail};
use optimizers::multi::{
    Cluster, Downlink, MarinaP, Method, Rennala, Shadowheart, ShadowheartPlan, SyncSgd,
};
use optimizers::{NoMemory, Sgd, StepSchedule, UpdateRule};
use quantizers::{BitCost, Quantizer, RandK, ScalarCode, Unquantized, VarianceBound};

/// Rand-`K` keeps `ceil(d / RAND_K_DIVISOR)` coordinates.
pub const RAND_K_DIVISOR: usize = 10;

/// The descent-lemma factor in the SGD step rules `min{1/L, eps b/(NOISE_FACTOR L sigma^2)}`.
pub const NOISE_FACTOR: f64 = 4.0;

/// How long each worker takes per stochastic gradient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// `h_i = h`.
    Equal,
    /// `h_i = h sqrt(i)`, `i = 1..n`: stragglers.
    Sqrt,
}

impl Profile {
    /// Both profiles, in report order.
    pub const ALL: [Profile; 2] = [Profile::Equal, Profile::Sqrt];

    /// The name used in records and tables.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Equal => "equal",
            Profile::Sqrt => "sqrt",
        }
    }

    /// `h_1, ..., h_n` for a fastest time `h`.
    pub fn compute_times(self, n: usize, h: f64) -> Vec<f64> {
        (1..=n)
            .map(|i| match self {
                Profile::Equal => h,
                Profile::Sqrt => h * (i as f64).sqrt(),
            })
            .collect()
    }
}

/// The four methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// Synchronous minibatch SGD, exact both ways.
    Sync,
    /// Rennala SGD, exact both ways.
    Rennala,
    /// Shadowheart SGD: rand-`K` uplink, exact broadcast.
    Shadowheart,
    /// MARINA-P: Perm-K downlink, exact uplink.
    MarinaP,
}

impl MethodKind {
    /// All methods, in report order.
    pub const ALL: [MethodKind; 4] = [
        MethodKind::Sync,
        MethodKind::Rennala,
        MethodKind::Shadowheart,
        MethodKind::MarinaP,
    ];

    /// The name used in records, tables and the legend.
    pub fn name(self) -> &'static str {
        match self {
            MethodKind::Sync => "Synchronous SGD",
            MethodKind::Rennala => "Rennala SGD",
            MethodKind::Shadowheart => "Shadowheart SGD",
            MethodKind::MarinaP => "MARINA-P",
        }
    }
}

/// What the step rules need to know about the problem.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepInputs {
    /// `L`.
    pub smoothness: f64,
    /// `sigma^2`.
    pub variance: f64,
    /// `eps`.
    pub eps: f64,
}

impl StepInputs {
    /// `min{1/L, eps b/(4 L sigma^2)}`: SGD with minibatches of `b` gradients.
    pub fn minibatch_step(&self, batch: f64) -> f64 {
        let noise = if self.variance > 0.0 {
            self.eps * batch / (NOISE_FACTOR * self.smoothness * self.variance)
        } else {
            f64::INFINITY
        };
        noise.min(1.0 / self.smoothness)
    }

    /// Rennala's batch `S = max{ceil(sigma^2/eps), 1}`.
    pub fn rennala_batch(&self) -> u64 {
        ((self.variance / self.eps).ceil() as u64).max(1)
    }

    /// Shadowheart's step `min{1, Z}/(2L)` for the plan's normaliser `Z`.
    pub fn shadowheart_step(&self, normaliser: f64) -> f64 {
        normaliser.min(1.0) / (2.0 * self.smoothness)
    }
}

/// A method ready to run, with the step it uses and what it sends.
pub struct Built {
    /// The method.
    pub method: Box<dyn Method + Send>,
    /// Its step size `gamma`.
    pub step: f64,
    /// A short description of its parameters for the report.
    pub detail: String,
    /// Coordinates the first worker sends per round, when the method plans them (Shadowheart).
    pub uplink_coordinates: Option<u64>,
}

fn sgd(d: usize, step: f64) -> Result<Box<dyn UpdateRule>> {
    Ok(Box::new(Sgd::new(
        vec![0.0; d],
        StepSchedule::constant(step)?,
    )?))
}

/// Rand-`K` with binary64 values: `K` coordinates for `64 K` bits, `omega = d/K - 1`.
pub fn rand_k(d: usize) -> Result<RandK> {
    Ok(RandK::new(d, d.div_ceil(RAND_K_DIVISOR))?.with_scalar_code(ScalarCode::F64))
}

/// Builds `kind` for `cluster` (whose workers, dimension and links it reads).
pub fn build(kind: MethodKind, cluster: &Cluster, steps: &StepInputs) -> Result<Built> {
    let (d, n) = (cluster.dim(), cluster.workers());
    let exact = || -> Result<Box<dyn Quantizer>> { Ok(Box::new(Unquantized::new(d)?)) };
    let built = match kind {
        MethodKind::Sync => {
            let step = steps.minibatch_step(n as f64);
            let method = SyncSgd::new(sgd(d, step)?, exact()?, &NoMemory, n, 1, Downlink::Exact)?;
            Built {
                method: Box::new(method),
                step,
                detail: "b = 1".into(),
                uplink_coordinates: None,
            }
        }
        MethodKind::Rennala => {
            let s = steps.rennala_batch();
            let step = steps.minibatch_step(s as f64);
            let method = Rennala::new(sgd(d, step)?, exact()?, n, s)?;
            Built {
                method: Box::new(method),
                step,
                detail: format!("S = {s}"),
                uplink_coordinates: None,
            }
        }
        MethodKind::Shadowheart => {
            let q = rand_k(d)?;
            let plan = shadowheart_plan(&q, cluster, steps)?;
            let step = steps.shadowheart_step(plan.normaliser);
            let method = Shadowheart::new(sgd(d, step)?, Box::new(q), steps.variance / steps.eps)?;
            let active = plan.batches.iter().filter(|&&b| b > 0).count();
            let k = d.div_ceil(RAND_K_DIVISOR) as u64;
            Built {
                uplink_coordinates: plan.messages.first().map(|m| m * k),
                method: Box::new(method),
                step,
                detail: format!(
                    "K = {}, t* = {:.3}, Z = {:.2}, {active} active",
                    d.div_ceil(RAND_K_DIVISOR),
                    plan.t_star,
                    plan.normaliser
                ),
            }
        }
        MethodKind::MarinaP => {
            let step = steps.minibatch_step(n as f64);
            let p = 1.0 / n as f64;
            let method = MarinaP::new(sgd(d, step)?, exact()?, n, 1, p)?;
            Built {
                method: Box::new(method),
                step,
                detail: format!("p = 1/{n}"),
                uplink_coordinates: None,
            }
        }
    };
    Ok(built)
}

/// Shadowheart's plan for `cluster` with rand-`K` messages, as the method computes it: message
/// times `tau_i` from the links, `omega` from the scheme, `sigma^2/eps` from the problem.
pub fn shadowheart_plan(
    q: &RandK,
    cluster: &Cluster,
    steps: &StepInputs,
) -> Result<ShadowheartPlan> {
    let VarianceBound::Relative { omega } = q.variance() else {
        bail!("rand-k declares no omega");
    };
    let BitCost::Exact(bits) = q.bit_cost() else {
        bail!("rand-k has no exact bit cost");
    };
    let time = cluster.time_model();
    let tau = (0..cluster.workers())
        .map(|i| time.uplink_time(i, bits, q.k()))
        .collect::<Option<Vec<f64>>>()
        .context("a worker without links")?;
    Ok(ShadowheartPlan::new(
        time.compute_times(),
        &tau,
        omega,
        steps.variance / steps.eps,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use optimizers::multi::CommUnit;
    use optimizers::multi::TimeModel;
    use oracles::{GaussianQuadratic, Oracle};

    fn steps() -> StepInputs {
        // sigma^2 / eps = 4.
        StepInputs {
            smoothness: 2.0,
            variance: 4e-3,
            eps: 1e-3,
        }
    }

    #[test]
    fn the_minibatch_step_is_capped_at_one_over_l() {
        let s = steps();
        // eps b / (4 L sigma^2) = b / 32.
        assert!((s.minibatch_step(1.0) - 1.0 / 32.0).abs() < 1e-15);
        assert!((s.minibatch_step(8.0) - 0.25).abs() < 1e-15);
        assert_eq!(s.minibatch_step(64.0), 0.5);
        let noiseless = StepInputs { variance: 0.0, ..s };
        assert_eq!(noiseless.minibatch_step(1.0), 0.5);
    }

    #[test]
    fn rennala_collects_sigma_squared_over_eps_gradients_and_steps_at_one_over_4l() {
        let s = steps();
        assert_eq!(s.rennala_batch(), 4);
        assert!((s.minibatch_step(s.rennala_batch() as f64) - 1.0 / 8.0).abs() < 1e-15);
        let tiny = StepInputs {
            variance: 1e-9,
            ..s
        };
        assert_eq!(tiny.rennala_batch(), 1);
    }

    #[test]
    fn shadowhearts_step_shrinks_only_when_z_is_below_one() {
        let s = steps();
        assert_eq!(s.shadowheart_step(3.0), 0.25);
        assert_eq!(s.shadowheart_step(0.5), 0.125);
    }

    #[test]
    fn the_sqrt_profile_has_stragglers() {
        assert_eq!(Profile::Equal.compute_times(3, 2.0), vec![2.0; 3]);
        let h = Profile::Sqrt.compute_times(4, 1.0);
        assert_eq!(h, vec![1.0, 2f64.sqrt(), 3f64.sqrt(), 2.0]);
    }

    #[test]
    fn the_shadowheart_plan_uses_k_coordinates_per_message() {
        // d = 20: K = 2, omega = 9; a coordinate costs 0.1 s at 64 bits: tau = 0.2 s.
        let oracles: Vec<Box<dyn Oracle>> = (0..2)
            .map(|_| Box::new(GaussianQuadratic::new(vec![0.0; 20], 1.0).unwrap()) as _)
            .collect();
        let time = TimeModel::new(vec![1.0; 2], CommUnit::Bit, 0.1 / 64.0, 0.0).unwrap();
        let cluster = Cluster::new(oracles, time, 64 * 20, 0).unwrap();
        let q = rand_k(20).unwrap();
        let plan = shadowheart_plan(&q, &cluster, &steps()).unwrap();
        assert!(plan.message_times.iter().all(|t| (t - 0.2).abs() < 1e-12));
        let direct = ShadowheartPlan::new(&[1.0; 2], &[0.2; 2], 9.0, 4.0).unwrap();
        assert_eq!(plan.t_star, direct.t_star);
        // The method builds with the step that plan implies.
        let built = build(MethodKind::Shadowheart, &cluster, &steps()).unwrap();
        assert_eq!(built.step, steps().shadowheart_step(plan.normaliser));
    }
}
