//! Net margin per SKU and channel: revenue minus COGS minus every fee and
//! charge attributed to it, with the unattributed remainder shown.
//!
//! # Model
//!
//! A [`Charge`] is one line of a marketplace or service statement, with a
//! **signed** amount as the statement shows it: fees, storage, advertising
//! and period duties are negative (money out), reimbursements positive
//! (money in). Duties and tariffs that belong to goods are part of landed
//! cost and so already inside COGS; only duties booked as period expense
//! appear here, as [`FeeKind::DutyExpense`].
//!
//! # Advertising and promotion programmes
//!
//! TACoS (total advertising cost of sale) is a line's advertising spend
//! over its revenue, where advertising spend is the
//! [`FeeKind::Advertising`] charges only: pay-per-click spend. The fees
//! of promotion programmes ([`FeeKind::PromotionProgramme`]: deal,
//! coupon and Vine fees) buy no clicks, so they are not in it; they are
//! a fee like any other in the line's charges, its total and its net
//! margin. The discount a customer is given is neither: it is already
//! out of revenue.
//!
//! # Attribution rules
//!
//! Each charge carries an [`Attribution`]:
//!
//! | rule | goes to | typical charges |
//! | --- | --- | --- |
//! | [`Attribution::Direct`] | the SKU and channel it names | referral and fulfillment fees (per order, per unit), returns processing, reimbursements, deal, coupon and Vine fees |
//! | [`Attribution::ByUnitsSold`] | every line, in proportion to units sold | inbound placement, prep |
//! | [`Attribution::ByCubicFootDays`] | every line, in proportion to its cubic-foot-days of storage | monthly and aged-inventory storage |
//! | [`Attribution::ByAdSales`] | every line, in proportion to its advertised (click-through) sales | advertising spend |
//! | [`Attribution::Unattributed`] | the remainder | subscriptions, account-level adjustments |
//!
//! Cubic-foot-days and advertised sales are never negative (a line
//! carrying either below zero is refused); units sold may be, net of
//! returns, and such a line takes no share of a charge pooled by units.
//! A direct charge naming a SKU and channel that has no line, and a pooled
//! charge whose weights are all zero, go to the remainder too. A pooled
//! charge is split at [`SPLIT_EXTRA_DIGITS`] more decimal places than the
//! charge itself has (at least the currency's minor unit): each line gets
//! its proportional share rounded down at that scale, and the leftover
//! smallest units go one each to the lines with the largest remainders
//! (ties to the line first in SKU and channel order). The parts add up to
//! the charge exactly and have a bounded scale, so every later sum stays
//! exact too: for every statement, the attributed amounts plus the
//! unattributed remainder equal the sum of the charges, to the last
//! decimal place (for amounts below 10^16).
//!
//! # Cost of goods sold from the books
//!
//! [`sales_from_valuation`] builds the [`Sales`] lines from a
//! [`ValuationView`](merchantry_core::ValuationView) (the ledger, or
//! plain data): units and COGS per SKU and channel come from its costs of
//! sale, net of returns; revenue, advertised sales and cubic-foot-days
//! come from the caller. Costs of sale with no recorded channel are
//! listed apart by default ([`NoChannel::Report`]) or counted on a
//! channel the caller names ([`NoChannel::AssignTo`]).
//!
//! # Currencies
//!
//! A statement is in one currency. A charge in another currency is
//! converted only by a [`RateTable`] the caller gives, once, before
//! attribution; without a rate it is an error, never a silent mix.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use merchantry_core::{ChannelId, Currency, DateRange, Money, Quantity, Sku};
use rust_decimal::Decimal;

use crate::error::{MetricsError, Result, overflow_total};
use crate::metric::{Metric, Undefined};

/// What a charge is for: the shared vocabulary of [`merchantry_core`], so
/// a report reader can name a fee without depending on this crate.
pub use merchantry_core::FeeKind;

mod valued;

pub use valued::{
    NoChannel, SalesDrivers, UnassignedCost, ValuedSales, ValuedSalesOptions, sales_from_valuation,
};

/// Decimal places added to a pooled charge's own scale when it is split.
pub const SPLIT_EXTRA_DIGITS: u32 = 4;

