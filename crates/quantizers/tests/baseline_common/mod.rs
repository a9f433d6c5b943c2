//! Helpers shared by the baseline tests: inputs, round trips, and the checks every scheme
//! must pass (exact bits, budgets, bad input, truncated and random messages).

#![allow(dead_code)] // each test binary uses a subset

use bitcodec::{BitString, BitWriter, CodecError};
use quantizers::{Input, PublicState, QuantError, Quantizer, check::Measurement};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// A standard Gaussian vector.
pub fn gaussian(d: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..d).map(|_| StandardNormal.sample(&mut rng)).collect()
}

/// `value e_i`.
pub fn one_hot(d: usize, i: usize, value: f64) -> Vec<f64> {
    let mut v = vec![0.0; d];
    v[i] = value;
    v
}

/// Every coordinate `value`, with alternating signs.
pub fn flat(d: usize, value: f64) -> Vec<f64> {
    (0..d)
        .map(|i| if i % 2 == 0 { value } else { -value })
        .collect()
}

/// `||y||^2`.
pub fn norm2(y: &[f64]) -> f64 {
    y.iter().map(|v| v * v).sum()
}

/// Encodes `y` under the scheme's declared capacity (unlimited if variable).
pub fn encode(q: &dyn Quantizer, y: Input<'_>, state: &PublicState<'_>, seed: u64) -> BitString {
    let mut w = BitWriter::new();
    w.reset(q.bit_cost().max_bits());
    let stats = q
        .encode(y, state, &mut ChaCha8Rng::seed_from_u64(seed), &mut w)
        .unwrap();
    assert_eq!(stats.bits, w.len(), "reported bits");
    w.finish()
}

/// Encodes and decodes once; the decoder must read the whole message.
pub fn roundtrip(
    q: &dyn Quantizer,
    y: Input<'_>,
    state: &PublicState<'_>,
    seed: u64,
) -> (Vec<f64>, usize) {
    let msg = encode(q, y, state, seed);
    let mut out = vec![f64::NAN; q.dim()];
    let mut r = msg.reader();
    q.decode(&mut r, state, &mut out).unwrap();
    assert!(r.is_exhausted(), "decoder left bits unread");
    (out, msg.len())
}

/// The measured mse is within `z` standard errors of `expected`, on both sides.
pub fn assert_mse_near(m: &Measurement, expected: f64, z: f64) {
    // Float rounding in `expected` scales with ||y||^2, not with the (possibly zero) mse.
    let tol = z * m.mse_std_error + 1e-12 * (expected.abs() + norm2(&m.input));
    assert!(
        (m.mse - expected).abs() <= tol,
        "measured mse {:.6e} vs expected {expected:.6e} (se {:.3e})",
        m.mse,
        m.mse_std_error
    );
}

/// A writer one bit short of the message refuses it and stays empty.
pub fn assert_budget_overflow_is_an_error(q: &dyn Quantizer, y: Input<'_>) {
    let state = PublicState::new(3);
    let needed = encode(q, y, &state, 1).len();
    let mut w = BitWriter::with_capacity(needed - 1);
    let err = q.encode(y, &state, &mut ChaCha8Rng::seed_from_u64(1), &mut w);
    assert!(
        matches!(
            err,
            Err(QuantError::Codec(CodecError::BudgetExceeded { .. }))
        ),
        "{}: {err:?}",
        q.name()
    );
    assert!(
        w.is_empty(),
        "{}: a refused message leaves the writer as it was",
        q.name()
    );
}

/// Every strict prefix of a message is rejected.
pub fn assert_truncations_are_errors(q: &dyn Quantizer, y: Input<'_>) {
    let state = PublicState::new(4).with_round(1);
    let msg = encode(q, y, &state, 2);
    let mut out = vec![0.0; q.dim()];
    let step = (msg.len() / 97).max(1);
    for len in (0..msg.len()).step_by(step).chain([msg.len() - 1]) {
        let cut = BitString::from_words(msg.as_words().to_vec(), len).unwrap();
        assert!(
            q.decode(&mut cut.reader(), &state, &mut out).is_err(),
            "{}: a {len}-bit prefix of {} bits decoded",
            q.name(),
            msg.len()
        );
    }
}

/// NaN, infinities and wrong dimensions are typed errors, on both sides.
pub fn assert_bad_input_is_rejected(q: &dyn Quantizer) {
    let d = q.dim();
    let state = PublicState::new(0);
    let mut w = BitWriter::new();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut y = vec![1.0; d];
        y[d - 1] = bad;
        assert!(
            matches!(
                q.encode((&y).into(), &state, &mut rng, &mut w),
                Err(QuantError::NonFinite { index }) if index == d - 1
            ),
            "{}: {bad}",
            q.name()
        );
    }
    let nan32 = vec![f32::NAN; d];
    assert!(matches!(
        q.encode((&nan32).into(), &state, &mut rng, &mut w),
        Err(QuantError::NonFinite { index: 0 })
    ));
    let short = vec![1.0f64; d - 1];
    assert!(matches!(
        q.encode((&short).into(), &state, &mut rng, &mut w),
        Err(QuantError::DimensionMismatch { .. })
    ));
    assert!(w.is_empty());
    let msg = encode(q, (&vec![1.0f64; d]).into(), &state, 0);
    let mut long = vec![0.0; d + 1];
    assert!(matches!(
        q.decode(&mut msg.reader(), &state, &mut long),
        Err(QuantError::DimensionMismatch { .. })
    ));
}

/// Decodes arbitrary bytes: an error or finite values, never a panic.
pub fn decode_arbitrary(
    q: &dyn Quantizer,
    bytes: &[u8],
    len: usize,
    round: u64,
) -> Result<Vec<f64>, QuantError> {
    let len = len.min(bytes.len() * 8);
    let msg = BitString::from_bytes(bytes, len).unwrap();
    let mut out = vec![0.0; q.dim()];
    q.decode(
        &mut msg.reader(),
        &PublicState::new(9).with_round(round),
        &mut out,
    )?;
    assert!(out.iter().all(|v| v.is_finite()), "{}: {out:?}", q.name());
    Ok(out)
}
