//! Cell parsers: dates, whole numbers, decimals and header names.
//!
//! They work on bytes, allocate nothing and never panic.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use rust_decimal::Decimal;

use crate::error::excerpt;
use crate::zones::{ZoneNames, ZoneRules};

/// How to read an all-numeric date with slashes, `01/02/2026`.
///
/// Amazon's US reports write month first; reports downloaded from some
/// European marketplaces write day first. Dates with dots (`01.02.2026`)
/// are day first, ISO dates (`2026-02-01`) are unambiguous, and
/// `2-Jun-06` names its month.
///
/// A date whose first field is a four-digit year is read year, month,
/// day whatever the order: `2026/01/15`, `2026/1/5`, `2026.01.15`,
/// `2026-1-5`. Japanese reports (Amazon.co.jp) and Japanese tools write
/// dates so; a four-digit first field can be neither a month nor a day,
/// so the order does not apply and such a date never settles it. A
/// two-digit year first (`26/01/15`) cannot be told from a day or a
/// month and is read by the order like any other slashed date.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DateOrder {
    /// `MM/DD/YYYY`: what the readers assume when neither the caller nor
    /// the file settles the order (see `ReadOptions::date_order`).
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
/// | year first (Japanese marketplace), by slashes, dots or dashes, whatever `order` says | `2026/03/01`, `2026/3/1`, `2026.03.01`, `2026-3-1` |
/// | a month and year (monthly roll-ups): the first of the month | `03/2026` |
/// | dots, day first | `01.03.2026` |
/// | day, English month abbreviation, year | `2-Jun-06`, `02-Jun-2006` |
/// | English month abbreviation, day and comma, four-digit year (US date-range reports) | `Mar 1, 2026`, `Mar 1, 2026 2:05:00 PM PST` |
///
/// A time after the date (after `T` or a space) is ignored: the result is
/// the calendar day as written in the report, whatever zone or offset
/// follows; [`parse_timestamp`] reads the same cell as an instant.
/// What may follow the date, separated by spaces, is a time
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
/// assert_eq!(parse_date("Mar 1, 2026 11:30:00 PM PST", DateOrder::MonthFirst), Ok(d));
/// // Year first, as Amazon.co.jp writes it, in either order.
/// assert_eq!(parse_date("2026/3/1", DateOrder::DayFirst), Ok(d));
/// assert_eq!(parse_date("2026/03/01 14:23:11 JST", DateOrder::MonthFirst), Ok(d));
/// assert!(parse_date("2026/02/29", DateOrder::MonthFirst).is_err()); // no leap year
/// ```
pub fn parse_date(
    cell: &str,
    order: DateOrder,
) -> std::result::Result<Option<NaiveDate>, NotADate> {
    let text = cell.trim().as_bytes();
    if !text.iter().any(u8::is_ascii_digit) {
        return Ok(None);
    }
    read_cell(text, order, ZoneNames::default()).map(|cell| Some(cell.date)).map_err(|_| NotADate)
}

/// Why a cell is not a timestamp, in a [`TimestampError`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum TimestampProblem {
    /// The date fits no form [`parse_date`] accepts, or names a day that
    /// does not exist (`02/30/2026`).
    Date,
    /// A date with no time of day: a day is not an instant.
    NoTime,
    /// The time of day is malformed or does not exist (`25:61`, `13:00
    /// PM`).
    Time,
    /// A time with no zone or offset after it: a wall-clock reading,
    /// which names no instant until its zone is known.
    NoZone,
    /// The word where a zone belongs is not one [`zone_offset`] knows,
    /// or is one it refuses as ambiguous (`AST`).
    UnknownZone(String),
    /// A signed offset after the time (joined to it or a word of its
    /// own) that is malformed or out of range: offsets run from
    /// `-23:59` to `+23:59` (`+99:00`, `+05:75`, `+123`).
    Offset(String),
    /// Words after the zone, or an `AM`/`PM` away from its time.
    Trailing,
    /// A time without a zone, read in the zone assumed by
    /// [`ZoneRules::assume`], that the clocks skipped there (02:30 on the
    /// night they are put forward), refused by [`DstPolicy::Refuse`](crate::DstPolicy::Refuse).
    SkippedLocalTime,
    /// A time without a zone, read in the zone assumed by
    /// [`ZoneRules::assume`], that happened twice there (01:30 on the
    /// night the clocks are put back), refused by [`DstPolicy::Refuse`](crate::DstPolicy::Refuse).
    RepeatedLocalTime,
}

impl std::fmt::Display for TimestampProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Date => f.write_str("the date fits no accepted form or does not exist"),
            Self::NoTime => f.write_str("a date without a time of day"),
            Self::Time => f.write_str("the time of day is malformed or does not exist"),
            Self::NoZone => f.write_str("the time has no zone or offset"),
            Self::UnknownZone(word) => write!(f, "zone {word:?} is unknown or ambiguous"),
            Self::Offset(word) => {
                write!(f, "offset {word:?} is not a UTC offset from -23:59 to +23:59")
            }
            Self::Trailing => f.write_str("unexpected text after the time"),
            Self::SkippedLocalTime => {
                f.write_str("the time was skipped by a daylight-saving change in the assumed zone")
            }
            Self::RepeatedLocalTime => {
                f.write_str("the time happened twice in the assumed zone (daylight saving ended)")
            }
        }
    }
}

/// A cell refused by [`parse_timestamp`]: the text (cut to
/// [`MAX_QUOTED`](crate::MAX_QUOTED) bytes) and what was wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not a timestamp: {problem}")]
pub struct TimestampError {
    text: String,
    problem: TimestampProblem,
}

impl TimestampError {
    /// The refused text, trimmed and cut to
    /// [`MAX_QUOTED`](crate::MAX_QUOTED) bytes.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What was wrong with it.
    #[must_use]
    pub const fn problem(&self) -> &TimestampProblem {
        &self.problem
    }
}