/// Splits `amount` over `weights` (at least one positive, none negative)
/// at a bounded scale, by largest remainder.
fn split(amount: Decimal, minor: u32, weights: &[Decimal]) -> Result<Vec<Decimal>> {
    let too_big = || overflow_total("pooled charge split");
    let total =
        weights.iter().try_fold(Decimal::ZERO, |a, w| a.checked_add(*w)).ok_or_else(too_big)?;
    let mut scale = (amount.scale().max(minor) + SPLIT_EXTRA_DIGITS).min(28);
    // Smallest units of the split: amount x 10^scale, an integer.
    let units = loop {
        let factor = Decimal::try_from_i128_with_scale(10_i128.pow(scale), 0).ok();
        match factor.and_then(|f| amount.checked_mul(f)) {
            Some(u) if u.fract().is_zero() => break u,
            _ if scale > amount.scale() => scale -= 1,
            _ => return Err(too_big()),
        }
    };
    let negative = units < Decimal::ZERO;
    let units = units.abs();
    let mut floors = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    for w in weights {
        let quota = units.checked_mul(*w).and_then(|x| x.checked_div(total)).ok_or_else(too_big)?;
        floors.push(quota.floor());
        remainders.push(quota - quota.floor());
    }
    let given =
        floors.iter().try_fold(Decimal::ZERO, |a, f| a.checked_add(*f)).ok_or_else(too_big)?;
    let mut leftover = units - given;
    let mut order: Vec<usize> =
        (0..weights.len()).filter(|&i| weights.get(i).is_some_and(|w| !w.is_zero())).collect();
    order.sort_by(|&a, &b| remainders.get(b).cmp(&remainders.get(a)).then(a.cmp(&b)));
    // Rounding inside the quota can leave the floors one unit off either
    // way; the cycle settles it.
    for &i in order.iter().cycle() {
        if leftover.is_zero() {
            break;
        }
        let step = if leftover > Decimal::ZERO { Decimal::ONE } else { Decimal::NEGATIVE_ONE };
        if let Some(f) = floors.get_mut(i) {
            *f += step;
        }
        leftover -= step;
    }
    let unit = Decimal::new(1, scale);
    floors
        .into_iter()
        .map(|f| {
            let part = f.checked_mul(unit).ok_or_else(too_big)?;
            // A zero share of a negative charge stays plain zero, not
            // the `-0` a negated decimal zero prints as.
            Ok(if negative && !part.is_zero() { -part } else { part })
        })
        .collect()
}

/// Maps keyed by [`FeeKind`] travel as `[kind, amount]` pairs: formats
/// such as JSON take only strings as map keys.
#[cfg(feature = "serde")]
mod kind_map {
    use std::collections::BTreeMap;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::FeeKind;

    pub(super) fn serialize<S: Serializer>(
        map: &BTreeMap<FeeKind, Decimal>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BTreeMap<FeeKind, Decimal>, D::Error> {
        Ok(Vec::<(FeeKind, Decimal)>::deserialize(deserializer)?.into_iter().collect())
    }
}

/// How a charge is attributed to SKU and channel lines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Attribution {
    /// To the one line it names.
    Direct {
        /// The SKU.
        sku: Sku,
        /// The channel.
        channel: ChannelId,
    },
    /// Over every line by units sold.
    ByUnitsSold,
    /// Over every line by cubic-foot-days of storage.
    ByCubicFootDays,
    /// Over every line by advertised sales.
    ByAdSales,
    /// To no line: shown in the remainder.
    Unattributed,
}

/// One statement line: a fee, a charge or a reimbursement.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Charge {
    /// The day it was booked.
    pub date: NaiveDate,
    /// What it is for.
    pub kind: FeeKind,
    /// Signed: negative is money out, positive money in.
    pub amount: Money,
    /// Where it goes.
    pub attribution: Attribution,
}

