//! CUQ, the coordinate-wise uniform quantizer (Mayekar & Tyagi, arXiv 2001.09032, §5;
//! also Suresh et al. 2017 and RATQ's building block).
//!
//! Parameters `M` (the range `[-M, M]`) and `k` (the number of levels). The grid is
//! `B(u) = -M + 2uM/(k-1)`, `u = 0..k-1`; a coordinate `y in [B(u), B(u+1)]` becomes
//! `B(u+1)` with probability `(y - B(u))/(B(u+1) - B(u))` and `B(u)` otherwise, so
//! `E[Q(y)] = y` whenever `|y| <= M`, `|Q(y) - y| <= 2M/(k-1)` surely, and the conditional
//! variance is `(y - B(u))(B(u+1) - y) <= (M/(k-1))^2`.
//!
//! In code: [`Cuq`] over a [`UniformGrid`]; the per-input variance is
//! [`UniformGrid::rounding_variance`]. The paper charges `d log2(k+1)` bits; lowbit writes the
//! `d` symbols of the `k`-letter alphabet, `d log2 k` bits for `k = 2^w` and a joint
//! mixed-radix packing otherwise (see [`Cuq::message_bits`]).
//!
//! Speed: the range check is one branch-free pass; the rounding takes the private words a
//! block at a time and packs `k = 2^w` symbols as `w`-bit fields of bytes; decoding maps
//! message bytes to grid values through a table for `w` in `{1, 2, 4, 8}`. The messages and
//! the draws of the private generator are those of the coordinate-by-coordinate definition
//! above (tested against a reference).

use bitcodec::{BitReader, BitWriter, Field};
use rand::RngCore;

use crate::grid::UniformGrid;
use crate::paper::grid_rounding::GridRounding;
use crate::paper::level_table::ByteTable;
use crate::paper::norms::{check_dim, check_positive};
use crate::paper::symbols::SymbolCode;
use crate::paper::word_block::{BLOCK_WORDS, WordBlock, word};
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// The coordinate-wise uniform quantizer with range `[-M, M]` and `k` levels.
///
/// Input with some `|y_i| > M` is [`QuantError::OutOfRange`]: CUQ never clips.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::Cuq;
/// let q = Cuq::new(3, 1.0, 5)?; // levels -1, -0.5, 0, 0.5, 1
/// assert_eq!(q.bit_cost().exact(), Some(7)); // 3 symbols of 5 letters: ceil(3 log2 5)
/// let state = PublicState::new(1);
/// let mut w = BitWriter::with_capacity(7);
/// q.encode((&[0.5f64, -0.2, 1.0]).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = [0.0; 3];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// assert_eq!(out[0], 0.5); // grid points are kept exactly
/// assert!(out[1] == -0.5 || out[1] == 0.0);
/// assert!(q.encode((&[0.0f64, 0.0, 1.5]).into(), &state, &mut rand::rng(), &mut BitWriter::new()).is_err());
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Cuq {
    dim: usize,
    grid: UniformGrid,
    symbols: SymbolCode,
    /// The rounding kernel, for grids of at most `2^30` points.
    rounding: Option<GridRounding>,
    /// The decoding table, for `k = 2^w` with `w` in `{1, 2, 4, 8}`.
    table: Option<ByteTable>,
}

impl Cuq {
    /// CUQ for dimension `dim >= 1` with range `[-m, m]` (`m > 0` finite) and `levels >= 2`.
    pub fn new(dim: usize, m: f64, levels: u64) -> Result<Self, QuantError> {
        check_dim(dim)?;
        check_positive(m, "the range M")?;
        let grid = UniformGrid::symmetric(m, levels)?;
        let symbols = SymbolCode::new(levels)?;
        let table = match symbols {
            SymbolCode::Fixed(w) => ByteTable::new(w, |s| grid.value(s)),
            SymbolCode::Packed(_) => None,
        };
        Ok(Self {
            dim,
            grid,
            symbols,
            rounding: GridRounding::new(&grid),
            table,
        })
    }

    /// The range `M`.
    pub fn range(&self) -> f64 {
        self.grid.hi()
    }

    /// The number of levels `k`.
    pub fn levels(&self) -> u64 {
        self.grid.levels()
    }

    /// The grid.
    pub fn grid(&self) -> &UniformGrid {
        &self.grid
    }

    /// Bits of every message: `d w` for `k = 2^w`, else the chunked mixed-radix length of
    /// `d` symbols ([`bitcodec::ChunkedRadix::len`]), below `ceil(d log2 k) + d/c` for `c`
    /// symbols per 64-bit chunk.
    pub fn message_bits(&self) -> usize {
        self.symbols.len(self.dim)
    }

    /// The worst-case mean squared error over the cube: `d (M/(k-1))^2`.
    pub fn worst_case_mse(&self) -> f64 {
        let half_step = self.grid.step() / 2.0;
        self.dim as f64 * half_step * half_step
    }

    /// Errors unless every `|x_i| <= M`.
    fn check_range<T: Scalar>(&self, x: &[T]) -> Result<(), QuantError> {
        let m = self.range();
        match x.iter().position(|v| v.to_f64().abs() > m) {
            None => Ok(()),
            Some(i) => Err(QuantError::OutOfRange {
                what: format!(
                    "coordinate {i} = {} outside [-{m}, {m}]",
                    x.get(i).map_or(f64::NAN, |v| v.to_f64())
                ),
            }),
        }
    }