/// Reads a date-time cell as the instant it names, keeping the offset
/// it was written in.
///
/// The cell is read exactly as [`parse_date`] reads it (the same date
/// forms, `order` for slashed dates, the same checks on the time), and
/// must then carry both a time and a zone:
///
/// | form | example |
/// | --- | --- |
/// | ISO 8601 with `Z` or an offset | `2024-01-15T08:00:00+00:00`, `2024-01-15T08:00:00.250Z`, `2024-01-15T00:00:00-0800` |
/// | settlement files | `2024-01-15 08:00:00 UTC`, `15.01.2024 08:00:00 MEZ`, `2024-01-15 08:00:00 +01:00` |
/// | US date-range reports | `Jan 15, 2024 8:00:00 AM PST` |
/// | slashed dates, by `order` | `01/15/2024 08:00 PM EST`, `15/01/2024 08:00 UTC+1` |
/// | year first, in either order (Amazon.co.jp) | `2026/01/15 14:23:11 JST` |
///
/// A zone abbreviation is read through [`zone_offset`], so it means one
/// fixed offset, and the abbreviation itself says whether daylight-saving
/// time was in force: `PST` is always UTC-8 and `PDT` always UTC-7,
/// whatever the date (the tz database gives Los Angeles those same
/// offsets in winter and summer). `IST` is India Standard Time
/// (UTC+5:30), the meaning Amazon.in gives it, never Irish summer time
/// (UTC+1): Amazon's European reports write `GMT`, `BST` or the central
/// European names instead. A file known to be Irish and to print `IST`
/// is read with [`parse_timestamp_in`] under
/// [`ZoneRules::names`]`(`[`ZoneNames::Ireland`]`)` (a reader takes
/// [`ReadOptions::zone_names`](crate::ReadOptions::zone_names)), which
/// reads `IST` as +1. `AST` (Atlantic or Arabia) is refused here;
/// [`ZoneNames::SaudiArabia`] and [`ZoneNames::AtlanticCanada`] settle it.
///
/// A leap second (`23:59:60`) is kept as chrono represents one: the
/// 59th second with a fraction of 1 s or more. A cell with no ASCII
/// digit at all (`Date Not Captured`, empty) is a placeholder:
/// `Ok(None)`.
///
/// # Errors
///
/// [`TimestampError`], naming the text and its [`TimestampProblem`]:
/// the date fits no form, there is no time, the time does not exist,
/// there is no zone, the zone is unknown or ambiguous, or text follows
/// the zone.
///
/// # Example
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use merchantry_amazon::{
///     DateOrder, TimestampProblem, ZoneNames, ZoneRules, parse_timestamp, parse_timestamp_in,
/// };
/// let mf = DateOrder::MonthFirst;
/// let at = parse_timestamp("Jan 15, 2024 8:00:00 AM PST", mf)?.unwrap();
/// assert_eq!(at.to_utc(), Utc.with_ymd_and_hms(2024, 1, 15, 16, 0, 0).unwrap());
/// assert_eq!(at.offset().local_minus_utc(), -8 * 3600); // as written
/// let german = parse_timestamp("15.07.2024 10:00:00 MESZ", mf)?.unwrap();
/// assert_eq!(german.to_utc(), Utc.with_ymd_and_hms(2024, 7, 15, 8, 0, 0).unwrap());
/// // Japanese, year first: 14:23:11 at +9 is 05:23:11 UTC.
/// let japanese = parse_timestamp("2026/01/15 14:23:11 JST", mf)?.unwrap();
/// assert_eq!(japanese.to_utc(), Utc.with_ymd_and_hms(2026, 1, 15, 5, 23, 11).unwrap());
/// assert_eq!(parse_timestamp("Date Not Captured", mf)?, None);
/// let err = parse_timestamp("2024-01-15 08:00:00", mf).unwrap_err();
/// assert_eq!(err.problem(), &TimestampProblem::NoZone);
/// let err = parse_timestamp("2024-01-15 08:00:00 AST", mf).unwrap_err();
/// assert_eq!(err.problem(), &TimestampProblem::UnknownZone("AST".into()));
/// // An Irish file's summer `IST` is +1 under `ZoneNames::Ireland`.
/// let irish = ZoneRules::default().names(ZoneNames::Ireland);
/// let at = parse_timestamp_in("2024-07-15 10:00:00 IST", mf, &irish)?.unwrap();
/// assert_eq!(at.to_utc(), Utc.with_ymd_and_hms(2024, 7, 15, 9, 0, 0).unwrap());
/// # Ok::<(), merchantry_amazon::TimestampError>(())
/// ```
pub fn parse_timestamp(
    cell: &str,
    order: DateOrder,
) -> std::result::Result<Option<DateTime<FixedOffset>>, TimestampError> {
    parse_timestamp_in(cell, order, &ZoneRules::default())
}

/// [`parse_timestamp`] under explicit [`ZoneRules`]: what ambiguous zone
/// names mean ([`ZoneRules::names`]), which zone a time without one is
/// in ([`ZoneRules::assume`]), and what a time that a daylight-saving
/// change skipped or repeated there becomes ([`ZoneRules::dst`]).
///
/// A cell with a zone or offset is read in it, whatever
/// [`ZoneRules::assume`] says; the offset kept is the one written. A
/// time without a zone is read in the assumed zone, and the offset kept
/// is the one in force there at that instant.
///
/// # Errors
///
/// As [`parse_timestamp`]; a time without a zone is
/// [`TimestampProblem::NoZone`] only when no zone is assumed, and may be
/// [`TimestampProblem::SkippedLocalTime`] or
/// [`TimestampProblem::RepeatedLocalTime`] under [`DstPolicy::Refuse`](crate::DstPolicy::Refuse).
///
/// # Example
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use chrono_tz::Asia::Shanghai;
/// use merchantry_amazon::{DateOrder, ZoneNames, ZoneRules, parse_timestamp_in};
/// let china = ZoneRules::default().names(ZoneNames::China).assume(Shanghai);
/// let mf = DateOrder::MonthFirst;
/// // CST is China Standard Time (+8) here, not US Central (-6).
/// let at = parse_timestamp_in("2024-01-15 08:00:00 CST", mf, &china)?.unwrap();
/// assert_eq!(at.to_utc(), Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap());
/// // No zone written: Shanghai is assumed.
/// let at = parse_timestamp_in("2024-01-15 08:00:00", mf, &china)?.unwrap();
/// assert_eq!(at.to_utc(), Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap());
/// # Ok::<(), merchantry_amazon::TimestampError>(())
/// ```
pub fn parse_timestamp_in(
    cell: &str,
    order: DateOrder,
    rules: &ZoneRules,
) -> std::result::Result<Option<DateTime<FixedOffset>>, TimestampError> {
    let text = cell.trim().as_bytes();
    if !text.iter().any(u8::is_ascii_digit) {
        return Ok(None);
    }
    read_cell(text, order, rules.names)
        .and_then(|cell| cell.instant(rules))
        .map(Some)
        .map_err(|problem| TimestampError { text: excerpt(text), problem })
}

/// A date cell taken apart: the day as written and, when given, the
/// time of day and the zone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cell {
    pub(crate) date: NaiveDate,
    time: Option<NaiveTime>,
    /// Seconds east of UTC.
    zone: Option<i32>,
}

