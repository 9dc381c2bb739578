//! Lead time as the sum of its stages, learned per lane with recent
//! shipments weighted more, overridden by live information, and recorded
//! at order time so its error can be measured later.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{
    Days, Lane, LeadTimeEstimate, LeadTimeForecast, LeadTimeHistory, LocationId, PurchaseOrderId,
    Replenishment, Sku, Stage, StageDuration, StageEstimate,
};
use statrs::distribution::{ContinuousCDF, Gamma};

use crate::error::{ForecastError, Result};

/// How history is weighted and which quantiles are reported. Defaults:
/// half-life 180 days, weights measured back from the latest order date
/// in the history, quantiles 0.5, 0.8, 0.9, 0.95 and 0.99.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LeadTimeOptions {
    /// A replenishment ordered this many days before `as_of` counts half
    /// as much as one ordered on `as_of`.
    pub half_life_days: f64,
    /// The day weights are measured from; `None` for the latest order
    /// date in the history.
    pub as_of: Option<NaiveDate>,
    /// Probabilities of the total's quantiles, each in `(0, 1)`.
    pub quantiles: Vec<f64>,
}

impl Default for LeadTimeOptions {
    fn default() -> Self {
        Self { half_life_days: 180.0, as_of: None, quantiles: vec![0.5, 0.8, 0.9, 0.95, 0.99] }
    }
}

/// The learned distribution of one stage (or of the whole lead time) on
/// one lane: recency-weighted mean and variance.
///
/// With weights `w_i = 0.5^(age_i / half_life)`, the mean is
/// `sum(w x) / sum(w)` and the variance the unbiased reliability-weighted
/// form `sum(w (x - mean)^2) / (V1 - V2 / V1)`, `V1 = sum(w)`,
/// `V2 = sum(w^2)` (0 from a single observation).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageDistribution {
    /// The stage (for a lane without stage history, the whole lead time
    /// is reported under [`Stage::MainTransit`] in [`LaneModel::total`]).
    pub stage: Stage,
    /// Weighted mean days.
    pub mean: f64,
    /// Weighted variance of days.
    pub variance: f64,
    /// Observations behind it.
    pub observations: usize,
    /// Kish's effective sample size, `V1^2 / V2`.
    pub effective_n: f64,
}

impl StageDistribution {
    /// Standard deviation of days.
    #[must_use]
    pub fn std_dev(&self) -> f64 {
        self.variance.sqrt()
    }

    /// The `p` quantile of a gamma distribution with this mean and
    /// variance (the mean itself when the variance is zero).
    #[must_use]
    pub fn quantile(&self, p: f64) -> f64 {
        gamma_quantile(self.mean, self.variance, p)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    w: f64,
    wx: f64,
    wxx: f64,
    ww: f64,
    n: usize,
}

impl Acc {
    fn add(&mut self, x: f64, w: f64) {
        self.w += w;
        self.wx += w * x;
        self.wxx += w * x * x;
        self.ww += w * w;
        self.n += 1;
    }

    fn finish(&self, stage: Stage) -> StageDistribution {
        let mean = self.wx / self.w;
        let denom = self.w - self.ww / self.w;
        let ss = (self.wxx - self.w * mean * mean).max(0.0);
        let variance = if self.n > 1 && denom > 0.0 { ss / denom } else { 0.0 };
        let clean = |v: f64| if v.is_finite() { v } else { 0.0 };
        StageDistribution {
            stage,
            mean: clean(mean),
            variance: clean(variance),
            observations: self.n,
            effective_n: clean(self.w * self.w / self.ww),
        }
    }
}

/// What was learned about one lane.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LaneModel {
    /// The lane.
    pub lane: Lane,
    /// Per-stage distributions, in stage order, for the stages observed.
    pub stages: Vec<StageDistribution>,
    /// The distribution of whole lead times (order to arrival), from every
    /// replenishment on the lane.
    pub total: StageDistribution,
}

