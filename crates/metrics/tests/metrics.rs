//! Hand-worked values for every metric, with the arithmetic in comments,
//! and the property laws.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a failed unwrap is a failed test")]

use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{
    AgedLot, CostOfSale, Currency, DailyForecast, DateRange, Days, Decimal, DemandRecord,
    Disposition, Holding, Lane, LocationId, LocationKind, Money, PurchaseOrderId, Quantity,
    Replenishment, Sku, Stage, StageDuration, StockRecord, SupplierId, TransportMode,
    ValuationTable, ValuationView,
};
use merchantry_metrics::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn sku(s: &str) -> Sku {
    Sku::new(s).unwrap()
}

fn loc(s: &str) -> LocationId {
    LocationId::new(s).unwrap()
}

fn holding(location: &str, disposition: Disposition, units: i64, value: i64) -> Holding {
    Holding {
        location: loc(location),
        disposition,
        quantity: Quantity::new(units),
        value: Decimal::from(value),
    }
}

fn sale(date: NaiveDate, location: &str, units: i64, cost: i64) -> CostOfSale {
    CostOfSale {
        date,
        location: loc(location),
        channel: None,
        quantity: Quantity::new(units),
        cost: Decimal::from(cost),
    }
}

/// Q1 2026 (90 days) of one SKU in one warehouse:
/// opening (end of 31 Dec) 1000; January 1000 every day; February 1200;
/// March 800; COGS 3600.
fn q1_books() -> (ValuationTable, Sku, DateRange) {
    let s = sku("KETTLE");
    let mut t = ValuationTable::new(Currency::USD);
    for (day, value) in [
        (d(2025, 12, 31), 1000),
        (d(2026, 1, 1), 1000),
        (d(2026, 2, 1), 1200),
        (d(2026, 3, 1), 800),
    ] {
        t.holdings.push((day, s.clone(), holding("WH", Disposition::Sellable, value / 10, value)));
    }
    t.cost_of_sales.push((s.clone(), sale(d(2026, 2, 10), "WH", 360, 3600)));
    let q1 = DateRange::inclusive(d(2026, 1, 1), d(2026, 3, 31)).unwrap();
    (t, s, q1)
}

fn turn_with(method: AverageMethod) -> InventoryTurn {
    let (t, s, q1) = q1_books();
    inventory_turn(&t, &s, q1, &TurnOptions::default().with_average(method)).unwrap()
}

#[test]
fn itr_opening_closing_by_hand() {
    // average = (1000 + 800) / 2 = 900; ITR = 3600 / 900 = 4
    // annualised = 4 x 365 / 90 = 16.2222...; DIO = 90 / 4 = 22.5
    let t = turn_with(AverageMethod::OpeningClosing);
    assert_eq!(t.average_inventory, Decimal::from(900));
    assert_eq!(t.itr.value(), Some(Decimal::from(4)));
    assert_eq!(t.annualised_itr.value(), Some(Decimal::from(1460) / Decimal::from(90)));
    assert_eq!(t.dio_days.value(), Some(dec("22.5")));
}

#[test]
fn itr_month_ends_by_hand() {
    // snapshots: opening 1000, 31 Jan 1000, 28 Feb 1200, 31 Mar 800
    // average = 4000 / 4 = 1000; ITR = 3600 / 1000 = 3.6; DIO = 90 / 3.6 = 25
    let t = turn_with(AverageMethod::PeriodEnds(Period::Month));
    assert_eq!(t.samples, 4);
    assert_eq!(t.average_inventory, Decimal::from(1000));
    assert_eq!(t.itr.value(), Some(dec("3.6")));
    assert_eq!(t.dio_days.value(), Some(Decimal::from(25)));
}

#[test]
fn itr_daily_time_weighted_by_hand() {
    // sum = 31 x 1000 + 28 x 1200 + 31 x 800 = 31000 + 33600 + 24800 = 89400
    // average = 89400 / 90 = 993.33...; ITR = 3600 x 90 / 89400 = 3.6241...
    // DIO = 90 x 89400 / (3600 x 90) = 24.8333...
    let t = turn_with(AverageMethod::DailyTimeWeighted);
    assert_eq!(t.inventory_sum, Decimal::from(89_400));
    assert_eq!(t.samples, 90);
    assert_eq!(t.itr.value(), Some(Decimal::from(324_000) / Decimal::from(89_400)));
    assert!((t.itr.value().unwrap() - dec("3.62416")).abs() < dec("0.00001"));
    assert_eq!(t.dio_days.value(), Some(Decimal::from(89_400) / Decimal::from(3600)));
}

#[test]
fn period_end_conventions() {
    // 2026-01-04 is a Sunday; 2026-03-31 ends Q1; 2028-02-29 ends a leap February.
    assert!(Period::Week.is_end(d(2026, 1, 4)));
    assert!(!Period::Week.is_end(d(2026, 1, 5)));
    assert!(Period::Quarter.is_end(d(2026, 3, 31)));
    assert!(!Period::Quarter.is_end(d(2026, 4, 30)));
    assert!(Period::Month.is_end(d(2028, 2, 29)));
    // A 10-day range 1-10 Jan 2026 sampled weekly: opening, Sun 4 Jan,
    // and the last day (10 Jan, a Saturday, closes the partial week): 3.
    let series = InventorySeries::new(
        DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 10)).unwrap(),
        Decimal::from(10),
        (1..=10).map(Decimal::from).collect(),
    )
    .unwrap();
    // 10 + 4 + 10 = 24 over 3 snapshots
    assert_eq!(
        series.sample(AverageMethod::PeriodEnds(Period::Week)).unwrap(),
        (Decimal::from(24), 3)
    );
}

#[test]
fn itr_by_location_and_kind() {
    // Jan 2026, two locations, flat values: WH 600, FBA 400; COGS WH 300, FBA 800.
    let s = sku("MUG");
    let mut t = ValuationTable::new(Currency::USD);
    let day = d(2025, 12, 31);
    t.holdings.push((day, s.clone(), holding("WH", Disposition::Sellable, 60, 600)));
    t.holdings.push((day, s.clone(), holding("FBA", Disposition::Sellable, 40, 400)));
    t.cost_of_sales.push((s.clone(), sale(d(2026, 1, 5), "WH", 30, 300)));
    t.cost_of_sales.push((s.clone(), sale(d(2026, 1, 6), "FBA", 80, 800)));
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    let opts = TurnOptions::default();
    let wh = loc("WH");
    let at_wh = TurnParts::measure(&t, &s, jan, &Scope::Location(&wh), &opts).unwrap();
    // 300 / 600 = 0.5
    assert_eq!(at_wh.finish(&opts).unwrap().itr.value(), Some(dec("0.5")));
    let mut dir = BTreeMap::new();
    dir.insert(loc("WH"), LocationKind::OwnWarehouse);
    dir.insert(loc("FBA"), LocationKind::FbaNetwork);
    let fba = portfolio_turn(
        &t,
        std::slice::from_ref(&s),
        jan,
        &Scope::Kind(LocationKind::FbaNetwork, &dir),
        &opts,
    )
    .unwrap();
    // 800 / 400 = 2
    assert_eq!(fba.itr.value(), Some(Decimal::from(2)));
    // whole SKU: 1100 / 1000 = 1.1
    assert_eq!(inventory_turn(&t, &s, jan, &opts).unwrap().itr.value(), Some(dec("1.1")));
    // a directory that lacks FBA is an error naming it
    dir.remove(&loc("FBA"));
    let err = portfolio_turn(&t, &[s], jan, &Scope::Kind(LocationKind::FbaNetwork, &dir), &opts);
    assert!(
        matches!(err, Err(MetricsError::UnknownLocation { location, .. }) if location == loc("FBA"))
    );
}

#[test]
fn portfolio_turn_is_total_cogs_over_total_average() {
    // A: avg 1000, COGS 3600 (q1_books, month ends); B: flat 3000, COGS 400.
    // portfolio = (3600 + 400) / (1000 + 3000) = 1
    let (mut t, a, q1) = q1_books();
    let b = sku("B");
    t.holdings.push((d(2025, 12, 1), b.clone(), holding("WH", Disposition::Sellable, 1, 3000)));
    t.cost_of_sales.push((b.clone(), sale(d(2026, 3, 1), "WH", 1, 400)));
    let opts = TurnOptions::default().with_average(AverageMethod::PeriodEnds(Period::Month));
    let p = portfolio_turn(&t, &[a, b], q1, &Scope::Total, &opts).unwrap();
    assert_eq!(p.itr.value(), Some(Decimal::ONE));
    let empty = portfolio_turn(&t, &[], q1, &Scope::Total, &opts).unwrap();
    assert_eq!(empty.itr.reason(), Some(Undefined::ZeroAverageInventory));
}

#[test]
fn degenerate_turns_are_typed() {
    let s = sku("NONE");
    let t = ValuationTable::new(Currency::USD);
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    let opts = TurnOptions::default();
    let zero = inventory_turn(&t, &s, jan, &opts).unwrap();
    assert_eq!(zero.itr.reason(), Some(Undefined::ZeroAverageInventory));
    assert_eq!(zero.dio_days.reason(), Some(Undefined::ZeroAverageInventory));
    let empty = DateRange::new(d(2026, 1, 1), d(2026, 1, 1)).unwrap();
    assert!(matches!(inventory_turn(&t, &s, empty, &opts), Err(MetricsError::EmptyRange { .. })));
    // stock but no sales: ITR 0, DIO undefined
    let (books, k, q1) = q1_books();
    let mut no_sales = books.clone();
    no_sales.cost_of_sales.clear();
    let idle = inventory_turn(&no_sales, &k, q1, &opts).unwrap();
    assert_eq!(idle.itr.value(), Some(Decimal::ZERO));
    assert_eq!(idle.dio_days.reason(), Some(Undefined::NoCostOfSales));
    // negative stock value
    let mut neg = ValuationTable::new(Currency::USD);
    neg.holdings.push((d(2025, 1, 1), s.clone(), holding("WH", Disposition::Sellable, -1, -5)));
    let n = inventory_turn(&neg, &s, jan, &opts).unwrap();
    assert_eq!(n.itr.reason(), Some(Undefined::NegativeAverageInventory));
    // currencies never mix
    let mut usd = inventory_turn(&books, &k, q1, &opts).unwrap().parts();
    let mut eur = usd;
    eur.currency = Currency::EUR;
    assert!(matches!(usd.merge(&eur), Err(MetricsError::CurrencyMismatch { .. })));
    assert!(matches!(
        gmroi(&usd, Money::new(Decimal::ONE, Currency::EUR)),
        Err(MetricsError::CurrencyMismatch { .. })
    ));
    // another range does not merge, and the failed merge changed nothing
    let before = usd;
    let mut other = usd;
    other.samples = 3;
    assert!(usd.merge(&other).is_err());
    assert_eq!(usd, before);
}

#[test]
fn gmroi_by_hand() {
    // month ends: COGS 3600, average 1000; revenue 6000
    // GMROI = (6000 - 3600) / 1000 = 2.4
    let t = turn_with(AverageMethod::PeriodEnds(Period::Month));
    let g = gmroi(&t.parts(), Money::new(Decimal::from(6000), Currency::USD)).unwrap();
    assert_eq!(g.value(), Some(dec("2.4")));
}

fn cover_fixture(mean: f64) -> (Vec<StockRecord>, BTreeMap<Sku, DailyForecast>, Sku) {
    let s = sku("LAMP");
    let rec = |disposition, units| StockRecord {
        as_of: d(2026, 5, 1),
        sku: s.clone(),
        location: loc("FBA"),
        disposition,
        quantity: Quantity::new(units),
    };
    let stock = vec![
        rec(Disposition::Sellable, 100),
        rec(Disposition::Reserved, 20),
        rec(Disposition::Inbound, 60),
        rec(Disposition::Unsellable, 5),
    ];
    let mut fc = BTreeMap::new();
    fc.insert(s.clone(), DailyForecast::new(d(2026, 5, 2), vec![mean; 60], vec![1.0; 60]).unwrap());
    (stock, fc, s)
}

#[test]
fn days_of_supply_by_hand() {
    // supply = 100 sellable + 60 inbound = 160 (reserved 20 and unsellable 5 excluded)
    // daily demand = 8; days = 160 / 8 = 20; weeks = 20 / 7 = 2.857...
    let (stock, fc, s) = cover_fixture(8.0);
    let c = days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &CoverOptions::default()).unwrap();
    assert_eq!(c.supply_units, Quantity::new(160));
    assert_eq!(c.days_of_supply.value(), Some(20.0));
    assert!((c.weeks_of_cover.value().unwrap() - 20.0 / 7.0).abs() < 1e-12);
    // without inbound: 100 / 8 = 12.5
    let no_inbound = CoverOptions::default().with_inbound(false);
    let c = days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &no_inbound).unwrap();
    assert_eq!(c.days_of_supply.value(), Some(12.5));
    // zero demand and no forecast are typed
    let (stock, fc, s) = cover_fixture(0.0);
    let c = days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &CoverOptions::default()).unwrap();
    assert_eq!(c.days_of_supply.reason(), Some(Undefined::NoDemand));
    let c = days_of_supply(&stock, &fc, &s, d(2027, 5, 1), &CoverOptions::default()).unwrap();
    assert_eq!(c.days_of_supply.reason(), Some(Undefined::NoForecast));
    assert!(matches!(
        CoverOptions::default().with_horizon_days(0),
        Err(MetricsError::InvalidOption { what: "horizon_days", .. })
    ));
    let mut zero = CoverOptions::default();
    zero.horizon_days = 0;
    assert!(days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &zero).is_err());
}

