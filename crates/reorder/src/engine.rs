//! The planner: from a prepared [`SkuInput`] to a [`Recommendation`].

use std::borrow::Cow;

use chrono::{Days as ChronoDays, NaiveDate};
use merchantry_core::{CoreError, Decimal, LocationId, Money, Quantity, ShortFloat, Sku};

use crate::error::{ReorderError, Result};
use crate::input::{OpenSupply, PreviousRecommendation, SkuInput, TransferSource};
use crate::lot::{ConstraintApplied, SupplierConstraints, eoq};
use crate::policy::{LotSize, Policy, PolicyConfig, QuantityRule, Trigger};
use crate::projection::{ArrivalWindow, Projection, add_days_ceil, project, projected_stockout};
use crate::safety::{
    DemandModel, DemandOverInterval, SafetyStock, ServiceTarget, gamma_expected_shortage,
    normal_loss, periodic_fill_rate_level, safety_stock,
};

/// Days in a year, for annual demand in the EOQ.
const DAYS_PER_YEAR: f64 = 365.0;

/// The least demand to protect, in units: a millionth of a unit. When
/// both the mean demand over the protection interval and the demand to
/// protect are below it, the planner treats a SKU as having no demand to
/// protect.
///
/// The demand to protect is the quantile of the demand over the
/// protection interval (the lead time, plus the review period under
/// periodic review) at the service target's level: `mu + z sigma` under
/// the normal model for a cycle service level `p`, the gamma quantile
/// under [`DemandModel::Gamma`], and for a fill rate `beta` the quantile
/// at `beta` (the fill-rate reorder point of a lot of 0, so that a large
/// lot, which lowers the fill-rate point, does not make real demand look
/// like none). The mean is asked as well because under a cycle service
/// level below 50% the normal quantile `mu + z sigma` is below the mean
/// and can be below zero for real demand (10 units over the lead time
/// with `sigma = 13.4` has a 10% point of -7.2): that SKU keeps the
/// configured rule at its point. With no demand to protect the SKU
/// fires only strictly below its point, which is then 0 for a
/// forecast-driven policy, so only backorders (or a min/max `min` above
/// the position) trigger; see
/// [`Trigger`] for the rule and [`Reason::NoDemandToProtect`] for how it
/// is reported.
///
/// Why so small: the textbook continuous-review rule orders when the
/// position is at or below the reorder point `r`, and that holds when
/// `r = 0` too. At 0.01 units a day over a certain 5-day lead time,
/// Poisson demand over the lead time has mean 0.05 and
/// `P(D = 0) = e^-0.05 = 0.951`, so the 95% point is `r = 0` (the normal
/// model rounds `s = 0.05` up to 1), and an empty shelf orders. A seller
/// whose marketplace takes no backorders (FBA) cannot sell a slow mover
/// at 0 at all, so waiting for a backorder would never trigger it. Any
/// real demand, however slow, is therefore protected under the
/// configured [`Trigger`]. Only demand that is zero up to float noise
/// counts as none, such as the 1e-15 a day a dead SKU's decaying
/// forecast can leave: read as demand, its point of 5e-15 rounds up to 1
/// and position 0 orders a whole lot nobody will buy. A millionth of a
/// unit is also the most float noise the planner forgives when it rounds
/// a point up to whole units (see [`Recommendation::reorder_point`]), and
/// the least shortfall a projected stock-out counts (see
/// [`Projection::stockout`]).
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::*;
/// use merchantry_reorder::*;
/// let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// let lead = LeadTimeEstimate { mean: Days::whole(5), std_dev: Days::whole(0),
///     stages: vec![], quantiles: vec![] };
/// let cfg = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
/// let planner = Planner::new(PlannerOptions::new(cfg))?;
/// let at_zero = |daily: f64| -> Result<Recommendation, Box<dyn std::error::Error>> {
///     let forecast = DailyForecast::new(today, vec![daily; 90], vec![0.0; 90])?;
///     let sku = Sku::new("MUG")?;
///     let input = SkuInput::new(sku, LocationId::new("FBA-US")?, today, forecast, lead.clone());
///     Ok(planner.recommend(&input)?)
/// };
/// // 1e-15 a day with no spread: 5 x 1e-15 = 5e-15 units to protect over
/// // the lead time, under a millionth: none. Position 0 orders nothing.
/// let noise = at_zero(1e-15)?;
/// assert!(!noise.triggered && noise.order.is_none());
/// assert!(noise.reasons.iter().any(|r| matches!(r,
///     Reason::NoDemandToProtect { units_to_protect, .. } if *units_to_protect < MIN_UNITS_TO_PROTECT)));
/// // 0.01 a day: 5 x 0.01 = 0.05 units to protect. s = 0.05 rounds up to
/// // 1 and 0 <= 1 fires; S = 0.05 + 30 x 0.01 = 0.35, and the order is
/// // at least the 2 units that lift the position above the point 1.
/// let slow = at_zero(0.01)?;
/// assert!(slow.triggered);
/// assert_eq!(slow.order.map(|o| o.quantity), Some(Quantity::new(2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MIN_UNITS_TO_PROTECT: f64 = 1e-6;

/// When a new recommendation counts as a suspicious jump.
///
/// Inputs count as unchanged when, against the caller's
/// [`PreviousRecommendation`], the mean demand over the protection
/// interval, the mean lead time and the position each moved by at most
/// `input_tolerance` (relative to the previous demand mean, lead time,
/// and demand mean again for the position; each floored at 1). A jump is
/// a change of the recommended quantity by more than `jump_ratio` of
/// the previous quantity and by more than one case pack, when both the
/// previous and the new quantity are positive (crossing the trigger is
/// not a jump). A jump on unchanged inputs is held: the previous quantity
/// is kept and the proposal is reported.
///
/// Defaults: `input_tolerance` 0.05, `jump_ratio` 0.5.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StabilityRule {
    /// Largest relative input change still counted as unchanged.
    pub input_tolerance: f64,
    /// Largest relative quantity change accepted on unchanged inputs.
    pub jump_ratio: f64,
}

impl Default for StabilityRule {
    fn default() -> Self {
        Self { input_tolerance: 0.05, jump_ratio: 0.5 }
    }
}

