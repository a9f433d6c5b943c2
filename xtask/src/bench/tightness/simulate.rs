//! Monte Carlo of one pathway: `mse(t) = E||x_t - theta||^2` at checkpoints, with standard errors.
//!
//! Trial `i` of a run seeded `s` draws `theta` from the prior with its own stream, then runs the
//! single-worker round loop ([`optimizers::run_observed`]) with run seed `trial_seed(s, i)`: the
//! oracle at the current estimate, the scheme's encoder under the budget, decoding from the bits
//! alone, and the per-coordinate running mean ([`RunningMean`], which reads the round's support).
//! An observer records `||x_t - theta||^2` at the checkpoints. Trials run in parallel with
//! [`optimizers::monte_carlo()`], so the numbers do not depend on the thread count; schemes of one
//! dimension share the base seed, so they see the same `theta`s and the same oracle noise
//! (common random numbers sharpen the comparisons between them).

use anyhow::Result;
use optimizers::{NoMemory, RoundRecord, RunConfig, RunningMean, monte_carlo, run_observed};
use oracles::GaussianQuadratic;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::schemes::Scheme;
use super::setting::Setting;

/// Tag of the stream that draws `theta` (distinct from the run's own streams).
const THETA_STREAM: u64 = 0x0074_6865_7461; // "theta"

/// `1, 2, 4, ...` up to `rounds`, and `rounds` itself.
pub fn checkpoints(rounds: u64) -> Vec<u64> {
    let mut points: Vec<u64> = std::iter::successors(Some(1u64), |&t| t.checked_mul(2))
        .take_while(|&t| t <= rounds)
        .collect();
    if points.last() != Some(&rounds) && rounds > 0 {
        points.push(rounds);
    }
    points
}

/// The measured curve of one pathway.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The checkpoints `t`.
    pub rounds: Vec<u64>,
    /// `mse(t)`, the mean over trials of `||x_t - theta||^2`.
    pub mse: Vec<f64>,
    /// The standard error of each mean.
    pub stderr: Vec<f64>,
    /// Uplink bits per round over the whole run, from the transcripts (mean over trials).
    pub bits_per_round: f64,
    /// Coordinates the encoder clipped in rounds `1..=t`, per trial (mean).
    pub clipped: Vec<f64>,
    /// The fraction of rounds `1..=t` whose message clipped anything (mean over trials).
    pub clipped_rounds: Vec<f64>,
    /// Trials run.
    pub trials: u64,
}

impl Curve {
    /// The last checkpoint's `(t, mse, stderr)`.
    pub fn last(&self) -> Option<(u64, f64, f64)> {
        let i = self.rounds.len().checked_sub(1)?;
        Some((
            *self.rounds.get(i)?,
            *self.mse.get(i)?,
            *self.stderr.get(i)?,
        ))
    }

    /// `(mse, stderr)` at checkpoint `t`.
    pub fn at(&self, t: u64) -> Option<(f64, f64)> {
        let i = self.rounds.iter().position(|&r| r == t)?;
        Some((*self.mse.get(i)?, *self.stderr.get(i)?))
    }
}

/// What one trial measured.
#[derive(Debug, Clone, PartialEq)]
struct Trial {
    /// `||x_t - theta||^2` at each checkpoint.
    dist2: Vec<f64>,
    /// Clipped coordinates up to each checkpoint.
    clipped: Vec<u64>,
    /// Rounds with a clip up to each checkpoint.
    clipped_rounds: Vec<u64>,
    /// Uplink bits of the run.
    bits: u64,
}

/// Runs `trials` trials of `scheme` in dimension `d` for `rounds` rounds; `done` is called after
/// each trial (progress).
pub fn simulate(
    setting: &Setting,
    d: usize,
    scheme: &Scheme,
    rounds: u64,
    trials: u64,
    seed: u64,
    done: &(dyn Fn() + Sync),
) -> Result<Curve> {
    let points = checkpoints(rounds);
    let results = monte_carlo(trials, seed, |_, run_seed| {
        let trial = run_trial(setting, d, scheme, rounds, &points, run_seed);
        done();
        trial
    })?;
    Ok(aggregate(&points, rounds, &results))
}

