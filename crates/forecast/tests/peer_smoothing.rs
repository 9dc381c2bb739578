//! Simple exponential smoothing and Holt against statsmodels' and
//! statsforecast's published cases.
//!
//! Sources (input values and expected numbers only):
//!
//! - statsmodels `statsmodels/tsa/holtwinters/tests/test_holtwinters.py`,
//!   `TestHoltWinters.test_simple_exp_smoothing` and `test_holt`, on the
//!   fpp data sets `oildata` (Saudi Arabian oil production 1996-2007) and
//!   `ausair` (Australian air passengers 1990-2004). The same series and
//!   fixed constants are run against R's `fpp::ses` and `fpp::holt` with
//!   `initial = "simple"` in statsmodels'
//!   `tsa/statespace/tests/test_exponential_smoothing.py`
//!   (`TestSESFPPFixed02`, `TestSESFPPFixed06`, `TestHoltFPPFixed`).
//! - statsforecast `python/statsforecast/models.py`:
//!   `SimpleExponentialSmoothingOptimized` minimises the same one-step
//!   SSE as [`Ses::fitted`] (level started at the first value) by a
//!   bounded scalar search on `[0.01, 0.99]`.
//!
//! Every expected value not printed by the peer was recomputed by hand
//! (plain Python, 17 digits) from the peer's published recursion.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

mod datasets;

use datasets::AIR_PASSENGERS as AP;

use merchantry_forecast::{DemandModel, Holt, Ses, SesStart};

/// fpp `oildata`, 1996-2007, as statsmodels' test carries it.
const OIL: [f64; 12] = [
    446.656_522_9,
    454.473_306_5,
    455.662_974,
    423.632_238_8,
    456.271_327_9,
    440.588_050_1,
    425.332_520_1,
    485.149_447_9,
    506.048_162_1,
    526.791_983_3,
    514.268_889,
    494.211_019_3,
];

/// fpp `ausair`, 1990-2004, as statsmodels' test carries it.
const AIR: [f64; 15] = [
    17.5534, 21.8601, 23.8866, 26.9293, 26.8885, 28.8314, 30.0751, 30.9535, 30.1857, 31.5797,
    32.577_569, 33.477_398, 39.021_581, 41.386_432, 41.596_552,
];

fn close(got: f64, want: f64, tol: f64, what: &str) {
    assert!((got - want).abs() <= tol, "{what}: got {got}, want {want} (tol {tol})");
}

// statsmodels test_simple_exp_smoothing, fit1 and fit2
// (initialization_method="legacy-heuristic", optimized=False): the level
// starts at the first value, as this crate's SES does. alpha 0.2
// forecasts 484.802468 and its level path is printed to 8 decimals;
// alpha 0.6 forecasts 501.837461 (statsmodels checks 4 decimals). By
// hand: 484.8024679689742 and 501.8374611265051. Verdict: match.
#[test]
fn statsmodels_ses_fixed_alpha_on_oildata() {
    let levels = [
        446.656_522_90,
        448.219_879_62,
        449.708_498_5,
        444.493_246_56,
        446.848_862_83,
        445.596_700_28,
        441.543_864_24,
        450.264_980_98,
        461.421_617_2,
        474.495_690_42,
        482.450_330_14,
        484.802_467_97,
    ];
    // The level after each period is the fit of the series up to it.
    for (t, want) in levels.iter().enumerate() {
        let fit = Ses::new(0.2).unwrap().fit(&OIL[..=t]).unwrap();
        close(fit.level(), *want, 1e-7, &format!("level {t}"));
    }
    let fit = Ses::new(0.2).unwrap().fit(&OIL).unwrap();
    close(fit.mean_at(1), 484.802_468, 1e-6, "alpha 0.2");
    close(fit.mean_at(1), 484.802_467_968_974_2, 1e-9, "alpha 0.2 by hand");
    let fit = Ses::new(0.6).unwrap().fit(&OIL).unwrap();
    close(fit.mean_at(1), 501.837_461, 1e-6, "alpha 0.6");
    close(fit.mean_at(1), 501.837_461_126_505_1, 1e-9, "alpha 0.6 by hand");
}

