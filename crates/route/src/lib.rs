//! Fulfillment routing and pick waves: which node ships each order line,
//! when it leaves, when it arrives and what it costs, for orders a seller
//! ships from its own warehouses, through 3PLs, or through FBA
//! Multi-Channel Fulfillment.
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use merchantry_core::*;
//! use merchantry_route::*;
//! use rust_decimal::Decimal;
//!
//! // Two nodes: a New Jersey warehouse (cheap, slow) and FBA MCF.
//! let mut nj = Node::new(LocationId::new("NJ")?, LocationKind::OwnWarehouse,
//!     chrono_tz::America::New_York, Currency::USD);
//! nj.costs.per_package = Decimal::new(150, 2);
//! nj.costs.rates.insert(Zone(5), vec![RateTier { max_weight_g: 2000, price: Decimal::new(650, 2) }]);
//! nj.transit_days.insert((Zone(5), Speed::Standard), 4);
//! let mut fba = Node::new(LocationId::new("FBA-MCF")?, LocationKind::FbaNetwork,
//!     chrono_tz::America::Los_Angeles, Currency::USD);
//! fba.costs.per_unit = Decimal::new(899, 2);
//! fba.costs.rates.insert(Zone(5), vec![RateTier { max_weight_g: 2000, price: Decimal::ZERO }]);
//! fba.transit_days.insert((Zone(5), Speed::Standard), 2);
//!
//! let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
//! let net = Network::new(vec![nj, fba], DateRange::starting(first, 90)?)?;
//! let mut stock = Inventory::new(&net);
//! let mug = Sku::new("MUG")?;
//! for node in net.indices() {
//!     stock.set(&mug, node, Quantity::new(20));
//! }
//!
//! // Placed Monday 5 January at 10:00 New York, promised Friday.
//! let order = Order {
//!     id: OrderId::new("web-1001")?,
//!     lines: vec![OrderLine::new(mug, Quantity::new(1))],
//!     zone: Zone(5),
//!     market: None,
//!     placed_at: Utc.with_ymd_and_hms(2026, 1, 5, 15, 0, 0).unwrap(),
//!     promised_by: NaiveDate::from_ymd_opt(2026, 1, 9).unwrap(),
//!     speed: Speed::Standard,
//!     channel: ChannelId::new("shopify")?,
//! };
//! let mut router = Router::new(&net, stock);
//! let plan = router.route(&order)?.plan().cloned().unwrap();
//! // Both arrive by Friday; NJ costs 1.50 + 6.50 = 8.00, FBA 8.99.
//! assert_eq!(plan.packages[0].node.as_str(), "NJ");
//! assert_eq!(plan.cost.total(), Some(Decimal::from(8)));
//! assert_eq!(plan.expected_delivery, NaiveDate::from_ymd_opt(2026, 1, 9).unwrap());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The central types
//!
//! - [`Node`] and [`Network`]: a node's time zone, carrier cutoff per
//!   weekday, holidays, handling days, capacity, fees and rate table,
//!   transit days and eligibility rules. The network checks them once and
//!   turns every working day's local cutoff into a UTC instant, so routing
//!   does no time-zone work.
//! - [`Inventory`]: units that can ship now, per SKU and node, read from a
//!   [`StockView`](merchantry_core::StockView). Only sellable units count.
//! - [`Router`]: routes one order ([`Router::route`]) or a batch competing
//!   for the same stock and capacity ([`Router::route_batch`]) and keeps
//!   what is still free. The objective is a [`Scorer`]; the
//!   [`StandardScorer`] ranks on time first, then fewest packages, then
//!   cost (plus an optional split penalty), then the caller's node
//!   priority. See the [`router`] module for the search and batch rules.
//! - [`Outcome`]: a [`Plan`] (packages with node, ship date, delivery and
//!   [`CostBreakdown`]) or an [`Unroutable`] naming the order, the line
//!   and each node's [`Refusal`]. A plan kept or edited outside the
//!   router is held against its order with [`Plan::check`], and against
//!   the network's calendars and the order time with
//!   [`Plan::check_with`].
//! - [`plan_waves_checked`]: pick waves by carrier cutoff, pick lists
//!   along the bin path, and a [`Manifest`] per carrier and cutoff, for
//!   orders handed over with their plans (each plan checked against its
//!   order and the network first; each package on the first listed
//!   carrier of its speed whose pickup is not before the order time).
//!   [`plan_waves`] takes the plans alone, and with no order time takes
//!   the first listed carrier of the speed, left or not (see [`wave`]).
//!
//! # Conventions
//!
//! - An order placed at or before a node's cutoff instant (compared to
//!   the nanosecond) is caught by that day's pickup; later, it waits for
//!   the next working day (a weekday with a cutoff that is not a holiday
//!   and that occurred in the node's time zone, see
//!   [`local_date_exists`]). Handling days count working days after
//!   that. Daylight-saving rules: [`local_instant`].
//! - A node ships one package per order; a line ships whole from one
//!   node. Transit days are calendar days. A package's postage is the
//!   first rate tier at or above its weight.
//! - Capacity is per working day, in packages and in units.
//!
//! # What this crate does not do
//!
//! It opens no file or socket and reads no clock. It does not split one
//! line across nodes, buy postage, compute dimensional weight, or
//! convert currencies (a network prices in one currency). It never picks
//! a node silently: every refusal is reported.
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` for every public data type;
//!   decimals travel as strings.

#![forbid(unsafe_code)]

pub mod calendar;
pub mod error;
pub mod model;
mod money;
pub mod network;
pub mod plan;
pub mod router;
pub mod wave;

pub use calendar::{local_date_exists, local_instant};
/// Time zones for nodes' cut-offs and calendars, re-exported so callers
/// need not depend on `chrono-tz` themselves (for example
/// `merchantry_route::tz::America::New_York`).
pub use chrono_tz as tz;
pub use error::{Result, RouteError};
pub use model::{
    Capacity, CostModel, Dims, Eligibility, Market, Node, Order, OrderLine, RateTier, Speed,
    WeeklyCutoffs, Zone,
};
pub use network::{CALENDAR_TAIL_DAYS, Inventory, MAX_NODES, Network, NodeIndex};
pub use plan::{
    CostBreakdown, Infeasibility, Optimality, Outcome, Package, PackageLine, Plan, Refusal,
    Unroutable, UnroutableReason,
};
pub use router::{Candidate, MAX_LINES, Router, RouterOptions, Scorer, StandardScorer};
pub use wave::{
    Bin, CarrierPickup, Manifest, ManifestEntry, Pick, PickPath, Wave, plan_waves,
    plan_waves_checked,
};
