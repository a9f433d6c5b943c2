//! Baseline compressors from the distributed-optimization literature, bit-exact.
//!
//! Each scheme maps `v in R^d` to a message and back to `C(v)`, and belongs to one of the two
//! standard classes: **unbiased** with variance parameter `omega`
//! (`E C(v) = v`, `E||C(v) - v||^2 <= omega ||v||^2`) or **contractive** with parameter `alpha`
//! (`E||C(v) - v||^2 <= (1 - alpha) ||v||^2`).
//!
//! | scheme | `C(v)` | bits | class |
//! |---|---|---|---|
//! | [`Qsgd`] | `||v||_2 sgn(v_i) xi_i`, `xi_i` on `{0, 1/s, ..., 1}` | `c + len_{2s+1}(d)`, or Elias | `omega = min(d/s^2, sqrt(d)/s)` |
//! | [`NaturalDithering`] | `||v||_p sgn(v_i) xi_i`, `xi_i` on `{0, 2^(1-s), ..., 1}` | `c + len_{2s+1}(d)` | `omega = 1/8 + d^(1/r) 2^(1-s) min(1, d^(1/r) 2^(1-s))` |
//! | [`TernGrad`] | `max|v| sign(v_i) b_i`, `b_i ~ Bern(|v_i|/max|v|)` | `c + len_3(d)` | `omega = (sqrt(d) - 1)/2` |
//! | [`NaturalCompression`] | `sign(v_i) 2^(floor or ceil log2 |v_i|)` | `9 d` | `omega = 1/8` |
//! | [`RandK`] | `(d/k) v_i` on `k` public-coin coordinates | `k c` | `omega = d/k - 1` |
//! | [`PermK`] | `n v_i` on worker `i`'s block of a shared permutation | `ceil(d/n) c` | `omega = n - 1`, exact average |
//! | [`TopK`] | `v_i` on the `k` largest `|v_i|` | `ceil(log2 C(d, k)) + k c` | `alpha = k/d` |
//! | [`ScaledSign`] | `(||v||_1/d) sign(v)` | `c + d` | `alpha(v) = ||v||_1^2/(d ||v||_2^2) >= 1/d` |
//! | [`Sign`] | `sign(v)` | `d` | biased, scale-free |
//!
//! Here `c` is the size of one real in its [`ScalarCode`](crate::ScalarCode) (32 for the
//! default `f32` codes) and `len_n(m)` the length of `m` symbols over `n` letters in
//! [`ChunkedRadix`](bitcodec::ChunkedRadix) (`~ m log2 n`). Reals sent through an `f32` code
//! change the stated constants by a relative `1e-7` (see the module `scalar_error`); the
//! schemes' `variance()` include it.
//!
//! All of them run in `O(d)` (top-k: expected), validate their input (NaN, infinities and
//! wrong dimensions are errors), leave the writer untouched when a message does not fit, and
//! reject truncated or corrupted messages with an error.
//!
//! ```
//! use bitcodec::BitWriter;
//! use quantizers::baselines::{Qsgd, RandK, Sign, TopK};
//! use quantizers::{PublicState, Quantizer, check};
//!
//! let d = 64;
//! let schemes: Vec<Box<dyn Quantizer>> = vec![
//!     Box::new(Qsgd::new(d, 8)?),
//!     Box::new(RandK::new(d, 8)?),
//!     Box::new(TopK::new(d, 8)?),
//!     Box::new(Sign::new(d)?),
//! ];
//! let v: Vec<f64> = (0..d).map(|i| (i as f64).sin()).collect();
//! for q in &schemes {
//!     let m = check::measure(q.as_ref(), (&v).into(), 200, 1)?;
//!     m.assert_bits_match_cost(q.as_ref()).unwrap();
//!     if q.bias().is_unbiased() {
//!         m.assert_unbiased(5.0).unwrap();
//!     }
//!     m.assert_within_stated_mse(q.as_ref(), 5.0).unwrap();
//! }
//! # Ok::<(), quantizers::QuantError>(())
//! ```

mod level_set;
mod natural_compression;
mod natural_dithering;
mod norms;
mod perm_k;
mod pow2;
mod qsgd;
mod rand_k;
mod scalar_error;
mod scaled_sign;
mod scan;
mod sign;
mod symbols;
mod terngrad;
mod top_k;

pub use natural_compression::NaturalCompression;
pub use natural_dithering::{MAX_DYADIC_LEVELS, NaturalDithering};
pub use perm_k::PermK;
pub use qsgd::{Qsgd, QsgdCoding};
pub use rand_k::RandK;
pub use scaled_sign::ScaledSign;
pub use sign::Sign;
pub use terngrad::{TERNGRAD_CLIP, TernGrad};
pub use top_k::TopK;
