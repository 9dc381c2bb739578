//! The error type of `merchantry-reorder`.

use chrono::NaiveDate;
use merchantry_core::{CoreError, Decimal, LocationId, ShortFloat, Sku};

/// What went wrong while planning or replaying a replenishment.
///
/// Every variant names the SKU (or the setting) it is about, so the
/// message can be shown to a person as it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReorderError {
    /// The demand forecast had no day to plan with.
    #[error("sku {sku}: the demand forecast is empty or does not cover {day}")]
    NoForecast {
        /// The SKU.
        sku: Sku,
        /// The planning day.
        day: NaiveDate,
    },
    /// The lead-time forecaster knew nothing about the SKU.
    #[error("sku {sku}: no lead-time forecast for destination {destination}")]
    NoLeadTime {
        /// The SKU.
        sku: Sku,
        /// Where the goods were to be received.
        destination: String,
    },
    /// A lead time was negative, or its spread was.
    #[error(
        "sku {sku}: lead time {what} is {} days, expected a finite value at or above zero",
        ShortFloat(*.value)
    )]
    InvalidLeadTime {
        /// The SKU.
        sku: Sku,
        /// `mean` or `std_dev`.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A transfer source's transit time (its mean or its spread) was
    /// negative or not finite.
    #[error(
        "sku {sku}: transfer from {from} has a transit {what} of {} days, expected a finite \
         value at or above zero",
        ShortFloat(*.value)
    )]
    InvalidTransit {
        /// The SKU.
        sku: Sku,
        /// The source location.
        from: LocationId,
        /// `mean` or `std_dev`.
        what: &'static str,
        /// The rejected value, in days.
        value: f64,
    },
    /// A policy or option setting was out of its range.
    #[error("invalid setting {setting}: {reason}")]
    InvalidSetting {
        /// The field, e.g. `min_max.max`.
        setting: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A supplier constraint was out of its range.
    #[error("sku {sku}: invalid supplier constraint {field}: {reason}")]
    InvalidConstraint {
        /// The SKU.
        sku: Sku,
        /// `case_pack`, `moq`, `max_per_order` or `capacity`.
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Economic order quantity needs costs the input did not carry, or
    /// the holding cost was zero.
    #[error("sku {sku}: economic order quantity needs {missing}")]
    MissingCost {
        /// The SKU.
        sku: Sku,
        /// What is missing, e.g. `a holding cost above zero`.
        missing: &'static str,
    },
    /// A statistic came out infinite or NaN, or a quantity did not fit in
    /// 64 bits.
    #[error(
        "sku {sku}: {what} is {}, which is not a usable number of units",
        ShortFloat(*.value)
    )]
    OutOfRange {
        /// The SKU.
        sku: Sku,
        /// Which value.
        what: &'static str,
        /// The value.
        value: f64,
    },
    /// An open purchase order, shipment or transfer carried fewer than
    /// zero units.
    #[error("sku {sku}: open supply {index} has {quantity} units; it must not be negative")]
    NegativeSupply {
        /// The SKU.
        sku: Sku,
        /// The position of the supply line in `open_supply`, from 0.
        index: usize,
        /// The rejected quantity.
        quantity: i64,
    },
    /// A cost was outside its meaning: a unit margin, holding rate or
    /// order cost below zero (see [`Costs`](crate::Costs)), or an order
    /// value or margin at risk below zero handed to
    /// [`allocate_budget`](crate::allocate_budget).
    #[error("sku {sku}: cost {field} is {value}, expected {expected}")]
    InvalidCost {
        /// The SKU.
        sku: Sku,
        /// `unit_margin`, `holding_rate`, `order_cost`, `order value` or
        /// `margin_at_risk`.
        field: &'static str,
        /// The rejected value.
        value: Decimal,
        /// What is accepted.
        expected: &'static str,
    },
    /// The budget handed to [`allocate_budget`](crate::allocate_budget)
    /// was below zero.
    #[error("budget is {value}, expected zero or more")]
    InvalidBudget {
        /// The rejected amount.
        value: Decimal,
    },
    /// Backorders (units owed to customers) were below zero.
    #[error("sku {sku}: backorders are {quantity} units; they must not be negative")]
    NegativeBackorders {
        /// The SKU.
        sku: Sku,
        /// The rejected quantity.
        quantity: i64,
    },
    /// A number handed to a safety-stock function was outside its
    /// domain: NaN, infinite, or negative where only zero or more makes
    /// sense (a lot, a standard deviation), a lot above
    /// [`MAX_LOT`](crate::safety::MAX_LOT), or a reorder point it would
    /// return past the range of `f64`.
    #[error(
        "{what} is {}, outside its domain (a finite number; for a lot or spread at or above zero; for a lot at most 2^53 units)",
        ShortFloat(*.value)
    )]
    InvalidStatistic {
        /// Which argument, e.g. `lot` or `sigma`.
        what: &'static str,
        /// The rejected value.
        value: f64,
    },
    /// A backtest was given no demand history.
    #[error("sku {sku}: the backtest demand history is empty")]
    EmptyHistory {
        /// The SKU.
        sku: Sku,
    },
    /// Arithmetic on a core value failed (overflow), or two amounts that
    /// must share a currency did not ([`CoreError::CurrencyMismatch`]:
    /// a [`Costs`](crate::Costs) whose order cost and unit cost differ,
    /// or an order priced in another currency than the budget).
    #[error("sku {sku}: {source}")]
    Core {
        /// The SKU.
        sku: Sku,
        /// The underlying error.
        source: CoreError,
    },
}

