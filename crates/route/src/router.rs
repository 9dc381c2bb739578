//! Choosing nodes for orders, one at a time or in a batch.
//!
//! # How one order is routed
//!
//! 1. Each node is checked against the order once: channel, transit time
//!    for the zone and speed, a rate for the zone, and the first ship day
//!    (first cutoff caught plus handling days, from the precomputed
//!    calendar, so no time-zone work happens here).
//! 2. Each line gets its candidate nodes: eligible (hazmat, oversize) and
//!    holding at least the line's units. A line with none makes the order
//!    [`Unroutable`], naming the line and each node's refusal.
//! 3. The search prices assignments of lines to candidate nodes; one
//!    package per node used. With a scorer whose
//!    [`Scorer::packages_first`] is true (the [`StandardScorer`]), single
//!    packages are tried first and the search stops there when one keeps
//!    the promise. Otherwise every assignment is enumerated when their
//!    number (the product of the lines' candidate counts) is at most
//!    [`RouterOptions::exact_limit`].
//! 4. Above that limit a bounded search takes over. It walks the same
//!    assignments depth first, package count by package count (stopping
//!    as the enumeration does), and cuts every branch where a package
//!    already breaks its node's stock (lines of one SKU counted
//!    together), its heaviest rate tier, or the most units any allowed
//!    ship day still takes. Lines go most constrained first (fewest
//!    nodes, then heaviest); each tries the nodes already used, then the
//!    others by how many lines they can take, the caller's priority and
//!    node order. A package count whose `k` largest top tiers, unit
//!    rooms or stocks of a repeated SKU cannot carry the order is skipped
//!    outright, and a branch whose remaining weight or units exceed the
//!    room left is cut. Every complete assignment met is priced in full.
//!    The walk has `max(exact_limit, 4096)` steps per order line (a step
//!    is a position visited, a node tried there, or a line priced); each
//!    package count may spend half the steps left, the last count all of
//!    them. What it guarantees: it only returns workable plans; the cuts
//!    never drop a workable plan, so when no package count runs out of
//!    steps the answer is the one the enumeration would give, optimum or
//!    unroutable, and the plan says [`Optimality::Proven`]; otherwise it
//!    returns the best plan met, marked
//!    [`Optimality::BestWithinBudget`] (a better plan may exist), or,
//!    when it met none, an [`Unroutable`] whose cause is
//!    [`SearchLimit`](crate::Infeasibility::SearchLimit), never a false
//!    "no node can serve this".
//! 5. The assignment with the smallest [`Scorer::Score`] wins; ties keep
//!    the first found (node-index order in the enumeration, walk order in
//!    the bounded search), so results are deterministic.
//!
//! # Batch mode
//!
//! [`Router::route_batch`] routes orders competing for the same stock and
//! capacity in an order chosen by urgency with regret: each order is
//! first planned against the untouched state. Orders that can still
//! arrive on time are served first, least slack (promised date minus best
//! expected delivery) first; orders that will be late whatever happens
//! come after them, so they do not take the stock an on-time order
//! needs. Among equal slack the largest regret goes first, where regret
//! is the cost of the runner-up plan the search saw minus the cost of
//! the best (an order with a single workable plan has unbounded regret).
//! Remaining ties go to the earlier placement, then input order. Regret
//! is computed once, not refreshed as stock is taken, which keeps the
//! batch at two searches per order. When an order's turn comes, the
//! winner found against the untouched state is reused if it still
//! prices the same, unless capacity may roll over and the scorer does
//! not promise never to prefer a later delivery
//! ([`Scorer::never_prefers_later`]); then the order is searched again.
//! Either way the outcome is the one [`Router::route`] gives in the
//! same sequence.

use std::cmp::Reverse;
use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use merchantry_core::{LocationId, Sku};
use rust_decimal::Decimal;

use crate::calendar::{Instant, ShipCalendar, instant};
use crate::error::{Result, RouteError};
use crate::model::{Order, OrderLine, RateTier, Speed, Zone, tier_price};
use crate::network::{Inventory, MAX_NODES, Network, NodeIndex};
use crate::plan::{
    CostBreakdown, Infeasibility as Fail, Optimality, Outcome, Package, PackageLine, Plan, Refusal,
    Unroutable, UnroutableReason,
};

/// The most lines one order may have.
pub const MAX_LINES: usize = 64;

/// Options of a [`Router`].
///
/// Defaults: no minimum package value, an exact search up to 4096
/// assignments, no capacity roll-over, late plans allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RouterOptions {
    /// Split rule: when an order ships in more than one package, each
    /// package must carry at least this much merchandise value
    /// (`unit_value` times units).
    pub min_package_value: Option<Decimal>,
    /// The most assignments the exact search enumerates; above it the
    /// bounded search of the [module docs](crate::router) runs, walking
    /// at most `max(exact_limit, 4096)` steps per order line.
    pub exact_limit: u64,
    /// When a node is full on its ship day, how many later working days
    /// may take the package instead (0: the ship day or nothing). When
    /// every day in the window is full, or the window runs past the
    /// working days listed and every listed one is full, the order meets
    /// [`Infeasibility::Capacity`](crate::Infeasibility::Capacity) at
    /// that node.
    pub capacity_roll_days: u32,
    /// Whether a plan that misses the promise is returned (flagged late)
    /// when no plan keeps it; if false such orders are unroutable.
    pub allow_late: bool,
}

impl Default for RouterOptions {
    fn default() -> Self {
        Self { min_package_value: None, exact_limit: 4096, capacity_roll_days: 0, allow_late: true }
    }
}

/// A priced assignment, as a [`Scorer`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Packages (nodes used).
    pub packages: u32,
    /// The plan cost, sum of its parts.
    pub cost: Decimal,
    /// Days past the promise the last package arrives (0 when on time).
    pub days_late: u32,
    /// When the last package arrives.
    pub delivery: NaiveDate,
    /// The sum of the used nodes' priorities.
    pub priority: u64,
    /// Packages from nodes outside the destination's market (0 when the
    /// order names no market).
    pub outside_market: u32,
}

/// Ranks candidate plans; the smallest score wins.
///
/// Any total order will do. Two methods let the router take shortcuts
/// that are only sound for some orders; each defaults to false, which is
/// safe for any scorer, and a scorer that answers true must rank as the
/// method says, or it may be given a plan it would not have picked from
/// them all.
pub trait Scorer {
    /// The ranking key.
    type Score: Ord + Clone;

    /// The score of a candidate.
    fn score(&self, candidate: &Candidate) -> Self::Score;

    /// Whether the score ranks plans by days late first (fewer is
    /// better), then by packages (fewer is better), as the
    /// [`StandardScorer`] does with `packages_first`. When true the
    /// search first leaves out the nodes that cannot arrive by the
    /// promise (or by the earliest date every line can make, when that
    /// is later), and stops at the smallest package count whose best
    /// plan is no later than that. Default: false (every assignment is
    /// looked at).
    fn packages_first(&self) -> bool {
        false
    }

    /// Whether a candidate never scores better (smaller) for arriving
    /// later: moving its `delivery` later, with `days_late` never going
    /// down and every other field the same, never lowers its score. The
    /// [`StandardScorer`] ranks on `days_late` and never on `delivery`
    /// itself, so it says true.
    ///
    /// [`Router::route_batch`] relies on it under capacity roll-over
    /// ([`RouterOptions::capacity_roll_days`] above 0). It plans each
    /// order against the untouched state first and, when the order's
    /// turn comes, reuses that winner if it still prices the same. As
    /// orders before it take stock and capacity, a rival plan either
    /// prices the same, becomes unworkable, or (rolled to a later ship
    /// day) arrives later at the same cost. Only the last can overtake
    /// the winner, and only under a scorer that may prefer a later
    /// delivery; so the winner is reused when this is true or no
    /// roll-over is allowed, and the order is searched again otherwise.
    /// Default: false.
    fn never_prefers_later(&self) -> bool {
        false
    }
}

impl<S: Scorer + ?Sized> Scorer for &S {
    type Score = S::Score;

    fn score(&self, candidate: &Candidate) -> Self::Score {
        (**self).score(candidate)
    }

    fn packages_first(&self) -> bool {
        (**self).packages_first()
    }

    fn never_prefers_later(&self) -> bool {
        (**self).never_prefers_later()
    }
}

/// The default objective.
///
/// With `packages_first` (the default) plans rank by: on time first
/// (then fewest days late), fewest packages, then (optionally) fewest
/// packages from outside the destination's market, then cost plus the
/// split penalty, then the sum of the caller's node priorities. Without
/// it, cost plus the split penalty comes before the package count, so
/// the penalty is what a split must save to be worth making.
///
/// Defaults: packages first, zero split penalty, home market not
/// preferred.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StandardScorer {
    /// Fewest packages before cost.
    pub packages_first: bool,
    /// Added to the cost for each package beyond the first.
    pub split_penalty: Decimal,
    /// Rank plans with fewer packages from outside the destination's
    /// market ahead of cheaper ones.
    pub prefer_home_market: bool,
}

impl Default for StandardScorer {
    fn default() -> Self {
        Self { packages_first: true, split_penalty: Decimal::ZERO, prefer_home_market: false }
    }
}

impl Scorer for StandardScorer {
    type Score = (u32, u32, u32, Decimal, u32, u64);

    fn score(&self, c: &Candidate) -> Self::Score {
        let extra = c.packages.saturating_sub(1);
        let cost = if extra == 0 || self.split_penalty.is_zero() {
            c.cost
        } else {
            let penalty = self.split_penalty.checked_mul(Decimal::from(extra));
            penalty.and_then(|p| c.cost.checked_add(p)).unwrap_or(Decimal::MAX)
        };
        let market = if self.prefer_home_market { c.outside_market } else { 0 };
        if self.packages_first {
            (c.days_late, c.packages, market, cost, 0, c.priority)
        } else {
            (c.days_late, 0, market, cost, c.packages, c.priority)
        }
    }

