//! Builders the reorder test files share: a flat forecast with a lead
//! time, and a planner that looks at the reorder point alone.

#![allow(clippy::unwrap_used, reason = "tests fail loudly; every input is a constant")]

use chrono::NaiveDate;
use merchantry_core::{DailyForecast, Days, LeadTimeEstimate, LocationId, Sku};
use merchantry_reorder::{Planner, PlannerOptions, PolicyConfig, SkuInput};

/// The day every plan is made on.
pub(crate) fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
}

/// SKU `sku` at `DC`, nothing on hand, with a flat forecast of `d` a
/// period (spread `sd`) over 120 periods and a lead time of `l` periods
/// (spread `sd_l`).
pub(crate) fn flat_input(sku: &str, d: f64, sd: f64, l: f64, sd_l: f64) -> SkuInput {
    let forecast = DailyForecast::new(today(), vec![d; 120], vec![sd; 120]).unwrap();
    let lead = LeadTimeEstimate {
        mean: Days::new(l).unwrap(),
        std_dev: Days::new(sd_l).unwrap(),
        stages: vec![],
        quantiles: vec![],
    };
    SkuInput::new(Sku::new(sku).unwrap(), LocationId::new("DC").unwrap(), today(), forecast, lead)
}

/// A planner under `policy` that looks at the reorder point alone (no
/// order-by trigger).
pub(crate) fn planner(policy: PolicyConfig) -> Planner {
    let mut options = PlannerOptions::new(policy);
    options.order_by_trigger = false;
    Planner::new(options).unwrap()
}
