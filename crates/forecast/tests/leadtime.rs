//! Lead-time audit: the stage model's numbers worked by hand against the
//! published definitions, and hostile input that must be refused with a
//! typed error naming what was wrong.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

mod common;

use chrono::{NaiveDate, TimeDelta};

use common::start;
use merchantry_core::{Days, Lane, PurchaseOrderId, Replenishment, Stage, StageDuration};
use merchantry_forecast::{
    ForecastError, LeadTimeModel, LeadTimeOptions, LiveOverride, StageDistribution,
};

fn lane() -> Lane {
    common::lane_to("ACME", "FBA-US")
}

/// Ordered `offset` days after 2026-01-01, arriving `days` later, with
/// `stages` itemised.
fn po(id: &str, offset: i64, days: i64, stages: &[(Stage, f64)]) -> Replenishment {
    common::order(id, &lane(), None, offset, days, stages)
}

fn learn(h: &[Replenishment]) -> LeadTimeModel {
    LeadTimeModel::learn(h, &LeadTimeOptions::default()).unwrap()
}

#[test]
fn quantiles_of_gamma_stages_with_a_common_scale_are_exact() {
    // Production 20 and 30 days, transit 20 and 30 days, equal weights
    // (same order date): each stage has mean 25 and variance (25 + 25) / 1
    // = 50 (n - 1), so each is a gamma of shape 25^2 / 50 = 12.5, scale
    // 50 / 25 = 2. Independent stages add: mean 50, variance 100, shape
    // 2500 / 100 = 25, scale 2 -- exactly the sum of two scale-2 gammas,
    // Gamma(25, 2), which is the chi-square with 50 degrees of freedom.
    // Chi-square tables (50 df): 0.05 -> 34.764, 0.5 -> 49.335,
    // 0.95 -> 67.505.
    let h = [
        po("A", 0, 40, &[(Stage::Production, 20.0), (Stage::MainTransit, 20.0)]),
        po("B", 0, 60, &[(Stage::Production, 30.0), (Stage::MainTransit, 30.0)]),
    ];
    let options =
        LeadTimeOptions { quantiles: vec![0.05, 0.5, 0.95], ..LeadTimeOptions::default() };
    let model = LeadTimeModel::learn(&h[..], &options).unwrap();
    let est = model.estimate(&lane(), start(), &[]).unwrap();
    assert_eq!(est.mean.get(), 50.0);
    assert_eq!(est.std_dev.get(), 10.0);
    for (p, want) in [(0.05, 34.764), (0.5, 49.335), (0.95, 67.505)] {
        let got = est.quantile(p).unwrap().get();
        assert!((got - want).abs() < 1e-3, "p {p}: {got} vs {want}");
    }
    // The method-of-moments fit of one stage: shape 12.5, scale 2, so the
    // stage is a chi-square with 25 df: 0.95 -> 37.652.
    let stage = model.lane(&lane()).unwrap().stages[0];
    assert!((stage.quantile(0.95) - 37.652).abs() < 1e-3, "{}", stage.quantile(0.95));
}

#[test]
fn a_constant_stage_has_its_value_as_mean_and_no_spread() {
    // Seven one-day shipments at different ages (weights 0.5^(age / 180)),
    // each with check-in 0.1 days. Whatever the weights, the weighted mean
    // of a constant is the constant and its variance is 0. One-pass sums
    // gave 0.09999999999999998 and 6.7e-18; the whole lead time (1 day)
    // read 0.9999999999999998 or similar with variance of order 1e-16.
    let h: Vec<_> =
        (0..7).map(|i| po(&format!("P{i}"), i * 13, 1, &[(Stage::CheckIn, 0.1)])).collect();
    let lane_model = learn(&h).lane(&lane()).unwrap().clone();
    let check_in = lane_model.stages[0];
    assert_eq!((check_in.mean(), check_in.variance()), (0.1, 0.0));
    assert_eq!((lane_model.total.mean(), lane_model.total.variance()), (1.0, 0.0));
    // Five three-day shipments, 37 days apart.
    let h: Vec<_> = (0..5)
        .map(|i| po(&format!("Q{i}"), i * 37, 3, &[(Stage::CustomsClearance, 2.7)]))
        .collect();
    let total = learn(&h).lane(&lane()).unwrap().total;
    assert_eq!((total.mean(), total.variance()), (3.0, 0.0));
}

