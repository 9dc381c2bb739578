#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_wrap,
    reason = "tests fail loudly; every input is a constant and counts are small"
)]
//! The ledger against published valuation figures: perpetual FIFO, LIFO
//! and moving-average worked examples from accounting textbooks, and the
//! scenarios of ERPNext's and Odoo's own valuation tests, replayed event
//! by event (same purchases, sales, returns and landed costs in the same
//! order) with the cost of each sale, the stock value and the units
//! compared after each step.
//!
//! Where a peer's number differs from ours because of a documented
//! convention (Odoo and ERPNext round to the currency's minor unit, Odoo
//! does not re-flow a change to a past receipt, ERPNext reposts a landed
//! cost from its receipt's date), the test asserts our number and names
//! the peer's beside it; `tests/peer_valuation.rs` in the audit report
//! lists them.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use merchantry_core::{
    ChannelId, DateRange, Disposition, EventId, LocationId, OrderId, Quantity, Sku, StockView,
    ValuationView,
};
use merchantry_ledger::{
    Event, EventKind, IngestOutcome, LandedBasis, LandedTarget, Ledger, LedgerError, LedgerOptions,
    Method, NegativeStock, VendorReturnCost,
};
use rust_decimal::Decimal;

// ---- helpers ------------------------------------------------------------

const WH: &str = "WH1";

/// Hour `h` after the first instant of 2026.
fn t(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::hours(h)
}

/// Far past every event.
fn end() -> DateTime<Utc> {
    t(100_000)
}

fn sku() -> Sku {
    Sku::new("ITEM").unwrap()
}

