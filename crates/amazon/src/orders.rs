//! The All Orders report (`GET_FLAT_FILE_ALL_ORDERS_DATA_BY_ORDER_DATE`
//! and its archived twin): order lines, and demand by sales channel.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate};
use merchantry_core::{Asin, ChannelId, CoreError, Currency, DemandRecord, OrderId, Quantity, Sku};
use rust_decimal::Decimal;

use crate::error::{ReadError, SkipReason};
use crate::parse::header_key;
use crate::table::{Built, Column, Row, opt, reader, req, unread_amount_error};

const REPORT: &str = "all orders";

/// An order's or an item's status.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum OrderStatus {
    /// Placed, payment not yet authorised.
    Pending,
    /// Paid, not yet shipped.
    Unshipped,
    /// Partly shipped, or being shipped.
    Shipping,
    /// Shipped.
    Shipped,
    /// Cancelled.
    Cancelled,
    /// A status this crate does not know, kept by name.
    Other(String),
}

impl OrderStatus {
    /// Reads a status, ignoring case and punctuation (`Shipped - Delivered
    /// to Buyer` is shipped; `Canceled` and `Cancelled` are one status).
    #[must_use]
    pub fn parse(text: &str) -> Self {
        let key = header_key(text.as_bytes());
        match key.as_str() {
            "pending" | "pendingavailability" => Self::Pending,
            "unshipped" | "partiallyshipped" => Self::Unshipped,
            "shipping" => Self::Shipping,
            "cancelled" | "canceled" => Self::Cancelled,
            _ if key.starts_with("shipped") => Self::Shipped,
            _ => Self::Other(text.to_owned()),
        }
    }
}

/// Who ships the order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum FulfillmentChannel {
    /// Amazon (FBA, written `Amazon` or `AFN`).
    Amazon,
    /// The seller (FBM, written `Merchant` or `MFN`).
    Merchant,
    /// Anything else, kept by name.
    Other(String),
}

impl FulfillmentChannel {
    /// Reads a fulfillment channel, case ignored.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match header_key(text.as_bytes()).as_str() {
            "amazon" | "afn" => Self::Amazon,
            "merchant" | "mfn" => Self::Merchant,
            _ => Self::Other(text.to_owned()),
        }
    }
}

/// One item line of the All Orders report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OrderLine {
    /// Amazon's order id.
    pub order_id: OrderId,
    /// The day the order was placed, as written (see
    /// [`crate::parse_date`]).
    pub purchase_date: NaiveDate,
    /// The instant the order was placed, with the offset as written,
    /// when the cell carries a time and a zone (All Orders prints ISO
    /// 8601, `2026-03-01T10:00:00+00:00`); `None` for a bare date or a
    /// time without a zone. See [`crate::parse_timestamp`].
    #[cfg_attr(feature = "serde", serde(default))]
    pub purchased_at: Option<DateTime<FixedOffset>>,
    /// The day Amazon last changed the order, as written in
    /// `last-updated-date`; `None` when the column is absent (older and
    /// other exports lack it) or the cell is blank or has no digits.
    /// Of two downloads of one order, the line with the later update is
    /// the newer state (Pending, then Cancelled).
    #[cfg_attr(feature = "serde", serde(default))]
    pub last_updated_date: Option<NaiveDate>,
    /// The instant of `last-updated-date`, with the offset as written,
    /// when the cell carries a time and a zone; `None` as for
    /// [`OrderLine::purchased_at`].
    #[cfg_attr(feature = "serde", serde(default))]
    pub last_updated_at: Option<DateTime<FixedOffset>>,
    /// The order's status.
    pub status: OrderStatus,
    /// Who ships it.
    pub fulfillment: Option<FulfillmentChannel>,
    /// The sales channel (`Amazon.com`, `Amazon.de`, `Non-Amazon` for
    /// Multi-Channel Fulfillment orders), when given.
    pub sales_channel: Option<ChannelId>,
    /// The seller SKU.
    pub sku: Sku,
    /// The listing, when given.
    pub asin: Option<Asin>,
    /// The item's own status, when given.
    pub item_status: Option<OrderStatus>,
    /// Units ordered.
    pub quantity: Quantity,
    /// The currency of the prices, when given.
    pub currency: Option<Currency>,
    /// The item price (all units of the line), when given and readable;
    /// `None` for a blank cell and for one that holds no amount (see
    /// [`OrderLine::item_price_unread`]).
    pub item_price: Option<Decimal>,
    /// The `item-price` cell as written (cut to
    /// [`MAX_QUOTED`](crate::MAX_QUOTED) bytes, invalid UTF-8 shown as
    /// U+FFFD) when it held something that is not an amount under
    /// [`parse_amount`](crate::parse_amount) (`19,99`, `EUR 19.99`,
    /// `1e3`): `item_price` is then `None` and the line's quantity,
    /// dates, ids and statuses are read as usual. `None` when the price
    /// was read or left blank. [`OrderLine::item_price_error`] words it
    /// as an error naming line and column;
    /// [`ReadStats::unread_amount_rows`](crate::ReadStats::unread_amount_rows)
    /// counts such lines.
    #[cfg_attr(feature = "serde", serde(default))]
    pub item_price_unread: Option<String>,
    /// The destination country, when given.
    pub ship_country: Option<String>,
    /// Whether the order replaces an earlier one (free replacement).
    pub is_replacement: bool,
    /// The line of the row in the file.
    pub line: u64,
}

