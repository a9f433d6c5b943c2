//! A binary range (arithmetic) coder for stars and bars: decisions of probability
//! `a/(a + b)`, with a proved bound on its loss against the exact probabilities.
//!
//! **The model.** A decision is a *star* with probability `q = a/t` and a *bar* with
//! probability `1 - q = b/t`, where `a, b >= 1` and `t = a + b <= MAX_TOTAL`. The coder keeps
//! an interval `[L, L + W 2^-(e+64))` of `[0, 1)`: `e` bits are final (the prefix), and the
//! 64-bit `low` and `range = W` are the next 64 bits of `L` and the width in units of
//! `2^-(e+64)`. A decision splits `W` at
//!
//! ```text
//! Q     = floor(a fl(1/t) 2^64)                  (the star probability, 64-bit fixed point)
//! split = floor(W Q / 2^64),   star -> [L, L + split),   bar -> [L + split, L + W),
//! ```
//!
//! and when `W` has fallen below `2^56` shifts it left by its leading zeros (into
//! `[2^63, 2^64)`), emitting the bits that leave `low`: `W >= 2^56` before every decision.
//! `fl(1/t)` is the IEEE-754 double quotient (correctly rounded on every platform); `Q` is
//! then computed exactly in integers from its mantissa and exponent, so encoder and
//! decoder split identically everywhere.
//!
//! **Loss.** With `u = 2^-53`, `a fl(1/t) = q (1 + theta)`, `|theta| <= u`, and
//! `Q / 2^64` lies in `(a fl(1/t) - 2^-64, a fl(1/t)]`. For `W >= 2^56` (so
//! `2^-64 + 1/W < 2^-55`) the coded probabilities satisfy
//!
//! ```text
//! split / W       >= Q 2^-64 - 1/W > q (1 - u) - 2^-55 = q (1 - u - 2^-55 t / a)        (star)
//! split / W       <= Q 2^-64      <= q (1 + u)
//! (W - split) / W >= 1 - Q 2^-64  >= 1 - q (1 + u)     = (1 - q)(1 - u a / b)           (bar)
//! (W - split) / W <= 1 - Q 2^-64 + 1/W                 <= (1 - q)(1 + u a / b + 2^-55 t / b)
//! ```
//!
//! so along a path of decisions the coded probability is within a factor `prod (1 +- x_i)`
//! of the exact one, `x_i` the bracketed relative errors. On a path through any of the
//! `C(a0 + b0, a0)` arrangements of `a0` stars and `b0` bars, the stars see `a = a0, ..., 1`
//! and the bars `b = b0, ..., 1` (each with `a <= a0`, `t <= a0 + b0`), hence
//!
//! ```text
//! sum x_i <= X := u a0 (1 + H_{b0}) + 2^-55 (a0 + b0) (H_{a0} + H_{b0}),     H_m = 1 + ... + 1/m,
//! ```
//!
//! and since every `x_i <= 2^-12` (for `t <= MAX_TOTAL = 2^40`), the coded probability is
//! within a factor `2^delta` of the exact one, `delta = 1.001 X / ln 2` bits
//! ([`loss_bound_bits`]): below `2^-27` for `a0 = b0 = 2^20`, below `0.01` at the largest
//! size.
//!
//! Every split leaves both sides non-empty: `Q >= 2^24` gives `split >= 2^16`, and
//! `1 - Q 2^-64 > 2^-41` gives `W - split >= 2^15`; so after a decision `W >= 2^15` and a
//! renormalising shift is at most 48 bits.
//!
//! **Termination.** After the last decision the coder renormalises, so `W >= 2^63` and
//! some dyadic interval of length `2^-(e+t)`, `t <= 2`, lies inside `[L, L + W 2^-(e+64))`;
//! the encoder writes its `e + t` bits with the smallest such `t`. Any continuation of
//! those bits still lies in the interval, so the decoder may read past the code (into
//! whatever follows it) and still makes every decision right; it recomputes `t` from its
//! own copy of the final interval.
//! The width `P` of the final interval is `2^-(e+64) W`, so `e < -log2 P` and the length is
//! `e + t < -log2 P + 2`, i.e. at most `ceil(-log2 P) + 1` bits; and at least
//! `e + 1 >= -log2 P`.
//!
//! **Speed.** Both loops keep the coder state in locals and make no branch on the
//! decisions (`select_unpredictable`; the decoder computes the fractions for both outcomes
//! of a decision, from one product, while it resolves). Renormalising only below `2^56`
//! makes most decisions one multiplication and a compare: a decision costs about a bit, so
//! a shift comes every few decisions. The reciprocals `fl(1/t)`, `t = a + b` falling by
//! one per decision, are computed a block at a time so the divisions vectorise.

