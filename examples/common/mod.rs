//! Shared pieces of the story examples: a seeded noise source, a
//! synthetic stage-by-stage lead-time history, a daily forecast refit,
//! an aligned text table and a small SVG line chart.
//!
//! Each example includes this file with `#[path = "common/mod.rs"]`, so
//! not every example uses every helper.

#![allow(dead_code, reason = "each example uses a different subset of the helpers")]

#[path = "table.rs"]
mod table;
pub(crate) use table::{Align, Table};

use std::fmt::Write as _;

use chrono::{Days as ChronoDays, NaiveDate};
use merchantry::core::{
    DailyForecast, Days, DemandSeries, Lane, LocationId, PurchaseOrderId, Quantity, Replenishment,
    Sku, Stage, StageDuration, SupplierId, TransportMode,
};
use merchantry::forecast::Forecaster;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub(crate) type BoxError = Box<dyn std::error::Error>;

/// A seeded generator: the same seed tells the same story.
pub(crate) struct Noise(ChaCha8Rng);

impl Noise {
    pub(crate) fn new(seed: u64) -> Self {
        Self(ChaCha8Rng::seed_from_u64(seed))
    }

    /// A standard normal draw (Box-Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1: f64 = self.0.random::<f64>().max(1e-12);
        let u2: f64 = self.0.random::<f64>();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Daily unit sales around `mean`: a normal with Poisson-like spread
    /// (`sd = sqrt(mean)`), rounded and floored at zero.
    pub(crate) fn units(&mut self, mean: f64) -> i64 {
        let x = mean + mean.sqrt() * self.normal();
        x.round().max(0.0) as i64
    }

    /// Whole days around `mean` with spread `sd`, at least 1.
    pub(crate) fn days(&mut self, mean: f64, sd: f64) -> i64 {
        (mean + sd * self.normal()).round().max(1.0) as i64
    }
}

/// The stages of an ocean purchase order from a factory to FBA: mean and
/// standard deviation in days.
pub(crate) const OCEAN_STAGES: [(Stage, f64, f64); 5] = [
    (Stage::Production, 10.0, 2.0),
    (Stage::MainTransit, 14.0, 2.5),
    (Stage::CustomsClearance, 3.0, 1.0),
    (Stage::InlandFreight, 2.0, 0.5),
    (Stage::CheckIn, 4.0, 1.0),
];

/// The lane every story's purchase orders travel.
pub(crate) fn ocean_lane(destination: &LocationId) -> Result<Lane, BoxError> {
    Ok(Lane {
        supplier: SupplierId::new("SHENZHEN-HOMEWARES")?,
        origin: Some(LocationId::new("CN-YTN")?),
        destination: destination.clone(),
        mode: TransportMode::Ocean,
    })
}

/// Realised stage lengths of one order, drawn from [`OCEAN_STAGES`],
/// with `extra` days added to production (a factory delay).
pub(crate) fn draw_stages(noise: &mut Noise, extra_production: i64) -> Vec<(Stage, i64)> {
    draw_stages_from(noise, &OCEAN_STAGES, extra_production)
}

/// Realised stage lengths drawn from `stages` (stage, mean, sd), with
/// `extra_production` days added to production.
pub(crate) fn draw_stages_from(
    noise: &mut Noise,
    stages: &[(Stage, f64, f64)],
    extra_production: i64,
) -> Vec<(Stage, i64)> {
    stages
        .iter()
        .map(|&(stage, mean, sd)| {
            let extra = if stage == Stage::Production { extra_production } else { 0 };
            (stage, noise.days(mean, sd) + extra)
        })
        .collect()
}

