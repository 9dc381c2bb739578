//! Cell parsers: dates, whole numbers, decimals and header names.
//!
//! They work on bytes, allocate nothing and never panic.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// How to read an all-numeric date with slashes, `01/02/2026`.
///
/// Amazon's US reports write month first; reports downloaded from some
/// European and Japanese marketplaces write day first. Dates with dots
/// (`01.02.2026`) are always day first, ISO dates (`2026-02-01`) are
/// unambiguous, and `2-Jun-06` names its month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DateOrder {
    /// `MM/DD/YYYY` (the default).
    #[default]
    MonthFirst,
    /// `DD/MM/YYYY`.
    DayFirst,
}

/// Why a date cell was refused: it holds digits but matches no accepted
/// format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotADate;

/// Reads a date cell.
///
/// Accepted, with surrounding whitespace ignored:
///
/// | form | example |
/// | --- | --- |
/// | ISO 8601 date, optionally with a time | `2026-03-01`, `2026-03-01T10:00:00+00:00`, `2023-01-03 10:00:00 UTC` |
/// | slashes, by `order`; two-digit years | `03/01/2026`, `3/1/26` |
/// | a month and year (monthly roll-ups): the first of the month | `03/2026` |
/// | dots, day first | `01.03.2026` |
/// | day, English month abbreviation, year | `2-Jun-06`, `02-Jun-2006` |
///
/// A time after the date (after `T` or a space) is ignored: the result is
/// the calendar day as written in the report, whatever zone or offset
/// follows. Two-digit years `00`-`69` are 2000-2069 and `70`-`99` are
/// 1970-1999.
///
/// A cell with no ASCII digit at all (empty, `Date Not Captured`,
/// `N/A - From RDC`, `Pre-PQ Process`) is a placeholder: `Ok(None)`. Each
/// reader documents what it does with a placeholder in a column it needs.
///
/// # Errors
///
/// [`NotADate`] when the cell holds a digit but fits no form above, or
/// names a day that does not exist (`02/30/2026`).
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_amazon::{DateOrder, parse_date};
/// let d = NaiveDate::from_ymd_opt(2026, 3, 1);
/// assert_eq!(parse_date("03/01/2026", DateOrder::MonthFirst), Ok(d));
/// assert_eq!(parse_date("2026-03-01T23:59:59-08:00", DateOrder::MonthFirst), Ok(d));
/// assert_eq!(parse_date("1-Mar-26", DateOrder::MonthFirst), Ok(d));
/// assert_eq!(parse_date("Date Not Captured", DateOrder::MonthFirst), Ok(None));
/// assert!(parse_date("13/45/2026", DateOrder::MonthFirst).is_err());
/// ```
pub fn parse_date(
    cell: &str,
    order: DateOrder,
) -> std::result::Result<Option<NaiveDate>, NotADate> {
    let text = cell.trim().as_bytes();
    if !text.iter().any(u8::is_ascii_digit) {
        return Ok(None);
    }
    parse_date_bytes(text, order).map(Some).ok_or(NotADate)
}

fn parse_date_bytes(text: &[u8], order: DateOrder) -> Option<NaiveDate> {
    // The date ends at the first `T` after a digit or at a space.
    let end = (0..text.len())
        .find(|&i| match text.get(i) {
            Some(b' ') => true,
            Some(b'T') => {
                i.checked_sub(1).and_then(|p| text.get(p)).is_some_and(u8::is_ascii_digit)
            }
            _ => false,
        })
        .unwrap_or(text.len());
    let (date, rest) = text.split_at(end);
    if !time_is_plausible(rest) {
        return None;
    }
    if let Some(d) = iso(date) {
        return Some(d);
    }
    let parts: Vec<&[u8]> = split3(date)?;
    match (parts.as_slice(), separator(date)?) {
        ([a, b], b'/') => month_year(a, b),
        ([a, b, c], b'/') => match order {
            DateOrder::MonthFirst => ymd(c, a, b),
            DateOrder::DayFirst => ymd(c, b, a),
        },
        ([d, m, y], b'.') => ymd(y, m, d),
        ([d, m, y], b'-') => {
            let month = month_name(m)?;
            build(year(y)?, month, number(d)?)
        }
        _ => None,
    }
}

/// After the date: nothing, or `T`/space then something starting with a
/// digit (a time) or a zone name such as `UTC`.
fn time_is_plausible(rest: &[u8]) -> bool {
    match rest.split_first() {
        None => true,
        Some((b'T', tail)) => tail.first().is_some_and(u8::is_ascii_digit),
        Some((_, tail)) => tail.first().is_some_and(u8::is_ascii_alphanumeric),
    }
}

fn iso(date: &[u8]) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *date else {
        return None;
    };
    build(number(&[y0, y1, y2, y3])?, number(&[m0, m1])?, number(&[d0, d1])?)
}

fn separator(date: &[u8]) -> Option<u8> {
    date.iter().copied().find(|b| matches!(b, b'/' | b'.' | b'-'))
}

fn split3(date: &[u8]) -> Option<Vec<&[u8]>> {
    let sep = separator(date)?;
    let parts: Vec<&[u8]> = date.split(|&b| b == sep).collect();
    (parts.len() <= 3).then_some(parts)
}

fn month_year(m: &[u8], y: &[u8]) -> Option<NaiveDate> {
    if y.len() != 4 {
        return None;
    }
    build(year(y)?, number(m)?, 1)
}

fn ymd(y: &[u8], m: &[u8], d: &[u8]) -> Option<NaiveDate> {
    build(year(y)?, number(m)?, number(d)?)
}

