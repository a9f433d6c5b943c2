//! The `tightness` figure: mse against rounds at two representative budgets, the final ratio to
//! the bound against `B/d` for each dimension, and the adaptive schemes' ratio settling onto its
//! predicted limit. Measurements are markers, theory dashed.

use anyhow::Result;

use super::Point;
use super::schemes::{Family, budget_grid};
use super::setting::{Setting, Sizes};
use super::summary::{ratio_label, representative_d};
use super::theory::{adaptive_asymptotic_ratio, bounded_range_guarantee};
use crate::bench::{Figure, Panel, Series, Style};

/// The measured series, in legend order, with their colours.
const SERIES: [(&str, usize); 8] = [
    ("unquantized (f64)", 0),
    ("adaptive", 1),
    ("round-robin range (Thm 4)", 2),
    ("SimQ+", 3),
    ("RATQ", 4),
    ("QSGD", 5),
    ("FP formats, SR", 6),
    ("FP formats, RNE", 9),
];

/// Ratios above this are left off the ratio panels (SimQ+ with a handful of repetitions reaches
/// 10^5), so that the interesting range 1–3 stays readable; the tables list them.
const RATIO_PLOT_MAX: f64 = 100.0;

/// The budgets `B/d = num/den` whose settling the last panel shows.
const SETTLING_BUDGETS: [(usize, usize); 4] = [(1, 16), (1, 4), (1, 1), (4, 1)];

/// Colour of the Barnes–Özgür bound line.
const BO_COLOUR: usize = 8;
/// Colour of the rate–distortion bound line and of the ambition line.
const RD_COLOUR: usize = 7;

fn colour_of(series: &str) -> usize {
    SERIES
        .iter()
        .find(|(s, _)| *s == series)
        .map_or(7, |&(_, c)| c)
}

/// The whole figure.
pub fn figure(setting: &Setting, sizes: &Sizes, points: &[Point]) -> Result<Figure> {
    let d = representative_d(sizes);
    let mut panels = Vec::new();
    for e in [-2, 2] {
        if sizes.exponents.contains(&e)
            && let Some(&b) = budget_grid(d, &[e]).first()
        {
            panels.push(mse_panel(setting, points, d, b)?);
        }
    }
    for &dim in &sizes.dims {
        panels.push(ratio_panel(setting, sizes, points, dim)?);
    }
    panels.push(settling_panel(setting, points, d)?);
    Ok(Figure { panels, columns: 2 })
}

/// mse against rounds for every pathway at `(d, B)`, the unquantized reference, both bounds and
/// the bounded-range guarantee.
fn mse_panel(setting: &Setting, points: &[Point], d: usize, bits: usize) -> Result<Panel> {
    let mut series = Vec::new();
    let here: Vec<&Point> = points
        .iter()
        .filter(|p| p.d == d && (p.bits == bits || p.family == Family::Reference))
        .collect();
    for p in &here {
        let label = match p.family {
            Family::Reference => format!("{} (64d bits)", p.series),
            _ => p.series.to_string(),
        };
        series.push(Series::new(
            label,
            p.curve
                .rounds
                .iter()
                .zip(&p.curve.mse)
                .map(|(&t, &m)| (t as f64, m))
                .collect(),
            Style::Markers,
            colour_of(p.series),
        ));
    }
    if let Some(r) = here.iter().find(|p| p.family == Family::Reference) {
        series.push(Series::new(
            format!("bound at {} bits (unquantized)", r.bits),
            r.curve
                .rounds
                .iter()
                .zip(&r.bounds)
                .map(|(&t, lb)| (t as f64, lb.max()))
                .collect(),
            Style::Dashed,
            colour_of(r.series),
        ));
    }
    if let Some(p) = here.iter().find(|p| p.bits == bits) {
        let line = |f: fn(&super::theory::LowerBounds) -> f64| {
            p.curve
                .rounds
                .iter()
                .zip(&p.bounds)
                .map(|(&t, lb)| (t as f64, f(lb)))
                .collect::<Vec<_>>()
        };
        series.push(Series::new(
            "bound, Barnes–Özgür cap",
            line(|lb| lb.barnes_ozgur),
            Style::Dashed,
            BO_COLOUR,
        ));
        series.push(Series::new(
            "bound, rate–distortion cap",
            line(|lb| lb.rate_distortion),
            Style::Dashed,
            RD_COLOUR,
        ));
        let mut guarantee = Vec::new();
        for &t in &p.curve.rounds {
            if let Some(g) = bounded_range_guarantee(setting, d, bits, t)? {
                guarantee.push((t as f64, g));
            }
        }
        series.push(Series::new(
            "Thm 4 guarantee (upper)",
            guarantee,
            Style::Dashed,
            colour_of("round-robin range (Thm 4)"),
        ));
    }
    Ok(Panel {
        title: format!("d = {d}, B = {bits} bits (B/d = {})", ratio_label(bits, d)),
        x_label: "rounds T".into(),
        y_label: "E||x_T - theta||^2".into(),
        log_x: true,
        log_y: true,
        series,
    })
}