#[test]
fn sell_through_by_hand() {
    // sold 30; at the end 50 sellable + 20 unsellable (inbound 100 excluded)
    // rate = 30 / (30 + 70) = 0.3
    let s = sku("MUG");
    let mut t = ValuationTable::new(Currency::USD);
    t.cost_of_sales.push((s.clone(), sale(d(2026, 6, 3), "WH", 30, 90)));
    for h in [
        holding("WH", Disposition::Sellable, 50, 150),
        holding("WH", Disposition::Unsellable, 20, 60),
        holding("WH", Disposition::Inbound, 100, 300),
    ] {
        t.holdings.push((d(2026, 6, 1), s.clone(), h));
    }
    let june = DateRange::inclusive(d(2026, 6, 1), d(2026, 6, 30)).unwrap();
    let st = sell_through(&t, &s, june).unwrap();
    assert_eq!((st.units_sold, st.ending_units), (Quantity::new(30), Quantity::new(70)));
    assert_eq!(st.rate.value(), Some(dec("0.3")));
    let none = sell_through(&ValuationTable::new(Currency::USD), &s, june).unwrap();
    assert_eq!(none.rate.reason(), Some(Undefined::NoUnits));
}

#[test]
fn sell_through_of_oversold_stock_is_undefined_not_above_one() {
    // sold 30; at the end 10 sellable and -25 at FBA (oversold), so the
    // units held net to -15. The old form gave 30 / (30 - 15) = 2.
    let s = sku("MUG");
    let june = DateRange::inclusive(d(2026, 6, 1), d(2026, 6, 30)).unwrap();
    let mut t = ValuationTable::new(Currency::USD);
    t.cost_of_sales.push((s.clone(), sale(d(2026, 6, 3), "WH", 30, 90)));
    t.holdings.push((d(2026, 6, 1), s.clone(), holding("WH", Disposition::Sellable, 10, 30)));
    t.holdings.push((d(2026, 6, 1), s.clone(), holding("FBA", Disposition::Sellable, -25, -75)));
    let st = sell_through(&t, &s, june).unwrap();
    assert_eq!(st.ending_units, Quantity::new(-15));
    assert_eq!(st.rate.reason(), Some(Undefined::NegativeStock));
    // Exactly as many units short as sold: 30 / (30 - 30) was NoUnits.
    t.holdings.push((d(2026, 6, 1), s.clone(), holding("FBA", Disposition::Sellable, -15, -45)));
    assert_eq!(sell_through(&t, &s, june).unwrap().rate.reason(), Some(Undefined::NegativeStock));
}

#[test]
fn sell_through_of_net_returns_is_undefined_not_negative() {
    // 10 sold, 25 returned: -15 net; 40 left. The old form gave
    // -15 / (-15 + 40) = -0.6.
    let s = sku("MUG");
    let june = DateRange::inclusive(d(2026, 6, 1), d(2026, 6, 30)).unwrap();
    let mut t = ValuationTable::new(Currency::USD);
    t.cost_of_sales.push((s.clone(), sale(d(2026, 6, 3), "WH", 10, 30)));
    t.cost_of_sales.push((s.clone(), sale(d(2026, 6, 9), "WH", -25, -75)));
    t.holdings.push((d(2026, 6, 1), s.clone(), holding("WH", Disposition::Sellable, 40, 120)));
    let st = sell_through(&t, &s, june).unwrap();
    assert_eq!(st.units_sold, Quantity::new(-15));
    assert_eq!(st.rate.reason(), Some(Undefined::NetReturns));
}

#[test]
fn fill_rate_by_hand() {
    // 47 / 50 = 0.94
    assert_eq!(fill_rate(Quantity::new(47), Quantity::new(50)).unwrap().value(), Some(dec("0.94")));
    assert_eq!(
        fill_rate(Quantity::ZERO, Quantity::ZERO).unwrap().reason(),
        Some(Undefined::NoUnits)
    );
    assert!(fill_rate(Quantity::new(51), Quantity::new(50)).is_err());
    assert!(fill_rate(Quantity::new(-1), Quantity::new(50)).is_err());
}

#[test]
fn stockouts_by_hand() {
    // 10 days; out on days 4, 5, 6 (selling 1, 0, 0); in stock 7 days selling 35.
    // velocity = 35 / 7 = 5; lost = 3 x 5 = 15; demanded = 36;
    // estimated fill rate = 36 / (36 + 15) = 36 / 51 = 0.70588...
    let s = sku("FAN");
    let mut h = Vec::new();
    for day in 1..=10 {
        let out = (4..=6).contains(&day);
        let units = if out { i64::from(day == 4) } else { 5 };
        h.push(DemandRecord {
            sku: s.clone(),
            date: d(2026, 7, day),
            units: Quantity::new(units),
            stocked_out: out,
        });
    }
    let r =
        stockouts(&h, &s, DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 10)).unwrap()).unwrap();
    assert_eq!((r.days, r.stockout_days), (10, 3));
    assert_eq!(r.units_demanded, Quantity::new(36));
    assert_eq!(r.velocity.value(), Some(Decimal::from(5)));
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::from(15)));
    assert_eq!(r.estimated_fill_rate.value(), Some(Decimal::from(36) / Decimal::from(51)));
    // every day out: no velocity
    let all_out: Vec<DemandRecord> = h
        .iter()
        .cloned()
        .map(|mut r| {
            r.stocked_out = true;
            r
        })
        .collect();
    let r = stockouts(&all_out, &s, DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 10)).unwrap())
        .unwrap();
    assert_eq!(r.lost_sales_units.reason(), Some(Undefined::NoInStockDays));
}

fn demand(s: &Sku, days: &[(u32, i64, bool)]) -> Vec<DemandRecord> {
    days.iter()
        .map(|&(day, units, out)| DemandRecord {
            sku: s.clone(),
            date: d(2026, 7, day),
            units: Quantity::new(units),
            stocked_out: out,
        })
        .collect()
}

#[test]
fn a_net_return_day_counts_as_a_day_of_no_demand() {
    // DemandHistory allows a day below zero (returns beyond sales); it
    // was refused with NegativeDemand, failing the whole metric set.
    // Days 3, -1, 0 (out), 2, the -1 counted as 0:
    //   in stock days 1, 2, 4: 3 + 0 + 2 = 5 over 3 days,
    //   velocity = 5 / 3; lost = 5 x 1 out day / 3 = 5 / 3;
    //   demanded = 3 + 0 + 0 + 2 = 5;
    //   fill = 5 x 3 / (5 x 3 + 5 x 1) = 15 / 20 = 0.75.
    let s = sku("FAN");
    let h = demand(&s, &[(1, 3, false), (2, -1, false), (3, 0, true), (4, 2, false)]);
    let r = stockouts(&h, &s, DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 4)).unwrap()).unwrap();
    assert_eq!((r.days, r.stockout_days), (4, 1));
    assert_eq!((r.units_demanded, r.in_stock_units), (Quantity::new(5), Quantity::new(5)));
    assert_eq!(r.velocity.value(), Some(Decimal::from(5) / Decimal::from(3)));
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::from(5) / Decimal::from(3)));
    assert_eq!(r.estimated_fill_rate.value(), Some(dec("0.75")));
    // A return recorded beside a larger sale on the same day nets into
    // that day: 10 + (15 - 3) = 22 in stock over 2 days, velocity 11,
    // lost 1 x 11 = 11, fill 42 / (42 + 11) = 42 / 53.
    let h = demand(&s, &[(1, 10, false), (2, 15, false), (2, -3, false), (3, 20, true)]);
    let range = DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 3)).unwrap();
    let r = stockouts(&h, &s, range).unwrap();
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::from(11)));
    assert_eq!(r.estimated_fill_rate.value(), Some(Decimal::from(42) / Decimal::from(53)));
}

#[test]
fn returns_beyond_sales_never_make_lost_sales_negative_or_fill_leave_zero_to_one() {
    // A tester's case: in stock 10 and -12, out one day with 20. Netted
    // blindly, velocity = (10 - 12) / 2 = -1, lost = -1 and fill =
    // 18 / (18 - 1) > 1. Counted as no demand: in stock 10 over 2 days,
    // velocity 5, lost 1 x 5 = 5, demanded 10 + 20 = 30, fill =
    // 30 x 2 / (30 x 2 + 10 x 1) = 60 / 70 = 6 / 7.
    let s = sku("FAN");
    let h = demand(&s, &[(1, 10, false), (2, -12, false), (3, 20, true)]);
    let range = DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 3)).unwrap();
    let r = stockouts(&h, &s, range).unwrap();
    assert_eq!((r.days, r.stockout_days), (3, 1));
    assert_eq!((r.units_demanded, r.in_stock_units), (Quantity::new(30), Quantity::new(10)));
    assert_eq!(r.velocity.value(), Some(Decimal::from(5)));
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::from(5)));
    assert_eq!(r.estimated_fill_rate.value(), Some(Decimal::from(6) / Decimal::from(7)));
    // Another tester's case: 10 sold in stock, 10 returned on a
    // stock-out day. Netted, demanded would be 0 and fill 0 / (0 + 10)
    // = 0 with every in-stock unit sold; counted as no demand, demanded
    // 10, lost 10, fill 10 / 20 = 0.5.
    let range2 = DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 2)).unwrap();
    let r = stockouts(&demand(&s, &[(1, 10, false), (2, -10, true)]), &s, range2).unwrap();
    assert_eq!(r.units_demanded, Quantity::new(10));
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::from(10)));
    assert_eq!(r.estimated_fill_rate.value(), Some(dec("0.5")));
    // Every day out: no in-stock days at all.
    let h = demand(&s, &[(1, -4, true), (2, 1, true), (3, 0, true)]);
    let r = stockouts(&h, &s, range).unwrap();
    for m in [r.velocity, r.lost_sales_units, r.estimated_fill_rate] {
        assert_eq!(m.reason(), Some(Undefined::NoInStockDays));
    }
    // Only returns in stock, nothing out: velocity 0, lost 0, and
    // 0 / (0 + 0) has no fill rate.
    let h = demand(&s, &[(1, -4, false), (2, 0, false), (3, 0, true)]);
    let r = stockouts(&h, &s, range).unwrap();
    assert_eq!(r.velocity.value(), Some(Decimal::ZERO));
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::ZERO));
    assert_eq!(r.estimated_fill_rate.reason(), Some(Undefined::NoUnits));
}

/// The tester's report: a ledger with a return day made `sku_metrics`
/// fail with "daily demand on ... is -1 units, which is negative".
#[test]
fn the_full_set_accepts_a_ledger_with_a_return_day() {
    use chrono::{TimeZone, Utc};
    use merchantry_core::{ChannelId, DemandHistory, EventId, OrderId};
    use merchantry_ledger::{AdjustmentReason, Event, EventKind, Ledger, LedgerOptions};

    let mut ledger = Ledger::new(LedgerOptions::default()); // FIFO, USD
    let (fan, wh) = (sku("FAN"), loc("WH"));
    let at = |m, day, h| Utc.with_ymd_and_hms(2026, m, day, h, 0, 0).unwrap();
    let mut put = |id: &str, when, kind| {
        let e = Event::new(EventId::new(id).unwrap(), when, fan.clone(), wh.clone(), kind);
        ledger.ingest(e).unwrap();
    };
    let ship = |q, o: &str| {
        EventKind::shipment(
            Quantity::new(q),
            ChannelId::new("web").unwrap(),
            OrderId::new(o).unwrap(),
        )
    };
    // Sellable level: 10 from 27 Feb; 1 Mar ship 3 -> 7; 2 Mar one
    // back -> 8; 3 Mar 8 lost -> 0 (out), 5 received -> 5; 4 Mar ship
    // 2 -> 3. Net demand per day: 3, -1, 0, 2; only 3 Mar is out.
    put("r1", at(2, 27, 12), EventKind::receipt(Quantity::new(10), dec("4.00")));
    put("s1", at(3, 1, 12), ship(3, "o1"));
    let back = EventKind::CustomerReturn {
        quantity: Quantity::new(1),
        channel: ChannelId::new("web").unwrap(),
        disposition: Disposition::Sellable,
        shipment: Some(EventId::new("s1").unwrap()),
    };
    put("b1", at(3, 2, 12), back);
    let lost = EventKind::Adjustment {
        quantity: Quantity::new(-8),
        reason: AdjustmentReason::Lost,
        disposition: Disposition::Sellable,
        unit_cost: None,
    };
    put("a1", at(3, 3, 10), lost);
    put("r2", at(3, 3, 15), EventKind::receipt(Quantity::new(5), dec("4.00")));
    put("s2", at(3, 4, 12), ship(2, "o2"));

    let range = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 4)).unwrap();
    let series = ledger.daily_demand(&fan, range);
    let units: Vec<i64> = series.units().iter().map(|q| q.get()).collect();
    assert_eq!(units, [3, -1, 0, 2]);
    assert_eq!(series.stocked_out(), &[false, false, true, false]);

    // As the slice case: velocity 5 / 3, lost 5 / 3, fill 15 / 20.
    let direct = stockouts(&ledger, &fan, range).unwrap();
    assert_eq!(direct.units_demanded, Quantity::new(5));
    assert_eq!(direct.lost_sales_units.value(), Some(Decimal::from(5) / Decimal::from(3)));
    assert_eq!(direct.estimated_fill_rate.value(), Some(dec("0.75")));

    let forecast: BTreeMap<Sku, DailyForecast> = BTreeMap::new();
    let mut dir = BTreeMap::new();
    dir.insert(loc("WH"), LocationKind::OwnWarehouse);
    let sources = Sources {
        valuation: &ledger,
        stock: &ledger,
        demand: &ledger,
        forecast: &forecast,
        directory: &dir,
    };
    let opts = SetOptions::default();
    let m = sku_metrics(&sources, &fan, range, &opts).unwrap();
    assert_eq!(m.stockouts, direct);
    // Sold net 3 - 1 + 2 = 4, 3 held at the end: 4 / 7.
    assert_eq!(m.sell_through.units_sold, Quantity::new(4));
    assert_eq!(m.sell_through.rate.value(), Some(Decimal::from(4) / Decimal::from(7)));
    let (_, total) = portfolio_metrics(&sources, std::slice::from_ref(&fan), range, &opts).unwrap();
    assert_eq!(total.stockout_sku_days, 1);
    assert_eq!(total.lost_sales_units, Decimal::from(5) / Decimal::from(3));
}