impl Cell {
    /// The instant the cell names, when it has a time: in its own zone,
    /// or else in the zone `rules` assume.
    pub(crate) fn instant(
        self,
        rules: &ZoneRules,
    ) -> Result<DateTime<FixedOffset>, TimestampProblem> {
        let time = self.time.ok_or(TimestampProblem::NoTime)?;
        let local = self.date.and_time(time);
        let Some(zone) = self.zone else {
            return rules.local_instant(&local);
        };
        let offset = FixedOffset::east_opt(zone).ok_or(TimestampProblem::Time)?;
        // A fixed offset maps every local time to exactly one instant.
        offset.from_local_datetime(&local).single().ok_or(TimestampProblem::Time)
    }
}

/// Reads a trimmed cell that holds a digit.
pub(crate) fn read_cell(
    text: &[u8],
    order: DateOrder,
    names: ZoneNames,
) -> Result<Cell, TimestampProblem> {
    let (date, rest) = text.split_at(date_end(text));
    let date = read_date(date, order).ok_or(TimestampProblem::Date)?;
    let (time, zone) = read_time(rest, names)?;
    Ok(Cell { date, time, zone })
}

/// Where the date ends: after three words when it starts with a month
/// name (`Jan 15, 2024`), else at the first space or at a `T` after a
/// digit.
fn date_end(text: &[u8]) -> usize {
    let mut spaces = (0..text.len()).filter(|&i| text.get(i) == Some(&b' '));
    if text.first().is_some_and(u8::is_ascii_alphabetic) {
        return spaces.nth(2).unwrap_or(text.len());
    }
    (0..text.len())
        .find(|&i| match text.get(i) {
            Some(b' ') => true,
            Some(b'T') => {
                i.checked_sub(1).and_then(|p| text.get(p)).is_some_and(u8::is_ascii_digit)
            }
            _ => false,
        })
        .unwrap_or(text.len())
}

/// What a trimmed date cell says about the file's [`DateOrder`]:
/// `Some(Some(order))` when it is a slashed all-numeric date that reads
/// as a real date in `order` only (`25/01/2026` is day first,
/// `01/25/2026` month first), `Some(None)` when it reads as two
/// different real days (`03/01/2026`), and `None` when the order does
/// not matter (ISO dates, month names, dots, year first as in
/// `2026/01/25`, `03/03/2026`) or the cell is no date at all (its row
/// reports that).
pub(crate) fn order_hint(text: &[u8], names: ZoneNames) -> Option<Option<DateOrder>> {
    let date = text.get(..date_end(text))?;
    if separator(date)? != b'/' || date.iter().filter(|&&b| b == b'/').count() != 2 {
        return None;
    }
    if year_field(date).is_some() {
        // Year first is read the same in either order.
        return None;
    }
    let month_first = read_cell(text, DateOrder::MonthFirst, names).ok().map(|c| c.date);
    let day_first = read_cell(text, DateOrder::DayFirst, names).ok().map(|c| c.date);
    match (month_first, day_first) {
        (Some(m), Some(d)) => (m != d).then_some(None),
        (Some(_), None) => Some(Some(DateOrder::MonthFirst)),
        (None, Some(_)) => Some(Some(DateOrder::DayFirst)),
        (None, None) => None,
    }
}

fn read_date(date: &[u8], order: DateOrder) -> Option<NaiveDate> {
    if let Some(d) = iso(date) {
        return Some(d);
    }
    if date.first().is_some_and(u8::is_ascii_alphabetic) {
        return month_day_year(date);
    }
    let parts: Vec<&[u8]> = split3(date)?;
    if let ([y, m, d], Some(_)) = (parts.as_slice(), year_field(date)) {
        return year_first(y, m, d);
    }
    match (parts.as_slice(), separator(date)?) {
        ([a, b], b'/') => month_year(a, b),
        ([a, b, c], b'/') if short(a) && short(b) => match order {
            DateOrder::MonthFirst => ymd(c, a, b),
            DateOrder::DayFirst => ymd(c, b, a),
        },
        ([d, m, y], b'.') if short(d) && short(m) => ymd(y, m, d),
        ([d, m, y], b'-') => {
            let month = month_name(m)?;
            build(year(y)?, month, number(d)?)
        }
        _ => None,
    }
}

