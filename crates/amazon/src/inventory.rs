//! The Manage FBA Inventory report
//! (`GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA`): a snapshot of every
//! listing's units by state.

use chrono::NaiveDate;
use merchantry_core::{
    Asin, CoreError, Disposition, Fnsku, LocationId, Quantity, Sku, StockRecord,
};
use rust_decimal::Decimal;

use crate::error::ReadError;
use crate::table::{Built, Column, Row, opt, reader, req, unread_amount_error};

const REPORT: &str = "manage FBA inventory";

/// One listing's row of the Manage FBA Inventory report.
///
/// Every quantity is `None` when its cell is blank or its column is
/// absent from the header, and `Some` when the cell holds a number, `0`
/// included: a blank cell is no count, and a caller can tell it from a
/// written zero. That matters most for `afn-fulfillable-quantity`, the
/// units free to sell: a blank there leaves them unknown unless the
/// warehouse total vouches for them. An FBA-only listing leaves
/// `mfn-fulfillable-quantity` blank. The methods that add cells up
/// ([`InventoryRow::inbound`], [`InventoryRow::stock_records`], the
/// parts in [`InventoryRow::totals_agree`]) count a `None` as zero; the
/// two totals, which only restate the other cells, are checked only
/// when given.
///
/// ```
/// use merchantry_amazon::InventoryReader;
/// use merchantry_core::Quantity;
/// let file = "sku\tafn-fulfillable-quantity\tafn-reserved-quantity\n\
///             BLANK\t\t\n\
///             ZERO\t0\t0\n\
///             BAD\t1OO\t0\n";
/// let read: Vec<_> = InventoryReader::new(file.as_bytes())?.collect();
/// let (blank, zero) = (read[0].as_ref().unwrap(), read[1].as_ref().unwrap());
/// assert_eq!((blank.afn_fulfillable, blank.afn_reserved), (None, None));
/// assert_eq!(zero.afn_fulfillable, Some(Quantity::ZERO));
/// // A row the reader cannot read: the error names line, column and
/// // the row's SKU.
/// let err = read[2].as_ref().unwrap_err();
/// assert_eq!((err.line(), err.column()), (4, Some("afn-fulfillable-quantity")));
/// assert_eq!(err.sku().map(|s| s.as_str()), Some("BAD"));
/// # Ok::<(), merchantry_amazon::ReadError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InventoryRow {
    /// The seller SKU.
    pub sku: Sku,
    /// Amazon's label id, when given.
    pub fnsku: Option<Fnsku>,
    /// The listing, when given.
    pub asin: Option<Asin>,
    /// The title; empty when absent. See [`InventoryRow::title_lossy`].
    pub title: String,
    /// Whether `title` had invalid UTF-8 replaced by U+FFFD (allowed by
    /// [`ReadOptions::lossy_text`](crate::ReadOptions::lossy_text)): the
    /// title is for display only, never an identifier.
    pub title_lossy: bool,
    /// The listing condition (`New`, ...), when given.
    pub condition: Option<String>,
    /// The listing price, when given and readable; `None` for a blank
    /// cell and for one that holds no amount (see
    /// [`InventoryRow::price_unread`]).
    pub price: Option<Decimal>,
    /// The `your-price` cell as written (cut to
    /// [`MAX_QUOTED`](crate::MAX_QUOTED) bytes, invalid UTF-8 shown as
    /// U+FFFD) when it held something that is not an amount under
    /// [`parse_amount`](crate::parse_amount) (`19,99`, `EUR 19.99`,
    /// `1e3`): `price` is then `None` and the row's quantities are read
    /// as usual. `None` when the price was read or left blank.
    /// [`InventoryRow::price_error`] words it as an error naming line and
    /// column; [`ReadStats::unread_amount_rows`](crate::ReadStats::unread_amount_rows)
    /// counts such rows.
    pub price_unread: Option<String>,
    /// Units the seller ships itself (FBM); `None` when the cell is
    /// blank (as an FBA-only listing leaves it) or the column absent.
    pub mfn_fulfillable: Option<Quantity>,
    /// Units physically in Amazon's warehouses, the report's total of
    /// fulfillable, unsellable and reserved; `None` when the column is
    /// absent or the cell blank.
    pub afn_warehouse: Option<Quantity>,
    /// Units free to sell; `None` when the cell is blank (the column is
    /// required), which is no count of zero: see [`InventoryRow`].
    pub afn_fulfillable: Option<Quantity>,
    /// Units unfit to sell; `None` when the cell is blank or the column
    /// absent.
    pub afn_unsellable: Option<Quantity>,
    /// Units held for orders, transfers or processing; `None` when the
    /// cell is blank or the column absent.
    pub afn_reserved: Option<Quantity>,
    /// Warehouse plus inbound, the report's total; `None` when the
    /// column is absent or the cell blank.
    pub afn_total: Option<Quantity>,
    /// Inbound shipments still being prepared (working); `None` when the
    /// cell is blank or the column absent.
    pub afn_inbound_working: Option<Quantity>,
    /// Inbound shipments on their way (shipped); `None` when the cell is
    /// blank or the column absent.
    pub afn_inbound_shipped: Option<Quantity>,
    /// Inbound shipments being checked in (receiving); `None` when the
    /// cell is blank or the column absent.
    pub afn_inbound_receiving: Option<Quantity>,
    /// Units under investigation (lost in the building, being searched);
    /// `None` when the cell is blank or the column absent.
    pub afn_researching: Option<Quantity>,
    /// The line of the row in the file.
    pub line: u64,
}

