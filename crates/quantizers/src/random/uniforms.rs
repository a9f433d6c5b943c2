//! [`Uniforms`]: random words from a `dyn RngCore`, drawn [`BLOCK_WORDS`] at a time.
//!
//! Word `j` of the stream is the `j`-th little-endian 8-byte group of successive
//! `fill_bytes` calls of [`BLOCK_WORDS`]` · 8` bytes each. Blocks are aligned to the first
//! word drawn, so after `n` words the generator has produced exactly
//! `BLOCK_WORDS · ceil(n / BLOCK_WORDS)` words whatever mix of [`Uniforms::next_u64`] and
//! [`Uniforms::block`] / [`Uniforms::consume`] read them: the generator's state after an
//! encoder depends only on how many words it used.

use rand::RngCore;

/// Words drawn per `fill_bytes` call.
pub const BLOCK_WORDS: usize = 64;

const SCALE_53: f64 = 1.0 / (1u64 << 53) as f64;

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit_f64(rng: &mut dyn RngCore) -> f64 {
    (rng.next_u64() >> 11) as f64 * SCALE_53
}

/// Draws random words in blocks of [`BLOCK_WORDS`] from a `dyn RngCore`, one `fill_bytes`
/// call per block.
///
/// ```
/// use quantizers::random::Uniforms;
/// use rand::{RngCore, SeedableRng};
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut u = Uniforms::new(&mut rng);
/// let x = u.unit_f64();
/// assert!((0.0..1.0).contains(&x));
/// // A hot loop takes the rest of the block and says how many words it used.
/// let block = u.block();
/// let ups = block.iter().take(10).filter(|&&w| w < 1 << 62).count();
/// assert!(ups <= 10);
/// u.consume(10);
/// // The words are the generator's own, in order.
/// let mut same = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let words: Vec<u64> = (0..12).map(|_| same.next_u64()).collect();
/// assert_eq!(u.next_u64(), words[11]);
/// ```
pub struct Uniforms<'r> {
    rng: &'r mut dyn RngCore,
    words: [u64; BLOCK_WORDS],
    pos: usize,
}

impl<'r> Uniforms<'r> {
    /// Wraps a generator (nothing is drawn until a word is needed).
    pub fn new(rng: &'r mut dyn RngCore) -> Self {
        Self {
            rng,
            words: [0; BLOCK_WORDS],
            pos: BLOCK_WORDS,
        }
    }

    /// Draws the next block with one `fill_bytes` call.
    #[cold]
    fn refill(&mut self) {
        let mut bytes = [0u8; BLOCK_WORDS * 8];
        self.rng.fill_bytes(&mut bytes);
        let (groups, _) = bytes.as_chunks::<8>();
        for (w, g) in self.words.iter_mut().zip(groups) {
            *w = u64::from_le_bytes(*g);
        }
        self.pos = 0;
    }

    /// The next random word.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        if self.pos >= BLOCK_WORDS {
            self.refill();
        }
        let w = self.words.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        w
    }

    /// The unused words of the current block, drawing a new block first if none is left:
    /// between 1 and [`BLOCK_WORDS`] words, the next ones of the stream in order. Reading
    /// them uses nothing up; [`Uniforms::consume`] says how many were used.
    #[inline]
    pub fn block(&mut self) -> &[u64] {
        if self.pos >= BLOCK_WORDS {
            self.refill();
        }
        self.words.get(self.pos..).unwrap_or(&[])
    }

    /// Marks the first `n` words of [`Uniforms::block`] as used (at most what it returned).
    #[inline]
    pub fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(BLOCK_WORDS);
    }

    /// The next uniform in `[0, 1)` (53 bits).
    #[inline]
    pub fn unit_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * SCALE_53
    }

    /// A uniform integer in `[0, n)` (`n >= 1`; `n = 0` is treated as 1), by Lemire's
    /// multiply-shift with rejection: exactly uniform.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        let n = n.max(1);
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::{SmallRng, StdRng};
    use rand_chacha::ChaCha8Rng;

    /// The first `n` words through `Uniforms`, mixing single words and block reads.
    fn through_uniforms(rng: &mut dyn RngCore, n: usize) -> Vec<u64> {
        let mut u = Uniforms::new(rng);
        let mut out = Vec::with_capacity(n);
        let mut step = 0;
        while out.len() < n {
            step += 1;
            if step % 3 == 0 {
                let take = (step % 17).min(n - out.len());
                let block = u.block();
                let got = take.min(block.len());
                out.extend_from_slice(block.get(..got).unwrap_or(&[]));
                u.consume(got);
            } else {
                out.push(u.next_u64());
            }
        }
        out
    }

    fn words_of<R: RngCore + SeedableRng>(seed: u64, n: usize) -> (Vec<u64>, Vec<u64>) {
        let mut direct = R::seed_from_u64(seed);
        let expected = (0..n).map(|_| direct.next_u64()).collect();
        let mut buffered = R::seed_from_u64(seed);
        (through_uniforms(&mut buffered, n), expected)
    }

    #[test]
    fn block_draws_are_the_words_of_next_u64_for_small_rng() {
        let (got, expected) = words_of::<SmallRng>(3, 1000);
        assert_eq!(got, expected);
    }

    #[test]
    fn block_draws_are_the_words_of_next_u64_for_chacha8() {
        let (got, expected) = words_of::<ChaCha8Rng>(5, 1000);
        assert_eq!(got, expected);
    }

    #[test]
    fn block_draws_are_the_words_of_next_u64_for_std_rng() {
        let (got, expected) = words_of::<StdRng>(7, 300);
        assert_eq!(got, expected);
    }

    #[test]
    fn the_generator_advances_by_whole_blocks_whatever_reads_the_words() {
        for used in [1, 63, 64, 65, 200] {
            let mut a = ChaCha8Rng::seed_from_u64(9);
            through_uniforms(&mut a, used);
            let mut b = ChaCha8Rng::seed_from_u64(9);
            for _ in 0..BLOCK_WORDS * used.div_ceil(BLOCK_WORDS) {
                b.next_u64();
            }
            assert_eq!(a.next_u64(), b.next_u64(), "after {used} words");
        }
    }

    #[test]
    fn a_block_is_never_empty_and_consume_stops_at_its_end() {
        let mut rng = SmallRng::seed_from_u64(1);
        let mut u = Uniforms::new(&mut rng);
        assert_eq!(u.block().len(), BLOCK_WORDS);
        u.consume(BLOCK_WORDS + 5);
        assert_eq!(u.block().len(), BLOCK_WORDS);
        u.consume(BLOCK_WORDS - 1);
        assert_eq!(u.block().len(), 1);
    }

    #[test]
    fn below_stays_in_range_and_hits_every_value() {
        let mut rng = SmallRng::seed_from_u64(2);
        let mut u = Uniforms::new(&mut rng);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let k = u.below(7);
            assert!(k < 7);
            seen[k as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert_eq!(u.below(0), 0);
    }
}
