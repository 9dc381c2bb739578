//! Shared fixtures: small networks and shorthand.

use merchantry_allocate::{
    Allocator, ChannelKey, LineRequest, Link, LocationKey, Network, NetworkBuilder, PoolKey,
    PublishRules, ReserveOptions, Reserved, SkuKey, Split, StockChange,
};
use merchantry_core::{ChannelId, LocationId, OrderId, Quantity, Sku};

pub(crate) fn q(n: i64) -> Quantity {
    Quantity::new(n)
}

pub(crate) fn order(id: &str) -> OrderId {
    OrderId::new(id).unwrap()
}

pub(crate) fn loc(b: &mut NetworkBuilder, name: &str) -> LocationKey {
    b.location(LocationId::new(name).unwrap()).unwrap()
}

pub(crate) fn chan(b: &mut NetworkBuilder, name: &str, rules: PublishRules) -> ChannelKey {
    b.channel(ChannelId::new(name).unwrap(), rules).unwrap()
}

/// Two own warehouses A and B in one shared pool, a 3PL in its own
/// shared pool, FBA in its own; `web` and `ebay` sell from A, B and the
/// 3PL; `fba` sells only from FBA.
pub(crate) struct World {
    pub(crate) alloc: Allocator,
    pub(crate) a: LocationKey,
    pub(crate) b: LocationKey,
    pub(crate) tpl: LocationKey,
    pub(crate) fba: LocationKey,
    pub(crate) own: PoolKey,
    pub(crate) web: ChannelKey,
    pub(crate) ebay: ChannelKey,
    pub(crate) fba_ch: ChannelKey,
    pub(crate) sku: SkuKey,
}

pub(crate) fn world() -> World {
    world_with(Split::Shared, PublishRules::default(), PublishRules::default())
}

pub(crate) fn world_with(split: Split, web_rules: PublishRules, ebay_rules: PublishRules) -> World {
    let mut n = Network::builder();
    let a = loc(&mut n, "A");
    let b = loc(&mut n, "B");
    let tpl = loc(&mut n, "3PL");
    let fba = loc(&mut n, "FBA");
    let own = n.pool("own", &[a, b], split).unwrap();
    let third = n.pool("3pl", &[tpl], Split::Shared).unwrap();
    let amazon = n.pool("fba", &[fba], Split::Shared).unwrap();
    let web = chan(&mut n, "web", web_rules);
    let ebay = chan(&mut n, "ebay", ebay_rules);
    let fba_ch = chan(&mut n, "fba", PublishRules::default());
    n.link(web, own, Link::default().with_share(3)).unwrap();
    n.link(ebay, own, Link::default().with_share(1).with_priority(1)).unwrap();
    n.link(web, third, Link::default().with_priority(2)).unwrap();
    n.link(ebay, third, Link::default().with_priority(2)).unwrap();
    n.link(fba_ch, amazon, Link::default()).unwrap();
    let mut alloc = Allocator::new(n.build().unwrap());
    let sku = alloc.add_sku(&Sku::new("MUG").unwrap()).unwrap();
    World { alloc, a, b, tpl, fba, own, web, ebay, fba_ch, sku }
}

impl World {
    pub(crate) fn stock(&mut self, at: LocationKey, n: i64) {
        self.alloc.stock_change(self.sku, at, StockChange::Set(q(n))).unwrap();
    }

    pub(crate) fn reserve(
        &mut self,
        id: &str,
        channel: ChannelKey,
        n: i64,
    ) -> merchantry_allocate::Result<Reserved> {
        let line = [LineRequest::new(1, self.sku, q(n))];
        self.alloc.reserve(&order(id), channel, &line, &ReserveOptions::default())
    }

    pub(crate) fn shown(&self, channel: ChannelKey) -> i64 {
        self.alloc.advertised(self.sku, channel).unwrap().get()
    }

    pub(crate) fn reserved_at(&self, at: LocationKey) -> i64 {
        self.alloc.reserved(self.sku, at).unwrap().get()
    }

    pub(crate) fn on_hand(&self, at: LocationKey) -> i64 {
        self.alloc.on_hand(self.sku, at).unwrap().get()
    }
}
