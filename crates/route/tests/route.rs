//! Hand-worked routing scenarios, the invariant-7 laws, and the batch
//! heuristic against the exact optimum on small instances.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use merchantry_core::{
    ChannelId, Currency, DateRange, Disposition, LocationId, LocationKind, OrderId, Quantity, Sku,
    StockRecord,
};
use merchantry_route::{
    CostBreakdown, Infeasibility, Inventory, Market, Network, Node, NodeIndex, Optimality, Order,
    OrderLine, Outcome, PackageLine, Plan, RateTier, Refusal, RouteError, Router, RouterOptions,
    Speed, StandardScorer, UnroutableReason, Zone,
};
use rust_decimal::Decimal;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn utc(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, min, 0).unwrap()
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

/// A New York warehouse serving zone 2 by Standard: fee per package,
/// fee per unit, one postage tier up to 10 kg, `transit` days.
fn node(id: &str, per_package: &str, per_unit: &str, postage: &str, transit: u32) -> Node {
    let mut n =
        Node::new(loc(id), LocationKind::OwnWarehouse, chrono_tz::America::New_York, Currency::USD);
    n.costs.per_package = dec(per_package);
    n.costs.per_unit = dec(per_unit);
    n.costs.rates.insert(Zone(2), vec![RateTier { max_weight_g: 10_000, price: dec(postage) }]);
    n.transit_days.insert((Zone(2), Speed::Standard), transit);
    n
}

fn horizon() -> DateRange {
    DateRange::inclusive(d(2026, 1, 1), d(2026, 12, 31)).unwrap()
}

fn line(s: &str, qty: i64, grams: u64) -> OrderLine {
    let mut l = OrderLine::new(sku(s), Quantity::new(qty));
    l.unit_weight_g = grams;
    l
}

fn order(id: &str, lines: Vec<OrderLine>, placed: DateTime<Utc>, promised: NaiveDate) -> Order {
    Order {
        id: OrderId::new(id).unwrap(),
        lines,
        zone: Zone(2),
        market: None,
        placed_at: placed,
        promised_by: promised,
        speed: Speed::Standard,
        channel: ChannelId::new("web").unwrap(),
    }
}

fn stock(net: &Network, rows: &[(&str, &str, i64)]) -> Inventory {
    let mut inv = Inventory::new(net);
    for &(node, s, q) in rows {
        inv.set(&sku(s), net.index_of(&loc(node)).unwrap(), Quantity::new(q));
    }
    inv
}

fn routed(outcome: Outcome) -> Plan {
    match outcome {
        Outcome::Routed(p) => p,
        Outcome::Unroutable(u) => panic!("expected a plan, got {u:?}"),
    }
}

fn nodes_of(plan: &Plan) -> Vec<&str> {
    plan.packages.iter().map(|p| p.node.as_str()).collect()
}

// Monday 5 January 2026, 10:00 New York (EST, UTC-5) = 15:00 UTC.
fn monday_morning() -> DateTime<Utc> {
    utc(2026, 1, 5, 15, 0)
}

#[test]
fn one_node_with_both_lines_wins_on_packages_though_farther() {
    // NEAR-A holds only X, NEAR-B only Y, both 2 days away and cheap;
    // FAR holds both, 4 days away and dearer. Promise: Friday 9 Jan.
    // Monday ship + 4 days = Friday: on time, one package.
    // Split cost: (1.00 + 0.10 + 4.00) * 2 = 10.20; FAR: 2.00 + 2 * 0.20
    // + 7.00 = 9.40. Packages decide before cost either way.
    let net = Network::new(
        vec![
            node("NEAR-A", "1.00", "0.10", "4.00", 2),
            node("NEAR-B", "1.00", "0.10", "4.00", 2),
            node("FAR", "2.00", "0.20", "7.00", 4),
        ],
        horizon(),
    )
    .unwrap();
    let inv =
        stock(&net, &[("NEAR-A", "X", 5), ("NEAR-B", "Y", 5), ("FAR", "X", 5), ("FAR", "Y", 5)]);
    let o =
        order("o1", vec![line("X", 1, 200), line("Y", 1, 200)], monday_morning(), d(2026, 1, 9));
    let plan = routed(Router::new(&net, inv).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["FAR"]);
    assert_eq!(plan.package_count(), 1);
    assert_eq!(plan.packages[0].ship_date, d(2026, 1, 5));
    assert_eq!(plan.expected_delivery, d(2026, 1, 9));
    assert!(!plan.late);
    assert_eq!(plan.cost.total(), Some(dec("9.40")));
    assert_eq!(plan.cost.handling, dec("2.00"));
    assert_eq!(plan.cost.units, dec("0.40"));
    assert_eq!(plan.cost.postage, dec("7.00"));
}

#[test]
fn promise_forces_a_split_when_the_single_node_is_late() {
    // Same network, promise Wednesday 7 Jan: FAR arrives Friday (late
    // by 2 days); NEAR-A + NEAR-B arrive Wednesday: two packages on time.
    let net = Network::new(
        vec![
            node("NEAR-A", "1.00", "0.10", "4.00", 2),
            node("NEAR-B", "1.00", "0.10", "4.00", 2),
            node("FAR", "2.00", "0.20", "7.00", 4),
        ],
        horizon(),
    )
    .unwrap();
    let inv =
        stock(&net, &[("NEAR-A", "X", 5), ("NEAR-B", "Y", 5), ("FAR", "X", 5), ("FAR", "Y", 5)]);
    let o =
        order("o1", vec![line("X", 1, 200), line("Y", 1, 200)], monday_morning(), d(2026, 1, 7));
    let plan = routed(Router::new(&net, inv.clone()).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["NEAR-A", "NEAR-B"]);
    assert!(!plan.late);
    // 2 * (1.00 + 0.10 + 4.00) = 10.20.
    assert_eq!(plan.cost.total(), Some(dec("10.20")));
    let per_line = plan.line_assignments();
    assert_eq!(per_line[0].1.as_str(), "NEAR-A");
    assert_eq!(per_line[1].1.as_str(), "NEAR-B");

    // When late plans are refused and only FAR has stock, the order is
    // unroutable with the date it could have made.
    let only_far = stock(&net, &[("FAR", "X", 5), ("FAR", "Y", 5)]);
    let options = RouterOptions { allow_late: false, ..RouterOptions::default() };
    let router = Router::with_scorer(&net, only_far, options, StandardScorer::default());
    let u = router.plan(&o).unwrap();
    let reason = &u.unroutable().unwrap().reason;
    assert_eq!(reason, &UnroutableReason::Late { expected: d(2026, 1, 9) });
}

#[test]
fn tie_on_packages_goes_to_cost_then_priority() {
    // Both hold both lines. Two units of 300 g: 600 g, one tier.
    // A: 3.00 + 2 * 0.50 + 6.00 = 10.00; B: 2.50 + 2 * 0.40 + 5.50 = 8.80.
    let a = node("A", "3.00", "0.50", "6.00", 2);
    let b = node("B", "2.50", "0.40", "5.50", 2);
    let net = Network::new(vec![a.clone(), b.clone()], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 5), ("A", "Y", 5), ("B", "X", 5), ("B", "Y", 5)]);
    let o =
        order("o1", vec![line("X", 1, 300), line("Y", 1, 300)], monday_morning(), d(2026, 1, 9));
    let plan = routed(Router::new(&net, inv).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["B"]);
    assert_eq!(plan.cost.total(), Some(dec("8.80")));

    // Same cost: the caller's priority (lower first) decides, not the
    // order of the node list.
    let mut a2 = b.clone();
    a2.id = loc("A");
    a2.priority = 5;
    let mut b2 = b;
    b2.priority = 1;
    let net = Network::new(vec![a2, b2], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 5), ("A", "Y", 5), ("B", "X", 5), ("B", "Y", 5)]);
    let plan = routed(Router::new(&net, inv).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["B"]);
}

#[test]
fn cutoff_missed_by_one_minute_ships_next_working_day() {
    // Cutoff 15:00 New York. Friday 9 Jan 2026 is EST (UTC-5): 15:00
    // local is 20:00 UTC. Monday 12 Jan is a holiday at this node.
    let mut n = node("NY", "1", "0", "1", 1);
    n.holidays.insert(d(2026, 1, 12));
    let net = Network::new(vec![n], horizon()).unwrap();
    let ny = NodeIndex::clone(&net.index_of(&loc("NY")).unwrap());
    assert_eq!(net.ship_date(ny, utc(2026, 1, 9, 19, 59)), Some(d(2026, 1, 9)));
    assert_eq!(net.ship_date(ny, utc(2026, 1, 9, 20, 0)), Some(d(2026, 1, 9)));
    // 15:01 local: Saturday and Sunday have no cutoff, Monday is a
    // holiday, so Tuesday 13 Jan.
    assert_eq!(net.ship_date(ny, utc(2026, 1, 9, 20, 1)), Some(d(2026, 1, 13)));

    // Through the router: one day in transit, promised Monday 12 Jan.
    let inv = stock(&net, &[("NY", "X", 3)]);
    let router = Router::new(&net, inv);
    let caught = order("in-time", vec![line("X", 1, 100)], utc(2026, 1, 9, 19, 59), d(2026, 1, 12));
    let missed = order("missed", vec![line("X", 1, 100)], utc(2026, 1, 9, 20, 1), d(2026, 1, 12));
    let p = routed(router.plan(&caught).unwrap());
    assert_eq!(
        (p.packages[0].ship_date, p.expected_delivery, p.late),
        (d(2026, 1, 9), d(2026, 1, 10), false)
    );
    let p = routed(router.plan(&missed).unwrap());
    assert_eq!(
        (p.packages[0].ship_date, p.expected_delivery, p.late),
        (d(2026, 1, 13), d(2026, 1, 14), true)
    );
}

#[test]
fn handling_days_count_working_days_after_the_cutoff() {
    // Two handling days: caught Thursday 8 Jan, ships Monday 12 Jan
    // (Fri = 1, Mon = 2; the weekend has no cutoff).
    let mut n = node("NY", "1", "0", "1", 1);
    n.handling_days = 2;
    let net = Network::new(vec![n], horizon()).unwrap();
    let ny = net.index_of(&loc("NY")).unwrap();
    assert_eq!(net.ship_date(ny, utc(2026, 1, 8, 12, 0)), Some(d(2026, 1, 12)));
}

#[test]
fn dst_weekend_in_march_moves_the_cutoff_an_hour_earlier_in_utc() {
    // US clocks spring forward on Sunday 8 March 2026. Cutoff 15:00 New
    // York: Friday 6 March 15:00 EST = 20:00 UTC; Monday 9 March 15:00
    // EDT = 19:00 UTC.
    let net = Network::new(vec![node("NY", "1", "0", "1", 1)], horizon()).unwrap();
    let ny = net.index_of(&loc("NY")).unwrap();
    assert_eq!(net.ship_date(ny, utc(2026, 3, 6, 19, 59)), Some(d(2026, 3, 6)));
    // 20:30 UTC Friday = 15:30 EST: missed, ships Monday.
    assert_eq!(net.ship_date(ny, utc(2026, 3, 6, 20, 30)), Some(d(2026, 3, 9)));
    // Saturday and Sunday (the change itself): Monday.
    assert_eq!(net.ship_date(ny, utc(2026, 3, 8, 6, 30)), Some(d(2026, 3, 9)));
    // Monday 19:30 UTC = 15:30 EDT: missed. A fixed UTC-5 offset would
    // have read 14:30 and shipped it the same day.
    assert_eq!(net.ship_date(ny, utc(2026, 3, 9, 19, 30)), Some(d(2026, 3, 10)));
    assert_eq!(net.ship_date(ny, utc(2026, 3, 9, 19, 0)), Some(d(2026, 3, 9)));
    assert_eq!(net.ship_date(ny, utc(2026, 3, 9, 19, 1)), Some(d(2026, 3, 10)));
}

#[test]
fn dst_weekend_in_november_moves_the_cutoff_an_hour_later_in_utc() {
    // Clocks fall back on Sunday 1 November 2026. Friday 30 October
    // 15:00 EDT = 19:00 UTC; Monday 2 November 15:00 EST = 20:00 UTC.
    let net = Network::new(vec![node("NY", "1", "0", "1", 1)], horizon()).unwrap();
    let ny = net.index_of(&loc("NY")).unwrap();
    assert_eq!(net.ship_date(ny, utc(2026, 10, 30, 19, 30)), Some(d(2026, 11, 2)));
    // Monday 19:30 UTC = 14:30 EST: caught. A stale EDT offset would
    // have read 15:30 and missed it.
    assert_eq!(net.ship_date(ny, utc(2026, 11, 2, 19, 30)), Some(d(2026, 11, 2)));
    assert_eq!(net.ship_date(ny, utc(2026, 11, 2, 20, 1)), Some(d(2026, 11, 3)));
}

