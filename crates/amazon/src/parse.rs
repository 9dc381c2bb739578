//! Cell parsers: dates, whole numbers, decimals and header names.
//!
//! They work on bytes, allocate nothing and never panic.

use chrono::{FixedOffset, NaiveDate};
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
/// follows. What may follow the date, separated by spaces, is a time
/// (`10:00`, `10:00:00`, `10:00:00.000`, joined after `T` to `Z` or an
/// offset such as `+00:00`), then `AM` or `PM` (only right after a time),
/// then at most one zone: an offset or an abbreviation that
/// [`zone_offset`] knows (`UTC`, `PST`, `MESZ`, `JST`, `UTC+1`, ...; its
/// table lists them by marketplace). A zone may follow the date alone.
/// The time must exist: hours 0-23, or 1-12 before `AM`/`PM`; minutes
/// 0-59; seconds 0-59, or 60 in the last minute of an hour (a leap
/// second). Anything else after the date (`25:61`, `10:00 PST PDT`, an
/// `AM` with no time, an unknown zone or one that is ambiguous across the
/// marketplaces such as `AST`) makes the cell not a date. Two-digit years
/// `00`-`69` are 2000-2069 and `70`-`99` are 1970-1999; four-digit years
/// before 1900 (`0000` included) are refused: no Amazon report holds
/// them, so they are placeholders or typos.
///
/// A cell with no ASCII digit at all (empty, `Date Not Captured`,
/// `N/A - From RDC`, `Pre-PQ Process`) is a placeholder: `Ok(None)`. Each
/// reader documents what it does with a placeholder in a column it needs.
///
/// # Errors
///
/// [`NotADate`] when the cell holds a digit but fits no form above
/// (an unknown or ambiguous zone name included), or names a day or a
/// time that does not exist (`02/30/2026`, `2026-03-01 24:00`).
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
/// assert_eq!(parse_date("03/01/2026 2:05 PM PST", DateOrder::MonthFirst), Ok(d));
/// assert!(parse_date("2026-03-01 25:61", DateOrder::MonthFirst).is_err());
/// assert!(parse_date("2026-03-01 10:00 PST PDT", DateOrder::MonthFirst).is_err());
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

/// After the date: nothing, or a time and what may follow a time.
///
/// After `T` comes a clock (`10:00`, `10:00:00`, `10:00:00.000`),
/// optionally joined to `Z` or an offset (`+00:00`, `-0700`, `+01`).
/// After a space come words separated by spaces: optionally a clock
/// first, then `AM` or `PM` (only right after a clock), then at most one
/// zone: an offset or a zone name such as `UTC` or `PDT` (a `Z` or offset
/// joined to the clock is that zone). The clock must name a real time of
/// day: hours 0-23, or 1-12 before `AM`/`PM`; minutes 0-59; seconds 0-59,
/// or 60 in the last minute of an hour (a leap second, as ISO 8601
/// allows). Anything else (`03/01/2026 garbage`, `10:00 PST PDT`,
/// `25:61`, an `AM` with no time) is not a date.
fn time_is_plausible(rest: &[u8]) -> bool {
    let Some((&sep, tail)) = rest.split_first() else { return true };
    let mut words = tail.split(|&b| b == b' ').filter(|w| !w.is_empty()).peekable();
    let Some(&first) = words.peek() else { return false };
    if sep == b'T' && !tail.first().is_some_and(u8::is_ascii_digit) {
        return false;
    }
    let time = match clock(first) {
        Some(time) => {
            words.next();
            Some(time)
        }
        // After `T` the clock is required; after a space it may be left out.
        None if sep == b'T' => return false,
        None => None,
    };
    let mut zone_seen = time.is_some_and(|t| t.zoned);
    let mut meridiem_allowed = time.is_some();
    let hour_ok_alone = time.is_none_or(|t| t.hour <= 23);
    let mut meridiem_seen = false;
    for word in words {
        if meridiem_allowed
            && (word.eq_ignore_ascii_case(b"AM") || word.eq_ignore_ascii_case(b"PM"))
        {
            meridiem_seen = true;
        } else if !zone_seen && zone(word) {
            zone_seen = true;
        } else {
            return false;
        }
        // `AM`/`PM` comes right after the clock, before any zone.
        meridiem_allowed = false;
    }
    if meridiem_seen { time.is_some_and(|t| (1..=12).contains(&t.hour)) } else { hour_ok_alone }
}