#[test]
fn moments_of_long_lead_times_do_not_cancel() {
    // 999,999 and 1,000,000 days, ordered a day apart (weights w1, w2
    // slightly unequal). For two points the reliability-weighted variance
    // is d^2 / 2 whatever the weights: sum w (x - m)^2 = w1 w2 d^2 /
    // (w1 + w2) and V1 - V2 / V1 = 2 w1 w2 / (w1 + w2), so with d = 1 it is
    // 0.5. Sums of squares near 1e12 lose about 1e-4 of it.
    let h = [po("A", 0, 999_999, &[]), po("B", 1, 1_000_000, &[])];
    let total = learn(&h).lane(&lane()).unwrap().total;
    assert!((total.variance() - 0.5).abs() < 1e-9, "{}", total.variance());
}

#[test]
fn a_tiny_half_life_weighs_the_newest_shipments_alone() {
    // Half-life 1e-310 days (positive and finite, so accepted): A, five
    // days older than B and C, is 5 / 1e-310 = inf half-lives back and
    // weighs 0. B (60) and C (61) weigh 1 each: mean 60.5, variance
    // (0.25 + 0.25) / (2 - 2 / 2) = 0.5, effective n 2^2 / 2 = 2. The
    // weight of the first shipment seen was 0.5^(inf - inf) = NaN, and the
    // lane read mean 0, variance 0, effective n 0.
    let h = [po("A", 0, 40, &[]), po("B", 5, 60, &[]), po("C", 5, 61, &[])];
    let options = LeadTimeOptions { half_life_days: 1e-310, ..LeadTimeOptions::default() };
    let total = LeadTimeModel::learn(&h[..], &options).unwrap().lane(&lane()).unwrap().total;
    assert_eq!((total.mean(), total.variance(), total.effective_n()), (60.5, 0.5, 2.0));
    assert_eq!(total.observations(), 3);
}

#[test]
fn a_stage_distribution_with_one_observation_has_no_spread() {
    // Documented: one shipment, variance 0, every quantile the mean.
    let model = learn(&[po("A", 0, 30, &[(Stage::MainTransit, 30.0)])]);
    let est = model.estimate(&lane(), start(), &[]).unwrap();
    assert_eq!(est.std_dev.get(), 0.0);
    assert!(est.quantiles.iter().all(|&(_, d)| d.get() == 30.0));
    let stage: StageDistribution = model.lane(&lane()).unwrap().stages[0];
    assert_eq!((stage.observations(), stage.effective_n()), (1, 1.0));
}

#[test]
fn quantiles_are_reported_ascending_whatever_order_they_are_asked_in() {
    // 40 and 60 days on one date: mean 50, variance 200. Asked for 0.99,
    // 0.5 and 0.5 again, the estimate must list (0.5, ..), (0.99, ..) as
    // core's LeadTimeEstimate promises, or `quantile(0.5)` (the first
    // stored probability at or above 0.5) answers the 0.99 quantile: it
    // read 88.63 days for the median of a lead time averaging 50.
    let h = [po("A", 0, 40, &[]), po("B", 0, 60, &[])];
    let asked = LeadTimeOptions { quantiles: vec![0.99, 0.5, 0.5], ..LeadTimeOptions::default() };
    let sorted = LeadTimeOptions { quantiles: vec![0.5, 0.99], ..LeadTimeOptions::default() };
    let est =
        LeadTimeModel::learn(&h[..], &asked).unwrap().estimate(&lane(), start(), &[]).unwrap();
    let want =
        LeadTimeModel::learn(&h[..], &sorted).unwrap().estimate(&lane(), start(), &[]).unwrap();
    assert_eq!(est.quantiles, want.quantiles);
    // A gamma's median lies below its mean.
    assert!(est.quantile(0.5).unwrap().get() < 50.0);
}

