//! Fast reaction to level shifts: a CUSUM change-point detector that
//! resets the level of any base model.

use crate::error::{ForecastError, Result, check_series};
use crate::model::{DemandModel, Fitted, ModelKind, mean};

/// Settings of the change-point detector. Defaults: `allowance` 0.5,
/// `threshold` 5, `confirm` 2 periods, `min_fit` 28 periods, `season` 7
/// (a day-of-week pattern on daily demand). Read from serde through the
/// same checks as [`Reactive::with_detector`]; a form without `season`
/// (saved before it was added) reads as the default, 7.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::serde_checks::ChangePointRepr")
)]
pub struct ChangePoint {
    /// Slack `k` of the CUSUM, in standard deviations.
    pub allowance: f64,
    /// Decision threshold `h` of the CUSUM, in standard deviations.
    pub threshold: f64,
    /// Periods a new level must have lasted before it is believed.
    pub confirm: usize,
    /// Post-change segments shorter than this are forecast by their mean;
    /// longer ones are fitted by the base model.
    pub min_fit: usize,
    /// The seasonal period divided out of the series before the CUSUM
    /// reads it (see [`ChangePoint::change_points`]): 7 for the weekly
    /// pattern of daily sales, `None` to read the values as they are
    /// (a series with no season, or not daily). At least 2.
    pub season: Option<usize>,
}

impl Default for ChangePoint {
    fn default() -> Self {
        Self { allowance: 0.5, threshold: 5.0, confirm: 2, min_fit: 28, season: Some(7) }
    }
}

impl ChangePoint {
    pub(crate) fn validate(&self) -> Result<()> {
        for (name, value) in [("allowance", self.allowance), ("threshold", self.threshold)] {
            if !(value.is_finite() && value >= 0.0) {
                return Err(ForecastError::InvalidParameter { name, value, allowed: "[0, inf)" });
            }
        }
        if self.confirm == 0 {
            return Err(ForecastError::InvalidParameter {
                name: "confirm",
                value: 0.0,
                allowed: "1 or more periods",
            });
        }
        if let Some(m) = self.season {
            crate::error::at_least_two("season", m, "2 or more periods, or none")?;
        }
        Ok(())
    }

    /// The values the CUSUM reads: `y` with its [`season`](Self::season)
    /// divided out, each value over its phase's classical multiplicative
    /// index (ratio to the centred moving average, as
    /// [`SeasonalMethod::RatioToMovingAverage`](crate::SeasonalMethod)
    /// takes it over the whole series; the phase counted from the first
    /// value), so a series that only follows its season reads as a flat
    /// level, and a level shift as one. `None` where the phase's index is
    /// `1e-12` or less (a weekday that never sells says nothing about
    /// the level). The values as they are without a season, or when the
    /// series is shorter than two seasons.
    fn levels(&self, y: &[f64]) -> Vec<Option<Reading>> {
        match self.season {
            // `len / 2 >= m` is `len >= 2 m` without the product, which
            // overflowed for a season above usize::MAX / 2.
            Some(m) if m >= 2 && y.len() / 2 >= m => {
                let index = crate::smoothing::ratio_to_moving_average(y, m);
                y.iter()
                    .enumerate()
                    .map(|(t, &v)| {
                        let s = index[t % m];
                        (s > 1e-12).then(|| Reading { level: v / s, index: s })
                    })
                    .collect()
            }
            _ => y.iter().map(|&v| Some(Reading { level: v, index: 1.0 })).collect(),
        }
    }

