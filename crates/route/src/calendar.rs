//! Carrier cutoffs in local time, turned into UTC instants once.
//!
//! A node's working days over the planning horizon are listed once, each
//! with its carrier cutoff as a UTC instant. Routing an order then needs
//! no time-zone conversion: a binary search over the instants finds the
//! first pickup the order can catch.

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::model::Node;

/// The UTC instant of a local wall-clock time on a local date in `tz`.
///
/// Daylight-saving changes follow the usual "compatible" convention
/// (RFC 5545, and the default of most date libraries):
///
/// - a time that occurs twice (the autumn fall-back hour) resolves to the
///   earlier of the two instants, so a cutoff never happens later than
///   the carrier could mean;
/// - a time that does not occur (the spring-forward gap) is read with the
///   offset in force just before the gap, which moves it forward by the
///   gap's length (02:30 on the US spring-forward night becomes 03:30
///   daylight time).
///
/// A date that never occurred in `tz` (Samoa skipped Friday 30 December
/// 2011 when it crossed the date line) is read the same way and lands on
/// the next day; [`local_date_exists`] tells such dates apart, and a
/// node's calendar never lists one as a working day.
///
/// ```
/// use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
/// use merchantry_route::local_instant;
///
/// let ny = chrono_tz::America::New_York;
/// let three_pm = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
/// // Friday 6 March 2026 is standard time (UTC-5) ...
/// let fri = NaiveDate::from_ymd_opt(2026, 3, 6).unwrap();
/// assert_eq!(local_instant(ny, fri, three_pm), Utc.with_ymd_and_hms(2026, 3, 6, 20, 0, 0).unwrap());
/// // ... Monday 9 March is daylight time (UTC-4).
/// let mon = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
/// assert_eq!(local_instant(ny, mon, three_pm), Utc.with_ymd_and_hms(2026, 3, 9, 19, 0, 0).unwrap());
/// ```
#[must_use]
pub fn local_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(early, _) => early.with_timezone(&Utc),
        LocalResult::None => {
            // The offset in force a day earlier is the one before the gap
            // (no zone has two transitions within a day).
            let before = local - chrono::Duration::days(1);
            let offset = match tz.from_local_datetime(&before) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => *t.offset(),
                LocalResult::None => tz.offset_from_utc_datetime(&before),
            };
            let fixed = chrono::Offset::fix(&offset);
            (local - fixed).and_utc()
        }
    }
}

/// Whether local date `date` occurred in `tz`: whether some instant
/// reads as that date on the zone's clocks.
///
/// Almost every date did. The exceptions are dates a zone skipped whole
/// by moving across the date line, such as Friday 30 December 2011 in
/// `Pacific/Apia`, 31 December 1994 in `Pacific/Kiritimati`, or 21 August
/// 1993 in `Pacific/Kwajalein`. A date whose clocks only jump an hour
/// (a daylight-saving night, even one that skips midnight) did occur.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_route::local_date_exists;
///
/// let apia = chrono_tz::Pacific::Apia;
/// let day = |d| NaiveDate::from_ymd_opt(2011, 12, d).unwrap();
/// assert!(local_date_exists(apia, day(29)));
/// assert!(!local_date_exists(apia, day(30)));
/// assert!(local_date_exists(apia, day(31)));
/// ```
#[must_use]
pub fn local_date_exists(tz: Tz, date: NaiveDate) -> bool {
    // Offsets are whole seconds, so a date occurred if its first or its
    // last second did, unless two clock jumps fell within one day (no
    // zone has that).
    let exists = |time| !matches!(tz.from_local_datetime(&date.and_time(time)), LocalResult::None);
    exists(NaiveTime::MIN) || NaiveTime::from_hms_opt(23, 59, 59).is_some_and(exists)
}

/// A UTC instant to the nanosecond, as (whole seconds, nanoseconds into
/// the second). Cutoffs and order times compare exactly, so an order
/// placed half a second after a cutoff misses it.
pub(crate) type Instant = (i64, u32);

/// The [`Instant`] of `at`.
pub(crate) fn instant(at: DateTime<Utc>) -> Instant {
    (at.timestamp(), at.timestamp_subsec_nanos())
}

/// A node's working days and their cutoff instants, ascending.
///
/// Each instant is kept as whole seconds, which are searched, and a
/// fraction, read only for an order placed within a cutoff's own second.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ShipCalendar {
    days: Vec<NaiveDate>,
    cutoffs: Vec<i64>,
    cutoff_nanos: Vec<u32>,
}

/// The cutoff instant of `time` on local date `date`, or `None` when the
/// date never occurred in `tz`. The date is looked at only when the
/// cutoff time itself falls in a gap, so ordinary days cost one lookup.
fn cutoff_instant(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&date.and_time(time)) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => local_date_exists(tz, date).then(|| local_instant(tz, date, time)),
    }
}

