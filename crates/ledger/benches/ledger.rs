#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_possible_wrap,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    missing_docs,
    reason = "a benchmark: fails loudly and reports memory per event"
)]
//! Criterion benchmarks of the ledger.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use merchantry_core::{ChannelId, Disposition, EventId, LocationId, OrderId, Quantity, Sku};
use merchantry_ledger::{Event, EventKind, Ledger, LedgerOptions, Method, NegativeStock};
use rust_decimal::Decimal;

fn at(i: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(i)
}

/// Event `i` of a stream over `skus` SKUs: a receipt of 10 every 10th
/// event of a SKU, shipments of 1 otherwise, so stock never runs out.
fn event(i: usize, sku: &[Sku], wh: &LocationId, chan: &ChannelId) -> Event {
    let s = i % sku.len();
    let k = i / sku.len();
    let id = EventId::new(format!("e{i:09}")).unwrap();
    let kind = if k.is_multiple_of(10) {
        let cost = Decimal::new(200 + (i % 97) as i64, 2);
        EventKind::receipt(Quantity::new(10), cost)
    } else {
        EventKind::shipment(
            Quantity::new(1),
            chan.clone(),
            OrderId::new(format!("111-{i:07}")).unwrap(),
        )
    };
    Event::new(id, at(i as i64), sku[s].clone(), wh.clone(), kind)
}

fn names(skus: usize) -> (Vec<Sku>, LocationId, ChannelId) {
    let sku = (0..skus).map(|i| Sku::new(format!("SKU-{i:05}")).unwrap()).collect();
    (sku, LocationId::new("FBA-US").unwrap(), ChannelId::new("amazon").unwrap())
}

/// `n` events over `skus` SKUs (see [`event`]).
fn stream(n: usize, skus: usize) -> Vec<Event> {
    let (sku, wh, chan) = names(skus);
    (0..n).map(|i| event(i, &sku, &wh, &chan)).collect()
}

fn build(method: Method, events: &[Event]) -> Ledger {
    let mut l = Ledger::new(LedgerOptions {
        default_method: method,
        negative_stock: NegativeStock::Reject,
        ..LedgerOptions::default()
    });
    for e in events {
        l.ingest(e.clone()).unwrap();
    }
    l
}

fn ingest(c: &mut Criterion) {
    const N: usize = 100_000;
    let events = stream(N, 100);
    let mut g = c.benchmark_group("ledger/ingest");
    g.throughput(Throughput::Elements(N as u64));
    // By value; the `_reserved` rows first reserve room for the events'
    // ids (`Ledger::reserve`), as a loader that knows its row count does.
    for (name, method, reserve) in [
        ("fifo", Method::Fifo, false),
        ("moving_average", Method::MovingAverage, false),
        ("fifo_reserved", Method::Fifo, true),
        ("moving_average_reserved", Method::MovingAverage, true),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || events.clone(),
                |mut events| {
                    let mut l = Ledger::new(LedgerOptions {
                        default_method: method,
                        ..LedgerOptions::default()
                    });
                    if reserve {
                        l.reserve(events.len()).unwrap();
                    }
                    // Each event goes straight in, as a caller's loop passes
                    // it: `black_box(e)` would copy the 152-byte event once
                    // more (about 10 ns an event) in a way no caller does,
                    // and the events come from a clone made at run time, so
                    // nothing can be computed ahead.
                    for e in events.drain(..) {
                        l.ingest(e).unwrap();
                    }
                    assert_eq!(l.len(), N);
                    // The emptied buffer goes back to criterion, which frees
                    // it untimed: freeing the caller's 15 MB of events (about
                    // 13 ns an event) is not the ledger's work, and the
                    // borrowed rows do not time it either. Each event itself
                    // is dropped inside the loop, by the ledger.
                    (l, events)
                },
                BatchSize::LargeInput,
            );
        });
    }
    // The same ingest on borrowed events: the caller keeps (and later
    // drops) its events, so their reference-counted ids are not dropped
    // inside the timed loop.
    for (name, method) in
        [("fifo_borrowed", Method::Fifo), ("moving_average_borrowed", Method::MovingAverage)]
    {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    Ledger::new(LedgerOptions {
                        default_method: method,
                        ..LedgerOptions::default()
                    })
                },
                |mut l| {
                    for e in &events {
                        l.ingest_ref(black_box(e)).unwrap();
                    }
                    assert_eq!(l.len(), N);
                    l
                },
                BatchSize::LargeInput,
            );
        });
    }
    // A whole report at once: the same events in one `ingest_batch`.
    g.bench_function("fifo_batch", |b| {
        b.iter_batched(
            || events.clone(),
            |events| {
                let mut l = Ledger::new(LedgerOptions::default());
                let outcomes = l.ingest_batch(black_box(events)).unwrap();
                assert_eq!((l.len(), outcomes.len()), (N, N));
                l
            },
            BatchSize::LargeInput,
        );
    });
    g.finish();
    let mut l = build(Method::Fifo, &events);
    let grown = l.bytes_per_event().unwrap();
    l.shrink_to_fit();
    println!(
        "ledger memory: {grown:.1} bytes per event as grown, {:.1} after shrink_to_fit ({N} events)",
        l.bytes_per_event().unwrap()
    );
}