#[test]
fn days_of_supply_past_f64_is_an_overflow_not_infinity() {
    // 1,000 units at 1e-306 a day last 1e309 days, past f64: the answer
    // was Value(inf) inside Ok, for days and weeks alike.
    let s = sku("MUG");
    let stock = vec![StockRecord {
        as_of: d(2026, 5, 1),
        sku: s.clone(),
        location: loc("WH"),
        disposition: Disposition::Sellable,
        quantity: Quantity::new(1_000),
    }];
    let mut fc = BTreeMap::new();
    fc.insert(
        s.clone(),
        DailyForecast::new(d(2026, 5, 2), vec![1e-306; 28], vec![0.0; 28]).unwrap(),
    );
    let got = days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &CoverOptions::default());
    assert_eq!(got, Err(MetricsError::Overflow { what: "days of supply", sku: Some(sku("MUG")) }));
    // A small but ordinary rate still answers: 1000 / 1e-300 = 1e303.
    fc.insert(
        s.clone(),
        DailyForecast::new(d(2026, 5, 2), vec![1e-300; 28], vec![0.0; 28]).unwrap(),
    );
    let c = days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &CoverOptions::default()).unwrap();
    assert!(c.days_of_supply.value().is_some_and(f64::is_finite), "{c:?}");
}

#[test]
fn turn_parts_of_no_samples_are_refused() {
    // Parts built by hand or deserialized with 0 samples: the average
    // divided by zero (reported as an overflow of "average"), and GMROI
    // multiplied the margin by 0 samples, answering 0 against a positive
    // inventory.
    let range = DateRange::starting(d(2026, 1, 1), 31).unwrap();
    let parts = TurnParts {
        currency: Currency::USD,
        range,
        method: AverageMethod::OpeningClosing,
        cogs: Decimal::from(600),
        inventory_sum: Decimal::from(800),
        samples: 0,
    };
    let is_no_samples =
        |e: &MetricsError| matches!(e, MetricsError::Inconsistent { what: "turn parts", .. });
    let err = parts.finish(&TurnOptions::default()).unwrap_err();
    assert!(is_no_samples(&err), "{err:?}");
    let err = gmroi(&parts, Money::new(Decimal::from(1000), Currency::USD)).unwrap_err();
    assert!(is_no_samples(&err), "{err:?}");
    // With two samples: (1000 - 600) x 2 / 800 = 1.
    let two = TurnParts { samples: 2, ..parts };
    assert_eq!(
        gmroi(&two, Money::new(Decimal::from(1000), Currency::USD)).unwrap().value(),
        Some(Decimal::ONE)
    );
}

#[test]
fn aging_lots_with_other_edges_than_the_report_are_refused() {
    // The report has buckets 0-10, 11-20, 21+; the lots are aged with
    // edges 100 and 200. A lot 151 days old (bucket 1 of those edges)
    // used to land in the report's "11-20 days" bucket.
    let report_edges = AgingEdges::new(vec![10, 20]).unwrap();
    let other_edges = AgingEdges::new(vec![100, 200]).unwrap();
    let mut report = AgingReport::empty(d(2026, 6, 1), Currency::USD, &report_edges);
    let before = report.clone();
    let lot = AgedLot {
        location: loc("WH"),
        received_on: d(2026, 1, 1),
        quantity: Quantity::new(5),
        value: Decimal::ONE,
    };
    let err = report.add_lots(&sku("MUG"), std::slice::from_ref(&lot), &other_edges).unwrap_err();
    assert!(matches!(err, MetricsError::Inconsistent { what: "aging report", .. }), "{err:?}");
    assert_eq!(report, before, "a refused batch leaves the report as it was");
    // With the report's own edges it lands in 21+ (151 days old).
    report.add_lots(&sku("MUG"), &[lot], &report_edges).unwrap();
    assert_eq!(report.buckets[2].units, Quantity::new(5));
}

#[test]
fn aging_reports_of_other_buckets_do_not_merge_and_say_why() {
    // A tester's case: same day, other buckets; the message spoke only
    // of dates ("a report of 2026-01-01 into one of 2026-01-01").
    let day = d(2026, 1, 1);
    let mut a = AgingReport::empty(day, Currency::USD, &AgingEdges::default());
    let before = a.clone();
    let b = AgingReport::empty(day, Currency::USD, &AgingEdges::new(vec![30, 60]).unwrap());
    let err = a.merge(&b).unwrap_err().to_string();
    assert!(err.contains("buckets 0-30, 31-60, 61+ into one with buckets 0-"), "{err}");
    assert_eq!(a, before);
    // Another day is named as such.
    let later = AgingReport::empty(d(2026, 2, 1), Currency::USD, &AgingEdges::default());
    let err = a.merge(&later).unwrap_err().to_string();
    assert!(err.contains("a report of 2026-02-01 into one of 2026-01-01"), "{err}");
    assert_eq!(a, before);
}

#[test]
fn zero_days_per_year_is_refused() {
    // Tester's F8 case: a year of 0 days annualised every turn to 0.
    assert!(matches!(
        TurnOptions::default().with_days_per_year(0),
        Err(MetricsError::InvalidOption { what: "days_per_year", .. })
    ));
    // Set through the public field (or deserialized): refused at use.
    let (t, s, q1) = q1_books();
    let mut zero = TurnOptions::default();
    zero.days_per_year = 0;
    assert!(matches!(
        inventory_turn(&t, &s, q1, &zero),
        Err(MetricsError::InvalidOption { what: "days_per_year", .. })
    ));
    assert!(portfolio_turn(&t, std::slice::from_ref(&s), q1, &Scope::Total, &zero).is_err());
    // A banker's year still works: daily average over Q1 is
    // (31 x 1000 + 28 x 1200 + 31 x 800) / 90 = 89400 / 90 = 993.33,
    // ITR = 3600 / 993.33 = 3.6242; annualised 3.6242 x 360 / 90
    // = 3600 x 90 x 360 / (89400 x 90) = 14.4966...
    let banker = TurnOptions::default().with_days_per_year(360).unwrap();
    let turn = inventory_turn(&t, &s, q1, &banker).unwrap();
    let want = Decimal::from(3600 * 360) / Decimal::from(89_400);
    let got = turn.annualised_itr.value().unwrap();
    assert!((got - want).abs() < dec("0.000001"), "{got} vs {want}");
}

#[test]
fn oversold_stock_covers_no_days() {
    // Tester's F9 case: sellable -50, forecast 5/day. Before: -50 / 5 =
    // -10 days. Now undefined with its own reason; the supply and the
    // rate are still reported.
    let s = sku("LAMP");
    let stock = vec![StockRecord {
        as_of: d(2026, 5, 1),
        sku: s.clone(),
        location: loc("FBA"),
        disposition: Disposition::Sellable,
        quantity: Quantity::new(-50),
    }];
    let mut fc = BTreeMap::new();
    fc.insert(s.clone(), DailyForecast::new(d(2026, 5, 2), vec![5.0; 28], vec![1.0; 28]).unwrap());
    let c = days_of_supply(&stock, &fc, &s, d(2026, 5, 1), &CoverOptions::default()).unwrap();
    assert_eq!(c.supply_units, Quantity::new(-50));
    assert_eq!(c.daily_demand.value(), Some(5.0));
    assert_eq!(c.days_of_supply.reason(), Some(Undefined::NegativeStock));
    assert_eq!(c.weeks_of_cover.reason(), Some(Undefined::NegativeStock));
    // Zero stock is a real answer: 0 / 5 = 0 days.
    let mut empty = stock.clone();
    empty[0].quantity = Quantity::ZERO;
    let c = days_of_supply(&empty, &fc, &s, d(2026, 5, 1), &CoverOptions::default()).unwrap();
    assert_eq!(c.days_of_supply.value(), Some(0.0));
}

#[test]
fn a_replenishment_listed_twice_counts_once() {
    // Tester's F11 case: variances 0 and 10 days, the second listed twice
    // (overlapping downloads). Counted twice: n = 3, mean (0 + 10 + 10) / 3
    // = 6.67. Once: n = 2, mean (0 + 10) / 2 = 5.
    let a = replenishment("PO-1", "ACME", d(2026, 1, 1), 30, 0, vec![]);
    let b = replenishment("PO-2", "ACME", d(2026, 2, 1), 30, 10, vec![]);
    let history = vec![a.clone(), b.clone(), b.clone()];
    let year = DateRange::inclusive(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
    let o = LtvOptions::default();
    let summary = ltv_summary(&history, year, &o).unwrap();
    assert_eq!(summary.count, 2);
    assert_eq!(summary.mean_days.value(), Some(5.0));
    assert_eq!(ltv_summary(&vec![a.clone(), b.clone()], year, &o).unwrap(), summary);
    assert_eq!(ltv_by_supplier(&history, year, &o).unwrap()[0].1.count, 2);
    // The same id with different content: which arrival is true is
    // unknown, so the history is refused, naming the id.
    let mut b_late = b.clone();
    b_late.actual_arrival += chrono::Duration::days(4);
    let conflicting = vec![a.clone(), b.clone(), b_late];
    let err = ltv_summary(&conflicting, year, &o).unwrap_err();
    assert_eq!(
        err,
        MetricsError::ConflictingReplenishment { id: PurchaseOrderId::new("PO-2").unwrap() }
    );
    assert!(err.to_string().contains("PO-2"), "{err}");
    assert!(ltv_by_stage(&conflicting, year, &o).is_err());
    // One purchase order listed once per SKU is one record per line: both
    // count (variances 0, 10, 10: n = 3), and a line repeated word for
    // word still counts once.
    let mut for_mug = b.clone();
    for_mug.sku = Some(sku("MUG"));
    let mut for_cup = b;
    for_cup.sku = Some(sku("CUP"));
    let lines = vec![a, for_mug.clone(), for_cup.clone(), for_cup.clone()];
    assert_eq!(ltv_summary(&lines, year, &o).unwrap().count, 3);
    // The same line with another arrival is refused.
    let mut cup_late = for_cup.clone();
    cup_late.actual_arrival += chrono::Duration::days(1);
    assert!(ltv_summary(&vec![for_mug, for_cup, cup_late], year, &o).is_err());
}

fn lot(received_on: NaiveDate, units: i64, value: &str) -> AgedLot {
    AgedLot { location: loc("FBA"), received_on, quantity: Quantity::new(units), value: dec(value) }
}

#[test]
fn aging_buckets_by_hand() {
    // as of 31 Dec 2026; ages: 0, 90, 91, 365, 366 days
    let as_of = d(2026, 12, 31);
    let s = sku("RUG");
    let mut t = ValuationTable::new(Currency::USD);
    let days_ago = |n: u64| as_of.checked_sub_days(chrono::Days::new(n)).unwrap();
    for (age, units, value) in
        [(0, 1, "1.10"), (90, 2, "2.20"), (91, 4, "4.40"), (365, 8, "8.80"), (366, 16, "17.60")]
    {
        t.lots.push((as_of, s.clone(), lot(days_ago(age), units, value)));
    }
    let r = aging(&t, &s, as_of, &AgingEdges::default()).unwrap();
    let units: Vec<i64> = r.buckets.iter().map(|b| b.units.get()).collect();
    // 0-90: 1 + 2; 91-180: 4; 181-270: none; 271-365: 8; 366+: 16
    assert_eq!(units, [3, 4, 0, 8, 16]);
    assert_eq!(r.buckets[0].value, dec("3.30"));
    assert_eq!((r.buckets[4].min_days, r.buckets[4].max_days), (366, None));
    assert_eq!((r.total_units, r.total_value), (Quantity::new(31), dec("34.10")));
    // custom edges [180]: 0-180 holds 1 + 2 + 4 = 7, 181+ holds 24
    let two = aging(&t, &s, as_of, &AgingEdges::new(vec![180]).unwrap()).unwrap();
    assert_eq!(two.buckets.iter().map(|b| b.units.get()).collect::<Vec<_>>(), [7, 24]);
    // a lot received after the day is an error
    t.lots.push((as_of, s.clone(), lot(d(2027, 1, 1), 1, "1")));
    assert!(matches!(
        aging(&t, &s, as_of, &AgingEdges::default()),
        Err(MetricsError::LotFromTheFuture { .. })
    ));
}

#[test]
fn capital_by_kind_and_state_by_hand() {
    let day = d(2026, 8, 1);
    let s = sku("DESK");
    let mut dir = BTreeMap::new();
    for (l, k) in [
        ("CN-FACTORY", LocationKind::Supplier),
        ("OCEAN", LocationKind::InTransit),
        ("WH", LocationKind::OwnWarehouse),
        ("3PL", LocationKind::ThirdPartyLogistics),
        ("FBA", LocationKind::FbaNetwork),
        ("AWD", LocationKind::Awd),
    ] {
        dir.insert(loc(l), k);
    }
    let mut t = ValuationTable::new(Currency::USD);
    for h in [
        holding("CN-FACTORY", Disposition::Sellable, 500, 5000),
        holding("OCEAN", Disposition::InTransit, 300, 3000),
        holding("FBA", Disposition::Inbound, 100, 1000),
        holding("FBA", Disposition::Sellable, 200, 2000),
        holding("FBA", Disposition::Unsellable, 7, 70),
        holding("WH", Disposition::Sellable, 40, 400),
        holding("3PL", Disposition::Reserved, 30, 300),
        holding("AWD", Disposition::Sellable, 60, 600),
    ] {
        t.holdings.push((day, s.clone(), h));
    }
    let r = capital_tied_up(&t, &dir, std::slice::from_ref(&s), day).unwrap();
    let by_state: Vec<(CapitalState, i64)> =
        r.by_state().unwrap().iter().map(|(st, k)| (*st, k.value.try_into().unwrap())).collect();
    // in transit = ocean 3000 + FBA inbound 1000 = 4000; unsellable = 70
    assert_eq!(
        by_state,
        [
            (CapitalState::AtSupplier, 5000),
            (CapitalState::InTransit, 4000),
            (CapitalState::OwnWarehouse, 400),
            (CapitalState::ThirdPartyLogistics, 300),
            (CapitalState::Fba, 2000),
            (CapitalState::Awd, 600),
            (CapitalState::Unsellable, 70),
        ]
    );
    // total = 5000 + 4000 + 400 + 300 + 2000 + 600 + 70 = 12370
    assert_eq!(r.total().value, Decimal::from(12_370));
    assert_eq!(r.rows().len(), 8);
    dir.remove(&loc("AWD"));
    assert!(matches!(
        capital_tied_up(&t, &dir, &[s], day),
        Err(MetricsError::UnknownLocation { .. })
    ));
}

#[test]
fn cash_conversion_cycle_by_hand() {
    // DIO 25 (month-end turn above) + DSO 14 - DPO 60 = -21: suppliers fund the stock
    let dio = turn_with(AverageMethod::PeriodEnds(Period::Month)).dio_days.value().unwrap();
    let c = CashConversionCycle::new(dio, Decimal::from(14), Decimal::from(60)).unwrap();
    assert_eq!(c.ccc_days, Decimal::from(-21));
    assert!(matches!(
        CashConversionCycle::new(dio, Decimal::from(-1), Decimal::ZERO),
        Err(MetricsError::Negative { what: "dso", .. })
    ));
}

fn replenishment(
    id: &str,
    supplier: &str,
    ordered_on: NaiveDate,
    forecast_days: u64,
    variance: i64,
    stages: Vec<StageDuration>,
) -> Replenishment {
    let forecast_arrival = ordered_on.checked_add_days(chrono::Days::new(forecast_days)).unwrap();
    let actual_arrival = forecast_arrival + chrono::Duration::days(variance);
    Replenishment {
        id: PurchaseOrderId::new(id).unwrap(),
        lane: Lane {
            supplier: SupplierId::new(supplier).unwrap(),
            origin: None,
            destination: loc("FBA"),
            mode: TransportMode::Ocean,
        },
        sku: None,
        quantity: None,
        ordered_on,
        forecast_arrival,
        actual_arrival,
        stages,
    }
}

fn stage(stage: Stage, forecast: i32, actual: i32) -> StageDuration {
    StageDuration { stage, forecast: Some(Days::whole(forecast)), actual: Days::whole(actual) }
}

/// Variances -2, 0, 3, 5, 10 days, ordered 30 days apart from 1 Jan 2026.
fn ltv_history() -> Vec<Replenishment> {
    let start = d(2026, 1, 1);
    [-2, 0, 3, 5, 10]
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let on = start.checked_add_days(chrono::Days::new(30 * i as u64)).unwrap();
            let supplier = if i % 2 == 0 { "ACME" } else { "BOLT" };
            let stages = vec![
                stage(Stage::Production, 30, 30),
                stage(Stage::MainTransit, 20, 20 + i32::try_from(v).unwrap()),
            ];
            replenishment(&format!("PO-{i}"), supplier, on, 50, v, stages)
        })
        .collect()
}