fn loc(name: &str) -> LocationId {
    LocationId::new(name).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn ev_at(id: &str, h: i64, place: &str, kind: EventKind) -> Event {
    Event::new(EventId::new(id).unwrap(), t(h), sku(), loc(place), kind)
}

fn recv_at(id: &str, h: i64, place: &str, qty: i64, cost: &str) -> Event {
    ev_at(id, h, place, EventKind::receipt(Quantity::new(qty), dec(cost)))
}

fn recv(id: &str, h: i64, qty: i64, cost: &str) -> Event {
    recv_at(id, h, WH, qty, cost)
}

fn ship_at(id: &str, h: i64, place: &str, qty: i64) -> Event {
    let kind = EventKind::shipment(
        Quantity::new(qty),
        ChannelId::new("web").unwrap(),
        OrderId::new(format!("o-{id}")).unwrap(),
    );
    ev_at(id, h, place, kind)
}

fn ship(id: &str, h: i64, qty: i64) -> Event {
    ship_at(id, h, WH, qty)
}

/// Units back from a customer, against shipment `of`.
fn back(id: &str, h: i64, qty: i64, of: &str) -> Event {
    let kind = EventKind::CustomerReturn {
        quantity: Quantity::new(qty),
        channel: ChannelId::new("web").unwrap(),
        disposition: Disposition::Sellable,
        shipment: Some(EventId::new(of).unwrap()),
    };
    ev_at(id, h, WH, kind)
}

/// Units sent back to the vendor of receipt `of` (at that receipt's
/// carrying value), or at the average when `of` is empty.
fn to_vendor(id: &str, h: i64, qty: i64, of: &str) -> Event {
    let cost = if of.is_empty() {
        VendorReturnCost::CurrentAverage
    } else {
        VendorReturnCost::Receipt(EventId::new(of).unwrap())
    };
    let kind = EventKind::VendorReturn {
        quantity: Quantity::new(qty),
        disposition: Disposition::Sellable,
        cost,
    };
    ev_at(id, h, WH, kind)
}

/// A landed cost of `amount` over receipts with their measures.
fn landed(id: &str, h: i64, amount: &str, basis: LandedBasis, on: &[(&str, &str)]) -> Event {
    let targets = on
        .iter()
        .map(|(r, m)| LandedTarget { receipt: EventId::new(*r).unwrap(), measure: dec(m) })
        .collect();
    ev_at(id, h, WH, EventKind::LandedCost { amount: dec(amount), basis, targets })
}

/// A landed cost of `amount` on one receipt.
fn landed_on(id: &str, h: i64, amount: &str, receipt: &str) -> Event {
    landed(id, h, amount, LandedBasis::Quantity, &[(receipt, "0")])
}

/// Units leaving `from` for `to` (in transit there until they arrive).
fn send(id: &str, h: i64, from: &str, to: &str, qty: i64) -> Event {
    let kind = EventKind::TransferOut {
        quantity: Quantity::new(qty),
        disposition: Disposition::Sellable,
        to: loc(to),
    };
    ev_at(id, h, from, kind)
}

/// Units arriving at `place` from `from`.
fn arrive(id: &str, h: i64, place: &str, from: &str, qty: i64) -> Event {
    let kind = EventKind::TransferIn {
        quantity: Quantity::new(qty),
        from: loc(from),
        disposition: Disposition::Sellable,
    };
    ev_at(id, h, place, kind)
}

fn ledger(method: Method, negative: NegativeStock) -> Ledger {
    Ledger::new(LedgerOptions {
        default_method: method,
        negative_stock: negative,
        ..LedgerOptions::default()
    })
}

fn fifo() -> Ledger {
    ledger(Method::Fifo, NegativeStock::Reject)
}

fn lifo() -> Ledger {
    ledger(Method::Lifo, NegativeStock::Reject)
}

fn average() -> Ledger {
    ledger(Method::MovingAverage, NegativeStock::Reject)
}

fn feed(l: &mut Ledger, events: &[Event]) {
    for e in events {
        l.ingest_ref(e).unwrap();
    }
}

/// The cost of goods sold that event `id` itself recognised (a
/// shipment's, or a return's, negative): its own cost line.
fn sale_cost(l: &Ledger, id: &str) -> Decimal {
    l.cost_lines(&sku(), t(-100_000), end())
        .iter()
        .filter(|c| c.event.as_str() == id && !c.quantity.is_zero())
        .map(|c| c.cost)
        .sum()
}

/// The cost-only lines (true-ups, landed cost on units already gone)
/// recognised at event `id`.
fn cost_only(l: &Ledger, id: &str) -> Decimal {
    l.cost_lines(&sku(), t(-100_000), end())
        .iter()
        .filter(|c| c.event.as_str() == id && c.quantity.is_zero())
        .map(|c| c.cost)
        .sum()
}

fn cogs(l: &Ledger) -> Decimal {
    l.cogs(&sku(), t(-100_000), end(), None, None)
}

fn value(l: &Ledger) -> Decimal {
    l.total_value(&sku(), end())
}

fn units(l: &Ledger, place: &str) -> i64 {
    l.balance(&sku(), &loc(place), Disposition::Sellable, end()).get()
}

/// One step of a replayed scenario: the event, the cost of goods sold it
/// recognises itself (for a sale), and the stock value and the units at
/// `WH1` after it.
struct Step {
    event: Event,
    cost: Option<&'static str>,
    value: &'static str,
    units: i64,
}

fn step(event: Event, cost: Option<&'static str>, value: &'static str, units: i64) -> Step {
    Step { event, cost, value, units }
}

/// Ingests each step's event in order and checks what follows it.
fn replay(l: &mut Ledger, steps: &[Step]) {
    for s in steps {
        let id = s.event.id.as_str().to_owned();
        l.ingest_ref(&s.event).unwrap_or_else(|e| panic!("{id}: {e}"));
        if let Some(cost) = s.cost {
            assert_eq!(sale_cost(l, &id), dec(cost), "cost of {id}");
        }
        assert_eq!(value(l), dec(s.value), "value after {id}");
        assert_eq!(units(l, WH), s.units, "units after {id}");
    }
}

/// The receipts, landed costs and sales of a conserved history add up:
/// value received and landed less cost of goods sold, write-offs and
/// vendor returns is the value held.
fn assert_conserved(l: &Ledger) {
    let f = l.flows(&sku(), t(-100_000), end());
    let held = f.receipts + f.landed - f.cogs - f.write_offs - f.vendor_returns - f.variance;
    assert_eq!(held, value(l));
}

// ---- textbook worked examples ---------------------------------------------

/// Kieso, Weygandt and Warfield's Englehart Company problem (perpetual
/// inventory; the question as posted at transtutors.com, "compute the
/// cost of goods sold under the perpetual average-cost method"): 200 on
/// hand at 4.00, 500 bought at 4.50, 500 sold, 400 bought at 4.75, 400
/// sold, 300 bought at 5.00.
fn englehart() -> Vec<Event> {
    vec![
        recv("mar01", 0, 200, "4.00"),
        recv("mar10", 9 * 24, 500, "4.50"),
        ship("mar15", 14 * 24, 500),
        recv("mar20", 19 * 24, 400, "4.75"),
        ship("mar25", 24 * 24, 400),
        recv("mar30", 29 * 24, 300, "5.00"),
    ]
}

#[test]
fn englehart_perpetual_fifo() {
    let mut l = fifo();
    feed(&mut l, &englehart());
    // 200 x 4 + 300 x 4.50; 200 x 4.50 + 200 x 4.75; 200 x 4.75 + 300 x 5.
    assert_eq!(sale_cost(&l, "mar15"), dec("2150"));
    assert_eq!(sale_cost(&l, "mar25"), dec("1850"));
    assert_eq!(cogs(&l), dec("4000"));
    assert_eq!(value(&l), dec("2450"));
    assert_eq!(units(&l, WH), 500);
}

#[test]
fn englehart_perpetual_lifo() {
    let mut l = lifo();
    feed(&mut l, &englehart());
    // 500 x 4.50; 400 x 4.75; left 200 x 4 + 300 x 5.
    assert_eq!(sale_cost(&l, "mar15"), dec("2250"));
    assert_eq!(sale_cost(&l, "mar25"), dec("1900"));
    assert_eq!(cogs(&l), dec("4150"));
    assert_eq!(value(&l), dec("2300"));
}

#[test]
fn englehart_moving_average() {
    let mut l = average();
    feed(&mut l, &englehart());
    // 3,050 / 700 a unit, then (871.43 + 1,900) / 600: the textbook's
    // 4,026.19 of cost of goods sold and 2,423.81 ending inventory, which
    // it rounds to cents; ours keeps 16 places and adds up exactly.
    assert_eq!(sale_cost(&l, "mar15"), dec("2178.5714285714285714"));
    assert_eq!(sale_cost(&l, "mar25"), dec("1847.6190476190476191"));
    assert_eq!(cogs(&l).round_dp(2), dec("4026.19"));
    assert_eq!(value(&l).round_dp(2), dec("2423.81"));
    assert_eq!(cogs(&l) + value(&l), dec("6450"));
    assert_conserved(&l);
}

/// Wild's "Trekking" example (Financial and Managerial Accounting,
/// perpetual inventory, as quoted at coursehero.com): 10 at 91 on hand,
/// 15 bought at 106, 20 sold, 20 bought at 115, 10 at 119, 23 sold.
fn trekking() -> Vec<Event> {
    vec![
        recv("aug01", 0, 10, "91"),
        recv("aug03", 2 * 24, 15, "106"),
        ship("aug14", 13 * 24, 20),
        recv("aug17", 16 * 24, 20, "115"),
        recv("aug28", 27 * 24, 10, "119"),
        ship("aug31", 30 * 24, 23),
    ]
}

#[test]
fn trekking_fifo_lifo_and_moving_average() {
    // (method, first sale, second sale, ending inventory)
    let cases = [
        (Method::Fifo, "1970", "2600", "1420"),
        (Method::Lifo, "2045", "2685", "1260"),
        (Method::MovingAverage, "2000", "2622", "1368"),
    ];
    for (method, first, second, ending) in cases {
        let mut l = ledger(method, NegativeStock::Reject);
        feed(&mut l, &trekking());
        assert_eq!(sale_cost(&l, "aug14"), dec(first), "{method:?}");
        assert_eq!(sale_cost(&l, "aug31"), dec(second), "{method:?}");
        assert_eq!(value(&l), dec(ending), "{method:?}");
        assert_eq!(units(&l, WH), 12);
    }
}

/// Horngren's Steel Mill exercise (Financial and Managerial Accounting,
/// perpetual inventory, as quoted on studysmarter): 50 on hand at 35, 45
/// sold, 90 bought at 54, 85 sold, 15 bought at 58.
#[test]
fn steel_mill_fifo_lifo_and_moving_average() {
    let events = [
        recv("aug01", 0, 50, "35"),
        ship("aug03", 2 * 24, 45),
        recv("aug08", 7 * 24, 90, "54"),
        ship("aug21", 20 * 24, 85),
        recv("aug30", 29 * 24, 15, "58"),
    ];
    let cases = [
        (Method::Fifo, "4495", "6070", "1410"),
        (Method::Lifo, "4590", "6165", "1315"),
        (Method::MovingAverage, "4505", "6080", "1400"),
    ];
    for (method, second, total, ending) in cases {
        let mut l = ledger(method, NegativeStock::Reject);
        feed(&mut l, &events);
        assert_eq!(sale_cost(&l, "aug03"), dec("1575"), "{method:?}");
        assert_eq!(sale_cost(&l, "aug21"), dec(second), "{method:?}");
        assert_eq!(cogs(&l), dec(total), "{method:?}");
        assert_eq!(value(&l), dec(ending), "{method:?}");
    }
}

/// The perpetual FIFO example of OpenStax's Principles of Accounting,
/// section 10.3, as summarised at luxopenfin.hexalab.dev: 100 at 10, 150
/// at 12, 120 sold, 200 at 14, 150 sold.
#[test]
fn openstax_perpetual_fifo() {
    let mut l = fifo();
    replay(
        &mut l,
        &[
            step(recv("jan01", 0, 100, "10"), None, "1000", 100),
            step(recv("jan10", 9 * 24, 150, "12"), None, "2800", 250),
            step(ship("jan15", 14 * 24, 120), Some("1240"), "1560", 130),
            step(recv("jan20", 19 * 24, 200, "14"), None, "4360", 330),
            step(ship("jan25", 24 * 24, 150), Some("1840"), "2520", 180),
        ],
    );
}

// ---- Odoo: stock_account and stock_landed_costs tests ---------------------

/// odoo/odoo `addons/stock_account/tests/test_stockvaluation.py`,
/// `test_fifo_perpetual_2` (after accountingexplained.com's FIFO
/// example): the sale of 10 after 10 moved to a transit location takes
/// the same receipt's units.
#[test]
fn odoo_fifo_perpetual_2_accountingexplained() {
    let mut l = fifo();
    replay(
        &mut l,
        &[
            step(recv("m1", 1, 68, "15"), None, "1020", 68),
            step(recv("m2", 2, 140, "15.50"), None, "3190", 208),
            step(ship("m3", 3, 94), Some("1423"), "1767", 114),
            step(recv("m4", 4, 40, "16"), None, "2407", 154),
            step(recv("m5", 5, 78, "16.50"), None, "3694", 232),
            step(ship("m6", 6, 116), Some("1799"), "1895", 116),
            step(ship("m7", 7, 62), Some("1004"), "891", 54),
            // Moved, not sold: the value stays in the books, in transit.
            step(send("m8", 8, WH, "TRANSIT", 10), None, "891", 44),
            step(ship("m9", 9, 10), Some("165"), "726", 34),
        ],
    );
    let transit = l.value(&sku(), &loc("TRANSIT"), Disposition::InTransit, end());
    assert_eq!(transit, dec("165"));
}

/// odoo/odoo `test_stockvaluation.py`, `test_fifo_perpetual_3`.
#[test]
fn odoo_fifo_perpetual_3() {
    let mut l = fifo();
    replay(
        &mut l,
        &[
            step(recv("m1", 1, 10, "100"), None, "1000", 10),
            step(recv("m2", 2, 10, "80"), None, "1800", 20),
            step(ship("m3", 3, 15), Some("1400"), "400", 5),
            step(recv("m4", 4, 5, "60"), None, "700", 10),
            step(ship("m5", 5, 7), Some("520"), "180", 3),
        ],
    );
}

/// odoo/odoo `test_stockvaluation.py`, `test_average_perpetual_1`
/// (after accountingexplained.com's AVCO example). Odoo books the second
/// sale at -477.6: it keeps the average as a price rounded to two places
/// (15.91875 -> 15.92) and multiplies. Ours is the exact 30 x 15.91875.
#[test]
fn odoo_average_perpetual_1_accountingexplained() {
    let mut l = average();
    replay(
        &mut l,
        &[
            step(recv("m1", 1, 60, "15"), None, "900", 60),
            step(recv("m2", 2, 140, "15.50"), None, "3070", 200),
            step(ship("m3", 3, 190), Some("2916.5"), "153.5", 10),
            step(recv("m4", 4, 70, "16"), None, "1273.5", 80),
            step(ship("m5", 5, 30), Some("477.5625"), "795.9375", 50),
        ],
    );
    // Odoo's figure, for the record: its rounded unit cost times 30.
    assert_eq!(dec("15.91875").round_dp(2) * Decimal::from(30), dec("477.60"));
}

/// odoo/odoo `addons/stock_account/tests/test_stockvaluationlayer.py`,
/// `test_normal_1` of the FIFO and AVCO classes.
#[test]
fn odoo_svl_normal_1_fifo_and_average() {
    for (method, cost, left) in [(Method::Fifo, "200", "100"), (Method::MovingAverage, "225", "75")]
    {
        let mut l = ledger(method, NegativeStock::Reject);
        feed(&mut l, &[recv("m1", 1, 10, "10"), recv("m2", 2, 10, "20"), ship("m3", 3, 15)]);
        assert_eq!(sale_cost(&l, "m3"), dec(cost), "{method:?}");
        assert_eq!(value(&l), dec(left), "{method:?}");
        assert_eq!(units(&l, WH), 5);
    }
}

/// `test_stockvaluationlayer.py`, `test_negative_1` of the FIFO and AVCO
/// classes: 10 at 10, 10 at 20, 30 sold (10 short), 10 at 30 fills the
/// hole, 10 at 40 is what is left: 400 for 10. Both sides recognise 600
/// of cost in all, and price the 10 missing units as Odoo does: FIFO at
/// the last FIFO price (20, the last receipt's cost), so the sale shows
/// 500 and a true-up (Odoo's vacuum) of 100; AVCO at the average (15),
/// so the sale shows 450 and a true-up of 150.
#[test]
fn odoo_svl_negative_1_fifo_and_average() {
    for (method, sale, true_up) in
        [(Method::Fifo, "500", "100"), (Method::MovingAverage, "450", "150")]
    {
        let mut l = ledger(method, NegativeStock::AllowWithTrueUp);
        feed(&mut l, &[recv("m1", 1, 10, "10"), recv("m2", 2, 10, "20"), ship("m3", 3, 30)]);
        assert_eq!(units(&l, WH), -10);
        assert_eq!(sale_cost(&l, "m3"), dec(sale), "{method:?}");
        let fill = l.ingest(recv("m4", 4, 10, "30")).unwrap();
        let IngestOutcome::Applied { true_ups, .. } = fill else { panic!("not applied") };
        assert_eq!(true_ups.len(), 1);
        assert_eq!(true_ups[0].outbound.as_str(), "m3");
        assert_eq!(true_ups[0].amount, dec(true_up), "{method:?}");
        assert_eq!((units(&l, WH), value(&l)), (0, Decimal::ZERO), "{method:?}");
        l.ingest(recv("m5", 5, 10, "40")).unwrap();
        assert_eq!((units(&l, WH), value(&l)), (10, dec("400")), "{method:?}");
        assert_eq!(cogs(&l), dec("600"), "{method:?}");
    }
}

/// `test_stockvaluationlayer.py` AVCO `test_negative_2` and `_3`, and
/// FIFO `test_return_delivery_3`: units sent before any receipt. Odoo
/// prices them at the product's standard price (10, or 0 when unset);
/// ours, with no cost known, at zero, so all of the cost arrives as the
/// true-up. The stock figures agree.
#[test]
fn odoo_svl_sending_before_any_receipt() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[ship("out", 1, 1), recv("in", 2, 1, "15")]);
    assert_eq!((units(&l, WH), value(&l), cogs(&l)), (0, Decimal::ZERO, dec("15")));

    // `test_negative_3`: Odoo's vacuum on the 2 units sent is -6.66.
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[ship("out", 1, 2), recv("in", 2, 20, "3.33")]);
    assert_eq!(sale_cost(&l, "out"), Decimal::ZERO);
    assert_eq!(cost_only(&l, "in"), dec("6.66"));
    assert_eq!((units(&l, WH), value(&l)), (18, dec("59.94")));

    // FIFO `test_return_delivery_3`: 10 sent, 10 bought at 2, the 10
    // sent come back at what they finally cost: 20 for 10 units.
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[ship("out", 1, 10), recv("in", 2, 10, "2"), back("ret", 3, 10, "out")]);
    assert_eq!((units(&l, WH), value(&l)), (10, dec("20")));
    assert_eq!(cogs(&l), Decimal::ZERO);
}

