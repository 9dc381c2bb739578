//! Hostile use of the allocator: quantities at the edges of the 64-bit
//! range, repeated and reused ids, operations in odd orders, and every
//! refusal. Each refusal must be a typed error naming what was wrong and
//! must leave the allocator equal to a clone taken before the call; no
//! sequence of operations may promise more units than exist.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{TimeZone, Utc};
use merchantry_allocate::{
    AllocError, Allocator, ChannelKey, LineRequest, LineState, Link, LocationKey, Network, PoolKey,
    PublishRules, ReserveOptions, Restock, ReturnId, SkuKey, Split, StockChange,
};
use merchantry_core::{ChannelId, LocationId, OrderId, Quantity, Sku};
use proptest::prelude::*;

fn q(n: i64) -> Quantity {
    Quantity::new(n)
}

fn oid(s: &str) -> OrderId {
    OrderId::new(s).unwrap()
}

/// Two warehouses in one shared pool, sold by `web` and `ebay`; an FBA
/// location in its own pool sold by `fba` only.
struct Shop {
    alloc: Allocator,
    wh1: LocationKey,
    wh2: LocationKey,
    fba_loc: LocationKey,
    own: PoolKey,
    web: ChannelKey,
    ebay: ChannelKey,
    fba: ChannelKey,
    mug: SkuKey,
}

fn shop() -> Shop {
    let mut b = Network::builder();
    let wh1 = b.location(LocationId::new("WH-1").unwrap()).unwrap();
    let wh2 = b.location(LocationId::new("WH-2").unwrap()).unwrap();
    let fba_loc = b.location(LocationId::new("FBA").unwrap()).unwrap();
    let own = b.pool("own", &[wh1, wh2], Split::Shared).unwrap();
    let amazon = b.pool("amazon", &[fba_loc], Split::Shared).unwrap();
    let web = b.channel(ChannelId::new("web").unwrap(), PublishRules::default()).unwrap();
    let ebay = b.channel(ChannelId::new("ebay").unwrap(), PublishRules::default()).unwrap();
    let fba = b.channel(ChannelId::new("fba").unwrap(), PublishRules::default()).unwrap();
    b.link(web, own, Link::default()).unwrap();
    b.link(ebay, own, Link::default()).unwrap();
    b.link(fba, amazon, Link::default()).unwrap();
    let mut alloc = Allocator::new(b.build().unwrap());
    let mug = alloc.add_sku(&Sku::new("MUG").unwrap()).unwrap();
    Shop { alloc, wh1, wh2, fba_loc, own, web, ebay, fba, mug }
}

fn one(line: u32, sku: SkuKey, n: i64) -> [LineRequest; 1] {
    [LineRequest::new(line, sku, q(n))]
}

fn any_opts() -> ReserveOptions {
    ReserveOptions::default()
}

/// Runs `op`, which must fail, and checks the allocator is unchanged.
fn refused<T: std::fmt::Debug>(
    alloc: &mut Allocator,
    op: impl FnOnce(&mut Allocator) -> merchantry_allocate::Result<T>,
) -> AllocError {
    let before = alloc.clone();
    let err = op(alloc).expect_err("the call should be refused");
    assert_eq!(*alloc, before, "a refused call changed the allocator: {err}");
    err
}

#[test]
fn the_readme_example_holds() {
    let mut s = shop();
    s.alloc.stock_change(s.mug, s.wh1, StockChange::Add(q(10))).unwrap();
    let done = s.alloc.reserve(&oid("W-1"), s.web, &one(1, s.mug, 4), &any_opts()).unwrap();
    assert_eq!(done.changes.get(s.mug, s.web), Some(q(6)));
    // The shared pool shows eBay the same six; FBA never had any.
    assert_eq!(done.changes.get(s.mug, s.ebay), Some(q(6)));
    assert_eq!(done.changes.get(s.mug, s.fba), None);
}

#[test]
fn quantities_below_one_are_refused_by_name() {
    let mut s = shop();
    s.alloc.stock_change(s.mug, s.wh1, StockChange::Add(q(5))).unwrap();
    for bad in [0, -1, i64::MIN] {
        let (mug, web) = (s.mug, s.web);
        let e =
            refused(&mut s.alloc, |a| a.reserve(&oid("O"), web, &one(1, mug, bad), &any_opts()));
        match e {
            AllocError::BadQuantity { value, sku, rule, .. } => {
                assert_eq!(value, bad);
                assert_eq!(sku.as_str(), "MUG");
                assert_eq!(rule, "positive");
            }
            other => panic!("expected BadQuantity, got {other:?}"),
        }
    }
    // A negative add or remove names the amount; a remove past zero
    // names the level it would leave.
    let (mug, wh1) = (s.mug, s.wh1);
    let e = refused(&mut s.alloc, |a| a.stock_change(mug, wh1, StockChange::Add(q(-3))));
    assert!(matches!(e, AllocError::BadQuantity { value: -3, .. }), "{e:?}");
    let e = refused(&mut s.alloc, |a| a.stock_change(mug, wh1, StockChange::Remove(q(6))));
    assert!(matches!(e, AllocError::BadQuantity { value: -1, what: "stock level", .. }), "{e:?}");
    let e = refused(&mut s.alloc, |a| a.stock_change(mug, wh1, StockChange::Set(q(i64::MIN))));
    assert!(matches!(e, AllocError::BadQuantity { value: i64::MIN, .. }), "{e:?}");
}

