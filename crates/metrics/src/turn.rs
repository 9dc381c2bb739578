//! Inventory turn (ITR), annualised turn, days inventory outstanding and
//! GMROI.
//!
//! # Definitions
//!
//! - **ITR** = COGS over the range / average inventory value over the
//!   range, both at cost in the view's currency.
//! - **Annualised ITR** = ITR x `days_per_year` / days in the range
//!   (`days_per_year` defaults to 365).
//! - **DIO** (days inventory outstanding) = days in the range / ITR, which
//!   equals `days_per_year` / annualised ITR.
//! - **GMROI** = (revenue - COGS) / average inventory value, over the
//!   range and not annualised.
//!
//! When the ratios have no meaning they are [`Metric::Undefined`], the
//! same reason for all three, checked in this order: an average
//! inventory that is zero at the 28 decimal places it is reported to
//! ([`Undefined::ZeroAverageInventory`]) or below zero
//! ([`Undefined::NegativeAverageInventory`]); a negative COGS
//! ([`Undefined::NegativeCostOfSales`]). A COGS of zero is a turn of 0
//! with DIO undefined ([`Undefined::NoCostOfSales`]).
//!
//! Core's [`ValuationView`] sums saturate at the decimal limit rather
//! than fail, so an inventory value or a COGS read from a view that
//! equals `Decimal::MAX` or `Decimal::MIN` is taken as an overflowed sum
//! and refused with [`MetricsError::Overflow`], never turned into a ratio.
//!
//! The average inventory value is the mean of end-of-day snapshots chosen
//! by [`AverageMethod`]. The *opening* value of a range is the value at the
//! end of the day before its first day; the *closing* value is the value at
//! the end of its last day.
//!
//! # Exactness
//!
//! Every result is a [`Decimal`]: COGS and inventory are money, and their
//! ratio is computed as `COGS x n / sum of n snapshots`, so the one
//! rounding is the final decimal division (28 significant digits). Scaling
//! every amount by the same factor leaves the turn unchanged. Only when
//! such a product would pass the decimal range (about 7.9e28) while the
//! ratio itself fits is the ratio taken in two steps instead (COGS over
//! the average shown, ITR x `days_per_year` / days, average x days /
//! COGS), with one more rounding; a ratio that itself passes the range is
//! [`MetricsError::Overflow`].

use chrono::{Datelike, NaiveDate, Weekday};
use merchantry_core::{
    Currency, DateRange, LocationDirectory, LocationId, LocationKind, Money, Sku, ValuationView,
};
use rust_decimal::Decimal;

use crate::error::{MetricsError, Result, overflow, overflow_total};
use crate::metric::{Metric, Undefined};

/// The calendar period whose ends are sampled by
/// [`AverageMethod::PeriodEnds`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Period {
    /// ISO weeks, ending on Sunday.
    Week,
    /// Calendar months, ending on their last day.
    Month,
    /// Calendar quarters, ending on 31 March, 30 June, 30 September and
    /// 31 December.
    Quarter,
}

impl Period {
    /// The first period end on or after `day`, if the calendar has one.
    #[must_use]
    pub fn first_end_on_or_after(self, day: NaiveDate) -> Option<NaiveDate> {
        match self {
            Self::Week => {
                let ahead = 6 - day.weekday().num_days_from_monday();
                day.checked_add_days(chrono::Days::new(u64::from(ahead)))
            }
            Self::Month | Self::Quarter => {
                let month = match self {
                    Self::Quarter => day.month().div_ceil(3) * 3,
                    _ => day.month(),
                };
                let first_of_next = if month == 12 {
                    NaiveDate::from_ymd_opt(day.year().checked_add(1)?, 1, 1)
                } else {
                    NaiveDate::from_ymd_opt(day.year(), month + 1, 1)
                };
                match first_of_next {
                    Some(d) => d.pred_opt(),
                    None => NaiveDate::from_ymd_opt(day.year(), 12, 31),
                }
            }
        }
    }

    /// Whether `day` is the last day of a period.
    #[must_use]
    pub fn is_end(self, day: NaiveDate) -> bool {
        let month_end = day.succ_opt().is_none_or(|next| next.month() != day.month());
        match self {
            Self::Week => day.weekday() == Weekday::Sun,
            Self::Month => month_end,
            Self::Quarter => month_end && day.month().is_multiple_of(3),
        }
    }
}