// statsmodels test_simple_exp_smoothing, fit3
// (initialization_method="estimated"): alpha 0.891998 and the initial
// level 447.478440 are both estimated, forecast 496.493543. By default
// (`SesStart::FirstValue`) this crate fits alpha only and keeps the
// level started at the first value (446.6565): by hand the
// SSE-minimising alpha on [0.01, 0.99] is 0.8930815 and the forecast
// 496.4698382. Verdict: convention difference (documented on `Ses`),
// 0.0237 below the peer (5e-5 relative); `SesStart::Estimated` matches
// (next test). R's
// `ses()`/`ets()` also estimate the initial level; statsforecast's
// `SimpleExponentialSmoothingOptimized` does not, and agrees with this
// crate (the test after next).
//
// The whole difference is the initial level: SES started at the peer's
// estimated level (given as a first observation that the recursion takes
// as its level) with the peer's alpha lands on the peer's forecast.
#[test]
fn statsmodels_estimated_initial_level_is_the_only_difference() {
    let fit = Ses::fitted().fit(&OIL).unwrap();
    let alpha = fit.params().alpha.unwrap();
    close(alpha, 0.893_081_5, 2e-4, "fitted alpha");
    close(fit.mean_at(1), 496.469_838_2, 2e-4, "ours, level from the first value");
    assert!(fit.mean_at(1) < 496.493_543 - 0.02, "peer's estimated-level forecast");
    let mut started = vec![447.478_440];
    started.extend_from_slice(&OIL);
    let peer = Ses::new(0.891_998).unwrap().fit(&started).unwrap();
    // The peer's parameters are printed to 6 decimals and its forecast
    // checked to 4: 496.4935553 from the rounded parameters.
    close(peer.mean_at(1), 496.493_543, 1e-4, "peer, level estimated");
}

// The same fit3 with `SesStart::Estimated`, which fits the start with
// alpha as statsmodels does: its alpha 0.891998 and forecast 496.493543
// (printed to 6 decimals). Verdict: match.
#[test]
fn statsmodels_estimated_initial_level_matches_ses_start_estimated() {
    let fit = Ses::fitted().with_start(SesStart::Estimated).fit(&OIL).unwrap();
    close(fit.params().alpha.unwrap(), 0.891_998, 2e-4, "fitted alpha");
    // statsmodels checks this forecast to 4 decimals; its optimiser and
    // ours stop at slightly different alphas (ours 3.7e-5 below).
    close(fit.mean_at(1), 496.493_543, 1e-4, "forecast, start estimated");
    // With the peer's alpha fixed, the least-squares start gives the
    // forecast that starting from the peer's printed level 447.478440
    // gives (496.4935553, as in the test above): the same start.
    let fixed = Ses::new(0.891_998).unwrap().with_start(SesStart::Estimated).fit(&OIL).unwrap();
    close(fixed.mean_at(1), 496.493_555_3, 1e-6, "forecast, peer alpha");
}

// statsforecast SimpleExponentialSmoothingOptimized: the same objective
// (one-step SSE, forecast of period 1 is y_0) on [0.01, 0.99]. Its
// scipy bounded search stops within 1e-5 of the minimiser; no value is
// printed by its tests, so the minimiser is the one found by hand on a
// 1e-4 grid refined by golden section (0.8930815 on oildata, the bound
// 0.99 on AirPassengers, forecast 431.5871479815124). Verdict: match.
#[test]
fn statsforecast_ses_optimized_objective() {
    let fit = Ses::fitted().fit(&OIL).unwrap();
    close(fit.params().alpha.unwrap(), 0.893_081_5, 2e-4, "oil alpha");
    // AirPassengers trends up: the best constant is the upper bound.
    let fit = Ses::fitted().fit(&AP).unwrap();
    assert_eq!(fit.params().alpha, Some(0.99));
    close(fit.mean_at(1), 431.587_147_981_512_4, 1e-9, "AirPassengers");
}

// statsmodels test_holt fit1 (initialization_method="legacy-heuristic",
// alpha 0.8, smoothing_trend 0.2, optimized=False), the same numbers as
// R's fpp::holt(initial = "simple") per statsmodels' TestHoltFPPFixed:
// the state before the first observation is l = y_0, b = y_1 - y_0, so
// the first fitted value is y_1 = 21.8601, and the forecasts are
// 43.76, 45.59, 47.43, 49.27, 51.10 (2 decimals; by hand 43.7570,
// 45.5935, 47.4301, 49.2666, 51.1032, final trend 1.83655482 as printed).
//
// This crate starts Holt from the least-squares line through the first
// ten values (Hyndman et al. 2008, section 2.6.1, as R's `ets` starts
// before it optimises the states): intercept at the first value
// 20.568038, slope 1.401398. By hand its forecasts are 43.624966,
// 45.363136, 47.101306, 48.839475, 50.577645. Verdict: convention
// difference (documented on `Holt`), 0.13 to 0.53 below the peer, the
// gap growing with the horizon because the final trend differs
// (1.73817 against 1.83655).
#[test]
fn statsmodels_holt_fixed_constants_on_ausair() {
    let fit = Holt::new(0.8, 0.2).unwrap().fit(&AIR).unwrap();
    let ours = [43.624_966_36, 45.363_136_03, 47.101_305_70, 48.839_475_37, 50.577_645_04];
    let peer = [43.76, 45.59, 47.43, 49.27, 51.10];
    for (h, (o, p)) in ours.iter().zip(peer).enumerate() {
        close(fit.mean_at(h + 1), *o, 1e-6, &format!("h = {}", h + 1));
        assert!(p - fit.mean_at(h + 1) > 0.1, "the peer's simple start is higher at h = {h}");
    }
    close(fit.trend(), 1.738_169_67, 1e-6, "final trend");
}