/// odoo/odoo `test_stockvaluation.py`, `test_fifo_negative_1`: 50 sent
/// at a standard price of 8 with none held, 40 received at 15 (vacuum
/// 280), 20 at 25 (vacuum 170), 10 left worth 250. Our ledger has no
/// standard price; the last known cost plays its part, so one unit
/// bought at 8 and sold first sets it.
#[test]
fn odoo_fifo_negative_1_vacuum_amounts() {
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[recv("seed", 0, 1, "8"), ship("seed-out", 0, 1)]);
    replay(
        &mut l,
        &[
            step(ship("m1", 1, 50), Some("400"), "-400", -50),
            step(recv("m2", 2, 40, "15"), None, "-80", -10),
            step(recv("m3", 3, 20, "25"), None, "250", 10),
        ],
    );
    assert_eq!(cost_only(&l, "m2"), dec("280"));
    assert_eq!(cost_only(&l, "m3"), dec("170"));
    // 400 + 280 + 170 on the 50 sent, and the seed's 8.
    assert_eq!(cogs(&l), dec("858"));
}

/// odoo/odoo `test_stockvaluation.py`, `test_fifo_negative_2`: 12 sent
/// with 10 held are priced at the last FIFO price; 2 received at that
/// very price leave nothing to correct (Odoo makes no entry; ours reports
/// a true-up of zero).
#[test]
fn odoo_fifo_negative_2_nothing_to_correct() {
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[recv("m1", 1, 10, "10"), ship("m2", 2, 12)]);
    assert_eq!(sale_cost(&l, "m2"), dec("120"));
    assert_eq!((units(&l, WH), value(&l)), (-2, dec("-20")));
    let fill = l.ingest(recv("m3", 3, 2, "10")).unwrap();
    let IngestOutcome::Applied { true_ups, .. } = fill else { panic!("not applied") };
    assert!(true_ups.iter().all(|u| u.amount.is_zero()), "{true_ups:?}");
    assert_eq!((units(&l, WH), value(&l)), (0, Decimal::ZERO));
    assert_eq!(cogs(&l), dec("120"));
}

/// `test_stockvaluationlayer.py`: returns. FIFO `test_return_receipt_1`
/// (2 of the first receipt sent back at its cost), AVCO
/// `test_return_receipt_1` (at the average), AVCO and FIFO
/// `test_return_delivery_1` (a sale returned at what it cost), FIFO
/// `test_rereturn_delivery_1` (units back from a customer are newer than
/// a purchase before them) and `test_return_delivery_2`.
#[test]
fn odoo_svl_returns() {
    let mut l = fifo();
    feed(&mut l, &[recv("m1", 1, 10, "10"), recv("m2", 2, 10, "20"), to_vendor("m3", 3, 2, "m1")]);
    assert_eq!((units(&l, WH), value(&l)), (18, dec("280")));

    // AVCO: the sale took the first receipt's unit (our moving average
    // counts units out oldest first), so naming that receipt is refused
    // as short; Odoo sends it back at the average, as ours does at the
    // current average.
    let mut l = average();
    feed(&mut l, &[recv("m1", 1, 1, "10"), recv("m2", 2, 1, "20"), ship("m3", 3, 1)]);
    assert_eq!(sale_cost(&l, "m3"), dec("15"));
    let named = l.ingest(to_vendor("m4", 4, 1, "m1"));
    assert!(matches!(named, Err(LedgerError::ReceiptUnitsShort { .. })), "{named:?}");
    l.ingest(to_vendor("m4", 4, 1, "")).unwrap();
    assert_eq!(l.flows(&sku(), t(0), end()).vendor_returns, dec("15"));
    assert_eq!((units(&l, WH), value(&l)), (0, Decimal::ZERO));

    let mut l = average();
    feed(&mut l, &[recv("m1", 1, 1, "10"), recv("m2", 2, 1, "20"), ship("m3", 3, 1)]);
    l.ingest(back("m4", 4, 1, "m3")).unwrap();
    assert_eq!((units(&l, WH), value(&l)), (2, dec("30")));

    let mut l = fifo();
    let events = [
        recv("m1", 1, 10, "10"),
        ship("m2", 2, 10),
        recv("m3", 3, 10, "20"),
        back("m4", 4, 10, "m2"),
    ];
    feed(&mut l, &events);
    assert_eq!((units(&l, WH), value(&l)), (20, dec("300")));

    let mut l = fifo();
    let events = [
        recv("m1", 1, 1, "10"),
        recv("m2", 2, 1, "20"),
        ship("m3", 3, 1),
        back("m4", 4, 1, "m3"),
        ship("m5", 5, 1),
    ];
    feed(&mut l, &events);
    assert_eq!(sale_cost(&l, "m5"), dec("20"));
    assert_eq!((units(&l, WH), value(&l)), (1, dec("10")));

    let mut l = fifo();
    let events = [
        recv("m1", 1, 1, "10"),
        recv("m2", 2, 1, "0"),
        ship("m3", 3, 1),
        ship("m4", 4, 1),
        back("m5", 5, 1, "m4"),
    ];
    feed(&mut l, &events);
    assert_eq!(sale_cost(&l, "m5"), Decimal::ZERO);
}

/// `test_stockvaluationlayer.py` AVCO `test_rounding_slv_1`, `_2` and
/// `test_rounding_svl_3`, and `test_return_delivery_rounding`: a pool
/// emptied by its last sale is worth exactly zero, with no rounding
/// adjustment (Odoo books one of a cent).
#[test]
fn odoo_svl_average_rounding() {
    for (costs, total) in [(["1.00", "1.00", "1.01"], "3.01"), (["1.02", "1.00", "1.00"], "3.02")] {
        let mut l = average();
        for (i, c) in costs.iter().enumerate() {
            l.ingest(recv(&format!("in{i}"), i as i64, 1, c)).unwrap();
        }
        l.ingest(ship("out", 5, 3)).unwrap();
        assert_eq!(value(&l), Decimal::ZERO);
        assert_eq!(sale_cost(&l, "out"), dec(total));
    }
    let mut l = average();
    feed(&mut l, &[recv("a", 1, 1000, "0.17"), recv("b", 2, 800, "0.23")]);
    feed(&mut l, &[ship("c", 3, 1000), ship("d", 4, 800)]);
    // Odoo rounds the average to 0.20 and books 200 then the rest; ours
    // books 1,000 of 1,800 units of 354 exactly (to 16 places).
    assert_eq!(sale_cost(&l, "c"), dec("196.6666666666666667"));
    assert_eq!(sale_cost(&l, "d"), dec("157.3333333333333333"));
    assert_eq!(value(&l), Decimal::ZERO);

    let mut l = average();
    feed(&mut l, &[recv("a", 1, 1, "13.13"), recv("b", 2, 1, "12.20"), ship("c", 3, 2)]);
    l.ingest(back("d", 4, 2, "c")).unwrap();
    assert_eq!(sale_cost(&l, "d"), dec("-25.33"));
    assert_eq!((units(&l, WH), value(&l)), (2, dec("25.33")));

    // `test_rounding_svl_4`: 2 at 4.63 and 5 at 3.04, sold one by one
    // (Odoo sells tenths; our units are whole): nothing is left over.
    let mut l = average();
    feed(&mut l, &[recv("a", 1, 2, "4.63"), recv("b", 2, 5, "3.04")]);
    for i in 0..7 {
        l.ingest(ship(&format!("s{i}"), 3 + i, 1)).unwrap();
    }
    assert_eq!((units(&l, WH), value(&l)), (0, Decimal::ZERO));
    assert_eq!(cogs(&l), dec("24.46"));
}

