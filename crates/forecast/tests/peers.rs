//! Numbers from a peer library's own tests, run through this crate's
//! models.
//!
//! The peer is Nixtla's statsforecast. Its `tests/test_models.py` gives
//! explicit values on the AirPassengers series (Box and Jenkins' monthly
//! airline passengers, 1949-1960, the 144 values statsforecast ships in
//! `statsforecast.utils.AirPassengers`) and fixes four short intermittent
//! series (`test_fitted_sparse` and `TestCppEquivalence.SPARSE_SERIES`)
//! whose expected forecasts it does not print; those were recomputed by
//! hand here, in Python, from statsforecast's published algorithm
//! (`python/statsforecast/models.py`: `_croston_classic`, `_croston_sba`,
//! `_tsb`, `_adida`, `_imapa`, `_ses_forecast`, `_chunk_sums`), with the
//! bucket SES constant minimised on `[0.1, 0.3]` as its current
//! golden-section search does (to `1e-12`). The accuracy measures are
//! held against statsforecast's companion library, Nixtla's
//! utilsforecast. Only input values and expected numbers are taken.
//! One test is no peer's: the classical seasonal indices of
//! AirPassengers, computed independently from the textbook formula.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

mod datasets;

use datasets::AIR_PASSENGERS as AP;

use merchantry_forecast::{
    Adida, Croston, DemandModel, Imapa, MovingAverage, Sba, SeasonalIndices, SeasonalMethod, Ses,
    Tsb, bias, mae, mape, mase, rmse, smape,
};

/// The intermittent series of statsforecast's `test_fitted_sparse` (the
/// first three) and `TestCppEquivalence.SPARSE_SERIES` (all four).
const SPARSE: [&[f64]; 4] = [
    &[2.0, 5.0, 0.0, 1.0, 3.0, 0.0, 1.0, 1.0, 0.0],
    &[0.0, 0.0, 1.0, 0.0, 0.0, 7.0, 1.0, 0.0, 1.0],
    &[0.0, 0.0, 1.0, 0.0, 0.0, 7.0, 1.0, 0.0, 0.0],
    &[1.0, 0.0, 0.0, 2.0, 0.0, 3.0, 0.0, 0.0, 4.0, 0.0, 5.0],
];

/// The standard normal quantile of 0.9, for an 80% interval's lower end.
const Z90: f64 = 1.281_551_565_544_600_4;

fn close(got: f64, want: f64, rel: f64, what: &str) {
    assert!((got - want).abs() <= rel * want.abs().max(1.0), "{what}: {got}, peer {want}");
}

// statsforecast tests/test_models.py, TestSES::test_ses_fit_predict:
// SimpleExponentialSmoothing(alpha=0.1) on AirPassengers forecasts
// 460.3028 (rtol 1e-4) from a level started at the first value (its
// first fitted value is 118 - 6 = 112). By hand, 17 digits:
// 460.30277248188. The spread: statsforecast's sigma for SES is the
// RMSE of the n - 1 one-step errors, this crate's the same: 52.46644325459269
// (by hand).
#[test]
fn statsforecast_ses_alpha_0_1_on_airpassengers() {
    let fit = Ses::new(0.1).unwrap().fit(&AP).unwrap();
    close(fit.mean_at(1), 460.302_772_481_884, 1e-12, "SES mean");
    close(fit.mean_at(12), 460.302_772_481_884, 1e-12, "SES mean, h 12");
    close(fit.sigma(), 52.466_443_254_592_69, 1e-12, "SES sigma");
}

