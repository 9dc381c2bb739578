//! Builders shared by the lead-time test files: lanes, the calendar's
//! first day, and purchase orders with itemised stages.

#![allow(clippy::unwrap_used, reason = "tests stop on failure")]

use chrono::{NaiveDate, TimeDelta};
use merchantry_core::{
    Days, Lane, LocationId, PurchaseOrderId, Replenishment, Sku, Stage, StageDuration, SupplierId,
    TransportMode,
};

/// An ocean lane from `supplier` to `destination`, with no origin.
pub(crate) fn lane_to(supplier: &str, destination: &str) -> Lane {
    Lane {
        supplier: SupplierId::new(supplier).unwrap(),
        origin: None,
        destination: LocationId::new(destination).unwrap(),
        mode: TransportMode::Ocean,
    }
}

/// 2026-01-01, the day the tests' offsets count from.
pub(crate) fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// Purchase order `id` on `lane`, for `sku` if given, ordered `offset`
/// days after [`start`] and arriving `days` later, with `stages`
/// itemised (no forecast of their own).
pub(crate) fn order(
    id: &str,
    lane: &Lane,
    sku: Option<&str>,
    offset: i64,
    days: i64,
    stages: &[(Stage, f64)],
) -> Replenishment {
    let ordered_on = start() + TimeDelta::days(offset);
    Replenishment {
        id: PurchaseOrderId::new(id).unwrap(),
        lane: lane.clone(),
        sku: sku.map(|s| Sku::new(s).unwrap()),
        quantity: None,
        ordered_on,
        forecast_arrival: ordered_on,
        actual_arrival: ordered_on + TimeDelta::days(days),
        stages: stages
            .iter()
            .map(|&(stage, d)| StageDuration {
                stage,
                forecast: None,
                actual: Days::new(d).unwrap(),
            })
            .collect(),
    }
}