#[test]
fn an_empty_order_is_refused() {
    let mut s = shop();
    let web = s.web;
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("EMPTY"), web, &[], &any_opts()));
    assert!(matches!(e, AllocError::NoLines { ref order } if order.as_str() == "EMPTY"));
    // Also with `partial`: an empty order is not "nothing refused".
    let partial = any_opts().with_partial(true);
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("EMPTY"), web, &[], &partial));
    assert!(matches!(e, AllocError::NoLines { .. }));
}

#[test]
fn stock_near_the_64_bit_limit_never_wraps() {
    let mut s = shop();
    let (mug, wh1, wh2, web) = (s.mug, s.wh1, s.wh2, s.web);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(i64::MAX))).unwrap();
    s.alloc.stock_change(mug, wh2, StockChange::Set(q(i64::MAX))).unwrap();
    // The pool holds 2 * i64::MAX; figures saturate, they do not wrap.
    assert_eq!(s.alloc.advertised(mug, web).unwrap(), q(i64::MAX));
    assert_eq!(s.alloc.sellable(mug, web).unwrap(), q(i64::MAX));
    let e = refused(&mut s.alloc, |a| a.stock_change(mug, wh1, StockChange::Add(q(1))));
    assert!(matches!(e, AllocError::Overflow { ref sku } if sku.as_str() == "MUG"));

    // Two lines of i64::MAX each exist physically (one per warehouse),
    // but their sum passes the range: an overflow naming the SKU, not a
    // saturated "requested" figure.
    let lines = [LineRequest::new(1, mug, q(i64::MAX)), LineRequest::new(2, mug, q(i64::MAX))];
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("BIG"), web, &lines, &any_opts()));
    assert!(matches!(e, AllocError::Overflow { ref sku } if sku.as_str() == "MUG"), "{e:?}");

    // One at a time they fit, each whole at one warehouse.
    s.alloc.reserve(&oid("B1"), web, &one(1, mug, i64::MAX), &any_opts()).unwrap();
    s.alloc.reserve(&oid("B2"), web, &one(1, mug, i64::MAX), &any_opts()).unwrap();
    assert_eq!(s.alloc.reserved(mug, wh1).unwrap(), q(i64::MAX));
    assert_eq!(s.alloc.reserved(mug, wh2).unwrap(), q(i64::MAX));
    assert_eq!(s.alloc.advertised(mug, web).unwrap(), Quantity::ZERO);
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("B3"), web, &one(1, mug, 1), &any_opts()));
    assert!(matches!(e, AllocError::Insufficient { requested: 1, available: 0, .. }));
    // Shipping both leaves zero, not a wrapped figure.
    s.alloc.commit(&oid("B1"), 1).unwrap();
    s.alloc.commit(&oid("B2"), 1).unwrap();
    assert_eq!(s.alloc.on_hand(mug, wh1).unwrap(), Quantity::ZERO);
    assert_eq!(s.alloc.on_hand(mug, wh2).unwrap(), Quantity::ZERO);
}

#[test]
fn a_return_that_would_pass_the_range_is_refused_and_records_nothing() {
    let mut s = shop();
    let (mug, wh1, web) = (s.mug, s.wh1, s.web);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(5))).unwrap();
    s.alloc.reserve(&oid("R"), web, &one(1, mug, 5), &any_opts()).unwrap();
    s.alloc.commit(&oid("R"), 1).unwrap();
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(i64::MAX - 2))).unwrap();
    let rma = ReturnId::new("RMA-1").unwrap();
    let e =
        refused(&mut s.alloc, |a| a.return_units_once(&rma, &oid("R"), 1, q(3), Restock::Sellable));
    match e {
        AllocError::ReturnOverflow { units, location, sku, .. } => {
            assert_eq!(units, 3);
            assert_eq!(location.as_str(), "WH-1");
            assert_eq!(sku.as_str(), "MUG");
        }
        other => panic!("expected ReturnOverflow, got {other:?}"),
    }
    // Two units fit exactly; the refused id was not recorded, so it can
    // be used for them.
    let out = s.alloc.return_units_once(&rma, &oid("R"), 1, q(2), Restock::Sellable).unwrap();
    assert!(!out.duplicate);
    assert_eq!(s.alloc.on_hand(mug, wh1).unwrap(), q(i64::MAX));
    // Unsellable units restock nothing, so they cannot overflow.
    s.alloc.return_units(&oid("R"), 1, q(3), Restock::Unsellable).unwrap();
    assert_eq!(s.alloc.line(&oid("R"), 1).unwrap().returned, q(5));
}