#[test]
fn a_fraction_of_a_second_after_the_cutoff_misses_it() {
    // Friday 9 Jan 2026, cutoff 15:00 EST = 20:00:00 UTC. The weekend has
    // no cutoff, so a miss ships Monday 12 Jan.
    let mut n = node("NY", "1", "0", "1", 1);
    let net = Network::new(vec![n.clone()], horizon()).unwrap();
    let ny = net.index_of(&loc("NY")).unwrap();
    let cutoff = utc(2026, 1, 9, 20, 0);
    let ms = chrono::Duration::milliseconds;
    let ns = chrono::Duration::nanoseconds;
    assert_eq!(net.ship_date(ny, cutoff), Some(d(2026, 1, 9)));
    assert_eq!(net.ship_date(ny, cutoff - ns(1)), Some(d(2026, 1, 9)));
    assert_eq!(net.ship_date(ny, cutoff + ns(1)), Some(d(2026, 1, 12)));
    assert_eq!(net.ship_date(ny, cutoff + ms(500)), Some(d(2026, 1, 12)));

    // Through the router, and check_with refuses the Friday it missed.
    let router = Router::new(&net, stock(&net, &[("NY", "X", 3)]));
    let late = order("late", vec![line("X", 1, 100)], cutoff + ms(500), d(2026, 1, 20));
    let mut p = routed(router.plan(&late).unwrap());
    assert_eq!(p.packages[0].ship_date, d(2026, 1, 12));
    p.check_with(&late, &net).unwrap();
    p.packages[0].ship_date = d(2026, 1, 9);
    assert!(matches!(
        p.check_with(&late, &net),
        Err(RouteError::ShipDateTooEarly { earliest, .. }) if earliest == d(2026, 1, 12)
    ));

    // A cutoff with a fraction of its own: 15:00:00.5 EST = 20:00:00.5
    // UTC. 20:00:00.25 catches it, 20:00:00.75 does not.
    n.cutoffs = merchantry_route::WeeklyCutoffs::weekdays(
        NaiveTime::from_hms_milli_opt(15, 0, 0, 500).unwrap(),
    );
    let net = Network::new(vec![n], horizon()).unwrap();
    assert_eq!(net.ship_date(ny, cutoff + ms(250)), Some(d(2026, 1, 9)));
    assert_eq!(net.ship_date(ny, cutoff + ms(500)), Some(d(2026, 1, 9)));
    assert_eq!(net.ship_date(ny, cutoff + ms(750)), Some(d(2026, 1, 12)));
}

#[test]
fn dates_a_zone_skipped_are_never_ship_days() {
    use merchantry_route::{WeeklyCutoffs, local_date_exists};
    // Whole days skipped by crossing the date line, and their neighbours.
    let skipped = [
        (chrono_tz::Pacific::Apia, d(2011, 12, 30)),
        (chrono_tz::Pacific::Kiritimati, d(1994, 12, 31)),
        (chrono_tz::Pacific::Kwajalein, d(1993, 8, 21)),
    ];
    for (tz, day) in skipped {
        assert!(!local_date_exists(tz, day), "{tz} {day}");
        assert!(local_date_exists(tz, day.pred_opt().unwrap()), "{tz} before {day}");
        assert!(local_date_exists(tz, day.succ_opt().unwrap()), "{tz} after {day}");
    }
    // Daylight-saving nights only skip an hour, midnight included in
    // Chile (Sunday 6 Sep 2026 starts at 01:00).
    assert!(local_date_exists(chrono_tz::America::New_York, d(2026, 3, 8)));
    assert!(local_date_exists(chrono_tz::America::Santiago, d(2026, 9, 6)));

    // An Apia node with a 15:00 cutoff every day of the week. Samoa went
    // from UTC-10 to UTC+14 after Thursday 29 Dec 2011, so Friday 30 Dec
    // never happened there. Thursday's cutoff is 15:00-10 = 30 Dec 01:00
    // UTC, Saturday 31 Dec's is 15:00+14 = 31 Dec 01:00 UTC.
    let apia = chrono_tz::Pacific::Apia;
    let mut n = Node::new(loc("APIA"), LocationKind::OwnWarehouse, apia, Currency::USD);
    n.cutoffs = WeeklyCutoffs::from_days([NaiveTime::from_hms_opt(15, 0, 0); 7]);
    n.costs.rates.insert(Zone(2), vec![RateTier { max_weight_g: 10_000, price: dec("1") }]);
    n.transit_days.insert((Zone(2), Speed::Standard), 1);
    let dec_2011 = DateRange::inclusive(d(2011, 12, 26), d(2012, 1, 6)).unwrap();
    let net = Network::new(vec![n], dec_2011).unwrap();
    let idx = net.index_of(&loc("APIA")).unwrap();
    // Thursday 16:00 local (30 Dec 02:00 UTC), after Thursday's cutoff:
    // the next day that exists is Saturday.
    assert_eq!(net.ship_date(idx, utc(2011, 12, 30, 2, 0)), Some(d(2011, 12, 31)));
    // Saturday 31 Dec 10:00 local (30 Dec 20:00 UTC): Saturday, never the
    // Friday before its own local date.
    let sat_morning = utc(2011, 12, 30, 20, 0);
    assert_eq!(sat_morning.with_timezone(&apia).date_naive(), d(2011, 12, 31));
    assert_eq!(net.ship_date(idx, sat_morning), Some(d(2011, 12, 31)));

    // The router agrees, and check_with refuses the day that never was.
    let router = Router::new(&net, stock(&net, &[("APIA", "X", 3)]));
    let o = order("S-1", vec![line("X", 1, 100)], sat_morning, d(2012, 1, 6));
    let mut p = routed(router.plan(&o).unwrap());
    assert_eq!(p.packages[0].ship_date, d(2011, 12, 31));
    p.check_with(&o, &net).unwrap();
    p.packages[0].ship_date = d(2011, 12, 30);
    match p.check_with(&o, &net) {
        Err(RouteError::NotAShipDay { ship_date, why, .. }) => {
            assert_eq!(ship_date, d(2011, 12, 30));
            assert_eq!(why, "a date that never occurred in the node's time zone");
        }
        other => panic!("expected NotAShipDay, got {other:?}"),
    }
}

#[test]
fn only_sellable_units_keep_a_promise() {
    // FBA holds 7 reserved and 4 in transit but only 1 sellable; the
    // 3PL holds 2 sellable. An order of 2 must go to the 3PL.
    let fba = {
        let mut n = node("FBA", "0", "3.00", "0", 2);
        n.kind = LocationKind::FbaNetwork;
        n
    };
    let tpl = node("3PL", "4.00", "0.50", "5.00", 3);
    let net = Network::new(vec![fba, tpl], horizon()).unwrap();
    let day = d(2026, 1, 5);
    let rec = |location: &str, disposition, q| StockRecord {
        as_of: day,
        sku: sku("X"),
        location: loc(location),
        disposition,
        quantity: Quantity::new(q),
    };
    let view = vec![
        rec("FBA", Disposition::Sellable, 1),
        rec("FBA", Disposition::Reserved, 7),
        rec("FBA", Disposition::InTransit, 4),
        rec("3PL", Disposition::Sellable, 2),
        rec("ELSEWHERE", Disposition::Sellable, 50),
    ];
    let inv = Inventory::from_view(&net, &view, day);
    let o = order("o1", vec![line("X", 2, 100)], monday_morning(), d(2026, 1, 9));
    let plan = routed(Router::new(&net, inv.clone()).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["3PL"]);

    let big = order("o2", vec![line("X", 3, 100)], monday_morning(), d(2026, 1, 9));
    let u = Router::new(&net, inv).plan(&big).unwrap();
    let reason = &u.unroutable().unwrap().reason;
    assert_eq!(
        reason,
        &UnroutableReason::NoStock { line: 0, sku: sku("X"), quantity: Quantity::new(3) }
    );
}

#[test]
fn refusals_are_named_per_node_with_no_silent_fallback() {
    // The hazmat line is held by A (no hazmat) and B (excludes the
    // channel); C has no rate for the zone. Nothing else may be chosen.
    let a = node("A", "1", "0", "1", 1);
    let mut b = node("B", "1", "0", "1", 1);
    b.eligibility.hazmat = true;
    b.eligibility.excluded_channels.insert(ChannelId::new("web").unwrap());
    let mut c = node("C", "1", "0", "1", 1);
    c.eligibility.hazmat = true;
    c.costs.rates.clear();
    let net = Network::new(vec![a, b, c], horizon()).unwrap();
    let inv = stock(&net, &[("A", "H", 5), ("B", "H", 5), ("C", "H", 5), ("A", "OK", 5)]);
    let mut hazmat = line("H", 1, 100);
    hazmat.hazmat = true;
    let o = order("o1", vec![line("OK", 1, 100), hazmat], monday_morning(), d(2026, 1, 9));
    let u = Router::new(&net, inv).plan(&o).unwrap();
    let UnroutableReason::NotEligible { line, refusals, .. } = &u.unroutable().unwrap().reason
    else {
        panic!("expected NotEligible, got {u:?}");
    };
    assert_eq!(*line, 1);
    assert_eq!(
        refusals,
        &vec![
            (loc("A"), Refusal::Hazmat),
            (loc("B"), Refusal::Channel),
            (loc("C"), Refusal::NoRate)
        ]
    );
}

#[test]
fn oversize_and_overweight_are_refused() {
    let mut a = node("A", "1", "0", "1", 1);
    a.eligibility.max_side_mm = Some(600);
    let b = node("B", "5", "0", "1", 1);
    let net = Network::new(vec![a, b], horizon()).unwrap();
    let inv = stock(&net, &[("A", "BIG", 5), ("B", "BIG", 5)]);
    let mut big = line("BIG", 1, 2_000);
    big.dims.length_mm = 900;
    let o = order("o1", vec![big], monday_morning(), d(2026, 1, 9));
    let plan = routed(Router::new(&net, inv.clone()).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["B"], "A is cheaper but the item is oversize there");

    // 6 units of 2 kg = 12 kg, past B's 10 kg tier (and A refuses it).
    let mut heavy = line("BIG", 5, 2_500);
    heavy.dims.length_mm = 900;
    let o = order("o2", vec![heavy], monday_morning(), d(2026, 1, 9));
    let u = Router::new(&net, inv).plan(&o).unwrap();
    let reason = &u.unroutable().unwrap().reason;
    assert_eq!(
        reason,
        &UnroutableReason::NoFeasibleCombination {
            cause: Infeasibility::Overweight { node: loc("B"), weight_g: 12_500 }
        }
    );
}

