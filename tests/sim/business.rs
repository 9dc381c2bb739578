//! The synthetic seller: a seeded year of demand, purchase orders,
//! transfers and messy report data, decided from the world's own state
//! (forecasts fitted on the ledger's demand history, lead times learned
//! from finished purchase orders, orders routed by the router) and fed
//! to the [`World`] as operations.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use merchantry::core::{
    DateRange, Days, Decimal, Disposition, EventId, Lane, LeadTimeEstimate, OrderId,
    PurchaseOrderId, Quantity, Replenishment, Stage, StageDuration, SupplierId, TransportMode,
};
use merchantry::forecast::{
    ForecastError, ForecastOptions, Forecaster, LeadTimeModel, LeadTimeOptions, OrderForecast,
};
use merchantry::ledger::{AdjustmentReason, Event, EventKind, LandedBasis, LandedTarget};
use merchantry::reorder::{
    LotSize, OpenSupply, Planner, PlannerOptions, Policy, PolicyConfig, ReorderError, SkuInput,
    SupplyKind,
};
use merchantry::route::{Order as RouteOrder, Speed, Zone};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::world::{Config, Failure, Key, Op, Shipped, World, route_line};
use super::{
    AMAZON, EBAY, FBA, NODES, SKUS, WEB, WH, at, channel_id, date, far, home, node_id, sku_id,
    start,
};

/// Days the supplier of the fast movers slips, for orders placed in spring.
const SUPPLIER_DELAY: f64 = 15.0;
/// Days of demand a weekly review forecasts.
const HORIZON: u32 = 120;

/// A seed that broke: the day, what broke, and the stream that led there.
#[derive(Debug)]
pub(crate) struct RunFailure {
    pub(crate) day: usize,
    pub(crate) failure: Failure,
    pub(crate) stream: Vec<Op>,
}

/// A purchase order on its way.
struct Po {
    id: PurchaseOrderId,
    sku: usize,
    node: usize,
    quantity: i64,
    arrives: usize,
    stages: Vec<StageDuration>,
    forecast: OrderForecast,
}

/// A transfer on its way from the warehouse to FBA.
struct Transfer {
    sku: usize,
    quantity: i64,
    arrives: usize,
}

/// What the business did, for the digest and the report.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) reviews: usize,
    pub(crate) purchase_orders: usize,
    pub(crate) transfers: usize,
    pub(crate) no_forecast: usize,
    /// Lead-time variance of each finished purchase order (actual minus
    /// forecast days), in arrival order.
    pub(crate) ltv: Vec<f64>,
}

pub(crate) struct Sim {
    rng: ChaCha8Rng,
    pub(crate) world: World,
    rate: Vec<f64>,
    unit_cost: Vec<Decimal>,
    forecaster: Forecaster,
    planner: Planner,
    lead_history: Vec<Replenishment>,
    pos: Vec<Po>,
    transfers: Vec<Transfer>,
    /// Rows that reach the ledger on a later day: (due day, row).
    late: Vec<(usize, Event)>,
    /// Landed-cost bills and reimbursements, due later.
    bills: Vec<(usize, Event)>,
    /// Physical truth per position.
    truth: BTreeMap<Key, i64>,
    /// Shipped lines whose ledger row is in: (day shipped, line, row id).
    returnable: Vec<(usize, Shipped, EventId)>,
    /// Rows the ledger accepted, to re-send as duplicates.
    sent: Vec<Event>,
    /// Distinct good rows generated.
    generated: usize,
    duplicates: usize,
    expected_rejects: BTreeMap<String, usize>,
    seq: u64,
    pub(crate) stats: Stats,
}

fn sync(what: String) -> Failure {
    Failure { law: "sync", what }
}

/// A Poisson draw by Knuth's method (means here are small).
fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> i64 {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0, 1.0);
    loop {
        p *= rng.random::<f64>();
        if p <= limit {
            return k;
        }
        k += 1;
    }
}

