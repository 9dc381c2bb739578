//! Money and unit costs on exact decimals.
//!
//! Amounts are [`rust_decimal::Decimal`] with an ISO 4217 [`Currency`].
//! The engine never rounds: a unit cost of 1/3 stays at 28 significant
//! digits, and amounts are derived from stored totals so that value is
//! conserved exactly. Rounding to a currency's minor unit happens only when
//! a caller asks for presentation, through [`Money::round_to_minor`].

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::error::{CoreError, Result};
use crate::quantity::Quantity;

/// An ISO 4217 currency code: three upper-case ASCII letters.
///
/// ```
/// use merchantry_core::Currency;
/// let usd: Currency = "usd".parse()?;
/// assert_eq!(usd, Currency::USD);
/// assert_eq!(usd.minor_units(), 2);
/// assert_eq!(Currency::JPY.minor_units(), 0);
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "String", into = "String")
)]
pub struct Currency([u8; 3]);

impl Currency {
    /// US dollar.
    pub const USD: Self = Self(*b"USD");
    /// Euro.
    pub const EUR: Self = Self(*b"EUR");
    /// Pound sterling.
    pub const GBP: Self = Self(*b"GBP");
    /// Canadian dollar.
    pub const CAD: Self = Self(*b"CAD");
    /// Japanese yen.
    pub const JPY: Self = Self(*b"JPY");
    /// Chinese yuan.
    pub const CNY: Self = Self(*b"CNY");
    /// Mexican peso.
    pub const MXN: Self = Self(*b"MXN");
    /// Australian dollar.
    pub const AUD: Self = Self(*b"AUD");

    /// Builds a currency from its code, upper-casing ASCII letters.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidCurrency`] unless the code is three ASCII
    /// letters.
    pub fn new(code: &str) -> Result<Self> {
        let bytes = code.as_bytes();
        match bytes {
            [a, b, c] if bytes.iter().all(u8::is_ascii_alphabetic) => {
                Ok(Self([a.to_ascii_uppercase(), b.to_ascii_uppercase(), c.to_ascii_uppercase()]))
            }
            _ => Err(CoreError::InvalidCurrency { code: code.to_owned() }),
        }
    }

