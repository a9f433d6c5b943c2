//! SimQ+, `k` repetitions of SimQ sent as a type (Mayekar & Tyagi, arXiv 2001.09032, §4.2,
//! Theorem 4.2).
//!
//! For `p in [2, inf]`, `q = p/(p-1)` and `||Y||_q <= B`, Hölder gives
//! `||Y||_1 <= B d^{1/p} =: B'`. SimQ+ runs `k` independent copies of SimQ with parameter
//! `B'` and outputs their average
//!
//! ```text
//! Q(Y) = (1/k) sum_{t=1..k} Q_SimQ^t(Y; B'),
//! ```
//!
//! so `E[Q(Y)|Y] = Y` and `E||Q(Y)||_2^2 = (B'||Y||_1 - ||Y||_2^2)/k + ||Y||_2^2
//! <= B^2 d^{2/p}/k + B^2 =: alpha_0^2`. SimQ draws coordinate `i` always with the sign of
//! `Y_i`, so the average depends only on the **type** of the `k` coordinate indices over the
//! `d + 1` symbols `{0, 1, ..., d}` (0 = the zero output) plus one sign per distinct nonzero
//! index. The message is that type, then the sign bits (1 = negative) of the distinct
//! nonzero indices in increasing order — at most `min(k, d)` of them, and the decoder
//! learns how many from the type. The type takes `ceil(log2 C(d + k, k))` bits when coded
//! exactly and at most two more when range coded (large types, see below); either way at
//! most the paper's `k log2 e + k log2(d/k + 1)` (the range code is used only for
//! `ceil(log2 C) > 512`, hence `k >= 12`, where `C(d + k, k) <= (e(d + k)/k)^k / sqrt(2 pi k)`
//! leaves more than three bits to spare). The paper's count is
//! `k log2 e + k log2(d/k + 1) + k`; its choice `k = d^{2/p}` gives `alpha_0 <= sqrt(2) B`.
//!
//! In code: [`SimQPlus`]. The `k` draws are `k` sorted uniforms `U_(1) <= ... <= U_(k)`
//! against the cumulative sums `S_i = |Y_1| + ... + |Y_i|`: draw `j` picks coordinate `i`
//! when `S_{i-1} <= U_(j) B' < S_i`, and the zero output when `U_(j) B' >= S_d`. The sorted
//! uniforms come without a sort, from exponential spacings: with `E_1, ..., E_{k+1}`
//! i.i.d. standard exponential and `A_j = E_1 + ... + E_j`, `(A_1, ..., A_k)/A_{k+1}` has
//! the law of the order statistics of `k` uniforms (exactly; in floating point to a
//! relative `k 2^-53`). One pass over `Y` then counts the draws per coordinate and
//! collects the signs: sampling is `O(d + k)`. The type is coded by
//! [`bitcodec::MultisetCode`] when `ceil(log2 C(d + k, k)) <= `[`EXACT_TYPE_BITS`] and by
//! [`bitcodec::TypeRangeCode`] (`O(d + k)`) above: see [`SimQPlus::exact_type_code`]. An
//! encode allocates `O(d + k)` words (the arrivals, the counts, the message), nothing per
//! coordinate; a decode `O(d)`.
//!
//! [`EXACT_TYPE_BITS`]: crate::paper::EXACT_TYPE_BITS

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;
use rand_distr::{Distribution, Exp1};

use crate::paper::norms::{
    MAX_DIM, check_ball, check_dim, check_exponent, check_positive, lq_norm,
};
use crate::paper::type_code::TypeCode;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// SimQ+ with `k` repetitions for inputs with `||y||_q <= B`, `p in [2, inf]`.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::SimQPlus;
/// let q = SimQPlus::with_default_reps(64, 1.0, 2.0)?; // p = 2: k = d = 64
/// assert_eq!(q.reps(), 64);
/// assert!(q.exact_type_code()); // ceil(log2 C(128, 64)) = 124 bits
/// let max = q.bit_cost().max_bits().unwrap();
/// assert!((max as f64) <= q.paper_bits().unwrap()); // 124 + 64 <= 3.44 d
/// let y = vec![0.125f64; 64]; // ||y||_2 = 1
/// let state = PublicState::new(0);
/// let mut w = BitWriter::with_capacity(max);
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = vec![0.0; 64];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// // Every output coordinate is a multiple of B'/k = 8/64.
/// assert!(out.iter().all(|v| (v / 0.125).fract() == 0.0));
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimQPlus {
    dim: usize,
    bound: f64,
    p: f64,
    q: f64,
    reps: usize,
    scaled: f64,
    types: TypeCode,
}

