#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_wrap,
    reason = "tests fail loudly; event counts are small"
)]
//! Integration tests: hand-worked valuation sequences and property laws.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use merchantry_core::{
    ChannelId, DateRange, DemandHistory, Disposition, EventId, LocationId, OrderId, Quantity, Sku,
    StockRecord, StockView, ValuationView,
};
use merchantry_ledger::{
    AdjustmentReason, Event, EventKind, Flow, IngestOutcome, LandedBasis, LandedTarget, Ledger,
    LedgerError, LedgerOptions, Method, NegativeStock, VendorReturnCost,
};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn t(hour: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::hours(hour)
}

fn sku() -> Sku {
    Sku::new("MUG").unwrap()
}

fn loc(name: &str) -> LocationId {
    LocationId::new(name).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn ev(id: &str, hour: i64, kind: EventKind) -> Event {
    Event::new(EventId::new(id).unwrap(), t(hour), sku(), loc("WH1"), kind)
}

fn receipt(id: &str, hour: i64, qty: i64, cost: &str) -> Event {
    ev(id, hour, EventKind::receipt(Quantity::new(qty), dec(cost)))
}

fn ship(id: &str, hour: i64, qty: i64) -> Event {
    let kind = EventKind::shipment(
        Quantity::new(qty),
        ChannelId::new("amazon").unwrap(),
        OrderId::new(format!("o-{id}")).unwrap(),
    );
    ev(id, hour, kind)
}

fn ledger(method: Method, negative: NegativeStock) -> Ledger {
    Ledger::new(LedgerOptions {
        default_method: method,
        negative_stock: negative,
        ..LedgerOptions::default()
    })
}

fn feed(l: &mut Ledger, events: &[Event]) {
    for e in events {
        l.ingest(e.clone()).unwrap();
    }
}

/// A reimbursement of `amount` for one unit of write-off `write_off`.
fn reimbursed(id: &str, hour: i64, write_off: &str, amount: &str) -> Event {
    let kind = EventKind::Reimbursement {
        amount: dec(amount),
        units: Quantity::new(1),
        write_off: Some(EventId::new(write_off).unwrap()),
    };
    ev(id, hour, kind)
}

fn value_now(l: &Ledger) -> Decimal {
    l.value(&sku(), &loc("WH1"), Disposition::Sellable, t(10_000))
}

fn cogs_all(l: &Ledger) -> Decimal {
    l.cogs(&sku(), t(-1), t(10_000), None, None)
}

#[test]
fn fifo_takes_oldest_layers_and_returns_come_back_at_shipment_cost() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), receipt("r2", 2, 10, "3"), ship("s1", 3, 15)]);
    // 10 x 2 + 5 x 3 = 35; left 5 x 3 = 15.
    assert_eq!(cogs_all(&l), dec("35"));
    assert_eq!(value_now(&l), dec("15"));
    let ret = EventKind::CustomerReturn {
        quantity: Quantity::new(3),
        channel: ChannelId::new("amazon").unwrap(),
        disposition: Disposition::Sellable,
        shipment: Some(EventId::new("s1").unwrap()),
    };
    l.ingest(ev("ret1", 4, ret)).unwrap();
    // Back at 35 x 3 / 15 = 7: COGS 35 - 7 = 28, value 15 + 7 = 22.
    assert_eq!(cogs_all(&l), dec("28"));
    assert_eq!(value_now(&l), dec("22"));
    l.ingest(ship("s2", 5, 8)).unwrap();
    // All 8 units leave with all 22: nothing is left behind.
    assert_eq!(value_now(&l), Decimal::ZERO);
    assert_eq!(cogs_all(&l), dec("50"));
}

#[test]
fn lifo_takes_newest_layers() {
    let mut l = ledger(Method::Lifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), receipt("r2", 2, 10, "3"), ship("s1", 3, 15)]);
    // 10 x 3 + 5 x 2 = 40; left 5 x 2 = 10.
    assert_eq!(cogs_all(&l), dec("40"));
    assert_eq!(value_now(&l), dec("10"));
    let layers = l.layers(&sku());
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0].origin.as_str(), "r1");
    assert_eq!(layers[0].received_at, t(1));
}

#[test]
fn moving_average_with_zero_cost_receipt_and_thirds() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), receipt("r2", 2, 10, "3"), ship("s1", 3, 15)]);
    // Pool 20 units worth 50: 15 leave at 50 x 15 / 20 = 37.5; 12.5 left.
    assert_eq!(cogs_all(&l), dec("37.5"));
    assert_eq!(value_now(&l), dec("12.5"));
    // A free receipt dilutes the average: 10 units worth 12.5.
    l.ingest(receipt("r3", 4, 5, "0")).unwrap();
    l.ingest(ship("s2", 5, 10)).unwrap();
    assert_eq!(value_now(&l), Decimal::ZERO);
    assert_eq!(cogs_all(&l), dec("50"));

    // 3 units worth 1: each sale takes a third, the last takes the rest.
    let mut l = ledger(Method::MovingAverage, NegativeStock::Reject);
    feed(&mut l, &[receipt("a", 1, 1, "1"), receipt("b", 2, 2, "0")]);
    feed(&mut l, &[ship("x", 3, 1), ship("y", 4, 1)]);
    assert_eq!(cogs_all(&l), dec("1") - value_now(&l));
    l.ingest(ship("z", 5, 1)).unwrap();
    assert_eq!(value_now(&l), Decimal::ZERO);
    assert_eq!(cogs_all(&l), Decimal::ONE);
}

#[test]
fn outbound_before_any_receipt_is_trued_up_when_stock_arrives() {
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    l.ingest(ship("s1", 1, 5)).unwrap();
    // No known cost yet: the 5 units leave at 0.
    assert_eq!(cogs_all(&l), Decimal::ZERO);
    assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Sellable, t(2)), Quantity::new(-5));
    let outcome = l.ingest(receipt("r1", 2, 10, "4")).unwrap();
    let IngestOutcome::Applied { true_ups, .. } = outcome else { panic!("applied") };
    // The 5 units really cost 5 x 4 = 20: a true-up tied to s1.
    assert_eq!(true_ups.len(), 1);
    assert_eq!(true_ups[0].outbound.as_str(), "s1");
    assert_eq!(true_ups[0].settled_by.as_str(), "r1");
    assert_eq!(true_ups[0].amount, dec("20"));
    assert_eq!(true_ups[0].flow, Flow::Cogs);
    // The receipt itself is not silently changed: 10 x 4 = 40 received,
    // 20 to COGS, 5 units worth 20 left.
    let flows = l.flows(&sku(), t(0), t(100));
    assert_eq!(flows.receipts, dec("40"));
    assert_eq!(flows.cogs, dec("20"));
    assert_eq!(value_now(&l), dec("20"));
}

#[test]
fn landed_cost_after_partial_sales_splits_between_stock_and_cogs() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), ship("s1", 2, 4)]);
    let landed = EventKind::LandedCost {
        amount: dec("30"),
        basis: LandedBasis::Quantity,
        targets: vec![LandedTarget {
            receipt: EventId::new("r1").unwrap(),
            measure: Decimal::ZERO,
        }],
    };
    l.ingest(ev("lc1", 3, landed)).unwrap();
    // 30 over 10 units: 6 held get 18 (value 12 + 18 = 30), 4 sold get 12
    // (COGS 8 + 12 = 20).
    assert_eq!(value_now(&l), dec("30"));
    assert_eq!(cogs_all(&l), dec("20"));
    l.ingest(ship("s2", 4, 6)).unwrap();
    assert_eq!(cogs_all(&l), dec("50"));
}

#[test]
fn landed_cost_by_value_over_two_receipts() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "1"), receipt("r2", 2, 10, "3")]);
    let target =
        |r: &str| LandedTarget { receipt: EventId::new(r).unwrap(), measure: Decimal::ZERO };
    let landed = EventKind::LandedCost {
        amount: dec("8"),
        basis: LandedBasis::Value,
        targets: vec![target("r1"), target("r2")],
    };
    l.ingest(ev("lc", 3, landed)).unwrap();
    // Values 10 and 30: shares 2 and 6; layers 12 and 36.
    let layers = l.layers(&sku());
    assert_eq!(layers[0].value, dec("12"));
    assert_eq!(layers[1].value, dec("36"));
    // A receipt named twice would take two shares (r1 4 of 8 by value,
    // not 2): refused, nothing changed.
    let before = l.clone();
    let twice = EventKind::LandedCost {
        amount: dec("8"),
        basis: LandedBasis::Value,
        targets: vec![target("r1"), target("r2"), target("r1")],
    };
    let err = l.ingest(ev("lc2", 4, twice)).unwrap_err();
    let reason = "a target receipt is listed twice";
    assert_eq!(err, LedgerError::InvalidWeights { id: EventId::new("lc2").unwrap(), reason });
    assert_eq!(l, before);
}

/// A payment of money alone covers no units; one paying money while
/// taking units back (or the other way round) mixes signs and is
/// refused, naming the event, whether or not it names a write-off.
#[test]
fn a_reimbursement_may_cover_no_units_but_not_mix_signs() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    let pay = |id: &str, amount: &str, units: i64, write_off: Option<&str>| {
        let kind = EventKind::Reimbursement {
            amount: dec(amount),
            units: Quantity::new(units),
            write_off: write_off.map(|w| EventId::new(w).unwrap()),
        };
        ev(id, 1, kind)
    };
    // Money alone (a fee refunded, say) covers no units.
    l.ingest(pay("cash", "4.00", 0, None)).unwrap();
    l.ingest(receipt("r1", 0, 5, "2")).unwrap();
    l.ingest(adjust_at("lost1", 1, "WH1", -2, AdjustmentReason::Lost)).unwrap();
    l.ingest(pay("paid", "8.00", 2, Some("lost1"))).unwrap();
    let before = l.clone();
    let mixed = [
        ("minus", "4.00", -2, None),
        ("minus-named", "4.00", -2, Some("lost1")),
        ("plus-named", "-4.00", 1, Some("lost1")),
        ("plus", "-0.01", 1, None),
    ];
    for (id, amount, units, write_off) in mixed {
        let event = pay(id, amount, units, write_off);
        let want = LedgerError::MixedSignReimbursement {
            id: EventId::new(id).unwrap(),
            amount: dec(amount),
            units,
        };
        assert_eq!(l.ingest(event.clone()).unwrap_err(), want);
        assert_eq!(l, before);
        assert_eq!(l.ingest_batch([event]).unwrap_err(), want);
        assert_eq!(l, before);
    }
    let err = l.ingest(pay("minus", "4.00", -2, None)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "event minus: a reimbursement of 4.00 for -2 units mixes signs; a payment has neither \
         below zero and a reversal neither above zero"
    );
    // A negative zero is zero: no units and -0.00 is a payment of nothing.
    l.ingest(pay("nothing", "-0.00", 0, None)).unwrap();
}

/// The units and the amount reimbursed for one write-off are summed
/// exactly, never clamped: a reimbursement that would take either total
/// for the write-off it names past its type's bounds (`i64` units,
/// `Decimal` money) is refused as an overflow and changes nothing, alone
/// or in a batch, whatever SKU it is filed under and whether or not its
/// write-off has arrived. A repeat of an accepted one is still a
/// duplicate, and a restored snapshot refuses what its original did.
#[test]
fn a_reimbursement_taking_its_write_offs_totals_past_their_bounds_is_refused() {
    let lost = |id: &str, hour: i64| {
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(-1),
            reason: AdjustmentReason::Lost,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        ev(id, hour, kind)
    };
    let pay = |id: &str, hour: i64, sku: &str, write_off: &str, units: i64, amount: Decimal| {
        let kind = EventKind::Reimbursement {
            amount,
            units: Quantity::new(units),
            write_off: Some(EventId::new(write_off).unwrap()),
        };
        Event::new(EventId::new(id).unwrap(), t(hour), Sku::new(sku).unwrap(), loc("WH1"), kind)
    };
    let overflow = |id: &str, what| LedgerError::Overflow { id: EventId::new(id).unwrap(), what };
    let (units, money) =
        ("units reimbursed for its write-off", "amount reimbursed for its write-off");
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[
            receipt("r1", 1, 10, "2"),
            lost("lost1", 2),
            lost("lost2", 2),
            pay("p1", 3, "MUG", "lost1", i64::MAX, Decimal::ONE),
            pay("p2", 3, "MUG", "lost2", 1, Decimal::MAX),
            // Its write-off has not arrived (yet).
            pay("p3", 3, "MUG", "ghost", i64::MAX - 1, Decimal::ZERO),
        ],
    );
    let before = l.clone();
    let refused = [
        (pay("p4", 4, "MUG-NEW", "lost1", 1, Decimal::ZERO), units),
        (pay("p5", 4, "MUG", "lost2", 0, Decimal::ONE), money),
        (pay("p6", 4, "MUG", "ghost", 2, Decimal::ZERO), units),
        // Backdated before the payment it overflows with.
        (pay("p7", 1, "MUG", "lost1", 1, Decimal::ZERO), units),
    ];
    for (event, what) in refused {
        let want = overflow(event.id.as_str(), what);
        assert_eq!(l.ingest(event.clone()).unwrap_err(), want);
        assert_eq!(l, before);
        assert_eq!(l.ingest_batch([receipt("r2", 5, 1, "2"), event]).unwrap_err(), want);
        assert_eq!(l, before);
    }
    // Two new ones that overflow together, in one batch: the second is named.
    let pair = [
        pay("q1", 6, "MUG", "lost3", i64::MAX, Decimal::ZERO),
        pay("q2", 7, "MUG", "lost3", 1, Decimal::ZERO),
    ];
    assert_eq!(l.ingest_batch(pair).unwrap_err(), overflow("q2", units));
    assert_eq!(l, before);
    assert_eq!(
        overflow("p4", units).to_string(),
        "event p4: arithmetic overflow in units reimbursed for its write-off"
    );
    // A repeat is a duplicate, not an overflow; what still fits is taken.
    let repeat = pay("p1", 3, "MUG", "lost1", i64::MAX, Decimal::ONE);
    assert_eq!(l.ingest(repeat).unwrap(), IngestOutcome::Duplicate);
    l.ingest(pay("p8", 8, "MUG", "ghost", 1, Decimal::MAX)).unwrap();
    // The totals are exact: one unit lost, i64::MAX paid for.
    let last = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let over: Vec<(String, i64, Decimal)> = l
        .overreimbursed(last)
        .into_iter()
        .map(|c| (c.write_off.id.to_string(), c.reimbursed_units.get(), c.reimbursed_amount))
        .collect();
    assert_eq!(over, [("lost1".to_owned(), i64::MAX, Decimal::ONE)]);
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&l).unwrap();
        let mut back: Ledger = serde_json::from_str(&json).unwrap();
        let event = pay("p9", 9, "MUG", "ghost", 0, Decimal::ONE);
        assert_eq!(back.ingest(event).unwrap_err(), overflow("p9", money));
    }
}

#[test]
fn a_batch_near_the_bounds_is_taken_in_any_order_its_events_were_taken_one_by_one() {
    // Paid i64::MAX units (or Decimal::MAX), one taken back under another
    // SKU, one paid again: one by one the totals stay within bounds. A
    // snapshot lists the events SKU by SKU (p1, p2, then rv), where a
    // running sum in that order overflowed at p2 (tester x).
    let pay = |id: &str, hour: i64, sku: &str, units: i64, amount: Decimal| {
        let kind = if units < 0 || amount.is_sign_negative() {
            EventKind::reimbursement_reversal(
                amount,
                Quantity::new(units),
                EventId::new("w").unwrap(),
            )
        } else {
            EventKind::Reimbursement {
                amount,
                units: Quantity::new(units),
                write_off: Some(EventId::new("w").unwrap()),
            }
        };
        Event::new(EventId::new(id).unwrap(), t(hour), Sku::new(sku).unwrap(), loc("WH1"), kind)
    };
    let cases = [
        [
            pay("p1", 1, "AAA", i64::MAX, Decimal::ONE),
            pay("rv", 2, "BBB", -1, Decimal::ZERO),
            pay("p2", 3, "AAA", 1, Decimal::ONE),
        ],
        [
            pay("p1", 1, "AAA", 0, Decimal::MAX),
            pay("rv", 2, "BBB", 0, -Decimal::ONE),
            pay("p2", 3, "AAA", 0, Decimal::ONE),
        ],
    ];
    for events in cases {
        let mut one_by_one = ledger(Method::Fifo, NegativeStock::Reject);
        feed(&mut one_by_one, &events);
        let listed = [events[0].clone(), events[2].clone(), events[1].clone()];
        let mut batch = ledger(Method::Fifo, NegativeStock::Reject);
        batch.ingest_batch(listed).unwrap();
        assert_eq!(batch, one_by_one);
        #[cfg(feature = "serde")]
        {
            let json = serde_json::to_string(&one_by_one).unwrap();
            let back: Ledger = serde_json::from_str(&json).unwrap();
            assert_eq!(back, one_by_one);
        }
    }
}

#[test]
fn ledgers_fed_the_same_events_in_other_orders_are_equal() {
    // Names are numbered as first seen: the late receipt names WH2 and
    // OTHER before WH1 and MUG here, and after them in time order.
    let other = Sku::new("OTHER").unwrap();
    let at = |id: &str, hour, sku: &Sku, wh: &str| {
        let kind = EventKind::receipt(Quantity::new(2), dec("1.50"));
        Event::new(EventId::new(id).unwrap(), t(hour), sku.clone(), loc(wh), kind)
    };
    let late = [at("late", 2, &other, "WH2"), at("early", 1, &sku(), "WH1"), ship("s", 3, 1)];
    let mut arrival = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut arrival, &late);
    let mut timed = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut timed, &[late[1].clone(), late[0].clone(), late[2].clone()]);
    assert_eq!(arrival, timed);
    // One more event anywhere, or one event fewer, is a different ledger.
    let mut more = timed.clone();
    more.ingest(receipt("r9", 4, 1, "1")).unwrap();
    assert_ne!(arrival, more);
    let mut fewer = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut fewer, &late[..2]);
    assert_ne!(arrival, fewer);
}