    /// The three-letter code.
    #[must_use]
    pub fn code(&self) -> &str {
        // The constructor admits only ASCII letters, so this cannot fail.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Digits after the decimal point in the currency's minor unit, per
    /// the ISO 4217 list: 0 for BIF, CLP, DJF, GNF, ISK, JPY, KMF, KRW,
    /// PYG, RWF, UGX, UYI, VND, VUV, XAF, XOF and XPF; 3 for BHD, IQD,
    /// JOD, KWD, LYD, OMR and TND; 4 for the units of account CLF and
    /// UYW; 2 for every other code, listed or not (HUF included: ISO
    /// gives the forint two decimals, though its coins are whole).
    ///
    /// ```
    /// use merchantry_core::Currency;
    /// assert_eq!(Currency::new("HUF")?.minor_units(), 2);
    /// assert_eq!(Currency::new("XPF")?.minor_units(), 0);
    /// assert_eq!(Currency::new("CLF")?.minor_units(), 4);
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    #[must_use]
    pub fn minor_units(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self> {
        Self::new(s)
    }
}

impl TryFrom<String> for Currency {
    type Error = CoreError;

    fn try_from(s: String) -> Result<Self> {
        Self::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.code().to_owned()
    }
}

/// An amount of money in one currency.
///
/// Combining two currencies is an error, never a silent conversion.
///
/// ```
/// use merchantry_core::{Currency, Money};
/// use rust_decimal::Decimal;
/// let a = Money::new(Decimal::new(1999, 2), Currency::USD);
/// let b = Money::new(Decimal::new(1, 2), Currency::USD);
/// assert_eq!(a.checked_add(b)?.amount(), Decimal::new(2000, 2));
/// let euros = Money::new(Decimal::ONE, Currency::EUR);
/// assert!(a.checked_add(euros).is_err());
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// An amount in a currency.
    #[must_use]
    pub const fn new(amount: Decimal, currency: Currency) -> Self {
        Self { amount, currency }
    }

    /// Zero in a currency.
    #[must_use]
    pub const fn zero(currency: Currency) -> Self {
        Self { amount: Decimal::ZERO, currency }
    }

    /// The amount.
    #[must_use]
    pub const fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// Whether the amount is zero.
    #[must_use]
    pub fn is_zero(&self) -> bool {
        self.amount.is_zero()
    }

    fn same_currency(&self, rhs: &Self) -> Result<()> {
        if self.currency == rhs.currency {
            Ok(())
        } else {
            Err(CoreError::CurrencyMismatch { left: self.currency, right: rhs.currency })
        }
    }

    /// `self + rhs`.
    ///
    /// # Errors
    ///
    /// [`CoreError::CurrencyMismatch`] for different currencies,
    /// [`CoreError::MoneyOverflow`] when the decimal overflows.
    pub fn checked_add(self, rhs: Self) -> Result<Self> {
        self.same_currency(&rhs)?;
        let amount = self.amount.checked_add(rhs.amount).ok_or(CoreError::MoneyOverflow {
            lhs: self.amount,
            op: "+",
            rhs: rhs.amount,
        })?;
        Ok(Self::new(amount, self.currency))
    }

    /// `self - rhs`.
    ///
    /// # Errors
    ///
    /// [`CoreError::CurrencyMismatch`] for different currencies,
    /// [`CoreError::MoneyOverflow`] when the decimal overflows.
    pub fn checked_sub(self, rhs: Self) -> Result<Self> {
        self.same_currency(&rhs)?;
        let amount = self.amount.checked_sub(rhs.amount).ok_or(CoreError::MoneyOverflow {
            lhs: self.amount,
            op: "-",
            rhs: rhs.amount,
        })?;
        Ok(Self::new(amount, self.currency))
    }

    /// `self * factor`, for prices times quantities or rates.
    ///
    /// # Errors
    ///
    /// [`CoreError::MoneyOverflow`] when the decimal overflows.
    pub fn checked_mul(self, factor: Decimal) -> Result<Self> {
        let amount = self.amount.checked_mul(factor).ok_or(CoreError::MoneyOverflow {
            lhs: self.amount,
            op: "*",
            rhs: factor,
        })?;
        Ok(Self::new(amount, self.currency))
    }

    /// The sum of amounts that must all share `currency`.
    ///
    /// # Errors
    ///
    /// As [`Money::checked_add`].
    pub fn checked_sum(currency: Currency, items: impl IntoIterator<Item = Self>) -> Result<Self> {
        items.into_iter().try_fold(Self::zero(currency), Self::checked_add)
    }

    /// Rounds to the currency's minor unit for presentation, with the
    /// caller's rounding rule. The engine itself never calls this.
    ///
    /// ```
    /// use merchantry_core::{Currency, Money};
    /// use rust_decimal::{Decimal, RoundingStrategy};
    /// let third = Money::new(Decimal::ONE / Decimal::from(3), Currency::USD);
    /// let shown = third.round_to_minor(RoundingStrategy::MidpointNearestEven);
    /// assert_eq!(shown.amount().to_string(), "0.33");
    /// ```
    #[must_use]
    pub fn round_to_minor(self, strategy: RoundingStrategy) -> Self {
        let digits = self.currency.minor_units();
        Self::new(self.amount.round_dp_with_strategy(digits, strategy), self.currency)
    }

    /// Splits the amount over `weights` so that the parts add up to the
    /// whole exactly.
    ///
    /// Each part is `amount * weight / total`, rounded half-even to
    /// [`ALLOCATION_EXTRA_DIGITS`] more decimal places than the amount has
    /// (at most 28); the last part with a non-zero weight is the amount
    /// minus the others, so no fraction of a cent is created or lost, and
    /// adding the parts back up is exact (a full-precision 28-digit part
    /// would make later sums round silently).
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidWeights`] when there are no weights, one is
    /// negative, or they sum to zero; [`CoreError::MoneyOverflow`] when the
    /// arithmetic overflows.
    ///
    /// ```
    /// use merchantry_core::{Currency, Money};
    /// use rust_decimal::Decimal;
    /// let freight = Money::new(Decimal::from(100), Currency::USD);
    /// let parts = freight.allocate_exact(&[Decimal::ONE; 3])?;
    /// let total = Money::checked_sum(Currency::USD, parts.iter().copied())?;
    /// assert_eq!(total, freight);
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    pub fn allocate_exact(self, weights: &[Decimal]) -> Result<Vec<Self>> {
        let shares = allocate_decimal(self.amount, weights)?;
        Ok(shares.into_iter().map(|a| Self::new(a, self.currency)).collect())
    }

    /// Splits the amount over `weights` in whole minor units (cents), the
    /// leftover units going one each to the parts with the largest
    /// remainders (ties to the earlier part). The amount must itself be a
    /// whole number of minor units or it is rounded half-even first.
    ///
    /// # Errors
    ///
    /// As [`Money::allocate_exact`].
    ///
    /// ```
    /// use merchantry_core::{Currency, Money};
    /// use rust_decimal::Decimal;
    /// let m = Money::new(Decimal::new(1000, 2), Currency::USD);
    /// let parts = m.allocate_minor(&[Decimal::ONE; 3])?;
    /// let cents: Vec<String> = parts.iter().map(|p| p.amount().to_string()).collect();
    /// assert_eq!(cents, ["3.34", "3.33", "3.33"]);
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    pub fn allocate_minor(self, weights: &[Decimal]) -> Result<Vec<Self>> {
        let digits = self.currency.minor_units();
        let scale = Decimal::from(10_i64.pow(digits));
        let units =
            self.amount.round_dp(digits).checked_mul(scale).ok_or(CoreError::MoneyOverflow {
                lhs: self.amount,
                op: "* minor units",
                rhs: scale,
            })?;
        let exact = quotas(units, weights)?;
        let mut floors: Vec<Decimal> = exact.iter().map(|d| d.floor()).collect();
        let assigned: Decimal = floors.iter().copied().sum();
        let mut leftover = units - assigned;
        let mut order: Vec<usize> = (0..exact.len()).collect();
        order.sort_by(|&a, &b| (exact[b] - floors[b]).cmp(&(exact[a] - floors[a])).then(a.cmp(&b)));
        for index in order.into_iter().cycle() {
            if leftover <= Decimal::ZERO {
                break;
            }
            floors[index] += Decimal::ONE;
            leftover -= Decimal::ONE;
        }
        Ok(floors.into_iter().map(|u| Self::new(u / scale, self.currency)).collect())
    }
}

fn weight_total(amount: Decimal, weights: &[Decimal]) -> Result<Decimal> {
    if weights.is_empty() {
        return Err(CoreError::InvalidWeights { reason: "no weights" });
    }
    if weights.iter().any(|w| *w < Decimal::ZERO) {
        return Err(CoreError::InvalidWeights { reason: "a weight is negative" });
    }
    let overflow = |op| CoreError::MoneyOverflow { lhs: amount, op, rhs: Decimal::ZERO };
    let total = weights.iter().try_fold(Decimal::ZERO, |acc, w| acc.checked_add(*w));
    let total = total.ok_or_else(|| overflow("sum of weights"))?;
    if total.is_zero() {
        return Err(CoreError::InvalidWeights { reason: "weights sum to zero" });
    }
    Ok(total)
}

/// `amount * w / total` for every weight, unrounded.
fn quotas(amount: Decimal, weights: &[Decimal]) -> Result<Vec<Decimal>> {
    let total = weight_total(amount, weights)?;
    weights
        .iter()
        .map(|w| {
            amount
                .checked_mul(*w)
                .and_then(|x| x.checked_div(total))
                .ok_or(CoreError::MoneyOverflow { lhs: amount, op: "*", rhs: *w })
        })
        .collect()
}

/// The scale of allocated parts: the amount's own plus
/// [`ALLOCATION_EXTRA_DIGITS`], less whatever the integer digits need out
/// of the 28 a decimal holds, so sums of parts never have to round.
fn part_scale(amount: Decimal) -> u32 {
    let mut integer_digits = 0;
    let mut whole = amount.trunc().mantissa().unsigned_abs();
    while whole > 0 {
        integer_digits += 1;
        whole /= 10;
    }
    (amount.scale() + ALLOCATION_EXTRA_DIGITS).min(28_u32.saturating_sub(integer_digits + 1))
}

/// Decimal places added beyond the amount's own scale when
/// [`Money::allocate_exact`] splits it.
pub const ALLOCATION_EXTRA_DIGITS: u32 = 10;

fn allocate_decimal(amount: Decimal, weights: &[Decimal]) -> Result<Vec<Decimal>> {
    let total = weight_total(amount, weights)?;
    let scale = part_scale(amount);
    let overflow = |op| CoreError::MoneyOverflow { lhs: amount, op, rhs: Decimal::ZERO };
    let last = weights.iter().rposition(|w| !w.is_zero()).unwrap_or(0);
    let mut parts = Vec::with_capacity(weights.len());
    let mut given = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        let part = if i == last {
            amount.checked_sub(given).ok_or_else(|| overflow("-"))?
        } else {
            amount
                .checked_mul(*w)
                .and_then(|x| x.checked_div(total))
                .map(|x| x.round_dp(scale))
                .ok_or_else(|| overflow("*"))?
        };
        given = given.checked_add(part).ok_or_else(|| overflow("+"))?;
        parts.push(part);
    }
    Ok(parts)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl fmt::Debug for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

/// The cost of one unit in one currency.
///
/// Kept apart from [`Money`] so a unit cost cannot be added to a total by
/// mistake; [`UnitCost::extend`] turns it into the value of a quantity.
///
/// ```
/// use merchantry_core::{Currency, Quantity, UnitCost};
/// use rust_decimal::Decimal;
/// let cost = UnitCost::new(Decimal::new(425, 2), Currency::USD)?;
/// assert_eq!(cost.extend(Quantity::new(4))?.amount(), Decimal::from(17));
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
///
/// With the `serde` feature a unit cost deserialises through
/// [`UnitCost::new`], so a negative cost is refused.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "UnitCostRepr", into = "UnitCostRepr")
)]
pub struct UnitCost {
    per_unit: Decimal,
    currency: Currency,
}