#[test]
fn capacity_is_never_exceeded_and_rolls_over_when_allowed() {
    // A takes one package a day and is cheapest; B is unlimited.
    let mut a = node("A", "1.00", "0", "1.00", 1);
    a.capacity.packages_per_day = Some(1);
    let b = node("B", "2.00", "0", "2.00", 1);
    let net = Network::new(vec![a, b], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 10), ("B", "X", 10)]);
    let o1 = order("o1", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let o2 = order("o2", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let mut router = Router::new(&net, inv.clone());
    assert_eq!(nodes_of(&routed(router.route(&o1).unwrap())), ["A"]);
    assert_eq!(nodes_of(&routed(router.route(&o2).unwrap())), ["B"]);
    let a_idx = net.index_of(&loc("A")).unwrap();
    assert_eq!(router.used_capacity(a_idx, d(2026, 1, 5)), (1, 1));
    assert_eq!(router.inventory().get(&sku("X"), a_idx), Quantity::new(9));

    // Only A, no roll-over: the second order is unroutable for capacity.
    let net_a = Network::new(vec![net.nodes()[0].clone()], horizon()).unwrap();
    let inv_a = stock(&net_a, &[("A", "X", 10)]);
    let mut router = Router::new(&net_a, inv_a.clone());
    router.route(&o1).unwrap();
    let u = router.route(&o2).unwrap();
    assert_eq!(
        u.unroutable().unwrap().reason,
        UnroutableReason::NoFeasibleCombination {
            cause: Infeasibility::Capacity { node: loc("A") }
        }
    );
    // With one day of roll-over it ships Tuesday instead.
    let options = RouterOptions { capacity_roll_days: 1, ..RouterOptions::default() };
    let mut router = Router::with_scorer(&net_a, inv_a, options, StandardScorer::default());
    router.route(&o1).unwrap();
    let p = routed(router.route(&o2).unwrap());
    assert_eq!(p.packages[0].ship_date, d(2026, 1, 6));
}

#[test]
fn minimum_package_value_forbids_a_cheap_split() {
    // Only a split can serve X + Y. With a 20.00 minimum per package and
    // Y worth 5.00, the split is refused.
    let net =
        Network::new(vec![node("A", "1", "0", "1", 1), node("B", "1", "0", "1", 1)], horizon())
            .unwrap();
    let inv = stock(&net, &[("A", "X", 5), ("B", "Y", 5)]);
    let mut x = line("X", 1, 100);
    x.unit_value = dec("30.00");
    let mut y = line("Y", 1, 100);
    y.unit_value = dec("5.00");
    let o = order("o1", vec![x, y], monday_morning(), d(2026, 1, 9));
    assert_eq!(routed(Router::new(&net, inv.clone()).plan(&o).unwrap()).package_count(), 2);
    let options =
        RouterOptions { min_package_value: Some(dec("20.00")), ..RouterOptions::default() };
    let router = Router::with_scorer(&net, inv, options, StandardScorer::default());
    let u = router.plan(&o).unwrap();
    assert_eq!(
        u.unroutable().unwrap().reason,
        UnroutableReason::NoFeasibleCombination {
            cause: Infeasibility::BelowMinimumValue { node: loc("B"), value: dec("5.00") }
        }
    );
}

#[test]
fn home_market_is_preferred_only_when_asked() {
    // CA-1 is in market 124 and dearer; US-1 in 840 is cheaper. The
    // order ships to market 124.
    let mut ca = node("CA-1", "3", "0", "3", 2);
    ca.market = Some(Market(124));
    let mut us = node("US-1", "1", "0", "1", 2);
    us.market = Some(Market(840));
    let net = Network::new(vec![us, ca], horizon()).unwrap();
    let inv = stock(&net, &[("CA-1", "X", 5), ("US-1", "X", 5)]);
    let mut o = order("o1", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    o.market = Some(Market(124));
    assert_eq!(nodes_of(&routed(Router::new(&net, inv.clone()).plan(&o).unwrap())), ["US-1"]);
    let scorer = StandardScorer { prefer_home_market: true, ..StandardScorer::default() };
    let router = Router::with_scorer(&net, inv, RouterOptions::default(), scorer);
    assert_eq!(nodes_of(&routed(router.plan(&o).unwrap())), ["CA-1"]);
}

#[test]
fn split_penalty_decides_when_cost_comes_first() {
    // A has X and Y at 6.00 a package; B has X, C has Y, at 2.50 each.
    // Cost first: split 5.00 < 6.00. A penalty of 1.50 per extra
    // package makes the split 6.50 > 6.00, so A wins.
    let net = Network::new(
        vec![
            node("A", "3", "0", "3", 1),
            node("B", "1.5", "0", "1", 1),
            node("C", "1.5", "0", "1", 1),
        ],
        horizon(),
    )
    .unwrap();
    let inv = stock(&net, &[("A", "X", 5), ("A", "Y", 5), ("B", "X", 5), ("C", "Y", 5)]);
    let o =
        order("o1", vec![line("X", 1, 100), line("Y", 1, 100)], monday_morning(), d(2026, 1, 9));
    let scorer = |penalty: &str| StandardScorer {
        packages_first: false,
        split_penalty: dec(penalty),
        ..StandardScorer::default()
    };
    let cheap = Router::with_scorer(&net, inv.clone(), RouterOptions::default(), scorer("0"));
    assert_eq!(nodes_of(&routed(cheap.plan(&o).unwrap())), ["B", "C"]);
    let penalised = Router::with_scorer(&net, inv, RouterOptions::default(), scorer("1.50"));
    assert_eq!(nodes_of(&routed(penalised.plan(&o).unwrap())), ["A"]);
}

#[test]
fn bounded_search_is_used_above_the_exact_limit() {
    // Three lines; A holds X and Y, B holds Y and Z, C holds Z only.
    // The walk takes X (one node) first: A; then Y stays on A; Z cannot
    // go to A, so B (takes two lines, before C): two packages, 4.00
    // either way, which is also the optimum here.
    let net = Network::new(
        vec![node("A", "1", "0", "1", 1), node("B", "1", "0", "1", 1), node("C", "1", "0", "1", 1)],
        horizon(),
    )
    .unwrap();
    let inv =
        stock(&net, &[("A", "X", 5), ("A", "Y", 5), ("B", "Y", 5), ("B", "Z", 5), ("C", "Z", 5)]);
    let o = order(
        "o1",
        vec![line("X", 1, 100), line("Y", 1, 100), line("Z", 1, 100)],
        monday_morning(),
        d(2026, 1, 9),
    );
    let options = RouterOptions { exact_limit: 0, ..RouterOptions::default() };
    let bounded = Router::with_scorer(&net, inv.clone(), options, StandardScorer::default());
    let plan = routed(bounded.plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["A", "B"]);
    assert_eq!(plan.packages[0].lines.len(), 2);
    assert_eq!(plan.cost.total(), Some(dec("4")));
    // The walk ended well inside its budget, so it is exact and says so.
    assert_eq!(plan.optimality, Optimality::Proven);
    let exact = routed(Router::new(&net, inv.clone()).plan(&o).unwrap());
    assert_eq!(exact.package_count(), 2);
    assert_eq!(exact.cost.total(), Some(dec("4")));
    assert!(exact.is_proven_best());
    // A priced assignment is neither: no search ran.
    let (a, b) = (net.index_of(&loc("A")).unwrap(), net.index_of(&loc("B")).unwrap());
    let given = Router::new(&net, inv).evaluate(&o, &[a, a, b]).unwrap();
    assert_eq!(routed(given).optimality, Optimality::Assigned);
}

#[test]
fn duplicate_sku_lines_are_checked_together() {
    // Two lines of X, 3 units each; A holds 4, B holds 6.
    let net =
        Network::new(vec![node("A", "1", "0", "1", 1), node("B", "2", "0", "2", 1)], horizon())
            .unwrap();
    let inv = stock(&net, &[("A", "X", 4), ("B", "X", 6)]);
    let o =
        order("o1", vec![line("X", 3, 100), line("X", 3, 100)], monday_morning(), d(2026, 1, 9));
    let mut router = Router::new(&net, inv);
    let plan = routed(router.route(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["B"]);
    assert_eq!(router.inventory().get(&sku("X"), net.index_of(&loc("B")).unwrap()), Quantity::ZERO);
}

#[test]
fn bad_input_is_an_error_and_changes_nothing() {
    let net = Network::new(vec![node("A", "1", "0", "1", 1)], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 5)]);
    let mut router = Router::new(&net, inv.clone());
    let good = order("ok", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let zero = order("zero", vec![line("X", 0, 100)], monday_morning(), d(2026, 1, 9));
    let err = router.route_batch(&[good.clone(), zero]).unwrap_err();
    assert!(matches!(err, RouteError::NonPositiveQuantity { line: 0, quantity: 0, .. }));
    assert!(err.to_string().contains("order zero line 0 (sku X)"));
    assert_eq!(router.inventory(), &inv);
    // Two lines whose sum passes i64::MAX: refused before any merge could
    // overflow (6e18 + 6e18 once saturated and "fitted" i64::MAX of stock).
    let huge = 6_000_000_000_000_000_000;
    let twice = order(
        "huge",
        vec![line("X", huge, 100), line("X", huge, 100)],
        monday_morning(),
        d(2026, 1, 9),
    );
    assert!(matches!(router.route(&twice), Err(RouteError::QuantityOverflow { .. })));
    assert_eq!(router.inventory(), &inv);
    let late = order("old", vec![line("X", 1, 100)], utc(2027, 3, 1, 0, 0), d(2027, 3, 9));
    assert!(matches!(router.route(&late), Err(RouteError::OutsideHorizon { .. })));
    let err = router.route_batch(&[good.clone(), good.clone()]).unwrap_err();
    assert_eq!(err, RouteError::DuplicateOrder { order: good.id.clone() });
    let empty = order("empty", vec![], monday_morning(), d(2026, 1, 9));
    assert!(matches!(router.plan(&empty), Err(RouteError::EmptyOrder { .. })));
    assert_eq!(router.inventory(), &inv);
    let a = net.index_of(&loc("A")).unwrap();
    assert!(matches!(router.evaluate(&good, &[a, a]), Err(RouteError::InvalidAssignment { .. })));
}

#[test]
fn a_cost_decimal_cannot_hold_exactly_is_refused_not_rounded() {
    // 0.0000000000000000000000000001 + 10000000000 needs 39 significant
    // digits; a Decimal holds at most 29 (mantissa < 2^96), so the sum
    // would round the fee away. The engine never rounds money: refused.
    let net = Network::new(
        vec![node("A", "0.0000000000000000000000000001", "0", "10000000000", 1)],
        horizon(),
    )
    .unwrap();
    let inv = stock(&net, &[("A", "X", 5)]);
    let o = order("o1", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let u = Router::new(&net, inv).plan(&o).unwrap();
    assert_eq!(
        u.unroutable().unwrap().reason,
        UnroutableReason::NoFeasibleCombination { cause: Infeasibility::CostOverflow }
    );
    let parts = CostBreakdown {
        handling: dec("0.0000000000000000000000000001"),
        units: Decimal::ZERO,
        postage: dec("10000000000"),
    };
    assert_eq!(parts.total(), None);
    assert_eq!(
        parts.checked_add(&parts),
        Some(CostBreakdown {
            handling: dec("0.0000000000000000000000000002"),
            units: Decimal::ZERO,
            postage: dec("20000000000"),
        })
    );

    // Digits that fit are kept: 10^10 + 10^-18 is
    // 10000000000.000000000000000001, 29 digits with mantissa
    // 1.0e28 < 2^96 (about 7.9e28).
    let net =
        Network::new(vec![node("A", "0.000000000000000001", "0", "10000000000", 1)], horizon())
            .unwrap();
    let inv = stock(&net, &[("A", "X", 5)]);
    let plan = routed(Router::new(&net, inv).plan(&o).unwrap());
    assert_eq!(plan.cost.total(), Some(dec("10000000000.000000000000000001")));
}

#[test]
fn a_weight_past_the_gram_range_is_an_error_not_capped() {
    // u64::MAX / 2 grams x 3 units is past u64::MAX: refused up front,
    // not capped at u64::MAX and priced by a u64::MAX tier.
    let mut n = node("A", "1", "0", "1", 1);
    n.costs.rates.insert(Zone(2), vec![RateTier { max_weight_g: u64::MAX, price: dec("9") }]);
    let net = Network::new(vec![n], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 5), ("A", "Y", 5)]);
    let mut router = Router::new(&net, inv.clone());
    let heavy = order("h1", vec![line("X", 3, u64::MAX / 2)], monday_morning(), d(2026, 1, 9));
    let err = router.route(&heavy).unwrap_err();
    assert_eq!(err, RouteError::WeightOverflow { order: heavy.id.clone(), line: 0, max: u64::MAX });
    assert!(err.to_string().contains("order h1 line 0"), "{err}");
    assert_eq!(router.inventory(), &inv);
    // Two lines that each fit but not together (2^63 g + 2^63 g).
    let half = u64::MAX / 2 + 1;
    let pair =
        order("h2", vec![line("X", 1, half), line("Y", 1, half)], monday_morning(), d(2026, 1, 9));
    assert!(matches!(router.plan(&pair), Err(RouteError::WeightOverflow { line: 1, .. })));
    let a = net.index_of(&loc("A")).unwrap();
    assert!(matches!(router.evaluate(&pair, &[a, a]), Err(RouteError::WeightOverflow { .. })));
    // Exactly u64::MAX grams still fits the u64::MAX tier.
    let edge = order("h3", vec![line("X", 1, u64::MAX)], monday_morning(), d(2026, 1, 9));
    assert_eq!(routed(router.route(&edge).unwrap()).packages[0].weight_g, u64::MAX);
}

#[test]
fn stale_plan_is_refused_whole() {
    let net = Network::new(vec![node("A", "1", "0", "1", 1)], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 1)]);
    let mut router = Router::new(&net, inv);
    let o = order("o1", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let plan = routed(router.plan(&o).unwrap());
    router.commit(&plan).unwrap();
    let before = router.clone();
    let err = router.commit(&plan).unwrap_err();
    assert!(matches!(err, RouteError::StalePlan { what: "stock", .. }));
    assert_eq!(router.inventory(), before.inventory());
}

/// A hand-edited plan with a line of -7 units was committed: taking -7
/// units put 7 into stock (10 became 17). A plan no router would make is
/// now refused, and the router is left as it was.
#[test]
fn a_nonsense_plan_is_refused_by_commit_and_takes_nothing() {
    let net = Network::new(vec![node("A", "1", "0", "1", 1)], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 10)]);
    let mut router = Router::new(&net, inv.clone());
    let o = order("o1", vec![line("X", 2, 100)], monday_morning(), d(2026, 1, 9));
    let plan = routed(router.plan(&o).unwrap());
    let o1 = OrderId::new("o1").unwrap();
    for quantity in [-7, 0, i64::MIN] {
        let mut bad = plan.clone();
        bad.packages[0].lines[0].quantity = Quantity::new(quantity);
        let err = router.commit(&bad).unwrap_err();
        let want =
            RouteError::NonPositiveQuantity { order: o1.clone(), line: 0, sku: sku("X"), quantity };
        assert_eq!(err, want);
        assert_eq!(router.inventory(), &inv);
    }
    // A package claiming 1 unit for a line of 2 (capacity is counted in
    // units, so it would book too little).
    let mut miscount = plan.clone();
    miscount.packages[0].units = 1;
    let err = router.commit(&miscount).unwrap_err();
    assert_eq!(
        err,
        RouteError::PackageUnitsMismatch { order: o1.clone(), node: loc("A"), units: 1, lines: 2 }
    );
    assert_eq!(router.inventory(), &inv);
    // The plan as routed still commits: 10 - 2 = 8 left.
    router.commit(&plan).unwrap();
    let a = net.index_of(&loc("A")).unwrap();
    assert_eq!(router.inventory().get(&sku("X"), a), Quantity::new(8));
}

/// A router's whole state as text (its stock, the capacity used on
/// every node's every day, its options): equal before and after a refused
/// call means nothing changed.
fn snapshot(router: &Router<'_>) -> String {
    format!("{router:?}")
}

/// A two-package plan: X from A (line 0, 2 x 100 g), Y from B (line 1,
/// 1 x 300 g), committed on a router holding 10 of each.
fn split_plan() -> (Network, Order, Plan) {
    let net =
        Network::new(vec![node("A", "1", "0", "1", 1), node("B", "1", "0", "1", 1)], horizon())
            .unwrap();
    let inv = stock(&net, &[("A", "X", 10), ("B", "Y", 10)]);
    let o =
        order("o1", vec![line("X", 2, 100), line("Y", 1, 300)], monday_morning(), d(2026, 1, 9));
    let plan = routed(Router::new(&net, inv).plan(&o).unwrap());
    assert_eq!(nodes_of(&plan), ["A", "B"]);
    (net, o, plan)
}