impl InventoryRow {
    /// The refusal the reader set aside to keep the row: when
    /// [`InventoryRow::price_unread`] holds a cell,
    /// [`ReadError::InvalidAmount`] naming this row's line, the
    /// `your-price` column and the cell, and carrying the row's SKU, as
    /// a stricter caller would have had it. `None` when the price was
    /// read or left blank.
    ///
    /// ```
    /// use merchantry_amazon::InventoryReader;
    /// use merchantry_core::Quantity;
    /// let file = "sku\tyour-price\tafn-fulfillable-quantity\nW\t19,99\t130\n";
    /// let row = InventoryReader::new(file.as_bytes())?.next().unwrap()?;
    /// assert_eq!((row.price, row.afn_fulfillable), (None, Some(Quantity::new(130))));
    /// let err = row.price_error().unwrap();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "manage FBA inventory: line 2, column \"your-price\": \"19,99\" is not a decimal amount"
    /// );
    /// assert_eq!(err.sku(), Some(&row.sku));
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn price_error(&self) -> Option<ReadError> {
        unread_amount_error(REPORT, self.line, PRICE, self.price_unread.as_ref())
            .map(|e| e.with_sku(Some(self.sku.clone())))
    }

    /// Inbound units: working + shipped + receiving, checked, a blank or
    /// absent cell counting as zero. Always `Ok` on a row from
    /// [`InventoryReader`], which refuses a row whose sum leaves 64
    /// bits; a row built or changed by hand may hold such cells.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the sum leaves 64 bits: the
    /// row's inbound cells cannot all be right, and no single count
    /// stands for them.
    ///
    /// ```
    /// use merchantry_amazon::InventoryReader;
    /// use merchantry_core::Quantity;
    /// let file = "sku\tafn-fulfillable-quantity\tafn-inbound-working-quantity\t\
    ///             afn-inbound-shipped-quantity\nW\t130\t36\t60\n";
    /// let mut row = InventoryReader::new(file.as_bytes())?.next().unwrap()?;
    /// assert_eq!(row.inbound()?, Quantity::new(96)); // receiving absent: 0
    /// row.afn_inbound_shipped = Some(Quantity::MAX);
    /// assert!(row.inbound().is_err()); // never a pinned count
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn inbound(&self) -> Result<Quantity, CoreError> {
        Quantity::checked_sum(
            [self.afn_inbound_working, self.afn_inbound_shipped, self.afn_inbound_receiving]
                .map(Option::unwrap_or_default),
        )
    }