/// The serialised form of a [`UnitCost`], unchecked until
/// [`UnitCost::new`] sees it.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct UnitCostRepr {
    per_unit: Decimal,
    currency: Currency,
}

#[cfg(feature = "serde")]
impl TryFrom<UnitCostRepr> for UnitCost {
    type Error = CoreError;

    fn try_from(r: UnitCostRepr) -> Result<Self> {
        Self::new(r.per_unit, r.currency)
    }
}

#[cfg(feature = "serde")]
impl From<UnitCost> for UnitCostRepr {
    fn from(c: UnitCost) -> Self {
        Self { per_unit: c.per_unit, currency: c.currency }
    }
}

impl UnitCost {
    /// A cost per unit. Zero is allowed (free samples, found stock).
    ///
    /// # Errors
    ///
    /// [`CoreError::NegativeUnitCost`] when `per_unit` is below zero.
    pub fn new(per_unit: Decimal, currency: Currency) -> Result<Self> {
        if per_unit < Decimal::ZERO {
            return Err(CoreError::NegativeUnitCost { value: per_unit });
        }
        Ok(Self { per_unit, currency })
    }

    /// The cost of one unit.
    #[must_use]
    pub const fn per_unit(&self) -> Decimal {
        self.per_unit
    }

    /// The currency.
    #[must_use]
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The value of `quantity` units at this cost.
    ///
    /// # Errors
    ///
    /// [`CoreError::MoneyOverflow`] when the product overflows.
    pub fn extend(&self, quantity: Quantity) -> Result<Money> {
        let q = Decimal::from(quantity.get());
        let amount = self.per_unit.checked_mul(q).ok_or(CoreError::MoneyOverflow {
            lhs: self.per_unit,
            op: "*",
            rhs: q,
        })?;
        Ok(Money::new(amount, self.currency))
    }
}

impl fmt::Display for UnitCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/unit", self.per_unit, self.currency)
    }
}

impl fmt::Debug for UnitCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