#[test]
fn lead_times_outside_zero_to_a_million_days_are_refused_naming_the_replenishment() {
    // Arrival five days before the order: the whole lead time is wrong,
    // not the main transit stage (which the error used to name).
    let h = [po("A", 0, 30, &[]), po("B", 10, -5, &[])];
    assert_eq!(
        LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()),
        Err(ForecastError::InvalidLeadTime {
            id: "B".to_owned(),
            ordered_on: start() + TimeDelta::days(10),
            arrival: start() + TimeDelta::days(5),
            days: -5,
        })
    );
    // Past the million days a `Days` holds, it was learned, and every
    // estimate on the lane then failed with core's InvalidDays naming
    // neither the lane nor the replenishment.
    let h = [po("A", 0, 30, &[]), po("C", 0, 1_000_001, &[])];
    assert!(matches!(
        LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()),
        Err(ForecastError::InvalidLeadTime { days: 1_000_001, .. })
    ));
    // A million days exactly is accepted and estimated.
    let h = [po("A", 0, 1_000_000, &[])];
    assert_eq!(learn(&h).estimate(&lane(), start(), &[]).unwrap().mean.get(), 1e6);
}

#[test]
fn an_estimate_past_the_days_range_names_what_is_out_of_range() {
    // Production 0 days (a one-day shipment, weight 0.5^(1/180) =
    // 0.99616) and 1e6 days (a 1e6-day one, weight 1): mean 1e6 /
    // 1.99616 = 500,962, variance d^2 / 2 = 5e11 (two points). The gamma
    // has shape 500962^2 / 5e11 = 0.5019 and scale 5e11 / 500962 =
    // 998,080: nearly half a chi-square with 1 df times 2 x 998,080, whose
    // 0.9 point is 2.706 / 2 x 998,080 = 1.35e6 days, past what a `Days`
    // holds (0.8: 1.642 / 2 x 998,080 = 8.2e5 still fits). It was
    // Core(InvalidDays { value: 1354295.1 }), naming nothing.
    let h = [
        po("A", 0, 1, &[(Stage::Production, 0.0)]),
        po("B", 1, 1_000_000, &[(Stage::Production, 1e6)]),
    ];
    match learn(&h).estimate(&lane(), start(), &[]) {
        Err(ForecastError::EstimateOutOfRange { lane, what, value }) => {
            assert_eq!(lane, "ACME -> FBA-US (ocean)");
            assert_eq!(what, "0.9 quantile");
            assert!((value / 1.35e6 - 1.0).abs() < 0.01, "{value}");
        }
        other => panic!("{other:?}"),
    }
}

fn transit_lane() -> LeadTimeModel {
    // Transit 30 and 34 days: mean 32 (weights nearly equal).
    learn(&[
        po("A", 0, 30, &[(Stage::MainTransit, 30.0)]),
        po("B", 3, 34, &[(Stage::MainTransit, 34.0)]),
    ])
}

#[test]
fn overrides_past_the_days_range_are_refused_naming_the_stage() {
    let model = transit_lane();
    // 32 + 1e6 days of delay: the stage would last past a million days.
    let delay = LiveOverride::Delay { stage: Stage::MainTransit, days: Days::new(1e6).unwrap() };
    assert!(matches!(
        model.estimate(&lane(), start(), &[delay]),
        Err(ForecastError::InvalidOverride { stage: Stage::MainTransit, .. })
    ));
    // Goods ready on the calendar's last day: about 9.5e7 days of
    // production.
    let ready = LiveOverride::ReadyDate(NaiveDate::MAX);
    assert!(matches!(
        model.estimate(&lane(), start(), &[ready]),
        Err(ForecastError::InvalidOverride { stage: Stage::Production, .. })
    ));
}

#[test]
fn a_transit_quote_must_have_a_spread_a_lead_time_can_have() {
    let model = transit_lane();
    // A negative spread was squared into a variance of 4 and reported as
    // std dev 2.
    let negative =
        LiveOverride::TransitQuote { mean: Days::whole(10), std_dev: Days::new(-2.0).unwrap() };
    assert!(matches!(
        model.estimate(&lane(), start(), &[negative]),
        Err(ForecastError::InvalidOverride { stage: Stage::MainTransit, .. })
    ));
    // 0 days +- 2: no distribution of non-negative days has mean 0 and a
    // spread; it was reported as std dev 2 with every quantile 0.
    let zero = LiveOverride::TransitQuote { mean: Days::ZERO, std_dev: Days::whole(2) };
    assert!(matches!(
        model.estimate(&lane(), start(), &[zero]),
        Err(ForecastError::InvalidOverride { stage: Stage::MainTransit, .. })
    ));
    // A firm quote of 0 days is fine: the stage takes no time.
    let firm = LiveOverride::TransitQuote { mean: Days::ZERO, std_dev: Days::ZERO };
    assert_eq!(model.estimate(&lane(), start(), &[firm]).unwrap().mean.get(), 0.0);
}