#[test]
fn bundle_units_past_the_range_are_an_overflow_even_when_partial() {
    let mut s = shop();
    let (mug, web) = (s.mug, s.web);
    let (kit, _) = s.alloc.define_bundle(&Sku::new("KIT").unwrap(), &[(mug, u32::MAX)]).unwrap();
    s.alloc.stock_change(mug, s.wh1, StockChange::Set(q(100))).unwrap();
    let huge = i64::MAX / 2;
    for opts in [any_opts(), any_opts().with_partial(true)] {
        let lines = [LineRequest::new(1, mug, q(1)), LineRequest::new(2, kit, q(huge))];
        let e = refused(&mut s.alloc, |a| a.reserve(&oid("K"), web, &lines, &opts));
        assert!(matches!(e, AllocError::Overflow { ref sku } if sku.as_str() == "MUG"), "{e:?}");
    }
    // A kit line that fits is served: 100 units make no kit of 2^32 - 1.
    assert_eq!(s.alloc.advertised(kit, web).unwrap(), Quantity::ZERO);
}

#[test]
fn repeated_line_numbers_are_refused_in_and_across_requests() {
    let mut s = shop();
    let (mug, web, ebay) = (s.mug, s.web, s.ebay);
    s.alloc.stock_change(mug, s.wh1, StockChange::Set(q(10))).unwrap();
    let twice = [LineRequest::new(7, mug, q(1)), LineRequest::new(7, mug, q(1))];
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("D"), web, &twice, &any_opts()));
    assert!(matches!(e, AllocError::RepeatedLine { line: 7, .. }));
    s.alloc.reserve(&oid("D"), web, &one(7, mug, 1), &any_opts()).unwrap();
    // The same order and line from another channel is still the same
    // line: refused, not a second reservation.
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("D"), ebay, &one(7, mug, 1), &any_opts()));
    assert!(matches!(e, AllocError::DuplicateLine { line: 7, .. }));
    // A request whose second line is the duplicate takes nothing for the
    // first either.
    let mixed = [LineRequest::new(1, mug, q(1)), LineRequest::new(7, mug, q(1))];
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("D"), web, &mixed, &any_opts()));
    assert!(matches!(e, AllocError::DuplicateLine { line: 7, .. }));
    assert_eq!(s.alloc.reserved(mug, s.wh1).unwrap(), q(1));
}

#[test]
fn operations_in_odd_orders_are_refused_or_ignored_as_documented() {
    let mut s = shop();
    let (mug, web) = (s.mug, s.web);
    s.alloc.stock_change(mug, s.wh1, StockChange::Set(q(10))).unwrap();
    let o = oid("ODD");
    // Nothing is known about the line yet.
    for e in [
        refused(&mut s.alloc, |a| a.commit(&o, 1)),
        refused(&mut s.alloc, |a| a.release(&o, 1)),
        refused(&mut s.alloc, |a| a.return_units(&o, 1, q(1), Restock::Sellable)),
        refused(&mut s.alloc, |a| a.move_reservation(&o, 1, s.wh2)),
    ] {
        assert!(matches!(e, AllocError::UnknownLine { line: 1, .. }), "{e:?}");
    }
    s.alloc.reserve(&o, web, &one(1, mug, 3), &any_opts()).unwrap();
    // A return of a line that never shipped.
    let e = refused(&mut s.alloc, |a| a.return_units(&o, 1, q(1), Restock::Sellable));
    assert!(matches!(e, AllocError::WrongState { state: LineState::Reserved, .. }), "{e:?}");
    // Cancel, then ship: refused. Cancel again: nothing happens.
    s.alloc.release(&o, 1).unwrap();
    let e = refused(&mut s.alloc, |a| a.commit(&o, 1));
    assert!(matches!(e, AllocError::WrongState { state: LineState::Cancelled, .. }), "{e:?}");
    let before = s.alloc.clone();
    assert!(s.alloc.release(&o, 1).unwrap().is_empty());
    assert_eq!(s.alloc, before);
    let e = refused(&mut s.alloc, |a| a.return_units(&o, 1, q(1), Restock::Sellable));
    assert!(matches!(e, AllocError::WrongState { state: LineState::Cancelled, .. }));
    let e = refused(&mut s.alloc, |a| a.move_reservation(&o, 1, s.wh2));
    assert!(matches!(e, AllocError::WrongState { state: LineState::Cancelled, .. }));

    // Ship, then cancel: refused. Ship again: nothing happens.
    s.alloc.reserve(&o, web, &one(2, mug, 3), &any_opts()).unwrap();
    s.alloc.commit(&o, 2).unwrap();
    let e = refused(&mut s.alloc, |a| a.release(&o, 2));
    assert!(matches!(e, AllocError::WrongState { state: LineState::Shipped, .. }));
    let before = s.alloc.clone();
    assert!(s.alloc.commit(&o, 2).unwrap().is_empty());
    assert_eq!(s.alloc, before);
    assert_eq!(s.alloc.on_hand(mug, s.wh1).unwrap(), q(7));

    // Expired, then shipped: refused; then cancelled: nothing happens.
    let noon = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    s.alloc.reserve(&o, web, &one(3, mug, 2), &any_opts().with_expiry(noon)).unwrap();
    // One second early frees nothing.
    assert!(s.alloc.expire(noon - chrono::Duration::seconds(1)).is_empty());
    assert_eq!(s.alloc.reserved(mug, s.wh1).unwrap(), q(2));
    assert!(!s.alloc.expire(noon).is_empty());
    assert_eq!(s.alloc.reserved(mug, s.wh1).unwrap(), Quantity::ZERO);
    let e = refused(&mut s.alloc, |a| a.commit(&o, 3));
    assert!(matches!(e, AllocError::WrongState { state: LineState::Expired, .. }));
    assert!(s.alloc.release(&o, 3).unwrap().is_empty());
    // Expiring again frees nothing more.
    assert!(s.alloc.expire(noon + chrono::Duration::days(365)).is_empty());
}

