//! `--amazon DIR`: the same planning on a folder of Amazon reports.
//!
//! Each file in the folder (not its subfolders; `.gz` is un-gzipped,
//! every member of a multi-member gzip, as `cat a.gz b.gz` makes) is
//! recognised by its header, or by its name when the header says
//! nothing:
//!
//! | report | header has | or the name has |
//! | --- | --- | --- |
//! | Inventory Ledger, summary view | `Starting Warehouse Balance` | "ledger" and "summary" |
//! | Inventory Ledger, detail view | `Event Type` | "ledger" and "detail" |
//! | Manage FBA Inventory | `afn-fulfillable-quantity` | "myi", "manage" or "inventory" |
//! | All Orders | `amazon-order-id` and `purchase-date` | "orders" |
//! | FBA Reimbursements | `reimbursement-id` | "reimbursement" |
//!
//! Conventions, printed with every run:
//!
//! - One location, `FBA`: Amazon picks the fulfillment centers, so the
//!   plan is for the network. Run one marketplace per folder: All Orders
//!   lines from more than one marketplace (sales channel, `Non-Amazon`
//!   aside, compared without case or surrounding spaces), or demand lines
//!   in more than one currency, stop the run, naming them (a cancelled
//!   line's price mixes into nothing, so its currency does not count).
//!   `--pool-marketplaces` sums the marketplaces' demand instead, for a
//!   pan-European FBA seller whose Amazon.de, .fr, .it and .es draw on
//!   one stock: the lines must still share one currency (prices of
//!   several would be mixed in one unit cost, and the run stops naming
//!   them), and the pooled marketplaces are printed with the
//!   assumptions.
//! - Detail rows become ledger events keyed on the row's stable key, so a
//!   row downloaded twice is booked once. Receipts are receipts,
//!   shipments shipments (channel `amazon`), customer returns returns
//!   (linked to the shipment of the same order when it was booked),
//!   vendor returns leave at the average cost, adjustments are found,
//!   lost, damaged, disposed or count corrections by their reason code,
//!   each row booked as reported (a damage code and its `P` row are two
//!   adjustments). A warehouse transfer's outgoing row moves units from
//!   their disposition to `Reserved` (Amazon counts units between
//!   centers as reserved) and its incoming row moves them back. A row
//!   whose sign does not fit its type is a count correction.
//! - Stock held before the first detail row: seeded from the summary
//!   view's starting balances of the SKU's first period when a summary
//!   file is present, else solved from the Manage FBA Inventory snapshot
//!   for the SKUs it names (what it holds minus what the detail rows
//!   moved); other SKUs' openings are unknown, which their reasons say. The ledger lets positions go negative
//!   (`NegativeStock::AllowWithTrueUp`) so a gap never refuses a row;
//!   positions still negative at the end are reported.
//! - A file the reader rejects (truncated gzip, an over-long record, a
//!   last record cut short of its cells or inside quotes) books nothing:
//!   each file is read whole before any row is booked. A file whose last
//!   row has no line break after it is used, with a warning naming it:
//!   a cut inside the last cell (`12` of `120`) cannot be told from a
//!   whole row, and Amazon's downloads end with a line break. A
//!   row dated after tomorrow (this machine's clock, UTC) is skipped as
//!   dated in the future, so a corrupt date cannot move the planning day;
//!   only booked rows set the reports' date range.
//! - The demand window: the days of the report demand is read from
//!   (the purchase days of the All Orders demand lines when All Orders
//!   gives demand, else the detail rows' booked days; another report's
//!   rows never widen or narrow it) are cut into blocks wherever more
//!   than 90 days pass without any row, and the block with the most rows
//!   is kept; within it, a day is sparse when the rows booked within 15
//!   days either side of it number fewer than a tenth (rounded down) of
//!   the median row's, and the window runs from the first to the last
//!   day that is not sparse (see `examples/common/window.rs`). Rows of
//!   that report outside it (a stray old or late date, a chain of single
//!   old rows) are booked but left out of demand, with a note. The
//!   planning day follows the later of the window's last day and the
//!   last day the same rule keeps of every report's booked rows, so a
//!   ledger movement booked after the last order line counts in stock
//!   (the days after the window are not history, and the assumptions
//!   say so); a ledger row after that day is left out of the stock
//!   figures, with a note.
//! - A row moving more than 10,000,000 units is a corrupt number and is
//!   skipped, as is a summary view or Manage FBA Inventory row with any
//!   quantity beyond that, each named with its line; sums of report
//!   quantities saturate rather than wrap.
//! - Dates such as `01/03/2026`: read as `--date-order` says; without
//!   it each file decides from its own dates (a day above 12 settles
//!   the order), and a file whose dates fit either order is read month
//!   first, as Amazon's US reports are, which the printed assumptions
//!   name (dates written year first, `2026/01/15`, are read year, month,
//!   day under either order). When a later date in such a file is only
//!   a date day first, the run stops, naming the file and line: rows
//!   read before it were misread, and dates are never mixed. A file
//!   whose first rows hold both orders is rejected. A run that stops
//!   for want of dated rows names a few of the unreadable rows, as a
//!   report does.
//! - A SKU whose selling days all look stocked out (opening stock
//!   unknown, books gone negative) is planned on its raw sales, with a
//!   note, instead of being dropped; a SKU the engine refuses is noted
//!   and the others are still planned.
//! - Amazon reports carry no cost: unit cost is `--cost-share` times the
//!   listing price (Manage FBA Inventory) or the median order price.
//! - Demand per day: All Orders when present (FBA or unknown
//!   fulfillment, cancellations and replacements left out), else
//!   shipments net of returns from the ledger, whose days without
//!   sellable stock the forecaster leaves out. The table shows the
//!   mean over the demand window's days beside the forecast's, since a
//!   few weeks of reports are a short history for any model.
//! - An (order, SKU) seen in several All Orders lines (overlapping
//!   downloads) is decided by the line with the latest
//!   `last-updated-date`: an order downloaded as Pending and again,
//!   updated later, as Cancelled is cancelled, whichever file sorts
//!   first, and a line downloaded twice counts once. Updates are
//!   compared as instants (a day without a time as its start in UTC); a
//!   line without one (no column, a blank cell, or one without digits
//!   such as `N/A`) decides only when no line of the pair has one, so
//!   the choice does not depend on the order files are read in. On a tie
//!   the line read last decides: files are read in file-name order,
//!   each top to bottom (Seller Central's names carry the request date
//!   or an increasing report id). The skipped-line examples name the
//!   lines not used, and the assumptions count the lines without a
//!   `last-updated-date`. A cell with digits that is not a date refuses
//!   its line, as a bad `purchase-date` does, and a line last updated
//!   after tomorrow is skipped as dated in the future, so a corrupt
//!   date cannot decide; an update before its line's purchase date is
//!   ignored, with a warning. Two lines of one SKU in one order are two
//!   items, their units summed; the report has no item id, so the n-th
//!   line of an (order, SKU) in one file is matched with the n-th in
//!   another download.
//! - On hand: fulfillable units from Manage FBA Inventory when present,
//!   else the ledger's sellable balance; inbound shipments are open
//!   supply. When two Manage FBA Inventory rows of a SKU disagree (two
//!   downloads, or two marketplaces' reports), the row read last is
//!   used, with a warning naming both. A Manage FBA Inventory row with
//!   a quantity below zero (refused by the reader, naming the cell), or
//!   whose warehouse cell (checked when it
//!   holds a number, `0` included) is not fulfillable + unsellable +
//!   reserved, or, with no warehouse cell, whose total disagrees with
//!   those + inbound (the total is then the only check on on hand), is
//!   refused and named, and its SKU keeps another row of its own if one
//!   was read (its reason naming the refused row); else it falls back to
//!   the ledger only when the ledger's balance owes nothing to Manage FBA
//!   Inventory (its opening from a readable sellable summary row of the
//!   SKU's first period, starting on or before the planning day); else
//!   it is not planned (its row in the table says why, with no order),
//!   never planned on zero stock or on a ledger the checks call wrong.
//!   The ledger's balance, with or without a refused row, is wrong (the
//!   SKU not planned) when it is below zero on the planning day or
//!   misses a sellable ending balance of the SKU's summary view rows; a
//!   SKU with summary rows and no detail row takes the sellable ending
//!   balance of its latest period starting on or before the planning
//!   day (the period may end after it; the reason gives the period's
//!   dates). With no
//!   Manage FBA Inventory row and nothing refused, a ledger whose
//!   opening is unknown (detail rows alone, or a summary view starting
//!   after the planning day) is still planned on, said in the reason and
//!   counted in the caution; on order is then unknown (`-`: the ledger
//!   holds no inbound). A Manage FBA Inventory file rejected whole (a title
//!   line above the header, UTF-16, a required column missing) leaves
//!   every SKU it does not name elsewhere under the same rule, its
//!   reason naming the file; so does a row the reader cannot read
//!   whose SKU it cannot tell (a blank `sku` cell, or cells out of line
//!   with the header: a row split by a lone `\r` or shifted by a stray
//!   tab), since any SKU no readable row names may be its, the reason
//!   naming a few such rows. A row whose total
//!   alone disagrees with warehouse + inbound is used for on hand (its
//!   warehouse cell vouches for that); its on order is in doubt, and the
//!   smaller of its inbound cells and its total less warehouse is
//!   counted, said in the SKU's reason (and in that of a row of the SKU
//!   used instead). A file without every `afn-inbound-*` column (an
//!   absent one reads as a blank cell, counted as 0) has its total checked only for
//!   being below warehouse + the inbound columns present, said once, and
//!   its on order read as the total less the warehouse (with no total,
//!   the inbound columns present; with neither, unknown: none counted,
//!   `-` in the table, said in the reason). A SKU that no stock report
//!   names, when no stock file was rejected and every stock row's SKU
//!   could be told, is planned on zero stock, with a note and a word in
//!   its reason. The caution above the table counts rejected files,
//!   refused and doubted rows, unreadable rows naming no SKU, SKUs not
//!   planned, SKUs planned with on order
//!   unknown or partly unknown, SKUs planned on a ledger with unknown
//!   opening and SKUs planned on zero stock. A
//!   price the reader cannot read (`19,99`, `EUR 19.99`)
//!   leaves the row's quantities in use: the SKU is valued as if the
//!   row had no price (median order price, else zero), with a note
//!   naming the file, line and cell. A quantity the reader cannot read
//!   still refuses the row, as does a blank `afn-fulfillable-quantity`
//!   cell with no warehouse cell to vouch for it (on hand unknown), and
//!   its SKU (given by the reader with its error, when the row's `sku`
//!   cell can be read and its cells line up with the header) falls
//!   under the refused-row rule above, its reason naming the file, line
//!   and cell; a row whose SKU the reader cannot tell is never blamed on
//!   a SKU, and falls under the rejected-file rule above. Lead time: `--lead-time-days` +/-
//!   `--lead-time-sd`.
//! - FBA Reimbursements rows are read after every detail file and
//!   booked as ledger `Reimbursement` events (they move no stock and no
//!   dates). Payments are matched to the booked lost and damaged detail
//!   rows by `merchantry::amazon::match_reimbursements_net` (first in,
//!   first out per FNSKU, `Lost_Warehouse` and `Damaged_Warehouse` only),
//!   each loss covering the units still lost on the payment's approval
//!   day: those written off less those found again by then, as the
//!   ledger nets finds (oldest loss first), and less what earlier
//!   payments covered. A unit found after a payment leaves that loss
//!   over-reimbursed. Each payment is booked one event per loss paid,
//!   naming the loss's event id, the amount split by units (the last piece takes the rounding); units no
//!   loss takes, and payments for other reasons, are booked naming no
//!   write-off. Rows are booked in one currency, the one most payments
//!   that could book carry (a row dated in the future, a payment of
//!   nothing, rows of one reimbursement and item that disagree and
//!   reversals have no vote, a repeated row one; none when two
//!   currencies tie for most: no choice between them would be right);
//!   rows in another are counted with the rows
//!   not used, as are amounts too large to split or add up, units paid
//!   naming no loss too large to add up (never a saturated figure) and
//!   rows of amount 0 and 0 units (nothing to book). A repeated row
//!   books nothing more. A `Reimbursement_Reversal` takes
//!   its units back from those its original paid naming no loss first
//!   (lowering the payments without a loss, since the ledger refuses a
//!   reversal naming no write-off), then from the write-offs its
//!   original was booked against: first those paid for more units than
//!   are still lost on the reversal's day (units found again or received
//!   late since), each for no more than its excess, the latest first, as
//!   a clawback most likely takes back the payment of a unit found
//!   again; then the latest first. Each piece gives back what the
//!   units taken from it got (their part of the piece's amount, to the
//!   cent, so a full reversal restores every write-off to the cent),
//!   scaled to the reversal's amount and never more than those units
//!   got, whatever else the piece was paid; one whose original was not booked,
//!   or for fewer units, or that takes back money alone or more money
//!   than its units got, books none of its pieces and is counted with the
//!   rows not used, as are rows of one id and item that disagree. A SKU only Reimbursements rows name
//!   is not planned. The Claims section, after the checks, names the
//!   currency and the latest approval booked (payments approved after
//!   the plan's day are counted), says when no Reimbursements report was
//!   read or one was rejected, cautions when rows were read but none was
//!   booked, and lists the write-offs still open on the
//!   last day the plan stands on, those `--claim-days` (30) days old or
//!   older as due for a claim (Amazon reconciles and pays most warehouse
//!   losses on its own within weeks, so a younger one is still waited
//!   on), and those paid for more units than are still lost. `--json`
//!   gives the section's amounts as the text prints them (rounded to
//!   the cent, strings with two decimals such as `"8.00"`) and the
//!   payments without a loss as `payments`, `units` and `amount`.
//! - An All Orders line whose item price the reader cannot read
//!   (`19,99`, `EUR 19.99`) still counts in demand with its units; its
//!   price is left out of the median order price, with a note naming
//!   the file, line, order and cell. A quantity, date or currency the
//!   reader cannot read still refuses the line.

use std::cell::RefCell;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use flate2::read::MultiGzDecoder;
use merchantry::amazon::{
    EventType, FulfillmentChannel, InventoryReader, InventoryRow, LedgerDetailReader,
    LedgerDetailRow, LedgerSummaryReader, LedgerSummaryRow, LossMatch, OrderLine, OrdersReader,
    ReadError, ReadOptions, ReadStats, ReasonCode, ReimbursementReader, ReimbursementRow, Sign,
    SkipReason, SummaryBucket, conflicting_reimbursements, match_reimbursements_net,
};
use merchantry::core::{
    ChannelId, Currency, DateRange, Days, Decimal, DemandForecast, DemandHistory, DemandRecord,
    DemandSeries, Disposition, EventId, LeadTimeEstimate, LocationId, OrderId, PurchaseOrderId,
    Quantity, ServiceLevel, Sku,
};
use merchantry::forecast::{ForecastOptions, Forecaster};
use merchantry::ledger::{
    AdjustmentReason, Corrections, Event, EventKind, IngestOutcome, Ledger, LedgerError,
    LedgerOptions, NegativeStock, OpenClaim, VendorReturnCost,
};
use merchantry::reorder::{
    LotSize, OpenSupply, Planner, PlannerOptions, Policy, PolicyConfig, ServiceTarget, SkuInput,
    SupplyKind,
};
use rust_decimal::RoundingStrategy;
use serde::Serialize;

use crate::data::{BoxError, SkuSales};
use crate::table::{Align, Table};
use crate::window::{WindowRule, window};
use crate::{
    Args, FORECAST_DAYS, RecRow, point_legend, rec_row, recommendation_table, urgency_legend,
};

const NO_REPORT: &str = "no usable Amazon report found (expected the Inventory Ledger detail or summary view, Manage FBA Inventory, All Orders or FBA Reimbursements, tab- or comma-separated, optionally .gz)";

/// `--claim-days` when not given: Amazon reconciles and pays most
/// warehouse losses on its own within weeks.
const CLAIM_DAYS: u32 = 30;

/// Examples of each kind of problem kept for the report.
const EXAMPLES_KEPT: usize = 3;

/// The most units one report row may move: past it a row is a corrupt
/// number, not stock.
pub(crate) const MAX_ROW_UNITS: i64 = 10_000_000;

/// The note for an All Orders line kept for its units although the
/// reader could not read its item price.
const ORDER_PRICE_UNREAD: &str = "All Orders item price unreadable, line counted in demand, price left out of the median order price";

/// The skip reason for a row the reader could not read.
const UNREADABLE_ROW: &str = "unreadable row";

/// The warning for a file whose last row has no line break after it.
const UNTERMINATED: &str = "file ends without a line break (Amazon's downloads end with one): a download cut inside its last cell would read as a whole row, so check its last line";

/// The quantity cells of a Manage FBA Inventory row by column, `None`
/// when blank or absent (only the two totals, in a row read by
/// [`myi_counted`]).
fn myi_quantities(row: &InventoryRow) -> [(&'static str, Option<Quantity>); 10] {
    [
        ("mfn-fulfillable-quantity", row.mfn_fulfillable),
        ("afn-warehouse-quantity", row.afn_warehouse),
        ("afn-fulfillable-quantity", row.afn_fulfillable),
        ("afn-unsellable-quantity", row.afn_unsellable),
        ("afn-reserved-quantity", row.afn_reserved),
        ("afn-total-quantity", row.afn_total),
        ("afn-inbound-working-quantity", row.afn_inbound_working),
        ("afn-inbound-shipped-quantity", row.afn_inbound_shipped),
        ("afn-inbound-receiving-quantity", row.afn_inbound_receiving),
        ("afn-researching-quantity", row.afn_researching),
    ]
}

/// A Manage FBA Inventory row as this example counts it: a blank or
/// absent quantity cell is 0, but for the two totals, which stay `None`
/// (only totals given are checked). A blank fulfillable cell is looked at
/// before: 0 only when a warehouse cell vouches for it. Two rows of a SKU
/// are compared as counted, so a blank and a `0` do not disagree.
fn myi_counted(row: InventoryRow) -> InventoryRow {
    let zero = |cell: Option<Quantity>| Some(cell.unwrap_or_default());
    InventoryRow {
        mfn_fulfillable: zero(row.mfn_fulfillable),
        afn_fulfillable: zero(row.afn_fulfillable),
        afn_unsellable: zero(row.afn_unsellable),
        afn_reserved: zero(row.afn_reserved),
        afn_inbound_working: zero(row.afn_inbound_working),
        afn_inbound_shipped: zero(row.afn_inbound_shipped),
        afn_inbound_receiving: zero(row.afn_inbound_receiving),
        afn_researching: zero(row.afn_researching),
        ..row
    }
}

/// A quantity cell of a row read by [`myi_counted`], in units.
fn units(cell: Option<Quantity>) -> Quantity {
    cell.unwrap_or_default()
}

/// What a Manage FBA Inventory row says is on order, with the words the
/// SKU's reason starts with when the figure is not simply the inbound
/// cells, and whether it is in doubt (the total disagrees). `parts` is
/// fulfillable + unsellable + reserved, which the warehouse cell, when
/// given, equals; `missing` are the inbound columns the file lacks.
///
/// - Every inbound column present: their sum, when the total is blank or
///   absent or equals parts + inbound; else the smaller of that sum and
///   the total less the parts (never below 0), in doubt: the row cannot
///   say which cell is wrong, and counting fewer units on order is the
///   side that orders rather than runs out.
/// - Some absent: the total less the parts when the total is given and
///   not below the columns present (their sum when it equals it, with
///   nothing to say); the smaller of the two, in doubt, when it is below
///   them; with no total, the sum of the columns present, said to count
///   only those, or `None` (unknown) when none is present.
fn myi_on_order(
    row: &InventoryRow,
    parts: Quantity,
    missing: &[&str],
    file: &str,
) -> ((Option<Quantity>, Option<String>), bool) {
    // The reader refuses a row whose inbound cells leave 64 bits.
    let cells = row.inbound().unwrap_or(Quantity::MAX);
    let at = format!("{file} line {}", row.line);
    // Never name a warehouse cell the row does not have.
    let warehouse = if row.afn_warehouse.is_some() {
        "warehouse"
    } else {
        "fulfillable + unsellable + reserved"
    };
    let implied = row.afn_total.map(|total| (total, total.get().saturating_sub(parts.get())));
    let doubted = |total: Quantity, implied: i64| {
        let counted = Quantity::new(implied.max(0)).min(cells);
        let text = format!(
            "on order in doubt, {counted} counted: {at} gives inbound {cells} but total {total} \
             less {warehouse} {parts} is {implied}"
        );
        ((Some(counted), Some(text)), true)
    };
    if missing.is_empty() {
        return match implied {
            Some((total, implied)) if implied != cells.get() => doubted(total, implied),
            _ => ((Some(cells), None), false),
        };
    }
    let lacks = missing.join(", ");
    match implied {
        Some((_, implied)) if implied == cells.get() => ((Some(cells), None), false),
        Some((total, implied)) if implied > cells.get() => {
            let text = format!(
                "on order {implied} read as total {total} less {warehouse} {parts} ({at}; the \
                 file has no {lacks})"
            );
            ((Some(Quantity::new(implied)), Some(text)), false)
        }
        Some((total, implied)) => doubted(total, implied),
        None if missing.len() == INBOUND_COLUMNS.len() => {
            let text = format!(
                "on order unknown, none counted: {file} has no afn-inbound column and {at} no total"
            );
            ((None, Some(text)), false)
        }
        None => {
            let text = format!(
                "on order counts only the inbound columns present ({at}; the file has no {lacks}, \
                 and no total)"
            );
            ((Some(cells), Some(text)), false)
        }
    }
}

/// What differs between two Manage FBA Inventory rows of one SKU, as
/// `column old -> new`: the quantities and the price, or that only other
/// cells (the title, the condition, the ids) differ.
fn myi_changes(before: &InventoryRow, after: &InventoryRow) -> String {
    let shown = |q: Option<Quantity>| q.map_or_else(|| "blank".to_owned(), |q| q.to_string());
    let mut changes: Vec<String> = myi_quantities(before)
        .into_iter()
        .zip(myi_quantities(after))
        .filter(|((_, old), (_, new))| old != new)
        .map(|((column, old), (_, new))| {
            // `afn-inbound-shipped-quantity` reads "inbound shipped".
            let name = column.strip_suffix("-quantity").unwrap_or(column);
            let name = name.strip_prefix("afn-").unwrap_or(name).replace('-', " ");
            format!("{name} {} -> {}", shown(old), shown(new))
        })
        .collect();
    if before.price != after.price {
        let price = |p: Option<Decimal>| p.map_or_else(|| "none".to_owned(), |p| p.to_string());
        changes.push(format!("price {} -> {}", price(before.price), price(after.price)));
    }
    if changes.is_empty() {
        "other cells (title, condition or ids)".to_owned()
    } else {
        changes.join(", ")
    }
}

/// The warning for an All Orders line last updated before its purchase.
const UPDATED_BEFORE_PURCHASE: &str = "All Orders line last updated before its purchase date: the update is ignored, as if the line had none";

/// The warning for a Manage FBA Inventory row of a SKU already read,
/// with other figures.
const MYI_AGAIN: &str = "Manage FBA Inventory rows of one SKU disagree: the row read last is used (keep one Manage FBA Inventory download per folder)";

/// The warning for a Manage FBA Inventory row used although its total
/// disagrees with warehouse + inbound.
const MYI_TOTAL_DOUBT: &str = "Manage FBA Inventory total disagrees with warehouse + inbound: row used for on hand (its warehouse cell agrees), on order in doubt, the smaller of inbound and total less warehouse counted (said in the SKU's reason)";

/// The skip reason for an All Orders line that another line of its
/// (order, SKU) replaces: the example names the line not used.
const ORDER_LINE_AGAIN: &str = "order line not used: another line of its order and SKU was updated later (or read later, on a tie)";

/// How the demand window is read from the rows booked per day: blocks
/// split at more than 90 days without any row, sparse ends cut off.
/// Rows outside it are booked (they move balances) but left out of
/// demand.
const WINDOW_RULE: WindowRule = WindowRule { max_gap_days: 90, trim_sparse_ends: true };

/// The reports the pipeline reads, in the order it reads them: costs,
/// snapshots and demand before the movements that need them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Report {
    LedgerSummary,
    Inventory,
    Orders,
    LedgerDetail,
    /// Read after the detail view: its rows are matched to the detail
    /// view's losses.
    Reimbursements,
}

impl Report {
    const fn label(self) -> &'static str {
        match self {
            Self::LedgerSummary => "ledger summary view",
            Self::Inventory => "Manage FBA Inventory",
            Self::Orders => "All Orders",
            Self::LedgerDetail => "ledger detail view",
            Self::Reimbursements => "Reimbursements",
        }
    }

    /// By the header line's cells, compared without case, spaces or
    /// punctuation.
    fn from_header(line: &str) -> Option<Self> {
        let cells = header_names(line);
        let has = |name: &str| cells.contains(name);
        if has("startingwarehousebalance") {
            Some(Self::LedgerSummary)
        } else if has("eventtype") {
            Some(Self::LedgerDetail)
        } else if has("afnfulfillablequantity") {
            Some(Self::Inventory)
        } else if has("reimbursementid") {
            Some(Self::Reimbursements)
        } else if has("amazonorderid") && has("purchasedate") {
            Some(Self::Orders)
        } else {
            None
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        let name = name.to_lowercase();
        let has = |part: &str| name.contains(part);
        if has("ledger") && has("summary") {
            Some(Self::LedgerSummary)
        } else if has("ledger") && has("detail") {
            Some(Self::LedgerDetail)
        } else if has("myi") || has("manage") || has("inventory") {
            Some(Self::Inventory)
        } else if has("reimbursement") {
            Some(Self::Reimbursements)
        } else if has("orders") {
            Some(Self::Orders)
        } else {
            None
        }
    }
}

/// The cells of a header line, each as [`column_key`].
fn header_names(line: &str) -> BTreeSet<String> {
    line.split(['\t', ',']).map(column_key).collect()
}

/// A header cell as compared: without case, spaces or punctuation
/// (`afn-total-quantity` is `afntotalquantity`).
fn column_key(cell: &str) -> String {
    cell.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

/// The columns of Manage FBA Inventory whose cells sum to the units on
/// their way in: on order.
const INBOUND_COLUMNS: [&str; 3] = [
    "afn-inbound-working-quantity",
    "afn-inbound-shipped-quantity",
    "afn-inbound-receiving-quantity",
];

/// The [`INBOUND_COLUMNS`] a Manage FBA Inventory file's header lacks.
/// An absent column reads as blank, which this example counts as 0, and
/// 0 is not a count of anything here: such a file's total cannot be
/// checked against warehouse + inbound, and its units on order come from
/// elsewhere or are unknown.
fn missing_inbound<R: Read>(reader: &InventoryReader<R>) -> Vec<&'static str> {
    INBOUND_COLUMNS.into_iter().filter(|c| !reader.has_column(c)).collect()
}

/// The note, once per file, for a Manage FBA Inventory file without
/// every inbound column.
const INBOUND_ABSENT: &str = "Manage FBA Inventory file without every afn-inbound column: its total is checked only for being below warehouse + the inbound columns present (on order then in doubt; with no warehouse cell the row is refused), and on order is read as the total less the warehouse (the inbound columns present when the total is blank; unknown with neither), said in the SKU's reason unless it is the sum of the inbound columns present";

/// What became of one file.
#[derive(Serialize)]
struct FileRow {
    file: String,
    report: Option<&'static str>,
    rows: u64,
    row_errors: u64,
    /// Lines the reader skipped (blank, a repeated header, no date); the
    /// rows this example skips are in `Counts::rows_skipped`.
    skipped: u64,
    note: String,
}

/// What the run did with the rows, for the report and `--json`.
#[derive(Serialize, Default, Clone)]
struct Counts {
    rows_read: u64,
    events_applied: u64,
    duplicates_ignored: u64,
    opening_balances_booked: u64,
    /// Detail rows by what they were booked as.
    booked_as: BTreeMap<String, u64>,
    /// Rows not used, by reason.
    rows_skipped: BTreeMap<String, u64>,
    /// Rows booked as reported that look wrong, by reason.
    warnings: BTreeMap<String, u64>,
    /// A few messages per reason.
    examples: BTreeMap<String, Vec<String>>,
    /// Manage FBA Inventory rows refused (a quantity below zero or
    /// beyond 10,000,000, or a warehouse figure that is not its parts):
    /// the caution above the recommendations counts them.
    stock_rows_refused: u64,
    /// Manage FBA Inventory rows used although their total disagrees with
    /// warehouse + inbound, so their units on order are in doubt.
    stock_rows_in_doubt: u64,
    /// Manage FBA Inventory files rejected whole: their SKUs' stock is
    /// unknown.
    stock_files_rejected: u64,
    /// Manage FBA Inventory rows the reader could not read and whose SKU
    /// it could not tell (a blank or bad `sku` cell, a row whose cells
    /// do not line up with the header): any SKU no readable row names
    /// may be theirs. Also counted among the unreadable rows.
    stock_rows_unnamed: u64,
}

impl Counts {
    /// Counts an event applied to the ledger, booked as `label`.
    fn booked(&mut self, label: &str) {
        self.events_applied += 1;
        *self.booked_as.entry(label.to_owned()).or_insert(0) += 1;
    }

    fn skip(&mut self, why: &str, example: Option<String>) {
        *self.rows_skipped.entry(why.to_owned()).or_insert(0) += 1;
        self.example(why, example);
    }

    fn warn(&mut self, why: &str, example: String) {
        *self.warnings.entry(why.to_owned()).or_insert(0) += 1;
        self.example(why, Some(example));
    }

    fn example(&mut self, why: &str, example: Option<String>) {
        if let Some(text) = example {
            let kept = self.examples.entry(why.to_owned()).or_default();
            if kept.len() < EXAMPLES_KEPT {
                kept.push(text);
            }
        }
    }
}

/// Everything `--amazon` reports, for `--json`.
#[derive(Serialize)]
struct AmazonOutput {
    assumptions: Vec<String>,
    /// What the urgency labels mean.
    legend: String,
    files: Vec<FileRow>,
    counts: Counts,
    checks: Vec<Check>,
    /// Lost and damaged write-offs not fully reimbursed, when the ledger
    /// holds any.
    #[serde(skip_serializing_if = "Option::is_none")]
    claims: Option<Claims>,
    recommendations: Vec<AmazonRec>,
}

/// The Claims section: write-offs still open, and those paid for more
/// units than are still lost, on the last day the plan stands on. In
/// `--json` its amounts are the figures the text prints: rounded to the
/// cent, as strings with two decimals (`"8.00"`).
#[derive(Serialize)]
struct Claims {
    as_of: NaiveDate,
    /// `--claim-days`.
    claim_days: u32,
    /// Open write-offs, oldest first.
    open: Vec<ClaimLine>,
    /// Write-offs reimbursed for more units than are still lost.
    overreimbursed: Vec<ClaimLine>,
    /// Reimbursement events booked naming no write-off (a reason other
    /// than a warehouse loss, or units beyond the losses found), with
    /// their units and amount less those reversals took back.
    paid_without_loss: PaidWithoutLoss,
    /// The currency of the reimbursed amounts, when a Reimbursements row
    /// was booked (null otherwise).
    currency: Option<String>,
    /// The latest approval date of a reimbursement booked, when later
    /// than `as_of` or not: payments are counted to it, so a payment
    /// approved after the ledger's last day still shows (null when none
    /// was booked).
    paid_to: Option<NaiveDate>,
    /// Reimbursements files read: with none, every write-off shows as
    /// unpaid.
    reimbursement_files_read: u64,
    /// Reimbursements rows read from them: with some but none booked (a
    /// currency tie, or every row refused), the section cautions that
    /// every write-off shows as unpaid.
    reimbursement_rows_read: u64,
    /// Reimbursements files rejected (name: error): their payments are
    /// not counted.
    reimbursement_files_rejected: Vec<String>,
}

/// The reimbursements of the Claims section booked naming no
/// write-off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
struct PaidWithoutLoss {
    /// Reimbursement events booked naming no write-off, less those
    /// reversals took back whole.
    payments: u64,
    /// The units they paid, less those reversals took back.
    units: i64,
    /// What they paid, less what reversals took back.
    #[serde(serialize_with = "as_cents")]
    amount: Decimal,
}

/// Serializes an amount as [`cents`] prints it: `"8.00"`.
fn as_cents<S: serde::Serializer>(amount: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&cents(*amount))
}

/// [`as_cents`] for an amount that may be unknown (`null`).
fn as_cents_or_null<S: serde::Serializer>(
    amount: &Option<Decimal>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match amount {
        Some(amount) => as_cents(amount, serializer),
        None => serializer.serialize_none(),
    }
}

/// One write-off of the Claims section.
#[derive(Serialize)]
struct ClaimLine {
    date: NaiveDate,
    sku: String,
    /// `lost`, `damaged` or `short`.
    what: &'static str,
    units: i64,
    found: i64,
    reimbursed: i64,
    #[serde(serialize_with = "as_cents")]
    reimbursed_amount: Decimal,
    /// Units still lost less those reimbursed (below zero when
    /// over-reimbursed).
    open: i64,
    /// The value the whole write-off took out of stock, at cost; `None`
    /// (`-`, JSON `null`) for a SKU with no unit cost, which the ledger
    /// values at zero.
    #[serde(serialize_with = "as_cents_or_null")]
    value_at_cost: Option<Decimal>,
    /// At least `--claim-days` old: file a claim.
    claimable: bool,
}

impl ClaimLine {
    fn new(claim: &OpenClaim, as_of: NaiveDate, claim_days: u32, priced: bool) -> Self {
        let date = claim.write_off.at.date_naive();
        let what = match &claim.write_off.kind {
            EventKind::Adjustment { reason: AdjustmentReason::Lost, .. } => "lost",
            EventKind::Adjustment { .. } => "damaged",
            _ => "short",
        };
        Self {
            date,
            sku: claim.write_off.sku.to_string(),
            what,
            units: claim.units.get(),
            found: claim.units_back().get(),
            reimbursed: claim.reimbursed_units.get(),
            reimbursed_amount: claim.reimbursed_amount,
            open: claim.net_units().get().saturating_sub(claim.reimbursed_units.get()),
            value_at_cost: priced.then_some(claim.value),
            claimable: (as_of - date).num_days() >= i64::from(claim_days),
        }
    }
}

/// The Claims section of the books on `as_of`, when the detail view
/// booked a lost or damaged write-off.
fn claims(books: &Books, as_of: Option<NaiveDate>, claim_days: u32) -> Option<Claims> {
    let as_of = as_of?;
    if books.losses.is_empty() {
        return None;
    }
    let line = |c: &OpenClaim| {
        let priced = books.unit_costs.contains_key(&c.write_off.sku);
        ClaimLine::new(c, as_of, claim_days, priced)
    };
    // Write-offs are aged on `as_of`, but payments approved after it are
    // booked too, so the ledger is asked on the later day.
    let paid_by = books.paid_to.map_or(as_of, |d| d.max(as_of));
    Some(Claims {
        as_of,
        claim_days,
        open: books.ledger.unreimbursed(paid_by, 0).iter().map(line).collect(),
        overreimbursed: books.ledger.overreimbursed(paid_by).iter().map(line).collect(),
        paid_without_loss: books.paid_without_loss,
        currency: books.reimbursement_currency.clone(),
        paid_to: books.paid_to,
        reimbursement_files_read: books.reimbursement_files_read,
        reimbursement_rows_read: books.reimbursement_rows_read,
        reimbursement_files_rejected: books.reimbursement_files_rejected.clone(),
    })
}

/// One cross-check of the booked ledger against a report's own figures.
#[derive(Serialize)]
struct Check {
    /// Whether every figure agreed.
    passed: bool,
    text: String,
}

/// A recommendation with the SKU's demand over the demand window's
/// days, to set beside the forecast.
#[derive(Serialize)]
struct AmazonRec {
    #[serde(flatten)]
    rec: RecRow,
    history_units_per_day: f64,
    /// Planned on zero stock because no stock report or ledger row names
    /// the SKU: the caution counts it.
    #[serde(skip)]
    assumed_zero: bool,
    /// Planned on the units on order of only the inbound columns its
    /// Manage FBA Inventory file has (no total to read the rest from):
    /// the caution counts it.
    #[serde(skip)]
    on_order_partial: bool,
    /// Planned on a ledger balance whose opening no report gives (a
    /// detail view with no summary opening and no Manage FBA Inventory
    /// row): the caution counts it.
    #[serde(skip)]
    unknown_opening: bool,
}

/// A sales channel of All Orders lines: its name as first read, the
/// lines read from it, and the currencies of its demand lines.
#[derive(Default)]
struct Market {
    name: String,
    lines: u64,
    currencies: BTreeSet<String>,
}

/// When Amazon last changed an All Orders line (`last-updated-date`), as
/// an instant: a cell with a time and a zone is that instant, a day
/// alone is its start in UTC. `None` (no column, a blank cell) sorts
/// before every date, so the lines of an (order, SKU) have one order
/// whatever order they are read in: the latest update decides, and a
/// line without one only when no line of the pair has one.
type Updated = Option<DateTime<Utc>>;