/// Odoo's answer to a change in the past (`test_stockvaluationlayer.py`,
/// `test_change_in_past_increase_in_1` of FIFO and AVCO, FIFO
/// `test_change_in_past_increase_in_2`): more units on an old receipt
/// become a new layer now, and sales already made keep their cost. Ours
/// books the late units as a receipt stamped then, and replays: sales
/// after it take them, as ERPNext's reposting does. A convention
/// difference; the numbers are Odoo's 100, 125 and 1,375 against our
/// 150, 140 and 1,425.
#[test]
fn odoo_change_in_past_is_replayed_not_appended() {
    // FIFO: 10 at 10, 10 at 15, 20 sold, then 10 more found on the first.
    let mut l = fifo();
    feed(&mut l, &[recv("m1", 1, 10, "10"), recv("m2", 2, 10, "15"), ship("m3", 3, 20)]);
    l.ingest(recv("m1-more", 1, 10, "10")).unwrap();
    assert_eq!(sale_cost(&l, "m3"), dec("200"));
    assert_eq!((units(&l, WH), value(&l)), (10, dec("150")));

    // AVCO: 10 at 10, 10 at 20, 15 sold, then 5 more on the first.
    let mut l = average();
    feed(&mut l, &[recv("m1", 1, 10, "10"), recv("m2", 2, 10, "20"), ship("m3", 3, 15)]);
    l.ingest(recv("m1-more", 1, 5, "10")).unwrap();
    assert_eq!(sale_cost(&l, "m3"), dec("210"));
    assert_eq!((units(&l, WH), value(&l)), (10, dec("140")));

    // FIFO: 10 at 10, 10 at 12, 15 and 20 sold (15 short), 100 at 15,
    // then 10 more on the first: only 5 were short, so 95 left at 15.
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    let events = [
        recv("m1", 1, 10, "10"),
        recv("m2", 2, 10, "12"),
        ship("m3", 3, 15),
        ship("m4", 4, 20),
        recv("m5", 5, 100, "15"),
    ];
    feed(&mut l, &events);
    assert_eq!((units(&l, WH), value(&l)), (85, dec("1275")));
    l.ingest(recv("m1-more", 1, 10, "10")).unwrap();
    assert_eq!((units(&l, WH), value(&l)), (95, dec("1425")));
    assert_conserved(&l);
}

/// odoo/odoo `addons/stock_landed_costs/tests/test_stockvaluationlayer.py`,
/// FIFO and AVCO classes: a landed cost raises the units of its receipt
/// still held and charges the rest to cost of goods sold.
#[test]
fn odoo_landed_costs_on_units_held_and_gone() {
    for method in [Method::Fifo, Method::MovingAverage] {
        // `test_normal_1`: 10 at 10 (+100 landed), 10 at 20, 1 sold.
        let mut l = ledger(method, NegativeStock::Reject);
        let events =
            [recv("m1", 1, 10, "10"), recv("m2", 2, 10, "20"), landed_on("lc", 3, "100", "m1")];
        feed(&mut l, &events);
        l.ingest(ship("m3", 4, 1)).unwrap();
        assert_eq!((units(&l, WH), value(&l)), (19, dec("380")), "{method:?}");

        // `test_alreadyout_1`: everything sold before the landed cost.
        let mut l = ledger(method, NegativeStock::Reject);
        feed(
            &mut l,
            &[recv("m1", 1, 10, "10"), ship("m2", 2, 10), landed_on("lc", 3, "100", "m1")],
        );
        assert_eq!((value(&l), cogs(&l)), (Decimal::ZERO, dec("200")), "{method:?}");
        assert_eq!(cost_only(&l, "lc"), dec("100"));

        // `test_negative_1`: 2 sent with none held, 10 received at 15
        // fill the hole, 100 landed on that receipt: 80 on the 8 held.
        let mut l = ledger(method, NegativeStock::AllowWithTrueUp);
        feed(&mut l, &[ship("m1", 1, 2), recv("m2", 2, 10, "15"), landed_on("lc", 3, "100", "m2")]);
        assert_eq!((units(&l, WH), value(&l)), (8, dec("200")), "{method:?}");
        assert_eq!(cost_only(&l, "lc"), dec("20"), "{method:?}");
    }
    // `test_alreadyout_2`: 1 sold before 100 lands on the first receipt.
    // FIFO sold a unit of it (9 of its 10 held: 90 on them); AVCO too, as
    // Odoo and our moving average both count units out oldest first.
    for (method, left) in [(Method::Fifo, "380"), (Method::MovingAverage, "375")] {
        let mut l = ledger(method, NegativeStock::Reject);
        feed(&mut l, &[recv("m1", 1, 10, "10"), recv("m2", 2, 10, "20"), ship("m3", 3, 1)]);
        l.ingest(landed_on("lc", 4, "100", "m1")).unwrap();
        assert_eq!((units(&l, WH), value(&l)), (19, dec(left)), "{method:?}");
        assert_eq!(cost_only(&l, "lc"), dec("10"), "{method:?}");
        assert_conserved(&l);
    }
}

/// `stock_landed_costs/tests/test_stockvaluationlayer.py`, FIFO
/// `test_rounding_1`, `_2`, `_3`: 3 units whose layer is 100, 98 or 4.85
/// sold one by one. Odoo books each sale in cents (33.33, 33.34, 33.33;
/// 32.67, 32.67, 32.66; 1.62, 1.62, 1.61); ours keeps 16 places, each
/// sale a share of what is left rounded half-even (the second sale's
/// share falls on a midpoint), the last taking the rest. The layer
/// empties exactly either way.
#[test]
fn odoo_landed_rounding_in_cents_against_sixteen_places() {
    let cases = [
        ("20", "40", ["33.3333333333333333", "33.3333333333333334", "33.3333333333333333"]),
        ("20", "38", ["32.6666666666666667", "32.6666666666666666", "32.6666666666666667"]),
        ("1", "1.85", ["1.6166666666666667", "1.6166666666666666", "1.6166666666666667"]),
    ];
    for (cost, extra, sales) in cases {
        let mut l = fifo();
        feed(&mut l, &[recv("m1", 1, 3, cost), landed_on("lc", 2, extra, "m1")]);
        for (i, want) in sales.iter().enumerate() {
            let id = format!("s{i}");
            l.ingest(ship(&id, 3 + i as i64, 1)).unwrap();
            assert_eq!(sale_cost(&l, &id), dec(want), "{cost} + {extra}, sale {i}");
        }
        assert_eq!(value(&l), Decimal::ZERO);
    }
}

// ---- ERPNext: valuation, stock ledger and landed cost voucher tests -------

/// frappe/erpnext `erpnext/stock/tests/test_valuation.py`,
/// `TestLIFOValuation.test_lifo_consumption` and
/// `test_lifo_consumption_multiple` (the same sequence as
/// `TestLIFOValuationSLE.test_lifo_values`, whose queue after each step
/// is checked through our layers).
#[test]
fn erpnext_lifo_consumption() {
    let mut l = lifo();
    feed(&mut l, &[recv("a", 1, 10, "10"), recv("b", 2, 10, "20"), ship("c", 3, 15)]);
    assert_eq!(sale_cost(&l, "c"), dec("250")); // 10 x 20 + 5 x 10
    assert_eq!((units(&l, WH), value(&l)), (5, dec("50")));

    let mut l = lifo();
    let layers = |l: &Ledger| -> Vec<(i64, Decimal)> {
        l.layers(&sku()).iter().map(|x| (x.quantity.get(), x.value)).collect()
    };
    let d = |n: i64| Decimal::from(n);
    feed(&mut l, &[recv("in1", 1, 1, "1"), recv("in2", 2, 2, "2"), ship("out1", 3, 1)]);
    assert_eq!(layers(&l), vec![(1, d(1)), (1, d(2))]);
    assert_eq!(sale_cost(&l, "out1"), d(2));
    feed(&mut l, &[recv("in3", 4, 3, "3"), ship("out2", 5, 4)]);
    assert_eq!(layers(&l), vec![(1, d(1))]);
    assert_eq!(sale_cost(&l, "out2"), d(11)); // 3 x 3 + 1 x 2
    feed(&mut l, &[recv("in4", 6, 4, "4"), ship("out3", 7, 5)]);
    assert!(layers(&l).is_empty());
    assert_eq!(sale_cost(&l, "out3"), d(17)); // 4 x 4 + 1 x 1
    feed(&mut l, &[recv("in5", 8, 5, "5"), ship("out5", 9, 5)]);
    assert_eq!(sale_cost(&l, "out5"), d(25));
    assert_eq!(value(&l), Decimal::ZERO);
}

/// `test_valuation.py`, `test_lifo_consumption_going_negative`: 10 at 10,
/// 10 at 20, 25 taken. ERPNext prices the 5 missing units at the rate of
/// the last bin it consumed (the oldest under LIFO: 10), 350 in all;
/// ours at the last receipt's cost (20), 400, trued up when stock comes.
/// A convention difference.
#[test]
fn erpnext_lifo_going_negative() {
    let mut l = ledger(Method::Lifo, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[recv("a", 1, 10, "10"), recv("b", 2, 10, "20"), ship("c", 3, 25)]);
    assert_eq!(sale_cost(&l, "c"), dec("400"));
    assert_eq!((units(&l, WH), value(&l)), (-5, dec("-100")));
}

/// `test_valuation.py`, `TestFIFOValuation.test_remove_multiple_bins` and
/// `test_totals`.
#[test]
fn erpnext_fifo_bins() {
    let mut l = fifo();
    let events = [
        recv("a", 1, 1, "10"),
        recv("b", 2, 2, "20"),
        recv("c", 3, 1, "20"),
        recv("d", 4, 5, "20"),
    ];
    feed(&mut l, &events);
    l.ingest(ship("out", 5, 4)).unwrap();
    assert_eq!(sale_cost(&l, "out"), dec("70"));
    assert_eq!((units(&l, WH), value(&l)), (5, dec("100")));

    let mut l = fifo();
    feed(&mut l, &[recv("a", 1, 1, "10"), recv("b", 2, 2, "13"), recv("c", 3, 1, "17")]);
    feed(&mut l, &[ship("o1", 4, 1), ship("o2", 5, 1), ship("o3", 6, 1)]);
    assert_eq!(
        [sale_cost(&l, "o1"), sale_cost(&l, "o2"), sale_cost(&l, "o3")],
        [dec("10"), dec("13"), dec("13")]
    );
    feed(&mut l, &[recv("e", 7, 5, "17"), recv("f", 8, 8, "11")]);
    assert_eq!((units(&l, WH), value(&l)), (14, dec("190")));
}