    fn packages_first(&self) -> bool {
        self.packages_first
    }

    fn never_prefers_later(&self) -> bool {
        true
    }
}

/// Routes orders against a network, holding the stock and capacity that
/// are still free.
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
/// node.costs.per_package = Decimal::new(250, 2);
/// node.costs.rates.insert(Zone(4), vec![RateTier { max_weight_g: 5000, price: Decimal::from(8) }]);
/// node.transit_days.insert((Zone(4), Speed::Standard), 3);
/// let net = Network::new(vec![node], DateRange::starting(day, 30)?)?;
/// let mut stock = Inventory::new(&net);
/// let sku = Sku::new("MUG")?;
/// stock.set(&sku, net.index_of(&LocationId::new("NJ")?).unwrap(), Quantity::new(10));
///
/// let order = Order {
///     id: OrderId::new("112-1")?,
///     lines: vec![OrderLine::new(sku, Quantity::new(2))],
///     zone: Zone(4),
///     market: None,
///     placed_at: Utc.with_ymd_and_hms(2026, 1, 5, 14, 0, 0).unwrap(),
///     promised_by: NaiveDate::from_ymd_opt(2026, 1, 9).unwrap(),
///     speed: Speed::Standard,
///     channel: ChannelId::new("shopify")?,
/// };
/// let mut router = Router::new(&net, stock);
/// let plan = router.route(&order)?.plan().cloned().unwrap();
/// assert_eq!(plan.packages[0].ship_date, day);
/// assert_eq!(plan.cost.total(), Some(Decimal::new(1050, 2)));
/// assert!(!plan.late);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Router<'n, S = StandardScorer> {
    net: &'n Network,
    stock: Inventory,
    used_packages: Vec<Vec<u32>>,
    used_units: Vec<Vec<u64>>,
    options: RouterOptions,
    scorer: S,
    /// The row of each SKU in `stock` (rows are never added while
    /// routing), for lookups without string comparisons.
    rows: hashbrown::HashMap<Sku, usize>,
    /// For each (zone, speed) any node serves: each node's transit days
    /// and rate tiers there, so an order looks its lane up once.
    lanes: BTreeMap<(Zone, Speed), Vec<Lane<'n>>>,
    /// The largest number of decimal places of any fee or rate in the
    /// network, the scale package costs usually have.
    scale: u32,
}

impl<'n> Router<'n, StandardScorer> {
    /// A router with default options and the [`StandardScorer`].
    #[must_use]
    pub fn new(net: &'n Network, stock: Inventory) -> Self {
        Self::with_scorer(net, stock, RouterOptions::default(), StandardScorer::default())
    }
}