/// How the planner runs.
///
/// Defaults (through [`PlannerOptions::new`]): `buffer_days` 3,
/// `soon_days` 7, `order_by_trigger` on, default [`StabilityRule`],
/// `keep_projection` off, `overdue_supply_days` `None`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PlannerOptions {
    /// The policy and its choices.
    pub policy: PolicyConfig,
    /// Goods should land this many days before projected depletion.
    pub buffer_days: u32,
    /// A day to order (the earlier of the order-by date and the
    /// reorder-point day) within this many days is [`Urgency::Soon`].
    pub soon_days: u32,
    /// Also order when the latest order date has come, even if the
    /// position is above the reorder point (as long as it is below the
    /// order-up-to level: open supply is always netted first).
    pub order_by_trigger: bool,
    /// The stability rule.
    pub stability: StabilityRule,
    /// Keep the day-by-day projection in each recommendation.
    pub keep_projection: bool,
    /// When open supply whose expected day has passed is projected to
    /// land. `None` (the default) treats it like supply with no date: it
    /// lands with an order placed today, after the full mean lead time,
    /// the cautious guess. `Some(n)` expects it `n` days from today, for
    /// a late shipment known to be close (a container at the port), so
    /// the projection does not see a stockout that will not happen and
    /// the order-by trigger does not reorder day after day while it is
    /// late.
    #[cfg_attr(feature = "serde", serde(default))]
    pub overdue_supply_days: Option<u32>,
}

impl PlannerOptions {
    /// Options with the defaults for a policy.
    #[must_use]
    pub fn new(policy: PolicyConfig) -> Self {
        Self {
            policy,
            buffer_days: 3,
            soon_days: 7,
            order_by_trigger: true,
            stability: StabilityRule::default(),
            keep_projection: false,
            overdue_supply_days: None,
        }
    }
}

/// How pressing a recommendation is.
///
/// When nothing is ordered today, the day that counts is the earlier of
/// [`Recommendation::order_by`] and [`Recommendation::reorder_on`]: the
/// position reaching the reorder point is as much a signal to order as
/// the latest date that still beats the projected stockout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Urgency {
    /// Nothing to order: neither a stockout nor the reorder point is
    /// projected within the forecast horizon.
    Idle,
    /// A stockout or the reorder point is projected; the earlier of the
    /// order-by date and the reorder-point day is beyond the `soon_days`
    /// window.
    Planned,
    /// The earlier of the order-by date and the reorder-point day is
    /// within `soon_days` (or has passed while open supply already
    /// covers the need: expedite rather than reorder).
    Soon,
    /// Act today; goods should land with the buffer.
    Now,
    /// Act today; even so the goods are expected after the buffer (or
    /// after the stockout).
    Late,
}

/// Whether the stability rule held the recommendation back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Stability {
    /// No previous recommendation to compare with.
    NoHistory,
    /// Compared; nothing suspicious.
    Stable,
    /// Inputs barely changed but the quantity jumped: the previous
    /// quantity is kept and the proposal is only reported.
    Held {
        /// What the engine would have recommended.
        proposed: Quantity,
        /// What it recommends instead (the previous quantity, fitted to
        /// the constraints).
        kept: Quantity,
    },
}

/// An input or constraint that shaped a recommendation.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Reason {
    /// The demand over the protection interval.
    Demand(DemandOverInterval),
    /// The lead-time forecast.
    LeadTime {
        /// Mean days.
        mean: f64,
        /// Standard deviation of days.
        std_dev: f64,
        /// How many stages the forecast itemised.
        stages: usize,
    },
    /// The safety stock and the target behind it.
    SafetyStock {
        /// The target.
        target: ServiceTarget,
        /// The distribution.
        model: DemandModel,
        /// The result.
        safety: SafetyStock,
    },
    /// The position the decision used.
    Position {
        /// Sellable units on the shelf.
        on_hand: Quantity,
        /// Open supply, whatever its due date.
        on_order: Quantity,
        /// Units owed to customers.
        backorders: Quantity,
    },
    /// The demand over the protection interval at the service target is
    /// zero up to float noise (below [`MIN_UNITS_TO_PROTECT`]; none at
    /// all is the plainest case), so nothing draws the position down
    /// before an order placed now could land: the reorder-point trigger
    /// fires only for a position strictly below the reorder point (to
    /// the nearest whole unit) or below zero (backorders to clear),
    /// whatever the configured [`Trigger`]. See [`Trigger`] for the
    /// rule.
    NoDemandToProtect {
        /// The position.
        position: Quantity,
        /// The demand to protect: the quantile of the interval demand at
        /// the target's level, below [`MIN_UNITS_TO_PROTECT`].
        units_to_protect: f64,
        /// Whether the configured trigger would have fired at this
        /// position (at the point under [`Trigger::AtOrBelow`]) and the
        /// rule held it back.
        held: bool,
    },
    /// The position reached the reorder point.
    ReorderPointReached {
        /// The position.
        position: Quantity,
        /// The reorder point the trigger compared the position with (under
        /// continuous review rounded up to whole units; with no demand to
        /// protect, rounded to the nearest whole unit and at least 0).
        reorder_point: f64,
        /// The boundary rule: the configured one, except
        /// [`Trigger::StrictlyBelow`] with no demand to protect, or where
        /// an order-up-to level equals the point (see [`Trigger`]).
        trigger: Trigger,
    },
    /// The latest order date that lands goods `buffer_days` before the
    /// projected stockout has come.
    OrderByDateReached {
        /// The projected stockout.
        stockout: NaiveDate,
        /// The latest order date.
        order_by: NaiveDate,
    },
    /// The units needed before constraints.
    NetNeed {
        /// The level ordered up to (or the lot). With no demand to
        /// protect the order-up-to level to the nearest whole unit; when
        /// the level would leave the position in the trigger, the
        /// position plus the units that lift it out.
        level: f64,
        /// The rule.
        rule: QuantityRule,
        /// Units.
        need: Quantity,
    },
    /// Stock moved from another location first because it lands sooner.
    TransferFirst {
        /// The source.
        from: LocationId,
        /// Units.
        quantity: Quantity,
        /// Mean transit days.
        transit_days: f64,
    },
    /// A supplier or destination constraint changed the quantity.
    Constraint(ConstraintApplied),
    /// The stability rule held a jump.
    HeldForStability {
        /// The proposed quantity.
        proposed: Quantity,
    },
}

/// Units moved from another location.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TransferLine {
    /// The source.
    pub from: LocationId,
    /// Units.
    pub quantity: Quantity,
    /// Expected sellable at the destination.
    pub expected: Option<NaiveDate>,
}

/// Units to order from the supplier today.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct OrderLine {
    /// Units, a multiple of the case pack and at least the minimum.
    pub quantity: Quantity,
    /// Value at unit cost, when costs were given.
    pub value: Option<Money>,
    /// The constraints it satisfies (for budget trimming).
    pub constraints: SupplierConstraints,
}

