//! Replenishment policies and the named choices inside them.

use merchantry_core::{Quantity, ServiceLevel, ShortFloat};

use crate::error::{ReorderError, Result};
use crate::safety::{DemandModel, ServiceTarget};

/// When a position "reaches" the reorder point.
///
/// Textbooks differ: Silver-Pyke-Peterson's (s, Q) and Axsäter's
/// (R, Q) order when the position drops *to or below* the point (so
/// that, with demand in whole units, the position after ordering runs
/// over `R + 1 ..= R + Q`); Scarf's (s, S) orders when it is *below*
/// `s`. Under continuous review the planner compares the
/// whole-unit position with `s` rounded up to whole units, so the two
/// always differ by one unit (with `s = 270.75`, `AtOrBelow` orders at
/// 271 and `StrictlyBelow` at 270), and the choice is explicit. Only
/// `AtOrBelow` on the rounded-up point meets the service target exactly
/// when demand comes one unit at a time.
///
/// With no demand to protect, the boundary is no signal. The demand to
/// protect is the quantile of the demand over the protection interval
/// (the lead time, plus the review period under periodic review) at the
/// service target's level; when it is zero up to float noise (below
/// [`MIN_UNITS_TO_PROTECT`](crate::MIN_UNITS_TO_PROTECT), a millionth of
/// a unit), nothing draws the position down before an order placed now
/// could land. Then, whichever rule is chosen, the trigger compares with
/// `StrictlyBelow` at the point rounded to the nearest unit and at least
/// 0 (`max(round(point), 0)`), and the order-up-to level is rounded to
/// the nearest unit as well, which takes the trace of demand out of
/// both. A discontinued SKU at position 0 (its point is 0), or one
/// forecast at 1e-15 a day, orders nothing and is
/// [`Urgency::Idle`](crate::Urgency::Idle) rather than ordering a lot
/// nobody will buy. Backorders still fire and order what clears them
/// (at least; the quantity rule and lot apply as usual, see
/// [`QuantityRule`]), even when a fill-rate target puts the point below
/// zero; a min/max `min` above the position still fires, as the static
/// level it is. Demand later in the forecast still sets the order-by
/// date, which fires as usual on a projected stock-out, itself a
/// shortfall of at least a millionth of a unit: from an empty shelf,
/// 1.5e-7 a day is 7.5e-7 units over a 5-day lead time, no demand to
/// protect, but 1.05e-6 short by day 6, so an order-by date of
/// `6 - 3 - 5` has passed and fires. The recommendation then carries
/// [`Reason::NoDemandToProtect`](crate::Reason::NoDemandToProtect), and
/// `reorder_on` uses the same comparison on the projected position,
/// below the point by at least a millionth of a unit, as a projected
/// stock-out is.
///
/// Any real demand, however slow, keeps the configured rule, as the
/// textbook rule orders at a position at or below `r` even when `r = 0`:
/// 0.01 a day over a certain 5-day lead time (0.05 units, `s` rounded up
/// to 1) fires at position 0 under `AtOrBelow`, since a shelf at 0 that
/// takes no backorders sells nothing until an order lands.
///
/// Ordering up to a level the position already holds orders nothing, so
/// under [`QuantityRule::OrderUpTo`] a position at such a level does not
/// trigger: where the order-up-to level equals a whole-unit point
/// (periodic review, whose `S` is both; min/max with `max == min`; days
/// of cover with `target_days` demand equal to `reorder_days` demand),
/// `AtOrBelow` compares as `StrictlyBelow`, as the (R, S) and (s, S)
/// rules order `S` less the position only when that is above zero.
/// Continuous review instead orders at least what lifts the position
/// out of the trigger (see [`QuantityRule::OrderUpTo`]). Either way a
/// triggered SKU needs at least one unit (its net need); what it orders
/// can still be less, or nothing, where a transfer covers the need or
/// the SKU's constraints (destination capacity, budget) cap the order,
/// as its reasons say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Trigger {
    /// Reorder when `position <= point` (default).
    #[default]
    AtOrBelow,
    /// Reorder when `position < point`.
    StrictlyBelow,
}

