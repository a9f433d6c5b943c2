//! [`CoordinateSchedule`]: which `k` of the `d` coordinates a round's message describes.
//!
//! With `k = min(d, floor(B/q))` coordinates per round (notes-000 §3), round `t` describes
//! - [`Selection::RoundRobin`]: the `k` coordinates `(t k + j) mod d`, `j = 0..k-1`, so that any
//!   `d` consecutive rounds describe every coordinate exactly `k` times (and, when `k` divides
//!   `d`, any `d/k` consecutive rounds describe each exactly once);
//! - [`Selection::PublicCoin`]: a uniformly random `k`-subset drawn from the public coins of the
//!   round ([`Purpose::Selection`]), so every coordinate is described with probability `k/d`.
//!
//! Either way the support is a public function of `(seed, round, worker)`: no index bits are sent.
//! It is reported in increasing order, and messages list the described coordinates in that order.

use std::iter::{Chain, Copied};
use std::ops::Range;
use std::slice;

use crate::{PublicState, Purpose, QuantError};

/// How a scheme that describes fewer than `d` coordinates per round picks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    /// Consecutive blocks of `k` coordinates, cycling with the round number.
    #[default]
    RoundRobin,
    /// A uniformly random `k`-subset from the round's public coins.
    PublicCoin,
}

/// `k` of `d` coordinates per round, chosen by a [`Selection`].
///
/// ```
/// use quantizers::PublicState;
/// use quantizers::adaptive::{CoordinateSchedule, Selection};
/// let s = CoordinateSchedule::new(5, 2, Selection::RoundRobin)?;
/// let at = |t| s.support(&PublicState::new(0).with_round(t));
/// assert_eq!(at(0), Some(vec![0, 1]));
/// assert_eq!(at(2), Some(vec![0, 4])); // wraps around: {4, 0}, listed increasing
/// assert_eq!(CoordinateSchedule::new(3, 3, Selection::PublicCoin)?.support(&PublicState::new(0)), None);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoordinateSchedule {
    dim: usize,
    per_round: usize,
    selection: Selection,
}

impl CoordinateSchedule {
    /// `per_round` of `dim` coordinates per round; `1 <= per_round <= dim`.
    pub fn new(dim: usize, per_round: usize, selection: Selection) -> Result<Self, QuantError> {
        if dim == 0 {
            return Err(QuantError::InvalidParameter(
                "dimension must be at least 1".into(),
            ));
        }
        if per_round == 0 || per_round > dim {
            return Err(QuantError::InvalidParameter(format!(
                "coordinates per round must be in 1..={dim}, got {per_round}"
            )));
        }
        Ok(Self {
            dim,
            per_round,
            selection,
        })
    }

    /// The dimension `d`.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Coordinates described per round, `k`.
    pub fn per_round(&self) -> usize {
        self.per_round
    }

    /// How they are chosen.
    pub fn selection(&self) -> Selection {
        self.selection
    }

    /// The same schedule with another selection rule.
    pub fn with_selection(self, selection: Selection) -> Self {
        Self { selection, ..self }
    }

    /// Whether every round describes all coordinates (`k = d`).
    pub fn describes_all(&self) -> bool {
        self.per_round == self.dim
    }

    /// The coordinates described in this round, increasing; `None` when all are.
    pub fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        if self.describes_all() {
            None
        } else {
            Some(self.chosen(state).iter().collect())
        }
    }

    /// The coordinates described in this round, in increasing order (no allocation for
    /// round robin).
    pub(crate) fn chosen(&self, state: &PublicState<'_>) -> Chosen {
        let (d, k) = (self.dim, self.per_round);
        if k == d {
            return Chosen::Runs(0..d, 0..0);
        }
        match self.selection {
            Selection::RoundRobin => {
                let start = round_robin_start(state.round, d, k);
                let room = d - start; // start < d, so no overflow anywhere below
                if k <= room {
                    Chosen::Runs(start..start + k, 0..0)
                } else {
                    Chosen::Runs(0..k - room, start..d)
                }
            }
            Selection::PublicCoin => {
                let mut coins = state.coins(Purpose::Selection);
                let mut v = rand::seq::index::sample(&mut coins, d, k).into_vec();
                v.sort_unstable();
                Chosen::List(v)
            }
        }
    }
}

/// `(round k) mod d` without overflow.
fn round_robin_start(round: u64, d: usize, k: usize) -> usize {
    let d = d as u128;
    ((u128::from(round) % d) * (k as u128 % d) % d) as usize
}

/// A round's described coordinates: two increasing runs, or an increasing list.
pub(crate) enum Chosen {
    /// `first` then `second`, both increasing and `first` below `second`.
    Runs(Range<usize>, Range<usize>),
    /// A sorted list.
    List(Vec<usize>),
}

impl Chosen {
    /// The coordinates in increasing order.
    pub(crate) fn iter(&self) -> ChosenIter<'_> {
        match self {
            Chosen::Runs(a, b) => ChosenIter::Runs(a.clone().chain(b.clone())),
            Chosen::List(v) => ChosenIter::List(v.iter().copied()),
        }
    }
}

/// Iterator over [`Chosen`].
pub(crate) enum ChosenIter<'a> {
    Runs(Chain<Range<usize>, Range<usize>>),
    List(Copied<slice::Iter<'a, usize>>),
}

impl Iterator for ChosenIter<'_> {
    type Item = usize;

    #[inline]
    fn next(&mut self) -> Option<usize> {
        match self {
            ChosenIter::Runs(it) => it.next(),
            ChosenIter::List(it) => it.next(),
        }
    }
}
