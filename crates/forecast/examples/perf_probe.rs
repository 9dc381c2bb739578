//! Runs one benchmark case in a plain loop, for CPU-time and instruction
//! counts on a shared machine where criterion's wall times are noisy:
//!
//! ```text
//! cargo build --release -p merchantry-forecast --example perf_probe
//! perf stat -e task-clock target/release/examples/perf_probe croston 1000000
//! valgrind --tool=callgrind target/release/examples/perf_probe croston 10000
//! ```
//!
//! Cases: `ses`, `ses_fitted`, `croston`, `holt_fitted`, `auto` (fit plus
//! a 30-day forecast of one 365-day series, as the criterion bench), and
//! `batch` (ITERATIONS SKUs through `Forecaster::fit_all`, on rayon's
//! threads with the `parallel` feature) and `batch_inputs` (only building
//! those SKUs' series, to subtract). It prints a checksum of the first
//! forecast days.

#![allow(clippy::print_stdout, reason = "an example reports on stdout")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "an example may stop on bad input")]

#[path = "../benches/common/mod.rs"]
mod common;

use std::hint::black_box;

use merchantry_forecast::{Auto, Croston, DemandModel, ForecastOptions, Forecaster, Holt, Ses};

fn repeat(model: &dyn DemandModel, y: &[f64], n: u64) -> f64 {
    let mut total = 0.0;
    for _ in 0..n {
        total += model.fit(black_box(y)).unwrap().forecast(30).mean[0];
    }
    total
}

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().expect("a case: ses, ses_fitted, croston, holt_fitted, auto, batch");
    let n: u64 = args.next().map_or(1000, |s| s.parse().expect("a whole number of iterations"));
    let smooth = common::series(1, 365);
    let sparse = common::series(5, 365);
    let total = match case.as_str() {
        "ses" => repeat(&Ses::new(0.2).unwrap(), &smooth, n),
        "ses_fitted" => repeat(&Ses::fitted(), &smooth, n),
        "croston" => repeat(&Croston::default(), &sparse, n),
        "holt_fitted" => repeat(&Holt::fitted(), &smooth, n),
        "auto" => repeat(&Auto::default(), &sparse, n),
        "batch" => {
            let data = common::batch_data(n);
            let set = Forecaster::new(ForecastOptions::default()).fit_all(&data);
            set.forecasts().values().map(|f| f.fit.forecast(30).mean[0]).sum()
        }
        "batch_inputs" => f64::from(u32::try_from(common::batch_data(n).len()).unwrap()),
        other => panic!("unknown case {other}"),
    };
    println!("{case} x {n}: checksum {total}");
}
