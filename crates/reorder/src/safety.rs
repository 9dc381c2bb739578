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
//!   `SS = k * sigma` where `k` solves `G(k) = (1 - beta) * Q / sigma`,
//!   `G(k) = phi(k) - k * (1 - Phi(k))` the standard normal loss function
//!   and `Q` the expected demand per cycle (the lot under continuous
//!   review, `d * R` under periodic review) (Silver-Pyke-Peterson 7.3.2,
//!   Axsäter 5.3.3). `k`, hence the safety stock and the reorder point,
//!   may be negative; nothing here clamps them.
//! - For lumpy demand the [`DemandModel::Gamma`] alternative fits a gamma
//!   distribution with the same mean and standard deviation and reads the
//!   quantile (cycle service) or solves the gamma expected shortage
//!   `E[(X - s)+] = mu * (1 - F(s; a + 1, b)) - s * (1 - F(s; a, b))`
//!   (fill rate), `a = mu^2 / sigma^2`, `b = mu / sigma^2` the rate.

use merchantry_core::{DailyForecast, ServiceLevel};
use statrs::distribution::{Continuous, ContinuousCDF, Gamma, Normal};

use crate::error::{ReorderError, Result};

/// Bisection steps: 2^-80 of the bracket is far below a unit of stock.
const BISECTION_STEPS: u32 = 80;

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
    #[must_use]
    pub fn new(days: f64, days_std_dev: f64, daily_mean: f64, daily_std_dev: f64) -> Self {
        let mean = daily_mean * days;
        let var = days * daily_std_dev * daily_std_dev
            + daily_mean * daily_mean * days_std_dev * days_std_dev;
        Self { days, days_std_dev, daily_mean, daily_std_dev, mean, std_dev: var.sqrt() }
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
pub struct SafetyStock {
    /// The safety factor `k` (`z` for a cycle service level) under the
    /// normal model; `None` under the gamma model.
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

/// The safety factor `k` with `G(k) = (1 - fill) * lot / sigma`: the
/// smallest stock that keeps expected shortage per cycle within the fill
/// rate. May be negative. `lot` is the expected demand per cycle.
///
/// Domain: `lot` and `sigma` must be finite and at or above zero. With
/// `sigma` 0 there is no uncertainty to buffer and the factor is 0 (the
/// safety stock `k * sigma` is 0 whatever `k`). With `lot` 0 the target
/// shortage is 0 and `k` is the upper end of the search, 8.5
/// (`G(8.5) < 1e-17`).
///
/// ```
/// use merchantry_core::ServiceLevel;
/// use merchantry_reorder::{k_for_fill_rate, normal_loss};
/// // fill 98%, lot 200, sigma 50: G(k) = 0.02 * 200 / 50 = 0.08
/// let k = k_for_fill_rate(ServiceLevel::new(0.98)?, 200.0, 50.0)?;
/// assert!((normal_loss(k) - 0.08).abs() < 1e-9);
/// // tables: G(1.00) = 0.0833 and G'(k) = -(1 - Phi(k)) = -0.1587 there,
/// // so k = 1 + (0.0833 - 0.08) / 0.1587 = 1.021
/// assert!((k - 1.021).abs() < 0.002);
/// // A lot that is not a number is refused, not read as zero.
/// assert!(k_for_fill_rate(ServiceLevel::new(0.9)?, f64::NAN, 10.0).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`ReorderError::InvalidStatistic`] when `lot` or `sigma` is NaN,
/// infinite or negative, or when `(1 - fill) * lot / sigma` overflows to
/// infinity (a finite lot over a vanishing `sigma`).
pub fn k_for_fill_rate(fill: ServiceLevel, lot: f64, sigma: f64) -> Result<f64> {
    let bad = |what, value| Err(ReorderError::InvalidStatistic { what, value });
    for (what, value) in [("lot", lot), ("sigma", sigma)] {
        if !(value.is_finite() && value >= 0.0) {
            return bad(what, value);
        }
    }
    if sigma == 0.0 {
        return Ok(0.0);
    }
    let target = (1.0 - fill.get()) * lot / sigma;
    if !target.is_finite() {
        return bad("fill-rate shortage target (1 - fill) * lot / sigma", target);
    }
    // G is decreasing, G(k) > -k and G(8.5) < 1e-17.
    let (mut lo, mut hi) = (-(target + 1.0), 8.5);
    if target <= normal_loss(hi) {
        return Ok(hi);
    }
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if normal_loss(mid) > target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(0.5 * (lo + hi))
}

/// The gamma distribution with the given mean and standard deviation,
/// or `None` when either is not strictly positive and finite.
fn fitted_gamma(mean: f64, std_dev: f64) -> Option<(Gamma, Gamma)> {
    if !(mean.is_finite() && std_dev.is_finite() && mean > 0.0 && std_dev > 0.0) {
        return None;
    }
    // As ratios, so a mean or spread near f64::MAX does not square to inf.
    let cv_inv = mean / std_dev;
    let shape = cv_inv * cv_inv;
    let rate = cv_inv / std_dev;
    Some((Gamma::new(shape, rate).ok()?, Gamma::new(shape + 1.0, rate).ok()?))
}

/// An upper bound `hi` with `cdf(hi) >= p`, found by doubling.
fn bracket(g: &Gamma, mean: f64, std_dev: f64, p: f64) -> f64 {
    let mut hi = mean + 10.0 * std_dev;
    for _ in 0..64 {
        if g.cdf(hi) >= p {
            break;
        }
        hi *= 2.0;
    }
    hi
}

/// The `p` quantile of the gamma distribution with the given mean and
/// standard deviation (the mean itself when the spread is zero; zero for
/// a mean at or below zero). Infinite when the quantile is past
/// `f64::MAX`; NaN for a NaN input.
#[must_use]
pub fn gamma_quantile(mean: f64, std_dev: f64, p: ServiceLevel) -> f64 {
    if mean.is_nan() || std_dev.is_nan() {
        return f64::NAN;
    }
    let Some((g, _)) = fitted_gamma(mean, std_dev) else {
        return mean.max(0.0);
    };
    let hi = bracket(&g, mean, std_dev, p.get());
    if !(hi.is_finite() && g.cdf(hi) >= p.get()) {
        return f64::INFINITY;
    }
    let mut lo = 0.0;
    let mut hi = hi;
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if g.cdf(mid) >= p.get() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Expected units short `E[(X - s)+]` for gamma demand `X` with the given
/// mean and standard deviation and stock `s` (`mu - s` for `s <= 0`).
/// NaN for a NaN input.
#[must_use]
pub fn gamma_expected_shortage(mean: f64, std_dev: f64, s: f64) -> f64 {
    if mean.is_nan() || std_dev.is_nan() || s.is_nan() {
        return f64::NAN;
    }
    if s <= 0.0 {
        return mean - s;
    }
    match fitted_gamma(mean, std_dev) {
        Some((a, a1)) => (mean * a1.sf(s) - s * a.sf(s)).max(0.0),
        None => (mean - s).max(0.0),
    }
}

/// The gamma reorder point whose expected shortage equals `allowed`.
fn gamma_fill_point(mean: f64, std_dev: f64, allowed: f64) -> f64 {
    if allowed >= mean {
        return mean - allowed;
    }
    let Some((g, _)) = fitted_gamma(mean, std_dev) else {
        return mean - allowed;
    };
    let hi = bracket(&g, mean, std_dev, 1.0 - 1e-12);
    if !(hi.is_finite() && gamma_expected_shortage(mean, std_dev, hi) <= allowed) {
        return f64::INFINITY;
    }
    let (mut lo, mut hi) = (0.0, hi);
    for _ in 0..BISECTION_STEPS {
        let mid = 0.5 * (lo + hi);
        if gamma_expected_shortage(mean, std_dev, mid) > allowed {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Sizes the safety stock for demand `demand` over the protection
/// interval, a service target and a demand model. `cycle_demand` is the
/// expected demand per replenishment cycle (`Q` in the fill-rate
/// equation); it is ignored for a cycle service level.
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
/// a fill rate) `cycle_demand` is, as in [`k_for_fill_rate`], or the
/// reorder point itself is past the range of `f64` (`what` is
/// `reorder point`).
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
    let (factor, point) = match (model, target) {
        (DemandModel::Normal, ServiceTarget::CycleService(p)) => {
            let z = z_for_cycle_service(p);
            (Some(z), mu + z * sigma)
        }
        (DemandModel::Normal, ServiceTarget::FillRate(p)) => {
            let k = k_for_fill_rate(p, cycle_demand, sigma)?;
            (Some(k), mu + k * sigma)
        }
        (DemandModel::Gamma, ServiceTarget::CycleService(p)) => {
            (None, gamma_quantile(mu, sigma, p))
        }
        (DemandModel::Gamma, ServiceTarget::FillRate(p)) => {
            if !(cycle_demand.is_finite() && cycle_demand >= 0.0) {
                return Err(ReorderError::InvalidStatistic { what: "lot", value: cycle_demand });
            }
            let allowed = (1.0 - p.get()) * cycle_demand;
            (None, gamma_fill_point(mu, sigma, allowed))
        }
    };
    if !point.is_finite() {
        return Err(ReorderError::InvalidStatistic { what: "reorder point", value: point });
    }
    Ok(SafetyStock { factor, units: point - mu, reorder_point: point })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(p: f64) -> ServiceLevel {
        ServiceLevel::new(p).unwrap()
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
        // Exponential demand mean 10, lot 50, fill 95%: allowed shortage
        // 0.05 * 50 = 2.5 = 10 exp(-s / 10), s = 10 ln 4 = 13.863.
        let x = DemandOverInterval {
            mean: 10.0,
            std_dev: 10.0,
            ..DemandOverInterval::new(1.0, 0.0, 10.0, 10.0)
        };
        let ss = safety_stock(&x, ServiceTarget::FillRate(level(0.95)), DemandModel::Gamma, 50.0)
            .unwrap();
        assert!((ss.reorder_point - 13.862_94).abs() < 1e-4, "{ss:?}");
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
}
