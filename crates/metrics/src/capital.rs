//! Capital tied up in stock, by location kind and state.
//!
//! Every holding is classified twice: by its location's
//! [`LocationKind`] and [`Disposition`] (the full matrix), and into one
//! [`CapitalState`], the question "where is my cash?":
//!
//! 1. an unsellable holding is [`CapitalState::Unsellable`], wherever it
//!    is;
//! 2. otherwise a holding at a supplier is [`CapitalState::AtSupplier`];
//! 3. otherwise a holding at an in-transit location, or inbound or in
//!    transit to any location, is [`CapitalState::InTransit`];
//! 4. otherwise the location's kind decides: own warehouse, 3PL, FBA, AWD.
//!
//! Holdings are summed signed, as the source gives them: an oversold
//! holding (fewer than zero units, a negative value) lowers its cell,
//! its state and the total rather than being clamped or refused, so the
//! report agrees with the books' total (see [`CapitalReport`]).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{
    Currency, Disposition, Holding, LocationDirectory, LocationKind, Quantity, Sku, ValuationView,
};
use rust_decimal::Decimal;

use crate::error::{MetricsError, Result, overflow};

/// Where the cash in a holding sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum CapitalState {
    /// Paid for or committed, still at the supplier.
    AtSupplier,
    /// On the water, in the air, on a truck or being received.
    InTransit,
    /// Sellable or reserved in a warehouse the seller runs.
    OwnWarehouse,
    /// Sellable or reserved at a third-party logistics provider.
    ThirdPartyLogistics,
    /// Sellable or reserved in Amazon's fulfillment network.
    Fba,
    /// In Amazon Warehousing and Distribution.
    Awd,
    /// Unfit to sell, anywhere.
    Unsellable,
    /// A location kind this version does not know.
    Other,
}

impl CapitalState {
    /// The state of a holding in `disposition` at a location of `kind`.
    #[must_use]
    pub fn classify(kind: LocationKind, disposition: Disposition) -> Self {
        if disposition == Disposition::Unsellable {
            return Self::Unsellable;
        }
        if kind == LocationKind::Supplier {
            return Self::AtSupplier;
        }
        if kind == LocationKind::InTransit
            || matches!(disposition, Disposition::Inbound | Disposition::InTransit)
        {
            return Self::InTransit;
        }
        match kind {
            LocationKind::OwnWarehouse => Self::OwnWarehouse,
            LocationKind::ThirdPartyLogistics => Self::ThirdPartyLogistics,
            LocationKind::FbaNetwork => Self::Fba,
            LocationKind::Awd => Self::Awd,
            _ => Self::Other,
        }
    }
}

/// Units and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stake {
    /// Units.
    pub units: Quantity,
    /// Their value.
    pub value: Decimal,
}

impl Stake {
    fn add(&mut self, units: Quantity, value: Decimal, sku: &Sku) -> Result<()> {
        let units = self.units.checked_add(units).map_err(|_| overflow("capital units", sku))?;
        let value = self.value.checked_add(value).ok_or_else(|| overflow("capital value", sku))?;
        *self = Self { units, value };
        Ok(())
    }
}

/// One cell of the capital matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CapitalRow {
    /// The location kind.
    pub kind: LocationKind,
    /// The disposition.
    pub disposition: Disposition,
    /// The state both give.
    pub state: CapitalState,
    /// What is held.
    pub stake: Stake,
}

