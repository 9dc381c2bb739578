//! What zone names mean, and which zone a time written without one is
//! in: the caller's say over the two things a report cell cannot tell.

use chrono::{DateTime, FixedOffset, MappedLocalTime, NaiveDateTime, Offset, TimeDelta, TimeZone};
use chrono_tz::Tz;

use crate::parse::{HOUR, TimestampProblem, zone_seconds};

/// What the zone abbreviations that name different zones in different
/// countries mean in a file: `CST`, `IST` and `AST`.
///
/// Every other name means what [`zone_offset`](crate::zone_offset) says
/// whatever is chosen here. The default, [`ZoneNames::Marketplaces`], is
/// the meaning on the marketplaces this crate's readers were built for;
/// a report from elsewhere says so by choosing its country:
///
/// | choice | `CST` | `IST` | `AST` |
/// | --- | --- | --- | --- |
/// | `Marketplaces` (default) | US Central, -6 | India, +5:30 | refused |
/// | `China` (Amazon.cn) | China Standard Time, +8 | India, +5:30 | refused |
/// | `SaudiArabia` (Amazon.sa) | US Central, -6 | India, +5:30 | Arabia Standard Time, +3 |
/// | `AtlanticCanada` | US Central, -6 | India, +5:30 | Atlantic Standard Time, -4 |
/// | `Ireland` | US Central, -6 | Irish Standard Time (summer), +1 | refused |
/// | `Israel` | US Central, -6 | Israel Standard Time, +2 (and `IDT`, +3) | refused |
///
/// ```
/// use chrono::FixedOffset;
/// use merchantry_amazon::ZoneNames;
/// assert_eq!(ZoneNames::default().offset("CST"), FixedOffset::west_opt(6 * 3600));
/// assert_eq!(ZoneNames::China.offset("cst"), FixedOffset::east_opt(8 * 3600));
/// assert_eq!(ZoneNames::China.offset("PST"), FixedOffset::west_opt(8 * 3600));
/// assert_eq!(ZoneNames::SaudiArabia.offset("AST"), FixedOffset::east_opt(3 * 3600));
/// assert_eq!(ZoneNames::Marketplaces.offset("AST"), None);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ZoneNames {
    /// `CST` is US/Mexican Central Standard Time (-6), `IST` India
    /// Standard Time (+5:30), `AST` is refused (Atlantic or Arabia?).
    #[default]
    Marketplaces,
    /// `CST` is China Standard Time (+8), as Amazon.cn writes it.
    China,
    /// `AST` is Arabia Standard Time (+3), as Amazon.sa writes it.
    SaudiArabia,
    /// `AST` is Atlantic Standard Time (-4), as in Canada's eastern
    /// provinces.
    AtlanticCanada,
    /// `IST` is Irish Standard Time, Ireland's summer time (+1).
    Ireland,
    /// `IST` is Israel Standard Time (+2) and `IDT` Israel Daylight
    /// Time (+3).
    Israel,
}

impl ZoneNames {
    /// The offset from UTC that `name` means under this choice, or
    /// `None` for a name unknown or refused as ambiguous; case and
    /// surrounding whitespace are ignored. `UTC+1`-style names are read
    /// as their offset. See [`zone_offset`](crate::zone_offset) for the
    /// names that mean the same under every choice.
    #[must_use]
    pub fn offset(self, name: &str) -> Option<FixedOffset> {
        FixedOffset::east_opt(zone_seconds(name.trim().as_bytes(), self)?)
    }

    /// The offset of an ambiguous name this choice settles, in seconds
    /// east of UTC; `None` leaves the name to the shared table.
    pub(crate) fn special(self, word: &[u8]) -> Option<i32> {
        let is = |name: &str| word.eq_ignore_ascii_case(name.as_bytes());
        match self {
            Self::China if is("CST") => Some(8 * HOUR),
            Self::SaudiArabia if is("AST") => Some(3 * HOUR),
            Self::AtlanticCanada if is("AST") => Some(-4 * HOUR),
            Self::Ireland if is("IST") => Some(HOUR),
            Self::Israel if is("IST") => Some(2 * HOUR),
            Self::Israel if is("IDT") => Some(3 * HOUR),
            _ => None,
        }
    }
}

