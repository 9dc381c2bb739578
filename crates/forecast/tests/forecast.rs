//! Integration tests of merchantry-forecast: the public API end to end,
//! and its laws as proptest properties.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

use chrono::{Days as ChronoDays, NaiveDate};
use merchantry_core::{
    DateRange, Days, DemandForecast, DemandRecord, DemandSeries, Lane, LeadTimeForecast,
    LocationId, PurchaseOrderId, Quantity, Replenishment, Sku, Stage, StageDuration, SupplierId,
    TransportMode,
};
use merchantry_forecast::{
    Adida, Auto, Backtest, Croston, DemandClass, DemandModel, EventCalendar, ForecastError,
    ForecastOptions, Forecaster, Holt, HoltWinters, Imapa, KnownEvent, LeadTimeModel,
    LeadTimeOptions, LiveOverride, ModelKind, MovingAverage, PartialStockout, Preparation,
    Reactive, Sba, SeasonalIndices, SeasonalMethod, Ses, Tsb,
};
use proptest::prelude::*;

fn day(i: u64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + ChronoDays::new(i)
}

fn history(sku: &Sku, units: &[i64], out: &[bool]) -> Vec<DemandRecord> {
    units
        .iter()
        .zip(out)
        .enumerate()
        .map(|(i, (&u, &o))| DemandRecord {
            sku: sku.clone(),
            date: day(i as u64),
            units: Quantity::new(u),
            stocked_out: o,
        })
        .collect()
}

fn every_model() -> Vec<Box<dyn DemandModel>> {
    vec![
        Box::new(MovingAverage::new(7).unwrap()),
        Box::new(Ses::fitted()),
        Box::new(Ses::new(0.3).unwrap()),
        Box::new(Holt::fitted()),
        Box::new(SeasonalIndices::weekly()),
        Box::new(HoltWinters::fitted(7).unwrap()),
        Box::new(Croston::default()),
        Box::new(Sba::default()),
        Box::new(Tsb::default()),
        Box::new(Adida),
        Box::new(Imapa),
        Box::new(Auto::default()),
        Box::new(Reactive::new(Ses::fitted())),
        Box::new(Reactive::new(Holt::fitted())),
        Box::new(Holt::new(0.9, 0.9).unwrap()),
        Box::new(SeasonalIndices::new(2).unwrap()),
        Box::new(HoltWinters::new(2, 0.5, 0.5, 0.5).unwrap()),
        Box::new(MovingAverage::new(1).unwrap()),
        Box::new(SeasonalIndices::weekly().with_method(SeasonalMethod::RatioToMovingAverage)),
        Box::new(
            SeasonalIndices::new(2).unwrap().with_method(SeasonalMethod::RatioToMovingAverage),
        ),
    ]
}

/// Fits the Forecaster on `units` (all in stock) and returns the first
/// forecast day's mean.
fn next_day_forecast(units: &[i64]) -> f64 {
    let sku = Sku::new("FAST").unwrap();
    let h = history(&sku, units, &vec![false; units.len()]);
    let n = u32::try_from(units.len()).unwrap();
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), n).unwrap());
    set.forecast_demand(&sku, day(u64::from(n)), 7).unwrap().mean()[0]
}

#[test]
fn ten_to_forty_is_followed_within_two_days_and_falls_back() {
    let mut units = vec![10; 120];
    units.extend([40, 40]);
    let f = next_day_forecast(&units);
    assert!(f >= 30.0, "two days after the jump: {f}");
    // The spike lasts a week, then sales return to 10 for two days.
    units.extend([40; 5]);
    assert!(next_day_forecast(&units) >= 30.0);
    units.extend([10, 10]);
    let back = next_day_forecast(&units);
    assert!(back <= 15.0, "two days after the spike: {back}");
}

#[test]
fn stockout_days_do_not_understate_velocity() {
    // 60 days at 12, then 20 days out of stock recording 0, then 10 at 12.
    let sku = Sku::new("S").unwrap();
    let mut units = vec![12; 60];
    units.extend([0; 20]);
    units.extend([12; 10]);
    let mut out = vec![false; 60];
    out.extend([true; 20]);
    out.extend([false; 10]);
    let h = history(&sku, &units, &out);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 90).unwrap());
    let f = set.get(&sku).unwrap();
    // raw 840 / 90 = 9.33; adjusted 840 / 70 = 12; 70 in-stock days.
    assert!((f.velocity.raw - 840.0 / 90.0).abs() < 1e-12);
    assert_eq!(f.velocity.adjusted, 12.0);
    assert_eq!(f.velocity.in_stock_days, 70);
    assert!((f.fit.mean_at(1) - 12.0).abs() < 1e-9);

    // The same history without flags: the partial-stockout rule finds the
    // 20 zero days of a 9.3-a-day seller and recovers 12.
    let h = history(&sku, &units, &[false; 90]);
    let options = ForecastOptions {
        preparation: Preparation {
            partial: Some(PartialStockout::default()),
            ..Preparation::default()
        },
        ..ForecastOptions::default()
    };
    let set = Forecaster::new(options).fit(&h, DateRange::starting(day(0), 90).unwrap());
    let f = set.get(&sku).unwrap();
    assert_eq!(f.velocity.inferred_stockout_days, 20);
    assert_eq!(f.velocity.adjusted, 12.0);
}

#[test]
fn edge_cases_get_typed_errors_or_documented_values() {
    let sku = Sku::new("E").unwrap();
    // Empty range: the SKU fails with a typed, SKU-named error.
    let h = history(&sku, &[5], &[false]);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 0).unwrap());
    assert!(matches!(
        set.failures().get(&sku),
        Some(ForecastError::Sku { source, .. }) if matches!(**source, ForecastError::Empty { .. })
    ));
    // Every day out of stock: nothing left to fit.
    let h = history(&sku, &[0, 0], &[true, true]);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 2).unwrap());
    assert!(set.failures().contains_key(&sku));
    // All zeros: no demand, forecast 0 with spread 0.
    let h = history(&sku, &[0; 30], &[false; 30]);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 30).unwrap());
    let f = set.get(&sku).unwrap();
    assert_eq!(f.classification.class, DemandClass::NoDemand);
    assert_eq!(set.forecast_demand(&sku, day(30), 3).unwrap().mean(), &[0.0; 3]);
    // A horizon of u32::MAX days (2 x 8 x 4.3e9 bytes) aborted the
    // process; it is cut to MAX_HORIZON days.
    let long = set.forecast_demand(&sku, day(30), u32::MAX).unwrap();
    assert_eq!(long.mean().len(), merchantry_forecast::MAX_HORIZON);
    // Negative days (returns) count as zero by default.
    let h = history(&sku, &[-5, 10, 10, 10], &[false; 4]);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 4).unwrap());
    assert_eq!(set.get(&sku).unwrap().velocity.units, 30.0);
    // Shorter than a season.
    assert_eq!(
        HoltWinters::fitted(7).unwrap().fit(&[1.0; 10]),
        Err(ForecastError::TooShort { model: "holt_winters", needed: 14, got: 10 })
    );
    assert_eq!(Ses::fitted().fit(&[]), Err(ForecastError::Empty { what: "series" }));
    assert!(matches!(
        Ses::fitted().fit(&[1.0, f64::NAN]),
        Err(ForecastError::NonFinite { index: 1, .. })
    ));
    // A start before the first forecast day has no forecast.
    assert!(set.forecast_demand(&sku, day(2), 3).is_none());
}

#[test]
fn overrides_and_events_reach_the_handed_out_forecast() {
    let sku = Sku::new("PROMO").unwrap();
    let h = history(&sku, &[10; 60], &[false; 60]);
    let mut options = ForecastOptions::default();
    options
        .overrides
        .insert(sku.clone(), merchantry_forecast::ModelSpec::Croston(Croston::default()));
    let black_friday = DateRange::starting(day(61), 1).unwrap();
    options.events.add(KnownEvent::new("Black Friday", black_friday, 4.0).unwrap());
    let set = Forecaster::new(options).fit(&h, DateRange::starting(day(0), 60).unwrap());
    assert_eq!(set.get(&sku).unwrap().fit.kind(), ModelKind::Croston);
    let f = set.forecast_demand(&sku, day(60), 3).unwrap();
    assert_eq!(f.mean(), &[10.0, 40.0, 10.0]);
    assert_eq!(set.lifted(&sku, day(60), 3).unwrap().unwrap().mean(), &[10.0, 40.0, 10.0]);
    // Unknown SKU and a start before the first day: no forecast, no error.
    assert_eq!(set.lifted(&Sku::new("NONE").unwrap(), day(60), 3), Ok(None));
    assert_eq!(set.lifted(&sku, day(2), 3), Ok(None));
    let _ = EventCalendar::default();
}

