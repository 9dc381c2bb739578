//! The `replenish` pipeline through the facade: real invoice lines and
//! Amazon report samples read by `merchantry::amazon`, booked into a
//! `merchantry::ledger::Ledger`, forecast and planned, with the totals
//! checked against the input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test: a failed read or booking should stop it loudly"
)]

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, Utc};
use flate2::read::GzDecoder;
use merchantry::amazon::{
    EventType, InventoryReader, LedgerDetailReader, LedgerDetailRow, LedgerSummaryReader,
    RetailLine, RetailLineKind, UciRetailReader,
};
use merchantry::core::{
    ChannelId, DateRange, Days, Decimal, DemandForecast, DemandHistory, Disposition, EventId,
    LeadTimeEstimate, LocationId, OrderId, Quantity, ServiceLevel, Sku,
};
use merchantry::forecast::{ForecastOptions, Forecaster};
use merchantry::ledger::{
    AdjustmentReason, Event, EventKind, IngestOutcome, Ledger, LedgerOptions, VendorReturnCost,
};
use merchantry::reorder::{
    LotSize, Planner, PlannerOptions, Policy, PolicyConfig, ServiceTarget, SkuInput,
};

// The window rule the `replenish --amazon` demand window and the
// `margins` period are read with.
#[path = "../examples/common/window.rs"]
mod window;

use window::{WindowRule, window};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/data").join(path)
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap().and_utc()
}

/// The first `lines` invoice lines of the bundled retail slice.
fn retail_lines(lines: usize) -> Vec<RetailLine> {
    let file = File::open(data("online_retail_top24.csv.gz")).unwrap();
    let reader = UciRetailReader::new(GzDecoder::new(BufReader::new(file))).unwrap();
    reader.take(lines).map(Result::unwrap).collect()
}

/// Per SKU: units sold, units cancelled (positive), net units per day.
#[derive(Default)]
struct Expected {
    sold: i64,
    cancelled: i64,
    net_by_day: BTreeMap<NaiveDate, i64>,
}

