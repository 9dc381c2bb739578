#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "a measuring probe: fails loudly and prints what it measured"
)]
//! A probe for instruction counts and CPU time, steadier than wall time
//! on a shared machine. Each mode does its setup and then the measured
//! work; the matching `*-setup` mode does the setup alone, so that
//!
//! ```text
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/probe fifo 100000
//! valgrind --tool=cachegrind --cache-sim=no target/release/examples/probe fifo-setup 100000
//! ```
//!
//! differ by exactly the measured work. Modes: `fifo`, `ma` (in-order
//! ingest of N events over 100 SKUs, by value), `fifo-slice`, `ma-slice`
//! (the same through `Ledger::ingest_ref`, borrowing), `fifo-reserved`,
//! `ma-reserved` (by value after `Ledger::reserve`), `fifo-batch`,
//! `ma-batch` (the same events in one `Ledger::ingest_batch`), `backdate` (one late
//! receipt before 10,000 later events of one SKU, repeated N times on
//! clones) and `query` (N as-of balance + value pairs on a ledger of
//! 1,000,000 events, 100 SKUs of 10,000). Each mode also prints its own
//! CPU time for the measured part.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use merchantry_core::{ChannelId, Disposition, EventId, LocationId, OrderId, Quantity, Sku};
use merchantry_ledger::{Event, EventKind, IngestOutcome, Ledger, LedgerOptions, Method};
use rust_decimal::Decimal;

fn at(i: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(i)
}

/// The benchmark's stream: a receipt of 10 every 10th event of a SKU,
/// shipments of 1 otherwise.
fn stream(n: usize, skus: usize) -> Vec<Event> {
    events(n, skus).collect()
}

/// [`stream`], one event at a time.
fn events(n: usize, skus: usize) -> impl Iterator<Item = Event> {
    let sku: Vec<Sku> = (0..skus).map(|i| Sku::new(format!("SKU-{i:05}")).unwrap()).collect();
    let wh = LocationId::new("FBA-US").unwrap();
    let chan = ChannelId::new("amazon").unwrap();
    (0..n).map(move |i| {
        let s = i % skus;
        let kind = if (i / skus).is_multiple_of(10) {
            EventKind::receipt(Quantity::new(10), Decimal::new(200 + (i % 97) as i64, 2))
        } else {
            let order = OrderId::new(format!("111-{i:07}")).unwrap();
            EventKind::shipment(Quantity::new(1), chan.clone(), order)
        };
        let id = EventId::new(format!("e{i:09}")).unwrap();
        Event::new(id, at(i as i64), sku[s].clone(), wh.clone(), kind)
    })
}

