//! merchantry: the engine of an ERP for marketplace sellers.
//!
//! This facade re-exports each crate of the workspace as a module, with
//! serde support turned on. A program that needs one capability can depend
//! on that crate and `merchantry-core` alone.
//!
//! | module | crate | what it does |
//! | --- | --- | --- |
//! | [`core`] | `merchantry-core` | ids, quantities, money, calendar, the traits that join the crates |
//! | [`ledger`] | `merchantry-ledger` | inventory ledger with FIFO, LIFO and moving-average valuation |
//! | [`metrics`] | `merchantry-metrics` | inventory turn, cover, aging, capital, lead-time variance |
//! | [`forecast`] | `merchantry-forecast` | demand and stage-wise lead-time forecasts |
//! | [`reorder`] | `merchantry-reorder` | reorder points, order quantities, projections, backtests |
//! | [`allocate`] | `merchantry-allocate` | per-channel available-to-sell and reservations |
//! | [`route`] | `merchantry-route` | fulfillment routing and pick waves |
//! | [`amazon`] | `merchantry-amazon` | readers for Seller Central reports and public data sets |
//!
//! The crates meet only through the traits of [`core`], so the output of
//! one feeds the next without glue. Here a ledger's stock and sales feed a
//! forecast, and both feed the reorder engine:
//!
//! ```
//! use chrono::{Days, NaiveDate, TimeZone, Utc};
//! use merchantry::core::{
//!     ChannelId, DateRange, Days as LeadDays, DemandForecast, Disposition, EventId,
//!     LeadTimeEstimate, LocationId, OrderId, Quantity, Sku, StockView,
//! };
//! use merchantry::forecast::{ForecastOptions, Forecaster};
//! use merchantry::ledger::{Event, EventKind, Ledger, LedgerOptions};
//! use merchantry::reorder::{LotSize, Planner, PlannerOptions, Policy, PolicyConfig, SkuInput};
//! use rust_decimal::Decimal;
//!
//! let (sku, fba) = (Sku::new("BLENDER-SET")?, LocationId::new("FBA-US")?);
//! let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
//! let at = |d: u64, h| Utc.from_utc_datetime(&(day0 + Days::new(d)).and_hms_opt(h, 0, 0).unwrap());
//! let mut ledger = Ledger::new(LedgerOptions::default());
//! let receipt = EventKind::receipt(Quantity::new(1_000), Decimal::new(1850, 2));
//! ledger.ingest(Event::new(EventId::new("r-1")?, at(0, 8), sku.clone(), fba.clone(), receipt))?;
//! for d in 0..60 {
//!     let sale = EventKind::shipment(Quantity::new(12), ChannelId::new("amazon")?,
//!         OrderId::new(format!("o-{d}"))?);
//!     ledger.ingest(Event::new(EventId::new(format!("s-{d}"))?, at(d, 12), sku.clone(),
//!         fba.clone(), sale))?;
//! }
//!
//! // Sixty days of sales, read back from the ledger, fitted.
//! let history = DateRange::starting(day0, 60)?;
//! let forecasts = Forecaster::new(ForecastOptions::default()).fit(&ledger, history);
//! let today = day0 + Days::new(60);
//! let forecast = forecasts.forecast_demand(&sku, today, 120).unwrap();
//!
//! // Stock on hand from the ledger, a 30 +/- 5 day lead time.
//! let lead = LeadTimeEstimate { mean: LeadDays::whole(30), std_dev: LeadDays::whole(5),
//!     stages: vec![], quantiles: vec![] };
//! let mut input = SkuInput::new(sku.clone(), fba.clone(), today, forecast, lead);
//! input.on_hand = ledger.quantity(&sku, &fba, Disposition::Sellable, today);
//! assert_eq!(input.on_hand, Quantity::new(280)); // 1,000 - 60 x 12
//!
//! let policy = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
//! let rec = Planner::new(PlannerOptions::new(policy))?.recommend(&input)?;
//! // 12 a day over 30 days is 360 before safety stock: 280 on hand is too little.
//! assert!(rec.triggered && rec.order.is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//!
//! - `serde` (default): `Serialize` and `Deserialize` on every public data
//!   type of every crate, decimals as strings.
//! - `parallel`: forecasting and batch reorder recommendations on rayon
//!   threads, with results identical to one thread.

#![forbid(unsafe_code)]

pub use merchantry_allocate as allocate;
pub use merchantry_amazon as amazon;
pub use merchantry_core as core;
pub use merchantry_forecast as forecast;
pub use merchantry_ledger as ledger;
pub use merchantry_metrics as metrics;
pub use merchantry_reorder as reorder;
pub use merchantry_route as route;
