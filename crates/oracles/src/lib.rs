//! # oracles — stochastic first-order oracles
//!
//! An [`Oracle`] answers a query `x` with a stochastic gradient `g`, `E[g] = grad f(x)`, and
//! declares what it knows about its problem ([`Properties`]: `L`, `mu`, `sigma^2`, norm
//! bounds, dynamic range). Oracles never see bits; the round loop in `optimizers` puts a
//! quantizer between them and the server.
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

mod error;
mod gaussian;
mod oracle;

pub use error::OracleError;
pub use gaussian::GaussianQuadratic;
pub use oracle::{NormBound, Oracle, Properties, check_out, check_query};