impl<'n, S: Scorer> Router<'n, S> {
    /// A router with the given options and scorer.
    #[must_use]
    pub fn with_scorer(
        net: &'n Network,
        stock: Inventory,
        options: RouterOptions,
        scorer: S,
    ) -> Self {
        let days = |i| net.calendar(i).map_or(0, crate::calendar::ShipCalendar::len);
        let n = net.nodes().len();
        let scale = net
            .nodes()
            .iter()
            .flat_map(|node| {
                let c = &node.costs;
                let tiers = c.rates.values().flatten().map(|t| t.price.scale());
                [c.per_package.scale(), c.per_unit.scale()].into_iter().chain(tiers)
            })
            .max()
            .unwrap_or(0);
        let rows = stock.rows().map(|(sku, r)| (sku.clone(), r)).collect();
        let mut lanes: BTreeMap<(Zone, Speed), Vec<Lane<'n>>> = BTreeMap::new();
        for key in net.nodes().iter().flat_map(|node| node.transit_days.keys()) {
            lanes.entry(*key).or_insert_with(|| {
                let lane = |node: &'n crate::model::Node| Lane {
                    transit: node.transit_days.get(key).copied(),
                    tiers: node.costs.rates.get(&key.0).map(Vec::as_slice),
                };
                net.nodes().iter().map(lane).collect()
            });
        }
        Self {
            net,
            stock,
            rows,
            lanes,
            used_packages: (0..n).map(|i| vec![0; days(i)]).collect(),
            used_units: (0..n).map(|i| vec![0; days(i)]).collect(),
            options,
            scorer,
            scale,
        }
    }

    /// The stock still free.
    #[must_use]
    pub fn inventory(&self) -> &Inventory {
        &self.stock
    }

    /// Packages and units already committed at node `idx` on local date
    /// `date` (zero for a day that is not a working day).
    #[must_use]
    pub fn used_capacity(&self, idx: NodeIndex, date: NaiveDate) -> (u32, u64) {
        let Some(slot) = self.net.day_slot(idx.get(), date) else { return (0, 0) };
        let p = self.used_packages.get(idx.get()).and_then(|v| v.get(slot)).copied();
        let u = self.used_units.get(idx.get()).and_then(|v| v.get(slot)).copied();
        (p.unwrap_or(0), u.unwrap_or(0))
    }

    /// Plans `order` against the free stock and capacity without taking
    /// them.
    ///
    /// # Errors
    ///
    /// [`RouteError::EmptyOrder`], [`RouteError::TooManyLines`],
    /// [`RouteError::NonPositiveQuantity`],
    /// [`RouteError::QuantityOverflow`] when the lines' units add up past
    /// `i64::MAX`, [`RouteError::WeightOverflow`] when the order's weight
    /// passes `u64::MAX` grams, [`RouteError::OutsideHorizon`].
    pub fn plan(&self, order: &Order) -> Result<Outcome> {
        let ctx = self.context(order)?;
        Ok(self.decide(&ctx))
    }

    /// Plans `order` and takes the stock and capacity its plan uses.
    ///
    /// The router keeps no record of the orders it routed: routing the
    /// same order again (a retry after a timeout, say) plans it anew and
    /// takes its stock and capacity a second time. A caller that may
    /// repeat an order keeps the plans it got by order id, or reserves
    /// through `merchantry-allocate`, which refuses a repeated line.
    ///
    /// # Errors
    ///
    /// As [`Router::plan`]; on error nothing is taken.
    pub fn route(&mut self, order: &Order) -> Result<Outcome> {
        let outcome = self.plan(order)?;
        if let Outcome::Routed(plan) = &outcome {
            self.commit(plan)?;
        }
        Ok(outcome)
    }

    /// Routes many orders competing for the same stock and capacity, in
    /// the urgency-and-regret order described in the [module
    /// docs](crate::router). Outcomes come back in input order, each the
    /// one [`Router::route`] would give in that sequence.
    ///
    /// Each order's winner against the untouched state is reused when
    /// its turn comes if it still prices the same: taking stock and
    /// capacity for earlier orders can only make a rival plan unworkable
    /// or, with [`RouterOptions::capacity_roll_days`] above 0, arrive
    /// later. That reuse assumes the scorer never ranks a plan higher for
    /// arriving later, so it happens only when no roll-over is allowed or
    /// [`Scorer::never_prefers_later`] says so (the [`StandardScorer`]
    /// does); otherwise the order is searched again, a second search.
    ///
    /// # Errors
    ///
    /// Any error of [`Router::plan`] for any order, or
    /// [`RouteError::DuplicateOrder`]; every order is checked before any
    /// is routed, so on error nothing is taken.
    pub fn route_batch(&mut self, orders: &[Order]) -> Result<Vec<Outcome>> {
        let (sequence, mut cache) = self.schedule(orders)?;
        let mut out: Vec<Option<Outcome>> = vec![None; orders.len()];
        for i in sequence {
            let (Some(order), Some(cached)) = (orders.get(i), cache.get_mut(i)) else { continue };
            let outcome = self.route_cached(order, cached.take())?;
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(outcome);
            }
        }
        Ok(out.into_iter().flatten().collect())
    }

    /// The order in which [`Router::route_batch`] would serve `orders`
    /// against the current state, as input positions. Routing them one by
    /// one with [`Router::route`] in this order gives the same outcomes
    /// as the batch.
    ///
    /// # Errors
    ///
    /// As [`Router::route_batch`].
    pub fn batch_order(&self, orders: &[Order]) -> Result<Vec<usize>> {
        Ok(self.schedule(orders)?.0)
    }

    /// The serving sequence and each order's exact winner against the
    /// current state.
    #[expect(clippy::type_complexity, reason = "private pairing of sequence and cache")]
    fn schedule(
        &self,
        orders: &[Order],
    ) -> Result<(Vec<usize>, Vec<Option<(Candidate, Vec<u8>)>>)> {
        let mut ids: Vec<_> = orders.iter().map(|o| &o.id).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(RouteError::DuplicateOrder { order: w[0].clone() });
        }
        let mut keys = Vec::with_capacity(orders.len());
        let mut cache = Vec::with_capacity(orders.len());
        for (i, order) in orders.iter().enumerate() {
            let ctx = self.context(order)?;
            let (slack, regret, best) = self.urgency(&ctx);
            keys.push((slack < 0, slack, Reverse(regret), order.placed_at, i));
            cache.push(best);
        }
        keys.sort_unstable();
        Ok((keys.into_iter().map(|k| k.4).collect(), cache))
    }

    /// Prices one given assignment (the node of each line, in line
    /// order) against the free stock and capacity, without taking them.
    /// Tests use it to enumerate exact optima.
    ///
    /// # Errors
    ///
    /// As [`Router::plan`], and [`RouteError::InvalidAssignment`] when the
    /// assignment's length differs from the order's line count or names a
    /// node outside the network.
    pub fn evaluate(&self, order: &Order, assignment: &[NodeIndex]) -> Result<Outcome> {
        let ctx = self.context(order)?;
        if assignment.len() != order.lines.len() {
            return Err(invalid(order, "length differs from the number of lines"));
        }
        if assignment.iter().any(|a| a.get() >= self.net.nodes().len()) {
            return Err(invalid(order, "names a node outside the network"));
        }
        let assign: Vec<u8> = assignment.iter().map(|a| a.0).collect();
        let lines = ctx.lines.iter().zip(&order.lines).zip(&assign);
        for (i, ((line, order_line), &a)) in lines.enumerate() {
            if line.mask & (1 << a) == 0 {
                return Ok(Outcome::Unroutable(self.line_reason(&ctx, i, order_line, Some(a))));
            }
        }
        Ok(match self.build(&ctx, &assign, Optimality::Assigned) {
            Ok(plan) => Outcome::Routed(plan),
            Err(fail) => self.unroutable(&ctx, fail),
        })
    }

    /// Takes the stock and capacity a plan uses.
    ///
    /// # Errors
    ///
    /// [`RouteError::NonPositiveQuantity`], [`RouteError::EmptyPackage`],
    /// [`RouteError::PackageUnitsMismatch`],
    /// [`RouteError::DuplicatePackage`], [`RouteError::DuplicatePlanLine`]
    /// or [`RouteError::PlanWeightOverflow`] when the plan is one no
    /// router makes (a line of zero or fewer units, a package with no line
    /// or whose `units` is not the sum of its lines, two packages from one
    /// node, a line listed twice, weights past `u64` together: an edited
    /// plan),
    /// [`RouteError::EmptyPlan`] when it has no package (it would take
    /// nothing; no order the router accepts has no line),
    /// [`RouteError::UnknownNode`] when a package names a node outside the
    /// network, [`RouteError::NotAShipDay`] when a package's ship date is
    /// not one of its node's working days within the planning horizon
    /// (a weekend, a holiday, or past the days listed),
    /// [`RouteError::StalePlan`] when the stock or capacity is no
    /// longer free. Nothing is taken on error.
    ///
    /// A plan carries no unit weights, so its package weights cannot be
    /// held against the order here; [`Plan::check`] does that, given the
    /// order.
    pub fn commit(&mut self, plan: &Plan) -> Result<()> {
        plan.check_shape()?;
        let mut takes: Vec<(usize, usize, i64, &LocationId)> = Vec::new();
        let mut slots = Vec::with_capacity(plan.packages.len());
        for pkg in &plan.packages {
            let node = self.commit_node(plan, pkg)?;
            let slot = self
                .net
                .day_slot(node, pkg.ship_date)
                .ok_or_else(|| self.not_a_ship_day(plan, pkg, node))?;
            if !self.has_room(node, slot, pkg.units) {
                return Err(stale(plan, pkg, "capacity"));
            }
            slots.push((node, slot, pkg.units));
            for line in &pkg.lines {
                let row = self.stock.sku_row(&line.sku).ok_or_else(|| stale(plan, pkg, "stock"))?;
                takes.push((row, node, line.quantity.get(), &pkg.node));
            }
        }
        takes.sort_unstable_by_key(|&(row, node, _, _)| (row, node));
        let mut merged: Vec<(usize, usize, i64, &LocationId)> = Vec::with_capacity(takes.len());
        for (row, node, qty, id) in takes {
            match merged.last_mut() {
                Some(last) if last.0 == row && last.1 == node => {
                    // A sum past i64 cannot be held anywhere: the plan
                    // asks for more stock than exists.
                    last.2 = last.2.checked_add(qty).ok_or_else(|| RouteError::StalePlan {
                        order: plan.order.clone(),
                        node: id.clone(),
                        what: "stock",
                    })?;
                }
                _ => merged.push((row, node, qty, id)),
            }
        }
        if let Some(&(_, _, _, id)) =
            merged.iter().find(|&&(row, node, qty, _)| self.stock.at(row, node) < qty)
        {
            return Err(RouteError::StalePlan {
                order: plan.order.clone(),
                node: id.clone(),
                what: "stock",
            });
        }
        for (row, node, qty, _) in merged {
            self.stock.take(row, node, qty);
        }
        for (node, slot, units) in slots {
            if let Some(p) = self.used_packages.get_mut(node).and_then(|v| v.get_mut(slot)) {
                *p = p.saturating_add(1);
            }
            if let Some(u) = self.used_units.get_mut(node).and_then(|v| v.get_mut(slot)) {
                *u = u.saturating_add(units);
            }
        }
        Ok(())
    }

    fn commit_node(&self, plan: &Plan, pkg: &Package) -> Result<usize> {
        match self.net.index_of(&pkg.node) {
            Some(idx) if idx == pkg.node_index => Ok(idx.get()),
            _ => Err(RouteError::UnknownNode { order: plan.order.clone(), node: pkg.node.clone() }),
        }
    }

    /// Why `pkg`'s ship date has no slot in node `node`'s calendar.
    fn not_a_ship_day(&self, plan: &Plan, pkg: &Package, node: usize) -> RouteError {
        RouteError::NotAShipDay {
            order: plan.order.clone(),
            node: pkg.node.clone(),
            ship_date: pkg.ship_date,
            why: self.net.why_not_a_ship_day(node, pkg.ship_date),
        }
    }

    fn has_room(&self, node: usize, slot: usize, units: u64) -> bool {
        let Some(cap) = self.net.nodes().get(node).map(|n| n.capacity) else { return false };
        let used_p = self.used_packages.get(node).and_then(|v| v.get(slot)).copied().unwrap_or(0);
        let used_u = self.used_units.get(node).and_then(|v| v.get(slot)).copied().unwrap_or(0);
        let p_ok = cap.packages_per_day.is_none_or(|c| used_p < c);
        let u_ok = cap.units_per_day.is_none_or(|c| used_u.saturating_add(units) <= c);
        p_ok && u_ok
    }

    fn context<'o>(&'o self, order: &'o Order) -> Result<Ctx<'o>> {
        validate(self.net, order)?;
        let placed = instant(order.placed_at);
        let lanes = self.lanes.get(&(order.zone, order.speed));
        let nodes: Vec<NodeState<'o>> = self
            .net
            .nodes()
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let lane = lanes.and_then(|l| l.get(i)).copied().unwrap_or_default();
                self.node_state(i, node, order, placed, lane)
            })
            .collect();
        let mut dup = false;
        let mut lines = Vec::with_capacity(order.lines.len());
        for (i, line) in order.lines.iter().enumerate() {
            let row = self.rows.get(&line.sku).copied();
            dup |= order.lines.iter().take(i).any(|l| l.sku == line.sku);
            let mut mask = 0u64;
            if let Some(row) = row {
                for (n, state) in nodes.iter().enumerate() {
                    let ok = matches!(state, NodeState::Open { .. })
                        && self.stock.at(row, n) >= line.quantity.get()
                        && self.line_refusal(n, line).is_none();
                    if ok {
                        mask |= 1 << n;
                    }
                }
            }
            // Checked by `validate`: the order's weight fits in u64.
            let weight = line.unit_weight_g.saturating_mul(line.quantity.get().unsigned_abs());
            let value = crate::money::mul(line.unit_value, line.quantity.get().unsigned_abs());
            lines.push(LineCtx { row, qty: line.quantity.get(), weight, value, mask });
        }
        // Package values matter only to the minimum-value rule, or when
        // some subset of lines could overflow them (the sum of their
        // magnitudes overflows), which makes those packages fail.
        let magnitude =
            lines.iter().try_fold(Decimal::ZERO, |s, l| crate::money::add(s, l.value?.abs()));
        let track_value = self.options.min_package_value.is_some() || magnitude.is_none();
        Ok(Ctx {
            order,
            promised_day: order.promised_by.num_days_from_ce(),
            nodes,
            lines,
            dup,
            track_value,
        })
    }

    fn node_state<'o>(
        &'o self,
        i: usize,
        node: &'o crate::model::Node,
        order: &Order,
        placed: Instant,
        lane: Lane<'o>,
    ) -> NodeState<'o> {
        if node.eligibility.excluded_channels.contains(&order.channel) {
            return NodeState::Closed(Refusal::Channel);
        }
        let Some(transit) = lane.transit else {
            return NodeState::Closed(Refusal::NoService);
        };
        let Some(tiers) = lane.tiers else {
            return NodeState::Closed(Refusal::NoRate);
        };
        let cal = self.net.calendar(i);
        let first = cal
            .and_then(|c| c.first_catchable(placed))
            .and_then(|f| f.checked_add(node.handling_days as usize));
        let Some((first, day)) = first.and_then(|f| Some((f, cal?.day(f)?))) else {
            return NodeState::Closed(Refusal::NoShipDay);
        };
        match day.checked_add_days(Days::new(u64::from(transit))) {
            Some(arrive) => NodeState::Open { first, arrive, transit, tiers },
            None => NodeState::Closed(Refusal::DeliveryOutOfRange),
        }
    }

    fn line_refusal(&self, node: usize, line: &OrderLine) -> Option<Refusal> {
        let elig = &self.net.nodes().get(node)?.eligibility;
        if line.hazmat && !elig.hazmat {
            return Some(Refusal::Hazmat);
        }
        let too_long = elig.max_side_mm.is_some_and(|m| line.dims.longest_side() > m);
        let too_heavy = elig.max_unit_weight_g.is_some_and(|m| line.unit_weight_g > m);
        (too_long || too_heavy).then_some(Refusal::Oversize)
    }

    /// The outcome for a context, plus the runner-up candidate.
    fn decide(&self, ctx: &Ctx<'_>) -> Outcome {
        let empty =
            ctx.lines.iter().zip(&ctx.order.lines).enumerate().find(|(_, (l, _))| l.mask == 0);
        if let Some((i, (_, line))) = empty {
            return Outcome::Unroutable(self.line_reason(ctx, i, line, None));
        }
        let found = self.search(ctx, false);
        let Some((_, best, assign)) = found.best else {
            let fail = match found.limit {
                Some(steps) => Fail::SearchLimit { steps },
                None => found.first_fail.unwrap_or(Fail::CostOverflow),
            };
            return self.unroutable(ctx, fail);
        };
        let optimality = match found.spent {
            Some(steps) => Optimality::BestWithinBudget { steps },
            None => Optimality::Proven,
        };
        self.finish(ctx, &best, &assign, optimality)
    }

    /// The outcome for the winning assignment.
    fn finish(
        &self,
        ctx: &Ctx<'_>,
        best: &Candidate,
        assign: &[u8],
        optimality: Optimality,
    ) -> Outcome {
        if best.days_late > 0 && !self.options.allow_late {
            let reason = UnroutableReason::Late { expected: best.delivery };
            return Outcome::Unroutable(Unroutable { order: ctx.order.id.clone(), reason });
        }
        match self.build(ctx, assign, optimality) {
            Ok(plan) => Outcome::Routed(plan),
            Err(fail) => self.unroutable(ctx, fail),
        }
    }

    /// Slack and regret of an order against the current state, and its
    /// best assignment when the exact search found it.
    fn urgency(&self, ctx: &Ctx<'_>) -> (i64, Decimal, Option<(Candidate, Vec<u8>)>) {
        if ctx.lines.iter().any(|l| l.mask == 0) {
            return (i64::MIN, Decimal::MAX, None);
        }
        let found = self.search(ctx, true);
        let Some((_, best, assign)) = found.best else { return (i64::MIN, Decimal::MAX, None) };
        let slack = (ctx.order.promised_by - best.delivery).num_days();
        let regret = match found.runner_up {
            Some((_, r)) if r.days_late == 0 || best.days_late > 0 => {
                r.cost.checked_sub(best.cost).unwrap_or(Decimal::MAX)
            }
            _ => Decimal::MAX,
        };
        (slack, regret, found.exact.then_some((best, assign)))
    }

    /// Routes one batch order, reusing the assignment found against the
    /// untouched state when it still prices the same. Stock and capacity
    /// only shrink during a batch, so every other assignment prices the
    /// same, fails, or (rolled to a later day by capacity) arrives later
    /// at the same cost: an unchanged exact winner is still the winner
    /// when nothing can roll, or when the scorer never prefers a later
    /// delivery ([`Scorer::never_prefers_later`]). Otherwise the order
    /// is searched again.
    fn route_cached(
        &mut self,
        order: &Order,
        cached: Option<(Candidate, Vec<u8>)>,
    ) -> Result<Outcome> {
        let sound = self.options.capacity_roll_days == 0 || self.scorer.never_prefers_later();
        let outcome = {
            let ctx = self.context(order)?;
            let reuse = cached.filter(|_| sound).filter(|(cand, assign)| {
                let fits = ctx.lines.iter().zip(assign).all(|(l, &a)| l.mask & (1 << a) != 0);
                fits && self.price_lean(&ctx, assign, &mut Work::default()).ok().as_ref()
                    == Some(cand)
            });
            match reuse {
                // Only the exhaustive enumeration's winners are cached.
                Some((cand, assign)) => self.finish(&ctx, &cand, &assign, Optimality::Proven),
                None => self.decide(&ctx),
            }
        };
        if let Outcome::Routed(plan) = &outcome {
            self.commit(plan)?;
        }
        Ok(outcome)
    }

    /// The best assignment, and the runner-up when `runner` is true
    /// (only batch scheduling reads it).
    fn search(&self, ctx: &Ctx<'_>, runner: bool) -> Found<S::Score> {
        let masks: Vec<u64> = ctx.lines.iter().map(|l| l.mask).collect();
        // A package depends only on its node and the set of lines it
        // carries (stock and capacity do not change during one order's
        // search), so small orders price each (node, line set) once.
        let mut work = Work::default();
        if ctx.lines.len() <= MEMO_MAX_LINES {
            work.memo = vec![0; self.net.nodes().len() << ctx.lines.len()];
        }
        if self.scorer.packages_first() {
            // Nodes that cannot arrive by the target (the promise, or the
            // earliest date every line can make if that is later) can only
            // make a plan later than one that uses none of them, so they
            // are left out first. When capacity spoils that, the full
            // search below runs.
            let target = ctx.target();
            let goal = days_late(target, ctx.order.promised_by);
            let reach = ctx.reaching(target);
            let narrow: Vec<u64> = masks.iter().map(|m| m & reach).collect();
            let found = self.search_masks(ctx, &narrow, goal, runner, &mut work);
            if found.best.as_ref().is_some_and(|b| b.1.days_late <= goal) {
                return found;
            }
        }
        self.search_masks(ctx, &masks, 0, runner, &mut work)
    }

    /// Searches assignments over per-line node masks. With a
    /// packages-first scorer it goes up one package count at a time and
    /// stops at the first count whose best plan is at most `goal` days
    /// late.
    fn search_masks(
        &self,
        ctx: &Ctx<'_>,
        masks: &[u64],
        goal: u32,
        runner: bool,
        work: &mut Work,
    ) -> Found<S::Score> {
        let mut found = Found {
            best: None,
            runner_up: None,
            first_fail: None,
            exact: true,
            limit: None,
            spent: None,
            runner,
        };
        let stop = |f: &Found<S::Score>| {
            self.scorer.packages_first() && f.best.as_ref().is_some_and(|b| b.1.days_late <= goal)
        };
        let n_lines = masks.len();
        let singles = masks.iter().fold(u64::MAX, |m, l| m & l);
        let mut assign = vec![0u8; n_lines];
        for node in bits(singles) {
            assign.fill(node);
            self.consider(ctx, &assign, &mut found, work);
        }
        if stop(&found) || n_lines == 1 {
            return found;
        }
        let lists: Vec<Vec<u8>> = masks.iter().map(|&m| bits(m)).collect();
        let count = lists.iter().try_fold(1u64, |acc, l| acc.checked_mul(l.len() as u64));
        if count.is_some_and(|c| c <= self.options.exact_limit) {
            if self.scorer.packages_first() {
                for k in 2..=u32::try_from(n_lines).unwrap_or(u32::MAX) {
                    self.enumerate(ctx, &lists, Some(k), &mut found, work);
                    if stop(&found) {
                        break;
                    }
                }
            } else {
                self.enumerate(ctx, &lists, None, &mut found, work);
            }
        } else {
            found.exact = false;
            self.bounded(ctx, masks, goal, &mut found, work);
        }
        found
    }

    /// The search for orders past the exact limit: the same assignments
    /// as the enumeration, package count by package count, walked depth
    /// first and cut wherever a package already breaks its node's stock
    /// (lines of one SKU together), heaviest rate tier or capacity. Those
    /// only grow as lines are added, so the cuts lose no workable plan:
    /// a walk that ends within its budget is exact. Lines go most
    /// constrained (fewest nodes), then heaviest, first; each tries the
    /// nodes already used, then the others, by most lines they can take,
    /// the caller's priority and index.
    fn bounded(
        &self,
        ctx: &Ctx<'_>,
        masks: &[u64],
        goal: u32,
        found: &mut Found<S::Score>,
        work: &mut Work,
    ) {
        let nodes = self.net.nodes();
        let union = masks.iter().fold(0u64, |m, l| m | l);
        let mut rank = bits(union);
        rank.sort_by_key(|&n| {
            let takes = masks.iter().filter(|&&m| m & (1 << n) != 0).count();
            let priority = nodes.get(usize::from(n)).map_or(u32::MAX, |x| x.priority);
            (Reverse(takes), priority, n)
        });
        let mut seq: Vec<usize> = (0..masks.len()).collect();
        seq.sort_by_key(|&i| {
            let line = ctx.lines.get(i);
            let (weight, qty) = line.map_or((0, 0), |l| (l.weight, l.qty));
            let choices = masks.get(i).map_or(0, |m| m.count_ones());
            (choices, Reverse(weight), Reverse(qty), i)
        });
        let lists = seq
            .iter()
            .map(|&i| {
                let mask = masks.get(i).copied().unwrap_or(0);
                rank.iter().copied().filter(|&n| mask & (1 << n) != 0).collect()
            })
            .collect();
        // What the lines from each walk position on still weigh and count.
        let mut rest = vec![(0u64, 0u64); seq.len() + 1];
        for (pos, &i) in seq.iter().enumerate().rev() {
            let (w, u) = ctx.lines.get(i).map_or((0, 0), |l| (l.weight, l.qty.unsigned_abs()));
            let after = rest.get(pos + 1).copied().unwrap_or((0, 0));
            if let Some(r) = rest.get_mut(pos) {
                *r = (after.0.saturating_add(w), after.1.saturating_add(u));
            }
        }
        let limits: Vec<NodeLimit> = (0..nodes.len())
            .map(|n| match union & (1 << n) {
                0 => NodeLimit::CLOSED,
                _ => self.node_limit(ctx, n),
            })
            .collect();
        let widest = limits.iter().fold((0u64, 0u64), |m, l| {
            (m.0.max(l.weight.unwrap_or(0)), m.1.max(*l.units.as_ref().unwrap_or(&0)))
        });
        let lines = u64::try_from(masks.len()).unwrap_or(u64::MAX);
        let total = self.options.exact_limit.max(BOUNDED_MIN_STEPS).saturating_mul(lines);
        let mut dive = Dive {
            seq,
            rank,
            lists,
            rest,
            widest,
            packages: 0,
            assign: vec![0; masks.len()],
            load: vec![(0, 0); nodes.len()],
            limits,
            steps: 0,
            budget: 0,
            out: false,
        };
        let most = union.count_ones().min(u32::try_from(masks.len()).unwrap_or(u32::MAX));
        let mut ran_out = false;
        let hashed = work.memo.is_empty();
        if hashed {
            work.evals.clear();
            work.hashed = Some(hashbrown::HashMap::new());
        }
        for k in 2..=most {
            // Each package count may spend half the steps left (the last
            // all of them), so a count that cannot be settled quickly
            // leaves room to find a plan with more packages.
            let left = total.saturating_sub(dive.steps);
            dive.budget = dive.steps.saturating_add(if k == most { left } else { left / 2 });
            dive.packages = k;
            dive.out = false;
            match self.count_can_fit(ctx, &dive, union, k) {
                Ok(()) => {
                    self.dive(ctx, &mut dive, 0, 0, found, work);
                }
                Err(snag) => {
                    if found.first_fail.is_none() {
                        found.first_fail = Some(self.name(ctx, snag));
                    }
                }
            }
            ran_out |= dive.out;
            let done = self.scorer.packages_first()
                && found.best.as_ref().is_some_and(|b| b.1.days_late <= goal);
            if done {
                break;
            }
            if dive.steps >= total {
                // Package counts above `k` were never walked.
                ran_out |= k < most;
                break;
            }
        }
        if hashed {
            work.hashed = None;
            work.evals.clear();
        }
        if ran_out {
            found.spent = Some(dive.steps);
            if found.best.is_none() {
                found.limit = Some(dive.steps);
            }
        }
    }

    /// Assigns walk position `depth` each workable node in turn (`used`
    /// being the nodes taken so far) and prices each complete assignment
    /// with exactly `dive.packages` nodes. False once the budget is spent.
    fn dive(
        &self,
        ctx: &Ctx<'_>,
        dive: &mut Dive,
        depth: usize,
        used: u64,
        found: &mut Found<S::Score>,
        work: &mut Work,
    ) -> bool {
        if dive.steps >= dive.budget {
            dive.out = true;
            return false;
        }
        dive.steps += 1;
        let (Some(&line), Some(tries)) = (dive.seq.get(depth), dive.lists.get(depth).map(Vec::len))
        else {
            if used.count_ones() == dive.packages {
                let lines = u64::try_from(dive.seq.len()).unwrap_or(u64::MAX);
                dive.steps = dive.steps.saturating_add(lines);
                self.consider(ctx, &dive.assign, found, work);
            }
            return true;
        };
        let left = u32::try_from(dive.seq.len().saturating_sub(depth + 1)).unwrap_or(u32::MAX);
        let count = used.count_ones();
        if let Err(heavy) = room_left(dive, depth, used, count) {
            if found.first_fail.is_none() {
                found.first_fail = Some(self.name(ctx, cut_snag(dive, used, heavy)));
            }
            return true;
        }
        let Some(l) = ctx.lines.get(line) else { return true };
        let (weight, units) = (l.weight, l.qty.unsigned_abs());
        // Nodes already used first (no new package), then new ones.
        for reuse in [true, false] {
            for i in 0..tries {
                let Some(&node) = dive.lists.get(depth).and_then(|l| l.get(i)) else { break };
                let bit = 1u64 << node;
                if (used & bit != 0) != reuse {
                    continue;
                }
                let d = count + u32::from(!reuse);
                if d > dive.packages || d.saturating_add(left) < dive.packages {
                    continue;
                }
                // Each node tried is a step too, so a wide network cannot
                // multiply the work behind one step.
                dive.steps = dive.steps.saturating_add(1);
                if let Err(snag) = self.fits(ctx, dive, depth, line, node) {
                    if found.first_fail.is_none() {
                        found.first_fail = Some(self.name(ctx, snag));
                    }
                    continue;
                }
                let n = usize::from(node);
                if let Some(load) = dive.load.get_mut(n) {
                    load.0 = load.0.saturating_add(weight);
                    load.1 = load.1.saturating_add(units);
                }
                if let Some(a) = dive.assign.get_mut(line) {
                    *a = node;
                }
                let go = self.dive(ctx, dive, depth + 1, used | bit, found, work);
                if let Some(load) = dive.load.get_mut(n) {
                    load.0 = load.0.saturating_sub(weight);
                    load.1 = load.1.saturating_sub(units);
                }
                if !go {
                    return false;
                }
            }
        }
        true
    }

    /// Whether `k` packages could carry the whole order at all: its
    /// weight and units within the `k` largest top tiers and unit rooms,
    /// and each repeated SKU within the `k` largest stocks of it. A cheap
    /// test that settles hopeless package counts before any walk. A
    /// count it settles gives its obstacle: short of units, capacity at
    /// the first node in walk rank that can take no package, or else at
    /// the first node in walk rank; short of weight, overweight there; a
    /// repeated SKU short of stock, stock for its first line.
    fn count_can_fit(&self, ctx: &Ctx<'_>, dive: &Dive, union: u64, k: u32) -> Result<(), Snag> {
        let k = k as usize;
        let top_k = |mut v: Vec<u64>| {
            v.sort_unstable_by(|a, b| b.cmp(a));
            v.iter().take(k).fold(0u64, |s, x| s.saturating_add(*x))
        };
        let (weight, units) = dive.rest.first().copied().unwrap_or((0, 0));
        let nodes: Vec<usize> = bits(union).into_iter().map(usize::from).collect();
        let limits = nodes.iter().filter_map(|&n| dive.limits.get(n));
        let tops = top_k(limits.clone().map(|l| l.weight.unwrap_or(0)).collect());
        let rooms = top_k(limits.map(|l| *l.units.as_ref().unwrap_or(&0)).collect());
        if units > rooms {
            return Err(cut_snag(dive, 0, None));
        }
        if weight > tops {
            return Err(cut_snag(dive, 0, Some(weight)));
        }
        if !ctx.dup {
            return Ok(());
        }
        let mut rows: Vec<(usize, i64)> = Vec::new();
        for line in &ctx.lines {
            let Some(row) = line.row else { continue };
            match rows.iter_mut().find(|r| r.0 == row) {
                Some(r) => r.1 = r.1.saturating_add(line.qty),
                None => rows.push((row, line.qty)),
            }
        }
        let short = rows.iter().find(|&&(row, qty)| {
            let held = nodes.iter().map(|&n| self.stock.at(row, n).max(0).unsigned_abs());
            u64::try_from(qty).is_ok_and(|q| q > top_k(held.collect()))
        });
        match short.and_then(|&(row, _)| ctx.lines.iter().position(|l| l.row == Some(row))) {
            Some(line) => Err(Snag::Stock(line)),
            None => Ok(()),
        }
    }

    /// Whether line `line`, at walk position `depth`, still fits node
    /// `node`'s package with the lines already placed there: the weight
    /// within the heaviest rate tier, the units within the most room any
    /// allowed ship day has, and lines of one SKU within the node's stock.
    fn fits(
        &self,
        ctx: &Ctx<'_>,
        dive: &Dive,
        depth: usize,
        line: usize,
        node: u8,
    ) -> Result<(), Snag> {
        let n = usize::from(node);
        let Some(l) = ctx.lines.get(line) else { return Err(Snag::Overflow) };
        let limit = dive.limits.get(n).copied().unwrap_or(NodeLimit::CLOSED);
        let (weight, units) = dive.load.get(n).copied().unwrap_or((0, 0));
        let weight = weight.saturating_add(l.weight);
        if limit.weight.is_none_or(|top| weight > top) {
            return Err(Snag::Overweight(node, weight));
        }
        let units = units.saturating_add(l.qty.unsigned_abs());
        match limit.units {
            Err(slot) => return Err(slot.at(node)),
            Ok(room) if units > room => return Err(Snag::Capacity(node)),
            Ok(_) => {}
        }
        if let (true, Some(row)) = (ctx.dup, l.row) {
            let placed = dive.seq.get(..depth).unwrap_or_default().iter().filter(|&&j| {
                dive.assign.get(j) == Some(&node)
                    && ctx.lines.get(j).is_some_and(|o| o.row == Some(row))
            });
            let together = placed
                .filter_map(|&j| ctx.lines.get(j))
                .fold(l.qty, |s, o| s.saturating_add(o.qty));
            if self.stock.at(row, n) < together {
                return Err(Snag::Stock(line));
            }
        }
        Ok(())
    }

    /// What one package from node `n` may carry for this order.
    fn node_limit(&self, ctx: &Ctx<'_>, n: usize) -> NodeLimit {
        let (Some(NodeState::Open { first, tiers, .. }), Some(cal)) =
            (ctx.nodes.get(n), self.net.calendar(n))
        else {
            return NodeLimit::CLOSED;
        };
        let weight = tiers.last().map(|t| t.max_weight_g);
        let cap = self.net.nodes().get(n).map(|x| x.capacity).unwrap_or_default();
        let last = first.saturating_add(self.options.capacity_roll_days as usize);
        let mut room: Option<u64> = None;
        let mut fail = SlotFail::Capacity;
        for slot in *first..=last {
            if slot >= cal.len() {
                // Only a node with no listed day from the first at all
                // has no ship day; days listed but full are capacity.
                if slot == *first {
                    fail = SlotFail::NoShipDay;
                }
                break;
            }
            let used_p = self.used_packages.get(n).and_then(|v| v.get(slot)).copied().unwrap_or(0);
            if cap.packages_per_day.is_some_and(|c| used_p >= c) {
                continue;
            }
            let used_u = self.used_units.get(n).and_then(|v| v.get(slot)).copied().unwrap_or(0);
            let free = cap.units_per_day.map_or(u64::MAX, |c| c.saturating_sub(used_u));
            room = Some(room.map_or(free, |r| r.max(free)));
        }
        NodeLimit { weight, units: room.ok_or(fail) }
    }

    /// Prices every assignment over `lists` using exactly `packages`
    /// nodes (or any number above one when `None`), in odometer order
    /// (last line fastest): a depth-first walk that skips the branches
    /// which cannot end with that many nodes.
    fn enumerate(
        &self,
        ctx: &Ctx<'_>,
        lists: &[Vec<u8>],
        packages: Option<u32>,
        found: &mut Found<S::Score>,
        work: &mut Work,
    ) {
        if lists.iter().any(Vec::is_empty) {
            return;
        }
        let mut walk = Walk { lists, packages, assign: vec![0u8; lists.len()] };
        self.descend(ctx, &mut walk, 0, 0, found, work);
    }

    /// Assigns line `depth` each of its nodes in turn, `used` being the
    /// nodes the earlier lines took, and prices each complete assignment.
    fn descend(
        &self,
        ctx: &Ctx<'_>,
        walk: &mut Walk<'_>,
        depth: usize,
        used: u64,
        found: &mut Found<S::Score>,
        work: &mut Work,
    ) {
        let Some(list) = walk.lists.get(depth) else {
            let n = used.count_ones();
            if walk.packages.map_or(n > 1, |k| n == k) {
                self.consider(ctx, &walk.assign, found, work);
            }
            return;
        };
        // Lines after this one, each able to add at most one node.
        let left = walk.lists.len().saturating_sub(depth + 1);
        let left = u32::try_from(left).unwrap_or(u32::MAX);
        let count = used.count_ones();
        for &node in list {
            let next = used | 1 << node;
            if let Some(k) = walk.packages {
                let d = count + u32::from(next != used);
                if d > k || d.saturating_add(left) < k {
                    continue;
                }
            }
            if let Some(a) = walk.assign.get_mut(depth) {
                *a = node;
            }
            self.descend(ctx, walk, depth + 1, next, found, work);
        }
    }

    fn consider(&self, ctx: &Ctx<'_>, assign: &[u8], found: &mut Found<S::Score>, work: &mut Work) {
        match self.price_lean(ctx, assign, work) {
            Ok(cand) => {
                let score = self.scorer.score(&cand);
                match &mut found.best {
                    Some(b) if score >= b.0 => {
                        if found.runner && found.runner_up.as_ref().is_none_or(|r| score < r.0) {
                            found.runner_up = Some((score, cand));
                        }
                    }
                    Some(b) => {
                        let old_score = std::mem::replace(&mut b.0, score);
                        let old = std::mem::replace(&mut b.1, cand);
                        b.2.clear();
                        b.2.extend_from_slice(assign);
                        found.runner_up = Some((old_score, old));
                    }
                    None => found.best = Some((score, cand, assign.to_vec())),
                }
            }
            Err(miss) => {
                if found.first_fail.is_none() {
                    found.first_fail = Some(self.resolve(ctx, miss));
                }
            }
        }
    }

    /// The obstacle a failed lean pricing met.
    fn resolve(&self, ctx: &Ctx<'_>, miss: Miss) -> Fail {
        match miss {
            Miss::Overflow => Fail::CostOverflow,
            Miss::At(snag) => self.name(ctx, snag),
            Miss::Below { node, value } => {
                let node = self.net.nodes().get(usize::from(node));
                node.map_or(Fail::CostOverflow, |n| Fail::BelowMinimumValue {
                    node: n.id.clone(),
                    value,
                })
            }
        }
    }

    /// The obstacle `snag` with its node's id or its line's SKU.
    fn name(&self, ctx: &Ctx<'_>, snag: Snag) -> Fail {
        let id = |n: u8| self.net.nodes().get(usize::from(n)).map(|x| x.id.clone());
        let named = match snag {
            Snag::Capacity(n) => id(n).map(|node| Fail::Capacity { node }),
            Snag::NoShipDay(n) => id(n).map(|node| Fail::NoShipDay { node }),
            Snag::DeliveryOutOfRange(n) => id(n).map(|node| Fail::DeliveryOutOfRange { node }),
            Snag::Overweight(n, weight_g) => id(n).map(|node| Fail::Overweight { node, weight_g }),
            Snag::Stock(line) => {
                ctx.order.lines.get(line).map(|l| Fail::Stock { line, sku: l.sku.clone() })
            }
            Snag::Overflow => None,
        };
        named.unwrap_or(Fail::CostOverflow)
    }

    /// Prices one assignment for the search: the same candidate as
    /// [`Router::price`], from memoised package summaries, and with the
    /// obstacle left unresolved until someone asks for it.
    fn price_lean(&self, ctx: &Ctx<'_>, assign: &[u8], work: &mut Work) -> Result<Candidate, Miss> {
        // Each node's set of lines, in one pass over the assignment.
        let mut sets = [0u64; MAX_NODES];
        let mut used = 0u64;
        for (i, &a) in (0u32..).zip(assign) {
            if let Some(set) = sets.get_mut(usize::from(a)) {
                *set |= 1 << i;
            }
            used |= 1 << a;
        }
        let packages = used.count_ones();
        // While every package's cost has the network's scale, the sum is
        // kept in integers: the same number, and the same scale, as the
        // decimal sum, which takes over from the sum so far otherwise.
        let mut scaled = Some(0i64);
        let mut total = Decimal::ZERO;
        let mut delivery = NaiveDate::MIN;
        let mut arrive_day = i32::MIN;
        let mut priority = 0u64;
        let mut outside = 0u32;
        let mut rest = used;
        while rest != 0 {
            let node = u8::try_from(rest.trailing_zeros()).unwrap_or(u8::MAX);
            rest &= rest - 1;
            let subset = sets.get(usize::from(node)).copied().unwrap_or(0);
            let p = self.lean_package(ctx, node, subset, work)?;
            if packages > 1 && self.options.min_package_value.is_some_and(|m| p.value < m) {
                return Err(Miss::Below { node, value: p.value });
            }
            let next = scaled.zip(p.scaled).and_then(|(s, x)| s.checked_add(x));
            if next.is_none() {
                if let Some(s) = scaled {
                    total = Decimal::try_from_i128_with_scale(i128::from(s), self.scale)
                        .map_err(|_| Miss::Overflow)?;
                }
                total = crate::money::add(total, p.total).ok_or(Miss::Overflow)?;
            }
            scaled = next;
            if p.arrive_day > arrive_day {
                arrive_day = p.arrive_day;
                delivery = p.arrive;
            }
            priority = priority.saturating_add(u64::from(p.priority));
            outside += u32::from(p.outside);
        }
        let late = arrive_day.saturating_sub(ctx.promised_day).max(0);
        if let Some(s) = scaled {
            total = Decimal::try_from_i128_with_scale(i128::from(s), self.scale)
                .map_err(|_| Miss::Overflow)?;
        }
        Ok(Candidate {
            packages,
            cost: total,
            days_late: u32::try_from(late).unwrap_or(u32::MAX),
            delivery,
            priority,
            outside_market: outside,
        })
    }

    /// The summary of the package node `node` would ship with the lines
    /// in `subset`, priced once per search when the memo is on.
    fn lean_package<'w>(
        &self,
        ctx: &Ctx<'_>,
        node: u8,
        subset: u64,
        work: &'w mut Work,
    ) -> Result<&'w Lean, Miss> {
        let key = if work.memo.is_empty() {
            None
        } else {
            let high = usize::from(node) << ctx.lines.len();
            usize::try_from(subset).ok().map(|s| high | s)
        };
        if let (None, Some(map)) = (key, work.hashed.as_mut()) {
            if let Some(&i) = map.get(&(node, subset)) {
                return priced(&work.evals, i as usize);
            }
            if work.evals.len() >= HASHED_MAX {
                map.clear();
                work.evals.clear();
            }
            let at = work.evals.len();
            work.evals.push(self.lean_fresh(ctx, node, subset));
            map.insert((node, subset), u32::try_from(at).unwrap_or(u32::MAX));
            return priced(&work.evals, at);
        }
        let Some(key) = key else {
            // No memo: keep only this package, so a failure can be named.
            work.evals.clear();
            work.evals.push(self.lean_fresh(ctx, node, subset));
            return priced(&work.evals, 0);
        };
        let hit = work.memo.get(key).copied().unwrap_or(0);
        if let Some(i) = hit.checked_sub(1) {
            return priced(&work.evals, i as usize);
        }
        let at = work.evals.len();
        work.evals.push(self.lean_fresh(ctx, node, subset));
        if let Some(slot) = work.memo.get_mut(key) {
            *slot = u32::try_from(at + 1).unwrap_or(0);
        }
        priced(&work.evals, at)
    }

    #[inline(never)]
    fn lean_fresh(&self, ctx: &Ctx<'_>, node: u8, subset: u64) -> Result<Lean, Snag> {
        let eval = self.eval_package(ctx, node, subset)?;
        let scaled = (eval.total.scale() == self.scale)
            .then(|| i64::try_from(eval.total.mantissa()).ok())
            .flatten();
        Ok(Lean {
            total: eval.total,
            scaled,
            value: eval.value,
            arrive: eval.arrive,
            arrive_day: eval.arrive_day,
            priority: eval.node.priority,
            outside: ctx.order.market.is_some_and(|m| eval.node.market != Some(m)),
        })
    }

    fn build(&self, ctx: &Ctx<'_>, assign: &[u8], optimality: Optimality) -> Result<Plan, Fail> {
        let mut packages = Vec::new();
        let cand = self.price(ctx, assign, &mut packages)?;
        let mut cost = CostBreakdown::default();
        for p in &packages {
            cost = cost.checked_add(&p.cost).ok_or(Fail::CostOverflow)?;
        }
        Ok(Plan {
            order: ctx.order.id.clone(),
            speed: ctx.order.speed,
            packages,
            expected_delivery: cand.delivery,
            promised_by: ctx.order.promised_by,
            late: cand.days_late > 0,
            cost,
            optimality,
        })
    }

    /// Prices one assignment and writes its packages to `out`.
    fn price(
        &self,
        ctx: &Ctx<'_>,
        assign: &[u8],
        out: &mut Vec<Package>,
    ) -> Result<Candidate, Fail> {
        let mut groups: Vec<(u8, u64)> = Vec::new();
        for (i, &a) in (0u32..).zip(assign) {
            match groups.iter_mut().find(|g| g.0 == a) {
                Some(g) => g.1 |= 1 << i,
                None => groups.push((a, 1 << i)),
            }
        }
        groups.sort_unstable_by_key(|g| g.0);
        let packages = u32::try_from(groups.len()).unwrap_or(u32::MAX);
        let mut total = Decimal::ZERO;
        let mut delivery = NaiveDate::MIN;
        let mut arrive_day = i32::MIN;
        let mut priority = 0u64;
        let mut outside = 0u32;
        for &(node, subset) in &groups {
            let eval = self.eval_package(ctx, node, subset).map_err(|s| self.name(ctx, s))?;
            let node_ref = eval.node;
            if packages > 1 && self.options.min_package_value.is_some_and(|m| eval.value < m) {
                let value = eval.value;
                return Err(Fail::BelowMinimumValue { node: node_ref.id.clone(), value });
            }
            total = crate::money::add(total, eval.total).ok_or(Fail::CostOverflow)?;
            if eval.arrive_day > arrive_day {
                arrive_day = eval.arrive_day;
                delivery = eval.arrive;
            }
            priority = priority.saturating_add(u64::from(node_ref.priority));
            if ctx.order.market.is_some_and(|m| node_ref.market != Some(m)) {
                outside += 1;
            }
            {
                let lines = (0u32..)
                    .zip(&ctx.order.lines)
                    .filter(|(i, _)| subset & (1 << i) != 0)
                    .map(|(i, l)| PackageLine {
                        line: i as usize,
                        sku: l.sku.clone(),
                        quantity: l.quantity,
                    })
                    .collect();
                out.push(Package {
                    node: node_ref.id.clone(),
                    node_index: NodeIndex(node),
                    ship_date: eval.ship,
                    delivery: eval.arrive,
                    lines,
                    units: eval.units,
                    weight_g: eval.weight,
                    cost: eval.cost,
                });
            }
        }
        let late = arrive_day.saturating_sub(ctx.promised_day).max(0);
        Ok(Candidate {
            packages,
            cost: total,
            days_late: u32::try_from(late).unwrap_or(u32::MAX),
            delivery,
            priority,
            outside_market: outside,
        })
    }

    #[inline(never)]
    fn eval_package(&self, ctx: &Ctx<'_>, node: u8, subset: u64) -> Result<PkgEval<'n>, Snag> {
        let n = usize::from(node);
        let net: &'n Network = self.net;
        // Node indices come from masks built over this network's nodes,
        // so these lookups succeed; the error is a formality.
        let (Some(state), Some(node_ref), Some(cal)) =
            (ctx.nodes.get(n), net.nodes().get(n), net.calendar(n))
        else {
            return Err(Snag::Overflow);
        };
        let NodeState::Open { first, arrive: quickest, transit, tiers } = *state else {
            return Err(Snag::NoShipDay(node));
        };
        if ctx.dup {
            self.check_duplicate_stock(ctx, n, subset)?;
        }
        let (mut weight, mut units, mut value) = (0u64, 0u64, Decimal::ZERO);
        for (_, line) in (0u32..).zip(&ctx.lines).filter(|(i, _)| subset & (1 << i) != 0) {
            weight = weight.saturating_add(line.weight);
            units = units.saturating_add(line.qty.unsigned_abs());
            if ctx.track_value {
                value =
                    line.value.and_then(|v| crate::money::add(value, v)).ok_or(Snag::Overflow)?;
            }
        }
        let postage = tier_price(tiers, weight).ok_or(Snag::Overweight(node, weight))?;
        let slot = self.ship_slot(n, cal, first, units).map_err(|f| f.at(node))?;
        let ship = cal.day(slot).ok_or(Snag::NoShipDay(node))?;
        let arrive = if slot == first {
            quickest
        } else {
            let arrive = ship.checked_add_days(Days::new(u64::from(transit)));
            arrive.ok_or(Snag::DeliveryOutOfRange(node))?
        };
        let costs = &node_ref.costs;
        let cost = CostBreakdown {
            handling: costs.per_package,
            units: crate::money::mul(costs.per_unit, units).ok_or(Snag::Overflow)?,
            postage,
        };
        let total = cost.total().ok_or(Snag::Overflow)?;
        let arrive_day = arrive.num_days_from_ce();
        Ok(PkgEval { node: node_ref, weight, units, value, ship, arrive, arrive_day, cost, total })
    }

    fn ship_slot(
        &self,
        node: usize,
        cal: &ShipCalendar,
        first: usize,
        units: u64,
    ) -> Result<usize, SlotFail> {
        let last = first.saturating_add(self.options.capacity_roll_days as usize);
        for slot in first..=last {
            if slot >= cal.len() {
                // Every listed day from the first was full: capacity.
                return Err(if slot == first { SlotFail::NoShipDay } else { SlotFail::Capacity });
            }
            if self.has_room(node, slot, units) {
                return Ok(slot);
            }
        }
        Err(SlotFail::Capacity)
    }

    /// Lines of one SKU packed together must fit the node's stock
    /// together.
    fn check_duplicate_stock(&self, ctx: &Ctx<'_>, node: usize, subset: u64) -> Result<(), Snag> {
        let in_subset = |i: &u32| subset & (1 << i) != 0;
        // Units per SKU row in the package, then the first line (in line
        // order) whose row asks more than the node holds.
        let mut together: Vec<(usize, i64)> = Vec::new();
        for (_, line) in (0u32..).zip(&ctx.lines).filter(|(i, _)| in_subset(i)) {
            let Some(row) = line.row else { continue };
            match together.iter_mut().find(|t| t.0 == row) {
                Some(t) => t.1 = t.1.saturating_add(line.qty),
                None => together.push((row, line.qty)),
            }
        }
        for (i, line) in (0u32..).zip(&ctx.lines).filter(|(i, _)| in_subset(i)) {
            let Some(row) = line.row else { continue };
            let asked = together.iter().find(|t| t.0 == row).map_or(0, |t| t.1);
            if self.stock.at(row, node) < asked {
                return Err(Snag::Stock(i as usize));
            }
        }
        Ok(())
    }

    fn line_reason(
        &self,
        ctx: &Ctx<'_>,
        i: usize,
        line: &OrderLine,
        only: Option<u8>,
    ) -> Unroutable {
        let row = ctx.lines.get(i).and_then(|l| l.row);
        let mut refusals = Vec::new();
        for (n, (state, node)) in ctx.nodes.iter().zip(self.net.nodes()).enumerate() {
            if only.is_some_and(|o| usize::from(o) != n) {
                continue;
            }
            if row.is_none_or(|r| self.stock.at(r, n) < line.quantity.get()) {
                continue;
            }
            let refusal = match state {
                NodeState::Closed(r) => Some(*r),
                NodeState::Open { .. } => self.line_refusal(n, line),
            };
            if let Some(r) = refusal {
                refusals.push((node.id.clone(), r));
            }
        }
        let sku = line.sku.clone();
        let reason = if refusals.is_empty() {
            UnroutableReason::NoStock { line: i, sku, quantity: line.quantity }
        } else {
            UnroutableReason::NotEligible { line: i, sku, refusals }
        };
        Unroutable { order: ctx.order.id.clone(), reason }
    }

    fn unroutable(&self, ctx: &Ctx<'_>, cause: Fail) -> Outcome {
        let reason = UnroutableReason::NoFeasibleCombination { cause };
        Outcome::Unroutable(Unroutable { order: ctx.order.id.clone(), reason })
    }
}
/// Checks an order, last that it was placed in the horizon
/// ([`Network::check_placed`]).
fn validate(net: &Network, order: &Order) -> Result<()> {
    if order.lines.is_empty() {
        return Err(RouteError::EmptyOrder { order: order.id.clone() });
    }
    if order.lines.len() > MAX_LINES {
        return Err(RouteError::TooManyLines {
            order: order.id.clone(),
            lines: order.lines.len(),
            max: MAX_LINES,
        });
    }
    if let Some((line, l)) = order.lines.iter().enumerate().find(|(_, l)| !l.quantity.is_positive())
    {
        return Err(RouteError::NonPositiveQuantity {
            order: order.id.clone(),
            line,
            sku: l.sku.clone(),
            quantity: l.quantity.get(),
        });
    }
    if order.lines.iter().try_fold(0_i64, |sum, l| sum.checked_add(l.quantity.get())).is_none() {
        return Err(RouteError::QuantityOverflow { order: order.id.clone(), max: i64::MAX });
    }
    // Every package weighs at most the whole order, so once the order's
    // weight fits, no package weight can overflow.
    let mut weight = 0u64;
    for (line, l) in order.lines.iter().enumerate() {
        let next = l
            .unit_weight_g
            .checked_mul(l.quantity.get().unsigned_abs())
            .and_then(|w| weight.checked_add(w));
        let Some(next) = next else {
            return Err(RouteError::WeightOverflow {
                order: order.id.clone(),
                line,
                max: u64::MAX,
            });
        };
        weight = next;
    }
    net.check_placed(order)
}

