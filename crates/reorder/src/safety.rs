//! Safety stock: demand over the protection interval and the service
//! targets that size the buffer against it.
//!
//! # Conventions
//!
//! Demand per day has mean `d` and standard deviation `sd_d`, days are
//! independent; the protection interval has mean length `P` days and
//! standard deviation `sd_P`. Demand over the interval then has mean
//! `mu = d * P` and standard deviation
//!
//! ```text
//! sigma = sqrt(P * sd_d^2 + d^2 * sd_P^2)
//! ```
//!
//! the random-demand, random-lead-time formula of Silver, Pyke and
//! Peterson (*Inventory Management and Production Planning and
//! Scheduling*, 3rd ed., section 7.11) and Axsäter (*Inventory Control*,
//! section 5.3). Under continuous review `P` is the lead time `L`; under
//! periodic review it is `L + R` with the review period `R` fixed, so
//! `sd_P = sd_L`. The reorder point is `s = mu + SS`.
//!
//! - A **cycle service level** `p` (probability of no stockout in a
//!   replenishment cycle) gives `SS = z * sigma` with `z` the standard
//!   normal quantile of `p`.
//! - A **fill rate** `beta` (share of demand met from stock) gives
//!   `SS = k * sigma` where `k` solves the exact (s, Q) equation
//!   `G(k) - G(k + Q / sigma) = (1 - beta) * Q / sigma`, with
//!   `G(k) = phi(k) - k * (1 - Phi(k))` the standard normal loss function
//!   and `Q` the expected demand per cycle (the lot): the left side
//!   times `sigma` is the expected shortage per cycle
//!   `E[(X - s)+] - E[(X - s - Q)+]` (Hadley and Whitin;
//!   Silver-Pyke-Peterson 7.3.2, Axsäter 5.3.3).
//!   The textbook shortcut `G(k) = (1 - beta) Q / sigma` drops
//!   `G(k + Q / sigma)`, which is below `1e-3 G(k)` once `Q > 3 sigma`
//!   and `k >= 0` (at `k = -1` it is still `8e-3 G(k)`, at `k = -2`
//!   `4e-2`: low fill rates on large lots), but it sends `k` to infinity
//!   as `Q` falls to 0; the exact equation does not.
//! - A fill rate under **periodic review** (R, S) is met exactly by
//!   [`periodic_fill_rate_level`]: the shortage of a cycle is
//!   `E[(X_(L+R) - S)+] - E[(X_L - S)+]` (short just before the next
//!   order lands, less short just before this one lands, counted in the
//!   cycle before), set equal to `(1 - beta) m` with
//!   `m = mu_(L+R) - mu_L` the review period's demand, each term with its
//!   own spread (`sigma_L` of the lead time alone). Silver-Pyke-Peterson's
//!   (R, S) shortcut `sigma_(L+R) G(k) = (1 - beta) d R` drops the second
//!   term and protects more; the (s, Q) form with `Q = d R` (the
//!   interval demand shifted down by `d R` in place of `X_L`), which
//!   this crate used before, is exact only when daily demand has no
//!   spread and protects less otherwise (d 5, sd 5, L 5, R 1, 90%: it
//!   gave `S = 43.31`, which meets 87.5%; the exact level is 44.85, the
//!   shortcut's 46.54). The three agree once `d R` is a few `sigma` and
//!   `k >= 0`.
//! - `k`, hence the safety stock and the reorder point, may be
//!   negative; nothing here clamps them. With no spread (`sigma` 0) the
//!   demand is certain, the shortage per cycle is `clamp(mu - s, 0, Q)`,
//!   and the fill rate is met at `s = mu - (1 - beta) Q` under either
//!   model (the limit of `mu + k sigma` as `sigma` falls to 0).
//! - **Small and zero lots.** Divided by `Q`, the exact shortage is the
//!   average of `P(X > t)` over `[s, s + Q]`, so the reorder point lies
//!   in `[x - Q, x]` with `x` the `beta` quantile of the interval demand,
//!   falls as `Q` grows, and tends to `x` (as `x - Q / 2`) as `Q` falls
//!   to 0. `Q = 0` itself (a zero lot, or a review period of no length)
//!   gives `x`: the ready rate `P(X <= s)`, one-for-one replenishment
//!   meeting demand from stock exactly when the interval demand is below
//!   the stock. The reorder point is continuous and monotone in `Q`
//!   under either model, down to `Q = 0` (the reorder point 0 when there
//!   is no interval demand either).
//! - **Domain.** A lot must be finite, at or above 0 and at most
//!   [`MAX_LOT`] (`2^53` units); outside that the fill-rate functions
//!   return [`ReorderError::InvalidStatistic`] (`what` is `lot`). The
//!   expected shortage over the lot is summed by 10-point Gauss-Legendre
//!   where the lot is short against the scale on which `P(X > t)`
//!   changes and as a difference of loss functions elsewhere. Against
//!   40-digit roots the normal factor is within `2e-9` (the reach of
//!   statrs' `1 - Phi`, good to about `5e-11` relative; fill rates below
//!   1/2 are solved for the units met, `fill * Q`, so a fill as small
//!   as `1e-10` keeps its digits) and the gamma point within `1e-10` of
//!   the mean (checked against 50-digit roots from shape 1 to `1e5`, and
//!   above shape `1e4` against 40-digit roots for lots from `0.003` to
//!   `1` mean and by hand, `s = mu - (1 - beta) Q`, for lots from one to
//!   a thousand means); under Wilson-Hilferty, from shape `1e5` up,
//!   within `2e-7 sigma` for fill rates to 0.98 (checked at shapes `2e5`
//!   and `1e6`), and within `2e-6 sigma` at 0.999 for small lots (an
//!   independent check measured 1.9e-6 sigma at shape 1e5, a 0.999 fill
//!   rate and a lot of 0.0005 mean; 6e-9 of the mean).
//! - For lumpy demand the [`DemandModel::Gamma`] alternative fits a gamma
//!   distribution with the same mean and standard deviation and reads the
//!   quantile (cycle service) or solves the same exact fill-rate
//!   equation with the gamma expected shortage
//!   `E[(X - s)+] = mu * (1 - F(s; a + 1, b)) - s * (1 - F(s; a, b))`,
//!   `a = mu^2 / sigma^2`, `b = mu / sigma^2` the rate, summed as
//!   `(mu - s) (1 - F(s; a, b)) + s f(s; a, b) / b` (`f` the density),
//!   which does not subtract two tails near 1/2 at large shapes.
//!   Above shape `a = 1e5` the gamma is read through the Wilson-Hilferty
//!   transformation (`(X / mu)^(1/3)` normal with mean `1 - 1/(9a)` and
//!   variance `1/(9a)`), accurate there to `1e-5 sigma` for quantiles up
//!   to `p = 1 - 1e-6` and `1e-7 sigma` for expected shortages; a spread
//!   at or below `2^-58` of the mean is certain demand (`s = mu`, or
//!   `mu` less the allowed shortage for a fill rate). Below shape 1 (a
//!   spread above the mean) the lower tail is summed here from the series
//!   of the incomplete gamma function, in logarithms, because statrs
//!   reads it as 0 or 1 there; this holds down to shapes that underflow
//!   (`sigma / mu` up to `f64::MAX` over `f64::MIN_POSITIVE`), where the
//!   quantile tends to 0 and the shortage to `mu (e^-y - y E1(y))`,
//!   `y = s mu / sigma^2`. Checked against 60-digit values to `1e-10`
//!   relative. Up to shape `1e5` the quantile is core's
//!   [`merchantry_core::special::gamma_ln_quantile`] (the one forecast's
//!   lead-time quantile reads): from shape 1 up the lower tail (below
//!   `sigma^2 / mu`, or `p` below `1e-290`) is solved in logarithms as
//!   well, so it keeps falling with `p` down to `p = 5e-324` (statrs'
//!   `P(a, y)` is 0 below `y = 1.1e-15`, where bisecting it stopped), and
//!   for `p` above one half the upper tail `Q(a, y) = 1 - p` is solved,
//!   so a `p` near 1 keeps the digits of `1 - p`. A quantile or
//!   reorder point past `f64::MAX` is refused by [`safety_stock`] with a
//!   typed error.

use merchantry_core::special::{
    gamma_ln_quantile, ln_gamma_1p_over_a, wilson_hilferty_unit_quantile,
};
use merchantry_core::{DailyForecast, ServiceLevel};
use statrs::distribution::{Continuous, ContinuousCDF, Gamma, Normal};
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur};

use crate::error::{ReorderError, Result};

/// What the safety stock protects: a cycle service level or a fill rate.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ServiceTarget {
    /// Probability that a replenishment cycle ends without a stockout.
    CycleService(ServiceLevel),
    /// Share of demand met from stock on hand.
    FillRate(ServiceLevel),
}

/// The distribution assumed for demand over the protection interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DemandModel {
    /// Normal with the interval's mean and standard deviation (default).
    #[default]
    Normal,
    /// Gamma with the same mean and standard deviation: never negative and
    /// right-skewed, better for slow or lumpy demand.
    Gamma,
}

/// Demand over a protection interval, built from daily demand and the
/// interval's length and spread.
///
/// ```
/// use merchantry_reorder::DemandOverInterval;
/// // d = 20/day, sd_d = 5, L = 10 days, sd_L = 2 days:
/// // mu = 200, sigma = sqrt(10 * 25 + 400 * 4) = sqrt(1850) = 43.01
/// let x = DemandOverInterval::new(10.0, 2.0, 20.0, 5.0);
/// assert_eq!(x.mean, 200.0);
/// assert!((x.std_dev - 1850f64.sqrt()).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DemandOverInterval {
    /// Interval length `P` in days.
    pub days: f64,
    /// Standard deviation of the interval length, `sd_P`.
    pub days_std_dev: f64,
    /// Mean daily demand `d` over the interval.
    pub daily_mean: f64,
    /// Standard deviation of daily demand `sd_d`.
    pub daily_std_dev: f64,
    /// `mu = d * P`.
    pub mean: f64,
    /// `sigma = sqrt(P * sd_d^2 + d^2 * sd_P^2)`.
    pub std_dev: f64,
}

impl DemandOverInterval {
    /// Demand over an interval of `days` (spread `days_std_dev`) with
    /// daily mean `daily_mean` and spread `daily_std_dev`.
    ///
    /// A variance term with a zero factor is zero however large the other
    /// factor (`d^2 * 0^2` is not `inf * 0`), and when the squares
    /// overflow `sigma` is taken as the hypotenuse of the two roots, so
    /// `std_dev` is infinite only when `sigma` itself is past `f64::MAX`.
    ///
    /// Nothing is checked here (the fields are public data): a NaN,
    /// infinite or negative argument passes into `mean` or `std_dev`,
    /// and [`safety_stock`] refuses a mean that is not finite or a
    /// spread that is NaN, infinite or negative with
    /// [`ReorderError::InvalidStatistic`]. [`DemandOverInterval::from_daily`]
    /// checks its inputs and returns `None` instead.
    #[must_use]
    pub fn new(days: f64, days_std_dev: f64, daily_mean: f64, daily_std_dev: f64) -> Self {
        let mean = daily_mean * days;
        let std_dev = interval_std_dev(days, days_std_dev, daily_mean, daily_std_dev);
        Self { days, days_std_dev, daily_mean, daily_std_dev, mean, std_dev }
    }

    /// Reads `d` and `sd_d` from a daily forecast: the average mean and
    /// the root mean variance of the first `ceil(days)` forecast days
    /// (at least one, at most the horizon), so a spike inside the
    /// interval raises the rate. `None` for an empty forecast.
    #[must_use]
    pub fn from_forecast(forecast: &DailyForecast, days: f64, days_std_dev: f64) -> Option<Self> {
        Self::from_daily(forecast.mean(), forecast.std_dev(), days, days_std_dev)
    }

    /// As [`DemandOverInterval::from_forecast`], from per-day means and
    /// standard deviations (day 0 first). `None` when `mean` is empty,
    /// when `days` or `days_std_dev` is negative, NaN or infinite, or
    /// when the result is not finite (a NaN or huge day in the slices).
    #[must_use]
    pub fn from_daily(mean: &[f64], std_dev: &[f64], days: f64, days_std_dev: f64) -> Option<Self> {
        let usable = |x: f64| x.is_finite() && x >= 0.0;
        if !(usable(days) && usable(days_std_dev)) {
            return None;
        }
        let n = window_len(days, mean.len().min(std_dev.len()))?;
        let sum: f64 = mean.get(..n)?.iter().sum();
        let var: f64 = std_dev.get(..n)?.iter().map(|s| s * s).sum();
        let n = usize_to_f64(n);
        let x = Self::new(days, days_std_dev, sum / n, (var / n).sqrt());
        (x.mean.is_finite() && x.std_dev.is_finite()).then_some(x)
    }
}

