//! Hostile use of the router: empty and oversized orders, quantities and
//! weights at the edges of the 64-bit range, repeated SKUs and order ids,
//! nodes with no capacity, cutoffs at midnight and in daylight-saving
//! gaps, edited plans, and a law that no batch takes stock or capacity a
//! node lacks. Every refusal must be a typed error naming the order and
//! what was wrong, and must take nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use merchantry_core::{
    ChannelId, Currency, DateRange, Disposition, LocationId, LocationKind, OrderId, Quantity, Sku,
    StockPosition, StockView,
};
use merchantry_route::{
    Capacity, Infeasibility, Inventory, Network, Node, Order, OrderLine, Outcome, Plan, RateTier,
    RouteError, Router, RouterOptions, Speed, StandardScorer, UnroutableReason, WeeklyCutoffs,
    Zone, tz,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
}

fn sku(s: &str) -> Sku {
    Sku::new(s).unwrap()
}

fn loc(s: &str) -> LocationId {
    LocationId::new(s).unwrap()
}

/// A node serving zone 1 by Standard in two days: 1.00 a package, 0.10 a
/// unit, 5.00 postage up to 50 kg.
fn node(id: &str, zone: tz::Tz) -> Node {
    let mut n = Node::new(loc(id), LocationKind::OwnWarehouse, zone, Currency::USD);
    n.costs.per_package = Decimal::new(100, 2);
    n.costs.per_unit = Decimal::new(10, 2);
    n.costs.rates.insert(Zone(1), vec![RateTier { max_weight_g: 50_000, price: Decimal::from(5) }]);
    n.transit_days.insert((Zone(1), Speed::Standard), 2);
    n
}

fn year_2026() -> DateRange {
    DateRange::inclusive(d(2026, 1, 1), d(2026, 12, 31)).unwrap()
}

fn line(s: &str, n: i64) -> OrderLine {
    let mut l = OrderLine::new(sku(s), Quantity::new(n));
    l.unit_weight_g = 100;
    l
}

fn order(id: &str, lines: Vec<OrderLine>, placed: DateTime<Utc>) -> Order {
    Order {
        id: OrderId::new(id).unwrap(),
        lines,
        zone: Zone(1),
        market: None,
        placed_at: placed,
        promised_by: placed.date_naive() + Duration::days(10),
        speed: Speed::Standard,
        channel: ChannelId::new("web").unwrap(),
    }
}

/// Monday 5 January 2026, 10:00 UTC.
fn monday() -> DateTime<Utc> {
    utc(2026, 1, 5, 10, 0)
}

/// Everything observable about what a router has taken: the stock of
/// each SKU at each node and the capacity used on each day of January.
fn taken(router: &Router<'_>, net: &Network, skus: &[&str]) -> Vec<(i64, u32, u64)> {
    let mut out = Vec::new();
    for idx in net.indices() {
        for s in skus {
            out.push((router.inventory().get(&sku(s), idx).get(), 0, 0));
        }
        for day in 1..=31 {
            let (p, u) = router.used_capacity(idx, d(2026, 1, day));
            out.push((0, p, u));
        }
    }
    out
}

/// Routes `o`, which must be refused with an error, and checks nothing
/// was taken.
fn refused(router: &mut Router<'_>, net: &Network, o: &Order) -> RouteError {
    let before = taken(router, net, &["A", "B"]);
    let e = router.route(o).expect_err("the order should be refused");
    assert_eq!(taken(router, net, &["A", "B"]), before, "a refused order took something: {e}");
    assert!(!e.to_string().is_empty());
    e
}

fn two_nodes() -> Network {
    Network::new(vec![node("N1", tz::UTC), node("N2", tz::UTC)], year_2026()).unwrap()
}

fn stocked(net: &Network, rows: &[(&str, &str, i64)]) -> Inventory {
    let mut inv = Inventory::new(net);
    for &(n, s, q) in rows {
        inv.set(&sku(s), net.index_of(&loc(n)).unwrap(), Quantity::new(q));
    }
    inv
}

