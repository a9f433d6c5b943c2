//! Uniform draws for stochastic rounding, buffered so hot loops make one virtual call per block.

use rand::RngCore;

const SCALE_53: f64 = 1.0 / (1u64 << 53) as f64;

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline]
pub fn unit_f64(rng: &mut dyn RngCore) -> f64 {
    (rng.next_u64() >> 11) as f64 * SCALE_53
}

/// Draws random words in blocks of 64 from a `dyn RngCore`.
///
/// ```
/// use quantizers::random::Uniforms;
/// use rand::SeedableRng;
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut u = Uniforms::new(&mut rng);
/// let x = u.unit_f64();
/// assert!((0.0..1.0).contains(&x));
/// ```
pub struct Uniforms<'r> {
    rng: &'r mut dyn RngCore,
    buf: [u64; 64],
    pos: usize,
}

impl<'r> Uniforms<'r> {
    /// Wraps a generator.
    pub fn new(rng: &'r mut dyn RngCore) -> Self {
        Self {
            rng,
            buf: [0; 64],
            pos: 64,
        }
    }

    /// The next random word.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        if self.pos == 64 {
            for w in self.buf.iter_mut() {
                *w = self.rng.next_u64();
            }
            self.pos = 0;
        }
        let w = self.buf[self.pos];
        self.pos += 1;
        w
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
