//! `replenish`: what to reorder, and why, on real data.
//!
//! A real UK online retailer's year of daily sales (UCI Online Retail)
//! runs through merchantry's forecasters, reorder engine and inventory
//! ledger, with purchase-order lead times learned from 10,324 real
//! shipments (USAID SCMS). The same year is also run under the common
//! fixed days-of-supply rule, and both are scored on service, stock-outs
//! and inventory turn. Run it with no arguments on the bundled data, or
//! point it at your own files; `--help` lists the options.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::too_many_arguments,
    reason = "a program: it prints its report, and turns statistics into whole units at its edge"
)]

#[macro_use]
#[path = "../common/stdout.rs"]
mod stdout;

mod amazon;
mod data;
mod sim;
mod svg;
#[path = "../common/table.rs"]
mod table;
#[path = "../common/window.rs"]
mod window;

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{Days, NaiveDate};
use clap::Parser;
use merchantry::core::{
    Decimal, Disposition, Lane, LeadTimeEstimate, LeadTimeForecast, LocationId, Quantity,
    Replenishment, ServiceLevel, Sku, StockView, SupplierId, TransportMode,
};
use merchantry::forecast::{ForecastOptions, Forecaster, LeadTimeModel, LeadTimeOptions};
use merchantry::metrics::{LtvOptions, TurnOptions, inventory_turn, ltv_summary};
use merchantry::reorder::{
    BacktestReport, BacktestSetup, ConstraintApplied, LeadTimeSource, LotSize, OpenSupply, Planner,
    PlannerOptions, Policy, PolicyConfig, QuantityRule, Reason, Recommendation, ReplenishmentRule,
    ServiceTarget, SimulatedOrder, SkuInput, SupplierConstraints, SupplyKind, backtest,
    whole_units_up,
};
use serde::Serialize;

use crate::data::BoxError;
use crate::table::{Align, Table};

/// Days of demand forecast for each recommendation.
const FORECAST_DAYS: u32 = 365;

const BUNDLED_RETAIL: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/online_retail_top24.csv.gz");
const BUNDLED_SCMS: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/scms_delivery_history.csv.gz");

/// What to reorder and why, on a real retailer's year of sales.
#[derive(Parser)]
#[command(version, long_about = None, allow_negative_numbers = true)]
struct Args {
    /// Invoice lines in the UCI Online Retail layout (.csv or .csv.gz).
    /// Default: the bundled top-24 slice.
    #[arg(long, value_name = "FILE")]
    retail: Option<PathBuf>,
    /// Shipments in the USAID SCMS layout (.csv or .csv.gz), from which
    /// lead times are learned. Default: the bundled copy.
    #[arg(long, value_name = "FILE")]
    scms: Option<PathBuf>,
    /// Run on a folder of your own Amazon reports instead: the Inventory
    /// Ledger detail and summary views, Manage FBA Inventory, All Orders
    /// and FBA Reimbursements (for the Claims section), recognised by
    /// header or name; lead time from
    /// --lead-time-days and --lead-time-sd, unit cost from --cost-share
    /// times the listing price. One marketplace per folder: All Orders
    /// lines from several marketplaces or currencies stop the run (see
    /// --pool-marketplaces).
    #[arg(long, value_name = "DIR")]
    amazon: Option<PathBuf>,
    /// With --amazon: plan All Orders lines from several marketplaces as
    /// one demand on one stock, as a pan-European FBA seller's Amazon.de,
    /// .fr, .it and .es draw on one pool. The lines must share one
    /// currency; the pooled marketplaces are printed.
    #[arg(long)]
    pool_marketplaces: bool,
    /// How --amazon reports write all-numeric dates such as 01/03/2026:
    /// month-first (Amazon US, CA, MX) or day-first (UK, Europe).
    /// Default: each file decides from its own dates; a file that cannot
    /// tell is read month first and the output says so, and one whose
    /// later dates refute that stops the run. Dates written year first
    /// (2026/01/15) are read year, month, day under either order.
    #[arg(long, value_enum, value_name = "ORDER")]
    date_order: Option<DateOrderArg>,
    /// With --amazon: days a lost or damaged write-off is given before
    /// the Claims section calls it one to file. Default 30: Amazon
    /// reconciles most warehouse losses and pays for them on its own
    /// within weeks, so a younger write-off is listed as one to wait on.
    #[arg(long, value_name = "DAYS")]
    claim_days: Option<u32>,
    /// With --amazon: lead time in days assumed. Default 60.
    #[arg(long, value_name = "DAYS")]
    lead_time_days: Option<f64>,
    /// With --amazon: standard deviation of that lead time in days.
    /// Default 10.
    #[arg(long, value_name = "DAYS")]
    lead_time_sd: Option<f64>,
    /// How many of the best-selling stock codes to plan.
    #[arg(long, default_value_t = 12, value_name = "N")]
    skus: usize,
    /// Target cycle service level: the chance a replenishment cycle ends
    /// without a stock-out.
    #[arg(long, default_value_t = 0.95, value_name = "P")]
    service_level: f64,
    /// Days before the projected stock-out the goods should land.
    #[arg(long, default_value_t = 3, value_name = "DAYS")]
    buffer_days: u32,
    /// Days of history used only to fit the first forecasts.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    warm_up_days: u32,
    /// Assumed unit cost as a share of the median sale price (the data
    /// has prices, not costs).
    #[arg(long, default_value = "0.40", value_name = "SHARE")]
    cost_share: Decimal,
    /// Units per supplier case; orders are whole cases.
    #[arg(long, default_value_t = 12, value_name = "UNITS")]
    case_pack: i64,
    /// The supplier's minimum order, in days of the warm-up sales rate.
    #[arg(long, default_value_t = 14.0, value_name = "DAYS")]
    moq_days: f64,
    /// Let the forecast reset its level after a jump in sales. Off by
    /// default here: this retailer's series are dominated by single
    /// wholesale orders of hundreds of units, which are not new levels.
    #[arg(long)]
    react: bool,
    /// Days of supply each order covers (both policies).
    #[arg(long, default_value_t = 60.0, value_name = "DAYS")]
    cover_days: f64,
    /// Write the results as JSON: to FILE, beside the printed report;
    /// with no FILE, to standard output instead of the report.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    json: Option<Option<PathBuf>>,
    /// Also draw projected stock, reorder point and orders of the top
    /// four SKUs to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    plot: Option<PathBuf>,
}

/// `--date-order`: how all-numeric dates are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum DateOrderArg {
    /// `MM/DD/YYYY`.
    MonthFirst,
    /// `DD/MM/YYYY`.
    DayFirst,
}

impl DateOrderArg {
    const fn describe(self) -> &'static str {
        match self {
            Self::MonthFirst => "month first (MM/DD/YYYY)",
            Self::DayFirst => "day first (DD/MM/YYYY)",
        }
    }
}

