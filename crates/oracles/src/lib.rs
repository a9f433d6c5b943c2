//! # oracles — stochastic first-order oracles
//!
//! An [`Oracle`] answers a query $`x`$ with a stochastic gradient $`g`$,
//! $`\mathbb{E}[g] = \nabla f(x)`$, and declares what it knows about its problem
//! ([`Properties`]: $`L`$, $`\mu`$, $`\sigma^2`$, norm bounds, dynamic range; [`Oracle::domain`]
//! for oracles that only answer queries in a box).
//! Oracles never see bits; the round loop in `optimizers` puts a quantizer between them and
//! the server. Every random draw comes from the caller's generator.
//!
//! | family | objective | stochastic gradient | type |
//! |---|---|---|---|
//! | Gaussian quadratic | $`\frac12 (x - \theta)^\top A (x - \theta)`$ | $`A(x - \theta) + \sigma Z`$ | [`GaussianQuadratic`] ([`Prior`], [`SpdMatrix`]) |
//! | bounded range | $`\frac12 \Vert x - \theta \Vert^2`$ | $`x - \theta + \xi`$, $`\lvert g_i \rvert \le R`$ | [`BoundedQuadratic`] ([`BoundedNoise`], [`dynamic_range`]) |
//! | AR(1) noise | as Gaussian | $`Z_t = \rho Z_{t-1} + \sqrt{1 - \rho^2}\, \xi_t`$ | [`Ar1Quadratic`] |
//! | drifting minimizer | $`\theta_t = \theta_{t-1} + q \xi_t`$ | as Gaussian | [`DriftingQuadratic`] |
//! | $`\ell_p`$ lower bounds | $`c \sum_i \alpha_i x_i`$ on a box | $`\pm B e_i`$ or $`\pm B/d^{1/q}`$ per coordinate | [`LpLowerBound`] |
//! | least squares | $`\frac12 \Vert y - A x \Vert^2`$ | exact, or one sampled row | [`LeastSquares`] ([`MatrixMarket`]) |
//! | linear regression | $`\frac12 \mathbb{E} (y - x^\top w)^2`$, $`x \sim \mathcal{N}(0, \operatorname{diag}(i^{-a}))`$ | batch of fresh samples | [`LinearRegression`] |
//!
//! [`WorkerSet`] groups $`n`$ oracles with compute times for multi-worker runs.
//!
//! ```
//! use oracles::{GaussianQuadratic, Oracle};
//! use rand::SeedableRng;
//!
//! let mut oracle = GaussianQuadratic::new(vec![1.0; 8], 0.5)?;
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
//! let mut g = vec![0.0; 8];
//! oracle.gradient(&[0.0; 8], &mut rng, &mut g)?; // g ~ N(-theta, 0.25 I)
//! assert_eq!(oracle.value(&[1.0; 8])?, 0.0);
//! # Ok::<(), oracles::OracleError>(())
//! ```

mod ar1;
mod bounded;
mod bounded_noise;
mod domain;
mod drift;
mod error;
mod gaussian;
mod least_squares;
mod limits;
mod linear_regression;
mod lp_lower_bound;
mod matrix_market;
mod oracle;
mod prior;
mod spd;
mod workers;

pub use ar1::Ar1Quadratic;
pub use bounded::{BoundedQuadratic, dynamic_range};
pub use bounded_noise::{BoundedNoise, BoundedNoiseKind};
pub use domain::BoxDomain;
pub use drift::DriftingQuadratic;
pub use error::OracleError;
pub use gaussian::GaussianQuadratic;
pub use least_squares::{LeastSquares, LsGradient};
pub use linear_regression::LinearRegression;
pub use lp_lower_bound::{LpConstruction, LpLowerBound};
pub use matrix_market::{MatrixMarket, MmField, MmFormat, MmSymmetry};
pub use oracle::{NormBound, Oracle, Properties, check_out, check_query};
pub use prior::Prior;
pub use spd::SpdMatrix;
pub use workers::{Worker, WorkerSet};