/// How the average inventory value over a range is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum AverageMethod {
    /// (opening + closing) / 2: the textbook shortcut.
    OpeningClosing,
    /// The mean of the opening value and the value at each period end
    /// within the range; the range's last day counts as a period end even
    /// when it is not one, so a partial final period is closed. A year of
    /// months gives the classic (opening + 12 month ends) / 13.
    PeriodEnds(Period),
    /// The mean of the end-of-day value of every day in the range (the
    /// opening value is not included): each day weighs the same, so stock
    /// that sat for a week weighs seven times stock that sat for a day.
    DailyTimeWeighted,
}

/// Options of the turn metrics.
///
/// ```
/// use merchantry_metrics::{AverageMethod, Period, TurnOptions};
/// let opts = TurnOptions::default().with_average(AverageMethod::PeriodEnds(Period::Month));
/// assert_eq!(opts.days_per_year, 365);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TurnOptions {
    /// How inventory is averaged. Default
    /// [`AverageMethod::DailyTimeWeighted`].
    pub average: AverageMethod,
    /// Days in the year used to annualise. Default 365.
    pub days_per_year: u32,
}

impl Default for TurnOptions {
    fn default() -> Self {
        Self { average: AverageMethod::DailyTimeWeighted, days_per_year: 365 }
    }
}

impl TurnOptions {
    /// Sets the averaging method.
    #[must_use]
    pub const fn with_average(mut self, average: AverageMethod) -> Self {
        self.average = average;
        self
    }

