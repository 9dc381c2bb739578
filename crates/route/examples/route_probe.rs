//! Routes the benchmark workload and prints wall time, for measuring CPU
//! time per order with `perf stat` on a busy machine:
//!
//! `cargo run --release -p merchantry-route --example route_probe -- order 200000`
//! `cargo run --release -p merchantry-route --example route_probe -- batch 5`

#![allow(clippy::unwrap_used, reason = "a probe fails loudly")]
#![allow(clippy::print_stdout, reason = "a probe reports on stdout")]

use std::hint::black_box;
use std::time::Instant;

use merchantry_route::{Order, Router};

#[path = "../benches/support/workload.rs"]
mod workload;

use workload::{Gen, inventory, network, order, skus};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map_or("order", String::as_str);
    let reps: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mut g = Gen(if mode == "batch" { 0x5EED_0002 } else { 0x5EED_0001 });
    let net = network(&mut g);
    let skus = skus();
    let inv = inventory(&net, &skus, &mut g);
    if mode == "batch" {
        let orders: Vec<Order> = (0..100_000)
            .map(|i| order(i, 1 + usize::try_from(g.below(3)).unwrap(), &skus, &mut g))
            .collect();
        let start = Instant::now();
        for _ in 0..reps {
            let out = Router::new(&net, inv.clone()).route_batch(black_box(&orders)).unwrap();
            assert_eq!(out.len(), orders.len());
        }
        println!(
            "batch 100k: {:.1} ms wall per batch",
            start.elapsed().as_secs_f64() * 1e3 / reps as f64
        );
    } else {
        let router = Router::new(&net, inv);
        let orders: Vec<Order> = (0..64).map(|i| order(i, 3, &skus, &mut g)).collect();
        let start = Instant::now();
        for k in 0..reps {
            let out = router.plan(black_box(&orders[k % orders.len()])).unwrap();
            assert!(out.plan().is_none_or(|p| p.package_count() <= 3));
        }
        println!(
            "order 3x10: {:.3} us wall per order",
            start.elapsed().as_secs_f64() * 1e6 / reps as f64
        );
    }
}
