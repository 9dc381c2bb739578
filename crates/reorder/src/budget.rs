//! Spending a limited budget where it protects the most margin from a
//! stockout.

use std::cmp::Ordering;

use merchantry_core::{CoreError, Decimal, LocationId, Money, Quantity, Sku};
use rust_decimal::RoundingStrategy;

use crate::engine::{OrderLine, Recommendation};
use crate::error::{ReorderError, Result};
use crate::lot::SupplierConstraints;

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
    /// The recommendation's margin at risk, which ranked it (per unit of
    /// the whole order's value under [`BudgetRanking::MarginPerCost`],
    /// not of `cost` when trimmed).
    pub margin_at_risk: Money,
    /// Whether the quantity was cut to fit the budget.
    pub trimmed: bool,
}

/// A supplier order that was not funded: its SKU and destination (a SKU
/// can have an order for each of several destinations).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct OrderRef {
    /// The SKU.
    pub sku: Sku,
    /// The destination.
    pub destination: LocationId,
}

impl OrderRef {
    fn of(rec: &Recommendation) -> Self {
        Self { sku: rec.sku.clone(), destination: rec.destination.clone() }
    }
}

/// The outcome of [`allocate_budget`] and [`allocate_budget_by`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BudgetPlan {
    /// Funded orders, in ranking order.
    pub funded: Vec<FundedOrder>,
    /// Orders that did not fit, in ranking order.
    pub deferred: Vec<OrderRef>,
    /// Orders without costs, which cannot be ranked, sorted by SKU then
    /// destination.
    pub unpriced: Vec<OrderRef>,
    /// Money committed.
    pub spent: Money,
    /// Money left.
    pub remaining: Money,
}

/// How [`allocate_budget_by`] ranks the supplier orders it funds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum BudgetRanking {
    /// Margin at risk per unit of order value, largest first: the greedy
    /// rule for a choice limited by cash, so a cheap order protecting
    /// much margin goes before a dear one protecting slightly more. The
    /// ratio is taken on the whole order, even when it is then trimmed,
    /// and compared exactly (no rounding, whatever the amounts). An order
    /// worth nothing ranks above every priced one, as it protects its
    /// margin for free. Ties go to the larger margin at risk. The
    /// default, and what [`allocate_budget`] uses.
    #[default]
    MarginPerCost,
    /// Margin at risk alone, largest first, whatever the order costs:
    /// how [`allocate_budget`] ranked before it used
    /// [`MarginPerCost`](Self::MarginPerCost).
    /// One dear order can then take a budget that would have funded
    /// several orders protecting more margin between them.
    MarginAtRisk,
}

/// Funds the supplier orders of `recommendations` within `budget`, the
/// most margin at risk per unit of cost first: the same as
/// [`allocate_budget_by`] with [`BudgetRanking::MarginPerCost`], where
/// the rules are stated.
///
/// # Errors
///
/// As [`allocate_budget_by`].
///
/// ```
/// # use chrono::NaiveDate;
/// # use merchantry_core::*;
/// # use merchantry_reorder::*;
/// # let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// # let planner = Planner::new(PlannerOptions::new(PolicyConfig::new(
/// #     Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) })))?;
/// # let rec = |name: &str, cost: i64, margin: i64| -> std::result::Result<Recommendation, Box<dyn std::error::Error>> {
/// #     let f = DailyForecast::new(today, vec![10.0; 60], vec![3.0; 60])?;
/// #     let mut i = SkuInput::new(Sku::new(name)?, LocationId::new("FBA")?, today, f,
/// #         LeadTimeEstimate::fixed(Days::whole(10)));
/// #     i.costs = Some(Costs { unit_cost: UnitCost::new(Decimal::from(cost), Currency::USD)?,
/// #         order_cost: Money::zero(Currency::USD), holding_rate: Decimal::ZERO,
/// #         unit_margin: Decimal::from(margin) });
/// #     Ok(planner.recommend(&i)?)
/// # };
/// // Two SKUs that each need 416 units: DEAR costs 10 a unit and loses
/// // 9 a unit short, CHEAP costs 2 and loses 5.
/// let recs = vec![rec("DEAR", 10, 9)?, rec("CHEAP", 2, 5)?];
/// let (dear, cheap) = (&recs[0], &recs[1]);
/// assert_eq!(dear.margin_at_risk.map(|m| m.amount()), Some(Decimal::from(900)));
/// assert_eq!(cheap.margin_at_risk.map(|m| m.amount()), Some(Decimal::from(500)));
/// let budget = Money::new(Decimal::from(4160), Currency::USD);
/// // Per dollar CHEAP protects more (500 for 832 against 900 for 4160):
/// // it is funded whole, and the 3328 left buy 332 of DEAR's units.
/// let plan = allocate_budget(&recs, budget)?;
/// assert_eq!(plan.funded[0].sku.as_str(), "CHEAP");
/// assert!(plan.funded[1].trimmed && plan.funded[1].quantity == Quantity::new(332));
/// // Ranked by margin at risk alone, DEAR takes the whole budget.
/// let plan = allocate_budget_by(&recs, budget, BudgetRanking::MarginAtRisk)?;
/// assert_eq!(plan.funded[0].sku.as_str(), "DEAR");
/// assert!(!plan.funded[0].trimmed && plan.remaining.is_zero());
/// assert_eq!(plan.deferred[0].sku.as_str(), "CHEAP");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocate_budget(recommendations: &[Recommendation], budget: Money) -> Result<BudgetPlan> {
    allocate_budget_by(recommendations, budget, BudgetRanking::MarginPerCost)
}