#[test]
fn malformed_orders_are_refused_by_name_and_take_nothing() {
    let net = two_nodes();
    let mut r = Router::new(&net, stocked(&net, &[("N1", "A", 10), ("N2", "B", 10)]));

    let e = refused(&mut r, &net, &order("EMPTY", vec![], monday()));
    assert!(matches!(e, RouteError::EmptyOrder { ref order } if order.as_str() == "EMPTY"));

    for bad in [0, -1, i64::MIN] {
        let o = order("Q", vec![line("A", 1), line("B", bad)], monday());
        match refused(&mut r, &net, &o) {
            RouteError::NonPositiveQuantity { line, sku, quantity, .. } => {
                assert_eq!((line, sku.as_str(), quantity), (1, "B", bad));
            }
            other => panic!("expected NonPositiveQuantity, got {other:?}"),
        }
    }

    let o = order("SUM", vec![line("A", i64::MAX), line("B", 1)], monday());
    assert!(matches!(refused(&mut r, &net, &o), RouteError::QuantityOverflow { .. }));

    let mut heavy = line("A", i64::MAX);
    heavy.unit_weight_g = 3;
    let o = order("HEAVY", vec![heavy], monday());
    assert!(matches!(refused(&mut r, &net, &o), RouteError::WeightOverflow { line: 0, .. }));

    let many: Vec<OrderLine> = (0..65).map(|i| line(&format!("S{i}"), 1)).collect();
    let e = refused(&mut r, &net, &order("WIDE", many, monday()));
    assert!(matches!(e, RouteError::TooManyLines { lines: 65, max: 64, .. }));

    // The horizon is read as UTC days: 1 Jan 00:00 UTC is in, a
    // nanosecond before is out, and so is 1 Jan 2027 00:00 UTC.
    let early = utc(2026, 1, 1, 0, 0) - Duration::nanoseconds(1);
    let e = refused(&mut r, &net, &order("EARLY", vec![line("A", 1)], early));
    assert!(matches!(e, RouteError::OutsideHorizon { .. }), "{e:?}");
    let late = utc(2027, 1, 1, 0, 0);
    let e = refused(&mut r, &net, &order("LATE", vec![line("A", 1)], late));
    assert!(matches!(e, RouteError::OutsideHorizon { .. }), "{e:?}");
    assert!(r.plan(&order("IN", vec![line("A", 1)], utc(2026, 1, 1, 0, 0))).is_ok());
}

#[test]
fn a_repeated_sku_never_takes_more_than_a_node_holds() {
    let net = two_nodes();
    let mut r = Router::new(&net, stocked(&net, &[("N1", "A", 10), ("N2", "A", 6)]));
    // 6 + 6 of A: N1 alone holds 10, so the lines must split.
    let o = order("DUP", vec![line("A", 6), line("A", 6)], monday());
    let plan = r.route(&o).unwrap().plan().cloned().expect("routed");
    assert_eq!(plan.package_count(), 2);
    assert_eq!(r.inventory().get(&sku("A"), net.index_of(&loc("N1")).unwrap()), Quantity::new(4));
    assert_eq!(r.inventory().get(&sku("A"), net.index_of(&loc("N2")).unwrap()), Quantity::ZERO);
    // Now 4 are left: 3 + 2 cannot ship (each line ships whole, and no
    // node holds 5).
    let o = order("DUP2", vec![line("A", 3), line("A", 2)], monday());
    let out = r.route(&o).unwrap();
    match out.unroutable().map(|u| &u.reason) {
        Some(UnroutableReason::NoFeasibleCombination {
            cause: Infeasibility::Stock { sku, .. },
        }) => {
            assert_eq!(sku.as_str(), "A");
        }
        other => panic!("expected a stock infeasibility, got {other:?}"),
    }
    assert_eq!(r.inventory().get(&sku("A"), net.index_of(&loc("N1")).unwrap()), Quantity::new(4));
}

