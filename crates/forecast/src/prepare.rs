//! From recorded sales to a demand series: stock-out days, negative days,
//! and the velocities a person can check.
//!
//! A day on which the SKU could not be sold records less than was
//! demanded, so reading it as demand understates velocity. Such days are
//! flagged by the history ([`DemandSeries::stocked_out`]) or inferred by
//! the partial-stockout rule, then excluded or imputed.

use merchantry_core::DemandSeries;

use crate::error::{ForecastError, Result};
use crate::model::mean_of;

/// What to do with stock-out days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Treatment {
    /// Drop them: the model sees only in-stock days, back to back. The
    /// default; it keeps intermittent series free of invented demand.
    ///
    /// Through the [`Forecaster`](crate::Forecaster), forecasts stay on
    /// the calendar: stock-out days at the end of the history are not
    /// seen, and the first forecast day is as many steps after the last
    /// in-stock day as it is days after it
    /// ([`SkuForecast::trailing_excluded_days`](crate::SkuForecast::trailing_excluded_days)),
    /// so a trend or a season runs on over them. A seasonal model
    /// ([`SeasonalIndices`](crate::SeasonalIndices),
    /// [`HoltWinters`](crate::HoltWinters)) counts its phases in days, so
    /// dropping a day inside the history would shift every later day's
    /// phase: it is fitted to the days from the first to the last in-stock
    /// one instead, each stock-out day between them filled along the
    /// straight line between the nearest in-stock days of its phase before
    /// and after it (the one there is when only one is; the in-stock mean
    /// when neither is). The other models see a gap closed up: a Holt
    /// trend is per in-stock day. A weekday that is always out of stock
    /// (every weekend, say) is never seen: a level model then forecasts
    /// the level of the days that are, which can be well off the weekly
    /// mean (weekdays at 10 and weekends at 30 forecast about 10), and
    /// [`Treatment::Impute`], which fills a day from the in-stock days
    /// before it, does the same: the history holds nothing of that
    /// weekday's demand.
    #[default]
    Exclude,
    /// Replace each with the mean of up to `impute_window` in-stock days
    /// before it (all in-stock days when none precedes it, 0 when the
    /// series has none). Keeps the calendar aligned for seasonal models.
    Impute,
}

/// What to do with days whose net demand is negative (returns outnumber
/// sales).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Negatives {
    /// Count them as zero demand (the default): a return is stock coming
    /// back, not negative demand to forecast.
    #[default]
    ClampToZero,
    /// Reject the series with [`ForecastError::Negative`].
    Reject,
}

/// The partial-stockout rule: for a fast seller (adjusted velocity at
/// least `min_velocity` units a day), an in-stock day selling fewer than
/// `share` times the velocity of its weekday is read as a stock-out day
/// too (the SKU probably ran out during the day). Defaults: `share` 0.3,
/// `min_velocity` 5, `season` 7.
///
/// The velocity of a weekday is the in-stock mean of the days of its
/// phase (the day's position mod `season`, counted from the first day)
/// when that phase has at least two in-stock days, and the overall
/// velocity otherwise (or for every day, with `season` `None`). So a
/// Sunday that always sells a fifth of the weekly average is a Sunday,
/// not a stock-out: measured against the overall velocity every such
/// Sunday was dropped from the history and the velocity overstated.
///
/// ```
/// use merchantry_forecast::{PartialStockout, Preparation, prepare_values};
/// // Four weeks of 10 a day and 2 on the seventh day, and one day at 1.
/// let mut units: Vec<f64> = [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 2.0].repeat(4);
/// units[9] = 1.0;
/// let opts = Preparation { partial: Some(PartialStockout::default()), ..Preparation::default() };
/// let p = prepare_values(&units, &[false; 28], &opts)?;
/// // Only the day at 1 (its weekday sells about 10) is read as a stock-out.
/// assert_eq!(p.velocity.inferred_stockout_days, 1);
/// assert!(p.stocked_out[9]);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartialStockout {
    /// Fraction of the velocity below which a day counts as stocked out.
    pub share: f64,
    /// Velocity (units a day) from which a SKU counts as a fast seller.
    pub min_velocity: f64,
    /// The days in a cycle of weekday velocities (7), `None` to hold
    /// every day to the overall velocity. At least 2.
    #[cfg_attr(feature = "serde", serde(default = "weekly"))]
    pub season: Option<usize>,
}

/// The default [`PartialStockout::season`]: a week of days.
#[cfg(feature = "serde")]
#[expect(clippy::unnecessary_wraps, reason = "serde's default for an Option field")]
const fn weekly() -> Option<usize> {
    Some(7)
}

