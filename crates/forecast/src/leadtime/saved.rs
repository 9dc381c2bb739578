//! Saving and loading the lead-time model, its lanes and its order
//! records with serde.
//!
//! The model's maps are keyed by [`Lane`] and by `(Sku, LocationId)`,
//! which formats such as JSON cannot use as object keys, so they are
//! written as lists of entries: the lane models (each names its lane) and
//! the routes as `{sku, destination, lane}`. Everything is read through a
//! plain mirror and checked before it becomes a model, with the checks
//! learning and forecasting apply, so a tampered or corrupted file is
//! refused with [`ForecastError::InvalidRecord`] naming what is wrong
//! instead of loading and answering nonsense.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{
    Days, Lane, LeadTimeEstimate, LocationId, MAX_DAYS, PurchaseOrderId, Sku, Stage,
};
use serde::{Deserialize, Serialize, Serializer};

use super::{
    COVER_TOLERANCE_DAYS, LaneModel, LeadTimeModel, LiveOverride, OrderForecast, StageDistribution,
    apply_override, lane_label, override_stage,
};
use crate::error::{ForecastError, Result};
use merchantry_core::ShortFloat;

/// How far the stage means of a lane whose stages cover its lead time may
/// be from the total's mean: each covered replenishment's stages are
/// within [`COVER_TOLERANCE_DAYS`] of its lead time, so their weighted
/// means are too; the relative part allows for rounding in the sums.
fn cover_tolerance(total_mean: f64) -> f64 {
    COVER_TOLERANCE_DAYS + 1e-9 * total_mean.max(1.0)
}

/// The lane models, written as a list (each names its lane).
pub(super) fn lanes_out<S: Serializer>(
    lanes: &BTreeMap<Lane, LaneModel>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(lanes.values())
}

/// One route as written.
#[derive(Serialize)]
struct RouteOut<'a> {
    sku: &'a Sku,
    destination: &'a LocationId,
    lane: &'a Lane,
}

/// The routes, written as a list of `{sku, destination, lane}`.
pub(super) fn routes_out<S: Serializer>(
    routes: &BTreeMap<(Sku, LocationId), Lane>,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(routes.iter().map(|((sku, destination), lane)| RouteOut {
        sku,
        destination,
        lane,
    }))
}

/// One route as read, unchecked.
#[derive(Deserialize)]
struct RouteIn {
    sku: Sku,
    destination: LocationId,
    lane: Lane,
}

/// A [`LeadTimeModel`] as read, unchecked.
#[derive(Deserialize)]
pub(super) struct LeadTimeModelRepr {
    lanes: Vec<LaneModel>,
    routes: Vec<RouteIn>,
    quantiles: Vec<f64>,
}

impl TryFrom<LeadTimeModelRepr> for LeadTimeModel {
    type Error = ForecastError;

    fn try_from(r: LeadTimeModelRepr) -> Result<Self> {
        let bad = |reason: String| ForecastError::InvalidRecord {
            record: "lead-time model".to_owned(),
            reason,
        };
        let mut lanes = BTreeMap::new();
        for model in r.lanes {
            if lanes.contains_key(&model.lane) {
                return Err(bad(format!("lane {} is listed twice", lane_label(&model.lane))));
            }
            lanes.insert(model.lane.clone(), model);
        }
        let mut routes = BTreeMap::new();
        for RouteIn { sku, destination, lane } in r.routes {
            if lane.destination != destination {
                return Err(bad(format!(
                    "sku {} is routed to {} over lane {}, which ends elsewhere",
                    sku.as_str(),
                    destination.as_str(),
                    lane_label(&lane)
                )));
            }
            let key = (sku, destination);
            if routes.contains_key(&key) {
                return Err(bad(format!(
                    "sku {} is routed to {} twice",
                    key.0.as_str(),
                    key.1.as_str()
                )));
            }
            routes.insert(key, lane);
        }
        // Learning keeps the probabilities in (0, 1), sorted, each once.
        let mut last: Option<f64> = None;
        for &p in &r.quantiles {
            if !(p > 0.0 && p < 1.0) {
                return Err(bad(format!("quantile {} is outside (0, 1)", ShortFloat(p))));
            }
            if let Some(before) = last
                && p <= before
            {
                return Err(bad(format!(
                    "quantile {} follows {}, expected ascending and each once",
                    ShortFloat(p),
                    ShortFloat(before)
                )));
            }
            last = Some(p);
        }
        Ok(Self { lanes, routes, quantiles: r.quantiles })
    }
}

