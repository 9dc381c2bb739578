//! Day-by-day projection of stock on the shelf, stockout and arrival
//! dates.

use chrono::{Days as ChronoDays, NaiveDate};
use merchantry_core::{LeadTimeEstimate, Quantity};

use crate::engine::MIN_UNITS_TO_PROTECT;
use crate::input::OpenSupply;

/// Projected stock at the end of each day from `start`: on hand, plus
/// open supply on its forecast arrival day, minus forecast mean demand.
/// Unmet demand is not carried (the projection may go negative to show
/// the size of the gap).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Projection {
    /// The first projected day.
    pub start: NaiveDate,
    /// End-of-day projected units, one per forecast day.
    pub end_of_day: Vec<f64>,
    /// The first day whose end-of-day stock is short by at least
    /// [`MIN_UNITS_TO_PROTECT`], a millionth of a unit below zero (demand
    /// goes unmet), if any within the horizon. A smaller shortfall is
    /// float noise: 1e-10 a day from an empty shelf would take 10,000
    /// days to be short by a millionth, while 0.01 a day is short at the
    /// end of its first day.
    pub stockout: Option<NaiveDate>,
}

/// Days from `today` to `day`, with past days read as unknown.
fn index_of(today: NaiveDate, day: NaiveDate) -> Option<usize> {
    usize::try_from((day - today).num_days()).ok()
}

/// `date + ceil(days)` (`date` for days at or below zero), `None` past
/// the calendar's end or for NaN days.
#[must_use]
pub fn add_days_ceil(date: NaiveDate, days: f64) -> Option<NaiveDate> {
    if days.is_nan() {
        return None;
    }
    if days <= 0.0 {
        return Some(date);
    }
    let whole = days.ceil();
    // chrono's calendar spans under 2e8 days: anything past 1e9 (or inf)
    // is past its end, and below it the cast is exact.
    if whole > 1.0e9 {
        return None;
    }
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "whole is a whole number in 1..=1e9"
    )]
    let n = whole as u64;
    date.checked_add_days(ChronoDays::new(n))
}

fn arrivals(
    today: NaiveDate,
    supply: &[OpenSupply],
    unknown_arrival: NaiveDate,
) -> Vec<(usize, f64)> {
    let fallback = index_of(today, unknown_arrival).unwrap_or(0);
    let mut out: Vec<(usize, f64)> = supply
        .iter()
        .map(|s| {
            let day = s.expected.and_then(|d| index_of(today, d)).unwrap_or(fallback);
            (day, s.quantity.as_f64())
        })
        .collect();
    out.sort_by_key(|(day, _)| *day);
    out
}

/// Walks the projection, calling `visit(day index, end-of-day stock)`,
/// and returns the first stockout day index. Stops early when `visit`
/// returns false.
fn walk(
    on_hand: Quantity,
    arrivals: &[(usize, f64)],
    mean: &[f64],
    mut visit: impl FnMut(usize, f64) -> bool,
) -> Option<usize> {
    let mut stock = on_hand.as_f64();
    let mut next = 0;
    let mut stockout = None;
    for (i, demand) in mean.iter().enumerate() {
        while let Some(&(day, units)) = arrivals.get(next).filter(|(day, _)| *day <= i) {
            let _ = day;
            stock += units;
            next += 1;
        }
        stock -= demand;
        if short(stock) && stockout.is_none() {
            stockout = Some(i);
        }
        if !visit(i, stock) {
            break;
        }
    }
    stockout
}