/// What a time written without a zone becomes when the zone assumed
/// for it ([`ZoneRules::assume`]) skipped or repeated that time of day
/// for a daylight-saving change.
///
/// A skipped time (02:30 on the night the clocks go from 02:00 to 03:00)
/// never showed on a clock there; a repeated one (01:30 on the night
/// they go back from 02:00 to 01:00) showed twice, an hour apart. Either
/// means the file was written in a zone other than the one assumed, or
/// by a clock that did not follow the change, so the default refuses
/// them; the other two read them one documented way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum DstPolicy {
    /// The time is refused: [`TimestampProblem::SkippedLocalTime`] or
    /// [`TimestampProblem::RepeatedLocalTime`] (a row error in a
    /// reader).
    #[default]
    Refuse,
    /// Read with the offset in force before the change: a repeated time
    /// is its first occurrence, and a skipped time is moved later by the
    /// length of the gap (02:30 becomes 03:30 summer time). This is the
    /// reading iCalendar (RFC 5545, section 3.3.5) prescribes.
    OffsetBefore,
    /// Read with the offset in force after the change: a repeated time
    /// is its second occurrence, and a skipped time is moved earlier by
    /// the length of the gap (02:30 becomes 01:30 winter time).
    OffsetAfter,
}

/// How the date-time cells of a file become instants: what its
/// ambiguous zone names mean, which zone a time written without one is
/// in, and what to do with a time a daylight-saving change skipped or
/// repeated there. The default reads names as
/// [`ZoneNames::Marketplaces`], assumes no zone (a time without one is
/// [`TimestampProblem::NoZone`]) and refuses skipped and repeated times.
///
/// ```
/// use chrono_tz::Europe::Berlin;
/// use merchantry_amazon::{DstPolicy, ZoneRules};
/// let rules = ZoneRules::default().assume(Berlin).dst(DstPolicy::OffsetBefore);
/// assert_eq!(rules.assume, Some(Berlin));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ZoneRules {
    /// What `CST`, `IST` and `AST` mean; default
    /// [`ZoneNames::Marketplaces`].
    pub names: ZoneNames,
    /// The zone a time written without a zone or offset is in; default
    /// `None`, under which such a time names no instant: a reader
    /// refuses its row with
    /// [`ReadError::InvalidTimestamp`](crate::ReadError::InvalidTimestamp) and
    /// [`parse_timestamp_in`](crate::parse_timestamp_in) with
    /// [`TimestampProblem::NoZone`]. A cell with a zone is read in its
    /// own, whatever is assumed here.
    pub assume: Option<Tz>,
    /// What a time without a zone becomes when [`ZoneRules::assume`]
    /// skipped or repeated it; default [`DstPolicy::Refuse`].
    pub dst: DstPolicy,
}

impl ZoneRules {
    /// Sets [`ZoneRules::names`].
    #[must_use]
    pub const fn names(mut self, names: ZoneNames) -> Self {
        self.names = names;
        self
    }

    /// Sets [`ZoneRules::assume`] to `Some(zone)`.
    #[must_use]
    pub const fn assume(mut self, zone: Tz) -> Self {
        self.assume = Some(zone);
        self
    }

    /// Sets [`ZoneRules::dst`].
    #[must_use]
    pub const fn dst(mut self, policy: DstPolicy) -> Self {
        self.dst = policy;
        self
    }

    /// The instant a wall-clock reading without a zone names in the
    /// assumed zone, with the offset in force there then.
    pub(crate) fn local_instant(
        &self,
        local: &NaiveDateTime,
    ) -> Result<DateTime<FixedOffset>, TimestampProblem> {
        let zone = self.assume.ok_or(TimestampProblem::NoZone)?;
        match (zone.from_local_datetime(local), self.dst) {
            (MappedLocalTime::Single(at), _) => Ok(at.fixed_offset()),
            (MappedLocalTime::Ambiguous(..), DstPolicy::Refuse) => {
                Err(TimestampProblem::RepeatedLocalTime)
            }
            // chrono gives the earlier instant first; the earlier one is
            // read with the larger offset, in force before the clocks
            // went back.
            (MappedLocalTime::Ambiguous(first, _), DstPolicy::OffsetBefore) => {
                Ok(first.fixed_offset())
            }
            (MappedLocalTime::Ambiguous(_, second), DstPolicy::OffsetAfter) => {
                Ok(second.fixed_offset())
            }
            (MappedLocalTime::None, DstPolicy::Refuse) => Err(TimestampProblem::SkippedLocalTime),
            (MappedLocalTime::None, policy) => skipped(zone, local, policy),
        }
    }
}

