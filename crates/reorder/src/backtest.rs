//! Replaying a replenishment rule over a daily demand history.
//!
//! Each simulated day: orders due that day arrive (start of day); the
//! rule reviews the position and may order; demand is served from stock
//! on the shelf, and demand that finds none is lost (no backorders).
//! Lead times are drawn from a [`LeadTimeSource`]; sampled ones come
//! from a seeded ChaCha generator, so a run is repeatable bit for bit.
//!
//! A day of the history below zero is a day of net returns (core's
//! `DemandHistory`, and the ledger's daily demand, net returns into the
//! day's units). Returns are not demand, so such a day is replayed as a
//! day of no demand, as merchantry-metrics' `stockouts` reads it: nothing
//! is demanded or served, and the returned units are not put back on the
//! shelf (the series does not say whether they could be sold again).
//! The baseline's trailing average counts the day as 0 too, and the
//! report counts such days in [`BacktestReport::net_return_days`].
//!
//! Reported measures:
//! - fill rate: units served / units demanded;
//! - cycle service level: share of replenishment cycles (the days from
//!   one arrival to the next; the days before the first arrival and
//!   after the last count as cycles too) without a day of lost sales;
//! - stockout days: days with lost sales;
//! - average inventory: mean end-of-day units on the shelf;
//! - ITR on units: units sold / average inventory over the replayed
//!   period, not annualised (with one unit cost it equals
//!   COGS / average inventory value).

use chrono::{Days as ChronoDays, NaiveDate};
use merchantry_core::{DemandForecast, LeadTimeForecast, LocationId, Quantity, ShortFloat, Sku};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::engine::{Planner, PlannerOptions};
use crate::error::{ReorderError, Result};
use crate::input::{OpenSupply, PreviousRecommendation, SkuInput, SupplyKind};
use crate::lot::{Costs, SupplierConstraints};
use crate::policy::Policy;
use crate::safety::usize_to_f64;

/// Where the simulated lead times come from.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum LeadTimeSource {
    /// Every order takes this many days.
    Fixed(u32),
    /// Observed lead times in days, used in order and cycled; at least
    /// one.
    Historical(Vec<u32>),
    /// Normal with this mean and standard deviation (each finite and
    /// at or above zero), rounded to whole days, floored at 0 and capped
    /// at 10,000, drawn from ChaCha8 seeded with `seed`.
    Sampled {
        /// Mean days.
        mean: f64,
        /// Standard deviation of days.
        std_dev: f64,
        /// The generator seed.
        seed: u64,
    },
}