    /// Sets the days per year used to annualise (360 for a banker's year).
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidOption`] for zero days: a year of no days
    /// would annualise every turn to zero.
    pub fn with_days_per_year(mut self, days: u32) -> Result<Self> {
        self.days_per_year = days;
        self.validate()?;
        Ok(self)
    }

    /// Checks the options (fields are public and may be deserialized).
    pub(crate) fn validate(&self) -> Result<()> {
        crate::error::at_least_one_day("days_per_year", self.days_per_year)
    }
}

/// Which holdings and costs of sale count.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub enum Scope<'a> {
    /// Every location.
    Total,
    /// One location.
    Location(&'a LocationId),
    /// Every location of one kind, as the directory tells.
    Kind(LocationKind, &'a dyn LocationDirectory),
}

impl std::fmt::Debug for Scope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Total => f.write_str("Total"),
            Self::Location(l) => write!(f, "Location({l})"),
            Self::Kind(k, _) => write!(f, "Kind({k})"),
        }
    }
}

impl Scope<'_> {
    fn admits(&self, sku: &Sku, location: &LocationId) -> Result<bool> {
        match self {
            Self::Total => Ok(true),
            Self::Location(l) => Ok(*l == location),
            Self::Kind(kind, dir) => match dir.kind_of(location) {
                Some(k) => Ok(k == *kind),
                None => Err(MetricsError::UnknownLocation {
                    location: location.clone(),
                    sku: sku.clone(),
                }),
            },
        }
    }
}

/// End-of-day inventory values over a range, with the opening value: what
/// every averaging method samples from.
///
/// Built with one [`ValuationView::daily_values`] call per SKU, so every
/// method can be computed from one fetch.
///
/// With the `serde` feature a series is checked as
/// [`InventorySeries::new`] checks it on the way in: a non-empty range
/// and one value per day after the opening one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "InventorySeriesRepr", into = "InventorySeriesRepr")
)]
pub struct InventorySeries {
    range: DateRange,
    /// The opening value, then one closing value per day.
    values: Vec<Decimal>,
}

/// The serialised form of an [`InventorySeries`], unchecked until
/// `from_values` sees it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct InventorySeriesRepr {
    range: DateRange,
    values: Vec<Decimal>,
}

#[cfg(feature = "serde")]
impl TryFrom<InventorySeriesRepr> for InventorySeries {
    type Error = MetricsError;

    fn try_from(r: InventorySeriesRepr) -> Result<Self> {
        Self::from_values(r.range, r.values)
    }
}

#[cfg(feature = "serde")]
impl From<InventorySeries> for InventorySeriesRepr {
    fn from(s: InventorySeries) -> Self {
        Self { range: s.range, values: s.values }
    }
}

impl InventorySeries {
    /// A series from an opening value and one closing value per day of
    /// `range`.
    ///
    /// # Errors
    ///
    /// [`MetricsError::EmptyRange`] for an empty range and
    /// [`MetricsError::Inconsistent`] when `closes` has not one value per
    /// day.
    pub fn new(range: DateRange, opening: Decimal, closes: Vec<Decimal>) -> Result<Self> {
        let mut values = Vec::with_capacity(closes.len() + 1);
        values.push(opening);
        values.extend(closes);
        Self::from_values(range, values)
    }

    /// A series from the value at the end of the day before `range`
    /// followed by one value per day of `range`.
    fn from_values(range: DateRange, values: Vec<Decimal>) -> Result<Self> {
        if range.is_empty() {
            return Err(MetricsError::EmptyRange { start: range.start() });
        }
        if values.len() != range.len_days() as usize + 1 {
            return Err(MetricsError::Inconsistent {
                what: "inventory series",
                reason: format!(
                    "{} closing values for {} days",
                    values.len().saturating_sub(1),
                    range.len_days()
                ),
            });
        }
        Ok(Self { range, values })
    }

    /// The whole value of `sku` across locations, from one
    /// [`ValuationView::daily_values`] call over the range and the day
    /// before it.
    ///
    /// # Errors
    ///
    /// [`MetricsError::EmptyRange`], [`MetricsError::CalendarEdge`] when
    /// the day before the range does not exist,
    /// [`MetricsError::Inconsistent`] when the view returns the wrong
    /// number of values, and [`MetricsError::Overflow`] when a value sits
    /// at the decimal limit (`Decimal::MAX` or `MIN`), where the view's
    /// sums saturate.
    pub fn of_sku<V: ValuationView + ?Sized>(
        view: &V,
        sku: &Sku,
        range: DateRange,
    ) -> Result<Self> {
        let extended = with_day_before(range)?;
        let values = view.daily_values(sku, extended);
        if values.len() != extended.len_days() as usize {
            return Err(MetricsError::Inconsistent {
                what: "daily_values",
                reason: format!(
                    "view returned {} values for {} days of sku {sku}",
                    values.len(),
                    extended.len_days()
                ),
            });
        }
        if values.iter().any(|v| saturated(*v)) {
            return Err(overflow("inventory value", sku));
        }
        Self::from_values(range, values)
    }

    /// The value of `sku` held within `scope`, from one
    /// [`ValuationView::holdings`] call per day.
    ///
    /// # Errors
    ///
    /// As [`InventorySeries::of_sku`], plus
    /// [`MetricsError::UnknownLocation`] for a location the scope's
    /// directory does not know and [`MetricsError::Overflow`].
    pub fn of_scope<V: ValuationView + ?Sized>(
        view: &V,
        sku: &Sku,
        range: DateRange,
        scope: &Scope<'_>,
    ) -> Result<Self> {
        if matches!(scope, Scope::Total) {
            return Self::of_sku(view, sku, range);
        }
        let extended = with_day_before(range)?;
        let mut values = Vec::with_capacity(extended.len_days() as usize);
        for day in extended.days() {
            let mut sum = Decimal::ZERO;
            for h in view.holdings(sku, day) {
                if scope.admits(sku, &h.location)? {
                    sum = sum.checked_add(h.value).ok_or_else(|| overflow("inventory", sku))?;
                }
            }
            values.push(sum);
        }
        Self::from_values(range, values)
    }

    /// The range.
    #[must_use]
    pub const fn range(&self) -> DateRange {
        self.range
    }

    /// The value at the end of the day before the range.
    #[must_use]
    pub fn opening(&self) -> Decimal {
        self.values.first().copied().unwrap_or_default()
    }

    /// The value at the end of each day of the range.
    #[must_use]
    pub fn closes(&self) -> &[Decimal] {
        self.values.get(1..).unwrap_or_default()
    }

    /// The sum of the snapshots `method` samples and their count.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Overflow`] when the sum leaves the decimal range.
    pub fn sample(&self, method: AverageMethod) -> Result<(Decimal, u32)> {
        let too_big = || overflow_total("inventory snapshot sum");
        let opening = self.opening();
        let closes = self.closes();
        let closing = closes.last().copied().unwrap_or(opening);
        match method {
            AverageMethod::OpeningClosing => {
                Ok((opening.checked_add(closing).ok_or_else(too_big)?, 2))
            }
            AverageMethod::DailyTimeWeighted => {
                let sum = checked_sum(closes).ok_or_else(too_big)?;
                Ok((sum, self.range.len_days()))
            }
            AverageMethod::PeriodEnds(period) => {
                let last = closes.len().saturating_sub(1);
                let mut sum = opening;
                let mut n = 1_u32;
                let mut end = period.first_end_on_or_after(self.range.start());
                while let Some(day) = end.filter(|d| self.range.contains(*d)) {
                    let i = self.range.index_of(day).unwrap_or(last);
                    if i != last {
                        let v = closes.get(i).copied().unwrap_or(closing);
                        sum = sum.checked_add(v).ok_or_else(too_big)?;
                        n += 1;
                    }
                    end = day.succ_opt().and_then(|next| period.first_end_on_or_after(next));
                }
                sum = sum.checked_add(closing).ok_or_else(too_big)?;
                Ok((sum, n + 1))
            }
        }
    }
}

