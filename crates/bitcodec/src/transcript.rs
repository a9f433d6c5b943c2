//! [`Transcript`]: the record of every message of a run.

use std::collections::BTreeMap;

use crate::BitString;

/// Which way a message travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Worker to server (the quantized gradient).
    Uplink,
    /// Server to worker (a compressed model or iterate).
    Downlink,
}

/// One message of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// The round the message belongs to (0-based).
    pub round: u64,
    /// The worker that sent or received it.
    pub worker: u32,
    /// Which way it went.
    pub direction: Direction,
    /// Its exact length in bits.
    pub bits: usize,
    /// Its content, when the transcript keeps messages.
    pub message: Option<BitString>,
}

/// The messages of a run: lengths always, contents on request.
///
/// ```
/// use bitcodec::{BitString, Direction, Transcript};
/// let mut t = Transcript::new();
/// t.record(0, 0, Direction::Uplink, &BitString::from_bytes(&[0xff], 5)?);
/// t.record(1, 0, Direction::Uplink, &BitString::from_bytes(&[0x01], 3)?);
/// assert_eq!(t.total_bits(), 8);
/// assert_eq!(t.bits_per_round(), vec![(0, 5), (1, 3)]);
/// # Ok::<(), bitcodec::CodecError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    records: Vec<MessageRecord>,
    keep_messages: bool,
}

impl Transcript {
    /// A transcript that records lengths only.
    pub fn new() -> Self {
        Self::default()
    }

    /// A transcript that also keeps every message's bits (for comparing runs bit for bit).
    pub fn keeping_messages() -> Self {
        Self {
            records: Vec::new(),
            keep_messages: true,
        }
    }

    /// Whether message contents are kept.
    pub fn keeps_messages(&self) -> bool {
        self.keep_messages
    }

    /// Records one message.
    pub fn record(&mut self, round: u64, worker: u32, direction: Direction, message: &BitString) {
        self.records.push(MessageRecord {
            round,
            worker,
            direction,
            bits: message.len(),
            message: self.keep_messages.then(|| message.clone()),
        });
    }

    /// Records a message by its length only.
    pub fn record_len(&mut self, round: u64, worker: u32, direction: Direction, bits: usize) {
        self.records.push(MessageRecord {
            round,
            worker,
            direction,
            bits,
            message: None,
        });
    }

    /// All records, in the order they were made.
    pub fn records(&self) -> &[MessageRecord] {
        &self.records
    }

    /// Number of messages.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no message was recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Total bits over all messages (saturating at `u64::MAX`).
    pub fn total_bits(&self) -> u64 {
        sum_bits(self.records.iter())
    }

    /// Total bits in one direction (saturating at `u64::MAX`).
    pub fn total_bits_in(&self, direction: Direction) -> u64 {
        sum_bits(self.records.iter().filter(|r| r.direction == direction))
    }

    /// `(round, bits)` for every round that has a message, in increasing round order, with the
    /// bits summed over workers and directions (saturating at `u64::MAX`).
    ///
    /// Rounds without a message are left out, so the result is as long as the number of
    /// distinct rounds, whatever their numbers.
    pub fn bits_per_round(&self) -> Vec<(u64, u64)> {
        let mut per_round: BTreeMap<u64, u64> = BTreeMap::new();
        for r in &self.records {
            let slot = per_round.entry(r.round).or_insert(0);
            *slot = slot.saturating_add(r.bits as u64);
        }
        per_round.into_iter().collect()
    }

    /// The largest single message, in bits.
    pub fn max_message_bits(&self) -> usize {
        self.records.iter().map(|r| r.bits).max().unwrap_or(0)
    }
}

/// The saturating sum of the records' lengths.
fn sum_bits<'a>(records: impl Iterator<Item = &'a MessageRecord>) -> u64 {
    records.fold(0u64, |acc, r| acc.saturating_add(r.bits as u64))
}
