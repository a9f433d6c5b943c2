//! The random streams of a run, all derived from one run seed.
//!
//! A run has three kinds of randomness, and each gets its own independent stream so that
//! changing one never shifts another:
//! - **oracle noise** (one ChaCha8 stream per worker, [`RunStreams::oracle`]);
//! - **private encoder randomness** (one stream per worker, [`RunStreams::private`]), which only
//!   the encoder sees;
//! - **public coins**, which both ends derive from [`quantizers::PublicState`] keyed by
//!   `(public seed, round, worker, purpose)`; the public seed is [`RunStreams::public_seed`].
//!
//! Stream keys are built like [`quantizers::PublicState::coins`]: a chain of SplitMix64 mixes of
//! `(seed, stream tag, worker)` fills a 256-bit ChaCha8 key. Monte Carlo trial `i` of a run with
//! seed `s` uses the run seed [`trial_seed`]`(s, i)`.
//!
//! ```
//! use optimizers::RunStreams;
//! use rand::RngCore;
//! let s = RunStreams::new(7);
//! let a = s.oracle(0).next_u64();
//! assert_eq!(a, RunStreams::new(7).oracle(0).next_u64()); // reproducible
//! assert_ne!(a, s.private(0).next_u64()); // independent streams
//! assert_ne!(a, s.oracle(1).next_u64()); // one per worker
//! ```

use quantizers::splitmix64;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Tags of the streams; distinct so that no two streams share a key.
const TAG_ORACLE: u64 = 0x6f72_6163_6c65; // "oracle"
const TAG_PRIVATE: u64 = 0x7072_6976; // "priv"
const TAG_PUBLIC: u64 = 0x7075_626c_6963; // "public"
const TAG_TRIAL: u64 = 0x0074_7269_616c; // "trial"

/// The streams of one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunStreams {
    seed: u64,
}

impl RunStreams {
    /// The streams of the run with this seed.
    pub fn new(seed: u64) -> Self {
        Self { seed }
    }

    /// The run seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Oracle noise of `worker`.
    pub fn oracle(&self, worker: u32) -> ChaCha8Rng {
        keyed(self.seed, TAG_ORACLE, worker)
    }

    /// Private encoder randomness of `worker`.
    pub fn private(&self, worker: u32) -> ChaCha8Rng {
        keyed(self.seed, TAG_PRIVATE, worker)
    }

    /// The seed of the run's public coins (the `seed` of every [`quantizers::PublicState`]).
    pub fn public_seed(&self) -> u64 {
        splitmix64(splitmix64(self.seed) ^ TAG_PUBLIC)
    }
}

/// The run seed of Monte Carlo trial `trial` in a run seeded with `seed`.
pub fn trial_seed(seed: u64, trial: u64) -> u64 {
    splitmix64(splitmix64(splitmix64(seed) ^ TAG_TRIAL) ^ trial)
}

/// A ChaCha8 stream keyed by `(seed, tag, worker)`, built like `PublicState::coins`.
fn keyed(seed: u64, tag: u64, worker: u32) -> ChaCha8Rng {
    let a = splitmix64(seed);
    let b = splitmix64(a ^ tag);
    let c = splitmix64(b ^ u64::from(worker));
    let d = splitmix64(c ^ tag.rotate_left(32));
    let mut key = [0u8; 32];
    for (chunk, word) in key.chunks_exact_mut(8).zip([a, b, c, d]) {
        chunk.copy_from_slice(&word.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}