#[test]
fn an_order_record_checked_refuses_an_arrival_before_its_order_date() {
    // Ordered 2026-01-01 on a lane averaging 32 days; "arrived" 2025-12-22.
    // variance_days says 10 days early minus 32 = -42 and finish builds a
    // record that learn then refuses; the checked forms refuse it.
    let model = transit_lane();
    let record =
        model.commit(PurchaseOrderId::new("PO-9").unwrap(), &lane(), None, start(), &[]).unwrap();
    let early = start() - TimeDelta::days(10);
    let refused = ForecastError::InvalidLeadTime {
        id: "PO-9".to_owned(),
        ordered_on: start(),
        arrival: early,
        days: -10,
    };
    assert_eq!(record.variance_days(early), Err(refused.clone()));
    assert_eq!(record.finish(early, vec![]), Err(refused));
    // A stage that lasted a negative time, or stages longer than the
    // lead time, are refused as learn would refuse them.
    let arrival = start() + TimeDelta::days(35);
    let negative =
        StageDuration { stage: Stage::CheckIn, forecast: None, actual: Days::new(-1.0).unwrap() };
    assert!(matches!(
        record.finish(arrival, vec![negative]),
        Err(ForecastError::InvalidDuration { stage: Stage::CheckIn, .. })
    ));
    let long = StageDuration { stage: Stage::MainTransit, forecast: None, actual: Days::whole(40) };
    assert!(matches!(
        record.finish(arrival, vec![long]),
        Err(ForecastError::StagesExceedLeadTime { .. })
    ));
    // 35 days against a mean of 32 (weights 1 and 0.5^(3/180)):
    // mean (30 w + 34) / (1 + w) with w = 0.98851, 31.9884; late by 3.0116.
    let w = 0.5_f64.powf(3.0 / 180.0);
    let mean = (30.0 * w + 34.0) / (1.0 + w);
    assert!((record.variance_days(arrival).unwrap() - (35.0 - mean)).abs() < 1e-9);
    let finished = record.finish(arrival, vec![]).unwrap();
    assert_eq!(finished.forecast_arrival, start() + TimeDelta::days(32));
    assert_eq!(finished.actual_arrival, arrival);
}

#[test]
fn a_delay_cancelling_a_stage_leaves_no_spread() {
    // Transit 30 and 34 days on one date: mean 32, variance 2^2 + 2^2 =
    // 8 (n - 1 = 1). A delay of -32 days (the backlog cleared, the goods
    // are there) leaves the stage at 0 days; no non-negative stage of 0
    // days varies, so the spread goes with it. It read std dev 2.83 with
    // every quantile 0.
    let model = learn(&[
        po("A", 0, 30, &[(Stage::MainTransit, 30.0)]),
        po("B", 0, 34, &[(Stage::MainTransit, 34.0)]),
    ]);
    let cancel = LiveOverride::Delay { stage: Stage::MainTransit, days: Days::whole(-32) };
    let est = model.estimate(&lane(), start(), &[cancel]).unwrap();
    assert_eq!((est.mean.get(), est.std_dev.get()), (0.0, 0.0));
    assert_eq!((est.stages[0].mean.get(), est.stages[0].std_dev.get()), (0.0, 0.0));
    assert!(est.quantiles.iter().all(|&(_, q)| q.get() == 0.0));
    // A delay of -31 keeps 1 day and its spread: mean 1, variance 8.
    let cut = LiveOverride::Delay { stage: Stage::MainTransit, days: Days::whole(-31) };
    let est = model.estimate(&lane(), start(), &[cut]).unwrap();
    assert_eq!((est.mean.get(), est.std_dev.get()), (1.0, 8_f64.sqrt()));
}

