//! Values at the ends of the f64 range: finite true answers come out
//! finite, and nothing panics (debug assertions included).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

use merchantry_forecast::{
    Adida, Auto, Backtest, ChangePoint, ClassRule, Croston, DemandModel, ForecastError, Holt,
    HoltWinters, Imapa, ModelSpec, MovingAverage, PartialStockout, Preparation, Reactive, Sba,
    SeasonalIndices, SeasonalMethod, Ses, Tsb, bias, mae, mape, mase, prepare_values, rmse,
};

/// Classical seasonal indices.
const CLASSICAL: SeasonalMethod = SeasonalMethod::RatioToMovingAverage;

#[test]
fn values_near_f64_max_rescale_instead_of_overflowing() {
    // log2(f64::MAX) rounds to 1024, and 2^1024 is infinite: the rescale
    // divided by infinity. |MAX - 0| averaged over two is MAX itself.
    let max = f64::MAX;
    assert_eq!(mae(&[max, max], &[0.0, 0.0]), Ok(max));
    // MAX, 0, MAX, 0, ...: a 3-term moving average forecasts 2 MAX / 3
    // or MAX / 3 from either phase; the squared errors overflow unscaled,
    // the rescaled fit is finite.
    let y: Vec<f64> = (0..12).map(|i| if i % 2 == 0 { max } else { 0.0 }).collect();
    let models: [Box<dyn DemandModel>; 3] = [
        Box::new(MovingAverage::new(3).unwrap()),
        Box::new(Ses::new(0.3).unwrap()),
        Box::new(Croston::default()),
    ];
    for model in models {
        let fit = model.fit(&y).unwrap_or_else(|e| panic!("{}: {e}", model.kind().name()));
        let next = fit.forecast(2);
        assert!(fit.sigma().is_finite() && fit.sigma() > 0.0, "{}", fit.sigma());
        assert!(next.mean.iter().all(|m| m.is_finite() && *m > 0.0 && *m <= max), "{next:?}");
    }
}

#[test]
fn aggregated_smoothing_of_huge_swings_does_not_panic() {
    // 1e308 - (-1e308) overflows in the level update, which tripped a
    // debug assertion comparing it with the other SES form (NaN). The
    // unscaled pass overflows and the fit is redone rescaled: finite.
    let swing: Vec<f64> = (0..8).map(|i| if i % 2 == 0 { 1e308 } else { -1e308 }).collect();
    let lumpy = [f64::MAX, 0.0, 0.0, f64::MAX, 0.0, 0.0, f64::MAX, 0.0, 0.0, f64::MAX];
    let models: [Box<dyn DemandModel>; 3] =
        [Box::new(Imapa), Box::new(Adida), Box::new(Auto::with_rule(ClassRule::default()))];
    for y in [&swing[..], &lumpy[..]] {
        for model in &models {
            let fit = model.fit(y).unwrap_or_else(|e| panic!("{}: {e}", model.kind().name()));
            assert!(fit.sigma().is_finite(), "{}: {}", model.kind().name(), fit.sigma());
            assert!(fit.forecast(2).mean.iter().all(|m| m.is_finite()));
        }
    }
}

