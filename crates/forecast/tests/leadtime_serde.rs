//! Saving and loading the lead-time model, its lanes and order records
//! through serde: a learned model reads back equal, and a tampered one
//! is refused with a message naming what is wrong, as learning or
//! forecasting would have refused it.

#![cfg(feature = "serde")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

mod common;

use common::{lane_to as lane, start};
use merchantry_core::{Days, Lane, LocationId, PurchaseOrderId, Replenishment, Sku, Stage};
use merchantry_forecast::{LaneModel, LeadTimeModel, LeadTimeOptions, LiveOverride, OrderForecast};
use serde_json::{Value, json};

fn po(
    id: &str,
    lane: &Lane,
    sku: &str,
    offset: i64,
    days: i64,
    stages: &[(Stage, f64)],
) -> Replenishment {
    common::order(id, lane, Some(sku), offset, days, stages)
}

/// Two lanes into FBA-US and one into a 3PL: ACME's is fully itemised
/// (production 20 + transit 30 and 24 + 34), BOLT's lists no stages,
/// CRATE's only production (part of its lead time). MUG moved from ACME
/// to BOLT, so its route is BOLT's lane.
fn model() -> LeadTimeModel {
    let acme = lane("ACME", "FBA-US");
    let bolt = lane("BOLT", "FBA-US");
    let crate_lane = lane("CRATE", "3PL-EU");
    let history = vec![
        po("PO-1", &acme, "MUG", 0, 50, &[(Stage::Production, 20.0), (Stage::MainTransit, 30.0)]),
        po("PO-2", &acme, "CUP", 30, 58, &[(Stage::Production, 24.0), (Stage::MainTransit, 34.0)]),
        po("PO-3", &bolt, "MUG", 60, 41, &[]),
        po("PO-4", &crate_lane, "CUP", 10, 70, &[(Stage::Production, 25.5)]),
    ];
    LeadTimeModel::learn(&history, &LeadTimeOptions::default()).unwrap()
}

fn acme() -> Lane {
    lane("ACME", "FBA-US")
}

