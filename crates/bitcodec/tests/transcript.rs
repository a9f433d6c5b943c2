//! Transcript accounting: totals, directions, per-round sums, kept messages.

// Test helpers fail the way tests do: by panicking.
#![allow(clippy::unwrap_used)]

use bitcodec::{BitString, BitWriter, Direction, Transcript};

fn message(bits: usize) -> BitString {
    let mut w = BitWriter::new();
    for i in 0..bits {
        w.write_bit(i % 3 == 0).unwrap();
    }
    w.finish()
}

#[test]
fn an_empty_transcript_has_no_bits() {
    let t = Transcript::new();
    assert!(t.is_empty());
    assert_eq!(t.len(), 0);
    assert_eq!(t.total_bits(), 0);
    assert_eq!(t.bits_per_round(), vec![]);
    assert_eq!(t.max_message_bits(), 0);
}

#[test]
fn totals_are_the_sum_of_message_lengths() {
    let mut t = Transcript::new();
    t.record(0, 0, Direction::Uplink, &message(5));
    t.record(0, 1, Direction::Uplink, &message(7));
    t.record_len(1, 0, Direction::Downlink, 100);
    t.record(2, 0, Direction::Uplink, &message(0));
    assert_eq!(t.len(), 4);
    assert_eq!(t.total_bits(), 112);
    assert_eq!(t.max_message_bits(), 100);
}

#[test]
fn directions_are_counted_separately() {
    let mut t = Transcript::new();
    t.record_len(0, 0, Direction::Uplink, 10);
    t.record_len(0, 0, Direction::Downlink, 3);
    t.record_len(1, 2, Direction::Uplink, 20);
    assert_eq!(t.total_bits_in(Direction::Uplink), 30);
    assert_eq!(t.total_bits_in(Direction::Downlink), 3);
    assert_eq!(
        t.total_bits_in(Direction::Uplink) + t.total_bits_in(Direction::Downlink),
        t.total_bits()
    );
}

#[test]
fn rounds_sum_over_workers_and_directions_in_round_order() {
    let mut t = Transcript::new();
    t.record_len(2, 0, Direction::Uplink, 4);
    t.record_len(0, 0, Direction::Uplink, 1);
    t.record_len(2, 1, Direction::Downlink, 6);
    t.record_len(0, 3, Direction::Uplink, 2);
    assert_eq!(t.bits_per_round(), vec![(0, 3), (2, 10)]);
}

#[test]
fn far_apart_rounds_cost_nothing_extra() {
    // Round numbers are labels: a record at round 2^64 - 1 allocates nothing per round.
    let mut t = Transcript::new();
    t.record_len(u64::MAX, 0, Direction::Uplink, 9);
    t.record_len(0, 0, Direction::Uplink, 1);
    assert_eq!(t.bits_per_round(), vec![(0, 1), (u64::MAX, 9)]);
}

#[test]
fn sums_saturate_instead_of_overflowing() {
    let mut t = Transcript::new();
    t.record_len(1, 0, Direction::Uplink, usize::MAX);
    t.record_len(1, 1, Direction::Uplink, usize::MAX);
    assert_eq!(t.total_bits(), u64::MAX);
    assert_eq!(t.total_bits_in(Direction::Uplink), u64::MAX);
    assert_eq!(t.bits_per_round(), vec![(1, u64::MAX)]);
}

#[test]
fn records_keep_round_worker_direction_and_length_in_order() {
    let mut t = Transcript::new();
    t.record(3, 7, Direction::Downlink, &message(12));
    t.record_len(4, 1, Direction::Uplink, 2);
    let r = t.records();
    assert_eq!(
        (r[0].round, r[0].worker, r[0].direction, r[0].bits),
        (3, 7, Direction::Downlink, 12)
    );
    assert_eq!(
        (r[1].round, r[1].worker, r[1].direction, r[1].bits),
        (4, 1, Direction::Uplink, 2)
    );
}

#[test]
fn message_contents_are_kept_only_on_request() {
    let msg = message(20);
    let mut lengths_only = Transcript::new();
    lengths_only.record(0, 0, Direction::Uplink, &msg);
    assert!(!lengths_only.keeps_messages());
    assert_eq!(lengths_only.records()[0].message, None);

    let mut full = Transcript::keeping_messages();
    full.record(0, 0, Direction::Uplink, &msg);
    full.record_len(1, 0, Direction::Uplink, 8);
    assert!(full.keeps_messages());
    assert_eq!(full.records()[0].message.as_ref(), Some(&msg));
    assert_eq!(full.records()[1].message, None);
}
