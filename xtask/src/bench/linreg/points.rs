//! The points of the `linreg` experiment: which target is quantized, how, with how many bits,
//! at which batch size; the quantizer that realises a point and the theory model that
//! describes it.

use anyhow::Result;
use bounds::linreg_sgd::{QuantizationModel, Rounding};
use optimizers::{Target, TargetQuantizers};
use quantizers::{AdditiveQuantizer, Multiplicative, Overload, Quantizer};

/// Exponent bits of the multiplicative (float) quantizer: FP16's 5, so that the smallest
/// normal `2^-14` lies far below the spread of every quantized value at `d <= 200`, and the
/// grid stays relative (no subnormal, additive-like band in play).
pub const FLOAT_EXP_BITS: u32 = 5;

/// Bits of the float code besides the mantissa: sign and exponent.
pub const FLOAT_OVERHEAD_BITS: u32 = 1 + FLOAT_EXP_BITS;

/// Integer widths `b` of the additive (INT-b) sweep.
pub const INT_BITS: [u32; 5] = [3, 4, 6, 8, 12];

/// Mantissa widths `m` of the multiplicative sweep (`1 + 5 + m` bits per value; `m = 0` keeps
/// only powers of two).
pub const MANTISSA_BITS: [u32; 5] = [0, 1, 2, 3, 5];

/// Batch sizes of the batch study.
pub const BATCHES: [usize; 4] = [1, 4, 16, 64];

/// Integer width of the batch study (additive quantization at a fixed number of bits).
pub const BATCH_STUDY_INT_BITS: u32 = 3;

/// Half-width `R` of the INT range of each target: the grid is `[-R, R - δ]` with
/// `δ = R / 2^{b-1}`. Chosen from the known spreads at `a = 2`, `w* = 1`, `s = 1`: data
/// coordinates have sd at most 1, labels sd 1.63, predictions sd at most 1.28, residuals sd at
/// most 1.63 (at `w = 0`), weights lie in about `[0, 1.5]`; every range is at least five
/// standard deviations wide, and values beyond it are clipped and counted.
pub fn int_range(target: Target) -> f64 {
    match target {
        Target::Data => 8.0,
        Target::Labels => 16.0,
        Target::Parameters => 4.0,
        Target::Activations => 8.0,
        Target::Gradients => 16.0,
    }
}

/// The kind of quantizer of paper 003.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No quantization (the reference).
    None,
    /// INT-b, constant step (`AdditiveQuantizer`).
    Additive,
    /// Floating grid, relative step (`Multiplicative`).
    Multiplicative,
}

impl Kind {
    /// Name in reports and in `results.json` params.
    pub fn name(self) -> &'static str {
        match self {
            Kind::None => "none",
            Kind::Additive => "additive",
            Kind::Multiplicative => "multiplicative",
        }
    }

    /// Numeric code in `results.json` metrics: 0 none, 1 additive, 2 multiplicative.
    pub fn code(self) -> f64 {
        match self {
            Kind::None => 0.0,
            Kind::Additive => 1.0,
            Kind::Multiplicative => 2.0,
        }
    }
}

/// Numeric code of a target in `results.json` metrics: 0 none (the reference), then 1 data,
/// 2 labels, 3 parameters, 4 activations, 5 gradients (the paper's order).
pub fn target_code(target: Option<Target>) -> f64 {
    target.map_or(0.0, |t| (t.index() + 1) as f64)
}

/// One configuration: at most one quantized target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    /// The quantized target (`None` for the reference).
    pub target: Option<Target>,
    /// The kind of quantizer.
    pub kind: Kind,
    /// For `Additive`, the integer width `b`; for `Multiplicative`, the mantissa width `m`.
    pub width: u32,
    /// Batch size.
    pub batch: usize,
}

impl Point {
    /// The unquantized reference at batch `batch`.
    pub fn reference(batch: usize) -> Self {
        Self {
            target: None,
            kind: Kind::None,
            width: 0,
            batch,
        }
    }

    /// Bits per quantized value: `b` for INT-b, `1 + 5 + m` for the float grid, 64 for the
    /// reference (f64).
    pub fn bits(&self) -> u32 {
        match self.kind {
            Kind::None => 64,
            Kind::Additive => self.width,
            Kind::Multiplicative => FLOAT_OVERHEAD_BITS + self.width,
        }
    }

