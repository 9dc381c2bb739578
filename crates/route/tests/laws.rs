//! Invariant 7 of the design as proptest laws: routing never assigns
//! stock or capacity a node lacks, and a plan's cost is the sum of its
//! parts. Plus determinism (invariant 8).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use merchantry_core::{
    ChannelId, Currency, DateRange, LocationId, LocationKind, OrderId, Quantity, Sku,
};
use merchantry_route::{
    Inventory, Network, Node, NodeIndex, Order, OrderLine, Outcome, Plan, RateTier, Router,
    RouterOptions, Scorer, Speed, StandardScorer, Zone,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

const SKUS: [&str; 3] = ["A", "B", "C"];
const ZONES: [Zone; 2] = [Zone(1), Zone(5)];

#[derive(Debug, Clone)]
struct NodeSpec {
    tz: usize,
    fee_cents: i64,
    unit_cents: i64,
    postage_cents: [i64; 2],
    tier_g: u64,
    transit: u32,
    handling: u32,
    packages_cap: Option<u32>,
    units_cap: Option<u64>,
    hazmat: bool,
    stock: [i64; 3],
}

#[derive(Debug, Clone)]
struct OrderSpec {
    lines: Vec<(usize, i64, u64, bool)>,
    zone: usize,
    minute: i64,
    promise_days: i64,
}

fn node_spec() -> impl Strategy<Value = NodeSpec> {
    (
        (0usize..3, 0i64..500, 0i64..200, [0i64..900, 0i64..900], 200u64..3000, 1u32..5, 0u32..2),
        (
            proptest::option::of(0u32..4),
            proptest::option::of(0u64..12),
            any::<bool>(),
            [0i64..6, 0i64..6, 0i64..6],
        ),
    )
        .prop_map(
            |((tz, fee, unit, postage, tier, transit, handling), (pc, uc, hazmat, stock))| {
                NodeSpec {
                    tz,
                    fee_cents: fee,
                    unit_cents: unit,
                    postage_cents: postage,
                    tier_g: tier,
                    transit,
                    handling,
                    packages_cap: pc,
                    units_cap: uc,
                    hazmat,
                    stock,
                }
            },
        )
}

fn order_spec() -> impl Strategy<Value = OrderSpec> {
    orders_of(1..4, 1..4, 50..1500, 0.15)
}

/// Orders of `lines` lines, each of `units` units weighing `grams` a
/// unit, hazmat with probability `hazmat`.
fn orders_of(
    lines: std::ops::Range<usize>,
    units: std::ops::Range<i64>,
    grams: std::ops::Range<u64>,
    hazmat: f64,
) -> impl Strategy<Value = OrderSpec> {
    (
        proptest::collection::vec(
            (0usize..3, units, grams, proptest::bool::weighted(hazmat)),
            lines,
        ),
        0usize..2,
        0i64..(7 * 24 * 60),
        0i64..7,
    )
        .prop_map(|(lines, zone, minute, promise_days)| OrderSpec {
            lines,
            zone,
            minute,
            promise_days,
        })
}

/// The best key over every assignment of `order`'s lines to `all` nodes
/// (the brute force the searches are checked against), `None` when no
/// assignment routes.
fn brute_best<S: Scorer, K: PartialOrd>(
    router: &Router<'_, S>,
    order: &Order,
    all: &[NodeIndex],
    key: impl Fn(&Plan, NaiveDate) -> K,
) -> Option<K> {
    let (n, lines) = (all.len(), order.lines.len());
    let mut best = None;
    for code in 0..n.pow(u32::try_from(lines).unwrap()) {
        let assign: Vec<_> =
            (0..lines).map(|k| all[code / n.pow(u32::try_from(k).unwrap()) % n]).collect();
        if let Outcome::Routed(p) = router.evaluate(order, &assign).unwrap() {
            // Every plan a router makes, searched or priced as assigned,
            // passes the check against its order.
            assert_eq!(p.check(order), Ok(()), "{p:?}");
            let k = key(&p, order.promised_by);
            if best.as_ref().is_none_or(|b| k < *b) {
                best = Some(k);
            }
        }
    }
    best
}

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

fn build(nodes: &[NodeSpec], orders: &[OrderSpec]) -> (Network, Inventory, Vec<Order>) {
    let zones = [chrono_tz::America::New_York, chrono_tz::Europe::London, chrono_tz::Asia::Tokyo];
    let built: Vec<Node> = nodes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut n = Node::new(
                LocationId::new(format!("N{i}")).unwrap(),
                LocationKind::ThirdPartyLogistics,
                zones[s.tz],
                Currency::USD,
            );
            n.costs.per_package = cents(s.fee_cents);
            n.costs.per_unit = cents(s.unit_cents);
            for (k, zone) in ZONES.iter().enumerate() {
                let tiers = vec![
                    RateTier { max_weight_g: s.tier_g, price: cents(s.postage_cents[k]) },
                    RateTier { max_weight_g: s.tier_g * 3, price: cents(s.postage_cents[k] * 2) },
                ];
                n.costs.rates.insert(*zone, tiers);
                n.transit_days
                    .insert((*zone, Speed::Standard), s.transit + u32::try_from(k).unwrap());
            }
            n.handling_days = s.handling;
            n.capacity.packages_per_day = s.packages_cap;
            n.capacity.units_per_day = s.units_cap;
            n.eligibility.hazmat = s.hazmat;
            n
        })
        .collect();
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let net = Network::new(built, DateRange::starting(start, 14).unwrap()).unwrap();
    let mut inv = Inventory::new(&net);
    for (idx, s) in net.indices().zip(nodes) {
        for (k, sku) in SKUS.iter().enumerate() {
            inv.set(&Sku::new(*sku).unwrap(), idx, Quantity::new(s.stock[k]));
        }
    }
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 0, 0, 0).unwrap();
    let orders = orders
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let placed = t0 + Duration::minutes(o.minute);
            Order {
                id: OrderId::new(format!("o{i}")).unwrap(),
                lines: o
                    .lines
                    .iter()
                    .map(|&(s, q, g, hazmat)| {
                        let mut l = OrderLine::new(Sku::new(SKUS[s]).unwrap(), Quantity::new(q));
                        l.unit_weight_g = g;
                        l.hazmat = hazmat;
                        l.unit_value = Decimal::from(10 * q);
                        l
                    })
                    .collect(),
                zone: ZONES[o.zone],
                market: None,
                placed_at: placed,
                promised_by: placed.date_naive() + Duration::days(o.promise_days),
                speed: Speed::Standard,
                channel: ChannelId::new("web").unwrap(),
            }
        })
        .collect();
    (net, inv, orders)
}