fn close(a: Metric<f64>, b: f64) -> bool {
    (a.value().unwrap() - b).abs() < 1e-9
}

#[test]
fn ltv_summary_by_hand() {
    let h = ltv_history();
    let year = DateRange::inclusive(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
    let s = ltv_summary(&h, year, &LtvOptions::default()).unwrap();
    assert_eq!(s.count, 5);
    // mean = (-2 + 0 + 3 + 5 + 10) / 5 = 3.2
    assert!(close(s.mean_days, 3.2));
    // MAD = (2 + 0 + 3 + 5 + 10) / 5 = 4
    assert!(close(s.mad_days, 4.0));
    // RMSE = sqrt((4 + 0 + 9 + 25 + 100) / 5) = sqrt(27.6)
    assert!(close(s.rmse_days, 27.6_f64.sqrt()));
    // deviations -5.2 -3.2 -0.2 1.8 6.8; squares sum 86.8; / (5 - 1) = 21.7
    assert!(close(s.std_dev_days, 21.7_f64.sqrt()));
    // sorted [-2, 0, 3, 5, 10]: p50 h=2 -> 3; p90 h=3.6 -> 5 + 0.6 x 5 = 8; p95 h=3.8 -> 9
    assert!(close(s.p50_days, 3.0));
    assert!(close(s.p90_days, 8.0));
    assert!(close(s.p95_days, 9.0));
    // |v| <= 2: -2 and 0 -> 2 / 5
    assert!(close(s.within_tolerance, 0.4));
    // t = 0, 30, 60, 90, 120 (mean 60); sxx = 9000
    // sxy(v) = (-60)(-5.2) + (-30)(-3.2) + 0 + 30(1.8) + 60(6.8) = 870 -> 870/9000 x 30 = 2.9
    // |v| = 2 0 3 5 10 (mean 4): sxy = 120 + 120 + 0 + 30 + 360 = 630 -> 2.1 per 30 days
    let trend = s.trend.value().unwrap();
    assert!((trend.variance_slope_per_30_days - 2.9).abs() < 1e-9);
    assert!((trend.abs_variance_slope_per_30_days - 2.1).abs() < 1e-9);
    assert_eq!(trend.direction, Direction::Worsening);
}

#[test]
fn ltv_groups_by_hand() {
    let h = ltv_history();
    let year = DateRange::inclusive(d(2026, 1, 1), d(2026, 12, 31)).unwrap();
    let o = LtvOptions::default();
    let by_supplier = ltv_by_supplier(&h, year, &o).unwrap();
    // ACME: -2, 3, 10 -> mean 11/3; BOLT: 0, 5 -> mean 2.5
    assert_eq!(by_supplier[0].0.as_str(), "ACME");
    assert!(close(by_supplier[0].1.mean_days, 11.0 / 3.0));
    assert!(close(by_supplier[1].1.mean_days, 2.5));
    // both share the destination and mode, so lanes split by supplier too
    assert_eq!(ltv_by_lane(&h, year, &o).unwrap().len(), 2);
    // stages: production always on time; main transit carries the variance
    let by_stage = ltv_by_stage(&h, year, &o).unwrap();
    assert_eq!(by_stage[0].0, Stage::Production);
    assert!(close(by_stage[0].1.rmse_days, 0.0));
    assert_eq!(by_stage[1].0, Stage::MainTransit);
    assert!(close(by_stage[1].1.mean_days, 3.2));
    // the window filters on order date: orders fall on 1 Jan, 31 Jan, ...
    // so 1-30 January holds one
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 30)).unwrap();
    let one = ltv_summary(&h, jan, &o).unwrap();
    assert_eq!(one.count, 1);
    assert_eq!(
        one.std_dev_days.reason(),
        Some(Undefined::TooFewObservations { needed: 2, got: 1 })
    );
    assert_eq!(one.trend.reason(), Some(Undefined::TooFewObservations { needed: 2, got: 1 }));
    // an empty window is a typed summary, not an error
    let none =
        ltv_summary(&h, DateRange::inclusive(d(2030, 1, 1), d(2030, 1, 2)).unwrap(), &o).unwrap();
    assert_eq!(none.count, 0);
    assert!(!none.mean_days.is_defined());
}

#[test]
fn ltv_rejects_impossible_dates_and_accepts_early_arrivals() {
    // arrived 4 days before the forecast: -4
    let early = replenishment("PO-E", "ACME", d(2026, 3, 1), 40, -4, vec![]);
    assert_eq!(replenishment_variance(&early).unwrap().variance_days, -4);
    // actual arrival before the order day
    let mut bad = early.clone();
    bad.actual_arrival = d(2026, 2, 1);
    assert!(matches!(replenishment_variance(&bad), Err(MetricsError::InvalidReplenishment { .. })));
    let mut neg = early;
    neg.stages.push(StageDuration {
        stage: Stage::CheckIn,
        forecast: None,
        actual: Days::new(-1.0).unwrap(),
    });
    assert!(replenishment_variance(&neg).is_err());
    assert!(LtvOptions::default().with_tolerance_days(f64::NAN).is_err());
}

#[test]
fn full_set_agrees_with_the_single_metrics() {
    let (books, s, q1) = q1_books();
    let mut books = books;
    books.lots.push((d(2026, 3, 1), s.clone(), lot(d(2025, 11, 1), 80, "800")));
    let (stock, fc, _) = cover_fixture(8.0);
    let demand: Vec<DemandRecord> = Vec::new();
    let mut dir = BTreeMap::new();
    dir.insert(loc("WH"), LocationKind::OwnWarehouse);
    let sources = Sources {
        valuation: &books,
        stock: &stock,
        demand: &demand,
        forecast: &fc,
        directory: &dir,
    };
    let opts = SetOptions::default();
    let m = sku_metrics(&sources, &s, q1, &opts).unwrap();
    assert_eq!(m.turn_opening_closing, turn_with(AverageMethod::OpeningClosing));
    assert_eq!(m.turn_period_ends, turn_with(AverageMethod::PeriodEnds(Period::Month)));
    assert_eq!(m.turn_daily, turn_with(AverageMethod::DailyTimeWeighted));
    assert_eq!(m.sell_through, sell_through(&books, &s, q1).unwrap());
    // lot received 1 Nov 2025, aged to 31 Mar 2026: 150 days -> 91-180
    assert_eq!(m.aging.buckets[1].units, Quantity::new(80));
    assert_eq!(m.capital.total().value, Decimal::from(800));
    let (all, total) = portfolio_metrics(&sources, std::slice::from_ref(&s), q1, &opts).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(total.turn_daily.itr, m.turn_daily.itr);
    assert_eq!(total.aging.total_units, Quantity::new(80));
    // The same SKU twice counted its 80 aged units and 800 of capital
    // twice (160 and 1600): refused, naming the SKU.
    let twice = portfolio_metrics(&sources, &[s.clone(), s.clone()], q1, &opts);
    assert_eq!(twice.unwrap_err(), MetricsError::DuplicateSku { sku: s });
}

// ---------------------------------------------------------------- laws

fn amount() -> impl Strategy<Value = Decimal> {
    // Positive amounts with up to 6 decimal places, fractions of a cent too.
    (1i64..1_000_000_000, 0u32..=6).prop_map(|(m, s)| Decimal::new(m, s))
}

fn method() -> impl Strategy<Value = AverageMethod> {
    prop_oneof![
        Just(AverageMethod::OpeningClosing),
        Just(AverageMethod::DailyTimeWeighted),
        Just(AverageMethod::PeriodEnds(Period::Week)),
        Just(AverageMethod::PeriodEnds(Period::Month)),
    ]
}

proptest! {
    #[test]
    fn itr_is_unchanged_when_every_value_is_scaled_alike(
        opening in amount(),
        closes in prop::collection::vec(amount(), 1..120),
        cogs in amount(),
        factor in (1i64..1_000_000, 0u32..=4).prop_map(|(m, s)| Decimal::new(m, s)),
        method in method(),
        start in 0u32..3000,
    ) {
        let first = d(2020, 1, 1).checked_add_days(chrono::Days::new(u64::from(start))).unwrap();
        let range = DateRange::starting(first, u32::try_from(closes.len()).unwrap()).unwrap();
        let opts = TurnOptions::default();
        let base = InventorySeries::new(range, opening, closes.clone()).unwrap();
        let scaled = InventorySeries::new(
            range,
            opening * factor,
            closes.iter().map(|v| *v * factor).collect(),
        ).unwrap();
        let a = TurnParts::from_series(Currency::USD, &base, cogs, method).unwrap().finish(&opts).unwrap();
        let b = TurnParts::from_series(Currency::USD, &scaled, cogs * factor, method)
            .unwrap().finish(&opts).unwrap();
        prop_assert_eq!(a.itr, b.itr);
        prop_assert_eq!(a.annualised_itr, b.annualised_itr);
        prop_assert_eq!(a.dio_days, b.dio_days);
    }

    #[test]
    fn perfect_forecasts_give_zero_lead_time_variance(
        orders in prop::collection::vec((0u64..700, 1u64..200, prop::collection::vec((0usize..6, 0u32..90), 0..6)), 1..40),
    ) {
        let history: Vec<Replenishment> = orders
            .iter()
            .enumerate()
            .map(|(i, (offset, days, stages))| {
                let on = d(2025, 1, 1).checked_add_days(chrono::Days::new(*offset)).unwrap();
                let stages = stages
                    .iter()
                    .map(|(s, n)| {
                        let n = Days::new(f64::from(*n) / 4.0).unwrap();
                        StageDuration { stage: Stage::ALL[*s], forecast: Some(n), actual: n }
                    })
                    .collect();
                replenishment(&format!("PO-{i}"), if i % 3 == 0 { "A" } else { "B" }, on, *days, 0, stages)
            })
            .collect();
        let window = DateRange::inclusive(d(2025, 1, 1), d(2026, 12, 31)).unwrap();
        let o = LtvOptions::default();
        for r in &history {
            let v = replenishment_variance(r).unwrap();
            prop_assert_eq!(v.variance_days, 0);
            prop_assert!(v.stages.iter().all(|s| s.variance_days == Some(0.0)));
        }
        let groups = ltv_by_supplier(&history, window, &o).unwrap()
            .into_iter().map(|(_, s)| s)
            .chain(ltv_by_stage(&history, window, &o).unwrap().into_iter().map(|(_, s)| s))
            .chain([ltv_summary(&history, window, &o).unwrap()]);
        for s in groups {
            for m in [s.mean_days, s.mad_days, s.rmse_days, s.p50_days, s.p90_days, s.p95_days] {
                prop_assert_eq!(m, Metric::Value(0.0));
            }
            prop_assert_eq!(s.within_tolerance, Metric::Value(1.0));
            if let Metric::Value(sd) = s.std_dev_days { prop_assert_eq!(sd, 0.0); }
        }
    }

    #[test]
    fn aging_buckets_partition_the_total_exactly(
        lots in prop::collection::vec(
            (0u64..2000, -50i64..10_000, any::<i64>(), 0u32..=10), 0..60),
        mut edges in prop::collection::btree_set(0u32..800, 0..6),
    ) {
        let edges = AgingEdges::new(std::mem::take(&mut edges).into_iter().collect()).unwrap();
        let as_of = d(2026, 6, 30);
        let lots: Vec<AgedLot> = lots
            .into_iter()
            .map(|(age, units, mantissa, scale)| AgedLot {
                location: loc("FBA"),
                received_on: as_of.checked_sub_days(chrono::Days::new(age)).unwrap(),
                quantity: Quantity::new(units),
                value: Decimal::new(mantissa / 1_000, scale),
            })
            .collect();
        let mut r = AgingReport::empty(as_of, Currency::USD, &edges);
        r.add_lots(&sku("S"), &lots, &edges).unwrap();
        let units: i64 = lots.iter().map(|l| l.quantity.get()).sum();
        let value: Decimal = lots.iter().map(|l| l.value).sum();
        let bucket_units: i64 = r.buckets.iter().map(|b| b.units.get()).sum();
        let bucket_value: Decimal = r.buckets.iter().map(|b| b.value).sum();
        prop_assert_eq!(bucket_units, units);
        prop_assert_eq!(bucket_value, value);
        prop_assert_eq!(r.total_units.get(), units);
        prop_assert_eq!(r.total_value, value);
        // buckets tile the ages: each starts one day after the previous ends
        for pair in r.buckets.windows(2) {
            prop_assert_eq!(pair[0].max_days.map(|m| m + 1), Some(pair[1].min_days));
        }
        prop_assert_eq!(r.buckets[0].min_days, 0);
        prop_assert_eq!(r.buckets.last().unwrap().max_days, None);
    }

    #[test]
    fn merging_turn_parts_in_any_order_gives_the_same_turn(
        skus in prop::collection::vec((amount(), amount()), 1..10),
        rotate in 0usize..10,
    ) {
        let range = DateRange::starting(d(2026, 1, 1), 30).unwrap();
        let parts: Vec<TurnParts> = skus.iter().map(|(cogs, sum)| TurnParts {
            currency: Currency::USD, range, method: AverageMethod::DailyTimeWeighted,
            cogs: *cogs, inventory_sum: *sum, samples: 30,
        }).collect();
        let fold = |ps: &[TurnParts]| {
            let mut acc = ps[0];
            for p in &ps[1..] { acc.merge(p).unwrap(); }
            acc.finish(&TurnOptions::default()).unwrap()
        };
        let mut turned = parts.clone();
        turned.rotate_left(rotate % parts.len());
        prop_assert_eq!(fold(&parts), fold(&turned));
    }
}