/// The exact sum of `values`: mantissas added as 128-bit integers when
/// every value has the same scale (the common case, and much faster than
/// decimal additions), decimal additions otherwise. `None` on overflow.
fn checked_sum(values: &[Decimal]) -> Option<Decimal> {
    let Some(first) = values.first() else {
        return Some(Decimal::ZERO);
    };
    let scale = first.scale();
    let mut acc: i128 = 0;
    for v in values {
        if v.scale() != scale {
            return values.iter().try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v));
        }
        // Each mantissa is below 2^96, so 2^31 of them cannot overflow.
        acc = acc.checked_add(v.mantissa())?;
    }
    Decimal::try_from_i128_with_scale(acc, scale)
        .ok()
        .or_else(|| values.iter().try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v)))
}

/// Whether `v` sits at the edge of the decimal range, where core's
/// [`ValuationView`] sums saturate instead of failing: such a value is an
/// overflowed sum, not an amount.
fn saturated(v: Decimal) -> bool {
    // Field reads only (this runs once per SKU-day): MAX and MIN are the
    // only decimals whose mantissa is all ones at scale 0.
    v.scale() == 0 && v.mantissa().unsigned_abs() == Decimal::MAX.mantissa().unsigned_abs()
}

fn with_day_before(range: DateRange) -> Result<DateRange> {
    if range.is_empty() {
        return Err(MetricsError::EmptyRange { start: range.start() });
    }
    let before =
        range.start().pred_opt().ok_or(MetricsError::CalendarEdge { start: range.start() })?;
    Ok(DateRange::new(before, range.end())?)
}

/// The additive parts of a turn: COGS, the sum of inventory snapshots and
/// their count, for one SKU or many.
///
/// Parts of SKUs measured over the same range with the same method merge
/// by adding, so a portfolio's turn is its total COGS over its total
/// average inventory, and work split across machines by SKU can be
/// combined afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TurnParts {
    /// The currency of every amount.
    pub currency: Currency,
    /// The range measured.
    pub range: DateRange,
    /// How inventory was averaged.
    pub method: AverageMethod,
    /// Cost of goods sold over the range.
    pub cogs: Decimal,
    /// The sum of the sampled inventory snapshots.
    pub inventory_sum: Decimal,
    /// How many snapshots were sampled.
    pub samples: u32,
}

impl TurnParts {
    /// The parts of one SKU, in `scope`.
    ///
    /// # Errors
    ///
    /// [`MetricsError::EmptyRange`] for an empty range;
    /// [`MetricsError::UnknownLocation`] for a location the scope's
    /// directory lacks; [`MetricsError::Overflow`];
    /// [`MetricsError::Inconsistent`] when the view returns the wrong
    /// number of daily values.
    pub fn measure<V: ValuationView + ?Sized>(
        view: &V,
        sku: &Sku,
        range: DateRange,
        scope: &Scope<'_>,
        options: &TurnOptions,
    ) -> Result<Self> {
        let series = InventorySeries::of_scope(view, sku, range, scope)?;
        let cogs = scoped_cogs(view, sku, range, scope)?;
        Self::from_series(view.currency(), &series, cogs, options.average)
    }

