//! The `linreg` report: tables, figure, findings and disagreements, all computed from the
//! measured points.

use anyhow::{Result, bail};
use optimizers::Target;

use super::points::{
    BATCH_STUDY_INT_BITS, BATCHES, FLOAT_OVERHEAD_BITS, INT_BITS, Kind, MANTISSA_BITS, Point,
};
use super::{Figure, Measured, Outcome, Panel, Section, Series, Setup, Style, Table};

/// A measurement and the theory disagree when they differ by more than
/// [`DISAGREEMENT_SES`] standard errors *and* by more than this fraction of the theory.
pub const DISAGREEMENT_FRACTION: f64 = 0.10;

/// Standard errors of a disagreement (see [`DISAGREEMENT_FRACTION`]).
pub const DISAGREEMENT_SES: f64 = 4.0;

/// Whether a measurement disagrees with its theory (see [`DISAGREEMENT_FRACTION`]).
pub fn disagrees(measured: f64, se: f64, theory: f64) -> bool {
    let gap = (measured - theory).abs();
    gap > DISAGREEMENT_SES * se && gap > DISAGREEMENT_FRACTION * theory.abs()
}

/// Lookup over the measured points.
struct Points<'a> {
    all: &'a [Measured],
}

impl<'a> Points<'a> {
    fn find(
        &self,
        target: Option<Target>,
        kind: Kind,
        width: u32,
        batch: usize,
    ) -> Result<&'a Measured> {
        match self.all.iter().find(|m| {
            m.point.target == target
                && m.point.kind == kind
                && m.point.batch == batch
                && (kind == Kind::None || m.point.width == width)
        }) {
            Some(m) => Ok(m),
            None => bail!("point {target:?} {kind:?} width {width} batch {batch} was not measured"),
        }
    }

    fn reference(&self, batch: usize) -> Result<&'a Measured> {
        self.find(None, Kind::None, 0, batch)
    }

    fn get(&self, target: Target, kind: Kind, width: u32, batch: usize) -> Result<&'a Measured> {
        self.find(Some(target), kind, width, batch)
    }

    /// Measured risk of a point divided by the unquantized risk at its batch.
    fn ratio(&self, target: Target, kind: Kind, width: u32, batch: usize) -> Result<f64> {
        Ok(self.get(target, kind, width, batch)?.mean() / self.reference(batch)?.mean())
    }
}

fn cell(m: &Measured, r: &Measured) -> String {
    format!(
        "{:.2} ({:.2})",
        m.mean() / r.mean(),
        m.theory.averaged / r.theory.averaged
    )
}

/// The target as a noun adjunct ("parameter quantization").
fn noun(t: Target) -> &'static str {
    match t {
        Target::Data => "data",
        Target::Labels => "label",
        Target::Parameters => "parameter",
        Target::Activations => "activation",
        Target::Gradients => "gradient",
    }
}

fn sci(x: f64) -> String {
    format!("{x:.2e}")
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

fn header(first: &str, rest: impl Iterator<Item = String>) -> Table {
    Table::new(
        std::iter::once(first.to_string())
            .chain(rest)
            .collect::<Vec<_>>(),
    )
}

/// The median of a non-empty list (0 for an empty one).
pub fn median(mut x: Vec<f64>) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    x.sort_by(f64::total_cmp);
    let n = x.len();
    if n % 2 == 1 {
        x[n / 2]
    } else {
        0.5 * (x[n / 2 - 1] + x[n / 2])
    }
}