/// A normal draw (Box-Muller), at least `floor`.
fn normal(rng: &mut ChaCha8Rng, mean: f64, sd: f64, floor: f64) -> f64 {
    let (u, v): (f64, f64) = (rng.random_range(1e-12..1.0), rng.random());
    let z = (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos();
    (mean + sd * z).max(floor)
}

/// The supplier lane of SKU `s`, to its home node.
fn lane(s: usize) -> Lane {
    let (supplier, mode) = match s % 3 {
        0 => ("SHENZHEN-A", TransportMode::Ocean),
        1 => ("NINGBO-B", TransportMode::Ocean),
        _ => ("MONTERREY-C", TransportMode::Truck),
    };
    Lane {
        supplier: SupplierId::new(supplier).unwrap(),
        origin: None,
        destination: node_id(home(s)),
        mode,
    }
}

/// The true stage distributions of a lane: (stage, mean days, sd).
fn stage_truth(s: usize) -> &'static [(Stage, f64, f64)] {
    match s % 3 {
        0 => &[
            (Stage::Production, 18.0, 3.0),
            (Stage::MainTransit, 26.0, 4.0),
            (Stage::CustomsClearance, 3.0, 1.0),
            (Stage::InlandFreight, 4.0, 1.0),
            (Stage::CheckIn, 4.0, 2.0),
        ],
        1 => &[
            (Stage::Production, 20.0, 3.0),
            (Stage::MainTransit, 24.0, 3.0),
            (Stage::CustomsClearance, 3.0, 1.0),
            (Stage::InlandFreight, 3.0, 1.0),
        ],
        _ => &[(Stage::Production, 12.0, 2.0), (Stage::InlandFreight, 5.0, 1.0)],
    }
}

/// Warehouse to FBA: four to seven days door to shelf.
fn transfer_estimate() -> LeadTimeEstimate {
    LeadTimeEstimate {
        mean: Days::new(5.5).unwrap(),
        std_dev: Days::whole(1),
        stages: vec![],
        quantiles: vec![],
    }
}

