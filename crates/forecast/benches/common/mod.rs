//! Inputs shared by the criterion bench and the `perf_probe` example, so
//! both time the same series.

use chrono::NaiveDate;
use merchantry_core::{DemandSeries, Quantity, Sku};

/// A deterministic daily series: level 20 with a weekly swing and noise
/// from a linear congruential generator; every fifth seed is
/// intermittent (about one day in five has demand, sizes 1 to 8).
pub(crate) fn series(seed: u64, len: usize) -> Vec<f64> {
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

/// `skus` SKUs of 365 fully available days each, named `SKU-000000` on.
pub(crate) fn batch_data(skus: u64) -> Vec<(Sku, DemandSeries)> {
    let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    (0..skus)
        .map(|i| {
            #[expect(clippy::cast_possible_truncation, reason = "small whole numbers in f64")]
            let units = series(i, 365).into_iter().map(|v| Quantity::new(v as i64)).collect();
            (Sku::new(format!("SKU-{i:06}")).unwrap(), DemandSeries::fully_available(start, units))
        })
        .collect()
}
