//! Pick waves, pick paths and carrier manifests for a warehouse that
//! ships its own orders.
//!
//! The packages a node ships on one day are grouped by the carrier that
//! serves their speed; each carrier and cutoff is one wave, earliest
//! cutoff first. A wave's pick list merges the units of each SKU in each
//! bin and orders them along the bin path; its manifest lists the
//! packages handed to that carrier at that cutoff.
//!
//! # Which carrier takes a package
//!
//! A router promises a ship day from the node's own cutoff
//! ([`Node::cutoffs`](crate::Node::cutoffs)), one per weekday whatever
//! the speed; the carriers listed here have their own pickups, which
//! may come earlier. An order placed at 14:30 that caught a 15:00 node
//! cutoff ships that day, but not with a carrier that picked up at
//! 14:00. So:
//!
//! - [`plan_waves_checked`], which has the orders, gives a package to
//!   the first listed carrier serving its speed whose cutoff instant on
//!   the ship day is at or after the order's `placed_at` (compared to
//!   the nanosecond, as the router compares a node's cutoff). On a ship
//!   day after the order's own local date every pickup qualifies. When
//!   no carrier serving the speed picks up that late (the node's cutoff
//!   is later than every pickup of that speed that day, so the package
//!   cannot leave on the day its plan says), it falls back to the first
//!   listed one serving the speed; that manifest's `cutoff_at` then
//!   comes before the order's `placed_at`, which is how a caller finds
//!   such packages.
//! - [`plan_waves`], which has only the plans, cannot see when an order
//!   was placed and always gives a package to the first listed carrier
//!   serving its speed, even one whose pickup left before the order
//!   came in. List each speed's latest pickup first, keep every
//!   pickup at or after the node's cutoff, or use
//!   [`plan_waves_checked`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use merchantry_core::{LocationId, OrderId, Quantity, Sku};

use crate::calendar::local_instant;
use crate::error::{Result, RouteError};
use crate::model::{Order, Speed};
use crate::network::Network;
use crate::plan::Plan;

/// A storage location in a warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bin {
    /// The aisle number.
    pub aisle: u32,
    /// The bay (section) along the aisle.
    pub bay: u32,
    /// The shelf level, from the floor.
    pub level: u32,
}

/// One carrier's daily pickup at a node.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CarrierPickup {
    /// The carrier's name as the caller knows it.
    pub carrier: String,
    /// The last local time parcels are accepted for the day's pickup.
    pub cutoff: NaiveTime,
    /// The speeds this carrier ships.
    pub speeds: BTreeSet<Speed>,
}

/// How a picker walks the bins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum PickPath {
    /// Aisle, bay and level ascending: every aisle walked the same way.
    Sequential,
    /// The S-shape (traversal) route: aisles ascending, bays ascending
    /// in the first aisle visited, descending in the second, and so on;
    /// levels ascending within a bay. The default.
    #[default]
    Serpentine,
}

/// One stop on a pick list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pick {
    /// Where.
    pub bin: Bin,
    /// What.
    pub sku: Sku,
    /// How many, across the wave's orders.
    pub quantity: Quantity,
    /// The orders the units are for, sorted.
    pub orders: Vec<OrderId>,
}

/// One package on a carrier manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ManifestEntry {
    /// The order.
    pub order: OrderId,
    /// The service speed.
    pub speed: Speed,
    /// Units in the package.
    pub units: u64,
    /// Package weight in grams.
    pub weight_g: u64,
    /// Expected delivery.
    pub delivery: NaiveDate,
}

/// The packages handed to one carrier at one cutoff.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Manifest {
    /// The carrier.
    pub carrier: String,
    /// The cutoff instant.
    pub cutoff_at: DateTime<Utc>,
    /// The packages, by order id.
    pub packages: Vec<ManifestEntry>,
    /// Their total weight in grams.
    pub total_weight_g: u64,
    /// Their total units.
    pub total_units: u64,
}

/// The work for one carrier cutoff: what to pick and what to hand over.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Wave {
    /// The carrier.
    pub carrier: String,
    /// The cutoff, node-local time.
    pub cutoff: NaiveTime,
    /// The pick list along the bin path.
    pub picks: Vec<Pick>,
    /// The manifest.
    pub manifest: Manifest,
}