/// A finished replenishment on `lane`: ordered on `ordered_on`, its
/// stages lasting `stages` days each, arriving when the last one ends.
/// `forecast_arrival` is the arrival the buyer was told at order time.
pub(crate) fn finished_order(
    id: &str,
    lane: &Lane,
    ordered_on: NaiveDate,
    forecast_arrival: NaiveDate,
    stages: &[(Stage, i64)],
) -> Result<Replenishment, BoxError> {
    let total: i64 = stages.iter().map(|s| s.1).sum();
    Ok(Replenishment {
        id: PurchaseOrderId::new(id)?,
        lane: lane.clone(),
        sku: None,
        quantity: None,
        ordered_on,
        forecast_arrival,
        actual_arrival: ordered_on + ChronoDays::new(u64::try_from(total)?),
        stages: stages
            .iter()
            .map(|&(stage, d)| {
                Ok(StageDuration { stage, forecast: None, actual: Days::whole(i32::try_from(d)?) })
            })
            .collect::<Result<_, BoxError>>()?,
    })
}

/// `count` finished purchase orders on `lane`, one every 30 days up to
/// `last_order`, each with its realised stages: the history a lead-time
/// model learns from.
pub(crate) fn stage_history(
    noise: &mut Noise,
    lane: &Lane,
    last_order: NaiveDate,
    count: u64,
) -> Result<Vec<Replenishment>, BoxError> {
    let mut history = Vec::new();
    for i in 0..count {
        let ordered_on = last_order - ChronoDays::new(30 * (count - 1 - i));
        let stages = draw_stages(noise, 0);
        let total: i64 = stages.iter().map(|s| s.1).sum();
        let actual_arrival = ordered_on + ChronoDays::new(u64::try_from(total)?);
        history.push(Replenishment {
            id: PurchaseOrderId::new(format!("PO-H{:02}", i + 1))?,
            lane: lane.clone(),
            sku: None,
            quantity: None,
            ordered_on,
            forecast_arrival: ordered_on + ChronoDays::new(33),
            actual_arrival,
            stages: stages
                .iter()
                .map(|&(stage, d)| {
                    Ok(StageDuration {
                        stage,
                        forecast: None,
                        actual: Days::whole(i32::try_from(d)?),
                    })
                })
                .collect::<Result<_, BoxError>>()?,
        });
    }
    Ok(history)
}

/// The forecast from `today` on, fitted on the sales `history` that
/// starts on `origin` and ends the day before `today`.
pub(crate) fn forecast_from(
    forecaster: &Forecaster,
    sku: &Sku,
    origin: NaiveDate,
    history: &[i64],
    today: NaiveDate,
    horizon: u32,
) -> Result<DailyForecast, BoxError> {
    let units = history.iter().map(|&u| Quantity::new(u)).collect();
    let series = DemandSeries::fully_available(origin, units);
    let fit = forecaster.fit_series(sku, &series)?;
    fit.daily(today, horizon).ok_or_else(|| format!("{sku}: no forecast from {today}").into())
}

/// `start` plus `i` days.
pub(crate) fn day(start: NaiveDate, i: usize) -> NaiveDate {
    start + ChronoDays::new(i as u64)
}

/// One line of a chart.
pub(crate) struct Series {
    pub(crate) label: String,
    pub(crate) colour: &'static str,
    pub(crate) points: Vec<f64>,
    pub(crate) dashed: bool,
}

impl Series {
    /// A solid line.
    pub(crate) fn solid(label: impl Into<String>, colour: &'static str, points: Vec<f64>) -> Self {
        Self { label: label.into(), colour, points, dashed: false }
    }

    /// A dashed line.
    pub(crate) fn dashed(label: impl Into<String>, colour: &'static str, points: Vec<f64>) -> Self {
        Self { label: label.into(), colour, points, dashed: true }
    }
}

/// A vertical marker at a day index.
pub(crate) struct Marker {
    pub(crate) day: usize,
    pub(crate) label: String,
    pub(crate) colour: &'static str,
}

/// A line chart over a day axis starting on `start`.
pub(crate) struct Chart {
    pub(crate) title: String,
    pub(crate) start: NaiveDate,
    pub(crate) series: Vec<Series>,
    pub(crate) markers: Vec<Marker>,
}