/// Live information that replaces or shifts history for a stage.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LiveOverride {
    /// The factory confirmed goods ready on this date: production lasts
    /// exactly until then.
    ReadyDate(NaiveDate),
    /// A carrier's current quote for the main transit leg.
    TransitQuote {
        /// Quoted mean days.
        mean: Days,
        /// Spread of the quote (zero for a firm one).
        std_dev: Days,
    },
    /// A current delay (port congestion, a customs backlog) added to a
    /// stage's learned mean.
    Delay {
        /// The stage delayed.
        stage: Stage,
        /// Extra days.
        days: Days,
    },
    /// A stage's length known exactly.
    Fixed {
        /// The stage.
        stage: Stage,
        /// Its days.
        days: Days,
    },
}

/// Stage-wise lead-time model for every lane in a history; implements
/// [`LeadTimeForecast`].
///
/// The total of an order is the sum of its stages, assumed independent:
/// means and variances add. Stages never observed on a lane count as zero
/// days (a domestic lane has no customs). A lane whose history has no
/// stage breakdown uses its whole-lead-time distribution and accepts no
/// stage override. Quantiles of the total come from a gamma distribution
/// matched to its mean and variance (lead times are positive and right
/// skewed); they are not sums of stage quantiles, which would overstate
/// every upper quantile.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::*;
/// use merchantry_forecast::{LeadTimeModel, LeadTimeOptions, LiveOverride};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
/// let lane = Lane {
///     supplier: SupplierId::new("ACME")?,
///     origin: None,
///     destination: LocationId::new("FBA-US")?,
///     mode: TransportMode::Ocean,
/// };
/// let shipment = |id: &str, start: NaiveDate, production: i32, transit: i32| Replenishment {
///     id: PurchaseOrderId::new(id).unwrap(),
///     lane: lane.clone(),
///     sku: None,
///     quantity: None,
///     ordered_on: start,
///     forecast_arrival: start,
///     actual_arrival: start + chrono::TimeDelta::days(i64::from(production + transit)),
///     stages: vec![
///         StageDuration { stage: Stage::Production, forecast: None, actual: Days::whole(production) },
///         StageDuration { stage: Stage::MainTransit, forecast: None, actual: Days::whole(transit) },
///     ],
/// };
/// let history = vec![shipment("PO-1", d(1, 5), 20, 30), shipment("PO-2", d(2, 5), 24, 34)];
/// let model = LeadTimeModel::learn(&history, &LeadTimeOptions::default())?;
/// let plain = model.estimate(&lane, d(3, 1), &[])?;
/// assert!(plain.mean.get() > 50.0 && plain.mean.get() < 58.0);
/// // The factory confirms goods ready on March 21: production is 20 days.
/// let live = model.estimate(&lane, d(3, 1), &[LiveOverride::ReadyDate(d(3, 21))])?;
/// assert_eq!(live.stages[0].mean.get(), 20.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LeadTimeModel {
    lanes: BTreeMap<Lane, LaneModel>,
    routes: BTreeMap<(Sku, LocationId), Lane>,
    quantiles: Vec<f64>,
}

