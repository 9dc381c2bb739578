//! Criterion benchmarks, each on 365-day series: `forecast/ses/365`,
//! `forecast/ses_fitted/365`, `forecast/croston/365`,
//! `forecast/holt_fitted/365` and `forecast/auto/365` (fit plus a 30-day
//! forecast, as the targets are stated), `forecast/ses_fit/365` and
//! `forecast/croston_fit/365` (fit only), and `forecast/batch/100k`
//! (`Forecaster::fit_all` and a 30-day forecast of 100,000 SKUs, on
//! rayon's threads when the `parallel` feature is on).
//!
//! ```text
//! cargo bench -p merchantry-forecast --bench forecast -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p merchantry-forecast --features parallel --bench forecast -- batch
//! ```

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark setup")]
#![allow(missing_docs, reason = "criterion generates the entry point")]

mod common;

use std::hint::black_box;

use common::{batch_data, series};
use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_forecast::{Auto, Croston, DemandModel, ForecastOptions, Forecaster, Holt, Ses};

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
    g.bench_function("ses_fit/365", |b| {
        b.iter(|| {
            let fit = ses.fit(black_box(&y)).unwrap();
            assert!(fit.level() > 10.0);
            fit
        });
    });
    let croston = Croston::default();
    g.bench_function("croston_fit/365", |b| {
        b.iter(|| {
            let fit = croston.fit(black_box(&sparse)).unwrap();
            assert!(fit.level() > 0.0);
            fit
        });
    });
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
    const SKUS: u64 = 100_000;
    let data = batch_data(SKUS);
    let forecaster = Forecaster::new(ForecastOptions::default());
    let mut g = c.benchmark_group("forecast");
    g.sample_size(10);
    // Fit and forecast 30 days of every SKU: `fit_all` runs on rayon's
    // threads with the `parallel` feature, on this one without.
    g.bench_function("batch/100k", |b| {
        b.iter(|| {
            let set = forecaster.fit_all(black_box(&data));
            assert_eq!(set.forecasts().len(), 100_000);
            let total: f64 = set.forecasts().values().map(|f| f.fit.forecast(30).mean[0]).sum();
            assert!(total > 0.0);
            total
        });
    });
    g.finish();
}

criterion_group!(benches, single, batch);
criterion_main!(benches);