    /// Start indices of the level segments found in `y`, ascending; the
    /// first segment starts at 0 and is not listed.
    ///
    /// A two-sided tabular CUSUM (Page 1954; Montgomery, *Introduction to
    /// Statistical Quality Control*, section 9.1) runs against the mean of
    /// the current segment: `S+ = max(0, S+ + z - k)`,
    /// `S- = max(0, S- - z - k)` with `z = (y_t - mean) / sigma`. When
    /// either sum passes `h`, a change is signalled and the new segment
    /// starts just after the sum last stood at zero. `sigma` is a robust
    /// noise scale of the whole series: `1.4826 * MAD` of the first
    /// differences over `sqrt(2)`, floored at `sqrt(max(mean, 1))`, the
    /// Poisson noise of counts at that mean.
    ///
    /// With a [`season`](Self::season) (the default, 7) the CUSUM reads
    /// each value over its phase's seasonal index instead, so a weekly
    /// pattern is no shift: weekends selling three times the weekdays
    /// used to signal a change nearly every weekend, and the forecast
    /// followed the last few days. A value whose phase has an index of
    /// about 0 is passed over. The noise scale and the floor are those of
    /// the adjusted values.
    ///
    /// ```
    /// use merchantry_forecast::ChangePoint;
    /// // Ten weeks of 10 a weekday and 30 a weekend day, then three weeks
    /// // at twice that.
    /// let week = [10.0, 10.0, 10.0, 10.0, 10.0, 30.0, 30.0];
    /// let mut y: Vec<f64> = week.iter().copied().cycle().take(70).collect();
    /// y.extend(week.iter().cycle().take(21).map(|v| 2.0 * v));
    /// assert_eq!(ChangePoint::default().change_points(&y), vec![70]);
    /// // Read as they are, the weekends are shifts too.
    /// let raw = ChangePoint { season: None, ..ChangePoint::default() };
    /// assert!(raw.change_points(&y).len() > 5);
    /// ```
    #[must_use]
    pub fn change_points(&self, y: &[f64]) -> Vec<usize> {
        self.points(&self.levels(y))
    }

    /// [`ChangePoint::change_points`] on the values [`ChangePoint::levels`]
    /// gives.
    fn points(&self, levels: &[Option<Reading>]) -> Vec<usize> {
        let known = adjusted(levels);
        let sigma = noise_scale(&known).max(mean(&known).max(1.0).sqrt());
        let (k, h) = (self.allowance, self.threshold);
        let mut points = Vec::new();
        // The segment's sums of the values and of their indices: its
        // level is their ratio (each value weighs by its index).
        let (mut sum, mut count) = (0.0, 0.0);
        let (mut up, mut down) = (0.0_f64, 0.0_f64);
        let (mut up_zero, mut down_zero) = (0, 0);
        for (t, r) in levels.iter().enumerate() {
            let Some(Reading { level: v, index: s }) = *r else { continue };
            if count == 0.0 {
                (sum, count) = (v * s, s);
                up_zero = t + 1;
                down_zero = t + 1;
                continue;
            }
            // A value over a small index is a small count scaled up: its
            // noise is `sigma / sqrt(s)` (Poisson counts), so it is read
            // at that scale.
            let z = (v - sum / count) * s.sqrt() / sigma;
            up = (up + z - k).max(0.0);
            down = (down - z - k).max(0.0);
            if up == 0.0 {
                up_zero = t + 1;
            }
            if down == 0.0 {
                down_zero = t + 1;
            }
            if up > h || down > h {
                let start = if up > h { up_zero } else { down_zero };
                points.push(start);
                let seg = levels.get(start..=t).unwrap_or(&[]);
                sum = seg.iter().flatten().map(|r| r.level * r.index).sum();
                count = seg.iter().flatten().map(|r| r.index).sum();
                (up, down) = (0.0, 0.0);
                (up_zero, down_zero) = (t + 1, t + 1);
            } else {
                sum += v * s;
                count += s;
            }
        }
        points
    }

    /// The start of the current level: the last change point whose segment
    /// has lasted at least `confirm` periods (0 when none).
    #[must_use]
    pub fn current_start(&self, y: &[f64]) -> usize {
        self.start_in(&self.levels(y))
    }

    /// [`ChangePoint::current_start`] on the values
    /// [`ChangePoint::levels`] gives.
    fn start_in(&self, levels: &[Option<Reading>]) -> usize {
        let n = levels.len();
        self.points(levels)
            .into_iter()
            .rev()
            .find(|&c| n.saturating_sub(c) >= self.confirm)
            .unwrap_or(0)
    }
}

/// One value as the detector reads it: over its phase's seasonal index
/// (1 without a season), and that index.
#[derive(Debug, Clone, Copy)]
struct Reading {
    level: f64,
    index: f64,
}

/// The adjusted values of `levels`, the passed-over ones left out.
fn adjusted(levels: &[Option<Reading>]) -> Vec<f64> {
    levels.iter().flatten().map(|r| r.level).collect()
}

