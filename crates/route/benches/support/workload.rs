//! The benchmark workload: 10 nodes in five US time zones, 1,000 SKUs,
//! orders of 1 to 3 lines placed over five days. Shared by the criterion
//! benches and the `route_probe` example.

#![allow(dead_code, reason = "each includer uses part of the workload")]
#![allow(clippy::unwrap_used, reason = "benchmark set-up fails loudly")]

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use merchantry_core::{
    ChannelId, Currency, DateRange, LocationId, LocationKind, OrderId, Quantity, Sku,
};
use merchantry_route::{Inventory, Network, Node, Order, OrderLine, RateTier, Speed, Zone};
use rust_decimal::Decimal;

pub(crate) const SKUS: usize = 1000;

/// xorshift64*: deterministic inputs without a dependency.
pub(crate) struct Gen(pub(crate) u64);

impl Gen {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

pub(crate) fn network(g: &mut Gen) -> Network {
    let zones = [
        chrono_tz::America::New_York,
        chrono_tz::America::Chicago,
        chrono_tz::America::Denver,
        chrono_tz::America::Los_Angeles,
        chrono_tz::America::Phoenix,
    ];
    let nodes = (0..10)
        .map(|i| {
            let kind = if i == 9 { LocationKind::FbaNetwork } else { LocationKind::OwnWarehouse };
            let mut n = Node::new(
                LocationId::new(format!("DC-{i}")).unwrap(),
                kind,
                zones[i % zones.len()],
                Currency::USD,
            );
            n.costs.per_package = Decimal::new(150 + 25 * i64::try_from(i).unwrap(), 2);
            n.costs.per_unit = Decimal::new(20, 2);
            for z in 1..=8u16 {
                let dist = (i64::from(z) + i64::try_from(i).unwrap()) % 8 + 1;
                let tiers = (1..=5)
                    .map(|t| RateTier {
                        max_weight_g: 500 * t,
                        price: Decimal::new(400 + 60 * dist + 90 * i64::try_from(t).unwrap(), 2),
                    })
                    .collect();
                n.costs.rates.insert(Zone(z), tiers);
                let days = 1 + u32::try_from(dist).unwrap() / 2;
                n.transit_days.insert((Zone(z), Speed::Standard), days);
                n.transit_days.insert((Zone(z), Speed::Expedited), days.min(2));
            }
            n.capacity.packages_per_day = Some(2_500);
            n.priority = u32::try_from(i).unwrap();
            n.handling_days = u32::from(i == 9);
            n
        })
        .collect();
    let _ = g;
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    Network::new(nodes, DateRange::starting(start, 30).unwrap()).unwrap()
}

pub(crate) fn skus() -> Vec<Sku> {
    (0..SKUS).map(|i| Sku::new(format!("SKU-{i:05}")).unwrap()).collect()
}

pub(crate) fn inventory(net: &Network, skus: &[Sku], g: &mut Gen) -> Inventory {
    let mut inv = Inventory::new(net);
    for sku in skus {
        for idx in net.indices() {
            inv.set(sku, idx, Quantity::new(i64::try_from(g.below(60)).unwrap()));
        }
    }
    inv
}

pub(crate) fn order(i: usize, lines: usize, skus: &[Sku], g: &mut Gen) -> Order {
    let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
    let placed = t0 + Duration::minutes(i64::try_from(g.below(5 * 24 * 60)).unwrap());
    Order {
        id: OrderId::new(format!("ORD-{i:07}")).unwrap(),
        lines: (0..lines)
            .map(|_| {
                let sku = skus[usize::try_from(g.below(SKUS as u64)).unwrap()].clone();
                let mut l =
                    OrderLine::new(sku, Quantity::new(1 + i64::try_from(g.below(2)).unwrap()));
                l.unit_weight_g = 100 + g.below(600);
                l.unit_value = Decimal::new(1999, 2);
                l
            })
            .collect(),
        zone: Zone(1 + u16::try_from(g.below(8)).unwrap()),
        market: None,
        placed_at: placed,
        promised_by: placed.date_naive() + Duration::days(3 + i64::try_from(g.below(4)).unwrap()),
        speed: if g.below(5) == 0 { Speed::Expedited } else { Speed::Standard },
        channel: ChannelId::new("web").unwrap(),
    }
}