#[test]
fn a_return_cannot_exceed_what_shipped_in_any_split() {
    let mut s = shop();
    let (mug, web, wh1) = (s.mug, s.web, s.wh1);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(4))).unwrap();
    let o = oid("RET");
    s.alloc.reserve(&o, web, &one(1, mug, 4), &any_opts()).unwrap();
    s.alloc.commit(&o, 1).unwrap();
    s.alloc.return_units(&o, 1, q(1), Restock::Sellable).unwrap();
    s.alloc.return_units(&o, 1, q(2), Restock::Unsellable).unwrap();
    let e = refused(&mut s.alloc, |a| a.return_units(&o, 1, q(2), Restock::Sellable));
    assert!(
        matches!(e, AllocError::ReturnExceedsShipped { returned: 2, shipped: 4, already: 3, .. }),
        "{e:?}"
    );
    for bad in [0, -4, i64::MIN] {
        let e = refused(&mut s.alloc, |a| a.return_units(&o, 1, q(bad), Restock::Sellable));
        assert!(matches!(e, AllocError::BadQuantity { value, .. } if value == bad));
    }
    let e = refused(&mut s.alloc, |a| a.return_units(&o, 1, q(i64::MAX), Restock::Sellable));
    assert!(matches!(e, AllocError::ReturnExceedsShipped { .. }));
    s.alloc.return_units(&o, 1, q(1), Restock::Sellable).unwrap();
    // Only the two sellable units came back on the shelf.
    assert_eq!(s.alloc.on_hand(mug, wh1).unwrap(), q(2));
    assert_eq!(s.alloc.line(&o, 1).unwrap().returnable(), Quantity::ZERO);
}

#[test]
fn stranding_reservations_is_refused_by_every_stock_path() {
    let mut s = shop();
    let (mug, web, wh1) = (s.mug, s.web, s.wh1);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(6))).unwrap();
    s.alloc.reserve(&oid("S"), web, &one(1, mug, 4), &any_opts()).unwrap();
    for change in [StockChange::Set(q(3)), StockChange::Remove(q(3)), StockChange::Set(q(0))] {
        let e = refused(&mut s.alloc, |a| a.stock_change(mug, wh1, change));
        match e {
            AllocError::WouldStrandReservations { on_hand, reserved, location, .. } => {
                assert_eq!(reserved, 4);
                assert!(on_hand < 4);
                assert_eq!(location.as_str(), "WH-1");
            }
            other => panic!("expected WouldStrandReservations, got {other:?}"),
        }
    }
    // A load that would leave WH-1 with fewer units than reserved, or
    // that leaves it out altogether, is refused whole.
    let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let rec = |loc: &str, n| merchantry_core::StockRecord {
        as_of: day,
        sku: Sku::new("MUG").unwrap(),
        location: LocationId::new(loc).unwrap(),
        disposition: merchantry_core::Disposition::Sellable,
        quantity: q(n),
    };
    let short = vec![rec("WH-1", 2), rec("WH-2", 50)];
    let e = refused(&mut s.alloc, |a| a.load(&short, day));
    assert!(matches!(e, AllocError::WouldStrandReservations { on_hand: 2, reserved: 4, .. }));
    let elsewhere = vec![rec("WH-2", 50)];
    let e = refused(&mut s.alloc, |a| a.load(&elsewhere, day));
    assert!(matches!(e, AllocError::WouldStrandReservations { on_hand: 0, reserved: 4, .. }));
    let empty: Vec<merchantry_core::StockRecord> = Vec::new();
    let e = refused(&mut s.alloc, |a| a.load(&empty, day));
    assert!(matches!(e, AllocError::WouldStrandReservations { .. }));
}

