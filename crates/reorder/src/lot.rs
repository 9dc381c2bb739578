//! Order quantities: economic order quantity and the supplier's
//! constraints (minimum, case pack, maximum, destination capacity).

use merchantry_core::{CoreError, Decimal, Money, Quantity, Sku, UnitCost};
use rust_decimal::prelude::ToPrimitive;

use crate::error::{ReorderError, Result};

/// What a supplier and a destination allow in one order.
///
/// Defaults: no minimum (`moq` 0), `case_pack` 1, no maximum, no
/// capacity limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SupplierConstraints {
    /// Minimum order quantity.
    pub moq: Quantity,
    /// Units per case: orders are whole cases.
    pub case_pack: Quantity,
    /// Largest order the supplier accepts.
    pub max_per_order: Option<Quantity>,
    /// Units the destination can still take (storage or marketplace
    /// restock limit), shared by transfers and the order.
    pub capacity: Option<Quantity>,
}

impl Default for SupplierConstraints {
    fn default() -> Self {
        Self {
            moq: Quantity::ZERO,
            case_pack: Quantity::new(1),
            max_per_order: None,
            capacity: None,
        }
    }
}

/// A constraint that changed the quantity, as recorded in the reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ConstraintApplied {
    /// The need was below the minimum order quantity.
    RaisedToMoq {
        /// Before.
        from: Quantity,
        /// After.
        to: Quantity,
    },
    /// Rounded up to whole cases.
    RoundedUpToCasePack {
        /// Before.
        from: Quantity,
        /// After.
        to: Quantity,
    },
    /// Cut to the supplier's maximum, in whole cases.
    CappedAtMaxPerOrder {
        /// Before.
        from: Quantity,
        /// After.
        to: Quantity,
    },
    /// Cut to the destination's remaining capacity, in whole cases.
    CappedAtCapacity {
        /// Before.
        from: Quantity,
        /// After.
        to: Quantity,
    },
    /// A cap left less than the minimum order quantity: no order.
    BlockedBelowMoq {
        /// What the cap allowed.
        allowed: Quantity,
    },
}

impl SupplierConstraints {
    /// Checks the constraints for `sku`.
    ///
    /// # Errors
    ///
    /// [`ReorderError::InvalidConstraint`] for a case pack below 1, a
    /// negative minimum or capacity, or a maximum below 1.
    pub fn validate(&self, sku: &Sku) -> Result<()> {
        let bad = |field, reason: String| {
            Err(ReorderError::InvalidConstraint { sku: sku.clone(), field, reason })
        };
        if self.case_pack.get() < 1 {
            return bad("case_pack", format!("{} is below 1", self.case_pack));
        }
        if self.moq.is_negative() {
            return bad("moq", format!("{} is negative", self.moq));
        }
        if let Some(max) = self.max_per_order.filter(|m| m.get() < 1) {
            return bad("max_per_order", format!("{max} is below 1"));
        }
        if let Some(cap) = self.capacity.filter(|c| c.is_negative()) {
            return bad("capacity", format!("{cap} is negative"));
        }
        Ok(())
    }

    /// Turns a net need into an order quantity: raise to the minimum,
    /// round up to whole cases, then cut to the maximum per order and to
    /// `capacity_left`, each in whole cases. Returns zero units when the
    /// need is not positive or a cap leaves less than the minimum. Whole
    /// cases that would pass `i64::MAX` units are cut to the most whole
    /// cases that fit, recorded as
    /// [`ConstraintApplied::CappedAtMaxPerOrder`]: the result is always a
    /// whole number of cases.
    /// Validate first: a case pack below 1 is treated as 1.
    ///
    /// ```
    /// use merchantry_core::Quantity;
    /// use merchantry_reorder::SupplierConstraints;
    /// let c = SupplierConstraints { moq: Quantity::new(20), case_pack: Quantity::new(24), ..Default::default() };
    /// // need 13 -> at least 20 -> one case of 24
    /// let (q, applied) = c.fit(Quantity::new(13), None);
    /// assert_eq!(q, Quantity::new(24));
    /// assert_eq!(applied.len(), 2);
    /// ```
    #[must_use]
    pub fn fit(
        &self,
        need: Quantity,
        capacity_left: Option<Quantity>,
    ) -> (Quantity, Vec<ConstraintApplied>) {
        let mut applied = Vec::new();
        if !need.is_positive() {
            return (Quantity::ZERO, applied);
        }
        let pack = self.case_pack.get().max(1);
        let mut q = need.get();
        if q < self.moq.get() {
            applied.push(ConstraintApplied::RaisedToMoq { from: Quantity::new(q), to: self.moq });
            q = self.moq.get();
        }
        match (q / pack + i64::from(q % pack != 0)).checked_mul(pack) {
            Some(cases) if cases != q => {
                applied.push(ConstraintApplied::RoundedUpToCasePack {
                    from: Quantity::new(q),
                    to: Quantity::new(cases),
                });
                q = cases;
            }
            Some(_) => {}
            None => {
                // Whole cases past i64: the unit range caps the order.
                let to = i64::MAX / pack * pack;
                applied.push(ConstraintApplied::CappedAtMaxPerOrder {
                    from: Quantity::new(q),
                    to: Quantity::new(to),
                });
                q = to;
            }
        }
        let caps = [(self.max_per_order, true), (capacity_left, false)];
        for (cap, is_max) in caps {
            let Some(cap) = cap else { continue };
            if q <= cap.get() {
                continue;
            }
            let to = cap.get().max(0) / pack * pack;
            let (from, to_q) = (Quantity::new(q), Quantity::new(to));
            applied.push(if is_max {
                ConstraintApplied::CappedAtMaxPerOrder { from, to: to_q }
            } else {
                ConstraintApplied::CappedAtCapacity { from, to: to_q }
            });
            q = to;
        }
        if q < self.moq.get() || q == 0 {
            applied.push(ConstraintApplied::BlockedBelowMoq { allowed: Quantity::new(q) });
            return (Quantity::ZERO, applied);
        }
        (Quantity::new(q), applied)
    }
}