/// What to do for one SKU at one destination, with why.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Recommendation {
    /// The SKU.
    pub sku: Sku,
    /// The destination.
    pub destination: LocationId,
    /// The planning day.
    pub today: NaiveDate,
    /// Demand over the protection interval.
    pub demand: DemandOverInterval,
    /// Safety stock (implied by the levels for min/max and cover
    /// policies).
    pub safety_stock: SafetyStock,
    /// The reorder point `s` (the order-up-to level `S` under periodic
    /// review) as computed, in fractional units; may be negative, never
    /// clamped. Under continuous review the trigger compares the
    /// whole-unit position with `s` rounded up to whole units (a point of
    /// 270.75 orders at a position of 271 with [`Trigger::AtOrBelow`]),
    /// so the service target is met rather than missed by a fraction of a
    /// unit; [`Reason::ReorderPointReached`] carries that whole-unit point.
    /// A point within float noise above a whole number (less than 1e-12
    /// of its size, and under a millionth of a unit) counts as that
    /// number: 30 days of 0.1 a day make 3.0000000000000013, which
    /// triggers at 3, not 4. A point in `(0, 1)`, however small, is 1,
    /// unless the demand to protect is float noise (below
    /// [`MIN_UNITS_TO_PROTECT`]): then every policy's trigger takes the
    /// point to the nearest whole unit (see [`Trigger`]).
    pub reorder_point: f64,
    /// The level an order-up-to rule refills to.
    pub order_up_to: f64,
    /// The policy's lot (expected demand per cycle).
    pub lot: f64,
    /// Sellable units on the shelf (never includes inbound).
    pub on_hand: Quantity,
    /// Open supply counted in the position.
    pub on_order: Quantity,
    /// Inventory position: on hand + on order - backorders.
    pub position: Quantity,
    /// Whether the policy decided to replenish. A triggered SKU needs at
    /// least one unit (`net_need` is positive), enough to take the
    /// position out of the trigger; a position whose order would round to
    /// nothing does not trigger (see [`Trigger`]).
    pub triggered: bool,
    /// Units needed before transfers and constraints.
    pub net_need: Quantity,
    /// Transfers from faster sources, taken first.
    pub transfers: Vec<TransferLine>,
    /// The supplier order, if any.
    pub order: Option<OrderLine>,
    /// Projected first stockout day without a new order.
    pub stockout: Option<NaiveDate>,
    /// Latest day to order so goods land `buffer_days` before the
    /// projected stockout, with the mean lead time. It ignores the
    /// safety stock: see [`reorder_on`](Self::reorder_on) for the day
    /// the policy itself would order.
    pub order_by: Option<NaiveDate>,
    /// The projected day the inventory position reaches the reorder
    /// point (by the policy's [`Trigger`], or with no demand to protect
    /// by the comparison [`Trigger`] describes for that case) under mean
    /// forecast demand:
    /// the first day `today + k` whose start-of-day position
    /// `position - (mean[0] + ... + mean[k-1])` fires the trigger, so
    /// `today` itself when it fires now. Open supply does not move it
    /// (it is in the position already). `None` when the forecast ends
    /// first.
    #[cfg_attr(feature = "serde", serde(default))]
    pub reorder_on: Option<NaiveDate>,
    /// When an order placed today is expected, with a range.
    pub arrival: Option<ArrivalWindow>,
    /// Unit margin times expected units short over the protection
    /// interval if nothing more is ordered.
    pub margin_at_risk: Option<Money>,
    /// How pressing.
    pub urgency: Urgency,
    /// Stability check outcome.
    pub stability: Stability,
    /// Inputs and constraints that drove the decision, in order.
    pub reasons: Vec<Reason>,
    /// The day-by-day projection, when asked for.
    pub projection: Option<Projection>,
}

impl Recommendation {
    /// Units recommended in total (transfers plus order).
    #[must_use]
    pub fn total_quantity(&self) -> Quantity {
        let transfers =
            self.transfers.iter().fold(Quantity::ZERO, |a, t| a.saturating_add(t.quantity));
        transfers.saturating_add(self.order.as_ref().map_or(Quantity::ZERO, |o| o.quantity))
    }

    /// The summary to pass back next time for the stability check.
    #[must_use]
    pub fn as_previous(&self) -> PreviousRecommendation {
        PreviousRecommendation {
            demand_mean: self.demand.mean,
            lead_time_mean: self.demand.days,
            position: self.position,
            quantity: self.total_quantity(),
        }
    }
}

/// The reorder engine: options plus the per-SKU decision.
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::*;
/// use merchantry_reorder::*;
/// let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// let forecast = DailyForecast::new(today, vec![20.0; 90], vec![5.0; 90])?;
/// let lead = LeadTimeEstimate { mean: Days::whole(10), std_dev: Days::whole(2),
///     stages: vec![], quantiles: vec![] };
/// let mut input = SkuInput::new(Sku::new("MUG")?, LocationId::new("FBA-US")?, today, forecast, lead);
/// input.on_hand = Quantity::new(250);
/// let cfg = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
/// let planner = Planner::new(PlannerOptions::new(cfg))?;
/// let rec = planner.recommend(&input)?;
/// // s = 200 + 1.6449 * sqrt(1850) = 270.75 > 250: order up to s + 600
/// assert!(rec.triggered);
/// assert_eq!(rec.order.unwrap().quantity, Quantity::new(621));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Planner {
    options: PlannerOptions,
}

/// Levels a policy sets: reorder point, order-up-to level, lot, and the
/// whole-unit rule the trigger and the quantity use.
struct Levels {
    demand: DemandOverInterval,
    safety: SafetyStock,
    point: f64,
    level: f64,
    lot: f64,
    /// The demand the service target protects over the protection
    /// interval: its quantile at the target's level.
    protect: f64,
    /// Whether `protect` is below [`MIN_UNITS_TO_PROTECT`].
    no_demand: bool,
    /// What the configured trigger compares the position with: under
    /// continuous review the point rounded up to whole units, otherwise
    /// the point (float noise forgiven).
    configured_point: f64,
    /// The rule the trigger uses (see [`Trigger`]).
    trigger: Trigger,
    /// The point the trigger uses.
    trigger_point: f64,
    /// The level an order-up-to rule refills to: `level`, or with no
    /// demand to protect, `level` to the nearest whole unit.
    refill: f64,
}

impl Levels {
    /// Whether the trigger fires at a whole-unit position.
    fn fires(&self, position: f64) -> bool {
        self.trigger.fires(position, self.trigger_point)
    }
}

impl Planner {
    /// A planner with validated options.
    ///
    /// # Errors
    ///
    /// [`ReorderError::InvalidSetting`] as [`PolicyConfig::validate`], or
    /// for a stability rule with a negative or non-finite field.
    pub fn new(options: PlannerOptions) -> Result<Self> {
        options.policy.validate()?;
        let s = options.stability;
        let ok = |v: f64| v.is_finite() && v >= 0.0;
        if !(ok(s.input_tolerance) && ok(s.jump_ratio)) {
            return Err(ReorderError::InvalidSetting {
                setting: "stability",
                reason: format!(
                    "tolerances {} and {} must be finite and >= 0",
                    ShortFloat(s.input_tolerance),
                    ShortFloat(s.jump_ratio)
                ),
            });
        }
        Ok(Self { options })
    }

    /// The options.
    #[must_use]
    pub const fn options(&self) -> &PlannerOptions {
        &self.options
    }