proptest! {
    #[test]
    fn sell_through_is_a_share_between_zero_and_one_when_defined(
        sales in prop::collection::vec(-1_000i64..1_000, 0..6),
        held in prop::collection::vec(-1_000i64..1_000, 0..6),
    ) {
        let s = sku("MUG");
        let june = DateRange::inclusive(d(2026, 6, 1), d(2026, 6, 30)).unwrap();
        let mut t = ValuationTable::new(Currency::USD);
        for (i, units) in sales.iter().enumerate() {
            t.cost_of_sales.push((s.clone(), sale(d(2026, 6, 2), &format!("L{i}"), *units, 0)));
        }
        for (i, units) in held.iter().enumerate() {
            let h = holding(&format!("L{i}"), Disposition::Sellable, *units, 0);
            t.holdings.push((d(2026, 6, 1), s.clone(), h));
        }
        let st = sell_through(&t, &s, june).unwrap();
        match st.rate {
            Metric::Value(r) => prop_assert!(r >= Decimal::ZERO && r <= Decimal::ONE, "rate {}", r),
            Metric::Undefined(why) => prop_assert!(
                st.ending_units.is_negative() || st.units_sold.is_negative()
                    || (st.units_sold.get() == 0 && st.ending_units.get() == 0),
                "{why} for {st:?}"
            ),
        }
    }
}

proptest! {
    #[test]
    fn stockout_estimates_stay_in_range_with_net_return_days(
        days in prop::collection::vec((-50i64..50, any::<bool>()), 1..40),
    ) {
        let s = sku("FAN");
        let h: Vec<DemandRecord> = days.iter().zip(0u64..).map(|(&(units, out), i)| DemandRecord {
            sku: s.clone(),
            date: d(2026, 7, 1).checked_add_days(chrono::Days::new(i)).unwrap(),
            units: Quantity::new(units),
            stocked_out: out,
        }).collect();
        let range = DateRange::starting(d(2026, 7, 1), u32::try_from(days.len()).unwrap()).unwrap();
        let r = stockouts(&h, &s, range).unwrap();
        // A day of net returns counts as no demand.
        let total: i64 = days.iter().map(|(u, _)| (*u).max(0)).sum();
        let in_stock: i64 = days.iter().filter(|(_, out)| !out).map(|(u, _)| (*u).max(0)).sum();
        let in_days = days.iter().filter(|(_, out)| !out).count();
        prop_assert_eq!((r.units_demanded.get(), r.in_stock_units.get()), (total, in_stock));
        prop_assert_eq!(r.days as usize - r.stockout_days as usize, in_days);
        let why = (in_days == 0).then_some(Undefined::NoInStockDays);
        prop_assert_eq!(r.velocity.reason(), why);
        prop_assert_eq!(r.lost_sales_units.reason(), why);
        if let Some(v) = r.velocity.value() { prop_assert!(v >= Decimal::ZERO, "velocity {}", v); }
        if let Some(l) = r.lost_sales_units.value() { prop_assert!(l >= Decimal::ZERO, "lost {}", l); }
        match r.estimated_fill_rate {
            Metric::Value(f) => prop_assert!(f >= Decimal::ZERO && f <= Decimal::ONE, "fill {}", f),
            Metric::Undefined(u) => prop_assert!(
                why == Some(u)
                    || (u == Undefined::NoUnits && total == 0
                        && r.lost_sales_units.value() == Some(Decimal::ZERO)),
                "{u} for {r:?}"
            ),
        }
    }
}

proptest! {
    #[test]
    fn period_end_sampling_matches_the_day_by_day_rule(
        start in 0u64..4000,
        len in 1u32..500,
        period in prop_oneof![Just(Period::Week), Just(Period::Month), Just(Period::Quarter)],
        scale_mix in any::<bool>(),
    ) {
        let first = d(2019, 1, 1).checked_add_days(chrono::Days::new(start)).unwrap();
        let range = DateRange::starting(first, len).unwrap();
        // values that mix scales when asked, to take the slow sum path too
        let closes: Vec<Decimal> = (0..i64::from(len))
            .map(|i| Decimal::new(i * 7 + 3, if scale_mix && i % 5 == 0 { 3 } else { 2 }))
            .collect();
        let series = InventorySeries::new(range, Decimal::new(99, 1), closes.clone()).unwrap();
        let mut sum = Decimal::new(99, 1);
        let mut n = 1;
        let last = closes.len() - 1;
        for (i, (day, v)) in range.days().zip(&closes).enumerate() {
            if i == last || period.is_end(day) {
                sum += *v;
                n += 1;
            }
        }
        prop_assert_eq!(series.sample(AverageMethod::PeriodEnds(period)).unwrap(), (sum, n));
        let daily: Decimal = closes.iter().copied().sum();
        prop_assert_eq!(series.sample(AverageMethod::DailyTimeWeighted).unwrap(), (daily, len));
    }
}

mod margins {
    use super::*;
    use merchantry_core::ChannelId;
    use merchantry_metrics::margin::*;

    fn ch(s: &str) -> ChannelId {
        ChannelId::new(s).unwrap()
    }

    fn usd(v: &str) -> Money {
        Money::new(dec(v), Currency::USD)
    }

    fn line(sku_id: &str, channel: &str, revenue: &str, cogs: &str, units: i64) -> Sales {
        Sales {
            sku: sku(sku_id),
            channel: ch(channel),
            revenue: dec(revenue),
            cogs: dec(cogs),
            units: Quantity::new(units),
            cubic_foot_days: Decimal::ZERO,
            ad_sales: Decimal::ZERO,
        }
    }

    fn charge(kind: FeeKind, amount: Money, attribution: Attribution) -> Charge {
        Charge { date: d(2026, 3, 15), kind, amount, attribution }
    }

    #[test]
    fn negative_pooling_drivers_on_a_sales_line_are_refused() {
        // Storage of -40.00 split by cubic-foot-days, MUG 300 and PAN
        // -100: PAN's weight was read as 0, so MUG carried all -40.00 and
        // PAN none, with no word of the bad row. sales_from_valuation
        // already refuses these drivers; net_margins now does too, naming
        // the line.
        let mut mug = line("MUG", "amazon-us", "2000", "800", 100);
        mug.cubic_foot_days = dec("300");
        let mut pan = line("PAN", "amazon-us", "3000", "1500", 50);
        pan.cubic_foot_days = dec("-100");
        let storage = charge(FeeKind::StorageMonthly, usd("-40.00"), Attribution::ByCubicFootDays);
        let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let got = net_margins(
            Currency::USD,
            march,
            &[mug.clone(), pan.clone()],
            std::slice::from_ref(&storage),
            &RateTable::new(),
        );
        assert_eq!(
            got.unwrap_err().to_string(),
            "sales lines: sku PAN on channel amazon-us has cubic-foot-days -100, which is negative"
        );
        pan.cubic_foot_days = dec("100");
        pan.ad_sales = dec("-5");
        let got = net_margins(Currency::USD, march, &[mug, pan], &[storage], &RateTable::new());
        assert_eq!(
            got.unwrap_err().to_string(),
            "sales lines: sku PAN on channel amazon-us has advertised sales -5, which is negative"
        );
    }

    #[test]
    fn a_negative_price_is_refused_by_the_fee_schedule() {
        // 15 % referral, 0.30 minimum, 5.40 per unit. At -10.00 the
        // referral was -1.50, lifted to the 0.30 minimum: fees of 5.70 on
        // a price no listing can carry, and a what-if built on it.
        let fees = FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.40")).unwrap();
        let err = MetricsError::Negative { what: "price", value: dec("-10.00") };
        assert_eq!(fees.fees_at(dec("-10.00")), Err(err.clone()));
        let cheaper = FeeSchedule::new(dec("0.08"), dec("0.30"), dec("5.40")).unwrap();
        assert_eq!(fees.margin_change(&cheaper, dec("-10.00"), Quantity::new(3)), Err(err));
        // At 0 the minimum applies: 0.30 + 5.40 = 5.70.
        assert_eq!(fees.fees_at(Decimal::ZERO), Ok(dec("5.70")));
    }

    /// March 2026 for two SKUs on Amazon US, every fee line traced.
    #[test]
    fn a_month_of_a_small_catalogue_by_hand() {
        let mut mug = line("MUG", "amazon-us", "2000", "800", 100);
        mug.cubic_foot_days = dec("300");
        mug.ad_sales = dec("500");
        let mut pan = line("PAN", "amazon-us", "3000", "1500", 50);
        pan.cubic_foot_days = dec("900");
        pan.ad_sales = dec("1500");
        let direct = |s: &str| Attribution::Direct { sku: sku(s), channel: ch("amazon-us") };
        let charges = vec![
            charge(FeeKind::Referral, usd("-300"), direct("MUG")),
            charge(FeeKind::Referral, usd("-450"), direct("PAN")),
            charge(FeeKind::Fulfillment, usd("-350"), direct("MUG")),
            charge(FeeKind::Fulfillment, usd("-400"), direct("PAN")),
            // storage by cubic-foot-days: 300 : 900 -> 1/4 and 3/4 of -120
            charge(FeeKind::StorageMonthly, usd("-120"), Attribution::ByCubicFootDays),
            // inbound placement by units: 100 : 50 -> 2/3 and 1/3 of -90
            charge(FeeKind::InboundPlacement, usd("-90"), Attribution::ByUnitsSold),
            // ads by click-through sales: 500 : 1500 -> 1/4 and 3/4 of -400
            charge(FeeKind::Advertising, usd("-400"), Attribution::ByAdSales),
            charge(FeeKind::Reimbursement, usd("25"), direct("PAN")),
            charge(FeeKind::Other("subscription".into()), usd("-39.99"), Attribution::Unattributed),
            // a fee for a SKU with no sales line this month goes to the remainder
            charge(FeeKind::Removal, usd("-5"), direct("LAMP")),
        ];
        let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let s =
            net_margins(Currency::USD, march, &[pan, mug], &charges, &RateTable::new()).unwrap();
        let (m, p) = (&s.lines[0], &s.lines[1]);
        assert_eq!((m.sku.as_str(), p.sku.as_str()), ("MUG", "PAN"));
        // MUG: 2000 - 800 - 300 - 350 - 30 (storage) - 60 (placement) - 100 (ads) = 360
        assert_eq!(m.charges[&FeeKind::StorageMonthly], dec("-30"));
        assert_eq!(m.charges[&FeeKind::InboundPlacement], dec("-60"));
        assert_eq!(m.charges[&FeeKind::Advertising], dec("-100"));
        assert_eq!(m.net_margin, dec("360"));
        // per unit 360 / 100 = 3.6; rate 360 / 2000 = 0.18; TACoS 100 / 2000 = 0.05
        assert_eq!(m.net_margin_per_unit.value(), Some(dec("3.6")));
        assert_eq!(m.net_margin_rate.value(), Some(dec("0.18")));
        assert_eq!(m.tacos.value(), Some(dec("0.05")));
        // PAN: 3000 - 1500 - 450 - 400 - 90 - 30 - 300 + 25 = 255
        assert_eq!(p.net_margin, dec("255"));
        assert_eq!(p.tacos.value(), Some(dec("0.1")));
        // remainder: -39.99 - 5 = -44.99; all charges:
        // -300 - 450 - 350 - 400 - 120 - 90 - 400 + 25 - 39.99 - 5 = -2129.99
        assert_eq!(s.unattributed_total, dec("-44.99"));
        assert_eq!(s.charges_total, dec("-2129.99"));
        assert_eq!(s.attributed_total().unwrap() + s.unattributed_total, s.charges_total);
    }

