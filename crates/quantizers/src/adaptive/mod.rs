//! Adaptive schemes for compressed Gaussian mean estimation (notes-000).
//!
//! # The problem
//!
//! On `f_theta(x) = 1/2 ||x - theta||^2` with gradients `g_t = x_t - theta + sigma Z_t`, a `B`-bit
//! optimizer is exactly sequential `B`-bit estimation of the mean of `W_t = x_t - g_t ~
//! N(theta, sigma^2 I_d)` (paper 000, Lemma 1 \[I\]). Each round may adapt its encoder to the
//! past messages `M^{t-1}` through the **public centre** `c` ([`PublicState::centre`]): the
//! decoder's prediction of the input (the expected gradient, which is 0 with queries at the
//! current estimate, so a missing centre means 0). The server turns decoded vectors into an
//! estimate by a per-coordinate running mean (SGD with step `1/N_i`, `N_i` = rounds that
//! described coordinate `i`; [`Quantizer::support`] says which those are).
//!
//! The lower bound caps the Fisher information of each round's message at
//! `min{d, 2B ln 2}/sigma^2`, or `d (1 - 4^{-B/d})/sigma^2` in the sharper form (notes-000,
//! Theorem 3, reconstructed \[I\]). The schemes here and what they reach per round (units of
//! `1/sigma^2`, `k` = coordinates described per round):
//!
//! | scheme | bits per round | information per round | regime |
//! |---|---|---|---|
//! | [`AdaptiveSign`] | `k = min(B, d)` | `k 2/pi` at the centre | Gaussian, `B <= 1.44 d` |
//! | [`AdaptiveMultiBit`] | `k q`, `k = min(d, floor(B/q))` | `k I(q)` at the centre | Gaussian, `B > 1.44 d` |
//! | [`RoundRobinRange`] | `k q`, `q = ceil(log2(1 + 2R/sigma))` | (unbiased, variance `sigma^2 + Delta^2/4`) | bounded range `[-R, R]` |
//!
//! `I(q)` is the Fisher information of the optimal `q`-bit threshold quantizer of `N(0, 1)`
//! ([`OptimalThresholds`], tabulated in [`fisher_information`]); `I(1) = 2/pi`. Sign bits reach
//! `2/pi` per bit against the `2 ln 2` slope of the cap (ratio `pi ln 2 = 2.18`), and at `B = d`
//! reach `2/pi` per coordinate against `3/4`. [`BitAllocation::best`] picks `q` for `(d, B)`;
//! [`AdaptiveScheme::for_gaussian`] builds the corresponding scheme.
//!
//! # Conventions shared by the schemes
//!
//! - The described coordinates of a round are a public function of the round (round robin) or
//!   of the public coins ([`Selection`], [`CoordinateSchedule`]); messages list them in increasing
//!   order and carry no index bits. Decoders output the centre on the other coordinates.
//! - A centre of the wrong length is [`QuantError::DimensionMismatch`], a non-finite one
//!   [`QuantError::InvalidParameter`]; NaN or infinite input is [`QuantError::NonFinite`].
//! - Every `q`-bit field names a valid cell, so a corrupted message decodes to another valid
//!   message; a truncated one is [`QuantError::Codec`].
//!
//! ```
//! use bitcodec::BitWriter;
//! use quantizers::{PublicState, Quantizer};
//! use quantizers::adaptive::AdaptiveScheme;
//! use rand::{Rng, SeedableRng};
//! use rand_distr::StandardNormal;
//!
//! // Estimate theta in R^4 from B = 4 bits per round: one sign bit per coordinate, centred at
//! // the running estimate (the Kipnis–Duchi recursion).
//! let (d, sigma, theta) = (4, 1.0, [0.3, -0.2, 0.1, 0.0]);
//! let q = AdaptiveScheme::for_gaussian(d, 4, sigma)?;
//! let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
//! let (mut est, mut w, mut out) = (vec![0.0; d], BitWriter::new(), vec![0.0; d]);
//! for n in 1..=2000u64 {
//!     let sample: Vec<f64> = theta.iter().map(|t| t + sigma * rng.sample::<f64, _>(StandardNormal)).collect();
//!     let state = PublicState::new(9).with_round(n).with_centre(&est);
//!     w.reset(Some(4));
//!     q.encode((&sample).into(), &state, &mut rng, &mut w)?;
//!     let msg = w.to_bitstring();
//!     q.decode(&mut msg.reader(), &state, &mut out)?;
//!     for (e, o) in est.iter_mut().zip(&out) {
//!         *e += (o - *e) / n as f64; // running mean of the one-step estimates
//!     }
//! }
//! let err2: f64 = est.iter().zip(&theta).map(|(e, t)| (e - t) * (e - t)).sum();
//! assert!(err2 < 0.05); // about d pi sigma^2 / (2n) = 0.003
//! # Ok::<(), quantizers::QuantError>(())
//! ```
//!
//! [`PublicState::centre`]: crate::PublicState::centre
//! [`Quantizer::support`]: crate::Quantizer::support
//! [`QuantError::DimensionMismatch`]: crate::QuantError::DimensionMismatch
//! [`QuantError::InvalidParameter`]: crate::QuantError::InvalidParameter
//! [`QuantError::NonFinite`]: crate::QuantError::NonFinite
//! [`QuantError::Codec`]: crate::QuantError::Codec

pub mod allocation;
mod centre;
mod checks;
pub mod multi_bit;
pub mod normal;
pub mod round_robin_range;
pub mod schedule;
pub mod scheme;
pub mod sign;
pub mod thresholds;

pub use allocation::BitAllocation;
pub use multi_bit::AdaptiveMultiBit;
pub use round_robin_range::{MAX_RANGE_BITS, RoundRobinRange};
pub use schedule::{CoordinateSchedule, Selection};
pub use scheme::AdaptiveScheme;
pub use sign::{AdaptiveSign, SQRT_FRAC_PI_2};
pub use thresholds::{MAX_BITS, OptimalThresholds, fisher_information, threshold_information};
