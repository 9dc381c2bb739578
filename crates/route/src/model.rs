//! The inputs: nodes, their calendars and costs, and orders.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use merchantry_core::{ChannelId, Currency, LocationId, LocationKind, OrderId, Quantity, Sku};
use rust_decimal::Decimal;

/// A destination zone from the caller's zone map (carrier zones 1 to 8
/// in the United States, or any numbering the caller uses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Zone(pub u16);

/// A market (country or marketplace region) as a caller-chosen code, such
/// as an ISO 3166 country number. Used by the "prefer a node in the
/// destination's own market" rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Market(pub u16);

/// The delivery speed an order was sold with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Speed {
    /// Ground or economy.
    Standard,
    /// Two-day class.
    Expedited,
    /// Next-day class.
    Priority,
}

/// Outer dimensions of one unit in millimetres.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Dims {
    /// Length in mm.
    pub length_mm: u32,
    /// Width in mm.
    pub width_mm: u32,
    /// Height in mm.
    pub height_mm: u32,
}

impl Dims {
    /// The longest side in mm.
    #[must_use]
    pub fn longest_side(&self) -> u32 {
        self.length_mm.max(self.width_mm).max(self.height_mm)
    }
}

/// The carrier cutoff of each weekday in the node's local time; `None`
/// means no pickup that day (a weekend, usually).
///
/// An order placed at or before a day's cutoff instant is caught by that
/// day's pickup; one placed even a fraction of a second later waits for
/// the next working day (times compare to the nanosecond).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct WeeklyCutoffs([Option<NaiveTime>; 7]);

impl WeeklyCutoffs {
    /// The same cutoff Monday to Friday, no pickup at weekends.
    #[must_use]
    pub fn weekdays(cutoff: NaiveTime) -> Self {
        let mut days = [Some(cutoff); 7];
        days[5] = None;
        days[6] = None;
        Self(days)
    }

    /// One entry per weekday, Monday first.
    #[must_use]
    pub const fn from_days(days: [Option<NaiveTime>; 7]) -> Self {
        Self(days)
    }

    /// The same schedule with `day` set to `cutoff`.
    #[must_use]
    pub fn with_day(mut self, day: Weekday, cutoff: Option<NaiveTime>) -> Self {
        if let Some(slot) = self.0.get_mut(day.num_days_from_monday() as usize) {
            *slot = cutoff;
        }
        self
    }

    /// The cutoff on `day`, if the carrier picks up that day.
    #[must_use]
    pub fn on(&self, day: Weekday) -> Option<NaiveTime> {
        self.0.get(day.num_days_from_monday() as usize).copied().flatten()
    }
}

/// How much work a node can ship per working day. `None` is unlimited.
///
/// Defaults: unlimited orders and units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Capacity {
    /// Packages (one per order per node) a day.
    pub packages_per_day: Option<u32>,
    /// Units a day.
    pub units_per_day: Option<u64>,
}

/// One weight tier of a rate table: packages up to `max_weight_g` grams
/// (inclusive) cost `price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RateTier {
    /// The heaviest package in this tier, in grams.
    pub max_weight_g: u64,
    /// The postage for a package in this tier.
    pub price: Decimal,
}

/// What it costs a node to ship: a fee per package, a fee per unit and
/// postage from a rate table by destination zone and weight tier. All in
/// one currency, which must be the same across a network.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CostModel {
    /// The currency of every figure.
    pub currency: Currency,
    /// Fee per package (pick, pack, order handling).
    pub per_package: Decimal,
    /// Fee per unit shipped.
    pub per_unit: Decimal,
    /// Postage tiers per destination zone, lightest first. A zone with no
    /// entry, or a package heavier than the last tier, cannot be shipped
    /// from this node.
    pub rates: BTreeMap<Zone, Vec<RateTier>>,
}

impl CostModel {
    /// A cost model with zero fees and no rate table.
    #[must_use]
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            per_package: Decimal::ZERO,
            per_unit: Decimal::ZERO,
            rates: BTreeMap::new(),
        }
    }

    /// The postage for a package of `weight_g` grams to `zone`, or `None`
    /// when the table has no tier for it.
    #[must_use]
    pub fn postage(&self, zone: Zone, weight_g: u64) -> Option<Decimal> {
        tier_price(self.rates.get(&zone)?, weight_g)
    }
}

pub(crate) fn tier_price(tiers: &[RateTier], weight_g: u64) -> Option<Decimal> {
    tiers.iter().find(|t| weight_g <= t.max_weight_g).map(|t| t.price)
}

