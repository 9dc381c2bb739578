//! `freight_volatility`: ocean transit swings for a season; the
//! stage-wise lead-time model learns it from each landed shipment and
//! the reorder point moves with it.
//!
//! A 6 mm yoga mat sells about 30 a day on Amazon (FBA). Every purchase
//! order travels five stages: production in Ningbo, the ocean leg to
//! the US East Coast, customs, inland freight and FBA check-in. The
//! ocean leg takes about 30 days, but containers that leave port
//! between 1 June and 15 September meet a congestion season and spend
//! 45 to 55 days at sea. Nobody tells the planner: the lead-time model
//! (merchantry-forecast) is refitted on the stages of every shipment
//! that lands, recent ones weighted more (half-life 45 days), and the
//! reorder engine (merchantry-reorder) reviews the SKU every morning
//! with that live estimate. Each landed shipment's lead-time variance
//! (actual minus forecast days, merchantry-metrics) shows the forecast
//! error: large while the season is being learned, shrinking once it
//! ends and the model catches up.
//!
//! The program checks its own story and exits non-zero if it does not
//! hold: the reorder point must rise during the season, and both the
//! model's lead-time spread and the variance of the latest shipments
//! must shrink after it.
//!
//! Run: `cargo run --release --example freight_volatility [-- --svg stock.svg]`

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    reason = "an example prints its account and turns statistics into whole units at its edge"
)]

#[macro_use]
#[path = "common/stdout.rs"]
mod stdout;

#[path = "common/mod.rs"]
mod common;

use chrono::{Days as ChronoDays, NaiveDate};
use merchantry::core::{
    DailyForecast, DateRange, Lane, LeadTimeEstimate, LocationId, PurchaseOrderId, Quantity,
    Replenishment, Sku, Stage, StageDuration, SupplierId, TransportMode,
};
use merchantry::forecast::{LeadTimeModel, LeadTimeOptions, OrderForecast};
use merchantry::metrics::{LtvOptions, ltv_summary, replenishment_variance};
use merchantry::reorder::{
    LotSize, OpenSupply, Planner, PlannerOptions, Policy, PolicyConfig, SkuInput, SupplyKind,
    whole_units_up,
};

use crate::common::{Align, BoxError, Chart, Marker, Noise, Series, Table, day};

const SEED: u64 = 20_260_601;
const SIM_DAYS: usize = 480;
/// Units a day, and their spread.
const DEMAND: f64 = 30.0;
const OPENING: i64 = 2_400;
/// Each order covers this many days of demand.
const COVER_DAYS: f64 = 21.0;
/// The model's memory: a shipment this many days older counts half.
const HALF_LIFE_DAYS: f64 = 45.0;
/// Past purchase orders the model starts from.
const PAST_ORDERS: u64 = 10;
/// The rolling window of the variance column: the last this many
/// landed shipments.
const ROLLING: usize = 4;

/// Stages of a normal order: (stage, mean days, sd days). The ocean leg
/// is replaced during the congestion season.
const STAGES: [(Stage, f64, f64); 5] = [
    (Stage::Production, 12.0, 2.0),
    (Stage::MainTransit, 30.0, 1.5),
    (Stage::CustomsClearance, 3.0, 1.0),
    (Stage::InlandFreight, 4.0, 1.0),
    (Stage::CheckIn, 4.0, 1.0),
];

/// A purchase order on its way, with the forecast made when it was
/// placed.
struct Po {
    forecast: OrderForecast,
    stages: Vec<(Stage, i64)>,
    departs: NaiveDate,
    arrives: usize,
    quantity: i64,
}

/// One landed shipment, as the account prints it.
struct Landed {
    day: usize,
    id: String,
    ordered: NaiveDate,
    departs: NaiveDate,
    ocean: i64,
    took: i64,
    forecast_days: i64,
    ltv: i64,
    model: LeadTimeEstimate,
    reorder_point: f64,
    rolling_rmse: f64,
}

