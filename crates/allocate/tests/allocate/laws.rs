//! Invariant 6 of DESIGN.md as proptest laws: over random sequences of
//! every operation, units promised never exceed units that exist, each
//! channel's advertised number respects its rules, and a refused
//! operation changes nothing.

use std::collections::BTreeMap;

use chrono::{Duration, TimeZone, Utc};
use merchantry_allocate::{
    Allocator, ChannelKey, LineRequest, LineState, Link, LocationKey, Network, PoolKey,
    PublishRules, ReserveOptions, Restock, ReturnId, SkuKey, Split, StockChange,
};
use merchantry_core::{OrderId, Quantity, Ratio, Sku};
use proptest::prelude::*;

use crate::support::{chan, loc, q};

struct Fixture {
    alloc: Allocator,
    locs: Vec<LocationKey>,
    pools: Vec<PoolKey>,
    chans: Vec<ChannelKey>,
    skus: Vec<SkuKey>,
}

/// Five locations in four pools (one of two locations), one pool per
/// split; four channels with different rules linked across them; three
/// SKUs and a bundle of 2 x S0 + 1 x S1. `partitioned` replaces the
/// shared pool by a split one and drops the minimum shown, so the sum of
/// advertised numbers can be checked against free stock.
fn fixture(partitioned: bool) -> Fixture {
    let mut n = Network::builder();
    let locs: Vec<LocationKey> = (0..5).map(|i| loc(&mut n, &format!("L{i}"))).collect();
    let first = if partitioned { Split::Priority } else { Split::Shared };
    let pools = vec![
        n.pool("p0", &[locs[0], locs[1]], first).unwrap(),
        n.pool("p1", &[locs[2]], Split::Priority).unwrap(),
        n.pool("p2", &[locs[3]], Split::Shares).unwrap(),
        n.pool("p3", &[locs[4]], Split::Velocity).unwrap(),
    ];
    let mut last = PublishRules::default().with_max_shown(q(50));
    if !partitioned {
        last = last.with_min_shown(q(1));
    }
    let chans = vec![
        chan(&mut n, "c0", PublishRules::default().with_buffer(q(2)).with_percent(80)),
        chan(&mut n, "c1", PublishRules::default().with_zero_at_or_below(q(2))),
        chan(&mut n, "c2", PublishRules::default().with_max_shown(q(6))),
        chan(&mut n, "c3", last),
    ];
    let l = Link::default;
    n.link(chans[0], pools[0], l().with_claim_limit(q(4))).unwrap();
    n.link(chans[0], pools[1], l().with_priority(1).with_claim_limit(q(5))).unwrap();
    n.link(chans[1], pools[0], l().with_priority(1)).unwrap();
    n.link(chans[1], pools[2], l().with_share(2)).unwrap();
    n.link(chans[2], pools[1], l()).unwrap();
    n.link(chans[2], pools[2], l().with_priority(1)).unwrap();
    n.link(chans[2], pools[3], l()).unwrap();
    n.link(chans[3], pools[3], l().with_priority(1)).unwrap();
    n.link(chans[3], pools[0], l().with_priority(2)).unwrap();
    let mut alloc = Allocator::new(n.build().unwrap());
    let mut skus: Vec<SkuKey> =
        (0..3).map(|i| alloc.add_sku(&Sku::new(format!("S{i}")).unwrap()).unwrap()).collect();
    let (bundle, _) =
        alloc.define_bundle(&Sku::new("KIT").unwrap(), &[(skus[0], 2), (skus[1], 1)]).unwrap();
    skus.push(bundle);
    Fixture { alloc, locs, pools, chans, skus }
}