    /// Recommends for every input, in input order. With the `parallel`
    /// feature the work is spread over rayon's threads; the result is the
    /// same either way.
    #[must_use]
    pub fn recommend_all(&self, inputs: &[SkuInput]) -> Vec<Result<Recommendation>> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            inputs.par_iter().map(|i| self.recommend(i)).collect()
        }
        #[cfg(not(feature = "parallel"))]
        {
            inputs.iter().map(|i| self.recommend(i)).collect()
        }
    }

    /// Recommends for one SKU.
    ///
    /// # Errors
    ///
    /// [`ReorderError::InvalidConstraint`] for bad supplier constraints;
    /// [`ReorderError::InvalidCost`] for a negative order cost, holding
    /// rate or unit margin; [`ReorderError::NegativeBackorders`] and
    /// [`ReorderError::NegativeSupply`] for negative counts;
    /// [`ReorderError::InvalidLeadTime`] for a negative or non-finite
    /// lead time, [`ReorderError::InvalidTransit`] for such a transfer
    /// source's transit (mean or spread); [`ReorderError::NoForecast`] when the forecast does not
    /// cover `today`; [`ReorderError::MissingCost`] for EOQ without a
    /// positive holding cost; [`ReorderError::OutOfRange`] when a level
    /// (or the EOQ) is not finite or does not fit in 64 bits;
    /// [`ReorderError::Core`] on quantity or money overflow (the
    /// holding cost included), or for costs whose order cost is in
    /// another currency than the unit cost ([`Costs::validate`](crate::Costs::validate); checked
    /// whatever the lot rule).
    pub fn recommend(&self, input: &SkuInput) -> Result<Recommendation> {
        // Validate.
        let sku = &input.sku;
        input.constraints.validate(sku)?;
        if let Some(costs) = &input.costs {
            costs.validate(sku)?;
        }
        let (lead, lead_sd) = lead_time(input)?;
        check_transits(input)?;
        let (mean, sd) = forecast_from_today(input)?;

        // Levels and position.
        let levels = self.levels(input, mean, sd, lead, lead_sd)?;
        let on_order = input.on_order()?;
        let position = input.position()?;
        let p = position.as_f64();

        // Projection and dates.
        let unknown_arrival = add_days_ceil(input.today, lead).unwrap_or(input.today);
        let supply = self.projected_supply(input);
        let (stockout, projection) = if self.options.keep_projection {
            let pr = project(input.on_hand, &supply, mean, input.today, unknown_arrival);
            (pr.stockout, Some(pr))
        } else {
            let stockout =
                projected_stockout(input.on_hand, &supply, mean, input.today, unknown_arrival);
            (stockout, None)
        };
        let order_by = stockout.and_then(|s| self.order_by(s, lead));
        let arrival = ArrivalWindow::for_order(input.today, &input.lead_time);

        // Decide.
        let cfg = &self.options.policy;
        let mut reasons = vec![
            Reason::Demand(levels.demand),
            Reason::LeadTime { mean: lead, std_dev: lead_sd, stages: input.lead_time.stages.len() },
            Reason::SafetyStock { target: cfg.service, model: cfg.model, safety: levels.safety },
            Reason::Position { on_hand: input.on_hand, on_order, backorders: input.backorders },
        ];
        let rop_fires = levels.fires(p);
        if levels.no_demand {
            let held = cfg.trigger.fires(p, levels.configured_point) && !rop_fires;
            let units_to_protect = levels.protect;
            reasons.push(Reason::NoDemandToProtect { position, units_to_protect, held });
        }
        // The date fires only below the order-up-to level by a whole
        // unit: at the level there is nothing to order.
        let date_fires = self.options.order_by_trigger
            && order_by.is_some_and(|d| d <= input.today)
            && order_up_to_gap(levels.refill, p) >= 1.0;
        if rop_fires {
            reasons.push(Reason::ReorderPointReached {
                position,
                reorder_point: levels.trigger_point,
                trigger: levels.trigger,
            });
        } else if let (true, Some(stockout), Some(order_by)) = (date_fires, stockout, order_by) {
            reasons.push(Reason::OrderByDateReached { stockout, order_by });
        }
        let triggered = rop_fires || date_fires;
        let net_need = if triggered {
            self.need(sku, &levels, p, rop_fires, &mut reasons)?
        } else {
            Quantity::ZERO
        };

        // Fill the need: transfers first, then the supplier.
        let (transfers, left, capacity_left) = fill_transfers(input, net_need, lead, &mut reasons);
        let (mut quantity, applied) = input.constraints.fit(left, capacity_left);
        reasons.extend(applied.into_iter().map(Reason::Constraint));
        let mut transfers = transfers;

        // Stability.
        let proposed = total(&transfers, quantity);
        let stability = self.stability(input, &levels, position, proposed);
        if let Stability::Held { kept, .. } = stability {
            reasons.push(Reason::HeldForStability { proposed });
            transfers.clear();
            quantity = kept;
        }

        // Build.
        let order = if quantity.is_positive() {
            let value = match &input.costs {
                Some(c) => Some(c.unit_cost.extend(quantity).map_err(ReorderError::core(sku))?),
                None => None,
            };
            Some(OrderLine { quantity, value, constraints: input.constraints })
        } else {
            None
        };
        let acting = order.is_some() || !transfers.is_empty();
        let landing = landing_day(&transfers, order.as_ref(), arrival);
        let reorder_on = reorder_day(
            input.today,
            p,
            (levels.trigger, levels.trigger_point),
            levels.no_demand,
            mean,
        );
        let order_on = [order_by, reorder_on].into_iter().flatten().min();
        let urgency = self.urgency(input.today, acting, stockout, order_on, landing);
        let margin_at_risk = margin_at_risk(input, &levels.demand, p, cfg.model)?;
        Ok(Recommendation {
            sku: sku.clone(),
            destination: input.destination.clone(),
            today: input.today,
            demand: levels.demand,
            safety_stock: levels.safety,
            reorder_point: levels.point,
            order_up_to: levels.level,
            lot: levels.lot,
            on_hand: input.on_hand,
            on_order,
            position,
            triggered,
            net_need,
            transfers,
            order,
            stockout,
            order_by,
            reorder_on,
            arrival,
            margin_at_risk,
            urgency,
            stability,
            reasons,
            projection,
        })
    }

    /// Reorder point, order-up-to level and lot for the configured policy.
    fn levels(
        &self,
        input: &SkuInput,
        mean: &[f64],
        sd: &[f64],
        lead: f64,
        lead_sd: f64,
    ) -> Result<Levels> {
        let cfg = &self.options.policy;
        let over = |days: f64, days_sd: f64| {
            DemandOverInterval::from_daily(mean, sd, days, days_sd).ok_or_else(|| {
                let sku = input.sku.clone();
                if mean.is_empty() {
                    ReorderError::NoForecast { sku, day: input.today }
                } else {
                    // Days past what f64 demand totals can hold.
                    ReorderError::OutOfRange { sku, what: "demand over the interval", value: days }
                }
            })
        };
        let demand_l = over(lead, lead_sd)?;
        let (demand, lot) = match cfg.policy {
            Policy::ContinuousReview { lot } => (demand_l, self.lot(input, lot, &demand_l, &over)?),
            Policy::PeriodicReview { review_days } => {
                let r = f64::from(review_days);
                let d = over(lead + r, lead_sd)?;
                (d, d.daily_mean * r)
            }
            Policy::MinMax { min, max } => (demand_l, max.as_f64() - min.as_f64()),
            Policy::DaysOfCover { reorder_days, target_days } => {
                let lot = over(target_days, 0.0)?.mean - over(reorder_days, 0.0)?.mean;
                (demand_l, lot)
            }
        };
        let sku = &input.sku;
        finite(sku, "lot", lot)?;
        let safety = match (cfg.policy, cfg.service) {
            // (R, S) under a fill rate: the cycle's shortage is the
            // interval's less the lead time's (see
            // `periodic_fill_rate_level`).
            (Policy::PeriodicReview { .. }, ServiceTarget::FillRate(fill)) => {
                periodic_fill_rate_level(&demand, &demand_l, fill, cfg.model)
            }
            _ => safety_stock(&demand, cfg.service, cfg.model, lot),
        }
        .map_err(stat(sku))?;
        let (point, level) = match cfg.policy {
            Policy::ContinuousReview { .. } => (safety.reorder_point, safety.reorder_point + lot),
            Policy::PeriodicReview { .. } => (safety.reorder_point, safety.reorder_point),
            Policy::MinMax { min, max } => (min.as_f64(), max.as_f64()),
            Policy::DaysOfCover { reorder_days, target_days } => {
                (over(reorder_days, 0.0)?.mean, over(target_days, 0.0)?.mean)
            }
        };
        // The demand to protect is the target's quantile of the interval
        // demand: a cycle service level's point is that quantile
        // whatever the lot; a fill rate's is, at a lot of 0.
        let protect = match cfg.service {
            ServiceTarget::CycleService(_) => safety.reorder_point,
            ServiceTarget::FillRate(fill) => {
                let target = ServiceTarget::CycleService(fill);
                safety_stock(&demand, target, cfg.model, 0.0).map_err(stat(sku))?.reorder_point
            }
        };
        let safety = match cfg.policy {
            Policy::ContinuousReview { .. } | Policy::PeriodicReview { .. } => safety,
            _ => SafetyStock { factor: None, units: point - demand.mean, reorder_point: point },
        };
        for (what, v) in [("reorder point", point), ("order-up-to level", level)] {
            finite(sku, what, v)?;
        }
        // Whole units are stocked and counted: a point of 270.75 is met
        // only by ordering at 271 (Silver-Pyke-Peterson round s up).
        // Ordering at 270 would protect 270 units, below the target.
        // The other policies compare the position with the point as it
        // is, once float noise is forgiven: 30 days of cover at 0.1 a
        // day is 3 units (3.0000000000000013 fired strictly below at 3).
        let continuous = matches!(cfg.policy, Policy::ContinuousReview { .. });
        let configured_point =
            if continuous { whole_units_up(point) } else { forgive_noise(point, point) };
        // Both the mean and the quantile: below a 50% cycle service level
        // the quantile of real demand can be below zero.
        let no_demand = protect.max(demand.mean) < MIN_UNITS_TO_PROTECT;
        let (trigger, trigger_point, refill) = if no_demand {
            // No demand to protect: nothing draws the position down
            // before an order could land, so only a position below the
            // point or below zero fires. The point and level are then
            // the seller's whole-unit settings (min, max, a fixed lot)
            // or 0, plus a trace of demand: to the nearest unit they are
            // those settings, so 1e-15 a day reads as a point of 0, not
            // 5e-15 rounded up to 1.
            let point = nearest_units(point).max(0.0);
            (Trigger::StrictlyBelow, point, nearest_units(level))
        } else {
            // Ordering up to a level the position already holds orders
            // nothing, so a position at such a level does not trigger:
            // (R, S), whose point is its level, and min/max or days of
            // cover whose two levels meet. Continuous review orders at
            // least a whole lot instead (see `need`).
            let at_level = !continuous
                && cfg.quantity == QuantityRule::OrderUpTo
                && configured_point.fract() == 0.0
                && forgive_noise(level, level) <= configured_point;
            let trigger = if at_level { Trigger::StrictlyBelow } else { cfg.trigger };
            (trigger, configured_point, level)
        };
        Ok(Levels {
            demand,
            safety,
            point,
            level,
            lot,
            protect,
            no_demand,
            configured_point,
            trigger,
            trigger_point,
            refill,
        })
    }

    /// The continuous-review lot `Q`.
    fn lot(
        &self,
        input: &SkuInput,
        lot: LotSize,
        demand: &DemandOverInterval,
        over: &dyn Fn(f64, f64) -> Result<DemandOverInterval>,
    ) -> Result<f64> {
        let sku = &input.sku;
        match lot {
            LotSize::Fixed(q) => Ok(q.as_f64()),
            LotSize::CoverDays(days) => Ok(over(days, 0.0)?.mean),
            LotSize::Eoq => {
                let costs = input.costs.as_ref().ok_or_else(|| ReorderError::MissingCost {
                    sku: sku.clone(),
                    missing: "costs",
                })?;
                let rate = costs.holding_rate;
                let h = costs.holding_cost().ok_or_else(|| ReorderError::Core {
                    sku: sku.clone(),
                    source: CoreError::MoneyOverflow {
                        lhs: costs.unit_cost.per_unit(),
                        op: "*",
                        rhs: rate,
                    },
                })?;
                if h <= Decimal::ZERO {
                    return Err(ReorderError::MissingCost {
                        sku: sku.clone(),
                        missing: "a holding cost above zero",
                    });
                }
                let annual = demand.daily_mean * DAYS_PER_YEAR;
                // h > 0 and the costs are validated: only the range is left.
                eoq(annual, costs.order_cost.amount(), h).ok_or_else(|| ReorderError::OutOfRange {
                    sku: sku.clone(),
                    what: "economic order quantity",
                    value: f64::INFINITY,
                })
            }
        }
    }

    /// Units needed once the trigger fired.
    fn need(
        &self,
        sku: &Sku,
        levels: &Levels,
        p: f64,
        rop_fired: bool,
        reasons: &mut Vec<Reason>,
    ) -> Result<Quantity> {
        let rule = self.options.policy.quantity;
        let (trigger, trigger_point) = (levels.trigger, levels.trigger_point);
        let (level, raw) = match rule {
            QuantityRule::OrderUpTo => {
                // At least the units that lift the position out of the
                // trigger: a continuous-review lot below one unit (a few
                // days of cover of a slow mover) put `S` at or below the
                // point rounded up, and the order rounded to nothing.
                let gap = order_up_to_gap(levels.refill, p);
                let lift = if rop_fired { lift(trigger, trigger_point, p) } else { 0.0 };
                if lift > gap { (p + lift, lift) } else { (levels.refill, gap) }
            }
            QuantityRule::FixedLot => {
                let lot = levels.lot.ceil().max(1.0);
                let gap = trigger_point - p;
                let n = match (rop_fired, trigger) {
                    (false, _) => 1.0,
                    (true, Trigger::AtOrBelow) => (gap / lot).floor() + 1.0,
                    (true, Trigger::StrictlyBelow) => (gap / lot).ceil().max(1.0),
                };
                (lot, n.max(1.0) * lot)
            }
        };
        let need = units_ceil(sku, "net need", raw)?;
        reasons.push(Reason::NetNeed { level, rule, need });
        Ok(need)
    }

    /// Open supply as the projection sees it: overdue lines moved to
    /// `overdue_supply_days` from today when that option is set.
    fn projected_supply<'a>(&self, input: &'a SkuInput) -> Cow<'a, [OpenSupply]> {
        let today = input.today;
        let overdue = |s: &OpenSupply| s.expected.is_some_and(|d| d < today);
        let Some(days) = self.options.overdue_supply_days else {
            return Cow::Borrowed(&input.open_supply);
        };
        if !input.open_supply.iter().any(overdue) {
            return Cow::Borrowed(&input.open_supply);
        }
        let soon = today.checked_add_days(ChronoDays::new(u64::from(days)));
        Cow::Owned(
            input
                .open_supply
                .iter()
                .map(|s| {
                    let mut s = s.clone();
                    if overdue(&s) {
                        s.expected = soon;
                    }
                    s
                })
                .collect(),
        )
    }

    /// The latest order day that lands goods `buffer_days` before
    /// `stockout` with the mean lead time.
    fn order_by(&self, stockout: NaiveDate, lead: f64) -> Option<NaiveDate> {
        let back =
            stockout.checked_sub_days(ChronoDays::new(u64::from(self.options.buffer_days)))?;
        let lead_days = add_days_ceil(back, lead)?;
        // back - ceil(lead) = 2 * back - (back + ceil(lead)).
        back.checked_sub_signed(lead_days - back)
    }

    /// How pressing: `order_on` is the earlier of the order-by date and
    /// the reorder-point day.
    fn urgency(
        &self,
        today: NaiveDate,
        acting: bool,
        stockout: Option<NaiveDate>,
        order_on: Option<NaiveDate>,
        landing: Option<NaiveDate>,
    ) -> Urgency {
        if acting {
            let buffer = ChronoDays::new(u64::from(self.options.buffer_days));
            let late = match (stockout.and_then(|s| s.checked_sub_days(buffer)), landing) {
                (Some(deadline), Some(land)) => land > deadline,
                _ => false,
            };
            return if late { Urgency::Late } else { Urgency::Now };
        }
        let Some(order_on) = order_on else { return Urgency::Idle };
        let soon = today.checked_add_days(ChronoDays::new(u64::from(self.options.soon_days)));
        if soon.is_some_and(|s| order_on <= s) { Urgency::Soon } else { Urgency::Planned }
    }

    fn stability(
        &self,
        input: &SkuInput,
        levels: &Levels,
        position: Quantity,
        proposed: Quantity,
    ) -> Stability {
        let Some(prev) = input.previous else { return Stability::NoHistory };
        // A previous mean that is not finite is no basis for comparing:
        // an infinite one made every tolerance infinite, so any jump
        // counted as "inputs unchanged" and was held.
        if !(prev.demand_mean.is_finite() && prev.lead_time_mean.is_finite()) {
            return Stability::NoHistory;
        }
        let rule = self.options.stability;
        let scale = prev.demand_mean.abs().max(1.0);
        let unchanged = (levels.demand.mean - prev.demand_mean).abs()
            <= rule.input_tolerance * scale
            && (levels.demand.days - prev.lead_time_mean).abs()
                <= rule.input_tolerance * prev.lead_time_mean.abs().max(1.0)
            && (position.as_f64() - prev.position.as_f64()).abs() <= rule.input_tolerance * scale;
        let (new, old) = (proposed.as_f64(), prev.quantity.as_f64());
        let jump = new > 0.0
            && old > 0.0
            && (new - old).abs() > rule.jump_ratio * old
            && (new - old).abs() > input.constraints.case_pack.as_f64();
        if !(unchanged && jump) {
            return Stability::Stable;
        }
        let (kept, _) = input.constraints.fit(prev.quantity, input.constraints.capacity);
        Stability::Held { proposed, kept }
    }
}

