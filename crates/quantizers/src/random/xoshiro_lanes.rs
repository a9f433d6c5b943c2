//! [`Xoshiro256x4`]: four xoshiro256++ streams advanced side by side, so that filling a buffer
//! vectorises.
//!
//! xoshiro256++ (Blackman & Vigna, "Scrambled linear pseudorandom number generators", 2021)
//! has a state `s = (s_0, s_1, s_2, s_3)` of four 64-bit words; one step outputs
//! `rotl(s_0 + s_3, 23) + s_0` and updates
//!
//! ```text
//! t = s_1 << 17;  s_2 ^= s_0;  s_3 ^= s_1;  s_1 ^= s_2;  s_0 ^= s_3;  s_2 ^= t;  s_3 = rotl(s_3, 45)
//! ```
//!
//! Its `jump` polynomial advances a state by `2^128` steps. [`Xoshiro256x4`] keeps [`LANES`]
//! states: lane 0 is seeded exactly like `rand`'s `Xoshiro256PlusPlus` (so it is the stream of
//! `SmallRng` on 64-bit targets for the same seed) and lane `i` is lane 0 jumped `i` times,
//! so the lanes never overlap within `2^128` words each. Word `j` of the output is lane
//! `j mod 4` at its step `floor(j / 4)`. A step of the four lanes is the same few additions,
//! shifts and exclusive ors on four independent words, which the compiler turns into SIMD
//! instructions (two 128-bit registers per state word on baseline x86-64), so `fill_bytes`
//! costs a fraction of four scalar steps. `next_u64` steps one lane at a time and gives the
//! same words: the stream does not depend on how it is read.
//!
//! This is not a cryptographic generator; it passes the statistical batteries its authors
//! report for xoshiro256++, lane by lane. Quantizers never choose it: a caller passes it as
//! the private generator when speed matters more than matching a ChaCha stream.

use rand::{RngCore, SeedableRng};

use crate::splitmix64;

/// Streams advanced together.
pub const LANES: usize = 4;

/// The golden-ratio increment of SplitMix64, as `rand` seeds xoshiro from a `u64`.
const PHI: u64 = 0x9E37_79B9_7F4A_7C15;

/// xoshiro256's jump polynomial: `2^128` steps (Vigna's reference `xoshiro256plusplus.c`).
const JUMP: [u64; 4] = [
    0x180e_c6d3_3cfd_0aba,
    0xd5a6_1266_f0c9_392c,
    0xa958_2618_e03f_c9aa,
    0x39ab_dc45_29b1_661c,
];

/// Four xoshiro256++ streams, read round-robin (module docs).
///
/// ```
/// use quantizers::random::{Uniforms, Xoshiro256x4};
/// use rand::{RngCore, SeedableRng};
///
/// let mut fast = Xoshiro256x4::seed_from_u64(7);
/// let mut u = Uniforms::new(&mut fast); // any encoder's private generator
/// let x = u.unit_f64();
/// assert!((0.0..1.0).contains(&x));
///
/// // Lane 0 is SmallRng's stream for the same seed.
/// let mut lanes = Xoshiro256x4::seed_from_u64(7);
/// let mut small = rand::rngs::SmallRng::seed_from_u64(7);
/// let first = lanes.next_u64();
/// for _ in 0..3 {
///     lanes.next_u64();
/// }
/// assert_eq!([first, lanes.next_u64()], [small.next_u64(), small.next_u64()]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Xoshiro256x4 {
    /// `s[k][lane]`: state word `k` of every lane, so a step is elementwise on arrays.
    s: [[u64; LANES]; 4],
    /// The lane `next_u64` reads next.
    lane: usize,
}

impl Xoshiro256x4 {
    /// The generator whose lane 0 has the xoshiro256++ state `state` (not all zero).
    fn from_state(state: [u64; 4]) -> Self {
        let mut s = [[0; LANES]; 4];
        let mut lane = state;
        for i in 0..LANES {
            for (k, word) in lane.iter().enumerate() {
                if let Some(slot) = s.get_mut(k).and_then(|w| w.get_mut(i)) {
                    *slot = *word;
                }
            }
            lane = jump(lane);
        }
        Self { s, lane: 0 }
    }

