//! The standard normal density `phi`, distribution `Phi` and upper tail `Q = 1 - Phi`, with
//! relative accuracy near `1e-15` on the whole line, tails included.
//!
//! statrs 0.19's `erfc` is not accurate enough for Fisher-information work: its relative error
//! reaches `1e-10` (at `erfc(0.5)`, for instance), which shows up in the eleventh digit of
//! `I(q)`. So the upper tail is computed here directly:
//!
//! - `0 <= x < 2`: `Phi(x) - 1/2 = phi(x) sum_{n>=0} x^{2n+1} / (1 3 5 ... (2n+1))` (all terms
//!   positive, so no cancellation; Marsaglia 2004), and `Q(x) = 1/2 - (Phi(x) - 1/2)` loses at
//!   most a factor `1/(2 Q(2)) ~ 22` of relative accuracy;
//! - `x >= 2`: Laplace's continued fraction for the Mills ratio
//!   `Q(x)/phi(x) = 1/(x + 1/(x + 2/(x + 3/(x + ...))))`, evaluated by the modified Lentz
//!   method, which converges in at most about 110 terms there and in fewer as `x` grows;
//! - `x < 0`: `Q(x) = 1 - Q(-x)`, and `Phi(x) = Q(-x)`.
//!
//! The tests compare these with 40-digit reference values.
//!
//! ```
//! use quantizers::adaptive::normal;
//! assert!((normal::sf(10.0) / 7.619853024160525e-24 - 1.0).abs() < 1e-14);
//! assert_eq!(normal::cdf(0.0), 0.5);
//! ```

/// `1/sqrt(2 pi)`.
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;
/// Below this the series is used, above it the continued fraction.
const SERIES_LIMIT: f64 = 2.0;
/// Intervals at most this wide are integrated by quadrature. On them the integrand's Taylor
/// remainder after degree 19 is below `1e-20` of the integral for `|a|, |b| <= 40`, and `phi`
/// is negligible beyond that.
const QUADRATURE_WIDTH: f64 = 1.0;
/// Nodes `x_i > 0` and weights of the 10-point Gauss–Legendre rule on `[-1, 1]` (the rule is
/// symmetric: `±x_i` share a weight). Exact for polynomials of degree up to 19.
pub(crate) const GAUSS_LEGENDRE_10: [(f64, f64); 5] = [
    (0.973_906_528_517_171_7, 0.066_671_344_308_688_14),
    (0.865_063_366_688_984_5, 0.149_451_349_150_580_6),
    (0.679_409_568_299_024_4, 0.219_086_362_515_982_04),
    (0.433_395_394_129_247_2, 0.269_266_719_309_996_35),
    (0.148_874_338_981_631_2, 0.295_524_224_714_752_87),
];
/// Term caps; both loops stop much earlier on convergence.
const MAX_TERMS: usize = 2000;

/// The density `phi(x) = exp(-x^2/2)/sqrt(2 pi)` (0 at `±inf`, NaN for NaN).
#[inline]
pub fn pdf(x: f64) -> f64 {
    INV_SQRT_2PI * (-0.5 * x * x).exp()
}

/// `phi(a) - phi(b)` without cancellation when `a` and `b` are close:
/// `phi(a) (1 - exp(-(b - a)(b + a)/2))` with `expm1`, from whichever end is nearer 0.
pub fn pdf_difference(a: f64, b: f64) -> f64 {
    if a.is_infinite() && b.is_infinite() {
        return 0.0;
    }
    if a.abs() <= b.abs() {
        -pdf(a) * (-0.5 * (b - a) * (b + a)).exp_m1()
    } else {
        pdf(b) * (-0.5 * (a - b) * (a + b)).exp_m1()
    }
}

/// `Phi(b) - Phi(a)` for `a <= b`, to full relative accuracy: by Gauss–Legendre quadrature of
/// `phi` on short intervals (where a difference of tails would cancel), otherwise through
/// whichever tail avoids cancellation.
pub fn interval_probability(a: f64, b: f64) -> f64 {
    if b - a <= QUADRATURE_WIDTH {
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        let sum: f64 = GAUSS_LEGENDRE_10
            .iter()
            .map(|&(x, w)| w * (pdf(mid - half * x) + pdf(mid + half * x)))
            .sum();
        half * sum
    } else if a >= 0.0 {
        sf(a) - sf(b)
    } else if b <= 0.0 {
        sf(-b) - sf(-a)
    } else {
        1.0 - sf(-a) - sf(b)
    }
}

/// `Phi(x) = P(Z <= x)` for `Z ~ N(0, 1)`.
pub fn cdf(x: f64) -> f64 {
    sf(-x)
}

/// The upper tail `Q(x) = P(Z > x) = 1 - Phi(x)`, accurate relative to its own size for large `x`.
pub fn sf(x: f64) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x < 0.0 {
        1.0 - sf(-x)
    } else if x < SERIES_LIMIT {
        0.5 - central(x)
    } else if x.is_infinite() {
        0.0
    } else {
        pdf(x) * mills_ratio(x)
    }
}

/// `Phi(x) - 1/2` for `0 <= x < 2` by the positive series.
fn central(x: f64) -> f64 {
    let x2 = x * x;
    let (mut sum, mut term) = (x, x);
    for n in 1..MAX_TERMS {
        term *= x2 / (2 * n + 1) as f64;
        let next = sum + term;
        if next == sum {
            break;
        }
        sum = next;
    }
    pdf(x) * sum
}

/// The Mills ratio `Q(x)/phi(x)` for `x >= 2` by Laplace's continued fraction (modified Lentz).
fn mills_ratio(x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    // f = x + 1/(x + 2/(x + 3/(x + ...))); the ratio is 1/f.
    let (mut f, mut c, mut d) = (x, x, 0.0f64);
    for n in 1..MAX_TERMS {
        let a = n as f64;
        d = x + a * d;
        if d == 0.0 {
            d = TINY;
        }
        c = x + a / c;
        if c == 0.0 {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    1.0 / f
}

/// The quantile `Phi^{-1}(p)` for `p` in `(0, 1)`, approximately (statrs' inverse error
/// function); used only for starting points of iterations.
pub(crate) fn approximate_quantile(p: f64) -> f64 {
    -std::f64::consts::SQRT_2 * statrs::function::erf::erfc_inv(2.0 * p)
}