fn invalid(order: &Order, reason: &'static str) -> RouteError {
    RouteError::InvalidAssignment { order: order.id.clone(), reason }
}

fn stale(plan: &Plan, pkg: &Package, what: &'static str) -> RouteError {
    RouteError::StalePlan { order: plan.order.clone(), node: pkg.node.clone(), what }
}

/// The set bits of a mask, ascending, as node indices.
fn bits(mask: u64) -> Vec<u8> {
    (0u8..64).filter(|&b| mask & (1 << b) != 0).collect()
}

/// The package priced at position `i` of `evals`, or the obstacle it met.
fn priced(evals: &[Result<Lean, Snag>], i: usize) -> Result<&Lean, Miss> {
    match evals.get(i) {
        Some(Ok(lean)) => Ok(lean),
        Some(Err(snag)) => Err(Miss::At(*snag)),
        None => Err(Miss::Overflow),
    }
}

/// Whether the lines from walk position `depth` on could still fit, by
/// total weight and units, in the room the used nodes have left plus
/// that many new packages at the network's widest limits; if not, what
/// runs short, as [`cut_snag`] takes it (`None`: units; the weight).
/// The obstacle itself is named by the caller, only when it is wanted.
fn room_left(dive: &Dive, depth: usize, used: u64, count: u32) -> Result<(), Option<u64>> {
    let (weight, units) = dive.rest.get(depth).copied().unwrap_or((0, 0));
    let new = u64::from(dive.packages.saturating_sub(count));
    let mut room = (dive.widest.0.saturating_mul(new), dive.widest.1.saturating_mul(new));
    let mut rest = used;
    while rest != 0 {
        let n = rest.trailing_zeros() as usize;
        rest &= rest - 1;
        let limit = dive.limits.get(n).copied().unwrap_or(NodeLimit::CLOSED);
        let (w, u) = dive.load.get(n).copied().unwrap_or((0, 0));
        let top = limit.weight.unwrap_or(0).saturating_sub(w);
        let free = limit.units.unwrap_or(0).saturating_sub(u);
        room = (room.0.saturating_add(top), room.1.saturating_add(free));
    }
    if units > room.1 {
        return Err(None);
    }
    if weight > room.0 {
        return Err(Some(weight));
    }
    Ok(())
}