    /// The name of the target (`none` for the reference).
    pub fn target_name(&self) -> &'static str {
        self.target.map_or("none", Target::name)
    }

    /// The INT step `δ = R / 2^{b-1}` of an additive point.
    pub fn int_step(&self) -> Option<f64> {
        match (self.kind, self.target) {
            (Kind::Additive, Some(t)) => Some(int_range(t) / f64::from(self.width - 1).exp2()),
            _ => None,
        }
    }

    /// The quantizers that realise the point for dimension `d` (clipping at the INT range,
    /// counted; the float grid never overflows at these scales and would error if it did).
    pub fn quantizers(&self, d: usize) -> Result<TargetQuantizers> {
        let Some(target) = self.target else {
            return Ok(TargetQuantizers::none());
        };
        let dim = if target.is_model_sized() {
            d
        } else {
            self.batch
        };
        let q: Box<dyn Quantizer> = match self.kind {
            Kind::None => return Ok(TargetQuantizers::none()),
            Kind::Additive => {
                let step = self.int_step().unwrap_or(1.0);
                Box::new(
                    AdditiveQuantizer::new(dim, step, self.width)?.with_overload(Overload::Clip),
                )
            }
            Kind::Multiplicative => Box::new(Multiplicative::new(dim, FLOAT_EXP_BITS, self.width)?),
        };
        Ok(TargetQuantizers::none().with(target, q))
    }

    /// The rounding model of the point for [`bounds::averaged_sgd_risk`]: the
    /// stochastic-rounding variance of the same grid.
    pub fn model(&self) -> Result<QuantizationModel> {
        let Some(target) = self.target else {
            return Ok(QuantizationModel::default());
        };
        let rounding = match self.kind {
            Kind::None => Rounding::Exact,
            Kind::Additive => Rounding::UniformGrid {
                step: self.int_step().unwrap_or(1.0),
            },
            Kind::Multiplicative => Rounding::FloatGrid {
                man_bits: self.width,
                min_normal: Multiplicative::new(1, FLOAT_EXP_BITS, self.width)?.min_normal(),
            },
        };
        Ok(with_target(target, rounding))
    }

    /// The paper's idealised model of the same quantizer, with its worst-case noise level:
    /// additive `eps I` with `eps = δ²/4` ([`AdditiveQuantizer::covariance_eps`]), multiplicative
    /// `eps diag(u²)` with `eps = 4^-m/4` ([`Multiplicative::epsilon`]). `None` for the reference.
    pub fn paper_model(&self, d: usize) -> Result<Option<QuantizationModel>> {
        let Some(target) = self.target else {
            return Ok(None);
        };
        let rounding = match self.kind {
            Kind::None => return Ok(None),
            Kind::Additive => Rounding::Additive(
                AdditiveQuantizer::new(d, self.int_step().unwrap_or(1.0), self.width)?
                    .covariance_eps(),
            ),
            Kind::Multiplicative => {
                Rounding::Relative(Multiplicative::new(d, FLOAT_EXP_BITS, self.width)?.epsilon())
            }
        };
        Ok(Some(with_target(target, rounding)))
    }
}

/// The model with `rounding` on `target` and nothing else.
fn with_target(target: Target, rounding: Rounding) -> QuantizationModel {
    let mut m = QuantizationModel::default();
    match target {
        Target::Data => m.data = rounding,
        Target::Labels => m.labels = rounding,
        Target::Parameters => m.parameters = rounding,
        Target::Activations => m.activations = rounding,
        Target::Gradients => m.gradients = rounding,
    }
    m
}

/// The bits sweep at batch 1: every target, both kinds, every width.
pub fn bits_sweep() -> Vec<Point> {
    let mut points = Vec::new();
    for target in Target::ALL {
        for width in INT_BITS {
            points.push(Point {
                target: Some(target),
                kind: Kind::Additive,
                width,
                batch: 1,
            });
        }
        for width in MANTISSA_BITS {
            points.push(Point {
                target: Some(target),
                kind: Kind::Multiplicative,
                width,
                batch: 1,
            });
        }
    }
    points
}

/// Every point to simulate: the references at each batch, the bits sweep, and the batch study
/// (whose batch-1 points are already in the bits sweep).
pub fn measured_points() -> Vec<Point> {
    let mut all: Vec<Point> = BATCHES.iter().map(|&b| Point::reference(b)).collect();
    all.extend(bits_sweep());
    for p in batch_sweep() {
        if !all.contains(&p) {
            all.push(p);
        }
    }
    all
}

