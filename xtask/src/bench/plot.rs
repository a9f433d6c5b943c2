//! SVG figures with plotters (SVG backend only: text is written as SVG `<text>`, so no
//! system fonts are needed to render or to view).

use std::path::Path;

use anyhow::{Context as _, Result};
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A solid line.
    Line,
    /// A dashed line (theory curves and bounds).
    Dashed,
    /// Markers only (measurements).
    Markers,
    /// A line with markers.
    LineMarkers,
}

/// One named curve.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points `(x, y)`; points with a non-finite coordinate (or non-positive on a log axis)
    /// are skipped.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub style: Style,
    /// Colour index into the palette (series with the same index share a colour, e.g. a
    /// measurement and its theory curve).
    pub colour: usize,
}

impl Series {
    /// A series with a style and colour.
    pub fn new(
        name: impl Into<String>,
        points: Vec<(f64, f64)>,
        style: Style,
        colour: usize,
    ) -> Self {
        Self {
            name: name.into(),
            points,
            style,
            colour,
        }
    }
}

/// One chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Chart title.
    pub title: String,
    /// Horizontal axis label.
    pub x_label: String,
    /// Vertical axis label.
    pub y_label: String,
    /// Logarithmic horizontal axis.
    pub log_x: bool,
    /// Logarithmic vertical axis.
    pub log_y: bool,
    /// The curves.
    pub series: Vec<Series>,
}

/// A figure: panels on a grid, written as one SVG file.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// Panels, row by row.
    pub panels: Vec<Panel>,
    /// Panels per row.
    pub columns: usize,
}

