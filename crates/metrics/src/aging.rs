//! Inventory aging: units and value by days since receipt.
//!
//! A lot's age on `as_of` is the number of days from its receipt day to
//! `as_of` (a lot received today is 0 days old). Buckets are closed on
//! the right: with the default edges `[90, 180, 270, 365]` the buckets are
//! 0-90, 91-180, 181-270, 271-365 and 366 days or more, the tiers
//! marketplace aged-inventory surcharges use. Every lot lands in exactly
//! one bucket, so the buckets add up to the totals exactly.
//!
//! Lots are summed as the source gives them, signed. A ledger may carry a
//! cost layer at a negative value (a supplier credit or landed-cost
//! correction larger than the layer's cost), and such a lot lands in its
//! age's bucket like any other, so the report keeps agreeing with the
//! books' total; it is neither clamped nor refused.

use chrono::NaiveDate;
use merchantry_core::{AgedLot, Currency, Quantity, Sku, ValuationView};
use rust_decimal::Decimal;

use crate::error::{MetricsError, Result, overflow, overflow_total};

/// The upper edges (inclusive, in days) of every bucket but the last.
///
/// ```
/// use merchantry_metrics::AgingEdges;
/// let e = AgingEdges::new(vec![30, 60])?;
/// assert_eq!(e.bucket_of(30), 0);
/// assert_eq!(e.bucket_of(31), 1);
/// assert_eq!(e.bucket_of(61), 2);
/// assert!(AgingEdges::new(vec![60, 30]).is_err());
/// # Ok::<(), merchantry_metrics::MetricsError>(())
/// ```
///
/// With the `serde` feature the edges travel as a plain list and are
/// checked by [`AgingEdges::new`] on the way in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "Vec<u32>", into = "Vec<u32>")
)]
pub struct AgingEdges(Vec<u32>);

impl TryFrom<Vec<u32>> for AgingEdges {
    type Error = MetricsError;

    fn try_from(edges: Vec<u32>) -> Result<Self> {
        Self::new(edges)
    }
}

impl From<AgingEdges> for Vec<u32> {
    fn from(edges: AgingEdges) -> Self {
        edges.0
    }
}

impl Default for AgingEdges {
    /// `[90, 180, 270, 365]`.
    fn default() -> Self {
        Self(vec![90, 180, 270, 365])
    }
}

impl AgingEdges {
    /// Edges, strictly increasing and below `u32::MAX`; an empty list
    /// gives one bucket.
    ///
    /// The open last bucket starts the day after the last edge, so an
    /// edge of `u32::MAX` would leave it no day of its own: it is refused
    /// rather than letting two buckets share that age.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidBucketEdges`], naming the first bad edge,
    /// unless strictly increasing and below `u32::MAX`.
    pub fn new(edges: Vec<u32>) -> Result<Self> {
        let bad = |edge, reason| {
            Err(MetricsError::InvalidBucketEdges { edges: edges.clone(), edge, reason })
        };
        if let Some(&[_, edge]) = edges.windows(2).find(|w| w.first() >= w.get(1)) {
            return bad(edge, "is not above the edge before it");
        }
        if let Some(&edge @ u32::MAX) = edges.last() {
            return bad(edge, "leaves no day for the open last bucket");
        }
        Ok(Self(edges))
    }

    /// The edges.
    #[must_use]
    pub fn edges(&self) -> &[u32] {
        &self.0
    }

    /// The index of the bucket holding `age_days`.
    #[must_use]
    pub fn bucket_of(&self, age_days: u32) -> usize {
        self.0.partition_point(|&edge| edge < age_days)
    }

    fn empty_buckets(&self) -> Vec<AgingBucket> {
        let mut lower = 0_u32;
        let mut buckets = Vec::with_capacity(self.0.len() + 1);
        for &edge in &self.0 {
            buckets.push(AgingBucket::new(lower, Some(edge)));
            // `new` refuses u32::MAX, so this never saturates.
            lower = edge.saturating_add(1);
        }
        buckets.push(AgingBucket::new(lower, None));
        buckets
    }
}

/// Units and value whose age falls in `[min_days, max_days]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AgingBucket {
    /// The youngest age in the bucket, days.
    pub min_days: u32,
    /// The oldest age, days; `None` for the open last bucket.
    pub max_days: Option<u32>,
    /// Units.
    pub units: Quantity,
    /// Their value.
    pub value: Decimal,
}

impl AgingBucket {
    const fn new(min_days: u32, max_days: Option<u32>) -> Self {
        Self { min_days, max_days, units: Quantity::ZERO, value: Decimal::ZERO }
    }

    /// The days the bucket spans, as messages name it: `31-60`, `91+`.
    fn span(&self) -> String {
        match self.max_days {
            Some(max) => format!("{}-{max}", self.min_days),
            None => format!("{}+", self.min_days),
        }
    }
}

