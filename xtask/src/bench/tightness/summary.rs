//! The `tightness` outcome: `results.json` records, the report section (tables, findings,
//! disagreements) and the terminal summary, computed from the measured [`Point`]s.

use std::collections::BTreeMap;

use anyhow::Result;

use super::schemes::{Family, budget_grid};
use super::setting::{Setting, Sizes};
use super::theory::{adaptive_asymptotic_ratio, bounded_range_guarantee};
use super::{ID, Point, figure};
use crate::bench::{Outcome, Record, Section, Table};

/// Standard errors a point must sit below the lower bound (or above the Theorem 4 guarantee) to
/// count as a disagreement: with about 2000 compared points, 4 keeps false alarms under one in
/// ten runs.
const DISAGREEMENT_Z: f64 = 4.0;

/// `B/d` as a short fraction (`1/16`, `1/2`, `1`, `4`) or a decimal.
pub fn ratio_label(bits: usize, d: usize) -> String {
    if bits >= d && bits.is_multiple_of(d) {
        format!("{}", bits / d)
    } else if bits > 0 && d.is_multiple_of(bits) {
        format!("1/{}", d / bits)
    } else {
        format!("{:.3}", bits as f64 / d as f64)
    }
}

fn fmt_ratio((r, se): (f64, f64)) -> String {
    if se.is_finite() {
        format!("{r:.2} ± {se:.2}")
    } else {
        format!("{r:.2}")
    }
}

/// A budget and the final ratio there, with its standard error.
type Budgeted = (usize, (f64, f64));

/// The best single scheme over every grid budget `B <= d` of one dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Headline {
    /// Dimension.
    pub d: usize,
    /// The series with the smallest worst final ratio among those present at every `B <= d`.
    pub series: &'static str,
    /// Its worst final ratio over `B <= d`, with the standard error.
    pub worst: (f64, f64),
    /// The budget where the worst ratio occurs.
    pub at_bits: usize,
    /// The worst over `B <= d` of the best ratio of any scheme at each budget.
    pub envelope: (f64, f64),
    /// Where the envelope's worst occurs.
    pub envelope_bits: usize,
}

/// The headline for dimension `d`: among series present at every budget of `small_budgets`,
/// the one whose worst final ratio is smallest.
pub fn headline(points: &[Point], d: usize, small_budgets: &[usize]) -> Option<Headline> {
    let mut by_series: BTreeMap<&'static str, Vec<Budgeted>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.d == d) {
        if small_budgets.contains(&p.bits)
            && let Some(r) = p.final_ratio()
        {
            by_series.entry(p.series).or_default().push((p.bits, r));
        }
    }
    let worst_of =
        |v: &[(usize, (f64, f64))]| v.iter().copied().max_by(|a, b| a.1.0.total_cmp(&b.1.0));
    let (series, (at_bits, worst)) = by_series
        .iter()
        .filter(|(_, v)| small_budgets.iter().all(|b| v.iter().any(|(x, _)| x == b)))
        .filter_map(|(s, v)| Some((*s, worst_of(v)?)))
        .min_by(|a, b| a.1.1.0.total_cmp(&b.1.1.0))?;
    let best_at = |b: usize| {
        by_series
            .values()
            .flatten()
            .filter(|(x, _)| *x == b)
            .map(|(_, r)| *r)
            .min_by(|a, b| a.0.total_cmp(&b.0))
    };
    let (envelope_bits, envelope) = small_budgets
        .iter()
        .filter_map(|&b| Some((b, best_at(b)?)))
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))?;
    Some(Headline {
        d,
        series,
        worst,
        at_bits,
        envelope,
        envelope_bits,
    })
}

/// Families whose quantizers can clip (and so carry the `clipped` metrics).
fn can_clip(family: Family) -> bool {
    matches!(
        family,
        Family::BoundedRange | Family::Paper | Family::Format
    )
}