/// The obstacle behind a cut made on totals alone, where no single
/// package was priced. Nodes are taken in the order: used nodes
/// (`used`, by index), then walk rank. Short of units (`heavy` is
/// `None`): the first node that can take no package at all (its days
/// full, or none listed), else capacity at the first node. Short of
/// weight (`heavy` is the grams to carry): overweight at the first node.
fn cut_snag(dive: &Dive, used: u64, heavy: Option<u64>) -> Snag {
    let mut nodes = bits(used).into_iter().chain(dive.rank.iter().copied());
    let closed = nodes.clone().find_map(|n| {
        let limit = dive.limits.get(usize::from(n))?;
        limit.units.err().map(|f| f.at(n))
    });
    match (heavy, closed, nodes.next()) {
        (Some(weight), _, Some(n)) => Snag::Overweight(n, weight),
        (None, Some(snag), _) => snag,
        (None, None, Some(n)) => Snag::Capacity(n),
        (_, _, None) => Snag::Overflow,
    }
}

#[derive(Debug, Clone, Copy)]
enum NodeState<'a> {
    Open { first: usize, arrive: NaiveDate, transit: u32, tiers: &'a [RateTier] },
    Closed(Refusal),
}

#[derive(Debug)]
struct LineCtx {
    row: Option<usize>,
    qty: i64,
    weight: u64,
    value: Option<Decimal>,
    mask: u64,
}