/// Exchange rates the caller trusts: units of `to` per unit of `from`.
///
/// A currency converts to itself at exactly 1 with no entry, so a
/// same-currency rate other than 1 is refused rather than stored and
/// silently ignored. A rate and its inverse may differ by a dealer's
/// spread, but their product must lie within 10% of 1: anything further
/// is a rate entered the wrong way round, and is refused.
///
/// With the `serde` feature a table travels as a list of
/// `{"from", "to", "rate"}` entries, each checked again by
/// [`RateTable::with_rate`] on the way in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "Vec<RateEntry>", into = "Vec<RateEntry>")
)]
pub struct RateTable {
    rates: BTreeMap<(Currency, Currency), Decimal>,
}

/// One rate of a [`RateTable`] as it is serialised: a map keyed by a
/// currency pair has no string key, so the table is a list.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct RateEntry {
    from: Currency,
    to: Currency,
    rate: Decimal,
}

#[cfg(feature = "serde")]
impl TryFrom<Vec<RateEntry>> for RateTable {
    type Error = MetricsError;

    fn try_from(entries: Vec<RateEntry>) -> Result<Self> {
        entries.into_iter().try_fold(Self::new(), |t, e| t.with_rate(e.from, e.to, e.rate))
    }
}

#[cfg(feature = "serde")]
impl From<RateTable> for Vec<RateEntry> {
    fn from(t: RateTable) -> Self {
        t.rates.into_iter().map(|((from, to), rate)| RateEntry { from, to, rate }).collect()
    }
}

impl RateTable {
    /// An empty table: only same-currency amounts pass.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the rate from `from` to `to`. A rate of exactly 1 from a
    /// currency to itself is accepted and changes nothing: that is the
    /// rate every currency already has.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Negative`] for a rate at or below zero;
    /// [`MetricsError::Inconsistent`] for a same-currency rate other
    /// than 1, or for a rate whose product with the inverse rate already
    /// held is outside 0.9 to 1.1.
    ///
    /// ```
    /// use merchantry_core::{Currency, Decimal};
    /// use merchantry_metrics::margin::RateTable;
    /// let rates = RateTable::new().with_rate(Currency::EUR, Currency::USD, Decimal::new(108, 2))?;
    /// assert!(rates.clone().with_rate(Currency::GBP, Currency::GBP, Decimal::TWO).is_err());
    /// // The inverse within a spread is fine; one entered the wrong way round is not.
    /// assert!(rates.clone().with_rate(Currency::USD, Currency::EUR, Decimal::new(92, 2)).is_ok());
    /// assert!(rates.with_rate(Currency::USD, Currency::EUR, Decimal::new(108, 2)).is_err());
    /// # Ok::<(), merchantry_metrics::MetricsError>(())
    /// ```
    pub fn with_rate(mut self, from: Currency, to: Currency, rate: Decimal) -> Result<Self> {
        if rate <= Decimal::ZERO {
            return Err(MetricsError::Negative { what: "exchange rate", value: rate });
        }
        if from == to {
            if rate == Decimal::ONE {
                return Ok(self);
            }
            return Err(MetricsError::Inconsistent {
                what: "exchange rate",
                reason: format!("{from} to {from} is always 1, got {rate}"),
            });
        }
        if let Some(&inverse) = self.rates.get(&(to, from)) {
            let product = rate.saturating_mul(inverse);
            if product < Decimal::new(9, 1) || product > Decimal::new(11, 1) {
                return Err(MetricsError::Inconsistent {
                    what: "exchange rate",
                    reason: format!(
                        "{from} to {to} at {rate} and {to} to {from} at {inverse} multiply to \
                         {product}, not about 1"
                    ),
                });
            }
        }
        self.rates.insert((from, to), rate);
        Ok(self)
    }

    /// `money` in `to`.
    ///
    /// # Errors
    ///
    /// [`MetricsError::CurrencyMismatch`] when no rate is known,
    /// [`MetricsError::Overflow`].
    pub fn convert(&self, money: Money, to: Currency) -> Result<Money> {
        if money.currency() == to {
            return Ok(money);
        }
        let rate =
            self.rates.get(&(money.currency(), to)).ok_or(MetricsError::CurrencyMismatch {
                what: "charge (no rate)",
                expected: to,
                got: money.currency(),
            })?;
        let amount =
            money.amount().checked_mul(*rate).ok_or_else(|| overflow_total("conversion"))?;
        Ok(Money::new(amount, to))
    }
}