impl Default for PartialStockout {
    fn default() -> Self {
        Self { share: 0.3, min_velocity: 5.0, season: Some(7) }
    }
}

/// How a recorded series becomes model input. Defaults: exclude stock-out
/// days, no partial-stockout rule, impute window 28 days, negatives
/// clamped to zero.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Preparation {
    /// Exclude or impute stock-out days.
    pub treatment: Treatment,
    /// The partial-stockout rule, when wanted.
    pub partial: Option<PartialStockout>,
    /// In-stock days averaged to impute a stock-out day (0 is read as
    /// 1). Each fill sums its window afresh, so the work grows with the
    /// window times the stock-out days: a window past the series' length
    /// averages every in-stock day before the fill.
    pub impute_window: usize,
    /// Negative days.
    pub negatives: Negatives,
}

impl Default for Preparation {
    fn default() -> Self {
        Self {
            treatment: Treatment::Exclude,
            partial: None,
            impute_window: 28,
            negatives: Negatives::ClampToZero,
        }
    }
}

/// Raw and stock-out-adjusted velocity side by side, with the day counts
/// that explain the difference.
///
/// ```
/// use merchantry_forecast::{Preparation, prepare_values};
/// // 4 days at 10 and 6 stocked-out days at 0.
/// let units = [10.0, 10.0, 10.0, 10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
/// let out = [false, false, false, false, true, true, true, true, true, true];
/// let p = prepare_values(&units, &out, &Preparation::default())?;
/// assert_eq!(p.velocity.raw, 4.0); // 40 units over 10 days
/// assert_eq!(p.velocity.adjusted, 10.0); // 40 units over 4 in-stock days
/// assert_eq!(p.velocity.in_stock_days, 4);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Velocity {
    /// Days in the series.
    pub days: usize,
    /// Days counted as in stock (not flagged, not inferred).
    pub in_stock_days: usize,
    /// Days the history flagged as stocked out.
    pub flagged_stockout_days: usize,
    /// Further days the partial-stockout rule read as stocked out.
    pub inferred_stockout_days: usize,
    /// Units over all days (negatives as the policy treats them): infinite
    /// when the total passes `f64::MAX`, while `raw` and `adjusted`, means
    /// of finite values, stay finite.
    pub units: f64,
    /// Units per day over all days.
    pub raw: f64,
    /// Units on in-stock days per in-stock day (0 without one).
    pub adjusted: f64,
}

/// A series ready for a model.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Prepared {
    /// The model input: in-stock days only, or every day with stock-out
    /// days imputed.
    pub values: Vec<f64>,
    /// Final stock-out flag per original day (flagged or inferred).
    pub stocked_out: Vec<bool>,
    /// The velocities.
    pub velocity: Velocity,
}

/// Prepares a core [`DemandSeries`].
///
/// # Errors
///
/// As [`prepare_values`].
pub fn prepare(series: &DemandSeries, options: &Preparation) -> Result<Prepared> {
    prepare_values(&series.units_f64(), series.stocked_out(), options)
}

/// Prepares a series given as values and stock-out flags.
///
/// # Errors
///
/// [`ForecastError::LengthMismatch`] when the flags do not match the
/// values, [`ForecastError::NonFinite`] for a NaN or infinite value,
/// [`ForecastError::Negative`] for a negative value under
/// [`Negatives::Reject`], [`ForecastError::InvalidParameter`] for a
/// partial-stockout share outside `[0, 1]` or a negative or non-finite
/// minimum velocity.
pub fn prepare_values(
    units: &[f64],
    stocked_out: &[bool],
    options: &Preparation,
) -> Result<Prepared> {
    if units.len() != stocked_out.len() {
        return Err(ForecastError::LengthMismatch {
            what: "stock-out flags",
            got: stocked_out.len(),
            expected: units.len(),
        });
    }
    let mut values = Vec::with_capacity(units.len());
    for (index, &value) in units.iter().enumerate() {
        if !value.is_finite() {
            return Err(ForecastError::NonFinite { index, value });
        }
        if value < 0.0 && options.negatives == Negatives::Reject {
            return Err(ForecastError::Negative { index, value });
        }
        values.push(value.max(0.0));
    }
    let mut flags = stocked_out.to_vec();
    let flagged = flags.iter().filter(|f| **f).count();
    let inferred = match options.partial {
        Some(rule) => apply_partial(&values, &mut flags, rule)?,
        None => 0,
    };
    let velocity = velocity(&values, &flags, flagged, inferred);
    let values = match options.treatment {
        Treatment::Exclude => {
            values.iter().zip(&flags).filter(|(_, f)| !**f).map(|(v, _)| *v).collect()
        }
        Treatment::Impute => impute(&values, &flags, options.impute_window.max(1)),
    };
    Ok(Prepared { values, stocked_out: flags, velocity })
}

