//! The outputs: plans, packages, costs, and why an order cannot ship.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use merchantry_core::{LocationId, OrderId, Quantity, Sku};
use rust_decimal::Decimal;

use crate::error::{Result, RouteError};
use crate::model::{Order, Speed};
use crate::network::{Network, NodeIndex};

/// The cost of a package or a plan, by part. [`CostBreakdown::total`] is
/// the sum of the parts, and a plan's breakdown is the part-by-part sum of
/// its packages' (invariant 7 of the design).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CostBreakdown {
    /// Per-package fees (pick, pack, order handling).
    pub handling: Decimal,
    /// Per-unit fees.
    pub units: Decimal,
    /// Postage from the rate table.
    pub postage: Decimal,
}

impl CostBreakdown {
    /// `handling + units + postage`, exactly, or `None` when the exact
    /// sum is not a `Decimal`: past its range, or needing more digits
    /// than its 96-bit mantissa holds (where `Decimal`'s own addition
    /// would round). Money is never rounded here.
    #[must_use]
    pub fn total(&self) -> Option<Decimal> {
        crate::money::add(crate::money::add(self.handling, self.units)?, self.postage)
    }

    /// The part-by-part sum, exactly, or `None` when a part's exact sum
    /// is not a `Decimal` (as for [`CostBreakdown::total`]).
    #[must_use]
    pub fn checked_add(&self, rhs: &Self) -> Option<Self> {
        Some(Self {
            handling: crate::money::add(self.handling, rhs.handling)?,
            units: crate::money::add(self.units, rhs.units)?,
            postage: crate::money::add(self.postage, rhs.postage)?,
        })
    }
}

/// One order line inside a package.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PackageLine {
    /// The line's index in the order, from 0.
    pub line: usize,
    /// The SKU.
    pub sku: Sku,
    /// Units.
    pub quantity: Quantity,
}

/// What one node ships for one order: one package.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Package {
    /// The shipping node.
    pub node: LocationId,
    /// Its index in the network.
    pub node_index: NodeIndex,
    /// The local date the carrier picks it up.
    pub ship_date: NaiveDate,
    /// The date it is expected at the customer.
    pub delivery: NaiveDate,
    /// The lines it carries, in order-line order.
    pub lines: Vec<PackageLine>,
    /// Units in it.
    pub units: u64,
    /// Its weight in grams.
    pub weight_g: u64,
    /// What it costs.
    pub cost: CostBreakdown,
}

/// How an order ships: one package per node used.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Plan {
    /// The order.
    pub order: OrderId,
    /// The service speed it was sold with.
    pub speed: Speed,
    /// Its packages, by node index.
    pub packages: Vec<Package>,
    /// When the last package arrives.
    pub expected_delivery: NaiveDate,
    /// The promised date.
    pub promised_by: NaiveDate,
    /// Whether the plan misses the promise.
    pub late: bool,
    /// The cost, part by part: the sum of the packages' costs.
    pub cost: CostBreakdown,
    /// Whether the search proved no better plan exists, or stopped at its
    /// step budget with the best plan it had met. See [`Optimality`].
    pub optimality: Optimality,
}

/// How sure a [`Plan`] is to be the best one, as the router's
/// [`Scorer`](crate::Scorer) ranks plans (with the
/// [`StandardScorer`](crate::StandardScorer): on time, then fewest
/// packages, then cheapest, then node priority).
///
/// Orders with at most
/// [`RouterOptions::exact_limit`](crate::RouterOptions::exact_limit)
/// assignments are searched exhaustively and always come back
/// [`Optimality::Proven`]. Larger orders go to the bounded search of the
/// [`router`](crate::router) module: when it finishes within its step
/// budget it is exact too ([`Optimality::Proven`]); when it runs out it
/// returns the best plan met, [`Optimality::BestWithinBudget`], and a
/// better plan may exist (raise `exact_limit`, which also raises the
/// budget, or check candidates with
/// [`Router::evaluate`](crate::Router::evaluate)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Optimality {
    /// Every assignment that could rank better was ruled out: no plan
    /// the scorer ranks ahead of this one exists against the stock and
    /// capacity the router held.
    Proven,
    /// The bounded search spent its step budget before it could rule
    /// every better assignment out: this is the best plan it met, and a
    /// better one may exist.
    BestWithinBudget {
        /// The steps walked (positions visited, nodes tried, lines
        /// priced).
        steps: u64,
    },
    /// No search ran: the plan prices the assignment handed to
    /// [`Router::evaluate`](crate::Router::evaluate).
    Assigned,
}

