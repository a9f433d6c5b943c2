//! A binary range (arithmetic) coder for decisions of probability `a/(a + b)`, with a
//! proved bound on its loss against the exact probabilities.
//!
//! **The model.** A decision is a *star* with probability `q = a/t` and a *bar* with
//! probability `1 - q = b/t`, where `a, b >= 1` and `t = a + b <= MAX_TOTAL`. The coder keeps
//! an interval `[L, L + W 2^-(e+64))` of `[0, 1)`: `e` bits are final (the prefix), and the
//! 64-bit `low` and `range = W` are the next 64 bits of `L` and the width in units of
//! `2^-(e+64)`. A decision splits `W` at
//!
//! ```text
//! Q     = floor(fl(a * fl(1/t)) * 2^64)          (the star probability, 64-bit fixed point)
//! split = floor(W Q / 2^64),   star -> [L, L + split),   bar -> [L + split, L + W),
//! ```
//!
//! then shifts `W` left by its leading zeros (bit-granular renormalisation, so
//! `W in [2^63, 2^64)` before every decision) and emits the bits that left `low`.
//! `fl` is IEEE-754 double rounding to nearest; encoder and decoder evaluate the same
//! expression, so they split identically on every platform with IEEE doubles.
//!
//! **Loss.** With `u = 2^-53`, `fl(a * fl(1/t)) = q (1 + theta)`, `|theta| <= 2u + u^2 < eta
//! := 2^-51`. For `W >= 2^63`, the coded probabilities satisfy
//!
//! ```text
//! split / W       >= q (1 - eta) - 2^-64 - 2^-63 >= q (1 - eta - 3 t 2^-64 / a)    (star)
//! (W - split) / W >= 1 - q (1 + eta)               = (1 - q)(1 - eta a / b)         (bar)
//! ```
//!
//! so a path of decisions loses at most `sum -log2(1 - x_i)` bits against the exact
//! probabilities, `x_i` the bracketed relative errors. For a path through all
//! `C(a0 + b0, a0)` arrangements of `a0` stars and `b0` bars, the stars see `a = a0, ..., 1`
//! and the bars `b = b0, ..., 1` (each with `a <= a0`), hence
//!
//! ```text
//! sum x_i <= X := eta a0 (1 + H_{b0}) + 3 * 2^-64 (a0 + b0) H_{a0},      H_m = 1 + 1/2 + ... + 1/m,
//! ```
//!
//! and since every `x_i <= 2^-10` (for `t <= MAX_TOTAL = 2^40`), the loss is at most
//! `1.001 X / ln 2` bits ([`loss_bound_bits`]): below `2^-26` bits for `a0 = b0 = 2^20`, and
//! below `0.03` bits at the largest size.
//!
//! **Termination.** After the last decision `W >= 2^63`, so some dyadic interval of length
//! `2^-(e+t)`, `t <= 2`, lies inside `[L, L + W 2^-(e+64))`; the encoder writes its `e + t`
//! bits with the smallest such `t`. Any continuation of those bits still lies in the
//! interval, so the decoder may read past the code (into whatever follows it) and still
//! makes every decision right; it recomputes `t` from its own copy of the final interval.
//! The width `P` of the final interval is `2^-(e+64) W`, so `e < -log2 P` and the length is
//! `e + t < -log2 P + 2`, i.e. at most `ceil(-log2 P) + 1` bits.

use crate::{BitReader, BitString, CodecError};

/// The largest `t = a + b` the coder accepts: `2^40`, so that `Q >= 2^24` and every split
/// leaves both sides non-empty, and the loss bound stays far below a bit.
pub(crate) const MAX_TOTAL: u64 = 1 << 40;

/// `2^64` as a double.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// `eta = 2^-51`: the relative error of the rounded star probability (see the module docs).
const ETA: f64 = 1.0 / (1u64 << 51) as f64;