impl LeadTimeSource {
    /// Checks that the source can draw a lead time.
    ///
    /// # Errors
    ///
    /// [`ReorderError::InvalidSetting`] (setting `lead_times`) for an
    /// empty history, or a sampled mean or standard deviation that is
    /// negative, NaN or infinite.
    pub fn validate(&self) -> Result<()> {
        let bad =
            |reason: String| Err(ReorderError::InvalidSetting { setting: "lead_times", reason });
        match self {
            Self::Historical(days) if days.is_empty() => {
                bad("a historical source needs at least one lead time".into())
            }
            Self::Sampled { mean, std_dev, .. }
                if !(mean.is_finite()
                    && std_dev.is_finite()
                    && *mean >= 0.0
                    && *std_dev >= 0.0) =>
            {
                bad(format!(
                    "sampled mean {} and std_dev {} must be finite and >= 0",
                    ShortFloat(*mean),
                    ShortFloat(*std_dev)
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A rule to replay.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ReplenishmentRule {
    /// The engine with these options, fed by the forecasters. Periodic
    /// review policies review every `review_days` from the first day.
    Engine(PlannerOptions),
    /// The static baseline: when the position is at or below
    /// `threshold_days` of trailing average demand, order `cover_days`
    /// of it (fitted to the constraints). The average is over the last
    /// `window_days` days before the review (fewer at the start).
    DaysOfSupply {
        /// Days of supply that trigger an order.
        threshold_days: f64,
        /// Days of supply ordered.
        cover_days: f64,
        /// Trailing window for the average, at least 1.
        window_days: usize,
    },
}

/// The fixed facts of a replay.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BacktestSetup {
    /// The SKU (asked of the forecasters).
    pub sku: Sku,
    /// The destination (asked of the lead-time forecaster).
    pub destination: LocationId,
    /// The date of the first demand day.
    pub start: NaiveDate,
    /// Units on the shelf at the start, zero or more: demand that finds
    /// no stock is lost, so the shelf never holds a negative count.
    pub initial_on_hand: Quantity,
    /// Supplier constraints applied to every order.
    pub constraints: SupplierConstraints,
    /// Costs passed to the engine (needed for EOQ lots).
    pub costs: Option<Costs>,
    /// Realised lead times.
    pub lead_times: LeadTimeSource,
    /// Forecast days asked for each review (default 180).
    pub horizon: u32,
}

impl BacktestSetup {
    /// A setup with default constraints, no costs, a 180-day horizon.
    #[must_use]
    pub fn new(
        sku: Sku,
        destination: LocationId,
        start: NaiveDate,
        initial_on_hand: Quantity,
        lead_times: LeadTimeSource,
    ) -> Self {
        Self {
            sku,
            destination,
            start,
            initial_on_hand,
            constraints: SupplierConstraints::default(),
            costs: None,
            lead_times,
            horizon: 180,
        }
    }
}

/// One replenishment placed during a replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct SimulatedOrder {
    /// Day placed.
    pub ordered: NaiveDate,
    /// Day it arrived (or would have, past the end).
    pub arrives: NaiveDate,
    /// Units.
    pub quantity: Quantity,
    /// The engine's projected stockout without this order, when the
    /// engine placed it and projected one.
    pub projected_stockout: Option<NaiveDate>,
}

/// What a replay achieved.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct BacktestReport {
    /// Days replayed.
    pub days: usize,
    /// Units demanded (a day of net returns counts as none).
    pub demand: i64,
    /// Units served from stock.
    pub served: i64,
    /// Units demanded but not served.
    pub lost_sales: i64,
    /// `served / demand` (1 when nothing was demanded).
    pub fill_rate: f64,
    /// Replenishment cycles counted.
    pub cycles: usize,
    /// Cycles with at least one day of lost sales.
    pub cycles_with_stockout: usize,
    /// `1 - cycles_with_stockout / cycles`.
    pub cycle_service_level: f64,
    /// Days with lost sales.
    pub stockout_days: usize,
    /// Mean end-of-day units on the shelf.
    pub average_inventory: f64,
    /// Units sold / average inventory (units; not annualised).
    pub inventory_turns: f64,
    /// Orders placed.
    pub orders_placed: usize,
    /// Every order placed, in order.
    pub orders: Vec<SimulatedOrder>,
    /// Days of the history below zero (net returns), replayed as days
    /// of no demand.
    #[cfg_attr(feature = "serde", serde(default))]
    pub net_return_days: usize,
}

/// Draws realised lead times.
struct LeadTimes<'a> {
    source: &'a LeadTimeSource,
    next: usize,
    rng: ChaCha8Rng,
}

impl<'a> LeadTimes<'a> {
    fn new(source: &'a LeadTimeSource) -> Self {
        let seed = match source {
            LeadTimeSource::Sampled { seed, .. } => *seed,
            _ => 0,
        };
        Self { source, next: 0, rng: ChaCha8Rng::seed_from_u64(seed) }
    }

    fn draw(&mut self) -> u32 {
        match self.source {
            LeadTimeSource::Fixed(d) => *d,
            LeadTimeSource::Historical(v) => {
                let d = v.get(self.next % v.len().max(1)).copied().unwrap_or(0);
                self.next += 1;
                d
            }
            LeadTimeSource::Sampled { mean, std_dev, .. } => {
                let u: f64 = self.rng.random::<f64>().clamp(1e-12, 1.0 - 1e-12);
                let x = match Normal::new(*mean, *std_dev) {
                    Ok(n) => n.inverse_cdf(u),
                    Err(_) => *mean,
                };
                let days = x.round().clamp(0.0, 10_000.0);
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "days is whole and clamped to 0..=10000"
                )]
                let d = days as u32;
                d
            }
        }
    }
}

/// An order in the simulated pipeline.
struct Pipeline {
    arrives_index: usize,
    expected: NaiveDate,
    quantity: i64,
}