/// [`Updated`] of an All Orders line.
fn updated(line: &OrderLine) -> Updated {
    match (line.last_updated_at, line.last_updated_date) {
        (Some(at), _) => Some(at.to_utc()),
        (None, Some(day)) => Some(day.and_time(NaiveTime::MIN).and_utc()),
        (None, None) => None,
    }
}

/// The All Orders line that decides one (order, SKU) so far.
enum OrderLineState {
    /// Customer demand: units on the purchase day, the unit price when
    /// the line has one, and its marketplace (the key of
    /// `Books::order_markets`) and currency, which count once the line
    /// decides its pair.
    Demand {
        date: NaiveDate,
        units: Quantity,
        unit_price: Option<Decimal>,
        market: String,
        currency: Option<String>,
    },
    /// Not demand, and why (with the line, when the line is suspect).
    Skipped { why: &'static str, example: Option<String> },
}

/// The state built from the reports.
struct Books {
    ledger: Ledger,
    location: LocationId,
    channel: ChannelId,
    counts: Counts,
    /// Summary view rows by (SKU, period start, FNSKU, disposition), so a
    /// row downloaded twice counts once.
    summary: BTreeMap<(Sku, NaiveDate, String, String), LedgerSummaryRow>,
    myi: BTreeMap<Sku, InventoryRow>,
    /// Where each SKU's row in `myi` was read (file and line), to name it
    /// when another row of the SKU replaces it.
    myi_read: BTreeMap<Sku, String>,
    /// What each SKU's row in `myi` says is on order: `None` when the
    /// file has no inbound column and no total to read it from, with the
    /// words the SKU's reason starts with when the figure is not the
    /// row's inbound cells checked against its total.
    myi_on_order: BTreeMap<Sku, (Option<Quantity>, Option<String>)>,
    /// The last Manage FBA Inventory row refused for each SKU (file,
    /// line and why): a SKU with no row in `myi` and none in the ledger
    /// has no stock figure, and is not planned on zero.
    myi_refused: BTreeMap<Sku, String>,
    /// Manage FBA Inventory rows used although their total disagrees,
    /// for each SKU (file and line): when a later row of the SKU replaces
    /// one, its reason still names it.
    myi_doubted: BTreeMap<Sku, String>,
    /// SKUs whose row in `myi` gives on order from only some of the
    /// inbound columns (the file lacks the others, the row has no
    /// total): the caution counts them.
    myi_on_order_partial: BTreeSet<Sku>,
    /// Manage FBA Inventory files rejected whole (file: why): a SKU with
    /// no row elsewhere is then not planned on a ledger balance that the
    /// rejected file might have corrected, nor on zero.
    myi_rejected: Vec<String>,
    /// Manage FBA Inventory rows the reader could not read that name no
    /// SKU (file, line and why): like a rejected file, they leave every
    /// SKU that no readable row names under the refused-row rule, since
    /// any of them may be theirs.
    myi_unnamed: Vec<String>,
    /// The deciding All Orders line of each order item across every All
    /// Orders file, with its `last-updated-date` and where it was read
    /// (to name it when another line replaces it): the latest update
    /// wins ([`Updated`]), a tie goes to the line read last (files in
    /// name order), and the winner alone decides whether the item is
    /// demand. An item is keyed by order, SKU and which line of that pair
    /// it is in its file: the report has no item id, so the second line
    /// of a SKU in an order is a second item, matched with the second
    /// line of the pair in another download. Folded into `orders` by
    /// `finish_orders`.
    order_lines: BTreeMap<(OrderId, Sku, u32), (OrderLineState, Updated, String)>,
    /// All Orders lines read without a `last-updated-date`.
    order_lines_undated: u64,
    /// Order lines that are demand, once per (order, SKU), the units of
    /// its items summed.
    orders: BTreeMap<(OrderId, Sku), (NaiveDate, Quantity)>,
    order_prices: BTreeMap<Sku, Vec<Decimal>>,
    /// All Orders lines read per sales channel (`-` when the line names
    /// none), with the currencies they carry: a folder must hold one
    /// marketplace.
    /// Keyed by the name without case or surrounding spaces.
    order_markets: BTreeMap<String, Market>,
    unit_costs: BTreeMap<Sku, Decimal>,
    titles: BTreeMap<Sku, String>,
    /// Shipment events booked, by order id, to link customer returns.
    shipments: BTreeMap<String, EventId>,
    first_day: BTreeMap<Sku, NaiveDate>,
    /// Rows booked per day, every report's: the planning day is read
    /// from it ([`Books::last_day`]).
    dates: BTreeMap<NaiveDate, u64>,
    /// All Orders lines that are demand, per purchase day: the demand
    /// window when All Orders gives demand ([`Books::days`]).
    order_dates: BTreeMap<NaiveDate, u64>,
    /// Detail rows booked per day: the demand window when the ledger
    /// gives demand.
    ledger_dates: BTreeMap<NaiveDate, u64>,
    seeded: BTreeSet<Sku>,
    prepared: bool,
    /// The last day a row may carry: tomorrow by this machine's clock
    /// (UTC), since a report cannot describe the future. A later row is a
    /// corrupt date and is skipped, so it cannot move the planning day.
    latest_day: NaiveDate,
    /// The file being read, for messages.
    file: String,
    /// How the readers read dates: `--date-order`, or each file decides.
    read_options: ReadOptions,
    /// Files read whose all-numeric dates could be read either way, read
    /// month first by assumption.
    date_order_assumed: Vec<String>,
    /// Lost and damaged detail rows booked (negative, rolling up into
    /// `Lost` or `Damaged`): the losses Reimbursements rows are matched
    /// to, each booked under its key's event id.
    losses: Vec<LedgerDetailRow>,
    /// Reimbursements rows read, with their file, booked once every
    /// detail file is read ([`Books::book_reimbursements`]).
    reimbursements: Vec<(String, ReimbursementRow)>,
    /// Reimbursements rows not used (file, line, why, example), held
    /// while they are booked (payments before reversals) and counted
    /// in line order ([`Books::not_used`]).
    reimbursements_not_used: Vec<(String, u64, String, String)>,
    /// Reimbursement events booked naming no write-off.
    paid_without_loss: PaidWithoutLoss,
    /// The currency of the Reimbursements rows booked: the one most rows
    /// carry (rows in another are not booked).
    reimbursement_currency: Option<String>,
    /// The latest approval date of a reimbursement event booked: the
    /// Claims section counts payments to it, even after the plan's day.
    paid_to: Option<NaiveDate>,
    /// Reimbursements files read.
    reimbursement_files_read: u64,
    /// Reimbursements files rejected (name: error).
    reimbursement_files_rejected: Vec<String>,
    /// Reimbursements rows read from the files read.
    reimbursement_rows_read: u64,
    /// SKUs only Reimbursements rows put in the ledger: no stock or
    /// demand of theirs was read, so they are not planned.
    reimbursed_only: BTreeSet<Sku>,
    /// The row errors of the file last drained (line, the row's SKU as
    /// the reader gives it, message): a Manage FBA Inventory row the
    /// reader cannot read refuses its SKU's stock when its SKU cell can
    /// be read.
    last_unreadable: Vec<(u64, Option<Sku>, String)>,
}

/// A file whose dates were read month first by assumption (its first
/// rows fit either order) holds a later date that is only a date day
/// first: its rows cannot all be right, and the run stops.
#[derive(Debug)]
struct DateOrderRefuted {
    file: String,
    line: u64,
}

impl std::fmt::Display for DateOrderRefuted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: dates were read month first (MM/DD/YYYY), assumed because the first rows' dates \
             fit either order, but line {} holds a date that is only a date day first \
             (DD/MM/YYYY), so the rows before it were misread; run again with --date-order \
             day-first (or --date-order month-first if that line is the mistake)",
            self.file, self.line
        )
    }
}

impl std::error::Error for DateOrderRefuted {}

pub(crate) fn run(args: &Args, dir: &Path) -> Result<(), BoxError> {
    let service = ServiceLevel::new(args.service_level)?;
    let (mut books, file_rows) = load(args, dir)?;
    let checks = books.close()?;
    let (recommendations, warnings) = plan(args, service, &books)?;
    for (why, example) in warnings {
        books.counts.warn(why, example);
    }
    let last = books.last_day();
    let soon_days = planner_options(args, service).soon_days;
    let claims = claims(&books, last, args.claim_days.unwrap_or(CLAIM_DAYS));
    let output = AmazonOutput {
        assumptions: assumptions(args, dir, &books),
        legend: amazon_legend(soon_days, args.buffer_days),
        files: file_rows,
        counts: books.counts,
        checks,
        claims,
        recommendations,
    };
    super::emit(&output, args.json.as_ref(), || print_report(&output, last))
}

/// What the urgency labels of an `--amazon` run mean, `not planned`
/// among them.
fn amazon_legend(soon_days: u32, buffer_days: u32) -> String {
    format!(
        "{}; not planned = the SKU's stock is unknown (the reason says why): no order",
        urgency_legend(soon_days, buffer_days, FORECAST_DAYS)
    )
}

/// Reads every report of `dir` into the books, in the order of
/// [`Report`] and, within a report, of file names.
fn load(args: &Args, dir: &Path) -> Result<(Books, Vec<FileRow>), BoxError> {
    let files = list_files(dir)?;
    let mut books = Books::new()?;
    if let Some(order) = args.date_order {
        books.read_options = ReadOptions::default().date_order(order.into());
    }
    let mut file_rows = Vec::new();
    let mut classified = Vec::new();
    for path in files {
        let name = file_name(&path);
        let note = match classify(&path) {
            Ok(Some(report)) => {
                classified.push((report, name, path));
                continue;
            }
            Ok(None) => "not used: not a report this example reads (by header or name)".into(),
            Err(e) => format!("not used: {e}"),
        };
        file_rows.push(FileRow {
            file: name,
            report: None,
            rows: 0,
            row_errors: 0,
            skipped: 0,
            note,
        });
    }
    classified.sort();
    let mut used = 0;
    for (report, name, path) in &classified {
        if *report == Report::LedgerDetail {
            books.prepare_detail(args.cost_share);
        }
        let row = books.read_file(*report, name, path)?;
        used += usize::from(row.note.is_empty());
        file_rows.push(row);
    }
    if used == 0 {
        return Err(no_reports(dir, NO_REPORT, &file_rows, &books.counts).into());
    }
    // Every All Orders file is read: decide each (order, SKU) (a detail
    // file may have done so already), so the check sees only the lines
    // that count.
    books.finish_orders();
    books
        .check_marketplaces(args.pool_marketplaces)
        .map_err(|e| format!("--amazon {}: {e}", dir.display()))?;
    books.prepare_detail(args.cost_share);
    books.book_reimbursements();
    if books.days().is_none() {
        let why =
            "no dated rows, so no demand history (the ledger detail view or All Orders gives it)";
        return Err(no_reports(dir, why, &file_rows, &books.counts).into());
    }
    books.note_window();
    Ok((books, file_rows))
}

/// The message of a run that stops before planning: why, each file's
/// counts, and a few of the unreadable rows, as a report names them.
fn no_reports(dir: &Path, why: &str, files: &[FileRow], counts: &Counts) -> String {
    let mut text = format!("--amazon {}: {why}", dir.display());
    for f in files {
        let what = f.report.unwrap_or("-");
        let counts = format!("{} rows, {} row errors, {} skipped", f.rows, f.row_errors, f.skipped);
        let note = if f.note.is_empty() { counts } else { f.note.clone() };
        text.push_str(&format!("\n  {}: {what}: {note}", f.file));
    }
    if let Some(examples) = counts.examples.get(UNREADABLE_ROW) {
        text.push_str(&format!("\n  unreadable rows, e.g. {}", examples.join("; ")));
    }
    text
}

/// The regular files of `dir`, sorted by name; hidden files and
/// README files are left out.
fn list_files(dir: &Path) -> Result<Vec<PathBuf>, BoxError> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| format!("--amazon {}: cannot read the folder: {e}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let name = file_name(&path);
        let readme = name.to_lowercase().starts_with("readme");
        if path.is_file() && !name.starts_with('.') && !readme {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn open(path: &Path) -> Result<Box<dyn Read>, BoxError> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let reader = BufReader::new(file);
    Ok(if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
        Box::new(MultiGzDecoder::new(reader))
    } else {
        Box::new(reader)
    })
}

/// The report a file holds: by its header line, else by its name.
fn classify(path: &Path) -> Result<Option<Report>, BoxError> {
    let mut head = Vec::new();
    // A header longer than 64 KiB is no report header; a file that
    // cannot be read or un-gzipped is classified by name and rejected by
    // its reader with the reason.
    let _ = BufReader::new(open(path)?.take(64 * 1024)).read_until(b'\n', &mut head);
    let line = String::from_utf8_lossy(&head);
    Ok(Report::from_header(&line).or_else(|| Report::from_name(&file_name(path))))
}

fn at(day: NaiveDate, hour: u32) -> DateTime<Utc> {
    day.and_hms_opt(hour, 0, 0).unwrap_or_default().and_utc()
}

fn end_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(23, 59, 59).unwrap_or_default().and_utc()
}

impl Books {
    fn new() -> Result<Self, BoxError> {
        let options =
            LedgerOptions { negative_stock: NegativeStock::AllowWithTrueUp, ..Default::default() };
        Ok(Self {
            ledger: Ledger::new(options),
            location: LocationId::new("FBA")?,
            channel: ChannelId::new("amazon")?,
            counts: Counts::default(),
            summary: BTreeMap::new(),
            myi: BTreeMap::new(),
            myi_read: BTreeMap::new(),
            myi_on_order: BTreeMap::new(),
            myi_refused: BTreeMap::new(),
            myi_doubted: BTreeMap::new(),
            myi_on_order_partial: BTreeSet::new(),
            myi_rejected: Vec::new(),
            myi_unnamed: Vec::new(),
            order_lines: BTreeMap::new(),
            order_lines_undated: 0,
            orders: BTreeMap::new(),
            order_prices: BTreeMap::new(),
            order_markets: BTreeMap::new(),
            unit_costs: BTreeMap::new(),
            titles: BTreeMap::new(),
            shipments: BTreeMap::new(),
            first_day: BTreeMap::new(),
            dates: BTreeMap::new(),
            order_dates: BTreeMap::new(),
            ledger_dates: BTreeMap::new(),
            seeded: BTreeSet::new(),
            prepared: false,
            latest_day: Utc::now().date_naive().succ_opt().unwrap_or(NaiveDate::MAX),
            file: String::new(),
            read_options: ReadOptions::default(),
            date_order_assumed: Vec::new(),
            last_unreadable: Vec::new(),
            losses: Vec::new(),
            reimbursements: Vec::new(),
            reimbursements_not_used: Vec::new(),
            paid_without_loss: PaidWithoutLoss::default(),
            reimbursement_currency: None,
            paid_to: None,
            reimbursement_files_read: 0,
            reimbursement_files_rejected: Vec::new(),
            reimbursement_rows_read: 0,
            reimbursed_only: BTreeSet::new(),
        })
    }

    /// Counts a row booked on `day`: an All Orders demand line
    /// (`order`) or a detail row.
    fn see_day(&mut self, day: NaiveDate, order: bool) {
        *self.dates.entry(day).or_insert(0) += 1;
        let source = if order { &mut self.order_dates } else { &mut self.ledger_dates };
        *source.entry(day).or_insert(0) += 1;
    }

    /// The rows per day of the report demand is read from: All Orders
    /// when it holds demand (as [`plan`] chooses), else the ledger.
    fn demand_dates(&self) -> &BTreeMap<NaiveDate, u64> {
        if self.orders.is_empty() { &self.ledger_dates } else { &self.order_dates }
    }

    /// The demand window, by [`WINDOW_RULE`] over the days of the report
    /// demand is read from ([`Books::demand_dates`]): the block of its
    /// days with the most rows, without its sparse ends. A stray row
    /// dated years before the rest (a corrupt date, an old adjustment),
    /// months after it, or a chain of single old rows each under the gap
    /// apart would otherwise stretch the history with empty days, or
    /// replace it, and pull every forecast towards zero. Another
    /// report's rows never move it: a ledger receipt two days before the
    /// first All Orders line added two days without demand to every
    /// SKU's history.
    fn days(&self) -> Option<(NaiveDate, NaiveDate)> {
        window(self.demand_dates(), WINDOW_RULE)
    }

    /// The last day the plan stands on, the day before the planning
    /// day: the later of the demand window's last day and that of the
    /// same rule over every report's booked rows, so a ledger or
    /// inventory movement booked after the last order line still counts
    /// in the stock figures. The days between the demand window's end
    /// and this day are not history: no demand report covers them.
    fn last_day(&self) -> Option<NaiveDate> {
        let every = window(&self.dates, WINDOW_RULE).map(|(_, last)| last);
        every.max(self.days().map(|(_, last)| last))
    }

    /// Warns about rows of the demand report left outside the demand
    /// window and, when All Orders gives demand, about ledger rows booked
    /// after the last day planned from, which the stock figures leave
    /// out.
    fn note_window(&mut self) {
        if let (Some(last), false) = (self.last_day(), self.orders.is_empty()) {
            let after: Vec<(NaiveDate, u64)> = self
                .ledger_dates
                .range(last.succ_opt().unwrap_or(NaiveDate::MAX)..)
                .map(|(d, n)| (*d, *n))
                .collect();
            if let (Some(&(oldest, _)), Some(&(newest, _))) = (after.first(), after.last()) {
                let n: u64 = after.iter().map(|(_, n)| n).sum();
                self.counts.warn(
                    "ledger rows after the last day planned from (a sparse end of the booked days), booked but left out of the stock figures",
                    format!("{n} row(s) dated {oldest} to {newest}, after {last}"),
                );
            }
        }
        let Some((first, last)) = self.days() else { return };
        let outside: Vec<(NaiveDate, u64)> = self
            .demand_dates()
            .iter()
            .filter(|(d, _)| **d < first || **d > last)
            .map(|(d, n)| (*d, *n))
            .collect();
        for (side, rows) in [
            ("before", outside.iter().filter(|(d, _)| *d < first).copied().collect::<Vec<_>>()),
            ("after", outside.iter().filter(|(d, _)| *d > last).copied().collect()),
        ] {
            if let (Some(&(oldest, _)), Some(&(newest, _))) = (rows.first(), rows.last()) {
                let n: u64 = rows.iter().map(|(_, n)| n).sum();
                self.counts.warn(
                    "rows outside the demand window (another block, or a sparse end), booked but left out of demand",
                    format!(
                        "{n} row(s) dated {oldest} to {newest}, {side} the window {first} to {last}"
                    ),
                );
            }
        }
    }

    /// Reads one file into the books. A file the reader rejects is
    /// reported in its row and books nothing: its rows are read in full
    /// before any is booked.
    ///
    /// # Errors
    ///
    /// [`DateOrderRefuted`]: the run cannot go on without `--date-order`.
    fn read_file(&mut self, report: Report, name: &str, path: &Path) -> Result<FileRow, BoxError> {
        let mut row = FileRow {
            file: name.to_owned(),
            report: Some(report.label()),
            rows: 0,
            row_errors: 0,
            skipped: 0,
            note: String::new(),
        };
        self.file = name.to_owned();
        let result = open(path).and_then(|input| match report {
            Report::LedgerSummary => self.read_summary(input),
            Report::Inventory => self.read_inventory(input),
            Report::Orders => self.read_orders(input),
            Report::LedgerDetail => self.read_detail(input),
            Report::Reimbursements => self.read_reimbursements(input),
        });
        match result {
            Ok(stats) => {
                row.rows = stats.rows;
                row.row_errors = stats.row_errors;
                row.skipped = stats.skipped_total();
                for (why, n) in &stats.skipped {
                    *self.counts.rows_skipped.entry(skip_text(why)).or_insert(0) += n;
                }
                self.counts.rows_read += stats.records;
                if matches!(report, Report::Reimbursements) {
                    self.reimbursement_files_read += 1;
                }
            }
            Err(e) if e.is::<DateOrderRefuted>() => return Err(e),
            Err(e) => {
                let mixed =
                    matches!(e.downcast_ref::<ReadError>(), Some(ReadError::MixedDateOrder { .. }));
                let hint = if mixed { " (pass --date-order day-first or month-first)" } else { "" };
                row.note = format!("rejected: {e}{hint}");
                if matches!(report, Report::Inventory) {
                    self.myi_rejected.push(format!("{name}: {e}"));
                    self.counts.stock_files_rejected += 1;
                }
                if matches!(report, Report::Reimbursements) {
                    self.reimbursement_files_rejected.push(format!("{name}: {e}"));
                }
            }
        }
        Ok(row)
    }

    /// Runs a reader to its end, then hands the rows to `each` and counts
    /// the row errors with a few examples. A file error returns before
    /// anything is booked, so a rejected file leaves the books as they
    /// were; so does a file whose assumed date order its own later dates
    /// refute ([`DateOrderRefuted`]), since the rows before that line were
    /// read in the wrong order.
    fn drain<I, T>(
        &mut self,
        rows: &mut I,
        stats: fn(&I) -> &ReadStats,
        mut each: impl FnMut(&mut Self, T) -> Result<(), BoxError>,
    ) -> Result<ReadStats, BoxError>
    where
        I: Iterator<Item = Result<T, ReadError>>,
    {
        let mut good = Vec::new();
        let mut unreadable = Vec::new();
        for row in rows.by_ref() {
            match row {
                Ok(row) => good.push(row),
                Err(e) if e.is_fatal() => return Err(e.into()),
                Err(e) => {
                    let text = format!("{}: {e}", self.file);
                    unreadable.push((e.line(), e.sku().cloned(), text));
                }
            }
        }
        let stats = stats(rows).clone();
        if let Some(line) = stats.date_order_refuted_at {
            return Err(Box::new(DateOrderRefuted { file: self.file.clone(), line }));
        }
        if stats.date_order_assumed {
            self.date_order_assumed.push(self.file.clone());
        }
        if stats.unterminated {
            // A cut inside the last cell leaves a row that reads well
            // (`12` of `120`): the reader cannot tell, so say so.
            self.counts.warn(UNTERMINATED, self.file.clone());
        }
        for (_, _, example) in &unreadable {
            self.counts.skip(UNREADABLE_ROW, Some(example.clone()));
        }
        self.last_unreadable = unreadable;
        for row in good {
            each(self, row)?;
        }
        Ok(stats)
    }

    /// Whether a row holds a quantity beyond [`MAX_ROW_UNITS`] either
    /// way, a corrupt number as in the detail view: the row is then
    /// skipped and named, so no sum of report quantities can leave 64
    /// bits.
    fn absurd_quantity(&mut self, line: u64, quantities: &[(&str, Quantity)]) -> bool {
        let Some((column, q)) =
            quantities.iter().find(|(_, q)| q.get().unsigned_abs() > MAX_ROW_UNITS.unsigned_abs())
        else {
            return false;
        };
        let example = format!("{} line {line}: {column} {q}", self.file);
        self.counts.skip("quantity beyond 10,000,000 units", Some(example));
        true
    }

    fn read_summary(&mut self, input: Box<dyn Read>) -> Result<ReadStats, BoxError> {
        let mut reader = LedgerSummaryReader::with_options(input, self.read_options)?;
        self.drain(&mut reader, LedgerSummaryReader::stats, |books, row| {
            // Only the balances are used; a movement cell is checked
            // for size when given (`None` is a blank cell or an absent
            // column).
            let quantities: Vec<(&str, Quantity)> = [
                ("starting balance", Some(row.starting_balance)),
                ("in transit between warehouses", row.in_transit_between_warehouses),
                ("receipts", row.receipts),
                ("customer shipments", row.customer_shipments),
                ("customer returns", row.customer_returns),
                ("vendor returns", row.vendor_returns),
                ("warehouse transfers", row.warehouse_transfers),
                ("found", row.found),
                ("lost", row.lost),
                ("damaged", row.damaged),
                ("disposed", row.disposed),
                ("other events", row.other_events),
                ("ending balance", Some(row.ending_balance)),
                ("unknown events", row.unknown_events),
            ]
            .into_iter()
            .filter_map(|(column, q)| q.map(|q| (column, q)))
            .collect();
            if books.absurd_quantity(row.line, &quantities) {
                return Ok(());
            }
            let key = (
                row.msku.clone(),
                row.period_start,
                row.fnsku.to_string(),
                row.disposition.to_string(),
            );
            books.titles.entry(row.msku.clone()).or_insert_with(|| row.title.clone());
            books.summary.insert(key, row);
            Ok(())
        })
    }

    /// Reads Manage FBA Inventory rows into `myi`. A row with a quantity
    /// beyond [`MAX_ROW_UNITS`], or whose warehouse cell is not
    /// fulfillable + unsellable + reserved, is refused and noted in
    /// `myi_refused`: its on hand is in doubt. A row whose total alone
    /// disagrees with warehouse + inbound keeps its on hand (the
    /// warehouse cell vouches for it); only its units on order are in
    /// doubt ([`myi_on_order`]). A row the reader cannot read (`1OO`
    /// fulfillable, or a quantity below zero, which the reader refuses
    /// as `ReadError::NegativeValue`) refuses its SKU's stock as well,
    /// when the reader can tell its SKU (`ReadError::sku`); one whose SKU
    /// it cannot tell (a blank `sku` cell, a row whose cells do not line
    /// up with the header) is noted in `myi_unnamed`.
    fn read_inventory(&mut self, input: Box<dyn Read>) -> Result<ReadStats, BoxError> {
        let mut reader = InventoryReader::with_options(input, self.read_options)?;
        let missing = &missing_inbound(&reader);
        let stats = self.drain(&mut reader, InventoryReader::stats, |books, row| {
            // A blank fulfillable cell is no count: looked at once the
            // cells given are known to be sound.
            let blank = row.afn_fulfillable.is_none();
            let row = myi_counted(row);
            // The totals are `None` when blank or absent: only cells
            // given are checked.
            let quantities: Vec<(&str, Quantity)> = myi_quantities(&row)
                .into_iter()
                .filter_map(|(column, q)| q.map(|q| (column, q)))
                .collect();
            // The title is for display: a refused row still names its SKU.
            books.titles.entry(row.sku.clone()).or_insert_with(|| row.title.clone());
            let at = format!("{} line {}: {}", books.file, row.line, row.sku);
            if books.absurd_quantity(row.line, &quantities) {
                books.refuse_stock(&row, "a quantity beyond 10,000,000 units");
                return Ok(());
            }
            // A blank fulfillable cell counts as 0 only when a warehouse
            // cell vouches for it: without one, on hand is unknown.
            if row.afn_warehouse.is_none() && blank {
                let why = "afn-fulfillable-quantity blank, and no warehouse cell to check it";
                books.counts.skip("Manage FBA Inventory fulfillable blank", Some(format!("{at}: {why}")));
                books.refuse_stock(&row, why);
                return Ok(());
            }
            // Every quantity is within 10,000,000 by now: no sum leaves
            // 64 bits.
            let (fulfillable, unsellable, reserved) =
                (units(row.afn_fulfillable), units(row.afn_unsellable), units(row.afn_reserved));
            let parts = fulfillable.saturating_add(unsellable).saturating_add(reserved);
            // The warehouse cell, when given (a 0 included), must be its
            // parts: else the fulfillable figure itself is in doubt.
            if row.afn_warehouse.is_some_and(|w| w != parts) {
                let given = |q: Option<Quantity>| q.map_or_else(|| "blank".to_owned(), |q| q.to_string());
                let total = if missing.is_empty() {
                    // What the total should be: the parts of the
                    // warehouse plus the inbound units.
                    let inbound = row.inbound();
                    let expected = inbound.clone().and_then(|inbound| parts.checked_add(inbound));
                    format!(
                        "total {} vs those + inbound {} = {}",
                        given(row.afn_total),
                        inbound.map_or_else(|e| e.to_string(), |q| q.to_string()),
                        expected.map_or_else(|e| e.to_string(), |q| q.to_string())
                    )
                } else {
                    format!("total {} (the file has no {})", given(row.afn_total), missing.join(", "))
                };
                let example = format!(
                    "{at}: warehouse {} vs fulfillable {fulfillable} + unsellable {unsellable} + \
                     reserved {reserved}; {total}",
                    given(row.afn_warehouse),
                );
                books.counts.skip("Manage FBA Inventory totals disagree", Some(example));
                let why = format!(
                    "warehouse {} is not fulfillable {fulfillable} + unsellable {unsellable} + \
                     reserved {reserved}",
                    given(row.afn_warehouse),
                );
                books.refuse_stock(&row, &why);
                return Ok(());
            }
            // With no warehouse cell the total is the only check on on
            // hand: a total off from the parts + inbound (every column
            // present), or below the parts + the inbound columns present
            // (some absent), leaves on hand in doubt, and the row is
            // refused.
            if row.afn_warehouse.is_none()
                && let Some(total) = row.afn_total
            {
                // The reader refuses a row whose inbound cells leave 64
                // bits.
                let cells = row.inbound().unwrap_or(Quantity::MAX);
                let sum = parts.saturating_add(cells);
                let bad = if missing.is_empty() { total != sum } else { total < sum };
                if bad {
                    let inbound =
                        if missing.is_empty() { "inbound" } else { "the inbound columns present" };
                    let relation = if missing.is_empty() { "is not" } else { "is below" };
                    let why = format!(
                        "no warehouse cell, and total {total} {relation} fulfillable \
                         {fulfillable} + unsellable {unsellable} + reserved {reserved} + \
                         {inbound} {cells} = {sum}"
                    );
                    books.counts.skip("Manage FBA Inventory totals disagree", Some(format!("{at}: {why}")));
                    books.refuse_stock(&row, &why);
                    return Ok(());
                }
            }
            let (on_order, doubt) = myi_on_order(&row, parts, missing, &books.file);
            if doubt {
                books.counts.stock_rows_in_doubt += 1;
                books.myi_doubted.insert(row.sku.clone(), format!("{} line {}", books.file, row.line));
                let example = format!(
                    "{at}: total {} vs warehouse {parts} + inbound {}",
                    row.afn_total.map_or_else(|| "blank".to_owned(), |q| q.to_string()),
                    row.inbound().map_or_else(|e| e.to_string(), |q| q.to_string())
                );
                books.counts.warn(MYI_TOTAL_DOUBT, example);
            }
            if let Some(cell) = &row.price_unread {
                // The reader kept the row for its quantities; the price
                // is left out of valuation, and said so.
                let example = format!("{at}: your-price {cell:?}");
                let why = "Manage FBA Inventory price unreadable, row used for its quantities, price left out of unit cost";
                books.counts.warn(why, example);
            }
            if let Some(before) = books.myi.get(&row.sku)
                && *before != (InventoryRow { line: before.line, ..row.clone() })
            {
                // Two snapshots of one SKU (two downloads, or the reports
                // of two marketplaces) that disagree: the last read is
                // used, and said so.
                let example = format!(
                    "{at}: {} replaces the row read at {}",
                    myi_changes(before, &row),
                    books.myi_read.get(&row.sku).map_or("", String::as_str)
                );
                books.counts.warn(MYI_AGAIN, example);
            }
            books.myi_read.insert(row.sku.clone(), format!("{} line {}", books.file, row.line));
            books.myi_on_order.insert(row.sku.clone(), on_order);
            if !missing.is_empty() && missing.len() < INBOUND_COLUMNS.len() && row.afn_total.is_none() {
                books.myi_on_order_partial.insert(row.sku.clone());
            } else {
                books.myi_on_order_partial.remove(&row.sku);
            }
            books.myi.insert(row.sku.clone(), row);
            Ok(())
        })?;
        // The reader gives the SKU of a row it cannot read when the SKU
        // cell itself can be read and the row's cells line up with the
        // header; any other row names no SKU, and may be any SKU's.
        for (line, sku, text) in std::mem::take(&mut self.last_unreadable) {
            let why = format!(
                "unreadable row ({})",
                text.trim_start_matches(&format!("{}: ", self.file))
            );
            match sku {
                Some(sku) => self.refuse_sku(&sku, line, &why),
                None => {
                    self.counts.stock_rows_unnamed += 1;
                    self.myi_unnamed.push(format!("{} line {line}: {why}", self.file));
                }
            }
        }
        if !missing.is_empty() && stats.rows > 0 {
            let example = format!("{}: no {}", self.file, missing.join(", "));
            self.counts.warn(INBOUND_ABSENT, example);
        }
        Ok(stats)
    }

    /// Notes a refused Manage FBA Inventory row of `row.sku`, and why, so
    /// the plan can name it: the SKU keeps a row of its own read before,
    /// else the ledger gives its stock, else it is not planned.
    fn refuse_stock(&mut self, row: &InventoryRow, why: &str) {
        self.refuse_sku(&row.sku, row.line, why);
    }

    /// [`Self::refuse_stock`] for a row known by its SKU and line alone.
    fn refuse_sku(&mut self, sku: &Sku, line: u64, why: &str) {
        self.counts.stock_rows_refused += 1;
        let at = format!("{} line {line}: {why}", self.file);
        self.myi_refused.insert(sku.clone(), at);
    }

    /// Reads All Orders lines into `order_lines`; nothing is demand yet.
    /// A line of an (order, SKU) already seen replaces the kept one unless
    /// its `last-updated-date` is older: an order downloaded as Pending on
    /// one day and Cancelled on the next is cancelled, in whichever order
    /// the files are read. Without the dates, or on a tie, the line read
    /// later (in this file or a later one) replaces the earlier.
    fn read_orders(&mut self, input: Box<dyn Read>) -> Result<ReadStats, BoxError> {
        let mut reader = OrdersReader::with_options(input, self.read_options)?;
        // Lines of each (order, SKU) read so far in this file.
        let mut nth: BTreeMap<(OrderId, Sku), u32> = BTreeMap::new();
        self.drain(&mut reader, OrdersReader::stats, |books, line| {
            let at = format!("{} line {}", books.file, line.line);
            // `Amazon.de`, `amazon.de` and `AMAZON.DE ` are one marketplace.
            let market = line
                .sales_channel
                .as_ref()
                .map_or_else(|| "-".to_owned(), |c| c.as_str().trim().to_owned());
            let key = market.to_ascii_lowercase();
            let seen = books.order_markets.entry(key.clone()).or_default();
            if seen.lines == 0 {
                seen.name = market;
            }
            seen.lines += 1;
            let merchant = line.fulfillment == Some(FulfillmentChannel::Merchant);
            let state = if !line.is_demand() || merchant {
                let why = if merchant {
                    "order shipped by the seller (FBM)"
                } else {
                    "order line not demand (cancelled or replacement)"
                };
                OrderLineState::Skipped { why, example: None }
            } else if !line.quantity.is_positive() || line.quantity.get() > MAX_ROW_UNITS {
                let example = format!("{at}: order {} quantity {}", line.order_id, line.quantity);
                OrderLineState::Skipped {
                    why: "order quantity not between 1 and 10,000,000",
                    example: Some(example),
                }
            } else if line.purchase_date > books.latest_day {
                let example = format!("{at}: order {} on {}", line.order_id, line.purchase_date);
                OrderLineState::Skipped { why: "dated in the future", example: Some(example) }
            } else {
                if let Some(cell) = &line.item_price_unread {
                    // The reader kept the line for its quantity; the
                    // price is left out of the median order price, and
                    // said so.
                    let example = format!("{at}: order {} item-price {cell:?}", line.order_id);
                    books.counts.warn(ORDER_PRICE_UNREAD, example);
                }
                let unit_price =
                    line.item_price.map(|price| price / Decimal::from(line.quantity.get()));
                OrderLineState::Demand {
                    date: line.purchase_date,
                    units: line.quantity,
                    unit_price,
                    market: key,
                    currency: line.currency.map(|c| c.to_string()),
                }
            };
            let example = format!("{at}: order {} SKU {}", line.order_id, line.sku);
            if let Some(day) = line.last_updated_date
                && day > books.latest_day
            {
                // A corrupt date must not decide the pair: the line is
                // left out, as a purchase dated in the future is.
                let example = format!("{at}: order {} last updated {day}", line.order_id);
                books.counts.skip("last update dated in the future", Some(example));
                return Ok(());
            }
            let mut updated = updated(&line);
            if let Some(day) = line.last_updated_date
                && day < line.purchase_date
            {
                // An update before the purchase: one of the two dates is
                // wrong, and the update cannot be trusted to decide.
                let example = format!(
                    "{at}: order {} purchased {}, last updated {day}",
                    line.order_id, line.purchase_date
                );
                books.counts.warn(UPDATED_BEFORE_PURCHASE, example);
                updated = None;
            }
            books.order_lines_undated += u64::from(updated.is_none());
            let seen = nth.entry((line.order_id.clone(), line.sku.clone())).or_default();
            let key = (line.order_id.clone(), line.sku.clone(), *seen);
            *seen += 1;
            let not_used = match books.order_lines.entry(key) {
                Entry::Vacant(slot) => {
                    slot.insert((state, updated, example));
                    return Ok(());
                }
                // Not older: the new line decides, and the kept one goes.
                Entry::Occupied(mut kept) if updated >= kept.get().1 => {
                    kept.insert((state, updated, example)).2
                }
                Entry::Occupied(_) => example,
            };
            books.counts.skip(ORDER_LINE_AGAIN, Some(not_used));
            Ok(())
        })
    }

