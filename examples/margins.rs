//! `margins`: true net margin per SKU and channel, after every
//! marketplace fee, on a real retailer's year of sales.
//!
//! The UCI Online Retail invoice lines (bundled: the 24 busiest stock
//! codes) are booked into a FIFO inventory ledger as monthly receipts and
//! per-day shipments, so cost of goods sold comes from the ledger's
//! `ValuationView` through `metrics::margin::sales_from_valuation`. The
//! data carries prices only: unit costs and every fee are assumptions,
//! printed at the top of the report. Run it with no arguments on the
//! bundled data; `--help` lists the options.

#![allow(clippy::print_stdout, clippy::print_stderr, reason = "a program: it prints its report")]

#[path = "common/table.rs"]
mod table;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use chrono::{Datelike, Months, NaiveDate, NaiveTime};
use clap::Parser;
use flate2::read::GzDecoder;
use merchantry::amazon::{RetailLine, RetailLineKind, UciRetailReader};
use merchantry::core::{
    ChannelId, Currency, DateRange, Decimal, EventId, LocationId, Money, OrderId, Quantity, Sku,
};
use merchantry::ledger::{Event, EventKind, Ledger, LedgerOptions};
use merchantry::metrics::margin::{
    Attribution, Charge, FeeKind, FeeSchedule, MarginLine, MarginStatement, RateTable,
    SalesDrivers, ValuedSales, ValuedSalesOptions, sales_from_valuation,
};
use serde::Serialize;

use crate::table::{Align, Table};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

const BUNDLED_RETAIL: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/online_retail_top24.csv.gz");

/// Net margin per SKU and channel after every marketplace fee, on a real
/// retailer's sales with stated fee assumptions.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Args {
    /// Invoice lines in the UCI Online Retail layout (.csv or .csv.gz).
    /// Default: the bundled top-24 slice.
    #[arg(long, value_name = "FILE")]
    retail: Option<PathBuf>,
    /// How many SKUs (by revenue) the table shows; totals cover all.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// Print the statement as JSON instead of tables.
    #[arg(long)]
    json: bool,
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
            format!("Subscription: £{}/month, attributed to no SKU.", self.subscription),
            "Cancellations and adjustments are left out (the data does not link them to \
             their sales). Pooled charges are split by the whole period's drivers."
                .to_owned(),
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
}

/// Reads the sale lines, un-gzipping `.gz`.
fn load(path: &Path) -> Result<Vec<Sold>, BoxError> {
    let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
    let file = BufReader::new(file);
    let gz = path.extension().is_some_and(|e| e == "gz");
    let reader: Box<dyn Read> = if gz { Box::new(GzDecoder::new(file)) } else { Box::new(file) };
    let (uk, export) = (ChannelId::new("uk")?, ChannelId::new("export")?);
    let mut sold = Vec::new();
    let mut row_errors = 0_u64;
    for row in UciRetailReader::new(reader)? {
        let line: RetailLine = match row {
            Ok(line) => line,
            Err(e) if e.is_fatal() => return Err(format!("{}: {e}", path.display()).into()),
            Err(_) => {
                row_errors += 1;
                continue;
            }
        };
        if line.kind != RetailLineKind::Sale
            || !line.quantity.is_positive()
            || line.unit_price <= Decimal::ZERO
        {
            continue;
        }
        let home = line.country.as_deref() == Some("United Kingdom");
        sold.push(Sold {
            sku: line.stock_code,
            channel: if home { uk.clone() } else { export.clone() },
            date: line.date,
            quantity: line.quantity.get(),
            price: line.unit_price,
        });
    }
    if row_errors > 0 {
        eprintln!("margins: skipped {row_errors} unreadable rows");
    }
    if sold.is_empty() {
        return Err(format!("{} holds no sale line", path.display()).into());
    }
    Ok(sold)
}

fn first_of_month(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

fn months_between(a: NaiveDate, b: NaiveDate) -> u32 {
    let m = |d: NaiveDate| d.year() * 12 + i32::try_from(d.month0()).unwrap_or(0);
    u32::try_from(m(b) - m(a)).unwrap_or(0)
}

/// The statement and what fed it.
struct Books {
    period: DateRange,
    valued: ValuedSales,
    statement: MarginStatement,
    charges_sum: Decimal,
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
        }
        let per_unit = (s.price * a.referral_rate).max(a.referral_minimum);
        *referral.entry((&s.sku, &s.channel, month)).or_default() += per_unit * q;
        *fulfil.entry((&s.sku, &s.channel, month)).or_default() += fee * q;
    }
    let mut charges = Vec::new();
    let pence = |v: Decimal| -v.round_dp(2);
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
    for month in cubic_foot_days.keys() {
        let date = (*month).max(first);
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
    Ok(Books { period, valued, statement, charges_sum })
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

/// Break-even price and the what-if of one line.
struct Pricing {
    average_price: Option<Decimal>,
    break_even: Option<Decimal>,
    what_if: Decimal,
}

fn pricing(l: &MarginLine, a: &Assumptions) -> Result<Pricing, BoxError> {
    let units = Decimal::from(l.units.get());
    if units <= Decimal::ZERO {
        return Ok(Pricing { average_price: None, break_even: None, what_if: Decimal::ZERO });
    }
    let price = l.revenue / units;
    // Fixed fees per unit as this line actually paid them: every charge
    // except referral (and reimbursements, which are income).
    let fixed =
        -(l.charges_total - l.charges.get(&FeeKind::Referral).copied().unwrap_or_default()) / units;
    let now = FeeSchedule::new(a.referral_rate, a.referral_minimum, fixed.max(Decimal::ZERO))?;
    let up = FeeSchedule::new(
        a.referral_rate + a.what_if_referral_points,
        a.referral_minimum,
        fixed.max(Decimal::ZERO),
    )?;
    Ok(Pricing {
        average_price: Some(price),
        break_even: Some(now.break_even_price(l.cogs / units)?),
        what_if: now.margin_change(&up, price, l.units)?,
    })
}

#[derive(Serialize)]
struct Output<'a> {
    assumptions: Vec<String>,
    statement: &'a MarginStatement,
    unassigned_cogs: Decimal,
    what_if_referral_points: Decimal,
    what_if_margin_change: Decimal,
}