fn backdate(c: &mut Criterion) {
    // One SKU with 10,000 events after the backdated one (and 2,000 before).
    let events = stream(12_000, 1);
    let base = build(Method::Fifo, &events);
    let sku = Sku::new("SKU-00000").unwrap();
    let late = Event::new(
        EventId::new("late-receipt").unwrap(),
        at(1_999) + Duration::milliseconds(500),
        sku.clone(),
        LocationId::new("FBA-US").unwrap(),
        EventKind::receipt(Quantity::new(5), Decimal::new(150, 2)),
    );
    c.bench_function("ledger/backdate/10k_later", |b| {
        b.iter_batched(
            || base.clone(),
            |mut l| {
                let out = l.ingest(black_box(late.clone())).unwrap();
                assert!(matches!(out, merchantry_ledger::IngestOutcome::Applied { .. }));
                l
            },
            BatchSize::PerIteration,
        );
    });
}

fn query(c: &mut Criterion) {
    // The scale: 10 million events (1,000 SKUs of 10,000 each),
    // generated and ingested one by one so the events are never all held.
    const N: usize = 10_000_000;
    const SKUS: usize = 1_000;
    let (skus, wh, chan) = names(SKUS);
    let mut l = Ledger::new(LedgerOptions::default());
    for i in 0..N {
        l.ingest(event(i, &skus, &wh, &chan)).unwrap();
    }
    assert_eq!(l.len(), N);
    let grown = l.bytes_per_event().unwrap();
    l.shrink_to_fit();
    println!(
        "ledger memory: {grown:.1} bytes per event as grown, {:.1} after shrink_to_fit ({N} events, {SKUS} SKUs)",
        l.bytes_per_event().unwrap()
    );
    let mut i = 0_usize;
    c.bench_function("ledger/query/balance", |b| {
        b.iter(|| {
            i = i.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let s = &skus[(i >> 33) % SKUS];
            let t = at(((i >> 13) % N) as i64);
            let q = l.balance(black_box(s), &wh, Disposition::Sellable, black_box(t));
            assert!(q.get() >= 0);
            q
        });
    });
    c.bench_function("ledger/query/value", |b| {
        b.iter(|| {
            i = i.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let s = &skus[(i >> 33) % SKUS];
            let t = at(((i >> 13) % N) as i64);
            let v = l.value(black_box(s), &wh, Disposition::Sellable, black_box(t));
            assert!(v >= Decimal::ZERO);
            v
        });
    });
    c.bench_function("ledger/query/as_of", |b| {
        b.iter(|| {
            i = i.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let s = &skus[(i >> 33) % SKUS];
            let t = at(((i >> 13) % N) as i64);
            let q = l.balance(black_box(s), &wh, Disposition::Sellable, black_box(t));
            let v = l.value(black_box(s), &wh, Disposition::Sellable, black_box(t));
            assert!(q.get() >= 0 && v >= Decimal::ZERO);
            (q, v)
        });
    });
}

criterion_group!(benches, ingest, backdate, query);
criterion_main!(benches);
