//! `reorder/recommend/100k`: full recommendations for 100,000 SKUs, each
//! prepared from 365 days of demand history and a four-stage lead time.
//!
//! Run with `--features parallel` for the 2-core figure.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench setup fails loudly")]
#![allow(clippy::cast_precision_loss, reason = "synthetic counts are small")]
#![allow(missing_docs, reason = "criterion_group! generates an undocumented fn")]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_core::{
    DailyForecast, Days, LeadTimeEstimate, LocationId, Quantity, Sku, Stage, StageEstimate,
};
use merchantry_reorder::{
    LotSize, OpenSupply, Planner, PlannerOptions, Policy, PolicyConfig, SkuInput, SupplyKind,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const SKUS: usize = 100_000;
const HISTORY_DAYS: usize = 365;
const HORIZON: usize = 120;

/// Mean and standard deviation of the last 56 days of a 365-day history:
/// the stand-in forecast (forecasting itself is another crate's job).
fn forecast_from_history(rng: &mut ChaCha8Rng, start: NaiveDate) -> DailyForecast {
    let rate = rng.random_range(0.2..80.0);
    let history: Vec<f64> =
        (0..HISTORY_DAYS).map(|_| (rate * rng.random_range(0.0..2.0_f64)).round()).collect();
    let recent = &history[HISTORY_DAYS - 56..];
    let mean = recent.iter().sum::<f64>() / 56.0;
    let var = recent.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / 55.0;
    DailyForecast::new(start, vec![mean; HORIZON], vec![var.sqrt(); HORIZON]).unwrap()
}

fn four_stage_lead_time(rng: &mut ChaCha8Rng) -> LeadTimeEstimate {
    let parts = [
        (Stage::Production, rng.random_range(10.0..30.0), 4.0),
        (Stage::MainTransit, rng.random_range(14.0..35.0), 5.0),
        (Stage::CustomsClearance, rng.random_range(2.0..6.0), 2.0),
        (Stage::CheckIn, rng.random_range(3.0..10.0), 3.0),
    ];
    let stages: Vec<StageEstimate> = parts
        .iter()
        .map(|&(stage, mean, sd)| StageEstimate {
            stage,
            mean: Days::new(mean).unwrap(),
            std_dev: Days::new(sd).unwrap(),
        })
        .collect();
    let mean: f64 = parts.iter().map(|p| p.1).sum();
    let var: f64 = parts.iter().map(|p| p.2 * p.2).sum();
    LeadTimeEstimate {
        mean: Days::new(mean).unwrap(),
        std_dev: Days::new(var.sqrt()).unwrap(),
        stages,
        quantiles: vec![],
    }
}

fn inputs() -> Vec<SkuInput> {
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    let today = NaiveDate::from_ymd_opt(2026, 9, 1).unwrap();
    let fba = LocationId::new("FBA-US").unwrap();
    (0..SKUS)
        .map(|n| {
            let forecast = forecast_from_history(&mut rng, today);
            let lead = four_stage_lead_time(&mut rng);
            let sku = Sku::new(format!("SKU-{n:06}")).unwrap();
            let mut input = SkuInput::new(sku, fba.clone(), today, forecast, lead);
            input.on_hand = Quantity::new(rng.random_range(0..3000));
            input.open_supply.push(OpenSupply {
                kind: SupplyKind::PurchaseOrder,
                quantity: Quantity::new(rng.random_range(0..1500)),
                expected: today.checked_add_days(chrono::Days::new(rng.random_range(1..60))),
            });
            input.constraints.case_pack = Quantity::new(rng.random_range(1..48));
            input.constraints.moq = Quantity::new(rng.random_range(0..500));
            input
        })
        .collect()
}

fn recommend(c: &mut Criterion) {
    let inputs = inputs();
    let policy = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(45.0) });
    let planner = Planner::new(PlannerOptions::new(policy)).unwrap();
    let mut group = c.benchmark_group("reorder/recommend");
    group.sample_size(10);
    group.bench_function("100k", |b| {
        b.iter(|| {
            let recs = planner.recommend_all(black_box(&inputs));
            let ordered = recs.iter().filter(|r| r.as_ref().unwrap().order.is_some()).count();
            assert_eq!(recs.len(), SKUS);
            assert!(ordered > 0 && ordered < SKUS);
            recs
        });
    });
    group.finish();
}

criterion_group!(benches, recommend);
criterion_main!(benches);
