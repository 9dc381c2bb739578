//! The monthly storage fee report (`GET_FBA_STORAGE_FEE_CHARGES_DATA`):
//! the estimated storage fee per ASIN, fulfillment center and month.

use chrono::{Datelike, Months, NaiveDate};
use merchantry_core::{Asin, Currency, Fnsku, Money};
use rust_decimal::Decimal;

use crate::error::{ReadError, SkipReason};
use crate::parse::header_key;
use crate::settlement::ChargeKind;
use crate::table::{Built, Column, Row, opt, reader, req};

const REPORT: &str = "storage fees";

/// One line of the monthly storage fee report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StorageFeeRow {
    /// The listing.
    pub asin: Asin,
    /// Amazon's label id, when given.
    pub fnsku: Option<Fnsku>,
    /// The fulfillment center, when given.
    pub fulfillment_center: Option<String>,
    /// The marketplace country, when given.
    pub country: Option<String>,
    /// The first day of the month charged (`month_of_charge`, written
    /// `YYYY-MM` or as a date; a date on another day of the month stands
    /// for its month: `2026-01-31` is `2026-01-01`).
    pub month: NaiveDate,
    /// Average units on hand over the month, as reported (a decimal,
    /// zero or more).
    pub average_quantity_on_hand: Option<Decimal>,
    /// Average volume stored, in the report's volume units (zero or
    /// more).
    pub estimated_total_item_volume: Option<Decimal>,
    /// The unit of the volumes (`cubic feet`, `cubic meters`), when given.
    pub volume_units: Option<String>,
    /// The rate per volume unit per month (zero or more).
    pub storage_rate: Option<Decimal>,
    /// The estimated fee for the month, a charge written as zero or more.
    pub fee: Money,
    /// The kind it maps to: always [`ChargeKind::StorageFee`].
    pub kind: ChargeKind,
    /// The line of the row in the file.
    pub line: u64,
}

const COLUMNS: &[Column] = &[
    req("asin", &["asin"]),
    opt("fnsku", &["fnsku"]),
    opt("fulfillment_center", &["fulfillmentcenter", "fulfillmentcenterid"]),
    opt("country_code", &["countrycode", "country"]),
    req("month_of_charge", &["monthofcharge"]).dated(),
    opt("average_quantity_on_hand", &["averagequantityonhand"]),
    opt("estimated_total_item_volume", &["estimatedtotalitemvolume"]),
    opt("storage_rate", &["storagerate"]),
    req("currency", &["currency"]),
    req("estimated_monthly_storage_fee", &["estimatedmonthlystoragefee"]),
    opt("volume_units", &["volumeunits"]),
];

fn build(row: &Row<'_>) -> Result<Built<StorageFeeRow>, ReadError> {
    let month_text = row.required(4)?;
    // `2026-03` is a month; anything else goes through the date parser,
    // and a date stands for the month it falls in.
    let month = match parse_year_month(month_text) {
        Some(month) => month,
        None => match row.date(4)? {
            Some(date) => date.with_day(1).unwrap_or(date),
            None => return Ok(Built::Skip(SkipReason::no_date(row.column_name(4)))),
        },
    };
    let currency: Currency = row.value(8)?;
    let fee = row.opt_amount(9)?.ok_or(ReadError::MissingValue {
        report: REPORT,
        line: row.line,
        sku: None,
        column: row.column_name(9),
    })?;
    // A charge, never a credit: see the reader's docs.
    not_negative(row, 9, Some(fee))?;
    Ok(Built::Row(StorageFeeRow {
        asin: row.value(0)?,
        fnsku: row.opt_value(1)?,
        fulfillment_center: row.owned(2)?,
        country: row.owned(3)?,
        month,
        average_quantity_on_hand: not_negative(row, 5, row.opt_amount(5)?)?,
        estimated_total_item_volume: not_negative(row, 6, row.opt_amount(6)?)?,
        storage_rate: not_negative(row, 7, row.opt_amount(7)?)?,
        volume_units: row.owned(10)?,
        fee: Money::new(fee, currency),
        kind: ChargeKind::StorageFee,
        line: row.line,
    }))
}

