//! [`BitAllocation`]: how many bits per coordinate maximise the Fisher information of a round.
//!
//! Spending `B` bits as `q` bits on each of `k(q) = min(d, floor(B/q))` coordinates (at the
//! optimal thresholds of [`OptimalThresholds`](crate::adaptive::OptimalThresholds)) yields Fisher
//! information `k(q) I(q) / sigma^2` per round about the mean of `N(theta, sigma^2 I_d)` (at the
//! centre). Since `I(q)/q` decreases in `q`, one bit per coordinate is best while `B <= d`; for
//! `B > d` every coordinate can be described and the extra bits go into finer cells. The best
//! `q` maximises `k(q) I(q)`; ties go to the smaller `q`.
//!
//! Against the per-round caps of notes-000 (Theorem 3, \[I\]), `min{d, 2B ln 2}` and
//! `d (1 - 4^{-B/d})` (in units of `1/sigma^2`), the best allocation is within a factor
//! `pi ln 2 = 2.18` of the first for every `B` (sign bits on `min(B, d)` coordinates already give
//! `2 min(B, d)/pi`), within `pi/2` of it once `B >= d`, and within `1.18` of the second at
//! `B = d` (`2/pi` against `3/4` per coordinate).
//!
//! ```
//! use quantizers::adaptive::BitAllocation;
//! let a = BitAllocation::best(100, 50)?; // B < d: sign bits on 50 coordinates
//! assert_eq!((a.bits_per_coordinate, a.coordinates_per_round), (1, 50));
//! let b = BitAllocation::best(100, 200)?; // B = 2d: two bits on every coordinate
//! assert_eq!((b.bits_per_coordinate, b.coordinates_per_round), (2, 100));
//! # Ok::<(), quantizers::QuantError>(())
//! ```

use crate::QuantError;
use crate::adaptive::thresholds::{MAX_BITS, fisher_information};

/// A split of a round's budget into `q` bits on each of `k` coordinates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BitAllocation {
    /// Bits per described coordinate, `q`.
    pub bits_per_coordinate: u32,
    /// Coordinates described per round, `k = min(d, floor(B/q))`.
    pub coordinates_per_round: usize,
    /// Fisher information per round in units of `1/sigma^2`: `k I(q)`.
    pub information: f64,
}

impl BitAllocation {
    /// `bits` bits on each of `min(dim, floor(budget/bits))` coordinates.
    pub fn for_bits(dim: usize, budget: usize, bits: u32) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        let info = fisher_information(bits)?;
        let q = bits as usize;
        if budget < q {
            return Err(QuantError::BudgetTooSmall { needed: q, budget });
        }
        let k = (budget / q).min(dim);
        Ok(Self {
            bits_per_coordinate: bits,
            coordinates_per_round: k,
            information: k as f64 * info,
        })
    }

    /// The allocation with the most Fisher information per round, over `q = 1..=MAX_BITS`.
    pub fn best(dim: usize, budget: usize) -> Result<Self, QuantError> {
        let mut best = Self::for_bits(dim, budget, 1)?;
        let top = MAX_BITS.min(u32::try_from(budget).unwrap_or(u32::MAX));
        for bits in 2..=top {
            let a = Self::for_bits(dim, budget, bits)?;
            if a.information > best.information {
                best = a;
            }
        }
        Ok(best)
    }

    /// Bits the allocation writes per round, `k q`.
    pub fn bits_per_round(&self) -> usize {
        self.coordinates_per_round * self.bits_per_coordinate as usize
    }
}