/// `test_valuation.py`: negative FIFO queues (`test_negative_stock`,
/// `test_adding_negative_stock_keeps_rate`,
/// `test_adding_negative_stock_updates_rate`). The queue's rate for the
/// missing units (5, 100) is set here by one unit bought at that cost
/// and sold. The stock figures agree; ERPNext leaves the difference
/// between the missing units' price and the new receipt's cost in the
/// receipt's stock value difference, ours reports it as a true-up of the
/// sale that went short.
#[test]
fn erpnext_negative_fifo_queue() {
    let seeded = |cost: &str| {
        let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
        feed(&mut l, &[recv("seed", 0, 1, cost), ship("seed-out", 0, 1)]);
        l
    };
    let mut l = seeded("5");
    feed(&mut l, &[ship("o1", 1, 1), ship("o2", 2, 1)]);
    assert_eq!((units(&l, WH), value(&l)), (-2, dec("-10")));
    l.ingest(recv("in", 3, 2, "10")).unwrap();
    assert_eq!((units(&l, WH), value(&l)), (0, Decimal::ZERO));
    assert_eq!(cost_only(&l, "in"), dec("10"));

    let mut l = seeded("100");
    l.ingest(ship("o1", 1, 5)).unwrap();
    l.ingest(recv("in", 2, 1, "10")).unwrap();
    assert_eq!((units(&l, WH), value(&l)), (-4, dec("-400")));
    l.ingest(recv("in2", 3, 5, "10")).unwrap();
    assert_eq!((units(&l, WH), value(&l)), (1, dec("10")));
    assert_eq!(cost_only(&l, "in") + cost_only(&l, "in2"), dec("-450"));
}

/// frappe/erpnext
/// `erpnext/stock/doctype/stock_ledger_entry/test_stock_ledger_entry.py`,
/// `test_negative_fifo_valuation`: 10 at 10, 15 then 5 consumed, 15
/// received at 15: stock -50, -100, then 75 (5 at 15). ERPNext's receipt
/// shows a stock value difference of 175 (225 received, 50 of it making
/// good the 10 missing units priced at 10); ours books 225 received and
/// a true-up of 50 on the consumption.
#[test]
fn erpnext_negative_fifo_valuation() {
    let mut l = ledger(Method::Fifo, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(recv("r1", 1, 10, "10"), None, "100", 10),
            step(ship("c1", 2, 15), Some("150"), "-50", -5),
            step(ship("c2", 3, 5), Some("50"), "-100", -10),
            step(recv("r2", 4, 15, "15"), None, "75", 5),
        ],
    );
    assert_eq!(cost_only(&l, "r2"), dec("50"));
    let before = l.total_value(&sku(), t(3));
    assert_eq!(value(&l) - before, dec("175"));
}

/// `test_stock_ledger_entry.py`, `test_dependent_gl_entry_reposting`
/// (FIFO): 5 received at A at 10, moved A -> B, consumed at B for 50. A
/// receipt of 5 at 20 backdated before them makes the consumption 100;
/// in another book, one of 2 at 20 makes it 2 x 20 + 3 x 10 = 70, and the
/// units moved on to C and consumed there cost 70 too.
#[test]
fn erpnext_backdated_receipt_reposts_through_transfers() {
    let day = |d: i64| 24 * d + 10;
    let base = || {
        let mut l = fifo();
        feed(
            &mut l,
            &[
                recv_at("r0", day(0), "A", 5, "10"),
                send("ab-out", day(1), "A", "B", 5),
                arrive("ab-in", day(1), "B", "A", 5),
            ],
        );
        l
    };
    let mut l = base();
    l.ingest(ship_at("use", day(2), "B", 5)).unwrap();
    assert_eq!(sale_cost(&l, "use"), dec("50"));
    let late = l.ingest(recv_at("bd", day(-1), "A", 5, "20")).unwrap();
    assert_eq!(sale_cost(&l, "use"), dec("100"));
    let IngestOutcome::Applied { corrections, .. } = late else { panic!("not applied") };
    let used = corrections.iter().find(|c| c.event() == "use").expect("a correction of use");
    assert_eq!((used.before(), used.after()), (dec("50"), dec("100")));

    let mut l = base();
    l.ingest(ship_at("use", day(2), "B", 5)).unwrap();
    l.ingest(recv_at("bd2", day(-2), "A", 2, "20")).unwrap();
    assert_eq!(sale_cost(&l, "use"), dec("70"));

    let mut l = base();
    l.ingest(recv_at("bd2", day(-2), "A", 2, "20")).unwrap();
    feed(
        &mut l,
        &[
            send("bc-out", day(3), "B", "C", 5),
            arrive("bc-in", day(3), "C", "B", 5),
            ship_at("final", day(4), "C", 5),
        ],
    );
    assert_eq!(sale_cost(&l, "final"), dec("70"));
    // The move took the 2 backdated units and 3 of r0's: A keeps r0's
    // other 2, at 10.
    assert_eq!(l.value(&sku(), &loc("A"), Disposition::Sellable, end()), dec("20"));
    assert_conserved(&l);
}

/// `test_stock_ledger_entry.py`, `test_intermediate_average_batch_wise_valuation`
/// (a batch valued at its moving average): 1 at 10 yesterday, 1 at 30
/// tomorrow, then 1 at 20 today, entered third; 1 consumed today costs
/// 15, and the 2 consumed the day after tomorrow 45, leaving nothing.
#[test]
fn erpnext_backdated_entries_in_a_moving_average() {
    let mut l = average();
    let (yesterday, today, tomorrow) = (-24, 0, 24);
    feed(
        &mut l,
        &[
            recv("yesterday", yesterday, 1, "10"),
            recv("tomorrow", tomorrow, 1, "30"),
            recv("today", today, 1, "20"),
            ship("consume-today", today + 1, 1),
            ship("consume-later", 2 * 24, 2),
        ],
    );
    assert_eq!(sale_cost(&l, "consume-today"), dec("15"));
    assert_eq!(sale_cost(&l, "consume-later"), dec("45"));
    assert_eq!((units(&l, WH), value(&l)), (0, Decimal::ZERO));
}

/// `test_stock_ledger_entry.py`, `test_transfer_invariants` (moving
/// average): 20 tonnes bought at 156,526 a tonne (20,000 kg at 156.526),
/// 1,728 kg moved: what leaves the source is exactly what reaches the
/// target.
#[test]
fn erpnext_transfer_moves_value_exactly() {
    let mut l = average();
    l.ingest(recv_at("pr", 1, "STORES", 20_000, "156.526")).unwrap();
    feed(&mut l, &[send("out", 2, "STORES", "FG", 1_728), arrive("in", 2, "FG", "STORES", 1_728)]);
    let fg = l.value(&sku(), &loc("FG"), Disposition::Sellable, end());
    let stores = l.value(&sku(), &loc("STORES"), Disposition::Sellable, end());
    assert_eq!(fg, dec("270476.928"));
    assert_eq!(stores + fg, dec("3130520"));
    assert_eq!(l.flows(&sku(), t(-1), end()).variance, Decimal::ZERO);
}

/// `test_stock_ledger_entry.py`, `test_fifo_dependent_consumption`: 19
/// receipts of 10 at 10, 20, ... 190, all moved to another warehouse:
/// the same queue arrives.
#[test]
fn erpnext_transfer_carries_the_fifo_queue() {
    let mut l = fifo();
    for i in 1..20_i64 {
        l.ingest(recv_at(&format!("r{i}"), i, "SRC", 10, &(10 * i).to_string())).unwrap();
    }
    feed(&mut l, &[send("out", 30, "SRC", "DST", 190), arrive("in", 30, "DST", "SRC", 190)]);
    let queue: Vec<(i64, Decimal)> = l
        .layers(&sku())
        .iter()
        .filter(|x| x.location == loc("DST"))
        .map(|x| (x.quantity.get(), x.value))
        .collect();
    let want: Vec<(i64, Decimal)> = (1..20).map(|i| (10, Decimal::from(100 * i))).collect();
    assert_eq!(queue, want);
}

/// `test_stock_ledger_entry.py`, `test_purchase_return_valuation_reposting`:
/// 5 received at 100, 2 sent back to the vendor (200), then a landed
/// cost of 50 on the receipt. ERPNext reposts the landed cost from the
/// receipt's date: the return leaves at 110 (220). Ours does that when
/// the landed cost is stamped at the receipt; stamped after the return,
/// it reaches only the 3 units held (30) and charges the 2 gone to cost
/// of goods sold (20), the vendor return staying at 200.
#[test]
fn erpnext_purchase_return_and_a_later_landed_cost() {
    let mut l = fifo();
    feed(&mut l, &[recv("pr", 1, 5, "100"), to_vendor("ret", 2, 2, "pr")]);
    assert_eq!(l.flows(&sku(), t(0), end()).vendor_returns, dec("200"));
    l.ingest(landed_on("lcv", 1, "50", "pr")).unwrap();
    assert_eq!(l.flows(&sku(), t(0), end()).vendor_returns, dec("220"));
    assert_eq!(value(&l), dec("330"));

    let mut l = fifo();
    feed(&mut l, &[recv("pr", 1, 5, "100"), to_vendor("ret", 2, 2, "pr")]);
    l.ingest(landed_on("lcv", 3, "50", "pr")).unwrap();
    let f = l.flows(&sku(), t(0), end());
    assert_eq!((f.vendor_returns, f.cogs, value(&l)), (dec("200"), dec("20"), dec("330")));
}

