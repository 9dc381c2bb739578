//! Days of supply, weeks of cover, sell-through, fill rate, stock-out days
//! and lost sales.
//!
//! # Definitions
//!
//! - **Days of supply** = supply units / forecast daily demand, where
//!   supply is the sellable and in-transit units at every location plus,
//!   when [`CoverOptions::include_inbound`] (the default), inbound units;
//!   reserved units (already promised to customers) and unsellable units
//!   are not supply. Forecast daily demand is the mean forecast over the
//!   [`CoverOptions::horizon_days`] days after `as_of` (over the days it
//!   covers when the forecast ends sooner; days past the horizon that a
//!   source returns anyway are not averaged in).
//!   **Weeks of cover** = days of supply / 7. Supply below zero (an
//!   oversold SKU) covers no number of days: both are
//!   [`Undefined::NegativeStock`] rather than a negative count, whatever
//!   the forecast (when there is one).
//! - **Sell-through rate** = units sold / units available over a range,
//!   the retail definition, where units available are the units on hand
//!   at the start plus the units received. This crate counts the units
//!   available as units sold + ending units, which equals on hand at the
//!   start plus received whenever only sales and receipts moved stock
//!   (write-offs and count corrections make the two differ; a valuation
//!   view reports no receipts, so the end-state form is the one it can
//!   answer). Units sold are the quantities of the view's costs of sale
//!   (net of returns); ending units are the units held at the end of the
//!   range in every disposition except inbound, summed over locations.
//!   The rate is a share, so it always lies in `[0, 1]`: ending units
//!   below zero (oversold: more shipped than held) are
//!   [`Undefined::NegativeStock`], and units sold below zero (more
//!   returned than sold) are [`Undefined::NetReturns`], rather than a
//!   rate above 1 or below 0. Nothing sold and nothing left is
//!   [`Undefined::NoUnits`].
//! - **Unit fill rate** = units filled / units demanded.
//! - **Stock-out days** are the days [`DemandHistory`] flags; **in-stock
//!   velocity** = units demanded on in-stock days / in-stock days;
//!   **lost sales** = stock-out days x in-stock velocity; the **estimated
//!   fill rate** = units demanded / (units demanded + lost sales). Both
//!   are computed from whole-unit counts with one final division
//!   (lost = in-stock units x stock-out days / in-stock days), never from
//!   the rounded velocity, so a velocity of 2/3 a day over 3 stock-out
//!   days loses exactly 2 units. [`DemandHistory`] may net returns into
//!   a day (the ledger does), so a day with more returns than sales is
//!   below zero; returns are not demand, and such a day counts as a day
//!   of no demand, in stock or not. (Netted as they are, returns on a
//!   stock-out day would lower the units demanded but not the lost
//!   sales: 10 sold on an in-stock day and 10 returned on a stock-out
//!   day would give an estimated fill rate of 0.) Lost sales are
//!   therefore never negative and the estimated fill rate always lies
//!   in `[0, 1]`. A day's own returns still lower a day that sold more
//!   than came back, as the series carries no more. A whole flagged
//!   day counts as lost: the ledger flags a day that sold out during it,
//!   so that day's own sales leave
//!   the in-stock velocity and a full day's velocity is counted lost, an
//!   estimate on the high side for a day that ran out late; a history
//!   that flags only days opening at zero gives a lower one.
//!
//! Ratios of whole units are [`Decimal`]; anything derived from a float
//! forecast is `f64`, converted at the forecast boundary.

use chrono::NaiveDate;
use merchantry_core::{
    CostOfSale, DateRange, DemandForecast, DemandHistory, Disposition, Holding, Quantity, Sku,
    StockView, ValuationView,
};
use rust_decimal::Decimal;

use crate::error::{MetricsError, Result, overflow};
use crate::metric::{Metric, Undefined};