    /// Writes the stochastic rounding of `values` (all in `[-M, M]`, exactly `dim` of them).
    /// The caller has checked the range and the room.
    pub(crate) fn write_values(
        &self,
        values: impl Iterator<Item = f64>,
        uniforms: &mut Uniforms<'_>,
        w: &mut BitWriter,
    ) -> Result<(), QuantError> {
        let mut sink = self.symbols.sink(w);
        for v in values {
            sink.push(self.grid.stochastic_index(v, uniforms.unit_f64()))?;
        }
        sink.finish()
    }

    /// Reads `dim` values into `out`.
    pub(crate) fn read_values(
        &self,
        bits: &mut BitReader<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        let mut src = self.symbols.source(bits, out.len())?;
        for o in out.iter_mut() {
            let s = src.next_symbol()?;
            if s >= self.grid.levels() {
                return Err(QuantError::Corrupt(format!("level {s} past the grid")));
            }
            *o = self.grid.value(s);
        }
        Ok(())
    }

    /// Whether every `|x_i| <= M` (false for NaN and infinities): one branch-free pass.
    fn all_in_range<T: Scalar>(&self, x: &[T]) -> bool {
        let m = self.range();
        x.chunks(256)
            .all(|c| c.iter().fold(true, |ok, v| ok & (v.to_f64().abs() <= m)))
    }

    /// The error for an input that [`Cuq::all_in_range`] refuses, as the checks in order
    /// (finite values, then the range) report it.
    fn refusal<T: Scalar>(&self, x: &[T], input: Input<'_>) -> QuantError {
        match input.validate(self.dim).and_then(|()| self.check_range(x)) {
            Err(e) => e,
            Ok(()) => QuantError::OutOfRange {
                what: "a coordinate outside the range".into(),
            },
        }
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        input: Input<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        if !self.all_in_range(x) {
            return Err(self.refusal(x, input));
        }
        let bits = self.message_bits();
        out.ensure_room(bits)?;
        let start = out.len();
        match (self.symbols, self.rounding) {
            (SymbolCode::Fixed(w), Some(r)) if w <= 8 => {
                self.write_fields::<T, u8>(r, x, w, rng, out)?;
            }
            (SymbolCode::Fixed(w), Some(r)) => {
                self.write_fields::<T, u32>(r, x, w, rng, out)?;
            }
            (SymbolCode::Packed(_), Some(r)) => {
                let mut sink = self.symbols.sink(out);
                let mut words = WordBlock::new();
                for chunk in x.chunks(BLOCK_WORDS) {
                    for (v, w) in chunk.iter().zip(words.draw(rng, chunk.len())) {
                        sink.push(u64::from(r.index(v.to_f64(), word(w))))?;
                    }
                }
                sink.finish()?;
            }
            (_, None) => {
                let mut u = Uniforms::new(rng);
                self.write_values(x.iter().map(|v| v.to_f64()), &mut u, out)?;
            }
        }
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }

    /// Rounds `x` a block at a time into `w`-bit fields of type `F` (`k = 2^w`, each index
    /// fits); the caller has checked the range and the room.
    fn write_fields<T: Scalar, F: Field>(
        &self,
        r: GridRounding,
        x: &[T],
        width: u32,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<(), QuantError> {
        let mut words = WordBlock::new();
        let mut fields = [F::default(); BLOCK_WORDS];
        let two_levels = self.levels() == 2;
        for chunk in x.chunks(BLOCK_WORDS) {
            let drawn = words.draw(rng, chunk.len());
            let slots = fields.iter_mut().zip(chunk).zip(drawn);
            // One loop per kind, so that neither has a branch per coordinate.
            if two_levels {
                for ((f, v), w) in slots {
                    *f = F::from_u64_truncating(u64::from(r.upper(v.to_f64(), word(w))));
                }
            } else {
                for ((f, v), w) in slots {
                    *f = F::from_u64_truncating(u64::from(r.index(v.to_f64(), word(w))));
                }
            }
            out.write_fields(fields.get(..chunk.len()).unwrap_or_default(), width)?;
        }
        Ok(())
    }
}

impl Quantizer for Cuq {
    fn name(&self) -> String {
        format!("cuq(M={}, k={})", self.range(), self.levels())
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.message_bits())
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// `E||Q(y) - y||^2 <= d (M/(k-1))^2` on the cube; [`Quantizer::mse_bound`] is exact.
    fn variance(&self) -> VarianceBound {
        VarianceBound::Absolute {
            mse: self.worst_case_mse(),
        }
    }

    /// Exactly `sum_i (y_i - B(u_i))(B(u_i + 1) - y_i)` for admissible `y`, `None` otherwise.
    fn mse_bound(&self, y: &[f64]) -> Option<f64> {
        if y.len() != self.dim || !y.iter().all(|v| v.is_finite()) || self.check_range(y).is_err() {
            return None;
        }
        Some(y.iter().map(|&v| self.grid.rounding_variance(v)).sum())
    }

    /// `d log2(k + 1)`, as the paper charges (Lemma 5.1).
    fn paper_bits(&self) -> Option<f64> {
        Some(self.dim as f64 * ((self.levels() + 1) as f64).log2())
    }

    fn encode(
        &self,
        input: Input<'_>,
        _state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        if input.len() != self.dim {
            return Err(QuantError::DimensionMismatch {
                expected: self.dim,
                got: input.len(),
            });
        }
        match input {
            Input::F32(x) => self.encode_slice(x, input, rng, out),
            Input::F64(x) => self.encode_slice(x, input, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        _state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        match &self.table {
            Some(table) => table.decode(bits, out),
            None => self.read_values(bits, out),
        }
    }
}