const W: f64 = 960.0;
const H: f64 = 420.0;
const LEFT: f64 = 60.0;
const TOP: f64 = 40.0;

impl Chart {
    /// The chart as an SVG document.
    /// Writes the chart to `path` and says so on standard output.
    pub(crate) fn write(&self, path: &std::path::Path) -> Result<(), BoxError> {
        std::fs::write(path, self.render())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("chart written to {}", path.display());
        Ok(())
    }

    pub(crate) fn render(&self) -> String {
        let days = self.series.iter().map(|s| s.points.len()).max().unwrap_or(0).max(2);
        let max = self.series.iter().flat_map(|s| s.points.iter().copied()).fold(1.0, f64::max);
        let (pw, ph) = (W - LEFT - 30.0, H - TOP - 90.0);
        let x = |d: usize| LEFT + pw * d as f64 / (days - 1) as f64;
        let y = |v: f64| TOP + ph * (1.0 - v / max);
        let mut s = String::new();
        let _ = writeln!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">"#
        );
        let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            s,
            r#"<text x="{LEFT}" y="22" font-size="14" font-weight="bold">{}</text>"#,
            escape(&self.title)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>"##
        );
        for k in 0..=4 {
            let v = max * f64::from(k) / 4.0;
            let _ = writeln!(
                s,
                r##"<text x="{}" y="{:.1}" text-anchor="end" fill="#555">{v:.0}</text>"##,
                LEFT - 5.0,
                y(v) + 4.0
            );
        }
        // Two-week ticks; four-week ticks past about half a year so the
        // labels do not overlap.
        let tick = if days > 200 { 28 } else { 14 };
        for d in (0..days).step_by(tick) {
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
                x(d),
                TOP + ph + 15.0,
                day(self.start, d).format("%b %d")
            );
        }
        for m in &self.markers {
            let _ = writeln!(
                s,
                r#"<line x1="{0:.1}" x2="{0:.1}" y1="{TOP}" y2="{1}" stroke="{2}" stroke-dasharray="2,3"/><text x="{3:.1}" y="{4}" fill="{2}" transform="rotate(-90 {3:.1} {4})">{5}</text>"#,
                x(m.day),
                TOP + ph,
                m.colour,
                x(m.day) - 3.0,
                TOP + ph - 4.0,
                escape(&m.label)
            );
        }
        for (i, line) in self.series.iter().enumerate() {
            let pts: Vec<String> = line
                .points
                .iter()
                .enumerate()
                .map(|(d, &v)| format!("{:.1},{:.1}", x(d), y(v)))
                .collect();
            let dash = if line.dashed { r#" stroke-dasharray="6,4""# } else { "" };
            let _ = writeln!(
                s,
                r#"<polyline fill="none" stroke="{}" stroke-width="1.6"{dash} points="{}"/>"#,
                line.colour,
                pts.join(" ")
            );
            let ly = H - 40.0 + 14.0 * (i / 3) as f64;
            let lx = LEFT + 290.0 * (i % 3) as f64;
            let _ = writeln!(
                s,
                r#"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{}" stroke-width="2"{dash}/><text x="{}" y="{}">{}</text>"#,
                lx + 20.0,
                line.colour,
                lx + 25.0,
                ly + 4.0,
                escape(&line.label)
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The value after `--svg` (or its older name `--plot`) on the command
/// line, if any. `--help` prints the usage and exits successfully.
pub(crate) fn plot_arg() -> Result<Option<std::path::PathBuf>, BoxError> {
    const USAGE: &str = "usage: [--svg FILE.svg]  (draw stock over time to FILE.svg)";
    let mut args = std::env::args().skip(1);
    let mut plot = None;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--svg" | "--plot" => {
                plot = Some(args.next().ok_or_else(|| format!("{a} needs a file name"))?.into());
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}; {USAGE}").into()),
        }
    }
    Ok(plot)
}