    /// A Lightning Deal fee and coupon redemption fees are fees of the
    /// line but not advertising: they lower its net margin and leave its
    /// TACoS where the pay-per-click spend puts it.
    #[test]
    fn deal_and_coupon_fees_lower_net_margin_but_not_tacos() {
        let mut mug = line("MUG", "amazon-us", "1000", "400", 50);
        mug.ad_sales = dec("400");
        let mug_us = Attribution::Direct { sku: sku("MUG"), channel: ch("amazon-us") };
        let without = vec![
            charge(FeeKind::Referral, usd("-150"), mug_us.clone()),
            charge(FeeKind::Advertising, usd("-80"), Attribution::ByAdSales),
        ];
        let mut with = without.clone();
        with.extend([
            // one Lightning Deal fee
            charge(FeeKind::PromotionProgramme, usd("-70"), mug_us.clone()),
            // 25 coupons redeemed at 0.60 each = 15
            charge(FeeKind::PromotionProgramme, usd("-15"), mug_us),
        ]);
        let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let statement = |c: &[Charge]| {
            net_margins(Currency::USD, march, std::slice::from_ref(&mug), c, &RateTable::new())
                .unwrap()
        };
        let (before, after) = (statement(&without), statement(&with));
        let (b, a) = (&before.lines[0], &after.lines[0]);

        // Without: 1000 - 400 - 150 - 80 = 370.
        assert_eq!(b.net_margin, dec("370"));
        // With: 1000 - 400 - 150 - 80 - 70 - 15 = 285; charges
        // -150 - 80 - 70 - 15 = -315; per unit 285 / 50 = 5.7; rate
        // 285 / 1000 = 0.285.
        assert_eq!(a.charges[&FeeKind::PromotionProgramme], dec("-85"));
        assert_eq!(a.charges_total, dec("-315"));
        assert_eq!(after.charges_total, dec("-315"));
        assert_eq!(a.net_margin, dec("285"));
        assert_eq!(a.net_margin_per_unit.value(), Some(dec("5.7")));
        assert_eq!(a.net_margin_rate.value(), Some(dec("0.285")));
        // TACoS is ad spend only, both times: 80 / 1000 = 0.08, not
        // (80 + 85) / 1000 = 0.165.
        assert_eq!(b.tacos.value(), Some(dec("0.08")));
        assert_eq!(a.tacos.value(), Some(dec("0.08")));
    }

    #[test]
    fn currencies_convert_only_with_a_rate() {
        let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let sales = [line("MUG", "amazon-de", "100", "40", 10)];
        let fee = [charge(
            FeeKind::Referral,
            Money::new(dec("-10"), Currency::EUR),
            Attribution::Direct { sku: sku("MUG"), channel: ch("amazon-de") },
        )];
        let no_rate = net_margins(Currency::USD, march, &sales, &fee, &RateTable::new());
        assert!(matches!(no_rate, Err(MetricsError::CurrencyMismatch { .. })));
        // 1 EUR = 1.08 USD: -10 EUR = -10.80 USD; 100 - 40 - 10.80 = 49.20
        let rates = RateTable::new().with_rate(Currency::EUR, Currency::USD, dec("1.08")).unwrap();
        let s = net_margins(Currency::USD, march, &sales, &fee, &rates).unwrap();
        assert_eq!(s.lines[0].net_margin, dec("49.20"));
    }

    #[test]
    fn break_even_and_fee_change_by_hand() {
        // 15 % referral, 0.30 minimum, 5.40 fixed per unit
        let fees = FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.40")).unwrap();
        // p (1 - 0.15) = 8.20 + 5.40 = 13.60 -> p = 16; referral at 16 = 2.40 >= 0.30
        assert_eq!(fees.break_even_price(dec("8.20")).unwrap(), dec("16"));
        // at the break-even price the margin is zero: 16 - (2.40 + 5.40) - 8.20 = 0
        assert_eq!(dec("16") - fees.fees_at(dec("16")).unwrap() - dec("8.20"), Decimal::ZERO);
        // a tiny item where the minimum bites: cost 0.10, no fixed fees, 15 %, min 1.00
        // by rate p = 0.10 / 0.85 = 0.1176..., whose 15 % = 0.0176 < 1.00
        // so p = 0.10 + 1.00 = 1.10 (its 15 % = 0.165 < 1.00, the minimum holds)
        let small = FeeSchedule::new(dec("0.15"), dec("1.00"), Decimal::ZERO).unwrap();
        assert_eq!(small.break_even_price(dec("0.10")).unwrap(), dec("1.10"));
        // fulfillment up 0.25 a unit on 400 units at 20.00: margin falls by 100
        let dearer = FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.65")).unwrap();
        assert_eq!(
            fees.margin_change(&dearer, dec("20"), Quantity::new(400)).unwrap(),
            dec("-100")
        );
        assert!(FeeSchedule::new(Decimal::ONE, Decimal::ZERO, Decimal::ZERO).is_err());
        assert!(FeeSchedule::new(dec("-0.1"), Decimal::ZERO, Decimal::ZERO).is_err());
    }

    /// March 2026 from a FIFO ledger: COGS per channel drawn through
    /// `sales_from_valuation`, then the statement.
    #[test]
    fn cogs_per_channel_from_the_ledger() {
        use chrono::{TimeZone, Utc};
        use merchantry_core::{EventId, OrderId};
        use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions};

        let mut ledger = Ledger::new(LedgerOptions::default()); // FIFO, USD
        let (mug, fba) = (sku("MUG"), loc("FBA"));
        let at = |m, day| Utc.with_ymd_and_hms(2026, m, day, 12, 0, 0).unwrap();
        let mut put = |id: &str, when, kind| {
            let e = Event::new(EventId::new(id).unwrap(), when, mug.clone(), fba.clone(), kind);
            ledger.ingest(e).unwrap();
        };
        put("r1", at(2, 20), EventKind::receipt(Quantity::new(10), dec("4.00")));
        put("r2", at(3, 1), EventKind::receipt(Quantity::new(20), dec("5.00")));
        let ship = |q, c: &str, o: &str| {
            EventKind::shipment(Quantity::new(q), ch(c), OrderId::new(o).unwrap())
        };
        put("s0", at(2, 25), ship(2, "amazon-us", "o0")); // February: outside
        put("s1", at(3, 3), ship(12, "amazon-us", "o1"));
        put("s2", at(3, 4), ship(5, "web", "o2"));
        let back = EventKind::CustomerReturn {
            quantity: Quantity::new(1),
            channel: ch("amazon-us"),
            disposition: Disposition::Sellable,
            shipment: Some(EventId::new("s1").unwrap()),
        };
        put("b1", at(3, 10), back);

        let mut drivers = BTreeMap::new();
        let revenue = |r: &str| SalesDrivers { revenue: dec(r), ..Default::default() };
        drivers.insert((sku("MUG"), ch("amazon-us")), revenue("110"));
        drivers.insert((sku("MUG"), ch("web")), revenue("50"));
        let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
        let valued =
            sales_from_valuation(&ledger, march, &drivers, &ValuedSalesOptions::default()).unwrap();
        // FIFO: s0 takes 2 of r1 (Feb). s1 takes r1's other 8 at 4.00 and
        // 4 of r2 at 5.00 = 32 + 20 = 52; the return brings back 1/12 of
        // it, 52 / 12 = 4.333.. (which the ledger carries to 16 decimal
        // places); s2 takes 5 of r2 = 25.
        let (a, w) = (&valued.sales[0], &valued.sales[1]);
        assert_eq!((a.channel.as_str(), a.units.get()), ("amazon-us", 11));
        assert_eq!(a.cogs, dec("52") - dec("4.3333333333333333"));
        assert_eq!((w.channel.as_str(), w.units.get(), w.cogs), ("web", 5, dec("25")));
        assert!(valued.unassigned.is_empty());
        // The books' own COGS for the month equals the lines' sum.
        assert_eq!(ledger_cogs(&ledger, march), a.cogs + w.cogs);
        // web: 50 - 25 = 25 with no fees.
        let s = valued.net_margins(&[], &RateTable::new()).unwrap();
        assert_eq!(s.lines[1].net_margin, dec("25"));
    }

    fn ledger_cogs(books: &impl ValuationView, range: DateRange) -> Decimal {
        books.cogs(&sku("MUG"), range)
    }

    fn attribution() -> impl Strategy<Value = Attribution> {
        prop_oneof![
            (0usize..4).prop_map(|i| Attribution::Direct {
                sku: sku(&format!("S{i}")),
                channel: ch("web"),
            }),
            Just(Attribution::ByUnitsSold),
            Just(Attribution::ByCubicFootDays),
            Just(Attribution::ByAdSales),
            Just(Attribution::Unattributed),
        ]
    }

    proptest! {
        #[test]
        fn attributed_plus_unattributed_equals_the_total_exactly(
            lines in prop::collection::vec(
                (0i64..1000, 0i64..10_000, 0u32..4, 0i64..10_000, 0u32..4), 0..4),
            charges in prop::collection::vec(
                (any::<i32>(), 0u32..=8, attribution()), 0..30),
        ) {
            let sales: Vec<Sales> = lines.iter().enumerate().map(|(i, (u, cf, cs, ad, as_))| Sales {
                sku: sku(&format!("S{i}")),
                channel: ch("web"),
                revenue: dec("100"),
                cogs: dec("40"),
                units: Quantity::new(*u),
                cubic_foot_days: Decimal::new(*cf, *cs),
                ad_sales: Decimal::new(*ad, *as_),
            }).collect();
            let charges: Vec<Charge> = charges.into_iter().map(|(m, s, a)| {
                charge(FeeKind::Advertising, Money::new(Decimal::new(i64::from(m), s), Currency::USD), a)
            }).collect();
            let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
            let st = net_margins(Currency::USD, march, &sales, &charges, &RateTable::new()).unwrap();
            let expected: Decimal = charges.iter().map(|c| c.amount.amount()).sum();
            prop_assert_eq!(st.charges_total, expected);
            prop_assert_eq!(st.attributed_total().unwrap() + st.unattributed_total, expected);
        }

        #[test]
        fn promotion_programme_fees_move_net_margin_by_their_amount_and_never_tacos(
            lines in prop::collection::vec((0i64..1000, 0i64..10_000, 0i64..100_000), 1..4),
            ads in prop::collection::vec((any::<i32>(), 0u32..=4, attribution()), 0..8),
            promos in prop::collection::vec((any::<i32>(), 0u32..=4, attribution()), 1..8),
        ) {
            let sales: Vec<Sales> = lines.iter().enumerate().map(|(i, (u, ad, rev))| Sales {
                sku: sku(&format!("S{i}")),
                channel: ch("web"),
                revenue: Decimal::new(*rev, 2),
                cogs: dec("40"),
                units: Quantity::new(*u),
                cubic_foot_days: Decimal::ONE,
                ad_sales: Decimal::new(*ad, 2),
            }).collect();
            let to_charges = |kind: FeeKind, v: &[(i32, u32, Attribution)]| -> Vec<Charge> {
                v.iter().map(|(m, s, a)| {
                    let amount = Money::new(Decimal::new(i64::from(*m), *s), Currency::USD);
                    charge(kind.clone(), amount, a.clone())
                }).collect()
            };
            let without = to_charges(FeeKind::Advertising, &ads);
            let mut with = without.clone();
            with.extend(to_charges(FeeKind::PromotionProgramme, &promos));
            let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
            let b = net_margins(Currency::USD, march, &sales, &without, &RateTable::new()).unwrap();
            let a = net_margins(Currency::USD, march, &sales, &with, &RateTable::new()).unwrap();
            let promo_total: Decimal = with.iter()
                .filter(|c| c.kind == FeeKind::PromotionProgramme)
                .map(|c| c.amount.amount())
                .sum();
            prop_assert_eq!(a.charges_total, b.charges_total + promo_total);
            for (lb, la) in b.lines.iter().zip(&a.lines) {
                let promo = la.charges.get(&FeeKind::PromotionProgramme).copied().unwrap_or_default();
                prop_assert_eq!(&la.tacos, &lb.tacos);
                prop_assert_eq!(la.net_margin, lb.net_margin + promo);
                prop_assert_eq!(la.charges_total, lb.charges_total + promo);
            }
        }

        #[test]
        fn valued_lines_and_unassigned_cost_add_up_to_the_books_cogs(
            records in prop::collection::vec(
                (0usize..3, 0usize..3, -5i64..50, -500i64..5000, 1u32..=31), 0..40),
            assign in any::<bool>(),
        ) {
            let channels = [None, Some(ch("amazon")), Some(ch("web"))];
            let mut books = ValuationTable::new(Currency::USD);
            for (s, c, q, cost, day) in records {
                books.cost_of_sales.push((sku(&format!("S{s}")), CostOfSale {
                    date: d(2026, 3, day), location: loc("FBA"), channel: channels[c].clone(),
                    quantity: Quantity::new(q), cost: Decimal::new(cost, 2),
                }));
            }
            let no_channel = if assign { NoChannel::AssignTo(ch("web")) } else { NoChannel::Report };
            let options = ValuedSalesOptions { no_channel };
            let march = DateRange::inclusive(d(2026, 3, 1), d(2026, 3, 31)).unwrap();
            let v = sales_from_valuation(&books, march, &BTreeMap::new(), &options).unwrap();
            let books_cogs: Decimal =
                books.valuation_skus().iter().map(|s| books.cogs(s, march)).sum();
            let lines: Decimal = v.sales.iter().map(|l| l.cogs).sum();
            prop_assert_eq!(lines + v.unassigned_cogs().unwrap(), books_cogs);
            let units: i64 = v.sales.iter().map(|l| l.units.get()).sum::<i64>()
                + v.unassigned.iter().map(|u| u.units.get()).sum::<i64>();
            let books_units: i64 = books.cost_of_sales.iter().map(|(_, c)| c.quantity.get()).sum();
            prop_assert_eq!(units, books_units);
        }
    }
}

/// Every metrics type with a validating constructor is validated again
/// when deserialised, with the constructor's error.
#[cfg(feature = "serde")]
mod serde_validation {
    use super::*;

