//! The FBA Inventory Ledger report: the detail view (one row per
//! movement) and the summary view (balances and movement totals per
//! period and disposition).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate};
use merchantry_core::{
    Asin, CoreError, Disposition, EventId, Fnsku, LocationId, Quantity, Sku, StockRecord,
};

use crate::codes::{AmazonDisposition, EventType, ReasonCode, SummaryBucket};
use crate::error::{ReadError, SkipReason};
use crate::table::{Built, Column, Row, opt, reader, req};

const DETAIL: &str = "ledger detail view";
const SUMMARY: &str = "ledger summary view";

/// One movement from the Inventory Ledger detail view
/// (`GET_LEDGER_DETAIL_VIEW_DATA`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LedgerDetailRow {
    /// The day of the event.
    pub date: NaiveDate,
    /// Amazon's label id.
    pub fnsku: Fnsku,
    /// The listing, when given.
    pub asin: Option<Asin>,
    /// The seller's SKU (`MSKU`).
    pub msku: Sku,
    /// The product title; empty when absent. See
    /// [`LedgerDetailRow::title_lossy`].
    pub title: String,
    /// Whether `title` had invalid UTF-8 replaced by U+FFFD (allowed by
    /// [`ReadOptions::lossy_text`](crate::ReadOptions::lossy_text)): the
    /// title is for display only, never an identifier.
    pub title_lossy: bool,
    /// What happened.
    pub event_type: EventType,
    /// Shipment id, order id, removal id or adjustment transaction id.
    pub reference_id: Option<String>,
    /// Units, signed as reported: positive in, negative out.
    pub quantity: Quantity,
    /// The fulfillment center code (`ABE2`).
    pub fulfillment_center: LocationId,
    /// The condition the units moved in or out of.
    pub disposition: AmazonDisposition,
    /// The adjustment reason; `None` when the cell is blank (every
    /// non-adjustment row).
    pub reason: Option<ReasonCode>,
    /// The marketplace country code, when given.
    pub country: Option<String>,
    /// For lost or damaged units: how many have since been reconciled
    /// (found, or reimbursed). Blank cells are `None`.
    pub reconciled_quantity: Option<Quantity>,
    /// For lost or damaged units: how many are still open.
    pub unreconciled_quantity: Option<Quantity>,
    /// The store, in newer downloads that carry it.
    pub store: Option<String>,
    /// The line of the row in the file, for messages.
    pub line: u64,
}

/// What identifies a detail row across downloads, for idempotent
/// re-import.
///
/// The key is every column that describes *what happened*: date, FNSKU,
/// MSKU, event type, reference id, fulfillment center, disposition,
/// reason, quantity and country. It leaves out what Amazon revises after
/// the fact, the reconciled and unreconciled quantities (an `M` row
/// first reads reconciled 0 / unreconciled 4, later 4 / 0) and the
/// title, and what only says where the row sat in one file (the line).
/// So a row downloaded twice, in two overlapping periods, has one key: a
/// consumer keyed on it updates the reconciliation counts instead of
/// booking the movement twice.
///
/// Two rows that agree on every key column are indistinguishable; the
/// detail view consolidates movements per reference id, day, center and
/// disposition, so that should not occur in a real download. A consumer
/// that must tell such twins apart can number them in file order;
/// [`match_reimbursements`](crate::match_reimbursements) does not, and
/// counts them as one loss.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RowKey {
    /// The day.
    pub date: NaiveDate,
    /// The FNSKU.
    pub fnsku: Fnsku,
    /// The seller SKU.
    pub msku: Sku,
    /// The event type.
    pub event_type: EventType,
    /// The reference id, empty when absent.
    pub reference_id: String,
    /// The fulfillment center.
    pub fulfillment_center: LocationId,
    /// The disposition.
    pub disposition: AmazonDisposition,
    /// The reason code, empty when absent.
    pub reason: String,
    /// The signed quantity.
    pub quantity: Quantity,
    /// The country, empty when absent.
    pub country: String,
}

impl RowKey {
    /// The key as a stable [`EventId`]: `amzl-` and 32 hex digits of the
    /// 128-bit FNV-1a hash of the key's columns joined by the unit
    /// separator (U+001F). The hash is spelled out here, not taken from
    /// the standard library, so ids stay the same across Rust releases
    /// and platforms.
    ///
    /// # Errors
    ///
    /// None in practice (the id is 37 ASCII bytes); the `Result` carries
    /// the core constructor's.
    pub fn event_id(&self) -> Result<EventId, CoreError> {
        let mut text = String::with_capacity(128);
        let _ = write!(
            text,
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            self.date,
            self.fnsku,
            self.msku,
            self.event_type,
            self.reference_id,
            self.fulfillment_center,
            self.disposition,
            self.reason,
            self.quantity,
            self.country
        );
        EventId::new(format!("amzl-{:032x}", fnv1a_128(text.as_bytes())))
    }
}