#[test]
fn reject_policy_refuses_and_changes_nothing() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), ship("s1", 3, 8)]);
    let before = l.clone();
    let err = l.ingest(ship("s2", 4, 3)).unwrap_err();
    assert!(matches!(err, LedgerError::InsufficientStock { available: 2, requested: 3, .. }));
    assert_eq!(l, before);
    // A backdated shipment that would make the later s1 go negative.
    let err = l.ingest(ship("s0", 2, 3)).unwrap_err();
    assert!(matches!(err, LedgerError::InsufficientStock { .. }), "{err}");
    assert_eq!(l, before);
    // A new SKU and location in a refused event leave no trace either.
    let stranger = Event::new(
        EventId::new("x").unwrap(),
        t(5),
        Sku::new("NEW").unwrap(),
        loc("NOWHERE"),
        EventKind::shipment(
            Quantity::new(1),
            ChannelId::new("web").unwrap(),
            OrderId::new("o").unwrap(),
        ),
    );
    assert!(l.ingest(stranger).is_err());
    assert_eq!(l, before);
}

#[test]
fn duplicates_are_ignored_and_conflicts_refused() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    l.ingest(receipt("r1", 1, 10, "2")).unwrap();
    let before = l.clone();
    assert_eq!(l.ingest(receipt("r1", 1, 10, "2.00")).unwrap(), IngestOutcome::Duplicate);
    assert_eq!(l, before);
    let err = l.ingest(receipt("r1", 1, 11, "2")).unwrap_err();
    assert_eq!(err, LedgerError::ConflictingDuplicate { id: EventId::new("r1").unwrap() });
    assert!(l.ingest(receipt("r1", 2, 10, "2")).is_err());
    assert_eq!(l, before);
}

#[test]
fn reserving_room_changes_nothing_and_too_much_is_refused() {
    let events: Vec<Event> = (0..300)
        .map(|i| {
            if i % 10 == 0 {
                receipt(&format!("r{i}"), i, 10, "1.25")
            } else {
                ship(&format!("s{i}"), i, 1)
            }
        })
        .collect();
    let mut plain = ledger(Method::MovingAverage, NegativeStock::Reject);
    feed(&mut plain, &events);
    let mut reserved = ledger(Method::MovingAverage, NegativeStock::Reject);
    reserved.reserve(events.len()).unwrap();
    assert_eq!(reserved, ledger(Method::MovingAverage, NegativeStock::Reject));
    feed(&mut reserved, &events);
    assert_eq!(reserved, plain);
    assert_eq!(value_now(&reserved), value_now(&plain));
    // Room past what can be addressed is refused, and nothing changes:
    // the ledger still finds every id (a repeat is a duplicate).
    let before = reserved.clone();
    let err = reserved.reserve(usize::MAX).unwrap_err();
    assert_eq!(err, LedgerError::Reserve { events: usize::MAX });
    assert_eq!(err.to_string(), format!("cannot reserve room for {} more events", usize::MAX));
    assert_eq!(reserved, before);
    assert_eq!(reserved.ingest(events[7].clone()).unwrap(), IngestOutcome::Duplicate);
}

#[test]
fn backdated_receipt_corrects_later_shipments() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r2", 5, 10, "3"), ship("s1", 6, 4)]);
    assert_eq!(cogs_all(&l), dec("12"));
    let outcome = l.ingest(receipt("r1", 1, 10, "1")).unwrap();
    let IngestOutcome::Applied { corrections, .. } = outcome else { panic!("applied") };
    // s1 now takes 4 units of the older r1: 4 x 1 = 4 instead of 12.
    assert_eq!(corrections.len(), 1);
    let s1 = corrections.get(0).unwrap();
    assert_eq!((s1.event(), s1.event_id().as_str(), s1.at()), ("s1", "s1", t(6)));
    assert_eq!((s1.before(), s1.after()), (dec("12"), dec("4")));
    assert_eq!(s1.delta(), dec("-8"));
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&corrections).unwrap();
        assert!(json.starts_with(r#"[{"event":"s1","#), "{json}");
        let back: merchantry_ledger::Corrections = serde_json::from_str(&json).unwrap();
        assert_eq!(back, corrections);
    }
}

#[test]
fn transfer_carries_cost_through_in_transit() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    l.ingest(receipt("r1", 1, 10, "2.5")).unwrap();
    let out = EventKind::TransferOut {
        quantity: Quantity::new(4),
        disposition: Disposition::Sellable,
        to: loc("FBA"),
    };
    l.ingest(ev("t-out", 2, out)).unwrap();
    let (wh, fba) = (loc("WH1"), loc("FBA"));
    assert_eq!(l.value(&sku(), &wh, Disposition::Sellable, t(3)), dec("15"));
    assert_eq!(l.value(&sku(), &fba, Disposition::InTransit, t(3)), dec("10"));
    let inn = EventKind::TransferIn {
        quantity: Quantity::new(4),
        from: wh.clone(),
        disposition: Disposition::Sellable,
    };
    l.ingest(Event::new(EventId::new("t-in").unwrap(), t(4), sku(), fba.clone(), inn)).unwrap();
    assert_eq!(l.value(&sku(), &fba, Disposition::Sellable, t(5)), dec("10"));
    assert_eq!(l.balance(&sku(), &fba, Disposition::InTransit, t(5)), Quantity::ZERO);
    assert_eq!(l.value(&sku(), &fba, Disposition::InTransit, t(5)), Decimal::ZERO);
    // Aging still knows these units arrived with r1 at hour 1.
    let lots = l.layers(&sku());
    assert!(lots.iter().all(|x| x.origin.as_str() == "r1" && x.received_at == t(1)));
}

#[test]
fn a_vendor_return_naming_no_earlier_receipt_is_an_unknown_reference() {
    let back = |id: &str, hour, receipt: &str| {
        let kind = EventKind::VendorReturn {
            quantity: Quantity::new(5),
            disposition: Disposition::Sellable,
            cost: VendorReturnCost::Receipt(EventId::new(receipt).unwrap()),
        };
        ev(id, hour, kind)
    };
    let unknown = |id: &str, receipt: &str| LedgerError::UnknownReference {
        id: EventId::new(id).unwrap(),
        reference: receipt.to_owned(),
        expected: "receipt",
        sku: sku(),
    };
    for negative in [NegativeStock::Reject, NegativeStock::AllowWithTrueUp] {
        let mut l = ledger(Method::Fifo, negative);
        l.ingest(receipt("r0", 1, 10, "1")).unwrap();
        let before = l.clone();
        // A typo, a shipment's id, and a receipt that has not arrived yet:
        // none is a receipt before the return, so none is "units gone".
        assert_eq!(l.ingest(back("v1", 4, "r9")).unwrap_err(), unknown("v1", "r9"));
        l.ingest(ship("s1", 2, 1)).unwrap();
        let shipped = l.clone();
        assert_eq!(l.ingest(back("v1", 4, "s1")).unwrap_err(), unknown("v1", "s1"));
        assert_eq!(l.ingest(back("v1", 4, "r1")).unwrap_err(), unknown("v1", "r1"));
        assert_eq!(l, shipped);
        // Once the receipt arrives, the same return is taken at its cost.
        l.ingest(receipt("r1", 3, 5, "3")).unwrap();
        l.ingest(back("v1", 4, "r1")).unwrap();
        assert_eq!(value_now(&l), dec("9"));
        // A receipt stamped after the return does not count as before it.
        let mut late = before.clone();
        late.ingest(receipt("r2", 6, 5, "3")).unwrap();
        assert_eq!(late.ingest(back("v2", 5, "r2")).unwrap_err(), unknown("v2", "r2"));
        // Another SKU's receipt is not this SKU's.
        let mut other = before;
        let cup = Sku::new("CUP").unwrap();
        let kind = EventKind::receipt(Quantity::new(5), dec("2"));
        other.ingest(Event::new(EventId::new("c1").unwrap(), t(2), cup, loc("WH1"), kind)).unwrap();
        assert_eq!(other.ingest(back("v3", 4, "c1")).unwrap_err(), unknown("v3", "c1"));
    }
    // Under the reject policy, with no units at the position at all
    // (an empty ledger, or the receipt at another location), the
    // return names a receipt not there before it: still unknown.
    let mut empty = ledger(Method::Fifo, NegativeStock::Reject);
    assert_eq!(empty.ingest(back("v1", 4, "r1")).unwrap_err(), unknown("v1", "r1"));
    assert!(empty.is_empty());
    // A known receipt whose units the position does not hold is short.
    let mut elsewhere = ledger(Method::Fifo, NegativeStock::Reject);
    let kind = EventKind::receipt(Quantity::new(5), dec("3"));
    elsewhere
        .ingest(Event::new(EventId::new("r1").unwrap(), t(1), sku(), loc("WH2"), kind))
        .unwrap();
    let err = elsewhere.ingest(back("v1", 4, "r1")).unwrap_err();
    assert!(matches!(err, LedgerError::InsufficientStock { .. }), "{err:?}");
    // Units of a known receipt that are truly gone stay a shortfall.
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[receipt("r1", 1, 5, "3"), ship("s1", 2, 5)]);
    let err = l.ingest(back("v1", 3, "r1")).unwrap_err();
    assert!(matches!(err, LedgerError::ReceiptUnitsShort { .. }), "{err:?}");
}

#[test]
fn vendor_return_at_receipt_cost_or_average() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "1"), receipt("r2", 2, 10, "3")]);
    let back = |cost| EventKind::VendorReturn {
        quantity: Quantity::new(5),
        disposition: Disposition::Sellable,
        cost,
    };
    l.ingest(ev("v1", 3, back(VendorReturnCost::Receipt(EventId::new("r2").unwrap())))).unwrap();
    // 5 of r2 at 3 = 15 leave; 40 - 15 = 25 left.
    assert_eq!(value_now(&l), dec("25"));
    l.ingest(ev("v2", 4, back(VendorReturnCost::CurrentAverage))).unwrap();
    // Average 25 / 15 units; 5 leave at 25 x 5 / 15 = 8.33..; the rest stays.
    let flows = l.flows(&sku(), t(0), t(10));
    assert_eq!(flows.vendor_returns + value_now(&l), dec("40"));
    // The share is rounded to 16 places, the remainder stays:
    // 25 - 8.3333333333333333 = 16.6666666666666667.
    assert_eq!(value_now(&l), dec("16.6666666666666667"));
    // FIFO took r1's 5 units (worth 5); r1's other 5 (5) and r2's 5 (15)
    // keep their shares of what is left: 16.6666666666666667 x 5 / 20 =
    // 4.1666666666666667 (rounded at 16 places), r2 the remaining 12.5.
    let layers: Vec<_> = l.layers(&sku()).iter().map(|c| (c.quantity.get(), c.value)).collect();
    assert_eq!(layers, [(5, dec("4.1666666666666667")), (5, dec("12.5"))]);
    // r2 has 5 units left; 6 of them cannot go back, though the position
    // holds 10. The error says so rather than "would go negative".
    let six = EventKind::VendorReturn {
        quantity: Quantity::new(6),
        disposition: Disposition::Sellable,
        cost: VendorReturnCost::Receipt(EventId::new("r2").unwrap()),
    };
    let err = l.ingest(ev("v3", 5, six)).unwrap_err();
    assert_eq!(
        err,
        LedgerError::ReceiptUnitsShort {
            id: EventId::new("v3").unwrap(),
            receipt: "r2".into(),
            sku: sku(),
            location: loc("WH1"),
            disposition: Disposition::Sellable,
            held: 5,
            requested: 6,
        }
    );
}

/// A vendor return at the average takes a cheap layer's units at a dear
/// average: the difference is spread over what stays, by value, so no
/// layer (and no later sale) turns negative. Moving it all onto the next
/// layer left 2 units worth -22.75 and a sale at that cost.
#[test]
fn a_vendor_return_at_the_average_leaves_no_layer_below_zero() {
    for method in [Method::Fifo, Method::Lifo] {
        let mut l = ledger(method, NegativeStock::Reject);
        // LIFO takes the newest layer first: put the cheap one last.
        let (first, second) = if method == Method::Fifo { ("1", "100") } else { ("100", "1") };
        let (a, b) = if method == Method::Fifo { (3, 1) } else { (1, 3) };
        feed(&mut l, &[receipt("r1", 1, a, first), receipt("r2", 2, b, second)]);
        let back = EventKind::VendorReturn {
            quantity: Quantity::new(1),
            disposition: Disposition::Sellable,
            cost: VendorReturnCost::CurrentAverage,
        };
        l.ingest(ev("v1", 3, back)).unwrap();
        // 4 units worth 103: one leaves at 25.75, 77.25 stays. The cheap
        // layer's 2 units (worth 2) and the dear one (100) keep their
        // shares: 77.25 x 2 / 102 = 1.5147058823529412 (16 places), the
        // dear one the rest, 75.7352941176470588.
        let mut layers: Vec<_> =
            l.layers(&sku()).iter().map(|c| (c.quantity.get(), c.value)).collect();
        layers.sort();
        assert_eq!(
            layers,
            [(1, dec("75.7352941176470588")), (2, dec("1.5147058823529412"))],
            "{method:?}"
        );
        l.ingest(ship("s1", 4, 2)).unwrap();
        assert_eq!(cogs_all(&l), dec("1.5147058823529412"), "{method:?}");
        assert_eq!(value_now(&l), dec("75.7352941176470588"), "{method:?}");
    }
}

/// The returns of one shipment add up to at most what it shipped: units
/// that never left have no cost to come back at.
#[test]
fn returns_of_a_shipment_add_up_to_at_most_what_it_shipped() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), ship("s1", 2, 7)]);
    let back = |qty| EventKind::CustomerReturn {
        quantity: Quantity::new(qty),
        channel: ChannelId::new("amazon").unwrap(),
        disposition: Disposition::Sellable,
        shipment: Some(EventId::new("s1").unwrap()),
    };
    l.ingest(ev("ret1", 3, back(3))).unwrap();
    let before = l.clone();
    let err = l.ingest(ev("ret2", 4, back(5))).unwrap_err();
    assert_eq!(
        err,
        LedgerError::ReturnExceedsShipment {
            id: EventId::new("ret2").unwrap(),
            shipment: "s1".into(),
            sku: sku(),
            shipped: 7,
            returned: 3,
            requested: 5,
        }
    );
    assert!(l == before, "a refused return changed the ledger");
    // The other four may come back; a fifth then may not.
    l.ingest(ev("ret2", 4, back(4))).unwrap();
    // 7 x 2 = 14 shipped, all 7 back at 2: COGS 0, 10 units worth 20.
    assert_eq!((cogs_all(&l), value_now(&l)), (Decimal::ZERO, dec("20")));
    assert!(matches!(
        l.ingest(ev("ret3", 5, back(1))),
        Err(LedgerError::ReturnExceedsShipment { returned: 7, .. })
    ));
    // A late return placed before the others makes a later one exceed:
    // refused too, naming the return that no longer fits.
    let late = l.ingest(ev("ret0", 2, back(1))).unwrap_err();
    assert!(
        matches!(&late, LedgerError::ReturnExceedsShipment { id, .. } if id.as_str() == "ret2"),
        "{late:?}"
    );
    assert!(l.ingest(ev("big", 6, back(i64::MAX))).is_err());
}

#[test]
fn reconciliation_and_open_claims() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    l.ingest(receipt("r1", 1, 10, "2")).unwrap();
    let lost = EventKind::Adjustment {
        quantity: Quantity::new(-2),
        reason: AdjustmentReason::Lost,
        disposition: Disposition::Sellable,
        unit_cost: None,
    };
    l.ingest(ev("lost1", 2, lost)).unwrap();
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let counts = vec![StockRecord {
        as_of: day,
        sku: sku(),
        location: loc("WH1"),
        disposition: Disposition::Sellable,
        quantity: Quantity::new(9),
    }];
    let diffs = l.reconcile(&counts, 1);
    assert_eq!(diffs.len(), 1);
    assert_eq!(diffs[0].ledger, Quantity::new(8));
    assert_eq!(diffs[0].nearby.len(), 2);
    let later = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let open = l.unreimbursed(later, 30);
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].value, dec("4"));
    let paid = EventKind::Reimbursement {
        amount: dec("9"),
        units: Quantity::new(2),
        write_off: Some(EventId::new("lost1").unwrap()),
    };
    l.ingest(ev("reimb1", 40, paid)).unwrap();
    assert!(l.unreimbursed(later, 30).is_empty());
    // Asked as of the first day, before the payment (hour 40 is on
    // 2026-01-02), the claim was still open.
    let open = l.unreimbursed(day, 0);
    assert_eq!((open.len(), open[0].reimbursed_units), (1, Quantity::new(0)));
    // Reimbursement is money without units: value unchanged (8 x 2).
    assert_eq!(value_now(&l), dec("16"));
    // A window wider than the calendar takes in every event, not none.
    for window in [100_000_000, u32::MAX] {
        assert_eq!(l.reconcile(&counts, window)[0].nearby.len(), 3, "window {window}");
    }
}

/// Open claims come in time order, then by SKU and id, whatever the
/// order the events arrived in.
#[test]
fn open_claims_do_not_depend_on_arrival_order() {
    let lost = |id: &str, sku: &str| {
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(-1),
            reason: AdjustmentReason::Lost,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        Event::new(EventId::new(id).unwrap(), t(2), Sku::new(sku).unwrap(), loc("WH1"), kind)
    };
    let stock = |id: &str, sku: &str| {
        let kind = EventKind::receipt(Quantity::new(5), dec("2"));
        Event::new(EventId::new(id).unwrap(), t(1), Sku::new(sku).unwrap(), loc("WH1"), kind)
    };
    let events = [stock("ra", "A"), stock("rb", "B"), lost("lb", "B"), lost("la", "A")];
    let later = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let ids = |l: &Ledger| -> Vec<String> {
        l.unreimbursed(later, 0).iter().map(|c| c.write_off.id.to_string()).collect()
    };
    let mut a = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut a, &events);
    let mut b = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut b, &[events[1].clone(), events[0].clone(), events[3].clone(), events[2].clone()]);
    assert_eq!(ids(&a), ["la", "lb"]);
    assert_eq!(ids(&b), ["la", "lb"]);
}

