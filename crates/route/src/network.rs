//! The validated set of nodes and the stock they hold.

use std::collections::BTreeMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use merchantry_core::{Currency, DateRange, LocationId, Quantity, Sku, StockView};

use crate::calendar::{ShipCalendar, instant, local_date_exists};
use crate::error::{Result, RouteError};
use crate::model::{Node, Order};

/// The most nodes one network may hold (node sets are 64-bit masks).
pub const MAX_NODES: usize = 64;

/// Days past the horizon's end for which working days are listed, so an
/// order placed on the horizon's last day still finds its ship day after
/// handling days and capacity roll-over.
pub const CALENDAR_TAIL_DAYS: u64 = 120;

/// A node's position in its [`Network`], the dense index used in plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NodeIndex(pub(crate) u8);

impl NodeIndex {
    /// The index as a `usize`.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0 as usize
    }
}

/// The nodes of a fulfillment network, checked once, with each node's
/// working days and cutoff instants precomputed over a planning horizon.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use merchantry_core::{Currency, DateRange, LocationId, LocationKind};
/// use merchantry_route::{Network, Node};
///
/// let node = Node::new(
///     LocationId::new("NJ-1")?,
///     LocationKind::OwnWarehouse,
///     chrono_tz::America::New_York,
///     Currency::USD,
/// );
/// let jan = DateRange::inclusive(
///     NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
///     NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
/// )
/// .unwrap();
/// let net = Network::new(vec![node], jan)?;
/// let nj = net.index_of(&LocationId::new("NJ-1")?).unwrap();
/// // Friday 2 Jan 2026, 16:00 New York (21:00 UTC): after the 15:00
/// // cutoff, so it ships on Monday.
/// let placed = Utc.with_ymd_and_hms(2026, 1, 2, 21, 0, 0).unwrap();
/// assert_eq!(net.ship_date(nj, placed), NaiveDate::from_ymd_opt(2026, 1, 5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Network {
    nodes: Vec<Node>,
    calendars: Vec<ShipCalendar>,
    index: BTreeMap<LocationId, NodeIndex>,
    horizon: DateRange,
    currency: Currency,
}

impl Network {
    /// Checks the nodes and lists their working days over `horizon`
    /// (plus [`CALENDAR_TAIL_DAYS`]).
    ///
    /// # Errors
    ///
    /// [`RouteError::NoNodes`], [`RouteError::TooManyNodes`] past
    /// [`MAX_NODES`], [`RouteError::DuplicateNode`],
    /// [`RouteError::CurrencyMismatch`] when nodes price in different
    /// currencies, [`RouteError::NegativeCost`],
    /// [`RouteError::UnsortedRateTiers`], [`RouteError::EmptyHorizon`].
    pub fn new(nodes: Vec<Node>, horizon: DateRange) -> Result<Self> {
        let currency = nodes.first().ok_or(RouteError::NoNodes)?.costs.currency;
        if nodes.len() > MAX_NODES {
            return Err(RouteError::TooManyNodes { count: nodes.len(), max: MAX_NODES });
        }
        if horizon.is_empty() {
            return Err(RouteError::EmptyHorizon);
        }
        let mut index = BTreeMap::new();
        for (i, node) in nodes.iter().enumerate() {
            check_node(node, currency)?;
            let idx = NodeIndex(u8::try_from(i).unwrap_or(u8::MAX));
            if index.insert(node.id.clone(), idx).is_some() {
                return Err(RouteError::DuplicateNode { node: node.id.clone() });
            }
        }
        let first = horizon.start().pred_opt().unwrap_or(horizon.start());
        let end =
            horizon.end().checked_add_days(Days::new(CALENDAR_TAIL_DAYS)).unwrap_or(NaiveDate::MAX);
        let calendars = nodes.iter().map(|n| ShipCalendar::build(n, first, end)).collect();
        Ok(Self { nodes, calendars, index, horizon, currency })
    }

    /// The nodes, in index order.
    #[must_use]
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The node at `idx`.
    #[must_use]
    pub fn node(&self, idx: NodeIndex) -> Option<&Node> {
        self.nodes.get(idx.get())
    }