/// One record per point and checkpoint.
pub fn records(setting: &Setting, points: &[Point]) -> Result<Vec<Record>> {
    let mut out = Vec::new();
    for p in points {
        let asymptotic = match p.family {
            Family::Adaptive => Some(adaptive_asymptotic_ratio(setting, p.d, p.bits)?),
            _ => None,
        };
        for (i, &t) in p.curve.rounds.iter().enumerate() {
            let (Some(&mse), Some(&se), Some(lb)) =
                (p.curve.mse.get(i), p.curve.stderr.get(i), p.bounds.get(i))
            else {
                continue;
            };
            let mut r = Record::new(ID)
                .param("scheme", p.scheme)
                .param("d", p.d as u64)
                .param("bits", p.bits as u64)
                .param("rounds", t)
                .param("quantizer", p.quantizer.as_str())
                .metric("mse", mse)
                .metric("mse_stderr", se)
                .metric("lower_bound_bo", lb.barnes_ozgur)
                .metric("lower_bound_rd", lb.rate_distortion)
                .metric("ratio_to_bound", mse / lb.max())
                .metric("ratio_stderr", se / lb.max())
                .metric("bits_per_round", p.curve.bits_per_round)
                .metric("trials", p.curve.trials as f64);
            if can_clip(p.family) {
                r = r
                    .metric(
                        "clipped",
                        p.curve.clipped.get(i).copied().unwrap_or(f64::NAN),
                    )
                    .metric(
                        "clipped_rounds",
                        p.curve.clipped_rounds.get(i).copied().unwrap_or(f64::NAN),
                    );
            }
            if let Some(a) = asymptotic {
                r = r.metric("asymptotic_ratio", a);
            }
            if p.family == Family::BoundedRange
                && let Some(g) = bounded_range_guarantee(setting, p.d, p.bits, t)?
            {
                r = r.metric("guarantee_mse", g);
            }
            out.push(r);
        }
    }
    Ok(out)
}

/// Everything the experiment returns.
pub fn outcome(setting: &Setting, sizes: &Sizes, points: &[Point]) -> Result<Outcome> {
    let small: Vec<i32> = sizes
        .exponents
        .iter()
        .copied()
        .filter(|&e| e <= 0)
        .collect();
    let headlines: Vec<Headline> = sizes
        .dims
        .iter()
        .filter_map(|&d| headline(points, d, &budget_grid(d, &small)))
        .collect();
    let mut summary = Table::new([
        "d",
        "best scheme at every B <= d",
        "worst ratio",
        "at B/d",
        "best of all, worst B",
        "within 2.5x",
    ]);
    for h in &headlines {
        summary.row([
            h.d.to_string(),
            h.series.to_string(),
            fmt_ratio(h.worst),
            ratio_label(h.at_bits, h.d),
            format!(
                "{} (B/d = {})",
                fmt_ratio(h.envelope),
                ratio_label(h.envelope_bits, h.d)
            ),
            if h.worst.0 <= setting.ambition {
                "yes".into()
            } else {
                "no".into()
            },
        ]);
    }
    let section = Section {
        id: ID.into(),
        title: "How close B-bit pathways come to the lower bound".into(),
        source: "paper 000 (Kim 2026): Lemma 1, Theorems 2–4, as reconstructed in notes-000; \
                 Kipnis–Duchi for the sign scheme"
            .into(),
        explanation: explanation(setting, sizes),
        tables: vec![
            summary.clone(),
            budget_table(setting, sizes, points)?,
            natural_table(points),
            transient_table(sizes, points),
        ],
        findings: findings(setting, sizes, points, &headlines)?,
        disagreements: disagreements(setting, sizes, points, &headlines)?,
        metrics: metric_docs(),
        ..Section::default()
    };
    Ok(Outcome {
        records: records(setting, points)?,
        section,
        figure: Some(figure::figure(setting, sizes, points)?),
        summary,
    })
}