/// Plans listing one order line twice, two packages from one node, or
/// package weights past `u64` together were committed: line 0 (2 units
/// of X) listed again in B's package took 2 more units of X... from B,
/// which holds none, or twice from A, and capacity counted two packages
/// where one ships. Each is now refused, naming order, line or node, and
/// the router is left exactly as it was.
#[test]
fn a_plan_listing_a_line_or_node_twice_is_refused_and_changes_nothing() {
    let (net, _, plan) = split_plan();
    let mut inv = stock(&net, &[("A", "X", 10), ("B", "Y", 10)]);
    inv.set(&sku("X"), net.index_of(&loc("B")).unwrap(), Quantity::new(10));
    let mut router = Router::new(&net, inv);
    let before = snapshot(&router);
    let o1 = OrderId::new("o1").unwrap();

    // Line 0 again in B's package (units kept consistent: 1 + 2 = 3).
    let mut again = plan.clone();
    let x = again.packages[0].lines[0].clone();
    again.packages[1].lines.insert(0, x);
    again.packages[1].units = 3;
    let err = router.commit(&again).unwrap_err();
    assert_eq!(err, RouteError::DuplicatePlanLine { order: o1.clone(), line: 0, node: loc("B") });
    assert!(err.to_string().contains("order o1: line 0 appears more than once"), "{err}");
    assert_eq!(snapshot(&router), before);

    // Line 0 twice in A's own package (2 + 2 = 4 units).
    let mut inside = plan.clone();
    let x = inside.packages[0].lines[0].clone();
    inside.packages[0].lines.push(x);
    inside.packages[0].units = 4;
    let err = router.commit(&inside).unwrap_err();
    assert_eq!(err, RouteError::DuplicatePlanLine { order: o1.clone(), line: 0, node: loc("A") });
    assert_eq!(snapshot(&router), before);

    // A's package twice.
    let mut double = plan.clone();
    double.packages.push(double.packages[0].clone());
    let err = router.commit(&double).unwrap_err();
    assert_eq!(err, RouteError::DuplicatePackage { order: o1.clone(), node: loc("A") });
    assert_eq!(snapshot(&router), before);

    // Weights of 2^63 g each: 2^64 passes u64::MAX at B's package.
    let mut heavy = plan.clone();
    for p in &mut heavy.packages {
        p.weight_g = u64::MAX / 2 + 1;
    }
    let err = router.commit(&heavy).unwrap_err();
    assert_eq!(
        err,
        RouteError::PlanWeightOverflow { order: o1.clone(), node: loc("B"), max: u64::MAX }
    );
    assert_eq!(snapshot(&router), before);

    // The plan as made commits: A keeps 10 - 2 = 8 of X, B 10 - 1 = 9 of Y.
    router.commit(&plan).unwrap();
    assert_ne!(snapshot(&router), before);
    let (a, b) = (net.index_of(&loc("A")).unwrap(), net.index_of(&loc("B")).unwrap());
    assert_eq!(router.inventory().get(&sku("X"), a), Quantity::new(8));
    assert_eq!(router.inventory().get(&sku("X"), b), Quantity::new(10));
    assert_eq!(router.inventory().get(&sku("Y"), b), Quantity::new(9));
    assert_eq!(router.used_capacity(a, d(2026, 1, 5)), (1, 2));
}

/// Package weights were never held against the order: a plan saying
/// 1 g for 200 g of X was accepted. [`Plan::check`] holds a plan against
/// its order: weights, lines, SKUs, quantities and the order id.
#[test]
fn plan_check_holds_weights_and_lines_against_the_order() {
    let (_, o, plan) = split_plan();
    plan.check(&o).unwrap();
    let o1 = OrderId::new("o1").unwrap();
    let line_err = |line, what| Err(RouteError::PlanLineMismatch { order: o1.clone(), line, what });

    // A's package: 2 x 100 g = 200 g; said 1 g, 0 g, or u64::MAX - 300 g
    // (B's 300 g on top still fits u64, so only the mismatch is wrong).
    for said in [1, 0, u64::MAX - 300] {
        let mut light = plan.clone();
        light.packages[0].weight_g = said;
        assert_eq!(
            light.check(&o),
            Err(RouteError::PackageWeightMismatch {
                order: o1.clone(),
                node: loc("A"),
                weight_g: said,
                lines: 200,
            })
        );
    }
    // A unit weight so large the line weighs past u64: 2 x (2^63 + 1) g.
    let mut vast = o.clone();
    vast.lines[0].unit_weight_g = u64::MAX / 2 + 1;
    let err = plan.check(&vast).unwrap_err();
    assert_eq!(
        err,
        RouteError::PackageWeightMismatch {
            order: o1.clone(),
            node: loc("A"),
            weight_g: 200,
            lines: 2 * u128::from(u64::MAX / 2 + 1),
        }
    );

    let mut missing = plan.clone();
    missing.packages.pop();
    assert_eq!(missing.check(&o), line_err(1, "is missing from the plan"));
    let mut stray = plan.clone();
    stray.packages[1].lines[0].line = 7;
    assert_eq!(stray.check(&o), line_err(7, "is not in the order"));
    let mut other_sku = plan.clone();
    other_sku.packages[1].lines[0].sku = sku("X");
    assert_eq!(other_sku.check(&o), line_err(1, "names another sku than the order"));
    let mut more = plan.clone();
    more.packages[1].lines[0].quantity = Quantity::new(5);
    more.packages[1].units = 5;
    assert_eq!(more.check(&o), line_err(1, "ships another quantity than the order"));
    let mut other = o.clone();
    other.id = OrderId::new("o2").unwrap();
    assert_eq!(
        plan.check(&other),
        Err(RouteError::PlanForOtherOrder { plan: o1.clone(), order: other.id.clone() })
    );
    // The shape checks run first.
    let mut twice = plan.clone();
    twice.packages[1].lines[0].line = 0;
    assert_eq!(
        twice.check(&o),
        Err(RouteError::DuplicatePlanLine { order: o1, line: 0, node: loc("B") })
    );
}

/// Weights are whole grams: a negative, fractional or NaN weight cannot
/// be read into a plan at all.
#[cfg(feature = "serde")]
#[test]
fn a_negative_or_nan_weight_cannot_be_read_into_a_plan() {
    let (_, o, plan) = split_plan();
    let json = serde_json::to_string(&plan).unwrap();
    let back: Plan = serde_json::from_str(&json).unwrap();
    assert_eq!(back, plan);
    assert!(json.contains("\"weight_g\":200"), "{json}");
    for bad in ["-200", "200.5", "NaN", "\"NaN\"", "1e400", "18446744073709551616"] {
        let edited = json.replacen("\"weight_g\":200", &format!("\"weight_g\":{bad}"), 1);
        assert!(serde_json::from_str::<Plan>(&edited).is_err(), "{bad} was read");
    }
    back.check(&o).unwrap();
}

/// An inventory read back was taken as it came: a negative cell, two
/// SKUs on one row (so taking one took the other), a row past the end
/// (read as empty, so stock silently vanished) or a short cell list.
/// Each is now refused, naming what is wrong.
#[cfg(feature = "serde")]
#[test]
fn an_inventory_read_back_is_checked() {
    use serde_json::json;

    let net =
        Network::new(vec![node("A", "1", "0", "1", 1), node("B", "1", "0", "1", 1)], horizon())
            .unwrap();
    let inv = stock(&net, &[("A", "X", 3), ("B", "Y", 4)]);
    let v = serde_json::to_value(&inv).unwrap();
    assert_eq!(v, json!({ "skus": { "X": 0, "Y": 1 }, "nodes": 2, "stock": [3, 0, 0, 4] }));
    assert_eq!(serde_json::from_value::<Inventory>(v.clone()).unwrap(), inv);
    // Each case: a JSON pointer, the value put there, and the message.
    let cases = [
        ("/stock/3", json!(-4), "sku Y holds -4 units at node index 1"),
        ("/skus/Y", json!(0), "skus X and Y share row 0"),
        ("/skus/Y", json!(7), "sku Y names row 7 of 2"),
        ("/stock", json!([3, 0, 0]), "3 cells for 2 skus at 2 nodes"),
        ("/nodes", json!(65), "65 nodes, more than the limit of 64"),
    ];
    for (pointer, value, want) in cases {
        let mut bad = v.clone();
        *bad.pointer_mut(pointer).unwrap() = value;
        let err = serde_json::from_value::<Inventory>(bad).unwrap_err().to_string();
        assert!(err.contains("invalid inventory: ") && err.contains(want), "{err}");
    }
}

#[test]
fn batch_serves_the_most_urgent_order_first() {
    // One unit of X, two orders. "relaxed" is first in the input but
    // promised a week out; "urgent" is promised for tomorrow.
    let net = Network::new(vec![node("A", "1", "0", "1", 1)], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 1)]);
    let relaxed = order("relaxed", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 12));
    let urgent = order("urgent", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 6));
    let mut router = Router::new(&net, inv);
    let out = router.route_batch(&[relaxed, urgent]).unwrap();
    assert!(out[0].unroutable().is_some());
    assert_eq!(out[1].plan().unwrap().order.as_str(), "urgent");
}

#[test]
fn batch_uses_regret_to_break_equal_urgency() {
    // A ships one package a day; a package costs 0.50 + 0.50 = 1.00
    // there and 0.75 + 0.75 = 1.50 at B. "flexible" (X) can use A or B:
    // regret 1.50 - 1.00 = 0.50. "stuck" (X + Y) has one single-package
    // plan, at A: unbounded regret, so it is served first even though it
    // comes second in the input, and "flexible" goes to B. Serving in
    // input order would give A to "flexible" and split "stuck".
    let mut a = node("A", "0.50", "0", "0.50", 1);
    a.capacity.packages_per_day = Some(1);
    let b = node("B", "0.75", "0", "0.75", 1);
    let net = Network::new(vec![a, b], horizon()).unwrap();
    let inv = stock(&net, &[("A", "X", 2), ("A", "Y", 1), ("B", "X", 1)]);
    let flexible = order("flexible", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let stuck =
        order("stuck", vec![line("X", 1, 100), line("Y", 1, 100)], monday_morning(), d(2026, 1, 9));
    let mut router = Router::new(&net, inv);
    let out = router.route_batch(&[flexible, stuck]).unwrap();
    assert_eq!(nodes_of(out[0].plan().unwrap()), ["B"]);
    assert_eq!(nodes_of(out[1].plan().unwrap()), ["A"]);
    // 1.50 + 1.00 = 2.50 in total, two packages.
    let total: Decimal = out.iter().map(|o| o.plan().unwrap().cost.total().unwrap()).sum();
    assert_eq!(total, dec("2.50"));
}

/// A scorer that wants the latest delivery, then the lowest cost: a
/// caller's own objective the router must still honour.
struct LatestFirst;

impl merchantry_route::Scorer for LatestFirst {
    type Score = (std::cmp::Reverse<NaiveDate>, Decimal);

    fn score(&self, c: &merchantry_route::Candidate) -> Self::Score {
        (std::cmp::Reverse(c.delivery), c.cost)
    }
}

/// A batch reused an order's winner whenever it still priced the same,
/// assuming nothing else could have got better as stock and capacity
/// were taken; with capacity roll-over a rival can arrive later, which
/// a scorer like `LatestFirst` prefers. A and B (New York, 2 transit
/// days, 1 + 0 + 1 = 2.00 a package) ship one package a day, rolling
/// one day. "x" (X, at B only) has one plan, B Monday -> Wednesday 7
/// Jan: unbounded regret, served first. "y" (Y, at A and B) ties A and B
/// on Wednesday at 2.00 against the untouched state: A wins (first
/// found). Once "x" fills B's Monday, B rolls to Tuesday and arrives
/// Thursday 8 Jan, which `LatestFirst` ranks first: routing "y" alone
/// then gives B; the batch reused A and disagreed with its own
/// `batch_order`. Now it searches again unless the scorer says it never
/// prefers a later delivery.
#[test]
fn batch_reuse_never_overrides_a_scorer_that_prefers_later_deliveries() {
    let mut nodes = vec![node("A", "1", "0", "1", 2), node("B", "1", "0", "1", 2)];
    for n in &mut nodes {
        n.capacity.packages_per_day = Some(1);
    }
    let net = Network::new(nodes, horizon()).unwrap();
    let inv = stock(&net, &[("B", "X", 5), ("A", "Y", 5), ("B", "Y", 5)]);
    let orders = [
        order("x", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9)),
        order("y", vec![line("Y", 1, 100)], monday_morning(), d(2026, 1, 9)),
    ];
    let options = RouterOptions { capacity_roll_days: 1, ..RouterOptions::default() };
    let fresh = || Router::with_scorer(&net, inv.clone(), options.clone(), LatestFirst);
    let mut batch = fresh();
    assert_eq!(batch.batch_order(&orders).unwrap(), vec![0, 1]);
    let out = batch.route_batch(&orders).unwrap();
    let y = out[1].plan().unwrap();
    assert_eq!(nodes_of(y), ["B"]);
    assert_eq!((y.packages[0].ship_date, y.expected_delivery), (d(2026, 1, 6), d(2026, 1, 8)));
    let mut one_by_one = fresh();
    let each: Vec<Outcome> = orders.iter().map(|o| one_by_one.route(o).unwrap()).collect();
    assert_eq!(out, each);
}

mod large {
    //! Orders with more assignments than `exact_limit`: the bounded
    //! search must still find a workable split when one exists.

    use super::*;

    /// `count` identical nodes whose heaviest zone-2 tier is `top_g`.
    fn nodes_with_top_tier(count: usize, top_g: u64) -> Network {
        let nodes = (0..count)
            .map(|i| {
                let mut n = node(&format!("N{i}"), "1.00", "0.10", "4.00", 2);
                n.costs.rates.insert(
                    Zone(2),
                    vec![
                        RateTier { max_weight_g: top_g / 2, price: dec("4.00") },
                        RateTier { max_weight_g: top_g, price: dec("6.00") },
                    ],
                );
                n
            })
            .collect();
        Network::new(nodes, horizon()).unwrap()
    }

    /// The plan must be the one `evaluate` gives for its own assignment,
    /// which re-checks stock, tiers and capacity from scratch.
    fn assert_workable(net: &Network, router: &Router<'_>, o: &Order, plan: &Plan) {
        let assign: Vec<NodeIndex> = plan
            .line_assignments()
            .iter()
            .map(|(_, node, _)| net.index_of(node).unwrap())
            .collect();
        // `evaluate` prices the assignment as given, with no search.
        let as_given = Plan { optimality: Optimality::Assigned, ..plan.clone() };
        assert_eq!(router.evaluate(o, &assign).unwrap(), Outcome::Routed(as_given));
    }