#[test]
fn a_total_held_at_its_floor_keeps_only_the_overridden_spread() {
    // PO-1 itemises 60 days of production and 10 of transit (70 days);
    // PO-2 (20 days) itemises nothing. Equal weights: whole lead time mean
    // 45, variance 25^2 + 25^2 = 1250; production learned from PO-1
    // alone (60, variance 0), transit likewise (10, 0).
    let h = [
        po("PO-1", 0, 70, &[(Stage::Production, 60.0), (Stage::MainTransit, 10.0)]),
        po("PO-2", 0, 20, &[]),
    ];
    let model = learn(&h);
    // Production fixed at 0 days: 45 + (0 - 60) = -15, held at the floor
    // of 0 (the overridden stages). The rest of the lead time is then
    // taken as 0 days, so its spread goes too: mean 0, std dev 0. It read
    // std dev sqrt(1250) = 35.36 with every quantile 0.
    let zero = LiveOverride::Fixed { stage: Stage::Production, days: Days::ZERO };
    let est = model.estimate(&lane(), start(), &[zero]).unwrap();
    assert_eq!((est.mean.get(), est.std_dev.get()), (0.0, 0.0));
    assert!(est.quantiles.iter().all(|&(_, q)| q.get() == 0.0));
    // Production fixed at 5 days and transit quoted at 8 +- 3: 45 - 55 -
    // 2 = -12, held at the floor 5 + 8 = 13; the rest is 0 days with no
    // spread, so the variance is the quote's alone, 3^2 = 9.
    let both = [
        LiveOverride::Fixed { stage: Stage::Production, days: Days::whole(5) },
        LiveOverride::TransitQuote { mean: Days::whole(8), std_dev: Days::whole(3) },
    ];
    let est = model.estimate(&lane(), start(), &both).unwrap();
    assert_eq!((est.mean.get(), est.std_dev.get()), (13.0, 3.0));
    // Above the floor the rest keeps its spread: transit quoted at 20 +- 3
    // gives 45 + (20 - 10) = 55 > 20, variance 1250 - 0 + 3^2 = 1259.
    let longer = LiveOverride::TransitQuote { mean: Days::whole(20), std_dev: Days::whole(3) };
    let est = model.estimate(&lane(), start(), &[longer]).unwrap();
    assert_eq!(est.mean.get(), 55.0);
    assert!((est.std_dev.get() - 1259_f64.sqrt()).abs() < 1e-12, "{}", est.std_dev.get());
}

#[cfg(feature = "serde")]
#[test]
fn a_stage_distribution_read_from_json_is_checked() {
    // A stored model is read back through the same checks as a built one.
    // A mean of -5 days with variance 4 was accepted, and its 0.95
    // quantile read 0; a mean of 0 with variance 4 read 0 at every p.
    for (mean, variance) in [("-5.0", "4.0"), ("0.0", "4.0"), ("10.0", "-1.0"), ("1e7", "0.0")] {
        let json = format!(
            r#"{{"stage":"MainTransit","mean":{mean},"variance":{variance},"observations":2,"effective_n":2.0}}"#
        );
        let read: Result<StageDistribution, _> = serde_json::from_str(&json);
        assert!(read.is_err(), "{json} read as {read:?}");
    }
    // Effective n above the observations behind it.
    let json =
        r#"{"stage":"MainTransit","mean":30.0,"variance":4.0,"observations":2,"effective_n":3.0}"#;
    assert!(serde_json::from_str::<StageDistribution>(json).is_err());
    // A learned distribution reads back (serde_json without its
    // float_roundtrip feature may move the last bit of a float).
    let stage = transit_lane().lane(&lane()).unwrap().stages[0];
    let json = serde_json::to_string(&stage).unwrap();
    let read = serde_json::from_str::<StageDistribution>(&json).unwrap();
    assert_eq!((read.stage(), read.observations()), (stage.stage(), stage.observations()));
    for (a, b) in [
        (read.mean(), stage.mean()),
        (read.variance(), stage.variance()),
        (read.effective_n(), stage.effective_n()),
    ] {
        assert!((a - b).abs() <= 1e-15 * b, "{a} vs {b}");
    }
}