/// Which lines and orders a node may take.
///
/// Defaults: no size or weight limit, no hazmat, every channel served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Eligibility {
    /// The longest side a unit may have; longer is oversize here.
    pub max_side_mm: Option<u32>,
    /// The heaviest unit the node handles; heavier is oversize here.
    pub max_unit_weight_g: Option<u64>,
    /// Whether the node may ship hazardous materials.
    pub hazmat: bool,
    /// Channels whose orders this node may not ship (for example a
    /// channel that forbids marketplace-branded packaging).
    pub excluded_channels: BTreeSet<ChannelId>,
}

/// A node that can ship orders: an own warehouse, a 3PL, or FBA
/// Multi-Channel Fulfillment.
///
/// [`Node::new`] gives the defaults: carrier cutoff 15:00 local Monday to
/// Friday, zero handling days, no holidays, unlimited capacity, zero
/// fees and no rate table or transit times (so the node serves no zone
/// until the caller fills them in), default [`Eligibility`], no market,
/// priority 0.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Node {
    /// The node's location id, as the stock view knows it.
    pub id: LocationId,
    /// What kind of node it is.
    pub kind: LocationKind,
    /// Its time zone; cutoffs and holidays are local to it.
    pub tz: Tz,
    /// Carrier cutoff per weekday, local time.
    pub cutoffs: WeeklyCutoffs,
    /// Local dates without pickup even though the weekday has a cutoff.
    pub holidays: BTreeSet<NaiveDate>,
    /// Working days between catching a cutoff and handing the parcel to
    /// the carrier (0: ships the day it is caught).
    pub handling_days: u32,
    /// Daily shipping capacity.
    pub capacity: Capacity,
    /// Fees and postage.
    pub costs: CostModel,
    /// Calendar days in transit by destination zone and speed. A missing
    /// pair means the node does not offer that service to that zone.
    pub transit_days: BTreeMap<(Zone, Speed), u32>,
    /// Which lines and orders it may take.
    pub eligibility: Eligibility,
    /// The market the node sits in.
    pub market: Option<Market>,
    /// The caller's preference, lower first; the last tie-breaker.
    pub priority: u32,
}

impl Node {
    /// A node with the defaults listed on [`Node`].
    #[must_use]
    pub fn new(id: LocationId, kind: LocationKind, tz: Tz, currency: Currency) -> Self {
        Self {
            id,
            kind,
            tz,
            cutoffs: WeeklyCutoffs::weekdays(DEFAULT_CUTOFF),
            holidays: BTreeSet::new(),
            handling_days: 0,
            capacity: Capacity::default(),
            costs: CostModel::new(currency),
            transit_days: BTreeMap::new(),
            eligibility: Eligibility::default(),
            market: None,
            priority: 0,
        }
    }
}

/// The default carrier cutoff, 15:00 local.
const DEFAULT_CUTOFF: NaiveTime = match NaiveTime::from_hms_opt(15, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OrderLine {
    /// The SKU.
    pub sku: Sku,
    /// Units ordered; must be positive. A line ships whole from one node.
    pub quantity: Quantity,
    /// Weight of one unit in grams.
    pub unit_weight_g: u64,
    /// Dimensions of one unit.
    pub dims: Dims,
    /// Whether the item is a hazardous material.
    pub hazmat: bool,
    /// Selling price of one unit, in the network's currency (used by the
    /// minimum-package-value split rule).
    pub unit_value: Decimal,
}

impl OrderLine {
    /// A line with zero weight, zero dimensions, not hazmat, zero value.
    #[must_use]
    pub fn new(sku: Sku, quantity: Quantity) -> Self {
        Self {
            sku,
            quantity,
            unit_weight_g: 0,
            dims: Dims::default(),
            hazmat: false,
            unit_value: Decimal::ZERO,
        }
    }
}

/// A customer order to route.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Order {
    /// The order id.
    pub id: OrderId,
    /// Its lines.
    pub lines: Vec<OrderLine>,
    /// The destination zone, from the caller's zone map.
    pub zone: Zone,
    /// The destination's market, if the caller tracks markets.
    pub market: Option<Market>,
    /// When the customer placed it.
    pub placed_at: DateTime<Utc>,
    /// The delivery date promised to the customer.
    pub promised_by: NaiveDate,
    /// The speed it was sold with.
    pub speed: Speed,
    /// The channel it was sold on.
    pub channel: ChannelId,
}
