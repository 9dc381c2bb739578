//! Sales lines whose COGS and units come from a [`ValuationView`].
//!
//! The caller knows what the books do not: revenue, advertised sales and
//! storage volume per SKU and channel. The valuation knows what the
//! caller should not have to restate: the units that left and what they
//! cost. [`sales_from_valuation`] joins the two into the [`Sales`] rows
//! that [`net_margins`](super::net_margins) takes.

use std::collections::{BTreeMap, BTreeSet};

use merchantry_core::{ChannelId, Currency, DateRange, Quantity, Sku, ValuationView};
use rust_decimal::Decimal;

use super::{Charge, MarginStatement, RateTable, Sales, net_margins};
use crate::error::{MetricsError, Result, overflow, overflow_total};

/// What the caller knows about one SKU on one channel in the period,
/// besides what the valuation holds. All zero by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SalesDrivers {
    /// Revenue: item price net of refunds, before fees.
    pub revenue: Decimal,
    /// Sales attributed to advertising clicks (not negative).
    pub ad_sales: Decimal,
    /// Cubic feet times days stored in the period (not negative).
    pub cubic_foot_days: Decimal,
}

/// Where units the valuation sold with no recorded channel go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum NoChannel {
    /// Kept out of every line and listed in [`ValuedSales::unassigned`]
    /// (the default): a margin never silently absorbs a cost whose
    /// channel is unknown.
    #[default]
    Report,
    /// Counted on this channel's line.
    AssignTo(ChannelId),
}

/// Options of [`sales_from_valuation`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ValuedSalesOptions {
    /// Where channel-less costs of sale go. Default: [`NoChannel::Report`].
    pub no_channel: NoChannel,
}

/// Units and cost of one SKU sold with no recorded channel, left out of
/// the lines under [`NoChannel::Report`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct UnassignedCost {
    /// The SKU.
    pub sku: Sku,
    /// Units, net of returns.
    pub units: Quantity,
    /// Their cost.
    pub cogs: Decimal,
}

/// Sales lines with COGS from the books, ready for
/// [`ValuedSales::net_margins`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ValuedSales {
    /// The valuation's currency, which every amount is in.
    pub currency: Currency,
    /// The period.
    pub period: DateRange,
    /// One line per SKU and channel, sorted.
    pub sales: Vec<Sales>,
    /// Costs of sale with no channel, per SKU, sorted (empty under
    /// [`NoChannel::AssignTo`]).
    pub unassigned: Vec<UnassignedCost>,
}

impl ValuedSales {
    /// The margin statement of these lines and `charges`, in the
    /// valuation's currency over its period.
    ///
    /// # Errors
    ///
    /// As [`net_margins`].
    pub fn net_margins(&self, charges: &[Charge], rates: &RateTable) -> Result<MarginStatement> {
        net_margins(self.currency, self.period, &self.sales, charges, rates)
    }

    /// The cost of the units kept out of the lines.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Overflow`].
    pub fn unassigned_cogs(&self) -> Result<Decimal> {
        self.unassigned.iter().try_fold(Decimal::ZERO, |a, u| {
            a.checked_add(u.cogs).ok_or_else(|| overflow_total("unassigned cogs"))
        })
    }
}

/// Units and cost per channel of one SKU.
type Tally = BTreeMap<Option<ChannelId>, (Quantity, Decimal)>;

fn tally<V: ValuationView + ?Sized>(valuation: &V, sku: &Sku, period: DateRange) -> Result<Tally> {
    let mut by_channel = Tally::new();
    for c in valuation.cost_of_sales(sku, period) {
        let slot = by_channel.entry(c.channel).or_insert((Quantity::new(0), Decimal::ZERO));
        slot.0 = slot.0.checked_add(c.quantity).map_err(|_| overflow("units sold", sku))?;
        slot.1 = slot.1.checked_add(c.cost).ok_or_else(|| overflow("cogs", sku))?;
    }
    Ok(by_channel)
}

