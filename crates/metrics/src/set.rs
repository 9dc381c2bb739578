//! The full metric set of a SKU and of a portfolio, computed with one
//! fetch of each kind of data per SKU.

use merchantry_core::{
    DateRange, DemandForecast, DemandHistory, LocationDirectory, Sku, StockView, ValuationView,
};
use rust_decimal::Decimal;

use crate::aging::{AgingEdges, AgingReport};
use crate::capital::CapitalReport;
use crate::cover::{
    Cover, CoverOptions, SellThrough, Stockouts, days_of_supply, sell_through_of, stockouts,
};
use crate::error::{MetricsError, Result, overflow};
use crate::turn::{AverageMethod, InventorySeries, InventoryTurn, Period, TurnOptions, TurnParts};

/// Where the data comes from: one implementation of each core seam.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a, V: ?Sized, S: ?Sized, H: ?Sized, F: ?Sized, D: ?Sized> {
    /// Values, costs of sale and lots.
    pub valuation: &'a V,
    /// Units by location and disposition.
    pub stock: &'a S,
    /// Daily demand with stock-out flags.
    pub demand: &'a H,
    /// Daily demand forecast.
    pub forecast: &'a F,
    /// Location kinds.
    pub directory: &'a D,
}

/// Options of the full set.
///
/// ```
/// use merchantry_metrics::SetOptions;
/// let o = SetOptions::default();
/// assert_eq!(o.aging.edges(), &[90, 180, 270, 365]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SetOptions {
    /// Days per year used to annualise (the averaging method is ignored:
    /// the set computes all three). Default as [`TurnOptions`].
    pub turn: TurnOptions,
    /// The period of [`AverageMethod::PeriodEnds`]. Default month.
    pub period: PeriodChoice,
    /// Days of supply. Default as [`CoverOptions`].
    pub cover: CoverOptions,
    /// Aging bucket edges. Default `[90, 180, 270, 365]`.
    pub aging: AgingEdges,
}

/// The period the full set samples for its period-end turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PeriodChoice(pub Period);

impl Default for PeriodChoice {
    fn default() -> Self {
        Self(Period::Month)
    }
}

/// Every operating metric of one SKU over a range; point-in-time metrics
/// (cover, aging, capital) are taken at the end of the range's last day.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SkuMetrics {
    /// The SKU.
    pub sku: Sku,
    /// Turn with (opening + closing) / 2.
    pub turn_opening_closing: InventoryTurn,
    /// Turn with the mean of the opening and period ends.
    pub turn_period_ends: InventoryTurn,
    /// Turn with the daily time-weighted mean.
    pub turn_daily: InventoryTurn,
    /// Days of supply and weeks of cover.
    pub cover: Cover,
    /// Sell-through over the range.
    pub sell_through: SellThrough,
    /// Stock-out days and lost sales.
    pub stockouts: Stockouts,
    /// Aging at the end of the range.
    pub aging: AgingReport,
    /// Capital tied up at the end of the range.
    pub capital: CapitalReport,
}