fn options(method: Method) -> LedgerOptions {
    LedgerOptions { default_method: method, ..LedgerOptions::default() }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("fifo", String::as_str);
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let (base, setup_only) = match mode.strip_suffix("-setup") {
        Some(base) => (base, true),
        None => (mode, false),
    };
    let method = if base.starts_with("ma") { Method::MovingAverage } else { Method::Fifo };
    match base {
        "fifo" | "ma" | "fifo-batch" | "ma-batch" | "fifo-reserved" | "ma-reserved" => {
            let events = stream(n, 100);
            let mut l = Ledger::new(options(method));
            if setup_only {
                drop(black_box(events));
                return;
            }
            let t = Instant::now();
            if base.ends_with("reserved") {
                l.reserve(n).unwrap();
            }
            if base.ends_with("batch") {
                let outcomes = l.ingest_batch(black_box(events)).unwrap();
                assert_eq!(outcomes.len(), n);
            } else {
                // Not `black_box(e)`: that copies each event once more
                // (as the benchmark, see there).
                for e in events {
                    l.ingest(e).unwrap();
                }
            }
            report(mode, n, t);
            assert_eq!(l.len(), n);
        }
        "fifo-slice" | "ma-slice" => {
            let events = stream(n, 100);
            let mut l = Ledger::new(options(method));
            if !setup_only {
                let t = Instant::now();
                for e in &events {
                    l.ingest_ref(black_box(e)).unwrap();
                }
                report(mode, n, t);
                assert_eq!(l.len(), n);
            }
            drop(black_box(events));
        }
        "backdate" => {
            let events = stream(12_000, 1);
            // Built in one batch so that `ingest_ref` runs only for the
            // measured late event (callgrind can toggle on it).
            let mut base = Ledger::new(options(Method::Fifo));
            if std::env::var_os("ONE_BY_ONE").is_some() {
                for e in events {
                    base.ingest(e).unwrap();
                }
            } else {
                base.ingest_batch(events).unwrap();
            }
            let late = Event::new(
                EventId::new("late-receipt").unwrap(),
                at(1_999) + Duration::milliseconds(500),
                Sku::new("SKU-00000").unwrap(),
                LocationId::new("FBA-US").unwrap(),
                EventKind::receipt(Quantity::new(5), Decimal::new(150, 2)),
            );
            let mut total = std::time::Duration::ZERO;
            let mut dropping = std::time::Duration::ZERO;
            for _ in 0..n {
                let mut l = base.clone();
                if setup_only {
                    black_box(&mut l);
                    black_box(late.clone());
                    continue;
                }
                let t = Instant::now();
                let out = l.ingest(black_box(late.clone())).unwrap();
                let IngestOutcome::Applied { corrections, .. } = &out else { panic!() };
                // Half the 9,000 later shipments now take a unit from the layer
                // before, at another cost: 4,400 of them change.
                assert_eq!(corrections.len(), 4_400);
                // As in the benchmark, dropping the outcome is timed.
                let t2 = Instant::now();
                drop(out);
                dropping += t2.elapsed();
                total += t.elapsed();
            }
            if !setup_only {
                println!(
                    "{mode}: {:.3} ms per backdate (wall), {:.3} of it dropping the outcome",
                    total.as_secs_f64() * 1e3 / n as f64,
                    dropping.as_secs_f64() * 1e3 / n as f64
                );
            }
        }
        "query" => {
            const EVENTS: usize = 1_000_000;
            const SKUS: usize = 100;
            let mut l = Ledger::new(options(Method::Fifo));
            for e in &stream(EVENTS, SKUS) {
                l.ingest_ref(e).unwrap();
            }
            let skus: Vec<Sku> =
                (0..SKUS).map(|i| Sku::new(format!("SKU-{i:05}")).unwrap()).collect();
            let wh = LocationId::new("FBA-US").unwrap();
            let times: Vec<DateTime<Utc>> =
                (0..n).map(|k| at(((k * 7_919) % EVENTS) as i64)).collect();
            if setup_only {
                return;
            }
            let t = Instant::now();
            let mut check = 0_i64;
            for (k, &time) in times.iter().enumerate() {
                let s = &skus[(k * 31) % SKUS];
                let q = l.balance(black_box(s), &wh, Disposition::Sellable, black_box(time));
                let v = l.value(black_box(s), &wh, Disposition::Sellable, black_box(time));
                assert!(q.get() >= 0 && v >= Decimal::ZERO);
                check += q.get();
            }
            report(mode, n, t);
            black_box(check);
        }
        "mem" => {
            // Memory per retained event: N events over `skus` SKUs (third
            // argument, default 100), as grown and after `shrink_to_fit`.
            let skus: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
            let mut l = Ledger::new(options(Method::Fifo));
            for e in events(n, skus) {
                l.ingest(e).unwrap();
            }
            let grown = l.bytes_per_event().unwrap();
            l.shrink_to_fit();
            let shrunk = l.bytes_per_event().unwrap();
            println!(
                "mem: {grown:.1} bytes per event as grown, {shrunk:.1} after shrink_to_fit ({n} events, {skus} SKUs)"
            );
        }
        other => panic!("unknown mode {other}"),
    }
}

fn report(mode: &str, n: usize, t: Instant) {
    let ns = t.elapsed().as_secs_f64() * 1e9 / n as f64;
    println!("{mode}: {ns:.1} ns per item (wall, {n} items)");
}
