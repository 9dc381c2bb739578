//! Lead time as the sum of its stages, learned per lane with recent
//! shipments weighted more, overridden by live information, and recorded
//! at order time so its error can be measured later.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use merchantry_core::special::{
    gamma_ln_quantile, ln_gamma_1p_over_a, wilson_hilferty_unit_quantile,
};
use merchantry_core::{
    Days, Lane, LeadTimeEstimate, LeadTimeForecast, LeadTimeHistory, LocationId, MAX_DAYS,
    PurchaseOrderId, Replenishment, Sku, Stage, StageDuration, StageEstimate,
};
use statrs::distribution::{ContinuousCDF, Normal};
use statrs::function::gamma::{checked_gamma_lr, checked_gamma_ur};

use crate::error::{ForecastError, Result};
use merchantry_core::ShortFloat;

#[cfg(feature = "serde")]
mod saved;

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
    /// date in the history. Only the ratios of weights matter (they are
    /// taken relative to the newest shipment of each distribution, so a
    /// history many half-lives before `as_of` is weighted as a recent one
    /// would be); `as_of` changes the result only when replenishments were
    /// ordered after it, which all count as ordered on `as_of`.
    pub as_of: Option<NaiveDate>,
    /// Probabilities of the total's quantiles, each in `(0, 1)`, in any
    /// order: estimates list them ascending (as
    /// [`LeadTimeEstimate::quantile`] needs), a repeated one once.
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
/// With weights `w_i = 0.5^(age_i / half_life)` (computed relative to
/// the newest observation, so that weights of a history many half-lives
/// old do not underflow; only their ratios matter), the mean is
/// `sum(w x) / sum(w)` and the variance the unbiased reliability-weighted
/// form `sum(w (x - mean)^2) / (V1 - V2 / V1)`, `V1 = sum(w)`,
/// `V2 = sum(w^2)`; with equal weights that is the sample variance with
/// `n - 1`. The variance is 0 from a single observation (and when only one
/// observation keeps a non-zero weight): such a stage has no spread and
/// every quantile is its mean, so check [`Self::effective_n`] before
/// trusting its quantiles. A constant stage has exactly its value as
/// mean and variance 0.
///
/// Its fields are private and checked by [`Self::new`] (which
/// deserialising with the `serde` feature goes through too), so every
/// distribution is one of non-negative days and [`Self::quantile`] is a
/// finite number of days for every `p` in `(0, 1)`.
///
/// ```
/// use merchantry_core::Stage;
/// use merchantry_forecast::{ForecastError, StageDistribution};
/// // Transit of 25 days on average, variance 50: a gamma of shape 12.5
/// // and scale 2 (a chi-square with 25 degrees of freedom).
/// let transit = StageDistribution::new(Stage::MainTransit, 25.0, 50.0, 8, 7.5)?;
/// assert!((transit.quantile(0.95) - 37.652).abs() < 1e-3);
/// // A spread around a mean of 0 days is no distribution of days.
/// assert!(matches!(
///     StageDistribution::new(Stage::MainTransit, 0.0, 4.0, 2, 2.0),
///     Err(ForecastError::InvalidDistribution { what: "variance", .. })
/// ));
/// # Ok::<(), ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "StageDistributionRepr", into = "StageDistributionRepr")
)]
pub struct StageDistribution {
    stage: Stage,
    mean: f64,
    variance: f64,
    observations: usize,
    effective_n: f64,
}

/// The serialised form of a [`StageDistribution`], unchecked until
/// [`StageDistribution::new`] sees it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct StageDistributionRepr {
    stage: Stage,
    mean: f64,
    variance: f64,
    observations: usize,
    effective_n: f64,
}

#[cfg(feature = "serde")]
impl TryFrom<StageDistributionRepr> for StageDistribution {
    type Error = ForecastError;

    fn try_from(r: StageDistributionRepr) -> Result<Self> {
        Self::new(r.stage, r.mean, r.variance, r.observations, r.effective_n)
    }
}

#[cfg(feature = "serde")]
impl From<StageDistribution> for StageDistributionRepr {
    fn from(d: StageDistribution) -> Self {
        Self {
            stage: d.stage,
            mean: d.mean,
            variance: d.variance,
            observations: d.observations,
            effective_n: d.effective_n,
        }
    }
}

/// The largest variance a [`StageDistribution`] holds: a standard
/// deviation of [`MAX_DAYS`], the most a [`Days`] holds. A learned
/// variance is at most half the square of the widest gap between two
/// observations, so never above `MAX_DAYS^2 / 2`.
const MAX_VARIANCE: f64 = MAX_DAYS * MAX_DAYS;

impl StageDistribution {
    /// A distribution of `stage` with `mean` days and `variance`, learned
    /// from `observations` with Kish's effective sample size
    /// `effective_n`.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidDistribution`] naming the stage and the
    /// figure for a mean outside `0` to [`MAX_DAYS`], a variance outside
    /// `0` to `MAX_DAYS^2` (NaN and infinities included), a variance
    /// above 0 with a mean of 0 (days are never negative, so nothing
    /// averaging 0 days varies), a variance above 0 from fewer than 2
    /// observations (learning gives 0 from one), or an effective sample
    /// size other than 0 with no observations, or outside `1` to
    /// `observations` with some (Kish's size of weights whose largest is
    /// 1 is at least 1).
    pub fn new(
        stage: Stage,
        mean: f64,
        variance: f64,
        observations: usize,
        effective_n: f64,
    ) -> Result<Self> {
        let bad = |what, value, allowed| ForecastError::InvalidDistribution {
            stage,
            what,
            value,
            allowed,
        };
        if !(0.0..=MAX_DAYS).contains(&mean) {
            return Err(bad("mean", mean, "0 to 1000000 days"));
        }
        if !(0.0..=MAX_VARIANCE).contains(&variance) {
            return Err(bad("variance", variance, "0 to 1e12 square days"));
        }
        if mean == 0.0 && variance > 0.0 {
            return Err(bad("variance", variance, "0 when the mean is 0 days"));
        }
        #[expect(clippy::cast_precision_loss, reason = "a count of observations")]
        let n = observations as f64;
        if observations < 2 && variance > 0.0 {
            return Err(bad("variance", variance, "0 from fewer than 2 observations"));
        }
        if observations == 0 && effective_n != 0.0 {
            return Err(bad("effective_n", effective_n, "0 with no observations"));
        }
        if observations > 0 && !(1.0..=n).contains(&effective_n) {
            return Err(bad("effective_n", effective_n, "1 to the number of observations"));
        }
        Ok(Self { stage, mean, variance, observations, effective_n })
    }

    /// The stage (for a lane without stage history, the whole lead time
    /// is reported under [`Stage::MainTransit`] in [`LaneModel::total`]).
    #[must_use]
    pub const fn stage(&self) -> Stage {
        self.stage
    }

    /// Weighted mean days.
    #[must_use]
    pub const fn mean(&self) -> f64 {
        self.mean
    }

    /// Weighted variance of days.
    #[must_use]
    pub const fn variance(&self) -> f64 {
        self.variance
    }

    /// Observations behind it.
    #[must_use]
    pub const fn observations(&self) -> usize {
        self.observations
    }

    /// Kish's effective sample size, `V1^2 / V2`, between 0 and
    /// [`Self::observations`].
    #[must_use]
    pub const fn effective_n(&self) -> f64 {
        self.effective_n
    }

    /// Standard deviation of days.
    #[must_use]
    pub fn std_dev(&self) -> f64 {
        self.variance.sqrt()
    }

    /// The `p` quantile of a gamma distribution with this mean and
    /// variance (the mean itself when the variance is zero): a finite
    /// number of days from 0 up for every `p` in `(0, 1)`, never falling
    /// as `p` rises by more than rounding in the last digits: between
    /// neighbouring `f64`s a bisection can land an ulp lower, and from
    /// shape 1 up the solve moves from the lower tail to the upper at
    /// `p = 1/2`, where the two can differ by a few ulps (shape
    /// `1.0000001`: `q(0.5)` is `4e-15` relative above `q` at the next
    /// `f64` above one half). A [`LeadTimeEstimate`]'s days are made
    /// non-decreasing in `p`. `p` at or below 0 gives 0 and at or above 1 infinity
    /// (the ends of the support), NaN gives NaN. Shapes
    /// `mean^2 / variance` below 1 (a spread above the mean) are solved
    /// from the lower-tail series in logarithms, within
    /// `1e-13 + 4e-16 / shape` relative of 50-digit values (the second
    /// term is what half an ulp of `p` moves the true quantile by); the
    /// result is 0 only when the quantile underflows. From shape 1 to
    /// `1e5` the lower tail is solved the same way (where the quantile
    /// is below `variance / mean`, and for every `p` below `1e-290`), so
    /// the quantile keeps falling with `p` down to the smallest
    /// subnormal, `5e-324`, within `2e-13` relative of 50-digit values
    /// (mean 1, variance 1 is the exponential: the `1e-300` quantile is
    /// `1e-300`; it read `1.1e-15` for every `p` below about `1e-15`,
    /// shape 12.5 stopped at `2.2e-15` below `1e-301` and shape 25 at
    /// `1.67e-12` below `1e-310`); the `2e-13` is the resolution of the
    /// logarithm it is solved in near `ln 5e-324 = -744`. For `p` above
    /// one half the upper tail `Q(a, y) = 1 - p` is solved instead, so a
    /// `p` near 1 keeps the digits of `1 - p` (mean 1, variance 1 at the
    /// largest `p` below 1 is `53 ln 2 = 36.74` to `1e-13`; it read 36.33
    /// when `P` near 1 was solved). Above shape
    /// `1e5` the Wilson-Hilferty reading falls with `p` all the way down
    /// too, but in the far tail it is off by up to about `520 / shape`
    /// standard deviations (`5e-3` at shape `1e5` and `p = 5e-324`).
    #[must_use]
    pub fn quantile(&self, p: f64) -> f64 {
        gamma_quantile(self.mean, self.variance, p)
    }
}