/// The spans of `buckets`, comma-separated.
fn spans(buckets: &[AgingBucket]) -> String {
    buckets.iter().map(AgingBucket::span).collect::<Vec<_>>().join(", ")
}

/// Units and value by age on one day.
///
/// With the `serde` feature a report is checked on the way in: its
/// buckets must be the ones some valid [`AgingEdges`] give (from 0 days,
/// no gap or overlap, only the last open) and the totals the sums of the
/// buckets. Anything else is refused with [`MetricsError::Inconsistent`]
/// (or [`MetricsError::InvalidBucketEdges`] for edges out of order or
/// overlapping)
/// naming what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "AgingReportData", into = "AgingReportData")
)]
pub struct AgingReport {
    /// The day ages are counted to.
    pub as_of: NaiveDate,
    /// The currency of the values.
    pub currency: Currency,
    /// The buckets, youngest first.
    pub buckets: Vec<AgingBucket>,
    /// Units over every bucket.
    pub total_units: Quantity,
    /// Value over every bucket.
    pub total_value: Decimal,
}

/// The serialised form of an [`AgingReport`]: the same fields,
/// unchecked until `TryFrom` sees them.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct AgingReportData {
    as_of: NaiveDate,
    currency: Currency,
    buckets: Vec<AgingBucket>,
    total_units: Quantity,
    total_value: Decimal,
}

#[cfg(feature = "serde")]
impl TryFrom<AgingReportData> for AgingReport {
    type Error = MetricsError;

    fn try_from(d: AgingReportData) -> Result<Self> {
        let report = Self {
            as_of: d.as_of,
            currency: d.currency,
            buckets: d.buckets,
            total_units: d.total_units,
            total_value: d.total_value,
        };
        report.check()?;
        Ok(report)
    }
}

#[cfg(feature = "serde")]
impl From<AgingReport> for AgingReportData {
    fn from(r: AgingReport) -> Self {
        Self {
            as_of: r.as_of,
            currency: r.currency,
            buckets: r.buckets,
            total_units: r.total_units,
            total_value: r.total_value,
        }
    }
}

impl AgingReport {
    /// An empty report.
    #[must_use]
    pub fn empty(as_of: NaiveDate, currency: Currency, edges: &AgingEdges) -> Self {
        Self {
            as_of,
            currency,
            buckets: edges.empty_buckets(),
            total_units: Quantity::ZERO,
            total_value: Decimal::ZERO,
        }
    }

    /// Adds the lots of `sku` to the report; on error the report is
    /// unchanged.
    ///
    /// # Errors
    ///
    /// [`MetricsError::LotFromTheFuture`] for a lot received after
    /// `as_of`, [`MetricsError::Inconsistent`] when `edges` are not the
    /// edges the report was made with, [`MetricsError::Overflow`].
    pub fn add_lots(&mut self, sku: &Sku, lots: &[AgedLot], edges: &AgingEdges) -> Result<()> {
        let bounds = |b: &AgingBucket| (b.min_days, b.max_days);
        let expected = edges.empty_buckets();
        if !expected.iter().map(bounds).eq(self.buckets.iter().map(bounds)) {
            return Err(MetricsError::Inconsistent {
                what: "aging report",
                reason: format!("edges {:?} differ from the report's buckets", edges.edges()),
            });
        }
        let mut next = self.clone();
        for lot in lots {
            let age = (self.as_of - lot.received_on).num_days();
            let age = u32::try_from(age).map_err(|_| MetricsError::LotFromTheFuture {
                sku: sku.clone(),
                location: lot.location.clone(),
                received_on: lot.received_on,
                as_of: self.as_of,
            })?;
            let index = edges.bucket_of(age);
            let bucket = next.buckets.get_mut(index).ok_or_else(|| MetricsError::Inconsistent {
                what: "aging report",
                reason: "edges differ from the report's buckets".to_owned(),
            })?;
            let too_big = || overflow("aging", sku);
            bucket.units = bucket.units.checked_add(lot.quantity).map_err(|_| too_big())?;
            bucket.value = bucket.value.checked_add(lot.value).ok_or_else(too_big)?;
            next.total_units = next.total_units.checked_add(lot.quantity).map_err(|_| too_big())?;
            next.total_value = next.total_value.checked_add(lot.value).ok_or_else(too_big)?;
        }
        *self = next;
        Ok(())
    }

