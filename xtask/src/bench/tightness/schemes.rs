//! The pathways the `tightness` experiment runs, and the budgets each one can use.
//!
//! A scheme appears at a budget `B` only if its messages fit in `B` bits and use most of them:
//! - budget-matched schemes take each `B` of the grid `d/16, d/8, ..., 16 d` they can use and
//!   choose their parameter to fill it: [`RoundRobinRange`] (`k = floor(B/q)` coordinates),
//!   the best adaptive scheme ([`AdaptiveScheme::for_gaussian`]: sign bits while `B <= d`, the
//!   Fisher-optimal `q`-bit cells above), SimQ+ (the most repetitions `k` that fit) and RATQ (the
//!   most levels that fit);
//! - schemes with a natural message length run at that length: the exact `f64` reference
//!   (`64 d`), QSGD with `s = 1, 2, 4, 8` levels, FP8 E4M3 (`8 d`), MXFP4 (`4 d + 8 ceil(d/32)`),
//!   NVFP4 (`4 d + 8 ceil(d/16) + 32`).
//!
//! The ranged and norm-bounded schemes need a declared range that Gaussian gradients do not
//! have; they clip, and count every clip ([`Overload::Clip`], [`NormClip`]). The constants that
//! size the range and the norm ball are in [`super::setting`].

use anyhow::{Context as _, Result};
use quantizers::adaptive::AdaptiveScheme;
use quantizers::formats::{MxScaleRule, NvScaleRule, Overflow, Rounding};
use quantizers::{
    FloatCast, Mxfp4, NormClip, Nvfp4, Overload, Qsgd, Quantizer, Ratq, RoundRobinRange, SimQPlus,
    Unquantized,
};

use super::setting::Setting;

/// The families the report groups schemes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// The exact `f64` pathway: the statistical reference.
    Reference,
    /// The adaptive schemes for Gaussian mean estimation.
    Adaptive,
    /// The bounded-range scheme of Theorem 4.
    BoundedRange,
    /// The norm-bounded schemes of Mayekar & Tyagi.
    Paper,
    /// QSGD.
    Baseline,
    /// Low-precision floating-point formats.
    Format,
}

/// One pathway at one budget.
#[derive(Debug)]
pub struct Scheme {
    /// Stable identifier in `results.json` (`adaptive-sign`, `qsgd`, `mxfp4-sr`, ...).
    pub id: &'static str,
    /// The series the figure draws it in.
    pub series: &'static str,
    /// Its family.
    pub family: Family,
    /// The budget `B` of the run: the channel capacity the round loop enforces, and the `B` the
    /// lower bounds are evaluated at.
    pub budget: usize,
    /// The quantizer.
    pub quantizer: Box<dyn Quantizer>,
}

impl Scheme {
    fn new(
        id: &'static str,
        series: &'static str,
        family: Family,
        budget: usize,
        quantizer: Box<dyn Quantizer>,
    ) -> Self {
        Self {
            id,
            series,
            family,
            budget,
            quantizer,
        }
    }

    /// A scheme whose budget is its own longest message.
    fn natural(
        id: &'static str,
        series: &'static str,
        family: Family,
        quantizer: Box<dyn Quantizer>,
    ) -> Result<Self> {
        let budget = quantizer
            .bit_cost()
            .max_bits()
            .with_context(|| format!("{} declares no maximum length", quantizer.name()))?;
        Ok(Self::new(id, series, family, budget, quantizer))
    }
}

/// The budget grid `d/16, d/8, ..., 16 d` (powers of two times `d`, at least one bit), or the
/// given subset of its exponents.
pub fn budget_grid(d: usize, exponents: &[i32]) -> Vec<usize> {
    let mut grid: Vec<usize> = exponents
        .iter()
        .filter_map(|&e| {
            let b = if e >= 0 {
                d.checked_mul(1 << e)
            } else {
                Some(d >> (-e))
            }?;
            (b >= 1).then_some(b)
        })
        .collect();
    grid.sort_unstable();
    grid.dedup();
    grid
}