impl From<DateOrderArg> for merchantry::amazon::DateOrder {
    fn from(order: DateOrderArg) -> Self {
        match order {
            DateOrderArg::MonthFirst => Self::MonthFirst,
            DateOrderArg::DayFirst => Self::DayFirst,
        }
    }
}

/// Refuses option values outside what a replenishment plan can mean,
/// naming the flag, before any file is read.
fn check_args(args: &Args) -> Result<(), String> {
    let within = |flag: &str, value: f64, lo: f64, hi: f64| {
        if (lo..=hi).contains(&value) {
            Ok(())
        } else {
            Err(format!("{flag} {value:?} must be between {lo} and {hi}"))
        }
    };
    within("--lead-time-days", args.lead_time_days(), 1.0, 730.0)?;
    within("--lead-time-sd", args.lead_time_sd(), 0.0, 365.0)?;
    within("--moq-days", args.moq_days, 0.0, 365.0)?;
    within("--cover-days", args.cover_days, 1.0, 365.0)?;
    if !(1..=100_000).contains(&args.case_pack) {
        return Err(format!("--case-pack {} must be between 1 and 100000", args.case_pack));
    }
    if args.skus == 0 {
        return Err("--skus must be at least 1".to_owned());
    }
    ServiceLevel::new(args.service_level)
        .map_err(|e| format!("--service-level {}: {e}", args.service_level))?;
    if args.buffer_days > 365 {
        return Err(format!("--buffer-days {} is more than a year", args.buffer_days));
    }
    if !(28..=3_650).contains(&args.warm_up_days) {
        return Err(format!(
            "--warm-up-days {} must be between 28 (four weeks to fit on) and 3650",
            args.warm_up_days
        ));
    }
    if args.cost_share <= Decimal::ZERO || args.cost_share > Decimal::ONE {
        return Err(format!(
            "--cost-share {} must be above 0 and at most 1 (a share of the price)",
            args.cost_share
        ));
    }
    Ok(())
}

/// Flags given to the wrong kind of run: those of the bundled and
/// retail data with `--amazon`, those of `--amazon` without it.
fn check_amazon_flags(args: &Args) -> Result<(), &'static str> {
    if args.amazon.is_some()
        && (args.plot.is_some() || args.retail.is_some() || args.scms.is_some())
    {
        return Err("--plot, --retail and --scms do not apply to --amazon runs");
    }
    if args.amazon.is_none() && args.date_order.is_some() {
        return Err("--date-order applies to --amazon runs only");
    }
    if args.amazon.is_none() && args.pool_marketplaces {
        return Err("--pool-marketplaces applies to --amazon runs only");
    }
    if args.amazon.is_none() && args.claim_days.is_some() {
        return Err("--claim-days applies to --amazon runs only");
    }
    if args.amazon.is_none() && (args.lead_time_days.is_some() || args.lead_time_sd.is_some()) {
        return Err("--lead-time-days and --lead-time-sd apply to --amazon runs only (the \
                    default run replays real purchase orders' lead times)");
    }
    Ok(())
}

impl Args {
    /// The lead time assumed for --amazon runs, in days.
    fn lead_time_days(&self) -> f64 {
        self.lead_time_days.unwrap_or(60.0)
    }

    /// Its standard deviation, in days.
    fn lead_time_sd(&self) -> f64 {
        self.lead_time_sd.unwrap_or(10.0)
    }
}

fn main() {
    let args = Args::parse();
    if let Err(e) = check_args(&args) {
        eprintln!("replenish: {e}");
        std::process::exit(2);
    }
    if let Err(e) = check_amazon_flags(&args) {
        eprintln!("replenish: {e}");
        std::process::exit(2);
    }
    let result = match &args.amazon {
        Some(dir) => amazon::run(&args, dir),
        None => run(&args),
    };
    if let Err(e) = result {
        eprintln!("replenish: {e}");
        std::process::exit(1);
    }
}

/// One SKU replayed under one policy.
struct SkuRun {
    row: PolicyRow,
    replay: sim::Replay,
    report: BacktestReport,
}

/// Everything the run reports, for `--json`.
#[derive(Serialize)]
struct Output {
    assumptions: Vec<String>,
    /// What the urgency labels mean.
    legend: String,
    recommendations: Vec<RecRow>,
    policies: Vec<PolicyRow>,
    per_sku: Vec<SkuRow>,
    lead_time_variance: Vec<ModeRow>,
}

#[derive(Serialize)]
struct RecRow {
    sku: String,
    description: String,
    /// `None` when no report gives the SKU's stock (`--amazon`): the row
    /// says why, and the table shows `-`.
    on_hand: Option<i64>,
    /// `None` when the SKU's units on order are unknown (`--amazon`: a
    /// stock report without inbound columns, or none); the reason says
    /// what the order counted instead.
    on_order: Option<i64>,
    velocity_per_day: f64,
    lead_time_mean_days: f64,
    lead_time_sd_days: f64,
    reorder_point: f64,
    safety_stock: f64,
    /// `None` when the SKU was not planned (its stock is unknown).
    order_quantity: Option<i64>,
    /// Latest day to order so goods land before the projected stock-out.
    order_by: Option<NaiveDate>,
    /// Day the position is projected to reach the reorder point.
    reorder_on: Option<NaiveDate>,
    /// When to order: the earlier of the two.
    order_on: Option<NaiveDate>,
    urgency: String,
    reason: String,
}

#[derive(Serialize, Default, Clone)]
struct PolicyRow {
    policy: String,
    demand: i64,
    served: i64,
    lost_units: i64,
    fill_rate: f64,
    cycle_service_level: f64,
    stockout_days: usize,
    orders: usize,
    cogs: Decimal,
    average_inventory_value: Decimal,
    inventory_turn: Option<Decimal>,
}

#[derive(Serialize)]
struct SkuRow {
    sku: String,
    unit_cost: Decimal,
    engine: PolicyRow,
    baseline: PolicyRow,
}

#[derive(Serialize)]
struct ModeRow {
    mode: String,
    shipments: usize,
    mean_days_late: Option<f64>,
    p90_days_late: Option<f64>,
    on_time_share: f64,
}

