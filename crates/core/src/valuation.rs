//! Inventory value and cost of goods sold: the [`ValuationView`] seam.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::calendar::DateRange;
use crate::id::{ChannelId, LocationId, Sku};
use crate::money::Currency;
use crate::quantity::Quantity;
use crate::stock::Disposition;

/// Units and their carrying value at one location in one disposition.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Holding {
    /// Where.
    pub location: LocationId,
    /// In what state.
    pub disposition: Disposition,
    /// How many units.
    pub quantity: Quantity,
    /// Their value in the view's currency.
    pub value: Decimal,
}

/// The cost recognised for units that left to customers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CostOfSale {
    /// The day the cost was recognised.
    pub date: NaiveDate,
    /// The location the units left from.
    pub location: LocationId,
    /// The channel they were sold through, when known.
    pub channel: Option<ChannelId>,
    /// Units sold net of returns.
    pub quantity: Quantity,
    /// Their cost in the view's currency (net of returns' cost).
    pub cost: Decimal,
}

/// Units still held that arrived together, with the day they arrived:
/// the input of inventory aging.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AgedLot {
    /// Where the units are.
    pub location: LocationId,
    /// The day they were received.
    pub received_on: NaiveDate,
    /// How many are left.
    pub quantity: Quantity,
    /// Their value in the view's currency.
    pub value: Decimal,
}

/// Inventory value at a date and cost of goods sold over a range, in one
/// currency.
///
/// The four required methods are the data; the defaulted ones derive
/// totals from them and may be overridden for speed (the ledger answers
/// them from running totals). Sums are pinned at the ends of the decimal
/// range instead of panicking, and only when the total lies beyond them:
/// a partial sum that leaves the range and comes back does not change
/// the total. Within the range the order of the terms matters only as
/// `Decimal`'s rounding does: sums that need more than 28 significant
/// digits (fractions beside values near `Decimal::MAX`) round, each
/// addition in turn.
pub trait ValuationView {
    /// The currency every amount of this view is in.
    fn currency(&self) -> Currency;

    /// Every SKU the view values, sorted.
    fn valuation_skus(&self) -> Vec<Sku>;

    /// The holdings of `sku` at the end of `as_of`.
    fn holdings(&self, sku: &Sku, as_of: NaiveDate) -> Vec<Holding>;

    /// Costs recognised for `sku` on days in `range`.
    fn cost_of_sales(&self, sku: &Sku, range: DateRange) -> Vec<CostOfSale>;

    /// The lots of `sku` held at the end of `as_of`, with receipt dates.
    fn aged_lots(&self, sku: &Sku, as_of: NaiveDate) -> Vec<AgedLot>;

    /// Value of `sku` across locations at the end of `as_of`.
    fn inventory_value(&self, sku: &Sku, as_of: NaiveDate) -> Decimal {
        saturating_total(self.holdings(sku, as_of).iter().map(|h| h.value))
    }

    /// Cost of goods sold for `sku` over `range`.
    fn cogs(&self, sku: &Sku, range: DateRange) -> Decimal {
        saturating_total(self.cost_of_sales(sku, range).iter().map(|c| c.cost))
    }

    /// End-of-day value of `sku` for each day of `range`.
    fn daily_values(&self, sku: &Sku, range: DateRange) -> Vec<Decimal> {
        range.days().map(|d| self.inventory_value(sku, d)).collect()
    }
}

/// The sum of `values`, in their order while no partial sum leaves the
/// decimal range. When one does, the terms are added again largest first
/// and alternating in sign (a negative one while the sum is at or above
/// zero, a positive one below it), which keeps every partial sum within
/// the largest term until one sign runs out: the result is pinned at an
/// end of the range only when the total lies beyond it.
fn saturating_total(values: impl Iterator<Item = Decimal> + Clone) -> Decimal {
    let mut total = Decimal::ZERO;
    for v in values.clone() {
        match total.checked_add(v) {
            Some(sum) => total = sum,
            None => return balanced_total(values),
        }
    }
    total
}