/// Every scheme of the experiment in dimension `d` over the budget grid `budgets`.
pub fn schemes(setting: &Setting, d: usize, budgets: &[usize]) -> Result<Vec<Scheme>> {
    let sigma = setting.sigma;
    let mut out = vec![Scheme::natural(
        "unquantized",
        "unquantized (f64)",
        Family::Reference,
        Box::new(Unquantized::new(d)?),
    )?];
    for &b in budgets {
        let q = AdaptiveScheme::for_gaussian(d, b, sigma)?;
        let id = match q {
            AdaptiveScheme::Sign(_) => "adaptive-sign",
            AdaptiveScheme::MultiBit(_) => "adaptive-multibit",
        };
        out.push(Scheme::new(
            id,
            "adaptive",
            Family::Adaptive,
            b,
            Box::new(q),
        ));
    }
    for &b in budgets {
        let q = RoundRobinRange::new(d, b, setting.range(), sigma)?.with_overload(Overload::Clip);
        out.push(Scheme::new(
            "round-robin-range",
            "round-robin range (Thm 4)",
            Family::BoundedRange,
            b,
            Box::new(q),
        ));
    }
    let norm = setting.norm_bound(d);
    for &b in budgets.iter().filter(|&&b| b <= setting.simq_max_budget(d)) {
        if let Some(reps) = simq_plus_reps(d, b, norm)? {
            let q = NormClip::new(SimQPlus::new(d, norm, 2.0, reps)?, 2.0, norm)?;
            out.push(Scheme::new("simq+", "SimQ+", Family::Paper, b, Box::new(q)));
        }
    }
    for &b in budgets {
        if let Some(levels) = ratq_levels(d, b, norm)? {
            let q = NormClip::new(Ratq::new(d, norm, levels)?, 2.0, norm)?;
            out.push(Scheme::new("ratq", "RATQ", Family::Paper, b, Box::new(q)));
        }
    }
    for s in setting.qsgd_levels {
        out.push(Scheme::natural(
            "qsgd",
            "QSGD",
            Family::Baseline,
            Box::new(Qsgd::new(d, s)?),
        )?);
    }
    let (sr, rne) = (Rounding::Stochastic, Rounding::NearestEven);
    let formats: [(&'static str, &'static str, Box<dyn Quantizer>); 6] = [
        (
            "fp8-e4m3-sr",
            "FP formats, SR",
            Box::new(FloatCast::e4m3(d, sr, Overflow::Saturate)?),
        ),
        (
            "mxfp4-sr",
            "FP formats, SR",
            Box::new(Mxfp4::new(d, sr, MxScaleRule::FloorHeadroom)?),
        ),
        (
            "nvfp4-sr",
            "FP formats, SR",
            Box::new(Nvfp4::new(d, sr, NvScaleRule::RoundUp)?),
        ),
        (
            "fp8-e4m3-rne",
            "FP formats, RNE",
            Box::new(FloatCast::e4m3(d, rne, Overflow::Saturate)?),
        ),
        (
            "mxfp4-rne",
            "FP formats, RNE",
            Box::new(Mxfp4::new(d, rne, MxScaleRule::Floor)?),
        ),
        (
            "nvfp4-rne",
            "FP formats, RNE",
            Box::new(Nvfp4::new(d, rne, NvScaleRule::Nearest)?),
        ),
    ];
    for (id, series, q) in formats {
        out.push(Scheme::natural(id, series, Family::Format, q)?);
    }
    Ok(out)
}