/// Reads `value` as a `T` and returns serde's message, failing the test
/// when it loads.
fn refused<T: serde::de::DeserializeOwned + std::fmt::Debug>(value: Value) -> String {
    match serde_json::from_value::<T>(value.clone()) {
        Ok(read) => panic!("{value} loaded as {read:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_learned_model_saves_to_json_and_loads_back_equal() {
    // Its maps were keyed by Lane and by (Sku, LocationId), which JSON
    // cannot key an object by: to_string failed with "key must be a
    // string".
    let mut model = model();
    let json = serde_json::to_string(&model).unwrap();
    let read: LeadTimeModel = serde_json::from_str(&json).unwrap();
    assert_eq!(read, model);
    // Routes survive: MUG to FBA-US over BOLT's lane.
    let to = LocationId::new("FBA-US").unwrap();
    let mug = Sku::new("MUG").unwrap();
    assert_eq!(
        merchantry_core::LeadTimeForecast::forecast_lead_time(&read, &mug, &to, start()),
        merchantry_core::LeadTimeForecast::forecast_lead_time(&model, &mug, &to, start()),
    );
    // A route set by hand, even to a lane without history, is kept.
    model.assign(Sku::new("PLATE").unwrap(), lane("NEW", "FBA-US"));
    let read: LeadTimeModel =
        serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
    assert_eq!(read, model);
    // The order record and a lane model alone read back equal too.
    let order = model
        .commit(
            PurchaseOrderId::new("PO-9").unwrap(),
            &acme(),
            None,
            start(),
            &[LiveOverride::Fixed { stage: Stage::Production, days: Days::whole(21) }],
        )
        .unwrap();
    let read: OrderForecast =
        serde_json::from_str(&serde_json::to_string(&order).unwrap()).unwrap();
    assert_eq!(read, order);
    let lane_model = model.lane(&acme()).unwrap();
    let read: LaneModel =
        serde_json::from_str(&serde_json::to_string(lane_model).unwrap()).unwrap();
    assert_eq!(&read, lane_model);
}

#[test]
fn a_loaded_route_over_a_lane_without_history_is_refused_when_used() {
    // assign routes PLATE over NEW's lane before its first shipment, on
    // purpose, so the saved route loads; using it gave a silent None
    // (the trait's answer) with no way to ask why.
    use merchantry_forecast::ForecastError;
    let mut model = model();
    model.assign(Sku::new("PLATE").unwrap(), lane("NEW", "FBA-US"));
    let read: LeadTimeModel =
        serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
    let (plate, to) = (Sku::new("PLATE").unwrap(), LocationId::new("FBA-US").unwrap());
    assert_eq!(read.route(&plate, &to), Some(&lane("NEW", "FBA-US")));
    let e = read.estimate_route(&plate, &to, start(), &[]).unwrap_err();
    assert!(matches!(e, ForecastError::RouteWithoutHistory { .. }), "{e:?}");
    let message = e.to_string();
    assert!(message.contains("PLATE") && message.contains("NEW -> FBA-US"), "{message}");
    // No route at all is its own error; a learned route estimates as
    // the lane does (MUG to FBA-US over BOLT's lane).
    let mug = Sku::new("MUG").unwrap();
    let elsewhere = LocationId::new("AWD").unwrap();
    assert!(matches!(
        read.estimate_route(&mug, &elsewhere, start(), &[]),
        Err(ForecastError::NoRoute { .. })
    ));
    assert_eq!(
        read.estimate_route(&mug, &to, start(), &[]).unwrap(),
        read.estimate(&lane("BOLT", "FBA-US"), start(), &[]).unwrap()
    );
}

fn order() -> Value {
    let order = model().commit(PurchaseOrderId::new("PO-9").unwrap(), &acme(), None, start(), &[]);
    serde_json::to_value(order.unwrap()).unwrap()
}

#[test]
fn a_tampered_order_forecast_is_refused_naming_what_is_wrong() {
    // The tester's record: a mean of -500 days loaded, and its arrival
    // came out 500 days before the order date.
    let mut v = order();
    v["estimate"]["mean"] = json!(-500.0);
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("PO-9") && e.contains("mean") && e.contains("-500"), "{e}");
    // Quantiles [[0.99, 5], [0.5, 900]]: quantile(0.5) answered 5 days.
    let mut v = order();
    v["estimate"]["quantiles"] = json!([[0.99, 5.0], [0.5, 900.0]]);
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("quantile") && e.contains("0.5"), "{e}");
    for (field, bad, named) in [
        // A probability outside [0, 1].
        ("quantiles", json!([[0.5, 50.0], [1.5, 60.0]]), "1.5"),
        // The same probability twice.
        ("quantiles", json!([[0.5, 50.0], [0.5, 60.0]]), "0.5"),
        // Days falling as p rises.
        ("quantiles", json!([[0.5, 50.0], [0.9, 40.0]]), "40"),
        // Negative days at a quantile.
        ("quantiles", json!([[0.5, -1.0]]), "-1"),
        // A negative spread.
        ("std_dev", json!(-3.0), "std dev"),
        // The same stage twice, then stages out of order.
        (
            "stages",
            json!([
                {"stage": "MainTransit", "mean": 30.0, "std_dev": 2.0},
                {"stage": "MainTransit", "mean": 30.0, "std_dev": 2.0}
            ]),
            "main transit",
        ),
        (
            "stages",
            json!([
                {"stage": "MainTransit", "mean": 30.0, "std_dev": 2.0},
                {"stage": "Production", "mean": 20.0, "std_dev": 2.0}
            ]),
            "order",
        ),
        // A negative stage mean.
        ("stages", json!([{"stage": "Production", "mean": -2.0, "std_dev": 0.0}]), "-2"),
    ] {
        let mut v = order();
        v["estimate"][field] = bad.clone();
        let e = refused::<OrderForecast>(v);
        assert!(e.contains("PO-9") && e.contains(named), "{field} {bad}: {e}");
    }
    // A spread around a mean of 0 days (nothing averaging 0 days varies).
    let mut v = order();
    v["estimate"]["mean"] = json!(0.0);
    v["estimate"]["quantiles"] = json!([]);
    v["estimate"]["stages"] = json!([]);
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("std dev"), "{e}");
    // Overrides the estimate would have refused: a ready date before the
    // order date, a negative fixed length, a quote of 0 days that spreads.
    for bad in [
        json!({"ReadyDate": "2025-12-01"}),
        json!({"Fixed": {"stage": "Production", "days": -4.0}}),
        json!({"TransitQuote": {"mean": 0.0, "std_dev": 3.0}}),
    ] {
        let mut v = order();
        v["overrides"] = json!([bad.clone()]);
        let e = refused::<OrderForecast>(v);
        assert!(e.contains("PO-9") && e.contains("override"), "{bad}: {e}");
    }
}