/// An adjustment's sign follows its reason: found units only arrive;
/// lost and disposed units only leave; damaged units leave, or arrive
/// into `Unsellable` (the second half of a damage booked as two rows);
/// a count correction goes either way. Anything else is refused with
/// the event, the reason, the units and the rule, and changes nothing,
/// alone or in a batch.
#[test]
fn an_adjustment_against_its_reasons_direction_is_refused_and_changes_nothing() {
    let adjust = |id: &str, hour: i64, q: i64, reason, disposition| {
        let unit_cost = (q > 0).then(|| dec("2"));
        ev(
            id,
            hour,
            EventKind::Adjustment { quantity: Quantity::new(q), reason, disposition, unit_cost },
        )
    };
    let (sellable, unsellable) = (Disposition::Sellable, Disposition::Unsellable);
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    l.ingest(receipt("r1", 1, 10, "2")).unwrap();
    let refused = [
        (
            adjust("lost-up", 2, 3, AdjustmentReason::Lost, sellable),
            "lost units only leave; units found again are a Found adjustment",
        ),
        (
            adjust("disposed-up", 2, 1, AdjustmentReason::Disposed, unsellable),
            "disposed units only leave",
        ),
        (
            adjust("damaged-up", 2, 1, AdjustmentReason::Damaged, sellable),
            "damaged units arrive only into unsellable",
        ),
        (
            adjust("found-down", 2, -2, AdjustmentReason::Found, sellable),
            "found units only arrive; units that leave again are lost, damaged, disposed of or counted away",
        ),
    ];
    for (event, rule) in refused {
        let before = l.clone();
        let EventKind::Adjustment { quantity, reason, disposition, .. } = event.kind else {
            unreachable!()
        };
        let want = LedgerError::AdjustmentDirection {
            id: event.id.clone(),
            reason,
            quantity: quantity.get(),
            disposition,
            rule,
        };
        assert!(!reason.admits(quantity, disposition), "{}", event.id);
        assert_eq!(l.ingest(event.clone()).unwrap_err(), want);
        assert_eq!(l, before);
        // In a batch after an event that is fine, the whole batch is refused.
        let batch = vec![ship("s-batch", 3, 1), event];
        assert_eq!(l.ingest_batch(batch).unwrap_err(), want);
        assert_eq!(l, before);
    }
    assert_eq!(
        LedgerError::AdjustmentDirection {
            id: EventId::new("lost-up").unwrap(),
            reason: AdjustmentReason::Lost,
            quantity: 3,
            disposition: sellable,
            rule: "lost units only leave; units found again are a Found adjustment",
        }
        .to_string(),
        "event lost-up: adjustment of +3 units (sellable) with reason Lost: \
         lost units only leave; units found again are a Found adjustment"
    );
    // Every direction the reasons allow is accepted.
    let accepted = [
        adjust("lost", 2, -2, AdjustmentReason::Lost, sellable),
        adjust("damaged", 3, -1, AdjustmentReason::Damaged, sellable),
        adjust("damaged-in", 3, 1, AdjustmentReason::Damaged, unsellable),
        adjust("disposed", 4, -1, AdjustmentReason::Disposed, unsellable),
        adjust("found", 5, 1, AdjustmentReason::Found, sellable),
        adjust("count-up", 6, 2, AdjustmentReason::CountCorrection, sellable),
        adjust("count-down", 7, -3, AdjustmentReason::CountCorrection, sellable),
    ];
    for event in accepted {
        let EventKind::Adjustment { quantity, reason, disposition, .. } = event.kind else {
            unreachable!()
        };
        assert!(reason.admits(quantity, disposition), "{}", event.id);
        l.ingest(event).unwrap();
    }
    // 10 @ 2; -2 lost, -1 damaged, +1 found, +2 and -3 counted: 7 @ 2.
    assert_eq!(l.balance(&sku(), &loc("WH1"), sellable, t(100)), Quantity::new(7));
    assert_eq!(value_now(&l), dec("14"));
    // The damaged unit came into unsellable at 2 and was disposed of.
    assert_eq!(l.balance(&sku(), &loc("WH1"), unsellable, t(100)), Quantity::ZERO);
    // Only the two write-offs are claims (2 x 2 and 1 x 2).
    let later = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
    let open: Vec<(String, Decimal)> =
        l.unreimbursed(later, 0).iter().map(|c| (c.write_off.id.to_string(), c.value)).collect();
    assert_eq!(open, [("lost".to_owned(), dec("4")), ("damaged".to_owned(), dec("2"))]);
}

/// Over every reason, sign and held disposition, the ledger refuses an
/// adjustment for its direction exactly when its reason does not admit
/// it: 25 of the 40 (Found 4 up, Lost 4 down, Damaged 4 down and 1 up
/// into unsellable, Disposed 4 down, CountCorrection all 8).
#[test]
fn the_ledger_refuses_exactly_the_adjustments_their_reason_does_not_admit() {
    let reasons = AdjustmentReason::ALL;
    let held = [
        Disposition::Sellable,
        Disposition::Reserved,
        Disposition::Inbound,
        Disposition::Unsellable,
    ];
    let mut admitted = 0;
    for reason in reasons {
        for disposition in held {
            for q in [-1, 1] {
                let quantity = Quantity::new(q);
                let kind = EventKind::Adjustment { quantity, reason, disposition, unit_cost: None };
                let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
                let result = l.ingest(ev("a", 1, kind));
                let refused = matches!(result, Err(LedgerError::AdjustmentDirection { .. }));
                assert_eq!(
                    refused,
                    !reason.admits(quantity, disposition),
                    "{reason:?} {q} {disposition}"
                );
                assert!(refused || result.is_ok(), "{result:?}");
                admitted += usize::from(!refused);
            }
        }
    }
    assert_eq!(admitted, 25);
}

/// `AdjustmentReason::admits` answers what ingest decides from an
/// adjustment's reason, units and disposition alone: over every reason,
/// every disposition and -2 to 2 units (and `i64::MIN`, whose size no
/// `i64` holds), it admits an adjustment exactly when a ledger holding
/// stock in every disposition it can hold accepts it, or refuses it
/// only for want of stock. Zero units and the in-transit position are
/// never admitted (in-transit units move by transfer).
#[test]
fn admits_agrees_with_ingest_for_every_reason_units_and_disposition() {
    let reasons = AdjustmentReason::ALL;
    let mut stocked = ledger(Method::Fifo, NegativeStock::Reject);
    let held = Disposition::ALL.iter().filter(|&&d| d != Disposition::InTransit);
    for (i, &disposition) in held.enumerate() {
        let kind = EventKind::Receipt {
            quantity: Quantity::new(10),
            unit_cost: dec("2"),
            disposition,
            purchase_order: None,
        };
        stocked.ingest(ev(&format!("r{i}"), 1, kind)).unwrap();
    }
    let mut admitted = 0;
    for reason in reasons {
        for disposition in Disposition::ALL {
            for q in [i64::MIN, -2, -1, 0, 1, 2] {
                let quantity = Quantity::new(q);
                let unit_cost = Some(dec("2"));
                let kind = EventKind::Adjustment { quantity, reason, disposition, unit_cost };
                let mut l = stocked.clone();
                let result = l.ingest(ev("a", 2, kind));
                let accepted = matches!(result, Ok(_) | Err(LedgerError::InsufficientStock { .. }));
                assert_eq!(
                    reason.admits(quantity, disposition),
                    accepted,
                    "{reason:?} {q} {disposition}: {result:?}"
                );
                if result.is_err() {
                    assert_eq!(l, stocked, "{reason:?} {q} {disposition}");
                }
                admitted += usize::from(accepted);
            }
        }
    }
    // Found 8 (up, 4 dispositions x 2 sizes), Lost 8 and Disposed 8
    // (down), Damaged 10 (down, and up into unsellable), CountCorrection 16.
    assert_eq!(admitted, 50);
}

/// A reimbursement covers the units it names, in cash and in kind alike
/// (Amazon's `quantity-reimbursed-total`); one of money alone (no units,
/// a positive amount) that names a write-off settles that write-off's
/// claim whole; one of no units and no money settles nothing.
#[test]
fn a_payment_of_money_alone_naming_a_write_off_settles_its_claim() {
    let lost = |id: &str, hour: i64, q: i64, reason| {
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(-q),
            reason,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        ev(id, hour, kind)
    };
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[
            receipt("r1", 1, 20, "2"),
            lost("lost1", 2, 3, AdjustmentReason::Lost),
            lost("dmg1", 2, 2, AdjustmentReason::Damaged),
            lost("lost2", 3, 4, AdjustmentReason::Lost),
            // Day 2: one unit of lost1 in cash.
            pay("p1", 30, "lost1", 1, "2.50"),
            // Day 3: money alone for the rest of lost1; nothing at all
            // for dmg1.
            pay("p2", 60, "lost1", 0, "5.00"),
            pay("p3", 60, "dmg1", 0, "0"),
            // Day 3: 2 units in cash and 2 in kind for lost2, paid 5.00.
            pay("p4", 61, "lost2", 4, "5.00"),
        ],
    );
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let open = |d| -> Vec<(String, i64, i64, Decimal)> {
        l.unreimbursed(day(d), 0)
            .into_iter()
            .map(|c| {
                let id = c.write_off.id.to_string();
                (id, c.units.get(), c.reimbursed_units.get(), c.reimbursed_amount)
            })
            .collect()
    };
    assert_eq!(
        open(2),
        [
            // dmg1 and lost1 are stamped alike: by id.
            ("dmg1".to_owned(), 2, 0, dec("0")),
            ("lost1".to_owned(), 3, 1, dec("2.50")),
            ("lost2".to_owned(), 4, 0, dec("0")),
        ]
    );
    // Day 3: lost1 settled by money (1 unit + 5.00 of no stated units),
    // lost2 by its 4 units; dmg1 is paid nothing, so still open.
    assert_eq!(open(3), [("dmg1".to_owned(), 2, 0, dec("0"))]);
    // Settling paid nothing more than it says: no claim is over-paid.
    assert!(l.overreimbursed(day(3)).is_empty());
}

/// Reimbursed units beyond the units written off are reported by
/// `overreimbursed` (the marketplace may take them back), as of a day;
/// a reimbursement filed under another SKU counts for the write-off it
/// names (a SKU renamed under one FNSKU).
#[test]
fn write_offs_reimbursed_for_more_units_than_they_lost_are_listed() {
    let lost = |id: &str, hour: i64, q: i64| {
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(-q),
            reason: AdjustmentReason::Lost,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        ev(id, hour, kind)
    };
    let pay = |id: &str, hour: i64, sku: &str, write_off: &str, units: i64, amount: &str| {
        let kind = EventKind::Reimbursement {
            amount: dec(amount),
            units: Quantity::new(units),
            write_off: Some(EventId::new(write_off).unwrap()),
        };
        Event::new(EventId::new(id).unwrap(), t(hour), Sku::new(sku).unwrap(), loc("WH1"), kind)
    };
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[
            receipt("r1", 1, 10, "2"),
            lost("lost1", 2, 2),
            lost("lost2", 3, 1),
            lost("lost3", 4, 1),
            // Day 2: lost1 paid 1 of 2 units; lost2 paid its 1 unit under
            // the SKU's new name; lost3 paid 2 units for 1 lost.
            pay("p1", 30, "MUG", "lost1", 1, "5.00"),
            pay("p2", 30, "MUG-NEW", "lost2", 1, "4.00"),
            pay("p3", 31, "MUG-NEW", "lost3", 2, "7.00"),
            // Day 3: 2 more units for lost1, 3 in all for 2 lost.
            pay("p4", 60, "MUG", "lost1", 2, "9.00"),
        ],
    );
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let over = |d| -> Vec<(String, i64, i64, Decimal, Decimal)> {
        l.overreimbursed(day(d))
            .into_iter()
            .map(|c| {
                let id = c.write_off.id.to_string();
                (id, c.units.get(), c.reimbursed_units.get(), c.reimbursed_amount, c.value)
            })
            .collect()
    };
    assert!(over(1).is_empty());
    assert_eq!(over(2), [("lost3".to_owned(), 1, 2, dec("7.00"), dec("2"))]);
    assert_eq!(
        over(3),
        [
            ("lost1".to_owned(), 2, 3, dec("14.00"), dec("4")),
            ("lost3".to_owned(), 1, 2, dec("7.00"), dec("2")),
        ]
    );
    // An over-paid claim is not open; lost1 was open on day 2.
    let open = |d| -> Vec<String> {
        l.unreimbursed(day(d), 0).iter().map(|c| c.write_off.id.to_string()).collect()
    };
    assert_eq!(open(2), ["lost1"]);
    assert!(open(3).is_empty());
    assert!(l.unmatched_reimbursements().is_empty());
}

/// A reimbursement of `units` and `amount` for write-off `write_off`, on
/// SKU MUG at WH1.
fn pay(id: &str, hour: i64, write_off: &str, units: i64, amount: &str) -> Event {
    let kind = EventKind::Reimbursement {
        amount: dec(amount),
        units: Quantity::new(units),
        write_off: Some(EventId::new(write_off).unwrap()),
    };
    ev(id, hour, kind)
}

/// An adjustment at `place`: `units` signed, with `reason`, in sellable.
fn adjust_at(id: &str, hour: i64, place: &str, units: i64, reason: AdjustmentReason) -> Event {
    let kind = EventKind::Adjustment {
        quantity: Quantity::new(units),
        reason,
        disposition: Disposition::Sellable,
        unit_cost: None,
    };
    Event::new(EventId::new(id).unwrap(), t(hour), sku(), loc(place), kind)
}

/// Each open claim as (id, units written off, units found again, units
/// reimbursed).
fn open_rows(l: &Ledger, day: NaiveDate, days: u32) -> Vec<(String, i64, i64, i64)> {
    claim_rows(l.unreimbursed(day, days))
}

fn claim_rows(claims: Vec<merchantry_ledger::OpenClaim>) -> Vec<(String, i64, i64, i64)> {
    claims
        .into_iter()
        .map(|c| {
            let id = c.write_off.id.to_string();
            (id, c.units.get(), c.found_units.get(), c.reimbursed_units.get())
        })
        .collect()
}

/// A reversal of `units` and `amount` (zero or below) from write-off
/// `write_off`, filed under `sku` at WH1.
fn reverse(id: &str, hour: i64, sku: &str, write_off: &str, units: i64, amount: &str) -> Event {
    let kind = EventKind::reimbursement_reversal(
        dec(amount),
        Quantity::new(units),
        EventId::new(write_off).unwrap(),
    );
    Event::new(EventId::new(id).unwrap(), t(hour), Sku::new(sku).unwrap(), loc("WH1"), kind)
}

/// Each claim as (id, units written off, units found again, units
/// reimbursed, amount reimbursed).
fn paid_rows(claims: Vec<merchantry_ledger::OpenClaim>) -> Vec<(String, i64, i64, i64, Decimal)> {
    claims
        .into_iter()
        .map(|c| {
            let id = c.write_off.id.to_string();
            let (units, found) = (c.units.get(), c.found_units.get());
            (id, units, found, c.reimbursed_units.get(), c.reimbursed_amount)
        })
        .collect()
}

/// A FIFO ledger (rejecting negative stock) that received 10 at 2.00 in
/// hour 1 and lost `units` (negative) of them as `lost1` in hour 2, then
/// took `then`: the start of the reversal cases.
fn lost_of_ten(units: i64, then: &[Event]) -> Ledger {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[receipt("r1", 1, 10, "2"), adjust_at("lost1", 2, "WH1", units, AdjustmentReason::Lost)],
    );
    feed(&mut l, then);
    l
}

/// Hand worked: 10 received at 2, 3 lost on day 1 and paid for (3 units,
/// 30.00) on day 2; 1 found on day 3, so the claim is over-paid by 1;
/// Amazon takes that unit back with its 10.00 on day 4, and the claim is
/// neither over-paid nor open. The reversal reaches no flow, and comes
/// back from `events` and a snapshot as it went in.
#[test]
fn a_reversal_of_a_unit_found_again_ends_the_over_payment() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let mut l = lost_of_ten(
        -3,
        &[
            pay("p1", 26, "lost1", 3, "30.00"),
            adjust_at("found1", 50, "WH1", 1, AdjustmentReason::Found),
        ],
    );
    let row = |reimbursed: i64, amount: &str| ("lost1".to_owned(), 3, 1, reimbursed, dec(amount));
    assert_eq!(paid_rows(l.overreimbursed(day(3))), [row(3, "30.00")]);
    let flows = l.flows(&sku(), t(-1), t(10_000));
    let back = reverse("rev1", 74, "MUG", "lost1", -1, "-10.00");
    assert_eq!(
        l.ingest(back.clone()).unwrap(),
        IngestOutcome::Applied { corrections: Default::default(), true_ups: Vec::new() }
    );
    assert!(l.overreimbursed(day(4)).is_empty());
    assert!(l.unreimbursed(day(4), 0).is_empty());
    // As of day 3 the reversal had not happened.
    assert_eq!(paid_rows(l.overreimbursed(day(3))), [row(3, "30.00")]);
    // Reimbursements move no value: neither does their reversal.
    assert_eq!(l.flows(&sku(), t(-1), t(10_000)), flows);
    assert_eq!(l.cost_lines(&sku(), t(-1), t(10_000)), []);
    assert_eq!(l.events(&sku()).last(), Some(&back));
    assert_eq!(l.ingest(back).unwrap(), IngestOutcome::Duplicate);
    // Had Amazon taken back the 2 units still lost too, the claim would
    // be open for them again.
    let mut more = l.clone();
    more.ingest(reverse("rev2", 75, "MUG", "lost1", -2, "-20.00")).unwrap();
    assert_eq!(paid_rows(more.unreimbursed(day(4), 0)), [row(0, "0.00")]);
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&l).unwrap();
        let restored: Ledger = serde_json::from_str(&json).unwrap();
        assert!(restored == l);
        assert_eq!(restored.events(&sku()), l.events(&sku()));
        assert!(restored.overreimbursed(day(4)).is_empty());
    }
}