impl Optimality {
    /// Whether the plan is proven best ([`Optimality::Proven`]).
    #[must_use]
    pub fn is_proven(self) -> bool {
        self == Self::Proven
    }
}

impl Plan {
    /// Refuses a plan no router would make: no package at all (every
    /// order has a line, so every plan a package), a package with no line, a
    /// line of zero or fewer units, a package whose `units` is not the
    /// sum of its lines, two packages from one node, one order line
    /// listed twice, or package weights adding up past `u64::MAX` grams.
    /// Plans handed back ([`crate::Router::commit`],
    /// [`crate::plan_waves`]) may be hand-built or edited.
    pub(crate) fn check_shape(&self) -> Result<()> {
        if self.packages.is_empty() {
            return Err(RouteError::EmptyPlan { order: self.order.clone() });
        }
        let mut ids: BTreeSet<&LocationId> = BTreeSet::new();
        let mut indices: BTreeSet<NodeIndex> = BTreeSet::new();
        let mut seen: BTreeSet<usize> = BTreeSet::new();
        let mut weight = 0u64;
        for pkg in &self.packages {
            if pkg.lines.is_empty() {
                return Err(RouteError::EmptyPackage {
                    order: self.order.clone(),
                    node: pkg.node.clone(),
                });
            }
            let fresh_id = ids.insert(&pkg.node);
            if !(fresh_id && indices.insert(pkg.node_index)) {
                return Err(RouteError::DuplicatePackage {
                    order: self.order.clone(),
                    node: pkg.node.clone(),
                });
            }
            let mut lines: u128 = 0;
            for line in &pkg.lines {
                let quantity = line.quantity.get();
                if quantity <= 0 {
                    return Err(RouteError::NonPositiveQuantity {
                        order: self.order.clone(),
                        line: line.line,
                        sku: line.sku.clone(),
                        quantity,
                    });
                }
                if !seen.insert(line.line) {
                    return Err(RouteError::DuplicatePlanLine {
                        order: self.order.clone(),
                        line: line.line,
                        node: pkg.node.clone(),
                    });
                }
                // Each term is below 2^63, so a u128 sum of fewer than
                // 2^65 lines cannot overflow; saturating keeps it total.
                lines = lines.saturating_add(u128::from(quantity.unsigned_abs()));
            }
            if lines != u128::from(pkg.units) {
                return Err(RouteError::PackageUnitsMismatch {
                    order: self.order.clone(),
                    node: pkg.node.clone(),
                    units: pkg.units,
                    lines,
                });
            }
            weight =
                weight.checked_add(pkg.weight_g).ok_or_else(|| RouteError::PlanWeightOverflow {
                    order: self.order.clone(),
                    node: pkg.node.clone(),
                    max: u64::MAX,
                })?;
        }
        Ok(())
    }