/// Projects stock day by day over the forecast `mean` (day 0 is `today`).
///
/// `mean` is a forecast's daily means, finite and at or above zero as a
/// [`DailyForecast`](merchantry_core::DailyForecast) holds them. Taken
/// raw, an infinite day is a stockout that day, and a NaN day makes
/// that day's and every later stock NaN, which is never read as a
/// stockout (nothing is claimed from an unknown).
///
/// ```
/// use chrono::NaiveDate;
/// use merchantry_core::Quantity;
/// use merchantry_reorder::{project, OpenSupply, SupplyKind};
/// let today = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
/// let po = OpenSupply { kind: SupplyKind::PurchaseOrder, quantity: Quantity::new(10),
///     expected: NaiveDate::from_ymd_opt(2026, 3, 3) };
/// // 25 on hand, 10/day: 15, 5, (5 + 10 - 10 =) 5, -5 -> stockout on day 3
/// let p = project(Quantity::new(25), &[po], &[10.0; 5], today, today);
/// assert_eq!(p.end_of_day[..4], [15.0, 5.0, 5.0, -5.0]);
/// assert_eq!(p.stockout, NaiveDate::from_ymd_opt(2026, 3, 4));
/// ```
#[must_use]
pub fn project(
    on_hand: Quantity,
    supply: &[OpenSupply],
    mean: &[f64],
    today: NaiveDate,
    unknown_arrival: NaiveDate,
) -> Projection {
    let arrivals = arrivals(today, supply, unknown_arrival);
    let mut end_of_day = Vec::with_capacity(mean.len());
    let stockout = walk(on_hand, &arrivals, mean, |_, s| {
        end_of_day.push(s);
        true
    });
    let stockout = stockout.and_then(|i| add_days_ceil(today, usize_to_days(i)));
    Projection { start: today, end_of_day, stockout }
}

/// The first projected stockout day, without keeping the series (NaN
/// and infinite days as in [`project`]).
#[must_use]
pub fn projected_stockout(
    on_hand: Quantity,
    supply: &[OpenSupply],
    mean: &[f64],
    today: NaiveDate,
    unknown_arrival: NaiveDate,
) -> Option<NaiveDate> {
    let arrivals = arrivals(today, supply, unknown_arrival);
    let mut found = false;
    let i = walk(on_hand, &arrivals, mean, |_, s| {
        found = short(s);
        !found
    })?;
    add_days_ceil(today, usize_to_days(i))
}

/// Whether end-of-day `stock` is short by at least
/// [`MIN_UNITS_TO_PROTECT`], the planner's line between float noise and
/// demand, so that the stock-outs it projects agree with the demand it
/// protects: 1e-10 a day from an empty shelf takes 10,000 days to be
/// short by that much, and 0.01 a day is short at the end of its first
/// day, as a shelf at 0 sells nothing. A whole unit to the nearest
/// (short by half a unit) would put that stock-out on day 49 while the
/// trigger orders today.
fn short(stock: f64) -> bool {
    stock <= -MIN_UNITS_TO_PROTECT
}

fn usize_to_days(i: usize) -> f64 {
    crate::safety::usize_to_f64(i)
}

/// When an order placed today is expected to be sellable, with a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct ArrivalWindow {
    /// `today + ceil(mean lead time)`.
    pub expected: NaiveDate,
    /// Early end of the range.
    pub earliest: NaiveDate,
    /// Late end of the range.
    pub latest: NaiveDate,
}

/// z for a central 80% interval: Phi(1.2816) = 0.90.
const Z_80: f64 = 1.281_551_565_5;