    #[test]
    fn weight_tiers_force_a_split_over_ten_nodes() {
        // 4 lines x 10 nodes = 10^4 assignments, past the 4096 limit.
        // 4 x 400 g = 1600 g is past every node's 1 kg top tier, so one
        // node cannot ship it; 2 + 2 lines (800 g each) can.
        let net = nodes_with_top_tier(10, 1_000);
        let skus = ["A", "B", "C", "D"];
        let rows: Vec<(String, &str)> =
            (0..10).flat_map(|i| skus.iter().map(move |s| (format!("N{i}"), *s))).collect();
        let rows: Vec<(&str, &str, i64)> = rows.iter().map(|(n, s)| (n.as_str(), *s, 5)).collect();
        let router = Router::new(&net, stock(&net, &rows));
        let lines = skus.iter().map(|s| line(s, 1, 400)).collect();
        let o = order("o1", lines, monday_morning(), d(2026, 1, 9));
        // The split the tester confirmed by hand.
        let (n0, n1) = (net.index_of(&loc("N0")).unwrap(), net.index_of(&loc("N1")).unwrap());
        assert!(router.evaluate(&o, &[n0, n0, n1, n1]).unwrap().plan().is_some());
        let plan = routed(router.plan(&o).unwrap());
        assert_eq!(plan.package_count(), 2);
        assert!(plan.packages.iter().all(|p| p.weight_g <= 1_000), "{plan:?}");
        // Each package: 1.00 + 2 x 0.10 + 6.00 (800 g is past the 500 g
        // tier) = 7.20; two of them 14.40. Every 2 + 2 split costs that,
        // and a 1 + 3 split is over a kilo, so this is also the optimum.
        assert_eq!(plan.cost.total(), Some(dec("14.40")));
        assert_workable(&net, &router, &o, &plan);
    }

    #[test]
    fn repeated_sku_lines_share_a_nodes_stock() {
        // 13 one-unit lines of X, two nodes with 7 each: 2^13 = 8192
        // assignments. Neither node holds 13; a 7 + 6 split works.
        let net = nodes_with_top_tier(2, 100_000);
        let mut router = Router::new(&net, stock(&net, &[("N0", "X", 7), ("N1", "X", 7)]));
        let o = order("o1", vec![line("X", 1, 100); 13], monday_morning(), d(2026, 1, 9));
        let plan = routed(router.plan(&o).unwrap());
        let mut units: Vec<u64> = plan.packages.iter().map(|p| p.units).collect();
        units.sort_unstable();
        assert_eq!(units, [6, 7]);
        assert_workable(&net, &router, &o, &plan);
        // Committing it takes all 13 units and leaves one.
        router.route(&o).unwrap();
        let left: i64 = net.indices().map(|i| router.inventory().get(&sku("X"), i).get()).sum();
        assert_eq!(left, 1);
    }

    #[test]
    fn thirteen_light_lines_split_under_the_top_tier() {
        // 13 lines of 100 g (distinct SKUs) over two nodes, 1 kg top
        // tier: one package would weigh 1300 g; 7 + 6 (700 g, 600 g) fit.
        let net = nodes_with_top_tier(2, 1_000);
        let skus: Vec<String> = (0..13).map(|i| format!("S{i}")).collect();
        let mut rows = Vec::new();
        for s in &skus {
            rows.push(("N0", s.as_str(), 5));
            rows.push(("N1", s.as_str(), 5));
        }
        let router = Router::new(&net, stock(&net, &rows));
        let lines = skus.iter().map(|s| line(s, 1, 100)).collect();
        let o = order("o1", lines, monday_morning(), d(2026, 1, 9));
        let plan = routed(router.plan(&o).unwrap());
        assert_eq!(plan.package_count(), 2);
        let mut weights: Vec<u64> = plan.packages.iter().map(|p| p.weight_g).collect();
        weights.sort_unstable();
        assert!(weights[1] <= 1_000 && weights.iter().sum::<u64>() == 1_300, "{weights:?}");
        assert_workable(&net, &router, &o, &plan);
    }

    #[test]
    fn units_capacity_forces_a_split() {
        // Each node ships at most 8 units a day; 13 one-unit lines of
        // distinct SKUs: 8 + 5 (or any split with both sides <= 8) works.
        let mut net_nodes = nodes_with_top_tier(2, 100_000).nodes().to_vec();
        for n in &mut net_nodes {
            n.capacity.units_per_day = Some(8);
        }
        let net = Network::new(net_nodes, horizon()).unwrap();
        let skus: Vec<String> = (0..13).map(|i| format!("S{i}")).collect();
        let mut rows = Vec::new();
        for s in &skus {
            rows.push(("N0", s.as_str(), 5));
            rows.push(("N1", s.as_str(), 5));
        }
        let mut router = Router::new(&net, stock(&net, &rows));
        let lines = skus.iter().map(|s| line(s, 1, 100)).collect();
        let o = order("o1", lines, monday_morning(), d(2026, 1, 9));
        let plan = routed(router.route(&o).unwrap());
        assert_eq!(plan.package_count(), 2);
        assert!(plan.packages.iter().all(|p| p.units <= 8), "{plan:?}");
        for idx in net.indices() {
            assert!(router.used_capacity(idx, d(2026, 1, 5)).1 <= 8);
        }
    }

    #[test]
    fn no_workable_split_is_still_unroutable_with_the_obstacle() {
        // 13 one-unit lines of X, two nodes with 6 each: 12 < 13, so no
        // assignment works; the walk proves it within its budget.
        let net = nodes_with_top_tier(2, 100_000);
        let router = Router::new(&net, stock(&net, &[("N0", "X", 6), ("N1", "X", 6)]));
        let o = order("o1", vec![line("X", 1, 100); 13], monday_morning(), d(2026, 1, 9));
        let u = router.plan(&o).unwrap();
        assert_eq!(
            u.unroutable().unwrap().reason,
            UnroutableReason::NoFeasibleCombination {
                cause: Infeasibility::Stock { line: 0, sku: sku("X") }
            }
        );
    }

    /// Past its step budget the bounded search returns the best plan it
    /// met, which may not be the best there is; it used to come back
    /// looking exactly like a proven optimum. It is now marked
    /// `BestWithinBudget`, with the steps walked, and an order small
    /// enough for the walk to finish is marked `Proven`.
    #[test]
    fn a_plan_says_whether_the_budget_ran_out_before_it_was_proven_best() {
        // 20 lines of 100 g over two nodes with a 1 kg top tier: only a
        // 10 + 10 split fits, and there are C(20, 10) = 184,756 of them
        // for the walk to price, far past its 4096 x 20 = 81,920 steps.
        let net = nodes_with_top_tier(2, 1_000);
        let inv = stock(&net, &[("N0", "X", 50), ("N1", "X", 50)]);
        let options = RouterOptions { exact_limit: 0, ..RouterOptions::default() };
        let router =
            Router::with_scorer(&net, inv.clone(), options.clone(), StandardScorer::default());
        let big = order("big", vec![line("X", 1, 100); 20], monday_morning(), d(2026, 1, 9));
        let plan = routed(router.plan(&big).unwrap());
        assert_eq!(plan.package_count(), 2);
        let Optimality::BestWithinBudget { steps } = plan.optimality else {
            panic!("expected the budget to run out: {:?}", plan.optimality)
        };
        assert!(steps >= 81_920, "{steps}");
        assert!(!plan.is_proven_best());
        assert_workable(&net, &router, &big, &plan);
        // The batch path marks it the same way.
        let mut batch =
            Router::with_scorer(&net, inv.clone(), options.clone(), StandardScorer::default());
        let out = batch.route_batch(std::slice::from_ref(&big)).unwrap();
        assert_eq!(out[0].plan().unwrap().optimality, plan.optimality);

        // 10 lines under a 500 g top tier: only 5 + 5 fits, C(10, 5) =
        // 252 splits, well inside 4096 x 10 = 40,960 steps.
        let half = nodes_with_top_tier(2, 500);
        let inv_half = stock(&half, &[("N0", "X", 50), ("N1", "X", 50)]);
        let small_router =
            Router::with_scorer(&half, inv_half, options.clone(), StandardScorer::default());
        let small = order("small", vec![line("X", 1, 100); 10], monday_morning(), d(2026, 1, 9));
        let plan = routed(small_router.plan(&small).unwrap());
        assert_eq!(plan.package_count(), 2);
        assert_eq!(plan.optimality, Optimality::Proven);
        assert!(plan.is_proven_best());
    }

    #[test]
    fn an_exhausted_budget_says_so() {
        // 20 lines over two nodes whose 1 kg top tier forces a split,
        // and a minimum package value no split can meet (each package
        // must carry 15.00; the order is worth 20.00). Every split fails
        // only once complete, so the walk cannot prune and runs out of
        // steps: the answer names the limit, not a false "no node".
        let net = nodes_with_top_tier(2, 1_000);
        let lines: Vec<OrderLine> = (0..20)
            .map(|_| {
                let mut l = line("X", 1, 100);
                l.unit_value = dec("1.00");
                l
            })
            .collect();
        let options = RouterOptions {
            min_package_value: Some(dec("15.00")),
            exact_limit: 0,
            ..RouterOptions::default()
        };
        let inv = stock(&net, &[("N0", "X", 50), ("N1", "X", 50)]);
        let router = Router::with_scorer(&net, inv, options, StandardScorer::default());
        let o = order("o1", lines, monday_morning(), d(2026, 1, 9));
        let u = router.plan(&o).unwrap();
        assert!(
            matches!(
                u.unroutable().unwrap().reason,
                UnroutableReason::NoFeasibleCombination {
                    cause: Infeasibility::SearchLimit { .. }
                }
            ),
            "{u:?}"
        );
    }
}

mod exact {
    //! The batch heuristic against the exact optimum on small instances.

    use super::*;

    /// A small deterministic generator (xorshift64*), enough for test
    /// instances.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// Lexicographic batch objective: unrouted, days late, packages, cost.
    type Objective = (usize, u64, usize, Decimal);

    fn objective(outcomes: &[Outcome]) -> Objective {
        let mut obj = (0, 0, 0, Decimal::ZERO);
        for o in outcomes {
            match o {
                Outcome::Unroutable(_) => obj.0 += 1,
                Outcome::Routed(p) => {
                    let late = (p.expected_delivery - p.promised_by).num_days().max(0);
                    obj.1 += u64::try_from(late).unwrap();
                    obj.2 += p.package_count();
                    obj.3 += p.cost.total().unwrap();
                }
            }
        }
        obj
    }

    fn instance(g: &mut Gen) -> (Network, Inventory, Vec<Order>) {
        let skus = ["X", "Y", "Z"];
        let nodes: Vec<Node> = (0..3)
            .map(|i| {
                let mut n = node(
                    &format!("N{i}"),
                    &format!("{}", 1 + g.below(3)),
                    "0.25",
                    &format!("{}", 2 + g.below(4)),
                    1 + u32::try_from(g.below(3)).unwrap(),
                );
                if g.below(2) == 0 {
                    n.capacity.packages_per_day = Some(1 + u32::try_from(g.below(2)).unwrap());
                }
                n
            })
            .collect();
        let net = Network::new(nodes, horizon()).unwrap();
        let mut inv = Inventory::new(&net);
        for idx in net.indices() {
            for s in skus {
                inv.set(&sku(s), idx, Quantity::new(i64::try_from(g.below(3)).unwrap()));
            }
        }
        let orders = (0..4)
            .map(|i| {
                let n_lines = 1 + g.below(2);
                let lines = (0..n_lines)
                    .map(|k| line(skus[usize::try_from((g.below(3) + k) % 3).unwrap()], 1, 200))
                    .collect();
                let promised = d(2026, 1, 6 + u32::try_from(g.below(3)).unwrap());
                order(&format!("o{i}"), lines, monday_morning(), promised)
            })
            .collect();
        (net, inv, orders)
    }

    fn best(
        router: &Router<'_>,
        nodes: &[NodeIndex],
        orders: &[Order],
        done: &mut Vec<Outcome>,
        best: &mut Option<Objective>,
    ) {
        let Some((first, rest)) = orders.split_first() else {
            let obj = objective(done);
            if best.as_ref().is_none_or(|b| obj < *b) {
                *best = Some(obj);
            }
            return;
        };
        // Leave it unrouted.
        done.push(Outcome::Unroutable(merchantry_route::Unroutable {
            order: first.id.clone(),
            reason: UnroutableReason::Late { expected: first.promised_by },
        }));
        self::best(router, nodes, rest, done, best);
        done.pop();
        // Or any assignment of its lines to nodes.
        let n = nodes.len();
        let lines = first.lines.len();
        for code in 0..n.pow(u32::try_from(lines).unwrap()) {
            let assign: Vec<NodeIndex> =
                (0..lines).map(|k| nodes[code / n.pow(u32::try_from(k).unwrap()) % n]).collect();
            if let Outcome::Routed(plan) = router.evaluate(first, &assign).unwrap() {
                let mut next = router.clone();
                next.commit(&plan).unwrap();
                done.push(Outcome::Routed(plan));
                self::best(&next, nodes, rest, done, best);
                done.pop();
            }
        }
    }

