//! The allocation fixture shared by `benches/allocate.rs` and the
//! `hot_path_probe` example, so both measure the same network.

use merchantry_allocate::{
    Allocator, ChannelKey, Link, LocationKey, Network, PublishRules, SkuKey, Split, StockChange,
};
use merchantry_core::{ChannelId, LocationId, OrderId, Quantity, Sku};

/// Order ids per chunk of work.
pub(crate) const CHUNK: usize = 1000;

/// A stocked allocator and the keys the measurements use.
pub(crate) struct Bench {
    pub(crate) alloc: Allocator,
    pub(crate) wh: LocationKey,
    pub(crate) chans: Vec<ChannelKey>,
    pub(crate) skus: Vec<SkuKey>,
    pub(crate) orders: Vec<OrderId>,
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

pub(crate) fn bench_state(skus: usize) -> Bench {
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