/// The first field of an all-numeric date when it is four digits, a
/// year (`2026` in `2026/01/15`): a month or a day has at most two
/// digits, so the date is year first whatever the order.
fn year_field(date: &[u8]) -> Option<&[u8]> {
    let end = date.iter().position(|b| matches!(b, b'/' | b'.' | b'-'))?;
    date.get(..end).filter(|y| y.len() == 4 && digits(y))
}

/// Whether a numeric date field can be a day or a month: one or two
/// digits (`026/01/15` is no date).
fn short(field: &[u8]) -> bool {
    (1..=2).contains(&field.len())
}

/// `2026/01/15`, `2026/1/5`: a four-digit year, then a month and a day
/// of one or two digits each.
fn year_first(y: &[u8], m: &[u8], d: &[u8]) -> Option<NaiveDate> {
    if !short(m) || !short(d) {
        return None;
    }
    ymd(y, m, d)
}

/// `Jan 15, 2024`: an English month abbreviation, the day and a comma,
/// a four-digit year, one space apart.
fn month_day_year(date: &[u8]) -> Option<NaiveDate> {
    let mut words = date.split(|&b| b == b' ');
    let month = month_name(words.next()?)?;
    let day = words.next()?.strip_suffix(b",").filter(|d| short(d))?;
    let y = words.next().filter(|y| y.len() == 4)?;
    if words.next().is_some() {
        return None;
    }
    build(year(y)?, month, number(day)?)
}

/// After the date: nothing, or a time and what may follow a time; gives
/// the time of day (on a 24-hour clock) and the zone, when present.
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
fn read_time(
    rest: &[u8],
    names: ZoneNames,
) -> Result<(Option<NaiveTime>, Option<i32>), TimestampProblem> {
    let Some((&sep, tail)) = rest.split_first() else { return Ok((None, None)) };
    let mut words = tail.split(|&b| b == b' ').filter(|w| !w.is_empty()).peekable();
    if sep == b'T' && !tail.first().is_some_and(u8::is_ascii_digit) {
        return Err(TimestampProblem::Time);
    }
    let Some(&first) = words.peek() else { return Err(TimestampProblem::Trailing) };
    let clock = match clock(first) {
        Some(clock) => {
            words.next();
            Some(clock)
        }
        // After `T` the clock is required; after a space it may be left
        // out, but a word that starts like one is a broken clock (or a
        // good clock joined to a bad offset).
        None if sep == b'T' || looks_like_clock(first) => {
            return Err(bad_offset(first).unwrap_or(TimestampProblem::Time));
        }
        None => None,
    };
    let mut zone = clock.and_then(|c| c.zone);
    let mut meridiem_allowed = clock.is_some();
    let mut pm = None;
    for word in words {
        let is_am = word.eq_ignore_ascii_case(b"AM");
        if meridiem_allowed && (is_am || word.eq_ignore_ascii_case(b"PM")) {
            pm = Some(!is_am);
        } else if zone.is_some()
            || word.eq_ignore_ascii_case(b"AM")
            || word.eq_ignore_ascii_case(b"PM")
        {
            return Err(TimestampProblem::Trailing);
        } else if let Some(seconds) = zone_word(word, names) {
            zone = Some(seconds);
        } else if looks_like_offset(word) {
            return Err(TimestampProblem::Offset(excerpt(word)));
        } else if looks_like_clock(word) {
            return Err(TimestampProblem::Time);
        } else {
            return Err(TimestampProblem::UnknownZone(excerpt(word)));
        }
        // `AM`/`PM` comes right after the clock, before any zone.
        meridiem_allowed = false;
    }
    let Some(clock) = clock else { return Ok((None, zone)) };
    let hour = match pm {
        Some(pm) if (1..=12).contains(&clock.hour) => clock.hour % 12 + if pm { 12 } else { 0 },
        Some(_) => return Err(TimestampProblem::Time),
        None if clock.hour <= 23 => clock.hour,
        None => return Err(TimestampProblem::Time),
    };
    // A leap second is the 59th second with a fraction of 1 s or more.
    let (second, nano) = if clock.second == 60 {
        (59, clock.nano + 1_000_000_000)
    } else {
        (clock.second, clock.nano)
    };
    let time = NaiveTime::from_hms_nano_opt(hour, clock.minute, second, nano)
        .ok_or(TimestampProblem::Time)?;
    Ok((Some(time), zone))
}

/// A word starting with a digit and holding a colon: meant as a clock.
fn looks_like_clock(word: &[u8]) -> bool {
    word.first().is_some_and(u8::is_ascii_digit) && word.contains(&b':')
}

/// A sign followed by digits and colons only: meant as an offset.
fn looks_like_offset(word: &[u8]) -> bool {
    matches!(word.split_first(), Some((b'+' | b'-', rest))
        if !rest.is_empty() && rest.iter().all(|b| b.is_ascii_digit() || *b == b':'))
}

/// The problem of a clock word that [`clock`] refused, when its clock is
/// good and the offset joined to it is not (`10:00:00+99:00`).
fn bad_offset(word: &[u8]) -> Option<TimestampProblem> {
    let sign = word.iter().position(|b| matches!(b, b'+' | b'-'))?;
    let (time, zone) = word.split_at(sign);
    (clock(time).is_some_and(|c| c.hour <= 23) && looks_like_offset(zone))
        .then(|| TimestampProblem::Offset(excerpt(zone)))
}

/// A clock read by [`clock`]: the hour as written (checked by the
/// caller, which knows whether `AM`/`PM` follows), minutes, seconds
/// (60 for a leap second), nanoseconds, and the zone joined to it.
#[derive(Clone, Copy)]
struct Clock {
    hour: u32,
    minute: u32,
    second: u32,
    nano: u32,
    zone: Option<i32>,
}

