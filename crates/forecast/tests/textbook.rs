//! Worked examples in the style of the textbooks the models follow
//! (Hyndman and Athanasopoulos, *Forecasting: Principles and Practice*;
//! Croston 1972; Syntetos and Boylan 2005; Teunter, Syntetos and Babai
//! 2011), each recomputed by hand from the published recursion and the
//! initialisation the model documents.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

use merchantry_forecast::{
    Croston, DemandModel, HoltWinters, Sba, Ses, Tsb, mae, mase, naive_scale, rmse,
};

/// Demands of 5, 3 and 7 at t = 2, 6 and 8 in ten periods.
const INTERMITTENT: [f64; 10] = [0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 3.0, 0.0, 7.0, 0.0];

#[test]
fn croston_with_alpha_0_1_on_a_short_intermittent_series() {
    // Intervals 3 (from the start), 4, 2. alpha 0.1:
    // t = 2: z = 5, p = 3
    // t = 6: z = 5 + 0.1 (3 - 5) = 4.8, p = 3 + 0.1 (4 - 3) = 3.1
    // t = 8: z = 4.8 + 0.1 (7 - 4.8) = 5.02, p = 3.1 + 0.1 (2 - 3.1) = 2.99
    // forecast z / p = 5.02 / 2.99 = 1.678929765886...
    let fit = Croston::new(0.1).unwrap().fit(&INTERMITTENT).unwrap();
    assert!((fit.mean_at(1) - 5.02 / 2.99).abs() < 1e-12, "{}", fit.mean_at(1));
    // SBA: times 1 - alpha / 2 = 0.95: 1.594983277591...
    let sba = Sba::new(0.1).unwrap().fit(&INTERMITTENT).unwrap();
    assert!((sba.mean_at(1) - 0.95 * 5.02 / 2.99).abs() < 1e-12, "{}", sba.mean_at(1));
}

#[test]
fn tsb_alpha_smooths_the_size_and_beta_the_probability_as_published() {
    // Teunter, Syntetos and Babai (2011): alpha smooths the demand size
    // (as in Croston), beta the probability of a demand. alpha 0.2,
    // beta 0.1 on the series above:
    // probability from d0 = 0 (no demand at t = 0), every later period
    //   d <- d + 0.1 (1[y > 0] - d): t1 0, t2 0.1, t3 0.09, t4 0.081,
    //   t5 0.0729, t6 0.16561, t7 0.149049, t8 0.2341441, t9 0.21072969
    // size from the first demand: 5, then 5 + 0.2 (3 - 5) = 4.6, then
    //   4.6 + 0.2 (7 - 4.6) = 5.08
    // forecast 0.21072969 * 5.08 = 1.0705068252
    let fit = Tsb::new(0.2, 0.1).unwrap().fit(&INTERMITTENT).unwrap();
    assert!((fit.mean_at(1) - 1.070_506_825_2).abs() < 1e-12, "{}", fit.mean_at(1));
    let params = fit.params();
    assert_eq!((params.alpha, params.beta), (Some(0.2), Some(0.1)));
}

#[test]
fn ses_with_fixed_alpha_follows_the_component_form() {
    // FPP 7.1 component form, level from the first value (as documented):
    // alpha 0.3 on [10, 12, 11, 15]: l = 10; 10.6; 10.72; 12.004.
    let fit = Ses::new(0.3).unwrap().fit(&[10.0, 12.0, 11.0, 15.0]).unwrap();
    assert!((fit.mean_at(1) - 12.004).abs() < 1e-12, "{}", fit.mean_at(1));
    assert!((fit.mean_at(5) - 12.004).abs() < 1e-12, "a flat forecast");
}

#[test]
fn additive_holt_winters_on_a_short_quarterly_series() {
    // Period 4, alpha 0.3, beta* 0.1, gamma 0.2, initial states as the
    // docs say (the first period's mean 28.75, trend (32.25 - 28.75) / 4
    // = 0.875, seasonal terms 1.25, -8.75, -3.75, 11.25), run over all
    // twelve values by FPP 7.3's component form. The end state, worked
    // period by period, is level 36.98927020738518, trend
    // 0.7838809829728307, seasonal terms (phase 0..3) 1.753959046204055,
    // -9.29444772356769, -4.388285546951968, 11.321314110801138, so
    // y(13..16) = l + h b + s: 39.52711023656206, 29.26258444976315,
    // 34.9526276093517, 51.446108250077636.
    // statsmodels' holtwinters `legacy-heuristic` would start from the
    // mean of y_0, y_4, y_8 instead, (30 + 34 + 37) / 3 = 33.67, and give
    // other numbers: the docs name statsmodels' `simple` initialisation.
    let y = [30.0, 20.0, 25.0, 40.0, 34.0, 22.0, 28.0, 45.0, 37.0, 26.0, 31.0, 49.0];
    let fit = HoltWinters::new(4, 0.3, 0.1, 0.2).unwrap().fit(&y).unwrap();
    let want =
        [39.527_110_236_562_06, 29.262_584_449_763_15, 34.952_627_609_351_7, 51.446_108_250_077_64];
    for (h, w) in want.iter().enumerate() {
        let got = fit.mean_at(h + 1);
        assert!((got - w).abs() < 1e-9, "h = {}: {got} vs {w}", h + 1);
    }
    // The seasonal pattern repeats: step 5 is step 1 plus four trends.
    assert!((fit.mean_at(5) - (want[0] + 4.0 * 0.783_880_982_972_830_7)).abs() < 1e-9);
    // The spread is the RMSE of the twelve one-step errors: 1.34606534...
    assert!((fit.sigma() - 1.346_065_343_348_506_6).abs() < 1e-9, "{}", fit.sigma());
}

#[test]
fn mase_uses_the_one_step_naive_scale_of_the_training_data() {
    // Hyndman and Koehler (2006): scale = mean |y_t - y_{t-1}| over the
    // training data. Training [1, 3, 2, 5, 4]: changes 2, 1, 3, 1, mean
    // 7 / 4 = 1.75. Test actual [6, 5] against forecast [4, 4]: MAE 1.5,
    // MASE 1.5 / 1.75 = 6 / 7.
    let training = [1.0, 3.0, 2.0, 5.0, 4.0];
    assert_eq!(naive_scale(&training).unwrap(), 1.75);
    let m = mase(&[6.0, 5.0], &[4.0, 4.0], &training).unwrap();
    assert!((m - 6.0 / 7.0).abs() < 1e-15, "{m}");
    // RMSE of errors 2 and 1: sqrt(2.5).
    assert!((rmse(&[6.0, 5.0], &[4.0, 4.0]).unwrap() - 2.5_f64.sqrt()).abs() < 1e-15);
    assert_eq!(mae(&[6.0, 5.0], &[4.0, 4.0]).unwrap(), 1.5);
}