    /// The marketplaces All Orders lines came from, with their line
    /// counts. Lines of no sales channel or of `Non-Amazon`
    /// (Multi-Channel Fulfillment orders, served from the same stock)
    /// name no marketplace.
    fn marketplaces(&self) -> Vec<(&str, u64)> {
        self.order_markets
            .iter()
            .filter(|(key, _)| *key != "-" && *key != "non-amazon")
            .map(|(_, m)| (m.name.as_str(), m.lines))
            .collect()
    }

    /// The currencies of the All Orders lines that are demand, across
    /// every marketplace.
    fn currencies(&self) -> BTreeSet<&str> {
        self.order_markets.values().flat_map(|m| &m.currencies).map(String::as_str).collect()
    }

    /// Refuses All Orders demand lines in more than one currency (their
    /// prices would be mixed into one median), and lines from more than
    /// one marketplace unless `pool` (`--pool-marketplaces`) says their
    /// demand is one: they would be summed into one series. Demand lines
    /// of no marketplace still count for the currency.
    fn check_marketplaces(&self, pool: bool) -> Result<(), String> {
        let marketplaces = self.marketplaces().len();
        let currencies = self.currencies();
        if currencies.len() > 1 {
            let hint = if pool {
                " (--pool-marketplaces pools marketplaces of one currency only)"
            } else {
                ""
            };
            return Err(format!(
                "All Orders lines come in more than one currency ({}): {}; their prices would be \
                 mixed into one unit cost and their demand summed into one series. Run one \
                 marketplace per folder{hint}",
                currencies.into_iter().collect::<Vec<_>>().join(", "),
                self.markets_found()
            ));
        }
        if marketplaces > 1 && !pool {
            return Err(format!(
                "All Orders lines come from more than one marketplace: {}; their demand would be \
                 summed into one series. Run one marketplace per folder, or pass \
                 --pool-marketplaces if they draw on one stock (pan-European FBA)",
                self.markets_found()
            ));
        }
        Ok(())
    }

    /// Each sales channel of the All Orders lines, with its line count
    /// and currencies, for messages.
    fn markets_found(&self) -> String {
        let found: Vec<String> = self
            .order_markets
            .iter()
            .map(|(key, m)| {
                let market = if key == "-" { "no sales channel" } else { &m.name };
                let money = m.currencies.iter().map(String::as_str).collect::<Vec<_>>().join("/");
                let money = if money.is_empty() { "no currency".to_owned() } else { money };
                let plural = if m.lines == 1 { "" } else { "s" };
                format!("{market} ({} line{plural}, {money})", m.lines)
            })
            .collect();
        found.join(", ")
    }

    /// Folds the deciding line of each order item into demand: an item
    /// whose deciding line is cancelled, a replacement, FBM or skipped is
    /// no demand, whatever its other lines said. Runs after every All Orders
    /// file and before anything reads `orders`, the dates or the
    /// marketplaces' currencies; a second call finds nothing left to do.
    fn finish_orders(&mut self) {
        for ((order, sku, _), (state, ..)) in std::mem::take(&mut self.order_lines) {
            match state {
                OrderLineState::Demand { date, units, unit_price, market, currency } => {
                    // Only demand is priced, so only the currency of a
                    // line that decides its pair as demand counts (a
                    // cancelled or replaced line mixes nothing).
                    if let Some(seen) = self.order_markets.get_mut(&market) {
                        seen.currencies.extend(currency);
                    }
                    if let Some(unit) = unit_price {
                        self.order_prices.entry(sku.clone()).or_default().push(unit);
                    }
                    self.see_day(date, true);
                    // Two items of one SKU in an order: one order line of
                    // their units (each at most 10,000,000, so the sum
                    // cannot overflow).
                    let demand = self.orders.entry((order, sku)).or_insert((date, Quantity::ZERO));
                    if let Ok(sum) = demand.1.checked_add(units) {
                        demand.1 = sum;
                    }
                }
                OrderLineState::Skipped { why, example } => self.counts.skip(why, example),
            }
        }
    }

    /// Unit costs, and the summary view's opening balances, before any
    /// detail row is booked. Runs once.
    fn prepare_detail(&mut self, cost_share: Decimal) {
        if std::mem::replace(&mut self.prepared, true) {
            return;
        }
        self.finish_orders();
        for (sku, row) in &self.myi {
            if let Some(price) = row.price {
                self.unit_costs.insert(sku.clone(), (price * cost_share).round_dp(4));
            }
        }
        for (sku, prices) in &mut self.order_prices {
            prices.sort();
            if let Some(&median) = prices.get(prices.len() / 2) {
                self.unit_costs.entry(sku.clone()).or_insert((median * cost_share).round_dp(4));
            }
        }
        self.seed_from_summary();
    }

    /// The starting balances of each SKU's first summary period, summed
    /// by core disposition, as receipts at the start of that day.
    fn seed_from_summary(&mut self) {
        let mut first: BTreeMap<Sku, NaiveDate> = BTreeMap::new();
        for (sku, start, _, _) in self.summary.keys() {
            first.entry(sku.clone()).and_modify(|d| *d = (*d).min(*start)).or_insert(*start);
        }
        let mut opening: BTreeMap<(Sku, NaiveDate, Disposition), i64> = BTreeMap::new();
        for ((sku, start, _, _), row) in &self.summary {
            if first.get(sku) == Some(start) {
                let key = (sku.clone(), *start, row.disposition.to_core());
                let units = opening.entry(key).or_insert(0);
                *units = units.saturating_add(row.starting_balance.get());
            }
        }
        for ((sku, day, disposition), units) in opening {
            self.book_opening(&sku, day, disposition, units, "summary");
            self.seeded.insert(sku);
        }
    }

    fn book_opening(
        &mut self,
        sku: &Sku,
        day: NaiveDate,
        disposition: Disposition,
        units: i64,
        from: &str,
    ) {
        if units <= 0 {
            return;
        }
        let cost = self.unit_costs.get(sku).copied().unwrap_or_default();
        let kind = EventKind::Receipt {
            quantity: Quantity::new(units),
            unit_cost: cost,
            disposition,
            purchase_order: None,
        };
        let id = format!("open/{from}/{sku}/{disposition:?}/{day}");
        let event = EventId::new(id)
            .map(|id| Event::new(id, at(day, 0), sku.clone(), self.location.clone(), kind));
        match event.map_err(BoxError::from).and_then(|e| Ok(self.ledger.ingest(e)?)) {
            Ok(IngestOutcome::Duplicate) => self.counts.duplicates_ignored += 1,
            Ok(_) => self.counts.opening_balances_booked += 1,
            Err(e) => self.counts.skip("opening balance refused", Some(format!("{sku}: {e}"))),
        }
    }

    fn read_detail(&mut self, input: Box<dyn Read>) -> Result<ReadStats, BoxError> {
        let mut reader = LedgerDetailReader::with_options(input, self.read_options)?;
        self.drain(&mut reader, LedgerDetailReader::stats, |books, row| {
            books.book_detail(&row);
            Ok(())
        })
    }

    fn book_detail(&mut self, row: &LedgerDetailRow) {
        if row.quantity.is_zero() {
            self.counts.skip("zero quantity", None);
            return;
        }
        let Ok(id) = row.key().event_id() else {
            self.counts.skip("no stable key", Some(format!("{} line {}", self.file, row.line)));
            return;
        };
        if row.quantity.get().unsigned_abs() > MAX_ROW_UNITS.unsigned_abs() {
            let example = format!("{} line {}: {}", self.file, row.line, row.quantity);
            self.counts.skip("quantity beyond 10,000,000 units", Some(example));
            return;
        }
        if row.date > self.latest_day {
            let example = format!("{} line {}: {}", self.file, row.line, row.date);
            self.counts.skip("dated in the future", Some(example));
            return;
        }
        self.titles.entry(row.msku.clone()).or_insert_with(|| row.title.clone());
        if let (Some(reason), EventType::Adjustments) = (&row.reason, &row.event_type) {
            let sign = if row.quantity.is_positive() { Sign::Increase } else { Sign::Decrease };
            if reason.sign().is_some_and(|s| s != sign) {
                self.counts.warn(
                    "booked as reported although the adjustment sign differs from its reason code",
                    format!("{} line {}: {} {}", self.file, row.line, reason, row.quantity),
                );
            }
        }
        let cost = self.unit_costs.get(&row.msku).copied().unwrap_or_default();
        let link = row.reference_id.as_ref().and_then(|r| self.shipments.get(r)).cloned();
        let (kind, label) = match event_kind(row, cost, &self.channel, &id, link.clone()) {
            Ok(k) => k,
            Err(e) => {
                self.counts.skip(
                    "row cannot be an event",
                    Some(format!("{} line {}: {e}", self.file, row.line)),
                );
                return;
            }
        };
        let hour = if row.quantity.is_positive() { 6 } else { 18 };
        let event = Event::new(
            id.clone(),
            at(row.date, hour),
            row.msku.clone(),
            self.location.clone(),
            kind,
        );
        let mut outcome = self.ledger.ingest(event.clone());
        if outcome.is_err() && link.is_some() {
            // The linked shipment may be smaller than the return; fall
            // back to the last receipt cost.
            if let EventKind::CustomerReturn { quantity, channel, disposition, .. } = event.kind {
                let kind =
                    EventKind::CustomerReturn { quantity, channel, disposition, shipment: None };
                outcome = self.ledger.ingest(Event::new(
                    event.id,
                    event.at,
                    event.sku,
                    event.location,
                    kind,
                ));
            }
        }
        match outcome {
            Ok(IngestOutcome::Duplicate) => self.counts.duplicates_ignored += 1,
            Ok(_) => {
                // Only a booked row moves the planning window: a refused
                // row dated far ahead must not set "today".
                self.see_day(row.date, false);
                self.first_day
                    .entry(row.msku.clone())
                    .and_modify(|d| *d = (*d).min(row.date))
                    .or_insert(row.date);
                self.counts.booked(label);
                if row.quantity.is_negative()
                    && matches!(row.summary_bucket(), SummaryBucket::Lost | SummaryBucket::Damaged)
                {
                    self.losses.push(row.clone());
                }
                if let (EventType::Shipments, Some(order)) = (&row.event_type, &row.reference_id) {
                    self.shipments.insert(order.clone(), id);
                }
            }
            Err(e) => {
                self.counts.skip(
                    "refused by the ledger",
                    Some(format!("{} line {}: {e}", self.file, row.line)),
                );
            }
        }
    }

    fn read_reimbursements(&mut self, input: Box<dyn Read>) -> Result<ReadStats, BoxError> {
        let mut reader = ReimbursementReader::with_options(input, self.read_options)?;
        self.drain(&mut reader, ReimbursementReader::stats, |books, row| {
            books.reimbursements.push((books.file.clone(), row));
            Ok(())
        })
    }

    /// Books the Reimbursements rows read, once every detail file is
    /// read. Payments are matched to the booked losses by the crate's
    /// `match_reimbursements_net` (first in, first out per FNSKU,
    /// warehouse reasons only, over the units still lost on the
    /// approval day: see `found_on`) and booked one event per loss
    /// they pay for, naming its event id, the amount split by units (the last piece takes the
    /// rounding); units no loss takes, and payments for other reasons, are
    /// booked naming no write-off. A reversal takes its units back from
    /// those its original paid naming no loss first (lowering the
    /// payments without a loss: the ledger refuses a reversal naming no
    /// write-off), then from the write-offs its original was booked
    /// against, those over-reimbursed on its day first (up to the
    /// excess), then the latest first (see `take_back`), each piece
    /// giving back what its units got (see `reversal_amounts`); one whose original was not booked,
    /// or booked for fewer units than it takes back, or that takes back
    /// money alone, is not booked and counted as unmatched, and one that
    /// takes back more money than its units got, or any piece of which
    /// the ledger refuses, books none of its pieces. A repeated reversal
    /// counts as a duplicate; reversal rows of one id and item that
    /// differ book none, each counted as rows that disagree.
    fn book_reimbursements(&mut self) {
        let rows = std::mem::take(&mut self.reimbursements);
        if rows.is_empty() {
            return;
        }
        self.reimbursement_rows_read = u64::try_from(rows.len()).unwrap_or(u64::MAX);
        // The files in the order they were read, for naming the rows not
        // used in line order.
        let mut file_order: BTreeMap<String, usize> = BTreeMap::new();
        for (file, _) in &rows {
            let next = file_order.len();
            file_order.entry(file.clone()).or_insert(next);
        }
        let rows = self.one_currency(rows);
        let known: BTreeSet<Sku> = self.ledger.skus().into_iter().collect();
        let (mut reversals, payments): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|(_, r)| r.is_reversal());
        let paid: Vec<ReimbursementRow> = payments.iter().map(|(_, r)| r.clone()).collect();
        // The units of a write-off found again by a day only grow with the
        // day (finds and late receipts net against the oldest losses and
        // stay there): one with none by the last approval day had none on
        // any approval day. The ledger is asked for the others' days only
        // when a payment could pay them, each day once: asked for every
        // approval day, it listed every write-off each time (seconds, and
        // gigabytes, for tens of thousands of rows).
        let last_day = paid.iter().map(|r| r.approval_date).max();
        let found_last = last_day.map(|day| self.found_on(day)).unwrap_or_default();
        let found_by_day: RefCell<BTreeMap<NaiveDate, BTreeMap<EventId, i64>>> = RefCell::default();
        // A payment covers the units still lost on its approval day, not
        // those found again by then (the ledger's netting, oldest loss
        // first): matching by units written off would pay a found unit
        // and leave a later loss of the payment unpaid.
        let matching = match_reimbursements_net(&self.losses, &paid, |loss, day| {
            let units = loss.quantity.get().saturating_neg();
            let Ok(id) = loss.event_id() else { return Quantity::ZERO };
            if found_last.get(&id) == Some(&0) {
                return Quantity::ZERO;
            }
            let mut by_day = found_by_day.borrow_mut();
            let open = by_day.entry(day).or_insert_with(|| self.found_on(day));
            // Not listed as open on the day: found whole.
            Quantity::new(open.get(&id).copied().unwrap_or(units))
        });
        let conflicting: BTreeSet<&str> =
            matching.conflicting_reimbursements.iter().map(String::as_str).collect();
        // The matches by reimbursement id, so that a row looks at its own
        // id's, not at every one (which took seconds for a few ten
        // thousand rows).
        let mut matches_by_id: BTreeMap<&str, Vec<&LossMatch>> = BTreeMap::new();
        for m in &matching.matches {
            matches_by_id.entry(m.reimbursement_id.as_str()).or_default().push(m);
        }
        // The pieces each payment was booked as, by its id and item, for
        // reversals to take back from: its write-offs (write-off, units,
        // amount), and the units and amount it booked naming no loss.
        let (booked, booked_by_id) = self.in_one_batch(|books, booker| {
            books.book_payments(booker, &payments, &matches_by_id, &conflicting)
        });
        // Reversal rows of one id and item that differ (amount, units,
        // original, date, any cell but the line): which holds cannot be
        // told, so none of them is booked, as with payments.
        let mut copies: BTreeMap<(String, String), Vec<ReimbursementRow>> = BTreeMap::new();
        for (_, row) in &reversals {
            let key = (row.reimbursement_id.clone(), row_item(row).to_owned());
            copies.entry(key).or_default().push(ReimbursementRow { line: 0, ..row.clone() });
        }
        let disagreeing: BTreeSet<(String, String)> = copies
            .into_iter()
            .filter(|(_, rows)| rows.iter().any(|r| *r != rows[0]))
            .map(|(key, _)| key)
            .collect();
        reversals.sort_by(|(_, a), (_, b)| {
            (a.approval_date, &a.reimbursement_id).cmp(&(b.approval_date, &b.reimbursement_id))
        });
        // Every reversal in one batch too; a payment's pieces change as
        // reversals take from them, so each run starts from the payments.
        self.in_one_batch(|books, booker| {
            let mut booked = booked.clone();
            books.book_reversals(booker, &reversals, &mut booked, &booked_by_id, &disagreeing);
        });
        let mut not_used = std::mem::take(&mut self.reimbursements_not_used);
        not_used.sort_by_key(|(file, line, _, _)| (file_order.get(file).copied(), *line));
        for (_, _, why, example) in not_used {
            self.counts.skip(&why, Some(example));
        }
        self.reimbursed_only =
            self.ledger.skus().into_iter().filter(|sku| !known.contains(sku)).collect();
    }

    /// Counts Reimbursements row `row` of `file` as not used for `why`
    /// (`detail` after its line in the example), held until every row is
    /// booked: payments are booked before reversals, and the examples
    /// name the rows in line order.
    fn not_used(&mut self, file: &str, row: &ReimbursementRow, why: &str, detail: Option<String>) {
        let mut example = format!("{file} line {}", row.line);
        if let Some(detail) = detail {
            example.push_str(": ");
            example.push_str(&detail);
        }
        self.reimbursements_not_used.push((file.to_owned(), row.line, why.to_owned(), example));
    }

    /// Books the payments (each row's pieces on its write-offs and the
    /// units no loss takes, [`Books::book_reimbursements`]) by `booker`,
    /// which plans them or books them in the ledger; the payments booked,
    /// and their indexes by reimbursement id.
    fn book_payments(
        &mut self,
        booker: &mut Booker,
        payments: &[(String, ReimbursementRow)],
        matches_by_id: &BTreeMap<&str, Vec<&LossMatch>>,
        conflicting: &BTreeSet<&str>,
    ) -> (Vec<Booked>, BTreeMap<String, Vec<usize>>) {
        let mut booked: Vec<Booked> = Vec::new();
        let mut booked_by_id: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (file, row) in payments {
            if row.approval_date > self.latest_day {
                self.not_used(file, row, "dated in the future", None);
                continue;
            }
            if conflicting.contains(row.reimbursement_id.as_str()) {
                self.not_used(file, row, REIMBURSEMENT_CONFLICT, None);
                continue;
            }
            if is_nothing(row) {
                self.not_used(file, row, NOTHING_TO_BOOK, None);
                continue;
            }
            let matched: Vec<_> = matches_by_id
                .get(row.reimbursement_id.as_str())
                .into_iter()
                .flatten()
                .filter(|m| row.pays_for(&m.loss))
                .collect();
            let Some(sku) =
                row.sku.clone().or_else(|| matched.first().map(|m| m.loss.msku.clone()))
            else {
                self.not_used(file, row, "Reimbursements row names no SKU", None);
                continue;
            };
            let mut pieces: Vec<(Option<EventId>, i64)> =
                matched.iter().map(|m| (m.loss.event_id().ok(), m.units.get())).collect();
            let covered: i64 = pieces.iter().map(|(_, u)| *u).sum();
            let rest = row.quantity_total.get().saturating_sub(covered);
            if rest > 0 || pieces.is_empty() {
                pieces.push((None, rest.max(0)));
            }
            let Some(amounts) = split_amount(row.amount_total.amount(), &pieces) else {
                self.not_used(file, row, AMOUNT_TOO_LARGE, None);
                continue;
            };
            let without_loss = pieces
                .iter()
                .zip(&amounts)
                .filter(|((write_off, _), _)| write_off.is_none())
                .try_fold(self.paid_without_loss.amount, |sum, (_, a)| sum.checked_add(*a));
            if without_loss.is_none() {
                self.not_used(file, row, AMOUNT_TOO_LARGE, None);
                continue;
            }
            // The units paid naming no loss must add up too: a saturated
            // tally would print a wrong figure, and a reversal would take
            // back from it.
            let units_without_loss = pieces
                .iter()
                .filter(|(write_off, _)| write_off.is_none())
                .try_fold(self.paid_without_loss.units, |sum, (_, u)| sum.checked_add(*u));
            if units_without_loss.is_none() {
                self.not_used(file, row, UNITS_TOO_LARGE, None);
                continue;
            }
            let mut kept = Vec::new();
            let mut loose = (0i64, Decimal::ZERO);
            for (n, ((write_off, units), amount)) in pieces.into_iter().zip(amounts).enumerate() {
                let kind = EventKind::Reimbursement {
                    amount,
                    units: Quantity::new(units),
                    write_off: write_off.clone(),
                };
                let label = if write_off.is_some() {
                    "reimbursement of a loss"
                } else {
                    "reimbursement naming no loss"
                };
                if !self.book_reimbursement(booker, file, row, &sku, n, kind, label) {
                    continue;
                }
                match write_off {
                    Some(id) => kept.push((id, units, amount)),
                    None => {
                        loose.0 = loose.0.saturating_add(units);
                        loose.1 = loose.1.saturating_add(amount);
                        let paid = &mut self.paid_without_loss;
                        paid.payments += 1;
                        paid.units = paid.units.saturating_add(units);
                        paid.amount = paid.amount.saturating_add(amount);
                    }
                }
            }
            // A repeated row (within a file or across files) books
            // nothing new: it joins the payment already booked, so a
            // reversal finds one original.
            let same_id = booked_by_id.entry(row.reimbursement_id.clone()).or_default();
            match same_id.iter().find(|&&i| booked[i].row.same_item(row)) {
                Some(&i) => {
                    let entry = &mut booked[i];
                    entry.pieces.extend(kept);
                    entry.loose_units = entry.loose_units.saturating_add(loose.0);
                    entry.loose_amount = entry.loose_amount.saturating_add(loose.1);
                }
                None => {
                    same_id.push(booked.len());
                    booked.push(Booked {
                        row: row.clone(),
                        sku,
                        pieces: kept,
                        loose_units: loose.0,
                        loose_amount: loose.1,
                    });
                }
            }
        }
        (booked, booked_by_id)
    }

    /// Books the reversals (in date order) against the payments
    /// `booked`, taking back what each names ([`Books::book_reimbursements`]),
    /// by `booker`, which plans them or books them in the ledger.
    fn book_reversals(
        &mut self,
        booker: &mut Booker,
        reversals: &[(String, ReimbursementRow)],
        booked: &mut [Booked],
        booked_by_id: &BTreeMap<String, Vec<usize>>,
        disagreeing: &BTreeSet<(String, String)>,
    ) {
        let mut reversed: BTreeSet<(String, String)> = BTreeSet::new();
        // The units each write-off is paid for beyond those still lost,
        // on the day of the reversal being booked: asked of the ledger
        // once a day (reversals come in date order) and then lowered by
        // what each reversal takes back, instead of asked again for
        // every reversal (which made booking quadratic in the rows).
        let mut excess_on: Option<(NaiveDate, BTreeMap<EventId, i64>)> = None;
        // While `booker` plans, the units taken back from each write-off
        // so far, which the ledger does not hold yet (see below).
        let mut taken_back: BTreeMap<EventId, i64> = BTreeMap::new();
        // While `booker` plans, the ledger holds the payments alone, and
        // what they paid beyond the units still lost only grows with the
        // day: with none over-paid on the last reversal's day, none is on
        // any day, and the ledger need not be asked day by day.
        let none_over = booker.plans()
            && reversals
                .iter()
                .map(|(_, r)| r.approval_date)
                .filter(|day| *day <= self.latest_day)
                .max()
                .is_none_or(|last| self.excess_paid(last).is_empty());
        for (file, row) in reversals {
            if row.approval_date > self.latest_day {
                self.not_used(file, row, "dated in the future", None);
                continue;
            }
            let key = (row.reimbursement_id.clone(), row_item(row).to_owned());
            if disagreeing.contains(&key) {
                self.not_used(file, row, REIMBURSEMENT_CONFLICT, None);
                continue;
            }
            if is_nothing(row) {
                self.not_used(file, row, NOTHING_TO_BOOK, None);
                continue;
            }
            // A repeated reversal takes nothing more back.
            if !reversed.insert(key) {
                self.counts.duplicates_ignored += 1;
                continue;
            }
            let units = row.quantity_total.get().saturating_abs();
            let originals: Vec<usize> = row
                .original_reimbursement_id
                .as_ref()
                .and_then(|original| booked_by_id.get(original))
                .into_iter()
                .flatten()
                .copied()
                .filter(|&i| booked[i].row.same_item(row))
                .collect();
            // Units paid naming no loss are taken back first, then the
            // write-offs' units: those paid for more units than are still
            // lost on the reversal's day, up to the excess, then the
            // latest first.
            let taken = match originals.as_slice() {
                [only] if units > 0 => {
                    let loose = units.min(booked[*only].loose_units.max(0));
                    let day = row.approval_date;
                    if units > loose && excess_on.as_ref().is_none_or(|(on, _)| *on != day) {
                        // The ledger's excess less what the reversals
                        // planned so far (all dated by `day`) took back:
                        // max(0, paid - taken - lost) = max(0, max(0,
                        // paid - lost) - taken).
                        let mut excess =
                            if none_over { BTreeMap::new() } else { self.excess_paid(day) };
                        for (id, excess) in &mut excess {
                            let taken = taken_back.get(id).copied().unwrap_or(0);
                            *excess = (*excess - taken).max(0);
                        }
                        excess_on = Some((day, excess));
                    }
                    let none = BTreeMap::new();
                    let excess = excess_on.as_ref().map_or(&none, |(_, excess)| excess);
                    take_back(&booked[*only].pieces, units - loose, excess)
                        .map(|pieces| (*only, loose, pieces))
                }
                _ => None,
            };
            let Some((only, loose, pieces)) = taken else {
                self.not_used(file, row, REVERSAL_UNMATCHED, None);
                continue;
            };
            let sku = row.sku.clone().unwrap_or_else(|| booked[only].sku.clone());
            // (write-off, units taken, units standing, amount standing).
            let mut shares: Vec<(Option<EventId>, i64, i64, Decimal)> = Vec::new();
            if loose > 0 {
                shares.push((None, loose, booked[only].loose_units, booked[only].loose_amount));
            }
            for (id, units) in &pieces {
                if let Some((_, standing, paid)) =
                    booked[only].pieces.iter().find(|(w, _, _)| w == id)
                {
                    shares.push((Some(id.clone()), *units, *standing, *paid));
                }
            }
            let amounts = match reversal_amounts(-row.amount_total.amount(), &shares) {
                Ok(amounts) => amounts,
                Err(why) => {
                    self.not_used(file, row, why, None);
                    continue;
                }
            };
            // Every piece on a write-off goes to the ledger in one batch,
            // all or nothing; the loose part is lowered only when it took.
            // The events, and the write-off, units and amount of each.
            let (mut batch, mut events) = (Vec::new(), Vec::new());
            for (n, ((id, taken, _, _), amount)) in shares.iter().zip(&amounts).enumerate() {
                let Some(id) = id else { continue };
                let back = negated(*amount);
                let kind =
                    EventKind::reimbursement_reversal(back, Quantity::new(-*taken), id.clone());
                let Some(event) = self.reimbursement_event(row, &sku, n, kind) else {
                    break;
                };
                batch.push(event);
                events.push((id, *taken, back));
            }
            if events.len() < shares.iter().filter(|s| s.0.is_some()).count() {
                self.not_used(file, row, "no stable key", None);
                continue;
            }
            let outcomes = match booker.ingest_batch(&mut self.ledger, batch) {
                Ok(outcomes) => outcomes,
                Err(e) => {
                    self.not_used(file, row, "refused by the ledger", Some(e.to_string()));
                    continue;
                }
            };
            for (outcome, (id, taken, amount)) in outcomes.iter().zip(&events) {
                if matches!(outcome, IngestOutcome::Duplicate) {
                    self.counts.duplicates_ignored += 1;
                    continue;
                }
                self.counts.booked("reimbursement reversal");
                self.paid_to = self.paid_to.max(Some(row.approval_date));
                if let Some(piece) = booked[only].pieces.iter_mut().find(|(w, _, _)| w == *id) {
                    piece.1 -= taken;
                    piece.2 = piece.2.saturating_add(*amount);
                }
                // Paid for `taken` units fewer: the excess falls as much
                // (and a write-off no longer over-paid has none).
                if let Some(excess) = excess_on.as_mut().and_then(|(_, e)| e.get_mut(*id)) {
                    *excess = (*excess - taken).max(0);
                }
                if booker.plans() {
                    *taken_back.entry((*id).clone()).or_insert(0) += taken;
                }
            }
            if let (Some((None, taken, _, _)), Some(amount)) = (shares.first(), amounts.first()) {
                // The ledger books no reversal naming no write-off: the
                // payments without a loss are lowered instead.
                let paid = &mut self.paid_without_loss;
                paid.units = paid.units.saturating_sub(*taken);
                paid.amount = paid.amount.saturating_sub(*amount);
                let original = &mut booked[only];
                let standing = original.loose_units != 0 || !original.loose_amount.is_zero();
                original.loose_units -= taken;
                original.loose_amount = original.loose_amount.saturating_sub(*amount);
                // A payment taken back whole is no longer one.
                if standing && original.loose_units == 0 && original.loose_amount.is_zero() {
                    paid.payments = paid.payments.saturating_sub(1);
                }
                *self.counts.booked_as.entry(REVERSAL_WITHOUT_LOSS.to_owned()).or_insert(0) += 1;
                self.paid_to = self.paid_to.max(Some(row.approval_date));
            }
        }
    }

    /// The units each write-off is paid for beyond those still lost on
    /// `day` (payments and reversals booked by then, units found again
    /// by then), by its event id: only those over-reimbursed are listed.
    fn excess_paid(&self, day: NaiveDate) -> BTreeMap<EventId, i64> {
        let over = self.ledger.overreimbursed(day).into_iter().map(|c| {
            let excess = c.reimbursed_units.get().saturating_sub(c.net_units().get());
            (c.write_off.id, excess)
        });
        over.collect()
    }

    /// The units found again (or received late) of each write-off on
    /// `day`, as the ledger nets them, by its event id: those the ledger
    /// lists as open on the day (no payment is booked yet, so every
    /// write-off still lost in part is). One not listed is found whole.
    fn found_on(&self, day: NaiveDate) -> BTreeMap<EventId, i64> {
        let open = self.ledger.unreimbursed(day, 0).into_iter().map(|c| {
            let back = c.units_back().get();
            (c.write_off.id, back)
        });
        open.collect()
    }

    /// The Reimbursements rows in the currency most rows that could book
    /// carry, which it keeps as the section's currency (none when two
    /// currencies tie for most, since neither is the right one to keep);
    /// rows in another currency are counted, not booked, since amounts
    /// in two currencies cannot be added.
    ///
    /// Only payments that could book vote, each once: not a row dated in
    /// the future, a payment of nothing (amount 0, 0 units) or a row of
    /// a reimbursement whose rows for one item disagree (none of which
    /// books), and not a reversal, which books only against a payment of
    /// its own (so it would count that payment twice, or vote for a
    /// payment that is not there). Two such rows in euros outvoted one
    /// real payment in dollars, which was then set aside as in another
    /// currency.
    fn one_currency(
        &mut self,
        rows: Vec<(String, ReimbursementRow)>,
    ) -> Vec<(String, ReimbursementRow)> {
        // Only rows that could book vote: a row dated in the future does
        // not, and a repeated row votes once.
        let mut by_currency: BTreeMap<Currency, usize> = BTreeMap::new();
        let mut seen = SeenRows::default();
        let payments = rows.iter().map(|(_, r)| r).filter(|r| !r.is_reversal());
        // The payments' conflicts in every currency: the booking finds
        // its own among the rows of the currency kept (an id whose rows
        // differ only in another currency's row books its row kept).
        let conflicting = conflicting_reimbursements(payments.clone());
        for row in payments {
            let could_book = row.approval_date <= self.latest_day
                && !is_nothing(row)
                && !conflicting.contains(row.reimbursement_id.as_str());
            if !could_book || !seen.insert(row) {
                continue;
            }
            *by_currency.entry(row.amount_total.currency()).or_insert(0) += 1;
        }
        if by_currency.is_empty() {
            // No payment could book, so nothing will, in any currency:
            // each row is set aside for its own reason (a reversal with
            // no payment to take back from, a payment of nothing, ...),
            // not as in another currency than a vote nobody cast.
            self.reimbursement_currency = None;
            return rows;
        }
        let top = by_currency.values().copied().max().unwrap_or(0);
        let mut leaders = by_currency.iter().filter(|&(_, &n)| n == top).map(|(c, _)| c);
        let most = match (leaders.next(), leaders.next()) {
            (Some(only), None) => Some(*only),
            _ => None,
        };
        let (kept, other): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|(_, row)| most == Some(row.amount_total.currency()));
        // A row read twice (one file passed twice, or overlapping
        // downloads) is a repeat here too, as it is when booked.
        let mut seen = SeenRows::default();
        for (file, row) in &other {
            if !seen.insert(row) {
                self.counts.duplicates_ignored += 1;
                continue;
            }
            let at_line = format!("{file} line {}: {}", row.line, row.amount_total.currency());
            self.counts.skip(OTHER_CURRENCY, Some(at_line));
        }
        self.reimbursement_currency = most.map(|c| c.to_string());
        kept
    }

    /// The event of piece `n` of a Reimbursements row, as `kind` under
    /// `sku`; `None` when its id cannot be made.
    fn reimbursement_event(
        &self,
        row: &ReimbursementRow,
        sku: &Sku,
        n: usize,
        kind: EventKind,
    ) -> Option<Event> {
        let id =
            EventId::new(format!("amzr-{}-{}-{n}", row.reimbursement_id, row_item(row))).ok()?;
        Some(Event::new(id, at(row.approval_date, 20), sku.clone(), self.location.clone(), kind))
    }

    /// Books piece `n` of a Reimbursements row as `kind` under `sku` by
    /// `booker`; whether it was taken (a repeat of a piece booked or
    /// planned counts as a duplicate, a refusal is counted with the
    /// row's line).
    fn book_reimbursement(
        &mut self,
        booker: &mut Booker,
        file: &str,
        row: &ReimbursementRow,
        sku: &Sku,
        n: usize,
        kind: EventKind,
        label: &'static str,
    ) -> bool {
        let Some(event) = self.reimbursement_event(row, sku, n, kind) else {
            self.not_used(file, row, "no stable key", None);
            return false;
        };
        match booker.ingest(&mut self.ledger, event) {
            Ok(IngestOutcome::Duplicate) => {
                self.counts.duplicates_ignored += 1;
                false
            }
            Ok(_) => {
                self.counts.booked(label);
                self.paid_to = self.paid_to.max(Some(row.approval_date));
                true
            }
            Err(e) => {
                self.not_used(file, row, "refused by the ledger", Some(e.to_string()));
                false
            }
        }
    }

    /// Runs `book` with a booker that plans its ledger events, then books
    /// them in one batch: one pass over each SKU's later events, where
    /// each booked on its own was a late event replaying all of them
    /// (minutes for tens of thousands of rows on one SKU). If the ledger
    /// refuses the batch, or finds a repeat the plan did not, the state
    /// is put back as it was and `book` runs again with a booker that
    /// books row by row in the ledger, so that a row the ledger refuses
    /// is set aside alone.
    fn in_one_batch<T>(&mut self, mut book: impl FnMut(&mut Self, &mut Booker) -> T) -> T {
        let before = (
            self.counts.clone(),
            self.paid_without_loss,
            self.paid_to,
            self.reimbursements_not_used.len(),
        );
        let mut planner = Booker::Plan(PlannedEvents::default());
        let planned_run = book(self, &mut planner);
        match self.ledger.ingest_batch(planner.planned()) {
            Ok(outcomes) if !outcomes.iter().any(|o| matches!(o, IngestOutcome::Duplicate)) => {
                planned_run
            }
            _ => {
                let (counts, paid_without_loss, paid_to, not_used) = before;
                (self.counts, self.paid_without_loss, self.paid_to) =
                    (counts, paid_without_loss, paid_to);
                self.reimbursements_not_used.truncate(not_used);
                book(self, &mut Booker::Ingest)
            }
        }
    }

    /// After every file: opening balances solved from the Manage FBA
    /// Inventory snapshot for SKUs the summary did not seed, then the
    /// checks against the snapshots.
    fn close(&mut self) -> Result<Vec<Check>, BoxError> {
        let Some(last) = self.last_day() else { return Ok(Vec::new()) };
        let pending: Vec<(Sku, NaiveDate, i64, i64)> = self
            .myi
            .iter()
            .filter(|(sku, _)| !self.seeded.contains(*sku))
            .filter_map(|(sku, row)| {
                let first = *self.first_day.get(sku)?;
                let held = units(row.afn_fulfillable).saturating_add(units(row.afn_reserved)).get();
                let sellable = self.held_sellable(sku, last);
                let unsellable = self.held(sku, Disposition::Unsellable, last);
                Some((
                    sku.clone(),
                    first,
                    held.saturating_sub(sellable),
                    units(row.afn_unsellable).get().saturating_sub(unsellable),
                ))
            })
            .collect();
        for (sku, first, sellable, unsellable) in pending {
            self.book_opening(&sku, first, Disposition::Sellable, sellable, "myi");
            self.book_opening(&sku, first, Disposition::Unsellable, unsellable, "myi");
        }
        Ok(self.checks(last))
    }

    /// Where `sku`'s stock figures come from at the end of `last`: its
    /// Manage FBA Inventory row; else, when no row of it was refused and
    /// no Manage FBA Inventory file rejected, the ledger's sellable
    /// balance, or zero when the ledger does not hold it; else the ledger
    /// only when its balance stands on its own (an opening from the
    /// summary view, not below zero), or no figure at all: not planned.
    fn stock(&self, sku: &Sku, last: NaiveDate) -> Stock {
        if let Some(row) = self.myi.get(sku) {
            let (on_order, note) = self
                .myi_on_order
                .get(sku)
                .map_or((row.inbound().ok(), None), |(q, n)| (*q, n.clone()));
            let read = self.myi_read.get(sku).map_or("", String::as_str);
            let mut notes: Vec<String> = note.into_iter().collect();
            if let Some(why) = self.myi_refused.get(sku) {
                notes.push(format!(
                    "another Manage FBA Inventory row of this SKU was refused ({why}); {read} used"
                ));
            }
            if let Some(at) = self.myi_doubted.get(sku).filter(|at| at.as_str() != read) {
                notes.push(format!(
                    "another Manage FBA Inventory row of this SKU ({at}) has a total in \
                     disagreement; {read} used"
                ));
            }
            let note = (!notes.is_empty()).then(|| notes.join("; "));
            return Stock::Report { on_hand: units(row.afn_fulfillable), on_order, note };
        }
        let figure = self.ledger_figure(sku, last);
        let refused = match self.myi_refused.get(sku) {
            Some(why) => format!("its Manage FBA Inventory row was refused ({why})"),
            None if self.myi_rejected.is_empty() && self.myi_unnamed.is_empty() => {
                return match figure {
                    LedgerFigure::None => Stock::Zero,
                    LedgerFigure::Known { held, note } => Stock::Ledger {
                        on_hand: Quantity::new(held),
                        refused: None,
                        opening: note,
                        unknown_opening: false,
                    },
                    LedgerFigure::UnknownOpening { held, why } => Stock::Ledger {
                        on_hand: Quantity::new(held),
                        refused: None,
                        opening: Some(why),
                        unknown_opening: true,
                    },
                    LedgerFigure::Wrong { why } => Stock::NoFigure {
                        why: format!("no Manage FBA Inventory row names it, and {why}"),
                    },
                };
            }
            None => self.unnamed_stock(),
        };
        // The stock report that should give the SKU's stock did not: the
        // ledger stands in only when its balance owes nothing to that
        // report (an opening from the summary view), agrees with the
        // summary view and is not below zero.
        match figure {
            LedgerFigure::Known { held, note } => Stock::Ledger {
                on_hand: Quantity::new(held),
                refused: Some(refused),
                opening: note,
                unknown_opening: false,
            },
            LedgerFigure::Wrong { why } => Stock::NoFigure { why: format!("{refused}, and {why}") },
            LedgerFigure::UnknownOpening { held, why } => Stock::NoFigure {
                why: format!(
                    "{refused}, and the ledger's sellable balance, {held}, rests on an unknown \
                     opening ({why})"
                ),
            },
            LedgerFigure::None => {
                Stock::NoFigure { why: format!("{refused}, and no ledger row gives its stock") }
            }
        }
    }

    /// Why a SKU that no readable Manage FBA Inventory row names may
    /// still have had one: a stock file was rejected, or rows were read
    /// whose SKU the reader could not tell (a few named, with a count of
    /// the rest).
    fn unnamed_stock(&self) -> String {
        let mut why = Vec::new();
        if !self.myi_rejected.is_empty() {
            why.push(format!(
                "its stock report was rejected ({}), no other Manage FBA Inventory row names it",
                self.myi_rejected.join("; ")
            ));
        } else {
            why.push("no readable Manage FBA Inventory row names it".to_owned());
        }
        let n = self.myi_unnamed.len();
        if n > 0 {
            let mut named =
                self.myi_unnamed.iter().take(EXAMPLES_KEPT).cloned().collect::<Vec<_>>();
            if n > EXAMPLES_KEPT {
                named.push(format!("{} more", n - EXAMPLES_KEPT));
            }
            let (rows, may) =
                if n == 1 { ("row", "and may be") } else { ("rows", "any of which may be") };
            why.push(format!(
                "{n} Manage FBA Inventory {rows} naming no SKU could not be read, {may} this \
                 SKU's ({})",
                named.join("; ")
            ));
        }
        why.join(", while ")
    }

    /// What the ledger says of `sku`'s sellable stock at the end of
    /// `last`, and how far it can be trusted. With no detail row of the
    /// SKU, the summary view alone: the ending balance of its latest
    /// period starting on or before `last` (the ledger holds only the
    /// first period's opening). With detail rows, the ledger's balance:
    /// known when its opening comes from a readable sellable summary row
    /// of the SKU's first period, starting on or before `last`, and it
    /// meets every sellable ending balance the summary view gives; wrong
    /// when it does not, or is below zero.
    fn ledger_figure(&self, sku: &Sku, last: NaiveDate) -> LedgerFigure {
        let detail = self.first_day.contains_key(sku);
        // Sellable summary rows by period start: (end, ending balance).
        let mut periods: BTreeMap<NaiveDate, (NaiveDate, i64)> = BTreeMap::new();
        let mut first: Option<NaiveDate> = None;
        for ((s, start, _, _), row) in &self.summary {
            if s != sku {
                continue;
            }
            first = Some(first.map_or(*start, |f| f.min(*start)));
            if row.disposition.to_core() == Disposition::Sellable {
                let entry = periods.entry(*start).or_insert((row.period_end(), 0));
                entry.1 = entry.1.saturating_add(row.ending_balance.get());
            }
        }
        if !detail && first.is_none() {
            return LedgerFigure::None;
        }
        let opening = match first {
            None => Err("no ledger summary view gives it".to_owned()),
            Some(first) if first > last => Err(format!(
                "the ledger summary view's first period starts {first}, after the planning day \
                 {last}"
            )),
            Some(first) if !periods.contains_key(&first) => Err(format!(
                "the ledger summary view has no readable sellable row for its first period, \
                 starting {first}"
            )),
            Some(_) => Ok(()),
        };
        if !detail {
            let latest = periods.range(..=last).next_back();
            return match (opening, latest) {
                (Ok(()), Some((start, (end, ending)))) if *ending >= 0 => LedgerFigure::Known {
                    held: *ending,
                    note: Some(format!(
                        "from the ledger summary view's ending balance for {start} to {end}"
                    )),
                },
                (Ok(()), Some((start, (_, ending)))) => LedgerFigure::Wrong {
                    why: format!(
                        "the ledger summary view's sellable ending balance for the period from \
                         {start}, {ending}, is below zero"
                    ),
                },
                (Err(why), _) => LedgerFigure::UnknownOpening {
                    held: self.held(sku, Disposition::Sellable, last),
                    why,
                },
                (Ok(()), None) => LedgerFigure::UnknownOpening {
                    held: self.held(sku, Disposition::Sellable, last),
                    why: "no readable sellable summary row starts on or before the planning day"
                        .to_owned(),
                },
            };
        }
        let held = self.held(sku, Disposition::Sellable, last);
        if held < 0 {
            return LedgerFigure::Wrong {
                why: format!("the ledger's sellable balance, {held}, is below zero"),
            };
        }
        if let Some((end, ending)) = periods
            .values()
            .find(|(end, ending)| self.held(sku, Disposition::Sellable, *end) != *ending)
        {
            return LedgerFigure::Wrong {
                why: format!(
                    "the ledger fails the summary view's check (summary {ending} sellable on \
                     {end}, ledger {})",
                    self.held(sku, Disposition::Sellable, *end)
                ),
            };
        }
        match opening {
            Ok(()) => LedgerFigure::Known { held, note: None },
            Err(why) => LedgerFigure::UnknownOpening { held, why },
        }
    }

    fn held(&self, sku: &Sku, disposition: Disposition, day: NaiveDate) -> i64 {
        self.ledger.balance(sku, &self.location, disposition, end_of(day)).get()
    }

    /// Sellable plus reserved units at the end of `day`, as Manage FBA
    /// Inventory's fulfillable plus reserved.
    fn held_sellable(&self, sku: &Sku, day: NaiveDate) -> i64 {
        self.held(sku, Disposition::Sellable, day).saturating_add(self.held(
            sku,
            Disposition::Reserved,
            day,
        ))
    }

    fn checks(&self, last: NaiveDate) -> Vec<Check> {
        let mut checks = Vec::new();
        if !self.summary.is_empty() && !self.first_day.is_empty() {
            let mut want: BTreeMap<(Sku, NaiveDate, Disposition), i64> = BTreeMap::new();
            for row in self.summary.values() {
                let key = (row.msku.clone(), row.period_end(), row.disposition.to_core());
                let units = want.entry(key).or_insert(0);
                *units = units.saturating_add(row.ending_balance.get());
            }
            let bad: Vec<String> = want
                .iter()
                .filter(|((sku, day, d), units)| self.held(sku, *d, *day) != **units)
                .map(|((sku, day, d), units)| {
                    format!(
                        "{sku} {d:?} on {day}: summary {units}, ledger {}",
                        self.held(sku, *d, *day)
                    )
                })
                .collect();
            checks.push(check_line("summary view closing balances", want.len(), &bad));
        }
        if !self.myi.is_empty() && !self.first_day.is_empty() {
            let bad: Vec<String> = self
                .myi
                .iter()
                .filter(|(sku, _)| self.first_day.contains_key(*sku))
                .filter_map(|(sku, row)| {
                    let ledger = self.held_sellable(sku, last);
                    let myi =
                        units(row.afn_fulfillable).saturating_add(units(row.afn_reserved)).get();
                    (ledger != myi)
                        .then(|| format!("{sku}: fulfillable + reserved {myi}, ledger {ledger}"))
                })
                .collect();
            let n = self.myi.keys().filter(|s| self.first_day.contains_key(*s)).count();
            checks.push(check_line(&format!("Manage FBA Inventory vs ledger on {last}"), n, &bad));
        }
        let negative: Vec<String> = self
            .first_day
            .keys()
            .filter(|sku| self.held(sku, Disposition::Sellable, last) < 0)
            .map(|sku| format!("{sku}: {}", self.held(sku, Disposition::Sellable, last)))
            .collect();
        if !negative.is_empty() {
            checks.push(Check { passed: false, text: format!(
                "{} SKUs end below zero sellable in the ledger (stock held before the detail view starts; add the summary view or Manage FBA Inventory): {}",
                negative.len(),
                negative.iter().take(EXAMPLES_KEPT).cloned().collect::<Vec<_>>().join("; ")
            ) });
        }
        checks
    }
}

