//! Probabilities and ratios with a checked range.

use std::fmt;

use crate::error::{CoreError, Result};

/// A target service level, a probability strictly between 0 and 1
/// (a cycle service level or a fill rate, as the consumer states).
///
/// ```
/// use merchantry_core::ServiceLevel;
/// let p = ServiceLevel::new(0.95)?;
/// assert_eq!(p.get(), 0.95);
/// assert!(ServiceLevel::new(1.0).is_err());
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "f64", into = "f64")
)]
pub struct ServiceLevel(f64);

impl ServiceLevel {
    /// Wraps a probability.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidServiceLevel`] unless `0 < p < 1`.
    pub fn new(p: f64) -> Result<Self> {
        if p > 0.0 && p < 1.0 {
            Ok(Self(p))
        } else {
            Err(CoreError::InvalidServiceLevel { value: p })
        }
    }

    /// The probability.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for ServiceLevel {
    type Error = CoreError;

    fn try_from(v: f64) -> Result<Self> {
        Self::new(v)
    }
}

impl From<ServiceLevel> for f64 {
    fn from(p: ServiceLevel) -> f64 {
        p.0
    }
}

/// As a percentage, with the digits the probability is written with:
/// the decimal point of its shortest form moved two places (`0.07` is
/// `7%` and `0.955` is `95.5%`, where `p * 100` in floats printed
/// `7.000000000000001%`).
///
/// ```
/// use merchantry_core::ServiceLevel;
/// assert_eq!(ServiceLevel::new(0.29)?.to_string(), "29%");
/// assert_eq!(ServiceLevel::new(0.955)?.to_string(), "95.5%");
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
impl fmt::Display for ServiceLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // 0 < p < 1, so the shortest form is "0." and the digits.
        let plain = self.0.to_string();
        let digits = plain.strip_prefix("0.").unwrap_or(&plain);
        let (whole, rest) = if digits.len() >= 2 { digits.split_at(2) } else { (digits, "") };
        // A single digit is tenths: 0.5 is 50%.
        let whole = if whole.len() == 1 { format!("{whole}0") } else { whole.to_owned() };
        let whole = whole.trim_start_matches('0');
        let whole = if whole.is_empty() { "0" } else { whole };
        if rest.is_empty() { write!(f, "{whole}%") } else { write!(f, "{whole}.{rest}%") }
    }
}

/// A finite ratio at or above zero: a share, a multiplier, an uplift.
///
/// ```
/// use merchantry_core::Ratio;
/// assert_eq!(Ratio::new(1.5)?.get(), 1.5);
/// assert!(Ratio::new(-0.1).is_err());
/// # Ok::<(), merchantry_core::CoreError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "f64", into = "f64")
)]
pub struct Ratio(f64);

impl Ratio {
    /// Wraps a ratio.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidRatio`] for a negative, infinite or NaN value.
    pub fn new(value: f64) -> Result<Self> {
        if value.is_finite() && value >= 0.0 {
            Ok(Self(value))
        } else {
            Err(CoreError::InvalidRatio { value })
        }
    }

    /// The ratio.
    #[must_use]
    pub const fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Ratio {
    type Error = CoreError;

    fn try_from(v: f64) -> Result<Self> {
        Self::new(v)
    }
}

impl From<Ratio> for f64 {
    fn from(r: Ratio) -> f64 {
        r.0
    }
}