/// A [`LaneModel`] as read, unchecked (its distributions are checked by
/// [`StageDistribution::new`] as they are read).
#[derive(Deserialize)]
pub(super) struct LaneModelRepr {
    lane: Lane,
    stages: Vec<StageDistribution>,
    total: StageDistribution,
    stages_cover_total: bool,
}

impl TryFrom<LaneModelRepr> for LaneModel {
    type Error = ForecastError;

    fn try_from(r: LaneModelRepr) -> Result<Self> {
        let model = Self {
            lane: r.lane,
            stages: r.stages,
            total: r.total,
            stages_cover_total: r.stages_cover_total,
        };
        check_lane(&model).map_err(|reason| ForecastError::InvalidRecord {
            record: format!("lane {}", lane_label(&model.lane)),
            reason,
        })?;
        Ok(model)
    }
}

/// What learning guarantees of a lane: the total labelled
/// [`Stage::MainTransit`] and learned from at least one replenishment;
/// stages each once, in stage order, each learned from 1 to the total's
/// observations; and stages said to cover the total listed, each learned
/// from every replenishment, their means adding up to the total's within
/// [`cover_tolerance`].
fn check_lane(m: &LaneModel) -> std::result::Result<(), String> {
    let total = &m.total;
    if total.stage != Stage::MainTransit {
        return Err(format!(
            "the total is labelled {}, expected {} (how a whole lead time is reported)",
            total.stage,
            Stage::MainTransit
        ));
    }
    if total.observations == 0 {
        return Err("the total is learned from no replenishment".to_owned());
    }
    check_stage_order(m.stages.iter().map(|s| s.stage))?;
    for s in &m.stages {
        if s.observations == 0 || s.observations > total.observations {
            return Err(format!(
                "{} is learned from {} observations, expected 1 to the total's {}",
                s.stage, s.observations, total.observations
            ));
        }
        if m.stages_cover_total && s.observations != total.observations {
            return Err(format!(
                "the stages are said to cover the total, so every replenishment counts toward \
                 {}, but it has {} observations to the total's {}",
                s.stage, s.observations, total.observations
            ));
        }
    }
    if m.stages_cover_total {
        if m.stages.is_empty() {
            return Err("the stages are said to cover the total but none is listed".to_owned());
        }
        let sum: f64 = m.stages.iter().map(|s| s.mean).sum();
        let tolerance = cover_tolerance(total.mean);
        if (sum - total.mean).abs() >= tolerance {
            return Err(format!(
                "the stages are said to cover the total but add up to {} days, not within {} \
                 days of its mean of {} days",
                ShortFloat(sum),
                ShortFloat(tolerance),
                ShortFloat(total.mean)
            ));
        }
    }
    Ok(())
}

/// Stages listed each once, in stage order.
fn check_stage_order(stages: impl Iterator<Item = Stage>) -> std::result::Result<(), String> {
    let mut last: Option<Stage> = None;
    for stage in stages {
        match last {
            Some(before) if before == stage => return Err(format!("{stage} is listed twice")),
            Some(before) if before > stage => {
                return Err(format!("{stage} is listed after {before}, out of stage order"));
            }
            _ => {}
        }
        last = Some(stage);
    }
    Ok(())
}

/// An [`OrderForecast`] as read, unchecked.
#[derive(Deserialize)]
pub(super) struct OrderForecastRepr {
    id: PurchaseOrderId,
    lane: Lane,
    sku: Option<Sku>,
    ordered_on: NaiveDate,
    estimate: LeadTimeEstimate,
    overrides: Vec<LiveOverride>,
}