impl OrderLine {
    /// The refusal the reader set aside to keep the line: when
    /// [`OrderLine::item_price_unread`] holds a cell,
    /// [`ReadError::InvalidAmount`] naming this line, the `item-price`
    /// column and the cell, and carrying the line's SKU, as a stricter
    /// caller would have had it. `None` when the price was read or left
    /// blank.
    ///
    /// ```
    /// use merchantry_amazon::OrdersReader;
    /// let file = "amazon-order-id\tpurchase-date\torder-status\tsku\tquantity\titem-price\n\
    ///             111-1\t2026-03-01T10:00:00+00:00\tShipped\tW\t2\t19,99\n";
    /// let line = OrdersReader::new(file.as_bytes())?.next().unwrap()?;
    /// assert_eq!((line.item_price, line.quantity.get()), (None, 2));
    /// assert_eq!(
    ///     line.item_price_error().unwrap().to_string(),
    ///     "all orders: line 2, column \"item-price\": \"19,99\" is not a decimal amount"
    /// );
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn item_price_error(&self) -> Option<ReadError> {
        unread_amount_error(REPORT, self.line, ITEM_PRICE, self.item_price_unread.as_ref())
            .map(|e| e.with_sku(Some(self.sku.clone())))
    }

    /// Whether the line is customer demand: neither the order nor the
    /// item is cancelled, and it is not a free replacement (which would
    /// count the original demand twice). Pending orders count: the
    /// customer asked for the units.
    #[must_use]
    pub fn is_demand(&self) -> bool {
        self.status != OrderStatus::Cancelled
            && self.item_status != Some(OrderStatus::Cancelled)
            && !self.is_replacement
    }
}

/// The canonical name of the item price column.
const ITEM_PRICE: &str = "item-price";

const COLUMNS: &[Column] = &[
    req("amazon-order-id", &["amazonorderid", "orderid"]),
    req("purchase-date", &["purchasedate"]).dated(),
    req("order-status", &["orderstatus"]),
    opt("fulfillment-channel", &["fulfillmentchannel"]),
    opt("sales-channel", &["saleschannel"]),
    req("sku", &["sku", "sellersku", "msku"]).sku_column(),
    opt("asin", &["asin"]),
    opt("item-status", &["itemstatus"]),
    req("quantity", &["quantity", "quantitypurchased"]),
    opt("currency", &["currency"]),
    opt(ITEM_PRICE, &["itemprice"]),
    opt("ship-country", &["shipcountry"]),
    opt("is-replacement-order", &["isreplacementorder"]),
    opt("last-updated-date", &["lastupdateddate"]).dated(),
];

fn build(row: &Row<'_>) -> Result<Built<OrderLine>, ReadError> {
    let (Some(purchase_date), purchased_at) = row.date_time(1)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(1))));
    };
    let (last_updated_date, last_updated_at) = row.date_time(13)?;
    let replacement = row.text(12)?.is_some_and(|t| t.eq_ignore_ascii_case("true"));
    // The price only values the line: an unreadable one is set aside,
    // not allowed to cost the line its quantity.
    let (item_price, item_price_unread) = row.lenient_amount(10);
    Ok(Built::Row(OrderLine {
        order_id: row.value(0)?,
        purchase_date,
        purchased_at,
        last_updated_date,
        last_updated_at,
        status: OrderStatus::parse(row.required(2)?),
        fulfillment: row.text(3)?.map(FulfillmentChannel::parse),
        sales_channel: row.opt_value(4)?,
        sku: row.value(5)?,
        asin: row.opt_value(6)?,
        item_status: row.text(7)?.map(OrderStatus::parse),
        quantity: row.quantity(8)?,
        currency: row.opt_value(9)?,
        item_price,
        item_price_unread,
        ship_country: row.owned(11)?,
        is_replacement: replacement,
        line: row.line,
    }))
}

