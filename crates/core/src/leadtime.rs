//! Finished replenishments and their stages: the [`LeadTimeHistory`]
//! seam.

use std::fmt;

use chrono::NaiveDate;

use crate::calendar::Days;
use crate::id::{LocationId, PurchaseOrderId, Sku, SupplierId};
use crate::quantity::Quantity;

/// One leg of a replenishment, in the order goods pass through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Stage {
    /// From order placed to goods ready at the factory.
    Production,
    /// Pickup, consolidation and export clearance at origin.
    OriginHandling,
    /// The main international leg (ocean, air, rail), see [`TransportMode`].
    MainTransit,
    /// Import customs clearance at destination.
    CustomsClearance,
    /// Port or airport to warehouse.
    InlandFreight,
    /// Receiving at the warehouse or FBA check-in until units are
    /// available to sell.
    CheckIn,
}

impl Stage {
    /// Every stage, in the order goods pass through them.
    pub const ALL: [Self; 6] = [
        Self::Production,
        Self::OriginHandling,
        Self::MainTransit,
        Self::CustomsClearance,
        Self::InlandFreight,
        Self::CheckIn,
    ];
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Production => "production",
            Self::OriginHandling => "origin handling",
            Self::MainTransit => "main transit",
            Self::CustomsClearance => "customs clearance",
            Self::InlandFreight => "inland freight",
            Self::CheckIn => "check-in",
        })
    }
}

/// How the main leg travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum TransportMode {
    /// Sea freight.
    Ocean,
    /// Air freight.
    Air,
    /// Road freight.
    Truck,
    /// Rail freight.
    Rail,
    /// Small-parcel or express courier.
    Parcel,
}

impl fmt::Display for TransportMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ocean => "ocean",
            Self::Air => "air",
            Self::Truck => "truck",
            Self::Rail => "rail",
            Self::Parcel => "parcel",
        })
    }
}

/// A supply route: who ships, from where, to where, how.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lane {
    /// The supplier.
    pub supplier: SupplierId,
    /// The origin (port, country or factory), when known.
    pub origin: Option<LocationId>,
    /// Where the goods are received.
    pub destination: LocationId,
    /// How the main leg travels.
    pub mode: TransportMode,
}

/// The planned and actual length of one stage of one replenishment.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StageDuration {
    /// Which stage.
    pub stage: Stage,
    /// The days forecast for it when the order was placed, if recorded.
    pub forecast: Option<Days>,
    /// The days it actually took.
    pub actual: Days,
}

/// A finished replenishment: ordered, forecast to arrive, arrived.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{Lane, LocationId, PurchaseOrderId, Replenishment, SupplierId, TransportMode};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
/// let r = Replenishment {
///     id: PurchaseOrderId::new("PO-1")?,
///     lane: Lane {
///         supplier: SupplierId::new("ACME")?,
///         origin: None,
///         destination: LocationId::new("FBA-US")?,
///         mode: TransportMode::Ocean,
///     },
///     sku: None,
///     quantity: None,
///     ordered_on: d(1, 1),
///     forecast_arrival: d(2, 15),
///     actual_arrival: d(2, 20),
///     stages: vec![],
/// };
/// assert_eq!(r.actual_days(), 50);
/// assert_eq!(r.variance_days(), 5);
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Replenishment {
    /// The purchase order or shipment.
    pub id: PurchaseOrderId,
    /// Its route.
    pub lane: Lane,
    /// The SKU, when the replenishment is for one.
    pub sku: Option<Sku>,
    /// Units, when known.
    pub quantity: Option<Quantity>,
    /// The day the order was placed.
    pub ordered_on: NaiveDate,
    /// The arrival forecast when ordering.
    pub forecast_arrival: NaiveDate,
    /// The day the goods arrived.
    pub actual_arrival: NaiveDate,
    /// Per-stage durations, in stage order; may be empty.
    pub stages: Vec<StageDuration>,
}

impl Replenishment {
    /// Days from order to actual arrival.
    #[must_use]
    pub fn actual_days(&self) -> i64 {
        (self.actual_arrival - self.ordered_on).num_days()
    }

    /// Days from order to forecast arrival.
    #[must_use]
    pub fn forecast_days(&self) -> i64 {
        (self.forecast_arrival - self.ordered_on).num_days()
    }

    /// Lead-time variance: actual days minus forecast days (positive is
    /// late).
    #[must_use]
    pub fn variance_days(&self) -> i64 {
        (self.actual_arrival - self.forecast_arrival).num_days()
    }
}

/// A history of finished replenishments. Slices and vectors of
/// [`Replenishment`] implement it.
pub trait LeadTimeHistory {
    /// Every finished replenishment.
    fn replenishments(&self) -> &[Replenishment];
}

impl LeadTimeHistory for [Replenishment] {
    fn replenishments(&self) -> &[Replenishment] {
        self
    }
}

impl LeadTimeHistory for Vec<Replenishment> {
    fn replenishments(&self) -> &[Replenishment] {
        self
    }
}

impl<T: LeadTimeHistory + ?Sized> LeadTimeHistory for &T {
    fn replenishments(&self) -> &[Replenishment] {
        (**self).replenishments()
    }
}
