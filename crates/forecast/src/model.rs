//! The [`DemandModel`] trait and what a fit produces.
//!
//! Every model takes a clean series of per-period demand (`&[f64]`, one
//! value per day for daily data, oldest first) and returns a [`Fitted`]
//! state that forecasts any horizon. Stock-out days are removed or imputed
//! before a model sees the series (see [`crate::prepare()`]).
//!
//! # Conventions shared by every model
//!
//! - A period with `y > 0` is a demand occurrence; zero and negative values
//!   are non-occurrences for the intermittent models. Level models use the
//!   values as given.
//! - Forecast means are clamped at zero (demand cannot be negative).
//! - The spread of each forecast day is the root mean squared in-sample
//!   one-step-ahead residual (RMSE) of the fit, the same for every day of
//!   the horizon: it is the spread of one day's demand around its mean,
//!   which is what a planner summing independent days needs. With no
//!   residual to measure (a single observation) it is zero.
//! - Huge values: when the squared errors of a finite series overflow
//!   `f64`, the model is fitted to the series divided by a power of two
//!   (exact) and its level, trend, additive seasonal terms and spread are
//!   scaled back, so the spread is the true one, never a silent zero.
//!   The same refit runs when the squares stay finite but the level, the
//!   trend or a seasonal term overflows. A spread, level, trend or
//!   seasonal term past `f64::MAX` is [`crate::ForecastError::Overflow`]:
//!   no fit holds a NaN or an infinity.
//! - Tiny values: when every value is below `2^-256` in magnitude and
//!   the spread comes out below `2^-200` (squared errors underflow), the
//!   model is refitted to the series times a power of two and scaled
//!   back, so the spread of tiny residuals is not a silent zero.
//! - A mean past `f64::MAX` (a steep trend many periods ahead) is
//!   reported as `f64::MAX` by [`Fitted::mean_at`] and
//!   [`Fitted::forecast`], never as 0, and as
//!   [`crate::ForecastError::Overflow`] by [`Fitted::try_forecast`].

use crate::error::{ForecastError, Result};

/// A demand model: fits a series and forecasts it.
///
/// ```
/// use merchantry_forecast::{DemandModel, Ses};
/// let y = [10.0, 12.0, 11.0, 9.0, 10.0, 11.0];
/// let fit = Ses::fitted().fit(&y)?;
/// let f = fit.forecast(3);
/// assert_eq!(f.mean.len(), 3);
/// assert!(f.mean[0] > 9.0 && f.mean[0] < 12.0);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
pub trait DemandModel {
    /// What kind of model this is.
    fn kind(&self) -> ModelKind;

    /// Fits the model to `y`, oldest first.
    ///
    /// # Errors
    ///
    /// [`crate::ForecastError::Empty`] for an empty series,
    /// [`crate::ForecastError::NonFinite`] for NaN or infinite values,
    /// [`crate::ForecastError::TooShort`] when the model needs more data,
    /// [`crate::ForecastError::InvalidParameter`] for a bad setting,
    /// [`crate::ForecastError::Overflow`] when the spread exceeds
    /// `f64::MAX` (values near it).
    fn fit(&self, y: &[f64]) -> Result<Fitted>;
}

impl<T: DemandModel + ?Sized> DemandModel for &T {
    fn kind(&self) -> ModelKind {
        (**self).kind()
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        (**self).fit(y)
    }
}

impl<T: DemandModel + ?Sized> DemandModel for Box<T> {
    fn kind(&self) -> ModelKind {
        (**self).kind()
    }

    fn fit(&self, y: &[f64]) -> Result<Fitted> {
        (**self).fit(y)
    }
}