/// The level of `levels`: the sum of the values over the sum of their
/// indices (the mean without a season; the seasonally adjusted level of
/// counts otherwise, a weekday that sells little weighing little).
///
/// Summed as a weighted mean (each value times its share of the
/// indices), so that values near `f64::MAX` do not overflow a sum the
/// way a plain sum of `MAX + MAX` would.
fn level_of(levels: &[Option<Reading>]) -> f64 {
    let weight: f64 = levels.iter().flatten().map(|r| r.index).sum();
    if weight > 0.0 {
        levels.iter().flatten().map(|r| r.level * (r.index / weight)).sum()
    } else {
        0.0
    }
}

/// `1.4826 * MAD(diff(y)) / sqrt(2)`: the noise standard deviation of a
/// level series, robust to level shifts and outliers.
///
/// When a difference of finite values overflows (steps near `f64::MAX`),
/// the differences of the halved values are used and the scale doubled
/// (the median and the MAD scale with the data), so the result is finite
/// unless the noise scale itself exceeds `f64::MAX` (then `+inf`; it was
/// reported as 0).
fn noise_scale(y: &[f64]) -> f64 {
    let plain = noise_scale_at(y, 1.0);
    if plain.is_finite() { plain } else { 2.0 * noise_scale_at(y, 0.5) }
}

/// The noise scale of `y` times `factor` (a power of two).
fn noise_scale_at(y: &[f64], factor: f64) -> f64 {
    let mut d: Vec<f64> = y.windows(2).map(|w| w[1] * factor - w[0] * factor).collect();
    if d.is_empty() {
        return 0.0;
    }
    let med = median(&mut d);
    for v in &mut d {
        *v = (*v - med).abs();
    }
    1.4826 * median(&mut d) / std::f64::consts::SQRT_2
}

fn median(v: &mut [f64]) -> f64 {
    let mid = v.len() / 2;
    let (_, m, _) = v.select_nth_unstable_by(mid, f64::total_cmp);
    *m
}

/// A base model with a level-shift reset: the mechanism that makes a
/// forecast follow a sudden jump within [`ChangePoint::confirm`] periods
/// and fall back as quickly when it ends.
///
/// The series is scanned by [`ChangePoint::change_points`]. If the current
/// level started after period 0 and has lasted at least `confirm`
/// periods, only the periods since the change are used: the base model is
/// fitted to them when there are at least `min_fit` of them, otherwise the
/// forecast is their mean, with the spread set to the robust noise scale of
/// the whole series. With a [`ChangePoint::season`] both are taken from
/// the seasonally adjusted values the detector read, so a few days after
/// a change are not weighed by which weekdays they happen to be. Without a
/// confirmed change the base model is fitted to the whole series as
/// usual.
///
/// The detector compares each period with a flat level once its
/// [`ChangePoint::season`] is divided out, so it suits a level model: a
/// season of another period (or any season with `season` `None`) reads
/// as shifts, and after a reset a short segment is forecast flat, so a
/// seasonal base such as [`SeasonalIndices`](crate::SeasonalIndices)
/// loses its season until `min_fit` periods have passed. The
/// [`Forecaster`](crate::Forecaster) never wraps a seasonal model in it.
///
/// ```
/// use merchantry_forecast::{DemandModel, Reactive, Ses};
/// // Steady at 10 for 60 days, then two days at 40.
/// let mut y = vec![10.0; 60];
/// y.extend([40.0, 40.0]);
/// let fit = Reactive::new(Ses::fitted()).fit(&y)?;
/// assert!(fit.mean_at(1) >= 30.0);
/// assert_eq!(fit.level_reset_at(), Some(60));
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(
        try_from = "crate::serde_checks::ReactiveRepr<M>",
        bound(deserialize = "M: DemandModel + serde::Deserialize<'de>")
    )
)]
pub struct Reactive<M> {
    base: M,
    detector: ChangePoint,
}

impl<M: DemandModel> Reactive<M> {
    /// `base` with the default detector.
    pub fn new(base: M) -> Self {
        Self { base, detector: ChangePoint::default() }
    }

    /// `base` with a given detector.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] for a negative or non-finite
    /// allowance or threshold, `confirm` 0, or a `season` of 0 or 1.
    pub fn with_detector(base: M, detector: ChangePoint) -> Result<Self> {
        detector.validate()?;
        Ok(Self { base, detector })
    }
}