/// 128-bit FNV-1a: stable, dependency-free, and with a collision chance
/// near 2^-100 for a billion rows.
fn fnv1a_128(bytes: &[u8]) -> u128 {
    const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
    bytes.iter().fold(OFFSET, |hash, &b| (hash ^ u128::from(b)).wrapping_mul(PRIME))
}

impl LedgerDetailRow {
    /// The row's identity across downloads; see [`RowKey`].
    #[must_use]
    pub fn key(&self) -> RowKey {
        RowKey {
            date: self.date,
            fnsku: self.fnsku.clone(),
            msku: self.msku.clone(),
            event_type: self.event_type.clone(),
            reference_id: self.reference_id.clone().unwrap_or_default(),
            fulfillment_center: self.fulfillment_center.clone(),
            disposition: self.disposition.clone(),
            reason: self.reason.as_ref().map(|r| r.code().to_owned()).unwrap_or_default(),
            quantity: self.quantity,
            country: self.country.clone().unwrap_or_default(),
        }
    }

    /// The summary view column this movement rolls up into: by event
    /// type, and for adjustments by reason code (a blank or unknown
    /// reason is an unknown event).
    #[must_use]
    pub fn summary_bucket(&self) -> SummaryBucket {
        match (&self.event_type, &self.reason) {
            (EventType::Receipts, _) => SummaryBucket::Receipts,
            (EventType::Shipments, _) => SummaryBucket::CustomerShipments,
            (EventType::CustomerReturns, _) => SummaryBucket::CustomerReturns,
            (EventType::VendorReturns, _) => SummaryBucket::VendorReturns,
            (EventType::WhseTransfers, _) => SummaryBucket::WarehouseTransfers,
            (EventType::Adjustments, Some(reason)) => reason.bucket(),
            _ => SummaryBucket::UnknownEvents,
        }
    }
}

const DETAIL_COLUMNS: &[Column] = &[
    req("Date", &["date"]).dated(),
    req("FNSKU", &["fnsku"]),
    opt("ASIN", &["asin"]),
    req("MSKU", &["msku", "sku", "merchantsku", "sellersku"]).sku_column(),
    opt("Title", &["title", "productname"]),
    req("Event Type", &["eventtype"]),
    opt("Reference ID", &["referenceid"]),
    req("Quantity", &["quantity"]),
    req("Fulfillment Center", &["fulfillmentcenter", "fulfillmentcenterid", "fc"]),
    req("Disposition", &["disposition"]),
    opt("Reason", &["reason", "reasoncode"]),
    opt("Country", &["country"]),
    opt("Reconciled Quantity", &["reconciledquantity"]),
    opt("Unreconciled Quantity", &["unreconciledquantity"]),
    opt("Store", &["store"]),
];

fn build_detail(row: &Row<'_>) -> Result<Built<LedgerDetailRow>, ReadError> {
    let Some(date) = row.date(0)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(0))));
    };
    let (title, title_lossy) = row.lossy(4)?;
    Ok(Built::Row(LedgerDetailRow {
        date,
        fnsku: row.value(1)?,
        asin: row.opt_value(2)?,
        msku: row.value(3)?,
        title,
        title_lossy,
        event_type: EventType::parse(row.required(5)?),
        reference_id: row.owned(6)?,
        quantity: row.quantity(7)?,
        fulfillment_center: row.value(8)?,
        disposition: AmazonDisposition::parse(row.required(9)?),
        reason: row.text(10)?.map(ReasonCode::parse),
        country: row.owned(11)?,
        reconciled_quantity: row.opt_quantity(12)?,
        unreconciled_quantity: row.opt_quantity(13)?,
        store: row.owned(14)?,
        line: row.line,
    }))
}

reader!(
    /// Streams [`LedgerDetailRow`]s from an Inventory Ledger detail view
    /// download, tab- or comma-separated.
    ///
    /// Required columns: `Date`, `FNSKU`, `MSKU`, `Event Type`, `Quantity`,
    /// `Fulfillment Center`, `Disposition`. Optional: `ASIN`, `Title`,
    /// `Reference ID`, `Reason`, `Country`, `Reconciled Quantity`,
    /// `Unreconciled Quantity`, `Store`; any other column (such as `Date
    /// and Time`) is ignored. Header names match ignoring case, spaces and
    /// punctuation.
    ///
    /// Row rules: a `Date` with no digits (`Date Not Captured`) skips the
    /// row under [`SkipReason::DateNotCaptured`]; an unparseable date,
    /// quantity or id, or a blank required cell, is a row error. Unknown
    /// event types, dispositions and reason codes are kept by name, not
    /// refused.
    ///
    /// ```
    /// use merchantry_amazon::{EventType, LedgerDetailReader};
    /// let file = "Date\tFNSKU\tMSKU\tEvent Type\tQuantity\tFulfillment Center\tDisposition\n\
    ///             03/01/2026\tX00TEST001\tWIDGET\tReceipts\t48\tABE2\tSELLABLE\n";
    /// let mut rows = LedgerDetailReader::new(file.as_bytes())?;
    /// let row = rows.next().unwrap()?;
    /// assert_eq!(row.event_type, EventType::Receipts);
    /// assert_eq!(row.quantity.get(), 48);
    /// assert!(rows.next().is_none());
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    LedgerDetailReader,
    LedgerDetailRow,
    DETAIL,
    DETAIL_COLUMNS,
    build_detail
);

