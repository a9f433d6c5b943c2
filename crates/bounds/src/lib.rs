//! # bounds — information-theoretic limits for bit-constrained stochastic optimization
//!
//! An optimizer runs $`T`$ rounds; each stochastic gradient reaches it as a message of at most
//! $`B`$ bits. On the quadratic family $`f_\theta(x) = \tfrac12\|x - \theta\|^2`$ with gradients
//! $`x - \theta + \sigma Z`$, Kim's reduction (notes-000 Lemma 1) makes this exactly the
//! estimation of $`\theta \in \mathbb{R}^d`$ from $`T`$ sequentially compressed samples
//! $`\mathcal{N}(\theta, \sigma^2 I_d)`$, so for every protocol
//!
//! ```math
//! \begin{aligned}
//! D = \mathbb{E}\|x_T - x^*\|^2 &\ge \frac{d^2}{T \cdot \mathrm{cap}(B) + J(\pi)}
//!   && \text{(van Trees)} \\
//! \mathrm{cap}(B) &= \frac{d}{\sigma^2} \;\text{(unquantized)},\quad
//!   \frac{\min\{d, 2B \ln 2\}}{\sigma^2} \;\text{(Barnes–Özgür)},\quad
//!   \frac{d\,(1 - 4^{-B/d})}{\sigma^2} \;\text{(rate–distortion)} \\
//! T B &\ge R(D)
//!   && \text{(rate–distortion of the prior; Fano with a Gilbert–Varshamov packing)}
//! \end{aligned}
//! ```
//!
//! This crate evaluates these bounds and their relatives as pure functions: per-round Fisher caps
//! ([`FisherCap`]), prior information ([`Prior`]), van Trees ([`mse_lower_bound`]), rounds for a
//! target ([`rounds_needed`]), communication ([`total_bits_lower_bound`], [`fano_gv_total_bits`]),
//! the Fisher information of any scalar threshold quantizer ([`threshold_quantizer_fisher`]),
//! correlated ([`ar1_fisher`]) and drifting ([`bcrb_steady_state_mse`]) oracles, the minimum
//! precision $`r^*(T, p)`$ of Mayekar–Tyagi ([`rstar_upper_bits`]), the rate limit and guarantees
//! of DQ-GD ([`QgdSetting`]), the Kipnis–Duchi one-bit limit ([`one_bit_adaptive_mse`]), the
//! reconstructed achievability scheme ([`AchievabilityScheme`]), the exact expected risk of
//! averaged SGD on Gaussian linear regression under the quantization models of paper 003
//! ([`averaged_sgd_risk`]) with the stochastic-rounding variances it needs
//! ([`uniform_rounding_variance`], [`float_rounding_variance`]), the time complexities of
//! distributed SGD with compute and communication times ([`pessimistic_time_lower_bound`]) and the
//! special functions they need ([`erfc`], [`normal_sf`], ...).
//!
//! **Conventions.** Accuracy is the MSE $`D = \mathbb{E}\|x_T - x^*\|^2`$; papers' $`\varepsilon`$
//! converts through [`EpsilonConvention`] ($`D = 2\varepsilon^2`$ by default). Bits are bits
//! (never nats unless a name says so); Fisher information is per round in
//! $`1/(\text{units of } \theta)^2`$. Each function documents its formula and
//! source; where the source material is a reconstruction (tagged `[I]` in
//! `papers/notes-000-bit-constrained-bounds.md`), the doc says so and the constants sit in one
//! named place. Lower bounds that can go negative are clamped at 0.
//!
//! **Layout.** One module per concept, each opening with its formulas and sources; every item is
//! also re-exported at the crate root.
//!
//! **Errors.** Every function validates its inputs and returns [`BoundError`] for $`d = 0`$,
//! $`B = 0`$ where bits are required, $`\sigma \le 0`$, NaN or infinite parameters, non-positive
//! targets, $`|\rho| \ge 1`$, and so on. Nothing panics on bad input. The special functions are
//! total (`f64 → f64`, NaN in, NaN out), like `f64::exp`.
//!
//! ```
//! use bounds::{mse_lower_bound, rounds_needed, EpsilonConvention, FisherCap, Prior};
//!
//! // d = 1000 coordinates, σ = 1, a box prior of half-width 1, one bit per coordinate per round.
//! let (d, sigma) = (1000, 1.0);
//! let prior = Prior::Box { half_width: 1.0 };
//! let cap = FisherCap::RateDistortion { bits: 1000.0 };
//! // After 10 000 rounds no protocol beats D = d² / (T d (3/4) + d π²) ≈ 0.1333:
//! let d_min = mse_lower_bound(d, 10_000, sigma, cap, &prior)?;
//! assert!((d_min - 1e6 / (7.5e6 + 1000.0 * std::f64::consts::PI.powi(2))).abs() < 1e-12);
//! // Rounds needed for ε = 0.1 (D = 0.02): 4/3 times the unquantized count.
//! let mse = EpsilonConvention::default().mse(0.1)?;
//! let t_rd = rounds_needed(d, sigma, mse, cap, &prior)?;
//! let t_stat = rounds_needed(d, sigma, mse, FisherCap::Unquantized, &prior)?;
//! assert!((t_rd / t_stat - 4.0 / 3.0).abs() < 1e-12);
//! # Ok::<(), bounds::BoundError>(())
//! ```