    /// Parts from a series already fetched and its COGS.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Overflow`] when the snapshot sum overflows.
    pub fn from_series(
        currency: Currency,
        series: &InventorySeries,
        cogs: Decimal,
        method: AverageMethod,
    ) -> Result<Self> {
        let (inventory_sum, samples) = series.sample(method)?;
        Ok(Self { currency, range: series.range(), method, cogs, inventory_sum, samples })
    }

    /// Adds `other` (another SKU over the same range and method) to these
    /// parts.
    ///
    /// # Errors
    ///
    /// [`MetricsError::CurrencyMismatch`] for another currency,
    /// [`MetricsError::Inconsistent`] for another range, method or sample
    /// count, [`MetricsError::Overflow`]; on error `self` is unchanged.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if other.currency != self.currency {
            return Err(MetricsError::CurrencyMismatch {
                what: "turn parts",
                expected: self.currency,
                got: other.currency,
            });
        }
        if (other.range, other.method, other.samples) != (self.range, self.method, self.samples) {
            return Err(MetricsError::Inconsistent {
                what: "turn parts",
                reason: format!(
                    "cannot merge {:?} over {} ({} samples) into {:?} over {} ({} samples)",
                    other.method, other.range, other.samples, self.method, self.range, self.samples
                ),
            });
        }
        let cogs = self.cogs.checked_add(other.cogs).ok_or_else(|| overflow_total("cogs"))?;
        let sum = self
            .inventory_sum
            .checked_add(other.inventory_sum)
            .ok_or_else(|| overflow_total("inventory snapshot sum"))?;
        self.cogs = cogs;
        self.inventory_sum = sum;
        Ok(())
    }

    /// The turn metrics these parts give.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Overflow`] when an intermediate product overflows;
    /// [`MetricsError::InvalidOption`] for zero `days_per_year`;
    /// [`MetricsError::Inconsistent`] for zero `samples` (parts built by
    /// hand or deserialized: no snapshot, no average).
    pub fn finish(&self, options: &TurnOptions) -> Result<InventoryTurn> {
        options.validate()?;
        self.check_samples()?;
        let n = Decimal::from(self.samples);
        let days = Decimal::from(self.range.len_days());
        let year = Decimal::from(options.days_per_year);
        let too_big = |what| overflow_total(what);
        let average_inventory =
            self.inventory_sum.checked_div(n).ok_or_else(|| too_big("average"))?;
        let itr = match ratio(self.cogs, self.inventory_sum, self.samples)? {
            Metric::Value(_) if self.cogs < Decimal::ZERO => {
                Metric::Undefined(Undefined::NegativeCostOfSales)
            }
            itr => itr,
        };
        let annualised_itr = match itr {
            // COGS x n x year / (sum x days), or ITR x year / days when
            // those products pass the decimal range.
            Metric::Value(itr) => Metric::Value(
                exact_ratio(&[self.cogs, n, year], &[self.inventory_sum, days])
                    .or_else(|| mul_div(itr, year, days))
                    .ok_or_else(|| too_big("annualised itr"))?,
            ),
            Metric::Undefined(why) => Metric::Undefined(why),
        };
        let dio_days = match itr {
            Metric::Value(_) if self.cogs.is_zero() => Metric::Undefined(Undefined::NoCostOfSales),
            // Sum x days / (COGS x n), or average x days / COGS.
            Metric::Value(_) => Metric::Value(
                exact_ratio(&[self.inventory_sum, days], &[self.cogs, n])
                    .or_else(|| mul_div(average_inventory, days, self.cogs))
                    .ok_or_else(|| too_big("dio"))?,
            ),
            Metric::Undefined(why) => Metric::Undefined(why),
        };
        Ok(InventoryTurn {
            currency: self.currency,
            range: self.range,
            method: self.method,
            cogs: self.cogs,
            inventory_sum: self.inventory_sum,
            samples: self.samples,
            average_inventory,
            itr,
            annualised_itr,
            dio_days,
        })
    }
}

impl TurnParts {
    /// Refuses parts of no snapshot, whose average does not exist.
    fn check_samples(&self) -> Result<()> {
        if self.samples == 0 {
            return Err(MetricsError::Inconsistent {
                what: "turn parts",
                reason: format!(
                    "0 samples over {} (inventory sum {})",
                    self.range, self.inventory_sum
                ),
            });
        }
        Ok(())
    }
}

