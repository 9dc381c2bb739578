//! Special functions the statistical crates share.
//!
//! The forecast and reorder crates depend only on this crate, so the
//! few numerical pieces both need live here, each with the precision it
//! reaches and how that was checked.

/// The Euler-Mascheroni constant, `gamma`.
pub const EULER_MASCHERONI: f64 = 0.577_215_664_901_532_9;

/// `zeta(k) - 1` for `k = 2, 3, ..., 55` (60-digit mpmath values rounded
/// to `f64`).
const ZETA_MINUS_ONE: [f64; 54] = [
    0.644_934_066_848_226_4,
    0.202_056_903_159_594_3,
    0.082_323_233_711_138_19,
    0.036_927_755_143_369_93,
    0.017_343_061_984_449_14,
    0.008_349_277_381_922_827,
    0.004_077_356_197_944_34,
    0.002_008_392_826_082_214_3,
    0.000_994_575_127_818_085_3,
    0.000_494_188_604_119_464_5,
    0.000_246_086_553_308_048_3,
    0.000_122_713_347_578_489_15,
    6.124_813_505_870_483e-5,
    3.058_823_630_702_049e-5,
    1.528_225_940_865_187e-5,
    7.637_197_637_899_763e-6,
    3.817_293_264_999_84e-6,
    1.908_212_716_553_939e-6,
    9.539_620_338_727_962e-7,
    4.769_329_867_878_064e-7,
    2.384_505_027_277_33e-7,
    1.192_199_259_653_110_6e-7,
    5.960_818_905_125_948e-8,
    2.980_350_351_465_228e-8,
    1.490_155_482_836_504_3e-8,
    7.450_711_789_835_43e-9,
    3.725_334_024_788_457e-9,
    1.862_659_723_513_049e-9,
    9.313_274_324_196_682e-10,
    4.656_629_065_033_784e-10,
    2.328_311_833_676_505_3e-10,
    1.164_155_017_270_052e-10,
    5.820_772_087_902_701e-11,
    2.910_385_044_497_1e-11,
    1.455_192_189_104_198_5e-11,
    7.275_959_835_057_482e-12,
    3.637_979_547_378_651e-12,
    1.818_989_650_307_066e-12,
    9.094_947_840_263_888e-13,
    4.547_473_783_042_154e-13,
    2.273_736_845_824_652_4e-13,
    1.136_868_407_680_228e-13,
    5.684_341_987_627_585e-14,
    2.842_170_976_889_302e-14,
    1.421_085_482_803_160_8e-14,
    7.105_427_395_210_853e-15,
    3.552_713_691_337_114e-15,
    1.776_356_843_579_120_4e-15,
    8.881_784_210_930_816e-16,
    4.440_892_103_143_813e-16,
    2.220_446_050_798_042e-16,
    1.110_223_025_141_066_1e-16,
    5.551_115_124_845_481e-17,
    2.775_557_562_136_124e-17,
];

/// `ln Gamma(1 + a) / a` for `0 <= a <= 1`, to within `5e-16` absolute
/// (`-gamma` at `a = 0`, its limit); NaN outside that range.
///
/// Summed from Abramowitz and Stegun 6.1.33,
///
/// ```text
/// ln Gamma(1 + a) = -ln(1 + a) + a (1 - gamma) + sum_{k >= 2} (-1)^k (zeta(k) - 1) a^k / k
/// ```
///
/// whose terms fall as `(a / 2)^k`: the first left out (`k = 56`) is
/// below `2e-19` at `a = 1`. A log-gamma routine's `ln Gamma(1 + a)`, good to a few
/// `1e-15` absolute, loses digits when divided by a small `a` (`1e-11`
/// relative at `a = 1e-4` with statrs); this quotient is the exponent
/// of a small-shape gamma quantile.
///
/// ```
/// use merchantry_core::special::{EULER_MASCHERONI, ln_gamma_1p_over_a};
///
/// // Gamma(2) = 1, so ln Gamma(1 + 1) / 1 = 0.
/// assert!(ln_gamma_1p_over_a(1.0).abs() < 1e-15);
/// assert_eq!(ln_gamma_1p_over_a(0.0), -EULER_MASCHERONI);
/// assert!(ln_gamma_1p_over_a(1.5).is_nan());
/// ```
#[must_use]
pub fn ln_gamma_1p_over_a(a: f64) -> f64 {
    if !(0.0..=1.0).contains(&a) {
        return f64::NAN;
    }
    if a == 0.0 {
        return -EULER_MASCHERONI;
    }
    // sum_{k >= 2} (-1)^k (zeta(k) - 1) / k a^(k - 2), by Horner from
    // the last term.
    let tail = (2u32..56).zip(ZETA_MINUS_ONE).rev().fold(0.0f64, |sum, (k, z)| {
        let c = z / f64::from(k);
        sum.mul_add(a, if k % 2 == 0 { c } else { -c })
    });
    a.mul_add(tail, (1.0 - EULER_MASCHERONI) - a.ln_1p() / a)
}