/// One row of the Inventory Ledger summary view
/// (`GET_LEDGER_SUMMARY_VIEW_DATA`): a period's opening balance, movement
/// totals and closing balance for one FNSKU and disposition.
///
/// The two balances are required: a blank one refuses the row
/// ([`ReadError::MissingValue`]). Every other quantity, the eleven
/// movement columns and the in-transit information, is `None` when its
/// cell is blank or its column absent from the header, and `Some` when
/// the cell holds a number, `0` included. Amazon writes `0` for a
/// column without movement, so a blank is no figure, not a zero: the
/// checks built on the movements do not count it as one.
/// [`LedgerSummaryRow::is_balanced`] and
/// [`LedgerSummaryRow::net_movements`] answer `None` for a row with a
/// blank movement cell, [`LedgerSummaryRow::blank_movements`] names
/// those cells, and [`LedgerRollup::mismatches`] lists a blank cell
/// whose detail rows moved units.
///
/// ```
/// use merchantry_amazon::{LedgerSummaryReader, SummaryBucket};
/// use merchantry_core::Quantity;
/// let file = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Receipts,Lost,\
///             Ending Warehouse Balance\n\
///             03/2026,X1,W,SELLABLE,10,0,-2,8\n\
///             03/2026,X2,V,SELLABLE,10,,-2,8\n";
/// let rows: Vec<_> = LedgerSummaryReader::new(file.as_bytes())?.collect::<Result<_, _>>()?;
/// assert_eq!(rows[0].receipts, Some(Quantity::ZERO)); // a written 0
/// assert_eq!(rows[1].receipts, None); // a blank cell
/// // The header has no other movement column: no row can be shown
/// // balanced, whatever its figures.
/// assert_eq!(rows[0].is_balanced(), None);
/// assert_eq!(rows[1].blank_movements()[0], SummaryBucket::Receipts);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LedgerSummaryRow {
    /// The first day of the period.
    pub period_start: NaiveDate,
    /// Whether the row covers a month (`Date` written `MM/YYYY`) rather
    /// than a day.
    pub monthly: bool,
    /// Amazon's label id.
    pub fnsku: Fnsku,
    /// The listing, when given.
    pub asin: Option<Asin>,
    /// The seller's SKU.
    pub msku: Sku,
    /// The title; empty when absent. See [`LedgerSummaryRow::title_lossy`].
    pub title: String,
    /// Whether `title` had invalid UTF-8 replaced by U+FFFD (allowed by
    /// [`ReadOptions::lossy_text`](crate::ReadOptions::lossy_text)): the
    /// title is for display only, never an identifier.
    pub title_lossy: bool,
    /// The condition.
    pub disposition: AmazonDisposition,
    /// Units at the start of the period (required).
    pub starting_balance: Quantity,
    /// Units moving between fulfillment centers (information: not part
    /// of the balance identity); `None` when blank or absent.
    pub in_transit_between_warehouses: Option<Quantity>,
    /// Receipts. This and every movement column below is `None` when
    /// its cell is blank or its column absent: see [`LedgerSummaryRow`].
    pub receipts: Option<Quantity>,
    /// Customer shipments (negative).
    pub customer_shipments: Option<Quantity>,
    /// Customer returns.
    pub customer_returns: Option<Quantity>,
    /// Vendor returns, that is removals (negative).
    pub vendor_returns: Option<Quantity>,
    /// Net warehouse transfers.
    pub warehouse_transfers: Option<Quantity>,
    /// Found.
    pub found: Option<Quantity>,
    /// Lost (negative).
    pub lost: Option<Quantity>,
    /// Damaged, net of the disposition moves.
    pub damaged: Option<Quantity>,
    /// Disposed (negative).
    pub disposed: Option<Quantity>,
    /// Other events.
    pub other_events: Option<Quantity>,
    /// Units at the end of the period (required).
    pub ending_balance: Quantity,
    /// Unknown events.
    pub unknown_events: Option<Quantity>,
    /// The country or location column, when given.
    pub location: Option<String>,
    /// The line of the row in the file.
    pub line: u64,
}