    /// The index of the node with this id.
    #[must_use]
    pub fn index_of(&self, id: &LocationId) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// The indices of every node, in order.
    pub fn indices(&self) -> impl ExactSizeIterator<Item = NodeIndex> + '_ {
        (0..self.nodes.len()).map(|i| NodeIndex(u8::try_from(i).unwrap_or(u8::MAX)))
    }

    /// The currency every node prices in.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The planning horizon orders must be placed in (UTC dates).
    #[must_use]
    pub const fn horizon(&self) -> DateRange {
        self.horizon
    }

    /// The local date on which an order placed at `placed_at` leaves node
    /// `idx`, ignoring capacity: the first working day whose cutoff it
    /// catches, plus the node's handling days. `None` for an unknown node
    /// or a day past the listed calendar.
    #[must_use]
    pub fn ship_date(&self, idx: NodeIndex, placed_at: DateTime<Utc>) -> Option<NaiveDate> {
        let node = self.node(idx)?;
        let cal = self.calendars.get(idx.get())?;
        let first = cal.first_catchable(instant(placed_at))?;
        cal.day(first.checked_add(node.handling_days as usize)?)
    }

    pub(crate) fn calendar(&self, idx: usize) -> Option<&ShipCalendar> {
        self.calendars.get(idx)
    }

    /// The position of `date` among node `node`'s listed working days.
    pub(crate) fn day_slot(&self, node: usize, date: NaiveDate) -> Option<usize> {
        self.calendar(node)?.slot_of(date)
    }

    /// Why `date` is not one of node `node`'s listed working days, for
    /// [`RouteError::NotAShipDay`].
    pub(crate) fn why_not_a_ship_day(&self, node: usize, date: NaiveDate) -> &'static str {
        let node = self.nodes.get(node);
        if node.is_some_and(|n| !local_date_exists(n.tz, date)) {
            return "a date that never occurred in the node's time zone";
        }
        let off = node.is_none_or(|n| {
            n.cutoffs.on(chrono::Datelike::weekday(&date)).is_none() || n.holidays.contains(&date)
        });
        if off {
            "not a working day at the node (no pickup that weekday, or a holiday)"
        } else {
            "outside the working days listed for the planning horizon"
        }
    }

    /// Checks that `order` was placed in the horizon, read as UTC dates
    /// (midnight UTC of its first day, inclusive, to midnight UTC of its
    /// end day, exclusive): the orders the router accepts.
    pub(crate) fn check_placed(&self, order: &Order) -> Result<()> {
        let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
        let t = order.placed_at.timestamp();
        if midnight(self.horizon.start()) <= t && t < midnight(self.horizon.end()) {
            return Ok(());
        }
        Err(RouteError::OutsideHorizon {
            order: order.id.clone(),
            placed_at: order.placed_at,
            start: self.horizon.start(),
            end: self.horizon.end(),
        })
    }
}

fn check_node(node: &Node, currency: Currency) -> Result<()> {
    let costs = &node.costs;
    if costs.currency != currency {
        return Err(RouteError::CurrencyMismatch {
            node: node.id.clone(),
            expected: currency,
            found: costs.currency,
        });
    }
    let negative = |what, value: rust_decimal::Decimal| {
        if value < rust_decimal::Decimal::ZERO {
            Err(RouteError::NegativeCost { node: node.id.clone(), what, value })
        } else {
            Ok(())
        }
    };
    negative("per-package fee", costs.per_package)?;
    negative("per-unit fee", costs.per_unit)?;
    for (zone, tiers) in &costs.rates {
        for (i, tier) in tiers.iter().enumerate() {
            negative("rate", tier.price)?;
            let prev = i.checked_sub(1).and_then(|p| tiers.get(p));
            if prev.is_some_and(|p| p.max_weight_g >= tier.max_weight_g) {
                return Err(RouteError::UnsortedRateTiers {
                    node: node.id.clone(),
                    zone: zone.0,
                    tier: i,
                });
            }
        }
    }
    Ok(())
}