#[test]
fn a_purged_key_can_be_reused_and_stale_calls_then_reach_the_new_line() {
    let mut s = shop();
    let (mug, web, wh1) = (s.mug, s.web, s.wh1);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(10))).unwrap();
    let o = oid("REUSE");
    s.alloc.reserve(&o, web, &one(1, mug, 2), &any_opts()).unwrap();
    s.alloc.release(&o, 1).unwrap();
    assert_eq!(s.alloc.purge_closed(), 1);
    // Forgotten: a repeated cancel is now an error, not ignored.
    let e = refused(&mut s.alloc, |a| a.release(&o, 1));
    assert!(matches!(e, AllocError::UnknownLine { .. }));
    // The key is free: the same order and line reserve again.
    s.alloc.reserve(&o, web, &one(1, mug, 3), &any_opts()).unwrap();
    assert_eq!(s.alloc.line(&o, 1).unwrap().quantity, q(3));
    assert_eq!(s.alloc.lines().count(), 1);
    assert_eq!(s.alloc.reserved(mug, wh1).unwrap(), q(3));

    // The same with a return id: after `purge_shipped_if` forgets the
    // line and its ids, a new line under the same key ships, and the old
    // report read once more is applied to the new line (the allocator
    // has no way to tell them apart). The caller must keep ids unique
    // across key reuse.
    s.alloc.commit(&o, 1).unwrap();
    let rma = ReturnId::new("RMA-OLD").unwrap();
    s.alloc.return_units_once(&rma, &o, 1, q(1), Restock::Sellable).unwrap();
    assert_eq!(s.alloc.purge_shipped_if(|_| true), 1);
    assert!(s.alloc.line(&o, 1).is_none());
    s.alloc.reserve(&o, web, &one(1, mug, 2), &any_opts()).unwrap();
    s.alloc.commit(&o, 1).unwrap();
    let on_hand = s.alloc.on_hand(mug, wh1).unwrap();
    let again = s.alloc.return_units_once(&rma, &o, 1, q(1), Restock::Sellable).unwrap();
    assert!(!again.duplicate);
    assert_eq!(s.alloc.on_hand(mug, wh1).unwrap().get(), on_hand.get() + 1);
}

#[test]
fn purges_never_forget_a_line_that_holds_units() {
    let mut s = shop();
    let (mug, web) = (s.mug, s.web);
    s.alloc.stock_change(mug, s.wh1, StockChange::Set(q(10))).unwrap();
    s.alloc.reserve(&oid("HELD"), web, &one(1, mug, 4), &any_opts()).unwrap();
    // Neither purge may drop an open reservation, whatever the caller
    // answers: the units would stay reserved with no line to free them.
    assert_eq!(s.alloc.purge_closed(), 0);
    assert_eq!(s.alloc.purge_shipped_if(|_| true), 0);
    assert_eq!(s.alloc.line(&oid("HELD"), 1).unwrap().state, LineState::Reserved);
    s.alloc.release(&oid("HELD"), 1).unwrap();
    assert_eq!(s.alloc.reserved(mug, s.wh1).unwrap(), Quantity::ZERO);
}

#[test]
fn partial_reservations_refuse_whole_bundles_and_keep_what_fits() {
    let mut s = shop();
    let (mug, web, wh1) = (s.mug, s.web, s.wh1);
    let lid = s.alloc.add_sku(&Sku::new("LID").unwrap()).unwrap();
    let (kit, _) = s.alloc.define_bundle(&Sku::new("KIT").unwrap(), &[(mug, 1), (lid, 2)]).unwrap();
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(5))).unwrap();
    s.alloc.stock_change(lid, wh1, StockChange::Set(q(3))).unwrap();
    // Line 1: 2 kits need 2 mugs and 4 lids (3 exist): refused whole, no
    // mug held for it. Line 2: 3 mugs fit. Line 3: 4 lids do not.
    let lines = [
        LineRequest::new(1, kit, q(2)),
        LineRequest::new(2, mug, q(3)),
        LineRequest::new(3, lid, q(4)),
    ];
    let done = s.alloc.reserve(&oid("P"), web, &lines, &any_opts().with_partial(true)).unwrap();
    let refused_lines: Vec<(u32, i64, i64)> =
        done.refused.iter().map(|r| (r.line, r.requested.get(), r.available.get())).collect();
    assert_eq!(refused_lines, vec![(1, 4, 3), (3, 4, 3)]);
    assert_eq!(s.alloc.reserved(mug, wh1).unwrap(), q(3));
    assert_eq!(s.alloc.reserved(lid, wh1).unwrap(), Quantity::ZERO);
    assert!(s.alloc.line(&oid("P"), 1).is_none());
    assert!(s.alloc.line(&oid("P"), 3).is_none());
    // Kits left: min(2 mugs / 1, 3 lids / 2) = 1.
    assert_eq!(s.alloc.advertised(kit, web).unwrap(), q(1));

    // Every line refused: the call succeeds, holds nothing, records
    // nothing, so the same line numbers can be tried again.
    let before = s.alloc.clone();
    let lines = [LineRequest::new(1, lid, q(9)), LineRequest::new(2, mug, q(9))];
    let done = s.alloc.reserve(&oid("Q"), web, &lines, &any_opts().with_partial(true)).unwrap();
    assert_eq!(done.refused.len(), 2);
    assert!(done.changes.is_empty());
    assert_eq!(s.alloc, before);
}