/// A reversal may take back at most what the reimbursements naming its
/// write-off paid, in units and in money: one taking more is refused,
/// alone or in a batch, and changes nothing. One arriving before the
/// payment it reverses is refused so, and taken once sent again after
/// it; within one batch the order does not matter.
#[test]
fn a_reversal_taking_back_more_than_was_paid_is_refused_and_changes_nothing() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    let lost = adjust_at("lost1", 2, "WH1", -3, AdjustmentReason::Lost);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), lost]);
    // Nothing paid yet: a reversal arriving first is refused.
    let early = reverse("rev1", 30, "MUG", "lost1", -1, "-10.00");
    let want = LedgerError::ReversalExceedsPaid {
        id: EventId::new("rev1").unwrap(),
        write_off: EventId::new("lost1").unwrap(),
        amount: dec("-10.00"),
        units: -1,
        paid_amount: Decimal::ZERO,
        paid_units: 0,
    };
    let before = l.clone();
    assert_eq!(l.ingest(early.clone()).unwrap_err(), want);
    assert_eq!(l, before);
    assert_eq!(
        want.to_string(),
        "event rev1: a reversal of -10.00 for -1 units of write-off lost1 takes back more \
         than its reimbursements paid (0 for 0 units)"
    );
    // In one batch with the payment, after it in the input or before.
    let payment = pay("p1", 26, "lost1", 3, "30.00");
    let mut batched = l.clone();
    batched.ingest_batch([early.clone(), payment.clone()]).unwrap();
    l.ingest(payment).unwrap();
    l.ingest(early).unwrap();
    assert!(batched == l);
    // 1 unit and 10.00 taken back of 3 and 30.00: 2 and 20.00 are left.
    let before = l.clone();
    let refused = [
        (reverse("rev2", 40, "MUG", "lost1", -3, "-10.00"), -3, "-10.00"),
        (reverse("rev3", 40, "MUG", "lost1", -1, "-20.01"), -1, "-20.01"),
        (reverse("rev4", 40, "MUG", "lost1", 0, "-20.01"), 0, "-20.01"),
        (reverse("rev5", 40, "MUG-NEW", "lost1", -3, "0"), -3, "0"),
        // Backdated: the totals count every payment, whatever its time.
        (reverse("rev6", 3, "MUG", "lost1", -3, "-30.00"), -3, "-30.00"),
    ];
    for (event, units, amount) in refused {
        let want = LedgerError::ReversalExceedsPaid {
            id: event.id.clone(),
            write_off: EventId::new("lost1").unwrap(),
            amount: dec(amount),
            units,
            paid_amount: dec("20.00"),
            paid_units: 2,
        };
        assert_eq!(l.ingest(event.clone()).unwrap_err(), want);
        assert_eq!(l, before);
        assert_eq!(l.ingest_batch([receipt("r2", 50, 1, "2"), event]).unwrap_err(), want);
        assert_eq!(l, before);
    }
    // Two that fit alone but not together, in one batch: the later of
    // them in the input is named, with what the others paid.
    let pair = [
        reverse("rev7", 41, "MUG", "lost1", -2, "-5.00"),
        reverse("rev8", 40, "MUG", "lost1", -1, "-5.00"),
    ];
    let want = LedgerError::ReversalExceedsPaid {
        id: EventId::new("rev8").unwrap(),
        write_off: EventId::new("lost1").unwrap(),
        amount: dec("-5.00"),
        units: -1,
        paid_amount: dec("15.00"),
        paid_units: 0,
    };
    assert_eq!(l.ingest_batch(pair).unwrap_err(), want);
    assert_eq!(l, before);
    // All that is left can be taken back, and then nothing more.
    l.ingest(reverse("rev9", 40, "MUG", "lost1", -2, "-20.00")).unwrap();
    let last = reverse("rev10", 41, "MUG", "lost1", 0, "-0.01");
    assert!(matches!(l.ingest(last), Err(LedgerError::ReversalExceedsPaid { .. })));
}

/// The totals a reversal is checked against count every payment
/// recorded, whatever its timestamp: a reversal stamped before the
/// payment it takes back from, arriving after it, is taken, and a claim
/// asked about between the two shows the units taken back without the
/// payment (the README says so).
#[test]
fn a_reversal_stamped_before_its_payment_is_checked_against_every_payment() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let l = lost_of_ten(
        -2,
        &[pay("p1", 50, "lost1", 2, "20.00"), reverse("rev1", 26, "MUG", "lost1", -1, "-10.00")],
    );
    let row = |reimbursed: i64, amount: &str| ("lost1".to_owned(), 2, 0, reimbursed, dec(amount));
    assert_eq!(paid_rows(l.unreimbursed(day(2), 0)), [row(-1, "-10.00")]);
    assert_eq!(paid_rows(l.unreimbursed(day(3), 0)), [row(1, "10.00")]);
}

/// A reversal must name the write-off it takes back from: with none
/// there is nothing to take back, and it is refused.
#[test]
fn a_reversal_naming_no_write_off_is_refused() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2")]);
    let before = l.clone();
    for (units, amount) in [(-1, "-10.00"), (0, "-10.00"), (-1, "0")] {
        let kind = EventKind::Reimbursement {
            amount: dec(amount),
            units: Quantity::new(units),
            write_off: None,
        };
        let want = LedgerError::ReversalWithoutWriteOff {
            id: EventId::new("rev1").unwrap(),
            amount: dec(amount),
            units,
        };
        assert_eq!(l.ingest(ev("rev1", 2, kind.clone())).unwrap_err(), want);
        assert_eq!(l, before);
        assert_eq!(l.ingest_batch([ev("rev1", 2, kind)]).unwrap_err(), want);
        assert_eq!(l, before);
    }
    let kind = EventKind::Reimbursement {
        amount: dec("-10.00"),
        units: Quantity::new(-1),
        write_off: None,
    };
    assert_eq!(
        l.ingest(ev("rev1", 2, kind)).unwrap_err().to_string(),
        "event rev1: a reversal of -10.00 for -1 units names no write-off to take them back from"
    );
}

/// The totals a reversal takes back from are those of every
/// reimbursement naming its write-off, whatever SKU each is filed
/// under: a payment filed under the SKU's new name is taken back by a
/// reversal under the old one, and the claim, still lost, is open
/// again. A snapshot lists the reversal's SKU before the payment's and
/// restores all the same.
#[test]
fn a_reversal_takes_back_a_payment_filed_under_another_sku() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let mut l = lost_of_ten(
        -2,
        &[
            // A reimbursement of nothing is a payment, not a reversal.
            reverse("p1", 26, "MUG-NEW", "lost1", 0, "0"),
        ],
    );
    let paid = EventKind::Reimbursement {
        amount: dec("20.00"),
        units: Quantity::new(2),
        write_off: Some(EventId::new("lost1").unwrap()),
    };
    let payment = Event::new(
        EventId::new("p2").unwrap(),
        t(27),
        Sku::new("MUG-NEW").unwrap(),
        loc("WH1"),
        paid,
    );
    l.ingest(payment).unwrap();
    assert!(l.unreimbursed(day(2), 0).is_empty());
    l.ingest(reverse("rev1", 50, "MUG", "lost1", -2, "-20.00")).unwrap();
    let open = ("lost1".to_owned(), 2, 0, 0, dec("0.00"));
    assert_eq!(paid_rows(l.unreimbursed(day(3), 0)), std::slice::from_ref(&open));
    assert!(l.unreimbursed(day(2), 0).is_empty());
    assert!(l.overreimbursed(day(3)).is_empty());
    assert!(l.unmatched_reimbursements().is_empty());
    #[cfg(feature = "serde")]
    {
        let json = serde_json::to_string(&l).unwrap();
        assert!(json.find("rev1") < json.find("p2"));
        let restored: Ledger = serde_json::from_str(&json).unwrap();
        assert!(restored == l);
        assert_eq!(paid_rows(restored.unreimbursed(day(3), 0)), [open]);
    }
}

/// A payment of money alone settles a claim whole until a reversal of no
/// units takes that money back: taken back in part, the rest still
/// settles it; taken back whole, the claim is open again, and a loss
/// found whole is no longer over-paid.
#[test]
fn a_reversal_of_money_alone_reopens_the_claim() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let mut l = lost_of_ten(-2, &[pay("p1", 26, "lost1", 0, "15.00")]);
    assert!(l.unreimbursed(day(2), 0).is_empty());
    l.ingest(reverse("rev1", 50, "MUG", "lost1", 0, "-5.00")).unwrap();
    assert!(l.unreimbursed(day(3), 0).is_empty());
    l.ingest(reverse("rev2", 74, "MUG", "lost1", 0, "-10.00")).unwrap();
    let open = ("lost1".to_owned(), 2, 0, 0, dec("0.00"));
    assert_eq!(paid_rows(l.unreimbursed(day(4), 0)), [open]);
    // Found whole after money alone: over-paid until the money goes back.
    let mut found = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut found,
        &[
            receipt("r1", 1, 10, "2"),
            adjust_at("lost1", 2, "WH1", -2, AdjustmentReason::Lost),
            pay("p1", 26, "lost1", 0, "15.00"),
            adjust_at("found1", 30, "WH1", 2, AdjustmentReason::Found),
        ],
    );
    assert_eq!(found.overreimbursed(day(2)).len(), 1);
    found.ingest(reverse("rev1", 50, "MUG", "lost1", 0, "-15.00")).unwrap();
    assert!(found.overreimbursed(day(3)).is_empty());
    assert!(found.unreimbursed(day(3), 0).is_empty());
}

/// Units lost and found again whole are no claim: 10 received, 3 lost
/// on day 2 and found on day 3 leave nothing open on day 20, though a
/// 7-day window reaches back past the loss.
#[test]
fn a_loss_found_again_whole_is_no_longer_open() {
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[
            receipt("r1", 1, 10, "2"),
            adjust_at("lost", 24, "WH1", -3, AdjustmentReason::Lost),
            adjust_at("found", 48, "WH1", 3, AdjustmentReason::Found),
        ],
    );
    assert_eq!(
        l.balance(&sku(), &loc("WH1"), Disposition::Sellable, t(24 * 20)),
        Quantity::new(10)
    );
    assert_eq!(open_rows(&l, day(2), 0), [("lost".to_owned(), 3, 0, 0)]);
    assert!(open_rows(&l, day(3), 0).is_empty());
    assert!(open_rows(&l, day(20), 7).is_empty());
    assert!(l.overreimbursed(day(20)).is_empty());
}

/// Units found reverse the lost write-offs of their SKU at their
/// location stamped at or before them, oldest first; what is found
/// beyond those nets against nothing. Damaged units and shortfalls are
/// not netted, nor are losses elsewhere; a window of days lists older
/// write-offs, but counts what was found up to the day asked about.
#[test]
fn units_found_again_reverse_the_oldest_losses_at_their_location() {
    let send = EventKind::TransferOut {
        quantity: Quantity::new(5),
        disposition: Disposition::Sellable,
        to: loc("FBA"),
    };
    let short = EventKind::InboundShortfall {
        quantity: Quantity::new(2),
        shipment: merchantry_core::PurchaseOrderId::new("FBA15").unwrap(),
    };
    let at_fba = |id: &str, hour, kind| {
        Event::new(EventId::new(id).unwrap(), t(hour), sku(), loc("FBA"), kind)
    };
    let fba_receipt = EventKind::receipt(Quantity::new(20), dec("2"));
    let (lost, found) = (AdjustmentReason::Lost, AdjustmentReason::Found);
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[
            receipt("r1", 1, 20, "2"),
            at_fba("r2", 1, fba_receipt),
            ev("send", 1, send),
            // Found before any loss: it reverses none.
            adjust_at("found-0", 2, "FBA", 1, found),
            adjust_at("lost-a", 3, "FBA", -3, lost),
            adjust_at("dmg", 3, "FBA", -2, AdjustmentReason::Damaged),
            at_fba("short", 3, short),
            adjust_at("lost-b", 5, "FBA", -2, lost),
            adjust_at("lost-w", 5, "WH1", -1, lost),
            // Day 2: 4 found, lost-a's 3 and 1 of lost-b's.
            adjust_at("found-1", 30, "FBA", 4, found),
            // Day 3: 5 found, lost-b's last and 4 beyond every loss.
            adjust_at("found-2", 60, "FBA", 5, found),
        ],
    );
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let row = |id: &str, units, found| (id.to_owned(), units, found, 0);
    let untouched = [row("dmg", 2, 0), row("short", 2, 0)];
    assert_eq!(
        open_rows(&l, day(1), 0),
        [
            row("dmg", 2, 0),
            row("lost-a", 3, 0),
            row("short", 2, 0),
            row("lost-b", 2, 0),
            row("lost-w", 1, 0)
        ]
    );
    assert_eq!(
        open_rows(&l, day(2), 0),
        [untouched[0].clone(), untouched[1].clone(), row("lost-b", 2, 1), row("lost-w", 1, 0)]
    );
    let settled = [untouched[0].clone(), untouched[1].clone(), row("lost-w", 1, 0)];
    assert_eq!(open_rows(&l, day(3), 0), settled);
    // Stamped by day 1, as found by day 3.
    assert_eq!(open_rows(&l, day(3), 2), settled);
    // Nothing found was paid for: nothing is over-reimbursed.
    assert!(l.overreimbursed(day(3)).is_empty());
    // The found units are stock like any other: 20 + 1 - 3 - 2 - 2 + 4 + 5 at FBA.
    assert_eq!(l.balance(&sku(), &loc("FBA"), Disposition::Sellable, t(100)), Quantity::new(23));
}

/// Found units reverse the oldest losses whether or not those were
/// reimbursed: a loss paid for and then found again is over-reimbursed
/// by the units found (the marketplace takes their payment back), and
/// one found whole after a payment of money alone is listed with that
/// money; a loss found whole and never paid is neither open nor over.
#[test]
fn a_loss_reimbursed_and_then_found_again_is_overreimbursed() {
    let (lost, found) = (AdjustmentReason::Lost, AdjustmentReason::Found);
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(
        &mut l,
        &[
            receipt("r1", 1, 20, "2"),
            adjust_at("lost1", 2, "WH1", -3, lost),
            pay("p1", 3, "lost1", 3, "15.00"),
            adjust_at("lost2", 4, "WH1", -2, lost),
            adjust_at("lost3", 5, "WH1", -1, lost),
            pay("p3", 6, "lost3", 0, "4.00"),
            // Day 2: lost1, the oldest, found whole though paid for.
            adjust_at("found-1", 30, "WH1", 3, found),
            // Day 3: lost2 and lost3 found whole.
            adjust_at("found-2", 60, "WH1", 3, found),
        ],
    );
    let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let over = |d| {
        let rows = l.overreimbursed(day(d)).into_iter().map(|c| {
            let id = c.write_off.id.to_string();
            (id, c.net_units().get(), c.reimbursed_units.get(), c.reimbursed_amount)
        });
        rows.collect::<Vec<_>>()
    };
    // Day 1: lost1 paid in full, lost3 settled by money alone.
    assert!(over(1).is_empty());
    assert_eq!(open_rows(&l, day(1), 0), [("lost2".to_owned(), 2, 0, 0)]);
    // Day 2: lost1 has no unit still lost, and 3 paid for.
    assert_eq!(over(2), [("lost1".to_owned(), 0, 3, dec("15.00"))]);
    assert_eq!(open_rows(&l, day(2), 0), [("lost2".to_owned(), 2, 0, 0)]);
    // Day 3: lost3's money paid for a unit found again; lost2 is done.
    assert_eq!(
        over(3),
        [("lost1".to_owned(), 0, 3, dec("15.00")), ("lost3".to_owned(), 0, 0, dec("4.00"))]
    );
    assert!(open_rows(&l, day(3), 0).is_empty());
}

// ---- shortfalls received late ---------------------------------------------

/// Fifteen units sent from WH1 to FBA at hour 1: 7 arrive at hour 2, 3
/// are booked missing from `shipment` at hour 3 (event `short`), and 5
/// are still on their way (for the shortfalls a test adds).
fn shipment_received_short(shipment: &str) -> Vec<Event> {
    let send = EventKind::TransferOut {
        quantity: Quantity::new(15),
        disposition: Disposition::Sellable,
        to: loc("FBA"),
    };
    let arrive = EventKind::TransferIn {
        quantity: Quantity::new(7),
        from: loc("WH1"),
        disposition: Disposition::Sellable,
    };
    let at_fba = Event::new(EventId::new("got").unwrap(), t(2), sku(), loc("FBA"), arrive);
    vec![receipt("r1", 0, 20, "2"), ev("send", 1, send), at_fba, shortfall("short", 3, 3, shipment)]
}

/// A receipt at `place` of `units` at 2 each naming `shipment` as its
/// purchase order.
fn received_against(id: &str, hour: i64, place: &str, units: i64, shipment: &str) -> Event {
    let kind = EventKind::Receipt {
        quantity: Quantity::new(units),
        unit_cost: dec("2"),
        disposition: Disposition::Sellable,
        purchase_order: Some(merchantry_core::PurchaseOrderId::new(shipment).unwrap()),
    };
    Event::new(EventId::new(id).unwrap(), t(hour), sku(), loc(place), kind)
}

/// An inbound shortfall at FBA of `units` of `shipment`.
fn shortfall(id: &str, hour: i64, units: i64, shipment: &str) -> Event {
    let kind = EventKind::InboundShortfall {
        quantity: Quantity::new(units),
        shipment: merchantry_core::PurchaseOrderId::new(shipment).unwrap(),
    };
    Event::new(EventId::new(id).unwrap(), t(hour), sku(), loc("FBA"), kind)
}

/// Each claim as (id, units short, units received late, units still
/// short, units reimbursed).
fn late_rows(claims: Vec<merchantry_ledger::OpenClaim>) -> Vec<(String, i64, i64, i64, i64)> {
    claims
        .into_iter()
        .map(|c| {
            let id = c.write_off.id.to_string();
            let (units, late, net) =
                (c.units.get(), c.received_late_units.get(), c.net_units().get());
            // What came back and what is still lost make the units.
            assert_eq!(c.units_back().get(), late + c.found_units.get());
            assert_eq!(c.units_back().get() + net, units);
            (id, units, late, net, c.reimbursed_units.get())
        })
        .collect()
}

fn jan(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, d).unwrap()
}

/// Three units of FBA15 short on day 1, 2 of them received on day 2:
/// the shortfall stays open for the third, whatever the window.
#[test]
fn a_shortfall_received_late_in_part_is_open_for_the_rest() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &shipment_received_short("FBA15"));
    feed(&mut l, &[received_against("late", 30, "FBA", 2, "FBA15")]);
    let row = |late, net| vec![("short".to_owned(), 3, late, net, 0)];
    assert_eq!(late_rows(l.unreimbursed(jan(1), 0)), row(0, 3));
    assert_eq!(late_rows(l.unreimbursed(jan(2), 0)), row(2, 1));
    assert_eq!(late_rows(l.unreimbursed(jan(5), 3)), row(2, 1));
    assert!(l.overreimbursed(jan(2)).is_empty());
}

/// A shortfall whose units all arrive later is no claim from then on;
/// units received beyond it net against nothing.
#[test]
fn a_shortfall_received_late_whole_is_no_longer_open() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &shipment_received_short("FBA15"));
    feed(
        &mut l,
        &[
            received_against("late-1", 30, "FBA", 1, "FBA15"),
            received_against("late-2", 60, "FBA", 4, "FBA15"),
        ],
    );
    assert_eq!(late_rows(l.unreimbursed(jan(2), 0)), [("short".to_owned(), 3, 1, 2, 0)]);
    assert!(l.unreimbursed(jan(3), 0).is_empty());
    assert!(l.unreimbursed(jan(20), 10).is_empty());
    assert!(l.overreimbursed(jan(20)).is_empty());
}