#[test]
fn accuracy_measures_rescale_up_and_down_to_their_true_values() {
    // MAPE: each term 100 |1 - 1e306| / 1 = 1e308 (to rounding); the sum
    // 2e308 overflows, the mean 1e308 does not.
    let v = mape(&[1.0, 1.0], &[1e306, 1e306]).unwrap();
    assert!((v / 1e308 - 1.0).abs() < 1e-12, "{v}");
    // MASE: MAE |1.7e308 + 1.7e308| = 3.4e308 and naive scale
    // |1.7e308 + 1.7e308| = 3.4e308 both overflow; their ratio is 1.
    assert_eq!(mase(&[1.7e308], &[-1.7e308], &[-1.7e308, 1.7e308]), Ok(1.0));
    // Same with a finite MAE over an overflowing scale: 1e308 / 3.4e308
    // = 1 / 3.4.
    let v = mase(&[1e308], &[0.0], &[-1.7e308, 1.7e308]).unwrap();
    assert!((v - 1.0 / 3.4).abs() < 1e-12, "{v}");
    // RMSE: 1e-200 squared underflows to 0; the RMSE is 1e-200.
    assert_eq!(rmse(&[1e-200], &[0.0]), Ok(1e-200));
    // sqrt((1e-200^2 + (2e-200)^2) / 2) = 1e-200 sqrt(2.5).
    let v = rmse(&[1e-200, 0.0], &[0.0, -2e-200]).unwrap();
    assert!((v / (1e-200 * 2.5_f64.sqrt()) - 1.0).abs() < 1e-12, "{v}");
    // Tiny errors between huge values: 1e300 vs 1e300 is 0, the other 1e-200.
    let v = rmse(&[1e300, 1e-200], &[1e300, 0.0]).unwrap();
    assert!((v / (1e-200 / 2_f64.sqrt()) - 1.0).abs() < 1e-12, "{v}");
    assert_eq!(mae(&[1e-200], &[0.0]), Ok(1e-200));
    assert_eq!(bias(&[0.0], &[1e-200]), Ok(1e-200));
    // Still exact for ordinary and all-zero errors.
    assert_eq!(rmse(&[3.0, 0.0], &[0.0, 4.0]), Ok(12.5_f64.sqrt()));
    assert_eq!(rmse(&[2.0, 2.0], &[2.0, 2.0]), Ok(0.0));
    assert_eq!(bias(&[1.0, -1.0], &[0.0, 0.0]), Ok(0.0));
}

/// Every model with fixed and fitted constants, seasonal ones over 2 and
/// 7 periods. `Reactive` is left out: its change-point floor (Poisson
/// noise of counts, `sqrt(max(mean, 1))`) is not scale-free.
fn scale_free_models() -> Vec<Box<dyn DemandModel>> {
    vec![
        Box::new(MovingAverage::new(1).unwrap()),
        Box::new(MovingAverage::new(7).unwrap()),
        Box::new(Ses::fitted()),
        Box::new(Ses::new(0.3).unwrap()),
        Box::new(Holt::fitted()),
        Box::new(Holt::new(0.5, 0.5).unwrap()),
        Box::new(Holt::new(0.9, 0.9).unwrap()),
        Box::new(SeasonalIndices::new(2).unwrap()),
        Box::new(SeasonalIndices::weekly()),
        Box::new(SeasonalIndices::new(2).unwrap().with_method(CLASSICAL)),
        Box::new(SeasonalIndices::weekly().with_method(CLASSICAL)),
        Box::new(HoltWinters::fitted(2).unwrap()),
        Box::new(HoltWinters::fitted(7).unwrap()),
        Box::new(HoltWinters::new(7, 0.5, 0.5, 0.5).unwrap()),
        Box::new(Croston::default()),
        Box::new(Sba::default()),
        Box::new(Tsb::default()),
        Box::new(Adida),
        Box::new(Imapa),
        Box::new(Auto::default()),
    ]
}