/// `sqrt(P sd_d^2 + d^2 sd_P^2)`, a term with a zero factor counting 0.
fn interval_std_dev(days: f64, days_std_dev: f64, daily_mean: f64, daily_std_dev: f64) -> f64 {
    let nothing = |a: f64, b: f64| a == 0.0 || b == 0.0;
    let daily_part = !nothing(days, daily_std_dev);
    let days_part = !nothing(daily_mean, days_std_dev);
    let mut var = 0.0;
    if daily_part {
        var += days * daily_std_dev * daily_std_dev;
    }
    if days_part {
        var += daily_mean * daily_mean * days_std_dev * days_std_dev;
    }
    if var.is_finite() {
        return var.sqrt();
    }
    // The squares overflowed (or a factor is not finite): combine the
    // roots sqrt(P) sd_d and |d| sd_P instead.
    let root = |on: bool, x: f64| if on { x } else { 0.0 };
    root(daily_part, days.sqrt() * daily_std_dev)
        .hypot(root(days_part, daily_mean.abs() * days_std_dev))
}

/// `ceil(days)` clamped to `1..=horizon`, `None` for an empty horizon.
fn window_len(days: f64, horizon: usize) -> Option<usize> {
    if horizon == 0 {
        return None;
    }
    let wanted = if days.is_finite() && days > 1.0 { days.ceil() } else { 1.0 };
    let cap = usize_to_f64(horizon);
    if wanted >= cap {
        return Some(horizon);
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "wanted is a whole number in 1..horizon"
    )]
    Some(wanted as usize)
}

/// A count as a float, for statistics.
#[expect(clippy::cast_precision_loss, reason = "counts of days stay far below 2^53")]
pub(crate) const fn usize_to_f64(n: usize) -> f64 {
    n as f64
}

/// The safety stock and reorder point chosen for a service target.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SafetyStock {
    /// The safety factor `k` (`z` for a cycle service level) under the
    /// normal model; `None` under the gamma model, and for a fill rate on
    /// certain normal demand (`sigma` 0, or so small that `Q / sigma`
    /// overflows), where the safety stock `-(1 - fill) Q` is no multiple
    /// of the spread.
    pub factor: Option<f64>,
    /// Safety stock `SS = s - mu` in units; may be negative.
    pub units: f64,
    /// Reorder point `s = mu + SS` in units; may be negative.
    pub reorder_point: f64,
}

/// The standard normal quantile for a cycle service level: `z` with
/// `Phi(z) = p`.
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::z_for_cycle_service;
/// let z = z_for_cycle_service(ServiceLevel::new(0.95)?);
/// assert_eq!((z * 1e4).round() / 1e4, 1.6449);
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[must_use]
pub fn z_for_cycle_service(level: ServiceLevel) -> f64 {
    // ServiceLevel is strictly inside (0, 1), the domain inverse_cdf
    // accepts.
    Normal::standard().inverse_cdf(level.get())
}

/// The standard normal loss function
/// `G(k) = phi(k) - k * (1 - Phi(k))`: expected units short per unit of
/// standard deviation when stock is `k` deviations above the mean.
///
/// Defined for every `f64`: `G(+inf) = 0`, `G(-inf) = +inf` (the limits;
/// `G(k)` tends to `-k` as `k` falls), and NaN for NaN.
///
/// ```
/// use merchantry_reorder::normal_loss;
/// // G(0) = phi(0) = 1 / sqrt(2 pi) = 0.398942...
/// assert!((normal_loss(0.0) - 0.398_942_280_4).abs() < 1e-9);
/// ```
#[must_use]
pub fn normal_loss(k: f64) -> f64 {
    if k == f64::INFINITY {
        // phi(k) - k (1 - Phi(k)) is 0 - inf * 0 in floats; the limit is 0.
        return 0.0;
    }
    let n = Normal::standard();
    n.pdf(k) - k * n.sf(k)
}

/// The largest expected demand per cycle (lot) the fill-rate equations
/// take: `2^53` units, past which an `f64` no longer holds every whole
/// unit (and far past any order a [`Quantity`](merchantry_core::Quantity)
/// planner places). A larger lot is refused with
/// [`ReorderError::InvalidStatistic`] rather than solved: its safety stock
/// `-(1 - fill) * lot` would be as meaningless as the lot.
pub const MAX_LOT: f64 = 9_007_199_254_740_992.0;

/// Gauss-Legendre nodes (positive half) and weights, 10 points on
/// `[-1, 1]` (Abramowitz and Stegun table 25.4).
const GAUSS_LEGENDRE_10: [(f64, f64); 5] = [
    (0.148_874_338_981_631_2, 0.295_524_224_714_752_87),
    (0.433_395_394_129_247_2, 0.269_266_719_309_996_36),
    (0.679_409_568_299_024_4, 0.219_086_362_515_982_04),
    (0.865_063_366_688_984_5, 0.149_451_349_150_580_6),
    (0.973_906_528_517_171_7, 0.066_671_344_308_688_14),
];

/// `int_lo^(lo + width) f(t) dt` by 10-point Gauss-Legendre.
fn gauss_legendre(lo: f64, width: f64, f: impl Fn(f64) -> f64) -> f64 {
    let (mid, half) = (lo + 0.5 * width, 0.5 * width);
    let sum: f64 =
        GAUSS_LEGENDRE_10.iter().map(|&(x, w)| w * (f(mid - half * x) + f(mid + half * x))).sum();
    half * sum
}

/// `G(k) - G(k + q) = int_k^(k + q) (1 - Phi(t)) dt`, `q >= 0`: the
/// expected shortage per cycle of a lot of `q` standard deviations,
/// per standard deviation.
///
/// Where the interval is short against the scale on which `1 - Phi`
/// changes (`q (1 + max(k + q, 0)) <= 1`, the right-tail hazard being
/// about `t`) the integral is summed by Gauss-Legendre, whose error
/// there is below `1e-16` relative; elsewhere the two loss values are
/// subtracted, which loses at most the digits `k` itself cannot hold.
fn normal_loss_drop(k: f64, q: f64) -> f64 {
    if q == 0.0 {
        return 0.0;
    }
    if q * (1.0 + (k + q).max(0.0)) <= 1.0 {
        let n = Normal::standard();
        return gauss_legendre(k, q, |t| n.sf(t));
    }
    normal_loss(k) - normal_loss(k + q)
}