/// The kept days of an excluded series put back on the calendar for a
/// seasonal model of `period` days: from the first to the last kept day,
/// each excluded day between them filled from the kept days of the same
/// phase (its day number mod `period`, counted from the first kept day).
/// The fill is the straight line between the nearest such day before and
/// the nearest after (exact for a linear trend plus a seasonal pattern);
/// with only one of them, its value; with neither, the mean of the kept
/// days. `kept` holds the in-stock values in order, `stocked_out` the
/// final flag of every day ([`Prepared::stocked_out`]), with as many
/// `false` as `kept` has values.
pub(crate) fn seasonal_calendar(kept: &[f64], stocked_out: &[bool], period: usize) -> Vec<f64> {
    let days: Vec<usize> =
        stocked_out.iter().enumerate().filter(|(_, f)| !**f).map(|(t, _)| t).collect();
    let (Some(&first), Some(&last)) = (days.first(), days.last()) else {
        return Vec::new();
    };
    let mut span: Vec<Option<f64>> = vec![None; last - first + 1];
    for (&t, &v) in days.iter().zip(kept) {
        if let Some(slot) = span.get_mut(t - first) {
            *slot = Some(v);
        }
    }
    // A phase array no longer than the span: a period longer than it
    // leaves every phase with at most one day (and the fit refuses it).
    let m = period.clamp(1, span.len());
    let fallback = crate::model::mean(kept);
    // The nearest kept day of each day's phase before it, then after it.
    let mut before: Vec<Option<(usize, f64)>> = vec![None; span.len()];
    let mut seen: Vec<Option<(usize, f64)>> = vec![None; m];
    for (i, v) in span.iter().enumerate() {
        before[i] = seen[i % m];
        if let Some(v) = v {
            seen[i % m] = Some((i, *v));
        }
    }
    let mut seen: Vec<Option<(usize, f64)>> = vec![None; m];
    let mut out = vec![0.0; span.len()];
    for (i, v) in span.iter().enumerate().rev() {
        out[i] = match (*v, before[i], seen[i % m]) {
            (Some(v), _, _) => v,
            (None, Some((a, va)), Some((b, vb))) => {
                #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
                let w = (i - a) as f64 / (b - a) as f64;
                va + (vb - va) * w
            }
            (None, Some((_, v)), None) | (None, None, Some((_, v))) => v,
            (None, None, None) => fallback,
        };
        if let Some(v) = v {
            seen[i % m] = Some((i, *v));
        }
    }
    out
}

/// The mean of the days not flagged, and their count. Means here go
/// through [`mean_of`], so values near `f64::MAX` whose plain sum
/// overflows still give their finite mean.
fn in_stock_mean(values: &[f64], flags: &[bool]) -> (f64, usize) {
    mean_of(values.iter().zip(flags).filter(|(_, f)| !**f).map(|(v, _)| v))
}

fn apply_partial(values: &[f64], flags: &mut [bool], rule: PartialStockout) -> Result<usize> {
    if !(rule.share.is_finite() && (0.0..=1.0).contains(&rule.share)) {
        return Err(ForecastError::InvalidParameter {
            name: "share",
            value: rule.share,
            allowed: "[0, 1]",
        });
    }
    if !(rule.min_velocity.is_finite() && rule.min_velocity >= 0.0) {
        return Err(ForecastError::InvalidParameter {
            name: "min_velocity",
            value: rule.min_velocity,
            allowed: "[0, inf)",
        });
    }
    if let Some(m) = rule.season {
        crate::error::at_least_two("season", m, "2 or more days, or none")?;
    }
    let (velocity, _) = in_stock_mean(values, flags);
    if velocity < rule.min_velocity || velocity <= 0.0 {
        return Ok(0);
    }
    // Each phase's in-stock mean, with at least two days to it.
    let m = rule.season.unwrap_or(1).min(values.len().max(1));
    let cuts: Vec<f64> = (0..m)
        .map(|phase| {
            let level = match rule.season {
                Some(_) => {
                    let days = values.iter().zip(flags.iter()).skip(phase).step_by(m);
                    let (mean, n) = mean_of(days.filter(|(_, f)| !**f).map(|(v, _)| v));
                    if n >= 2 { mean } else { velocity }
                }
                None => velocity,
            };
            rule.share * level
        })
        .collect();
    let mut inferred = 0;
    for (t, (v, f)) in values.iter().zip(flags.iter_mut()).enumerate() {
        if !*f && *v < cuts[t % m] {
            *f = true;
            inferred += 1;
        }
    }
    Ok(inferred)
}

