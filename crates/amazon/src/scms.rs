//! The USAID Supply Chain Management System shipment history (SCMS
//! Delivery History, 2006-2015, public domain): purchase-order lines with
//! their order, scheduled and delivered dates.

use std::io::Read;

use chrono::NaiveDate;
use merchantry_core::{
    Lane, LocationId, PurchaseOrderId, Quantity, Replenishment, Sku, SupplierId, TransportMode,
};
use rust_decimal::Decimal;

use crate::error::{ReadError, ReadStats, SkipReason};
use crate::parse::header_key;
use crate::table::{Built, Column, Row, opt, reader, req, unread_amount_error};

const REPORT: &str = "scms delivery history";

/// How an SCMS line travelled, as written in `Shipment Mode`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ScmsMode {
    /// Scheduled air freight.
    Air,
    /// A chartered aircraft.
    AirCharter,
    /// Road.
    Truck,
    /// Sea.
    Ocean,
    /// Anything else, kept by name.
    Other(String),
}

impl ScmsMode {
    /// Reads a mode, ignoring case and spaces; `N/A` and blank are
    /// `None`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match header_key(text.as_bytes()).as_str() {
            "" | "na" => None,
            "air" => Some(Self::Air),
            "aircharter" => Some(Self::AirCharter),
            "truck" => Some(Self::Truck),
            "ocean" => Some(Self::Ocean),
            _ => Some(Self::Other(text.to_owned())),
        }
    }

    /// The core transport mode: air and air charter are both
    /// [`TransportMode::Air`]; unknown modes have none.
    #[must_use]
    pub const fn transport(&self) -> Option<TransportMode> {
        match self {
            Self::Air | Self::AirCharter => Some(TransportMode::Air),
            Self::Truck => Some(TransportMode::Truck),
            Self::Ocean => Some(TransportMode::Ocean),
            Self::Other(_) => None,
        }
    }
}

/// One SCMS shipment line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScmsShipment {
    /// The line id (`ID`).
    pub id: u64,
    /// The purchase or sales order (`PO / SO #`).
    pub order: PurchaseOrderId,
    /// The destination country.
    pub country: LocationId,
    /// `Direct Drop` (vendor ships to the country) or `From RDC`
    /// (shipped from a regional distribution centre), when given.
    pub fulfill_via: Option<String>,
    /// The shipment mode; `None` for `N/A`.
    pub mode: Option<ScmsMode>,
    /// The day the PO went to the vendor; `None` for `N/A - From RDC`,
    /// `Date Not Captured` and blanks.
    pub po_sent: Option<NaiveDate>,
    /// The delivery day promised when the order was placed.
    pub scheduled: NaiveDate,
    /// The day the goods reached the client.
    pub delivered: NaiveDate,
    /// The vendor.
    pub vendor: SupplierId,
    /// The manufacturing site, when given and usable as a location.
    pub manufacturing_site: Option<LocationId>,
    /// The item description, when given.
    pub item: Option<String>,
    /// Units on the line, when given.
    pub quantity: Option<Quantity>,
    /// The line value in US dollars, when given and readable; `None` for
    /// a blank cell and for one that holds no amount (see
    /// [`ScmsShipment::line_value_unread`]).
    pub line_value: Option<Decimal>,
    /// The `Line Item Value` cell as written (cut to
    /// [`MAX_QUOTED`](crate::MAX_QUOTED) bytes, invalid UTF-8 shown as
    /// U+FFFD) when it held something that is not an amount under
    /// [`parse_amount`](crate::parse_amount) (`1,234.50`, `USD 551`,
    /// `1e3`): `line_value` is then `None` and the shipment's ids, dates
    /// and quantity are read as usual. `None` when the value was read or
    /// left blank. [`ScmsShipment::line_value_error`] words it as an
    /// error naming line and column;
    /// [`ReadStats::unread_amount_rows`](crate::ReadStats::unread_amount_rows)
    /// counts such shipments.
    #[cfg_attr(feature = "serde", serde(default))]
    pub line_value_unread: Option<String>,
    /// The weight in kilograms; `None` when the cell holds a note
    /// (`Weight Captured Separately`, `See ASN-...`) or anything else
    /// that is not an amount, without a flag or a count (the column mixes
    /// numbers and notes by design).
    pub weight_kg: Option<Decimal>,
    /// The freight cost in US dollars; `None` for notes such as `Freight
    /// Included in Commodity Cost`, and for anything else that is not an
    /// amount, without a flag or a count (as for the weight).
    pub freight_usd: Option<Decimal>,
    /// The line of the row in the file.
    pub line: u64,
}

