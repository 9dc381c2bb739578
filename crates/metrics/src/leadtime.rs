//! Lead-time variance (LTV): actual days minus forecast days, per
//! replenishment and per stage, and its summaries.
//!
//! # Definitions
//!
//! - **LTV of a replenishment** = actual arrival - forecast arrival, in
//!   whole days ([`Replenishment::variance_days`]); positive is late,
//!   negative early. An arrival earlier than forecast is valid and gives a
//!   negative LTV.
//! - **LTV of a stage** = actual days - forecast days of that
//!   [`StageDuration`](merchantry_core::StageDuration), for stages whose forecast was recorded.
//!
//! A summary over the replenishments *ordered* in a window gives, over the
//! variances `v1 .. vn`:
//!
//! | field | definition |
//! | --- | --- |
//! | `mean_days` (bias) | `sum(v) / n` |
//! | `mad_days` | `sum(|v|) / n`, the forecasting MAD (mean absolute error), not the deviation around the mean |
//! | `rmse_days` | `sqrt(sum(v^2) / n)` |
//! | `std_dev_days` | sample standard deviation, divisor `n - 1`; needs 2 |
//! | `p50_days`, `p90_days`, `p95_days` | quantiles by linear interpolation between order statistics (Hyndman and Fan type 7, the R and NumPy default) |
//! | `within_tolerance` | share with `|v| <= tolerance_days` |
//! | `trend` | ordinary least-squares slope of `v` and of `|v|` on the order date, in days of variance per 30 days; improving when `|v|` falls faster than the steady band |
//!
//! Each replenishment counts once: the history is read as a set keyed by
//! replenishment id and SKU, so a listing repeated word for word (two
//! overlapping report downloads) is skipped, and the same id and SKU
//! with different content is a [`MetricsError::ConflictingReplenishment`].
//! A purchase order for several SKUs may be listed once per SKU (each
//! line is its own record, as before) or once with `sku: None`.
//!
//! Statistics are `f64`: variances are converted once, from whole days or
//! [`Days`], at the boundary. Day counts beyond a million are rejected so
//! no sum or square can overflow to infinity.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use chrono::NaiveDate;
use merchantry_core::{
    DateRange, Days, Lane, LeadTimeHistory, PurchaseOrderId, Replenishment, Sku, Stage, SupplierId,
};

use crate::error::{MetricsError, Result};
use crate::metric::Metric;
use crate::stats;

/// The largest day count accepted in a replenishment.
pub const MAX_DAYS: f64 = 1_000_000.0;

/// The variance of one stage of one replenishment.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageVariance {
    /// Which stage.
    pub stage: Stage,
    /// Days forecast, if recorded.
    pub forecast: Option<Days>,
    /// Days taken.
    pub actual: Days,
    /// Actual - forecast, when the forecast was recorded.
    pub variance_days: Option<f64>,
}

/// The variance of one replenishment and of its stages.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReplenishmentVariance {
    /// The purchase order.
    pub id: PurchaseOrderId,
    /// Its lane.
    pub lane: Lane,
    /// Its SKU, when it is for one.
    pub sku: Option<Sku>,
    /// The order day.
    pub ordered_on: NaiveDate,
    /// Days from order to forecast arrival.
    pub forecast_days: i64,
    /// Days from order to actual arrival.
    pub actual_days: i64,
    /// Actual - forecast arrival, days (positive is late).
    pub variance_days: i64,
    /// Per stage, in the order recorded.
    pub stages: Vec<StageVariance>,
}