fn main() {
    if let Err(e) = common::plot_arg().and_then(|plot| tell(plot.as_deref())) {
        eprintln!("freight_volatility: {e}");
        std::process::exit(1);
    }
}

/// The figures the story's checks look at.
#[derive(Debug)]
struct Story {
    /// The highest reorder point before the season, and at its peak.
    rop_before: f64,
    rop_peak: f64,
    /// The model's lead-time standard deviation at its widest and at
    /// the end.
    sd_peak: f64,
    sd_end: f64,
    /// RMSE of the last few shipments' lead-time variance, at its worst
    /// and at the end; and over the orders of the season and after it.
    rolling_peak: f64,
    rolling_end: f64,
    season_rmse: f64,
    after_rmse: f64,
}

impl Story {
    /// The reorder point rises at least 15% with the season.
    fn rises(&self) -> bool {
        self.rop_peak > self.rop_before * 1.15
    }

    /// The model's spread falls below 60% of its widest.
    fn spread_shrinks(&self) -> bool {
        self.sd_end < 0.6 * self.sd_peak
    }

    /// The forecast error halves, both rolling and by order period.
    fn variance_shrinks(&self) -> bool {
        self.rolling_end < 0.5 * self.rolling_peak && self.after_rmse < 0.5 * self.season_rmse
    }
}

/// Whether a container leaving port on `d` meets the congestion season.
fn congested(d: NaiveDate, season: DateRange) -> bool {
    season.contains(d)
}

/// Ocean days for a container leaving port on `departs`: about 30 out
/// of season, 45 to 55 in it.
fn ocean_days(noise: &mut Noise, departs: NaiveDate, season: DateRange) -> i64 {
    if congested(departs, season) {
        noise.days(50.0, 3.0).clamp(45, 55)
    } else {
        noise.days(30.0, 1.5)
    }
}

/// The `p` quantile of an estimate, in days (the mean if not reported).
fn quantile(e: &LeadTimeEstimate, p: f64) -> f64 {
    e.quantile(p).map_or(e.mean.get(), |d| d.get())
}

