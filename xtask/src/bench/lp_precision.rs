//! `lp-precision`: the minimum precision `r*(T, p)` that keeps the unquantized rate in `l_p`
//! geometry, and what the paper's quantizers achieve (Mayekar & Tyagi, paper 001).
//!
//! Convex `f` on a domain of `l_p` diameter `D`, unbiased subgradients with `||Y||_q <= B` almost
//! surely (`q = p/(p-1)`), each sent in `r` bits. Unquantized, the minimax rate is (Theorem 2.2)
//!
//! ```text
//! E f(x_T) - f*  ~  d^{1/2 - 1/p} D B/sqrt(T)   (p >= 2),       between D B/sqrt(T) and D B sqrt(log d)/sqrt(T)   (p < 2),
//! ```
//!
//! and an unbiased quantizer keeps it up to the factor `alpha_0(Q; p)/B` (Theorem 2.3). Theorem 3.1
//! brackets the least precision that keeps it, `r*(T, p)`, between `(c d^{1/p})^2 v 2 log(c sqrt d)`
//! and `d^{2/p} log(2e d^{1-2/p} + 2e)` for `p >= 2` (`Theta(log d)` at `p = inf`, `Theta(d)` at
//! `p = 2`), and between `c^2 d/log d` and `d(ceil(log(2 sqrt2 Delta_1^{1/q} + 2)) + 3) + Delta_2`
//! for `p < 2`; the upper bounds are the bit counts of SimQ (`p = inf`), SimQ+ with
//! `k = d^{2/p}` (`p >= 2`) and the split CUQ+RATQ quantizer (`p < 2`).
//!
//! The experiment has two parts:
//! 1. **precision** (every `d`): the bits each scheme writes, measured from its messages on the
//!    outputs of the paper's lower-bound oracles, against `bounds::rstar_upper_bits` and
//!    `bounds::rstar_lower_bits` (at `c = 1/4`, the largest constant the theorem allows), and the
//!    measured `alpha_0` against the stated one ([`precision`]);
//! 2. **rate** (one `d`): `E f(x_bar_T) - f*` on the §6 instances with the method Theorem 2.3
//!    uses (projected SGD for `p >= 2`, `p`-norm mirror descent for `p < 2`), its step tuned to each
//!    scheme's stated `alpha_0` and, for contrast, to `B`, for every scheme and for the unquantized
//!    pathway on the same draws, against the method's guarantee
//!    (`bounds::MirrorDescentSetting`) and against each other ([`rate`]).
//!
//! The schemes and their tuning are in [`schemes`]; tables, findings and the figure in [`report`].
//!
//! Modes: `--quick` measures bits at `d = 64` and runs `d = 32` to `T = 512` (6 trials); the
//! default measures `d = 64, 256, 1024` (500 messages per oracle) and runs `d = 64` to `T = 4096`
//! (32 trials); `--full` adds `d = 4096` (2000 messages) and runs `d = 256` to `T = 16384`
//! (64 trials).

mod precision;
mod rate;
mod report;
mod schemes;

use anyhow::Result;
use bounds::{MinimaxSetting, minimax_error_lower_bound, rstar_lower_bits, rstar_upper_bits};
use oracles::LpConstruction;
use rayon::prelude::*;

use super::{Context, Experiment, Mode, Outcome, Record};
use precision::Measured;
use rate::{DIAMETER, Method, Pathway, TrialResult, Tuning};
use schemes::{Geometry, Role, Scheme};

/// The experiment's ID.
const ID: &str = "lp-precision";

/// The exponents `p` of the study.
const P_VALUES: [f64; 5] = [1.0, 1.5, 2.0, 4.0, f64::INFINITY];

/// The oracle bound `B` (every result scales with it).
const NORM_BOUND: f64 = 1.0;

/// `c = c0/(4 c1)` at which Theorem 3.1's lower bound is evaluated: `1/4`, its largest admissible
/// value, so the reported lower bound is the most generous one the theorem allows.
const LOWER_BOUND_CONSTANT: f64 = 0.25;

/// The `lp-precision` experiment.
pub struct LpPrecision;

/// Work sizes of one mode.
#[derive(Debug, Clone, PartialEq)]
struct Sizes {
    /// Dimensions of the precision part.
    dims: Vec<usize>,
    /// Messages per scheme, construction and dimension.
    messages: usize,
    /// Dimension of the rate part.
    rate_dim: usize,
    /// Horizons of the rate part, as multiples of `rate_dim`.
    multipliers: Vec<u64>,
    /// Paired trials (one run per pathway each, read at every horizon).
    trials: u64,
}