struct Ctx<'a> {
    order: &'a Order,
    /// The promised date as days from the common era.
    promised_day: i32,
    nodes: Vec<NodeState<'a>>,
    lines: Vec<LineCtx>,
    dup: bool,
    /// Whether packages sum their lines' values.
    track_value: bool,
}

impl Ctx<'_> {
    /// The promise, or the earliest date by which every line can arrive
    /// (ignoring capacity) when that is later.
    fn target(&self) -> NaiveDate {
        let quickest = |mask: u64| {
            let arrivals = self.nodes.iter().enumerate().filter(|(n, _)| mask & (1 << n) != 0);
            arrivals
                .filter_map(|(_, s)| match s {
                    NodeState::Open { arrive, .. } => Some(*arrive),
                    NodeState::Closed(_) => None,
                })
                .min()
        };
        let lower = self.lines.iter().filter_map(|l| quickest(l.mask)).max();
        lower.map_or(self.order.promised_by, |d| d.max(self.order.promised_by))
    }

    /// The nodes that can arrive by `target`, ignoring capacity.
    fn reaching(&self, target: NaiveDate) -> u64 {
        self.nodes.iter().enumerate().fold(0, |m, (n, s)| match s {
            NodeState::Open { arrive, .. } if *arrive <= target => m | (1 << n),
            _ => m,
        })
    }
}

