//! The UCI Online Retail transactions (Chen, Sain and Guo 2012; UCI
//! Machine Learning Repository data set 352, CC BY 4.0): every invoice
//! line of a UK online retailer, December 2010 to December 2011.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{CoreError, DemandRecord, Quantity, Sku};
use rust_decimal::Decimal;

use crate::error::{ReadError, SkipReason};
use crate::table::{Built, Column, Row, opt, reader, req};

const REPORT: &str = "uci online retail";

/// What an invoice line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum RetailLineKind {
    /// A sale of a product (invoice number all digits).
    Sale,
    /// An invoice number starting with `C`: a cancellation, or a return
    /// after delivery. The data does not tell the two apart and carries
    /// no link to the cancelled invoice; the quantity is negative.
    Cancellation,
    /// A stock adjustment: a negative quantity on an ordinary invoice
    /// (damages, write-offs, usually at price 0), or an invoice starting
    /// with `A` (bad-debt adjustments).
    Adjustment,
    /// A line whose stock code does not start with a digit: postage
    /// (`POST`, `DOT`, `C2`), manual lines (`M`, `D`, `S`), bank and
    /// marketplace charges, gift vouchers, and a few bundles (`DCGS...`).
    /// Not a product, so not demand.
    NonProduct,
}

/// One invoice line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RetailLine {
    /// The invoice number as written (`536365`, `C536379`).
    pub invoice: String,
    /// What the line is, see [`RetailLineKind`] for the rules.
    pub kind: RetailLineKind,
    /// The stock code, as a SKU.
    pub stock_code: Sku,
    /// The description; may be empty. See
    /// [`RetailLine::description_lossy`].
    pub description: String,
    /// Whether `description` had invalid UTF-8 replaced by U+FFFD (allowed by
    /// [`ReadOptions::lossy_text`](crate::ReadOptions::lossy_text)): the
    /// description is for display only, never an identifier.
    pub description_lossy: bool,
    /// Units, signed as in the file (negative for cancellations and
    /// adjustments).
    pub quantity: Quantity,
    /// The invoice day (the time of day is dropped).
    pub date: NaiveDate,
    /// Price per unit in pounds sterling.
    pub unit_price: Decimal,
    /// The customer number, when given.
    pub customer_id: Option<String>,
    /// The customer's country.
    pub country: Option<String>,
    /// The line in the file.
    pub line: u64,
}

const COLUMNS: &[Column] = &[
    req("InvoiceNo", &["invoiceno", "invoice"]),
    req("StockCode", &["stockcode"]).sku_column(),
    opt("Description", &["description"]),
    req("Quantity", &["quantity"]),
    req("InvoiceDate", &["invoicedate"]).dated(),
    req("UnitPrice", &["unitprice", "price"]),
    opt("CustomerID", &["customerid"]),
    opt("Country", &["country"]),
];

fn classify(invoice: &str, stock_code: &str, quantity: Quantity) -> RetailLineKind {
    if !stock_code.starts_with(|c: char| c.is_ascii_digit()) {
        RetailLineKind::NonProduct
    } else if invoice.starts_with(['C', 'c']) {
        RetailLineKind::Cancellation
    } else if invoice.starts_with(['A', 'a']) || quantity.is_negative() {
        RetailLineKind::Adjustment
    } else {
        RetailLineKind::Sale
    }
}

fn build(row: &Row<'_>) -> Result<Built<RetailLine>, ReadError> {
    let Some(date) = row.date(4)? else {
        return Ok(Built::Skip(SkipReason::no_date(row.column_name(4))));
    };
    let invoice = row.required(0)?;
    let stock_code: Sku = row.value(1)?;
    let quantity = row.quantity(3)?;
    let unit_price = row.opt_amount(5)?.ok_or(ReadError::MissingValue {
        report: REPORT,
        line: row.line,
        sku: None,
        column: row.column_name(5),
    })?;
    let (description, description_lossy) = row.lossy(2)?;
    Ok(Built::Row(RetailLine {
        invoice: invoice.to_owned(),
        kind: classify(invoice, stock_code.as_str(), quantity),
        stock_code,
        description,
        description_lossy,
        quantity,
        date,
        unit_price,
        customer_id: row.owned(6)?,
        country: row.owned(7)?,
        line: row.line,
    }))
}