/// `value`, refused as [`ReadError::NegativeValue`] naming column `index`
/// when it is below zero (`-0` is zero).
fn not_negative(
    row: &Row<'_>,
    index: usize,
    value: Option<Decimal>,
) -> Result<Option<Decimal>, ReadError> {
    match value {
        Some(v) if v < Decimal::ZERO => Err(ReadError::NegativeValue {
            report: REPORT,
            line: row.line,
            sku: None,
            column: row.column_name(index),
            value: v,
        }),
        _ => Ok(value),
    }
}

/// Cubic metres in one cubic foot, exactly (0.3048 m cubed).
fn cubic_metres_per_cubic_foot() -> Decimal {
    Decimal::new(28_316_846_592, 12)
}

impl StorageFeeRow {
    /// Cubic feet times days stored in the month charged: the average
    /// volume the report gives (`estimated_total_item_volume`), converted
    /// from cubic metres when the report is metric, times the days of
    /// the month. The driver a margin model splits storage fees by.
    ///
    /// `None` when the volume is missing or negative (the reader refuses
    /// a negative one; a row built by hand may hold it), or its unit is
    /// blank or neither cubic feet nor cubic metres.
    ///
    /// ```
    /// use merchantry_amazon::StorageFeeReader;
    /// let file = "asin\tvolume_units\testimated_total_item_volume\tmonth_of_charge\tcurrency\testimated_monthly_storage_fee\n\
    ///             B0TEST0001\tcubic feet\t12\t2026-03\tUSD\t9.36\n";
    /// let row = StorageFeeReader::new(file.as_bytes())?.next().unwrap()?;
    /// // 12 cubic feet on average over March's 31 days
    /// assert_eq!(row.cubic_foot_days().map(|v| v.to_string()), Some("372".to_owned()));
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    #[must_use]
    pub fn cubic_foot_days(&self) -> Option<Decimal> {
        let volume =
            self.estimated_total_item_volume.filter(|v| !v.is_sign_negative() || v.is_zero())?;
        let unit = header_key(self.volume_units.as_deref()?.as_bytes());
        let cubic_feet = match unit.as_str() {
            "cubicfeet" | "cubicfoot" | "cuft" | "ft3" => volume,
            "cubicmeters" | "cubicmetres" | "cubicmeter" | "cubicmetre" | "m3" => {
                volume.checked_div(cubic_metres_per_cubic_foot())?
            }
            _ => return None,
        };
        let next = self.month.checked_add_months(Months::new(1))?;
        let days = (next - self.month).num_days();
        cubic_feet.checked_mul(Decimal::from(days))
    }
}

fn parse_year_month(text: &str) -> Option<NaiveDate> {
    let (y, m) = text.trim().split_once('-')?;
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
}

reader!(
    /// Streams [`StorageFeeRow`]s from a monthly storage fee download.
    ///
    /// Required columns: `asin`, `month_of_charge`, `currency`,
    /// `estimated_monthly_storage_fee`. The fee is charged to the seller;
    /// it is reported here as a positive amount, as Amazon writes it.
    ///
    /// Volume, rate, average units on hand and fee are zero or more: a
    /// negative one would make negative cubic-foot-days, a negative
    /// driver that pulls storage cost away from one line onto the
    /// others. Such a row is refused as [`ReadError::NegativeValue`],
    /// naming its line and column; the reader goes on with the next row.
    /// The report prints the fee as a charge; the discounts its layout
    /// carries sit in columns of their own
    /// (`total_incentive_fee_amount`, `breakdown_incentive_fee_amount`),
    /// which this reader does not read. A negative fee (a credit, should
    /// one ever be printed) is refused too, never netted against the
    /// charges: its error names `estimated_monthly_storage_fee`
    /// ([`ReadError::column`]), which tells it from a bad volume or rate,
    /// and carries the amount, so a caller that meets one can book it
    /// as a credit by hand.
    ///
    /// ```
    /// use merchantry_amazon::StorageFeeReader;
    /// let file = "asin\tfnsku\tfulfillment_center\tmonth_of_charge\tcurrency\testimated_monthly_storage_fee\n\
    ///             B0TEST0001\tX00TEST001\tABE2\t2026-03\tUSD\t1.25\n";
    /// let row = StorageFeeReader::new(file.as_bytes())?.next().unwrap()?;
    /// assert_eq!(row.month.to_string(), "2026-03-01");
    /// assert_eq!(row.fee.to_string(), "1.25 USD");
    /// # Ok::<(), merchantry_amazon::ReadError>(())
    /// ```
    StorageFeeReader,
    StorageFeeRow,
    REPORT,
    COLUMNS,
    build
);