    /// Checks a plan, perhaps hand-built, edited or read back from
    /// storage, against the order it ships, before handing it to
    /// [`crate::Router::commit`] or [`crate::plan_waves`], which see only
    /// the plan and so cannot hold its weights against the order's unit
    /// weights.
    ///
    /// Besides the shape both of those check (at least one package, no
    /// empty package, no line of zero or fewer units, `units` equal to
    /// the sum of the package's lines, one package per node, each line
    /// once, weights adding up within `u64`), it checks, in this order:
    ///
    /// 1. the plan names this order;
    /// 2. each order line ships exactly once with the order's SKU and
    ///    quantity;
    /// 3. each package's `weight_g` is its lines' unit weight times
    ///    units, added up;
    /// 4. `speed` is the order's speed, and `promised_by` the order's
    ///    promise;
    /// 5. packages are in node-index order, and each package's lines in
    ///    order-line order;
    /// 6. no package is delivered before it ships (`delivery >=
    ///    ship_date`);
    /// 7. no cost part (handling, units, postage) of a package or of the
    ///    plan is negative, and every total adds up exactly in a
    ///    `Decimal`;
    /// 8. `expected_delivery` is the latest package `delivery`;
    /// 9. `late` is `expected_delivery > promised_by`;
    /// 10. each part of the plan's `cost` is that part summed over its
    ///     packages.
    ///
    /// Weights are whole grams (`u64`), so a negative or fractional
    /// weight cannot be represented at all (deserializing one fails).
    /// Every plan a router returns passes.
    ///
    /// What it cannot see, having neither the network nor the router's
    /// state: whether the prices are the nodes' fees and rates, whether
    /// ship and delivery dates follow the nodes' calendars, cutoffs and
    /// transit times, whether a node may take the lines at all, and
    /// whether the stock and capacity are still free.
    /// [`Plan::check_with`] adds the network and holds each ship date
    /// against its node's working days and the order time. Price the same
    /// assignment with [`crate::Router::evaluate`] and compare the plans
    /// to check those; [`crate::Router::commit`] refuses a ship date
    /// that is not a working day and stock or capacity no longer free.
    ///
    /// # Errors
    ///
    /// The shape errors: [`RouteError::EmptyPlan`],
    /// [`RouteError::EmptyPackage`],
    /// [`RouteError::NonPositiveQuantity`],
    /// [`RouteError::PackageUnitsMismatch`],
    /// [`RouteError::DuplicatePackage`], [`RouteError::DuplicatePlanLine`],
    /// [`RouteError::PlanWeightOverflow`]; then
    /// [`RouteError::PlanForOtherOrder`] when the plan names another
    /// order, [`RouteError::PlanLineMismatch`] when a line is not in the
    /// order, is missing, or differs in SKU or quantity, and
    /// [`RouteError::PackageWeightMismatch`] when a package's weight is
    /// not its lines'; then [`RouteError::PlanSpeedMismatch`],
    /// [`RouteError::PlanDateMismatch`] (`promised_by`),
    /// [`RouteError::PackagesOutOfOrder`],
    /// [`RouteError::PackageLinesOutOfOrder`],
    /// [`RouteError::DeliveryBeforeShip`], [`RouteError::NegativePlanCost`],
    /// [`RouteError::PlanCostOverflow`], [`RouteError::PlanDateMismatch`]
    /// (`expected_delivery`), [`RouteError::PlanLateMismatch`] and
    /// [`RouteError::PlanCostMismatch`] for the numbered checks above.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use merchantry_core::*;
    /// use merchantry_route::*;
    /// use rust_decimal::Decimal;
    ///
    /// let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    /// let mut node = Node::new(LocationId::new("NJ")?, LocationKind::OwnWarehouse,
    ///     chrono_tz::America::New_York, Currency::USD);
    /// node.costs.rates.insert(Zone(4), vec![RateTier { max_weight_g: 5000, price: Decimal::ONE }]);
    /// node.transit_days.insert((Zone(4), Speed::Standard), 3);
    /// let net = Network::new(vec![node], DateRange::starting(day, 30)?)?;
    /// let mut stock = Inventory::new(&net);
    /// stock.set(&Sku::new("MUG")?, net.index_of(&LocationId::new("NJ")?).unwrap(), Quantity::new(9));
    /// let mut line = OrderLine::new(Sku::new("MUG")?, Quantity::new(2));
    /// line.unit_weight_g = 350;
    /// let order = Order {
    ///     id: OrderId::new("W-1")?,
    ///     lines: vec![line],
    ///     zone: Zone(4),
    ///     market: None,
    ///     placed_at: Utc.with_ymd_and_hms(2026, 1, 5, 14, 0, 0).unwrap(),
    ///     promised_by: NaiveDate::from_ymd_opt(2026, 1, 9).unwrap(),
    ///     speed: Speed::Standard,
    ///     channel: ChannelId::new("web")?,
    /// };
    /// let mut plan = Router::new(&net, stock).plan(&order)?.plan().cloned().unwrap();
    /// plan.check(&order)?;
    /// // Edited to say 1 g: 2 x 350 = 700 g is what its line weighs.
    /// plan.packages[0].weight_g = 1;
    /// assert!(matches!(plan.check(&order), Err(RouteError::PackageWeightMismatch { lines: 700, .. })));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check(&self, order: &Order) -> Result<()> {
        self.check_shape()?;
        if self.order != order.id {
            return Err(RouteError::PlanForOtherOrder {
                plan: self.order.clone(),
                order: order.id.clone(),
            });
        }
        let mismatch = |line: usize, what: &'static str| RouteError::PlanLineMismatch {
            order: self.order.clone(),
            line,
            what,
        };
        let mut shipped = vec![false; order.lines.len()];
        for pkg in &self.packages {
            let mut weight: u128 = 0;
            for line in &pkg.lines {
                let Some(wanted) = order.lines.get(line.line) else {
                    return Err(mismatch(line.line, "is not in the order"));
                };
                if wanted.sku != line.sku {
                    return Err(mismatch(line.line, "names another sku than the order"));
                }
                if wanted.quantity != line.quantity {
                    return Err(mismatch(line.line, "ships another quantity than the order"));
                }
                if let Some(s) = shipped.get_mut(line.line) {
                    *s = true;
                }
                // Below 2^64 times 2^63 each: a u128 holds every product;
                // the sum saturates (and then cannot match a u64).
                let each = u128::from(wanted.unit_weight_g)
                    .saturating_mul(u128::from(line.quantity.get().unsigned_abs()));
                weight = weight.saturating_add(each);
            }
            if weight != u128::from(pkg.weight_g) {
                return Err(RouteError::PackageWeightMismatch {
                    order: self.order.clone(),
                    node: pkg.node.clone(),
                    weight_g: pkg.weight_g,
                    lines: weight,
                });
            }
        }
        if let Some(line) = shipped.iter().position(|s| !s) {
            return Err(mismatch(line, "is missing from the plan"));
        }
        self.check_fields(order)
    }

    /// The checks of [`Plan::check`] past the lines and weights: the
    /// plan's own fields against the order and against its packages.
    fn check_fields(&self, order: &Order) -> Result<()> {
        let id = || self.order.clone();
        if self.speed != order.speed {
            return Err(RouteError::PlanSpeedMismatch {
                order: id(),
                plan: self.speed,
                ordered: order.speed,
            });
        }
        if self.promised_by != order.promised_by {
            return Err(RouteError::PlanDateMismatch {
                order: id(),
                field: "promised_by",
                plan: self.promised_by,
                expected: order.promised_by,
            });
        }
        let mut sum = CostBreakdown::default();
        let mut latest: Option<NaiveDate> = None;
        let mut prev_node: Option<usize> = None;
        for pkg in &self.packages {
            let node = pkg.node_index.get();
            if let Some(after) = prev_node.filter(|&p| p > node) {
                return Err(RouteError::PackagesOutOfOrder {
                    order: id(),
                    node: pkg.node.clone(),
                    index: node,
                    after,
                });
            }
            prev_node = Some(node);
            let mut prev_line: Option<usize> = None;
            for line in &pkg.lines {
                if let Some(after) = prev_line.filter(|&p| p > line.line) {
                    return Err(RouteError::PackageLinesOutOfOrder {
                        order: id(),
                        node: pkg.node.clone(),
                        line: line.line,
                        after,
                    });
                }
                prev_line = Some(line.line);
            }
            if pkg.delivery < pkg.ship_date {
                return Err(RouteError::DeliveryBeforeShip {
                    order: id(),
                    node: pkg.node.clone(),
                    ship_date: pkg.ship_date,
                    delivery: pkg.delivery,
                });
            }
            latest = latest.max(Some(pkg.delivery));
            check_cost_parts(&self.order, Some(&pkg.node), &pkg.cost)?;
            let overflow =
                || RouteError::PlanCostOverflow { order: id(), node: Some(pkg.node.clone()) };
            pkg.cost.total().ok_or_else(overflow)?;
            sum = sum.checked_add(&pkg.cost).ok_or_else(overflow)?;
        }
        // `check_shape` refused a plan with no package.
        if let Some(latest) = latest
            && self.expected_delivery != latest
        {
            return Err(RouteError::PlanDateMismatch {
                order: id(),
                field: "expected_delivery",
                plan: self.expected_delivery,
                expected: latest,
            });
        }
        if self.late != (self.expected_delivery > self.promised_by) {
            return Err(RouteError::PlanLateMismatch {
                order: id(),
                late: self.late,
                expected_delivery: self.expected_delivery,
                promised_by: self.promised_by,
            });
        }
        check_cost_parts(&self.order, None, &self.cost)?;
        for (part, plan, packages) in cost_parts(&self.cost, &sum) {
            if plan != packages {
                return Err(RouteError::PlanCostMismatch { order: id(), part, plan, packages });
            }
        }
        if self.cost.total().is_none() {
            return Err(RouteError::PlanCostOverflow { order: id(), node: None });
        }
        Ok(())
    }

    /// [`Plan::check`], then the plan's dates against the network's
    /// calendars and the order time, which need each node's time zone,
    /// cutoffs, holidays and handling days:
    ///
    /// 1. the order was placed within the network's planning horizon (as
    ///    for routing);
    /// 2. each package names a node of `network`, at its index;
    /// 3. each package ships on one of its node's working days listed
    ///    for the horizon (a weekday with a cutoff, not a holiday, and a
    ///    date that occurred in the node's time zone:
    ///    [`local_date_exists`](crate::local_date_exists));
    /// 4. no package ships before the first day its node can ship the
    ///    order: the first working day whose cutoff instant, in the
    ///    node's time zone, is at or after `placed_at`, plus the node's
    ///    handling days ([`Network::ship_date`](crate::Network::ship_date)).
    ///    That day is never before the order's local date at the node,
    ///    so this refuses a ship date before the order was placed in the
    ///    node's own time zone (which may be a day ahead of, or behind,
    ///    the UTC date), on the day of an order that missed that day's
    ///    cutoff, or inside the handling days.
    ///
    /// A later ship date is accepted: a router with
    /// [`RouterOptions::capacity_roll_days`](crate::RouterOptions::capacity_roll_days)
    /// ships later when its first day is full, and the network does not
    /// know the router's options. What it still cannot see: whether the
    /// prices and transit times are the nodes', whether a node may take
    /// the lines, and whether stock and capacity are free (price the
    /// assignment with [`crate::Router::evaluate`] and compare, and let
    /// [`crate::Router::commit`] check stock and capacity). Every plan a
    /// router over `network` returns passes.
    ///
    /// # Errors
    ///
    /// Any error of [`Plan::check`]; then
    /// [`RouteError::OutsideHorizon`] when the order was placed outside
    /// the horizon, [`RouteError::UnknownNode`] when a package names a
    /// node not in `network` (or at another index),
    /// [`RouteError::NotAShipDay`] when a package's ship date is not a
    /// listed working day of its node (or the node's first ship day for
    /// the order falls past the listed days), and
    /// [`RouteError::ShipDateTooEarly`] when it ships before the first
    /// day its node can ship the order.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use merchantry_core::*;
    /// use merchantry_route::*;
    /// use rust_decimal::Decimal;
    ///
    /// let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    /// let mut node = Node::new(LocationId::new("NJ")?, LocationKind::OwnWarehouse,
    ///     chrono_tz::America::New_York, Currency::USD);
    /// node.costs.rates.insert(Zone(4), vec![RateTier { max_weight_g: 5000, price: Decimal::ONE }]);
    /// node.transit_days.insert((Zone(4), Speed::Standard), 3);
    /// let net = Network::new(vec![node], DateRange::starting(day, 30)?)?;
    /// let mut stock = Inventory::new(&net);
    /// stock.set(&Sku::new("MUG")?, net.index_of(&LocationId::new("NJ")?).unwrap(), Quantity::new(9));
    /// // Monday 5 January, 16:00 in New York: after the 15:00 cutoff.
    /// let order = Order {
    ///     id: OrderId::new("W-1")?,
    ///     lines: vec![OrderLine::new(Sku::new("MUG")?, Quantity::new(2))],
    ///     zone: Zone(4),
    ///     market: None,
    ///     placed_at: Utc.with_ymd_and_hms(2026, 1, 5, 21, 0, 0).unwrap(),
    ///     promised_by: NaiveDate::from_ymd_opt(2026, 1, 9).unwrap(),
    ///     speed: Speed::Standard,
    ///     channel: ChannelId::new("web")?,
    /// };
    /// let mut plan = Router::new(&net, stock).plan(&order)?.plan().cloned().unwrap();
    /// plan.check_with(&order, &net)?;
    /// // Edited to leave on Monday, whose pickup the order missed.
    /// plan.packages[0].ship_date = day;
    /// let tuesday = NaiveDate::from_ymd_opt(2026, 1, 6).unwrap();
    /// assert!(matches!(
    ///     plan.check_with(&order, &net),
    ///     Err(RouteError::ShipDateTooEarly { earliest, .. }) if earliest == tuesday
    /// ));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_with(&self, order: &Order, network: &Network) -> Result<()> {
        self.check(order)?;
        network.check_placed(order)?;
        for pkg in &self.packages {
            self.check_ship_date(pkg, order, network)?;
        }
        Ok(())
    }

    /// Checks 2 to 4 of [`Plan::check_with`] for one package.
    fn check_ship_date(&self, pkg: &Package, order: &Order, network: &Network) -> Result<()> {
        let idx = match network.index_of(&pkg.node) {
            Some(idx) if idx == pkg.node_index => idx,
            _ => {
                return Err(RouteError::UnknownNode {
                    order: self.order.clone(),
                    node: pkg.node.clone(),
                });
            }
        };
        let not_a_ship_day = |why| RouteError::NotAShipDay {
            order: self.order.clone(),
            node: pkg.node.clone(),
            ship_date: pkg.ship_date,
            why,
        };
        if network.day_slot(idx.get(), pkg.ship_date).is_none() {
            return Err(not_a_ship_day(network.why_not_a_ship_day(idx.get(), pkg.ship_date)));
        }
        let Some(earliest) = network.ship_date(idx, order.placed_at) else {
            return Err(not_a_ship_day(
                "before the node's first ship day for the order, which falls past the working \
                 days listed",
            ));
        };
        if pkg.ship_date < earliest {
            return Err(RouteError::ShipDateTooEarly {
                order: self.order.clone(),
                node: pkg.node.clone(),
                ship_date: pkg.ship_date,
                earliest,
                placed_at: order.placed_at,
            });
        }
        Ok(())
    }

    /// Whether the search proved this plan the best there is, rather than
    /// the best met within its step budget (or an assignment priced as
    /// given): `self.optimality.is_proven()`.
    #[must_use]
    pub fn is_proven_best(&self) -> bool {
        self.optimality.is_proven()
    }

    /// The number of packages.
    #[must_use]
    pub fn package_count(&self) -> usize {
        self.packages.len()
    }

    /// For each order line, in order: the node and ship date.
    #[must_use]
    pub fn line_assignments(&self) -> Vec<(usize, &LocationId, NaiveDate)> {
        let mut out: Vec<_> = self
            .packages
            .iter()
            .flat_map(|p| p.lines.iter().map(move |l| (l.line, &p.node, p.ship_date)))
            .collect();
        out.sort_by_key(|&(line, _, _)| line);
        out
    }
}