impl LeadTimeModel {
    /// Learns every lane of `history`.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] for a half-life that is not
    /// positive and finite or a quantile outside `(0, 1)`;
    /// [`ForecastError::InvalidDuration`] for a negative or non-finite
    /// stage duration or a negative lead time. Nothing is learned then.
    pub fn learn<H: LeadTimeHistory + ?Sized>(
        history: &H,
        options: &LeadTimeOptions,
    ) -> Result<Self> {
        let half_life = options.half_life_days;
        if !(half_life.is_finite() && half_life > 0.0) {
            return Err(ForecastError::InvalidParameter {
                name: "half_life_days",
                value: half_life,
                allowed: "(0, inf)",
            });
        }
        for &p in &options.quantiles {
            crate::error::unit_open("quantile", p)?;
        }
        let records = history.replenishments();
        let as_of = options.as_of.or_else(|| records.iter().map(|r| r.ordered_on).max());
        let mut stages: BTreeMap<(Lane, Stage), Acc> = BTreeMap::new();
        let mut totals: BTreeMap<Lane, Acc> = BTreeMap::new();
        let mut routes: BTreeMap<(Sku, LocationId), (NaiveDate, Lane)> = BTreeMap::new();
        for r in records {
            validate(r)?;
            #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
            let age = as_of.map_or(0, |d| (d - r.ordered_on).num_days()).max(0) as f64;
            let w = 0.5_f64.powf(age / half_life);
            #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
            totals.entry(r.lane.clone()).or_default().add(r.actual_days() as f64, w);
            for s in &r.stages {
                stages.entry((r.lane.clone(), s.stage)).or_default().add(s.actual.get(), w);
            }
            if let Some(sku) = &r.sku {
                let key = (sku.clone(), r.lane.destination.clone());
                let newer = routes.get(&key).is_none_or(|(d, _)| r.ordered_on >= *d);
                if newer {
                    routes.insert(key, (r.ordered_on, r.lane.clone()));
                }
            }
        }
        let mut lanes: BTreeMap<Lane, LaneModel> = totals
            .into_iter()
            .map(|(lane, acc)| {
                let total = acc.finish(Stage::MainTransit);
                (lane.clone(), LaneModel { lane, stages: Vec::new(), total })
            })
            .collect();
        for ((lane, stage), acc) in stages {
            if let Some(m) = lanes.get_mut(&lane) {
                m.stages.push(acc.finish(stage));
            }
        }
        let routes = routes.into_iter().map(|(k, (_, lane))| (k, lane)).collect();
        Ok(Self { lanes, routes, quantiles: options.quantiles.clone() })
    }

    /// What was learned about `lane`.
    #[must_use]
    pub fn lane(&self, lane: &Lane) -> Option<&LaneModel> {
        self.lanes.get(lane)
    }

    /// Routes `sku` to `destination` over `lane` (history routes each SKU
    /// over the lane of its latest replenishment to each destination).
    pub fn assign(&mut self, sku: Sku, lane: Lane) {
        self.routes.insert((sku, lane.destination.clone()), lane);
    }

    /// The lead time of an order on `lane` placed on `order_date`, with
    /// live overrides applied in the order given.
    ///
    /// # Errors
    ///
    /// [`ForecastError::NoLeadTimeHistory`] for an unknown lane;
    /// [`ForecastError::InvalidOverride`] for a ready date before the
    /// order date, a negative quote, fixed length or resulting stage
    /// mean, or any override on a lane without stage history.
    pub fn estimate(
        &self,
        lane: &Lane,
        order_date: NaiveDate,
        overrides: &[LiveOverride],
    ) -> Result<LeadTimeEstimate> {
        let model = self.lanes.get(lane).ok_or_else(|| ForecastError::NoLeadTimeHistory {
            lane: format!(
                "{} -> {} ({})",
                lane.supplier.as_str(),
                lane.destination.as_str(),
                lane.mode
            ),
        })?;
        if model.stages.is_empty() {
            if let Some(o) = overrides.first() {
                return Err(ForecastError::InvalidOverride {
                    stage: override_stage(o),
                    reason: "the lane has no per-stage history to override".to_owned(),
                });
            }
            return self.build(model.total.mean, model.total.variance, Vec::new());
        }
        let mut parts: BTreeMap<Stage, (f64, f64)> =
            model.stages.iter().map(|s| (s.stage, (s.mean, s.variance))).collect();
        for o in overrides {
            apply_override(&mut parts, *o, order_date)?;
        }
        let (mean, variance) = parts.values().fold((0.0, 0.0), |(m, v), p| (m + p.0, v + p.1));
        let stages = parts
            .into_iter()
            .map(|(stage, (m, v))| {
                Ok(StageEstimate { stage, mean: Days::new(m)?, std_dev: Days::new(v.sqrt())? })
            })
            .collect::<Result<Vec<_>>>()?;
        self.build(mean, variance, stages)
    }