#[test]
fn retail_slice_books_every_unit_and_plans() {
    let lines = retail_lines(4000);
    // The two stock codes with the most sale lines in the slice.
    let mut sale_lines: BTreeMap<Sku, usize> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.kind == RetailLineKind::Sale) {
        *sale_lines.entry(l.stock_code.clone()).or_insert(0) += 1;
    }
    let mut ranked: Vec<(usize, Sku)> = sale_lines.into_iter().map(|(s, n)| (n, s)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let skus: Vec<Sku> = ranked.iter().take(2).map(|(_, s)| s.clone()).collect();
    assert_eq!(skus.len(), 2);

    // What the input says, computed straight from the lines.
    let mut expected: BTreeMap<Sku, Expected> = BTreeMap::new();
    for l in lines.iter().filter(|l| skus.contains(&l.stock_code)) {
        let e = expected.entry(l.stock_code.clone()).or_default();
        match l.kind {
            RetailLineKind::Sale => e.sold += l.quantity.get(),
            RetailLineKind::Cancellation => e.cancelled -= l.quantity.get(),
            _ => continue,
        }
        *e.net_by_day.entry(l.date).or_insert(0) += l.quantity.get();
    }
    let first = lines.iter().map(|l| l.date).min().unwrap();
    let last = lines.iter().map(|l| l.date).max().unwrap();

    // Booking: per SKU one opening receipt of every unit sold, at a fixed
    // unit cost, then each sale line as a shipment and each cancellation
    // as a customer return, in file order.
    let wh = LocationId::new("UK-WAREHOUSE").unwrap();
    let web = ChannelId::new("web").unwrap();
    let cost: BTreeMap<&Sku, Decimal> =
        skus.iter().zip([Decimal::new(125, 2), Decimal::new(3, 1)]).collect();
    let mut ledger = Ledger::new(LedgerOptions::default()); // rejects negative stock
    for sku in &skus {
        let units = Quantity::new(expected[sku].sold);
        let receipt = EventKind::receipt(units, cost[sku]);
        let id = EventId::new(format!("open/{sku}")).unwrap();
        ledger.ingest(Event::new(id, at(first, 0), sku.clone(), wh.clone(), receipt)).unwrap();
    }
    for l in lines.iter().filter(|l| skus.contains(&l.stock_code)) {
        let id = EventId::new(format!("{}/{}", l.invoice, l.line)).unwrap();
        let kind = match l.kind {
            RetailLineKind::Sale => EventKind::shipment(
                l.quantity,
                web.clone(),
                OrderId::new(l.invoice.clone()).unwrap(),
            ),
            RetailLineKind::Cancellation => EventKind::CustomerReturn {
                quantity: Quantity::new(-l.quantity.get()),
                channel: web.clone(),
                disposition: Disposition::Sellable,
                shipment: None,
            },
            _ => continue,
        };
        let event = Event::new(id, at(l.date, 12), l.stock_code.clone(), wh.clone(), kind);
        assert!(matches!(ledger.ingest(event).unwrap(), IngestOutcome::Applied { .. }));
    }

    let (start, end) = (at(first, 0) - chrono::Duration::seconds(1), at(last, 23));
    let range = DateRange::inclusive(first, last).unwrap();
    for sku in &skus {
        let e = &expected[sku];
        let c = cost[sku];
        // Balance = receipts - shipments + returns = sold - sold + cancelled.
        let balance = ledger.balance(sku, &wh, Disposition::Sellable, end);
        assert_eq!(balance.get(), e.sold - e.sold + e.cancelled, "{sku}");
        // One cost, so COGS = (shipped - returned) x cost, value = units x
        // cost, and receipts = COGS + what is left, to the last digit.
        let cogs = ledger.cogs(sku, start, end, None, None);
        assert_eq!(cogs, Decimal::from(e.sold - e.cancelled) * c, "{sku}");
        let value = ledger.value(sku, &wh, Disposition::Sellable, end);
        assert_eq!(value, Decimal::from(balance.get()) * c, "{sku}");
        assert_eq!(cogs + value, Decimal::from(e.sold) * c, "{sku}");
        // Daily demand read back from the ledger is the input's net units
        // per day.
        let series = ledger.daily_demand(sku, range);
        let booked: BTreeMap<NaiveDate, i64> = range
            .days()
            .zip(series.units())
            .filter(|(_, q)| !q.is_zero())
            .map(|(d, q)| (d, q.get()))
            .collect();
        let input: BTreeMap<NaiveDate, i64> =
            e.net_by_day.iter().filter(|(_, q)| **q != 0).map(|(d, q)| (*d, *q)).collect();
        assert_eq!(booked, input, "{sku}");
    }

    // Forecast from the ledger's history and plan the day after.
    let options = ForecastOptions { reaction: None, ..ForecastOptions::default() };
    let forecasts = Forecaster::new(options).fit(&ledger, range);
    let today = last.succ_opt().unwrap();
    let policy = PolicyConfig {
        service: ServiceTarget::CycleService(ServiceLevel::new(0.95).unwrap()),
        ..PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(60.0) })
    };
    let planner = Planner::new(PlannerOptions::new(policy)).unwrap();
    let lead = LeadTimeEstimate {
        mean: Days::new(30.0).unwrap(),
        std_dev: Days::new(5.0).unwrap(),
        stages: Vec::new(),
        quantiles: Vec::new(),
    };
    for sku in &skus {
        let forecast = forecasts.forecast_demand(sku, today, 365).expect("a forecast");
        assert!(forecast.mean().iter().all(|m| m.is_finite() && *m >= 0.0));
        assert!(forecast.mean().iter().sum::<f64>() > 0.0, "{sku}: this SKU sells");
        let mut input = SkuInput::new(sku.clone(), wh.clone(), today, forecast, lead.clone());
        input.on_hand = ledger.balance(sku, &wh, Disposition::Sellable, end);
        let rec = planner.recommend(&input).unwrap();
        assert_eq!(&rec.sku, sku);
        assert_eq!(rec.on_hand, input.on_hand);
        assert!(rec.reorder_point.is_finite() && rec.reorder_point > 0.0);
        // Only the returned units are on hand, far below a reorder point
        // covering 30 days of a best-seller: an order is due.
        if (rec.position.get() as f64) <= rec.reorder_point {
            assert!(rec.order.as_ref().is_some_and(|o| o.quantity.is_positive()), "{sku}");
        }
    }
}