/// Ranks the supplier orders of `recommendations` by `ranking` (ties by
/// margin at risk, largest first, then SKU, then destination) and funds
/// them in that order until `budget` runs out. An order that does not
/// fit whole is trimmed to the most whole cases the rest of the budget
/// buys, if that still meets the minimum order quantity (the last,
/// partly filled item of the greedy rule); otherwise it is deferred and
/// the next one is tried. A trimmed order keeps its place, ranked on its
/// whole value and margin at risk, and costs its share of that value,
/// rounded up to the currency's minor unit (or to finer places the
/// value or the budget uses) when the share per unit never ends (100 USD
/// for 3 units, trimmed to 2, costs 66.67), so `spent` and `remaining`
/// add up to `budget`.
/// Transfers cost no supplier cash and are left out.
///
/// # Errors
///
/// [`ReorderError::InvalidBudget`] for a budget below zero;
/// [`ReorderError::Core`] when an order's value or margin at risk is in
/// another currency than the budget (the first such recommendation in
/// input order, checked before ranking: margins in different currencies
/// cannot be compared), or the arithmetic overflows;
/// [`ReorderError::InvalidCost`] for an order value or margin at risk
/// below zero (a hand-built or deserialized recommendation; the planner
/// never makes one), checked in input order with the currencies.
/// Ranking itself cannot fail.
///
/// ```
/// # use merchantry_core::*;
/// # use merchantry_reorder::*;
/// let none: &[Recommendation] = &[];
/// let budget = Money::new(Decimal::from(100), Currency::USD);
/// let plan = allocate_budget_by(none, budget, BudgetRanking::MarginAtRisk)?;
/// assert!(plan.funded.is_empty() && plan.remaining == budget);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn allocate_budget_by(
    recommendations: &[Recommendation],
    budget: Money,
    ranking: BudgetRanking,
) -> Result<BudgetPlan> {
    if budget.amount() < Decimal::ZERO {
        return Err(ReorderError::InvalidBudget { value: budget.amount() });
    }
    let (mut ranked, mut unpriced) = priced_orders(recommendations, budget)?;
    ranked.sort_by(|a, b| ranking.compare(a, b));
    unpriced.sort();

    let mut plan = BudgetPlan {
        funded: Vec::new(),
        deferred: Vec::new(),
        unpriced,
        spent: Money::zero(budget.currency()),
        remaining: budget,
    };
    for c in ranked {
        plan.fund(&c)?;
    }
    Ok(plan)
}

/// A supplier order with its value and margin at risk, checked.
struct Candidate<'a> {
    rec: &'a Recommendation,
    order: &'a OrderLine,
    value: Money,
    risk: Money,
}

impl Candidate<'_> {
    /// Margin at risk and order value.
    fn amounts(&self) -> [Decimal; 2] {
        [self.risk.amount(), self.value.amount()]
    }
}