fn run(args: &Args) -> Result<(), BoxError> {
    let service = ServiceLevel::new(args.service_level)?;
    let retail_path = args.retail.clone().unwrap_or_else(|| BUNDLED_RETAIL.into());
    let scms_path = args.scms.clone().unwrap_or_else(|| BUNDLED_SCMS.into());
    let retail = data::load_retail(&retail_path)?;
    let scms = data::load_scms(&scms_path)?;

    let warehouse = LocationId::new("UK-WAREHOUSE")?;
    let (lead_model, lead_days, lane) = learn_lead_times(&scms.replenishments, &warehouse)?;
    let skus: Vec<&data::SkuSales> = retail.skus.iter().take(args.skus).collect();
    let Some(first_sku) = skus.first() else {
        return Err(format!(
            "{}: no stock code to plan: none of its {} lines is a sale of a product at a \
             price (postage and fee codes such as POST or M, cancellations and free lines \
             are not demand)",
            retail_path.display(),
            retail.lines,
        )
        .into());
    };
    let total_days = usize::try_from((retail.last_day - retail.first_day).num_days() + 1)?;
    let warm_up = usize::try_from(args.warm_up_days)?.min(total_days.saturating_sub(30));
    let sim_start = retail.first_day + Days::new(u64::try_from(warm_up)?);
    let history: BTreeMap<Sku, Vec<Quantity>> = skus
        .iter()
        .map(|s| {
            let daily = (0..total_days)
                .map(|i| {
                    let day = retail.first_day + Days::new(i as u64);
                    Quantity::new(s.sold.get(&day).copied().unwrap_or(0))
                })
                .collect();
            (s.sku.clone(), daily)
        })
        .collect();
    let mut forecast_options = ForecastOptions::default();
    if !args.react {
        forecast_options.reaction = None;
    }
    let forecaster = Forecaster::new(forecast_options);
    let rolling = sim::Rolling::new(forecaster, retail.first_day, &history, 7);
    let mut model = lead_model;
    for s in &skus {
        model.assign(s.sku.clone(), lane.clone());
    }
    let estimate = model
        .forecast_lead_time(&first_sku.sku, &warehouse, sim_start)
        .ok_or("no lead-time estimate for the pooled lane")?;

    let engine_options = |level: ServiceLevel| {
        let mut options = PlannerOptions::new(PolicyConfig {
            service: ServiceTarget::CycleService(level),
            ..PolicyConfig::new(Policy::ContinuousReview {
                lot: LotSize::CoverDays(args.cover_days),
            })
        });
        options.buffer_days = args.buffer_days;
        options
    };
    let options = engine_options(service);
    let threshold = (estimate.mean.get() + 14.0).round();
    let baseline = ReplenishmentRule::DaysOfSupply {
        threshold_days: threshold,
        cover_days: args.cover_days,
        window_days: 30,
    };

    let sim_range = sim::days(sim_start, total_days - warm_up)?;
    let setups = skus
        .iter()
        .map(|s| {
            let units = &history[&s.sku];
            let warm: i64 = units[..warm_up].iter().map(|q| q.get()).sum();
            let per_day = warm as f64 / warm_up.max(1) as f64;
            let opening = Quantity::new((per_day * (estimate.mean.get() + 30.0)).round() as i64);
            let mut setup = BacktestSetup::new(
                s.sku.clone(),
                warehouse.clone(),
                sim_start,
                opening,
                LeadTimeSource::Historical(lead_days.clone()),
            );
            setup.constraints.case_pack = Quantity::new(args.case_pack);
            setup.constraints.moq = Quantity::new((per_day * args.moq_days).ceil() as i64);
            setup.horizon = 365;
            let unit_cost = (s.median_price * args.cost_share).round_dp(4);
            (setup, unit_cost, &units[warm_up..])
        })
        .collect::<Vec<_>>();
    let simulate = |name: &str, rule: &ReplenishmentRule| -> Result<Vec<SkuRun>, BoxError> {
        setups
            .iter()
            .map(|(setup, unit_cost, demand)| {
                let report = backtest(setup, demand, &rolling, &model, rule)?;
                let replay = sim::replay(
                    &setup.sku,
                    &warehouse,
                    sim_start,
                    setup.initial_on_hand,
                    demand,
                    &report.orders,
                    *unit_cost,
                )?;
                if replay.lost != report.lost_sales {
                    return Err(format!(
                        "{}: the ledger replay lost {} units, the backtest {}",
                        setup.sku, replay.lost, report.lost_sales
                    )
                    .into());
                }
                let row = score(name, &report, &replay, &setup.sku, sim_range)?;
                Ok(SkuRun { row, replay, report })
            })
            .collect()
    };
    let engine_runs = simulate("engine", &ReplenishmentRule::Engine(options))?;
    let baseline_runs = simulate("baseline", &baseline)?;
    let baseline_total =
        total(&format!("fixed {threshold:.0}-day threshold"), baseline_runs.iter().map(|r| &r.row));

    // The engine again, at the highest service target whose stock costs no
    // more than the baseline's: the comparison at equal money in stock.
    let mut matched = None;
    for level in [0.95, 0.9, 0.85, 0.8, 0.7, 0.6, 0.5, 0.4] {
        let rule = ReplenishmentRule::Engine(engine_options(ServiceLevel::new(level)?));
        let runs = simulate("engine", &rule)?;
        let t =
            total(&format!("engine at {:.0}% target", level * 100.0), runs.iter().map(|r| &r.row));
        if t.average_inventory_value <= baseline_total.average_inventory_value {
            matched = Some(t);
            break;
        }
    }

    // Recommendations for the day after the data ends.
    let today = retail.last_day + Days::new(1);
    let planner = Planner::new(options)?;
    let mut recs = Vec::new();
    for ((s, run), (setup, _, _)) in skus.iter().zip(&engine_runs).zip(&setups) {
        let rec =
            recommend(&planner, &rolling, &model, s, run, &setup.constraints, &warehouse, today)?;
        recs.push(rec_row(s, &rec, args.cover_days));
    }
    let per_sku: Vec<SkuRow> = engine_runs
        .iter()
        .zip(&baseline_runs)
        .zip(&setups)
        .map(|((e, b), (setup, unit_cost, _))| SkuRow {
            sku: setup.sku.to_string(),
            unit_cost: *unit_cost,
            engine: e.row.clone(),
            baseline: b.row.clone(),
        })
        .collect();

    let modes = lead_time_by_mode(&scms.replenishments)?;
    let mut policies = vec![
        total(
            &format!("engine at {:.0}% target", args.service_level * 100.0),
            per_sku.iter().map(|r| &r.engine),
        ),
        baseline_total,
    ];
    policies.extend(matched);
    let mut assumptions = vec![
        format!(
            "sales: {} ({} lines, {} to {}); {} stock codes planned, the first {} days only fit the forecasts{}",
            file_name(&retail_path),
            retail.lines,
            retail.first_day,
            retail.last_day,
            skus.len(),
            warm_up,
            if warm_up < usize::try_from(args.warm_up_days)? {
                " (fewer than --warm-up-days asks: 30 days are kept to replay)"
            } else {
                ""
            }
        ),
        format!(
            "lead times: {} air-freight purchase orders from {} (PO sent to delivered), pooled into one lane; forecast {:.1} +/- {:.1} days, realised lead times replayed from the same orders in PO-date order",
            lead_days.len(),
            file_name(&scms_path),
            estimate.mean.get(),
            estimate.std_dev.get()
        ),
        format!(
            "skipped: {} unreadable sales rows; shipment lines without usable dates or mode: {}",
            retail.row_errors,
            scms.skipped.iter().map(|(why, n)| format!("{n} {why}")).collect::<Vec<_>>().join(", ")
        ),
        format!(
            "unit cost = {} x median sale price (the data has prices only); sale lines at price 0 are not demand; opening stock = warm-up sales per day x (mean lead time + 30 days)",
            args.cost_share
        ),
        format!(
            "engine: continuous review, {} cycle service level; {}; goods to land {} days before the projected stock-out; baseline: order {} days of the 30-day average when stock plus orders fall to {threshold:.0} days of it",
            args.service_level,
            order_rule(args.cover_days, args.moq_days, "warm-up", args.case_pack),
            args.buffer_days,
            args.cover_days
        ),
    ];
    assumptions.extend(retail.left_out.iter().cloned());
    let legend = urgency_legend(planner.options().soon_days, args.buffer_days, FORECAST_DAYS);
    let output = Output {
        assumptions,
        legend,
        recommendations: recs,
        policies,
        per_sku,
        lead_time_variance: modes,
    };
    emit(&output, args.json.as_ref(), || print_report(&output, today))?;
    if let Some(path) = &args.plot {
        let runs: Vec<(&SkuRun, &SkuRun)> = engine_runs.iter().zip(&baseline_runs).collect();
        let constraints: Vec<&SupplierConstraints> =
            setups.iter().map(|s| &s.0.constraints).collect();
        let panels = plot_panels(
            &skus,
            &runs,
            &constraints,
            &planner,
            &rolling,
            &model,
            &warehouse,
            sim_start,
        )?;
        std::fs::write(path, svg::render(&panels))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

/// The last part of a path, for the report.
fn file_name(path: &std::path::Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into())
}

/// Learns a lead-time model from the air-freight purchase orders pooled
/// into one lane, and returns the realised days in PO-date order.
fn learn_lead_times(
    replenishments: &[Replenishment],
    destination: &LocationId,
) -> Result<(LeadTimeModel, Vec<u32>, Lane), BoxError> {
    let lane = Lane {
        supplier: SupplierId::new("SCMS-AIR-POOL")?,
        origin: None,
        destination: destination.clone(),
        mode: TransportMode::Air,
    };
    let mut pooled: Vec<Replenishment> = replenishments
        .iter()
        .filter(|r| r.lane.mode == TransportMode::Air)
        .map(|r| Replenishment { lane: lane.clone(), sku: None, ..r.clone() })
        .collect();
    if pooled.is_empty() {
        return Err("the shipment file holds no air-freight purchase order with dates".into());
    }
    pooled.sort_by(|a, b| a.ordered_on.cmp(&b.ordered_on).then_with(|| a.id.cmp(&b.id)));
    let days =
        pooled.iter().map(|r| u32::try_from(r.actual_days().max(0))).collect::<Result<_, _>>()?;
    let model = LeadTimeModel::learn(&pooled, &LeadTimeOptions::default())?;
    Ok((model, days, lane))
}

fn score(
    name: &str,
    report: &BacktestReport,
    replay: &sim::Replay,
    sku: &Sku,
    range: merchantry::core::DateRange,
) -> Result<PolicyRow, BoxError> {
    let turn = inventory_turn(&replay.ledger, sku, range, &TurnOptions::default())?;
    Ok(PolicyRow {
        policy: name.to_owned(),
        demand: report.demand,
        served: replay.served,
        lost_units: replay.lost,
        fill_rate: report.fill_rate,
        cycle_service_level: report.cycle_service_level,
        stockout_days: report.stockout_days,
        orders: report.orders_placed,
        cogs: turn.cogs,
        average_inventory_value: turn.average_inventory,
        inventory_turn: turn.itr.value(),
    })
}

/// Sums the per-SKU rows of one policy; the portfolio's turn is total
/// COGS over the sum of average inventory values.
fn total<'a>(name: &str, rows: impl Iterator<Item = &'a PolicyRow>) -> PolicyRow {
    let mut t = PolicyRow { policy: name.to_owned(), ..PolicyRow::default() };
    let (mut cycles_ok, mut n) = (0.0, 0.0);
    for r in rows {
        t.demand += r.demand;
        t.served += r.served;
        t.lost_units += r.lost_units;
        t.stockout_days += r.stockout_days;
        t.orders += r.orders;
        t.cogs += r.cogs;
        t.average_inventory_value += r.average_inventory_value;
        cycles_ok += r.cycle_service_level;
        n += 1.0;
    }
    t.fill_rate = if t.demand > 0 { t.served as f64 / t.demand as f64 } else { 1.0 };
    t.cycle_service_level = if n > 0.0 { cycles_ok / n } else { 1.0 };
    t.inventory_turn = (!t.average_inventory_value.is_zero())
        .then(|| (t.cogs / t.average_inventory_value).round_dp(2));
    t
}