/// What an order costs and what a unit earns, for lot sizing and budget
/// ranking.
///
/// All amounts are in one currency: `order_cost` must be in the unit
/// cost's currency, and `unit_margin` is read in it.
/// [`Costs::validate`] (run by the planner on every input that carries
/// costs) refuses a mismatch; nothing converts between currencies.
///
/// Each amount is zero or more, as its meaning requires (the unit cost
/// already is, by [`UnitCost::new`]):
///
/// - `order_cost` is the fixed cost `K` of placing an order; zero means
///   free ordering.
/// - `holding_rate` is the annual carrying cost as a fraction of unit
///   cost (0.25 = 25% a year); zero means free holding, and rates above
///   1 (perishables, costly storage) are accepted.
/// - `unit_margin` is what a stockout loses per unit short (the
///   underage cost); zero means nothing is at risk. A product sold at a
///   loss has no margin to protect: a negative value is refused rather
///   than ranked as a stockout that earns money.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Costs {
    /// Landed cost of one unit.
    pub unit_cost: UnitCost,
    /// Fixed cost of placing one order `K`.
    pub order_cost: Money,
    /// Holding cost per year as a fraction of the unit cost (e.g. 0.25).
    pub holding_rate: Decimal,
    /// Gross margin of one unit sold, in the unit cost's currency.
    pub unit_margin: Decimal,
}

impl Costs {
    /// Checks that the order cost is in the unit cost's currency and that
    /// no amount is below zero.
    ///
    /// ```
    /// use merchantry_core::{Currency, Decimal, Money, Sku, UnitCost};
    /// use merchantry_reorder::Costs;
    /// let costs = Costs {
    ///     unit_cost: UnitCost::new(Decimal::from(20), Currency::USD)?,
    ///     order_cost: Money::new(Decimal::from(100), Currency::EUR),
    ///     holding_rate: Decimal::new(25, 2),
    ///     unit_margin: Decimal::from(5),
    /// };
    /// assert!(costs.validate(&Sku::new("A")?).is_err());
    /// # Ok::<(), merchantry_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ReorderError::Core`] wrapping
    /// [`CoreError::CurrencyMismatch`]
    /// (order cost currency first) when they differ;
    /// [`ReorderError::InvalidCost`] naming the first of `order_cost`,
    /// `holding_rate` and `unit_margin` that is below zero.
    pub fn validate(&self, sku: &Sku) -> Result<()> {
        let (order, unit) = (self.order_cost.currency(), self.unit_cost.currency());
        if order != unit {
            return Err(ReorderError::Core {
                sku: sku.clone(),
                source: CoreError::CurrencyMismatch { left: order, right: unit },
            });
        }
        let fields = [
            ("order_cost", self.order_cost.amount()),
            ("holding_rate", self.holding_rate),
            ("unit_margin", self.unit_margin),
        ];
        match fields.into_iter().find(|(_, v)| *v < Decimal::ZERO) {
            Some((field, value)) => Err(ReorderError::InvalidCost {
                sku: sku.clone(),
                field,
                value,
                expected: "zero or more",
            }),
            None => Ok(()),
        }
    }

    /// Holding cost per unit-year `h = unit cost * holding rate`.
    #[must_use]
    pub fn holding_cost(&self) -> Option<Decimal> {
        self.unit_cost.per_unit().checked_mul(self.holding_rate)
    }
}