#[test]
fn a_stock_out_gap_does_not_move_the_detector_s_weekdays() {
    // Tester ae's repro: 91 days of 10 a weekday and 30 a weekend day
    // (weekly mean 15.71), days 80 to 84 out of stock. Closed up, the
    // detector read the weekends after the gap on weekday places as a
    // jump: reset at day 84 and 46.8 a day. Read at their own weekdays,
    // the days show no shift.
    let sku = Sku::new("GAP").unwrap();
    let week = [10, 10, 10, 10, 10, 30, 30];
    let mut units: Vec<i64> = week.iter().copied().cycle().take(91).collect();
    let mut out = [false; 91];
    for t in 80..85 {
        (units[t], out[t]) = (0, true);
    }
    let h = history(&sku, &units, &out);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 91).unwrap());
    let f = set.get(&sku).unwrap();
    assert_eq!(f.fit.level_reset_at(), None);
    let weekly = 110.0 / 7.0;
    assert!((f.fit.mean_at(1) - weekly).abs() < 0.1 * weekly, "{}", f.fit.mean_at(1));
    // A real doubling after the gap is still found.
    for u in &mut units[85..] {
        *u *= 2;
    }
    let h = history(&sku, &units, &out);
    let set = Forecaster::default().fit(&h, DateRange::starting(day(0), 91).unwrap());
    let f = set.get(&sku).unwrap();
    assert!(f.fit.level_reset_at().is_some());
    assert!((f.fit.mean_at(1) - 2.0 * weekly).abs() < 0.15 * weekly, "{}", f.fit.mean_at(1));
}

#[test]
fn uplifts_past_the_range_of_f64_are_an_error_not_a_missing_sku() {
    // Two events of 1e200 on one day lift 10 to 1e401: forecast_demand
    // can only say None, as for an unknown SKU; lifted names the overflow.
    let sku = Sku::new("HUGE").unwrap();
    let h = history(&sku, &[10; 60], &[false; 60]);
    let mut options = ForecastOptions::default();
    let one = DateRange::starting(day(61), 1).unwrap();
    options.events.add(KnownEvent::new("a", one, 1e200).unwrap());
    options.events.add(KnownEvent::new("b", one, 1e200).unwrap());
    let set = Forecaster::new(options).fit(&h, DateRange::starting(day(0), 60).unwrap());
    assert!(set.forecast_demand(&sku, day(60), 3).is_none());
    assert!(matches!(set.lifted(&sku, day(60), 3), Err(ForecastError::Core(_))));
    // The day before the events is fine.
    assert!(set.lifted(&sku, day(60), 1).unwrap().is_some());
}

#[test]
fn weekly_pattern_through_forecaster_keeps_phase() {
    // Weekends sell double; the forecast for day 70 (same weekday as day 0)
    // is a weekday.
    let units: Vec<i64> = (0..70).map(|t| if t % 7 >= 5 { 20 } else { 10 }).collect();
    let y: Vec<f64> = units.iter().map(|&u| u as f64).collect();
    let fit = SeasonalIndices::weekly().fit(&y).unwrap();
    let f = fit.forecast(7);
    assert!((f.mean[0] - 10.0).abs() < 1e-9 && (f.mean[5] - 20.0).abs() < 1e-9, "{:?}", f.mean);
}

#[test]
fn a_seasonal_model_chosen_by_the_class_rule_keeps_its_season() {
    // Ten weeks of 10, 20, ..., 70 (day t sells 10 (t mod 7 + 1)): every
    // day sells, mean 40, population variance 400, CV^2 0.25: smooth, the
    // class the default reaction watches. The rule gives smooth SKUs a
    // seasonal model. Seasonal indices: phase j's mean 10 (j + 1) over 40;
    // the deseasonalised series is 40 throughout, so the level stays 40
    // and day 70 (phase 0) on forecasts 10, 20, ..., 70. Holt-Winters
    // starts at level 40, trend 0, terms -30, ..., 30 and never errs: the
    // same. The detector read every weekly rise as a level shift (last
    // change at day 67) and both forecast the flat mean of days 67 to 69,
    // (50 + 60 + 70) / 3 = 60.
    let sku = Sku::new("WEEKLY").unwrap();
    let units: Vec<i64> = (0..70).map(|t| 10 * (t % 7 + 1)).collect();
    let h = history(&sku, &units, &[false; 70]);
    let want = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0];
    for spec in [
        merchantry_forecast::ModelSpec::SeasonalIndices(SeasonalIndices::weekly()),
        merchantry_forecast::ModelSpec::HoltWinters(HoltWinters::fitted(7).unwrap()),
    ] {
        let mut options = ForecastOptions::default();
        options.rule.set(DemandClass::Smooth, spec);
        let set = Forecaster::new(options).fit(&h, DateRange::starting(day(0), 70).unwrap());
        let fit = set.get(&sku).unwrap();
        assert_eq!(fit.classification.class, DemandClass::Smooth);
        assert_eq!(fit.fit.level_reset_at(), None, "{spec:?}");
        let f = set.forecast_demand(&sku, day(70), 7).unwrap();
        for (got, want) in f.mean().iter().zip(want) {
            assert!((got - want).abs() < 1e-9, "{spec:?}: {:?}", f.mean());
        }
    }
}

/// Fits `units` (flagged days `out`) with `spec` forced for the SKU and
/// returns the forecast means of `horizon` days from day `start`.
fn forced_forecast(
    spec: merchantry_forecast::ModelSpec,
    units: &[i64],
    out: &[bool],
    start: u64,
    horizon: u32,
) -> Vec<f64> {
    let sku = Sku::new("FORCED").unwrap();
    let h = history(&sku, units, out);
    let mut options = ForecastOptions::default();
    options.overrides.insert(sku.clone(), spec);
    let n = u32::try_from(units.len()).unwrap();
    let set = Forecaster::new(options).fit(&h, DateRange::starting(day(0), n).unwrap());
    assert!(set.failures().is_empty(), "{:?}", set.failures());
    set.forecast_demand(&sku, day(start), horizon).unwrap().mean().to_vec()
}

#[test]
fn trailing_stockout_days_keep_a_trend_on_the_calendar() {
    // Days 0..=7 sell 10 + 2t (10, 12, ..., 24); days 8 and 9 are out of
    // stock. Holt on a perfect line starts on the least-squares line and
    // never errs: level 24 on day 7, trend 2. Day 10 is three days after
    // the last kept day: 24 + 2 * 3 = 30, then 32, 34. Step 1 was read as
    // day 10, giving 26, 28, 30 (two days behind the calendar).
    let mut units: Vec<i64> = (0..8).map(|t| 10 + 2 * t).collect();
    units.extend([0, 0]);
    let mut out = vec![false; 8];
    out.extend([true, true]);
    let holt = merchantry_forecast::ModelSpec::Holt(Holt::new(0.5, 0.5).unwrap());
    assert_eq!(forced_forecast(holt, &units, &out, 10, 3), vec![30.0, 32.0, 34.0]);
    // A later start: day 12 is step 5, 24 + 2 * 5 = 34.
    assert_eq!(forced_forecast(holt, &units, &out, 12, 1), vec![34.0]);
    // The fit records the two days it did not see.
    let sku = Sku::new("FORCED").unwrap();
    let mut options = ForecastOptions::default();
    options.overrides.insert(sku.clone(), holt);
    let set = Forecaster::new(options)
        .fit(&history(&sku, &units, &out), DateRange::starting(day(0), 10).unwrap());
    assert_eq!(set.get(&sku).unwrap().trailing_excluded_days, 2);
}