/// Builds the outcome from every measured point and the linear-scaling theory of the batch
/// study (`scaled`: point and exact risk with `γ_b = b/64`).
pub fn build(
    id: &str,
    setup: &Setup,
    all: &[Measured],
    scaled: &[(Point, f64)],
) -> Result<Outcome> {
    let pts = Points { all };
    let ref1 = pts.reference(1)?;

    let mut records = Vec::with_capacity(all.len());
    for m in all {
        records.push(super::record(m, pts.reference(m.point.batch)?));
    }

    // Tables: risk divided by the unquantized risk, measured (exact theory).
    let mut int_table = header(
        "INT-b, batch 1: risk ÷ unquantized, measured (theory)",
        INT_BITS.iter().map(|b| format!("INT{b}")),
    );
    let mut fp_table = header(
        "float e5, batch 1: risk ÷ unquantized, measured (theory)",
        MANTISSA_BITS
            .iter()
            .map(|m| format!("e5m{m} ({} bits)", FLOAT_OVERHEAD_BITS + m)),
    );
    for t in Target::ALL {
        let mut row = vec![t.name().to_string()];
        for b in INT_BITS {
            row.push(cell(pts.get(t, Kind::Additive, b, 1)?, ref1));
        }
        int_table.row(row);
        let mut row = vec![t.name().to_string()];
        for w in MANTISSA_BITS {
            row.push(cell(pts.get(t, Kind::Multiplicative, w, 1)?, ref1));
        }
        fp_table.row(row);
    }
    let scaled_risk = |target: Option<Target>, b: usize| -> Result<f64> {
        match scaled
            .iter()
            .find(|(p, _)| p.target == target && p.batch == b)
        {
            Some((_, r)) => Ok(*r),
            None => bail!("no linear-scaling theory for {target:?} at batch {b}"),
        }
    };
    let mut batch_table = header(
        &format!("INT{BATCH_STUDY_INT_BITS}, N = {} fixed", setup.samples),
        BATCHES.iter().map(|b| format!("b = {b}")),
    );
    let mut row = vec![format!("unquantized risk, γ = {}", setup.gamma)];
    for b in BATCHES {
        let r = pts.reference(b)?;
        row.push(format!(
            "{} ± {} ({})",
            sci(r.mean()),
            sci(r.se()),
            sci(r.theory.averaged)
        ));
    }
    batch_table.row(row);
    for t in Target::ALL {
        let mut row = vec![format!("{} ÷ unquantized, γ = {}", t.name(), setup.gamma)];
        for b in BATCHES {
            row.push(cell(
                pts.get(t, Kind::Additive, BATCH_STUDY_INT_BITS, b)?,
                pts.reference(b)?,
            ));
        }
        batch_table.row(row);
    }
    let mut row = vec!["unquantized risk, γ = b/64 (theory only)".to_string()];
    for b in BATCHES {
        row.push(sci(scaled_risk(None, b)?));
    }
    batch_table.row(row);
    for t in Target::ALL {
        let mut row = vec![format!(
            "{} ÷ unquantized, γ = b/64 (theory only)",
            t.name()
        )];
        for b in BATCHES {
            row.push(format!(
                "({:.2})",
                scaled_risk(Some(t), b)? / scaled_risk(None, b)?
            ));
        }
        batch_table.row(row);
    }
    let mut model_table = Table::new([
        "coarsest grid",
        "measured risk",
        "exact, rounding variance",
        "exact, paper's worst-case eps",
        "worst-case ÷ measured",
    ]);
    let mut model_ratios = Vec::new();
    for t in Target::ALL {
        for (kind, width) in [
            (Kind::Additive, INT_BITS[0]),
            (Kind::Multiplicative, MANTISSA_BITS[0]),
        ] {
            let m = pts.get(t, kind, width, 1)?;
            let Some(worst) = m.paper_theory else {
                continue;
            };
            let (shown, ratio) = if worst.is_finite() {
                (sci(worst), format!("{:.2}", worst / m.mean()))
            } else {
                ("diverges".to_string(), "∞".to_string())
            };
            model_ratios.push((t, kind, worst / m.mean()));
            model_table.row([
                format!("{} {} ({} bits)", t.name(), kind.name(), m.point.bits()),
                format!("{} ± {}", sci(m.mean()), sci(m.se())),
                sci(m.theory.averaged),
                shown,
                ratio,
            ]);
        }
    }

    let mut findings = Vec::new();
    let mut disagreements = Vec::new();

    // The reference and the agreement of simulation and exact theory.
    let mismatched: Vec<&Measured> = all
        .iter()
        .filter(|m| disagrees(m.mean(), m.se(), m.theory.averaged))
        .collect();
    let rel_gaps: Vec<f64> = all
        .iter()
        .map(|m| (m.mean() / m.theory.averaged - 1.0).abs())
        .collect();
    findings.push(format!(
        "Unquantized SGD at batch 1 reaches excess risk {} ± {} against an exact expectation of {}; \
         it fits k* = {} of the {} directions (those with λ_i >= 1/(Tγ)). {} of {} measured points \
         agree with the exact risk under their own rounding variances (within {DISAGREEMENT_SES} \
         standard errors or {}); the median gap is {:.1}%. The simulator and the second-moment \
         recursion are independent computations, so this also checks both.",
        sci(ref1.mean()),
        sci(ref1.se()),
        sci(ref1.theory.averaged),
        ref1.theory.effective_dimension,
        setup.d,
        all.len() - mismatched.len(),
        all.len(),
        pct(DISAGREEMENT_FRACTION),
        100.0 * median(rel_gaps),
    ));
    for m in &mismatched {
        disagreements.push(format!(
            "Simulation vs exact theory: {} {} at {} bits, batch {}: measured {} ± {}, exact {} ({:+.0}%).",
            m.point.target_name(),
            m.point.kind.name(),
            m.point.bits(),
            m.point.batch,
            sci(m.mean()),
            sci(m.se()),
            sci(m.theory.averaged),
            100.0 * (m.mean() / m.theory.averaged - 1.0)
        ));
    }

    // Claims 1 and 2: additive data rounding distorts the spectrum; multiplicative does not.
    let int8 = pts.get(Target::Data, Kind::Additive, 8, 1)?;
    let int6 = pts.get(Target::Data, Kind::Additive, 6, 1)?;
    let fp8 = pts.get(Target::Data, Kind::Multiplicative, 2, 1)?;
    let fp6 = pts.get(Target::Data, Kind::Multiplicative, 0, 1)?;
    let r = |m: &Measured| m.mean() / ref1.mean();
    findings.push(format!(
        "Data, INT-b (additive): the risk is {:.1}× the unquantized one at INT3, {:.1}× at INT6, \
         {:.2}× at INT8 and {:.2}× at INT12. Rounding adds its variance u_i to every eigenvalue \
         of the data covariance (g_i = λ_i + u_i): at INT8 the tail eigenvalues i^-2 are swamped, \
         k* grows from {} to {} directions, and w̄ is pulled to the shrunk target \
         λ_i w*_i/(λ_i + u_i), whose floor ½‖v − w*‖²_H = {} is {} of the measured risk. This is \
         the spectral distortion the abstract describes, measured.",
        r(pts.get(Target::Data, Kind::Additive, 3, 1)?),
        r(int6),
        r(int8),
        r(pts.get(Target::Data, Kind::Additive, 12, 1)?),
        ref1.theory.effective_dimension,
        int8.theory.effective_dimension,
        sci(int8.theory.approximation),
        pct(int8.theory.approximation / int8.mean()),
    ));
    findings.push(format!(
        "Data, float (multiplicative): {:.2}× at 6 bits (e5m0) and {:.2}× at 8 bits (e5m2), \
         against {:.1}× and {:.2}× for INT6 and INT8 at the same bits. A relative step scales \
         the spectrum by about 1 + 4^-m/11 and keeps its decay: k* = {} at e5m0 (unquantized {}), \
         and the floor is {} at e5m2. {}",
        r(fp6),
        r(fp8),
        r(int6),
        r(int8),
        fp6.theory.effective_dimension,
        ref1.theory.effective_dimension,
        sci(fp8.theory.approximation),
        if fp6.mean() < int6.mean() && fp8.mean() < int8.mean() {
            "The abstract's claim that multiplicative quantization removes the spectral \
             distortion holds here (the exponent bits are what buy it: 6 of the 8 bits are sign \
             and exponent)."
        } else {
            "At equal bits the float grid does not beat INT here (see the disagreements)."
        },
    ));
    for (label, fp, int) in [("6", fp6, int6), ("8", fp8, int8)] {
        if fp.mean() >= int.mean() {
            disagreements.push(format!(
                "At {label} bits float data quantization ({:.2}×) is not better than INT ({:.2}×), \
                 against the abstract's claim.",
                r(fp),
                r(int)
            ));
        }
    }

    // Claim 3: parameter, activation and gradient rounding amplify the noise.
    let lowest: Vec<String> = [
        Target::Labels,
        Target::Parameters,
        Target::Activations,
        Target::Gradients,
    ]
    .iter()
    .map(|&t| -> Result<String> {
        let m = pts.get(t, Kind::Additive, INT_BITS[0], 1)?;
        let (pen, se) = super::paired_difference(&m.risks, &ref1.risks);
        Ok(format!(
            "{} {:.2}× (+{} ± {})",
            t.name(),
            r(m),
            sci(pen),
            sci(se)
        ))
    })
    .collect::<Result<_>>()?;
    let mut worst_rest = 0.0f64;
    for t in [
        Target::Labels,
        Target::Parameters,
        Target::Activations,
        Target::Gradients,
    ] {
        for b in INT_BITS.iter().filter(|&&b| b >= 6) {
            worst_rest = worst_rest.max((pts.ratio(t, Kind::Additive, *b, 1)? - 1.0).abs());
        }
        for w in MANTISSA_BITS {
            worst_rest = worst_rest.max((pts.ratio(t, Kind::Multiplicative, w, 1)? - 1.0).abs());
        }
    }
    findings.push(format!(
        "Labels, parameters, activations and output gradients: rounding them adds noise that SGD \
         must average out, never bias. At INT3 the risk grows to {} (paired differences with \
         their standard errors). The exact risk reproduces each of these by adding the rounding \
         variance to the noise (the parameter rounding P enters as γ²(HPH + (HPH + tr(HP)H)/b), \
         so part of it is not averaged over the batch; see `bounds::linreg_sgd`). At 6 bits and more, and for \
         every float width, these four targets change the risk by at most {}: the noise they \
         add is small next to the label noise s² = 1, and far smaller than the distortion from \
         rounding the data at the same bits.",
        lowest.join(", "),
        pct(worst_rest),
    ));
    for t in [Target::Parameters, Target::Activations, Target::Gradients] {
        let m = pts.get(t, Kind::Additive, INT_BITS[0], 1)?;
        let (pen, se) = super::paired_difference(&m.risks, &ref1.risks);
        if pen <= 2.0 * se {
            disagreements.push(format!(
                "The abstract says {} quantization amplifies the noise. It does, but too little to \
                 resolve here: at INT{} (the coarsest grid) the measured penalty is {} ± {}, and \
                 the exact risk puts it at {:+.1}%. Stochastic rounding adds little variance to \
                 values that sit near grid points or far inside one cell, which is where this \
                 quantity lives in this problem.",
                noun(t),
                INT_BITS[0],
                sci(pen),
                sci(se),
                100.0 * (m.theory.averaged / ref1.theory.averaged - 1.0)
            ));
        }
    }

    // The paper's worst-case model against stochastic rounding.
    let (max_t, max_k, max_ratio) = model_ratios
        .iter()
        .copied()
        .filter(|x| x.2.is_finite())
        .fold((Target::Data, Kind::Additive, 0.0), |acc, x| {
            if x.2 > acc.2 { x } else { acc }
        });
    let diverging: Vec<String> = model_ratios
        .iter()
        .filter(|x| !x.2.is_finite())
        .map(|(t, k, _)| format!("{} {}", t.name(), k.name()))
        .collect();
    let overstated: Vec<String> = model_ratios
        .iter()
        .filter(|x| x.2 > 1.5 && x.2.is_finite())
        .map(|(t, k, x)| format!("{} {} {:.1}×", t.name(), k.name(), x))
        .collect();
    let diverging_text = if diverging.is_empty() {
        String::new()
    } else {
        format!(
            " For {} the model even predicts that SGD with γ = {} diverges: its variance δ²/4 on \
             every coordinate raises the trace of the rounded data covariance far above 2/γ; the \
             real quantizer's variance is much smaller on the tail coordinates, and the runs \
             converge.",
            diverging.join(", "),
            setup.gamma
        )
    };
    findings.push(format!(
        "The paper's noise models are worst cases: INT-b as additive noise eps I with eps = δ²/4, \
         floats as eps u² with eps = 4^-m/4. Stochastic rounding has variance δ² f(1 − f), which \
         is δ²/6 on average for values spread over many cells, about δ|u| for values much smaller \
         than δ (the tail coordinates of x, with sd 1/i), and 0 at grid points (weights settle at \
         w* = 1, a grid point). On the coarsest grids the worst-case model's exact risk exceeds \
         the measured one by up to {:.1}× ({} {}) where it stays finite.{diverging_text}",
        max_ratio,
        max_t.name(),
        max_k.name()
    ));
    if !overstated.is_empty() || !diverging.is_empty() {
        let mut parts = overstated.clone();
        parts.extend(
            diverging
                .iter()
                .map(|d| format!("{d} (predicts divergence)")),
        );
        disagreements.push(format!(
            "The paper's worst-case noise model (eps = δ²/4 or 4^-m/4) overstates the measured risk \
             by more than 1.5× on the coarsest grids for: {}. Its bounds are upper bounds, so this \
             is not a contradiction, but the model is loose for stochastic rounding of small or \
             grid-aligned values; the exact risk with the actual rounding variances matches.",
            parts.join(", ")
        ));
    }

    // Claim 4: additive quantization benefits from larger batches.
    let b_last = BATCHES[BATCHES.len() - 1];
    let mut fixed = Vec::new();
    let mut scaled_change = 0.0f64;
    let data_falls = pts.ratio(Target::Data, Kind::Additive, BATCH_STUDY_INT_BITS, b_last)?
        < pts.ratio(Target::Data, Kind::Additive, BATCH_STUDY_INT_BITS, 1)?;
    for t in Target::ALL {
        let r1 = pts.ratio(t, Kind::Additive, BATCH_STUDY_INT_BITS, 1)?;
        let rl = pts.ratio(t, Kind::Additive, BATCH_STUDY_INT_BITS, b_last)?;
        fixed.push(format!("{} {:.2}→{:.2}", t.name(), r1, rl));
        let s1 = scaled_risk(Some(t), 1)? / scaled_risk(None, 1)?;
        let sl = scaled_risk(Some(t), b_last)? / scaled_risk(None, b_last)?;
        scaled_change = scaled_change.max((sl / s1 - 1.0).abs());
    }
    findings.push(format!(
        "Batch size, INT{BATCH_STUDY_INT_BITS}, N = {} samples, γ = {}: the risk ratio to the \
         unquantized run at the same batch goes from b = 1 to b = {b_last}: {} — {}. But the \
         unquantized risk itself \
         grows from {} to {} because there are {b_last}× fewer steps, and a larger bias term \
         dilutes the quantization noise. With the step scaled linearly, γ_b = b/64 (the same Tγ at \
         every b), the exact INT{BATCH_STUDY_INT_BITS} ratios change by at most {} from b = 1 to \
         {b_last}: at a fixed sample budget, rounding noise on per-sample quantities is averaged \
         over the batch exactly as label noise is, so the batch has no effect of its own.",
        setup.samples,
        setup.gamma,
        fixed.join(", "),
        if data_falls {
            "the benefit of larger batches the abstract reports, measured and matched by the exact \
             risk"
        } else {
            "no benefit of larger batches"
        },
        sci(ref1.mean()),
        sci(pts.reference(b_last)?.mean()),
        pct(scaled_change),
    ));
    if scaled_change < 0.05 && data_falls {
        disagreements.push(format!(
            "Batch size: we reproduce the abstract's benefit of larger batches for additive \
             quantization only with a fixed step, where it comes from fewer steps; with the step \
             scaled linearly the exact INT{BATCH_STUDY_INT_BITS} penalty ratios move by less \
             than {} from b = 1 to {b_last}. The paper's statement may count steps rather than \
             samples (at a fixed number of steps every noise term falls as 1/b); only its \
             abstract is available to check.",
            pct(scaled_change.max(0.01))
        ));
    }

    let figure = figure(&pts, &scaled_risk)?;
    let section = Section {
        id: id.into(),
        title: "Learning under quantization: linear regression".into(),
        source:
            "paper 003 (Zhang, Zou & Su, arXiv 2510.18259): its abstract's claims; the algorithm \
                 and setting from notes-algorithms §4"
                .into(),
        explanation: format!(
            "One-pass SGD on a linear regression with d = {d} features of variance λ_i = i^-{a} \
             (true weights 1, label-noise variance 1) sees each of N = {n} samples once with a \
             constant step γ = {g}, and outputs the average of its iterates; its excess risk \
             ½‖w̄ − w*‖²_H is what it loses against the best linear predictor. We quantize one of \
             the five operands of its arithmetic — the data, the labels, the weights inside the \
             prediction, the predictions (activations) or the residuals (output gradients) — with \
             a real stochastic-rounding quantizer, INT-b (constant step: additive noise) or a float \
             with 5 exponent and m mantissa bits (relative step: multiplicative noise), and report \
             the mean risk of {trials} runs that see the same data. Beside each number, in \
             parentheses or as a dashed line, is the exact expected risk of that run with the same \
             rounding variances, from a second-moment recursion (`bounds::averaged_sgd_risk`): the \
             paper's own bounds have constants that our sources do not give.",
            d = setup.d,
            a = setup.a,
            n = setup.samples,
            g = setup.gamma,
            trials = setup.trials,
        ),
        tables: vec![int_table.clone(), fp_table, batch_table, model_table],
        findings,
        disagreements,
        metrics: metric_docs(),
        ..Section::default()
    };
    Ok(Outcome {
        records,
        section,
        figure: Some(figure),
        summary: int_table,
    })
}

