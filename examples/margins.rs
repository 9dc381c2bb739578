//! `margins`: true net margin per SKU and channel, after every
//! marketplace fee, on a real retailer's year of sales.
//!
//! The UCI Online Retail invoice lines (bundled: the 24 busiest stock
//! codes) are booked into a FIFO inventory ledger as monthly receipts and
//! per-day shipments, so cost of goods sold comes from the ledger's
//! `ValuationView` through `metrics::margin::sales_from_valuation`. The
//! data carries prices only: unit costs and every fee are assumptions,
//! printed at the top of the report. Rows a report should not trust
//! (unreadable, dated in the future or far outside the bulk of the data,
//! absurd quantities or prices) are left out and named by line.
//!
//! Run: `cargo run --release --example margins [-- --svg margins.svg]`;
//! `--help` lists the options.

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a program: it prints its report")]

#[macro_use]
#[path = "common/stdout.rs"]
mod stdout;
#[path = "common/table.rs"]
mod table;
#[path = "common/window.rs"]
mod window;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Days, Local, Months, NaiveDate, NaiveTime};
use clap::Parser;
use flate2::read::MultiGzDecoder;
use merchantry::amazon::{RetailLine, RetailLineKind, SkipReason, UciRetailReader};
use merchantry::core::{
    ChannelId, Currency, DateRange, Decimal, EventId, LocationId, Money, OrderId, Quantity, Sku,
};
use merchantry::ledger::{Event, EventKind, Ledger, LedgerOptions};
use merchantry::metrics::margin::{
    Attribution, Charge, FeeKind, FeeSchedule, MarginLine, MarginStatement, RateTable,
    SalesDrivers, ValuedSales, ValuedSalesOptions, sales_from_valuation,
};
use rust_decimal::RoundingStrategy;
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

use crate::table::{Align, Table};
use crate::window::{WindowRule, window};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const BUNDLED_RETAIL: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/online_retail_top24.csv.gz");

/// Net margin per SKU and channel after every marketplace fee, on a real
/// retailer's sales with stated fee assumptions.
#[derive(Parser)]
#[command(version, long_about = None)]
struct Args {
    /// Invoice lines in the UCI Online Retail layout (.csv or .csv.gz).
    /// Default: the bundled top-24 slice.
    #[arg(long, value_name = "FILE")]
    retail: Option<PathBuf>,
    /// How many SKUs (by revenue) the table shows; totals cover all.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Write the statement as JSON: to FILE, beside the printed tables;
    /// with no FILE, to standard output instead of the tables. Its
    /// `period` names the first and last day of sales (both included)
    /// and `end_exclusive`, the day after the last; `statement.period.end`
    /// is that exclusive end too.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    json: Option<Option<PathBuf>>,
    /// Also draw the net margin of the lines the table shows as a bar
    /// chart (SVG).
    #[arg(long, value_name = "FILE.svg")]
    svg: Option<PathBuf>,
}