/// Builds one [`Sales`] line per SKU and channel over `period`: units
/// and COGS summed from `valuation`'s costs of sale (net of returns),
/// revenue, advertised sales and cubic-foot-days from `drivers`.
///
/// A line exists for every driver entry and for every SKU and channel
/// the valuation sold through in the period (with zero revenue if the
/// caller gave none, so no cost is hidden). Costs of sale recorded with
/// no channel follow [`ValuedSalesOptions::no_channel`]. Every amount is
/// taken to be in the valuation's currency.
///
/// # Errors
///
/// [`MetricsError::Negative`] for negative advertised sales or
/// cubic-foot-days, [`MetricsError::Overflow`].
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use merchantry_core::{ChannelId, CostOfSale, Currency, DateRange, Decimal, LocationId,
///     Quantity, Sku, ValuationTable};
/// use merchantry_metrics::margin::{sales_from_valuation, SalesDrivers, ValuedSalesOptions};
/// let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
/// let (mug, web) = (Sku::new("MUG")?, ChannelId::new("web")?);
/// let mut books = ValuationTable::new(Currency::USD);
/// books.cost_of_sales.push((mug.clone(), CostOfSale { date: day,
///     location: LocationId::new("WH1")?, channel: Some(web.clone()),
///     quantity: Quantity::new(30), cost: Decimal::from(240) }));
/// let mut drivers = BTreeMap::new();
/// drivers.insert((mug, web), SalesDrivers { revenue: Decimal::from(600), ..Default::default() });
/// let march = DateRange::starting(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 31)?;
/// let valued = sales_from_valuation(&books, march, &drivers, &ValuedSalesOptions::default())?;
/// assert_eq!(valued.sales[0].cogs, Decimal::from(240));
/// let statement = valued.net_margins(&[], &Default::default())?;
/// assert_eq!(statement.lines[0].net_margin, Decimal::from(360)); // 600 - 240
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn sales_from_valuation<V: ValuationView + ?Sized>(
    valuation: &V,
    period: DateRange,
    drivers: &BTreeMap<(Sku, ChannelId), SalesDrivers>,
    options: &ValuedSalesOptions,
) -> Result<ValuedSales> {
    // Validate the drivers.
    for d in drivers.values() {
        for (what, value) in
            [("advertised sales", d.ad_sales), ("cubic-foot-days", d.cubic_foot_days)]
        {
            if value < Decimal::ZERO {
                return Err(MetricsError::Negative { what, value });
            }
        }
    }

    // Units and cost per SKU and channel from the books.
    let skus: BTreeSet<Sku> = valuation
        .valuation_skus()
        .into_iter()
        .chain(drivers.keys().map(|(s, _)| s.clone()))
        .collect();
    let mut sold: BTreeMap<(Sku, ChannelId), (Quantity, Decimal)> = BTreeMap::new();
    let mut unassigned = Vec::new();
    for sku in skus {
        for (channel, (units, cogs)) in tally(valuation, &sku, period)? {
            let channel = match (channel, &options.no_channel) {
                (Some(c), _) => c,
                (None, NoChannel::AssignTo(c)) => c.clone(),
                (None, NoChannel::Report) => {
                    unassigned.push(UnassignedCost { sku: sku.clone(), units, cogs });
                    continue;
                }
            };
            let slot =
                sold.entry((sku.clone(), channel)).or_insert((Quantity::new(0), Decimal::ZERO));
            slot.0 = slot.0.checked_add(units).map_err(|_| overflow("units sold", &sku))?;
            slot.1 = slot.1.checked_add(cogs).ok_or_else(|| overflow("cogs", &sku))?;
        }
    }

    // Build one line per key either side knows.
    let keys: BTreeSet<&(Sku, ChannelId)> = sold.keys().chain(drivers.keys()).collect();
    let zero = SalesDrivers::default();
    let sales = keys
        .into_iter()
        .map(|key| {
            let d = drivers.get(key).unwrap_or(&zero);
            let (units, cogs) = sold.get(key).copied().unwrap_or((Quantity::new(0), Decimal::ZERO));
            Sales {
                sku: key.0.clone(),
                channel: key.1.clone(),
                revenue: d.revenue,
                cogs,
                units,
                cubic_foot_days: d.cubic_foot_days,
                ad_sales: d.ad_sales,
            }
        })
        .collect();
    Ok(ValuedSales { currency: valuation.currency(), period, sales, unassigned })
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use merchantry_core::{CostOfSale, LocationId, ValuationTable};

    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap_or_default()
    }

    fn id<T: std::str::FromStr>(s: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        s.parse().unwrap()
    }

    fn sale(day: u32, channel: Option<&str>, units: i64, cost: i64) -> CostOfSale {
        CostOfSale {
            date: d(day),
            location: id::<LocationId>("FBA"),
            channel: channel.map(id),
            quantity: Quantity::new(units),
            cost: Decimal::from(cost),
        }
    }

    /// MUG: 10 on amazon at 4.00 (one of them returned), 3 on web, 2 with
    /// no channel, and 7 in April (outside the period).
    fn books() -> ValuationTable {
        let mut b = ValuationTable::new(Currency::USD);
        let mug: Sku = id("MUG");
        for s in [
            sale(2, Some("amazon"), 10, 40),
            sale(9, Some("amazon"), -1, -4),
            sale(5, Some("web"), 3, 12),
            sale(6, None, 2, 8),
        ] {
            b.cost_of_sales.push((mug.clone(), s));
        }
        let april = CostOfSale {
            date: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default(),
            ..sale(1, Some("web"), 7, 28)
        };
        b.cost_of_sales.push((mug, april));
        b
    }

    fn march() -> DateRange {
        DateRange::inclusive(d(1), d(31)).unwrap()
    }

    #[test]
    fn units_and_cogs_come_from_the_books_per_channel() {
        let mut drivers = BTreeMap::new();
        let amazon = (id("MUG"), id("amazon"));
        drivers.insert(amazon, SalesDrivers { revenue: Decimal::from(90), ..Default::default() });
        // A line the books never sold through keeps zero units and COGS.
        drivers.insert((id("LAMP"), id("web")), SalesDrivers::default());
        let v = sales_from_valuation(&books(), march(), &drivers, &ValuedSalesOptions::default())
            .unwrap();
        let got: Vec<_> = v
            .sales
            .iter()
            .map(|s| (s.sku.as_str(), s.channel.as_str(), s.units.get(), s.cogs, s.revenue))
            .collect();
        // amazon: 10 - 1 = 9 units, 40 - 4 = 36; web: 3 units, 12, and no
        // revenue given, shown anyway; April's 7 units are outside.
        assert_eq!(
            got,
            [
                ("LAMP", "web", 0, Decimal::ZERO, Decimal::ZERO),
                ("MUG", "amazon", 9, Decimal::from(36), Decimal::from(90)),
                ("MUG", "web", 3, Decimal::from(12), Decimal::ZERO),
            ]
        );
        // The 2 channel-less units (8.00) are reported, not absorbed.
        assert_eq!(
            v.unassigned,
            [UnassignedCost { sku: id("MUG"), units: Quantity::new(2), cogs: Decimal::from(8) }]
        );
        assert_eq!(v.unassigned_cogs().unwrap(), Decimal::from(8));
    }

    #[test]
    fn channel_less_units_can_go_to_a_named_channel() {
        let options = ValuedSalesOptions { no_channel: NoChannel::AssignTo(id("web")) };
        let v = sales_from_valuation(&books(), march(), &BTreeMap::new(), &options).unwrap();
        // web: 3 + 2 = 5 units, 12 + 8 = 20.
        assert_eq!(v.sales[1].units.get(), 5);
        assert_eq!(v.sales[1].cogs, Decimal::from(20));
        assert!(v.unassigned.is_empty());
    }

    /// A statement keyed by fee kinds, an `Other` name included, goes to
    /// JSON and back unchanged.
    #[cfg(feature = "serde")]
    #[test]
    fn a_statement_round_trips_through_json() {
        use super::super::{Attribution, FeeKind};
        use merchantry_core::Money;
        let mut drivers = BTreeMap::new();
        drivers.insert((id("MUG"), id("web")), SalesDrivers::default());
        let v = sales_from_valuation(&books(), march(), &drivers, &ValuedSalesOptions::default())
            .unwrap();
        let fee = |kind, attribution| Charge {
            date: d(3),
            kind,
            amount: Money::new(Decimal::new(-125, 2), Currency::USD),
            attribution,
        };
        let charges = [
            fee(FeeKind::Referral, Attribution::Direct { sku: id("MUG"), channel: id("web") }),
            fee(FeeKind::Other("Low-Inventory-Level Fee".into()), Attribution::Unattributed),
        ];
        let s = v.net_margins(&charges, &RateTable::new()).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<MarginStatement>(&json).unwrap(), s);
    }

    #[test]
    fn negative_drivers_are_refused() {
        let mut drivers = BTreeMap::new();
        let bad = SalesDrivers { ad_sales: Decimal::NEGATIVE_ONE, ..Default::default() };
        drivers.insert((id("MUG"), id("web")), bad);
        let got = sales_from_valuation(&books(), march(), &drivers, &ValuedSalesOptions::default());
        assert!(matches!(got, Err(MetricsError::Negative { what: "advertised sales", .. })));
    }
}