#[test]
fn a_stage_distribution_is_built_checked_naming_the_stage_and_figure() {
    // Fields were public: a distribution of mean NaN, -5 or infinity
    // could be built and its quantile read NaN, 0 or infinity.
    let refused = |mean, variance, observations, effective_n| match StageDistribution::new(
        Stage::CustomsClearance,
        mean,
        variance,
        observations,
        effective_n,
    ) {
        Err(ForecastError::InvalidDistribution { stage, what, .. }) => {
            assert_eq!(stage, Stage::CustomsClearance);
            what
        }
        other => panic!("{mean} {variance} {observations} {effective_n}: {other:?}"),
    };
    for mean in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -5.0, -1e-300, 1e6 + 1.0] {
        assert_eq!(refused(mean, 1.0, 2, 2.0), "mean");
    }
    for variance in [f64::NAN, f64::INFINITY, -1.0, -1e-300, 1e12 * 1.000_001] {
        assert_eq!(refused(10.0, variance, 2, 2.0), "variance");
    }
    // A spread around 0 days: every quantile read 0 with std dev 2.
    assert_eq!(refused(0.0, 4.0, 2, 2.0), "variance");
    for effective_n in [f64::NAN, f64::INFINITY, -1.0, 2.5, 0.0, 0.999] {
        assert_eq!(refused(10.0, 1.0, 2, effective_n), "effective_n");
    }
    // A tester loaded a total of one observation with variance 9e11:
    // learning gives no spread from one observation, yet it forecast a
    // mean of 54 days with a std dev of 948,683 and quantiles of 0.
    assert_eq!(refused(54.0, 9e11, 1, 1.0), "variance");
    assert_eq!(refused(50.0, 100.0, 0, 0.0), "variance");
    assert_eq!(refused(50.0, 0.0, 0, 1.0), "effective_n");
    assert_eq!(refused(50.0, 0.0, 1, 0.5), "effective_n");
    StageDistribution::new(Stage::CheckIn, 54.0, 0.0, 1, 1.0).unwrap();
    // The edges are accepted: no days, a firm stage, the widest range.
    let zero = StageDistribution::new(Stage::CheckIn, 0.0, 0.0, 0, 0.0).unwrap();
    assert_eq!((zero.quantile(0.99), zero.std_dev()), (0.0, 0.0));
    let widest = StageDistribution::new(Stage::CheckIn, 1e6, 1e12, 3, 3.0).unwrap();
    // Shape 1 (mean 1e6, variance 1e12): the exponential, 0.99 quantile
    // -1e6 ln(0.01) = 4,605,170.19 days, finite.
    assert!((widest.quantile(0.99) / 4_605_170.186 - 1.0).abs() < 1e-9);
    // Tiny mean, widest variance (shape 1e-24): still finite at any p.
    let thin = StageDistribution::new(Stage::CheckIn, 1e-6, 1e12, 3, 1.0).unwrap();
    for p in [1e-9, 0.5, 0.999_999_999] {
        assert!(thin.quantile(p).is_finite() && thin.quantile(p) >= 0.0, "{p}");
    }
}

#[test]
fn a_stage_listed_in_entries_past_a_million_days_is_refused() {
    // Customs in two entries, 999,999.5 and 1 day (each a valid `Days`),
    // inside a 1,000,000-day lead time (within the one-day tolerance):
    // 1,000,000.5 days of customs, past what a distribution holds.
    let h = [po(
        "A",
        0,
        1_000_000,
        &[(Stage::CustomsClearance, 999_999.5), (Stage::CustomsClearance, 1.0)],
    )];
    assert_eq!(
        LeadTimeModel::learn(&h[..], &LeadTimeOptions::default()),
        Err(ForecastError::InvalidDuration {
            id: "A".to_owned(),
            stage: Stage::CustomsClearance,
            value: 1_000_000.5,
        })
    );
}

#[test]
fn a_stage_past_a_million_days_is_refused_stating_the_limit() {
    // Two production entries of a million days each in a record finished
    // a million days after its order: 2,000,000 days of production. The
    // message said "expected a finite value >= 0", which 2,000,000 is.
    let order = transit_lane()
        .commit(PurchaseOrderId::new("PO-7").unwrap(), &lane(), None, start(), &[])
        .unwrap();
    let million =
        StageDuration { stage: Stage::Production, forecast: None, actual: Days::new(1e6).unwrap() };
    let e = order.finish(start() + TimeDelta::days(1_000_000), vec![million, million]).unwrap_err();
    assert_eq!(
        e,
        ForecastError::InvalidDuration {
            id: "PO-7".to_owned(),
            stage: Stage::Production,
            value: 2e6,
        }
    );
    assert_eq!(
        e.to_string(),
        format!(
            "replenishment PO-7: {} lasted 2000000 days, expected 0 to 1000000 days",
            Stage::Production
        )
    );
}
