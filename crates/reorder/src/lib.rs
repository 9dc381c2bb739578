//! Dynamic reorder points: when to reorder, how much, by when, and when
//! it lands.
//!
//! A fixed "days of supply" threshold fails when demand spikes or freight
//! slows down. This crate builds each SKU's reorder point from the live
//! daily demand forecast and the live lead-time forecast, nets every open
//! purchase order, shipment and transfer, fits the quantity to the
//! supplier's minimum, case pack, maximum and the destination's capacity,
//! and says why, how urgent, the latest order date and the expected
//! arrival.
//!
//! ```
//! use chrono::NaiveDate;
//! use merchantry_core::*;
//! use merchantry_reorder::*;
//!
//! let today = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
//! let forecast = DailyForecast::new(today, vec![20.0; 120], vec![5.0; 120])?;
//! let lead = LeadTimeEstimate { mean: Days::whole(10), std_dev: Days::whole(2),
//!     stages: vec![], quantiles: vec![] };
//! let mut input = SkuInput::new(Sku::new("MUG-12OZ")?, LocationId::new("FBA-US")?,
//!     today, forecast, lead);
//! input.on_hand = Quantity::new(13);
//! input.open_supply.push(OpenSupply { kind: SupplyKind::PurchaseOrder,
//!     quantity: Quantity::new(240), expected: None });
//! input.constraints.case_pack = Quantity::new(24);
//!
//! let policy = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
//! let planner = Planner::new(PlannerOptions::new(policy))?;
//! let rec = planner.recommend(&input)?;
//! // reorder point 200 + 1.6449 * sqrt(10 * 25 + 400 * 4) = 270.75;
//! // position 253 is below it: order up to 870.75, need 618 -> 26 cases
//! assert!(rec.triggered);
//! assert_eq!(rec.order.as_ref().map(|o| o.quantity), Some(Quantity::new(624)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Central types
//!
//! - [`SkuInput`]: one SKU at one destination, prepared (forecast, lead
//!   time, position, open supply, constraints, costs); build it by hand
//!   or with [`SkuInput::gather`] from core's `StockView`,
//!   `DemandForecast` and `LeadTimeForecast`.
//! - [`PolicyConfig`]: continuous review (s, Q), periodic review (R, S),
//!   min/max or days of cover, with the service target, demand model,
//!   trigger boundary and quantity rule as named choices.
//! - [`Planner`]: turns inputs into [`Recommendation`]s, one at a time or
//!   in batches ([`Planner::recommend_all`]).
//! - [`allocate_budget`] funds orders under a cash limit, the most
//!   margin at risk per unit of cost first ([`BudgetRanking`] names the
//!   choice); [`backtest()`] replays a rule over a demand history.
//!
//! Conventions (formulas and sources) are stated in [`safety`]; the
//! stability rule in [`StabilityRule`]; where whole units are rounded
//! (the trigger boundary, no demand to protect below
//! [`MIN_UNITS_TO_PROTECT`], what a triggered SKU orders) in [`Trigger`]
//! and [`QuantityRule`]; how a backtest reads a day of net returns in
//! [`backtest`](mod@backtest).
//!
//! # What this crate does not do
//!
//! It does not forecast (bring a `DemandForecast` and a
//! `LeadTimeForecast`, e.g. from merchantry-forecast), read files or
//! clocks, or place orders. Each SKU is planned on its own: supplier-level
//! minimums across SKUs and joint container filling are not modelled.
//!
//! # Features
//!
//! - `serde`: `Serialize`/`Deserialize` on every public data type.
//! - `parallel`: [`Planner::recommend_all`] and grid tuning spread work
//!   over threads with rayon; results are identical.

#![forbid(unsafe_code)]

pub mod backtest;
pub mod budget;
pub mod engine;
pub mod error;
pub mod input;
pub mod lot;
pub mod policy;
pub mod projection;
pub mod safety;

pub use backtest::{
    BacktestReport, BacktestSetup, LeadTimeSource, ReplenishmentRule, SimulatedOrder, TuningResult,
    backtest, tune_grid,
};
pub use budget::{
    BudgetPlan, BudgetRanking, FundedOrder, OrderRef, allocate_budget, allocate_budget_by,
};
pub use engine::{
    MIN_UNITS_TO_PROTECT, OrderLine, Planner, PlannerOptions, Reason, Recommendation, Stability,
    StabilityRule, TransferLine, Urgency, whole_units_up,
};
pub use error::{ReorderError, Result};
pub use input::{OpenSupply, PreviousRecommendation, SkuInput, SupplyKind, TransferSource};
pub use lot::{ConstraintApplied, Costs, SupplierConstraints, eoq};
pub use policy::{LotSize, Policy, PolicyConfig, QuantityRule, Trigger};
pub use projection::{ArrivalWindow, Projection, add_days_ceil, project, projected_stockout};
pub use safety::{
    DemandModel, DemandOverInterval, MAX_LOT, SafetyStock, ServiceTarget, gamma_expected_shortage,
    gamma_quantile, k_for_fill_rate, normal_loss, periodic_fill_rate_level, safety_stock,
    z_for_cycle_service,
};

/// The planner's output types are `#[non_exhaustive]`: they gain fields
/// between releases, so code outside the crate reads them but does not
/// build them (a struct literal or functional update is error E0639).
/// Each block below must fail to compile; one that builds means the
/// attribute was dropped.
///
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::Recommendation) -> merchantry_reorder::Recommendation {
///     merchantry_reorder::Recommendation { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::OrderLine) -> merchantry_reorder::OrderLine {
///     merchantry_reorder::OrderLine { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::TransferLine) -> merchantry_reorder::TransferLine {
///     merchantry_reorder::TransferLine { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::SafetyStock) -> merchantry_reorder::SafetyStock {
///     merchantry_reorder::SafetyStock { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::Projection) -> merchantry_reorder::Projection {
///     merchantry_reorder::Projection { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::ArrivalWindow) -> merchantry_reorder::ArrivalWindow {
///     merchantry_reorder::ArrivalWindow { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::FundedOrder) -> merchantry_reorder::FundedOrder {
///     merchantry_reorder::FundedOrder { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::BudgetPlan) -> merchantry_reorder::BudgetPlan {
///     merchantry_reorder::BudgetPlan { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::SimulatedOrder) -> merchantry_reorder::SimulatedOrder {
///     merchantry_reorder::SimulatedOrder { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::BacktestReport) -> merchantry_reorder::BacktestReport {
///     merchantry_reorder::BacktestReport { ..x }
/// }
/// ```
/// ```compile_fail,E0639
/// fn rebuild(x: merchantry_reorder::TuningResult) -> merchantry_reorder::TuningResult {
///     merchantry_reorder::TuningResult { ..x }
/// }
/// ```
#[cfg(doctest)]
struct OutputTypesAreNonExhaustive;
