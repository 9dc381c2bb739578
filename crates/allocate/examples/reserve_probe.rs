//! A fixed-work driver for counting the instructions of `reserve` alone,
//! on exactly the criterion bench's workload (`allocate/reserve/8ch`):
//! chunks of `fixture::CHUNK` one-line orders, SKU `i % 1000`, channel
//! `i % 8`, each chunk then released and purged.
//!
//! ```text
//! cargo build --release -p merchantry-allocate --example reserve_probe
//! valgrind --tool=cachegrind --cache-sim=no \
//!     target/release/examples/reserve_probe setup
//! valgrind --tool=cachegrind --cache-sim=no \
//!     target/release/examples/reserve_probe 20
//! ```
//!
//! `setup` builds the fixture and stops; a number `n` runs `n` chunks
//! (default 20). The difference of the two totals divided by the
//! reserve calls printed is what one reserve costs, with its share of
//! the release and purge that reset the state between chunks (as in the
//! bench, outside its timed loop). Under callgrind,
//! `--toggle-collect='*Allocator::reserve*'` counts `reserve` alone.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "probe fixtures fail loudly")]
#![allow(clippy::print_stdout, reason = "the probe reports its call counts")]

use std::hint::black_box;

use merchantry_allocate::{LineRequest, ReserveOptions};
use merchantry_core::Quantity;

#[path = "../benches/common/fixture.rs"]
mod fixture;

use fixture::{Bench, bench_state};

const CHUNKS: usize = 20;

fn main() {
    let arg = std::env::args().nth(1);
    // Every field is bound so the shared fixture has no unread one.
    let Bench { mut alloc, wh: _warehouse, chans, skus, orders } = bench_state(1000);
    if arg.as_deref() == Some("setup") {
        println!("setup only: 0 reserve calls");
        return;
    }
    let chunks = arg.and_then(|a| a.parse().ok()).unwrap_or(CHUNKS);
    let mut calls = 0usize;
    for _ in 0..chunks {
        for (i, o) in orders.iter().enumerate() {
            let line = [LineRequest::new(1, skus[i % skus.len()], Quantity::new(1))];
            let r = alloc.reserve(
                black_box(o),
                black_box(chans[i % 8]),
                black_box(&line),
                &ReserveOptions::default(),
            );
            assert!(black_box(r).is_ok());
            calls += 1;
        }
        for o in &orders {
            alloc.release(o, 1).unwrap();
        }
        alloc.purge_closed();
    }
    println!("{calls} reserve calls");
}
