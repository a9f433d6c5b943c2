//! Decoding `w`-bit level symbols through a table indexed by message bytes.
//!
//! A message of `m` symbols of `w` bits, `w` in `{1, 2, 4, 8}`, holds `8/w` whole symbols
//! per byte, the first in the low bits (bits go least significant first). [`ByteTable`]
//! maps each of the 256 byte values to the `8/w` grid values of its symbols, so decoding
//! copies one row per byte: no per-symbol shifts, masks or branches.

use bitcodec::BitReader;

use crate::QuantError;

/// Message words read at a time.
const WORDS: usize = 32;

/// The grid values of every byte of symbols, `8/w` per row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ByteTable {
    width: u32,
    /// `256 (8/w)` values: row `b` holds the values of the symbols in byte `b`.
    values: Vec<f64>,
}

impl ByteTable {
    /// The table of `w`-bit symbols with grid values `value(s)`, if `w` divides 8.
    pub(crate) fn new(width: u32, value: impl Fn(u64) -> f64) -> Option<Self> {
        if !matches!(width, 1 | 2 | 4 | 8) {
            return None;
        }
        let per = 8 / width;
        let mask = (1u64 << width) - 1;
        let values = (0..256u64)
            .flat_map(|b| (0..per).map(move |i| (b >> (i * width)) & mask))
            .map(value)
            .collect();
        Some(Self { width, values })
    }

    /// Reads `out.len()` symbols from `r` into their grid values. Errors (with nothing
    /// consumed) when fewer than `out.len() w` bits are left.
    pub(crate) fn decode(&self, r: &mut BitReader<'_>, out: &mut [f64]) -> Result<(), QuantError> {
        r.ensure_available(out.len() * self.width as usize)?;
        match self.width {
            1 => self.decode_rows::<8>(r, out),
            2 => self.decode_rows::<4>(r, out),
            4 => self.decode_rows::<2>(r, out),
            _ => self.decode_rows::<1>(r, out),
        }
    }

    /// The decoder for `PER = 8/w` symbols per byte; the caller has checked the room.
    fn decode_rows<const PER: usize>(
        &self,
        r: &mut BitReader<'_>,
        out: &mut [f64],
    ) -> Result<(), QuantError> {
        let (rows, _) = self.values.as_chunks::<PER>();
        let Ok(rows) = <&[[f64; PER]; 256]>::try_from(rows) else {
            return Err(QuantError::Corrupt("level table of the wrong size".into()));
        };
        let per_word = 8 * PER;
        let mut words = [0u64; WORDS];
        let mut blocks = out.chunks_exact_mut(WORDS * per_word);
        for block in &mut blocks {
            r.read_words(&mut words)?;
            for (&w, vals) in words.iter().zip(block.chunks_exact_mut(per_word)) {
                expand_word(rows, w, vals);
            }
        }
        let rest = blocks.into_remainder();
        let mut whole = rest.chunks_exact_mut(per_word);
        for vals in &mut whole {
            expand_word(rows, r.read_bits(64)?, vals);
        }
        let tail = whole.into_remainder();
        if !tail.is_empty() {
            let w = r.read_bits(tail.len() as u32 * self.width)?;
            for (&b, vals) in w.to_le_bytes().iter().zip(tail.chunks_mut(PER)) {
                for (o, &v) in vals.iter_mut().zip(&rows[usize::from(b)]) {
                    *o = v;
                }
            }
        }
        Ok(())
    }
}

/// The `8 PER` values of the symbols of one message word.
#[inline(always)]
fn expand_word<const PER: usize>(rows: &[[f64; PER]; 256], w: u64, vals: &mut [f64]) {
    let (vals, _) = vals.as_chunks_mut::<PER>();
    for (&b, o) in w.to_le_bytes().iter().zip(vals) {
        *o = rows[usize::from(b)];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcodec::BitWriter;

    #[test]
    fn rows_decode_the_symbols_of_every_width_at_any_offset() {
        for width in [1u32, 2, 4, 8] {
            let table = ByteTable::new(width, |s| s as f64 * 0.5 - 1.0).unwrap();
            for m in [0usize, 1, 7, 8, 63, 64, 65, 2049, 5000] {
                for prefix in [0u32, 3, 63] {
                    let symbols: Vec<u64> = (0..m as u64)
                        .map(|i| (i * 2_654_435_761) % (1 << width))
                        .collect();
                    let mut w = BitWriter::new();
                    w.write_bits(0, prefix).unwrap();
                    for &s in &symbols {
                        w.write_bits(s, width).unwrap();
                    }
                    w.write_bits(1, 1).unwrap();
                    let msg = w.finish();
                    let mut r = msg.reader();
                    r.read_bits(prefix).unwrap();
                    let mut out = vec![f64::NAN; m];
                    table.decode(&mut r, &mut out).unwrap();
                    let expect: Vec<f64> = symbols.iter().map(|&s| s as f64 * 0.5 - 1.0).collect();
                    assert_eq!(out, expect, "w = {width}, m = {m}, prefix = {prefix}");
                    assert_eq!(r.remaining(), 1);
                }
            }
        }
    }

    #[test]
    fn a_short_message_is_an_error_and_reads_nothing() {
        let table = ByteTable::new(2, |s| s as f64).unwrap();
        let mut w = BitWriter::new();
        w.write_bits(0b1011, 4).unwrap();
        let msg = w.finish();
        let mut r = msg.reader();
        assert!(table.decode(&mut r, &mut [0.0; 3]).is_err());
        assert_eq!(r.position(), 0);
    }

    #[test]
    fn widths_that_do_not_divide_a_byte_have_no_table() {
        assert!(ByteTable::new(3, |s| s as f64).is_none());
        assert!(ByteTable::new(16, |s| s as f64).is_none());
    }
}
