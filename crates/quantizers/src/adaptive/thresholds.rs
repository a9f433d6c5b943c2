//! Fisher information of a threshold quantizer of `N(theta, 1)` at `theta = 0`, and the
//! symmetric `2^q`-cell quantizer that maximises it.
//!
//! Thresholds `tau_1 < ... < tau_{L-1}` split the line into `L` cells
//! `(a_j, a_{j+1}]` with `a_0 = -inf`, `a_L = +inf`. The index of the cell holding `Z ~ N(0, 1)`
//! carries Fisher information about a location shift
//!
//! ```text
//! I(tau) = sum_j (phi(a_j) - phi(a_{j+1}))^2 / (Phi(a_{j+1}) - Phi(a_j)) = sum_j p_j m_j^2,
//! ```
//!
//! where `p_j` is the cell's probability and `m_j = E[Z | Z in cell j]` its centroid
//! (notes-000 §8.1 item 8 with `sigma = 1`, `theta = 0`). Since `sum_j p_j m_j^2 = 1 - E Var(Z | cell)`,
//! maximising `I` is minimising the mean squared error of reconstructing `Z` by its cell centroid:
//! the Fisher-optimal thresholds are the **Lloyd–Max quantizer** of `N(0, 1)`, and
//! `I(q) = 1 - D_LM(2^q)` \[I: derived here\]. The stationarity condition is
//! `dI/dtau_j = phi(tau_j) (m_j - m_{j-1}) (m_{j-1} + m_j - 2 tau_j) = 0`, i.e. every threshold is
//! the midpoint of its neighbouring centroids. The Gaussian is log-concave, so this stationary
//! point is unique and is the global maximum (Fleischer 1964 \[R\]); it is symmetric.
//!
//! [`OptimalThresholds::new`] solves the midpoint conditions on the positive half-line by
//! Newton's method (the Jacobian is tridiagonal), started at the Panter–Dite compander
//! `tau_j = sqrt(3) Phi^{-1}(j/L)` (the quantiles of `N(0, 3)`, the asymptotically optimal point
//! density `phi^{1/3}`), with a Lloyd step as fallback whenever a damped Newton step fails to
//! reduce the residual.
//!
//! | q | `I(q)` | `I(q)/q` | cap `1 - 4^{-q}` | cap / `I(q)` |
//! |---|---|---|---|---|
//! | 1 | 0.636620 (`2/pi`) | 0.636620 | 0.750000 | 1.178 |
//! | 2 | 0.882518 | 0.441259 | 0.937500 | 1.062 |
//! | 3 | 0.965452 | 0.321817 | 0.984375 | 1.020 |
//! | 4 | 0.990499 | 0.247625 | 0.996094 | 1.006 |
//! | 5 | 0.997495 | 0.199499 | 0.999023 | 1.002 |
//! | 6 | 0.999356 | 0.166559 | 0.999756 | 1.0004 |
//! | 7 | 0.999837 | 0.142834 | 0.999939 | 1.0001 |
//! | 8 | 0.999959 | 0.124995 | 0.999985 | 1.00003 |
//!
//! `I(q)` is in units of `1/sigma^2` per described coordinate. The cap column is the
//! rate–distortion Fisher cap `d (1 - 4^{-B/d})/sigma^2` per coordinate at `B/d = q` (notes-000,
//! Theorem 3, a reconstruction \[I\]); the Barnes–Özgür cap `min{d, 2B ln 2}/sigma^2` allows `1` per
//! coordinate for every `q >= 1` and `2 ln 2 = 1.386` per bit, against `I(q)/q` here: one sign bit
//! per coordinate is within a factor `pi ln 2 = 2.18` of it, the best per-bit ratio of all `q`.
//! `1 - I(q)` is the Lloyd–Max distortion (0.3634, 0.1175, 0.03455, 0.009501, ...) and tends to
//! the Panter–Dite constant `sqrt(3) pi/2 * 4^{-q}`. The values are those [`fisher_information`]
//! returns, pinned by a test.

use crate::QuantError;
use crate::adaptive::normal;

/// The largest number of bits per coordinate the adaptive multi-bit quantizer supports.
///
/// At `q = 12` the information is within `2e-7` of the unquantized value 1, and the tables
/// hold `2^12` cells; more bits per coordinate buy nothing measurable.
pub const MAX_BITS: u32 = 12;