/// The smallest mapping of detail rows to ledger events, as the example's
/// `--amazon` path does it: signs as reported, transfers parked in
/// `Reserved`, adjustments as signed adjustments.
fn detail_event(row: &LedgerDetailRow, location: &LocationId) -> Event {
    let q = row.quantity;
    let units = Quantity::new(q.get().abs());
    let disposition = row.disposition.to_core();
    let amazon = ChannelId::new("amazon").unwrap();
    let kind = match (&row.event_type, q.is_positive()) {
        (EventType::Receipts, true) => EventKind::Receipt {
            quantity: units,
            unit_cost: Decimal::new(800, 2),
            disposition,
            purchase_order: None,
        },
        (EventType::Shipments, false) => {
            let order = OrderId::new(row.reference_id.clone().unwrap()).unwrap();
            EventKind::shipment(units, amazon, order)
        }
        (EventType::CustomerReturns, true) => EventKind::CustomerReturn {
            quantity: units,
            channel: amazon,
            disposition,
            shipment: None,
        },
        (EventType::VendorReturns, false) => EventKind::VendorReturn {
            quantity: units,
            disposition,
            cost: VendorReturnCost::CurrentAverage,
        },
        (EventType::WhseTransfers, false) => EventKind::DispositionChange {
            quantity: units,
            from: disposition,
            to: Disposition::Reserved,
        },
        (EventType::WhseTransfers, true) => EventKind::DispositionChange {
            quantity: units,
            from: Disposition::Reserved,
            to: disposition,
        },
        _ => EventKind::Adjustment {
            quantity: q,
            reason: AdjustmentReason::CountCorrection,
            disposition,
            unit_cost: None,
        },
    };
    let hour = if q.is_positive() { 6 } else { 18 };
    let id = row.key().event_id().unwrap();
    Event::new(id, at(row.date, hour), row.msku.clone(), location.clone(), kind)
}