impl Trigger {
    /// Whether a position fires the trigger at `point`. A NaN on either
    /// side never fires (no comparison with NaN holds); infinities
    /// compare as usual.
    ///
    /// ```
    /// use merchantry_reorder::Trigger;
    /// assert!(Trigger::AtOrBelow.fires(10.0, 10.0));
    /// assert!(!Trigger::StrictlyBelow.fires(10.0, 10.0));
    /// ```
    #[must_use]
    pub fn fires(self, position: f64, point: f64) -> bool {
        match self {
            Self::AtOrBelow => position <= point,
            Self::StrictlyBelow => position < point,
        }
    }
}

/// How much to order once the trigger fires.
///
/// Each rule is the textbook one, in whole units, and the planner does
/// not trim it when there is no demand to protect: with backorders and
/// no demand a fixed lot still orders whole lots and min/max still
/// refills to `max`. Those are the seller's settings (a supplier's lot, a
/// shelf to keep full), not figures derived from demand; the rule says
/// what they mean, and a seller who wants only the backorders cleared
/// uses a level read from the forecast (cover days, periodic review or
/// days of cover), which is 0 with no demand, so the order is exactly
/// the units owed. With 5 owed and no demand: (s, S) with `Q = 4` orders
/// `S - position = 4 + 5 = 9`; (s, nQ) with `Q = 4` orders 2 lots, 8
/// (one would leave the position at -1); min/max 10/50 orders
/// `50 + 5 = 55`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum QuantityRule {
    /// Order the gap between the policy's order-up-to level and the
    /// position (an (s, S) rule; default): `S - position`, rounded up to
    /// whole units. Under continuous review, at least the units that lift
    /// the position out of the trigger (above the point rounded up, for
    /// [`Trigger::AtOrBelow`]): `S = s + Q` can sit at or below that
    /// rounded point when the lot `Q` is under one unit (a few days of
    /// cover of a slow mover), and an (s, Q) lot in whole units is at
    /// least one. With `s = 2.5` (trigger at 3) and `Q = 0.5`, a position
    /// of 3 orders 1 unit, not `ceil(3.0 - 3) = 0`, and 2 orders 2.
    #[default]
    OrderUpTo,
    /// Order the smallest whole number of the policy's lot (rounded up
    /// to whole units, at least one) that lifts the position back past
    /// the trigger (an (s, nQ) rule), one lot when the order-by date
    /// fired instead.
    FixedLot,
}

/// How the lot `Q` of continuous review is sized.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LotSize {
    /// Economic order quantity `sqrt(2 D K / h)` from annual demand `D`,
    /// cost per order `K` and holding cost per unit-year `h` (needs
    /// [`crate::Costs`]). `D` is the mean daily forecast over the lead
    /// time times 365; the lot is then fitted to the supplier's minimum,
    /// case pack and maximum like any other need.
    Eoq,
    /// The forecast demand of this many days.
    CoverDays(f64),
    /// A fixed number of units.
    Fixed(Quantity),
}

/// A replenishment policy: when the trigger fires and what level it
/// refills to.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Policy {
    /// Continuous review (s, Q): reorder point `s` from the lead-time
    /// demand and the service target, lot `Q`; the order-up-to level is
    /// `s + Q`. Protection interval: the lead time. See [`QuantityRule`]
    /// for what a triggered SKU orders.
    ContinuousReview {
        /// How `Q` is sized.
        lot: LotSize,
    },
    /// Periodic review (R, S): at each review, order up to
    /// `S = d (L + R) + SS`. Protection interval: lead time plus review
    /// period; this is the only policy whose interval includes `R`. Under
    /// a fill rate `SS` meets it exactly, net of the shortage already
    /// counted when the previous order landed
    /// ([`periodic_fill_rate_level`](crate::periodic_fill_rate_level)).
    /// The caller asks on review days.
    PeriodicReview {
        /// Days between reviews, at least 1.
        review_days: u32,
    },
    /// Min/max: reorder when the position reaches `min`, refill to
    /// `max` (an (s, S) rule on static levels; with backorders it refills
    /// to `max` whatever the demand). The service target is only
    /// reported, and decides whether there is demand to protect (see
    /// [`Trigger`]).
    MinMax {
        /// The reorder point.
        min: Quantity,
        /// The order-up-to level, at least `min`.
        max: Quantity,
    },
    /// Days-of-cover targets read from the forecast: reorder when the
    /// position covers `reorder_days` of forecast demand or less, refill
    /// to `target_days` of it.
    DaysOfCover {
        /// Cover that triggers an order.
        reorder_days: f64,
        /// Cover to refill to, at least `reorder_days`.
        target_days: f64,
    },
}