/// Only a receipt naming the shortfall's shipment closes it: one of
/// another shipment, or of none, is other stock.
#[test]
fn a_receipt_of_another_shipment_does_not_reduce_a_shortfall() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &shipment_received_short("FBA15"));
    let unnamed = Event::new(
        EventId::new("plain").unwrap(),
        t(31),
        sku(),
        loc("FBA"),
        EventKind::receipt(Quantity::new(5), dec("2")),
    );
    feed(
        &mut l,
        &[
            received_against("other", 30, "FBA", 5, "FBA16"),
            received_against("other-case", 30, "FBA", 5, "fba15"),
            unnamed,
            received_against("late", 60, "FBA", 1, "FBA15"),
        ],
    );
    assert_eq!(late_rows(l.unreimbursed(jan(2), 0)), [("short".to_owned(), 3, 0, 3, 0)]);
    assert_eq!(late_rows(l.unreimbursed(jan(3), 0)), [("short".to_owned(), 3, 1, 2, 0)]);
}

/// A receipt of the shipment stamped before the shortfall, or at its
/// very instant, is the receiving the shortfall was counted from, not a
/// late one; the first one after it counts, at any location.
#[test]
fn a_receipt_before_the_shortfall_or_at_its_instant_does_not_count() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &shipment_received_short("FBA15"));
    feed(
        &mut l,
        &[
            received_against("before", 2, "FBA", 2, "FBA15"),
            received_against("same-instant", 3, "FBA", 2, "FBA15"),
        ],
    );
    let open = |l: &Ledger, d| late_rows(l.unreimbursed(jan(d), 0));
    assert_eq!(open(&l, 1), [("short".to_owned(), 3, 0, 3, 0)]);
    assert_eq!(open(&l, 2), [("short".to_owned(), 3, 0, 3, 0)]);
    // One unit turns up at another fulfillment center, still under the
    // shipment's id.
    feed(&mut l, &[received_against("late", 4, "FBA2", 1, "FBA15")]);
    assert_eq!(open(&l, 1), [("short".to_owned(), 3, 1, 2, 0)]);
}

/// Receipts of one shipment net its shortfalls oldest first, each
/// against those stamped before it; a shortfall of another shipment is
/// untouched.
#[test]
fn late_receipts_net_the_oldest_shortfalls_of_their_shipment_first() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &shipment_received_short("FBA15"));
    feed(
        &mut l,
        &[
            // Before short-b: only short's units.
            received_against("late-1", 4, "FBA", 1, "FBA15"),
            shortfall("short-b", 5, 2, "FBA15"),
            shortfall("short-c", 5, 2, "FBA16"),
            // Day 2: short's other 2, then 1 of short-b's.
            received_against("late-2", 30, "FBA", 3, "FBA15"),
        ],
    );
    let row = |id: &str, units, late| (id.to_owned(), units, late, units - late, 0);
    assert_eq!(
        late_rows(l.unreimbursed(jan(1), 0)),
        [row("short", 3, 1), row("short-b", 2, 0), row("short-c", 2, 0)]
    );
    assert_eq!(late_rows(l.unreimbursed(jan(2), 0)), [row("short-b", 2, 1), row("short-c", 2, 0)]);
}

/// A shortfall paid for and then received is over-reimbursed by the
/// units received, and one received whole after money alone is listed
/// with that money, as a loss found again is.
#[test]
fn a_shortfall_reimbursed_and_then_received_is_overreimbursed() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &shipment_received_short("FBA15"));
    feed(
        &mut l,
        &[
            shortfall("short-2", 4, 1, "FBA16"),
            pay("p1", 6, "short", 3, "15.00"),
            pay("p2", 6, "short-2", 0, "4.00"),
            received_against("late-1", 30, "FBA", 2, "FBA15"),
            received_against("late-2", 30, "FBA", 1, "FBA16"),
        ],
    );
    let over = |d| {
        let rows = l.overreimbursed(jan(d)).into_iter().map(|c| {
            let id = c.write_off.id.to_string();
            (id, c.received_late_units.get(), c.net_units().get(), c.reimbursed_amount)
        });
        rows.collect::<Vec<_>>()
    };
    assert!(over(1).is_empty());
    assert_eq!(
        over(2),
        [("short".to_owned(), 2, 1, dec("15.00")), ("short-2".to_owned(), 1, 0, dec("4.00"))]
    );
    assert!(l.unreimbursed(jan(2), 0).is_empty());
}

/// Shortfalls of one shipment stamped at one instant are netted by id,
/// not by the order they arrived in: fed either way, one at a time or
/// in one batch, the receipt covers `short-a` before `short-x`.
#[test]
fn shortfalls_at_one_instant_are_netted_by_id_whatever_their_arrival() {
    let tied = [shortfall("short-x", 5, 2, "FBA15"), shortfall("short-a", 5, 2, "FBA15")];
    let late = received_against("late", 30, "FBA", 3, "FBA15");
    // Day 2: short-a received whole, so no longer open; short-x has 1.
    let want = [("short".to_owned(), 3, 0, 3, 0), ("short-x".to_owned(), 2, 1, 1, 0)];
    for (first, second) in [(0, 1), (1, 0)] {
        let (first, second) = (tied[first].clone(), tied[second].clone());
        let mut one_by_one = ledger(Method::Fifo, NegativeStock::Reject);
        feed(&mut one_by_one, &shipment_received_short("FBA16"));
        feed(&mut one_by_one, &[first.clone(), second.clone(), late.clone()]);
        let mut batch = ledger(Method::Fifo, NegativeStock::Reject);
        let mut events = vec![late.clone(), first, second];
        events.extend(shipment_received_short("FBA16"));
        batch.ingest_batch(events).unwrap();
        for l in [&one_by_one, &batch] {
            let open = late_rows(l.unreimbursed(jan(1), 0));
            assert_eq!(
                open.iter().map(|r| (&*r.0, r.2)).collect::<Vec<_>>(),
                [("short", 0), ("short-a", 0), ("short-x", 0)]
            );
            assert_eq!(late_rows(l.unreimbursed(jan(2), 0)), want[..]);
        }
    }
}

/// Losses stamped alike are found in order of id, and finds stamped
/// alike in order of id too, never in the order they arrived: one by
/// one in either order, in one batch, and from a snapshot, the same
/// claims stay open. A find stamped with a loss reverses it.
#[test]
fn units_found_again_net_the_same_whatever_order_events_arrive_in() {
    let (lost, found) = (AdjustmentReason::Lost, AdjustmentReason::Found);
    let events = [
        receipt("r1", 1, 20, "2"),
        adjust_at("b", 2, "WH1", -2, lost),
        adjust_at("a", 2, "WH1", -2, lost),
        // With the losses: 1 of a's.
        adjust_at("f0", 2, "WH1", 1, found),
        // Later: a's other unit and 1 of b's.
        adjust_at("f1", 3, "WH1", 2, found),
    ];
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let want = [("b".to_owned(), 2, 1, 0)];
    let orders: [[usize; 5]; 3] = [[0, 1, 2, 3, 4], [0, 2, 1, 4, 3], [0, 4, 3, 2, 1]];
    for order in orders {
        let mut l = ledger(Method::Fifo, NegativeStock::Reject);
        for i in order {
            l.ingest(events[i].clone()).unwrap();
        }
        assert_eq!(open_rows(&l, day, 0), want, "{order:?}");
        let mut batch = ledger(Method::Fifo, NegativeStock::Reject);
        batch.ingest_batch(order.iter().map(|&i| events[i].clone())).unwrap();
        assert_eq!(open_rows(&batch, day, 0), want, "{order:?}");
        #[cfg(feature = "serde")]
        {
            let back: Ledger = serde_json::from_str(&serde_json::to_string(&l).unwrap()).unwrap();
            assert_eq!(open_rows(&back, day, 0), want, "{order:?}");
        }
    }
}

#[test]
fn demand_is_net_of_returns_and_flags_stockouts() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 3, "2"), ship("s1", 2, 2), ship("s2", 26, 1)]);
    let ret = EventKind::CustomerReturn {
        quantity: Quantity::new(1),
        channel: ChannelId::new("amazon").unwrap(),
        disposition: Disposition::Unsellable,
        shipment: None,
    };
    l.ingest(ev("ret", 27, ret)).unwrap();
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let s = l.daily_demand(&sku(), DateRange::starting(start, 3).unwrap());
    // Day 1: 2 shipped. Day 2: 1 shipped, 1 back = 0, sold out.
    assert_eq!(s.units(), &[Quantity::new(2), Quantity::ZERO, Quantity::ZERO]);
    assert_eq!(s.stocked_out(), &[true, true, true]);
    assert_eq!(
        l.total(&sku(), Disposition::Unsellable, start.succ_opt().unwrap()),
        Quantity::new(1)
    );
    assert_eq!(l.inventory_value(&sku(), start.succ_opt().unwrap()), dec("2"));
}

#[cfg(feature = "serde")]
#[test]
fn snapshot_restores_an_equal_ledger_that_keeps_working() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), ship("s1", 2, 3)]);
    let json = serde_json::to_string(&l).unwrap();
    let mut back: Ledger = serde_json::from_str(&json).unwrap();
    assert_eq!(back, l);
    assert_eq!(back.ingest(ship("s1", 2, 3)).unwrap(), IngestOutcome::Duplicate);
    back.ingest(ship("s2", 3, 7)).unwrap();
    assert_eq!(value_now(&back), Decimal::ZERO);
}

/// A snapshot is the event log, restored by ingesting it again: every
/// scalar of a snapshot replaced by hostile values either restores a ledger
/// that then answers and ingests without panicking, or is refused.
#[cfg(feature = "serde")]
#[test]
fn damaged_snapshots_are_refused_or_restore_a_working_ledger() {
    use serde_json::Value;
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), ship("s1", 2, 3), receipt("r2", 3, 5, "2.5")]);
    let good = serde_json::to_value(&l).unwrap();
    let hostile: Vec<Value> = vec![
        Value::from(0),
        Value::from(-1),
        Value::from(i64::MIN),
        Value::from(i64::MAX),
        Value::from(u64::MAX),
        Value::from(1e300),
        Value::from("-5"),
        Value::from("79228162514264337593543950335"),
        Value::from(""),
        Value::from("x\u{0}"),
        Value::Null,
        Value::Bool(true),
        Value::Array(vec![]),
    ];
    // Every path to a scalar in the snapshot.
    fn paths(v: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    at.push(k.clone());
                    paths(x, at, out);
                    at.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    at.push(i.to_string());
                    paths(x, at, out);
                    at.pop();
                }
            }
            _ => out.push(at.clone()),
        }
    }
    let mut all = Vec::new();
    paths(&good, &mut Vec::new(), &mut all);
    assert!(all.len() >= 30, "the snapshot has its events: {}", all.len());
    let (mut refused, mut restored) = (0, 0);
    for path in &all {
        for h in &hostile {
            let mut v = good.clone();
            let mut slot = &mut v;
            for key in path {
                slot = match slot {
                    Value::Object(m) => m.get_mut(key).unwrap(),
                    Value::Array(a) => &mut a[key.parse::<usize>().unwrap()],
                    _ => unreachable!(),
                };
            }
            *slot = h.clone();
            match serde_json::from_value::<Ledger>(v) {
                Err(_) => refused += 1,
                Ok(mut back) => {
                    restored += 1;
                    for s in back.skus() {
                        let _ = back.balance(&s, &loc("WH1"), Disposition::Sellable, t(10));
                        let _ = back.value(&s, &loc("WH1"), Disposition::Sellable, t(10));
                        let _ = back.cogs(&s, t(0), t(10), None, None);
                    }
                    let _ = back.ingest(receipt("late", 0, 1, "1"));
                    let _ = back.ingest(ship("s9", 9, 1));
                }
            }
        }
    }
    assert!(refused > 0 && restored > 0, "{refused} refused, {restored} restored");
    // A damaged quantity that would oversell under the reject policy is
    // refused, with the event named.
    let mut v = good.clone();
    v["events"][1]["kind"]["Shipment"]["quantity"] = Value::from(11);
    let err = serde_json::from_value::<Ledger>(v).unwrap_err().to_string();
    assert!(err.contains("s1"), "{err}");
    // A SKU listed without events is refused: a ledger numbers only SKUs
    // that have some.
    let mut v = good.clone();
    v["skus"].as_array_mut().unwrap().push(Value::from("GHOST"));
    let err = serde_json::from_value::<Ledger>(v).unwrap_err().to_string();
    assert!(err.contains("GHOST"), "{err}");
    // A correction stamped outside the stored range is refused.
    let json = r#"[{"event":"s1","at":"2300-01-01T00:00:00Z","before":"1","after":"2"}]"#;
    let err = serde_json::from_str::<merchantry_ledger::Corrections>(json).unwrap_err();
    assert!(err.to_string().contains("out of range"), "{err}");
}

/// A snapshot listed out of time order loads in one pass per SKU (it
/// used to replay once per event) and gives the same ledger.
#[cfg(feature = "serde")]
#[test]
fn a_snapshot_in_reverse_order_loads_and_equals_the_original() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    let events: Vec<Event> = (0..20_000)
        .map(|i| {
            if i % 10 == 0 {
                receipt(&format!("r{i}"), i, 10, "2.5")
            } else {
                ship(&format!("s{i}"), i, 1)
            }
        })
        .collect();
    feed(&mut l, &events);
    let mut v = serde_json::to_value(&l).unwrap();
    v["events"].as_array_mut().unwrap().reverse();
    let back: Ledger = serde_json::from_value(v).unwrap();
    assert_eq!(back, l);
}

#[test]
fn unit_counts_past_i64_are_refused_not_wrapped() {
    // Under the allow policy a position can go negative without bound.
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    let huge = |id: &str, hour| {
        let (chan, order) = (ChannelId::new("amazon").unwrap(), OrderId::new(id).unwrap());
        ev(id, hour, EventKind::shipment(Quantity::new(i64::MAX), chan, order))
    };
    l.ingest(huge("s1", 1)).unwrap();
    let refused = l.ingest(ship("s2", 2, 2));
    assert!(matches!(refused, Err(LedgerError::Overflow { .. })), "{refused:?}");
    assert_eq!(l.len(), 1);
    assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Sellable, t(5)).get(), -i64::MAX);
    // Huge stock at two locations: demand sums them without wrapping.
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    let big = |id: &str, at: &str| {
        let kind = EventKind::receipt(Quantity::new(i64::MAX), dec("0"));
        Event::new(EventId::new(id).unwrap(), t(1), sku(), loc(at), kind)
    };
    l.ingest(big("a", "WH1")).unwrap();
    l.ingest(big("b", "FBA")).unwrap();
    // The day after the receipts (on their own day, the SKU starts empty).
    let day = t(1).date_naive().succ_opt().unwrap();
    let range = DateRange::new(day, day.succ_opt().unwrap()).unwrap();
    let demand = l.demand(&sku(), range, None);
    assert!(demand.stocked_out().iter().all(|&out| !out), "{demand:?}");
}

#[test]
fn the_extreme_nanoseconds_are_refused() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    let five_at = |id: &str, at| {
        let kind = EventKind::receipt(Quantity::new(5), dec("1"));
        Event::new(EventId::new(id).unwrap(), at, sku(), loc("WH1"), kind)
    };
    for at in [DateTime::from_timestamp_nanos(i64::MIN), DateTime::from_timestamp_nanos(i64::MAX)] {
        let refused = l.ingest(five_at("edge", at));
        assert!(matches!(refused, Err(LedgerError::TimestampOutOfRange { .. })));
    }
    let one_after = DateTime::from_timestamp_nanos(i64::MIN + 1);
    l.ingest(five_at("early", one_after)).unwrap();
    // Asked before the stored range, nothing has happened yet.
    let long_ago = Utc.with_ymd_and_hms(1600, 1, 1, 0, 0, 0).unwrap();
    assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Sellable, long_ago), Quantity::new(0));
    assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Sellable, one_after), Quantity::new(5));
}

/// chrono's first day is far outside the stored range: refused as the
/// first event of a fresh ledger, one by one or in a batch, at any time of
/// that day (a tester's case: a fresh ledger took it, stored as the
/// instant reserved for "before every event").
#[test]
fn chronos_first_day_is_refused_by_a_fresh_ledger() {
    let noon = DateTime::<Utc>::MIN_UTC + Duration::hours(12);
    for at in [DateTime::<Utc>::MIN_UTC, noon] {
        let event = Event::new(
            EventId::new("r1").unwrap(),
            at,
            sku(),
            loc("WH1"),
            EventKind::receipt(Quantity::new(5), dec("1")),
        );
        let mut l = ledger(Method::Fifo, NegativeStock::Reject);
        let refused = l.ingest(event.clone());
        assert!(matches!(refused, Err(LedgerError::TimestampOutOfRange { .. })), "{refused:?}");
        let mut b = ledger(Method::Fifo, NegativeStock::Reject);
        let refused = b.ingest_batch([event]);
        assert!(matches!(refused, Err(LedgerError::TimestampOutOfRange { .. })), "{refused:?}");
        assert!(l.is_empty() && b.is_empty());
    }
}

#[test]
fn batch_of_late_events_equals_sorted_ingest() {
    let late: Vec<Event> = (0..200)
        .map(|i| {
            if i % 4 == 0 {
                receipt(&format!("r{i}"), i, 5, "1.5")
            } else {
                ship(&format!("s{i}"), i, 1)
            }
        })
        .collect();
    let mut sorted = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    feed(&mut sorted, &late);
    let mut batch = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    batch.ingest(receipt("early", 500, 1, "9")).unwrap();
    batch.ingest_batch(late.iter().rev().cloned()).unwrap();
    sorted.ingest(receipt("early", 500, 1, "9")).unwrap();
    assert_eq!(batch.events(&sku()), sorted.events(&sku()));
    assert_eq!(cogs_all(&batch), cogs_all(&sorted));
    assert_eq!(value_now(&batch), value_now(&sorted));
}