/// Below this `p` a gamma quantile is solved in logarithms by
/// [`gamma_lower_tail_ln_quantile`] whatever `y` it lands on: a
/// regularized `P(a, y)` formed as an `f64` (statrs' is) is subnormal
/// from about `1e-308` down and 0 below the smallest subnormal, so a
/// bisection on it stops falling there (shape 25 read `1.67e-12` for
/// every `p` below `1e-310`; the true quantile at `1e-320` is
/// `6.45e-13`).
const LOG_TAIL_P: f64 = 1e-290;

/// The largest shape [`gamma_lower_tail_ln_quantile`] answers for: its
/// series takes about `9 sqrt(a)` terms at `y = a`, 2,800 here.
const LOG_TAIL_MAX_SHAPE: f64 = 1e5;

/// `ln S(a, y)` for `0 <= y <= max(1, a)`, `S = sum_{n >= 0} y^n / ((a +
/// 1) ... (a + n))`, the positive series with
/// `P(a, y) = y^a e^-y S / Gamma(1 + a)` (Abramowitz and Stegun 6.5.29,
/// Kummer's form). For `y <= 1` its terms fall at least as `1 / n!`; for
/// `y` up to `a` by the ratio `y / (a + n)`, which takes about
/// `9 sqrt(a)` terms at `y = a` (2,800 at shape `1e5`).
fn ln_lower_series(a: f64, y: f64) -> f64 {
    let (mut sum, mut term) = (1.0f64, 1.0f64);
    for n in 1..10_000u32 {
        term *= y / (a + f64::from(n));
        sum += term;
        if term <= 1e-17 * sum {
            break;
        }
    }
    sum.ln()
}