/// Builds the pick waves of node `node` for the packages in `plans`
/// that ship from it on `ship_date`.
///
/// Each package goes to the first carrier in `carriers` that serves its
/// speed. A plan does not say when its order was placed, so that
/// carrier's pickup may have left before the order came in (an order
/// placed at 14:30 that caught the node's 15:00 cutoff still goes to a
/// 14:00 pickup listed first); [`plan_waves_checked`] takes the orders
/// and skips such pickups (see the [module docs](crate::wave)). Waves
/// come earliest cutoff first (then by carrier name); empty waves are
/// left out.
///
/// Every plan handed over is checked whole first, whichever node and day
/// its packages ship from, so a hand-built or edited plan with nonsense
/// is refused rather than picked: each line must ask for at least one
/// unit, each package must carry a line and say as many `units` as its
/// lines hold, a plan may list each order line once and each node once,
/// its package weights must add up within `u64`, and no order may come
/// twice. A plan does not carry its order, so nothing here holds it
/// against one: not the weights (against the orders' unit weights), the
/// lines, the speed, nor the ship dates (against the order time and the
/// node's cutoffs). Call [`Plan::check_with`] with each order first, or
/// hand the orders over with their plans to [`plan_waves_checked`],
/// which does it for you; this form stays for callers whose plans come
/// straight from a router over the same network.
///
/// # Errors
///
/// [`RouteError::NonPositiveQuantity`] when a package line holds zero or
/// fewer units, [`RouteError::EmptyPackage`] when a package has no line,
/// [`RouteError::PackageUnitsMismatch`] when a package's `units` is not
/// the sum of its lines, [`RouteError::DuplicatePlanLine`] when a plan
/// lists one order line twice, [`RouteError::DuplicatePackage`] when it
/// has two packages from one node, [`RouteError::PlanWeightOverflow`]
/// when its package weights add up past `u64::MAX` grams,
/// [`RouteError::EmptyPlan`] when a plan has no package,
/// [`RouteError::DuplicateOrder`] when two plans
/// are for the same order (each names the order, and the line or the
/// package's node); [`RouteError::NodeNotInNetwork`] when `node` is not in the network,
/// [`RouteError::NoCarrier`] when no carrier serves a package's speed,
/// [`RouteError::MissingBin`] when a SKU to pick has no bin,
/// [`RouteError::WaveOverflow`] when a wave's manifest weight or units,
/// or the units of one pick, would pass the range of their type (the
/// wave is refused, never given a saturated total).
///
/// # Example
///
/// ```
/// use std::collections::{BTreeMap, BTreeSet};
/// use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
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
/// let nj = net.index_of(&LocationId::new("NJ")?).unwrap();
/// stock.set(&Sku::new("MUG")?, nj, Quantity::new(10));
/// let order = Order {
///     id: OrderId::new("W-1")?,
///     lines: vec![OrderLine::new(Sku::new("MUG")?, Quantity::new(2))],
///     zone: Zone(4),
///     market: None,
///     placed_at: Utc.with_ymd_and_hms(2026, 1, 5, 14, 0, 0).unwrap(),
///     promised_by: NaiveDate::from_ymd_opt(2026, 1, 9).unwrap(),
///     speed: Speed::Standard,
///     channel: ChannelId::new("web")?,
/// };
/// let plan = Router::new(&net, stock).plan(&order)?.plan().cloned().unwrap();
/// let bins = BTreeMap::from([(Sku::new("MUG")?, Bin { aisle: 3, bay: 7, level: 1 })]);
/// let ups = CarrierPickup {
///     carrier: "UPS".into(),
///     cutoff: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
///     speeds: BTreeSet::from([Speed::Standard]),
/// };
/// let waves = plan_waves(&net, &LocationId::new("NJ")?, day, &[plan], &bins, &[ups],
///     PickPath::default())?;
/// assert_eq!(waves.len(), 1);
/// assert_eq!(waves[0].picks[0].quantity, Quantity::new(2));
/// assert_eq!(waves[0].manifest.packages.len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_waves(
    network: &Network,
    node: &LocationId,
    ship_date: NaiveDate,
    plans: &[Plan],
    bins: &BTreeMap<Sku, Bin>,
    carriers: &[CarrierPickup],
    path: PickPath,
) -> Result<Vec<Wave>> {
    let plans: Vec<(&Plan, Option<DateTime<Utc>>)> = plans.iter().map(|p| (p, None)).collect();
    waves(network, node, ship_date, &plans, bins, carriers, path)
}