#[expect(clippy::too_many_lines, reason = "the story reads top to bottom")]
fn tell(plot: Option<&std::path::Path>) -> Result<Story, BoxError> {
    let mut noise = Noise::new(SEED);
    let sku = Sku::new("YOGA-MAT-6MM")?;
    let fba = LocationId::new("FBA-US-EAST")?;
    let lane = Lane {
        supplier: SupplierId::new("NINGBO-FITNESS")?,
        origin: Some(LocationId::new("CN-NGB")?),
        destination: fba.clone(),
        mode: TransportMode::Ocean,
    };
    let start = NaiveDate::from_ymd_opt(2026, 1, 5).ok_or("bad date")?;
    let season = DateRange::new(
        NaiveDate::from_ymd_opt(2026, 6, 1).ok_or("bad date")?,
        NaiveDate::from_ymd_opt(2026, 9, 16).ok_or("bad date")?,
    )?;
    let season_last = season.last().ok_or("empty season")?;
    let options = LeadTimeOptions { half_life_days: HALF_LIFE_DAYS, ..LeadTimeOptions::default() };

    // Ten past orders, one a month, all out of season.
    let mut history: Vec<Replenishment> = Vec::new();
    for i in 0..PAST_ORDERS {
        let ordered = start - ChronoDays::new(30 * (PAST_ORDERS - i) + 40);
        let stages = common::draw_stages_from(&mut noise, &STAGES, 0);
        let id = format!("PO-H{:02}", i + 1);
        history.push(common::finished_order(&id, &lane, ordered, ordered, &stages)?);
    }
    let mut model = LeadTimeModel::learn(&history, &options)?;
    let mut lead = model.estimate(&lane, start, &[])?;

    let policy =
        PolicyConfig::new(Policy::ContinuousReview { lot: LotSize::CoverDays(COVER_DAYS) });
    let planner = Planner::new(PlannerOptions::new(policy))?;
    let ltv_options = LtvOptions::default();
    let everything = DateRange::new(start - ChronoDays::new(800), day(start, SIM_DAYS))?;

    println!(
        "freight_volatility: {sku} on {fba}, {DEMAND:.0} units a day, {OPENING} on hand on {start}"
    );
    println!(
        "  five stages from {} ({}): production ~12 d, ocean ~30 d, customs ~3 d, inland ~4 d, FBA check-in ~4 d",
        lane.supplier,
        lane.origin.as_ref().map_or("?", LocationId::as_str)
    );
    println!(
        "  congestion season: containers leaving port {} to {} spend 45-55 days at sea",
        season.start(),
        season_last
    );
    println!(
        "  the model starts from {PAST_ORDERS} past orders: lead time {:.1} d (p90 {:.1} d, sd {:.1} d)",
        lead.mean.get(),
        quantile(&lead, 0.9),
        lead.std_dev.get()
    );
    println!(
        "  it is refitted on every landed shipment (half-life {HALF_LIFE_DAYS:.0} days); the engine reviews daily: continuous review, 95% cycle service, {COVER_DAYS:.0}-day lots\n"
    );

    let mut pos: Vec<Po> = Vec::new();
    let mut landed: Vec<Landed> = Vec::new();
    let mut finished: Vec<Replenishment> = Vec::new();
    let mut on_hand = OPENING;
    let (mut lost, mut stockout_days) = (0_i64, 0_usize);
    let (mut stock_line, mut rop_line, mut position_line, mut lead_line) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut markers = vec![
        Marker {
            day: (season.start() - start).num_days() as usize,
            label: "season begins (departures)".into(),
            colour: "#9467bd",
        },
        Marker {
            day: (season_last - start).num_days() as usize,
            label: "season ends (departures)".into(),
            colour: "#9467bd",
        },
    ];
    let mut rops: Vec<(NaiveDate, f64)> = Vec::new();
    let mut first_late_marked = false;
    let mut dry: Vec<NaiveDate> = Vec::new();
    let mut spreads: Vec<(NaiveDate, f64)> = Vec::new();
    let mut leads: Vec<LeadTimeEstimate> = Vec::new();

    for i in 0..SIM_DAYS {
        let today = day(start, i);

        // Shipments land in the morning; each one teaches the model.
        let (arriving, waiting): (Vec<Po>, Vec<Po>) = pos.into_iter().partition(|p| p.arrives == i);
        pos = waiting;
        for po in arriving {
            on_hand += po.quantity;
            let stages: Vec<StageDuration> = po
                .stages
                .iter()
                .map(|&(stage, d)| {
                    Ok(StageDuration {
                        stage,
                        forecast: None,
                        actual: merchantry::core::Days::whole(i32::try_from(d)?),
                    })
                })
                .collect::<Result<_, BoxError>>()?;
            let done = po.forecast.finish(today, stages)?;
            let variance = replenishment_variance(&done)?;
            finished.push(done.clone());
            history.push(done);
            let options = LeadTimeOptions { as_of: Some(today), ..options.clone() };
            model = LeadTimeModel::learn(&history, &options)?;
            let recent = finished.len().saturating_sub(ROLLING);
            let rolling = ltv_summary(&finished[recent..], everything, &ltv_options)?;
            landed.push(Landed {
                day: i,
                id: po.forecast.id.to_string(),
                ordered: po.forecast.ordered_on,
                departs: po.departs,
                ocean: po.stages.iter().find(|s| s.0 == Stage::MainTransit).map_or(0, |s| s.1),
                took: variance.actual_days,
                forecast_days: variance.forecast_days,
                ltv: variance.variance_days,
                model: model.estimate(&lane, today, &[])?,
                reorder_point: f64::NAN,
                rolling_rmse: rolling.rmse_days.value().unwrap_or(0.0),
            });
            if congested(po.departs, season) && !first_late_marked {
                first_late_marked = true;
                markers.push(Marker {
                    day: i,
                    label: format!("{} lands, {:+} d late", po.forecast.id, variance.variance_days),
                    colour: "#d62728",
                });
            }
        }

        // The morning review with today's lead-time estimate.
        lead = model.estimate(&lane, today, &[])?;
        let forecast = DailyForecast::new(today, vec![DEMAND; 240], vec![DEMAND.sqrt(); 240])?;
        let mut input = SkuInput::new(sku.clone(), fba.clone(), today, forecast, lead.clone());
        input.on_hand = Quantity::new(on_hand);
        input.open_supply = pos
            .iter()
            .map(|p| OpenSupply {
                kind: SupplyKind::PurchaseOrder,
                quantity: Quantity::new(p.quantity),
                // An overdue order is expected any day now.
                expected: Some(p.forecast.forecast_arrival().max(today + ChronoDays::new(1))),
            })
            .collect();
        let rec = planner.recommend(&input)?;
        for l in landed.iter_mut().filter(|l| l.day == i) {
            l.reorder_point = rec.reorder_point;
        }
        if let Some(order) = &rec.order {
            let id = PurchaseOrderId::new(format!("PO-{}", 101 + pos.len() + finished.len()))?;
            let forecast = model.commit(id, &lane, Some(sku.clone()), today, &[])?;
            let mut stages = common::draw_stages_from(&mut noise, &STAGES, 0);
            let production = stages.first().map_or(0, |s| s.1);
            let departs = today + ChronoDays::new(u64::try_from(production)?);
            let ocean = ocean_days(&mut noise, departs, season);
            if let Some(s) = stages.iter_mut().find(|s| s.0 == Stage::MainTransit) {
                s.1 = ocean;
            }
            let total: i64 = stages.iter().map(|s| s.1).sum();
            pos.push(Po {
                forecast,
                stages,
                departs,
                arrives: i + total as usize,
                quantity: order.quantity.get(),
            });
        }

        // The day's sales, served from the shelf.
        let want = noise.units(DEMAND);
        let sold = want.min(on_hand);
        on_hand -= sold;
        if sold < want {
            lost += want - sold;
            stockout_days += 1;
            dry.push(today);
        }
        stock_line.push(on_hand as f64);
        rop_line.push(rec.reorder_point);
        position_line.push(rec.position.get() as f64);
        lead_line.push(lead.mean.get() * 20.0);
        rops.push((today, rec.reorder_point));
        spreads.push((today, lead.std_dev.get()));
        leads.push(lead.clone());
    }

    // Shipment by shipment: what each landing taught the model.
    let mut table = Table::new(&[
        ("landed", Align::Left),
        ("PO", Align::Left),
        ("ordered", Align::Left),
        ("left port", Align::Left),
        ("ocean d", Align::Right),
        ("took d", Align::Right),
        ("forecast d", Align::Right),
        ("LTV d", Align::Right),
        ("model mean", Align::Right),
        ("p90", Align::Right),
        ("sd", Align::Right),
        ("reorder pt", Align::Right),
        (&format!("LTV rmse, last {ROLLING}"), Align::Right),
    ]);
    for l in &landed {
        let season_mark = if congested(l.departs, season) { "*" } else { "" };
        table.row(vec![
            day(start, l.day).format("%b %d").to_string(),
            l.id.clone(),
            l.ordered.format("%b %d").to_string(),
            format!("{}{season_mark}", l.departs.format("%b %d")),
            l.ocean.to_string(),
            l.took.to_string(),
            l.forecast_days.to_string(),
            format!("{:+}", l.ltv),
            format!("{:.1}", l.model.mean.get()),
            format!("{:.1}", quantile(&l.model, 0.9)),
            format!("{:.1}", l.model.std_dev.get()),
            format!("{:.0}", whole_units_up(l.reorder_point)),
            format!("{:.1}", l.rolling_rmse),
        ]);
    }
    println!(
        "Shipment by shipment (* left port in the congestion season; LTV = took - forecast at order time; \
         reorder points rounded up to whole units, as the trigger compares them)"
    );
    print!("{}", table.render());

    // Month by month: the reorder point and the model's spread.
    let mut monthly = Table::new(&[
        ("month", Align::Left),
        ("lead mean", Align::Right),
        ("lead p90", Align::Right),
        ("lead sd", Align::Right),
        ("reorder pt", Align::Right),
        ("on hand", Align::Right),
    ]);
    for i in (0..SIM_DAYS).step_by(28) {
        let (Some(e), Some(r)) = (leads.get(i), rops.get(i)) else { continue };
        monthly.row(vec![
            r.0.format("%b %d").to_string(),
            format!("{:.1}", e.mean.get()),
            format!("{:.1}", quantile(e, 0.9)),
            format!("{:.1}", e.std_dev.get()),
            format!("{:.0}", whole_units_up(r.1)),
            format!("{:.0}", stock_line.get(i).copied().unwrap_or(0.0)),
        ]);
    }
    println!("\nEvery four weeks (the model as it stood that morning)");
    print!("{}", monthly.render());

    // The lead-time variance of orders placed before, in and after the
    // season's influence, by order date.
    let first_congested = first_congested_order(&landed, season)?;
    let caught_up = season_last + ChronoDays::new(60);
    let phases = [
        (
            format!("ordered before {first_congested} (normal sailings)"),
            start - ChronoDays::new(800),
            first_congested,
        ),
        (
            format!(
                "ordered {first_congested} to {caught_up} (the season and the 60 days after it)"
            ),
            first_congested,
            caught_up,
        ),
        (format!("ordered from {caught_up} (after it)"), caught_up, day(start, SIM_DAYS)),
    ];
    let mut ltv_table = Table::new(&[
        ("orders", Align::Left),
        ("n", Align::Right),
        ("bias d", Align::Right),
        ("MAD d", Align::Right),
        ("RMSE d", Align::Right),
        ("within +/-2 d", Align::Right),
    ]);
    let mut rmse = Vec::new();
    for (name, from, to) in phases {
        let s = ltv_summary(&finished[..], DateRange::new(from, to)?, &ltv_options)?;
        let f = |m: merchantry::metrics::Metric<f64>| {
            m.value().map_or("-".into(), |v| format!("{v:.1}"))
        };
        rmse.push(s.rmse_days.value());
        ltv_table.row(vec![
            name,
            s.count.to_string(),
            f(s.mean_days),
            f(s.mad_days),
            f(s.rmse_days),
            s.within_tolerance.value().map_or("-".into(), |v| format!("{:.0}%", v * 100.0)),
        ]);
    }
    println!("\nLead-time variance by order date (merchantry-metrics)");
    print!("{}", ltv_table.render());

    // The checks the story promises.
    let before =
        rops.iter().filter(|r| r.0 < season.start()).map(|r| r.1).fold(f64::NEG_INFINITY, f64::max);
    let (peak_day, peak) = rops
        .iter()
        .filter(|r| r.0 >= season.start() && r.0 <= season_last + ChronoDays::new(90))
        .fold((start, f64::NEG_INFINITY), |acc, r| if r.1 > acc.1 { (r.0, r.1) } else { acc });
    let end_rop = rops.last().map_or(0.0, |r| r.1);
    let (sd_peak_day, sd_peak) =
        spreads.iter().fold((start, 0.0), |acc, s| if s.1 > acc.1 { (s.0, s.1) } else { acc });
    let sd_end = spreads.last().map_or(0.0, |s| s.1);
    let rolling_peak = landed.iter().map(|l| l.rolling_rmse).fold(0.0, f64::max);
    let rolling_end = landed.last().map_or(0.0, |l| l.rolling_rmse);
    println!();
    let story = Story {
        rop_before: before,
        rop_peak: peak,
        sd_peak,
        sd_end,
        rolling_peak,
        rolling_end,
        season_rmse: rmse.get(1).copied().flatten().unwrap_or(f64::NAN),
        after_rmse: rmse.get(2).copied().flatten().unwrap_or(f64::NAN),
    };
    let rises = story.rises();
    // Rounded up to whole units, as the tables above and the trigger
    // show them; the rise is of the printed figures.
    let (before_up, peak_up, end_up) =
        (whole_units_up(before), whole_units_up(peak), whole_units_up(end_rop));
    println!(
        "reorder point: at most {before_up:.0} before the season, {peak_up:.0} on {peak_day} (+{:.0}%), {end_up:.0} at the end [{}]",
        (peak_up / before_up - 1.0) * 100.0,
        verdict(rises)
    );
    let spread_shrinks = story.spread_shrinks();
    println!(
        "model lead-time sd: {sd_peak:.1} d at its widest ({sd_peak_day}), {sd_end:.1} d at the end [{}]",
        verdict(spread_shrinks)
    );
    let ltv_shrinks = story.variance_shrinks();
    println!(
        "lead-time variance (rmse of the last {ROLLING} shipments): {rolling_peak:.1} d at its worst, {rolling_end:.1} d at the end [{}]",
        verdict(ltv_shrinks)
    );
    println!("stock-out days: {stockout_days}, lost units: {lost}");
    if let (Some(first), Some(last), Some(l)) =
        (dry.first(), dry.last(), landed.iter().find(|l| congested(l.departs, season)))
    {
        println!(
            "  why: the model learns only from shipments that have landed. {} was planned on {} days\n  \
             and took {}; until it landed on {} the model knew nothing of the season, and the orders\n  \
             already at sea had been planned the same way, so FBA ran dry on {stockout_days} days between\n  \
             {first} and {last}. A forwarder's live transit quote (LiveOverride::TransitQuote) would\n  \
             close that gap; this story shows what learning alone does.",
            l.id,
            l.forecast_days,
            l.took,
            day(start, l.day)
        );
    }

    if let Some(path) = plot {
        let chart = Chart {
            title: format!("{sku}: stock and reorder point through the congestion season"),
            start,
            series: vec![
                Series::solid("on hand", "#1f77b4", stock_line),
                Series::solid("reorder point", "#d62728", rop_line),
                Series::dashed("inventory position", "#aaa", position_line),
                Series::dashed("lead-time mean (days) x 20", "#ff7f0e", lead_line),
            ],
            markers,
        };
        chart.write(path)?;
    }
    if !(rises && spread_shrinks && ltv_shrinks) {
        return Err("the story did not hold (see the checks above)".into());
    }
    Ok(story)
}

/// The order date of the first shipment that left port in the season.
fn first_congested_order(landed: &[Landed], season: DateRange) -> Result<NaiveDate, BoxError> {
    Ok(landed
        .iter()
        .find(|l| congested(l.departs, season))
        .ok_or("no shipment met the season")?
        .ordered)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "FAILED" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorder_point_rises_in_the_season_and_variance_shrinks_after_it() {
        let story = tell(None).unwrap();
        assert!(story.rises(), "{story:?}");
        assert!(story.spread_shrinks(), "{story:?}");
        assert!(story.variance_shrinks(), "{story:?}");
    }

    #[test]
    fn ocean_days_follow_the_season() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let season = DateRange::new(d(6, 1), d(9, 16)).unwrap();
        let mut noise = Noise::new(1);
        for _ in 0..200 {
            assert!((45..=55).contains(&ocean_days(&mut noise, d(7, 1), season)));
            // 30 +/- 1.5 days: five deviations either side at most.
            assert!((22..=38).contains(&ocean_days(&mut noise, d(10, 1), season)));
        }
        assert!(congested(d(9, 15), season) && !congested(d(9, 16), season));
    }
}