/// A named rule for the value of period `i`.
type Named = (&'static str, fn(usize) -> f64);

/// Series at the top of the f64 range, 28 values each.
fn huge_series() -> Vec<(&'static str, Vec<f64>)> {
    let max = f64::MAX;
    let t = |i: usize| f64::from(u32::try_from(i).unwrap());
    let series: [Named; 14] = [
        ("all max", |_| f64::MAX),
        ("all -max", |_| -f64::MAX),
        ("max, -max, ...", |i| if i % 2 == 0 { f64::MAX } else { -f64::MAX }),
        ("max, 0, ...", |i| if i % 2 == 0 { f64::MAX } else { 0.0 }),
        ("0, max, ...", |i| if i % 2 == 1 { f64::MAX } else { 0.0 }),
        ("steps of 1e300", |i| 1e300 * f64::from(u32::try_from(i).unwrap())),
        ("steps of 6e306", |i| 6e306 * f64::from(u32::try_from(i).unwrap())),
        ("down from max", |i| f64::MAX - 6e306 * f64::from(u32::try_from(i).unwrap())),
        ("weekly max", |i| if i % 7 == 5 { f64::MAX } else { f64::MAX / 4.0 }),
        ("weekly +-max", |i| if i % 7 < 3 { f64::MAX } else { -f64::MAX }),
        ("max, tiny, -1e300", |i| match i % 3 {
            0 => f64::MAX,
            1 => f64::from_bits(1),
            _ => -1e300,
        }),
        ("0 then max", |i| if i < 14 { 0.0 } else { f64::MAX }),
        ("-max then max", |i| if i < 14 { -f64::MAX } else { f64::MAX }),
        ("odd ones, then 2 max", |i| match i {
            26 | 27 => f64::MAX,
            _ => f64::from(u8::from(i % 2 == 1)),
        }),
    ];
    let mut out: Vec<(&'static str, Vec<f64>)> =
        series.iter().map(|(name, f)| (*name, (0..28).map(f).collect())).collect();
    out.push(("ramp to max", (0..28).map(|i| max - t(27 - i) * 1e306).collect()));
    out
}

#[test]
fn huge_series_forecast_their_true_means_never_a_silent_zero() {
    // Law: the fit of y equals the fit of y / 2^64 scaled back by 2^64
    // (every model is equivariant under a power-of-two scaling), where
    // that is finite; a mean past f64::MAX is f64::MAX (and an error from
    // try_forecast); a state past it is a typed overflow. A level, trend
    // or seasonal term that overflowed was read as 0 and the forecast
    // was a silent 0 (Holt on all-MAX 30 days ahead, seasonal indices on
    // all-MAX, Holt-Winters on weekly +-MAX, ...).
    let up = 2_f64.powi(64);
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    for (name, y) in huge_series() {
        let small: Vec<f64> = y.iter().map(|v| v / up).collect();
        for model in scale_free_models() {
            let kind = model.kind();
            let mut reference = model.fit(&small).unwrap();
            let fit = match model.fit(&y) {
                Ok(fit) => fit,
                Err(ForecastError::Overflow { .. }) => continue,
                Err(e) => panic!("{name}, {kind}: {e}"),
            };
            if fit.kind() != reference.kind() {
                // Only Auto changes model with the data: it classifies the
                // series it is given, and y / 2^64 can flush a subnormal
                // demand of y to 0. "max, tiny, -1e300" has sizes MAX and
                // 5e-324 (CV² near 1: lumpy, ADIDA), its scaled copy MAX
                // / 2^64 alone (intermittent, IMAPA). The law is then the
                // one of the model chosen for y. (The two agreed only
                // while y's CV² overflowed to NaN and was read as 0.)
                reference = Auto::default().choose(&y).1.fit(&small).unwrap();
            }
            assert!(close(fit.sigma(), reference.sigma() * up), "{name}, {kind}: {fit:?}");
            for h in [1, 2, 3, 7, 30] {
                let want = reference.mean_at(h) * up;
                let got = fit.mean_at(h);
                if want.is_finite() {
                    assert!(close(got, want), "{name}, {kind}, h {h}: {got:e} vs {want:e}");
                } else {
                    assert_eq!(got, f64::MAX, "{name}, {kind}, h {h}");
                    let refused = fit.try_forecast(h);
                    assert!(matches!(refused, Err(ForecastError::Overflow { .. })), "{name}");
                }
            }
        }
    }
}

#[test]
fn overflowed_states_are_refitted_or_refused() {
    let max = f64::MAX;
    // Seasonal indices on all-MAX: the overall mean overflowed, every
    // index was MAX / inf = 0, every period was skipped: forecast 0 and
    // spread 0. The rescaled fit reproduces the series exactly.
    let fit = SeasonalIndices::weekly().fit(&[max; 21]).unwrap();
    assert_eq!((fit.mean_at(1), fit.mean_at(7), fit.sigma()), (max, max, 0.0));
    // The classical indices average each window with `mean`, which
    // scales an overflowing sum down: every ratio is MAX / MAX = 1.
    let fit = SeasonalIndices::weekly().with_method(CLASSICAL).fit(&[max; 21]).unwrap();
    assert_eq!((fit.mean_at(1), fit.mean_at(7), fit.sigma()), (max, max, 0.0));
    // Reactive: a jump from -MAX to MAX is confirmed after two days and
    // forecast by the mean of the new segment, MAX; that mean overflowed
    // (MAX + MAX) and was read as 0.
    let mut y = vec![-max; 40];
    y.extend([max, max]);
    let fit = Reactive::new(Ses::fitted()).fit(&y).unwrap();
    assert_eq!((fit.level_reset_at(), fit.mean_at(1)), (Some(40), max));
    // Holt on 0, 1e307, ..., 9e307 continues the line by 1e307 a day:
    // 1e308 on day 1, past MAX (1.797e308) from day 9 on. Those means
    // were 0; now they are MAX, or an error from try_forecast.
    let y: Vec<f64> = (0..10).map(|t| 1e307 * f64::from(t)).collect();
    let fit = Holt::new(0.5, 0.5).unwrap().fit(&y).unwrap();
    assert!((fit.mean_at(1) / 1e308 - 1.0).abs() < 1e-9, "{}", fit.mean_at(1));
    assert_eq!(fit.mean_at(9), max);
    assert!(fit.try_forecast(8).is_ok());
    assert_eq!(fit.try_forecast(9), Err(ForecastError::Overflow { what: "forecast mean" }));
}

#[test]
fn tiny_and_cancelling_series_get_their_true_spread_not_zero() {
    // Squared errors of 1e-200 underflow to 0: the spread of every model
    // was 0. Rescaled up by a power of two and back it is the true one,
    // the fit of y * 2^k divided by 2^k, 2^k bringing the largest value
    // to [1, 2) (where the fit is done).
    let tiny: [(&str, Vec<f64>); 3] = [
        ("1e-200, 0, ...", (0..28).map(|i| if i % 2 == 0 { 1e-200 } else { 0.0 }).collect()),
        ("ramp of 1e-200", (0..28).map(|i| 1e-200 * f64::from(i)).collect()),
        ("noise of 1e-170", (0..28).map(|i| 1e-170 * f64::from((i * 7) % 5)).collect()),
    ];
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    for (name, y) in &tiny {
        let max = y.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let mut up = 1.0;
        while max * up < 1.0 {
            up *= 2.0;
        }
        let large: Vec<f64> = y.iter().map(|v| v * up).collect();
        for model in scale_free_models() {
            let (fit, reference) = (model.fit(y).unwrap(), model.fit(&large).unwrap());
            let kind = model.kind();
            let want = reference.sigma() / up;
            assert!(close(fit.sigma(), want), "{name}, {kind}: {:e} vs {want:e}", fit.sigma());
            for h in [1, 7] {
                let (got, want) = (fit.mean_at(h), reference.mean_at(h) / up);
                assert!(close(got, want), "{name}, {kind}, h {h}: {got:e} vs {want:e}");
            }
        }
    }
    // MA(1) on a, 0, a, 0 with a = 2^-1070 (subnormal): residuals -a, a,
    // -a, so the RMSE is a; a^2 underflowed to 0.
    let a = 2_f64.powi(-1070);
    let fit = MovingAverage::new(1).unwrap().fit(&[a, 0.0, a, 0.0]).unwrap();
    assert_eq!(fit.sigma(), a);
    // Seasonal indices on 14 days of -1e300 then 14 of 1e300: the mean
    // is 0 but sums to a rounding speck above it, so every index was 0,
    // every period skipped and the spread 0. Now the indices are 1 and
    // the jump of 2e300 shows in the spread.
    let mut y = vec![-1e300; 14];
    y.extend([1e300; 14]);
    let (weekly, pairs) = (SeasonalIndices::weekly(), SeasonalIndices::new(2).unwrap());
    for model in [weekly, pairs, weekly.with_method(CLASSICAL), pairs.with_method(CLASSICAL)] {
        let fit = model.fit(&y).unwrap();
        // At least the jump's residual 2e300 over 27: sigma > 3.8e299.
        assert!(fit.sigma() > 3.8e299, "{fit:?}");
        assert!(fit.mean_at(1) > 0.0, "{fit:?}");
    }
}

#[test]
fn a_detector_season_past_half_of_usize_is_too_long_not_a_panic() {
    // The detector read the series deseasonalised when `len >= 2 m`;
    // `2 m` overflowed for m above usize::MAX / 2 (a panic with overflow
    // checks; without them it wrapped to 0 and allocated m phases, a
    // capacity-overflow panic). A season that long is longer than any
    // series: the values are read as they are, as for m = 40 on 40 days.
    let y: Vec<f64> = (0..40).map(|t| f64::from(t % 5)).collect();
    let plain = ChangePoint { season: Some(40), ..ChangePoint::default() };
    let want = Reactive::with_detector(Ses::fitted(), plain).unwrap().fit(&y).unwrap();
    for m in [usize::MAX / 2 + 1, usize::MAX] {
        let detector = ChangePoint { season: Some(m), ..ChangePoint::default() };
        assert_eq!(detector.change_points(&y), plain.change_points(&y), "season {m}");
        let fit = Reactive::with_detector(Ses::fitted(), detector).unwrap().fit(&y).unwrap();
        assert_eq!(fit, want, "season {m}");
    }
}

#[test]
fn a_holdout_of_usize_max_skips_every_series() {
    // `holdout + 1` overflowed. No series is longer than the holdout, so
    // none is scored and every class keeps its default model.
    let y: Vec<f64> = (0..60).map(|t| f64::from(t % 7)).collect();
    let rule = ClassRule::learn([&y[..]], &ModelSpec::non_seasonal(), usize::MAX).unwrap();
    assert_eq!(rule, ClassRule::default());
}

#[test]
fn backtest_mase_of_origins_near_f64_max_is_their_finite_mean() {
    // Two origins (initial 2, horizon 1, step 1) of MA(1) on
    // [0, a, b, c], a = 5e-324 (the smallest subnormal), b = 7.4e-16,
    // c = 5.5e292. Origin 2: training [0, a], scale a, error b - a:
    // MASE (b - a) / a = 1.4978e308. Origin 3: training [0, a, b], scale
    // b / 2, error c - b: MASE 1.4865e308. Both are finite; their sum is
    // not, and the report's MASE read infinite.
    let (a, b, c) = (5e-324, 7.4e-16, 5.5e292);
    let first = mase(&[b], &[a], &[0.0, a]).unwrap();
    let second = mase(&[c], &[b], &[0.0, a, b]).unwrap();
    assert!(first.is_finite() && second.is_finite() && (first + second).is_infinite());
    let backtest = Backtest { initial: 2, horizon: 1, step: 1 };
    let report = backtest.run(&MovingAverage::new(1).unwrap(), &[0.0, a, b, c]).unwrap();
    assert_eq!(report.origins, 2);
    let got = report.mase.unwrap();
    let want = first / 2.0 + second / 2.0;
    assert!((got - want).abs() <= 1e-12 * want, "{got:e} vs {want:e}");
}

#[test]
fn prepare_values_near_f64_max_keeps_finite_velocities() {
    // Three days of 1e308 and one of 1: the true in-stock velocity is
    // 7.5e307 (finite), its 0.3 share 2.25e307, so only the day of 1 is
    // a partial stock-out and the adjusted velocity is 1e308. The sum
    // overflows to infinity: velocity inf, cut inf, every day flagged
    // (adjusted velocity 0). Only `units`, 3e308, is truly past f64.
    let rule = PartialStockout { share: 0.3, min_velocity: 0.0, season: None };
    let opts = Preparation { partial: Some(rule), ..Preparation::default() };
    let p = prepare_values(&[1e308, 1e308, 1e308, 1.0], &[false; 4], &opts).unwrap();
    assert_eq!(p.stocked_out, [false, false, false, true]);
    assert_eq!(p.velocity.adjusted, 1e308);
    assert!(p.velocity.raw.is_finite(), "{:?}", p.velocity);
}