/// Whole days `delivery` is past `promised`, zero when on time.
fn days_late(delivery: NaiveDate, promised: NaiveDate) -> u32 {
    u32::try_from((delivery - promised).num_days().max(0)).unwrap_or(u32::MAX)
}

/// Why a package found no ship day, before the node is named.
#[derive(Debug, Clone, Copy)]
enum SlotFail {
    Capacity,
    NoShipDay,
}

impl SlotFail {
    fn at(self, node: u8) -> Snag {
        match self {
            Self::Capacity => Snag::Capacity(node),
            Self::NoShipDay => Snag::NoShipDay(node),
        }
    }
}

/// An obstacle met while pricing, by node and line index: made and
/// dropped in the search's inner loops without copying an id, and named
/// as a [`Fail`] (`Router::name`) only when it is the obstacle reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Snag {
    /// [`Fail::Capacity`] at the node.
    Capacity(u8),
    /// [`Fail::NoShipDay`] at the node.
    NoShipDay(u8),
    /// [`Fail::DeliveryOutOfRange`] at the node.
    DeliveryOutOfRange(u8),
    /// [`Fail::Overweight`] at the node, with the package weight.
    Overweight(u8, u64),
    /// [`Fail::Stock`] for the order line.
    Stock(usize),
    /// [`Fail::CostOverflow`].
    Overflow,
}