reader!(
    /// Streams [`OrderLine`]s from an All Orders (or archived orders)
    /// download.
    ///
    /// Required columns: `amazon-order-id`, `purchase-date`,
    /// `order-status`, `sku`, `quantity`. A purchase date with no digits
    /// skips the row under [`SkipReason::DateNotCaptured`]. The optional
    /// `last-updated-date` is read as the purchase date is (a cell that
    /// is not a date refuses the line, one with no digits is `None`) and
    /// helps decide the date order of all-numeric dates.
    ///
    /// Order ids, dates, statuses, the SKU and the quantity are strict:
    /// a cell that cannot be read refuses the line (a quantity that is
    /// not a whole number is [`ReadError::InvalidQuantity`]). The item
    /// price is not: it only values the line, so an `item-price` cell
    /// that holds no amount (`19,99`, `EUR 19.99`, `1e3`, invalid UTF-8)
    /// leaves [`OrderLine::item_price`] `None` and the line is still
    /// yielded with its quantity, flagged:
    /// [`OrderLine::item_price_unread`] holds the cell as written,
    /// [`OrderLine::item_price_error`] names line, column and cell, and
    /// [`ReadStats::unread_amount_rows`](crate::ReadStats::unread_amount_rows)
    /// counts such lines. A caller that must have every price refuses
    /// lines whose `item_price_unread` is set.
    ///
    /// ```
    /// use merchantry_amazon::{DemandByChannel, OrdersReader};
    /// let file = "amazon-order-id\tpurchase-date\torder-status\tsales-channel\tsku\tquantity\n\
    ///             111-1\t2026-03-01T10:00:00+00:00\tShipped\tAmazon.com\tW\t2\n\
    ///             111-2\t2026-03-01T11:00:00+00:00\tCancelled\tAmazon.com\tW\t5\n\
    ///             S-9\t2026-03-01T12:00:00+00:00\tShipped\tNon-Amazon\tW\t1\n";
    /// let mut demand = DemandByChannel::default();
    /// for line in OrdersReader::new(file.as_bytes())? {
    ///     demand.add(&line?)?;
    /// }
    /// let amazon = demand.records(&"Amazon.com".parse()?);
    /// assert_eq!(amazon[0].units.get(), 2); // the cancelled 5 is not demand
    /// assert_eq!(demand.channels().len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    OrdersReader,
    OrderLine,
    REPORT,
    COLUMNS,
    build
);

/// Daily units demanded per sales channel and SKU, folded from order
/// lines. Lines that are not demand ([`OrderLine::is_demand`]) are
/// ignored; lines without a sales channel go to the channel `unknown`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemandByChannel {
    units: BTreeMap<(ChannelId, Sku, NaiveDate), Quantity>,
}

impl DemandByChannel {
    /// Adds a line; returns whether it counted as demand.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when a day's total leaves 64 bits;
    /// the fold is then unchanged.
    pub fn add(&mut self, line: &OrderLine) -> Result<bool, CoreError> {
        if !line.is_demand() {
            return Ok(false);
        }
        let channel = match &line.sales_channel {
            Some(c) => c.clone(),
            None => ChannelId::new("unknown")?,
        };
        let slot = self
            .units
            .entry((channel, line.sku.clone(), line.purchase_date))
            .or_insert(Quantity::ZERO);
        *slot = slot.checked_add(line.quantity)?;
        Ok(true)
    }

    /// Every channel seen, sorted.
    #[must_use]
    pub fn channels(&self) -> Vec<ChannelId> {
        let mut channels: Vec<ChannelId> = self.units.keys().map(|(c, _, _)| c.clone()).collect();
        channels.dedup();
        channels
    }

    /// The demand of one channel as core records (in stock every day:
    /// the orders report cannot tell stock-outs), sorted by SKU then day.
    #[must_use]
    pub fn records(&self, channel: &ChannelId) -> Vec<DemandRecord> {
        self.units
            .iter()
            .filter(|((c, _, _), _)| c == channel)
            .map(|((_, sku, date), &units)| DemandRecord {
                sku: sku.clone(),
                date: *date,
                units,
                stocked_out: false,
            })
            .collect()
    }
}
