//! A metric value or the reason it has none.

use std::fmt;

/// A metric's value, or why it has none for this input.
///
/// Ratios divide by something that can be zero; statistics need enough
/// observations. Rather than NaN, an infinity or a panic, such cases come
/// back as [`Metric::Undefined`] with an [`Undefined`] reason a report can
/// print.
///
/// ```
/// use merchantry_metrics::{Metric, Undefined};
/// let m: Metric<u8> = Metric::Undefined(Undefined::NoDemand);
/// assert_eq!(m.value(), None);
/// assert_eq!(Metric::Value(3).map(|v| v * 2).value(), Some(6));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Metric<T> {
    /// The metric is defined.
    Value(T),
    /// The metric is undefined, for the reason given.
    Undefined(Undefined),
}

impl<T> Metric<T> {
    /// The value, if defined.
    #[must_use]
    pub fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Undefined(_) => None,
        }
    }

    /// Whether the metric has a value.
    #[must_use]
    pub const fn is_defined(&self) -> bool {
        matches!(self, Self::Value(_))
    }

    /// The reason, if undefined.
    #[must_use]
    pub const fn reason(&self) -> Option<Undefined> {
        match self {
            Self::Value(_) => None,
            Self::Undefined(why) => Some(*why),
        }
    }

    /// Applies `f` to a defined value.
    #[must_use]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Metric<U> {
        match self {
            Self::Value(v) => Metric::Value(f(v)),
            Self::Undefined(why) => Metric::Undefined(why),
        }
    }

    /// Applies `f`, which may itself be undefined, to a defined value.
    #[must_use]
    pub fn and_then<U>(self, f: impl FnOnce(T) -> Metric<U>) -> Metric<U> {
        match self {
            Self::Value(v) => f(v),
            Self::Undefined(why) => Metric::Undefined(why),
        }
    }
}

/// Why a metric has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Undefined {
    /// The average inventory value is zero: nothing to turn.
    ZeroAverageInventory,
    /// The average inventory value is negative (a source that lets value
    /// go below zero); a turn would have no meaning.
    NegativeAverageInventory,
    /// Cost of goods sold is zero, so stock never turns and days
    /// outstanding are unbounded.
    NoCostOfSales,
    /// Cost of goods sold is negative (returns put back more cost than
    /// sales took out): a turn, annualised turn or days outstanding of
    /// that sign would have no meaning.
    NegativeCostOfSales,
    /// The forecast daily demand is zero: supply lasts forever.
    NoDemand,
    /// The stock counted is below zero (oversold: more units promised or
    /// shipped than held), so it covers no number of days.
    NegativeStock,
    /// No demand forecast covers the day asked about.
    NoForecast,
    /// Every day of the range was stocked out, so there is no in-stock
    /// velocity.
    NoInStockDays,
    /// The denominator in units is zero (nothing sold and nothing left).
    NoUnits,
    /// More units came back than were sold over the range (units sold,
    /// net of returns, are below zero), so no share of the stock sold.
    NetReturns,
    /// Revenue is zero or negative, so a share of it has no meaning.
    NoRevenue,
    /// Fewer observations than the statistic needs.
    TooFewObservations {
        /// How many it needs.
        needed: usize,
        /// How many there were.
        got: usize,
    },
    /// Every observation has the same date, so no trend over time exists.
    NoSpreadInTime,
}

impl fmt::Display for Undefined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroAverageInventory => f.write_str("average inventory is zero"),
            Self::NegativeAverageInventory => f.write_str("average inventory is negative"),
            Self::NoCostOfSales => f.write_str("no cost of goods sold"),
            Self::NegativeCostOfSales => f.write_str("cost of goods sold is negative"),
            Self::NoDemand => f.write_str("forecast demand is zero"),
            Self::NegativeStock => f.write_str("stock is negative (oversold)"),
            Self::NoForecast => f.write_str("no demand forecast"),
            Self::NoInStockDays => f.write_str("no day in stock"),
            Self::NoUnits => f.write_str("no units sold or held"),
            Self::NetReturns => f.write_str("more units returned than sold"),
            Self::NoRevenue => f.write_str("no revenue"),
            Self::TooFewObservations { needed, got } => {
                write!(f, "{got} observations, at least {needed} needed")
            }
            Self::NoSpreadInTime => f.write_str("all observations on one date"),
        }
    }
}

impl<T: fmt::Display> fmt::Display for Metric<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Value(v) => v.fmt(f),
            Self::Undefined(why) => write!(f, "undefined ({why})"),
        }
    }
}