fn explanation(setting: &Setting, sizes: &Sizes) -> String {
    format!(
        "The problem is the simplest one the lower bounds cover: minimise f(x) = ½‖x − θ‖² in d \
         dimensions when every gradient is the true one plus N(0, σ² I) noise (σ = {sigma}) and \
         reaches the optimizer only as a message of at most B bits. θ is drawn afresh in every \
         trial from a smooth bump on the box [−{b}, {b}]^d (the cos² prior), and no algorithm, \
         however clever, can then get E‖x_T − θ‖² below the van Trees bound d²/(T·cap + J), where \
         J = dπ²/b² is what the prior already tells and cap is the most Fisher information one \
         B-bit message can carry: min{{d, 2B ln 2}}/σ² (Barnes–Özgür) or the sharper \
         d(1 − 4^(−B/d))/σ² (rate–distortion). Each pathway below runs T = {t} rounds through the \
         bit-exact round loop (decoder sees only bits and public coins; per-coordinate running \
         mean as the estimator), over {n1}–{n2} trials per point, and `ratio_to_bound` is its \
         measured E‖x_T − θ‖² divided by the sharper bound: 1 is unbeatable. Ratios at small T \
         are dominated by the prior (the bound knows θ is in the box; the running mean does not) \
         and by start-up transients; the ratios at T = {t} are the ones to read.",
        sigma = setting.sigma,
        b = setting.half_width,
        t = sizes.rounds,
        n1 = sizes
            .dims
            .iter()
            .map(|&d| sizes.trials(d))
            .min()
            .unwrap_or(0),
        n2 = sizes
            .dims
            .iter()
            .map(|&d| sizes.trials(d))
            .max()
            .unwrap_or(0),
    )
}

/// Final ratio of every budget-matched scheme, by `B/d`.
fn budget_table(setting: &Setting, sizes: &Sizes, points: &[Point]) -> Result<Table> {
    let exps = &sizes.exponents;
    let mut headers = vec!["d".to_string(), "scheme".to_string()];
    headers.extend(exps.iter().map(|&e| {
        if e >= 0 {
            format!("B/d = {}", 1u64 << e)
        } else {
            format!("B/d = 1/{}", 1u64 << -e)
        }
    }));
    let mut table = Table::new(headers);
    for &d in &sizes.dims {
        let grid: Vec<Option<usize>> = exps
            .iter()
            .map(|&e| budget_grid(d, &[e]).first().copied())
            .collect();
        let mut predicted = vec![d.to_string(), "adaptive, predicted T → ∞".into()];
        for b in &grid {
            predicted.push(match b {
                Some(b) => format!("{:.2}", adaptive_asymptotic_ratio(setting, d, *b)?),
                None => "–".into(),
            });
        }
        let series = ["adaptive", "round-robin range (Thm 4)", "SimQ+", "RATQ"];
        for s in series {
            let mut row = vec![d.to_string(), s.to_string()];
            for b in &grid {
                let cell = b
                    .and_then(|b| {
                        points
                            .iter()
                            .find(|p| p.d == d && p.series == s && p.bits == b)
                    })
                    .and_then(Point::final_ratio)
                    .map_or("–".to_string(), fmt_ratio);
                row.push(cell);
            }
            table.row(row);
            if s == "adaptive" {
                table.row(predicted.clone());
            }
        }
    }
    Ok(table)
}

/// Schemes at their own message length.
fn natural_table(points: &[Point]) -> Table {
    let mut table = Table::new([
        "d",
        "scheme",
        "quantizer",
        "bits/coordinate",
        "final ratio",
        "clipped per trial",
    ]);
    for p in points.iter().filter(|p| {
        matches!(
            p.family,
            Family::Reference | Family::Baseline | Family::Format
        )
    }) {
        table.row([
            p.d.to_string(),
            p.scheme.to_string(),
            p.quantizer.clone(),
            format!("{:.3}", p.curve.bits_per_round / p.d as f64),
            p.final_ratio().map_or("–".into(), fmt_ratio),
            match p.family {
                Family::Format => format!("{:.1}", p.curve.clipped.last().unwrap_or(&f64::NAN)),
                _ => "–".into(),
            },
        ]);
    }
    table
}

/// The dimension the figure and the transient table show: 64 when it runs, else the first.
pub fn representative_d(sizes: &Sizes) -> usize {
    if sizes.dims.contains(&64) {
        64
    } else {
        sizes.dims.first().copied().unwrap_or(0)
    }
}

