//! Criterion benchmarks: `forecast/ses/365`, `forecast/ses_fitted/365`,
//! `forecast/croston/365`, `forecast/holt_fitted/365`,
//! `forecast/auto/365` and `forecast/batch/10k` (fit and forecast 10,000
//! SKUs through the `Forecaster`; scale by 10 for 100,000).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]
#![allow(missing_docs, reason = "criterion generates the entry point")]
#![allow(clippy::cast_possible_truncation, reason = "small whole numbers held in f64")]

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_core::{DemandSeries, Quantity, Sku};
use merchantry_forecast::{Auto, Croston, DemandModel, ForecastOptions, Forecaster, Holt, Ses};

/// A deterministic daily series: level 20 with a weekly swing and noise
/// from a linear congruential generator, every fifth SKU intermittent.
fn series(seed: u64, len: usize) -> Vec<f64> {
    let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..len)
        .map(|t| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let u = f64::from(u32::try_from(state >> 40).unwrap()) / f64::from(1u32 << 24);
            let weekly = if t % 7 >= 5 { 6.0 } else { 0.0 };
            if seed.is_multiple_of(5) {
                if u < 0.2 { (u * 40.0).floor() + 1.0 } else { 0.0 }
            } else {
                (20.0 + weekly + (u - 0.5) * 10.0).round()
            }
        })
        .collect()
}

fn single(c: &mut Criterion) {
    let y = series(1, 365);
    let sparse = series(5, 365);
    let mut g = c.benchmark_group("forecast");
    let ses = Ses::new(0.2).unwrap();
    g.bench_function("ses/365", |b| {
        b.iter(|| {
            let f = ses.fit(black_box(&y)).unwrap().forecast(30);
            assert!(f.mean[0] > 10.0);
            f
        });
    });
    g.bench_function("ses_fitted/365", |b| {
        b.iter(|| {
            let f = Ses::fitted().fit(black_box(&y)).unwrap().forecast(30);
            assert!(f.mean[0] > 10.0);
            f
        });
    });
    let croston = Croston::default();
    g.bench_function("croston/365", |b| {
        b.iter(|| {
            let f = croston.fit(black_box(&sparse)).unwrap().forecast(30);
            assert!(f.mean[0] > 0.0);
            f
        });
    });
    g.bench_function("holt_fitted/365", |b| {
        b.iter(|| {
            let f = Holt::fitted().fit(black_box(&y)).unwrap().forecast(30);
            assert!(f.mean[0] > 10.0);
            f
        });
    });
    let auto = Auto::default();
    g.bench_function("auto/365", |b| {
        b.iter(|| {
            let f = auto.fit(black_box(&sparse)).unwrap().forecast(30);
            assert!(f.mean[0] > 0.0);
            f
        });
    });
    g.finish();
}

fn batch(c: &mut Criterion) {
    const SKUS: u64 = 10_000;
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let data: Vec<(Sku, DemandSeries)> = (0..SKUS)
        .map(|i| {
            let units = series(i, 365).into_iter().map(|v| Quantity::new(v as i64)).collect();
            (Sku::new(format!("SKU-{i:06}")).unwrap(), DemandSeries::fully_available(start, units))
        })
        .collect();
    let forecaster = Forecaster::new(ForecastOptions::default());
    let mut g = c.benchmark_group("forecast");
    g.sample_size(10);
    g.bench_function("batch/10k", |b| {
        b.iter(|| {
            let mut total = 0.0;
            for (sku, s) in black_box(&data) {
                let f = forecaster.fit_series(sku, s).unwrap();
                total += f.fit.forecast(30).mean[0];
            }
            assert!(total > 0.0);
            total
        });
    });
    g.finish();
}

criterion_group!(benches, single, batch);
criterion_main!(benches);