/// The star probability `a/t` as a 64-bit fixed-point fraction: `floor(fl(a fl(1/t)) 2^64)`.
///
/// Requires `1 <= a < t <= MAX_TOTAL`; then the result lies in `[2^24, 2^64)`.
#[inline]
pub(crate) fn star_fraction(a: u64, t: u64) -> u64 {
    // The reciprocal is shared by the decoder's two candidate fractions for the next decision.
    star_fraction_with(a, 1.0 / t as f64)
}

/// [`star_fraction`] with a precomputed `fl(1/t)`.
#[inline]
pub(crate) fn star_fraction_with(a: u64, recip_t: f64) -> u64 {
    // a < 2^53 is exact in a double; q < 1 - 2^-41, so the product is below 2^64 and the
    // cast truncates exactly.
    (a as f64 * recip_t * TWO_POW_64) as u64
}

/// `floor(x y / 2^64)`.
#[inline]
fn mul_hi(x: u64, y: u64) -> u64 {
    ((u128::from(x) * u128::from(y)) >> 64) as u64
}

/// `2^n - 1` for `n < 64`.
#[inline]
fn low_mask(n: u32) -> u64 {
    (1u64 << n) - 1
}

/// `H_m = 1 + 1/2 + ... + 1/m`, bounded above by `1 + ln m` (0 for `m = 0`).
fn harmonic_upper(m: u64) -> f64 {
    if m == 0 { 0.0 } else { 1.0 + (m as f64).ln() }
}

/// An upper bound, in bits, on how much longer than `log2 C(a0 + b0, a0)` the coded
/// probability of any arrangement of `a0` stars and `b0` bars makes the code:
/// `1.001 X / ln 2` with `X = eta a0 (1 + H_{b0}) + 3 * 2^-64 (a0 + b0) H_{a0}` (module docs).
pub(crate) fn loss_bound_bits(a0: u64, b0: u64) -> f64 {
    let x = ETA * a0 as f64 * (1.0 + harmonic_upper(b0))
        + 3.0 / TWO_POW_64 * (a0 as f64 + b0 as f64) * harmonic_upper(a0);
    1.001 * x / std::f64::consts::LN_2
}

/// The number of final bits `t` (1 or 2) that pin a dyadic interval inside
/// `[low, low + range)` (window units, `range >= 2^63`), and those bits; `carry` is set when
/// the dyadic point is `2^64`, i.e. the prefix must be incremented and the `t` bits are zero.
fn termination(low: u64, range: u64) -> (u32, u64, bool) {
    let lo = u128::from(low);
    let hi = lo + u128::from(range);
    // t = 1 when the interval holds [0, 1/2) or [1/2, 1) of the window; otherwise t = 2,
    // which always fits: the next multiple z of 2^62 is below lo + 2^62, and
    // z + 2^62 < lo + 2^63 <= hi.
    let t = if dyadic_point(lo, 1) + (1u128 << 63) <= hi {
        1
    } else {
        2
    };
    let z = dyadic_point(lo, t);
    let carry = z >> 64 != 0;
    let bits = ((z >> (64 - t)) as u64) & low_mask(t);
    (t, bits, carry)
}

/// The smallest multiple of `2^(64 - t)` at or above `lo`.
fn dyadic_point(lo: u128, t: u32) -> u128 {
    let unit = 1u128 << (64 - t);
    lo.div_ceil(unit) * unit
}

/// The encoding half: decisions in, a bit string out at [`RangeEncoder::finish`].
#[derive(Debug, Clone)]
pub(crate) struct RangeEncoder {
    low: u64,
    range: u64,
    /// Final 64-bit words of the prefix, first bit in the most significant position.
    words: Vec<u64>,
    /// The last `pending` prefix bits (in the low bits), not yet a full word.
    acc: u64,
    pending: u32,
}

impl RangeEncoder {
    /// The coder over the whole of `[0, 1)` (as `[0, 1 - 2^-64)`: a loss of `2^-63` bits).
    pub(crate) fn new() -> Self {
        Self {
            low: 0,
            range: u64::MAX,
            words: Vec::new(),
            acc: 0,
            pending: 0,
        }
    }