/// Ratio against rounds for a few pathways at the representative dimension.
fn transient_table(sizes: &Sizes, points: &[Point]) -> Table {
    let d = representative_d(sizes);
    let all_t: Vec<u64> = points
        .first()
        .map(|p| p.curve.rounds.clone())
        .unwrap_or_default();
    // Every other power of four, and the last round.
    let shown: Vec<u64> = all_t
        .iter()
        .copied()
        .filter(|&t| t.trailing_zeros() % 2 == 0 && t.is_power_of_two() || Some(&t) == all_t.last())
        .collect();
    let mut headers = vec!["d".to_string(), "pathway".to_string(), "B/d".to_string()];
    headers.extend(shown.iter().map(|t| format!("T = {t}")));
    let mut table = Table::new(headers);
    let picks: Vec<&Point> = points
        .iter()
        .filter(|p| p.d == d)
        .filter(|p| match p.family {
            Family::Reference => true,
            Family::Adaptive | Family::BoundedRange => {
                sizes
                    .exponents
                    .iter()
                    .any(|&e| budget_grid(d, &[e]) == [p.bits])
                    && (p.bits == d || p.bits * 16 == d || p.bits == 4 * d)
            }
            _ => false,
        })
        .collect();
    for p in picks {
        let mut row = vec![
            d.to_string(),
            p.series.to_string(),
            ratio_label(p.bits, p.d),
        ];
        row.extend(
            shown
                .iter()
                .map(|&t| p.ratio_at(t).map_or("–".into(), |(r, _)| format!("{r:.2}"))),
        );
        table.row(row);
    }
    table
}

fn final_of<'a>(
    points: &'a [Point],
    d: usize,
    scheme: &str,
    bits: usize,
) -> Option<(&'a Point, (f64, f64))> {
    let p = points
        .iter()
        .find(|p| p.d == d && p.scheme == scheme && p.bits == bits)?;
    Some((p, p.final_ratio()?))
}