/// Capital tied up on one day, for one SKU or many.
///
/// Holdings are summed as the source gives them, signed: a holding of
/// fewer than zero units (stock sold before it was booked in, an
/// oversell) or at a negative value lowers its cell, its state and the
/// total, so the report agrees with the books' total. It is neither
/// clamped to zero nor refused.
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use merchantry_core::{Currency, Decimal, Disposition, Holding, LocationId, LocationKind,
///     Quantity, Sku};
/// use merchantry_metrics::CapitalReport;
/// let day = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
/// let (wh, fba) = (LocationId::new("WH1")?, LocationId::new("FBA-US")?);
/// let dir = BTreeMap::from([(wh.clone(), LocationKind::OwnWarehouse),
///     (fba.clone(), LocationKind::FbaNetwork)]);
/// let h = |loc: &LocationId, units, value| Holding { location: loc.clone(),
///     disposition: Disposition::Sellable, quantity: Quantity::new(units),
///     value: Decimal::from(value) };
/// let mut r = CapitalReport::empty(day, Currency::USD);
/// // 3 units oversold at the warehouse (-3 units, -30.00) beside 10 at FBA.
/// r.add_holdings(&dir, &Sku::new("MUG")?, &[h(&wh, -3, -30), h(&fba, 10, 100)])?;
/// assert_eq!(r.total().units, Quantity::new(7));       // -3 + 10
/// assert_eq!(r.total().value, Decimal::from(70));      // -30 + 100
/// assert_eq!(r.rows()[0].stake.units, Quantity::new(-3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// With the `serde` feature a report is checked on the way in: its
/// cells sorted by kind then disposition with no cell twice, each
/// cell's state the one [`CapitalState::classify`] gives, and the total
/// the sum of the cells. Anything else is refused with
/// [`MetricsError::Inconsistent`] naming what was wrong. Values are
/// compared exactly; near the decimal limit (about 7.9e28), where an
/// addition rounds or a partial sum overflows, a report whose total was
/// summed in another order can be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "CapitalReportData", into = "CapitalReportData")
)]
pub struct CapitalReport {
    /// The day.
    pub as_of: NaiveDate,
    /// The currency of every value.
    pub currency: Currency,
    cells: Vec<CapitalRow>,
    total: Stake,
}

/// The serialised form of a [`CapitalReport`]: the same fields,
/// unchecked until `TryFrom` sees them.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct CapitalReportData {
    as_of: NaiveDate,
    currency: Currency,
    cells: Vec<CapitalRow>,
    total: Stake,
}

#[cfg(feature = "serde")]
impl TryFrom<CapitalReportData> for CapitalReport {
    type Error = MetricsError;

    fn try_from(d: CapitalReportData) -> Result<Self> {
        let report = Self { as_of: d.as_of, currency: d.currency, cells: d.cells, total: d.total };
        report.check()?;
        Ok(report)
    }
}

#[cfg(feature = "serde")]
impl From<CapitalReport> for CapitalReportData {
    fn from(r: CapitalReport) -> Self {
        Self { as_of: r.as_of, currency: r.currency, cells: r.cells, total: r.total }
    }
}

impl CapitalReport {
    /// An empty report.
    #[must_use]
    pub const fn empty(as_of: NaiveDate, currency: Currency) -> Self {
        let total = Stake { units: Quantity::ZERO, value: Decimal::ZERO };
        Self { as_of, currency, cells: Vec::new(), total }
    }

    /// Adds the holdings of `sku` on the report's day; on error the
    /// report is unchanged.
    ///
    /// # Errors
    ///
    /// [`MetricsError::CurrencyMismatch`] when the view's currency is not
    /// the report's, [`MetricsError::UnknownLocation`] for a location the
    /// directory lacks, [`MetricsError::Overflow`].
    pub fn add_sku<V, D>(&mut self, view: &V, directory: &D, sku: &Sku) -> Result<()>
    where
        V: ValuationView + ?Sized,
        D: LocationDirectory + ?Sized,
    {
        if view.currency() != self.currency {
            return Err(MetricsError::CurrencyMismatch {
                what: "capital report",
                expected: self.currency,
                got: view.currency(),
            });
        }
        self.add_holdings(directory, sku, &view.holdings(sku, self.as_of))
    }

    /// Adds holdings of `sku` already fetched for the report's day; on
    /// error the report is unchanged.
    ///
    /// # Errors
    ///
    /// [`MetricsError::UnknownLocation`] for a location the directory
    /// lacks, [`MetricsError::Overflow`].
    pub fn add_holdings<D: LocationDirectory + ?Sized>(
        &mut self,
        directory: &D,
        sku: &Sku,
        holdings: &[Holding],
    ) -> Result<()> {
        let mut next = self.clone();
        for h in holdings {
            let kind = directory.kind_of(&h.location).ok_or_else(|| {
                MetricsError::UnknownLocation { location: h.location.clone(), sku: sku.clone() }
            })?;
            next.cell(kind, h.disposition).add(h.quantity, h.value, sku)?;
            next.total.add(h.quantity, h.value, sku)?;
        }
        *self = next;
        Ok(())
    }