/// Replays `rule` over the daily `demand` starting on `setup.start`.
///
/// A day below zero (net returns) is replayed as a day of no demand; see
/// the [module docs](self).
///
/// # Errors
///
/// [`ReorderError::EmptyHistory`] for an empty history;
/// [`ReorderError::InvalidConstraint`], [`ReorderError::InvalidCost`] or
/// [`ReorderError::Core`] for constraints or costs that
/// [`SupplierConstraints::validate`](crate::SupplierConstraints::validate)
/// or [`Costs::validate`](crate::Costs::validate) refuse, whatever the rule;
/// [`ReorderError::Core`] when the simulated stock or pipeline leaves 64
/// bits of units;
/// [`ReorderError::InvalidSetting`] for a negative
/// `setup.initial_on_hand` (setting `backtest.initial_on_hand`), a
/// lead-time source that [`LeadTimeSource::validate`] refuses, or a baseline window of 0 or
/// baseline days that are negative or not finite; any error of [`Planner::new`] or
/// [`Planner::recommend`] on the engine's inputs (for example a forecast
/// that does not cover a replayed day).
pub fn backtest(
    setup: &BacktestSetup,
    demand: &[Quantity],
    forecast: &impl DemandForecast,
    lead: &impl LeadTimeForecast,
    rule: &ReplenishmentRule,
) -> Result<BacktestReport> {
    if demand.is_empty() {
        return Err(ReorderError::EmptyHistory { sku: setup.sku.clone() });
    }
    if setup.initial_on_hand.is_negative() {
        // Lost sales leave nothing owed: a negative shelf would swallow
        // the first arrivals and count below zero in the average.
        return Err(ReorderError::InvalidSetting {
            setting: "backtest.initial_on_hand",
            reason: format!(
                "{} units on the shelf; it must not be negative",
                setup.initial_on_hand
            ),
        });
    }
    setup.constraints.validate(&setup.sku)?;
    setup.lead_times.validate()?;
    if let Some(costs) = &setup.costs {
        costs.validate(&setup.sku)?;
    }
    let planner = match rule {
        ReplenishmentRule::Engine(options) => Some(Planner::new(*options)?),
        ReplenishmentRule::DaysOfSupply { threshold_days, cover_days, window_days } => {
            let days_ok = |d: f64| d.is_finite() && d >= 0.0;
            if *window_days == 0 || !days_ok(*threshold_days) || !days_ok(*cover_days) {
                return Err(ReorderError::InvalidSetting {
                    setting: "days_of_supply",
                    reason: format!(
                        "window ({window_days}) must be at least 1 day and threshold \
                         ({}) and cover ({}) days finite and >= 0",
                        ShortFloat(*threshold_days),
                        ShortFloat(*cover_days)
                    ),
                });
            }
            None
        }
    };
    let review_every = match rule {
        ReplenishmentRule::Engine(o) => match o.policy.policy {
            Policy::PeriodicReview { review_days } => usize::try_from(review_days).unwrap_or(1),
            _ => 1,
        },
        ReplenishmentRule::DaysOfSupply { .. } => 1,
    };

    let mut draws = LeadTimes::new(&setup.lead_times);
    let mut pipeline: Vec<Pipeline> = Vec::new();
    let mut previous: Option<PreviousRecommendation> = None;
    let mut on_hand = setup.initial_on_hand.get();
    let mut sim = Tally::default();

    for (t, want) in demand.iter().enumerate() {
        let date = day(setup.start, t)?;
        // Arrivals.
        let before = pipeline.len();
        let arrived = pipeline.iter().filter(|o| o.arrives_index <= t).map(|o| o.quantity);
        on_hand = checked_units(&setup.sku, arrived.chain([on_hand]))?;
        pipeline.retain(|o| o.arrives_index > t);
        if pipeline.len() < before {
            sim.close_cycle();
        }
        // Review.
        if t % review_every == 0 {
            let mut projected_stockout = None;
            let quantity = match (&planner, rule) {
                (Some(p), _) => {
                    let input =
                        engine_input(setup, date, on_hand, &pipeline, forecast, lead, previous)?;
                    let rec = p.recommend(&input)?;
                    previous = Some(rec.as_previous());
                    projected_stockout = rec.stockout;
                    rec.order.map_or(0, |o| o.quantity.get())
                }
                (
                    None,
                    ReplenishmentRule::DaysOfSupply { threshold_days, cover_days, window_days },
                ) => {
                    let avg = trailing_mean(demand, t, *window_days);
                    let on_order = pipeline.iter().map(|o| o.quantity);
                    let position = checked_units(&setup.sku, on_order.chain([on_hand]))?;
                    if units_f64(position) <= avg * threshold_days {
                        let need = crate::engine::units_ceil(
                            &setup.sku,
                            "baseline lot",
                            avg * cover_days,
                        )?;
                        setup.constraints.fit(need, setup.constraints.capacity).0.get()
                    } else {
                        0
                    }
                }
                (None, _) => 0,
            };
            if quantity > 0 {
                let lt = draws.draw();
                let arrives_index = t.saturating_add(usize::try_from(lt).unwrap_or(usize::MAX));
                let arrives = day(setup.start, arrives_index).unwrap_or(date);
                let expected = expected_arrival(setup, lead, date);
                sim.orders.push(SimulatedOrder {
                    ordered: date,
                    arrives,
                    quantity: Quantity::new(quantity),
                    projected_stockout,
                });
                if arrives_index <= t {
                    on_hand = checked_units(&setup.sku, [on_hand, quantity])?;
                    sim.close_cycle();
                } else {
                    pipeline.push(Pipeline { arrives_index, expected, quantity });
                }
            }
        }
        // Demand.
        sim.serve(*want, &mut on_hand);
    }
    Ok(sim.report(demand.len()))
}

