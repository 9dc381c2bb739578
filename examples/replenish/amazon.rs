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
//!   row downloaded twice is booked once. The rows of every detail file
//!   are booked together in date order once all files are read (rows of
//!   one day in the order read), so a download listed newest first costs
//!   no replays. Receipts are receipts,
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
//!   file is present (a starting balance below zero is named in a note,
//!   with its file, line and SKU, and books nothing), else solved from the Manage FBA Inventory snapshot
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
//!   skipped, as is a summary view, Manage FBA Inventory or FBA
//!   Reimbursements row with any quantity beyond that, each named with
//!   its line; sums of report
//!   quantities saturate rather than wrap.
//! - Dates such as `01/03/2026`: read as `--date-order` says; without
//!   it each file decides from its own dates (a day above 12 settles
//!   the order). A file whose dates fit either order follows the order
//!   another file of the folder decided (the folder holds one
//!   marketplace; the folder is read again so, and the assumptions say
//!   which file and line decided it); files that decide different orders
//!   stop the run. With no file deciding, such a file is read month
//!   first, as Amazon's US reports are, which the printed assumptions
//!   name (dates written year first, `2026/01/15`, are read year, month,
//!   day under either order). A file whose order one of its dates
//!   decided (`13/01/2026` can only be day first) is named in the
//!   assumptions with that order and that date's line, since one row
//!   settles the whole file. When a later date in a file read month
//!   first by assumption is only a date day first, the run stops, naming
//!   the file and line (rows read before it were misread, and dates are
//!   never mixed), unless another file settled the folder day first:
//!   the folder is then read so. A file
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
//!   naming the file, line and cell; so does a price below 0 or above
//!   10,000,000 (a corrupt number, which would overflow the stock's
//!   value). A quantity the reader cannot read
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
//!   on), and those paid for more units than are still lost. Each line
//!   shows the write-off's reason code; under a code whose damage was not
//!   Amazon's own (6, 7, H, K, U) it says "check code" instead of "file a
//!   claim". Reimbursements rows left out (unreadable, refused, or in
//!   another currency) are named in a caution there, since a write-off
//!   they paid shows as open. `--json`
//!   gives the section's amounts as the text prints them (rounded to
//!   the cent, strings with two decimals such as `"8.00"`) and the
//!   payments without a loss as `payments`, `units` and `amount`.
//! - An All Orders line whose item price the reader cannot read
//!   (`19,99`, `EUR 19.99`) still counts in demand with its units; its
//!   price is left out of the median order price, with a note naming
//!   the file, line, order and cell; so is a price per unit below 0 or
//!   above 10,000,000. A quantity, date or currency the reader cannot
//!   read still refuses the line.

