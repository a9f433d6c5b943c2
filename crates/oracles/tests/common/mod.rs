//! Shared statistics for the oracle tests: sample means with standard errors.
#![allow(dead_code)]

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Tolerance of every statistical check, in standard errors.
pub const K: f64 = 5.0;

/// A seeded generator.
pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// Running mean and variance (Welford) of one scalar statistic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stat {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Stat {
    pub fn push(&mut self, v: f64) {
        self.n += 1.0;
        let delta = v - self.mean;
        self.mean += delta / self.n;
        self.m2 += delta * (v - self.mean);
    }

    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Unbiased sample variance of the pushed values.
    pub fn variance(&self) -> f64 {
        self.m2 / (self.n - 1.0)
    }

    /// Standard error of the mean, estimated from the data.
    pub fn std_error(&self) -> f64 {
        (self.variance() / self.n).sqrt()
    }

    pub fn count(&self) -> f64 {
        self.n
    }
}

/// One [`Stat`] per coordinate.
pub fn stats(d: usize) -> Vec<Stat> {
    vec![Stat::default(); d]
}

pub fn push_all(stats: &mut [Stat], values: &[f64]) {
    assert_eq!(stats.len(), values.len());
    for (s, v) in stats.iter_mut().zip(values) {
        s.push(*v);
    }
}

/// Asserts `|estimate - expected| <= K * se`.
#[track_caller]
pub fn assert_within(what: &str, estimate: f64, expected: f64, se: f64) {
    assert!(se > 0.0 && se.is_finite(), "{what}: standard error {se}");
    let z = (estimate - expected) / se;
    assert!(
        z.abs() <= K,
        "{what}: estimate {estimate} vs expected {expected} is {z:.2} standard errors off (se {se})"
    );
}

/// Asserts the mean of `stat` equals `expected` within `K` standard errors estimated from
/// the data.
#[track_caller]
pub fn assert_mean(what: &str, stat: &Stat, expected: f64) {
    assert_within(what, stat.mean(), expected, stat.std_error());
}

/// Shaped like SuiteSparse's HB/ash* matrices: an unsymmetric pattern from a least-squares
/// problem, two ones per row, the collection's comment block.
pub const ASH_LIKE: &str = "%%MatrixMarket matrix coordinate pattern general
%-------------------------------------------------------------------------------
% UF Sparse Matrix Collection, Tim Davis
% name: HB/ash12
% [UNSYMMETRIC PATTERN OF A SMALL SURVEY NETWORK]
% kind: least squares problem
%-------------------------------------------------------------------------------
12 5 24
1 1
1 2
2 2
2 3
3 3
3 4
4 4
4 5
5 1
5 5
6 1
6 3
7 2
7 4
8 3
8 5
9 1
9 4
10 2
10 5
11 1
12 2
11 5
12 3
";