fn findings(
    setting: &Setting,
    sizes: &Sizes,
    points: &[Point],
    headlines: &[Headline],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let t = sizes.rounds;
    // 1. The headline.
    for h in headlines {
        let verdict = if h.worst.0 <= setting.ambition {
            format!("the {}x ambition holds", setting.ambition)
        } else {
            format!("the {}x ambition does not hold", setting.ambition)
        };
        out.push(format!(
            "d = {}: over every B <= d the best single scheme is {} (sign bits centred on the \
             running estimate), whose worst ratio after T = {t} rounds is {} at B/d = {}; {verdict}. \
             Taking the best scheme at each budget separately, the worst is {} at B/d = {}.",
            h.d,
            h.series,
            fmt_ratio(h.worst),
            ratio_label(h.at_bits, h.d),
            fmt_ratio(h.envelope),
            ratio_label(h.envelope_bits, h.d),
        ));
    }
    // 2. Sign bits against their own T -> inf prediction.
    let d = representative_d(sizes);
    let mut pairs = Vec::new();
    for p in points
        .iter()
        .filter(|p| p.d == d && p.family == Family::Adaptive)
    {
        if let Some((r, _)) = p.final_ratio() {
            let a = adaptive_asymptotic_ratio(setting, d, p.bits)?;
            pairs.push(format!(
                "{} vs {a:.2} (B/d = {})",
                format_args!("{r:.2}"),
                ratio_label(p.bits, d)
            ));
        }
    }
    if !pairs.is_empty() {
        out.push(format!(
            "The adaptive schemes track their predicted limit cap/(k I(q)) (Kipnis–Duchi's 2/π per \
             sign bit below B = d, π/2 · (1 − 4^(−B/d)) · d/B; Fisher-optimal q-bit cells above): \
             at d = {d}, measured vs predicted T → ∞: {}. What remains above the prediction at \
             small B is finite T: with B/d = 1/16 each coordinate has had only T/16 sign bits, and \
             the recursion's start (x_0 = 0, steps of σ√(π/2)/n from far away) is still visible.",
            pairs.join("; ")
        ));
    }
    // 3. Formats.
    let mut fmts = Vec::new();
    for p in points
        .iter()
        .filter(|p| p.d == d && p.family == Family::Format)
    {
        if let Some((r, se)) = p.final_ratio() {
            fmts.push(format!(
                "{} {:.2} bits/coord: {}",
                p.scheme,
                p.curve.bits_per_round / d as f64,
                fmt_ratio((r, se))
            ));
        }
    }
    if !fmts.is_empty() {
        out.push(format!(
            "The low-precision formats sit in the statistical regime, as the bound predicts: 4–8 \
             bits per coordinate is far above the 0.72-bit crossover where the B-bit cap starts \
             to bind, so their bound is the unquantized d/T and their ratios are close to 1 \
             (d = {d}: {}). Stochastic rounding costs a few percent of variance; round-to-nearest \
             is biased per value, but the noise dithers it and the bias is odd, so the running \
             mean stays centred.",
            fmts.join("; ")
        ));
    }
    // 4. QSGD.
    let mut qs = Vec::new();
    for p in points
        .iter()
        .filter(|p| p.d == d && p.family == Family::Baseline)
    {
        if let Some(r) = p.final_ratio() {
            qs.push(format!(
                "{} at {:.2} bits/coord: {}",
                p.quantizer,
                p.curve.bits_per_round / d as f64,
                fmt_ratio(r)
            ));
        }
    }
    if !qs.is_empty() {
        out.push(format!(
            "QSGD pays its variance: normalising by ||g||_2 and rounding |g_i|/||g|| to s levels \
             adds about ||g||_1 ||g||_2 / s ≈ 0.8 d^1.5 σ²/s of noise per round, so at d = {d} \
             it stays far above a bound that already allows nearly unquantized accuracy at its \
             1.6–4 bits per coordinate: {}.",
            qs.join("; ")
        ));
    }
    // 5. The bounded-range scheme.
    let q_bits = quantizers::RoundRobinRange::bits_for(setting.range(), setting.sigma)?;
    let rr: Vec<String> = [d / 16, d, 4 * d]
        .iter()
        .filter_map(|&b| final_of(points, d, "round-robin-range", b))
        .map(|(p, r)| format!("{} at B/d = {}", fmt_ratio(r), ratio_label(p.bits, d)))
        .collect();
    let clips: f64 = points
        .iter()
        .filter(|p| p.family == Family::BoundedRange)
        .filter_map(|p| p.curve.clipped.last())
        .sum();
    if !rr.is_empty() {
        out.push(format!(
            "The bounded-range scheme of Theorem 4 pays its log factor: with R = 2b + {c}σ = {r} it \
             spends q = ⌈log2(1 + 2R/σ)⌉ = {q_bits} bits on every coordinate it sends, so below \
             B = {q_bits}d it describes {q_bits} times fewer coordinates per round than sign bits \
             would; its ratio is about q (1 + Δ²/6σ²) cap/B: {}. On Gaussian gradients it has to \
             clip (the oracle gap); with c = {c} that happened {clips:.1} times per trial summed \
             over all its runs, so its mse stays within the reconstructed Theorem 4 guarantee.",
            rr.join(", "),
            c = setting.range_margin,
            r = setting.range(),
        ));
    }
    // 6. SimQ+ and RATQ.
    let mut paper = Vec::new();
    for p in points
        .iter()
        .filter(|p| p.d == d && p.family == Family::Paper)
    {
        if let (Some(r), Some(c)) = (p.final_ratio(), p.curve.clipped_rounds.last()) {
            paper.push(format!(
                "{} at B/d = {}: {} ({:.2}% of rounds clipped)",
                p.series,
                ratio_label(p.bits, d),
                fmt_ratio(r),
                100.0 * c
            ));
        }
    }
    if !paper.is_empty() {
        out.push(format!(
            "SimQ+ and RATQ need ||g||_2 <= {:.0} (σ(√d + {})) and clip the rare gradient outside \
             that ball; built for worst-case norm-bounded gradients, they spend their bits on the \
             whole vector's norm and position and are well above the bound until B is several \
             bits per coordinate (d = {d}): {}.",
            setting.norm_bound(d),
            setting.norm_margin,
            paper.join("; ")
        ));
    }
    // 7. The prior and transients.
    if let Some(p) = points
        .iter()
        .find(|p| p.d == d && p.family == Family::Reference)
    {
        let first = p.ratio_at(1).map_or(f64::NAN, |r| r.0);
        let last = p.final_ratio().map_or(f64::NAN, |r| r.0);
        out.push(format!(
            "Small T is the prior's regime: the unquantized running mean has ratio {first:.1} \
             after one round (1 + π²/b² = {:.1} in expectation: the bound credits the prior's \
             information J = dπ²/b², which the running mean ignores) and {last:.3} after T = {t}, \
             the 1 + π²/(b²T) that remains. Every pathway shares this, plus its own start-up \
             transient; the figure's bottom panel shows the adaptive ratios settling onto their \
             predicted limits.",
            1.0 + (std::f64::consts::PI / setting.half_width).powi(2)
        ));
    }
    Ok(out)
}

