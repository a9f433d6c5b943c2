//! Private randomness for the encoders: uniform draws from 64-bit words, read in blocks.
//!
//! Stochastic rounding of `v` between neighbours `a <= v < b` rounds up iff a uniform word
//! `U` in `[0, 2^64)` is below `(v - a)/(b - a) · 2^64`, so an encoder consumes random words,
//! one (or a few) per coordinate. The words come from the caller's generator, a
//! `&mut dyn RngCore`; calling it once per word costs a virtual call per coordinate, so
//! encoders read it through [`Uniforms`], which draws [`BLOCK_WORDS`] words with one
//! `fill_bytes` call. For the usual generators (`SmallRng`, the ChaCha family, `StdRng`) the
//! bytes of `fill_bytes` are the little-endian words `next_u64` would return, in order, so
//! blocks change nothing but the speed (the tests check it for `SmallRng` and `ChaCha8Rng`).
//!
//! - [`Uniforms`]: buffered words, uniforms in `[0, 1)` ([`Uniforms::unit_f64`]) and exact
//!   uniform integers ([`Uniforms::below`]); [`Uniforms::block`] and [`Uniforms::consume`]
//!   hand hot loops the block itself.
//! - [`unit_f64`]: one uniform straight from a generator.

mod uniforms;

pub use uniforms::{BLOCK_WORDS, Uniforms, unit_f64};
