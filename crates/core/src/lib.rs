//! The shared vocabulary of merchantry.
//!
//! Every other merchantry crate depends on this one and on no other
//! domain crate; they meet through the traits defined here:
//!
//! | trait | says | implemented by |
//! | --- | --- | --- |
//! | [`StockView`] | units by SKU, location and disposition as of a day | the ledger, [`StockRecord`] slices |
//! | [`DemandHistory`] | daily units demanded, stock-out days flagged | the ledger, [`DemandRecord`] slices |
//! | [`ValuationView`] | inventory value at a day, COGS over a range | the ledger, [`ValuationTable`] |
//! | [`LeadTimeHistory`] | finished replenishments and their stages | [`Replenishment`] slices |
//! | [`DemandForecast`] | a daily mean and spread over a horizon | the forecast crate, maps |
//! | [`LeadTimeForecast`] | days from order to sellable, with spread | the forecast crate, maps |
//!
//! The values are validated newtypes: identifiers ([`Sku`],
//! [`LocationId`], ...) that reject empty, overlong, control-character
//! and invisible text (compared by code point, not normalised);
//! [`Quantity`], whole units with checked arithmetic; [`Money`] and
//! [`UnitCost`] on exact decimals with an ISO 4217 [`Currency`];
//! [`ServiceLevel`], [`Ratio`], [`Days`] and [`DateRange`].
//!
//! ```
//! use merchantry_core::{Currency, Quantity, Sku, UnitCost};
//! use rust_decimal::Decimal;
//!
//! let sku = Sku::new("BLENDER-SET")?;
//! let cost = UnitCost::new(Decimal::new(1250, 2), Currency::USD)?;
//! let value = cost.extend(Quantity::new(40))?;
//! assert_eq!(value.to_string(), "500.00 USD");
//! # let _ = sku;
//! # Ok::<(), merchantry_core::CoreError>(())
//! ```
//!
//! # What this crate does not do
//!
//! It opens no file or socket and reads no clock: dates and times come in
//! as arguments. It never rounds money except when asked to for
//! presentation.
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` for every public data type.
//!   Decimals travel as strings; identifiers and bounded numbers are
//!   validated again on the way in.

#![forbid(unsafe_code)]

pub mod calendar;
pub mod demand;
pub mod error;
pub mod fee;
pub mod forecast;
pub mod id;
pub mod leadtime;
pub mod level;
pub mod money;
pub mod quantity;
pub mod special;
pub mod stock;
pub mod valuation;

pub use calendar::{DateRange, Days, MAX_DAYS};
pub use demand::{DemandHistory, DemandRecord, DemandSeries};
pub use error::{CoreError, Result, ShortFloat};
pub use fee::FeeKind;
pub use forecast::{
    DailyForecast, DemandForecast, LeadTimeEstimate, LeadTimeForecast, MAX_DAILY_UNITS,
    StageEstimate,
};
pub use id::{
    Asin, ChannelId, EventId, Fnsku, LocationId, OrderId, PurchaseOrderId, Sku, SupplierId,
};
pub use leadtime::{Lane, LeadTimeHistory, Replenishment, Stage, StageDuration, TransportMode};
pub use level::{Ratio, ServiceLevel};
pub use money::{Currency, Money, UnitCost};
pub use quantity::Quantity;
pub use stock::{
    Disposition, LocationDirectory, LocationKind, StockPosition, StockRecord, StockView,
};
pub use valuation::{AgedLot, CostOfSale, Holding, ValuationTable, ValuationView};

/// Re-exported so callers name the same decimal type.
pub use rust_decimal::Decimal;