#[test]
fn a_batch_in_order_appends_reports_duplicates_and_rolls_back_whole() {
    let other = Sku::new("BOWL").unwrap();
    let of_other = |e: Event| Event::new(e.id, e.at, other.clone(), e.location, e.kind);
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r0", 0, 10, "2.00")]);
    let reference = l.clone();

    // In order after what the ledger holds: appended. A repeat within
    // the batch is a duplicate; the same id with other content is refused.
    let batch = vec![ship("s1", 1, 4), receipt("r2", 2, 5, "3.00"), ship("s1", 1, 4)];
    let outcomes = l.ingest_batch(batch.clone()).unwrap();
    assert_eq!(outcomes[2], IngestOutcome::Duplicate);
    assert!(matches!(outcomes[0], IngestOutcome::Applied { .. }));
    // 10 @ 2.00, 4 leave (8.00), 5 @ 3.00 arrive: 6 * 2 + 5 * 3 = 27.
    assert_eq!(value_now(&l), dec("27.00"));
    let conflicting = vec![receipt("r3", 3, 1, "1.00"), ship("r3", 3, 1)];
    assert!(matches!(l.ingest_batch(conflicting), Err(LedgerError::ConflictingDuplicate { .. })));

    // One SKU appends, the other fails (reject policy): nothing stays, and
    // the first SKU keeps working exactly as a ledger that never saw the
    // batch.
    let mut l = reference.clone();
    let failing = vec![ship("s4", 4, 3), of_other(receipt("b5", 5, 2, "1.00")), ship("s6", 6, 20)];
    assert!(matches!(l.ingest_batch(failing), Err(LedgerError::InsufficientStock { .. })));
    assert_eq!(l, reference);
    // The first SKU appends whole, then the second fails.
    let failing = vec![
        ship("s4", 4, 3),
        receipt("r5", 5, 30, "1.25"),
        of_other(receipt("b5", 5, 2, "1.00")),
        of_other(ship("b6", 6, 20)),
    ];
    assert!(matches!(l.ingest_batch(failing), Err(LedgerError::InsufficientStock { .. })));
    assert_eq!(l, reference);
    let mut fresh = reference.clone();
    let after = [ship("s7", 7, 3), receipt("r8", 8, 4, "2.50"), ship("s9", 9, 9)];
    for e in &after {
        assert_eq!(l.ingest(e.clone()).unwrap(), fresh.ingest(e.clone()).unwrap());
    }
    assert_eq!(l, fresh);
    assert_eq!(l.layers(&sku()), fresh.layers(&sku()));
    assert_eq!(value_now(&l), value_now(&fresh));
    assert_eq!(cogs_all(&l), cogs_all(&fresh));
    // Between the batch's timestamps, as-of answers also agree.
    for hour in 0..10 {
        let (a, b) = (&l, &fresh);
        let at = t(hour);
        assert_eq!(
            a.value(&sku(), &loc("WH1"), Disposition::Sellable, at),
            b.value(&sku(), &loc("WH1"), Disposition::Sellable, at)
        );
    }
    assert!(l.events(&other).is_empty());
}

#[test]
fn totals_do_not_depend_on_arrival_order_at_large_amounts_and_zero_is_plain() {
    // Found by a fresh tester: pools were added in the order they were
    // first used, and past 28 significant digits each Decimal addition
    // rounds, so the total's last digit followed the arrival order.
    let opts = LedgerOptions {
        default_method: Method::MovingAverage,
        negative_stock: NegativeStock::AllowWithTrueUp,
        ..LedgerOptions::default()
    };
    let at = |h: i64, ns: i64| t(h) + Duration::nanoseconds(ns);
    let e = |id: &str, (h, ns): (i64, i64), place: &str, kind: EventKind| {
        Event::new(EventId::new(id).unwrap(), at(h, ns), sku(), loc(place), kind)
    };
    let rc = |q: i64, c: &str| EventKind::receipt(Quantity::new(q), dec(c));
    let adjust = |q: i64, reason| EventKind::Adjustment {
        quantity: Quantity::new(q),
        reason,
        disposition: Disposition::Sellable,
        unit_cost: None,
    };
    let arrivals = vec![
        vec![e("e1", (2, 149_295), "FBA", adjust(10, AdjustmentReason::Found))],
        vec![
            e(
                "e2",
                (4, 33_091),
                "FBA",
                EventKind::TransferOut {
                    quantity: Quantity::new(12),
                    disposition: Disposition::Sellable,
                    to: loc("WH1"),
                },
            ),
            e("e3", (4, 26_011), "FBA", adjust(-2, AdjustmentReason::Lost)),
            e("e4", (3, 117_858), "FBA", rc(20, "952.14")),
        ],
        vec![
            e("e5", (3, 71_104), "FBA", rc(4, "13426")),
            e("e6", (2, 20_049), "FBA", rc(4, "915.82")),
            e("e7", (4, 118_318), "FBA", rc(19, "0.0000000")),
            e("e8", (4, 59_860), "FBA", rc(4, "15210")),
            e("e9", (5, 116_125), "FBA", rc(9, "737280108457")),
        ],
        vec![
            e(
                "e10",
                (1, 162_013),
                "FBA",
                EventKind::DispositionChange {
                    quantity: Quantity::new(9),
                    from: Disposition::Sellable,
                    to: Disposition::Unsellable,
                },
            ),
            e(
                "e11",
                (5, 48_942),
                "FBA",
                EventKind::shipment(
                    Quantity::new(2),
                    ChannelId::new("web").unwrap(),
                    OrderId::new("o1").unwrap(),
                ),
            ),
            e("e12", (4, 47_220), "FBA", rc(7, "0")),
            e("e13", (0, 94_821), "WH1", rc(2, "345607597614")),
        ],
    ];
    let mut arrived = Ledger::new(opts.clone());
    for batch in &arrivals {
        arrived.ingest_batch(batch.clone()).unwrap();
    }
    let mut sorted_events: Vec<Event> = arrivals.concat();
    sorted_events.sort_by_key(|e| e.at);
    let mut sorted = Ledger::new(opts);
    for event in &sorted_events {
        sorted.ingest(event.clone()).unwrap();
    }
    for (h, ns) in [(5, 116_125), (5, 200_000), (6, 0)] {
        let (a, b) =
            (arrived.total_value(&sku(), at(h, ns)), sorted.total_value(&sku(), at(h, ns)));
        assert_eq!(a.serialize(), b.serialize(), "{a} vs {b}");
    }

    // A zero total is a plain zero whichever way it was reached.
    let opts = LedgerOptions {
        negative_stock: NegativeStock::AllowWithTrueUp,
        ..LedgerOptions::default()
    };
    let back = ev(
        "ret",
        2,
        EventKind::CustomerReturn {
            quantity: Quantity::new(2),
            channel: ChannelId::new("web").unwrap(),
            disposition: Disposition::Reserved,
            shipment: None,
        },
    );
    let out = ship("s", 0, 3);
    let mut late = Ledger::new(opts.clone());
    feed(&mut late, &[back.clone(), out.clone()]);
    let mut in_order = Ledger::new(opts);
    feed(&mut in_order, &[out, back]);
    for l in [&late, &in_order] {
        assert_eq!(l.total_value(&sku(), t(0)).serialize(), Decimal::ZERO.serialize());
        let v = l.value(&sku(), &loc("WH1"), Disposition::Sellable, t(3));
        assert_eq!(v.serialize(), Decimal::ZERO.serialize());
    }
}

#[test]
fn ids_referred_to_before_their_event_arrives_are_tracked_without_scanning() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    feed(&mut l, &[receipt("r0", 0, 1_000, "2.00")]);
    // Each return names a shipment that comes later in the batch (earlier
    // in time): the shipment's id is known as a reference first.
    let returned = |i: i64| {
        ev(
            &format!("back-{i}"),
            2 * i + 2,
            EventKind::CustomerReturn {
                quantity: Quantity::new(1),
                channel: ChannelId::new("amazon").unwrap(),
                disposition: Disposition::Sellable,
                shipment: Some(EventId::new(format!("s{i}")).unwrap()),
            },
        )
    };
    let mut batch: Vec<Event> = (0..300).map(returned).collect();
    batch.extend((0..300).map(|i| ship(&format!("s{i}"), 2 * i + 1, 1)));
    let outcomes = l.ingest_batch(batch).unwrap();
    assert!(outcomes.iter().all(|o| matches!(o, IngestOutcome::Applied { .. })));
    // 1,000 @ 2.00; 300 leave and come back at the cost they left with.
    assert_eq!(value_now(&l), dec("2000.00"));
    // Those shipments are recorded now: another content is a conflict,
    // the same content a duplicate.
    assert!(matches!(l.ingest(ship("s7", 15, 2)), Err(LedgerError::ConflictingDuplicate { .. })));
    assert_eq!(l.ingest(ship("s7", 15, 1)).unwrap(), IngestOutcome::Duplicate);

    // A reimbursement names a write-off that has not arrived: the id is
    // free for that event, and only once.
    let paid = ev(
        "pay-1",
        700,
        EventKind::Reimbursement {
            amount: dec("4.00"),
            units: Quantity::new(2),
            write_off: Some(EventId::new("lost-1").unwrap()),
        },
    );
    l.ingest(paid).unwrap();
    let lost = |q: i64| {
        ev(
            "lost-1",
            650,
            EventKind::Adjustment {
                quantity: Quantity::new(-q),
                reason: AdjustmentReason::Lost,
                disposition: Disposition::Sellable,
                unit_cost: None,
            },
        )
    };
    assert!(matches!(l.ingest(lost(2)).unwrap(), IngestOutcome::Applied { .. }));
    assert!(matches!(l.ingest(lost(3)), Err(LedgerError::ConflictingDuplicate { .. })));

    // A refused event forgets the reference it brought, so the id stays
    // free and then names exactly one event.
    let before = l.clone();
    let too_many = ev(
        "back-x",
        800,
        EventKind::CustomerReturn {
            quantity: Quantity::new(5),
            channel: ChannelId::new("amazon").unwrap(),
            disposition: Disposition::Sellable,
            shipment: Some(EventId::new("never").unwrap()),
        },
    );
    assert!(l.ingest(too_many).is_err());
    assert_eq!(l, before);
    l.ingest(ship("never", 801, 1)).unwrap();
    assert!(matches!(
        l.ingest(ship("never", 801, 2)),
        Err(LedgerError::ConflictingDuplicate { .. })
    ));
}

#[test]
fn no_drift_after_100k_events() {
    no_drift(100_000);
}

#[test]
#[ignore = "long: one million events; run with --ignored --release"]
fn no_drift_after_a_million_events() {
    no_drift(1_000_000);
}

fn no_drift(n: i64) {
    let mut l = ledger(Method::MovingAverage, NegativeStock::Reject);
    let mut held = 0;
    let mut i = 0;
    while i < n {
        if held < 5 {
            // Costs with awkward fractions: 7/3-ish prices at 4 places.
            l.ingest(receipt(&format!("r{i}"), i, 7, &format!("2.{:04}", (i * 7919) % 10_000)))
                .unwrap();
            held += 7;
        } else {
            l.ingest(ship(&format!("s{i}"), i, 3)).unwrap();
            held -= 3;
        }
        i += 1;
    }
    let flows = l.flows(&sku(), t(-1), t(n + 1));
    assert_eq!(flows.receipts - flows.cogs, l.total_value(&sku(), t(n + 1)));
    // Empty the shelf: exactly zero remains.
    l.ingest(ship("last", n + 1, held)).unwrap();
    assert_eq!(l.total_value(&sku(), t(n + 2)), Decimal::ZERO);
    let flows = l.flows(&sku(), t(-1), t(n + 2));
    assert_eq!(flows.receipts, flows.cogs);
}

#[test]
fn shrink_to_fit_releases_spare_capacity_and_changes_nothing_else() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    for i in 0..3_000 {
        let e = if i % 10 == 0 {
            receipt(&format!("r{i}"), i, 10, "2.25")
        } else {
            ship(&format!("s{i}"), i, 1)
        };
        l.ingest_ref(&e).unwrap();
    }
    let before = l.clone();
    let grown = l.bytes_per_event().unwrap();
    l.shrink_to_fit();
    assert_eq!(l, before);
    assert!(l.bytes_per_event().unwrap() < grown, "{} !< {grown}", l.bytes_per_event().unwrap());
    // 300 receipts of 10 at 2.25 minus 2,700 single shipments: 300 left.
    assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Sellable, t(5_000)), Quantity::new(300));
    assert_eq!(value_now(&l), dec("675.00"));
    l.ingest_ref(&ship("after", 3_001, 1)).unwrap();
    assert_eq!(value_now(&l), dec("672.75"));
}

// ---- property laws ------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Receive(i64, i64, u32),
    Ship(i64),
    Return(i64),
    Adjust(i64),
    Transfer(i64),
    Arrive(i64),
    Damage(i64),
    Landed(i64, usize),
    /// Units back against an earlier shipment (which, and how many, are
    /// cut to what it still has out).
    ReturnOf(i64, usize),
    /// Units back to the vendor at the current average.
    VendorBack(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1..20_i64, 0..100_000_i64, 0..5_u32).prop_map(|(q, c, s)| Op::Receive(q, c, s)),
        4 => (1..15_i64).prop_map(Op::Ship),
        1 => (1..4_i64).prop_map(Op::Return),
        1 => (-5..6_i64).prop_filter("non-zero", |q| *q != 0).prop_map(Op::Adjust),
        1 => (1..8_i64).prop_map(Op::Transfer),
        1 => (1..8_i64).prop_map(Op::Arrive),
        1 => (1..4_i64).prop_map(Op::Damage),
        1 => (0..10_000_i64, 0..40_usize).prop_map(|(a, r)| Op::Landed(a, r)),
        1 => (1..6_i64, 0..40_usize).prop_map(|(q, k)| Op::ReturnOf(q, k)),
        1 => (1..6_i64).prop_map(Op::VendorBack),
    ]
}

/// Events with distinct timestamps (a shuffled hour for each).
fn events_of(ops: &[Op], hours: &[i64]) -> Vec<Event> {
    let mut receipts: Vec<String> = Vec::new();
    // Shipments with the units they still have out.
    let mut shipments: Vec<(String, i64)> = Vec::new();
    let mut out = Vec::new();
    for (i, (op, &h)) in ops.iter().zip(hours).enumerate() {
        let id = format!("e{i}");
        let chan = ChannelId::new(if i % 2 == 0 { "amazon" } else { "web" }).unwrap();
        let kind = match *op {
            Op::Receive(q, c, s) => {
                receipts.push(id.clone());
                EventKind::receipt(Quantity::new(q), Decimal::new(c, s))
            }
            Op::Ship(q) => {
                shipments.push((id.clone(), q));
                EventKind::shipment(Quantity::new(q), chan, OrderId::new(&id).unwrap())
            }
            Op::ReturnOf(q, k) => {
                let count = shipments.len().max(1);
                let Some((shipment, out)) = shipments.get_mut(k % count).filter(|s| s.1 > 0) else {
                    continue;
                };
                let q = q.min(*out);
                *out -= q;
                EventKind::CustomerReturn {
                    quantity: Quantity::new(q),
                    channel: chan,
                    disposition: Disposition::Sellable,
                    shipment: Some(EventId::new(shipment.as_str()).unwrap()),
                }
            }
            Op::VendorBack(q) => EventKind::VendorReturn {
                quantity: Quantity::new(q),
                disposition: Disposition::Sellable,
                cost: VendorReturnCost::CurrentAverage,
            },
            Op::Return(q) => EventKind::CustomerReturn {
                quantity: Quantity::new(q),
                channel: chan,
                disposition: Disposition::Sellable,
                shipment: None,
            },
            Op::Adjust(q) => EventKind::Adjustment {
                quantity: Quantity::new(q),
                reason: if q > 0 { AdjustmentReason::Found } else { AdjustmentReason::Lost },
                disposition: Disposition::Sellable,
                unit_cost: None,
            },
            Op::Transfer(q) => EventKind::TransferOut {
                quantity: Quantity::new(q),
                disposition: Disposition::Sellable,
                to: loc("FBA"),
            },
            Op::Arrive(q) => {
                let kind = EventKind::TransferIn {
                    quantity: Quantity::new(q),
                    from: loc("WH1"),
                    disposition: Disposition::Sellable,
                };
                out.push(Event::new(EventId::new(&id).unwrap(), t(h), sku(), loc("FBA"), kind));
                continue;
            }
            Op::Damage(q) => EventKind::DispositionChange {
                quantity: Quantity::new(q),
                from: Disposition::Sellable,
                to: Disposition::Unsellable,
            },
            Op::Landed(a, r) => {
                // Landed cost on a receipt stamped earlier; none yet: skip.
                let Some(target) = receipts.get(r % receipts.len().max(1)) else { continue };
                EventKind::LandedCost {
                    amount: Decimal::new(a, 2),
                    basis: LandedBasis::Quantity,
                    targets: vec![LandedTarget {
                        receipt: EventId::new(target).unwrap(),
                        measure: Decimal::ZERO,
                    }],
                }
            }
        };
        out.push(ev(&id, h, kind));
    }
    out
}

fn stream() -> impl Strategy<Value = (Vec<Event>, Vec<usize>, Vec<usize>)> {
    prop::collection::vec(op(), 1..60).prop_flat_map(|ops| {
        let n = ops.len();
        // Landed costs must come after their receipt in time: keep hours
        // increasing with the op index, and shuffle only arrival order.
        let hours: Vec<i64> = (0..n as i64).map(|i| i * 3).collect();
        let events = events_of(&ops, &hours);
        let m = events.len();
        let order = Just((0..m).collect::<Vec<_>>()).prop_shuffle();
        let dups = prop::collection::vec(0..m.max(1), 0..5);
        (Just(events), order, dups)
    })
}

fn observe(l: &Ledger, hours: i64) -> Vec<String> {
    let mut out = Vec::new();
    for h in (0..hours).step_by(7) {
        for (location, disp) in [
            ("WH1", Disposition::Sellable),
            ("FBA", Disposition::InTransit),
            ("FBA", Disposition::Sellable),
            ("WH1", Disposition::Unsellable),
        ] {
            let q = l.balance(&sku(), &loc(location), disp, t(h));
            let v = l.value(&sku(), &loc(location), disp, t(h));
            out.push(format!("{h} {location} {disp} {q} {}", v.normalize()));
        }
        let f = l.flows(&sku(), t(h - 7), t(h));
        out.push(format!(
            "{h} {} {} {} {}",
            f.receipts.normalize(),
            f.cogs.normalize(),
            f.write_offs.normalize(),
            f.variance.normalize()
        ));
    }
    out
}