impl Sizes {
    fn for_mode(mode: Mode) -> Self {
        Self {
            dims: mode.pick(vec![64], vec![64, 256, 1024], vec![64, 256, 1024, 4096]),
            messages: mode.pick(200, 500, 2000),
            rate_dim: mode.pick(32, 64, 256),
            multipliers: mode.pick(vec![4, 16], vec![4, 8, 16, 32, 64], vec![4, 8, 16, 32, 64]),
            trials: mode.pick(6, 32, 64),
        }
    }

    fn horizons(&self) -> Vec<u64> {
        self.multipliers
            .iter()
            .map(|m| m * self.rate_dim as u64)
            .collect()
    }
}

/// One scheme at one geometry in the precision part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PrecisionRow {
    geometry: Geometry,
    scheme: &'static str,
    role: Role,
    quantizer: String,
    levels: Option<u64>,
    alpha0_stated: f64,
    alpha0_target: f64,
    paper_bits: Option<f64>,
    rstar_upper: f64,
    rstar_lower: f64,
    onehot: Measured,
    product: Measured,
}

impl PrecisionRow {
    /// Mean bits over both constructions' messages.
    fn bits(&self) -> f64 {
        let n = (self.onehot.messages + self.product.messages).max(1) as f64;
        (self.onehot.mean_bits * self.onehot.messages as f64
            + self.product.mean_bits * self.product.messages as f64)
            / n
    }

    fn max_bits(&self) -> usize {
        self.onehot.max_bits.max(self.product.max_bits)
    }

    /// The larger measured `alpha_0` of the two constructions, with its standard error.
    fn alpha0(&self) -> (f64, f64) {
        if self.onehot.alpha0 >= self.product.alpha0 {
            (self.onehot.alpha0, self.onehot.alpha0_se)
        } else {
            (self.product.alpha0, self.product.alpha0_se)
        }
    }

    fn record(&self) -> Record {
        let (a0, a0_se) = self.alpha0();
        let mut r = Record::new(ID)
            .param("part", "precision")
            .param("p", self.geometry.p_label())
            .param("d", self.geometry.d as u64)
            .param("scheme", self.scheme)
            .param("role", self.role.label())
            .param("quantizer", self.quantizer.as_str())
            .metric("bits", self.bits())
            .metric(
                "bits_min",
                self.onehot.min_bits.min(self.product.min_bits) as f64,
            )
            .metric("bits_max", self.max_bits() as f64)
            .metric("rstar_upper", self.rstar_upper)
            .metric("rstar_lower", self.rstar_lower)
            .metric("alpha0", a0)
            .metric("alpha0_se", a0_se)
            .metric("alpha0_onehot", self.onehot.alpha0)
            .metric("alpha0_product", self.product.alpha0)
            .metric("alpha0_stated", self.alpha0_stated)
            .metric("alpha0_target", self.alpha0_target);
        if let Some(b) = self.paper_bits {
            r = r.metric("paper_bits", b);
        }
        if let Some(k) = self.levels {
            r = r.metric("levels", k as f64);
        }
        r
    }
}

/// One scheme at one horizon and construction in the rate part.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RateRow {
    geometry: Geometry,
    construction: LpConstruction,
    method: Method,
    horizon: u64,
    scheme: &'static str,
    role: Role,
    tuning: Tuning,
    alpha0_stated: f64,
    gap: (f64, f64),
    gap_unquantized: (f64, f64),
    ratio: (f64, f64),
    /// The method's guarantee on the gap (`bounds::MirrorDescentSetting`).
    guarantee: f64,
    /// The same for the unquantized run.
    guarantee_unquantized: f64,
    bits: f64,
    rstar_upper: f64,
    /// `D B d^{max(0, 1/2 - 1/p)}/sqrt(T)`: Theorems 2.2/6.1's unquantized scale with `c0 = 1`.
    rate_scale: f64,
    /// The gap of the starting point `x_0 = 0`.
    start_gap: f64,
}

impl RateRow {
    fn record(&self) -> Record {
        Record::new(ID)
            .param("part", "rate")
            .param("p", self.geometry.p_label())
            .param("d", self.geometry.d as u64)
            .param("scheme", self.scheme)
            .param("role", self.role.label())
            .param("construction", rate::construction_label(self.construction))
            .param("method", self.method.label())
            .param("step_tuned_to", self.tuning.label())
            .param("T", self.horizon)
            .metric("gap", self.gap.0)
            .metric("gap_se", self.gap.1)
            .metric("gap_unquantized", self.gap_unquantized.0)
            .metric("gap_unquantized_se", self.gap_unquantized.1)
            .metric("gap_ratio", self.ratio.0)
            .metric("gap_ratio_se", self.ratio.1)
            .metric(
                "guarantee_ratio",
                self.guarantee / self.guarantee_unquantized,
            )
            .metric("gap_guarantee", self.guarantee)
            .metric("gap_rate_units", self.gap.0 / self.rate_scale)
            .metric("bits", self.bits)
            .metric("rstar_upper", self.rstar_upper)
            .metric("delta", rate::DELTA)
    }
}