/// A clock read by [`clock`]: its hour, and whether a zone (`Z` or an
/// offset) was joined to it.
#[derive(Clone, Copy)]
struct Clock {
    hour: u32,
    zoned: bool,
}

/// `H:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, then nothing, `Z` or an offset,
/// with minutes 0-59 and seconds 0-59 (60 when the minutes are 59: a
/// leap second). The hour is checked by the caller, which knows whether
/// `AM`/`PM` follows.
fn clock(word: &[u8]) -> Option<Clock> {
    let end = word.iter().position(|b| matches!(b, b'Z' | b'+' | b'-')).unwrap_or(word.len());
    let (time, zone) = word.split_at(end);
    let mut parts = time.split(|&b| b == b':');
    let hours = parts.next().filter(|h| (1..=2).contains(&h.len()) && digits(h))?;
    let minutes = parts.next().filter(|m| m.len() == 2 && digits(m))?;
    let minute = number(minutes)?;
    let seconds_ok = parts.next().is_none_or(|s| {
        let (whole, fraction) = match s.iter().position(|&b| b == b'.') {
            Some(dot) => (s.get(..dot).unwrap_or_default(), s.get(dot + 1..)),
            None => (s, None),
        };
        whole.len() == 2
            && digits(whole)
            && number(whole).is_some_and(|sec| sec <= 59 || (sec == 60 && minute == 59))
            && fraction.is_none_or(|f| (1..=9).contains(&f.len()) && digits(f))
    });
    let zone_ok = zone == b"Z" || offset(zone) || zone.is_empty();
    if minute > 59 || !seconds_ok || parts.next().is_some() || !zone_ok {
        return None;
    }
    Some(Clock { hour: number(hours)?, zoned: !zone.is_empty() })
}

/// `+HH`, `+HHMM` or `+HH:MM` (or with `-`).
fn offset(word: &[u8]) -> bool {
    offset_seconds(word, 2).is_some()
}

/// A zone word that may follow a time (or a bare date): an offset or a
/// zone name that [`zone_offset`] knows.
fn zone(word: &[u8]) -> bool {
    offset(word) || zone_seconds(word).is_some()
}