/// Open supply at the start of `day`: orders placed before it that have
/// not yet arrived.
fn open_supply(orders: &[SimulatedOrder], day: NaiveDate) -> Vec<OpenSupply> {
    orders
        .iter()
        .filter(|o| o.ordered < day && o.arrives >= day)
        .map(|o| OpenSupply {
            kind: SupplyKind::PurchaseOrder,
            quantity: o.quantity,
            expected: Some(o.arrives),
        })
        .collect()
}

fn sku_input(
    rolling: &sim::Rolling<'_>,
    model: &LeadTimeModel,
    sku: &Sku,
    warehouse: &LocationId,
    today: NaiveDate,
    on_hand: Quantity,
    orders: &[SimulatedOrder],
    constraints: &SupplierConstraints,
) -> Result<SkuInput, BoxError> {
    use merchantry::core::DemandForecast;
    let forecast = rolling
        .forecast_demand(sku, today, FORECAST_DAYS)
        .ok_or_else(|| format!("{sku}: no forecast"))?;
    let lead: LeadTimeEstimate = model
        .forecast_lead_time(sku, warehouse, today)
        .ok_or_else(|| format!("{sku}: no lead time"))?;
    let mut input = SkuInput::new(sku.clone(), warehouse.clone(), today, forecast, lead);
    input.on_hand = on_hand;
    input.open_supply = open_supply(orders, today);
    input.constraints = *constraints;
    Ok(input)
}

fn recommend(
    planner: &Planner,
    rolling: &sim::Rolling<'_>,
    model: &LeadTimeModel,
    s: &data::SkuSales,
    run: &SkuRun,
    constraints: &SupplierConstraints,
    warehouse: &LocationId,
    today: NaiveDate,
) -> Result<Recommendation, BoxError> {
    let yesterday = today.pred_opt().ok_or("date out of range")?;
    let on_hand = run.replay.ledger.quantity(&s.sku, warehouse, Disposition::Sellable, yesterday);
    let orders = &run.report.orders;
    let input = sku_input(rolling, model, &s.sku, warehouse, today, on_hand, orders, constraints)?;
    Ok(planner.recommend(&input)?)
}