fn metric_docs() -> Vec<(String, String)> {
    [
        ("target (param, string)", "the quantized operand: none, data, labels, parameters, activations, gradients"),
        ("target (metric)", "the same as a number: 0 none, 1 data, 2 labels, 3 parameters, 4 activations, 5 gradients"),
        ("kind (param, string)", "none, additive (INT-b) or multiplicative (float e5, m mantissa bits)"),
        ("kind (metric)", "the same as a number: 0 none, 1 additive, 2 multiplicative"),
        ("width (param)", "b for INT-b, m for the float grid"),
        ("bits", "bits per quantized value: b, or 1 + 5 + m; 64 for the unquantized reference"),
        ("batch", "batch size b (N/b steps)"),
        ("excess_risk", "½‖w̄ − w*‖²_H of the averaged iterate, mean over trials"),
        ("excess_risk_se", "its standard error"),
        ("theory_excess_risk", "exact expected risk under the rounding variances of the same grid"),
        ("paper_model_excess_risk", "exact expected risk under the paper's worst-case eps model (coarsest grid of each kind; null elsewhere, and null when that model predicts divergence)"),
        ("reference_risk", "measured unquantized risk at the same batch"),
        ("ratio_to_reference", "excess_risk / reference_risk"),
        ("penalty, penalty_se", "mean paired difference from the unquantized run on the same data, and its standard error"),
        ("theory_approximation", "½‖v − w*‖²_H, the floor data rounding leaves as N grows"),
        ("theory_effective_dimension", "k* = #{i : g_i >= 1/(Tγ)} of the (rounded) data spectrum"),
        ("bits_per_step", "bits written for the quantized operand per SGD step"),
        ("clipped_fraction", "fraction of quantized values clipped to the INT range"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

fn figure(
    pts: &Points<'_>,
    scaled: &dyn Fn(Option<Target>, usize) -> Result<f64>,
) -> Result<Figure> {
    let ref1 = pts.reference(1)?;
    let mut panels = Vec::new();
    let x0 = f64::from(INT_BITS[0]);
    let x1 = f64::from(INT_BITS[INT_BITS.len() - 1]);
    // Ratios to the unquantized run on the same data: the paired ratio removes the noise that
    // all points share, so measured and exact values are comparable point by point.
    for t in Target::ALL {
        let mut series = Vec::new();
        for (kind, widths, colour, label) in [
            (Kind::Additive, &INT_BITS[..], 0, "INT-b"),
            (Kind::Multiplicative, &MANTISSA_BITS[..], 1, "float e5"),
        ] {
            let ms = widths
                .iter()
                .map(|&w| pts.get(t, kind, w, 1))
                .collect::<Result<Vec<_>>>()?;
            series.push(Series::new(
                label,
                ms.iter()
                    .map(|m| (f64::from(m.point.bits()), m.mean() / ref1.mean()))
                    .collect(),
                Style::Markers,
                colour,
            ));
            series.push(Series::new(
                format!("{label}, exact"),
                ms.iter()
                    .map(|m| {
                        (
                            f64::from(m.point.bits()),
                            m.theory.averaged / ref1.theory.averaged,
                        )
                    })
                    .collect(),
                Style::Dashed,
                colour,
            ));
        }
        series.push(Series::new(
            "unquantized",
            vec![(x0, 1.0), (x1, 1.0)],
            Style::Line,
            7,
        ));
        panels.push(Panel {
            title: format!("{} ({}), batch 1", t.name(), t.symbol()),
            x_label: "bits per value".into(),
            y_label: "risk ÷ unquantized risk".into(),
            log_x: false,
            // Only data rounding moves the risk by decades; the others stay within tens of percent.
            log_y: t == Target::Data,
            series,
        });
    }

    let log2b = |b: usize| (b as f64).log2();
    let ratio_series = |t: Target, colour: usize, with_scaled: bool| -> Result<Vec<Series>> {
        let mut measured = Vec::new();
        let mut exact = Vec::new();
        let mut scaled_pts = Vec::new();
        for b in BATCHES {
            let m = pts.get(t, Kind::Additive, BATCH_STUDY_INT_BITS, b)?;
            let r = pts.reference(b)?;
            measured.push((log2b(b), m.mean() / r.mean()));
            exact.push((log2b(b), m.theory.averaged / r.theory.averaged));
            scaled_pts.push((log2b(b), scaled(Some(t), b)? / scaled(None, b)?));
        }
        let mut out = vec![
            Series::new(t.name(), measured, Style::Markers, colour),
            Series::new(format!("{}, exact", t.name()), exact, Style::Dashed, colour),
        ];
        if with_scaled {
            out.push(Series::new(
                format!("{}, exact, γ = b/64", t.name()),
                scaled_pts,
                Style::Dashed,
                colour + 1,
            ));
        }
        Ok(out)
    };
    panels.push(Panel {
        title: format!("data INT{BATCH_STUDY_INT_BITS} vs batch, N fixed"),
        x_label: "log2 batch size".into(),
        y_label: "risk ÷ unquantized risk".into(),
        log_x: false,
        log_y: true,
        series: ratio_series(Target::Data, 0, true)?,
    });
    let mut series = Vec::new();
    for (i, t) in [
        Target::Labels,
        Target::Parameters,
        Target::Activations,
        Target::Gradients,
    ]
    .into_iter()
    .enumerate()
    {
        series.extend(ratio_series(t, 2 * i + 2, false)?);
    }
    panels.push(Panel {
        title: format!("other targets INT{BATCH_STUDY_INT_BITS} vs batch, N fixed"),
        x_label: "log2 batch size".into(),
        y_label: "risk ÷ unquantized risk".into(),
        log_x: false,
        log_y: false,
        series,
    });
    let mut measured = Vec::new();
    let mut exact = Vec::new();
    let mut scaled_pts = Vec::new();
    for b in BATCHES {
        let r = pts.reference(b)?;
        measured.push((log2b(b), r.mean()));
        exact.push((log2b(b), r.theory.averaged));
        scaled_pts.push((log2b(b), scaled(None, b)?));
    }
    panels.push(Panel {
        title: "unquantized risk vs batch, N fixed".into(),
        x_label: "log2 batch size".into(),
        y_label: "excess risk".into(),
        log_x: false,
        log_y: true,
        series: vec![
            Series::new("fixed γ", measured, Style::Markers, 7),
            Series::new("fixed γ, exact", exact, Style::Dashed, 7),
            Series::new("γ = b/64, exact", scaled_pts, Style::Dashed, 1),
        ],
    });
    Ok(Figure { panels, columns: 4 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disagreement_needs_both_many_standard_errors_and_a_relative_gap() {
        assert!(!disagrees(1.05, 0.001, 1.0)); // 50 se but only 5%
        assert!(!disagrees(1.5, 0.2, 1.0)); // 50% but only 2.5 se
        assert!(disagrees(1.5, 0.1, 1.0));
        assert!(disagrees(0.5, 0.1, 1.0));
    }

    #[test]
    fn the_median_of_an_even_list_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(median(vec![]), 0.0);
    }
}