impl ScmsShipment {
    /// The refusal the reader set aside to keep the shipment: when
    /// [`ScmsShipment::line_value_unread`] holds a cell,
    /// [`ReadError::InvalidAmount`] naming this shipment's line, the
    /// `Line Item Value` column and the cell, as a stricter caller would
    /// have had it. `None` when the value was read or left blank.
    ///
    /// ```
    /// use merchantry_amazon::ScmsReader;
    /// let file = "ID,PO / SO #,Country,Shipment Mode,PO Sent to Vendor Date,Scheduled Delivery Date,Delivered to Client Date,Vendor,Line Item Value\n\
    ///             7,SCMS-1,Vietnam,Air,11/13/06,2-Jan-07,5-Jan-07,ACME,\"1,234.50\"\n";
    /// let shipment = ScmsReader::new(file.as_bytes())?.next().unwrap()?;
    /// assert_eq!((shipment.line_value, shipment.delivered.to_string()), (None, "2007-01-05".into()));
    /// assert_eq!(
    ///     shipment.line_value_error().unwrap().to_string(),
    ///     "scms delivery history: line 2, column \"Line Item Value\": \"1,234.50\" is not a decimal amount"
    /// );
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn line_value_error(&self) -> Option<ReadError> {
        unread_amount_error(REPORT, self.line, LINE_VALUE, self.line_value_unread.as_ref())
    }

    /// The line as a core [`Replenishment`], or why it cannot be one.
    ///
    /// The id is `{PO / SO #}/{ID}` (one replenishment per line); the
    /// lane runs from the vendor (origin: the manufacturing site) to the
    /// country; ordered = PO sent to vendor, forecast arrival = scheduled
    /// delivery, actual arrival = delivered to client.
    ///
    /// # Errors
    ///
    /// The [`SkipReason`]: [`SkipReason::DateNotCaptured`] without a PO
    /// date, [`SkipReason::NoShipmentMode`] without a known mode,
    /// [`SkipReason::DeliveredBeforeOrder`] when delivery precedes the PO.
    pub fn to_replenishment(&self) -> Result<Replenishment, SkipReason> {
        let ordered_on = self.po_sent.ok_or(SkipReason::no_date("PO Sent to Vendor Date"))?;
        let mode =
            self.mode.as_ref().and_then(ScmsMode::transport).ok_or(SkipReason::NoShipmentMode)?;
        if self.delivered < ordered_on {
            return Err(SkipReason::DeliveredBeforeOrder);
        }
        // A PO id near the length cap falls back to the PO alone.
        let id = PurchaseOrderId::new(format!("{}/{}", self.order, self.id))
            .unwrap_or_else(|_| self.order.clone());
        Ok(Replenishment {
            id,
            lane: Lane {
                supplier: self.vendor.clone(),
                origin: self.manufacturing_site.clone(),
                destination: self.country.clone(),
                mode,
            },
            sku: self.item.as_deref().and_then(|i| Sku::new(i).ok()),
            quantity: self.quantity,
            ordered_on,
            forecast_arrival: self.scheduled,
            actual_arrival: self.delivered,
            stages: Vec::new(),
        })
    }
}

/// The canonical name of the line value column.
const LINE_VALUE: &str = "Line Item Value";

const COLUMNS: &[Column] = &[
    req("ID", &["id"]),
    req("PO / SO #", &["poso"]),
    req("Country", &["country"]),
    opt("Fulfill Via", &["fulfillvia"]),
    req("Shipment Mode", &["shipmentmode"]),
    req("PO Sent to Vendor Date", &["posenttovendordate"]).dated(),
    req("Scheduled Delivery Date", &["scheduleddeliverydate"]).dated(),
    req("Delivered to Client Date", &["deliveredtoclientdate"]).dated(),
    req("Vendor", &["vendor"]),
    opt("Manufacturing Site", &["manufacturingsite"]),
    opt("Item Description", &["itemdescription"]),
    opt("Line Item Quantity", &["lineitemquantity"]),
    opt(LINE_VALUE, &["lineitemvalue"]),
    opt("Weight (Kilograms)", &["weightkilograms"]),
    opt("Freight Cost (USD)", &["freightcostusd"]),
];

fn build(row: &Row<'_>) -> Result<Built<ScmsShipment>, ReadError> {
    let Some(scheduled) = row.date(6)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(6))));
    };
    let Some(delivered) = row.date(7)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(7))));
    };
    let id = row.quantity(0)?.get();
    let id = u64::try_from(id).map_err(|_| ReadError::InvalidQuantity {
        report: REPORT,
        line: row.line,
        sku: None,
        column: row.column_name(0),
        value: id.to_string(),
    })?;
    // The line value only values the shipment: an unreadable one is set
    // aside, not allowed to cost the shipment its lead-time dates.
    let (line_value, line_value_unread) = row.lenient_amount(12);
    Ok(Built::Row(ScmsShipment {
        id,
        order: row.value(1)?,
        country: row.value(2)?,
        fulfill_via: row.owned(3)?,
        mode: row.text(4)?.and_then(ScmsMode::parse),
        po_sent: row.date(5)?,
        scheduled,
        delivered,
        vendor: row.value(8)?,
        manufacturing_site: row.text(9)?.and_then(|s| LocationId::new(s).ok()),
        item: row.owned(10)?,
        quantity: row.opt_quantity(11)?,
        line_value,
        line_value_unread,
        weight_kg: row.amount_or_note(13),
        freight_usd: row.amount_or_note(14),
        line: row.line,
    }))
}