fn run_trial(
    setting: &Setting,
    d: usize,
    scheme: &Scheme,
    rounds: u64,
    points: &[u64],
    run_seed: u64,
) -> Result<Trial> {
    let mut theta_rng = ChaCha8Rng::seed_from_u64(quantizers::splitmix64(run_seed ^ THETA_STREAM));
    let mut oracle =
        GaussianQuadratic::from_prior(setting.oracle_prior(), d, setting.sigma, &mut theta_rng)?;
    let theta = oracle.theta().to_vec();
    let mut rule = RunningMean::new(vec![0.0; d])?;
    // The loop's own metrics only at the end; the observer takes the checkpoints.
    let config = RunConfig::new(rounds, scheme.budget, run_seed)?.recording_every(rounds)?;
    let mut dist2 = Vec::with_capacity(points.len());
    let mut clipped = Vec::with_capacity(points.len());
    let mut clipped_rounds = Vec::with_capacity(points.len());
    let (mut clips, mut clip_rounds) = (0u64, 0u64);
    let mut next = points.iter().copied().peekable();
    let mut observer = |r: &RoundRecord<'_>| {
        clips += r.clipped as u64;
        clip_rounds += u64::from(r.clipped > 0);
        if next.next_if_eq(&(r.round + 1)).is_some() {
            dist2.push(squared_distance(r.estimate, &theta));
            clipped.push(clips);
            clipped_rounds.push(clip_rounds);
        }
    };
    let trace = run_observed(
        &config,
        &mut oracle,
        scheme.quantizer.as_ref(),
        &mut rule,
        &NoMemory,
        &mut observer,
    )?;
    Ok(Trial {
        dist2,
        clipped,
        clipped_rounds,
        bits: trace.total_bits(),
    })
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Means and standard errors over trials.
fn aggregate(points: &[u64], rounds: u64, trials: &[Trial]) -> Curve {
    let n = trials.len().max(1) as f64;
    let (mse, stderr) = (0..points.len())
        .map(|i| {
            let values = trials.iter().filter_map(|t| t.dist2.get(i).copied());
            mean_and_stderr(values)
        })
        .unzip();
    let mean_at = |i: usize, f: fn(&Trial) -> &[u64]| {
        trials
            .iter()
            .filter_map(|t| f(t).get(i))
            .map(|&c| c as f64)
            .sum::<f64>()
            / n
    };
    let clipped = (0..points.len())
        .map(|i| mean_at(i, |t| &t.clipped))
        .collect();
    let clipped_rounds = points
        .iter()
        .enumerate()
        .map(|(i, &upto)| mean_at(i, |t| &t.clipped_rounds) / upto.max(1) as f64)
        .collect();
    let bits: u64 = trials.iter().map(|t| t.bits).sum();
    Curve {
        rounds: points.to_vec(),
        mse,
        stderr,
        bits_per_round: bits as f64 / (n * rounds.max(1) as f64),
        clipped,
        clipped_rounds,
        trials: trials.len() as u64,
    }
}

/// The sample mean and its standard error (`NaN` standard error for a single value).
fn mean_and_stderr(values: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let n = values.clone().count() as f64;
    let mean = values.clone().sum::<f64>() / n;
    let var = values.map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_powers_of_two_and_the_last_round() {
        assert_eq!(checkpoints(8), vec![1, 2, 4, 8]);
        assert_eq!(checkpoints(10), vec![1, 2, 4, 8, 10]);
        assert_eq!(checkpoints(1), vec![1]);
    }

    #[test]
    fn mean_and_stderr_match_the_textbook_formulas() {
        // Mean 2.5; sample variance 5/3; standard error sqrt(5/12).
        let (m, se) = mean_and_stderr([1.0, 2.0, 3.0, 4.0].into_iter());
        assert_eq!(m, 2.5);
        assert!((se - (5.0f64 / 12.0).sqrt()).abs() < 1e-15);
    }

    #[test]
    fn aggregation_averages_trials_and_counts_bits_and_clips_per_round() {
        let trial = |a: f64, clipped: u64| Trial {
            dist2: vec![a, a / 2.0],
            clipped: vec![0, clipped],
            clipped_rounds: vec![0, clipped.min(1)],
            bits: 40,
        };
        let c = aggregate(&[1, 4], 4, &[trial(2.0, 0), trial(4.0, 6)]);
        assert_eq!(c.mse, vec![3.0, 1.5]);
        assert_eq!(c.bits_per_round, 10.0);
        assert_eq!(c.clipped, vec![0.0, 3.0]);
        assert_eq!(c.clipped_rounds, vec![0.0, 1.0 / 8.0]);
        assert_eq!(c.last(), Some((4, 1.5, c.stderr[1])));
        assert_eq!(c.at(1), Some((3.0, 1.0)));
    }

    #[test]
    fn the_exact_pathway_reaches_d_sigma_squared_over_t() {
        // The running mean of T exact samples has mse d sigma^2 / T exactly in expectation:
        // here 4/64 = 0.0625, with the relative standard error sqrt(2/(d n)) = 0.0125 per
        // checkpoint (chi-square with d n degrees of freedom / n).
        let setting = Setting::default();
        let d = 4;
        let scheme = super::super::schemes::schemes(&setting, d, &[])
            .unwrap()
            .into_iter()
            .find(|s| s.id == "unquantized")
            .unwrap();
        let c = simulate(&setting, d, &scheme, 64, 3200, 11, &|| {}).unwrap();
        let (t, mse, se) = c.last().unwrap();
        assert_eq!(t, 64);
        assert!((mse - 4.0 / 64.0).abs() < 5.0 * se, "{mse} +- {se}");
        assert!(se < 0.02 * 4.0 / 64.0);
        assert_eq!(c.bits_per_round, 64.0 * 4.0);
        assert_eq!(c.clipped.last(), Some(&0.0));
        // At t = 1 the estimate is one sample: mse d sigma^2.
        let (m1, se1) = c.at(1).unwrap();
        assert!((m1 - 4.0).abs() < 5.0 * se1, "{m1} +- {se1}");
    }
}
