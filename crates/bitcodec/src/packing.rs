//! Word-packing kernels behind [`BitWriter::write_fields`](crate::BitWriter::write_fields) and
//! [`BitReader::read_fields`](crate::BitReader::read_fields).
//!
//! A run of $`m`$ fields of $`w`$ bits starting at bit $`p`$ occupies bits $`p`$ to
//! $`p + m w - 1`$ of the message, i.e. word $`\lfloor p/64 \rfloor`$ from bit $`p \bmod 64`$
//! onwards. The kernels build or take apart one
//! 64-bit word at a time in registers; callers have checked widths, values and room, so the
//! loops carry no per-field checks. Three kinds, fastest first:
//!
//! - `u8` fields of 1, 2 or 4 bits: eight bytes at a time, merged or split by shift-or-mask
//!   steps that halve (or double) the number of lanes in a `u64`;
//! - widths dividing 64: $`64/w`$ fields per word with constant shifts;
//! - any other width: an accumulator flushed whenever 64 bits are complete.

use crate::Field;

/// Packs `values` (each below $`2^w`$, $`w`$ = `width`, $`1 \le w \le 64`$) into `dst`,
/// starting at bit `offset < 64` of `dst[0]`.
///
/// `dst[0]` may hold earlier bits below `offset` (kept); every other bit of `dst` is
/// overwritten. `dst` must hold exactly $`\lceil (\mathrm{offset} + m w)/64 \rceil`$ words.
#[inline]
pub(crate) fn pack<T: Field>(values: &[T], width: u32, dst: &mut [u64], offset: u32) {
    if let Some(bytes) = T::as_bytes(values) {
        match width {
            1 => return pack_words(bytes, 64, dst, offset, bytes_to_word::<1>),
            2 => return pack_words(bytes, 32, dst, offset, bytes_to_word::<2>),
            4 => return pack_words(bytes, 16, dst, offset, bytes_to_word::<4>),
            _ => {}
        }
    }
    // Monomorphise the widths dividing 64 so that shifts are constants.
    match width {
        1 => pack_words(values, 64, dst, offset, fields_to_word::<T, 1>),
        2 => pack_words(values, 32, dst, offset, fields_to_word::<T, 2>),
        4 => pack_words(values, 16, dst, offset, fields_to_word::<T, 4>),
        8 => pack_words(values, 8, dst, offset, fields_to_word::<T, 8>),
        16 => pack_words(values, 4, dst, offset, fields_to_word::<T, 16>),
        32 => pack_words(values, 2, dst, offset, fields_to_word::<T, 32>),
        _ => pack_any(values, width, dst, offset),
    }
}

/// Unpacks `out.len()` fields of `width` bits (`1 <= width <= T::BITS`) from `src`, starting at
/// bit `offset < 64` of `src[0]`. Words missing from `src` read as zero.
#[inline]
pub(crate) fn unpack<T: Field>(src: &[u64], offset: u32, out: &mut [T], width: u32) {
    if let Some(bytes) = T::as_bytes_mut(out) {
        match width {
            1 => return unpack_words(src, offset, bytes, 64, word_to_bytes::<1>),
            2 => return unpack_words(src, offset, bytes, 32, word_to_bytes::<2>),
            4 => return unpack_words(src, offset, bytes, 16, word_to_bytes::<4>),
            _ => {}
        }
    }
    match width {
        1 => unpack_words(src, offset, out, 64, word_to_fields::<T, 1>),
        2 => unpack_words(src, offset, out, 32, word_to_fields::<T, 2>),
        4 => unpack_words(src, offset, out, 16, word_to_fields::<T, 4>),
        8 => unpack_words(src, offset, out, 8, word_to_fields::<T, 8>),
        16 => unpack_words(src, offset, out, 4, word_to_fields::<T, 16>),
        32 => unpack_words(src, offset, out, 2, word_to_fields::<T, 32>),
        _ => unpack_any(src, offset, out, width),
    }
}

/// Lays down one word per chunk of `per_word` values (the last chunk may be shorter), built
/// by `to_word`, from bit `offset` of `dst[0]`.
#[inline(always)]
fn pack_words<T>(
    values: &[T],
    per_word: usize,
    dst: &mut [u64],
    offset: u32,
    to_word: impl Fn(&[T]) -> u64 + Copy,
) {
    // Exact chunks have a length known at compile time, so `to_word` unrolls.
    let chunks = values.chunks_exact(per_word);
    let tail = chunks.remainder();
    let tail_word = (!tail.is_empty()).then(|| to_word(tail));
    let words = chunks.map(to_word).chain(tail_word);
    if offset == 0 {
        // Aligned: one store per word, nothing carried.
        for (slot, word) in dst.iter_mut().zip(words) {
            *slot = word;
        }
        return;
    }
    let Some((first, rest)) = dst.split_first_mut() else {
        return;
    };
    // `carry` holds the bits of the slot being completed: the earlier bits below `offset`,
    // then the high `offset` bits of each packed word.
    let mut carry = *first & low_mask(offset);
    let mut slots = std::iter::once(first).chain(rest.iter_mut());
    // Words first: `zip` must not consume a slot once the words run out.
    for (word, slot) in words.zip(slots.by_ref()) {
        *slot = carry | (word << offset);
        carry = word >> (64 - offset);
    }
    if let Some(slot) = slots.next() {
        *slot = carry;
    }
}

