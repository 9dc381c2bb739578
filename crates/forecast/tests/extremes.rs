//! Values at the ends of the f64 range: finite true answers come out
//! finite, and nothing panics (debug assertions included).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

use merchantry_forecast::{
    Adida, Auto, ClassRule, Croston, DemandModel, Imapa, MovingAverage, Ses, bias, mae, mape, mase,
    rmse,
};

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