/// The model families of this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ModelKind {
    /// Mean of the last `k` periods.
    MovingAverage,
    /// Simple exponential smoothing.
    Ses,
    /// Holt's linear trend method.
    Holt,
    /// Multiplicative seasonal indices over a smoothed level.
    SeasonalIndices,
    /// Additive Holt-Winters.
    HoltWinters,
    /// Croston's method (1972).
    Croston,
    /// The Syntetos-Boylan approximation (2005).
    Sba,
    /// Teunter-Syntetos-Babai (2011).
    Tsb,
    /// Aggregate-disaggregate intermittent demand approach.
    Adida,
    /// Intermittent multiple aggregation prediction algorithm.
    Imapa,
}

impl ModelKind {
    /// A short lowercase name (`"ses"`, `"croston"`, ...).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::MovingAverage => "moving_average",
            Self::Ses => "ses",
            Self::Holt => "holt",
            Self::SeasonalIndices => "seasonal_indices",
            Self::HoltWinters => "holt_winters",
            Self::Croston => "croston",
            Self::Sba => "sba",
            Self::Tsb => "tsb",
            Self::Adida => "adida",
            Self::Imapa => "imapa",
        }
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How seasonal terms combine with the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum SeasonalMode {
    /// `level + trend * h + s`.
    Additive,
    /// `(level + trend * h) * s`.
    Multiplicative,
}

/// The smoothing constants a fit ended with (`None` where the model has
/// no such constant).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Parameters {
    /// Level (or demand size, for Croston, SBA and TSB) constant.
    pub alpha: Option<f64>,
    /// Trend (or demand probability for TSB) constant.
    pub beta: Option<f64>,
    /// Seasonal constant.
    pub gamma: Option<f64>,
    /// Window or aggregation level, in periods.
    pub window: Option<usize>,
}

/// A fitted model: its end state, ready to forecast any horizon.
///
/// The mean `h` periods after the last observation (`h >= 1`) is
/// `max(0, level + trend * h)`, combined with the seasonal term of that
/// period when the model is seasonal.
///
/// With the `serde` feature a saved fit is read back through the
/// guarantees of a fit (finite level, trend and seasonal terms, a finite
/// spread of at least 0, constants in `[0, 1]`, a window of at least one
/// period, at least one observation, a level reset inside the series)
/// and the state of its kind: a trend only on Holt and Holt-Winters,
/// seasonal terms only on the seasonal models (multiplicative for
/// [`ModelKind::SeasonalIndices`], additive for
/// [`ModelKind::HoltWinters`]; as many as the window's periods and at
/// least 2; at the phase the periods fitted end at, the observations or
/// those since the level reset modulo the season), and the constants the
/// model fits, or none at all for a flat fit (no trend, no season: the
/// mean since a recent level shift, or ADIDA and IMAPA on a series
/// without demand). One that breaks them is refused with
/// [`ForecastError::InvalidRecord`] naming the field.
///
/// Multiplicative seasonal terms are at least 0: a fit gives a phase
/// averaging below zero the index 0 (see
/// [`SeasonalIndices`](crate::SeasonalIndices)), and a saved term below 0
/// is refused naming its index and value (times a negative level it
/// forecast demand for that phase). A term of 0, a phase without demand,
/// loads. A moving-average window longer than the series loads, as real
/// fits give it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::serde_checks::FittedRepr")
)]
pub struct Fitted {
    kind: ModelKind,
    level: f64,
    trend: f64,
    season: Vec<f64>,
    mode: SeasonalMode,
    phase: usize,
    sigma: f64,
    params: Parameters,
    observations: usize,
    level_reset_at: Option<usize>,
}

impl Fitted {
    /// A flat forecast of `level` per period with spread `sigma`.
    pub(crate) fn flat(kind: ModelKind, level: f64, sigma: f64, observations: usize) -> Self {
        Self {
            kind,
            level,
            trend: 0.0,
            season: Vec::new(),
            mode: SeasonalMode::Additive,
            phase: 0,
            sigma: sigma.max(0.0),
            params: Parameters::default(),
            observations,
            level_reset_at: None,
        }
    }

    pub(crate) fn with_trend(mut self, trend: f64) -> Self {
        self.trend = trend;
        self
    }

