//! An append-only inventory ledger that values every unit.
//!
//! Feed it events (receipts, landed costs, shipments, returns,
//! adjustments, transfers, disposition changes, vendor returns,
//! reimbursements, short receipts) in any order, and ask for balances,
//! values and cost of goods sold as of any moment. Valuation is FIFO, LIFO
//! or moving average, chosen per SKU; amounts are exact decimals, stored as
//! totals so that value is conserved to the last digit.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use merchantry_core::{ChannelId, Disposition, EventId, LocationId, OrderId, Quantity, Sku};
//! use merchantry_ledger::{Event, EventKind, IngestOutcome, Ledger, LedgerOptions};
//! use rust_decimal::Decimal;
//!
//! let mut ledger = Ledger::new(LedgerOptions::default()); // FIFO, reject negatives
//! let (sku, fba) = (Sku::new("MUG")?, LocationId::new("FBA-US")?);
//! let t = |d, h| Utc.with_ymd_and_hms(2026, 3, d, h, 0, 0).unwrap();
//! let ev = |id: &str, at, kind| -> Result<Event, merchantry_core::CoreError> {
//!     Ok(Event::new(EventId::new(id)?, at, sku.clone(), fba.clone(), kind))
//! };
//! ledger.ingest(ev("r1", t(1, 9), EventKind::receipt(Quantity::new(10), Decimal::from(2)))?)?;
//! let sale = EventKind::shipment(Quantity::new(10), ChannelId::new("amazon")?, OrderId::new("o1")?);
//! ledger.ingest(ev("s1", t(5, 9), sale)?)?;
//! // A cheaper receipt reported late, stamped before the sale:
//! let late = ledger.ingest(ev("r0", t(1, 8), EventKind::receipt(Quantity::new(10), Decimal::ONE))?)?;
//! let IngestOutcome::Applied { corrections, .. } = late else { unreachable!() };
//! assert_eq!(corrections.get(0).map(|c| c.delta()), Some(Decimal::from(-10))); // s1: 20 -> 10
//! assert_eq!(ledger.value(&sku, &fba, Disposition::Sellable, t(6, 0)), Decimal::from(20));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Central types
//!
//! - [`Ledger`]: ingest ([`Ledger::ingest`], [`Ledger::ingest_ref`] on a
//!   borrowed event, [`Ledger::ingest_batch`]; [`Ledger::shrink_to_fit`]
//!   after a bulk load),
//!   queries ([`Ledger::balance`], [`Ledger::value`], [`Ledger::cogs`],
//!   [`Ledger::layers`], [`Ledger::layers_at`], [`Ledger::demand`],
//!   [`Ledger::flows`]),
//!   reconciliation ([`Ledger::reconcile`], [`Ledger::unreimbursed`],
//!   [`Ledger::overreimbursed`], [`Ledger::unmatched_reimbursements`]). It
//!   implements core's `StockView`, `ValuationView` and `DemandHistory`.
//! - [`Event`] and [`EventKind`]: what happened.
//! - [`LedgerOptions`]: currency, default [`Method`], [`Pooling`] and
//!   [`NegativeStock`] policy.
//! - [`IngestOutcome`], [`Corrections`], [`TrueUp`]: what an ingest changed.
//!
//! # Policies
//!
//! - Amounts are stored, rates derived: a layer or pool keeps its total
//!   value, and when its last unit leaves the whole remaining value leaves
//!   with it, so an empty position is worth exactly zero. A transfer
//!   credits the source exactly what it debits the destination. Exact
//!   means within `Decimal`'s 28 significant digits: amounts that need
//!   more (costs with 28 decimals beside values in the millions) round at
//!   each sum, and can leave a residue in the 28th digit.
//! - Events are ordered by timestamp, then arrival. A backdated event is
//!   placed in order and its SKU is revalued from the last full checkpoint
//!   before it; the result equals a fresh ledger fed the same events in
//!   order.
//! - A repeated event id with identical content is reported as
//!   [`IngestOutcome::Duplicate`] and ignored; with other content it is
//!   [`LedgerError::ConflictingDuplicate`].
//! - Every refused event leaves the ledger exactly as it was.
//! - An adjustment's sign follows its reason: found units only arrive;
//!   lost and disposed units only leave; damaged units leave or arrive
//!   into `Unsellable`; a count correction goes either way. Any other is
//!   [`LedgerError::AdjustmentDirection`] ([`AdjustmentReason::admits`]).
//! - Customer returns come back at the cost their shipment left with (its
//!   value and the true-ups settled for it, shared by units still out, so
//!   a shipment returned whole nets to exactly zero) and reduce cost of
//!   goods sold; without a shipment reference, at the last known cost
//!   (see [`NegativeStock::AllowWithTrueUp`]). A shipment takes
//!   back at most the units it shipped.
//! - Transfers and disposition changes move cost layers with their
//!   receipt dates; FIFO and LIFO order a pool's layers by those dates,
//!   not by when the units reached the pool.
//! - Landed cost raises the units of its receipts still held; the share
//!   of units already gone is cost of goods sold when the landed cost is
//!   recorded.
//! - Lost and damaged write-offs and inbound shortfalls are claims. A
//!   reimbursement counts for the write-off it names, under any SKU; its
//!   units are all it covers, in cash and in kind (Amazon's
//!   `quantity-reimbursed-total`). A claim is open
//!   ([`Ledger::unreimbursed`]) until they cover its units still lost or
//!   one of them is money alone (no units, a positive amount), which
//!   settles it whole; one covered for more units than are still lost is
//!   [`Ledger::overreimbursed`]. A reversal (amount and units at or
//!   below zero, naming the write-off) takes back what was paid, at most
//!   all of it, and the claims follow. Units found again reverse the oldest
//!   `Lost` write-offs of their SKU at their location stamped at or
//!   before them, reimbursed or not ([`OpenClaim::found_units`]); units
//!   of a shipment received later, by receipts whose `purchase_order`
//!   names it, reverse the oldest shortfalls of that shipment stamped
//!   before them ([`OpenClaim::received_late_units`]).
//!
//! # What this crate does not do
//!
//! No I/O, no clock, no storage: events come in as values and the whole
//! state snapshots through serde. A snapshot is the event log (with the
//! options, methods and names in slot order); restoring it ingests every
//! event again, so a damaged snapshot is refused with the error its first
//! bad event gives, never trusted. It does not convert currencies (one
//! ledger, one currency) and does not post to a general ledger.
//!
//! # Features
//!
//! - `serde`: `Serialize`/`Deserialize` for every public data type and
//!   for [`Ledger`] itself (snapshot and restore, checked as above).

#![forbid(unsafe_code)]

mod arith;
mod book;
pub mod corrections;
mod entries;
pub mod error;
pub mod event;
pub mod ledger;
mod names;
mod slots;
pub mod views;

pub use book::Flow;
pub use corrections::{Correction, Corrections};
pub use error::LedgerError;
pub use event::{
    AdjustmentReason, Event, EventKind, LandedBasis, LandedTarget, LedgerOptions, Method,
    NegativeStock, Pooling, VendorReturnCost,
};
pub use ledger::{CostLayer, CostLine, Flows, IngestOutcome, Ledger, TrueUp};
pub use views::{CountDifference, OpenClaim};