use std::hint::select_unpredictable;

use crate::{BitReader, BitString, CodecError};

/// The largest `t = a + b` the coder accepts: `2^40`, so that `Q >= 2^24` and every split
/// leaves both sides non-empty, and the loss bound stays far below a bit.
pub(crate) const MAX_TOTAL: u64 = 1 << 40;

/// The coder renormalises when the range falls below `2^56` (module docs).
const RENORM_BELOW: u64 = 1 << 56;

/// `u = 2^-53`: the relative error of `fl(1/t)` (see the module docs).
const UNIT_ROUNDOFF: f64 = 1.0 / (1u64 << 53) as f64;

/// `fl(1/t)` for `t = t0, t0 - 1, ...` in turn, packed for [`fraction`], computed a block
/// at a time so the divisions are independent (and vectorise). The values are those of
/// the scalar division, which is correctly rounded.
struct Reciprocals {
    block: [u64; RECIP_BLOCK],
    pos: usize,
    /// The `t` of `block[0]` (exact: below `2^53`).
    first: f64,
}

/// Reciprocals per block.
const RECIP_BLOCK: usize = 32;

/// `0.0, 1.0, ..., 31.0`.
const OFFSETS: [f64; RECIP_BLOCK] = {
    let mut o = [0.0; RECIP_BLOCK];
    let mut j = 0;
    while j < RECIP_BLOCK {
        o[j] = j as f64;
        j += 1;
    }
    o
};

impl Reciprocals {
    fn new(t0: u64) -> Self {
        let mut r = Self {
            block: [0; RECIP_BLOCK],
            pos: 0,
            first: t0 as i64 as f64 + RECIP_BLOCK as f64,
        };
        r.refill();
        r
    }

    fn refill(&mut self) {
        self.first -= RECIP_BLOCK as f64;
        let mut recips = [0.0f64; RECIP_BLOCK];
        for (r, o) in recips.iter_mut().zip(&OFFSETS) {
            // t - j is an exact integer; t <= 0 past the end of the decisions is never used.
            *r = 1.0 / (self.first - o);
        }
        for (p, r) in self.block.iter_mut().zip(&recips) {
            *p = pack_reciprocal(*r);
        }
        self.pos = 0;
    }

    /// `fl(1/t)`, packed, for the next `t`.
    #[inline]
    fn next(&mut self) -> u64 {
        if self.pos == RECIP_BLOCK {
            self.refill();
        }
        let r = self.block.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        r
    }
}

/// `r = fl(1/t) = m 2^(e - 52)` with `m in [2^52, 2^53)` and `e = -sh <= 0`, packed as
/// `m | sh << 58`.
#[inline]
fn pack_reciprocal(r: f64) -> u64 {
    let bits = r.to_bits();
    let m = (bits & ((1 << 52) - 1)) | (1 << 52);
    let sh = 1023u64.wrapping_sub((bits >> 52) & 0x7ff) & 63;
    m | (sh << 58)
}

/// The 53-bit mantissa `m` and the shift `sh` of a packed reciprocal.
#[inline]
fn unpack_reciprocal(p: u64) -> (u64, u32) {
    (p & ((1 << 53) - 1), (p >> 58) as u32)
}

/// `floor(a m 2^(12 - sh))` from the 128-bit `a m`: with `fl(1/t) = m 2^(-sh - 52)` this is
/// `Q = floor(a fl(1/t) 2^64)`, exactly.
#[inline]
fn fraction_from_product(am: u128, sh: u32) -> u64 {
    ((am << 12) >> (sh & 63)) as u64
}

/// The star fraction `Q = floor(a fl(1/t) 2^64)` for `1 <= a < t <= MAX_TOTAL`, in
/// `[2^24, 2^64)`, from the packed `fl(1/t)`.
#[inline]
fn fraction(a: u64, recip: u64) -> u64 {
    let (m, sh) = unpack_reciprocal(recip);
    fraction_from_product(u128::from(a) * u128::from(m), sh)
}

