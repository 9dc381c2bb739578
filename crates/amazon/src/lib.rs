//! Streaming readers for Amazon Selling Partner report files and two
//! public retail data sets, producing merchantry's core records.
//!
//! Each reader takes any [`std::io::Read`], maps columns by header name
//! (never by position), and yields one typed row at a time from a single
//! reused buffer, so a multi-gigabyte report reads in constant memory.
//!
//! ```
//! use merchantry_amazon::{LedgerDetailReader, SummaryBucket};
//!
//! let report = "\u{feff}\"Date\",\"FNSKU\",\"MSKU\",\"Event Type\",\"Quantity\",\
//!               \"Fulfillment Center\",\"Disposition\",\"Reason\"\r\n\
//!               \"03/04/2026\",\"X00TEST001\",\"WIDGET-BLUE\",\"Adjustments\",\"-4\",\
//!               \"ABE2\",\"SELLABLE\",\"M\"\r\n";
//! let mut rows = LedgerDetailReader::new(report.as_bytes())?;
//! let row = rows.next().unwrap()?;
//! assert_eq!(row.quantity.get(), -4);
//! assert_eq!(row.summary_bucket(), SummaryBucket::Lost);
//! let id = row.key().event_id()?; // stable across downloads
//! assert!(id.as_str().starts_with("amzl-"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Readers
//!
//! | reader | report | row |
//! | --- | --- | --- |
//! | [`LedgerDetailReader`] | FBA Inventory Ledger, detail view | [`LedgerDetailRow`], keyed by [`RowKey`] |
//! | [`LedgerSummaryReader`] | FBA Inventory Ledger, summary view | [`LedgerSummaryRow`] (a blank movement is `None`, not 0), checked with [`LedgerRollup`], [`summary_snapshot`] |
//! | [`InventoryReader`] | Manage FBA Inventory | [`InventoryRow`] (a blank quantity is `None`, not 0) into core `StockRecord`s |
//! | [`OrdersReader`] | All Orders | [`OrderLine`], folded by [`DemandByChannel`] |
//! | [`ReimbursementReader`] | Reimbursements | [`ReimbursementRow`], see [`match_reimbursements`] |
//! | [`UciRetailReader`] | UCI Online Retail | [`RetailLine`], folded by [`RetailDaily`] |
//! | [`ScmsReader`] | USAID SCMS Delivery History | [`ScmsShipment`] into core `Replenishment`s |
//! | [`SettlementReader`] | Settlement flat file, V2 and older layout | [`SettlementRow`] of [`ChargeKind`]-typed amounts |
//! | [`StorageFeeReader`] | Monthly storage fees | [`StorageFeeRow`] |
//!
//! # Input rules, shared by every reader
//!
//! - The delimiter is detected from the header line: tab or comma;
//!   `;` or `|` rejects the file. Quoted cells (RFC 4180) are accepted in
//!   both. A UTF-8 byte-order mark is stripped; `\r\n`, `\n` and lone
//!   `\r` (old Mac) line ends all work, at any file size, and count lines
//!   the same way.
//! - Header cells match ignoring case, spaces and punctuation (`Event
//!   Type` = `EventType` = `event-type`); unknown columns are ignored; a
//!   missing required column rejects the file, naming it.
//! - Dates follow [`parse_date`]; a cell with no digit at all (`Date Not
//!   Captured`) is a placeholder, handled as each reader documents.
//!   Date-time cells also give the instant, as [`parse_timestamp_in`]
//!   reads them under [`ReadOptions::zones`]: zone names follow
//!   [`zone_offset`] (`CST` is US Central, `IST` India's +5:30) unless
//!   [`ZoneNames`] says the file means otherwise (`CST` in a report from
//!   Amazon China is +8). A date-time written without a zone is
//!   [`ReadError::InvalidTimestamp`] unless a zone is assumed
//!   ([`ReadOptions::assume_zone`]); a time that zone's daylight-saving
//!   change skipped or repeated follows [`DstPolicy`] (refused by
//!   default).
//!   Amounts follow [`parse_amount`]: exact, or refused, never rounded.
//!   The amounts a row is read without are the values that count
//!   nothing, the Manage FBA Inventory listing price, the All Orders
//!   item price and the SCMS line item value: an unreadable one is left
//!   blank and the row flagged ([`InventoryRow::price_unread`],
//!   [`OrderLine::item_price_unread`], [`ScmsShipment::line_value_unread`],
//!   [`ReadStats::unread_amount_rows`]), see [`InventoryReader`],
//!   [`OrdersReader`] and [`ScmsReader`]. The SCMS weight and freight
//!   columns mix numbers and notes by design: a cell there that is not
//!   an amount is `None`, neither flagged nor counted.
//!   An all-numeric date such as `03/01/2026` is read in the order set
//!   in [`ReadOptions::date_order`]; left unset, the reader decides it
//!   from the dates whose day is above 12 in a look-ahead of
//!   [`ReadOptions::look_ahead_bytes`] (1 MiB) before yielding a row,
//!   refuses a file that mixes the two orders
//!   ([`ReadError::MixedDateOrder`]), and when nothing settles it reads
//!   month first and sets [`ReadStats::date_order_assumed`].
//! - Errors are [`ReadError`]s naming line and column. File errors
//!   ([`ReadError::is_fatal`]) end the stream; row errors are yielded and
//!   reading goes on, each carrying its row's SKU when the reader has a
//!   SKU column, that cell can be read and the row's cells line up with
//!   the header ([`ReadError::sku`]; a row with the wrong number of
//!   cells carries none), so a caller can name the SKU of a refused row
//!   without reading the file again. Blank lines, repeated header lines and documented
//!   skips are counted in [`ReadStats`]. An optional column the header
//!   lacks reads as a blank cell; each reader's `has_column` tells the
//!   two apart.
//! - A record longer than [`ReadOptions::max_record_bytes`] (1 MiB)
//!   rejects the file, so an unclosed quote cannot exhaust memory. An
//!   input that ends inside a quoted cell, or whose last record has
//!   fewer cells than the header and no line break (a cut download), is
//!   rejected as [`ReadError::Truncated`]; [`Cut`] lists the cuts that
//!   cannot be seen, and [`ReadOptions::require_line_end`] refuses a
//!   file without a final line break. A UTF-16 or UTF-32 input is
//!   [`ReadError::UnsupportedEncoding`].
//! - Invalid UTF-8 never alters an identifier, code, number or date: the
//!   row is [`ReadError::InvalidUtf8`] (a listing or item price or an
//!   SCMS line value is left blank and flagged instead, as above). Display-only text (titles,
//!   UCI's description) is read with U+FFFD in place of the bad bytes and the
//!   row says so (`title_lossy`, `description_lossy`,
//!   [`ReadStats::lossy_rows`]), unless [`ReadOptions::lossy_text`] is
//!   off.
//! - Numbers use ASCII digits and a dot as the decimal point: `1,234`,
//!   `1.234,56` or `1 234` are row errors naming the cell (the listing
//!   and item prices and the SCMS line value aside, left blank and
//!   flagged as above), never read as another number. A dot is always the decimal point: a quantity
//!   `1.234` is refused, but an amount `1.234` reads as 1.234, since a
//!   lone thousands dot (German style) cannot be told from a decimal
//!   point in one cell; convert such files before reading them.
//!
//! # What this crate does not do
//!
//! It opens no file (decompress `.gz` inputs yourself, for example with
//! `flate2`), reads no clock, and books nothing: turning rows into
//! ledger events, stock views or forecasts is the caller's job, with
//! [`RowKey`] as the idempotency key.
//!
//! # Features
//!
//! - `serde`: `Serialize` and `Deserialize` on every public data type.

