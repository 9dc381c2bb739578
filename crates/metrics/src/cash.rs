//! The cash conversion cycle.
//!
//! CCC = DIO + DSO - DPO, in days: how long cash paid to a supplier is
//! away before a customer's money comes back. DIO usually comes from
//! [`crate::InventoryTurn::dio_days`]; DSO for a marketplace seller is the
//! payout lag (Amazon settles every 14 days and holds reserves); DPO is
//! the supplier's payment terms as actually used. All three come from the
//! caller, in days, as exact decimals.

use rust_decimal::Decimal;

use crate::error::{MetricsError, Result, overflow_total};

/// The parts and the result of a cash conversion cycle, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CashConversionCycle {
    /// Days inventory outstanding.
    pub dio_days: Decimal,
    /// Days sales outstanding.
    pub dso_days: Decimal,
    /// Days payables outstanding.
    pub dpo_days: Decimal,
    /// DIO + DSO - DPO; negative when suppliers fund the inventory.
    pub ccc_days: Decimal,
}

impl CashConversionCycle {
    /// The cycle from its three parts.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Negative`] when a part is below zero,
    /// [`MetricsError::Overflow`] when the sum overflows.
    ///
    /// ```
    /// use merchantry_core::Decimal;
    /// use merchantry_metrics::CashConversionCycle;
    /// // 60 days in stock + 14 days payout lag - 30 days supplier terms = 44
    /// let c = CashConversionCycle::new(Decimal::from(60), Decimal::from(14), Decimal::from(30))?;
    /// assert_eq!(c.ccc_days, Decimal::from(44));
    /// # Ok::<(), merchantry_metrics::MetricsError>(())
    /// ```
    pub fn new(dio_days: Decimal, dso_days: Decimal, dpo_days: Decimal) -> Result<Self> {
        for (what, value) in [("dio", dio_days), ("dso", dso_days), ("dpo", dpo_days)] {
            if value < Decimal::ZERO {
                return Err(MetricsError::Negative { what, value });
            }
        }
        let ccc_days = dio_days
            .checked_add(dso_days)
            .and_then(|s| s.checked_sub(dpo_days))
            .ok_or_else(|| overflow_total("cash conversion cycle"))?;
        Ok(Self { dio_days, dso_days, dpo_days, ccc_days })
    }
}