/// [`saturating_total`] after a partial sum left the range.
fn balanced_total(values: impl Iterator<Item = Decimal>) -> Decimal {
    let (mut up, mut down): (Vec<Decimal>, Vec<Decimal>) =
        values.partition(|v| v.is_sign_positive());
    // Popped from the end: largest magnitudes first.
    up.sort_unstable();
    down.sort_unstable_by(|a, b| b.cmp(a));
    let mut total = Decimal::ZERO;
    loop {
        let next = if total >= Decimal::ZERO {
            down.pop().or_else(|| up.pop())
        } else {
            up.pop().or_else(|| down.pop())
        };
        let Some(v) = next else { return total };
        total = total.saturating_add(v);
    }
}

impl<T: ValuationView + ?Sized> ValuationView for &T {
    fn currency(&self) -> Currency {
        (**self).currency()
    }

    fn valuation_skus(&self) -> Vec<Sku> {
        (**self).valuation_skus()
    }

    fn holdings(&self, sku: &Sku, as_of: NaiveDate) -> Vec<Holding> {
        (**self).holdings(sku, as_of)
    }

    fn cost_of_sales(&self, sku: &Sku, range: DateRange) -> Vec<CostOfSale> {
        (**self).cost_of_sales(sku, range)
    }

    fn aged_lots(&self, sku: &Sku, as_of: NaiveDate) -> Vec<AgedLot> {
        (**self).aged_lots(sku, as_of)
    }

    fn inventory_value(&self, sku: &Sku, as_of: NaiveDate) -> Decimal {
        (**self).inventory_value(sku, as_of)
    }

    fn cogs(&self, sku: &Sku, range: DateRange) -> Decimal {
        (**self).cogs(sku, range)
    }

    fn daily_values(&self, sku: &Sku, range: DateRange) -> Vec<Decimal> {
        (**self).daily_values(sku, range)
    }
}

/// Plain data implementing [`ValuationView`]: dated holding snapshots,
/// cost-of-sale records and aged lots, as a spreadsheet export would give.
///
/// Holdings and lots answer "as of `d`" with the latest snapshot dated on
/// or before `d` for that SKU (a snapshot lists all of a SKU's holdings on
/// its date, so it replaces earlier ones whole).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ValuationTable {
    /// The currency of every amount.
    pub currency: Currency,
    /// `(date, sku, holding)` snapshot rows.
    pub holdings: Vec<(NaiveDate, Sku, Holding)>,
    /// `(sku, cost)` rows.
    pub cost_of_sales: Vec<(Sku, CostOfSale)>,
    /// `(date, sku, lot)` snapshot rows.
    pub lots: Vec<(NaiveDate, Sku, AgedLot)>,
}

impl ValuationTable {
    /// An empty table in `currency`.
    #[must_use]
    pub fn new(currency: Currency) -> Self {
        Self { currency, holdings: Vec::new(), cost_of_sales: Vec::new(), lots: Vec::new() }
    }
}

fn latest_snapshot<'a, T>(
    rows: &'a [(NaiveDate, Sku, T)],
    sku: &Sku,
    as_of: NaiveDate,
) -> impl Iterator<Item = &'a T> {
    let date = rows.iter().filter(|(d, s, _)| s == sku && *d <= as_of).map(|(d, _, _)| *d).max();
    let sku = sku.clone();
    rows.iter().filter(move |(d, s, _)| Some(*d) == date && *s == sku).map(|(_, _, t)| t)
}

impl ValuationView for ValuationTable {
    fn currency(&self) -> Currency {
        self.currency
    }

    fn valuation_skus(&self) -> Vec<Sku> {
        let mut skus: Vec<Sku> = self
            .holdings
            .iter()
            .map(|(_, s, _)| s.clone())
            .chain(self.cost_of_sales.iter().map(|(s, _)| s.clone()))
            .collect();
        skus.sort();
        skus.dedup();
        skus
    }

    fn holdings(&self, sku: &Sku, as_of: NaiveDate) -> Vec<Holding> {
        latest_snapshot(&self.holdings, sku, as_of).cloned().collect()
    }

    fn cost_of_sales(&self, sku: &Sku, range: DateRange) -> Vec<CostOfSale> {
        self.cost_of_sales
            .iter()
            .filter(|(s, c)| s == sku && range.contains(c.date))
            .map(|(_, c)| c.clone())
            .collect()
    }

    fn aged_lots(&self, sku: &Sku, as_of: NaiveDate) -> Vec<AgedLot> {
        latest_snapshot(&self.lots, sku, as_of).cloned().collect()
    }
}
