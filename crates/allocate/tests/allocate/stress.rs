//! Many threads reserving from every channel at once through one
//! `Mutex<Allocator>`: nothing is oversold and every accepted hold ships.

use std::sync::{Arc, Mutex};
use std::thread;

use merchantry_allocate::{Allocator, LineRequest, LineState, ReserveOptions, StockChange};
use merchantry_core::{OrderId, Sku};

use crate::support::{q, world};

#[test]
fn threads_reserving_on_every_channel_never_oversell() {
    let w = world();
    let (mut alloc, locs, chans) = (w.alloc, [w.a, w.b, w.tpl, w.fba], [w.web, w.ebay, w.fba_ch]);
    let skus: Vec<_> =
        (0..4).map(|i| alloc.add_sku(&Sku::new(format!("S{i}")).unwrap()).unwrap()).collect();
    // 30 units of each SKU at each location: 120 per SKU.
    for &s in &skus {
        for &l in &locs {
            alloc.stock_change(s, l, StockChange::Set(q(30))).unwrap();
        }
    }
    let shared = Arc::new(Mutex::new(alloc));
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let shared = Arc::clone(&shared);
            let skus = skus.clone();
            thread::spawn(move || {
                let mut accepted = 0i64;
                let mut state = t.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                for i in 0..400u64 {
                    // xorshift: cheap, seeded per thread, deterministic.
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let channel = chans[usize::try_from(state % 3).unwrap()];
                    let sku = skus[usize::try_from((state >> 8) % 4).unwrap()];
                    let units = i64::try_from((state >> 16) % 4).unwrap() + 1;
                    let order = OrderId::new(format!("T{t}-{i}")).unwrap();
                    let line = [LineRequest::new(1, sku, q(units))];
                    let mut a = shared.lock().unwrap();
                    if a.reserve(&order, channel, &line, &ReserveOptions::default()).is_ok() {
                        accepted += units;
                        // Cancel one in five, ship one in five.
                        match (state >> 24) % 5 {
                            0 => {
                                a.release(&order, 1).unwrap();
                                accepted -= units;
                            }
                            1 => {
                                a.commit(&order, 1).unwrap();
                            }
                            _ => {}
                        }
                    }
                }
                accepted
            })
        })
        .collect();
    let accepted: i64 = threads.into_iter().map(|h| h.join().unwrap()).sum();
    let mut alloc: Allocator = Arc::try_unwrap(shared).unwrap().into_inner().unwrap();

    // 8 threads x 400 tries x 2.5 units on average far exceed 480 units:
    // the stock sold out, and exactly what existed was promised.
    assert!(accepted > 400, "only {accepted} units accepted");
    assert!(accepted <= 4 * 120, "{accepted} units promised of 480");
    for &s in &skus {
        for &l in &locs {
            let (on_hand, reserved) = (alloc.on_hand(s, l).unwrap(), alloc.reserved(s, l).unwrap());
            assert!(reserved <= on_hand && !on_hand.is_negative());
        }
    }
    // Every hold still open ships.
    let open: Vec<(OrderId, u32)> = alloc
        .lines()
        .filter(|l| l.state == LineState::Reserved)
        .map(|l| (l.order, l.line))
        .collect();
    for (o, l) in open {
        alloc.commit(&o, l).unwrap();
    }
    let left: i64 = skus
        .iter()
        .flat_map(|&s| locs.iter().map(move |&l| (s, l)))
        .map(|(s, l)| alloc.on_hand(s, l).unwrap().get())
        .sum();
    assert_eq!(left, 4 * 120 - accepted, "units shipped equal units accepted");
    assert!(alloc.recompute_all().is_empty());
}

#[test]
fn allocator_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Allocator>();
}
