//! The lead-time model's laws as proptest properties, over random
//! histories of shipments with random stages, ages and half-lives.
//!
//! Tolerance: where a law compares two sums computed along different
//! paths, they must agree within `1e-9` relative to the larger magnitude
//! (or `1e-9` absolute below 1 day). A dozen weighted two-pass sums of
//! values below a few hundred days lose far less than that; a law
//! stated as exact (a constant history, repeated learning) is checked
//! bit for bit.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

mod common;

use chrono::TimeDelta;
use common::start;
use merchantry_core::{Days, Lane, LeadTimeEstimate, Replenishment, Stage, StageDuration};
use merchantry_forecast::{
    ForecastError, LeadTimeModel, LeadTimeOptions, LiveOverride, StageDistribution,
};
use proptest::prelude::*;

const TOLERANCE: f64 = 1e-9;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

fn lane() -> Lane {
    common::lane_to("ACME", "FBA-US")
}

/// One generated shipment: ordered `offset` days after 2026-01-01, its
/// itemised stages, and the days its lead time runs past them.
#[derive(Debug, Clone)]
struct Ship {
    offset: i64,
    stages: Vec<(Stage, f64)>,
    extra: i64,
}

impl Ship {
    /// The replenishment: lead time the stages rounded up to whole days
    /// plus `extra`, so the stages never exceed it and cover it exactly
    /// when `extra` is 0 and at least one stage is listed.
    fn record(&self, id: usize) -> Replenishment {
        let itemised: f64 = self.stages.iter().map(|s| s.1).sum();
        #[expect(clippy::cast_possible_truncation, reason = "generated sums stay below 2^31")]
        let days = itemised.ceil() as i64 + self.extra;
        common::order(&format!("PO-{id}"), &lane(), None, self.offset, days, &self.stages)
    }
}

/// Checks that `d`'s quantiles at both probabilities of each pair are
/// finite days from 0 up, the lower one no later than the higher.
fn assert_pairs_rise(d: &StageDistribution, pairs: &[(f64, f64)]) -> Result<(), TestCaseError> {
    for &(a, b) in pairs {
        let (lo, hi) = (a.min(b), a.max(b));
        let (q_lo, q_hi) = (d.quantile(lo), d.quantile(hi));
        prop_assert!(q_lo.is_finite() && q_lo >= 0.0, "{d:?} at {lo}: {q_lo}");
        prop_assert!(q_hi.is_finite() && q_hi >= 0.0, "{d:?} at {hi}: {q_hi}");
        prop_assert!(q_lo <= q_hi, "{d:?}: q({lo}) = {q_lo} > q({hi}) = {q_hi}");
    }
    Ok(())
}

fn history(ships: &[Ship]) -> Vec<Replenishment> {
    ships.iter().enumerate().map(|(i, s)| s.record(i)).collect()
}

fn stage() -> impl Strategy<Value = Stage> {
    prop::sample::select(Stage::ALL.to_vec())
}

/// Whole days (so a fully itemised lane's stages add up to its lead
/// time exactly), fractional days, or none.
fn whole_days() -> impl Strategy<Value = f64> {
    prop_oneof![(0u32..200).prop_map(f64::from), Just(0.0)]
}

fn any_days() -> impl Strategy<Value = f64> {
    prop_oneof![(0u32..200).prop_map(f64::from), 0.0..200.0f64, Just(0.0), 1e-9..1e-3f64]
}

/// A half-life from a thousandth of a day to thirty years, log-uniform.
fn half_life() -> impl Strategy<Value = f64> {
    (-7.0..9.0f64).prop_map(f64::exp)
}

fn options(half_life: f64) -> LeadTimeOptions {
    LeadTimeOptions { half_life_days: half_life, ..LeadTimeOptions::default() }
}

/// Shipments that each list at least one stage of whole days and last
/// exactly as long as their stages: a fully itemised lane.
fn itemised_ships() -> impl Strategy<Value = Vec<Ship>> {
    let ship = (0i64..2000, prop::collection::vec((stage(), whole_days()), 1..5))
        .prop_map(|(offset, stages)| Ship { offset, stages, extra: 0 });
    prop::collection::vec(ship, 1..12)
}