/// Mean and standard deviation of the lead time, checked.
fn lead_time(input: &SkuInput) -> Result<(f64, f64)> {
    let (mean, sd) = (input.lead_time.mean.get(), input.lead_time.std_dev.get());
    for (what, value) in [("mean", mean), ("std_dev", sd)] {
        if !is_days(value) {
            return Err(ReorderError::InvalidLeadTime { sku: input.sku.clone(), what, value });
        }
    }
    Ok((mean, sd))
}

/// Whether `d` can be a time in days or its spread: finite, at or above
/// zero.
fn is_days(d: f64) -> bool {
    d.is_finite() && d >= 0.0
}

/// Every transfer source's mean and spread of transit, finite and at or
/// above zero (a negative mean would promise units before the request is
/// made).
fn check_transits(input: &SkuInput) -> Result<()> {
    for s in &input.transfer_sources {
        for (what, value) in [("mean", s.transit.mean.get()), ("std_dev", s.transit.std_dev.get())]
        {
            if !is_days(value) {
                return Err(ReorderError::InvalidTransit {
                    sku: input.sku.clone(),
                    from: s.from.clone(),
                    what,
                    value,
                });
            }
        }
    }
    Ok(())
}

/// The forecast means and deviations from `today` on.
fn forecast_from_today(input: &SkuInput) -> Result<(&[f64], &[f64])> {
    let f = &input.forecast;
    let missing = || ReorderError::NoForecast { sku: input.sku.clone(), day: input.today };
    let offset = usize::try_from((input.today - f.start()).num_days()).map_err(|_| missing())?;
    match (f.mean().get(offset..), f.std_dev().get(offset..)) {
        (Some(m), Some(s)) if !m.is_empty() => Ok((m, s)),
        _ => Err(missing()),
    }
}