/// What one SKU sold through one channel in the period: the caller's
/// revenue and the drivers of pooled attribution, with COGS from the
/// valuation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sales {
    /// The SKU.
    pub sku: Sku,
    /// The channel.
    pub channel: ChannelId,
    /// Revenue (item price net of refunds, before fees).
    pub revenue: Decimal,
    /// Cost of goods sold.
    pub cogs: Decimal,
    /// Units sold net of returns.
    pub units: Quantity,
    /// Cubic feet times days stored in the period.
    pub cubic_foot_days: Decimal,
    /// Sales attributed to advertising clicks.
    pub ad_sales: Decimal,
}

/// The margin of one SKU on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MarginLine {
    /// The SKU.
    pub sku: Sku,
    /// The channel.
    pub channel: ChannelId,
    /// Revenue.
    pub revenue: Decimal,
    /// Cost of goods sold.
    pub cogs: Decimal,
    /// Units sold.
    pub units: Quantity,
    /// Signed charges attributed, by kind (serialised as a list of
    /// `[kind, amount]` pairs, since a kind is not a string key).
    #[cfg_attr(feature = "serde", serde(with = "kind_map"))]
    pub charges: BTreeMap<FeeKind, Decimal>,
    /// Their sum (signed).
    pub charges_total: Decimal,
    /// Revenue - COGS + charges.
    pub net_margin: Decimal,
    /// Net margin / units.
    pub net_margin_per_unit: Metric<Decimal>,
    /// Net margin / revenue.
    pub net_margin_rate: Metric<Decimal>,
    /// Advertising spend (as a positive amount) / revenue: TACoS. Only
    /// [`FeeKind::Advertising`] counts; promotion-programme fees
    /// ([`FeeKind::PromotionProgramme`]) lower the net margin, not this.
    pub tacos: Metric<Decimal>,
}

/// A period's margins, with the remainder no line carries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MarginStatement {
    /// The currency.
    pub currency: Currency,
    /// The period.
    pub period: DateRange,
    /// One line per SKU and channel, sorted.
    pub lines: Vec<MarginLine>,
    /// Signed charges not attributed to any line, by kind (serialised
    /// as `[kind, amount]` pairs).
    #[cfg_attr(feature = "serde", serde(with = "kind_map"))]
    pub unattributed: BTreeMap<FeeKind, Decimal>,
    /// Their sum.
    pub unattributed_total: Decimal,
    /// The sum of every charge in the period, after conversion.
    pub charges_total: Decimal,
}

impl MarginStatement {
    /// The sum of the charges attributed to lines.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Overflow`].
    pub fn attributed_total(&self) -> Result<Decimal> {
        self.lines.iter().try_fold(Decimal::ZERO, |acc, l| {
            acc.checked_add(l.charges_total).ok_or_else(|| overflow_total("attributed charges"))
        })
    }
}

fn add_to(map: &mut BTreeMap<FeeKind, Decimal>, kind: &FeeKind, amount: Decimal) -> Result<()> {
    let slot = map.entry(kind.clone()).or_insert(Decimal::ZERO);
    *slot = slot.checked_add(amount).ok_or_else(|| overflow_total("charges"))?;
    Ok(())
}

