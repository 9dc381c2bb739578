//! Forecast accuracy: MAE, RMSE, MAPE, sMAPE, MASE, bias, and a
//! rolling-origin backtest of any model on any series.
//!
//! Conventions (Hyndman and Koehler 2006; FPP section 5.8): errors are
//! `e_t = actual_t - forecast_t`; MAPE and sMAPE are in percent; sMAPE is
//! `100 * mean(2 |e| / (|A| + |F|))`, in `[0, 200]`, with a term whose
//! actual and forecast are both zero counted as 0; MASE divides the MAE by
//! the mean absolute one-step change of the training series (the in-sample
//! naive forecast's MAE); bias is `mean(forecast - actual)`, positive when
//! the forecast runs high (FPP's mean error is `actual - forecast`, the
//! opposite sign).
//!
//! The MASE scale is always the non-seasonal one-step naive MAE. FPP
//! scales seasonal data by the seasonal naive forecast's MAE instead
//! (`mean |y_t - y_{t-m}|`); that variant is not offered, so a MASE
//! here on a strongly weekly series is larger than FPP's seasonal one.
//! sMAPE takes `|A| + |F|` in the denominator (the M3/M4 form), which
//! is FPP's `A + F` for the non-negative demand this crate forecasts.
//!
//! Every measure is finite or a typed error, never NaN or infinite: a
//! value within `f64` range is computed on rescaled input when the plain
//! formula would overflow (or, for MAE, RMSE and bias, when it is so
//! small that squared errors underflow), and [`ForecastError::Overflow`]
//! reports a true value past `f64::MAX`.

use crate::error::{ForecastError, Result};
use crate::model::{DemandModel, power_of_two_scale};

fn check_pair(actual: &[f64], forecast: &[f64]) -> Result<()> {
    if actual.is_empty() {
        return Err(ForecastError::Empty { what: "actual" });
    }
    if forecast.len() != actual.len() {
        return Err(ForecastError::LengthMismatch {
            what: "forecast",
            got: forecast.len(),
            expected: actual.len(),
        });
    }
    for (index, &value) in actual.iter().chain(forecast).enumerate() {
        if !value.is_finite() {
            return Err(ForecastError::NonFinite { index: index % actual.len(), value });
        }
    }
    Ok(())
}

fn mean_of(actual: &[f64], forecast: &[f64], f: impl Fn(f64, f64) -> f64) -> f64 {
    let sum: f64 = actual.iter().zip(forecast).map(|(&a, &p)| f(a, p)).sum();
    #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
    let n = actual.len() as f64;
    sum / n
}

/// The mean of finite `terms`, summed over a power of two and scaled back
/// when the plain sum overflows (so a mean within range comes out).
fn mean_rescaled(terms: &[f64]) -> f64 {
    #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
    let n = terms.len() as f64;
    let sum: f64 = terms.iter().sum();
    if sum.is_finite() {
        return sum / n;
    }
    let s = power_of_two_scale(terms);
    terms.iter().map(|t| t / s).sum::<f64>() / n * s
}

/// Below this (about `2^-399`) a measure of the errors is recomputed on
/// errors scaled up: squares of errors under `2^-511` lose precision or
/// vanish, and a mean square of at least `1e-240` makes what is lost
/// there negligible.
const RESCALE_BELOW: f64 = 1e-120;

