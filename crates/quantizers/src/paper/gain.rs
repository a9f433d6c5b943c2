//! Scalar quantizers for the gain `G = ||Y||` of a gain–shape quantizer.
//!
//! For mean-square bounded oracles (`E||Y||^2 <= B^2` only), the gain has no almost-sure
//! bound, so a gain quantizer must either clip or spend bits on a range: Mayekar & Tyagi
//! (arXiv 2001.09032, §7; arXiv 1908.08200) note that bias is then "nearly inevitable".
//! Two gain quantizers are offered:
//! - [`UniformGain`] (notes-algorithms §1.6, [INF]): `k_g` levels on `[0, M_g]` with unbiased
//!   stochastic rounding; a gain above `M_g` is clipped to `M_g` (counted as a clip), so
//!   `E[Q_g(G)|G] = min(G, M_g)` and the bias is `-(G - M_g)_+`. For a random gain,
//!   `E(G - M_g)_+ <= E[G^2]/(4 M_g) <= B^2/(4 M_g)`, because
//!   `G^2 - 4 M_g (G - M_g) = (G - 2 M_g)^2 >= 0`.
//! - [`Aguq`], the adaptive geometric uniform quantizer (a reconstruction; see its docs).
//!
//! [`GainQuantizer`] is the choice between them that [`GainShape`](crate::paper::GainShape)
//! takes.

use bitcodec::{BitReader, BitWriter, Uniform};

use crate::QuantError;
use crate::grid::UniformGrid;
use crate::paper::aguq::Aguq;
use crate::paper::norms::check_positive;

/// `k_g` levels on `[0, M_g]`, unbiased stochastic rounding, gains above `M_g` clipped.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::paper::UniformGain;
/// let g = UniformGain::new(4.0, 5)?; // levels 0, 1, 2, 3, 4: 3 bits
/// let mut w = BitWriter::new();
/// assert_eq!(g.encode(2.25, 0.9, &mut w)?, (2.0, false)); // rounds down when u >= 0.25
/// assert_eq!(g.encode(9.0, 0.5, &mut w)?, (4.0, true)); // clipped to M_g
/// let msg = w.finish();
/// let mut r = msg.reader();
/// assert_eq!(g.decode(&mut r)?, 2.0);
/// assert_eq!(g.decode(&mut r)?, 4.0);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct UniformGain {
    grid: UniformGrid,
    code: Uniform,
}

impl UniformGain {
    /// `levels >= 2` points on `[0, max]`, `max > 0` finite.
    pub fn new(max: f64, levels: u64) -> Result<Self, QuantError> {
        check_positive(max, "the gain range M_g")?;
        Ok(Self {
            grid: UniformGrid::new(0.0, max, levels)?,
            code: Uniform::new(levels)?,
        })
    }

    /// The range `M_g`.
    pub fn max(&self) -> f64 {
        self.grid.hi()
    }

    /// The number of levels `k_g`.
    pub fn levels(&self) -> u64 {
        self.grid.levels()
    }

    /// Bits per gain: `ceil(log2 k_g)`.
    pub fn bits(&self) -> usize {
        self.code.len()
    }

    /// Writes the gain `g >= 0` rounded with the uniform `u in [0, 1)`; returns the value the
    /// decoder will see and whether `g` was clipped.
    pub fn encode(&self, g: f64, u: f64, w: &mut BitWriter) -> Result<(f64, bool), QuantError> {
        check_gain(g)?;
        let clipped = g > self.max();
        let j = self.grid.stochastic_index(g.min(self.max()), u);
        self.code.encode(w, j)?;
        Ok((self.grid.value(j), clipped))
    }

    /// Reads one gain.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<f64, QuantError> {
        Ok(self.grid.value(self.code.decode(r)?))
    }

    /// `E[Q_g(g)] = min(g, M_g)`.
    pub fn mean(&self, g: f64) -> f64 {
        g.min(self.max())
    }

    /// `Var[Q_g(g)]`: the rounding variance at `min(g, M_g)`.
    pub fn variance(&self, g: f64) -> f64 {
        self.grid.rounding_variance(g.min(self.max()))
    }
}

/// Errors unless `g` is a finite non-negative gain.
pub(crate) fn check_gain(g: f64) -> Result<(), QuantError> {
    if g.is_finite() && g >= 0.0 {
        Ok(())
    } else {
        Err(QuantError::OutOfRange {
            what: format!("gain {g} is not a finite non-negative number"),
        })
    }
}

/// The gain quantizer of a [`GainShape`](crate::paper::GainShape).
#[derive(Debug, Clone, PartialEq)]
pub enum GainQuantizer {
    /// Uniform on `[0, M_g]`, clipping above.
    Uniform(UniformGain),
    /// The adaptive geometric ladder of ranges.
    Aguq(Aguq),
}

impl GainQuantizer {
    /// A short name with the parameters.
    pub fn name(&self) -> String {
        match self {
            GainQuantizer::Uniform(g) => format!("uniform-gain(M={}, k={})", g.max(), g.levels()),
            GainQuantizer::Aguq(g) => format!(
                "aguq(M0={}, a={}, h={}, k={})",
                g.base(),
                g.ratio(),
                g.ranges(),
                g.levels()
            ),
        }
    }

    /// Bits per gain.
    pub fn bits(&self) -> usize {
        match self {
            GainQuantizer::Uniform(g) => g.bits(),
            GainQuantizer::Aguq(g) => g.bits(),
        }
    }

    /// The largest gain sent unclipped.
    pub fn top(&self) -> f64 {
        match self {
            GainQuantizer::Uniform(g) => g.max(),
            GainQuantizer::Aguq(g) => g.top(),
        }
    }

    /// The bits the source texts charge: `log2 k_g`, plus `log2 h_g` for AGUQ
    /// (notes-algorithms §1.6, a reconstruction).
    pub fn paper_bits(&self) -> f64 {
        match self {
            GainQuantizer::Uniform(g) => (g.levels() as f64).log2(),
            GainQuantizer::Aguq(g) => (g.levels() as f64).log2() + (g.ranges() as f64).log2(),
        }
    }

    /// Writes `g >= 0` with the uniform `u`; returns the decoded value and whether `g` clipped.
    pub fn encode(&self, g: f64, u: f64, w: &mut BitWriter) -> Result<(f64, bool), QuantError> {
        match self {
            GainQuantizer::Uniform(q) => q.encode(g, u, w),
            GainQuantizer::Aguq(q) => q.encode(g, u, w),
        }
    }

    /// Reads one gain.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<f64, QuantError> {
        match self {
            GainQuantizer::Uniform(q) => q.decode(r),
            GainQuantizer::Aguq(q) => q.decode(r),
        }
    }

    /// `E[Q_g(g)]`: `g` unless clipped.
    pub fn mean(&self, g: f64) -> f64 {
        match self {
            GainQuantizer::Uniform(q) => q.mean(g),
            GainQuantizer::Aguq(q) => q.mean(g),
        }
    }

    /// `Var[Q_g(g)]`, exactly.
    pub fn variance(&self, g: f64) -> f64 {
        match self {
            GainQuantizer::Uniform(q) => q.variance(g),
            GainQuantizer::Aguq(q) => q.variance(g),
        }
    }
}

impl From<UniformGain> for GainQuantizer {
    fn from(g: UniformGain) -> Self {
        GainQuantizer::Uniform(g)
    }
}

impl From<Aguq> for GainQuantizer {
    fn from(g: Aguq) -> Self {
        GainQuantizer::Aguq(g)
    }
}