/// The priced supplier orders, checked against `budget`, and the SKUs of
/// those without a value or margin at risk.
fn priced_orders(
    recommendations: &[Recommendation],
    budget: Money,
) -> Result<(Vec<Candidate<'_>>, Vec<OrderRef>)> {
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
                    if m.amount() < Decimal::ZERO {
                        return Err(ReorderError::InvalidCost {
                            sku: r.sku.clone(),
                            field,
                            value: m.amount(),
                            expected: "zero or more",
                        });
                    }
                }
                ranked.push(Candidate { rec: r, order, value, risk });
            }
            _ => unpriced.push(OrderRef::of(r)),
        }
    }
    Ok((ranked, unpriced))
}

impl BudgetRanking {
    /// `Less` when `a` is funded before `b`.
    fn compare(self, a: &Candidate<'_>, b: &Candidate<'_>) -> Ordering {
        let first = match self {
            Self::MarginPerCost => per_cost(b.amounts(), a.amounts()),
            Self::MarginAtRisk => Ordering::Equal,
        };
        first
            .then_with(|| b.risk.amount().cmp(&a.risk.amount()))
            .then_with(|| a.rec.sku.cmp(&b.rec.sku))
            .then_with(|| a.rec.destination.cmp(&b.rec.destination))
    }
}

impl BudgetPlan {
    /// Funds `c` whole or trimmed, or defers it.
    fn fund(&mut self, c: &Candidate<'_>) -> Result<()> {
        let sku = &c.rec.sku;
        let fits = self.remaining.checked_sub(c.value).map_err(ReorderError::core(sku))?;
        let (quantity, cost, trimmed) = if fits.amount() >= Decimal::ZERO {
            (c.order.quantity, c.value, false)
        } else if let Some((q, cost)) =
            trim(c.order.quantity, c.value, self.remaining, &c.order.constraints)
        {
            (q, cost, true)
        } else {
            self.deferred.push(OrderRef::of(c.rec));
            return Ok(());
        };
        self.spent = self.spent.checked_add(cost).map_err(ReorderError::core(sku))?;
        self.remaining = self.remaining.checked_sub(cost).map_err(ReorderError::core(sku))?;
        self.funded.push(FundedOrder {
            sku: sku.clone(),
            destination: c.rec.destination.clone(),
            quantity,
            cost,
            margin_at_risk: c.risk,
            trimmed,
        });
        Ok(())
    }
}

/// How margin at risk `ra` per unit of cost `ca` compares with `rb` per
/// `cb` (none below zero),
/// exactly: an order worth nothing is above every priced one, and free
/// orders are equal among themselves.
fn per_cost([ra, ca]: [Decimal; 2], [rb, cb]: [Decimal; 2]) -> Ordering {
    match (ca.is_zero(), cb.is_zero()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        // ra / ca against rb / cb, both costs above zero: ra * cb against
        // rb * ca, counted in the finer of the two products' units.
        (false, false) => {
            let scale = (ra.scale() + cb.scale()).max(rb.scale() + ca.scale());
            let left = exact_product(ra, cb, scale);
            let right = exact_product(rb, ca, scale);
            left.iter().rev().cmp(right.iter().rev())
        }
    }
}

/// Little-endian 64-bit limbs: two 96-bit mantissas multiplied (192
/// bits) and scaled by at most `10^56` (186 bits) fit in 384.
type Wide = [u64; 6];

/// `|x| * |y|` as an integer count of `10^-scale`, exactly; `scale` is at
/// least the sum of their scales (at most 56).
fn exact_product(x: Decimal, y: Decimal, scale: u32) -> Wide {
    let mut wide = [0; 6];
    let xs = limbs(x.mantissa().unsigned_abs());
    let ys = limbs(y.mantissa().unsigned_abs());
    for (i, &a) in xs.iter().enumerate() {
        let mut carry = 0u128;
        for (j, &b) in ys.iter().enumerate() {
            // At most (2^64 - 1)^2 + 2 (2^64 - 1) = 2^128 - 1.
            let t = u128::from(a) * u128::from(b) + u128::from(wide[i + j]) + carry;
            wide[i + j] = low(t);
            carry = t >> 64;
        }
        wide[i + 2] = low(carry);
    }
    let mut shift = scale.saturating_sub(x.scale() + y.scale());
    while shift > 0 {
        let step = shift.min(19);
        times(&mut wide, 10u64.pow(step));
        shift -= step;
    }
    wide
}