impl TryFrom<OrderForecastRepr> for OrderForecast {
    type Error = ForecastError;

    fn try_from(r: OrderForecastRepr) -> Result<Self> {
        let bad = |reason: String| ForecastError::InvalidRecord {
            record: format!("order forecast {}", r.id.as_str()),
            reason,
        };
        check_estimate(&r.estimate).map_err(bad)?;
        check_overrides(&r.estimate, &r.overrides, r.ordered_on).map_err(bad)?;
        Ok(Self {
            id: r.id,
            lane: r.lane,
            sku: r.sku,
            ordered_on: r.ordered_on,
            estimate: r.estimate,
            overrides: r.overrides,
        })
    }
}

/// What [`LeadTimeModel::estimate`] guarantees of the overrides an
/// estimate was made with: each overrides a stage the estimate lists
/// (the lane's history itemises it, or every stage counts); a ready
/// date, quote or fixed length is one it accepts on the order date and
/// agrees with the mean that follows from it; and a delay shifts a stage
/// that lasted 0 to [`MAX_DAYS`] before it.
///
/// The record keeps each stage's mean after every override, not the
/// learned one, so the overrides are replayed backwards from it: the
/// stage mean before a delay is the mean after it less the delay, and a
/// ready date, quote or fixed length sets the mean after it (what came
/// before is then unknown, and no earlier delay of that stage is checked
/// against a mean).
fn check_overrides(
    e: &LeadTimeEstimate,
    overrides: &[LiveOverride],
    ordered_on: NaiveDate,
) -> std::result::Result<(), String> {
    for (i, &o) in overrides.iter().enumerate() {
        let stage = override_stage(&o);
        if !e.stages.iter().any(|s| s.stage == stage) {
            return Err(format!(
                "overrides[{i}] overrides {stage}, which the estimate does not list (a lane's \
                 estimate lists every stage an override accepted on it)"
            ));
        }
        if !matches!(o, LiveOverride::Delay { .. }) {
            apply_override(&mut BTreeMap::new(), o, ordered_on)
                .map_err(|e| format!("overrides[{i}]: {e}"))?;
        }
    }
    // The mean of each stage after the overrides replayed so far (from
    // the last back), with the rounding those replayed steps may have
    // left in it; `None` once a setting override hides what it was.
    let mut after: BTreeMap<Stage, Option<(f64, f64)>> =
        e.stages.iter().map(|s| (s.stage, Some((s.mean.get(), 0.0)))).collect();
    for (i, &o) in overrides.iter().enumerate().rev() {
        let stage = override_stage(&o);
        let Some(Some((mean, carried))) = after.get(&stage).copied() else { continue };
        let before = match o {
            LiveOverride::Delay { days, .. } => {
                let days = days.get();
                let before = mean - days;
                // Rounding of `learned + days` may leave a few ulps, and
                // so may every later delay of the stage replayed before
                // this one: their slack adds up.
                let slack = carried + 4.0 * f64::EPSILON * (mean.abs() + days.abs());
                if !(-slack..=MAX_DAYS + slack).contains(&before) {
                    return Err(format!(
                        "overrides[{i}] delays {stage} by {} days, which the estimate's {} days \
                         after it leave at {} days before it, expected 0 to {MAX_DAYS}",
                        ShortFloat(days),
                        ShortFloat(mean),
                        ShortFloat(before)
                    ));
                }
                Some((before, slack))
            }
            _ => {
                let mut set = BTreeMap::new();
                apply_override(&mut set, o, ordered_on)
                    .map_err(|e| format!("overrides[{i}]: {e}"))?;
                let value = set.get(&stage).map_or(0.0, |&(m, _)| m);
                let slack = carried + 4.0 * f64::EPSILON * value.abs().max(mean.abs());
                if (value - mean).abs() > slack {
                    return Err(format!(
                        "overrides[{i}] sets {stage} to {} days, but the estimate's {stage} is {} \
                         days after it",
                        ShortFloat(value),
                        ShortFloat(mean)
                    ));
                }
                None
            }
        };
        after.insert(stage, before);
    }
    Ok(())
}