fn disagreements(
    setting: &Setting,
    sizes: &Sizes,
    points: &[Point],
    headlines: &[Headline],
) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut below = Vec::new();
    let mut compared = 0usize;
    for p in points {
        for (i, &t) in p.curve.rounds.iter().enumerate() {
            let (Some(&mse), Some(&se), Some(lb)) =
                (p.curve.mse.get(i), p.curve.stderr.get(i), p.bounds.get(i))
            else {
                continue;
            };
            compared += 1;
            if mse + DISAGREEMENT_Z * se < lb.max() {
                below.push(format!(
                    "{} (d = {}, B = {}, T = {t}): mse {mse:.4e} ± {se:.1e} below the bound {:.4e}",
                    p.scheme,
                    p.d,
                    p.bits,
                    lb.max()
                ));
            }
        }
    }
    if !below.is_empty() {
        out.push(format!(
            "{} of {compared} measured points lie more than {DISAGREEMENT_Z} standard errors \
             below the lower bound, which no correct simulation can do (a bug, or the \
             reconstructed constants are wrong): {}.",
            below.len(),
            below.join("; ")
        ));
    }
    let mut over = Vec::new();
    for p in points.iter().filter(|p| p.family == Family::BoundedRange) {
        let Some((t, mse, se)) = p.curve.last() else {
            continue;
        };
        if let Some(g) = bounded_range_guarantee(setting, p.d, p.bits, t)?
            && mse - DISAGREEMENT_Z * se > g
        {
            over.push(format!(
                "d = {}, B = {}: mse {mse:.4e} ± {se:.1e} above the guarantee {g:.4e} \
                 ({:.2} clipped coordinates per trial)",
                p.d,
                p.bits,
                p.curve.clipped.last().unwrap_or(&f64::NAN)
            ));
        }
    }
    if !over.is_empty() {
        out.push(format!(
            "The bounded-range scheme exceeds the reconstructed Theorem 4 guarantee, which \
             assumes no gradient coordinate outside [−R, R]; Gaussian gradients break that \
             (the oracle gap): {}.",
            over.join("; ")
        ));
    }
    for h in headlines.iter().filter(|h| h.worst.0 > setting.ambition) {
        let asymptote = adaptive_asymptotic_ratio(setting, h.d, h.at_bits)?;
        out.push(format!(
            "The {}x ambition fails at d = {}: the best scheme over every B <= d ({}) reaches {} at \
             B/d = {} after T = {} rounds. Its T → ∞ limit there is {asymptote:.2}, so the excess is \
             finite T (the running estimate has not yet forgotten its start) and the prior \
             (credited by the bound, ignored by the estimator); a longer run (--full) closes it.",
            setting.ambition,
            h.d,
            h.series,
            fmt_ratio(h.worst),
            ratio_label(h.at_bits, h.d),
            sizes.rounds
        ));
    }
    Ok(out)
}