/// `wide * factor`, which the callers keep within [`Wide`].
fn times(wide: &mut Wide, factor: u64) {
    let mut carry = 0u128;
    for limb in wide.iter_mut() {
        let t = u128::from(*limb) * u128::from(factor) + carry;
        *limb = low(t);
        carry = t >> 64;
    }
}

fn limbs(m: u128) -> [u64; 2] {
    [low(m), low(m >> 64)]
}

#[expect(clippy::cast_possible_truncation, reason = "the low 64 bits, kept on purpose")]
fn low(x: u128) -> u64 {
    x as u64
}

/// The most whole cases (at least the minimum, fewer than ordered) that
/// `remaining` buys, and their cost: the order's value pro rata, rounded
/// up to the finest places among the currency's minor unit, the value
/// and `remaining`, so that it never rounds past what is left and the
/// plan's sums stay exact. Planner-made values (unit cost times units)
/// need no rounding.
///
/// The cost grows with the quantity, so the number of cases is found by
/// bisection on the costs themselves: a quantity estimated from a unit
/// price would be off where that price rounds (at 28 decimal places, 2.6
/// a unit rounds to 3 and 25 buys 8 units where 9 cost 24). A share
/// whose product with the quantity overflows is taken as the value per
/// unit times the quantity (within one unit of the last place, near
/// `Decimal`'s limits).
fn trim(
    quantity: Quantity,
    value: Money,
    remaining: Money,
    c: &SupplierConstraints,
) -> Option<(Quantity, Money)> {
    let (value, left) = (value.amount(), remaining.amount());
    if !quantity.is_positive() || left <= Decimal::ZERO || value <= Decimal::ZERO {
        return None;
    }
    let units = Decimal::from(quantity.get());
    let places = value.scale().max(left.scale()).max(remaining.currency().minor_units());
    let cost_of = |q: i64| {
        let q = Decimal::from(q);
        let share = match value.checked_mul(q) {
            Some(product) => up_to_exact(product, units)?,
            None => value.checked_div(units)?.checked_mul(q)?,
        };
        Some(share.round_dp_with_strategy(places, RoundingStrategy::AwayFromZero))
    };
    let pack = c.case_pack.get().max(1);
    let fits = |cases: i64| cost_of(cases * pack).is_some_and(|cost| cost <= left);
    // The most cases below the order that fit: none always does.
    let (mut low, mut high) = (0, (quantity.get() - 1) / pack);
    while low < high {
        let mid = low + (high - low + 1) / 2;
        if fits(mid) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    let q = low * pack;
    if q <= 0 || q < c.moq.get() {
        return None;
    }
    Some((Quantity::new(q), Money::new(cost_of(q)?, remaining.currency())))
}

/// `product / units` (`units` positive), one unit of its last place up
/// when the division, which keeps at most 28 decimal places, rounded it
/// below the exact quotient: so the share rounds up from there.
fn up_to_exact(product: Decimal, units: Decimal) -> Option<Decimal> {
    let share = product.checked_div(units)?;
    if share.checked_mul(units)? < product {
        return share.checked_add(Decimal::new(1, share.scale()));
    }
    Some(share)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn exact_products_match_hand_worked_integers() {
        // (2^96 - 1)^2 = 2^192 - 2^97 + 1, and times 10^56 the widest
        // product there is (379 bits); limbs from a big-integer
        // calculator.
        let max = Decimal::MAX;
        assert_eq!(exact_product(max, max, 0), [1, 0xffff_fffe_0000_0000, u64::MAX, 0, 0, 0]);
        assert_eq!(
            exact_product(max, max, 56),
            [
                0x2100_0000_0000_0000,
                0xfdff_c788_73d4_490d,
                0x1c6b_7a5e_520f_6a24,
                0xf8e1_2bb6_0400_70ef,
                0xfdff_c788_6bac_301b,
                0x0414_0c78_940f_6a24,
            ]
        );
        // 1.5 * 2 counted in 10^-56: 3 * 10^56.
        assert_eq!(
            exact_product(d("1.5"), d("2"), 56),
            [0x6300_0000_0000_0000, 0xf9ff_5699_5b7c_db27, 0x0c3c_2569_bc2e_3e6e, 0, 0, 0]
        );
    }

    #[test]
    fn ratios_compare_exactly_where_decimal_products_round() {
        let tiny = d("0.0000000000000000000000000001");
        // 1e-28 / 0.4 > 1e-28 / 0.5, though 1e-28 * 0.5 and 1e-28 * 0.4
        // both round to 0 in Decimal.
        assert_eq!(tiny * d("0.5"), tiny * d("0.4"));
        assert_eq!(per_cost([tiny, d("0.4")], [tiny, d("0.5")]), Ordering::Greater);
        // Equal ratios in any notation: 1 / 3 = 3.00 / 9.0 = 1e-28 / 3e-28.
        let third = [Decimal::ONE, d("3")];
        assert_eq!(per_cost(third, [d("3.00"), d("9.0")]), Ordering::Equal);
        assert_eq!(per_cost(third, [tiny, d("0.0000000000000000000000000003")]), Ordering::Equal);
        // MAX / MAX = 1 beats (MAX - 1) / MAX, where the Decimal cross
        // products would overflow.
        let max = Decimal::MAX;
        assert_eq!(per_cost([max, max], [max - Decimal::ONE, max]), Ordering::Greater);
        assert_eq!(
            per_cost([max, tiny], [max, d("0.0000000000000000000000000002")]),
            Ordering::Greater
        );
        // Free orders: above any priced one, equal among themselves.
        let free = [Decimal::ZERO, Decimal::ZERO];
        assert_eq!(per_cost(free, [max, tiny]), Ordering::Greater);
        assert_eq!(per_cost([max, tiny], free), Ordering::Less);
        assert_eq!(per_cost(free, [max, d("0.00")]), Ordering::Equal);
        // Nothing at risk ranks with nothing at risk, whatever the cost.
        assert_eq!(per_cost([d("0"), max], [d("0.000"), tiny]), Ordering::Equal);
    }

    /// An amount with any of Decimal's scales, up to its largest mantissa.
    fn amount() -> impl Strategy<Value = Decimal> {
        let mantissa = prop_oneof![0i128..1000, 0i128..(1 << 40), 0i128..(1 << 96)];
        (mantissa, 0u32..=28).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
    }

    /// An amount whose products with another such amount Decimal holds
    /// exactly: a 40-bit mantissa and at most 14 places.
    fn modest() -> impl Strategy<Value = Decimal> {
        (0i128..(1 << 40), 0u32..=14).prop_map(|(m, s)| Decimal::from_i128_with_scale(m, s))
    }

    fn priced() -> impl Strategy<Value = [Decimal; 2]> {
        (amount(), amount()).prop_map(|(r, c)| [r, c])
    }

    proptest! {
        #[test]
        fn law_ratios_compare_as_decimal_cross_products_where_those_are_exact(
            ra in modest(), ca in modest(), rb in modest(), cb in modest(),
        ) {
            prop_assume!(!ca.is_zero() && !cb.is_zero());
            prop_assert_eq!(per_cost([ra, ca], [rb, cb]), (ra * cb).cmp(&(rb * ca)));
        }

        #[test]
        fn law_the_ratio_order_is_total(a in priced(), b in priced(), c in priced()) {
            prop_assert_eq!(per_cost(a, b), per_cost(b, a).reverse());
            prop_assert_eq!(per_cost(a, a), Ordering::Equal);
            if per_cost(a, b) != Ordering::Less && per_cost(b, c) != Ordering::Less {
                prop_assert_ne!(per_cost(a, c), Ordering::Less);
            }
        }

        #[test]
        fn law_scaling_one_order_by_a_power_of_ten_keeps_its_ratio(
            [r, c] in priced(), k in 0u32..=28,
        ) {
            // r / c = (r * 10^-k) / (c * 10^-k), held at a finer scale.
            let (Some(rk), Some(ck)) = (shift(r, k), shift(c, k)) else {
                return Ok(());
            };
            prop_assert_eq!(per_cost([r, c], [rk, ck]), Ordering::Equal);
        }
    }

    /// `x * 10^-k` with the same mantissa, if the scale allows.
    fn shift(x: Decimal, k: u32) -> Option<Decimal> {
        let scale = x.scale().checked_add(k).filter(|s| *s <= 28)?;
        Some(Decimal::from_i128_with_scale(x.mantissa(), scale))
    }
}