impl Sim {
    fn new(seed: u64, days: usize, config: Config) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let rate: Vec<f64> = (0..SKUS)
            .map(|s| match s % 3 {
                0 => rng.random_range(3.0..9.0),
                1 => rng.random_range(0.5..3.0),
                _ => rng.random_range(1.0..5.0),
            })
            .collect();
        let unit_cost = (0..SKUS).map(|_| Decimal::new(rng.random_range(150..4_000), 2)).collect();
        let policy = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
        let mut sim = Self {
            rng,
            world: World::new(config, u32::try_from(days).unwrap()),
            rate,
            unit_cost,
            forecaster: Forecaster::new(ForecastOptions::default()),
            planner: Planner::new(PlannerOptions::new(policy)).unwrap(),
            lead_history: Vec::new(),
            pos: Vec::new(),
            transfers: Vec::new(),
            late: Vec::new(),
            bills: Vec::new(),
            truth: BTreeMap::new(),
            returnable: Vec::new(),
            sent: Vec::new(),
            generated: 0,
            duplicates: 0,
            expected_rejects: BTreeMap::new(),
            seq: 0,
            stats: Stats::default(),
        };
        sim.lead_history = sim.past_orders();
        sim
    }

    /// Six finished purchase orders per lane before the year starts, so
    /// the lead-time model has something to learn from.
    fn past_orders(&mut self) -> Vec<Replenishment> {
        let mut out = Vec::new();
        for s in 0..3 {
            for k in 0..6u64 {
                let ordered = start() - chrono::Days::new(320 - 40 * k);
                let stages = self.sample_stages(s, false);
                let days: f64 = stages.iter().map(|x| x.actual.get()).sum();
                let mean: f64 = stage_truth(s).iter().map(|x| x.1).sum();
                out.push(Replenishment {
                    id: PurchaseOrderId::new(format!("PAST-{s}-{k}")).unwrap(),
                    lane: lane(s),
                    sku: None,
                    quantity: None,
                    ordered_on: ordered,
                    forecast_arrival: ordered + chrono::Days::new(mean.round() as u64),
                    actual_arrival: ordered + chrono::Days::new(days as u64),
                    stages,
                });
            }
        }
        out
    }

    fn sample_stages(&mut self, s: usize, delayed: bool) -> Vec<StageDuration> {
        stage_truth(s)
            .iter()
            .map(|&(stage, mean, sd)| {
                let mut days = normal(&mut self.rng, mean, sd, 1.0).round();
                if delayed && stage == Stage::Production {
                    days += SUPPLIER_DELAY;
                }
                StageDuration { stage, forecast: None, actual: Days::new(days).unwrap() }
            })
            .collect()
    }

    fn next_id(&mut self, tag: &str) -> String {
        self.seq += 1;
        format!("{tag}-{}", self.seq)
    }

    fn event(
        &mut self,
        tag: &str,
        d: usize,
        minute: u32,
        sku: usize,
        node: usize,
        kind: EventKind,
    ) -> Event {
        self.generated += 1;
        let id = EventId::new(self.next_id(tag)).unwrap();
        Event::new(id, at(d, minute), sku_id(sku), node_id(node), kind)
    }

    fn apply(&mut self, op: Op) -> Result<super::world::Applied, Failure> {
        self.world.apply(op)
    }

    /// A row reaches the ledger and must be accepted.
    fn deliver(&mut self, ev: Event) -> Result<(), Failure> {
        let done = self.apply(Op::Ingest(ev.clone()))?;
        if done.ingest != Some(Ok(true)) {
            return Err(sync(format!("row {} not accepted: {:?}", ev.id, done.ingest)));
        }
        self.sent.push(ev);
        Ok(())
    }

    /// A physical movement: truth changes now, the ledger hears of it
    /// now or on day `late`.
    fn book(&mut self, ev: Event, late: Option<usize>) -> Result<(), Failure> {
        for (key, units) in self.world.moves(&ev) {
            *self.truth.entry(key).or_insert(0) += units;
        }
        match late {
            Some(day) => {
                self.late.push((day, ev));
                Ok(())
            }
            None => self.deliver(ev),
        }
    }

    fn stock(&mut self, sku: usize, node: usize, delta: i64) -> Result<(), Failure> {
        self.apply(Op::Stock { sku, node, delta })?;
        Ok(())
    }

    /// A receipt, its stock, and a landed-cost bill that follows it.
    fn receive(
        &mut self,
        d: usize,
        minute: u32,
        sku: usize,
        node: usize,
        q: i64,
        po: Option<PurchaseOrderId>,
    ) -> Result<(), Failure> {
        let kind = EventKind::Receipt {
            quantity: Quantity::new(q),
            unit_cost: self.unit_cost[sku],
            disposition: Disposition::Sellable,
            purchase_order: po,
        };
        let ev = self.event("rcv", d, minute, sku, node, kind);
        let receipt = ev.id.clone();
        self.book(ev, None)?;
        self.stock(sku, node, q)?;
        // Freight and duty, billed up to twelve days later; half the
        // bills are stamped back at the receipt (backdated).
        let due = d + self.rng.random_range(0..12);
        let per_unit = Decimal::new(self.rng.random_range(20..140), 2);
        let kind = EventKind::LandedCost {
            amount: per_unit * Decimal::from(q),
            basis: LandedBasis::Quantity,
            targets: vec![LandedTarget { receipt, measure: Decimal::ZERO }],
        };
        let (day, minute) = if self.rng.random_bool(0.5) { (d, minute + 30) } else { (due, 1_200) };
        let bill = self.event("lnd", day, minute, sku, node, kind);
        self.bills.push((due, bill));
        Ok(())
    }

    fn open(&mut self) -> Result<(), Failure> {
        for s in 0..SKUS {
            let q = (self.rate[s] * 100.0).ceil() as i64;
            self.receive(0, 0, s, home(s), q, None)?;
            if home(s) == FBA {
                let q = (self.rate[s] * 40.0).ceil() as i64;
                self.receive(0, 0, s, WH, q, None)?;
            }
        }
        Ok(())
    }

    fn lift(&self, d: usize, s: usize) -> f64 {
        let spike = if (300..314).contains(&d) && s.is_multiple_of(5) { 3.0 } else { 1.0 };
        let season = if s % 3 == 2 {
            1.0 + 0.5 * (std::f64::consts::TAU * d as f64 / 365.0).sin()
        } else {
            1.0
        };
        spike * season
    }

    fn ship_row(&mut self, d: usize, minute: u32, line: Shipped) -> Result<(), Failure> {
        let kind = EventKind::shipment(
            Quantity::new(line.units),
            channel_id(line.channel),
            line.order.clone(),
        );
        let ev = self.event("shp", d, minute, line.sku, line.node, kind);
        let id = ev.id.clone();
        let late = self.rng.random_bool(0.03).then(|| d + self.rng.random_range(1..=5));
        self.book(ev, late)?;
        if late.is_none() {
            self.returnable.push((d, line, id));
        }
        Ok(())
    }

    fn step(&mut self, d: usize) -> Result<(), Failure> {
        self.arrivals(d)?;
        self.amazon(d)?;
        self.web(d)?;
        self.returns(d)?;
        self.losses(d)?;
        self.due_rows(d)?;
        self.messy_rows(d)?;
        if d >= 14 && d.is_multiple_of(7) {
            self.review(d)?;
        }
        self.apply(Op::EndDay(d))?;
        self.check(d)
    }

    /// 06:00 purchase orders, 07:00 transfers.
    fn arrivals(&mut self, d: usize) -> Result<(), Failure> {
        let (due, rest): (Vec<Po>, Vec<Po>) =
            std::mem::take(&mut self.pos).into_iter().partition(|p| p.arrives == d);
        self.pos = rest;
        for po in due {
            self.receive(d, 360, po.sku, po.node, po.quantity, Some(po.id.clone()))?;
            let refused = |e: ForecastError| Failure {
                law: "lead times",
                what: format!("purchase order {} arriving day {d}: {e}", po.id),
            };
            let done = po.forecast.finish(date(d), po.stages).map_err(refused)?;
            self.stats.ltv.push(po.forecast.variance_days(date(d)).map_err(refused)?);
            self.lead_history.push(done);
        }
        let (due, rest): (Vec<Transfer>, Vec<Transfer>) =
            std::mem::take(&mut self.transfers).into_iter().partition(|t| t.arrives == d);
        self.transfers = rest;
        for t in due {
            let kind = EventKind::TransferIn {
                quantity: Quantity::new(t.quantity),
                from: node_id(WH),
                disposition: Disposition::Sellable,
            };
            let ev = self.event("tin", d, 420, t.sku, FBA, kind);
            self.book(ev, None)?;
            self.stock(t.sku, FBA, t.quantity)?;
        }
        Ok(())
    }

    /// 12:00 on: Amazon orders of the fast movers, fulfilled by FBA.
    fn amazon(&mut self, d: usize) -> Result<(), Failure> {
        let mut minute = 720;
        for s in (0..SKUS).filter(|s| s % 3 == 0) {
            let mean = self.rate[s] * 0.7 * self.lift(d, s);
            let mut left = poisson(&mut self.rng, mean);
            while left > 0 {
                let units = left.min(self.rng.random_range(1..=3));
                left -= units;
                let order = OrderId::new(self.next_id("A")).unwrap();
                if self.rng.random_bool(0.04) {
                    self.apply(Op::Cancel { order, channel: AMAZON, sku: s, units })?;
                    continue;
                }
                minute = (minute + 1).min(14 * 60 - 1);
                let done = self.apply(Op::Sell { order, sku: s, units })?;
                for line in done.shipped {
                    self.ship_row(d, minute, line)?;
                }
            }
        }
        Ok(())
    }

    /// Web-store and eBay orders, routed as one batch at 14:00.
    fn web(&mut self, d: usize) -> Result<(), Failure> {
        let mut orders = Vec::new();
        let mut minute = 720;
        for s in 0..SKUS {
            let mean = self.rate[s] * if s % 3 == 0 { 0.3 } else { 1.0 } * self.lift(d, s);
            let mut left = poisson(&mut self.rng, mean);
            while left > 0 {
                let units = left.min(self.rng.random_range(1..=3));
                left -= units;
                let channel = if s % 3 == 0 || self.rng.random_bool(0.6) { WEB } else { EBAY };
                let price = self.unit_cost[s] * Decimal::new(25, 1);
                let mut lines = vec![route_line(s, units, price)];
                if self.rng.random_bool(0.2) {
                    let other = (s + self.rng.random_range(1..SKUS)) % SKUS;
                    lines.push(route_line(other, 1, self.unit_cost[other] * Decimal::new(25, 1)));
                }
                minute = (minute + 1).min(14 * 60 - 1);
                orders.push(RouteOrder {
                    id: OrderId::new(self.next_id("W")).unwrap(),
                    lines,
                    zone: Zone(self.rng.random_range(1..=8)),
                    market: None,
                    placed_at: at(d, minute),
                    promised_by: date(d + 6),
                    speed: Speed::Standard,
                    channel: channel_id(channel),
                });
            }
        }
        if orders.is_empty() {
            return Ok(());
        }
        let placed: BTreeMap<OrderId, u32> = orders
            .iter()
            .map(|o| {
                let t = o.placed_at.time();
                (o.id.clone(), chrono::Timelike::hour(&t) * 60 + chrono::Timelike::minute(&t))
            })
            .collect();
        let done = self.apply(Op::Route(orders))?;
        for line in done.shipped {
            let minute = placed[&line.order];
            self.ship_row(d, minute, line)?;
        }
        Ok(())
    }

    /// 15:00 returns of lines shipped at least three days ago.
    fn returns(&mut self, d: usize) -> Result<(), Failure> {
        for _ in 0..self.rng.random_range(0..4) {
            if self.returnable.is_empty() {
                break;
            }
            let i = self.rng.random_range(0..self.returnable.len());
            if self.returnable[i].0 + 3 > d {
                continue;
            }
            let (_, line, shipment) = self.returnable.swap_remove(i);
            let sellable = self.rng.random_bool(0.7);
            let disposition =
                if sellable { Disposition::Sellable } else { Disposition::Unsellable };
            let kind = EventKind::CustomerReturn {
                quantity: Quantity::new(line.units),
                channel: channel_id(line.channel),
                disposition,
                shipment: Some(shipment),
            };
            let ev = self.event("ret", d, 900, line.sku, line.node, kind);
            self.book(ev, None)?;
            self.apply(Op::Return {
                order: line.order,
                line: line.line,
                units: line.units,
                sellable,
            })?;
        }
        Ok(())
    }

    /// 18:00 lost and damaged units, reimbursed five to ten days later.
    fn losses(&mut self, d: usize) -> Result<(), Failure> {
        if !self.rng.random_bool(0.3) {
            return Ok(());
        }
        let s = self.rng.random_range(0..SKUS);
        let node = self.rng.random_range(0..NODES.len());
        let q = self.rng.random_range(1..=3).min(self.world.free(s, node));
        if q <= 0 {
            return Ok(());
        }
        let reason = if self.rng.random_bool(0.5) {
            AdjustmentReason::Lost
        } else {
            AdjustmentReason::Damaged
        };
        let kind = EventKind::Adjustment {
            quantity: Quantity::new(-q),
            reason,
            disposition: Disposition::Sellable,
            unit_cost: None,
        };
        let ev = self.event("adj", d, 1_080, s, node, kind);
        let write_off = ev.id.clone();
        self.book(ev, None)?;
        self.stock(s, node, -q)?;
        let due = d + self.rng.random_range(5..10);
        let kind = EventKind::Reimbursement {
            amount: self.unit_cost[s] * Decimal::from(q),
            units: Quantity::new(q),
            write_off: Some(write_off),
        };
        let ev = self.event("rmb", due, 1_170, s, node, kind);
        self.bills.push((due, ev));
        Ok(())
    }

    /// 20:00 late rows and bills that are due reach the ledger.
    fn due_rows(&mut self, d: usize) -> Result<(), Failure> {
        let (due, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.bills).into_iter().partition(|b| b.0 <= d);
        self.bills = rest;
        for (_, ev) in due {
            self.deliver(ev)?;
        }
        let (due, rest): (Vec<_>, Vec<_>) =
            std::mem::take(&mut self.late).into_iter().partition(|l| l.0 <= d);
        self.late = rest;
        for (_, ev) in due {
            let EventKind::Shipment { quantity, channel, order } = &ev.kind else {
                return Err(sync(format!("only shipments arrive late, not {}", ev.id)));
            };
            let line = Shipped {
                order: order.clone(),
                line: 1,
                sku: ev.sku.as_str()[4..].parse().unwrap(),
                node: NODES.iter().position(|n| *n == ev.location.as_str()).unwrap(),
                channel: super::CHANNELS.iter().position(|c| *c == channel.as_str()).unwrap(),
                units: quantity.get(),
            };
            let day = usize::try_from((ev.at.date_naive() - start()).num_days()).unwrap();
            let id = ev.id.clone();
            let amazon = order.as_str().starts_with('A');
            self.deliver(ev)?;
            // A routed multi-line order's lines are told apart by SKU;
            // only single-line orders come back.
            if amazon {
                self.returnable.push((day, line, id));
            }
        }
        Ok(())
    }

    /// Overlapping report downloads re-send rows; bad rows must be
    /// refused with the right typed error.
    fn messy_rows(&mut self, d: usize) -> Result<(), Failure> {
        for _ in 0..self.rng.random_range(0..3) {
            if self.sent.is_empty() {
                break;
            }
            let ev = self.sent[self.rng.random_range(0..self.sent.len())].clone();
            let done = self.apply(Op::Ingest(ev.clone()))?;
            if done.ingest != Some(Ok(false)) {
                return Err(sync(format!("re-sent {} gave {:?}", ev.id, done.ingest)));
            }
            self.duplicates += 1;
        }
        if !self.rng.random_bool(0.3) || self.sent.is_empty() {
            return Ok(());
        }
        let s = self.rng.random_range(0..SKUS);
        let node = home(s);
        let pick = self.rng.random_range(0..5);
        let (row, expect) = match pick {
            0 => {
                let mut ev = self.sent[self.rng.random_range(0..self.sent.len())].clone();
                ev.at += chrono::TimeDelta::minutes(1);
                (ev, "ConflictingDuplicate")
            }
            1 => {
                let kind = EventKind::shipment(
                    Quantity::new(1_000_000),
                    channel_id(WEB),
                    OrderId::new("BOGUS").unwrap(),
                );
                (self.bad(d, s, node, kind), "InsufficientStock")
            }
            2 => {
                let kind = EventKind::Adjustment {
                    quantity: Quantity::ZERO,
                    reason: AdjustmentReason::CountCorrection,
                    disposition: Disposition::Sellable,
                    unit_cost: None,
                };
                (self.bad(d, s, node, kind), "ZeroAdjustment")
            }
            3 => {
                let kind = EventKind::LandedCost {
                    amount: Decimal::ONE,
                    basis: LandedBasis::Quantity,
                    targets: vec![LandedTarget {
                        receipt: EventId::new("NO-SUCH-RECEIPT").unwrap(),
                        measure: Decimal::ZERO,
                    }],
                };
                (self.bad(d, s, node, kind), "UnknownReference")
            }
            _ => {
                let kind = EventKind::TransferOut {
                    quantity: Quantity::new(1),
                    disposition: Disposition::Sellable,
                    to: node_id(node),
                };
                (self.bad(d, s, node, kind), "SelfTransfer")
            }
        };
        let id = row.id.clone();
        let done = self.apply(Op::BadRow(row))?;
        match done.ingest {
            Some(Err(name)) if name == expect => {
                *self.expected_rejects.entry(name).or_insert(0) += 1;
                Ok(())
            }
            other => Err(sync(format!("bad row {id} gave {other:?}, expected {expect}"))),
        }
    }

    fn bad(&mut self, d: usize, s: usize, node: usize, kind: EventKind) -> Event {
        let id = EventId::new(self.next_id("bad")).unwrap();
        Event::new(id, at(d, 1_260), sku_id(s), node_id(node), kind)
    }

    /// The weekly review: forecasts fitted on the ledger's demand
    /// history, lead times learned from finished purchase orders, one
    /// recommendation per SKU at its home node (fast movers may draw on
    /// the warehouse by transfer).
    fn review(&mut self, d: usize) -> Result<(), Failure> {
        self.stats.reviews += 1;
        let today = date(d);
        let range = DateRange::new(date(d.saturating_sub(HORIZON as usize)), today).unwrap();
        let set = self.forecaster.fit(&self.world.ledger, range);
        let options = LeadTimeOptions { as_of: Some(today), ..LeadTimeOptions::default() };
        let mut model = LeadTimeModel::learn(&self.lead_history, &options)
            .map_err(|e| sync(format!("lead-time model: {e}")))?;
        for s in 0..SKUS {
            model.assign(sku_id(s), lane(s));
        }
        for s in 0..SKUS {
            let (sku, dest) = (sku_id(s), node_id(home(s)));
            let sources =
                if home(s) == FBA { vec![(node_id(WH), transfer_estimate())] } else { Vec::new() };
            let mut input = match SkuInput::gather(
                &self.world.ledger,
                &set,
                &model,
                &sku,
                &dest,
                today,
                HORIZON,
                &sources,
            ) {
                Ok(input) => input,
                Err(ReorderError::NoForecast { .. }) => {
                    self.stats.no_forecast += 1;
                    continue;
                }
                Err(e) => return Err(sync(format!("gather {sku}: {e}"))),
            };
            input.open_supply.extend(self.pos.iter().filter(|p| p.sku == s).map(|p| OpenSupply {
                kind: SupplyKind::PurchaseOrder,
                quantity: Quantity::new(p.quantity),
                expected: Some(p.forecast.forecast_arrival()),
            }));
            let rec =
                self.planner.recommend(&input).map_err(|e| sync(format!("planner {sku}: {e}")))?;
            for t in &rec.transfers {
                let q = t.quantity.get().min(self.world.free(s, WH));
                if q > 0 {
                    self.transfer(d, s, q)?;
                }
            }
            if let Some(order) = rec.order {
                self.order(d, s, order.quantity.get(), &model)?;
            }
        }
        Ok(())
    }

    fn transfer(&mut self, d: usize, s: usize, q: i64) -> Result<(), Failure> {
        let kind = EventKind::TransferOut {
            quantity: Quantity::new(q),
            disposition: Disposition::Sellable,
            to: node_id(FBA),
        };
        let ev = self.event("tout", d, 1_140, s, WH, kind);
        self.book(ev, None)?;
        self.stock(s, WH, -q)?;
        let arrives = d + self.rng.random_range(4..=7);
        self.transfers.push(Transfer { sku: s, quantity: q, arrives });
        self.stats.transfers += 1;
        Ok(())
    }

    fn order(&mut self, d: usize, s: usize, q: i64, model: &LeadTimeModel) -> Result<(), Failure> {
        let id = PurchaseOrderId::new(self.next_id("PO")).unwrap();
        let forecast = model
            .commit(id.clone(), &lane(s), Some(sku_id(s)), date(d), &[])
            .map_err(|e| sync(format!("commit {id}: {e}")))?;
        let delayed = home(s) == FBA && (90..120).contains(&d);
        let stages = self.sample_stages(s, delayed);
        let days: f64 = stages.iter().map(|x| x.actual.get()).sum();
        self.pos.push(Po {
            id,
            sku: s,
            node: home(s),
            quantity: q,
            arrives: d + days as usize,
            stages,
            forecast,
        });
        self.stats.purchase_orders += 1;
        Ok(())
    }

    /// The business's own expectations (law `sync`): the ledger plus the
    /// rows still late equals the physical truth, the allocator holds the
    /// truth, and every row generated is accounted for.
    fn check(&self, d: usize) -> Result<(), Failure> {
        let mut pending: BTreeMap<Key, i64> = BTreeMap::new();
        for (_, ev) in &self.late {
            for (key, units) in self.world.moves(ev) {
                *pending.entry(key).or_insert(0) += units;
            }
        }
        for (&(s, n, disp), &units) in &self.truth {
            let bal = self.world.ledger.balance(&sku_id(s), &node_id(n), disp, far()).get();
            let waiting = pending.get(&(s, n, disp)).copied().unwrap_or(0);
            if bal + waiting != units {
                return Err(sync(format!(
                    "day {d}: {} at {} {disp:?}: ledger {bal} + late {waiting}, truth {units}",
                    sku_id(s),
                    NODES[n]
                )));
            }
            if disp == Disposition::Sellable && self.world.on_hand(s, n) != units {
                return Err(sync(format!(
                    "day {d}: {} at {}: allocator {}, truth {units}",
                    sku_id(s),
                    NODES[n],
                    self.world.on_hand(s, n)
                )));
            }
        }
        let t = &self.world.tally;
        let waiting = self.late.len() + self.bills.len();
        if t.accepted + waiting != self.generated
            || t.duplicates != self.duplicates
            || t.rejected != self.expected_rejects
        {
            return Err(sync(format!(
                "day {d}: {} rows made, {} accepted, {waiting} waiting; {} duplicates of {} sent; refused {:?}, expected {:?}",
                self.generated,
                t.accepted,
                t.duplicates,
                self.duplicates,
                t.rejected,
                self.expected_rejects
            )));
        }
        Ok(())
    }

    /// After the last day every waiting row arrives; nothing is left out.
    fn finish(&mut self, d: usize) -> Result<(), Failure> {
        for (_, ev) in std::mem::take(&mut self.late) {
            self.deliver(ev)?;
        }
        for (_, ev) in std::mem::take(&mut self.bills) {
            self.deliver(ev)?;
        }
        self.world.check_day()?;
        self.world.check_order_independence()?;
        self.check(d)?;
        if self.world.tally.accepted != self.generated {
            return Err(sync(format!(
                "{} rows made, {} in the ledger",
                self.generated, self.world.tally.accepted
            )));
        }
        Ok(())
    }

    /// The final state, for determinism checks.
    pub(crate) fn digest(&self) -> String {
        let mut out = self.world.digest();
        let _ = writeln!(out, "{:?}", self.stats);
        out
    }
}

/// Runs `days` days of `seed`.
pub(crate) fn run(seed: u64, days: usize, config: &Config) -> Result<Sim, Box<RunFailure>> {
    let mut sim = Sim::new(seed, days, config.clone());
    let mut day = 0;
    let mut go = |sim: &mut Sim| -> Result<(), Failure> {
        sim.open()?;
        while day < days {
            sim.step(day)?;
            day += 1;
        }
        sim.finish(days.saturating_sub(1))
    };
    match go(&mut sim) {
        Ok(()) => Ok(sim),
        Err(failure) => {
            Err(Box::new(RunFailure { day, failure, stream: std::mem::take(&mut sim.world.log) }))
        }
    }
}
