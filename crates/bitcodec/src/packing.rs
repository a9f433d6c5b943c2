//! Word-packing kernels behind [`BitWriter::write_fields`](crate::BitWriter::write_fields) and
//! [`BitReader::read_fields`](crate::BitReader::read_fields).
//!
//! A run of `m` fields of `w` bits starting at bit `p` occupies bits `p .. p + m w` of the
//! message, i.e. word `p / 64` from bit `p % 64` onwards. The kernels keep the current word in
//! a register and touch memory once per 64 bits; callers have checked widths, values and room,
//! so the loops carry no per-field checks.

use crate::Field;

/// Packs `values` (each below `2^width`, `1 <= width <= 64`) into `dst`, starting at bit
/// `offset < 64` of `dst[0]`.
///
/// `dst[0]` may hold earlier bits below `offset` (kept); every other bit of `dst` is
/// overwritten. `dst` must hold exactly `ceil((offset + m width) / 64)` words.
#[inline]
pub(crate) fn pack<T: Field>(values: &[T], width: u32, dst: &mut [u64], offset: u32) {
    // Monomorphise the hot widths so shifts and the word-boundary pattern are constants.
    match width {
        1 => pack_const::<T, 1>(values, dst, offset),
        2 => pack_const::<T, 2>(values, dst, offset),
        4 => pack_const::<T, 4>(values, dst, offset),
        8 => pack_const::<T, 8>(values, dst, offset),
        16 => pack_const::<T, 16>(values, dst, offset),
        32 => pack_const::<T, 32>(values, dst, offset),
        _ => pack_any(values, width, dst, offset),
    }
}

/// Unpacks `out.len()` fields of `width` bits (`1 <= width <= T::BITS`) from `src`, starting at
/// bit `offset < 64` of `src[0]`. `src` must hold the bits (missing words read as zero).
#[inline]
pub(crate) fn unpack<T: Field>(src: &[u64], offset: u32, out: &mut [T], width: u32) {
    match width {
        1 => unpack_const::<T, 1>(src, offset, out),
        2 => unpack_const::<T, 2>(src, offset, out),
        4 => unpack_const::<T, 4>(src, offset, out),
        8 => unpack_const::<T, 8>(src, offset, out),
        16 => unpack_const::<T, 16>(src, offset, out),
        32 => unpack_const::<T, 32>(src, offset, out),
        _ => unpack_any(src, offset, out, width),
    }
}

/// Widths dividing 64: `64 / W` fields make one word, assembled with constant shifts.
fn pack_const<T: Field, const W: u32>(values: &[T], dst: &mut [u64], offset: u32) {
    let per_word = (64 / W) as usize;
    let chunks = values.chunks_exact(per_word);
    let tail = chunks.remainder();
    let mut slots = dst.iter_mut();
    let Some(first) = slots.next() else {
        return;
    };
    // `carry` holds the bits of the word being completed, below `offset`.
    let mut carry = *first & low_mask(offset);
    let mut slot = first;
    let words = chunks.map(|chunk| {
        chunk
            .iter()
            .zip((0..64).step_by(W as usize))
            .fold(0u64, |acc, (&v, s)| acc | (v.to_u64() << s))
    });
    let tail_word = (!tail.is_empty()).then(|| {
        tail.iter()
            .zip((0..64).step_by(W as usize))
            .fold(0u64, |acc, (&v, s)| acc | (v.to_u64() << s))
    });
    for word in words.chain(tail_word) {
        *slot = carry | (word << offset);
        // The high `offset` bits of `word` spill into the next slot.
        carry = if offset == 0 {
            0
        } else {
            word >> (64 - offset)
        };
        match slots.next() {
            Some(next) => slot = next,
            None => return,
        }
    }
    *slot = carry;
}

/// Any width: a 64-bit accumulator that is flushed whenever it fills.
fn pack_any<T: Field>(values: &[T], width: u32, dst: &mut [u64], offset: u32) {
    let mut slots = dst.iter_mut();
    let Some(first) = slots.next() else {
        return;
    };
    let mut acc = *first & low_mask(offset);
    let mut fill = offset;
    let mut slot = first;
    for &v in values {
        let v = v.to_u64();
        acc |= v << fill;
        fill += width;
        if fill >= 64 {
            *slot = acc;
            fill -= 64;
            // The bits of `v` that did not fit start the next word.
            acc = if fill == 0 { 0 } else { v >> (width - fill) };
            match slots.next() {
                Some(next) => slot = next,
                None => return,
            }
        }
    }
    *slot = acc;
}

/// Widths dividing 64, reading one realigned word per `64 / W` fields.
fn unpack_const<T: Field, const W: u32>(src: &[u64], offset: u32, out: &mut [T]) {
    let per_word = (64 / W) as usize;
    let mask = low_mask(W);
    let mut words = src.iter().copied();
    let mut lo = words.next().unwrap_or(0);
    for chunk in out.chunks_mut(per_word) {
        // The next 64 message bits, from `offset` in `lo` into the following word.
        let word = if offset == 0 {
            let w = lo;
            lo = words.next().unwrap_or(0);
            w
        } else {
            let hi = words.next().unwrap_or(0);
            let w = (lo >> offset) | (hi << (64 - offset));
            lo = hi;
            w
        };
        for (o, s) in chunk.iter_mut().zip((0..64).step_by(W as usize)) {
            *o = T::from_u64_truncating((word >> s) & mask);
        }
    }
}

/// Any width: a register holding the unread bits of the current word.
fn unpack_any<T: Field>(src: &[u64], offset: u32, out: &mut [T], width: u32) {
    let mask = low_mask(width);
    let mut words = src.iter().copied();
    let mut cur = words.next().unwrap_or(0) >> offset;
    let mut avail = 64 - offset;
    for o in out.iter_mut() {
        if width <= avail {
            *o = T::from_u64_truncating(cur & mask);
            cur = cur.checked_shr(width).unwrap_or(0);
            avail -= width;
        } else {
            // `avail < width <= 64` bits are left: complete the field from the next word.
            let next = words.next().unwrap_or(0);
            *o = T::from_u64_truncating((cur | (next << avail)) & mask);
            let used = width - avail;
            cur = next.checked_shr(used).unwrap_or(0);
            avail = 64 - used;
        }
    }
}

/// The low `bits` bits set (`bits <= 64`).
#[inline(always)]
pub(crate) fn low_mask(bits: u32) -> u64 {
    u64::MAX.checked_shr(64 - bits).unwrap_or(0)
}