    /// Codes one decision; `fraction` is [`star_fraction`] of the current `(a, t)`.
    #[inline]
    pub(crate) fn encode(&mut self, star: bool, fraction: u64) {
        let split = mul_hi(self.range, fraction);
        if star {
            self.range = split;
        } else {
            let (low, carry) = self.low.overflowing_add(split);
            self.low = low;
            self.range -= split;
            if carry {
                self.carry();
            }
        }
        let s = self.range.leading_zeros();
        if s > 0 {
            self.range <<= s;
            let wide = u128::from(self.low) << s;
            self.low = wide as u64;
            self.emit((wide >> 64) as u64, s);
        }
    }

    /// Appends the low `n` bits of `bits` (`1 <= n <= 63`) to the prefix.
    #[inline]
    fn emit(&mut self, bits: u64, n: u32) {
        let total = self.pending + n;
        let acc = (u128::from(self.acc) << n) | u128::from(bits);
        if total >= 64 {
            let rest = total - 64;
            self.words.push((acc >> rest) as u64);
            self.acc = (acc as u64) & low_mask(rest);
            self.pending = rest;
        } else {
            self.acc = acc as u64;
            self.pending = total;
        }
    }

    /// Adds one to the prefix (the interval moved past a multiple of `2^-e`).
    fn carry(&mut self) {
        if self.pending > 0 {
            self.acc += 1;
            if self.acc >> self.pending == 0 {
                return;
            }
            self.acc = 0;
        }
        // The interval stays inside [0, 1), so the carry stops before the first word.
        for w in self.words.iter_mut().rev() {
            *w = w.wrapping_add(1);
            if *w != 0 {
                return;
            }
        }
    }

    /// Terminates the code and returns it in stream order.
    pub(crate) fn finish(mut self) -> BitString {
        let (t, bits, carry) = termination(self.low, self.range);
        if carry {
            self.carry();
        }
        self.emit(bits, t);
        let len = self.words.len() * 64 + self.pending as usize;
        // Stream bit i is bit 63 - i of an MSB-first word; BitString words are LSB-first.
        let mut words: Vec<u64> = self.words.iter().map(|w| w.reverse_bits()).collect();
        if self.pending > 0 {
            words.push(self.acc.reverse_bits() >> (64 - self.pending));
        }
        BitString { words, len }
    }
}

/// The decoding half: reads ahead from its own copy of the reader; [`RangeDecoder::finish`]
/// says how many bits the code took.
#[derive(Debug, Clone)]
pub(crate) struct RangeDecoder<'a> {
    range: u64,
    /// The read value minus `low`, in window units: always `< range`.
    code: u64,
    /// The 64 bits of the read value under the window (to recover `low` at the end).
    window: u64,
    /// Upcoming bits, most significant first; `buffered >= 64` between decisions.
    buf: u128,
    buffered: u32,
    reader: BitReader<'a>,
    /// Bits that have left the window: the prefix length `e`.
    shifted: usize,
    /// Bits the message really holds from the start of the code (the rest reads as zeros).
    available: usize,
}

impl<'a> RangeDecoder<'a> {
    /// Starts decoding at the reader's position (the reader is a copy; it is not advanced).
    pub(crate) fn new(reader: BitReader<'a>) -> Result<Self, CodecError> {
        let available = reader.remaining();
        let mut dec = Self {
            range: u64::MAX,
            code: 0,
            window: 0,
            buf: 0,
            buffered: 0,
            reader,
            shifted: 0,
            available,
        };
        dec.refill();
        dec.refill();
        dec.code = (dec.buf >> 64) as u64;
        dec.window = dec.code;
        dec.buf <<= 64;
        dec.buffered = 64;
        if dec.code >= dec.range {
            // Only the all-ones pattern, in the 2^-64 sliver no encoder uses.
            return Err(CodecError::InvalidCodeword(
                "range code value past the initial interval",
            ));
        }
        Ok(dec)
    }

