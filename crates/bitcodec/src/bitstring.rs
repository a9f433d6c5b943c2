//! An owned, packed bit string: the message that crosses the channel.

use std::fmt;

use crate::{BitReader, CodecError};

/// A finished message: `len` bits packed little-endian into 64-bit words.
///
/// Bit $`i`$ of the message is bit $`i \bmod 64`$ of word $`\lfloor i/64 \rfloor`$. Bits past `len`
/// in the last word are always zero, so two equal messages compare equal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BitString {
    pub(crate) words: Vec<u64>,
    pub(crate) len: usize,
}

impl BitString {
    /// The empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a message from packed words, keeping the first `len` bits.
    ///
    /// Errors if `len` is more than the words hold.
    pub fn from_words(mut words: Vec<u64>, len: usize) -> Result<Self, CodecError> {
        let available = words.len().saturating_mul(64);
        if len > available {
            return Err(CodecError::UnexpectedEnd {
                requested: len,
                remaining: available,
            });
        }
        words.truncate(len.div_ceil(64));
        mask_tail(&mut words, len);
        Ok(Self { words, len })
    }

    /// Builds a message from bytes (bit $`i`$ is bit $`i \bmod 8`$ of byte
    /// $`\lfloor i/8 \rfloor`$), keeping `len` bits.
    ///
    /// This is how a message received from the outside world (a file, a socket, a fuzzer)
    /// enters the codecs. Errors if `len` is more than the bytes hold.
    pub fn from_bytes(bytes: &[u8], len: usize) -> Result<Self, CodecError> {
        let available = bytes.len().saturating_mul(8);
        if len > available {
            return Err(CodecError::UnexpectedEnd {
                requested: len,
                remaining: available,
            });
        }
        let mut words = vec![0u64; len.div_ceil(64)];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks(8)) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            *word = u64::from_le_bytes(buf);
        }
        mask_tail(&mut words, len);
        Ok(Self { words, len })
    }

    /// The message as bytes, $`\lceil \mathrm{len}/8 \rceil`$ of them (the inverse of
    /// [`BitString::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out: Vec<u8> = self.words.iter().flat_map(|w| w.to_le_bytes()).collect();
        out.truncate(self.len.div_ceil(8));
        out
    }

    /// Number of bits in the message.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the message has no bits.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The packed words (bits past `len()` are zero).
    pub fn as_words(&self) -> &[u64] {
        &self.words
    }

    /// Bit `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<bool> {
        if i >= self.len {
            return None;
        }
        self.words.get(i / 64).map(|w| (w >> (i % 64)) & 1 == 1)
    }

    /// A reader positioned at the first bit.
    pub fn reader(&self) -> BitReader<'_> {
        BitReader::new(&self.words, self.len)
    }
}

/// The bits in message order, as `0`s and `1`s (bit 0 first).
///
/// ```
/// use bitcodec::BitString;
/// assert_eq!(BitString::from_bytes(&[0b0000_1101], 5)?.to_string(), "10110");
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
impl fmt::Display for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        (0..self.len).try_for_each(|i| {
            let bit = self.get(i).unwrap_or(false);
            f.write_str(if bit { "1" } else { "0" })
        })
    }
}

/// Zeroes the bits of the last word past `len`.
pub(crate) fn mask_tail(words: &mut [u64], len: usize) {
    let used = len % 64;
    if used != 0
        && let Some(last) = words.last_mut()
    {
        *last &= (1u64 << used) - 1;
    }
}
