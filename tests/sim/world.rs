//! The system under test: one ledger, one allocator and one fulfillment
//! network, driven by a stream of [`Op`]s and checked against the
//! DESIGN.md invariants.
//!
//! Every check names the invariant it covers (its `law`):
//!
//! - `1 units`: each ledger position (SKU, node, disposition) equals the
//!   sum of the movements of the events the ledger accepted, and a SKU's
//!   units over all positions equal its outside flows (receipts, sales,
//!   returns, adjustments): transfers create nothing.
//! - `2 value`: per SKU, opening (zero) + receipts + landed - COGS -
//!   write-offs - vendor returns - variance = closing value, exactly;
//!   at checkpoints also month by month (value at each month start plus
//!   the month's flows gives the value at its end: no drift).
//! - `3 idempotence`: an id seen before with the same content is reported
//!   `Duplicate` and changes nothing; with other content it is refused
//!   as `ConflictingDuplicate`; a new id is never called a duplicate.
//! - `4 order independence`: at checkpoints, a fresh ledger fed the
//!   accepted events sorted by timestamp (backdated ones in place) gives
//!   the same balances, values, COGS and flows per month as the live
//!   ledger fed them in arrival order.
//! - `5 rejection changes nothing`: a known-bad row ([`Op::BadRow`]) is
//!   checked against a full clone of the ledger (`==`); any other refused
//!   row against the event count and its SKU's value and position; a
//!   refused allocator call against the SKU's allocator state.
//! - `6 no oversell`: per SKU and node, reserved <= on hand, on hand >= 0
//!   and equal to the units the accepted stock operations, shipments and
//!   sellable returns leave; per channel, 0 <= advertised <= free units
//!   at its linked nodes; a cancel repeated frees nothing; no hold is
//!   left open at the end of a day.
//! - `7 routing`: a routed line is served whole from a node that held
//!   the units, the router's free stock drops by exactly what its plans
//!   took, packages and units per node and ship day stay within capacity
//!   (and match the router's own count), a plan's cost is the sum of its
//!   packages' costs, its delivery is its latest package's and `late`
//!   says whether that misses the promise; the allocator accepts every
//!   routed package at its node.
//! - `8 determinism`: not a per-day check; the replay of a recorded
//!   stream reaches the live run's digest, and two runs of a seed agree
//!   (tests in `simulation.rs`).
//! - `events`: no event lost: every ingest attempt is accepted, reported
//!   duplicate or refused with a typed error, each counted, and the
//!   ledger holds exactly the accepted ones.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::rc::Rc;

use merchantry::allocate::{
    AllocError, Allocator, ChannelKey, LineRequest, Link, LocationKey, Network as AllocNetwork,
    PublishRules, ReserveOptions, Restock, SkuKey, Split, StockChange,
};
use merchantry::core::{
    Currency, DateRange, Decimal, Disposition, EventId, LocationKind, OrderId, Quantity, Sku,
};
use merchantry::ledger::{Event, EventKind, IngestOutcome, Ledger, LedgerError, LedgerOptions};
use merchantry::route::{
    Capacity, Dims, Inventory, Network as RouteNetwork, Node, NodeIndex, Order as RouteOrder,
    OrderLine as RouteLine, Outcome, RateTier, Router, Speed, WeeklyCutoffs, Zone,
};

use super::{
    AMAZON, CHANNELS, EBAY, FBA, LINKS, NODES, SKUS, TPL, WH, channel_id, date, epoch, far,
    longest_mm, node_id, sku_id, weight_g,
};

/// What broke: the invariant and the detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) law: &'static str,
    pub(crate) what: String,
}

fn fail<T>(law: &'static str, what: String) -> Result<T, Failure> {
    Err(Failure { law, what })
}

/// An extra check run with the daily ones (tests plant broken ones).
pub(crate) type ExtraCheck = Rc<dyn Fn(&World) -> Result<(), String>>;

/// How a world checks itself.
#[derive(Clone)]
pub(crate) struct Config {
    /// Run the order-independence rebuild every this many days (and at
    /// the end of a replay).
    pub(crate) order_check_every: usize,
    /// A planted check, reported under the law `planted`.
    pub(crate) extra: Option<ExtraCheck>,
}

impl Default for Config {
    fn default() -> Self {
        Self { order_check_every: 30, extra: None }
    }
}

/// One input to the system, in arrival order: the recorded stream.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Op {
    /// A report row reaches the ledger.
    Ingest(Event),
    /// A row the business knows to be bad (it must be refused).
    BadRow(Event),
    /// Sellable units appear at or leave a node outside an order
    /// (receipt, write-off, transfer out or in).
    Stock { sku: usize, node: usize, delta: i64 },
    /// An Amazon order fulfilled by FBA: reserved, then shipped.
    Sell { order: OrderId, sku: usize, units: i64 },
    /// An order reserved, then cancelled (and the cancel reported twice).
    Cancel { order: OrderId, channel: usize, sku: usize, units: i64 },
    /// The day's web-store and eBay orders, routed as a batch across the
    /// nodes, reserved at the chosen nodes and shipped.
    Route(Vec<RouteOrder>),
    /// A customer sends a shipped line back.
    Return { order: OrderId, line: u32, units: i64, sellable: bool },
    /// The end of a simulated day: every daily check runs.
    EndDay(usize),
}