/// The first day `today + k` whose start-of-day position, `position`
/// less the mean demand of the `k` days before it, fires `trigger` at
/// its point; `None` when the forecast `mean` (from `today`) ends first.
/// With `noise` (no demand to protect) a position below the point by
/// less than [`MIN_UNITS_TO_PROTECT`] counts as at the point, as a
/// shortfall that small is no stock-out: 1e-15 a day never reaches it,
/// and later demand of 0.01 a day does a day after it starts.
fn reorder_day(
    today: NaiveDate,
    position: f64,
    (trigger, point): (Trigger, f64),
    noise: bool,
    mean: &[f64],
) -> Option<NaiveDate> {
    let mut left = position;
    for k in 0..=mean.len() {
        let short = point - left;
        let units = if noise && short > 0.0 && short < MIN_UNITS_TO_PROTECT { point } else { left };
        if trigger.fires(units, point) {
            return today.checked_add_days(ChronoDays::new(u64::try_from(k).ok()?));
        }
        left -= mean.get(k).copied().unwrap_or(0.0);
    }
    None
}

/// Transfers from sources faster than the supplier, fastest first (ties
/// by location id). Returns the transfers, the need left and the
/// destination capacity left.
fn fill_transfers(
    input: &SkuInput,
    need: Quantity,
    lead: f64,
    reasons: &mut Vec<Reason>,
) -> (Vec<TransferLine>, Quantity, Option<Quantity>) {
    let mut left = need.get().max(0);
    let mut capacity = input.constraints.capacity.map(|c| c.get().max(0));
    let mut transfers = Vec::new();
    if left == 0 || input.transfer_sources.is_empty() {
        return (transfers, Quantity::new(left), capacity.map(Quantity::new));
    }
    let mut sources: Vec<&TransferSource> = input
        .transfer_sources
        .iter()
        .filter(|s| s.available.is_positive() && s.transit.mean.get() < lead)
        .collect();
    sources.sort_by(|a, b| {
        a.transit.mean.get().total_cmp(&b.transit.mean.get()).then_with(|| a.from.cmp(&b.from))
    });
    for s in sources {
        let room = capacity.unwrap_or(i64::MAX);
        let take = left.min(s.available.get()).min(room);
        if take <= 0 {
            break;
        }
        left -= take;
        capacity = capacity.map(|c| c - take);
        let quantity = Quantity::new(take);
        let transit_days = s.transit.mean.get();
        reasons.push(Reason::TransferFirst { from: s.from.clone(), quantity, transit_days });
        let expected = add_days_ceil(input.today, transit_days);
        transfers.push(TransferLine { from: s.from.clone(), quantity, expected });
    }
    (transfers, Quantity::new(left), capacity.map(Quantity::new))
}