/// `H:MM`, `HH:MM:SS` or `HH:MM:SS.fff`, then nothing, `Z` or an offset,
/// with minutes 0-59 and seconds 0-59 (60 when the minutes are 59: a
/// leap second). The hour is checked by the caller, which knows whether
/// `AM`/`PM` follows.
fn clock(word: &[u8]) -> Option<Clock> {
    let end = word.iter().position(|b| matches!(b, b'Z' | b'+' | b'-')).unwrap_or(word.len());
    let (time, zone) = word.split_at(end);
    let zone = match zone {
        b"" => None,
        b"Z" => Some(0),
        _ => Some(offset_seconds(zone, 2)?),
    };
    let mut parts = time.split(|&b| b == b':');
    let hours = parts.next().filter(|h| (1..=2).contains(&h.len()) && digits(h))?;
    let minute = parts.next().filter(|m| m.len() == 2 && digits(m)).and_then(number)?;
    let (second, nano) = match parts.next() {
        None => (0, 0),
        Some(s) => seconds(s, minute)?,
    };
    if minute > 59 || parts.next().is_some() {
        return None;
    }
    Some(Clock { hour: number(hours)?, minute, second, nano, zone })
}

/// `SS` or `SS.f` to `SS.fffffffff`: seconds 0-59 (60 when `minute` is
/// 59) and the fraction in nanoseconds.
fn seconds(text: &[u8], minute: u32) -> Option<(u32, u32)> {
    let (whole, fraction) = match text.iter().position(|&b| b == b'.') {
        Some(dot) => (text.get(..dot)?, Some(text.get(dot + 1..)?)),
        None => (text, None),
    };
    if whole.len() != 2 || !digits(whole) {
        return None;
    }
    let second = number(whole).filter(|&s| s <= 59 || (s == 60 && minute == 59))?;
    let nano = match fraction {
        None => 0,
        Some(f) if (1..=9).contains(&f.len()) && digits(f) => f
            .iter()
            .chain(std::iter::repeat_n(&b'0', 9 - f.len()))
            .fold(0_u32, |acc, &b| acc * 10 + u32::from(b - b'0')),
        Some(_) => return None,
    };
    Some((second, nano))
}

/// A zone word that may follow a time (or a bare date), in seconds east
/// of UTC: an offset (`+HH`, `+HHMM`, `+HH:MM`, or with `-`) or a zone
/// name that [`zone_offset`] knows.
fn zone_word(word: &[u8], names: ZoneNames) -> Option<i32> {
    offset_seconds(word, 2).or_else(|| zone_seconds(word, names))
}

/// The time-zone abbreviations Amazon's marketplace reports print after
/// a time, with their offset from UTC in seconds. Each is unambiguous
/// across the marketplaces (see [`zone_offset`] for the list by
/// marketplace and for the names left out); [`ZoneNames`] may read
/// `CST`, `IST` and `AST` otherwise.
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
pub(crate) const HOUR: i32 = 60 * MINUTE;

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
/// | JP | `JST` (+9), as in `2026/01/15 14:23:11 JST`; also Korea's `KST` (+9) |
/// | AU | `AWST` (+8), `ACST` (+9:30), `ACDT` (+10:30), `AEST` (+10), `AEDT` (+11) |
///
/// Refused because two marketplaces read them differently: `AST` is
/// Atlantic Standard Time (-4) in Canada's eastern provinces but Arabia
/// Standard Time (+3) for SA (and AE's neighbours), so a Saudi report's
/// `AST` cannot be told from a Canadian one; write the offset
/// (`UTC+3`, `+03:00`) instead, or say which one the file means with
/// [`ZoneNames`]. `CST` has another meaning outside the
/// marketplaces (China Standard Time); here it is the US/Mexican Central
/// zone (-6), and [`ZoneNames::China`] reads it as +8. Anything not
/// listed is refused. This function reads names as
/// [`ZoneNames::Marketplaces`], the readers' default; for the others use
/// [`ZoneNames::offset`].
///
/// # `IST` means India
///
/// `IST` is read as India Standard Time (+5:30) in every season. Three
/// zones print `IST`: India (+5:30, Amazon.in's reports), Ireland's
/// summer time (+1) and Israel (+2). Amazon's European reports write
/// UK times as `GMT`/`BST` or as an offset and central European times
/// as `CET`/`CEST` (or the local spellings above), so the marketplace
/// meaning is India's. A file from another source
/// that prints Irish summer time as `IST` would be read 4 h 30 min off:
/// read it with [`ZoneNames::Ireland`] (or replace the name with
/// `+01:00` first).
///
/// ```
/// use chrono::FixedOffset;
/// use merchantry_amazon::zone_offset;
/// assert_eq!(zone_offset("MESZ"), FixedOffset::east_opt(2 * 3600));
/// // India, not Irish summer time (+1): see above.
/// assert_eq!(zone_offset("ist"), FixedOffset::east_opt(5 * 3600 + 30 * 60));
/// assert_eq!(zone_offset("UTC-3"), FixedOffset::west_opt(3 * 3600));
/// assert_eq!(zone_offset("AST"), None); // Atlantic or Arabia?
/// assert_eq!(zone_offset("XYZ"), None);
/// ```
#[must_use]
pub fn zone_offset(name: &str) -> Option<FixedOffset> {
    ZoneNames::Marketplaces.offset(name)
}

