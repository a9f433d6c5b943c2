//! [`PublicState`] and public coins: what encoder and decoder both know.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a public-coin stream is used for. Each purpose gets an independent stream, so
/// adding a use of coins to a scheme never shifts the coins of another use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// Random rotations (Hadamard sign flips).
    Rotation,
    /// Choice of coordinates (rand-k indices, random subsets).
    Selection,
    /// Shared dither or shared uniforms for sampling.
    Dither,
    /// Anything else, tagged by the scheme.
    Custom(u32),
}

impl Purpose {
    fn tag(self) -> u64 {
        match self {
            Purpose::Rotation => 1,
            Purpose::Selection => 2,
            Purpose::Dither => 3,
            Purpose::Custom(t) => 0x1_0000_0000 | u64::from(t),
        }
    }
}

/// Everything the decoder knows besides the bits: the run's public seed, the round and
/// worker (which key the public coins), and the public state of adaptive schemes.
///
/// Public coins are a deterministic ChaCha8 stream keyed by
/// `(seed, round, worker, purpose)`: encoder and decoder derive the same stream from the
/// same key, so coins never need to be sent and are never counted as bits.
///
/// ```
/// use quantizers::{PublicState, Purpose};
/// use rand::Rng;
/// let s = PublicState::new(42).with_round(3);
/// let a: u64 = s.coins(Purpose::Selection).random();
/// let b: u64 = s.coins(Purpose::Selection).random();
/// assert_eq!(a, b); // same key, same coins
/// let c: u64 = s.with_round(4).coins(Purpose::Selection).random();
/// assert_ne!(a, c);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicState<'a> {
    /// The run's public seed.
    pub seed: u64,
    /// The round (0-based).
    pub round: u64,
    /// The worker sending the message.
    pub worker: u32,
    /// The public prediction of the input, for adaptive schemes: the decoder's best guess
    /// of the vector being quantized, computed from earlier messages (for the Gaussian
    /// reduction, the gradient the server expects at its current estimate).
    pub centre: Option<&'a [f64]>,
}

impl<'a> PublicState<'a> {
    /// Round 0, worker 0, no centre.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            round: 0,
            worker: 0,
            centre: None,
        }
    }

    /// The same state at another round.
    pub fn with_round(self, round: u64) -> Self {
        Self { round, ..self }
    }

    /// The same state for another worker.
    pub fn with_worker(self, worker: u32) -> Self {
        Self { worker, ..self }
    }

    /// The same state with a public centre.
    pub fn with_centre(self, centre: &'a [f64]) -> Self {
        Self {
            centre: Some(centre),
            ..self
        }
    }

    /// The public-coin stream for `purpose` in this round and worker.
    pub fn coins(&self, purpose: Purpose) -> ChaCha8Rng {
        let a = splitmix64(self.seed);
        let b = splitmix64(a ^ self.round);
        let c = splitmix64(b ^ u64::from(self.worker));
        let d = splitmix64(c ^ purpose.tag());
        let mut key = [0u8; 32];
        for (chunk, word) in key.chunks_exact_mut(8).zip([a, b, c, d]) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        ChaCha8Rng::from_seed(key)
    }
}

/// The SplitMix64 finaliser: a bijective 64-bit mixer used to derive stream keys.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