proptest! {
    #[test]
    fn same_events_in_any_arrival_order_give_the_same_books(
        (events, order, dups) in stream(),
        method in 0..3_u8,
        per_sku in any::<bool>(),
    ) {
        let method = [Method::Fifo, Method::Lifo, Method::MovingAverage][usize::from(method)];
        let new = || {
            Ledger::new(LedgerOptions {
                default_method: method,
                negative_stock: NegativeStock::AllowWithTrueUp,
                pooling: if per_sku {
                    merchantry_ledger::Pooling::PerSku
                } else {
                    merchantry_ledger::Pooling::PerLocation
                },
                ..LedgerOptions::default()
            })
        };
        let mut sorted = new();
        for e in &events {
            sorted.ingest(e.clone()).unwrap();
        }
        let mut shuffled = new();
        // `dups` may name an event when there is none (every op skipped).
        for e in order.iter().chain(&dups).filter_map(|&i| events.get(i)) {
            // Landed costs whose receipt has not arrived yet are refused
            // (unknown reference); they are retried at the end.
            let _ = shuffled.ingest(e.clone());
        }
        for e in &events {
            let _ = shuffled.ingest(e.clone()).unwrap();
        }
        let mut batch = new();
        let mut again: Vec<Event> = order.iter().map(|&i| events[i].clone()).collect();
        again.sort_by_key(|e| e.at);
        batch.ingest_batch(again).unwrap();
        let hours = 3 * events.len() as i64 + 10;
        prop_assert_eq!(sorted.events(&sku()), shuffled.events(&sku()));
        prop_assert_eq!(observe(&sorted, hours), observe(&shuffled, hours));
        prop_assert_eq!(observe(&sorted, hours), observe(&batch, hours));
        prop_assert_eq!(sorted.layers(&sku()), shuffled.layers(&sku()));
        prop_assert_eq!(sorted.layers(&sku()), batch.layers(&sku()));
    }

    #[test]
    fn value_is_conserved_exactly((events, _order, _dups) in stream(), method in 0..3_u8, split in 0..200_i64) {
        let method = [Method::Fifo, Method::Lifo, Method::MovingAverage][usize::from(method)];
        let mut l = ledger(method, NegativeStock::AllowWithTrueUp);
        for e in &events {
            l.ingest(e.clone()).unwrap();
        }
        let end = 3 * events.len() as i64 + 10;
        let total = |h| l.total_value(&sku(), t(h));
        for (a, b) in [(-1, split.min(end)), (split.min(end), end), (-1, end)] {
            let f = l.flows(&sku(), t(a), t(b));
            let closing = total(a) + f.receipts + f.landed - f.cogs - f.write_offs - f.vendor_returns - f.variance;
            prop_assert_eq!(closing, total(b));
        }
    }

    /// Non-negative costs never make a negative value: under the reject
    /// policy no position is worth less than nothing and no sale leaves
    /// at a negative cost, whatever mix of returns, vendor returns at the
    /// average, moves and landed costs came before.
    #[test]
    fn non_negative_costs_give_non_negative_values(
        (events, _order, _dups) in stream(),
        method in 0..3_u8,
        per_sku in any::<bool>(),
    ) {
        let method = [Method::Fifo, Method::Lifo, Method::MovingAverage][usize::from(method)];
        let mut l = Ledger::new(LedgerOptions {
            default_method: method,
            pooling: if per_sku {
                merchantry_ledger::Pooling::PerSku
            } else {
                merchantry_ledger::Pooling::PerLocation
            },
            ..LedgerOptions::default()
        });
        for e in &events {
            // Events that would go short are refused; the rest apply.
            let _ = l.ingest(e.clone());
        }
        let hours = 3 * events.len() as i64 + 10;
        for h in (0..hours).step_by(5) {
            for (location, disp) in [
                ("WH1", Disposition::Sellable),
                ("FBA", Disposition::InTransit),
                ("FBA", Disposition::Sellable),
                ("WH1", Disposition::Unsellable),
            ] {
                let v = l.value(&sku(), &loc(location), disp, t(h));
                prop_assert!(!v.is_sign_negative() || v.is_zero(), "{location} {disp} at {h}: {v}");
            }
        }
        for layer in l.layers(&sku()) {
            prop_assert!(layer.value >= Decimal::ZERO, "{layer:?}");
        }
        for line in l.cost_lines(&sku(), t(-1), t(hours)) {
            if line.quantity.get() > 0 {
                prop_assert!(line.cost >= Decimal::ZERO, "{line:?}");
            }
        }
    }

    #[test]
    fn balance_equals_sum_of_movements((events, _order, _dups) in stream()) {
        let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
        let mut wh = 0_i64;
        let mut transit = 0_i64;
        let mut fba = 0_i64;
        let mut bad = 0_i64;
        for e in &events {
            l.ingest(e.clone()).unwrap();
            match &e.kind {
                EventKind::Receipt { quantity, .. } => wh += quantity.get(),
                EventKind::Shipment { quantity, .. } => wh -= quantity.get(),
                EventKind::CustomerReturn { quantity, .. } => wh += quantity.get(),
                EventKind::Adjustment { quantity, .. } => wh += quantity.get(),
                EventKind::TransferOut { quantity, .. } => { wh -= quantity.get(); transit += quantity.get(); }
                EventKind::TransferIn { quantity, .. } => { transit -= quantity.get(); fba += quantity.get(); }
                EventKind::DispositionChange { quantity, .. } => { wh -= quantity.get(); bad += quantity.get(); }
                EventKind::VendorReturn { quantity, .. } => wh -= quantity.get(),
                _ => {}
            }
        }
        let end = t(10_000);
        prop_assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Sellable, end).get(), wh);
        prop_assert_eq!(l.balance(&sku(), &loc("FBA"), Disposition::InTransit, end).get(), transit);
        prop_assert_eq!(l.balance(&sku(), &loc("FBA"), Disposition::Sellable, end).get(), fba);
        prop_assert_eq!(l.balance(&sku(), &loc("WH1"), Disposition::Unsellable, end).get(), bad);
        // An empty position is worth exactly nothing.
        for (location, disp, q) in [("WH1", Disposition::Sellable, wh), ("FBA", Disposition::InTransit, transit)] {
            if q == 0 {
                prop_assert_eq!(l.value(&sku(), &loc(location), disp, end), Decimal::ZERO);
            }
        }
    }

    #[test]
    fn ingest_is_idempotent((events, _order, _dups) in stream()) {
        let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
        for e in &events {
            l.ingest(e.clone()).unwrap();
        }
        let before = l.clone();
        for e in &events {
            prop_assert_eq!(l.ingest(e.clone()).unwrap(), IngestOutcome::Duplicate);
        }
        let outcomes = l.ingest_batch(events.clone()).unwrap();
        prop_assert!(outcomes.iter().all(|o| *o == IngestOutcome::Duplicate));
        prop_assert_eq!(&l, &before);
    }

    #[test]
    fn a_rejected_input_changes_nothing((events, order, _dups) in stream()) {
        let mut l = ledger(Method::Lifo, NegativeStock::Reject);
        for &i in &order {
            let before = l.clone();
            if l.ingest(events[i].clone()).is_err() {
                prop_assert_eq!(&l, &before);
            }
        }
        let before = l.clone();
        if l.ingest_batch(events.iter().rev().cloned()).is_err() {
            prop_assert_eq!(&l, &before);
        }
    }

    #[test]
    fn same_input_gives_the_same_bytes((events, order, _dups) in stream()) {
        let build = || {
            let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
            for &i in &order {
                let _ = l.ingest(events[i].clone());
            }
            l
        };
        let (a, b) = (build(), build());
        prop_assert_eq!(&a, &b);
        #[cfg(feature = "serde")]
        prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
    }
}

proptest! {
    // Longer streams than the laws above, so that every as-of query
    // crosses several checkpoints; fewer cases keep the run short.
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// As-of law: balance and value at time `h`, answered from the
    /// checkpoints of a ledger holding every event, equal the final
    /// balance and value of a fresh ledger fed only the events stamped at
    /// or before `h`.
    #[test]
    fn as_of_answers_equal_a_ledger_fed_only_the_events_until_then(
        ops in prop::collection::vec(op(), 1..300),
        method in 0..3_u8,
        per_sku in any::<bool>(),
        cuts in prop::collection::vec(0..1_000_i64, 1..6),
    ) {
        let method = [Method::Fifo, Method::Lifo, Method::MovingAverage][usize::from(method)];
        let options = LedgerOptions {
            default_method: method,
            negative_stock: NegativeStock::AllowWithTrueUp,
            pooling: if per_sku { merchantry_ledger::Pooling::PerSku } else { merchantry_ledger::Pooling::PerLocation },
            ..LedgerOptions::default()
        };
        let hours: Vec<i64> = (0..ops.len() as i64).map(|i| i * 3).collect();
        let events = events_of(&ops, &hours);
        let mut full = Ledger::new(options.clone());
        for e in &events {
            full.ingest_ref(e).unwrap();
        }
        for cut in cuts {
            let h = cut % (3 * ops.len() as i64 + 3);
            let mut prefix = Ledger::new(options.clone());
            for e in events.iter().filter(|e| e.at <= t(h)) {
                prefix.ingest_ref(e).unwrap();
            }
            for (location, disp) in [
                ("WH1", Disposition::Sellable),
                ("FBA", Disposition::InTransit),
                ("FBA", Disposition::Sellable),
                ("WH1", Disposition::Unsellable),
            ] {
                // The prefix is asked after its last event: its answer
                // does not depend on where its checkpoints fall.
                let (l, s, end) = (loc(location), sku(), t(1_000_000));
                prop_assert_eq!(full.balance(&s, &l, disp, t(h)), prefix.balance(&s, &l, disp, end));
                prop_assert_eq!(full.value(&s, &l, disp, t(h)), prefix.value(&s, &l, disp, end));
            }
            prop_assert_eq!(full.total_value(&sku(), t(h)), prefix.total_value(&sku(), t(1_000_000)));
            // The cost layers then, replayed from a full checkpoint when
            // one falls before `h`, are the prefix's layers now.
            prop_assert_eq!(full.layers_at(&sku(), t(h)), prefix.layers(&sku()));
        }
    }
}

proptest! {
    // Streams long enough that late events land several full checkpoints
    // back (a full checkpoint falls every 256 or more entries); few cases.
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Invariant 4 across full checkpoints: a long stream whose late
    /// events arrive after the rest, one by one or as one batch, gives the
    /// books of a ledger fed every event in time order.
    #[test]
    fn late_events_replayed_from_a_full_checkpoint_equal_time_order(
        ops in prop::collection::vec(op(), 700..1_100),
        method in 0..3_u8,
        late in prop::collection::vec(0..1_100_usize, 1..25),
        as_batch in any::<bool>(),
    ) {
        let method = [Method::Fifo, Method::Lifo, Method::MovingAverage][usize::from(method)];
        let hours: Vec<i64> = (0..ops.len() as i64).map(|i| i * 3).collect();
        let events = events_of(&ops, &hours);
        let mut sorted = ledger(method, NegativeStock::AllowWithTrueUp);
        feed(&mut sorted, &events);
        let is_late = |i: usize| late.iter().any(|&k| k % events.len() == i);
        let mut arrived = ledger(method, NegativeStock::AllowWithTrueUp);
        // A landed cost whose receipt is late is refused until it comes:
        // the refused ones are retried with the late events.
        let mut held = Vec::new();
        for (i, e) in events.iter().enumerate() {
            if is_late(i) || arrived.ingest_ref(e).is_err() {
                held.push(e.clone());
            }
        }
        if as_batch {
            arrived.ingest_batch(held).unwrap();
        } else {
            for e in &held {
                arrived.ingest_ref(e).unwrap();
            }
        }
        let hours = 3 * events.len() as i64 + 10;
        prop_assert_eq!(sorted.events(&sku()), arrived.events(&sku()));
        prop_assert_eq!(observe(&sorted, hours), observe(&arrived, hours));
        prop_assert_eq!(cogs_all(&sorted), cogs_all(&arrived));
    }
}

#[test]
fn reimbursements_naming_no_claimable_write_off_are_listed_until_it_arrives() {
    let paid = |id: &str, day: i64, write_off: &str| reimbursed(id, day, write_off, "5");
    let lost = EventKind::Adjustment {
        quantity: Quantity::new(-1),
        reason: AdjustmentReason::Lost,
        disposition: Disposition::Sellable,
        unit_cost: None,
    };
    let found = EventKind::Adjustment {
        quantity: Quantity::new(1),
        reason: AdjustmentReason::Found,
        disposition: Disposition::Sellable,
        unit_cost: Some(dec("2")),
    };
    let general =
        EventKind::Reimbursement { amount: dec("3"), units: Quantity::new(0), write_off: None };
    let events = vec![
        receipt("r1", 1, 10, "2"),
        // Names the receipt: not a write-off.
        paid("p-receipt", 5, "r1"),
        // Names a write-off reported later.
        paid("p-late", 6, "lost1"),
        // Names a found adjustment: not claimable.
        paid("p-found", 7, "found1"),
        // Names nothing at all: not listed.
        ev("p-general", 8, general),
        paid("p-missing", 9, "never"),
    ];
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    for e in &events {
        l.ingest(e.clone()).unwrap();
    }
    let ids = |l: &Ledger| {
        l.unmatched_reimbursements().iter().map(|e| e.id.as_str().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(ids(&l), ["p-receipt", "p-late", "p-found", "p-missing"]);
    l.ingest(ev("found1", 3, found.clone())).unwrap();
    l.ingest(ev("lost1", 4, lost.clone())).unwrap();
    // The lost units arrived (backdated): that payment is matched now; a
    // found adjustment settles nothing.
    assert_eq!(ids(&l), ["p-receipt", "p-found", "p-missing"]);
    // The same events in time order give the same list.
    let mut sorted = ledger(Method::Fifo, NegativeStock::Reject);
    let mut all = events.clone();
    all.push(ev("found1", 3, found));
    all.push(ev("lost1", 4, lost));
    all.sort_by_key(|e| e.at);
    for e in all {
        sorted.ingest(e).unwrap();
    }
    assert_eq!(ids(&sorted), ids(&l));
}

#[test]
fn a_refused_batch_gives_back_the_room_it_reserved() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    for i in 0..50 {
        l.ingest(receipt(&format!("r{i}"), i, 10, "2")).unwrap();
    }
    let before = l.clone();
    let room = l.bytes_per_event().unwrap();
    // Thousands of new SKUs, locations and long ids, then a shipment
    // nobody can cover: the whole batch is refused.
    let mut batch: Vec<Event> = (0..3_000)
        .map(|i| {
            Event::new(
                EventId::new(format!("a-long-event-id-from-a-report-row-{i:08}")).unwrap(),
                t(100 + i),
                Sku::new(format!("NEW-SKU-{i}")).unwrap(),
                loc(&format!("NEW-LOC-{i}")),
                EventKind::receipt(Quantity::new(1), dec("1")),
            )
        })
        .collect();
    let short = EventKind::shipment(
        Quantity::new(1_000_000),
        ChannelId::new("amazon").unwrap(),
        OrderId::new("o-1").unwrap(),
    );
    batch.push(ev("too-much", 5_000, short));
    assert!(matches!(l.ingest_batch(batch), Err(LedgerError::InsufficientStock { .. })));
    assert_eq!(l, before);
    // Nothing reserved for the refused events stays behind (the book the
    // refused shipment touched may even hold its state more tightly, as
    // a rollback restores a copy of it).
    let after = l.bytes_per_event().unwrap();
    assert!(after <= room, "{after} bytes an event after, {room} before");
}

#[test]
fn a_batch_finds_repeats_of_ids_first_seen_as_references() {
    let paid = |id: &str, hour: i64, write_off: &str| reimbursed(id, hour, write_off, "4.00");
    let lost = |id: &str, hour: i64, q: i64| {
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(-q),
            reason: AdjustmentReason::Lost,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        ev(id, hour, kind)
    };
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    // "lost-a" is only referred to before the batch; "lost-b" is first
    // referred to inside it.
    feed(&mut l, &[receipt("r0", 0, 10, "2.00"), paid("pay-a", 1, "lost-a")]);
    let reference = l.clone();
    let batch = vec![
        ship("s1", 2, 1),
        lost("lost-a", 3, 1),
        paid("pay-b", 4, "lost-b"),
        lost("lost-a", 3, 1),
        lost("lost-b", 5, 2),
        ship("s6", 6, 1),
        lost("lost-b", 5, 2),
        ship("s1", 2, 1),
    ];
    let outcomes = l.ingest_batch(batch.clone()).unwrap();
    let repeats: Vec<bool> = outcomes.iter().map(|o| *o == IngestOutcome::Duplicate).collect();
    assert_eq!(repeats, [false, false, false, true, false, false, true, true]);
    // The same events one by one give the same ledger.
    let mut one_by_one = reference.clone();
    feed(&mut one_by_one, &batch[..3]);
    feed(&mut one_by_one, &[batch[4].clone(), batch[5].clone()]);
    assert_eq!(l, one_by_one);
    // 10 @ 2.00; s1, lost-a, lost-b (2) and s6 take 5: 5 * 2 = 10.
    assert_eq!(value_now(&l), dec("10.00"));
    // Both write-offs are recorded events now: other content conflicts.
    assert!(matches!(
        l.ingest(lost("lost-a", 3, 2)),
        Err(LedgerError::ConflictingDuplicate { .. })
    ));
    assert!(matches!(
        l.ingest(lost("lost-b", 5, 1)),
        Err(LedgerError::ConflictingDuplicate { .. })
    ));
    assert!(l.unmatched_reimbursements().is_empty());

    // A repeat with other content inside the batch is refused, and the
    // batch leaves nothing behind.
    let mut l = reference.clone();
    let conflicting = vec![lost("lost-a", 3, 1), ship("s2", 4, 1), lost("lost-a", 3, 2)];
    assert!(matches!(l.ingest_batch(conflicting), Err(LedgerError::ConflictingDuplicate { .. })));
    assert_eq!(l, reference);
}

/// A return of a shipment's units brings back what they cost: for a
/// shipment that went short, that includes the true-up settled for it
/// before the return.
#[test]
fn a_return_after_a_true_up_comes_back_at_the_settled_cost() {
    for method in [Method::Fifo, Method::Lifo, Method::MovingAverage] {
        let mut l = ledger(method, NegativeStock::AllowWithTrueUp);
        // s1 ships 5 before any receipt: priced at 0 (no known cost).
        // r1 (10 x 4) settles them: true-up 5 x 4 - 0 = 20, so s1 cost 20.
        feed(&mut l, &[ship("s1", 1, 5), receipt("r1", 2, 10, "4")]);
        assert_eq!(cogs_all(&l), dec("20"), "{method:?}");
        let back = EventKind::CustomerReturn {
            quantity: Quantity::new(5),
            channel: ChannelId::new("amazon").unwrap(),
            disposition: Disposition::Sellable,
            shipment: Some(EventId::new("s1").unwrap()),
        };
        l.ingest(ev("c1", 3, back)).unwrap();
        // All 5 come back at the 20 they cost: COGS 0 + 20 - 20 = 0, and
        // the 10 units held are worth 10 x 4 = 40, as if none had left.
        assert_eq!(cogs_all(&l), Decimal::ZERO, "{method:?}");
        assert_eq!(value_now(&l), dec("40"), "{method:?}");
    }
}

/// The returns of one shipment add up to exactly what it cost when all
/// its units come back: each takes its share of what is still out, the
/// last one the rest, so no rounding residue stays in COGS.
#[test]
fn a_shipment_returned_unit_by_unit_nets_to_exactly_zero() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    // s0 takes 1 of r1 (cost 0); s1 takes r1's other 2 (0) and r2's 1
    // unit (1): s1 cost 1 for 3 units.
    feed(
        &mut l,
        &[receipt("r1", 1, 3, "0"), receipt("r2", 1, 1, "1"), ship("s0", 2, 1), ship("s1", 2, 3)],
    );
    let back = |id: &str, hour| {
        ev(
            id,
            hour,
            EventKind::CustomerReturn {
                quantity: Quantity::new(1),
                channel: ChannelId::new("amazon").unwrap(),
                disposition: Disposition::Sellable,
                shipment: Some(EventId::new("s1").unwrap()),
            },
        )
    };
    feed(&mut l, &[back("c1", 3), back("c2", 4), back("c3", 5)]);
    // c1: 1 x 1/3 = 0.3333333333333333 (16 places); c2: of the
    // 0.6666666666666667 still out over 2 units, 0.33333333333333335,
    // half-even at 16 places 0.3333333333333334; c3 the rest,
    // 0.3333333333333333. Together exactly 1.
    let lines: Vec<Decimal> = l.cost_lines(&sku(), t(-1), t(100)).iter().map(|c| c.cost).collect();
    assert_eq!(
        lines,
        [
            Decimal::ZERO,
            Decimal::ONE,
            dec("-0.3333333333333333"),
            dec("-0.3333333333333334"),
            dec("-0.3333333333333333"),
        ]
    );
    // Every unit of s1 is back: COGS is s0's 0, and the 3 units held are
    // worth exactly the 1 they cost.
    assert_eq!(cogs_all(&l), Decimal::ZERO);
    assert_eq!(value_now(&l), Decimal::ONE);
}