struct Found<K> {
    best: Option<(K, Candidate, Vec<u8>)>,
    runner_up: Option<(K, Candidate)>,
    first_fail: Option<Fail>,
    /// False once the bounded search stood in for the enumeration.
    exact: bool,
    /// The steps walked, when the bounded search ran out of budget
    /// without finding any workable plan.
    limit: Option<u64>,
    /// The steps walked, when the bounded search stopped at its budget
    /// before ruling every better assignment out (whether or not it met
    /// a workable plan): the best is then not proven.
    spent: Option<u64>,
    /// Whether `runner_up` is kept up to date with every candidate (when
    /// false it only holds the last best replaced).
    runner: bool,
}

/// The bounded search walks at most `max(exact_limit, this)` steps per
/// line of the order.
const BOUNDED_MIN_STEPS: u64 = 4096;

/// The state of the bounded search's walk.
struct Dive {
    /// Line indices in walk order.
    seq: Vec<usize>,
    /// Every node some line may use, in the order the walk prefers
    /// new nodes.
    rank: Vec<u8>,
    /// For each walk position, its line's nodes in the order tried.
    lists: Vec<Vec<u8>>,
    /// The package count being walked.
    packages: u32,
    /// The node of each line (by line index), valid for placed lines.
    assign: Vec<u8>,
    /// Weight and units of the lines from each walk position on.
    rest: Vec<(u64, u64)>,
    /// The heaviest top tier and the most unit room of any node.
    widest: (u64, u64),
    /// Weight and units placed on each node so far.
    load: Vec<(u64, u64)>,
    /// Each node's package limits.
    limits: Vec<NodeLimit>,
    /// Steps walked: one per position visited and per node tried there,
    /// and one per line of each complete assignment priced.
    steps: u64,
    /// The most steps allowed.
    budget: u64,
    /// Whether the budget ran out.
    out: bool,
}

/// What one package from a node may carry for the order being searched.
#[derive(Debug, Clone, Copy)]
struct NodeLimit {
    /// The heaviest rate tier's weight (`None`: no tier at all).
    weight: Option<u64>,
    /// The most units any allowed ship day still has room for, or why no
    /// day can take a package.
    units: Result<u64, SlotFail>,
}

impl NodeLimit {
    /// A node that can ship nothing for this order.
    const CLOSED: Self = Self { weight: None, units: Err(SlotFail::NoShipDay) };
}

/// Orders with at most this many lines memoise package prices during the
/// search (the memo has one entry per node and set of lines).
const MEMO_MAX_LINES: usize = 8;

/// Scratch space of one search.
#[derive(Default)]
struct Work {
    /// Position + 1 in `evals` of the package priced for
    /// `node << lines | set` (0: not priced yet); empty when off.
    memo: Vec<u32>,
    /// Priced packages.
    evals: Vec<Result<Lean, Snag>>,
    /// For orders too long for `memo`, while the bounded search runs:
    /// the position in `evals` by (node, set of lines). Only looked up,
    /// never iterated, so its order cannot reach a result.
    hashed: Option<hashbrown::HashMap<(u8, u64), u32>>,
}

/// The most packages the bounded search's memo keeps before starting
/// over (a bound on its memory).
const HASHED_MAX: usize = 1 << 16;

/// A node's service for one (zone, speed).
#[derive(Debug, Clone, Copy, Default)]
struct Lane<'a> {
    transit: Option<u32>,
    tiers: Option<&'a [RateTier]>,
}

/// The state of one enumeration.
struct Walk<'a> {
    lists: &'a [Vec<u8>],
    packages: Option<u32>,
    /// The node of each line, filled up to the current depth.
    assign: Vec<u8>,
}

/// Why a lean pricing failed, resolved into an [`Fail`] only when it is
/// the first obstacle of a search.
#[derive(Debug, Clone, Copy)]
enum Miss {
    /// The cost overflowed.
    Overflow,
    /// A package that failed.
    At(Snag),
    /// A split package worth less than the minimum.
    Below { node: u8, value: Decimal },
}

/// What the search needs of one priced package.
#[derive(Debug, Clone, Copy)]
struct Lean {
    total: Decimal,
    /// `total`'s mantissa when its scale is the router's.
    scaled: Option<i64>,
    value: Decimal,
    arrive: NaiveDate,
    /// `arrive` as days from the common era, for cheap comparisons.
    arrive_day: i32,
    priority: u32,
    /// Whether the node is outside the destination's market.
    outside: bool,
}

/// One priced package.
#[derive(Debug, Clone)]
struct PkgEval<'a> {
    node: &'a crate::model::Node,
    weight: u64,
    units: u64,
    value: Decimal,
    ship: NaiveDate,
    arrive: NaiveDate,
    /// `arrive` as days from the common era, for cheap comparisons.
    arrive_day: i32,
    cost: CostBreakdown,
    total: Decimal,
}