/// The `x` in `[lo, hi]` with `f(x) = target` for a rising `f`, bisected
/// until the bracket cannot shrink (at most about 2100 halvings from
/// `f64::MAX` down to the smallest subnormal).
///
/// ```
/// use merchantry_core::special::bisect_rising;
/// let root = bisect_rising(0.0, 2.0, 2.0, |x| x * x);
/// assert!((root - 2f64.sqrt()).abs() < 1e-15);
/// ```
#[must_use]
pub fn bisect_rising(mut lo: f64, mut hi: f64, target: f64, f: impl Fn(f64) -> f64) -> f64 {
    for _ in 0..2200 {
        let mid = 0.5 * lo + 0.5 * hi;
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * lo + 0.5 * hi
}

/// `ln y` with `ln P(a, y) = ln_p`, for `ln P(a, e^t_hi) >= ln_p` and
/// `e^t_hi <= max(1, a)`: `ln P(a, y) = a ln y - y - ln Gamma(1 + a) +
/// ln S(a, y)` ([`ln_lower_series`]) is bisected for `t = ln y` on
/// `[t0, t_hi]`, `t0 = (ln p + ln Gamma(1 + a)) / a` a lower bound (since
/// `e^-y S <= 1`). Neither `p` nor `y` is formed, so a subnormal `p` or
/// a `y` far below the smallest `f64` keeps its relative precision;
/// `-inf` when `t0` is (every such quantile is 0).
fn lower_tail_ln_y(a: f64, ln_gamma_1p_a: f64, ln_p: f64, t_hi: f64) -> f64 {
    let ln_cdf = |t: f64| {
        let y = t.exp();
        a * t - y - ln_gamma_1p_a + ln_lower_series(a, y)
    };
    let t0 = (ln_p + ln_gamma_1p_a) / a;
    if t0 == f64::NEG_INFINITY {
        return t0;
    }
    bisect_rising(t0, t_hi, ln_p, ln_cdf)
}

/// `ln y` for the `p` quantile `y` of the standard gamma distribution
/// (shape `a`, rate 1) when it lies in the lower tail, solved in
/// logarithms; `None` where the caller's own inversion of `P(a, y)`
/// keeps its relative precision, and for inputs outside the domain.
///
/// `ln_gamma_1p_a` is `ln Gamma(1 + a)`, supplied by the caller so this
/// crate needs no statistics library: for shapes below 1 take
/// `a * ln_gamma_1p_over_a(a)` ([`ln_gamma_1p_over_a`], which keeps its
/// digits as `a` falls), from 1 up a log-gamma routine's (statrs'
/// `ln_gamma(1.0 + a)`). The quantile moves by `1 / a` times any
/// relative error in it.
///
/// The lower tail is `p <= P(a, 1)` (the quantile at or below `y = 1`,
/// where an incomplete gamma function that reads `P(a, y)` as 0 below
/// `y = 1.1e-15`, as statrs' does, put the exponential's `1e-20`
/// quantile at `1.1e-15`), and, from shape 1 up, every `p` below `1e-290`
/// (`y` then below `a`, as `P(a, a)` is near 1/2; there `P(a, y)` as an
/// `f64` is subnormal or 0). `ln P(a, y) = a ln y - y - ln Gamma(1 + a) +
/// ln S(a, y)`, with `S` the positive series of Abramowitz and Stegun
/// 6.5.29, is bisected for `ln y`, so the quantile keeps falling with `p`
/// down to the smallest subnormal `p`, `5e-324`. Neither `p`'s CDF nor
/// `y` is formed as an `f64`: `-inf` is returned only when the lower
/// bound `(ln p + ln Gamma(1 + a)) / a` overflows (a shape that
/// underflows towards 0), and `ln y` may be far below `ln f64::MIN_POSITIVE`.
///
/// Domain: `a` in `(0, 1e5]`, `p` in `(0, 1)`, `ln_gamma_1p_a` finite;
/// `None` outside it. For `a >= 1` and `p > 0.64` (above `P(1, 1) =
/// 1 - 1/e`, so above `P(a, 1)` for every such shape) `None` at once.
///
/// Accuracy, against 50-digit mpmath roots (forecast's `leadtime` and
/// reorder's `safety` tests, and the tests here): within `2e-13`
/// relative of `y` down to `p = 5e-324` from shape 1 to `1e5` (the
/// resolution of `ln y` near `-744`), and within `1e-13 + 4e-16 / a` for
/// shapes below 1 (half an ulp of `p` moves the quantile by `1.1e-16 /
/// a` relative).
///
/// ```
/// use merchantry_core::special::gamma_lower_tail_ln_quantile;
///
/// // Shape 1 is the exponential, y = -ln(1 - p) = p (1 + p / 2 + ...):
/// // its 1e-300 quantile is 1e-300 (ln Gamma(2) = 0).
/// let t = gamma_lower_tail_ln_quantile(1.0, 0.0, 1e-300).unwrap();
/// assert!((t.exp() / 1e-300 - 1.0).abs() < 2e-13); // ln y resolves to 1e-13 at -691
/// // Its median, ln 2 = 0.69, is below y = 1 (p <= P(1, 1) = 1 - 1/e).
/// let t = gamma_lower_tail_ln_quantile(1.0, 0.0, 0.5).unwrap();
/// assert!((t - 2f64.ln().ln()).abs() < 1e-15);
/// // Above y = 1, or past shape 1e5, the caller inverts P(a, y) itself.
/// assert!(gamma_lower_tail_ln_quantile(1.0, 0.0, 0.7).is_none());
/// assert!(gamma_lower_tail_ln_quantile(2e5, 0.0, 0.1).is_none());
/// ```
#[must_use]
pub fn gamma_lower_tail_ln_quantile(a: f64, ln_gamma_1p_a: f64, p: f64) -> Option<f64> {
    if !(a > 0.0 && a <= LOG_TAIL_MAX_SHAPE && p > 0.0 && p < 1.0 && ln_gamma_1p_a.is_finite()) {
        return None;
    }
    // P(a, 1) falls as a grows, from P(1, 1) = 1 - 1/e = 0.632 at shape
    // 1: the usual upper quantiles skip the series.
    if a >= 1.0 && p > 0.64 {
        return None;
    }
    let ln_p = p.ln();
    // ln P(a, 1) = a ln 1 - 1 - ln Gamma(1 + a) + ln S(a, 1).
    let ln_p_one = -1.0 - ln_gamma_1p_a + ln_lower_series(a, 1.0);
    let t_hi = if ln_p <= ln_p_one {
        0.0
    } else if a >= 1.0 && p < LOG_TAIL_P {
        a.ln()
    } else {
        return None;
    };
    Some(lower_tail_ln_y(a, ln_gamma_1p_a, ln_p, t_hi))
}

/// `T(y) = sum_{n >= 1} (-1)^(n + 1) y^n / (n! (n + a))` for
/// `0 <= y <= 1`: alternating, each term below the last, so `a T` is the
/// small correction in `P(a, y) = e^u (1 - a T)` with `u = a (ln y - L)`,
/// `L = ln Gamma(1 + a) / a` (Abramowitz and Stegun 6.5.29, 6.5.4).
fn small_shape_series(a: f64, y: f64) -> f64 {
    let (mut sum, mut power) = (0.0, 1.0);
    for n in 1..40u32 {
        let n = f64::from(n);
        power *= y / n;
        let term = power / (n + a);
        sum += if n % 2.0 == 1.0 { term } else { -term };
        if term <= 1e-18 * sum {
            break;
        }
    }
    sum
}

/// `ln y` with `P(a, y) = p` for a shape `a < 1` and `p <= P(a, 1)`:
/// `ln y = L + (ln p - ln(1 - a T(y))) / a`, iterated from `T = 0`. The
/// map raises `y` towards the root and contracts (by at most about 0.42
/// a step) on `y <= 1`. `ln p` and `ln(1 - a T)` are each formed
/// without a difference of numbers near 1, so a `p` near 1 (a shape of
/// `1e-8` at `1 - 1e-8`) keeps its digits, where the log-space
/// bisection of [`gamma_lower_tail_ln_quantile`] (whose `-y + ln S`
/// cancels) loses them.
fn small_shape_lower_ln_y(a: f64, l: f64, ln_p: f64) -> f64 {
    let mut ln_y = l + ln_p / a;
    for _ in 0..100 {
        let y = ln_y.exp();
        let next = l + (ln_p - (-a * small_shape_series(a, y)).ln_1p()) / a;
        if next == ln_y || !next.is_finite() {
            break;
        }
        ln_y = next;
    }
    ln_y
}

/// The `y` with `Q(a, y) = tail` for `tail` in `(0, 1/2)`, the upper
/// tail `upper` falling in `y` (read as 1 at `y = 0`): from `[lo, hi]`,
/// `Q(lo) >= tail`, the bracket is doubled until `Q(hi) <= tail`, then
/// `-Q`, which rises, is bisected until the bracket cannot shrink.
fn upper_tail_y(tail: f64, mut lo: f64, mut hi: f64, upper: impl Fn(f64) -> f64) -> f64 {
    let sf = |y: f64| if y > 0.0 { upper(y) } else { 1.0 };
    while sf(hi) > tail && hi < f64::MAX / 4.0 {
        lo = hi;
        hi *= 2.0;
    }
    bisect_rising(lo, hi, -tail, |y| -sf(y))
}

/// `ln y` for the `p` quantile `y` of the standard gamma distribution
/// (shape `a`, rate 1), for a finite `a > 0` and `p` in `(0, 1)`: the
/// one inversion forecast's lead-time quantile and reorder's demand
/// quantile both read (each scales `y` to its own mean and spread, and
/// above shape `1e5` each reads the Wilson-Hilferty form instead).
///
/// The caller supplies `ln Gamma(1 + a)` (as for
/// [`gamma_lower_tail_ln_quantile`]: below shape 1 from
/// [`ln_gamma_1p_over_a`]) and its regularized incomplete gamma
/// functions, `lower(y) = P(a, y)` and `upper(y) = Q(a, y)` for finite
/// `y > 0` (statrs' `checked_gamma_lr` and `checked_gamma_ur`, errors
/// read as the limits 1 and 0), so this crate needs no statistics
/// library:
///
/// - Below shape 1, at or below `y = 1` (`p <= P(a, 1)`), `ln y = L +
///   (ln p - ln(1 - a T)) / a` is iterated from the lower-tail series
///   (Abramowitz and Stegun 6.5.29), so the quantile keeps its relative
///   precision however small the shape and however close `p` is to 1
///   (the iteration is reorder's, from before the merge); above `y = 1`
///   the upper tail `Q(a, y) = 1 - p` is bisected (a continued fraction
///   for `Q` is accurate there; `P` near 1 would leave no digits of
///   `1 - p`).
/// - From shape 1 up, for `p` above one half the upper tail
///   `Q(a, y) = 1 - p` is bisected (`1 - p` is exact in `f64` there, and
///   `Q` keeps its relative precision where `P` is near 1: bisecting
///   `P` put the exponential's quantile at `1 - 2^-53` at 36.33, not
///   `53 ln 2 = 36.74`, and was `2.4e-8` off at `1 - 1e-10`). For `p`
///   up to one half, in the lower tail (at or below `y = 1`, and every
///   `p` below `1e-290`, up to shape `1e5`)
///   [`gamma_lower_tail_ln_quantile`] solves in logarithms, so the
///   quantile keeps falling with `p` down to `5e-324`; elsewhere
///   `P(a, y) = p` is bisected.
/// - Each upper or lower bisection starts from `[0, 2 a + 10]` (`[1,
///   2]` below shape 1), the bracket doubled until it holds the root.
///
/// Every bisection runs until the bracket cannot shrink
/// ([`bisect_rising`]). `None` outside the domain (and for a non-finite
/// `ln_gamma_1p_a`). Accuracy is that of the caller's `P` and `Q` where
/// they are bisected (within `2e-13` relative of 50-digit mpmath roots
/// with statrs' in forecast's `leadtime` and reorder's `safety` tests,
/// about `1e-12` in the bulk of shapes near `1e5`), that of
/// [`gamma_lower_tail_ln_quantile`] in its part, and below shape 1
/// within `1e-10` relative of 60-digit roots for the exact `f64` `p`,
/// shapes down to `1e-14` (reorder's `safety` tests; `1e-12` at shapes
/// `1e-8` and `1e-6` for `p` near 1 in forecast's `leadtime` tests).
/// With `Q` good to a few ulps relative, as statrs' is and the closed
/// forms of integer shapes are, the upper quantiles keep that precision
/// up to the largest `p` below 1 at every shape: shapes 1 and 2 within
/// `1e-14` of `-ln(1 - p)` and the root of `(1 + y) e^-y = 1 - p` for
/// `p` from `1 - 1e-6` to `1 - 2^-53` (the tests here; `1e-13` through
/// statrs in forecast's and reorder's).
///
/// ```
/// use merchantry_core::special::gamma_ln_quantile;
///
/// // Shape 1 is the exponential: P = 1 - e^-y, Q = e^-y, and the 0.95
/// // quantile is -ln 0.05 = 2.9957 (p above one half: bisected on Q).
/// let lower = |y: f64| -(-y).exp_m1();
/// let upper = |y: f64| (-y).exp();
/// let t = gamma_ln_quantile(1.0, 0.0, 0.95, lower, upper).unwrap();
/// assert!((t.exp() - 2.995_732_273_553_991).abs() < 1e-14);
/// assert!(gamma_ln_quantile(1.0, 0.0, 1.0, lower, upper).is_none());
/// ```
#[must_use]
pub fn gamma_ln_quantile(
    a: f64,
    ln_gamma_1p_a: f64,
    p: f64,
    lower: impl Fn(f64) -> f64,
    upper: impl Fn(f64) -> f64,
) -> Option<f64> {
    if !(a > 0.0 && a.is_finite() && p > 0.0 && p < 1.0 && ln_gamma_1p_a.is_finite()) {
        return None;
    }
    if a < 1.0 {
        let l = ln_gamma_1p_a / a;
        // P(a, 1) = e^u (1 - a T(1)) with u = -a L at y = 1.
        let p_one = (-ln_gamma_1p_a).exp() * a.mul_add(-small_shape_series(a, 1.0), 1.0);
        if p <= p_one {
            return Some(small_shape_lower_ln_y(a, l, p.ln()));
        }
        // Here 1 - p < Q(a, 1), and p > 1 - Q(a, 1) > 1/2.
        return Some(upper_tail_y(1.0 - p, 1.0, 2.0, upper).ln());
    }
    if p > 0.5 {
        // 1 - p is exact for p >= 1/2 (Sterbenz), and Q(a, y) keeps its
        // relative precision where P(a, y) is near 1: bisecting P lost
        // the digits of 1 - p (the exponential's quantile at
        // 1 - 2^-53 read 36.33, not -ln 2^-53 = 36.74).
        return Some(upper_tail_y(1.0 - p, 0.0, 2.0f64.mul_add(a, 10.0), upper).ln());
    }
    if let Some(t) = gamma_lower_tail_ln_quantile(a, ln_gamma_1p_a, p) {
        return Some(t);
    }
    let cdf = |y: f64| if y > 0.0 { lower(y) } else { 0.0 };
    let (mut lo, mut hi) = (0.0, 2.0f64.mul_add(a, 10.0));
    while cdf(hi) < p && hi < f64::MAX / 4.0 {
        lo = hi;
        hi *= 2.0;
    }
    Some(bisect_rising(lo, hi, p, cdf).ln())
}

/// The Wilson-Hilferty reading of a gamma quantile in units of its
/// mean: `(1 - c^2 / 9 + z c / 3)^3` for coefficient of variation `c`
/// and `z` the standard normal quantile of `p` (the caller's, so core
/// needs no statistics library). `(1 + e)^3` with `e = c z / 3 - c^2 /
/// 9` is expanded so that a tiny `e` keeps its digits until the final
/// add.
///
/// ```
/// use merchantry_core::special::wilson_hilferty_unit_quantile;
/// // c = 0.003 (shape about 1.1e5), z = 1: e = 0.001 - 0.000001, and
/// // the quantile is 1.000999 cubed.
/// let q = wilson_hilferty_unit_quantile(0.003, 1.0);
/// assert!((q - 1.000_999_f64.powi(3)).abs() < 1e-15);
/// ```
#[must_use]
pub fn wilson_hilferty_unit_quantile(c: f64, z: f64) -> f64 {
    let e = c * (z / 3.0 - c / 9.0);
    1.0 + e * (3.0 + e * (3.0 + e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_gamma_1p_over_a_keeps_every_digit_at_small_shapes() {
        // 50-digit mpmath loggamma(1 + a) / a (a tester's and a
        // helper's independent runs). statrs' ln_gamma(1 + a) / a was
        // 1e-11 off at a = 1e-4 and 2e-14 at a = 0.5.
        let cases = [
            (1e-8, -0.577_215_656_676_862_6),
            (1e-4, -0.577_133_422_204_776_3),
            (1.0001e-4, -0.577_133_413_980_907_2),
            (3e-3, -0.574_751_862_683_045_3),
            (0.1, -0.498_724_412_598_397_2),
            (0.3, -0.360_582_698_359_534_94),
            (0.4999, -0.241_620_087_934_574_8),
            (0.5, -0.241_564_475_270_490_44),
            (0.7, -0.136_868_139_152_951_26),
            (0.999, -0.000_422_884_685_377_531_7),
        ];
        for (a, want) in cases {
            let got = ln_gamma_1p_over_a(a);
            // Absolute: it is an exponent's term (and near a = 1 it
            // tends to 0).
            assert!((got - want).abs() < 5e-16, "{a}: {got} vs {want}");
        }
        assert_eq!(ln_gamma_1p_over_a(0.0), -EULER_MASCHERONI);
        // Gamma(2) = 1.
        assert!(ln_gamma_1p_over_a(1.0).abs() < 1e-15);
        for bad in [-1e-300, 1.000_000_1, f64::NAN, f64::INFINITY] {
            assert!(ln_gamma_1p_over_a(bad).is_nan(), "{bad}");
        }
    }

    #[test]
    fn gamma_lower_tail_ln_quantile_matches_50_digit_roots() {
        // (a, p, ln Gamma(1 + a), ln y), rounded to f64: 60-digit mpmath
        // roots of ln P(a, y) = ln p for the exact f64 p. By hand: shape
        // 1 is -ln(1 - p) = p (1 + p / 2 + ...), so p itself; shape 2
        // has P(2, y) = 1 - e^-y (1 + y) = y^2 / 2 - y^3 / 3 + ..., so
        // y = sqrt(2 p) (1 + sqrt(2 p) / 3 + ...), sqrt(2) 1e-150 at
        // p = 1e-300.
        let cases: [(f64, f64, f64, f64); 10] = [
            (1.0, 1e-20, 0.0, -46.051_701_859_880_914),
            (1.0, 5e-324, 0.0, -744.440_071_921_381_2),
            (2.0, 1e-300, std::f64::consts::LN_2, -345.041_190_358_826_9),
            (2.0, 0.1, std::f64::consts::LN_2, -0.631_465_971_924_031_6),
            (0.5, 0.3, -0.120_782_237_635_245_22, -2.600_507_001_862_547_4),
            // y = 5.66e-10001, far below the smallest f64: ln y is finite.
            (0.01, 1e-100, -0.005_690_307_946_069_646, -23_026.419_960_735_064),
            (25.0, 1e-320, 58.003_605_222_980_52, -27.152_945_426_719_672),
            (1e3, 1e-300, 5_912.128_178_488_163, 5.455_014_932_978_098),
            (1e5, 1e-300, 1_051_299.221_899_121_8, 11.393_435_913_046_385),
            (1e5, 5e-324, 1_051_299.221_899_121_8, 11.388_760_286_613_564),
        ];
        for (a, p, ln_gamma, want) in cases {
            let got = gamma_lower_tail_ln_quantile(a, ln_gamma, p).unwrap_or(f64::NAN);
            // ln y to 2e-13 (y to 2e-13 relative), plus what half an ulp
            // of p and of ln y itself move it by.
            let tol = 2e-13 + 4e-16 / a + 4e-16 * want.abs();
            assert!((got - want).abs() < tol, "{a} {p:e}: {got} vs {want}");
        }
        // y = 1e-20 and 5e-324 themselves for the exponential.
        let y = gamma_lower_tail_ln_quantile(1.0, 0.0, 1e-20).map(f64::exp);
        assert!(y.is_some_and(|y| (y / 1e-20 - 1.0).abs() < 1e-13), "{y:?}");
        let y = gamma_lower_tail_ln_quantile(1.0, 0.0, 5e-324).map(f64::exp);
        assert_eq!(y, Some(5e-324));
    }

    #[test]
    fn gamma_lower_tail_ln_quantile_falls_with_p_down_to_the_smallest_subnormal() {
        for (a, ln_gamma) in [
            (1.0, 0.0),
            (2.0, std::f64::consts::LN_2),
            (25.0, 58.003_605_222_980_52),
            (1e5, 1_051_299.221_899_121_8),
        ] {
            let (mut p, mut last) = (0.5, f64::INFINITY);
            while p > 0.0 {
                // Above y = 1 and 1e-290 the caller's own inversion.
                if let Some(t) = gamma_lower_tail_ln_quantile(a, ln_gamma, p) {
                    assert!(t < last, "shape {a}, p {p:e}: {t} after {last}");
                    last = t;
                }
                p *= 0.5;
            }
            assert!(last.is_finite(), "shape {a}");
        }
    }

    #[test]
    fn gamma_lower_tail_ln_quantile_leaves_the_upper_part_and_bad_input_to_the_caller() {
        // Above y = 1: shape 1 past P(1, 1) = 0.632, shape 25 at 1e-20
        // (P(25, 1) = 2.5e-26) and above 1e-290.
        assert!(gamma_lower_tail_ln_quantile(1.0, 0.0, 0.633).is_none());
        assert!(gamma_lower_tail_ln_quantile(25.0, 58.003_605_222_980_52, 1e-20).is_none());
        for (a, ln_gamma, p) in [
            (0.0, 0.0, 0.1),
            (-1.0, 0.0, 0.1),
            (f64::NAN, 0.0, 0.1),
            (2e5, 0.0, 1e-300),
            (1.0, f64::NAN, 0.1),
            (1.0, 0.0, 0.0),
            (1.0, 0.0, 1.0),
            (1.0, 0.0, f64::NAN),
        ] {
            assert!(gamma_lower_tail_ln_quantile(a, ln_gamma, p).is_none(), "{a} {ln_gamma} {p}");
        }
    }

    #[test]
    fn gamma_ln_quantile_inverts_closed_form_gammas() {
        // Integer shapes have closed forms: Q(1, y) = e^-y, Q(2, y) =
        // e^-y (1 + y), Q(3, y) = e^-y (1 + y + y^2 / 2). 40-digit
        // mpmath roots: -ln 0.05 = 2.99573227355399; Q(2, y) = 1/2 at
        // 1.67834699001666; Q(3, y) = 0.01 at 8.40594691488547. Each
        // above y = 1 (P(2, 1) = 1 - 2 / e = 0.26), so bisected: on P
        // at p = 1/2, on Q above it.
        let q1 = |y: f64| (-y).exp();
        let q2 = |y: f64| (-y).exp() * (1.0 + y);
        let q3 = |y: f64| (-y).exp() * (1.0 + y + 0.5 * y * y);
        let ln2 = std::f64::consts::LN_2;
        type Upper<'a> = &'a dyn Fn(f64) -> f64;
        let cases: [(f64, f64, f64, Upper<'_>, f64); 3] = [
            (1.0, 0.0, 0.95, &q1, 2.995_732_273_553_991),
            (2.0, ln2, 0.5, &q2, 1.678_346_990_016_660_7),
            (3.0, 6f64.ln(), 0.99, &q3, 8.405_946_914_885_466),
        ];
        for (a, ln_gamma, p, q, want) in cases {
            let t = gamma_ln_quantile(a, ln_gamma, p, |y| 1.0 - q(y), q).unwrap_or(f64::NAN);
            assert!((t.exp() / want - 1.0).abs() < 1e-14, "{a} {p}: {} vs {want}", t.exp());
        }
        // The lower tail is the log-space solver's, bit for bit.
        let t = gamma_ln_quantile(2.0, ln2, 1e-300, |_| f64::NAN, |_| f64::NAN);
        assert_eq!(t, gamma_lower_tail_ln_quantile(2.0, ln2, 1e-300));
        for (a, p) in [(0.0, 0.5), (f64::INFINITY, 0.5), (1.0, 0.0), (1.0, 1.0), (f64::NAN, 0.5)] {
            assert!(gamma_ln_quantile(a, 0.0, p, q1, q1).is_none(), "{a} {p}");
        }
    }

    #[test]
    fn gamma_ln_quantile_keeps_the_digits_of_one_minus_p_from_shape_one_up() {
        // 1 - p is exact for these f64 p (p >= 1/2): 2^-53 =
        // 1.1102230246251565e-16, 9.992007221626409e-16 (for 1 - 1e-15),
        // 1.000000082740371e-10 (for 1 - 1e-10), 1.0000000000287557e-6.
        // Shape 1: Q(1, y) = e^-y, so y = -ln(1 - p); -ln 2^-53 = 53 ln 2
        // = 36.7368005696771. Shape 2: Q(2, y) = (1 + y) e^-y = 1 - p,
        // solved with 60-digit mpmath (findroot from y = 30). Bisecting
        // P = 1 - e^-y on p lost the digits of 1 - p: the exponential
        // read 36.3313 at 1 - 2^-53 (1.1% low), 1.6e-3 off at 1 - 1e-15
        // and 2.4e-8 off at 1 - 1e-10.
        let q1 = |y: f64| (-y).exp();
        let p1 = |y: f64| -(-y).exp_m1();
        let q2 = |y: f64| (-y).exp() * (1.0 + y);
        let p2 = |y: f64| 1.0 - q2(y);
        let ln2 = std::f64::consts::LN_2;
        let cases = [
            (1.0 - f64::EPSILON / 2.0, 36.736_800_569_677_1, 40.461_567_483_087_465),
            (1.0 - 1e-15, 34.539_575_992_340_88, 38.208_468_755_484_82),
            (1.0 - 1e-10, 23.025_850_847_200_09, 26.333_981_519_648_54),
            (1.0 - 1e-6, 13.815_510_557_935_518, 16.688_420_790_829_44),
        ];
        for (p, want1, want2) in cases {
            let y1 = gamma_ln_quantile(1.0, 0.0, p, p1, q1).map_or(f64::NAN, f64::exp);
            assert!((y1 / want1 - 1.0).abs() < 1e-14, "shape 1 at {p}: {y1} vs {want1}");
            assert!((y1 / -(1.0 - p).ln() - 1.0).abs() < 1e-14, "shape 1 at {p}: {y1}");
            let y2 = gamma_ln_quantile(2.0, ln2, p, p2, q2).map_or(f64::NAN, f64::exp);
            assert!((y2 / want2 - 1.0).abs() < 1e-14, "shape 2 at {p}: {y2} vs {want2}");
        }
    }
}