fn money(v: Decimal) -> String {
    format!("{:.2}", v)
}

fn pct(m: Option<Decimal>) -> String {
    m.map_or("-".to_owned(), |v| format!("{:.1}%", v * Decimal::ONE_HUNDRED))
}

fn run(args: &Args) -> Result<(), BoxError> {
    let a = Assumptions::standard();
    let path = args.retail.clone().unwrap_or_else(|| PathBuf::from(BUNDLED_RETAIL));
    let sold = load(&path)?;
    let books = build(&sold, &a)?;
    check(&books)?;
    let s = &books.statement;
    let mut what_if_total = Decimal::ZERO;
    let mut priced = Vec::with_capacity(s.lines.len());
    for l in &s.lines {
        let p = pricing(l, &a)?;
        what_if_total += p.what_if;
        priced.push(p);
    }
    let unassigned = books.valued.unassigned_cogs()?;

    if args.json {
        let out = Output {
            assumptions: a.lines(),
            statement: s,
            unassigned_cogs: unassigned,
            what_if_referral_points: a.what_if_referral_points,
            what_if_margin_change: what_if_total.round_dp(2),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }

    println!(
        "Net margin per SKU and channel, {} to {}, in GBP",
        books.period.start(),
        books.period.last().unwrap_or(books.period.start())
    );
    println!("{} sale lines from {}\n", sold.len(), path.display());
    println!("Assumptions:");
    for line in a.lines() {
        println!("  - {line}");
    }
    println!();

    // The top SKUs by revenue over both channels.
    let mut by_sku: BTreeMap<&Sku, Decimal> = BTreeMap::new();
    for l in &s.lines {
        *by_sku.entry(&l.sku).or_default() += l.revenue;
    }
    let mut ranked: Vec<(&Sku, Decimal)> = by_sku.into_iter().collect();
    ranked.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
    let top: Vec<&Sku> = ranked.iter().take(args.top).map(|(k, _)| *k).collect();

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
        ("net", Align::Right),
        ("per unit", Align::Right),
        ("rate", Align::Right),
        ("TACoS", Align::Right),
        ("avg price", Align::Right),
        ("break-even", Align::Right),
    ]);
    for sku in &top {
        for (l, p) in s.lines.iter().zip(&priced).filter(|(l, _)| l.sku == **sku) {
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
                money(l.net_margin),
                l.net_margin_per_unit.value().map_or("-".to_owned(), |v| format!("{v:.3}")),
                pct(l.net_margin_rate.value()),
                pct(l.tacos.value()),
                p.average_price.map_or("-".to_owned(), |v| format!("{v:.3}")),
                p.break_even.map_or("-".to_owned(), |v| format!("{v:.3}")),
            ]);
        }
    }
    println!("{}", table.render());

    let revenue: Decimal = s.lines.iter().map(|l| l.revenue).sum();
    let cogs: Decimal = s.lines.iter().map(|l| l.cogs).sum();
    let net: Decimal = s.lines.iter().map(|l| l.net_margin).sum();
    let attributed = s.attributed_total()?;
    let mut totals = Table::new(&[("all lines", Align::Left), ("GBP", Align::Right)]);
    totals.row(vec![format!("revenue ({} lines)", s.lines.len()), money(revenue)]);
    totals.row(vec!["cost of goods sold (from the ledger)".to_owned(), money(-cogs)]);
    totals.row(vec!["charges attributed to lines".to_owned(), money(attributed)]);
    totals.row(vec!["net margin of the lines".to_owned(), money(net)]);
    for (kind, v) in &s.unattributed {
        let name = match kind {
            FeeKind::Other(n) => n.clone(),
            k => format!("{k:?}"),
        };
        totals.row(vec![format!("unattributed: {name}"), money(*v)]);
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
        "Check: attributed {} + unattributed {} = every charge {} (exact).",
        money(attributed),
        money(s.unattributed_total),
        money(s.charges_total)
    );
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

    #[test]
    fn bundled_data_adds_up() {
        let sold = load(Path::new(BUNDLED_RETAIL)).unwrap();
        let books = build(&sold, &Assumptions::standard()).unwrap();
        check(&books).unwrap();
        assert!(books.valued.unassigned.is_empty());
        assert_eq!(books.statement.lines.len(), books.valued.sales.len());
    }
}