    /// One step of every lane: the next [`LANES`] words, lane 0 first.
    // Indexing four arrays by the lane keeps the step elementwise, which is what vectorises.
    #[allow(clippy::needless_range_loop)]
    #[inline(always)]
    fn step_all(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0u64; LANES];
        for j in 0..LANES {
            out[j] = s0[j]
                .wrapping_add(s3[j])
                .rotate_left(23)
                .wrapping_add(s0[j]);
            let t = s1[j] << 17;
            s2[j] ^= s0[j];
            s3[j] ^= s1[j];
            s1[j] ^= s2[j];
            s0[j] ^= s3[j];
            s2[j] ^= t;
            s3[j] = s3[j].rotate_left(45);
        }
        out
    }

    /// One step of the lane `next_u64` reads next.
    #[inline]
    fn step_one(&mut self) -> u64 {
        let j = self.lane % LANES;
        self.lane = (j + 1) % LANES;
        let [s0, s1, s2, s3] = &mut self.s;
        let (Some(a), Some(b), Some(c), Some(d)) =
            (s0.get_mut(j), s1.get_mut(j), s2.get_mut(j), s3.get_mut(j))
        else {
            return 0;
        };
        let out = a.wrapping_add(*d).rotate_left(23).wrapping_add(*a);
        let t = *b << 17;
        *c ^= *a;
        *d ^= *b;
        *b ^= *c;
        *a ^= *d;
        *c ^= t;
        *d = d.rotate_left(45);
        out
    }
}

/// `state` advanced by `2^128` xoshiro256 steps.
fn jump(mut state: [u64; 4]) -> [u64; 4] {
    let mut acc = [0u64; 4];
    for word in JUMP {
        for b in 0..64 {
            if word & (1 << b) != 0 {
                for (a, s) in acc.iter_mut().zip(&state) {
                    *a ^= s;
                }
            }
            let [s0, s1, s2, s3] = &mut state;
            let t = *s1 << 17;
            *s2 ^= *s0;
            *s3 ^= *s1;
            *s1 ^= *s2;
            *s0 ^= *s3;
            *s2 ^= t;
            *s3 = s3.rotate_left(45);
        }
    }
    acc
}

impl RngCore for Xoshiro256x4 {
    /// The upper half of the next word (its low bits are the weakest, as in `rand`).
    fn next_u32(&mut self) -> u32 {
        (self.step_one() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.step_one()
    }

    /// The little-endian bytes of the next `ceil(len / 8)` words (the last one truncated):
    /// whole steps of every lane where the stream is at lane 0.
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        let mut rest = dst;
        while self.lane != 0 && rest.len() >= 8 {
            let (head, tail) = rest.split_at_mut(8);
            head.copy_from_slice(&self.step_one().to_le_bytes());
            rest = tail;
        }
        let mut groups = rest.chunks_exact_mut(8 * LANES);
        for group in groups.by_ref() {
            let words = self.step_all();
            for (bytes, w) in group.chunks_exact_mut(8).zip(words) {
                bytes.copy_from_slice(&w.to_le_bytes());
            }
        }
        for bytes in groups.into_remainder().chunks_mut(8) {
            let w = self.step_one().to_le_bytes();
            for (d, s) in bytes.iter_mut().zip(w) {
                *d = s;
            }
        }
    }
}

impl SeedableRng for Xoshiro256x4 {
    /// Lane 0's xoshiro256++ state, four little-endian words (all zero is replaced by the
    /// state of `seed_from_u64(0)`, as `rand` does).
    type Seed = [u8; 32];

    fn from_seed(seed: Self::Seed) -> Self {
        let (groups, _) = seed.as_chunks::<8>();
        let mut state = [0u64; 4];
        for (s, g) in state.iter_mut().zip(groups) {
            *s = u64::from_le_bytes(*g);
        }
        if state == [0; 4] {
            return Self::seed_from_u64(0);
        }
        Self::from_state(state)
    }