#[test]
fn trailing_stockout_days_keep_the_weekday_of_a_seasonal_model() {
    // Three weeks of 1, 2, ..., 7 (day t sells t mod 7 + 1), the last two
    // days (19, 20) out of stock. Every phase's mean is t mod 7 + 1, so
    // the index times the level gives back the pattern. Day 21 is a
    // phase-0 day: 1, then 2 and 3. Counting step 1 as day 21 gave the
    // phase of day 19 (19 mod 7 = 5): 6, 7, 1.
    let units: Vec<i64> = (0..21).map(|t| if t < 19 { t % 7 + 1 } else { 0 }).collect();
    let out: Vec<bool> = (0..21).map(|t| t >= 19).collect();
    let spec = merchantry_forecast::ModelSpec::SeasonalIndices(SeasonalIndices::weekly());
    let f = forced_forecast(spec, &units, &out, 21, 3);
    for (got, want) in f.iter().zip([1.0, 2.0, 3.0]) {
        assert!((got - want).abs() < 1e-9, "{f:?}");
    }
}

#[test]
fn interior_stockout_days_do_not_shift_the_seasons() {
    // Four weeks of 1, ..., 7 with days 10 and 11 out of stock (recorded
    // 0). Excluded back to back, every later day moved two phases: the
    // index of phase j mixed j + 1 with j + 3. A seasonal model now sees
    // the calendar: day 10 (phase 3) is filled from days 3 and 17, both 4;
    // day 11 (phase 4) from days 4 and 18, both 5. The forecast from day
    // 28 (phase 0) is the pattern again: 1, 2, ..., 7.
    let mut units: Vec<i64> = (0..28).map(|t| t % 7 + 1).collect();
    units[10] = 0;
    units[11] = 0;
    let out: Vec<bool> = (0..28).map(|t| t == 10 || t == 11).collect();
    let spec = merchantry_forecast::ModelSpec::SeasonalIndices(SeasonalIndices::weekly());
    let f = forced_forecast(spec, &units, &out, 28, 7);
    for (got, want) in f.iter().zip([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]) {
        assert!((got - want).abs() < 1e-9, "{f:?}");
    }
    // Additive Holt-Winters, 10 + s with s = -3, ..., 3 over the week,
    // days 15 and 16 (interior) and 33 and 34 (trailing) out of stock.
    // Its start (level 10, trend 0, terms s) is exact, so no error ever
    // moves it: day 15 (phase 1) is filled from days 8 and 22 (both 8),
    // and day 35 (phase 0) is three days after day 32: 10 - 3 = 7, 8, 9.
    let units: Vec<i64> =
        (0..35).map(|t| if [15, 16, 33, 34].contains(&t) { 0 } else { 7 + t % 7 }).collect();
    let out: Vec<bool> = (0..35).map(|t| [15, 16, 33, 34].contains(&t)).collect();
    let hw =
        merchantry_forecast::ModelSpec::HoltWinters(HoltWinters::new(7, 0.5, 0.5, 0.5).unwrap());
    assert_eq!(forced_forecast(hw, &units, &out, 35, 3), vec![7.0, 8.0, 9.0]);
}

#[test]
fn backtest_scores_any_model() {
    let y: Vec<f64> = (0..120).map(|t| 5.0 + f64::from(t % 4)).collect();
    for m in every_model() {
        let r = Backtest::default().run(&m, &y).unwrap();
        assert_eq!(r.origins, 8, "{}", m.kind()); // origins 56, 63, ..., 105
        assert!(r.mae.is_finite() && r.mase.is_some());
    }
}

fn lane() -> Lane {
    Lane {
        supplier: SupplierId::new("SHENZHEN-1").unwrap(),
        origin: Some(LocationId::new("CNSZX").unwrap()),
        destination: LocationId::new("FBA-US").unwrap(),
        mode: TransportMode::Ocean,
    }
}

fn shipment(i: u64, stages: [i32; 3]) -> Replenishment {
    let ordered_on = day(i * 10);
    let total: i32 = stages.iter().sum();
    Replenishment {
        id: PurchaseOrderId::new(format!("PO-{i}")).unwrap(),
        lane: lane(),
        sku: Some(Sku::new("MUG").unwrap()),
        quantity: None,
        ordered_on,
        forecast_arrival: ordered_on,
        actual_arrival: ordered_on + ChronoDays::new(u64::try_from(total).unwrap()),
        stages: [Stage::Production, Stage::MainTransit, Stage::CustomsClearance]
            .into_iter()
            .zip(stages)
            .map(|(stage, d)| StageDuration { stage, forecast: None, actual: Days::whole(d) })
            .collect(),
    }
}

fn lead_history() -> Vec<Replenishment> {
    let prod = [18, 25, 20, 30, 22, 19, 27, 21];
    let ocean = [28, 35, 31, 40, 30, 33, 29, 36];
    let customs = [2, 6, 3, 9, 2, 4, 3, 7];
    (0..8).map(|i| shipment(i as u64, [prod[i], ocean[i], customs[i]])).collect()
}

#[test]
fn quantile_of_the_sum_is_not_the_sum_of_quantiles() {
    let model = LeadTimeModel::learn(&lead_history(), &LeadTimeOptions::default()).unwrap();
    let est = model.estimate(&lane(), day(100), &[]).unwrap();
    let stages = &model.lane(&lane()).unwrap().stages;
    let sum_of_p95: f64 = stages.iter().map(|s| s.quantile(0.95)).sum();
    let p95 = est.quantile(0.95).unwrap().get();
    // Independent stages partly cancel: the total's 95th percentile is
    // well below the sum of the stages' 95th percentiles.
    assert!(p95 < sum_of_p95 - 3.0, "p95 {p95} vs sum {sum_of_p95}");
    // Means and variances add.
    let mean: f64 = stages.iter().map(|s| s.mean()).sum();
    let var: f64 = stages.iter().map(|s| s.variance()).sum();
    assert!((est.mean.get() - mean).abs() < 1e-9);
    assert!((est.std_dev.get() - var.sqrt()).abs() < 1e-9);
    assert!(p95 > mean);
}

#[test]
fn recent_shipments_weigh_more() {
    // Old shipments took 20 days of production; the last three took 40.
    let mut h: Vec<Replenishment> = (0..6).map(|i| shipment(i, [20, 30, 3])).collect();
    h.extend((30..33).map(|i| shipment(i, [40, 30, 3])));
    let fast_decay = LeadTimeOptions { half_life_days: 30.0, ..LeadTimeOptions::default() };
    let slow_decay = LeadTimeOptions { half_life_days: 10_000.0, ..LeadTimeOptions::default() };
    let recent = LeadTimeModel::learn(&h, &fast_decay).unwrap();
    let flat = LeadTimeModel::learn(&h, &slow_decay).unwrap();
    let prod = |m: &LeadTimeModel| m.lane(&lane()).unwrap().stages[0].mean();
    // Unweighted the mean is (6 * 20 + 3 * 40) / 9 = 26.7.
    assert!((prod(&flat) - 240.0 / 9.0).abs() < 0.1);
    assert!(prod(&recent) > 38.0, "{}", prod(&recent));
}

#[test]
fn live_overrides_replace_history_and_the_record_measures_ltv() {
    let model = LeadTimeModel::learn(&lead_history(), &LeadTimeOptions::default()).unwrap();
    let order = day(200);
    let overrides = [
        LiveOverride::ReadyDate(order + ChronoDays::new(15)),
        LiveOverride::TransitQuote { mean: Days::whole(32), std_dev: Days::ZERO },
        LiveOverride::Delay { stage: Stage::CustomsClearance, days: Days::whole(5) },
    ];
    let base = model.estimate(&lane(), order, &[]).unwrap();
    let live = model.estimate(&lane(), order, &overrides).unwrap();
    let customs = base.stages.iter().find(|s| s.stage == Stage::CustomsClearance).unwrap();
    // 15 (confirmed) + 32 (quoted) + customs mean + 5 (congestion).
    assert!((live.mean.get() - (15.0 + 32.0 + customs.mean.get() + 5.0)).abs() < 1e-9);
    // Only customs keeps a spread.
    assert!((live.std_dev.get() - customs.std_dev.get()).abs() < 1e-9);
    assert!(matches!(
        model.estimate(&lane(), order, &[LiveOverride::ReadyDate(day(1))]),
        Err(ForecastError::InvalidOverride { stage: Stage::Production, .. })
    ));

    // Kept at order time, compared at arrival.
    let record = model
        .commit(PurchaseOrderId::new("PO-NEW").unwrap(), &lane(), None, order, &overrides)
        .unwrap();
    let arrival = order + ChronoDays::new(70);
    let r = record.finish(arrival, vec![]).unwrap();
    assert_eq!(r.forecast_arrival, record.forecast_arrival());
    assert!((record.variance_days(arrival).unwrap() - (70.0 - live.mean.get())).abs() < 1e-9);

    // The trait: MUG to FBA-US goes over the learned lane.
    let via_trait = model
        .forecast_lead_time(&Sku::new("MUG").unwrap(), &LocationId::new("FBA-US").unwrap(), order)
        .unwrap();
    assert_eq!(via_trait, base);
    assert!(
        model
            .forecast_lead_time(&Sku::new("MUG").unwrap(), &LocationId::new("AWD").unwrap(), order)
            .is_none()
    );
}

