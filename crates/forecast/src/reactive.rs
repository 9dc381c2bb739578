//! Fast reaction to level shifts: a CUSUM change-point detector that
//! resets the level of any base model.

use crate::error::{ForecastError, Result, check_series};
use crate::model::{DemandModel, Fitted, ModelKind, mean};

/// Settings of the change-point detector. Defaults: `allowance` 0.5,
/// `threshold` 5, `confirm` 2 periods, `min_fit` 28 periods.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
}

impl Default for ChangePoint {
    fn default() -> Self {
        Self { allowance: 0.5, threshold: 5.0, confirm: 2, min_fit: 28 }
    }
}

impl ChangePoint {
    fn validate(&self) -> Result<()> {
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
        Ok(())
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
    #[must_use]
    pub fn change_points(&self, y: &[f64]) -> Vec<usize> {
        let sigma = noise_scale(y).max(mean(y).max(1.0).sqrt());
        let (k, h) = (self.allowance, self.threshold);
        let mut points = Vec::new();
        let (mut sum, mut count) = (0.0, 0.0);
        let (mut up, mut down) = (0.0_f64, 0.0_f64);
        let (mut up_zero, mut down_zero) = (0, 0);
        for (t, &v) in y.iter().enumerate() {
            if count == 0.0 {
                sum = v;
                count = 1.0;
                up_zero = t + 1;
                down_zero = t + 1;
                continue;
            }
            let z = (v - sum / count) / sigma;
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
                let seg = y.get(start..=t).unwrap_or(&[]);
                sum = seg.iter().sum();
                #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
                let n = seg.len() as f64;
                count = n;
                (up, down) = (0.0, 0.0);
                (up_zero, down_zero) = (t + 1, t + 1);
            } else {
                sum += v;
                count += 1.0;
            }
        }
        points
    }

    /// The start of the current level: the last change point whose segment
    /// has lasted at least `confirm` periods (0 when none).
    #[must_use]
    pub fn current_start(&self, y: &[f64]) -> usize {
        let n = y.len();
        self.change_points(y)
            .into_iter()
            .rev()
            .find(|&c| n.saturating_sub(c) >= self.confirm)
            .unwrap_or(0)
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
/// the whole series. Without a confirmed change the base model is fitted
/// to the whole series as usual.
///
/// The detector compares each period with a flat level, so it suits a
/// level model: over a seasonal series it reads the season's rises and
/// falls as shifts (a weekly 10, 20, ..., 70 resets the level every few
/// days), and a seasonal base such as
/// [`SeasonalIndices`](crate::SeasonalIndices) is then replaced by the
/// mean of its last days. The [`Forecaster`](crate::Forecaster) never
/// wraps a seasonal model in it.
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
    /// allowance or threshold, or `confirm` 0.
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
        let start = self.detector.current_start(y);
        let Some(segment) = y.get(start..).filter(|_| start > 0) else {
            return self.base.fit(y);
        };
        let fit = if segment.len() >= self.detector.min_fit {
            self.base.fit(segment)?
        } else {
            let flat = Fitted::flat(self.base.kind(), mean(segment), noise_scale(y), y.len());
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
    }
}
