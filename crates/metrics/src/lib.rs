//! The operating metrics a seller audits: how fast stock turns, how long
//! it lasts, how old it is, where the cash sits, and how far lead times
//! stray from their forecasts.
//!
//! Every metric is computed from the seams of [`merchantry_core`] only
//! ([`ValuationView`](merchantry_core::ValuationView),
//! [`StockView`](merchantry_core::StockView),
//! [`DemandHistory`](merchantry_core::DemandHistory),
//! [`DemandForecast`](merchantry_core::DemandForecast),
//! [`LeadTimeHistory`](merchantry_core::LeadTimeHistory),
//! [`LocationDirectory`](merchantry_core::LocationDirectory)), so the
//! ledger, a spreadsheet export or a warehouse system can feed it.
//!
//! ```
//! use chrono::NaiveDate;
//! use merchantry_core::{CostOfSale, Currency, DateRange, Decimal, Disposition, Holding,
//!     LocationId, Quantity, Sku, ValuationTable};
//! use merchantry_metrics::{inventory_turn, TurnOptions};
//!
//! let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
//! let sku = Sku::new("KETTLE")?;
//! let wh = LocationId::new("WH1")?;
//! let mut books = ValuationTable::new(Currency::USD);
//! // 2,000 of stock every day of January, 6,200 of it sold at cost.
//! books.holdings.push((d(1, 1), sku.clone(), Holding { location: wh.clone(),
//!     disposition: Disposition::Sellable, quantity: Quantity::new(100),
//!     value: Decimal::from(2_000) }));
//! books.cost_of_sales.push((sku.clone(), CostOfSale { date: d(1, 20), location: wh,
//!     channel: None, quantity: Quantity::new(310), cost: Decimal::from(6_200) }));
//! let jan = DateRange::inclusive(d(1, 1), d(1, 31))?;
//! let turn = inventory_turn(&books, &sku, jan, &TurnOptions::default())?;
//! assert_eq!(turn.itr.value(), Some(Decimal::new(31, 1)));  // 6200 / 2000
//! assert_eq!(turn.dio_days.value(), Some(Decimal::from(10))); // 31 / 3.1
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The central types
//!
//! - [`InventoryTurn`] from [`inventory_turn`] and [`portfolio_turn`]:
//!   ITR, annualised ITR and DIO, with the average taken by an
//!   [`AverageMethod`]; [`TurnParts`] merge across SKUs and machines;
//!   [`gmroi`] beside them.
//! - [`Cover`], [`SellThrough`], [`Stockouts`]: days of supply, sell-through,
//!   stock-out days and lost sales; [`fill_rate`].
//! - [`AgingReport`] by [`AgingEdges`], [`CapitalReport`] by
//!   [`CapitalState`], [`CashConversionCycle`].
//! - [`LtvSummary`] from [`ltv_summary`], [`ltv_by_supplier`],
//!   [`ltv_by_lane`] and [`ltv_by_stage`]; [`replenishment_variance`] for
//!   one order.
//! - [`sku_metrics`] and [`portfolio_metrics`]: the full set at once.
//! - [`margin::net_margins`]: net margin per SKU and channel after every
//!   marketplace fee, with stated attribution rules and the unattributed
//!   remainder shown; [`margin::sales_from_valuation`] draws each line's
//!   units and COGS from a `ValuationView` such as the ledger.
//!
//! # Conventions
//!
//! Money stays [`rust_decimal::Decimal`]: ITR, DIO, GMROI, sell-through and
//! fill rate are exact decimal ratios of money or whole units, with one
//! final division. Metrics built on float inputs (demand forecasts,
//! lead-time statistics) are `f64`, converted at that input. A metric
//! that is undefined for valid input is [`Metric::Undefined`] with an
//! [`Undefined`] reason, never NaN, an infinity or a panic; input that
//! cannot be measured is a [`MetricsError`]. Each module states its
//! definitions.
//!
//! # What this crate does not do
//!
//! It keeps no state, opens no file and reads no clock: the range and the
//! "as of" day are arguments. It does not convert currencies: amounts in
//! different currencies never combine. It does not forecast; it reads a
//! [`DemandForecast`](merchantry_core::DemandForecast).
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` for every public data type;
//!   decimals travel as strings. Types that keep an invariant, such as
//!   [`AgingReport`] and [`CapitalReport`], are checked on the way in.

#![forbid(unsafe_code)]

pub mod aging;
pub mod capital;
pub mod cash;
pub mod cover;
pub mod error;
pub mod leadtime;
pub mod margin;
pub mod metric;
pub mod set;
mod stats;
pub mod turn;

pub use aging::{AgingBucket, AgingEdges, AgingReport, aging};
pub use capital::{CapitalReport, CapitalRow, CapitalState, Stake, capital_tied_up};
pub use cash::CashConversionCycle;
pub use cover::{
    Cover, CoverOptions, SellThrough, Stockouts, days_of_supply, fill_rate, sell_through, stockouts,
};
pub use error::{MetricsError, Result};
pub use leadtime::{
    Direction, LtvOptions, LtvSummary, ReplenishmentVariance, StageVariance, Trend, ltv_by_lane,
    ltv_by_stage, ltv_by_supplier, ltv_summary, replenishment_variance,
};
pub use metric::{Metric, Undefined};
pub use set::{
    PeriodChoice, PortfolioMetrics, SetOptions, SkuMetrics, Sources, portfolio_metrics, sku_metrics,
};
pub use turn::{
    AverageMethod, InventorySeries, InventoryTurn, Period, Scope, TurnOptions, TurnParts, gmroi,
    inventory_turn, portfolio_turn,
};