pub mod accuracy;
pub mod achievability;
pub mod ar1;
pub mod ar1_sign;
pub mod communication;
pub mod dqgd;
pub mod drift;
mod error;
pub mod fano;
pub mod fisher_caps;
pub mod kipnis_duchi;
pub mod linreg_sgd;
pub mod mirror_descent;
pub mod prior;
pub mod quantized_fisher;
pub mod rounds;
pub mod simq;
pub mod special;
pub mod stochastic_rounding;
pub mod time_complexity;
mod validate;
pub mod van_trees;

pub use accuracy::{EpsilonConvention, FUNCTION_GAP_FACTOR};
pub use achievability::{AchievabilityScheme, MAX_BITS_PER_COORDINATE};
pub use ar1::{ar1_fisher, ar1_inflation, ar1_rate_distortion_gain_bits, ar1_rounds};
pub use ar1_sign::{AR1_SIGN_MAX_RHO, ar1_sign_factor, ar1_sign_mse};
pub use communication::{
    box_shannon_lower_bound_bits, gaussian_rate_distortion_bits, total_bits_lower_bound,
};
pub use dqgd::{
    QgdSetting, gd_optimal_step, gd_rate, rate_limit, uniform_scalar_space_filling_loss,
};
pub use drift::{bcrb_information, bcrb_steady_state_mse, bcrb_step, sequential_rd_floor};
pub use error::{BoundError, Result};
pub use fano::{
    GV_FRACTION, GV_MIN_DIMENSION, GvPacking, fano_error_probability, fano_gv_total_bits,
    fano_information_bits, gilbert_varshamov_log2_size, gilbert_varshamov_packing,
};
pub use fisher_caps::{
    BITS_TO_FISHER_SLOPE, FisherCap, barnes_ozgur_cap, crossover_bits, rate_distortion_cap,
    sub_gaussian_cap, unquantized_cap,
};
pub use kipnis_duchi::{one_bit_adaptive_mse, sign_bit_fisher};
pub use linreg_sgd::{
    LinregProblem, QuantizationModel, RiskPrediction, Rounding, SgdRun, averaged_sgd_risk,
    quantized_data_problem,
};
pub use mirror_descent::MirrorDescentSetting;
pub use prior::{Prior, cosine_box_information, gaussian_information, product_information};
pub use quantized_fisher::threshold_quantizer_fisher;
pub use rounds::{rounds_for_information, rounds_needed, rounds_needed_ceil};
pub use simq::{
    MinimaxSetting, holder_conjugate, iterated_log, minimax_error_lower_bound, rstar_lower_bits,
    rstar_upper_bits,
};
pub use special::{erf, erfc, erfcx, normal_cdf, normal_mills_ratio, normal_pdf, normal_sf};
pub use stochastic_rounding::{float_rounding_variance, uniform_rounding_variance};
pub use time_complexity::{
    PessimisticBound, StationarityProblem, TIME_BOUND_CONSTANT, fixed_computation_optimal_time,
    pessimistic_time_lower_bound, single_worker_sgd_time, synchronous_sgd_time,
};
pub use van_trees::{mse_lower_bound, van_trees_mse};