/// PO-9 on ACME's lane committed with `overrides`, as JSON.
fn order_with(overrides: &[LiveOverride]) -> Value {
    let id = PurchaseOrderId::new("PO-9").unwrap();
    let order = model().commit(id, &acme(), None, start(), overrides).unwrap();
    serde_json::to_value(order).unwrap()
}

#[test]
fn a_loaded_order_forecast_checks_its_delays_as_forecasting_does() {
    let delay = |stage, days: f64| LiveOverride::Delay { stage, days: Days::new(days).unwrap() };
    // Records forecasting makes load back equal: a delay either way, and
    // a delay after a fixed length (transit fixed at 30, then 2 days
    // late: 32).
    for overrides in [
        vec![delay(Stage::MainTransit, 5.0)],
        vec![delay(Stage::MainTransit, -10.0)],
        vec![
            LiveOverride::Fixed { stage: Stage::MainTransit, days: Days::whole(30) },
            delay(Stage::MainTransit, 2.0),
        ],
    ] {
        let v = order_with(&overrides);
        let read: OrderForecast = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(read).unwrap(), v, "{overrides:?}");
    }
    // A delay was only checked as days, so each of these loaded. The
    // estimate's transit mean t after a delay of t + 1 days puts the
    // stage at t - (t + 1) = -1 days before it, which no learned stage
    // lasts.
    let mut v = order_with(&[delay(Stage::MainTransit, 5.0)]);
    let t = v["estimate"]["stages"][1]["mean"].as_f64().unwrap();
    v["overrides"][0]["Delay"]["days"] = json!(t + 1.0);
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("PO-9") && e.contains("overrides[0]") && e.contains("main transit"), "{e}");
    assert!(e.contains("at -1 days before it"), "{e}");
    // A delay of -1e6 days: the stage lasted t + 1e6 days before it,
    // past the million days a stage can last.
    let mut v = order_with(&[delay(Stage::MainTransit, 5.0)]);
    v["overrides"][0]["Delay"]["days"] = json!(-1e6);
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("PO-9") && e.contains("expected 0 to 1000000"), "{e}");
    // A delay of a stage the estimate does not list (forecasting lists
    // every stage it overrode).
    let mut v = order_with(&[delay(Stage::MainTransit, 5.0)]);
    v["overrides"][0]["Delay"]["stage"] = json!("CustomsClearance");
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("PO-9") && e.contains("customs"), "{e}");
    // Transit fixed at 31 then 2 days late cannot end at 32 days.
    let mut v = order_with(&[
        LiveOverride::Fixed { stage: Stage::MainTransit, days: Days::whole(30) },
        delay(Stage::MainTransit, 2.0),
    ]);
    v["overrides"][0]["Fixed"]["days"] = json!(31.0);
    let e = refused::<OrderForecast>(v);
    assert!(e.contains("overrides[0] sets main transit to 31 days"), "{e}");
}

fn acme_lane() -> Value {
    serde_json::to_value(model().lane(&acme()).unwrap()).unwrap()
}