/// The variance of `r`, after checking its dates and stages.
///
/// # Errors
///
/// [`MetricsError::InvalidReplenishment`] when an arrival (forecast or
/// actual) is before the order day, a stage lasts a negative time, or a
/// day count passes [`MAX_DAYS`].
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{Days, Lane, LocationId, PurchaseOrderId, Replenishment, Stage,
///     StageDuration, SupplierId, TransportMode};
/// use merchantry_metrics::replenishment_variance;
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
/// let r = Replenishment {
///     id: PurchaseOrderId::new("PO-7")?,
///     lane: Lane { supplier: SupplierId::new("ACME")?, origin: None,
///         destination: LocationId::new("FBA-US")?, mode: TransportMode::Ocean },
///     sku: None, quantity: None,
///     ordered_on: d(1, 1), forecast_arrival: d(2, 20), actual_arrival: d(2, 26),
///     stages: vec![StageDuration { stage: Stage::CustomsClearance,
///         forecast: Some(Days::whole(3)), actual: Days::whole(8) }],
/// };
/// let v = replenishment_variance(&r)?;
/// assert_eq!(v.variance_days, 6); // Feb 26 - Feb 20
/// assert_eq!(v.stages[0].variance_days, Some(5.0)); // customs: 8 - 3
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn replenishment_variance(r: &Replenishment) -> Result<ReplenishmentVariance> {
    let bad = |reason| MetricsError::InvalidReplenishment { id: r.id.clone(), reason };
    if r.actual_arrival < r.ordered_on {
        return Err(bad("actual arrival is before the order day"));
    }
    if r.forecast_arrival < r.ordered_on {
        return Err(bad("forecast arrival is before the order day"));
    }
    #[expect(clippy::cast_precision_loss, reason = "compared with a bound far below 2^52")]
    if r.actual_days() as f64 > MAX_DAYS || r.forecast_days() as f64 > MAX_DAYS {
        return Err(bad("lead time is longer than a million days"));
    }
    let mut stages = Vec::with_capacity(r.stages.len());
    for s in &r.stages {
        let days = [Some(s.actual), s.forecast];
        if days.iter().flatten().any(|d| d.get() < 0.0) {
            return Err(bad("a stage lasts a negative number of days"));
        }
        if days.iter().flatten().any(|d| d.get() > MAX_DAYS) {
            return Err(bad("a stage lasts longer than a million days"));
        }
        stages.push(StageVariance {
            stage: s.stage,
            forecast: s.forecast,
            actual: s.actual,
            variance_days: s.forecast.map(|f| s.actual.get() - f.get()),
        });
    }
    Ok(ReplenishmentVariance {
        id: r.id.clone(),
        lane: r.lane.clone(),
        sku: r.sku.clone(),
        ordered_on: r.ordered_on,
        forecast_days: r.forecast_days(),
        actual_days: r.actual_days(),
        variance_days: r.variance_days(),
        stages,
    })
}

/// Options of the LTV summaries.
///
/// ```
/// use merchantry_metrics::LtvOptions;
/// let o = LtvOptions::default().with_tolerance_days(1.0)?;
/// assert_eq!(o.tolerance_days, 1.0);
/// assert_eq!(o.steady_band_days, 0.1);
/// # Ok::<(), merchantry_metrics::MetricsError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LtvOptions {
    /// A replenishment is on time when `|variance| <= tolerance_days`.
    /// Default 2.
    pub tolerance_days: f64,
    /// A trend whose `|variance|` slope is within this many days per 30
    /// days of zero is [`Direction::Steady`]. Default 0.1.
    pub steady_band_days: f64,
}

impl Default for LtvOptions {
    fn default() -> Self {
        Self { tolerance_days: 2.0, steady_band_days: 0.1 }
    }
}

impl LtvOptions {
    /// Sets the on-time tolerance.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidOption`] for a negative or non-finite value.
    pub fn with_tolerance_days(mut self, days: f64) -> Result<Self> {
        self.tolerance_days = non_negative("tolerance_days", days)?;
        Ok(self)
    }

    /// Sets the steady band of the trend.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidOption`] for a negative or non-finite value.
    pub fn with_steady_band_days(mut self, days: f64) -> Result<Self> {
        self.steady_band_days = non_negative("steady_band_days", days)?;
        Ok(self)
    }

    fn validate(&self) -> Result<()> {
        non_negative("tolerance_days", self.tolerance_days)?;
        non_negative("steady_band_days", self.steady_band_days)?;
        Ok(())
    }
}