impl std::fmt::Display for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ingest(e) | Self::BadRow(e) => {
                let bad = if matches!(self, Self::BadRow(_)) { "bad row " } else { "" };
                write!(f, "{bad}ingest {} {} {} @{} {:?}", e.id, e.at, e.sku, e.location, e.kind)
            }
            Self::Stock { sku, node, delta } => {
                write!(f, "stock {} @{} {delta:+}", sku_id(*sku), NODES[*node])
            }
            Self::Sell { order, sku, units } => {
                write!(f, "sell {order} {} x{units} on amazon", sku_id(*sku))
            }
            Self::Cancel { order, channel, sku, units } => {
                write!(f, "cancel {order} {} x{units} on {}", sku_id(*sku), CHANNELS[*channel])
            }
            Self::Route(orders) => {
                write!(f, "route {} orders:", orders.len())?;
                for o in orders {
                    write!(f, " {} [", o.id)?;
                    for l in &o.lines {
                        write!(f, " {}x{}", l.sku, l.quantity.get())?;
                    }
                    write!(f, " ] {}", o.channel)?;
                }
                Ok(())
            }
            Self::Return { order, line, units, sellable } => {
                write!(f, "return {order}/{line} x{units} sellable={sellable}")
            }
            Self::EndDay(d) => write!(f, "end of day {d}"),
        }
    }
}

/// A line that left a node, for returns and ledger rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shipped {
    pub(crate) order: OrderId,
    pub(crate) line: u32,
    pub(crate) sku: usize,
    pub(crate) node: usize,
    pub(crate) channel: usize,
    pub(crate) units: i64,
}

/// What an operation did, for the business to act on.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// The ledger's answer to an ingest (the error's variant name).
    pub(crate) ingest: Option<Result<bool, String>>,
    /// Lines shipped.
    pub(crate) shipped: Vec<Shipped>,
    /// Units asked for that could not be served.
    pub(crate) lost: i64,
}

/// Counts of everything the world was fed and what became of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub(crate) ingests: usize,
    pub(crate) accepted: usize,
    pub(crate) duplicates: usize,
    /// Refused rows by the error's variant.
    pub(crate) rejected: BTreeMap<String, usize>,
    /// Refused allocator calls by the error's variant.
    pub(crate) alloc_refused: BTreeMap<String, usize>,
    pub(crate) lost_units: i64,
    pub(crate) routed: usize,
    pub(crate) unroutable: usize,
    /// Unroutable orders by the router's typed reason.
    pub(crate) unroutable_reasons: BTreeMap<String, usize>,
    pub(crate) late_plans: usize,
    pub(crate) split_plans: usize,
    pub(crate) by_node: [usize; 3],
}

/// A position: (sku, node, disposition).
pub(crate) type Key = (usize, usize, Disposition);

/// The dispositions the business uses.
pub(crate) const DISPOSITIONS: [Disposition; 3] =
    [Disposition::Sellable, Disposition::Unsellable, Disposition::InTransit];

pub(crate) struct World {
    config: Config,
    pub(crate) ledger: Ledger,
    pub(crate) alloc: Allocator,
    net: Rc<RouteNetwork>,
    sku_keys: Vec<SkuKey>,
    node_keys: Vec<LocationKey>,
    channel_keys: Vec<ChannelKey>,
    sku_index: BTreeMap<Sku, usize>,
    /// Accepted events by id, and in arrival order.
    seen: BTreeMap<EventId, Event>,
    accepted: Vec<Event>,
    /// Units moved by accepted events, per position.
    moved: BTreeMap<Key, i64>,
    /// Net outside units per SKU (everything but transfers).
    outside: Vec<i64>,
    /// Sellable units the allocator should hold, per SKU and node.
    physical: Vec<[i64; 3]>,
    /// Lines shipped, for returns.
    lines: BTreeMap<(OrderId, u32), Shipped>,
    pub(crate) tally: Tally,
    /// The recorded stream.
    pub(crate) log: Vec<Op>,
    days: usize,
}

impl World {
    pub(crate) fn new(config: Config, horizon_days: u32) -> Self {
        let mut b = AllocNetwork::builder();
        let node_keys: Vec<LocationKey> =
            (0..NODES.len()).map(|n| b.location(node_id(n)).unwrap()).collect();
        let pools: Vec<_> = node_keys
            .iter()
            .zip(NODES)
            .map(|(k, name)| b.pool(name, &[*k], Split::Shared).unwrap())
            .collect();
        let channel_keys: Vec<ChannelKey> = (0..CHANNELS.len())
            .map(|c| b.channel(channel_id(c), PublishRules::default()).unwrap())
            .collect();
        for (c, links) in LINKS.iter().enumerate() {
            for (rank, &n) in links.iter().enumerate() {
                let link = Link::default().with_priority(u32::try_from(rank).unwrap());
                b.link(channel_keys[c], pools[n], link).unwrap();
            }
        }
        let mut alloc = Allocator::new(b.build().unwrap());
        let sku_keys = (0..SKUS).map(|s| alloc.add_sku(&sku_id(s)).unwrap()).collect();
        let horizon = DateRange::starting(date(0), horizon_days + 30).unwrap();
        let net = Rc::new(RouteNetwork::new(route_nodes(), horizon).unwrap());
        for n in 0..NODES.len() {
            assert_eq!(net.index_of(&node_id(n)).map(NodeIndex::get), Some(n));
        }
        Self {
            config,
            ledger: Ledger::new(LedgerOptions::default()),
            alloc,
            net,
            sku_keys,
            node_keys,
            channel_keys,
            sku_index: (0..SKUS).map(|s| (sku_id(s), s)).collect(),
            seen: BTreeMap::new(),
            accepted: Vec::new(),
            moved: BTreeMap::new(),
            outside: vec![0; SKUS],
            physical: vec![[0; 3]; SKUS],
            lines: BTreeMap::new(),
            tally: Tally::default(),
            log: Vec::new(),
            days: 0,
        }
    }

    /// A fresh world fed `ops`, then checked in full.
    pub(crate) fn replay(config: &Config, ops: &[Op]) -> Result<Self, Failure> {
        let mut w = Self::new(config.clone(), 400);
        for op in ops {
            w.apply(op.clone())?;
        }
        w.check_day()?;
        w.check_order_independence()?;
        Ok(w)
    }

    pub(crate) fn has_accepted(&self, id: &EventId) -> bool {
        self.seen.contains_key(id)
    }