/// A measure of the errors `a - p` alone, of degree one in them
/// (`g(c a, c p) = c g(a, p)` for `c > 0`): computed plainly; when that
/// overflows (a difference or a sum past `f64::MAX`), again on the values
/// divided by a power of two and scaled back; when it is tiny (squares
/// that underflow), again on the errors scaled up to `(-2, 2)` against
/// zero forecasts. Still not finite means the true value is not finite.
fn scaled_measure(
    what: &'static str,
    actual: &[f64],
    forecast: &[f64],
    g: impl Fn(&[f64], &[f64]) -> f64,
) -> Result<f64> {
    check_pair(actual, forecast)?;
    let plain = g(actual, forecast);
    if plain.is_finite() {
        if plain.abs() >= RESCALE_BELOW {
            return Ok(plain);
        }
        // Every error is finite here (their sum is).
        let errors: Vec<f64> = actual.iter().zip(forecast).map(|(a, p)| a - p).collect();
        let s = power_of_two_scale(&errors);
        let scaled: Vec<f64> = errors.iter().map(|e| e / s).collect();
        return Ok(g(&scaled, &vec![0.0; scaled.len()]) * s);
    }
    let s = power_of_two_scale(actual.iter().chain(forecast));
    let a: Vec<f64> = actual.iter().map(|v| v / s).collect();
    let p: Vec<f64> = forecast.iter().map(|v| v / s).collect();
    let value = g(&a, &p) * s;
    if value.is_finite() { Ok(value) } else { Err(ForecastError::Overflow { what }) }
}

/// Mean absolute error.
///
/// ```
/// // |1 - 2| + |3 - 3| + |5 - 2| = 4, over 3.
/// let v = merchantry_forecast::mae(&[1.0, 3.0, 5.0], &[2.0, 3.0, 2.0])?;
/// assert!((v - 4.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
///
/// # Errors
///
/// [`ForecastError::Empty`], [`ForecastError::LengthMismatch`] or
/// [`ForecastError::NonFinite`] for unusable input;
/// [`ForecastError::Overflow`] when the true value exceeds `f64::MAX`
/// (errors near `f64::MAX` in size). A value within range is computed on
/// rescaled input when the plain sum would overflow.
pub fn mae(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    scaled_measure("mae", actual, forecast, |a, f| mean_of(a, f, |a, p| (a - p).abs()))
}

/// Root mean squared error.
///
/// ```
/// // One error of 1e200: its square overflows, the RMSE does not.
/// assert_eq!(merchantry_forecast::rmse(&[1e200], &[0.0])?, 1e200);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
///
/// # Errors
///
/// As [`mae`].
pub fn rmse(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    scaled_measure("rmse", actual, forecast, |a, f| mean_of(a, f, |a, p| (a - p) * (a - p)).sqrt())
}

/// Mean absolute percentage error, in percent.
///
/// # Errors
///
/// [`ForecastError::ZeroActual`] when an actual is zero (MAPE is then
/// undefined), [`ForecastError::Overflow`] when the true value exceeds
/// `f64::MAX`, otherwise as [`mae`].
pub fn mape(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check_pair(actual, forecast)?;
    if let Some(index) = actual.iter().position(|a| *a == 0.0) {
        return Err(ForecastError::ZeroActual { index });
    }
    let ratios: Vec<f64> = actual
        .iter()
        .zip(forecast)
        .map(|(&a, &p)| {
            let ratio = ((a - p) / a).abs();
            // `a - p` past f64::MAX: halving both is exact, keeps the ratio.
            if ratio.is_finite() { ratio } else { ((a * 0.5 - p * 0.5) / (a * 0.5)).abs() }
        })
        .collect();
    if ratios.iter().any(|r| !r.is_finite()) {
        return Err(ForecastError::Overflow { what: "mape" });
    }
    let value = 100.0 * mean_rescaled(&ratios);
    if value.is_finite() { Ok(value) } else { Err(ForecastError::Overflow { what: "mape" }) }
}

/// Symmetric mean absolute percentage error, in percent (`[0, 200]`).
///
/// Each term is `200 * (|A - F| / (|A| + |F|))`, the ratio taken first so
/// rounding cannot push it past 200; when `|A| + |F|` overflows, both are
/// halved first (exact, and the ratio is unchanged). The result stays in
/// `[0, 200]` for every finite input.
///
/// # Errors
///
/// [`ForecastError::Empty`], [`ForecastError::LengthMismatch`] or
/// [`ForecastError::NonFinite`] for unusable input.
pub fn smape(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    check_pair(actual, forecast)?;
    Ok(mean_of(actual, forecast, |a, p| {
        // |A - F| <= |A| + |F| survives rounding, so the ratio is at most
        // 1 and the term at most 200. Past f64::MAX, halve both first.
        let (a, p) = if (a.abs() + p.abs()).is_finite() { (a, p) } else { (a * 0.5, p * 0.5) };
        let d = a.abs() + p.abs();
        if d == 0.0 { 0.0 } else { 200.0 * ((a - p).abs() / d) }
    }))
}