fn total(transfers: &[TransferLine], order: Quantity) -> Quantity {
    transfers.iter().fold(order, |a, t| a.saturating_add(t.quantity))
}

/// The day the last part of the replenishment lands.
fn landing_day(
    transfers: &[TransferLine],
    order: Option<&OrderLine>,
    arrival: Option<ArrivalWindow>,
) -> Option<NaiveDate> {
    let from_order = order.and(arrival).map(|a| a.expected);
    transfers.iter().filter_map(|t| t.expected).chain(from_order).max()
}

/// Unit margin times expected units short over the protection interval
/// at the current position (normal: `sigma * G((p - mu) / sigma)`).
fn margin_at_risk(
    input: &SkuInput,
    demand: &DemandOverInterval,
    p: f64,
    model: DemandModel,
) -> Result<Option<Money>> {
    let Some(costs) = &input.costs else { return Ok(None) };
    let (mu, sigma) = (demand.mean, demand.std_dev);
    let short = match model {
        _ if sigma <= 0.0 => (mu - p).max(0.0),
        DemandModel::Gamma => gamma_expected_shortage(mu, sigma, p),
        _ => sigma * normal_loss((p - mu) / sigma),
    };
    // The one float-to-decimal boundary: units short, to a ten-thousandth.
    let short = Decimal::try_from((short * 1e4).round() / 1e4).unwrap_or(Decimal::ZERO);
    let amount = costs.unit_margin.checked_mul(short).ok_or_else(|| ReorderError::OutOfRange {
        sku: input.sku.clone(),
        what: "margin at risk",
        value: mu,
    })?;
    Ok(Some(Money::new(amount, costs.unit_cost.currency())))
}

fn finite(sku: &Sku, what: &'static str, value: f64) -> Result<()> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ReorderError::OutOfRange { sku: sku.clone(), what, value })
    }
}

/// `ceil(x)` as whole units, checked.
pub(crate) fn units_ceil(sku: &Sku, what: &'static str, x: f64) -> Result<Quantity> {
    let c = x.ceil();
    // 2^62 keeps well inside i64 and is exactly representable.
    if !(c.is_finite() && c.abs() < 4.611_686_018_427_388e18) {
        return Err(ReorderError::OutOfRange { sku: sku.clone(), what, value: x });
    }
    #[expect(clippy::cast_possible_truncation, reason = "c is whole and inside +/- 2^62")]
    Ok(Quantity::new(c as i64))
}

/// `point` rounded up to whole units, after forgiving float noise: a
/// point less than 1e-12 of its size above a whole number (and less than
/// 1e-6 of a unit) is that number. 30 days of 0.1 a day sum to
/// 3.0000000000000013, which is 3 units, not 4. The tolerance is
/// relative to the point itself, so a point in `(0, 1)` is never within
/// it of 0 and rounds up to 1 however small (with a floor of 1e-12 units
/// a point of 1e-13 was 0, and `StrictlyBelow` never fired at 0).
///
/// This is the point a continuous-review trigger compares the whole-unit
/// position with, for a report that shows the figure the trigger used
/// beside [`Recommendation::reorder_point`] (which is not rounded).
///
/// ```
/// use merchantry_reorder::whole_units_up;
/// assert_eq!(whole_units_up(302.06), 303.0);
/// assert_eq!(whole_units_up((0..30).map(|_| 0.1).sum()), 3.0);
/// ```
#[must_use]
pub fn whole_units_up(point: f64) -> f64 {
    forgive_noise(point, point).ceil()
}

/// `x`, or the whole number below it when `x` exceeds that number by
/// float noise only: by less than 1e-12 of `scale` (the size of the
/// figures `x` was computed from) and less than 1e-6 of a unit.
fn forgive_noise(x: f64, scale: f64) -> f64 {
    let noise = (1e-12 * scale.abs()).min(1e-6);
    let down = x.floor();
    if x - down < noise { down } else { x }
}

/// `x` to the nearest whole unit, halves away from zero; a half less
/// float noise (1e-9) is a half: 50 days of 0.01 sum to a hair either
/// side of 0.5, which is 1 unit either way. With no demand to protect
/// the levels are whole-unit settings plus a trace of demand, which this
/// takes away.
fn nearest_units(x: f64) -> f64 {
    (x.abs() + 1e-9).round().copysign(x)
}

/// Whole units from position `p` up to `level`: `ceil(level - p)`, at
/// least 0, after forgiving the float noise of the larger of the two (a
/// level of 6.000000000000003 less a position of 3 needs 3 units, not
/// 4).
fn order_up_to_gap(level: f64, p: f64) -> f64 {
    forgive_noise((level - p).max(0.0), level.abs().max(p.abs())).ceil()
}

