//! Routes the benchmark workload and prints wall time, for measuring CPU
//! time per order with `perf stat` on a busy machine:
//!
//! `cargo run --release -p merchantry-route --example route_probe -- order 200000`
//! `cargo run --release -p merchantry-route --example route_probe -- batch 5`
//! `cargo run --release -p merchantry-route --example route_probe -- large8 200`
//! `cargo run --release -p merchantry-route --example route_probe -- large24 200`
//!
//! The `large8` and `large24` modes plan the orders of the
//! `route/order/8x10` and `route/order/24x10` benches, one after another.

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
    let seed = match mode {
        "batch" => 0x5EED_0002,
        "large8" | "large24" => 0x5EED_0003,
        _ => 0x5EED_0001,
    };
    let mut g = Gen(seed);
    let net = network(&mut g);
    let skus = skus();
    let inv = inventory(&net, &skus, &mut g);
    if let Some(lines) = mode.strip_prefix("large") {
        let lines: usize = lines.parse().unwrap();
        let router = Router::new(&net, inv);
        // The bench draws the 8-line orders first, then the 24-line ones.
        let eight: Vec<Order> = (0..16).map(|i| order(i, 8, &skus, &mut g)).collect();
        let orders = if lines == 8 {
            eight
        } else {
            (0..16).map(|i| order(i, lines, &skus, &mut g)).collect()
        };
        let start = Instant::now();
        for k in 0..reps {
            let out = router.plan(black_box(&orders[k % orders.len()])).unwrap();
            assert!(out.plan().is_none_or(|p| p.package_count() <= lines));
        }
        println!(
            "order {lines}x10: {:.3} us wall per order",
            start.elapsed().as_secs_f64() * 1e6 / reps as f64
        );
    } else if mode == "batch" {
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