const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(255, 127, 14),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn colour(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The range of the finite (and, on a log axis, positive) values, padded.
fn axis_range(values: impl Iterator<Item = f64>, log: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite() && (!log || *v > 0.0)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    if log {
        if hi <= lo {
            return (lo / 2.0, hi * 2.0);
        }
        let pad = (hi / lo).powf(0.04);
        (lo / pad, hi * pad)
    } else {
        if hi <= lo {
            return (lo - 1.0, hi + 1.0);
        }
        let pad = (hi - lo) * 0.04;
        (lo - pad, hi + pad)
    }
}

/// A tick label: three significant digits, no float noise, no negative zero.
pub fn format_tick(v: &f64) -> String {
    let v = *v;
    if v == 0.0 || !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v == 0.0 {
            "0".into()
        } else {
            format!("{v}")
        };
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let s = format!("{v:.1e}");
        // 1.0e-4 -> 1e-4
        return s.replace(".0e", "e");
    }
    let digits = (2 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

/// The corner of the plotting area with the fewest points, for the legend.
fn legend_corner(panel: &Panel, x: (f64, f64), y: (f64, f64)) -> SeriesLabelPosition {
    let frac = |v: f64, (lo, hi): (f64, f64), log: bool| {
        if log {
            (v.ln() - lo.ln()) / (hi.ln() - lo.ln())
        } else {
            (v - lo) / (hi - lo)
        }
    };
    // Counts in the quadrants: [upper-left, upper-right, lower-left, lower-right].
    let mut count = [0usize; 4];
    for p in panel
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .filter(|p| keep(p, panel.log_x, panel.log_y))
    {
        let (fx, fy) = (frac(p.0, x, panel.log_x), frac(p.1, y, panel.log_y));
        let right = usize::from(fx >= 0.5);
        let lower = usize::from(fy < 0.5);
        count[2 * lower + right] += 1;
    }
    let order = [
        (1, SeriesLabelPosition::UpperRight),
        (0, SeriesLabelPosition::UpperLeft),
        (3, SeriesLabelPosition::LowerRight),
        (2, SeriesLabelPosition::LowerLeft),
    ];
    order
        .iter()
        .min_by_key(|(i, _)| count[*i])
        .map_or(SeriesLabelPosition::UpperRight, |(_, pos)| pos.clone())
}

fn keep(p: &(f64, f64), log_x: bool, log_y: bool) -> bool {
    p.0.is_finite() && p.1.is_finite() && (!log_x || p.0 > 0.0) && (!log_y || p.1 > 0.0)
}

impl Figure {
    /// Writes the figure as SVG, `panel_size` pixels per panel.
    pub fn write_svg(&self, path: &Path, panel_size: (u32, u32)) -> Result<()> {
        let columns = self.columns.max(1);
        let rows = self.panels.len().div_ceil(columns).max(1);
        let size = (panel_size.0 * columns as u32, panel_size.1 * rows as u32);
        let root = SVGBackend::new(path, size).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow::anyhow!("{e}"))?;
        let areas = root.split_evenly((rows, columns));
        for (panel, area) in self.panels.iter().zip(areas.iter()) {
            draw_panel(panel, area).with_context(|| format!("drawing panel {}", panel.title))?;
        }
        root.present()
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(
    panel: &Panel,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let pts = || {
        panel
            .series
            .iter()
            .flat_map(|s| s.points.iter())
            .filter(|p| keep(p, panel.log_x, panel.log_y))
    };
    let (x0, x1) = axis_range(pts().map(|p| p.0), panel.log_x);
    let (y0, y1) = axis_range(pts().map(|p| p.1), panel.log_y);
    let corner = legend_corner(panel, (x0, x1), (y0, y1));
    let mut builder = ChartBuilder::on(area);
    builder
        .caption(&panel.title, ("sans-serif", 17))
        .margin(12)
        .x_label_area_size(42)
        .y_label_area_size(64);
    // Four axis combinations give four coordinate types; one macro-free helper per case.
    match (panel.log_x, panel.log_y) {
        (true, true) => {
            let chart = builder
                .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            finish(chart, panel, corner)
        }
        (true, false) => {
            let chart = builder
                .build_cartesian_2d((x0..x1).log_scale(), y0..y1)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            finish(chart, panel, corner)
        }
        (false, true) => {
            let chart = builder
                .build_cartesian_2d(x0..x1, (y0..y1).log_scale())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            finish(chart, panel, corner)
        }
        (false, false) => {
            let chart = builder
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            finish(chart, panel, corner)
        }
    }
}

fn finish<'a, DB, X, Y>(
    mut chart: ChartContext<'a, DB, Cartesian2d<X, Y>>,
    panel: &Panel,
    corner: SeriesLabelPosition,
) -> Result<()>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(panel.x_label.as_str())
        .y_desc(panel.y_label.as_str())
        .label_style(("sans-serif", 12))
        .x_labels(7)
        .y_labels(7)
        .x_label_formatter(&format_tick)
        .y_label_formatter(&format_tick)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for s in &panel.series {
        let c = colour(s.colour);
        let data: Vec<(f64, f64)> = s
            .points
            .iter()
            .copied()
            .filter(|p| keep(p, panel.log_x, panel.log_y))
            .collect();
        if data.is_empty() {
            continue;
        }
        let legend_style = c.stroke_width(2);
        match s.style {
            Style::Line | Style::LineMarkers => {
                chart
                    .draw_series(LineSeries::new(data.clone(), c.stroke_width(2)))
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], legend_style)
                    });
                if s.style == Style::LineMarkers {
                    chart
                        .draw_series(data.iter().map(|&p| Circle::new(p, 3, c.filled())))
                        .map_err(|e| anyhow::anyhow!("{e}"))?;
                }
            }
            Style::Dashed => {
                chart
                    .draw_series(DashedLineSeries::new(data, 6, 4, c.stroke_width(2)))
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 7, y)], legend_style));
            }
            Style::Markers => {
                chart
                    .draw_series(data.iter().map(|&p| Circle::new(p, 3, c.filled())))
                    .map_err(|e| anyhow::anyhow!("{e}"))?
                    .label(s.name.as_str())
                    .legend(move |(x, y)| Circle::new((x + 9, y), 3, c.filled()));
            }
        }
    }
    chart
        .configure_series_labels()
        .position(corner)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font(("sans-serif", 11))
        .draw()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_have_no_float_noise() {
        assert_eq!(format_tick(&0.30000000000000004), "0.3");
        assert_eq!(format_tick(&-0.0), "0");
        assert_eq!(format_tick(&1500.0), "1500");
        assert_eq!(format_tick(&0.0001), "1e-4");
        assert_eq!(format_tick(&2.5e6), "2.5e6");
        assert_eq!(format_tick(&12.34567), "12.3");
    }

    #[test]
    fn the_legend_goes_to_the_emptiest_corner() {
        let panel = Panel {
            title: String::new(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            series: vec![Series::new(
                "s",
                vec![(0.9, 0.9), (0.8, 0.95), (0.1, 0.9), (0.9, 0.1)],
                Style::Markers,
                0,
            )],
        };
        let corner = legend_corner(&panel, (0.0, 1.0), (0.0, 1.0));
        assert!(matches!(corner, SeriesLabelPosition::LowerLeft));
    }

    #[test]
    fn writes_an_svg_with_titles_and_skips_unplottable_points() {
        let dir = std::env::temp_dir().join(format!("lowbit-plot-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.svg");
        let fig = Figure {
            panels: vec![Panel {
                title: "mse vs rounds".into(),
                x_label: "rounds".into(),
                y_label: "mse".into(),
                log_x: true,
                log_y: true,
                series: vec![
                    Series::new(
                        "scheme",
                        vec![(1.0, 1.0), (10.0, 0.1), (0.0, 5.0)],
                        Style::Markers,
                        0,
                    ),
                    Series::new(
                        "bound",
                        vec![(1.0, 0.5), (10.0, f64::NAN), (100.0, 0.005)],
                        Style::Dashed,
                        1,
                    ),
                ],
            }],
            columns: 1,
        };
        fig.write_svg(&path, (600, 400)).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("mse vs rounds"));
        assert!(svg.contains("bound"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