reader!(
    /// Streams [`ScmsShipment`]s from the SCMS Delivery History CSV
    /// (either the published export or the lower-case Socrata variant:
    /// headers match ignoring case and punctuation).
    ///
    /// Required columns: `ID`, `PO / SO #`, `Country`, `Shipment Mode`,
    /// `PO Sent to Vendor Date`, `Scheduled Delivery Date`, `Delivered to
    /// Client Date`, `Vendor`. A scheduled or delivered date with no
    /// digits skips the line under [`SkipReason::DateNotCaptured`]; a PO
    /// date without digits is kept as `None` (5,404 `From RDC` lines have
    /// none); weight and freight cells holding notes are `None`. Use
    /// [`ScmsReader::replenishments`] for core replenishments.
    ///
    /// Ids, the order, country and vendor, the dates and the quantity are
    /// strict: a cell that cannot be read refuses the shipment (an `ID`
    /// or quantity that is not a whole number is
    /// [`ReadError::InvalidQuantity`], a date in no known form
    /// [`ReadError::InvalidDate`]). The line value is not: it only values
    /// the shipment, so a `Line Item Value` cell that holds no amount
    /// (`1,234.50`, `USD 551`, `1e3`, invalid UTF-8) leaves
    /// [`ScmsShipment::line_value`] `None` and the shipment is still
    /// yielded with its dates, flagged:
    /// [`ScmsShipment::line_value_unread`] holds the cell as written,
    /// [`ScmsShipment::line_value_error`] names line, column and cell,
    /// and [`ReadStats::unread_amount_rows`](crate::ReadStats::unread_amount_rows)
    /// counts such shipments. A caller that must have every value refuses
    /// shipments whose `line_value_unread` is set. Weight and freight
    /// cells that are not amounts are `None` without a flag or a count:
    /// those columns mix numbers and notes by design.
    ///
    /// ```
    /// use merchantry_amazon::ScmsReader;
    /// let file = "ID,PO / SO #,Country,Shipment Mode,PO Sent to Vendor Date,Scheduled Delivery Date,Delivered to Client Date,Vendor\n\
    ///             7,SCMS-1,Vietnam,Air,11/13/06,2-Jan-07,5-Jan-07,ACME\n\
    ///             8,SO-2,Vietnam,Truck,N/A - From RDC,2-Jan-07,5-Jan-07,SCMS from RDC\n";
    /// let mut reps = ScmsReader::new(file.as_bytes())?.replenishments();
    /// let r = reps.next().unwrap()?;
    /// assert_eq!(r.actual_days(), 53);
    /// assert_eq!(r.variance_days(), 3);
    /// assert!(reps.next().is_none());
    /// assert_eq!(reps.stats().skipped_total(), 1);
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    ScmsReader,
    ScmsShipment,
    REPORT,
    COLUMNS,
    build
);

impl<R: Read> ScmsReader<R> {
    /// Turns the reader into a stream of core replenishments, skipping
    /// (and counting) lines [`ScmsShipment::to_replenishment`] refuses.
    #[must_use]
    pub fn replenishments(self) -> ScmsReplenishments<R> {
        ScmsReplenishments { reader: self, stats: ReadStats::default() }
    }
}

/// Core [`Replenishment`]s from SCMS lines; see
/// [`ScmsReader::replenishments`].
pub struct ScmsReplenishments<R: Read> {
    reader: ScmsReader<R>,
    /// Skips made here, on top of the reader's.
    stats: ReadStats,
}

impl<R: Read> ScmsReplenishments<R> {
    /// The reader's counts, with the lines skipped here moved from
    /// `rows` into `skipped`. `unread_amount_rows` still counts every
    /// line read with an unreadable line value, skipped here or not.
    #[must_use]
    pub fn stats(&self) -> ReadStats {
        let mut stats = self.reader.stats().clone();
        stats.rows = stats.rows.saturating_sub(self.stats.skipped_total());
        for (reason, n) in &self.stats.skipped {
            *stats.skipped.entry(reason.clone()).or_insert(0) += n;
        }
        for (reason, line) in &self.stats.first_skipped_at {
            let first = stats.first_skipped_at.entry(reason.clone()).or_insert(*line);
            *first = (*first).min(*line);
        }
        stats
    }
}

impl<R: Read> Iterator for ScmsReplenishments<R> {
    type Item = Result<Replenishment, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.reader.next()? {
                Ok(line) => match line.to_replenishment() {
                    Ok(r) => return Some(Ok(r)),
                    Err(reason) => self.stats.skip_at(reason, line.line),
                },
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