impl LedgerSummaryRow {
    /// The last day of the period.
    #[must_use]
    pub fn period_end(&self) -> NaiveDate {
        if !self.monthly {
            return self.period_start;
        }
        let (y, m) = (self.period_start.year(), self.period_start.month());
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y.saturating_add(1), 1, 1)
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)
        };
        next.and_then(|d| d.pred_opt()).unwrap_or(self.period_start)
    }

    /// The movement total of one summary column; `None` when its cell
    /// is blank or its column absent.
    #[must_use]
    pub const fn bucket(&self, bucket: SummaryBucket) -> Option<Quantity> {
        match bucket {
            SummaryBucket::Receipts => self.receipts,
            SummaryBucket::CustomerShipments => self.customer_shipments,
            SummaryBucket::CustomerReturns => self.customer_returns,
            SummaryBucket::VendorReturns => self.vendor_returns,
            SummaryBucket::WarehouseTransfers => self.warehouse_transfers,
            SummaryBucket::Found => self.found,
            SummaryBucket::Lost => self.lost,
            SummaryBucket::Damaged => self.damaged,
            SummaryBucket::Disposed => self.disposed,
            SummaryBucket::OtherEvents => self.other_events,
            SummaryBucket::UnknownEvents => self.unknown_events,
        }
    }

    /// The movement columns whose cell is blank or whose column the
    /// header lacks, in column order; empty when every movement is
    /// given.
    #[must_use]
    pub fn blank_movements(&self) -> Vec<SummaryBucket> {
        SummaryBucket::ALL.into_iter().filter(|&b| self.bucket(b).is_none()).collect()
    }

    /// The sum of every movement column (all but the balances and the
    /// in-transit information), or `None` when one of them is blank or
    /// absent ([`LedgerSummaryRow::blank_movements`]): a blank is no
    /// figure, and a sum that counted it as zero would be a guess.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when every movement is given and
    /// their sum leaves 64 bits.
    pub fn net_movements(&self) -> Result<Option<Quantity>, CoreError> {
        let given: Option<Vec<Quantity>> =
            SummaryBucket::ALL.iter().map(|&b| self.bucket(b)).collect();
        given.map(Quantity::checked_sum).transpose()
    }

    /// Whether `starting + movements == ending`, the identity every
    /// summary row should satisfy: `Some(true)` when it holds,
    /// `Some(false)` when it fails or its sum leaves 64 bits, and `None`
    /// when a movement cell is blank or absent
    /// ([`LedgerSummaryRow::blank_movements`]). Any figure in a blank
    /// cell would fit, so such a row can be neither confirmed nor
    /// refuted; it is never taken as balanced on a guess of zero.
    ///
    /// ```
    /// use merchantry_amazon::LedgerSummaryReader;
    /// let head = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Receipts,\
    ///             Customer Shipments,Customer Returns,Vendor Returns,\
    ///             Warehouse Transfer In/Out,Found,Lost,Damaged,Disposed,Other Events,\
    ///             Ending Warehouse Balance,Unknown Events\n";
    /// let file = format!(
    ///     "{head}03/2026,X1,W,SELLABLE,10,5,-3,0,0,0,0,0,0,0,0,12,0\n\
    ///      03/2026,X2,V,SELLABLE,10,5,-3,0,0,0,0,0,0,0,0,13,0\n\
    ///      03/2026,X3,U,SELLABLE,10,5,,0,0,0,0,0,0,0,0,15,0\n"
    /// );
    /// let rows: Vec<_> = LedgerSummaryReader::new(file.as_bytes())?.collect::<Result<_, _>>()?;
    /// assert_eq!(rows[0].is_balanced(), Some(true)); // 10 + 5 - 3 = 12
    /// assert_eq!(rows[1].is_balanced(), Some(false)); // 12, not 13
    /// assert_eq!(rows[2].is_balanced(), None); // shipments blank
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn is_balanced(&self) -> Option<bool> {
        match self.net_movements() {
            Ok(Some(moved)) => Some(
                self.starting_balance
                    .checked_add(moved)
                    .is_ok_and(|end| end == self.ending_balance),
            ),
            Ok(None) => None,
            Err(_) => Some(false),
        }
    }
}