    /// The text of the error `serde_json` gives for `json`, without the
    /// position it appends.
    fn refusal<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        let err = serde_json::from_str::<T>(json).unwrap_err().to_string();
        match err.find(" at line ") {
            Some(at) => err[..at].to_owned(),
            None => err,
        }
    }

    #[test]
    fn aging_edges_round_trip_as_a_list_and_refuse_disorder() {
        let edges = AgingEdges::new(vec![30, 60, 90]).unwrap();
        let json = serde_json::to_string(&edges).unwrap();
        assert_eq!(json, "[30,60,90]");
        assert_eq!(serde_json::from_str::<AgingEdges>(&json).unwrap(), edges);
        let want = AgingEdges::new(vec![60, 30]).unwrap_err().to_string();
        assert_eq!(refusal::<AgingEdges>("[60,30]"), want);
        assert!(serde_json::from_str::<AgingEdges>("[30,30]").is_err());
        // Inside the options that carry them, too.
        let options = SetOptions::default();
        let json = serde_json::to_string(&options).unwrap();
        assert_eq!(serde_json::from_str::<SetOptions>(&json).unwrap(), options);
        let bad = json.replace("[90,180,270,365]", "[365,90]");
        assert!(serde_json::from_str::<SetOptions>(&bad).is_err(), "{bad}");
    }

    #[test]
    fn inventory_series_round_trips_and_refuses_a_wrong_length() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).unwrap();
        let range = DateRange::inclusive(d(1), d(2)).unwrap();
        let s = InventorySeries::new(range, Decimal::from(10), vec![Decimal::from(8); 2]).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"range":{"start":"2026-03-01","end":"2026-03-03"},"values":["10","8","8"]}"#
        );
        assert_eq!(serde_json::from_str::<InventorySeries>(&json).unwrap(), s);
        // Two days need three values (the opening and two closes).
        let short = r#"{"range":{"start":"2026-03-01","end":"2026-03-03"},"values":["10","8"]}"#;
        let want = InventorySeries::new(range, Decimal::from(10), vec![Decimal::from(8)])
            .unwrap_err()
            .to_string();
        assert_eq!(refusal::<InventorySeries>(short), want);
        let empty = r#"{"range":{"start":"2026-03-01","end":"2026-03-01"},"values":["10"]}"#;
        let want = InventorySeries::new(DateRange::new(d(1), d(1)).unwrap(), Decimal::ONE, vec![])
            .unwrap_err()
            .to_string();
        assert_eq!(refusal::<InventorySeries>(empty), want);
        // The range inside is checked by core: it may not run backwards.
        let backwards = r#"{"range":{"start":"2026-03-03","end":"2026-03-01"},"values":["1"]}"#;
        assert!(serde_json::from_str::<InventorySeries>(backwards).is_err());
    }

    /// A report of 1 August: 3 units oversold at the own warehouse
    /// (-3, -30), 10 sellable at FBA (10, 100) and 2 unsellable at FBA
    /// (2, 8). Total 9 units worth 78.
    fn capital_report() -> CapitalReport {
        let mut dir = BTreeMap::new();
        dir.insert(loc("WH"), LocationKind::OwnWarehouse);
        dir.insert(loc("FBA"), LocationKind::FbaNetwork);
        let holdings = [
            holding("FBA", Disposition::Sellable, 10, 100),
            holding("WH", Disposition::Sellable, -3, -30),
            holding("FBA", Disposition::Unsellable, 2, 8),
        ];
        let mut r = CapitalReport::empty(d(2026, 8, 1), Currency::USD);
        r.add_holdings(&dir, &sku("MUG"), &holdings).unwrap();
        r
    }

    /// One cell as JSON.
    fn cell(kind: &str, disposition: &str, state: &str, units: i64, value: &str) -> String {
        format!(
            r#"{{"kind":"{kind}","disposition":"{disposition}","state":"{state}","stake":{{"units":{units},"value":"{value}"}}}}"#
        )
    }

    /// A report of 1 August in USD as JSON.
    fn report(cells: &[String], units: i64, value: &str) -> String {
        format!(
            r#"{{"as_of":"2026-08-01","currency":"USD","cells":[{}],"total":{{"units":{units},"value":"{value}"}}}}"#,
            cells.join(",")
        )
    }

    #[test]
    fn capital_report_round_trips_with_its_cells_and_signed_total() {
        let r = capital_report();
        let json = serde_json::to_string(&r).unwrap();
        // Cells sorted by kind (own warehouse before FBA), then
        // disposition; total -3 + 10 + 2 = 9 units, -30 + 100 + 8 = 78.
        let want = report(
            &[
                cell("OwnWarehouse", "Sellable", "OwnWarehouse", -3, "-30"),
                cell("FbaNetwork", "Sellable", "Fba", 10, "100"),
                cell("FbaNetwork", "Unsellable", "Unsellable", 2, "8"),
            ],
            9,
            "78",
        );
        assert_eq!(json, want);
        assert_eq!(serde_json::from_str::<CapitalReport>(&json).unwrap(), r);
        // An empty report too.
        let empty = CapitalReport::empty(d(2026, 8, 1), Currency::USD);
        let json = serde_json::to_string(&empty).unwrap();
        assert_eq!(json, report(&[], 0, "0"));
        assert_eq!(serde_json::from_str::<CapitalReport>(&json).unwrap(), empty);
    }

    #[test]
    fn tampered_capital_reports_are_refused_naming_what_is_wrong() {
        let wh = cell("OwnWarehouse", "Sellable", "OwnWarehouse", -3, "-30");
        let fba = cell("FbaNetwork", "Sellable", "Fba", 10, "100");
        let cases = [
            // FBA sorts after the own warehouse.
            (
                report(&[fba.clone(), wh.clone()], 7, "70"),
                "capital report: cell (own warehouse, sellable) comes after (FBA, sellable): \
                 cells must be sorted by kind then disposition",
            ),
            (
                report(&[fba.clone(), fba.clone()], 20, "200"),
                "capital report: cell (FBA, sellable) is listed twice",
            ),
            // Sellable at FBA is Fba, not in transit.
            (
                report(&[cell("FbaNetwork", "Sellable", "InTransit", 10, "100")], 10, "100"),
                "capital report: cell (FBA, sellable) has state InTransit, but that kind and \
                 disposition give Fba",
            ),
            // Unsellable wins over the location kind.
            (
                report(&[cell("Supplier", "Unsellable", "AtSupplier", 1, "5")], 1, "5"),
                "capital report: cell (supplier, unsellable) has state AtSupplier, but that \
                 kind and disposition give Unsellable",
            ),
            // -3 + 10 = 7 units worth -30 + 100 = 70, not 10 worth 100
            // (the oversold cell left out of the total).
            (
                report(&[wh.clone(), fba.clone()], 10, "100"),
                "capital report: total is 10 units worth 100, but the cells sum to 7 units \
                 worth 70",
            ),
            // A value off by one cent is as wrong as a unit.
            (
                report(&[wh, fba], 7, "70.01"),
                "capital report: total is 7 units worth 70.01, but the cells sum to 7 units \
                 worth 70",
            ),
            // 5e28 + 5e28 passes the decimal range.
            (
                report(
                    &[
                        cell(
                            "OwnWarehouse",
                            "Sellable",
                            "OwnWarehouse",
                            1,
                            "50000000000000000000000000000",
                        ),
                        cell("FbaNetwork", "Sellable", "Fba", 1, "50000000000000000000000000000"),
                    ],
                    2,
                    "0",
                ),
                "capital report: the cells sum past the range of units or value",
            ),
        ];
        for (json, want) in cases {
            assert_eq!(refusal::<CapitalReport>(&json), want, "{json}");
        }
    }

    /// One aging bucket as JSON; `max` of `None` is the open last bucket.
    fn bucket(min: u32, max: Option<u32>, units: i64, value: &str) -> String {
        let max = max.map_or_else(|| "null".to_owned(), |m| m.to_string());
        format!(r#"{{"min_days":{min},"max_days":{max},"units":{units},"value":"{value}"}}"#)
    }

    /// An aging report of 1 June in USD as JSON.
    fn aging_report(buckets: &[String], units: i64, value: &str) -> String {
        format!(
            r#"{{"as_of":"2026-06-01","currency":"USD","buckets":[{}],"total_units":{units},"total_value":"{value}"}}"#,
            buckets.join(",")
        )
    }

    #[test]
    fn aging_report_round_trips_with_its_buckets_and_totals() {
        // Edges [30, 60]: a lot 10 days old (4 units, 40) in 0-30 and one
        // 100 days old (1 unit, 7.50) in 61+; totals 5 units, 47.50.
        let edges = AgingEdges::new(vec![30, 60]).unwrap();
        let mut r = AgingReport::empty(d(2026, 6, 1), Currency::USD, &edges);
        let lots = [lot(d(2026, 5, 22), 4, "40"), lot(d(2026, 2, 21), 1, "7.50")];
        r.add_lots(&sku("MUG"), &lots, &edges).unwrap();
        let json = serde_json::to_string(&r).unwrap();
        let want = aging_report(
            &[
                bucket(0, Some(30), 4, "40"),
                bucket(31, Some(60), 0, "0"),
                bucket(61, None, 1, "7.50"),
            ],
            5,
            "47.50",
        );
        assert_eq!(json, want);
        assert_eq!(serde_json::from_str::<AgingReport>(&json).unwrap(), r);
    }

    #[test]
    fn tampered_aging_reports_are_refused_naming_what_is_wrong() {
        let (young, old) = (bucket(0, Some(30), 4, "40"), bucket(31, None, 1, "7.50"));
        let cases = [
            (aging_report(&[], 0, "0"), "aging report: it has no bucket".to_owned()),
            // A gap: ages 31 and 32 would belong nowhere.
            (
                aging_report(&[young.clone(), bucket(33, None, 1, "7.50")], 5, "47.50"),
                "aging report: bucket 1 covers 33+ days, but its edges [30] give 31+".to_owned(),
            ),
            // Not from 0: a lot received today would belong nowhere.
            (
                aging_report(&[bucket(1, Some(30), 4, "40"), old.clone()], 5, "47.50"),
                "aging report: bucket 0 covers 1-30 days, but its edges [30] give 0-30".to_owned(),
            ),
            (
                aging_report(&[bucket(0, None, 4, "40"), old.clone()], 5, "47.50"),
                "aging report: bucket 0 (0+) is open but is not the last".to_owned(),
            ),
            (
                aging_report(&[young.clone(), bucket(31, Some(60), 1, "7.50")], 5, "47.50"),
                "aging report: bucket 1 covers 31-60 days, but its edges [30] give 31+".to_owned(),
            ),
            // Overlapping buckets carry edges out of order: the edges' own error.
            (
                aging_report(
                    &[bucket(0, Some(30), 4, "40"), bucket(31, Some(20), 0, "0"), old.clone()],
                    5,
                    "47.50",
                ),
                AgingEdges::new(vec![30, 20]).unwrap_err().to_string(),
            ),
            // 4 + 1 = 5 units worth 40 + 7.50 = 47.50.
            (
                aging_report(&[young.clone(), old.clone()], 4, "40"),
                "aging report: total is 4 units worth 40, but the buckets sum to 5 units worth \
                 47.50"
                    .to_owned(),
            ),
            (
                aging_report(&[young, old], 5, "47.49"),
                "aging report: total is 5 units worth 47.49, but the buckets sum to 5 units worth \
                 47.50"
                    .to_owned(),
            ),
            (
                aging_report(
                    &[
                        bucket(0, Some(30), 1, "50000000000000000000000000000"),
                        bucket(31, None, 1, "50000000000000000000000000000"),
                    ],
                    2,
                    "0",
                ),
                "aging report: the buckets sum past the range of units or value".to_owned(),
            ),
        ];
        for (json, want) in cases {
            assert_eq!(refusal::<AgingReport>(&json), want, "{json}");
        }
    }
}

#[test]
fn hand_built_turn_parts_give_answers_that_agree_with_each_other() {
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    let parts = |cogs: &str, sum: &str| TurnParts {
        currency: Currency::USD,
        range: jan,
        method: AverageMethod::OpeningClosing,
        cogs: dec(cogs),
        inventory_sum: dec(sum),
        samples: 2,
    };
    let opts = TurnOptions::default();
    // COGS -100 on an average of 200 / 2 = 100 gave ITR -1 and an
    // annualised turn of -1 x 365 / 31 = -11.77 beside a DIO of "no cost
    // of sales". A negative COGS (returns reversing more cost than sales
    // took) has no turn: all three are undefined, for the same reason.
    let t = parts("-100", "200").finish(&opts).unwrap();
    for m in [t.itr, t.annualised_itr, t.dio_days] {
        assert_eq!(m.reason(), Some(Undefined::NegativeCostOfSales), "{t:?}");
    }
    // A sum of 1e-28 over 2 samples: the average 5e-29 reads 0 at 28
    // places, and the turn agrees with the average shown.
    let t = parts("100", "0.0000000000000000000000000001").finish(&opts).unwrap();
    assert_eq!(t.average_inventory, Decimal::ZERO);
    for m in [t.itr, t.annualised_itr, t.dio_days] {
        assert_eq!(m.reason(), Some(Undefined::ZeroAverageInventory), "{t:?}");
    }
    let g = gmroi(
        &parts("100", "0.0000000000000000000000000001"),
        Money::new(dec("150"), Currency::USD),
    );
    assert_eq!(g.unwrap().reason(), Some(Undefined::ZeroAverageInventory));
    // The smallest average that reads above zero, 1e-28 (sum 2e-28),
    // still turns: 100 x 2 / 2e-28 = 1e30 would overflow a Decimal, so
    // a COGS of 1e-27 gives ITR 1e-27 x 2 / 2e-28 = 10.
    let t = parts("0.000000000000000000000000001", "0.0000000000000000000000000002")
        .finish(&opts)
        .unwrap();
    assert_eq!(t.itr.value(), Some(Decimal::TEN));
    // COGS 0 is a turn of 0 and an unbounded DIO, as before.
    let t = parts("0", "200").finish(&opts).unwrap();
    assert_eq!(t.itr.value(), Some(Decimal::ZERO));
    assert_eq!(t.dio_days.reason(), Some(Undefined::NoCostOfSales));
}

// ---------------------------------------------------------------------
// Audit against published definitions and hostile input.
// ---------------------------------------------------------------------