/// `test_stock_ledger_entry.py`, `test_sales_return_valuation_reposting`:
/// 5 received at 100, 5 delivered (500), 2 returned (200), then 50 landed
/// on the receipt: ERPNext reposts the delivery at 550 and the return at
/// 220. Ours gives the same when the landed cost is stamped at the
/// receipt (and reports the corrections); stamped after the return it
/// charges all 50 to cost of goods sold and the 2 returned units stay at
/// 100 each: our documented "stamp landed costs before returns".
#[test]
fn erpnext_sales_return_and_a_later_landed_cost() {
    let base = [recv("pr", 1, 5, "100"), ship("dn", 2, 5), back("ret", 3, 2, "dn")];
    let mut l = fifo();
    feed(&mut l, &base);
    assert_eq!(sale_cost(&l, "ret"), dec("-200"));
    let late = l.ingest(landed_on("lcv", 1, "50", "pr")).unwrap();
    assert_eq!(sale_cost(&l, "dn"), dec("550"));
    assert_eq!(sale_cost(&l, "ret"), dec("-220"));
    assert_eq!(value(&l), dec("220"));
    let IngestOutcome::Applied { corrections, .. } = late else { panic!("not applied") };
    let changed: Vec<String> = corrections.iter().map(|c| c.event().to_owned()).collect();
    assert_eq!(changed, ["dn", "ret"]);

    let mut l = fifo();
    feed(&mut l, &base);
    l.ingest(landed_on("lcv", 4, "50", "pr")).unwrap();
    assert_eq!((cogs(&l), value(&l)), (dec("350"), dec("200")));
}

/// frappe/erpnext
/// `erpnext/stock/doctype/landed_cost_voucher/test_landed_cost_voucher.py`:
/// `test_serialized_lcv_delivered` (a unit delivered before its landed
/// cost of 10 is known costs 210 in all) and
/// `test_landed_cost_voucher_stock_impact` (50 landed on an older
/// receipt raises the stock after a later one by 50).
#[test]
fn erpnext_landed_cost_after_delivery_and_on_an_older_receipt() {
    let mut l = fifo();
    feed(&mut l, &[recv("pr", 1, 1, "200"), ship("dn", 2, 1), landed_on("lcv", 3, "10", "pr")]);
    assert_eq!(cogs(&l), dec("210"));

    let mut l = fifo();
    feed(&mut l, &[recv("pr1", 1, 500, "80"), recv("pr2", 48, 100, "80")]);
    let before = value(&l);
    l.ingest(landed_on("lcv", 49, "50", "pr1")).unwrap();
    assert_eq!(value(&l) - before, dec("50"));
    assert_eq!(units(&l, WH), 600);
}

/// `test_landed_cost_voucher.py`, `test_landed_cost_uses_discounted_purchase_values`
/// (80 by amount over items worth 120, 200 and 0: 30, 50, 0),
/// `test_landed_cost_rejects_fully_discounted_purchase` (by amount over
/// nothing of value: refused; by quantity: 80) and
/// `test_landed_cost_voucher_for_zero_purchase_rate` (100 on 10 free
/// units raises them by 100).
#[test]
fn erpnext_landed_cost_by_value_and_over_free_receipts() {
    let mut l = fifo();
    feed(&mut l, &[recv("a", 1, 2, "60"), recv("b", 2, 2, "100"), recv("c", 3, 2, "0")]);
    let by_value = [("a", "0"), ("b", "0"), ("c", "0")];
    l.ingest(landed("lcv", 4, "80", LandedBasis::Value, &by_value)).unwrap();
    let held: Vec<(String, Decimal)> =
        l.layers(&sku()).iter().map(|x| (x.origin.as_str().to_owned(), x.value)).collect();
    let want = [("a", "150"), ("b", "250"), ("c", "0")];
    let want: Vec<(String, Decimal)> =
        want.iter().map(|(o, v)| ((*o).to_owned(), dec(v))).collect();
    assert_eq!(held, want);

    let mut l = fifo();
    l.ingest(recv("free", 1, 2, "0")).unwrap();
    let refused = l.ingest(landed("lcv", 2, "80", LandedBasis::Value, &[("free", "0")]));
    assert!(matches!(refused, Err(LedgerError::InvalidWeights { .. })), "{refused:?}");
    l.ingest(landed("lcv", 2, "80", LandedBasis::Quantity, &[("free", "0")])).unwrap();
    assert_eq!(value(&l), dec("80"));

    let mut l = fifo();
    feed(&mut l, &[recv("pr", 1, 10, "0"), landed_on("lcv", 2, "100", "pr")]);
    assert_eq!(value(&l), dec("100"));
}

/// `test_landed_cost_voucher.py`: `test_small_charge_distribution_has_no_negative_share`
/// (0.04 over 7 items of 1: no share below zero, the shares add up),
/// `test_landed_cost_voucher_for_odd_numbers` (123.22 over three items
/// of 250: ERPNext's 41.07, 41.07, 41.08 in cents) and
/// `test_landed_cost_remainder_goes_to_the_largest_item` (0.2 over items
/// of 100, 100, 100 and 1: 0.07, 0.07, 0.06, 0.00 in cents). Ours
/// splits to 16 places, the last receipt taking the remainder.
#[test]
fn erpnext_landed_cost_shares() {
    let shares = |l: &Ledger| -> Vec<Decimal> {
        l.layers(&sku()).iter().map(|x| x.value - Decimal::from(100 * x.quantity.get())).collect()
    };

    let mut l = fifo();
    let ids: Vec<String> = (0..7).map(|i| format!("r{i}")).collect();
    for (i, id) in ids.iter().enumerate() {
        l.ingest(recv(id, i as i64, 1, "100")).unwrap();
    }
    let on: Vec<(&str, &str)> = ids.iter().map(|i| (i.as_str(), "0")).collect();
    l.ingest(landed("lcv", 10, "0.04", LandedBasis::Quantity, &on)).unwrap();
    let parts = shares(&l);
    assert!(parts.iter().all(|p| *p >= Decimal::ZERO), "{parts:?}");
    assert_eq!(parts.iter().sum::<Decimal>(), dec("0.04"));
    assert_eq!(parts[0], dec("0.0057142857142857"));
    assert_eq!(parts[6], dec("0.0057142857142858"));

    let mut l = fifo();
    feed(&mut l, &[recv("a", 1, 5, "50"), recv("b", 2, 5, "50"), recv("c", 3, 5, "50")]);
    let on = [("a", "0"), ("b", "0"), ("c", "0")];
    l.ingest(landed("lcv", 4, "123.22", LandedBasis::Value, &on)).unwrap();
    let parts: Vec<Decimal> =
        l.layers(&sku()).iter().map(|x| x.value - Decimal::from(250)).collect();
    assert_eq!(
        parts,
        [dec("41.0733333333333333"), dec("41.0733333333333333"), dec("41.0733333333333334")]
    );
    let cents: Vec<Decimal> = parts.iter().map(|p| p.round_dp(2)).collect();
    assert_eq!(cents, [dec("41.07"), dec("41.07"), dec("41.07")]); // ERPNext: 41.08 last

    let mut l = fifo();
    feed(
        &mut l,
        &[
            recv("a", 1, 1, "100"),
            recv("b", 2, 1, "100"),
            recv("c", 3, 1, "100"),
            recv("d", 4, 1, "1"),
        ],
    );
    let on = [("a", "0"), ("b", "0"), ("c", "0"), ("d", "0")];
    l.ingest(landed("lcv", 5, "0.2", LandedBasis::Value, &on)).unwrap();
    let costs = ["100", "100", "100", "1"];
    let parts: Vec<Decimal> =
        l.layers(&sku()).iter().zip(costs).map(|(x, c)| x.value - dec(c)).collect();
    assert_eq!(parts.iter().sum::<Decimal>(), dec("0.2"));
    assert_eq!(parts[0], dec("0.0664451827242525"));
    assert_eq!(parts[3], dec("0.0006644518272425"));
}

// ---- the core views on a worked example -----------------------------------

/// The Trekking example through core's views, day by day: what a
/// consumer of `StockView` and `ValuationView` sees.
#[test]
fn trekking_through_the_core_views() {
    let mut l = fifo();
    feed(&mut l, &trekking());
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
    // Aug 14 is the 14th day after the first: 2026-01-14.
    assert_eq!(l.quantity(&sku(), &loc(WH), Disposition::Sellable, day(13)).get(), 25);
    assert_eq!(l.quantity(&sku(), &loc(WH), Disposition::Sellable, day(14)).get(), 5);
    assert_eq!(l.inventory_value(&sku(), day(14)), dec("530"));
    assert_eq!(l.inventory_value(&sku(), day(31)), dec("1420"));
    let month = DateRange::starting(day(1), 31).unwrap();
    let lines = l.cost_of_sales(&sku(), month);
    let by_day: Vec<(NaiveDate, i64, Decimal)> =
        lines.iter().map(|c| (c.date, c.quantity.get(), c.cost)).collect();
    assert_eq!(by_day, [(day(14), 20, dec("1970")), (day(31), 23, dec("2600"))]);
    assert_eq!(ValuationView::cogs(&l, &sku(), month), dec("4570"));
    let lots: Vec<(NaiveDate, i64, Decimal)> = l
        .aged_lots(&sku(), day(31))
        .iter()
        .map(|a| (a.received_on, a.quantity.get(), a.value))
        .collect();
    assert_eq!(lots, [(day(17), 2, dec("230")), (day(28), 10, dec("1190"))]);
}

// ---- moving average: the last known cost ----------------------------------

/// Units found with no cost of their own, and so returned naming no
/// shipment, enter at the last known cost: under moving average the
/// pool's average (15 here), so the average stays, as ERPNext's and
/// Odoo's moving average value them; under FIFO the latest receipt's
/// (20).
#[test]
fn found_and_unreferenced_units_enter_at_the_average_under_moving_average() {
    let found = |id: &str, h| {
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(2),
            reason: merchantry_ledger::AdjustmentReason::Found,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        ev_at(id, h, WH, kind)
    };
    let unnamed = |id: &str, h| {
        let kind = EventKind::CustomerReturn {
            quantity: Quantity::new(2),
            channel: ChannelId::new("web").unwrap(),
            disposition: Disposition::Sellable,
            shipment: None,
        };
        ev_at(id, h, WH, kind)
    };
    for (method, found_at, back_at) in
        [(Method::MovingAverage, "330", "360"), (Method::Fifo, "340", "380")]
    {
        let mut l = ledger(method, NegativeStock::Reject);
        feed(&mut l, &[recv("r1", 1, 10, "10"), recv("r2", 2, 10, "20")]);
        l.ingest(found("f1", 3)).unwrap();
        assert_eq!((units(&l, WH), value(&l)), (22, dec(found_at)), "{method:?}");
        l.ingest(unnamed("b1", 4)).unwrap();
        assert_eq!((units(&l, WH), value(&l)), (24, dec(back_at)), "{method:?}");
    }
}