    #[test]
    fn batch_heuristic_gap_to_the_exact_optimum_is_small() {
        let mut g = Gen(0x9E37_79B9_7F4A_7C15);
        let (mut optimal, mut total, mut routed_gap) = (0, 0, 0usize);
        let (mut heur_cost, mut opt_cost) = (Decimal::ZERO, Decimal::ZERO);
        for _ in 0..60 {
            let (net, inv, orders) = instance(&mut g);
            let mut router = Router::new(&net, inv.clone());
            let heuristic = objective(&router.route_batch(&orders).unwrap());
            let mut exact = None;
            let nodes: Vec<NodeIndex> = net.indices().collect();
            best(&Router::new(&net, inv), &nodes, &orders, &mut Vec::new(), &mut exact);
            let exact = exact.unwrap();
            assert!(exact <= heuristic, "enumeration missed a plan: {exact:?} > {heuristic:?}");
            total += 1;
            if std::env::var("ROUTE_GAP_DEBUG").is_ok() && heuristic != exact {
                println!("heuristic {heuristic:?} exact {exact:?}");
            }
            if heuristic == exact {
                optimal += 1;
            }
            routed_gap += heuristic.0 - exact.0;
            if heuristic.0 == exact.0 && heuristic.1 == exact.1 && heuristic.2 == exact.2 {
                heur_cost += heuristic.3;
                opt_cost += exact.3;
            }
        }
        println!(
            "batch vs exact: optimal on {optimal}/{total} instances, {routed_gap} orders \
             unrouted beyond the optimum in total, cost {heur_cost} vs {opt_cost} where \
             the other terms tie"
        );
        // Measured with this seed: optimal on 43 of 60 instances, 6 more
        // unrouted orders than the optimum over the 240 orders, cost gap
        // 0.75 over 869.00 where the other terms tie. The bounds keep a
        // regression visible without pinning the figures.
        assert!(optimal * 3 >= total * 2, "optimal on only {optimal}/{total}");
        assert!(routed_gap * 10 <= total, "{routed_gap} extra unrouted over {total} instances");
    }
}

mod waves {
    //! Pick waves over routed plans.

    use std::collections::{BTreeMap, BTreeSet};

    use merchantry_route::{Bin, CarrierPickup, PickPath, plan_waves};

    use super::*;

    /// One New York node. Standard goes with "GROUND" (cutoff 17:00),
    /// Expedited with "AIR" (cutoff 14:00). Plans, in order: o-fast
    /// (AIR: C x1, A x2), o-slow1 (GROUND: A x1, B x1), o-slow2 (GROUND:
    /// A x3).
    /// The waves of `plans` at NY on 2026-01-05, picked serpentine.
    fn waves_at_ny(
        net: &Network,
        plans: &[Plan],
        bins: &BTreeMap<Sku, Bin>,
        carriers: &[CarrierPickup],
    ) -> Result<Vec<merchantry_route::Wave>, RouteError> {
        plan_waves(net, &loc("NY"), d(2026, 1, 5), plans, bins, carriers, PickPath::Serpentine)
    }

    fn wave_setup() -> (Network, Vec<Plan>, BTreeMap<Sku, Bin>, [CarrierPickup; 2]) {
        let mut n = node("NY", "1", "0", "1", 2);
        n.transit_days.insert((Zone(2), Speed::Expedited), 1);
        let net = Network::new(vec![n], horizon()).unwrap();
        let inv = stock(&net, &[("NY", "A", 10), ("NY", "B", 10), ("NY", "C", 10)]);
        let mut router = Router::new(&net, inv);
        let mut fast = order(
            "o-fast",
            vec![line("C", 1, 500), line("A", 2, 100)],
            monday_morning(),
            d(2026, 1, 9),
        );
        fast.speed = Speed::Expedited;
        let slow1 = order(
            "o-slow1",
            vec![line("A", 1, 100), line("B", 1, 300)],
            monday_morning(),
            d(2026, 1, 9),
        );
        let slow2 = order("o-slow2", vec![line("A", 3, 100)], monday_morning(), d(2026, 1, 9));
        let plans: Vec<Plan> =
            router.route_batch(&[fast, slow1, slow2]).unwrap().into_iter().map(routed).collect();
        let bins = BTreeMap::from([
            (sku("A"), Bin { aisle: 1, bay: 4, level: 2 }),
            (sku("B"), Bin { aisle: 2, bay: 1, level: 1 }),
            (sku("C"), Bin { aisle: 2, bay: 8, level: 3 }),
        ]);
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let carriers = [
            CarrierPickup {
                carrier: "GROUND".into(),
                cutoff: t(17),
                speeds: BTreeSet::from([Speed::Standard]),
            },
            CarrierPickup {
                carrier: "AIR".into(),
                cutoff: t(14),
                speeds: BTreeSet::from([Speed::Expedited]),
            },
        ];
        (net, plans, bins, carriers)
    }

    /// An order of 2 x A (100 g each) at NY placed `placed`, its plan, and
    /// the GROUND carrier (Standard, cutoff 17:00).
    fn one_order(placed: DateTime<Utc>) -> (Network, Order, Plan, CarrierPickup) {
        let net = Network::new(vec![node("NY", "1", "0", "1", 2)], horizon()).unwrap();
        let inv = stock(&net, &[("NY", "A", 10)]);
        let o = order("o1", vec![line("A", 2, 100)], placed, d(2026, 1, 9));
        let plan = routed(Router::new(&net, inv).plan(&o).unwrap());
        let ground = CarrierPickup {
            carrier: "GROUND".into(),
            cutoff: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            speeds: BTreeSet::from([Speed::Standard]),
        };
        (net, o, plan, ground)
    }

    fn a_bin() -> BTreeMap<Sku, Bin> {
        BTreeMap::from([(sku("A"), Bin { aisle: 1, bay: 1, level: 1 })])
    }

    #[test]
    fn waves_from_orders_with_their_plans_refuse_a_plan_the_order_disowns() {
        use merchantry_route::plan_waves_checked;
        let (net, o, plan, ground) = one_order(monday_morning());
        let (ny, monday) = (loc("NY"), d(2026, 1, 5));
        let checked = |plan: &Plan| {
            let shipments = [(&o, plan)];
            let carriers = std::slice::from_ref(&ground);
            plan_waves_checked(
                &net,
                &ny,
                monday,
                &shipments,
                &a_bin(),
                carriers,
                PickPath::default(),
            )
        };
        // As routed: one wave, 2 x 100 g = 200 g on the manifest.
        let waves = checked(&plan).unwrap();
        assert_eq!(waves[0].manifest.total_weight_g, 200);
        // Edited to weigh 20 g: the plans-only form puts 20 g on the
        // manifest; the checked form refuses it.
        let mut light = plan.clone();
        light.packages[0].weight_g = 20;
        let unchecked = waves_at_ny(
            &net,
            std::slice::from_ref(&light),
            &a_bin(),
            std::slice::from_ref(&ground),
        );
        assert_eq!(unchecked.unwrap()[0].manifest.total_weight_g, 20);
        assert!(matches!(
            checked(&light),
            Err(RouteError::PackageWeightMismatch { weight_g: 20, lines: 200, .. })
        ));
    }