/// A policy with its named choices.
///
/// Defaults (through [`PolicyConfig::new`]): 95% cycle service level,
/// normal demand, [`Trigger::AtOrBelow`], [`QuantityRule::OrderUpTo`].
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PolicyConfig {
    /// The policy.
    pub policy: Policy,
    /// The service target for the safety stock.
    pub service: ServiceTarget,
    /// The demand distribution.
    pub model: DemandModel,
    /// The trigger boundary.
    pub trigger: Trigger,
    /// The quantity rule.
    pub quantity: QuantityRule,
}

impl PolicyConfig {
    /// A policy with the default choices.
    ///
    /// ```
    /// use merchantry_reorder::{LotSize, Policy, PolicyConfig, Trigger};
    /// let cfg = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
    /// assert_eq!(cfg.trigger, Trigger::AtOrBelow);
    /// ```
    #[must_use]
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            service: ServiceTarget::CycleService(default_level()),
            model: DemandModel::Normal,
            trigger: Trigger::AtOrBelow,
            quantity: QuantityRule::OrderUpTo,
        }
    }

    /// Replaces the service target.
    #[must_use]
    pub const fn with_service(mut self, service: ServiceTarget) -> Self {
        self.service = service;
        self
    }

    /// Replaces the demand model.
    #[must_use]
    pub const fn with_model(mut self, model: DemandModel) -> Self {
        self.model = model;
        self
    }

    /// Replaces the trigger boundary.
    #[must_use]
    pub const fn with_trigger(mut self, trigger: Trigger) -> Self {
        self.trigger = trigger;
        self
    }

    /// Replaces the quantity rule.
    #[must_use]
    pub const fn with_quantity(mut self, quantity: QuantityRule) -> Self {
        self.quantity = quantity;
        self
    }

    /// Checks the settings.
    ///
    /// # Errors
    ///
    /// [`ReorderError::InvalidSetting`] for a zero review period, a
    /// `max` below `min`, cover days that are negative, not finite or out
    /// of order, or a negative fixed lot.
    pub fn validate(&self) -> Result<()> {
        let bad = |setting, reason: String| Err(ReorderError::InvalidSetting { setting, reason });
        match self.policy {
            Policy::PeriodicReview { review_days: 0 } => {
                bad("periodic_review.review_days", "must be at least 1".into())
            }
            Policy::MinMax { min, max } if max < min => {
                bad("min_max.max", format!("{max} is below min {min}"))
            }
            Policy::DaysOfCover { reorder_days, target_days }
                if !(reorder_days.is_finite()
                    && target_days.is_finite()
                    && reorder_days >= 0.0
                    && target_days >= reorder_days) =>
            {
                bad(
                    "days_of_cover",
                    format!(
                        "need 0 <= reorder_days ({}) <= target_days ({})",
                        ShortFloat(reorder_days),
                        ShortFloat(target_days)
                    ),
                )
            }
            Policy::ContinuousReview { lot: LotSize::CoverDays(d) }
                if !(d.is_finite() && d > 0.0) =>
            {
                bad(
                    "continuous_review.lot",
                    format!("cover days {} must be above zero", ShortFloat(d)),
                )
            }
            Policy::ContinuousReview { lot: LotSize::Fixed(q) } if !q.is_positive() => {
                bad("continuous_review.lot", format!("fixed lot {q} must be above zero"))
            }
            _ => Ok(()),
        }
    }
}

#[expect(clippy::unwrap_used, reason = "0.95 lies inside (0, 1), a compile-time fact")]
fn default_level() -> ServiceLevel {
    ServiceLevel::new(0.95).unwrap()
}