/// Options of [`days_of_supply`].
///
/// ```
/// use merchantry_metrics::CoverOptions;
/// let o = CoverOptions::default();
/// assert_eq!((o.horizon_days, o.include_inbound), (28, true));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct CoverOptions {
    /// Days of forecast averaged into the daily demand rate. Default 28.
    pub horizon_days: u32,
    /// Whether inbound units count as supply. Default `true`.
    pub include_inbound: bool,
}

impl Default for CoverOptions {
    fn default() -> Self {
        Self { horizon_days: 28, include_inbound: true }
    }
}

impl CoverOptions {
    /// Sets the forecast horizon averaged.
    ///
    /// # Errors
    ///
    /// [`MetricsError::InvalidOption`] for zero days (no rate to average).
    pub fn with_horizon_days(mut self, days: u32) -> Result<Self> {
        self.horizon_days = days;
        self.validate()?;
        Ok(self)
    }

    /// Checks the options (fields are public and may be deserialized).
    pub(crate) fn validate(&self) -> Result<()> {
        crate::error::at_least_one_day("horizon_days", self.horizon_days)
    }

    /// Sets whether inbound units count as supply.
    #[must_use]
    pub const fn with_inbound(mut self, include: bool) -> Self {
        self.include_inbound = include;
        self
    }
}

/// How long stock lasts at the forecast rate.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Cover {
    /// Units counted as supply.
    pub supply_units: Quantity,
    /// Mean forecast units per day, or why there is none.
    pub daily_demand: Metric<f64>,
    /// Supply / daily demand.
    pub days_of_supply: Metric<f64>,
    /// Days of supply / 7.
    pub weeks_of_cover: Metric<f64>,
}

/// Days of supply and weeks of cover of `sku` at the end of `as_of`.
///
/// Undefined, with the reason, when there is no forecast
/// ([`Undefined::NoForecast`]), the supply is negative
/// ([`Undefined::NegativeStock`]) or the forecast rate is zero
/// ([`Undefined::NoDemand`]), in that order.
///
/// # Errors
///
/// [`MetricsError::Overflow`] when the supply units overflow, or the
/// days of supply pass the range of `f64` (a rate near zero but not
/// zero); [`MetricsError::InvalidOption`] for a zero horizon.
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use merchantry_core::{DailyForecast, Disposition, LocationId, Quantity, Sku, StockRecord};
/// use merchantry_metrics::{days_of_supply, CoverOptions};
/// let d = |day| NaiveDate::from_ymd_opt(2026, 5, day).unwrap();
/// let sku = Sku::new("MUG")?;
/// let stock = vec![StockRecord { as_of: d(1), sku: sku.clone(),
///     location: LocationId::new("FBA")?, disposition: Disposition::Sellable,
///     quantity: Quantity::new(120) }];
/// let mut fc = BTreeMap::new();
/// fc.insert(sku.clone(), DailyForecast::new(d(2), vec![4.0; 28], vec![1.0; 28])?);
/// let cover = days_of_supply(&stock, &fc, &sku, d(1), &CoverOptions::default())?;
/// assert_eq!(cover.days_of_supply.value(), Some(30.0)); // 120 / 4
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn days_of_supply<S, F>(
    stock: &S,
    forecast: &F,
    sku: &Sku,
    as_of: NaiveDate,
    options: &CoverOptions,
) -> Result<Cover>
where
    S: StockView + ?Sized,
    F: DemandForecast + ?Sized,
{
    options.validate()?;
    let mut supply = Quantity::ZERO;
    for p in stock.positions(sku, as_of) {
        let counts = match p.disposition {
            Disposition::Sellable | Disposition::InTransit => true,
            Disposition::Inbound => options.include_inbound,
            _ => false,
        };
        if counts {
            supply = supply.checked_add(p.quantity).map_err(|_| overflow("supply units", sku))?;
        }
    }
    let daily_demand = as_of
        .succ_opt()
        .and_then(|start| forecast.forecast_demand(sku, start, options.horizon_days))
        .filter(|f| !f.is_empty())
        .map_or(Metric::Undefined(Undefined::NoForecast), |f| {
            // At most the horizon asked for, whatever the source returns;
            // fewer days when the forecast ends sooner.
            let days = f.len().min(options.horizon_days as usize);
            let (total, _) = f.total(days);
            #[expect(clippy::cast_precision_loss, reason = "a horizon is far below 2^52 days")]
            Metric::Value(total / days as f64)
        });
    let days_of_supply = daily_demand.and_then(|rate| {
        if supply.is_negative() {
            Metric::Undefined(Undefined::NegativeStock)
        } else if rate > 0.0 {
            Metric::Value(supply.as_f64() / rate)
        } else {
            Metric::Undefined(Undefined::NoDemand)
        }
    });
    if days_of_supply.value().is_some_and(|d| !d.is_finite()) {
        // A rate so small that the days pass f64 (1e-306 a day).
        return Err(overflow("days of supply", sku));
    }
    let weeks_of_cover = days_of_supply.map(|d| d / 7.0);
    Ok(Cover { supply_units: supply, daily_demand, days_of_supply, weeks_of_cover })
}