#[test]
fn a_batch_with_a_repeated_order_id_takes_nothing() {
    let net = two_nodes();
    let mut r = Router::new(&net, stocked(&net, &[("N1", "A", 10)]));
    let batch = [
        order("X-1", vec![line("A", 1)], monday()),
        order("X-2", vec![line("A", 1)], monday()),
        order("X-1", vec![line("A", 2)], monday()),
    ];
    let before = taken(&r, &net, &["A"]);
    let e = r.route_batch(&batch).unwrap_err();
    assert!(matches!(e, RouteError::DuplicateOrder { ref order } if order.as_str() == "X-1"));
    assert_eq!(taken(&r, &net, &["A"]), before);
    // One bad order among good ones: nothing is taken for the good ones.
    let batch =
        [order("G-1", vec![line("A", 1)], monday()), order("G-2", vec![line("A", 0)], monday())];
    assert!(matches!(r.route_batch(&batch), Err(RouteError::NonPositiveQuantity { .. })));
    assert_eq!(taken(&r, &net, &["A"]), before);
    // An empty batch is no work, not an error.
    assert!(r.route_batch(&[]).unwrap().is_empty());
}

#[test]
fn nodes_with_zero_capacity_ship_nothing() {
    let mut no_packages = node("NOPKG", tz::UTC);
    no_packages.capacity = Capacity { packages_per_day: Some(0), units_per_day: None };
    let mut no_units = node("NOUNITS", tz::UTC);
    no_units.capacity = Capacity { packages_per_day: None, units_per_day: Some(0) };
    let net = Network::new(vec![no_packages, no_units], year_2026()).unwrap();
    let inv = stocked(&net, &[("NOPKG", "A", 100), ("NOUNITS", "A", 100)]);
    for roll in [0, 5] {
        let options = RouterOptions { capacity_roll_days: roll, ..RouterOptions::default() };
        let mut r = Router::with_scorer(&net, inv.clone(), options, StandardScorer::default());
        let out = r.route(&order("C", vec![line("A", 1)], monday())).unwrap();
        match out.unroutable().map(|u| &u.reason) {
            Some(UnroutableReason::NoFeasibleCombination {
                cause: Infeasibility::Capacity { .. },
            }) => {}
            other => panic!("expected a capacity refusal, got {other:?}"),
        }
        assert_eq!(r.inventory(), &inv);
    }
}

/// What a refused commit must have said.
type Expect = fn(&RouteError) -> bool;

#[test]
fn edited_plans_are_refused_whole() {
    let net = two_nodes();
    let inv = stocked(&net, &[("N1", "A", 5), ("N2", "B", 5)]);
    let mut r = Router::new(&net, inv.clone());
    let o = order("E", vec![line("A", 2), line("B", 1)], monday());
    let plan = r.plan(&o).unwrap().plan().cloned().unwrap();
    assert_eq!(plan.package_count(), 2);

    let edits: Vec<(Plan, Expect)> = vec![
        (Plan { packages: vec![], ..plan.clone() }, |e| matches!(e, RouteError::EmptyPlan { .. })),
        (
            {
                let mut p = plan.clone();
                p.packages[1].units += 1;
                p
            },
            |e| matches!(e, RouteError::PackageUnitsMismatch { .. }),
        ),
        (
            {
                let mut p = plan.clone();
                let first = p.packages[0].clone();
                p.packages[1] = first;
                p
            },
            |e| {
                matches!(
                    e,
                    RouteError::DuplicatePackage { .. } | RouteError::DuplicatePlanLine { .. }
                )
            },
        ),
        (
            {
                let mut p = plan.clone();
                p.packages[0].lines[0].quantity = Quantity::new(-2);
                p
            },
            |e| matches!(e, RouteError::NonPositiveQuantity { .. }),
        ),
        (
            {
                // Asks 6 of A where 5 are: stale, and B is not taken
                // either.
                let mut p = plan.clone();
                p.packages[0].lines[0].quantity = Quantity::new(6);
                p.packages[0].units = 6;
                p
            },
            |e| matches!(e, RouteError::StalePlan { what: "stock", .. }),
        ),
        (
            {
                // A Saturday is not a ship day.
                let mut p = plan.clone();
                p.packages[0].ship_date = d(2026, 1, 10);
                p
            },
            |e| matches!(e, RouteError::NotAShipDay { .. }),
        ),
    ];
    for (edited, expected) in edits {
        let e = r.commit(&edited).unwrap_err();
        assert!(expected(&e), "unexpected error {e:?}");
        assert_eq!(r.inventory(), &inv);
    }
    // The genuine plan commits; committing it again takes the stock a
    // second time (the router keeps no record of orders), until none is
    // left.
    r.commit(&plan).unwrap();
    r.commit(&plan).unwrap();
    let a_at_n1 = r.inventory().get(&sku("A"), net.index_of(&loc("N1")).unwrap());
    assert_eq!(a_at_n1, Quantity::new(1));
    assert!(matches!(r.commit(&plan), Err(RouteError::StalePlan { .. })));
    assert_eq!(r.inventory().get(&sku("A"), net.index_of(&loc("N1")).unwrap()), a_at_n1);
}