/// The closing balances of summary rows as a reconciliation snapshot:
/// core [`StockRecord`]s at `location`, one per SKU, core disposition and
/// period end.
///
/// Several Amazon dispositions map to [`Disposition::Unsellable`]
/// (customer-damaged, warehouse-damaged, ...), and a `StockRecord` is a
/// balance, not a movement, so their balances are summed here before
/// they become one record. Output is sorted by SKU, day, disposition.
///
/// # Errors
///
/// [`CoreError::QuantityOverflow`] when a sum leaves 64 bits.
///
/// [`Disposition::Unsellable`]: merchantry_core::Disposition::Unsellable
pub fn summary_snapshot(
    rows: &[LedgerSummaryRow],
    location: &LocationId,
) -> Result<Vec<StockRecord>, CoreError> {
    let mut sums: BTreeMap<(Sku, NaiveDate, Disposition), Quantity> = BTreeMap::new();
    for row in rows {
        let key = (row.msku.clone(), row.period_end(), row.disposition.to_core());
        let slot = sums.entry(key).or_insert(Quantity::ZERO);
        *slot = slot.checked_add(row.ending_balance)?;
    }
    Ok(sums
        .into_iter()
        .map(|((sku, as_of, disposition), quantity)| StockRecord {
            as_of,
            sku,
            location: location.clone(),
            disposition,
            quantity,
        })
        .collect())
}

impl SummaryBucket {
    /// Every movement column, in the summary view's order.
    pub const ALL: [Self; 11] = [
        Self::Receipts,
        Self::CustomerShipments,
        Self::CustomerReturns,
        Self::VendorReturns,
        Self::WarehouseTransfers,
        Self::Found,
        Self::Lost,
        Self::Damaged,
        Self::Disposed,
        Self::OtherEvents,
        Self::UnknownEvents,
    ];
}

const SUMMARY_COLUMNS: &[Column] = &[
    req("Date", &["date"]).dated(),
    req("FNSKU", &["fnsku"]),
    opt("ASIN", &["asin"]),
    req("MSKU", &["msku", "sku", "merchantsku", "sellersku"]).sku_column(),
    opt("Title", &["title", "productname"]),
    req("Disposition", &["disposition"]),
    req("Starting Warehouse Balance", &["startingwarehousebalance"]),
    opt("In Transit Between Warehouses", &["intransitbetweenwarehouses"]),
    opt("Receipts", &["receipts"]),
    opt("Customer Shipments", &["customershipments"]),
    opt("Customer Returns", &["customerreturns"]),
    opt("Vendor Returns", &["vendorreturns"]),
    opt("Warehouse Transfer In/Out", &["warehousetransferinout", "warehousetransfers"]),
    opt("Found", &["found"]),
    opt("Lost", &["lost"]),
    opt("Damaged", &["damaged"]),
    opt("Disposed", &["disposed"]),
    opt("Other Events", &["otherevents"]),
    req("Ending Warehouse Balance", &["endingwarehousebalance"]),
    opt("Unknown Events", &["unknownevents"]),
    opt("Location", &["location", "country"]),
];

fn build_summary(row: &Row<'_>) -> Result<Built<LedgerSummaryRow>, ReadError> {
    let Some(period_start) = row.date(0)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(0))));
    };
    let monthly = row.bytes(0).is_some_and(|b| b.iter().filter(|&&c| c == b'/').count() == 1);
    let (title, title_lossy) = row.lossy(4)?;
    Ok(Built::Row(LedgerSummaryRow {
        period_start,
        monthly,
        fnsku: row.value(1)?,
        asin: row.opt_value(2)?,
        msku: row.value(3)?,
        title,
        title_lossy,
        disposition: AmazonDisposition::parse(row.required(5)?),
        starting_balance: row.quantity(6)?,
        in_transit_between_warehouses: row.opt_quantity(7)?,
        receipts: row.opt_quantity(8)?,
        customer_shipments: row.opt_quantity(9)?,
        customer_returns: row.opt_quantity(10)?,
        vendor_returns: row.opt_quantity(11)?,
        warehouse_transfers: row.opt_quantity(12)?,
        found: row.opt_quantity(13)?,
        lost: row.opt_quantity(14)?,
        damaged: row.opt_quantity(15)?,
        disposed: row.opt_quantity(16)?,
        other_events: row.opt_quantity(17)?,
        ending_balance: row.quantity(18)?,
        unknown_events: row.opt_quantity(19)?,
        location: row.owned(20)?,
        line: row.line,
    }))
}

reader!(
    /// Streams [`LedgerSummaryRow`]s from an Inventory Ledger summary
    /// view download.
    ///
    /// Required columns: `Date`, `FNSKU`, `MSKU`, `Disposition`, `Starting
    /// Warehouse Balance`, `Ending Warehouse Balance`, whose cells must
    /// be given. The movement columns and `In Transit Between
    /// Warehouses` are optional, and read as `None`, never as zero, when
    /// absent or blank (see [`LedgerSummaryRow`]). A `Date` of the
    /// form `MM/YYYY` marks a monthly row. Placeholder dates skip the row
    /// as in [`LedgerDetailReader`].
    ///
    /// # Errors
    ///
    /// As [`LedgerDetailReader`].
    LedgerSummaryReader,
    LedgerSummaryRow,
    SUMMARY,
    SUMMARY_COLUMNS,
    build_summary
);