/// Newton stops when every midpoint condition holds to this absolute accuracy.
const TOLERANCE: f64 = 1e-13;
/// Iteration cap for the solver (from the compander start it takes four Newton steps for every
/// `q <= MAX_BITS`).
const MAX_ITERATIONS: usize = 200;

/// The Fisher-optimal symmetric quantizer of `N(0, 1)` into `L = 2^q` cells.
///
/// ```
/// use quantizers::adaptive::OptimalThresholds;
/// let t = OptimalThresholds::new(1)?; // the sign quantizer
/// assert_eq!(t.thresholds(), &[0.0]);
/// assert!((t.information() - 2.0 / std::f64::consts::PI).abs() < 1e-15);
/// let t2 = OptimalThresholds::new(2)?;
/// assert!((t2.thresholds()[2] - 0.9816).abs() < 1e-4); // the Lloyd–Max 4-level threshold
/// # Ok::<(), quantizers::QuantError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OptimalThresholds {
    bits: u32,
    thresholds: Vec<f64>,
    centroids: Vec<f64>,
    probabilities: Vec<f64>,
    information: f64,
}

impl OptimalThresholds {
    /// The optimal quantizer with `2^bits` cells, `1 <= bits <= MAX_BITS`.
    pub fn new(bits: u32) -> Result<Self, QuantError> {
        if !(1..=MAX_BITS).contains(&bits) {
            return Err(QuantError::InvalidParameter(format!(
                "bits per coordinate must be in 1..={MAX_BITS}, got {bits}"
            )));
        }
        let levels = 1usize << bits;
        let half = levels / 2;
        // Positive thresholds t_1 < ... < t_{half-1}; the middle threshold is 0 by symmetry.
        let mut t: Vec<f64> = (1..half)
            .map(|i| 3f64.sqrt() * normal::approximate_quantile(0.5 + i as f64 / levels as f64))
            .collect();
        solve_midpoints(&mut t)?;
        let cells = HalfCells::new(&t);
        let information = 2.0 * cells.information();

        let thresholds: Vec<f64> = t
            .iter()
            .rev()
            .map(|v| -v)
            .chain(std::iter::once(0.0))
            .chain(t.iter().copied())
            .collect();
        let centroids: Vec<f64> = cells
            .centroid
            .iter()
            .rev()
            .map(|v| -v)
            .chain(cells.centroid.iter().copied())
            .collect();
        let probabilities: Vec<f64> = cells
            .prob
            .iter()
            .rev()
            .chain(cells.prob.iter())
            .copied()
            .collect();
        Ok(Self {
            bits,
            thresholds,
            centroids,
            probabilities,
            information,
        })
    }

    /// Bits per coordinate `q`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Number of cells `L = 2^q`.
    pub fn levels(&self) -> usize {
        self.centroids.len()
    }

    /// The `L - 1` thresholds `tau_j`, increasing and symmetric about 0.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// The `L` centroids `m_j = E[Z | Z in cell j]`.
    pub fn centroids(&self) -> &[f64] {
        &self.centroids
    }

    /// The `L` cell probabilities `p_j` under `N(0, 1)`.
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }

    /// The Fisher information `I(q) = sum_j p_j m_j^2` (per unit variance).
    pub fn information(&self) -> f64 {
        self.information
    }

    /// The cell of `z` (`tau_j < z <= tau_{j+1}`): the number of thresholds below `z`.
    pub fn cell(&self, z: f64) -> usize {
        self.thresholds.partition_point(|&t| t < z)
    }
}