/// The parts of two breakdowns side by side, by name.
fn cost_parts(a: &CostBreakdown, b: &CostBreakdown) -> [(&'static str, Decimal, Decimal); 3] {
    [
        ("handling", a.handling, b.handling),
        ("units", a.units, b.units),
        ("postage", a.postage, b.postage),
    ]
}

/// Refuses a negative part of a package's (`node`) or a plan's cost.
fn check_cost_parts(
    order: &OrderId,
    node: Option<&LocationId>,
    cost: &CostBreakdown,
) -> Result<()> {
    match cost_parts(cost, cost).into_iter().find(|(_, v, _)| *v < Decimal::ZERO) {
        Some((part, value, _)) => Err(RouteError::NegativePlanCost {
            order: order.clone(),
            node: node.cloned(),
            part,
            value,
        }),
        None => Ok(()),
    }
}

/// Why a node with enough stock may not take a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Refusal {
    /// The node may not serve the order's channel.
    Channel,
    /// The item is hazmat and the node does not ship hazmat.
    Hazmat,
    /// The item is longer or heavier than the node handles.
    Oversize,
    /// The node has no transit time for the zone and speed.
    NoService,
    /// The node has no rate for the destination zone.
    NoRate,
    /// No working day is listed for the node after the order time.
    NoShipDay,
    /// The node has a ship day, but that day plus its transit days falls
    /// past the last date a date can hold (`chrono::NaiveDate::MAX`, 31
    /// December 262142): a transit time no carrier means, such as
    /// `u32::MAX` days.
    DeliveryOutOfRange,
}

