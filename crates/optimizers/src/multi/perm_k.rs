//! A crate-internal Perm-K compressor (notes-algorithms §5.6) for MARINA-P's downlink, until
//! the quantizers crate provides one with the same conventions.
//!
//! Each round draws, from public coins keyed without the worker
//! (`state.with_worker(0).coins(Purpose::Selection)`), a random permutation of the `d`
//! coordinates and one of the `n` workers; the permuted coordinates are cut into `n` blocks
//! (the first `d mod n` one longer) and worker `i` (from `state.worker`) gets block `pi(i)`,
//! its values scaled by `n` and sent as binary64. Unbiased for every worker (`omega = n - 1`),
//! and the blocks partition the coordinates, so `(1/n) sum_i C_i(x) = x`. Requires `d >= n`.

use bitcodec::{BitReader, BitWriter};
use quantizers::{
    Bias, BitCost, EncodeStats, Input, PublicState, Purpose, QuantError, Quantizer, VarianceBound,
    check_output,
};
use rand::RngCore;
use rand::seq::SliceRandom;

/// Perm-K for `n` workers in dimension `d >= n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PermK {
    dim: usize,
    workers: usize,
}

impl PermK {
    pub(crate) fn new(dim: usize, workers: usize) -> Result<Self, QuantError> {
        if workers == 0 || dim < workers {
            return Err(QuantError::InvalidParameter(format!(
                "perm-k needs 1 <= n <= d, got n = {workers}, d = {dim}"
            )));
        }
        Ok(Self { dim, workers })
    }

    /// The sorted coordinates of worker `state.worker`'s block this round.
    fn block(&self, state: &PublicState<'_>) -> Result<Vec<usize>, QuantError> {
        let worker = state.worker as usize;
        if worker >= self.workers {
            return Err(QuantError::InvalidParameter(format!(
                "worker {worker} outside perm-k's {} workers",
                self.workers
            )));
        }
        let mut coins = state.with_worker(0).coins(Purpose::Selection);
        let mut coords: Vec<usize> = (0..self.dim).collect();
        coords.shuffle(&mut coins);
        let mut owners: Vec<usize> = (0..self.workers).collect();
        owners.shuffle(&mut coins);
        let b = owners.get(worker).copied().unwrap_or(0);
        let (m, rem) = (self.dim / self.workers, self.dim % self.workers);
        let start = b * m + b.min(rem);
        let len = m + usize::from(b < rem);
        let mut block = coords.get(start..start + len).unwrap_or(&[]).to_vec();
        block.sort_unstable();
        Ok(block)
    }
}

impl Quantizer for PermK {
    fn name(&self) -> String {
        format!("perm-k(n={})", self.workers)
    }

    fn dim(&self) -> usize {
        self.dim
    }

    fn bit_cost(&self) -> BitCost {
        BitCost::AtMost(64 * self.dim.div_ceil(self.workers))
    }

    fn bias(&self) -> Bias {
        Bias::Unbiased
    }

    fn variance(&self) -> VarianceBound {
        VarianceBound::Relative {
            omega: self.workers as f64 - 1.0,
        }
    }

    fn support(&self, state: &PublicState<'_>) -> Option<Vec<usize>> {
        self.block(state).ok()
    }

    fn encode(
        &self,
        input: Input<'_>,
        state: &PublicState<'_>,
        _rng: &mut dyn RngCore,
        out: &mut BitWriter,
    ) -> Result<EncodeStats, QuantError> {
        input.validate(self.dim)?;
        let block = self.block(state)?;
        out.ensure_room(64 * block.len())?;
        let n = self.workers as f64;
        let mut values = Vec::with_capacity(block.len());
        for &c in &block {
            let v = n * input.get(c).unwrap_or(0.0);
            if !v.is_finite() {
                return Err(QuantError::OutOfRange {
                    what: format!("coordinate {c} overflows when scaled by n = {n}"),
                });
            }
            values.push(v.to_bits());
        }
        out.write_fields(&values, 64)?;
        Ok(EncodeStats {
            bits: 64 * block.len(),
            clipped: 0,
        })
    }

    fn decode(
        &self,
        bits: &mut BitReader<'_>,
        state: &PublicState<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        check_output(self.dim, out)?;
        let block = self.block(state)?;
        bits.ensure_available(64 * block.len())?;
        match state.centre {
            Some(c) if c.len() == self.dim => out.copy_from_slice(c),
            Some(c) => {
                return Err(QuantError::DimensionMismatch {
                    expected: self.dim,
                    got: c.len(),
                });
            }
            None => out.fill(0.0),
        }
        for &c in &block {
            let v = f64::from_bits(bits.read_bits(64)?);
            if !v.is_finite() {
                return Err(QuantError::Corrupt(
                    "non-finite value in perm-k message".into(),
                ));
            }
            if let Some(o) = out.get_mut(c) {
                *o = v;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn roundtrip(q: &PermK, x: &[f64], round: u64, worker: u32) -> Vec<f64> {
        let state = PublicState::new(3).with_round(round).with_worker(worker);
        let mut w = BitWriter::with_capacity(q.bit_cost().max_bits().unwrap());
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        q.encode(x.into(), &state, &mut rng, &mut w).unwrap();
        let msg = w.finish();
        let mut out = vec![0.0; x.len()];
        let mut r = msg.reader();
        q.decode(&mut r, &state, &mut out).unwrap();
        assert!(r.is_exhausted());
        out
    }

    #[test]
    fn the_average_over_workers_reconstructs_the_input() {
        let q = PermK::new(10, 4).unwrap();
        let x: Vec<f64> = (0..10).map(|i| i as f64 - 4.5).collect();
        for round in 0..20 {
            let mut avg = [0.0; 10];
            for w in 0..4 {
                for (a, v) in avg.iter_mut().zip(roundtrip(&q, &x, round, w)) {
                    *a += v / 4.0;
                }
            }
            for (a, v) in avg.iter().zip(&x) {
                assert!((a - v).abs() <= 1e-15 * v.abs().max(1.0), "{a} vs {v}");
            }
        }
    }

    #[test]
    fn blocks_partition_the_coordinates_and_differ_between_rounds() {
        let q = PermK::new(7, 3).unwrap();
        let mut seen = Vec::new();
        for w in 0..3 {
            let state = PublicState::new(3).with_round(5).with_worker(w);
            seen.extend(q.support(&state).unwrap());
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
        let s = |r| q.support(&PublicState::new(3).with_round(r).with_worker(0));
        assert!((0..10).any(|r| s(r) != s(r + 1)));
    }

    #[test]
    fn fewer_coordinates_than_workers_is_rejected() {
        assert!(PermK::new(2, 3).is_err());
        assert!(PermK::new(3, 0).is_err());
    }
}