/// `floor(x y / 2^64)`.
#[inline]
fn mul_hi(x: u64, y: u64) -> u64 {
    ((u128::from(x) * u128::from(y)) >> 64) as u64
}

/// The top `s` bits of `x` (`s <= 63`; none for `s = 0`).
#[inline]
fn top_bits(x: u64, s: u32) -> u64 {
    (x >> 1) >> (63 - s)
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

/// `delta`: the coded probability of any arrangement of `a0` stars and `b0` bars is within
/// a factor `2^delta` of `1/C(a0 + b0, a0)`; `delta = 1.001 X / ln 2` with
/// `X = u a0 (1 + H_{b0}) + 2^-55 (a0 + b0) (H_{a0} + H_{b0})` (module docs).
pub(crate) fn loss_bound_bits(a0: u64, b0: u64) -> f64 {
    let two_pow_55 = 36_028_797_018_963_968.0;
    let x = UNIT_ROUNDOFF * a0 as f64 * (1.0 + harmonic_upper(b0))
        + 1.0 / two_pow_55 * (a0 as f64 + b0 as f64) * (harmonic_upper(a0) + harmonic_upper(b0));
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

/// Appends the low `n` bits of `bits` (`n <= 63`) to the `pending` bits in `acc`; returns
/// the new `(acc, pending)` and the 64-bit word completed, if any (first bit most significant).
#[inline]
fn append(acc: u64, pending: u32, bits: u64, n: u32) -> (u64, u32, Option<u64>) {
    let total = pending + n;
    if total >= 64 {
        // pending >= 1 here, since n <= 63.
        let rest = total - 64;
        let word = (acc << (64 - pending)) | (bits >> rest);
        (bits & low_mask(rest), rest, Some(word))
    } else {
        ((acc << n) | bits, total, None)
    }
}

/// The prefix (full MSB-first `words`, then the `pending` low bits of `acc`) in stream
/// order: stream bit `i` is bit `63 - i` of an MSB-first word, and bit `i % 64` of word
/// `i / 64` of a [`BitString`].
fn to_bitstring(words: &[u64], acc: u64, pending: u32) -> BitString {
    let len = words.len() * 64 + pending as usize;
    let mut out: Vec<u64> = words.iter().map(|w| w.reverse_bits()).collect();
    if pending > 0 {
        out.push(acc.reverse_bits() >> (64 - pending));
    }
    BitString { words: out, len }
}

/// Adds one to the words read as a binary number (first word most significant). The
/// coder's interval stays inside `[0, 1)`, so the carry stops before the first word.
#[cold]
fn carry_into_words(words: &mut [u64]) {
    for w in words.iter_mut().rev() {
        *w = w.wrapping_add(1);
        if *w != 0 {
            return;
        }
    }
}

/// Codes the type `counts` (length `n >= 2`, summing to `k >= 1`) as its stars and bars;
/// `capacity` is a length bound used to size the output.
pub(crate) fn encode(k: u64, counts: &[u64], capacity: usize) -> BitString {
    // The prefix: full words, then `pending` bits in `acc` (locals, kept in registers).
    let mut words: Vec<u64> = Vec::with_capacity(capacity / 64 + 2);
    let (mut acc, mut pending) = (0u64, 0u32);
    // The interval [0, 1 - 2^-64): a loss of 2^-63 bits against [0, 1).
    let (mut low, mut range) = (0u64, u64::MAX);
    // a stars left; the bars left are b = n - 1 - i, i the current symbol.
    let bars = counts.len().saturating_sub(1);
    let mut a = k;
    let mut i = 0usize;
    let mut left = counts.first().copied().unwrap_or(0);
    let mut recips = Reciprocals::new(a + bars as u64);
    while a > 0 && i < bars {
        let star = left > 0;
        let split = mul_hi(range, fraction(a, recips.next()));
        // The decisions are unpredictable: keep them out of branches.
        range = select_unpredictable(star, split, range - split);
        let (sum, carry) = low.overflowing_add(select_unpredictable(star, 0, split));
        // A carry adds one to the prefix; it reaches the words only when the pending bits
        // are all ones (or there are none), which is rare.
        acc += u64::from(carry);
        if acc >> pending != 0 {
            acc = 0;
            carry_into_words(&mut words);
        }
        low = sum;
        if range < RENORM_BELOW {
            let s = range.leading_zeros();
            range <<= s;
            let (new_acc, new_pending, word) = append(acc, pending, top_bits(low, s), s);
            (acc, pending) = (new_acc, new_pending);
            if let Some(word) = word {
                words.push(word);
            }
            low <<= s;
        }
        let next = counts.get(i + 1).copied().unwrap_or(0);
        left = select_unpredictable(star, left.wrapping_sub(1), next);
        i += usize::from(!star);
        a -= u64::from(star);
    }
    // Bring the interval back to range >= 2^63 for the termination.
    let s = range.leading_zeros();
    range <<= s;
    let (new_acc, new_pending, word) = append(acc, pending, top_bits(low, s), s);
    (acc, pending) = (new_acc, new_pending);
    if let Some(word) = word {
        words.push(word);
    }
    low <<= s;
    let (t, bits, carry) = termination(low, range);
    acc += u64::from(carry);
    if acc >> pending != 0 {
        acc = 0;
        carry_into_words(&mut words);
    }
    let (acc, pending, word) = append(acc, pending, bits, t);
    if let Some(word) = word {
        words.push(word);
    }
    to_bitstring(&words, acc, pending)
}

/// Decodes a type of `k >= 1` draws into `counts` (length `n >= 2`) from the bits at `r`'s
/// position, reading up to `capacity + 128` bits (zeros past the end) without moving `r`.
/// Returns the code's length; errors if the message is shorter than that.
pub(crate) fn decode(
    r: &BitReader<'_>,
    k: u64,
    counts: &mut [u64],
    capacity: usize,
) -> Result<usize, CodecError> {
    let available = r.remaining();
    let input = Lookahead::new(r.clone(), capacity + 128);
    let mut code = input.peek64(0);
    let mut range = u64::MAX;
    if code >= range {
        // Only the all-ones pattern, in the 2^-64 sliver no encoder uses.
        return Err(CodecError::InvalidCodeword(
            "range code value past the initial interval",
        ));
    }
    let mut shifted = 0usize;
    counts.fill(0);
    // a stars left; the bars left are b = n - 1 - i, i the current symbol.
    let bars = counts.len().saturating_sub(1);
    let mut a = k;
    let mut i = 0usize;
    let mut count = 0u64;
    let mut recips = Reciprocals::new(a + bars as u64);
    let mut q = fraction(a, recips.next());
    while a > 0 && i < bars {
        // The next decision has t - 1 marks left whatever this one is: compute the
        // fractions for both outcomes, from one product, while this one resolves.
        let (m, sh) = unpack_reciprocal(recips.next());
        let am = u128::from(a) * u128::from(m);
        let if_bar = fraction_from_product(am, sh);
        let if_star = fraction_from_product(am - u128::from(m), sh);
        let split = mul_hi(range, q);
        let star = code < split;
        // The decisions are unpredictable: keep them out of branches.
        range = select_unpredictable(star, split, range - split);
        code -= select_unpredictable(star, 0, split);
        if range < RENORM_BELOW {
            // range >= 2^15 after a decision, so s <= 48.
            let s = range.leading_zeros();
            range <<= s;
            code = (code << s) | top_bits(input.peek(shifted + 64), s);
            shifted += s as usize;
        }
        count += u64::from(star);
        if let Some(slot) = counts.get_mut(i) {
            *slot = count;
        }
        i += usize::from(!star);
        count = select_unpredictable(star, count, 0);
        a -= u64::from(star);
        q = select_unpredictable(star, if_star, if_bar);
    }
    if i == bars
        && let Some(last) = counts.last_mut()
    {
        *last = a;
    }
    let s = range.leading_zeros();
    range <<= s;
    code = (code << s) | top_bits(input.peek(shifted + 64), s);
    shifted += s as usize;
    // The encoder's low is the value read (its 64 bits under the window) minus the offset
    // inside the interval.
    let window = input.peek64(shifted);
    let (t, _, _) = termination(window.wrapping_sub(code), range);
    let len = shifted + t as usize;
    if len > available {
        return Err(CodecError::UnexpectedEnd {
            requested: len,
            remaining: available,
        });
    }
    Ok(len)
}

/// The first bits of a message as bytes (first bit in bit 7), zero past the end, for
/// peeks at any bit position.
struct Lookahead {
    bytes: Vec<u8>,
}

impl Lookahead {
    /// Copies up to `bits` bits from `r`'s position, and 16 zero bytes of padding.
    fn new(mut r: BitReader<'_>, bits: usize) -> Self {
        let mut bytes = Vec::with_capacity(bits / 8 + 24);
        let mut left = bits.min(r.remaining());
        while left > 0 {
            let width = left.min(64) as u32;
            // read_bits returns the first bit read in bit 0; put it first (most
            // significant). It cannot fail: width <= remaining.
            let word = r.read_bits(width).unwrap_or(0).reverse_bits();
            bytes.extend_from_slice(&word.to_be_bytes());
            left -= width as usize;
        }
        bytes.resize(bytes.len() + 16, 0);
        Self { bytes }
    }

    /// At least 57 bits starting at bit `pos`, first bit most significant.
    #[inline]
    fn peek(&self, pos: usize) -> u64 {
        let i = pos / 8;
        let chunk = self
            .bytes
            .get(i..i + 8)
            .and_then(|c| <[u8; 8]>::try_from(c).ok())
            .unwrap_or([0; 8]);
        u64::from_be_bytes(chunk) << (pos % 8)
    }

    /// The 64 bits starting at bit `pos`.
    fn peek64(&self, pos: usize) -> u64 {
        (self.peek(pos) & !low_mask(32)) | (self.peek(pos + 32) >> 32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_the_exact_floor_of_a_times_the_rounded_reciprocal() {
        let two64 = 18_446_744_073_709_551_616.0f64;
        for (a, t) in [
            (1u64, 2u64),
            (1, 3),
            (2, 3),
            (5, 4096),
            (1, MAX_TOTAL),
            (MAX_TOTAL - 1, MAX_TOTAL),
        ] {
            let r = 1.0 / t as f64;
            let q = fraction(a, pack_reciprocal(r));
            // a r 2^64 in exact rational arithmetic: (a m) 2^(12 + e), compared via u128.
            let (m, sh) = unpack_reciprocal(pack_reciprocal(r));
            assert_eq!(m as f64 * 2f64.powi(-52 - sh as i32), r);
            let exact = (u128::from(a) * u128::from(m)) << 12;
            assert!(u128::from(q) << sh <= exact && exact < (u128::from(q) + 1) << sh);
            let p = a as f64 / t as f64;
            assert!((q as f64 / two64 - p).abs() <= p * UNIT_ROUNDOFF + 1.0 / two64 * 2.0);
            assert!(q >= 1 << 24, "a={a} t={t}");
        }
    }

    #[test]
    fn block_reciprocals_equal_the_scalar_division() {
        let mut r = Reciprocals::new(100);
        for t in (1..=100u64).rev() {
            assert_eq!(r.next(), pack_reciprocal(1.0 / t as f64), "t={t}");
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
    fn a_carry_runs_through_full_words_of_ones() {
        let mut words = [5, u64::MAX, u64::MAX];
        carry_into_words(&mut words);
        assert_eq!(words, [6, 0, 0]);
    }

    #[test]
    fn prefix_bits_come_out_in_stream_order() {
        let (mut words, mut acc, mut pending) = (Vec::new(), 0u64, 0u32);
        for _ in 0..40 {
            // 120 bits: 101101...
            let (new_acc, new_pending, word) = append(acc, pending, 0b101, 3);
            (acc, pending) = (new_acc, new_pending);
            words.extend(word);
        }
        let s = to_bitstring(&words, acc, pending);
        assert_eq!(s.len(), 120);
        for i in 0..120 {
            assert_eq!(s.get(i), Some(i % 3 != 1), "bit {i}");
        }
    }

    #[test]
    fn lookahead_peeks_across_bytes_and_past_the_end() {
        let mut w = crate::BitWriter::new();
        for i in 0..100u64 {
            w.write_bit(i % 5 == 0).unwrap();
        }
        let msg = w.finish();
        let look = Lookahead::new(msg.reader(), 1000);
        for pos in [0usize, 1, 37, 63, 64, 90, 99, 100, 200] {
            let v = look.peek64(pos);
            for j in 0..64 {
                let expect = pos + j < 100 && (pos + j) % 5 == 0;
                assert_eq!((v >> (63 - j)) & 1 == 1, expect, "pos {pos} bit {j}");
            }
            assert_eq!(look.peek(pos) >> 7, v >> 7);
        }
    }
}
