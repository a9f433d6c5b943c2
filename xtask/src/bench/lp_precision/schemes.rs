//! The `l_p` geometries and the quantizers compared in each (paper 001, Theorems 2.3, 3.1, 4.1,
//! 4.2 and §5).
//!
//! A geometry is an exponent `p in [1, inf]` with dual `q = p/(p-1)`, a dimension `d` and the
//! oracle bound `||Y||_q <= B`. By Theorem 2.3 an unbiased quantizer `Q` keeps the unquantized
//! rate up to the factor `alpha_0(Q; p)/B`, with
//!
//! ```text
//! alpha_0(Q; p) = sup sqrt(E||Q(Y)||_2^2)  (p >= 2),    sup sqrt(E||Q(Y)||_q^2)  (p < 2).
//! ```
//!
//! The paper's scheme for each `p` ([`Role::Paper`]) and its stated `alpha_0`:
//! SimQ (`p = inf`, `B`), SimQ+ with `k = ceil(d^{2/p})` (`p >= 2`,
//! `sqrt(B^2 d^{2/p}/k + B^2)`, about `sqrt(2) B`), the split CUQ+RATQ quantizer (`p < 2`,
//! `sqrt(12) B`). The baselines CUQ and RATQ ([`Role::Baseline`]) get the fewest levels whose
//! stated error bound guarantees the same `alpha_0` as the paper's scheme ([`target_alpha0`]):
//!
//! - `p >= 2`: unbiasedness gives `E||Q(Y)||_2^2 = ||Y||_2^2 + E||Q(Y) - Y||_2^2`, so
//!   `alpha_0^2 <= B^2 + mse` with CUQ's `mse = d (M/(k-1))^2` (`M = B >= ||Y||_inf`) and RATQ's
//!   `mse = B^2 (9 + 3 ln s)/(k-1)^2` (Lemma 5.2, `||Y||_2 <= ||Y||_q <= B`);
//! - `p < 2`: Minkowski's inequality in `L^2(l_q)` gives `alpha_0 <= B + sqrt(E||Q(Y) - Y||_q^2)`,
//!   with CUQ's error at most `d^{1/q}` steps `2M/(k-1)` surely (the argument of Lemma 5.1) and
//!   RATQ's `l_q` error at most its `l_2` error, `B'^2 (9 + 3 ln s)/(k-1)^2` with
//!   `B' = B d^{1/2 - 1/q} >= ||Y||_2`.
//!
//! In code: [`Geometry`], [`Scheme`], [`schemes`] (and [`unquantized`] for the reference run).

use anyhow::{Result, bail};
use quantizers::{Cuq, Quantizer, Ratq, SimQ, SimQPlus, SplitLp, Unquantized};

/// Largest number of levels the baseline search tries (far above what any tested `d` needs).
const MAX_LEVELS: u64 = 1 << 24;

/// An `l_p` geometry: exponent `p in [1, inf]`, dimension `d`, oracle bound `||Y||_q <= B`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometry {
    /// The exponent `p` of the domain's norm.
    pub p: f64,
    /// The dimension `d`.
    pub d: usize,
    /// The almost-sure bound `B` on `||Y||_q`.
    pub bound: f64,
}

impl Geometry {
    /// The dual exponent `q = p/(p-1)` (`inf` at `p = 1`, `1` at `p = inf`).
    pub fn q(&self) -> f64 {
        if self.p == 1.0 {
            f64::INFINITY
        } else if self.p.is_infinite() {
            1.0
        } else {
            self.p / (self.p - 1.0)
        }
    }

    /// Whether the paper's `p >= 2` branch applies (projected SGD, `alpha_0` in `l_2`).
    pub fn is_euclidean_branch(&self) -> bool {
        self.p >= 2.0
    }

    /// The norm `alpha_0` measures: `2` for `p >= 2`, `q` for `p < 2`.
    pub fn rate_norm(&self) -> f64 {
        if self.is_euclidean_branch() {
            2.0
        } else {
            self.q()
        }
    }

    /// `p` as reports print it (`"1.5"`, `"inf"`).
    pub fn p_label(&self) -> String {
        p_label(self.p)
    }
}

/// `p` as reports print it (`"1.5"`, `"inf"`).
pub fn p_label(p: f64) -> String {
    if p.is_infinite() {
        "inf".into()
    } else {
        format!("{p}")
    }
}

/// Whether a scheme is the paper's, a baseline tuned to the same guarantee, or the reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A quantizer of paper 001 for this `p`.
    Paper,
    /// CUQ or RATQ with the fewest levels that guarantee the paper scheme's `alpha_0`.
    Baseline,
    /// The unquantized pathway (64-bit floats).
    Reference,
}