/// The engine's order rule in words, for the assumptions line: what an
/// order refills to, and the supplier's minimum and case.
fn order_rule(cover_days: f64, moq_days: f64, moq_basis: &str, case_pack: i64) -> String {
    format!(
        "an order refills the inventory position to the reorder point plus {cover_days} days of forecast demand \
         ({cover_days} days of cover when ordered at the reorder point; less when an order-by date comes first \
         and the position is still above it), raised to a minimum order of {moq_days} days of each SKU's \
         {moq_basis} sales (--moq-days), in whole cases of {case_pack}"
    )
}

/// What the reorder-point column shows, in one line, for under the table.
fn point_legend() -> &'static str {
    "reorder pt: the reorder point rounded up to whole units, the figure the position is compared \
     with (at or below it, order) and the one the reason names; an order-up-to sum in a reason \
     adds the lot to the point before rounding"
}

/// The reorder point as the engine's continuous-review trigger compares
/// it with the whole-unit position ([`whole_units_up`]). The column
/// shows this, so it agrees with the reason's "position <= reorder
/// point" figure: a point of 302.06 is 303, not 302.
fn whole_point(point: f64) -> f64 {
    // `+ 0.0` turns the -0 of a point in (-1, 0) into 0 for printing.
    whole_units_up(point) + 0.0
}

/// The urgency labels in one line, for under the table.
fn urgency_legend(soon_days: u32, buffer_days: u32, horizon_days: u32) -> String {
    format!(
        "urgency: late = order today, and even so goods land later than {buffer_days} days before the stock-out; \
         now = order today, goods land in time; soon = order within {soon_days} days (or expedite what is on \
         order); planned = order on the date shown; idle = no order day within the {horizon_days}-day forecast"
    )
}

fn rec_row(s: &data::SkuSales, rec: &Recommendation, cover_days: f64) -> RecRow {
    let quantity = rec.order.as_ref().map_or(0, |o| o.quantity.get());
    let mut why = Vec::new();
    for reason in &rec.reasons {
        match reason {
            Reason::ReorderPointReached { position, reorder_point, .. } => {
                why.push(format!("position {position} <= reorder point {reorder_point:.0}"));
            }
            Reason::OrderByDateReached { stockout, order_by } => {
                // The position may be above the reorder point: what counts
                // is when units land. Say so, or the row reads as wrong.
                why.push(format!(
                    "stock-out projected {stockout} with on-order units counted as they land, \
                     before an order placed now could land (order-by {order_by} passed)"
                ));
            }
            Reason::NetNeed { level, rule: QuantityRule::OrderUpTo, need } => {
                why.push(need_text(rec, *level, *need, cover_days));
            }
            Reason::NetNeed { level, need, .. } => {
                why.push(format!("{need} = whole lots of {level:.0}"));
            }
            Reason::Constraint(c) => why.push(constraint_text(c)),
            Reason::HeldForStability { proposed } => {
                why.push(format!("held: {proposed} would be a jump on unchanged inputs"));
            }
            _ => {}
        }
    }
    if why.is_empty() {
        why.push(when_text(rec));
    }
    let reason = why.join("; ");
    RecRow {
        sku: s.sku.to_string(),
        description: s.description.clone(),
        on_hand: Some(rec.on_hand.get()),
        on_order: Some(rec.on_order.get()),
        velocity_per_day: rec.demand.daily_mean,
        lead_time_mean_days: rec.demand.days,
        lead_time_sd_days: rec.demand.days_std_dev,
        reorder_point: rec.reorder_point,
        safety_stock: rec.safety_stock.units,
        order_quantity: Some(quantity),
        order_by: rec.order_by,
        reorder_on: rec.reorder_on,
        order_on: order_on(rec),
        urgency: format!("{:?}", rec.urgency).to_lowercase(),
        reason,
    }
}

/// When to order: the earlier of the reorder-point day and the order-by
/// date, and not before today (an order-by date that has passed means
/// order, or expedite what is on order, today; the reason says it
/// passed).
fn order_on(rec: &Recommendation) -> Option<NaiveDate> {
    [rec.reorder_on, rec.order_by].into_iter().flatten().min().map(|d| d.max(rec.today))
}

/// How the order-up-to quantity came about: a full lot below the
/// reorder point, only a top-up when an order-by date fired above it.
///
/// The figures are printed to a tenth where they are not whole, or to the
/// first digit that shows the gap is not whole, so the sum reads as it
/// was made: a level of 682.4 less a position of 0 is 682.4, rounded up
/// to 683 (printed whole, 682 less 0 read as 683).
fn need_text(rec: &Recommendation, level: f64, need: Quantity, cover_days: f64) -> String {
    let position = rec.position;
    let gap = level - position.as_f64();
    // A gap within float noise of the need is the need (the planner
    // forgives that noise); one below it needs as many digits as show it
    // is not whole (285.02, not 285, before 286).
    let rounded = need.as_f64() - gap >= 1e-6;
    let digits = if rounded {
        (1..=6).find(|&d| !looks_whole(&format!("{gap:.d$}"))).unwrap_or(6)
    } else {
        1
    };
    let show = |x: f64| to_places(x, digits);
    let need =
        if rounded { format!("{}, rounded up to {need}", show(gap)) } else { need.to_string() };
    let (level, point, lot) = (show(level), show(rec.reorder_point), show(rec.lot));
    if position.as_f64() > rec.reorder_point {
        format!(
            "position {position} is above the reorder point, so the order only tops it up to \
             {level} (reorder point {point} + {cover_days} days of demand {lot}): {need}"
        )
    } else {
        format!(
            "order up to {level} (reorder point {point} + {cover_days} days of demand {lot}) \
             less position {position}: {need}"
        )
    }
}

/// `x` to `digits` places, or with none when those are all zeros.
fn to_places(x: f64, digits: usize) -> String {
    let text = format!("{x:.digits$}");
    if looks_whole(&text) { format!("{x:.0}") } else { text }
}

/// Whether a number printed with decimals has only zeros after the point.
fn looks_whole(text: &str) -> bool {
    text.trim_end_matches('0').ends_with('.')
}

