//! The error type of `merchantry-metrics`.

use chrono::NaiveDate;
use merchantry_core::{CoreError, Currency, LocationId, PurchaseOrderId, ShortFloat, Sku};
use rust_decimal::Decimal;

/// What was wrong with the input of a metric.
///
/// A metric that is merely undefined for valid input (zero average
/// inventory, no demand, too few observations) is not an error: it comes
/// back as [`crate::Metric::Undefined`] with its reason. Errors are for
/// input that cannot be measured at all.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// The date range holds no day.
    #[error("date range starting {start} holds no day")]
    EmptyRange {
        /// Its first day.
        start: NaiveDate,
    },
    /// The day before a range, or a day after it, is not representable.
    #[error("date range starting {start} touches the end of the calendar")]
    CalendarEdge {
        /// The first day of the range.
        start: NaiveDate,
    },
    /// Two amounts in different currencies met.
    #[error("currency mismatch in {what}: expected {expected}, got {got}")]
    CurrencyMismatch {
        /// Which input or combination.
        what: &'static str,
        /// The currency the computation is in.
        expected: Currency,
        /// The currency that came in.
        got: Currency,
    },
    /// Exact decimal or integer arithmetic left its range.
    #[error("arithmetic overflow computing {what}{}", for_sku(.sku.as_ref()))]
    Overflow {
        /// Which quantity was being computed.
        what: &'static str,
        /// The SKU, or `None` for a figure that belongs to no single SKU
        /// (a portfolio total, a conversion, a fee schedule); the message
        /// then names no SKU.
        sku: Option<Sku>,
    },
    /// A holding sits at a location the directory does not know.
    #[error("location {location} of sku {sku} is not in the location directory")]
    UnknownLocation {
        /// The location.
        location: LocationId,
        /// The SKU held there.
        sku: Sku,
    },
    /// A lot claims to have been received after the day it is aged at.
    #[error("lot of sku {sku} at {location} received on {received_on}, after {as_of}")]
    LotFromTheFuture {
        /// The SKU.
        sku: Sku,
        /// The lot's location.
        location: LocationId,
        /// Its receipt day.
        received_on: NaiveDate,
        /// The day it was aged at.
        as_of: NaiveDate,
    },
    /// Aging bucket edges were not strictly increasing, or the last one
    /// left no day for the open last bucket (`u32::MAX`), so that two
    /// buckets would overlap.
    #[error("aging bucket edge {edge} of {edges:?} {reason}")]
    InvalidBucketEdges {
        /// The rejected edges.
        edges: Vec<u32>,
        /// The first edge found wrong.
        edge: u32,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A replenishment's dates or stages do not make sense.
    #[error("replenishment {id}: {reason}")]
    InvalidReplenishment {
        /// The purchase order.
        id: PurchaseOrderId,
        /// What is wrong.
        reason: &'static str,
    },
    /// The same replenishment id, for the same SKU, is listed more than once with different
    /// content, so which listing is true is unknown. Identical repeats
    /// (overlapping report downloads) are not an error: they count once.
    #[error("replenishment {id} is listed twice with different content")]
    ConflictingReplenishment {
        /// The purchase order or shipment id.
        id: PurchaseOrderId,
    },
    /// A SKU is listed more than once in a portfolio, so its stock, sales
    /// and lots would count twice.
    #[error("sku {sku} is listed more than once")]
    DuplicateSku {
        /// The SKU.
        sku: Sku,
    },
    /// An input that must not be negative was.
    #[error("{what} is {value}, which is negative")]
    Negative {
        /// Which input.
        what: &'static str,
        /// The value.
        value: Decimal,
    },
    /// An input count was inconsistent, such as more units filled than
    /// demanded.
    #[error("{what}: {reason}")]
    Inconsistent {
        /// Which input.
        what: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A float input or option was NaN, infinite or out of range. The
    /// message prints a value below 1e-4 or from 1e15 up in magnitude
    /// with an exponent (`-1e300`), others as plain decimals.
    #[error("option {what} is {}, expected {expected}", ShortFloat(*.value))]
    InvalidOption {
        /// Which option.
        what: &'static str,
        /// The rejected value.
        value: f64,
        /// What is accepted.
        expected: &'static str,
    },
    /// A core value could not be built or combined.
    #[error(transparent)]
    Core(#[from] CoreError),
}

/// The result type of this crate.
pub type Result<T, E = MetricsError> = std::result::Result<T, E>;

/// The ` for sku X` part of an overflow message, empty without a SKU.
fn for_sku(sku: Option<&Sku>) -> String {
    sku.map(|s| format!(" for sku {s}")).unwrap_or_default()
}

/// Builds an [`MetricsError::Overflow`] for `sku`.
pub(crate) fn overflow(what: &'static str, sku: &Sku) -> MetricsError {
    MetricsError::Overflow { what, sku: Some(sku.clone()) }
}

/// Builds an [`MetricsError::Overflow`] for a figure of no single SKU.
pub(crate) const fn overflow_total(what: &'static str) -> MetricsError {
    MetricsError::Overflow { what, sku: None }
}

/// Refuses a day count of zero for option `what` (a rate over no days,
/// a year of no days).
pub(crate) fn at_least_one_day(what: &'static str, days: u32) -> Result<()> {
    if days == 0 {
        return Err(MetricsError::InvalidOption { what, value: 0.0, expected: "at least 1" });
    }
    Ok(())
}

/// Refuses a portfolio that lists a SKU more than once.
pub(crate) fn distinct_skus(skus: &[Sku]) -> Result<()> {
    // The common case, a sorted list, needs no copy.
    if skus.windows(2).all(|w| w.first() < w.get(1)) {
        return Ok(());
    }
    let mut sorted: Vec<&Sku> = skus.iter().collect();
    sorted.sort_unstable();
    match sorted.windows(2).find(|w| w.first() == w.get(1)).and_then(|w| w.first()) {
        Some(sku) => Err(MetricsError::DuplicateSku { sku: (*sku).clone() }),
        None => Ok(()),
    }
}
