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
    /// Average units on hand over the month, as reported (a decimal).
    pub average_quantity_on_hand: Option<Decimal>,
    /// Average volume stored, in the report's volume units.
    pub estimated_total_item_volume: Option<Decimal>,
    /// The unit of the volumes (`cubic feet`, `cubic meters`), when given.
    pub volume_units: Option<String>,
    /// The rate per volume unit per month.
    pub storage_rate: Option<Decimal>,
    /// The estimated fee for the month.
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
        column: row.column_name(9),
    })?;
    Ok(Built::Row(StorageFeeRow {
        asin: row.value(0)?,
        fnsku: row.opt_value(1)?,
        fulfillment_center: row.owned(2)?,
        country: row.owned(3)?,
        month,
        average_quantity_on_hand: row.opt_amount(5)?,
        estimated_total_item_volume: row.opt_amount(6)?,
        storage_rate: row.opt_amount(7)?,
        volume_units: row.owned(10)?,
        fee: Money::new(fee, currency),
        kind: ChargeKind::StorageFee,
        line: row.line,
    }))
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
    /// `None` when the volume is missing, or its unit is blank or neither
    /// cubic feet nor cubic metres.
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
        let volume = self.estimated_total_item_volume?;
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