#[test]
fn synthetic_detail_books_to_the_summary_end_balances() {
    let dir = data("amazon");
    let fba = LocationId::new("FBA").unwrap();
    let summary: Vec<_> = LedgerSummaryReader::new(
        File::open(dir.join("synthetic_ledger_summary_view.csv")).unwrap(),
    )
    .unwrap()
    .map(Result::unwrap)
    .collect();
    let detail: Vec<_> =
        LedgerDetailReader::new(File::open(dir.join("synthetic_ledger_detail_view.csv")).unwrap())
            .unwrap()
            .map(Result::unwrap)
            .collect();
    assert_eq!((summary.len(), detail.len()), (3, 12));

    // Opening balances: the summary's starting balances by core
    // disposition (sellable 100, customer- and warehouse-damaged 0).
    let mut ledger = Ledger::new(LedgerOptions::default()); // rejects negative stock
    let mut opening: BTreeMap<(Sku, Disposition), i64> = BTreeMap::new();
    let mut closing: BTreeMap<(Sku, Disposition), i64> = BTreeMap::new();
    for row in &summary {
        let key = (row.msku.clone(), row.disposition.to_core());
        *opening.entry(key.clone()).or_insert(0) += row.starting_balance.get();
        *closing.entry(key).or_insert(0) += row.ending_balance.get();
    }
    let start = summary[0].period_start;
    for ((sku, disposition), units) in opening.iter().filter(|(_, u)| **u > 0) {
        let kind = EventKind::Receipt {
            quantity: Quantity::new(*units),
            unit_cost: Decimal::new(800, 2),
            disposition: *disposition,
            purchase_order: None,
        };
        let id = EventId::new(format!("open/{sku}/{disposition:?}")).unwrap();
        ledger.ingest(Event::new(id, at(start, 0), sku.clone(), fba.clone(), kind)).unwrap();
    }
    for row in &detail {
        let outcome = ledger.ingest(detail_event(row, &fba)).unwrap();
        assert!(matches!(outcome, IngestOutcome::Applied { .. }), "line {}", row.line);
    }

    // Sellable: 100 + 48 receipt - 5 shipped - 5 removed + 1 found
    // - 4 lost - 1 damaged, transfers netting to 0 = 134. Unsellable:
    // 1 customer-damaged return + 1 warehouse-damaged (P) - 1 disposed = 1.
    let end = summary[0].period_end();
    let sku = Sku::new("WIDGET-BLUE").unwrap();
    let held = |l: &Ledger, d| l.balance(&sku, &fba, d, at(end, 23)).get();
    assert_eq!(closing[&(sku.clone(), Disposition::Sellable)], 134);
    assert_eq!(closing[&(sku.clone(), Disposition::Unsellable)], 1);
    for ((s, disposition), units) in &closing {
        assert_eq!(
            ledger.balance(s, &fba, *disposition, at(end, 23)).get(),
            *units,
            "{disposition:?}"
        );
    }
    assert_eq!(held(&ledger, Disposition::Reserved), 0, "the transfer landed");

    // The Manage FBA Inventory snapshot of the week's end agrees:
    // fulfillable 130 + reserved 4 = sellable 134; unsellable 1.
    let myi = InventoryReader::new(
        File::open(dir.join("synthetic_fba_myi_unsuppressed_inventory.tsv")).unwrap(),
    )
    .unwrap()
    .next()
    .unwrap()
    .unwrap();
    let units = |cell: Option<Quantity>| cell.unwrap().get();
    assert_eq!(
        units(myi.afn_fulfillable) + units(myi.afn_reserved),
        held(&ledger, Disposition::Sellable)
    );
    assert_eq!(units(myi.afn_unsellable), held(&ledger, Disposition::Unsellable));

    // Downloading the same week again books nothing twice.
    let before = ledger.len();
    for row in &detail {
        assert!(matches!(
            ledger.ingest(detail_event(row, &fba)).unwrap(),
            IngestOutcome::Duplicate
        ));
    }
    assert_eq!(ledger.len(), before);
    assert_eq!(held(&ledger, Disposition::Sellable), 134);
}

/// As `replenish --amazon` reads its demand window.
const DEMAND: WindowRule = WindowRule { max_gap_days: 90, trim_sparse_ends: true };
/// The same blocks without the trim: the rule before sparse ends were
/// cut.
const BLOCKS_ONLY: WindowRule = WindowRule { max_gap_days: 90, trim_sparse_ends: false };

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Rows per day: `rows` on each of `days` days from `from`.
fn dense(from: NaiveDate, days: u64, rows: u64) -> BTreeMap<NaiveDate, u64> {
    (0..days).map(|i| (from + chrono::Days::new(i), rows)).collect()
}

#[test]
fn a_chain_of_sparse_old_rows_no_longer_stretches_the_demand_window() {
    // 59 days of 20 rows (2026-01-01 to 02-28), and eight single rows 80
    // days apart before it, the last 30 days before 01-01. No gap
    // exceeds 90 days, so the block runs from the first single row
    // (2024-05-21, 30 + 7 x 80 = 590 days before 01-01).
    let (start, end) = (ymd(2026, 1, 1), ymd(2026, 2, 28));
    let mut rows = dense(start, 59, 20);
    for k in 0..8 {
        rows.insert(start - chrono::Days::new(30 + 80 * k), 1);
    }
    assert_eq!(window(&rows, BLOCKS_ONLY), Some((ymd(2024, 5, 21), end)));
    // A single row has no other within 15 days: a neighbourhood of 1.
    // Mid-block days see 31 x 20 = 620 rows, the median row's
    // neighbourhood, and 1 < 620 / 10 = 62: every single row is sparse.
    // The dense block's first day sees its own 16 days, 320 >= 62.
    assert_eq!(window(&rows, DEMAND), Some((start, end)));

    // The same chain after the block (each row under 90 days from the
    // last; the fourth 30 + 3 x 80 = 270 days after 02-28) no longer
    // moves the planning day either.
    let mut late = dense(start, 59, 20);
    for k in 0..4 {
        late.insert(end + chrono::Days::new(30 + 80 * k), 1);
    }
    assert_eq!(window(&late, BLOCKS_ONLY).map(|w| w.1), Some(ymd(2026, 11, 25)));
    assert_eq!(window(&late, DEMAND), Some((start, end)));
}