use std::cell::RefCell;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use flate2::read::MultiGzDecoder;
use merchantry::amazon::{
    DateOrder, EventType, FulfillmentChannel, InventoryReader, InventoryRow, LedgerDetailReader,
    LedgerDetailRow, LedgerSummaryReader, LedgerSummaryRow, LossMatch, OrderLine, OrdersReader,
    ReadError, ReadOptions, ReadStats, ReasonCode, ReimbursementReader, ReimbursementRow, Sign,
    SummaryBucket, conflicting_reimbursements, match_reimbursements_net,
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

mod claims;

use claims::{Claims, PaidWithoutLoss, claims, print_claims};

const NO_REPORT: &str = "no usable Amazon report found (expected the Inventory Ledger detail or summary view, Manage FBA Inventory, All Orders or FBA Reimbursements, tab- or comma-separated, optionally .gz)";

/// `--claim-days` when not given: Amazon reconciles and pays most
/// warehouse losses on its own within weeks.
const CLAIM_DAYS: u32 = 30;

/// Examples of each kind of problem kept for the report.
const EXAMPLES_KEPT: usize = 3;

/// The most units one report row may move: past it a row is a corrupt
/// number, not stock.
pub(crate) const MAX_ROW_UNITS: i64 = 10_000_000;

/// What a detail row whose type and sign fit no other event is booked
/// as (a shipment of +2, a type this example does not know).
const UNEXPECTED_KIND: &str = "count correction (unknown type or unexpected sign)";

/// The note for a summary view row whose starting balance is below
/// zero: used as reported, but an opening below zero books nothing, so
/// the checks against that SKU's summary rows may fail.
const SUMMARY_BELOW_ZERO: &str = "summary view starting balance below zero, row used as reported (an opening below zero books nothing)";

/// The first of `quantities` (column, value) beyond [`MAX_ROW_UNITS`]
/// either way, a corrupt number.
fn beyond_row_units<'a>(
    quantities: impl IntoIterator<Item = (&'a str, Quantity)>,
) -> Option<(&'a str, Quantity)> {
    quantities.into_iter().find(|(_, q)| q.get().unsigned_abs() > MAX_ROW_UNITS.unsigned_abs())
}

/// Why a row holding a quantity beyond [`MAX_ROW_UNITS`] is not used.
const ABSURD_UNITS: &str = "quantity beyond 10,000,000 units";

/// The highest price per unit a report may give, in its own currency,
/// the same 10,000,000 as [`MAX_ROW_UNITS`]: past it a price is a
/// corrupt number, not a listing (it is above any real item's price in
/// any currency Amazon sells in). Within both caps a stock value, units
/// times price, stays far inside `Decimal`, so no booking overflows on
/// it; a price below zero is as corrupt.
const MAX_UNIT_PRICE: Decimal = Decimal::from_parts(10_000_000, 0, 0, false, 0);

/// Whether `price` is a price per unit a report could hold: between 0
/// and [`MAX_UNIT_PRICE`].
fn plausible_price(price: Decimal) -> bool {
    !price.is_sign_negative() && price <= MAX_UNIT_PRICE
}

/// The note for a Manage FBA Inventory row kept for its quantities
/// although its price is not [`plausible_price`].
const MYI_PRICE_IMPLAUSIBLE: &str = "Manage FBA Inventory price not between 0 and 10,000,000, row used for its quantities, price left out of unit cost";

/// The note for an All Orders line counted in demand although its price
/// per unit is not [`plausible_price`].
const ORDER_PRICE_IMPLAUSIBLE: &str = "All Orders price per unit not between 0 and 10,000,000, line counted in demand, price left out of the median order price";

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
    /// Files whose date order one of their own dates decided (a date
    /// that only one order can read): file, order and that date's line.
    /// A single such row settles the whole file, so it is named.
    date_order_decided: Vec<(String, DateOrder, u64)>,
    /// The order a file decided, read in every file because others could
    /// not tell ([`load`]).
    date_order_from: Option<DecidedBySibling>,
    /// Files whose assumed month-first order a later date refuted: the
    /// first read books nothing of them, and [`load`] decides what then.
    date_order_refuted: Vec<DateOrderRefuted>,
    /// Detail rows read and not yet booked, with their file: booked
    /// together, in date order, once every file is read
    /// ([`Books::book_detail_rows`]).
    detail_rows: Vec<(String, LedgerDetailRow)>,
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
    /// Reimbursements rows read but left out of the matching, each as
    /// its file and line (and what was wrong): unreadable, refused, or in
    /// another currency. What they paid is not counted.
    reimbursement_rows_left_out: Vec<String>,
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
/// Reads the folder. Without `--date-order`, each file's all-numeric
/// dates are read in the order its own first date that only one order
/// can read decides, or month first when none does. One folder is one
/// marketplace, so when files decide different orders the run stops, and
/// when one decides day first while others could not tell, the folder
/// is read again with every file day first ([`Books::date_order_from`]).
fn load(args: &Args, dir: &Path) -> Result<(Books, Vec<FileRow>), BoxError> {
    let loaded = load_as(args, dir, args.date_order.map(Into::into))?;
    if args.date_order.is_some() {
        return Ok(loaded);
    }
    let decided = &loaded.0.date_order_decided;
    let Some((file, order, line)) = decided.first().cloned() else {
        // No file settled the order from its first rows: a refuted one
        // stops the run, as that later line may be the mistake.
        let (mut books, rows) = loaded;
        if books.date_order_refuted.is_empty() {
            return Ok((books, rows));
        }
        return Err(Box::new(books.date_order_refuted.swap_remove(0)));
    };
    // A file whose assumed order a later date refuted shows day first.
    let refuted =
        loaded.0.date_order_refuted.iter().map(|r| (r.file.clone(), DateOrder::DayFirst, r.line));
    let mut shown = decided.iter().cloned().chain(refuted);
    if let Some((other, other_order, other_line)) = shown.find(|d| d.1 != order) {
        return Err(format!(
            "--amazon {}: the files disagree on the order of all-numeric dates: {file} line \
             {line} reads only {}, {other} line {other_line} only {}; a folder holds one \
             marketplace's reports, so split it or pass --date-order day-first or month-first",
            dir.display(),
            order_name(order),
            order_name(other_order),
        )
        .into());
    }
    let mut assumed = loaded.0.date_order_assumed.clone();
    assumed.extend(loaded.0.date_order_refuted.iter().map(|r| r.file.clone()));
    if assumed.is_empty() {
        return Ok(loaded);
    }
    let from = DecidedBySibling { file, order, line, files: assumed };
    if order == DateOrder::MonthFirst {
        // The files that could not tell were read month first already.
        let (mut books, rows) = loaded;
        books.date_order_decided.clear();
        books.date_order_from = Some(from);
        return Ok((books, rows));
    }
    let (mut books, rows) = load_as(args, dir, Some(order))?;
    books.date_order_from = Some(from);
    Ok((books, rows))
}

/// How a date order reads in the output: its name and its form.
fn order_words(order: DateOrder) -> (&'static str, &'static str) {
    match order {
        DateOrder::DayFirst => ("day first", "DD/MM/YYYY"),
        _ => ("month first", "MM/DD/YYYY"),
    }
}

/// A date order's name with its form: "day first (DD/MM/YYYY)".
fn order_name(order: DateOrder) -> String {
    let (name, form) = order_words(order);
    format!("{name} ({form})")
}

/// [`load`] with all-numeric dates read in `order`, when given.
fn load_as(
    args: &Args,
    dir: &Path,
    order: Option<DateOrder>,
) -> Result<(Books, Vec<FileRow>), BoxError> {
    let files = list_files(dir)?;
    let mut books = Books::new()?;
    if let Some(order) = order {
        books.read_options = ReadOptions::default().date_order(order);
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
    if !books.date_order_refuted.is_empty() {
        // [`load`] stops the run or reads the folder again.
        return Ok((books, file_rows));
    }
    if used == 0 {
        return Err(no_reports(dir, NO_REPORT, &file_rows, &books.counts).into());
    }
    books.book_detail_rows();
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
            date_order_decided: Vec::new(),
            date_order_from: None,
            date_order_refuted: Vec::new(),
            last_unreadable: Vec::new(),
            detail_rows: Vec::new(),
            losses: Vec::new(),
            reimbursements: Vec::new(),
            reimbursements_not_used: Vec::new(),
            paid_without_loss: PaidWithoutLoss::default(),
            reimbursement_currency: None,
            paid_to: None,
            reimbursement_files_read: 0,
            reimbursement_files_rejected: Vec::new(),
            reimbursement_rows_read: 0,
            reimbursement_rows_left_out: Vec::new(),
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
                    let text = why.to_string();
                    *self.counts.rows_skipped.entry(text.clone()).or_insert(0) += n;
                    let first = stats.first_skipped_at.get(why);
                    self.counts.example(&text, first.map(|line| format!("{name} line {line}")));
                }
                self.counts.rows_read += stats.records;
                if matches!(report, Report::Reimbursements) {
                    self.reimbursement_files_read += 1;
                }
            }
            Err(e) if e.is::<DateOrderRefuted>() => {
                // Nothing of the file is booked; [`load`] stops the run or,
                // when another file settled the order, reads the folder
                // again in it.
                if let Ok(refuted) = e.downcast::<DateOrderRefuted>() {
                    self.date_order_refuted.push(*refuted);
                }
            }
            Err(e) => {
                // The reader's own message names its library option; a
                // command-line user needs the flag.
                row.note = match e.downcast_ref::<ReadError>() {
                    Some(ReadError::MixedDateOrder {
                        report,
                        day_first_line,
                        month_first_line,
                    }) => {
                        format!(
                            "rejected: {report}: dates are day first on line {day_first_line} \
                             and month first on line {month_first_line}; pass --date-order \
                             day-first or month-first"
                        )
                    }
                    _ => format!("rejected: {e}"),
                };
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
        if let Some((order, line)) = stats.date_order_decided {
            self.date_order_decided.push((self.file.clone(), order, line));
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
        let Some((column, q)) = beyond_row_units(quantities.iter().copied()) else {
            return false;
        };
        let example = format!("{} line {line}: {column} {q}", self.file);
        self.counts.skip(ABSURD_UNITS, Some(example));
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
            if row.starting_balance.is_negative() {
                // No warehouse holds fewer than no units: said here,
                // where the row is, not only by the checks it fails.
                let example = format!(
                    "{} line {}: {} {} starting balance {}",
                    books.file, row.line, row.msku, row.disposition, row.starting_balance
                );
                books.counts.warn(SUMMARY_BELOW_ZERO, example);
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
            let mut row = myi_counted(row);
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
            if let Some(price) = row.price.filter(|p| !plausible_price(*p)) {
                // A corrupt number in the price cell: refused there, as
                // an unreadable price is, before it can value stock.
                books.counts.warn(MYI_PRICE_IMPLAUSIBLE, format!("{at}: your-price {price}"));
                row.price = None;
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
                let mut unit_price =
                    line.item_price.map(|price| price / Decimal::from(line.quantity.get()));
                if let Some(price) = unit_price.filter(|p| !plausible_price(*p)) {
                    let example = format!(
                        "{at}: order {} item-price {} for {} unit(s), {price} a unit",
                        line.order_id,
                        line.item_price.unwrap_or_default(),
                        line.quantity
                    );
                    books.counts.warn(ORDER_PRICE_IMPLAUSIBLE, example);
                    unit_price = None;
                }
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

    /// Reads a detail view; its rows are booked with every other detail
    /// file's by [`Books::book_detail_rows`].
    fn read_detail(&mut self, input: Box<dyn Read>) -> Result<ReadStats, BoxError> {
        let mut reader = LedgerDetailReader::with_options(input, self.read_options)?;
        self.drain(&mut reader, LedgerDetailReader::stats, |books, row| {
            books.detail_rows.push((books.file.clone(), row));
            Ok(())
        })
    }

    /// Books the rows of every detail file read, in date order: a
    /// download listed newest first, or files read newest first, would
    /// otherwise make each row a backdated event before every row booked
    /// so far, a replay that grows with the square of the rows. The sort
    /// is stable, so the rows of one day keep the order of the files and
    /// of the lines in them, which orders events of one timestamp as
    /// they were read.
    fn book_detail_rows(&mut self) {
        let mut rows = std::mem::take(&mut self.detail_rows);
        rows.sort_by_key(|(_, row)| row.date);
        for (file, row) in &rows {
            if self.file != *file {
                self.file.clone_from(file);
            }
            self.book_detail(row);
        }
    }

    fn book_detail(&mut self, row: &LedgerDetailRow) {
        if row.quantity.is_zero() {
            self.counts.skip("zero quantity", Some(format!("{} line {}", self.file, row.line)));
            return;
        }
        let Ok(id) = row.key().event_id() else {
            self.counts.skip("no stable key", Some(format!("{} line {}", self.file, row.line)));
            return;
        };
        if row.quantity.get().unsigned_abs() > MAX_ROW_UNITS.unsigned_abs() {
            let example = format!("{} line {}: {}", self.file, row.line, row.quantity);
            self.counts.skip(ABSURD_UNITS, Some(example));
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
                if label == UNEXPECTED_KIND {
                    // Counted with the bookings, named as the warnings
                    // are: the type and sign that did not fit.
                    let example = format!(
                        "{} line {}: {} {}",
                        self.file, row.line, row.event_type, row.quantity
                    );
                    self.counts.example(label, Some(example));
                }
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
        let stats = self.drain(&mut reader, ReimbursementReader::stats, |books, row| {
            books.reimbursements.push((books.file.clone(), row));
            Ok(())
        })?;
        let unreadable = self.last_unreadable.iter().map(|(_, _, text)| text.clone());
        self.reimbursement_rows_left_out.extend(unreadable);
        Ok(stats)
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
            (kind, UNEXPECTED_KIND)
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
        (None, _) if books.date_order_from.is_some() => {
            books.date_order_from.as_ref().map(DecidedBySibling::describe)
        }
        (None, []) => None,
        (None, files) => Some(format!(
            "dates: ASSUMED month first (MM/DD/YYYY) in {}: no date there has a day above 12, so \
             the files cannot tell; reports from a day-first marketplace (UK, Europe) need \
             --date-order day-first (dates written year first, 2026/01/15, are read so under \
             either order)",
            files.join(", ")
        )),
    };
    // Empty under `--date-order`: the readers then decide nothing.
    let decided = decided_dates(&books.date_order_decided);
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
    lines.extend(decided);
    lines.extend(dates);
    lines.extend(pooled(args, books));
    lines
}

/// The assumption line naming each file whose date order one of its
/// own dates decided, and that date's line: one date that only one
/// order can read (13/01/2026) settles a whole file, so the run says
/// which. `None` when no file decided.
/// A date order one file decided, in which the whole folder was read
/// because other files could not tell.
#[derive(Debug, Clone, PartialEq, Eq)]
struct DecidedBySibling {
    /// The file whose date decided it.
    file: String,
    order: DateOrder,
    /// That date's line.
    line: u64,
    /// The files that could not tell.
    files: Vec<String>,
}

impl DecidedBySibling {
    fn describe(&self) -> String {
        format!(
            "dates: all-numeric dates read {} in every file: {} line {} reads only so, and a \
             folder holds one marketplace's reports, so {}, whose first rows could not tell, \
             were read so too (a later date there that reads only the other way is an \
             unreadable row; --date-order sets the order instead)",
            order_name(self.order),
            self.file,
            self.line,
            self.files.join(", ")
        )
    }
}

fn decided_dates(files: &[(String, DateOrder, u64)]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let each: Vec<String> = files
        .iter()
        .map(|(file, order, line)| {
            let (name, form) = order_words(*order);
            format!(
                "{name} ({form}) in {file}, decided by line {line}, whose date reads only {name}"
            )
        })
        .collect();
    Some(format!(
        "dates: all-numeric dates read {}: the first date that only one order can read \
         decides a whole file (--date-order sets the order instead)",
        each.join("; ")
    ))
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
            1 => " (1 of them a Manage FBA Inventory row naming no SKU)".to_owned(),
            n => format!(" ({n} of them Manage FBA Inventory rows naming no SKU)"),
        };
        // Only what happened is counted: no "0 unreadable rows".
        let mut what = Vec::new();
        if row_errors > 0 {
            what.push(format!(
                "{}{of_them}",
                counted(row_errors, "unreadable row", "unreadable rows")
            ));
        }
        if rejected > 0 {
            what.push(counted(
                rejected,
                "rejected Manage FBA Inventory file",
                "rejected Manage FBA Inventory files",
            ));
        }
        if refused > 0 {
            what.push(counted(
                refused,
                "refused Manage FBA Inventory row",
                "refused Manage FBA Inventory rows",
            ));
        }
        if doubt > 0 {
            what.push(counted(
                doubt,
                "Manage FBA Inventory row whose total disagrees",
                "Manage FBA Inventory rows whose totals disagree",
            ));
        }
        if failed > 0 {
            what.push(counted(failed as u64, "failed check", "failed checks"));
        }
        let last = what.pop().unwrap_or_default();
        let what = if what.is_empty() { last } else { format!("{} and {last}", what.join(", ")) };
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
            "{what} above: the ledger may not match the reports, so these figures may not \
             either{stock}."
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

/// `n` and `one` or `many`, as `n` is one or not: "1 failed check",
/// "2 failed checks".
fn counted(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
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
    let examples = |why: &String| {
        c.examples.get(why).map(|e| format!(" (e.g. {})", e.join("; "))).unwrap_or_default()
    };
    for (what, n) in &c.booked_as {
        println!("  booked as {what}: {n}{}", examples(what));
    }
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

#[cfg(test)]
mod tests;