/// The time-zone abbreviations Amazon's marketplace reports print after
/// a time, with their offset from UTC in seconds. Each is unambiguous
/// across the marketplaces (see [`zone_offset`] for the list by
/// marketplace and for the names left out).
const ZONES: &[(&str, i32)] = &[
    // Universal.
    ("Z", 0),
    ("UTC", 0),
    ("GMT", 0),
    // North America: US, CA, MX (Mexico's zones share the US names).
    ("HST", -10 * HOUR),
    ("HDT", -9 * HOUR),
    ("AKST", -9 * HOUR),
    ("AKDT", -8 * HOUR),
    ("PST", -8 * HOUR),
    ("PDT", -7 * HOUR),
    ("MST", -7 * HOUR),
    ("MDT", -6 * HOUR),
    ("CST", -6 * HOUR),
    ("CDT", -5 * HOUR),
    ("EST", -5 * HOUR),
    ("EDT", -4 * HOUR),
    ("ADT", -3 * HOUR),
    ("NST", -3 * HOUR - 30 * MINUTE),
    ("NDT", -2 * HOUR - 30 * MINUTE),
    // Brazil: Brasilia time, and its summer time until 2019.
    ("BRT", -3 * HOUR),
    ("BRST", -2 * HOUR),
    // Europe: UK, then the central European zone in English, German
    // (MEZ/MESZ), French (HNEC/HAEC) and Dutch or older tz database
    // spelling (MET/MEST),
    // then western and eastern Europe, Turkey.
    ("BST", HOUR),
    ("WET", 0),
    ("WEST", HOUR),
    ("CET", HOUR),
    ("CEST", 2 * HOUR),
    ("MEZ", HOUR),
    ("MESZ", 2 * HOUR),
    ("HNEC", HOUR),
    ("HAEC", 2 * HOUR),
    ("MET", HOUR),
    ("MEST", 2 * HOUR),
    ("EET", 2 * HOUR),
    ("EEST", 3 * HOUR),
    ("TRT", 3 * HOUR),
    // Africa and the Gulf: South Africa, UAE.
    ("SAST", 2 * HOUR),
    ("GST", 4 * HOUR),
    // Asia and Oceania: India, Singapore, Japan, Korea, Australia.
    ("IST", 5 * HOUR + 30 * MINUTE),
    ("SGT", 8 * HOUR),
    ("JST", 9 * HOUR),
    ("KST", 9 * HOUR),
    ("AWST", 8 * HOUR),
    ("ACST", 9 * HOUR + 30 * MINUTE),
    ("ACDT", 10 * HOUR + 30 * MINUTE),
    ("AEST", 10 * HOUR),
    ("AEDT", 11 * HOUR),
];

const MINUTE: i32 = 60;
const HOUR: i32 = 60 * MINUTE;

/// The offset from UTC of a time-zone abbreviation found after a time in
/// a marketplace report, or `None` for a name it does not know or that
/// is ambiguous across the marketplaces.
///
/// Case is ignored. Besides the names below, `UTC` or `GMT` joined to an
/// offset is read as that offset: `UTC+1`, `GMT+05:30`, `GMT-0300`.
///
/// | marketplaces | names (offset from UTC) |
/// | --- | --- |
/// | all | `Z`, `UTC`, `GMT` (0) |
/// | US, CA, MX | `HST` (-10), `HDT` (-9), `AKST` (-9), `AKDT` (-8), `PST` (-8), `PDT` (-7), `MST` (-7), `MDT` (-6), `CST` (-6), `CDT` (-5), `EST` (-5), `EDT` (-4), `ADT` (-3), `NST` (-3:30), `NDT` (-2:30) |
/// | BR | `BRT` (-3), `BRST` (-2) |
/// | UK | `GMT` (0), `BST` (+1) |
/// | DE, FR, IT, ES, NL, BE, SE, PL | `CET` (+1), `CEST` (+2); German `MEZ` (+1), `MESZ` (+2); French `HNEC` (+1), `HAEC` (+2); `MET` (+1), `MEST` (+2) |
/// | western and eastern Europe, EG | `WET` (0), `WEST` (+1), `EET` (+2), `EEST` (+3) |
/// | TR | `TRT` (+3) |
/// | ZA | `SAST` (+2) |
/// | AE | `GST` (+4, Gulf Standard Time) |
/// | IN | `IST` (+5:30, India Standard Time) |
/// | SG | `SGT` (+8) |
/// | JP | `JST` (+9); also Korea's `KST` (+9) |
/// | AU | `AWST` (+8), `ACST` (+9:30), `ACDT` (+10:30), `AEST` (+10), `AEDT` (+11) |
///
/// Refused because two marketplaces read them differently: `AST` is
/// Atlantic Standard Time (-4) in Canada's eastern provinces but Arabia
/// Standard Time (+3) for SA (and AE's neighbours), so a Saudi report's
/// `AST` cannot be told from a Canadian one; write the offset
/// (`UTC+3`, `+03:00`) instead. `CST` and `IST` have other meanings
/// outside the marketplaces (China Standard Time, Israel or Irish
/// Standard Time); here they are the US/Mexican Central (-6) and India
/// (+5:30) zones, the meanings the marketplaces above give them. Ireland
/// also writes its summer time `IST` (+1): a report from an Irish
/// marketplace that prints it would be read as India's. Anything not
/// listed is refused.
///
/// ```
/// use chrono::FixedOffset;
/// use merchantry_amazon::zone_offset;
/// assert_eq!(zone_offset("MESZ"), FixedOffset::east_opt(2 * 3600));
/// assert_eq!(zone_offset("ist"), FixedOffset::east_opt(5 * 3600 + 30 * 60));
/// assert_eq!(zone_offset("UTC-3"), FixedOffset::west_opt(3 * 3600));
/// assert_eq!(zone_offset("AST"), None); // Atlantic or Arabia?
/// assert_eq!(zone_offset("XYZ"), None);
/// ```
#[must_use]
pub fn zone_offset(name: &str) -> Option<FixedOffset> {
    FixedOffset::east_opt(zone_seconds(name.trim().as_bytes())?)
}