    fn cell(&mut self, kind: LocationKind, disposition: Disposition) -> &mut Stake {
        let at = match self
            .cells
            .binary_search_by_key(&(kind, disposition), |r| (r.kind, r.disposition))
        {
            Ok(at) => at,
            Err(at) => {
                let state = CapitalState::classify(kind, disposition);
                let row = CapitalRow { kind, disposition, state, stake: Stake::default() };
                self.cells.insert(at, row);
                at
            }
        };
        // `at` is in bounds: it was found or just inserted.
        &mut self.cells[at].stake
    }

    /// Adds another report on the same day; on error `self` is unchanged.
    ///
    /// # Errors
    ///
    /// [`MetricsError::CurrencyMismatch`], [`MetricsError::Inconsistent`]
    /// for another day, [`MetricsError::Overflow`].
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if other.currency != self.currency {
            return Err(MetricsError::CurrencyMismatch {
                what: "capital report",
                expected: self.currency,
                got: other.currency,
            });
        }
        if other.as_of != self.as_of {
            return Err(MetricsError::Inconsistent {
                what: "capital report",
                reason: format!(
                    "cannot merge a report of {} into one of {}",
                    other.as_of, self.as_of
                ),
            });
        }
        let too_big = || crate::error::overflow_total("capital");
        let mut next = self.clone();
        for row in &other.cells {
            let s = row.stake;
            let cell = next.cell(row.kind, row.disposition);
            let units = cell.units.checked_add(s.units).map_err(|_| too_big())?;
            let value = cell.value.checked_add(s.value).ok_or_else(too_big)?;
            *cell = Stake { units, value };
        }
        let units = next.total.units.checked_add(other.total.units).map_err(|_| too_big())?;
        let value = next.total.value.checked_add(other.total.value).ok_or_else(too_big)?;
        next.total = Stake { units, value };
        *self = next;
        Ok(())
    }

    /// Every cell with a holding, sorted by kind then disposition.
    #[must_use]
    pub fn rows(&self) -> &[CapitalRow] {
        &self.cells
    }

    /// Units and value by state, sorted by state.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Overflow`] (impossible unless the cells
    /// themselves were near the limit).
    pub fn by_state(&self) -> Result<Vec<(CapitalState, Stake)>> {
        let mut states: BTreeMap<CapitalState, Stake> = BTreeMap::new();
        for row in &self.cells {
            let stake = states.entry(row.state).or_default();
            let units = stake.units.checked_add(row.stake.units);
            let value = stake.value.checked_add(row.stake.value);
            match (units, value) {
                (Ok(units), Some(value)) => *stake = Stake { units, value },
                _ => return Err(crate::error::overflow_total("capital by state")),
            }
        }
        Ok(states.into_iter().collect())
    }

    /// Units and value over every cell.
    #[must_use]
    pub const fn total(&self) -> Stake {
        self.total
    }

    /// Checks what `add_holdings` and `merge` keep true: cells strictly
    /// sorted by (kind, disposition), each with its classified state, and
    /// a total equal to their sum.
    #[cfg(feature = "serde")]
    fn check(&self) -> Result<()> {
        let bad = |reason: String| MetricsError::Inconsistent { what: "capital report", reason };
        let key = |r: &CapitalRow| (r.kind, r.disposition);
        for pair in self.cells.windows(2) {
            if let [a, b] = pair
                && key(a) >= key(b)
            {
                let (kind, disposition) = key(b);
                return Err(bad(if key(a) == key(b) {
                    format!("cell ({kind}, {disposition}) is listed twice")
                } else {
                    format!(
                        "cell ({kind}, {disposition}) comes after ({}, {}): cells must be \
                         sorted by kind then disposition",
                        a.kind, a.disposition
                    )
                }));
            }
        }
        let mut sum = Stake::default();
        for row in &self.cells {
            let (kind, disposition) = key(row);
            let state = CapitalState::classify(kind, disposition);
            if row.state != state {
                return Err(bad(format!(
                    "cell ({kind}, {disposition}) has state {:?}, but that kind and \
                     disposition give {state:?}",
                    row.state
                )));
            }
            let units = sum.units.checked_add(row.stake.units).ok();
            let value = sum.value.checked_add(row.stake.value);
            let (Some(units), Some(value)) = (units, value) else {
                return Err(bad("the cells sum past the range of units or value".to_owned()));
            };
            sum = Stake { units, value };
        }
        if sum != self.total {
            return Err(bad(format!(
                "total is {} units worth {}, but the cells sum to {} units worth {}",
                self.total.units, self.total.value, sum.units, sum.value
            )));
        }
        Ok(())
    }
}