#[test]
fn an_ordinary_history_keeps_its_window() {
    // A year with a weekly pattern (3 to 9 rows), a quiet single-row
    // day in a ten-day closure, and a slow first week of one row a day:
    // every day's neighbourhood holds at least the 15 days on one side
    // of it, far above a tenth of the median row's.
    let mut rows: BTreeMap<NaiveDate, u64> = (0..365_u64)
        .map(|i| (ymd(2025, 1, 1) + chrono::Days::new(i), 3 + i % 7))
        .filter(|(d, _)| !(ymd(2025, 12, 20)..ymd(2025, 12, 30)).contains(d))
        .collect();
    rows.insert(ymd(2025, 12, 25), 1);
    for i in 0..7 {
        rows.insert(ymd(2025, 1, 1) + chrono::Days::new(i), 1);
    }
    let whole = Some((ymd(2025, 1, 1), ymd(2025, 12, 31)));
    assert_eq!(window(&rows, BLOCKS_ONLY), whole);
    assert_eq!(window(&rows, DEMAND), whole);

    // The bundled retailer's every invoice line, and the Amazon sample's
    // detail rows, by day: the window is all of it, as before.
    let file = File::open(data("online_retail_top24.csv.gz")).unwrap();
    let mut retail: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for line in UciRetailReader::new(GzDecoder::new(BufReader::new(file))).unwrap() {
        *retail.entry(line.unwrap().date).or_insert(0) += 1;
    }
    let span = (*retail.keys().next().unwrap(), *retail.keys().next_back().unwrap());
    assert_eq!(span, (ymd(2010, 12, 1), ymd(2011, 12, 9)));
    assert_eq!(window(&retail, DEMAND), Some(span));
    let detail = File::open(data("amazon/synthetic_ledger_detail_view.csv")).unwrap();
    let mut sample: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for row in LedgerDetailReader::new(detail).unwrap() {
        *sample.entry(row.unwrap().date).or_insert(0) += 1;
    }
    assert_eq!(window(&sample, DEMAND), window(&sample, BLOCKS_ONLY));
    assert_eq!(window(&sample, DEMAND), Some((ymd(2026, 3, 1), ymd(2026, 3, 6))));
}

#[test]
fn a_large_cluster_of_bad_dates_is_its_own_block() {
    // 20 rows dated 1990 (ten days, two apiece) beside 48 rows in March
    // 2011: two blocks, and the one with more rows is the window however
    // large the other, as `margins` (a year's gap) and `replenish` (90
    // days) both cut them.
    let mut rows = dense(ymd(1990, 6, 1), 10, 2);
    rows.extend(dense(ymd(2011, 3, 1), 24, 2));
    let margins = WindowRule { max_gap_days: 366, trim_sparse_ends: false };
    let march = Some((ymd(2011, 3, 1), ymd(2011, 3, 24)));
    assert_eq!(window(&rows, margins), march);
    assert_eq!(window(&rows, DEMAND), march);
    // On a tie the later block wins: a stale export is not the present.
    let tie = [(ymd(2001, 1, 1), 5), (ymd(2011, 1, 1), 5)].into_iter().collect();
    assert_eq!(window(&tie, margins), Some((ymd(2011, 1, 1), ymd(2011, 1, 1))));
    // Nothing booked, no window.
    assert_eq!(window(&BTreeMap::new(), DEMAND), None);
    assert!(DEMAND.describe().contains("more than 90 days") && DEMAND.describe().contains("1/10"));
    assert!(!margins.describe().contains("sparse"));
}