/// Every figure the data does not carry. Amounts in pounds sterling.
struct Assumptions {
    /// Unit cost as a share of the lowest sale price seen for the SKU.
    cost_share: Decimal,
    /// Supplier price creep per month after the first.
    cost_creep_per_month: Decimal,
    referral_rate: Decimal,
    referral_minimum: Decimal,
    /// Size tier by unit price band (the data has no dimensions):
    /// (price below, tier, fulfilment fee per unit, cubic feet per unit).
    tiers: [(Decimal, &'static str, Decimal, Decimal); 3],
    /// Storage per cubic foot per month, January to September.
    storage_rate: Decimal,
    /// Storage per cubic foot per month, October to December.
    storage_rate_peak: Decimal,
    /// Share of UK revenue that came through ad clicks.
    ad_sales_share: Decimal,
    /// Ad spend over ad sales (ACoS).
    acos: Decimal,
    /// The fee for one deal: a promotion-programme fee, not ad spend.
    deal_fee: Decimal,
    /// The month (1-12) every SKU sold in the UK runs one deal there.
    deal_month: u32,
    /// The marketplace subscription per month, charged to no SKU.
    subscription: Decimal,
    /// Extra referral points for the what-if line.
    what_if_referral_points: Decimal,
}

fn dec(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

impl Assumptions {
    fn standard() -> Self {
        Self {
            cost_share: dec(40, 2),
            cost_creep_per_month: dec(5, 3),
            referral_rate: dec(15, 2),
            referral_minimum: dec(25, 2),
            tiers: [
                (dec(1, 0), "small", dec(20, 2), dec(1, 2)),
                (dec(3, 0), "standard", dec(35, 2), dec(3, 2)),
                (Decimal::MAX, "large", dec(60, 2), dec(8, 2)),
            ],
            storage_rate: dec(75, 2),
            storage_rate_peak: dec(120, 2),
            ad_sales_share: dec(30, 2),
            acos: dec(25, 2),
            deal_fee: dec(70, 0),
            deal_month: 11,
            subscription: dec(25, 0),
            what_if_referral_points: dec(2, 2),
        }
    }

    fn tier(&self, price: Decimal) -> (&'static str, Decimal, Decimal) {
        let t = self.tiers.iter().find(|t| price < t.0).unwrap_or(&self.tiers[2]);
        (t.1, t.2, t.3)
    }

    fn lines(&self) -> Vec<String> {
        let pct = |d: Decimal| format!("{}%", (d * Decimal::ONE_HUNDRED).normalize());
        let tiers: Vec<String> = self
            .tiers
            .iter()
            .map(|(below, name, fee, cf)| {
                let band = if *below == Decimal::MAX {
                    "above".to_owned()
                } else {
                    format!("< £{below}")
                };
                format!("{name} ({band}): £{fee}/unit, {cf} cu ft")
            })
            .collect();
        vec![
            "The data has sale prices only; every cost and fee below is assumed.".to_owned(),
            "Channels: 'uk' = customers in the United Kingdom, 'export' = all others; both \
             sold and fulfilled through an Amazon-like marketplace."
                .to_owned(),
            format!(
                "Unit cost: {} of the SKU's lowest sale price, rising {} a month (FIFO ledger, \
                 one receipt on the 1st of each month covering that month's sales).",
                pct(self.cost_share),
                pct(self.cost_creep_per_month)
            ),
            format!(
                "Referral fee: {} of the price, at least £{} per unit (direct to its line).",
                pct(self.referral_rate),
                self.referral_minimum
            ),
            format!(
                "Size tier by unit price (no dimensions in the data): {}; fulfilment \
                 charged per unit (direct).",
                tiers.join("; ")
            ),
            format!(
                "Storage: £{}/cu ft/month (Oct-Dec £{}), units held from the 1st to the \
                 day they ship; pooled by cubic-foot-days.",
                self.storage_rate, self.storage_rate_peak
            ),
            format!(
                "Advertising: {} of UK revenue is ad-attributed, ACoS {}; export is not \
                 advertised; pooled by ad sales.",
                pct(self.ad_sales_share),
                pct(self.acos)
            ),
            format!(
                "Deals: every SKU sold in the UK in {} runs one deal there, at a £{} deal \
                 fee direct to its UK line. A promotion-programme fee: it lowers net margin \
                 but is not ad spend and not in TACoS (the data's prices already carry any \
                 deal discount).",
                month_name(self.deal_month),
                self.deal_fee
            ),
            format!(
                "Subscription: £{}/month for every calendar month the period touches, \
                 with sales or not; attributed to no SKU.",
                self.subscription
            ),
            "Cancellations and adjustments are left out (the data does not link them to \
             their sales). Pooled charges are split by the whole period's drivers."
                .to_owned(),
            "Break-even price: where the line's net margin per unit is zero at its unit \
             cost under the referral terms, with every other charge the line paid \
             (fulfilment, storage share, ad spend and deal fees) held fixed per unit at its \
             actual average. Ad spend really grows with price (ACoS), so this is the break-even \
             at today's ad spend per unit."
                .to_owned(),
            format!(
                "Rows left out before booking: unreadable rows; quantity above {} or unit \
                 price above £{} on one line; dated before {} or after tomorrow by this \
                 machine's clock; dated outside the main run of dates, where {} (a cluster \
                 of bad dates apart from the rest is left out however large, while the \
                 real sales hold more rows).",
                PLAUSIBLE.max_quantity,
                PLAUSIBLE.max_price,
                PLAUSIBLE.earliest,
                DATE_RUN.describe()
            ),
            "Period: the first to the last day of the sales booked, both included. In \
             --json, `period.end_exclusive` and `statement.period.end` are the day after \
             the last day (the end is exclusive); `period.last_day` is the last day."
                .to_owned(),
            "Each month's referral and fulfilment fees of a line, and each month's storage \
             and ad spend, are booked to the penny, rounded half away from zero. Money \
             cells are rounded the same way (per-unit figures to 3 places) from the exact \
             figures booked; totals are the exact totals rounded, so a column may differ \
             from the sum of its printed cells by a few pence."
                .to_owned(),
            format!(
                "What-if: the referral rate {} points higher on every sale at its own price \
                 (the £{} minimum still binding where it does), everything else unchanged.",
                (self.what_if_referral_points * Decimal::ONE_HUNDRED).normalize(),
                self.referral_minimum
            ),
        ]
    }
}

/// One sale line the example books.
struct Sold {
    sku: Sku,
    channel: ChannelId,
    date: NaiveDate,
    quantity: i64,
    price: Decimal,
    /// Line in the input file.
    line: u64,
}

/// What a row must look like to be booked: anything beyond these bounds
/// is a typing or export error in a retail invoice, and one such row
/// must neither abort the run nor stretch or distort the report.
struct Plausible {
    /// Units on one invoice line (the bundled data's largest is 4,300).
    max_quantity: i64,
    /// Pounds per unit (the bundled data's dearest is 32.04).
    max_price: Decimal,
    /// No row before this day.
    earliest: NaiveDate,
}

const PLAUSIBLE: Plausible = Plausible {
    max_quantity: 100_000,
    max_price: Decimal::from_parts(100_000, 0, 0, false, 0),
    earliest: match NaiveDate::from_ymd_opt(1970, 1, 1) {
        Some(d) => d,
        None => NaiveDate::MIN,
    },
};

/// The run of dates the report covers: sale days cut into blocks at more
/// than a year without a sale, the block with the most rows kept, its
/// sparse ends cut off (see `common/window.rs`). Rows outside it are
/// left out and named; see [`drop_outlying_dates`].
const DATE_RUN: WindowRule = WindowRule { max_gap_days: 366, trim_sparse_ends: true };

/// How many file lines a skip reason names before it only counts.
const NAMED_LINES: usize = 5;

/// Rows left out, by reason: how many and the first few file lines.
#[derive(Default, Serialize)]
struct Skipped(BTreeMap<String, SkipCount>);

#[derive(Default, Serialize)]
struct SkipCount {
    rows: u64,
    first_lines: Vec<u64>,
}

impl Skipped {
    fn add(&mut self, reason: impl Into<String>, line: u64) {
        let slot = self.0.entry(reason.into()).or_default();
        slot.rows += 1;
        if slot.first_lines.len() < NAMED_LINES {
            slot.first_lines.push(line);
        }
    }

    /// Rows whose lines are not known.
    fn add_count(&mut self, reason: String, rows: u64) {
        self.0.entry(reason).or_default().rows += rows;
    }

    fn rows(&self) -> u64 {
        self.0.values().map(|c| c.rows).sum()
    }

    /// One sentence per reason.
    fn lines(&self) -> Vec<String> {
        self.0
            .iter()
            .map(|(reason, c)| {
                let named: Vec<String> = c.first_lines.iter().map(u64::to_string).collect();
                let more = if c.rows > c.first_lines.len() as u64 { ", ..." } else { "" };
                let s = if c.rows == 1 { "" } else { "s" };
                let at = if named.len() == 1 { "line" } else { "lines" };
                let reason = reason.trim_end_matches(',');
                if named.is_empty() {
                    format!("{} row{s} {reason}", c.rows)
                } else {
                    format!("{} row{s} {reason} ({at} {}{more})", c.rows, named.join(", "))
                }
            })
            .collect()
    }
}

/// `n` and the noun, singular for one: `counted(1, "line", "lines")` is
/// `1 line`.
fn counted<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
}

/// The chart's title: `shown` lines of `all`, of the `top` SKUs.
fn chart_title(shown: usize, all: usize, top: usize) -> String {
    format!(
        "Net margin per line, GBP ({shown} of {}: top {} by revenue)",
        counted(all, "line", "lines"),
        counted(top, "SKU", "SKUs")
    )
}

/// The sentence above the table: `shown` lines of `all`, of the `top`
/// SKUs.
fn shown_note(shown: usize, all: usize, top: usize) -> String {
    let which = if top == 1 {
        "the top SKU by revenue".to_owned()
    } else {
        format!("the top {top} SKUs by revenue")
    };
    let cover = if all == 1 {
        "the totals below cover it".to_owned()
    } else {
        format!("the totals below cover all {all}")
    };
    format!("{shown} of {} shown ({which}, both channels); {cover}.", counted(all, "line", "lines"))
}

/// The sale lines to book and the rows left out.
struct Loaded {
    sold: Vec<Sold>,
    skipped: Skipped,
}

/// Reads the sale lines of a file, un-gzipping `.gz` (every member of it:
/// a `.gz` made by concatenating gzip files holds several).
fn load(path: &Path, today: NaiveDate) -> Result<Loaded, BoxError> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let file = BufReader::new(file);
    let gz = path.extension().is_some_and(|e| e == "gz");
    let reader: Box<dyn Read> =
        if gz { Box::new(MultiGzDecoder::new(file)) } else { Box::new(file) };
    read_sales(reader, today).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Reads sale lines, leaving out (and naming) every row a report should
/// not trust; see [`Plausible`]. `today` is this machine's date.
fn read_sales(reader: impl Read, today: NaiveDate) -> Result<Loaded, BoxError> {
    let (uk, export) = (ChannelId::new("uk")?, ChannelId::new("export")?);
    let latest = today.checked_add_days(Days::new(1)).unwrap_or(today);
    let mut sold = Vec::new();
    let mut skipped = Skipped::default();
    let mut rows = UciRetailReader::new(reader)?;
    for row in rows.by_ref() {
        let line: RetailLine = match row {
            Ok(line) => line,
            Err(e) if e.is_fatal() => return Err(e.into()),
            Err(e) => {
                skipped.add("unreadable", e.line());
                continue;
            }
        };
        if line.kind != RetailLineKind::Sale
            || !line.quantity.is_positive()
            || line.unit_price <= Decimal::ZERO
        {
            continue;
        }
        let reason = if line.quantity.get() > PLAUSIBLE.max_quantity {
            Some(format!("with a quantity above {}", PLAUSIBLE.max_quantity))
        } else if line.unit_price > PLAUSIBLE.max_price {
            Some(format!("with a unit price above £{}", PLAUSIBLE.max_price))
        } else if line.date > latest {
            Some(format!("dated after tomorrow, {latest},"))
        } else if line.date < PLAUSIBLE.earliest {
            Some(format!("dated before {}", PLAUSIBLE.earliest))
        } else {
            None
        };
        if let Some(reason) = reason {
            skipped.add(reason, line.line);
            continue;
        }
        let home = line.country.as_deref() == Some("United Kingdom");
        sold.push(Sold {
            sku: line.stock_code,
            channel: if home { uk.clone() } else { export.clone() },
            date: line.date,
            quantity: line.quantity.get(),
            price: line.unit_price,
            line: line.line,
        });
    }
    for (reason, &n) in &rows.stats().skipped {
        if *reason != SkipReason::BlankLine {
            skipped.add_count(format!("passed over by the reader ({reason})"), n);
        }
    }
    let sold = drop_outlying_dates(sold, &mut skipped);
    if sold.is_empty() {
        let left_out = skipped.rows();
        return Err(format!(
            "no sale line left to book: of {}, {left_out} {} left out as untrustworthy and \
             the rest are not sales of a product at a price (postage and fee codes, \
             cancellations and free lines are not booked)",
            counted(rows.stats().rows, "row", "rows"),
            if left_out == 1 { "was" } else { "were" }
        )
        .into());
    }
    Ok(Loaded { sold, skipped })
}

/// Leaves out the rows dated outside the main run of dates, by
/// [`DATE_RUN`]. One row years away from the rest, or a cluster of them,
/// would otherwise stretch the period, and with it the subscription
/// months and the storage days.
fn drop_outlying_dates(sold: Vec<Sold>, skipped: &mut Skipped) -> Vec<Sold> {
    let mut rows_per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for s in &sold {
        *rows_per_day.entry(s.date).or_insert(0) += 1;
    }
    let Some((from, to)) = window(&rows_per_day, DATE_RUN) else {
        return sold;
    };
    let (kept, out): (Vec<Sold>, Vec<Sold>) =
        sold.into_iter().partition(|s| (from..=to).contains(&s.date));
    for s in out {
        skipped.add(format!("dated outside the main run of dates, {from} to {to},"), s.line);
    }
    kept
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn months_between(a: NaiveDate, b: NaiveDate) -> u32 {
    let m = |d: NaiveDate| d.year() * 12 + i32::try_from(d.month0()).unwrap_or(0);
    u32::try_from(m(b) - m(a)).unwrap_or(0)
}

/// The first day of every calendar month `period` touches, with sales in
/// it or not.
fn months_of(period: DateRange) -> Result<Vec<NaiveDate>, BoxError> {
    let last = period.last().ok_or("an empty period")?;
    let mut month = first_of_month(period.start());
    let mut months = Vec::new();
    while month <= last {
        months.push(month);
        month = month.checked_add_months(Months::new(1)).ok_or("a month past the calendar")?;
    }
    Ok(months)
}

/// The statement and what fed it.
struct Books {
    period: DateRange,
    valued: ValuedSales,
    statement: MarginStatement,
    charges_sum: Decimal,
    /// What the what-if referral rise does to the margin, summed sale by
    /// sale at each sale's own price.
    what_if: Decimal,
}

/// Books the sales into a ledger, builds the charges the assumptions
/// imply, and draws the statement with COGS from the ledger.
fn build(sold: &[Sold], a: &Assumptions) -> Result<Books, BoxError> {
    let first = sold.iter().map(|s| s.date).min().ok_or("no sales")?;
    let last = sold.iter().map(|s| s.date).max().ok_or("no sales")?;
    let period = DateRange::inclusive(first, last)?;
    let gbp = Currency::GBP;
    let money = |v: Decimal| Money::new(v, gbp);

    // Unit cost per SKU: a share of its lowest price.
    let mut lowest: BTreeMap<&Sku, Decimal> = BTreeMap::new();
    for s in sold {
        let slot = lowest.entry(&s.sku).or_insert(s.price);
        *slot = (*slot).min(s.price);
    }

    // The ledger: a receipt on the 1st of each month for the month's
    // units, and one shipment per SKU, channel and day.
    let mut monthly_units: BTreeMap<(&Sku, NaiveDate), i64> = BTreeMap::new();
    let mut daily: BTreeMap<(&Sku, &ChannelId, NaiveDate), i64> = BTreeMap::new();
    for s in sold {
        *monthly_units.entry((&s.sku, first_of_month(s.date))).or_insert(0) += s.quantity;
        *daily.entry((&s.sku, &s.channel, s.date)).or_insert(0) += s.quantity;
    }
    let mut ledger = Ledger::new(LedgerOptions { currency: gbp, ..LedgerOptions::default() });
    let wh = LocationId::new("FC-UK")?;
    let at = |d: NaiveDate, h| {
        d.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()).and_utc()
    };
    let mut events = Vec::with_capacity(monthly_units.len() + daily.len());
    for (&(sku, month), &units) in &monthly_units {
        let creep =
            Decimal::ONE + a.cost_creep_per_month * Decimal::from(months_between(first, month));
        let cost = lowest.get(sku).copied().unwrap_or_default() * a.cost_share * creep;
        let kind = EventKind::receipt(Quantity::new(units), cost.round_dp(4));
        let id = EventId::new(format!("in/{sku}/{month}"))?;
        events.push(Event::new(id, at(month, 0), sku.clone(), wh.clone(), kind));
    }
    for (&(sku, channel, day), &units) in &daily {
        let order = OrderId::new(format!("{sku}-{channel}-{day}"))?;
        let kind = EventKind::shipment(Quantity::new(units), channel.clone(), order);
        let id = EventId::new(format!("out/{sku}/{channel}/{day}"))?;
        events.push(Event::new(id, at(day, 12), sku.clone(), wh.clone(), kind));
    }
    events.sort_by_key(|e| e.at);
    for e in events {
        ledger.ingest(e)?;
    }

    // Drivers and charges, per line and month.
    let mut drivers: BTreeMap<(Sku, ChannelId), SalesDrivers> = BTreeMap::new();
    type Key<'a> = (&'a Sku, &'a ChannelId, NaiveDate);
    let (mut referral, mut fulfil): (BTreeMap<Key<'_>, Decimal>, BTreeMap<Key<'_>, Decimal>) =
        (BTreeMap::new(), BTreeMap::new());
    let mut cubic_foot_days: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    let mut ad_sales: BTreeMap<NaiveDate, Decimal> = BTreeMap::new();
    let mut deals: BTreeSet<(&Sku, &ChannelId, NaiveDate)> = BTreeSet::new();
    // The what-if prices each sale at its own price: the referral
    // minimum binds on cheap sales, so a line's average price would
    // misstate it.
    let referral_now = FeeSchedule::new(a.referral_rate, a.referral_minimum, Decimal::ZERO)?;
    let referral_up = FeeSchedule::new(
        a.referral_rate + a.what_if_referral_points,
        a.referral_minimum,
        Decimal::ZERO,
    )?;
    let mut what_if = Decimal::ZERO;
    for s in sold {
        let q = Decimal::from(s.quantity);
        let revenue = s.price * q;
        let month = first_of_month(s.date);
        let (_, fee, cubic_feet) = a.tier(s.price);
        // Held from the 1st (day 1) to the day it ships.
        let cfd = cubic_feet * q * Decimal::from(s.date.day());
        let d = drivers.entry((s.sku.clone(), s.channel.clone())).or_default();
        d.revenue += revenue;
        d.cubic_foot_days += cfd;
        *cubic_foot_days.entry(month).or_default() += cfd;
        if s.channel.as_str() == "uk" {
            let ad = revenue * a.ad_sales_share;
            d.ad_sales += ad;
            *ad_sales.entry(month).or_default() += ad;
            if month.month() == a.deal_month {
                deals.insert((&s.sku, &s.channel, month));
            }
        }
        what_if += referral_now.margin_change(&referral_up, s.price, Quantity::new(s.quantity))?;
        let per_unit = (s.price * a.referral_rate).max(a.referral_minimum);
        *referral.entry((&s.sku, &s.channel, month)).or_default() += per_unit * q;
        *fulfil.entry((&s.sku, &s.channel, month)).or_default() += fee * q;
    }
    let mut charges = Vec::new();
    // Charges are booked to the penny, half away from zero, as the
    // report rounds its cells.
    let pence = |v: Decimal| -rounded(v, 2);
    for (map, kind) in [(&referral, FeeKind::Referral), (&fulfil, FeeKind::Fulfillment)] {
        for (&(sku, channel, month), &v) in map {
            let attribution = Attribution::Direct { sku: sku.clone(), channel: channel.clone() };
            charges.push(Charge {
                date: month.max(first),
                kind: kind.clone(),
                amount: money(pence(v)),
                attribution,
            });
        }
    }
    for (&month, &cfd) in &cubic_foot_days {
        let rate = if month.month() >= 10 { a.storage_rate_peak } else { a.storage_rate };
        let days = month.checked_add_months(Months::new(1)).map_or(30, |n| (n - month).num_days());
        let amount = pence(rate * cfd / Decimal::from(days));
        let date = month.max(first);
        charges.push(Charge {
            date,
            kind: FeeKind::StorageMonthly,
            amount: money(amount),
            attribution: Attribution::ByCubicFootDays,
        });
    }
    for (&month, &ads) in &ad_sales {
        let date = month.max(first);
        charges.push(Charge {
            date,
            kind: FeeKind::Advertising,
            amount: money(pence(ads * a.acos)),
            attribution: Attribution::ByAdSales,
        });
    }
    for &(sku, channel, month) in &deals {
        charges.push(Charge {
            date: month.max(first),
            kind: FeeKind::PromotionProgramme,
            amount: money(-a.deal_fee),
            attribution: Attribution::Direct { sku: sku.clone(), channel: channel.clone() },
        });
    }
    for month in months_of(period)? {
        let date = month.max(first);
        let kind = FeeKind::Other("subscription".to_owned());
        charges.push(Charge {
            date,
            kind,
            amount: money(-a.subscription),
            attribution: Attribution::Unattributed,
        });
    }
    let charges_sum = charges.iter().map(|c| c.amount.amount()).sum();

    // COGS from the ledger, then the statement.
    let valued = sales_from_valuation(&ledger, period, &drivers, &ValuedSalesOptions::default())?;
    let statement = valued.net_margins(&charges, &RateTable::new())?;
    Ok(Books { period, valued, statement, charges_sum, what_if })
}

/// The checks a reader of the report can rely on.
fn check(b: &Books) -> Result<(), BoxError> {
    let s = &b.statement;
    if s.attributed_total()? + s.unattributed_total != s.charges_total
        || s.charges_total != b.charges_sum
    {
        return Err(format!(
            "charges do not add up: attributed {} + unattributed {} vs total {} vs booked {}",
            s.attributed_total()?,
            s.unattributed_total,
            s.charges_total,
            b.charges_sum
        )
        .into());
    }
    for l in &s.lines {
        if l.revenue - l.cogs + l.charges_total != l.net_margin {
            return Err(format!("line {} {} does not add up", l.sku, l.channel).into());
        }
    }
    Ok(())
}

fn fee(l: &MarginLine, kind: &FeeKind) -> Decimal {
    -l.charges.get(kind).copied().unwrap_or_default()
}

/// A fee kind as the report names it.
fn fee_name(kind: &FeeKind) -> String {
    let name = match kind {
        FeeKind::Referral => "referral",
        FeeKind::Fulfillment => "fulfilment",
        FeeKind::StorageMonthly => "storage",
        FeeKind::StorageAged => "aged-inventory storage",
        FeeKind::InboundPlacement => "inbound placement",
        FeeKind::Prep => "prep",
        FeeKind::Removal => "removal",
        FeeKind::Disposal => "disposal",
        FeeKind::Advertising => "advertising",
        FeeKind::PromotionProgramme => "deal, coupon and Vine fees",
        FeeKind::ReturnsProcessing => "returns processing",
        FeeKind::Reimbursement => "reimbursements",
        FeeKind::DutyExpense => "duties (period expense)",
        FeeKind::Other(n) => return n.clone(),
        // A kind core adds later: its variant name until named here.
        k => return format!("{k:?}"),
    };
    name.to_owned()
}

/// The English name of `month` (1-12).
fn month_name(month: u32) -> String {
    NaiveDate::from_ymd_opt(2000, month, 1)
        .map_or(month.to_string(), |d| d.format("%B").to_string())
}

/// Average and break-even price of one line.
struct Pricing {
    average_price: Option<Decimal>,
    break_even: Option<Decimal>,
}

fn pricing(l: &MarginLine, a: &Assumptions) -> Result<Pricing, BoxError> {
    let units = Decimal::from(l.units.get());
    if units <= Decimal::ZERO {
        return Ok(Pricing { average_price: None, break_even: None });
    }
    let price = l.revenue / units;
    // Fixed fees per unit as this line actually paid them: every charge
    // except referral (and reimbursements, which are income).
    let fixed =
        -(l.charges_total - l.charges.get(&FeeKind::Referral).copied().unwrap_or_default()) / units;
    let now = FeeSchedule::new(a.referral_rate, a.referral_minimum, fixed.max(Decimal::ZERO))?;
    Ok(Pricing {
        average_price: Some(price),
        break_even: Some(now.break_even_price(l.cogs / units)?),
    })
}

/// The break-even of one line, in the JSON output.
#[derive(Serialize)]
struct LinePricing {
    sku: Sku,
    channel: ChannelId,
    /// Revenue over units, rounded half away from zero to 4 places.
    average_price: Option<Decimal>,
    /// See the assumptions; rounded half away from zero to 4 places.
    break_even_price: Option<Decimal>,
}

/// The period of the statement, in the JSON output, with both ends
/// spelled out: `statement.period.end` is exclusive.
#[derive(Serialize)]
struct PeriodOut {
    /// The first day of sales.
    first_day: NaiveDate,
    /// The last day of sales, included.
    last_day: NaiveDate,
    /// The day after `last_day`: the exclusive end, as
    /// `statement.period.end`.
    end_exclusive: NaiveDate,
}

impl PeriodOut {
    fn of(period: DateRange) -> Self {
        Self {
            first_day: period.start(),
            last_day: period.last().unwrap_or(period.start()),
            end_exclusive: period.end(),
        }
    }
}

#[derive(Serialize)]
struct Output<'a> {
    assumptions: Vec<String>,
    period: PeriodOut,
    skipped_rows: &'a Skipped,
    statement: &'a MarginStatement,
    pricing: Vec<LinePricing>,
    unassigned_cogs: Decimal,
    what_if_referral_points: Decimal,
    what_if_margin_change: Decimal,
}

/// `v` rounded half away from zero to `dp` places, never negative zero.
fn rounded(v: Decimal, dp: u32) -> Decimal {
    let mut r = v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    if r.is_zero() {
        r.set_sign_positive(true);
    }
    r
}

/// A money cell: to the penny, half away from zero, never `-0.00`.
fn money(v: Decimal) -> String {
    format!("{:.2}", rounded(v, 2))
}

/// A per-unit cell, to 3 places as [`money`].
fn per_unit(v: Option<Decimal>) -> String {
    v.map_or("-".to_owned(), |v| format!("{:.3}", rounded(v, 3)))
}

fn pct(m: Option<Decimal>) -> String {
    m.map_or("-".to_owned(), |v| format!("{:.1}%", rounded(v * Decimal::ONE_HUNDRED, 1)))
}

/// The SKUs the table shows: the `top` by revenue over both channels,
/// ties by SKU.
fn top_skus(s: &MarginStatement, top: usize) -> Vec<&Sku> {
    let mut by_sku: BTreeMap<&Sku, Decimal> = BTreeMap::new();
    for l in &s.lines {
        *by_sku.entry(&l.sku).or_default() += l.revenue;
    }
    let mut ranked: Vec<(&Sku, Decimal)> = by_sku.into_iter().collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    ranked.into_iter().take(top).map(|(k, _)| k).collect()
}

/// The lines of the shown SKUs, in table order, with their pricing.
fn shown<'a>(
    s: &'a MarginStatement,
    priced: &'a [Pricing],
    top: &[&Sku],
) -> Vec<(&'a MarginLine, &'a Pricing)> {
    top.iter()
        .flat_map(|sku| s.lines.iter().zip(priced).filter(move |(l, _)| l.sku == **sku))
        .collect()
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A horizontal bar chart of the net margin of `lines`, in pounds: bars
/// right of the zero line are profit, left of it loss.
fn svg_bars(title: &str, lines: &[(String, Decimal)]) -> String {
    use std::fmt::Write as _;
    let (label_w, plot_w, bar_h, top) = (160.0, 560.0, 18.0, 40.0);
    let values: Vec<f64> = lines.iter().map(|(_, v)| v.to_f64().unwrap_or(0.0)).collect();
    let low = values.iter().copied().fold(0.0_f64, f64::min);
    let high = values.iter().copied().fold(0.0_f64, f64::max);
    let span = if high - low > 0.0 { high - low } else { 1.0 };
    let x = |v: f64| label_w + (v - low) / span * plot_w;
    let height = top + bar_h * lines.len() as f64 + 30.0;
    let width = label_w + plot_w + 90.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">"
    );
    let _ = writeln!(out, "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    let _ = writeln!(out, "<text x=\"10\" y=\"20\" font-size=\"14\">{}</text>", xml_escape(title));
    for (i, ((label, value), v)) in lines.iter().zip(&values).enumerate() {
        let y = top + bar_h * i as f64;
        let (x0, x1) = (x(v.min(0.0)), x(v.max(0.0)));
        let colour = if *v < 0.0 { "#d62728" } else { "#2ca02c" };
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 6.0,
            y + 13.0,
            xml_escape(label)
        );
        let _ = writeln!(
            out,
            "<rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>",
            y + 2.0,
            (x1 - x0).max(0.5),
            bar_h - 4.0
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">£{}</text>",
            x1 + 4.0,
            y + 13.0,
            money(*value)
        );
    }
    let zero = x(0.0);
    let _ = writeln!(
        out,
        "<line x1=\"{zero:.1}\" y1=\"{:.1}\" x2=\"{zero:.1}\" y2=\"{:.1}\" stroke=\"black\"/>",
        top - 4.0,
        height - 26.0
    );
    let _ = writeln!(
        out,
        "<text x=\"{zero:.1}\" y=\"{:.1}\" text-anchor=\"middle\">£0</text>",
        height - 10.0
    );
    out.push_str("</svg>\n");
    out
}