/// [`plan_waves`] for orders handed over with their plans: each plan is
/// first checked against its order and the network with
/// [`Plan::check_with`], so a plan edited, hand-built or read back that
/// no router over `network` could have made for that order (weights
/// other than its lines', another speed or promise, a line missing, a
/// ship date before the order time or its cutoff, a day the node does
/// not work) is refused before anything is picked. Then the waves are
/// built as [`plan_waves`] builds them from the plans, except for the
/// carrier: each package goes to the first listed carrier serving its
/// speed whose cutoff instant on `ship_date` is at or after its order's
/// `placed_at` (any pickup on a ship day after the order's own date),
/// so a package never lands on a pickup that left before its order
/// came in while a later one of its speed is listed. When none is, it
/// falls back to the first listed carrier serving its speed, as
/// [`plan_waves`] does; that wave's manifest then has a `cutoff_at`
/// before the order's `placed_at` (see the [module docs](crate::wave)).
///
/// # Errors
///
/// The first error, in `shipments` order, of [`Plan::check_with`] for a
/// pair (each names its order), then any error of [`plan_waves`].
///
/// # Example
///
/// ```
/// use std::collections::{BTreeMap, BTreeSet};
/// use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
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
/// stock.set(&Sku::new("MUG")?, net.index_of(&LocationId::new("NJ")?).unwrap(), Quantity::new(10));
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
/// let bins = BTreeMap::from([(Sku::new("MUG")?, Bin { aisle: 3, bay: 7, level: 1 })]);
/// let ups = CarrierPickup {
///     carrier: "UPS".into(),
///     cutoff: NaiveTime::from_hms_opt(15, 0, 0).unwrap(),
///     speeds: BTreeSet::from([Speed::Standard]),
/// };
/// let nj = LocationId::new("NJ")?;
/// let waves = plan_waves_checked(&net, &nj, day, &[(&order, &plan)], &bins,
///     std::slice::from_ref(&ups), PickPath::default())?;
/// assert_eq!(waves[0].manifest.total_weight_g, 700);
/// // A plan edited to weigh 1 g would put a wrong weight on the manifest.
/// plan.packages[0].weight_g = 1;
/// let err = plan_waves_checked(&net, &nj, day, &[(&order, &plan)], &bins, &[ups],
///     PickPath::default());
/// assert!(matches!(err, Err(RouteError::PackageWeightMismatch { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn plan_waves_checked(
    network: &Network,
    node: &LocationId,
    ship_date: NaiveDate,
    shipments: &[(&Order, &Plan)],
    bins: &BTreeMap<Sku, Bin>,
    carriers: &[CarrierPickup],
    path: PickPath,
) -> Result<Vec<Wave>> {
    for (order, plan) in shipments {
        plan.check_with(order, network)?;
    }
    let plans: Vec<(&Plan, Option<DateTime<Utc>>)> =
        shipments.iter().map(|&(order, plan)| (plan, Some(order.placed_at))).collect();
    waves(network, node, ship_date, &plans, bins, carriers, path)
}