impl Experiment for LpPrecision {
    fn id(&self) -> &'static str {
        ID
    }

    fn required_metrics(&self) -> &'static [&'static str] {
        &["bits", "rstar_upper"]
    }

    fn run(&self, cx: &Context) -> Result<Outcome> {
        let sizes = Sizes::for_mode(cx.mode);
        let horizons = sizes.horizons();
        let precision_geometries: Vec<Geometry> = P_VALUES
            .iter()
            .flat_map(|&p| {
                sizes.dims.iter().map(move |&d| Geometry {
                    p,
                    d,
                    bound: NORM_BOUND,
                })
            })
            .collect();
        let rate_groups = P_VALUES.len() * 2;
        let bar = cx.bar(ID, (precision_geometries.len() + rate_groups) as u64);

        bar.set_message("bits and alpha_0");
        let precision: Vec<Vec<PrecisionRow>> = precision_geometries
            .par_iter()
            .map(|g| {
                let rows = precision_rows(cx, g, sizes.messages);
                bar.inc(1);
                rows
            })
            .collect::<Result<_>>()?;
        let precision: Vec<PrecisionRow> = precision.into_iter().flatten().collect();

        let mut rates = Vec::new();
        for &p in &P_VALUES {
            let g = Geometry {
                p,
                d: sizes.rate_dim,
                bound: NORM_BOUND,
            };
            bar.set_message(format!("rate, p = {}", g.p_label()));
            let setting = rate::rate_setting(&g);
            let other = match setting {
                LpConstruction::OneHot => LpConstruction::Product,
                LpConstruction::Product => LpConstruction::OneHot,
            };
            for construction in [setting, other] {
                rates.extend(rate_rows(cx, &g, construction, &horizons, sizes.trials)?);
                bar.inc(1);
            }
        }
        bar.finish_and_clear();

        let records: Vec<Record> = precision
            .iter()
            .map(PrecisionRow::record)
            .chain(rates.iter().map(RateRow::record))
            .collect();
        let (section, figure, summary) = report::build(
            &report::Inputs {
                precision: &precision,
                rates: &rates,
                dims: &sizes.dims,
                horizons: &horizons,
                rate_dim: sizes.rate_dim,
                trials: sizes.trials,
                messages: sizes.messages,
            },
            ID,
        );
        Ok(Outcome {
            records,
            section,
            figure: Some(figure),
            summary,
        })
    }
}

/// Bits and `alpha_0` of every scheme at one geometry, on both constructions.
fn precision_rows(cx: &Context, g: &Geometry, messages: usize) -> Result<Vec<PrecisionRow>> {
    let target = schemes::target_alpha0(g)?;
    let rstar_upper = rstar_upper_bits(g.d, g.p)?;
    let rstar_lower = rstar_lower_bits(g.d, g.p, LOWER_BOUND_CONSTANT)?;
    schemes::schemes(g)?
        .into_iter()
        .map(|s| {
            let seed = |c: &str| {
                cx.seed_for(&format!(
                    "{ID}/precision/p={}/d={}/{}/{c}",
                    g.p_label(),
                    g.d,
                    s.name
                ))
            };
            let q = s.quantizer.as_ref();
            Ok(PrecisionRow {
                geometry: *g,
                scheme: s.name,
                role: s.role,
                quantizer: q.name(),
                levels: s.levels,
                alpha0_stated: s.alpha0,
                alpha0_target: target,
                paper_bits: q.paper_bits(),
                rstar_upper,
                rstar_lower,
                onehot: precision::measure(
                    g,
                    q,
                    LpConstruction::OneHot,
                    messages,
                    seed("one-hot"),
                )?,
                product: precision::measure(
                    g,
                    q,
                    LpConstruction::Product,
                    messages,
                    seed("product"),
                )?,
            })
        })
        .collect()
}