#[test]
fn ring_fences_and_links_bound_what_each_channel_may_take() {
    let mut s = shop();
    let (mug, web, ebay, fba, own, wh1, wh2) = (s.mug, s.web, s.ebay, s.fba, s.own, s.wh1, s.wh2);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(4))).unwrap();
    s.alloc.stock_change(mug, wh2, StockChange::Set(q(4))).unwrap();
    s.alloc.stock_change(mug, s.fba_loc, StockChange::Set(q(100))).unwrap();
    s.alloc.set_ring_fence(mug, own, ebay, q(5)).unwrap();
    // eBay keeps 5 of the 8: web may take 3, eBay all 8.
    assert_eq!(s.alloc.sellable(mug, web).unwrap(), q(3));
    assert_eq!(s.alloc.sellable(mug, ebay).unwrap(), q(8));
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("F"), web, &one(1, mug, 4), &any_opts()));
    assert!(matches!(e, AllocError::Insufficient { requested: 4, available: 3, .. }), "{e:?}");
    // FBA's 100 units are not web's: it is not linked there.
    let at_fba = any_opts().at(s.fba_loc);
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("F"), web, &one(1, mug, 1), &at_fba));
    assert!(matches!(e, AllocError::LocationNotLinked { .. }), "{e:?}");
    // A fence on a pool the channel does not sell from is refused.
    let e = refused(&mut s.alloc, |a| a.set_ring_fence(mug, own, fba, q(1)));
    assert!(matches!(e, AllocError::PoolNotLinked { .. }), "{e:?}");
    let e = refused(&mut s.alloc, |a| a.set_ring_fence(mug, own, ebay, q(-1)));
    assert!(matches!(e, AllocError::BadQuantity { value: -1, .. }), "{e:?}");
    // Web takes its 3, split over both warehouses if it must; eBay then
    // takes its 5 and nothing is left for anyone.
    s.alloc.reserve(&oid("W"), web, &one(1, mug, 3), &any_opts()).unwrap();
    s.alloc.reserve(&oid("E"), ebay, &one(1, mug, 5), &any_opts()).unwrap();
    let held =
        s.alloc.reserved(mug, wh1).unwrap().get() + s.alloc.reserved(mug, wh2).unwrap().get();
    assert_eq!(held, 8);
    for ch in [web, ebay] {
        assert_eq!(s.alloc.sellable(mug, ch).unwrap(), Quantity::ZERO);
        assert_eq!(s.alloc.advertised(mug, ch).unwrap(), Quantity::ZERO);
    }
}

#[test]
fn a_minimum_shown_advertises_but_never_reserves_missing_units() {
    let mut b = Network::builder();
    let wh = b.location(LocationId::new("WH").unwrap()).unwrap();
    let pool = b.pool("p", &[wh], Split::Shared).unwrap();
    let rules = PublishRules::default().with_min_shown(q(5));
    let web = b.channel(ChannelId::new("web").unwrap(), rules).unwrap();
    b.link(web, pool, Link::default()).unwrap();
    let mut alloc = Allocator::new(b.build().unwrap());
    let mug = alloc.add_sku(&Sku::new("MUG").unwrap()).unwrap();
    assert_eq!(alloc.advertised(mug, web).unwrap(), q(5));
    alloc.stock_change(mug, wh, StockChange::Set(q(1))).unwrap();
    assert_eq!(alloc.advertised(mug, web).unwrap(), q(5));
    let e = refused(&mut alloc, |a| a.reserve(&oid("M"), web, &one(1, mug, 2), &any_opts()));
    assert!(matches!(e, AllocError::Insufficient { requested: 2, available: 1, .. }));
}

#[test]
fn invalid_rules_and_networks_are_refused_by_name() {
    let mut s = shop();
    let web = s.web;
    for (rules, reason) in [
        (PublishRules::default().with_percent(101), "percent is above 100"),
        (PublishRules::default().with_buffer(q(-1)), "buffer is negative"),
        (
            PublishRules::default().with_min_shown(q(5)).with_max_shown(q(4)),
            "min shown is above max shown",
        ),
    ] {
        let e = refused(&mut s.alloc, |a| a.set_rules(web, rules));
        assert!(matches!(e, AllocError::InvalidRules { reason: r, .. } if r == reason), "{e:?}");
    }
    let mut b = Network::builder();
    let wh = b.location(LocationId::new("WH").unwrap()).unwrap();
    assert!(matches!(
        b.location(LocationId::new("WH").unwrap()),
        Err(AllocError::DuplicateLocation { .. })
    ));
    let p = b.pool("p", &[wh], Split::Shares).unwrap();
    let c = b.channel(ChannelId::new("c").unwrap(), PublishRules::default()).unwrap();
    b.link(c, p, Link::default().with_share(0)).unwrap();
    assert!(matches!(b.clone().build(), Err(AllocError::ZeroShares { .. })));
    assert!(matches!(b.link(c, p, Link::default()), Err(AllocError::DuplicateLink { .. })));
    let neg = Link::default().with_claim_limit(q(-1));
    let d = b.channel(ChannelId::new("d").unwrap(), PublishRules::default()).unwrap();
    assert!(matches!(b.link(d, p, neg), Err(AllocError::InvalidRules { .. })));
}

