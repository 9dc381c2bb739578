//! Values at the ends of the f64 range: finite true answers come out
//! finite, and nothing panics (debug assertions included).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests stop on failure")]

use merchantry_forecast::{
    Adida, Auto, ClassRule, Croston, DemandModel, Imapa, MovingAverage, Ses, mae,
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
