//! Spending a limited budget where a stockout would cost the most.

use merchantry_core::{CoreError, Decimal, LocationId, Money, Quantity, Sku};

use crate::engine::Recommendation;
use crate::error::{ReorderError, Result};

/// An order kept within the budget.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FundedOrder {
    /// The SKU.
    pub sku: Sku,
    /// The destination.
    pub destination: LocationId,
    /// Units funded (the recommendation's, or fewer whole cases when
    /// trimmed).
    pub quantity: Quantity,
    /// Their cost.
    pub cost: Money,
    /// The margin at risk that ranked it.
    pub margin_at_risk: Money,
    /// Whether the quantity was cut to fit the budget.
    pub trimmed: bool,
}

/// The outcome of [`allocate_budget`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BudgetPlan {
    /// Funded orders, in ranking order.
    pub funded: Vec<FundedOrder>,
    /// Orders that did not fit, in ranking order.
    pub deferred: Vec<Sku>,
    /// Orders without costs, which cannot be ranked, sorted.
    pub unpriced: Vec<Sku>,
    /// Money committed.
    pub spent: Money,
    /// Money left.
    pub remaining: Money,
}

/// Ranks the supplier orders of `recommendations` by margin at risk
/// (largest first; ties by SKU then destination) and funds them in that
/// order until `budget` runs out. An order that does not fit whole is
/// trimmed to the most whole cases the rest of the budget buys, if that
/// still meets the minimum order quantity; otherwise it is deferred and
/// the next one is tried. Transfers cost no supplier cash and are left
/// out.
///
/// # Errors
///
/// [`ReorderError::Core`] when an order's value or margin at risk is in
/// another currency than the budget (the first such recommendation in
/// input order, checked before ranking: margins in different currencies
/// cannot be compared), or the arithmetic overflows;
/// [`ReorderError::InvalidCost`] for an order value or margin at risk
/// below zero (a hand-built or deserialized recommendation; the planner
/// never makes one), checked in input order with the currencies.
///
/// ```
/// # use chrono::NaiveDate;
/// # use merchantry_core::*;
/// # use merchantry_reorder::*;
/// # let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// # let planner = Planner::new(PlannerOptions::new(PolicyConfig::new(
/// #     Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) })))?;
/// # let rec = |name: &str, margin: i64| -> std::result::Result<Recommendation, Box<dyn std::error::Error>> {
/// #     let f = DailyForecast::new(today, vec![10.0; 60], vec![3.0; 60])?;
/// #     let mut i = SkuInput::new(Sku::new(name)?, LocationId::new("FBA")?, today, f,
/// #         LeadTimeEstimate::fixed(Days::whole(10)));
/// #     i.costs = Some(Costs { unit_cost: UnitCost::new(Decimal::from(2), Currency::USD)?,
/// #         order_cost: Money::zero(Currency::USD), holding_rate: Decimal::ZERO,
/// #         unit_margin: Decimal::from(margin) });
/// #     Ok(planner.recommend(&i)?)
/// # };
/// // Two SKUs that each need about 400 units at 2 USD; margins 5 and 9.
/// let recs = vec![rec("LOW", 5)?, rec("HIGH", 9)?];
/// let plan = allocate_budget(&recs, Money::new(Decimal::from(1000), Currency::USD))?;
/// assert_eq!(plan.funded[0].sku.as_str(), "HIGH");
/// assert!(plan.funded.len() == 2 && plan.funded[1].trimmed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocate_budget(recommendations: &[Recommendation], budget: Money) -> Result<BudgetPlan> {
    let mut ranked = Vec::new();
    let mut unpriced = Vec::new();
    for r in recommendations {
        let Some(order) = &r.order else { continue };
        match (order.value, r.margin_at_risk) {
            (Some(value), Some(risk)) => {
                // Ranking compares margins across SKUs: refuse a foreign
                // currency before any comparison, whatever its rank.
                for currency in [value.currency(), risk.currency()] {
                    if currency != budget.currency() {
                        return Err(ReorderError::Core {
                            sku: r.sku.clone(),
                            source: CoreError::CurrencyMismatch {
                                left: budget.currency(),
                                right: currency,
                            },
                        });
                    }
                }
                // A negative cost would add to the budget, a negative risk
                // rank a stockout as a gain: neither comes from the planner.
                for (field, m) in [("order value", value), ("margin_at_risk", risk)] {
                    if m.amount().is_sign_negative() && !m.amount().is_zero() {
                        return Err(ReorderError::InvalidCost {
                            sku: r.sku.clone(),
                            field,
                            value: m.amount(),
                            expected: "zero or more",
                        });
                    }
                }
                ranked.push((r, order, value, risk));
            }
            _ => unpriced.push(r.sku.clone()),
        }
    }
    ranked.sort_by(|a, b| {
        b.3.amount()
            .cmp(&a.3.amount())
            .then_with(|| a.0.sku.cmp(&b.0.sku))
            .then_with(|| a.0.destination.cmp(&b.0.destination))
    });
    unpriced.sort();

    let mut plan = BudgetPlan {
        funded: Vec::new(),
        deferred: Vec::new(),
        unpriced,
        spent: Money::zero(budget.currency()),
        remaining: budget,
    };
    for (r, order, value, risk) in ranked {
        let err = ReorderError::core(&r.sku);
        let fits = plan.remaining.checked_sub(value).map_err(err)?;
        let (quantity, cost, trimmed) = if !fits.amount().is_sign_negative() {
            (order.quantity, value, false)
        } else if let Some((q, c)) = trim(order.quantity, value, plan.remaining, &order.constraints)
        {
            (q, c, true)
        } else {
            plan.deferred.push(r.sku.clone());
            continue;
        };
        plan.spent = plan.spent.checked_add(cost).map_err(ReorderError::core(&r.sku))?;
        plan.remaining = plan.remaining.checked_sub(cost).map_err(ReorderError::core(&r.sku))?;
        plan.funded.push(FundedOrder {
            sku: r.sku.clone(),
            destination: r.destination.clone(),
            quantity,
            cost,
            margin_at_risk: risk,
            trimmed,
        });
    }
    Ok(plan)
}

/// The most whole cases (at least the minimum) that `remaining` buys.
fn trim(
    quantity: Quantity,
    value: Money,
    remaining: Money,
    c: &crate::lot::SupplierConstraints,
) -> Option<(Quantity, Money)> {
    if !quantity.is_positive() || remaining.amount() <= Decimal::ZERO {
        return None;
    }
    let unit = value.amount().checked_div(Decimal::from(quantity.get()))?;
    if unit <= Decimal::ZERO {
        return None;
    }
    let units = i64::try_from(remaining.amount().checked_div(unit)?.floor()).ok()?;
    let pack = c.case_pack.get().max(1);
    let q = units / pack * pack;
    if q <= 0 || q < c.moq.get() || q >= quantity.get() {
        return None;
    }
    let cost = unit.checked_mul(Decimal::from(q))?;
    Some((Quantity::new(q), Money::new(cost, value.currency())))
}