#![forbid(unsafe_code)]

mod charge_names;
mod codes;
mod error;
mod inventory;
mod ledger;
mod orders;
mod parse;
mod reimbursements;
mod scms;
mod settlement;
mod storage;
mod table;
mod uci;
mod zones;

pub use codes::{AmazonDisposition, EventType, ReasonCode, Sign, SummaryBucket};
pub use error::{Cut, MAX_QUOTED, ReadError, ReadStats, SkipReason};
pub use inventory::{InventoryReader, InventoryRow};
pub use ledger::{
    LedgerDetailReader, LedgerDetailRow, LedgerRollup, LedgerSummaryReader, LedgerSummaryRow,
    RollupMismatch, RowKey, summary_snapshot,
};
pub use orders::{DemandByChannel, FulfillmentChannel, OrderLine, OrderStatus, OrdersReader};
pub use parse::{
    DateOrder, NotADate, TimestampError, TimestampProblem, parse_amount, parse_date,
    parse_quantity, parse_timestamp, parse_timestamp_in, zone_offset,
};
pub use reimbursements::{
    LossMatch, LossMatching, ReimbursementReader, ReimbursementReason, ReimbursementRow,
    conflicting_reimbursements, match_reimbursements, match_reimbursements_net,
};
pub use scms::{ScmsMode, ScmsReader, ScmsReplenishments, ScmsShipment};
pub use settlement::{ChargeKind, SettlementAmount, SettlementReader, SettlementRow};
pub use storage::{StorageFeeReader, StorageFeeRow};
#[expect(deprecated, reason = "kept so callers naming it still build; it bounds nothing now")]
pub use table::LOOK_AHEAD_RECORDS;
pub use table::{LOOK_AHEAD_BYTES, LOOK_AHEAD_RECORD_COST, ReadOptions};
pub use uci::{RetailDaily, RetailDay, RetailLine, RetailLineKind, UciRetailReader};
pub use zones::{DstPolicy, ZoneNames, ZoneRules};
