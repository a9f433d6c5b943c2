//! Private random words for stochastic rounding, drawn a block at a time.
//!
//! Stochastic rounding takes one 64-bit word `w` per coordinate from the private generator
//! and uses the uniform `u = (w >> 11) 2^-53`. [`Uniforms`](crate::random::Uniforms) draws
//! the words 64 at a time, one `next_u64` call through the `dyn RngCore` each;
//! [`WordBlock`] draws up to [`BLOCK_WORDS`] with one `fill_bytes` call. The words are the
//! same for the usual generators: `fill_bytes` is the little-endian concatenation of
//! successive `next_u64` results for `SmallRng` (xoshiro256++) and the ChaCha generators
//! (tested below). A run of `n` coordinates draws `64 ceil(n/64)` words, as `Uniforms`
//! does, so the generator is left in the same state.

use rand::RngCore;

/// Words per block: 2 KiB on the stack.
pub(crate) const BLOCK_WORDS: usize = 256;

/// The granularity of [`Uniforms`](crate::random::Uniforms): words are drawn in whole
/// multiples of it.
const GRANULE: usize = 64;

/// A stack buffer of random words.
pub(crate) struct WordBlock {
    bytes: [u8; 8 * BLOCK_WORDS],
}

impl WordBlock {
    /// An empty block.
    pub(crate) fn new() -> Self {
        Self {
            bytes: [0; 8 * BLOCK_WORDS],
        }
    }

    /// Draws the words for `n <= BLOCK_WORDS` coordinates (`n` rounded up to a multiple of
    /// 64 are drawn) and returns the first `n`, in order.
    #[inline]
    pub(crate) fn draw(&mut self, rng: &mut dyn RngCore, n: usize) -> &[[u8; 8]] {
        let drawn = n.next_multiple_of(GRANULE).min(BLOCK_WORDS);
        let bytes = self.bytes.get_mut(..8 * drawn).unwrap_or_default();
        rng.fill_bytes(bytes);
        let (words, _) = bytes.as_chunks::<8>();
        words.get(..n).unwrap_or(words)
    }
}

/// The word of a block as the generator's `next_u64` returned it.
#[inline(always)]
pub(crate) fn word(bytes: &[u8; 8]) -> u64 {
    u64::from_le_bytes(*bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::Uniforms;
    use rand::SeedableRng;
    use rand::rngs::SmallRng;
    use rand_chacha::{ChaCha8Rng, ChaCha12Rng};

    /// Draws `runs` of the given lengths through blocks and through `Uniforms` (a fresh one
    /// per run, as every encode makes), and compares words and the generators' next output.
    fn same_words<R: RngCore + Clone>(mut a: R, runs: &[usize]) {
        let mut b = a.clone();
        let mut block = WordBlock::new();
        for &n in runs {
            let mut fast = Vec::new();
            let mut left = n;
            while left > 0 {
                let m = left.min(BLOCK_WORDS);
                fast.extend(block.draw(&mut a, m).iter().map(word));
                left -= m;
            }
            let mut u = Uniforms::new(&mut b);
            let slow: Vec<u64> = (0..n).map(|_| u.next_u64()).collect();
            assert_eq!(fast, slow, "run of {n}");
        }
        assert_eq!(a.next_u64(), b.next_u64(), "generator state");
    }

    #[test]
    fn blocks_draw_the_words_of_next_u64_and_leave_the_generator_alike() {
        let runs = [1, 63, 64, 65, 255, 256, 257, 1000, 3];
        same_words(SmallRng::seed_from_u64(1), &runs);
        same_words(ChaCha8Rng::seed_from_u64(2), &runs);
        same_words(ChaCha12Rng::seed_from_u64(3), &runs);
    }

    #[test]
    fn chacha_blocks_agree_from_an_odd_half_word_position() {
        // A ChaCha generator that has handed out a u32 sits in the middle of a u64.
        let mut a = ChaCha8Rng::seed_from_u64(4);
        a.next_u32();
        same_words(a, &[5, 100, 64]);
    }

    #[test]
    fn an_empty_run_draws_nothing() {
        let mut a = SmallRng::seed_from_u64(5);
        let mut b = a.clone();
        assert!(WordBlock::new().draw(&mut a, 0).is_empty());
        assert_eq!(a.next_u64(), b.next_u64());
    }
}
