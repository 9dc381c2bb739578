//! The whole-business simulation, in three parts:
//!
//! - [`world`]: the system under test (ledger, allocator, router) fed a
//!   recorded stream of operations, with every DESIGN.md invariant as a
//!   check. Replaying a stream into a fresh world is how a failure is
//!   reproduced and shrunk.
//! - [`business`]: the seeded generator, a year of a synthetic seller
//!   whose decisions (routing, forecasts, lead times, reorders,
//!   transfers) read the world's state and come back as operations.
//! - [`shrink`]: delta debugging of a failing stream.

pub(crate) mod business;
pub(crate) mod shrink;
pub(crate) mod world;

use chrono::{DateTime, NaiveDate, Utc};
use merchantry::core::{ChannelId, LocationId, Sku};

/// SKUs in the catalogue. SKU `s` belongs to group `s % 3`: fast movers
/// kept in FBA (with a back-up buffer in the own warehouse), oversized
/// items kept in the own warehouse, seasonal items kept at the 3PL.
pub(crate) const SKUS: usize = 36;
/// The nodes, in the order every per-node array uses.
pub(crate) const NODES: [&str; 3] = ["FBA-US", "WH-NJ", "3PL-TX"];
pub(crate) const FBA: usize = 0;
pub(crate) const WH: usize = 1;
pub(crate) const TPL: usize = 2;
/// The sales channels.
pub(crate) const CHANNELS: [&str; 3] = ["amazon", "web", "ebay"];
pub(crate) const AMAZON: usize = 0;
pub(crate) const WEB: usize = 1;
pub(crate) const EBAY: usize = 2;
/// The nodes each channel sells from, in the allocator's priority order:
/// Amazon from FBA; the web store from the warehouse, the 3PL and FBA
/// Multi-Channel Fulfillment; eBay from the warehouse and the 3PL (FBA
/// MCF refuses eBay orders).
pub(crate) const LINKS: [&[usize]; 3] = [&[FBA], &[WH, TPL, FBA], &[WH, TPL]];

/// The first simulated day.
pub(crate) fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// Simulated day `d` as a date.
pub(crate) fn date(d: usize) -> NaiveDate {
    start() + chrono::Days::new(d as u64)
}

/// `minute` minutes into simulated day `d`, UTC.
pub(crate) fn at(d: usize, minute: u32) -> DateTime<Utc> {
    date(d).and_hms_opt(minute / 60, minute % 60, 0).unwrap().and_utc()
}

/// An instant after every simulated event: balances "now".
pub(crate) fn far() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2100, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc()
}

/// An instant before every simulated event (opening value zero).
pub(crate) fn epoch() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc()
}

pub(crate) fn sku_id(s: usize) -> Sku {
    Sku::new(format!("SIM-{s:03}")).unwrap()
}

pub(crate) fn node_id(n: usize) -> LocationId {
    LocationId::new(NODES[n]).unwrap()
}

pub(crate) fn channel_id(c: usize) -> ChannelId {
    ChannelId::new(CHANNELS[c]).unwrap()
}

/// The node a SKU is replenished at.
pub(crate) const fn home(s: usize) -> usize {
    match s % 3 {
        0 => FBA,
        1 => WH,
        _ => TPL,
    }
}

/// Unit weight in grams.
pub(crate) const fn weight_g(s: usize) -> u64 {
    match s % 3 {
        0 => 700,
        1 => 9_000,
        _ => 1_500,
    }
}

/// Longest side in millimetres (oversized items exceed FBA MCF's limit).
pub(crate) const fn longest_mm(s: usize) -> u32 {
    match s % 3 {
        0 => 250,
        1 => 1_100,
        _ => 400,
    }
}