impl<M: DemandModel> DemandModel for Reactive<M> {
    fn kind(&self) -> ModelKind {
        self.base.kind()
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        check_series(y)?;
        self.fit_read(y, &self.detector.levels(y))
    }
}

impl<M: DemandModel> Reactive<M> {
    /// [`DemandModel::fit`] on `kept`, the in-stock days of a history
    /// whose stock-out days were dropped, with the detector reading each
    /// kept day at its own place in the season: `calendar` holds every
    /// day from the first kept one to the last, the dropped ones filled
    /// (as [`seasonal_calendar`](crate::prepare::seasonal_calendar) fills
    /// them), and `real` says which are kept days (as many as `kept`
    /// has). Dropped from the series, a gap moved every later day's
    /// weekday, and the detector read weekend sales on weekday places as
    /// a jump.
    pub(crate) fn fit_on_calendar(
        &self,
        kept: &[f64],
        calendar: &[f64],
        real: &[bool],
    ) -> Result<Fitted> {
        check_series(kept)?;
        let levels = self.detector.levels(calendar);
        let levels: Vec<Option<Reading>> =
            levels.into_iter().zip(real).filter(|(_, r)| **r).map(|(l, _)| l).collect();
        if levels.len() != kept.len() {
            // Not the calendar of these days: read them as they are.
            return self.fit_read(kept, &self.detector.levels(kept));
        }
        self.fit_read(kept, &levels)
    }

