//! What forecasters hand to planners: the [`DemandForecast`] and
//! [`LeadTimeForecast`] seams.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::calendar::Days;
use crate::error::{CoreError, Result};
use crate::id::{LocationId, Sku};
use crate::leadtime::Stage;

/// A daily demand forecast: a mean and a standard deviation per day,
/// starting on a date.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::DailyForecast;
/// let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// let f = DailyForecast::new(start, vec![10.0; 7], vec![2.0; 7])?;
/// let (mean, var) = f.total(7);
/// assert_eq!(mean, 70.0);
/// assert_eq!(var, 28.0); // independent days: variances add
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
///
/// With the `serde` feature a forecast deserialises through
/// [`DailyForecast::new`], so a negative, infinite or oversized value, or
/// vectors of different lengths, are refused with the same error.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "DailyForecastRepr", into = "DailyForecastRepr")
)]
pub struct DailyForecast {
    start: NaiveDate,
    mean: Vec<f64>,
    std_dev: Vec<f64>,
}

/// The serialised form of a [`DailyForecast`], unchecked until
/// [`DailyForecast::new`] sees it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct DailyForecastRepr {
    start: NaiveDate,
    mean: Vec<f64>,
    std_dev: Vec<f64>,
}

#[cfg(feature = "serde")]
impl TryFrom<DailyForecastRepr> for DailyForecast {
    type Error = CoreError;

    fn try_from(r: DailyForecastRepr) -> Result<Self> {
        Self::new(r.start, r.mean, r.std_dev)
    }
}

#[cfg(feature = "serde")]
impl From<DailyForecast> for DailyForecastRepr {
    fn from(f: DailyForecast) -> Self {
        Self { start: f.start, mean: f.mean, std_dev: f.std_dev }
    }
}

/// The largest daily mean or standard deviation a [`DailyForecast`]
/// holds: a trillion units a day. Far past any real SKU, yet small enough
/// that totals and variances over a century of days stay finite.
pub const MAX_DAILY_UNITS: f64 = 1e12;

impl DailyForecast {
    /// A forecast from per-day means and standard deviations.
    ///
    /// # Errors
    ///
    /// [`CoreError::SeriesLength`] when the vectors differ in length;
    /// [`CoreError::InvalidForecast`] for a negative, infinite or NaN
    /// value, or one above [`MAX_DAILY_UNITS`].
    pub fn new(start: NaiveDate, mean: Vec<f64>, std_dev: Vec<f64>) -> Result<Self> {
        if mean.len() != std_dev.len() {
            return Err(CoreError::SeriesLength {
                what: "std_dev",
                got: std_dev.len(),
                expected: mean.len(),
            });
        }
        for (what, values) in [("mean", &mean), ("std_dev", &std_dev)] {
            if let Some((day, &value)) =
                values.iter().enumerate().find(|(_, v)| !(0.0..=MAX_DAILY_UNITS).contains(*v))
            {
                return Err(CoreError::InvalidForecast { what, day, value });
            }
        }
        Ok(Self { start, mean, std_dev })
    }

    /// The first forecast day.
    #[must_use]
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// Days in the horizon.
    #[must_use]
    pub fn len(&self) -> usize {
        self.mean.len()
    }

    /// Whether the horizon is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mean.is_empty()
    }

    /// Mean units per day.
    #[must_use]
    pub fn mean(&self) -> &[f64] {
        &self.mean
    }

    /// Standard deviation of units per day.
    #[must_use]
    pub fn std_dev(&self) -> &[f64] {
        &self.std_dev
    }

    /// Mean and variance of total demand over the first `days` days
    /// (fewer if the horizon is shorter), treating days as independent.
    #[must_use]
    pub fn total(&self, days: usize) -> (f64, f64) {
        let n = days.min(self.len());
        let mean = self.mean[..n].iter().sum();
        let var = self.std_dev[..n].iter().map(|s| s * s).sum();
        (mean, var)
    }

    /// The forecast from `day` on, or `None` unless `day` is one of the
    /// forecast days: before the start, or on or after the day after the
    /// last (so an empty forecast covers no day), there is nothing to
    /// give.
    ///
    /// ```
    /// use chrono::{Days, NaiveDate};
    /// use merchantry_core::DailyForecast;
    /// let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    /// let f = DailyForecast::new(start, vec![1.0, 2.0, 3.0], vec![0.0; 3])?;
    /// assert_eq!(f.from_day(start + Days::new(2)).map(|g| g.mean().to_vec()), Some(vec![3.0]));
    /// assert_eq!(f.from_day(start + Days::new(3)), None); // past the last day
    /// assert_eq!(f.from_day(start - Days::new(1)), None); // before the start
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    #[must_use]
    pub fn from_day(&self, day: NaiveDate) -> Option<Self> {
        let offset = usize::try_from((day - self.start).num_days()).ok()?;
        if offset >= self.len() {
            return None;
        }
        Some(Self {
            start: day,
            mean: self.mean[offset..].to_vec(),
            std_dev: self.std_dev[offset..].to_vec(),
        })
    }
}