/// Bisects a decreasing `f` for `f(x) = target` on `[lo, hi]` until the
/// bracket stops shrinking (`f(lo) >= target >= f(hi)` assumed).
fn bisect_decreasing(mut lo: f64, mut hi: f64, target: f64, f: impl Fn(f64) -> f64) -> f64 {
    // 2200 halvings take any f64 bracket down to adjacent floats.
    for _ in 0..2200 {
        let mid = 0.5 * lo + 0.5 * hi;
        if mid <= lo || mid >= hi {
            break;
        }
        if f(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * lo + 0.5 * hi
}

/// The safety factor `k` that meets a fill rate exactly under normal
/// demand: the root of
///
/// ```text
/// G(k) - G(k + Q / sigma) = (1 - fill) * Q / sigma
/// ```
///
/// the expected shortage per cycle of an (s, Q) system over the lot
/// (Hadley and Whitin; Silver-Pyke-Peterson 7.3.2, whose approximation
/// `G(k) = (1 - fill) Q / sigma` drops the `G(k + Q / sigma)` term, and
/// Axsäter 5.3.3). `lot` is the expected demand per cycle `Q`. May be
/// negative.
///
/// The left side over `Q / sigma` is the average of `1 - Phi` over
/// `[k, k + Q / sigma]`, so `k` lies in `[z - Q / sigma, z]` with `z` the
/// standard normal quantile of `fill`, falls as the lot grows, and tends
/// to `z` as the lot falls to 0: the function is continuous and monotone
/// in `lot`, and `lot` 0 gives exactly `z` (the ready rate, as
/// [`z_for_cycle_service`]). For lots above about `3 sigma` and `k >= 0`
/// the term `G(k + Q / sigma)` is below `1e-3 G(k)` and `k` is the
/// textbook approximation's; for negative `k` (a low fill rate on a
/// large lot) the term is larger (`8e-3 G(k)` at `k = -1`) and the
/// exact root differs from the shortcut's.
///
/// Domain: `lot` and `sigma` must be finite and at or above zero, `lot`
/// at most [`MAX_LOT`]. With `sigma` 0 no factor exists (the root runs
/// to `-inf` as `sigma` falls) and 0 is returned; the reorder point of
/// certain demand is `mu - (1 - fill) * lot`, which [`safety_stock`]
/// gives without a factor.
/// Subnormal or tiny values are read as they are: a tiny lot gives `z`
/// to `f64` precision, a tiny `sigma` a factor near
/// `-(1 - fill) * lot / sigma` (a safety stock of `-(1 - fill) * lot`).
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::{k_for_fill_rate, normal_loss, z_for_cycle_service};
/// let fill = ServiceLevel::new(0.98)?;
/// // lot 200, sigma 50: G(k) - G(k + 4) = 0.02 * 200 / 50 = 0.08.
/// // tables: G(1.00) = 0.0833, G'(k) = -(1 - Phi(k)) = -0.1587 there
/// // and G(5.02) ~ 5e-8 is negligible, so k = 1 + 0.0033 / 0.1587 = 1.021
/// let k = k_for_fill_rate(fill, 200.0, 50.0)?;
/// assert!((normal_loss(k) - normal_loss(k + 4.0) - 0.08).abs() < 1e-12);
/// assert!((k - 1.021).abs() < 0.002);
/// // No demand per cycle: the fill rate's limit, the fill-rate quantile.
/// assert_eq!(k_for_fill_rate(fill, 0.0, 50.0)?, z_for_cycle_service(fill));
/// // A lot that is not a number, or past MAX_LOT, is refused.
/// assert!(k_for_fill_rate(fill, f64::NAN, 10.0).is_err());
/// assert!(k_for_fill_rate(fill, f64::MAX, 10.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ReorderError::InvalidStatistic`] when `lot` or `sigma` is NaN,
/// infinite or negative, when `lot` is above [`MAX_LOT`], or when
/// `lot / sigma` overflows to infinity (a lot over a vanishing `sigma`).
pub fn k_for_fill_rate(fill: ServiceLevel, lot: f64, sigma: f64) -> Result<f64> {
    let bad = |what, value| Err(ReorderError::InvalidStatistic { what, value });
    for (what, value) in [("lot", lot), ("sigma", sigma)] {
        if !(value.is_finite() && value >= 0.0) {
            return bad(what, value);
        }
    }
    if lot > MAX_LOT {
        return bad("lot", lot);
    }
    if sigma == 0.0 {
        return Ok(0.0);
    }
    let q = lot / sigma;
    if !q.is_finite() {
        return bad("fill-rate lot over sigma", q);
    }
    let z = z_for_cycle_service(fill);
    if q == 0.0 {
        return Ok(z);
    }
    if fill.get() < 0.5 {
        // The units met instead of the units short: the integral of
        // Phi over [k, k + q] is fill * q, which keeps the digits that
        // 1 - fill rounds away at tiny fill rates. By Phi(t) =
        // 1 - Phi(-t) it is G(-k - q) - G(-k), rising in k.
        let met = fill.get() * q;
        return Ok(bisect_decreasing(z - q, z, -met, |k| -normal_loss_drop(-k - q, q)));
    }
    let target = (1.0 - fill.get()) * q;
    Ok(bisect_decreasing(z - q, z, target, |k| normal_loss_drop(k, q)))
}

/// Above this gamma shape `a = (mu / sigma)^2` the gamma is read through
/// the Wilson-Hilferty transformation, not statrs' incomplete gamma
/// function, whose series needs about `sqrt(a)` terms (2 us a call at
/// `a = 1e5`) and never ends once `a + 1 == a` (`a >= 2^53`).
const WILSON_HILFERTY_SHAPE: f64 = 1e5;

/// A coefficient of variation `sigma / mu` at or below `2^-58`: the
/// demand is treated as certain, equal to its mean. Every quantile
/// `mu + z sigma` with `|z| <= 8.3` (all service levels an `f64` can
/// hold) is then within half an ulp of `mu`.
const NEGLIGIBLE_CV: f64 = f64::EPSILON / 64.0;

/// Beyond this many standard deviations from the mean the normal tail
/// `1 - Phi(z)` is below `3e-300` and the expected shortage is read as
/// `0` (stock above) or `mu - s` (stock below).
const FAR_TAIL: f64 = 37.0;

/// The gamma with mean 1 and coefficient of variation `cv`, fitted for
/// demand of mean `mu`: demand is `mu` times it.
#[derive(Debug, Clone, Copy)]
enum UnitGamma {
    /// `cv <= 2^-58`: the demand is its mean.
    Certain,
    /// Shape below 1 (down to shapes that underflow to 0), read with
    /// [`SmallShape`] in logarithms.
    Small(SmallShape),
    /// Shape from 1 to [`WILSON_HILFERTY_SHAPE`], read with statrs: shape
    /// `a`, rate `a`.
    Exact { cv: f64, a: Gamma },
    /// Larger shape: `G^(1/3)` is normal with mean `1 - cv^2 / 9` and
    /// standard deviation `cv / 3` (Wilson and Hilferty, 1931).
    WilsonHilferty { cv: f64 },
}

impl UnitGamma {
    /// The fit for a mean and standard deviation, or `None` when either
    /// is not strictly positive and finite.
    fn fit(mean: f64, std_dev: f64) -> Option<Self> {
        if !(mean.is_finite() && std_dev.is_finite() && mean > 0.0 && std_dev > 0.0) {
            return None;
        }
        // As a ratio, so a mean or spread near f64::MAX does not square
        // to inf. cv may underflow to 0 or overflow to inf.
        let cv = std_dev / mean;
        if cv <= NEGLIGIBLE_CV {
            return Some(Self::Certain);
        }
        // cv^2 may underflow to 0 (shape inf) or overflow (shape 0).
        let shape = (cv * cv).recip();
        if shape > WILSON_HILFERTY_SHAPE {
            return Some(Self::WilsonHilferty { cv });
        }
        if shape < 1.0 {
            // ln a from the logarithms: exact however far a underflows.
            return Some(Self::Small(SmallShape::new(2.0 * (mean.ln() - std_dev.ln()))));
        }
        Self::exact(shape, cv)
    }

    /// The statrs form for a shape in `(0, WILSON_HILFERTY_SHAPE]`.
    fn exact(shape: f64, cv: f64) -> Option<Self> {
        let a = Gamma::new(shape, shape).ok()?;
        Some(Self::Exact { cv, a })
    }

    /// The `p` quantile in units of the mean.
    fn quantile(&self, p: f64) -> f64 {
        match *self {
            Self::Certain => 1.0,
            Self::WilsonHilferty { cv } => {
                wilson_hilferty_unit_quantile(cv, Normal::standard().inverse_cdf(p))
            }
            Self::Small(_) | Self::Exact { .. } => self.ln_quantile(p).map_or(f64::NAN, f64::exp),
        }
    }

    /// `ln` of the `p` quantile in units of the mean for the shapes up to
    /// `1e5` ([`Self::Small`], [`Self::Exact`]), `None` for the others:
    /// core's [`gamma_ln_quantile`] for the standard gamma's `y`, then
    /// `x = y / a`. It solves the lower tail in logarithms (statrs reads
    /// `P(a, y)` as 0 once `y` is below `1.1e-15` and is subnormal below
    /// `p = 1e-308`, so bisecting the quantile itself stopped falling
    /// there: `gamma_quantile(1.0, 1.0, 1e-20)` read `1.1e-15`, not
    /// `1e-20`) and elsewhere bisects statrs' `Q(a, y) = 1 - p` (for `p`
    /// above one half from shape 1 up, on `y >= 1` below it: `1 - p` is
    /// exact, where `P` near 1 lost its digits) or `P(a, y) = p` (the
    /// rest from shape 1 up). `ln Gamma(1 + a)` is
    /// statrs' from shape 1 up, core's series below.
    fn ln_quantile(&self, p: f64) -> Option<f64> {
        let (shape, ln_a, ln_gamma_1p_a) = match *self {
            Self::Small(g) if g.a == 0.0 => {
                // The shape underflowed: every quantile below 1 is 0
                // (the limit of y = e^(L + ln p / a)).
                return Some(f64::NEG_INFINITY);
            }
            Self::Small(g) => (g.a, g.ln_a, g.a * g.l),
            Self::Exact { a, .. } => {
                let shape = a.shape();
                (shape, shape.ln(), statrs::function::gamma::ln_gamma(1.0 + shape))
            }
            Self::Certain | Self::WilsonHilferty { .. } => return None,
        };
        // statrs' P(a, y) and Q(a, y) for y > 0 finite (errors read as
        // the limits).
        let lower = |y: f64| checked_gamma_lr(shape, y).unwrap_or(1.0);
        let upper = |y: f64| checked_gamma_ur(shape, y).unwrap_or(0.0);
        gamma_ln_quantile(shape, ln_gamma_1p_a, p, lower, upper).map(|ln_y| ln_y - ln_a)
    }

    /// The coefficient of variation, infinite when the shape underflowed.
    fn cv(&self) -> f64 {
        match *self {
            Self::Certain => 0.0,
            Self::Small(g) => g.a.sqrt().recip(),
            Self::Exact { cv, .. } | Self::WilsonHilferty { cv } => cv,
        }
    }

    /// `P(G > t)` in units of the mean.
    fn sf(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        match *self {
            Self::Certain => f64::from(u8::from(t < 1.0)),
            Self::Small(g) => g.sf(t.ln()),
            Self::Exact { a, .. } => {
                // As in `shortage`: statrs panics once t * shape overflows.
                if (t * a.shape()).is_finite() { a.sf(t) } else { 0.0 }
            }
            Self::WilsonHilferty { cv } => {
                let (_, z0) = wilson_hilferty_z(cv, t);
                Normal::standard().sf(z0)
            }
        }
    }

    /// `E[(G - x)+]` for any `x` (`1 - x` at or below 0, `G >= 0`).
    fn shortage_at(&self, x: f64) -> f64 {
        if x <= 0.0 { 1.0 - x } else { self.shortage(x) }
    }

    /// `E[(G - x)+] - E[(G - x - q)+] = int_x^(x + q) P(G > t) dt`, the
    /// expected shortage per cycle of a lot `q`, `q >= 0`, all in units
    /// of the mean.
    ///
    /// Summed by Gauss-Legendre where the interval is short against the
    /// scales on which `P(G > t)` changes: `q <= x / 2` (away from the
    /// origin, where a shape below 1 has an infinite density),
    /// `q <= cv^2` (the tail hazard, the rate `1 / cv^2`) and
    /// `(q / cv) (1 + max(z, 0)) <= 1` with `z = (x + q - 1) / cv` (the
    /// bulk, about normal). Elsewhere the two shortages are subtracted,
    /// which loses no more than a few digits there.
    fn shortage_drop(&self, x: f64, q: f64) -> f64 {
        if q <= 0.0 {
            return 0.0;
        }
        if x < 0.0 {
            // Below the origin every unit of the interval is short.
            let below = (-x).min(q);
            return below + self.shortage_drop(0.0, q - below);
        }
        if let Self::Certain = self {
            return (1.0 - x).clamp(0.0, q);
        }
        let cv = self.cv();
        let z = (x + q - 1.0) / cv;
        if q <= 0.5 * x && q <= cv * cv && (q / cv) * (1.0 + z.max(0.0)) <= 1.0 {
            return gauss_legendre(x, q, |t| self.sf(t));
        }
        self.shortage_at(x) - self.shortage_at(x + q)
    }

    /// Expected shortage `E[(G - x)+]` in units of the mean, `x > 0`.
    fn shortage(&self, x: f64) -> f64 {
        match *self {
            Self::Certain => (1.0 - x).max(0.0),
            Self::Small(g) => g.shortage(x.ln()),
            Self::Exact { a, .. } => {
                // statrs scales x by the rate (the shape, 1 to 1e5) and
                // panics when that overflows; so far out (x above
                // f64::MAX / 1e5, the mean's 1e303-fold) nothing is short.
                if !(x * a.shape()).is_finite() {
                    return 0.0;
                }
                // E[G 1{G > x}] = P(shape a + 1 > x) for mean 1, and
                // Q(a + 1, y) = Q(a, y) + y^a e^-y / Gamma(a + 1) with
                // y = a x, the last term x f(x) / a for f the density:
                // E[(G - x)+] = (1 - x) P(G > x) + x f(x) / a, the
                // gamma's form of the normal loss. Subtracting the two
                // tails instead lost up to 1e-8 of the mean at large
                // shapes, each near 1/2 and the shortage of order cv.
                // The density from its logarithm: statrs' `pdf` forms
                // `a^a x^(a - 1)` itself up to shape 160, which overflows
                // from shape 143 on (and for some x from about 110), and
                // the shortage read inf (about cv 0.08 to 0.095).
                let density = a.ln_pdf(x).exp();
                ((1.0 - x).mul_add(a.sf(x), x * density / a.shape())).max(0.0)
            }
            Self::WilsonHilferty { cv } => wilson_hilferty_shortage(cv, x),
        }
    }
}

/// The unit-mean gamma of shape `a < 1` (rate `a`), in terms of the
/// standard gamma `Y` (shape `a`, rate 1): `G = Y / a`, so a stock `x`
/// in units of the mean is `y = a x` for `Y`.
///
/// statrs' regularized incomplete gamma function reads `P(a, y)` as 1
/// for every `y` once `a` is below `1.1e-15`, as 0 once `y` is below
/// `1.1e-15` (where `P(a, y)` is `y^a / Gamma(1 + a)`, near 1 for a
/// small shape), takes `Q = 1 - P` there (no digits left when `Q` is of
/// order `a`) and panics when `y` underflows to 0. So below `y = 1` the
/// two functions are summed here from the series of the lower incomplete
/// gamma function (Abramowitz and Stegun 6.5.29, 6.5.4),
///
/// ```text
/// P(a, y) = e^u (1 - a T),   Q(a, y) / a = -(ln y - L) e1(u) + e^u T,
/// u = a (ln y - L),  L = ln Gamma(1 + a) / a,  e1(u) = (e^u - 1) / u,
/// T = sum over n >= 1 of (-1)^(n+1) y^n / (n! (n + a)),
/// ```
///
/// which keep their digits as `a` goes to 0 (the limits are `P = 0`
/// and `Q / a = E1(y)`, the exponential integral). From `y = 1` up,
/// statrs' continued fraction for `Q(a, y)` is used. These serve the
/// tail and the shortage; the quantile is core's (see
/// [`UnitGamma::ln_quantile`]), returned as a logarithm so that neither
/// `y` nor `y / a` has to fit an `f64` on the way.
#[derive(Debug, Clone, Copy)]
struct SmallShape {
    /// The shape `a`, 0 when it underflows.
    a: f64,
    /// `ln a`, finite.
    ln_a: f64,
    /// `L = ln Gamma(1 + a) / a`.
    l: f64,
}

/// Above this `y`, `Q(a, y)` is read from statrs with a shape of at
/// least `1e-20` (its result is then `a E1(y)`, far from subnormal): the
/// relative change `O(a ln y)` that makes to `Q / a` is below `1e-17`.
const SMALLEST_STATRS_SHAPE: f64 = 1e-20;

impl SmallShape {
    fn new(ln_a: f64) -> Self {
        let a = ln_a.exp();
        // Core's series keeps every digit of L at small shapes, where
        // statrs' ln_gamma(1 + a) / a loses them (1e-11 relative at
        // a = 1e-4). The shape is below 1 here, up to the rounding of
        // exp, which `min` absorbs.
        let l = ln_gamma_1p_over_a(a.min(1.0));
        Self { a, ln_a, l }
    }

    /// `T(y)` for `0 <= y <= 1`: alternating, each term below the last.
    fn series(&self, y: f64) -> f64 {
        let (mut sum, mut power) = (0.0, 1.0);
        for n in 1..40u32 {
            let n = f64::from(n);
            power *= y / n;
            let term = power / (n + self.a);
            sum += if n % 2.0 == 1.0 { term } else { -term };
            if term <= 1e-18 * sum {
                break;
            }
        }
        sum
    }

    /// `u = a (ln y - L)`, 0 when `a` is (the limit, not `0 * inf`).
    fn u(&self, ln_y: f64) -> f64 {
        if self.a == 0.0 { 0.0 } else { self.a * (ln_y - self.l) }
    }

    /// `Q(a, y) / a` (the limit `E1(y)` for `a = 0`), `y > 0`.
    fn upper_over_a(&self, ln_y: f64, y: f64) -> f64 {
        if y >= 1.0 {
            let a = self.a.max(SMALLEST_STATRS_SHAPE);
            // y is finite and at least 1 > 0: inside statrs' domain.
            return checked_gamma_ur(a, y).map_or(0.0, |q| q / a);
        }
        let u = self.u(ln_y);
        let e1 = if u.abs() < 1e-8 { 1.0 + 0.5 * u } else { u.exp_m1() / u };
        -(ln_y - self.l) * e1 + u.exp() * self.series(y)
    }

    /// `P(G > x) = Q(a, y)` for `x = e^ln_x`.
    fn sf(&self, ln_x: f64) -> f64 {
        let ln_y = self.ln_a + ln_x;
        let y = ln_y.exp();
        if y == 0.0 {
            return 1.0;
        }
        if y.is_infinite() {
            return 0.0;
        }
        (self.a * self.upper_over_a(ln_y, y)).clamp(0.0, 1.0)
    }

    /// `E[(G - x)+] = Q(a + 1, y) - y Q(a, y) / a` for `x = e^ln_x`,
    /// with `Q(a + 1, y) = Q(a, y) + y^a e^-y / Gamma(1 + a)`.
    fn shortage(&self, ln_x: f64) -> f64 {
        let ln_y = self.ln_a + ln_x;
        let y = ln_y.exp();
        if y == 0.0 {
            // Q(a + 1, 0) = 1 and y Q(a, y) / a -> 0.
            return 1.0;
        }
        if y.is_infinite() {
            return 0.0;
        }
        let r = self.upper_over_a(ln_y, y);
        let upper1 = self.a.mul_add(r, (self.u(ln_y) - y).exp());
        (upper1 - y * r).clamp(0.0, 1.0)
    }
}

/// `E[(G - x)+]` for `G = Y^3`, `Y` normal with mean `m = 1 - cv^2 / 9`
/// and spread `t = cv / 3`, `x > 0`. With `y0 = x^(1/3)`,
/// `z0 = (y0 - m) / t` and `d = Z - z0`,
/// `G - x = 3 y0^2 t d + 3 y0 t^2 d^2 + t^3 d^3`, so
/// `E[(G - x)+] = cv (y0^2 L1 + y0 cv L2 / 3 + cv^2 L3 / 27)` with the
/// normal partial moments `Ln = E[((Z - z0)+)^n]`:
/// `L1 = phi - z0 Q`, `L2 = (1 + z0^2) Q - z0 phi`,
/// `L3 = (z0^2 + 2) phi - z0 (z0^2 + 3) Q` (`phi`, `Q` at `z0`).
fn wilson_hilferty_shortage(cv: f64, x: f64) -> f64 {
    let (y0, z0) = wilson_hilferty_z(cv, x);
    if z0 > FAR_TAIL {
        return 0.0;
    }
    if z0 < -FAR_TAIL {
        // All the mass above x: E[G - x] = 1 - x.
        return 1.0 - x;
    }
    let n = Normal::standard();
    let (phi, q) = (n.pdf(z0), n.sf(z0));
    let z2 = z0 * z0;
    let l1 = phi - z0 * q;
    let l2 = (1.0 + z2) * q - z0 * phi;
    let l3 = (z2 + 2.0) * phi - z0 * (z2 + 3.0) * q;
    (cv * (y0 * y0 * l1 + y0 * cv * l2 / 3.0 + cv * cv * l3 / 27.0)).max(0.0)
}

/// `y0 = x^(1/3)` and the standard score `z0 = (y0 - m) / t` of a
/// stock `x > 0` under the Wilson-Hilferty reading (`m = 1 - cv^2 / 9`,
/// `t = cv / 3`).
fn wilson_hilferty_z(cv: f64, x: f64) -> (f64, f64) {
    // y0 - 1 through ln_1p and exp_m1: x is within a few cv of 1, and
    // cbrt(x) - 1 would lose the digits that z0 is made of.
    let third_log = (x - 1.0).ln_1p() / 3.0;
    (third_log.exp(), 3.0 * (third_log.exp_m1() + cv * cv / 9.0) / cv)
}

/// The `p` quantile of the gamma distribution with the given mean and
/// standard deviation (the mean itself when the spread is zero or below
/// `2^-58` of the mean; zero for a mean at or below zero). Infinite when
/// the quantile is past `f64::MAX`. Edges, each the limit it stands
/// for: an infinite mean gives infinity, an infinite spread (shape 0)
/// gives 0; NaN for a NaN input, a negative `std_dev`, or both mean and
/// spread infinite.
///
/// For a shape `(mean / std_dev)^2` above `1e5` (a spread below 0.32% of
/// the mean) the quantile is the Wilson-Hilferty one,
/// `mean * (1 - c^2 / 9 + z c / 3)^3` with `c = std_dev / mean` and `z`
/// the standard normal quantile of `p`. Its error there, checked against
/// 50-digit values of the incomplete gamma function, falls as
/// `1 / shape` and stays below `1e-5 * std_dev` for service levels up to
/// `1 - 1e-6` (below `2e-6 * std_dev` up to 0.999). Up to that shape
/// the quantile is core's [`gamma_ln_quantile`] of the standard gamma
/// (shape `a`, rate 1; the one forecast's lead-time quantile reads),
/// scaled to `x = y std_dev^2 / mean` in logarithms: it bisects statrs'
/// survival function `Q(a, y) = 1 - p` for `p` above one half (`1 - p`
/// is exact in `f64` there, so a `p` near 1 keeps its digits:
/// `gamma_quantile(1.0, 1.0, p)` at the largest `p` below 1 is
/// `53 ln 2 = 36.7368`, where bisecting the CDF near 1 read 36.3313) and
/// its CDF below, except in the lower tail (where the quantile is below
/// `std_dev^2 / mean`, and from shape 1 up for every `p` below
/// `1e-290`), which it solves in logarithms from the series
/// `P(a, y) = y^a e^-y S / Gamma(1 + a)` (`S` positive, Abramowitz and
/// Stegun 6.5.29). Below shape 1 (`std_dev > mean`) the quantile so
/// keeps its relative precision however small the shape; it is 0 when
/// it underflows (for shape `1e-14`, every `p` up to about
/// `1 - 1e-11`). From shape 1 to `1e5` it keeps falling with `p` down
/// to the smallest subnormal, `5e-324`, within `2e-13` relative of
/// 50-digit values:
/// `gamma_quantile(1.0, 1.0, 1e-20)` is `1e-20` (it read `1.1e-15`,
/// the floor of bisecting statrs' CDF on the quantile itself). Above
/// shape `1e5` the Wilson-Hilferty reading falls with `p` all the way
/// down too, but in the far tail it is off by up to about `520 / shape`
/// standard deviations.
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::gamma_quantile;
/// let p = ServiceLevel::new(0.95)?;
/// // mean = sd = 10 is the exponential: -10 ln(0.05) = 29.957
/// assert!((gamma_quantile(10.0, 10.0, p) - 29.957).abs() < 1e-3);
/// // shape 1e16 is normal to f64 precision: 1e8 + 1.6449 * 1
/// assert!((gamma_quantile(1e8, 1.0, p) - (1e8 + 1.6449)).abs() < 1e-4);
/// // Far below the mean: the exponential's -ln(1 - p) is p itself.
/// let tiny = ServiceLevel::new(1e-20)?;
/// assert!((gamma_quantile(1.0, 1.0, tiny) / 1e-20 - 1.0).abs() < 1e-12);
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[must_use]
pub fn gamma_quantile(mean: f64, std_dev: f64, p: ServiceLevel) -> f64 {
    if mean.is_nan() || std_dev.is_nan() || std_dev < 0.0 {
        return f64::NAN;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    match (mean.is_finite(), std_dev.is_finite()) {
        // inf / inf: no shape to read.
        (false, false) => return f64::NAN,
        (false, true) => return f64::INFINITY,
        // Shape 0: the limit of every quantile below 1 as the spread
        // grows (see the small-shape reading) is 0.
        (true, false) => return 0.0,
        (true, true) => {}
    }
    match UnitGamma::fit(mean, std_dev) {
        None => mean.max(0.0),
        Some(UnitGamma::Certain) => mean,
        Some(fit) => match fit.ln_quantile(p.get()) {
            // Formed from logarithms, so a quantile far below the mean
            // does not underflow in units of the mean on the way.
            Some(ln_x) => (mean.ln() + ln_x).exp(),
            None => mean * fit.quantile(p.get()),
        },
    }
}

/// Expected units short `E[(X - s)+]` for gamma demand `X` with the given
/// mean and standard deviation and stock `s` (`max(mu, 0) - s` for
/// `s <= 0`, since gamma demand is never negative). A negative mean is
/// read as no demand, as in [`gamma_quantile`], so the result is never
/// negative. Edges, each the limit it stands for: an infinite stock is
/// short by 0, an infinite mean by infinity (below an infinite stock),
/// an infinite spread (shape 0) by the whole mean; NaN for a NaN input,
/// a negative `std_dev`, or an infinite mean and stock together.
/// Certain demand (spread zero or below
/// `2^-58` of the mean) is short by `max(mu - s, 0)`. Above shape `1e5` the
/// Wilson-Hilferty form of [`gamma_quantile`] is integrated in closed
/// form; its error there is below `1e-7 * std_dev`.
#[must_use]
pub fn gamma_expected_shortage(mean: f64, std_dev: f64, s: f64) -> f64 {
    if mean.is_nan() || std_dev.is_nan() || s.is_nan() || std_dev < 0.0 {
        return f64::NAN;
    }
    if s <= 0.0 {
        // X >= 0, so (X - s)+ = X - s: its mean, with a negative mean
        // clamped to no demand.
        return mean.max(0.0) - s;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    match (mean.is_finite(), s.is_finite()) {
        (false, false) => return f64::NAN,
        (false, true) => return f64::INFINITY,
        (true, false) => return 0.0,
        (true, true) => {}
    }
    if std_dev == f64::INFINITY {
        // Shape 0: the mass sits ever further out, and the shortage
        // mean (e^-y - y E1(y)), y = s mean / sd^2, tends to the mean.
        return mean;
    }
    match UnitGamma::fit(mean, std_dev) {
        None | Some(UnitGamma::Certain) => (mean - s).max(0.0),
        Some(UnitGamma::Small(g)) => mean * g.shortage(s.ln() - mean.ln()),
        Some(fit) => mean * fit.shortage(s / mean),
    }
}

/// The gamma reorder point `s` that meets fill rate `fill` with a lot
/// `lot` exactly: the root of
/// `E[(X - s)+] - E[(X - s - Q)+] = (1 - fill) Q`, in `[x - Q, x]` for
/// `x` the `fill` quantile (the left side over `Q` is the average of
/// `P(X > t)` over `[s, s + Q]`). A lot of 0 gives the quantile itself.
fn gamma_fill_point(mean: f64, std_dev: f64, fill: ServiceLevel, lot: f64) -> f64 {
    if lot == 0.0 {
        return gamma_quantile(mean, std_dev, fill);
    }
    let p = fill.get();
    let allowed = (1.0 - p) * lot;
    // Certain demand m = max(mean, 0): the shortage over the lot is
    // clamp(m - s, 0, Q), which is (1 - p) Q at s = m - (1 - p) Q.
    let certain = mean.max(0.0) - allowed;
    let fit = match UnitGamma::fit(mean, std_dev) {
        None | Some(UnitGamma::Certain) => return certain,
        Some(fit) => fit,
    };
    // In units of the mean. A lot beyond f64 in those units covers the
    // whole distribution: nothing is short past s + Q, so the certain
    // formula is exact.
    let q = lot / mean;
    if !q.is_finite() {
        return certain;
    }
    let x = fit.quantile(p);
    if !x.is_finite() {
        return f64::INFINITY;
    }
    mean * bisect_decreasing(x - q, x, (1.0 - p) * q, |s| fit.shortage_drop(s, q))
}

/// Sizes the safety stock for demand `demand` over the protection
/// interval, a service target and a demand model. `cycle_demand` is the
/// expected demand per replenishment cycle (`Q` in the fill-rate
/// equation); it is ignored for a cycle service level. A fill rate is
/// met exactly (the module docs give the equation); its reorder point
/// falls as `cycle_demand` grows, within `cycle_demand` of the interval
/// demand's quantile of the fill rate, and is that quantile at
/// `cycle_demand` 0, as for a cycle service level; with no interval
/// demand either that is 0.
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::{safety_stock, DemandModel, DemandOverInterval, ServiceTarget};
/// // No demand per cycle: fill 95% is met at the 95% quantile.
/// let x = DemandOverInterval::new(10.0, 0.0, 1.0, 1.0);
/// let fill = safety_stock(&x, ServiceTarget::FillRate(ServiceLevel::new(0.95)?), DemandModel::Gamma, 0.0)?;
/// let cycle = safety_stock(&x, ServiceTarget::CycleService(ServiceLevel::new(0.95)?), DemandModel::Gamma, 0.0)?;
/// assert_eq!(fill, cycle);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::{safety_stock, DemandModel, DemandOverInterval, ServiceTarget};
/// // d = 20, sd_d = 5, L = 10, sd_L = 2: mu = 200, sigma = 43.01;
/// // z(0.95) = 1.6449, SS = 70.75, s = 270.75
/// let x = DemandOverInterval::new(10.0, 2.0, 20.0, 5.0);
/// let target = ServiceTarget::CycleService(ServiceLevel::new(0.95)?);
/// let ss = safety_stock(&x, target, DemandModel::Normal, 0.0)?;
/// assert!((ss.reorder_point - 270.75).abs() < 0.01);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ReorderError::InvalidStatistic`] when the demand's mean is not
/// finite, its standard deviation is NaN, infinite or negative, (for
/// a fill rate) `cycle_demand` is NaN, infinite, negative or above
/// [`MAX_LOT`] (`what` is `lot`), or the reorder point itself is past
/// the range of `f64` (`what` is `reorder point`). A fill rate on normal
/// demand with `sigma` 0, or with `cycle_demand / sigma` past `f64`, is
/// certain demand under either model: `s = mu - (1 - fill) *
/// cycle_demand`, the limit as `sigma` falls to 0, with no factor.
pub fn safety_stock(
    demand: &DemandOverInterval,
    target: ServiceTarget,
    model: DemandModel,
    cycle_demand: f64,
) -> Result<SafetyStock> {
    let (mu, sigma) = (demand.mean, demand.std_dev);
    if !mu.is_finite() {
        return Err(ReorderError::InvalidStatistic { what: "demand mean", value: mu });
    }
    if !(sigma.is_finite() && sigma >= 0.0) {
        return Err(ReorderError::InvalidStatistic { what: "demand std_dev", value: sigma });
    }
    // The range refuses NaN and the infinities too.
    if matches!(target, ServiceTarget::FillRate(_)) && !(0.0..=MAX_LOT).contains(&cycle_demand) {
        return Err(ReorderError::InvalidStatistic { what: "lot", value: cycle_demand });
    }
    let (factor, point) = match (model, target) {
        (DemandModel::Normal, ServiceTarget::CycleService(p)) => {
            let z = z_for_cycle_service(p);
            (Some(z), mu + z * sigma)
        }
        (DemandModel::Normal, ServiceTarget::FillRate(p))
            if sigma == 0.0 || !(cycle_demand / sigma).is_finite() =>
        {
            // Certain demand: the shortage per cycle is
            // clamp(mu - s, 0, Q), which is (1 - beta) Q at
            // s = mu - (1 - beta) Q, the limit of mu + k sigma as sigma
            // falls to 0 and the gamma model's answer. No factor k
            // multiplies a zero spread into that (k_for_fill_rate reads
            // sigma 0 as k 0, a reorder point of mu whatever the lot).
            (None, mu - (1.0 - p.get()) * cycle_demand)
        }
        (DemandModel::Normal, ServiceTarget::FillRate(p)) => {
            let k = k_for_fill_rate(p, cycle_demand, sigma)?;
            (Some(k), mu + k * sigma)
        }
        (DemandModel::Gamma, ServiceTarget::CycleService(p)) => {
            (None, gamma_quantile(mu, sigma, p))
        }
        (DemandModel::Gamma, ServiceTarget::FillRate(p)) => {
            (None, gamma_fill_point(mu, sigma, p, cycle_demand))
        }
    };
    if !point.is_finite() {
        return Err(ReorderError::InvalidStatistic { what: "reorder point", value: point });
    }
    Ok(SafetyStock { factor, units: point - mu, reorder_point: point })
}

/// The order-up-to level `S` of a periodic review (R, S) that meets a
/// fill rate exactly: the root of
///
/// ```text
/// E[(X_(L+R) - S)+] - E[(X_L - S)+] = (1 - fill) * m
/// ```
///
/// with `X_(L+R)` the demand over the protection interval (`interval`,
/// lead time plus review period), `X_L` the demand over the lead time
/// alone (`lead`) and `m = mu_(L+R) - mu_L` the expected demand of one
/// review period. The left side is the expected shortage of a cycle:
/// the units short just before the next order lands, less those already
/// short just before this one lands, which were counted in the previous
/// cycle (Hadley and Whitin's periodic-review shortage; Silver-Pyke-Peterson's
/// (R, S) shortcut `sigma_(L+R) G(k) = (1 - fill) d R` keeps only the
/// first term and so protects a little more than asked). Each
/// expected shortage is the model's: `sigma G((S - mu) / sigma)` (normal,
/// `(mu - S)+` with no spread) or [`gamma_expected_shortage`].
///
/// The result's `units` and `factor` are read against the interval
/// demand: `units = S - mu_(L+R)`, and under the normal model with a
/// spread `factor = (S - mu_(L+R)) / sigma_(L+R)`. With no demand in
/// the review period (`m` at or below 0, or too small against the
/// spreads to tell from rounding) `S` is the `fill` quantile of the
/// interval demand, the limit as `m` falls to 0, as [`safety_stock`]
/// gives for a lot of 0. With no spread in either, `S = mu_(L+R) -
/// (1 - fill) m`.
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::{periodic_fill_rate_level, DemandModel, DemandOverInterval};
/// // d = 5, sd_d = 5, L = 5, R = 1: X_6 ~ N(30, 6 x 25), X_5 ~ N(25, 5 x 25).
/// // At S = 44.849: 12.247 G(1.2124) - 11.180 G(1.7754)
/// //   = 12.247 x 0.05469 - 11.180 x 0.01518 = 0.6698 - 0.1698 = 0.5 = 0.1 x 5.
/// // (The shifted (s, Q) form this crate used before gave S = 43.305,
/// // which meets a fill rate of 87.5%.)
/// let interval = DemandOverInterval::new(6.0, 0.0, 5.0, 5.0);
/// let lead = DemandOverInterval::new(5.0, 0.0, 5.0, 5.0);
/// let fill = ServiceLevel::new(0.9)?;
/// let s = periodic_fill_rate_level(&interval, &lead, fill, DemandModel::Normal)?;
/// assert!((s.reorder_point - 44.849).abs() < 1e-3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ReorderError::InvalidStatistic`] when either mean is not finite,
/// either standard deviation is NaN, infinite or negative, `m` is above
/// [`MAX_LOT`] (`what` is `lot`), or `S` is past the range of `f64`.
pub fn periodic_fill_rate_level(
    interval: &DemandOverInterval,
    lead: &DemandOverInterval,
    fill: ServiceLevel,
    model: DemandModel,
) -> Result<SafetyStock> {
    for x in [interval, lead] {
        if !x.mean.is_finite() {
            return Err(ReorderError::InvalidStatistic { what: "demand mean", value: x.mean });
        }
        if !(x.std_dev.is_finite() && x.std_dev >= 0.0) {
            return Err(ReorderError::InvalidStatistic {
                what: "demand std_dev",
                value: x.std_dev,
            });
        }
    }
    let (mu, sigma) = (interval.mean, interval.std_dev);
    let (mu_l, sigma_l) = (lead.mean, lead.std_dev);
    let m = mu - mu_l;
    if m > MAX_LOT || !m.is_finite() {
        return Err(ReorderError::InvalidStatistic { what: "lot", value: m });
    }
    let quantile = || safety_stock(interval, ServiceTarget::FillRate(fill), model, 0.0);
    if m <= 0.0 {
        return quantile();
    }
    let shortage = |x_mu: f64, x_sigma: f64, s: f64| match model {
        _ if x_sigma == 0.0 => (x_mu - s).max(0.0),
        DemandModel::Gamma => gamma_expected_shortage(x_mu, x_sigma, s),
        DemandModel::Normal => x_sigma * normal_loss((s - x_mu) / x_sigma),
    };
    let short = |s: f64| shortage(mu, sigma, s) - shortage(mu_l, sigma_l, s);
    let target = (1.0 - fill.get()) * m;
    // Far enough below both means every unit of the review period is
    // short (the left side is m, or near it); far enough above, none is.
    // For two normals the left side rises or falls once and then the
    // other way, so it crosses `target`, which lies strictly between 0
    // and m, once: bisection keeps short(lo) > target >= short(hi).
    let spread = sigma.max(sigma_l);
    let mut lo = mu.min(mu_l) - FAR_TAIL * spread - m;
    let mut hi = mu.max(mu_l) + FAR_TAIL * spread;
    if model == DemandModel::Gamma {
        // Gamma demand is never negative: below 0 the left side is m.
        lo = lo.min(0.0);
    }
    let mut widen = 0;
    while short(hi) > target && widen < 2100 {
        hi += (hi - lo).max(1.0);
        widen += 1;
    }
    if !(short(lo) > target && short(hi) <= target) {
        // m is lost in the rounding of the two shortages: the limit as
        // m falls to 0.
        return quantile();
    }
    // Both spreads 0: the shortage is clamp(mu - S, 0, m), met at
    // S = mu - (1 - fill) m exactly (bisection would stop an ulp off).
    let point = if sigma == 0.0 && sigma_l == 0.0 {
        mu - target
    } else {
        bisect_decreasing(lo, hi, target, short)
    };
    if !point.is_finite() {
        return Err(ReorderError::InvalidStatistic { what: "reorder point", value: point });
    }
    let factor = (model == DemandModel::Normal && sigma > 0.0).then(|| (point - mu) / sigma);
    Ok(SafetyStock { factor, units: point - mu, reorder_point: point })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(p: f64) -> ServiceLevel {
        ServiceLevel::new(p).unwrap()
    }

    #[test]
    fn small_shape_quantile_just_above_the_old_taylor_switch() {
        // mean 10, sd 1000: shape 1e-4, theta 1e5. 50-digit mpmath root
        // of P(1e-4, x / 1e5) = 0.999: 2.53657328546758346 (it was
        // 1.3e-11 off with ln Gamma(1 + a) / a from statrs).
        let x = gamma_quantile(10.0, 1000.0, level(0.999));
        assert!((x / 2.536_573_285_467_583_5 - 1.0).abs() < 1e-12, "{x}");
    }

    #[test]
    fn z_values_match_tables() {
        // Standard normal table: Phi(1.6449) = 0.95, Phi(2.3263) = 0.99,
        // Phi(1.2816) = 0.90.
        for (p, z) in [(0.95, 1.6449), (0.99, 2.3263), (0.90, 1.2816)] {
            let got = z_for_cycle_service(level(p));
            assert!((got - z).abs() < 5e-5, "z({p}) = {got}");
        }
    }

    #[test]
    fn normal_loss_matches_tables() {
        // Silver-Pyke-Peterson table B.1: G(1.0) = 0.0833, G(2.0) = 0.0085,
        // G(-1.0) = 1.0833 (G(-k) = G(k) + k).
        assert!((normal_loss(1.0) - 0.0833).abs() < 1e-4);
        assert!((normal_loss(2.0) - 0.0085).abs() < 1e-4);
        assert!((normal_loss(-1.0) - 1.0833).abs() < 1e-4);
    }

    #[test]
    fn fill_rate_factor_can_be_negative() {
        // fill 90%, lot 1000, sigma 10: G(k) = 0.1 * 1000 / 10 = 10, so
        // k is about -10 (G(-k) ~ k for large k).
        let k = k_for_fill_rate(level(0.9), 1000.0, 10.0).unwrap();
        assert!((normal_loss(k) - 10.0).abs() < 1e-9);
        assert!(k < -9.9);
    }

    #[test]
    fn gamma_matches_normal_for_smooth_demand() {
        // mean 1000, sd 30: the gamma (shape 1111) is close to normal,
        // whose 95% point is 1000 + 1.6449 * 30 = 1049.35.
        let q = gamma_quantile(1000.0, 30.0, level(0.95));
        assert!((q - 1049.35).abs() < 1.0, "{q}");
    }

    #[test]
    fn gamma_exponential_case_is_exact() {
        // shape 1 (mean = sd = 10) is the exponential: the p-quantile is
        // -10 ln(1 - p); for p = 0.95, 10 * 2.995732 = 29.957.
        let q = gamma_quantile(10.0, 10.0, level(0.95));
        assert!((q - 29.957_32).abs() < 1e-3, "{q}");
        // Exponential loss: E[(X - s)+] = 10 exp(-s / 10); at s = 10,
        // 10 / e = 3.678794.
        let es = gamma_expected_shortage(10.0, 10.0, 10.0);
        assert!((es - 3.678_794).abs() < 1e-5, "{es}");
    }

    #[test]
    fn gamma_fill_rate_solves_expected_shortage() {
        // Exponential demand mean 10, lot 50, fill 95%: the shortage per
        // cycle E[(X - s)+] - E[(X - s - 50)+] = 10 e^(-s/10) (1 - e^-5)
        // must be 0.05 * 50 = 2.5, so
        // s = 10 ln(4 (1 - e^-5)) = 10 (1.3862944 - 0.0067607) = 13.795336
        // (the approximation that drops the second term gave 10 ln 4).
        let x = DemandOverInterval {
            mean: 10.0,
            std_dev: 10.0,
            ..DemandOverInterval::new(1.0, 0.0, 10.0, 10.0)
        };
        let ss = safety_stock(&x, ServiceTarget::FillRate(level(0.95)), DemandModel::Gamma, 50.0)
            .unwrap();
        assert!((ss.reorder_point - 13.795_336_116_704).abs() < 1e-9, "{ss:?}");
    }

    #[test]
    fn a_reorder_point_past_f64_is_refused_not_infinite() {
        // mu = sigma = 1.7e308: mu + z sigma overflows to inf, which came
        // back inside Ok. The gamma quantile (exponential, shape 1) is
        // -1.7e308 ln(0.001) = 1.2e309, also past f64; it came back as
        // 1.7e308, the top of a bracket that never reached the level.
        let x = DemandOverInterval {
            mean: 1.7e308,
            std_dev: 1.7e308,
            ..DemandOverInterval::new(1.0, 0.0, 1.0, 1.0)
        };
        let p = level(0.999);
        assert_eq!(gamma_quantile(x.mean, x.std_dev, p), f64::INFINITY);
        for model in [DemandModel::Normal, DemandModel::Gamma] {
            for target in [ServiceTarget::CycleService(p), ServiceTarget::FillRate(p)] {
                let got = safety_stock(&x, target, model, 10.0);
                assert!(
                    matches!(
                        got,
                        Err(ReorderError::InvalidStatistic { what: "reorder point", .. })
                    ),
                    "{model:?} {target:?}: {got:?}"
                );
            }
        }
        // NaN in, NaN out: not a quantile of 0.
        assert!(gamma_quantile(f64::NAN, 1.0, p).is_nan());
        assert!(gamma_expected_shortage(10.0, 2.0, f64::NAN).is_nan());
        // G(+inf) = 0: no shortage with infinite stock (was NaN).
        assert_eq!(normal_loss(f64::INFINITY), 0.0);
        // Shape (1 / 0.3)^2 = 11.1 at stock f64::MAX: statrs' y = x * rate
        // overflowed to inf and it panicked. Nothing is short there.
        assert_eq!(gamma_expected_shortage(1.0, 0.3, f64::MAX), 0.0);
        assert_eq!(gamma_expected_shortage(3.0, 1.0, f64::MAX), 0.0);
    }

    #[test]
    fn gamma_shortage_of_a_negative_mean_is_never_negative() {
        // A negative mean is no demand, as gamma_quantile reads it: with
        // stock 0 nothing is short (was -1.0, a negative shortage).
        assert_eq!(gamma_quantile(-1.0, 2.0, level(0.95)), 0.0);
        assert_eq!(gamma_expected_shortage(-1.0, 2.0, 0.0), 0.0);
        assert_eq!(gamma_expected_shortage(-1.0, 0.0, 0.0), 0.0);
        // Stock -5 (five units owed): 0 - (-5) = 5 short, whatever the
        // negative mean; a positive mean adds to it: 3 - (-5) = 8.
        assert_eq!(gamma_expected_shortage(-1.0, 2.0, -5.0), 5.0);
        assert_eq!(gamma_expected_shortage(3.0, 2.0, -5.0), 8.0);
        // Positive stock and a negative mean: nothing short either side
        // of the s <= 0 branch.
        assert_eq!(gamma_expected_shortage(-1.0, 2.0, 4.0), 0.0);
        assert_eq!(gamma_expected_shortage(f64::NEG_INFINITY, 2.0, 0.0), 0.0);
    }

    #[test]
    fn wilson_hilferty_quantile_by_hand() {
        // Shape 1e6 (c = 1e-3), p = 0.95, z = 1.644853627:
        // e = c (z / 3 - c / 9) = 1e-3 (0.548284542 - 0.000111111)
        //   = 5.481734312e-4,
        // (1 + e)^3 - 1 = 3e + 3e^2 + e^3
        //   = 1.644520294e-3 + 9.01482e-7 + 1.6e-10 = 1.645421941e-3,
        // so 1.645421941 standard deviations above the mean (statrs'
        // incomplete gamma gives 1.645421946).
        let q = gamma_quantile(1e6, 1e3, level(0.95));
        assert!(((q - 1e6) / 1e3 - 1.645_421_941).abs() < 1e-8, "{q}");
    }

    #[test]
    fn the_two_gamma_readings_agree_across_the_threshold() {
        // mean 1e5; sd 316.3 is shape 99954.3 (statrs), sd 316.2 is
        // shape 100017.6 (Wilson-Hilferty). 50-digit incomplete gamma
        // quantiles in standard deviations above the mean:
        // 316.3: p 0.95 -> 1.6466498742, p 0.999 -> 3.0992485435;
        // 316.2: p 0.95 -> 1.6466493070, p 0.999 -> 3.0992456923.
        let z = |sd: f64, p: f64| (gamma_quantile(1e5, sd, level(p)) - 1e5) / sd;
        for (p, below, above) in
            [(0.95, 1.646_649_874_2, 1.646_649_307_0), (0.999, 3.099_248_543_5, 3.099_245_692_3)]
        {
            let (exact, approx) = (z(316.3, p), z(316.2, p));
            assert!((exact - below).abs() < 1e-7, "statrs {p}: {exact}");
            assert!((approx - above).abs() < 1e-5, "wilson-hilferty {p}: {approx}");
            // No step at the threshold beyond the documented accuracy.
            assert!((exact - approx).abs() < 1e-5, "{p}: {exact} vs {approx}");
        }
    }

    #[test]
    fn wilson_hilferty_error_falls_as_one_over_the_shape() {
        // Against statrs where it is fast, shapes 1e4 to 1e6: quantiles
        // within 1 / shape standard deviations for p up to 1 - 1e-6
        // (50-digit checks put the error at 0.9 / shape there), expected
        // shortages within 0.01 / shape (measured 0.0037 / shape). At
        // shape 1e6 statrs' own survival function drifts by 1.4e-7
        // standard deviations (50-digit values agree with Wilson-Hilferty
        // to 1e-9 there), so its bound is 3e-7.
        for (shape, shortage_bound) in [(1e4, 1e-6), (1e5, 1e-7), (1e6, 3e-7)] {
            let cv = 1.0 / f64::sqrt(shape);
            let exact = UnitGamma::exact(shape, cv).unwrap();
            let approx = UnitGamma::WilsonHilferty { cv };
            for p in [0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 0.999_999] {
                let gap = (exact.quantile(p) - approx.quantile(p)).abs() / cv;
                assert!(gap < 1.0 / shape, "shape {shape}, p {p}: {gap}");
            }
            for k in [-3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 5.0] {
                let x = 1.0 + k * cv;
                let gap = (exact.shortage(x) - approx.shortage(x)).abs() / cv;
                assert!(gap < shortage_bound, "shape {shape}, k {k}: {gap}");
            }
        }
    }

    #[test]
    fn gamma_fill_point_of_huge_shape_is_the_normal_one() {
        // mu 1e8, sigma 1 (shape 1e16), fill 98% of a lot of 200: allowed
        // shortage 4 = sigma G(k), and G(k) = 4 has k = -3.99997 (G(-k) =
        // G(k) + k and G(4) = 3e-5), s = mu - 4.0000 to f64 resolution.
        let x = DemandOverInterval {
            mean: 1e8,
            std_dev: 1.0,
            ..DemandOverInterval::new(1.0, 0.0, 1e8, 1.0)
        };
        let ss = safety_stock(&x, ServiceTarget::FillRate(level(0.98)), DemandModel::Gamma, 200.0)
            .unwrap();
        assert!((ss.units + 3.999_97).abs() < 1e-4, "{ss:?}");
    }

    #[test]
    fn a_zero_term_of_the_interval_variance_stays_zero_for_huge_demand() {
        // d = 1e300 with sd_P = 0: d^2 sd_P^2 was inf * 0 = NaN, and the
        // safety stock blamed a NaN "demand std_dev" nobody gave. The
        // term is 0: sigma = sqrt(1 x 1^2 + 0) = 1, mu = 1e300.
        let x = DemandOverInterval::new(1.0, 0.0, 1e300, 1.0);
        assert_eq!((x.mean, x.std_dev), (1e300, 1.0));
        let ss = safety_stock(&x, ServiceTarget::FillRate(level(0.95)), DemandModel::Gamma, 1.0)
            .unwrap();
        assert_eq!(ss.reorder_point, 1e300);
        // The same with P = 0 against sd_d = 1e300: P sd_d^2 = 0 x inf.
        let x = DemandOverInterval::new(0.0, 1.0, 2.0, 1e300);
        assert_eq!((x.mean, x.std_dev), (0.0, 2.0));
        // Squares that overflow though sigma does not: d = 1e200,
        // sd_P = 3 has sigma = d sd_P = 3e200, not inf.
        let x = DemandOverInterval::new(1.0, 3.0, 1e200, 0.0);
        assert!((x.std_dev / 3e200 - 1.0).abs() < 1e-15, "{x:?}");
        // A sigma truly past f64 is still infinite and refused by name.
        let x = DemandOverInterval::new(1.0, 1e200, 1e200, 0.0);
        assert_eq!(x.std_dev, f64::INFINITY);
        let got =
            safety_stock(&x, ServiceTarget::CycleService(level(0.9)), DemandModel::Gamma, 1.0);
        assert!(matches!(
            got,
            Err(ReorderError::InvalidStatistic { what: "demand std_dev", value }) if value.is_infinite()
        ));
    }

    #[test]
    fn a_fill_rate_with_no_demand_per_cycle_is_the_quantile_not_an_error() {
        // Q = 0: the gamma allowance (1 - beta) Q = 0 has no finite
        // stock, and the fill-rate path returned an error. The limit of
        // the exact fill rate as Q -> 0 is the ready rate P(X <= s): the
        // beta quantile. Exponential demand, mean = sd = 10, beta 0.95:
        // s = -10 ln(0.05) = 29.957323 (module docs).
        let x = DemandOverInterval {
            mean: 10.0,
            std_dev: 10.0,
            ..DemandOverInterval::new(1.0, 0.0, 10.0, 10.0)
        };
        let fill = ServiceTarget::FillRate(level(0.95));
        let ss = safety_stock(&x, fill, DemandModel::Gamma, 0.0).unwrap();
        assert!((ss.reorder_point - 29.957_322_735_5).abs() < 1e-8, "{ss:?}");
        // Normal, mu 200, sigma 43.01 (d 20, sd_d 5, L 10, sd_L 2): the
        // 95% point 200 + 1.6449 x 43.01 = 270.75, not the 8.5 sigma top
        // of the loss-function search (565.6).
        let x = DemandOverInterval::new(10.0, 2.0, 20.0, 5.0);
        let ss = safety_stock(&x, fill, DemandModel::Normal, 0.0).unwrap();
        assert!((ss.reorder_point - 270.75).abs() < 0.01, "{ss:?}");
        assert_eq!(ss.factor, Some(z_for_cycle_service(level(0.95))));
        // No demand at all: nothing to protect, safety stock 0.
        let none = DemandOverInterval::new(10.0, 2.0, 0.0, 0.0);
        for model in [DemandModel::Normal, DemandModel::Gamma] {
            let ss = safety_stock(&none, fill, model, 0.0).unwrap();
            assert_eq!((ss.units, ss.reorder_point), (0.0, 0.0), "{model:?}");
        }
    }

    #[test]
    fn a_normal_fill_rate_on_certain_demand_allows_the_planned_shortage() {
        // d = 20 a day for L = 10 days, no spread: mu = 200, sigma = 0.
        // Lot 100 at a 90% fill rate: each cycle may run short by
        // (1 - 0.9) x 100 = 10 units, so s = 200 - 10 = 190, as the gamma
        // model says and as the normal model says for a spread of 1e-9
        // (k = -10 / sigma). Sigma 0 gave s = 200 (k 0, a 100% fill).
        let fill = ServiceTarget::FillRate(level(0.9));
        let certain = DemandOverInterval::new(10.0, 0.0, 20.0, 0.0);
        let nearly = DemandOverInterval::new(10.0, 0.0, 20.0, 1e-9);
        for (x, model) in [
            (certain, DemandModel::Normal),
            (certain, DemandModel::Gamma),
            (nearly, DemandModel::Normal),
        ] {
            let ss = safety_stock(&x, fill, model, 100.0).unwrap();
            assert!((ss.reorder_point - 190.0).abs() < 1e-6, "{model:?} {x:?}: {ss:?}");
            assert!((ss.units + 10.0).abs() < 1e-6, "{model:?} {x:?}: {ss:?}");
        }
        let ss = safety_stock(&certain, fill, DemandModel::Normal, 100.0).unwrap();
        assert_eq!(ss.factor, None);
        // A spread so small that 100 / sigma overflows was refused; it is
        // the same certain demand: 190 to within sigma.
        let subnormal = DemandOverInterval { std_dev: 1e-310, ..certain };
        let ss = safety_stock(&subnormal, fill, DemandModel::Normal, 100.0).unwrap();
        assert_eq!(ss.reorder_point, 190.0);
        // No demand per cycle: the fill rate's limit, the certain mean.
        let ss = safety_stock(&certain, fill, DemandModel::Normal, 0.0).unwrap();
        assert_eq!(ss.reorder_point, 200.0);
    }

    #[test]
    fn tiny_gamma_shapes_follow_the_closed_form_lower_tail() {
        // mean 1, sd 1e7: shape k = 1e-14, scale theta = sd^2 / mean
        // = 1e14. statrs reads P(k, y) as 1 for k < 1.1e-15 and as 0 for
        // y < 1.1e-15, and the quantile came out 0.111 for every p.
        // Near 0, F(x) = (x / theta)^k / Gamma(1 + k), so
        // x_p = theta exp((ln p + ln Gamma(1 + k)) / k). p = 1 - 2^-40:
        // ln p = -2^-40 - 2^-81 = -9.0949470177334e-13,
        // ln Gamma(1 + k) = -gamma k = -5.7721566e-15,
        // sum / k = -91.526685842, e^-91.526685842 = 1.780186043e-40,
        // x_p = 1e14 x 1.780186043e-40 = 1.780186043e-26.
        let q = gamma_quantile(1.0, 1e7, level(1.0 - 2f64.powi(-40)));
        assert!((q / 1.780_186_043_257_205e-26 - 1.0).abs() < 1e-9, "{q:e}");
        // p = 0.5: x_p = theta 0.5^(1e14) underflows: 0 is the f64 answer.
        assert_eq!(gamma_quantile(1.0, 1e7, level(0.5)), 0.0);
        // Quantiles past y = 1 and ordinary small shapes, against
        // 60-digit mpmath roots of the regularized incomplete gamma:
        // (mean, sd, p) -> quantile.
        for (mean, sd, p, want) in [
            (1.0, 1e7, 0.999_999_999_999_999, 1.500_669_333_777_63e14),
            (1.0, 3.0, 0.5, 0.0107757424439928),
            (1.0, 3.0, 0.999, 31.2043600110543),
            (1.0, 10.0, 0.5, 4.46553501891035e-29),
            (1.0, 10.0, 0.99, 26.5052550251582),
            (1.0, 1e4, 0.999_999_99, 26_473_700.905_261_337),
        ] {
            let q = gamma_quantile(mean, sd, level(p));
            assert!((q / want - 1.0).abs() < 1e-10, "{mean} {sd} {p}: {q:e} vs {want:e}");
        }
    }

    #[test]
    fn tiny_gamma_shapes_have_the_exponential_integral_shortage() {
        // For k -> 0 (unit mean, y = k s), E[(X - s)+] = Q(k + 1, y) -
        // s Q(k, y) -> e^-y - y E1(y). mean 1, sd 1e8 (k = 1e-16) at
        // s = 1e16 is y = 1: e^-1 - E1(1) = 0.3678794412 - 0.2193839344
        // = 0.1484955068. sd 1e12 (k = 1e-24) at s = 1e24 is the same.
        for (sd, s) in [(1e8, 1e16), (1e12, 1e24)] {
            let es = gamma_expected_shortage(1.0, sd, s);
            assert!((es - 0.148_495_506_775_922_05).abs() < 1e-12, "{sd}: {es}");
        }
        // 60-digit mpmath values of mean Q(k + 1, y) - s Q(k, y):
        for (mean, sd, s, want) in [
            (1.0, 1e8, 1e10, 0.999985761704607),
            (1.0, 1e12, 1e20, 0.999036682529376),
            (1.0, 3.0, 0.5, 0.843672270221842),
            (1.0, 3.0, 5.0, 0.333204735104161),
            (1.0, 10.0, 1e-3, 0.999887462220217),
            (1.0, 10.0, 50.0, 0.330067269257007),
        ] {
            let es = gamma_expected_shortage(mean, sd, s);
            assert!((es / want - 1.0).abs() < 1e-11, "{mean} {sd} {s}: {es} vs {want}");
        }
        // Shapes 100 to 256 (cv 0.0625 to 0.1, ordinary smooth demand):
        // statrs' density overflowed in `a^a` from shape 143 on (and in
        // part of the range from about 110), and the shortage read inf.
        // 40-digit mpmath values, as above.
        for (mean, sd, s, want) in [
            (100.0, 10.0, 100.0, 3.986_099_680_914_713_3),
            (100.0, 8.5, 100.0, 3.388_968_331_234_081_3),
            (100.0, 8.2, 100.0, 3.269_494_182_117_791_4),
            (100.0, 8.0, 100.0, 3.189_836_545_631_467),
            (100.0, 7.9, 100.0, 3.150_005_325_938_392_4),
            (100.0, 9.5, 110.0, 0.785_726_072_838_576),
            (100.0, 9.1, 90.0, 10.558_007_887_097_862),
            (100.0, 9.0, 120.0, 0.063_507_182_961_167_54),
            (20.0, 1.6, 25.0, 0.000_939_491_478_588_506_7),
            (1.0, 0.0625, 1.0, 0.024_925_777_348_645_27),
            (1.0, 0.08, 0.9, 0.103_553_247_508_487_73),
        ] {
            let es = gamma_expected_shortage(mean, sd, s);
            assert!((es / want - 1.0).abs() < 1e-10, "{mean} {sd} {s}: {es} vs {want}");
        }
        // y = k s underflowed to 0 inside statrs, which panicked; the
        // shortage is the whole mean less s Q(k, y) ~ 1e-300 E1(1e-324).
        assert_eq!(gamma_expected_shortage(1.0, 1e12, 1e-300), 1.0);
        // The fill-rate path errored for these shapes: mean 1, sd 1e8,
        // lot 1, fill 95%: the point's shortage over the lot,
        // E[(X - s)+] - E[(X - s - 1)+], is the allowed 0.05.
        let x = DemandOverInterval {
            mean: 1.0,
            std_dev: 1e8,
            ..DemandOverInterval::new(1.0, 0.0, 1.0, 1e8)
        };
        let ss = safety_stock(&x, ServiceTarget::FillRate(level(0.95)), DemandModel::Gamma, 1.0)
            .unwrap();
        let s = ss.reorder_point;
        let es = gamma_expected_shortage(1.0, 1e8, s) - gamma_expected_shortage(1.0, 1e8, s + 1.0);
        assert!((es - 0.05).abs() < 1e-12, "{ss:?}: {es}");
    }

    #[test]
    fn fill_rate_factor_is_continuous_and_monotone_as_the_lot_falls_to_zero() {
        // The exact equation G(k) - G(k + q) = (1 - beta) q, q = Q / sigma,
        // has k in [z - q, z], falling in q, k -> z as q -> 0. The
        // approximation G(k) = (1 - beta) q it replaced sent k to 8.5 as
        // Q fell to 0, then to z at Q = 0: a jump of 6.9 sigma. SLACK is
        // the reach of statrs' normal tail, good to about 5e-11 relative
        // (its 1 - Phi(z(0.95)) is 0.0500000000021).
        const SLACK: f64 = 2e-9;
        for (p, sigma) in [(0.95, 50.0), (0.5, 1.0), (0.999_9, 3.0), (0.9, 1e-3)] {
            let fill = level(p);
            let z = z_for_cycle_service(fill);
            let mut lot = 1e4;
            let mut last = f64::NEG_INFINITY;
            while lot > 0.0 {
                let k = k_for_fill_rate(fill, lot, sigma).unwrap();
                let q = lot / sigma;
                assert!(k >= last - SLACK, "p {p}, lot {lot:e}: {k} after {last}");
                assert!(k <= z + SLACK && k >= z - q - SLACK, "p {p}, lot {lot:e}: {k}");
                if q < 1e-4 {
                    // The average of 1 - Phi over [k, k + q] is 1 - Phi
                    // at its middle to O(q^2): k = z - q / 2 + O(q^2).
                    assert!((k - (z - 0.5 * q)).abs() <= q * q + SLACK, "{lot:e}: {k}");
                }
                last = k;
                // Halving ends at 0 (0.7 x the smallest subnormal rounds back to it).
                lot *= 0.5;
            }
            // Past the smallest subnormal: lot 0 is the limit itself.
            assert_eq!(k_for_fill_rate(fill, 0.0, sigma).unwrap(), z);
            assert!((last - z).abs() <= SLACK, "p {p}: {last} vs {z}");
        }
    }

    #[test]
    fn fill_rate_factor_matches_40_digit_roots() {
        // mpmath at 40 digits, findroot of
        // (phi(k) - k Q(k)) - (phi(k + q) - (k + q) Q(k + q)) - (1 - beta) q
        // with Q(t) = ncdf(-t): (beta, q = lot / sigma) -> k.
        for (p, q, want) in [
            (0.95, 0.5, 1.411_908_738_310_137_4),
            (0.9, 1.0, 0.834_423_080_747_838_2),
            (0.99, 0.1, 2.277_316_789_093_631),
            (0.99, 2.0, 1.662_422_366_419_028_7),
            (0.95, 1e-6, 1.644_853_126_951_540_8),
        ] {
            let k = k_for_fill_rate(level(p), q * 10.0, 10.0).unwrap();
            // statrs' 1 - Phi is good to about 5e-11 relative.
            assert!((k - want).abs() < 2e-9, "{p} {q}: {k} vs {want}");
        }
    }

    #[test]
    fn gamma_fill_point_matches_40_digit_roots() {
        // mpmath at 40 digits, unit mean, shape a (sd 1 / sqrt(a)):
        // s with Q(a + 1, a s) - s Q(a, a s) - [same at s + q] = (1 - beta) q
        // (regularized upper incomplete gamma Q). (shape, beta, q) -> s.
        for (sd, p, q, want) in [
            (0.5, 0.95, 0.3, 1.797_568_540_900_858_7),
            (3.0, 0.9, 0.5, 2.522_490_628_343_415),
            (3.0, 0.9, 0.01, 2.762_989_465_716_157),
            (0.1, 0.98, 0.05, 1.192_857_313_594_484_3),
        ] {
            let s = gamma_fill_point(1.0, sd, level(p), q);
            assert!((s - want).abs() < 1e-10, "{sd} {p} {q}: {s} vs {want}");
        }
    }

    #[test]
    fn gamma_fill_point_above_shape_1e4_matches_40_digit_roots_for_any_lot() {
        // Above shape 1e4 only lots up to a tenth of the mean had been
        // checked. mpmath at 40 digits, unit mean, shape a (sd
        // 1 / sqrt(a)), root of Q(a + 1, a s) - s Q(a, a s) - [same at
        // s + q] = (1 - beta) q with mpmath's upper incomplete gamma Q
        // (it reads shapes to 1e6 quickly). (shape, beta, q) -> s.
        // Within 1e-10 of the mean up to shape 1e5 (statrs; measured
        // 4e-13), within 2e-7 sd under Wilson-Hilferty (measured 9e-8 sd
        // at shape 2e5, 9e-9 sd at 1e6), as its shortages are.
        for (a, p, q, want) in [
            (2e4, 0.5, 0.003, 0.998_483_581_890_469_3),
            (2e4, 0.9, 0.1, 0.990_269_700_964_213_6),
            (2e4, 0.9, 0.3, 0.970_000_013_568_793_4),
            (2e4, 0.98, 0.1, 1.001_833_897_002_714_5),
            (2e4, 0.98, 0.3, 0.994_992_806_122_565_5),
            (2e4, 0.98, 1.0, 0.980_004_563_032_930_3),
            (9e4, 0.9, 0.003, 1.002_917_074_569_573_5),
            (9e4, 0.98, 0.003, 1.005_582_378_370_073_5),
            (9e4, 0.9, 0.1, 0.990_001_226_814_413_4),
            (9e4, 0.98, 0.1, 0.998_822_788_838_831_2),
            (9e4, 0.98, 0.3, 0.994_048_833_065_334_6),
        ] {
            let s = gamma_fill_point(1.0, 1.0 / f64::sqrt(a), level(p), q);
            assert!((s - want).abs() < 1e-10, "{a} {p} {q}: {s} vs {want}");
        }
        for (a, p, q, want) in [
            (2e5, 0.9, 0.003, 1.001_577_558_226_793_2),
            (2e5, 0.98, 0.003, 1.003_423_286_590_432),
            (2e5, 0.9, 0.1, 0.990_000_001_647_563),
            (2e5, 0.98, 0.1, 0.998_284_247_218_831),
            (2e5, 0.98, 0.3, 0.994_002_463_772_339_5),
            (1e6, 0.5, 0.003, 0.998_499_850_508_219),
            (1e6, 0.9, 0.003, 1.000_216_154_287_264_7),
            (1e6, 0.98, 0.003, 1.001_167_674_247_935_4),
            (1e6, 0.98, 0.1, 0.998_008_653_158_949_8),
            (1e6, 0.98, 0.3, 0.994_000_000_000_144_7),
        ] {
            let sd = 1.0 / f64::sqrt(a);
            let s = gamma_fill_point(1.0, sd, level(p), q);
            assert!((s - want).abs() < 2e-7 * sd, "{a} {p} {q}: {s} vs {want}");
        }
        // By hand, lots from the mean to a thousand means: s lands many
        // sd below the bulk and s + q far above it, so every unit over
        // [s, s + q] below G is short, the shortage drop is E[(G - s)+]
        // - 0 = 1 - s, and s = 1 - (1 - beta) q (beta 0.9, q 10: s = 0;
        // beta 0.98, q 10: 0.8; beta 0.9, q 1000: -99). The tails left
        // out are below 1e-12.
        for a in [2e4, 9e4, 2e5, 1e6] {
            for (p, q) in
                [(0.5, 1.0), (0.5, 10.0), (0.9, 5.0), (0.9, 10.0), (0.98, 10.0), (0.9, 1e3)]
            {
                let s = gamma_fill_point(1.0, 1.0 / f64::sqrt(a), level(p), q);
                let want = 1.0 - (1.0 - p) * q;
                assert!((s - want).abs() < 1e-10 * q, "{a} {p} {q}: {s} vs {want}");
            }
        }
    }

    #[test]
    fn gamma_fill_point_is_continuous_and_monotone_as_the_lot_falls_to_zero() {
        // As for the normal factor: s in [x - Q, x] for x the beta
        // quantile, falling in Q, s -> x as Q -> 0 (it ran off to the
        // 1 - 1e-12 quantile and beyond before, then dropped to x at 0).
        // Shapes 1/9 (series), 1, 4 (statrs) and 1e6 (Wilson-Hilferty).
        for (mean, sd) in [(1.0, 3.0), (10.0, 10.0), (8.0, 4.0), (1e6, 1e3)] {
            for p in [0.5, 0.95, 0.999] {
                let fill = level(p);
                let x = gamma_quantile(mean, sd, fill);
                let mut lot = 10.0 * mean;
                let mut last = f64::NEG_INFINITY;
                while lot > 0.0 {
                    let s = gamma_fill_point(mean, sd, fill, lot);
                    let slack = 1e-12 * x;
                    assert!(s >= last - slack, "{mean} {sd} {p} lot {lot:e}: {s} after {last}");
                    assert!(s <= x + slack && s >= x - lot - slack, "{mean} {sd} {p}: {s}");
                    last = s;
                    // Halving ends at 0 (0.7 x the smallest subnormal rounds back to it).
                    lot *= 0.5;
                }
                assert_eq!(gamma_fill_point(mean, sd, fill, 0.0), x);
                assert!((last - x).abs() <= 1e-12 * x, "{mean} {sd} {p}: {last} vs {x}");
            }
        }
    }

    #[test]
    fn gamma_readings_meet_at_shape_one() {
        // Shape 1 is the exponential (statrs); a shape a hair below it is
        // the small-shape reading. Both at mean 1: quantile -ln(1 - p),
        // shortage e^-s.
        for sd in [1.0, 1.0 + 1e-9] {
            for p in [0.01, 0.5, 0.95, 0.999_999] {
                let q = gamma_quantile(1.0, sd, level(p));
                assert!((q + (1.0 - p).ln()).abs() < 1e-7, "{sd} {p}: {q}");
            }
            for s in [1e-6, 0.5, 1.0, 2.0, 30.0] {
                let es = gamma_expected_shortage(1.0, sd, s);
                assert!((es / (-s).exp() - 1.0).abs() < 1e-7, "{sd} {s}: {es}");
            }
        }
    }

    #[test]
    fn gamma_quantile_keeps_the_digits_of_one_minus_p_above_shape_one() {
        // Mean = sd = 1 is the exponential, x = -ln(1 - p), and 1 - p is
        // exact in f64 for these p: -ln 2^-53 = 53 ln 2 = 36.7368005696771
        // at the largest p below 1 (it read 36.3313, 1.1% low, when P
        // near 1 was bisected; 1.6e-3 off at 1 - 1e-15, 2.4e-8 at
        // 1 - 1e-10). Mean 1, sd sqrt(1/2) is shape 2 (less 2 ulps, which
        // move x by 2e-16), scale 1/2: x = y / 2 with Q(2, y) = (1 + y)
        // e^-y = 1 - p, roots from 60-digit mpmath.
        for (p, want1, want2) in [
            (1.0 - f64::EPSILON / 2.0, 36.736_800_569_677_1, 20.230_783_741_543_733),
            (1.0 - 1e-15, 34.539_575_992_340_88, 19.104_234_377_742_41),
            (1.0 - 1e-10, 23.025_850_847_200_09, 13.166_990_759_824_27),
            (1.0 - 1e-6, 13.815_510_557_935_518, 8.344_210_395_414_72),
        ] {
            let x = gamma_quantile(1.0, 1.0, level(p));
            assert!((x / want1 - 1.0).abs() < 1e-13, "shape 1 at {p}: {x} vs {want1}");
            assert!((x / -(1.0 - p).ln() - 1.0).abs() < 1e-13, "shape 1 at {p}: {x}");
            let x = gamma_quantile(1.0, 0.5f64.sqrt(), level(p));
            assert!((x / want2 - 1.0).abs() < 1e-13, "shape 2 at {p}: {x} vs {want2}");
        }
    }

    #[test]
    fn gamma_quantile_keeps_falling_down_to_the_smallest_subnormal_p() {
        // By hand: mean = sd is the exponential, x = -mean ln(1 - p) =
        // mean p (1 + p / 2 + ...), so p itself at mean 1 (it read
        // 1.1e-15 for every p below about 1e-15) and 1e-290 at mean 1e10
        // and p = 1e-300. The rest are 60-digit mpmath roots of
        // ln P(a, y) = ln p for the exact f64 p and for the shape
        // a = 1 / (sd / mean)^2 as formed in f64, x = mean y / a. Mean 1,
        // sd sqrt(1/2) is shape 2 less 2 ulps: P(2, y) = y^2 / 2 - ...,
        // so x = sqrt(p / 2) = 7.07106781186548e-151 at 1e-300 (the 2
        // ulps move it by 8e-14). Mean 10, sd 2 is shape 25 (less an
        // ulp), which read 1.67e-12 for every p below 1e-310. (Roots
        // rounded to f64.)
        for (mean, sd, p, want) in [
            (1.0, 1.0, 1e-20, 1e-20),
            (1.0, 1.0, 1e-300, 1e-300),
            (1.0, 1.0, 5e-324, 5e-324),
            (1e10, 1e10, 1e-300, 1e-290),
            (1.0, 1.0, 0.3, -(0.7f64.ln())),
            (1.0, 0.5f64.sqrt(), 1e-300, 7.071_067_811_864_933e-151),
            (1.0, 0.5f64.sqrt(), 5e-324, 1.571_727_784_702_499e-162),
            (2.0, 1.0, 1e-20, 1.106_686_818_710_529_9e-5),
            (2.0, 1.0, 5e-324, 1.649_943_144_103_041_7e-81),
            (3.0, 1.0, 0.01, 1.169_151_816_862_096_7),
            (10.0, 2.0, 1e-320, 6.451_870_252_009_15e-13),
            (1000.0, 10.0, 1e-300, 673.768_719_159_032_9),
            (1e5, 317.0, 1e-100, 93_406.724_748_367_5),
            (1e5, 317.0, 5e-324, 88_296.060_930_361_88),
        ] {
            let x = gamma_quantile(mean, sd, level(p));
            assert!((x / want - 1.0).abs() < 2e-13, "{mean} {sd} {p:e}: {x:e} vs {want:e}");
        }
        // Strictly falling as p halves down to the smallest subnormal,
        // across the switches at y = 1 and p = 1e-290, for shapes 1 to
        // 1e5 (mean = shape, scale 1) and Wilson-Hilferty's 1e6.
        for shape in [1.0, 1.5, 2.0, 12.5, 25.0, 1e3, 1e5, 1e6] {
            let sd = f64::sqrt(shape);
            let (mut p, mut last) = (0.5, f64::INFINITY);
            while p > 0.0 {
                let x = gamma_quantile(shape, sd, level(p));
                assert!(x < last, "shape {shape}, p {p:e}: {x:e} after {last:e}");
                last = x;
                p *= 0.5;
            }
        }
        // Wilson-Hilferty's far tail, against 50-digit roots (mean =
        // variance = shape): within 600 / shape standard deviations.
        for (shape, p, want) in [
            (2e5, 5e-324, 183_286.207_300_471_1),
            (1e6, 1e-300, 963_408.653_939_865_6),
            (1e6, 5e-324, 962_023.926_324_044_6),
        ] {
            let x = gamma_quantile(shape, f64::sqrt(shape), level(p));
            let gap = (x - want).abs() / shape.sqrt();
            assert!(gap < 600.0 / shape, "{shape} {p:e}: {x} vs {want} ({gap:e} sd)");
        }
        // The fill-rate point of a zero lot is the same quantile.
        let fill = gamma_fill_point(1.0, 1.0, level(1e-20), 0.0);
        assert!((fill / 1e-20 - 1.0).abs() < 2e-13, "{fill:e}");
    }

    #[test]
    fn demand_over_an_interval_of_no_length_is_none_not_nan() {
        // NaN days used to read as a one-day window and then give a NaN
        // mean and spread inside Some.
        let (mean, sd) = ([10.0; 5], [2.0; 5]);
        for (days, days_sd) in
            [(f64::NAN, 0.0), (f64::INFINITY, 0.0), (-3.0, 0.0), (5.0, f64::NAN), (5.0, -1.0)]
        {
            assert_eq!(DemandOverInterval::from_daily(&mean, &sd, days, days_sd), None);
        }
        // A day's mean that is not a number has no total either.
        assert_eq!(DemandOverInterval::from_daily(&[f64::NAN], &[1.0], 1.0, 0.0), None);
        // 3 days of 10 +/- 2: mu = 30, sigma = sqrt(3 x 4) = 3.4641.
        let x = DemandOverInterval::from_daily(&mean, &sd, 3.0, 0.0).unwrap();
        assert_eq!(x.mean, 30.0);
        assert!((x.std_dev - 12f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn a_tiny_fill_rate_keeps_its_digits() {
        // fill 1e-10, q = 2: the root of int_k^(k+2) Phi(t) dt = 2e-10,
        // 40-digit mpmath: -7.9608695003890864. Solved through
        // 1 - fill in f64 it was -7.960870112891907 (6e-7 off).
        let k = k_for_fill_rate(level(1e-10), 2.0, 1.0).unwrap();
        assert!((k + 7.960_869_500_389_086).abs() < 1e-9, "{k}");
    }

    #[test]
    fn gamma_fill_point_at_a_large_shape_falls_with_the_lot() {
        // mean 100, sd 0.5 (shape 40000), fill 50%, lots just past
        // q = cv^2 = 2.5e-5 of the mean, where the drop is a difference
        // of two shortages. 50-digit mpmath roots of
        // int_s^(s + Q) P(X > t) dt = 0.5 Q: 99.997916419638066 (Q =
        // 0.0025005) and 99.997916357138239 (Q = 0.002500625). With the
        // shortage as a difference of two tails near 1/2 the second was
        // 99.997918110562: 1.75e-6 off, above the first.
        let x = DemandOverInterval {
            mean: 100.0,
            std_dev: 0.5,
            ..DemandOverInterval::new(1.0, 0.0, 100.0, 0.5)
        };
        let point = |lot: f64| {
            safety_stock(&x, ServiceTarget::FillRate(level(0.5)), DemandModel::Gamma, lot)
                .unwrap()
                .reorder_point
        };
        let (a, b) = (point(0.002_500_5), point(0.002_500_625));
        assert!((a - 99.997_916_419_638_07).abs() < 1e-8, "{a}");
        assert!((b - 99.997_916_357_138_24).abs() < 1e-8, "{b}");
        assert!(b < a, "{a} -> {b}");
    }

    #[test]
    fn periodic_fill_rate_level_meets_its_equation_and_its_edges() {
        let short = |x: &DemandOverInterval, s: f64| {
            if x.std_dev == 0.0 {
                (x.mean - s).max(0.0)
            } else {
                x.std_dev * normal_loss((s - x.mean) / x.std_dev)
            }
        };
        // The equation holds, whichever interval has the wider spread:
        // the lead time's is wider here (a busy lead time, a quiet review
        // day): X_L ~ N(100, 30^2), X_(L+R) ~ N(104, 20^2), m = 4.
        let pairs = [
            (
                DemandOverInterval::new(6.0, 0.0, 5.0, 5.0),
                DemandOverInterval::new(5.0, 0.0, 5.0, 5.0),
            ),
            (
                DemandOverInterval {
                    mean: 104.0,
                    std_dev: 20.0,
                    ..DemandOverInterval::new(1.0, 0.0, 1.0, 0.0)
                },
                DemandOverInterval {
                    mean: 100.0,
                    std_dev: 30.0,
                    ..DemandOverInterval::new(1.0, 0.0, 1.0, 0.0)
                },
            ),
        ];
        for (p, l) in pairs {
            for fill in [0.05, 0.5, 0.9, 0.999] {
                let ss =
                    periodic_fill_rate_level(&p, &l, level(fill), DemandModel::Normal).unwrap();
                let s = ss.reorder_point;
                let got = short(&p, s) - short(&l, s);
                let want = (1.0 - fill) * (p.mean - l.mean);
                assert!((got - want).abs() < 1e-9, "{fill}: {got} vs {want} at {s}");
                assert_eq!(ss.factor, Some((s - p.mean) / p.std_dev));
            }
        }
        // With no spread in the daily demand the normal lead-time demand
        // is the interval's shifted down by d R, and the (s, Q) form is
        // exact: d 20, sd_L 2, L 10, R 5 (sigma 40 both), fill 95%. (Two
        // gammas of one spread and different means are no shift of each
        // other: there the gamma equation itself is checked.)
        let p = DemandOverInterval::new(15.0, 2.0, 20.0, 0.0);
        let l = DemandOverInterval::new(10.0, 2.0, 20.0, 0.0);
        let fill = level(0.95);
        let a = periodic_fill_rate_level(&p, &l, fill, DemandModel::Normal).unwrap().reorder_point;
        let b = safety_stock(&p, ServiceTarget::FillRate(fill), DemandModel::Normal, 100.0)
            .unwrap()
            .reorder_point;
        assert!((a - b).abs() < 1e-7, "{a} vs {b}");
        let s = periodic_fill_rate_level(&p, &l, fill, DemandModel::Gamma).unwrap().reorder_point;
        let got = gamma_expected_shortage(p.mean, p.std_dev, s)
            - gamma_expected_shortage(l.mean, l.std_dev, s);
        assert!((got - 5.0).abs() < 1e-9, "{s}: {got}");
        // A lead time of 0 under the gamma model: X_L is 0, so the
        // equation is E[(X_R - S)+] - 0 with S above 0: the (s, Q)
        // drop is not it; the loss itself is (1 - fill) m.
        let p = DemandOverInterval::new(1.0, 0.0, 5.0, 5.0);
        let l = DemandOverInterval::new(0.0, 0.0, 5.0, 5.0);
        let s = periodic_fill_rate_level(&p, &l, level(0.9), DemandModel::Gamma).unwrap();
        let loss = gamma_expected_shortage(5.0, 5.0, s.reorder_point);
        assert!((loss - 0.5).abs() < 1e-9, "{s:?}: {loss}");
        assert_eq!(s.factor, None);
        // No demand in the review period: the fill quantile of the
        // interval demand, as a lot of 0 gives.
        let same = DemandOverInterval::new(5.0, 0.0, 5.0, 5.0);
        let q = periodic_fill_rate_level(&same, &same, level(0.9), DemandModel::Normal).unwrap();
        let z =
            safety_stock(&same, ServiceTarget::CycleService(level(0.9)), DemandModel::Normal, 0.0)
                .unwrap();
        assert_eq!(q.reorder_point, z.reorder_point);
        // Refused: a mean that is not finite, a spread that is NaN or
        // negative, in either interval; a review period past MAX_LOT.
        let good = DemandOverInterval::new(5.0, 0.0, 5.0, 5.0);
        let bad = [
            DemandOverInterval { mean: f64::NAN, ..good },
            DemandOverInterval { mean: f64::INFINITY, ..good },
            DemandOverInterval { std_dev: f64::NAN, ..good },
            DemandOverInterval { std_dev: -1.0, ..good },
        ];
        for b in bad {
            for (p, l) in [(&b, &good), (&good, &b)] {
                let got = periodic_fill_rate_level(p, l, level(0.9), DemandModel::Normal);
                assert!(matches!(got, Err(ReorderError::InvalidStatistic { .. })), "{got:?}");
            }
        }
        let huge = DemandOverInterval { mean: 1e17, ..good };
        let got = periodic_fill_rate_level(&huge, &good, level(0.9), DemandModel::Gamma);
        assert!(matches!(got, Err(ReorderError::InvalidStatistic { what: "lot", .. })), "{got:?}");
    }
}