/// A moving-average pool that runs out keeps its average: units that
/// leave short later are priced at it (15), not at the latest receipt
/// (20), and the receipt that fills the hole trues them up.
#[test]
fn moving_average_short_after_running_out_is_priced_at_the_last_average() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(recv("r1", 1, 10, "10"), None, "100", 10),
            step(recv("r2", 2, 10, "20"), None, "300", 20),
            step(ship("s1", 3, 20), Some("300"), "0", 0),
            step(ship("s2", 4, 5), Some("75"), "-75", -5),
            step(recv("r3", 5, 5, "18"), None, "0", 0),
        ],
    );
    assert_eq!(cost_only(&l, "r3"), dec("15"));
    assert_eq!(cogs(&l), dec("390"));
}

/// Units that arrive into a moving-average pool below zero and leave it
/// still below zero keep its cost (10), as ERPNext's moving average keeps
/// its rate while stock stays negative; units that fill the deficit
/// exactly set it (16), as ERPNext takes the incoming rate when stock
/// comes back from below zero.
#[test]
fn moving_average_cost_below_zero_follows_erpnext() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(recv("r1", 1, 10, "10"), None, "100", 10),
            step(ship("s1", 2, 20), Some("200"), "-100", -10),
            step(recv("r2", 3, 4, "16"), None, "-60", -6),
            step(ship("s2", 4, 2), Some("20"), "-80", -8),
            step(recv("r3", 5, 8, "16"), None, "0", 0),
            step(ship("s3", 6, 1), Some("16"), "-16", -1),
        ],
    );
    // 4 of s1's 10 at 16 - 10; then its other 6, and s2's 2, likewise.
    assert_eq!(cost_only(&l, "r2"), dec("24"));
    assert_eq!(cost_only(&l, "r3"), dec("48"));
    assert_eq!(cogs(&l), dec("308"));
}

/// Each moving-average pool keeps its own last cost: a warehouse that
/// ran out at 10 prices its shortfall at 10 though another received at
/// 20 since; a pool that never held units falls back on the SKU's
/// latest receipt (20).
#[test]
fn moving_average_last_cost_is_the_pools_own() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(
        &mut l,
        &[
            recv_at("a1", 1, "WH1", 5, "10"),
            ship_at("a2", 2, "WH1", 5),
            recv_at("b1", 3, "WH2", 5, "20"),
            ship_at("a3", 4, "WH1", 2),
            ship_at("c1", 5, "WH3", 1),
        ],
    );
    assert_eq!(sale_cost(&l, "a3"), dec("20"));
    assert_eq!(sale_cost(&l, "c1"), dec("20"));
    assert_eq!((units(&l, "WH1"), units(&l, "WH3")), (-2, -1));
}

/// A late receipt stamped before a moving-average shortfall moves the
/// price of the units short and their true-up; the result is what a
/// ledger fed the same events in time order gives.
#[test]
fn moving_average_backdated_receipt_before_a_shortfall_matches_time_order() {
    let events = [
        recv("r1", 1, 10, "10"),
        ship("s1", 2, 10),
        ship("s2", 4, 3),
        recv("r2", 5, 10, "14"),
        recv("late", 3, 1, "22"),
    ];
    let mut arrived = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(&mut arrived, &events);
    let mut sorted = events.to_vec();
    sorted.sort_by_key(|e| e.at);
    let mut fresh = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(&mut fresh, &sorted);
    // s2: 1 held at 22 and 2 short at 22 (the average it ran out at).
    assert_eq!(sale_cost(&arrived, "s2"), dec("66"));
    assert_eq!(sale_cost(&fresh, "s2"), dec("66"));
    assert_eq!(cost_only(&arrived, "r2"), cost_only(&fresh, "r2"));
    assert_eq!(cost_only(&fresh, "r2"), dec("-16"));
    assert_eq!((value(&arrived), cogs(&arrived)), (value(&fresh), cogs(&fresh)));
    assert_eq!(value(&fresh), dec("112"));
}

// ---- moving average below zero: ERPNext, Odoo and Tryton -----------------

/// `qty` units found at `place` with no cost of their own.
fn found_at(id: &str, h: i64, place: &str, qty: i64) -> Event {
    let kind = EventKind::Adjustment {
        quantity: Quantity::new(qty),
        reason: merchantry_ledger::AdjustmentReason::Found,
        disposition: Disposition::Sellable,
        unit_cost: None,
    };
    ev_at(id, h, place, kind)
}

/// `qty` units back from a customer at `place` into `disposition`,
/// naming no shipment.
fn back_unnamed(id: &str, h: i64, place: &str, qty: i64, disposition: Disposition) -> Event {
    let kind = EventKind::CustomerReturn {
        quantity: Quantity::new(qty),
        channel: ChannelId::new("web").unwrap(),
        disposition,
        shipment: None,
    };
    ev_at(id, h, place, kind)
}

/// The pool's last known cost at `place` as a caller sees it: what one
/// unit found there with no cost of its own enters at (the fall in
/// write-offs it makes), read on a copy so the ledger is not changed.
/// It stands for Odoo's `standard_price` and Tryton's `cost_price`.
fn known_cost_at(l: &Ledger, place: &str) -> Decimal {
    let written_off = |l: &Ledger| l.flows(&sku(), t(-100_000), end()).write_offs;
    let mut probe = l.clone();
    let before = written_off(&probe);
    probe.ingest(found_at("probe", 90_000, place, 1)).unwrap();
    before - written_off(&probe)
}

/// odoo/odoo `addons/stock_account/tests/test_stockvaluation.py`,
/// `test_average_negative_3` (`test_average_negative_2` in older
/// versions): with a standard price of 99 set first, 10 received at 10
/// and 10 sent cost 100; 10 more sent with none held cost 100 again, at
/// the average the product ran out at, not the standard price. Ours:
/// the same (match).
#[test]
fn odoo_average_negative_3_units_short_at_the_average_run_out_at() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(recv("move1", 1, 10, "10"), None, "100", 10),
            step(ship("move2", 2, 10), Some("100"), "0", 0),
            step(ship("move3", 3, 10), Some("100"), "-100", -10),
        ],
    );
}

/// `test_stockvaluation.py`, `test_average_negative_5`: 10 in at 10 and
/// 10 at 20 (average 15), 5 sent (75), 30 sent with 15 held (450, the 15
/// short at 15 too), 20 in at 20 (5 held worth 100, the average 20), the
/// last 5 sent (100) leave the average at 20 ("should not go to 0"),
/// and 10 in at 10 make it 10. Odoo's vacuum puts 15 x (20 - 15) = 75 on
/// the sale of 30 when the 20 arrive and leaves that sale's own value at
/// 450; ours reports the 75 as a true-up at the receipt. Every figure
/// matches, the average included (read as the cost one unit found
/// without a cost would enter at, Odoo's `standard_price`).
#[test]
fn odoo_average_negative_5_average_kept_through_zero() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(recv("move1", 1, 10, "10"), None, "100", 10),
            step(recv("move2", 2, 10, "20"), None, "300", 20),
            step(ship("move3", 3, 5), Some("75"), "225", 15),
            step(ship("move4", 4, 30), Some("450"), "-225", -15),
        ],
    );
    assert_eq!(known_cost_at(&l, WH), dec("15"));
    replay(&mut l, &[step(recv("move5", 5, 20, "20"), None, "100", 5)]);
    assert_eq!(sale_cost(&l, "move4"), dec("450"));
    assert_eq!(cost_only(&l, "move5"), dec("75"));
    assert_eq!(known_cost_at(&l, WH), dec("20"));
    replay(&mut l, &[step(ship("move6", 6, 5), Some("100"), "0", 0)]);
    assert_eq!(known_cost_at(&l, WH), dec("20"));
    replay(&mut l, &[step(recv("move7", 7, 10, "10"), None, "100", 10)]);
    assert_eq!(known_cost_at(&l, WH), dec("10"));
    assert_eq!(cogs(&l), dec("700"));
    assert_conserved(&l);
}

/// `test_stockvaluationlayer.py` AVCO `test_return_delivery_2`: with a
/// standard price of 1, 10 sent with none held, 10 received at 2 (filling
/// the hole exactly), then the 10 sent come back: 10 held worth 20, the
/// average 2. The stock figures and the average match. Odoo prices the
/// sale at its standard price (10) and its vacuum adds 10; ours, with no
/// cost known before the first receipt, prices it at 0 and the true-up
/// adds 20 (a convention difference: no standard price). Both sides
/// recognise 20, and nothing once the units are back.
#[test]
fn odoo_avco_return_delivery_2_after_an_exact_fill() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(ship("move1", 1, 10), Some("0"), "0", -10),
            step(recv("move2", 2, 10, "2"), None, "0", 0),
        ],
    );
    assert_eq!(cost_only(&l, "move2"), dec("20"));
    assert_eq!(known_cost_at(&l, WH), dec("2"));
    replay(&mut l, &[step(back("move3", 3, 10, "move1"), Some("-20"), "20", 10)]);
    assert_eq!(known_cost_at(&l, WH), dec("2"));
    assert_eq!(cogs(&l), Decimal::ZERO);
}

/// The events of tryton/tryton
/// `modules/stock/tests/scenario_stock_average_cost_price.rst`, "Negative
/// Product" (cost price 5, here set by one unit bought at 5 and sold):
/// 1 sent and 1 returned to the supplier with none held, both at 5.
fn tryton_negative_product() -> Ledger {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[recv("seed", 0, 1, "5"), ship("seed-out", 0, 1)]);
    replay(
        &mut l,
        &[
            step(ship("out", 1, 1), Some("5"), "-5", -1),
            step(to_vendor("to-supplier", 2, 1, ""), None, "-10", -2),
        ],
    );
    assert_eq!(l.flows(&sku(), t(1), end()).vendor_returns, dec("5"));
    assert_eq!(known_cost_at(&l, WH), dec("5"));
    l
}