/// Rolls detail rows up into summary view columns, to reconcile a detail
/// download against a summary download of the same period.
///
/// Totals are kept per FNSKU, disposition and [`SummaryBucket`]; memory
/// grows with the number of distinct FNSKU and disposition pairs, not
/// with the rows.
///
/// ```
/// use merchantry_amazon::{LedgerDetailReader, LedgerRollup, SummaryBucket};
/// let file = "Date,FNSKU,MSKU,Event Type,Quantity,Fulfillment Center,Disposition,Reason\n\
///             03/04/2026,X001,W,Adjustments,-4,ABE2,SELLABLE,M\n\
///             03/05/2026,X001,W,Adjustments,1,PHX6,SELLABLE,F\n";
/// let mut rollup = LedgerRollup::default();
/// for row in LedgerDetailReader::new(file.as_bytes())? {
///     rollup.add(&row?)?;
/// }
/// let fnsku = "X001".parse()?;
/// let sellable = merchantry_amazon::AmazonDisposition::Sellable;
/// assert_eq!(rollup.total(&fnsku, &sellable, SummaryBucket::Lost).get(), -4);
/// assert_eq!(rollup.total(&fnsku, &sellable, SummaryBucket::Found).get(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerRollup {
    totals: BTreeMap<(Fnsku, AmazonDisposition, SummaryBucket), Quantity>,
}

/// A summary column where the detail rows and the summary row disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RollupMismatch {
    /// The column.
    pub bucket: SummaryBucket,
    /// The sum of the detail rows.
    pub detail: Quantity,
    /// The summary row's value; `None` when its cell is blank or its
    /// column absent while the detail rows moved units.
    pub summary: Option<Quantity>,
}

impl LedgerRollup {
    /// Adds one detail row to its bucket.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the bucket's total leaves 64
    /// bits; the rollup is then unchanged.
    pub fn add(&mut self, row: &LedgerDetailRow) -> Result<(), CoreError> {
        let key = (row.fnsku.clone(), row.disposition.clone(), row.summary_bucket());
        let slot = self.totals.entry(key).or_insert(Quantity::ZERO);
        *slot = slot.checked_add(row.quantity)?;
        Ok(())
    }

    /// The total of one bucket (zero when nothing was added to it).
    #[must_use]
    pub fn total(
        &self,
        fnsku: &Fnsku,
        disposition: &AmazonDisposition,
        bucket: SummaryBucket,
    ) -> Quantity {
        self.totals
            .get(&(fnsku.clone(), disposition.clone(), bucket))
            .copied()
            .unwrap_or(Quantity::ZERO)
    }