#[test]
fn lost_sales_are_exact_when_the_velocity_repeats() {
    // 6 days: in stock on 3 selling 1 + 0 + 1 = 2, out on 3 selling 0.
    // Lost sales = out days x in-stock units / in-stock days
    //            = 3 x 2 / 3 = 2 exactly (velocity 2/3 = 0.666...7).
    // Estimated fill rate = 2 / (2 + 2) = 0.5 exactly.
    // Multiplying the rounded velocity back gave 3 x 0.6666...67 =
    // 2.0000000000000000000000000001 and a fill rate just under 0.5.
    let s = sku("FAN");
    let h: Vec<DemandRecord> = [(1, 1, false), (2, 0, false), (3, 1, false)]
        .into_iter()
        .chain((4..=6).map(|day| (day, 0, true)))
        .map(|(day, units, out)| DemandRecord {
            sku: s.clone(),
            date: d(2026, 7, day),
            units: Quantity::new(units),
            stocked_out: out,
        })
        .collect();
    let r = stockouts(&h, &s, DateRange::inclusive(d(2026, 7, 1), d(2026, 7, 6)).unwrap()).unwrap();
    assert_eq!(r.velocity.value(), Some(Decimal::from(2) / Decimal::from(3)));
    assert_eq!(r.lost_sales_units.value(), Some(Decimal::from(2)));
    assert_eq!(r.estimated_fill_rate.value(), Some(dec("0.5")));
}

#[test]
fn a_sku_listed_twice_in_a_portfolio_is_refused() {
    // January, A and B each hold 100 every day; COGS A 100, B 300.
    // Portfolio [A, B]: ITR = (100 + 300) / (100 + 100) = 2.
    // [A, B, A] counted A twice: (100 + 300 + 100) / 300 = 1.666..., and
    // capital 300 for 200 held. Both are refused, naming A.
    let (a, b) = (sku("A"), sku("B"));
    let mut t = ValuationTable::new(Currency::USD);
    for (s, cogs) in [(&a, 100), (&b, 300)] {
        t.holdings.push((d(2025, 12, 1), s.clone(), holding("WH", Disposition::Sellable, 10, 100)));
        t.cost_of_sales.push((s.clone(), sale(d(2026, 1, 15), "WH", 10, cogs)));
    }
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    let opts = TurnOptions::default();
    let p = portfolio_turn(&t, &[a.clone(), b.clone()], jan, &Scope::Total, &opts).unwrap();
    assert_eq!(p.itr.value(), Some(Decimal::TWO));
    let twice = portfolio_turn(&t, &[a.clone(), b.clone(), a.clone()], jan, &Scope::Total, &opts);
    assert_eq!(twice.unwrap_err(), MetricsError::DuplicateSku { sku: a.clone() });
    let mut dir = BTreeMap::new();
    dir.insert(loc("WH"), LocationKind::OwnWarehouse);
    let c = capital_tied_up(&t, &dir, &[a.clone(), b.clone()], d(2026, 1, 31)).unwrap();
    assert_eq!(c.total().value, Decimal::from(200));
    let twice = capital_tied_up(&t, &dir, &[b.clone(), a, b.clone()], d(2026, 1, 31));
    assert_eq!(twice.unwrap_err(), MetricsError::DuplicateSku { sku: b });
}

#[test]
fn a_turn_near_the_decimal_limit_answers_when_its_value_is_representable() {
    // January (31 days), opening 0 and closing 6e28, COGS 3e28:
    // average = (0 + 6e28) / 2 = 3e28; ITR = 3e28 / 3e28 = 1;
    // annualised = 1 x 365 / 31 = 11.774193548387096774193548387;
    // DIO = 31 / 1 = 31; GMROI at revenue 4.5e28 = 1.5e28 / 3e28 = 0.5.
    // The intermediate products COGS x 2 x 365 = 2.19e31 and
    // inventory sum x 31 = 1.86e30 pass the decimal range (7.92e28), and
    // the turn was refused as an overflow of "annualised itr".
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    let parts = TurnParts {
        currency: Currency::USD,
        range: jan,
        method: AverageMethod::OpeningClosing,
        cogs: dec("30000000000000000000000000000"),
        inventory_sum: dec("60000000000000000000000000000"),
        samples: 2,
    };
    let t = parts.finish(&TurnOptions::default()).unwrap();
    assert_eq!(t.itr.value(), Some(Decimal::ONE));
    assert_eq!(t.annualised_itr.value(), Some(Decimal::from(365) / Decimal::from(31)));
    assert_eq!(t.dio_days.value(), Some(Decimal::from(31)));
    let revenue = Money::new(dec("45000000000000000000000000000"), Currency::USD);
    assert_eq!(gmroi(&parts, revenue).unwrap().value(), Some(dec("0.5")));
    // COGS at 5e28 over the same stock: COGS x 2 = 1e29 alone passes the
    // range; ITR = 5e28 / 3e28 = 1.666...7, DIO = 31 / (5/3) = 18.6.
    let t = TurnParts { cogs: dec("50000000000000000000000000000"), ..parts }
        .finish(&TurnOptions::default())
        .unwrap();
    assert_eq!(t.itr.value(), Some(Decimal::from(5) / Decimal::from(3)));
    assert_eq!(t.dio_days.value(), Some(dec("18.6")));
}

#[test]
fn a_sum_the_view_saturated_at_the_decimal_limit_is_an_overflow() {
    // Core's default ValuationView sums saturate at Decimal::MAX
    // (79,228,162,514,264,337,593,543,950,335, about 7.92e28). January:
    // nothing held until two holdings of 5e28 each land on the 31st, 1e29
    // of stock, past the limit; COGS 1e28. Opening and closing, the true
    // turn would be 1e28 / ((0 + 1e29) / 2) = 0.2; the view reports the
    // closing value as 7.92e28 and the turn came out as
    // 1e28 / 3.96e28 = 0.2524..., with no error.
    let s = sku("BULLION");
    let big = dec("50000000000000000000000000000"); // 5e28
    let hold = |location: &str| Holding {
        location: loc(location),
        disposition: Disposition::Sellable,
        quantity: Quantity::new(1),
        value: big,
    };
    let mut t = ValuationTable::new(Currency::USD);
    t.holdings.push((d(2026, 1, 31), s.clone(), hold("WH1")));
    t.holdings.push((d(2026, 1, 31), s.clone(), hold("WH2")));
    let cost = |day, cost| (s.clone(), CostOfSale { cost, ..sale(d(2026, 1, day), "WH1", 1, 0) });
    t.cost_of_sales.push(cost(9, dec("10000000000000000000000000000")));
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    assert_eq!(t.inventory_value(&s, d(2026, 1, 31)), Decimal::MAX);
    let opts = TurnOptions::default().with_average(AverageMethod::OpeningClosing);
    let err = inventory_turn(&t, &s, jan, &opts).unwrap_err();
    assert_eq!(err, MetricsError::Overflow { what: "inventory value", sku: Some(sku("BULLION")) });
    // The same for COGS: two sales of 5e28 saturate the view's cogs()
    // at 7.92e28 against 5e28 held all month (true COGS 1e29).
    let mut t = ValuationTable::new(Currency::USD);
    t.holdings.push((d(2025, 12, 1), s.clone(), hold("WH1")));
    t.cost_of_sales.push(cost(3, big));
    t.cost_of_sales.push(cost(4, big));
    assert_eq!(t.cogs(&s, jan), Decimal::MAX);
    let err = inventory_turn(&t, &s, jan, &opts).unwrap_err();
    assert_eq!(err, MetricsError::Overflow { what: "cogs", sku: Some(sku("BULLION")) });
}

/// A forecast source that ignores the horizon asked for and returns all
/// it has: 28 days at 4 a day, then 28 days at 12 a day.
struct WholeForecast;

impl merchantry_core::DemandForecast for WholeForecast {
    fn forecast_demand(&self, _: &Sku, start: NaiveDate, _: u32) -> Option<DailyForecast> {
        let mean: Vec<f64> = [4.0; 28].into_iter().chain([12.0; 28]).collect();
        DailyForecast::new(start, mean, vec![0.0; 56]).ok()
    }
}

#[test]
fn days_of_supply_averages_only_the_horizon_asked_for() {
    // Supply 100 sellable + 60 inbound = 160 (cover_fixture); horizon 28
    // days of 4 a day: rate 4, 160 / 4 = 40 days. The source returned 56
    // days and the rate was their mean, (28 x 4 + 28 x 12) / 56 = 8,
    // giving 20 days.
    let (stock, _, s) = cover_fixture(4.0);
    let c = days_of_supply(&stock, &WholeForecast, &s, d(2026, 5, 1), &CoverOptions::default())
        .unwrap();
    assert_eq!(c.daily_demand.value(), Some(4.0));
    assert_eq!(c.days_of_supply.value(), Some(40.0));
}

#[test]
fn aging_edges_that_leave_no_open_bucket_are_refused() {
    // Tester's case: one edge at u32::MAX gave buckets 0-4294967295 and
    // 4294967295+, so an age of 4294967295 days sat in both.
    let err = AgingEdges::new(vec![u32::MAX]).unwrap_err();
    assert_eq!(
        err,
        MetricsError::InvalidBucketEdges {
            edges: vec![u32::MAX],
            edge: u32::MAX,
            reason: "leaves no day for the open last bucket",
        }
    );
    assert_eq!(
        err.to_string(),
        "aging bucket edge 4294967295 of [4294967295] leaves no day for the open last bucket"
    );
    // The same as the last of several edges.
    let err = AgingEdges::new(vec![30, u32::MAX]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "aging bucket edge 4294967295 of [30, 4294967295] leaves no day for the open last \
         bucket"
    );
    // One day lower leaves exactly one day, and the buckets still meet
    // end to end: 0-4294967294, then 4294967295+.
    let top = AgingEdges::new(vec![u32::MAX - 1]).unwrap();
    let report = AgingReport::empty(d(2026, 6, 1), Currency::USD, &top);
    let bounds: Vec<_> = report.buckets.iter().map(|b| (b.min_days, b.max_days)).collect();
    assert_eq!(bounds, [(0, Some(u32::MAX - 1)), (u32::MAX, None)]);
    // Edges out of order name the edge that breaks the order.
    assert_eq!(
        AgingEdges::new(vec![60, 30]).unwrap_err().to_string(),
        "aging bucket edge 30 of [60, 30] is not above the edge before it"
    );
    #[cfg(feature = "serde")]
    {
        // A report read back with the overlapping buckets is refused too.
        let json = r#"{"as_of":"2026-06-01","currency":"USD","buckets":[
            {"min_days":0,"max_days":4294967295,"units":0,"value":"0"},
            {"min_days":4294967295,"max_days":null,"units":0,"value":"0"}],
            "total_units":0,"total_value":"0"}"#;
        assert!(serde_json::from_str::<AgingReport>(json).is_err());
        assert!(serde_json::from_str::<AgingEdges>("[4294967295]").is_err());
    }
}

#[test]
fn a_fee_what_if_refuses_negative_units() {
    // Tester's case: -400 units turned a fee rise of 0.25 a unit into a
    // margin gain of 100. The what-if prices a volume to be sold; unlike
    // a period's net units in net_margins (sales net of returns, which
    // may be negative), a planned volume below zero means nothing.
    let fees = margin::FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.40")).unwrap();
    let dearer = margin::FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.65")).unwrap();
    let err = fees.margin_change(&dearer, dec("20"), Quantity::new(-400)).unwrap_err();
    assert_eq!(err, MetricsError::Negative { what: "units", value: Decimal::from(-400) });
    assert_eq!(err.to_string(), "units is -400, which is negative");
    // Zero units change nothing.
    assert_eq!(fees.margin_change(&dearer, dec("20"), Quantity::ZERO), Ok(Decimal::ZERO));
}

#[test]
fn an_overflow_with_no_sku_names_none() {
    // Tester's case: "arithmetic overflow computing break-even price for
    // sku *". The fee schedule knows no SKU, so the message names none.
    let fees = margin::FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.40")).unwrap();
    let err = fees.break_even_price(Decimal::MAX).unwrap_err();
    assert_eq!(err, MetricsError::Overflow { what: "break-even price", sku: None });
    assert_eq!(err.to_string(), "arithmetic overflow computing break-even price");
    // Overflows with a SKU keep naming it (the BULLION case above).
    let s = sku("BULLION");
    let mut t = ValuationTable::new(Currency::USD);
    t.holdings.push((d(2026, 1, 31), s.clone(), holding("WH1", Disposition::Sellable, 1, 0)));
    t.holdings.push((
        d(2026, 1, 31),
        s.clone(),
        Holding { value: Decimal::MAX, ..holding("WH2", Disposition::Sellable, 1, 0) },
    ));
    let jan = DateRange::inclusive(d(2026, 1, 1), d(2026, 1, 31)).unwrap();
    let opts = TurnOptions::default().with_average(AverageMethod::OpeningClosing);
    let err = inventory_turn(&t, &s, jan, &opts).unwrap_err();
    assert_eq!(err.to_string(), "arithmetic overflow computing inventory value for sku BULLION");
}

#[test]
fn float_options_in_errors_print_large_and_tiny_magnitudes_with_an_exponent() {
    // Tester's case: -1e300 printed as a minus sign and 301 digits.
    let refused = |days: f64| LtvOptions::default().with_tolerance_days(days).unwrap_err();
    assert_eq!(
        refused(-1e300).to_string(),
        "option tolerance_days is -1e300, expected a finite number >= 0"
    );
    assert_eq!(
        refused(-2.5e-300).to_string(),
        "option tolerance_days is -2.5e-300, expected a finite number >= 0"
    );
    assert_eq!(
        refused(-f64::MAX).to_string(),
        "option tolerance_days is -1.7976931348623157e308, expected a finite number >= 0"
    );
    // Ordinary magnitudes stay plain, and so do NaN and infinity.
    assert_eq!(
        refused(-2.5).to_string(),
        "option tolerance_days is -2.5, expected a finite number >= 0"
    );
    assert_eq!(
        refused(-0.001).to_string(),
        "option tolerance_days is -0.001, expected a finite number >= 0"
    );
    assert!(refused(f64::NAN).to_string().contains(" is NaN, "));
    assert!(refused(f64::NEG_INFINITY).to_string().contains(" is -inf, "));
    let zero = TurnOptions::default().with_days_per_year(0).unwrap_err();
    assert_eq!(zero.to_string(), "option days_per_year is 0, expected at least 1");
}
