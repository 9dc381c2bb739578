//! Throughput of the ledger detail reader on a synthetic multi-megabyte
//! report.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench setup fails loudly")]
#![allow(missing_docs, reason = "criterion macros generate undocumented items")]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use merchantry_amazon::LedgerDetailReader;

/// A detail view of `rows` rows in Seller Central's quoted CSV form,
/// with every event type, several SKUs, centers and reason codes.
fn ledger_detail(rows: usize) -> Vec<u8> {
    let mut out = String::from(
        "\"Date\",\"FNSKU\",\"ASIN\",\"MSKU\",\"Title\",\"Event Type\",\"Reference ID\",\"Quantity\",\"Fulfillment Center\",\"Disposition\",\"Reason\",\"Country\",\"Reconciled Quantity\",\"Unreconciled Quantity\"\r\n",
    );
    let events = [
        "Receipts",
        "Shipments",
        "CustomerReturns",
        "Adjustments",
        "WhseTransfers",
        "VendorReturns",
    ];
    let centers = ["ABE2", "PHX6", "ONT8", "MDW2"];
    let reasons = ["M", "F", "E", "P", "D", "5", "Q"];
    for i in 0..rows {
        let event = events[i % events.len()];
        let (reason, rec) = if event == "Adjustments" {
            (reasons[i % reasons.len()], "\"0\",\"1\"")
        } else {
            ("", "\"\",\"\"")
        };
        let qty = if i % 3 == 0 { 12 } else { -1 - i64::try_from(i % 4).unwrap() };
        out.push_str(&format!(
            "\"{:02}/{:02}/2026\",\"X00TEST{:03}\",\"B0TEST{:04}\",\"WIDGET-{:03}\",\"Test Widget Number {} in Blue\",\"{event}\",\"111-{:07}-{:07}\",\"{qty}\",\"{}\",\"SELLABLE\",\"{reason}\",\"US\",{rec}\r\n",
            1 + i % 12,
            1 + i % 28,
            i % 500,
            i % 500,
            i % 500,
            i % 500,
            i,
            i * 7 % 10_000_000,
            centers[i % centers.len()],
        ));
    }
    out.into_bytes()
}

fn parse(c: &mut Criterion) {
    let rows = 40_000;
    let file = ledger_detail(rows);
    let mut group = c.benchmark_group("amazon/ledger_detail");
    group.throughput(Throughput::Bytes(file.len() as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            let mut net = 0_i64;
            let mut count = 0_usize;
            for row in LedgerDetailReader::new(black_box(&file[..])).unwrap() {
                let row = row.unwrap();
                net += row.quantity.get();
                count += 1;
            }
            assert_eq!(count, rows);
            black_box(net)
        });
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
