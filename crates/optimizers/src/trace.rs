//! [`Trace`]: what a single-worker run returns.

use bitcodec::Transcript;

/// The metrics of the rule's estimate after some number of rounds, when the oracle knows its
/// minimizer and optimal value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Rounds completed (0 is the starting point).
    pub rounds: u64,
    /// `||x - x*||^2` for the rule's estimate `x`, with the oracle's current minimizer.
    pub dist2: Option<f64>,
    /// `f(x) - f*` for the rule's estimate.
    pub gap: Option<f64>,
}

/// The record of a run: bits, metrics, iterates and the transcript of every message.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// Rounds run.
    pub rounds: u64,
    /// Metrics at round 0, every `record_every` rounds, and after the last round.
    pub samples: Vec<Sample>,
    /// Coordinates clipped by the quantizer, per round.
    pub clipped: Vec<usize>,
    /// The server's last iterate `x_T`.
    pub final_iterate: Vec<f64>,
    /// The Polyak–Ruppert average, when the rule keeps one.
    pub averaged_iterate: Option<Vec<f64>>,
    /// Every message of the run (bits always, contents when the run keeps them).
    pub transcript: Transcript,
}

impl Trace {
    /// Uplink bits of each round.
    pub fn bits_per_round(&self) -> Vec<usize> {
        // The run's rounds are 0..T, so the dense vector is as long as the run.
        let pairs = self.transcript.bits_per_round();
        let rounds = pairs.last().map_or(0, |&(r, _)| r as usize + 1);
        let mut out = vec![0usize; rounds];
        for (r, bits) in pairs {
            if let Some(slot) = out.get_mut(r as usize) {
                *slot = usize::try_from(bits).unwrap_or(usize::MAX);
            }
        }
        out
    }

    /// Bits over the whole run.
    pub fn total_bits(&self) -> u64 {
        self.transcript.total_bits()
    }

    /// Coordinates clipped over the whole run.
    pub fn total_clipped(&self) -> usize {
        self.clipped.iter().sum()
    }

    /// The last recorded sample (after the final round).
    pub fn last_sample(&self) -> Option<&Sample> {
        self.samples.last()
    }
}