/// Net margin by SKU and channel over `period`, from sales lines and
/// statement charges (charges dated outside the period are ignored).
///
/// # Errors
///
/// [`MetricsError::CurrencyMismatch`] for a charge in another currency
/// with no rate, [`MetricsError::Inconsistent`] for two sales lines with
/// the same SKU and channel or a line with negative cubic-foot-days or
/// advertised sales, [`MetricsError::Overflow`].
///
/// ```
/// use chrono::{Datelike, NaiveDate};
/// use merchantry_core::{ChannelId, Currency, DateRange, Decimal, Money, Quantity, Sku};
/// use merchantry_metrics::margin::{net_margins, Attribution, Charge, FeeKind, RateTable, Sales};
/// let day = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
/// let (sku, amazon) = (Sku::new("MUG")?, ChannelId::new("amazon-us")?);
/// let sales = vec![Sales { sku: sku.clone(), channel: amazon.clone(),
///     revenue: Decimal::from(1000), cogs: Decimal::from(400), units: Quantity::new(50),
///     cubic_foot_days: Decimal::ZERO, ad_sales: Decimal::ZERO }];
/// let usd = |v: i64| Money::new(Decimal::from(v), Currency::USD);
/// let charges = vec![
///     Charge { date: day, kind: FeeKind::Referral, amount: usd(-150),
///         attribution: Attribution::Direct { sku, channel: amazon } },
///     Charge { date: day, kind: FeeKind::Other("subscription".into()), amount: usd(-40),
///         attribution: Attribution::Unattributed },
/// ];
/// let march = DateRange::inclusive(day.with_day(1).unwrap(), day.with_day(31).unwrap())?;
/// let s = net_margins(Currency::USD, march, &sales, &charges, &RateTable::new())?;
/// // 1000 - 400 - 150 = 450
/// assert_eq!(s.lines[0].net_margin, Decimal::from(450));
/// assert_eq!(s.unattributed_total, Decimal::from(-40));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn net_margins(
    currency: Currency,
    period: DateRange,
    sales: &[Sales],
    charges: &[Charge],
    rates: &RateTable,
) -> Result<MarginStatement> {
    // Validate and index the lines.
    let mut lines: Vec<&Sales> = sales.iter().collect();
    lines.sort_by(|a, b| (&a.sku, &a.channel).cmp(&(&b.sku, &b.channel)));
    if let Some(w) =
        lines.windows(2).find(|w| (&w[0].sku, &w[0].channel) == (&w[1].sku, &w[1].channel))
    {
        return Err(MetricsError::Inconsistent {
            what: "sales lines",
            reason: format!("sku {} on channel {} appears twice", w[0].sku, w[0].channel),
        });
    }
    // A pooling weight below zero has no share to take: refused, as
    // sales_from_valuation refuses it, rather than read as zero.
    for l in &lines {
        for (what, value) in
            [("cubic-foot-days", l.cubic_foot_days), ("advertised sales", l.ad_sales)]
        {
            if value < Decimal::ZERO {
                return Err(MetricsError::Inconsistent {
                    what: "sales lines",
                    reason: format!(
                        "sku {} on channel {} has {what} {value}, which is negative",
                        l.sku, l.channel
                    ),
                });
            }
        }
    }
    let mut attributed: Vec<BTreeMap<FeeKind, Decimal>> = vec![BTreeMap::new(); lines.len()];
    let mut unattributed = BTreeMap::new();
    let mut total = Decimal::ZERO;

    // Attribute every charge of the period.
    for charge in charges.iter().filter(|c| period.contains(c.date)) {
        let amount = rates.convert(charge.amount, currency)?;
        total = total.checked_add(amount.amount()).ok_or_else(|| overflow_total("charges"))?;
        let weights: Option<Vec<Decimal>> = match &charge.attribution {
            Attribution::Direct { sku, channel } => {
                match lines.binary_search_by(|l| (&l.sku, &l.channel).cmp(&(sku, channel))) {
                    Ok(i) => {
                        add_to(&mut attributed[i], &charge.kind, amount.amount())?;
                        continue;
                    }
                    Err(_) => None,
                }
            }
            Attribution::ByUnitsSold => {
                Some(lines.iter().map(|l| Decimal::from(l.units.get().max(0))).collect())
            }
            Attribution::ByCubicFootDays => {
                Some(lines.iter().map(|l| l.cubic_foot_days.max(Decimal::ZERO)).collect())
            }
            Attribution::ByAdSales => {
                Some(lines.iter().map(|l| l.ad_sales.max(Decimal::ZERO)).collect())
            }
            Attribution::Unattributed => None,
        };
        match weights.filter(|w| w.iter().any(|x| !x.is_zero())) {
            Some(w) => {
                let parts = split(amount.amount(), currency.minor_units(), &w)?;
                for (map, part) in attributed.iter_mut().zip(parts) {
                    add_to(map, &charge.kind, part)?;
                }
            }
            None => add_to(&mut unattributed, &charge.kind, amount.amount())?,
        }
    }

    // Build the lines.
    let mut out = Vec::with_capacity(lines.len());
    for (l, charges) in lines.into_iter().zip(attributed) {
        out.push(margin_line(l, charges)?);
    }
    let unattributed_total = unattributed
        .values()
        .try_fold(Decimal::ZERO, |a: Decimal, v| a.checked_add(*v))
        .ok_or_else(|| overflow_total("unattributed"))?;
    Ok(MarginStatement {
        currency,
        period,
        lines: out,
        unattributed,
        unattributed_total,
        charges_total: total,
    })
}