    /// The fit of `y` with the detector reading `levels` (one per value).
    fn fit_read(&self, y: &[f64], levels: &[Option<Reading>]) -> Result<Fitted> {
        let start = self.detector.start_in(levels);
        let Some(segment) = y.get(start..).filter(|_| start > 0) else {
            return self.base.fit(y);
        };
        let fit = if segment.len() >= self.detector.min_fit {
            self.base.fit(segment)?
        } else {
            let level = level_of(levels.get(start..).unwrap_or(&[]));
            let noise = noise_scale(&adjusted(levels));
            let flat = Fitted::flat(self.base.kind(), level, noise, y.len());
            if !flat.is_finite() {
                return Err(ForecastError::Overflow { what: "reactive noise scale" });
            }
            flat
        };
        Ok(fit.with_reset(Some(start), y.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoothing::Ses;

    fn jump(days_after: usize) -> Vec<f64> {
        let mut y = vec![10.0; 90];
        y.extend(std::iter::repeat_n(40.0, days_after));
        y
    }

    #[test]
    fn ten_to_forty_is_followed_within_two_days() {
        let model = Reactive::new(Ses::fitted());
        // Day 1 of the jump is not yet believed, day 2 is.
        assert!(model.fit(&jump(2)).unwrap().mean_at(1) >= 30.0);
        for days in 2..40 {
            let f = model.fit(&jump(days)).unwrap().mean_at(1);
            assert!(f >= 30.0, "after {days} days at 40: {f}");
        }
    }

    #[test]
    fn steady_series_has_no_change_point() {
        let y: Vec<f64> = (0..200).map(|t| 10.0 + f64::from(t % 5) - 2.0).collect();
        assert!(ChangePoint::default().change_points(&y).is_empty());
    }

    #[test]
    fn spike_end_falls_back() {
        let mut y = jump(5);
        y.extend([10.0, 10.0]);
        let f = Reactive::new(Ses::fitted()).fit(&y).unwrap();
        assert!(f.mean_at(1) <= 12.0, "{}", f.mean_at(1));
        assert_eq!(f.level_reset_at(), Some(95));
    }

    #[test]
    fn invalid_detector_is_rejected() {
        let bad = ChangePoint { confirm: 0, ..ChangePoint::default() };
        assert!(Reactive::with_detector(Ses::fitted(), bad).is_err());
        for season in [Some(0), Some(1)] {
            let bad = ChangePoint { season, ..ChangePoint::default() };
            assert!(Reactive::with_detector(Ses::fitted(), bad).is_err(), "{season:?}");
        }
        let plain = ChangePoint { season: None, ..ChangePoint::default() };
        assert!(Reactive::with_detector(Ses::fitted(), plain).is_ok());
    }

    /// A Poisson count of mean `lambda` (Knuth's method) from a xorshift
    /// state: reproducible sales.
    fn poisson(state: &mut u64, lambda: f64) -> f64 {
        let limit = (-lambda).exp();
        let (mut p, mut k) = (1.0, -1.0);
        while p > limit || k < 0.0 {
            *state ^= *state << 13;
            *state ^= *state >> 7;
            *state ^= *state << 17;
            #[expect(clippy::cast_precision_loss, reason = "53 bits, exact")]
            let u = (*state >> 11) as f64 / (1_u64 << 53) as f64;
            p *= u;
            k += 1.0;
        }
        k
    }

    /// 13 weeks of Poisson sales, 10 a weekday and 30 a weekend day
    /// (weekly mean 15.71), then `days` at `after` times that.
    fn weekly_sales(state: &mut u64, days: usize, after: f64) -> Vec<f64> {
        (0..91 + days)
            .map(|t| {
                let f = if t >= 91 { after } else { 1.0 };
                poisson(state, f * if t % 7 >= 5 { 30.0 } else { 10.0 })
            })
            .collect()
    }

    /// Weekends at three times the weekdays are no level shift. Read as
    /// they were, 196 of these 200 histories reset the level (at some
    /// weekend) and the forecast was off the weekly mean by 55% on
    /// average; with the week divided out, resets fall to about the rate
    /// of a series with no pattern (24 of 200 here, against 23 for a flat
    /// 10 a day) and the error to 6%. A real doubling is still found:
    /// within 5 days in most histories, as on a flat series.
    #[test]
    fn a_weekly_pattern_is_no_level_shift_and_a_shift_still_shows() {
        let weekly = (5.0 * 10.0 + 2.0 * 30.0) / 7.0;
        let model = Reactive::new(Ses::fitted());
        let raw = Reactive::with_detector(
            Ses::fitted(),
            ChangePoint { season: None, ..ChangePoint::default() },
        )
        .unwrap();
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let (mut resets, mut raw_resets, mut error) = (0, 0, 0.0);
        for _ in 0..200 {
            let y = weekly_sales(&mut state, 0, 1.0);
            let fit = model.fit(&y).unwrap();
            resets += usize::from(fit.level_reset_at().is_some());
            raw_resets += usize::from(raw.fit(&y).unwrap().level_reset_at().is_some());
            error += (fit.mean_at(1) - weekly).abs() / weekly / 200.0;
        }
        assert!(raw_resets > 180, "{raw_resets}");
        assert!(resets < 40, "{resets} of 200 reset");
        assert!(error < 0.08, "{error}");
        let (mut found, mut error) = (0, 0.0);
        for _ in 0..200 {
            let y = weekly_sales(&mut state, 5, 2.0);
            let fit = model.fit(&y).unwrap();
            found += usize::from(fit.level_reset_at().is_some_and(|day| day >= 89));
            error += (fit.mean_at(1) - 2.0 * weekly).abs() / (2.0 * weekly) / 200.0;
        }
        assert!(found > 160, "{found} of 200 found");
        assert!(error < 0.2, "{error}");
    }

    /// The adjusted level of a short segment weighs each value by its
    /// index: a week of 10 a weekday and 30 a weekend day doubled for its
    /// last 3 days (a Friday and the weekend: 20, 60, 60) is read at
    /// (20 + 60 + 60) / (s_fri + 2 s_weekend), twice the weekly mean of
    /// the weeks before, not their plain mean 46.7.
    #[test]
    fn a_short_segment_is_forecast_at_its_adjusted_level() {
        let week = [10.0, 10.0, 10.0, 10.0, 10.0, 30.0, 30.0];
        let mut y: Vec<f64> = week.iter().copied().cycle().take(88).collect();
        y.extend([20.0, 60.0, 60.0]);
        let fit = Reactive::new(Ses::fitted()).fit(&y).unwrap();
        assert_eq!(fit.level_reset_at(), Some(88));
        let weekly = (5.0 * 10.0 + 2.0 * 30.0) / 7.0;
        assert!((fit.mean_at(1) - 2.0 * weekly).abs() < 0.05 * weekly, "{}", fit.mean_at(1));
    }
}