/// Why nothing is ordered today, and when to: the earlier of the day the
/// position reaches the reorder point and the latest order-by date. An
/// order-by date that has passed with nothing ordered is said to have
/// passed, with the advice to expedite the on-order units: the position
/// is at or above the order-up-to level, but those units land after the
/// projected stock-out, and so would an order placed now.
fn when_text(rec: &Recommendation) -> String {
    let position = rec.position;
    match (rec.reorder_on, rec.order_by, rec.stockout) {
        (Some(r), Some(o), _) if r <= o => {
            format!(
                "position {position} reaches its reorder point on {r} (order by {o} at the latest)"
            )
        }
        (Some(r), None, _) => {
            format!(
                "position {position} reaches its reorder point on {r}; no stock-out within the forecast"
            )
        }
        (r, Some(o), stockout) => {
            let stockout = stockout.map_or_else(String::new, |d| format!(" projected {d}"));
            let point =
                r.map_or_else(|| "not within the forecast".to_owned(), |r| format!("only on {r}"));
            if o < rec.today {
                // The engine ordered nothing although the date passed: the
                // position already reaches the order-up-to level (the
                // order-by trigger tops up only below it), so what helps
                // is landing the on-order units sooner (urgency soon).
                let level = rec.order_up_to;
                let shown = to_places(level, 1);
                let covered = if position.as_f64() > level {
                    format!(
                        " (position {position} is above the order-up-to level {shown}, so nothing more is ordered)"
                    )
                } else if position.as_f64() == level {
                    format!(
                        " (position {position} is at the order-up-to level, so nothing more is ordered)"
                    )
                } else {
                    String::new()
                };
                format!(
                    "order-by {o} passed: the stock-out{stockout} comes before the on-order units land, \
                     and an order placed now would land too late as well; expedite the on-order \
                     units{covered}; the position reaches its reorder point {point}"
                )
            } else {
                format!(
                    "order by {o} to land goods before the stock-out{stockout} (on-order units land too late); \
                     the position reaches its reorder point {point}"
                )
            }
        }
        (None, None, Some(d)) => format!("position {position} lasts to {d}"),
        (None, None, None) => format!("position {position} covers the forecast"),
    }
}

fn constraint_text(c: &ConstraintApplied) -> String {
    match c {
        ConstraintApplied::RaisedToMoq { from, to } => format!("{from} raised to the minimum {to}"),
        ConstraintApplied::RoundedUpToCasePack { from, to } => {
            format!("{from} rounded up to whole cases: {to}")
        }
        ConstraintApplied::CappedAtMaxPerOrder { from, to } => format!("{from} capped at {to}"),
        other => format!("{other:?}"),
    }
}

fn lead_time_by_mode(replenishments: &[Replenishment]) -> Result<Vec<ModeRow>, BoxError> {
    let mut by_mode: BTreeMap<String, Vec<Replenishment>> = BTreeMap::new();
    for r in replenishments {
        by_mode.entry(r.lane.mode.to_string()).or_default().push(r.clone());
    }
    let mut rows = Vec::new();
    for (mode, group) in by_mode {
        let first = group.iter().map(|r| r.ordered_on).min().ok_or("empty group")?;
        let last = group.iter().map(|r| r.ordered_on).max().ok_or("empty group")?;
        let window = merchantry::core::DateRange::inclusive(first, last)?;
        let summary = ltv_summary(&group, window, &LtvOptions::default())?;
        let on_time = group.iter().filter(|r| r.variance_days() <= 0).count();
        rows.push(ModeRow {
            mode,
            shipments: summary.count,
            mean_days_late: summary.mean_days.value(),
            p90_days_late: summary.p90_days.value(),
            on_time_share: on_time as f64 / group.len() as f64,
        });
    }
    Ok(rows)
}

/// The recommendations table of both modes. With `history` each row's
/// own mean per day over the reports stands beside the forecast's;
/// without it the forecast alone is shown as units per day.
fn recommendation_table(name: &str, history: bool, rows: &[(&RecRow, Option<f64>)]) -> Table {
    let mut headers = vec![
        ("SKU", Align::Left),
        (name, Align::Left),
        ("on hand", Align::Right),
        ("on order", Align::Right),
    ];
    if history {
        headers.extend([("history/day", Align::Right), ("forecast/day", Align::Right)]);
    } else {
        headers.push(("units/day", Align::Right));
    }
    headers.extend([
        ("lead time", Align::Right),
        ("reorder pt", Align::Right),
        ("safety", Align::Right),
        ("order qty", Align::Right),
        ("order on", Align::Right),
        ("urgency", Align::Left),
        ("reason", Align::Left),
    ]);
    let mut t = Table::new(&headers);
    for (r, per_day) in rows {
        let mut cells = vec![
            r.sku.clone(),
            r.description.chars().take(24).collect(),
            unknown_or(r.on_hand),
            unknown_or(r.on_order),
        ];
        if history {
            cells.push(per_day.map_or_else(|| "-".to_owned(), |h| format!("{h:.1}")));
        }
        cells.extend([
            format!("{:.1}", r.velocity_per_day),
            format!("{:.0}+/-{:.0} d", r.lead_time_mean_days, r.lead_time_sd_days),
            format!("{:.0}", whole_point(r.reorder_point)),
            format!("{:.0}", r.safety_stock),
            unknown_or(r.order_quantity),
            r.order_on.map_or_else(|| "-".to_owned(), |d| d.to_string()),
            r.urgency.clone(),
            r.reason.clone(),
        ]);
        t.row(cells);
    }
    t
}

/// A count for the table, `-` when unknown.
fn unknown_or(count: Option<i64>) -> String {
    count.map_or_else(|| "-".to_owned(), |n| n.to_string())
}

/// Prints the report and writes `output` as JSON to the `--json` file, or
/// prints only the JSON when `--json` names no file.
fn emit<T: serde::Serialize>(
    output: &T,
    json: Option<&Option<PathBuf>>,
    report: impl FnOnce(),
) -> Result<(), BoxError> {
    match json {
        Some(None) => println!("{}", serde_json::to_string_pretty(output)?),
        Some(Some(path)) => {
            report();
            std::fs::write(path, serde_json::to_string_pretty(output)?)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        None => report(),
    }
    Ok(())
}

fn print_report(out: &Output, today: NaiveDate) {
    println!("merchantry replenish: what to reorder on {today}, and why\n");
    for a in &out.assumptions {
        println!("  - {a}");
    }
    println!("\nReorder recommendations for {today}");
    let rows: Vec<(&RecRow, Option<f64>)> = out.recommendations.iter().map(|r| (r, None)).collect();
    print!("{}", recommendation_table("description", false, &rows).render());
    println!("{}", point_legend());
    println!("{}", out.legend);

    println!("\nThe year replayed under each policy (same sales, same lead times)");
    let mut t = Table::new(&[
        ("policy", Align::Left),
        ("cycle service", Align::Right),
        ("fill rate", Align::Right),
        ("stock-out days", Align::Right),
        ("lost units", Align::Right),
        ("orders", Align::Right),
        ("avg inventory", Align::Right),
        ("COGS", Align::Right),
        ("ITR", Align::Right),
    ]);
    for p in &out.policies {
        t.row(vec![
            p.policy.clone(),
            format!("{:.1}%", p.cycle_service_level * 100.0),
            format!("{:.1}%", p.fill_rate * 100.0),
            p.stockout_days.to_string(),
            p.lost_units.to_string(),
            p.orders.to_string(),
            format!("£{:.0}", p.average_inventory_value),
            format!("£{:.0}", p.cogs),
            p.inventory_turn.map_or_else(|| "-".to_owned(), |v| format!("{v:.2}")),
        ]);
    }
    print!("{}", t.render());

    println!("\nLead-time variance on the SCMS purchase orders (delivered - scheduled)");
    let mut t = Table::new(&[
        ("mode", Align::Left),
        ("orders", Align::Right),
        ("mean days late", Align::Right),
        ("p90 days late", Align::Right),
        ("on time or early", Align::Right),
    ]);
    let opt = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.1}"));
    for m in &out.lead_time_variance {
        t.row(vec![
            m.mode.clone(),
            m.shipments.to_string(),
            opt(m.mean_days_late),
            opt(m.p90_days_late),
            format!("{:.1}%", m.on_time_share * 100.0),
        ]);
    }
    print!("{}", t.render());
}