/// Final ratio against `B/d` for every pathway in dimension `d`, the ambition line and the
/// adaptive schemes' predicted limit.
fn ratio_panel(setting: &Setting, sizes: &Sizes, points: &[Point], d: usize) -> Result<Panel> {
    let mut series = Vec::new();
    for &(name, colour) in &SERIES {
        let all: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.d == d && p.series == name)
            .filter_map(|p| Some((p.bits_per_coordinate(), p.final_ratio()?.0)))
            .collect();
        let shown: Vec<(f64, f64)> = all
            .iter()
            .copied()
            .filter(|&(_, r)| r <= RATIO_PLOT_MAX)
            .collect();
        let label = if shown.len() < all.len() {
            format!(
                "{name} ({} above {RATIO_PLOT_MAX} not shown)",
                all.len() - shown.len()
            )
        } else {
            name.to_string()
        };
        if !all.is_empty() {
            series.push(Series::new(label, shown, Style::Markers, colour));
        }
    }
    let grid = budget_grid(d, &sizes.exponents);
    let mut predicted = Vec::new();
    for &b in &grid {
        predicted.push((
            b as f64 / d as f64,
            adaptive_asymptotic_ratio(setting, d, b)?,
        ));
    }
    series.push(Series::new(
        "adaptive, predicted T → ∞",
        predicted,
        Style::Dashed,
        colour_of("adaptive"),
    ));
    let xs = points
        .iter()
        .filter(|p| p.d == d)
        .map(Point::bits_per_coordinate);
    let (lo, hi) = xs.fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if lo.is_finite() {
        series.push(Series::new(
            format!("{}x ambition", setting.ambition),
            vec![(lo, setting.ambition), (hi, setting.ambition)],
            Style::Dashed,
            RD_COLOUR,
        ));
    }
    Ok(Panel {
        title: format!(
            "d = {d}: ratio to the bound, T = {} max(1, d/B)",
            sizes.unit_rounds
        ),
        x_label: "bits per coordinate B/d".into(),
        y_label: "mse / lower bound".into(),
        log_x: true,
        log_y: true,
        series,
    })
}

/// The adaptive schemes' ratio against rounds at a few budgets, with their predicted limits.
fn settling_panel(setting: &Setting, points: &[Point], d: usize) -> Result<Panel> {
    let mut series = Vec::new();
    let adaptive = points.iter().filter(|p| {
        p.d == d
            && p.family == Family::Adaptive
            && SETTLING_BUDGETS
                .iter()
                .any(|&(num, den)| p.bits * den == d * num)
    });
    for (colour, p) in adaptive.enumerate() {
        let pts: Vec<(f64, f64)> = (0..p.curve.rounds.len())
            .filter_map(|i| Some((*p.curve.rounds.get(i)? as f64, p.ratio_at_index(i)?.0)))
            .collect();
        let limit = adaptive_asymptotic_ratio(setting, d, p.bits)?;
        let ends = match (pts.first(), pts.last()) {
            (Some(a), Some(b)) => vec![(a.0, limit), (b.0, limit)],
            _ => Vec::new(),
        };
        series.push(Series::new(
            format!("B/d = {}", ratio_label(p.bits, d)),
            pts,
            Style::Markers,
            colour,
        ));
        series.push(Series::new(
            format!("limit {limit:.2}"),
            ends,
            Style::Dashed,
            colour,
        ));
    }
    Ok(Panel {
        title: format!("d = {d}: adaptive schemes settle onto their limits"),
        x_label: "rounds T".into(),
        y_label: "mse / lower bound".into(),
        log_x: true,
        log_y: true,
        series,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::tightness::simulate::Curve;
    use crate::bench::tightness::theory::LowerBounds;

    fn point(series: &'static str, family: Family, bits: usize, ratio: f64) -> Point {
        Point {
            d: 16,
            scheme: series,
            series,
            family,
            bits,
            quantizer: series.into(),
            curve: Curve {
                rounds: vec![1, 1024],
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
    fn ratio_panels_leave_off_scale_points_out_and_say_so() {
        let setting = Setting::default();
        let sizes = Sizes::for_mode(crate::bench::Mode::Quick);
        let points = vec![
            point("SimQ+", Family::Paper, 4, 5e4),
            point("SimQ+", Family::Paper, 16, 3.0),
            point("adaptive", Family::Adaptive, 16, 1.2),
        ];
        let panel = ratio_panel(&setting, &sizes, &points, 16).unwrap();
        let simq = panel
            .series
            .iter()
            .find(|s| s.name.starts_with("SimQ+"))
            .unwrap();
        assert_eq!(simq.points, vec![(1.0, 3.0)]);
        assert!(simq.name.contains("1 above 100 not shown"), "{}", simq.name);
        let adaptive = panel.series.iter().find(|s| s.name == "adaptive").unwrap();
        assert_eq!(adaptive.points, vec![(1.0, 1.2)]);
        assert!(panel.series.iter().any(|s| s.name == "2.5x ambition"));
    }

    #[test]
    fn the_figure_has_two_mse_panels_a_ratio_panel_per_d_and_the_settling_panel() {
        let setting = Setting::default();
        let sizes = Sizes::for_mode(crate::bench::Mode::Quick);
        let points = vec![
            point("unquantized (f64)", Family::Reference, 1024, 1.0),
            point("adaptive", Family::Adaptive, 4, 2.0),
            point("adaptive", Family::Adaptive, 64, 1.0),
        ];
        let fig = figure(&setting, &sizes, &points).unwrap();
        assert_eq!(fig.panels.len(), 2 + sizes.dims.len() + 1);
        assert!(fig.panels[0].title.contains("B = 4 bits"));
        assert!(fig.panels[1].title.contains("B = 64 bits"));
        // Measurements are markers, theory dashed.
        for panel in &fig.panels {
            for s in &panel.series {
                let theory = s.name.contains("bound")
                    || s.name.contains("guarantee")
                    || s.name.contains("predicted")
                    || s.name.contains("limit")
                    || s.name.contains("ambition");
                let want = if theory {
                    Style::Dashed
                } else {
                    Style::Markers
                };
                assert_eq!(s.style, want, "{}: {}", panel.title, s.name);
            }
        }
    }
}