    pub(crate) fn with_season(
        mut self,
        season: Vec<f64>,
        mode: SeasonalMode,
        phase: usize,
    ) -> Self {
        self.season = season;
        self.mode = mode;
        self.phase = phase;
        self
    }

    /// The fit of the data times `s` (a power of two): level, trend,
    /// additive seasonal terms and spread times `s`; `None` when the
    /// spread, the level, the trend or a seasonal term then overflows.
    fn scaled_by(mut self, s: f64) -> Option<Self> {
        self.level *= s;
        self.trend *= s;
        self.sigma *= s;
        if self.mode == SeasonalMode::Additive {
            for v in &mut self.season {
                *v *= s;
            }
        }
        self.is_finite().then_some(self)
    }

    /// Whether the level, trend, spread and every seasonal term are
    /// finite (a model whose state overflowed is refitted rescaled).
    pub(crate) fn is_finite(&self) -> bool {
        self.level.is_finite()
            && self.trend.is_finite()
            && self.sigma.is_finite()
            && self.season.iter().all(|v| v.is_finite())
    }

    pub(crate) const fn with_params(mut self, params: Parameters) -> Self {
        self.params = params;
        self
    }

    pub(crate) const fn with_reset(mut self, at: Option<usize>, observations: usize) -> Self {
        self.level_reset_at = at;
        self.observations = observations;
        self
    }