/// The largest `x` in `lo..=hi` with `fits(x)`, for a predicate that holds up to some point and
/// fails after it; `None` if it fails at `lo`.
fn largest_fitting(
    lo: u64,
    hi: u64,
    mut fits: impl FnMut(u64) -> Result<bool>,
) -> Result<Option<u64>> {
    if lo > hi || !fits(lo)? {
        return Ok(None);
    }
    // Invariant: fits(good); !fits(bad) or bad is past hi.
    let (mut good, mut bad) = (lo, hi.saturating_add(1));
    while bad - good > 1 {
        let mid = good + (bad - good) / 2;
        if fits(mid)? {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Ok(Some(good))
}

/// The most SimQ+ repetitions whose longest message (type + signs) fits in `budget` bits.
pub fn simq_plus_reps(d: usize, budget: usize, norm: f64) -> Result<Option<usize>> {
    // Each repetition costs at least one bit of type, so k < budget.
    let reps = largest_fitting(1, budget as u64, |k| {
        let q = SimQPlus::new(d, norm, 2.0, k as usize)?;
        Ok(q.bit_cost().max_bits().is_some_and(|m| m <= budget))
    })?;
    Ok(reps.map(|k| k as usize))
}

/// The most RATQ levels (at least 2) whose message fits in `budget` bits.
pub fn ratq_levels(d: usize, budget: usize, norm: f64) -> Result<Option<u64>> {
    // A level symbol per padded coordinate: never more than 2^(budget/d + 1) levels.
    let hi = 1u64 << (budget / d + 1).min(40);
    largest_fitting(2, hi, |k| {
        let q = Ratq::new(d, norm, k)?;
        Ok(q.bit_cost().max_bits().is_some_and(|m| m <= budget))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_grid_runs_from_d_over_16_to_16_d_and_keeps_at_least_one_bit() {
        let all: Vec<i32> = (-4..=4).collect();
        assert_eq!(
            budget_grid(64, &all),
            vec![4, 8, 16, 32, 64, 128, 256, 512, 1024]
        );
        assert_eq!(
            budget_grid(16, &all),
            vec![1, 2, 4, 8, 16, 32, 64, 128, 256]
        );
        assert_eq!(budget_grid(8, &all), vec![1, 2, 4, 8, 16, 32, 64, 128]);
        assert_eq!(budget_grid(16, &[2, -2, 0]), vec![4, 16, 64]);
    }

    #[test]
    fn largest_fitting_finds_the_last_true_value() {
        let f = |lim: u64| move |x: u64| Ok(x <= lim);
        assert_eq!(largest_fitting(1, 100, f(37)).unwrap(), Some(37));
        assert_eq!(largest_fitting(1, 100, f(100)).unwrap(), Some(100));
        assert_eq!(largest_fitting(1, 100, f(500)).unwrap(), Some(100));
        assert_eq!(largest_fitting(5, 100, f(3)).unwrap(), None);
    }

    #[test]
    fn simq_plus_uses_the_most_repetitions_that_fit() {
        let (d, b) = (64, 64);
        let k = simq_plus_reps(d, b, 8.0).unwrap().unwrap();
        let fits = |k| {
            SimQPlus::new(d, 8.0, 2.0, k)
                .unwrap()
                .bit_cost()
                .max_bits()
                .unwrap()
        };
        assert!(fits(k) <= b);
        assert!(fits(k + 1) > b);
        // A single repetition needs ceil(log2 65) + 1 = 8 bits.
        assert_eq!(simq_plus_reps(d, 7, 8.0).unwrap(), None);
        assert_eq!(simq_plus_reps(d, 8, 8.0).unwrap(), Some(1));
    }

    #[test]
    fn ratq_uses_the_most_levels_that_fit() {
        let (d, b) = (16, 64);
        let k = ratq_levels(d, b, 4.0).unwrap().unwrap();
        let bits = |k| Ratq::new(d, 4.0, k).unwrap().bit_cost().max_bits().unwrap();
        assert!(bits(k) <= b);
        assert!(bits(k + 1) > b);
        // 8 range indices of 2 bits and 16 one-bit symbols: 32 bits at least.
        assert_eq!(ratq_levels(d, 31, 4.0).unwrap(), None);
        assert_eq!(ratq_levels(d, 32, 4.0).unwrap(), Some(2));
    }

    #[test]
    fn every_scheme_fits_its_budget_and_the_adaptive_choice_switches_at_b_equals_d() {
        let setting = Setting::default();
        let d = 16;
        let budgets = budget_grid(d, &[-4, -1, 0, 1, 4]);
        let all = schemes(&setting, d, &budgets).unwrap();
        for s in &all {
            let max = s.quantizer.bit_cost().max_bits().unwrap();
            assert!(max <= s.budget, "{} writes {max} > {}", s.id, s.budget);
            assert_eq!(s.quantizer.dim(), d);
        }
        let adaptive: Vec<(&str, usize)> = all
            .iter()
            .filter(|s| s.family == Family::Adaptive)
            .map(|s| (s.id, s.budget))
            .collect();
        assert_eq!(
            adaptive,
            vec![
                ("adaptive-sign", 1),
                ("adaptive-sign", 8),
                ("adaptive-sign", 16),
                ("adaptive-multibit", 32),
                ("adaptive-multibit", 256)
            ]
        );
        let natural: Vec<(&str, usize)> = all
            .iter()
            .filter(|s| matches!(s.family, Family::Format | Family::Reference))
            .map(|s| (s.id, s.budget))
            .collect();
        assert!(natural.contains(&("unquantized", 64 * 16)));
        assert!(natural.contains(&("fp8-e4m3-sr", 8 * 16)));
        assert!(natural.contains(&("mxfp4-sr", 4 * 16 + 8)));
        assert!(natural.contains(&("nvfp4-rne", 4 * 16 + 8 + 32)));
    }
}