/// The capital tied up by `skus` at the end of `as_of`.
///
/// # Errors
///
/// As [`CapitalReport::add_sku`]; [`MetricsError::DuplicateSku`] for a
/// SKU listed twice, whose holdings would count twice.
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use merchantry_core::{Currency, Decimal, Disposition, Holding, LocationId, LocationKind,
///     Quantity, Sku, ValuationTable};
/// use merchantry_metrics::{capital_tied_up, CapitalState};
/// let day = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
/// let sku = Sku::new("MUG")?;
/// let (fba, ship) = (LocationId::new("FBA-US")?, LocationId::new("OCEAN-1")?);
/// let mut dir = BTreeMap::new();
/// dir.insert(fba.clone(), LocationKind::FbaNetwork);
/// dir.insert(ship.clone(), LocationKind::InTransit);
/// let mut t = ValuationTable::new(Currency::USD);
/// let h = |loc: &LocationId, v| Holding { location: loc.clone(),
///     disposition: Disposition::Sellable, quantity: Quantity::new(1), value: Decimal::from(v) };
/// t.holdings.push((day, sku.clone(), h(&fba, 300)));
/// t.holdings.push((day, sku.clone(), h(&ship, 700)));
/// let r = capital_tied_up(&t, &dir, &[sku], day)?;
/// let states = r.by_state()?;
/// assert_eq!(states[0].0, CapitalState::InTransit);
/// assert_eq!(states[0].1.value, Decimal::from(700));
/// assert_eq!(r.total().value, Decimal::from(1000));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn capital_tied_up<V, D>(
    view: &V,
    directory: &D,
    skus: &[Sku],
    as_of: NaiveDate,
) -> Result<CapitalReport>
where
    V: ValuationView + ?Sized,
    D: LocationDirectory + ?Sized,
{
    crate::error::distinct_skus(skus)?;
    let mut report = CapitalReport::empty(as_of, view.currency());
    for sku in skus {
        report.add_sku(view, directory, sku)?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use merchantry_core::LocationId;

    use super::*;

    fn holding(location: &LocationId, disposition: Disposition, units: i64, value: i64) -> Holding {
        Holding {
            location: location.clone(),
            disposition,
            quantity: Quantity::new(units),
            value: Decimal::from(value),
        }
    }

    #[test]
    fn oversold_stock_is_summed_signed_in_cells_states_and_total() {
        let day = NaiveDate::from_ymd_opt(2026, 8, 1).unwrap();
        let (wh, tpl) = (LocationId::new("WH").unwrap(), LocationId::new("3PL").unwrap());
        let dir = BTreeMap::from([
            (wh.clone(), LocationKind::OwnWarehouse),
            (tpl.clone(), LocationKind::ThirdPartyLogistics),
        ]);
        let sku = Sku::new("MUG").unwrap();
        let mut r = CapitalReport::empty(day, Currency::USD);
        // WH: 5 sellable (50.00), then 8 sold: -3 units at -30.00 in the
        // same cell gives 2 units worth 20. 3PL: oversold by 4 (-4, -44).
        let holdings = [
            holding(&wh, Disposition::Sellable, 5, 50),
            holding(&wh, Disposition::Sellable, -3, -30),
            holding(&tpl, Disposition::Sellable, -4, -44),
        ];
        r.add_holdings(&dir, &sku, &holdings).unwrap();
        let units: Vec<i64> = r.rows().iter().map(|row| row.stake.units.get()).collect();
        assert_eq!(units, [2, -4]);
        // Total: 5 - 3 - 4 = -2 units, 50 - 30 - 44 = -24: below zero,
        // kept as the books carry it.
        assert_eq!(r.total(), Stake { units: Quantity::new(-2), value: Decimal::from(-24) });
        let states = r.by_state().unwrap();
        assert_eq!(
            states,
            [
                (CapitalState::OwnWarehouse, Stake { units: Quantity::new(2), value: 20.into() }),
                (
                    CapitalState::ThirdPartyLogistics,
                    Stake { units: Quantity::new(-4), value: Decimal::from(-44) }
                ),
            ]
        );
        // Merging the report into itself doubles every signed figure.
        let mut twice = r.clone();
        twice.merge(&r).unwrap();
        assert_eq!(twice.total(), Stake { units: Quantity::new(-4), value: Decimal::from(-48) });
    }
}