/// Any mix: stages or none, fractional days, lead times past the stages.
fn mixed_ships() -> impl Strategy<Value = Vec<Ship>> {
    let ship = (
        0i64..2000,
        prop::collection::vec((stage(), any_days()), 0..5),
        prop_oneof![Just(0i64), 0i64..60],
    )
        .prop_map(|(offset, stages, extra)| Ship { offset, stages, extra });
    prop::collection::vec(ship, 1..12)
}

/// Probabilities strictly inside (0, 1), close to the ends included.
fn probability() -> impl Strategy<Value = f64> {
    prop_oneof![1e-12..1.0 - 1e-12, 0.001..0.999f64, Just(0.5), Just(0.999_999)]
}

fn live_override() -> impl Strategy<Value = LiveOverride> {
    prop_oneof![
        (0i64..400).prop_map(|d| LiveOverride::ReadyDate(start() + TimeDelta::days(d))),
        (0.0..300.0f64, 0.0..50.0f64).prop_map(|(m, s)| LiveOverride::TransitQuote {
            mean: Days::new(m).unwrap(),
            std_dev: Days::new(if m == 0.0 { 0.0 } else { s }).unwrap(),
        }),
        (stage(), -300.0..300.0f64)
            .prop_map(|(stage, d)| LiveOverride::Delay { stage, days: Days::new(d).unwrap() }),
        (stage(), 0.0..300.0f64, any::<bool>()).prop_map(|(stage, d, whole)| {
            let days = if whole { d.floor() } else { d };
            LiveOverride::Fixed { stage, days: Days::new(days).unwrap() }
        }),
    ]
}

/// Every learned distribution of the lane: its stages and its total.
fn distributions(model: &LeadTimeModel) -> Vec<StageDistribution> {
    let lane_model = model.lane(&lane()).unwrap();
    let mut all = lane_model.stages.clone();
    all.push(lane_model.total);
    all
}

/// Quantiles of an estimate ascend in p, do not decrease, and are
/// finite days from 0 up.
fn assert_quantiles_rise(est: &LeadTimeEstimate) -> Result<(), TestCaseError> {
    for pair in est.quantiles.windows(2) {
        let ((p0, q0), (p1, q1)) = (pair[0], pair[1]);
        prop_assert!(p0 < p1, "probabilities out of order: {:?}", est.quantiles);
        prop_assert!(q0.get() <= q1.get(), "quantile fell: {:?}", est.quantiles);
    }
    for &(_, q) in &est.quantiles {
        prop_assert!(q.get().is_finite() && q.get() >= 0.0, "{:?}", est.quantiles);
    }
    Ok(())
}

