//! Where units are and in what state: the [`StockView`] seam.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;

use crate::id::{LocationId, Sku};
use crate::quantity::Quantity;

/// The state a unit is in at a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Disposition {
    /// On the shelf and free to sell.
    Sellable,
    /// On the shelf but held: customer orders awaiting shipment, FC
    /// transfers or processing inside a marketplace network.
    Reserved,
    /// Expected but not yet received: purchase orders, shipments to FBA
    /// that are working, shipped or receiving.
    Inbound,
    /// Present but unfit to sell: damaged, defective, expired, or under
    /// investigation.
    Unsellable,
    /// Moving between two of the seller's own locations.
    InTransit,
}

impl Disposition {
    /// Every disposition, in declaration order.
    pub const ALL: [Self; 5] =
        [Self::Sellable, Self::Reserved, Self::Inbound, Self::Unsellable, Self::InTransit];

    /// Whether units in this state can ship to a customer today.
    #[must_use]
    pub const fn can_ship_now(self) -> bool {
        matches!(self, Self::Sellable)
    }

    /// Whether units in this state count toward the inventory position
    /// used for reordering (on hand plus on order): everything except
    /// unsellable stock.
    #[must_use]
    pub const fn counts_toward_position(self) -> bool {
        !matches!(self, Self::Unsellable)
    }
}

impl fmt::Display for Disposition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sellable => "sellable",
            Self::Reserved => "reserved",
            Self::Inbound => "inbound",
            Self::Unsellable => "unsellable",
            Self::InTransit => "in transit",
        })
    }
}

/// What kind of node a location is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LocationKind {
    /// A warehouse the seller runs.
    OwnWarehouse,
    /// A third-party logistics provider's warehouse.
    ThirdPartyLogistics,
    /// Amazon's fulfillment network (FBA), including Multi-Channel
    /// Fulfillment.
    FbaNetwork,
    /// Amazon Warehousing and Distribution, upstream bulk storage.
    Awd,
    /// A supplier's premises: goods paid for but not yet shipped.
    Supplier,
    /// A virtual location for goods on the water, in the air or on a
    /// truck.
    InTransit,
}

impl fmt::Display for LocationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OwnWarehouse => "own warehouse",
            Self::ThirdPartyLogistics => "3PL",
            Self::FbaNetwork => "FBA",
            Self::Awd => "AWD",
            Self::Supplier => "supplier",
            Self::InTransit => "in transit",
        })
    }
}

/// Tells the kind of a location.
///
/// Maps from [`LocationId`] to [`LocationKind`] implement it, so a caller
/// can pass a `BTreeMap` it already has.
pub trait LocationDirectory {
    /// The kind of `location`, or `None` when it is unknown.
    fn kind_of(&self, location: &LocationId) -> Option<LocationKind>;
}

impl LocationDirectory for BTreeMap<LocationId, LocationKind> {
    fn kind_of(&self, location: &LocationId) -> Option<LocationKind> {
        self.get(location).copied()
    }
}

impl<S: std::hash::BuildHasher> LocationDirectory for HashMap<LocationId, LocationKind, S> {
    fn kind_of(&self, location: &LocationId) -> Option<LocationKind> {
        self.get(location).copied()
    }
}

impl<T: LocationDirectory + ?Sized> LocationDirectory for &T {
    fn kind_of(&self, location: &LocationId) -> Option<LocationKind> {
        (**self).kind_of(location)
    }
}

/// Units of one SKU at one location in one disposition.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StockPosition {
    /// Where the units are.
    pub location: LocationId,
    /// Their state.
    pub disposition: Disposition,
    /// How many.
    pub quantity: Quantity,
}

/// Quantities by SKU, location and disposition as of the end of a day.
///
/// Days are UTC calendar days: `as_of` means "after every movement
/// stamped on or before that date". The ledger implements this trait;
/// allocation, routing and reordering consume it. A slice of
/// [`StockRecord`]s implements it too.
///
/// Only [`StockView::positions`] and [`StockView::stock_skus`] are
/// required; the rest have default bodies an implementer may override for
/// speed.
pub trait StockView {
    /// Every non-zero position of `sku` at the end of `as_of`, sorted by
    /// location then disposition.
    fn positions(&self, sku: &Sku, as_of: NaiveDate) -> Vec<StockPosition>;