/// Units sold against units left over a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SellThrough {
    /// Units sold in the range, net of returns.
    pub units_sold: Quantity,
    /// Units held at the end of the range, inbound excluded.
    pub ending_units: Quantity,
    /// Sold / (sold + ending), within `[0, 1]`; undefined for negative
    /// ending units ([`Undefined::NegativeStock`]), negative units sold
    /// ([`Undefined::NetReturns`]) or no units at all
    /// ([`Undefined::NoUnits`]), checked in that order.
    pub rate: Metric<Decimal>,
}

/// The sell-through rate of `sku` over `range`: units sold / (units
/// sold + units held at the end), a share within `[0, 1]`. See the
/// [module docs](self) for the convention and when it is undefined.
///
/// # Errors
///
/// [`MetricsError::EmptyRange`] for an empty range,
/// [`MetricsError::Overflow`] when unit sums overflow.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{CostOfSale, Currency, DateRange, Decimal, Disposition, Holding,
///     LocationId, Quantity, Sku, ValuationTable};
/// use merchantry_metrics::sell_through;
/// let d = |day| NaiveDate::from_ymd_opt(2026, 6, day).unwrap();
/// let sku = Sku::new("MUG")?;
/// let wh = LocationId::new("WH")?;
/// let mut t = ValuationTable::new(Currency::USD);
/// t.cost_of_sales.push((sku.clone(), CostOfSale { date: d(3), location: wh.clone(),
///     channel: None, quantity: Quantity::new(30), cost: Decimal::from(90) }));
/// t.holdings.push((d(1), sku.clone(), Holding { location: wh, disposition: Disposition::Sellable,
///     quantity: Quantity::new(70), value: Decimal::from(210) }));
/// let june = DateRange::inclusive(d(1), d(30))?;
/// // 30 / (30 + 70) = 0.3
/// assert_eq!(sell_through(&t, &sku, june)?.rate.value(), Some(Decimal::new(3, 1)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sell_through<V: ValuationView + ?Sized>(
    view: &V,
    sku: &Sku,
    range: DateRange,
) -> Result<SellThrough> {
    let last = range.last().ok_or(MetricsError::EmptyRange { start: range.start() })?;
    sell_through_of(sku, &view.cost_of_sales(sku, range), &view.holdings(sku, last))
}