    fn build(
        &self,
        mean: f64,
        variance: f64,
        stages: Vec<StageEstimate>,
    ) -> Result<LeadTimeEstimate> {
        let quantiles = self
            .quantiles
            .iter()
            .map(|&p| Ok((p, Days::new(gamma_quantile(mean, variance, p))?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(LeadTimeEstimate {
            mean: Days::new(mean)?,
            std_dev: Days::new(variance.sqrt())?,
            stages,
            quantiles,
        })
    }

    /// Forecasts an order and keeps the forecast as a record, to be
    /// compared with the actual arrival later.
    ///
    /// # Errors
    ///
    /// As [`Self::estimate`].
    pub fn commit(
        &self,
        id: PurchaseOrderId,
        lane: &Lane,
        sku: Option<Sku>,
        order_date: NaiveDate,
        overrides: &[LiveOverride],
    ) -> Result<OrderForecast> {
        let estimate = self.estimate(lane, order_date, overrides)?;
        Ok(OrderForecast {
            id,
            lane: lane.clone(),
            sku,
            ordered_on: order_date,
            estimate,
            overrides: overrides.to_vec(),
        })
    }
}

fn validate(r: &Replenishment) -> Result<()> {
    if r.actual_days() < 0 {
        #[expect(clippy::cast_precision_loss, reason = "error report only")]
        let value = r.actual_days() as f64;
        return Err(ForecastError::InvalidDuration {
            id: r.id.as_str().to_owned(),
            stage: Stage::MainTransit,
            value,
        });
    }
    for s in &r.stages {
        let v = s.actual.get();
        if !(v.is_finite() && v >= 0.0) {
            return Err(ForecastError::InvalidDuration {
                id: r.id.as_str().to_owned(),
                stage: s.stage,
                value: v,
            });
        }
    }
    Ok(())
}

const fn override_stage(o: &LiveOverride) -> Stage {
    match o {
        LiveOverride::ReadyDate(_) => Stage::Production,
        LiveOverride::TransitQuote { .. } => Stage::MainTransit,
        LiveOverride::Delay { stage, .. } | LiveOverride::Fixed { stage, .. } => *stage,
    }
}

fn apply_override(
    parts: &mut BTreeMap<Stage, (f64, f64)>,
    o: LiveOverride,
    order: NaiveDate,
) -> Result<()> {
    let stage = override_stage(&o);
    let bad = |reason: String| ForecastError::InvalidOverride { stage, reason };
    let (mean, var) = match o {
        LiveOverride::ReadyDate(ready) => {
            let days = (ready - order).num_days();
            if days < 0 {
                return Err(bad(format!("ready date {ready} is before the order date {order}")));
            }
            #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
            let days = days as f64;
            (days, 0.0)
        }
        LiveOverride::TransitQuote { mean, std_dev } => (mean.get(), std_dev.get().powi(2)),
        LiveOverride::Fixed { days, .. } => (days.get(), 0.0),
        LiveOverride::Delay { days, .. } => {
            let (m, v) = parts.get(&stage).copied().unwrap_or((0.0, 0.0));
            (m + days.get(), v)
        }
    };
    if mean < 0.0 {
        return Err(bad(format!("stage would last {mean} days")));
    }
    parts.insert(stage, (mean, var));
    Ok(())
}

/// The `p` quantile of a gamma distribution with `mean` and `variance`:
/// shape `mean^2 / variance`, rate `mean / variance`. A zero variance (or a
/// non-positive mean) gives `max(mean, 0)`.
fn gamma_quantile(mean: f64, variance: f64, p: f64) -> f64 {
    if variance <= 0.0 || mean <= 0.0 {
        return mean.max(0.0);
    }
    match Gamma::new(mean * mean / variance, mean / variance) {
        Ok(g) => {
            let q = g.inverse_cdf(p);
            if q.is_finite() { q } else { mean }
        }
        Err(_) => mean,
    }
}

impl LeadTimeForecast for LeadTimeModel {
    /// The estimate over the lane the SKU last used to reach
    /// `destination`, without overrides; `None` when there is none.
    fn forecast_lead_time(
        &self,
        sku: &Sku,
        destination: &LocationId,
        order_date: NaiveDate,
    ) -> Option<LeadTimeEstimate> {
        let lane = self.routes.get(&(sku.clone(), destination.clone()))?;
        self.estimate(lane, order_date, &[]).ok()
    }
}

/// The lead-time forecast made when an order was placed, kept with the
/// replenishment so lead-time variance (actual minus forecast days) can be
/// measured when it arrives.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OrderForecast {
    /// The purchase order or shipment.
    pub id: PurchaseOrderId,
    /// Its lane.
    pub lane: Lane,
    /// The SKU, when the order is for one.
    pub sku: Option<Sku>,
    /// The order date.
    pub ordered_on: NaiveDate,
    /// The forecast made then.
    pub estimate: LeadTimeEstimate,
    /// The live overrides it used.
    pub overrides: Vec<LiveOverride>,
}

impl OrderForecast {
    /// The forecast arrival: the order date plus the mean, rounded to the
    /// nearest day.
    #[must_use]
    pub fn forecast_arrival(&self) -> NaiveDate {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "lead times are far below i64::MAX days"
        )]
        let days = self.estimate.mean.get().round() as i64;
        self.ordered_on + chrono::TimeDelta::days(days)
    }