/// A payment booked against one write-off: its event id, and the
/// units and amount still standing on it.
type Piece = (EventId, i64, Decimal);

/// Reimbursement events planned to be booked in one batch
/// ([`Books::in_one_batch`]), and their ids.
#[derive(Default)]
struct PlannedEvents {
    events: Vec<Event>,
    ids: BTreeSet<EventId>,
}

impl PlannedEvents {
    /// Plans `event`, as the ledger would take it: `Duplicate` for an id
    /// already planned (a repeated row's pieces have the first's ids).
    fn take(&mut self, event: Event) -> IngestOutcome {
        if !self.ids.insert(event.id.clone()) {
            return IngestOutcome::Duplicate;
        }
        self.events.push(event);
        IngestOutcome::Applied { corrections: Corrections::default(), true_ups: Vec::new() }
    }
}

/// Where a run of [`Books::in_one_batch`] sends its reimbursement
/// events: into a plan, booked in one batch after the run, or into the
/// ledger as they come. Booking and planning answer alike: the outcome
/// of each event, `Duplicate` for a repeat.
enum Booker {
    /// The events planned so far.
    Plan(PlannedEvents),
    /// Each event booked in the ledger as it comes.
    Ingest,
}

impl Booker {
    /// Whether events are planned: the ledger does not hold them yet.
    const fn plans(&self) -> bool {
        matches!(self, Self::Plan(_))
    }

    /// Plans `event`, or books it in `ledger`.
    fn ingest(&mut self, ledger: &mut Ledger, event: Event) -> Result<IngestOutcome, LedgerError> {
        match self {
            Self::Plan(planned) => Ok(planned.take(event)),
            Self::Ingest => ledger.ingest(event),
        }
    }

    /// Plans `batch`, or books it in `ledger` (all or nothing); one
    /// outcome per event.
    fn ingest_batch(
        &mut self,
        ledger: &mut Ledger,
        batch: Vec<Event>,
    ) -> Result<Vec<IngestOutcome>, LedgerError> {
        match self {
            Self::Plan(planned) => Ok(batch.into_iter().map(|event| planned.take(event)).collect()),
            Self::Ingest => ledger.ingest_batch(batch),
        }
    }

    /// The events planned, in the order planned (none when booking).
    fn planned(self) -> Vec<Event> {
        match self {
            Self::Plan(planned) => planned.events,
            Self::Ingest => Vec::new(),
        }
    }
}

/// A payment booked, for its reversals to take back from.
#[derive(Clone)]
struct Booked {
    /// Its row.
    row: ReimbursementRow,
    /// The SKU it was booked under.
    sku: Sku,
    /// Its pieces on write-offs.
    pieces: Vec<Piece>,
    /// The units it paid naming no loss, still standing.
    loose_units: i64,
    /// What it paid naming no loss, still standing.
    loose_amount: Decimal,
}

/// The Reimbursements rows seen so far, by reimbursement id, for telling
/// a row read twice (one file passed twice, or overlapping downloads):
/// one that says the same as a row seen in every field but its line
/// ([`ReimbursementRow::same_content`], as the matching and the ledger's
/// event ids tell a repeat).
#[derive(Default)]
struct SeenRows<'a>(BTreeMap<&'a str, Vec<&'a ReimbursementRow>>);

impl<'a> SeenRows<'a> {
    /// Whether `row` is new: `false` for a repeat of a row seen.
    fn insert(&mut self, row: &'a ReimbursementRow) -> bool {
        let seen = self.0.entry(row.reimbursement_id.as_str()).or_default();
        if seen.iter().any(|s| s.same_content(row)) {
            return false;
        }
        seen.push(row);
        true
    }
}

/// Why a Reimbursements row is not booked: rows of one id and item
/// that differ, so which holds cannot be told.
const REIMBURSEMENT_CONFLICT: &str =
    "Reimbursements rows of one id and item disagree (none booked)";

/// Why a Reimbursements row is not booked when its amount cannot be
/// split by units, or added to the payments naming no loss, without
/// overflowing.
const AMOUNT_TOO_LARGE: &str =
    "Reimbursements amount too large to split by units or to add up (none booked)";

/// Why a Reimbursements row is not booked when its units paid naming no
/// loss cannot be added to those of the rows booked before it.
const UNITS_TOO_LARGE: &str =
    "Reimbursements units too large to add to the units paid without a loss (none booked)";

/// Why a Reimbursements row is not booked: an amount of 0 and 0 units
/// pays and takes back nothing.
const NOTHING_TO_BOOK: &str = "Reimbursements row of amount 0 and 0 units (nothing to book)";

/// Why a Reimbursements row is not booked when the file's other rows
/// are mostly in another currency.
const OTHER_CURRENCY: &str = "Reimbursements row in another currency than most, or in one of currencies tied for most \
     (amounts in two currencies are not added)";

/// What a reversal of units paid naming no loss counts as: no ledger
/// event (the ledger refuses a reversal naming no write-off), the
/// payments without a loss lowered instead.
const REVERSAL_WITHOUT_LOSS: &str = "reimbursement reversal of units paid naming no loss (no ledger event: the payments without a loss are lowered)";

/// Why a reversal is not booked: the ledger refuses one naming no
/// write-off.
const REVERSAL_UNMATCHED: &str = "reimbursement reversal matched to no write-off: its original is not booked, or for fewer units, or it takes back money alone";

/// Why a reversal is not booked: it takes back more money than the
/// units it takes back were paid (their part, to the cent, of what
/// their write-offs or the payment's units paid with no loss got; the
/// other units' money on those pieces is not theirs to give back).
const REVERSAL_TOO_MUCH: &str = "reimbursement reversal taking back more money than the units it names were paid (none of it booked)";

/// Whether a Reimbursements row pays or takes back nothing: amount 0
/// and 0 units.
fn is_nothing(row: &ReimbursementRow) -> bool {
    row.amount_total.amount().is_zero() && row.quantity_total.get() == 0
}

/// The item a Reimbursements row names in its event ids: its FNSKU, else
/// its SKU, else `-`.
fn row_item(row: &ReimbursementRow) -> &str {
    row.fnsku
        .as_ref()
        .map_or_else(|| row.sku.as_ref().map_or("-", Sku::as_str), merchantry::core::Fnsku::as_str)
}

/// `total` split over `pieces` by their units, each rounded to the
/// cent and the last taking what rounding left, so the pieces add up to
/// `total`; with no units at all the first piece takes it whole. `None`
/// when a figure overflows (an amount near `Decimal`'s limit).
fn split_amount<T>(total: Decimal, pieces: &[(T, i64)]) -> Option<Vec<Decimal>> {
    let units = pieces.iter().try_fold(0i64, |sum, (_, u)| sum.checked_add(*u))?;
    let mut left = total;
    let mut out = Vec::with_capacity(pieces.len());
    for (i, (_, u)) in pieces.iter().enumerate() {
        let share = if i + 1 == pieces.len() {
            left
        } else if units == 0 {
            if i == 0 { total } else { Decimal::ZERO }
        } else {
            total.checked_mul(Decimal::from(*u))?.checked_div(Decimal::from(units))?.round_dp(2)
        };
        left = left.checked_sub(share)?;
        out.push(share);
    }
    Some(out)
}

/// `amount` with its sign turned, zero staying positive (so a zero
/// taken back never prints as `-0.00`).
fn negated(amount: Decimal) -> Decimal {
    let mut out = -amount;
    if out.is_zero() {
        out.set_sign_positive(true);
    }
    out
}

/// What a reversal taking back `total` (at or above zero) takes from
/// each of `shares` (units taken, units standing, amount standing): a
/// share taking every unit standing takes back what they got, the
/// others their units' part of what the piece got, rounded up to the
/// cent (one unit of 0.05 paid for two may take back 0.03, as Amazon may
/// have split it that way; a full reversal still restores every piece
/// exactly, and reversals one unit at a time end with the piece at
/// zero); each scaled to `total` and rounded to the cent, none more
/// than its units got, the rounding left on a piece with room for it.
/// Refused when `total` is below zero or more than the units taken got
/// (whatever else stands on their pieces), or a figure overflows.
fn reversal_amounts<T>(
    total: Decimal,
    shares: &[(T, i64, i64, Decimal)],
) -> Result<Vec<Decimal>, &'static str> {
    let too_large = || AMOUNT_TOO_LARGE;
    if total < Decimal::ZERO {
        return Err(REVERSAL_TOO_MUCH);
    }
    // What the units taken got: the most each piece can give back.
    let mut got = Vec::with_capacity(shares.len());
    for (_, taken, standing, paid) in shares {
        let paid = (*paid).max(Decimal::ZERO);
        let part = if taken >= standing || *standing <= 0 {
            paid
        } else {
            let (taken, standing) = (Decimal::from(*taken), Decimal::from(*standing));
            // Near `Decimal::MAX` the product overflows where the share
            // per unit times the units does not.
            paid.checked_mul(taken)
                .and_then(|v| v.checked_div(standing))
                .or_else(|| paid.checked_div(standing)?.checked_mul(taken))
                .ok_or_else(too_large)?
                .round_dp_with_strategy(2, RoundingStrategy::AwayFromZero)
                .min(paid)
        };
        got.push(part);
    }
    let all_got =
        got.iter().try_fold(Decimal::ZERO, |s, g| s.checked_add(*g)).ok_or_else(too_large)?;
    if total > all_got {
        return Err(REVERSAL_TOO_MUCH);
    }
    let mut out = Vec::with_capacity(shares.len());
    for part in &got {
        let share = if total == all_got {
            *part
        } else {
            // `all_got` is above `total`, so above zero.
            total.checked_mul(*part).and_then(|v| v.checked_div(all_got)).ok_or_else(too_large)?
        };
        out.push(share.round_dp(2).min(*part));
    }
    let mut left = out.iter().try_fold(total, |l, a| l.checked_sub(*a)).ok_or_else(too_large)?;
    for (amount, cap) in out.iter_mut().zip(&got) {
        if left.is_zero() {
            break;
        }
        let step = if left > Decimal::ZERO { left.min(*cap - *amount) } else { left.max(-*amount) };
        *amount += step;
        left -= step;
    }
    if left.is_zero() { Ok(out) } else { Err(REVERSAL_TOO_MUCH) }
}

/// The write-offs `units` are taken back from: first those paid for
/// more units than are still lost (`excess`, by event id), each for no
/// more than its excess, the latest booked first; then the latest
/// booked first, each for no more units than still stand on it. A
/// clawback most likely takes back the payment of units found again,
/// and taking it from a write-off still lost would reopen the wrong
/// one. `None` when they hold fewer than `units`.
fn take_back(
    pieces: &[Piece],
    units: i64,
    excess: &BTreeMap<EventId, i64>,
) -> Option<Vec<(EventId, i64)>> {
    let mut left = units;
    let mut out: Vec<(EventId, i64)> = Vec::new();
    for over_first in [true, false] {
        for (id, standing, _) in pieces.iter().rev() {
            if left == 0 {
                break;
            }
            let already = out.iter().find(|(w, _)| w == id).map_or(0, |(_, t)| *t);
            let mut room = standing.saturating_sub(already);
            if over_first {
                room = room.min(excess.get(id).copied().unwrap_or(0));
            }
            let taken = left.min(room);
            if taken <= 0 {
                continue;
            }
            match out.iter_mut().find(|(w, _)| w == id) {
                Some(entry) => entry.1 += taken,
                None => out.push((id.clone(), taken)),
            }
            left -= taken;
        }
    }
    (left == 0).then_some(out)
}

fn skip_text(reason: &SkipReason) -> String {
    match reason {
        SkipReason::BlankLine => "blank line".to_owned(),
        SkipReason::RepeatedHeader => "repeated header line".to_owned(),
        SkipReason::DateNotCaptured(column) => format!("no date in column {column}"),
        other => format!("{other:?}"),
    }
}

fn check_line(what: &str, total: usize, bad: &[String]) -> Check {
    if bad.is_empty() {
        return Check { passed: true, text: format!("{what}: all {total} agree") };
    }
    let shown: Vec<&str> = bad.iter().take(EXAMPLES_KEPT).map(String::as_str).collect();
    let text = format!("{what}: {} of {total} differ: {}", bad.len(), shown.join("; "));
    Check { passed: false, text }
}

/// The ledger event of one detail row and a label for the counts.
fn event_kind(
    row: &LedgerDetailRow,
    unit_cost: Decimal,
    channel: &ChannelId,
    id: &EventId,
    link: Option<EventId>,
) -> Result<(EventKind, &'static str), BoxError> {
    let q = row.quantity;
    let units = Quantity::new(q.get().checked_abs().ok_or("quantity out of range")?);
    let disposition = row.disposition.to_core();
    let inbound = q.is_positive();
    let reason = adjustment_reason(row.reason.as_ref());
    Ok(match (&row.event_type, inbound) {
        (EventType::Receipts, true) => {
            let purchase_order =
                row.reference_id.as_deref().and_then(|r| PurchaseOrderId::new(r).ok());
            (
                EventKind::Receipt { quantity: units, unit_cost, disposition, purchase_order },
                "receipt",
            )
        }
        (EventType::Shipments, false) => {
            let order = OrderId::new(row.reference_id.as_deref().unwrap_or(id.as_str()))?;
            (EventKind::shipment(units, channel.clone(), order), "shipment")
        }
        (EventType::CustomerReturns, true) => {
            let kind = EventKind::CustomerReturn {
                quantity: units,
                channel: channel.clone(),
                disposition,
                shipment: link,
            };
            (kind, "customer return")
        }
        (EventType::VendorReturns, false) => {
            let cost = VendorReturnCost::CurrentAverage;
            (
                EventKind::VendorReturn { quantity: units, disposition, cost },
                "vendor return (removal)",
            )
        }
        (EventType::WhseTransfers, false) => {
            let kind = EventKind::DispositionChange {
                quantity: units,
                from: disposition,
                to: Disposition::Reserved,
            };
            (kind, "transfer out (reserved while between centers)")
        }
        (EventType::WhseTransfers, true) => {
            let kind = EventKind::DispositionChange {
                quantity: units,
                from: Disposition::Reserved,
                to: disposition,
            };
            (kind, "transfer in")
        }
        (EventType::Adjustments, _) if reason.admits(q, disposition) => {
            let kind = EventKind::Adjustment {
                quantity: q,
                reason,
                disposition,
                unit_cost: inbound.then_some(unit_cost),
            };
            (kind, adjustment_label(reason))
        }
        // An adjustment whose sign its reason rules out (a loss of +4,
        // which the ledger refuses) is a count correction too.
        _ => {
            let kind = EventKind::Adjustment {
                quantity: q,
                reason: AdjustmentReason::CountCorrection,
                disposition,
                unit_cost: inbound.then_some(unit_cost),
            };
            (kind, "count correction (unknown type or unexpected sign)")
        }
    })
}

fn adjustment_reason(reason: Option<&ReasonCode>) -> AdjustmentReason {
    match reason.map(ReasonCode::bucket) {
        Some(SummaryBucket::Lost) => AdjustmentReason::Lost,
        Some(SummaryBucket::Found) => AdjustmentReason::Found,
        Some(SummaryBucket::Damaged) => AdjustmentReason::Damaged,
        Some(SummaryBucket::Disposed) => AdjustmentReason::Disposed,
        _ => AdjustmentReason::CountCorrection,
    }
}

const fn adjustment_label(reason: AdjustmentReason) -> &'static str {
    match reason {
        AdjustmentReason::Lost => "adjustment: lost",
        AdjustmentReason::Found => "adjustment: found",
        AdjustmentReason::Damaged => "adjustment: damaged",
        AdjustmentReason::Disposed => "adjustment: disposed",
        _ => "adjustment: count correction",
    }
}

/// All Orders demand grouped by SKU once, so each SKU's series reads
/// only its own records: core's plain slice of records scans every
/// record per SKU, and the plan asks for every SKU's series more than
/// once (8,000 SKUs of 400,000 lines took 18 s).
struct OrdersHistory(BTreeMap<Sku, Vec<DemandRecord>>);

impl OrdersHistory {
    fn new(orders: &BTreeMap<(OrderId, Sku), (NaiveDate, Quantity)>) -> Self {
        let mut by_sku: BTreeMap<Sku, Vec<DemandRecord>> = BTreeMap::new();
        for ((_, sku), (date, units)) in orders {
            by_sku.entry(sku.clone()).or_default().push(DemandRecord {
                sku: sku.clone(),
                date: *date,
                units: *units,
                stocked_out: false,
            });
        }
        Self(by_sku)
    }
}

impl DemandHistory for OrdersHistory {
    fn demand_skus(&self) -> Vec<Sku> {
        self.0.keys().cloned().collect()
    }

    fn daily_demand(&self, sku: &Sku, range: DateRange) -> DemandSeries {
        let records: &[DemandRecord] = self.0.get(sku).map_or(&[], Vec::as_slice);
        records.daily_demand(sku, range)
    }
}