    /// The model that produced this fit.
    #[must_use]
    pub const fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The level at the end of the series (for intermittent models, the
    /// per-period demand rate).
    #[must_use]
    pub const fn level(&self) -> f64 {
        self.level
    }

    /// The trend per period (zero for models without one).
    #[must_use]
    pub const fn trend(&self) -> f64 {
        self.trend
    }

    /// The one-step in-sample RMSE used as the per-period spread.
    #[must_use]
    pub const fn sigma(&self) -> f64 {
        self.sigma
    }

    /// The smoothing constants the fit used.
    #[must_use]
    pub const fn params(&self) -> Parameters {
        self.params
    }

    /// Observations the fit consumed.
    #[must_use]
    pub const fn observations(&self) -> usize {
        self.observations
    }

    /// The index of the period where the change-point detector reset the
    /// level (see [`crate::Reactive`]), if it did.
    #[must_use]
    pub const fn level_reset_at(&self) -> Option<usize> {
        self.level_reset_at
    }

    /// The mean forecast `step` periods after the last observation
    /// (`step` 1 is the next period; 0 is read as 1), clamped to
    /// `[0, f64::MAX]`: a mean past the largest finite number is
    /// `f64::MAX` ([`Self::try_forecast`] reports it as an error).
    #[must_use]
    pub fn mean_at(&self, step: usize) -> f64 {
        // `max` reads a NaN (only a deserialised non-finite state gives
        // one) as 0 before the clamp.
        self.unclamped_mean(step).max(0.0).clamp(0.0, f64::MAX)
    }

    /// The mean `step` periods ahead before the clamp: `+inf` when it
    /// exceeds `f64::MAX`, never NaN for a finite state.
    fn unclamped_mean(&self, step: usize) -> f64 {
        let h = step.max(1);
        let value = self.combine(h, 1.0);
        if value.is_finite() {
            return value;
        }
        // A partial sum or product overflowed although the mean may be
        // finite (a level near -f64::MAX plus a steep rising trend):
        // redo it on the state times 2^-64, where `trend * h` (h below
        // 2^52) stays below f64::MAX / 2^12, and scale back.
        const DOWN: f64 = 1.0 / 18_446_744_073_709_551_616.0;
        const UP: f64 = 18_446_744_073_709_551_616.0;
        self.combine(h, DOWN) * UP
    }

    /// `(level + trend h) s` (`+ s` when additive) with level, trend and
    /// additive terms times `scale`, a power of two.
    fn combine(&self, h: usize, scale: f64) -> f64 {
        #[expect(clippy::cast_precision_loss, reason = "horizons are far below 2^52")]
        let base = self.level * scale + self.trend * scale * h as f64;
        let m = self.season.len();
        if m == 0 {
            return base;
        }
        // Term `(phase + h - 1) mod m`, each part reduced first: both are
        // below m (a vector length, at most isize::MAX), so their sum
        // cannot overflow even for a step or phase near usize::MAX.
        let slot = (self.phase % m + (h - 1) % m) % m;
        let s = self.season.get(slot).copied().unwrap_or(0.0);
        match self.mode {
            SeasonalMode::Additive => base + s * scale,
            SeasonalMode::Multiplicative => base * s,
        }
    }

    /// The forecast for periods `1..=horizon` after the last observation.
    #[must_use]
    pub fn forecast(&self, horizon: usize) -> Forecast {
        self.forecast_from(1, horizon)
    }

    /// [`Self::forecast`], refusing a mean past `f64::MAX` instead of
    /// clamping it.
    ///
    /// # Errors
    ///
    /// [`ForecastError::Overflow`] when the mean of some period in the
    /// horizon exceeds `f64::MAX` (values near it with a rising trend).
    ///
    /// ```
    /// use merchantry_forecast::{DemandModel, ForecastError, Holt};
    /// let y: Vec<f64> = (0..10).map(|t| 1e307 * f64::from(t)).collect();
    /// let fit = Holt::new(0.5, 0.5)?.fit(&y)?;
    /// assert!(fit.try_forecast(3).is_ok());
    /// // 1e308 a period more: past f64::MAX (about 1.8e308) by day 9.
    /// assert!(matches!(fit.try_forecast(30), Err(ForecastError::Overflow { .. })));
    /// assert_eq!(fit.forecast(30).mean[29], f64::MAX);
    /// # Ok::<(), ForecastError>(())
    /// ```
    pub fn try_forecast(&self, horizon: usize) -> Result<Forecast> {
        self.try_forecast_from(1, horizon)
    }

    /// [`Self::forecast_from`], refusing a mean past `f64::MAX` or a
    /// range past step `usize::MAX` instead of clamping it.
    ///
    /// # Errors
    ///
    /// [`ForecastError::HorizonOutOfRange`] when `horizon` is above
    /// [`MAX_HORIZON`] or the last step, `first_step + horizon - 1`, is
    /// past `usize::MAX`; [`ForecastError::Overflow`] as
    /// [`Self::try_forecast`].
    ///
    /// ```
    /// use merchantry_forecast::{DemandModel, ForecastError, HoltWinters};
    /// let fit = HoltWinters::fitted(7)?.fit(&[3.0; 20])?;
    /// assert_eq!(fit.try_forecast_from(usize::MAX - 1, 2)?.mean.len(), 2);
    /// assert!(matches!(
    ///     fit.try_forecast_from(usize::MAX - 1, 3),
    ///     Err(ForecastError::HorizonOutOfRange { horizon: 3, .. })
    /// ));
    /// # Ok::<(), ForecastError>(())
    /// ```
    pub fn try_forecast_from(&self, first_step: usize, horizon: usize) -> Result<Forecast> {
        let (first, len) = steps(first_step, horizon);
        if len < horizon || horizon > MAX_HORIZON {
            return Err(ForecastError::HorizonOutOfRange { first_step, horizon });
        }
        if (0..len).any(|i| self.unclamped_mean(first + i) > f64::MAX) {
            return Err(ForecastError::Overflow { what: "forecast mean" });
        }
        Ok(self.forecast_from(first, horizon))
    }

    /// The forecast for `horizon` periods starting `first_step` periods
    /// after the last observation (0 is read as 1).
    ///
    /// Steps are counted in `usize`: a range running past step
    /// `usize::MAX` stops there, so the forecast then holds fewer than
    /// `horizon` periods (`usize::MAX - first_step + 1` of them). A
    /// forecast also holds at most [`MAX_HORIZON`] periods: a longer
    /// horizon is cut to its first `MAX_HORIZON` periods, so a huge
    /// horizon (up to `usize::MAX`) gives a bounded allocation, never an
    /// abort. [`Self::try_forecast_from`] refuses both instead.
    ///
    /// ```
    /// use merchantry_forecast::{DemandModel, MAX_HORIZON, Ses};
    /// let fit = Ses::fitted().fit(&[3.0; 20])?;
    /// assert_eq!(fit.forecast_from(1, usize::MAX).mean.len(), MAX_HORIZON);
    /// assert!(fit.try_forecast_from(1, usize::MAX).is_err());
    /// # Ok::<(), merchantry_forecast::ForecastError>(())
    /// ```
    #[must_use]
    pub fn forecast_from(&self, first_step: usize, horizon: usize) -> Forecast {
        let (first, len) = steps(first_step, horizon.min(MAX_HORIZON));
        let mean = if self.season.is_empty() && self.trend == 0.0 {
            // Flat: `level + 0 * h` is the same number for every step.
            vec![self.mean_at(first); len]
        } else {
            // `first + i` is at most `usize::MAX` for `i < len`.
            (0..len).map(|i| self.mean_at(first + i)).collect()
        };
        Forecast { mean, std_dev: vec![self.sigma; len] }
    }
}

/// The most periods one forecast holds: `2^20` (1,048,576 periods,
/// about 2,870 years of days; two `f64` vectors of 8 MiB each). Longer
/// horizons are cut to it by [`Fitted::forecast_from`] and refused by
/// [`Fitted::try_forecast_from`], so no horizon asks for more memory than
/// that.
pub const MAX_HORIZON: usize = 1 << 20;

/// The first step of a forecast (`first_step`, 0 read as 1) and how many
/// of `horizon` steps from it exist: up to and including `usize::MAX`.
const fn steps(first_step: usize, horizon: usize) -> (usize, usize) {
    let first = if first_step == 0 { 1 } else { first_step };
    // first >= 1, so this is at most usize::MAX and does not overflow.
    let room = usize::MAX - first + 1;
    (first, if horizon < room { horizon } else { room })
}

/// A forecast: a mean and a standard deviation per period.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Forecast {
    /// Mean demand per period, each `>= 0`.
    pub mean: Vec<f64>,
    /// Standard deviation per period, each `>= 0`.
    pub std_dev: Vec<f64>,
}