    /// Free units (on hand less reserved) per the allocator.
    pub(crate) fn free(&self, sku: usize, node: usize) -> i64 {
        let (k, l) = (self.sku_keys[sku], self.node_keys[node]);
        self.alloc.on_hand(k, l).unwrap().get() - self.alloc.reserved(k, l).unwrap().get()
    }

    pub(crate) fn on_hand(&self, sku: usize, node: usize) -> i64 {
        self.alloc.on_hand(self.sku_keys[sku], self.node_keys[node]).unwrap().get()
    }

    /// Applies one operation, recording it, and runs the checks it
    /// calls for.
    pub(crate) fn apply(&mut self, op: Op) -> Result<Applied, Failure> {
        self.log.push(op.clone());
        match op {
            Op::Ingest(ev) => self.ingest(ev, false),
            Op::BadRow(ev) => self.ingest(ev, true),
            Op::Stock { sku, node, delta } => self.stock(sku, node, delta),
            Op::Sell { order, sku, units } => self.sell(&order, sku, units),
            Op::Cancel { order, channel, sku, units } => self.cancel(&order, channel, sku, units),
            Op::Route(orders) => self.route(&orders),
            Op::Return { order, line, units, sellable } => {
                self.give_back(&order, line, units, sellable)
            }
            Op::EndDay(d) => {
                self.days = d + 1;
                self.check_day()?;
                if (d + 1).is_multiple_of(self.config.order_check_every.max(1)) {
                    self.check_order_independence()?;
                }
                Ok(Applied::default())
            }
        }
    }

    // ----- the ledger -----

    /// A cheap picture of what an event could touch.
    fn glimpse(&self, ev: &Event) -> (usize, Decimal, Quantity) {
        let total = self.ledger.total_value(&ev.sku, far());
        let bal = self.ledger.balance(&ev.sku, &ev.location, Disposition::Sellable, far());
        (self.ledger.len(), total, bal)
    }