// ----- calendars -----

fn every_day(at: NaiveTime) -> WeeklyCutoffs {
    WeeklyCutoffs::from_days([Some(at); 7])
}

fn ship_day(net: &Network, placed: DateTime<Utc>) -> Option<NaiveDate> {
    net.ship_date(net.indices().next().unwrap(), placed)
}

#[test]
fn a_midnight_cutoff_catches_orders_up_to_the_stroke_of_midnight() {
    let mut n = node("MID", tz::UTC);
    n.cutoffs = WeeklyCutoffs::weekdays(NaiveTime::MIN);
    let net = Network::new(vec![n], year_2026()).unwrap();
    // Tuesday 6 January 00:00 UTC is Tuesday's cutoff.
    let tue = utc(2026, 1, 6, 0, 0);
    assert_eq!(ship_day(&net, tue), Some(d(2026, 1, 6)));
    assert_eq!(ship_day(&net, tue - Duration::hours(3)), Some(d(2026, 1, 6)));
    assert_eq!(ship_day(&net, tue + Duration::nanoseconds(1)), Some(d(2026, 1, 7)));
    // Friday after midnight waits for Monday.
    assert_eq!(ship_day(&net, utc(2026, 1, 9, 0, 1)), Some(d(2026, 1, 12)));
}

#[test]
fn cutoffs_in_daylight_saving_gaps_and_overlaps() {
    let ny = tz::America::New_York;
    // 02:30 every day: on Sunday 8 March 2026 it does not exist (02:00
    // EST jumps to 03:00 EDT) and moves forward by the gap to 03:30 EDT,
    // 07:30 UTC.
    let mut n = node("NY", ny);
    n.cutoffs = every_day(NaiveTime::from_hms_opt(2, 30, 0).unwrap());
    let net = Network::new(vec![n], year_2026()).unwrap();
    let gap_cutoff = utc(2026, 3, 8, 7, 30);
    assert_eq!(ship_day(&net, gap_cutoff), Some(d(2026, 3, 8)));
    assert_eq!(ship_day(&net, gap_cutoff + Duration::nanoseconds(1)), Some(d(2026, 3, 9)));
    // 01:30 on Sunday 1 November happens twice; the cutoff is the first,
    // 05:30 UTC. An order at the second 01:00 (06:00 UTC) missed it.
    let mut n = node("NY", ny);
    n.cutoffs = every_day(NaiveTime::from_hms_opt(1, 30, 0).unwrap());
    let net = Network::new(vec![n], year_2026()).unwrap();
    assert_eq!(ship_day(&net, utc(2026, 11, 1, 5, 30)), Some(d(2026, 11, 1)));
    assert_eq!(ship_day(&net, utc(2026, 11, 1, 6, 0)), Some(d(2026, 11, 2)));
}

