//! Server-to-worker compression for synchronous methods.
//!
//! - [`Downlink::Exact`]: the server sends `x_t` with every coordinate as an IEEE binary64
//!   (the [`quantizers::Unquantized`] pathway, `64 d` bits per link); workers use `x_t` itself.
//! - [`Downlink::Ef21P`] (EF21-P, Gruntkowska, Tyurin & Richtárik 2023; notes-algorithms §5.6):
//!   everybody keeps `w` (`w_0 = x_0`); the server broadcasts `c_t = C(x_t - w_{t-1})` with a
//!   (contractive) compressor `C`, everybody sets `w_t = w_{t-1} + c_t`, and workers compute
//!   their gradients at `w_t`.

use quantizers::Quantizer;

/// How the server's iterate reaches the workers each round.
#[derive(Debug)]
pub enum Downlink {
    /// `x_t` in full, exactly.
    Exact,
    /// EF21-P with this compressor (its dimension must be the cluster's).
    Ef21P(Box<dyn Quantizer>),
}
