//! Allocation benchmarks: reserve, commit and release with 8 channels,
//! and a full recompute of 1,000,000 SKUs.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "bench fixtures fail loudly")]
#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_allocate::{
    Allocator, ChannelKey, LineRequest, Link, LocationKey, Network, PublishRules, ReserveOptions,
    SkuKey, Split, StockChange,
};
use merchantry_core::{ChannelId, LocationId, OrderId, Quantity, Sku};

const CHUNK: usize = 1000;

struct Bench {
    alloc: Allocator,
    wh: LocationKey,
    chans: Vec<ChannelKey>,
    skus: Vec<SkuKey>,
    orders: Vec<OrderId>,
}

/// Own warehouse (shared pool), a 3PL (split by shares) and FBA; eight
/// channels, each with a different rule set, linked to the warehouse and
/// the 3PL; the last also to FBA.
fn network() -> (Network, LocationKey, LocationKey, LocationKey, Vec<ChannelKey>) {
    let mut b = Network::builder();
    let wh = b.location(LocationId::new("WH").unwrap()).unwrap();
    let tpl = b.location(LocationId::new("3PL").unwrap()).unwrap();
    let fba = b.location(LocationId::new("FBA").unwrap()).unwrap();
    let own = b.pool("own", &[wh], Split::Shared).unwrap();
    let third = b.pool("3pl", &[tpl], Split::Shares).unwrap();
    let amazon = b.pool("fba", &[fba], Split::Shared).unwrap();
    let mut chans = Vec::new();
    for i in 0..8u8 {
        let rules = PublishRules::default()
            .with_buffer(Quantity::new(i64::from(i)))
            .with_percent(100 - i * 5)
            .with_zero_at_or_below(Quantity::new(1))
            .with_max_shown(Quantity::new(500 + i64::from(i)));
        let c = b.channel(ChannelId::new(format!("ch{i}")).unwrap(), rules).unwrap();
        b.link(c, own, Link::default().with_priority(u32::from(i % 2))).unwrap();
        b.link(c, third, Link::default().with_priority(2).with_share(u32::from(i) + 1)).unwrap();
        chans.push(c);
    }
    b.link(chans[7], amazon, Link::default()).unwrap();
    (b.build().unwrap(), wh, tpl, fba, chans)
}

fn bench_state(skus: usize) -> Bench {
    let (net, wh, tpl, fba, chans) = network();
    let mut alloc = Allocator::new(net);
    let names: Vec<Sku> = (0..skus).map(|i| Sku::new(format!("SKU-{i}")).unwrap()).collect();
    alloc.add_skus(&names).unwrap();
    let keys: Vec<SkuKey> = names.iter().map(|s| alloc.sku_key(s).unwrap()).collect();
    for (i, &k) in keys.iter().enumerate() {
        let n = i64::try_from(i % 97).unwrap();
        alloc.stock_change(k, wh, StockChange::Set(Quantity::new(1_000_000 + n))).unwrap();
        alloc.stock_change(k, tpl, StockChange::Set(Quantity::new(40 + n))).unwrap();
        alloc.stock_change(k, fba, StockChange::Set(Quantity::new(n))).unwrap();
    }
    let orders = (0..CHUNK).map(|i| OrderId::new(format!("112-{i:07}")).unwrap()).collect();
    Bench { alloc, wh, chans, skus: keys, orders }
}

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