impl Role {
    /// The role as a report parameter.
    pub fn label(self) -> &'static str {
        match self {
            Role::Paper => "paper",
            Role::Baseline => "baseline",
            Role::Reference => "reference",
        }
    }
}

/// A configured quantizer with its stated `alpha_0`.
#[derive(Debug)]
pub struct Scheme {
    /// Short name for tables and legends (`"SimQ+"`, `"CUQ"`, ...).
    pub name: &'static str,
    /// Paper, baseline or reference.
    pub role: Role,
    /// The quantizer.
    pub quantizer: Box<dyn Quantizer>,
    /// The `alpha_0(Q; p)` its stated bounds guarantee (module docs).
    pub alpha0: f64,
    /// Levels per coordinate, for the baselines.
    pub levels: Option<u64>,
}

/// The `alpha_0` the baselines must guarantee: SimQ+'s (with `k = ceil(d^{2/p})`) for `p >= 2`,
/// the split quantizer's `sqrt(12) B` for `p < 2`.
pub fn target_alpha0(g: &Geometry) -> Result<f64> {
    Ok(if g.is_euclidean_branch() {
        SimQPlus::with_default_reps(g.d, g.bound, g.p)?.alpha0()
    } else {
        SplitLp::new(g.d, g.bound, g.p)?.alpha0_q()
    })
}

/// CUQ on `[-B, B]` with `levels` levels and the `alpha_0` its stated bounds guarantee.
pub fn cuq(g: &Geometry, levels: u64) -> Result<(Cuq, f64)> {
    let q = Cuq::new(g.d, g.bound, levels)?;
    let alpha0 = if g.is_euclidean_branch() {
        (g.bound * g.bound + q.worst_case_mse()).sqrt()
    } else {
        g.bound + (g.d as f64).powf(1.0 / g.q()) * q.grid().step()
    };
    Ok((q, alpha0))
}

/// RATQ with `levels` levels, ball `||Y||_2 <= B` (`p >= 2`) or `B d^{1/2 - 1/q}` (`p < 2`), and
/// the `alpha_0` its stated bound guarantees.
pub fn ratq(g: &Geometry, levels: u64) -> Result<(Ratq, f64)> {
    if g.is_euclidean_branch() {
        let q = Ratq::new(g.d, g.bound, levels)?;
        let alpha0 = (g.bound * g.bound + q.stated_mse()).sqrt();
        Ok((q, alpha0))
    } else {
        let l2_bound = g.bound * (g.d as f64).powf(0.5 - 1.0 / g.q());
        let q = Ratq::new(g.d, l2_bound, levels)?;
        let alpha0 = g.bound + q.stated_mse().sqrt();
        Ok((q, alpha0))
    }
}