/// The sum of `units`, or the overflow as a typed error: a replay whose
/// stock or pipeline leaves 64 bits has no true answer to report.
fn checked_units(sku: &Sku, units: impl IntoIterator<Item = i64>) -> Result<i64> {
    Quantity::checked_sum(units.into_iter().map(Quantity::new))
        .map(Quantity::get)
        .map_err(ReorderError::core(sku))
}

/// `i64` units as a float, for statistics.
fn units_f64(units: i64) -> f64 {
    Quantity::new(units).as_f64()
}

fn day(start: NaiveDate, t: usize) -> Result<NaiveDate> {
    u64::try_from(t).ok().and_then(|t| start.checked_add_days(ChronoDays::new(t))).ok_or_else(
        || ReorderError::InvalidSetting {
            setting: "backtest.start",
            reason: format!("{start} plus {t} days leaves the calendar"),
        },
    )
}

fn expected_arrival(
    setup: &BacktestSetup,
    lead: &impl LeadTimeForecast,
    date: NaiveDate,
) -> NaiveDate {
    lead.forecast_lead_time(&setup.sku, &setup.destination, date)
        .and_then(|l| crate::projection::add_days_ceil(date, l.mean.get()))
        .unwrap_or(date)
}

fn engine_input(
    setup: &BacktestSetup,
    date: NaiveDate,
    on_hand: i64,
    pipeline: &[Pipeline],
    forecast: &impl DemandForecast,
    lead: &impl LeadTimeForecast,
    previous: Option<PreviousRecommendation>,
) -> Result<SkuInput> {
    let sku = &setup.sku;
    let f = forecast
        .forecast_demand(sku, date, setup.horizon)
        .ok_or_else(|| ReorderError::NoForecast { sku: sku.clone(), day: date })?;
    let l = lead.forecast_lead_time(sku, &setup.destination, date).ok_or_else(|| {
        ReorderError::NoLeadTime { sku: sku.clone(), destination: setup.destination.to_string() }
    })?;
    let mut input = SkuInput::new(sku.clone(), setup.destination.clone(), date, f, l);
    input.on_hand = Quantity::new(on_hand);
    input.open_supply = pipeline
        .iter()
        .map(|o| OpenSupply {
            kind: SupplyKind::PurchaseOrder,
            quantity: Quantity::new(o.quantity),
            expected: Some(o.expected),
        })
        .collect();
    input.constraints = setup.constraints;
    input.costs = setup.costs;
    input.previous = previous;
    Ok(input)
}

fn trailing_mean(demand: &[Quantity], t: usize, window: usize) -> f64 {
    let from = t.saturating_sub(window);
    let days = demand.get(from..t).unwrap_or(&[]);
    if days.is_empty() {
        return 0.0;
    }
    days.iter().map(|q| demanded(*q).as_f64()).sum::<f64>() / usize_to_f64(days.len())
}

/// Units demanded on a day of the history: a day of net returns (below
/// zero) demands nothing.
fn demanded(day: Quantity) -> Quantity {
    day.clamp_non_negative()
}

