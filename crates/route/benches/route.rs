//! Routing benchmarks: one order of 3 lines over 10 nodes, large orders
//! (8 and 24 lines) for reference, and 100,000 orders over 10 nodes with
//! shared stock and capacity.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "benchmark set-up")]
#![allow(missing_docs, reason = "criterion macros generate undocumented functions")]
#![allow(clippy::print_stderr, reason = "the batch bench reports its outcome mix")]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use merchantry_route::{Order, Router};

#[path = "support/workload.rs"]
mod workload;

use workload::{Gen, inventory, network, order, skus};

fn bench_order(c: &mut Criterion) {
    let mut g = Gen(0x5EED_0001);
    let net = network(&mut g);
    let skus = skus();
    let inv = inventory(&net, &skus, &mut g);
    let router = Router::new(&net, inv);
    let orders: Vec<Order> = (0..64).map(|i| order(i, 3, &skus, &mut g)).collect();
    let mut k = 0;
    c.bench_function("route/order/3x10", |b| {
        b.iter(|| {
            k = (k + 1) % orders.len();
            let outcome = router.plan(black_box(&orders[k])).unwrap();
            assert!(outcome.plan().is_none_or(|p| p.package_count() <= 3));
            outcome
        });
    });
}

/// Orders past the exact limit (8 lines over 10 nodes is up to 10^8
/// assignments; 24 lines weigh well past one package's top tier), which
/// go to the bounded search. No target: reported for reference.
fn bench_large(c: &mut Criterion) {
    let mut g = Gen(0x5EED_0003);
    let net = network(&mut g);
    let skus = skus();
    let inv = inventory(&net, &skus, &mut g);
    let router = Router::new(&net, inv);
    let mut group = c.benchmark_group("route/order");
    for lines in [8, 24] {
        let orders: Vec<Order> = (0..16).map(|i| order(i, lines, &skus, &mut g)).collect();
        let routed = orders.iter().filter(|o| router.plan(o).unwrap().plan().is_some()).count();
        let mut k = 0;
        group.bench_function(format!("{lines}x10"), |b| {
            b.iter(|| {
                k = (k + 1) % orders.len();
                let outcome = router.plan(black_box(&orders[k])).unwrap();
                assert!(outcome.plan().is_none_or(|p| p.package_count() <= lines));
                outcome
            });
        });
        eprintln!("route/order/{lines}x10: {routed} of {} routed", orders.len());
    }
    group.finish();
}

fn bench_batch(c: &mut Criterion) {
    let mut g = Gen(0x5EED_0002);
    let net = network(&mut g);
    let skus = skus();
    let inv = inventory(&net, &skus, &mut g);
    let orders: Vec<Order> = (0..100_000)
        .map(|i| order(i, 1 + usize::try_from(g.below(3)).unwrap(), &skus, &mut g))
        .collect();
    let mut group = c.benchmark_group("route/batch");
    group.sample_size(10);
    group.bench_function("100k", |b| {
        b.iter(|| {
            let mut router = Router::new(&net, inv.clone());
            let out = router.route_batch(black_box(&orders)).unwrap();
            assert_eq!(out.len(), orders.len());
            out
        });
    });
    group.finish();
    let mut router = Router::new(&net, inv);
    let out = router.route_batch(&orders).unwrap();
    let routed = out.iter().filter(|o| o.plan().is_some()).count();
    let late = out.iter().filter(|o| o.plan().is_some_and(|p| p.late)).count();
    let split = out.iter().filter(|o| o.plan().is_some_and(|p| p.package_count() > 1)).count();
    eprintln!("route/batch/100k: routed {routed}, late {late}, split {split}");
}

criterion_group!(benches, bench_order, bench_large, bench_batch);
criterion_main!(benches);