fn run(args: &Args) -> Result<(), BoxError> {
    let a = Assumptions::standard();
    let path = args.retail.clone().unwrap_or_else(|| PathBuf::from(BUNDLED_RETAIL));
    let Loaded { sold, skipped } = load(&path, Local::now().date_naive())?;
    let books = build(&sold, &a)?;
    check(&books)?;
    let s = &books.statement;
    let what_if_total = books.what_if;
    let mut priced = Vec::with_capacity(s.lines.len());
    for l in &s.lines {
        priced.push(pricing(l, &a)?);
    }
    let unassigned = books.valued.unassigned_cogs()?;
    let top = top_skus(s, args.top);
    let rows = shown(s, &priced, &top);

    if let Some(svg) = &args.svg {
        let bars: Vec<(String, Decimal)> =
            rows.iter().map(|(l, _)| (format!("{} {}", l.sku, l.channel), l.net_margin)).collect();
        let title = chart_title(rows.len(), s.lines.len(), top.len());
        std::fs::write(svg, svg_bars(&title, &bars))
            .map_err(|e| format!("cannot write {}: {e}", svg.display()))?;
    }

    if let Some(file) = &args.json {
        let pricing = s
            .lines
            .iter()
            .zip(&priced)
            .map(|(l, p)| LinePricing {
                sku: l.sku.clone(),
                channel: l.channel.clone(),
                average_price: p.average_price.map(|v| rounded(v, 4)),
                break_even_price: p.break_even.map(|v| rounded(v, 4)),
            })
            .collect();
        let out = Output {
            assumptions: a.lines(),
            period: PeriodOut::of(books.period),
            skipped_rows: &skipped,
            statement: s,
            pricing,
            unassigned_cogs: unassigned,
            what_if_referral_points: a.what_if_referral_points,
            what_if_margin_change: rounded(what_if_total, 2),
        };
        let text = serde_json::to_string_pretty(&out)?;
        match file {
            None => {
                println!("{text}");
                return Ok(());
            }
            Some(path) => std::fs::write(path, text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        }
    }

    println!(
        "Net margin per SKU and channel, {} to {}, in GBP",
        books.period.start(),
        books.period.last().unwrap_or(books.period.start())
    );
    println!("{} from {}", counted(sold.len(), "sale line", "sale lines"), path.display());
    if skipped.rows() > 0 {
        println!("Rows left out ({}):", skipped.rows());
        for line in skipped.lines() {
            println!("  - {line}");
        }
    }
    println!("\nAssumptions:");
    for line in a.lines() {
        println!("  - {line}");
    }
    println!();

    let mut table = Table::new(&[
        ("sku", Align::Left),
        ("channel", Align::Left),
        ("units", Align::Right),
        ("revenue", Align::Right),
        ("COGS", Align::Right),
        ("referral", Align::Right),
        ("fulfil", Align::Right),
        ("storage", Align::Right),
        ("ads", Align::Right),
        ("deals", Align::Right),
        ("net", Align::Right),
        ("per unit", Align::Right),
        ("rate", Align::Right),
        ("TACoS", Align::Right),
        ("avg price", Align::Right),
        ("break-even", Align::Right),
    ]);
    for (l, p) in &rows {
        table.row(vec![
            l.sku.to_string(),
            l.channel.to_string(),
            l.units.get().to_string(),
            money(l.revenue),
            money(l.cogs),
            money(fee(l, &FeeKind::Referral)),
            money(fee(l, &FeeKind::Fulfillment)),
            money(fee(l, &FeeKind::StorageMonthly)),
            money(fee(l, &FeeKind::Advertising)),
            money(fee(l, &FeeKind::PromotionProgramme)),
            money(l.net_margin),
            per_unit(l.net_margin_per_unit.value()),
            pct(l.net_margin_rate.value()),
            pct(l.tacos.value()),
            per_unit(p.average_price),
            per_unit(p.break_even),
        ]);
    }
    println!("{}", shown_note(rows.len(), s.lines.len(), top.len()));
    println!("{}", table.render());

    let revenue: Decimal = s.lines.iter().map(|l| l.revenue).sum();
    let cogs: Decimal = s.lines.iter().map(|l| l.cogs).sum();
    let net: Decimal = s.lines.iter().map(|l| l.net_margin).sum();
    let attributed = s.attributed_total()?;
    let mut totals = Table::new(&[("all lines", Align::Left), ("GBP", Align::Right)]);
    let all = if s.lines.len() == 1 {
        "1 line".to_owned()
    } else {
        format!("all {} lines", s.lines.len())
    };
    totals.row(vec![format!("revenue ({all})"), money(revenue)]);
    totals.row(vec!["cost of goods sold (from the ledger)".to_owned(), money(-cogs)]);
    totals.row(vec!["charges attributed to lines".to_owned(), money(attributed)]);
    totals.row(vec!["net margin of the lines".to_owned(), money(net)]);
    for (kind, v) in &s.unattributed {
        totals.row(vec![format!("unattributed: {}", fee_name(kind)), money(*v)]);
    }
    if !unassigned.is_zero() {
        totals.row(vec!["COGS with no channel".to_owned(), money(-unassigned)]);
    }
    totals.row(vec![
        "left after the remainder".to_owned(),
        money(net + s.unattributed_total - unassigned),
    ]);
    totals.row(vec![
        format!(
            "what if referral rises {} points",
            (a.what_if_referral_points * Decimal::ONE_HUNDRED).normalize()
        ),
        money(what_if_total),
    ]);
    println!("{}", totals.render());
    println!(
        "Check: attributed {} + unattributed {} = every charge {} (exact before rounding).",
        money(attributed),
        money(s.unattributed_total),
        money(s.charges_total)
    );
    if let Some(svg) = &args.svg {
        println!("Chart of the shown lines' net margin written to {}.", svg.display());
    }
    Ok(())
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("margins: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sold(sku: &str, channel: &str, day: u32, quantity: i64, price: &str) -> Sold {
        Sold {
            sku: Sku::new(sku).unwrap(),
            channel: ChannelId::new(channel).unwrap(),
            date: NaiveDate::from_ymd_opt(2011, 3, day).unwrap(),
            quantity,
            price: price.parse().unwrap(),
            line: u64::from(day) + 1,
        }
    }

    /// One March, by hand: MUG (standard tier) sells 10 at 2.00 in the UK
    /// on the 4th and 5 at 2.00 for export on the 10th; its lowest price
    /// 2.00 makes the unit cost 0.80.
    #[test]
    fn a_month_by_hand_adds_up() {
        let books = build(
            &[sold("MUG", "uk", 4, 10, "2.00"), sold("MUG", "export", 10, 5, "2.00")],
            &Assumptions::standard(),
        )
        .unwrap();
        check(&books).unwrap();
        let s = &books.statement;
        let (export, uk) = (&s.lines[0], &s.lines[1]);
        // COGS from the ledger: 10 x 0.80 and 5 x 0.80.
        assert_eq!((uk.cogs, export.cogs), (dec(8, 0), dec(4, 0)));
        // referral max(0.30, 0.25) a unit: 3.00 and 1.50; fulfilment 0.35
        // a unit: 3.50 and 1.75.
        assert_eq!(fee(uk, &FeeKind::Referral), dec(3, 0));
        assert_eq!(fee(export, &FeeKind::Fulfillment), dec(175, 2));
        // storage: cubic-foot-days 0.03 x 10 x 4 = 1.2 and 0.03 x 5 x 10
        // = 1.5; 0.75 x 2.7 / 31 = 0.0653.. -> 0.07, split 1.2 : 1.5 =
        // 0.031111 and 0.038889 (largest remainder takes the last unit).
        assert_eq!(fee(uk, &FeeKind::StorageMonthly), dec(31111, 6));
        assert_eq!(fee(export, &FeeKind::StorageMonthly), dec(38889, 6));
        // ads: 30 % of UK revenue 20 = 6 ad sales, ACoS 25 % = 1.50, all UK.
        assert_eq!(fee(uk, &FeeKind::Advertising), dec(150, 2));
        assert_eq!(uk.tacos.value(), Some(dec(75, 3)));
        // UK: 20 - 8 - 3 - 3.50 - 0.031111 - 1.50 = 3.968889
        assert_eq!(uk.net_margin, dec(3_968_889, 6));
        // subscription: one month, 25.00, to no line.
        assert_eq!(s.unattributed_total, dec(-25, 0));
    }

    /// A November by hand: MUG sells 10 at 2.00 in the UK on the 4th, so
    /// it runs the month's deal. The deal fee lowers net margin and
    /// leaves TACoS at the ad spend's.
    #[test]
    fn a_deal_fee_lowers_net_margin_but_not_tacos() {
        let mut mug = sold("MUG", "uk", 4, 10, "2.00");
        mug.date = NaiveDate::from_ymd_opt(2011, 11, 4).unwrap();
        let books = build(&[mug], &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        let uk = &books.statement.lines[0];
        // COGS 10 x 0.80 = 8; referral 3.00; fulfilment 3.50; storage
        // (Oct-Dec rate) 1.20 x 0.03 x 10 x 4 / 30 = 0.048 -> 0.05; ads
        // 30 % x 20 x 25 % = 1.50; deal fee 70.
        assert_eq!(fee(uk, &FeeKind::StorageMonthly), dec(5, 2));
        assert_eq!(fee(uk, &FeeKind::Advertising), dec(150, 2));
        assert_eq!(fee(uk, &FeeKind::PromotionProgramme), dec(70, 0));
        // 20 - 8 - 3 - 3.50 - 0.05 - 1.50 - 70 = -66.05
        assert_eq!(uk.net_margin, dec(-6605, 2));
        // TACoS 1.50 / 20 = 0.075, as without the deal (not 71.50 / 20).
        assert_eq!(uk.tacos.value(), Some(dec(75, 3)));
        // The March sale of the hand-worked month runs no deal.
        let march = build(&[sold("MUG", "uk", 4, 10, "2.00")], &Assumptions::standard()).unwrap();
        assert_eq!(fee(&march.statement.lines[0], &FeeKind::PromotionProgramme), Decimal::ZERO);
    }

    /// The what-if prices every sale at its own price. MUG sells 10 at
    /// 1.00 and 10 at 3.00 (average 2.00). At 1.00 the referral is the
    /// 0.25 minimum at 15 % (0.15) and at 17 % (0.17): no change. At 3.00
    /// it goes from 0.45 to 0.51: 10 x -0.06 = -0.60. At the average
    /// price it was priced as 20 x (0.30 - 0.34) = -0.80.
    #[test]
    fn the_what_if_prices_each_sale_at_its_own_price() {
        let mut dear = sold("MUG", "uk", 5, 10, "3.00");
        dear.line = 99;
        let books =
            build(&[sold("MUG", "uk", 4, 10, "1.00"), dear], &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        assert_eq!(books.what_if, dec(-60, 2));
    }

    /// Charges are booked half away from zero, as the cells are printed.
    /// One line's March referral: 7 units at 3.55 pay 15 % = 0.5325 each,
    /// 3.7275; 3 at 2.35 pay 0.3525 each, 1.0575; together 4.785, a
    /// midpoint, which banker's rounding booked as 4.78.
    #[test]
    fn charges_are_booked_half_away_from_zero() {
        let books = build(
            &[sold("MUG", "uk", 4, 7, "3.55"), sold("MUG", "uk", 5, 3, "2.35")],
            &Assumptions::standard(),
        )
        .unwrap();
        assert_eq!(fee(&books.statement.lines[0], &FeeKind::Referral), dec(479, 2));
    }

    #[test]
    fn fee_kinds_have_report_names() {
        assert_eq!(fee_name(&FeeKind::PromotionProgramme), "deal, coupon and Vine fees");
        assert_eq!(fee_name(&FeeKind::Advertising), "advertising");
        assert_eq!(fee_name(&FeeKind::Other("subscription".into())), "subscription");
        assert_eq!(month_name(11), "November");
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap()
    }

    #[test]
    fn bundled_data_adds_up() {
        let loaded = load(Path::new(BUNDLED_RETAIL), today()).unwrap();
        assert_eq!(loaded.skipped.rows(), 0, "{:?}", loaded.skipped.lines());
        let books = build(&loaded.sold, &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        assert!(books.valued.unassigned.is_empty());
        assert_eq!(books.statement.lines.len(), books.valued.sales.len());
    }

    #[test]
    fn money_cells_round_half_away_from_zero_and_never_show_negative_zero() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        let cases = [
            ("2175.577976", "2175.58"),
            ("2175.574999", "2175.57"),
            ("0.005", "0.01"),
            ("-0.005", "-0.01"),
            ("0.015", "0.02"), // banker's would give 0.02 too; 0.025 tells
            ("0.025", "0.03"),
            ("-0.001", "0.00"),
            ("-0.00", "0.00"),
            ("12", "12.00"),
        ];
        for (v, want) in cases {
            assert_eq!(money(d(v)), want, "{v}");
        }
        assert_eq!(per_unit(Some(d("-0.0004"))), "0.000");
        assert_eq!(pct(Some(d("-0.0004"))), "0.0%");
        assert_eq!(pct(Some(d("0.07449"))), "7.4%");
    }

    /// The header line of the UCI retail file.
    const RETAIL_HEADER: &str =
        "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";

    /// A file of 40 good March 2011 sales and one bad row of each kind the
    /// hostile test found; lines count from the header (line 1).
    fn hostile_file() -> String {
        let mut f = String::from(RETAIL_HEADER);
        for i in 0..40 {
            let day = 1 + i % 28;
            f.push_str(&format!(
                "5{i:05},22423,MUG,3,2011-03-{day:02} 10:00:00,2.00,1,United Kingdom\n"
            ));
        }
        for bad in [
            "600001,22423,MUG,3,9999-03-02 10:00:00,2.00,1,United Kingdom", // line 42
            "600002,22423,MUG,9223372036854775807,2011-03-02 10:00:00,2.00,1,France", // 43
            "600003,22423,MUG,1,2011-03-02 10:00:00,99999999999999999.99,1,France", // 44
            "600004,22423,MUG,2,2250-03-02 10:00:00,2.00,1,United Kingdom", // 45
            "600005,22423,MUG,two,2011-03-02 10:00:00,2.00,1,United Kingdom", // 46
            "600006,22423,MUG,2,2003-03-02 10:00:00,2.00,1,United Kingdom", // 47
        ] {
            f.push_str(bad);
            f.push('\n');
        }
        f
    }

    #[test]
    fn one_bad_row_never_aborts_nor_stretches_the_report() {
        let loaded = read_sales(hostile_file().as_bytes(), today()).unwrap();
        assert_eq!(loaded.sold.len(), 40);
        let lines: BTreeMap<&str, &[u64]> =
            loaded.skipped.0.iter().map(|(k, c)| (k.as_str(), c.first_lines.as_slice())).collect();
        let want: BTreeMap<&str, &[u64]> = [
            ("dated after tomorrow, 2026-05-02,", &[42_u64, 45][..]),
            ("with a quantity above 100000", &[43][..]),
            ("with a unit price above £100000", &[44][..]),
            ("unreadable", &[46][..]),
            // 41 dates left: 2003-03-02, eight years from March 2011
            // (days 1-12 twice, 13-28 once): two blocks, and March's 40
            // rows outnumber 2003's one. Every March day has 16 or more
            // rows within 15 days either side, and no day more than all
            // 40, so none falls under a tenth of the median row's.
            ("dated outside the main run of dates, 2011-03-01 to 2011-03-28,", &[47][..]),
        ]
        .into_iter()
        .collect();
        assert_eq!(lines, want);
        let books = build(&loaded.sold, &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        // The period is the good rows' March, not 2003 to 9999.
        assert_eq!(books.period.start(), NaiveDate::from_ymd_opt(2011, 3, 1).unwrap());
        assert_eq!(books.period.last(), NaiveDate::from_ymd_opt(2011, 3, 28));
    }

    /// 20 rows dated June 1990 (lines 2-21) before 48 March 2011 sales
    /// (lines 22-69). A quarter of the dates is 1990, so the first
    /// quartile (sorted index 67 / 4 = 16) is 1990 and Tukey's fences,
    /// 3 x 21 years wide, let the whole cluster through; the main run of
    /// dates does not: 20 rows against 48, two decades apart.
    #[test]
    fn a_large_cluster_of_bad_dates_is_left_out_and_named() {
        let mut f = String::from(RETAIL_HEADER);
        for i in 0..20 {
            let day = 1 + i % 10;
            f.push_str(&format!(
                "4{i:05},22423,MUG,3,1990-06-{day:02} 10:00:00,2.00,1,United Kingdom\n"
            ));
        }
        for i in 0..48 {
            let day = 1 + i % 24;
            f.push_str(&format!("5{i:05},22423,MUG,3,2011-03-{day:02} 10:00:00,2.00,1,France\n"));
        }
        let loaded = read_sales(f.as_bytes(), today()).unwrap();
        assert_eq!(loaded.sold.len(), 48);
        assert!(loaded.sold.iter().all(|s| s.date.year() == 2011));
        assert_eq!(
            loaded.skipped.lines(),
            ["20 rows dated outside the main run of dates, 2011-03-01 to 2011-03-24 \
              (lines 2, 3, 4, 5, 6, ...)"]
        );
        let books = build(&loaded.sold, &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        // One month of subscription, not the 250 from June 1990.
        assert_eq!(books.statement.unattributed_total, dec(-25, 0));
        let period = PeriodOut::of(books.period);
        assert_eq!(
            (period.first_day, period.last_day),
            (
                NaiveDate::from_ymd_opt(2011, 3, 1).unwrap(),
                NaiveDate::from_ymd_opt(2011, 3, 24).unwrap()
            )
        );
    }

    /// The JSON says which end is exclusive: `period.end_exclusive` is
    /// the day after `period.last_day`, and equals the statement's own
    /// `period.end`, which consumers already read.
    #[test]
    fn the_json_period_spells_out_its_exclusive_end() {
        let loaded = read_sales(hostile_file().as_bytes(), today()).unwrap();
        let books = build(&loaded.sold, &Assumptions::standard()).unwrap();
        let period = serde_json::to_value(PeriodOut::of(books.period)).unwrap();
        assert_eq!(period["first_day"], "2011-03-01");
        assert_eq!(period["last_day"], "2011-03-28");
        assert_eq!(period["end_exclusive"], "2011-03-29");
        let statement = serde_json::to_value(&books.statement).unwrap();
        assert_eq!(statement["period"]["start"], "2011-03-01");
        assert_eq!(statement["period"]["end"], period["end_exclusive"]);
        assert!(Assumptions::standard().lines().iter().any(|l| l.contains("end_exclusive")));
    }

    #[test]
    fn skip_reasons_name_only_the_first_few_lines() {
        let mut skipped = Skipped::default();
        for line in 2..=9 {
            skipped.add("unreadable", line);
        }
        assert_eq!(skipped.lines(), ["8 rows unreadable (lines 2, 3, 4, 5, 6, ...)"]);
        skipped.add("dated after tomorrow, 2026-05-02,", 40);
        assert_eq!(skipped.lines()[0], "1 row dated after tomorrow, 2026-05-02 (line 40)");
    }

    #[test]
    fn the_subscription_is_charged_for_every_month_of_the_period() {
        // Sales in March and May only: March, April and May are charged,
        // 3 x 25.00 = 75.00.
        let mut may = sold("MUG", "uk", 5, 1, "2.00");
        may.date = NaiveDate::from_ymd_opt(2011, 5, 5).unwrap();
        let books =
            build(&[sold("MUG", "uk", 4, 1, "2.00"), may], &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        assert_eq!(books.statement.unattributed_total, dec(-75, 0));
    }

    /// The report said "1 sale lines", "the top 1 SKUs" and "all 1
    /// lines" when there was one of each.
    #[test]
    fn counts_of_one_are_singular() {
        assert_eq!(counted(1_usize, "sale line", "sale lines"), "1 sale line");
        assert_eq!(counted(0_usize, "sale line", "sale lines"), "0 sale lines");
        assert_eq!(counted(2_u64, "row", "rows"), "2 rows");
        assert_eq!(
            shown_note(1, 1, 1),
            "1 of 1 line shown (the top SKU by revenue, both channels); the totals below \
             cover it."
        );
        assert_eq!(
            shown_note(20, 31, 10),
            "20 of 31 lines shown (the top 10 SKUs by revenue, both channels); the totals \
             below cover all 31."
        );
        assert_eq!(
            chart_title(1, 1, 1),
            "Net margin per line, GBP (1 of 1 line: top 1 SKU by revenue)"
        );
        assert_eq!(
            chart_title(2, 3, 2),
            "Net margin per line, GBP (2 of 3 lines: top 2 SKUs by revenue)"
        );
    }

    #[test]
    fn the_chart_has_a_bar_per_line_and_escapes_names() {
        let svg = svg_bars(
            "a <b> & c",
            &[("MUG uk".to_owned(), dec(1250, 2)), ("PAN&LID export".to_owned(), dec(-300, 2))],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
        // one background rect and one bar per line
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("a &lt;b&gt; &amp; c") && svg.contains("PAN&amp;LID export"));
        assert!(svg.contains("£12.50") && svg.contains("£-3.00"));
        assert!(svg.contains("#d62728"), "a loss is drawn red");
    }

    /// Two gzip members one after the other (`cat a.gz b.gz`) are one
    /// file: the sale lines of both are read, not the first member's
    /// alone.
    #[test]
    fn every_member_of_a_multi_member_gzip_is_read() {
        use std::io::Write;

        use flate2::Compression;
        use flate2::write::GzEncoder;

        fn gzip(text: &str) -> Vec<u8> {
            let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
            encoder.write_all(text.as_bytes()).unwrap();
            encoder.finish().unwrap()
        }
        let sale = |invoice: u32, day: u32| {
            format!("{invoice},85123A,MUG,3,2011-03-{day:02} 09:00:00,2.00,17850,United Kingdom\n")
        };
        let header =
            "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n";
        let mut bytes = gzip(&format!("{header}{}{}", sale(1, 1), sale(2, 2)));
        bytes.extend(gzip(&format!("{}{}", sale(3, 3), sale(4, 4))));
        let dir =
            std::env::temp_dir().join(format!("merchantry-margins-gz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("two_members.csv.gz");
        std::fs::write(&path, bytes).unwrap();
        let today = NaiveDate::from_ymd_opt(2012, 1, 1).unwrap();
        let loaded = load(&path, today).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(loaded.sold.len(), 4);
        assert_eq!(loaded.sold.iter().map(|s| s.quantity).sum::<i64>(), 12);
    }
}