    #[test]
    fn waves_from_orders_with_their_plans_refuse_a_ship_date_the_order_missed() {
        use merchantry_route::plan_waves_checked;
        // Monday 5 Jan 17:30 New York (22:30 UTC): past the 15:00 cutoff,
        // so the order ships Tuesday. Edited into Monday's wave, the
        // plans-only form picks it; the checked form refuses it.
        let (net, o, mut plan, ground) = one_order(utc(2026, 1, 5, 22, 30));
        assert_eq!(plan.packages[0].ship_date, d(2026, 1, 6));
        plan.packages[0].ship_date = d(2026, 1, 5);
        let picked =
            waves_at_ny(&net, std::slice::from_ref(&plan), &a_bin(), std::slice::from_ref(&ground));
        assert_eq!(picked.unwrap().len(), 1);
        let shipments = [(&o, &plan)];
        let err = plan_waves_checked(
            &net,
            &loc("NY"),
            d(2026, 1, 5),
            &shipments,
            &a_bin(),
            &[ground],
            PickPath::default(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            RouteError::ShipDateTooEarly {
                order: OrderId::new("o1").unwrap(),
                node: loc("NY"),
                ship_date: d(2026, 1, 5),
                earliest: d(2026, 1, 6),
                placed_at: utc(2026, 1, 5, 22, 30),
            }
        );
    }

    /// Each package went to the first listed carrier serving its speed,
    /// even one whose pickup had left before the order was placed. NY's
    /// own cutoff is 15:00; EARLY (14:00) and LATE (17:00) both take
    /// Standard, EARLY listed first. On Monday 5 January (EST, UTC-5):
    ///
    /// - o-morning, 10:00 (15:00 UTC): EARLY leaves at 19:00 UTC, after
    ///   it: EARLY.
    /// - o-at-two, 14:00:00 exactly (19:00 UTC): at EARLY's cutoff,
    ///   which catches it as the router's cutoffs do: EARLY.
    /// - o-afternoon, 14:30 (19:30 UTC): caught by NY's 15:00 cutoff, so
    ///   promised to ship Monday, but EARLY left at 19:00 UTC, half an
    ///   hour before it was placed. It was put on EARLY; it goes on
    ///   LATE (22:00 UTC).
    /// - o-evening, 16:00 (21:00 UTC): misses NY's cutoff and ships
    ///   Tuesday, where every pickup comes after it: EARLY.
    ///
    /// `plan_waves`, which sees no order time, keeps the first listed
    /// carrier, as documented. With EARLY the only Standard carrier the
    /// checked form falls back to it too, and the manifest's `cutoff_at`
    /// (19:00 UTC), before the order's `placed_at` (19:30 UTC), shows it.
    #[test]
    fn a_package_goes_to_a_pickup_that_has_not_left_when_the_order_is_known() {
        use merchantry_route::{Wave, plan_waves_checked};
        let net = Network::new(vec![node("NY", "1", "0", "1", 2)], horizon()).unwrap();
        let mut router = Router::new(&net, stock(&net, &[("NY", "A", 10)]));
        let at = |id: &str, placed| order(id, vec![line("A", 1, 100)], placed, d(2026, 1, 9));
        let orders = [
            at("o-morning", utc(2026, 1, 5, 15, 0)),
            at("o-at-two", utc(2026, 1, 5, 19, 0)),
            at("o-afternoon", utc(2026, 1, 5, 19, 30)),
            at("o-evening", utc(2026, 1, 5, 21, 0)),
        ];
        let plans: Vec<Plan> = orders.iter().map(|o| routed(router.route(o).unwrap())).collect();
        let ships: Vec<NaiveDate> = plans.iter().map(|p| p.packages[0].ship_date).collect();
        let (monday, tuesday) = (d(2026, 1, 5), d(2026, 1, 6));
        assert_eq!(ships, vec![monday, monday, monday, tuesday]);
        let pickup = |carrier: &str, h| CarrierPickup {
            carrier: carrier.into(),
            cutoff: NaiveTime::from_hms_opt(h, 0, 0).unwrap(),
            speeds: BTreeSet::from([Speed::Standard]),
        };
        let carriers = [pickup("EARLY", 14), pickup("LATE", 17)];
        let shipments: Vec<(&Order, &Plan)> = orders.iter().zip(&plans).collect();
        let checked = |day, carriers: &[CarrierPickup]| {
            plan_waves_checked(
                &net,
                &loc("NY"),
                day,
                &shipments,
                &a_bin(),
                carriers,
                PickPath::default(),
            )
            .unwrap()
        };
        let manifests = |waves: &[Wave]| -> Vec<(String, Vec<String>)> {
            let ids = |w: &Wave| w.manifest.packages.iter().map(|p| p.order.to_string()).collect();
            waves.iter().map(|w| (w.carrier.clone(), ids(w))).collect()
        };
        let named = |c: &str, ids: &[&str]| {
            (c.to_owned(), ids.iter().map(|&i| i.to_owned()).collect::<Vec<_>>())
        };

        let waves = checked(monday, &carriers);
        assert_eq!(
            manifests(&waves),
            vec![named("EARLY", &["o-at-two", "o-morning"]), named("LATE", &["o-afternoon"])]
        );
        // 17:00 EST = 22:00 UTC, after o-afternoon's 19:30 UTC.
        assert_eq!(waves[1].manifest.cutoff_at, utc(2026, 1, 5, 22, 0));
        assert_eq!(manifests(&checked(tuesday, &carriers)), vec![named("EARLY", &["o-evening"])]);

        // Plans alone: the first listed Standard carrier, left or not.
        let plans_only =
            plan_waves(&net, &loc("NY"), monday, &plans, &a_bin(), &carriers, PickPath::default())
                .unwrap();
        assert_eq!(
            manifests(&plans_only),
            vec![named("EARLY", &["o-afternoon", "o-at-two", "o-morning"])]
        );

        // No Standard pickup after 14:30: the fallback, which shows.
        let waves = checked(monday, &carriers[..1]);
        assert_eq!(
            manifests(&waves),
            vec![named("EARLY", &["o-afternoon", "o-at-two", "o-morning"])]
        );
        assert!(waves[0].manifest.cutoff_at < orders[2].placed_at);
    }

    #[test]
    fn waves_group_by_carrier_cutoff_and_walk_the_bin_path() {
        // AIR's wave (cutoff 14:00) comes before GROUND's (17:00).
        let (net, plans, bins, carriers) = wave_setup();
        let waves = plan_waves(
            &net,
            &loc("NY"),
            d(2026, 1, 5),
            &plans,
            &bins,
            &carriers,
            PickPath::Serpentine,
        )
        .unwrap();
        assert_eq!(waves.len(), 2);
        assert_eq!((waves[0].carrier.as_str(), waves[1].carrier.as_str()), ("AIR", "GROUND"));
        // 14:00 EST = 19:00 UTC.
        assert_eq!(waves[0].manifest.cutoff_at, utc(2026, 1, 5, 19, 0));
        // AIR: A (aisle 1) then C (aisle 2).
        let air: Vec<_> =
            waves[0].picks.iter().map(|p| (p.sku.as_str(), p.quantity.get())).collect();
        assert_eq!(air, vec![("A", 2), ("C", 1)]);
        // GROUND merges A for both orders: 1 + 3 = 4 units, two orders.
        let ground = &waves[1];
        assert_eq!(ground.picks[0].quantity, Quantity::new(4));
        assert_eq!(ground.picks[0].orders.len(), 2);
        assert_eq!(ground.picks[1].sku.as_str(), "B");
        // Manifest: 100 + 300 = 400 g and 300 g; 2 + 3 units.
        assert_eq!(ground.manifest.packages.len(), 2);
        assert_eq!(ground.manifest.total_weight_g, 700);
        assert_eq!(ground.manifest.total_units, 5);

        // A SKU without a bin and a speed without a carrier are errors.
        let no_bins = BTreeMap::new();
        let err = plan_waves(
            &net,
            &loc("NY"),
            d(2026, 1, 5),
            &plans,
            &no_bins,
            &carriers,
            PickPath::Serpentine,
        )
        .unwrap_err();
        assert!(matches!(err, RouteError::MissingBin { .. }));
        let err = plan_waves(
            &net,
            &loc("NY"),
            d(2026, 1, 5),
            &plans,
            &bins,
            &carriers[..1],
            PickPath::Serpentine,
        )
        .unwrap_err();
        assert!(matches!(err, RouteError::NoCarrier { speed: Speed::Expedited, .. }));
    }

    /// A wave's manifest totals used to saturate at `u64::MAX` (and a
    /// pick's units at `i64::MAX`), so two heavy packages gave a total
    /// weight of 18446744073709551615 g, silently wrong. Now the wave is
    /// refused, naming the carrier, the cutoff and the order whose
    /// package or line passes the range.
    #[test]
    fn a_wave_total_past_its_range_is_refused_not_saturated() {
        let (net, plans, bins, carriers) = wave_setup();
        let waves_of = |plans: &[Plan]| waves_at_ny(&net, plans, &bins, &carriers);
        let ground_at_17 = |order: &str, what: &str, max: u64| RouteError::WaveOverflow {
            carrier: "GROUND".into(),
            cutoff: NaiveTime::from_hms_opt(17, 0, 0).unwrap(),
            order: OrderId::new(order).unwrap(),
            what: what.into(),
            max,
        };
        let half_past = u64::MAX / 2 + 1;

        // Weight: o-slow1 and o-slow2 weigh 2^63 g each on GROUND; the
        // sum, 2^64, passes u64::MAX at o-slow2 (manifest order).
        let mut heavy = plans.clone();
        for plan in &mut heavy[1..] {
            plan.packages[0].weight_g = half_past;
        }
        let err = waves_of(&heavy).unwrap_err();
        assert_eq!(err, ground_at_17("o-slow2", "manifest weight in grams", u64::MAX));
        assert!(err.to_string().contains("wave GROUND at 17:00:00: order o-slow2"), "{err}");
        // Just under the range still adds up exactly: 2^63 + (2^63 - 1).
        heavy[2].packages[0].weight_g = half_past - 1;
        let waves = waves_of(&heavy).unwrap();
        assert_eq!(waves[1].manifest.total_weight_g, u64::MAX);

        // Units: the same for the manifest's unit count, with packages
        // whose units match their lines and picks that stay in range.
        // o-slow1: A 1 + B (2^63 - 1) = 2^63 units; o-slow2: A 3 + a new
        // line of C (2^63 - 1) = 2^63 + 2. The sum, 2^64 + 2, passes
        // u64::MAX at o-slow2; the picks are A 4, B and C 2^63 - 1.
        let mut many = plans.clone();
        let big = Quantity::new(i64::MAX);
        many[1].packages[0].lines[1].quantity = big;
        many[1].packages[0].units = half_past;
        let c_line = PackageLine { line: 1, sku: sku("C"), quantity: big };
        many[2].packages[0].lines.push(c_line);
        many[2].packages[0].units = half_past + 2;
        assert_eq!(
            waves_of(&many).unwrap_err(),
            ground_at_17("o-slow2", "manifest units", u64::MAX)
        );

        // Pick: sku A's GROUND pick merges o-slow1's 1 unit with
        // o-slow2's; i64::MAX more passes the i64 range at o-slow2.
        let mut deep = plans.clone();
        let a_line = deep[2].packages[0].lines.iter_mut().find(|l| l.sku == sku("A")).unwrap();
        a_line.quantity = Quantity::new(i64::MAX);
        deep[2].packages[0].units = i64::MAX.unsigned_abs();
        assert_eq!(
            waves_of(&deep).unwrap_err(),
            ground_at_17("o-slow2", "units picked for sku A", i64::MAX.unsigned_abs())
        );

        // The untouched plans still give the hand-worked totals.
        let waves = waves_of(&plans).unwrap();
        assert_eq!((waves[1].manifest.total_weight_g, waves[1].manifest.total_units), (700, 5));
    }

    /// Hand-built plans with nonsense were waved through: a line of -7
    /// units of A gave GROUND a pick of 1 - 7 = -6 units, i64::MIN was
    /// accepted, zero-unit lines gave zero-unit picks, a plan passed
    /// twice was picked and manifested twice, and a package's `units`
    /// was never held against its lines. Each is now refused, naming the
    /// order (and the line or the package's node).
    #[test]
    fn nonsense_plans_are_refused_naming_the_order() {
        let (net, plans, bins, carriers) = wave_setup();
        let waves_of = |plans: &[Plan]| waves_at_ny(&net, plans, &bins, &carriers);
        let non_positive = |order: &str, line: usize, s: &str, quantity: i64| {
            Err(RouteError::NonPositiveQuantity {
                order: OrderId::new(order).unwrap(),
                line,
                sku: sku(s),
                quantity,
            })
        };
        // o-slow2's only line: A x3, line 0.
        for quantity in [-7, i64::MIN, 0] {
            let mut bad = plans.clone();
            bad[2].packages[0].lines[0].quantity = Quantity::new(quantity);
            assert_eq!(waves_of(&bad), non_positive("o-slow2", 0, "A", quantity));
        }
        // o-slow1 with every line zero and a package of 0 units: its
        // first line is named.
        let mut zeros = plans.clone();
        for line in &mut zeros[1].packages[0].lines {
            line.quantity = Quantity::ZERO;
        }
        zeros[1].packages[0].units = 0;
        assert_eq!(waves_of(&zeros), non_positive("o-slow1", 0, "A", 0));

        // The same order's plan twice.
        let mut twice = plans.clone();
        twice.push(plans[1].clone());
        let err = waves_of(&twice).unwrap_err();
        assert_eq!(err, RouteError::DuplicateOrder { order: OrderId::new("o-slow1").unwrap() });

        // o-slow1's package says 3 units; its lines hold 1 + 1 = 2.
        let mut miscount = plans.clone();
        miscount[1].packages[0].units = 3;
        let err = waves_of(&miscount).unwrap_err();
        assert_eq!(
            err,
            RouteError::PackageUnitsMismatch {
                order: OrderId::new("o-slow1").unwrap(),
                node: loc("NY"),
                units: 3,
                lines: 2,
            }
        );
        assert!(err.to_string().contains("o-slow1") && err.to_string().contains("NY"), "{err}");
        // A package with no line at all (and 0 units).
        let mut empty = plans.clone();
        empty[2].packages[0].lines.clear();
        empty[2].packages[0].units = 0;
        assert_eq!(
            waves_of(&empty),
            Err(RouteError::EmptyPackage {
                order: OrderId::new("o-slow2").unwrap(),
                node: loc("NY")
            })
        );
        // o-slow1 lists line 0 twice (A, then A again where B was):
        // GROUND would pick A for it twice.
        let mut twice = plans.clone();
        twice[1].packages[0].lines[1] = twice[1].packages[0].lines[0].clone();
        assert_eq!(
            waves_of(&twice),
            Err(RouteError::DuplicatePlanLine {
                order: OrderId::new("o-slow1").unwrap(),
                line: 0,
                node: loc("NY"),
            })
        );
        // o-slow2's package twice.
        let mut doubled = plans.clone();
        let again = doubled[2].packages[0].clone();
        doubled[2].packages.push(again);
        assert_eq!(
            waves_of(&doubled),
            Err(RouteError::DuplicatePackage {
                order: OrderId::new("o-slow2").unwrap(),
                node: loc("NY")
            })
        );
        // A nonsense plan is refused even when it ships another day: the
        // call checks every plan it is handed.
        let mut elsewhere = plans.clone();
        elsewhere[2].packages[0].ship_date = d(2026, 1, 6);
        elsewhere[2].packages[0].lines[0].quantity = Quantity::new(-1);
        assert_eq!(waves_of(&elsewhere), non_positive("o-slow2", 0, "A", -1));
    }
}

/// A fresh tester edited a routed plan's own fields and `Plan::check`
/// passed each edit, so `plan_waves` acted on it (a Standard order edited
/// to Priority went into the Priority carrier's wave). Each edit is now
/// refused, naming the order, the field and the values.
///
/// `split_plan`: A ships line 0 and B line 1 on Monday 5 Jan, 1 day in
/// transit: both delivered Tuesday 6 Jan; promised Friday 9 Jan, so not
/// late. Each package costs handling 1 + units 0 + postage 1; the plan
/// handling 1 + 1 = 2, units 0, postage 1 + 1 = 2.
mod plan_check_fields {
    use super::*;

    fn o1() -> OrderId {
        OrderId::new("o1").unwrap()
    }

    #[test]
    fn the_plan_as_routed_passes_with_the_worked_figures() {
        let (_, o, plan) = split_plan();
        assert_eq!(plan.expected_delivery, d(2026, 1, 6));
        assert!(!plan.late);
        assert_eq!(
            plan.cost,
            CostBreakdown { handling: dec("2"), units: dec("0"), postage: dec("2") }
        );
        assert_eq!(plan.check(&o), Ok(()));
    }

    #[test]
    fn another_speed_is_refused() {
        let (_, o, mut plan) = split_plan();
        plan.speed = Speed::Priority;
        let err = plan.check(&o).unwrap_err();
        assert_eq!(
            err,
            RouteError::PlanSpeedMismatch {
                order: o1(),
                plan: Speed::Priority,
                ordered: Speed::Standard
            }
        );
        assert!(err.to_string().contains("order o1 says speed Priority"), "{err}");
    }

    #[test]
    fn a_moved_promise_is_refused() {
        let (_, o, mut plan) = split_plan();
        plan.promised_by = d(2026, 1, 12);
        assert_eq!(
            plan.check(&o),
            Err(RouteError::PlanDateMismatch {
                order: o1(),
                field: "promised_by",
                plan: d(2026, 1, 12),
                expected: d(2026, 1, 9),
            })
        );
    }

    #[test]
    fn a_flipped_late_flag_is_refused() {
        let (_, o, mut plan) = split_plan();
        plan.late = true;
        // 6 Jan is not after 9 Jan: not late.
        let err = plan.check(&o).unwrap_err();
        assert_eq!(
            err,
            RouteError::PlanLateMismatch {
                order: o1(),
                late: true,
                expected_delivery: d(2026, 1, 6),
                promised_by: d(2026, 1, 9),
            }
        );
        assert!(err.to_string().contains("makes it false"), "{err}");
    }

    #[test]
    fn a_moved_expected_delivery_is_refused() {
        let (_, o, mut plan) = split_plan();
        // Moved to 8 Jan, still on time, so only the date is wrong.
        plan.expected_delivery = d(2026, 1, 8);
        assert_eq!(
            plan.check(&o),
            Err(RouteError::PlanDateMismatch {
                order: o1(),
                field: "expected_delivery",
                plan: d(2026, 1, 8),
                expected: d(2026, 1, 6),
            })
        );
    }

    #[test]
    fn a_negative_cost_part_is_refused() {
        let (_, o, mut plan) = split_plan();
        plan.cost.handling = dec("-5");
        let err = plan.check(&o).unwrap_err();
        assert_eq!(
            err,
            RouteError::NegativePlanCost {
                order: o1(),
                node: None,
                part: "handling",
                value: dec("-5")
            }
        );
        assert!(err.to_string().contains("handling cost of the plan is -5"), "{err}");
        // A package's negative postage names its node.
        let (_, _, mut plan) = split_plan();
        plan.packages[1].cost.postage = dec("-1");
        assert_eq!(
            plan.check(&o),
            Err(RouteError::NegativePlanCost {
                order: o1(),
                node: Some(loc("B")),
                part: "postage",
                value: dec("-1"),
            })
        );
    }

    #[test]
    fn a_package_cost_off_the_plan_total_is_refused() {
        let (_, o, mut plan) = split_plan();
        plan.packages[0].cost.postage = dec("999");
        // Packages' postage: 999 + 1 = 1000; the plan says 2.
        assert_eq!(
            plan.check(&o),
            Err(RouteError::PlanCostMismatch {
                order: o1(),
                part: "postage",
                plan: dec("2"),
                packages: dec("1000"),
            })
        );
    }

    #[test]
    fn a_cost_past_the_decimal_range_is_refused() {
        let (_, o, mut plan) = split_plan();
        // MAX + 1 (B's postage) is not a Decimal.
        plan.packages[0].cost.postage = Decimal::MAX;
        assert_eq!(
            plan.check(&o),
            Err(RouteError::PlanCostOverflow { order: o1(), node: Some(loc("A")) })
        );
    }

    #[test]
    fn a_delivery_before_its_ship_date_is_refused() {
        let (_, o, mut plan) = split_plan();
        plan.packages[1].delivery = d(2026, 1, 4);
        assert_eq!(
            plan.check(&o),
            Err(RouteError::DeliveryBeforeShip {
                order: o1(),
                node: loc("B"),
                ship_date: d(2026, 1, 5),
                delivery: d(2026, 1, 4),
            })
        );
    }