/// A skipped wall-clock reading read with the offset in force before
/// (or after) the gap, given with the offset in force at the instant it
/// lands on. The offsets around the gap are those a day before and a
/// day after the reading (taken as UTC): a day is more than any offset
/// from UTC (at most 14 h), so both lie outside the change, and no zone
/// changes its offset twice within two days.
fn skipped(
    zone: Tz,
    local: &NaiveDateTime,
    policy: DstPolicy,
) -> Result<DateTime<FixedOffset>, TimestampProblem> {
    let day = TimeDelta::days(1);
    let probe = match policy {
        DstPolicy::OffsetAfter => local.checked_add_signed(day),
        _ => local.checked_sub_signed(day),
    }
    .ok_or(TimestampProblem::SkippedLocalTime)?;
    let offset = zone.offset_from_utc_datetime(&probe).fix();
    let at =
        offset.from_local_datetime(local).single().ok_or(TimestampProblem::SkippedLocalTime)?;
    Ok(at.with_timezone(&zone).fixed_offset())
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, Utc};
    use chrono_tz::America::Los_Angeles;

    use super::*;

    fn local(m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, m, d).and_then(|day| day.and_hms_opt(h, min, 0)).unwrap()
    }

    fn utc(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        local(m, d, h, min).and_utc()
    }

    #[test]
    fn without_an_assumed_zone_a_local_time_is_no_instant() {
        let rules = ZoneRules::default();
        assert_eq!(rules.local_instant(&local(1, 15, 8, 0)), Err(TimestampProblem::NoZone));
    }

    #[test]
    fn an_ordinary_local_time_takes_the_offset_in_force() {
        // Los Angeles: -8 in January, -7 in July.
        let rules = ZoneRules::default().assume(Los_Angeles);
        let winter = rules.local_instant(&local(1, 15, 8, 0)).unwrap();
        assert_eq!(winter.to_utc(), utc(1, 15, 16, 0));
        assert_eq!(winter.offset().local_minus_utc(), -8 * 3600);
        let summer = rules.local_instant(&local(7, 15, 8, 0)).unwrap();
        assert_eq!(summer.to_utc(), utc(7, 15, 15, 0));
    }

    #[test]
    fn a_skipped_time_is_refused_or_moved_by_the_gap() {
        // 2024-03-10: Los Angeles goes from 02:00 PST (10:00 UTC) to 03:00
        // PDT; 02:30 never happened.
        let at = local(3, 10, 2, 30);
        let rules = ZoneRules::default().assume(Los_Angeles);
        assert_eq!(rules.local_instant(&at), Err(TimestampProblem::SkippedLocalTime));
        // Offset before, -8: 02:30 + 8 h = 10:30 UTC, which is 03:30 PDT.
        let before = rules.dst(DstPolicy::OffsetBefore).local_instant(&at).unwrap();
        assert_eq!(before.to_utc(), utc(3, 10, 10, 30));
        assert_eq!(before.offset().local_minus_utc(), -7 * 3600);
        // Offset after, -7: 02:30 + 7 h = 09:30 UTC, which is 01:30 PST.
        let after = rules.dst(DstPolicy::OffsetAfter).local_instant(&at).unwrap();
        assert_eq!(after.to_utc(), utc(3, 10, 9, 30));
        assert_eq!(after.offset().local_minus_utc(), -8 * 3600);
    }

    #[test]
    fn a_repeated_time_is_refused_or_read_as_one_occurrence() {
        // 2024-11-03: Los Angeles goes back from 02:00 PDT (09:00 UTC) to
        // 01:00 PST; 01:30 happened at 08:30 UTC (PDT) and 09:30 UTC (PST).
        let at = local(11, 3, 1, 30);
        let rules = ZoneRules::default().assume(Los_Angeles);
        assert_eq!(rules.local_instant(&at), Err(TimestampProblem::RepeatedLocalTime));
        let first = rules.dst(DstPolicy::OffsetBefore).local_instant(&at).unwrap();
        assert_eq!(first.to_utc(), utc(11, 3, 8, 30));
        let second = rules.dst(DstPolicy::OffsetAfter).local_instant(&at).unwrap();
        assert_eq!(second.to_utc(), utc(11, 3, 9, 30));
    }

    #[test]
    fn each_choice_settles_only_its_own_names() {
        let h = |hours: i32| FixedOffset::east_opt(hours * 3600);
        assert_eq!(ZoneNames::Marketplaces.offset("CST"), h(-6));
        assert_eq!(ZoneNames::China.offset("CST"), h(8));
        assert_eq!(ZoneNames::China.offset("CDT"), h(-5));
        assert_eq!(ZoneNames::China.offset("AST"), None);
        assert_eq!(ZoneNames::SaudiArabia.offset("AST"), h(3));
        assert_eq!(ZoneNames::AtlanticCanada.offset("ast"), h(-4));
        assert_eq!(ZoneNames::Ireland.offset("IST"), h(1));
        assert_eq!(ZoneNames::Israel.offset("IST"), h(2));
        assert_eq!(ZoneNames::Israel.offset("IDT"), h(3));
        assert_eq!(ZoneNames::Marketplaces.offset("IDT"), None);
        assert_eq!(
            ZoneNames::Marketplaces.offset("IST"),
            FixedOffset::east_opt(5 * 3600 + 30 * 60)
        );
    }
}