/// Root mean square of `sse` over `n` residuals (0 when `n` is 0).
///
/// # Errors
///
/// [`ForecastError::Overflow`] naming `kind` when `sse` is not finite:
/// the squared errors of finite values overflowed. [`fit_rescaled`] then
/// refits on smaller values.
pub(crate) fn rmse_of(sse: f64, n: usize, kind: ModelKind) -> Result<f64> {
    if n == 0 {
        return Ok(0.0);
    }
    #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
    let mean = sse / n as f64;
    if mean.is_finite() {
        Ok(mean.sqrt())
    } else {
        Err(ForecastError::Overflow { what: kind.name() })
    }
}

/// The power of two `2^e` with `e` the binary exponent of the largest
/// magnitude in `values` (1 when all are zero or one is not finite): at
/// most that magnitude and more than half of it, so dividing by it brings
/// every value into `(-2, 2)`, exactly unless a value far smaller than
/// the largest lands below the normal range. Read from the bits (a
/// `log2` rounds up to 1024 next to `f64::MAX`, and `2^1024` is infinite);
/// subnormal magnitudes give a subnormal power of two.
pub(crate) fn power_of_two_scale<'a>(values: impl IntoIterator<Item = &'a f64>) -> f64 {
    let max = values.into_iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    if max == 0.0 || !max.is_finite() {
        return 1.0;
    }
    let bits = max.to_bits();
    let biased = bits >> 52;
    if biased == 0 {
        // Subnormal: the highest set bit of the fraction, as is.
        let top = 63 - bits.leading_zeros();
        f64::from_bits(1_u64 << top)
    } else {
        // Normal: the exponent field alone, fraction cleared.
        f64::from_bits(biased << 52)
    }
}

