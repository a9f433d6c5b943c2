//! RATQ, the rotated adaptive tetra-iterated quantizer (Mayekar & Tyagi, arXiv 1908.08200;
//! parameters, bits and error as restated in arXiv 2001.09032 §5, eq. (8) and Lemma 5.2).
//!
//! For `||Y||_2 <= B` in `d` dimensions, with `d'` the next power of two:
//! 1. rotate: `Z = R Y = (1/sqrt(d')) H D pad(Y)` ([`RandomRotation`], signs from public coins);
//! 2. split `Z` into `ceil(d'/s)` blocks of `s` coordinates;
//! 3. ATUQ per block `b`: send the smallest `j` with `||b||_inf <= M_j` (`log2 h` bits), then
//!    quantize each coordinate with CUQ (`k` levels on `[-M_j, M_j]`, private stochastic
//!    rounding);
//! 4. decode: rebuild `Z_hat` from the ranges and levels, `Y_hat = R^T Z_hat`, truncated to `d`.
//!
//! The parameters `m, m0, h, s` and the ranges `M_j` are in [`RangeTable`] and
//! [`RatqParameters`] (the `M_j` formula is a reconstruction; see there). Since the top range
//! covers `B`, no block ever overloads and `E[Q(Y)|Y] = Y`. Lemma 5.2 quotes
//! `E||Q(Y) - Y||_2^2 <= B^2 (9 + 3 ln s)/(k - 1)^2`.
//!
//! Message layout (exact length): the `ceil(d'/s)` range indices, each in `ceil(log2 h)` bits
//! ([`bitcodec::Uniform`]), then the `d'` level symbols packed jointly (`d' log2 k` bits for
//! `k = 2^w`, else chunked mixed radix). The paper charges `ceil(d/s) log2 h + d log2(k+1)`;
//! the message can exceed that through padding to `d'`, and for some `k` that are not powers
//! of two (e.g. `k = 26`) by the packing's rounding, less than one bit per 64-bit chunk.
//! One encode or decode allocates one buffer of `d'` floats and runs in `O(d' log d')`.

use bitcodec::{BitReader, BitWriter, Uniform};
use rand::RngCore;

use crate::grid::UniformGrid;
use crate::paper::hadamard::RandomRotation;
use crate::paper::norms::{NORM_SLACK, check_ball, check_positive, lq_norm};
use crate::paper::range_table::{RangeTable, RatqParameters};
use crate::paper::symbols::SymbolCode;
use crate::quantizer::check_output;
use crate::random::Uniforms;
use crate::{
    Bias, BitCost, EncodeStats, Input, PublicState, QuantError, Quantizer, Scalar, VarianceBound,
};

/// RATQ for inputs with `||y||_2 <= B`, with `k` levels per coordinate.
///
/// ```
/// use bitcodec::BitWriter;
/// use quantizers::{PublicState, Quantizer};
/// use quantizers::paper::Ratq;
/// let q = Ratq::new(100, 1.0, 4)?; // d' = 128, s = 2, h = 4, k = 4 levels
/// assert_eq!(q.padded_dim(), 128);
/// assert_eq!(q.bit_cost().exact(), Some(64 * 2 + 128 * 2));
/// let y: Vec<f64> = (0..100).map(|i| if i == 7 { 0.6 } else { 0.0 }).collect();
/// let state = PublicState::new(11); // the rotation comes from these public coins
/// let mut w = BitWriter::with_capacity(q.bit_cost().exact().unwrap());
/// q.encode((&y).into(), &state, &mut rand::rng(), &mut w)?;
/// let mut out = vec![0.0; 100];
/// q.decode(&mut w.finish().reader(), &state, &mut out)?;
/// let err: f64 = out.iter().zip(&y).map(|(a, b)| (a - b) * (a - b)).sum();
/// assert!(err < 2.0);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Ratq {
    rotation: RandomRotation,
    bound: f64,
    levels: u64,
    table: RangeTable,
    default_table: bool,
    block: usize,
    index: Uniform,
    grids: Vec<UniformGrid>,
    symbols: SymbolCode,
}