/// Units that can ship now, per SKU and node, in a dense table.
///
/// Only [`Disposition::Sellable`](merchantry_core::Disposition::Sellable) units count: units reserved for other
/// orders, held for a transfer inside a fulfillment network, inbound or
/// in transit between the seller's own sites do not keep a promise made
/// today. A negative sellable balance counts as zero.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::*;
/// use merchantry_route::{Inventory, Network, Node};
///
/// let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
/// let fba = LocationId::new("FBA-US")?;
/// let node = Node::new(fba.clone(), LocationKind::FbaNetwork, chrono_tz::UTC, Currency::USD);
/// let net = Network::new(vec![node], DateRange::starting(day, 7)?)?;
/// let sku = Sku::new("MUG")?;
/// let rec = |disposition, n| StockRecord {
///     as_of: day,
///     sku: sku.clone(),
///     location: fba.clone(),
///     disposition,
///     quantity: Quantity::new(n),
/// };
/// let view = vec![rec(Disposition::Sellable, 5), rec(Disposition::Reserved, 7)];
/// let stock = Inventory::from_view(&net, &view, day);
/// let idx = net.index_of(&fba).unwrap();
/// assert_eq!(stock.get(&sku, idx), Quantity::new(5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With the `serde` feature an inventory read back is checked as it
/// comes: at most [`MAX_NODES`] nodes, each SKU on its own row (rows
/// numbered from 0 with none skipped), one cell per SKU and node, and no
/// negative cell. Anything else is refused with
/// [`RouteError::InvalidInventory`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "InventoryData", into = "InventoryData")
)]
pub struct Inventory {
    skus: BTreeMap<Sku, u32>,
    nodes: usize,
    stock: Vec<i64>,
}

/// The serialised form of an [`Inventory`], checked on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct InventoryData {
    skus: BTreeMap<Sku, u32>,
    nodes: usize,
    stock: Vec<i64>,
}

#[cfg(feature = "serde")]
impl From<Inventory> for InventoryData {
    fn from(inv: Inventory) -> Self {
        Self { skus: inv.skus, nodes: inv.nodes, stock: inv.stock }
    }
}

#[cfg(feature = "serde")]
impl TryFrom<InventoryData> for Inventory {
    type Error = RouteError;

    fn try_from(d: InventoryData) -> Result<Self> {
        let bad = |reason: String| Err(RouteError::InvalidInventory { reason });
        if d.nodes > MAX_NODES {
            return bad(format!("{} nodes, more than the limit of {MAX_NODES}", d.nodes));
        }
        let mut rows: Vec<Option<&Sku>> = vec![None; d.skus.len()];
        for (sku, &row) in &d.skus {
            match rows.get_mut(row as usize) {
                Some(slot @ None) => *slot = Some(sku),
                Some(Some(other)) => {
                    return bad(format!("skus {other} and {sku} share row {row}"));
                }
                None => return bad(format!("sku {sku} names row {row} of {}", d.skus.len())),
            }
        }
        let cells = d.skus.len().checked_mul(d.nodes);
        if cells != Some(d.stock.len()) {
            return bad(format!(
                "{} cells for {} skus at {} nodes",
                d.stock.len(),
                d.skus.len(),
                d.nodes
            ));
        }
        let negative = (0..d.stock.len()).find(|&c| d.stock.get(c).is_some_and(|&q| q < 0));
        if let Some(c) = negative {
            let (row, node) = (c / d.nodes.max(1), c % d.nodes.max(1));
            let sku = rows.get(row).copied().flatten();
            let units = d.stock.get(c).copied().unwrap_or(0);
            return bad(format!(
                "sku {} holds {units} units at node index {node}; stock is never negative",
                sku.map_or_else(|| format!("#{row}"), ToString::to_string)
            ));
        }
        Ok(Self { skus: d.skus, nodes: d.nodes, stock: d.stock })
    }
}

impl Inventory {
    /// An inventory with no stock anywhere, for `network`'s nodes.
    #[must_use]
    pub fn new(network: &Network) -> Self {
        Self { skus: BTreeMap::new(), nodes: network.nodes().len(), stock: Vec::new() }
    }