    /// Lead-time variance against an actual arrival: actual days minus
    /// forecast mean days (positive is late).
    #[must_use]
    pub fn variance_days(&self, actual_arrival: NaiveDate) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
        let actual = (actual_arrival - self.ordered_on).num_days() as f64;
        actual - self.estimate.mean.get()
    }

    /// The finished replenishment, with the forecast arrival and each
    /// stage's forecast days filled in from this record, ready to feed
    /// [`LeadTimeHistory`] and lead-time variance metrics.
    #[must_use]
    pub fn finish(
        &self,
        actual_arrival: NaiveDate,
        mut stages: Vec<StageDuration>,
    ) -> Replenishment {
        for s in &mut stages {
            if s.forecast.is_none() {
                s.forecast =
                    self.estimate.stages.iter().find(|e| e.stage == s.stage).map(|e| e.mean);
            }
        }
        Replenishment {
            id: self.id.clone(),
            lane: self.lane.clone(),
            sku: self.sku.clone(),
            quantity: None,
            ordered_on: self.ordered_on,
            forecast_arrival: self.forecast_arrival(),
            actual_arrival,
            stages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_moments_by_hand() {
        // x = 10 (w 1) and 20 (w 0.5): mean (10 + 10) / 1.5 = 13.333;
        // V1 = 1.5, V2 = 1.25, denominator 1.5 - 1.25 / 1.5 = 0.6667;
        // sum w (x - m)^2 = 1 * 11.111 + 0.5 * 44.444 = 33.333;
        // variance 33.333 / 0.6667 = 50.
        let mut acc = Acc::default();
        acc.add(10.0, 1.0);
        acc.add(20.0, 0.5);
        let d = acc.finish(Stage::Production);
        assert!((d.mean - 40.0 / 3.0).abs() < 1e-12);
        assert!((d.variance - 50.0).abs() < 1e-9, "{}", d.variance);
        assert!((d.effective_n - 1.8).abs() < 1e-12); // 2.25 / 1.25
    }

    #[test]
    fn gamma_quantile_of_zero_variance_is_the_mean() {
        assert_eq!(gamma_quantile(12.0, 0.0, 0.95), 12.0);
        // Gamma(shape 4, rate 0.5) has median about 7.34 (mean 8, var 16).
        let q = gamma_quantile(8.0, 16.0, 0.5);
        assert!((q - 7.344).abs() < 0.01, "{q}");
    }
}