    /// Whether the report's own totals hold, each checked when its cell
    /// is given (a `0` included): warehouse = fulfillable + unsellable +
    /// reserved, and total = warehouse + inbound (the parts' sum standing
    /// for a warehouse cell left blank), a blank part counting as zero. A row without total cells has
    /// nothing to disagree with: the answer is `true`. A sum that leaves
    /// 64 bits is not a total that holds: the answer is then `false`.
    ///
    /// ```
    /// use merchantry_amazon::InventoryReader;
    /// let file = "sku\tafn-warehouse-quantity\tafn-fulfillable-quantity\tafn-total-quantity\n\
    ///             W\t\t7\t\n\
    ///             V\t0\t7\t0\n";
    /// let rows: Vec<_> = InventoryReader::new(file.as_bytes())?.collect::<Result<_, _>>()?;
    /// assert!(rows[0].totals_agree()); // blank totals: nothing to check
    /// assert!(!rows[1].totals_agree()); // 0 in the warehouse, 7 fulfillable
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn totals_agree(&self) -> bool {
        let parts = [self.afn_fulfillable, self.afn_unsellable, self.afn_reserved];
        let Ok(parts) = Quantity::checked_sum(parts.map(Option::unwrap_or_default)) else {
            return false;
        };
        if self.afn_warehouse.is_some_and(|w| w != parts) {
            return false;
        }
        // The warehouse cell, when given, equals the parts by now.
        self.afn_total.is_none_or(|total| {
            self.inbound().and_then(|i| parts.checked_add(i)).is_ok_and(|t| t == total)
        })
    }

    /// The row as core stock records at `location` (the FBA network) on
    /// `as_of` (the report carries no date: the caller gives the day it
    /// was downloaded). Fulfillable is [`Disposition::Sellable`],
    /// reserved [`Disposition::Reserved`], working + shipped + receiving
    /// [`Disposition::Inbound`], unsellable + researching
    /// [`Disposition::Unsellable`]. FBM units are not included: they sit
    /// at the seller's own location. A blank cell counts as zero, and
    /// zero positions are left out: a row whose fulfillable cell is
    /// blank gives no sellable record, so a caller to whom blank is not
    /// zero checks [`InventoryRow::afn_fulfillable`] first.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the inbound or the unsellable
    /// sum leaves 64 bits; no records are returned then.
    pub fn stock_records(
        &self,
        location: &LocationId,
        as_of: NaiveDate,
    ) -> Result<Vec<StockRecord>, CoreError> {
        let count = Option::unwrap_or_default;
        let unsellable = count(self.afn_unsellable).checked_add(count(self.afn_researching))?;
        let positions = [
            (Disposition::Sellable, count(self.afn_fulfillable)),
            (Disposition::Reserved, count(self.afn_reserved)),
            (Disposition::Inbound, self.inbound()?),
            (Disposition::Unsellable, unsellable),
        ];
        Ok(positions
            .into_iter()
            .filter(|(_, q)| !q.is_zero())
            .map(|(disposition, quantity)| StockRecord {
                as_of,
                sku: self.sku.clone(),
                location: location.clone(),
                disposition,
                quantity,
            })
            .collect())
    }
}

/// The canonical name of the price column.
const PRICE: &str = "your-price";

const COLUMNS: &[Column] = &[
    // Row errors carry the SKU (`ReadError::sku`).
    req("sku", &["sku", "sellersku", "msku"]).sku_column(),
    opt("fnsku", &["fnsku"]),
    opt("asin", &["asin"]),
    opt("product-name", &["productname", "title"]),
    opt("condition", &["condition"]),
    opt(PRICE, &["yourprice"]),
    opt("mfn-fulfillable-quantity", &["mfnfulfillablequantity"]),
    opt("afn-warehouse-quantity", &["afnwarehousequantity"]),
    req("afn-fulfillable-quantity", &["afnfulfillablequantity"]),
    opt("afn-unsellable-quantity", &["afnunsellablequantity"]),
    opt("afn-reserved-quantity", &["afnreservedquantity"]),
    opt("afn-total-quantity", &["afntotalquantity"]),
    opt("afn-inbound-working-quantity", &["afninboundworkingquantity"]),
    opt("afn-inbound-shipped-quantity", &["afninboundshippedquantity"]),
    opt("afn-inbound-receiving-quantity", &["afninboundreceivingquantity"]),
    opt("afn-researching-quantity", &["afnresearchingquantity"]),
];