// statsforecast tests/test_models.py, TestNaive::test_naive_forecast:
// Naive on AirPassengers, lo-80 at h = 1 is 388.7984 (4 decimals), so
// 432 - z(0.9) sigma with sigma the RMSE of the 143 one-step naive
// errors, 33.710408012832. A moving average of one period is the naive
// method here, with the same spread.
//
// Convention difference: statsforecast widens the naive interval as
// sigma sqrt(h) (lo-80 at h = 2 is 370.9037 = 432 - z(0.9) sigma
// sqrt(2)); this crate's spread is the per-period one-step RMSE,
// constant over the horizon (crate README: "The spread is the in-sample
// one-step RMSE, constant over the horizon"), so at h = 2 it gives
// 388.7984 again. Peer = ours * sqrt(h).
#[test]
fn statsforecast_naive_on_airpassengers() {
    let fit = MovingAverage::new(1).unwrap().fit(&AP).unwrap();
    assert_eq!(fit.mean_at(1), 432.0);
    close(fit.sigma(), 33.710_408_012_832, 1e-12, "naive sigma");
    let f = fit.forecast(2);
    close(f.mean[0] - Z90 * f.std_dev[0], 388.7984, 1e-7, "lo-80, h 1");
    // Ours at h = 2 (constant spread), and the peer's from it.
    close(f.mean[1] - Z90 * f.std_dev[1], 388.7984, 1e-7, "ours, lo-80, h 2");
    close(f.mean[1] - Z90 * f.std_dev[1] * 2_f64.sqrt(), 370.9037, 1e-7, "peer, lo-80, h 2");
}

// statsforecast tests/test_models.py,
// TestHistoricAverage::test_historic_average_fit_predict (mean of all
// 144 values, 280.2986, 4 decimals) and TestWindowAverage::test_window_average
// (WindowAverage(24): the mean of the last 24 values, 452.25 by hand).
// A moving average over the whole series, and over 24 periods.
//
// Convention difference in the spread:
// TestHistoricAverage::test_historic_average_forecast gives lo-80 =
// 126.0227, i.e. sigma 120.3821 = the sample sd of the series (ddof 1,
// 119.9663) times sqrt(1 + 1/n), the interval of a known-mean forecast.
// This crate's moving-average spread is the RMSE of the one-step
// forecasts, each the mean of the values before it (expanding to the
// window): 120.56110612253306 by hand, lo-80 125.7933.
#[test]
fn statsforecast_historic_and_window_averages_on_airpassengers() {
    let fit = MovingAverage::new(144).unwrap().fit(&AP).unwrap();
    close(fit.mean_at(1), 280.298_611_111_111_1, 1e-12, "historic average");
    close(fit.sigma(), 120.561_106_122_533_06, 1e-12, "ours: one-step RMSE");
    close(fit.mean_at(1) - Z90 * fit.sigma(), 125.793_336_815_990_13, 1e-9, "ours, lo-80");
    let fit = MovingAverage::new(24).unwrap().fit(&AP).unwrap();
    close(fit.mean_at(1), 452.25, 1e-12, "window average 24");
}

// statsforecast CrostonClassic (sizes and intervals by SES with 0.1,
// both started at their first value), CrostonSBA (Croston times 0.95)
// and TSB(alpha_d=0.9, alpha_p=0.1) (alpha_d smooths the size, alpha_p
// the probability, started at the first period's indicator) on the
// series of test_fitted_sparse / SPARSE_SERIES and on AirPassengers
// (TestCrostonClassic, TestCrostonSBA and TestTSB run them on it
// without printing a value). Expected values by hand from the peer's
// algorithm (17 digits). This crate's Tsb::new(size, probability) takes
// the constants in the peer's order.
#[test]
fn statsforecast_croston_sba_tsb_on_its_test_series() {
    let want: [(&[f64], f64, f64, f64); 5] = [
        (SPARSE[0], 1.732_676_928_368_733_3, 1.646_043_081_950_296_7, 0.788_173_469_883_000_2),
        (SPARSE[1], 0.546_323_529_411_764_8, 0.519_007_352_941_176_5, 0.323_624_481_400_000_05),
        (SPARSE[2], 0.55, 0.5225, 0.318_847_914),
        (SPARSE[3], 1.264_202_282_983_806_9, 1.200_992_168_834_616_6, 3.112_064_153_345_89),
        (&AP, 460.302_772_481_884, 437.287_633_857_789_8, 428.566_866_545_444_2),
    ];
    for (y, croston, sba, tsb) in want {
        let n = y.len();
        close(
            Croston::default().fit(y).unwrap().mean_at(1),
            croston,
            1e-12,
            &format!("Croston n={n}"),
        );
        close(Sba::default().fit(y).unwrap().mean_at(1), sba, 1e-12, &format!("SBA n={n}"));
        let fit = Tsb::new(0.9, 0.1).unwrap().fit(y).unwrap();
        close(fit.mean_at(1), tsb, 1e-12, &format!("TSB(0.9, 0.1) n={n}"));
    }
}