fn plot_panels(
    skus: &[&data::SkuSales],
    runs: &[(&SkuRun, &SkuRun)],
    constraints: &[&SupplierConstraints],
    planner: &Planner,
    rolling: &sim::Rolling<'_>,
    model: &LeadTimeModel,
    warehouse: &LocationId,
    start: NaiveDate,
) -> Result<Vec<svg::Panel>, BoxError> {
    let mut panels = Vec::new();
    for ((s, (engine_run, baseline_run)), constraints) in
        skus.iter().zip(runs).zip(constraints).take(4)
    {
        let (engine, report) = (&engine_run.replay, &engine_run.report);
        let baseline = &baseline_run.replay;
        let mut rop = Vec::with_capacity(engine.on_hand.len());
        for (i, _) in engine.on_hand.iter().enumerate() {
            let day = start + Days::new(i as u64);
            let before = if i == 0 { None } else { engine.on_hand.get(i - 1) };
            let on_hand = Quantity::new(before.copied().unwrap_or(0));
            let input = sku_input(
                rolling,
                model,
                &s.sku,
                warehouse,
                day,
                on_hand,
                &report.orders,
                constraints,
            )?;
            rop.push(planner.recommend(&input)?.reorder_point);
        }
        let index = |d: NaiveDate| usize::try_from((d - start).num_days()).ok();
        panels.push(svg::Panel {
            title: format!("{} {}", s.sku, s.description),
            series: vec![
                svg::Series {
                    label: "on hand (engine)".into(),
                    colour: "#1f77b4",
                    points: engine.on_hand.iter().map(|&v| v as f64).collect(),
                    dashed: false,
                },
                svg::Series {
                    label: "on hand (fixed threshold)".into(),
                    colour: "#ff7f0e",
                    points: baseline.on_hand.iter().map(|&v| v as f64).collect(),
                    dashed: false,
                },
                svg::Series {
                    label: "reorder point".into(),
                    colour: "#555",
                    points: rop,
                    dashed: true,
                },
            ],
            orders: report.orders.iter().filter_map(|o| index(o.ordered)).collect(),
            arrivals: report.orders.iter().filter_map(|o| index(o.arrives)).collect(),
        });
    }
    Ok(panels)
}

#[cfg(test)]
mod tests {
    use merchantry::core::{DailyForecast, Days as LeadDays};

    use super::*;

    fn day(offset: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap() + Days::new(offset)
    }

    /// `--help` for `--amazon` names every report the folder is read
    /// for, FBA Reimbursements included (tester ab: it was missing).
    #[test]
    fn amazon_help_names_every_report_read() {
        use clap::CommandFactory;
        let command = Args::command();
        let arg = command.get_arguments().find(|a| a.get_id() == "amazon");
        let help = arg.and_then(|a| a.get_long_help().or_else(|| a.get_help()));
        let help = help.map(ToString::to_string).unwrap_or_default();
        let amazon = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for report in [
            "Inventory Ledger detail and summary views",
            "Manage FBA Inventory",
            "All Orders",
            "FBA Reimbursements",
        ] {
            assert!(amazon.contains(report), "{report}: {amazon}");
        }
    }

    /// `--claim-days`, `--lead-time-days` and `--lead-time-sd` without
    /// `--amazon` are usage errors, as `--date-order` and
    /// `--pool-marketplaces` are; with it, they are used.
    #[test]
    fn amazon_only_flags_need_amazon() {
        let check = |flags: &[&str]| {
            check_amazon_flags(&Args::parse_from(
                std::iter::once("replenish").chain(flags.to_vec()),
            ))
        };
        assert_eq!(
            check(&["--claim-days", "10"]),
            Err("--claim-days applies to --amazon runs only")
        );
        assert_eq!(
            check(&["--date-order", "day-first"]).map_err(|e| e.contains("--date-order")),
            Err(true)
        );
        assert_eq!(check(&["--amazon", "d", "--claim-days", "10"]), Ok(()));
        for flag in ["--lead-time-days", "--lead-time-sd"] {
            assert!(check(&[flag, "20"]).is_err_and(|e| e.contains(flag)), "{flag}");
            assert_eq!(check(&["--amazon", "d", flag, "20"]), Ok(()), "{flag}");
        }
        assert_eq!(check(&[]), Ok(()));
    }