/// The observations of one distribution with their ages in days.
///
/// Each weight is `0.5^((age - newest) / half_life)`, taken relative to
/// the newest observation (which weighs 1), so the weights cannot all
/// underflow however old the history is, nor turn NaN when a tiny
/// half-life makes every age infinitely many half-lives. The mean,
/// variance and effective size are ratios of sums of equal degree in the
/// weights, so the common factor cancels. The moments are taken in two
/// passes (mean first, then squared deviations from it), so a constant
/// gives exactly itself and zero variance, and lead times near a million
/// days keep their spread (one-pass sums of squares near `1e12` lost
/// about `1e-4` of a variance of 0.5).
#[derive(Debug, Clone, Default)]
struct Acc {
    /// `(days, age in days)`.
    obs: Vec<(f64, f64)>,
}

impl Acc {
    /// Adds `x` observed `age` days before the weights' reference day.
    fn add(&mut self, x: f64, age: f64) {
        self.obs.push((x, age));
    }

    fn finish(&self, stage: Stage, half_life: f64) -> StageDistribution {
        let newest = self.obs.iter().map(|&(_, age)| age).fold(f64::INFINITY, f64::min);
        // (age - newest) / half_life is 0 for the newest observation and
        // at most +inf (weight 0) for the others; never NaN.
        let weighted: Vec<(f64, f64)> = self
            .obs
            .iter()
            .map(|&(x, age)| (x, 0.5_f64.powf((age - newest) / half_life)))
            .collect();
        let v1: f64 = weighted.iter().map(|&(_, w)| w).sum();
        let v2: f64 = weighted.iter().map(|&(_, w)| w * w).sum();
        let first = weighted.first().map_or(0.0, |&(x, _)| x);
        let (mean, variance) = if weighted.iter().all(|&(x, _)| x == first) {
            (first, 0.0)
        } else {
            let rough = weighted.iter().map(|&(x, w)| w * x).sum::<f64>() / v1;
            // One correction step takes the rounding out of the mean.
            let mean = rough + weighted.iter().map(|&(x, w)| w * (x - rough)).sum::<f64>() / v1;
            let ss: f64 = weighted.iter().map(|&(x, w)| w * (x - mean) * (x - mean)).sum();
            let denom = v1 - v2 / v1;
            (mean, if self.obs.len() > 1 && denom > 0.0 { ss / denom } else { 0.0 })
        };
        let clean = |v: f64| if v.is_finite() { v } else { 0.0 };
        // What StageDistribution::new checks holds by construction: a
        // weighted mean lies within the observations (rounding aside),
        // each at most MAX_DAYS (Shipment::itemise); a mean of 0 leaves
        // only zero-weight observations away from 0, so no spread; the
        // variance is at most half the widest gap squared and 0 from one
        // observation; Kish's size is at most the count (Cauchy-Schwarz).
        let (lo, hi) = self
            .obs
            .iter()
            .fold((f64::INFINITY, 0.0_f64), |(lo, hi), &(x, _)| (lo.min(x), hi.max(x)));
        let mean = clean(mean).clamp(lo.min(hi), hi);
        let variance = if mean == 0.0 { 0.0 } else { clean(variance).min(MAX_VARIANCE) };
        #[expect(clippy::cast_precision_loss, reason = "a count of observations")]
        let n = self.obs.len() as f64;
        StageDistribution {
            stage,
            mean,
            variance,
            observations: self.obs.len(),
            // At least 1 (the newest weight is 1, so V2 <= V1), and
            // held there should rounding land a hair below.
            effective_n: clean(v1 * v1 / v2).clamp(1.0_f64.min(n), n),
        }
    }
}

/// What was learned about one lane.
///
/// With the `serde` feature a lane model is read back through the checks
/// learning guarantees, refusing with [`ForecastError::InvalidRecord`]:
/// the total labelled [`Stage::MainTransit`], stages each once in stage
/// order and learned from no more replenishments than the total, and
/// stages said to cover the total learned from every replenishment with
/// means adding up to the total's within a day (plus `1e-9` of the mean
/// for rounding), since each covered replenishment's stages are within a
/// day of its lead time.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "saved::LaneModelRepr")
)]
pub struct LaneModel {
    /// The lane.
    pub lane: Lane,
    /// Per-stage distributions, in stage order, for the stages observed.
    /// On a lane whose stages cover every lead time
    /// ([`Self::stages_cover_total`]) a stage a shipment does not list
    /// counts as 0 days for that shipment; otherwise each stage is learned
    /// from the shipments that list it.
    pub stages: Vec<StageDistribution>,
    /// The distribution of whole lead times (order to arrival), from every
    /// replenishment on the lane.
    pub total: StageDistribution,
    /// Whether every replenishment on the lane lists stages that add up
    /// to its whole lead time (within a day). Only then is the lead time
    /// estimated as the sum of the stages; otherwise the whole-lead-time
    /// distribution [`Self::total`] is the estimate (see
    /// [`LeadTimeModel`]).
    pub stages_cover_total: bool,
}

/// Itemised stages that differ from the whole lead time by less than
/// this many days still cover it: stage lengths may be fractional, while
/// the lead time counts calendar days.
const COVER_TOLERANCE_DAYS: f64 = 1.0;

/// One replenishment as the learner sees it.
struct Shipment {
    /// Days between its order date and the weights' reference day.
    age: f64,
    /// Whole lead time in days.
    total: f64,
    /// Days per stage listed (a stage listed twice is summed).
    stages: BTreeMap<Stage, f64>,
    /// Whether the listed stages add up to the whole lead time.
    covered: bool,
}

impl Shipment {
    fn itemise(r: &Replenishment, age: f64) -> Result<Self> {
        validate(r)?;
        let stages = stage_totals(r);
        // Each entry is at most MAX_DAYS (a `Days`), but a stage listed in
        // several entries may add up past it.
        if let Some((&stage, &value)) = stages.iter().find(|&(_, &d)| d > MAX_DAYS) {
            return Err(ForecastError::InvalidDuration {
                id: r.id.as_str().to_owned(),
                stage,
                value,
            });
        }
        #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
        let total = r.actual_days() as f64;
        let itemised: f64 = stages.values().sum();
        if itemised - total >= COVER_TOLERANCE_DAYS {
            return Err(ForecastError::StagesExceedLeadTime {
                id: r.id.as_str().to_owned(),
                itemised,
                lead_time: total,
            });
        }
        let covered = !stages.is_empty() && total - itemised < COVER_TOLERANCE_DAYS;
        Ok(Self { age, total, stages, covered })
    }
}