#[derive(Debug, Clone)]
enum Op {
    Reserve {
        order: u8,
        channel: usize,
        lines: Vec<(u32, usize, i64)>,
        partial: bool,
        at: Option<usize>,
        whole: bool,
        expiry: Option<i64>,
    },
    Commit {
        order: u8,
        line: u32,
        at: Option<usize>,
    },
    Release {
        order: u8,
        line: u32,
    },
    Return {
        order: u8,
        line: u32,
        units: i64,
        sellable: bool,
    },
    ReturnOnce {
        id: u8,
        order: u8,
        line: u32,
        units: i64,
        sellable: bool,
    },
    GiveUpReturns {
        order: u8,
    },
    Stock {
        sku: usize,
        loc: usize,
        kind: u8,
        units: i64,
    },
    Move {
        order: u8,
        line: u32,
        loc: usize,
    },
    Expire {
        hour: i64,
    },
    Fence {
        sku: usize,
        pool: usize,
        channel: usize,
        units: i64,
    },
    Velocity {
        sku: usize,
        channel: usize,
        per_day: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let line = (0u32..3, 0usize..4, -1i64..7);
    prop_oneof![
        4 => (
            0u8..8,
            0usize..4,
            prop::collection::vec(line, 1..4),
            any::<bool>(),
            prop::option::weighted(0.2, 0usize..5),
            any::<bool>(),
            prop::option::weighted(0.3, 0i64..8),
        )
            .prop_map(|(order, channel, lines, partial, at, whole, expiry)| Op::Reserve {
                order,
                channel,
                lines,
                partial,
                at,
                whole,
                expiry,
            }),
        2 => (0u8..8, 0u32..3, prop::option::weighted(0.3, 0usize..5))
            .prop_map(|(order, line, at)| Op::Commit { order, line, at }),
        2 => (0u8..8, 0u32..3).prop_map(|(order, line)| Op::Release { order, line }),
        1 => (0u8..8, 0u32..3, -1i64..5, any::<bool>())
            .prop_map(|(order, line, units, sellable)| Op::Return { order, line, units, sellable }),
        1 => (0u8..3, 0u8..8, 0u32..3, -1i64..5, any::<bool>()).prop_map(
            |(id, order, line, units, sellable)| Op::ReturnOnce { id, order, line, units, sellable }
        ),
        1 => (0u8..8).prop_map(|order| Op::GiveUpReturns { order }),
        3 => (0usize..4, 0usize..5, 0u8..3, -3i64..15)
            .prop_map(|(sku, loc, kind, units)| Op::Stock { sku, loc, kind, units }),
        1 => (0u8..8, 0u32..3, 0usize..5).prop_map(|(order, line, loc)| Op::Move { order, line, loc }),
        1 => (0i64..10).prop_map(|hour| Op::Expire { hour }),
        1 => (0usize..4, 0usize..4, 0usize..4, -1i64..6)
            .prop_map(|(sku, pool, channel, units)| Op::Fence { sku, pool, channel, units }),
        1 => (0usize..4, 0usize..4, 0u8..5)
            .prop_map(|(sku, channel, per_day)| Op::Velocity { sku, channel, per_day }),
    ]
}

fn order_id(n: u8) -> OrderId {
    OrderId::new(format!("O{n}")).unwrap()
}

/// Applies one operation; `Ok(true)` when it was accepted.
fn apply(f: &mut Fixture, op: &Op) -> bool {
    let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let a = &mut f.alloc;
    match op {
        Op::Reserve { order, channel, lines, partial, at, whole, expiry } => {
            let reqs: Vec<LineRequest> =
                lines.iter().map(|&(l, s, n)| LineRequest::new(l, f.skus[s], q(n))).collect();
            let mut opts =
                ReserveOptions::default().with_partial(*partial).with_whole_lines(*whole);
            if let Some(l) = at {
                opts = opts.at(f.locs[*l]);
            }
            if let Some(h) = expiry {
                opts = opts.with_expiry(t0 + Duration::hours(*h));
            }
            a.reserve(&order_id(*order), f.chans[*channel], &reqs, &opts).is_ok()
        }
        Op::Commit { order, line, at: None } => a.commit(&order_id(*order), *line).is_ok(),
        Op::Commit { order, line, at: Some(l) } => {
            a.commit_at(&order_id(*order), *line, f.locs[*l]).is_ok()
        }
        Op::Release { order, line } => a.release(&order_id(*order), *line).is_ok(),
        Op::Return { order, line, units, sellable } => {
            let r = if *sellable { Restock::Sellable } else { Restock::Unsellable };
            a.return_units(&order_id(*order), *line, q(*units), r).is_ok()
        }
        Op::ReturnOnce { id, order, line, units, sellable } => {
            let r = if *sellable { Restock::Sellable } else { Restock::Unsellable };
            let id = ReturnId::new(format!("RMA-{id}")).unwrap();
            a.return_units_once(&id, &order_id(*order), *line, q(*units), r).is_ok()
        }
        Op::GiveUpReturns { order } => {
            let o = order_id(*order);
            a.purge_shipped_if(|l| l.order == o);
            true
        }
        Op::Stock { sku, loc, kind, units } => {
            let change = match kind {
                0 => StockChange::Add(q(*units)),
                1 => StockChange::Remove(q(*units)),
                _ => StockChange::Set(q(*units)),
            };
            a.stock_change(f.skus[*sku], f.locs[*loc], change).is_ok()
        }
        Op::Move { order, line, loc } => {
            a.move_reservation(&order_id(*order), *line, f.locs[*loc]).is_ok()
        }
        Op::Expire { hour } => {
            a.expire(t0 + Duration::hours(*hour));
            true
        }
        Op::Fence { sku, pool, channel, units } => {
            a.set_ring_fence(f.skus[*sku], f.pools[*pool], f.chans[*channel], q(*units)).is_ok()
        }
        Op::Velocity { sku, channel, per_day } => a
            .set_velocity(f.skus[*sku], f.chans[*channel], Ratio::new(f64::from(*per_day)).unwrap())
            .is_ok(),
    }
}

/// Every law that must hold between operations.
fn check(f: &Fixture, partitioned: bool) -> Result<(), TestCaseError> {
    let a = &f.alloc;
    let plain = &f.skus[..3];
    // Promised never exceeds what exists, and the holds add up.
    let mut held: BTreeMap<(usize, usize), i64> = BTreeMap::new();
    for line in a.lines().filter(|l| l.state == LineState::Reserved) {
        for p in &line.pieces {
            *held.entry((p.sku.index(), p.location.index())).or_default() += p.units.get();
        }
    }
    for &s in plain {
        for &l in &f.locs {
            let on_hand = a.on_hand(s, l).unwrap().get();
            let reserved = a.reserved(s, l).unwrap().get();
            prop_assert!(0 <= reserved && reserved <= on_hand, "{s:?} {l:?}: {reserved}/{on_hand}");
            let sum = held.get(&(s.index(), l.index())).copied().unwrap_or(0);
            prop_assert_eq!(sum, reserved);
        }
    }
    // The incremental numbers equal a recompute from scratch.
    prop_assert!(a.clone().recompute_all().is_empty(), "stale advertised numbers");
    // Each channel's number respects its rules and what it could sell.
    for &c in &f.chans {
        let rules = *a.network().rules(c).unwrap();
        for &s in &f.skus {
            let shown = a.advertised(s, c).unwrap();
            prop_assert_eq!(shown, rules.apply(a.entitlement(s, c).unwrap()));
            if let Some(max) = rules.max_shown {
                prop_assert!(shown <= max);
            }
            if let Some(min) = rules.min_shown {
                prop_assert!(shown >= min);
                continue;
            }
            let can = if s == f.skus[3] {
                // Kit: 2 x S0 + 1 x S1.
                (a.sellable(plain[0], c).unwrap().get() / 2)
                    .min(a.sellable(plain[1], c).unwrap().get())
            } else {
                a.sellable(s, c).unwrap().get()
            };
            prop_assert!(shown.get() <= can, "{c:?} {s:?} shows {shown} but can sell {can}");
        }
    }
    if partitioned {
        // With every pool split, the channels' numbers for a SKU add up
        // to at most its free units: all of them can sell out at once.
        for &s in plain {
            let free: i64 = f
                .locs
                .iter()
                .map(|&l| a.on_hand(s, l).unwrap().get() - a.reserved(s, l).unwrap().get())
                .sum();
            let shown: i64 = f.chans.iter().map(|&c| a.advertised(s, c).unwrap().get()).sum();
            prop_assert!(shown <= free, "{s:?}: channels show {shown} of {free} free");
        }
    }
    Ok(())
}

fn run(ops: &[Op], partitioned: bool) -> Result<(), TestCaseError> {
    let mut f = fixture(partitioned);
    for op in ops {
        let before = f.alloc.clone();
        if !apply(&mut f, op) {
            prop_assert!(f.alloc == before, "refused {op:?} changed the state");
        }
        check(&f, partitioned)?;
    }
    // Every hold still open can ship: commit them all.
    let open: Vec<(OrderId, u32)> = f
        .alloc
        .lines()
        .filter(|l| l.state == LineState::Reserved)
        .map(|l| (l.order, l.line))
        .collect();
    for (o, l) in open {
        prop_assert!(f.alloc.commit(&o, l).is_ok());
    }
    for &s in &f.skus[..3] {
        for &l in &f.locs {
            prop_assert_eq!(f.alloc.reserved(s, l).unwrap(), Quantity::ZERO);
            prop_assert!(!f.alloc.on_hand(s, l).unwrap().is_negative());
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn promised_never_exceeds_existing_and_advertised_respects_rules(
        ops in prop::collection::vec(op(), 1..60)
    ) {
        run(&ops, false)?;
    }

    #[test]
    fn split_pools_never_advertise_more_than_is_free(
        ops in prop::collection::vec(op(), 1..60)
    ) {
        run(&ops, true)?;
    }
}

/// The law fixture is not vacuous: stock arrives, each kind of line is
/// accepted, ships and comes back, and the laws hold throughout.
#[test]
fn law_fixture_accepts_every_kind_of_operation() {
    let mut f = fixture(false);
    let ops = [
        Op::Stock { sku: 0, loc: 0, kind: 2, units: 10 },
        Op::Stock { sku: 1, loc: 1, kind: 0, units: 4 },
        Op::Reserve {
            order: 1,
            channel: 0,
            lines: vec![(0, 0, 3), (1, 3, 1)],
            partial: false,
            at: None,
            whole: false,
            expiry: Some(2),
        },
        Op::Commit { order: 1, line: 0, at: None },
        Op::Return { order: 1, line: 0, units: 2, sellable: true },
        Op::Stock { sku: 0, loc: 1, kind: 0, units: 5 },
        Op::Move { order: 1, line: 1, loc: 1 },
        Op::Fence { sku: 0, pool: 0, channel: 3, units: 2 },
        Op::Velocity { sku: 2, channel: 2, per_day: 3 },
        Op::Release { order: 1, line: 1 },
    ];
    for op in &ops {
        assert!(apply(&mut f, op), "{op:?} was refused");
        check(&f, false).unwrap();
    }
    assert!(!apply(&mut f, &Op::Release { order: 9, line: 0 }));
}

/// Hand edits of a saved state, for the snapshot law: each names what
/// it touches by small numbers, reduced modulo what exists.
#[cfg(feature = "serde")]
#[derive(Debug, Clone)]
enum Edit {
    /// Sets the `pick`-th number anywhere in the JSON to `value`.
    Leaf { pick: usize, value: i64 },
    /// `bundles[bundle] = [[component, need]]`.
    Bundle { bundle: u32, component: u32, need: i64 },
    /// `parents[sku] = list` (an empty list removes the entry).
    Parents { sku: u32, list: Vec<u32> },
    /// `flags[sku] = flags`.
    Flags { sku: usize, flags: u8 },
    /// Adds a ring fence (or replaces the SKU's fences by it).
    Fence { sku: u32, pool: u16, channel: u16, units: i64, append: bool },
    /// `velocity[sku] = [value; 4]`.
    Velocity { sku: u32, value: u64 },
}

#[cfg(feature = "serde")]
fn edit() -> impl Strategy<Value = Edit> {
    let small = prop_oneof![6 => 0i64..8, 1 => -2i64..0, 1 => any::<i64>()];
    prop_oneof![
        3 => (any::<usize>(), small.clone()).prop_map(|(pick, value)| Edit::Leaf { pick, value }),
        1 => (0u32..4, 0u32..4, -1i64..3)
            .prop_map(|(bundle, component, need)| Edit::Bundle { bundle, component, need }),
        1 => (0u32..4, prop::collection::vec(0u32..4, 0..3))
            .prop_map(|(sku, list)| Edit::Parents { sku, list }),
        1 => (0usize..4, prop_oneof![0u8..16, any::<u8>()])
            .prop_map(|(sku, flags)| Edit::Flags { sku, flags }),
        1 => (0u32..4, 0u16..4, 0u16..4, small, any::<bool>()).prop_map(
            |(sku, pool, channel, units, append)| Edit::Fence { sku, pool, channel, units, append }
        ),
        1 => (0u32..4, prop_oneof![0u64..5000, any::<u64>()])
            .prop_map(|(sku, value)| Edit::Velocity { sku, value }),
    ]
}

/// Every number in `v`, as a path of keys and indexes, in document order.
#[cfg(feature = "serde")]
fn number_paths(v: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    use serde_json::Value;
    match v {
        Value::Number(_) => out.push(at.clone()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                number_paths(item, at, out);
                at.pop();
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                at.push(k.clone());
                number_paths(item, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

#[cfg(feature = "serde")]
fn apply_edit(v: &mut serde_json::Value, e: &Edit) {
    use serde_json::json;
    match e {
        Edit::Leaf { pick, value } => {
            let mut paths = Vec::new();
            number_paths(v, &mut Vec::new(), &mut paths);
            if paths.is_empty() {
                return;
            }
            let path = &paths[pick % paths.len()];
            let pointer: String = path.iter().map(|k| format!("/{k}")).collect();
            if let Some(slot) = v.pointer_mut(&pointer) {
                *slot = json!(value);
            }
        }
        Edit::Bundle { bundle, component, need } => {
            v["bundles"][bundle.to_string()] = json!([[component, need]]);
        }
        Edit::Parents { sku, list } if list.is_empty() => {
            if let Some(map) = v["parents"].as_object_mut() {
                map.remove(&sku.to_string());
            }
        }
        Edit::Parents { sku, list } => v["parents"][sku.to_string()] = json!(list),
        Edit::Flags { sku, flags } => v["flags"][sku] = json!(flags),
        Edit::Fence { sku, pool, channel, units, append } => {
            let fence = json!({ "pool": pool, "channel": channel, "units": units });
            let slot = &mut v["fences"][sku.to_string()];
            match slot.as_array_mut() {
                Some(list) if *append => list.push(fence),
                _ => *slot = json!([fence]),
            }
        }
        Edit::Velocity { sku, value } => {
            v["velocity"][sku.to_string()] = json!([*value; 4].to_vec());
        }
    }
}

#[cfg(feature = "serde")]
proptest! {
    /// Every state the operations leave, purges of closed lines included
    /// (which free line slots for reuse), loads back as itself: the
    /// snapshot checks refuse only what no operation makes.
    #[test]
    fn every_state_the_operations_leave_loads_back_as_itself(
        ops in prop::collection::vec(op(), 1..40),
        purge_every in 1usize..5,
    ) {
        let mut f = fixture(false);
        for (i, op) in ops.iter().enumerate() {
            apply(&mut f, op);
            if i % purge_every == 0 {
                f.alloc.purge_closed();
            }
            let v = serde_json::to_value(&f.alloc).unwrap();
            let back = serde_json::from_value::<Allocator>(v);
            prop_assert!(back.as_ref().is_ok_and(|b| *b == f.alloc), "after {op:?}: {back:?}");
        }
    }

    /// Any saved state that loads is one the operations could have left:
    /// saving it again gives the same JSON, every law above holds for it,
    /// and keeps holding through further operations. A state the
    /// operations could not produce (a bundle of bundles, a stale index
    /// of the bundles built on a SKU, flags out of step, a fence on a
    /// pool its channel does not sell from, ...) is refused instead.
    #[test]
    fn a_snapshot_that_loads_behaves_like_one_the_operations_made(
        before in prop::collection::vec(op(), 0..30),
        edits in prop::collection::vec(edit(), 0..3),
        after in prop::collection::vec(op(), 1..30),
    ) {
        let mut f = fixture(false);
        for op in &before {
            apply(&mut f, op);
        }
        let mut v = serde_json::to_value(&f.alloc).unwrap();
        for e in &edits {
            apply_edit(&mut v, e);
        }
        let Ok(loaded) = serde_json::from_value::<Allocator>(v.clone()) else {
            return Ok(());
        };
        prop_assert_eq!(serde_json::to_value(&loaded).unwrap(), v, "saving again changed it");
        f.alloc = loaded;
        check(&f, false)?;
        for op in &after {
            let before = f.alloc.clone();
            if !apply(&mut f, op) {
                prop_assert!(f.alloc == before, "refused {op:?} changed the state");
            }
            check(&f, false)?;
        }
    }
}

/// Kits over the fixture's plain SKUs, for the snapshot round-trip law:
/// `(name, components)` with names K0..K3 (some added as plain SKUs up
/// front, so keys and definition order differ) and components by index
/// into S0..S2 with units per kit. Some definitions are refused (a
/// component twice, a name already a bundle): that is part of the test.
#[cfg(feature = "serde")]
type KitDefs = (Vec<usize>, Vec<(usize, Vec<(usize, u32)>)>);

#[cfg(feature = "serde")]
fn kits() -> impl Strategy<Value = KitDefs> {
    (
        prop::collection::vec(0usize..4, 0..4),
        prop::collection::vec((0usize..4, prop::collection::vec((0usize..3, 1u32..4), 1..4)), 1..6),
    )
}

#[cfg(feature = "serde")]
proptest! {
    /// Restoring a snapshot gives back the allocator saved, bundles and
    /// the order they were defined in included: equal, saving the same
    /// JSON, and answering every later operation the same way.
    #[test]
    fn restore_of_a_snapshot_equals_and_behaves_like_the_original(
        (early, defs) in kits(),
        before in prop::collection::vec(op(), 0..20),
        after in prop::collection::vec(op(), 1..20),
    ) {
        let mut f = fixture(false);
        let name = |i: usize| Sku::new(format!("K{i}")).unwrap();
        for &i in &early {
            f.alloc.add_sku(&name(i)).unwrap();
        }
        let mut defined = 0;
        for (kit, comps) in &defs {
            let comps: Vec<(SkuKey, u32)> = comps.iter().map(|&(s, n)| (f.skus[s], n)).collect();
            let was = f.alloc.clone();
            match f.alloc.define_bundle(&name(*kit), &comps) {
                Ok(_) => defined += 1,
                Err(_) => prop_assert!(f.alloc == was, "a refused definition changed the state"),
            }
        }
        for op in &before {
            apply(&mut f, op);
        }
        let v = serde_json::to_value(&f.alloc).unwrap();
        prop_assert_eq!(v["defined"].as_array().map(Vec::len), Some(defined + 1));
        let back: Allocator = serde_json::from_value(v.clone()).unwrap();
        prop_assert!(back == f.alloc, "restored differs: {back:?}");
        prop_assert_eq!(serde_json::to_value(&back).unwrap(), v);
        let mut g = Fixture {
            alloc: back,
            locs: f.locs.clone(),
            pools: f.pools.clone(),
            chans: f.chans.clone(),
            skus: f.skus.clone(),
        };
        let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        for op in &after {
            prop_assert_eq!(apply(&mut f, op), apply(&mut g, op), "{:?}", op);
            prop_assert!(f.alloc == g.alloc, "after {op:?}");
        }
        // Both still give the same advertised numbers for every SKU,
        // kits included, and expire the same lines.
        prop_assert_eq!(f.alloc.expire(t0 + Duration::hours(24)), g.alloc.expire(t0 + Duration::hours(24)));
        let names = ["S0", "S1", "S2", "KIT", "K0", "K1", "K2", "K3"];
        let keys: Vec<SkuKey> =
            names.iter().filter_map(|n| f.alloc.sku_key(&Sku::new(*n).unwrap())).collect();
        prop_assert_eq!(keys.len(), f.alloc.sku_count());
        for sku in keys {
            for &c in &f.chans {
                prop_assert_eq!(f.alloc.advertised(sku, c), g.alloc.advertised(sku, c));
            }
        }
    }
}

proptest! {
    /// Any sequence of partial returns of one shipped line (plain or a
    /// kit of 2 x S0 + 1 x S1, split across locations) restocks no
    /// location more than shipped from it, accepts exactly the returns
    /// that fit in what is left, leaves the allocator untouched when it
    /// refuses one, and ends with on hand = initial - shipped + sellable
    /// units returned, for every SKU and location.
    #[test]
    fn partial_returns_never_restock_more_than_shipped(
        stock in prop::collection::vec(0i64..6, 10),
        kit in any::<bool>(),
        wanted in 1i64..8,
        returns in prop::collection::vec((-1i64..5, any::<bool>()), 0..12),
    ) {
        let mut f = fixture(false);
        // c3 sells from p3 (L4) and p0 (L0, L1): stock S0 and S1 there.
        let (s0, s1) = (f.skus[0], f.skus[1]);
        let places = [f.locs[0], f.locs[1], f.locs[4]];
        for (i, &units) in stock.iter().take(6).enumerate() {
            let sku = if i % 2 == 0 { s0 } else { s1 };
            f.alloc.stock_change(sku, places[i / 2], StockChange::Set(q(units))).unwrap();
        }
        let sku = if kit { f.skus[3] } else { s0 };
        let o = OrderId::new("R").unwrap();
        let line = [LineRequest::new(1, sku, q(wanted))];
        let reserved = f.alloc.reserve(&o, f.chans[3], &line, &ReserveOptions::default());
        prop_assume!(reserved.is_ok(), "not enough stock for the line");
        let pieces = f.alloc.line(&o, 1).unwrap().pieces;
        f.alloc.commit(&o, 1).unwrap();
        let cells: Vec<(SkuKey, LocationKey)> =
            [s0, s1].iter().flat_map(|&s| places.iter().map(move |&l| (s, l))).collect();
        let level = |a: &Allocator, (s, l): (SkuKey, LocationKey)| a.on_hand(s, l).unwrap().get();
        let after_ship: Vec<i64> = cells.iter().map(|&c| level(&f.alloc, c)).collect();
        let shipped_at = |c: (SkuKey, LocationKey)| -> i64 {
            pieces.iter().filter(|p| (p.sku, p.location) == c).map(|p| p.units.get()).sum()
        };
        let per_unit: Vec<(SkuKey, i64)> = if kit { vec![(s0, 2), (s1, 1)] } else { vec![(s0, 1)] };
        let (mut back, mut sellable_back) = (0i64, 0i64);
        for &(units, sellable) in &returns {
            let restock = if sellable { Restock::Sellable } else { Restock::Unsellable };
            let was = f.alloc.clone();
            let fits = units >= 1 && units <= wanted - back;
            match f.alloc.return_units(&o, 1, q(units), restock) {
                Ok(_) => {
                    prop_assert!(fits, "took {units} with {back} of {wanted} back");
                    back += units;
                    if sellable {
                        sellable_back += units;
                    }
                }
                Err(e) => {
                    prop_assert!(!fits, "refused {units} with {back} of {wanted} back: {e}");
                    prop_assert!(f.alloc == was, "a refused return changed the state");
                }
            }
            prop_assert_eq!(f.alloc.line(&o, 1).unwrap().returned, q(back));
            for (i, &c) in cells.iter().enumerate() {
                let restocked = level(&f.alloc, c) - after_ship[i];
                prop_assert!((0..=shipped_at(c)).contains(&restocked), "{c:?} got {restocked}");
            }
            // Per SKU: initial - shipped + sellable returned (times the
            // units per bundle), summed over locations.
            for &(s, need) in &per_unit {
                let initial: i64 = stock
                    .iter()
                    .take(6)
                    .enumerate()
                    .filter(|(i, _)| (if i % 2 == 0 { s0 } else { s1 }) == s)
                    .map(|(_, &u)| u)
                    .sum();
                let now: i64 = places.iter().map(|&l| level(&f.alloc, (s, l))).sum();
                prop_assert_eq!(now, initial - wanted * need + sellable_back * need);
            }
        }
    }
}

proptest! {
    /// A return report read any number of times, in any order, restocks
    /// as its returns applied once each: a model that applies each id's
    /// first accepted return through `return_units` ends with the same
    /// stock and lines; a repeat with the same content is a duplicate
    /// that changes nothing, one with other content a conflict naming
    /// what was recorded, and a refused return records no id.
    #[test]
    fn a_return_report_read_again_restocks_as_once(
        report in prop::collection::vec((0u8..4, 0u8..3, 1i64..4, any::<bool>()), 1..6),
        reads in prop::collection::vec(0usize..6, 1..20),
    ) {
        let mut f = fixture(false);
        let s0 = f.skus[0];
        f.alloc.stock_change(s0, f.locs[0], StockChange::Set(q(30))).unwrap();
        let opts = ReserveOptions::default().at(f.locs[0]);
        for o in 0..3 {
            let line = [LineRequest::new(1, s0, q(5))];
            f.alloc.reserve(&order_id(o), f.chans[3], &line, &opts).unwrap();
            f.alloc.commit(&order_id(o), 1).unwrap();
        }
        let mut model = f.alloc.clone();
        let mut recorded: BTreeMap<u8, (u8, i64, bool)> = BTreeMap::new();
        for &i in &reads {
            let (id, o, units, sellable) = report[i % report.len()];
            let restock = if sellable { Restock::Sellable } else { Restock::Unsellable };
            let rid = ReturnId::new(format!("RMA-{id}")).unwrap();
            let was = f.alloc.clone();
            let got = f.alloc.return_units_once(&rid, &order_id(o), 1, q(units), restock);
            match recorded.get(&id) {
                Some(&first) if first == (o, units, sellable) => {
                    prop_assert!(got.is_ok_and(|d| d.duplicate && d.changes.is_empty()));
                    prop_assert!(f.alloc == was, "a duplicate changed the state");
                }
                Some(&(fo, fu, fs)) => {
                    let ok = matches!(
                        got,
                        Err(merchantry_allocate::AllocError::ReturnIdConflict {
                            ref order, units: u, restock: r, ..
                        }) if *order == order_id(fo) && u == fu && (r == Restock::Sellable) == fs
                    );
                    prop_assert!(ok, "reuse of {id} was not a conflict");
                    prop_assert!(f.alloc == was, "a conflict changed the state");
                }
                None => {
                    let want = model.return_units(&order_id(o), 1, q(units), restock);
                    prop_assert_eq!(got.is_ok(), want.is_ok());
                    match got {
                        Ok(d) => {
                            prop_assert!(!d.duplicate);
                            prop_assert_eq!(Ok(d.changes), want);
                            recorded.insert(id, (o, units, sellable));
                        }
                        Err(_) => prop_assert!(f.alloc == was, "a refused return changed the state"),
                    }
                }
            }
            prop_assert!(f.alloc.lines().eq(model.lines()));
            for &l in &f.locs {
                prop_assert_eq!(f.alloc.on_hand(s0, l).unwrap(), model.on_hand(s0, l).unwrap());
            }
        }
    }
}
