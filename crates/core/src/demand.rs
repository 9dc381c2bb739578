//! Daily demand history: the [`DemandHistory`] seam.

use chrono::NaiveDate;

use crate::calendar::DateRange;
use crate::error::{CoreError, Result};
use crate::id::Sku;
use crate::quantity::Quantity;

/// Units demanded per day for one SKU, with the days it could not be sold.
///
/// A day flagged `stocked_out` had no sellable stock for at least part of
/// the day, so its recorded units understate demand; forecasters exclude
/// or impute such days instead of reading them as zero demand.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{DemandSeries, Quantity};
/// let start = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// let s = DemandSeries::new(
///     start,
///     vec![Quantity::new(3), Quantity::new(0)],
///     vec![false, true],
/// )?;
/// assert_eq!(s.len(), 2);
/// assert_eq!(s.in_stock_days(), 1);
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
///
/// With the `serde` feature a series deserialises through
/// [`DemandSeries::new`], so vectors of different lengths are refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "DemandSeriesRepr", into = "DemandSeriesRepr")
)]
pub struct DemandSeries {
    start: NaiveDate,
    units: Vec<Quantity>,
    stocked_out: Vec<bool>,
}

/// The serialised form of a [`DemandSeries`], unchecked until
/// [`DemandSeries::new`] sees it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct DemandSeriesRepr {
    start: NaiveDate,
    units: Vec<Quantity>,
    stocked_out: Vec<bool>,
}

#[cfg(feature = "serde")]
impl TryFrom<DemandSeriesRepr> for DemandSeries {
    type Error = CoreError;

    fn try_from(r: DemandSeriesRepr) -> Result<Self> {
        Self::new(r.start, r.units, r.stocked_out)
    }
}

#[cfg(feature = "serde")]
impl From<DemandSeries> for DemandSeriesRepr {
    fn from(s: DemandSeries) -> Self {
        Self { start: s.start, units: s.units, stocked_out: s.stocked_out }
    }
}

impl DemandSeries {
    /// A series starting on `start`, one entry per consecutive day.
    ///
    /// # Errors
    ///
    /// [`CoreError::SeriesLength`] when the two vectors differ in length.
    pub fn new(start: NaiveDate, units: Vec<Quantity>, stocked_out: Vec<bool>) -> Result<Self> {
        if units.len() != stocked_out.len() {
            return Err(CoreError::SeriesLength {
                what: "stocked_out",
                got: stocked_out.len(),
                expected: units.len(),
            });
        }
        Ok(Self { start, units, stocked_out })
    }

    /// A series with every day in stock.
    #[must_use]
    pub fn fully_available(start: NaiveDate, units: Vec<Quantity>) -> Self {
        let stocked_out = vec![false; units.len()];
        Self { start, units, stocked_out }
    }

    /// The first day.
    #[must_use]
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// Number of days.
    #[must_use]
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Whether the series has no day.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Units per day.
    #[must_use]
    pub fn units(&self) -> &[Quantity] {
        &self.units
    }

    /// Stock-out flag per day.
    #[must_use]
    pub fn stocked_out(&self) -> &[bool] {
        &self.stocked_out
    }

    /// Units per day as floats, the boundary into statistics.
    #[must_use]
    pub fn units_f64(&self) -> Vec<f64> {
        self.units.iter().map(|q| q.as_f64()).collect()
    }

    /// Days not flagged as stocked out.
    #[must_use]
    pub fn in_stock_days(&self) -> usize {
        self.stocked_out.iter().filter(|&&s| !s).count()
    }

    /// The dates covered.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidDateRange`] if the series runs past the last
    /// representable date.
    pub fn range(&self) -> Result<DateRange> {
        DateRange::starting(self.start, u32::try_from(self.len()).unwrap_or(u32::MAX))
    }
}

/// Daily units demanded per SKU: shipments net of returns or orders
/// placed, as the implementer documents, with stock-out days flagged.
///
/// A slice of [`DemandRecord`]s implements it.
pub trait DemandHistory {
    /// Every SKU with demand history, sorted.
    fn demand_skus(&self) -> Vec<Sku>;

    /// The series of `sku` over `range`, one entry per day of the range
    /// (days without records are zero demand, in stock).
    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries;
}

impl<T: DemandHistory + ?Sized> DemandHistory for &T {
    fn demand_skus(&self) -> Vec<Sku> {
        (**self).demand_skus()
    }

    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries {
        (**self).daily_demand(sku, range)
    }
}

/// Units demanded of one SKU on one day: plain data implementing
/// [`DemandHistory`]. Several records for the same day add up; a day is
/// stocked out if any of its records says so.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DemandRecord {
    /// The SKU.
    pub sku: Sku,
    /// The day.
    pub date: NaiveDate,
    /// Units demanded (negative when returns exceed sales).
    pub units: Quantity,
    /// Whether the SKU could not be sold for some of the day.
    pub stocked_out: bool,
}

/// A plain slice of records, for small histories and tests: each
/// [`DemandHistory::daily_demand`] call scans every record, so a series
/// for each of `k` SKUs costs `k` passes over the slice. With thousands
/// of SKUs, group the records by SKU once and answer from the groups.
/// Units of one day add up as [`Quantity::saturating_sum`] does: exactly,
/// pinned at the bounds of [`Quantity`] only when the day's total lies
/// beyond them, whatever the order of the records. The trait has no
/// error path, so check magnitudes before building records.
impl DemandHistory for [DemandRecord] {
    fn demand_skus(&self) -> Vec<Sku> {
        let mut skus: Vec<Sku> = self.iter().map(|r| r.sku.clone()).collect();
        skus.sort();
        skus.dedup();
        skus
    }

    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries {
        let len = range.len_days() as usize;
        // Each day's total in 128 bits, pinned once at the end.
        let mut totals = vec![0_i128; len];
        let mut stocked_out = vec![false; len];
        for r in self.iter().filter(|r| &r.sku == sku) {
            if let Some(i) = range.index_of(r.date) {
                totals[i] += i128::from(r.units.get());
                stocked_out[i] |= r.stocked_out;
            }
        }
        let units = totals.into_iter().map(Quantity::saturating_from_i128).collect();
        DemandSeries { start: range.start(), units, stocked_out }
    }
}

impl DemandHistory for Vec<DemandRecord> {
    fn demand_skus(&self) -> Vec<Sku> {
        self.as_slice().demand_skus()
    }

    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries {
        self.as_slice().daily_demand(sku, range)
    }
}