/// `d` in days when it is 0 to [`MAX_DAYS`], else what is wrong with it.
fn days(what: impl FnOnce() -> String, d: Days) -> std::result::Result<f64, String> {
    let v = d.get();
    if (0.0..=MAX_DAYS).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{} is {} days, expected 0 to {MAX_DAYS}", what(), ShortFloat(v)))
    }
}

/// A mean and spread of days as estimates have them: both 0 to
/// [`MAX_DAYS`], and no spread around a mean of 0 days.
fn check_moments(what: &str, mean: Days, std_dev: Days) -> std::result::Result<(), String> {
    let mean = days(|| format!("{what} mean"), mean)?;
    let sd = days(|| format!("{what} std dev"), std_dev)?;
    if mean == 0.0 && sd > 0.0 {
        return Err(format!(
            "{what} std dev is {} days around a mean of 0 days (days are never negative, so \
             nothing averaging 0 days varies)",
            ShortFloat(sd)
        ));
    }
    Ok(())
}

/// What [`LeadTimeModel::estimate`] guarantees of an estimate: mean,
/// spread and stages as [`check_moments`] wants them, stages each once in
/// stage order, quantile probabilities within `[0, 1]`, ascending and
/// each once, with days from 0 to [`MAX_DAYS`] never falling as the
/// probability rises.
fn check_estimate(e: &LeadTimeEstimate) -> std::result::Result<(), String> {
    check_moments("estimate", e.mean, e.std_dev)?;
    check_stage_order(e.stages.iter().map(|s| s.stage)).map_err(|r| format!("estimate: {r}"))?;
    for s in &e.stages {
        check_moments(&format!("estimate's {}", s.stage), s.mean, s.std_dev)?;
    }
    let mut last: Option<(f64, f64)> = None;
    for &(p, d) in &e.quantiles {
        if !(0.0..=1.0).contains(&p) {
            return Err(format!("quantile probability {} is outside 0 to 1", ShortFloat(p)));
        }
        let q = days(|| format!("the {} quantile", ShortFloat(p)), d)?;
        if let Some((p0, q0)) = last {
            if p <= p0 {
                return Err(format!(
                    "quantile probabilities out of order: {} after {} (expected ascending, each \
                     once)",
                    ShortFloat(p),
                    ShortFloat(p0)
                ));
            }
            if q < q0 {
                return Err(format!(
                    "the {} quantile is {} days, below the {} quantile's {} days",
                    ShortFloat(p),
                    ShortFloat(q),
                    ShortFloat(p0),
                    ShortFloat(q0)
                ));
            }
        }
        last = Some((p, q));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use merchantry_core::StageEstimate;

    #[test]
    fn two_delays_of_a_stage_forgive_the_rounding_of_both() {
        // A proptest's case: inland freight learned at 0, delayed by
        // 1.415931393890538 and then 207.68784893610697 days. Replayed
        // back, 0 + d1 + d2 - d2 - d1 is -6.7e-15, past the one step's
        // slack (2.5e-15) but within both steps' (2.1e-13 together), so
        // the saved order refused to load.
        let (d1, d2) = (1.415_931_393_890_538, 207.687_848_936_106_97);
        let mean = 0.0 + d1 + d2;
        let stage = StageEstimate {
            stage: Stage::InlandFreight,
            mean: Days::new(mean).unwrap(),
            std_dev: Days::ZERO,
        };
        let e = LeadTimeEstimate {
            stages: vec![stage],
            ..LeadTimeEstimate::fixed(Days::new(mean).unwrap())
        };
        let delay = |d: f64| LiveOverride::Delay {
            stage: Stage::InlandFreight,
            days: Days::new(d).unwrap(),
        };
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        assert_eq!(check_overrides(&e, &[delay(d1), delay(d2)], day), Ok(()));
        // A delay past what the stage held is still refused.
        assert!(check_overrides(&e, &[delay(d1 + 1.0), delay(d2)], day).is_err());
    }
}