/// Produces a daily demand forecast for a SKU.
///
/// A `BTreeMap<Sku, DailyForecast>` implements it: the stored forecast is
/// cut to start at `start` and to at most `horizon` days, and is `None`
/// when `start` is not one of its days (see [`DailyForecast::from_day`]).
pub trait DemandForecast {
    /// The forecast of `sku` for `horizon` days from `start`, or `None`
    /// when the SKU has no forecast covering `start`.
    fn forecast_demand(&self, sku: &Sku, start: NaiveDate, horizon: u32) -> Option<DailyForecast>;
}

impl DemandForecast for BTreeMap<Sku, DailyForecast> {
    fn forecast_demand(&self, sku: &Sku, start: NaiveDate, horizon: u32) -> Option<DailyForecast> {
        let mut f = self.get(sku)?.from_day(start)?;
        let keep = (horizon as usize).min(f.len());
        f.mean.truncate(keep);
        f.std_dev.truncate(keep);
        Some(f)
    }
}

impl<T: DemandForecast + ?Sized> DemandForecast for &T {
    fn forecast_demand(&self, sku: &Sku, start: NaiveDate, horizon: u32) -> Option<DailyForecast> {
        (**self).forecast_demand(sku, start, horizon)
    }
}

/// The forecast length of one stage.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageEstimate {
    /// Which stage.
    pub stage: Stage,
    /// Mean days.
    pub mean: Days,
    /// Standard deviation of days.
    pub std_dev: Days,
}

/// A lead-time forecast: the distribution of days from placing an order to
/// units being sellable at the destination.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LeadTimeEstimate {
    /// Mean days.
    pub mean: Days,
    /// Standard deviation of days.
    pub std_dev: Days,
    /// Per-stage parts, in stage order, when the forecaster models stages.
    pub stages: Vec<StageEstimate>,
    /// `(probability, days)` quantiles of the total, ascending, when the
    /// forecaster computes them (the quantile of a sum is not the sum of
    /// quantiles, so consumers must not add stage quantiles).
    pub quantiles: Vec<(f64, Days)>,
}

impl LeadTimeEstimate {
    /// A fixed lead time with no spread.
    #[must_use]
    pub fn fixed(days: Days) -> Self {
        Self { mean: days, std_dev: Days::ZERO, stages: Vec::new(), quantiles: Vec::new() }
    }

    /// The stored quantile closest at or above `p`, if any.
    #[must_use]
    pub fn quantile(&self, p: f64) -> Option<Days> {
        self.quantiles.iter().find(|(q, _)| *q >= p).map(|(_, d)| *d)
    }
}

/// Produces a lead-time forecast for a replenishment of a SKU to a
/// destination ordered on a date.
///
/// A `BTreeMap<Sku, LeadTimeEstimate>` implements it, ignoring
/// destination and date.
pub trait LeadTimeForecast {
    /// The forecast, or `None` when nothing is known for the SKU.
    fn forecast_lead_time(
        &self,
        sku: &Sku,
        destination: &LocationId,
        order_date: NaiveDate,
    ) -> Option<LeadTimeEstimate>;
}

impl LeadTimeForecast for BTreeMap<Sku, LeadTimeEstimate> {
    fn forecast_lead_time(
        &self,
        sku: &Sku,
        _destination: &LocationId,
        _order_date: NaiveDate,
    ) -> Option<LeadTimeEstimate> {
        self.get(sku).cloned()
    }
}

impl<T: LeadTimeForecast + ?Sized> LeadTimeForecast for &T {
    fn forecast_lead_time(
        &self,
        sku: &Sku,
        destination: &LocationId,
        order_date: NaiveDate,
    ) -> Option<LeadTimeEstimate> {
        (**self).forecast_lead_time(sku, destination, order_date)
    }
}