fn margin_line(l: &Sales, charges: BTreeMap<FeeKind, Decimal>) -> Result<MarginLine> {
    let too_big = || overflow_total("net margin");
    let charges_total = charges
        .values()
        .try_fold(Decimal::ZERO, |a: Decimal, v| a.checked_add(*v))
        .ok_or_else(too_big)?;
    let net_margin = l
        .revenue
        .checked_sub(l.cogs)
        .and_then(|m| m.checked_add(charges_total))
        .ok_or_else(too_big)?;
    let per = |den: Decimal, why| {
        if den > Decimal::ZERO {
            net_margin.checked_div(den).map_or(Metric::Undefined(why), Metric::Value)
        } else {
            Metric::Undefined(why)
        }
    };
    // Pay-per-click spend only: deal, coupon and Vine fees are in the
    // charges total above, not here.
    let ad_spend = -charges.get(&FeeKind::Advertising).copied().unwrap_or_default();
    let tacos = if l.revenue > Decimal::ZERO {
        ad_spend
            .checked_div(l.revenue)
            .map_or(Metric::Undefined(Undefined::NoRevenue), Metric::Value)
    } else {
        Metric::Undefined(Undefined::NoRevenue)
    };
    Ok(MarginLine {
        sku: l.sku.clone(),
        channel: l.channel.clone(),
        revenue: l.revenue,
        cogs: l.cogs,
        units: l.units,
        net_margin_per_unit: per(Decimal::from(l.units.get()), Undefined::NoUnits),
        net_margin_rate: per(l.revenue, Undefined::NoRevenue),
        charges,
        charges_total,
        net_margin,
        tacos,
    })
}

/// The per-unit fee terms of a channel, for pricing questions: break-even
/// price and what a fee change costs.
///
/// The referral fee is `max(price x referral_rate, referral_minimum)` per
/// unit; `per_unit` holds the fixed fees per unit (fulfillment, prep,
/// storage, advertising and promotion-programme fees per unit as the
/// caller estimates them).
///
/// ```
/// use merchantry_core::Decimal;
/// use merchantry_metrics::margin::FeeSchedule;
/// let fees = FeeSchedule::new(Decimal::new(15, 2), Decimal::new(30, 2), Decimal::new(540, 2))?;
/// // at 20.00: 15 % = 3.00 referral + 5.40 fixed = 8.40
/// assert_eq!(fees.fees_at(Decimal::from(20))?, Decimal::new(840, 2));
/// # Ok::<(), merchantry_metrics::MetricsError>(())
/// ```
///
/// With the `serde` feature the terms deserialise through
/// [`FeeSchedule::new`], so a rate of 1.5 or a negative fee is refused
/// with the same error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "FeeScheduleRepr", into = "FeeScheduleRepr")
)]
pub struct FeeSchedule {
    referral_rate: Decimal,
    referral_minimum: Decimal,
    per_unit: Decimal,
}

/// The serialised form of a [`FeeSchedule`]: the same fields, unchecked
/// until [`FeeSchedule::new`] sees them.
#[cfg(feature = "serde")]
#[derive(serde::Serialize, serde::Deserialize)]
struct FeeScheduleRepr {
    referral_rate: Decimal,
    referral_minimum: Decimal,
    per_unit: Decimal,
}

#[cfg(feature = "serde")]
impl TryFrom<FeeScheduleRepr> for FeeSchedule {
    type Error = MetricsError;

    fn try_from(r: FeeScheduleRepr) -> Result<Self> {
        Self::new(r.referral_rate, r.referral_minimum, r.per_unit)
    }
}