impl SimQPlus {
    /// SimQ+ for dimension `dim >= 1`, `l_q` bound `B > 0` with `q` the conjugate of
    /// `p in [2, inf]`, and `reps = k >= 1` repetitions.
    ///
    /// Errors when `d + k` exceeds the range code's `2^40` decisions. Construction costs
    /// `O(min(d, k))` floating-point operations (the range code's length bound).
    pub fn new(dim: usize, bound: f64, p: f64, reps: usize) -> Result<Self, QuantError> {
        check_dim(dim)?;
        check_positive(bound, "the norm bound B")?;
        check_exponent(p, "p")?;
        if p < 2.0 {
            return Err(QuantError::InvalidParameter(format!(
                "SimQ+ is the p >= 2 scheme, got p = {p} (use SplitLp for p in [1, 2))"
            )));
        }
        if reps == 0 || reps > MAX_DIM {
            return Err(QuantError::InvalidParameter(format!(
                "SimQ+ needs 1..={MAX_DIM} repetitions, got {reps}"
            )));
        }
        let d = dim as u64;
        let k = reps as u64;
        let types = TypeCode::new(d + 1, k)?;
        let q = if p.is_infinite() { 1.0 } else { p / (p - 1.0) };
        Ok(Self {
            dim,
            bound,
            p,
            q,
            reps,
            scaled: bound * (dim as f64).powf(1.0 / p),
            types,
        })
    }

    /// SimQ+ with the paper's `k = ceil(d^{2/p})` (Theorem 3.1), giving `alpha_0 <= sqrt(2) B`.
    pub fn with_default_reps(dim: usize, bound: f64, p: f64) -> Result<Self, QuantError> {
        check_exponent(p, "p")?;
        let k = (dim as f64).powf(2.0 / p).ceil().max(1.0);
        if k > MAX_DIM as f64 {
            return Err(QuantError::InvalidParameter(format!(
                "d^(2/p) = {k} repetitions is too many"
            )));
        }
        Self::new(dim, bound, p, k as usize)
    }

    /// The number of repetitions `k`.
    pub fn reps(&self) -> usize {
        self.reps
    }

    /// The `l_q` bound `B`.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// The exponent `p`.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// SimQ's parameter `B' = B d^{1/p}`.
    pub fn simq_bound(&self) -> f64 {
        self.scaled
    }

    /// The most bits of the type: `ceil(log2 C(d + k, k))` with the exact code, two more
    /// with the range code.
    pub fn type_bits(&self) -> usize {
        self.types.max_len()
    }

    /// Whether the type is coded exactly ([`bitcodec::MultisetCode`], when
    /// `ceil(log2 C(d + k, k)) <= `[`EXACT_TYPE_BITS`]) rather than by
    /// [`bitcodec::TypeRangeCode`]. A function of `(d, k)` only, so encoder and decoder
    /// agree.
    ///
    /// [`EXACT_TYPE_BITS`]: crate::paper::EXACT_TYPE_BITS
    pub fn exact_type_code(&self) -> bool {
        self.types.is_exact()
    }

    /// `alpha_0 = sqrt(B^2 d^{2/p}/k + B^2)` (Theorem 4.2).
    pub fn alpha0(&self) -> f64 {
        let b2 = self.bound * self.bound;
        (self.scaled * self.scaled / self.reps as f64 + b2).sqrt()
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        check_ball(lq_norm(x, self.q), self.bound, "||y||_q")?;
        let mut counts = vec![0u64; self.dim + 1];
        let signs = self.sample(x, rng, &mut counts);
        let code = self.types.encode(&counts)?;
        let bits = code.len() + signs.iter().map(|s| s.len).sum::<usize>();
        out.ensure_room(bits)?;
        out.write_bitstring(&code)?;
        for s in &signs {
            s.write(out)?;
        }
        Ok(EncodeStats { bits, clipped: 0 })
    }