/// The economic order quantity `sqrt(2 D K / h)` (Harris 1913): `D` units
/// a year, `K` per order, `h` per unit-year. Money stays decimal until
/// `K / h`, the one conversion to a float. `None` outside the formula's
/// domain: `D` negative, NaN or infinite, `K` negative, `h` not
/// positive, or `K / h` or the result past the range of its type.
///
/// ```
/// use merchantry_core::Decimal;
/// use merchantry_reorder::eoq;
/// // D = 1200, K = 50, h = 3: sqrt(2 * 1200 * 50 / 3) = sqrt(40000) = 200
/// let q = eoq(1200.0, Decimal::from(50), Decimal::from(3)).unwrap();
/// assert!((q - 200.0).abs() < 1e-9);
/// ```
#[must_use]
pub fn eoq(annual_demand: f64, order_cost: Decimal, holding_per_unit_year: Decimal) -> Option<f64> {
    let demand_ok = annual_demand.is_finite() && annual_demand >= 0.0;
    if !demand_ok || order_cost < Decimal::ZERO || holding_per_unit_year <= Decimal::ZERO {
        return None;
    }
    let ratio = order_cost.checked_div(holding_per_unit_year)?.to_f64()?;
    Some((2.0 * annual_demand * ratio).sqrt()).filter(|q| q.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(n: i64) -> Quantity {
        Quantity::new(n)
    }

    fn pack(case: i64, moq: i64) -> SupplierConstraints {
        SupplierConstraints { moq: q(moq), case_pack: q(case), ..Default::default() }
    }

    #[test]
    fn exact_cases_need_no_rounding() {
        assert_eq!(pack(12, 0).fit(q(36), None), (q(36), vec![]));
    }

    #[test]
    fn max_per_order_cuts_to_whole_cases() {
        let c = SupplierConstraints { max_per_order: Some(q(100)), ..pack(24, 0) };
        // 130 -> 144 (6 cases) -> cap 100 -> 96 (4 cases)
        let (got, applied) = c.fit(q(130), None);
        assert_eq!(got, q(96));
        assert_eq!(applied[1], ConstraintApplied::CappedAtMaxPerOrder { from: q(144), to: q(96) });
    }

    #[test]
    fn capacity_below_moq_blocks_the_order() {
        let c = pack(10, 50);
        let (got, applied) = c.fit(q(80), Some(q(45)));
        assert_eq!(got, Quantity::ZERO);
        assert_eq!(applied.last(), Some(&ConstraintApplied::BlockedBelowMoq { allowed: q(40) }));
    }

    #[test]
    fn whole_cases_past_the_unit_range_are_cut_not_left_partial() {
        // The minimum is i64::MAX, an odd number: no whole number of
        // 2-unit cases reaches it, so no order. It used to return
        // i64::MAX units, half a case over.
        let (got, applied) = pack(2, i64::MAX).fit(q(1), None);
        assert_eq!(got, Quantity::ZERO, "{applied:?}");
        assert_eq!(
            applied.last(),
            Some(&ConstraintApplied::BlockedBelowMoq { allowed: q(i64::MAX - 1) })
        );
        // A need of i64::MAX in cases of 10 rounds up past the range; it
        // is cut to the most whole cases that fit: 922337203685477580
        // cases = 9223372036854775800 units. It used to saturate to
        // i64::MAX, not a whole number of cases.
        let (got, applied) = pack(10, 0).fit(q(i64::MAX), None);
        assert_eq!(got, q(9_223_372_036_854_775_800));
        assert_eq!(
            applied,
            vec![ConstraintApplied::CappedAtMaxPerOrder {
                from: q(i64::MAX),
                to: q(9_223_372_036_854_775_800)
            }]
        );
    }

    #[test]
    fn invalid_case_pack_is_rejected() {
        let sku = Sku::new("A").unwrap();
        assert!(pack(0, 0).validate(&sku).is_err());
        assert!(pack(1, -1).validate(&sku).is_err());
    }

    #[test]
    fn eoq_is_none_outside_its_domain_not_zero_or_infinite() {
        let (one, k) = (Decimal::ONE, Decimal::from(50));
        // Each used to come back as Some(0.0) or Some(inf).
        assert_eq!(eoq(f64::NAN, k, one), None);
        assert_eq!(eoq(f64::INFINITY, k, one), None);
        assert_eq!(eoq(-5.0, k, one), None);
        assert_eq!(eoq(100.0, Decimal::from(-50), one), None);
        assert_eq!(eoq(f64::MAX, Decimal::MAX, one), None);
        // The ends of the domain still answer: no demand, free orders.
        assert_eq!(eoq(0.0, k, one), Some(0.0));
        assert_eq!(eoq(100.0, Decimal::ZERO, one), Some(0.0));
    }

    #[test]
    fn eoq_rejects_free_holding() {
        assert_eq!(eoq(100.0, Decimal::ONE, Decimal::ZERO), None);
    }
}