#[cfg(feature = "serde")]
impl From<FeeSchedule> for FeeScheduleRepr {
    fn from(f: FeeSchedule) -> Self {
        Self {
            referral_rate: f.referral_rate,
            referral_minimum: f.referral_minimum,
            per_unit: f.per_unit,
        }
    }
}

impl FeeSchedule {
    /// Fee terms.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Negative`] for a negative term,
    /// [`MetricsError::Inconsistent`] for a referral rate of 1 or more.
    pub fn new(
        referral_rate: Decimal,
        referral_minimum: Decimal,
        per_unit: Decimal,
    ) -> Result<Self> {
        for (what, value) in [
            ("referral rate", referral_rate),
            ("referral minimum", referral_minimum),
            ("per-unit fees", per_unit),
        ] {
            if value < Decimal::ZERO {
                return Err(MetricsError::Negative { what, value });
            }
        }
        if referral_rate >= Decimal::ONE {
            return Err(MetricsError::Inconsistent {
                what: "referral rate",
                reason: format!("{referral_rate} takes the whole price or more"),
            });
        }
        Ok(Self { referral_rate, referral_minimum, per_unit })
    }

    /// Fees per unit sold at `price`.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Negative`] for a price below zero,
    /// [`MetricsError::Overflow`].
    pub fn fees_at(&self, price: Decimal) -> Result<Decimal> {
        if price < Decimal::ZERO {
            return Err(MetricsError::Negative { what: "price", value: price });
        }
        let too_big = || overflow_total("fees");
        let referral = price.checked_mul(self.referral_rate).ok_or_else(too_big)?;
        referral.max(self.referral_minimum).checked_add(self.per_unit).ok_or_else(too_big)
    }

    /// The price at which a unit costing `unit_cost` (COGS plus any other
    /// cost per unit) earns zero net margin: the solution of
    /// `price - fees_at(price) - unit_cost = 0`.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Negative`] for a negative cost,
    /// [`MetricsError::Overflow`].
    ///
    /// ```
    /// use merchantry_core::Decimal;
    /// use merchantry_metrics::margin::FeeSchedule;
    /// let fees = FeeSchedule::new(Decimal::new(15, 2), Decimal::new(30, 2), Decimal::new(540, 2))?;
    /// // p - 0.15 p - 5.40 - 8.20 = 0  ->  p = 13.60 / 0.85 = 16
    /// assert_eq!(fees.break_even_price(Decimal::new(820, 2))?, Decimal::from(16));
    /// # Ok::<(), merchantry_metrics::MetricsError>(())
    /// ```
    pub fn break_even_price(&self, unit_cost: Decimal) -> Result<Decimal> {
        if unit_cost < Decimal::ZERO {
            return Err(MetricsError::Negative { what: "unit cost", value: unit_cost });
        }
        let too_big = || overflow_total("break-even price");
        let fixed = unit_cost.checked_add(self.per_unit).ok_or_else(too_big)?;
        // Where the percentage fee applies: p (1 - rate) = fixed.
        let share = Decimal::ONE - self.referral_rate;
        let by_rate = fixed.checked_div(share).ok_or_else(too_big)?;
        if by_rate.checked_mul(self.referral_rate).ok_or_else(too_big)? >= self.referral_minimum {
            return Ok(by_rate);
        }
        // Below it the minimum applies: p = fixed + minimum.
        fixed.checked_add(self.referral_minimum).ok_or_else(too_big)
    }

