//! Every format decoder on random bytes of random length: a typed error or finite output,
//! never a panic; and every finite input in saturating mode round-trips to finite output.

// Helpers outside `#[test]` functions fail loudly too.
#![allow(clippy::unwrap_used, clippy::panic)]

use bitcodec::{BitString, BitWriter};
use proptest::prelude::*;
use quantizers::formats::{FloatCast, MxScaleRule, Mxfp4, NvScaleRule, Nvfp4, Overflow, Rounding};
use quantizers::{PublicState, Quantizer};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn schemes(d: usize) -> Vec<Box<dyn Quantizer>> {
    let sr = Rounding::Stochastic;
    let rne = Rounding::NearestEven;
    let mut v: Vec<Box<dyn Quantizer>> = Vec::new();
    for (r, o) in [(rne, Overflow::Saturate), (sr, Overflow::NonSaturating)] {
        for q in [
            FloatCast::fp16(d, r, o),
            FloatCast::bf16(d, r, o),
            FloatCast::e4m3(d, r, o),
            FloatCast::e5m2(d, r, o),
        ]
        .into_iter()
        .flatten()
        {
            v.push(Box::new(q));
        }
    }
    for rule in [MxScaleRule::Floor, MxScaleRule::FloorHeadroom] {
        v.extend(Mxfp4::new(d, sr, rule).map(|q| Box::new(q) as Box<dyn Quantizer>));
    }
    for rule in [NvScaleRule::Nearest, NvScaleRule::RoundUp] {
        v.extend(Nvfp4::new(d, rne, rule).map(|q| Box::new(q) as Box<dyn Quantizer>));
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_decode_to_a_typed_error_or_finite_values(
        bytes in proptest::collection::vec(any::<u8>(), 0..80),
        cut in 0usize..=640,
        d in 1usize..40,
    ) {
        let len = cut.min(8 * bytes.len());
        let msg = BitString::from_bytes(&bytes, len).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let state = PublicState::new(0);
        let mut out = vec![0.0; d];
        for q in schemes(d) {
            if q.decode(&mut msg.reader(), &state, &mut out).is_ok() {
                prop_assert!(out.iter().all(|v| v.is_finite()), "{} gave {:?}", q.name(), out);
            }
        }
    }

    #[test]
    fn finite_inputs_round_trip_to_finite_values_in_saturating_schemes(
        y in proptest::collection::vec(-1e30f64..1e30, 1..40),
        seed in any::<u64>(),
    ) {
        let d = y.len();
        let state = PublicState::new(seed);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut out = vec![0.0; d];
        let sat: Vec<Box<dyn Quantizer>> = vec![
            Box::new(FloatCast::e4m3(d, Rounding::Stochastic, Overflow::Saturate).map_err(|e| TestCaseError::fail(e.to_string()))?),
            Box::new(FloatCast::fp16(d, Rounding::NearestEven, Overflow::Saturate).map_err(|e| TestCaseError::fail(e.to_string()))?),
            Box::new(Mxfp4::new(d, Rounding::Stochastic, MxScaleRule::Floor).map_err(|e| TestCaseError::fail(e.to_string()))?),
            Box::new(Nvfp4::new(d, Rounding::Stochastic, NvScaleRule::RoundUp).map_err(|e| TestCaseError::fail(e.to_string()))?),
        ];
        for q in sat {
            let mut w = BitWriter::new();
            q.encode((&y).into(), &state, &mut rng, &mut w).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let msg = w.finish();
            prop_assert_eq!(Some(msg.len()), q.bit_cost().exact());
            let mut r = msg.reader();
            q.decode(&mut r, &state, &mut out).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(r.is_exhausted());
            prop_assert!(out.iter().all(|v| v.is_finite()), "{}", q.name());
        }
    }
}
