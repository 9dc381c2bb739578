//! merchantry: the engine of an ERP for marketplace sellers.
//!
//! This facade re-exports each crate of the workspace as a module. A
//! program that needs only one capability can depend on that crate and
//! `merchantry-core` alone.

#![forbid(unsafe_code)]

pub use merchantry_allocate as allocate;
pub use merchantry_amazon as amazon;
pub use merchantry_core as core;
pub use merchantry_forecast as forecast;
pub use merchantry_ledger as ledger;
pub use merchantry_metrics as metrics;
pub use merchantry_reorder as reorder;
pub use merchantry_route as route;