fn velocity(values: &[f64], flags: &[bool], flagged: usize, inferred: usize) -> Velocity {
    // From +0.0: an empty `f64` sum is -0.0.
    let units = values.iter().fold(0.0, |sum, v| sum + v);
    let (adjusted, in_stock_days) = in_stock_mean(values, flags);
    let (raw, _) = mean_of(values.iter());
    Velocity {
        days: values.len(),
        in_stock_days,
        flagged_stockout_days: flagged,
        inferred_stockout_days: inferred,
        units,
        raw,
        adjusted,
    }
}

fn impute(values: &[f64], flags: &[bool], window: usize) -> Vec<f64> {
    let (fallback, _) = in_stock_mean(values, flags);
    // Each fill is the mean of the window as it stands, summed afresh: a
    // running sum would keep the rounding of values that have left it
    // (and, once overflowed, stay infinite).
    let mut recent: std::collections::VecDeque<f64> = std::collections::VecDeque::new();
    let mut out = Vec::with_capacity(values.len());
    for (&v, &f) in values.iter().zip(flags) {
        if f {
            out.push(if recent.is_empty() { fallback } else { mean_of(recent.iter()).0 });
        } else {
            out.push(v);
            recent.push_back(v);
            if recent.len() > window {
                recent.pop_front();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impute_uses_trailing_in_stock_mean() {
        // Window 2: the stock-out day after 4, 6, 8 gets (6 + 8) / 2 = 7;
        // a leading stock-out day gets the mean of all in-stock days, 6.
        let opts = Preparation {
            treatment: Treatment::Impute,
            impute_window: 2,
            ..Preparation::default()
        };
        let p =
            prepare_values(&[0.0, 4.0, 6.0, 8.0, 0.0], &[true, false, false, false, true], &opts)
                .unwrap();
        assert_eq!(p.values, vec![6.0, 4.0, 6.0, 8.0, 7.0]);
    }

    #[test]
    fn an_empty_series_has_no_units_not_minus_zero() {
        let p = prepare_values(&[], &[], &Preparation::default()).unwrap();
        assert!(p.velocity.units == 0.0 && p.velocity.units.is_sign_positive());
    }

    #[test]
    fn impute_means_the_window_as_it_stands() {
        // Window 2 after 1e300, 1, 1: the fill is (1 + 1) / 2 = 1. A
        // running sum kept 1e300 + 1 + 1 - 1e300 = 0. After two days of
        // 1e308 the fill is 1e308, where their sum overflows.
        let opts = Preparation {
            treatment: Treatment::Impute,
            impute_window: 2,
            ..Preparation::default()
        };
        let p =
            prepare_values(&[1e300, 1.0, 1.0, 0.0], &[false, false, false, true], &opts).unwrap();
        assert_eq!(p.values, vec![1e300, 1.0, 1.0, 1.0]);
        let p = prepare_values(&[1e308, 1e308, 0.0], &[false, false, true], &opts).unwrap();
        assert_eq!(p.values, vec![1e308, 1e308, 1e308]);
    }

    #[test]
    fn seasonal_calendar_fills_interior_days_from_their_phase() {
        // Days 0..=8, out on 0, 3, 4 and 8: the span is days 1..=7, read
        // from day 1 as [1, 10, ?, ?, 4, 40, 5] with period 2. Position 2
        // (phase 0) lies between positions 0 (1) and 4 (4), halfway:
        // 1 + (4 - 1) * 2 / 4 = 2.5. Position 3 (phase 1) between 1 (10)
        // and 5 (40): 10 + 30 * 2 / 4 = 25. Days 0 and 8 are dropped.
        let flags = [true, false, false, true, true, false, false, false, true];
        let kept = [1.0, 10.0, 4.0, 40.0, 5.0];
        assert_eq!(seasonal_calendar(&kept, &flags, 2), vec![1.0, 10.0, 2.5, 25.0, 4.0, 40.0, 5.0]);
        // [6, ?, 2, ?, 8, 5] with period 2: positions 1 and 3 have no
        // kept phase-1 day before them, only position 5 (5) after.
        let flags = [false, true, false, true, false, false];
        let kept = [6.0, 2.0, 8.0, 5.0];
        assert_eq!(seasonal_calendar(&kept, &flags, 2), vec![6.0, 5.0, 2.0, 5.0, 8.0, 5.0]);
        // A period past the span: no phase has two days, so the gaps get
        // the mean of the kept days, (6 + 2 + 8 + 5) / 4 = 5.25 (and no
        // array of usize::MAX phases is allocated).
        assert_eq!(
            seasonal_calendar(&kept, &flags, usize::MAX),
            vec![6.0, 5.25, 2.0, 5.25, 8.0, 5.0]
        );
        assert!(seasonal_calendar(&[], &[true, true], 7).is_empty());
    }

    #[test]
    fn partial_stockout_rule_flags_slow_days_of_fast_sellers() {
        // In-stock mean of [20, 20, 20, 2] is 15.5; cut 0.3 * 15.5 = 4.65;
        // the day at 2 is inferred: adjusted velocity becomes 20.
        let opts =
            Preparation { partial: Some(PartialStockout::default()), ..Preparation::default() };
        let p = prepare_values(&[20.0, 20.0, 20.0, 2.0], &[false; 4], &opts).unwrap();
        assert_eq!(p.velocity.inferred_stockout_days, 1);
        assert_eq!(p.velocity.adjusted, 20.0);
        assert_eq!(p.velocity.raw, 15.5);
        assert_eq!(p.values, vec![20.0, 20.0, 20.0]);
        // A slow seller (mean 1.5 < 5) is left alone.
        let slow = prepare_values(&[2.0, 2.0, 2.0, 0.0], &[false; 4], &opts).unwrap();
        assert_eq!(slow.velocity.inferred_stockout_days, 0);
    }

    #[test]
    fn partial_stockouts_are_weighed_against_their_weekday() {
        // Four weeks of 10 a day and 2 every seventh day, one day at 1
        // in place of a 10 (239 units, overall mean 8.54, cut 2.56): held
        // to the overall velocity every seventh day was a stock-out and
        // the velocity read 10. Against its weekday (mean 2, cut 0.6) no
        // seventh day is; the day at 1 (its weekday's mean 7.75, cut
        // 2.33) still is, and the velocity is 238 / 27.
        let mut units: Vec<f64> = [10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 2.0].repeat(4);
        units[9] = 1.0;
        let rule = PartialStockout::default();
        let opts = Preparation { partial: Some(rule), ..Preparation::default() };
        let p = prepare_values(&units, &[false; 28], &opts).unwrap();
        assert_eq!(p.velocity.inferred_stockout_days, 1);
        assert!((p.velocity.adjusted - 238.0 / 27.0).abs() < 1e-12, "{}", p.velocity.adjusted);
        let flat = PartialStockout { season: None, ..rule };
        let opts = Preparation { partial: Some(flat), ..Preparation::default() };
        let p = prepare_values(&units, &[false; 28], &opts).unwrap();
        assert_eq!(p.velocity.inferred_stockout_days, 5);
        assert_eq!(p.velocity.adjusted, 10.0);
        for season in [Some(0), Some(1)] {
            let bad = PartialStockout { season, ..rule };
            let opts = Preparation { partial: Some(bad), ..Preparation::default() };
            assert!(matches!(
                prepare_values(&units, &[false; 28], &opts),
                Err(ForecastError::InvalidParameter { name: "season", .. })
            ));
        }
        // A phase with fewer than two in-stock days uses the overall
        // velocity: two weeks' seventh days flagged out, one left.
        let mut flags = [false; 28];
        (flags[6], flags[13], flags[20]) = (true, true, true);
        let opts = Preparation { partial: Some(rule), ..Preparation::default() };
        let p = prepare_values(&units, &flags, &opts).unwrap();
        assert!(p.stocked_out[27], "the last seventh day, 2 < 0.3 x 233 / 25");
    }

    #[test]
    fn negatives_clamp_or_reject() {
        let p = prepare_values(&[3.0, -2.0], &[false; 2], &Preparation::default()).unwrap();
        assert_eq!(p.values, vec![3.0, 0.0]);
        let reject = Preparation { negatives: Negatives::Reject, ..Preparation::default() };
        assert_eq!(
            prepare_values(&[3.0, -2.0], &[false; 2], &reject),
            Err(ForecastError::Negative { index: 1, value: -2.0 })
        );
    }
}
