//! Whole units of stock.

use std::fmt;
use std::iter::Sum;

use crate::error::{CoreError, Result};

/// A signed count of whole units.
///
/// Arithmetic is checked: an operation that would leave the 64-bit range
/// returns [`CoreError::QuantityOverflow`] instead of wrapping or
/// panicking. There are deliberately no `+`/`-` operators, so an unchecked
/// sum cannot slip into library code.
///
/// ```
/// use merchantry_core::Quantity;
/// let on_hand = Quantity::new(48);
/// let after = on_hand.checked_sub(Quantity::new(5))?;
/// assert_eq!(after.get(), 43);
/// assert!(Quantity::MAX.checked_add(Quantity::new(1)).is_err());
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
#[repr(transparent)]
pub struct Quantity(i64);

impl Quantity {
    /// No units.
    pub const ZERO: Self = Self(0);
    /// The largest quantity.
    pub const MAX: Self = Self(i64::MAX);
    /// The smallest (most negative) quantity.
    pub const MIN: Self = Self(i64::MIN);

    /// Wraps a count of units.
    #[must_use]
    pub const fn new(units: i64) -> Self {
        Self(units)
    }

    /// The count of units.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }

    /// Whether this is zero.
    #[must_use]
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether this is below zero.
    #[must_use]
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whether this is above zero.
    #[must_use]
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// `self + rhs`.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the sum leaves the i64 range.
    pub fn checked_add(self, rhs: Self) -> Result<Self> {
        self.0.checked_add(rhs.0).map(Self).ok_or(overflow(self.0, "+", rhs.0))
    }

    /// `self - rhs`.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the difference leaves the i64
    /// range.
    pub fn checked_sub(self, rhs: Self) -> Result<Self> {
        self.0.checked_sub(rhs.0).map(Self).ok_or(overflow(self.0, "-", rhs.0))
    }

    /// `self * factor`.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the product leaves the i64
    /// range.
    pub fn checked_mul(self, factor: i64) -> Result<Self> {
        self.0.checked_mul(factor).map(Self).ok_or(overflow(self.0, "*", factor))
    }

    /// `-self`.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] for [`Quantity::MIN`], whose
    /// negation does not fit.
    pub fn checked_neg(self) -> Result<Self> {
        self.0.checked_neg().map(Self).ok_or(overflow(self.0, "neg", 0))
    }

    /// The sum of many quantities, exact whatever their order: it is
    /// taken in 128 bits, so only a total outside the i64 range fails,
    /// not a partial sum that leaves it and comes back.
    ///
    /// # Errors
    ///
    /// [`CoreError::QuantityOverflow`] when the total leaves the i64
    /// range, naming the first addition, in order, that left it.
    ///
    /// ```
    /// use merchantry_core::Quantity;
    /// let total = Quantity::checked_sum([3, 4, -2].map(Quantity::new))?;
    /// assert_eq!(total, Quantity::new(5));
    /// // MAX + 1 leaves the range, but the total, MAX, does not.
    /// let back = Quantity::checked_sum([Quantity::MAX, Quantity::new(1), Quantity::new(-1)])?;
    /// assert_eq!(back, Quantity::MAX);
    /// assert!(Quantity::checked_sum([Quantity::MAX, Quantity::new(1)]).is_err());
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    pub fn checked_sum(items: impl IntoIterator<Item = Self>) -> Result<Self> {
        // Fewer than 2^64 terms of at most 2^63 each: 128 bits hold it.
        let mut total = 0_i128;
        let mut first_overflow = None;
        let mut running = 0_i64;
        for Self(q) in items {
            total += i128::from(q);
            if first_overflow.is_none() {
                match running.checked_add(q) {
                    Some(next) => running = next,
                    None => first_overflow = Some((running, q)),
                }
            }
        }
        i64::try_from(total).map(Self).map_err(|_| {
            let (lhs, rhs) = first_overflow.unwrap_or((running, 0));
            overflow(lhs, "+", rhs)
        })
    }

    /// `self + rhs`, pinned at the ends of the range instead of failing.
    /// Views use it for totals where an error has no one to go to.
    #[must_use]
    pub const fn saturating_add(self, rhs: Self) -> Self {
        Self(self.0.saturating_add(rhs.0))
    }

    /// The sum of many quantities, pinned at the ends of the range only
    /// when the total lies beyond them. It is taken in 128 bits, so it
    /// does not depend on the order of the terms, where a chain of
    /// [`Quantity::saturating_add`] pins a partial sum and loses what
    /// comes back after it.
    ///
    /// ```
    /// use merchantry_core::Quantity;
    /// let q = |n| Quantity::new(n);
    /// assert_eq!(Quantity::saturating_sum([Quantity::MAX, q(5), q(-10)]), q(i64::MAX - 5));
    /// assert_eq!(Quantity::saturating_sum([q(5), q(-10), Quantity::MAX]), q(i64::MAX - 5));
    /// assert_eq!(Quantity::saturating_sum([Quantity::MAX, q(1)]), Quantity::MAX);
    /// ```
    #[must_use]
    pub fn saturating_sum(items: impl IntoIterator<Item = Self>) -> Self {
        // Fewer than 2^64 terms of at most 2^63 each: 128 bits hold it.
        let total: i128 = items.into_iter().map(|Self(q)| i128::from(q)).sum();
        Self::saturating_from_i128(total)
    }

    /// `total`, a sum taken wider than 64 bits, pinned to the range: for
    /// totals kept in 128 bits as [`Quantity::saturating_sum`] keeps
    /// them, when the terms arrive grouped in some other way.
    ///
    /// ```
    /// use merchantry_core::Quantity;
    /// assert_eq!(Quantity::saturating_from_i128(5), Quantity::new(5));
    /// assert_eq!(Quantity::saturating_from_i128(i128::MAX), Quantity::MAX);
    /// assert_eq!(Quantity::saturating_from_i128(i128::MIN), Quantity::MIN);
    /// ```
    #[must_use]
    pub fn saturating_from_i128(total: i128) -> Self {
        Self(i64::try_from(total).unwrap_or(if total < 0 { i64::MIN } else { i64::MAX }))
    }

    /// The larger of `self` and zero.
    #[must_use]
    pub const fn clamp_non_negative(self) -> Self {
        if self.0 < 0 { Self::ZERO } else { self }
    }

    /// The quantity as a float, for statistics only.
    #[must_use]
    #[expect(clippy::cast_precision_loss, reason = "statistics tolerate 2^53 rounding")]
    pub const fn as_f64(self) -> f64 {
        self.0 as f64
    }
}

fn overflow(lhs: i64, op: &'static str, rhs: i64) -> CoreError {
    CoreError::QuantityOverflow { lhs, op, rhs }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}u", self.0)
    }
}

impl From<i64> for Quantity {
    fn from(units: i64) -> Self {
        Self(units)
    }
}

impl From<u32> for Quantity {
    fn from(units: u32) -> Self {
        Self(i64::from(units))
    }
}

/// Summing wraps nothing: it is only offered for `Result`s, so overflow
/// surfaces as an error.
impl Sum<Quantity> for Result<Quantity> {
    fn sum<I: Iterator<Item = Quantity>>(iter: I) -> Self {
        Quantity::checked_sum(iter)
    }
}