#[test]
fn keys_from_another_allocator_are_refused() {
    let mut s = shop();
    let mut other = shop();
    for i in 0..5 {
        other.alloc.add_sku(&Sku::new(format!("S{i}")).unwrap()).unwrap();
    }
    let foreign = other.alloc.sku_key(&Sku::new("S4").unwrap()).unwrap();
    let (web, wh1) = (s.web, s.wh1);
    let e = refused(&mut s.alloc, |a| a.stock_change(foreign, wh1, StockChange::Add(q(1))));
    assert!(matches!(e, AllocError::UnknownKey { what: "sku", .. }));
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("X"), web, &one(1, foreign, 1), &any_opts()));
    assert!(matches!(e, AllocError::UnknownKey { what: "sku", .. }));
    assert!(s.alloc.advertised(foreign, web).is_err());
}

#[test]
fn an_order_with_many_lines_is_served_and_checked_in_reasonable_time() {
    let mut s = shop();
    let (mug, web, wh1, wh2) = (s.mug, s.web, s.wh1, s.wh2);
    s.alloc.stock_change(mug, wh1, StockChange::Set(q(3_000))).unwrap();
    s.alloc.stock_change(mug, wh2, StockChange::Set(q(2_000))).unwrap();
    let lines: Vec<LineRequest> = (0..5_000).map(|i| LineRequest::new(i, mug, q(1))).collect();
    let start = std::time::Instant::now();
    s.alloc.reserve(&oid("MANY"), web, &lines, &any_opts()).unwrap();
    assert_eq!(s.alloc.sellable(mug, web).unwrap(), Quantity::ZERO);
    assert_eq!(s.alloc.lines().count(), 5_000);
    // One more line of the same SKU is short by exactly one unit.
    let more: Vec<LineRequest> = (5_000..5_002).map(|i| LineRequest::new(i, mug, q(1))).collect();
    let e = refused(&mut s.alloc, |a| a.reserve(&oid("MANY"), web, &more, &any_opts()));
    assert!(matches!(e, AllocError::Insufficient { requested: 2, available: 0, .. }), "{e:?}");
    assert!(start.elapsed().as_secs() < 3, "5,000 lines took {:?}", start.elapsed());
}

// ----- the law: no sequence of operations oversells -----

#[derive(Debug, Clone)]
enum Op {
    Stock {
        loc: usize,
        change: StockChange,
    },
    /// A new order (or, when `reuse`, the last order's id again).
    Reserve {
        reuse: bool,
        lines: Vec<(usize, i64)>,
        channel: usize,
        how: u8,
    },
    /// The operations on lines pick one of the lines the allocator
    /// knows (`pick` modulo their count), or an unknown one when none.
    Commit {
        pick: usize,
    },
    Release {
        pick: usize,
    },
    Return {
        pick: usize,
        n: i64,
        sellable: bool,
    },
    Move {
        pick: usize,
        loc: usize,
    },
    Fence {
        channel: usize,
        n: i64,
    },
    Expire,
    Purge {
        shipped_too: bool,
    },
}

fn op() -> impl Strategy<Value = Op> {
    // Mostly small, ordinary amounts, so that lines are held, shipped and
    // returned; now and then zero, negative or the ends of the range.
    let qty = prop_oneof![
        12 => 1i64..6,
        2 => -1i64..1,
        1 => Just(i64::MAX),
        1 => Just(i64::MAX - 1),
        1 => Just(i64::MIN),
    ];
    let change = prop_oneof![
        4 => (0i64..20).prop_map(|n| StockChange::Add(q(n))),
        1 => qty.clone().prop_map(|n| StockChange::Add(q(n))),
        1 => qty.clone().prop_map(|n| StockChange::Remove(q(n))),
        1 => qty.clone().prop_map(|n| StockChange::Set(q(n))),
    ];
    let lines = prop::collection::vec((0usize..3, qty.clone()), 0..4);
    prop_oneof![
        3 => (0usize..3, change).prop_map(|(loc, change)| Op::Stock { loc, change }),
        6 => (prop::bool::weighted(0.2), lines, 0usize..3, 0u8..32)
            .prop_map(|(reuse, lines, channel, how)| Op::Reserve { reuse, lines, channel, how }),
        2 => any::<usize>().prop_map(|pick| Op::Commit { pick }),
        1 => any::<usize>().prop_map(|pick| Op::Release { pick }),
        2 => (any::<usize>(), qty, any::<bool>())
            .prop_map(|(pick, n, sellable)| Op::Return { pick, n, sellable }),
        1 => (any::<usize>(), 0usize..3).prop_map(|(pick, loc)| Op::Move { pick, loc }),
        1 => (0usize..3, -1i64..6).prop_map(|(channel, n)| Op::Fence { channel, n }),
        1 => Just(Op::Expire),
        1 => any::<bool>().prop_map(|shipped_too| Op::Purge { shipped_too }),
    ]
}