/// Why no combination of acceptable nodes works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Infeasibility {
    /// The node has no room left on any day it could ship: its first
    /// ship day and each later working day the roll-over
    /// ([`RouterOptions::capacity_roll_days`](crate::RouterOptions::capacity_roll_days))
    /// allows are full. A roll-over window that runs past the last
    /// working day listed (the horizon plus
    /// [`CALENDAR_TAIL_DAYS`](crate::CALENDAR_TAIL_DAYS)) is still
    /// capacity when every listed day in it is full: the days existed,
    /// they had no room.
    Capacity {
        /// The node.
        node: LocationId,
    },
    /// The package is heavier than the node's last rate tier.
    Overweight {
        /// The node.
        node: LocationId,
        /// The package weight in grams.
        weight_g: u64,
    },
    /// A split package would be worth less than the minimum.
    BelowMinimumValue {
        /// The node.
        node: LocationId,
        /// The package value.
        value: Decimal,
    },
    /// Two lines of the same SKU together need more than a node holds.
    Stock {
        /// The line that did not fit.
        line: usize,
        /// Its SKU.
        sku: Sku,
    },
    /// The node has no working day listed at all from the order's first
    /// ship day on (its first cutoff caught plus handling days falls
    /// past the listed calendar). A node whose listed days are merely
    /// full is [`Infeasibility::Capacity`].
    NoShipDay {
        /// The node.
        node: LocationId,
    },
    /// The package has a ship day at the node (one the capacity
    /// roll-over moved later than the first), but that day plus the
    /// node's transit days falls past the last date a date can hold
    /// (`chrono::NaiveDate::MAX`, 31 December 262142). A node whose
    /// first ship day already does is refused up front with
    /// [`Refusal::DeliveryOutOfRange`].
    DeliveryOutOfRange {
        /// The node.
        node: LocationId,
    },
    /// The cost is not a `Decimal` exactly: past its range, or needing
    /// more digits than its 96-bit mantissa holds (for example a fee of
    /// 10^-28 next to postage of 10^10). Money is refused, never rounded.
    CostOverflow,
    /// An order with more assignments than
    /// [`RouterOptions::exact_limit`](crate::RouterOptions::exact_limit)
    /// went to the bounded search, which used up its step budget before
    /// finding a workable plan. A plan may still exist: check one with
    /// [`Router::evaluate`](crate::Router::evaluate), or raise the limit.
    SearchLimit {
        /// The steps walked.
        steps: u64,
    },
}