fn options() -> impl Strategy<Value = RouterOptions> {
    (proptest::option::of(0i64..40), 0u64..64, 0u32..3).prop_map(|(min, exact, roll)| {
        RouterOptions {
            min_package_value: min.map(Decimal::from),
            exact_limit: exact,
            capacity_roll_days: roll,
            allow_late: true,
        }
    })
}

proptest! {
    #[test]
    fn routing_never_assigns_stock_or_capacity_a_node_lacks(
        nodes in proptest::collection::vec(node_spec(), 1..5),
        orders in proptest::collection::vec(order_spec(), 1..16),
        options in options(),
        packages_first in any::<bool>(),
    ) {
        let (net, inv, orders) = build(&nodes, &orders);
        let scorer = StandardScorer { packages_first, ..StandardScorer::default() };
        let mut router = Router::with_scorer(&net, inv.clone(), options, scorer);
        let outcomes = router.route_batch(&orders).unwrap();

        let mut taken: BTreeMap<(Sku, usize), i64> = BTreeMap::new();
        let mut load: BTreeMap<(usize, NaiveDate), (u32, u64)> = BTreeMap::new();
        for (order, outcome) in orders.iter().zip(&outcomes) {
            let Outcome::Routed(plan) = outcome else { continue };
            // Ship dates follow the calendars and the order time, capacity
            // roll-over included.
            prop_assert_eq!(plan.check_with(order, &net), Ok(()));
            let mut lines_seen = vec![0; order.lines.len()];
            for pkg in &plan.packages {
                let node = &net.nodes()[pkg.node_index.get()];
                prop_assert_eq!(&node.id, &pkg.node);
                let slot = load.entry((pkg.node_index.get(), pkg.ship_date)).or_default();
                slot.0 += 1;
                slot.1 += pkg.units;
                for l in &pkg.lines {
                    lines_seen[l.line] += 1;
                    let line = &order.lines[l.line];
                    prop_assert!(!line.hazmat || node.eligibility.hazmat, "hazmat line at {}", node.id);
                    *taken.entry((l.sku.clone(), pkg.node_index.get())).or_default() += l.quantity.get();
                }
            }
            prop_assert!(lines_seen.iter().all(|&n| n == 1), "every line exactly once: {lines_seen:?}");
        }
        for ((sku, node), units) in &taken {
            let idx = net.indices().nth(*node).unwrap();
            let had = inv.get(sku, idx).get();
            prop_assert!(*units <= had, "{units} of {sku} taken at node {node}, which had {had}");
            prop_assert_eq!(router.inventory().get(sku, idx).get(), had - units);
        }
        for ((node, day), (packages, units)) in &load {
            let cap = net.nodes()[*node].capacity;
            prop_assert!(cap.packages_per_day.is_none_or(|c| *packages <= c), "{packages} packages on {day}");
            prop_assert!(cap.units_per_day.is_none_or(|c| *units <= c), "{units} units on {day}");
            let idx = net.indices().nth(*node).unwrap();
            prop_assert_eq!(router.used_capacity(idx, *day), (*packages, *units));
        }
    }

    #[test]
    fn a_plan_cost_is_the_sum_of_its_parts(
        nodes in proptest::collection::vec(node_spec(), 1..5),
        orders in proptest::collection::vec(order_spec(), 1..10),
    ) {
        let (net, inv, orders) = build(&nodes, &orders);
        let mut router = Router::new(&net, inv);
        for (order, outcome) in orders.iter().zip(router.route_batch(&orders).unwrap()) {
            let Outcome::Routed(plan) = outcome else { continue };
            let mut sum = merchantry_route::CostBreakdown::default();
            for pkg in &plan.packages {
                let node = &net.nodes()[pkg.node_index.get()];
                // Each part re-derived from the node's tariff.
                prop_assert_eq!(pkg.cost.handling, node.costs.per_package);
                prop_assert_eq!(pkg.cost.units, node.costs.per_unit * Decimal::from(pkg.units));
                prop_assert_eq!(Some(pkg.cost.postage), node.costs.postage(order.zone, pkg.weight_g));
                let weight: u64 = pkg.lines.iter()
                    .map(|l| order.lines[l.line].unit_weight_g * l.quantity.get().unsigned_abs())
                    .sum();
                prop_assert_eq!(weight, pkg.weight_g);
                sum = sum.checked_add(&pkg.cost).unwrap();
            }
            prop_assert_eq!(sum, plan.cost);
            let parts = plan.cost.handling + plan.cost.units + plan.cost.postage;
            prop_assert_eq!(plan.cost.total(), Some(parts));
            let latest = plan.packages.iter().map(|p| p.delivery).max().unwrap();
            prop_assert_eq!(plan.expected_delivery, latest);
            prop_assert_eq!(plan.late, latest > order.promised_by);
            // Every plan a router makes passes the check against its order,
            // and against its order and network.
            prop_assert_eq!(plan.check(order), Ok(()));
            prop_assert_eq!(plan.check_with(order, &net), Ok(()));
        }
    }

    #[test]
    fn the_same_input_routes_the_same_way(
        nodes in proptest::collection::vec(node_spec(), 1..5),
        orders in proptest::collection::vec(order_spec(), 1..12),
    ) {
        let (net, inv, orders) = build(&nodes, &orders);
        let first = Router::new(&net, inv.clone()).route_batch(&orders).unwrap();
        let again = Router::new(&net, inv).route_batch(&orders).unwrap();
        prop_assert_eq!(first, again);
    }

    #[test]
    fn the_exact_search_finds_the_best_plan_by_enumeration(
        nodes in proptest::collection::vec(node_spec(), 1..5),
        orders in proptest::collection::vec(order_spec(), 1..4),
        roll in 0u32..2,
    ) {
        let (net, inv, orders) = build(&nodes, &orders);
        let options = RouterOptions { capacity_roll_days: roll, ..RouterOptions::default() };
        let mut router = Router::with_scorer(&net, inv, options, StandardScorer::default());
        let key = |p: &Plan, promised: NaiveDate| {
            let late = (p.expected_delivery - promised).num_days().max(0);
            (late, p.package_count(), p.cost.total().unwrap())
        };
        let all: Vec<_> = net.indices().collect();
        for order in &orders {
            let best = brute_best(&router, order, &all, key);
            // Route (and commit) so later orders meet used stock and capacity.
            let got = router.route(order).unwrap();
            prop_assert_eq!(got.plan().map(|p| key(p, order.promised_by)), best);
            prop_assert!(got.plan().is_none_or(Plan::is_proven_best), "{got:?}");
        }
    }

    #[test]
    fn the_bounded_search_is_exact_within_its_budget(
        nodes in proptest::collection::vec(node_spec(), 1..5),
        orders in proptest::collection::vec(order_spec(), 1..4),
        roll in 0u32..2,
        min in proptest::option::of(0i64..40),
        packages_first in any::<bool>(),
    ) {
        bounded_matches_enumeration(&nodes, &orders, roll, min, packages_first)?;
    }

    #[test]
    fn a_batch_equals_routing_one_by_one_in_its_order(
        nodes in proptest::collection::vec(node_spec(), 1..5),
        orders in proptest::collection::vec(order_spec(), 1..16),
        options in options(),
    ) {
        let (net, inv, orders) = build(&nodes, &orders);
        let mut batch = Router::with_scorer(&net, inv.clone(), options.clone(), StandardScorer::default());
        let sequence = batch.batch_order(&orders).unwrap();
        let together = batch.route_batch(&orders).unwrap();
        let mut single = Router::with_scorer(&net, inv, options, StandardScorer::default());
        let mut one_by_one = vec![None; orders.len()];
        for i in sequence {
            one_by_one[i] = Some(single.route(&orders[i]).unwrap());
        }
        let one_by_one: Vec<Outcome> = one_by_one.into_iter().map(Option::unwrap).collect();
        prop_assert_eq!(together, one_by_one);
        prop_assert_eq!(batch.inventory(), single.inventory());
    }
}