fn non_negative(what: &'static str, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(MetricsError::InvalidOption { what, value, expected: "a finite number >= 0" })
    }
}

/// Whether lead-time forecasts are getting better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Direction {
    /// `|variance|` is falling.
    Improving,
    /// `|variance|` moves less than the steady band.
    Steady,
    /// `|variance|` is rising.
    Worsening,
}

/// The drift of variance over order dates.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Trend {
    /// OLS slope of the variance, days per 30 days of order date: a
    /// positive slope means arrivals are drifting later.
    pub variance_slope_per_30_days: f64,
    /// OLS slope of the absolute variance, days per 30 days: negative
    /// means forecasts are getting closer.
    pub abs_variance_slope_per_30_days: f64,
    /// The reading of the absolute slope against the steady band.
    pub direction: Direction,
}

/// Summary statistics of a set of variances, in days.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LtvSummary {
    /// How many variances.
    pub count: usize,
    /// The mean: the bias of the forecasts.
    pub mean_days: Metric<f64>,
    /// The mean absolute variance.
    pub mad_days: Metric<f64>,
    /// The root mean square variance.
    pub rmse_days: Metric<f64>,
    /// The sample standard deviation.
    pub std_dev_days: Metric<f64>,
    /// The median.
    pub p50_days: Metric<f64>,
    /// The 90th percentile.
    pub p90_days: Metric<f64>,
    /// The 95th percentile.
    pub p95_days: Metric<f64>,
    /// The share within the tolerance, 0 to 1.
    pub within_tolerance: Metric<f64>,
    /// The drift over order dates.
    pub trend: Metric<Trend>,
}

/// Variances with their order dates, before summarising.
#[derive(Debug, Clone, Default, PartialEq)]
struct Sample {
    days_since_epoch: Vec<f64>,
    variances: Vec<f64>,
}

impl Sample {
    fn push(&mut self, ordered_on: NaiveDate, variance: f64) {
        let epoch = NaiveDate::MIN;
        #[expect(clippy::cast_precision_loss, reason = "day numbers far below 2^52")]
        self.days_since_epoch.push((ordered_on - epoch).num_days() as f64);
        self.variances.push(variance);
    }

    fn summarise(&self, options: &LtvOptions) -> LtvSummary {
        let xs = &self.variances;
        let mut sorted = xs.clone();
        sorted.sort_by(f64::total_cmp);
        let abs: Vec<f64> = xs.iter().map(|x| x.abs()).collect();
        let slope = stats::ols_slope(&self.days_since_epoch, xs);
        let abs_slope = stats::ols_slope(&self.days_since_epoch, &abs);
        let trend = slope.and_then(|s| {
            abs_slope.map(|a| {
                let a30 = a * 30.0;
                let direction = if a30 < -options.steady_band_days {
                    Direction::Improving
                } else if a30 > options.steady_band_days {
                    Direction::Worsening
                } else {
                    Direction::Steady
                };
                Trend {
                    variance_slope_per_30_days: s * 30.0,
                    abs_variance_slope_per_30_days: a30,
                    direction,
                }
            })
        });
        LtvSummary {
            count: xs.len(),
            mean_days: stats::mean(xs),
            mad_days: stats::mean_abs(xs),
            rmse_days: stats::rmse(xs),
            std_dev_days: stats::sample_std_dev(xs),
            p50_days: stats::quantile_sorted(&sorted, 0.5),
            p90_days: stats::quantile_sorted(&sorted, 0.9),
            p95_days: stats::quantile_sorted(&sorted, 0.95),
            within_tolerance: stats::share_within(xs, options.tolerance_days),
            trend,
        }
    }
}

