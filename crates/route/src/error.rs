//! The error type of `merchantry-route`.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use merchantry_core::{Currency, LocationId, OrderId, Sku};

/// What was wrong with the input handed to the router.
///
/// An input error is different from an order that cannot be routed: a
/// well-formed order that no node can serve comes back as an
/// [`Unroutable`](crate::Unroutable) outcome, not as an error. An error
/// means the caller handed over something malformed, and the router state
/// is left exactly as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RouteError {
    /// A network was built with no node.
    #[error("the network has no node")]
    NoNodes,
    /// More nodes than the router's node sets can hold.
    #[error("the network has {count} nodes, more than the limit of {max}")]
    TooManyNodes {
        /// How many nodes were given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// Two nodes share an id.
    #[error("node {node} appears twice in the network")]
    DuplicateNode {
        /// The repeated id.
        node: LocationId,
    },
    /// A node's costs are in a different currency from the first node's.
    #[error("node {node} prices in {found}, but the network prices in {expected}")]
    CurrencyMismatch {
        /// The node.
        node: LocationId,
        /// The network's currency (the first node's).
        expected: Currency,
        /// The node's currency.
        found: Currency,
    },
    /// A cost figure was negative.
    #[error("node {node} has a negative {what}: {value}")]
    NegativeCost {
        /// The node.
        node: LocationId,
        /// Which figure (`per-package fee`, `per-unit fee`, `rate`).
        what: &'static str,
        /// The rejected value.
        value: rust_decimal::Decimal,
    },
    /// A rate table's weight tiers were not strictly ascending.
    #[error(
        "node {node} rate table for zone {zone}: tier {tier} is not heavier than the one before"
    )]
    UnsortedRateTiers {
        /// The node.
        node: LocationId,
        /// The destination zone.
        zone: u16,
        /// The index of the offending tier.
        tier: usize,
    },
    /// The planning horizon is empty.
    #[error("the planning horizon is empty")]
    EmptyHorizon,
    /// An order has no line.
    #[error("order {order} has no line")]
    EmptyOrder {
        /// The order.
        order: OrderId,
    },
    /// An order line, or a package line of a plan handed back (to
    /// [`plan_waves`](crate::plan_waves) or
    /// [`Router::commit`](crate::Router::commit)), asks for zero or fewer
    /// units.
    #[error("order {order} line {line} (sku {sku}) asks for {quantity} units; it must be positive")]
    NonPositiveQuantity {
        /// The order.
        order: OrderId,
        /// The line index, from 0.
        line: usize,
        /// The line's SKU.
        sku: Sku,
        /// The rejected quantity.
        quantity: i64,
    },
    /// An order's line quantities add up past the 64-bit range, so no
    /// node could hold them and merging its lines would overflow.
    #[error("order {order}: its line quantities add up past {max} units")]
    QuantityOverflow {
        /// The order.
        order: OrderId,
        /// The largest total accepted.
        max: i64,
    },
    /// An order's weight (unit weight times units, added over its lines)
    /// passes the gram range, so no package weight could be told.
    #[error("order {order} line {line} brings its weight past {max} grams")]
    WeightOverflow {
        /// The order.
        order: OrderId,
        /// The line index, from 0, at which the running total overflows.
        line: usize,
        /// The largest weight accepted, in grams.
        max: u64,
    },
    /// An order has more lines than the router accepts.
    #[error("order {order} has {lines} lines, more than the limit of {max}")]
    TooManyLines {
        /// The order.
        order: OrderId,
        /// How many lines it has.
        lines: usize,
        /// The limit.
        max: usize,
    },
    /// An order was placed outside the network's planning horizon (when
    /// routed, or when a plan is checked against it with
    /// [`Plan::check_with`](crate::Plan::check_with)).
    #[error(
        "order {order} was placed at {placed_at}, outside the planning horizon {start} to {end}"
    )]
    OutsideHorizon {
        /// The order.
        order: OrderId,
        /// When it was placed.
        placed_at: DateTime<Utc>,
        /// The horizon's first day.
        start: NaiveDate,
        /// The day after the horizon's last.
        end: NaiveDate,
    },
    /// An order id appears twice in one batch: of orders to route, or of
    /// plans handed to [`plan_waves`](crate::plan_waves).
    #[error("order {order} appears twice in the batch")]
    DuplicateOrder {
        /// The repeated id.
        order: OrderId,
    },
    /// A plan handed back to the router, or checked with
    /// [`Plan::check_with`](crate::Plan::check_with), names a node that
    /// is not in the network (or not at the index it gives).
    #[error("plan for order {order} names node {node}, which is not in this network")]
    UnknownNode {
        /// The order.
        order: OrderId,
        /// The unknown node.
        node: LocationId,
    },
    /// A plan handed to [`Router::commit`](crate::Router::commit) needs
    /// stock or capacity the router no longer has.
    #[error("plan for order {order} is stale: {what} is no longer available at node {node}")]
    StalePlan {
        /// The order.
        order: OrderId,
        /// The node.
        node: LocationId,
        /// `stock` or `capacity`.
        what: &'static str,
    },
    /// An assignment handed to [`Router::evaluate`](crate::Router::evaluate)
    /// has the wrong length or names a node outside the network.
    #[error("assignment for order {order} is invalid: {reason}")]
    InvalidAssignment {
        /// The order.
        order: OrderId,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A node id is not in the network.
    #[error("node {node} is not in the network")]
    NodeNotInNetwork {
        /// The unknown node.
        node: LocationId,
    },
    /// A pick wave needs a bin for a SKU that has none.
    #[error("sku {sku} has no bin at node {node}")]
    MissingBin {
        /// The SKU.
        sku: Sku,
        /// The node.
        node: LocationId,
    },
    /// No carrier in the wave setup serves a plan's service speed.
    #[error("order {order} ships {speed:?}, which no carrier at node {node} serves")]
    NoCarrier {
        /// The order.
        order: OrderId,
        /// The node.
        node: LocationId,
        /// The speed nobody serves.
        speed: crate::Speed,
    },
    /// A package in a plan handed back (to [`plan_waves`](crate::plan_waves)
    /// or [`Router::commit`](crate::Router::commit)) says it holds a number of units other than the sum of its lines.
    #[error(
        "plan for order {order}: the package at node {node} says {units} units, but its lines \
         hold {lines}"
    )]
    PackageUnitsMismatch {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
        /// The units the package says it holds.
        units: u64,
        /// The sum of its lines' quantities.
        lines: u128,
    },
    /// A package in a plan handed back (to [`plan_waves`](crate::plan_waves)
    /// or [`Router::commit`](crate::Router::commit)) carries no line.
    #[error("plan for order {order}: the package at node {node} has no line")]
    EmptyPackage {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
    },
    /// A plan handed back (to [`plan_waves`](crate::plan_waves) or
    /// [`Router::commit`](crate::Router::commit)) lists one order line
    /// more than once, in one package or in two. A line ships whole from
    /// one node, so the plan would pick and take the line twice.
    #[error("plan for order {order}: line {line} appears more than once (again at node {node})")]
    DuplicatePlanLine {
        /// The order.
        order: OrderId,
        /// The repeated line index, from 0.
        line: usize,
        /// The node of the package where it appears again.
        node: LocationId,
    },
    /// A plan handed back has two packages from one node; a node ships
    /// one package per order.
    #[error("plan for order {order} has more than one package from node {node}")]
    DuplicatePackage {
        /// The order.
        order: OrderId,
        /// The repeated node.
        node: LocationId,
    },
    /// The packages of a plan handed back weigh more together than the
    /// gram range holds, which no order the router accepts can weigh.
    #[error(
        "plan for order {order}: the package at node {node} brings the plan's weight past {max} \
         grams"
    )]
    PlanWeightOverflow {
        /// The order.
        order: OrderId,
        /// The package at which the running total overflows.
        node: LocationId,
        /// The largest total accepted, in grams.
        max: u64,
    },
    /// A plan checked against an order with [`Plan::check`](crate::Plan::check)
    /// is for another order.
    #[error("plan for order {plan} was checked against order {order}")]
    PlanForOtherOrder {
        /// The order the plan names.
        plan: OrderId,
        /// The order it was checked against.
        order: OrderId,
    },
    /// A plan checked against its order with
    /// [`Plan::check`](crate::Plan::check) ships a line the order does not
    /// have, misses one, or ships it with another SKU or quantity.
    #[error("plan for order {order}: line {line} {what}")]
    PlanLineMismatch {
        /// The order.
        order: OrderId,
        /// The line index, from 0.
        line: usize,
        /// `is not in the order`, `is missing from the plan`, `names
        /// another sku than the order` or `ships another quantity than
        /// the order`.
        what: &'static str,
    },
    /// A package of a plan checked against its order with
    /// [`Plan::check`](crate::Plan::check) says a weight other than its
    /// lines' (unit weight times units, added up).
    #[error(
        "plan for order {order}: the package at node {node} says {weight_g} g, but its lines \
         weigh {lines} g"
    )]
    PackageWeightMismatch {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
        /// The weight the package says, in grams.
        weight_g: u64,
        /// What its lines weigh, in grams (saturated at `u128::MAX`).
        lines: u128,
    },
    /// A plan checked against its order with
    /// [`Plan::check`](crate::Plan::check) says another service speed
    /// than the one the order was sold with (the speed picks the
    /// carrier's wave in [`plan_waves`](crate::plan_waves)).
    #[error("plan for order {order} says speed {plan:?}, but the order was sold {ordered:?}")]
    PlanSpeedMismatch {
        /// The order.
        order: OrderId,
        /// The speed the plan says.
        plan: crate::Speed,
        /// The order's speed.
        ordered: crate::Speed,
    },
    /// A date of a plan checked with [`Plan::check`](crate::Plan::check)
    /// is not what it must be: `promised_by` must be the order's
    /// promise, `expected_delivery` the latest of its packages'
    /// deliveries.
    #[error("plan for order {order}: {field} is {plan}, but must be {expected}")]
    PlanDateMismatch {
        /// The order.
        order: OrderId,
        /// `promised_by` or `expected_delivery`.
        field: &'static str,
        /// The date the plan says.
        plan: NaiveDate,
        /// The date it must be: the order's promise, or the latest
        /// package delivery.
        expected: NaiveDate,
    },
    /// A plan checked with [`Plan::check`](crate::Plan::check) says
    /// `late` other than whether its `expected_delivery` falls after its
    /// `promised_by`.
    #[error(
        "plan for order {order}: late is {late}, but expected delivery {expected_delivery}          against the promise {promised_by} makes it {}",
        !late
    )]
    PlanLateMismatch {
        /// The order.
        order: OrderId,
        /// What the plan says.
        late: bool,
        /// The plan's expected delivery.
        expected_delivery: NaiveDate,
        /// The plan's (and the order's) promised date.
        promised_by: NaiveDate,
    },
    /// A cost part of a plan checked with
    /// [`Plan::check`](crate::Plan::check), of one package or of the
    /// plan, is negative; a network's fees and rates never are.
    #[error("plan for order {order}: the {part} cost of {} is {value}, below zero", where_(node))]
    NegativePlanCost {
        /// The order.
        order: OrderId,
        /// The package's node, or `None` for the plan's own cost.
        node: Option<LocationId>,
        /// `handling`, `units` or `postage`.
        part: &'static str,
        /// The negative value.
        value: rust_decimal::Decimal,
    },
    /// A cost part of a plan checked with
    /// [`Plan::check`](crate::Plan::check) is not the sum of that part
    /// over its packages (invariant 7 of the design).
    #[error(
        "plan for order {order}: its {part} cost is {plan}, but its packages' add up to {packages}"
    )]
    PlanCostMismatch {
        /// The order.
        order: OrderId,
        /// `handling`, `units` or `postage`.
        part: &'static str,
        /// What the plan says.
        plan: rust_decimal::Decimal,
        /// The sum over its packages.
        packages: rust_decimal::Decimal,
    },
    /// The cost of a plan checked with [`Plan::check`](crate::Plan::check)
    /// cannot be added up exactly in a `Decimal` (a package's total, the
    /// packages' sum, or the plan's total), which no priced plan does.
    #[error(
        "plan for order {order}: the cost of {} does not add up within a decimal",
        where_(node)
    )]
    PlanCostOverflow {
        /// The order.
        order: OrderId,
        /// The package whose total or running sum overflows, or `None`
        /// for the plan's own total.
        node: Option<LocationId>,
    },
    /// A package of a plan checked with [`Plan::check`](crate::Plan::check)
    /// is delivered before the day it ships.
    #[error(
        "plan for order {order}: the package at node {node} is delivered {delivery}, before it \
         ships on {ship_date}"
    )]
    DeliveryBeforeShip {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
        /// Its ship date.
        ship_date: NaiveDate,
        /// Its delivery date.
        delivery: NaiveDate,
    },
    /// A package of a plan checked with
    /// [`Plan::check`](crate::Plan::check) lists its lines out of
    /// order-line order.
    #[error(
        "plan for order {order}: the package at node {node} lists line {line} after line \
         {after}; lines go in order-line order"
    )]
    PackageLinesOutOfOrder {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
        /// The line index listed out of place.
        line: usize,
        /// The larger line index listed before it.
        after: usize,
    },
    /// A plan checked with [`Plan::check`](crate::Plan::check) lists its
    /// packages out of node-index order.
    #[error(
        "plan for order {order}: the package at node {node} (index {index}) comes after the one \
         at index {after}; packages go in node-index order"
    )]
    PackagesOutOfOrder {
        /// The order.
        order: OrderId,
        /// The node of the package listed out of place.
        node: LocationId,
        /// Its node index.
        index: usize,
        /// The larger node index listed before it.
        after: usize,
    },
    /// A plan handed to [`Router::commit`](crate::Router::commit) has no
    /// package: it ships nothing, so it is not a plan of any order the
    /// router accepts ([`RouteError::EmptyOrder`]).
    #[error("plan for order {order} has no package")]
    EmptyPlan {
        /// The order.
        order: OrderId,
    },
    /// A package of a plan handed to
    /// [`Router::commit`](crate::Router::commit), or checked with
    /// [`Plan::check_with`](crate::Plan::check_with), ships on a day that
    /// is not one of its node's working days within the planning horizon,
    /// so no capacity can be booked for it.
    #[error("plan for order {order}: the package at node {node} ships on {ship_date}, {why}")]
    NotAShipDay {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
        /// The date it says it ships.
        ship_date: NaiveDate,
        /// `not a working day at the node` (no pickup that weekday, or
        /// a holiday), `a date that never occurred in the node's time
        /// zone` (see [`local_date_exists`](crate::local_date_exists)),
        /// `outside the working days listed for the planning
        /// horizon`, or (from [`Plan::check_with`](crate::Plan::check_with))
        /// that the node's first ship day for the order falls past the
        /// working days listed.
        why: &'static str,
    },
    /// A package of a plan checked with
    /// [`Plan::check_with`](crate::Plan::check_with) ships before the
    /// first day its node can ship the order: the first working day
    /// whose carrier cutoff, in the node's time zone, is at or after the
    /// order time, plus the node's handling days. That day is never
    /// before the order's local date at the node, so a ship date before
    /// the order was placed (in the node's time zone), on the day of an
    /// order placed after that day's cutoff, or inside the handling days
    /// all come here.
    #[error(
        "plan for order {order}: the package at node {node} ships on {ship_date}, before \
         {earliest}, the first day the node can ship an order placed at {placed_at}"
    )]
    ShipDateTooEarly {
        /// The order.
        order: OrderId,
        /// The package's node.
        node: LocationId,
        /// The date the package says it ships.
        ship_date: NaiveDate,
        /// The first day the node can ship the order (node-local date).
        earliest: NaiveDate,
        /// When the order was placed.
        placed_at: DateTime<Utc>,
    },
    /// An [`Inventory`](crate::Inventory) read back (with the `serde`
    /// feature) is not one the inventory's own methods could have made:
    /// two SKUs on one row, a row out of range, a cell count other than
    /// SKUs times nodes, too many nodes, or a negative cell.
    #[error("invalid inventory: {reason}")]
    InvalidInventory {
        /// What is wrong, naming the SKU, row or node index.
        reason: String,
    },
    /// A pick wave's total passes the 64-bit range: its manifest's total
    /// weight or units (`u64`), or the units of one pick (`i64`). The
    /// wave is refused rather than given a saturated, wrong total.
    #[error("wave {carrier} at {cutoff}: order {order} brings the {what} past {max}")]
    WaveOverflow {
        /// The wave's carrier.
        carrier: String,
        /// The wave's cutoff, node-local time.
        cutoff: NaiveTime,
        /// The order whose package or line makes the total overflow: in
        /// manifest order (by order id) for the manifest totals, in plan
        /// order for a pick.
        order: OrderId,
        /// `manifest weight in grams`, `manifest units` or `units picked
        /// for sku ...`.
        what: String,
        /// The largest total accepted.
        max: u64,
    },
}

/// `the plan`, or `the package at node N`.
fn where_(node: &Option<LocationId>) -> String {
    match node {
        Some(n) => format!("the package at node {n}"),
        None => "the plan".to_owned(),
    }
}

/// The result type of this crate.
pub type Result<T, E = RouteError> = std::result::Result<T, E>;