impl ArrivalWindow {
    /// The window for an order placed on `today`: the 10% and 90%
    /// quantiles of the lead time when the forecast carries them,
    /// otherwise `mean -/+ 1.2816 * std_dev` (a central 80% normal
    /// interval), never before `today`.
    #[must_use]
    pub fn for_order(today: NaiveDate, lead: &LeadTimeEstimate) -> Option<Self> {
        let mean = lead.mean.get();
        let sd = lead.std_dev.get();
        let (lo, hi) = match (lead.quantile(0.1), lead.quantile(0.9)) {
            (Some(lo), Some(hi)) => (lo.get(), hi.get()),
            _ => (mean - Z_80 * sd, mean + Z_80 * sd),
        };
        Some(Self {
            expected: add_days_ceil(today, mean)?,
            earliest: add_days_ceil(today, lo)?,
            latest: add_days_ceil(today, hi)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::SupplyKind;
    use merchantry_core::Days;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn unknown_and_overdue_supply_land_on_the_fallback_day() {
        let late = OpenSupply {
            kind: SupplyKind::Inbound,
            quantity: Quantity::new(100),
            expected: Some(day(1)),
        };
        // today is the 5th; the overdue shipment is assumed on the 8th.
        let p = project(Quantity::new(20), &[late], &[10.0; 6], day(5), day(8));
        // 10, 0, -10 (stockout on the 7th), then +100 on the 8th: 80
        assert_eq!(p.end_of_day[..4], [10.0, 0.0, -10.0, 80.0]);
        assert_eq!(p.stockout, Some(day(7)));
        let s = projected_stockout(Quantity::new(20), &p_supply(), &[10.0; 6], day(5), day(8));
        assert_eq!(s, Some(day(7)));
    }

    #[test]
    fn a_stockout_is_a_shortfall_of_a_millionth_of_a_unit_or_more() {
        // Nothing on hand from the 5th, 12 days of forecast:
        //   0.3 a day: -0.3 at the end of the 5th, short: the 5th;
        //   0.01 a day: -0.01, short: the 5th (half a unit put it on the
        //     54th, 50 x 0.01 = 0.5);
        //   3e-7 a day: -3e-7, -6e-7, -9e-7, then -1.2e-6 at the end of
        //     the 4th day, the first past a millionth: the 8th;
        //   1e-10 a day: -1.2e-9 after 12 days, no stock-out (with any
        //     shortfall past 1e-9 counting, it was one after about 10
        //     days; a millionth takes 10,000).
        let cases =
            [(0.3, Some(day(5))), (0.01, Some(day(5))), (3e-7, Some(day(8))), (1e-10, None)];
        for (rate, want) in cases {
            let p = project(Quantity::ZERO, &[], &[rate; 12], day(5), day(8));
            assert_eq!(p.stockout, want, "{rate}");
            assert_eq!(projected_stockout(Quantity::ZERO, &[], &[rate; 12], day(5), day(8)), want);
        }
        // The boundary: one day of 1e-6 is short by exactly a millionth,
        // a stock-out; 9.99e-7 is not.
        for (rate, want) in [(1e-6, Some(day(5))), (9.99e-7, None)] {
            assert_eq!(projected_stockout(Quantity::ZERO, &[], &[rate], day(5), day(8)), want);
        }
    }

    fn p_supply() -> Vec<OpenSupply> {
        vec![OpenSupply { kind: SupplyKind::Inbound, quantity: Quantity::new(100), expected: None }]
    }

    #[test]
    fn arrival_window_uses_the_normal_interval() {
        // mean 20, sd 5: 20 -/+ 6.41 -> ceil 14 and 27 days
        let lead = LeadTimeEstimate {
            mean: Days::whole(20),
            std_dev: Days::whole(5),
            stages: vec![],
            quantiles: vec![],
        };
        let w = ArrivalWindow::for_order(day(1), &lead).unwrap();
        assert_eq!((w.expected, w.earliest, w.latest), (day(21), day(15), day(28)));
    }

    #[test]
    fn adding_days_keeps_far_dates_and_refuses_nan() {
        // 2,000,000 days after 1 March 2026 is 24 December 7501 (chrono
        // counts it); it used to be cut to 1,000,000 days (27 January
        // 4764), a date that is simply wrong.
        let far = day(1).checked_add_days(ChronoDays::new(2_000_000)).unwrap();
        assert_eq!(add_days_ceil(day(1), 2e6), Some(far));
        assert_eq!(add_days_ceil(day(1), 1_999_999.2), Some(far));
        // Not a number of days, or more days than the calendar holds.
        assert_eq!(add_days_ceil(day(1), f64::NAN), None);
        assert_eq!(add_days_ceil(day(1), f64::INFINITY), None);
        assert_eq!(add_days_ceil(day(1), 1e300), None);
        // At or below zero: the date itself, as documented.
        assert_eq!(add_days_ceil(day(1), -5.0), Some(day(1)));
        assert_eq!(add_days_ceil(day(1), f64::NEG_INFINITY), Some(day(1)));
    }
}