/// The full metric set of `sku` over `range`.
///
/// Each source is asked once per kind of data: one
/// [`ValuationView::daily_values`] call feeds all three turn methods, one
/// [`ValuationView::cost_of_sales`] call gives COGS and units sold, one
/// [`ValuationView::holdings`] call gives ending units and capital.
///
/// # Errors
///
/// [`MetricsError::InvalidOption`] for a zero `turn.days_per_year` or
/// `cover.horizon_days`, checked first; then any error of the metrics it
/// computes: an empty range, an unknown location, a lot received after
/// the range, overflow. A day of demand below zero (net returns) is not
/// an error: see [`stockouts`].
pub fn sku_metrics<V, S, H, F, D>(
    sources: &Sources<'_, V, S, H, F, D>,
    sku: &Sku,
    range: DateRange,
    options: &SetOptions,
) -> Result<SkuMetrics>
where
    V: ValuationView + ?Sized,
    S: StockView + ?Sized,
    H: DemandHistory + ?Sized,
    F: DemandForecast + ?Sized,
    D: LocationDirectory + ?Sized,
{
    options.turn.validate()?;
    options.cover.validate()?;
    let last = range.last().ok_or(MetricsError::EmptyRange { start: range.start() })?;
    let view = sources.valuation;
    let currency = view.currency();

    let series = InventorySeries::of_sku(view, sku, range)?;
    let sales = view.cost_of_sales(sku, range);
    let mut cogs = Decimal::ZERO;
    for c in &sales {
        cogs = cogs.checked_add(c.cost).ok_or_else(|| overflow("cogs", sku))?;
    }
    let turn =
        |method| TurnParts::from_series(currency, &series, cogs, method)?.finish(&options.turn);
    let turn_opening_closing = turn(AverageMethod::OpeningClosing)?;
    let turn_period_ends = turn(AverageMethod::PeriodEnds(options.period.0))?;
    let turn_daily = turn(AverageMethod::DailyTimeWeighted)?;

    let holdings = view.holdings(sku, last);
    let sell_through = sell_through_of(sku, &sales, &holdings)?;
    let mut capital = CapitalReport::empty(last, currency);
    capital.add_holdings(sources.directory, sku, &holdings)?;
    let mut aging = AgingReport::empty(last, currency, &options.aging);
    aging.add_lots(sku, &view.aged_lots(sku, last), &options.aging)?;

    let cover = days_of_supply(sources.stock, sources.forecast, sku, last, &options.cover)?;
    let stockouts = stockouts(sources.demand, sku, range)?;
    Ok(SkuMetrics {
        sku: sku.clone(),
        turn_opening_closing,
        turn_period_ends,
        turn_daily,
        cover,
        sell_through,
        stockouts,
        aging,
        capital,
    })
}

/// Totals of a portfolio's full set.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PortfolioMetrics {
    /// How many SKUs.
    pub skus: usize,
    /// Portfolio turn, daily time-weighted: total COGS over total average
    /// inventory.
    pub turn_daily: InventoryTurn,
    /// Aging of every lot.
    pub aging: AgingReport,
    /// Capital of every holding.
    pub capital: CapitalReport,
    /// Stock-out days summed over SKUs.
    pub stockout_sku_days: u64,
    /// Lost sales summed over the SKUs that have an estimate.
    pub lost_sales_units: Decimal,
}

/// The full set of every SKU in `skus`, and their portfolio totals.
///
/// # Errors
///
/// As [`sku_metrics`], for the first SKU that fails;
/// [`MetricsError::DuplicateSku`] for a SKU listed twice (its stock,
/// lots and sales would count twice), checked before any SKU is measured.
pub fn portfolio_metrics<V, S, H, F, D>(
    sources: &Sources<'_, V, S, H, F, D>,
    skus: &[Sku],
    range: DateRange,
    options: &SetOptions,
) -> Result<(Vec<SkuMetrics>, PortfolioMetrics)>
where
    V: ValuationView + ?Sized,
    S: StockView + ?Sized,
    H: DemandHistory + ?Sized,
    F: DemandForecast + ?Sized,
    D: LocationDirectory + ?Sized,
{
    options.turn.validate()?;
    options.cover.validate()?;
    crate::error::distinct_skus(skus)?;
    let last = range.last().ok_or(MetricsError::EmptyRange { start: range.start() })?;
    let currency = sources.valuation.currency();
    let zero =
        InventorySeries::new(range, Decimal::ZERO, vec![Decimal::ZERO; range.len_days() as usize])?;
    let mut parts =
        TurnParts::from_series(currency, &zero, Decimal::ZERO, AverageMethod::DailyTimeWeighted)?;
    let mut aging = AgingReport::empty(last, currency, &options.aging);
    let mut capital = CapitalReport::empty(last, currency);
    let mut stockout_sku_days = 0_u64;
    let mut lost = Decimal::ZERO;
    let mut all = Vec::with_capacity(skus.len());
    for sku in skus {
        let m = sku_metrics(sources, sku, range, options)?;
        parts.merge(&m.turn_daily.parts())?;
        aging.merge(&m.aging)?;
        capital.merge(&m.capital)?;
        stockout_sku_days += u64::from(m.stockouts.stockout_days);
        if let Some(l) = m.stockouts.lost_sales_units.value() {
            lost = lost.checked_add(l).ok_or_else(|| overflow("lost sales", sku))?;
        }
        all.push(m);
    }
    let totals = PortfolioMetrics {
        skus: skus.len(),
        turn_daily: parts.finish(&options.turn)?,
        aging,
        capital,
        stockout_sku_days,
        lost_sales_units: lost,
    };
    Ok((all, totals))
}