    /// Appends the next 64 message bits (zeros past the end) below the buffered ones.
    fn refill(&mut self) {
        let width = self.reader.remaining().min(64) as u32;
        // read_bits returns the first bit read in bit 0; put it first (most significant).
        // It cannot fail: width <= remaining.
        let word = self.reader.read_bits(width).unwrap_or(0).reverse_bits();
        self.buf |= u128::from(word) << (64 - self.buffered);
        self.buffered += 64;
    }

    /// Decodes one decision (`true` = star); `fraction` is [`star_fraction`] of `(a, t)`.
    #[inline]
    pub(crate) fn decode(&mut self, fraction: u64) -> bool {
        let split = mul_hi(self.range, fraction);
        let star = self.code < split;
        if star {
            self.range = split;
        } else {
            self.code -= split;
            self.range -= split;
        }
        let s = self.range.leading_zeros();
        if s > 0 {
            self.range <<= s;
            let next = u128::from((self.buf >> 64) as u64);
            self.code = ((((u128::from(self.code) << 64) | next) << s) >> 64) as u64;
            self.window = ((((u128::from(self.window) << 64) | next) << s) >> 64) as u64;
            self.buf <<= s;
            self.buffered -= s;
            self.shifted += s as usize;
            if self.buffered < 64 {
                self.refill();
            }
        }
        star
    }

    /// The code's length in bits, `e + t` as the encoder chose it; errors if the message
    /// held fewer bits than that (it was truncated).
    pub(crate) fn finish(self) -> Result<usize, CodecError> {
        let low = self.window.wrapping_sub(self.code);
        let (t, _, _) = termination(low, self.range);
        let len = self.shifted + t as usize;
        if len > self.available {
            return Err(CodecError::UnexpectedEnd {
                requested: len,
                remaining: self.available,
            });
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BitWriter;

    #[test]
    fn star_fraction_is_within_eta_of_the_exact_probability() {
        for (a, t) in [
            (1u64, 2u64),
            (1, 3),
            (2, 3),
            (1, MAX_TOTAL),
            (MAX_TOTAL - 1, MAX_TOTAL),
        ] {
            let q = a as f64 / t as f64;
            let f = star_fraction(a, t) as f64 / TWO_POW_64;
            assert!((f - q).abs() <= q * ETA + 1.0 / TWO_POW_64, "a={a} t={t}");
            assert!(star_fraction(a, t) >= 1 << 24);
        }
    }

    #[test]
    fn termination_fits_a_dyadic_interval_inside_the_final_one() {
        for (low, range) in [
            (0u64, 1u64 << 63),
            (u64::MAX, 1 << 63),
            (1 << 63, u64::MAX),
            (12345, (1 << 63) + 7),
            ((1 << 63) + 1, 1 << 63),
        ] {
            let (t, bits, carry) = termination(low, range);
            assert!(t <= 2);
            let z = (u128::from(carry) << 64) + (u128::from(bits) << (64 - t));
            let lo = u128::from(low);
            assert!(lo <= z && z + (1u128 << (64 - t)) <= lo + u128::from(range));
        }
    }

    #[test]
    fn carries_propagate_through_the_prefix() {
        // Decisions chosen to drive low past 2^64 repeatedly.
        let mut enc = RangeEncoder::new();
        let path: Vec<bool> = (0..200).map(|i| i % 3 != 0).collect();
        for &star in &path {
            enc.encode(star, star_fraction(1, 3));
        }
        let msg = enc.finish();
        let mut w = BitWriter::new();
        w.write_bitstring(&msg).unwrap();
        let bits = w.finish();
        let mut dec = RangeDecoder::new(bits.reader()).unwrap();
        for &star in &path {
            assert_eq!(dec.decode(star_fraction(1, 3)), star);
        }
        assert_eq!(dec.finish().unwrap(), msg.len());
    }
}