/// [`zone_offset`] in seconds east of UTC.
fn zone_seconds(word: &[u8]) -> Option<i32> {
    if let Some(&(_, seconds)) =
        ZONES.iter().find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(word))
    {
        return Some(seconds);
    }
    let prefix = word.get(..3)?;
    let rest = word.get(3..)?;
    let universal = prefix.eq_ignore_ascii_case(b"UTC") || prefix.eq_ignore_ascii_case(b"GMT");
    if universal { offset_seconds(rest, 1) } else { None }
}

/// Seconds east of UTC of `+HH`, `+HHMM` or `+HH:MM` (or with `-`), with
/// at least `min_hour_digits` hour digits (1 allows `+1`, `-3:30`);
/// hours up to 23 and minutes up to 59.
fn offset_seconds(word: &[u8], min_hour_digits: usize) -> Option<i32> {
    let (&sign, rest) = word.split_first()?;
    let sign = match sign {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (hours, minutes): (&[u8], &[u8]) = match rest.iter().position(|&b| b == b':') {
        Some(colon) => (rest.get(..colon)?, rest.get(colon + 1..)?),
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, b"00"),
    };
    if !(min_hour_digits..=2).contains(&hours.len()) || minutes.len() != 2 {
        return None;
    }
    let (h, m) = (number(hours)?, number(minutes)?);
    if h > 23 || m > 59 {
        return None;
    }
    i32::try_from(h * 3600 + m * 60).ok().map(|s| sign * s)
}

fn digits(text: &[u8]) -> bool {
    text.iter().all(u8::is_ascii_digit)
}