/// The fewest whole units that take whole-unit position `p` out of
/// `trigger` at `point`: above the point for [`Trigger::AtOrBelow`], at
/// it for [`Trigger::StrictlyBelow`].
fn lift(trigger: Trigger, point: f64, p: f64) -> f64 {
    let gap = point - p;
    let units = match trigger {
        Trigger::AtOrBelow => gap.floor() + 1.0,
        Trigger::StrictlyBelow => gap.ceil(),
    };
    units.max(0.0)
}

/// Maps a statistic [`safety_stock`] refused to the SKU's out-of-range
/// error.
fn stat(sku: &Sku) -> impl Fn(ReorderError) -> ReorderError + '_ {
    move |e| match e {
        ReorderError::InvalidStatistic { what, value } => {
            ReorderError::OutOfRange { sku: sku.clone(), what, value }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_units_up_forgives_float_noise_only() {
        // 30 days of 0.1: 3.0000000000000013 is 3 units (it fired at 4).
        let thirty: f64 = std::iter::repeat_n(0.1, 30).sum();
        assert!(thirty > 3.0);
        assert_eq!(whole_units_up(thirty), 3.0);
        assert_eq!(whole_units_up(7.000_000_000_000_001), 7.0);
        assert_eq!(whole_units_up(2.999_999_999_999_999), 3.0);
        // A real fraction still rounds up, however small against 1.
        assert_eq!(whole_units_up(5.0746), 6.0);
        assert_eq!(whole_units_up(3.000_001), 4.0);
        // Large points: the tolerance never reaches a millionth of a unit.
        assert_eq!(whole_units_up(1e12 + 0.5), 1e12 + 1.0);
        assert_eq!(whole_units_up(-0.5), 0.0);
        assert_eq!(whole_units_up(-2.0), -2.0);
        // A tiny positive point is a real fraction of a unit, not noise
        // around 0: 5e-13 - 0 is not below 1e-12 x 5e-13. It was 0 (the
        // tolerance had a floor of 1e-12 units).
        for tiny in [5e-13, 1e-300, f64::from_bits(1)] {
            assert_eq!(whole_units_up(tiny), 1.0, "{tiny:e}");
        }
        assert_eq!(whole_units_up(0.0), 0.0);
        assert_eq!(whole_units_up(-1e-13), 0.0);
    }

    #[test]
    fn nearest_units_round_halves_away_from_zero_less_float_noise() {
        let fifty: f64 = std::iter::repeat_n(0.01, 50).sum();
        for (x, want) in [
            (0.0, 0.0),
            (0.49, 0.0),
            (0.5, 1.0),
            (fifty, 1.0),
            (0.499_999_999_5, 1.0),
            (1e-15, 0.0),
            (-0.3, 0.0),
            (-0.5, -1.0),
            (-fifty, -1.0),
            (2.51, 3.0),
        ] {
            assert_eq!(nearest_units(x), want, "{x}");
        }
    }

    #[test]
    fn lift_takes_the_position_out_of_the_trigger() {
        // At or below 3: from 3 one unit (4), from 2 two, from 5 none.
        assert_eq!(lift(Trigger::AtOrBelow, 3.0, 3.0), 1.0);
        assert_eq!(lift(Trigger::AtOrBelow, 3.0, 2.0), 2.0);
        assert_eq!(lift(Trigger::AtOrBelow, 3.0, 5.0), 0.0);
        // Strictly below 3: from 2 one unit (3), from 3 none.
        assert_eq!(lift(Trigger::StrictlyBelow, 3.0, 2.0), 1.0);
        assert_eq!(lift(Trigger::StrictlyBelow, 3.0, 3.0), 0.0);
        // A fractional point (days of cover, 2.3): 2 -> 3 either way.
        assert_eq!(lift(Trigger::AtOrBelow, 2.3, 2.0), 1.0);
        assert_eq!(lift(Trigger::StrictlyBelow, 2.3, 2.0), 1.0);
    }

    fn day(offset: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .checked_add_days(ChronoDays::new(offset))
            .unwrap()
    }

    #[test]
    fn reorder_day_counts_start_of_day_positions() {
        // Position 100, point 40, demand 10, 20, 30, 40 a day. Start of
        // day: day 0 100, day 1 90, day 2 90 - 20 = 70, day 3 70 - 30 =
        // 40 (at the point), day 4 40 - 40 = 0.
        let mean = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(
            reorder_day(day(0), 100.0, (Trigger::AtOrBelow, 40.0), false, &mean),
            Some(day(3))
        );
        // Strictly below: 40 is not below 40; 0 on day 4 is.
        assert_eq!(
            reorder_day(day(0), 100.0, (Trigger::StrictlyBelow, 40.0), false, &mean),
            Some(day(4))
        );
        // Already at or below the point: today.
        assert_eq!(
            reorder_day(day(0), 40.0, (Trigger::AtOrBelow, 40.0), false, &mean),
            Some(day(0))
        );
        assert_eq!(reorder_day(day(0), -5.0, (Trigger::AtOrBelow, 40.0), false, &[]), Some(day(0)));
        // 100 units of demand in the forecast cannot bring 200 to 40.
        assert_eq!(reorder_day(day(0), 200.0, (Trigger::AtOrBelow, 40.0), false, &mean), None);
        assert_eq!(reorder_day(day(0), 100.0, (Trigger::AtOrBelow, 40.0), false, &[]), None);
    }

    #[test]
    fn with_no_demand_to_protect_the_reorder_day_needs_a_millionth_below_the_point() {
        // Position 0, point 0, strictly below (the no-demand rule), 10
        // days. 1e-15 a day leaves -1e-14 after 10 days, below the point
        // by float noise only: no day (it fired on day 1 as a raw
        // comparison). 0.01 a day is -0.01 at the start of day 1: day 1.
        // 3e-7 a day: -3e-7, -6e-7, -9e-7, then -1.2e-6 at the start of
        // day 4, the first a millionth below: day 4.
        let at_zero = (Trigger::StrictlyBelow, 0.0);
        assert_eq!(reorder_day(day(0), 0.0, at_zero, true, &[1e-15; 10]), None);
        assert_eq!(reorder_day(day(0), 0.0, at_zero, false, &[1e-15; 10]), Some(day(1)));
        assert_eq!(reorder_day(day(0), 0.0, at_zero, true, &[0.01; 10]), Some(day(1)));
        assert_eq!(reorder_day(day(0), 0.0, at_zero, true, &[3e-7; 10]), Some(day(4)));
        // Above the point the forgiveness changes nothing: 2 at point 1
        // with 0.5 a day is 1 on day 2 (not below), 0.5 on day 3.
        assert_eq!(
            reorder_day(day(0), 2.0, (Trigger::StrictlyBelow, 1.0), true, &[0.5; 10]),
            Some(day(3))
        );
    }
}