    /// Reads the sellable units of every SKU the view knows, at every
    /// node of `network`, as of the end of `as_of`. Locations the network
    /// does not know are ignored. A node's sellable positions are summed
    /// exactly first and a negative sum counts as zero, so the order the
    /// view lists them in does not matter, even where a partial sum
    /// passes the 64-bit range; a total past `i64::MAX` units reads as
    /// `i64::MAX`.
    #[must_use]
    pub fn from_view<V: StockView + ?Sized>(network: &Network, view: &V, as_of: NaiveDate) -> Self {
        let mut inv = Self::new(network);
        for sku in view.stock_skus() {
            // Summed in i128, exact for any 2^64 positions of i64 each,
            // and clamped only once every position is in: a running
            // saturating sum would depend on the order of positions.
            let mut sums: Vec<Option<i128>> = vec![None; inv.nodes];
            for pos in view.positions(&sku, as_of) {
                if !pos.disposition.can_ship_now() {
                    continue;
                }
                let idx = network.index_of(&pos.location);
                if let Some(sum) = idx.and_then(|i| sums.get_mut(i.get())) {
                    let next = sum.unwrap_or(0).saturating_add(i128::from(pos.quantity.get()));
                    *sum = Some(next);
                }
            }
            for (idx, sum) in network.indices().zip(sums) {
                if let Some(units) = sum {
                    // `set` counts a negative sum as zero.
                    inv.set(&sku, idx, Quantity::saturating_from_i128(units));
                }
            }
        }
        inv
    }

    /// Sets the units of `sku` at node `idx` (negative counts as zero).
    /// An index outside the network is ignored.
    pub fn set(&mut self, sku: &Sku, idx: NodeIndex, quantity: Quantity) {
        if idx.get() >= self.nodes {
            return;
        }
        let row = self.row_or_insert(sku);
        let cell = self.cell(row, idx.get());
        if let Some(slot) = cell.and_then(|c| self.stock.get_mut(c)) {
            *slot = quantity.clamp_non_negative().get();
        }
    }

    /// The units of `sku` at node `idx`.
    #[must_use]
    pub fn get(&self, sku: &Sku, idx: NodeIndex) -> Quantity {
        self.sku_row(sku).map_or(Quantity::ZERO, |row| Quantity::new(self.at(row, idx.get())))
    }

    /// Every SKU with a row, sorted.
    #[must_use]
    pub fn skus(&self) -> Vec<Sku> {
        self.skus.keys().cloned().collect()
    }

    fn row_or_insert(&mut self, sku: &Sku) -> usize {
        if let Some(row) = self.sku_row(sku) {
            return row;
        }
        let row = self.skus.len();
        self.skus.insert(sku.clone(), u32::try_from(row).unwrap_or(u32::MAX));
        self.stock.resize(self.stock.len() + self.nodes, 0);
        row
    }

    /// Every SKU with its row.
    pub(crate) fn rows(&self) -> impl Iterator<Item = (&Sku, usize)> {
        self.skus.iter().map(|(sku, &r)| (sku, r as usize))
    }

    pub(crate) fn sku_row(&self, sku: &Sku) -> Option<usize> {
        self.skus.get(sku).map(|&r| r as usize)
    }

    /// The cell of (`row`, `node`); `None` for a node this inventory was
    /// not built with (an inventory from another network reads as empty
    /// there, never as a neighbouring cell).
    fn cell(&self, row: usize, node: usize) -> Option<usize> {
        (node < self.nodes).then(|| row.checked_mul(self.nodes)?.checked_add(node)).flatten()
    }

    pub(crate) fn at(&self, row: usize, node: usize) -> i64 {
        self.cell(row, node).and_then(|c| self.stock.get(c)).copied().unwrap_or(0)
    }