/// Fits `y` with `fit`; when the squared errors overflow although every
/// value is finite ([`ForecastError::Overflow`]), fits `y / s` instead,
/// `s` the power of two of [`power_of_two_scale`], and scales the fit back
/// by `s`. Every model here is equivariant under such a scaling (level,
/// trend, additive seasonal terms and spread scale with the data;
/// multiplicative indices, constants and intervals do not), so this is
/// the fit of `y` computed without overflow.
///
/// # Errors
///
/// Those of `fit`; [`ForecastError::Overflow`] when the spread itself
/// exceeds `f64::MAX`.
pub(crate) fn fit_rescaled(y: &[f64], fit: impl Fn(&[f64]) -> Result<Fitted>) -> Result<Fitted> {
    let what = match fit(y) {
        Ok(fitted) if fitted.is_finite() => return Ok(rescaled_up(y, fitted, fit)),
        // The squares stayed finite but the level or trend overflowed.
        Ok(fitted) => fitted.kind.name(),
        Err(ForecastError::Overflow { what }) => what,
        Err(e) => return Err(e),
    };
    let s = power_of_two_scale(y);
    if s <= 1.0 {
        return Err(ForecastError::Overflow { what });
    }
    let scaled: Vec<f64> = y.iter().map(|v| v / s).collect();
    let fitted = fit(&scaled)?;
    if !fitted.is_finite() {
        return Err(ForecastError::Overflow { what });
    }
    fitted.scaled_by(s).ok_or(ForecastError::Overflow { what })
}

/// Below this spread a fit is checked for tiny data (2^-200).
const TINY_SIGMA: f64 = 6.223_015_277_861_142e-61;
/// Data whose largest magnitude is below this (2^-256) are refitted
/// scaled up: squared errors below 2^-1022 lose bits or vanish.
const TINY_DATA: f64 = 8.636_168_555_094_445e-78;

/// `fitted` unless its spread is tiny and so is every value of `y`
/// (below 2^-256, where squared errors underflow to subnormals or 0 and
/// the spread came out 0 although the residuals are not): then the fit
/// of `y` scaled up by a power of two, scaled back down.
fn rescaled_up(y: &[f64], fitted: Fitted, fit: impl Fn(&[f64]) -> Result<Fitted>) -> Fitted {
    if fitted.sigma >= TINY_SIGMA {
        return fitted;
    }
    let s = power_of_two_scale(y);
    if s >= TINY_DATA {
        return fitted;
    }
    let scaled: Vec<f64> = y.iter().map(|v| v / s).collect();
    match fit(&scaled) {
        Ok(up) if up.is_finite() => up.scaled_by(s).unwrap_or(fitted),
        _ => fitted,
    }
}

/// Arithmetic mean (0 for an empty slice). When the sum of finite
/// values overflows, the values are divided by a power of two
/// ([`power_of_two_scale`]) first, so the mean of finite values is finite.
pub(crate) fn mean(y: &[f64]) -> f64 {
    mean_of(y.iter()).0
}