#[test]
fn a_midnight_cutoff_on_a_night_that_skips_midnight() {
    // Cuba moves its clocks from 00:00 to 01:00 on the second Sunday of
    // March: midnight of Sunday 8 March 2026 never shows in Havana.
    let havana = tz::America::Havana;
    let midnight = d(2026, 3, 8).and_time(NaiveTime::MIN);
    assert!(matches!(havana.from_local_datetime(&midnight), LocalResult::None));
    let mut n = node("HAV", havana);
    n.cutoffs = every_day(NaiveTime::MIN);
    let net = Network::new(vec![n], year_2026()).unwrap();
    // The day still happened, so it is a working day; its cutoff moves
    // forward by the gap to 01:00 CDT, 05:00 UTC.
    let cutoff = utc(2026, 3, 8, 5, 0);
    assert_eq!(ship_day(&net, cutoff), Some(d(2026, 3, 8)));
    assert_eq!(ship_day(&net, cutoff + Duration::seconds(1)), Some(d(2026, 3, 9)));
    // Saturday's midnight (05:00 UTC on the 7th, standard time) is a
    // day earlier.
    assert_eq!(ship_day(&net, utc(2026, 3, 7, 5, 0)), Some(d(2026, 3, 7)));
    assert_eq!(ship_day(&net, utc(2026, 3, 7, 5, 1)), Some(d(2026, 3, 8)));
}

