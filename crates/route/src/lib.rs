//! merchantry-route: see the crate README.

#![forbid(unsafe_code)]

pub mod calendar;
pub mod error;
pub mod model;
pub mod network;
pub mod plan;
pub mod router;
pub mod wave;

pub use calendar::local_instant;
pub use error::{Result, RouteError};
pub use model::{
    Capacity, CostModel, Dims, Eligibility, Market, Node, Order, OrderLine, RateTier, Speed,
    WeeklyCutoffs, Zone,
};
pub use network::{CALENDAR_TAIL_DAYS, Inventory, MAX_NODES, Network, NodeIndex};
pub use plan::{
    CostBreakdown, Infeasibility, Outcome, Package, PackageLine, Plan, Refusal, Unroutable,
    UnroutableReason,
};
pub use router::{Candidate, MAX_LINES, Router, RouterOptions, Scorer, StandardScorer};
pub use wave::{Bin, CarrierPickup, Manifest, ManifestEntry, Pick, PickPath, Wave, plan_waves};