/// Routes `orders` one by one with `exact_limit` 0, which sends every
/// order with two or more lines to the bounded search, and checks each
/// against brute-force enumeration through `Router::evaluate`. These
/// orders are far inside the walk's step budget, so it must find what
/// enumeration finds, infeasible or not.
fn bounded_matches_enumeration(
    nodes: &[NodeSpec],
    orders: &[OrderSpec],
    roll: u32,
    min: Option<i64>,
    packages_first: bool,
) -> Result<(), TestCaseError> {
    let (net, inv, orders) = build(nodes, orders);
    let options = RouterOptions {
        min_package_value: min.map(Decimal::from),
        exact_limit: 0,
        capacity_roll_days: roll,
        allow_late: true,
    };
    let scorer = StandardScorer { packages_first, ..StandardScorer::default() };
    let mut router = Router::with_scorer(&net, inv, options, scorer);
    let key = |p: &Plan, promised: NaiveDate| {
        let late = (p.expected_delivery - promised).num_days().max(0);
        let (n, cost) = (p.package_count(), p.cost.total().unwrap());
        if packages_first { (late, n, cost, 0) } else { (late, 0, cost, n) }
    };
    let all: Vec<_> = net.indices().collect();
    for order in &orders {
        let best = brute_best(&router, order, &all, key);
        let got = router.route(order).unwrap();
        prop_assert_eq!(got.plan().map(|p| key(p, order.promised_by)), best);
        // Within its budget the walk is exact, and the plan says so.
        prop_assert!(got.plan().is_none_or(Plan::is_proven_best), "{got:?}");
    }
    Ok(())
}

/// Nodes with the stock and top tiers that long orders need to be
/// workable often enough to test something.
fn long_node_spec() -> impl Strategy<Value = NodeSpec> {
    node_spec().prop_map(|mut n| {
        n.stock = n.stock.map(|q| q + 4);
        n.tier_g *= 2;
        n.units_cap = n.units_cap.map(|c| c + 6);
        n
    })
}

/// Orders of 9 or 10 lines (past the 8-line package memo, so the bounded
/// search keeps its own) over one or two nodes: at most 1,024
/// assignments each to enumerate.
fn long_order_spec() -> impl Strategy<Value = OrderSpec> {
    orders_of(9..11, 1..3, 50..400, 0.05)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn the_bounded_search_is_exact_on_long_orders_within_its_budget(
        nodes in proptest::collection::vec(long_node_spec(), 1..3),
        orders in proptest::collection::vec(long_order_spec(), 1..3),
        roll in 0u32..2,
        min in proptest::option::of(0i64..60),
        packages_first in any::<bool>(),
    ) {
        bounded_matches_enumeration(&nodes, &orders, roll, min, packages_first)?;
    }
}
