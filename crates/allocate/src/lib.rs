//! Multi-channel available-to-sell and reservations that never oversell.
//!
//! A brand sells the same units on Amazon (FBA and FBM offers), its own
//! web store, Walmart and eBay. This crate decides how many units each
//! channel may advertise, takes reservations for order lines, and after
//! every event (a sale, a cancel, a shipment, a return, a stock change
//! from the ledger) says exactly which channels' numbers changed.
//!
//! ```
//! use merchantry_allocate::{
//!     Allocator, LineRequest, Link, Network, PublishRules, ReserveOptions, Split, StockChange,
//! };
//! use merchantry_core::{ChannelId, LocationId, OrderId, Quantity, Sku};
//!
//! // One warehouse shared by a web store and eBay; eBay keeps 2 back.
//! let mut b = Network::builder();
//! let wh = b.location(LocationId::new("WH-1")?)?;
//! let pool = b.pool("own", &[wh], Split::Shared)?;
//! let web = b.channel(ChannelId::new("web")?, PublishRules::default())?;
//! let ebay = b.channel(
//!     ChannelId::new("ebay")?,
//!     PublishRules::default().with_buffer(Quantity::new(2)),
//! )?;
//! b.link(web, pool, Link::default())?;
//! b.link(ebay, pool, Link::default())?;
//! let mut alloc = Allocator::new(b.build()?);
//!
//! let mug = alloc.add_sku(&Sku::new("MUG")?)?;
//! alloc.stock_change(mug, wh, StockChange::Add(Quantity::new(10)))?;
//! assert_eq!(alloc.advertised(mug, ebay)?, Quantity::new(8));
//!
//! // A web order for 4: both channels' numbers change, in one step.
//! let order = OrderId::new("W-1001")?;
//! let lines = [LineRequest::new(1, mug, Quantity::new(4))];
//! let done = alloc.reserve(&order, web, &lines, &ReserveOptions::default())?;
//! let pushed: Vec<(usize, i64)> =
//!     done.changes.iter().map(|u| (u.channel.index(), u.quantity.get())).collect();
//! assert_eq!(pushed, vec![(0, 6), (1, 4)]);
//!
//! // Cancelling twice frees the units once.
//! alloc.release(&order, 1)?;
//! assert!(alloc.release(&order, 1)?.is_empty());
//! assert_eq!(alloc.advertised(mug, web)?, Quantity::new(10));
//! # Ok::<(), merchantry_allocate::AllocError>(())
//! ```
//!
//! # Central types
//!
//! - [`Network`] (built with [`NetworkBuilder`]): locations, [pools](Split)
//!   of locations, channels with [`PublishRules`], and [`Link`]s from
//!   channels to pools with a priority, a share and a claim limit.
//! - [`Allocator`]: per-SKU sellable and reserved units by location, ring
//!   fences, velocities and bundles; the operations
//!   [`reserve`](Allocator::reserve), [`commit`](Allocator::commit),
//!   [`release`](Allocator::release),
//!   [`return_units`](Allocator::return_units) (and its idempotent form
//!   [`return_units_once`](Allocator::return_units_once), keyed by a
//!   [`ReturnId`]),
//!   [`stock_change`](Allocator::stock_change),
//!   [`move_reservation`](Allocator::move_reservation) and
//!   [`expire`](Allocator::expire).
//! - [`Changes`]: the sorted list of [`ChannelUpdate`]s every operation
//!   returns.
//! - [`AllocError`]: every refusal, naming the SKU, channel, location or
//!   order line. A refused operation changes nothing.
//!
//! # The model in brief
//!
//! Only [`Disposition::Sellable`](merchantry_core::Disposition) units
//! count; FBA reserved, in-transfer and inbound units never do. A pool's
//! free units (sellable less reserved) first fill ring fences, then the
//! rest (the contested units) is divided by the pool's [`Split`]. A
//! channel's entitlement is its fences plus its part; its advertised
//! number is its [`PublishRules`] applied to that, in the documented
//! order. A reservation is checked against physical free stock less
//! other channels' fences, and is taken in the same call: units reserved
//! at a location never exceed the sellable units there.
//!
//! # What this crate does not do
//!
//! It opens no file or socket and reads no clock: expiry times come in as
//! arguments. It does not talk to marketplaces: it returns the numbers to
//! push. It does not route shipments (see `merchantry-route`) and keeps no
//! history of movements (see `merchantry-ledger`).
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` for every public data type,
//!   including the whole [`Allocator`] state (indexes are rebuilt on the
//!   way in, and a network or state the builder and operations could not
//!   have produced is refused).

#![forbid(unsafe_code)]

mod allocator;
mod changes;
mod compute;
mod error;
mod network;
mod returns;

pub use allocator::{
    Allocator, LineInfo, LineRequest, LineState, MAX_SKUS, Piece, Refusal, ReserveOptions,
    Reserved, Restock, StockChange,
};
pub use changes::{Changes, ChannelUpdate};
pub use error::{AllocError, Result};
pub use network::{
    ChannelKey, Link, LocationKey, MAX_CHANNELS, MAX_LOCATIONS, MAX_POOLS, Network, NetworkBuilder,
    PoolKey, PublishRules, SkuKey, Split,
};
pub use returns::{ReturnId, ReturnOutcome};