/// `amount x samples / inventory_sum` (amount over the average),
/// undefined when the average inventory (the sum over `samples`, as
/// reported: 28 decimal places) is not positive, so a sum of 1e-28 over 2
/// samples, whose average reads 0, has no turn.
fn ratio(amount: Decimal, inventory_sum: Decimal, samples: u32) -> Result<Metric<Decimal>> {
    let n = Decimal::from(samples);
    let average = inventory_sum.checked_div(n).ok_or_else(|| overflow_total("average"))?;
    if average.is_zero() {
        return Ok(Metric::Undefined(Undefined::ZeroAverageInventory));
    }
    if average < Decimal::ZERO {
        return Ok(Metric::Undefined(Undefined::NegativeAverageInventory));
    }
    exact_ratio(&[amount, n], &[inventory_sum])
        .or_else(|| amount.checked_div(average))
        .map(Metric::Value)
        .ok_or_else(|| overflow_total("ratio"))
}

/// The product of `nums` over the product of `dens`, with one division;
/// `None` when a product or the quotient leaves the decimal range (or a
/// denominator is zero).
fn exact_ratio(nums: &[Decimal], dens: &[Decimal]) -> Option<Decimal> {
    let product = |xs: &[Decimal]| xs.iter().try_fold(Decimal::ONE, |a, x| a.checked_mul(*x));
    product(nums)?.checked_div(product(dens)?)
}

/// `a x b / c`, dividing first when `a x b` alone leaves the decimal
/// range (one extra rounding, only where the exact form cannot be held).
fn mul_div(a: Decimal, b: Decimal, c: Decimal) -> Option<Decimal> {
    match a.checked_mul(b) {
        Some(p) => p.checked_div(c),
        None => a.checked_div(c)?.checked_mul(b),
    }
}

fn scoped_cogs<V: ValuationView + ?Sized>(
    view: &V,
    sku: &Sku,
    range: DateRange,
    scope: &Scope<'_>,
) -> Result<Decimal> {
    if matches!(scope, Scope::Total) {
        let cogs = view.cogs(sku, range);
        if saturated(cogs) {
            return Err(overflow("cogs", sku));
        }
        return Ok(cogs);
    }
    let mut sum = Decimal::ZERO;
    for c in view.cost_of_sales(sku, range) {
        if scope.admits(sku, &c.location)? {
            sum = sum.checked_add(c.cost).ok_or_else(|| overflow("cogs", sku))?;
        }
    }
    Ok(sum)
}

/// Inventory turn, annualised turn and days inventory outstanding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InventoryTurn {
    /// The currency of the amounts.
    pub currency: Currency,
    /// The range measured.
    pub range: DateRange,
    /// How inventory was averaged.
    pub method: AverageMethod,
    /// Cost of goods sold over the range.
    pub cogs: Decimal,
    /// The sum of the sampled inventory snapshots.
    pub inventory_sum: Decimal,
    /// How many snapshots were sampled.
    pub samples: u32,
    /// The average inventory value, `inventory_sum / samples` (rounded
    /// once, for display; the ratios are computed from the unrounded sum).
    pub average_inventory: Decimal,
    /// COGS / average inventory.
    pub itr: Metric<Decimal>,
    /// ITR x days per year / days in the range.
    pub annualised_itr: Metric<Decimal>,
    /// Days in the range / ITR: how many days the average stock lasts at
    /// the range's rate of sale.
    pub dio_days: Metric<Decimal>,
}

impl InventoryTurn {
    /// The additive parts this turn was computed from, to merge with
    /// others.
    #[must_use]
    pub const fn parts(&self) -> TurnParts {
        TurnParts {
            currency: self.currency,
            range: self.range,
            method: self.method,
            cogs: self.cogs,
            inventory_sum: self.inventory_sum,
            samples: self.samples,
        }
    }
}