proptest! {
    /// Law: on a fully itemised lane the total's mean is the sum of the
    /// stage means and its variance the sum of the stage variances
    /// (stages independent, as `LeadTimeModel` documents); with the same
    /// weights on every part, the stage means also add up to the lane's
    /// weighted mean lead time.
    #[test]
    fn total_mean_and_variance_are_the_sums_of_the_stages(
        ships in itemised_ships(),
        half_life in half_life(),
    ) {
        let h = history(&ships);
        let model = LeadTimeModel::learn(&h, &options(half_life)).unwrap();
        let lane_model = model.lane(&lane()).unwrap();
        prop_assert!(lane_model.stages_cover_total);
        let est = model.estimate(&lane(), start(), &[]).unwrap();
        let mean: f64 = lane_model.stages.iter().map(|s| s.mean()).sum();
        let variance: f64 = lane_model.stages.iter().map(|s| s.variance()).sum();
        prop_assert!(close(est.mean.get(), mean), "{} vs {mean}", est.mean.get());
        let sd = est.std_dev.get();
        prop_assert!(close(sd * sd, variance), "{} vs {variance}", sd * sd);
        prop_assert!(
            close(mean, lane_model.total.mean()),
            "stage means {mean} vs lane mean {}",
            lane_model.total.mean()
        );
        prop_assert_eq!(est.stages.len(), lane_model.stages.len());
        for (e, s) in est.stages.iter().zip(&lane_model.stages) {
            prop_assert_eq!(e.mean.get(), s.mean());
        }
    }

    /// Law: a lane that is not fully itemised is estimated from its whole
    /// lead times, whatever its stages say.
    #[test]
    fn a_partly_itemised_lane_is_its_whole_lead_time(
        ships in mixed_ships(),
        half_life in half_life(),
        plain_offset in 0i64..2000,
        plain_days in 0i64..400,
        plain_at in any::<prop::sample::Index>(),
    ) {
        // One shipment that itemises nothing keeps the lane partly
        // itemised, wherever it falls among the others.
        let mut ships = ships;
        let plain = Ship { offset: plain_offset, stages: Vec::new(), extra: plain_days };
        ships.insert(plain_at.index(ships.len() + 1), plain);
        let h = history(&ships);
        let model = LeadTimeModel::learn(&h, &options(half_life)).unwrap();
        let lane_model = model.lane(&lane()).unwrap();
        prop_assert!(!lane_model.stages_cover_total);
        let est = model.estimate(&lane(), start(), &[]).unwrap();
        prop_assert_eq!(est.mean.get(), lane_model.total.mean());
        prop_assert_eq!(est.std_dev.get(), lane_model.total.variance().sqrt());
    }

    /// Law: quantiles never decrease as p rises, and lie in [0, inf) for
    /// every p in (0, 1), both in an estimate and for every learned
    /// distribution; every learned distribution is one
    /// `StageDistribution::new` accepts.
    #[test]
    fn quantiles_rise_with_p_and_are_finite_days(
        ships in mixed_ships(),
        half_life in half_life(),
        asked in prop::collection::vec(probability(), 1..8),
        pairs in prop::collection::vec((probability(), probability()), 1..8),
    ) {
        let h = history(&ships);
        let opts = LeadTimeOptions { quantiles: asked, ..options(half_life) };
        let model = LeadTimeModel::learn(&h, &opts).unwrap();
        assert_quantiles_rise(&model.estimate(&lane(), start(), &[]).unwrap())?;
        for d in distributions(&model) {
            let rebuilt =
                StageDistribution::new(d.stage(), d.mean(), d.variance(), d.observations(), d.effective_n());
            prop_assert_eq!(rebuilt, Ok(d));
            assert_pairs_rise(&d, &pairs)?;
        }
    }

    /// Law: every distribution `StageDistribution::new` accepts (any
    /// mean up to a million days, any variance up to its square, spread
    /// far above or below the mean) has quantiles that are finite days
    /// from 0 up and never fall as p rises.
    #[test]
    fn quantiles_of_any_accepted_distribution_are_finite_and_rise(
        mean in prop_oneof![Just(0.0), 0.0..1e6f64, (-30.0..6.0f64).prop_map(|e| 10f64.powf(e))],
        variance in prop_oneof![Just(0.0), (-30.0..12.0f64).prop_map(|e| 10f64.powf(e))],
        pairs in prop::collection::vec((probability(), probability()), 1..8),
    ) {
        let variance = if mean == 0.0 { 0.0 } else { variance };
        let d = StageDistribution::new(Stage::MainTransit, mean, variance, 2, 2.0).unwrap();
        assert_pairs_rise(&d, &pairs)?;
    }

    /// Law: learning and estimating are deterministic: the same history
    /// gives the same model and the same estimate, bit for bit. (The docs
    /// promise nothing about a history given in another order, so that is
    /// not a law here.)
    #[test]
    fn the_same_history_gives_the_same_estimate_bit_for_bit(
        ships in mixed_ships(),
        half_life in half_life(),
        overrides in prop::collection::vec(live_override(), 0..3),
    ) {
        let h = history(&ships);
        let first = LeadTimeModel::learn(&h, &options(half_life)).unwrap();
        let again = LeadTimeModel::learn(&h.clone(), &options(half_life)).unwrap();
        prop_assert_eq!(format!("{first:?}"), format!("{again:?}"));
        let a = first.estimate(&lane(), start(), &overrides);
        let b = again.estimate(&lane(), start(), &overrides);
        // Debug prints each f64 in its shortest round-trip form (and -0
        // as -0.0), so equal text is equal bits.
        prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }

    /// Law: a constant history (every shipment the same stages and lead
    /// time, at any ages and half-life) has no spread: every variance is
    /// 0 and every quantile is the mean.
    #[test]
    fn a_constant_history_has_no_spread(
        ship in (prop::collection::vec((stage(), any_days()), 0..5), 0i64..30),
        offsets in prop::collection::vec(0i64..2000, 1..10),
        half_life in half_life(),
    ) {
        let (stages, extra) = ship;
        let ships: Vec<Ship> = offsets
            .iter()
            .map(|&offset| Ship { offset, stages: stages.clone(), extra })
            .collect();
        let model = LeadTimeModel::learn(&history(&ships), &options(half_life)).unwrap();
        for d in distributions(&model) {
            prop_assert_eq!(d.variance(), 0.0, "{:?}", d);
        }
        let est = model.estimate(&lane(), start(), &[]).unwrap();
        prop_assert_eq!(est.std_dev.get(), 0.0);
        for &(_, q) in &est.quantiles {
            prop_assert_eq!(q, est.mean);
        }
        for s in &est.stages {
            prop_assert_eq!(s.std_dev.get(), 0.0);
        }
    }

    /// Law: whatever live overrides apply, an estimate of 0 days (of the
    /// total or of a stage) has no spread, and its quantiles still rise
    /// with p. Overrides include a delay cancelling a stage's learned
    /// mean exactly and stages fixed at 0 days.
    #[test]
    fn a_lead_time_of_zero_days_has_no_spread(
        ships in mixed_ships(),
        half_life in half_life(),
        overrides in prop::collection::vec(live_override(), 0..3),
        cancel in any::<prop::sample::Index>(),
        zero in stage(),
    ) {
        let h = history(&ships);
        let model = LeadTimeModel::learn(&h, &options(half_life)).unwrap();
        let lane_model = model.lane(&lane()).unwrap();
        let mut overrides = overrides;
        if !lane_model.stages.is_empty() {
            let s = cancel.get(&lane_model.stages);
            let days = Days::new(-s.mean()).unwrap();
            overrides.push(LiveOverride::Delay { stage: s.stage(), days });
            overrides.push(LiveOverride::Fixed { stage: zero, days: Days::ZERO });
        }
        let est = match model.estimate(&lane(), start(), &overrides) {
            Ok(est) => est,
            Err(ForecastError::InvalidOverride { .. }) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
        };
        assert_quantiles_rise(&est)?;
        if est.mean.get() == 0.0 {
            prop_assert_eq!(est.std_dev.get(), 0.0, "{:?}", est);
        }
        for s in &est.stages {
            if s.mean.get() == 0.0 {
                prop_assert_eq!(s.std_dev.get(), 0.0, "{:?}", est);
            }
        }
    }

    /// Law: learning never panics on any input a `Replenishment` can
    /// hold (any dates, any finite stage days, negative ones included)
    /// and any options; what it refuses, it refuses with a typed error.
    /// Every estimate of a learned lane, with any overrides, is likewise
    /// a value or a typed error.
    #[test]
    fn learning_any_finite_input_never_panics(
        records in prop::collection::vec(
            (
                -1000i64..1000,
                prop_oneof![-40i64..400, 999_990i64..1_000_010],
                prop::collection::vec(
                    (stage(), prop_oneof![-1e6..1e6f64, 0.0..100.0f64, Just(-0.0)]),
                    0..4,
                ),
            ),
            0..8,
        ),
        half_life in prop_oneof![any::<f64>(), half_life()],
        quantiles in prop::collection::vec(prop_oneof![any::<f64>(), probability()], 0..4),
        overrides in prop::collection::vec(live_override(), 0..3),
    ) {
        let h: Vec<Replenishment> = records
            .iter()
            .enumerate()
            .map(|(i, (offset, days, stages))| {
                common::order(&format!("PO-{i}"), &lane(), None, *offset, *days, stages)
            })
            .collect();
        let opts = LeadTimeOptions { half_life_days: half_life, as_of: None, quantiles };
        match LeadTimeModel::learn(&h, &opts) {
            Ok(model) => {
                match model.estimate(&lane(), start(), &overrides) {
                    Ok(est) => assert_quantiles_rise(&est)?,
                    Err(
                        ForecastError::InvalidOverride { .. }
                        | ForecastError::EstimateOutOfRange { .. }
                        | ForecastError::NoLeadTimeHistory { .. },
                    ) => {}
                    Err(e) => prop_assert!(false, "estimate: unexpected {e:?}"),
                }
            }
            Err(
                ForecastError::InvalidParameter { .. }
                | ForecastError::InvalidDuration { .. }
                | ForecastError::InvalidLeadTime { .. }
                | ForecastError::StagesExceedLeadTime { .. },
            ) => {}
            Err(e) => prop_assert!(false, "learn: unexpected {e:?}"),
        }
    }

    /// Law: a non-finite or non-positive half-life, or a quantile outside
    /// (0, 1), is refused with `InvalidParameter` naming it, and a
    /// negative stage (or an arrival before the order) with the typed
    /// error naming the replenishment; a valid history is learned.
    #[test]
    fn bad_options_and_negative_days_are_refused_with_typed_errors(
        ships in mixed_ships(),
        bad_half_life in prop_oneof![
            Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(0.0),
            Just(-0.0), -1e300..0.0f64,
        ],
        bad_quantile in prop_oneof![
            Just(f64::NAN), Just(f64::INFINITY), Just(0.0), Just(1.0), 1.0..1e300f64,
            -1e300..0.0f64,
        ],
        negative in -1e6..-1e-12f64,
        victim in any::<prop::sample::Index>(),
        victim_stage in stage(),
    ) {
        let h = history(&ships);
        prop_assert!(LeadTimeModel::learn(&h, &LeadTimeOptions::default()).is_ok());
        let refused = LeadTimeModel::learn(&h, &options(bad_half_life));
        prop_assert!(
            matches!(
                refused,
                Err(ForecastError::InvalidParameter { name: "half_life_days", .. })
            ),
            "{refused:?}"
        );
        let opts = LeadTimeOptions { quantiles: vec![0.5, bad_quantile], ..options(180.0) };
        let refused = LeadTimeModel::learn(&h, &opts);
        prop_assert!(
            matches!(refused, Err(ForecastError::InvalidParameter { name: "quantile", .. })),
            "{refused:?}"
        );
        let i = victim.index(h.len());
        let mut bad = h.clone();
        bad[i].stages.push(StageDuration {
            stage: victim_stage,
            forecast: None,
            actual: Days::new(negative).unwrap(),
        });
        let want = ForecastError::InvalidDuration {
            id: format!("PO-{i}"),
            stage: victim_stage,
            value: negative,
        };
        // Every other shipment is valid, so the negative stage is the
        // error whatever its position.
        prop_assert_eq!(LeadTimeModel::learn(&bad, &LeadTimeOptions::default()), Err(want));
        let mut early = h;
        early[i].actual_arrival = early[i].ordered_on - TimeDelta::days(1);
        let refused = LeadTimeModel::learn(&early, &LeadTimeOptions::default());
        prop_assert!(
            matches!(&refused, Err(ForecastError::InvalidLeadTime { id, days: -1, .. })
                if *id == format!("PO-{i}")),
            "{refused:?}"
        );
    }
}

#[cfg(feature = "serde")]
proptest! {
    /// Law: every learned model, with its lanes and the order records it
    /// commits, saves to JSON and loads back equal: the checks applied on
    /// loading accept everything learning and forecasting produce.
    #[test]
    fn every_learned_model_loads_back_from_json_equal(
        ships in mixed_ships(),
        covered in itemised_ships(),
        half_life in half_life(),
        overrides in prop::collection::vec(live_override(), 0..3),
    ) {
        for ships in [ships, covered] {
            let model = LeadTimeModel::learn(&history(&ships), &options(half_life)).unwrap();
            let json = serde_json::to_string(&model).unwrap();
            let read: LeadTimeModel = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&read, &model);
            let id = merchantry_core::PurchaseOrderId::new("PO-X").unwrap();
            if let Ok(order) = model.commit(id, &lane(), None, start(), &overrides) {
                let json = serde_json::to_string(&order).unwrap();
                let read: merchantry_forecast::OrderForecast = serde_json::from_str(&json).unwrap();
                prop_assert_eq!(read, order);
            }
        }
    }
}
