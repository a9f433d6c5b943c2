//! # optimizers — update rules, worker memories and the bit-budgeted round loop
//!
//! An optimizer in lowbit runs `T` rounds of the B-bit protocol (paper 000 §1.3). In round `t`
//! the server broadcasts `x_t`; a worker queries its stochastic first-order oracle at a point
//! `z_t` (usually `x_t`) and gets `g_t`; its **memory** turns `g_t` into the vector `u_t` it
//! quantizes; the encoder writes a message of at most `B` bits using private randomness, public
//! coins and the public state; the server decodes the bits alone into `q_t`, its half of the
//! memory turns `q_t` into a gradient estimate `g_hat_t`, and its **update rule** moves to
//! `x_{t+1}`. In the code:
//!
//! | paper | code |
//! |---|---|
//! | `x_{t+1} = U(x_t, g_hat_t)` | [`UpdateRule`]: [`Sgd`], [`ProjectedSgd`], [`MirrorDescent`], [`GradientDescent`], [`RunningMean`] |
//! | step `eta_t` | [`StepSchedule`]: `eta`, `1/(mu (t + t0))`, `eta0/sqrt(t)` |
//! | `z_t`, `u_t`, the residual | [`Memory`]: [`NoMemory`], [`ErrorFeedback`], [`Ef21`], [`DqGd`], [`Reduction`] |
//! | the round, `B`, the transcript | [`run`] / [`run_observed`] with a [`RunConfig`], returning a [`Trace`] |
//! | `n` workers, compute time `h_i`, time per bit or coordinate | [`multi`]: [`multi::Cluster`], [`multi::TimeModel`], [`multi::Method`] |
//! | independent trials | [`monte_carlo()`] |
//! | quantized data, labels, parameters, activations, output gradients (paper 003) | [`linreg`]: [`LinregSgd`], outside the round loop |
//!
//! The round loop ([`round_loop`]) is the only place a message crosses from a worker to the
//! server: it owns the budget, records the [`bitcodec::Transcript`], and decodes from the bits
//! alone. Randomness is three independent streams per worker derived from one seed
//! ([`RunStreams`]): oracle noise, private encoder randomness, and public coins.
//!
//! SGD with step `1/t` on the Gaussian quadratic through the exact pathway, in three lines:
//!
//! ```
//! use optimizers::{run, NoMemory, RunConfig, Sgd, StepSchedule};
//! use oracles::GaussianQuadratic;
//! use quantizers::Unquantized;
//!
//! let mut sgd = Sgd::new(vec![0.0; 4], StepSchedule::inverse_time(1.0, 0.0)?)?;
//! let mut oracle = GaussianQuadratic::new(vec![1.0; 4], 1.0)?;
//! let trace = run(&RunConfig::new(1000, 256, 42)?, &mut oracle, &Unquantized::new(4)?, &mut sgd, &NoMemory)?;
//!
//! assert_eq!(trace.total_bits(), 1000 * 64 * 4);
//! let mse = trace.last_sample().and_then(|s| s.dist2).ok_or("no minimizer")?;
//! assert!(mse < 0.05); // about d sigma^2 / T = 0.004
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod box_mirror_descent;
mod dqgd;
mod ef21;
mod error;
mod error_feedback;
mod gd;
pub mod linreg;
mod memory;
mod mirror_descent;
pub mod monte_carlo;
pub mod multi;
mod observer;
mod projected_sgd;
mod projection;
mod reduction;
pub mod round_loop;
mod rule;
mod running_mean;
mod schedule;
mod sgd;
mod streams;
mod trace;

pub use box_mirror_descent::BoxMirrorDescent;
pub use dqgd::DqGd;
pub use ef21::Ef21;
pub use error::OptError;
pub use error_feedback::ErrorFeedback;
pub use gd::GradientDescent;
pub use linreg::{LinregSgd, Target, TargetQuantizers, TargetStats};
pub use memory::{Memory, MemoryView, NoMemory, RoundContext, ServerMemory, WorkerMemory};
pub use mirror_descent::MirrorDescent;
pub use monte_carlo::monte_carlo;
pub use observer::{NoObserver, Observer, RoundRecord};
pub use projected_sgd::ProjectedSgd;
pub use projection::LpBall;
pub use reduction::{QueryPoint, Reduction};
pub use round_loop::{RunConfig, run, run_observed};
pub use rule::{UpdateRule, gradient_step};
pub use running_mean::RunningMean;
pub use schedule::StepSchedule;
pub use sgd::Sgd;
pub use streams::{RunStreams, trial_seed};
pub use trace::{Sample, Trace};