/// The Fisher information `I(tau)` of the cell index of `Z ~ N(0, 1)` for any strictly
/// increasing finite thresholds (an empty slice is one cell and gives 0).
///
/// ```
/// use quantizers::adaptive::threshold_information;
/// let i = threshold_information(&[0.0])?;
/// assert!((i - 2.0 / std::f64::consts::PI).abs() < 1e-15);
/// assert!(threshold_information(&[1.0, 0.0]).is_err());
/// # Ok::<(), quantizers::QuantError>(())
/// ```
pub fn threshold_information(thresholds: &[f64]) -> Result<f64, QuantError> {
    if let Some(i) = thresholds.iter().position(|t| !t.is_finite()) {
        return Err(QuantError::InvalidParameter(format!(
            "threshold {i} is not finite"
        )));
    }
    if thresholds.windows(2).any(|w| w[0] >= w[1]) {
        return Err(QuantError::InvalidParameter(
            "thresholds must be strictly increasing".into(),
        ));
    }
    let edges = std::iter::once(f64::NEG_INFINITY)
        .chain(thresholds.iter().copied())
        .chain(std::iter::once(f64::INFINITY));
    let mut lower = f64::NEG_INFINITY;
    let mut total = 0.0;
    for upper in edges.skip(1) {
        let p = normal::interval_probability(lower, upper);
        let n = normal::pdf_difference(lower, upper);
        if p > 0.0 {
            total += n * n / p;
        }
        lower = upper;
    }
    Ok(total)
}

/// Probabilities, centroids and centroid derivatives of the positive half-line cells
/// `(0, t_1], (t_1, t_2], ..., (t_K, inf)`.
struct HalfCells {
    prob: Vec<f64>,
    centroid: Vec<f64>,
    /// `d m_i / d(left edge) = phi(a) (m_i - a) / p_i`.
    d_left: Vec<f64>,
    /// `d m_i / d(right edge) = phi(b) (b - m_i) / p_i`.
    d_right: Vec<f64>,
}

impl HalfCells {
    fn new(t: &[f64]) -> Self {
        let cells = t.len() + 1;
        let mut s = Self {
            prob: Vec::with_capacity(cells),
            centroid: Vec::with_capacity(cells),
            d_left: Vec::with_capacity(cells),
            d_right: Vec::with_capacity(cells),
        };
        let edges = std::iter::once(0.0)
            .chain(t.iter().copied())
            .chain(std::iter::once(f64::INFINITY));
        let mut a = 0.0;
        for b in edges.skip(1) {
            let (fa, fb) = (normal::pdf(a), normal::pdf(b));
            let p = normal::interval_probability(a, b);
            let m = normal::pdf_difference(a, b) / p;
            s.prob.push(p);
            s.centroid.push(m);
            s.d_left.push(fa * (m - a) / p);
            s.d_right
                .push(if b.is_finite() { fb * (b - m) / p } else { 0.0 });
            a = b;
        }
        s
    }

    /// `sum_i p_i m_i^2` over the half-line.
    fn information(&self) -> f64 {
        self.prob
            .iter()
            .zip(&self.centroid)
            .map(|(p, m)| p * m * m)
            .sum()
    }

    /// Midpoint residuals `F_j = t_j - (m_j + m_{j+1})/2`, and their largest magnitude.
    fn residual(&self, t: &[f64], out: &mut [f64]) -> f64 {
        let mut worst = 0.0f64;
        for ((f, tj), m) in out.iter_mut().zip(t).zip(self.centroid.windows(2)) {
            *f = tj - 0.5 * (m[0] + m[1]);
            worst = worst.max(f.abs());
        }
        worst
    }
}

/// Whether `t` is a valid set of positive thresholds: finite, positive, strictly increasing.
fn admissible(t: &[f64]) -> bool {
    t.first().is_none_or(|&v| v > 0.0)
        && t.iter().all(|v| v.is_finite())
        && t.windows(2).all(|w| w[0] < w[1])
}