#[test]
fn a_date_the_zone_skipped_is_never_a_ship_day() {
    // Samoa skipped Friday 30 December 2011.
    let apia = tz::Pacific::Apia;
    let mut n = node("APW", apia);
    n.cutoffs = every_day(NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    let dec = DateRange::inclusive(d(2011, 12, 1), d(2011, 12, 31)).unwrap();
    let net = Network::new(vec![n], dec).unwrap();
    // Thursday 29 Dec, 12:00 local (UTC-10) is 22:00 UTC; a minute later
    // the next pickup is Saturday 31 Dec.
    assert_eq!(ship_day(&net, utc(2011, 12, 29, 22, 0)), Some(d(2011, 12, 29)));
    assert_eq!(ship_day(&net, utc(2011, 12, 29, 22, 1)), Some(d(2011, 12, 31)));
}

// ----- reading stock -----

/// A view that lists one SKU's sellable positions at one location in
/// the order given (several per location, as a ledger with lots may).
struct Lots(Vec<i64>);

impl StockView for Lots {
    fn positions(&self, _: &Sku, _: NaiveDate) -> Vec<StockPosition> {
        self.0
            .iter()
            .map(|&n| StockPosition {
                location: loc("N1"),
                disposition: Disposition::Sellable,
                quantity: Quantity::new(n),
            })
            .collect()
    }

    fn stock_skus(&self) -> Vec<Sku> {
        vec![sku("A")]
    }
}

#[test]
fn reading_stock_does_not_depend_on_the_order_of_positions() {
    let net = two_nodes();
    let n1 = net.index_of(&loc("N1")).unwrap();
    let day = d(2026, 1, 5);
    let read = |lots: Vec<i64>| Inventory::from_view(&net, &Lots(lots), day).get(&sku("A"), n1);
    // Ordinary lots, any order, one negative.
    assert_eq!(read(vec![5, -2, 7]), Quantity::new(10));
    assert_eq!(read(vec![-2, 7, 5]), Quantity::new(10));
    assert_eq!(read(vec![-20, 7, 5]), Quantity::ZERO);
    // Near the top of the range the exact total is i64::MAX - 5 however
    // the positions are listed.
    let want = Quantity::new(i64::MAX - 5);
    assert_eq!(read(vec![5, -10, i64::MAX]), want);
    assert_eq!(read(vec![i64::MAX, 5, -10]), want);
    // A total past the range holds as many units as can be counted.
    assert_eq!(read(vec![i64::MAX, i64::MAX, -1]), Quantity::MAX);
    assert_eq!(read(vec![i64::MIN, i64::MIN, i64::MAX]), Quantity::ZERO);
}

// ----- the law: routing never takes what a node lacks -----

fn law_network() -> Network {
    let mut a = node("A1", tz::America::New_York);
    a.capacity = Capacity { packages_per_day: Some(3), units_per_day: Some(8) };
    let mut b = node("B1", tz::America::Los_Angeles);
    b.capacity = Capacity { packages_per_day: Some(2), units_per_day: None };
    b.transit_days.insert((Zone(1), Speed::Standard), 4);
    let mut c = node("C1", tz::Europe::London);
    c.capacity = Capacity { packages_per_day: None, units_per_day: Some(0) };
    Network::new(vec![a, b, c], year_2026()).unwrap()
}

const LAW_SKUS: [&str; 3] = ["A", "B", "C"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Whatever the batch (repeated SKUs, huge lines, orders at any
    /// minute of a week), the units taken from each node equal the units
    /// its packages carry, no stock goes below zero, no day's capacity is
    /// passed, and each plan costs the sum of its packages.
    #[test]
    fn a_batch_never_takes_stock_or_capacity_a_node_lacks(
        stock in prop::collection::vec(0i64..6, 9),
        orders in prop::collection::vec(
            (
                prop::collection::vec(
                    (0usize..3, prop_oneof![8 => 1i64..4, 1 => Just(i64::MAX / 200)]),
                    1..4,
                ),
                0i64..(7 * 24 * 60),
            ),
            1..8,
        ),
        roll in 0u32..3,
    ) {
        let net = law_network();
        let mut inv = Inventory::new(&net);
        for (i, &q) in stock.iter().enumerate() {
            let idx = net.indices().nth(i % 3).unwrap();
            inv.set(&sku(LAW_SKUS[i / 3]), idx, Quantity::new(q));
        }
        let options = RouterOptions { capacity_roll_days: roll, ..RouterOptions::default() };
        let mut r = Router::with_scorer(&net, inv.clone(), options, StandardScorer::default());
        let batch: Vec<Order> = orders
            .iter()
            .enumerate()
            .map(|(i, (lines, minute))| {
                let lines = lines.iter().map(|&(s, n)| line(LAW_SKUS[s], n)).collect();
                order(&format!("L{i}"), lines, monday() + Duration::minutes(*minute))
            })
            .collect();
        let outcomes = r.route_batch(&batch).unwrap();
        prop_assert_eq!(outcomes.len(), batch.len());

        let mut carried = std::collections::BTreeMap::new();
        let mut per_day = std::collections::BTreeMap::new();
        for (o, out) in batch.iter().zip(&outcomes) {
            let Outcome::Routed(plan) = out else { continue };
            plan.check(o).unwrap();
            plan.check_with(o, &net).unwrap();
            let mut sum = merchantry_route::CostBreakdown::default();
            for p in &plan.packages {
                sum = sum.checked_add(&p.cost).unwrap();
                let units: i64 = p.lines.iter().map(|l| l.quantity.get()).sum();
                prop_assert_eq!(u64::try_from(units).unwrap(), p.units);
                for l in &p.lines {
                    *carried.entry((l.sku.clone(), p.node_index)).or_insert(0i64) +=
                        l.quantity.get();
                }
                let day = per_day.entry((p.node_index, p.ship_date)).or_insert((0u32, 0u64));
                day.0 += 1;
                day.1 += p.units;
            }
            prop_assert_eq!(sum, plan.cost);
        }
        for s in LAW_SKUS {
            for idx in net.indices() {
                let before = inv.get(&sku(s), idx).get();
                let after = r.inventory().get(&sku(s), idx).get();
                let moved = carried.get(&(sku(s), idx)).copied().unwrap_or(0);
                prop_assert!(after >= 0);
                prop_assert_eq!(before - after, moved, "sku {} node {:?}", s, idx);
            }
        }
        for ((idx, day), (packages, units)) in per_day {
            let cap = net.node(idx).unwrap().capacity;
            prop_assert!(cap.packages_per_day.is_none_or(|c| packages <= c));
            prop_assert!(cap.units_per_day.is_none_or(|c| units <= c));
            prop_assert_eq!(r.used_capacity(idx, day), (packages, units));
        }
    }
}