/// Running totals of a replay.
#[derive(Default)]
struct Tally {
    net_return_days: usize,
    demand: i64,
    served: i64,
    stockout_days: usize,
    inventory_sum: f64,
    days: usize,
    cycles: usize,
    cycles_with_stockout: usize,
    cycle_days: usize,
    cycle_short: bool,
    orders: Vec<SimulatedOrder>,
}

impl Tally {
    fn serve(&mut self, day: Quantity, on_hand: &mut i64) {
        self.net_return_days += usize::from(day.is_negative());
        let want = demanded(day).get();
        let served = want.min((*on_hand).max(0));
        *on_hand -= served;
        self.demand = self.demand.saturating_add(want);
        self.served = self.served.saturating_add(served);
        if served < want {
            self.stockout_days += 1;
            self.cycle_short = true;
        }
        self.inventory_sum += units_f64(*on_hand);
        self.days += 1;
        self.cycle_days += 1;
    }

    fn close_cycle(&mut self) {
        if self.cycle_days == 0 {
            return;
        }
        self.cycles += 1;
        self.cycles_with_stockout += usize::from(self.cycle_short);
        self.cycle_days = 0;
        self.cycle_short = false;
    }

    fn report(mut self, days: usize) -> BacktestReport {
        self.close_cycle();
        let average_inventory = self.inventory_sum / usize_to_f64(self.days.max(1));
        let served = units_f64(self.served);
        let fill_rate = if self.demand > 0 { served / units_f64(self.demand) } else { 1.0 };
        let cycle_service_level =
            1.0 - usize_to_f64(self.cycles_with_stockout) / usize_to_f64(self.cycles.max(1));
        let inventory_turns =
            if average_inventory > 0.0 { served / average_inventory } else { 0.0 };
        BacktestReport {
            days,
            demand: self.demand,
            served: self.served,
            lost_sales: self.demand - self.served,
            fill_rate,
            cycles: self.cycles,
            cycles_with_stockout: self.cycles_with_stockout,
            cycle_service_level,
            stockout_days: self.stockout_days,
            average_inventory,
            inventory_turns,
            orders_placed: self.orders.len(),
            orders: self.orders,
            net_return_days: self.net_return_days,
        }
    }
}

/// The reports of a grid of rules and the best one.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct TuningResult {
    /// One report per rule, in the order given.
    pub reports: Vec<BacktestReport>,
    /// The index of the rule with the lowest average inventory among
    /// those reaching `min_fill_rate` (ties to the earlier rule), if any.
    pub best: Option<usize>,
}

/// Replays every rule in `grid` on the same history and picks the one
/// that reaches `min_fill_rate` with the least average inventory. With
/// the `parallel` feature the rules run on rayon's threads. A
/// `min_fill_rate` at or below 0 (or `-inf`) accepts every rule, one
/// above 1 (or `+inf`) none (`best` is `None`).
///
/// # Errors
///
/// [`ReorderError::InvalidSetting`] (setting `min_fill_rate`) when it is
/// NaN, before anything runs; otherwise the first error of [`backtest`]
/// in grid order.
pub fn tune_grid<F, L>(
    setup: &BacktestSetup,
    demand: &[Quantity],
    forecast: &F,
    lead: &L,
    grid: &[ReplenishmentRule],
    min_fill_rate: f64,
) -> Result<TuningResult>
where
    F: DemandForecast + Sync,
    L: LeadTimeForecast + Sync,
{
    if min_fill_rate.is_nan() {
        return Err(ReorderError::InvalidSetting {
            setting: "min_fill_rate",
            reason: "NaN is not a fill rate".into(),
        });
    }
    let run = |rule: &ReplenishmentRule| backtest(setup, demand, forecast, lead, rule);
    #[cfg(feature = "parallel")]
    let results: Vec<Result<BacktestReport>> = {
        use rayon::prelude::*;
        grid.par_iter().map(run).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let results: Vec<Result<BacktestReport>> = grid.iter().map(run).collect();
    let reports = results.into_iter().collect::<Result<Vec<_>>>()?;
    let best = reports
        .iter()
        .enumerate()
        .filter(|(_, r)| r.fill_rate >= min_fill_rate)
        .min_by(|(i, a), (j, b)| a.average_inventory.total_cmp(&b.average_inventory).then(i.cmp(j)))
        .map(|(i, _)| i);
    Ok(TuningResult { reports, best })
}