/// Forecast, lead time and stock position per SKU, then the planner.
/// Recommendations for the top SKUs, and (reason, example) warnings for
/// the SKUs that could not be planned as the others were.
type Planned = (Vec<AmazonRec>, Vec<(&'static str, String)>);

fn plan(args: &Args, service: ServiceLevel, books: &Books) -> Result<Planned, BoxError> {
    let (Some((first, end)), Some(last)) = (books.days(), books.last_day()) else {
        return Err(
            "no dated rows: the folder needs the ledger detail view or All Orders to know demand"
                .into(),
        );
    };
    // History is the demand window alone; the plan is made for the day
    // after the last day any report covers.
    let range = DateRange::inclusive(first, end)?;
    let from_orders = OrdersHistory::new(&books.orders);
    let history: &dyn DemandHistory =
        if from_orders.0.is_empty() { &books.ledger } else { &from_orders };
    let mut options = ForecastOptions::default();
    if !args.react {
        options.reaction = None;
    }
    let forecaster = Forecaster::new(options);
    let forecasts = forecaster.fit(history, range);
    let mut ranked: Vec<(i64, Sku)> = history
        .demand_skus()
        .into_iter()
        .filter(|sku| !books.reimbursed_only.contains(sku))
        .map(|sku| {
            let series = history.daily_demand(&sku, range);
            let units = series.units().iter().fold(0_i64, |a, q| a.saturating_add(q.get()));
            (units.max(0), sku)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let lead = LeadTimeEstimate {
        mean: Days::new(args.lead_time_days())?,
        std_dev: Days::new(args.lead_time_sd())?,
        stages: Vec::new(),
        quantiles: Vec::new(),
    };
    let planner = Planner::new(planner_options(args, service))?;
    let today = last.succ_opt().ok_or("date out of range")?;
    let days = f64::from(range.len_days());
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    if let Some(rest) = ranked.get(args.skus.max(1)..).filter(|r| !r.is_empty()) {
        let with_demand = rest.iter().filter(|(units, _)| *units > 0).count();
        warnings.push((
            "SKUs beyond --skus, not planned",
            format!(
                "{} more SKUs ({with_demand} with demand); raise --skus to plan them",
                rest.len()
            ),
        ));
    }
    let planned: BTreeSet<&Sku> = ranked.iter().map(|(_, sku)| sku).collect();
    if !from_orders.0.is_empty() {
        let skus = books.ledger.demand_skus();
        let unplanned =
            skus.iter().filter(|s| !planned.contains(s) && !books.reimbursed_only.contains(*s));
        for sku in unplanned {
            warnings.push((
                "SKU in the ledger with no All Orders line: demand is read from All Orders, so it is not planned",
                sku.to_string(),
            ));
        }
    }
    for sku in books.reimbursed_only.iter().filter(|s| !books.myi.contains_key(*s)) {
        warnings.push((
            "SKU named only by Reimbursements rows (no stock or demand read), not planned",
            sku.to_string(),
        ));
    }
    for sku in books.myi.keys().filter(|s| !planned.contains(s)) {
        warnings.push((
            "SKU held in Manage FBA Inventory with no demand in the window, not planned",
            sku.to_string(),
        ));
    }
    for (units, sku) in ranked.iter().take(args.skus.max(1)) {
        let forecast = match forecasts.forecast_demand(sku, today, FORECAST_DAYS) {
            Some(f) => f,
            None => {
                // Every selling day looked stocked out (the opening stock
                // is unknown, or the books went negative): plan on the
                // raw sales rather than drop the SKU, and say so.
                let raw: Vec<DemandRecord> = history
                    .daily_demand(sku, range)
                    .units()
                    .iter()
                    .zip(range.days())
                    .map(|(units, date)| DemandRecord {
                        sku: sku.clone(),
                        date,
                        units: *units,
                        stocked_out: false,
                    })
                    .collect();
                let Some(f) =
                    forecaster.fit(&raw, range).forecast_demand(sku, today, FORECAST_DAYS)
                else {
                    warnings.push((
                        "SKU not planned: no demand model could be fitted",
                        sku.to_string(),
                    ));
                    continue;
                };
                warnings.push((
                    "SKU planned on raw sales: every selling day looked stocked out",
                    format!("{sku} ({units} units; the books never held sellable stock on a selling day)"),
                ));
                f
            }
        };
        let mut input =
            SkuInput::new(sku.clone(), books.location.clone(), today, forecast, lead.clone());
        let stock = books.stock(sku, last);
        if matches!(stock, Stock::Zero) {
            warnings.push((
                "SKU planned on zero stock: no Manage FBA Inventory row and no ledger row gives its stock",
                sku.to_string(),
            ));
        }
        let (on_hand, on_order, inbound) = match &stock {
            Stock::Report { on_hand, on_order, .. } => {
                (Some(*on_hand), *on_order, on_order.unwrap_or(Quantity::ZERO))
            }
            // The ledger holds no inbound shipments: on order is unknown.
            Stock::Ledger { on_hand, .. } => (Some(*on_hand), None, Quantity::ZERO),
            Stock::NoFigure { .. } => (None, None, Quantity::ZERO),
            Stock::Zero => (Some(Quantity::ZERO), Some(Quantity::ZERO), Quantity::ZERO),
        };
        input.on_hand = on_hand.unwrap_or(Quantity::ZERO);
        if inbound.is_positive() {
            input.open_supply =
                vec![OpenSupply { kind: SupplyKind::Inbound, quantity: inbound, expected: None }];
        }
        input.constraints.case_pack = Quantity::new(args.case_pack);
        input.constraints.moq = Quantity::new((*units as f64 / days * args.moq_days).ceil() as i64);
        let rec = match planner.recommend(&input) {
            Ok(rec) => rec,
            Err(e) => {
                warnings.push((
                    "SKU not planned: the engine refused its inputs",
                    format!("{sku}: {e}"),
                ));
                continue;
            }
        };
        let sales = SkuSales {
            sku: sku.clone(),
            description: books.titles.get(sku).cloned().unwrap_or_default(),
            sold: BTreeMap::new(),
            units: *units,
            median_price: Decimal::ZERO,
        };
        let mut row = rec_row(&sales, &rec, args.cover_days);
        if on_hand.is_none() {
            // No stock figure: the reorder point and the forecast stand,
            // nothing that depends on the position does.
            row.reason = format!(
                "{}; order up to {} less the position, once known",
                stock.marker().unwrap_or_default(),
                super::to_places(rec.order_up_to, 1)
            );
            row.order_quantity = None;
            (row.order_by, row.reorder_on, row.order_on) = (None, None, None);
            row.urgency = "not planned".to_owned();
        } else if let Some(marker) = stock.marker() {
            row.reason = format!("{marker}; {}", row.reason);
        }
        (row.on_hand, row.on_order) = (on_hand.map(Quantity::get), on_order.map(Quantity::get));
        let assumed_zero = matches!(stock, Stock::Zero);
        let unknown_opening = matches!(stock, Stock::Ledger { unknown_opening: true, .. });
        let on_order_partial =
            books.myi.contains_key(sku) && books.myi_on_order_partial.contains(sku);
        rows.push(AmazonRec {
            rec: row,
            history_units_per_day: *units as f64 / days,
            assumed_zero,
            on_order_partial,
            unknown_opening,
        });
    }
    Ok((rows, warnings))
}

/// What the ledger gives for a SKU's sellable stock ([`Books::ledger_figure`]).
enum LedgerFigure {
    /// The ledger holds nothing of the SKU.
    None,
    /// A balance to plan on; `note` says where it comes from when that is
    /// not the ledger's balance.
    Known { held: i64, note: Option<String> },
    /// A balance not below zero, its opening unknown (`why`).
    UnknownOpening { held: i64, why: String },
    /// A balance the checks call wrong (`why`).
    Wrong { why: String },
}

/// Where a planned SKU's stock figures come from, by the rule of
/// [`Books::stock`]: its Manage FBA Inventory row, else the ledger, else
/// none.
enum Stock {
    /// A Manage FBA Inventory row: fulfillable units on hand, and what it
    /// says is on order (`None`: unknown), with `note` when that is not
    /// simply its inbound cells ([`myi_on_order`]) or another row of the
    /// SKU was refused or in doubt.
    Report { on_hand: Quantity, on_order: Option<Quantity>, note: Option<String> },
    /// The ledger's sellable balance, the SKU having detail rows or a
    /// summary opening; `refused` says why no Manage FBA Inventory row
    /// gives it (a refused row, a rejected file), its inbound units then
    /// unknown. On order is always unknown: the ledger holds no inbound.
    /// `opening` says where on hand comes from when the ledger alone
    /// does not give it, or why its opening is unknown
    /// (`unknown_opening`: the caution counts the SKU).
    Ledger {
        on_hand: Quantity,
        refused: Option<String>,
        opening: Option<String>,
        unknown_opening: bool,
    },
    /// No figure to trust: not planned, `why` saying so.
    NoFigure { why: String },
    /// No stock report names the SKU and the ledger does not hold it:
    /// planned on zero, as before, its reason, a note and the caution
    /// saying so.
    Zero,
}

impl Stock {
    /// The words the SKU's reason starts with, when its figures need
    /// them.
    fn marker(&self) -> Option<String> {
        match self {
            Self::Report { note, .. } => note.clone(),
            Self::Ledger { refused: Some(why), opening, .. } => Some(format!(
                "on hand {}, {why}; on order unknown, none counted",
                opening.as_deref().unwrap_or("from the ledger (its opening from the summary view)")
            )),
            Self::NoFigure { why } => Some(format!("stock unknown: {why}")),
            Self::Zero => {
                Some("no stock report names this SKU: 0 on hand and 0 on order assumed".to_owned())
            }
            Self::Ledger { refused: None, opening, unknown_opening, .. } => {
                let on_hand = match opening {
                    Some(why) if *unknown_opening => {
                        format!("on hand from a ledger with unknown opening ({why}); ")
                    }
                    Some(note) => format!("on hand {note}; "),
                    None => String::new(),
                };
                Some(format!(
                    "{on_hand}no Manage FBA Inventory row names this SKU: on order unknown (the \
                     ledger holds no inbound), none counted"
                ))
            }
        }
    }
}

/// The engine's options for an `--amazon` run.
fn planner_options(args: &Args, service: ServiceLevel) -> PlannerOptions {
    let mut options = PlannerOptions::new(PolicyConfig {
        service: ServiceTarget::CycleService(service),
        ..PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(args.cover_days) })
    });
    options.buffer_days = args.buffer_days;
    options
}

fn assumptions(args: &Args, dir: &Path, books: &Books) -> Vec<String> {
    let span =
        books.days().map_or_else(|| "no dated rows".to_owned(), |(a, b)| format!("{a} to {b}"));
    let booked = match (books.dates.keys().next(), books.dates.keys().next_back()) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "on no dated day".to_owned(),
    };
    let demand = if books.orders.is_empty() {
        "demand: shipments net of customer returns per day, from the ledger detail view; days without sellable stock are left out of the fit".to_owned()
    } else {
        let lines: u64 = books.order_markets.values().map(|m| m.lines).sum();
        let undated = match books.order_lines_undated {
            0 => String::new(),
            n => format!("; {n} of {lines} lines had no last-updated-date"),
        };
        format!(
            "demand: All Orders lines per purchase day (FBA, not cancelled, not replacements); an order and SKU read more than once is decided by its latest last-updated-date (a line without one only when none has one; a tie by the line read last, files read in name order){undated}"
        )
    };
    let opening = if books.summary.is_empty() {
        if books.myi.is_empty() {
            "stock before the first detail row: unknown (no summary view or Manage FBA Inventory); the ledger allows negative positions"
        } else {
            "stock before the first detail row: solved from Manage FBA Inventory for the SKUs it names (held now minus what the detail rows moved)"
        }
    } else {
        "stock before the first detail row: the summary view's starting balances"
    };
    // SKUs with detail rows whose opening no report gives.
    let unknown = books
        .first_day
        .keys()
        .filter(|sku| {
            !books.myi.contains_key(*sku) && !books.summary.keys().any(|(s, ..)| s == *sku)
        })
        .count();
    let opening = if unknown > 0 && !(books.summary.is_empty() && books.myi.is_empty()) {
        format!(
            "{opening}; {unknown} SKU(s) with detail rows have neither, their opening unknown (each one's reason says so)"
        )
    } else {
        opening.to_owned()
    };
    let priced = books.unit_costs.len();
    let dates = match (args.date_order, books.date_order_assumed.as_slice()) {
        (Some(order), _) => Some(format!(
            "dates: all-numeric dates read {}, as --date-order says",
            order.describe()
        )),
        (None, []) => None,
        (None, files) => Some(format!(
            "dates: ASSUMED month first (MM/DD/YYYY) in {}: no date there has a day above 12, so \
             the files cannot tell; reports from a day-first marketplace (UK, Europe) need \
             --date-order day-first (dates written year first, 2026/01/15, are read so under \
             either order)",
            files.join(", ")
        )),
    };
    let mut lines = vec![
        format!("reports: {} (rows booked {booked}); one location, the FBA network", dir.display()),
        format!(
            "demand window ({span}{}): {}; rows outside it are booked but left out of demand, and history per day is the units over the window's days{}",
            if books.orders.is_empty() {
                ""
            } else {
                ", from the days of the All Orders demand lines alone: ledger rows neither widen nor narrow it"
            },
            WINDOW_RULE.describe(),
            match (books.days(), books.last_day()) {
                (Some((_, end)), Some(last)) if last > end => format!(
                    "; the plan is for the day after {last}, the last day of the rows booked from every report (the same rule), so stock counts the movements to then, and the days after the window are not history"
                ),
                _ => String::new(),
            }
        ),
        demand,
        opening.to_owned(),
        format!(
            "unit cost = {} x listing price (Manage FBA Inventory) or median order price; {priced} SKU{} priced, others valued at zero",
            args.cost_share,
            if priced == 1 { "" } else { "s" }
        ),
        format!(
            "on hand: fulfillable units (Manage FBA Inventory) else the ledger's sellable balance (a SKU whose Manage FBA Inventory row was refused, or whose file was rejected{}, is not planned unless that balance owes nothing to Manage FBA Inventory, its opening from the summary view, and is not below zero); inbound shipments on order; lead time {} +/- {} days; continuous review, {} cycle service level; {}; goods to land {} days before the projected stock-out",
            if books.myi_unnamed.is_empty() {
                ""
            } else {
                ", or that no readable row names while a row naming no SKU could not be read"
            },
            args.lead_time_days(),
            args.lead_time_sd(),
            args.service_level,
            super::order_rule(args.cover_days, args.moq_days, "reported", args.case_pack),
            args.buffer_days
        ),
    ];
    lines.extend(dates);
    lines.extend(pooled(args, books));
    lines
}

/// The assumption line of `--pool-marketplaces`: the marketplaces whose
/// demand was summed, or that there was nothing to pool.
fn pooled(args: &Args, books: &Books) -> Option<String> {
    if !args.pool_marketplaces {
        return None;
    }
    let markets = books.marketplaces();
    let names: Vec<String> = markets
        .iter()
        .map(|(m, n)| format!("{m} ({n} line{} read)", if *n == 1 { "" } else { "s" }))
        .collect();
    let currency =
        books.currencies().into_iter().next().map(|c| format!(", in {c}")).unwrap_or_default();
    Some(match markets.len() {
        0 => "marketplaces: --pool-marketplaces given, but no All Orders line names a marketplace; nothing pooled".to_owned(),
        1 => format!("marketplaces: --pool-marketplaces given, but All Orders holds one marketplace, {}; nothing pooled", names.join("")),
        _ => format!(
            "marketplaces POOLED (--pool-marketplaces): {}{currency}; their demand is summed per SKU and planned on one FBA stock",
            names.join(", ")
        ),
    })
}

/// The line above the recommendations when something read or checked
/// went wrong (unreadable rows, rejected stock files, refused or
/// doubtful stock rows, failed checks) or some SKU's figures are not
/// what its reports say (not planned, on order unknown, zero assumed).
fn caution(out: &AmazonOutput) -> Option<String> {
    let row_errors: u64 = out.files.iter().map(|f| f.row_errors).sum();
    let failed = out.checks.iter().filter(|c| !c.passed).count();
    let (refused, doubt) = (out.counts.stock_rows_refused, out.counts.stock_rows_in_doubt);
    let rejected = out.counts.stock_files_rejected;
    let unnamed = out.counts.stock_rows_unnamed;
    let recs = || out.recommendations.iter().map(|r| (&r.rec, r.assumed_zero));
    let not_planned = recs().filter(|(r, _)| r.order_quantity.is_none()).count();
    let on_order_unknown =
        recs().filter(|(r, _)| r.order_quantity.is_some() && r.on_order.is_none()).count();
    let zero = recs().filter(|(_, z)| *z).count();
    let partial = out.recommendations.iter().filter(|r| r.on_order_partial).count();
    let unknown_opening = out
        .recommendations
        .iter()
        .filter(|r| r.unknown_opening && r.rec.order_quantity.is_some())
        .count();
    let mut text = Vec::new();
    if row_errors > 0 || failed > 0 || refused > 0 || doubt > 0 || rejected > 0 {
        let of_them = match unnamed {
            0 => String::new(),
            n => format!(" ({n} of them Manage FBA Inventory rows naming no SKU)"),
        };
        let mut what = vec![format!("{row_errors} unreadable row(s){of_them}")];
        if rejected > 0 {
            what.push(format!("{rejected} rejected Manage FBA Inventory file(s)"));
        }
        if refused > 0 {
            what.push(format!("{refused} refused Manage FBA Inventory row(s)"));
        }
        if doubt > 0 {
            what.push(format!("{doubt} Manage FBA Inventory row(s) whose total disagrees"));
        }
        what.push(format!("{failed} failed check(s)"));
        let last = what.pop().unwrap_or_default();
        let stock = if unnamed > 0 {
            "; a SKU whose stock row was refused or is in doubt, whose stock file was rejected, \
             or that no readable stock row names while a stock row naming no SKU could not be \
             read, says so in its reason (not planned when no other report gives its stock)"
        } else if refused > 0 || doubt > 0 || rejected > 0 {
            "; a SKU whose stock row was refused or is in doubt, or whose stock file was \
             rejected, says so in its reason (not planned when no other report gives its stock)"
        } else {
            ""
        };
        text.push(format!(
            "{} and {last} above: the ledger may not match the reports, so these figures may not \
             either{stock}.",
            what.join(", ")
        ));
    }
    let mut skus = Vec::new();
    if not_planned > 0 {
        skus.push(format!(
            "{not_planned} not planned (their stock is unknown: no order, \"-\" for stock)"
        ));
    }
    if on_order_unknown > 0 {
        skus.push(format!(
            "{on_order_unknown} planned with on order unknown (\"-\": units on their way in are \
             not counted, so the order may be too large)"
        ));
    }
    if partial > 0 {
        skus.push(format!(
            "{partial} planned with on order partly unknown (only the inbound columns their file \
             has are counted, so the order may be too large)"
        ));
    }
    if unknown_opening > 0 {
        skus.push(format!(
            "{unknown_opening} planned on a ledger with unknown opening (no summary view opening \
             and no Manage FBA Inventory row: stock held before the first detail row is not \
             counted)"
        ));
    }
    if zero > 0 {
        skus.push(format!(
            "{zero} planned on zero stock (no stock report or ledger row names them: 0 on hand \
             and 0 on order assumed)"
        ));
    }
    if !skus.is_empty() {
        text.push(format!("SKUs: {}; each one's reason says why.", skus.join(", ")));
    }
    (!text.is_empty()).then(|| format!("Caution: {}", text.join(" ")))
}

fn print_report(out: &AmazonOutput, last: Option<NaiveDate>) {
    let today = last.and_then(|d| d.succ_opt());
    let day = today.map_or_else(|| "-".to_owned(), |d| d.to_string());
    println!("merchantry replenish --amazon: what to reorder on {day}, and why\n");
    for a in &out.assumptions {
        println!("  - {a}");
    }
    println!("\nFiles");
    let mut t = Table::new(&[
        ("file", Align::Left),
        ("report", Align::Left),
        ("rows", Align::Right),
        ("row errors", Align::Right),
        // The reader's skips (blank lines, repeated headers); rows this
        // example skips are counted with their reasons below the table.
        ("skipped by reader", Align::Right),
        ("note", Align::Left),
    ]);
    for f in &out.files {
        t.row(vec![
            f.file.clone(),
            f.report.unwrap_or("-").to_owned(),
            f.rows.to_string(),
            f.row_errors.to_string(),
            f.skipped.to_string(),
            f.note.clone(),
        ]);
    }
    print!("{}", t.render());
    let c = &out.counts;
    println!(
        "\nRows read {}; events applied {}; duplicates ignored {}; opening balances booked {}",
        c.rows_read, c.events_applied, c.duplicates_ignored, c.opening_balances_booked
    );
    for (what, n) in &c.booked_as {
        println!("  booked as {what}: {n}");
    }
    let examples = |why: &String| {
        c.examples.get(why).map(|e| format!(" (e.g. {})", e.join("; "))).unwrap_or_default()
    };
    for (why, n) in &c.rows_skipped {
        println!("  not used, {why}: {n}{}", examples(why));
    }
    for (why, n) in &c.warnings {
        println!("  note, {why}: {n}{}", examples(why));
    }
    if !out.checks.is_empty() {
        println!("\nChecks");
        for check in &out.checks {
            println!("  - {}", check.text);
        }
    }
    if let Some(claims) = &out.claims {
        print_claims(claims);
    }
    println!("\nReorder recommendations for {day}");
    if let Some(caution) = caution(out) {
        println!("  {caution}");
    }
    let rows: Vec<(&RecRow, Option<f64>)> =
        out.recommendations.iter().map(|a| (&a.rec, Some(a.history_units_per_day))).collect();
    print!("{}", recommendation_table("title", true, &rows).render());
    println!("{}", point_legend());
    println!("{}", out.legend);
}

/// `amount` rounded to the cent and printed with two decimals (`{:.2}`
/// alone cuts a `Decimal` short: 7.996 printed 7.99).
fn cents(amount: Decimal) -> String {
    format!("{:.2}", amount.round_dp(2))
}

/// The caution when Reimbursements rows were read but none was booked
/// (two currencies tied for most, or every row refused): every
/// write-off then shows as unpaid.
fn none_booked(c: &Claims) -> Option<String> {
    (c.reimbursement_rows_read > 0 && c.paid_to.is_none()).then(|| {
        format!(
            "CAUTION: {} Reimbursements row(s) read but none booked (see the rows not used: a \
             currency tie, or rows refused), so every write-off shows as unpaid",
            c.reimbursement_rows_read
        )
    })
}

/// The line when every Reimbursements file read held no row (a header
/// alone, or only lines the reader skips): nothing was paid as far as
/// the section can tell.
fn no_rows(c: &Claims) -> Option<String> {
    (c.reimbursement_files_read > 0 && c.reimbursement_rows_read == 0).then(|| {
        format!(
            "the Reimbursements report(s) read ({}) had no rows, so every write-off shows as \
             unpaid",
            c.reimbursement_files_read
        )
    })
}

/// The Claims section, after the checks.
fn print_claims(c: &Claims) {
    println!(
        "\nClaims on {} (write-offs {} days or older: file a claim; younger: wait)",
        c.as_of, c.claim_days
    );
    println!(
        "  Reimbursements rows are matched to the ledger's lost and damaged rows first in, first \
         out by FNSKU (Lost_Warehouse and Damaged_Warehouse rows only) over the units still \
         lost on the approval day (found ones not paid), a reversal taken back from the units \
         its original paid with no loss to match first, then from its write-offs paid for \
         more units than are still lost, then the latest first; every lost and damaged write-off is listed, those under \
         damage codes Amazon may not pay for (such as 7, expired, or H, customer-damaged) \
         included, so check the code before filing"
    );
    let table = |lines: &[ClaimLine], status: bool| {
        let mut t = Table::new(&[
            ("date", Align::Left),
            ("SKU", Align::Left),
            ("what", Align::Left),
            ("units", Align::Right),
            ("found again", Align::Right),
            ("reimbursed (amount)", Align::Right),
            ("still open", Align::Right),
            ("written off at cost", Align::Right),
            ("action", Align::Left),
        ]);
        for l in lines {
            let note = match (status, l.claimable) {
                (false, _) => "over-reimbursed",
                (true, true) => "file a claim",
                (true, false) => "wait",
            };
            t.row(vec![
                l.date.to_string(),
                l.sku.clone(),
                l.what.to_owned(),
                l.units.to_string(),
                l.found.to_string(),
                format!("{} ({})", l.reimbursed, cents(l.reimbursed_amount)),
                l.open.to_string(),
                l.value_at_cost.map_or_else(|| "-".to_owned(), cents),
                note.to_owned(),
            ]);
        }
        t.render()
    };
    if !c.reimbursement_files_rejected.is_empty() {
        println!(
            "  CAUTION: {} Reimbursements file(s) rejected, so their payments are not counted and \
             write-offs they paid show as unpaid: {}",
            c.reimbursement_files_rejected.len(),
            c.reimbursement_files_rejected.join("; ")
        );
    }
    if c.reimbursement_files_read == 0 {
        println!("  no Reimbursements report was read, so every write-off shows as unpaid");
    }
    if let Some(line) = no_rows(c) {
        println!("  {line}");
    }
    if let Some(caution) = none_booked(c) {
        println!("  {caution}");
    }
    match (c.paid_to, &c.currency) {
        (Some(to), Some(currency)) => {
            println!(
                "  payments to {to} (the latest approval booked), reimbursed amounts in {currency}"
            );
        }
        (None, Some(currency)) => println!("  no payment booked, reimbursed amounts in {currency}"),
        _ => {}
    }
    if c.open.is_empty() {
        println!("  no write-off open");
    } else {
        print!("{}", table(&c.open, true));
    }
    if !c.overreimbursed.is_empty() {
        println!("  paid for more units than are still lost (Amazon may take the excess back):");
        print!("{}", table(&c.overreimbursed, false));
    }
    let PaidWithoutLoss { payments: pieces, units, amount } = c.paid_without_loss;
    if pieces > 0 {
        println!(
            "  reimbursed without a lost or damaged row to match (another reason, or more units \
             than the ledger lost): payments {pieces}, units {units}, amount {} (less \
             reversals)",
            cents(amount)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn paid_without_loss(payments: u64, units: i64, amount: Decimal) -> PaidWithoutLoss {
        PaidWithoutLoss { payments, units, amount }
    }

    /// An All Orders file: `days` consecutive days from `dense_from`
    /// with one order of 2 units of `W` each, and one order of 1 unit on
    /// each of `stray` days.
    fn orders_file(dense_from: NaiveDate, days: u64, stray: &[NaiveDate]) -> String {
        let mut f = String::from(
            "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n",
        );
        let dense = (0..days).map(|i| (dense_from + chrono::Days::new(i), 2));
        for (i, (date, units)) in stray.iter().map(|d| (*d, 1)).chain(dense).enumerate() {
            f.push_str(&format!(
                "111-{i:07}\t{date}T10:00:00+00:00\tShipped\tAmazon\tW\t{units}\n"
            ));
        }
        f
    }

    /// Books one All Orders file from a fresh folder and plans it.
    fn plan_orders(name: &str, file: &str) -> (Books, Vec<AmazonRec>) {
        let dir = std::env::temp_dir().join(format!("merchantry-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("all_orders.tsv");
        std::fs::write(&path, file).unwrap();
        let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
        let mut books = Books::new().unwrap();
        let row = books.read_file(Report::Orders, "all_orders.tsv", &path).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(row.note.is_empty(), "{}", row.note);
        books.prepare_detail(args.cost_share);
        books.note_window();
        let service = ServiceLevel::new(args.service_level).unwrap();
        let (recs, _) = plan(&args, service, &books).unwrap();
        (books, recs)
    }

    /// 30 days of 2 units a day (2025-03-01 to 03-30) behind six single
    /// 1-unit orders 80 days apart, the last 40 days before the dense
    /// block: every gap is under 90 days, so the block rule alone took
    /// the window from 2023-12-17 and showed (60 + 6) / 470 = 0.14 units
    /// a day. Each stray order has no other row within 15 days (a
    /// neighbourhood of 1), the median row's neighbourhood is 31 (mid
    /// March: 15 days either side), and 1 < 31 / 10 = 3: the window is
    /// the 30 dense days and history per day is 60 / 30 = 2.
    #[test]
    fn a_chain_of_single_old_orders_no_longer_dilutes_history_per_day() {
        let dense_from = day("2025-03-01");
        let stray: Vec<NaiveDate> =
            (0..6).rev().map(|k| dense_from - chrono::Days::new(40 + 80 * k)).collect();
        assert_eq!(stray[0], day("2023-12-17"));
        let (books, recs) = plan_orders("chain", &orders_file(dense_from, 30, &stray));
        assert_eq!(books.days(), Some((dense_from, day("2025-03-30"))));
        assert_eq!(recs.len(), 1);
        assert!((recs[0].history_units_per_day - 2.0).abs() < 1e-12);
        let note = &books.counts.examples["rows outside the demand window (another block, or a sparse end), booked but left out of demand"];
        assert_eq!(
            note,
            &[
                "6 row(s) dated 2023-12-17 to 2025-01-20, before the window 2025-03-01 to 2025-03-30"
            ]
        );
    }

    /// Tester (L1): the demand window was cut from every report's booked
    /// days, so a ledger receipt of another SKU (V) two days before the
    /// first All Orders line stretched it to 2024-12-30 to 2025-03-01:
    /// W's 120 units over 62 days, 1.9 a day (1.935), reorder point 154
    /// where a receipt on 01-01, or months earlier in another block, gave
    /// 2.0 and 153. The window is now the All Orders days alone: 120 / 60
    /// = 2.0, reorder point 152.9, whatever the ledger holds.
    #[test]
    fn the_demand_window_is_the_demand_reports_own_days() {
        let orders = || ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[]));
        let receipt = |date: &str, sku: &str, units: u32| {
            format!("{DETAIL_HEAD}{date},X00{sku},{sku},Receipts,FBA1,{units},ABE2,SELLABLE\n")
        };
        for (name, date) in
            [("before", "2024-12-30"), ("first", "2025-01-01"), ("old", "2024-11-01")]
        {
            let files = [orders(), ("ledger_detail.csv", receipt(date, "V", 200))];
            let (books, recs) = plan_folder(&format!("window{name}"), &files);
            assert_eq!(books.days(), Some((day("2025-01-01"), day("2025-03-01"))), "{date}");
            assert_eq!(books.last_day(), Some(day("2025-03-01")), "{date}");
            let w = &recs[0];
            assert_eq!(w.rec.sku.as_str(), "W");
            assert!(
                (w.history_units_per_day - 2.0).abs() < 1e-12,
                "{date}: {}",
                w.history_units_per_day
            );
            assert!((w.rec.reorder_point - 152.9).abs() < 0.05, "{date}: {}", w.rec.reorder_point);
        }

        // W's own receipt of 100 three days after the last order line
        // (03-04, 14 rows within 15 days: not sparse) moves the planning
        // day, not the history: stock counts it (100 on hand, the
        // opening unknown), history stays 120 / 60 (was 120 / 63, 1.9),
        // and the assumptions say which day the plan is for.
        let files = [orders(), ("ledger_detail.csv", receipt("2025-03-04", "W", 100))];
        let (books, recs) = plan_folder("windowafter", &files);
        assert_eq!(books.days(), Some((day("2025-01-01"), day("2025-03-01"))));
        assert_eq!(books.last_day(), Some(day("2025-03-04")));
        let w = &recs[0];
        assert!((w.history_units_per_day - 2.0).abs() < 1e-12, "{}", w.history_units_per_day);
        assert_eq!(w.rec.on_hand, Some(100), "{}", w.rec.reason);
        let args = Args::parse_from(["replenish", "--amazon", "unused"]);
        let lines = assumptions(&args, Path::new("unused"), &books);
        assert!(
            lines[1].starts_with(
                "demand window (2025-01-01 to 2025-03-01, from the days of the All Orders demand \
                 lines alone: ledger rows neither widen nor narrow it): "
            ) && lines[1].ends_with(
                "; the plan is for the day after 2025-03-04, the last day of the rows booked \
                 from every report (the same rule), so stock counts the movements to then, and \
                 the days after the window are not history"
            ),
            "{}",
            lines[1]
        );

        // A lone ledger row 50 days after the last order line is a
        // sparse end of every report's days: the plan stays on 03-01,
        // and the row is named as left out of the stock figures (it was
        // "left out of demand", which a ledger row never is here).
        let files = [orders(), ("ledger_detail.csv", receipt("2025-04-20", "W", 100))];
        let (books, _) = plan_folder("windowsparse", &files);
        assert_eq!(books.last_day(), Some(day("2025-03-01")));
        assert_eq!(
            books.counts.examples["ledger rows after the last day planned from (a sparse end of \
                                   the booked days), booked but left out of the stock figures"],
            ["1 row(s) dated 2025-04-20 to 2025-04-20, after 2025-03-01"]
        );
        assert!(!books.counts.examples.keys().any(|k| k.starts_with("rows outside the demand")));
    }

    /// Writes `files` (name, text) to a fresh folder and loads it as a
    /// run with `flags` would.
    fn load_folder(
        name: &str,
        flags: &[&str],
        files: &[(&str, impl AsRef<[u8]>)],
    ) -> Result<Books, String> {
        let dir = std::env::temp_dir().join(format!("merchantry-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        let dir_arg = dir.to_string_lossy().into_owned();
        let args = Args::parse_from(["replenish", "--amazon", &dir_arg].iter().chain(flags));
        let loaded = load(&args, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        loaded.map(|(books, _)| books).map_err(|e| e.to_string())
    }

    /// A download cut inside its last cell (`12` of `120`) reads as a
    /// whole row: its file is used and named in a warning, and a file
    /// that ends with a line break is not.
    #[test]
    fn a_file_without_a_final_line_break_is_named() {
        let myi = "sku\tafn-fulfillable-quantity\nW\t120\nV\t12";
        let whole = "sku\tafn-fulfillable-quantity\nU\t7\n";
        let files = [
            ("ledger_detail.csv", small_detail()),
            ("myi_cut.tsv", myi.to_owned()),
            ("myi_whole.tsv", whole.to_owned()),
        ];
        let books = load_folder("unterminated", &[], &files).unwrap();
        assert_eq!(books.counts.warnings[UNTERMINATED], 1);
        assert_eq!(books.counts.examples[UNTERMINATED], ["myi_cut.tsv"]);
        assert_eq!(books.myi.len(), 3);
    }

    /// Tester: with an undated line between two dated ones, which line
    /// decided depended on the order the files were read in (b
    /// Cancelled on 03-05, c undated Pending, d Shipped on 03-03 kept
    /// 500 units as demand; without c the Cancelled line won). A line
    /// without a date now decides only when no line of its pair has
    /// one, in any order of files. A last update after tomorrow (2099)
    /// always won; it is now skipped as dated in the future. The skip
    /// example names the line not used.
    #[test]
    fn overlapping_downloads_decide_alike_in_any_file_order() {
        let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                    fulfillment-channel\tsku\tquantity\n";
        let line = |updated: &str, status: &str| {
            format!("{head}O1\t2026-03-01T09:00:00+00:00\t{updated}\t{status}\tAmazon\tA\t500\n")
        };
        let cancelled = line("2026-03-05T10:00:00+00:00", "Cancelled");
        let undated = line("", "Pending");
        let shipped = line("2026-03-03T10:00:00+00:00", "Shipped");
        let future = line("2099-01-01T10:00:00+00:00", "Pending");
        // Another order's demand, so the folder has a dated day.
        let other = format!("{head}O2\t2026-03-01T09:00:00+00:00\t\tShipped\tAmazon\tA\t7\n");
        let names = ["a_orders.tsv", "b_orders.tsv", "c_orders.tsv", "d_orders.tsv"];
        let orders = [&cancelled, &undated, &shipped, &future];
        for turn in 0..4 {
            // Each rotation of the files over the names: another order
            // of reading.
            let mut files: Vec<(&str, &String)> =
                (0..4).map(|i| (names[i], orders[(i + turn) % 4])).collect();
            files.push(("e_orders.tsv", &other));
            let books = load_folder(&format!("anyorder{turn}"), &[], &files).unwrap();
            assert_eq!(demand_units(&books), 7, "turn {turn}");
            assert_eq!(books.counts.rows_skipped["last update dated in the future"], 1);
            assert!(!books.counts.warnings.contains_key(UPDATED_BEFORE_PURCHASE));
            assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 2, "turn {turn}");
            let cancelled_file = names[(4 - turn) % 4];
            assert!(
                !books.counts.examples[ORDER_LINE_AGAIN]
                    .iter()
                    .any(|e| e.starts_with(cancelled_file)),
                "turn {turn}: the Cancelled line, in {cancelled_file}, is the one used"
            );
        }
    }

    /// Tester: two lines of SKU A in one order (100 and 200 units) were
    /// taken for one line read twice, so 200 was demand. They are two
    /// items; a second download of both lines still counts them once.
    #[test]
    fn two_items_of_one_sku_in_an_order_are_both_demand() {
        let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\t\
                    quantity\n";
        let items = "O1\t2026-03-01T09:00:00+00:00\tShipped\tAmazon\tA\t100\n\
                     O1\t2026-03-01T09:00:00+00:00\tShipped\tAmazon\tA\t200\n";
        let one = [("orders.tsv", format!("{head}{items}"))];
        let books = load_folder("twoitems", &[], &one).unwrap();
        assert_eq!(demand_units(&books), 300);
        let twice = [
            ("orders_1.tsv", format!("{head}{items}")),
            ("orders_2.tsv", format!("{head}{items}")),
        ];
        let books = load_folder("twoitemstwice", &[], &twice).unwrap();
        assert_eq!(demand_units(&books), 300);
        assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 2);
    }

    /// Tester: an update dated 2020 on a line purchased in 2026 decided
    /// its pair as the oldest. Such an update is ignored (the line counts
    /// as undated), with a warning: here the dated Cancelled line wins.
    #[test]
    fn an_update_before_the_purchase_is_ignored_and_named() {
        let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                    fulfillment-channel\tsku\tquantity\n";
        let line = |updated: &str, status: &str| {
            format!("O1\t2026-03-01T09:00:00+00:00\t{updated}\t{status}\tAmazon\tA\t500\n")
        };
        let other = "O2\t2026-03-01T09:00:00+00:00\t\tShipped\tAmazon\tA\t7\n";
        let files = [
            (
                "a_orders.tsv",
                format!("{head}{}{other}", line("2026-03-02T10:00:00+00:00", "Cancelled")),
            ),
            ("b_orders.tsv", format!("{head}{}", line("2020-01-01T10:00:00+00:00", "Shipped"))),
        ];
        let books = load_folder("beforepurchase", &[], &files).unwrap();
        assert_eq!(demand_units(&books), 7);
        assert_eq!(
            books.counts.examples[UPDATED_BEFORE_PURCHASE],
            ["b_orders.tsv line 2: order O1 purchased 2026-03-01, last updated 2020-01-01"]
        );
    }

    /// Tester: `Amazon.de`, `amazon.de` and `AMAZON.DE ` counted as three
    /// marketplaces, and a cancelled line in pounds refused a folder of
    /// euro sales for mixing prices it does not have; so did a pound line
    /// a later download cancelled, and one skipped as updated in 2099.
    #[test]
    fn marketplace_names_ignore_case_and_only_deciding_demand_has_a_currency() {
        let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                    fulfillment-channel\tsku\tquantity\tcurrency\tsales-channel\titem-price\n";
        let line =
            |id: &str, updated: &str, status: &str, units: u32, money: &str, market: &str| {
                format!(
                    "{id}\t2026-09-01T10:00:00+00:00\t{updated}\t{status}\tAmazon\tW\t{units}\t\
                 {money}\t{market}\t10\n"
                )
            };
        let day1 = "2026-09-01T11:00:00+00:00";
        let day2 = "2026-09-02T11:00:00+00:00";
        let first = [
            head.to_owned(),
            line("1", day1, "Shipped", 1, "EUR", "Amazon.de"),
            line("2", day1, "Shipped", 2, "EUR", "amazon.de"),
            line("3", day1, "Shipped", 3, "EUR", "AMAZON.DE "),
            line("4", day1, "Cancelled", 4, "GBP", "Amazon.de"),
            line("5", day1, "Pending", 5, "GBP", "Amazon.de"),
            line("6", "2099-01-01T10:00:00+00:00", "Shipped", 6, "GBP", "Amazon.de"),
        ]
        .concat();
        let later = [head.to_owned(), line("5", day2, "Cancelled", 5, "GBP", "Amazon.de")].concat();
        let files = [("orders_1.tsv", first), ("orders_2.tsv", later)];
        let books = load_folder("cased", &[], &files).unwrap();
        assert_eq!(demand_units(&books), 6);
        assert_eq!(books.marketplaces(), [("Amazon.de", 7)]);
    }

    /// Tester: two Manage FBA Inventory rows of a SKU (the reports of
    /// two marketplaces, 400 and 10 fulfillable) left the last one read
    /// as on hand without a word. It is still the one used, named in a
    /// warning with the row it replaced; the same row read twice (a
    /// download kept twice) says nothing.
    #[test]
    fn disagreeing_inventory_rows_of_one_sku_are_named() {
        let head = "sku\tafn-fulfillable-quantity\n";
        let files = [
            ("ledger_detail.csv", small_detail()),
            ("myi_de.tsv", format!("{head}W\t400\nU\t5\n")),
            ("myi_fr.tsv", format!("{head}W\t10\nU\t5\n")),
        ];
        let books = load_folder("myitwice", &[], &files).unwrap();
        assert_eq!(books.myi[&Sku::new("W").unwrap()].afn_fulfillable, Some(Quantity::new(10)));
        assert_eq!(books.counts.warnings[MYI_AGAIN], 1);
        assert_eq!(
            books.counts.examples[MYI_AGAIN],
            [
                "myi_fr.tsv line 2: W: fulfillable 400 -> 10 replaces the row read at myi_de.tsv line 2"
            ]
        );
        // Tester: a difference in another column was shown as
        // "fulfillable 100 replaces 100".
        let head = "sku\tafn-fulfillable-quantity\tafn-reserved-quantity\n";
        let files = [
            ("ledger_detail.csv", small_detail()),
            ("myi_a.tsv", format!("{head}W\t100\t0\n")),
            ("myi_b.tsv", format!("{head}W\t100\t7\n")),
        ];
        let books = load_folder("myireserved", &[], &files).unwrap();
        assert_eq!(
            books.counts.examples[MYI_AGAIN],
            ["myi_b.tsv line 2: W: reserved 0 -> 7 replaces the row read at myi_a.tsv line 2"]
        );
    }

    fn demand_units(books: &Books) -> i64 {
        books.orders.values().map(|(_, units)| units.get()).sum()
    }

    /// Order 111-9999999-1 (500 units) is Pending in the first download
    /// and Cancelled in the second: the later line decides, so the 500
    /// units are no demand and their day is not booked. The 30 orders
    /// in both downloads count once. Written in the other order, the
    /// Pending line is the later one and the 500 units are demand.
    #[test]
    fn a_cancellation_in_a_later_download_removes_the_order() {
        let base = orders_file(day("2026-09-01"), 30, &[]);
        let big = |status: &str| {
            format!("111-9999999-1\t2026-09-30T09:00:00+00:00\t{status}\tAmazon\tW\t500\n")
        };
        let pending = format!("{base}{}", big("Pending"));
        let cancelled = format!("{base}{}", big("Cancelled"));
        let files = [
            ("all_orders_2026-10-01.tsv", pending.clone()),
            ("all_orders_2026-10-02.tsv", cancelled.clone()),
        ];
        let books = load_folder("cancel", &[], &files).unwrap();
        assert_eq!(demand_units(&books), 60);
        assert_eq!(books.orders.len(), 30);
        assert_eq!(books.dates.values().sum::<u64>(), 30);
        assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 31);
        assert_eq!(
            books.counts.rows_skipped["order line not demand (cancelled or replacement)"],
            1
        );

        let files =
            [("all_orders_2026-10-01.tsv", cancelled), ("all_orders_2026-10-02.tsv", pending)];
        let books = load_folder("uncancel", &[], &files).unwrap();
        assert_eq!(demand_units(&books), 560);
    }

    /// Tester: order 111-9 (500 units) was Pending in
    /// `all_orders_b.tsv` (updated 2026-09-30) and Cancelled in
    /// `all_orders_a.tsv` (updated 2026-10-01, a download named so that
    /// it sorts first): the line read last decided, so the cancelled
    /// 500 units were demand. The latest `last-updated-date` now
    /// decides, whichever file sorts first; instants compare as
    /// instants (23:00 at -08:00 is after 06:00 UTC the next day).
    /// Where the dates tie, or a line has none, the line read last
    /// still decides, and the assumptions count the undated lines.
    #[test]
    fn the_latest_last_updated_date_decides_an_order_read_twice() {
        let head = "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\t\
                    fulfillment-channel\tsku\tquantity\n";
        let line = |id: &str, updated: &str, status: &str, units: u32| {
            format!("{id}\t2026-09-30T09:00:00+00:00\t{updated}\t{status}\tAmazon\tW\t{units}\n")
        };
        let cancelled = [
            head.to_owned(),
            line("111-9", "2026-10-01T08:00:00+00:00", "Cancelled", 500),
            // Updated 2026-10-01 23:00 -08:00, that is 10-02 07:00 UTC.
            line("111-8", "2026-10-01T23:00:00-08:00", "Shipped", 7),
            // Same update as the other file: the line read last decides.
            line("111-7", "2026-10-01T08:00:00+00:00", "Cancelled", 40),
            // No date here: the line read last decides.
            line("111-6", "", "Cancelled", 30),
        ]
        .concat();
        let pending = [
            head.to_owned(),
            line("111-9", "2026-09-30T10:00:00+00:00", "Pending", 500),
            line("111-8", "2026-10-02T06:00:00+00:00", "Cancelled", 7),
            line("111-7", "2026-10-01T08:00:00+00:00", "Shipped", 4),
            line("111-6", "2026-10-03T08:00:00+00:00", "Shipped", 3),
        ]
        .concat();
        let files = [("all_orders_a.tsv", cancelled), ("all_orders_b.tsv", pending)];
        let books = load_folder("updated", &[], &files).unwrap();
        let units: BTreeMap<&str, i64> =
            books.orders.iter().map(|((order, _), (_, q))| (order.as_str(), q.get())).collect();
        assert_eq!(units, BTreeMap::from([("111-6", 3), ("111-7", 4), ("111-8", 7)]));
        assert_eq!(books.counts.rows_skipped[ORDER_LINE_AGAIN], 4);
        assert_eq!(books.order_lines_undated, 1);
        let args = Args::parse_from(["replenish", "--amazon", "updated"]);
        let said = assumptions(&args, Path::new("updated"), &books).join("\n");
        assert!(said.contains("decided by its latest last-updated-date"), "{said}");
        assert!(said.contains("1 of 8 lines had no last-updated-date"), "{said}");
    }

    /// A ledger detail view of one shipment of `W` per row, dated
    /// `DD/03/2026` for each day given, day first as UK downloads are.
    fn uk_detail(days: impl IntoIterator<Item = u32>) -> String {
        let mut f = String::from(
            "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n",
        );
        for (i, d) in days.into_iter().enumerate() {
            f.push_str(&format!("{d:02}/03/2026,X00W,W,Shipments,202-{i:07},-1,LTN1,SELLABLE\n"));
        }
        f
    }

    /// 5,000 rows dated 01/03 to 12/03 fill the look-ahead, which
    /// cannot tell the order and assumes month first; line 5,002 is
    /// 13/03/2026, only a date day first. The run stops, naming the file
    /// and line and the flag; it used to book the rows across January to
    /// December and drop the rest as "not a date". With --date-order
    /// day-first every row is in March.
    #[test]
    fn a_refuted_date_order_stops_the_run_and_names_the_flag() {
        let days = (0..5_000).map(|i| i % 12 + 1).chain(13..=20);
        let files = [("ledger_detail.csv", uk_detail(days))];
        let Err(e) = load_folder("ukref", &[], &files) else { panic!("read mixed dates") };
        assert!(e.starts_with("ledger_detail.csv: dates were read month first"), "{e}");
        assert!(e.contains("line 5002 holds a date that is only a date day first"), "{e}");
        assert!(e.contains("--date-order day-first"), "{e}");

        let books = load_folder("ukref-dmy", &["--date-order", "day-first"], &files).unwrap();
        assert_eq!(books.dates.keys().next(), Some(&day("2026-03-01")));
        assert_eq!(books.dates.keys().next_back(), Some(&day("2026-03-20")));
        assert_eq!(books.dates.values().sum::<u64>(), 5_008);
        assert!(books.date_order_assumed.is_empty());
    }

    /// A week dated 01/03 to 06/03/2026 fits either order: read month
    /// first (January to June), and the assumptions say it was assumed
    /// and name the flag. --date-order day-first reads the week.
    #[test]
    fn an_assumed_date_order_is_printed() {
        let files = [("ledger_detail.csv", uk_detail(1..=6))];
        let books = load_folder("uk", &[], &files).unwrap();
        assert_eq!(books.date_order_assumed, ["ledger_detail.csv"]);
        assert_eq!(books.dates.keys().next_back(), Some(&day("2026-06-03")));
        let args = Args::parse_from(["replenish", "--amazon", "uk"]);
        let said = assumptions(&args, Path::new("uk"), &books).join("\n");
        assert!(
            said.contains("dates: ASSUMED month first (MM/DD/YYYY) in ledger_detail.csv")
                && said.contains("--date-order day-first"),
            "{said}"
        );
        // Tester: Japan writes year first, not day first.
        assert!(
            said.contains(
                "a day-first marketplace (UK, Europe) need --date-order day-first (dates written \
                 year first, 2026/01/15, are read so under either order)"
            ),
            "{said}"
        );

        let books = load_folder("uk-dmy", &["--date-order", "day-first"], &files).unwrap();
        let march: Vec<NaiveDate> = books.dates.keys().copied().collect();
        assert_eq!(march, (1..=6).map(|d| day(&format!("2026-03-{d:02}"))).collect::<Vec<_>>());
        let args = Args::parse_from(["replenish", "--amazon", "uk", "--date-order", "day-first"]);
        let said = assumptions(&args, Path::new("uk"), &books).join("\n");
        assert!(
            said.contains(
                "dates: all-numeric dates read day first (DD/MM/YYYY), as --date-order says"
            ),
            "{said}"
        );
    }

    /// An All Orders download gzipped in two members (two gzipped
    /// halves joined, as `cat` or a streaming export makes): every row
    /// of both is read. The single-member decoder stopped after the
    /// first, silently dropping the second half's orders.
    #[test]
    fn every_member_of_a_multi_member_gzip_is_read() {
        use std::io::Write as _;
        let file = orders_file(day("2026-03-01"), 30, &[]);
        let (first, second) = file.split_at(file.len() / 2);
        let mut bytes = Vec::new();
        for half in [first, second] {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(half.as_bytes()).unwrap();
            bytes.extend(gz.finish().unwrap());
        }
        let books = load_folder("gzmulti", &[], &[("all_orders.tsv.gz", bytes)]).unwrap();
        assert_eq!(books.orders.len(), 30);
        assert_eq!(books.counts.rows_read, 30);
    }

    /// All Orders with Amazon.com (USD), Amazon.de (EUR) and
    /// Amazon.co.jp (JPY) lines were summed into one series, the unit
    /// cost a median across currencies: the run now stops and names
    /// them. Amazon.com with Multi-Channel Fulfillment (`Non-Amazon`)
    /// lines is one marketplace and loads.
    #[test]
    fn mixed_marketplaces_are_refused_and_named() {
        let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t\
                    sales-channel\tsku\tquantity\tcurrency\titem-price\n";
        let line = |id: &str, channel: &str, currency: &str| {
            format!(
                "{id}\t2026-09-01T10:00:00+00:00\tShipped\tAmazon\t{channel}\tW\t1\t{currency}\t10\n"
            )
        };
        let mixed = [
            head.to_owned(),
            line("111-1", "Amazon.com", "USD"),
            line("111-2", "Amazon.com", "USD"),
            line("302-1", "Amazon.de", "EUR"),
            line("503-1", "Amazon.co.jp", "JPY"),
        ]
        .concat();
        let Err(e) = load_folder("mix", &[], &[("all_orders.tsv", mixed)]) else {
            panic!("summed three marketplaces")
        };
        assert!(
            e.contains(
                "more than one currency (EUR, JPY, USD): Amazon.co.jp (1 line, JPY), \
                 Amazon.com (2 lines, USD), Amazon.de (1 line, EUR)"
            ),
            "{e}"
        );
        assert!(e.ends_with("Run one marketplace per folder"), "{e}");

        let one =
            [head.to_owned(), line("111-1", "Amazon.com", "USD"), line("S-1", "Non-Amazon", "")]
                .concat();
        let books = load_folder("onemarket", &[], &[("all_orders.tsv", one)]).unwrap();
        assert_eq!(books.orders.len(), 2);
    }

    /// Tester: a pan-European FBA seller (Amazon.de, .fr and .it, all
    /// in EUR, one stock) could not plan: lines from several
    /// marketplaces always stopped the run. `--pool-marketplaces` now
    /// sums their demand and names them in the assumptions; without it
    /// the refusal names the flag. A GBP marketplace among them is still
    /// refused, naming both currencies, since prices would mix.
    #[test]
    fn pooled_marketplaces_of_one_currency_plan_as_one_demand() {
        let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t\
                    sales-channel\tsku\tquantity\tcurrency\titem-price\n";
        let line = |id: &str, channel: &str, units: u32, currency: &str| {
            format!(
                "{id}\t2026-09-01T10:00:00+00:00\tShipped\tAmazon\t{channel}\tW\t{units}\t{currency}\t10\n"
            )
        };
        let euro = [
            head.to_owned(),
            line("302-1", "Amazon.de", 2, "EUR"),
            line("302-2", "Amazon.de", 1, "EUR"),
            line("402-1", "Amazon.fr", 3, "EUR"),
            line("403-1", "Amazon.it", 4, "EUR"),
            line("S-1", "Non-Amazon", 5, ""),
        ]
        .concat();
        let files = [("all_orders.tsv", euro.clone())];
        let Err(e) = load_folder("paneu", &[], &files) else { panic!("pooled without the flag") };
        assert!(
            e.contains(
                "more than one marketplace: Amazon.de (2 lines, EUR), Amazon.fr (1 line, EUR), \
                 Amazon.it (1 line, EUR), Non-Amazon (1 line, no currency)"
            ),
            "{e}"
        );
        assert!(
            e.ends_with("pass --pool-marketplaces if they draw on one stock (pan-European FBA)"),
            "{e}"
        );

        let books = load_folder("paneu-pool", &["--pool-marketplaces"], &files).unwrap();
        assert_eq!(demand_units(&books), 15);
        let args = Args::parse_from(["replenish", "--amazon", "paneu", "--pool-marketplaces"]);
        let said = assumptions(&args, Path::new("paneu"), &books).join("\n");
        assert!(
            said.contains(
                "marketplaces POOLED (--pool-marketplaces): Amazon.de (2 lines read), Amazon.fr \
                 (1 line read), Amazon.it (1 line read), in EUR; their demand is summed per SKU"
            ),
            "{said}"
        );

        let mixed = format!("{euro}{}", line("202-1", "Amazon.co.uk", 1, "GBP"));
        let files = [("all_orders.tsv", mixed)];
        let Err(e) = load_folder("paneu-gbp", &["--pool-marketplaces"], &files) else {
            panic!("pooled two currencies")
        };
        assert!(e.contains("more than one currency (EUR, GBP): Amazon.co.uk (1 line, GBP)"), "{e}");
        assert!(
            e.ends_with("(--pool-marketplaces pools marketplaces of one currency only)"),
            "{e}"
        );
    }

    /// Tester: an All Orders line whose `item-price` was `19,99` was
    /// refused whole, so its units were lost from demand although the
    /// price only feeds the median order price. The line now counts in
    /// demand, its price is left out of the median (10 here, the one
    /// readable price per unit), and a note names file, line, order and
    /// cell. Its currency still counts in the one-currency check.
    #[test]
    fn an_unreadable_order_price_keeps_the_lines_units_in_demand() {
        let head = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\t\
                    sales-channel\tsku\tquantity\tcurrency\titem-price\n";
        let line = |id: &str, units: u32, currency: &str, price: &str| {
            format!(
                "{id}\t2026-09-01T10:00:00+00:00\tShipped\tAmazon\tAmazon.de\tW\t{units}\t{currency}\t{price}\n"
            )
        };
        let file = [
            head.to_owned(),
            line("302-1", 2, "EUR", "20.00"),
            line("302-2", 5, "EUR", "19,99"),
            line("302-3", 3, "EUR", "EUR 19.99"),
        ]
        .concat();
        let books = load_folder("orderprice", &[], &[("all_orders.tsv", file.clone())]).unwrap();
        assert_eq!(demand_units(&books), 10);
        assert_eq!(books.orders.len(), 3);
        let w = Sku::new("W").unwrap();
        assert_eq!(books.order_prices[&w], [Decimal::from(10)]);
        assert_eq!(books.counts.warnings[ORDER_PRICE_UNREAD], 2);
        assert_eq!(
            books.counts.examples[ORDER_PRICE_UNREAD],
            [
                "all_orders.tsv line 3: order 302-2 item-price \"19,99\"",
                "all_orders.tsv line 4: order 302-3 item-price \"EUR 19.99\""
            ]
        );
        // The currency column still feeds the check: a USD line among
        // the EUR ones stops the run, its price unread or not.
        let mixed = format!("{file}{}", line("302-4", 1, "USD", "19,99"));
        let Err(e) = load_folder("orderpricemix", &[], &[("all_orders.tsv", mixed)]) else {
            panic!("summed two currencies")
        };
        assert!(e.contains("Amazon.de (4 lines, EUR/USD)"), "{e}");
    }

    /// The grouped All Orders history answers as core's plain slice of
    /// the same records does, SKU by SKU (days outside the range, an
    /// unknown SKU), without scanning every record per SKU.
    #[test]
    fn orders_grouped_by_sku_give_the_slice_series() {
        let mut orders = BTreeMap::new();
        for i in 0..300_u32 {
            let sku = Sku::new(format!("S{}", i % 7)).unwrap();
            let date = day("2026-01-01") + chrono::Days::new(u64::from(i % 45));
            let order = OrderId::new(format!("111-{i}")).unwrap();
            orders.insert((order, sku), (date, Quantity::new(i64::from(i % 5 + 1))));
        }
        let grouped = OrdersHistory::new(&orders);
        let flat: Vec<DemandRecord> = grouped.0.values().flatten().cloned().collect();
        assert_eq!(grouped.demand_skus(), flat.demand_skus());
        let range = DateRange::inclusive(day("2026-01-10"), day("2026-02-20")).unwrap();
        for sku in flat.demand_skus().into_iter().chain([Sku::new("NONE").unwrap()]) {
            assert_eq!(grouped.daily_demand(&sku, range), flat.daily_demand(&sku, range), "{sku}");
        }
    }

    /// A detail view of one receipt and one shipment of `W`.
    fn small_detail() -> String {
        "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n\
         2026-03-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n\
         2026-03-02,X00W,W,Shipments,111-1,-3,ABE2,SELLABLE\n"
            .to_owned()
    }

    /// An adjustment whose sign its reason code rules out, a loss `M`
    /// of +4 or a `P` of +1 into sellable (damaged units arriving fit to
    /// sell), is refused by the ledger as a lost or damaged adjustment;
    /// both are booked as count corrections, as other unexpected signs
    /// are: 48 - 3 + 4 + 1 = 50 sellable. The `M` of -2 stays a loss.
    #[test]
    fn adjustments_against_their_codes_direction_are_count_corrections() {
        let detail = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                      Disposition,Reason\n\
                      2026-03-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE,\n\
                      2026-03-02,X00W,W,Shipments,111-1,-3,ABE2,SELLABLE,\n\
                      2026-03-03,X00W,W,Adjustments,ADJ1,4,ABE2,SELLABLE,M\n\
                      2026-03-03,X00W,W,Adjustments,ADJ2,1,ABE2,SELLABLE,P\n\
                      2026-03-04,X00W,W,Adjustments,ADJ3,-2,ABE2,SELLABLE,M\n";
        let files = [("ledger_detail.csv", detail.to_owned())];
        let mut books = load_folder("adjsign", &[], &files).unwrap();
        let booked = &books.counts.booked_as;
        assert_eq!(booked["count correction (unknown type or unexpected sign)"], 2);
        assert_eq!(booked["adjustment: lost"], 1);
        assert!(!books.counts.rows_skipped.contains_key("refused by the ledger"));
        books.close().unwrap();
        let w = Sku::new("W").unwrap();
        assert_eq!(books.held(&w, Disposition::Sellable, day("2026-03-03")), 50);
        assert_eq!(books.held(&w, Disposition::Sellable, day("2026-03-04")), 48);
    }

    /// Two summary rows starting at 5e18 units each (their sum leaves
    /// 64 bits) and a Manage FBA Inventory row of i64::MAX fulfillable
    /// units wrapped in release builds and panicked in debug ones. Each
    /// is now a row beyond 10,000,000 units, skipped and named like a
    /// detail row, and the books close on the detail rows alone.
    #[test]
    fn absurd_summary_and_inventory_quantities_are_skipped_not_summed() {
        let summary =
            "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse Balance\n\
                       2026-03-01,X00W,W,SELLABLE,5000000000000000000,5000000000000000000\n\
                       2026-03-01,X00V,W,SELLABLE,5000000000000000000,5000000000000000000\n"
                .to_owned();
        let myi =
            format!("sku\tafn-fulfillable-quantity\tafn-reserved-quantity\nW\t{}\t4\n", i64::MAX);
        let files = [
            ("ledger_detail.csv", small_detail()),
            ("ledger_summary.csv", summary),
            ("myi.tsv", myi),
        ];
        let mut books = load_folder("absurd", &[], &files).unwrap();
        assert!(books.summary.is_empty() && books.myi.is_empty());
        assert_eq!(books.counts.rows_skipped["quantity beyond 10,000,000 units"], 3);
        assert_eq!(
            books.counts.examples["quantity beyond 10,000,000 units"],
            [
                "ledger_summary.csv line 2: starting balance 5000000000000000000",
                "ledger_summary.csv line 3: starting balance 5000000000000000000",
                "myi.tsv line 2: afn-fulfillable-quantity 9223372036854775807",
            ]
        );
        books.close().unwrap();
        assert_eq!(
            books.held(&Sku::new("W").unwrap(), Disposition::Sellable, day("2026-03-02")),
            45
        );
    }

    /// Manage FBA Inventory rows with a negative fulfillable (-130) or
    /// inbound (-5) quantity, or totals that disagree (warehouse 135 but
    /// 130 + 1 + 5 = 136), were used as on hand (or their inbound
    /// dropped without a word): each is now skipped and named. A row
    /// with blank total cells has nothing to disagree with and is kept
    /// (D; F's total is checked against its parts, 7 + 5). Tester: E
    /// claims 0 in the warehouse and 0 in total while holding 7
    /// fulfillable and 5 inbound; totals of 0 read as absent, so it was
    /// used as on hand. A 0 is now a total like any other. The file has
    /// only one inbound column, so totals are not checked against it
    /// (a warehouse cell still is): F's on order is its total less its
    /// warehouse parts, 12 - 7 = 5.
    #[test]
    fn unsound_inventory_rows_are_skipped_and_named() {
        let myi = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-unsellable-quantity\t\
                   afn-reserved-quantity\tafn-total-quantity\tafn-inbound-shipped-quantity\n\
                   A\t\t-130\t\t\t\t\n\
                   B\t\t10\t\t\t\t-5\n\
                   C\t135\t130\t1\t5\t195\t60\n\
                   D\t\t7\t\t\t\t\n\
                   E\t0\t7\t\t\t0\t5\n\
                   F\t\t7\t\t\t12\t5\n\
                   W\t135\t130\t1\t4\t195\t60\n";
        let files = [("ledger_detail.csv", small_detail()), ("myi.tsv", myi.to_owned())];
        let books = load_folder("myineg", &[], &files).unwrap();
        let kept: Vec<&str> = books.myi.keys().map(Sku::as_str).collect();
        assert_eq!(kept, ["D", "F", "W"]);
        assert_eq!(books.myi_on_order[&Sku::new("F").unwrap()], (Some(Quantity::new(5)), None));
        assert_eq!(books.counts.stock_rows_refused, 4);
        let skipped = &books.counts.examples;
        // The reader refuses a quantity below zero (tester L2), naming
        // the cell, and gives the row's SKU: A and B are refused as
        // unreadable rows.
        assert_eq!(
            skipped["unreadable row"],
            [
                "myi.tsv: manage FBA inventory: line 2, column \"afn-fulfillable-quantity\": \
                 -130 is negative, expected zero or more",
                "myi.tsv: manage FBA inventory: line 3, column \"afn-inbound-shipped-quantity\": \
                 -5 is negative, expected zero or more"
            ]
        );
        assert!(books.myi_refused[&Sku::new("A").unwrap()].contains("-130 is negative"));
        assert!(books.myi_refused[&Sku::new("B").unwrap()].contains("-5 is negative"));
        assert!(!skipped.contains_key("Manage FBA Inventory quantity below zero"));
        assert_eq!(
            skipped["Manage FBA Inventory totals disagree"],
            [
                "myi.tsv line 4: C: warehouse 135 vs fulfillable 130 + unsellable 1 + reserved 5; \
                 total 195 (the file has no afn-inbound-working-quantity, \
                 afn-inbound-receiving-quantity)",
                "myi.tsv line 6: E: warehouse 0 vs fulfillable 7 + unsellable 0 + reserved 0; \
                 total 0 (the file has no afn-inbound-working-quantity, \
                 afn-inbound-receiving-quantity)"
            ]
        );
    }

    /// Tester: a Manage FBA Inventory row whose `your-price` was `19,99`
    /// was refused whole, so the SKU fell back to the ledger (on hand
    /// 130 / on order 96 became 34 / 0, and the plan turned late). The
    /// row is now used for its quantities, valued by its order price
    /// (none here, so zero), and the price is named in a note.
    #[test]
    fn an_unreadable_inventory_price_keeps_the_rows_quantities() {
        let myi = "sku\tyour-price\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                   afn-reserved-quantity\tafn-total-quantity\tafn-inbound-shipped-quantity\n\
                   W\t19,99\t134\t130\t4\t230\t96\n";
        let files = [("ledger_detail.csv", small_detail()), ("myi.tsv", myi.to_owned())];
        let mut books = load_folder("myiprice", &[], &files).unwrap();
        let w = Sku::new("W").unwrap();
        let row = &books.myi[&w];
        assert_eq!((units(row.afn_fulfillable).get(), row.inbound().unwrap().get()), (130, 96));
        assert_eq!(row.price, None);
        assert!(!books.counts.rows_skipped.contains_key("unreadable row"));
        let why = "Manage FBA Inventory price unreadable, row used for its quantities, price left out of unit cost";
        assert_eq!(books.counts.warnings[why], 1);
        assert_eq!(books.counts.examples[why], ["myi.tsv line 2: W: your-price \"19,99\""]);
        assert!(!books.unit_costs.contains_key(&w));
        books.close().unwrap();
        let args = Args::parse_from(["replenish", "--amazon", "unused"]);
        let service = ServiceLevel::new(args.service_level).unwrap();
        let (recs, _) = plan(&args, service, &books).unwrap();
        assert_eq!((recs[0].rec.on_hand, recs[0].rec.on_order), (Some(130), Some(96)));
    }

    /// Loads `files` as a run would, closes the books and plans them.
    fn plan_folder(name: &str, files: &[(&str, String)]) -> (Books, Vec<AmazonRec>) {
        let mut books = load_folder(name, &[], files).unwrap();
        books.close().unwrap();
        let args = Args::parse_from(["replenish", "--amazon", "unused"]);
        let service = ServiceLevel::new(args.service_level).unwrap();
        let (recs, _) = plan(&args, service, &books).unwrap();
        (books, recs)
    }

    /// The tester's folder: W sells 2 a day for 60 days (2025-01-01 to
    /// 03-01). Planned on 100 on hand and 50 on order with the default
    /// lead time of 60 +/- 10 days, 95% cycle service and 60 days of
    /// cover, the demand being flat: reorder point 2 x 60 + 1.6449 x
    /// sqrt(60 x 0 + 2^2 x 10^2) = 120 + 32.9 = 152.9 (shown 153);
    /// position 100 + 50 = 150 <= 153; order up to 152.9 + 2 x 60 =
    /// 272.9, less 150 is 122.9, 123, in cases of 12: 132.
    fn myi_case(myi: &str) -> (Books, Vec<AmazonRec>, &'static str) {
        let files = [
            ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])),
            ("myi.tsv", myi.to_owned()),
        ];
        // A folder of its own per call: tests run in parallel, and two
        // rows of one length once shared a name.
        static CASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (books, recs) = plan_folder(&format!("myicase{n}"), &files);
        (books, recs, "W")
    }

    const MYI_HEAD: &str = "sku\tproduct-name\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                            afn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\t\
                            afn-inbound-working-quantity\tafn-inbound-shipped-quantity\t\
                            afn-inbound-receiving-quantity\n";

    fn assert_planned_on_100_and_50(rec: &RecRow) {
        assert_eq!((rec.on_hand, rec.on_order), (Some(100), Some(50)), "{}", rec.reason);
        assert!((rec.reorder_point - 152.9).abs() < 0.05, "{}", rec.reorder_point);
        assert_eq!(rec.order_quantity, Some(132), "{}", rec.reason);
        assert!(
            rec.reason.ends_with(
                "position 150 <= reorder point 153; order up to 272.9 (reorder point 152.9 + 60 \
                 days of demand 120) less position 150: 122.9, rounded up to 123; 123 rounded up \
                 to whole cases: 132"
            ),
            "{}",
            rec.reason
        );
    }

    /// Tester: a row whose total was 156 where warehouse 105 + inbound
    /// 10 + 30 + 10 is 155 was refused, and with no ledger in the folder
    /// W was planned on 0 on hand and 0 on order: 276 units, with no
    /// caution. Its warehouse cell agrees with its parts (100 + 2 + 3),
    /// so on hand 100 stands; on order is in doubt (50 by the cells, 51
    /// by the total less the warehouse, 156 less 105), the smaller is
    /// counted, and the reason and the caution say so.
    #[test]
    fn a_total_alone_in_disagreement_keeps_on_hand_and_doubts_on_order() {
        let myi = format!("{MYI_HEAD}W\tWidget\t105\t100\t2\t3\t156\t10\t30\t10\n");
        let (books, recs, _) = myi_case(&myi);
        assert_eq!(recs.len(), 1);
        assert_planned_on_100_and_50(&recs[0].rec);
        assert!(
            recs[0].rec.reason.starts_with(
                "on order in doubt, 50 counted: myi.tsv line 2 gives inbound 50 but total 156 \
                 less warehouse 105 is 51; position 150"
            ),
            "{}",
            recs[0].rec.reason
        );
        assert_eq!((books.counts.stock_rows_in_doubt, books.counts.stock_rows_refused), (1, 0));
        assert_eq!(
            books.counts.examples[MYI_TOTAL_DOUBT],
            ["myi.tsv line 2: W: total 156 vs warehouse 105 + inbound 50"]
        );
        let out = output(books, recs);
        let caution = caution(&out).unwrap();
        assert!(
            caution.starts_with(
                "Caution: 0 unreadable row(s), 1 Manage FBA Inventory row(s) whose total \
                 disagrees and 0 failed check(s) above"
            ),
            "{caution}"
        );
    }

    fn output(books: Books, recs: Vec<AmazonRec>) -> AmazonOutput {
        AmazonOutput {
            assumptions: Vec::new(),
            legend: String::new(),
            files: Vec::new(),
            counts: books.counts,
            checks: Vec::new(),
            claims: None,
            recommendations: recs,
        }
    }

    /// A row whose warehouse cell is not its parts (106 vs 100 + 2 + 3)
    /// leaves on hand in doubt and is refused. With no ledger row of W
    /// and no other row, W is not planned: no order on zero stock (the
    /// old plan ordered 276), its row shown with `-` for the stock and
    /// the order, the reorder point and order-up-to level (272.9) still
    /// given, and the caution counts the refused row.
    #[test]
    fn a_refused_stock_row_with_no_other_source_is_not_planned() {
        let myi = format!("{MYI_HEAD}W\tWidget\t106\t100\t2\t3\t156\t10\t30\t10\n");
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
        assert_eq!((rec.order_on, rec.urgency.as_str()), (None, "not planned"));
        assert_eq!(rec.description, "Widget");
        assert_eq!(
            rec.reason,
            "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: warehouse \
             106 is not fulfillable 100 + unsellable 2 + reserved 3), and no ledger row gives \
             its stock; order up to 272.9 less the position, once known"
        );
        let table = recommendation_table("title", true, &[(rec, Some(2.0))]).render();
        let line = table.lines().find(|l| l.starts_with('W')).unwrap();
        assert!(line.contains(" 153 ") && line.contains("not planned"), "{line}");
        assert!(!line.contains(" 0 "), "{line}");
        assert_eq!(books.counts.stock_rows_refused, 1);
        let caution = caution(&output(books, recs)).unwrap();
        assert!(
            caution.starts_with(
                "Caution: 0 unreadable row(s), 1 refused Manage FBA Inventory row(s) and 0 \
                 failed check(s) above"
            ) && caution.contains("(not planned when no other report gives its stock).")
                && caution.ends_with(NOT_PLANNED_ONE),
            "{caution}"
        );
    }

    /// Tester (u1): a row whose fulfillable cell reads `1OO` was only
    /// counted as an unreadable row, and W, named by no other row, was
    /// planned on 0 on hand and 0 on order (276 ordered) with the untrue
    /// reason "no stock report names this SKU". The row's SKU cell reads
    /// `W`, so the row is refused like any other: W is not planned, its
    /// reason naming the file, the line and the cell.
    #[test]
    fn an_unreadable_stock_row_refuses_its_sku() {
        let myi = format!("{MYI_HEAD}W\tWidget\t105\t1OO\t2\t3\t155\t20\t20\t10\n");
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
        assert_eq!(rec.urgency, "not planned");
        assert!(
            rec.reason.starts_with(
                "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: \
                 unreadable row ("
            ) && rec.reason.contains("afn-fulfillable-quantity")
                && rec.reason.contains("\"1OO\"")
                && rec.reason.contains("no ledger row gives its stock"),
            "{}",
            rec.reason
        );
        assert_eq!(books.counts.stock_rows_refused, 1);
        // A row whose SKU cell is blank names no SKU: W keeps the row
        // read after it.
        let myi = format!(
            "{MYI_HEAD}\tWidget\t105\t1OO\t2\t3\t155\t20\t20\t10\n\
             W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
        );
        let (books, recs, _) = myi_case(&myi);
        assert_planned_on_100_and_50(&recs[0].rec);
        assert_eq!(books.counts.stock_rows_refused, 0);
    }

    /// W's stock from the ledger alone (no Manage FBA Inventory row of
    /// it, or a refused one), with W selling 2 a day from 2025-01-01 to
    /// 03-01 (reorder point 152.9, order up to 272.9; cases of 12).
    fn ledger_case(files: &[(&str, String)], refused: bool) -> RecRow {
        let mut all = vec![("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[]))];
        if refused {
            all.push((
                "myi.tsv",
                format!("{MYI_HEAD}W\tWidget\t505\t500\t2\t3\t555\t-10\t30\t10\n"),
            ));
        }
        all.extend(files.iter().cloned());
        static CASES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CASES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (_, mut recs) = plan_folder(&format!("ledgercase{n}"), &all);
        recs.remove(0).rec
    }

    const SUMMARY_HEAD: &str =
        "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse Balance\n";
    const DETAIL_HEAD: &str =
        "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n";

    /// Tester (b3, b4, b2, s1, a2, a3, k, k2): the ledger route now
    /// applies the refused-row checks, and a summary view alone gives the
    /// latest ending balance, not the first opening.
    #[test]
    fn the_ledger_gives_stock_only_when_the_reports_vouch_for_it() {
        // Summary alone: January 100 -> 40, February 40 -> 20. On hand
        // is February's ending 20 (was January's opening 100, 180
        // ordered): 272.9 - 20 = 252.9, 253, in cases of 12: 264.
        let summary = format!(
            "{SUMMARY_HEAD}01/2025,X00W,W,SELLABLE,100,40\n02/2025,X00W,W,SELLABLE,40,20\n"
        );
        for refused in [false, true] {
            let rec = ledger_case(&[("ledger_summary.csv", summary.clone())], refused);
            assert_eq!(
                (rec.on_hand, rec.on_order, rec.order_quantity),
                (Some(20), None, Some(264))
            );
            assert!(
                rec.reason.starts_with(
                    "on hand from the ledger summary view's ending balance for 2025-02-01 to \
                     2025-02-28"
                ),
                "{}",
                rec.reason
            );
        }
        // A summary closing (100 on 01-31) the ledger misses (100 + 48
        // received): not planned, with or without a refused row.
        let receipt = format!("{DETAIL_HEAD}2025-01-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n");
        let check = format!("{SUMMARY_HEAD}01/2025,X00W,W,SELLABLE,100,100\n");
        for refused in [false, true] {
            let rec = ledger_case(
                &[("ledger_detail.csv", receipt.clone()), ("ledger_summary.csv", check.clone())],
                refused,
            );
            assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
            assert!(
                rec.reason.contains(
                    "the ledger fails the summary view's check (summary 100 sellable on \
                     2025-01-31, ledger 148)"
                ),
                "{}",
                rec.reason
            );
        }
        // The sellable summary row unreadable: its opening is unknown
        // (the damaged row alone is no opening).
        let unread = format!(
            "{SUMMARY_HEAD}01/2025,X00W,W,SELLABLE,1OO,148\n01/2025,X00W,W,CUSTOMER_DAMAGED,0,0\n"
        );
        let rec = ledger_case(
            &[("ledger_detail.csv", receipt.clone()), ("ledger_summary.csv", unread)],
            true,
        );
        assert_eq!(rec.on_hand, None);
        assert!(
            rec.reason.contains(
                "rests on an unknown opening (the ledger summary view has no readable sellable row"
            ),
            "{}",
            rec.reason
        );
        // Detail alone, 48 received less 120 shipped: -72, not planned
        // (was clamped to 0, 276 ordered).
        let mut negative = receipt.clone();
        for d in 0..60 {
            let date = day("2025-01-01") + chrono::Days::new(d);
            negative.push_str(&format!("{date},X00W,W,Shipments,ORD{d},-2,ABE2,SELLABLE\n"));
        }
        let rec = ledger_case(&[("ledger_detail.csv", negative)], false);
        assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
        assert!(
            rec.reason.contains("the ledger's sellable balance, -72, is below zero"),
            "{}",
            rec.reason
        );
        // Detail alone, one receipt of 48: still planned (the usual
        // ledger-only route), 272.9 - 48 = 224.9, 225, in cases: 228,
        // the reason and the caution saying the opening is unknown.
        let rec = ledger_case(&[("ledger_detail.csv", receipt)], false);
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(48), None, Some(228)));
        assert!(
            rec.reason.starts_with(
                "on hand from a ledger with unknown opening (no ledger summary view gives it); no \
                 Manage FBA Inventory row names this SKU: on order unknown"
            ),
            "{}",
            rec.reason
        );
        let out = output(
            Books::new().unwrap(),
            vec![AmazonRec {
                rec,
                history_units_per_day: 2.0,
                assumed_zero: false,
                on_order_partial: false,
                unknown_opening: true,
            }],
        );
        let caution = caution(&out).unwrap();
        assert!(
            caution.contains("1 planned with on order unknown")
                && caution.contains("1 planned on a ledger with unknown opening"),
            "{caution}"
        );
        // A summary period starting after the planning day (03-01):
        // unknown as of that day; not planned with a refused row, planned
        // on 0 and counted without one.
        let after = format!("{SUMMARY_HEAD}04/2025,X00W,W,SELLABLE,500,500\n");
        let rec = ledger_case(&[("ledger_summary.csv", after.clone())], true);
        assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
        assert!(rec.reason.contains("the ledger summary view's first period starts 2025-04-01, after the planning day 2025-03-01"), "{}", rec.reason);
        let rec = ledger_case(&[("ledger_summary.csv", after)], false);
        assert_eq!((rec.on_hand, rec.order_quantity), (Some(0), Some(276)));
        assert!(
            rec.reason.starts_with("on hand from a ledger with unknown opening"),
            "{}",
            rec.reason
        );
    }

    /// Tester (c1, c2, c3): a blank fulfillable cell reads as 0, and W
    /// was planned on 0 on hand (252 or 276 ordered). With no warehouse
    /// cell to vouch for it, the row is refused: W is not planned. A
    /// warehouse cell of 0 vouches for it: planned on 0 + 30 on order,
    /// 272.9 - 30 = 242.9, 243, in cases of 12: 252.
    #[test]
    fn a_blank_fulfillable_cell_with_nothing_to_check_it_refuses_the_row() {
        for myi in [
            format!("{MYI_HEAD}W\tWidget\t\t\t0\t0\t\t10\t10\t10\n"),
            format!("{MYI_HEAD}W\tWidget\t\t\t0\t0\t30\t10\t10\t10\n"),
            "sku\tafn-fulfillable-quantity\nW\t\n".to_owned(),
        ] {
            let (books, recs, _) = myi_case(&myi);
            let rec = &recs[0].rec;
            assert_eq!((rec.on_hand, rec.order_quantity), (None, None), "{myi}");
            assert!(
                rec.reason.starts_with(
                    "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: \
                     afn-fulfillable-quantity blank, and no warehouse cell to check it)"
                ),
                "{}",
                rec.reason
            );
            assert_eq!(books.counts.stock_rows_refused, 1);
        }
        let myi = format!("{MYI_HEAD}W\tWidget\t0\t\t0\t0\t30\t10\t10\t10\n");
        let (_, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(0), Some(30), Some(252)));
    }

    /// V's row, its title holding a line break inside its quotes: a lone
    /// `\r` (which a split on `\n` does not see), a `\n` and a `\r\n`.
    /// The reader counts each as one line break, so the row after V's is
    /// on line 4 whichever it is.
    const V_WITH_BREAKS: [&str; 3] = [
        "V\t\"Vase\rBlue\"\t5\t5\t0\t0\t5\t0\t0\t0\n",
        "V\t\"Vase\nBlue\"\t5\t5\t0\t0\t5\t0\t0\t0\n",
        "V\t\"Vase\r\nBlue\"\t5\t5\t0\t0\t5\t0\t0\t0\n",
    ];

    /// The SKU of an unreadable row was looked up on that line of the
    /// raw text, split at `\n`: after a title holding a lone `\r` the
    /// reader's line 4 (W's, fulfillable `1OO`) was no line of the split,
    /// so W's row named no SKU and W was planned as if no stock report
    /// named it. The reader's error now carries the SKU of its row.
    #[test]
    fn an_unreadable_stock_row_after_a_quoted_line_break_refuses_its_own_sku() {
        for v in V_WITH_BREAKS {
            let myi = format!("{MYI_HEAD}{v}W\tWidget\t105\t1OO\t2\t3\t155\t20\t20\t10\n");
            let (books, recs, _) = myi_case(&myi);
            let rec = &recs[0].rec;
            assert_eq!((rec.sku.as_str(), rec.urgency.as_str()), ("W", "not planned"), "{v:?}");
            assert!(
                rec.reason.starts_with(
                    "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 4: \
                     unreadable row ("
                ) && rec.reason.contains("\"1OO\""),
                "{v:?}: {}",
                rec.reason
            );
            assert_eq!(books.counts.stock_rows_refused, 1, "{v:?}");
            assert!(books.myi.contains_key(&Sku::new("V").unwrap()), "{v:?}");
        }
    }

    /// A blank fulfillable cell was found on the raw text's lines: after
    /// a title holding a lone `\r`, W's blank cell sat on the split's
    /// line 3 and the reader's row on line 4, so W was planned on 0 on
    /// hand. The reader's row now says the cell was blank.
    #[test]
    fn a_blank_fulfillable_cell_after_a_quoted_line_break_refuses_its_row() {
        for v in V_WITH_BREAKS {
            let myi = format!("{MYI_HEAD}{v}W\tWidget\t\t\t0\t0\t\t10\t10\t10\n");
            let (books, recs, _) = myi_case(&myi);
            let rec = &recs[0].rec;
            assert_eq!((rec.on_hand, rec.order_quantity), (None, None), "{v:?}: {}", rec.reason);
            assert!(
                rec.reason.starts_with(
                    "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 4: \
                     afn-fulfillable-quantity blank, and no warehouse cell to check it)"
                ),
                "{v:?}: {}",
                rec.reason
            );
            assert_eq!(books.counts.stock_rows_refused, 1, "{v:?}");
        }
    }

    /// A quoted title whose second line reads like part of a row of W
    /// with its fulfillable cell `1OO` is V's title and nothing more:
    /// read at physical lines it would have refused W, whose own row
    /// below is sound. W is planned on its row (100 on hand, 50 on
    /// order), V on its 5, and no row is refused or unreadable. When that
    /// line holds a whole row's cells (W with a blank fulfillable cell),
    /// the quoted cell looks exactly like a quote left open over a row,
    /// and the reader refuses V's row as unreadable (`OpenQuote`); W is
    /// still planned on its own row.
    #[test]
    fn a_quoted_title_that_reads_like_a_row_misdirects_nothing() {
        for fake in ["W\tWidget\t\t\t0\t0\t\t10\t10\t10", "W\tWidget\t105\t1OO\t2\t3"] {
            let whole_row = fake.matches('\t').count() >= MYI_HEAD.matches('\t').count();
            for gap in ["\n", "\r\n", "\r"] {
                let myi = format!(
                    "{MYI_HEAD}V\t\"Vase{gap}{fake}\"\t5\t5\t0\t0\t5\t0\t0\t0\n\
                     W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
                );
                let (books, recs, _) = myi_case(&myi);
                let w = recs.iter().find(|r| r.rec.sku == "W").unwrap();
                assert_planned_on_100_and_50(&w.rec);
                assert_eq!(books.myi[&Sku::new("W").unwrap()].line, 4, "{gap:?}");
                assert_eq!(books.counts.stock_rows_refused, 0, "{fake:?} {gap:?}");
                let unreadable = books.counts.rows_skipped.get(UNREADABLE_ROW).copied();
                if whole_row {
                    assert!(!books.myi.contains_key(&Sku::new("V").unwrap()), "{gap:?}");
                    assert_eq!(unreadable, Some(1), "{gap:?}");
                } else {
                    let v = &books.myi[&Sku::new("V").unwrap()];
                    assert_eq!((v.afn_fulfillable, v.line), (Some(Quantity::new(5)), 2));
                    assert!(v.title.ends_with(fake), "{gap:?}: {:?}", v.title);
                    assert_eq!(unreadable, None, "{gap:?}");
                }
            }
        }
    }

    /// Loads `files` as a run would and plans them: the books, the
    /// output (files, counts, recommendations) and its caution.
    fn run_folder(name: &str, files: &[(&str, String)]) -> (AmazonOutput, Option<String>) {
        let dir = std::env::temp_dir().join(format!("merchantry-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
        let loaded = load(&args, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
        let (mut books, files) = loaded.unwrap();
        books.close().unwrap();
        let service = ServiceLevel::new(args.service_level).unwrap();
        let (recs, _) = plan(&args, service, &books).unwrap();
        let out = AmazonOutput { files, ..output(books, recs) };
        let caution = caution(&out);
        (out, caution)
    }

    /// Tester (M1): a lone `\r` in V's unquoted title split its row in
    /// two, `V\tVase` (2 cells) and `W\t105...` (9 cells), and the
    /// reader gave the second part's cell at the SKU's place, `W`, as its
    /// SKU: W, planned on its own row on line 4, was said to have
    /// "another Manage FBA Inventory row of this SKU" refused, and the
    /// caution counted 2 refused rows. A row whose cells do not line up
    /// with the header now names no SKU: W's reason is its plan alone,
    /// nothing is refused, and the caution counts 2 unreadable rows
    /// naming no SKU.
    #[test]
    fn a_split_stock_row_blames_no_sku_for_a_row_not_its_own() {
        let myi = format!(
            "{MYI_HEAD}V\tVase\rW\t105\t100\t2\t3\t155\t10\t30\t10\n\
             W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
        );
        let files = [("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])), ("myi.tsv", myi)];
        let (out, caution) = run_folder("splitrow", &files);
        let rec = &out.recommendations[0].rec;
        assert_eq!(rec.sku.as_str(), "W");
        assert_planned_on_100_and_50(rec);
        assert!(rec.reason.starts_with("position 150 <= reorder point 153"), "{}", rec.reason);
        assert_eq!((out.counts.stock_rows_refused, out.counts.stock_rows_unnamed), (0, 2));
        assert_eq!(
            caution.unwrap(),
            "Caution: 2 unreadable row(s) (2 of them Manage FBA Inventory rows naming no SKU) \
             and 0 failed check(s) above: the ledger may not match the reports, so these \
             figures may not either; a SKU whose stock row was refused or is in doubt, whose \
             stock file was rejected, or that no readable stock row names while a stock row \
             naming no SKU could not be read, says so in its reason (not planned when no other \
             report gives its stock)."
        );
    }

    /// A SKU whose only stock row is split (a lone `\r` in W's title)
    /// was refused by the first part's SKU cell; with no SKU given for a
    /// row whose cells do not line up, it must not fall to "no stock
    /// report names this SKU" and be planned on zero (276 ordered): no
    /// readable row names W while two rows naming no SKU could not be
    /// read, so W is not planned, its reason naming both rows. So it is
    /// for a SKU no row names at all, beside a row whose SKU cell is
    /// blank: planned on zero before, not planned now.
    #[test]
    fn a_sku_an_unreadable_row_naming_no_sku_may_stand_for_is_not_planned_on_zero() {
        let split = format!("{MYI_HEAD}W\tWid\rget\t105\t100\t2\t3\t155\t10\t30\t10\n");
        let blank = format!("{MYI_HEAD}\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n");
        let not_planned = |myi: &str, rows: &str| {
            let files = [
                ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])),
                ("myi.tsv", myi.to_owned()),
            ];
            let (out, caution) = run_folder("unnamedrow", &files);
            let rec = &out.recommendations[0];
            assert!(!rec.assumed_zero);
            let rec = &rec.rec;
            assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
            assert_eq!(rec.urgency, "not planned");
            assert_eq!(
                rec.reason,
                format!(
                    "stock unknown: no readable Manage FBA Inventory row names it, while {rows}, \
                     and no ledger row gives its stock; order up to 272.9 less the position, \
                     once known"
                )
            );
            assert_eq!(out.counts.stock_rows_refused, 0);
            let caution = caution.unwrap();
            assert!(caution.ends_with(NOT_PLANNED_ONE), "{caution}");
            assert!(!caution.contains("planned on zero stock"), "{caution}");
        };
        not_planned(
            &split,
            "2 Manage FBA Inventory rows naming no SKU could not be read, any of which may be \
             this SKU's (myi.tsv line 2: unreadable row (manage FBA inventory: line 2: row has 2 \
             cells, header has 10); myi.tsv line 3: unreadable row (manage FBA inventory: line \
             3: row has 9 cells, header has 10))",
        );
        not_planned(
            &blank,
            "1 Manage FBA Inventory row naming no SKU could not be read, and may be this SKU's \
             (myi.tsv line 2: unreadable row (manage FBA inventory: line 2, column \"sku\": \
             required value is empty))",
        );
    }

    /// Tester (L2): a negative quantity cell (fulfillable `-4`) is now
    /// refused by the reader, which gives the row's SKU: W is still not
    /// planned, its reason naming the file, the line and the cell as the
    /// reader words it.
    #[test]
    fn a_negative_stock_quantity_refuses_its_sku_with_the_readers_words() {
        let myi = format!("{MYI_HEAD}W\tWidget\t105\t-4\t2\t3\t155\t20\t20\t10\n");
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
        assert_eq!(
            rec.reason,
            "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: unreadable \
             row (manage FBA inventory: line 2, column \"afn-fulfillable-quantity\": -4 is \
             negative, expected zero or more)), and no ledger row gives its stock; order up to \
             272.9 less the position, once known"
        );
        assert_eq!((books.counts.stock_rows_refused, books.counts.stock_rows_unnamed), (1, 0));
    }

    /// The caution's words for one SKU not planned.
    const NOT_PLANNED_ONE: &str = "SKUs: 1 not planned (their stock is unknown: no order, \"-\" for stock); each one's \
         reason says why.";

    /// Tester (H2): the refused row fell back to the ledger's balance
    /// however the ledger came by it. With a detail view alone the
    /// ledger's opening is unknown: a receipt of 48 on the first day
    /// gave 48, and with shipments of 2 a day for 60 days, 48 - 120 =
    /// -72, which the checks call wrong, clamped to 0: 276 ordered. Now
    /// the ledger stands in for a refused row only when its opening
    /// comes from the summary view (not from any Manage FBA Inventory
    /// row) and it ends at or above zero; else W is not planned, and the
    /// reason names the row and what is wrong with the ledger.
    #[test]
    fn a_refused_stock_row_falls_back_only_to_a_ledger_that_stands_on_its_own() {
        let myi = format!("{MYI_HEAD}W\tWidget\t505\t500\t2\t3\t555\t-10\t30\t10\n");
        let head =
            "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition\n";
        let receipt = "2025-01-01,X00W,W,Receipts,FBA1,48,ABE2,SELLABLE\n";
        let plan_with = |name: &str, detail: String, summary: Option<String>| {
            let mut files = vec![
                ("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[])),
                ("ledger_detail.csv", detail),
                ("myi.tsv", myi.clone()),
            ];
            if let Some(summary) = summary {
                files.push(("ledger_summary.csv", summary));
            }
            plan_folder(name, &files)
        };
        let refused = "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: \
                       unreadable row (manage FBA inventory: line 2, column \
                       \"afn-inbound-working-quantity\": -10 is negative, expected zero or \
                       more)), and the ledger's sellable balance, ";

        // Detail alone, one receipt: 48 on an unknown opening.
        let (_, recs) = plan_with("refusedledger", format!("{head}{receipt}"), None);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
        assert_eq!(
            rec.reason,
            format!(
                "{refused}48, rests on an unknown opening (no ledger summary view gives it); \
                 order up to 272.9 less the position, once known"
            )
        );

        // The tester's folder: 48 less 60 shipments of 2 is -72.
        let mut detail = format!("{head}{receipt}");
        for i in 0..60 {
            let date = day("2025-01-01") + chrono::Days::new(i);
            detail.push_str(&format!("{date},X00W,W,Shipments,ORD{i},-2,ABE2,SELLABLE\n"));
        }
        let (books, recs) = plan_with("negledger2", detail, None);
        let rec = &recs[0].rec;
        assert_eq!(
            (rec.on_hand, rec.order_quantity, rec.urgency.as_str()),
            (None, None, "not planned")
        );
        assert!(rec.reason.starts_with(&format!("{refused}-72, is below zero;")), "{}", rec.reason);
        assert!(caution(&output(books, recs)).unwrap().ends_with(NOT_PLANNED_ONE));

        // An opening of 100 from the summary view and the receipt of 48:
        // 148 on hand, on order unknown; 272.9 - 148 = 124.9, 125, in
        // cases of 12: 132.
        let summary = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse \
                       Balance\n2025-01-01,X00W,W,SELLABLE,100,148\n"
            .to_owned();
        let (_, recs) = plan_with("refusedsummary", format!("{head}{receipt}"), Some(summary));
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(148), None, Some(132)));
        assert!(
            rec.reason.starts_with(
                "on hand from the ledger (its opening from the summary view), its Manage FBA \
                 Inventory row was refused (myi.tsv line 2: unreadable row (manage FBA \
                 inventory: line 2, column \"afn-inbound-working-quantity\": -10 is negative, \
                 expected zero or more)); on order unknown, none counted; position 148 <= \
                 reorder point 153"
            ),
            "{}",
            rec.reason
        );
    }

    /// Tester (H1): a Manage FBA Inventory file rejected whole (here a
    /// title line above the header) left W planned on 0 and 0, 276
    /// units, its reason saying no stock report names it, and no
    /// caution. W is now not planned, the reason names the file and the
    /// caution counts the file and the SKU.
    #[test]
    fn a_rejected_stock_file_leaves_its_skus_not_planned() {
        let myi = format!(
            "Manage FBA Inventory report\n{MYI_HEAD}W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n"
        );
        let (books, recs, _) = myi_case(&myi);
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (None, None, None));
        assert_eq!(rec.urgency, "not planned");
        assert!(
            rec.reason.starts_with("stock unknown: its stock report was rejected (myi.tsv: ")
                && rec.reason.ends_with(
                    "), no other Manage FBA Inventory row names it, and no ledger row gives its \
                     stock; order up to 272.9 less the position, once known"
                ),
            "{}",
            rec.reason
        );
        assert_eq!(books.counts.stock_files_rejected, 1);
        let caution = caution(&output(books, recs)).unwrap();
        assert!(
            caution.starts_with(
                "Caution: 0 unreadable row(s), 1 rejected Manage FBA Inventory file(s) and 0 \
                 failed check(s) above"
            ) && caution.ends_with(NOT_PLANNED_ONE),
            "{caution}"
        );
    }

    /// Tester (H3): with no warehouse cell, a total that disagreed with
    /// fulfillable + unsellable + reserved + inbound was trusted for on
    /// hand (1000 fulfillable, total 155: idle), and the reason spoke of
    /// a warehouse of 1005 that was the parts' sum. The total is then
    /// the only check on on hand: 155 is not 1000 + 2 + 3 + 50 = 1055,
    /// so the row is refused. A blank warehouse with a total that agrees
    /// (155 = 100 + 2 + 3 + 50) plans the 132 of the reference row. With
    /// some inbound columns absent (L3), a total below the parts + those
    /// present is refused (120 < 105 + 30), as the file's note now says,
    /// and one above them gives on order as the total less the parts,
    /// named as such (155 - 105 = 50), never as a warehouse figure.
    #[test]
    fn a_row_without_a_warehouse_cell_is_checked_by_its_total() {
        let (books, recs, _) =
            myi_case(&format!("{MYI_HEAD}W\tWidget\t\t1000\t2\t3\t155\t10\t30\t10\n"));
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.order_quantity), (None, None));
        assert!(
            rec.reason.starts_with(
                "stock unknown: its Manage FBA Inventory row was refused (myi.tsv line 2: no \
                 warehouse cell, and total 155 is not fulfillable 1000 + unsellable 2 + reserved \
                 3 + inbound 50 = 1055), and no ledger row gives its stock"
            ),
            "{}",
            rec.reason
        );
        assert_eq!((books.counts.stock_rows_refused, books.counts.stock_rows_in_doubt), (1, 0));
        assert!(caution(&output(books, recs)).unwrap().ends_with(NOT_PLANNED_ONE));

        let (_, recs, _) =
            myi_case(&format!("{MYI_HEAD}W\tWidget\t\t100\t2\t3\t155\t10\t30\t10\n"));
        assert_planned_on_100_and_50(&recs[0].rec);
        assert!(recs[0].rec.reason.starts_with("position 150"), "{}", recs[0].rec.reason);

        let head = "sku\tafn-fulfillable-quantity\tafn-unsellable-quantity\t\
                    afn-reserved-quantity\tafn-total-quantity\tafn-inbound-shipped-quantity\n";
        let (books, recs, _) = myi_case(&format!("{head}W\t100\t2\t3\t120\t30\n"));
        assert_eq!(recs[0].rec.on_hand, None);
        assert!(
            recs[0].rec.reason.contains(
                "(myi.tsv line 2: no warehouse cell, and total 120 is below fulfillable 100 + \
                 unsellable 2 + reserved 3 + the inbound columns present 30 = 135)"
            ),
            "{}",
            recs[0].rec.reason
        );
        assert_eq!(books.counts.stock_rows_refused, 1);
        assert!(INBOUND_ABSENT.contains(
            "its total is checked only for being below warehouse + the inbound columns present"
        ));

        let (_, recs, _) = myi_case(&format!("{head}W\t100\t2\t3\t155\t30\n"));
        assert_planned_on_100_and_50(&recs[0].rec);
        assert!(
            recs[0].rec.reason.starts_with(
                "on order 50 read as total 155 less fulfillable + unsellable + reserved 105 \
                 (myi.tsv line 2; the file has no afn-inbound-working-quantity, \
                 afn-inbound-receiving-quantity); position 150"
            ),
            "{}",
            recs[0].rec.reason
        );
    }

    /// Tester (M1, M2): a SKU planned with on order unknown, or on zero
    /// stock because no stock report names it (another SKU's row read,
    /// or no stock report at all), stays planned but was not counted in
    /// the caution, which did not appear. Each is now counted there.
    /// W with only its fulfillable cell: 272.9 - 100 = 172.9, 173, in
    /// cases of 12: 180. W on zero: 272.9, 273, in cases: 276.
    #[test]
    fn skus_planned_on_unknown_or_assumed_stock_are_counted_in_the_caution() {
        let (books, recs, _) = myi_case("sku\tafn-fulfillable-quantity\nW\t100\n");
        assert_eq!((recs[0].rec.on_order, recs[0].rec.order_quantity), (None, Some(180)));
        assert_eq!(
            caution(&output(books, recs)).unwrap(),
            "Caution: SKUs: 1 planned with on order unknown (\"-\": units on their way in are not \
             counted, so the order may be too large); each one's reason says why."
        );
        // Only the shipped column and no total: 30 on order counted,
        // the rest unknown; 272.9 - 130 = 142.9, 143, in cases: 144.
        let head = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                    afn-unsellable-quantity\tafn-reserved-quantity\tafn-inbound-shipped-quantity\n";
        let (books, recs, _) = myi_case(&format!("{head}W\t105\t100\t2\t3\t30\n"));
        assert_eq!((recs[0].rec.on_order, recs[0].rec.order_quantity), (Some(30), Some(144)));
        assert_eq!(
            caution(&output(books, recs)).unwrap(),
            "Caution: SKUs: 1 planned with on order partly unknown (only the inbound columns \
             their file has are counted, so the order may be too large); each one's reason says \
             why."
        );
        let zero = "Caution: SKUs: 1 planned on zero stock (no stock report or ledger row names \
                    them: 0 on hand and 0 on order assumed); each one's reason says why.";
        let (books, recs, _) =
            myi_case(&format!("{MYI_HEAD}V\tOther\t105\t100\t2\t3\t155\t10\t30\t10\n"));
        assert_eq!((recs[0].rec.on_hand, recs[0].rec.order_quantity), (Some(0), Some(276)));
        assert!(recs[0].rec.reason.starts_with("no stock report names this SKU"));
        assert_eq!(caution(&output(books, recs)).unwrap(), zero);
        let files = [("all_orders.tsv", orders_file(day("2025-01-01"), 60, &[]))];
        let (books, recs) = plan_folder("nostockreport", &files);
        assert_eq!((recs[0].rec.on_hand, recs[0].rec.order_quantity), (Some(0), Some(276)));
        assert_eq!(caution(&output(books, recs)).unwrap(), zero);
    }

    /// Tester (L2): the caution says a SKU whose stock row was refused
    /// or in doubt says so in its reason, but with a good row and a
    /// refused one (either order), or a doubted row then a good one, the
    /// good row was used in silence. Its reason now names the other row.
    #[test]
    fn a_refused_or_doubted_row_beside_the_used_one_is_named() {
        let good = "W\tWidget\t105\t100\t2\t3\t155\t10\t30\t10\n";
        let bad = "W\tWidget\t106\t100\t2\t3\t156\t10\t30\t10\n";
        let doubted = "W\tWidget\t105\t100\t2\t3\t156\t10\t30\t10\n";
        let refused = |line: u32| {
            format!(
                "another Manage FBA Inventory row of this SKU was refused (myi.tsv line {line}: \
                 warehouse 106 is not fulfillable 100 + unsellable 2 + reserved 3); myi.tsv line \
                 {} used; position 150",
                5 - line
            )
        };
        for (rows, starts) in [
            (format!("{good}{bad}"), refused(3)),
            (format!("{bad}{good}"), refused(2)),
            (
                format!("{doubted}{good}"),
                "another Manage FBA Inventory row of this SKU (myi.tsv line 2) has a total in \
                 disagreement; myi.tsv line 3 used; position 150"
                    .to_owned(),
            ),
        ] {
            let (_, recs, _) = myi_case(&format!("{MYI_HEAD}{rows}"));
            assert_planned_on_100_and_50(&recs[0].rec);
            assert!(recs[0].rec.reason.starts_with(&starts), "{}", recs[0].rec.reason);
        }
    }

    /// Tester (L4): "not planned" was missing from the urgency legend.
    #[test]
    fn the_legend_names_not_planned() {
        assert!(amazon_legend(7, 3).ends_with(
            "; not planned = the SKU's stock is unknown (the reason says why): no order"
        ));
    }

    /// Tester: a Manage FBA Inventory file without the afn-inbound
    /// columns read them as 0, so total 155 vs warehouse 105 + 0 refused
    /// the row and W was planned on zero. The total is now not checked
    /// (said once for the file), and on order is the total less the
    /// warehouse, 50, as the reason says: the plan is the 132 above.
    /// With no total either, on order is unknown: none counted, `-` in
    /// the table: 272.9 - 100 = 172.9, 173, in cases: 180.
    #[test]
    fn absent_inbound_columns_are_not_read_as_zero() {
        let head = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\t\
                    afn-unsellable-quantity\tafn-reserved-quantity\tafn-total-quantity\n";
        let (books, recs, _) = myi_case(&format!("{head}W\t105\t100\t2\t3\t155\n"));
        assert_planned_on_100_and_50(&recs[0].rec);
        assert!(
            recs[0].rec.reason.starts_with(
                "on order 50 read as total 155 less warehouse 105 (myi.tsv line 2; the file has \
                 no afn-inbound-working-quantity, afn-inbound-shipped-quantity, \
                 afn-inbound-receiving-quantity); position 150"
            ),
            "{}",
            recs[0].rec.reason
        );
        assert_eq!(books.counts.stock_rows_refused + books.counts.stock_rows_in_doubt, 0);
        assert_eq!(
            books.counts.examples[INBOUND_ABSENT],
            ["myi.tsv: no afn-inbound-working-quantity, afn-inbound-shipped-quantity, \
                 afn-inbound-receiving-quantity"]
        );

        let (books, recs, _) = myi_case("sku\tafn-fulfillable-quantity\nW\t100\n");
        let rec = &recs[0].rec;
        assert_eq!((rec.on_hand, rec.on_order, rec.order_quantity), (Some(100), None, Some(180)));
        assert!(
            rec.reason.starts_with(
                "on order unknown, none counted: myi.tsv has no afn-inbound column and myi.tsv \
                 line 2 no total; position 100 <= reorder point 153"
            ),
            "{}",
            rec.reason
        );
        assert_eq!(books.counts.warnings[INBOUND_ABSENT], 1);
        let table = recommendation_table("title", true, &[(rec, Some(2.0))]).render();
        let line = table.lines().find(|l| l.starts_with('W')).unwrap();
        assert!(line.contains(" 100         - "), "{line}");
    }

    /// Tester: with every All Orders line unreadable the run stopped
    /// with counts only ("0 rows, 102 row errors"), naming no error,
    /// while a partly bad file's report names them. The stop now names a
    /// few, as the report does.
    #[test]
    fn a_run_stopped_for_want_of_dated_rows_names_unreadable_rows() {
        let head =
            "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n";
        let bad = format!(
            "{head}1\t2026-13-01T10:00:00Z\tShipped\tAmazon\tW\t2\n\
             2\t2026-13-02T10:00:00Z\tShipped\tAmazon\tW\t2\n"
        );
        let Err(e) = load_folder("allbad", &[], &[("all_orders.tsv", bad)]) else {
            panic!("planned on no dated row")
        };
        assert!(e.contains("all_orders.tsv: All Orders: 0 rows, 2 row errors, 0 skipped"), "{e}");
        assert!(
            e.ends_with(
                "\n  unreadable rows, e.g. all_orders.tsv: all orders: line 2, column \
                 \"purchase-date\": \"2026-13-01T10:00:00Z\" is not a date; all_orders.tsv: all \
                 orders: line 3, column \"purchase-date\": \"2026-13-02T10:00:00Z\" is not a date"
            ),
            "{e}"
        );
    }

    /// The same 30 dense days alone: the window and history per day are
    /// what the block rule gave.
    #[test]
    fn a_dense_history_keeps_its_window() {
        let (books, recs) = plan_orders("dense", &orders_file(day("2025-03-01"), 30, &[]));
        assert_eq!(books.days(), Some((day("2025-03-01"), day("2025-03-30"))));
        assert!((recs[0].history_units_per_day - 2.0).abs() < 1e-12);
        assert!(books.counts.warnings.is_empty(), "{:?}", books.counts.warnings);
    }

    /// Detail rows with three losses and a damage of `W` (FNSKU `X00W`),
    /// a unit of L1 found on 2026-03-09 (after the payments the tests
    /// book, bar the reversals of
    /// `a_reversal_takes_back_from_an_over_reimbursed_write_off_first`,
    /// so they pay L1's 4 units), and a last shipment on 2026-03-10; Manage FBA
    /// Inventory prices `W` at 25.00, so it costs 10.00 a unit.
    fn claims_folder() -> Vec<(&'static str, String)> {
        let detail = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,\
                      Disposition,Reason\n\
                      2026-01-02,X00W,W,Receipts,FBA1,100,ABE2,SELLABLE,\n\
                      2026-01-05,X00W,W,Adjustments,L1,-4,ABE2,SELLABLE,M\n\
                      2026-01-06,X00W,W,Adjustments,D1,-2,ABE2,SELLABLE,E\n\
                      2026-01-07,X00W,W,Adjustments,L2,-3,ABE2,SELLABLE,M\n\
                      2026-02-20,X00W,W,Adjustments,L3,-2,ABE2,SELLABLE,M\n\
                      2026-03-09,X00W,W,Adjustments,F1,1,ABE2,SELLABLE,F\n\
                      2026-03-10,X00W,W,Shipments,111-1,-1,ABE2,SELLABLE,\n";
        let myi = "sku\tfnsku\tyour-price\tafn-fulfillable-quantity\nW\tX00W\t25.00\t89\n";
        vec![("ledger_detail.csv", detail.to_owned()), ("myi.tsv", myi.to_owned())]
    }

    /// The books of [`claims_folder`] with `reimbursements` as its
    /// Reimbursements file, loaded as folder `name`.
    fn claims_books(name: &str, reimbursements: impl Into<String>) -> Books {
        let mut files = claims_folder();
        files.push(("fba_reimbursements.tsv", reimbursements.into()));
        load_folder(name, &[], &files).unwrap()
    }

    /// A Reimbursements file: `(date, id, reason, units, amount,
    /// original)` rows of `W`/`X00W`.
    fn reimbursements_file(rows: &[(&str, &str, &str, i64, &str, &str)]) -> String {
        let mut f = String::from(
            "approval-date\treimbursement-id\treason\tsku\tfnsku\tcurrency-unit\tamount-total\t\
             quantity-reimbursed-cash\tquantity-reimbursed-total\toriginal-reimbursement-id\n",
        );
        for (date, id, reason, units, amount, original) in rows {
            f.push_str(&format!(
                "{date}\t{id}\t{reason}\tW\tX00W\tUSD\t{amount}\t{units}\t{units}\t{original}\n"
            ));
        }
        f
    }

    /// Each claim line's figures in one string, for comparing.
    fn claim_numbers(lines: &[ClaimLine]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} found {} paid {} ({}) open {} at cost {} {}",
                    l.date,
                    l.what,
                    l.units,
                    l.found,
                    l.reimbursed,
                    l.reimbursed_amount,
                    l.open,
                    l.value_at_cost.map_or_else(|| "-".to_owned(), |v| v.round_dp(2).to_string()),
                    if l.claimable { "claim" } else { "wait" }
                )
            })
            .collect()
    }

    /// Paid, partly paid, reversed and unmatched, worked by hand. The
    /// crate matches payments first in, first out over the lost and
    /// damaged rows of `X00W` dated by their approval: P1 (5 units,
    /// 50.00) pays L1's 4 (40.00) and 1 of D1 (10.00); P2 (3, 30.00)
    /// pays D1's last (10.00) and 2 of L2 (20.00). R1 takes 1 unit and
    /// 10.00 of P2 back from its latest write-off, L2. U1 (a customer
    /// return) matches no loss and is booked naming none; R2 reverses a
    /// payment never booked and is counted, not booked. On 2026-03-10:
    /// L1 lost 4, 1 found, paid 4: over-reimbursed by 1. D1 paid 2 of 2:
    /// closed. L2 lost 3, paid 2 - 1 = 1 (10.00): 2 open, 30.00 at cost,
    /// 62 days old, so a claim. L3 lost 2, unpaid: 2 open, 20.00 at
    /// cost, 18 days old, so wait.
    #[test]
    fn reimbursements_are_booked_against_losses_and_claims_listed() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 5, "50.00", ""),
            ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
            ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
            ("2026-02-01", "R1", "Reimbursement_Reversal", -1, "-10.00", "P2"),
            ("2026-02-02", "R2", "Reimbursement_Reversal", -1, "-12.00", "NOPE"),
        ]);
        let books = claims_books("claims", reimbursements);
        let booked = |what: &str| books.counts.booked_as.get(what).copied();
        assert_eq!(booked("reimbursement of a loss"), Some(4));
        assert_eq!(booked("reimbursement naming no loss"), Some(1));
        assert_eq!(booked("reimbursement reversal"), Some(1));
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), Some(&1));
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
        let last = books.last_day();
        assert_eq!(last, Some(day("2026-03-10")));
        let listed = claims_fn(&books, last, 30);
        assert_eq!(
            claim_numbers(&listed.open),
            [
                "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim",
                "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
            ]
        );
        assert_eq!(
            claim_numbers(&listed.overreimbursed),
            ["2026-01-05 lost 4 found 1 paid 4 (40.00) open -1 at cost 40.00 claim"]
        );
        // With --claim-days 10 the young loss is due too.
        let listed = claims_fn(&books, last, 10);
        assert!(listed.open.iter().all(|l| l.claimable));
    }

    /// Amounts near `Decimal`'s limit: H1 (10 units) cannot be split
    /// over the losses it pays for, and H3 cannot be added to H2 among
    /// the payments naming no loss; both are counted, none panics.
    #[test]
    fn reimbursements_too_large_are_counted_not_booked() {
        let max = Decimal::MAX.to_string();
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "H1", "Lost_Warehouse", 10, &max, ""),
            ("2026-01-21", "H2", "CustomerReturn", 1, &max, ""),
            ("2026-01-22", "H3", "CustomerReturn", 1, &max, ""),
        ]);
        let books = claims_books("huge", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(AMOUNT_TOO_LARGE), Some(&2));
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::MAX));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), None);
    }

    /// A Reimbursements file of P1 (a loss, 40.00) and U1 (no loss,
    /// 12.00) in USD, G1 in GBP and E1 in EUR.
    fn three_currencies() -> String {
        let usd = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
            ("2026-01-21", "U1", "CustomerReturn", 1, "12.00", ""),
            ("2026-01-22", "G1", "CustomerReturn", 1, "9.00", ""),
            ("2026-01-23", "E1", "Lost_Warehouse", 1, "10.00", ""),
        ]);
        let mut lines: Vec<String> = usd.lines().map(str::to_owned).collect();
        lines[3] = lines[3].replace("\tUSD\t", "\tGBP\t");
        lines[4] = lines[4].replace("\tUSD\t", "\tEUR\t");
        lines.join("\n") + "\n"
    }

    /// Rows in three currencies: USD is on two rows (P1 and U1), EUR and
    /// GBP on one each, so only the USD rows are booked (P1 pays L1's 4
    /// units, U1 names no loss) and the others are counted; nothing is
    /// added across currencies and the section says USD.
    #[test]
    fn reimbursements_in_other_currencies_are_not_added() {
        let books = claims_books("currencies", three_currencies());
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&2));
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.currency.as_deref(), Some("USD"));
        // D1's 2 units stay unpaid: E1 in EUR was not booked against it.
        assert_eq!(listed.open[0].what, "damaged");
        assert_eq!(listed.open[0].reimbursed, 0);
    }

    /// The file of the case above passed twice (as a second
    /// Reimbursements file): its GBP and EUR rows are counted once each
    /// as in another currency, and their second reading is a repeat, as
    /// the USD rows' is. They were counted twice (4 rows in another
    /// currency from 2).
    #[test]
    fn reimbursements_in_other_currencies_read_twice_count_once() {
        let file = three_currencies();
        let mut files = claims_folder();
        files.push(("fba_reimbursements.tsv", file.clone()));
        files.push(("fba_reimbursements_again.tsv", file));
        let books = load_folder("currencies-twice", &[], &files).unwrap();
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&2));
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.currency.as_deref(), Some("USD"));
    }

    /// The payments are booked in one batch; one the ledger refuses (P2
    /// takes what L1 was paid past `Decimal::MAX`) refuses the batch,
    /// and the rows are booked again one by one: P1 and U1 are booked,
    /// P2 alone is set aside, as when every row was booked on its own.
    #[test]
    fn a_payment_the_ledger_refuses_is_set_aside_alone() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 1, "50000000000000000000000000000", ""),
            ("2026-01-21", "P2", "Lost_Warehouse", 1, "50000000000000000000000000000", ""),
            ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
        ]);
        let books = claims_books("batch-refused", reimbursements);
        assert_eq!(books.counts.rows_skipped.get("refused by the ledger"), Some(&1));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
        assert_eq!(books.counts.booked_as.get("reimbursement naming no loss"), Some(&1));
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
        assert_eq!(books.paid_to, Some(day("2026-01-22")));
        assert_eq!(books.counts.duplicates_ignored, 0);
    }

    /// The reversals are booked in one batch too. A reversal row under
    /// P2, the id of a payment (taking back 1 unit of P1), has its piece
    /// named as P2's first piece, booked with other content: the plan
    /// cannot see it (it holds the reversals alone), the ledger refuses
    /// the batch, and the reversals are booked again one by one. That
    /// row alone is refused; V1 still takes its unit of P2 back from L2,
    /// as in `reimbursements_are_booked_against_losses_and_claims_listed`.
    #[test]
    fn a_reversal_the_ledger_refuses_is_set_aside_alone() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 5, "50.00", ""),
            ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
            ("2026-02-01", "P2", "Reimbursement_Reversal", -1, "-10.00", "P1"),
            ("2026-02-02", "V1", "Reimbursement_Reversal", -1, "-10.00", "P2"),
        ]);
        let books = claims_books("reversal-batch-refused", reimbursements);
        assert_eq!(books.counts.rows_skipped.get("refused by the ledger"), Some(&1));
        assert_eq!(
            books.counts.examples["refused by the ledger"],
            ["fba_reimbursements.tsv line 4: event amzr-P2-X00W-0 was ingested before with \
                 different content"]
        );
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
        assert_eq!(books.counts.duplicates_ignored, 0);
        assert_eq!(books.paid_to, Some(day("2026-02-02")));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(
            claim_numbers(&listed.open)[0],
            "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim"
        );
    }

    /// Tester ae's a3: reversals alone, in euros. No payment votes, so
    /// there is no currency to be another than: each reversal is set
    /// aside as matched to no write-off (it was "in another currency than
    /// most").
    #[test]
    fn reversals_alone_are_set_aside_for_what_they_are() {
        let rows = reimbursements_file(&[
            ("2026-01-23", "E4", "Reimbursement_Reversal", -1, "-5.00", "NONE1"),
            ("2026-01-24", "E5", "Reimbursement_Reversal", -1, "-5.00", "NONE2"),
        ])
        .replace("\tUSD\t", "\tEUR\t");
        let books = claims_books("reversals-alone", rows);
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), None);
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), Some(&2));
        assert_eq!(books.reimbursement_currency, None);
    }

    /// Two reversals of P1 on one day. P1 pays L1 4, D1 2 and L2 3 (the
    /// units lost on 03-01); F1 finds a unit of L1 on 03-09, so L1 is
    /// over-paid by 1. V1 takes that unit back from L1; V2's unit then
    /// finds no write-off over-paid and comes off the latest, L2. Had V2
    /// read the excess as it stood before V1 (the day's figures are
    /// kept and lowered as reversals book), it took L1's unit again and
    /// left L1 open for 1 and L2 paid whole.
    ///
    /// The same with V1 a day before V2 (on 03-09, the day F1 is found):
    /// the reversals are planned in one batch, so on V2's day the
    /// ledger's excess does not hold V1 yet, and what V1 took back is
    /// taken off it.
    #[test]
    fn a_reversal_sees_the_excess_the_one_before_it_took_back() {
        for first in ["2026-03-10", "2026-03-09"] {
            a_reversal_after_another(first);
        }
    }

    fn a_reversal_after_another(first: &str) {
        let reimbursements = reimbursements_file(&[
            ("2026-03-01", "P1", "Lost_Warehouse", 9, "90.00", ""),
            (first, "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
            ("2026-03-10", "V2", "Reimbursement_Reversal", -1, "-10.00", "P1"),
        ]);
        let books = claims_books("excess-twice", reimbursements);
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
        assert_eq!(
            claim_numbers(&listed.open),
            [
                "2026-01-07 lost 3 found 0 paid 2 (20.00) open 1 at cost 30.00 claim",
                "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
            ]
        );
    }

    /// Tester ad's c4 to c9: one USD payment for L1 and, in EUR, two
    /// rows of one id that disagree, two payments of nothing and two
    /// reversals naming no payment. None of the EUR rows could book, so
    /// none votes: USD is the currency and P1 pays L1. They outvoted P1
    /// (EUR won), P1 was set aside as in another currency and L1 showed
    /// as unpaid.
    #[test]
    fn rows_that_could_not_book_do_not_vote_on_the_currency() {
        let rows = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
            ("2026-01-21", "E1", "CustomerReturn", 1, "10.00", ""),
            ("2026-01-21", "E1", "CustomerReturn", 1, "11.00", ""),
            ("2026-01-22", "E2", "CustomerReturn", 0, "0.00", ""),
            ("2026-01-22", "E3", "CustomerReturn", 0, "0.00", ""),
            ("2026-01-23", "E4", "Reimbursement_Reversal", -1, "-5.00", "NONE1"),
            ("2026-01-23", "E5", "Reimbursement_Reversal", -1, "-5.00", "NONE2"),
        ]);
        let lines: Vec<String> = rows
            .lines()
            .map(|l| if l.contains("\tE") { l.replace("\tUSD\t", "\tEUR\t") } else { l.to_owned() })
            .collect();
        let books = claims_books("novote", lines.join("\n") + "\n");
        assert_eq!(books.reimbursement_currency.as_deref(), Some("USD"));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&1));
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&6));
        let listed = claims_fn(&books, books.last_day(), 30);
        // L1 (4 lost on 2026-01-05) is paid and no longer open; D1, the
        // damaged row after it, is.
        assert!(listed.open.iter().all(|l| l.date != day("2026-01-05")));
        assert_eq!(listed.open[0].what, "damaged");
    }

    /// One row in USD and one in EUR: neither currency is the one most
    /// rows carry, so neither row is booked and the section names none.
    #[test]
    fn reimbursements_in_two_currencies_tied_book_none() {
        let usd = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
            ("2026-01-23", "E1", "Lost_Warehouse", 1, "10.00", ""),
        ]);
        let mut lines: Vec<String> = usd.lines().map(str::to_owned).collect();
        lines[2] = lines[2].replace("\tUSD\t", "\tEUR\t");
        let books = claims_books("tied", lines.join("\n") + "\n");
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&2));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), None);
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.currency, None);
        let caution = none_booked(&listed).unwrap_or_default();
        assert!(caution.starts_with("CAUTION: 2 Reimbursements row(s) read but none booked"));
        let json = serde_json::to_value(&listed).unwrap();
        assert_eq!(json.get("currency"), Some(&serde_json::Value::Null));
        assert_eq!(json.get("paid_to"), Some(&serde_json::Value::Null));
    }

    /// P1 is approved on 2026-04-01, after the ledger's last day
    /// (2026-03-10): it is booked, and the section counts it, so L1 (4
    /// lost, 1 found on 03-09, before P1) is paid its 3 still lost and
    /// D1 1 of its 2, and the losses are still aged on 2026-03-10 (L3,
    /// 18 days old, waits).
    #[test]
    fn payments_after_the_last_day_are_counted() {
        let reimbursements =
            reimbursements_file(&[("2026-04-01", "P1", "Lost_Warehouse", 4, "40.00", "")]);
        let books = claims_books("late", reimbursements);
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.as_of, day("2026-03-10"));
        assert_eq!(listed.paid_to, Some(day("2026-04-01")));
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
        assert_eq!(
            claim_numbers(&listed.open),
            [
                "2026-01-06 damaged 2 found 0 paid 1 (10.00) open 1 at cost 20.00 claim",
                "2026-01-07 lost 3 found 0 paid 0 (0) open 3 at cost 30.00 claim",
                "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
            ]
        );
    }

    /// P2 is repeated, in its own file and in a second file: its pieces
    /// are booked once and R1 still takes its unit back from L2, as in
    /// `reimbursements_are_booked_against_losses_and_claims_listed`.
    #[test]
    fn a_repeated_payment_still_has_its_reversal_booked() {
        let rows = [
            ("2026-01-20", "P1", "Lost_Warehouse", 5, "50.00", ""),
            ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
            ("2026-01-25", "P2", "Damaged_Warehouse", 3, "30.00", ""),
            ("2026-02-01", "R1", "Reimbursement_Reversal", -1, "-10.00", "P2"),
        ];
        let mut files = claims_folder();
        files.push(("fba_reimbursements.tsv", reimbursements_file(&rows)));
        files.push(("fba_reimbursements_2.tsv", reimbursements_file(&rows[1..3])));
        let books = load_folder("repeated", &[], &files).unwrap();
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), None);
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(
            claim_numbers(&listed.open)[0],
            "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim"
        );
    }

    /// Without a Reimbursements file the section knows none was read; a
    /// file cut short inside a row is rejected and named, and nothing of
    /// it is booked.
    #[test]
    fn claims_say_whether_reimbursements_were_read() {
        let books = load_folder("noreimb", &[], &claims_folder()).unwrap();
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.reimbursement_files_read, 0);
        assert!(listed.reimbursement_files_rejected.is_empty());
        let whole = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 4, "40.00", ""),
            ("2026-01-21", "P2", "Lost_Warehouse", 1, "10.00", ""),
        ]);
        let cut = &whole[..whole.len() - 20];
        let books = claims_books("cutreimb", cut.to_owned());
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.reimbursement_files_read, 0);
        assert_eq!(listed.reimbursement_files_rejected.len(), 1);
        assert!(
            listed.reimbursement_files_rejected[0].starts_with("fba_reimbursements.tsv: "),
            "{:?}",
            listed.reimbursement_files_rejected
        );
        assert_eq!(listed.open.len(), 4);
    }

    /// P1 pays 13 units, 130.00: the 11 units lost (L1 4, D1 2, L2 3,
    /// L3 2; 40.00, 20.00, 30.00, 20.00) and 2 no loss takes (20.00). R1
    /// takes 3 units and 30.00 back: the 2 loose units (20.00) first,
    /// then 1 of L3 (10.00), so L3 is paid 1 (10.00) and still open 1.
    /// R2 takes U1 (a customer return, 12.00) back whole. The payments
    /// without a loss: 2, with 2 + 1 units and 32.00, less 3 units and
    /// 32.00 taken back: both taken back whole, so none is left to list.
    /// R2's repeat is a duplicate.
    #[test]
    fn reversals_take_back_loose_units_first() {
        let reimbursements = reimbursements_file(&[
            ("2026-03-01", "P1", "Lost_Warehouse", 13, "130.00", ""),
            ("2026-03-02", "U1", "CustomerReturn", 1, "12.00", ""),
            ("2026-03-05", "R1", "Reimbursement_Reversal", -3, "-30.00", "P1"),
            ("2026-03-06", "R2", "Reimbursement_Reversal", -1, "-12.00", "U1"),
            ("2026-03-06", "R2", "Reimbursement_Reversal", -1, "-12.00", "U1"),
        ]);
        let books = claims_books("loose", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_UNMATCHED), None);
        assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), Some(&2));
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
        assert_eq!(books.counts.duplicates_ignored, 1);
        assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
        // R2, a reversal of units paid naming no loss, counts for the day
        // payments are counted to, as reversals of write-offs do.
        assert_eq!(books.paid_to, Some(day("2026-03-06")));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(
            claim_numbers(&listed.open),
            ["2026-02-20 lost 2 found 0 paid 1 (10.00) open 1 at cost 20.00 wait"]
        );
        assert_eq!(
            claim_numbers(&listed.overreimbursed),
            ["2026-01-05 lost 4 found 1 paid 4 (40.00) open -1 at cost 40.00 claim"]
        );
    }

    /// P1 (2 units) pays L1's fourth unit and one of D1's, its amount
    /// split 12.68 + 12.67 (25.35) or 12.62 + 12.63 (25.25); V1 takes
    /// all of it back, so each write-off gets back exactly what it was
    /// paid, whatever the rounding: D1 is open again, unpaid.
    #[test]
    fn a_full_reversal_restores_every_write_off_exactly() {
        for amount in ["25.35", "25.25"] {
            let reimbursements = reimbursements_file(&[
                ("2026-01-20", "P0", "Lost_Warehouse", 3, "30.00", ""),
                ("2026-01-21", "P1", "Lost_Warehouse", 2, amount, ""),
                ("2026-02-01", "V1", "Reimbursement_Reversal", -2, &format!("-{amount}"), "P1"),
            ]);
            let books = claims_books("revround", reimbursements);
            assert_eq!(books.counts.rows_skipped.get("refused by the ledger"), None, "{amount}");
            assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2), "{amount}");
            let listed = claims_fn(&books, books.last_day(), 30);
            let open = claim_numbers(&listed.open);
            assert_eq!(
                open[0], "2026-01-06 damaged 2 found 0 paid 0 (0.00) open 2 at cost 20.00 claim",
                "{amount}"
            );
        }
    }

    /// P1 (13 units, 130.00) pays the 11 units lost and 2 with no loss;
    /// V1 takes back 3 units and 50.00: the 2 loose units got 20.00 and
    /// L3's 2 units 20.00, so 50.00 is more than they can give back. The
    /// row books nothing, not even the loose part, and is counted once.
    #[test]
    fn a_reversal_any_piece_of_which_is_refused_books_none() {
        let reimbursements = reimbursements_file(&[
            ("2026-03-01", "P1", "Lost_Warehouse", 13, "130.00", ""),
            ("2026-03-05", "V1", "Reimbursement_Reversal", -3, "-50.00", "P1"),
        ]);
        let books = claims_books("revhalf", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1));
        assert_eq!(books.counts.rows_skipped.values().sum::<u64>(), 1);
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), None);
        assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), None);
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 2, Decimal::new(2000, 2)));
    }

    /// Tester z's revconf: P1 pays L1 2 units, 20.00; two rows of V1
    /// take back 1 unit and 10.00 and 2 units and 20.00. Which holds
    /// cannot be told, so neither is booked, each counted as rows that
    /// disagree (as payments that disagree are), none as a duplicate:
    /// L1 stays paid 2. Before, the first was booked and the second
    /// counted as a duplicate.
    #[test]
    fn reversal_rows_of_one_id_that_disagree_book_none() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 2, "20.00", ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
            ("2026-02-01", "V1", "Reimbursement_Reversal", -2, "-20.00", "P1"),
        ]);
        let books = claims_books("revconf", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(REIMBURSEMENT_CONFLICT), Some(&2));
        assert_eq!(books.counts.duplicates_ignored, 0);
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), None);
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(
            claim_numbers(&listed.open)[0],
            "2026-01-05 lost 4 found 1 paid 2 (20.00) open 1 at cost 40.00 claim"
        );
    }

    /// Tester z's satur: U1 and U2 each pay 5,000,000,000,000,000,000
    /// units with no loss (1.00 each); together they pass `i64`, so U2
    /// is refused and counted, never added as a saturated figure. V1
    /// takes U1 back whole: no payment without a loss is left (0 units,
    /// 0.00), where the saturated tally left 4,223,372,036,854,775,807.
    #[test]
    fn units_paid_without_a_loss_that_overflow_are_refused_not_saturated() {
        let big = 5_000_000_000_000_000_000;
        let reimbursements = reimbursements_file(&[
            ("2026-01-22", "U1", "CustomerReturn", big, "1.00", ""),
            ("2026-01-22", "U2", "CustomerReturn", big, "1.00", ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", -big, "-1.00", "U1"),
        ]);
        let books = claims_books("satur", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(UNITS_TOO_LARGE), Some(&1));
        assert_eq!(books.counts.booked_as.get("reimbursement naming no loss"), Some(&1));
        assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), Some(&1));
        assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
    }

    /// Tester z's zerozero: rows of amount 0 and 0 units, a payment for a
    /// loss, one for a customer return and a reversal, book nothing and
    /// are counted as such; a 0.00 payment of units still books (it
    /// pays them nothing, as `a_reversal_of_nothing_leaves_a_plain_zero`).
    #[test]
    fn rows_of_nothing_are_not_booked() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 0, "0", ""),
            ("2026-01-21", "P2", "CustomerReturn", 0, "0.00", ""),
            ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", 0, "0.00", "U1"),
        ]);
        let books = claims_books("zerozero", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(NOTHING_TO_BOOK), Some(&3));
        assert_eq!(books.counts.booked_as.get("reimbursement naming no loss"), Some(&1));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), None);
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1200, 2)));
    }

    /// Tester ab's z1: rows not used are named in line order, though
    /// payments are booked before reversals (before: line 2; line 4;
    /// line 3).
    #[test]
    fn rows_not_used_are_named_in_line_order() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 0, "0", ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", 0, "0.00", "U1"),
            ("2026-01-21", "P2", "CustomerReturn", 0, "0.00", ""),
            ("2026-01-22", "U1", "CustomerReturn", 1, "12.00", ""),
        ]);
        let books = claims_books("inorder", reimbursements);
        assert_eq!(
            books.counts.examples[NOTHING_TO_BOOK],
            [2, 3, 4].map(|n| format!("fba_reimbursements.tsv line {n}"))
        );
    }

    /// U1 pays 12.50 for a unit with no loss; V1 would take 50.00 back
    /// for it, more than it got: refused, the payment still stands.
    #[test]
    fn a_reversal_of_loose_units_takes_back_no_more_than_they_got() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-22", "U1", "CustomerReturn", 1, "12.50", ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", -1, "-50.00", "U1"),
        ]);
        let books = claims_books("revbig", reimbursements);
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1));
        assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), None);
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1250, 2)));
    }

    /// Two USD payments, and EUR rows that could not book: two dated
    /// in 2030 (future), and one repeated three times (it books once).
    /// EUR has two votes, USD two, before the repeats count once: USD
    /// wins 2 to 1 among rows that could book, and P1 and P2 are booked.
    /// Three EUR rows are counted as in another currency; E3's two
    /// repeats are repeats.
    #[test]
    fn only_rows_that_could_book_vote_on_the_currency() {
        let rows = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 2, "20.00", ""),
            ("2026-01-21", "P2", "Lost_Warehouse", 2, "20.00", ""),
            ("2030-01-01", "E1", "Lost_Warehouse", 1, "10.00", ""),
            ("2030-01-02", "E2", "Lost_Warehouse", 1, "10.00", ""),
            ("2026-01-23", "E3", "Lost_Warehouse", 1, "10.00", ""),
            ("2026-01-23", "E3", "Lost_Warehouse", 1, "10.00", ""),
            ("2026-01-23", "E3", "Lost_Warehouse", 1, "10.00", ""),
        ]);
        let lines: Vec<String> = rows
            .lines()
            .map(|l| if l.contains("\tE") { l.replace("\tUSD\t", "\tEUR\t") } else { l.to_owned() })
            .collect();
        let books = claims_books("curvote", lines.join("\n") + "\n");
        assert_eq!(books.reimbursement_currency.as_deref(), Some("USD"));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&2));
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&3));
        assert_eq!(books.counts.duplicates_ignored, 2);
    }

    /// Two USD payments, and EUR rows: E1 twice, approved on two days
    /// (the same ids, item, amount and units), and E2 read twice. E2's
    /// second reading is one row read twice, a repeat; E1's two rows
    /// are two rows (as the matching and the booking see them, rows of
    /// one id that disagree), each in another currency. Before, a row
    /// was a repeat when its ids, item, amount, units and currency were
    /// another's, so E1's second row was counted as a repeat: 2 rows in
    /// another currency and 2 repeats, now 3 and 1.
    #[test]
    fn rows_in_another_currency_differing_only_in_their_date_are_not_repeats() {
        let rows = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 2, "20.00", ""),
            ("2026-01-21", "P2", "Lost_Warehouse", 2, "20.00", ""),
            ("2026-01-22", "E1", "CustomerReturn", 1, "10.00", ""),
            ("2026-01-23", "E1", "CustomerReturn", 1, "10.00", ""),
            ("2026-01-24", "E2", "CustomerReturn", 1, "9.00", ""),
            ("2026-01-24", "E2", "CustomerReturn", 1, "9.00", ""),
        ]);
        let lines: Vec<String> = rows
            .lines()
            .map(|l| if l.contains("\tE") { l.replace("\tUSD\t", "\tEUR\t") } else { l.to_owned() })
            .collect();
        let books = claims_books("eur-days", lines.join("\n") + "\n");
        assert_eq!(books.reimbursement_currency.as_deref(), Some("USD"));
        assert_eq!(books.counts.booked_as.get("reimbursement of a loss"), Some(&2));
        assert_eq!(books.counts.rows_skipped.get(OTHER_CURRENCY), Some(&3));
        assert_eq!(
            books.counts.examples[OTHER_CURRENCY],
            [4, 5, 6].map(|n| format!("fba_reimbursements.tsv line {n}: EUR"))
        );
        assert_eq!(books.counts.duplicates_ignored, 1);
    }

    /// P1 pays L1's 4 units nothing; V1 takes them all back, nothing
    /// too: the amount left on L1 is zero, never printed as `-0.00`.
    #[test]
    fn a_reversal_of_nothing_leaves_a_plain_zero() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-20", "P1", "Lost_Warehouse", 4, "0.00", ""),
            ("2026-02-01", "V1", "Reimbursement_Reversal", -4, "0.00", "P1"),
        ]);
        let books = claims_books("revzero", reimbursements);
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
        let listed = claims_fn(&books, books.last_day(), 30);
        let open = claim_numbers(&listed.open);
        assert_eq!(open[0], "2026-01-05 lost 4 found 1 paid 0 (0.00) open 3 at cost 40.00 claim");
    }

    /// A payment for `OTHER`, a SKU no other report names, is booked
    /// (it counts among the payments without a loss) but adds no SKU to
    /// the plan: only `W` is planned, and a warning names `OTHER`.
    #[test]
    fn a_reimbursement_adds_no_sku_to_the_plan() {
        let file = reimbursements_file(&[
            ("2026-03-01", "P1", "Lost_Warehouse", 1, "10.00", ""),
            ("2026-03-02", "O1", "Lost_Warehouse", 1, "5.00", ""),
        ]);
        let file = file.replace("O1\tLost_Warehouse\tW\tX00W", "O1\tLost_Warehouse\tOTHER\tX00O");
        let mut files = claims_folder();
        files.push(("fba_reimbursements.tsv", file));
        let mut books = load_folder("otherSku", &[], &files).unwrap();
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(500, 2)));
        books.close().unwrap();
        let args = Args::parse_from(["replenish", "--amazon", "unused"]);
        let service = ServiceLevel::new(args.service_level).unwrap();
        let (recs, warnings) = plan(&args, service, &books).unwrap();
        let skus: Vec<String> = recs.iter().map(|r| r.rec.sku.to_string()).collect();
        assert_eq!(skus, ["W"]);
        assert!(
            warnings
                .iter()
                .any(|(why, sku)| why.contains("only by Reimbursements") && sku == "OTHER")
        );
    }

    /// The bundled folder's ledger (WIDGET-BLUE lost 4 on 03-04, 1
    /// found on 03-05; damaged 1 on 03-05) with `rows` (date, id,
    /// reason, units, amount, original) as its Reimbursements file.
    fn bundled_books(name: &str, rows: &[(&str, &str, &str, i64, &str, &str)]) -> Books {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
        let mut files: Vec<(&str, String)> = [
            "synthetic_ledger_detail_view.csv",
            "synthetic_ledger_summary_view.csv",
            "synthetic_fba_myi_unsuppressed_inventory.tsv",
        ]
        .into_iter()
        .map(|f| (f, std::fs::read_to_string(data.join(f)).unwrap()))
        .collect();
        let file = reimbursements_file(rows).replace("\tW\tX00W\t", "\tWIDGET-BLUE\tX00TEST001\t");
        files.push(("fba_reimbursements.tsv", file));
        load_folder(name, &[], &files).unwrap()
    }

    /// Tester z's span: on 2026-03-06 the lost row (4 units, 7.995 a
    /// unit at cost) has 3 still lost, 1 found on 03-05, and the damaged
    /// row 1. P1 pays 5 units, 50.00: the 3 still lost (30.00), the
    /// damaged unit (10.00) and 1 unit no loss takes (10.00), where
    /// matching by the 4 units written off left the lost row
    /// over-reimbursed by the found unit. Paid 4 units, 40.00 (what
    /// Amazon owes), it closes both rows; by units written off it paid
    /// the lost row 4 and left the damaged one open.
    #[test]
    fn a_payment_covers_the_units_still_lost_not_those_found() {
        let books =
            bundled_books("span", &[("2026-03-06", "P1", "Lost_Warehouse", 5, "50.00", "")]);
        let listed = claims_fn(&books, books.last_day(), 30);
        assert!(listed.open.is_empty(), "{:?}", claim_numbers(&listed.open));
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1000, 2)));
        let books =
            bundled_books("span4", &[("2026-03-06", "P1", "Lost_Warehouse", 4, "40.00", "")]);
        let listed = claims_fn(&books, books.last_day(), 30);
        assert!(listed.open.is_empty(), "{:?}", claim_numbers(&listed.open));
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
        assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
    }

    /// Tester z's spanrev: P1 as in the span case, then V1 takes 1 unit
    /// and 10.00 back: the unit no loss took (10.00) goes first, so
    /// nothing is open, nothing over-reimbursed, and no payment without a
    /// loss is left: P1's piece naming no loss was taken back whole (it
    /// was listed as "payments 1, units 0, amount 0.00"). Before, the damaged row
    /// (latest) was reopened while the lost row stayed over-reimbursed.
    #[test]
    fn a_reversal_of_the_span_case_reopens_nothing() {
        let books = bundled_books(
            "spanrev",
            &[
                ("2026-03-06", "P1", "Lost_Warehouse", 5, "50.00", ""),
                ("2026-03-06", "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
            ],
        );
        let listed = claims_fn(&books, books.last_day(), 30);
        assert!(listed.open.is_empty(), "{:?}", claim_numbers(&listed.open));
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
        assert_eq!(books.paid_without_loss, paid_without_loss(0, 0, Decimal::ZERO));
        assert_eq!(books.counts.booked_as.get(REVERSAL_WITHOUT_LOSS), Some(&1));
    }

    /// P1 (2026-01-07, 9 units, 90.00) pays L1's 4, D1's 2 and L2's 3
    /// (10.00 a unit); F1 finds 1 of L1's on 03-09, after it, so L1 is
    /// paid for 1 unit more than is still lost. V1 (03-09) takes 1 unit
    /// and 10.00 back: from L1, over-reimbursed, not from L2, the latest,
    /// so nothing of P1's is open or over-reimbursed. V2 takes 2 more
    /// units and 20.00: L1 has no excess left, so the latest first, L2,
    /// which is open for 2 again (paid 1, 10.00).
    #[test]
    fn a_reversal_takes_back_from_an_over_reimbursed_write_off_first() {
        let reimbursements = reimbursements_file(&[
            ("2026-01-07", "P1", "Lost_Warehouse", 9, "90.00", ""),
            ("2026-03-09", "V1", "Reimbursement_Reversal", -1, "-10.00", "P1"),
        ]);
        let books = claims_books("overrev", reimbursements.clone());
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(
            claim_numbers(&listed.open),
            ["2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait"]
        );
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
        let more = "2026-03-10\tV2\tReimbursement_Reversal\tW\tX00W\tUSD\t-20.00\t-2\t-2\tP1\n";
        let books = claims_books("overrev2", reimbursements + more);
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(
            claim_numbers(&listed.open),
            [
                "2026-01-07 lost 3 found 0 paid 1 (10.00) open 2 at cost 30.00 claim",
                "2026-02-20 lost 2 found 0 paid 0 (0) open 2 at cost 20.00 wait",
            ]
        );
        assert!(listed.overreimbursed.is_empty(), "{:?}", claim_numbers(&listed.overreimbursed));
    }

    /// Tester ab's per-unit case: on 2026-03-06 P1 pays the 3 units of
    /// the lost row still lost, 30.00 (10.00 a unit; 0.03 at cent
    /// scale, 0.01 a unit). V1 takes 1 unit back with 20.00 (0.02):
    /// more than that unit got, so it is refused whole and the lost row
    /// stays paid 3 (closed). Before, the check was against all 30.00
    /// on the write-off, so V1 was booked and the row showed paid 2
    /// (10.00). Taking back 10.00 (0.01), what the unit got, is booked.
    #[test]
    fn a_reversal_takes_back_no_more_than_the_units_it_names_got() {
        for (paid, back, ok) in
            [("30.00", "-20.00", false), ("0.03", "-0.02", false), ("30.00", "-10.00", true)]
        {
            let books = bundled_books(
                "perunit",
                &[
                    ("2026-03-06", "P1", "Lost_Warehouse", 3, paid, ""),
                    ("2026-03-06", "V1", "Reimbursement_Reversal", -1, back, "P1"),
                ],
            );
            let listed = claims_fn(&books, books.last_day(), 30);
            let open = claim_numbers(&listed.open);
            let case = format!("{paid} {back}: {open:?}");
            if ok {
                assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), None, "{case}");
                assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
                assert_eq!(
                    open[0], "2026-03-04 lost 4 found 1 paid 2 (20.00) open 1 at cost 31.98 wait",
                    "{case}"
                );
            } else {
                assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1), "{case}");
                assert_eq!(books.counts.booked_as.get("reimbursement reversal"), None, "{case}");
                assert!(open.iter().all(|l| !l.contains(" lost ")), "{case}");
            }
        }
    }

    /// A unit's share of a piece is rounded up to the cent: P1 pays 0.05
    /// for 2 of the 3 units still lost, so one unit may have got 0.03 (as
    /// Amazon may have split it). V1 takes that unit back with 0.03 and
    /// is booked; V2 then takes the last one back with what stands, 0.02,
    /// and the lost row is open for both again. A reversal of 0.04 for
    /// one unit is refused.
    #[test]
    fn a_units_share_is_rounded_up_to_the_cent() {
        let books = bundled_books(
            "unitup",
            &[
                ("2026-03-06", "P1", "Lost_Warehouse", 2, "0.05", ""),
                ("2026-03-07", "V1", "Reimbursement_Reversal", -1, "-0.03", "P1"),
                ("2026-03-08", "V2", "Reimbursement_Reversal", -1, "-0.02", "P1"),
            ],
        );
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&2));
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), None);
        let listed = claims_fn(&books, books.last_day(), 30);
        let open = claim_numbers(&listed.open);
        assert!(open[0].starts_with("2026-03-04 lost 4 found 1 paid 0 (0.00) open 3"), "{open:?}");
        let books = bundled_books(
            "unitup2",
            &[
                ("2026-03-06", "P1", "Lost_Warehouse", 2, "0.05", ""),
                ("2026-03-07", "V1", "Reimbursement_Reversal", -1, "-0.04", "P1"),
            ],
        );
        assert_eq!(books.counts.rows_skipped.get(REVERSAL_TOO_MUCH), Some(&1));
        // Tester ac: 10.00 for 3 units taken back as 3.34, 3.33 and 3.33
        // (booked in id order, so the 3.34 first or last): whichever
        // order, all three are booked and the row is open for all three.
        for ids in [["V1", "V2", "V3"], ["V3", "V1", "V2"]] {
            let books = bundled_books(
                "unitup3",
                &[
                    ("2026-03-06", "P1", "Lost_Warehouse", 3, "10.00", ""),
                    ("2026-03-07", ids[0], "Reimbursement_Reversal", -1, "-3.34", "P1"),
                    ("2026-03-07", ids[1], "Reimbursement_Reversal", -1, "-3.33", "P1"),
                    ("2026-03-07", ids[2], "Reimbursement_Reversal", -1, "-3.33", "P1"),
                ],
            );
            assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&3), "{ids:?}");
            let listed = claims_fn(&books, books.last_day(), 30);
            let open = claim_numbers(&listed.open);
            assert!(open[0].contains("paid 0 (0.00) open 3"), "{ids:?}: {open:?}");
        }
    }

    /// Tester ac: taking 2 of 3 units back from a payment of
    /// `Decimal::MAX` was refused as too large to split, the payment
    /// times 2 overflowing although two thirds of it is a figure.
    #[test]
    fn a_reversal_of_part_of_the_largest_payment_is_split() {
        let max = Decimal::MAX.to_string();
        let back = format!("-{}", Decimal::MAX / Decimal::from(3) * Decimal::TWO);
        let books = bundled_books(
            "maxsplit",
            &[
                ("2026-03-06", "P1", "Lost_Warehouse", 3, &max, ""),
                ("2026-03-07", "V1", "Reimbursement_Reversal", -2, &back, "P1"),
            ],
        );
        assert_eq!(books.counts.booked_as.get("reimbursement reversal"), Some(&1));
        assert_eq!(books.counts.rows_skipped.get(AMOUNT_TOO_LARGE), None);
    }

    /// Tester ab: with no price for a SKU (here no Manage FBA Inventory
    /// file and no orders) the ledger values its stock at zero, and the
    /// Claims section showed its write-offs at cost 0.00. The value is
    /// now unknown: `-` in the text, `null` in the JSON.
    #[test]
    fn a_write_off_of_a_sku_with_no_price_has_no_value_at_cost() {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
        let detail = "synthetic_ledger_detail_view.csv";
        let files = [(detail, std::fs::read_to_string(data.join(detail)).unwrap())];
        let books = load_folder("unpriced", &[], &files).unwrap();
        assert!(books.unit_costs.is_empty());
        let listed = claims_fn(&books, books.last_day(), 30);
        assert!(!listed.open.is_empty());
        assert!(listed.open.iter().all(|l| l.value_at_cost.is_none()));
        assert!(claim_numbers(&listed.open).iter().all(|l| l.contains(" at cost - ")));
        let json = serde_json::to_value(&listed.open[0]).unwrap();
        assert_eq!(json["value_at_cost"], serde_json::Value::Null);
    }

    fn claims_fn(books: &Books, last: Option<NaiveDate>, days: u32) -> Claims {
        claims(books, last, days).unwrap()
    }

    /// Without a Reimbursements file every loss is open; without a loss
    /// there is no section.
    #[test]
    fn claims_without_reimbursements_list_every_loss() {
        let books = load_folder("noclaims", &[], &claims_folder()).unwrap();
        let listed = claims_fn(&books, books.last_day(), 30);
        let open: Vec<(i64, i64)> = listed.open.iter().map(|l| (l.units, l.open)).collect();
        // L1 4 lost, 1 found: 3 open; D1 2; L2 3; L3 2.
        assert_eq!(open, [(4, 3), (2, 2), (3, 3), (2, 2)]);
        let books = load_folder("nolosses", &[], &[("ledger_detail.csv", small_detail())]).unwrap();
        assert!(claims(&books, books.last_day(), 30).is_none());
    }

    /// The airbyte sample (its header, then the header repeated as
    /// placeholder rows) is recognised as a Reimbursements report by its
    /// header; the reader skips the repeated headers, so nothing is
    /// booked and every loss stays open.
    #[test]
    fn the_airbyte_reimbursements_sample_is_recognised() {
        let sample = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/crates/amazon/tests/data/airbyte_GET_FBA_REIMBURSEMENTS_DATA.tsv"
        ))
        .unwrap();
        let mut files = claims_folder();
        files.push(("airbyte.tsv", sample));
        let dir = std::env::temp_dir().join(format!("merchantry-airbyte-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in &files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
        let (books, rows) = load(&args, &dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let airbyte = rows.iter().find(|r| r.file == "airbyte.tsv").unwrap();
        assert_eq!(airbyte.report, Some("Reimbursements"));
        assert_eq!((airbyte.rows, airbyte.row_errors, airbyte.note.as_str()), (0, 0, ""));
        assert!(!books.counts.booked_as.keys().any(|k| k.starts_with("reimbursement")));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!(listed.open.len(), 4);
        assert_eq!(
            no_rows(&listed).as_deref(),
            Some(
                "the Reimbursements report(s) read (1) had no rows, so every write-off shows as unpaid"
            )
        );
    }

    /// Amounts print rounded to the cent, two decimals always: the
    /// bundled damaged unit's 7.996 at cost is 8.00, not 7.99.
    #[test]
    fn claim_amounts_print_rounded_to_the_cent() {
        assert_eq!(cents(Decimal::new(7996, 3)), "8.00");
        assert_eq!(cents(Decimal::new(-12_505, 3)), "-12.50");
        assert_eq!(cents(Decimal::ZERO), "0.00");
        assert_eq!(cents(Decimal::new(125, 1)), "12.50");
    }

    /// Tester ab: `--json`'s Claims give the figures the text prints:
    /// amounts rounded to the cent as strings with two decimals (the
    /// lost row's 31.984 at cost is `31.98`, an unpaid row `0.00`), and
    /// the payments without a loss as named fields, not an unlabelled
    /// array.
    #[test]
    fn claims_json_gives_the_printed_figures_with_names() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
        let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
        let (books, _) = load(&args, &dir).unwrap();
        let json = serde_json::to_value(claims_fn(&books, books.last_day(), 30)).unwrap();
        let lines: Vec<(&str, &str)> = json["open"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (l["reimbursed_amount"].as_str().unwrap(), l["value_at_cost"].as_str().unwrap())
            })
            .collect();
        assert_eq!(lines, [("25.00", "31.98"), ("0.00", "8.00")]);
        assert_eq!(
            json["paid_without_loss"],
            serde_json::json!({"payments": 1, "units": 1, "amount": "12.50"})
        );
    }

    /// Tester z's hdronly: a Reimbursements file of its header alone is
    /// read, with no rows: the section says so (the line printed), and
    /// `--json` gives the same counts (1 file read, 0 rows).
    #[test]
    fn a_reimbursements_file_without_rows_is_said() {
        let books = claims_books("hdronly", reimbursements_file(&[]));
        let listed = claims_fn(&books, books.last_day(), 30);
        assert_eq!((listed.reimbursement_files_read, listed.reimbursement_rows_read), (1, 0));
        let line = no_rows(&listed).unwrap_or_default();
        assert!(line.starts_with("the Reimbursements report(s) read (1) had no rows"), "{line}");
        assert!(none_booked(&listed).is_none());
        let json = serde_json::to_value(&listed).unwrap();
        assert_eq!(json.get("reimbursement_files_read"), Some(&serde_json::json!(1)));
        assert_eq!(json.get("reimbursement_rows_read"), Some(&serde_json::json!(0)));
        let books = claims_books(
            "onerow",
            reimbursements_file(&[("2026-01-20", "P1", "Lost_Warehouse", 1, "10.00", "")]),
        );
        assert!(no_rows(&claims_fn(&books, books.last_day(), 30)).is_none());
    }

    /// The bundled folder shows the Claims section: R-SYN-0001 pays 2 of
    /// the `M` loss's 4 units (1 found again), so 1 is open, and the `E`
    /// damage is unpaid; the customer-return payment matches no loss.
    #[test]
    fn the_bundled_folder_lists_its_claims() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/amazon");
        let args = Args::parse_from(["replenish", "--amazon", &dir.to_string_lossy()]);
        let (books, rows) = load(&args, &dir).unwrap();
        let files: Vec<(&str, Option<&str>, u64)> =
            rows.iter().map(|r| (r.file.as_str(), r.report, r.rows)).collect();
        assert!(files.contains(&("synthetic_fba_reimbursements.tsv", Some("Reimbursements"), 2)));
        let claims = claims_fn(&books, books.last_day(), 30);
        let open: Vec<(&str, i64, i64, i64, i64, bool)> = claims
            .open
            .iter()
            .map(|l| (l.what, l.units, l.found, l.reimbursed, l.open, l.claimable))
            .collect();
        assert_eq!(open, [("lost", 4, 1, 2, 1, false), ("damaged", 1, 0, 0, 1, false)]);
        assert!(claims.overreimbursed.is_empty());
        assert_eq!(books.paid_without_loss, paid_without_loss(1, 1, Decimal::new(1250, 2)));
    }
}