fn build(year: u32, month: u32, day: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

fn year(text: &[u8]) -> Option<u32> {
    let value = number(text)?;
    match text.len() {
        2 if value < 70 => Some(2000 + value),
        2 => Some(1900 + value),
        4 => Some(value),
        _ => None,
    }
}

/// One to four ASCII digits.
fn number(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    text.iter()
        .try_fold(0_u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

fn month_name(text: &[u8]) -> Option<u32> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"jan", b"feb", b"mar", b"apr", b"may", b"jun", b"jul", b"aug", b"sep", b"oct", b"nov",
        b"dec",
    ];
    let [a, b, c] = *text else {
        return None;
    };
    let key = [a.to_ascii_lowercase(), b.to_ascii_lowercase(), c.to_ascii_lowercase()];
    let index = MONTHS.iter().position(|m| **m == key)?;
    u32::try_from(index + 1).ok()
}

/// Reads a whole number: an optional sign and ASCII digits, surrounding
/// whitespace ignored. `None` when the text is anything else or does not
/// fit in an `i64`.
///
/// ```
/// use merchantry_amazon::parse_quantity;
/// assert_eq!(parse_quantity(b" -4 "), Some(-4));
/// assert_eq!(parse_quantity(b"+12"), Some(12));
/// assert_eq!(parse_quantity(b"1.5"), None);
/// assert_eq!(parse_quantity(b"99999999999999999999"), None);
/// ```
#[must_use]
pub fn parse_quantity(text: &[u8]) -> Option<i64> {
    let text = text.trim_ascii();
    let (negative, digits) = match text.split_first()? {
        (b'-', rest) => (true, rest),
        (b'+', rest) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return None;
        }
        let digit = i64::from(b - b'0');
        value = value.checked_mul(10)?;
        value = if negative { value.checked_sub(digit)? } else { value.checked_add(digit)? };
    }
    Some(value)
}

/// Reads a decimal amount with a dot as the decimal separator, an
/// optional sign, surrounding whitespace ignored. Thousands separators are
/// refused rather than guessed.
///
/// ```
/// use merchantry_amazon::parse_amount;
/// use rust_decimal::Decimal;
/// assert_eq!(parse_amount("-3.22"), Some(Decimal::new(-322, 2)));
/// assert_eq!(parse_amount("1,234.00"), None);
/// ```
#[must_use]
pub fn parse_amount(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let well_formed = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|&b| b == b'.').count() <= 1
        && body.bytes().any(|b| b.is_ascii_digit());
    if !well_formed {
        return None;
    }
    text.parse::<Decimal>().ok()
}

/// The key a header cell is matched on: ASCII letters and digits only,
/// lower-cased. `Event Type`, `EventType`, `event-type` and `EVENT_TYPE`
/// all become `eventtype`; a byte-order mark or other non-ASCII bytes
/// vanish.
pub(crate) fn header_key(cell: &[u8]) -> String {
    cell.iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(|b| char::from(b.to_ascii_lowercase()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn accepts_every_documented_form() {
        let mf = DateOrder::MonthFirst;
        let cases = [
            ("03/01/2026", d(2026, 3, 1)),
            ("3/1/26", d(2026, 3, 1)),
            ("11/13/06", d(2006, 11, 13)),
            ("12/31/99", d(1999, 12, 31)),
            ("2026-03-01", d(2026, 3, 1)),
            ("2023-07-18T22:54:07+00:00", d(2023, 7, 18)),
            ("2023-01-03 10:00:00 UTC", d(2023, 1, 3)),
            ("2010-12-01 08:26:00", d(2010, 12, 1)),
            ("03/2026", d(2026, 3, 1)),
            ("01.03.2026", d(2026, 3, 1)),
            ("2-Jun-06", d(2006, 6, 2)),
            ("14-NOV-2006", d(2006, 11, 14)),
            ("14-OCT-06", d(2006, 10, 14)),
            ("03/01/2026 14:05:00", d(2026, 3, 1)),
            ("  03/01/2026 ", d(2026, 3, 1)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_date(text, mf), Ok(want), "{text}");
        }
        assert_eq!(parse_date("03/01/2026", DateOrder::DayFirst), Ok(d(2026, 1, 3)));
    }

    #[test]
    fn placeholders_are_none_and_garbage_is_an_error() {
        for text in ["", "Date Not Captured", "N/A - From RDC", "Pre-PQ Process", " - "] {
            assert_eq!(parse_date(text, DateOrder::MonthFirst), Ok(None), "{text}");
        }
        for text in [
            "02/30/2026",
            "2026-3-1",
            "13/01/2026",
            "1/2/3/4",
            "2-Foo-06",
            "03/2026x",
            "2026-03-01Tx",
            "2026-03-01T",
            "123456",
            "1/2",
        ] {
            assert_eq!(parse_date(text, DateOrder::MonthFirst), Err(NotADate), "{text}");
        }
    }

    #[test]
    fn quantities_are_checked() {
        assert_eq!(parse_quantity(b"0"), Some(0));
        assert_eq!(parse_quantity(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_quantity(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_quantity(b"9223372036854775808"), None);
        for bad in [&b""[..], b"-", b"+", b"1 2", b"Quantity", b"--1", b"1e3"] {
            assert_eq!(parse_quantity(bad), None);
        }
    }

    #[test]
    fn amounts_are_plain_decimals() {
        assert_eq!(parse_amount("19.99"), Some(Decimal::new(1999, 2)));
        assert_eq!(parse_amount(".5"), Some(Decimal::new(5, 1)));
        for bad in ["", "-", "1.2.3", "1e3", "NaN", "12,5", "."] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }

    #[test]
    fn header_keys_ignore_spelling() {
        for cell in ["Event Type", "EventType", "event-type", "EVENT_TYPE", "\u{feff}Event Type"] {
            assert_eq!(header_key(cell.as_bytes()), "eventtype");
        }
    }
}