fn iso(date: &[u8]) -> Option<NaiveDate> {
    let [y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1] = *date else {
        return None;
    };
    build(year(&[y0, y1, y2, y3])?, number(&[m0, m1])?, number(&[d0, d1])?)
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

/// The earliest four-digit year read as a date. Amazon's reports start in
/// the 1990s; a year such as `0000` or `0999` is a placeholder or a typo,
/// and refusing it beats reading it as a day two thousand years ago.
const FIRST_YEAR: u32 = 1900;

fn year(text: &[u8]) -> Option<u32> {
    let value = number(text)?;
    match text.len() {
        2 if value < 70 => Some(2000 + value),
        2 => Some(1900 + value),
        4 if value >= FIRST_YEAR => Some(value),
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
/// The value is exact or `None`: an amount with more significant digits
/// than a [`Decimal`] holds (28, or 29 below about 7.9e28), or beyond its
/// range, is refused, never rounded. Zeros ending the fraction do not
/// count.
///
/// ```
/// use merchantry_amazon::parse_amount;
/// use rust_decimal::Decimal;
/// assert_eq!(parse_amount("-3.22"), Some(Decimal::new(-322, 2)));
/// assert_eq!(parse_amount("1,234.00"), None);
/// assert_eq!(parse_amount("0.12345678901234567890123456789"), None);
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
    // Exactly or not at all: a value with more significant digits than
    // a `Decimal` holds (28 or 29) is refused, never rounded. Zeros at
    // the end of the fraction change no value, so they are dropped when
    // that is what makes it fit.
    Decimal::from_str_exact(text).ok().or_else(|| {
        let trimmed = if body.contains('.') { text.trim_end_matches('0') } else { text };
        Decimal::from_str_exact(trimmed).ok()
    })
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

    /// Amounts that do not fit a `Decimal` exactly were once rounded in
    /// silence: 0.1234567890123456789012345678|9 became ...5679.
    #[test]
    fn amounts_are_exact_or_refused() {
        assert_eq!(parse_amount("0.12345678901234567890123456789"), None);
        assert_eq!(parse_amount("-0.12345678901234567890123456789"), None);
        // 28 decimals fit exactly.
        let d = parse_amount("0.1234567890123456789012345678").unwrap();
        assert_eq!(d.to_string(), "0.1234567890123456789012345678");
        // The largest Decimal, 2^96 - 1, fits; one more does not.
        let max = "79228162514264337593543950335";
        assert_eq!(parse_amount(max), Some(Decimal::MAX));
        assert_eq!(parse_amount("79228162514264337593543950336"), None);
        // 29 significant digits whose last is past what a Decimal holds.
        assert_eq!(parse_amount("7922816251426433759354395033.51"), None);
        // Zeros ending the fraction change no value: 1 then 30 zeros.
        let zeros = format!("1.{}", "0".repeat(30));
        assert_eq!(parse_amount(&zeros), Some(Decimal::ONE));
        // Ordinary amounts keep their scale.
        assert_eq!(parse_amount("+19.90").map(|d| d.to_string()), Some("19.90".to_owned()));
        assert_eq!(parse_amount("5."), Some(Decimal::new(5, 0)));
    }

    /// "03/01/2026 garbage" was read as 2026-03-01 and "0000-01-01" as
    /// year 0.
    #[test]
    fn dates_refuse_trailing_garbage_and_year_zero() {
        let mf = DateOrder::MonthFirst;
        for text in [
            "03/01/2026 garbage",
            "2026-03-01 hello world",
            "2026-03-01T10:00:00 junk",
            "2026-03-01T10:00:00+0x:00",
            "2026-03-01 10:00:00 UTC trailing",
            "2026-03-01T10",
            "2026-03-01T1:0",
            "2026-03-01 10:00:00.",
            "0000-01-01",
            "0999-12-31",
            "1899-12-31",
            "01/01/0000",
            "01.01.0001",
            "1-Jan-0000",
            "00/2026",
            "01/0000",
        ] {
            assert_eq!(parse_date(text, mf), Err(NotADate), "{text}");
        }
        for (text, want) in [
            ("2026-03-01T10:00:00Z", d(2026, 3, 1)),
            ("2026-03-01T10:00:00.000Z", d(2026, 3, 1)),
            ("2026-03-01T10:00:00-0700", d(2026, 3, 1)),
            ("2026-03-01T10:00+01", d(2026, 3, 1)),
            ("2026-03-01 UTC", d(2026, 3, 1)),
            ("03/01/2026 2:05:00 PM PST", d(2026, 3, 1)),
            ("12/1/2010 8:26", d(2010, 12, 1)),
            ("17.12.2018 21:14:21 UTC", d(2018, 12, 17)),
            ("2026-03-01 10:00:00 +00:00", d(2026, 3, 1)),
            ("1900-01-01", d(1900, 1, 1)),
            ("01/01/00", d(2000, 1, 1)),
        ] {
            assert_eq!(parse_date(text, mf), Ok(want), "{text}");
        }
    }

    /// German reports print `MEZ`/`MESZ` after the time; they were
    /// refused as not dates, like every zone name off a fixed list.
    #[test]
    fn marketplace_zone_names_follow_a_time() {
        let mf = DateOrder::MonthFirst;
        for (text, want) in [
            ("01.03.2026 10:00:00 MEZ", d(2026, 3, 1)),
            ("15.07.2026 23:59:59 MESZ", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 mesz", d(2026, 7, 15)),
            ("15/07/2026 09:00 HAEC", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 TRT", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 GST", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 BRT", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 ACST", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 UTC+1", d(2026, 7, 15)),
            ("2026-07-15 09:00:00 GMT+05:30", d(2026, 7, 15)),
        ] {
            let order = if text.contains('/') { DateOrder::DayFirst } else { mf };
            assert_eq!(parse_date(text, order), Ok(want), "{text}");
        }
        // Unknown and ambiguous names stay refused.
        for text in [
            "2026-07-15 09:00:00 AST",
            "2026-07-15 09:00:00 XYZ",
            "2026-07-15 09:00:00 UTC+24",
            "2026-07-15 09:00:00 GMT+1:7",
            "2026-07-15 09:00:00 UTC+",
            "2026-07-15 09:00:00 CETX",
            "2026-07-15T09:00:00+00:60",
        ] {
            assert_eq!(parse_date(text, mf), Err(NotADate), "{text}");
        }
    }

    /// Every name in [`ZONES`] against the tz database (chrono-tz): a zone
    /// that uses the name, at an instant when it does, has the same
    /// offset, and prints the same abbreviation unless the database has
    /// none (only `+03` for Istanbul) or uses the English one for a local
    /// spelling (`CET` for `MEZ`).
    #[test]
    fn zone_offsets_match_the_tz_database() {
        use chrono::{Offset, TimeZone};
        use chrono_tz::{OffsetName, Tz};
        let winter = (2026, 1, 15);
        let summer = (2026, 7, 15);
        // The last field is the database's own abbreviation; `None` where
        // it has only a number (`+03` for Istanbul).
        // (name, zone, day, the zone's abbreviation that day)
        type Case = (&'static str, Tz, (i32, u32, u32), Option<&'static str>);
        let cases: [Case; 46] = [
            ("Z", Tz::UTC, winter, Some("UTC")),
            ("UTC", Tz::UTC, winter, Some("UTC")),
            ("GMT", Tz::Europe__London, winter, Some("GMT")),
            ("HST", Tz::Pacific__Honolulu, winter, Some("HST")),
            ("HDT", Tz::America__Adak, summer, Some("HDT")),
            ("AKST", Tz::America__Anchorage, winter, Some("AKST")),
            ("AKDT", Tz::America__Anchorage, summer, Some("AKDT")),
            ("PST", Tz::America__Los_Angeles, winter, Some("PST")),
            ("PDT", Tz::America__Tijuana, summer, Some("PDT")),
            ("MST", Tz::America__Hermosillo, summer, Some("MST")),
            ("MDT", Tz::America__Denver, summer, Some("MDT")),
            ("CST", Tz::America__Mexico_City, summer, Some("CST")),
            ("CDT", Tz::America__Chicago, summer, Some("CDT")),
            ("EST", Tz::America__Cancun, winter, Some("EST")),
            ("EDT", Tz::America__Toronto, summer, Some("EDT")),
            ("ADT", Tz::America__Halifax, summer, Some("ADT")),
            ("NST", Tz::America__St_Johns, winter, Some("NST")),
            ("NDT", Tz::America__St_Johns, summer, Some("NDT")),
            ("BRT", Tz::America__Sao_Paulo, winter, None),
            // Brazil's last summer time ended in February 2019.
            ("BRST", Tz::America__Sao_Paulo, (2018, 1, 15), None),
            ("BST", Tz::Europe__London, summer, Some("BST")),
            ("WET", Tz::Europe__Lisbon, winter, Some("WET")),
            ("WEST", Tz::Europe__Lisbon, summer, Some("WEST")),
            ("CET", Tz::Europe__Paris, winter, Some("CET")),
            ("CEST", Tz::Europe__Madrid, summer, Some("CEST")),
            ("MEZ", Tz::Europe__Berlin, winter, Some("CET")),
            ("MESZ", Tz::Europe__Berlin, summer, Some("CEST")),
            ("HNEC", Tz::Europe__Paris, winter, Some("CET")),
            ("HAEC", Tz::Europe__Paris, summer, Some("CEST")),
            ("MET", Tz::Europe__Amsterdam, winter, Some("CET")),
            ("MEST", Tz::Europe__Amsterdam, summer, Some("CEST")),
            ("EET", Tz::Africa__Cairo, winter, Some("EET")),
            ("EEST", Tz::Europe__Athens, summer, Some("EEST")),
            ("TRT", Tz::Europe__Istanbul, winter, None),
            ("SAST", Tz::Africa__Johannesburg, winter, Some("SAST")),
            ("GST", Tz::Asia__Dubai, winter, None),
            ("IST", Tz::Asia__Kolkata, winter, Some("IST")),
            ("SGT", Tz::Asia__Singapore, winter, None),
            ("JST", Tz::Asia__Tokyo, winter, Some("JST")),
            ("KST", Tz::Asia__Seoul, winter, Some("KST")),
            ("AWST", Tz::Australia__Perth, winter, Some("AWST")),
            ("ACST", Tz::Australia__Adelaide, summer, Some("ACST")),
            ("ACDT", Tz::Australia__Adelaide, winter, Some("ACDT")),
            ("AEST", Tz::Australia__Sydney, summer, Some("AEST")),
            ("AEDT", Tz::Australia__Sydney, winter, Some("AEDT")),
            ("UTC+3", Tz::Asia__Riyadh, winter, None),
        ];
        for (name, tz, (y, m, day), tz_name) in cases {
            let at = tz.with_ymd_and_hms(y, m, day, 12, 0, 0).single().unwrap();
            let want = at.offset().fix();
            assert_eq!(zone_offset(name), Some(want), "{name} against {tz}");
            assert_eq!(at.offset().abbreviation(), tz_name, "{name} against {tz}");
        }
        // The table holds nothing the cross-check skips.
        for (name, _) in ZONES {
            assert!(cases.iter().any(|c| c.0 == *name), "{name} is not cross-checked");
        }
        // `AST` means -4 in Halifax and +3 in Riyadh, so it is refused.
        let halifax = Tz::America__Halifax.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let riyadh = Tz::Asia__Riyadh.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        assert_eq!(halifax.offset().abbreviation(), Some("AST"));
        assert_ne!(halifax.offset().fix(), riyadh.offset().fix());
        assert_eq!(zone_offset("AST"), None);
    }

    #[test]
    fn universal_time_with_an_offset_is_that_offset() {
        let east = |s| FixedOffset::east_opt(s);
        for (name, want) in [
            ("UTC+1", east(3600)),
            ("utc+01", east(3600)),
            ("GMT-3", east(-3 * 3600)),
            ("GMT+05:30", east(5 * 3600 + 30 * 60)),
            ("GMT-0330", east(-(3 * 3600 + 30 * 60))),
            ("UTC+23:59", east(23 * 3600 + 59 * 60)),
            (" PST ", east(-8 * 3600)),
        ] {
            assert_eq!(zone_offset(name), want, "{name}");
        }
        for name in ["UTC+24", "UTC+1:60", "UTC+123", "UTC1", "PST+1", "UTC+", "", "Z+1"] {
            assert_eq!(zone_offset(name), None, "{name}");
        }
    }

    #[test]
    fn header_keys_ignore_spelling() {
        for cell in ["Event Type", "EventType", "event-type", "EVENT_TYPE", "\u{feff}Event Type"] {
            assert_eq!(header_key(cell.as_bytes()), "eventtype");
        }
    }
}