#[test]
fn bad_lead_time_history_is_rejected() {
    let mut h = lead_history();
    h[3].stages[1].actual = Days::new(-2.0).unwrap();
    assert!(matches!(
        LeadTimeModel::learn(&h, &LeadTimeOptions::default()),
        Err(ForecastError::InvalidDuration { stage: Stage::MainTransit, .. })
    ));
}

#[test]
fn forecasting_is_deterministic() {
    let sku = Sku::new("D").unwrap();
    let units: Vec<i64> = (0..200).map(|t| (t * 37 % 17) as i64).collect();
    let h = history(&sku, &units, &[false; 200]);
    let range = DateRange::starting(day(0), 200).unwrap();
    let a = Forecaster::default().fit(&h, range);
    let b = Forecaster::default().fit(&h, range);
    assert_eq!(a, b);
    let s =
        DemandSeries::fully_available(day(0), units.iter().map(|&u| Quantity::new(u)).collect());
    assert_eq!(Forecaster::default().fit_series(&sku, &s).unwrap(), *a.get(&sku).unwrap());
}

/// 300 SKUs of every kind the Forecaster meets: smooth, trending,
/// weekly, intermittent, lumpy, a level jump, a stock-out run, all zero,
/// a wholly stocked-out one (a failure), one SKU listed twice.
fn mixed_skus() -> Vec<(Sku, DemandSeries)> {
    let mut state = 99_u64;
    let mut out: Vec<(Sku, DemandSeries)> = (0..300_i64)
        .map(|i| {
            let mut flags = vec![false; 200];
            let units: Vec<Quantity> = (0..200_usize)
                .map(|day_index| {
                    let t = i64::try_from(day_index).unwrap();
                    state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    let u = i64::try_from((state >> 40) % 100).unwrap();
                    Quantity::new(match i % 8 {
                        0 => 20 + u % 7,
                        1 => t / 4 + u % 5,
                        2 => (if t % 7 >= 5 { 30 } else { 10 }) + u % 3,
                        3 => i64::from(u < 15) * (u % 6 + 1),
                        4 => i64::from(u < 8) * (u * 3),
                        5 => (if t < 180 { 10 } else { 40 }) + u % 3,
                        6 => {
                            flags[day_index] = (100..130).contains(&t);
                            if flags[day_index] { 0 } else { 15 + u % 4 }
                        }
                        _ => 0,
                    })
                })
                .collect();
            if i == 7 {
                flags = vec![true; 200];
            }
            let sku = Sku::new(format!("MIX-{i:03}")).unwrap();
            (sku, DemandSeries::new(day(0), units, flags).unwrap())
        })
        .collect();
    out.push(out[3].clone());
    out
}

#[test]
fn fit_all_equals_one_sku_at_a_time_bit_for_bit() {
    // With the `parallel` feature fit_all runs on rayon's threads; the
    // reference fits one SKU at a time on this thread. Debug output shows
    // every float exactly (signed zeros included).
    let data = mixed_skus();
    let forecaster = Forecaster::default();
    let check = |set: &merchantry_forecast::ForecastSet| {
        assert_eq!(set.forecasts().len() + set.failures().len(), 300);
        assert_eq!(set.failures().len(), 1);
        for (sku, series) in &data {
            match forecaster.fit_series(sku, series) {
                Ok(f) => assert_eq!(format!("{:?}", set.get(sku).unwrap()), format!("{f:?}")),
                Err(e) => assert_eq!(set.failures().get(sku), Some(&e)),
            }
        }
    };
    let set = forecaster.fit_all(&data);
    check(&set);
    // The history route gives the same set.
    let records: Vec<DemandRecord> = data
        .iter()
        .take(300)
        .flat_map(|(sku, s)| {
            s.units().iter().zip(s.stocked_out()).enumerate().map(|(t, (&units, &out))| {
                DemandRecord { sku: sku.clone(), date: day(t as u64), units, stocked_out: out }
            })
        })
        .collect();
    let range = DateRange::starting(day(0), 200).unwrap();
    assert_eq!(format!("{:?}", forecaster.fit(&records, range)), format!("{set:?}"));
    #[cfg(feature = "parallel")]
    {
        // More threads than cores, so SKUs really interleave.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(5).build().unwrap();
        let wide = pool.install(|| forecaster.fit_all(&data));
        assert_eq!(format!("{wide:?}"), format!("{set:?}"));
    }
}