/// Sell-through from costs of sale already fetched for the range and the
/// holdings at its last day.
pub(crate) fn sell_through_of(
    sku: &Sku,
    sales: &[CostOfSale],
    ending: &[Holding],
) -> Result<SellThrough> {
    let mut sold = Quantity::ZERO;
    for c in sales {
        sold = sold.checked_add(c.quantity).map_err(|_| overflow("units sold", sku))?;
    }
    let mut left = Quantity::ZERO;
    for h in ending {
        if h.disposition != Disposition::Inbound {
            left = left.checked_add(h.quantity).map_err(|_| overflow("ending units", sku))?;
        }
    }
    let available = sold.checked_add(left).map_err(|_| overflow("units", sku))?;
    let rate = if left.is_negative() {
        Metric::Undefined(Undefined::NegativeStock)
    } else if sold.is_negative() {
        Metric::Undefined(Undefined::NetReturns)
    } else {
        unit_ratio(sold, available)
    };
    Ok(SellThrough { units_sold: sold, ending_units: left, rate })
}

/// `num / den` as a decimal, undefined when `den` is not positive.
fn unit_ratio(num: Quantity, den: Quantity) -> Metric<Decimal> {
    if den.get() <= 0 {
        return Metric::Undefined(Undefined::NoUnits);
    }
    Decimal::from(num.get())
        .checked_div(Decimal::from(den.get()))
        .map_or(Metric::Undefined(Undefined::NoUnits), Metric::Value)
}

/// The unit fill rate: units filled / units demanded.
///
/// # Errors
///
/// [`MetricsError::Inconsistent`] when a count is negative or more units
/// were filled than demanded.
///
/// ```
/// use merchantry_core::{Decimal, Quantity};
/// use merchantry_metrics::fill_rate;
/// let r = fill_rate(Quantity::new(95), Quantity::new(100))?;
/// assert_eq!(r.value(), Some(Decimal::new(95, 2)));
/// # Ok::<(), merchantry_metrics::MetricsError>(())
/// ```
pub fn fill_rate(filled: Quantity, demanded: Quantity) -> Result<Metric<Decimal>> {
    if filled.is_negative() || demanded.is_negative() || filled > demanded {
        return Err(MetricsError::Inconsistent {
            what: "fill rate",
            reason: format!("{filled} units filled of {demanded} demanded"),
        });
    }
    Ok(unit_ratio(filled, demanded))
}

/// `num / den` (`den` positive) as one decimal division.
fn exact_ratio(num: i128, den: i128, sku: &Sku) -> Result<Decimal> {
    let too_big = || overflow("lost sales", sku);
    let num = Decimal::try_from_i128_with_scale(num, 0).map_err(|_| too_big())?;
    let den = Decimal::try_from_i128_with_scale(den, 0).map_err(|_| too_big())?;
    num.checked_div(den).ok_or_else(too_big)
}

/// Stock-out days of a SKU over a range and the sales they cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Stockouts {
    /// Days in the range.
    pub days: u32,
    /// Days flagged stocked out.
    pub stockout_days: u32,
    /// Units demanded over every day of the range, a day of net returns
    /// (below zero) counted as none.
    pub units_demanded: Quantity,
    /// Units demanded on in-stock days, counted the same way.
    pub in_stock_units: Quantity,
    /// In-stock units / in-stock days, zero or more; undefined with no
    /// in-stock day ([`Undefined::NoInStockDays`]).
    pub velocity: Metric<Decimal>,
    /// Stock-out days x velocity, in (fractional) units, zero or more;
    /// undefined when the velocity is.
    pub lost_sales_units: Metric<Decimal>,
    /// Units demanded / (units demanded + lost sales), within `[0, 1]`;
    /// undefined when the velocity is, or when units demanded and lost
    /// sales are both zero ([`Undefined::NoUnits`]).
    pub estimated_fill_rate: Metric<Decimal>,
}

