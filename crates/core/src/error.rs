//! The error type of `merchantry-core`.

use rust_decimal::Decimal;

use crate::money::Currency;

/// What went wrong when building or combining a core value.
///
/// Every variant names the offending value, so a message such as
/// `sku id "A\u{7}" contains control character U+0007 at byte 1` can be
/// shown to a person as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CoreError {
    /// An identifier was empty or made only of whitespace.
    #[error("{kind} id is empty or whitespace only")]
    EmptyId {
        /// Which identifier type was being built (`sku`, `location`, ...).
        kind: &'static str,
    },
    /// An identifier was longer than [`crate::id::MAX_ID_LEN`] bytes.
    #[error("{kind} id is {len} bytes long, more than the limit of {max}")]
    IdTooLong {
        /// Which identifier type was being built.
        kind: &'static str,
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// An identifier contained a control character.
    #[error("{kind} id {value:?} contains control character U+{code:04X} at byte {at}")]
    IdControlChar {
        /// Which identifier type was being built.
        kind: &'static str,
        /// The rejected text.
        value: String,
        /// The code point of the control character.
        code: u32,
        /// Its byte offset.
        at: usize,
    },
    /// An identifier contained a character that prints as nothing or as
    /// blank space: a format character (zero-width space or joiner,
    /// bidirectional override, byte-order mark, soft hyphen, tag), a
    /// default ignorable code point (variation selector, Hangul filler),
    /// a line or paragraph separator, or whitespace other than the ASCII
    /// space (no-break, ideographic, ... spaces). An id holding one could
    /// pass for another.
    #[error("{kind} id {value:?} contains invisible character U+{code:04X} at byte {at}")]
    IdInvisibleChar {
        /// Which identifier type was being built.
        kind: &'static str,
        /// The rejected text.
        value: String,
        /// The code point of the invisible character.
        code: u32,
        /// Its byte offset.
        at: usize,
    },
    /// An identifier started or ended with whitespace, which would make
    /// `"A1"` and `"A1 "` two different SKUs.
    #[error("{kind} id {value:?} has leading or trailing whitespace")]
    IdUntrimmed {
        /// Which identifier type was being built.
        kind: &'static str,
        /// The rejected text.
        value: String,
    },
    /// Checked integer arithmetic on quantities overflowed.
    #[error("quantity overflow: {lhs} {op} {rhs} does not fit in 64 bits")]
    QuantityOverflow {
        /// The left operand.
        lhs: i64,
        /// The operation (`+`, `-`, `*`, `neg`).
        op: &'static str,
        /// The right operand.
        rhs: i64,
    },
    /// Decimal arithmetic on money overflowed its 96-bit mantissa, or
    /// divided by zero.
    #[error("money arithmetic failed: {lhs} {op} {rhs}")]
    MoneyOverflow {
        /// The left operand.
        lhs: Decimal,
        /// The operation.
        op: &'static str,
        /// The right operand.
        rhs: Decimal,
    },
    /// A unit cost was below zero.
    #[error("unit cost {value} is negative")]
    NegativeUnitCost {
        /// The rejected value.
        value: Decimal,
    },
    /// Two amounts in different currencies were combined.
    #[error("currency mismatch: cannot combine {left} with {right}")]
    CurrencyMismatch {
        /// The currency of the left operand.
        left: Currency,
        /// The currency of the right operand.
        right: Currency,
    },
    /// A currency code was not three ASCII letters.
    #[error("currency code {code:?} is not three ASCII letters (ISO 4217)")]
    InvalidCurrency {
        /// The rejected text.
        code: String,
    },
    /// A service level was not strictly between 0 and 1.
    #[error("service level {} is not strictly between 0 and 1", ShortFloat(*.value))]
    InvalidServiceLevel {
        /// The rejected value.
        value: f64,
    },
    /// A ratio was negative, infinite or NaN.
    #[error("ratio {} is not a finite number at or above zero", ShortFloat(*.value))]
    InvalidRatio {
        /// The rejected value.
        value: f64,
    },
    /// A number of days was infinite, NaN or beyond
    /// [`MAX_DAYS`](crate::calendar::MAX_DAYS) either way.
    #[error(
        "days value {} is not a finite number within +/-{}",
        ShortFloat(*.value),
        crate::calendar::MAX_DAYS
    )]
    InvalidDays {
        /// The rejected value.
        value: f64,
    },
    /// A date range ended before it started.
    #[error("date range ends on {end} before it starts on {start}")]
    InvalidDateRange {
        /// The first day.
        start: chrono::NaiveDate,
        /// The day after the last.
        end: chrono::NaiveDate,
    },
    /// Parallel vectors of a daily series had different lengths.
    #[error("series lengths differ: {what} has {got} days, expected {expected}")]
    SeriesLength {
        /// Which vector was wrong.
        what: &'static str,
        /// Its length.
        got: usize,
        /// The length of the series.
        expected: usize,
    },
    /// A forecast value was negative, infinite, NaN or above
    /// [`MAX_DAILY_UNITS`](crate::forecast::MAX_DAILY_UNITS).
    #[error(
        "forecast {what} on day {day} is {}, not a number from zero to {}",
        ShortFloat(*.value),
        crate::forecast::MAX_DAILY_UNITS
    )]
    InvalidForecast {
        /// `mean` or `std_dev`.
        what: &'static str,
        /// The day index in the horizon.
        day: usize,
        /// The rejected value.
        value: f64,
    },
    /// Weights handed to an allocation were empty, negative or summed to
    /// zero.
    #[error("allocation weights are invalid: {reason}")]
    InvalidWeights {
        /// What was wrong with them.
        reason: &'static str,
    },
}

/// The result type of this crate.
pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// A float as the workspace's error messages show it: in exponent form
/// (`1e300`, `-2.5e-7`) when its magnitude is `1e15` or more or below
/// `1e-4` (zero aside), so that a huge or tiny value does not print as
/// hundreds of digits; in plain form otherwise (`0.95`, `2000000`,
/// `NaN`, `-inf`).
///
/// ```
/// use merchantry_core::ShortFloat;
///
/// assert_eq!(ShortFloat(1e300).to_string(), "1e300");
/// assert_eq!(ShortFloat(-2.5e-7).to_string(), "-2.5e-7");
/// assert_eq!(ShortFloat(2_000_000.0).to_string(), "2000000");
/// assert_eq!(ShortFloat(0.95).to_string(), "0.95");
/// assert_eq!(ShortFloat(f64::NAN).to_string(), "NaN");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShortFloat(pub f64);

impl std::fmt::Display for ShortFloat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v = self.0;
        if v.is_finite() && v != 0.0 && !(1e-4..1e15).contains(&v.abs()) {
            write!(f, "{v:e}")
        } else {
            write!(f, "{v}")
        }
    }
}