reader!(
    /// Streams [`RetailLine`]s from the UCI Online Retail CSV (the caller
    /// un-gzips the bundled parts, for example with `flate2`).
    ///
    /// Required columns: `InvoiceNo`, `StockCode`, `Quantity`,
    /// `InvoiceDate`, `UnitPrice`. Every line is yielded with its
    /// [`RetailLineKind`]; nothing is dropped by the reader.
    ///
    /// ```
    /// use merchantry_amazon::{RetailLineKind, UciRetailReader};
    /// let file = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n\
    ///             536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850,United Kingdom\n\
    ///             C536379,85123A,WHITE HANGING HEART T-LIGHT HOLDER,-1,2010-12-01 09:41:00,2.55,14527,United Kingdom\n";
    /// let kinds: Vec<_> = UciRetailReader::new(file.as_bytes())?
    ///     .map(|line| line.map(|l| l.kind))
    ///     .collect::<Result<_, _>>()?;
    /// assert_eq!(kinds, [RetailLineKind::Sale, RetailLineKind::Cancellation]);
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    UciRetailReader,
    RetailLine,
    REPORT,
    COLUMNS,
    build
);

/// One stock code's day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RetailDay {
    /// Units sold (sum of sale lines).
    pub sold: Quantity,
    /// Units cancelled or returned, as a positive count.
    pub cancelled: Quantity,
    /// Net units of adjustment lines, signed as in the file.
    pub adjusted: Quantity,
}

impl RetailDay {
    /// Net demand: sold minus cancelled (adjustments are stock events,
    /// not demand).
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] on overflow.
    pub fn net_demand(&self) -> Result<Quantity, CoreError> {
        self.sold.checked_sub(self.cancelled)
    }
}

/// Sales, cancellations and adjustments per stock code per day, folded
/// from [`RetailLine`]s. Non-product lines are counted apart and left
/// out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetailDaily {
    days: BTreeMap<(Sku, NaiveDate), RetailDay>,
    non_product_lines: u64,
}

impl RetailDaily {
    /// Adds one line.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when a total leaves 64 bits; the
    /// fold is then unchanged.
    pub fn add(&mut self, line: &RetailLine) -> Result<(), CoreError> {
        if line.kind == RetailLineKind::NonProduct {
            self.non_product_lines += 1;
            return Ok(());
        }
        let mut day =
            self.days.get(&(line.stock_code.clone(), line.date)).copied().unwrap_or_default();
        match line.kind {
            RetailLineKind::Sale => day.sold = day.sold.checked_add(line.quantity)?,
            RetailLineKind::Cancellation => {
                day.cancelled = day.cancelled.checked_sub(line.quantity)?;
            }
            _ => day.adjusted = day.adjusted.checked_add(line.quantity)?,
        }
        self.days.insert((line.stock_code.clone(), line.date), day);
        Ok(())
    }

    /// Every (stock code, day) with its totals, sorted.
    pub fn days(&self) -> impl Iterator<Item = (&Sku, NaiveDate, &RetailDay)> {
        self.days.iter().map(|((sku, date), day)| (sku, *date, day))
    }

    /// Lines left out as non-product.
    #[must_use]
    pub const fn non_product_lines(&self) -> u64 {
        self.non_product_lines
    }

    /// Net demand per stock code per day as core records (in stock every
    /// day: the data carries no stock levels).
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] on overflow.
    pub fn demand_records(&self) -> Result<Vec<DemandRecord>, CoreError> {
        self.days
            .iter()
            .map(|((sku, date), day)| {
                Ok(DemandRecord {
                    sku: sku.clone(),
                    date: *date,
                    units: day.net_demand()?,
                    stocked_out: false,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_rules() {
        let q = Quantity::new;
        assert_eq!(classify("536365", "85123A", q(6)), RetailLineKind::Sale);
        assert_eq!(classify("C536379", "85123A", q(-1)), RetailLineKind::Cancellation);
        assert_eq!(classify("C536379", "D", q(-1)), RetailLineKind::NonProduct);
        assert_eq!(classify("536941", "22734", q(-20)), RetailLineKind::Adjustment);
        assert_eq!(classify("A563185", "B", q(1)), RetailLineKind::NonProduct);
        assert_eq!(classify("536365", "POST", q(1)), RetailLineKind::NonProduct);
    }
}