    /// Every SKU the view knows, sorted.
    fn stock_skus(&self) -> Vec<Sku>;

    /// Units of `sku` at `location` in `disposition`: the sum of its
    /// positions there, by [`Quantity::saturating_sum`].
    fn quantity(
        &self,
        sku: &Sku,
        location: &LocationId,
        disposition: Disposition,
        as_of: NaiveDate,
    ) -> Quantity {
        Quantity::saturating_sum(
            self.positions(sku, as_of)
                .iter()
                .filter(|p| &p.location == location && p.disposition == disposition)
                .map(|p| p.quantity),
        )
    }

    /// Units of `sku` in `disposition` across every location, by
    /// [`Quantity::saturating_sum`] (the order of the positions does not
    /// matter).
    fn total(&self, sku: &Sku, disposition: Disposition, as_of: NaiveDate) -> Quantity {
        Quantity::saturating_sum(
            self.positions(sku, as_of)
                .iter()
                .filter(|p| p.disposition == disposition)
                .map(|p| p.quantity),
        )
    }
}

impl<T: StockView + ?Sized> StockView for &T {
    fn positions(&self, sku: &Sku, as_of: NaiveDate) -> Vec<StockPosition> {
        (**self).positions(sku, as_of)
    }

    fn stock_skus(&self) -> Vec<Sku> {
        (**self).stock_skus()
    }

    fn quantity(
        &self,
        sku: &Sku,
        location: &LocationId,
        disposition: Disposition,
        as_of: NaiveDate,
    ) -> Quantity {
        (**self).quantity(sku, location, disposition, as_of)
    }

    fn total(&self, sku: &Sku, disposition: Disposition, as_of: NaiveDate) -> Quantity {
        (**self).total(sku, disposition, as_of)
    }
}

/// A balance observed on a date: plain data that implements
/// [`StockView`].
///
/// A slice of records answers "as of `d`" with, for each SKU, location and
/// disposition, the latest record dated on or before `d` (a later record
/// replaces an earlier one; records are balances, not movements).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StockRecord {
    /// The day the balance was observed (end of day).
    pub as_of: NaiveDate,
    /// The SKU.
    pub sku: Sku,
    /// The location.
    pub location: LocationId,
    /// The disposition.
    pub disposition: Disposition,
    /// The balance.
    pub quantity: Quantity,
}

impl StockView for [StockRecord] {
    fn positions(&self, sku: &Sku, as_of: NaiveDate) -> Vec<StockPosition> {
        let mut latest: BTreeMap<(&LocationId, Disposition), (NaiveDate, Quantity)> =
            BTreeMap::new();
        for r in self.iter().filter(|r| &r.sku == sku && r.as_of <= as_of) {
            let slot = latest.entry((&r.location, r.disposition)).or_insert((r.as_of, r.quantity));
            if r.as_of >= slot.0 {
                *slot = (r.as_of, r.quantity);
            }
        }
        latest
            .into_iter()
            .filter(|(_, (_, q))| !q.is_zero())
            .map(|((location, disposition), (_, quantity))| StockPosition {
                location: location.clone(),
                disposition,
                quantity,
            })
            .collect()
    }

    fn stock_skus(&self) -> Vec<Sku> {
        let mut skus: Vec<Sku> = self.iter().map(|r| r.sku.clone()).collect();
        skus.sort();
        skus.dedup();
        skus
    }
}

impl StockView for Vec<StockRecord> {
    fn positions(&self, sku: &Sku, as_of: NaiveDate) -> Vec<StockPosition> {
        self.as_slice().positions(sku, as_of)
    }

    fn stock_skus(&self) -> Vec<Sku> {
        self.as_slice().stock_skus()
    }
}