/// Every replenishment of `history` ordered within `window`, checked.
///
/// A replenishment is identified by its id (core's "purchase order or
/// shipment") and its SKU, as in merchantry-forecast. A repeat identical
/// to an earlier listing is skipped, so overlapping report downloads
/// count once; a repeat that differs is refused, wherever its order day
/// falls, since which listing is true is unknown.
fn in_window<H: LeadTimeHistory + ?Sized>(
    history: &H,
    window: DateRange,
) -> Result<Vec<ReplenishmentVariance>> {
    let mut seen: BTreeMap<(&PurchaseOrderId, Option<&Sku>), &Replenishment> = BTreeMap::new();
    let mut out = Vec::new();
    for r in history.replenishments() {
        match seen.entry((&r.id, r.sku.as_ref())) {
            Entry::Occupied(first) if *first.get() == r => continue,
            Entry::Occupied(_) => {
                return Err(MetricsError::ConflictingReplenishment { id: r.id.clone() });
            }
            Entry::Vacant(slot) => {
                slot.insert(r);
            }
        }
        if window.contains(r.ordered_on) {
            out.push(replenishment_variance(r)?);
        }
    }
    Ok(out)
}

/// Groups whole-replenishment variances by `key`, in key order.
fn grouped<H, K, F>(
    history: &H,
    window: DateRange,
    options: &LtvOptions,
    key: F,
) -> Result<Vec<(K, LtvSummary)>>
where
    H: LeadTimeHistory + ?Sized,
    K: Ord,
    F: Fn(&ReplenishmentVariance) -> K,
{
    options.validate()?;
    let mut groups: BTreeMap<K, Sample> = BTreeMap::new();
    for v in in_window(history, window)? {
        #[expect(clippy::cast_precision_loss, reason = "bounded by MAX_DAYS")]
        let days = v.variance_days as f64;
        groups.entry(key(&v)).or_default().push(v.ordered_on, days);
    }
    Ok(groups.into_iter().map(|(k, s)| (k, s.summarise(options))).collect())
}

/// The summary of every replenishment ordered in `window`.
///
/// # Errors
///
/// [`MetricsError::InvalidReplenishment`] for a replenishment in the
/// window that fails [`replenishment_variance`];
/// [`MetricsError::ConflictingReplenishment`] when one id and SKU is
/// listed twice with different content (identical repeats count once); [`MetricsError::InvalidOption`] for bad options.
pub fn ltv_summary<H: LeadTimeHistory + ?Sized>(
    history: &H,
    window: DateRange,
    options: &LtvOptions,
) -> Result<LtvSummary> {
    let groups = grouped(history, window, options, |_| ())?;
    Ok(groups.into_iter().next().map_or_else(|| Sample::default().summarise(options), |(_, s)| s))
}

/// Summaries by supplier, sorted by supplier.
///
/// # Errors
///
/// As [`ltv_summary`].
pub fn ltv_by_supplier<H: LeadTimeHistory + ?Sized>(
    history: &H,
    window: DateRange,
    options: &LtvOptions,
) -> Result<Vec<(SupplierId, LtvSummary)>> {
    grouped(history, window, options, |v| v.lane.supplier.clone())
}

/// Summaries by lane, sorted by lane.
///
/// # Errors
///
/// As [`ltv_summary`].
pub fn ltv_by_lane<H: LeadTimeHistory + ?Sized>(
    history: &H,
    window: DateRange,
    options: &LtvOptions,
) -> Result<Vec<(Lane, LtvSummary)>> {
    grouped(history, window, options, |v| v.lane.clone())
}

/// Summaries of stage variances by stage, in stage order. Stages without
/// a recorded forecast are left out.
///
/// # Errors
///
/// As [`ltv_summary`].
pub fn ltv_by_stage<H: LeadTimeHistory + ?Sized>(
    history: &H,
    window: DateRange,
    options: &LtvOptions,
) -> Result<Vec<(Stage, LtvSummary)>> {
    options.validate()?;
    let mut groups: BTreeMap<Stage, Sample> = BTreeMap::new();
    for v in in_window(history, window)? {
        for s in &v.stages {
            if let Some(days) = s.variance_days {
                groups.entry(s.stage).or_default().push(v.ordered_on, days);
            }
        }
    }
    Ok(groups.into_iter().map(|(k, s)| (k, s.summarise(options))).collect())
}