/// The body of [`plan_waves`] and [`plan_waves_checked`]: each plan with
/// its order's time when known.
fn waves(
    network: &Network,
    node: &LocationId,
    ship_date: NaiveDate,
    plans: &[(&Plan, Option<DateTime<Utc>>)],
    bins: &BTreeMap<Sku, Bin>,
    carriers: &[CarrierPickup],
    path: PickPath,
) -> Result<Vec<Wave>> {
    let tz = network
        .index_of(node)
        .and_then(|i| network.node(i))
        .map(|n| n.tz)
        .ok_or_else(|| RouteError::NodeNotInNetwork { node: node.clone() })?;
    check_plans(plans)?;
    // Each carrier's cutoff instant on the ship day, as the manifests say.
    let cutoffs: Vec<DateTime<Utc>> =
        carriers.iter().map(|c| local_instant(tz, ship_date, c.cutoff)).collect();
    // Carrier position -> (picks by (bin, sku), manifest entries).
    let mut groups: BTreeMap<usize, WaveParts> = BTreeMap::new();
    for &(plan, placed) in plans {
        for pkg in plan.packages.iter().filter(|p| &p.node == node && p.ship_date == ship_date) {
            let (carrier, pickup) = pick_carrier(carriers, &cutoffs, plan.speed, placed)
                .ok_or_else(|| RouteError::NoCarrier {
                    order: plan.order.clone(),
                    node: node.clone(),
                    speed: plan.speed,
                })?;
            let parts = groups.entry(carrier).or_default();
            for line in &pkg.lines {
                let bin = *bins.get(&line.sku).ok_or_else(|| RouteError::MissingBin {
                    sku: line.sku.clone(),
                    node: node.clone(),
                })?;
                let slot = parts
                    .picks
                    .entry((bin, line.sku.clone()))
                    .or_insert((Quantity::ZERO, BTreeSet::new()));
                slot.0 =
                    slot.0.checked_add(line.quantity).map_err(|_| RouteError::WaveOverflow {
                        carrier: pickup.carrier.clone(),
                        cutoff: pickup.cutoff,
                        order: plan.order.clone(),
                        what: format!("units picked for sku {}", line.sku),
                        max: i64::MAX.unsigned_abs(),
                    })?;
                slot.1.insert(plan.order.clone());
            }
            parts.manifest.push(ManifestEntry {
                order: plan.order.clone(),
                speed: plan.speed,
                units: pkg.units,
                weight_g: pkg.weight_g,
                delivery: pkg.delivery,
            });
        }
    }
    let mut waves: Vec<Wave> = groups
        .into_iter()
        .filter_map(|(c, parts)| {
            let pickup = carriers.get(c)?;
            Some(parts.into_wave(pickup, *cutoffs.get(c)?, path))
        })
        .collect::<Result<_>>()?;
    waves.sort_by(|a, b| (a.cutoff, &a.carrier).cmp(&(b.cutoff, &b.carrier)));
    Ok(waves)
}

/// The position and pickup of the carrier a package of `speed` goes
/// with: the first listed serving the speed whose cutoff instant on the
/// ship day (`cutoffs`, by position) is at or after the order time
/// `placed`, compared exactly as the router compares a node's cutoff;
/// when none is, or the order time is not known, the first listed
/// serving the speed. `None` when no carrier serves it.
fn pick_carrier<'c>(
    carriers: &'c [CarrierPickup],
    cutoffs: &[DateTime<Utc>],
    speed: Speed,
    placed: Option<DateTime<Utc>>,
) -> Option<(usize, &'c CarrierPickup)> {
    let mut serving = carriers.iter().enumerate().filter(|(_, c)| c.speeds.contains(&speed));
    let first = serving.clone().next();
    let open =
        placed.and_then(|at| serving.find(|&(i, _)| cutoffs.get(i).is_some_and(|&c| c >= at)));
    open.or(first)
}

/// Refuses plans no router would make ([`Plan::check_shape`]) and an
/// order planned twice.
fn check_plans(plans: &[(&Plan, Option<DateTime<Utc>>)]) -> Result<()> {
    let mut seen: BTreeSet<&OrderId> = BTreeSet::new();
    for &(plan, _) in plans {
        if !seen.insert(&plan.order) {
            return Err(RouteError::DuplicateOrder { order: plan.order.clone() });
        }
        plan.check_shape()?;
    }
    Ok(())
}

#[derive(Default)]
struct WaveParts {
    picks: BTreeMap<(Bin, Sku), (Quantity, BTreeSet<OrderId>)>,
    manifest: Vec<ManifestEntry>,
}

