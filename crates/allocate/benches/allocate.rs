//! Allocation benchmarks: reserve, commit and release with 8 channels,
//! and a full recompute of 1,000,000 SKUs.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench fixtures fail loudly")]
#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_allocate::{LineRequest, PublishRules, ReserveOptions, StockChange};
use merchantry_core::Quantity;

#[path = "common/fixture.rs"]
mod fixture;

use fixture::{Bench, CHUNK, bench_state};

impl Bench {
    fn reserve_chunk(&mut self) {
        for (i, o) in self.orders.iter().enumerate() {
            let line = [LineRequest::new(1, self.skus[i % self.skus.len()], Quantity::new(1))];
            let r = self.alloc.reserve(o, self.chans[i % 8], &line, &ReserveOptions::default());
            assert!(r.is_ok());
        }
    }

    fn release_chunk(&mut self) {
        for o in &self.orders {
            assert!(self.alloc.release(o, 1).is_ok());
        }
    }

    fn reset(&mut self) {
        self.alloc.purge_closed();
        // Shipped lines are kept for their returns until given up.
        self.alloc.purge_shipped_if(|_| true);
    }
}

fn hot_path(c: &mut Criterion) {
    let mut g = c.benchmark_group("allocate");
    let mut b = bench_state(1000);

    g.bench_function("reserve/8ch", |bencher| {
        bencher.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                let n = usize::try_from((iters - done).min(CHUNK as u64)).unwrap();
                let start = Instant::now();
                for i in 0..n {
                    let line = [LineRequest::new(1, b.skus[i % b.skus.len()], Quantity::new(1))];
                    let r = b.alloc.reserve(
                        black_box(&b.orders[i]),
                        black_box(b.chans[i % 8]),
                        black_box(&line),
                        &ReserveOptions::default(),
                    );
                    assert!(black_box(r).is_ok());
                }
                total += start.elapsed();
                for o in &b.orders[..n] {
                    b.alloc.release(o, 1).unwrap();
                }
                b.reset();
                done += n as u64;
            }
            total
        });
    });

    g.bench_function("commit/8ch", |bencher| {
        bencher.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                b.reserve_chunk();
                let n = usize::try_from((iters - done).min(CHUNK as u64)).unwrap();
                let start = Instant::now();
                for o in &b.orders[..n] {
                    let r = b.alloc.commit(black_box(o), black_box(1));
                    assert!(black_box(r).is_ok());
                }
                total += start.elapsed();
                for (i, o) in b.orders.iter().enumerate() {
                    if i >= n {
                        b.alloc.release(o, 1).unwrap();
                    } else {
                        let sku = b.skus[i % b.skus.len()];
                        let _ = b.alloc.stock_change(sku, b.wh, StockChange::Add(Quantity::new(1)));
                    }
                }
                b.reset();
                done += n as u64;
            }
            total
        });
    });

    g.bench_function("release/8ch", |bencher| {
        bencher.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut done = 0;
            while done < iters {
                b.reserve_chunk();
                let n = usize::try_from((iters - done).min(CHUNK as u64)).unwrap();
                let start = Instant::now();
                for o in &b.orders[..n] {
                    let r = b.alloc.release(black_box(o), black_box(1));
                    assert!(black_box(r).is_ok());
                }
                total += start.elapsed();
                b.release_chunk();
                b.reset();
                done += n as u64;
            }
            total
        });
    });
    g.finish();
}

fn recompute(c: &mut Criterion) {
    let mut g = c.benchmark_group("allocate");
    g.sample_size(10);
    let mut b = bench_state(1_000_000);
    g.bench_function("recompute/1m", |bencher| {
        bencher.iter(|| {
            let changes = b.alloc.recompute_all();
            assert!(black_box(changes).is_empty());
        });
    });
    // Changing one channel's buffer republishes that channel for every
    // SKU: one million updates.
    let mut flip = false;
    g.bench_function("set_rules/1m", |bencher| {
        bencher.iter(|| {
            flip = !flip;
            let buffer = if flip { 20 } else { 0 };
            let rules = PublishRules::default().with_buffer(Quantity::new(buffer));
            let changes = b.alloc.set_rules(b.chans[0], black_box(rules)).unwrap();
            assert_eq!(changes.len(), 1_000_000);
        });
    });
    g.finish();
}

criterion_group!(benches, hot_path, recompute);
criterion_main!(benches);