proptest! {
    #[test]
    fn arbitrary_finite_series_never_yield_nan_or_inf(
        y in prop::collection::vec(prop_oneof![
            3 => 0.0..50.0_f64,
            1 => Just(0.0),
            1 => -1e6..1e6_f64,
            1 => -1e150..1e150_f64,
            1 => -1e300..1e300_f64,
            1 => prop_oneof![Just(f64::MAX), Just(-f64::MAX), Just(f64::from_bits(1))],
            1 => -f64::MAX..f64::MAX,
        ], 0..120)
    ) {
        // Values at both ends of the f64 range too: an Ok fit holds no
        // NaN or infinity (its state is checked, not only the clamped
        // means), and the only error for finite values near f64::MAX is
        // the typed overflow.
        for m in every_model() {
            match m.fit(&y) {
                Ok(fit) => {
                    for v in [fit.level(), fit.trend(), fit.sigma()] {
                        prop_assert!(v.is_finite(), "{} state {fit:?}", m.kind());
                    }
                    let f = fit.forecast(30);
                    for (mean, sd) in f.mean.iter().zip(&f.std_dev) {
                        prop_assert!(mean.is_finite() && *mean >= 0.0, "{} mean {}", m.kind(), mean);
                        prop_assert!(sd.is_finite() && *sd >= 0.0, "{} sd {}", m.kind(), sd);
                    }
                }
                Err(
                    ForecastError::Empty { .. }
                    | ForecastError::TooShort { .. }
                    | ForecastError::Overflow { .. },
                ) => {}
                Err(e) => prop_assert!(false, "{}: unexpected {e}", m.kind()),
            }
        }
    }

    #[test]
    fn spread_and_mean_scale_with_the_data_even_where_squares_overflow(
        y in prop::collection::vec(prop_oneof![
            3 => 0.0..50.0_f64,
            2 => Just(0.0),
            1 => -20.0..0.0_f64,
        ], 15..60)
    ) {
        // 2^900 (about 8.5e270): every squared error of the scaled series
        // overflows, so the models must refit scaled down and scale back.
        let big = 2_f64.powi(900);
        let scaled: Vec<f64> = y.iter().map(|v| v * big).collect();
        let models: Vec<Box<dyn DemandModel>> = vec![
            Box::new(MovingAverage::new(7).unwrap()),
            Box::new(Ses::fitted()),
            Box::new(Ses::new(0.3).unwrap()),
            Box::new(Holt::fitted()),
            Box::new(HoltWinters::fitted(7).unwrap()),
            Box::new(Croston::default()),
            Box::new(Sba::default()),
            Box::new(Tsb::default()),
            Box::new(Adida),
            Box::new(Imapa),
        ];
        for m in models {
            let (small, large) = (m.fit(&y).unwrap(), m.fit(&scaled).unwrap());
            let (s0, s1) = (small.sigma() * big, large.sigma());
            prop_assert!((s1 - s0).abs() <= 1e-9 * s0, "{} sigma {s1} vs {s0}", m.kind());
            let (m0, m1) = (small.mean_at(1) * big, large.mean_at(1));
            prop_assert!((m1 - m0).abs() <= 1e-9 * s0.max(m0), "{} mean {m1} vs {m0}", m.kind());
        }
    }

    #[test]
    fn accuracy_of_finite_input_is_finite_or_a_typed_overflow(
        pairs in prop::collection::vec((
            prop_oneof![2 => -1e3..1e3_f64, 1 => -f64::MAX..f64::MAX],
            prop_oneof![2 => -1e3..1e3_f64, 1 => -f64::MAX..f64::MAX],
        ), 1..20)
    ) {
        let (actual, forecast): (Vec<f64>, Vec<f64>) = pairs.into_iter().unzip();
        let measures = [
            ("mae", merchantry_forecast::mae(&actual, &forecast)),
            ("rmse", merchantry_forecast::rmse(&actual, &forecast)),
            ("bias", merchantry_forecast::bias(&actual, &forecast)),
            ("mape", merchantry_forecast::mape(&actual, &forecast)),
            ("smape", merchantry_forecast::smape(&actual, &forecast)),
            ("mase", merchantry_forecast::mase(&actual, &forecast, &forecast)),
        ];
        for (name, r) in measures {
            match r {
                Ok(v) => prop_assert!(v.is_finite(), "{name} {v}"),
                Err(
                    ForecastError::Overflow { .. }
                    | ForecastError::ZeroActual { .. }
                    | ForecastError::ZeroScale { .. }
                    | ForecastError::TooShort { .. },
                ) => {}
                Err(e) => prop_assert!(false, "{name}: unexpected {e}"),
            }
        }
        let s = merchantry_forecast::smape(&actual, &forecast).unwrap();
        prop_assert!((0.0..=200.0).contains(&s), "smape {s}");
    }

    #[test]
    fn forecasts_from_steps_near_usize_max_never_panic_and_keep_the_season(
        pattern in prop::collection::vec(0.0..50.0_f64, 14),
        back in 0usize..30,
        horizon in 0usize..40,
    ) {
        // Every model here repeats with a period dividing 14 (1, 2 or 7),
        // so steps s and s' with s = s' (mod 14) share a seasonal term.
        // Steps first ..= usize::MAX exist, `back + 1` of them: the plain
        // forecast stops there, the try_ one refuses a longer range.
        let y: Vec<f64> = (0..42).map(|t| pattern[t % 14]).collect();
        let first = usize::MAX - back;
        let room = back + 1;
        let mut seasonal_checked = 0;
        for m in every_model() {
            let fit = m.fit(&y).unwrap();
            let f = fit.forecast_from(first, horizon);
            prop_assert_eq!(f.mean.len(), horizon.min(room), "{}", m.kind());
            prop_assert_eq!(f.std_dev.len(), horizon.min(room), "{}", m.kind());
            match fit.try_forecast_from(first, horizon) {
                Ok(t) => prop_assert!(horizon <= room && t == f, "{}", m.kind()),
                Err(ForecastError::HorizonOutOfRange { first_step, horizon: h }) => {
                    prop_assert!(horizon > room && first_step == first && h == horizon);
                }
                Err(e) => prop_assert!(false, "{}: unexpected {e}", m.kind()),
            }
            for (i, mean) in f.mean.iter().enumerate() {
                let step = first + i;
                // Steps this close to 2^64 all read as 2^64 in the trend
                // term, so 14 steps back differs only if the season does.
                prop_assert_eq!(mean.to_bits(), fit.mean_at(step - 14).to_bits(), "{}", m.kind());
                if fit.trend() == 0.0 {
                    // Without a trend the mean is that of the step with
                    // the same residue among the first 14.
                    let twin = (step - 1) % 14 + 1;
                    prop_assert_eq!(mean.to_bits(), fit.mean_at(twin).to_bits(), "{} step {}", m.kind(), step);
                    if matches!(m.kind(), ModelKind::SeasonalIndices | ModelKind::HoltWinters) {
                        seasonal_checked += 1;
                    }
                }
            }
        }
        // SeasonalIndices has no trend, so the season check always runs.
        prop_assert!(seasonal_checked > 0 || horizon == 0);
    }

    #[test]
    fn constant_demand_is_forecast_as_itself(level in 0.0..500.0_f64, n in 20usize..100) {
        let y = vec![level; n];
        let models: [&dyn DemandModel; 5] =
            [&Ses::fitted(), &Holt::fitted(), &MovingAverage::new(7).unwrap(), &Croston::default(), &Adida];
        for m in models {
            let f = m.fit(&y).unwrap().mean_at(1);
            prop_assert!((f - level).abs() <= 1e-6 * level.max(1.0), "{}: {f} vs {level}", m.kind());
        }
    }

    #[test]
    fn forecaster_velocity_adjusted_is_never_below_in_stock_mean(
        units in prop::collection::vec(0i64..40, 1..90),
        flags in prop::collection::vec(any::<bool>(), 90),
    ) {
        let sku = Sku::new("P").unwrap();
        let out = &flags[..units.len()];
        let h = history(&sku, &units, out);
        let n = u32::try_from(units.len()).unwrap();
        let set = Forecaster::default().fit(&h, DateRange::starting(day(0), n).unwrap());
        if let Some(f) = set.get(&sku) {
            let in_stock: Vec<f64> = units.iter().zip(out).filter(|(_, o)| !**o).map(|(u, _)| *u as f64).collect();
            let mean = in_stock.iter().sum::<f64>() / in_stock.len() as f64;
            prop_assert!((f.velocity.adjusted - mean).abs() < 1e-9);
            prop_assert_eq!(f.velocity.in_stock_days, in_stock.len());
        } else {
            prop_assert!(out.iter().all(|o| *o));
        }
    }
}

#[test]
fn short_histories_forecast_their_mean_instead_of_collapsing() {
    use merchantry_core::{DemandSeries, Quantity, Sku};
    use merchantry_forecast::{ForecastOptions, Forecaster};
    let day0 = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let sku = Sku::new("A").unwrap();
    // One sale of 5 then five quiet days: a fitted SES or IMAPA read the
    // quiet tail as the level (0 and 0.025 a day); the mean is 5 / 6.
    let units = [0, 5, 0, 0, 0, 0].map(Quantity::new).to_vec();
    let series = DemandSeries::fully_available(day0, units);
    let fit = Forecaster::new(ForecastOptions::default()).fit_series(&sku, &series).unwrap();
    let next = fit.daily(day0 + chrono::Days::new(6), 3).unwrap();
    assert!((next.mean()[0] - 5.0 / 6.0).abs() < 1e-12, "{:?}", next.mean());
}