    /// What moving from these terms to `new` does to the net margin of
    /// `units` sold at `price`: positive when the new fees are lower.
    ///
    /// `units` is a volume to be sold, so it cannot be below zero. This
    /// differs from [`Sales::units`] in [`net_margins`], which records
    /// a period's sales net of returns and may be negative: the fees this
    /// schedule charges apply to units sold, and a negative volume would
    /// only turn a fee rise into a gain.
    ///
    /// # Errors
    ///
    /// [`MetricsError::Negative`] for `units` or a price below zero,
    /// [`MetricsError::Overflow`].
    pub fn margin_change(&self, new: &Self, price: Decimal, units: Quantity) -> Result<Decimal> {
        if units.get() < 0 {
            return Err(MetricsError::Negative {
                what: "units",
                value: Decimal::from(units.get()),
            });
        }
        let too_big = || overflow_total("margin change");
        let per_unit = self.fees_at(price)?.checked_sub(new.fees_at(price)?).ok_or_else(too_big)?;
        per_unit.checked_mul(Decimal::from(units.get())).ok_or_else(too_big)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_zero_share_of_a_negative_charge_is_plain_zero() {
        // -1.00 over weights 1 and 0: the whole charge to the first line,
        // and a zero (not -0) to the second.
        let parts = split(dec("-1.00"), 2, &[Decimal::ONE, Decimal::ZERO]).unwrap();
        assert_eq!(parts, [dec("-1.00"), Decimal::ZERO]);
        assert!(parts.iter().all(|p| !p.to_string().starts_with("-0")), "{parts:?}");
    }

    #[test]
    fn same_currency_rate_other_than_one_is_refused() {
        let err = RateTable::new().with_rate(Currency::GBP, Currency::GBP, dec("2")).unwrap_err();
        assert_eq!(
            err,
            MetricsError::Inconsistent {
                what: "exchange rate",
                reason: "GBP to GBP is always 1, got 2".into()
            }
        );
        // Exactly 1 (at any scale) is the identity: accepted, nothing stored.
        let t = RateTable::new().with_rate(Currency::GBP, Currency::GBP, dec("1.00")).unwrap();
        assert_eq!(t, RateTable::new());
        let gbp = Money::new(dec("7.5"), Currency::GBP);
        assert_eq!(t.convert(gbp, Currency::GBP), Ok(gbp));
    }

    #[cfg(feature = "serde")]
    mod serde_checks {
        use super::*;

        #[test]
        fn fee_schedule_round_trips_and_refuses_what_new_refuses() {
            let fees = FeeSchedule::new(dec("0.15"), dec("0.30"), dec("5.40")).unwrap();
            let json = serde_json::to_string(&fees).unwrap();
            assert_eq!(
                json,
                r#"{"referral_rate":"0.15","referral_minimum":"0.30","per_unit":"5.40"}"#
            );
            assert_eq!(serde_json::from_str::<FeeSchedule>(&json).unwrap(), fees);
            for (json, want) in [
                (
                    r#"{"referral_rate":"1.5","referral_minimum":"0","per_unit":"0"}"#,
                    FeeSchedule::new(dec("1.5"), dec("0"), dec("0")).unwrap_err(),
                ),
                (
                    r#"{"referral_rate":"0.1","referral_minimum":"-1","per_unit":"0"}"#,
                    FeeSchedule::new(dec("0.1"), dec("-1"), dec("0")).unwrap_err(),
                ),
                (
                    r#"{"referral_rate":"0.1","referral_minimum":"0","per_unit":"-0.01"}"#,
                    FeeSchedule::new(dec("0.1"), dec("0"), dec("-0.01")).unwrap_err(),
                ),
            ] {
                let err = serde_json::from_str::<FeeSchedule>(json).unwrap_err();
                assert_eq!(err.to_string(), want.to_string(), "{json}");
            }
        }

        #[test]
        fn rate_table_round_trips_and_refuses_what_with_rate_refuses() {
            let t = RateTable::new()
                .with_rate(Currency::EUR, Currency::USD, dec("1.08"))
                .unwrap()
                .with_rate(Currency::GBP, Currency::USD, dec("1.27"))
                .unwrap();
            let json = serde_json::to_string(&t).unwrap();
            assert_eq!(
                json,
                r#"[{"from":"EUR","to":"USD","rate":"1.08"},{"from":"GBP","to":"USD","rate":"1.27"}]"#
            );
            assert_eq!(serde_json::from_str::<RateTable>(&json).unwrap(), t);
            let same = r#"[{"from":"GBP","to":"GBP","rate":"2"}]"#;
            let err = serde_json::from_str::<RateTable>(same).unwrap_err();
            assert_eq!(err.to_string(), "exchange rate: GBP to GBP is always 1, got 2");
            let negative = r#"[{"from":"EUR","to":"USD","rate":"-1"}]"#;
            assert!(serde_json::from_str::<RateTable>(negative).is_err());
        }
    }
}
