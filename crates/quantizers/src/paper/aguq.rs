//! AGUQ, the adaptive geometric uniform quantizer for a gain (Mayekar & Tyagi,
//! arXiv 1908.08200, named in arXiv 2001.09032 §7).
//!
//! **Reconstruction** (notes-algorithms §1.6, tagged [INF]; the source's definition was not
//! available): a ladder of ranges growing geometrically,
//!
//! ```text
//! M_{g,j} = M_{g,0} a^j,   j = 0..h_g - 1,   a > 1,
//! ```
//!
//! the index of the smallest range with `G <= M_{g,j}` (`ceil(log2 h_g)` bits), then `G`
//! rounded stochastically on `k_g` uniform levels of `[0, M_{g,j}]` (`ceil(log2 k_g)` bits).
//! A small gain is thus quantized finely and a large one coarsely; by Chebyshev,
//! `P(G > M_{g,j-1}) <= B^2/M_{g,j-1}^2`, so each range adds at most `a^2 B^2/(k_g - 1)^2` to
//! the second moment, while the top range `M_{g,h_g-1}` keeps the clipping bias
//! `E(G - M_top)_+ <= B^2/(4 M_top)` small. Gains above the top range are clipped to it and
//! counted.
//!
//! In code: [`Aguq`], one of the [`GainQuantizer`](crate::paper::GainQuantizer)s.

use bitcodec::{BitReader, BitWriter, Uniform};

use crate::QuantError;
use crate::grid::UniformGrid;
use crate::paper::gain::check_gain;
use crate::paper::norms::check_positive;

/// Most ranges an AGUQ ladder may have.
const MAX_RANGES: usize = 1 << 16;

/// The adaptive geometric uniform gain quantizer (a reconstruction; see the module docs).
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::paper::Aguq;
/// let g = Aguq::new(1.0, 2.0, 4, 9)?; // ranges 1, 2, 4, 8; 9 levels on each
/// assert_eq!(g.bits(), 2 + 4);
/// let mut w = BitWriter::new();
/// assert_eq!(g.encode(0.25, 0.0, &mut w)?, (0.25, false)); // range 1: step 1/8
/// assert_eq!(g.encode(5.0, 0.0, &mut w)?, (5.0, false)); // range 8: step 1
/// let msg = w.finish();
/// let mut r = msg.reader();
/// assert_eq!(g.decode(&mut r)?, 0.25);
/// assert_eq!(g.decode(&mut r)?, 5.0);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Aguq {
    base: f64,
    ratio: f64,
    grids: Vec<UniformGrid>,
    index: Uniform,
    level: Uniform,
}

impl Aguq {
    /// The ladder `M_{g,j} = base ratio^j`, `j < ranges`, with `levels` levels on each range:
    /// `base > 0`, `ratio > 1`, `1 <= ranges <= 2^16`, `levels >= 2`, and a finite top range.
    pub fn new(base: f64, ratio: f64, ranges: usize, levels: u64) -> Result<Self, QuantError> {
        check_positive(base, "the first gain range M_{g,0}")?;
        if !(ratio.is_finite() && ratio > 1.0) {
            return Err(QuantError::InvalidParameter(format!(
                "the range ratio must be a finite number above 1, got {ratio}"
            )));
        }
        if ranges == 0 || ranges > MAX_RANGES {
            return Err(QuantError::InvalidParameter(format!(
                "AGUQ needs 1 to {MAX_RANGES} ranges, got {ranges}"
            )));
        }
        let grids = (0..ranges)
            .map(|j| UniformGrid::new(0.0, base * ratio.powi(j as i32), levels))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            base,
            ratio,
            grids,
            index: Uniform::new(ranges as u64)?,
            level: Uniform::new(levels)?,
        })
    }

    /// `M_{g,0}`.
    pub fn base(&self) -> f64 {
        self.base
    }

    /// The ratio `a`.
    pub fn ratio(&self) -> f64 {
        self.ratio
    }

    /// The number of ranges `h_g`.
    pub fn ranges(&self) -> usize {
        self.grids.len()
    }

    /// The number of levels `k_g` per range.
    pub fn levels(&self) -> u64 {
        self.grids.first().map_or(0, |g| g.levels())
    }

    /// The top range `M_{g,h_g-1}`, the largest gain sent unclipped.
    pub fn top(&self) -> f64 {
        self.grids.last().map_or(0.0, |g| g.hi())
    }

    /// Bits per gain: `ceil(log2 h_g) + ceil(log2 k_g)`.
    pub fn bits(&self) -> usize {
        self.index.len() + self.level.len()
    }

    /// The range index used for `g`: the smallest `j` with `g <= M_{g,j}`, the top one for
    /// larger gains.
    pub fn select(&self, g: f64) -> usize {
        self.grids
            .iter()
            .position(|grid| g <= grid.hi())
            .unwrap_or(self.grids.len().saturating_sub(1))
    }

    fn grid(&self, j: usize) -> Result<&UniformGrid, QuantError> {
        self.grids
            .get(j)
            .ok_or_else(|| QuantError::Corrupt(format!("gain range {j} past the ladder")))
    }

    /// Writes `g >= 0` with the uniform `u`; returns the decoded value and whether `g` clipped.
    pub fn encode(&self, g: f64, u: f64, w: &mut BitWriter) -> Result<(f64, bool), QuantError> {
        check_gain(g)?;
        w.ensure_room(self.bits())?;
        let j = self.select(g);
        let grid = self.grid(j)?;
        let clipped = g > grid.hi();
        let level = grid.stochastic_index(g.min(grid.hi()), u);
        self.index.encode(w, j as u64)?;
        self.level.encode(w, level)?;
        Ok((grid.value(level), clipped))
    }

    /// Reads one gain.
    pub fn decode(&self, r: &mut BitReader<'_>) -> Result<f64, QuantError> {
        let grid = self.grid(self.index.decode(r)? as usize)?;
        Ok(grid.value(self.level.decode(r)?))
    }

    /// `E[Q_g(g)] = min(g, M_top)`.
    pub fn mean(&self, g: f64) -> f64 {
        g.min(self.top())
    }

    /// `Var[Q_g(g)]`: the rounding variance on the range `g` selects.
    pub fn variance(&self, g: f64) -> f64 {
        let j = self.select(g);
        self.grids
            .get(j)
            .map_or(0.0, |grid| grid.rounding_variance(g.min(grid.hi())))
    }
}