/// The batch study: every target with INT-[`BATCH_STUDY_INT_BITS`] at each batch size.
pub fn batch_sweep() -> Vec<Point> {
    let mut points = Vec::new();
    for batch in BATCHES {
        for target in Target::ALL {
            points.push(Point {
                target: Some(target),
                kind: Kind::Additive,
                width: BATCH_STUDY_INT_BITS,
                batch,
            });
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;
    use bitcodec::BitWriter;
    use quantizers::{Input, PublicState};
    use rand::SeedableRng;

    #[test]
    fn the_measured_points_cover_every_target_kind_width_and_batch_once() {
        let bits = bits_sweep();
        assert_eq!(bits.len(), 5 * (INT_BITS.len() + MANTISSA_BITS.len()));
        assert!(bits.iter().all(|p| p.batch == 1));
        assert_eq!(batch_sweep().len(), 5 * BATCHES.len());
        let all = measured_points();
        assert_eq!(
            all.len(),
            BATCHES.len() + bits.len() + 5 * (BATCHES.len() - 1)
        );
        for (i, p) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(p), "{p:?} twice");
        }
        for p in batch_sweep().iter().chain(&bits) {
            assert!(all.contains(p));
            assert!(all.contains(&Point::reference(p.batch)));
        }
    }

    #[test]
    fn bits_are_what_the_quantizer_writes_per_value() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        for p in bits_sweep() {
            let qs = p.quantizers(10).unwrap();
            let target = p.target.unwrap();
            let q = qs.get(target).unwrap();
            let x = vec![0.3; q.dim()];
            let mut w = BitWriter::new();
            q.encode(Input::F64(&x), &PublicState::new(0), &mut rng, &mut w)
                .unwrap();
            assert_eq!(w.len(), q.dim() * p.bits() as usize, "{p:?}");
        }
        assert_eq!(Point::reference(1).bits(), 64);
    }

    #[test]
    fn quantizers_have_the_dimension_of_their_target() {
        let p = |target, batch| Point {
            target: Some(target),
            kind: Kind::Additive,
            width: 8,
            batch,
        };
        let dim = |pt: Point| {
            pt.quantizers(50)
                .unwrap()
                .get(pt.target.unwrap())
                .unwrap()
                .dim()
        };
        assert_eq!(dim(p(Target::Data, 4)), 50);
        assert_eq!(dim(p(Target::Parameters, 4)), 50);
        assert_eq!(dim(p(Target::Labels, 4)), 4);
        assert_eq!(dim(p(Target::Activations, 16)), 16);
        assert_eq!(dim(p(Target::Gradients, 1)), 1);
        assert!(
            Point::reference(1)
                .quantizers(5)
                .unwrap()
                .get(Target::Data)
                .is_none()
        );
    }

    #[test]
    fn the_theory_model_uses_the_same_grid_on_the_same_target() {
        let add = Point {
            target: Some(Target::Activations),
            kind: Kind::Additive,
            width: 6,
            batch: 1,
        };
        let m = add.model().unwrap();
        assert_eq!(m.activations, Rounding::UniformGrid { step: 8.0 / 32.0 });
        let paper = add.paper_model(3).unwrap().unwrap();
        assert_eq!(paper.activations, Rounding::Additive(0.25 * 0.25 / 4.0));
        assert_eq!(m.data, Rounding::Exact);
        let q = add.quantizers(3).unwrap();
        assert_eq!(
            q.get(Target::Activations).unwrap().name(),
            "additive(INT6, step=0.25, saturating)"
        );
        let mul = Point {
            target: Some(Target::Data),
            kind: Kind::Multiplicative,
            width: 3,
            batch: 1,
        };
        assert_eq!(
            mul.model().unwrap().data,
            Rounding::FloatGrid {
                man_bits: 3,
                min_normal: 2f64.powi(-14)
            }
        );
        assert_eq!(
            Point::reference(4).model().unwrap(),
            QuantizationModel::default()
        );
    }

    #[test]
    fn codes_are_distinct_and_follow_the_documented_order() {
        assert_eq!(target_code(None), 0.0);
        let codes: Vec<f64> = Target::ALL.iter().map(|t| target_code(Some(*t))).collect();
        assert_eq!(codes, [1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(
            [Kind::None, Kind::Additive, Kind::Multiplicative].map(Kind::code),
            [0.0, 1.0, 2.0]
        );
    }
}
