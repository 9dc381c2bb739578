//! Days, date ranges and fractional day counts.

use std::fmt;

use chrono::{Days as ChronoDays, NaiveDate};

use crate::error::{CoreError, Result};

/// A half-open range of calendar days: `start` is the first day and `end`
/// the day after the last, so `DateRange::new(d, d)` is empty.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::DateRange;
/// let jan = DateRange::inclusive(
///     NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
///     NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
/// )?;
/// assert_eq!(jan.len_days(), 31);
/// assert_eq!(jan.days().count(), 31);
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
///
/// With the `serde` feature a range deserialises through
/// [`DateRange::new`], so one ending before it starts is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "DateRangeRepr", into = "DateRangeRepr")
)]
pub struct DateRange {
    start: NaiveDate,
    end: NaiveDate,
}

/// The serialised form of a [`DateRange`], unchecked until
/// [`DateRange::new`] sees it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct DateRangeRepr {
    start: NaiveDate,
    end: NaiveDate,
}

#[cfg(feature = "serde")]
impl TryFrom<DateRangeRepr> for DateRange {
    type Error = CoreError;

    fn try_from(r: DateRangeRepr) -> Result<Self> {
        Self::new(r.start, r.end)
    }
}

#[cfg(feature = "serde")]
impl From<DateRange> for DateRangeRepr {
    fn from(r: DateRange) -> Self {
        Self { start: r.start, end: r.end }
    }
}

impl DateRange {
    /// The days from `start` up to but not including `end`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidDateRange`] when `end` is before `start`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if end < start {
            return Err(CoreError::InvalidDateRange { start, end });
        }
        Ok(Self { start, end })
    }

    /// The days from `first` to `last`, both included.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidDateRange`] when `last` is before `first` or is
    /// the last representable date.
    pub fn inclusive(first: NaiveDate, last: NaiveDate) -> Result<Self> {
        let end = last.succ_opt().ok_or(CoreError::InvalidDateRange { start: first, end: last })?;
        Self::new(first, end)
    }

    /// `len` days starting on `start`.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidDateRange`] when the end would pass the last
    /// representable date.
    pub fn starting(start: NaiveDate, len: u32) -> Result<Self> {
        let end = start
            .checked_add_days(ChronoDays::new(u64::from(len)))
            .ok_or(CoreError::InvalidDateRange { start, end: start })?;
        Self::new(start, end)
    }

    /// The first day.
    #[must_use]
    pub const fn start(&self) -> NaiveDate {
        self.start
    }

    /// The day after the last.
    #[must_use]
    pub const fn end(&self) -> NaiveDate {
        self.end
    }

    /// The last day, or `None` for an empty range.
    #[must_use]
    pub fn last(&self) -> Option<NaiveDate> {
        if self.is_empty() { None } else { self.end.pred_opt() }
    }

    /// Whether the range holds no day.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// The number of days in the range.
    #[must_use]
    pub fn len_days(&self) -> u32 {
        let days = (self.end - self.start).num_days();
        u32::try_from(days).unwrap_or(u32::MAX)
    }

    /// Whether `day` is in the range.
    #[must_use]
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.start <= day && day < self.end
    }

    /// The position of `day` in the range, counting from 0.
    #[must_use]
    pub fn index_of(&self, day: NaiveDate) -> Option<usize> {
        if !self.contains(day) {
            return None;
        }
        usize::try_from((day - self.start).num_days()).ok()
    }

    /// Iterates the days in order.
    pub fn days(&self) -> impl DoubleEndedIterator<Item = NaiveDate> + ExactSizeIterator + use<> {
        let start = self.start;
        (0..self.len_days())
            .map(move |i| start.checked_add_days(ChronoDays::new(u64::from(i))).unwrap_or(start))
    }
}

impl fmt::Display for DateRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start, self.end)
    }
}

/// A finite, possibly fractional, number of days: lead times, their
/// deviations, days of supply. Statistics live in `f64`; this type only
/// guarantees the value is a real number.
///
/// ```
/// use merchantry_core::Days;
/// assert_eq!(Days::new(2.5)?.get(), 2.5);
/// assert!(Days::new(f64::NAN).is_err());
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "f64", into = "f64")
)]
pub struct Days(f64);

/// The largest magnitude a [`Days`] holds (built by [`Days::new`], not
/// by the unchecked [`Days::whole`]): a million days, about 2,700
/// years. Far past any lead time or horizon, yet small enough that sums,
/// squares and date arithmetic on it stay finite and in range.
pub const MAX_DAYS: f64 = 1_000_000.0;

impl Days {
    /// Zero days.
    pub const ZERO: Self = Self(0.0);

    /// Wraps a day count.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidDays`] for NaN, an infinity or a magnitude
    /// past [`MAX_DAYS`].
    pub fn new(days: f64) -> Result<Self> {
        if days.is_finite() && days.abs() <= MAX_DAYS {
            Ok(Self(days))
        } else {
            Err(CoreError::InvalidDays { value: days })
        }
    }

    /// Whole days, exactly representable.
    ///
    /// Unchecked: an `i32` reaches `2.1e9`, past [`MAX_DAYS`], and such
    /// a value is kept as it is (arithmetic on it stays finite), but it
    /// is refused where a `Days` is read back through [`Days::new`]
    /// (`serde`). Use [`Days::new`] for counts that may be that large.
    #[must_use]
    pub fn whole(days: i32) -> Self {
        Self(f64::from(days))
    }

    /// The number of days.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Days {
    type Error = CoreError;

    fn try_from(v: f64) -> Result<Self> {
        Self::new(v)
    }
}

impl From<Days> for f64 {
    fn from(d: Days) -> f64 {
        d.0
    }
}

impl fmt::Display for Days {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} d", self.0)
    }
}