/// Mean forecast minus actual.
///
/// # Errors
///
/// As [`mae`].
pub fn bias(actual: &[f64], forecast: &[f64]) -> Result<f64> {
    scaled_measure("bias", actual, forecast, |a, f| mean_of(a, f, |a, p| p - a))
}

/// The MASE scale: the in-sample naive one-step MAE of `training`,
/// `mean |y_t - y_{t-1}|`.
///
/// # Errors
///
/// [`ForecastError::TooShort`] with fewer than two values,
/// [`ForecastError::NonFinite`] for NaN or infinity,
/// [`ForecastError::ZeroScale`] when the series never changes,
/// [`ForecastError::Overflow`] when the mean change exceeds `f64::MAX`,
/// or when the series changes but its mean change is below the smallest
/// float (a MASE by it would overflow).
pub fn naive_scale(training: &[f64]) -> Result<f64> {
    // A NaN or infinity is an error however short the series (a missing
    // scale would read as undefined); checked once, before the length.
    if !training.is_empty() {
        crate::error::check_series(training)?;
    }
    if training.len() < 2 {
        return Err(ForecastError::TooShort {
            model: "mase scale",
            needed: 2,
            got: training.len(),
        });
    }
    let mean_change = |y: &[f64]| {
        let sum: f64 = y.windows(2).map(|w| (w[1] - w[0]).abs()).sum();
        #[expect(clippy::cast_precision_loss, reason = "series lengths are far below 2^52")]
        let steps = (y.len() - 1) as f64;
        sum / steps
    };
    let mut scale = mean_change(training);
    if !scale.is_finite() {
        let s = power_of_two_scale(training);
        let scaled: Vec<f64> = training.iter().map(|v| v / s).collect();
        scale = mean_change(&scaled) * s;
        if !scale.is_finite() {
            return Err(ForecastError::Overflow { what: "mase scale" });
        }
    }
    if scale > 0.0 {
        Ok(scale)
    } else if training.windows(2).any(|w| w[1] != w[0]) {
        // The series changes, but its mean change is below the smallest
        // float: the scale exists, and a MASE by it would overflow.
        Err(ForecastError::Overflow { what: "mase scale" })
    } else {
        Err(ForecastError::ZeroScale { len: training.len() })
    }
}

/// Mean absolute scaled error against the naive scale of `training`.
///
/// ```
/// use merchantry_forecast::mase;
/// // Training changes by 2 each step: scale 2. MAE of the test is 1.
/// let v = mase(&[7.0, 9.0], &[8.0, 8.0], &[1.0, 3.0, 5.0])?;
/// assert_eq!(v, 0.5);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
///
/// # Errors
///
/// As [`mae`] and [`naive_scale`]; [`ForecastError::Overflow`] when the
/// ratio exceeds `f64::MAX` (a tiny scale).
pub fn mase(actual: &[f64], forecast: &[f64], training: &[f64]) -> Result<f64> {
    let overflow = |r: &Result<f64>| matches!(r, Err(ForecastError::Overflow { .. }));
    let scale = naive_scale(training);
    if scale.is_err() && !overflow(&scale) {
        return scale;
    }
    let error = mae(actual, forecast);
    if error.is_err() && !overflow(&error) {
        return error;
    }
    let value = match (error, scale) {
        (Ok(error), Ok(scale)) => error / scale,
        _ => {
            // The MAE or the scale past f64::MAX, the ratio maybe not:
            // divide everything by one power of two (the ratio is
            // unchanged). A scale that vanishes there was tiny against the
            // errors: the ratio exceeds f64::MAX.
            let s = power_of_two_scale(actual.iter().chain(forecast).chain(training));
            let down = |v: &[f64]| v.iter().map(|x| x / s).collect::<Vec<f64>>();
            let scale = match naive_scale(&down(training)) {
                Err(ForecastError::ZeroScale { .. }) => 0.0,
                other => other?,
            };
            mae(&down(actual), &down(forecast))? / scale
        }
    };
    if value.is_finite() { Ok(value) } else { Err(ForecastError::Overflow { what: "mase" }) }
}