/// The lane's whole-lead-time and per-stage distributions (see
/// [`LeadTimeModel`] for which shipments each stage is learned from).
fn lane_model(lane: &Lane, shipments: &[Shipment], half_life: f64) -> LaneModel {
    let mut total = Acc::default();
    for s in shipments {
        total.add(s.total, s.age);
    }
    let covered = shipments.iter().all(|s| s.covered);
    let listed: BTreeSet<Stage> = shipments.iter().flat_map(|s| s.stages.keys().copied()).collect();
    let stages = listed
        .into_iter()
        .map(|stage| {
            let mut acc = Acc::default();
            for s in shipments {
                match s.stages.get(&stage) {
                    Some(&days) => acc.add(days, s.age),
                    None if covered => acc.add(0.0, s.age),
                    None => {}
                }
            }
            acc.finish(stage, half_life)
        })
        .collect();
    LaneModel {
        lane: lane.clone(),
        stages,
        total: total.finish(Stage::MainTransit, half_life),
        stages_cover_total: covered,
    }
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
/// # How stages and whole lead times combine
///
/// Every replenishment has a whole lead time (order date to actual
/// arrival); it may also itemise some stages. Its stages *cover* it when
/// they add up to the whole lead time within a day (stage lengths may be
/// fractional, the lead time counts calendar days). Stages adding up to a
/// day or more past the lead time are an error
/// ([`ForecastError::StagesExceedLeadTime`]); stages falling short leave
/// the rest of the lead time unitemised.
///
/// - **Fully itemised lane**: every replenishment on it is covered by its
///   stages. The total of an order is the sum of its stages, assumed
///   independent: means and variances add. A stage a replenishment does
///   not list lasted 0 days on it, and a stage never observed on the lane
///   counts as zero days (a domestic lane has no customs). With the same
///   recency weights on every part, the sum of the stage means is the
///   lane's weighted mean lead time.
/// - **Partly itemised lane**: some replenishment lists no stages, or
///   stages that leave part of its lead time unitemised. The itemised
///   stages then cannot stand for the whole, so the estimate is the lane's
///   whole-lead-time distribution ([`LaneModel::total`]) and never the sum
///   of the stages alone. Each stage is learned from the replenishments
///   that list it and is reported beside the total (the stages need not
///   add up to it). A live override of a stage shifts the total by the
///   change it makes to that stage: the mean moves by the new stage mean
///   minus the learned one, the variance loses the learned stage variance
///   (never going below zero) and gains the new one; the mean never falls
///   below the sum of the overridden stages. Held at that floor, the rest
///   of the lead time is taken as 0 days with no spread, so the variance
///   is the overridden stages' alone (fixing the only slow stage at 0
///   days gives 0 days, std dev 0, not a spread around 0). A stage the
///   lane's history never itemises has no known share of the total to
///   replace, so an override of it is rejected.
/// - **Lane without stages**: no replenishment lists any; the
///   whole-lead-time distribution is the estimate and no stage override
///   is accepted.
///
/// A stage or total whose mean is 0 days has no spread: days are never
/// negative, so nothing averaging 0 can vary. A delay that cuts a stage
/// to exactly 0 days drops its variance with its mean (every quantile was
/// 0 already; the std dev now agrees), while a transit quote of 0 days
/// that states a spread contradicts itself and is refused.
///
/// A replenishment line is its id and SKU (core allows a purchase order
/// to be listed once per SKU). The same line listed twice with the same
/// content (an overlapping report download) counts once; with different
/// content it is an error ([`ForecastError::DuplicateReplenishment`]).
/// Lines of one purchase order that share lane, order date, arrival and
/// days per stage (stages in any order, a stage listed in several entries
/// summed) are one trip and count once as a lead-time
/// observation; lines that travelled apart (a split delivery) count each.
///
/// Quantiles of the total come from a gamma distribution fitted to its
/// mean `m` and variance `v` by the method of moments (shape `m^2 / v`,
/// scale `v / m`; lead times are positive and right skewed). This is
/// exact when the stages are independent gammas sharing one scale (their
/// sum is then the gamma with the summed shape and that scale) and an
/// approximation otherwise: a two-moment gamma approximation of the
/// sum's distribution, not a convolution of the stages. They are not sums
/// of stage quantiles, which would overstate every upper quantile. A
/// total with no spread (one shipment, or constant stages) has every
/// quantile at its mean.
///
/// Days are calendar days: weekends and holidays are not modelled, and
/// an arrival date is the order date plus the days
/// ([`OrderForecast::forecast_arrival`]).
///
/// With the `serde` feature a model saves as its lane models, its routes
/// as a list of `{sku, destination, lane}` and its quantile
/// probabilities, and loads back equal (bit for bit through JSON when
/// serde_json's `float_roundtrip` feature is on; without it a float may
/// come back one unit in the last place off); loading refuses with
/// [`ForecastError::InvalidRecord`] a lane or route listed twice, a route
/// to a destination its lane does not reach, and probabilities outside
/// `(0, 1)` or not ascending, and checks each [`LaneModel`] as it does
/// alone. A route over a lane with no lane model loads: [`Self::assign`]
/// makes such routes on purpose (a new supplier's lane before its first
/// shipment), and [`Self::estimate_route`] refuses them with
/// [`ForecastError::RouteWithoutHistory`] naming the route and the lane.
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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "saved::LeadTimeModelRepr")
)]
pub struct LeadTimeModel {
    /// Written as a list of lane models (each names its lane): formats
    /// such as JSON key objects by strings only.
    #[cfg_attr(feature = "serde", serde(serialize_with = "saved::lanes_out"))]
    lanes: BTreeMap<Lane, LaneModel>,
    /// Written as a list of `{sku, destination, lane}`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "saved::routes_out"))]
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
    /// stage duration, or a stage whose entries add up past
    /// [`MAX_DAYS`]; [`ForecastError::InvalidLeadTime`] for an arrival
    /// before the order date or more than a million days after it;
    /// [`ForecastError::StagesExceedLeadTime`] when a replenishment's
    /// stages add up to a day or more past its lead time;
    /// [`ForecastError::DuplicateReplenishment`] when a line (id and SKU)
    /// is listed twice with different content. Nothing is learned then.
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
        let mut lines: BTreeMap<(&PurchaseOrderId, Option<&Sku>), &Replenishment> = BTreeMap::new();
        let mut counted: BTreeMap<&PurchaseOrderId, Vec<&Replenishment>> = BTreeMap::new();
        let mut by_lane: BTreeMap<&Lane, Vec<Shipment>> = BTreeMap::new();
        let mut routes: BTreeMap<(Sku, LocationId), (NaiveDate, Lane)> = BTreeMap::new();
        for r in records {
            if let Some(&first) = lines.get(&(&r.id, r.sku.as_ref())) {
                if first == r {
                    continue;
                }
                return Err(ForecastError::DuplicateReplenishment {
                    id: r.id.as_str().to_owned(),
                    sku: r.sku.as_ref().map(|s| s.as_str().to_owned()),
                });
            }
            lines.insert((&r.id, r.sku.as_ref()), r);
            let same_shipment = counted.entry(&r.id).or_default();
            if !same_shipment.iter().any(|c| same_trip(c, r)) {
                same_shipment.push(r);
                #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
                let age = as_of.map_or(0, |d| (d - r.ordered_on).num_days()).max(0) as f64;
                by_lane.entry(&r.lane).or_default().push(Shipment::itemise(r, age)?);
            }
            if let Some(sku) = &r.sku {
                let key = (sku.clone(), r.lane.destination.clone());
                let newer = routes.get(&key).is_none_or(|(d, _)| r.ordered_on >= *d);
                if newer {
                    routes.insert(key, (r.ordered_on, r.lane.clone()));
                }
            }
        }
        let lanes = by_lane
            .into_iter()
            .map(|(lane, shipments)| (lane.clone(), lane_model(lane, &shipments, half_life)))
            .collect();
        let routes = routes.into_iter().map(|(k, (_, lane))| (k, lane)).collect();
        // Ascending and each once: LeadTimeEstimate::quantile reads the
        // first probability at or above the one asked for.
        let mut quantiles = options.quantiles.clone();
        quantiles.sort_by(f64::total_cmp);
        quantiles.dedup();
        Ok(Self { lanes, routes, quantiles })
    }

    /// What was learned about `lane`.
    #[must_use]
    pub fn lane(&self, lane: &Lane) -> Option<&LaneModel> {
        self.lanes.get(lane)
    }

    /// Routes `sku` to `lane`'s destination over `lane` (history routes
    /// each SKU over the lane of its latest replenishment to each
    /// destination). The lane need not have history yet (a new supplier
    /// before its first shipment): the route is kept, saved and loaded,
    /// and [`Self::estimate_route`] refuses it with
    /// [`ForecastError::RouteWithoutHistory`] until the lane is learned.
    pub fn assign(&mut self, sku: Sku, lane: Lane) {
        self.routes.insert((sku, lane.destination.clone()), lane);
    }

    /// The lane `sku` is routed to `destination` over, if any.
    #[must_use]
    pub fn route(&self, sku: &Sku, destination: &LocationId) -> Option<&Lane> {
        self.routes.get(&(sku.clone(), destination.clone()))
    }

    /// The lead time of an order of `sku` to `destination` placed on
    /// `order_date`, over the lane the SKU is routed on
    /// ([`Self::route`]), with live overrides applied in the order given.
    /// [`LeadTimeForecast::forecast_lead_time`] is this without
    /// overrides, with every error read as `None`.
    ///
    /// # Errors
    ///
    /// [`ForecastError::NoRoute`] when nothing routes the SKU there;
    /// [`ForecastError::RouteWithoutHistory`], naming the SKU, the
    /// destination and the lane, when the route's lane has no history
    /// (set with [`Self::assign`] before the lane was learned); otherwise
    /// as [`Self::estimate`].
    ///
    /// ```
    /// use merchantry_core::*;
    /// use merchantry_forecast::{ForecastError, LeadTimeModel, LeadTimeOptions};
    /// let lane = Lane {
    ///     supplier: SupplierId::new("NEWCO")?,
    ///     origin: None,
    ///     destination: LocationId::new("FBA-US")?,
    ///     mode: TransportMode::Ocean,
    /// };
    /// let history: Vec<Replenishment> = Vec::new();
    /// let mut model = LeadTimeModel::learn(&history, &LeadTimeOptions::default())?;
    /// let (mug, fba) = (Sku::new("MUG")?, LocationId::new("FBA-US")?);
    /// let day = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    /// assert!(matches!(
    ///     model.estimate_route(&mug, &fba, day, &[]),
    ///     Err(ForecastError::NoRoute { .. })
    /// ));
    /// // Routed over a lane before its first shipment.
    /// model.assign(mug.clone(), lane);
    /// assert!(matches!(
    ///     model.estimate_route(&mug, &fba, day, &[]),
    ///     Err(ForecastError::RouteWithoutHistory { .. })
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn estimate_route(
        &self,
        sku: &Sku,
        destination: &LocationId,
        order_date: NaiveDate,
        overrides: &[LiveOverride],
    ) -> Result<LeadTimeEstimate> {
        let lane = self.route(sku, destination).ok_or_else(|| ForecastError::NoRoute {
            sku: sku.as_str().to_owned(),
            destination: destination.as_str().to_owned(),
        })?;
        if !self.lanes.contains_key(lane) {
            return Err(ForecastError::RouteWithoutHistory {
                sku: sku.as_str().to_owned(),
                destination: destination.as_str().to_owned(),
                lane: lane_label(lane),
            });
        }
        self.estimate(lane, order_date, overrides)
    }

    /// The lead time of an order on `lane` placed on `order_date`, with
    /// live overrides applied in the order given.
    ///
    /// # Errors
    ///
    /// [`ForecastError::NoLeadTimeHistory`] for an unknown lane;
    /// [`ForecastError::InvalidOverride`] for a ready date before the
    /// order date, a negative quote, quoted spread, fixed length or
    /// resulting stage mean, a stage mean past a million days, a quote of
    /// 0 days with a spread, any override on a lane without stage history,
    /// or, on a partly itemised lane, an override of a stage its history
    /// never itemises; [`ForecastError::EstimateOutOfRange`] when the
    /// mean, spread or a quantile of the total or of a stage is past the
    /// million days a [`Days`] holds.
    pub fn estimate(
        &self,
        lane: &Lane,
        order_date: NaiveDate,
        overrides: &[LiveOverride],
    ) -> Result<LeadTimeEstimate> {
        let model = self
            .lanes
            .get(lane)
            .ok_or_else(|| ForecastError::NoLeadTimeHistory { lane: lane_label(lane) })?;
        if model.stages.is_empty() {
            if let Some(o) = overrides.first() {
                return Err(ForecastError::InvalidOverride {
                    stage: override_stage(o),
                    reason: "the lane has no per-stage history to override".to_owned(),
                });
            }
            return self.build(lane, model.total.mean, model.total.variance, Vec::new());
        }
        let learned: BTreeMap<Stage, (f64, f64)> =
            model.stages.iter().map(|s| (s.stage, (s.mean, s.variance))).collect();
        let mut parts = learned.clone();
        let mut overridden = BTreeSet::new();
        for o in overrides {
            let stage = override_stage(o);
            if !model.stages_cover_total && !learned.contains_key(&stage) {
                return Err(ForecastError::InvalidOverride {
                    stage,
                    reason: "the lane's history never itemises this stage, so its share of the \
                             whole lead time is unknown"
                        .to_owned(),
                });
            }
            apply_override(&mut parts, *o, order_date)?;
            overridden.insert(stage);
        }
        let (mean, variance) = if model.stages_cover_total {
            parts.values().fold((0.0, 0.0), |(m, v), p| (m + p.0, v + p.1))
        } else {
            shift_total(&model.total, &learned, &parts, &overridden)
        };
        let stages = parts
            .into_iter()
            .map(|(stage, (m, v))| {
                Ok(StageEstimate {
                    stage,
                    mean: in_range(lane, || format!("{stage} mean"), m)?,
                    std_dev: in_range(lane, || format!("{stage} std dev"), v.sqrt())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.build(lane, mean, variance, stages)
    }

    fn build(
        &self,
        lane: &Lane,
        mean: f64,
        variance: f64,
        stages: Vec<StageEstimate>,
    ) -> Result<LeadTimeEstimate> {
        // The probabilities are ascending; each day is at least the one
        // before, so the rounding where the quantile's solve changes
        // tails (p = 1/2) cannot make a later day earlier.
        let mut floor = 0.0_f64;
        let quantiles = self
            .quantiles
            .iter()
            .map(|&p| {
                // A NaN is kept (not `max`, which drops it), to be refused.
                let q = gamma_quantile(mean, variance, p);
                floor = if q < floor { floor } else { q };
                Ok((p, in_range(lane, || format!("{} quantile", ShortFloat(p)), floor)?))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LeadTimeEstimate {
            mean: in_range(lane, || "mean".to_owned(), mean)?,
            std_dev: in_range(lane, || "std dev".to_owned(), variance.sqrt())?,
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

/// The whole-lead-time mean and variance of a partly itemised lane after
/// the `overridden` stages changed from their `learned` (mean, variance)
/// to their `parts` values: the mean moves by each stage's change and never
/// falls below the sum of the overridden stages; the variance loses the
/// learned stage variances (not below zero) and gains the new ones. Held
/// at that floor, the rest of the lead time is taken as 0 days, which
/// cannot vary: the variance is then the overridden stages' alone.
fn shift_total(
    total: &StageDistribution,
    learned: &BTreeMap<Stage, (f64, f64)>,
    parts: &BTreeMap<Stage, (f64, f64)>,
    overridden: &BTreeSet<Stage>,
) -> (f64, f64) {
    let (mut mean, mut floor, mut removed, mut added) = (total.mean, 0.0, 0.0, 0.0);
    for stage in overridden {
        let (m0, v0) = learned.get(stage).copied().unwrap_or((0.0, 0.0));
        let (m1, v1) = parts.get(stage).copied().unwrap_or((0.0, 0.0));
        mean += m1 - m0;
        floor += m1;
        removed += v0;
        added += v1;
    }
    if mean <= floor {
        return (floor, added);
    }
    (mean, (total.variance - removed).max(0.0) + added)
}

/// `supplier -> destination (mode)`, how errors name a lane.
fn lane_label(lane: &Lane) -> String {
    format!("{} -> {} ({})", lane.supplier.as_str(), lane.destination.as_str(), lane.mode)
}

/// `value` as [`Days`], or [`ForecastError::EstimateOutOfRange`] naming
/// the lane and `what` when it is past [`MAX_DAYS`] (or not finite).
fn in_range(lane: &Lane, what: impl FnOnce() -> String, value: f64) -> Result<Days> {
    Days::new(value).map_err(|_| ForecastError::EstimateOutOfRange {
        lane: lane_label(lane),
        what: what(),
        value,
    })
}

/// Actual days per stage listed, a stage listed more than once summed
/// (in the order listed).
fn stage_totals(r: &Replenishment) -> BTreeMap<Stage, f64> {
    let mut stages: BTreeMap<Stage, f64> = BTreeMap::new();
    for s in &r.stages {
        *stages.entry(s.stage).or_insert(0.0) += s.actual.get();
    }
    stages
}

/// Whether two lines of one purchase order describe the same trip (lane,
/// dates and days per stage, whatever order the stages are listed in and
/// however a stage is split into entries), which is one lead-time
/// observation however many SKUs it carried.
fn same_trip(a: &Replenishment, b: &Replenishment) -> bool {
    a.lane == b.lane
        && a.ordered_on == b.ordered_on
        && a.actual_arrival == b.actual_arrival
        && stage_totals(a) == stage_totals(b)
}

fn validate(r: &Replenishment) -> Result<()> {
    let days = r.actual_days();
    #[expect(clippy::cast_precision_loss, reason = "day counts are far below 2^52")]
    if days < 0 || days as f64 > MAX_DAYS {
        return Err(ForecastError::InvalidLeadTime {
            id: r.id.as_str().to_owned(),
            ordered_on: r.ordered_on,
            arrival: r.actual_arrival,
            days,
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
        LiveOverride::TransitQuote { mean, std_dev } => {
            let (mean, sd) = (mean.get(), std_dev.get());
            if sd < 0.0 {
                return Err(bad(format!(
                    "the quote's spread is negative ({} days)",
                    ShortFloat(sd)
                )));
            }
            if mean == 0.0 && sd > 0.0 {
                return Err(bad(format!(
                    "a quote of 0 days cannot spread by {} days (no lead time is below 0)",
                    ShortFloat(sd)
                )));
            }
            (mean, sd * sd)
        }
        LiveOverride::Fixed { days, .. } => (days.get(), 0.0),
        LiveOverride::Delay { days, .. } => {
            let (m, v) = parts.get(&stage).copied().unwrap_or((0.0, 0.0));
            let m = m + days.get();
            // A stage cut to 0 days by a negative delay takes no time and
            // cannot vary (its days are never negative).
            (m, if m == 0.0 { 0.0 } else { v })
        }
    };
    if !(0.0..=MAX_DAYS).contains(&mean) {
        return Err(bad(format!(
            "stage would last {} days, expected 0 to {MAX_DAYS}",
            ShortFloat(mean)
        )));
    }
    parts.insert(stage, (mean, var));
    Ok(())
}

/// The `p` quantile of a gamma distribution with `mean` and `variance`:
/// shape `a = mean^2 / variance`, rate `mean / variance`. A zero variance
/// (or a non-positive mean) gives `max(mean, 0)`; `p <= 0` gives 0 and
/// `p >= 1` infinity (the ends of the support); NaN in gives NaN.
///
/// Up to shape `1e5` the standard gamma's quantile `y` is core's
/// [`gamma_ln_quantile`], read in logarithms, and the answer is
/// `x = y variance / mean`, formed as `exp(ln y + ln variance - ln mean)`
/// so neither step underflows: 0 only when the quantile itself is below
/// the smallest `f64`. Core solves the lower tail in logarithms (at or
/// below `y = 1`, where statrs reads `P(a, y)` as 0 once `y` is below
/// `1.1e-15`: the exponential's `1e-20` quantile read `1.1e-15`; and
/// from shape 1 up for `p` below `1e-290`, where statrs' `P(a, y)` is
/// subnormal or 0: shape 25, scale 0.4, read `1.67e-12` for every `p`
/// below `1e-310`, the true quantile at `1e-320` being `6.45e-13`), and
/// elsewhere bisects statrs' `Q(a, y) = 1 - p` (for `p` above one half
/// from shape 1 up, on `y >= 1` below it; `1 - p` is exact there, and
/// bisecting `P` near 1 lost its digits: the exponential read 36.33 at
/// `1 - 2^-53`, not `53 ln 2 = 36.74`) or `P(a, y) = p` (the rest from
/// shape 1 up), so no `y` is scaled into statrs' invalid
/// range (its own `inverse_cdf` panicked there, and for `p` outside
/// `[0, 1]`). Below shape 1 the shape is taken from logarithms and
/// `ln Gamma(1 + a)` from core's [`ln_gamma_1p_over_a`] (statrs'
/// `ln_gamma(1 + a) / a` is `1e-11` off at `a = 1e-4`), and below
/// `y = 1` core iterates `ln y = L + (ln p - ln(1 - a T)) / a` on the
/// lower-tail series: for a shape of 0.01 the median is at `y = 7e-31`,
/// where bisecting statrs' CDF had put it at `1e-15`, and a `p` near 1
/// keeps its digits (shape `1e-8` at `1 - 1e-8` was `2e-8` off when
/// `ln P(a, y)` was bisected instead).
///
/// Above shape `1e5` the Wilson-Hilferty form `mean (1 - c^2 / 9 + z c /
/// 3)^3` (`c = sd / mean`, `z` the normal quantile of `p`) is read
/// instead (error below `1e-5 sd` there for ordinary `p`, up to about
/// `520 / shape` sd in the far tail), and a shape past `f64::MAX` gives
/// the mean.
///
/// Accuracy, against 50-digit mpmath roots (`leadtime` tests): within
/// `2e-13` relative from shape 1 to `1e4` down to the smallest
/// subnormal `p` and up to the largest `p` below 1, and within `1e-12`
/// from `1e4` to `1e5` (`9e-13` at shape 99999 and `p = 0.51`, near the
/// median, where statrs' incomplete gamma is that accurate; `2e-13` in
/// both tails there) (`1e-13` for shapes
/// 1 and 2 from `1 - 1e-6` to `1 - 2^-53`), and within `1e-13 + 4e-16 / a` for shapes from 1 down
/// to `1e-6` and `p` from 0.3 to `1 - 1e-6`. The second term is not the
/// method's: near 0 the quantile moves by about `1 / a` times any
/// relative change in `p`, so half an ulp of `p` alone moves it by
/// about `1.1e-16 / a` (`1e-10` at shape `1e-6`); no method reading an
/// `f64` `p` does better.
fn gamma_quantile(mean: f64, variance: f64, p: f64) -> f64 {
    if p.is_nan() || mean.is_nan() || variance.is_nan() {
        return f64::NAN;
    }
    if variance <= 0.0 || mean <= 0.0 {
        return mean.max(0.0);
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let shape = (mean / variance) * mean;
    if !shape.is_finite() {
        return mean;
    }
    if shape > 1e5 {
        let z = Normal::standard().inverse_cdf(p);
        return mean * wilson_hilferty_unit_quantile(variance.sqrt() / mean, z);
    }
    let (ln_mean, ln_var) = (mean.ln(), variance.ln());
    let (a, ln_gamma_1p_a) = if shape < 1.0 {
        let a = (2.0 * ln_mean - ln_var).exp();
        if a == 0.0 {
            // The shape underflowed: every quantile below 1 is 0 in f64
            // (for shape 1e-300 the median is theta 2^-1e300).
            return 0.0;
        }
        // The shape is below 1 here, up to the rounding of exp, which
        // `min` absorbs.
        (a, a * ln_gamma_1p_over_a(a.min(1.0)))
    } else {
        (shape, statrs::function::gamma::ln_gamma(1.0 + shape))
    };
    // statrs' P(a, y) and Q(a, y) for y > 0 finite (errors read as the
    // limits).
    let lower = |y: f64| checked_gamma_lr(a, y).unwrap_or(1.0);
    let upper = |y: f64| checked_gamma_ur(a, y).unwrap_or(0.0);
    gamma_ln_quantile(a, ln_gamma_1p_a, p, lower, upper)
        .map_or(f64::NAN, |t| (t + ln_var - ln_mean).exp())
}

impl LeadTimeForecast for LeadTimeModel {
    /// The estimate over the lane the SKU is routed on to `destination`
    /// (the one it last used, or one set with
    /// [`LeadTimeModel::assign`]), without overrides; `None` when there
    /// is no route, its lane has no history or the estimate is out of
    /// range. [`LeadTimeModel::estimate_route`] says which, as a typed
    /// error.
    fn forecast_lead_time(
        &self,
        sku: &Sku,
        destination: &LocationId,
        order_date: NaiveDate,
    ) -> Option<LeadTimeEstimate> {
        self.estimate_route(sku, destination, order_date, &[]).ok()
    }
}

/// The lead-time forecast made when an order was placed, kept with the
/// replenishment so lead-time variance (actual minus forecast days) can be
/// measured when it arrives.
///
/// With the `serde` feature a record is read back through the checks
/// forecasting guarantees, refusing with [`ForecastError::InvalidRecord`]
/// naming the order and what is wrong: the estimate's mean, spread,
/// stage means and spreads and quantile days 0 to a million days, no
/// spread around a mean of 0 days, stages each once in stage order,
/// quantile probabilities within `[0, 1]`, ascending and each once, with
/// days never falling as the probability rises; and each override one
/// [`LeadTimeModel::estimate`] accepts on the order date (a ready date
/// not before it, a quote or fixed length not negative, no spread around
/// a quote of 0 days) and could have made this estimate with: its stage
/// listed in the estimate, a ready date, quote or fixed length equal to
/// the stage mean it leaves (up to the delays after it), and a delay
/// shifting a stage that lasted 0 to a million days before it (the
/// estimate's stage mean less the delays from it on).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "saved::OrderForecastRepr")
)]
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
    /// nearest day; the calendar's last (or first) day when that is past
    /// its end (an order placed near `NaiveDate::MAX`).
    #[must_use]
    pub fn forecast_arrival(&self) -> NaiveDate {
        #[expect(clippy::cast_possible_truncation, reason = "Days holds at most a million days")]
        let days = self.estimate.mean.get().round() as i64;
        let end = if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX };
        self.ordered_on.checked_add_signed(chrono::TimeDelta::days(days)).unwrap_or(end)
    }

    /// Lead-time variance against an actual arrival: actual days minus
    /// forecast mean days (positive is late).
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidLeadTime`] when `actual_arrival` is before
    /// the order date or more than a million days after it, which the
    /// lead-time model could not learn from either.
    pub fn variance_days(&self, actual_arrival: NaiveDate) -> Result<f64> {
        let days = (actual_arrival - self.ordered_on).num_days();
        #[expect(clippy::cast_precision_loss, reason = "checked against a million days below")]
        let actual = days as f64;
        if days < 0 || actual > MAX_DAYS {
            return Err(ForecastError::InvalidLeadTime {
                id: self.id.as_str().to_owned(),
                ordered_on: self.ordered_on,
                arrival: actual_arrival,
                days,
            });
        }
        Ok(actual - self.estimate.mean.get())
    }

    /// The finished replenishment, with the forecast arrival and each
    /// stage's forecast days filled in from this record, ready to feed
    /// [`LeadTimeHistory`] and lead-time variance metrics.
    ///
    /// # Errors
    ///
    /// What [`LeadTimeModel::learn`] would refuse:
    /// [`ForecastError::InvalidLeadTime`] for an arrival before the order
    /// date or more than a million days after it,
    /// [`ForecastError::InvalidDuration`] for a negative stage and
    /// [`ForecastError::StagesExceedLeadTime`] for stages adding up to a
    /// day or more past the lead time.
    pub fn finish(
        &self,
        actual_arrival: NaiveDate,
        mut stages: Vec<StageDuration>,
    ) -> Result<Replenishment> {
        for s in &mut stages {
            if s.forecast.is_none() {
                s.forecast =
                    self.estimate.stages.iter().find(|e| e.stage == s.stage).map(|e| e.mean);
            }
        }
        let finished = Replenishment {
            id: self.id.clone(),
            lane: self.lane.clone(),
            sku: self.sku.clone(),
            quantity: None,
            ordered_on: self.ordered_on,
            forecast_arrival: self.forecast_arrival(),
            actual_arrival,
            stages,
        };
        Shipment::itemise(&finished, 0.0)?;
        Ok(finished)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_shape_quantile_just_above_the_old_taylor_switch() {
        // Shape 100 / 1e6 = 1e-4; 50-digit mpmath root of
        // P(a, x / 1e5) = 0.999: 2.53657328546758346. It was
        // 2.536573285499751 (1.3e-11 relative) while ln Gamma(1 + a) / a
        // came from statrs at this shape.
        let x = gamma_quantile(10.0, 1e6, 0.999);
        assert!((x / 2.536_573_285_467_583_5 - 1.0).abs() < 1e-12, "{x}");
    }

    #[test]
    fn weighted_moments_by_hand() {
        // x = 10 (w 1) and 20 (w 0.5): mean (10 + 10) / 1.5 = 13.333;
        // V1 = 1.5, V2 = 1.25, denominator 1.5 - 1.25 / 1.5 = 0.6667;
        // sum w (x - m)^2 = 1 * 11.111 + 0.5 * 44.444 = 33.333;
        // variance 33.333 / 0.6667 = 50.
        let mut acc = Acc::default();
        acc.add(10.0, 0.0);
        acc.add(20.0, 180.0);
        let d = acc.finish(Stage::Production, 180.0);
        assert!((d.mean - 40.0 / 3.0).abs() < 1e-12);
        assert!((d.variance - 50.0).abs() < 1e-9, "{}", d.variance);
        assert!((d.effective_n - 1.8).abs() < 1e-12); // 2.25 / 1.25
    }

    fn lane() -> Lane {
        Lane {
            supplier: merchantry_core::SupplierId::new("ACME").unwrap(),
            origin: None,
            destination: LocationId::new("FBA-US").unwrap(),
            mode: merchantry_core::TransportMode::Ocean,
        }
    }

    /// Ordered `age` days before 2026-07-01 (the latest order date of
    /// every history here, so the weight is `0.5^(age / 180)`), arriving
    /// after `days`, with `stages` itemised.
    fn po(id: &str, age: i64, days: i64, stages: &[(Stage, f64)]) -> Replenishment {
        let as_of = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let ordered_on = as_of - chrono::TimeDelta::days(age);
        Replenishment {
            id: PurchaseOrderId::new(id).unwrap(),
            lane: lane(),
            sku: None,
            quantity: None,
            ordered_on,
            forecast_arrival: ordered_on,
            actual_arrival: ordered_on + chrono::TimeDelta::days(days),
            stages: stages
                .iter()
                .map(|&(stage, d)| StageDuration {
                    stage,
                    forecast: None,
                    actual: Days::new(d).unwrap(),
                })
                .collect(),
        }
    }

    fn order_date() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 8, 1).unwrap()
    }

    #[test]
    fn estimate_days_never_fall_across_the_median_where_the_solve_changes_tails() {
        // From shape 1 up the quantile solves P below p = 1/2 and Q above
        // it; the two can differ in the last digits there, so a quantile
        // just above one half read below the median (shape 1.0000001:
        // 4e-15 relative), and bisecting P can give a day an ulp less at
        // the next p. Probabilities a few ulps either side of 1/2 must
        // give days that never fall (a saved estimate whose days fall is
        // refused).
        let mut probabilities = vec![0.5_f64];
        let (mut below, mut above) = (0.5_f64, 0.5_f64);
        for _ in 0..64 {
            below = below.next_down();
            above = above.next_up();
            probabilities.extend([below, above]);
        }
        // Lead times 1 and 5 days, 2 and 10, 4 and 21 fell by an ulp at
        // p = 1/2 (and 4 and 21 also below it, in the bisection of P).
        for (a, b) in [(1, 5), (2, 10), (4, 21), (3, 9), (40, 60), (5, 6)] {
            let history = [po("PO-1", 10, a, &[]), po("PO-2", 5, b, &[])];
            let options = LeadTimeOptions {
                quantiles: probabilities.clone(),
                as_of: Some(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()),
                ..LeadTimeOptions::default()
            };
            let model = LeadTimeModel::learn(&history[..], &options).unwrap();
            let e = model.estimate(&lane(), order_date(), &[]).unwrap();
            for pair in e.quantiles.windows(2) {
                let ((p0, d0), (p1, d1)) = (pair[0], pair[1]);
                assert!(d1.get() >= d0.get(), "{a} {b}: {p0} -> {d0:?}, {p1} -> {d1:?}");
            }
        }
    }

    #[test]
    fn partly_itemised_lane_is_estimated_from_its_whole_lead_times() {
        // Two 50-day shipments that itemise only customs (3 days). The
        // stages cover 3 of 50 days, so the estimate is the total, 50 (it
        // was 3, the customs mean alone).
        let h = [
            po("PO-1", 0, 50, &[(Stage::CustomsClearance, 3.0)]),
            po("PO-2", 0, 50, &[(Stage::CustomsClearance, 3.0)]),
        ];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        assert!(!model.lane(&lane()).unwrap().stages_cover_total);
        let est = model.estimate(&lane(), order_date(), &[]).unwrap();
        assert_eq!(est.mean.get(), 50.0);
        assert_eq!(est.std_dev.get(), 0.0);
        assert_eq!(est.stages.len(), 1);
        assert_eq!(est.stages[0].mean.get(), 3.0);
        // A 2-day customs delay shifts the total: 50 + 2.
        let delay = LiveOverride::Delay { stage: Stage::CustomsClearance, days: Days::whole(2) };
        assert_eq!(model.estimate(&lane(), order_date(), &[delay]).unwrap().mean.get(), 52.0);
        // Production is never itemised: its share of the 50 is unknown.
        let ready = LiveOverride::ReadyDate(order_date() + chrono::TimeDelta::days(20));
        assert!(matches!(
            model.estimate(&lane(), order_date(), &[ready]),
            Err(ForecastError::InvalidOverride { stage: Stage::Production, .. })
        ));
    }

    #[test]
    fn mixed_itemised_and_plain_shipments_keep_the_lane_total() {
        // One itemised shipment (20 + 30 = 50) ordered 180 days before
        // three plain 80-day ones: weights 0.5, 1, 1, 1.
        // Mean (0.5 * 50 + 3 * 80) / 3.5 = 265 / 3.5 = 530 / 7 = 75.714.
        // V1 = 3.5, V2 = 0.25 + 3 = 3.25, denominator 3.5 - 3.25 / 3.5 =
        // 18 / 7; sum w (x - m)^2 = 0.5 (180/7)^2 + 3 (30/7)^2 = 18900 / 49;
        // variance (18900 / 49) / (18 / 7) = 150.
        let h = [
            po("PO-1", 180, 50, &[(Stage::Production, 20.0), (Stage::MainTransit, 30.0)]),
            po("PO-2", 0, 80, &[]),
            po("PO-3", 0, 80, &[]),
            po("PO-4", 0, 80, &[]),
        ];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        let est = model.estimate(&lane(), order_date(), &[]).unwrap();
        assert!((est.mean.get() - 530.0 / 7.0).abs() < 1e-9, "{}", est.mean.get());
        assert!((est.std_dev.get() - 150_f64.sqrt()).abs() < 1e-9, "{}", est.std_dev.get());
        // The factory confirms 25 days of production (learned: 20, no
        // spread): the total moves by 25 - 20 = 5 to 565 / 7 = 80.714, the
        // variance loses 0 and gains 0.
        let ready = LiveOverride::ReadyDate(order_date() + chrono::TimeDelta::days(25));
        let live = model.estimate(&lane(), order_date(), &[ready]).unwrap();
        assert!((live.mean.get() - 565.0 / 7.0).abs() < 1e-9, "{}", live.mean.get());
        assert!((live.std_dev.get() - 150_f64.sqrt()).abs() < 1e-9);
        assert_eq!(live.stages[0].mean.get(), 25.0);
        // Production fixed at 90 days and transit quoted at 10 +- 2.
        let quick = [
            LiveOverride::Fixed { stage: Stage::Production, days: Days::whole(90) },
            LiveOverride::TransitQuote { mean: Days::whole(10), std_dev: Days::whole(2) },
        ];
        // Shifted: 530/7 + (90 - 20) + (10 - 30) = 125.714 >= 90 + 10.
        // Variance: 150 - 0 - 0 + 0 + 4 = 154.
        let shifted = model.estimate(&lane(), order_date(), &quick).unwrap();
        assert!((shifted.mean.get() - (530.0 / 7.0 + 50.0)).abs() < 1e-9);
        assert!((shifted.std_dev.get() - 154_f64.sqrt()).abs() < 1e-9);
        let floor = [LiveOverride::Fixed { stage: Stage::MainTransit, days: Days::whole(0) }];
        // 530/7 - 30 = 45.714 stays above the floor of 0.
        let cut = model.estimate(&lane(), order_date(), &floor).unwrap();
        assert!((cut.mean.get() - (530.0 / 7.0 - 30.0)).abs() < 1e-9);
    }

    #[test]
    fn the_total_never_falls_below_the_overridden_stages() {
        // Itemised 60 + 10 = 70 (plain shipment 20 days, equal weights):
        // total mean 45. Fixing production at 5 days moves the mean to
        // 45 + (5 - 60) = -10, held at the floor 5.
        let h = [
            po("PO-1", 0, 70, &[(Stage::Production, 60.0), (Stage::MainTransit, 10.0)]),
            po("PO-2", 0, 20, &[]),
        ];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        let fixed = [LiveOverride::Fixed { stage: Stage::Production, days: Days::whole(5) }];
        assert_eq!(model.estimate(&lane(), order_date(), &fixed).unwrap().mean.get(), 5.0);
    }

    #[test]
    fn covered_shipments_count_unlisted_stages_as_zero() {
        // A: 20 + 30 = 50 days; B: 25 + 30 + 5 customs = 60 days; equal
        // weights. Customs is 0 on A: mean (0 + 5) / 2 = 2.5, so the stage
        // means 22.5 + 30 + 2.5 = 55 equal the mean lead time (55).
        // Variances (V1 = 2, V2 = 2, denominator 1): production
        // 2.5^2 + 2.5^2 = 12.5, transit 0, customs 12.5; total std dev 5.
        let h = [
            po("A", 0, 50, &[(Stage::Production, 20.0), (Stage::MainTransit, 30.0)]),
            po(
                "B",
                0,
                60,
                &[
                    (Stage::Production, 25.0),
                    (Stage::MainTransit, 30.0),
                    (Stage::CustomsClearance, 5.0),
                ],
            ),
        ];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        assert!(model.lane(&lane()).unwrap().stages_cover_total);
        let est = model.estimate(&lane(), order_date(), &[]).unwrap();
        assert_eq!(est.mean.get(), 55.0);
        assert_eq!(est.std_dev.get(), 5.0);
        assert_eq!(est.stages[2].mean.get(), 2.5);
    }

    #[test]
    fn stages_must_fit_in_the_lead_time() {
        // 30 + 30 = 60 itemised days in a 50-day lead time.
        let h = [po("PO-9", 0, 50, &[(Stage::Production, 30.0), (Stage::MainTransit, 30.0)])];
        assert_eq!(
            LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()),
            Err(ForecastError::StagesExceedLeadTime {
                id: "PO-9".to_owned(),
                itemised: 60.0,
                lead_time: 50.0,
            })
        );
        // 20.5 + 30.4 = 50.9 is within a day of 50: it covers the lead time.
        let h = [po("PO-9", 0, 50, &[(Stage::Production, 20.5), (Stage::MainTransit, 30.4)])];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        assert!(model.lane(&lane()).unwrap().stages_cover_total);
    }

    #[test]
    fn weights_of_an_old_history_do_not_underflow() {
        // PO-1 (40 days) and PO-2 (60 days) ordered 31 days apart, half-life
        // 1 day. Relative weights 2^-31 and 1: mean (40 * 2^-31 + 60) /
        // (1 + 2^-31) = 60 - 20 * 2^-31 / (1 + 2^-31), effective n
        // (1 + 2^-31)^2 / (1 + 2^-62), just above 1. Measured from 2023-03-01
        // (about 1100 half-lives later) every absolute weight 0.5^age is 0
        // and the mean came out 0; the answer must not depend on it.
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let mut h = [po("PO-1", 0, 40, &[]), po("PO-2", 0, 60, &[])];
        h[0].ordered_on = day(2020, 1, 5);
        h[0].actual_arrival = day(2020, 2, 14);
        h[1].ordered_on = day(2020, 2, 5);
        h[1].actual_arrival = day(2020, 4, 5);
        let learn = |as_of| {
            let options = LeadTimeOptions {
                half_life_days: 1.0,
                as_of: Some(as_of),
                ..LeadTimeOptions::default()
            };
            LeadTimeModel::learn(&h[..], &options).unwrap().lane(&lane()).unwrap().total
        };
        let recent = learn(day(2020, 2, 5));
        let w = 0.5_f64.powi(31);
        assert!((recent.mean - (60.0 - 20.0 * w / (1.0 + w))).abs() < 1e-9, "{}", recent.mean);
        assert!(recent.effective_n > 1.0 && recent.effective_n < 1.001, "{}", recent.effective_n);
        for as_of in [day(2020, 9, 1), day(2021, 10, 1), day(2023, 3, 1)] {
            let old = learn(as_of);
            assert_eq!(old, recent, "as of {as_of}");
        }
        // Half-life 180 days, 480 years on: equal footing up to 2^(-31/180).
        let options = LeadTimeOptions {
            half_life_days: 180.0,
            as_of: Some(day(2500, 1, 1)),
            ..LeadTimeOptions::default()
        };
        let total = LeadTimeModel::learn(&h[..], &options).unwrap().lane(&lane()).unwrap().total;
        let w = 0.5_f64.powf(31.0 / 180.0);
        assert!((total.mean - (40.0 * w + 60.0) / (1.0 + w)).abs() < 1e-9, "{}", total.mean);
        assert!(total.variance > 150.0, "{}", total.variance);
    }

    #[test]
    fn lines_of_one_trip_match_whatever_order_their_stages_are_listed_in() {
        // PO-1 carries MUG and CUP on one 50-day trip (production 20,
        // transit 30); CUP's line lists the stages the other way round, or
        // production in two entries of 10. One trip either way: with PO-2
        // (30 days: 10 + 20) at equal weight, mean (50 + 30) / 2 = 40,
        // variance 10^2 + 10^2 = 200, two observations.
        let line = |sku: &str, stages: &[(Stage, f64)]| {
            let mut r = po("PO-1", 0, 50, stages);
            r.sku = Some(Sku::new(sku).unwrap());
            r
        };
        let mug = line("MUG", &[(Stage::Production, 20.0), (Stage::MainTransit, 30.0)]);
        let po2 = po("PO-2", 0, 30, &[(Stage::Production, 10.0), (Stage::MainTransit, 20.0)]);
        for cup in [
            line("CUP", &[(Stage::MainTransit, 30.0), (Stage::Production, 20.0)]),
            line(
                "CUP",
                &[(Stage::Production, 10.0), (Stage::MainTransit, 30.0), (Stage::Production, 10.0)],
            ),
        ] {
            let h = [mug.clone(), cup.clone(), po2.clone()];
            let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
            let total = model.lane(&lane()).unwrap().total;
            assert_eq!(
                (total.mean, total.variance, total.observations),
                (40.0, 200.0, 2),
                "{cup:?}"
            );
        }
        // A different split of the same 50 days is another trip.
        let cup = line("CUP", &[(Stage::Production, 25.0), (Stage::MainTransit, 25.0)]);
        let h = [mug, cup, po2];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        assert_eq!(model.lane(&lane()).unwrap().total.observations, 3);
    }

    #[test]
    fn a_repeated_replenishment_counts_once() {
        // PO-1 (40 days) listed twice, PO-2 (60 days), equal weights:
        // mean (40 + 60) / 2 = 50; V1 = V2 = 2, denominator 1, variance
        // 10^2 + 10^2 = 200. Counting PO-1 twice gave 46.67 and 133.33.
        let h = [po("PO-1", 0, 40, &[]), po("PO-1", 0, 40, &[]), po("PO-2", 0, 60, &[])];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        let total = model.lane(&lane()).unwrap().total;
        assert_eq!((total.mean, total.variance, total.observations), (50.0, 200.0, 2));
        // The same id with different content is rejected, naming it.
        let h = [po("PO-1", 0, 40, &[]), po("PO-1", 0, 41, &[]), po("PO-2", 0, 60, &[])];
        assert_eq!(
            LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()),
            Err(ForecastError::DuplicateReplenishment { id: "PO-1".to_owned(), sku: None })
        );
        // One purchase order listed once per SKU: two lines, one trip of
        // 40 days, counted once (mean 50, variance 200 as above). Split
        // deliveries of it (40 and 46 days) are two trips: weights 1, mean
        // (40 + 46 + 60) / 3 = 48.667.
        let line = |sku: &str, days: i64| {
            let mut r = po("PO-1", 0, days, &[]);
            r.sku = Some(Sku::new(sku).unwrap());
            r
        };
        let h = [line("MUG", 40), line("CUP", 40), po("PO-2", 0, 60, &[])];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        let total = model.lane(&lane()).unwrap().total;
        assert_eq!((total.mean, total.variance, total.observations), (50.0, 200.0, 2));
        let h = [line("MUG", 40), line("CUP", 46), po("PO-2", 0, 60, &[])];
        let model = LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()).unwrap();
        let total = model.lane(&lane()).unwrap().total;
        assert!((total.mean - 146.0 / 3.0).abs() < 1e-12 && total.observations == 3);
        // Both SKUs still route over the lane.
        let to = LocationId::new("FBA-US").unwrap();
        assert!(model.forecast_lead_time(&Sku::new("CUP").unwrap(), &to, order_date()).is_some());
    }

    #[test]
    fn gamma_quantile_takes_any_p_and_shape_without_panicking() {
        // statrs' inverse_cdf panicked for p outside [0, 1] or NaN, and
        // for shape 1e-20 (mean 1, variance 1e20), where its bisection
        // scaled a tiny x by the rate 1e-20 to 0.
        assert!(gamma_quantile(10.0, 4.0, f64::NAN).is_nan());
        assert_eq!(gamma_quantile(10.0, 4.0, -1.0), 0.0);
        assert_eq!(gamma_quantile(10.0, 4.0, 1.5), f64::INFINITY);
        // Shape 1e-20: P(X <= x) = (x / theta)^a / Gamma(1 + a), the
        // median (x / 1e20)^1e-20 = 0.5 is 1e20 x 2^-1e20: 0 in f64.
        assert_eq!(gamma_quantile(1.0, 1e20, 0.5), 0.0);
        // Exponential (mean 10, variance 100): -10 ln(0.05) = 29.957323.
        assert!((gamma_quantile(10.0, 100.0, 0.95) - 29.957_322_7).abs() < 1e-6);
        // Shape 1e6 (mean 1e6, variance 1e6, sd 1e3): Wilson-Hilferty,
        // 1.645421941 sd above the mean at p = 0.95 (e = 1e-3 (z / 3 -
        // 1e-3 / 9) = 5.481734e-4, 3e + 3e^2 + e^3 = 1.645422e-3).
        let q = gamma_quantile(1e6, 1e6, 0.95);
        assert!(((q - 1e6) / 1e3 - 1.645_421_941).abs() < 1e-6, "{q}");
    }

    #[test]
    fn an_arrival_past_the_calendar_end_is_its_last_day() {
        // ordered_on + mean days panicked past NaiveDate::MAX.
        let order = OrderForecast {
            id: PurchaseOrderId::new("po").unwrap(),
            lane: lane(),
            sku: None,
            ordered_on: NaiveDate::MAX,
            estimate: LeadTimeEstimate::fixed(Days::new(30.0).unwrap()),
            overrides: Vec::new(),
        };
        assert_eq!(order.forecast_arrival(), NaiveDate::MAX);
    }

    #[test]
    fn small_gamma_shapes_match_50_digit_quantiles() {
        // mpmath at 50 digits: x = y variance / mean with y bisected on
        // ln(gammainc(a, 0, y, regularized)) = ln p, a = mean^2 / variance.
        // (mean, variance, p) -> x. Shape 0.05 at the median was 1.1e-14
        // (statrs' P(a, y) reads 0 below y = 1.1e-15, so the bisection
        // stopped there), 1e6 times too high; shape 0.01, 1e16 times.
        for (mean, variance, p, want) in [
            (1.0, 20.0, 0.5, 1.114_775_688_149_248_6e-5),
            (1.0, 20.0, 0.99, 21.752_548_001_836_19),
            (1.0, 100.0, 0.5, 4.465_535_018_910_349e-29),
            (1.0, 100.0, 0.9, 0.001_503_593_623_070_294_6),
            (1.0, 100.0, 0.999, 150.908_414_769_475),
            (2.0, 4000.0, 0.95, 5.947_175_099_293_415e-20),
            (10.0, 4000.0, 0.3, 2.786_451_358_665_001_5e-19),
            (1.0, 1e6, 0.999_999, 264_737.043_890_434_3),
        ] {
            // The documented bound: 1e-13, or 4e-16 / shape where p's own
            // half-ulp moves the true quantile by more (shape 1e-6).
            let shape = mean * mean / variance;
            let tolerance = 1e-13 + 4e-16 / shape;
            let x = gamma_quantile(mean, variance, p);
            assert!((x / want - 1.0).abs() < tolerance, "{mean} {variance} {p}: {x:e} vs {want:e}");
        }
        // Quantiles below the smallest f64 (shape 1e-6, median theta
        // 2^-1e6 Gamma(1 + a)^(1 / a) = 5.7e-301025; shape 1e-12 and
        // 1e-400, which underflows to 0 itself) are 0.
        assert_eq!(gamma_quantile(1.0, 1e6, 0.5), 0.0);
        assert_eq!(gamma_quantile(1.0, 1e12, 0.5), 0.0);
        assert_eq!(gamma_quantile(1e-200, 1e200, 0.5), 0.0);
    }

    #[test]
    fn small_gamma_shapes_keep_their_digits_for_p_near_one() {
        // Below y = 1 at a p near 1 (Q(a, 1) = a E1(1) = 0.22 a is
        // below 1 - p), ln P(a, y) = a ln y - y - ln Gamma(1 + a) +
        // ln S(a, y) is a difference of terms near 0.26 whose sum is
        // -(1 - p): bisected in that form, shape 1e-8 at p = 1 - 1e-8
        // read 2.6473700370879572e7, 2e-8 off, and shape 1e-6 at
        // 1 - 1e-6 9.927639145419655e6, 5e-11 off. Core's inversion now
        // iterates ln y = L + (ln p - ln(1 - a T)) / a there (reorder's
        // form). 60-digit mpmath roots of Q(a, y) = 1 - p for the exact
        // f64 p and the shape as formed here, exp(2 ln mean - ln
        // variance) (9.999999999999982e-9 and 1.0000000000000004e-6),
        // x = y variance / mean.
        for (mean, variance, p, want) in [
            (1.0, 1e8, 0.999_999_99, 26_473_700.905_261_275),
            (37.5, 1_406_250_000.0, 1.0 - 1e-6, 9_927_639.145_891_29),
        ] {
            let x = gamma_quantile(mean, variance, p);
            assert!((x / want - 1.0).abs() < 1e-12, "{mean} {variance} {p}: {x:e} vs {want:e}");
        }
    }

    #[test]
    fn tiny_gamma_shapes_follow_the_closed_form_lower_tail() {
        // Near 0, P(a, y) = y^a / Gamma(1 + a) (1 + O(y)): for shape
        // 1e-14 (mean 1, variance 1e14, theta 1e14) and p = 1 - 2^-40,
        // ln p = -9.0949470177334e-13, ln Gamma(1 + a) = -gamma a =
        // -5.7721566e-15, (sum) / a = -91.526685842, y = e^-91.5267 =
        // 1.780186043e-40, x = 1e14 y = 1.780186043e-26 (the same value
        // reorder's gamma checks by hand). statrs gave 0 below shape
        // 1.1e-15 and a wrong tail above it.
        let x = gamma_quantile(1.0, 1e14, 1.0 - 2f64.powi(-40));
        assert!((x / 1.780_186_043_257_205e-26 - 1.0).abs() < 1e-9, "{x:e}");
        // Quantiles rise with p across the series / continued-fraction
        // switch at y = 1 (p = P(a, 1)), for several small shapes.
        for variance in [1.5, 20.0, 1e3, 1e8] {
            let mut last = 0.0;
            for i in 1..1000 {
                let p = f64::from(i) / 1000.0;
                let x = gamma_quantile(1.0, variance, p);
                assert!(x >= last, "variance {variance}, p {p}: {x:e} < {last:e}");
                last = x;
            }
        }
    }

    #[test]
    fn gamma_quantile_keeps_falling_down_to_the_smallest_subnormal_p() {
        // 50-digit mpmath roots of ln P(a, x / scale) = ln p (series in
        // logarithms), for the exact f64 p. By hand, the exponential
        // (mean = variance = 1) has x = -ln(1 - p) = p (1 + p / 2 + ...),
        // so its 1e-300 quantile is 1e-300: it read 1.1e-15 for every p
        // below about 1e-15. Shape 12.5 (mean 25, variance 50, scale 2)
        // read 2.2e-15 for every p below 1e-301 (statrs' P(a, y) is 0
        // below y = 1.1e-15), and shape 25 (mean 10, variance 4, scale
        // 0.4) 1.67e-12 below 1e-310 (P(a, y) subnormal).
        for (mean, variance, p, want) in [
            (1.0, 1.0, 1e-20, 1e-20),
            (1.0, 1.0, 1e-300, 1e-300),
            (1.0, 1.0, 5e-324, 5e-324),
            (2.0, 1.0, 1e-300, 1.106_681_919_700_321_6e-75),
            (10.0, 4.0, 1e-300, 4.070_856_733_953_667_5e-12),
            (10.0, 4.0, 1e-320, 6.451_870_252_009_177e-13),
            (25.0, 50.0, 1e-20, 0.278_068_520_847_082_56),
            (25.0, 50.0, 1e-310, 1.736_523_626_045_993e-24),
            (25.0, 50.0, 5e-324, 1.496_867_878_758_396_7e-25),
            (1e3, 1e3, 1e-280, 248.558_268_343_426_76),
            (1e3, 1e3, 1e-320, 220.402_330_914_152_46),
            (1e5, 1e5, 1e-100, 93_422.422_979_440_03),
            (1e5, 1e5, 1e-300, 88_737.327_911_421_7),
            (1e5, 1e5, 5e-324, 88_323.393_770_267_85),
        ] {
            let x = gamma_quantile(mean, variance, p);
            assert!((x / want - 1.0).abs() < 2e-13, "{mean} {variance} {p:e}: {x:e} vs {want:e}");
        }
        // Strictly falling as p halves down to the smallest subnormal,
        // across the switches at y = 1 and p = 1e-290, for shapes 1 to
        // 1e5 and Wilson-Hilferty's 1e6.
        for shape in [1.0, 1.5, 25.0, 1e3, 1e5, 1e6] {
            let (mut p, mut last) = (0.5, f64::INFINITY);
            while p > 0.0 {
                let x = gamma_quantile(shape, shape, p);
                assert!(x < last, "shape {shape}, p {p:e}: {x:e} after {last:e}");
                last = x;
                p *= 0.5;
            }
        }
        // Wilson-Hilferty's far tail, against 50-digit roots: within
        // 600 / shape standard deviations (measured 508 / shape at 2e5,
        // 518 / shape at 1e6).
        for (shape, p, want) in [
            (2e5, 5e-324, 183_286.207_300_471_1),
            (1e6, 1e-300, 963_408.653_939_865_6),
            (1e6, 5e-324, 962_023.926_324_044_6),
        ] {
            let x = gamma_quantile(shape, shape, p);
            let gap = (x - want).abs() / shape.sqrt();
            assert!(gap < 600.0 / shape, "{shape} {p:e}: {x} vs {want} ({gap:e} sd)");
        }
    }

    #[test]
    fn gamma_quantile_is_continuous_at_shape_one() {
        // Shape 1 (mean 10, variance 100) is the exponential, x = -10
        // ln(1 - p), read from statrs; a shape a hair below it (variance
        // 100 (1 + 1e-9)) is the series path, and must agree to O(1e-9).
        for p in [0.01f64, 0.3, 0.5, 0.95, 0.999, 0.999_999] {
            let exact = -10.0 * (-p).ln_1p();
            for variance in [100.0, 100.000_000_1] {
                let x = gamma_quantile(10.0, variance, p);
                assert!((x / exact - 1.0).abs() < 1e-8, "{variance} {p}: {x} vs {exact}");
            }
        }
        // mpmath: shape 1 / 1.000000001 at p = 0.95 is 2.9957322746129299.
        let x = gamma_quantile(1.0, 1.000_000_001, 0.95);
        assert!((x / 2.995_732_274_612_93 - 1.0).abs() < 1e-13, "{x}");
    }

    #[test]
    fn gamma_quantile_keeps_the_digits_of_one_minus_p_above_shape_one() {
        // Mean = variance = 1 is the exponential, x = -ln(1 - p), and
        // 1 - p is exact in f64 for these p: -ln 2^-53 = 53 ln 2 =
        // 36.7368005696771 at the largest p below 1. Mean = variance = 2
        // is shape 2, scale 1: Q(2, x) = (1 + x) e^-x = 1 - p, roots from
        // 60-digit mpmath. Bisecting P(a, y) near 1 read the exponential
        // at 36.3313 for 1 - 2^-53 (1.1% low) and 2.4e-8 off at
        // 1 - 1e-10.
        let one = StageDistribution::new(Stage::MainTransit, 1.0, 1.0, 2, 2.0).unwrap();
        let two = StageDistribution::new(Stage::MainTransit, 2.0, 2.0, 2, 2.0).unwrap();
        for (p, want1, want2) in [
            (1.0 - f64::EPSILON / 2.0, 36.736_800_569_677_1, 40.461_567_483_087_465),
            (1.0 - 1e-15, 34.539_575_992_340_88, 38.208_468_755_484_82),
            (1.0 - 1e-10, 23.025_850_847_200_09, 26.333_981_519_648_54),
            (1.0 - 1e-6, 13.815_510_557_935_518, 16.688_420_790_829_44),
        ] {
            let x = one.quantile(p);
            assert!((x / want1 - 1.0).abs() < 1e-13, "shape 1 at {p}: {x} vs {want1}");
            assert!((x / -(1.0 - p).ln() - 1.0).abs() < 1e-13, "shape 1 at {p}: {x}");
            let x = two.quantile(p);
            assert!((x / want2 - 1.0).abs() < 1e-13, "shape 2 at {p}: {x} vs {want2}");
        }
    }

    #[test]
    fn gamma_quantile_of_zero_variance_is_the_mean() {
        assert_eq!(gamma_quantile(12.0, 0.0, 0.95), 12.0);
        // Gamma(shape 4, rate 0.5) has median about 7.34 (mean 8, var 16).
        let q = gamma_quantile(8.0, 16.0, 0.5);
        assert!((q - 7.344).abs() < 0.01, "{q}");
    }
}