impl ReorderError {
    /// Wraps a core error with the SKU it happened for.
    pub(crate) fn core(sku: &Sku) -> impl FnOnce(CoreError) -> Self + '_ {
        move |source| Self::Core { sku: sku.clone(), source }
    }
}

/// The result type of this crate.
pub type Result<T, E = ReorderError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use merchantry_core::ServiceLevel;

    use crate::engine::{Planner, PlannerOptions};
    use crate::policy::{LotSize, Policy, PolicyConfig};
    use crate::safety::{
        DemandModel, DemandOverInterval, ServiceTarget, k_for_fill_rate, safety_stock,
    };

    fn message<T: std::fmt::Debug>(result: crate::Result<T>) -> String {
        result.unwrap_err().to_string()
    }

    fn cover_days(d: f64) -> String {
        let policy = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(d) });
        message(Planner::new(PlannerOptions::new(policy)))
    }

    #[test]
    fn huge_and_tiny_floats_print_short_in_messages() {
        let fill = ServiceLevel::new(0.9).unwrap();
        // The domain sentence alone is 105 characters; with the raw digits
        // these messages ran to 370-420.
        let domain = "outside its domain (a finite number; for a lot or spread at or above \
                      zero; for a lot at most 2^53 units)";

        let tiny_lot = message(k_for_fill_rate(fill, -1e-300, 1.0));
        assert_eq!(tiny_lot, format!("lot is -1e-300, {domain}"));
        assert!(tiny_lot.len() < 140, "{} characters: {tiny_lot}", tiny_lot.len());

        let demand = DemandOverInterval::new(10.0, 0.0, 5.0, 2.0);
        let huge_lot = message(safety_stock(
            &demand,
            ServiceTarget::FillRate(fill),
            DemandModel::Normal,
            1e300,
        ));
        assert_eq!(huge_lot, format!("lot is 1e300, {domain}"));
        assert!(huge_lot.len() < 140, "{} characters: {huge_lot}", huge_lot.len());

        let tiny_cover = cover_days(-1e-300);
        assert_eq!(
            tiny_cover,
            "invalid setting continuous_review.lot: cover days -1e-300 must be above zero"
        );
        assert!(tiny_cover.len() < 140, "{} characters: {tiny_cover}", tiny_cover.len());

        // Everyday values print as plain `{}` always did.
        assert_eq!(message(k_for_fill_rate(fill, -2.5, 1.0)), format!("lot is -2.5, {domain}"));
        assert_eq!(
            cover_days(-0.75),
            "invalid setting continuous_review.lot: cover days -0.75 must be above zero"
        );
    }
}