    /// SplitMix64 from `state`, as `rand`'s `Xoshiro256PlusPlus::seed_from_u64`.
    fn seed_from_u64(state: u64) -> Self {
        let mut s = [0u64; 4];
        for (k, w) in s.iter_mut().enumerate() {
            *w = splitmix64(state.wrapping_add(PHI.wrapping_mul(k as u64)));
        }
        Self::from_state(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;

    /// The words of lane `i` of a generator: every fourth word of its stream.
    fn lane_words(rng: &mut Xoshiro256x4, lane: usize, n: usize) -> Vec<u64> {
        let all: Vec<u64> = (0..n * LANES).map(|_| rng.next_u64()).collect();
        all.iter().skip(lane).step_by(LANES).copied().collect()
    }

    #[test]
    fn lane_zero_is_small_rngs_stream_for_the_same_seed() {
        for seed in [0, 1, 0xdead_beef] {
            let mut lanes = Xoshiro256x4::seed_from_u64(seed);
            let mut small = SmallRng::seed_from_u64(seed);
            let expected: Vec<u64> = (0..50).map(|_| small.next_u64()).collect();
            assert_eq!(lane_words(&mut lanes, 0, 50), expected, "seed {seed}");
        }
    }

    #[test]
    fn from_seed_matches_small_rng_from_the_same_bytes() {
        let mut seed = [0u8; 32];
        for (i, b) in seed.iter_mut().enumerate() {
            *b = (i * 7 + 1) as u8;
        }
        let mut lanes = Xoshiro256x4::from_seed(seed);
        let mut small = SmallRng::from_seed(seed);
        let expected: Vec<u64> = (0..20).map(|_| small.next_u64()).collect();
        assert_eq!(lane_words(&mut lanes, 0, 20), expected);
    }

    #[test]
    fn each_lane_is_the_previous_one_jumped() {
        let g = Xoshiro256x4::seed_from_u64(11);
        let lane = |i: usize| [g.s[0][i], g.s[1][i], g.s[2][i], g.s[3][i]];
        for i in 1..LANES {
            assert_eq!(jump(lane(i - 1)), lane(i));
        }
        assert_ne!(lane(0), lane(1));
    }

    #[test]
    fn a_jump_commutes_with_a_step() {
        // The jump is a polynomial in the step's transition matrix, so they commute.
        let mut g = Xoshiro256x4::seed_from_u64(13);
        let before = [g.s[0][0], g.s[1][0], g.s[2][0], g.s[3][0]];
        g.step_all();
        let after = [g.s[0][0], g.s[1][0], g.s[2][0], g.s[3][0]];
        let mut jumped = Xoshiro256x4::from_state(jump(before));
        jumped.step_all();
        let stepped_jump = [
            jumped.s[0][0],
            jumped.s[1][0],
            jumped.s[2][0],
            jumped.s[3][0],
        ];
        assert_eq!(stepped_jump, jump(after));
    }

    #[test]
    fn fill_bytes_gives_the_words_of_next_u64_from_any_lane_and_length() {
        for skip in 0..LANES {
            for len in [0, 3, 8, 31, 32, 33, 100, 512] {
                let mut a = Xoshiro256x4::seed_from_u64(5);
                let mut b = a.clone();
                for _ in 0..skip {
                    a.next_u64();
                    b.next_u64();
                }
                let mut bytes = vec![0u8; len];
                a.fill_bytes(&mut bytes);
                let mut expected = Vec::with_capacity(len + 8);
                while expected.len() < len {
                    expected.extend_from_slice(&b.next_u64().to_le_bytes());
                }
                expected.truncate(len);
                assert_eq!(bytes, expected, "skip {skip}, len {len}");
                assert_eq!(
                    a.next_u64(),
                    b.next_u64(),
                    "state after skip {skip}, len {len}"
                );
            }
        }
    }

    #[test]
    fn all_zero_seed_bytes_are_replaced_like_rand_does() {
        let mut a = Xoshiro256x4::from_seed([0; 32]);
        let mut b = Xoshiro256x4::seed_from_u64(0);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(a.next_u64(), 0);
    }

    #[test]
    fn words_have_balanced_bits() {
        // Each bit of 4096 words is one with probability 1/2: 5 standard errors is 160.
        let mut g = Xoshiro256x4::seed_from_u64(3);
        let mut counts = [0u32; 64];
        for _ in 0..4096 {
            let w = g.next_u64();
            for (b, c) in counts.iter_mut().enumerate() {
                *c += ((w >> b) & 1) as u32;
            }
        }
        for (b, &c) in counts.iter().enumerate() {
            assert!((i64::from(c) - 2048).abs() < 160, "bit {b}: {c}");
        }
    }
}