// Convention difference in the Croston spread. statsforecast's
// CrostonClassic sigma is sqrt(sum of squared in-sample errors / n)
// with its fitted values (the first one NaN, before the first demand
// the previous value); this crate's is the RMSE of the one-step errors
// from the first demand on, over their count (the Croston docs). When
// the first period has demand, the errors are the same n - 1 and
// peer = ours * sqrt((n - 1) / n). On SPARSE[0] (n = 9), by hand:
// ours 1.805922228394, statsforecast 1.702639805324.
#[test]
fn statsforecast_croston_spread_differs_by_its_denominator() {
    let fit = Croston::default().fit(SPARSE[0]).unwrap();
    close(fit.sigma(), 1.805_922_228_394, 1e-11, "ours");
    close(fit.sigma() * (8.0_f64 / 9.0).sqrt(), 1.702_639_805_324, 1e-11, "peer from ours");
}

// statsforecast ADIDA and IMAPA on the same series (TestADIDA and
// TestIMAPA run them on AirPassengers; TestCppEquivalence fixes the
// sparse series and the bucket SES constant's golden-section search on
// [0.1, 0.3] to 1e-12). Expected values by hand from the peer's
// algorithm. Its older releases minimised with scipy's bounded Brent
// (xatol 1e-5) and land within 3e-5 relative of these (ADIDA on
// SPARSE[3]: 1.493384015554021 against 1.4934; on AirPassengers
// 461.7671223993577 against 461.76658863315424).
//
// Tolerance 1e-5 relative. Before the bucket constant was searched to
// 1e-5 (it was 1e-3) with the ends of the range checked, these were up
// to 1.1e-3 off (IMAPA on SPARSE[2]:
// 0.685206 against 0.684472; ADIDA on AirPassengers 461.7928, whose
// best constant is the bound 0.3, which the search stopped 3e-4 short
// of).
#[test]
fn statsforecast_adida_imapa_on_its_test_series() {
    let want: [(&[f64], usize, f64, usize, f64); 5] = [
        (SPARSE[0], 1, 1.526_961_869_998_611, 1, 1.526_961_869_998_611),
        (SPARSE[1], 2, 0.7745, 2, 0.791_332_411_833_398_2),
        (SPARSE[2], 2, 0.7245, 2, 0.684_472_050_000_992_2),
        (SPARSE[3], 2, 1.4934, 2, 1.469_442_410_050_214_6),
        (&AP, 1, 461.766_588_633_154_24, 1, 461.766_588_633_154_24),
    ];
    for (y, k, adida, levels, imapa) in want {
        let n = y.len();
        let fit = Adida.fit(y).unwrap();
        assert_eq!(fit.params().window, Some(k), "ADIDA level, n={n}");
        close(fit.mean_at(1), adida, 1e-5, &format!("ADIDA n={n}"));
        let fit = Imapa.fit(y).unwrap();
        assert_eq!(fit.params().window, Some(levels), "IMAPA levels, n={n}");
        close(fit.mean_at(1), imapa, 1e-5, &format!("IMAPA n={n}"));
    }
}

// Convention difference: with two buckets the one-step SSE of the
// bucket SES is (b1 - b0)^2 whatever the constant, so any constant
// minimises it. This crate keeps 0.1 (Adida docs); statsforecast's
// golden-section search stops at once on equal values and returns the
// middle of [0.1, 0.3], 0.2, and its older scipy search drifted to the
// upper bound (0.29999517). On [0, 3, 0, 0, 5] (mean interval 2.5,
// rounded half to even to 2; buckets [3, 0] and [0, 5], sums 3 and 5):
// ours 3 + 0.1 (5 - 3) = 3.2 a bucket, 1.6 a period; statsforecast
// 3 + 0.2 (2) = 3.4, 1.7 (older: 1.79999517). Peer = ours + (a_peer -
// 0.1) (b1 - b0) / k.
#[test]
fn statsforecast_two_bucket_adida_keeps_a_different_constant() {
    let fit = Adida.fit(&[0.0, 3.0, 0.0, 0.0, 5.0]).unwrap();
    close(fit.mean_at(1), 1.6, 1e-12, "ours");
    close(fit.mean_at(1) + (0.2 - 0.1) * (5.0 - 3.0) / 2.0, 1.7, 1e-12, "peer from ours");
}

