//! A fixed-work driver for counting instructions on the hot path, immune
//! to a shared machine's noise:
//!
//! ```text
//! cargo build --release -p merchantry-allocate --example hot_path_probe
//! valgrind --tool=callgrind --callgrind-out-file=cg.out \
//!     target/release/examples/hot_path_probe
//! callgrind_annotate --inclusive=yes cg.out | grep -E 'Allocator::(reserve|commit|release) '
//! ```
//!
//! The fixture is `benches/allocate.rs`'s own (eight channels, three
//! pools, 1,000 SKUs). Each round reserves, commits and releases
//! [`ROUNDS`] times `fixture::CHUNK` lines, so the inclusive instruction count
//! of `Allocator::reserve`, `commit` and `release` divided by
//! `ROUNDS * CHUNK` is the cost of one call. The program prints those
//! counts of calls so the division needs no guess, and the wall-clock
//! time per call (noisy on a shared machine). An argument sets the
//! number of rounds (default [`ROUNDS`]).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "probe fixtures fail loudly")]
#![allow(clippy::print_stdout, reason = "the probe reports its call counts")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use merchantry_allocate::{
    Allocator, ChannelKey, LineRequest, ReserveOptions, SkuKey, StockChange,
};
use merchantry_core::{OrderId, Quantity};

#[path = "../benches/common/fixture.rs"]
mod fixture;

use fixture::{Bench, bench_state};

const ROUNDS: usize = 10;

fn main() {
    let Bench { mut alloc, wh, chans, skus, orders } = bench_state(1000);

    let rounds = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(ROUNDS);
    let mut calls = [0usize; 3];
    let mut spent = [Duration::ZERO; 3];
    for _ in 0..rounds {
        // Reserve, commit; restock what shipped so levels stay put.
        let start = Instant::now();
        reserve_all(&mut alloc, &orders, &skus, &chans, &mut calls[0]);
        spent[0] += start.elapsed();
        let start = Instant::now();
        for o in &orders {
            assert!(black_box(alloc.commit(black_box(o), 1)).is_ok());
            calls[1] += 1;
        }
        spent[1] += start.elapsed();
        for (i, _) in orders.iter().enumerate() {
            let sku = skus[i % skus.len()];
            alloc.stock_change(sku, wh, StockChange::Add(Quantity::new(1))).unwrap();
        }
        // The shipped lines' returns are given up so their keys are free.
        alloc.purge_shipped_if(|_| true);
        // Reserve, release.
        let start = Instant::now();
        reserve_all(&mut alloc, &orders, &skus, &chans, &mut calls[0]);
        spent[0] += start.elapsed();
        let start = Instant::now();
        for o in &orders {
            assert!(black_box(alloc.release(black_box(o), 1)).is_ok());
            calls[2] += 1;
        }
        spent[2] += start.elapsed();
        alloc.purge_closed();
    }
    for (i, name) in ["reserve", "commit", "release"].iter().enumerate() {
        let per = spent[i].as_secs_f64() * 1e9 / calls[i] as f64;
        println!("{name}: {} calls, {per:.0} ns per call (wall clock)", calls[i]);
    }
}

fn reserve_all(
    alloc: &mut Allocator,
    orders: &[OrderId],
    skus: &[SkuKey],
    chans: &[ChannelKey],
    calls: &mut usize,
) {
    for (i, o) in orders.iter().enumerate() {
        let line = [LineRequest::new(1, skus[i % skus.len()], Quantity::new(1))];
        let r = alloc.reserve(
            black_box(o),
            black_box(chans[i % chans.len()]),
            black_box(&line),
            &ReserveOptions::default(),
        );
        assert!(black_box(r).is_ok());
        *calls += 1;
    }
}
