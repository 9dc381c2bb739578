//! Croston, SBA, TSB and IMAPA against R's `forecast` and
//! `tsintermittent` packages.
//!
//! Sources (input values, conventions and expected orderings only):
//!
//! - R `forecast` (robjhyndman/forecast), `R/croston.R`
//!   (`croston_model`, `forecast.croston_model`) and its test file
//!   `tests/testthat/test-croston.R`, whose series
//!   `y <- c(0, 0, 3, 0, 0, 0, 2, 0, 5, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 3)`
//!   is used here. Sizes and intervals are smoothed by SES started at the
//!   first size and the first interval (counted from the series start),
//!   SBA multiplies by `1 - alpha / 2`.
//! - R `tsintermittent` (Kourentzes), `crost` and `tsb` with
//!   `init = "naive"` and fixed constants (`init.opt = FALSE`), and
//!   `imapa`.
//!
//! The peers' tests print no forecast for this series; the expected
//! values were recomputed by hand in exact rational arithmetic (Python
//! `fractions`) from each peer's published algorithm.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

use merchantry_forecast::{Adida, Croston, DemandModel, Imapa, Sba, Tsb};

/// R forecast's test-croston.R series: 6 demands, the last in the last
/// period, intervals 3, 4, 2, 3, 5, 3 (sum 20).
const Y: [f64; 20] = [
    0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 2.0, 0.0, 5.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0,
    3.0,
];

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() <= 1e-12, "{what}: got {got}, want {want}");
}

// R forecast croston_model(y) (alpha 0.1): demand level 300819/100000,
// interval level 317271/100000, forecast 0.9481452764356024; type "sba"
// 0.95 times it, 0.9007380126138222. The test file asserts Croston > SBA
// at the last fitted value. tsintermittent crost(y, w = 0.1,
// init = "naive", init.opt = FALSE) runs the same recursion and gives
// the same numbers. Verdict: match.
//
// Note for anyone checking against R: an earlier revision of
// `forecast.croston_model` forecast the last *fitted* value, which for a
// series ending in a demand is the rate before that demand
// (0.9427300354021116 here, the rate of y[..19]); the current revision
// forecasts the final demand over the final interval, as here.
#[test]
fn r_forecast_croston_and_sba_on_its_test_series() {
    let croston = Croston::new(0.1).unwrap().fit(&Y).unwrap();
    close(croston.mean_at(1), 300_819.0 / 317_271.0, "croston");
    close(croston.mean_at(1), 0.948_145_276_435_602_4, "croston digits");
    let sba = Sba::new(0.1).unwrap().fit(&Y).unwrap();
    close(sba.mean_at(1), 0.900_738_012_613_822_2, "sba");
    assert!(croston.mean_at(1) > sba.mean_at(1));
    // The last demand counts: the rate before it is another number.
    let before = Croston::new(0.1).unwrap().fit(&Y[..19]).unwrap();
    close(before.mean_at(1), 0.942_730_035_402_111_6, "rate before the last demand");
}

// Convention difference: R's croston_model refuses a series with fewer
// than two non-zero values ("At least two non-zero values are
// required") and tsintermittent's crost stops likewise; this crate
// forecasts one demand of size z first seen in period t (0-based) as
// z / (t + 1), which is what R's older `croston2` returned
// (y / tt for a single demand).
#[test]
fn one_demand_is_forecast_not_refused() {
    let fit = Croston::new(0.1).unwrap().fit(&[0.0, 0.0, 1.0, 0.0]).unwrap();
    close(fit.mean_at(1), 1.0 / 3.0, "one demand");
}

// tsintermittent tsb(y, w = c(0.3, 0.2), init = "naive",
// init.opt = FALSE): w[1] smooths the size (from the first non-zero
// size), w[2] the probability (from the first period's indicator,
// updated every later period). By hand 1.1242459165279175. This crate's
// Tsb::new(size, probability) takes them in that order. Verdict: match.
//
// Convention difference: tsintermittent's default init = "mean" starts
// the probability at the share of periods with demand (6/20) instead:
// with w = c(0.1, 0.1) that forecasts 0.9925498000861194 where the
// naive start (this crate) gives 0.8706412412285178. Its default also
// optimises the constants and the initial values (cost "mar"); this
// crate uses the constants given.
#[test]
fn tsintermittent_tsb_with_naive_start() {
    let fit = Tsb::new(0.3, 0.2).unwrap().fit(&Y).unwrap();
    close(fit.mean_at(1), 1.124_245_916_527_917_5, "tsb 0.3 / 0.2");
    let fit = Tsb::new(0.1, 0.1).unwrap().fit(&Y).unwrap();
    close(fit.mean_at(1), 0.870_641_241_228_517_8, "tsb 0.1 / 0.1");
    assert!((fit.mean_at(1) - 0.992_549_800_086_119_4).abs() > 0.1, "mean-start differs");
}

// Convention difference: tsintermittent crost's default init = "mean"
// starts the interval at the mean of all in-sample intervals (20/6)
// rather than the first (3): with w = 0.1 fixed that forecasts
// 0.8927598425897897, against 0.9481452764356024 from the first
// interval (R forecast, statsforecast and this crate).
#[test]
fn tsintermittent_croston_mean_start_differs() {
    let fit = Croston::new(0.1).unwrap().fit(&Y).unwrap();
    assert!((fit.mean_at(1) - 0.892_759_842_589_789_7).abs() > 0.05);
}

// Convention difference: tsintermittent's imapa (the original authors'
// code, Petropoulos and Kourentzes) aggregates at every level from 1 to
// floor(n / 2) = 10 here, drops levels with fewer than 4 buckets, fits
// Croston, SBA or SES at each by the PKa classification with optimised
// constants, and averages. This crate follows statsforecast: levels 1 to
// the rounded mean interval (20 / 6 = 3.33, so 3), SES on [0.1, 0.3] at
// each. Forecasts differ; the level count is checked here.
#[test]
fn imapa_levels_follow_statsforecast_not_tsintermittent() {
    let fit = Imapa.fit(&Y).unwrap();
    assert_eq!(fit.params().window, Some(3));
}

// statsforecast's ADIDA and IMAPA (`_adida`, `_imapa`, `_chunk_sums`,
// `_optimized_ses_forecast` on [0.1, 0.3]) on the same series, recomputed
// by hand with the bucket constant taken from a 1e-6 grid: aggregation
// level round(20 / 6) = 3; the oldest 20 mod 3 = 2 periods dropped;
// buckets 3, 2, 5, 1, 4, 3, whose best constant is the bound 0.1: ADIDA
// forecasts 3.00819 a bucket, 1.00273 a period (the bucket forecast
// spread evenly over its 3 periods). IMAPA averages the per-period
// rates of levels 1, 2 and 3: 0.8924208807, 1.0068628005, 1.00273,
// mean 0.9673378937. Verdict: match, to the 3e-6 relative the Adida
// docs state (here 4e-7).
#[test]
fn statsforecast_adida_and_imapa_on_the_r_series() {
    let adida = Adida.fit(&Y).unwrap();
    assert_eq!(adida.params().window, Some(3));
    assert!((adida.mean_at(1) - 1.002_73).abs() <= 3e-6 * 1.002_73, "{}", adida.mean_at(1));
    let imapa = Imapa.fit(&Y).unwrap();
    let want = 0.967_337_893_7;
    assert!((imapa.mean_at(1) - want).abs() <= 3e-6 * want, "{}", imapa.mean_at(1));
}