#[cfg(feature = "serde")]
#[test]
fn models_and_events_read_back_through_their_constructors_checks() {
    use merchantry_forecast::ModelSpec;
    // Read straight into the fields, a period of 0 panicked at the fit
    // ("remainder with a divisor of zero" at `t % m`), and alpha = 5
    // made SES on 1, 2, 0, 4, 5, 0, 7, 3 forecast 27,971 a period.
    // Every one of these is refused as the constructor refuses it.
    let refused = [
        (r#"{"SeasonalIndices":{"period":0}}"#, "period"),
        (r#"{"HoltWinters":{"period":0,"constants":null}}"#, "period"),
        (r#"{"HoltWinters":{"period":1,"constants":null}}"#, "period"),
        (r#"{"HoltWinters":{"period":7,"constants":[5.0,0.1,0.1]}}"#, "alpha"),
        (r#"{"MovingAverage":{"window":0}}"#, "window"),
        (r#"{"Ses":{"alpha":5.0}}"#, "alpha"),
        (r#"{"Ses":{"alpha":0.0}}"#, "alpha"),
        (r#"{"Holt":{"alpha":0.5,"beta":7.0}}"#, "beta"),
        (r#"{"Croston":{"alpha":-1.0}}"#, "alpha"),
        (r#"{"Sba":{"alpha":3.0}}"#, "alpha"),
        (r#"{"Tsb":{"alpha":0.1,"beta":1.0}}"#, "beta"),
    ];
    for (json, name) in refused {
        let err = serde_json::from_str::<ModelSpec>(json).map(|_| ()).unwrap_err();
        assert!(err.to_string().contains(&format!("parameter {name} =")), "{json}: {err}");
    }
    // A misspelt or invented field is refused rather than read as a
    // fitted model (`Alpha` made a fixed SES a fitted one).
    for json in [r#"{"Ses":{"Alpha":0.3}}"#, r#"{"Holt":{"constants":[0.5,1.0]}}"#] {
        let err = serde_json::from_str::<ModelSpec>(json).map(|_| ()).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{json}: {err}");
    }
    // Valid settings read back equal, fitted constants included.
    let specs = [
        ModelSpec::MovingAverage(MovingAverage::new(3).unwrap()),
        ModelSpec::Ses(Ses::fitted()),
        ModelSpec::Ses(Ses::new(0.3).unwrap()),
        ModelSpec::Holt(Holt::new(0.4, 0.2).unwrap()),
        ModelSpec::Holt(Holt::fitted()),
        ModelSpec::SeasonalIndices(SeasonalIndices::weekly()),
        ModelSpec::HoltWinters(HoltWinters::new(7, 0.2, 0.1, 0.3).unwrap()),
        ModelSpec::HoltWinters(HoltWinters::fitted(12).unwrap()),
        ModelSpec::Croston(Croston::new(0.2).unwrap()),
        ModelSpec::Sba(Sba::default()),
        ModelSpec::Tsb(Tsb::new(0.3, 0.05).unwrap()),
        ModelSpec::Adida(Adida),
        ModelSpec::Imapa(Imapa),
    ];
    for spec in specs {
        let json = serde_json::to_string(&spec).unwrap();
        assert_eq!(serde_json::from_str::<ModelSpec>(&json).unwrap(), spec, "{json}");
    }
    // An event's uplift is checked, and its SKU list sorted: read as
    // given, [C, A, B] was searched by halves and C was never lifted.
    let range = DateRange::inclusive(day(0), day(1)).unwrap();
    let bad = serde_json::json!({"name": "promo", "range": range, "uplift": -2.0, "skus": null});
    assert!(serde_json::from_value::<KnownEvent>(bad).is_err());
    let listed = serde_json::json!({"name": "promo", "range": range, "uplift": 2.0,
        "skus": ["C", "A", "B"]});
    let event: KnownEvent = serde_json::from_value(listed).unwrap();
    for sku in ["A", "B", "C"] {
        assert!(event.applies(&Sku::new(sku).unwrap(), day(0)), "{sku}");
    }
    assert!(!event.applies(&Sku::new("D").unwrap(), day(0)));
}

#[cfg(feature = "serde")]
#[test]
fn a_reaction_reads_back_through_its_detector_checks() {
    // confirm 0 or a negative allowance is refused by with_detector; read
    // straight into the fields, a negative allowance made the CUSUM grow
    // by |k| every period, signalling a change on steady data.
    let ok = Reactive::new(Ses::fitted());
    let json = serde_json::to_string(&ok).unwrap();
    assert_eq!(serde_json::from_str::<Reactive<Ses>>(&json).unwrap(), ok);
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["detector"]["allowance"] = serde_json::json!(-5.0);
    let err = serde_json::from_value::<Reactive<Ses>>(value.clone()).unwrap_err();
    assert!(err.to_string().contains("allowance"), "{err}");
    value["detector"]["allowance"] = serde_json::json!(0.5);
    value["detector"]["confirm"] = serde_json::json!(0);
    let err = serde_json::from_value::<Reactive<Ses>>(value).unwrap_err();
    assert!(err.to_string().contains("confirm"), "{err}");
}

/// Every configured model a saved JSON loads as, read as each kind in
/// turn (as the `ModelSpec` holding it).
#[cfg(feature = "serde")]
fn loads_as(json: &str) -> Vec<merchantry_forecast::ModelSpec> {
    use merchantry_forecast::ModelSpec;
    fn read<M: serde::de::DeserializeOwned>(
        json: &str,
        spec: fn(M) -> ModelSpec,
    ) -> Option<ModelSpec> {
        serde_json::from_str::<M>(json).ok().map(spec)
    }
    [
        read(json, ModelSpec::MovingAverage),
        read(json, ModelSpec::Ses),
        read(json, ModelSpec::Holt),
        read(json, ModelSpec::SeasonalIndices),
        read(json, ModelSpec::HoltWinters),
        read(json, ModelSpec::Croston),
        read(json, ModelSpec::Sba),
        read(json, ModelSpec::Tsb),
        read(json, ModelSpec::Adida),
        read(json, ModelSpec::Imapa),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The JSON of the model a `ModelSpec` holds, saved on its own.
#[cfg(feature = "serde")]
fn saved_alone(spec: merchantry_forecast::ModelSpec) -> String {
    use merchantry_forecast::ModelSpec;
    match spec {
        ModelSpec::MovingAverage(m) => serde_json::to_string(&m),
        ModelSpec::Ses(m) => serde_json::to_string(&m),
        ModelSpec::Holt(m) => serde_json::to_string(&m),
        ModelSpec::SeasonalIndices(m) => serde_json::to_string(&m),
        ModelSpec::HoltWinters(m) => serde_json::to_string(&m),
        ModelSpec::Croston(m) => serde_json::to_string(&m),
        ModelSpec::Sba(m) => serde_json::to_string(&m),
        ModelSpec::Tsb(m) => serde_json::to_string(&m),
        ModelSpec::Adida(m) => serde_json::to_string(&m),
        ModelSpec::Imapa(m) => serde_json::to_string(&m),
        other => panic!("no case for {other:?}"),
    }
    .unwrap()
}

#[cfg(feature = "serde")]
#[test]
fn a_model_saved_as_one_kind_is_refused_as_another() {
    use merchantry_forecast::ModelSpec;
    // Saved as their settings alone, SES, Croston and SBA with alpha 0.3
    // were each {"alpha":0.3}, Holt and TSB with 0.3 and 0.2 each
    // {"alpha":0.3,"beta":0.2}, ADIDA and IMAPA each null, and seasonal
    // indices of period 7 {"period":7}: a saved Croston loaded as an SBA
    // (which forecasts 0.85 of Croston's rate), a Holt as a TSB, seasonal
    // indices as a fitted Holt-Winters. Each is saved under its kind now,
    // as a ModelSpec is, and loads as that kind only.
    let croston = serde_json::to_string(&Croston::new(0.3).unwrap()).unwrap();
    let err = serde_json::from_str::<Sba>(&croston).unwrap_err().to_string();
    assert!(err.contains("saved model is croston, read as sba"), "{err}");
    assert_eq!(croston, r#"{"Croston":{"alpha":0.3}}"#);
    let holt = Holt::new(0.3, 0.2).unwrap();
    let err = serde_json::from_str::<Tsb>(&serde_json::to_string(&holt).unwrap()).unwrap_err();
    assert!(err.to_string().contains("saved model is holt, read as tsb"), "{err}");
    // So is the base of a saved reaction.
    let reactive = serde_json::to_string(&Reactive::new(holt)).unwrap();
    let err = serde_json::from_str::<Reactive<Tsb>>(&reactive).unwrap_err().to_string();
    assert!(err.contains("saved model is holt, read as tsb"), "{err}");
    assert_eq!(serde_json::from_str::<Reactive<Holt>>(&reactive).unwrap(), Reactive::new(holt));
    let saved = [
        (r#"{"MovingAverage":{"window":7}}"#, ModelSpec::MovingAverage(MovingAverage::WEEK)),
        (r#"{"Ses":{"alpha":0.3}}"#, ModelSpec::Ses(Ses::new(0.3).unwrap())),
        (r#"{"Ses":{"alpha":null}}"#, ModelSpec::Ses(Ses::fitted())),
        (r#"{"Holt":{"alpha":0.3,"beta":0.2}}"#, ModelSpec::Holt(holt)),
        (
            r#"{"SeasonalIndices":{"period":7}}"#,
            ModelSpec::SeasonalIndices(SeasonalIndices::weekly()),
        ),
        (
            r#"{"SeasonalIndices":{"period":7,"method":"RatioToMovingAverage"}}"#,
            ModelSpec::SeasonalIndices(
                SeasonalIndices::weekly().with_method(SeasonalMethod::RatioToMovingAverage),
            ),
        ),
        (
            r#"{"HoltWinters":{"period":7,"constants":null}}"#,
            ModelSpec::HoltWinters(HoltWinters::fitted(7).unwrap()),
        ),
        (r#"{"Croston":{"alpha":0.3}}"#, ModelSpec::Croston(Croston::new(0.3).unwrap())),
        (r#"{"Sba":{"alpha":0.3}}"#, ModelSpec::Sba(Sba::new(0.3).unwrap())),
        (r#"{"Tsb":{"alpha":0.3,"beta":0.2}}"#, ModelSpec::Tsb(Tsb::new(0.3, 0.2).unwrap())),
        (r#"{"Adida":null}"#, ModelSpec::Adida(Adida)),
        (r#"{"Imapa":null}"#, ModelSpec::Imapa(Imapa)),
    ];
    for (json, spec) in saved {
        assert_eq!(loads_as(json), [spec], "{json}");
        assert_eq!(serde_json::from_str::<ModelSpec>(json).unwrap(), spec, "{json}");
        assert_eq!(saved_alone(spec), json);
    }
    // The settings alone, as saved before, name no kind: refused by all.
    let bare = [
        r#"{"alpha":0.3}"#,
        r#"{"alpha":null}"#,
        r#"{"alpha":0.3,"beta":0.2}"#,
        r#"{"period":7}"#,
        r#"{"window":7}"#,
        "null",
    ];
    for json in bare {
        assert_eq!(loads_as(json), [], "{json}");
    }
}

/// A smoothing constant a constructor takes: anywhere in (0, 1), the
/// smallest float above 0 and the largest below 1 included.
#[cfg(feature = "serde")]
fn open_unit() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => (0.0..1.0_f64).prop_filter("above 0", |a| *a > 0.0),
        1 => Just(f64::from_bits(1)),
        1 => Just(1.0 - f64::EPSILON / 2.0),
    ]
}

/// Any configured model, fixed or fitted constants.
#[cfg(feature = "serde")]
fn any_model_spec() -> impl Strategy<Value = merchantry_forecast::ModelSpec> {
    use merchantry_forecast::ModelSpec;
    prop_oneof![
        (1..=usize::MAX).prop_map(|w| ModelSpec::MovingAverage(MovingAverage::new(w).unwrap())),
        prop::option::of(open_unit())
            .prop_map(|a| ModelSpec::Ses(a.map_or(Ses::fitted(), |a| Ses::new(a).unwrap()))),
        prop::option::of((open_unit(), open_unit())).prop_map(|c| ModelSpec::Holt(
            c.map_or(Holt::fitted(), |(a, b)| Holt::new(a, b).unwrap())
        )),
        (
            2..=usize::MAX,
            prop_oneof![
                Just(SeasonalMethod::RatioToMean),
                Just(SeasonalMethod::RatioToMovingAverage),
            ]
        )
            .prop_map(|(p, method)| ModelSpec::SeasonalIndices(
                SeasonalIndices::new(p).unwrap().with_method(method)
            )),
        (2..=usize::MAX, prop::option::of((open_unit(), open_unit(), open_unit()))).prop_map(
            |(p, c)| ModelSpec::HoltWinters(match c {
                Some((a, b, g)) => HoltWinters::new(p, a, b, g).unwrap(),
                None => HoltWinters::fitted(p).unwrap(),
            })
        ),
        open_unit().prop_map(|a| ModelSpec::Croston(Croston::new(a).unwrap())),
        open_unit().prop_map(|a| ModelSpec::Sba(Sba::new(a).unwrap())),
        (open_unit(), open_unit()).prop_map(|(a, b)| ModelSpec::Tsb(Tsb::new(a, b).unwrap())),
        Just(ModelSpec::Adida(Adida)),
        Just(ModelSpec::Imapa(Imapa)),
    ]
}

#[cfg(feature = "serde")]
proptest! {
    #[test]
    fn a_saved_model_loads_back_equal_as_its_own_kind_and_no_other(
        spec in any_model_spec()
    ) {
        // Alone or as a ModelSpec, a model is saved the same way, and
        // loads back equal as that kind and as no other.
        let json = serde_json::to_string(&spec).unwrap();
        prop_assert_eq!(&saved_alone(spec), &json);
        prop_assert_eq!(serde_json::from_str::<merchantry_forecast::ModelSpec>(&json).unwrap(), spec);
        prop_assert_eq!(loads_as(&json), vec![spec]);
    }

    #[test]
    fn a_saved_fit_loads_back_with_the_same_forecasts(
        y in prop::collection::vec(prop_oneof![
            3 => 0.0..50.0_f64,
            2 => Just(0.0),
            1 => -20.0..0.0_f64,
            1 => -1e300..1e300_f64,
            1 => prop_oneof![Just(f64::MAX), Just(-f64::MAX), Just(f64::from_bits(1))],
        ], 1..100),
        shift in prop::option::of((0usize..100, -100.0..300.0_f64)),
    ) {
        // Every fit a model gives, level resets (a shift from some day
        // on) and seasons refitted after them, negative and huge values
        // included, saves and loads back equal, forecasting the same
        // means and spreads bit for bit.
        let mut y = y;
        if let Some((from, by)) = shift {
            for v in y.iter_mut().skip(from) {
                *v += by;
            }
        }
        let quick = merchantry_forecast::ChangePoint {
            min_fit: 4,
            ..merchantry_forecast::ChangePoint::default()
        };
        let mut models = every_model();
        models.push(Box::new(Reactive::new(SeasonalIndices::weekly())));
        models.push(Box::new(Reactive::with_detector(HoltWinters::fitted(2).unwrap(), quick).unwrap()));
        models.push(Box::new(Reactive::with_detector(SeasonalIndices::new(2).unwrap(), quick).unwrap()));
        models.push(Box::new(Reactive::new(Croston::default())));
        for m in models {
            let Ok(fit) = m.fit(&y) else { continue };
            let json = serde_json::to_string(&fit).unwrap();
            let back = serde_json::from_str::<merchantry_forecast::Fitted>(&json);
            prop_assert!(back.is_ok(), "{} fit refused: {:?}\n{json}", m.kind(), back);
            let back = back.unwrap();
            prop_assert_eq!(&back, &fit);
            for first in [1, 5, usize::MAX - 20] {
                let (a, b) = (fit.forecast_from(first, 21), back.forecast_from(first, 21));
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                prop_assert_eq!(bits(&a.mean), bits(&b.mean), "{}", m.kind());
                prop_assert_eq!(bits(&a.std_dev), bits(&b.std_dev), "{}", m.kind());
            }
        }
    }
}

#[cfg(feature = "serde")]
#[test]
fn a_saved_fit_reads_back_through_the_fits_checks() {
    // Holt (0.5, 0.5) on the line 2, 4, ..., 20 never errs: level 20,
    // trend 2, spread 0; it saves and reads back equal.
    let y: Vec<f64> = (1..=10).map(|t| 2.0 * f64::from(t)).collect();
    let fit = Holt::new(0.5, 0.5).unwrap().fit(&y).unwrap();
    let json = serde_json::to_string(&fit).unwrap();
    assert_eq!(serde_json::from_str::<merchantry_forecast::Fitted>(&json).unwrap(), fit);
    // Read straight into the fields, a spread of -2 was forecast as a
    // standard deviation of -2 a day. Each of these is refused, naming
    // the field.
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let tampered = [
        ("sigma", serde_json::json!(-2.0), "spread"),
        (
            "params",
            serde_json::json!({"alpha": 5.0, "beta": 0.5, "gamma": null, "window": null}),
            "alpha",
        ),
        (
            "params",
            serde_json::json!({"alpha": 0.5, "beta": -0.5, "gamma": null, "window": null}),
            "beta",
        ),
        (
            "params",
            serde_json::json!({"alpha": null, "beta": null, "gamma": null, "window": 0}),
            "window",
        ),
        ("level_reset_at", serde_json::json!(10), "reset"),
    ];
    for (field, bad, says) in tampered {
        let mut v = value.clone();
        v[field] = bad;
        let err = serde_json::from_value::<merchantry_forecast::Fitted>(v).map(|_| ()).unwrap_err();
        assert!(err.to_string().contains(says), "{field}: {err}");
        assert!(err.to_string().contains("fitted holt model"), "{field}: {err}");
    }
    // The reset inside the series (period 9 of 10) is what a fit gives.
    let mut v = value.clone();
    v["level_reset_at"] = serde_json::json!(9);
    assert!(serde_json::from_value::<merchantry_forecast::Fitted>(v).is_ok());

    // Through a saved forecast set, the negative spread made
    // forecast_demand answer None, as if the SKU were unknown. Refused now.
    let sku = Sku::new("SAVED").unwrap();
    let units: Vec<i64> = (1..=30).map(|t| 2 * t).collect();
    let mut options = ForecastOptions::default();
    options
        .overrides
        .insert(sku.clone(), merchantry_forecast::ModelSpec::Holt(Holt::new(0.5, 0.5).unwrap()));
    let set = Forecaster::new(options)
        .fit(&history(&sku, &units, &[false; 30]), DateRange::starting(day(0), 30).unwrap());
    // Day 30 is step 1: 60 + 2 = 62.
    assert_eq!(set.forecast_demand(&sku, day(30), 1).unwrap().mean(), &[62.0]);
    let mut saved = serde_json::to_value(&set).unwrap();
    let read: merchantry_forecast::ForecastSet = serde_json::from_value(saved.clone()).unwrap();
    assert_eq!(read, set);
    saved["forecasts"]["SAVED"]["fit"]["sigma"] = serde_json::json!(-1.0);
    let err = serde_json::from_value::<merchantry_forecast::ForecastSet>(saved.clone())
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("spread"), "{err}");
    // A set saved before trailing_excluded_days existed reads it as 0.
    saved["forecasts"]["SAVED"]["fit"]["sigma"] = serde_json::json!(0.0);
    saved["forecasts"]["SAVED"].as_object_mut().unwrap().remove("trailing_excluded_days");
    let old: merchantry_forecast::ForecastSet = serde_json::from_value(saved.clone()).unwrap();
    assert_eq!(old.get(&sku).unwrap().trailing_excluded_days, 0);
    // The history had no stock-out day, so a hand-edited 1,000,000
    // trailing excluded days (which moved the forecast a million steps on)
    // is refused, as is a misspelt field.
    saved["forecasts"]["SAVED"]["trailing_excluded_days"] = serde_json::json!(1_000_000);
    let err = serde_json::from_value::<merchantry_forecast::ForecastSet>(saved.clone())
        .map(|_| ())
        .unwrap_err();
    assert!(err.to_string().contains("1000000 trailing excluded days"), "{err}");
    saved["forecasts"]["SAVED"]["trailing_excluded_days"] = serde_json::json!(0);
    saved["forecasts"]["SAVED"]["first_dayy"] = serde_json::json!("2026-01-31");
    assert!(serde_json::from_value::<merchantry_forecast::ForecastSet>(saved).is_err());
}

#[cfg(feature = "serde")]
#[test]
fn a_saved_negative_multiplicative_seasonal_term_is_refused() {
    use merchantry_forecast::Fitted;
    // Seasonal indices of a level of -4 with terms 1.5 and -0.5: phase 1
    // forecast -4 * -0.5 = 2 units a period, though a term below 0 only
    // comes from a phase averaging below zero. Refused, naming the term;
    // a term of 0 (a phase without demand) loads and forecasts 0.
    let saved = |season: [f64; 2]| {
        serde_json::json!({
            "kind": "SeasonalIndices", "level": -4.0, "trend": 0.0,
            "season": season, "mode": "Multiplicative", "phase": 0, "sigma": 1.0,
            "params": {"alpha": 0.5, "beta": null, "gamma": null, "window": 2},
            "observations": 10, "level_reset_at": null
        })
    };
    let err = serde_json::from_value::<Fitted>(saved([1.5, -0.5])).map(|_| ()).unwrap_err();
    assert!(
        err.to_string().contains(
            "fitted seasonal_indices model: seasonal term 1 is -0.5, but a multiplicative term \
             is 0 or more"
        ),
        "{err}"
    );
    let fit = serde_json::from_value::<Fitted>(saved([2.0, 0.0])).unwrap();
    assert_eq!(fit.forecast(2).mean, [0.0, 0.0]);
    // Additive terms below 0 are a Holt-Winters fit's everyday state.
    let week = [5.0, 6.0, 7.0, 8.0, 9.0, 1.0, 0.0];
    let y: Vec<f64> = week.iter().copied().cycle().take(28).collect();
    let hw = HoltWinters::fitted(7).unwrap().fit(&y).unwrap();
    let json = serde_json::to_value(&hw).unwrap();
    assert!(json["season"].as_array().unwrap().iter().any(|v| v.as_f64().unwrap() < 0.0));
    assert_eq!(serde_json::from_value::<Fitted>(json).unwrap(), hw);
}

#[cfg(feature = "serde")]
#[test]
fn a_saved_season_out_of_step_or_of_one_term_is_refused() {
    use merchantry_forecast::Fitted;
    // Holt-Winters over a season of 2, level 10, terms +5 and -5, fitted
    // to 10 periods: the next period is phase 0, forecast 15, then 5. A
    // fit's phase is the periods it fitted modulo the season; saved with
    // phase 1, every forecast day took the other day's term (5, then
    // 15), and one term of +5 over a "season" of one period raised every
    // day by 5. Both loaded; both are refused now, naming the field.
    let saved = |season: &[f64], phase: usize, reset: Option<usize>| {
        serde_json::json!({
            "kind": "HoltWinters", "level": 10.0, "trend": 0.0,
            "season": season, "mode": "Additive", "phase": phase, "sigma": 1.0,
            "params": {"alpha": 0.2, "beta": 0.1, "gamma": 0.3, "window": season.len()},
            "observations": 10, "level_reset_at": reset
        })
    };
    let fit = serde_json::from_value::<Fitted>(saved(&[5.0, -5.0], 0, None)).unwrap();
    assert_eq!(fit.forecast(2).mean, [15.0, 5.0]);
    let refused = [
        (
            saved(&[5.0, -5.0], 1, None),
            "phase is 1, but 10 periods fitted over a season of 2 end at phase 0",
        ),
        (saved(&[5.0], 0, None), "1 seasonal term, but a season has 2 or more periods"),
        (
            // Refitted to the 7 periods since a level reset at period 3.
            saved(&[5.0, -5.0], 0, Some(3)),
            "phase is 0, but 7 periods fitted over a season of 2 end at phase 1",
        ),
    ];
    for (json, says) in refused {
        let err = serde_json::from_value::<Fitted>(json).map(|_| ()).unwrap_err().to_string();
        assert!(err.contains(&format!("fitted holt_winters model: {says}")), "{err}");
    }
    let after_reset = serde_json::from_value::<Fitted>(saved(&[5.0, -5.0], 1, Some(3))).unwrap();
    assert_eq!(after_reset.forecast(2).mean, [5.0, 15.0]);
}

#[cfg(feature = "serde")]
#[test]
fn a_saved_set_whose_key_is_not_its_forecasts_sku_is_refused() {
    // Two SKUs at 10 and 3 a day (SES on a constant series: level 10
    // and 3). Saved with the entries' keys swapped by hand, the set read
    // back answered MUG with TEAPOT's 3 a day, and the other way round.
    let (mug, teapot) = (Sku::new("MUG").unwrap(), Sku::new("TEAPOT").unwrap());
    let mut records = history(&mug, &[10; 60], &[false; 60]);
    records.extend(history(&teapot, &[3; 60], &[false; 60]));
    let set = Forecaster::new(ForecastOptions::default())
        .fit(&records, DateRange::starting(day(0), 60).unwrap());
    assert_eq!(set.forecast_demand(&mug, day(60), 1).unwrap().mean(), &[10.0]);
    let saved = serde_json::to_value(&set).unwrap();
    let read: merchantry_forecast::ForecastSet = serde_json::from_value(saved.clone()).unwrap();
    assert_eq!(read, set);
    let mut swapped = saved.clone();
    swapped["forecasts"]["MUG"] = saved["forecasts"]["TEAPOT"].clone();
    swapped["forecasts"]["TEAPOT"] = saved["forecasts"]["MUG"].clone();
    let err = serde_json::from_value::<merchantry_forecast::ForecastSet>(swapped)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    // The first key in order, MUG, holds TEAPOT's forecast.
    assert!(err.contains("forecast set key MUG"), "{err}");
    assert!(err.contains("holds the forecast of sku TEAPOT"), "{err}");
    // One entry saved under another SKU's name is refused the same way.
    let mut one = serde_json::Map::new();
    one.insert("SPARE".to_owned(), saved["forecasts"]["MUG"].clone());
    let mut renamed = saved;
    renamed["forecasts"] = serde_json::Value::Object(one);
    let err = serde_json::from_value::<merchantry_forecast::ForecastSet>(renamed)
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("forecast set key SPARE"), "{err}");
    assert!(err.contains("holds the forecast of sku MUG"), "{err}");
}