// Accuracy measures against statsforecast's companion Nixtla/utilsforecast
// (tests/test_losses.py, whose reference functions mape_single,
// smape_single, bias_single, mase_single define its conventions), on the
// fixed series of its test_linex_loss_numerical: actuals [1, 2, 3],
// forecasts [1, 2.5, 2]. By hand: errors 0, 0.5, 1; MAE 0.5; RMSE
// sqrt(1.25 / 3) = 0.6454972243679028; bias (forecast minus actual, as
// there) (0 + 0.5 - 1) / 3 = -1/6.
//
// Convention differences, both documented on the functions: MAPE here
// is in percent, utilsforecast's a fraction (mean(0, 0.25, 1/3) =
// 0.19444..., ours 19.444...: peer = ours / 100); sMAPE here is
// 200 |A - F| / (|A| + |F|) on [0, 200], utilsforecast's
// |A - F| / (A + F) on [0, 1] (mean(0, 0.5 / 4.5, 1 / 5) = 0.1037037...,
// ours 20.74074...: peer = ours / 200). MASE with seasonality 1 and the
// actuals as training (as that test passes them): scale mean(1, 1) = 1,
// so MASE = MAE = 0.5 in both.
#[test]
fn utilsforecast_accuracy_conventions_on_its_fixed_series() {
    let (actual, forecast) = ([1.0, 2.0, 3.0], [1.0, 2.5, 2.0]);
    close(mae(&actual, &forecast).unwrap(), 0.5, 1e-15, "MAE");
    close(rmse(&actual, &forecast).unwrap(), 0.645_497_224_367_902_8, 1e-15, "RMSE");
    close(bias(&actual, &forecast).unwrap(), -1.0 / 6.0, 1e-15, "bias");
    close(mase(&actual, &forecast, &actual).unwrap(), 0.5, 1e-15, "MASE");
    let peer_mape = (0.0 + 0.25 + 1.0 / 3.0) / 3.0;
    close(mape(&actual, &forecast).unwrap(), 100.0 * peer_mape, 1e-14, "MAPE, percent");
    let peer_smape = (0.0 + 0.5 / 4.5 + 1.0 / 5.0) / 3.0;
    close(smape(&actual, &forecast).unwrap(), 200.0 * peer_smape, 1e-14, "sMAPE, [0, 200]");
}

// Not a peer's number: classical multiplicative seasonal indices of
// AirPassengers (period 12) by the textbook formula (FPP section 3.4),
// computed independently of this crate in a few lines of numpy: the
// centred 2 x 12 moving average (weights 1/24, 1/12, ..., 1/12, 1/24,
// `np.convolve(..., mode="valid")`, at t = 6..=137), the ratios y_t /
// CMA_t, their mean per month (t mod 12, January first), divided by the
// mean of the twelve. The fit's series starts in January and has 144
// values, so step h forecasts month h - 1 and its index is that mean
// over the level.
#[test]
fn classical_seasonal_indices_of_airpassengers_by_the_textbook_formula() {
    let want = [
        0.910_230_367_372_200_9,
        0.883_625_320_694_375_6,
        1.007_366_287_603_545_6,
        0.975_906_012_322_847_5,
        0.981_378_027_495_129_5,
        1.112_775_826_679_272_7,
        1.226_555_542_931_201_4,
        1.219_910_969_445_625_2,
        1.060_491_932_646_818_5,
        0.921_757_240_410_497_6,
        0.801_178_082_413_474_4,
        0.898_824_389_985_011_5,
    ];
    let model = SeasonalIndices::new(12).unwrap().with_method(SeasonalMethod::RatioToMovingAverage);
    let fit = model.fit(&AP).unwrap();
    for (h, want) in (1..=12).zip(want) {
        let index = fit.mean_at(h) / fit.level();
        assert!((index - want).abs() <= 1e-9, "month {}: {index}, textbook {want}", h - 1);
    }
    // Ratio-to-mean on the same series takes the trend in: the early
    // months of each year come out low, the late ones high (January
    // 0.862 against 0.910, December 0.934 against 0.899).
    let simple = SeasonalIndices::new(12).unwrap().fit(&AP).unwrap();
    let index = |h: usize| simple.mean_at(h) / simple.level();
    assert!(want[0] - index(1) > 0.04, "{}", index(1));
    assert!(index(12) - want[11] > 0.03, "{}", index(12));
}