    pub(crate) fn take(&mut self, row: usize, node: usize, units: i64) {
        let cell = self.cell(row, node);
        if let Some(slot) = cell.and_then(|c| self.stock.get_mut(c)) {
            *slot = slot.saturating_sub(units);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RateTier, Zone};
    use merchantry_core::{LocationKind, StockPosition};
    use rust_decimal::Decimal;

    fn node(id: &str) -> Node {
        Node::new(
            LocationId::new(id).unwrap(),
            LocationKind::OwnWarehouse,
            chrono_tz::UTC,
            Currency::USD,
        )
    }

    fn horizon() -> DateRange {
        DateRange::starting(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 10).unwrap()
    }

    #[test]
    fn rejects_duplicates_and_mixed_currency() {
        let err = Network::new(vec![node("A"), node("A")], horizon()).unwrap_err();
        assert!(matches!(err, RouteError::DuplicateNode { .. }));
        let mut eur = node("B");
        eur.costs.currency = Currency::EUR;
        let err = Network::new(vec![node("A"), eur], horizon()).unwrap_err();
        assert!(err.to_string().contains("node B prices in EUR"));
        assert_eq!(Network::new(vec![], horizon()).unwrap_err(), RouteError::NoNodes);
    }

    #[test]
    fn rejects_unsorted_tiers_and_negative_fees() {
        let mut n = node("A");
        let tier = |w, p| RateTier { max_weight_g: w, price: Decimal::from(p) };
        n.costs.rates.insert(Zone(2), vec![tier(500, 4), tier(500, 5)]);
        let err = Network::new(vec![n], horizon()).unwrap_err();
        assert!(matches!(err, RouteError::UnsortedRateTiers { zone: 2, tier: 1, .. }));
        let mut n = node("A");
        n.costs.per_unit = Decimal::from(-1);
        assert!(matches!(
            Network::new(vec![n], horizon()),
            Err(RouteError::NegativeCost { what: "per-unit fee", .. })
        ));
    }

    /// A view that lists two sellable positions of one SKU at one node,
    /// in the order given (a ledger reports one per location and
    /// disposition; a caller's own view need not).
    struct Listed(Vec<StockPosition>);

    impl StockView for Listed {
        fn positions(&self, _: &Sku, _: NaiveDate) -> Vec<StockPosition> {
            self.0.clone()
        }

        fn stock_skus(&self) -> Vec<Sku> {
            vec![Sku::new("S").unwrap()]
        }
    }

    #[test]
    fn sellable_positions_are_summed_before_a_negative_sum_counts_as_zero() {
        // -3 and +5 at A hold 2 units in either order; clamping after
        // each position read 0 + 5 = 5 when -3 came first.
        let net = Network::new(vec![node("A")], horizon()).unwrap();
        let pos = |n| StockPosition {
            location: LocationId::new("A").unwrap(),
            disposition: merchantry_core::Disposition::Sellable,
            quantity: Quantity::new(n),
        };
        let a = NodeIndex(0);
        let day = horizon().start();
        let s = Sku::new("S").unwrap();
        for list in [vec![pos(-3), pos(5)], vec![pos(5), pos(-3)]] {
            assert_eq!(Inventory::from_view(&net, &Listed(list), day).get(&s, a), Quantity::new(2));
        }
        let short = Listed(vec![pos(4), pos(-7)]);
        assert_eq!(Inventory::from_view(&net, &short, day).get(&s, a), Quantity::ZERO);
    }

    #[test]
    fn inventory_set_and_get() {
        let net = Network::new(vec![node("A"), node("B")], horizon()).unwrap();
        let mut inv = Inventory::new(&net);
        let sku = Sku::new("S").unwrap();
        let b = net.index_of(&LocationId::new("B").unwrap()).unwrap();
        inv.set(&sku, b, Quantity::new(4));
        inv.set(&Sku::new("T").unwrap(), b, Quantity::new(-3));
        assert_eq!(inv.get(&sku, b), Quantity::new(4));
        assert_eq!(inv.get(&Sku::new("T").unwrap(), b), Quantity::ZERO);
        assert_eq!(inv.get(&sku, NodeIndex(0)), Quantity::ZERO);
        assert_eq!(inv.skus().len(), 2);
        // Read beyond the nodes it was built for: empty, not the next row.
        assert_eq!(inv.at(0, 2), 0);
        assert_eq!(inv.at(0, 1), 4);
    }
}