    /// Draws the `k` SimQ indices into `counts` (`counts[0]` for the zero output,
    /// `counts[i]` for coordinate `i`) and returns the signs of the coordinates drawn, as
    /// one bit string per block of coordinates, in order.
    fn sample<T: Scalar>(
        &self,
        x: &[T],
        rng: &mut dyn RngCore,
        counts: &mut [u64],
    ) -> [Signs; LANES] {
        let k = self.reps;
        let mut src = BufferedRng(Uniforms::new(rng));
        // A_j = E_1 + ... + E_j, and U_(j) = A_j / A_{k+1}; LOOKAHEAD infinite sentinels
        // let the merge below read ahead without bounds.
        let mut arrivals = Vec::with_capacity(k + LOOKAHEAD);
        let mut sum = 0.0f64;
        for _ in 0..k {
            let e: f64 = Exp1.sample(&mut src);
            sum += e;
            arrivals.push(sum);
        }
        let last: f64 = Exp1.sample(&mut src);
        arrivals.resize(k + LOOKAHEAD, f64::INFINITY);
        // U_(j) B' < S_i  <=>  A_j < S_i A_{k+1} / B'.
        let scale = (sum + last) / self.scaled;
        // The merge of the limits S_i A_{k+1} / B' with the sorted arrivals is a chain of
        // dependent loads; LANES blocks of coordinates are merged side by side so their
        // chains overlap. Block c's cumulative sums are base_c plus its own running sum,
        // and base_{c+1} is block c's last one, so the limits rise across the blocks and
        // block c + 1 starts where block c stops.
        let block = self.dim.div_ceil(LANES).max(1);
        let mut lanes: [Lane<'_, T>; LANES] = std::array::from_fn(|c| {
            let start = (c * block).min(self.dim);
            let end = ((c + 1) * block).min(self.dim);
            Lane {
                x: x.get(start..end).unwrap_or(&[]),
                counts_offset: start + 1,
                base: 0.0,
                acc: 0.0,
                next: 0,
                signs: Signs::with_capacity(k.min(end - start)),
            }
        });
        let mut base = 0.0f64;
        for lane in &mut lanes {
            lane.base = base;
            base += lane.x.iter().fold(0.0, |s, v| s + v.to_f64().abs());
            lane.next = arrivals.partition_point(|&a| a < lane.base * scale);
        }
        for i in 0..block {
            for lane in &mut lanes {
                let Some(v) = lane.x.get(i) else { continue };
                let v = v.to_f64();
                lane.acc += v.abs();
                let limit = (lane.base + lane.acc) * scale;
                let n = count_below(&arrivals, &mut lane.next, limit);
                if let Some(c) = counts.get_mut(lane.counts_offset + i) {
                    *c = n;
                }
                lane.signs.push_if(n > 0, v < 0.0);
            }
        }
        // Draws past S_d pick the zero output.
        let drawn = lanes.last().map_or(0, |lane| lane.next);
        if let Some(zero) = counts.first_mut() {
            *zero = (k - drawn) as u64;
        }
        lanes.map(|lane| lane.signs)
    }
}

/// Arrivals compared at once in the sampler's merge.
const LOOKAHEAD: usize = 4;

/// Blocks of coordinates the sampler merges side by side.
const LANES: usize = 4;

/// One block of coordinates in the sampler's merge.
struct Lane<'x, T> {
    x: &'x [T],
    /// Index in `counts` of the block's first coordinate.
    counts_offset: usize,
    /// `S` before the block, and the running sum of `|x_i|` inside it.
    base: f64,
    acc: f64,
    /// The first arrival not yet counted.
    next: usize,
    signs: Signs,
}

/// Counts the sorted `arrivals` from `*next` on that lie below `limit` and moves `*next`
/// past them, LOOKAHEAD at a time without a branch per arrival (most coordinates take 0,
/// 1 or 2 draws); `arrivals` ends with LOOKAHEAD infinities.
#[inline]
fn count_below(arrivals: &[f64], next: &mut usize, limit: f64) -> u64 {
    let start = *next;
    loop {
        let ahead = arrivals.get(*next..*next + LOOKAHEAD).unwrap_or(&[]);
        let below = ahead.iter().map(|&a| usize::from(a < limit)).sum::<usize>();
        *next += below;
        if below < LOOKAHEAD {
            return (*next - start) as u64;
        }
    }
}