impl Ratq {
    /// RATQ for dimension `dim >= 1`, norm bound `B > 0` and `levels = k >= 2`, with the
    /// paper's block length and the reconstructed default [`RangeTable`].
    pub fn new(dim: usize, bound: f64, levels: u64) -> Result<Self, QuantError> {
        let rotation = RandomRotation::new(dim)?;
        check_positive(bound, "the norm bound B")?;
        let d = rotation.padded_dim();
        let params = RatqParameters::for_dimension(d, bound)?;
        let table = RangeTable::reconstructed(d, bound)?;
        Ok(Self {
            rotation,
            bound,
            levels,
            index: Uniform::new(table.len() as u64)?,
            grids: grids_for(&table, levels)?,
            table,
            default_table: true,
            block: params.block,
            symbols: SymbolCode::new(levels)?,
        })
    }

    /// The same quantizer with another range table. The top range must be at least `B`
    /// (every rotated coordinate is at most `||y||_2 <= B`), so RATQ still never overloads;
    /// the stated error bound becomes the table-free `d' (M_{h-1}/(k-1))^2`.
    pub fn with_range_table(mut self, table: RangeTable) -> Result<Self, QuantError> {
        if table.top() < self.bound {
            return Err(QuantError::InvalidParameter(format!(
                "the top range {} is below the norm bound {}: blocks could overload",
                table.top(),
                self.bound
            )));
        }
        self.index = Uniform::new(table.len() as u64)?;
        self.grids = grids_for(&table, self.levels)?;
        self.table = table;
        self.default_table = false;
        Ok(self)
    }

    /// The same quantizer with blocks of `block` coordinates (`1 <= block <= d'`).
    pub fn with_block_len(mut self, block: usize) -> Result<Self, QuantError> {
        if block == 0 || block > self.padded_dim() {
            return Err(QuantError::InvalidParameter(format!(
                "block length must be in 1..={}, got {block}",
                self.padded_dim()
            )));
        }
        self.block = block;
        Ok(self)
    }

    /// The padded dimension `d'`.
    pub fn padded_dim(&self) -> usize {
        self.rotation.padded_dim()
    }

    /// The norm bound `B`.
    pub fn bound(&self) -> f64 {
        self.bound
    }

    /// The levels per coordinate `k`.
    pub fn levels(&self) -> u64 {
        self.levels
    }

    /// The block length `s`.
    pub fn block_len(&self) -> usize {
        self.block
    }

    /// The range table.
    pub fn range_table(&self) -> &RangeTable {
        &self.table
    }

    /// Number of blocks `ceil(d'/s)`.
    pub fn blocks(&self) -> usize {
        self.padded_dim().div_ceil(self.block)
    }

    /// Bits of every message: `ceil(d'/s) ceil(log2 h)` + the `d'` level symbols.
    pub fn message_bits(&self) -> usize {
        self.blocks() * self.index.len() + self.symbols.len(self.padded_dim())
    }

    /// Lemma 5.2's `B^2 (9 + 3 ln s)/(k - 1)^2` with the default table; with a custom one the
    /// table-free worst case `d' (M_{h-1}/(k - 1))^2` (each coordinate's rounding variance is
    /// at most `(M_j/(k-1))^2` and the rotation keeps norms).
    pub fn stated_mse(&self) -> f64 {
        let km1 = (self.levels - 1) as f64;
        if self.default_table {
            let s = self.block as f64;
            self.bound * self.bound * (9.0 + 3.0 * s.ln()) / (km1 * km1)
        } else {
            let top = self.table.top() / km1;
            self.padded_dim() as f64 * top * top
        }
    }