/// The turn of one SKU across every location.
///
/// # Errors
///
/// As [`TurnParts::measure`] and [`TurnParts::finish`].
///
/// # Example
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{CostOfSale, Currency, DateRange, Decimal, Holding, Disposition,
///     LocationId, Quantity, Sku, ValuationTable};
/// use merchantry_metrics::{inventory_turn, AverageMethod, TurnOptions};
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
/// let sku = Sku::new("MUG")?;
/// let wh = LocationId::new("WH1")?;
/// let mut t = ValuationTable::new(Currency::USD);
/// let hold = |v| Holding { location: wh.clone(), disposition: Disposition::Sellable,
///     quantity: Quantity::new(1), value: Decimal::from(v) };
/// t.holdings.push((d(3, 31), sku.clone(), hold(1_000)));  // opening
/// t.holdings.push((d(4, 30), sku.clone(), hold(3_000)));  // closing
/// t.cost_of_sales.push((sku.clone(), CostOfSale { date: d(4, 15), location: wh.clone(),
///     channel: None, quantity: Quantity::new(10), cost: Decimal::from(4_000) }));
/// let april = DateRange::inclusive(d(4, 1), d(4, 30))?;
/// let opts = TurnOptions::default().with_average(AverageMethod::OpeningClosing);
/// let turn = inventory_turn(&t, &sku, april, &opts)?;
/// // 4000 / ((1000 + 3000) / 2) = 2 turns in 30 days
/// assert_eq!(turn.itr.value(), Some(Decimal::from(2)));
/// assert_eq!(turn.dio_days.value(), Some(Decimal::from(15)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn inventory_turn<V: ValuationView + ?Sized>(
    view: &V,
    sku: &Sku,
    range: DateRange,
    options: &TurnOptions,
) -> Result<InventoryTurn> {
    options.validate()?;
    TurnParts::measure(view, sku, range, &Scope::Total, options)?.finish(options)
}

/// The turn of a portfolio (a set of SKUs) within `scope`: total COGS
/// over total average inventory.
///
/// # Errors
///
/// As [`TurnParts::measure`] and [`TurnParts::finish`] (checked before
/// any SKU is measured); [`MetricsError::DuplicateSku`] for a SKU listed
/// twice, which would count its COGS and stock twice. An empty `skus` is
/// not an error: an empty portfolio has zero inventory and an undefined
/// turn.
pub fn portfolio_turn<V: ValuationView + ?Sized>(
    view: &V,
    skus: &[Sku],
    range: DateRange,
    scope: &Scope<'_>,
    options: &TurnOptions,
) -> Result<InventoryTurn> {
    options.validate()?;
    crate::error::distinct_skus(skus)?;
    let mut total = TurnParts::from_series(
        view.currency(),
        &InventorySeries::new(
            range,
            Decimal::ZERO,
            vec![Decimal::ZERO; range.len_days() as usize],
        )?,
        Decimal::ZERO,
        options.average,
    )?;
    for sku in skus {
        total.merge(&TurnParts::measure(view, sku, range, scope, options)?)?;
    }
    total.finish(options)
}

/// GMROI, gross margin return on inventory investment: (revenue - COGS) /
/// average inventory value, over the range of `parts` and not annualised.
///
/// # Errors
///
/// [`MetricsError::CurrencyMismatch`] when `revenue` is in another
/// currency than the parts; [`MetricsError::Inconsistent`] for parts of
/// zero samples; [`MetricsError::Overflow`].
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{Currency, DateRange, Decimal, Money};
/// use merchantry_metrics::{gmroi, AverageMethod, TurnParts};
/// let range = DateRange::starting(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 31)?;
/// let parts = TurnParts { currency: Currency::USD, range, method: AverageMethod::OpeningClosing,
///     cogs: Decimal::from(600), inventory_sum: Decimal::from(800), samples: 2 };
/// // (1000 - 600) / (800 / 2) = 1
/// let g = gmroi(&parts, Money::new(Decimal::from(1000), Currency::USD))?;
/// assert_eq!(g.value(), Some(Decimal::ONE));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn gmroi(parts: &TurnParts, revenue: Money) -> Result<Metric<Decimal>> {
    if revenue.currency() != parts.currency {
        return Err(MetricsError::CurrencyMismatch {
            what: "gmroi revenue",
            expected: parts.currency,
            got: revenue.currency(),
        });
    }
    parts.check_samples()?;
    let margin =
        revenue.amount().checked_sub(parts.cogs).ok_or_else(|| overflow_total("gross margin"))?;
    ratio(margin, parts.inventory_sum, parts.samples)
}