/// Tryton's scenario goes on: 1 received at 3 leaves the stock below zero
/// and Tryton sets the cost price to 3; 2 received at 2 bring it to 1
/// unit and the cost price to 2. Ours keeps 5 while the stock stays
/// below zero, as ERPNext's moving average does (and Odoo's, whose
/// vacuum leaves value / units at 5), and ends at 2 as Tryton does. A
/// convention difference in the middle step only: see the ignored test
/// below for Tryton's figure.
#[test]
fn tryton_negative_product_cost_price() {
    let mut l = tryton_negative_product();
    replay(&mut l, &[step(recv("in-3", 3, 1, "3"), None, "-5", -1)]);
    assert_eq!(cost_only(&l, "in-3"), dec("-2"));
    assert_eq!(known_cost_at(&l, WH), dec("5"));
    replay(&mut l, &[step(recv("in-2", 4, 2, "2"), None, "2", 1)]);
    assert_eq!(known_cost_at(&l, WH), dec("2"));
    // The sale's unit short was priced at 5 and came at 3, the vendor
    // return's at 5 and came at 2 (the seed's unit cost 5 besides).
    let f = l.flows(&sku(), t(-100_000), end());
    assert_eq!((f.vendor_returns, f.cogs), (dec("2"), dec("8")));
    assert_conserved(&l);
}

/// Tryton's cost price after units that fill only part of a deficit:
/// their own unit cost (3). Ours keeps the pool's cost (5), with ERPNext
/// and Odoo.
#[test]
#[ignore = "convention difference: Tryton takes the cost of units filling part of a \
            deficit (3); ours keeps the pool's (5), as ERPNext and Odoo do"]
fn tryton_negative_product_cost_price_after_a_partial_fill() {
    let mut l = tryton_negative_product();
    l.ingest(recv("in-3", 3, 1, "3")).unwrap();
    assert_eq!(known_cost_at(&l, WH), dec("3"));
}

/// frappe/erpnext `erpnext/stock/stock_ledger.py`,
/// `update_entries_after.get_moving_average_values` (v14 and later; the
/// same rule in the older `stock_ledger.py` stored here), worked by hand:
/// 10 in at 10; 25 out (rate kept at 10, stock -150); 5 in at 16, still
/// below zero (rate kept, -100); 10 in at 20 to exactly zero (rate 20);
/// 3 out (-60 at 20); 8 in at 14 past zero (rate 14, 5 held worth 70).
/// ERPNext's stock value is units x rate after each entry, and a
/// receipt's stock value difference is the change in it (50, 100 and
/// 130); ours gives the same stock values, the receipts' true-ups (30,
/// 100, -18) making up each difference from the receipt's own value.
/// Match.
#[test]
fn erpnext_moving_average_rate_below_zero() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    replay(
        &mut l,
        &[
            step(recv("se1", 1, 10, "10"), None, "100", 10),
            step(ship("dn1", 2, 25), Some("250"), "-150", -15),
            step(recv("se2", 3, 5, "16"), None, "-100", -10),
            step(recv("se3", 4, 10, "20"), None, "0", 0),
            step(ship("dn2", 5, 3), Some("60"), "-60", -3),
            step(recv("se4", 6, 8, "14"), None, "70", 5),
        ],
    );
    for (id, own, svd) in [("se2", "80", "50"), ("se3", "200", "100"), ("se4", "112", "130")] {
        assert_eq!(dec(own) - cost_only(&l, id), dec(svd), "{id}");
    }
    assert_eq!(known_cost_at(&l, WH), dec("14"));
    assert_eq!(cogs(&l), dec("422"));
    assert_conserved(&l);
}

/// `erpnext/stock/stock_ledger.py`, `get_valuation_rate`: a warehouse
/// with no entry of its own takes the valuation rate of the item's
/// latest entry in any warehouse, which under moving average is that
/// warehouse's average (WH1's 15 after 10 at 10 and 10 at 20). Odoo's
/// `standard_price` is the company-wide average (15 too). Ours takes the
/// SKU's average over its pools holding units for a pool that never had
/// a cost: 15 (match), not the latest receipt's 20. The same holds for
/// units coming back, naming no shipment, to a disposition that never
/// held any; with no pool holding units it is the latest receipt's.
#[test]
fn erpnext_valuation_rate_of_a_warehouse_with_no_history() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(&mut l, &[recv_at("a", 1, "WH1", 10, "10"), recv_at("b", 2, "WH1", 10, "20")]);
    l.ingest(ship_at("c1", 3, "WH3", 1)).unwrap();
    assert_eq!(sale_cost(&l, "c1"), dec("15"));
    l.ingest(back_unnamed("r1", 4, "WH1", 1, Disposition::Unsellable)).unwrap();
    let unsellable = l.value(&sku(), &loc("WH1"), Disposition::Unsellable, end());
    assert_eq!(unsellable, dec("15"));

    // Nothing held anywhere: the latest receipt's unit cost.
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(
        &mut l,
        &[
            recv_at("a", 1, "WH1", 10, "10"),
            recv_at("b", 2, "WH1", 10, "20"),
            ship_at("s", 3, "WH1", 20),
        ],
    );
    l.ingest(ship_at("c1", 4, "WH3", 1)).unwrap();
    assert_eq!(sale_cost(&l, "c1"), dec("20"));
}

/// frappe/erpnext pull request #37424 ("negative valuation rate in PR
/// return", moving average): 10 received at 100, 100 at 10 (average
/// 18.18), 100 issued, then 8 returned against the first receipt.
/// ERPNext used to send them back at 100 and leave a rate of -309.09;
/// since the fix they leave at the previous valuation rate, 18.18. Ours
/// refuses to name that receipt (our moving average counts units out
/// oldest first, so its units are gone: `ReceiptUnitsShort`), and at
/// the current average sends the 8 back at 18.18...: 2 left at the same
/// average. Match (ERPNext rounds the rate to the currency).
#[test]
fn erpnext_purchase_return_at_the_average_after_most_units_left() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::Reject);
    feed(&mut l, &[recv("pr", 1, 10, "100"), recv("mr", 2, 100, "10"), ship("mi", 3, 100)]);
    assert_eq!(sale_cost(&l, "mi"), dec("1818.1818181818181818"));
    let named = l.ingest(to_vendor("ret", 4, 8, "pr"));
    assert!(matches!(named, Err(LedgerError::ReceiptUnitsShort { .. })), "{named:?}");
    l.ingest(to_vendor("ret", 4, 8, "")).unwrap();
    let back = l.flows(&sku(), t(0), end()).vendor_returns;
    assert_eq!(back, dec("145.4545454545454546"));
    assert_eq!((units(&l, WH), value(&l)), (2, dec("36.3636363636363636")));
    assert_eq!(known_cost_at(&l, WH), dec("18.1818181818181818"));
    assert_eq!(back.round_dp(2), dec("145.45"));
}

/// odoo/documentation `avg_price_valuation.rst` ("Average price on
/// returned goods"): 8 received at 10, 4 at 16 (average 12), 10
/// delivered (120, 2 left worth 24), then 1 returned to the vendor of the
/// 8 bought at 10: it leaves at the average, 12, not at 10, and the
/// average stays 12. Ours at the current average gives the same (match);
/// naming that receipt is refused, since our moving average sent its
/// units out first (Odoo takes the return against the receipt whatever
/// units left: a convention difference in what is accepted, not in the
/// figure).
#[test]
fn odoo_doc_vendor_return_leaves_at_the_average() {
    let mut l = average();
    replay(
        &mut l,
        &[
            step(recv("r8", 1, 8, "10"), None, "80", 8),
            step(recv("r4", 2, 4, "16"), None, "144", 12),
            step(ship("d10", 3, 10), Some("120"), "24", 2),
        ],
    );
    let named = l.ingest(to_vendor("ret", 4, 1, "r8"));
    assert!(matches!(named, Err(LedgerError::ReceiptUnitsShort { .. })), "{named:?}");
    l.ingest(to_vendor("ret", 4, 1, "")).unwrap();
    assert_eq!(l.flows(&sku(), t(0), end()).vendor_returns, dec("12"));
    assert_eq!((units(&l, WH), value(&l)), (1, dec("12")));
    assert_eq!(known_cost_at(&l, WH), dec("12"));
}

/// Hand-derived from ERPNext's rule above: a pool 5 short (priced at 7)
/// filled exactly by one transfer that carries two lots in transit (2
/// sent at 10, then 3 at 20). ERPNext's transit warehouse averages the
/// lots, and the arrival's incoming rate (80 / 5 = 16) becomes the rate.
/// Ours keeps each lot at its own cost in transit, and the arrival's
/// lots together set the pool's cost: 16 as well (match). The true-ups
/// are 6 and 39.
#[test]
fn an_exact_fill_by_two_lots_in_one_transfer_sets_the_arrivals_average() {
    let mut l = ledger(Method::MovingAverage, NegativeStock::AllowWithTrueUp);
    feed(
        &mut l,
        &[
            recv_at("b0", 0, "B", 1, "7"),
            ship_at("b0-out", 0, "B", 1),
            ship_at("short", 1, "B", 5),
            recv_at("a1", 2, "A", 2, "10"),
            send("lot1", 3, "A", "B", 2),
            recv_at("a2", 4, "A", 3, "20"),
            send("lot2", 5, "A", "B", 3),
            arrive("in", 6, "B", "A", 5),
        ],
    );
    assert_eq!(cost_only(&l, "in"), dec("45"));
    assert_eq!(units(&l, "B"), 0);
    assert_eq!(known_cost_at(&l, "B"), dec("16"));
}