/// The fewest levels `k >= 2` for which `alpha0(k) <= target` (the bounds shrink as `k` grows).
pub fn fewest_levels(target: f64, alpha0: impl Fn(u64) -> Result<f64>) -> Result<u64> {
    if alpha0(MAX_LEVELS)? > target {
        bail!("no level count up to {MAX_LEVELS} guarantees alpha_0 <= {target}");
    }
    let (mut lo, mut hi) = (1u64, MAX_LEVELS); // alpha0(hi) <= target; lo is below the answer
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if alpha0(mid)? <= target {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(hi)
}

/// The schemes compared at geometry `g`: the paper's (SimQ and SimQ+ at `p = inf`), then CUQ and
/// RATQ tuned to the paper scheme's `alpha_0`.
pub fn schemes(g: &Geometry) -> Result<Vec<Scheme>> {
    let mut out = Vec::new();
    if g.p.is_infinite() {
        out.push(Scheme {
            name: "SimQ",
            role: Role::Paper,
            quantizer: Box::new(SimQ::new(g.d, g.bound)?),
            alpha0: g.bound,
            levels: None,
        });
    }
    if g.is_euclidean_branch() {
        let q = SimQPlus::with_default_reps(g.d, g.bound, g.p)?;
        out.push(Scheme {
            name: "SimQ+",
            role: Role::Paper,
            alpha0: q.alpha0(),
            quantizer: Box::new(q),
            levels: None,
        });
    } else {
        let q = SplitLp::new(g.d, g.bound, g.p)?;
        out.push(Scheme {
            name: "split",
            role: Role::Paper,
            alpha0: q.alpha0_q(),
            quantizer: Box::new(q),
            levels: None,
        });
    }
    let target = target_alpha0(g)?;
    let k = fewest_levels(target, |k| Ok(cuq(g, k)?.1))?;
    let (q, alpha0) = cuq(g, k)?;
    out.push(Scheme {
        name: "CUQ",
        role: Role::Baseline,
        quantizer: Box::new(q),
        alpha0,
        levels: Some(k),
    });
    let k = fewest_levels(target, |k| Ok(ratq(g, k)?.1))?;
    let (q, alpha0) = ratq(g, k)?;
    out.push(Scheme {
        name: "RATQ",
        role: Role::Baseline,
        quantizer: Box::new(q),
        alpha0,
        levels: Some(k),
    });
    Ok(out)
}

/// The unquantized reference (`alpha_0 = B`: `||Y||_2 <= ||Y||_q` for `q <= 2`).
pub fn unquantized(g: &Geometry) -> Result<Scheme> {
    Ok(Scheme {
        name: "unquantized",
        role: Role::Reference,
        quantizer: Box::new(Unquantized::new(g.d)?),
        alpha0: g.bound,
        levels: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(p: f64, d: usize) -> Geometry {
        Geometry { p, d, bound: 1.0 }
    }

    #[test]
    fn dual_exponents_and_rate_norms() {
        assert_eq!(geometry(1.0, 8).q(), f64::INFINITY);
        assert_eq!(geometry(1.5, 8).q(), 3.0);
        assert_eq!(geometry(f64::INFINITY, 8).q(), 1.0);
        assert_eq!(geometry(4.0, 8).rate_norm(), 2.0);
        assert_eq!(geometry(1.5, 8).rate_norm(), 3.0);
        assert_eq!(geometry(f64::INFINITY, 8).p_label(), "inf");
        assert_eq!(geometry(1.5, 8).p_label(), "1.5");
    }

    #[test]
    fn the_target_is_simq_plus_for_p_at_least_two_and_the_split_below() {
        // p = 2, d = 64: k = 64, alpha_0 = sqrt(64/64 + 1).
        assert!((target_alpha0(&geometry(2.0, 64)).unwrap() - 2f64.sqrt()).abs() < 1e-12);
        // p = inf: k = 1, alpha_0 = sqrt(1 + 1).
        assert!((target_alpha0(&geometry(f64::INFINITY, 64)).unwrap() - 2f64.sqrt()).abs() < 1e-12);
        assert!((target_alpha0(&geometry(1.5, 64)).unwrap() - 12f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn cuq_for_p_two_needs_sqrt_d_steps() {
        // d (1/(k-1))^2 <= 1 iff k - 1 >= sqrt(d) = 8: k = 9.
        let g = geometry(2.0, 64);
        let k = fewest_levels(target_alpha0(&g).unwrap(), |k| Ok(cuq(&g, k)?.1)).unwrap();
        assert_eq!(k, 9);
    }

    #[test]
    fn cuq_for_p_one_needs_two_levels() {
        // q = inf: alpha_0 <= 1 + 2/(k-1) <= sqrt(12) already at k = 2 (1 bit per coordinate).
        let g = geometry(1.0, 64);
        let k = fewest_levels(target_alpha0(&g).unwrap(), |k| Ok(cuq(&g, k)?.1)).unwrap();
        assert_eq!(k, 2);
        assert!((cuq(&g, 2).unwrap().1 - 3.0).abs() < 1e-12);
    }

    #[test]
    fn ratq_for_p_two_needs_the_lemma_constant() {
        // d = 64: s = 2, so (9 + 3 ln 2)/(k-1)^2 <= 1 iff k - 1 >= 3.33: k = 5.
        let g = geometry(2.0, 64);
        let k = fewest_levels(target_alpha0(&g).unwrap(), |k| Ok(ratq(&g, k)?.1)).unwrap();
        assert_eq!(k, 5);
    }

    #[test]
    fn the_level_search_returns_the_boundary() {
        let k = fewest_levels(0.5, |k| Ok(10.0 / k as f64)).unwrap();
        assert_eq!(k, 20);
        assert!(fewest_levels(1e-12, |k| Ok(1.0 / k as f64)).is_err());
    }

    #[test]
    fn every_geometry_gets_its_paper_scheme_and_two_baselines_within_the_target() {
        for p in [1.0, 1.5, 2.0, 4.0, f64::INFINITY] {
            let g = geometry(p, 64);
            let list = schemes(&g).unwrap();
            let names: Vec<&str> = list.iter().map(|s| s.name).collect();
            let expected: &[&str] = if p.is_infinite() {
                &["SimQ", "SimQ+", "CUQ", "RATQ"]
            } else if p >= 2.0 {
                &["SimQ+", "CUQ", "RATQ"]
            } else {
                &["split", "CUQ", "RATQ"]
            };
            assert_eq!(names, expected, "p = {p}");
            let target = target_alpha0(&g).unwrap();
            for s in &list {
                assert!(
                    s.alpha0 <= target * (1.0 + 1e-12),
                    "{}: {}",
                    s.name,
                    s.alpha0
                );
                assert_eq!(s.quantizer.dim(), 64);
            }
        }
    }
}