/// MAPE, `None` where it is undefined (a zero actual); every other
/// error, overflow included, stays an error.
fn mape_if_defined(actual: &[f64], forecast: &[f64]) -> Result<Option<f64>> {
    match mape(actual, forecast) {
        Ok(v) => Ok(Some(v)),
        Err(ForecastError::ZeroActual { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// MASE, `None` where it is undefined (a training series with fewer than
/// two values or that never changes); every other error, overflow and a
/// non-finite training value included, stays an error.
fn mase_if_defined(actual: &[f64], forecast: &[f64], training: &[f64]) -> Result<Option<f64>> {
    match mase(actual, forecast, training) {
        Ok(v) => Ok(Some(v)),
        Err(ForecastError::ZeroScale { .. } | ForecastError::TooShort { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every measure at once; the two that may be undefined are `None` then,
/// and only then: a measure that is defined but past `f64::MAX` is
/// [`ForecastError::Overflow`], as from the function that computes it.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Accuracy {
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// MAPE in percent, `None` when an actual is zero (undefined).
    pub mape: Option<f64>,
    /// sMAPE in percent.
    pub smape: f64,
    /// MASE, `None` when the training series has fewer than two values or
    /// never changes (its scale is zero: undefined); a NaN or infinite
    /// training value is an error, however short the series.
    pub mase: Option<f64>,
    /// Mean forecast minus actual.
    pub bias: f64,
}

impl Accuracy {
    /// Scores `forecast` against `actual`, scaling MASE by `training`.
    ///
    /// # Errors
    ///
    /// As [`mae`]; [`ForecastError::Overflow`] naming `mape` or `mase`
    /// when that measure is defined but exceeds `f64::MAX` (a tiny actual
    /// or a tiny scale against a large error); [`ForecastError::NonFinite`]
    /// for a NaN or infinite training value. Only an undefined MAPE or
    /// MASE is `None`, so an overflow is never mistaken for a zero actual
    /// or a flat training series.
    pub fn score(actual: &[f64], forecast: &[f64], training: &[f64]) -> Result<Self> {
        Ok(Self {
            mae: mae(actual, forecast)?,
            rmse: rmse(actual, forecast)?,
            mape: mape_if_defined(actual, forecast)?,
            smape: smape(actual, forecast)?,
            mase: mase_if_defined(actual, forecast, training)?,
            bias: bias(actual, forecast)?,
        })
    }
}

/// A rolling-origin backtest (Tashman 2000): the model is fitted on the
/// first `initial` periods, forecasts `horizon` periods, and the origin
/// moves on by `step` while a full horizon remains. Defaults: `initial`
/// 56, `horizon` 14, `step` 7.
///
/// ```
/// use merchantry_forecast::{Backtest, Ses};
/// let y: Vec<f64> = (0..100).map(|t| 10.0 + f64::from(t % 3)).collect();
/// let report = Backtest::default().run(&Ses::fitted(), &y)?;
/// assert_eq!(report.origins, 5); // origins 56, 63, 70, 77, 84
/// assert!(report.mae < 1.5);
/// # Ok::<(), merchantry_forecast::ForecastError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Backtest {
    /// Periods in the first training window.
    pub initial: usize,
    /// Periods forecast from each origin.
    pub horizon: usize,
    /// Periods between origins.
    pub step: usize,
}

impl Default for Backtest {
    fn default() -> Self {
        Self { initial: 56, horizon: 14, step: 7 }
    }
}

/// The pooled scores of a backtest: MAE, RMSE, sMAPE and bias over every
/// forecast period of every origin; MAPE over them when no actual is zero;
/// MASE as the mean of the per-origin MASE where the scale is defined
/// (not zero). As in [`Accuracy`], `None` means undefined, never overflow.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BacktestReport {
    /// Forecast origins scored.
    pub origins: usize,
    /// Mean absolute error.
    pub mae: f64,
    /// Root mean squared error.
    pub rmse: f64,
    /// MAPE in percent, if defined on every period.
    pub mape: Option<f64>,
    /// sMAPE in percent.
    pub smape: f64,
    /// Mean per-origin MASE, if any origin has a non-zero scale.
    pub mase: Option<f64>,
    /// Mean forecast minus actual.
    pub bias: f64,
}

impl Backtest {
    /// Runs the backtest of `model` on `y`.
    ///
    /// # Errors
    ///
    /// [`ForecastError::InvalidParameter`] when `initial`, `horizon` or
    /// `step` is 0; [`ForecastError::HorizonOutOfRange`] when `horizon`
    /// is above [`MAX_HORIZON`](crate::MAX_HORIZON), the longest forecast
    /// (checked before the series length); [`ForecastError::TooShort`] when `y` has fewer than
    /// `initial + horizon` periods (`needed` is `usize::MAX` when that sum
    /// does not fit a `usize`); any error of the model's fit;
    /// [`ForecastError::Overflow`] when a measure, the pooled MAPE or an
    /// origin's MASE included, is defined but exceeds `f64::MAX`.
    pub fn run(&self, model: &impl DemandModel, y: &[f64]) -> Result<BacktestReport> {
        for (name, v) in [("initial", self.initial), ("horizon", self.horizon), ("step", self.step)]
        {
            if v == 0 {
                return Err(ForecastError::InvalidParameter {
                    name,
                    value: 0.0,
                    allowed: "1 or more",
                });
            }
        }
        if self.horizon > crate::MAX_HORIZON {
            return Err(ForecastError::HorizonOutOfRange { first_step: 1, horizon: self.horizon });
        }
        // Saturating: a sum past usize::MAX is longer than any slice.
        let needed = self.initial.saturating_add(self.horizon);
        if y.len() < needed {
            return Err(ForecastError::TooShort { model: "backtest", needed, got: y.len() });
        }
        let (mut actual, mut predicted, mut mases) = (Vec::new(), Vec::new(), Vec::new());
        let mut origins = 0usize;
        let mut origin = self.initial;
        while origin.checked_add(self.horizon).is_some_and(|end| end <= y.len()) {
            let (train, rest) = y.split_at(origin);
            let test = &rest[..self.horizon];
            let f = model.fit(train)?.forecast(self.horizon);
            if let Some(m) = mase_if_defined(test, &f.mean, train)? {
                mases.push(m);
            }
            actual.extend_from_slice(test);
            predicted.extend(f.mean);
            origins += 1;
            // A step past usize::MAX is past the end of any series.
            let Some(next) = origin.checked_add(self.step) else { break };
            origin = next;
        }
        // Each origin's MASE is finite, but two near f64::MAX sum past
        // it: their mean is taken rescaled (it read infinite).
        let mase = (!mases.is_empty()).then(|| mean_rescaled(&mases));
        Ok(BacktestReport {
            origins,
            mae: mae(&actual, &predicted)?,
            rmse: rmse(&actual, &predicted)?,
            mape: mape_if_defined(&actual, &predicted)?,
            smape: smape(&actual, &predicted)?,
            mase,
            bias: bias(&actual, &predicted)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtest_sizes_near_usize_max_are_refused_or_stop_without_overflow() {
        let y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        // initial + horizon overflowed: now too short, needing usize::MAX.
        let huge = Backtest { initial: usize::MAX, horizon: 2, step: 1 };
        assert_eq!(
            huge.run(&crate::Ses::fitted(), &y),
            Err(ForecastError::TooShort { model: "backtest", needed: usize::MAX, got: 6 })
        );
        // A horizon past MAX_HORIZON is refused by name, whatever y.
        let long = Backtest { initial: 2, horizon: usize::MAX, step: 1 };
        assert_eq!(
            long.run(&crate::Ses::fitted(), &y),
            Err(ForecastError::HorizonOutOfRange { first_step: 1, horizon: usize::MAX })
        );
        // One origin (train 4, test 2), then origin + step overflowed.
        let leap = Backtest { initial: 4, horizon: 2, step: usize::MAX };
        assert_eq!(leap.run(&crate::Ses::fitted(), &y).map(|r| r.origins), Ok(1));
    }

    #[test]
    fn measures_by_hand() {
        // actual [2, 4], forecast [3, 1]: errors -1 and 3.
        let (a, f) = ([2.0, 4.0], [3.0, 1.0]);
        assert_eq!(mae(&a, &f).unwrap(), 2.0); // (1 + 3) / 2
        assert_eq!(rmse(&a, &f).unwrap(), 5_f64.sqrt()); // sqrt((1 + 9) / 2)
        assert_eq!(mape(&a, &f).unwrap(), 62.5); // (50 % + 75 %) / 2
        // sMAPE: 200 * 1 / 5 = 40, 200 * 3 / 5 = 120; mean 80.
        assert!((smape(&a, &f).unwrap() - 80.0).abs() < 1e-12);
        assert_eq!(bias(&a, &f).unwrap(), -1.0); // ((3 - 2) + (1 - 4)) / 2
    }

    #[test]
    fn huge_finite_input_gives_finite_measures_or_a_typed_error() {
        let (m, n) = ([f64::MAX, f64::MAX], [-f64::MAX, -f64::MAX]);
        // Errors of 2 * MAX: MAE, RMSE and bias are truly past f64::MAX.
        assert_eq!(mae(&m, &n), Err(ForecastError::Overflow { what: "mae" }));
        assert_eq!(rmse(&m, &n), Err(ForecastError::Overflow { what: "rmse" }));
        assert_eq!(bias(&m, &n), Err(ForecastError::Overflow { what: "bias" }));
        // sMAPE: 200 * 2 MAX / (MAX + MAX) = 200 per term, mean 200.
        assert_eq!(smape(&m, &n).unwrap(), 200.0);
        // A against 0 is 200 * (A / A) = 200 exactly; 200 * A / A rounded
        // to 200.00000000000003 for this A, outside the documented range.
        assert_eq!(smape(&[124.802_272_941_825_1], &[0.0]).unwrap(), 200.0);
        // 1e307 against -1e307: 200 * |2e307| overflows, the term is 200.
        assert_eq!(smape(&[1e307, 5.0], &[-1e307, 5.0]).unwrap(), 100.0);
        // MAPE: |MAX - (-MAX)| / MAX = 2, 200 %.
        assert_eq!(mape(&m, &n).unwrap(), 200.0);
        // One error of 1e200: sqrt(1e400 / 1) = 1e200, finite.
        let r = rmse(&[1e200], &[0.0]).unwrap();
        assert!((r / 1e200 - 1.0).abs() < 1e-15, "{r}");
        // Errors 1e308 and 1e308: their sum overflows, the mean does not.
        let a = mae(&[1e308, -1e308], &[0.0, 0.0]).unwrap();
        assert!((a / 1e308 - 1.0).abs() < 1e-15, "{a}");
        assert!((bias(&[1e308, 1e308], &[0.0, 0.0]).unwrap() / -1e308 - 1.0).abs() < 1e-15);
        // Naive scale: changes of 2 MAX cannot be reported.
        assert_eq!(
            naive_scale(&[f64::MAX, -f64::MAX, f64::MAX]),
            Err(ForecastError::Overflow { what: "mase scale" })
        );
        // Changes of 1.5e308 each (sum 3e308 overflows): scale 1.5e308.
        let s = naive_scale(&[-0.75e308, 0.75e308, -0.75e308]).unwrap();
        assert!((s / 1.5e308 - 1.0).abs() < 1e-15, "{s}");
    }

    #[test]
    fn score_is_none_only_where_a_measure_is_undefined() {
        // actual [2, 4], forecast [3, 1]: MAPE (50 + 75) / 2 = 62.5; the
        // training series 1, 3, 5 steps by 2, MAE 2: MASE 1.
        let train = [1.0, 3.0, 5.0];
        let s = Accuracy::score(&[2.0, 4.0], &[3.0, 1.0], &train).unwrap();
        assert_eq!((s.mape, s.mase), (Some(62.5), Some(1.0)));
        // Undefined: a zero actual (MAPE), a flat or one-value training
        // series (MASE). Those are None, the rest still scored:
        // MAE (3 + 3) / 2 = 3.
        let s = Accuracy::score(&[0.0, 4.0], &[3.0, 1.0], &[5.0, 5.0]).unwrap();
        assert_eq!((s.mape, s.mase, s.mae), (None, None, 3.0));
        assert_eq!(Accuracy::score(&[2.0], &[3.0], &[5.0]).unwrap().mase, None);
        // A one-value training series of NaN or infinity is an error, not
        // an undefined MASE (the length check ran first).
        for bad in [f64::NAN, f64::INFINITY] {
            let r = Accuracy::score(&[2.0], &[3.0], &[bad]);
            assert!(matches!(r, Err(ForecastError::NonFinite { index: 0, .. })), "{r:?}");
        }
        // 0, 5e-324, 5e-324 changes, but its mean change (5e-324 / 2)
        // underflows to 0: the scale exists, so the MASE overflows; it
        // read as a flat series.
        let r = Accuracy::score(&[2.0], &[3.0], &[0.0, 5e-324, 5e-324]);
        assert!(matches!(r, Err(ForecastError::Overflow { .. })), "{r:?}");
        assert_eq!(
            naive_scale(&[0.0, 5e-324, 5e-324]),
            Err(ForecastError::Overflow { what: "mase scale" })
        );
        // Defined but past f64::MAX: |1e-300 - 1e10| / 1e-300 = 1e310
        // (MAPE), and an MAE of 1e10 over a scale of 1e-300 (MASE). Both
        // read as None, as if undefined; now the typed overflow.
        assert_eq!(
            Accuracy::score(&[1e-300, 1.0], &[1e10, 1.0], &train),
            Err(ForecastError::Overflow { what: "mape" })
        );
        assert_eq!(
            Accuracy::score(&[2.0], &[1e10], &[0.0, 1e-300]),
            Err(ForecastError::Overflow { what: "mase" })
        );
        // A NaN in the training series is bad input, not "undefined".
        assert!(matches!(
            Accuracy::score(&[2.0], &[3.0], &[1.0, f64::NAN]),
            Err(ForecastError::NonFinite { index: 1, .. })
        ));
        // The backtest pools MAPE the same way: the last-value forecast
        // 1e10 against an actual of 1e-300 overflows. Its only origin has
        // a flat training part (scale 0): MASE undefined, None.
        let bt = Backtest { initial: 3, horizon: 1, step: 1 };
        let one = crate::MovingAverage::new(1).unwrap();
        assert_eq!(
            bt.run(&one, &[1e10, 1e10, 1e10, 1e-300]),
            Err(ForecastError::Overflow { what: "mape" })
        );
        let r = bt.run(&one, &[1e10, 1e10, 1e10, 0.0]).unwrap();
        assert_eq!((r.mape, r.mase, r.mae), (None, None, 1e10));
    }

    #[test]
    fn undefined_measures_are_typed() {
        assert_eq!(mape(&[1.0, 0.0], &[1.0, 1.0]), Err(ForecastError::ZeroActual { index: 1 }));
        assert_eq!(naive_scale(&[5.0, 5.0, 5.0]), Err(ForecastError::ZeroScale { len: 3 }));
        assert_eq!(smape(&[0.0], &[0.0]).unwrap(), 0.0);
        assert!(matches!(mae(&[], &[]), Err(ForecastError::Empty { .. })));
        assert!(matches!(mae(&[1.0], &[]), Err(ForecastError::LengthMismatch { .. })));
    }
}
