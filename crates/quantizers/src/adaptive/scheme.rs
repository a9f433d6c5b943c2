//! [`AdaptiveScheme`]: the adaptive scheme with the most Fisher information per round for
//! Gaussian gradients, chosen from `(d, B, sigma)`.
//!
//! For `N(theta, sigma^2 I_d)` samples and a centre at the current estimate, a round that spends
//! `q` bits on each of `k(q) = min(d, floor(B/q))` coordinates carries `k(q) I(q)/sigma^2` of
//! Fisher information ([`BitAllocation`]). [`AdaptiveScheme::for_gaussian`] takes the best `q`:
//! `q = 1` gives [`AdaptiveSign`] (always the choice when `B <= d`), `q > 1` gives
//! [`AdaptiveMultiBit`]. [`RoundRobinRange`](crate::adaptive::RoundRobinRange) is not a
//! candidate: it needs every coordinate inside a declared range `[-R, R]`, which Gaussian
//! gradients violate, and it is built for bounded-range oracles directly.
//!
//! ```
//! use quantizers::Quantizer;
//! use quantizers::adaptive::AdaptiveScheme;
//! let s = AdaptiveScheme::for_gaussian(1000, 300, 1.0)?;
//! assert!(matches!(s, AdaptiveScheme::Sign(_)));
//! assert_eq!(s.bit_cost().exact(), Some(300));
//! let t = AdaptiveScheme::for_gaussian(1000, 3000, 1.0)?;
//! assert_eq!(t.allocation().bits_per_coordinate, 3);
//! # Ok::<(), quantizers::QuantError>(())
//! ```

use bitcodec::{BitReader, BitWriter};
use rand::RngCore;

use crate::adaptive::allocation::BitAllocation;
use crate::adaptive::multi_bit::AdaptiveMultiBit;
use crate::adaptive::schedule::Selection;
use crate::adaptive::sign::AdaptiveSign;
use crate::adaptive::thresholds::fisher_information;
use crate::{Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, VarianceBound};

/// An adaptive scheme for Gaussian mean estimation: sign bits or optimal multi-bit cells.
#[derive(Debug, Clone, PartialEq)]
pub enum AdaptiveScheme {
    /// One bit per coordinate on `min(B, d)` coordinates.
    Sign(AdaptiveSign),
    /// `q > 1` bits per coordinate on `min(d, floor(B/q))` coordinates.
    MultiBit(AdaptiveMultiBit),
}

impl AdaptiveScheme {
    /// The scheme with the most Fisher information per round for dimension `dim`, `budget`
    /// bits per round and noise level `sigma` (round-robin selection).
    pub fn for_gaussian(dim: usize, budget: usize, sigma: f64) -> Result<Self, QuantError> {
        let a = BitAllocation::best(dim, budget)?;
        if a.bits_per_coordinate == 1 {
            Ok(Self::Sign(AdaptiveSign::new(dim, budget, sigma)?))
        } else {
            Ok(Self::MultiBit(AdaptiveMultiBit::new(
                dim,
                budget,
                sigma,
                a.bits_per_coordinate,
            )?))
        }
    }

    /// The same scheme choosing its coordinates by `selection`.
    pub fn with_selection(self, selection: Selection) -> Self {
        match self {
            Self::Sign(s) => Self::Sign(s.with_selection(selection)),
            Self::MultiBit(m) => Self::MultiBit(m.with_selection(selection)),
        }
    }

    /// The scheme's split of the budget and its information per round (units of `1/sigma^2`).
    pub fn allocation(&self) -> BitAllocation {
        let (bits, k) = match self {
            Self::Sign(s) => (1, s.schedule().per_round()),
            Self::MultiBit(m) => (m.bits(), m.schedule().per_round()),
        };
        BitAllocation {
            bits_per_coordinate: bits,
            coordinates_per_round: k,
            information: k as f64 * fisher_information(bits).unwrap_or(0.0),
        }
    }

    /// Fisher information per round about the mean when the centre equals it:
    /// `k I(q) / sigma^2`.
    pub fn fisher_information_per_round(&self) -> f64 {
        match self {
            Self::Sign(s) => s.fisher_information_per_round(),
            Self::MultiBit(m) => m.fisher_information_per_round(),
        }
    }

    /// `E[Q(Y)_i] - mean` on the support for `Y_i ~ N(mean, sigma^2)` and the given centre.
    pub fn gaussian_bias(&self, mean: f64, centre: f64) -> f64 {
        match self {
            Self::Sign(s) => s.gaussian_bias(mean, centre),
            Self::MultiBit(m) => m.gaussian_bias(mean, centre),
        }
    }

    fn inner(&self) -> &dyn Quantizer {
        match self {
            Self::Sign(s) => s,
            Self::MultiBit(m) => m,
        }
    }
}

impl From<AdaptiveSign> for AdaptiveScheme {
    fn from(s: AdaptiveSign) -> Self {
        Self::Sign(s)
    }
}

impl From<AdaptiveMultiBit> for AdaptiveScheme {
    fn from(m: AdaptiveMultiBit) -> Self {
        Self::MultiBit(m)
    }
}

impl Quantizer for AdaptiveScheme {
    fn name(&self) -> String {
        self.inner().name()
    }

    fn dim(&self) -> usize {
        self.inner().dim()
    }

    fn bit_cost(&self) -> BitCost {
        self.inner().bit_cost()
    }

    fn bias(&self) -> Bias {
        self.inner().bias()
    }

    fn variance(&self) -> VarianceBound {
        self.inner().variance()
    }

    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        self.inner().mse_bound(y)
    }

    fn paper_bits(&self) -> Option<f64> {
        self.inner().paper_bits()
    }

    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        self.inner().support(state)
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        self.inner().encode(input, state, rng, out)
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        self.inner().decode(bits, state, out)
    }
}