/// Why an order cannot be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum UnroutableReason {
    /// No node holds enough sellable units of the line.
    NoStock {
        /// The line index, from 0.
        line: usize,
        /// Its SKU.
        sku: Sku,
        /// Units asked.
        quantity: Quantity,
    },
    /// Nodes hold the units, but each refuses the line.
    NotEligible {
        /// The line index, from 0.
        line: usize,
        /// Its SKU.
        sku: Sku,
        /// Each node holding enough units, with its refusal.
        refusals: Vec<(LocationId, Refusal)>,
    },
    /// Every line has a node, but no combination of them works; the first
    /// obstacle met is given.
    NoFeasibleCombination {
        /// The first obstacle met.
        cause: Infeasibility,
    },
    /// The best plan misses the promise and late plans are not allowed.
    Late {
        /// The best expected delivery.
        expected: NaiveDate,
    },
}

/// An order that cannot be routed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Unroutable {
    /// The order.
    pub order: OrderId,
    /// Why.
    pub reason: UnroutableReason,
}

/// The routing of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Outcome {
    /// It ships as planned.
    Routed(Plan),
    /// It cannot ship.
    Unroutable(Unroutable),
}

impl Outcome {
    /// The plan, when routed.
    #[must_use]
    pub fn plan(&self) -> Option<&Plan> {
        match self {
            Self::Routed(p) => Some(p),
            Self::Unroutable(_) => None,
        }
    }

    /// The reason, when not routed.
    #[must_use]
    pub fn unroutable(&self) -> Option<&Unroutable> {
        match self {
            Self::Routed(_) => None,
            Self::Unroutable(u) => Some(u),
        }
    }
}