#[test]
fn a_tampered_lane_model_is_refused_naming_what_is_wrong() {
    // The tester's lane: two MainTransit stages, a total labelled
    // Production, and stages said to cover a 54-day total while they
    // add up to 350 days. Each loaded.
    let mut v = acme_lane();
    let transit = v["stages"][1].clone();
    v["stages"] = json!([transit.clone(), transit]);
    let e = refused::<LaneModel>(v);
    assert!(e.contains("ACME") && e.contains("main transit"), "{e}");
    let mut v = acme_lane();
    v["total"]["stage"] = json!("Production");
    let e = refused::<LaneModel>(v);
    assert!(e.contains("total") && e.contains("production"), "{e}");
    let mut v = acme_lane();
    v["stages"][0]["mean"] = json!(300.0);
    v["stages"][1]["mean"] = json!(50.0);
    let e = refused::<LaneModel>(v);
    assert!(e.contains("cover") && e.contains("350"), "{e}");
    // Stages out of order.
    let mut v = acme_lane();
    let (a, b) = (v["stages"][0].clone(), v["stages"][1].clone());
    v["stages"] = json!([b, a]);
    let e = refused::<LaneModel>(v);
    assert!(e.contains("order"), "{e}");
    // Covering the total with no stages at all.
    let mut v = acme_lane();
    v["stages"] = json!([]);
    let e = refused::<LaneModel>(v);
    assert!(e.contains("cover"), "{e}");
    // A stage learned from more shipments than the lane had.
    let mut v = acme_lane();
    v["stages"][0]["observations"] = json!(5);
    let e = refused::<LaneModel>(v);
    assert!(e.contains("observations"), "{e}");
    // A total of one shipment with a spread (learning gives none): it
    // loaded and forecast a std dev of 948,683 days with quantiles of 0.
    let mut v = acme_lane();
    v["stages"] = json!([]);
    v["stages_cover_total"] = json!(false);
    v["total"]["observations"] = json!(1);
    v["total"]["effective_n"] = json!(1.0);
    v["total"]["variance"] = json!(9e11);
    let e = refused::<LaneModel>(v);
    assert!(e.contains("variance") && e.contains("fewer than 2 observations"), "{e}");
    // Within the stated tolerance (a day) the stages still cover it: the
    // stage means add up to the learned total mean (same weights on every
    // part), here moved by 0.9 days.
    let mut v = acme_lane();
    let mean = v["total"]["mean"].as_f64().unwrap();
    v["total"]["mean"] = json!(mean + 0.9);
    serde_json::from_value::<LaneModel>(v).unwrap();
    // A stage distribution's own checks still apply inside a lane.
    let mut v = acme_lane();
    v["stages"][0]["mean"] = json!(-5.0);
    refused::<LaneModel>(v);
}

#[test]
fn a_tampered_lead_time_model_is_refused_naming_what_is_wrong() {
    let model = serde_json::to_value(model()).unwrap();
    // A lane listed twice.
    let mut v = model.clone();
    let first = v["lanes"][0].clone();
    v["lanes"].as_array_mut().unwrap().push(first);
    let e = refused::<LeadTimeModel>(v);
    assert!(e.contains("twice"), "{e}");
    // Quantile probabilities out of order, repeated, or outside (0, 1),
    // which learning refuses or sorts away.
    for bad in [json!([0.9, 0.5]), json!([0.5, 0.5]), json!([0.5, 1.0]), json!([0.0])] {
        let mut v = model.clone();
        v["quantiles"] = bad.clone();
        let e = refused::<LeadTimeModel>(v);
        assert!(e.contains("quantile"), "{bad}: {e}");
    }
    // A route to a destination its lane does not reach.
    let mut v = model.clone();
    v["routes"][0]["destination"] = json!("ELSEWHERE");
    let e = refused::<LeadTimeModel>(v);
    assert!(e.contains("ELSEWHERE"), "{e}");
    // The same SKU routed twice to one destination.
    let mut v = model.clone();
    let first = v["routes"][0].clone();
    v["routes"].as_array_mut().unwrap().push(first);
    let e = refused::<LeadTimeModel>(v);
    assert!(e.contains("twice"), "{e}");
    // A tampered lane inside the model is refused as it would be alone.
    let mut v = model;
    v["lanes"][0]["total"]["stage"] = json!("Production");
    refused::<LeadTimeModel>(v);
}