impl ShipCalendar {
    /// Lists the working days from `first` up to but not including `end`.
    ///
    /// A working day has a cutoff on its weekday, is not a holiday, and
    /// occurred in the node's time zone ([`local_date_exists`]).
    pub(crate) fn build(node: &Node, first: NaiveDate, end: NaiveDate) -> Self {
        let mut days = Vec::new();
        let mut cutoffs = Vec::new();
        let mut cutoff_nanos = Vec::new();
        let mut day = first;
        while day < end {
            if let Some(time) = node.cutoffs.on(day.weekday())
                && !node.holidays.contains(&day)
                && let Some(at) = cutoff_instant(node.tz, day, time)
            {
                days.push(day);
                let (secs, nanos) = instant(at);
                cutoffs.push(secs);
                cutoff_nanos.push(nanos);
            }
            match day.checked_add_days(Days::new(1)) {
                Some(next) => day = next,
                None => break,
            }
        }
        Self { days, cutoffs, cutoff_nanos }
    }

    /// The index of the first working day whose cutoff is at or after
    /// `placed`, or `None` past the last listed day.
    pub(crate) fn first_catchable(&self, (secs, nanos): Instant) -> Option<usize> {
        // Every cutoff in a later second is caught; one in the order's
        // own second only if its fraction is not below the order's.
        let idx = self.cutoffs.partition_point(|&c| c < secs);
        let idx = if nanos == 0 { idx } else { self.past_fractions(idx, secs, nanos) };
        (idx < self.days.len()).then_some(idx)
    }

    /// Steps `idx` past the cutoffs in second `secs` whose fraction is
    /// below `nanos` (missed by an order placed at `secs` and `nanos`).
    #[cold]
    #[inline(never)]
    fn past_fractions(&self, mut idx: usize, secs: i64, nanos: u32) -> usize {
        while self.cutoffs.get(idx) == Some(&secs)
            && self.cutoff_nanos.get(idx).is_some_and(|&n| n < nanos)
        {
            idx = idx.saturating_add(1);
        }
        idx
    }

    /// The index of working day `date`, or `None` when it is not one.
    pub(crate) fn slot_of(&self, date: NaiveDate) -> Option<usize> {
        self.days.binary_search(&date).ok()
    }

    /// The local date of working day `idx`.
    pub(crate) fn day(&self, idx: usize) -> Option<NaiveDate> {
        self.days.get(idx).copied()
    }

    /// How many working days are listed.
    pub(crate) fn len(&self) -> usize {
        self.days.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn spring_gap_moves_forward_by_the_gap() {
        // 2026-03-08 02:30 does not exist in New York: clocks jump from
        // 02:00 EST to 03:00 EDT. Read with EST (UTC-5): 07:30 UTC,
        // which is 03:30 EDT.
        let at = local_instant(chrono_tz::America::New_York, d(2026, 3, 8), t(2, 30));
        assert_eq!(at, Utc.with_ymd_and_hms(2026, 3, 8, 7, 30, 0).unwrap());
    }

    #[test]
    fn autumn_overlap_takes_the_earlier_instant() {
        // 2026-11-01 01:30 happens twice in New York: first at EDT
        // (UTC-4) = 05:30 UTC, then at EST (UTC-5) = 06:30 UTC.
        let at = local_instant(chrono_tz::America::New_York, d(2026, 11, 1), t(1, 30));
        assert_eq!(at.hour(), 5);
    }

    #[test]
    fn calendar_skips_weekends_and_holidays() {
        let mut node = crate::model::Node::new(
            merchantry_core::LocationId::new("N").unwrap(),
            merchantry_core::LocationKind::OwnWarehouse,
            chrono_tz::UTC,
            merchantry_core::Currency::USD,
        );
        node.holidays.insert(d(2026, 1, 1));
        // Thu 1 Jan (holiday) .. Mon 5 Jan: working days Fri 2 and Mon 5.
        let cal = ShipCalendar::build(&node, d(2026, 1, 1), d(2026, 1, 6));
        assert_eq!(cal.days, vec![d(2026, 1, 2), d(2026, 1, 5)]);
        let fri_cutoff = Utc.with_ymd_and_hms(2026, 1, 2, 15, 0, 0).unwrap();
        let at = |secs: i64, nanos: i64| {
            instant(
                fri_cutoff + chrono::Duration::seconds(secs) + chrono::Duration::nanoseconds(nanos),
            )
        };
        assert_eq!(cal.first_catchable(at(0, 0)), Some(0));
        assert_eq!(cal.first_catchable(at(0, -1)), Some(0));
        assert_eq!(cal.first_catchable(at(0, 1)), Some(1));
        assert_eq!(cal.first_catchable(at(1, 0)), Some(1));
        assert_eq!(cal.first_catchable(at(4 * 86_400, 0)), None);
    }
}