    #[test]
    fn lines_out_of_order_line_order_are_refused() {
        let net = Network::new(vec![node("A", "1", "0", "1", 1)], horizon()).unwrap();
        let inv = stock(&net, &[("A", "X", 10), ("A", "Y", 10)]);
        let o = order(
            "o1",
            vec![line("X", 2, 100), line("Y", 1, 300)],
            monday_morning(),
            d(2026, 1, 9),
        );
        let mut plan = routed(Router::new(&net, inv).plan(&o).unwrap());
        plan.check(&o).unwrap();
        plan.packages[0].lines.swap(0, 1);
        assert_eq!(
            plan.check(&o),
            Err(RouteError::PackageLinesOutOfOrder {
                order: o1(),
                node: loc("A"),
                line: 0,
                after: 1
            })
        );
    }

    #[test]
    fn packages_out_of_node_order_are_refused() {
        let (_, o, mut plan) = split_plan();
        plan.packages.swap(0, 1);
        assert_eq!(
            plan.check(&o),
            Err(RouteError::PackagesOutOfOrder { order: o1(), node: loc("A"), index: 0, after: 1 })
        );
    }

    #[test]
    fn an_empty_plan_is_refused_by_check_and_commit() {
        let (net, o, mut plan) = split_plan();
        plan.packages.clear();
        assert_eq!(plan.check(&o), Err(RouteError::EmptyPlan { order: o1() }));
        let mut router = Router::new(&net, stock(&net, &[("A", "X", 10), ("B", "Y", 10)]));
        let before = snapshot(&router);
        assert_eq!(router.commit(&plan), Err(RouteError::EmptyPlan { order: o1() }));
        assert_eq!(snapshot(&router), before);
    }

    /// A package said to ship on Saturday 10 Jan, or past the calendar,
    /// was refused as `StalePlan { what: "capacity" }`.
    #[test]
    fn commit_names_a_ship_date_that_is_not_a_working_day() {
        let (net, _, plan) = split_plan();
        let mut router = Router::new(&net, stock(&net, &[("A", "X", 10), ("B", "Y", 10)]));
        let before = snapshot(&router);
        let mut saturday = plan.clone();
        saturday.packages[0].ship_date = d(2026, 1, 10);
        let err = router.commit(&saturday).unwrap_err();
        assert!(
            matches!(&err, RouteError::NotAShipDay { node, ship_date, why, .. }
                if *node == loc("A") && *ship_date == d(2026, 1, 10) && why.starts_with("not a working day")),
            "{err:?}"
        );
        assert!(err.to_string().contains("ships on 2026-01-10, not a working day"), "{err}");
        // A Wednesday long past the horizon (ends 31 Dec 2026).
        let mut far = plan.clone();
        far.packages[1].ship_date = d(2030, 1, 2);
        let err = router.commit(&far).unwrap_err();
        assert!(
            matches!(&err, RouteError::NotAShipDay { node, why, .. }
                if *node == loc("B") && why.starts_with("outside")),
            "{err:?}"
        );
        assert_eq!(snapshot(&router), before);
        router.commit(&plan).unwrap();
    }
}

/// A network of full nodes: each node takes no package on any day, so
/// every working day in any roll-over window is full.
fn full_nodes(ids: &[&str]) -> Network {
    let nodes = ids
        .iter()
        .map(|id| {
            let mut n = node(id, "1", "0", "1", 1);
            n.capacity.packages_per_day = Some(0);
            n
        })
        .collect();
    Network::new(nodes, horizon()).unwrap()
}

fn cause(outcome: &Outcome) -> Infeasibility {
    match &outcome.unroutable().expect("unroutable").reason {
        UnroutableReason::NoFeasibleCombination { cause } => cause.clone(),
        other => panic!("expected no feasible combination, got {other:?}"),
    }
}

#[test]
fn a_roll_over_past_the_listed_days_still_reports_capacity() {
    // A has working days from Monday 5 Jan to the end of the calendar
    // (the horizon's end plus 120 days), every one full. A roll-over of
    // 1,000 working days runs past the last listed day; the obstacle is
    // still capacity, not a missing ship day.
    let net = full_nodes(&["A"]);
    let inv = stock(&net, &[("A", "X", 5)]);
    let o = order("o1", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    for roll in [0, 3, 1_000] {
        let options = RouterOptions { capacity_roll_days: roll, ..RouterOptions::default() };
        let router = Router::with_scorer(&net, inv.clone(), options, StandardScorer::default());
        let outcome = router.plan(&o).unwrap();
        assert_eq!(cause(&outcome), Infeasibility::Capacity { node: loc("A") }, "roll {roll}");
    }
}

#[test]
fn the_bounded_search_reports_capacity_when_every_node_is_full() {
    // A holds only X and B only Y, so the order needs two packages, and
    // with an exact limit of 0 the bounded search settles it. Both are
    // full on every day: the cause is capacity at A (first in walk
    // order: both take one line, priority 0, A has the lower index),
    // never a cost overflow or a missing ship day.
    let net = full_nodes(&["A", "B"]);
    let inv = stock(&net, &[("A", "X", 5), ("B", "Y", 5)]);
    let o =
        order("o1", vec![line("X", 1, 100), line("Y", 1, 100)], monday_morning(), d(2026, 1, 9));
    for roll in [0, 1_000] {
        let options =
            RouterOptions { capacity_roll_days: roll, exact_limit: 0, ..RouterOptions::default() };
        let router = Router::with_scorer(&net, inv.clone(), options, StandardScorer::default());
        let outcome = router.plan(&o).unwrap();
        assert_eq!(cause(&outcome), Infeasibility::Capacity { node: loc("A") }, "roll {roll}");
    }
}

/// A node whose transit time carries the delivery past the last date a
/// `NaiveDate` can hold (31 December 262142) was refused as `NoShipDay`,
/// as if it had no working day to ship on, when it ships on Monday 5
/// January 2026 like any other: 2^32 - 1 transit days from then is
/// about 11.76 million years on. The refusal now says what went wrong.
#[test]
fn a_delivery_past_the_last_representable_date_is_named_as_such() {
    let net = Network::new(vec![node("FAR", "1", "0", "1", u32::MAX)], horizon()).unwrap();
    let far = net.index_of(&loc("FAR")).unwrap();
    assert_eq!(net.ship_date(far, monday_morning()), Some(d(2026, 1, 5)));
    let inv = stock(&net, &[("FAR", "X", 5)]);
    let o = order("o1", vec![line("X", 1, 100)], monday_morning(), d(2026, 1, 9));
    let outcome = Router::new(&net, inv).plan(&o).unwrap();
    assert_eq!(
        outcome.unroutable().unwrap().reason,
        UnroutableReason::NotEligible {
            line: 0,
            sku: sku("X"),
            refusals: vec![(loc("FAR"), Refusal::DeliveryOutOfRange)],
        }
    );
}

/// The same past the last date for a package rolled to a later day by
/// capacity: EDGE (UTC, a 15:00 pickup every day, one package a day,
/// 5 transit days) takes an order placed at 10:00 on 26 December 262142
/// (`NaiveDate::MAX` - 5). The first ships that day and arrives on
/// `NaiveDate::MAX` exactly; the second rolls to the 27th, and 27 + 5
/// is past the 31st. That was reported as `NoShipDay` though the 27th
/// is a listed working day; it is `DeliveryOutOfRange` now.
#[test]
fn a_rolled_package_arriving_past_the_last_date_is_named_as_such() {
    let last = NaiveDate::MAX;
    let day = |back: u64| last.checked_sub_days(chrono::Days::new(back)).unwrap();
    let mut edge =
        Node::new(loc("EDGE"), LocationKind::OwnWarehouse, chrono_tz::UTC, Currency::USD);
    let three_pm = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
    edge.cutoffs = merchantry_route::WeeklyCutoffs::from_days([Some(three_pm); 7]);
    edge.capacity.packages_per_day = Some(1);
    edge.costs.rates.insert(Zone(2), vec![RateTier { max_weight_g: 10_000, price: dec("1") }]);
    edge.transit_days.insert((Zone(2), Speed::Standard), 5);
    let net = Network::new(vec![edge], DateRange::new(day(10), day(2)).unwrap()).unwrap();
    let inv = stock(&net, &[("EDGE", "X", 5)]);
    let placed = day(5).and_hms_opt(10, 0, 0).unwrap().and_utc();
    let options = RouterOptions { capacity_roll_days: 1, ..RouterOptions::default() };
    let mut router = Router::with_scorer(&net, inv, options, StandardScorer::default());
    let first = order("o1", vec![line("X", 1, 100)], placed, last);
    let plan = routed(router.route(&first).unwrap());
    assert_eq!((plan.packages[0].ship_date, plan.expected_delivery), (day(5), last));
    let second = order("o2", vec![line("X", 1, 100)], placed, last);
    let outcome = router.plan(&second).unwrap();
    assert_eq!(cause(&outcome), Infeasibility::DeliveryOutOfRange { node: loc("EDGE") });
}

/// A plan from `net` for a one-line order of X placed at `placed`, and
/// the order.
fn plan_placed_at(net: &Network, node_id: &str, placed: DateTime<Utc>) -> (Order, Plan) {
    let inv = stock(net, &[(node_id, "X", 5)]);
    let o = order("o1", vec![line("X", 1, 100)], placed, d(2026, 1, 16));
    let plan = routed(Router::new(net, inv).plan(&o).unwrap());
    plan.check_with(&o, net).unwrap();
    (o, plan)
}

fn too_early(result: Result<(), RouteError>) -> (NaiveDate, NaiveDate) {
    match result {
        Err(RouteError::ShipDateTooEarly { ship_date, earliest, .. }) => (ship_date, earliest),
        other => panic!("expected ShipDateTooEarly, got {other:?}"),
    }
}

#[test]
fn check_with_refuses_a_ship_date_before_the_order_or_its_cutoff() {
    let net = Network::new(vec![node("NY", "1", "0", "1", 2)], horizon()).unwrap();
    // Tuesday 6 Jan, 10:00 New York (15:00 UTC): ships Tuesday.
    let (o, mut plan) = plan_placed_at(&net, "NY", utc(2026, 1, 6, 15, 0));
    assert_eq!(plan.packages[0].ship_date, d(2026, 1, 6));
    // Edited to Monday, the day before the order: refused.
    plan.packages[0].ship_date = d(2026, 1, 5);
    assert_eq!(too_early(plan.check_with(&o, &net)), (d(2026, 1, 5), d(2026, 1, 6)));
    // `check` alone cannot tell: it has no calendar.
    plan.check(&o).unwrap();

    // Monday 5 Jan, 15:01 New York (20:01 UTC): one minute past the
    // cutoff, so Tuesday; Monday, the order's own local date, is refused.
    let (o, mut plan) = plan_placed_at(&net, "NY", utc(2026, 1, 5, 20, 1));
    assert_eq!(plan.packages[0].ship_date, d(2026, 1, 6));
    plan.packages[0].ship_date = d(2026, 1, 5);
    assert_eq!(too_early(plan.check_with(&o, &net)), (d(2026, 1, 5), d(2026, 1, 6)));
    // A later working day is accepted (a capacity roll-over ships later).
    plan.packages[0].ship_date = d(2026, 1, 7);
    plan.packages[0].delivery = d(2026, 1, 9);
    plan.expected_delivery = d(2026, 1, 9);
    plan.check_with(&o, &net).unwrap();
    // Saturday is no working day at NY.
    plan.packages[0].ship_date = d(2026, 1, 10);
    plan.packages[0].delivery = d(2026, 1, 12);
    plan.expected_delivery = d(2026, 1, 12);
    assert!(matches!(plan.check_with(&o, &net), Err(RouteError::NotAShipDay { .. })));
}

#[test]
fn check_with_reads_the_order_date_in_the_nodes_time_zone() {
    // Tokyo is UTC+9: Monday 5 Jan 20:00 UTC is Tuesday 6 Jan 05:00
    // there, before Tuesday's 15:00 cutoff. The first ship day is
    // Tuesday; Monday, the order's UTC date, is before its local date.
    let mut tokyo = node("TYO", "1", "0", "1", 2);
    tokyo.tz = chrono_tz::Asia::Tokyo;
    let net = Network::new(vec![tokyo], horizon()).unwrap();
    let (o, mut plan) = plan_placed_at(&net, "TYO", utc(2026, 1, 5, 20, 0));
    assert_eq!(plan.packages[0].ship_date, d(2026, 1, 6));
    plan.packages[0].ship_date = d(2026, 1, 5);
    assert_eq!(too_early(plan.check_with(&o, &net)), (d(2026, 1, 5), d(2026, 1, 6)));
}

#[test]
fn check_with_counts_handling_days_and_names_unknown_nodes() {
    // One handling day: an order caught by Monday's cutoff leaves
    // Tuesday; Monday is inside the handling days.
    let mut slow = node("SLOW", "1", "0", "1", 2);
    slow.handling_days = 1;
    let net = Network::new(vec![slow], horizon()).unwrap();
    let (o, mut plan) = plan_placed_at(&net, "SLOW", monday_morning());
    assert_eq!(plan.packages[0].ship_date, d(2026, 1, 6));
    plan.packages[0].ship_date = d(2026, 1, 5);
    assert_eq!(too_early(plan.check_with(&o, &net)), (d(2026, 1, 5), d(2026, 1, 6)));
    // Checked against a network without the node.
    let other = Network::new(vec![node("NY", "1", "0", "1", 2)], horizon()).unwrap();
    let (_, good) = plan_placed_at(&net, "SLOW", monday_morning());
    assert!(matches!(good.check_with(&o, &other), Err(RouteError::UnknownNode { .. })));
    // An order placed outside the horizon is refused as routing refuses it.
    let short = Network::new(
        vec![node("SLOW", "1", "0", "1", 2)],
        DateRange::starting(d(2026, 2, 1), 5).unwrap(),
    )
    .unwrap();
    assert!(matches!(good.check_with(&o, &short), Err(RouteError::OutsideHorizon { .. })));
}