/// Checks what must hold after every step: at every location the units
/// reserved are within the units there, and the reserved units equal
/// what the open lines hold.
fn check_no_oversell(s: &Shop, skus: &[SkuKey]) -> Result<(), TestCaseError> {
    let locs = [s.wh1, s.wh2, s.fba_loc];
    for &sku in skus {
        for &l in &locs {
            let held = s.alloc.reserved(sku, l).unwrap().get();
            let there = s.alloc.on_hand(sku, l).unwrap().get();
            prop_assert!(held >= 0 && held <= there, "reserved {held} of {there}");
            let by_lines: i64 = s
                .alloc
                .lines()
                .filter(|li| li.state == LineState::Reserved)
                .flat_map(|li| li.pieces)
                .filter(|p| p.sku == sku && p.location == l)
                .map(|p| p.units.get())
                .sum();
            prop_assert_eq!(held, by_lines);
        }
        for ch in [s.web, s.ebay, s.fba] {
            // A channel may never reserve more than exists where it sells.
            let sellable = s.alloc.sellable(sku, ch).unwrap().get();
            prop_assert!(sellable >= 0);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the sequence of stock changes, reservations (bundles
    /// included), shipments, cancels, returns, moves, fences, expiries
    /// and purges, units reserved never exceed units on hand anywhere,
    /// and a refused call changes nothing.
    #[test]
    fn no_sequence_oversells_and_refusals_change_nothing(
        ops in prop::collection::vec(op(), 1..40),
    ) {
        let mut s = shop();
        let lid = s.alloc.add_sku(&Sku::new("LID").unwrap()).unwrap();
        let (kit, _) =
            s.alloc.define_bundle(&Sku::new("KIT").unwrap(), &[(s.mug, 1), (lid, 2)]).unwrap();
        let plain = [s.mug, lid];
        let skus = [s.mug, lid, kit];
        let channels = [s.web, s.ebay, s.fba];
        let locs = [s.wh1, s.wh2, s.fba_loc];
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let mut clock = 0i64;
        let mut orders = 0u32;
        for op in ops {
            let before = s.alloc.clone();
            let known: Vec<(OrderId, u32)> =
                s.alloc.lines().map(|l| (l.order, l.line)).collect();
            let target = |pick: usize| {
                known.get(pick % known.len().max(1)).cloned().unwrap_or((oid("NONE"), 0))
            };
            let result: Result<(), AllocError> = match op {
                Op::Stock { loc, change } => {
                    s.alloc.stock_change(plain[loc % 2], locs[loc], change).map(drop)
                }
                Op::Reserve { reuse, lines, channel, how } => {
                    clock += 1;
                    if !reuse {
                        orders += 1;
                    }
                    let order = oid(&format!("O{orders}"));
                    // Bits of `how`: partial, whole lines, at one
                    // location (which by the next two bits), every line
                    // numbered 1 (a repeated line when there are two).
                    let mut opts = ReserveOptions::default()
                        .with_partial(how & 1 != 0)
                        .with_whole_lines(how & 2 != 0)
                        .with_expiry(t0 + chrono::Duration::hours(clock + 3));
                    if how & 4 != 0 {
                        opts = opts.at(locs[usize::from((how >> 3) & 3) % 3]);
                    }
                    let lines: Vec<LineRequest> = lines
                        .iter()
                        .zip(1u32..)
                        .map(|(&(sku, n), i)| {
                            let line = if how & 16 != 0 { 1 } else { i };
                            LineRequest::new(line, skus[sku], q(n))
                        })
                        .collect();
                    s.alloc.reserve(&order, channels[channel], &lines, &opts).map(drop)
                }
                Op::Commit { pick } => {
                    let (o, line) = target(pick);
                    s.alloc.commit(&o, line).map(drop)
                }
                Op::Release { pick } => {
                    let (o, line) = target(pick);
                    s.alloc.release(&o, line).map(drop)
                }
                Op::Return { pick, n, sellable } => {
                    let (o, line) = target(pick);
                    let r = if sellable { Restock::Sellable } else { Restock::Unsellable };
                    s.alloc.return_units(&o, line, q(n), r).map(drop)
                }
                Op::Move { pick, loc } => {
                    let (o, line) = target(pick);
                    s.alloc.move_reservation(&o, line, locs[loc]).map(drop)
                }
                Op::Fence { channel, n } => {
                    s.alloc.set_ring_fence(s.mug, s.own, channels[channel], q(n)).map(drop)
                }
                Op::Expire => {
                    clock += 2;
                    s.alloc.expire(t0 + chrono::Duration::hours(clock));
                    Ok(())
                }
                Op::Purge { shipped_too } => {
                    s.alloc.purge_closed();
                    if shipped_too {
                        s.alloc.purge_shipped_if(|_| true);
                    }
                    Ok(())
                }
            };
            if let Err(e) = result {
                prop_assert_eq!(&s.alloc, &before, "refused call changed state: {}", e);
                prop_assert!(!e.to_string().is_empty());
            }
            check_no_oversell(&s, &skus)?;
            // What each channel advertises is recomputed exactly: a full
            // recompute finds nothing to change.
            prop_assert!(s.alloc.recompute_all().is_empty());
        }
    }
}