/// [`ZoneNames::offset`] in seconds east of UTC.
pub(crate) fn zone_seconds(word: &[u8], names: ZoneNames) -> Option<i32> {
    if let Some(seconds) = names.special(word) {
        return Some(seconds);
    }
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
        // What a cell says about the file's order.
        assert_eq!(
            order_hint(b"25/01/2026", ZoneNames::Marketplaces),
            Some(Some(DateOrder::DayFirst))
        );
        assert_eq!(
            order_hint(b"01/25/2026 10:00 PM PST", ZoneNames::Marketplaces),
            Some(Some(DateOrder::MonthFirst))
        );
        assert_eq!(order_hint(b"03/01/2026", ZoneNames::Marketplaces), Some(None));
        assert_eq!(order_hint(b"3/1/26 08:26", ZoneNames::Marketplaces), Some(None));
        for silent in [
            &b"03/03/2026"[..],
            b"2026-01-25",
            b"25.01.2026",
            b"Jan 25, 2026",
            b"03/2026",
            b"32/13/2026",
            b"25-Jan-26",
        ] {
            assert_eq!(
                order_hint(silent, ZoneNames::Marketplaces),
                None,
                "{}",
                String::from_utf8_lossy(silent)
            );
        }
    }

    /// Tester: Amazon.co.jp reports and Japanese tools write the year
    /// first, `2026/01/15`; that was not a date in either order. A first
    /// field of four digits is a year, whatever the order.
    #[test]
    fn a_four_digit_first_field_is_a_year_in_either_order() {
        for order in [DateOrder::MonthFirst, DateOrder::DayFirst] {
            for (text, want) in [
                ("2026/01/15", d(2026, 1, 15)),
                ("2026/1/5", d(2026, 1, 5)),
                ("2026/12/01", d(2026, 12, 1)),
                ("2026.01.15", d(2026, 1, 15)),
                ("2026.1.5", d(2026, 1, 5)),
                ("2026-1-5", d(2026, 1, 5)),
                // 2024 is a leap year (divisible by 4, not by 100).
                ("2024/02/29", d(2024, 2, 29)),
                ("1900/01/01", d(1900, 1, 1)),
                ("2026/01/15 14:23:11 JST", d(2026, 1, 15)),
                ("2026/1/5 9:00 PM JST", d(2026, 1, 5)),
                ("2026/01/15T14:23:11+09:00", d(2026, 1, 15)),
                (" 2026/01/15 ", d(2026, 1, 15)),
            ] {
                assert_eq!(parse_date(text, order), Ok(want), "{text} {order:?}");
            }
            for text in [
                // No 13th month, no 30 February; 2026 is no leap year.
                "2026/13/01",
                "2026/00/10",
                "2026/02/30",
                "2026/02/29",
                "2026/01/32",
                "2026/01/00",
                "2026.13.01",
                "2026-02-30",
                "2026-2-29",
                // Years before 1900, as everywhere.
                "1899/12/31",
                "0026/01/15",
                // Three-digit month or day, a field missing or too many.
                "2026/001/15",
                "2026/01/015",
                "2026/01/",
                "2026//15",
                "2026/01/15/01",
                // Three digits where a day or month stands, in either
                // order (026 is no day).
                "026/01/15",
                "01/026/2026",
                "026.01.2026",
                // Mixed separators and a month name after a year.
                "2026/01-15",
                "2026-Jan-15",
                // A bad time or zone after a good year-first date.
                "2026/01/15 25:00 JST",
                "2026/01/15 14:23:11 XYZ",
            ] {
                assert_eq!(parse_date(text, order), Err(NotADate), "{text} {order:?}");
            }
        }
        // Two digits first is not a year: `26/01/15` stays what the order
        // says (day first, 26 January 2015), never 15 January 2026.
        assert_eq!(parse_date("26/01/15", DateOrder::MonthFirst), Err(NotADate));
        assert_eq!(parse_date("26/01/15", DateOrder::DayFirst), Ok(d(2015, 1, 26)));
        // A year-first date says nothing about the file's order.
        for text in [
            &b"2026/01/15"[..],
            b"2026/1/5",
            b"2026/01/25 14:23:11 JST",
            b"2026/12/01",
            b"2026/02/30",
            b"2026.01.25",
        ] {
            assert_eq!(
                order_hint(text, ZoneNames::Marketplaces),
                None,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn placeholders_are_none_and_garbage_is_an_error() {
        for text in ["", "Date Not Captured", "N/A - From RDC", "Pre-PQ Process", " - "] {
            assert_eq!(parse_date(text, DateOrder::MonthFirst), Ok(None), "{text}");
        }
        for text in [
            "02/30/2026",
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

    fn utc(y: i32, m: u32, day: u32, h: u32, min: u32, s: u32) -> DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(y, m, day, h, min, s).unwrap()
    }

    /// Each form with its instant worked by hand: local time minus the
    /// offset east of UTC.
    #[test]
    fn timestamps_name_their_instant() {
        let mf = DateOrder::MonthFirst;
        let cases = [
            // +00:00: the instant is the time as written.
            ("2024-01-15T08:00:00+00:00", utc(2024, 1, 15, 8, 0, 0), 0),
            ("2024-01-15T08:00:00Z", utc(2024, 1, 15, 8, 0, 0), 0),
            // 00:00 at -08:00 is 08:00 UTC.
            ("2024-01-15T00:00:00-0800", utc(2024, 1, 15, 8, 0, 0), -8 * 3600),
            ("2024-01-15T09:00+01", utc(2024, 1, 15, 8, 0, 0), 3600),
            ("2024-01-15 08:00:00 UTC", utc(2024, 1, 15, 8, 0, 0), 0),
            ("2024-01-15 08:00:00 +00:00", utc(2024, 1, 15, 8, 0, 0), 0),
            ("15.01.2024 08:00:00 UTC", utc(2024, 1, 15, 8, 0, 0), 0),
            // 8 AM PST (-8) is 16:00 UTC.
            ("Jan 15, 2024 8:00:00 AM PST", utc(2024, 1, 15, 16, 0, 0), -8 * 3600),
            // 8 PM PDT (-7) on 15 July is 03:00 UTC on the 16th.
            ("Jul 15, 2024 8:00:00 PM PDT", utc(2024, 7, 16, 3, 0, 0), -7 * 3600),
            // 12 AM is midnight, 12 PM noon: 00:30 EST (-5) is 05:30 UTC.
            ("Jan 15, 2024 12:30:00 AM EST", utc(2024, 1, 15, 5, 30, 0), -5 * 3600),
            ("01/15/2024 12:30 PM EST", utc(2024, 1, 15, 17, 30, 0), -5 * 3600),
            // 10:00 MESZ (+2) is 08:00 UTC.
            ("15.07.2024 10:00:00 MESZ", utc(2024, 7, 15, 8, 0, 0), 2 * 3600),
            // 13:30 IST (+5:30) is 08:00 UTC.
            ("2024-01-15 13:30:00 IST", utc(2024, 1, 15, 8, 0, 0), 5 * 3600 + 1800),
            // 17:00 JST (+9) is 08:00 UTC.
            ("2024-01-15 17:00:00 JST", utc(2024, 1, 15, 8, 0, 0), 9 * 3600),
            ("2024-01-15 09:00:00 UTC+1", utc(2024, 1, 15, 8, 0, 0), 3600),
            // 00:30 on the 16th at +01:00 is 23:30 UTC on the 15th.
            ("16/01/2024 00:30 GMT+01:00", utc(2024, 1, 15, 23, 30, 0), 3600),
            // Year first, as Amazon.co.jp writes it: 14:23:11 JST (+9)
            // is 05:23:11 UTC the same day.
            ("2026/01/15 14:23:11 JST", utc(2026, 1, 15, 5, 23, 11), 9 * 3600),
            // 08:00 JST on New Year's Day is 23:00 UTC on 31 December.
            ("2026/1/1 8:00 JST", utc(2025, 12, 31, 23, 0, 0), 9 * 3600),
            // 9 PM is 21:00; less 9 h is 12:00 UTC.
            ("2026.01.15 9:00 PM JST", utc(2026, 1, 15, 12, 0, 0), 9 * 3600),
        ];
        for (text, want, offset) in cases {
            let order = if text.starts_with("16/") { DateOrder::DayFirst } else { mf };
            let at = parse_timestamp(text, order).unwrap().unwrap();
            assert_eq!(at.to_utc(), want, "{text}");
            assert_eq!(at.offset().local_minus_utc(), offset, "{text}");
            // The day as written is the day `parse_date` gives.
            assert_eq!(parse_date(text, order), Ok(Some(at.date_naive())), "{text}");
            // A year-first cell reads the same in the other order.
            if text.starts_with("2026/") || text.starts_with("2026.") {
                let other = parse_timestamp(text, DateOrder::DayFirst).unwrap().unwrap();
                assert_eq!(other, at, "{text}");
            }
        }
        let at = parse_timestamp("2024-01-15T08:00:00.25Z", mf).unwrap().unwrap();
        assert_eq!(at.timestamp_subsec_millis(), 250);
        assert_eq!(parse_timestamp(" Date Not Captured ", mf), Ok(None));
        assert_eq!(parse_timestamp("", mf), Ok(None));
    }

    /// A leap second is kept, one second's worth of fraction on :59.
    #[test]
    fn a_leap_second_is_kept() {
        let at = parse_timestamp("2016-12-31T23:59:60Z", DateOrder::MonthFirst).unwrap().unwrap();
        assert_eq!(at.timestamp(), utc(2016, 12, 31, 23, 59, 59).timestamp());
        assert_eq!(at.timestamp_subsec_nanos(), 1_000_000_000);
    }

    #[test]
    fn each_refusal_names_its_problem() {
        use TimestampProblem as P;
        let mf = DateOrder::MonthFirst;
        let cases = [
            ("02/30/2024 08:00 UTC", P::Date),
            ("2024-13-01T08:00:00Z", P::Date),
            ("Foo 15, 2024 8:00:00 AM PST", P::Date),
            ("Jan 15 2024 8:00:00 AM PST", P::Date),
            ("Jan 32, 2024 8:00:00 AM PST", P::Date),
            ("Jan 15, 24 8:00:00 AM PST", P::Date),
            ("Jan  15, 2024 8:00:00 AM PST", P::Date),
            ("2024-01-15", P::NoTime),
            ("2024-01-15 UTC", P::NoTime),
            ("Jan 15, 2024", P::NoTime),
            ("2024-01-15 25:00:00 UTC", P::Time),
            ("2024-01-15 10:61 UTC", P::Time),
            ("2024-01-15 13:00 PM UTC", P::Time),
            ("2024-01-15 0:30 AM UTC", P::Time),
            ("2024-01-15T", P::Time),
            ("2024-01-15T10", P::Time),
            ("2024-01-15 08:00:00", P::NoZone),
            ("2024-01-15T08:00:00", P::NoZone),
            ("12/1/2010 8:26", P::NoZone),
            ("2024-01-15 08:00:00 AST", P::UnknownZone("AST".to_owned())),
            ("2024-01-15 08:00:00 XYZ", P::UnknownZone("XYZ".to_owned())),
            ("2024-01-15 08:00:00 UTC+24", P::UnknownZone("UTC+24".to_owned())),
            ("2024-01-15T08:00:00+99:00", P::Offset("+99:00".to_owned())),
            ("2024-01-15T08:00:00-24:00", P::Offset("-24:00".to_owned())),
            ("2024-01-15T08:00:00+05:75", P::Offset("+05:75".to_owned())),
            ("2024-01-15 08:00:00 +99:00", P::Offset("+99:00".to_owned())),
            ("2024-01-15 08:00:00 +123", P::Offset("+123".to_owned())),
            ("2024-01-15 +99", P::Offset("+99".to_owned())),
            ("2024-01-15T25:00:00+99:00", P::Time),
            ("2026/13/01 14:23:11 JST", P::Date),
            ("2026/02/30 14:23:11 JST", P::Date),
            ("2026/02/29 14:23:11 JST", P::Date),
            ("2026/01/15", P::NoTime),
            ("2026/01/15 14:23:11", P::NoZone),
            ("2026/01/15 14:23:11 XYZ", P::UnknownZone("XYZ".to_owned())),
            ("2024-01-15 08:00:00 PST PDT", P::Trailing),
            ("2024-01-15T08:00:00Z UTC", P::Trailing),
            ("2024-01-15 08:00:00 UTC AM", P::Trailing),
            ("2024-01-15 AM", P::Trailing),
        ];
        for (text, problem) in cases {
            let err = parse_timestamp(text, mf).unwrap_err();
            assert_eq!(err.problem(), &problem, "{text}");
            assert_eq!(err.text(), text.trim(), "{text}");
        }
        let err = parse_timestamp("2024-01-15 08:00:00 AST", mf).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"2024-01-15 08:00:00 AST\" is not a timestamp: zone \"AST\" is unknown or ambiguous"
        );
        let err = parse_timestamp("2024-01-15T08:00:00+99:00", mf).unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"2024-01-15T08:00:00+99:00\" is not a timestamp: \
             offset \"+99:00\" is not a UTC offset from -23:59 to +23:59"
        );
        // A huge cell is quoted only in part.
        let long = format!("2024-01-15 08:00:00 {}", "X".repeat(10_000));
        let err = parse_timestamp(&long, mf).unwrap_err();
        assert!(err.text().len() <= crate::MAX_QUOTED);
    }

    /// Every hour of 2025 and 2026 in zones whose abbreviations the
    /// marketplaces print, written as a report would write it (local
    /// time and the tz database's abbreviation for that instant), reads
    /// back as that instant: each abbreviation carries its own
    /// daylight-saving state (`PST` in winter, `PDT` in summer, and both
    /// in the hour repeated when clocks go back).
    #[test]
    fn abbreviations_carry_their_daylight_saving_state_as_the_tz_database_says() {
        use chrono::{Duration, TimeZone};
        use chrono_tz::{OffsetName, Tz};
        let zones = [
            Tz::America__Los_Angeles,
            Tz::America__Denver,
            Tz::America__Phoenix,
            Tz::America__Chicago,
            Tz::America__New_York,
            Tz::America__Anchorage,
            Tz::Pacific__Honolulu,
            Tz::America__Halifax,
            Tz::America__St_Johns,
            Tz::Europe__London,
            Tz::Europe__Lisbon,
            Tz::Europe__Berlin,
            Tz::Europe__Paris,
            Tz::Europe__Athens,
            Tz::Africa__Johannesburg,
            Tz::Asia__Kolkata,
            Tz::Asia__Tokyo,
            Tz::Asia__Seoul,
            Tz::Australia__Sydney,
            Tz::Australia__Adelaide,
            Tz::Australia__Perth,
        ];
        let start = chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 30, 0).unwrap();
        let mut checked = 0;
        for tz in zones {
            for hour in 0..(2 * 365 * 24) {
                let instant = start + Duration::hours(hour);
                let local = instant.with_timezone(&tz);
                let Some(name) = local.offset().abbreviation() else { continue };
                // Halifax's winter `AST` is refused as ambiguous.
                if name == "AST" {
                    assert!(zone_offset(name).is_none());
                    continue;
                }
                for text in [
                    format!("{} {name}", local.format("%Y-%m-%d %H:%M:%S")),
                    format!("{} {name}", local.format("%b %-d, %Y %-I:%M:%S %p")),
                ] {
                    let at = parse_timestamp(&text, DateOrder::MonthFirst);
                    assert_eq!(at.map(|a| a.map(|a| a.to_utc())), Ok(Some(instant)), "{text}");
                    checked += 1;
                }
            }
        }
        // 21 zones, 17,520 hours, two spellings, less Halifax's winters.
        assert!(checked > 600_000, "{checked}");
    }

    /// `IST` is India's +5:30 in every season, as Amazon.in prints it;
    /// Ireland's summer `IST` (+1) is not what it means here.
    #[test]
    fn ist_is_india_all_year_and_never_irish_summer_time() {
        use chrono::{Offset, TimeZone};
        use chrono_tz::{OffsetName, Tz};
        let india = 5 * 3600 + 30 * 60;
        for (y, m) in [(2024, 1), (2024, 7)] {
            let kolkata = Tz::Asia__Kolkata.with_ymd_and_hms(y, m, 15, 12, 0, 0).unwrap();
            assert_eq!(kolkata.offset().abbreviation(), Some("IST"));
            assert_eq!(kolkata.offset().fix().local_minus_utc(), india);
            let text = format!("{y}-{m:02}-15 12:00:00 IST");
            let at = parse_timestamp(&text, DateOrder::MonthFirst).unwrap().unwrap();
            assert_eq!(at.to_utc(), kolkata.to_utc(), "{text}");
        }
        let dublin = Tz::Europe__Dublin.with_ymd_and_hms(2024, 7, 15, 12, 0, 0).unwrap();
        assert_eq!(dublin.offset().abbreviation(), Some("IST"));
        assert_eq!(dublin.offset().fix().local_minus_utc(), 3600);
        assert_eq!(zone_offset("IST").map(|o| o.local_minus_utc()), Some(india));
    }

    #[test]
    fn header_keys_ignore_spelling() {
        for cell in ["Event Type", "EventType", "event-type", "EVENT_TYPE", "\u{feff}Event Type"] {
            assert_eq!(header_key(cell.as_bytes()), "eventtype");
        }
    }
}