/// Fills `out` in chunks of `per_word` values (the last may be shorter), each taken from the
/// next 64 message bits by `from_word`.
#[inline(always)]
fn unpack_words<T>(
    src: &[u64],
    offset: u32,
    out: &mut [T],
    per_word: usize,
    from_word: impl Fn(u64, &mut [T]) + Copy,
) {
    let mut words = src.iter().copied();
    let mut lo = words.next().unwrap_or(0);
    // The next 64 message bits: from `offset` in `lo` into the following word.
    let mut next_word = || {
        let hi = words.next().unwrap_or(0);
        let word = if offset == 0 {
            lo
        } else {
            (lo >> offset) | (hi << (64 - offset))
        };
        lo = hi;
        word
    };
    // Exact chunks have a length known at compile time, so `from_word` unrolls.
    let mut chunks = out.chunks_exact_mut(per_word);
    for chunk in chunks.by_ref() {
        from_word(next_word(), chunk);
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        from_word(next_word(), tail);
    }
}

/// Up to $`64/W`$ fields in one word, the first in the low bits.
#[inline(always)]
fn fields_to_word<T: Field, const W: u32>(chunk: &[T]) -> u64 {
    chunk
        .iter()
        .enumerate()
        .fold(0u64, |acc, (i, &v)| acc | (v.to_u64() << (i as u32 * W)))
}

/// The inverse of [`fields_to_word`].
#[inline(always)]
fn word_to_fields<T: Field, const W: u32>(word: u64, chunk: &mut [T]) {
    let mask = low_mask(W);
    for (i, o) in chunk.iter_mut().enumerate() {
        *o = T::from_u64_truncating((word >> (i as u32 * W)) & mask);
    }
}

/// Up to $`64/W`$ byte fields ($`W \in \{1, 2, 4\}`$) in one word: each group of eight bytes
/// is read as a `u64` with one field per 8-bit lane and merged into $`8W`$ bits.
#[inline(always)]
fn bytes_to_word<const W: u32>(chunk: &[u8]) -> u64 {
    let (groups, rest) = chunk.as_chunks::<8>();
    let mut word = 0u64;
    let mut shift = 0u32;
    for group in groups {
        word |= merge_lanes::<W>(u64::from_le_bytes(*group)) << shift;
        shift += 8 * W;
    }
    for &v in rest {
        word |= u64::from(v) << shift;
        shift += W;
    }
    word
}

/// The inverse of [`bytes_to_word`].
#[inline(always)]
fn word_to_bytes<const W: u32>(word: u64, chunk: &mut [u8]) {
    let (groups, rest) = chunk.as_chunks_mut::<8>();
    let mut shift = 0u32;
    for group in groups {
        *group = split_lanes::<W>((word >> shift) & low_mask(8 * W)).to_le_bytes();
        shift += 8 * W;
    }
    for o in rest {
        *o = ((word >> shift) & low_mask(W)) as u8;
        shift += W;
    }
}

/// Merges eight 8-bit lanes, each holding a $`W`$-bit field in its low bits, into the low
/// $`8W`$ bits: three steps, each joining neighbouring lanes into one twice as wide.
#[inline(always)]
fn merge_lanes<const W: u32>(mut x: u64) -> u64 {
    if W == 1 {
        // One multiplication: lane i's bit lands on bit 56 + i. The partial products
        // b_i 2^(8i + 56 - 7j) sit on distinct bits (8i - 7j determines i and j), so no carry
        // disturbs bits 56..64.
        return x.wrapping_mul(0x0102_0408_1020_4080) >> 56;
    }
    let mut lane = 8;
    let mut bits = W;
    while lane < 64 {
        // The upper lane's field moves down next to the lower one's; the rest is masked off.
        x = (x | (x >> (lane - bits))) & lane_mask(2 * lane, 2 * bits);
        lane *= 2;
        bits *= 2;
    }
    x
}

/// The inverse of [`merge_lanes`]: $`8W`$ bits into eight 8-bit lanes of $`W`$ bits each.
#[inline(always)]
fn split_lanes<const W: u32>(mut x: u64) -> u64 {
    let mut lane = 64;
    let mut bits = 8 * W;
    while lane > 8 {
        lane /= 2;
        bits /= 2;
        x = (x | (x << (lane - bits))) & lane_mask(lane, bits);
    }
    x
}

/// The low `bits` bits of every `lane`-bit lane of a word (`bits <= lane`, `lane` divides 64).
#[inline(always)]
const fn lane_mask(lane: u32, bits: u32) -> u64 {
    let mut mask = 0u64;
    let mut at = 0;
    while at < 64 {
        mask |= low_mask(bits) << at;
        at += lane;
    }
    mask
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
pub(crate) const fn low_mask(bits: u32) -> u64 {
    if bits == 0 {
        0
    } else {
        u64::MAX >> (64 - bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merging_and_splitting_lanes_are_inverse() {
        let x = 0x0102_0304_0506_0708u64 & lane_mask(8, 4);
        assert_eq!(split_lanes::<4>(merge_lanes::<4>(x)), x);
        let bits = 0b1011_0010u64;
        assert_eq!(merge_lanes::<1>(split_lanes::<1>(bits)), bits);
        // Bit i of the field goes to byte i.
        assert_eq!(split_lanes::<1>(bits), 0x0100_0101_0000_0100);
    }

    #[test]
    fn lane_masks_repeat_across_the_word() {
        assert_eq!(lane_mask(8, 1), 0x0101_0101_0101_0101);
        assert_eq!(lane_mask(16, 4), 0x000f_000f_000f_000f);
        assert_eq!(lane_mask(64, 64), u64::MAX);
    }
}
