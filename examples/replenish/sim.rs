//! The replay: a forecast that only ever sees the past, and the ledger
//! that values what the policies did.

use std::cell::RefCell;
use std::collections::BTreeMap;

use chrono::{Days, NaiveDate, NaiveTime};
use merchantry::core::{
    ChannelId, DailyForecast, DateRange, Decimal, DemandForecast, DemandSeries, EventId,
    LocationId, OrderId, Quantity, Sku,
};
use merchantry::forecast::Forecaster;
use merchantry::ledger::{Event, EventKind, Ledger, LedgerOptions};
use merchantry::reorder::SimulatedOrder;

use crate::data::BoxError;

/// A demand forecast refitted every `refit_days` on the history before
/// the day it is asked about, so a replay never peeks at the future.
pub(crate) struct Rolling<'a> {
    forecaster: Forecaster,
    origin: NaiveDate,
    history: &'a BTreeMap<Sku, Vec<Quantity>>,
    refit_days: i64,
    cache: RefCell<BTreeMap<(Sku, i64), Option<merchantry::forecast::SkuForecast>>>,
}

impl<'a> Rolling<'a> {
    pub(crate) fn new(
        forecaster: Forecaster,
        origin: NaiveDate,
        history: &'a BTreeMap<Sku, Vec<Quantity>>,
        refit_days: i64,
    ) -> Self {
        Self { forecaster, origin, history, refit_days, cache: RefCell::new(BTreeMap::new()) }
    }
}

impl DemandForecast for Rolling<'_> {
    fn forecast_demand(&self, sku: &Sku, start: NaiveDate, horizon: u32) -> Option<DailyForecast> {
        let known = (start - self.origin).num_days();
        let units = self.history.get(sku)?;
        // Refit on whole weeks of history; the first weeks refit daily.
        let cut = if known < 2 * self.refit_days { known } else { known - known % self.refit_days };
        let cut = cut.min(i64::try_from(units.len()).ok()?);
        if cut <= 0 {
            return None;
        }
        let mut cache = self.cache.borrow_mut();
        let fit = cache.entry((sku.clone(), cut)).or_insert_with(|| {
            let seen = units.get(..usize::try_from(cut).ok()?)?.to_vec();
            let series = DemandSeries::fully_available(self.origin, seen);
            self.forecaster.fit_series(sku, &series).ok()
        });
        fit.as_ref()?.daily(start, horizon)
    }
}

/// What one policy did to one SKU, day by day.
pub(crate) struct Replay {
    pub(crate) ledger: Ledger,
    pub(crate) on_hand: Vec<i64>,
    pub(crate) lost: i64,
    pub(crate) served: i64,
}

fn at(day: NaiveDate, hour: u32) -> chrono::DateTime<chrono::Utc> {
    day.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or_default()).and_utc()
}

/// Books the replay into a ledger: the opening stock and every arrival as
/// receipts at `unit_cost`, every unit served as a shipment. A day's
/// arrivals land before its sales, as in the reorder crate's backtest.
pub(crate) fn replay(
    sku: &Sku,
    location: &LocationId,
    start: NaiveDate,
    opening: Quantity,
    demand: &[Quantity],
    orders: &[SimulatedOrder],
    unit_cost: Decimal,
) -> Result<Replay, BoxError> {
    let mut ledger = Ledger::new(LedgerOptions::default());
    let channel = ChannelId::new("web")?;
    let mut arrivals: BTreeMap<NaiveDate, i64> = BTreeMap::new();
    for o in orders {
        *arrivals.entry(o.arrives).or_insert(0) += o.quantity.get();
    }
    let event = |id: String, day, hour, kind| -> Result<Event, BoxError> {
        Ok(Event::new(EventId::new(id)?, at(day, hour), sku.clone(), location.clone(), kind))
    };
    ledger.ingest(event(
        format!("{sku}/open"),
        start,
        0,
        EventKind::receipt(opening, unit_cost),
    )?)?;
    let (mut stock, mut lost, mut served) = (opening.get(), 0, 0);
    let mut on_hand = Vec::with_capacity(demand.len());
    for (i, want) in demand.iter().enumerate() {
        let day = start + Days::new(u64::try_from(i)?);
        if let Some(&q) = arrivals.get(&day) {
            let kind = EventKind::receipt(Quantity::new(q), unit_cost);
            ledger.ingest(event(format!("{sku}/in/{day}"), day, 6, kind)?)?;
            stock += q;
        }
        // A day of net returns (below zero) is a day of no demand, as
        // the reorder backtest and the metrics read it.
        let want = want.get().max(0);
        let sold = want.min(stock).max(0);
        if sold > 0 {
            let order = OrderId::new(format!("{sku}-{day}"))?;
            let kind = EventKind::shipment(Quantity::new(sold), channel.clone(), order);
            ledger.ingest(event(format!("{sku}/out/{day}"), day, 12, kind)?)?;
        }
        stock -= sold;
        served += sold;
        lost += want - sold;
        on_hand.push(stock);
    }
    Ok(Replay { ledger, on_hand, lost, served })
}

/// The days of a replay.
pub(crate) fn days(start: NaiveDate, len: usize) -> Result<DateRange, BoxError> {
    Ok(DateRange::starting(start, u32::try_from(len)?)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_net_return_day_is_no_demand_in_the_replay() {
        // 5 on the shelf, no orders, demand 3, -4 (net returns), 3: the
        // -4 is a day of no demand, not 4 units put back or "lost" below
        // zero. Day 1 sells 3 (2 left), day 2 nothing, day 3 sells 2 and
        // loses 1: served 5, lost 1.
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap_or_default();
        let demand = [3, -4, 3].map(Quantity::new);
        let r = replay(
            &Sku::new("MUG").unwrap(),
            &LocationId::new("WH").unwrap(),
            day,
            Quantity::new(5),
            &demand,
            &[],
            Decimal::ONE,
        )
        .unwrap();
        assert_eq!((r.served, r.lost), (5, 1));
        assert_eq!(r.on_hand, vec![2, 2, 0]);
    }
}