fn build(row: &Row<'_>) -> Result<Built<InventoryRow>, ReadError> {
    let (title, title_lossy) = row.lossy(3)?;
    // The price only values the row: an unreadable one is set aside,
    // not allowed to cost the row its quantities.
    let (price, price_unread) = row.lenient_amount(5);
    let built = InventoryRow {
        sku: row.value(0)?,
        fnsku: row.opt_value(1)?,
        asin: row.opt_value(2)?,
        title,
        title_lossy,
        condition: row.owned(4)?,
        price,
        price_unread,
        mfn_fulfillable: row.opt_units(6)?,
        afn_warehouse: row.opt_units(7)?,
        afn_fulfillable: row.opt_units(8)?,
        afn_unsellable: row.opt_units(9)?,
        afn_reserved: row.opt_units(10)?,
        afn_total: row.opt_units(11)?,
        afn_inbound_working: row.opt_units(12)?,
        afn_inbound_shipped: row.opt_units(13)?,
        afn_inbound_receiving: row.opt_units(14)?,
        afn_researching: row.opt_units(15)?,
        line: row.line,
    };
    // The sums the row hands out must be counts: refuse the row, naming
    // the column whose cell takes its sum past 64 bits.
    let count = Option::unwrap_or_default;
    count(built.afn_inbound_working)
        .checked_add(count(built.afn_inbound_shipped))
        .map_err(|e| row.invalid(13, e))?
        .checked_add(count(built.afn_inbound_receiving))
        .map_err(|e| row.invalid(14, e))?;
    count(built.afn_unsellable)
        .checked_add(count(built.afn_researching))
        .map_err(|e| row.invalid(15, e))?;
    Ok(Built::Row(built))
}

reader!(
    /// Streams [`InventoryRow`]s from a Manage FBA Inventory download.
    ///
    /// Required columns: `sku`, `afn-fulfillable-quantity`; every other
    /// column is optional. A quantity cell left blank, or of a column
    /// the header lacks, is `None`, so a `0` written there is told
    /// apart: a blank `afn-fulfillable-quantity` is no count of units
    /// free to sell, and a total of `0` is checked
    /// ([`InventoryRow::totals_agree`]).
    ///
    /// Quantities are strict: a cell that is not a whole number refuses
    /// the row ([`ReadError::InvalidQuantity`]), and so does one below
    /// zero ([`ReadError::NegativeValue`], naming line and column): every
    /// quantity of the report counts units held, on their way in or
    /// under research, and Amazon documents none below zero (`-0` is
    /// zero), so no row read gives a negative count to
    /// [`InventoryRow::stock_records`] or [`InventoryRow::inbound`]. Every row error carries
    /// the row's SKU when its `sku` cell can be read
    /// ([`ReadError::sku`]), found in the parsed record, so a quoted
    /// cell holding a line break earlier in the file cannot move it;
    /// a row with the wrong number of cells
    /// ([`ReadError::FieldCount`]) carries none. The price is not: it
    /// only values the listing, so a `your-price` cell that holds no
    /// amount (`19,99`, `EUR 19.99`, `1e3`, invalid UTF-8) leaves
    /// [`InventoryRow::price`] `None` and the row is still yielded with
    /// its quantities, flagged: [`InventoryRow::price_unread`] holds the
    /// cell as written, [`InventoryRow::price_error`] names line, column
    /// and cell, and [`ReadStats::unread_amount_rows`](crate::ReadStats::unread_amount_rows)
    /// counts such rows. A caller that must have every price refuses
    /// rows whose `price_unread` is set.
    ///
    /// A row whose inbound cells (working + shipped + receiving) or
    /// unsellable + researching cells sum past 64 bits is refused as
    /// [`ReadError::InvalidValue`] naming the column whose cell takes the
    /// sum out of range, so [`InventoryRow::inbound`] and
    /// [`InventoryRow::stock_records`] are `Ok` on every row read.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use merchantry_amazon::InventoryReader;
    /// use merchantry_core::{Disposition, LocationId};
    /// let file = "sku\tafn-fulfillable-quantity\tafn-reserved-quantity\n\
    ///             WIDGET\t130\t4\n";
    /// let row = InventoryReader::new(file.as_bytes())?.next().unwrap()?;
    /// let fba = LocationId::new("FBA-US")?;
    /// let day = NaiveDate::from_ymd_opt(2026, 3, 7).unwrap();
    /// let records = row.stock_records(&fba, day)?;
    /// assert_eq!(records.len(), 2);
    /// assert_eq!(records[1].disposition, Disposition::Reserved);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    InventoryReader,
    InventoryRow,
    REPORT,
    COLUMNS,
    build
);