/// Paired Monte Carlo of every scheme (with both step tunings) and the unquantized pathway, on
/// one construction, sampled at every horizon.
fn rate_rows(
    cx: &Context,
    g: &Geometry,
    construction: LpConstruction,
    horizons: &[u64],
    trials: u64,
) -> Result<Vec<RateRow>> {
    let list = schemes::schemes(g)?;
    let reference = schemes::unquantized(g)?;
    let mut entries: Vec<(&Scheme, Tuning)> = Vec::new();
    for tuning in [Tuning::Stated, Tuning::Common] {
        entries.extend(list.iter().map(|s| (s, tuning)));
    }
    entries.push((&reference, Tuning::Common));
    let pathways: Vec<Pathway<'_>> = entries
        .iter()
        .map(|(s, tuning)| Pathway {
            quantizer: s.quantizer.as_ref(),
            step_alpha0: tuning.step_alpha0(s.alpha0, g.bound),
        })
        .collect();
    let seed = cx.seed_for(&format!(
        "{ID}/rate/p={}/d={}/{}",
        g.p_label(),
        g.d,
        rate::construction_label(construction)
    ));
    let results: Vec<Vec<TrialResult>> = optimizers::monte_carlo(trials, seed, |_, s| {
        rate::run_trial(g, construction, horizons, &pathways, s)
    })?;
    // Per-trial values of pathway j: the gap at horizon h, or the mean bits.
    let gaps = |j: usize, h: usize| -> Vec<f64> {
        results
            .iter()
            .filter_map(|r| r.get(j).and_then(|x| x.gaps.get(h)).copied())
            .collect()
    };
    let bits = |j: usize| -> f64 {
        let v: Vec<f64> = results
            .iter()
            .filter_map(|r| r.get(j).map(|x| x.bits))
            .collect();
        rate::mean_se(&v).0
    };
    let reference_index = entries.len() - 1;
    let rstar_upper = rstar_upper_bits(g.d, g.p)?;
    let method = Method::for_geometry(g);
    let start_gap = rate::start_gap(g, construction)?;
    let mut rows = Vec::new();
    for (h, &horizon) in horizons.iter().enumerate() {
        let unq = gaps(reference_index, h);
        let setting = MinimaxSetting::new(1.0, DIAMETER, g.bound, horizon)?;
        let rate_scale = minimax_error_lower_bound(&setting, g.d, g.p, u32::MAX)?;
        let guarantee_unquantized = rate::guarantee(g, construction, g.bound, g.bound, horizon)?;
        for (j, (s, tuning)) in entries.iter().enumerate() {
            // The unquantized pathway is listed once, as it is the same under both tunings.
            let g_j = gaps(j, h);
            rows.push(RateRow {
                geometry: *g,
                construction,
                method,
                horizon,
                scheme: s.name,
                role: s.role,
                tuning: *tuning,
                alpha0_stated: s.alpha0,
                gap: rate::mean_se(&g_j),
                gap_unquantized: rate::mean_se(&unq),
                ratio: rate::paired_ratio(&g_j, &unq),
                guarantee: rate::guarantee(
                    g,
                    construction,
                    s.alpha0,
                    tuning.step_alpha0(s.alpha0, g.bound),
                    horizon,
                )?,
                guarantee_unquantized,
                bits: bits(j),
                rstar_upper,
                rate_scale,
                start_gap,
            });
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_mode_is_one_small_dimension_and_two_horizons() {
        let s = Sizes::for_mode(Mode::Quick);
        assert_eq!(s.dims, vec![64]);
        assert_eq!(s.horizons(), vec![128, 512]);
    }

    #[test]
    fn horizons_grow_geometrically_from_four_rounds_per_coordinate() {
        for mode in [Mode::Quick, Mode::Default, Mode::Full] {
            let s = Sizes::for_mode(mode);
            let h = s.horizons();
            assert_eq!(h[0], 4 * s.rate_dim as u64, "{mode:?}");
            assert!(h.windows(2).all(|w| w[1] % w[0] == 0 && w[1] > w[0]));
        }
    }

    #[test]
    fn precision_rows_combine_both_constructions() {
        let m = |bits: f64, n: usize, a: f64| Measured {
            messages: n,
            mean_bits: bits,
            min_bits: bits as usize,
            max_bits: bits as usize,
            alpha0: a,
            alpha0_se: 0.01,
        };
        let row = PrecisionRow {
            geometry: Geometry {
                p: 2.0,
                d: 8,
                bound: 1.0,
            },
            scheme: "SimQ+",
            role: Role::Paper,
            quantizer: "simq+".into(),
            levels: None,
            alpha0_stated: 1.5,
            alpha0_target: 1.5,
            paper_bits: Some(30.0),
            rstar_upper: 30.0,
            rstar_lower: 1.0,
            onehot: m(10.0, 100, 1.2),
            product: m(20.0, 300, 1.4),
        };
        assert_eq!(row.bits(), 17.5);
        assert_eq!(row.max_bits(), 20);
        assert_eq!(row.alpha0(), (1.4, 0.01));
        let r = row.record();
        assert_eq!(r.get("bits"), Some(17.5));
        assert_eq!(r.get("paper_bits"), Some(30.0));
        assert_eq!(r.param_str("p").as_deref(), Some("2"));
        assert!(r.get("levels").is_none());
    }
}