/// The signs of the coordinates drawn (1 = negative), packed 64 to a word, first in bit 0.
struct Signs {
    words: Vec<u64>,
    word: u64,
    len: usize,
}

impl Signs {
    fn with_capacity(bits: usize) -> Self {
        Self {
            words: Vec::with_capacity(bits / 64 + 1),
            word: 0,
            len: 0,
        }
    }

    /// Appends `negative` if `drawn`.
    #[inline]
    fn push_if(&mut self, drawn: bool, negative: bool) {
        self.word |= u64::from(drawn & negative) << (self.len % 64);
        self.len += usize::from(drawn);
        // One combined (rarely true) condition: a branch on `drawn` would mispredict.
        if drawn & self.len.is_multiple_of(64) {
            self.words.push(self.word);
            self.word = 0;
        }
    }

    /// Writes the signs in order; the caller has checked the room.
    fn write(&self, out: &mut BitWriter) -> Result<(), QuantError> {
        for &w in &self.words {
            out.write_bits(w, 64)?;
        }
        out.write_bits(self.word, (self.len % 64) as u32)?;
        Ok(())
    }
}

/// A `dyn RngCore` read 64 words at a time, for the exponential sampler.
struct BufferedRng<'r>(Uniforms<'r>);

impl RngCore for BufferedRng<'_> {
    fn next_u32(&mut self) -> u32 {
        (self.0.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.0.next_u64().to_le_bytes();
            for (d, b) in chunk.iter_mut().zip(bytes) {
                *d = b;
            }
        }
    }
}

impl Quantizer for SimQPlus {
    fn name(&self) -> String {
        format!("simq+(B={}, p={}, k={})", self.bound, self.p, self.reps)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    /// At most the type's bound ([`SimQPlus::type_bits`]) plus one sign per distinct
    /// coordinate drawn, at most `min(k, d)`.
    fn bit_cost(&self) -> BitCost {
        BitCost::AtMost(self.types.max_len() + self.reps.min(self.dim))
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// `alpha_0 = sqrt(B^2 d^{2/p}/k + B^2)`; [`Quantizer::mse_bound`] is exact.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Alpha0 {
            alpha0: self.alpha0(),
        }
    }

    /// Exactly `(B' ||y||_1 - ||y||_2^2)/k` for admissible `y`, `None` otherwise.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || !y.iter().all(|v| v.is_finite()) {
            return None;
        }
        check_ball(lq_norm(y, self.q), self.bound, "||y||_q").ok()?;
        let l1 = lq_norm(y, 1.0);
        let l2sq: f64 = y.iter().map(|v| v * v).sum();
        Some((self.scaled * l1 - l2sq).max(0.0) / self.reps as f64)
    }

    /// `k log2 e + k log2(d/k + 1) + k` (Theorem 4.2).
    fn paper_bits(&self) -> Option<f64> {
        let k = self.reps as f64;
        let d = self.dim as f64;
        Some(k * std::f64::consts::LOG2_E + k * (d / k + 1.0).log2() + k)
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        match input {
            Input::F32(x) => self.encode_slice(x, rng, out),
            Input::F64(x) => self.encode_slice(x, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        let mut counts = vec![0u64; self.dim + 1];
        self.types.decode(bits, &mut counts)?;
        let drawn = counts.iter().skip(1).filter(|&&c| c > 0).count();
        bits.ensure_available(drawn)?;
        let unit = self.scaled / self.reps as f64;
        // The signs, 64 at a time: one per coordinate drawn, in order.
        let (mut word, mut left, mut unread) = (0u64, 0u32, drawn);
        for (o, &c) in out.iter_mut().zip(counts.iter().skip(1)) {
            // One combined (rarely true) condition: a branch on `c > 0` would mispredict.
            if (c > 0) & (left == 0) {
                let width = unread.min(64);
                word = bits.read_bits(width as u32)?;
                left = width as u32;
                unread -= width;
            }
            let drawn = u64::from(c > 0);
            let negative = word & drawn;
            word >>= drawn;
            left -= drawn as u32;
            // c <= k <= 2^40: exact through i64, a single conversion instruction.
            let v = unit * c as i64 as f64;
            *o = f64::from_bits(v.to_bits() | (negative << 63));
        }
        Ok(())
    }
}