/// `kind` as event `id` at `place`, `hour` hours in.
fn at(id: &str, hour: i64, place: &str, kind: EventKind) -> Event {
    Event::new(EventId::new(id).unwrap(), t(hour), sku(), loc(place), kind)
}

/// `qty` sellable units sent to FBA.
fn out(qty: i64) -> EventKind {
    EventKind::TransferOut {
        quantity: Quantity::new(qty),
        disposition: Disposition::Sellable,
        to: loc("FBA"),
    }
}

/// `qty` sellable units arriving from `from`.
fn arrive(qty: i64, from: &str) -> EventKind {
    EventKind::TransferIn {
        quantity: Quantity::new(qty),
        from: loc(from),
        disposition: Disposition::Sellable,
    }
}

/// A transfer moves cost layers with their receipt dates, and FIFO and
/// LIFO order a pool's layers by those dates, not by when the units
/// reached the pool: units that went through in-transit keep their place
/// among the purchases.
#[test]
fn layers_keep_their_purchase_order_through_transfers() {
    let sale = |id: &str, hour, place: &str| {
        at(
            id,
            hour,
            place,
            EventKind::shipment(
                Quantity::new(10),
                ChannelId::new("amazon").unwrap(),
                OrderId::new(format!("o-{id}")).unwrap(),
            ),
        )
    };
    // Per location: r1 (10 x 1, hour 1) at WH1 and r2 (10 x 5, hour 2)
    // at WH2 both go to FBA, r2's units arriving first. FBA sells 10:
    // FIFO takes the oldest purchase, r1: 10 x 1 = 10; LIFO the newest,
    // r2: 10 x 5 = 50.
    for (method, cogs, left) in [(Method::Fifo, "10", "r2"), (Method::Lifo, "50", "r1")] {
        let mut l = ledger(method, NegativeStock::Reject);
        feed(
            &mut l,
            &[
                receipt("r1", 1, 10, "1"),
                at("r2", 2, "WH2", EventKind::receipt(Quantity::new(10), dec("5"))),
                at("o2", 3, "WH2", out(10)),
                at("i2", 4, "FBA", arrive(10, "WH2")),
                at("o1", 5, "WH1", out(10)),
                at("i1", 6, "FBA", arrive(10, "WH1")),
                sale("s1", 7, "FBA"),
            ],
        );
        assert_eq!(cogs_all(&l), dec(cogs), "{method:?}");
        let layers = l.layers(&sku());
        assert_eq!(layers.len(), 1, "{method:?}");
        assert_eq!(layers[0].origin.as_str(), left, "{method:?}");
    }
    // Pooled per SKU: r1's units go to FBA and come back into the one
    // sellable pool after r2 arrived at WH1. WH1 sells 10: FIFO takes
    // r1 (10 x 1 = 10), LIFO r2 (10 x 5 = 50).
    for (method, cogs) in [(Method::Fifo, "10"), (Method::Lifo, "50")] {
        let mut l = Ledger::new(LedgerOptions {
            default_method: method,
            pooling: merchantry_ledger::Pooling::PerSku,
            ..LedgerOptions::default()
        });
        feed(
            &mut l,
            &[
                receipt("r1", 1, 10, "1"),
                at("o1", 2, "WH1", out(10)),
                receipt("r2", 3, 10, "5"),
                at("i1", 4, "FBA", arrive(10, "WH1")),
                sale("s1", 5, "WH1"),
            ],
        );
        assert_eq!(cogs_all(&l), dec(cogs), "{method:?} per SKU");
    }
}

/// A backdated receipt that fills a negative position before the outbound
/// event went short removes the true-up settled later: the outcome
/// reports it reversed, so corrections and true-ups together add up to
/// the change in cost of goods sold.
#[test]
fn a_backdate_that_removes_a_true_up_reports_it_reversed() {
    for as_batch in [false, true] {
        let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
        // s1 ships 5 short at 0 (no cost known); r1 (10 x 4) settles
        // them: true-up 20. COGS 0 + 20 = 20.
        feed(&mut l, &[ship("s1", 2, 5), receipt("r1", 3, 10, "4")]);
        assert_eq!(cogs_all(&l), dec("20"));
        // r0 (5 x 2), stamped before s1: s1 now takes r0's units, 5 x 2 =
        // 10, and never goes short. COGS 10: a change of -10, made of s1
        // 0 -> 10 (+10) and the true-up of 20 that no longer happens.
        let late = receipt("r0", 1, 5, "2");
        let outcome = if as_batch {
            l.ingest_batch([late]).unwrap().remove(0)
        } else {
            l.ingest(late).unwrap()
        };
        assert_eq!(cogs_all(&l), dec("10"));
        let IngestOutcome::Applied { corrections, true_ups } = outcome else { panic!("applied") };
        let c: Vec<_> = corrections.iter().map(|c| (c.event().to_owned(), c.delta())).collect();
        assert_eq!(c, [("s1".to_owned(), dec("10"))]);
        assert_eq!(true_ups.len(), 1, "{true_ups:?}");
        let undone = &true_ups[0];
        assert_eq!((undone.outbound.as_str(), undone.settled_by.as_str()), ("s1", "r1"));
        assert_eq!((undone.at, undone.units, undone.amount), (t(3), Quantity::new(-5), dec("-20")));
        assert_eq!(undone.flow, Flow::Cogs);
        // Corrections and true-ups add up to the change: 10 - 20 = -10.
        let total: Decimal = corrections.iter().map(|c| c.delta()).sum::<Decimal>()
            + true_ups.iter().map(|x| x.amount).sum::<Decimal>();
        assert_eq!(total, dec("-10"));
    }
}

/// A backdated shipment placed before a landed cost changes how much of
/// it fell on units already gone: the landed cost is reported as a
/// correction of its cost of goods sold.
#[test]
fn a_backdate_that_moves_landed_cost_into_cogs_reports_it() {
    let target =
        |r: &str| LandedTarget { receipt: EventId::new(r).unwrap(), measure: Decimal::ZERO };
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    // r1 10 x 2 = 20, r2 10 x 3 = 30; s1 takes r1's 10 (20) and 2 of r2
    // (6): 26.
    feed(&mut l, &[receipt("r1", 1, 10, "2"), receipt("r2", 2, 10, "3"), ship("s1", 3, 12)]);
    let landed = EventKind::LandedCost {
        amount: dec("60"),
        basis: LandedBasis::Value,
        targets: vec![target("r1"), target("r2")],
    };
    l.ingest(ev("lc", 5, landed)).unwrap();
    // By value 20 : 30, r1 gets 24 and r2 36. r1 is all gone: 24 to
    // COGS; r2 holds 8 of 10: 36 x 8 / 10 = 28.8 held, 7.2 to COGS.
    // COGS 26 + 24 + 7.2 = 57.2; value 8 x 3 + 28.8 = 52.8.
    assert_eq!((cogs_all(&l), value_now(&l)), (dec("57.2"), dec("52.8")));
    let outcome = l.ingest(ship("s0", 4, 3)).unwrap();
    // s0 (before lc) takes 3 of r2: 9. r2 then holds 5: 36 x 5 / 10 =
    // 18 held, 18 to COGS. COGS 26 + 9 + 24 + 18 = 77; value 5 x 3 +
    // 18 = 33.
    assert_eq!((cogs_all(&l), value_now(&l)), (dec("77"), dec("33")));
    let IngestOutcome::Applied { corrections, .. } = outcome else { panic!("applied") };
    // lc's cost of goods sold went from 24 + 7.2 = 31.2 to 24 + 18 = 42:
    // with s0's own 9, the 19.8 COGS rose by.
    let c: Vec<_> =
        corrections.iter().map(|c| (c.event().to_owned(), c.before(), c.after())).collect();
    assert_eq!(c, [("lc".to_owned(), dec("31.2"), dec("42"))]);
}

/// Two shipments in transit to one place from two warehouses: each
/// arrival takes the cost of the units its own source sent, under every
/// method (under moving average, each source's average when it sent
/// them).
#[test]
fn an_arrival_takes_the_cost_its_source_sent() {
    let fba = loc("FBA");
    for method in [Method::Fifo, Method::Lifo, Method::MovingAverage] {
        for first in ["WH1", "WH2"] {
            let mut l = ledger(method, NegativeStock::Reject);
            // WH1 sends 10 x 1 = 10, WH2 10 x 5 = 50, both to FBA.
            feed(
                &mut l,
                &[
                    receipt("r1", 1, 10, "1"),
                    at("r2", 1, "WH2", EventKind::receipt(Quantity::new(10), dec("5"))),
                    at("o1", 2, "WH1", out(10)),
                    at("o2", 3, "WH2", out(10)),
                    at("i", 4, "FBA", arrive(4, first)),
                ],
            );
            // 4 units arrive from `first`: at 1 each from WH1, 5 from WH2.
            let (here, still) = if first == "WH1" { ("4", "56") } else { ("20", "40") };
            let case = format!("{method:?} from {first}");
            assert_eq!(l.value(&sku(), &fba, Disposition::Sellable, t(5)), dec(here), "{case}");
            assert_eq!(l.value(&sku(), &fba, Disposition::InTransit, t(5)), dec(still), "{case}");
        }
    }
}

/// A timestamp in a leap second (chrono reads "23:59:60.5" from RFC 3339)
/// is the instant 00:00:00.5 of the next day: the ledger stores it so, and
/// the same event again is a duplicate, not a conflict.
#[test]
fn an_event_in_a_leap_second_repeats_as_a_duplicate() {
    let leap = DateTime::parse_from_rfc3339("2016-12-31T23:59:60.5Z").unwrap().to_utc();
    let next = DateTime::parse_from_rfc3339("2017-01-01T00:00:00.5Z").unwrap().to_utc();
    let event = Event::new(
        EventId::new("r1").unwrap(),
        leap,
        sku(),
        loc("WH1"),
        EventKind::receipt(Quantity::new(1), Decimal::ONE),
    );
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    l.ingest(event.clone()).unwrap();
    let before = l.clone();
    assert_eq!(l.ingest(event.clone()).unwrap(), IngestOutcome::Duplicate);
    assert_eq!(l.ingest_batch([event.clone()]).unwrap(), [IngestOutcome::Duplicate]);
    // The same instant written the ordinary way is the same event too.
    let plain = Event { at: next, ..event.clone() };
    assert_eq!(l.ingest(plain.clone()).unwrap(), IngestOutcome::Duplicate);
    assert!(l == before);
    // Within one batch as well.
    let mut fresh = ledger(Method::Fifo, NegativeStock::Reject);
    let outcomes = fresh.ingest_batch([event, plain]).unwrap();
    assert_eq!(outcomes[1], IngestOutcome::Duplicate);
    assert_eq!(fresh.events(&sku())[0].at, next);
}

/// A day's opening stock is its balance at its first instant, as every
/// as-of query counts it: units received at 00:00:00 (date-only reports
/// are stamped so) were there all day, and the day is not stocked out.
#[test]
fn units_received_at_midnight_open_the_day_in_stock() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    // Day 1 (hours 0-23): 5 in at 00:00, all 5 sold at 10:00 (sold out).
    // Day 2: nothing held. Day 3: 3 in at 00:00 (hour 48), 1 sold.
    feed(
        &mut l,
        &[
            receipt("r1", 0, 5, "1"),
            ship("s1", 10, 5),
            receipt("r2", 48, 3, "1"),
            ship("s2", 50, 1),
        ],
    );
    let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let s = l.daily_demand(&sku(), DateRange::starting(start, 3).unwrap());
    assert_eq!(s.units(), &[Quantity::new(5), Quantity::ZERO, Quantity::new(1)]);
    // Day 1 ends at 0 (flagged, as before); day 2 holds nothing; day 3
    // opens with 3 and closes with 2.
    assert_eq!(s.stocked_out(), &[true, true, false]);
}

/// Two equal settlements of one shipment, one of which a backdate undoes:
/// the one that no longer happens is reported reversed, though another
/// equal to it remains.
#[test]
fn a_backdate_that_undoes_one_of_two_equal_true_ups_reports_it() {
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    // s1 ships 4 short at 0; r1 and r2 (2 x 4 each) settle 2 units each:
    // two true-ups of 2 x 4 - 0 = 8. COGS 16.
    feed(&mut l, &[ship("s1", 2, 4), receipt("r1", 3, 2, "4"), receipt("r2", 4, 2, "4")]);
    assert_eq!(cogs_all(&l), dec("16"));
    // r0 (2 x 0) before s1: s1 takes its 2 free units and goes 2 short,
    // priced at r0's 0; r1 settles them (8); r2 settles nothing. COGS 8.
    let outcome = l.ingest(receipt("r0", 1, 2, "0")).unwrap();
    assert_eq!(cogs_all(&l), dec("8"));
    let IngestOutcome::Applied { corrections, true_ups } = outcome else { panic!("applied") };
    assert!(corrections.is_empty(), "s1 moved 0 before and after");
    let reported: Vec<_> = true_ups
        .iter()
        .map(|x| (x.settled_by.as_str().to_owned(), x.units.get(), x.amount))
        .collect();
    assert_eq!(reported, [("r2".to_owned(), -2, dec("-8"))]);
}

/// Aging as of a past day lists the lots held that day, not today's lots
/// that had arrived by then: it agrees with the holdings of that day.
#[test]
fn aged_lots_of_a_past_day_are_the_lots_held_that_day() {
    let mut l = ledger(Method::Fifo, NegativeStock::Reject);
    // Jan 1: 10 at 2; Jan 4 (hour 80): 5 at 3; Jan 5 (hour 100): 12 sold
    // (all 10 of r1 and 2 of r2).
    feed(&mut l, &[receipt("r1", 1, 10, "2"), receipt("r2", 80, 5, "3"), ship("s1", 100, 12)]);
    let jan = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    let lots = |day| -> Vec<(NaiveDate, i64, Decimal)> {
        l.aged_lots(&sku(), day)
            .iter()
            .map(|a| (a.received_on, a.quantity.get(), a.value))
            .collect()
    };
    // End of Jan 4: both lots whole, 10 x 2 = 20 and 5 x 3 = 15, the 35
    // that `holdings` reports (the lots held now gave 3 units worth 9).
    assert_eq!(lots(jan(4)), [(jan(1), 10, dec("20")), (jan(4), 5, dec("15"))]);
    assert_eq!(l.holdings(&sku(), jan(4))[0].value, dec("35"));
    // End of Jan 2: only r1. End of Jan 5 and later: 3 of r2, worth 9.
    assert_eq!(lots(jan(2)), [(jan(1), 10, dec("20"))]);
    assert_eq!(lots(jan(5)), [(jan(4), 3, dec("9"))]);
    assert_eq!(lots(jan(9)), lots(jan(5)));
    assert!(lots(NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()).is_empty());
}

/// Under moving average a landed cost counts the receipt's units still
/// held oldest first, as aging does; its part on units already gone is a
/// cost line at the receipt's location through no channel.
#[test]
fn landed_cost_under_moving_average_and_where_its_cogs_line_falls() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::Reject);
    feed(&mut l, &[receipt("r1", 1, 10, "2"), receipt("r2", 2, 10, "4"), ship("s1", 3, 5)]);
    // Pool 20 units worth 60: 5 leave at 15, 45 left. The 5 sold are
    // counted as r1's oldest: 20 of freight on r1 puts 20 x 5 / 10 = 10
    // on its 5 held (pool 55) and 10 into COGS (15 + 10 = 25).
    let landed = EventKind::LandedCost {
        amount: dec("20"),
        basis: LandedBasis::Quantity,
        targets: vec![LandedTarget {
            receipt: EventId::new("r1").unwrap(),
            measure: Decimal::ZERO,
        }],
    };
    l.ingest(ev("lc", 4, landed)).unwrap();
    assert_eq!((cogs_all(&l), value_now(&l)), (dec("25"), dec("55")));
    let lines = l.cost_lines(&sku(), t(0), t(10));
    let last = lines.last().unwrap();
    assert_eq!((last.event.as_str(), last.cost), ("lc", dec("10")));
    assert_eq!((last.location.as_str(), last.channel.as_ref()), ("WH1", None));
    // Per channel, the line is in no channel's total.
    let amazon = ChannelId::new("amazon").unwrap();
    assert_eq!(l.cogs(&sku(), t(0), t(10), None, Some(&amazon)), dec("15"));
}