    /// 20 a day (sd 5) for 120 days, lead time 10 +/- `sd_l` days, 30
    /// days of cover per order; `on_hand` on the shelf and `po` units
    /// due on day `due`.
    fn rec(sd_l: f64, on_hand: i64, po: i64, due: u64) -> Recommendation {
        let forecast = DailyForecast::new(day(0), vec![20.0; 120], vec![5.0; 120]).unwrap();
        let lead = LeadTimeEstimate {
            mean: LeadDays::new(10.0).unwrap(),
            std_dev: LeadDays::new(sd_l).unwrap(),
            stages: vec![],
            quantiles: vec![],
        };
        let sku = Sku::new("MUG").unwrap();
        let mut input = SkuInput::new(sku, LocationId::new("WH").unwrap(), day(0), forecast, lead);
        input.on_hand = Quantity::new(on_hand);
        if po > 0 {
            input.open_supply = vec![OpenSupply {
                kind: SupplyKind::PurchaseOrder,
                quantity: Quantity::new(po),
                expected: Some(day(due)),
            }];
        }
        let policy = PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(30.0) });
        Planner::new(PlannerOptions::new(policy)).unwrap().recommend(&input).unwrap()
    }

    fn sales() -> data::SkuSales {
        data::SkuSales {
            sku: Sku::new("MUG").unwrap(),
            description: "MUG".into(),
            sold: BTreeMap::new(),
            units: 0,
            median_price: Decimal::ZERO,
        }
    }

    #[test]
    fn the_reorder_point_day_leads_when_it_comes_first() {
        // sd_L 5: s = 200 + 1.6449 * sqrt(10 * 25 + 400 * 25) = 366.53.
        // 500 on hand: 500 - 20 k <= 366.53 first at k = 7; stock-out on
        // day 25 (500 - 26 * 20 < 0), order by 25 - 3 - 10 = day 12.
        let row = rec_row(&sales(), &rec(5.0, 500, 0, 0), 30.0);
        assert_eq!((row.reorder_on, row.order_by), (Some(day(7)), Some(day(12))));
        assert_eq!(row.order_on, Some(day(7)));
        assert_eq!(row.urgency, "soon");
        assert_eq!(
            row.reason,
            "position 500 reaches its reorder point on 2026-10-08 (order by 2026-10-13 at the latest)"
        );
    }

    #[test]
    fn the_order_by_date_leads_when_supply_lands_late() {
        // sd_L 2: s = 200 + 1.6449 * sqrt(250 + 1600) = 270.75. 400 on
        // hand and 400 due on day 40: position 800 reaches s first at
        // k = 27 (800 - 540 = 260); the shelf runs out on day 20
        // (400 - 21 * 20 < 0), so order by 20 - 3 - 10 = day 7.
        let row = rec_row(&sales(), &rec(2.0, 400, 400, 40), 30.0);
        assert_eq!((row.reorder_on, row.order_by), (Some(day(27)), Some(day(7))));
        assert_eq!(row.order_on, Some(day(7)));
        assert_eq!(row.urgency, "soon");
        assert_eq!(
            row.reason,
            "order by 2026-10-08 to land goods before the stock-out projected 2026-10-21 \
             (on-order units land too late); the position reaches its reorder point only on 2026-10-28"
        );
    }

    #[test]
    fn a_passed_order_by_date_covered_by_late_supply_says_it_passed() {
        // Tester: "order by 2011-11-11 to land goods ..." on a row for
        // 2011-12-10, with no word that the date had passed. sd_L 2:
        // s = 270.75, order-up-to S = 270.75 + 30 * 20 = 870.75. 100 on
        // hand and 800 due on day 30: position 900 > S, so nothing is
        // ordered, but the shelf runs out on day 5 (100 - 6 * 20 < 0),
        // before the 800 land, and the order-by date 5 - 3 - 10 = day -8
        // (2026-09-23) has passed: an order placed today lands on day 10,
        // too late as well. The position reaches s at k = 32 (900 - 640
        // = 260 <= 270.75; k = 31 leaves 280).
        let row = rec_row(&sales(), &rec(2.0, 100, 800, 30), 30.0);
        assert_eq!(row.order_quantity, Some(0));
        assert_eq!(row.order_by, NaiveDate::from_ymd_opt(2026, 9, 23));
        assert_eq!(row.order_on, Some(day(0)));
        assert_eq!(row.urgency, "soon");
        assert_eq!(
            row.reason,
            "order-by 2026-09-23 passed: the stock-out projected 2026-10-06 comes before the \
             on-order units land, and an order placed now would land too late as well; expedite \
             the on-order units (position 900 is above the order-up-to level 870.7, so nothing \
             more is ordered); the position reaches its reorder point only on 2026-11-02"
        );
    }

    #[test]
    fn a_gap_just_above_a_whole_number_shows_why_it_rounds_up() {
        // Tester: "less position 100: 285, rounded up to 286" (the gap
        // was 285.02 printed to a tenth). Within float noise of the
        // need, the gap is the need.
        let r = rec(2.0, 200, 0, 0);
        let text = need_text(&r, 485.02, Quantity::new(286), 30.0);
        assert!(
            text.ends_with(
                "order up to 485.02 (reorder point 270.75 + 30 days of demand 600) less \
                 position 200: 285.02, rounded up to 286"
            ),
            "{text}"
        );
        let text = need_text(&r, 203.000_000_000_001, Quantity::new(3), 30.0);
        assert!(text.ends_with("less position 200: 3"), "{text}");
    }

    #[test]
    fn an_order_above_the_reorder_point_says_it_only_tops_up() {
        // 100 on hand, 400 due on day 30: position 500 > s = 270.75, but
        // the shelf runs out on day 5 (100 - 6 * 20 < 0) and the order-by
        // date 5 - 3 - 10 has passed: order up to S = 270.75 + 600 =
        // 870.75, so 870.75 - 500 = 370.75, 371 units, not 30 days' 600.
        let r = rec(2.0, 100, 400, 30);
        let row = rec_row(&sales(), &r, 30.0);
        assert_eq!(row.order_quantity, Some(371));
        assert!(
            row.reason.ends_with(
                "position 500 is above the reorder point, so the order only tops it up to 870.7 \
                 (reorder point 270.7 + 30 days of demand 600): 370.7, rounded up to 371"
            ),
            "{}",
            row.reason
        );
        // At or below the reorder point the order is the full lot or more:
        // 200 on hand: 870.75 - 200 = 670.75, 671 units.
        let row = rec_row(&sales(), &rec(2.0, 200, 0, 0), 30.0);
        assert_eq!(row.order_quantity, Some(671));
        assert!(
            row.reason.ends_with(
                "order up to 870.7 (reorder point 270.7 + 30 days of demand 600) less position \
                 200: 670.7, rounded up to 671"
            ),
            "{}",
            row.reason
        );
    }

    #[test]
    fn whole_point_rounds_up_as_the_trigger_does() {
        let thirty: f64 = std::iter::repeat_n(0.1, 30).sum();
        assert!(thirty > 3.0);
        let cases = [
            (302.06, 303.0),
            (270.75, 271.0),
            (thirty, 3.0),
            (5.0, 5.0),
            (-0.5, 0.0),
            (1e-300, 1.0),
        ];
        for (point, want) in cases {
            assert_eq!(whole_point(point), want, "{point}");
        }
        assert_eq!(format!("{:.0}", whole_point(-0.5)), "0");
        assert!(!point_legend().contains('\n'));
    }

    #[test]
    fn the_legend_names_every_urgency() {
        let legend = urgency_legend(7, 3, 365);
        for label in ["late =", "now =", "soon =", "planned =", "idle ="] {
            assert!(legend.contains(label), "{label} missing from {legend}");
        }
        assert!(!legend.contains('\n'));
    }

    /// The reorder-point column printed the point rounded to nearest (302)
    /// while the reason said the position was at or below reorder point
    /// 303, the point rounded up as the engine's trigger compares it.
    /// sd_L 3: s = 200 + 1.6449 * sqrt(10 * 25 + 400 * 9) = 200 + 1.6449
    /// * 62.05 = 302.06, so the trigger is 303 and the column says 303.
    #[test]
    fn the_reorder_point_column_shows_the_point_the_reason_names() {
        let row = rec_row(&sales(), &rec(3.0, 200, 0, 0), 30.0);
        assert!((row.reorder_point - 302.06).abs() < 0.01, "{}", row.reorder_point);
        assert!(row.reason.starts_with("position 200 <= reorder point 303;"), "{}", row.reason);
        let table = recommendation_table("description", false, &[(&row, None)]).render();
        let line = table.lines().find(|l| l.starts_with("MUG")).unwrap();
        assert!(line.contains(" 303 ") && !line.contains(" 302 "), "{line}");
    }
}