    /// Every column where the detail total differs from `summary`, in
    /// column order; empty when they reconcile.
    ///
    /// A blank (or absent) summary cell is no figure: it is listed, with
    /// `summary` `None`, when the detail total is not zero, since the
    /// summary then does not account for units the detail rows moved.
    /// Against a detail total of zero it is not listed: the rollup
    /// cannot tell a bucket nothing was added to from one whose rows
    /// sum to zero, so neither side gives a movement to disagree over.
    ///
    /// ```
    /// use merchantry_amazon::{
    ///     LedgerDetailReader, LedgerRollup, LedgerSummaryReader, RollupMismatch, SummaryBucket,
    /// };
    /// use merchantry_core::Quantity;
    /// let detail = "Date,FNSKU,MSKU,Event Type,Quantity,Fulfillment Center,Disposition\n\
    ///               03/04/2026,X1,W,Receipts,5,ABE2,SELLABLE\n";
    /// let mut rollup = LedgerRollup::default();
    /// for row in LedgerDetailReader::new(detail.as_bytes())? {
    ///     rollup.add(&row?)?;
    /// }
    /// let summary = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Receipts,\
    ///                Lost,Ending Warehouse Balance\n\
    ///                03/2026,X1,W,SELLABLE,10,,,15\n";
    /// let row = LedgerSummaryReader::new(summary.as_bytes())?.next().unwrap()?;
    /// // Receipts is blank beside 5 received; Lost is blank beside nothing.
    /// assert_eq!(
    ///     rollup.mismatches(&row),
    ///     [RollupMismatch { bucket: SummaryBucket::Receipts, detail: Quantity::new(5), summary: None }]
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn mismatches(&self, summary: &LedgerSummaryRow) -> Vec<RollupMismatch> {
        SummaryBucket::ALL
            .iter()
            .map(|&bucket| RollupMismatch {
                bucket,
                detail: self.total(&summary.fnsku, &summary.disposition, bucket),
                summary: summary.bucket(bucket),
            })
            .filter(|m| match m.summary {
                Some(summary) => m.detail != summary,
                None => !m.detail.is_zero(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Date,FNSKU,MSKU,Event Type,Reference ID,Quantity,Fulfillment Center,Disposition,Reason,Reconciled Quantity,Unreconciled Quantity\n";

    fn rows(body: &str) -> Vec<Result<LedgerDetailRow, ReadError>> {
        LedgerDetailReader::new(format!("{HEADER}{body}").as_bytes()).unwrap().collect()
    }

    #[test]
    fn key_ignores_reconciliation_counts_and_title() {
        let first = rows("03/04/2026,X1,W,Adjustments,ADJ-1,-4,ABE2,SELLABLE,M,0,4\n");
        let later = rows("03/04/2026,X1,W,Adjustments,ADJ-1,-4,ABE2,SELLABLE,M,4,0\n");
        let (a, b) = (first[0].as_ref().unwrap(), later[0].as_ref().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.key(), b.key());
        assert_eq!(a.key().event_id(), b.key().event_id());
        let other = rows("03/04/2026,X1,W,Adjustments,ADJ-2,-4,ABE2,SELLABLE,M,0,4\n");
        assert_ne!(a.key().event_id(), other[0].as_ref().unwrap().key().event_id());
    }

    #[test]
    fn event_id_is_pinned() {
        // Pinned so a change to the key or the hash is a visible decision.
        let r =
            rows("03/01/2026,X00TEST001,WIDGET-BLUE,Receipts,FBA15TEST01,48,ABE2,SELLABLE,,,\n");
        let id = r[0].as_ref().unwrap().key().event_id().unwrap();
        assert_eq!(id.as_str().len(), 37);
        assert!(id.as_str().starts_with("amzl-"));
        assert_eq!(id, r[0].as_ref().unwrap().key().event_id().unwrap());
    }

    #[test]
    fn fnv_matches_published_vectors() {
        // FNV-1a 128 of the empty string is the offset basis; of "a" it is
        // d228cb696f1a8caf78912b704e4a8964 (reference implementation).
        assert_eq!(fnv1a_128(b""), 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d);
        assert_eq!(fnv1a_128(b"a"), 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }

    #[test]
    fn date_not_captured_is_skipped_and_counted() {
        let text = format!("{HEADER}Date Not Captured,X1,W,Receipts,R,1,ABE2,SELLABLE,,,\n");
        let mut reader = LedgerDetailReader::new(text.as_bytes()).unwrap();
        assert!(reader.next().is_none());
        assert_eq!(reader.stats().skipped(&SkipReason::no_date("Date")), 1);
    }

    #[test]
    fn monthly_period_ends_on_last_day() {
        let text = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,Ending Warehouse Balance\n\
                    02/2028,X1,W,SELLABLE,1,1\n12/2026,X1,W,SELLABLE,1,1\n03/05/2026,X1,W,SELLABLE,1,2\n";
        let r: Vec<_> =
            LedgerSummaryReader::new(text.as_bytes()).unwrap().map(Result::unwrap).collect();
        assert_eq!(r[0].period_end(), NaiveDate::from_ymd_opt(2028, 2, 29).unwrap());
        assert_eq!(r[1].period_end(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert!(!r[2].monthly);
        // No movement column: the movements are unknown, so the balance
        // is neither confirmed (1 -> 1) nor refuted (1 -> 2).
        assert_eq!((r[0].is_balanced(), r[2].is_balanced()), (None, None));
        assert_eq!(r[0].blank_movements(), SummaryBucket::ALL);
    }

    /// Every movement column, then the in-transit information last.
    const SUMMARY_HEAD: &str = "Date,FNSKU,MSKU,Disposition,Starting Warehouse Balance,\
        Receipts,Customer Shipments,Customer Returns,Vendor Returns,Warehouse Transfer In/Out,\
        Found,Lost,Damaged,Disposed,Other Events,Ending Warehouse Balance,Unknown Events,\
        In Transit Between Warehouses\n";

    fn summary(body: &str) -> Vec<LedgerSummaryRow> {
        LedgerSummaryReader::new(format!("{SUMMARY_HEAD}{body}").as_bytes())
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// Blank movement cells read as 0, the same as a written `0`: a row
    /// 10 -> 10 with every movement blank was balanced, and one whose
    /// lost cell was blank beside 4 lost in the detail rows said nothing
    /// of it in `mismatches` only because 4 is not 0.
    #[test]
    fn a_blank_movement_cell_is_none_and_a_written_zero_is_some() {
        let rows = summary(
            "03/2026,X1,W,SELLABLE,10,0,0,0,0,0,0,0,0,0,0,10,0,0\n\
             03/2026,X2,V,SELLABLE,10,,,,,,,,,,,10,,\n\
             03/2026,X3,U,SELLABLE,10,7,-3,1,0,0,0,,0,0,0,14,0,2\n",
        );
        let (zero, blank, some) = (&rows[0], &rows[1], &rows[2]);
        for b in SummaryBucket::ALL {
            assert_eq!((zero.bucket(b), blank.bucket(b)), (Some(Quantity::ZERO), None), "{b:?}");
        }
        assert_eq!(zero.in_transit_between_warehouses, Some(Quantity::ZERO));
        assert_eq!(blank.in_transit_between_warehouses, None);
        assert_eq!(some.in_transit_between_warehouses, Some(Quantity::new(2)));
        assert_eq!(
            (some.receipts, some.customer_shipments, some.lost),
            (Some(Quantity::new(7)), Some(Quantity::new(-3)), None)
        );
        // Written zeros: 10 + 0 = 10, checked and true. Blanks: nothing
        // to sum, so no answer.
        assert_eq!(
            (zero.net_movements(), zero.is_balanced()),
            (Ok(Some(Quantity::ZERO)), Some(true))
        );
        assert_eq!((blank.net_movements(), blank.is_balanced()), (Ok(None), None));
        assert!(zero.blank_movements().is_empty());
        assert_eq!(blank.blank_movements(), SummaryBucket::ALL);
        // U: 10 + 7 - 3 + 1 = 15 with lost blank, ending 14: a lost 1
        // would balance it, so it is not refuted either.
        assert_eq!(some.blank_movements(), [SummaryBucket::Lost]);
        assert_eq!(some.is_balanced(), None);
        // The balances are required: a blank ending is refused, not 0.
        let text = format!("{SUMMARY_HEAD}03/2026,X1,W,SELLABLE,10,0,0,0,0,0,0,0,0,0,0,,0,0\n");
        let err = LedgerSummaryReader::new(text.as_bytes()).unwrap().next().unwrap().unwrap_err();
        assert!(matches!(
            err,
            ReadError::MissingValue { line: 2, column: "Ending Warehouse Balance", .. }
        ));
        assert_eq!(err.sku().map(Sku::as_str), Some("W"));
    }

    /// The identity over written cells: true when it holds, false when
    /// it fails or leaves 64 bits.
    #[test]
    fn a_row_with_every_movement_given_is_balanced_or_not() {
        let max = i64::MAX;
        let rows = summary(&format!(
            "03/2026,X1,W,SELLABLE,100,48,-5,0,-5,0,1,-4,-1,0,0,134,0,\n\
             03/2026,X1,W,SELLABLE,100,48,-5,0,-5,0,1,-4,-1,0,0,135,0,\n\
             03/2026,X1,W,SELLABLE,1,{max},{max},0,0,0,0,0,0,0,0,1,0,\n"
        ));
        // 100 + 48 - 5 - 5 + 1 - 4 - 1 = 134; the in-transit cell, blank
        // here, is not part of the identity.
        assert_eq!(rows[0].net_movements(), Ok(Some(Quantity::new(134 - 100))));
        assert_eq!(rows[0].is_balanced(), Some(true));
        assert_eq!(rows[1].is_balanced(), Some(false));
        assert!(rows[2].net_movements().is_err());
        assert_eq!(rows[2].is_balanced(), Some(false));
    }

    /// A blank summary cell beside detail rows that moved units is a
    /// mismatch naming no summary figure; beside none it is not.
    #[test]
    fn mismatches_name_a_blank_summary_cell_the_detail_rows_contradict() {
        let mut rollup = LedgerRollup::default();
        for row in rows(
            "03/04/2026,X1,W,Receipts,R1,5,ABE2,SELLABLE,,,\n\
             03/05/2026,X1,W,Adjustments,A1,-2,ABE2,SELLABLE,M,,\n",
        ) {
            rollup.add(&row.unwrap()).unwrap();
        }
        // Receipts blank (5 received), lost blank (2 lost), found blank
        // (nothing found), customer shipments 0 as written.
        let row = &summary("03/2026,X1,W,SELLABLE,10,,0,0,0,0,,,0,0,0,13,0,0\n")[0];
        assert_eq!(
            rollup.mismatches(row),
            [
                RollupMismatch {
                    bucket: SummaryBucket::Receipts,
                    detail: Quantity::new(5),
                    summary: None
                },
                RollupMismatch {
                    bucket: SummaryBucket::Lost,
                    detail: Quantity::new(-2),
                    summary: None
                },
            ]
        );
        // Written figures are compared as before: 4 received is not 5.
        let row = &summary("03/2026,X1,W,SELLABLE,10,4,0,0,0,0,0,-2,0,0,0,12,0,0\n")[0];
        assert_eq!(
            rollup.mismatches(row),
            [RollupMismatch {
                bucket: SummaryBucket::Receipts,
                detail: Quantity::new(5),
                summary: Some(Quantity::new(4))
            }]
        );
        let row = &summary("03/2026,X1,W,SELLABLE,10,5,0,0,0,0,0,-2,0,0,0,13,0,0\n")[0];
        assert!(rollup.mismatches(row).is_empty());
        assert_eq!(row.is_balanced(), Some(true));
    }
}