    fn ingest(&mut self, ev: Event, bad: bool) -> Result<Applied, Failure> {
        self.tally.ingests += 1;
        let prior = self.seen.get(&ev.id).cloned();
        let snapshot = bad.then(|| self.ledger.clone());
        let before = self.glimpse(&ev);
        let result = self.ledger.ingest(ev.clone());
        let unchanged = |w: &Self, law: &'static str| {
            if let Some(s) = &snapshot
                && *s != w.ledger
            {
                return fail(law, format!("refused row {} changed the ledger", ev.id));
            }
            if w.glimpse(&ev) != before {
                return fail(law, format!("row {} changed the ledger: {before:?}", ev.id));
            }
            Ok(())
        };
        let answer = match (result, prior) {
            (Ok(IngestOutcome::Duplicate), Some(p)) if p == ev => {
                self.tally.duplicates += 1;
                unchanged(self, "3 idempotence")?;
                Ok(false)
            }
            (Ok(IngestOutcome::Duplicate), p) => {
                return fail("3 idempotence", format!("{} called a duplicate of {p:?}", ev.id));
            }
            (Ok(_), Some(_)) => {
                return fail("3 idempotence", format!("{} applied a second time", ev.id));
            }
            (Ok(_), None) => {
                self.accept(ev.clone())?;
                Ok(true)
            }
            (Err(e), Some(p)) if p == ev => {
                return fail(
                    "3 idempotence",
                    format!("identical repeat of {} refused: {e}", ev.id),
                );
            }
            (Err(e), p) => {
                if p.is_some() && !matches!(e, LedgerError::ConflictingDuplicate { .. }) {
                    return fail(
                        "3 idempotence",
                        format!("{} reused with other content: {e}", ev.id),
                    );
                }
                unchanged(self, "5 rejection")?;
                let name = variant(&format!("{e:?}"));
                *self.tally.rejected.entry(name.clone()).or_insert(0) += 1;
                Err(name)
            }
        };
        Ok(Applied { ingest: Some(answer), ..Applied::default() })
    }

    fn accept(&mut self, ev: Event) -> Result<(), Failure> {
        self.tally.accepted += 1;
        for (key, units) in self.moves(&ev) {
            *self.moved.entry(key).or_insert(0) += units;
            if !matches!(ev.kind, EventKind::TransferOut { .. } | EventKind::TransferIn { .. }) {
                self.outside[key.0] += units;
            }
        }
        self.seen.insert(ev.id.clone(), ev.clone());
        self.accepted.push(ev);
        if self.ledger.len() != self.accepted.len() {
            return fail(
                "events",
                format!("{} accepted, ledger holds {}", self.accepted.len(), self.ledger.len()),
            );
        }
        Ok(())
    }

    /// The units an event moves, per position.
    pub(crate) fn moves(&self, ev: &Event) -> Vec<(Key, i64)> {
        let s = self.sku_index[&ev.sku];
        let n = node_of(&ev.location);
        match &ev.kind {
            EventKind::Receipt { quantity, disposition, .. } => {
                vec![((s, n, *disposition), quantity.get())]
            }
            EventKind::Shipment { quantity, .. } => {
                vec![((s, n, Disposition::Sellable), -quantity.get())]
            }
            EventKind::CustomerReturn { quantity, disposition, .. } => {
                vec![((s, n, *disposition), quantity.get())]
            }
            EventKind::Adjustment { quantity, disposition, .. } => {
                vec![((s, n, *disposition), quantity.get())]
            }
            EventKind::TransferOut { quantity, disposition, to } => vec![
                ((s, n, *disposition), -quantity.get()),
                ((s, node_of(to), Disposition::InTransit), quantity.get()),
            ],
            EventKind::TransferIn { quantity, disposition, .. } => vec![
                ((s, n, Disposition::InTransit), -quantity.get()),
                ((s, n, *disposition), quantity.get()),
            ],
            _ => Vec::new(),
        }
    }

    // ----- the allocator -----

    /// The allocator's view of one SKU, to show a refused call changed
    /// nothing.
    fn alloc_glimpse(&self, sku: usize) -> Vec<i64> {
        let k = self.sku_keys[sku];
        let mut v = Vec::new();
        for &l in &self.node_keys {
            v.push(self.alloc.on_hand(k, l).unwrap().get());
            v.push(self.alloc.reserved(k, l).unwrap().get());
        }
        for &c in &self.channel_keys {
            v.push(self.alloc.advertised(k, c).unwrap().get());
        }
        v
    }

    fn refused(&mut self, sku: usize, before: &[i64], e: &AllocError) -> Result<(), Failure> {
        if self.alloc_glimpse(sku) != before {
            return fail(
                "5 rejection",
                format!("refused allocator call changed {}: {e}", sku_id(sku)),
            );
        }
        *self.tally.alloc_refused.entry(variant(&format!("{e:?}"))).or_insert(0) += 1;
        Ok(())
    }

    fn stock(&mut self, sku: usize, node: usize, delta: i64) -> Result<Applied, Failure> {
        let change = if delta >= 0 {
            StockChange::Add(Quantity::new(delta))
        } else {
            StockChange::Remove(Quantity::new(-delta))
        };
        let before = self.alloc_glimpse(sku);
        match self.alloc.stock_change(self.sku_keys[sku], self.node_keys[node], change) {
            Ok(_) => self.physical[sku][node] += delta,
            Err(e) => self.refused(sku, &before, &e)?,
        }
        Ok(Applied::default())
    }

    /// Reserves one whole line for `channel` (at `node` when given).
    fn hold(
        &mut self,
        order: &OrderId,
        channel: usize,
        lines: &[LineRequest],
        node: Option<usize>,
    ) -> Result<bool, Failure> {
        let mut options = ReserveOptions::default().with_whole_lines(true);
        if let Some(n) = node {
            options = options.at(self.node_keys[n]);
        }
        let sku = self.sku_index[self.alloc.sku(lines[0].sku).unwrap()];
        let before = self.alloc_glimpse(sku);
        match self.alloc.reserve(order, self.channel_keys[channel], lines, &options) {
            Ok(r) if r.refused.is_empty() => Ok(true),
            Ok(r) => fail("6 no oversell", format!("{order}: all-or-nothing kept {r:?}")),
            Err(e) => {
                self.refused(sku, &before, &e)?;
                Ok(false)
            }
        }
    }

    /// Ships a reserved line from where it is held.
    fn ship(
        &mut self,
        order: &OrderId,
        line: u32,
        channel: usize,
        node: Option<usize>,
    ) -> Result<Shipped, Failure> {
        let info = self.alloc.line(order, line).ok_or_else(|| Failure {
            law: "6 no oversell",
            what: format!("reserved line {order}/{line} vanished"),
        })?;
        let [piece] = info.pieces.as_slice() else {
            return fail(
                "6 no oversell",
                format!("whole line {order}/{line} split: {:?}", info.pieces),
            );
        };
        let at = self.node_keys.iter().position(|k| *k == piece.location).unwrap();
        if node.is_some_and(|n| n != at) {
            return fail(
                "7 routing",
                format!("{order}/{line} reserved at {} not at the routed node", NODES[at]),
            );
        }
        let r = match node {
            Some(n) => self.alloc.commit_at(order, line, self.node_keys[n]),
            None => self.alloc.commit(order, line),
        };
        r.map_err(|e| Failure {
            law: "6 no oversell",
            what: format!("commit {order}/{line}: {e}"),
        })?;
        let sku = self.sku_index[self.alloc.sku(info.sku).unwrap()];
        let units = info.quantity.get();
        self.physical[sku][at] -= units;
        let shipped = Shipped { order: order.clone(), line, sku, node: at, channel, units };
        self.lines.insert((order.clone(), line), shipped.clone());
        Ok(shipped)
    }

    fn sell(&mut self, order: &OrderId, sku: usize, units: i64) -> Result<Applied, Failure> {
        let line = LineRequest::new(1, self.sku_keys[sku], Quantity::new(units));
        let mut out = Applied::default();
        if self.hold(order, AMAZON, &[line], None)? {
            out.shipped.push(self.ship(order, 1, AMAZON, None)?);
        } else {
            out.lost = units;
            self.tally.lost_units += units;
        }
        Ok(out)
    }

    fn cancel(
        &mut self,
        order: &OrderId,
        channel: usize,
        sku: usize,
        units: i64,
    ) -> Result<Applied, Failure> {
        let line = LineRequest::new(1, self.sku_keys[sku], Quantity::new(units));
        let before = self.alloc_glimpse(sku);
        if self.hold(order, channel, &[line], None)? {
            self.alloc.release(order, 1).map_err(|e| Failure {
                law: "6 no oversell",
                what: format!("cancel {order}: {e}"),
            })?;
            let again = self.alloc.release(order, 1).map_err(|e| Failure {
                law: "6 no oversell",
                what: format!("second cancel {order}: {e}"),
            })?;
            if !again.is_empty() || self.alloc_glimpse(sku) != before {
                return fail(
                    "6 no oversell",
                    format!("cancel of {order} did not free exactly its hold"),
                );
            }
        }
        Ok(Applied::default())
    }

    fn give_back(
        &mut self,
        order: &OrderId,
        line: u32,
        units: i64,
        sellable: bool,
    ) -> Result<Applied, Failure> {
        let restock = if sellable { Restock::Sellable } else { Restock::Unsellable };
        let Some(shipped) = self.lines.get(&(order.clone(), line)).cloned() else {
            // A return for a line this world never shipped (a shrunk
            // replay): the allocator must refuse it.
            let r = self.alloc.return_units(order, line, Quantity::new(units), restock);
            return match r {
                Err(e) => {
                    *self.tally.alloc_refused.entry(variant(&format!("{e:?}"))).or_insert(0) += 1;
                    Ok(Applied::default())
                }
                Ok(_) => {
                    fail("6 no oversell", format!("return of unknown line {order}/{line} accepted"))
                }
            };
        };
        let before = self.alloc_glimpse(shipped.sku);
        match self.alloc.return_units(order, line, Quantity::new(units), restock) {
            Ok(_) => {
                self.lines.remove(&(order.clone(), line));
                if sellable {
                    self.physical[shipped.sku][shipped.node] += units;
                }
            }
            Err(e) => self.refused(shipped.sku, &before, &e)?,
        }
        Ok(Applied::default())
    }

    // ----- routing -----

    fn route(&mut self, orders: &[RouteOrder]) -> Result<Applied, Failure> {
        let mut stock = Inventory::new(&self.net);
        for s in 0..SKUS {
            for n in 0..NODES.len() {
                stock.set(&sku_id(s), node_index(&self.net, n), Quantity::new(self.free(s, n)));
            }
        }
        let free = stock.clone();
        let net = Rc::clone(&self.net);
        let mut router = Router::new(&net, stock);
        let outcomes = router
            .route_batch(orders)
            .map_err(|e| Failure { law: "7 routing", what: format!("valid batch refused: {e}") })?;
        if outcomes.len() != orders.len() {
            return fail(
                "7 routing",
                format!("{} outcomes for {} orders", outcomes.len(), orders.len()),
            );
        }
        let mut taken: BTreeMap<(Sku, usize), i64> = BTreeMap::new();
        let mut load: BTreeMap<(usize, chrono::NaiveDate), (u32, u64)> = BTreeMap::new();
        let mut out = Applied::default();
        for (order, outcome) in orders.iter().zip(&outcomes) {
            let plan = match outcome {
                Outcome::Routed(plan) => plan,
                Outcome::Unroutable(u) => {
                    if u.order != order.id {
                        return fail(
                            "7 routing",
                            format!("unroutable {} answered for {}", u.order, order.id),
                        );
                    }
                    self.tally.unroutable += 1;
                    let reason = variant(&format!("{:?}", u.reason));
                    *self.tally.unroutable_reasons.entry(reason).or_insert(0) += 1;
                    let units: i64 = order.lines.iter().map(|l| l.quantity.get()).sum();
                    out.lost += units;
                    self.tally.lost_units += units;
                    continue;
                }
            };
            check_plan(order, plan)?;
            for pkg in &plan.packages {
                let n = pkg.node_index.get();
                let slot = load.entry((n, pkg.ship_date)).or_insert((0, 0));
                slot.0 += 1;
                slot.1 += pkg.units;
                for l in &pkg.lines {
                    *taken.entry((l.sku.clone(), n)).or_insert(0) += l.quantity.get();
                }
            }
            self.tally.routed += 1;
            self.tally.late_plans += usize::from(plan.late);
            self.tally.split_plans += usize::from(plan.packages.len() > 1);
            let channel = CHANNELS.iter().position(|c| *c == order.channel.as_str()).unwrap();
            for pkg in &plan.packages {
                let n = pkg.node_index.get();
                self.tally.by_node[n] += 1;
                let lines: Vec<LineRequest> = pkg
                    .lines
                    .iter()
                    .map(|l| {
                        let s = self.sku_index[&l.sku];
                        LineRequest::new(line_no(l.line), self.sku_keys[s], l.quantity)
                    })
                    .collect();
                if !self.hold(&order.id, channel, &lines, Some(n))? {
                    return fail(
                        "7 routing",
                        format!(
                            "{}: the allocator lacks the stock routed to {}",
                            order.id, NODES[n]
                        ),
                    );
                }
                for l in &pkg.lines {
                    out.shipped.push(self.ship(&order.id, line_no(l.line), channel, Some(n))?);
                }
            }
        }
        // Stock: what the plans took, from what was free.
        for ((sku, n), units) in &taken {
            let idx = node_index(&self.net, *n);
            let (had, left) = (free.get(sku, idx).get(), router.inventory().get(sku, idx).get());
            if *units > had || left != had - units {
                return fail(
                    "7 routing",
                    format!(
                        "{sku} at {}: free {had}, plans took {units}, router left {left}",
                        NODES[*n]
                    ),
                );
            }
        }
        // Capacity per node and ship day.
        for ((n, day), (packages, units)) in &load {
            let cap = &self.net.nodes()[*n].capacity;
            let used = router.used_capacity(node_index(&self.net, *n), *day);
            let over = cap.packages_per_day.is_some_and(|p| *packages > p)
                || cap.units_per_day.is_some_and(|u| *units > u);
            if over || used != (*packages, *units) {
                return fail(
                    "7 routing",
                    format!(
                        "{} on {day}: plans use {packages}/{units}, router counts {used:?}, capacity {cap:?}",
                        NODES[*n]
                    ),
                );
            }
        }
        Ok(out)
    }

    // ----- the checks -----

    /// Every check that runs after each simulated day.
    pub(crate) fn check_day(&self) -> Result<(), Failure> {
        self.check_events()?;
        self.check_units()?;
        self.check_value()?;
        self.check_allocation()?;
        if let Some(extra) = &self.config.extra {
            extra(self).map_err(|what| Failure { law: "planted", what })?;
        }
        Ok(())
    }

    /// `events`: every ingest attempt is accounted for.
    fn check_events(&self) -> Result<(), Failure> {
        let t = &self.tally;
        let refused: usize = t.rejected.values().sum();
        if t.accepted + t.duplicates + refused != t.ingests
            || t.accepted != self.ledger.len()
            || self.accepted.len() != t.accepted
        {
            return fail(
                "events",
                format!(
                    "{} ingests: {} accepted, {} duplicates, {refused} refused; ledger holds {}",
                    t.ingests,
                    t.accepted,
                    t.duplicates,
                    self.ledger.len()
                ),
            );
        }
        Ok(())
    }

    /// `1 units`.
    fn check_units(&self) -> Result<(), Failure> {
        for s in 0..SKUS {
            let sku = sku_id(s);
            let mut total = 0;
            for n in 0..NODES.len() {
                for disp in DISPOSITIONS {
                    let fed = self.moved.get(&(s, n, disp)).copied().unwrap_or(0);
                    let bal = self.ledger.balance(&sku, &node_id(n), disp, far()).get();
                    if bal != fed {
                        return fail(
                            "1 units",
                            format!(
                                "{sku} at {} {disp:?}: ledger {bal}, movements {fed}",
                                NODES[n]
                            ),
                        );
                    }
                    total += bal;
                }
            }
            if total != self.outside[s] {
                return fail(
                    "1 units",
                    format!("{sku}: {total} units held, outside flows {}", self.outside[s]),
                );
            }
        }
        Ok(())
    }

    /// `2 value`, from an empty opening.
    fn check_value(&self) -> Result<(), Failure> {
        for s in 0..SKUS {
            let sku = sku_id(s);
            let f = self.ledger.flows(&sku, epoch(), far());
            let closing = self.ledger.total_value(&sku, far());
            let derived =
                f.receipts + f.landed - f.cogs - f.write_offs - f.vendor_returns - f.variance;
            if derived != closing {
                return fail(
                    "2 value",
                    format!("{sku}: value {closing}, flows give {derived} ({f:?})"),
                );
            }
        }
        Ok(())
    }

    /// `6 no oversell`.
    fn check_allocation(&self) -> Result<(), Failure> {
        for s in 0..SKUS {
            let k = self.sku_keys[s];
            for n in 0..NODES.len() {
                let on_hand = self.alloc.on_hand(k, self.node_keys[n]).unwrap().get();
                let reserved = self.alloc.reserved(k, self.node_keys[n]).unwrap().get();
                if reserved != 0 || on_hand < 0 || on_hand != self.physical[s][n] {
                    return fail(
                        "6 no oversell",
                        format!(
                            "{} at {}: on hand {on_hand}, reserved {reserved}, expected {}",
                            sku_id(s),
                            NODES[n],
                            self.physical[s][n]
                        ),
                    );
                }
            }
            for (c, links) in LINKS.iter().enumerate() {
                let free: i64 = links.iter().map(|&n| self.free(s, n)).sum();
                let shown = self.alloc.advertised(k, self.channel_keys[c]).unwrap().get();
                if shown > free || shown < 0 {
                    return fail(
                        "6 no oversell",
                        format!(
                            "{} on {}: advertised {shown}, free {free}",
                            sku_id(s),
                            CHANNELS[c]
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// `4 order independence` and the monthly part of `2 value`.
    pub(crate) fn check_order_independence(&self) -> Result<(), Failure> {
        let mut sorted = self.accepted.clone();
        sorted.sort_by_key(|e| e.at);
        let mut fresh = Ledger::new(LedgerOptions::default());
        for ev in sorted {
            match fresh.ingest(ev.clone()) {
                Ok(IngestOutcome::Applied { .. }) => {}
                other => {
                    return fail(
                        "4 order independence",
                        format!("sorted ingest of {}: {other:?}", ev.id),
                    );
                }
            }
        }
        let latest = self.accepted.iter().map(|e| e.at).max().unwrap_or_else(epoch);
        let mut months = month_bounds(self.days.max(1), latest.date_naive());
        months.push(far());
        for s in 0..SKUS {
            let sku = sku_id(s);
            for w in months.windows(2) {
                let (a, b) = (w[0], w[1]);
                for n in 0..NODES.len() {
                    for disp in DISPOSITIONS {
                        let live = self.ledger.balance(&sku, &node_id(n), disp, b);
                        let sorted = fresh.balance(&sku, &node_id(n), disp, b);
                        if live != sorted {
                            return fail(
                                "4 order independence",
                                format!(
                                    "{sku} at {} {disp:?} on {b}: live {live:?}, sorted {sorted:?}",
                                    NODES[n]
                                ),
                            );
                        }
                        let (lv, sv) = (
                            self.ledger.value(&sku, &node_id(n), disp, b),
                            fresh.value(&sku, &node_id(n), disp, b),
                        );
                        if lv != sv {
                            return fail(
                                "4 order independence",
                                format!(
                                    "{sku} at {} {disp:?} on {b}: value live {lv}, sorted {sv}",
                                    NODES[n]
                                ),
                            );
                        }
                    }
                }
                let (lc, sc) =
                    (self.ledger.cogs(&sku, a, b, None, None), fresh.cogs(&sku, a, b, None, None));
                let (lf, sf) = (self.ledger.flows(&sku, a, b), fresh.flows(&sku, a, b));
                if lc != sc || lf != sf {
                    return fail(
                        "4 order independence",
                        format!(
                            "{sku} {a}..{b}: COGS live {lc}, sorted {sc}; flows {lf:?} vs {sf:?}"
                        ),
                    );
                }
                let open = self.ledger.total_value(&sku, a);
                let close = self.ledger.total_value(&sku, b);
                let moved = lf.receipts + lf.landed
                    - lf.cogs
                    - lf.write_offs
                    - lf.vendor_returns
                    - lf.variance;
                if open + moved != close {
                    return fail(
                        "2 value",
                        format!(
                            "{sku} {a}..{b}: opening {open} + flows {moved} != closing {close}"
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    /// A text digest of the final state (for determinism checks).
    pub(crate) fn digest(&self) -> String {
        let mut out = String::new();
        for s in 0..SKUS {
            let sku = sku_id(s);
            for n in 0..NODES.len() {
                for disp in DISPOSITIONS {
                    let q = self.ledger.balance(&sku, &node_id(n), disp, far()).get();
                    let v = self.ledger.value(&sku, &node_id(n), disp, far());
                    if q != 0 || !v.is_zero() {
                        let _ = writeln!(out, "{sku} {} {disp:?} {q} {v}", NODES[n]);
                    }
                }
            }
            let _ = writeln!(out, "{sku} {:?}", self.ledger.flows(&sku, epoch(), far()));
        }
        let _ = writeln!(out, "{:?}", self.tally);
        out
    }
}

/// The instants bounding each calendar month up to day `days`.
fn month_bounds(days: usize, latest: chrono::NaiveDate) -> Vec<chrono::DateTime<chrono::Utc>> {
    use chrono::Datelike;
    let end = date(days).max(latest);
    let mut out = vec![epoch()];
    let mut d = date(0).with_day(1).unwrap();
    while d <= end {
        d = d.checked_add_months(chrono::Months::new(1)).unwrap();
        out.push(d.and_hms_opt(0, 0, 0).unwrap().and_utc());
    }
    out
}

/// `7 routing`: the plan alone.
fn check_plan(order: &RouteOrder, plan: &merchantry::route::Plan) -> Result<(), Failure> {
    let id = &order.id;
    if plan.order != *id || plan.packages.is_empty() {
        return fail("7 routing", format!("{id}: plan {plan:?}"));
    }
    let mut served = vec![0i64; order.lines.len()];
    let mut cost = merchantry::route::CostBreakdown::default();
    let mut last = None;
    for pkg in &plan.packages {
        cost = cost.checked_add(&pkg.cost).unwrap();
        last = last.max(Some(pkg.delivery));
        if pkg.ship_date < order.placed_at.date_naive() - chrono::Days::new(1)
            || pkg.delivery < pkg.ship_date
        {
            return fail(
                "7 routing",
                format!("{id}: package ships {} delivers {}", pkg.ship_date, pkg.delivery),
            );
        }
        let units: i64 = pkg.lines.iter().map(|l| l.quantity.get()).sum();
        if u64::try_from(units).ok() != Some(pkg.units) {
            return fail(
                "7 routing",
                format!("{id}: package says {} units, lines {units}", pkg.units),
            );
        }
        for l in &pkg.lines {
            let want = order.lines.get(l.line).ok_or_else(|| Failure {
                law: "7 routing",
                what: format!("{id}: unknown line {}", l.line),
            })?;
            if want.sku != l.sku {
                return fail(
                    "7 routing",
                    format!("{id}: line {} is {}, package carries {}", l.line, want.sku, l.sku),
                );
            }
            served[l.line] += l.quantity.get();
        }
    }
    for (i, l) in order.lines.iter().enumerate() {
        if served[i] != l.quantity.get() {
            return fail(
                "7 routing",
                format!("{id}: line {i} wants {}, plans serve {}", l.quantity.get(), served[i]),
            );
        }
    }
    if cost != plan.cost || cost.total() != plan.cost.total() {
        return fail("7 routing", format!("{id}: cost {:?}, packages add to {cost:?}", plan.cost));
    }
    if last != Some(plan.expected_delivery)
        || plan.late != (plan.expected_delivery > plan.promised_by)
        || plan.promised_by != order.promised_by
    {
        return fail(
            "7 routing",
            format!(
                "{id}: delivery {} promised {} late {}",
                plan.expected_delivery, plan.promised_by, plan.late
            ),
        );
    }
    Ok(())
}

fn line_no(line: usize) -> u32 {
    u32::try_from(line).unwrap() + 1
}

fn node_index(net: &RouteNetwork, n: usize) -> NodeIndex {
    net.index_of(&node_id(n)).unwrap()
}

fn node_of(id: &merchantry::core::LocationId) -> usize {
    NODES.iter().position(|n| *n == id.as_str()).unwrap()
}

/// The variant name of an error's `Debug` form.
fn variant(debug: &str) -> String {
    debug.split([' ', '{', '(']).next().unwrap_or(debug).to_owned()
}

/// The fulfillment nodes: FBA Multi-Channel Fulfillment (every day,
/// per-unit fee, two-day delivery, no oversize, no eBay orders), the New
/// Jersey warehouse (weekdays, cheap, zone-based transit, a package
/// capacity) and the Texas 3PL (a day of handling, its own capacity).
fn route_nodes() -> Vec<Node> {
    let t = |h| chrono::NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let tiers = |a: i64, b: i64, c: i64| {
        vec![
            RateTier { max_weight_g: 2_000, price: Decimal::new(a, 2) },
            RateTier { max_weight_g: 10_000, price: Decimal::new(b, 2) },
            RateTier { max_weight_g: 60_000, price: Decimal::new(c, 2) },
        ]
    };
    let mut fba = Node::new(
        node_id(FBA),
        LocationKind::FbaNetwork,
        "America/Los_Angeles".parse().unwrap(),
        Currency::USD,
    );
    fba.cutoffs = WeeklyCutoffs::from_days([Some(t(12)); 7]);
    fba.costs.per_unit = Decimal::new(899, 2);
    fba.eligibility.max_side_mm = Some(600);
    fba.eligibility.excluded_channels.insert(channel_id(EBAY));
    let mut wh = Node::new(
        node_id(WH),
        LocationKind::OwnWarehouse,
        "America/New_York".parse().unwrap(),
        Currency::USD,
    );
    wh.cutoffs = WeeklyCutoffs::weekdays(t(16));
    wh.costs.per_package = Decimal::new(150, 2);
    wh.capacity = Capacity { packages_per_day: Some(45), units_per_day: Some(150) };
    let mut tpl = Node::new(
        node_id(TPL),
        LocationKind::ThirdPartyLogistics,
        "America/Chicago".parse().unwrap(),
        Currency::USD,
    );
    tpl.cutoffs = WeeklyCutoffs::weekdays(t(14));
    tpl.handling_days = 1;
    tpl.costs.per_package = Decimal::new(275, 2);
    tpl.costs.per_unit = Decimal::new(40, 2);
    tpl.capacity = Capacity { packages_per_day: Some(35), units_per_day: None };
    for zone in 1..=8u16 {
        fba.costs.rates.insert(Zone(zone), tiers(0, 0, 0));
        fba.transit_days.insert((Zone(zone), Speed::Standard), 2);
        wh.costs.rates.insert(
            Zone(zone),
            tiers(550 + 40 * i64::from(zone), 1_100 + 90 * i64::from(zone), 2_400),
        );
        wh.transit_days.insert((Zone(zone), Speed::Standard), 1 + u32::from(zone) / 2);
        tpl.costs.rates.insert(Zone(zone), tiers(480 + 30 * i64::from(9 - zone), 950, 2_100));
        tpl.transit_days.insert((Zone(zone), Speed::Standard), 1 + u32::from(9 - zone) / 3);
    }
    vec![fba, wh, tpl]
}

/// One routed order line for SKU `s`.
pub(crate) fn route_line(s: usize, units: i64, unit_value: Decimal) -> RouteLine {
    let mut l = RouteLine::new(sku_id(s), Quantity::new(units));
    l.unit_weight_g = weight_g(s);
    l.dims = Dims { length_mm: longest_mm(s), width_mm: 200, height_mm: 150 };
    l.unit_value = unit_value;
    l
}

#[cfg(test)]
mod tests {
    //! Each check must be able to fail: corrupt one side of it and see
    //! it caught under its law.

    use super::*;
    use crate::sim::{WEB, at, home};

    /// A small world: opening stock of every SKU, a few sales, one day.
    fn small() -> World {
        let mut w = World::new(Config::default(), 30);
        for s in 0..SKUS {
            let kind = EventKind::receipt(Quantity::new(20), Decimal::new(250, 2));
            let id = EventId::new(format!("r{s}")).unwrap();
            let ev = Event::new(id, at(0, 60), sku_id(s), node_id(home(s)), kind);
            w.apply(Op::Ingest(ev)).unwrap();
            w.apply(Op::Stock { sku: s, node: home(s), delta: 20 }).unwrap();
        }
        let order = OrderId::new("A-1").unwrap();
        let done = w.apply(Op::Sell { order: order.clone(), sku: 0, units: 2 }).unwrap();
        assert_eq!(done.shipped.len(), 1);
        let kind = EventKind::shipment(Quantity::new(2), channel_id(AMAZON), order);
        let ev = Event::new(EventId::new("s1").unwrap(), at(0, 720), sku_id(0), node_id(FBA), kind);
        w.apply(Op::Ingest(ev)).unwrap();
        w.apply(Op::EndDay(0)).unwrap();
        w
    }

    fn law(r: Result<(), Failure>) -> &'static str {
        r.unwrap_err().law
    }

    #[test]
    fn a_position_that_disagrees_with_its_movements_breaks_law_1() {
        let mut w = small();
        *w.moved.get_mut(&(0, FBA, Disposition::Sellable)).unwrap() += 1;
        assert_eq!(law(w.check_day()), "1 units");
    }

    #[test]
    fn an_allocator_that_disagrees_with_its_operations_breaks_law_6() {
        let mut w = small();
        w.physical[0][FBA] -= 1;
        assert_eq!(law(w.check_day()), "6 no oversell");
    }

    #[test]
    fn an_uncounted_row_breaks_the_event_count() {
        let mut w = small();
        w.tally.ingests += 1;
        assert_eq!(law(w.check_day()), "events");
    }

    #[test]
    fn a_lost_event_breaks_law_4() {
        let mut w = small();
        w.accepted.pop();
        assert_eq!(law(w.check_order_independence()), "4 order independence");
    }

    #[test]
    fn a_new_id_the_world_thinks_it_has_seen_breaks_law_3() {
        let mut w = small();
        let kind = EventKind::receipt(Quantity::new(1), Decimal::ONE);
        let ev =
            Event::new(EventId::new("r-new").unwrap(), at(1, 60), sku_id(1), node_id(WH), kind);
        w.seen.insert(ev.id.clone(), ev.clone());
        assert_eq!(w.apply(Op::Ingest(ev)).unwrap_err().law, "3 idempotence");
    }

    #[test]
    fn a_refused_row_is_counted_and_a_bad_row_compared_whole() {
        let mut w = small();
        let kind =
            EventKind::shipment(Quantity::new(999), channel_id(WEB), OrderId::new("X").unwrap());
        let ev = Event::new(EventId::new("b1").unwrap(), at(1, 60), sku_id(0), node_id(FBA), kind);
        let done = w.apply(Op::BadRow(ev)).unwrap();
        assert_eq!(done.ingest, Some(Err("InsufficientStock".to_owned())));
        assert_eq!(w.tally.rejected.get("InsufficientStock"), Some(&1));
        w.check_day().unwrap();
    }

    #[test]
    fn a_plan_whose_cost_is_not_its_parts_breaks_law_7() {
        let w = small();
        let order = RouteOrder {
            id: OrderId::new("W-1").unwrap(),
            lines: vec![route_line(1, 2, Decimal::TEN)],
            zone: Zone(3),
            market: None,
            placed_at: at(1, 720),
            promised_by: date(8),
            speed: Speed::Standard,
            channel: channel_id(WEB),
        };
        let mut stock = Inventory::new(&w.net);
        stock.set(&sku_id(1), node_index(&w.net, WH), Quantity::new(5));
        let router = Router::new(&w.net, stock);
        let mut plan = router.plan(&order).unwrap().plan().cloned().unwrap();
        check_plan(&order, &plan).unwrap();
        plan.cost.postage += Decimal::ONE;
        assert_eq!(law(check_plan(&order, &plan)), "7 routing");
    }
}