/// Stock-out days, in-stock velocity and the lost-sales estimate of `sku`
/// over `range`.
///
/// A day below zero (more returned than sold, as [`DemandHistory`]
/// allows) counts as a day of no demand; see the [module docs](self).
///
/// # Errors
///
/// [`MetricsError::EmptyRange`] for an empty range,
/// [`MetricsError::Inconsistent`] when the history's series does not cover
/// the range, [`MetricsError::Overflow`] when the unit sums overflow.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::{DateRange, Decimal, DemandRecord, Quantity, Sku};
/// use merchantry_metrics::stockouts;
/// let d = |day| NaiveDate::from_ymd_opt(2026, 7, day).unwrap();
/// let sku = Sku::new("MUG")?;
/// let rec = |day, units, out| DemandRecord { sku: sku.clone(), date: d(day),
///     units: Quantity::new(units), stocked_out: out };
/// let history = vec![rec(1, 6, false), rec(2, 4, false), rec(3, 0, true), rec(4, 2, true)];
/// let s = stockouts(&history, &sku, DateRange::inclusive(d(1), d(4))?)?;
/// // velocity = (6 + 4) / 2 = 5 a day; lost = 2 stock-out days x 5 = 10
/// assert_eq!(s.lost_sales_units.value(), Some(Decimal::from(10)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stockouts<H: DemandHistory + ?Sized>(
    history: &H,
    sku: &Sku,
    range: DateRange,
) -> Result<Stockouts> {
    if range.is_empty() {
        return Err(MetricsError::EmptyRange { start: range.start() });
    }
    let series = history.daily_demand(sku, range);
    if series.len() != range.len_days() as usize {
        return Err(MetricsError::Inconsistent {
            what: "daily_demand",
            reason: format!(
                "{} days for a range of {} for sku {sku}",
                series.len(),
                range.len_days()
            ),
        });
    }
    // Plain integer sums, a day of net returns (below zero) counted as no
    // demand: this loop runs once per day per SKU.
    let (mut total, mut in_stock, mut out_days) = (0_i64, 0_i64, 0_u32);
    let too_big = || overflow("units demanded", sku);
    for (units, out) in series.units().iter().zip(series.stocked_out()) {
        let demanded = units.get().max(0);
        total = total.checked_add(demanded).ok_or_else(too_big)?;
        if *out {
            out_days += 1;
        } else {
            in_stock = in_stock.checked_add(demanded).ok_or_else(too_big)?;
        }
    }
    let (total, in_stock) = (Quantity::new(total), Quantity::new(in_stock));
    let in_days = range.len_days() - out_days;
    // With no in-stock day there is no velocity, so no lost sales or fill
    // rate either.
    let no_velocity = (in_days == 0).then_some(Undefined::NoInStockDays);
    // Lost sales and the fill rate each take one division of exact
    // integers, so a repeating velocity (2 / 3 a day) is not rounded and
    // multiplied back (3 x 0.666...67 = 2.000...01): lost = in-stock
    // units x out days / in days, and fill = demanded x in days /
    // (demanded x in days + in-stock units x out days). Every product is
    // below 2^63 x 2^32 in magnitude, so it fits an i128, and every sum
    // is zero or more, so the lost numerator is too.
    let (in_days_wide, out_days_wide) = (i128::from(in_days), i128::from(out_days));
    let lost_numerator = i128::from(in_stock.get()) * out_days_wide;
    let demanded_scaled = i128::from(total.get()) * in_days_wide;
    let (velocity, lost, estimated_fill_rate) = match no_velocity {
        Some(why) => (Metric::Undefined(why), Metric::Undefined(why), Metric::Undefined(why)),
        None => {
            let velocity = Metric::Value(Decimal::from(in_stock.get()) / Decimal::from(in_days));
            let lost = Metric::Value(exact_ratio(lost_numerator, in_days_wide, sku)?);
            let fill = if demanded_scaled + lost_numerator > 0 {
                Metric::Value(exact_ratio(demanded_scaled, demanded_scaled + lost_numerator, sku)?)
            } else {
                Metric::Undefined(Undefined::NoUnits)
            };
            (velocity, lost, fill)
        }
    };
    Ok(Stockouts {
        days: range.len_days(),
        stockout_days: out_days,
        units_demanded: total,
        in_stock_units: in_stock,
        velocity,
        lost_sales_units: lost,
        estimated_fill_rate,
    })
}
