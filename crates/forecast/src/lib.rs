//! Demand and lead-time forecasting for marketplace sellers.
//!
//! A reorder point rests on two forecasts: daily demand, and the days a
//! replenishment takes to arrive. This crate builds both and hands them
//! out through core's [`DemandForecast`](merchantry_core::DemandForecast)
//! and [`LeadTimeForecast`](merchantry_core::LeadTimeForecast) traits.
//!
//! ```
//! use chrono::NaiveDate;
//! use merchantry_core::{DateRange, DemandForecast, DemandRecord, Quantity, Sku};
//! use merchantry_forecast::{ForecastOptions, Forecaster, ModelKind};
//!
//! let day0 = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
//! let sku = Sku::new("GARLIC-PRESS")?;
//! // 90 days at 10 a day, the last 5 out of stock (recorded as 0).
//! let history: Vec<DemandRecord> = (0..90)
//!     .map(|i| DemandRecord {
//!         sku: sku.clone(),
//!         date: day0 + chrono::Days::new(i),
//!         units: Quantity::new(if i < 85 { 10 } else { 0 }),
//!         stocked_out: i >= 85,
//!     })
//!     .collect();
//! let set = Forecaster::new(ForecastOptions::default())
//!     .fit(&history, DateRange::starting(day0, 90)?);
//! let fit = set.get(&sku).unwrap();
//! assert_eq!(fit.fit.kind(), ModelKind::Ses);
//! assert!(fit.velocity.raw < 9.5 && fit.velocity.adjusted == 10.0);
//! let week = set.forecast_demand(&sku, day0 + chrono::Days::new(90), 7).unwrap();
//! assert!((week.total(7).0 - 70.0).abs() < 1e-6);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Central types
//!
//! - [`DemandModel`]: one trait for every demand model, fitting a series
//!   into a [`Fitted`] state that forecasts a mean and a standard deviation
//!   per period. Models: [`MovingAverage`], [`Ses`], [`Holt`],
//!   [`SeasonalIndices`] (ratio-to-mean or classical indices,
//!   [`SeasonalMethod`]), [`HoltWinters`], [`Croston`], [`Sba`], [`Tsb`],
//!   [`Adida`], [`Imapa`]; [`Auto`] picks one by demand class
//!   ([`classify()`]); [`Reactive`] resets the level after a jump.
//! - [`Forecaster`]: fits every SKU of a
//!   [`DemandHistory`](merchantry_core::DemandHistory) ([`Forecaster::fit`])
//!   or of a slice of series ([`Forecaster::fit_all`]), handling stock-out
//!   days ([`Preparation`], [`Velocity`]), into a [`ForecastSet`] with a
//!   calendar of known events ([`EventCalendar`]).
//! - [`LeadTimeModel`]: stage-wise lead times per lane with recency
//!   weights and live overrides ([`LiveOverride`]); [`OrderForecast`]
//!   keeps the forecast made at order time.
//! - Accuracy: [`mae`], [`rmse`], [`mape`], [`smape`], [`mase`], [`bias`],
//!   [`Accuracy`] and the rolling-origin [`Backtest`].
//!
//! # Accuracy on real slow-moving demand
//!
//! The example `carparts_accuracy` scores every model and the automatic
//! choice on the 2,674 monthly car-parts series of Hyndman et al. (2008),
//! holding out the final 12 months; see the crate README for the table.
//!
//! # What this crate does not do
//!
//! It opens no file and reads no clock: histories, dates and options come
//! in as arguments. It does not set reorder points or safety stock (the
//! reorder crate does), and it does not model cross-SKU effects
//! (cannibalisation, halo) or price elasticity.
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` for every public data type;
//!   saved lead-time models, lane models, order forecasts and fitted
//!   demand models ([`Fitted`], so the fits of a saved [`ForecastSet`])
//!   are checked as they load ([`ForecastError::InvalidRecord`]).
//!   Configured models are saved under their kind, alone as in a
//!   [`ModelSpec`], and load only as that kind
//!   ([`ForecastError::ModelMismatch`]).
//! - `parallel`: [`Forecaster::fit`] and [`Forecaster::fit_all`] fit SKUs
//!   on rayon's threads; the [`ForecastSet`] is identical, bit for bit, to
//!   the single-threaded one.

#![forbid(unsafe_code)]

pub mod accuracy;
pub mod classify;
mod error;
pub mod events;
pub mod forecaster;
pub mod intermittent;
pub mod leadtime;
pub mod model;
mod optim;
pub mod prepare;
pub mod reactive;
pub mod select;
#[cfg(feature = "serde")]
mod serde_checks;
pub mod smoothing;

pub use accuracy::{
    Accuracy, Backtest, BacktestReport, bias, mae, mape, mase, naive_scale, rmse, smape,
};
pub use classify::{ADI_CUTOFF, CV2_CUTOFF, Classification, DemandClass, classify};
pub use error::{ForecastError, Result};
pub use events::{EventCalendar, KnownEvent};
pub use forecaster::{ForecastOptions, ForecastSet, Forecaster, SkuForecast};
pub use intermittent::{Adida, Croston, Imapa, Sba, Tsb};
pub use leadtime::{
    LaneModel, LeadTimeModel, LeadTimeOptions, LiveOverride, OrderForecast, StageDistribution,
};
pub use model::{DemandModel, Fitted, Forecast, MAX_HORIZON, ModelKind, Parameters, SeasonalMode};
pub use prepare::{
    Negatives, PartialStockout, Preparation, Prepared, Treatment, Velocity, prepare, prepare_values,
};
pub use reactive::{ChangePoint, Reactive};
pub use select::{Auto, ClassRule, ModelSpec};
pub use smoothing::{
    Holt, HoltWinters, MovingAverage, SeasonalIndices, SeasonalMethod, Ses, SesStart,
};