    /// Checks what `empty`, `add_lots` and `merge` keep true: buckets as
    /// valid edges give them and totals equal to their sums.
    #[cfg(feature = "serde")]
    fn check(&self) -> Result<()> {
        let bad = |reason: String| MetricsError::Inconsistent { what: "aging report", reason };
        let Some((_, inner)) = self.buckets.split_last() else {
            return Err(bad("it has no bucket".to_owned()));
        };
        let mut edges = Vec::with_capacity(inner.len());
        for (i, b) in inner.iter().enumerate() {
            let max = b.max_days.ok_or_else(|| {
                bad(format!("bucket {i} ({}) is open but is not the last", b.span()))
            })?;
            edges.push(max);
        }
        let edges = AgingEdges::new(edges)?;
        let expected = edges.empty_buckets();
        let bounds = |b: &AgingBucket| (b.min_days, b.max_days);
        if let Some((i, (got, want))) = self
            .buckets
            .iter()
            .zip(&expected)
            .enumerate()
            .find(|(_, (got, want))| bounds(got) != bounds(want))
        {
            return Err(bad(format!(
                "bucket {i} covers {} days, but its edges {:?} give {}",
                got.span(),
                edges.edges(),
                want.span()
            )));
        }
        let mut units = Quantity::ZERO;
        let mut value = Decimal::ZERO;
        for b in &self.buckets {
            let (Ok(u), Some(v)) = (units.checked_add(b.units), value.checked_add(b.value)) else {
                return Err(bad("the buckets sum past the range of units or value".to_owned()));
            };
            (units, value) = (u, v);
        }
        if (units, value) != (self.total_units, self.total_value) {
            return Err(bad(format!(
                "total is {} units worth {}, but the buckets sum to {units} units worth {value}",
                self.total_units, self.total_value
            )));
        }
        Ok(())
    }
}

impl AgingReport {
    /// Adds another report on the same day with the same buckets; on
    /// error `self` is unchanged.
    ///
    /// # Errors
    ///
    /// [`MetricsError::CurrencyMismatch`], [`MetricsError::Inconsistent`]
    /// for another day or other buckets, [`MetricsError::Overflow`].
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if other.currency != self.currency {
            return Err(MetricsError::CurrencyMismatch {
                what: "aging report",
                expected: self.currency,
                got: other.currency,
            });
        }
        let bad = |reason: String| MetricsError::Inconsistent { what: "aging report", reason };
        if other.as_of != self.as_of {
            return Err(bad(format!(
                "cannot merge a report of {} into one of {}",
                other.as_of, self.as_of
            )));
        }
        let same_buckets = other.buckets.len() == self.buckets.len()
            && other
                .buckets
                .iter()
                .zip(&self.buckets)
                .all(|(a, b)| (a.min_days, a.max_days) == (b.min_days, b.max_days));
        if !same_buckets {
            return Err(bad(format!(
                "cannot merge a report with buckets {} into one with buckets {}",
                spans(&other.buckets),
                spans(&self.buckets)
            )));
        }
        let too_big = || overflow_total("aging");
        let mut next = self.clone();
        for (mine, theirs) in next.buckets.iter_mut().zip(&other.buckets) {
            mine.units = mine.units.checked_add(theirs.units).map_err(|_| too_big())?;
            mine.value = mine.value.checked_add(theirs.value).ok_or_else(too_big)?;
        }
        next.total_units =
            next.total_units.checked_add(other.total_units).map_err(|_| too_big())?;
        next.total_value = next.total_value.checked_add(other.total_value).ok_or_else(too_big)?;
        *self = next;
        Ok(())
    }
}

/// The aging of `sku`'s lots at the end of `as_of`.
///
/// # Errors
///
/// As [`AgingReport::add_lots`].
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{AgedLot, Currency, Decimal, LocationId, Quantity, Sku, ValuationTable};
/// use merchantry_metrics::{aging, AgingEdges};
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let sku = Sku::new("MUG")?;
/// let mut t = ValuationTable::new(Currency::USD);
/// let lot = |received, units, value| AgedLot { location: LocationId::new("FBA").unwrap(),
///     received_on: received, quantity: Quantity::new(units), value: Decimal::from(value) };
/// t.lots.push((d(2026, 12, 31), sku.clone(), lot(d(2026, 12, 1), 10, 50)));  // 30 days
/// t.lots.push((d(2026, 12, 31), sku.clone(), lot(d(2025, 6, 1), 4, 20)));    // 578 days
/// let r = aging(&t, &sku, d(2026, 12, 31), &AgingEdges::default())?;
/// assert_eq!(r.buckets[0].units, Quantity::new(10));
/// assert_eq!(r.buckets[4].value, Decimal::from(20));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn aging<V: ValuationView + ?Sized>(
    view: &V,
    sku: &Sku,
    as_of: NaiveDate,
    edges: &AgingEdges,
) -> Result<AgingReport> {
    let mut report = AgingReport::empty(as_of, view.currency(), edges);
    report.add_lots(sku, &view.aged_lots(sku, as_of), edges)?;
    Ok(report)
}
