//! End-to-end specification: the server's running mean of decoded one-step estimates, with the
//! centre at the current estimate, reaches the Fisher limit of the adaptive schemes on Gaussian
//! samples (the Kipnis–Duchi limit `pi sigma^2/(2n)` for sign bits, `sigma^2/(n I(q))` for `q`
//! bits). The update is written out here, independent of the optimizers crate.

use bitcodec::BitWriter;
use quantizers::adaptive::{AdaptiveMultiBit, AdaptiveSign};
use quantizers::{PublicState, QuantError, Quantizer};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

/// Per-coordinate squared error of the running mean of decoded one-step estimates after `n`
/// rounds, with `W_t ~ N(theta, sigma^2 I)` as input and the current estimate as centre.
/// Returns the mean over coordinates and its standard error.
fn running_mean_error(
    q: &dyn Quantizer,
    n: u64,
    sigma: f64,
    seed: u64,
) -> Result<(f64, f64), QuantError> {
    let d = q.dim();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let theta: Vec<f64> = (0..d)
        .map(|_| sigma * rng.random_range(-1.0..1.0))
        .collect();
    let mut est = vec![0.0; d];
    let mut count = vec![0u64; d];
    let mut sample = vec![0.0; d];
    let mut w = BitWriter::new();
    let mut out = vec![0.0; d];
    for t in 0..n {
        for (s, th) in sample.iter_mut().zip(&theta) {
            *s = th + sigma * rng.sample::<f64, _>(StandardNormal);
        }
        let support = {
            let state = PublicState::new(seed).with_round(t).with_centre(&est);
            w.reset(q.bit_cost().max_bits());
            q.encode((&sample).into(), &state, &mut rng, &mut w)?;
            let msg = w.to_bitstring();
            q.decode(&mut msg.reader(), &state, &mut out)?;
            q.support(&state)
        };
        let described: Vec<usize> = support.unwrap_or_else(|| (0..d).collect());
        for i in described {
            count[i] += 1;
            est[i] += (out[i] - est[i]) / count[i] as f64;
        }
    }
    let sq: Vec<f64> = est
        .iter()
        .zip(&theta)
        .map(|(e, t)| (e - t) * (e - t))
        .collect();
    let mean = sq.iter().sum::<f64>() / d as f64;
    let var = sq.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (d - 1) as f64;
    Ok((mean, (var / d as f64).sqrt()))
}

#[test]
fn running_mean_reaches_the_kipnis_duchi_error() {
    // MSE per coordinate after n rounds should be pi sigma^2/(2n) (to within 10%). With d
    // independent coordinates the estimate's relative standard error is about sqrt(2/d) = 2.5%,
    // so a 10% band is 4 standard errors.
    let (d, n, sigma) = (3200, 1500u64, 1.5);
    let q = AdaptiveSign::new(d, d, sigma).unwrap();
    let (mse, se) = running_mean_error(&q, n, sigma, 2024).unwrap();
    let target = std::f64::consts::PI * sigma * sigma / (2.0 * n as f64);
    assert!(
        (mse / target - 1.0).abs() < 0.10,
        "mse {mse:.4e} vs pi sigma^2/(2n) = {target:.4e} (se {se:.1e})"
    );
}

#[test]
fn round_robin_running_mean_divides_rounds_among_coordinates() {
    // B = d/4: each coordinate is described every 4th round, so after n rounds its error is
    // pi sigma^2 / (2 n/4).
    let (d, n, sigma) = (1600, 4000u64, 1.0);
    let q = AdaptiveSign::new(d, d / 4, sigma).unwrap();
    let (mse, se) = running_mean_error(&q, n, sigma, 99).unwrap();
    let target = std::f64::consts::PI * sigma * sigma / (2.0 * (n / 4) as f64);
    assert!(
        (mse / target - 1.0).abs() < 0.15,
        "mse {mse:.4e} vs {target:.4e} (se {se:.1e})"
    );
}

#[test]
fn running_mean_reaches_the_two_bit_fisher_limit() {
    // MSE per coordinate after n rounds should be sigma^2/(n I(2)) to within 10%; the estimate's
    // relative standard error over d coordinates is about sqrt(2/d) = 2.5%.
    let (d, n, sigma) = (3200, 1500u64, 0.6);
    let q = AdaptiveMultiBit::new(d, 2 * d, sigma, 2).unwrap();
    let (mse, se) = running_mean_error(&q, n, sigma, 7).unwrap();
    let target = sigma * sigma / (n as f64 * q.cells().information());
    assert!(
        (mse / target - 1.0).abs() < 0.10,
        "mse {mse:.4e} vs sigma^2/(n I(2)) = {target:.4e} (se {se:.1e})"
    );
}

#[test]
fn running_mean_reaches_the_three_bit_fisher_limit() {
    let (d, n, sigma) = (3200, 1500u64, 2.0);
    let q = AdaptiveMultiBit::new(d, 3 * d, sigma, 3).unwrap();
    let (mse, se) = running_mean_error(&q, n, sigma, 8).unwrap();
    let target = sigma * sigma / (n as f64 * q.cells().information());
    assert!(
        (mse / target - 1.0).abs() < 0.10,
        "mse {mse:.4e} vs sigma^2/(n I(3)) = {target:.4e} (se {se:.1e})"
    );
}