#[cfg(test)]
mod tests {
    use super::*;

    /// A negative volume was read as written: -12 cubic feet over
    /// March's 31 days gave -372 cubic-foot-days, a driver that moved
    /// storage cost off the row's SKU onto the others. Negative volume,
    /// rate, units on hand and fee are refused, naming line and column;
    /// `-0` is zero.
    #[test]
    fn negative_volumes_rates_and_fees_are_refused() {
        let file = "asin\tvolume_units\testimated_total_item_volume\tstorage_rate\t\
                    average_quantity_on_hand\tmonth_of_charge\tcurrency\testimated_monthly_storage_fee\n\
                    B0TEST0001\tcubic feet\t-12\t0.78\t60\t2026-03\tUSD\t9.36\n\
                    B0TEST0001\tcubic feet\t12\t-0.78\t60\t2026-03\tUSD\t9.36\n\
                    B0TEST0001\tcubic feet\t12\t0.78\t-60\t2026-03\tUSD\t9.36\n\
                    B0TEST0001\tcubic feet\t12\t0.78\t60\t2026-03\tUSD\t-9.36\n\
                    B0TEST0001\tcubic feet\t-0\t0.78\t0\t2026-03\tUSD\t0.00\n\
                    B0TEST0001\tcubic feet\t12\t0.78\t60\t2026-03\tUSD\t9.36\n";
        let mut reader = StorageFeeReader::new(file.as_bytes()).unwrap();
        let rows: Vec<_> = reader.by_ref().collect();
        let refused: Vec<_> = rows[..4]
            .iter()
            .map(|r| match r {
                Err(ReadError::NegativeValue { line, column, value, .. }) => {
                    (*line, *column, value.to_string())
                }
                other => panic!("expected a negative value, got {other:?}"),
            })
            .collect();
        assert_eq!(
            refused,
            [
                (2, "estimated_total_item_volume", "-12".to_owned()),
                (3, "storage_rate", "-0.78".to_owned()),
                (4, "average_quantity_on_hand", "-60".to_owned()),
                // A credit: told from a bad volume by its column.
                (5, "estimated_monthly_storage_fee", "-9.36".to_owned()),
            ]
        );
        assert_eq!(
            rows[3].as_ref().unwrap_err().to_string(),
            "storage fees: line 5, column \"estimated_monthly_storage_fee\": \
             -9.36 is negative, expected zero or more"
        );
        // -0 cubic feet is nothing stored: 0 cubic-foot-days. 12 cubic
        // feet x 31 days = 372.
        let days = |i: usize| rows[i].as_ref().unwrap().cubic_foot_days();
        assert_eq!((days(4), days(5)), (Some(Decimal::ZERO), Some(Decimal::from(372))));
        assert_eq!((reader.stats().rows, reader.stats().row_errors), (2, 4));
        // A row built by hand with a negative volume has no driver.
        let mut row = rows[5].as_ref().unwrap().clone();
        row.estimated_total_item_volume = Some(Decimal::from(-12));
        assert_eq!(row.cubic_foot_days(), None);
    }

    /// A month written as a date on its last day was kept as that day,
    /// so the driver counted the days from 31 January to 28 February
    /// (28) instead of January's 31: 2 cubic feet gave 56 cubic-foot-days
    /// instead of 2 x 31 = 62.
    #[test]
    fn a_month_written_as_a_date_is_its_first_day() {
        let file = "asin\tmonth_of_charge\tcurrency\testimated_monthly_storage_fee\t\
                    estimated_total_item_volume\tvolume_units\n\
                    B0TEST0001\t2026-01-31\tUSD\t1.56\t2\tcubic feet\n\
                    B0TEST0001\t2026-01\tUSD\t1.56\t2\tcubic feet\n";
        let rows: Vec<_> =
            StorageFeeReader::new(file.as_bytes()).unwrap().map(Result::unwrap).collect();
        let jan = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        for row in &rows {
            assert_eq!(row.month, jan, "line {}", row.line);
            assert_eq!(row.cubic_foot_days(), Some(Decimal::from(62)), "line {}", row.line);
        }
    }
}