    fn encode_slice<T: Scalar>(
        &self,
        x: &[T],
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        check_ball(lq_norm(x, 2.0), self.bound, "||y||_2")?;
        let mut z = vec![0.0; self.padded_dim()];
        self.rotation.forward(state, x, &mut z)?;
        // |z_i| <= ||y||_2 <= B (1 + slack) up to the rotation's rounding; anything above the
        // top range by more is an internal inconsistency and must not be clipped silently.
        let top = self.table.top();
        let max = z.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if max > top * (1.0 + 2.0 * NORM_SLACK) {
            return Err(QuantError::OutOfRange {
                what: format!("rotated coordinate {max} above the top range {top}"),
            });
        }
        out.ensure_room(self.message_bits())?;
        let start = out.len();
        for b in z.chunks(self.block) {
            self.index.encode(out, self.select(b) as u64)?;
        }
        let mut u = Uniforms::new(rng);
        let mut sink = self.symbols.sink(out);
        for b in z.chunks(self.block) {
            let grid = self.grid(self.select(b))?;
            for &v in b {
                sink.push(grid.stochastic_index(v, u.unit_f64()))?;
            }
        }
        sink.finish()?;
        Ok(EncodeStats {
            bits: out.len() - start,
            clipped: 0,
        })
    }

    /// The range index of a block; the top one for values within the slack above it (they
    /// round as if on its edge).
    fn select(&self, block: &[f64]) -> usize {
        let max = block.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        self.table
            .select(max)
            .unwrap_or(self.table.len().saturating_sub(1))
    }

    fn grid(&self, j: usize) -> Result<&UniformGrid, QuantError> {
        self.grids
            .get(j)
            .ok_or_else(|| QuantError::Corrupt(format!("range index {j} past the table")))
    }
}

/// The `k`-level CUQ grid of every range.
fn grids_for(table: &RangeTable, levels: u64) -> Result<Vec<UniformGrid>, QuantError> {
    table
        .ranges()
        .iter()
        .map(|&m| UniformGrid::symmetric(m, levels))
        .collect()
}

impl Quantizer for Ratq {
    fn name(&self) -> String {
        format!(
            "ratq(B={}, k={}, h={}, s={})",
            self.bound,
            self.levels,
            self.table.len(),
            self.block
        )
    }

    fn dim(&self) -> usize {
        self.rotation.dim()
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::Exact(self.message_bits())
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    /// See [`Ratq::stated_mse`].
    fn variance(&self) -> VarianceBound {
        VarianceBound::Absolute {
            mse: self.stated_mse(),
        }
    }

    /// `ceil(d/s) log2 h + d log2(k + 1)` (proof of Lemma 5.2), with the input dimension `d`.
    fn paper_bits(&self) -> Option<f64> {
        let d = self.dim();
        let log_h = (self.table.len() as f64).log2();
        let log_k1 = ((self.levels + 1) as f64).log2();
        Some(d.div_ceil(self.block) as f64 * log_h + d as f64 * log_k1)
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim())?;
        match input {
            Input::F32(x) => self.encode_slice(x, state, rng, out),
            Input::F64(x) => self.encode_slice(x, state, rng, out),
        }
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim(), out)?;
        bits.ensure_available(self.message_bits())?;
        // The indices come first: read them with a second cursor while `bits` moves on to
        // the level symbols, so neither needs a buffer.
        let mut indices = bits.clone();
        let mut skip = self.blocks() * self.index.len();
        while skip > 0 {
            let w = skip.min(64);
            bits.read_bits(w as u32)?;
            skip -= w;
        }
        let mut z = vec![0.0; self.padded_dim()];
        let mut src = self.symbols.source(bits, z.len())?;
        for b in z.chunks_mut(self.block) {
            let grid = self.grid(self.index.decode(&mut indices)? as usize)?;
            for v in b.iter_mut() {
                let s = src.next_symbol()?;
                if s >= self.levels {
                    return Err(QuantError::Corrupt(format!("level {s} past the grid")));
                }
                *v = grid.value(s);
            }
        }
        self.rotation.inverse(state, &mut z, out)
    }
}