/// [`mean`] of the values `y` yields, with their count: the values are
/// read once, and once more only when their plain sum overflows.
pub(crate) fn mean_of<'a, I>(y: I) -> (f64, usize)
where
    I: Iterator<Item = &'a f64> + Clone,
{
    let (sum, count) = y.clone().fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if count == 0 {
        return (0.0, 0);
    }
    #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
    let n = count as f64;
    let plain = sum / n;
    if plain.is_finite() {
        return (plain, count);
    }
    let s = power_of_two_scale(y.clone());
    if s <= 1.0 {
        return (plain, count);
    }
    (y.map(|v| v / s).sum::<f64>() / n * s, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn power_of_two_scale_is_the_binary_exponent_at_both_ends() {
        // MAX = (2 - 2^-52) 2^1023: scale 2^1023 (a log2 gave 2^1024 = inf).
        assert_eq!(power_of_two_scale(&[f64::MAX, -1.0]), 2_f64.powi(1023));
        assert_eq!(power_of_two_scale(&[3.0, -5.0]), 4.0);
        assert_eq!(power_of_two_scale(&[0.75]), 0.5);
        // Smallest normal 2^-1022, and subnormals 3 * 2^-1074 -> 2^-1073.
        assert_eq!(power_of_two_scale(&[f64::MIN_POSITIVE]), f64::MIN_POSITIVE);
        let tiny = 3.0 * f64::from_bits(1);
        assert_eq!(power_of_two_scale(&[tiny]), f64::from_bits(2));
        assert_eq!(tiny / power_of_two_scale(&[tiny]), 1.5);
        assert_eq!(power_of_two_scale(&[0.0, -0.0]), 1.0);
        assert_eq!(power_of_two_scale(&[f64::INFINITY]), 1.0);
    }

    #[test]
    fn a_mean_whose_partial_sum_overflows_is_still_exact() {
        // level -1.7e308, trend 1e306: on day 200 the trend term 2e308
        // overflows, yet the mean -1.7e308 + 2e308 = 3e307 is finite. It
        // was read as 0. Additive season term 1e307 on top: 4e307.
        let fit = Fitted::flat(ModelKind::Holt, -1.7e308, 1.0, 10).with_trend(1e306);
        assert!((fit.mean_at(200) / 3e307 - 1.0).abs() < 1e-12, "{}", fit.mean_at(200));
        let seasonal = fit.clone().with_season(vec![1e307, 0.0], SeasonalMode::Additive, 0);
        assert!((seasonal.mean_at(199) / 3.9e307 - 1.0).abs() < 1e-12);
        // Past f64::MAX: clamped to it, refused by try_forecast.
        assert_eq!(fit.mean_at(400), f64::MAX);
        assert!(fit.try_forecast_from(399, 2).is_err() && fit.try_forecast(200).is_ok());
    }

    #[test]
    fn flat_forecast_is_the_step_by_step_mean_bit_for_bit() {
        // The flat shortcut (no season, zero trend) must give exactly what
        // `mean_at` gives step by step, signed zeros included.
        for (level, trend) in [(3.5, 0.0), (-0.0, 0.0), (0.0, -0.0), (-2.0, 0.0), (2.0, 0.5)] {
            let fit = Fitted::flat(ModelKind::Ses, level, 1.25, 10).with_trend(trend);
            let f = fit.forecast_from(3, 5);
            let want: Vec<u64> = (3..8).map(|h| fit.mean_at(h).to_bits()).collect();
            let got: Vec<u64> = f.mean.iter().map(|v| v.to_bits()).collect();
            assert_eq!(got, want, "level {level} trend {trend}");
            assert_eq!(f.std_dev, vec![1.25; 5]);
        }
        assert!(Fitted::flat(ModelKind::Ses, 1.0, 0.0, 1).forecast(0).mean.is_empty());
    }

    #[test]
    fn steps_near_usize_max_pick_the_season_of_the_step_mod_m() {
        // Additive terms 10, 20, ..., 70 over a week, phase 3: step h uses
        // term (3 + h - 1) mod 7. usize::MAX = 2^64 - 1 and 2^64 = 2 (mod 7)
        // (2^3 = 1, 2^64 = 2^(3*21) 2 = 2), so MAX = 1 and MAX - 1 = 0
        // (mod 7): step MAX - 1 is step 7's season (3 + 6 = 9 = 2 mod 7:
        // term 30), step MAX is step 1's (term index 3: 40). The unreduced
        // sum `phase + h - 1` overflowed here.
        let week: Vec<f64> = (1..=7).map(|i| f64::from(i) * 10.0).collect();
        let fit = Fitted::flat(ModelKind::HoltWinters, 100.0, 1.0, 21).with_season(
            week,
            SeasonalMode::Additive,
            3,
        );
        assert_eq!(fit.mean_at(7), 130.0);
        assert_eq!(fit.mean_at(usize::MAX - 1), 130.0);
        assert_eq!(fit.mean_at(usize::MAX), 140.0);
        // A phase past the season (no fit gives one, and loading refuses
        // it) is reduced too.
        let odd = fit.clone().with_season(vec![1.0, 2.0], SeasonalMode::Additive, usize::MAX);
        // Phase MAX = 1 (mod 2): step 1 uses term 1, step MAX (odd) too.
        assert_eq!(odd.mean_at(1), 102.0);
        assert_eq!(odd.mean_at(usize::MAX), 102.0);
        assert_eq!(odd.mean_at(usize::MAX - 1), 101.0);
    }

    #[test]
    fn ranges_past_the_last_step_are_clamped_or_refused() {
        let week: Vec<f64> = (1..=7).map(f64::from).collect();
        let fit = Fitted::flat(ModelKind::HoltWinters, 100.0, 1.0, 21).with_season(
            week,
            SeasonalMode::Additive,
            0,
        );
        // Steps MAX - 1 and MAX exist; a third does not: two periods.
        let f = fit.forecast_from(usize::MAX - 1, 3);
        assert_eq!(f.mean, vec![fit.mean_at(usize::MAX - 1), fit.mean_at(usize::MAX)]);
        assert_eq!(f.std_dev, vec![1.0; 2]);
        assert_eq!(fit.forecast_from(usize::MAX, 5).mean.len(), 1);
        assert!(fit.forecast_from(usize::MAX, 0).mean.is_empty());
        assert_eq!(
            fit.try_forecast_from(usize::MAX - 1, 2),
            Ok(fit.forecast_from(usize::MAX - 1, 2))
        );
        assert_eq!(
            fit.try_forecast_from(usize::MAX - 1, 3),
            Err(ForecastError::HorizonOutOfRange { first_step: usize::MAX - 1, horizon: 3 })
        );
        assert!(fit.try_forecast_from(usize::MAX, 0).is_ok_and(|f| f.mean.is_empty()));
        // The flat shortcut clamps the same way.
        let flat = Fitted::flat(ModelKind::Ses, 4.0, 1.0, 10);
        assert_eq!(flat.forecast_from(usize::MAX, 3).mean, vec![4.0]);
        assert!(flat.try_forecast_from(usize::MAX, 2).is_err());
    }

    #[test]
    fn a_horizon_past_the_maximum_is_cut_or_refused_not_allocated() {
        // forecast_from(1, usize::MAX) tried to allocate 2 x 8 x 2^64
        // bytes and aborted the process. Now: cut to MAX_HORIZON
        // (2^20 = 1,048,576 periods), or refused by the try_ forms.
        for fit in [
            Fitted::flat(ModelKind::Ses, 4.0, 1.0, 10),
            Fitted::flat(ModelKind::Holt, 4.0, 1.0, 10).with_trend(0.5),
        ] {
            let f = fit.forecast_from(1, usize::MAX);
            assert_eq!((f.mean.len(), f.std_dev.len()), (MAX_HORIZON, MAX_HORIZON));
            // Step 2^20 of level 4 (trend 0 or 0.5): 4 + trend * 2^20.
            let last = 4.0 + fit.trend * 1_048_576.0;
            assert_eq!(f.mean.last(), Some(&last));
            assert_eq!(fit.forecast(MAX_HORIZON + 1).mean.len(), MAX_HORIZON);
            for horizon in [MAX_HORIZON + 1, usize::MAX / 2, usize::MAX] {
                assert_eq!(
                    fit.try_forecast_from(1, horizon),
                    Err(ForecastError::HorizonOutOfRange { first_step: 1, horizon })
                );
                assert!(fit.try_forecast(horizon).is_err());
            }
            assert_eq!(fit.try_forecast(MAX_HORIZON).map(|f| f.mean.len()), Ok(MAX_HORIZON));
        }
    }
}