/// Solves the midpoint conditions for the positive thresholds in place.
fn solve_midpoints(t: &mut [f64]) -> Result<(), QuantError> {
    let k = t.len();
    if k == 0 {
        return Ok(());
    }
    let mut f = vec![0.0; k];
    let mut step = vec![0.0; k];
    let mut trial = vec![0.0; k];
    let (mut sub, mut diag, mut sup) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut cells = HalfCells::new(t);
    let mut worst = cells.residual(t, &mut f);
    for _ in 0..MAX_ITERATIONS {
        if worst <= TOLERANCE {
            return Ok(());
        }
        // Jacobian of F_j = t_j - (m_j + m_{j+1})/2: cell j has right edge t_j, cell j+1 has
        // left edge t_j; m_j also moves with t_{j-1}, m_{j+1} with t_{j+1}.
        for j in 0..k {
            diag[j] = 1.0 - 0.5 * (cells.d_right[j] + cells.d_left[j + 1]);
            sub[j] = if j > 0 { -0.5 * cells.d_left[j] } else { 0.0 };
            sup[j] = if j + 1 < k {
                -0.5 * cells.d_right[j + 1]
            } else {
                0.0
            };
        }
        let solved = solve_tridiagonal(&sub, &mut diag, &sup, &f, &mut step);
        let mut accepted = false;
        if solved {
            let mut lambda = 1.0;
            for _ in 0..40 {
                for ((x, t0), s) in trial.iter_mut().zip(t.iter()).zip(&step) {
                    *x = t0 - lambda * s;
                }
                if admissible(&trial) {
                    let c = HalfCells::new(&trial);
                    let w = c.residual(&trial, &mut f);
                    if w < worst {
                        t.copy_from_slice(&trial);
                        cells = c;
                        worst = w;
                        accepted = true;
                        break;
                    }
                }
                lambda *= 0.5;
            }
        }
        if !accepted {
            // Lloyd step: every threshold to the midpoint of its centroids. It keeps the
            // thresholds ordered (centroids lie inside their cells) and never lowers I.
            for (tj, m) in t.iter_mut().zip(cells.centroid.windows(2)) {
                *tj = 0.5 * (m[0] + m[1]);
            }
            cells = HalfCells::new(t);
            worst = cells.residual(t, &mut f);
        }
    }
    if worst <= TOLERANCE {
        Ok(())
    } else {
        Err(QuantError::InvalidParameter(format!(
            "threshold optimisation did not converge (residual {worst:.3e})"
        )))
    }
}

/// Solves the tridiagonal system `(sub, diag, sup) x = rhs` by the Thomas algorithm;
/// `diag` is overwritten. Returns false on a zero pivot.
fn solve_tridiagonal(
    sub: &[f64],
    diag: &mut [f64],
    sup: &[f64],
    rhs: &[f64],
    x: &mut [f64],
) -> bool {
    let n = diag.len();
    x.copy_from_slice(rhs);
    for i in 1..n {
        if diag[i - 1] == 0.0 || !diag[i - 1].is_finite() {
            return false;
        }
        let w = sub[i] / diag[i - 1];
        diag[i] -= w * sup[i - 1];
        x[i] -= w * x[i - 1];
    }
    if diag[n - 1] == 0.0 || !diag[n - 1].is_finite() {
        return false;
    }
    x[n - 1] /= diag[n - 1];
    for i in (0..n - 1).rev() {
        x[i] = (x[i] - sup[i] * x[i + 1]) / diag[i];
    }
    x.iter().all(|v| v.is_finite())
}

/// `I(q)` for `q = 1..=MAX_BITS`, per unit variance: the information of
/// [`OptimalThresholds::new`]`(q)`, tabulated so that allocation choices need no optimisation
/// (a test checks the table against the optimiser).
const FISHER_TABLE: [f64; MAX_BITS as usize] = [
    std::f64::consts::FRAC_2_PI,
    0.882_518_152_170_670_5,
    0.965_452_239_211_498_4,
    0.990_498_991_991_808,
    0.997_495_331_644_325_4,
    0.999_355_760_334_682_9,
    0.999_836_521_770_019_8,
    0.999_958_814_917_132_6,
    0.999_989_663_168_885_8,
    0.999_997_410_624_160_7,
    0.999_999_352_001_096_7,
    0.999_999_837_917_557_4,
];

/// The Fisher information `I(q)` of the optimal `q`-bit threshold quantizer of `N(0, 1)`
/// (`1 <= q <= MAX_BITS`), from a table.
///
/// ```
/// use quantizers::adaptive::fisher_information;
/// assert!((fisher_information(1)? - 2.0 / std::f64::consts::PI).abs() < 1e-15);
/// assert!(fisher_information(2)? > fisher_information(1)?);
/// # Ok::<(), quantizers::QuantError>(())
/// ```
pub fn fisher_information(bits: u32) -> Result<f64, QuantError> {
    bits.checked_sub(1)
        .and_then(|i| FISHER_TABLE.get(i as usize))
        .copied()
        .ok_or_else(|| {
            QuantError::InvalidParameter(format!(
                "bits per coordinate must be in 1..={MAX_BITS}, got {bits}"
            ))
        })
}