impl WaveParts {
    fn into_wave(
        self,
        pickup: &CarrierPickup,
        cutoff_at: DateTime<Utc>,
        path: PickPath,
    ) -> Result<Wave> {
        let mut picks: Vec<Pick> = self
            .picks
            .into_iter()
            .map(|((bin, sku), (quantity, orders))| Pick {
                bin,
                sku,
                quantity,
                orders: orders.into_iter().collect(),
            })
            .collect();
        order_path(&mut picks, path);
        let mut packages = self.manifest;
        packages.sort_by(|a, b| a.order.cmp(&b.order));
        let total_weight_g =
            manifest_total(pickup, &packages, "manifest weight in grams", |p| p.weight_g)?;
        let total_units = manifest_total(pickup, &packages, "manifest units", |p| p.units)?;
        Ok(Wave {
            carrier: pickup.carrier.clone(),
            cutoff: pickup.cutoff,
            picks,
            manifest: Manifest {
                carrier: pickup.carrier.clone(),
                cutoff_at,
                packages,
                total_weight_g,
                total_units,
            },
        })
    }
}

/// The exact sum of `field` over a wave's packages, or the order whose
/// package takes it past `u64::MAX`, in manifest order.
fn manifest_total(
    pickup: &CarrierPickup,
    packages: &[ManifestEntry],
    what: &str,
    field: impl Fn(&ManifestEntry) -> u64,
) -> Result<u64> {
    packages.iter().try_fold(0u64, |sum, p| {
        sum.checked_add(field(p)).ok_or_else(|| RouteError::WaveOverflow {
            carrier: pickup.carrier.clone(),
            cutoff: pickup.cutoff,
            order: p.order.clone(),
            what: what.to_owned(),
            max: u64::MAX,
        })
    })
}

/// Sorts picks along the path. The input is sorted by (bin, sku) already.
fn order_path(picks: &mut [Pick], path: PickPath) {
    if path == PickPath::Sequential {
        return;
    }
    let mut visited = 0usize;
    let mut start = 0;
    while start < picks.len() {
        let aisle = picks.get(start).map(|p| p.bin.aisle);
        let len = picks.iter().skip(start).take_while(|p| Some(p.bin.aisle) == aisle).count();
        if visited % 2 == 1
            && let Some(run) = picks.get_mut(start..start + len)
        {
            // Walk the bays backwards but keep levels (and SKUs) ascending
            // within each bay.
            run.sort_by(|a, b| {
                b.bin
                    .bay
                    .cmp(&a.bin.bay)
                    .then(a.bin.level.cmp(&b.bin.level))
                    .then(a.sku.cmp(&b.sku))
            });
        }
        visited += 1;
        start += len.max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(aisle: u32, bay: u32, level: u32) -> Pick {
        Pick {
            bin: Bin { aisle, bay, level },
            sku: Sku::new(format!("S{aisle}{bay}{level}")).unwrap(),
            quantity: Quantity::new(1),
            orders: vec![],
        }
    }

    #[test]
    fn serpentine_reverses_every_second_aisle_visited() {
        // Aisles 1, 4 and 7 are visited; 4 is the second, walked back.
        let mut picks = vec![
            pick(1, 1, 1),
            pick(1, 5, 2),
            pick(4, 2, 1),
            pick(4, 9, 1),
            pick(4, 9, 3),
            pick(7, 3, 1),
        ];
        order_path(&mut picks, PickPath::Serpentine);
        let bins: Vec<_> = picks.iter().map(|p| (p.bin.aisle, p.bin.bay, p.bin.level)).collect();
        assert_eq!(bins, vec![(1, 1, 1), (1, 5, 2), (4, 9, 1), (4, 9, 3), (4, 2, 1), (7, 3, 1)]);
    }

    #[test]
    fn sequential_keeps_the_sorted_order() {
        let mut picks = vec![pick(1, 1, 1), pick(4, 2, 1), pick(4, 9, 1)];
        let before = picks.clone();
        order_path(&mut picks, PickPath::Sequential);
        assert_eq!(picks, before);
    }
}