fn metric_docs() -> Vec<(String, String)> {
    [
        ("scheme, d, bits, rounds, quantizer", "params: the pathway's ID, the dimension, the budget B per round (the channel capacity the round loop enforces, and the B the bounds use), the checkpoint T, and the quantizer with its parameters"),
        ("mse", "E‖x_T − θ‖², mean over trials (θ from the cos² box prior each trial)"),
        ("mse_stderr", "standard error of mse"),
        ("lower_bound_bo", "van Trees bound d²/(T min{d, 2B ln 2}/σ² + dπ²/b²)"),
        ("lower_bound_rd", "van Trees bound d²/(T d(1 − 4^(−B/d))/σ² + dπ²/b²), the sharper one"),
        ("ratio_to_bound", "mse / max(lower_bound_bo, lower_bound_rd)"),
        ("ratio_stderr", "standard error of ratio_to_bound"),
        ("bits_per_round", "uplink bits per round measured from the transcripts (at most bits)"),
        ("trials", "Monte Carlo trials"),
        ("clipped", "coordinates the encoder clipped in rounds 1..T, per trial (ranged, norm-bounded and format schemes only; a norm clip counts every nonzero coordinate of the message)"),
        ("clipped_rounds", "fraction of rounds 1..T whose message clipped anything (same schemes)"),
        ("asymptotic_ratio", "adaptive schemes: the T → ∞ ratio cap_RD/(k I(q)/σ²)"),
        ("guarantee_mse", "bounded-range scheme: the reconstructed Theorem 4 upper bound d(σ² + Δ²/4)/⌊Tk/d⌋"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_string(), (*b).to_string()))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::tightness::simulate::Curve;
    use crate::bench::tightness::theory::LowerBounds;

    fn point(series: &'static str, bits: usize, ratio: f64) -> Point {
        Point {
            d: 16,
            scheme: series,
            series,
            family: Family::Adaptive,
            bits,
            quantizer: series.into(),
            curve: Curve {
                rounds: vec![1, 100],
                mse: vec![10.0, ratio],
                stderr: vec![1.0, 0.01],
                bits_per_round: bits as f64,
                clipped: vec![0.0, 0.0],
                clipped_rounds: vec![0.0, 0.0],
                trials: 10,
            },
            bounds: vec![
                LowerBounds {
                    barnes_ozgur: 1.0,
                    rate_distortion: 1.0,
                };
                2
            ],
        }
    }

    #[test]
    fn labels_are_fractions_of_d() {
        assert_eq!(ratio_label(1, 16), "1/16");
        assert_eq!(ratio_label(16, 16), "1");
        assert_eq!(ratio_label(64, 16), "4");
        assert_eq!(ratio_label(24, 16), "1.500");
    }

    #[test]
    fn the_headline_takes_the_scheme_covering_every_small_budget_with_the_best_worst_ratio() {
        let points = vec![
            point("a", 1, 2.0),
            point("a", 4, 1.5),
            point("b", 1, 1.8),
            point("b", 4, 1.9),
            point("c", 4, 1.0), // misses B = 1: not a candidate, but in the envelope
        ];
        let h = headline(&points, 16, &[1, 4]).unwrap();
        assert_eq!(h.series, "b");
        assert_eq!(h.worst.0, 1.9);
        assert_eq!(h.at_bits, 4);
        // Best at B = 1 is 1.8, at B = 4 is 1.0: the envelope's worst is 1.8 at B = 1.
        assert_eq!((h.envelope.0, h.envelope_bits), (1.8, 1));
        assert_eq!(headline(&points, 64, &[1, 4]), None);
    }

    #[test]
    fn records_carry_every_required_metric_and_clips_only_where_schemes_clip() {
        let setting = Setting::default();
        let mut rr = point("round-robin range (Thm 4)", 16, 3.0);
        rr.family = Family::BoundedRange;
        let recs = records(&setting, &[point("adaptive", 16, 1.2), rr]).unwrap();
        assert_eq!(recs.len(), 4);
        for r in &recs {
            for m in [
                "mse",
                "mse_stderr",
                "lower_bound_bo",
                "lower_bound_rd",
                "ratio_to_bound",
                "bits_per_round",
            ] {
                assert!(r.get(m).is_some(), "{m}");
            }
        }
        assert!(recs[0].get("clipped").is_none());
        assert!(recs[0].get("asymptotic_ratio").is_some());
        assert_eq!(recs[3].get("clipped"), Some(0.0));
        assert_eq!(recs[3].get("ratio_to_bound"), Some(3.0));
        assert!(recs[3].get("guarantee_mse").is_some());
    }
}
